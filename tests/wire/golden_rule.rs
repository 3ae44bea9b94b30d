//! Golden tests for the FIB-rule codec: real kernel dumps and real `ip rule` requests
//! (tests/fixtures/rule/*.hex, captured by tests/fixtures/capture_rule.py in a throwaway
//! namespace) decode to the expected values and re-encode to the same bytes; every prefix is
//! refused; property tests through the datagram dispatcher.

use crate::common;
use common::golden::{
    assert_every_prefix_fails, assert_wrong_sizes_named, check_emit_parse, check_in_datagram,
    check_reparse, decode_reply, encode,
};
use common::ip;
use netplumb::wire::message::Payload;
use netplumb::wire::nlmsg::{NLMSG_DONE, NLMSG_HDR_LEN, RTM_DELRULE, RTM_GETRULE, RTM_NEWRULE};
use netplumb::wire::route::RouteProtocol;
use netplumb::wire::rule::*;
use netplumb::wire::{Emit, NlmsgFlags, NlmsgHeader, UnknownAttr};
use proptest::prelude::*;

const AF_INET: u8 = libc::AF_INET as u8;
const AF_INET6: u8 = libc::AF_INET6 as u8;

const FIXTURES: &[&str] = &[
    "dump_inet",
    "dump_inet6",
    "request_add_from",
    "request_add_selectors",
    "request_add_flow",
    "request_add_suppress",
    "request_add_goto",
    "request_add_blackhole",
    "request_add_l3mdev",
    "request_add_inet6",
    "request_add_inet6_prohibit",
    "request_del_pref",
    "request_del_from",
    "request_dump",
];

fn fixture(name: &str) -> Vec<u8> {
    common::golden::fixture(&format!("rule/{name}.hex"))
}

fn rules(name: &str) -> Vec<(NlmsgHeader, RuleMessage)> {
    let bytes = fixture(name);
    decode_reply(&bytes)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .into_iter()
        .filter_map(|m| match m.payload {
            Payload::Rule(r) => Some((m.header, r)),
            _ => None,
        })
        .collect()
}

fn only(name: &str) -> (NlmsgHeader, RuleMessage) {
    let mut r = rules(name);
    assert_eq!(r.len(), 1, "{name}");
    r.remove(0)
}

/// The rule of priority `prio` (`None`: the one without `FRA_PRIORITY`, priority 0).
fn by_priority(rs: &[(NlmsgHeader, RuleMessage)], prio: Option<u32>) -> &RuleMessage {
    rs.iter()
        .map(|(_, r)| r)
        .find(|r| r.priority() == prio)
        .unwrap_or_else(|| panic!("no rule of priority {prio:?}"))
}

#[test]
fn every_fixture_reencodes_to_the_same_bytes() {
    for name in FIXTURES {
        let bytes = fixture(name);
        let decoded = decode_reply(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(encode(&decoded), bytes, "{name}");
        let mut n = 0;
        for d in &decoded {
            if let Payload::Rule(r) = &d.payload {
                n += 1;
                assert_eq!(
                    r.buffer_len() + NLMSG_HDR_LEN,
                    d.header.length as usize,
                    "{name}"
                );
                // The zero-copy view and the owned form agree.
                let bytes = r.to_vec().unwrap();
                let view = RuleMessageBuffer::new_checked(&bytes[..]).unwrap();
                assert_eq!(view.header(), r.header);
                assert_eq!(view.attrs().count(), r.attrs.len());
                // Every attribute the kernel or ip wrote is typed.
                assert!(
                    !r.attrs.iter().any(|a| matches!(a, RuleAttr::Unknown(_))),
                    "{name}: {r:?}"
                );
            }
        }
        assert!(n > 0, "{name} has no rule message");
    }
}

#[test]
fn every_prefix_of_every_fixture_is_an_error() {
    for name in FIXTURES {
        assert_every_prefix_fails(name, &fixture(name));
    }
}

#[test]
fn the_inet_dump_holds_every_selector_and_action() {
    let rs = rules("dump_inet");
    assert_eq!(rs.len(), 15);
    for (h, r) in &rs {
        assert_eq!(h.message_type, RTM_NEWRULE);
        assert!(h.flags.contains(NlmsgFlags::MULTI));
        assert_eq!(r.header.family, AF_INET);
        assert_eq!(
            r.attrs[0].kind(),
            FRA_TABLE,
            "the kernel writes FRA_TABLE first"
        );
    }
    let bytes = fixture("dump_inet");
    let last = decode_reply(&bytes).unwrap().pop().unwrap();
    assert_eq!(last.header.message_type, NLMSG_DONE);

    // The built-in rules: priority 0 has no FRA_PRIORITY.
    let local = by_priority(&rs, None);
    assert_eq!((local.table(), local.header.table), (255, 255));
    assert_eq!(local.protocol(), Some(RouteProtocol::KERNEL));
    assert_eq!(local.header.action, RuleAction::TO_TBL);
    assert_eq!(local.suppress_prefixlen(), None, "-1: not set");
    assert!(
        local
            .attrs
            .contains(&RuleAttr::SuppressPrefixLen(FIB_RULE_NOT_SET))
    );
    assert_eq!(by_priority(&rs, Some(32766)).table(), 254);
    assert_eq!(by_priority(&rs, Some(32767)).table(), 253);

    // ip rule add from 198.18.1.0/24 table 100: the kernel gave it 32765.
    let r = by_priority(&rs, Some(32765));
    assert_eq!(r.source(), Some((ip("198.18.1.0"), 24)));
    assert_eq!((r.table(), r.destination()), (100, None));
    assert_eq!(r.protocol(), Some(RouteProtocol::UNSPEC));

    // not to 198.18.2.0/24 tos 0x10 fwmark 0x10/0xff iif veth0 oif veth1 pref 1000 table 1000
    let r = by_priority(&rs, Some(1000));
    assert_eq!(r.header.flags, RuleFlags::INVERT);
    assert_eq!(r.destination(), Some((ip("198.18.2.0"), 24)));
    assert_eq!(r.header.tos, 0x10);
    assert_eq!((r.fwmark(), r.fwmask()), (Some(0x10), Some(0xff)));
    assert_eq!((r.iif_name(), r.oif_name()), (Some("veth0"), Some("veth1")));
    assert_eq!(
        u32::from(r.header.table),
        252,
        "RT_TABLE_COMPAT for a table above 255"
    );
    assert_eq!(r.table(), 1000);

    // uidrange 100-200 ipproto tcp sport 1000-2000 dport 80 tun_id 42 protocol static
    let r = by_priority(&rs, Some(1001));
    assert_eq!(
        r.uid_range(),
        Some(UidRange {
            start: 100,
            end: 200
        })
    );
    assert_eq!(r.ip_proto(), Some(6));
    assert_eq!(
        r.sport(),
        Some(PortRange {
            start: 1000,
            end: 2000
        })
    );
    assert_eq!(r.dport(), Some(PortRange::single(80)));
    assert_eq!(r.tun_id(), Some(42));
    assert_eq!(r.protocol(), Some(RouteProtocol::STATIC));

    // table 102 suppress_prefixlength 0 suppress_ifgroup 5 realms 3/4
    let r = by_priority(&rs, Some(1002));
    assert_eq!(
        (r.suppress_prefixlen(), r.suppress_ifgroup()),
        (Some(0), Some(5))
    );
    assert_eq!(r.flow(), Some(3 << 16 | 4));

    // goto 1006 (resolved) and goto 5000 (no such rule: unresolved).
    let r = by_priority(&rs, Some(1003));
    assert_eq!(
        (r.header.action, r.goto_target()),
        (RuleAction::GOTO, Some(1006))
    );
    assert_eq!(r.header.flags, RuleFlags::empty());
    let r = by_priority(&rs, Some(1004));
    assert_eq!(r.goto_target(), Some(5000));
    assert_eq!(r.header.flags, RuleFlags::UNRESOLVED);

    for (prio, action) in [
        (1005, RuleAction::NOP),
        (1006, RuleAction::BLACKHOLE),
        (1007, RuleAction::UNREACHABLE),
        (1008, RuleAction::PROHIBIT),
    ] {
        let r = by_priority(&rs, Some(prio));
        assert_eq!((r.header.action, r.table()), (action, 0), "{prio}");
    }
    let r = by_priority(&rs, Some(1009));
    assert!(r.l3mdev());
    // iif nosuch0: the kernel keeps the name and flags the rule detached.
    let r = by_priority(&rs, Some(1010));
    assert_eq!(r.iif_name(), Some("nosuch0"));
    assert_eq!(r.header.flags, RuleFlags::IIF_DETACHED);
}

#[test]
fn the_inet6_dump() {
    let rs = rules("dump_inet6");
    assert_eq!(rs.len(), 6);
    assert!(rs.iter().all(|(_, r)| r.header.family == AF_INET6));
    let r = by_priority(&rs, Some(2000));
    assert_eq!(r.source(), Some((ip("2001:db8:1::"), 64)));
    assert_eq!(r.destination(), Some((ip("2001:db8:2::"), 64)));
    assert_eq!((r.header.tos, r.table()), (0x10, 200));
    let r = by_priority(&rs, Some(2001));
    assert_eq!(r.header.flags, RuleFlags::INVERT);
    assert_eq!((r.fwmark(), r.fwmask()), (Some(7), Some(u32::MAX)));
    assert_eq!((r.iif_name(), r.ip_proto()), (Some("veth0"), Some(17)));
    assert_eq!(r.dport(), Some(PortRange::single(53)));
    let r = by_priority(&rs, Some(2002));
    assert_eq!(r.header.action, RuleAction::PROHIBIT);
    assert_eq!(r.uid_range(), Some(UidRange { start: 0, end: 10 }));
    assert_eq!(
        r.sport(),
        Some(PortRange {
            start: 1,
            end: 1024
        })
    );
    // `ip -6 rule add table 202` had no priority: the kernel took the one before 2000.
    assert_eq!(by_priority(&rs, Some(1999)).table(), 202);
}

#[test]
fn requests_ip_sends() {
    let create = NlmsgFlags::REQUEST | NlmsgFlags::ACK | NlmsgFlags::CREATE | NlmsgFlags::EXCL;
    // ip rule add from 198.18.1.0/24 table 100: action to_tbl, table in the header, no
    // FRA_TABLE and no priority.
    let (h, r) = only("request_add_from");
    assert_eq!((h.message_type, h.flags), (RTM_NEWRULE, create));
    assert_eq!(
        r,
        RuleMessage::new(RuleHeader {
            src_len: 24,
            table: 100,
            action: RuleAction::TO_TBL,
            ..RuleHeader::new(AF_INET)
        })
        .with(RuleAttr::Source(ip("198.18.1.0")))
    );
    // A table above 255 goes in FRA_TABLE, the header's table 0.
    let (_, r) = only("request_add_selectors");
    assert_eq!((r.header.table, r.table()), (0, 1000));
    assert_eq!(r.header.flags, RuleFlags::INVERT);
    // Actions other than to_tbl leave the table 0.
    let (_, r) = only("request_add_blackhole");
    assert_eq!(
        (r.header.action, r.header.table),
        (RuleAction::BLACKHOLE, 0)
    );
    let (_, r) = only("request_add_goto");
    assert_eq!(
        (r.header.action, r.goto_target()),
        (RuleAction::GOTO, Some(1006))
    );
    let (_, r) = only("request_add_l3mdev");
    assert_eq!((r.header.table, r.l3mdev()), (0, true));
    let (_, r) = only("request_add_inet6");
    assert_eq!((r.header.family, r.header.tos), (AF_INET6, 0x10));
    // Deletes: RTM_DELRULE, no CREATE/EXCL, action unspec, table 0 unless given.
    let (h, r) = only("request_del_pref");
    assert_eq!(
        (h.message_type, h.flags),
        (RTM_DELRULE, NlmsgFlags::REQUEST | NlmsgFlags::ACK)
    );
    assert_eq!(
        r,
        RuleMessage::new(RuleHeader::new(AF_INET)).with(RuleAttr::Priority(1000))
    );
    let (_, r) = only("request_del_from");
    assert_eq!((r.header.action, r.header.table), (RuleAction::UNSPEC, 100));
    // The dump request: family in the header, nothing else.
    let (h, r) = only("request_dump");
    assert_eq!(
        (h.message_type, h.flags),
        (RTM_GETRULE, NlmsgFlags::REQUEST | NlmsgFlags::DUMP)
    );
    assert_eq!(r, RuleMessage::new(RuleHeader::new(AF_INET)));
}

#[test]
fn wrong_sizes_name_the_attribute() {
    let header = [AF_INET, 0, 0, 0, 254, 0, 0, 1, 0, 0, 0, 0];
    assert_wrong_sizes_named(
        RuleMessage::parse,
        &header,
        &[
            (FRA_SRC, 3, "FRA_SRC"),
            (FRA_PRIORITY, 2, "FRA_PRIORITY"),
            (FRA_TUN_ID, 12, "FRA_TUN_ID"),
            (FRA_UID_RANGE, 16, "FRA_UID_RANGE"),
            (FRA_SPORT_RANGE, 2, "FRA_SPORT_RANGE"),
            (FRA_IIFNAME, 0, "FRA_IIFNAME"),
        ],
    );
}

// ---- property tests -----------------------------------------------------------------------

fn any_attr() -> impl Strategy<Value = RuleAttr> {
    let range = (any::<u16>(), any::<u16>()).prop_map(|(start, end)| PortRange { start, end });
    prop_oneof![
        common::golden::any_ip().prop_map(RuleAttr::Source),
        common::golden::any_ip().prop_map(RuleAttr::Destination),
        "[a-z0-9]{1,15}".prop_map(RuleAttr::IifName),
        "[a-z0-9]{1,15}".prop_map(RuleAttr::OifName),
        any::<u32>().prop_map(RuleAttr::Priority),
        any::<u32>().prop_map(RuleAttr::Table),
        any::<u32>().prop_map(RuleAttr::FwMark),
        any::<u64>().prop_map(RuleAttr::TunId),
        any::<u8>().prop_map(|p| RuleAttr::Protocol(RouteProtocol(p))),
        (any::<u32>(), any::<u32>())
            .prop_map(|(start, end)| RuleAttr::UidRange(UidRange { start, end })),
        range.prop_map(RuleAttr::DestinationPortRange),
        (31u16..0x4000, proptest::collection::vec(any::<u8>(), 0..12))
            .prop_map(|(kind, value)| RuleAttr::Unknown(UnknownAttr { kind, value })),
    ]
}

proptest! {
    #[test]
    fn any_message_round_trips_alone_and_in_a_datagram(
        h in any::<[u8; 6]>(),
        flags in any::<u32>(),
        attrs in proptest::collection::vec(any_attr(), 0..6),
    ) {
        let m = RuleMessage {
            header: RuleHeader {
                family: h[0],
                dst_len: h[1],
                src_len: h[2],
                tos: h[3],
                table: h[4],
                action: RuleAction(h[5]),
                flags: RuleFlags::from_bits_retain(flags),
            },
            attrs,
        };
        check_emit_parse(&m, RuleMessage::parse)?;
        check_in_datagram(RTM_NEWRULE, 7, &m, &Payload::Rule(m.clone()))?;
        check_in_datagram(RTM_DELRULE, 8, &m, &Payload::Rule(m.clone()))?;
    }

    #[test]
    fn any_bytes_decode_or_fail_and_re_encode_stably(
        p in proptest::collection::vec(any::<u8>(), 0..96),
    ) {
        check_reparse(&p, RuleMessage::parse)?;
    }
}
