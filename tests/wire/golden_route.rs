//! Golden tests for the ROUTE family codec: real kernel replies and real `ip` requests
//! (tests/fixtures/route/*.hex, captured by tests/fixtures/capture_route.py in a throwaway
//! namespace) decode to the expected values and re-encode to the same bytes.

use crate::common;
use common::golden::{assert_every_prefix_fails, decode_reply, encode};
use netplumb::wire::message::Payload;
use netplumb::wire::nlmsg::{NLMSG_HDR_LEN, RTM_GETROUTE, RTM_NEWROUTE};
use netplumb::wire::route::*;
use netplumb::wire::{Emit, NlmsgFlags, NlmsgHeader, hex};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

const FIXTURES: &[&str] = &[
    "dump_inet",
    "dump_inet6",
    "dump_inet_table200",
    "get_inet",
    "get_inet6",
    "get_inet_flow",
    "request_add_metrics",
    "request_add_multipath",
    "request_add_multipath6",
    "request_add_encap",
    "request_get_flow",
];

fn fixture(name: &str) -> Vec<u8> {
    common::golden::fixture(&format!("route/{name}.hex"))
}

fn v4(s: &str) -> IpAddr {
    IpAddr::V4(s.parse::<Ipv4Addr>().unwrap())
}
fn v6(s: &str) -> IpAddr {
    IpAddr::V6(s.parse::<Ipv6Addr>().unwrap())
}

fn routes(name: &str) -> Vec<(NlmsgHeader, RouteMessage)> {
    let bytes = fixture(name);
    decode_reply(&bytes)
        .unwrap()
        .into_iter()
        .filter_map(|m| match m.payload {
            Payload::Route(r) => Some((m.header, r)),
            _ => None,
        })
        .collect()
}

fn only_route(name: &str) -> (NlmsgHeader, RouteMessage) {
    let mut r = routes(name);
    assert_eq!(r.len(), 1, "{name}");
    r.remove(0)
}

fn find(rs: &[(NlmsgHeader, RouteMessage)], dst: IpAddr, len: u8, table: u32) -> &RouteMessage {
    rs.iter()
        .map(|(_, r)| r)
        .find(|r| r.destination() == Some((dst, len)) && r.table() == table)
        .unwrap_or_else(|| panic!("no route {dst}/{len} in table {table}"))
}

/// `ip` leaves stale bytes in some attribute padding (see the fixture's comments); the
/// decoder ignores them and the encoder writes zeros, so the comparison zeroes them first.
fn known_nonzero_padding(name: &str) -> &'static [usize] {
    match name {
        // RTA_ENCAP_TYPE's value ends at 66; ip wrote 01 00 as its padding.
        "request_add_encap" => &[66],
        _ => &[],
    }
}

#[test]
fn every_fixture_reencodes_to_the_same_bytes() {
    for name in FIXTURES {
        let bytes = fixture(name);
        let decoded = decode_reply(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut expected = bytes.clone();
        for &at in known_nonzero_padding(name) {
            assert_ne!(expected[at], 0, "{name}: padding at {at} is already zero");
            expected[at] = 0;
        }
        assert_eq!(
            hex::format(&encode(&decoded)),
            hex::format(&expected),
            "{name}"
        );
        // Each payload's own buffer_len and emit agree with the header's nlmsg_len.
        for d in &decoded {
            if let Payload::Route(r) = &d.payload {
                assert_eq!(
                    r.buffer_len() + NLMSG_HDR_LEN,
                    d.header.length as usize,
                    "{name}"
                );
                let bytes = r.to_vec().unwrap();
                assert_eq!(bytes.len(), r.buffer_len());
                // The zero-copy view and the owned form agree.
                let view = RouteMessageBuffer::new_checked(&bytes[..]).unwrap();
                assert_eq!(view.header(), r.header);
                assert_eq!(view.attrs().count(), r.attrs.len());
            }
        }
    }
}

#[test]
fn every_prefix_of_every_fixture_is_an_error() {
    for name in FIXTURES {
        assert_every_prefix_fails(name, &fixture(name));
    }
}

#[test]
fn dump_inet_values() {
    let rs = routes("dump_inet");
    assert_eq!(rs.len(), 15);
    for (h, r) in &rs {
        assert_eq!(h.message_type, RTM_NEWROUTE);
        assert!(h.flags.contains(NlmsgFlags::MULTI));
        assert_eq!(r.header.family, 2);
    }

    let r = find(&rs, v4("198.18.5.0"), 24, RT_TABLE_MAIN);
    assert_eq!(r.header.kind, RouteType::UNICAST);
    assert_eq!(r.header.protocol, RouteProtocol::BOOT);
    assert_eq!(r.header.scope, RouteScope::UNIVERSE);
    assert_eq!(r.gateway(), Some(v4("198.18.0.254")));
    assert_eq!(r.priority(), Some(50));
    assert_eq!(r.oif(), Some(3));
    assert_eq!(r.mtu(), Some(1400));
    assert_eq!(
        r.metrics(),
        Some(&[RouteMetric::Mtu(1400), RouteMetric::AdvMss(1360)][..])
    );

    // Table 1000 does not fit rtm_table: the kernel says RT_TABLE_COMPAT there and the
    // full id in RTA_TABLE.
    let r = find(&rs, v4("0.0.0.0"), 0, 1000);
    assert_eq!(u32::from(r.header.table), RT_TABLE_COMPAT);
    assert_eq!(r.gateway(), Some(v4("198.18.0.254")));
    assert!(
        !r.attrs
            .iter()
            .any(|a| matches!(a, RouteAttr::Destination(_)))
    );

    for (dst, kind) in [
        ("198.18.6.0", RouteType::BLACKHOLE),
        ("198.18.7.0", RouteType::UNREACHABLE),
        ("198.18.8.0", RouteType::PROHIBIT),
    ] {
        let r = find(&rs, v4(dst), 24, RT_TABLE_MAIN);
        assert_eq!(r.header.kind, kind, "{dst}");
        assert_eq!(r.gateway(), None);
        assert_eq!(r.oif(), None);
    }
    assert_eq!(
        find(&rs, v4("198.18.9.0"), 24, 100).header.kind,
        RouteType::THROW
    );

    let r = find(&rs, v4("198.18.10.0"), 24, RT_TABLE_MAIN);
    let hops = r.multipath().unwrap();
    assert_eq!(hops.len(), 2);
    assert_eq!(hops[0].gateway(), Some(v4("198.18.0.2")));
    assert_eq!(hops[0].weight(), 1);
    assert_eq!(hops[0].ifindex, 3);
    assert_eq!(hops[1].gateway(), Some(v4("198.18.0.3")));
    assert_eq!(hops[1].weight(), 3);
    assert_eq!(hops[1].hops, 2);
    assert_eq!(r.gateway(), None);

    let r = find(&rs, v4("198.18.11.0"), 24, RT_TABLE_MAIN);
    assert!(r.header.flags.contains(RouteFlags::ONLINK));
    assert_eq!(r.gateway(), Some(v4("198.18.0.5")));

    let r = find(&rs, v4("198.18.12.0"), 24, RT_TABLE_MAIN);
    assert_eq!(r.header.protocol, RouteProtocol::STATIC);
    assert_eq!(r.header.scope, RouteScope::LINK);
    assert_eq!(r.prefsrc(), Some(v4("198.18.0.1")));
    assert_eq!(
        r.metrics(),
        Some(&[RouteMetric::CcAlgo("cubic".into())][..])
    );

    let r = find(&rs, v4("198.18.0.0"), 24, RT_TABLE_MAIN);
    assert_eq!(r.header.protocol, RouteProtocol::KERNEL);
    assert_eq!(r.header.scope, RouteScope::LINK);

    let r = find(&rs, v4("198.18.0.1"), 32, RT_TABLE_LOCAL);
    assert_eq!(r.header.kind, RouteType::LOCAL);
    assert_eq!(r.header.scope, RouteScope::HOST);
    let r = find(&rs, v4("198.18.0.255"), 32, RT_TABLE_LOCAL);
    assert_eq!(r.header.kind, RouteType::BROADCAST);
    assert_eq!(r.header.scope, RouteScope::LINK);
}

#[test]
fn dump_inet6_values() {
    let rs = routes("dump_inet6");
    assert_eq!(rs.len(), 9);
    for (_, r) in &rs {
        assert_eq!(r.header.family, 10);
        assert!(r.cache_info().is_some());
        assert!(r.pref().is_some());
    }

    let r = find(&rs, v6("2001:db8:5::"), 64, RT_TABLE_MAIN);
    assert_eq!(r.pref(), Some(RoutePref::HIGH));
    assert_eq!(r.gateway(), Some(v6("2001:db8::ff")));
    assert_eq!(r.priority(), Some(1024));

    let r = find(&rs, v6("2001:db8:6::"), 64, RT_TABLE_MAIN);
    assert_eq!(r.pref(), Some(RoutePref::MEDIUM));
    let hops = r.multipath().unwrap();
    let summary: Vec<_> = hops
        .iter()
        .map(|h| (h.gateway().unwrap(), h.weight(), h.ifindex))
        .collect();
    assert_eq!(
        summary,
        [(v6("2001:db8::2"), 2, 3), (v6("2001:db8::3"), 1, 3)]
    );

    let r = find(&rs, v6("2001:db8::"), 64, RT_TABLE_MAIN);
    assert_eq!(r.header.protocol, RouteProtocol::KERNEL);
    assert_eq!(r.priority(), Some(256));

    let r = find(&rs, v6("2001:db8::1"), 128, RT_TABLE_LOCAL);
    assert_eq!(r.header.kind, RouteType::LOCAL);
    assert_eq!(
        find(&rs, v6("ff00::"), 8, RT_TABLE_LOCAL).header.kind,
        RouteType::MULTICAST
    );
}

#[test]
fn dump_table200_values() {
    let rs = routes("dump_inet_table200");
    assert_eq!(rs.len(), 6);
    assert!(
        rs.iter()
            .all(|(h, r)| r.table() == 200 && h.flags.contains(NlmsgFlags::DUMP_FILTERED))
    );

    let r = find(&rs, v4("198.18.13.0"), 24, 200);
    assert_eq!(
        r.via(),
        Some(&RouteVia::Inet6("2001:db8::ff".parse().unwrap()))
    );
    assert_eq!(r.via().unwrap().ip(), Some(v6("2001:db8::ff")));

    let r = find(&rs, v4("198.18.14.0"), 24, 200);
    assert!(r.attrs.contains(&RouteAttr::EncapType(2))); // LWTUNNEL_ENCAP_IP
    let encap = r.attrs.iter().find_map(|a| match a {
        RouteAttr::Encap { nested, value } => Some((*nested, value.len())),
        _ => None,
    });
    assert_eq!(encap, Some((false, 52)));

    assert!(
        find(&rs, v4("198.18.15.0"), 24, 200)
            .attrs
            .contains(&RouteAttr::Flow(5))
    );
    assert_eq!(find(&rs, v4("198.18.16.0"), 24, 200).nexthop_id(), Some(10));

    let hops = find(&rs, v4("198.18.17.0"), 24, 200).multipath().unwrap();
    assert_eq!(hops[0].gateway(), Some(v4("198.18.0.2")));
    assert_eq!(hops[0].flow(), Some(7));
    assert_eq!(hops[1].gateway(), None);
    assert_eq!(
        hops[1].via_attr().and_then(RouteVia::ip),
        Some(v6("2001:db8::2"))
    );
    assert_eq!(hops[1].weight(), 4);

    let r = find(&rs, v4("198.18.18.0"), 24, 200);
    use RouteMetric::*;
    let locked = 1 << RTAX_MTU | 1 << RTAX_RTO_MIN | 1 << RTAX_CC_ALGO;
    assert_eq!(
        r.metrics().unwrap(),
        [
            Lock(locked),
            Mtu(1300),
            Window(1000),
            Rtt(10),
            RttVar(5),
            Ssthresh(100),
            Cwnd(10),
            Reordering(3),
            HopLimit(64),
            InitCwnd(10),
            Features(RTAX_FEATURE_ECN),
            RtoMin(200),
            InitRwnd(20),
            QuickAck(1),
            CcAlgo("cubic".into()),
            FastopenNoCookie(1),
        ]
    );
}

#[test]
fn route_get_replies() {
    let (h, r) = only_route("get_inet");
    assert_eq!(h.flags, NlmsgFlags::empty());
    assert!(r.header.flags.contains(RouteFlags::CLONED));
    assert_eq!(r.destination(), Some((v4("198.18.5.7"), 32)));
    assert_eq!(r.gateway(), Some(v4("198.18.0.254")));
    assert_eq!(r.prefsrc(), Some(v4("198.18.0.1")));
    assert_eq!(r.table(), RT_TABLE_MAIN);
    assert_eq!(r.mtu(), Some(1400));
    assert!(r.attrs.contains(&RouteAttr::Uid(0)));
    assert_eq!(r.cache_info().map(|c| c.expires), Some(0));

    let (_, r) = only_route("get_inet6");
    assert_eq!(r.destination(), Some((v6("2001:db8:5::7"), 128)));
    assert_eq!(r.source(), Some((v6("::"), 128)));
    assert_eq!(r.pref(), Some(RoutePref::HIGH));
    assert_eq!(r.priority(), Some(1024));
    assert_eq!(r.prefsrc(), Some(v6("2001:db8::1")));

    let (_, r) = only_route("get_inet_flow");
    assert!(r.attrs.contains(&RouteAttr::Mark(7)));
    assert!(r.attrs.contains(&RouteAttr::Uid(5)));
}

#[test]
fn ip_requests() {
    let (h, r) = only_route("request_get_flow");
    assert_eq!(h.message_type, RTM_GETROUTE);
    assert!(r.header.flags.contains(RouteFlags::LOOKUP_TABLE));
    assert_eq!(
        r.attrs[1..],
        [
            RouteAttr::IpProto(6),
            RouteAttr::SourcePort(1000),
            RouteAttr::DestinationPort(80),
            RouteAttr::Uid(5),
            RouteAttr::Mark(7),
        ]
    );

    let new_flags = NlmsgFlags::REQUEST | NlmsgFlags::ACK | NlmsgFlags::EXCL | NlmsgFlags::CREATE;

    // What `ip route add 198.18.5.0/24 via 198.18.0.254 metric 50 mtu 1400 advmss 1360`
    // sends, rebuilt with the constructors.
    let (h, r) = only_route("request_add_metrics");
    assert_eq!((h.message_type, h.flags), (RTM_NEWROUTE, new_flags));
    let built = RouteMessage::unicast(v4("198.18.5.0"), 24)
        .with_gateway(v4("198.18.0.254"))
        .with_priority(50)
        .with_attr(RouteAttr::Metrics(vec![
            RouteMetric::Mtu(1400),
            RouteMetric::AdvMss(1360),
        ]));
    assert_eq!(r, built);

    let (_, r) = only_route("request_add_multipath");
    let built = RouteMessage::unicast(v4("198.18.10.0"), 24).with_attr(RouteAttr::Multipath(vec![
        NextHop::via(v4("198.18.0.2"), 0, 1),
        NextHop::via(v4("198.18.0.3"), 0, 3),
    ]));
    assert_eq!(r, built);

    let (_, r) = only_route("request_add_multipath6");
    let built =
        RouteMessage::unicast(v6("2001:db8:6::"), 64).with_attr(RouteAttr::Multipath(vec![
            NextHop::via(v6("2001:db8::2"), 3, 2),
            NextHop::via(v6("2001:db8::3"), 3, 1),
        ]));
    assert_eq!(r, built);

    let (_, r) = only_route("request_add_encap");
    assert_eq!(r.table(), 200);
    assert_eq!(r.header.scope, RouteScope::LINK);
    assert!(
        matches!(r.attrs[1], RouteAttr::Encap { nested: true, ref value } if value.len() == 20)
    );
    assert_eq!(r.attrs[2], RouteAttr::EncapType(2));
}
