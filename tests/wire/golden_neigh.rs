//! Neighbour codec: kernel-captured fixtures (ARP, NDP, proxy, bridge and VXLAN FDB) decoded
//! and re-encoded, every prefix rejected, malformed payloads, and property tests.

use crate::common;
use common::golden::{
    any_ip, assert_every_prefix_fails, assert_wrong_sizes_named, check_emit_parse,
    check_in_datagram, check_reparse, decode_reply, encode,
};
use common::ip;
use netplumb::wire::message::{Message, Payload};
use netplumb::wire::neigh::*;
use netplumb::wire::nlmsg::RTM_NEWNEIGH;
use netplumb::wire::{
    Builder, DecodeError, Emit, NlmsgFlags, UnknownAttr,
    attr::{NLA_F_NESTED, NLA_F_NET_BYTEORDER},
};
use proptest::prelude::*;

fn fixture(name: &str) -> Vec<u8> {
    common::golden::fixture(&format!("neigh/{name}"))
}

/// `RTN_UNICAST` and `RTN_MULTICAST` (linux/rtnetlink.h), the `ndm_type`s the kernel reports.
const RTN_UNICAST: u8 = 1;
const RTN_MULTICAST: u8 = 5;

fn neighbours<'m>(msgs: &'m [Message<'_>]) -> Vec<&'m NeighMessage> {
    msgs.iter()
        .filter_map(|m| match &m.payload {
            Payload::Neigh(n) => Some(n),
            _ => None,
        })
        .collect()
}

const FIXTURES: &[&str] = &[
    "dump_inet.hex",
    "dump_inet6.hex",
    "dump_inet_proxy.hex",
    "dump_bridge.hex",
    "request_replace_permanent.hex",
    "request_add_proxy.hex",
    "request_fdb_append_vxlan.hex",
    "request_fdb_append_vxlan_port_vni.hex",
];

#[test]
fn every_fixture_re_encodes_to_identical_bytes() {
    for name in FIXTURES {
        let d = fixture(name);
        let msgs = decode_reply(&d).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(encode(&msgs), d, "{name}");
        for m in neighbours(&msgs) {
            let bytes = m.to_vec().unwrap();
            assert_eq!(bytes.len(), m.buffer_len(), "{name}");
            let view = NeighMessageBuffer::new_checked(&bytes[..]).unwrap();
            assert_eq!(view.header(), m.header);
            assert_eq!(view.attrs().count(), m.attrs.len());
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
fn arp_dump() {
    let d = fixture("dump_inet.hex");
    let msgs = decode_reply(&d).unwrap();
    let n = neighbours(&msgs);
    assert_eq!(n.len(), 1);
    // ip neigh replace 198.18.0.9 lladdr 02:00:00:00:00:09 dev veth0 nud permanent
    assert_eq!(n[0].header.family, 2);
    assert_eq!(n[0].header.ifindex, 3);
    assert_eq!(n[0].header.state, NeighState::PERMANENT);
    assert_eq!(n[0].header.flags, NeighFlags::empty());
    assert_eq!(n[0].header.kind, RTN_UNICAST);
    assert_eq!(n[0].destination(), Some(ip("198.18.0.9")));
    assert_eq!(n[0].mac(), Some([2, 0, 0, 0, 0, 9]));
    assert!(n[0].attrs.contains(&NeighAttr::Probes(0)));
    let ci = n[0].cacheinfo().unwrap();
    assert_eq!(ci.refcnt, 0);
    assert_eq!((ci.confirmed, ci.used), (ci.updated, ci.updated));
}

#[test]
fn ndp_dump() {
    let d = fixture("dump_inet6.hex");
    let msgs = decode_reply(&d).unwrap();
    let n = neighbours(&msgs);
    assert_eq!(n.len(), 2);
    // The kernel's own entry for the MLDv2 routers group.
    assert_eq!(n[0].header.family, 10);
    assert_eq!(n[0].header.state, NeighState::NOARP);
    assert_eq!(n[0].header.kind, RTN_MULTICAST);
    assert_eq!(n[0].destination(), Some(ip("ff02::16")));
    assert_eq!(n[0].mac(), Some([0x33, 0x33, 0, 0, 0, 0x16]));
    // ip neigh add 2001:db8::9 lladdr 02:00:00:00:00:0a dev veth0 nud stale
    assert_eq!(n[1].header.ifindex, 3);
    assert_eq!(n[1].header.state, NeighState::STALE);
    assert_eq!(n[1].header.kind, RTN_UNICAST);
    assert_eq!(n[1].destination(), Some(ip("2001:db8::9")));
    assert_eq!(n[1].lladdr(), Some(&[2, 0, 0, 0, 0, 0x0a][..]));
}

#[test]
fn proxy_dump() {
    let d = fixture("dump_inet_proxy.hex");
    let msgs = decode_reply(&d).unwrap();
    let n = neighbours(&msgs);
    // ip neigh add proxy 198.18.0.10 dev veth0
    assert_eq!(n.len(), 1);
    assert_eq!(n[0].header.flags, NeighFlags::PROXY);
    assert!(n[0].header.state.is_empty());
    assert_eq!(n[0].header.state, NeighState::NONE);
    assert_eq!(n[0].attrs, [NeighAttr::Destination(ip("198.18.0.10"))]);
    assert_eq!(n[0].lladdr(), None);
}

#[test]
fn bridge_fdb_dump() {
    let d = fixture("dump_bridge.hex");
    let msgs = decode_reply(&d).unwrap();
    let n = neighbours(&msgs);
    assert_eq!(n.len(), 10);
    assert!(n.iter().all(|m| m.header.family == AF_BRIDGE));

    // bridge fdb add 02:00:00:00:00:0b dev veth1 master static (veth1 = 2, br0 = 4)
    let s = n
        .iter()
        .find(|m| m.mac() == Some([2, 0, 0, 0, 0, 0x0b]))
        .unwrap();
    assert_eq!(s.header.ifindex, 2);
    assert_eq!(s.header.state, NeighState::NOARP);
    assert_eq!(s.master(), Some(4));
    assert!(s.attrs.contains(&NeighAttr::FlagsExt(0)));
    assert!(s.destination().is_none());

    // Multicast addresses on the devices' own tables.
    let own = n.iter().filter(|m| m.header.flags == NeighFlags::SELF);
    assert!(
        own.clone()
            .any(|m| m.header.ifindex == 3 && m.mac() == Some([0x33, 0x33, 0xff, 0, 0, 1]))
    );

    // bridge fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.0.50 (vx0 = 5)
    let vx: Vec<_> = n.iter().filter(|m| m.header.ifindex == 5).collect();
    assert_eq!(vx.len(), 2);
    for m in &vx {
        assert_eq!(m.header.state, NeighState::NOARP | NeighState::PERMANENT);
        assert_eq!(m.header.flags, NeighFlags::SELF);
        assert_eq!(m.header.kind, RTN_UNICAST);
        assert_eq!(m.mac(), Some([0; 6]));
    }
    assert_eq!(vx[0].destination(), Some(ip("198.18.0.50")));
    assert_eq!((vx[0].port(), vx[0].vni()), (None, None));
    // ... dst 198.18.0.51 port 4790 vni 43 via veth0
    assert_eq!(vx[1].destination(), Some(ip("198.18.0.51")));
    assert_eq!(vx[1].port(), Some(4790));
    assert_eq!(vx[1].vni(), Some(43));
    assert!(vx[1].attrs.contains(&NeighAttr::IfIndex(3)));
}

#[test]
fn requests_match_built_messages() {
    let cases: [(&str, NlmsgFlags, NeighMessage); 4] = [
        (
            "request_replace_permanent.hex",
            NlmsgFlags::REPLACE | NlmsgFlags::CREATE,
            NeighMessage::new(3, ip("198.18.0.9"), NeighState::PERMANENT)
                .with_lladdr(&[2, 0, 0, 0, 0, 9]),
        ),
        (
            "request_add_proxy.hex",
            NlmsgFlags::EXCL | NlmsgFlags::CREATE,
            {
                let mut m = NeighMessage::new(3, ip("198.18.0.10"), NeighState::PERMANENT);
                m.header.flags = NeighFlags::PROXY;
                m
            },
        ),
        (
            "request_fdb_append_vxlan.hex",
            NlmsgFlags::CREATE | NlmsgFlags::APPEND,
            NeighMessage::bridge_fdb(
                5,
                [0; 6],
                NeighState::NOARP | NeighState::PERMANENT,
                NeighFlags::SELF,
            )
            .with_attr(NeighAttr::Destination(ip("198.18.0.50"))),
        ),
        (
            "request_fdb_append_vxlan_port_vni.hex",
            NlmsgFlags::CREATE | NlmsgFlags::APPEND,
            NeighMessage::bridge_fdb(
                5,
                [0; 6],
                NeighState::NOARP | NeighState::PERMANENT,
                NeighFlags::SELF,
            )
            .with_attr(NeighAttr::Destination(ip("198.18.0.51")))
            .with_attr(NeighAttr::Port(4790))
            .with_attr(NeighAttr::Vni(43))
            .with_attr(NeighAttr::IfIndex(3)),
        ),
    ];
    for (name, flags, built) in cases {
        let d = fixture(name);
        let msgs = decode_reply(&d).unwrap();
        assert_eq!(msgs.len(), 1, "{name}");
        assert_eq!(msgs[0].header.message_type, RTM_NEWNEIGH);
        assert_eq!(
            msgs[0].header.flags,
            NlmsgFlags::REQUEST | NlmsgFlags::ACK | flags,
            "{name}"
        );
        assert_eq!(msgs[0].payload, Payload::Neigh(built.clone()), "{name}");
        assert_eq!(built.to_vec().unwrap(), d[16..], "{name}");
    }
}

#[test]
fn port_is_big_endian_on_the_wire() {
    let m = NeighMessage::default().with_attr(NeighAttr::Port(4789));
    assert_eq!(m.to_vec().unwrap()[12..], [6, 0, 6, 0, 0x12, 0xb5, 0, 0]);
}

#[test]
fn short_ndmsg_is_truncated() {
    for n in 0..NDMSG_LEN {
        let want = DecodeError::Truncated {
            what: "ndmsg",
            offset: 0,
            need: 12,
            have: n,
        };
        assert_eq!(NeighMessage::parse(&vec![7; n]), Err(want.clone()));
        assert_eq!(
            NeighMessageBuffer::new_checked(vec![7; n]).err(),
            Some(want)
        );
    }
    assert!(NeighMessage::parse(&[0; 12]).unwrap().attrs.is_empty());
}

/// `ndmsg`: AF_INET, ifindex 3, NUD_PERMANENT.
const HEADER: [u8; 12] = [2, 0, 0, 0, 3, 0, 0, 0, 0x80, 0, 0, 0];

fn payload_with(kind: u16, value: &[u8]) -> Vec<u8> {
    common::golden::payload_with(&HEADER, kind, value)
}

#[test]
fn wrong_sized_attributes_name_the_attribute() {
    let cases: &[(u16, usize, &str)] = &[
        (NDA_DST, 3, "NDA_DST"),
        (NDA_DST, 6, "NDA_DST"),
        (NDA_CACHEINFO, 15, "NDA_CACHEINFO"),
        (NDA_PROBES, 2, "NDA_PROBES"),
        (NDA_VLAN, 4, "NDA_VLAN"),
        (NDA_PORT, 4, "NDA_PORT"),
        (NDA_VNI, 3, "NDA_VNI"),
        (NDA_IFINDEX, 8, "NDA_IFINDEX"),
        (NDA_MASTER, 0, "NDA_MASTER"),
        (NDA_LINK_NETNSID, 2, "NDA_LINK_NETNSID"),
        (NDA_SRC_VNI, 1, "NDA_SRC_VNI"),
        (NDA_PROTOCOL, 4, "NDA_PROTOCOL"),
        (NDA_NH_ID, 5, "NDA_NH_ID"),
        (NDA_FLAGS_EXT, 2, "NDA_FLAGS_EXT"),
        (NDA_NDM_STATE_MASK, 4, "NDA_NDM_STATE_MASK"),
        (NDA_NDM_FLAGS_MASK, 2, "NDA_NDM_FLAGS_MASK"),
    ];
    assert_wrong_sizes_named(NeighMessage::parse, &HEADER, cases);
}

#[test]
fn dst_of_three_bytes_in_a_datagram_says_where() {
    let mut b = Builder::new();
    let p = payload_with(NDA_DST, &[198, 18, 0]);
    b.message(RTM_NEWNEIGH, NlmsgFlags::REQUEST, 1, 0, &p.as_slice())
        .unwrap();
    let e = decode_reply(b.as_bytes()).unwrap_err();
    assert!(
        matches!(
            e,
            DecodeError::BadAttr {
                name: "NDA_DST",
                offset: 28,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn lladdr_of_any_length_is_kept() {
    for len in [0usize, 4, 6, 16, 20] {
        let v: Vec<u8> = (0..len as u8).collect();
        let p = payload_with(NDA_LLADDR, &v);
        let m = NeighMessage::parse(&p).unwrap();
        assert_eq!(m.lladdr(), Some(&v[..]));
        assert_eq!(m.mac().is_some(), len == 6);
        assert_eq!(m.to_vec().unwrap(), p);
    }
}

#[test]
fn bad_nla_len_is_reported_where_it_is() {
    let mut p = payload_with(NDA_DST, &[198, 18, 0, 9]);
    for bad in [0u16, 2, 9, 300] {
        p[12..14].copy_from_slice(&bad.to_ne_bytes());
        assert_eq!(
            NeighMessage::parse(&p),
            Err(DecodeError::BadAttrLen {
                offset: 12,
                len: bad as usize,
                left: 8
            }),
            "nla_len {bad}"
        );
    }
}

#[test]
fn malformed_nest_contents_are_errors_at_absolute_offsets() {
    let nested = NDA_FDB_EXT_ATTRS | NLA_F_NESTED;
    // Inner attribute claims 12 bytes in an 8-byte nest.
    let p = payload_with(nested, &[12, 0, 1, 0, 1, 0, 0, 0]);
    assert_eq!(
        NeighMessage::parse(&p),
        Err(DecodeError::BadAttrLen {
            offset: 16,
            len: 12,
            left: 8
        })
    );
    // NFEA_DONT_REFRESH is a flag and must be empty; NFEA_ACTIVITY_NOTIFY is one byte.
    let p = payload_with(nested, &[8, 0, 2, 0, 1, 0, 0, 0]);
    assert!(matches!(
        NeighMessage::parse(&p),
        Err(DecodeError::BadAttr {
            name: "NFEA_DONT_REFRESH",
            offset: 16,
            ..
        })
    ));
    let p = payload_with(nested, &[4, 0, 3, 0, 8, 0, 1, 0, 1, 0, 0, 0]);
    assert!(matches!(
        NeighMessage::parse(&p),
        Err(DecodeError::BadAttr {
            name: "NFEA_ACTIVITY_NOTIFY",
            offset: 20,
            ..
        })
    ));
    // Unknown inner attributes survive.
    let p = payload_with(nested, &[5, 0, 9, 0, 7, 0, 0, 0, 4, 0, 2, 0]);
    let m = NeighMessage::parse(&p).unwrap();
    assert_eq!(
        m.attrs,
        [NeighAttr::FdbExtAttrs(vec![
            FdbExtAttr::Unknown(UnknownAttr {
                kind: 9,
                value: vec![7]
            }),
            FdbExtAttr::DontRefresh,
        ])]
    );
    assert_eq!(m.to_vec().unwrap(), p);
}

#[test]
fn unknown_attributes_and_flag_bits_survive() {
    let mut b = Builder::new();
    b.put(&[7, 0, 0, 0, 5, 0, 0, 0, 0x40, 0, 2, 0]).unwrap();
    b.attr(99, &[1, 2, 3, 4, 5]).unwrap();
    b.attr_u16(NDA_PORT | NLA_F_NET_BYTEORDER, 4789).unwrap();
    b.attr(NDA_DST | NLA_F_NESTED, &[]).unwrap();
    b.attr_u32(NDA_VNI, 42).unwrap();
    let m = NeighMessage::parse(b.as_bytes()).unwrap();
    assert!(matches!(&m.attrs[0], NeighAttr::Unknown(u) if u.kind == 99));
    assert!(
        matches!(&m.attrs[1], NeighAttr::Unknown(u) if u.kind == NDA_PORT | NLA_F_NET_BYTEORDER)
    );
    assert!(matches!(&m.attrs[2], NeighAttr::Unknown(u) if u.kind == NDA_DST | NLA_F_NESTED));
    assert_eq!(m.vni(), Some(42));
    assert_eq!(m.to_vec().unwrap(), b.as_bytes());
}

// ---- property tests ----

/// Kinds that parse as a typed attribute: a known type without flag bits, except
/// NDA_FDB_EXT_ATTRS which is known only with NLA_F_NESTED.
fn is_known(raw: u16) -> bool {
    raw == NDA_FDB_EXT_ATTRS | NLA_F_NESTED
        || ((NDA_DST..=NDA_NDM_FLAGS_MASK).contains(&raw) && raw != NDA_FDB_EXT_ATTRS)
}

fn any_unknown() -> impl Strategy<Value = UnknownAttr> {
    (
        any::<u16>().prop_filter("known kind", |k| !is_known(*k)),
        proptest::collection::vec(any::<u8>(), 0..24),
    )
        .prop_map(|(kind, value)| UnknownAttr { kind, value })
}

fn any_fdb_ext() -> impl Strategy<Value = FdbExtAttr> {
    prop_oneof![
        any::<u8>().prop_map(FdbExtAttr::ActivityNotify),
        Just(FdbExtAttr::DontRefresh),
        (
            any::<u16>().prop_filter("known", |k| !(1..=2).contains(k)),
            proptest::collection::vec(any::<u8>(), 0..8),
        )
            .prop_map(|(kind, value)| FdbExtAttr::Unknown(UnknownAttr { kind, value })),
    ]
}

fn any_attr() -> impl Strategy<Value = NeighAttr> {
    use NeighAttr::*;
    prop_oneof![
        any_ip().prop_map(Destination),
        proptest::collection::vec(any::<u8>(), 0..20).prop_map(LinkLayerAddress),
        any::<[u32; 4]>().prop_map(|[c, u, up, r]| CacheInfo(NeighCacheInfo {
            confirmed: c,
            used: u,
            updated: up,
            refcnt: r
        })),
        any::<u32>().prop_map(Probes),
        any::<u16>().prop_map(Vlan),
        any::<u16>().prop_map(Port),
        any::<u32>().prop_map(Vni),
        any::<u32>().prop_map(IfIndex),
        any::<u32>().prop_map(Master),
        any::<i32>().prop_map(LinkNetnsId),
        any::<u32>().prop_map(SrcVni),
        any::<u8>().prop_map(Protocol),
        any::<u32>().prop_map(NhId),
        proptest::collection::vec(any_fdb_ext(), 0..4).prop_map(FdbExtAttrs),
        any::<u32>().prop_map(FlagsExt),
        any::<u16>().prop_map(|s| StateMask(NeighState::from_bits_retain(s))),
        any::<u8>().prop_map(|f| FlagsMask(NeighFlags::from_bits_retain(f))),
        any_unknown().prop_map(Unknown),
    ]
}

fn any_message() -> impl Strategy<Value = NeighMessage> {
    (
        any::<(u8, i32, u16, u8, u8)>(),
        proptest::collection::vec(any_attr(), 0..8),
    )
        .prop_map(
            |((family, ifindex, state, flags, kind), attrs)| NeighMessage {
                header: NeighHeader {
                    family,
                    ifindex,
                    state: NeighState::from_bits_retain(state),
                    flags: NeighFlags::from_bits_retain(flags),
                    kind,
                },
                attrs,
            },
        )
}

proptest! {
    #[test]
    fn parse_emit_round_trip(m in any_message()) {
        let bytes = check_emit_parse(&m, NeighMessage::parse)?;
        prop_assert_eq!(&bytes[1..4], &[0, 0, 0]);
    }

    #[test]
    fn round_trip_inside_a_datagram(m in any_message(), seq in any::<u32>()) {
        check_in_datagram(RTM_NEWNEIGH, seq, &m, &Payload::Neigh(m.clone()))?;
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_reparse_stably(p in proptest::collection::vec(any::<u8>(), 0..96)) {
        check_reparse(&p, NeighMessage::parse)?;
    }
}
