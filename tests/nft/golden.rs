//! The typed API against `nft` 1.0.6's own batches (tests/fixtures/nft/request_*.hex,
//! captured by tests/fixtures/capture_nft.py): the same ruleset built with a `Transaction`
//! gives the same messages, byte for byte, and `Rule`'s and `TableOp::script`'s text is the
//! script `nft` was given.

use crate::common::golden::fixture;
use netplumb::nft::ops::{DhcpFilter, Isolation, Masquerade, PortMapping, PublishedPorts, TableOp};
use netplumb::nft::*;
use netplumb::wire::nft::{NFNL_MSG_BATCH_BEGIN, NFNL_MSG_BATCH_END};
use netplumb::wire::{Emit, Messages, NlmsgFlags};
use std::net::IpAddr;

/// The messages between batch begin and end of a fixture: type, flags without
/// `NLM_F_REQUEST`, payload.
fn batch(name: &str) -> Vec<(u16, NlmsgFlags, Vec<u8>)> {
    let d = fixture(&format!("nft/{name}"));
    let all: Vec<_> = Messages::new(&d)
        .map(|r| {
            let (_, m) = r.unwrap();
            (
                m.message_type(),
                m.flags() - NlmsgFlags::REQUEST,
                m.payload().to_vec(),
            )
        })
        .collect();
    assert_eq!(
        all.first().map(|m| m.0),
        Some(NFNL_MSG_BATCH_BEGIN),
        "{name}"
    );
    assert_eq!(all.last().map(|m| m.0), Some(NFNL_MSG_BATCH_END), "{name}");
    all[1..all.len() - 1].to_vec()
}

/// The `script:` lines of a fixture's header: what `nft -f` was given.
pub fn script(name: &str) -> Vec<String> {
    let path = format!("{}/tests/fixtures/nft/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("# script: "))
        .map(str::to_string)
        .collect()
}

/// Compares a transaction's messages with a fixture's, one by one.
fn assert_same(tx: &Transaction, name: &str) {
    let want = batch(name);
    let got: Vec<(u16, NlmsgFlags, Vec<u8>)> = tx
        .messages()
        .map(|(t, f, m)| (t, f, m.to_vec().unwrap()))
        .collect();
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(
            (g.0, g.1),
            (w.0, w.1),
            "{name}: message {} ({:?}): type/flags",
            i + 1,
            tx.describe(i)
        );
        assert_eq!(
            netplumb::wire::hex::format(&g.2),
            netplumb::wire::hex::format(&w.2),
            "{name}: message {} ({:?})",
            i + 1,
            tx.describe(i)
        );
    }
    assert_eq!(got.len(), want.len(), "{name}: number of messages");
}

fn net(s: &str) -> netplumb::IpNet {
    s.parse().unwrap()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// The rules of RULESET_BUILDER, chain by chain, as the builder writes them.
fn builder_rules() -> Vec<(&'static str, Rule)> {
    let fwd = [
        Rule::new().iifname("veth*").oifname_ne("br0").accept(),
        Rule::new().iif(1).oif(1).cont(),
        Rule::new()
            .saddr(net("2001:db8::/56"))
            .daddr_ne(net("2001:db8:1::/48"))
            .drop(),
        Rule::new()
            .saddr(net("198.18.0.0/20"))
            .daddr(net("198.18.0.3/32"))
            .sport(Proto::Tcp, 33)
            .dport(Proto::Tcp, 22)
            .accept(),
        Rule::new().dport_ne(Proto::Tcp, 80).accept(),
        Rule::new().sport_ne(Proto::Udp, 1000..=2000).accept(),
        Rule::new()
            .dport(Proto::Tcp, 1000..=2000)
            .counter()
            .accept(),
        Rule::new()
            .daddr_in("a4", false)
            .dport_in(Proto::Tcp, "p")
            .accept(),
        Rule::new().saddr_not_in("a4", false).drop(),
        Rule::new().daddr(net("0.0.0.0/0")).accept(),
        Rule::new()
            .ct_state(CtState::ESTABLISHED | CtState::RELATED)
            .accept(),
        Rule::new().ct_state(CtState::NEW).counter(),
        Rule::new().mark(1).mark_set(2),
        Rule::new().mark_ne(3).drop(),
        Rule::new().l4proto(6).reject(RejectWith::TcpReset),
        Rule::new().reject(RejectWith::PortUnreachable),
        Rule::new()
            .daddr(net("2001:db8::1/128"))
            .reject(RejectWith::PortUnreachable),
        Rule::new().log(Some("np: ")),
        Rule::new().log(None),
        Rule::new().jump("sub"),
        Rule::new().goto("sub"),
    ];
    let nat = [
        Rule::new().dport(Proto::Tcp, 22).redirect(2222..=2223),
        Rule::new()
            .daddr(net("2001:db8::1/128"))
            .dport(Proto::Tcp, 81)
            .dnat(ip("2001:db8::2"), Some(80.into())),
        Rule::new()
            .daddr(net("198.18.1.1/32"))
            .dport(Proto::Udp, 5000..=5010)
            .dnat(ip("198.18.0.2"), Some((6000..=6010).into())),
        Rule::new()
            .dport(Proto::Tcp, 8080)
            .dnat(ip("198.18.0.2"), None),
    ];
    let post = [
        Rule::new()
            .l4proto(17)
            .masquerade_with(Some((1000..=2000).into()), NatFlags::RANDOM),
        Rule::new()
            .saddr(net("198.18.0.0/24"))
            .masquerade_with(None, NatFlags::FULLY_RANDOM),
        Rule::new()
            .l4proto(6)
            .snat(ip("198.18.9.9"), Some((1000..=2000).into())),
        Rule::new().snat(ip("2001:db8::9"), None),
    ];
    fwd.into_iter()
        .map(|r| ("c", r))
        .chain([("sub", Rule::new().ret())])
        .chain(nat.into_iter().map(|r| ("nat", r)))
        .chain(post.into_iter().map(|r| ("post", r)))
        .collect()
}

/// RULESET_BUILDER of capture_nft.py as one transaction, in nft's order (each table, its
/// chains, its sets, its rules), and the rules written as text.
pub fn builder() -> (Transaction, Vec<String>) {
    let inet = Table::new(TableFamily::Inet, "nb");
    let bridge = Table::new(TableFamily::Bridge, "nbr");
    let ip6 = Table::new(TableFamily::Ip6, "n6");
    let mut tx = Transaction::new();
    // nft's order: the table, its chains, its sets, its rules; then the next table.
    tx.add_table(&inet).unwrap();
    for c in [
        Chain::base("c", ChainType::Filter, Hook::Forward, priority::FILTER).policy(Policy::Drop),
        Chain::regular("sub"),
        Chain::base("nat", ChainType::Nat, Hook::Prerouting, priority::DSTNAT),
        Chain::base("post", ChainType::Nat, Hook::Postrouting, priority::SRCNAT),
    ] {
        tx.add_chain(&inet, &c).unwrap();
    }
    for s in [
        Set::new("a4", KeyType::Ipv4Addr),
        Set::new("p", KeyType::InetService)
            .interval()
            .element(Element::Port(80.into()))
            .element(Element::Port((1000..=2000).into())),
        Set::new("names", KeyType::IfName)
            .element(Element::IfName("br0".into()))
            .element(Element::IfName("veth0".into())),
        Set::new("marks", KeyType::Mark).element(Element::Mark(1)),
    ] {
        tx.add_set(&inet, &s).unwrap();
    }
    let rules = builder_rules();
    for (chain, r) in &rules {
        tx.add_rule(&inet, chain, r).unwrap();
    }
    tx.add_table(&bridge).unwrap();
    tx.add_chain(
        &bridge,
        &Chain::base(
            "c",
            ChainType::Filter,
            Hook::Forward,
            priority::BRIDGE_FILTER,
        ),
    )
    .unwrap();
    let bridge_rules = [
        Rule::new().dport(Proto::Udp, 67).drop(),
        Rule::new().saddr(net("198.18.0.1/32")).drop(),
        Rule::new()
            .ether_type(ETH_P_IPV6)
            .daddr(net("2001:db8::1/128"))
            .drop(),
        Rule::new().ether_type(ETH_P_ARP).drop(),
    ];
    for r in &bridge_rules {
        tx.add_rule(&bridge, "c", r).unwrap();
    }
    tx.add_table(&ip6).unwrap();
    tx.add_chain(
        &ip6,
        &Chain::base("c", ChainType::Filter, Hook::Input, priority::FILTER),
    )
    .unwrap();
    let ip6_rule = Rule::new()
        .saddr(net("2001:db8::/32"))
        .dport(Proto::Tcp, 22)
        .reject(RejectWith::PortUnreachable);
    tx.add_rule(&ip6, "c", &ip6_rule).unwrap();
    let written = rules
        .iter()
        .map(|(_, r)| r)
        .chain(&bridge_rules)
        .chain([&ip6_rule])
        .map(ToString::to_string)
        .collect();
    (tx, written)
}

/// The transaction of [`builder`].
pub fn builder_transaction() -> Transaction {
    builder().0
}

#[test]
fn the_builder_makes_nfts_messages() {
    let (tx, written) = builder();
    assert_same(&tx, "request_builder.hex");

    // Each rule's text is the line nft was given.
    let lines = script("request_builder.hex");
    for w in &written {
        assert!(
            lines.iter().any(|l| l.trim() == w),
            "{w:?} is not a line of the script"
        );
    }
}

#[test]
fn the_ruleset_of_stage_one_rebuilt() {
    // The rules of request_ruleset_ip.hex that the builder covers, compared one by one with
    // nft's messages (the sets first, so that lookups name them by id as nft does).
    let t = Table::new(TableFamily::Ip, "np");
    let want = batch("request_ruleset_ip.hex");
    let mut tx = Transaction::new();
    tx.add_set(
        &t,
        &Set::new("allowed", KeyType::Ipv4Addr)
            .interval()
            .element(Element::Net(net("198.18.0.0/24")))
            .element(Element::Addr(ip("198.18.5.1"))),
    )
    .unwrap();
    tx.add_set(
        &t,
        &Set::new("ports", KeyType::InetService)
            .element(Element::Port(80.into()))
            .element(Element::Port(443.into())),
    )
    .unwrap();
    // The batch's messages 6 to 9 (after the table and 5 chains) are these sets.
    for (i, (ty, flags, m)) in tx.messages().enumerate() {
        let w = &want[6 + i];
        assert_eq!((ty, flags, m.to_vec().unwrap()), *w, "set message {i}");
    }
    let rules: [(usize, &str, Rule); 13] = [
        (
            12,
            "pre",
            Rule::new()
                .fib_daddr_local()
                .dport(Proto::Tcp, 8080)
                .dnat(ip("198.18.0.2"), Some(80.into())),
        ),
        (
            13,
            "pre",
            Rule::new()
                .iifname_ne("br0")
                .daddr(net("198.18.1.1/32"))
                .dport(Proto::Udp, 5000..=5010)
                .dnat(ip("198.18.0.2"), Some((6000..=6010).into())),
        ),
        (14, "pre", Rule::new().dport(Proto::Tcp, 22).redirect(2222)),
        (
            16,
            "post",
            Rule::new()
                .saddr(net("198.18.0.0/24"))
                .oifname_ne("br0")
                .masquerade(),
        ),
        (
            17,
            "post",
            Rule::new()
                .saddr(net("198.18.0.0/24"))
                .daddr(net("198.18.0.0/24"))
                .oifname("br0")
                .masquerade_with(None, NatFlags::RANDOM | NatFlags::PERSISTENT),
        ),
        (
            18,
            "post",
            Rule::new()
                .saddr(net("198.18.2.0/24"))
                .snat(ip("198.18.9.9"), None),
        ),
        (
            19,
            "forward",
            Rule::new()
                .ct_state(CtState::ESTABLISHED | CtState::RELATED)
                .accept(),
        ),
        (
            21,
            "forward",
            Rule::new().iifname("br0").oifname("br1").drop(),
        ),
        (22, "forward", Rule::new().iif(1).oif(1).cont()),
        (
            23,
            "forward",
            Rule::new()
                .l4proto(6)
                .saddr_in("allowed", false)
                .dport_in(Proto::Tcp, "ports")
                .accept(),
        ),
        (25, "forward", Rule::new().mark(1).mark_set(2)),
        (
            27,
            "forward",
            Rule::new()
                .dport(Proto::Tcp, 25)
                .reject(RejectWith::TcpReset),
        ),
        (30, "forward", Rule::new().jump("sub")),
    ];
    // `seq` is the message's sequence number in the batch (begin is 0).
    for (seq, chain, r) in &rules {
        let mut one = tx.clone();
        let i = one.add_rule(&t, chain, r).unwrap();
        let (ty, flags, m) = one.messages().nth(i).unwrap();
        let w = &want[seq - 1];
        assert_eq!(
            netplumb::wire::hex::format(&m.to_vec().unwrap()),
            netplumb::wire::hex::format(&w.2),
            "seq {seq}: {r}"
        );
        assert_eq!((ty, flags), (w.0, w.1), "seq {seq}");
    }
}

#[test]
fn the_ready_made_operations_make_nfts_messages() {
    let ports = PublishedPorts::new(vec![
        PortMapping::new(Proto::Tcp, 8080, ip("198.18.0.2"), 80),
        PortMapping::new(Proto::Udp, 5000, ip("198.18.0.3"), 53)
            .host_addr(ip("198.18.1.1"))
            .host_ports(5000..=5010),
        PortMapping::new(Proto::Tcp, 8443, ip("2001:db8::2"), 443),
        PortMapping::new(Proto::Udp, 5353, ip("198.18.0.3"), 53).host_addr(ip("198.18.1.1")),
        PortMapping::new(Proto::Tcp, 8081, ip("198.18.0.2"), 80),
    ]);
    fn made<O: TableOp>(op: &O, name: &str) -> (Transaction, String) {
        (op.transaction(name).unwrap(), op.script(name).unwrap())
    }
    let cases = [
        (
            "request_op_masquerade.hex",
            made(&Masquerade::new(net("198.18.0.0/24"), "br0"), "np-masq"),
        ),
        ("request_op_ports.hex", made(&ports, "np-ports")),
        (
            "request_op_isolation.hex",
            made(
                &Isolation::new().between("br0", "br1").no_inter_port("br0"),
                "np-iso",
            ),
        ),
        (
            "request_op_dhcp.hex",
            made(&DhcpFilter::new("veth0", "tap0"), "np-dhcp"),
        ),
    ];
    for (fixture, (tx, text)) in cases {
        assert_eq!(
            text.lines().collect::<Vec<_>>(),
            script(fixture),
            "{fixture}: script"
        );
        assert_same(&tx, fixture);
    }
}
