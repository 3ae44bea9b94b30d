use super::*;
use crate::wire::attr::{NLA_F_NESTED, NLA_F_NET_BYTEORDER};
use crate::wire::testing::{assert_bad_attr, attr};
use proptest::prelude::*;

/// A payload: a unicast IPv4 rtmsg followed by the given attribute bytes.
fn payload(attrs: &[u8]) -> Vec<u8> {
    let mut b = Builder::new();
    RouteHeader::new(AF_INET).emit(&mut b).unwrap();
    b.put(attrs).unwrap();
    b.into_vec()
}

/// An `RTA_MULTIPATH` attribute with raw contents.
fn multipath(contents: &[u8]) -> Vec<u8> {
    attr(RTA_MULTIPATH, contents)
}

fn rtnh(len: u16, flags: u8, hops: u8, ifindex: u32) -> Vec<u8> {
    let mut v = len.to_ne_bytes().to_vec();
    v.extend([flags, hops]);
    v.extend(ifindex.to_ne_bytes());
    v
}

fn round_trip(p: &[u8]) -> RouteMessage {
    crate::wire::testing::round_trip(p, RouteMessage::parse)
}

#[test]
fn short_rtmsg_is_truncated() {
    for n in 0..RTMSG_LEN {
        let p = vec![0u8; n];
        let want = DecodeError::Truncated {
            what: "rtmsg",
            offset: 0,
            need: RTMSG_LEN,
            have: n,
        };
        assert_eq!(RouteMessage::parse(&p), Err(want.clone()));
        assert_eq!(
            RouteMessageBuffer::new_checked(&p[..]).unwrap_err(),
            want.clone()
        );
        assert_eq!(RouteHeader::parse(&p), Err(want));
    }
    let m = round_trip(&[0u8; RTMSG_LEN]);
    assert_eq!(m, RouteMessage::default());
}

#[test]
fn header_fields_and_view() {
    let mut p = vec![10, 64, 8, 4, 200, 186, 253, 9];
    p.extend((0x0000_1204u32 | 0x8000_0000).to_ne_bytes());
    p.extend(attr(RTA_TABLE, &1000u32.to_ne_bytes()));
    let v = RouteMessageBuffer::new_checked(&p[..]).unwrap();
    assert_eq!(
        (v.family(), v.dst_len(), v.src_len(), v.tos(), v.table()),
        (10, 64, 8, 4, 200)
    );
    assert_eq!(v.protocol(), RouteProtocol::BGP);
    assert_eq!(v.scope(), RouteScope::LINK);
    assert_eq!(v.kind(), RouteType::THROW);
    assert!(
        v.flags()
            .contains(RouteFlags::ONLINK | RouteFlags::LOOKUP_TABLE)
    );
    assert_eq!(v.flags().bits(), 0x8000_1204, "unknown bits are kept");
    let a = v.attrs().next().unwrap().unwrap();
    assert_eq!((a.kind(), a.offset()), (RTA_TABLE, 12));
    let m = round_trip(&p);
    assert_eq!(m.table(), 1000, "RTA_TABLE overrides rtm_table");
}

#[test]
fn value_names() {
    assert_eq!(format!("{:?}", RouteProtocol::STATIC), "RTPROT_STATIC");
    assert_eq!(format!("{:?}", RouteProtocol(77)), "RouteProtocol(77)");
    assert_eq!(RouteScope(254), RouteScope::HOST);
    assert_eq!(RouteType::XRESOLVE.name(), Some("RTN_XRESOLVE"));
    assert_eq!(RoutePref::LOW.0, 3);
    assert_eq!(u8::from(RouteType::from(6)), 6);
    assert_eq!(attr_name(RTA_NH_ID | NLA_F_NESTED), Some("RTA_NH_ID"));
    assert_eq!(attr_name(31), None);
    assert_eq!(
        metric_name(RTAX_FASTOPEN_NO_COOKIE),
        Some("RTAX_FASTOPEN_NO_COOKIE")
    );
}

#[test]
fn wrong_sized_values_name_the_attribute() {
    let cases: &[(u16, usize, &str)] = &[
        (RTA_DST, 3, "RTA_DST"),
        (RTA_SRC, 5, "RTA_SRC"),
        (RTA_GATEWAY, 5, "RTA_GATEWAY"),
        (RTA_GATEWAY, 0, "RTA_GATEWAY"),
        (RTA_PREFSRC, 15, "RTA_PREFSRC"),
        (RTA_IIF, 2, "RTA_IIF"),
        (RTA_OIF, 8, "RTA_OIF"),
        (RTA_PRIORITY, 3, "RTA_PRIORITY"),
        (RTA_TABLE, 1, "RTA_TABLE"),
        (RTA_MARK, 0, "RTA_MARK"),
        (RTA_FLOW, 5, "RTA_FLOW"),
        (RTA_UID, 2, "RTA_UID"),
        (RTA_NH_ID, 8, "RTA_NH_ID"),
        (RTA_PREF, 4, "RTA_PREF"),
        (RTA_TTL_PROPAGATE, 0, "RTA_TTL_PROPAGATE"),
        (RTA_IP_PROTO, 2, "RTA_IP_PROTO"),
        (RTA_SPORT, 4, "RTA_SPORT"),
        (RTA_DPORT, 1, "RTA_DPORT"),
        (RTA_ENCAP_TYPE, 4, "RTA_ENCAP_TYPE"),
        (RTA_EXPIRES, 6, "RTA_EXPIRES"),
        (RTA_EXPIRES, 2, "RTA_EXPIRES"),
        (RTA_CACHEINFO, 31, "RTA_CACHEINFO"),
        (RTA_CACHEINFO, 36, "RTA_CACHEINFO"),
        (RTA_VIA, 1, "RTA_VIA"),
        (RTA_VIA, 0, "RTA_VIA"),
    ];
    for &(kind, len, name) in cases {
        // A valid attribute first, so the bad one is at offset 20.
        let mut attrs = attr(RTA_OIF, &3u32.to_ne_bytes());
        attrs.extend(attr(kind, &vec![0; len]));
        let what = format!("{name} of {len} bytes");
        assert_bad_attr(RouteMessage::parse(&payload(&attrs)), name, 20, &what);
    }
}

#[test]
fn via_checks_the_address_against_its_family() {
    let via = |family: u16, addr: &[u8]| {
        let mut v = family.to_ne_bytes().to_vec();
        v.extend(addr);
        RouteMessage::parse(&payload(&attr(RTA_VIA, &v)))
    };
    assert!(matches!(
        via(2, &[1, 2, 3]),
        Err(DecodeError::BadAttr {
            name: "RTA_VIA",
            ..
        })
    ));
    assert!(matches!(
        via(10, &[0; 4]),
        Err(DecodeError::BadAttr {
            name: "RTA_VIA",
            ..
        })
    ));
    let m = via(2, &[198, 18, 0, 9]).unwrap();
    assert_eq!(m.via(), Some(&RouteVia::Inet(Ipv4Addr::new(198, 18, 0, 9))));
    // AF_MPLS (28): kept raw, any length.
    let m = via(28, &[0, 1, 2]).unwrap();
    assert_eq!(
        m.via(),
        Some(&RouteVia::Other {
            family: 28,
            address: vec![0, 1, 2]
        })
    );
    assert_eq!(m.via().unwrap().ip(), None);
    round_trip(&payload(&attr(RTA_VIA, &[28, 0, 1, 2, 3])));
}

#[test]
fn expires_has_two_widths() {
    let m = round_trip(&payload(&attr(RTA_EXPIRES, &300u32.to_ne_bytes())));
    assert_eq!(m.attrs, [RouteAttr::Expires(300)]);
    assert_eq!(m.expires(), Some(300));
    let m = round_trip(&payload(&attr(RTA_EXPIRES, &(1u64 << 40).to_ne_bytes())));
    assert_eq!(m.attrs, [RouteAttr::Expires64(1 << 40)]);
    assert_eq!(m.expires(), Some(1 << 40));
}

#[test]
fn cacheinfo_fields() {
    let ci = RouteCacheInfo {
        clntref: 1,
        lastuse: 2,
        expires: -3,
        error: 4,
        used: 5,
        id: 6,
        ts: 7,
        tsage: 8,
    };
    let m = round_trip(&payload(&attr(RTA_CACHEINFO, &ci.to_bytes())));
    assert_eq!(m.cache_info(), Some(&ci));
    assert_eq!(&ci.to_bytes()[8..12], &(-3i32).to_ne_bytes());
}

#[test]
fn unknown_and_flagged_attributes_survive() {
    let mut attrs = attr(99, &[1, 2, 3]);
    attrs.extend(attr(RTA_GATEWAY | NLA_F_NET_BYTEORDER, &[1, 2, 3, 4, 5]));
    attrs.extend(attr(RTA_METRICS | NLA_F_NESTED, &attr(RTAX_MTU, &[0; 2])));
    attrs.extend(attr(RTA_PAD, &[]));
    attrs.extend(attr(RTA_MFC_STATS, &[7; 24]));
    attrs.extend(attr(RTA_ENCAP | NLA_F_NESTED, &attr(1, &[0; 8])));
    attrs.extend(attr(RTA_ENCAP, &[]));
    let m = round_trip(&payload(&attrs));
    let kinds: Vec<u16> = m.attrs.iter().map(RouteAttr::kind).collect();
    assert_eq!(
        kinds,
        [
            99,
            RTA_GATEWAY | NLA_F_NET_BYTEORDER,
            RTA_METRICS | NLA_F_NESTED,
            RTA_PAD,
            RTA_MFC_STATS,
            RTA_ENCAP | NLA_F_NESTED,
            RTA_ENCAP
        ]
    );
    assert!(matches!(m.attrs[1], RouteAttr::Unknown(_)));
    assert!(matches!(m.attrs[2], RouteAttr::Unknown(_)));
    assert!(matches!(m.attrs[5], RouteAttr::Encap { nested: true, .. }));
    assert!(matches!(m.attrs[6], RouteAttr::Encap { nested: false, .. }));
    assert_eq!(m.gateway(), None);
}

#[test]
fn bad_nla_len_is_reported_with_its_offset() {
    for len in [0u16, 1, 3, 9] {
        let mut attrs = attr(RTA_OIF, &[0; 4]);
        attrs.extend(len.to_ne_bytes());
        attrs.extend(RTA_GATEWAY.to_ne_bytes());
        attrs.extend([0; 4]);
        assert_eq!(
            RouteMessage::parse(&payload(&attrs)),
            Err(DecodeError::BadAttrLen {
                offset: 20,
                len: usize::from(len),
                left: 8
            })
        );
    }
    // Inside RTA_METRICS: the offset is still from the start of the payload.
    let mut inner = attr(RTAX_MTU, &1400u32.to_ne_bytes());
    inner.extend([2, 0, 2, 0]);
    assert_eq!(
        RouteMessage::parse(&payload(&attr(RTA_METRICS, &inner))),
        Err(DecodeError::BadAttrLen {
            offset: 24,
            len: 2,
            left: 4
        })
    );
    // A truncated attribute header.
    assert!(matches!(
        RouteMessage::parse(&payload(&[8, 0])),
        Err(DecodeError::Truncated {
            what: "nlattr",
            offset: 12,
            ..
        })
    ));
}

#[test]
fn metrics_are_typed_and_checked() {
    let mut inner = attr(RTAX_LOCK, &(1u32 << RTAX_MTU).to_ne_bytes());
    inner.extend(attr(RTAX_MTU, &1400u32.to_ne_bytes()));
    inner.extend(attr(RTAX_CC_ALGO, b"bbr\0"));
    inner.extend(attr(77, &[1]));
    let m = round_trip(&payload(&attr(RTA_METRICS, &inner)));
    assert_eq!(
        m.metrics().unwrap()[..3],
        [
            RouteMetric::Lock(4),
            RouteMetric::Mtu(1400),
            RouteMetric::CcAlgo("bbr".into())
        ]
    );
    assert_eq!(m.mtu(), Some(1400));
    assert_eq!(m.metrics().unwrap()[1].as_u32(), Some(1400));
    assert!(matches!(m.metrics().unwrap()[3], RouteMetric::Unknown(_)));

    // RTAX_CC_ALGO is a string, not a u32: without its NUL it is an error...
    let bad = attr(RTA_METRICS, &attr(RTAX_CC_ALGO, b"cubi"));
    assert!(matches!(
        RouteMessage::parse(&payload(&bad)),
        Err(DecodeError::BadAttr {
            name: "RTAX_CC_ALGO",
            offset: 16,
            ..
        })
    ));
    assert!(matches!(
        RouteMessage::parse(&payload(&attr(RTA_METRICS, &attr(RTAX_CC_ALGO, b"\xff\0")))),
        Err(DecodeError::BadAttr {
            name: "RTAX_CC_ALGO",
            ..
        })
    ));
    // ...and with bytes after the NUL it is kept raw so that it re-encodes identically.
    let odd = round_trip(&payload(&attr(
        RTA_METRICS,
        &attr(RTAX_CC_ALGO, b"reno\0\0\0\0"),
    )));
    assert!(matches!(odd.metrics().unwrap()[0], RouteMetric::Unknown(_)));
    // Other metrics are u32.
    for kind in [
        RTAX_MTU,
        RTAX_ADVMSS,
        RTAX_FEATURES,
        RTAX_FASTOPEN_NO_COOKIE,
    ] {
        let bad = attr(RTA_METRICS, &attr(kind, &[0; 2]));
        match RouteMessage::parse(&payload(&bad)) {
            Err(DecodeError::BadAttr {
                name, offset: 16, ..
            }) => {
                assert_eq!(Some(name), metric_name(kind))
            }
            other => panic!("{kind}: {other:?}"),
        }
    }
    // Encoding refuses a name with a NUL instead of writing a different name.
    let m = RouteMessage::default()
        .with_attr(RouteAttr::Metrics(vec![RouteMetric::CcAlgo("a\0b".into())]));
    assert!(matches!(m.to_vec(), Err(EncodeError::InvalidValue { .. })));
}

#[test]
fn multipath_round_trips_and_offsets_are_absolute() {
    let mut hop1 = rtnh(16, 0x04, 0, 3);
    hop1.extend(attr(RTA_GATEWAY, &[198, 18, 0, 2]));
    let mut hop2 = rtnh(24, 0x11, 2, 4);
    hop2.extend(attr(RTA_GATEWAY, &[198, 18, 0, 3]));
    hop2.extend(attr(RTA_FLOW, &7u32.to_ne_bytes()));
    let mut attrs = attr(RTA_DST, &[198, 18, 10, 0]);
    attrs.extend(multipath(&[hop1, hop2].concat()));
    let m = round_trip(&payload(&attrs));
    let hops = m.multipath().unwrap();
    assert_eq!(hops.len(), 2);
    assert_eq!(hops[0].flags, NextHopFlags::ONLINK);
    assert_eq!((hops[0].weight(), hops[0].ifindex), (1, 3));
    assert_eq!(hops[0].gateway(), Some("198.18.0.2".parse().unwrap()));
    assert_eq!(hops[1].flags, NextHopFlags::DEAD | NextHopFlags::LINKDOWN);
    assert_eq!((hops[1].weight(), hops[1].flow()), (3, Some(7)));

    // The zero-copy walk: next hops at 24 and 40 (after rtmsg, RTA_DST and the nest header).
    let p = payload(&attrs);
    let view = RouteMessageBuffer::new_checked(&p[..]).unwrap();
    let mp = view.attrs().find(RTA_MULTIPATH).unwrap().unwrap();
    let refs: Vec<_> = NextHopIter::new(&mp).collect::<Result<_, _>>().unwrap();
    assert_eq!(
        refs.iter().map(NextHopRef::offset).collect::<Vec<_>>(),
        [24, 40]
    );
    let inner: Vec<_> = refs[1].attrs().map(|a| a.unwrap().offset()).collect();
    assert_eq!(inner, [48, 56]);

    // A bad attribute inside a next hop is reported at its absolute offset.
    let mut hop = rtnh(17, 0, 0, 3);
    hop.extend(attr(RTA_GATEWAY, &[1, 2, 3, 4, 5]));
    assert_eq!(
        RouteMessage::parse(&payload(&multipath(&hop))),
        Err(DecodeError::BadAttr {
            name: "RTA_GATEWAY",
            offset: 24,
            reason: "address of neither 4 nor 16 bytes"
        })
    );
}

#[test]
fn bad_rtnh_len_is_an_error_not_a_loop() {
    // rtnh_len below sizeof(struct rtnexthop), 0 included.
    for len in 0u16..8 {
        let mut v = rtnh(len, 0, 0, 1);
        v.extend(attr(RTA_GATEWAY, &[198, 18, 0, 1]));
        assert_eq!(
            RouteMessage::parse(&payload(&multipath(&v))),
            Err(DecodeError::BadAttr {
                name: "RTA_MULTIPATH",
                offset: 16,
                reason: "rtnh_len is below 8, the size of struct rtnexthop"
            }),
            "rtnh_len {len}"
        );
    }
    // rtnh_len past the end of the attribute, for the second next hop.
    let mut v = rtnh(8, 0, 0, 1);
    v.extend(rtnh(20, 0, 0, 1));
    v.extend([0; 4]);
    assert_eq!(
        RouteMessage::parse(&payload(&multipath(&v))),
        Err(DecodeError::BadAttr {
            name: "RTA_MULTIPATH",
            offset: 24,
            reason: "rtnh_len runs past the end of RTA_MULTIPATH"
        })
    );
    // A remnant too short for a header.
    let mut v = rtnh(8, 0, 0, 1);
    v.extend([8, 0, 0, 0]);
    assert!(matches!(
        RouteMessage::parse(&payload(&multipath(&v))),
        Err(DecodeError::BadAttr {
            name: "RTA_MULTIPATH",
            offset: 24,
            ..
        })
    ));
    // An empty RTA_MULTIPATH is an empty list.
    assert_eq!(
        round_trip(&payload(&multipath(&[]))).multipath(),
        Some(&[][..])
    );
}

#[test]
fn multipath_inside_a_next_hop_stays_raw() {
    let mut inner = rtnh(8, 0, 0, 1);
    inner = [rtnh(8 + 4 + 8, 0, 0, 2), multipath(&inner)].concat();
    let m = round_trip(&payload(&multipath(&inner)));
    let hop = &m.multipath().unwrap()[0];
    assert!(matches!(&hop.attrs[0], RouteAttr::Unknown(u) if u.kind == RTA_MULTIPATH));
}

#[test]
fn odd_sized_next_hop_attributes_are_aligned() {
    // RTA_PREF (5 bytes with header) inside a next hop: rtnh_len counts the padding, as the
    // kernel writes it, and the next next hop starts 4-aligned.
    let mut hop = rtnh(16, 0, 0, 1);
    hop.extend(attr(RTA_PREF, &[1]));
    let both = [hop.clone(), hop].concat();
    let m = round_trip(&payload(&multipath(&both)));
    assert_eq!(
        m.multipath().unwrap()[1].attrs,
        [RouteAttr::Pref(RoutePref::HIGH)]
    );
}

#[test]
fn oversized_values_are_encode_errors() {
    let big = NextHop {
        attrs: vec![RouteAttr::NewDestination(vec![0; 65_000]); 2],
        ..Default::default()
    };
    let m = RouteMessage::default().with_attr(RouteAttr::Multipath(vec![big]));
    assert!(matches!(
        m.to_vec(),
        Err(EncodeError::NestTooLarge {
            kind: RTA_MULTIPATH,
            ..
        })
    ));
    let m = RouteMessage::default().with_attr(RouteAttr::Metrics(vec![
        RouteMetric::Unknown(
            UnknownAttr {
                kind: 99,
                value: vec![0; 40_000]
            }
        );
        2
    ]));
    assert!(matches!(
        m.to_vec(),
        Err(EncodeError::NestTooLarge {
            kind: RTA_METRICS,
            ..
        })
    ));
}

#[test]
fn getters_and_constructors() {
    let m = RouteMessage::new(RouteHeader::new(AF_INET6));
    assert_eq!(
        m.destination(),
        Some((IpAddr::V6(Ipv6Addr::UNSPECIFIED), 0))
    );
    assert_eq!(RouteMessage::default().destination(), None);
    assert_eq!(m.table(), RT_TABLE_MAIN);

    let m = RouteMessage::unicast("0.0.0.0".parse().unwrap(), 0);
    assert!(m.attrs.is_empty(), "a default route has no RTA_DST");
    assert_eq!(m.destination(), Some(("0.0.0.0".parse().unwrap(), 0)));

    let m = RouteMessage::unicast("198.18.5.0".parse().unwrap(), 24)
        .with_table(1000)
        .with_table(100);
    assert_eq!((m.header.table, m.table()), (100, 100));
    assert!(!m.attrs.iter().any(|a| matches!(a, RouteAttr::Table(_))));
    let m = m
        .with_table(70_000)
        .with_oif(4)
        .with_oif(5)
        .with_priority(9);
    assert_eq!(
        (u32::from(m.header.table), m.table()),
        (RT_TABLE_UNSPEC, 70_000)
    );
    assert_eq!((m.oif(), m.priority()), (Some(5), Some(9)));
    assert_eq!(m.attrs.len(), 4);

    assert_eq!(
        NextHop::via("198.18.0.1".parse().unwrap(), 1, 0).weight(),
        1
    );
    assert_eq!(
        NextHop::via("198.18.0.1".parse().unwrap(), 1, 256).hops,
        255
    );
    assert_eq!(
        NextHop::via("198.18.0.1".parse().unwrap(), 1, 999).weight(),
        256
    );
}

// ---- property tests -----------------------------------------------------------------------

fn ip() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(|o| IpAddr::V4(o.into())),
        any::<[u8; 16]>().prop_map(|o| IpAddr::V6(o.into())),
    ]
}

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..max)
}

/// Attribute types no typed variant claims: unassigned or obsolete ones, or any type with
/// NLA_F_NET_BYTEORDER.
fn unknown_rta() -> impl Strategy<Value = UnknownAttr> {
    let kind = prop_oneof![
        prop::sample::select(vec![
            RTA_UNSPEC,
            RTA_PROTOINFO,
            RTA_SESSION,
            RTA_MP_ALGO,
            RTA_MFC_STATS,
            RTA_PAD
        ]),
        31u16..0x4000,
        (0u16..0x4000).prop_map(|k| k | NLA_F_NET_BYTEORDER),
    ];
    (kind, bytes(24)).prop_map(|(kind, value)| UnknownAttr { kind, value })
}

fn metric() -> impl Strategy<Value = RouteMetric> {
    use RouteMetric::*;
    let u32s: [fn(u32) -> RouteMetric; 16] = [
        Lock,
        Mtu,
        Window,
        Rtt,
        RttVar,
        Ssthresh,
        Cwnd,
        AdvMss,
        Reordering,
        HopLimit,
        InitCwnd,
        Features,
        RtoMin,
        InitRwnd,
        QuickAck,
        FastopenNoCookie,
    ];
    prop_oneof![
        (0..u32s.len(), any::<u32>()).prop_map(move |(i, v)| u32s[i](v)),
        "[a-z0-9_]{0,15}".prop_map(CcAlgo),
        (
            prop_oneof![
                Just(RTAX_UNSPEC),
                18u16..0x4000,
                (1u16..18).prop_map(|k| k | NLA_F_NESTED)
            ],
            bytes(12)
        )
            .prop_map(|(kind, value)| Unknown(UnknownAttr { kind, value })),
    ]
}

/// Attributes that can appear anywhere, next hops included (no RTA_MULTIPATH).
fn simple_attr() -> impl Strategy<Value = RouteAttr> {
    use RouteAttr::*;
    prop_oneof![
        ip().prop_map(Destination),
        ip().prop_map(Source),
        ip().prop_map(Gateway),
        ip().prop_map(PrefSource),
        any::<u32>().prop_map(Iif),
        any::<u32>().prop_map(Oif),
        any::<u32>().prop_map(Priority),
        any::<u32>().prop_map(Flow),
        any::<u32>().prop_map(Table),
        any::<u32>().prop_map(Mark),
        any::<u32>().prop_map(Uid),
        any::<u32>().prop_map(NexthopId),
        any::<u32>().prop_map(Expires),
        any::<u64>().prop_map(Expires64),
        any::<u8>().prop_map(|v| Pref(RoutePref(v))),
        any::<u8>().prop_map(TtlPropagate),
        any::<u8>().prop_map(IpProto),
        any::<u16>().prop_map(SourcePort),
        any::<u16>().prop_map(DestinationPort),
        any::<u16>().prop_map(EncapType),
        bytes(12).prop_map(NewDestination),
        (any::<bool>(), bytes(24)).prop_map(|(nested, value)| Encap { nested, value }),
        any::<[u32; 8]>().prop_map(|f| CacheInfo(RouteCacheInfo {
            clntref: f[0],
            lastuse: f[1],
            expires: f[2] as i32,
            error: f[3],
            used: f[4],
            id: f[5],
            ts: f[6],
            tsage: f[7],
        })),
        prop_oneof![
            ip().prop_map(RouteVia::from),
            (
                (0u16..u16::MAX).prop_filter("not an IP family", |f| *f != 2 && *f != 10),
                bytes(20)
            )
                .prop_map(|(family, address)| RouteVia::Other { family, address }),
        ]
        .prop_map(Via),
        proptest::collection::vec(metric(), 0..5).prop_map(Metrics),
        unknown_rta().prop_map(Unknown),
    ]
}

fn next_hop() -> impl Strategy<Value = NextHop> {
    (
        any::<u8>(),
        any::<u8>(),
        any::<u32>(),
        proptest::collection::vec(simple_attr(), 0..4),
    )
        .prop_map(|(flags, hops, ifindex, attrs)| NextHop {
            flags: NextHopFlags::from_bits_retain(flags),
            hops,
            ifindex,
            attrs,
        })
}

fn route_attr() -> impl Strategy<Value = RouteAttr> {
    prop_oneof![
        4 => simple_attr(),
        1 => proptest::collection::vec(next_hop(), 0..4).prop_map(RouteAttr::Multipath),
    ]
}

fn header() -> impl Strategy<Value = RouteHeader> {
    (any::<[u8; 8]>(), any::<u32>()).prop_map(|(b, flags)| RouteHeader {
        family: b[0],
        dst_len: b[1],
        src_len: b[2],
        tos: b[3],
        table: b[4],
        protocol: RouteProtocol(b[5]),
        scope: RouteScope(b[6]),
        kind: RouteType(b[7]),
        flags: RouteFlags::from_bits_retain(flags),
    })
}

fn message() -> impl Strategy<Value = RouteMessage> {
    (header(), proptest::collection::vec(route_attr(), 0..8))
        .prop_map(|(header, attrs)| RouteMessage { header, attrs })
}

proptest! {
    #[test]
    fn parse_of_emit_is_identity(m in message()) {
        let bytes = m.to_vec().unwrap();
        prop_assert_eq!(bytes.len(), m.buffer_len());
        prop_assert_eq!(&RouteMessage::parse(&bytes).unwrap(), &m);
        // Emitting into a buffer one byte short fails instead of writing a partial message.
        let mut short = vec![0u8; bytes.len() - 1];
        prop_assert!(m.emit_to_slice(&mut short).is_err());
        let mut exact = vec![0xa5u8; bytes.len()];
        prop_assert_eq!(m.emit_to_slice(&mut exact).unwrap(), bytes.len());
        prop_assert_eq!(exact, bytes);
    }

    #[test]
    fn each_attribute_round_trips(a in route_attr()) {
        let mut b = Builder::new();
        a.emit(&mut b).unwrap();
        prop_assert_eq!(b.len(), a.buffer_len());
        let parsed: Vec<_> = AttrIter::new(b.as_bytes())
            .map(|x| RouteAttr::parse(&x.unwrap()))
            .collect::<Result<_, _>>()
            .unwrap();
        prop_assert_eq!(parsed, vec![a]);
    }

    #[test]
    fn arbitrary_payloads_never_panic(p in bytes(160)) {
        if let Ok(m) = RouteMessage::parse(&p) {
            // Whatever parsed re-encodes and parses back to the same value.
            let again = m.to_vec().unwrap();
            prop_assert_eq!(RouteMessage::parse(&again).unwrap(), m);
        } else if let Err(e) = RouteMessage::parse(&p) {
            prop_assert!(e.offset() <= p.len());
        }
    }

    #[test]
    fn mutated_emitted_messages_never_panic(m in message(), at in any::<usize>(), v in any::<u8>()) {
        let mut bytes = m.to_vec().unwrap();
        let i = at % bytes.len();
        bytes[i] = v;
        if let Ok(m) = RouteMessage::parse(&bytes) {
            let again = m.to_vec().unwrap();
            prop_assert_eq!(RouteMessage::parse(&again).unwrap(), m);
        }
    }
}
