//! nf_tables codec: kernel dumps and `nft` 1.0.6 request batches (tests/fixtures/nft/,
//! captured by tests/fixtures/capture_nft.py) decoded down to expression data and
//! re-encoded byte for byte, a batch written from owned values equal to `nft`'s, every
//! prefix rejected, malformed input refused or kept, and property tests.

use crate::common;
use common::golden::{check_emit_parse, check_in_datagram, check_reparse, encode, fixture};
use netplumb::wire::message::{Message, Payload, Protocol};
use netplumb::wire::nft::*;
use netplumb::wire::nlmsg::{NLMSG_DONE, NLMSG_HDR_LEN};
use netplumb::wire::{Builder, DecodeError, Emit, NlmsgFlags, UnknownAttr};
use proptest::prelude::*;

const FIXTURES: &[&str] = &[
    "dump_chains.hex",
    "dump_rules.hex",
    "dump_setelems_allowed.hex",
    "dump_setelems_ports.hex",
    "dump_sets.hex",
    "dump_tables.hex",
    "error_create_existing_table.hex",
    "getgen_dump.hex",
    "request_builder.hex",
    "request_create_table.hex",
    "request_delete_rule.hex",
    "request_delete_table.hex",
    "request_op_dhcp.hex",
    "request_op_isolation.hex",
    "request_op_masquerade.hex",
    "request_op_ports.hex",
    "request_ruleset_bridge.hex",
    "request_ruleset_ip.hex",
];

fn nft_fixture(name: &str) -> Vec<u8> {
    fixture(&format!("nft/{name}"))
}

/// Decodes a whole capture: a multipart reply must end with NLMSG_DONE and a batch with
/// NFNL_MSG_BATCH_END, so a cut at a message boundary is incomplete too.
fn decode_whole(d: &[u8]) -> Result<Vec<Message<'_>>, DecodeError> {
    let msgs: Vec<Message<'_>> = Message::decode_datagram(d).collect::<Result<_, _>>()?;
    let incomplete = |what| DecodeError::Truncated {
        what,
        offset: d.len(),
        need: NLMSG_HDR_LEN,
        have: 0,
    };
    let (Some(first), Some(last)) = (msgs.first(), msgs.last()) else {
        return Err(incomplete("nlmsghdr"));
    };
    let multi = msgs
        .iter()
        .any(|m| m.header.flags.contains(NlmsgFlags::MULTI));
    if multi && last.header.message_type != NLMSG_DONE {
        return Err(incomplete("multipart reply without NLMSG_DONE"));
    }
    if first.header.message_type == NFNL_MSG_BATCH_BEGIN
        && last.header.message_type != NFNL_MSG_BATCH_END
    {
        return Err(incomplete("batch without NFNL_MSG_BATCH_END"));
    }
    Ok(msgs)
}

fn nft_messages<'m>(msgs: &'m [Message<'_>]) -> Vec<&'m NftMessage> {
    msgs.iter()
        .filter_map(|m| match &m.payload {
            Payload::Nft(n) => Some(n),
            _ => None,
        })
        .collect()
}

fn rules(msgs: &[Message<'_>]) -> Vec<RuleMessage> {
    nft_messages(msgs)
        .into_iter()
        .filter_map(|m| match m {
            NftMessage::Rule(r) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

/// An interface name as `meta iifname` compares it: 16 bytes, NUL-padded.
fn ifname(s: &str) -> Vec<u8> {
    let mut v = s.as_bytes().to_vec();
    v.resize(16, 0);
    v
}

#[test]
fn every_fixture_is_nfnetlink_and_re_encodes_byte_for_byte() {
    for name in FIXTURES {
        let d = nft_fixture(name);
        assert_eq!(Protocol::detect(&d), Protocol::Netfilter, "{name}");
        let msgs = decode_whole(&d).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(encode(&msgs), d, "{name}");
        for m in &msgs {
            assert!(
                !matches!(m.payload, Payload::Other(_)),
                "{name}: {:?} not decoded",
                m.header
            );
            let Payload::Nft(n) = &m.payload else {
                continue;
            };
            // The owned value writes exactly the payload it came from; the view agrees.
            let bytes = n.to_vec().unwrap();
            assert_eq!(bytes.len(), n.buffer_len(), "{name}");
            assert_eq!(bytes.len() + NLMSG_HDR_LEN, m.header.length as usize);
            let view = NftMessageBuffer::new_checked(&bytes[..]).unwrap();
            assert_eq!(view.header(), n.header(), "{name}");
            assert_eq!(
                NftMessage::parse(m.header.message_type, &bytes).as_ref(),
                Ok(n)
            );
        }
    }
}

/// Every attribute and expression in the captures has a typed form: nothing is kept as
/// unknown bytes.
#[test]
fn the_captures_decode_without_unknown_attributes_or_expressions() {
    for name in FIXTURES {
        let d = nft_fixture(name);
        let text = format!("{:?}", decode_whole(&d).unwrap());
        for w in ["Unknown(", "Other("] {
            assert!(!text.contains(w), "{name}: {w} in {text}");
        }
    }
}

/// Every prefix fails. A prefix that cuts a message fails where that message starts, before
/// its payload is looked at: the messages before it are the prefix ending there (checked
/// whole when the loop reaches it), and the cut message alone must fail at its start. So
/// only prefixes of whole messages are decoded whole, and the test stays linear.
#[test]
fn every_prefix_of_every_fixture_fails() {
    for name in FIXTURES {
        let d = nft_fixture(name);
        for n in 0..d.len() {
            let cut =
                netplumb::wire::Messages::new(&d[..n]).find_map(|r| r.err().map(|e| e.offset()));
            if let Some(at) = cut {
                let alone = Message::decode_datagram(&d[at..n]).next();
                assert!(
                    matches!(alone, Some(Err(ref e)) if e.offset() == 0),
                    "{name}[{at}..{n}]: {alone:?}"
                );
                continue;
            }
            match decode_whole(&d[..n]) {
                Ok(_) => panic!("{name}: prefix of {n} bytes decoded"),
                Err(e) => assert!(e.offset() <= n, "{name}[..{n}]: {e} points past the end"),
            }
        }
    }
}

#[test]
fn kernel_replies_carry_the_generation_in_res_id_and_no_nested_flag() {
    let d = nft_fixture("dump_tables.hex");
    let msgs = decode_whole(&d).unwrap();
    let tables: Vec<_> = nft_messages(&msgs)
        .into_iter()
        .map(|m| match m {
            NftMessage::Table(t) => (t.header.family, t.name().unwrap().to_owned(), t.handle()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        tables,
        [
            (NFPROTO_IPV4, "np".into(), Some(1)),
            (NFPROTO_INET, "npi".into(), Some(2)),
            (NFPROTO_BRIDGE, "npbr".into(), Some(3)),
        ]
    );
    for m in nft_messages(&msgs) {
        assert_eq!(m.header().res_id, 3, "three batches were committed");
    }

    // NFT_MSG_GETGEN with NLM_F_DUMP: one NEWGEN, not multipart, no NLMSG_DONE.
    let d = nft_fixture("getgen_dump.hex");
    let msgs = decode_whole(&d).unwrap();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].header.message_type, nft_type(NFT_MSG_NEWGEN));
    assert_eq!(msgs[0].header.flags, NlmsgFlags::empty());
    let NftMessage::Gen(g) = &nft_messages(&msgs)[0] else {
        panic!()
    };
    assert_eq!((g.id(), g.header.res_id), (Some(3), 3));
    assert!(g.attrs.contains(&GenAttr::ProcName("python3".into())));

    // The kernel's nests have no NLA_F_NESTED; nft's have it.
    let d = nft_fixture("dump_chains.hex");
    for m in nft_messages(&decode_whole(&d).unwrap()) {
        let NftMessage::Chain(c) = m else { panic!() };
        if c.hook_num().is_some() {
            assert_eq!(c.nesting, Nesting::Plain);
        }
    }
    let d = nft_fixture("request_ruleset_ip.hex");
    for r in rules(&decode_whole(&d).unwrap()) {
        assert_eq!(r.nesting, Nesting::Flagged);
    }
}

#[test]
fn chains_dump_hooks_priorities_policies_and_types() {
    let d = nft_fixture("dump_chains.hex");
    let msgs = decode_whole(&d).unwrap();
    let chains: Vec<_> = nft_messages(&msgs)
        .into_iter()
        .map(|m| {
            let NftMessage::Chain(c) = m else { panic!() };
            (
                c.table().unwrap().to_owned(),
                c.name().unwrap().to_owned(),
                c.chain_type().map(str::to_owned),
                c.hook_num(),
                c.priority(),
                c.policy(),
            )
        })
        .collect();
    let base = |t: &str, n: &str, ty: &str, hook, prio, pol| {
        (
            t.to_owned(),
            n.to_owned(),
            Some(ty.to_owned()),
            Some(hook),
            Some(prio),
            Some(pol),
        )
    };
    assert_eq!(
        chains,
        [
            base("np", "pre", "nat", NF_INET_PRE_ROUTING, -100, 1),
            base("np", "out", "nat", NF_INET_LOCAL_OUT, -100, 1),
            base("np", "post", "nat", NF_INET_POST_ROUTING, 100, 1),
            base("np", "forward", "filter", NF_INET_FORWARD, 0, 0),
            ("np".into(), "sub".into(), None, None, None, None),
            base("npi", "input", "filter", NF_INET_LOCAL_IN, 0, 1),
            base("npbr", "forward", "filter", NF_INET_FORWARD, -200, 1),
        ]
    );
}

#[test]
fn rules_decode_down_to_set_names_nat_registers_and_jump_targets() {
    let d = nft_fixture("dump_rules.hex");
    let msgs = decode_whole(&d).unwrap();
    let all = rules(&msgs);
    let find = |chain: &str, handle: u64| {
        all.iter()
            .find(|r| r.chain() == Some(chain) && r.handle() == Some(handle))
            .unwrap_or_else(|| panic!("no rule {chain} {handle}"))
            .exprs()
            .to_vec()
    };

    // fib daddr type local tcp dport 8080 dnat to 198.18.0.2:80
    let dnat = find("pre", 9);
    assert_eq!(
        dnat[6],
        Expr::Immediate(vec![
            ImmediateAttr::Dreg(NFT_REG_1),
            ImmediateAttr::Data(value([198, 18, 0, 2]))
        ])
    );
    assert_eq!(dnat[7], Expr::immediate(NFT_REG_2, 80u16.to_be_bytes()));
    assert_eq!(
        dnat[8],
        Expr::Nat(vec![
            NatAttr::Type(NFT_NAT_DNAT),
            NatAttr::Family(u32::from(NFPROTO_IPV4)),
            NatAttr::RegAddrMin(NFT_REG_1),
            NatAttr::RegAddrMax(NFT_REG_1),
            NatAttr::RegProtoMin(NFT_REG_2),
            NatAttr::RegProtoMax(NFT_REG_2),
            NatAttr::Flags(NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED),
        ])
    );
    assert_eq!(
        dnat[0],
        Expr::Fib(vec![
            FibAttr::Dreg(NFT_REG_1),
            FibAttr::Result(NFT_FIB_RESULT_ADDRTYPE),
            FibAttr::Flags(NFTA_FIB_F_DADDR)
        ])
    );

    // ip saddr 198.18.0.0/24 oifname != "br0" masquerade
    let masq = find("post", 13);
    assert_eq!(
        masq,
        [
            Expr::payload_load(NFT_PAYLOAD_NETWORK_HEADER, 12, 3, NFT_REG_1),
            Expr::cmp(NFT_CMP_EQ, NFT_REG_1, [198, 18, 0]),
            Expr::meta_load(NFT_META_OIFNAME, NFT_REG_1),
            Expr::cmp(NFT_CMP_NEQ, NFT_REG_1, ifname("br0")),
            Expr::masq(0),
        ]
    );
    assert_eq!(
        find("post", 14).last(),
        Some(&Expr::masq(
            NF_NAT_RANGE_PROTO_RANDOM | NF_NAT_RANGE_PERSISTENT
        ))
    );

    // ct state established,related accept
    let ct = find("forward", 16);
    assert_eq!(
        ct[0],
        Expr::Ct(vec![CtAttr::Dreg(NFT_REG_1), CtAttr::Key(NFT_CT_STATE)])
    );
    let mask = (NF_CT_STATE_ESTABLISHED | NF_CT_STATE_RELATED).to_ne_bytes();
    assert_eq!(
        ct[1],
        Expr::Bitwise(vec![
            BitwiseAttr::Sreg(NFT_REG_1),
            BitwiseAttr::Dreg(NFT_REG_1),
            BitwiseAttr::Len(4),
            BitwiseAttr::Op(NFT_BITWISE_MASK_XOR),
            BitwiseAttr::Mask(value(mask)),
            BitwiseAttr::Xor(value([0; 4])),
        ])
    );
    assert_eq!(ct[3].as_verdict(), Some(Verdict::Accept));

    // ip saddr @allowed tcp dport @ports accept
    let lookups: Vec<_> = find("forward", 20)
        .into_iter()
        .filter_map(|e| match e {
            Expr::Lookup(l) => Some(l),
            _ => None,
        })
        .collect();
    assert_eq!(lookups[0][0], LookupAttr::Set("allowed".into()));
    assert_eq!(lookups[1][0], LookupAttr::Set("ports".into()));
    assert!(find("forward", 23).contains(&Expr::Lookup(vec![
        LookupAttr::Set("allowed".into()),
        LookupAttr::Sreg(NFT_REG_1),
        LookupAttr::Flags(NFT_LOOKUP_F_INV),
    ])));

    // Verdicts: continue, jump and goto with their target, return.
    assert_eq!(find("forward", 19)[4].as_verdict(), Some(Verdict::Continue));
    assert_eq!(
        find("forward", 27)[0].as_verdict(),
        Some(Verdict::Jump("sub".into()))
    );
    assert_eq!(
        find("forward", 28)[0].as_verdict(),
        Some(Verdict::Goto("sub".into()))
    );
    assert_eq!(find("sub", 29), [Expr::verdict(Verdict::Return)]);

    // meta mark 0x1 meta mark set 0x2; log, reject, limit, dynset, redirect.
    let mark = find("forward", 22);
    assert_eq!(mark[3], Expr::meta_set(NFT_META_MARK, NFT_REG_1));
    let log = find("forward", 23);
    assert_eq!(
        log[2],
        Expr::Log(vec![LogAttr::Prefix("np: ".into()), LogAttr::Level(6)])
    );
    assert_eq!(
        log[3],
        Expr::Reject(vec![
            RejectAttr::Type(NFT_REJECT_ICMP_UNREACH),
            RejectAttr::IcmpCode(1)
        ])
    );
    assert_eq!(
        find("forward", 25)[0],
        Expr::Limit(vec![
            LimitAttr::Rate(10),
            LimitAttr::Unit(1),
            LimitAttr::Burst(5),
            LimitAttr::Type(0),
            LimitAttr::Flags(0)
        ])
    );
    assert!(matches!(&find("forward", 26)[1], Expr::Dynset(a)
        if a.contains(&DynsetAttr::SetName("seen".into()))
            && a.contains(&DynsetAttr::Op(NFT_DYNSET_OP_UPDATE))));
    assert_eq!(
        find("pre", 11).last(),
        Some(&Expr::Redir(vec![
            RedirAttr::RegProtoMin(NFT_REG_1),
            RedirAttr::RegProtoMax(NFT_REG_1),
            RedirAttr::Flags(NF_NAT_RANGE_PROTO_SPECIFIED)
        ]))
    );
}

/// virtlet's two ebtables rules in the bridge family: DHCP (udp 67-68) from one port to the
/// other is dropped, in both directions.
fn dhcp_drop(from: &str, to: &str) -> Vec<Expr> {
    vec![
        Expr::meta_load(NFT_META_IIFNAME, NFT_REG_1),
        Expr::cmp(NFT_CMP_EQ, NFT_REG_1, ifname(from)),
        Expr::meta_load(NFT_META_OIFNAME, NFT_REG_1),
        Expr::cmp(NFT_CMP_EQ, NFT_REG_1, ifname(to)),
        Expr::payload_load(NFT_PAYLOAD_LL_HEADER, 12, 2, NFT_REG_1),
        Expr::cmp(NFT_CMP_EQ, NFT_REG_1, 0x0800u16.to_be_bytes()),
        Expr::meta_load(NFT_META_L4PROTO, NFT_REG_1),
        Expr::cmp(NFT_CMP_EQ, NFT_REG_1, [17]),
        Expr::payload_load(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG_1),
        Expr::cmp(NFT_CMP_GTE, NFT_REG_1, 67u16.to_be_bytes()),
        Expr::cmp(NFT_CMP_LTE, NFT_REG_1, 68u16.to_be_bytes()),
        Expr::verdict(Verdict::Drop),
    ]
}

#[test]
fn the_bridge_batch_written_from_owned_values_is_what_nft_sent() {
    let want = nft_fixture("request_ruleset_bridge.hex");
    let br = NfGenHeader::new(NFPROTO_BRIDGE);
    let rule = |seq: u32, exprs: Vec<Expr>| {
        (
            seq,
            RuleMessage::new(br)
                .with(RuleAttr::Table("npbr".into()))
                .with(RuleAttr::Chain("forward".into()))
                .with(RuleAttr::Expressions(exprs)),
        )
    };
    let create = NlmsgFlags::REQUEST | NlmsgFlags::CREATE;
    let mut b = Builder::new();
    b.message(
        NFNL_MSG_BATCH_BEGIN,
        NlmsgFlags::REQUEST,
        0,
        0,
        &BatchMessage::new(NfGenHeader::batch()),
    )
    .unwrap();
    let table = TableMessage::new(br)
        .with(TableAttr::Name("npbr".into()))
        .with(TableAttr::Flags(0));
    b.message(
        nft_type(NFT_MSG_NEWTABLE),
        NlmsgFlags::REQUEST,
        1,
        0,
        &table,
    )
    .unwrap();
    let chain = ChainMessage::new(br)
        .with(ChainAttr::Table("npbr".into()))
        .with(ChainAttr::Name("forward".into()))
        .with(ChainAttr::Type("filter".into()))
        .with(ChainAttr::Policy(NF_ACCEPT as u32))
        .with(ChainAttr::Hook(vec![
            HookAttr::Num(NF_INET_FORWARD),
            HookAttr::Priority(NF_BR_PRI_FILTER_BRIDGED as u32),
        ]));
    b.message(nft_type(NFT_MSG_NEWCHAIN), create, 2, 0, &chain)
        .unwrap();
    let mac_drop = vec![
        Expr::payload_load(NFT_PAYLOAD_LL_HEADER, 6, 6, NFT_REG_1),
        Expr::cmp(NFT_CMP_EQ, NFT_REG_1, [2, 0, 0, 0, 0, 1]),
        Expr::verdict(Verdict::Drop),
    ];
    for (seq, r) in [
        rule(3, dhcp_drop("veth0", "veth1")),
        rule(4, dhcp_drop("veth1", "veth0")),
        rule(5, mac_drop),
    ] {
        b.message(
            nft_type(NFT_MSG_NEWRULE),
            create | NlmsgFlags::APPEND,
            seq,
            0,
            &r,
        )
        .unwrap();
    }
    b.message(
        NFNL_MSG_BATCH_END,
        NlmsgFlags::REQUEST,
        6,
        0,
        &BatchMessage::new(NfGenHeader::batch()),
    )
    .unwrap();
    assert_eq!(b.into_vec(), want);
}

#[test]
fn the_kernel_reads_back_the_dhcp_rules() {
    let d = nft_fixture("dump_rules.hex");
    let msgs = decode_whole(&d).unwrap();
    let bridge: Vec<_> = rules(&msgs)
        .into_iter()
        .filter(|r| r.header.family == NFPROTO_BRIDGE)
        .collect();
    assert_eq!(bridge[0].exprs(), dhcp_drop("veth0", "veth1"));
    assert_eq!(bridge[1].exprs(), dhcp_drop("veth1", "veth0"));
    // The zero-copy walk sees the same expressions, without decoding them.
    let payload = bridge[0].to_vec().unwrap();
    let view = NftMessageBuffer::new_checked(&payload[..]).unwrap();
    let list = view.attrs().find(NFTA_RULE_EXPRESSIONS).unwrap().unwrap();
    let names: Vec<_> = exprs(&list).unwrap().map(|e| e.unwrap().name).collect();
    let want: Vec<_> = bridge[0].exprs().iter().map(Expr::name).collect();
    assert_eq!(names, want);
}

#[test]
fn sets_and_elements() {
    let d = nft_fixture("dump_sets.hex");
    let msgs = decode_whole(&d).unwrap();
    let sets: Vec<_> = nft_messages(&msgs)
        .into_iter()
        .map(|m| {
            let NftMessage::Set(s) = m else { panic!() };
            (s.name().unwrap().to_owned(), s.flags())
        })
        .collect();
    assert_eq!(
        sets,
        [
            ("allowed".into(), Some(NFT_SET_INTERVAL)),
            ("ports".into(), None), // flags 0 are left out
            ("seen".into(), Some(NFT_SET_TIMEOUT | NFT_SET_EVAL)),
        ]
    );
    let NftMessage::Set(seen) = nft_messages(&msgs)[2] else {
        panic!()
    };
    assert!(seen.attrs.contains(&SetAttr::Timeout(60_000)));

    let elements = |name| {
        let d = nft_fixture(name);
        let msgs = decode_whole(&d).unwrap();
        let mut out = Vec::new();
        for m in nft_messages(&msgs) {
            let NftMessage::SetElems(s) = m else { panic!() };
            for a in &s.attrs {
                if let SetElemListAttr::Elements(e) = a {
                    out.extend(
                        e.iter()
                            .map(|e| (e.key_value().unwrap().to_vec(), e.flags())),
                    );
                }
            }
        }
        out.sort();
        out
    };
    assert_eq!(
        elements("dump_setelems_ports.hex"),
        [(vec![0, 80], 0), (vec![1, 187], 0)]
    );
    // An interval set stores 198.18.0.0/24 and 198.18.5.1 as starts and ends: the element
    // after each range carries NFT_SET_ELEM_INTERVAL_END.
    let allowed = elements("dump_setelems_allowed.hex");
    assert!(allowed.contains(&(vec![198, 18, 0, 0], 0)));
    assert!(allowed.contains(&(vec![198, 18, 1, 0], NFT_SET_ELEM_INTERVAL_END)));
    assert!(allowed.contains(&(vec![198, 18, 5, 1], 0)));
    assert!(allowed.contains(&(vec![198, 18, 5, 2], NFT_SET_ELEM_INTERVAL_END)));
}

#[test]
fn a_refused_batch_is_recognised_by_its_echo() {
    let d = nft_fixture("error_create_existing_table.hex");
    let msgs = decode_whole(&d).unwrap();
    let Payload::Error(e) = &msgs[0].payload else {
        panic!()
    };
    assert_eq!(e.errno(), libc::EEXIST);
    assert_eq!(e.ext_ack.bad_attr_offset, Some(20));
    let echo = Message::decode_datagram(e.echo).next().unwrap().unwrap();
    assert_eq!(echo.header.message_type, nft_type(NFT_MSG_NEWTABLE));
    assert!(echo.header.flags.contains(NlmsgFlags::EXCL));
    let Payload::Nft(NftMessage::Table(t)) = echo.payload else {
        panic!()
    };
    assert_eq!(t.name(), Some("np"));

    // The request that was refused is the middle message of nft's batch.
    let req = nft_fixture("request_create_table.hex");
    let sent = decode_whole(&req).unwrap();
    assert_eq!(sent.len(), 3);
    let mut again = Builder::new();
    sent[1].emit(&mut again).unwrap();
    assert_eq!(again.as_bytes(), e.echo);
}

#[test]
fn deleting_a_rule_names_its_handle() {
    let d = nft_fixture("request_delete_rule.hex");
    let msgs = decode_whole(&d).unwrap();
    assert_eq!(msgs[1].header.message_type, nft_type(NFT_MSG_DELRULE));
    let want = RuleMessage::new(NfGenHeader::new(NFPROTO_IPV4))
        .with(RuleAttr::Table("np".into()))
        .with(RuleAttr::Chain("sub".into()))
        .with(RuleAttr::Handle(29));
    assert_eq!(msgs[1].payload, Payload::Nft(NftMessage::Rule(want)));
    let d = nft_fixture("request_delete_table.hex");
    let msgs = decode_whole(&d).unwrap();
    let want =
        TableMessage::new(NfGenHeader::new(NFPROTO_BRIDGE)).with(TableAttr::Name("npbr".into()));
    assert_eq!(msgs[1].payload, Payload::Nft(NftMessage::Table(want)));
}

// ---- recognition ----

fn batch_begin() -> Vec<u8> {
    let mut b = Builder::new();
    b.message(
        NFNL_MSG_BATCH_BEGIN,
        NlmsgFlags::REQUEST,
        0,
        0,
        &BatchMessage::new(NfGenHeader::batch()),
    )
    .unwrap();
    b.into_vec()
}

#[test]
fn the_protocol_is_decided_by_the_whole_datagram_and_can_be_forced() {
    let begin = batch_begin();
    assert_eq!(Protocol::detect(&begin), Protocol::Netfilter);
    assert!(matches!(
        Message::decode_datagram(&begin).next(),
        Some(Ok(Message {
            payload: Payload::Nft(NftMessage::Batch(_)),
            ..
        }))
    ));
    // Read as rtnetlink, a batch marker is an RTM_NEWLINK too short for its ifinfomsg.
    let r: Vec<_> = Message::decode_datagram_as(&begin, Protocol::Route).collect();
    assert!(
        matches!(
            r[0],
            Err(DecodeError::Truncated {
                what: "ifinfomsg",
                ..
            })
        ),
        "{r:?}"
    );
    // An RTM_NEWLINK with a whole ifinfomsg is rtnetlink; forced to nfnetlink, type 16 is
    // a batch marker whose bytes after nfgenmsg are read as attributes
    let link = netplumb::wire::link::LinkMessage::new(3);
    let mut b = Builder::new();
    b.message(16, NlmsgFlags::REQUEST, 1, 0, &link).unwrap();
    let d = b.into_vec();
    assert_eq!(Protocol::detect(&d), Protocol::Route);
    // (the ifindex 3 after the nfgenmsg is an attribute length below 4).
    assert!(matches!(
        Message::decode_datagram_as(&d, Protocol::Netfilter).next(),
        Some(Err(DecodeError::BadAttrLen { len: 3, .. }))
    ));
    // Only NLMSG_DONE: nothing says nfnetlink; both read it the same.
    let done = common::golden::fixture("nsid/dump.hex");
    assert_eq!(Protocol::detect(&done[56..]), Protocol::Route);
    // Type names follow the protocol.
    assert_eq!(
        Protocol::Netfilter.message_type_name(16),
        Some("NFNL_MSG_BATCH_BEGIN")
    );
    assert_eq!(Protocol::Route.message_type_name(16), Some("RTM_NEWLINK"));
    assert_eq!(
        Protocol::Netfilter.message_type_name(nft_type(NFT_MSG_NEWRULE)),
        Some("NFT_MSG_NEWRULE")
    );
    assert_eq!(
        Protocol::Netfilter.message_type_name(2),
        Some("NLMSG_ERROR")
    );
}

#[test]
fn untyped_messages_are_kept_as_bytes() {
    // NFT_MSG_NEWFLOWTABLE and a message of another subsystem (ctnetlink, 1).
    let mut b = Builder::new();
    b.message(
        nft_type(NFT_MSG_NEWFLOWTABLE),
        NlmsgFlags::REQUEST,
        1,
        0,
        &&[2u8, 0, 0, 0, 5, 0, 1, 0, b'f', 0, 0, 0][..],
    )
    .unwrap();
    b.message(0x0100, NlmsgFlags::REQUEST, 2, 0, &&[2u8, 0, 0, 0][..])
        .unwrap();
    let d = b.into_vec();
    let msgs = decode_whole(&d).unwrap();
    assert!(msgs.iter().all(|m| matches!(m.payload, Payload::Other(_))));
    assert_eq!(encode(&msgs), d);
}

// ---- malformed input ----

fn table_payload(attrs: &[(u16, &[u8])]) -> Vec<u8> {
    let mut b = Builder::new();
    NfGenHeader::new(NFPROTO_IPV4).emit(&mut b).unwrap();
    for (k, v) in attrs {
        b.attr(*k, v).unwrap();
    }
    b.into_vec()
}

#[test]
fn wrong_sizes_are_errors_naming_the_attribute() {
    for (kind, len, name) in [
        (NFTA_TABLE_FLAGS, 3, "NFTA_TABLE_FLAGS"),
        (NFTA_TABLE_USE, 8, "NFTA_TABLE_USE"),
        (NFTA_TABLE_HANDLE, 4, "NFTA_TABLE_HANDLE"),
    ] {
        let p = table_payload(&[(kind, &vec![1; len])]);
        match TableMessage::parse(&p) {
            Err(DecodeError::BadAttr {
                name: n, offset, ..
            }) => assert_eq!((n, offset), (name, NFGENMSG_LEN)),
            other => panic!("{name} of {len} bytes: {other:?}"),
        }
    }
    for n in 0..NFGENMSG_LEN {
        assert!(matches!(
            TableMessage::parse(&[0; 4][..n]),
            Err(DecodeError::Truncated {
                what: "nfgenmsg",
                ..
            })
        ));
    }
    // A bad attribute length deep in a rule is reported at its absolute offset.
    let rule = RuleMessage::new(NfGenHeader::new(NFPROTO_IPV4))
        .with(RuleAttr::Expressions(vec![Expr::counter()]));
    let mut p = rule.to_vec().unwrap();
    // nfgenmsg 4, EXPRESSIONS header 4, LIST_ELEM header 4, NAME "counter" 12, DATA at 24.
    p[24] = 200;
    let e = RuleMessage::parse(&p).unwrap_err();
    assert!(
        matches!(e, DecodeError::BadAttrLen { offset: 24, .. }),
        "{e:?}"
    );
}

#[test]
fn odd_shapes_are_kept_and_re_encode_byte_for_byte() {
    let flagged = |k: u16| k | netplumb::wire::attr::NLA_F_NESTED;
    let elem = |b: &mut Builder<'_>, kind: u16, name: &str, data_kind: u16| {
        let n = b.nest_start(kind).unwrap();
        b.attr_str(NFTA_EXPR_NAME, name).unwrap();
        b.nested(data_kind, |b| b.attr(1, &7u64.to_be_bytes()))
            .unwrap();
        b.nest_end(n).unwrap();
    };
    let mut b = Builder::new();
    NfGenHeader::new(NFPROTO_IPV4).emit(&mut b).unwrap();
    b.attr_str(NFTA_RULE_TABLE, "t").unwrap();
    b.attr(NFTA_RULE_CHAIN | 0x4000, b"c\0").unwrap(); // NET_BYTEORDER on a string
    b.attr(99, b"future").unwrap(); // an attribute from a later kernel
    let list = b.nest_start(flagged(NFTA_RULE_EXPRESSIONS)).unwrap();
    elem(&mut b, flagged(1), "quota", flagged(2)); // unknown expression
    elem(&mut b, flagged(1), "counter", 2); // DATA without the flag the message uses
    elem(&mut b, 1, "counter", 2); // a list item marked the other way
    elem(&mut b, flagged(7), "counter", flagged(2)); // not an NFTA_LIST_ELEM
    elem(&mut b, flagged(1), "counter", flagged(2)); // the one typed expression
    b.nest_end(list).unwrap();
    let p = b.into_vec();
    let m = RuleMessage::parse(&p).unwrap();
    assert_eq!(m.nesting, Nesting::Flagged);
    assert_eq!(m.to_vec().unwrap(), p);
    assert_eq!(m.attrs[0], RuleAttr::Table("t".into()));
    assert!(matches!(
        m.attrs[1],
        RuleAttr::Unknown(UnknownAttr { kind: 0x4002, .. })
    ));
    assert!(matches!(
        m.attrs[2],
        RuleAttr::Unknown(UnknownAttr { kind: 99, .. })
    ));
    let e = m.exprs();
    assert_eq!(e.len(), 5);
    assert!(e[..4].iter().all(|e| matches!(e, Expr::Other(_))));
    assert_eq!(e[0].name(), Some("quota"));
    assert_eq!(e[4], Expr::Counter(vec![CounterAttr::Bytes(7)]));
}

#[test]
fn a_nesting_bomb_is_an_error() {
    // Expressions inside dynsets inside expressions, deeper than MAX_NEST_DEPTH.
    let mut e = Expr::counter();
    for _ in 0..12 {
        e = Expr::Dynset(vec![DynsetAttr::Expressions(vec![e])]);
    }
    let m = RuleMessage::new(NfGenHeader::new(NFPROTO_IPV4)).with(RuleAttr::Expressions(vec![e]));
    let p = m.to_vec().unwrap();
    assert!(matches!(
        RuleMessage::parse(&p),
        Err(DecodeError::NestingTooDeep { .. })
    ));
}

// ---- property tests ----

fn reg() -> impl Strategy<Value = u32> {
    prop_oneof![Just(0u32), 1u32..=4, 8u32..=23]
}

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..max)
}

fn any_verdict() -> impl Strategy<Value = Verdict> {
    prop_oneof![
        Just(Verdict::Accept),
        Just(Verdict::Drop),
        Just(Verdict::Continue),
        Just(Verdict::Return),
        "[a-z]{1,10}".prop_map(Verdict::Jump),
        "[a-z]{1,10}".prop_map(Verdict::Goto),
    ]
}

fn any_expr() -> impl Strategy<Value = Expr> {
    prop_oneof![
        (any::<u32>(), reg()).prop_map(|(k, r)| Expr::meta_load(k, r)),
        (any::<u32>(), reg()).prop_map(|(k, r)| Expr::meta_set(k, r)),
        (0u32..4, any::<u32>(), 1u32..16, reg())
            .prop_map(|(b, o, l, r)| Expr::payload_load(b, o, l, r)),
        (0u32..6, reg(), bytes(17)).prop_map(|(op, r, v)| Expr::cmp(op, r, v)),
        (reg(), reg(), bytes(17)).prop_map(|(s, d, m)| Expr::bitwise(s, d, m.clone(), m)),
        (reg(), bytes(17)).prop_map(|(r, v)| Expr::immediate(r, v)),
        any_verdict().prop_map(Expr::verdict),
        Just(Expr::counter()),
        (any::<u64>(), any::<u64>())
            .prop_map(|(b, p)| Expr::Counter(vec![CounterAttr::Bytes(b), CounterAttr::Packets(p)])),
        (any::<u32>(), reg()).prop_map(|(k, r)| Expr::ct_load(k, r)),
        ("[a-z@_]{1,12}", reg()).prop_map(|(s, r)| Expr::lookup(&s, r)),
        any::<u32>().prop_map(Expr::masq),
        (0u32..2, reg(), reg()).prop_map(|(t, a, p)| Expr::Nat(vec![
            NatAttr::Type(t),
            NatAttr::Family(2),
            NatAttr::RegAddrMin(a),
            NatAttr::RegProtoMin(p)
        ])),
        ("[ -~]{0,20}", any::<u16>())
            .prop_map(|(p, g)| Expr::Log(vec![LogAttr::Prefix(p), LogAttr::Group(g)])),
        (any::<u32>(), any::<u8>())
            .prop_map(|(t, c)| Expr::Reject(vec![RejectAttr::Type(t), RejectAttr::IcmpCode(c)])),
        (reg(), bytes(5), bytes(5)).prop_map(|(r, f, t)| Expr::Range(vec![
            RangeAttr::Sreg(r),
            RangeAttr::From(value(f)),
            RangeAttr::To(value(t))
        ])),
        (100u16..200, bytes(9)).prop_map(|(kind, value)| Expr::Meta(vec![MetaAttr::Unknown(
            UnknownAttr { kind, value }
        )])),
    ]
}

fn any_rule() -> impl Strategy<Value = RuleMessage> {
    (
        any::<u8>(),
        any::<u16>(),
        "[a-z]{1,8}",
        any::<u64>(),
        proptest::collection::vec(any_expr(), 0..8),
        prop_oneof![Just(Nesting::Plain), Just(Nesting::Flagged)],
    )
        .prop_map(|(family, res_id, chain, handle, exprs, nesting)| {
            let mut m = RuleMessage::new(NfGenHeader {
                family,
                version: 0,
                res_id,
            })
            .with(RuleAttr::Table("t".into()))
            .with(RuleAttr::Chain(chain))
            .with(RuleAttr::Handle(handle))
            .with(RuleAttr::Expressions(exprs));
            m.nesting = nesting;
            m
        })
}

proptest! {
    #[test]
    fn any_rule_round_trips(m in any_rule()) {
        check_emit_parse(&m, RuleMessage::parse)?;
        check_in_datagram(
            nft_type(NFT_MSG_NEWRULE),
            7,
            &m,
            &Payload::Nft(NftMessage::Rule(m.clone())),
        )?;
    }

    #[test]
    fn any_set_elements_round_trip(
        keys in proptest::collection::vec(bytes(17), 0..6),
        nesting in prop_oneof![Just(Nesting::Plain), Just(Nesting::Flagged)],
    ) {
        let mut m = SetElemsMessage::new(NfGenHeader::new(NFPROTO_INET))
            .with(SetElemListAttr::Table("t".into()))
            .with(SetElemListAttr::Set("s".into()))
            .with(SetElemListAttr::Elements(keys.into_iter().map(SetElem::key).collect()));
        m.nesting = nesting;
        check_emit_parse(&m, SetElemsMessage::parse)?;
    }

    #[test]
    fn any_bytes_decode_or_fail_and_re_encode_stably(p in bytes(96)) {
        check_reparse(&p, RuleMessage::parse)?;
        check_reparse(&p, ChainMessage::parse)?;
        check_reparse(&p, SetElemsMessage::parse)?;
        check_reparse(&p, SetMessage::parse)?;
    }
}
