use super::*;
use crate::wire::UnknownAttr;
use crate::wire::attr::{NLA_F_NESTED, NLA_F_NET_BYTEORDER};
use crate::wire::builder::attr_size;
use proptest::prelude::*;
use std::net::Ipv4Addr;

/// A payload: a header for link 7 and the attributes `f` writes.
fn payload(f: impl FnOnce(&mut Builder<'_>)) -> Vec<u8> {
    let mut b = Builder::new();
    LinkHeader::new(7).emit(&mut b).unwrap();
    f(&mut b);
    b.into_vec()
}

fn round_trip(bytes: &[u8]) -> LinkMessage {
    crate::wire::testing::round_trip(bytes, LinkMessage::parse)
}

fn bad_attr(e: DecodeError) -> (&'static str, usize) {
    match e {
        DecodeError::BadAttr { name, offset, .. } => (name, offset),
        other => panic!("not BadAttr: {other:?}"),
    }
}

#[test]
fn short_ifinfomsg_is_truncated() {
    for n in 0..IFINFOMSG_LEN {
        let want = DecodeError::Truncated {
            what: "ifinfomsg",
            offset: 0,
            need: 16,
            have: n,
        };
        assert_eq!(LinkMessage::parse(&[0; 16][..n]), Err(want.clone()));
        assert_eq!(
            LinkMessageBuffer::new_checked(&[0u8; 16][..n]).unwrap_err(),
            want
        );
    }
}

#[test]
fn header_view_and_owned_agree() {
    let h = LinkHeader {
        family: 7,
        link_layer_type: 772,
        index: -3,
        flags: IfFlags::UP | IfFlags::from_bits_retain(1 << 30),
        change_mask: IfFlags::all(),
    };
    let mut b = Builder::new();
    h.emit(&mut b).unwrap();
    let mut bytes = b.into_vec();
    assert_eq!(bytes[1], 0);
    bytes[1] = 0xaa; // the pad byte is ignored on read...
    let v = LinkMessageBuffer::new_checked(&bytes[..]).unwrap();
    assert_eq!(v.header(), h);
    assert_eq!(v.flags().bits(), 1 | 1 << 30);
    assert_eq!(v.attrs().count(), 0);
    // ...and written back as zero.
    assert_eq!(LinkMessage::parse(&bytes).unwrap().to_vec().unwrap()[1], 0);
}

#[test]
fn mtu_of_two_bytes_names_ifla_mtu() {
    let p = payload(|b| b.attr(IFLA_MTU, &[0xdc, 0x05]).unwrap());
    assert_eq!(
        bad_attr(LinkMessage::parse(&p).unwrap_err()),
        ("IFLA_MTU", 16)
    );
}

#[test]
fn bad_ifnames_name_ifla_ifname() {
    let cases: [&[u8]; 7] = [
        b"",
        b"\0",
        b"eth0",
        b"\xff\xfe",
        b"0123456789abcdef\0",
        b"0123456789abcdefghij\0",
        b"\xff123456789abcdef\0",
    ];
    for v in cases {
        let p = payload(|b| {
            b.attr_u32(IFLA_MTU, 1500).unwrap();
            b.attr(IFLA_IFNAME, v).unwrap();
        });
        assert_eq!(
            bad_attr(LinkMessage::parse(&p).unwrap_err()),
            ("IFLA_IFNAME", 24),
            "{v:?}"
        );
    }
    let p = payload(|b| b.attr(IFLA_IFNAME, b"0123456789abcde\0").unwrap());
    assert_eq!(round_trip(&p).name(), Some("0123456789abcde"));
}

#[test]
fn odd_strings_are_kept_raw() {
    // Bytes after the NUL, no NUL on a plain string, non-UTF-8: all re-encode identically.
    let p = payload(|b| {
        b.attr(IFLA_IFNAME, b"eth0\0\0\0\0").unwrap();
        b.attr(IFLA_IFNAME, b"\xff\xfe\0").unwrap();
        b.attr(IFLA_IFALIAS, b"no terminator").unwrap();
        b.attr(IFLA_QDISC, b"").unwrap();
    });
    let m = round_trip(&p);
    assert!(
        m.attrs.iter().all(|a| matches!(a, LinkAttr::Unknown(_))),
        "{m:?}"
    );
    assert_eq!(m.name(), None);
}

#[test]
fn emitting_a_bad_ifname_fails() {
    for name in ["", "0123456789abcdef"] {
        let m = LinkMessage::new(0).with(LinkAttr::IfName(name.into()));
        assert!(matches!(
            m.to_vec(),
            Err(EncodeError::InvalidValue {
                what: "IFLA_IFNAME",
                ..
            })
        ));
    }
    let m = LinkMessage::new(0).with(LinkAttr::IfAlias("a\0b".into()));
    assert!(m.to_vec().is_err());
}

fn stats64_payload(counters: usize, extra_bytes: usize) -> Vec<u8> {
    let mut v: Vec<u8> = (0..counters as u64)
        .flat_map(|c| (c + 1).to_ne_bytes())
        .collect();
    v.extend(std::iter::repeat_n(0x5a, extra_bytes));
    payload(|b| b.attr(IFLA_STATS64, &v).unwrap())
}

#[test]
fn stats64_of_every_kernel_size_round_trips() {
    for (n, nohandler, otherhost, extra) in [
        (23, None, None, 0),
        (24, Some(24), None, 0),
        (25, Some(24), Some(25), 0),
        (27, Some(24), Some(25), 2),
    ] {
        let m = round_trip(&stats64_payload(n, 0));
        let s = m.stats64().unwrap();
        assert_eq!((s.rx_packets, s.tx_compressed), (1, 23));
        assert_eq!(
            (s.rx_nohandler, s.rx_otherhost_dropped),
            (nohandler, otherhost)
        );
        assert_eq!(s.extra.len(), extra);
    }
}

#[test]
fn stats64_of_a_bad_length_names_ifla_stats64() {
    for (n, extra) in [(0, 0), (1, 0), (22, 0), (22, 7), (23, 1), (24, 4), (25, 7)] {
        let p = stats64_payload(n, extra);
        assert_eq!(
            bad_attr(LinkMessage::parse(&p).unwrap_err()),
            ("IFLA_STATS64", 16),
            "{n} {extra}"
        );
    }
}

#[test]
fn stats32_sizes() {
    for (len, ok) in [
        (92, true),
        (96, true),
        (100, true),
        (88, false),
        (94, false),
    ] {
        let p = payload(|b| b.attr(IFLA_STATS, &vec![1; len]).unwrap());
        match LinkMessage::parse(&p) {
            Ok(_) => {
                assert!(ok, "{len}");
                round_trip(&p);
            }
            Err(e) => {
                assert!(!ok, "{len}");
                assert_eq!(bad_attr(e).0, "IFLA_STATS");
            }
        }
    }
}

#[test]
fn stats64_with_a_gap_cannot_be_emitted() {
    let s = Stats64 {
        rx_otherhost_dropped: Some(1),
        ..Stats64::default()
    };
    assert!(
        LinkMessage::new(1)
            .with(LinkAttr::Stats64(Box::new(s)))
            .to_vec()
            .is_err()
    );
    let s = Stats64::zeroed();
    let m = LinkMessage::new(1).with(LinkAttr::Stats64(Box::new(s.clone())));
    assert_eq!(m.buffer_len(), 16 + 4 + 25 * 8);
    assert_eq!(
        LinkMessage::parse(&m.to_vec().unwrap()).unwrap().stats64(),
        Some(&s)
    );
}

/// A chain of `levels` veth requests, each the peer of the one before.
fn peer_chain(levels: usize) -> Vec<u8> {
    let mut b = Builder::new();
    LinkHeader::new(0).emit(&mut b).unwrap();
    let mut open = Vec::new();
    for _ in 0..levels {
        let li = b.nest_start(IFLA_LINKINFO).unwrap();
        b.attr(IFLA_INFO_KIND, b"veth").unwrap();
        let data = b.nest_start(IFLA_INFO_DATA).unwrap();
        let peer = b.nest_start(VETH_INFO_PEER).unwrap();
        LinkHeader::new(0).emit(&mut b).unwrap();
        open.extend([li, data, peer]);
    }
    b.attr_str(IFLA_IFNAME, "last").unwrap();
    for n in open.into_iter().rev() {
        b.nest_end(n).unwrap();
    }
    b.into_vec()
}

#[test]
fn peer_in_peer_is_read_while_shallow() {
    let m = round_trip(&peer_chain(3));
    let p = m
        .info()
        .unwrap()
        .peer()
        .unwrap()
        .info()
        .unwrap()
        .peer()
        .unwrap();
    let p = p.info().unwrap().peer().unwrap();
    assert_eq!(p.name(), Some("last"));
}

#[test]
fn peer_nesting_bomb_errors_without_deep_recursion() {
    // About as deep as 16-bit nest lengths allow (36 bytes a level).
    let bytes = peer_chain(1800);
    // A small stack proves the decoder stops early instead of recursing 1800 levels.
    let r = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || LinkMessage::parse(&bytes))
        .unwrap()
        .join()
        .unwrap();
    assert!(
        matches!(
            r,
            Err(DecodeError::NestingTooDeep {
                max: MAX_NEST_DEPTH,
                ..
            })
        ),
        "{r:?}"
    );
}

#[test]
fn flagged_and_unknown_attributes_are_kept() {
    let p = payload(|b| {
        b.attr_u32(IFLA_MTU | NLA_F_NET_BYTEORDER, 1500).unwrap();
        b.attr(200, &[1, 2, 3]).unwrap();
        b.attr(IFLA_MAP, &[0; 32]).unwrap();
        b.attr(IFLA_DEVLINK_PORT | NLA_F_NESTED, &[]).unwrap();
        // A LINKINFO with NLA_F_NESTED is kept whole.
        b.nested(IFLA_LINKINFO | NLA_F_NESTED, |b| {
            b.attr_str(IFLA_INFO_KIND, "veth")
        })
        .unwrap();
    });
    let m = round_trip(&p);
    assert!(
        m.attrs.iter().all(|a| matches!(a, LinkAttr::Unknown(_))),
        "{m:?}"
    );
    assert_eq!(m.attrs[0].kind(), IFLA_MTU);
    assert_eq!(m.mtu(), None);
    assert_eq!(m.kind(), None);
}

#[test]
fn link_info_odd_forms() {
    let p = payload(|b| {
        b.nested(IFLA_LINKINFO, |b| {
            // Data before the kind, then a kind this crate does not type, then xstats.
            b.nested(IFLA_INFO_DATA, |b| b.attr_u32(1, 5))?;
            b.attr_str(IFLA_INFO_KIND, "dummy")?;
            b.nested(IFLA_INFO_DATA, |b| b.attr_u32(1, 6))?;
            b.attr(IFLA_INFO_XSTATS, &[9; 8])?;
            b.attr_str(IFLA_INFO_SLAVE_KIND, "bond")?;
            b.nested(IFLA_INFO_SLAVE_DATA, |b| b.attr_u8(1, 1))?;
            b.attr(IFLA_INFO_KIND, b"ve\0th")
        })
        .unwrap();
    });
    let m = round_trip(&p);
    let info = m.info().unwrap();
    assert_eq!(info.kind(), Some("dummy"));
    assert!(matches!(info.attrs[0], InfoAttr::Data(InfoData::Other(_))));
    assert!(matches!(info.attrs[2], InfoAttr::Data(InfoData::Other(_))));
    assert!(matches!(info.attrs[3], InfoAttr::Unknown(_)));
    assert_eq!(info.slave_kind(), Some("bond"));
    assert!(matches!(info.slave_data(), Some(SlaveData::Other(_))));
    assert!(matches!(info.attrs[6], InfoAttr::Unknown(_)));
}

#[test]
fn bridge_pad_and_unknown_data_round_trip() {
    let p = payload(|b| {
        b.nested(IFLA_LINKINFO, |b| {
            b.attr_str(IFLA_INFO_KIND, "bridge")?;
            b.nested(IFLA_INFO_DATA, |b| {
                b.attr(IFLA_BR_PAD, &[])?;
                b.attr_u64(IFLA_BR_HELLO_TIMER, 7)?;
                b.attr_u16_be(IFLA_BR_VLAN_PROTOCOL, 0x8100)?;
                b.attr_flag(IFLA_BR_FDB_FLUSH)?;
                b.attr(IFLA_BR_MCAST_QUERIER_STATE | NLA_F_NESTED, &[4, 0, 1, 0])
            })
        })
        .unwrap();
    });
    let m = round_trip(&p);
    let Some(InfoData::Bridge(br)) = m.info().unwrap().data() else {
        panic!("{m:?}")
    };
    assert_eq!(br[0].kind(), IFLA_BR_PAD);
    assert!(matches!(br[0], BridgeAttr::Unknown(_)));
    assert_eq!(br[1], BridgeAttr::HelloTimer(7));
    assert_eq!(br[2], BridgeAttr::VlanProtocol(0x8100));
    assert_eq!(br[3], BridgeAttr::FdbFlush);
    assert!(matches!(br[4], BridgeAttr::Unknown(_)));
}

#[test]
fn wrong_sizes_inside_kind_data_name_the_attribute() {
    let cases: [(&str, u16, &[u8], &str); 5] = [
        (
            "bridge",
            IFLA_BR_PRIORITY,
            &[1, 2, 3, 4],
            "IFLA_BR_PRIORITY",
        ),
        ("bridge", IFLA_BR_FDB_FLUSH, &[1], "IFLA_BR_FDB_FLUSH"),
        ("vxlan", IFLA_VXLAN_PORT, &[1], "IFLA_VXLAN_PORT"),
        ("macvlan", IFLA_MACVLAN_MODE, &[4], "IFLA_MACVLAN_MODE"),
        ("tun", IFLA_TUN_TYPE, &[], "IFLA_TUN_TYPE"),
    ];
    for (kind, attr, value, name) in cases {
        let p = payload(|b| {
            b.nested(IFLA_LINKINFO, |b| {
                b.attr_str(IFLA_INFO_KIND, kind)?;
                b.nested(IFLA_INFO_DATA, |b| b.attr(attr, value))
            })
            .unwrap();
        });
        let at = 16 + 4 + attr_size(kind.len() + 1) + 4;
        assert_eq!(bad_attr(LinkMessage::parse(&p).unwrap_err()), (name, at));
    }
}

#[test]
fn bad_nla_len_inside_link_info_is_reported_at_its_offset() {
    let mut p = payload(|b| {
        b.nested(IFLA_LINKINFO, |b| b.attr_str(IFLA_INFO_KIND, "veth"))
            .unwrap();
    });
    p[20] = 2; // nla_len of IFLA_INFO_KIND
    assert_eq!(
        LinkMessage::parse(&p),
        Err(DecodeError::BadAttrLen {
            offset: 20,
            len: 2,
            left: 12
        })
    );
}

#[test]
fn vxlan_values_use_network_order() {
    let info = LinkInfo::vxlan(vec![
        VxlanAttr::Id(42),
        VxlanAttr::Port(4789),
        VxlanAttr::Label(0x12345),
        VxlanAttr::Local(Ipv4Addr::new(198, 18, 0, 1)),
        VxlanAttr::PortRange(PortRange {
            low: 1000,
            high: 2000,
        }),
        VxlanAttr::Gbp,
    ]);
    let m = LinkMessage::new(0).with(LinkAttr::LinkInfo(info));
    let bytes = m.to_vec().unwrap();
    let port = bytes
        .windows(6)
        .position(|w| w == [6, 0, 15, 0, 0x12, 0xb5]);
    assert!(port.is_some(), "{bytes:02x?}");
    assert!(
        bytes
            .windows(8)
            .any(|w| w == [8, 0, 10, 0, 0x03, 0xe8, 0x07, 0xd0])
    );
    assert_eq!(LinkMessage::parse(&bytes).unwrap(), m);
}

#[test]
fn vxlan_ttl_inherit_in_both_forms() {
    // iproute2 sends a flag; the kernel dumps a u8.
    for (value, typed) in [(&[][..], false), (&[1][..], true)] {
        let p = payload(|b| {
            b.nested(IFLA_LINKINFO, |b| {
                b.attr(IFLA_INFO_KIND, b"vxlan")?;
                b.nested(IFLA_INFO_DATA, |b| b.attr(IFLA_VXLAN_TTL_INHERIT, value))
            })
            .unwrap();
        });
        let m = round_trip(&p);
        let Some(InfoData::Vxlan(vx)) = m.info().unwrap().data() else {
            panic!("{m:?}")
        };
        assert_eq!(vx[0] == VxlanAttr::TtlInherit(1), typed);
        assert_eq!(vx[0].kind(), IFLA_VXLAN_TTL_INHERIT);
    }
}

#[test]
fn emitting_into_a_short_buffer_fails() {
    let m = LinkMessage::new(3)
        .with(LinkAttr::IfName("br0".into()))
        .with(LinkAttr::LinkInfo(LinkInfo::bridge(vec![
            BridgeAttr::StpState(1),
        ])));
    let len = m.buffer_len();
    let mut buf = vec![0; len];
    assert_eq!(m.emit_to_slice(&mut buf).unwrap(), len);
    assert!(m.emit_to_slice(&mut buf[..len - 1]).is_err());
}

#[test]
fn small_enums_convert_both_ways() {
    for v in 0..=u8::MAX {
        assert_eq!(u8::from(OperState::from(v)), v);
    }
    assert_eq!(OperState::from(0), OperState::Unknown(0));
    assert_eq!(OperState::from(6), OperState::Up);
    for v in [0, 1, 2, 4, 8, 16, 32, u32::MAX] {
        assert_eq!(u32::from(MacvlanMode::from(v)), v);
    }
    assert_eq!(MacvlanMode::from(4), MacvlanMode::Bridge);
}

// ---- property tests ------------------------------------------------------------------------

fn header() -> impl Strategy<Value = LinkHeader> {
    (
        any::<u8>(),
        any::<u16>(),
        any::<i32>(),
        any::<u32>(),
        any::<u32>(),
    )
        .prop_map(|(family, link_layer_type, index, f, c)| LinkHeader {
            family,
            link_layer_type,
            index,
            flags: IfFlags::from_bits_retain(f),
            change_mask: IfFlags::from_bits_retain(c),
        })
}

fn unknown() -> impl Strategy<Value = UnknownAttr> {
    let kind = prop_oneof![
        (
            100u16..0x3fff,
            prop::sample::select(vec![0, NLA_F_NESTED, NLA_F_NET_BYTEORDER])
        )
            .prop_map(|(k, f)| k | f),
        // A known type with a flag bit is kept raw too.
        (1u16..70).prop_map(|k| k | NLA_F_NET_BYTEORDER),
    ];
    (kind, prop::collection::vec(any::<u8>(), 0..24))
        .prop_map(|(kind, value)| UnknownAttr { kind, value })
}

fn stats64() -> impl Strategy<Value = Stats64> {
    prop::collection::vec(any::<u64>(), 23..=26).prop_map(|c| {
        let v: Vec<u8> = c.iter().flat_map(|x| x.to_ne_bytes()).collect();
        let p = payload(|b| b.attr(IFLA_STATS64, &v).unwrap());
        LinkMessage::parse(&p).unwrap().stats64().unwrap().clone()
    })
}

fn simple_attr() -> impl Strategy<Value = LinkAttr> {
    prop_oneof![
        "[a-z0-9]{1,15}".prop_map(LinkAttr::IfName),
        any::<u32>().prop_map(LinkAttr::Mtu),
        any::<u32>().prop_map(LinkAttr::Master),
        prop::collection::vec(any::<u8>(), 0..20).prop_map(LinkAttr::Address),
        any::<u8>().prop_map(|v| LinkAttr::OperState(v.into())),
        "[a-z_]{0,12}".prop_map(LinkAttr::Qdisc),
        "[ -~&&[^\0]]{0,40}".prop_map(LinkAttr::IfAlias),
        any::<i32>().prop_map(LinkAttr::LinkNetNsId),
        any::<u16>().prop_map(LinkAttr::Headroom),
        any::<u8>().prop_map(LinkAttr::Carrier),
        stats64().prop_map(|s| LinkAttr::Stats64(Box::new(s))),
        prop::collection::vec(any::<u8>(), 0..40).prop_map(LinkAttr::AfSpec),
        unknown().prop_map(LinkAttr::Unknown),
    ]
}

fn bridge_attr() -> impl Strategy<Value = BridgeAttr> {
    prop_oneof![
        any::<u32>().prop_map(BridgeAttr::ForwardDelay),
        any::<u16>().prop_map(BridgeAttr::Priority),
        any::<u16>().prop_map(BridgeAttr::VlanProtocol),
        (any::<u16>(), any::<[u8; 6]>())
            .prop_map(|(priority, address)| BridgeAttr::RootId(BridgeId { priority, address })),
        any::<[u8; 6]>().prop_map(BridgeAttr::GroupAddr),
        Just(BridgeAttr::FdbFlush),
        any::<u64>().prop_map(BridgeAttr::GcTimer),
        unknown()
            .prop_filter("not typed", |u| u.kind & crate::wire::attr::NLA_TYPE_MASK
                >= 100
                || u.kind & NLA_F_NET_BYTEORDER != 0)
            .prop_map(BridgeAttr::Unknown),
    ]
}

fn link_info() -> impl Strategy<Value = LinkInfo> {
    let peer = (header(), prop::collection::vec(simple_attr(), 0..4))
        .prop_map(|(header, attrs)| LinkMessage { header, attrs });
    let port = prop_oneof![
        any::<u8>().prop_map(BridgePortAttr::State),
        any::<u32>().prop_map(BridgePortAttr::Cost),
        Just(BridgePortAttr::Flush),
    ];
    prop_oneof![
        peer.prop_map(LinkInfo::veth),
        prop::collection::vec(bridge_attr(), 0..6).prop_map(LinkInfo::bridge),
        any::<u32>().prop_map(|m| LinkInfo::macvlan(m.into())),
        (any::<u32>(), any::<u16>(), any::<[u8; 4]>()).prop_map(|(id, port, ip)| {
            LinkInfo::vxlan(vec![
                VxlanAttr::Id(id),
                VxlanAttr::Port(port),
                VxlanAttr::Local(ip.into()),
                VxlanAttr::Gpe,
            ])
        }),
        (
            "[a-z]{1,8}",
            any::<bool>(),
            prop::collection::vec(any::<u8>(), 0..12),
            any::<bool>()
        )
            .prop_map(|(name, nul, data, slave)| {
                let mut info = LinkInfo {
                    attrs: vec![InfoAttr::Kind {
                        name: format!("x{name}"),
                        nul,
                    }],
                };
                info.attrs.push(InfoAttr::Data(InfoData::Other(data)));
                if slave {
                    info.attrs.push(InfoAttr::SlaveKind {
                        name: "bridge".into(),
                        nul: true,
                    });
                }
                info
            }),
    ]
    .prop_flat_map(move |info| {
        let slave = info.slave_kind().is_some();
        prop::collection::vec(port.clone(), 0..4).prop_map(move |ports| {
            let mut info = info.clone();
            if slave {
                info.attrs
                    .push(InfoAttr::SlaveData(SlaveData::Bridge(ports)));
            }
            info
        })
    })
}

fn link_message() -> impl Strategy<Value = LinkMessage> {
    let attr = prop_oneof![
        4 => simple_attr(),
        1 => link_info().prop_map(LinkAttr::LinkInfo),
    ];
    (header(), prop::collection::vec(attr, 0..8))
        .prop_map(|(header, attrs)| LinkMessage { header, attrs })
}

proptest! {
    #[test]
    fn parse_of_emit_is_identity(m in link_message()) {
        let bytes = m.to_vec().unwrap();
        prop_assert_eq!(bytes.len(), m.buffer_len());
        let back = LinkMessage::parse(&bytes).unwrap();
        prop_assert_eq!(&back, &m);
        prop_assert_eq!(back.to_vec().unwrap(), bytes);
    }

    #[test]
    fn emit_one_byte_short_fails(m in link_message()) {
        let mut buf = vec![0u8; m.buffer_len() - 1];
        prop_assert!(m.emit_to_slice(&mut buf).is_err());
    }

    #[test]
    fn parse_never_panics_and_round_trips_what_it_accepts(
        bytes in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        if let Ok(m) = LinkMessage::parse(&bytes) {
            let again = LinkMessage::parse(&m.to_vec().unwrap()).unwrap();
            prop_assert_eq!(again, m);
        }
    }
}
