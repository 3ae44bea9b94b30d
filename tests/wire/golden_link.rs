//! Golden fixtures of the LINK family (tests/fixtures/link/, captured by
//! tests/fixtures/capture_link.py): each decodes to the expected values and re-encodes to the
//! same bytes; truncations never panic.

use crate::common;
use common::golden::{decode, encode};
use netplumb::wire::link::*;
use netplumb::wire::message::{Message, Payload};
use netplumb::wire::nlmsg::{NLMSG_DONE, RTM_NEWLINK};
use netplumb::wire::{Builder, DecodeError, Messages, NlmsgFlags};
use std::net::Ipv4Addr;

fn fixture(name: &str) -> Vec<u8> {
    common::golden::fixture(&format!("link/{name}"))
}

const FIXTURES: [&str; 9] = [
    "dump-1.hex",
    "dump-2.hex",
    "dump-3.hex",
    "get-veth0.hex",
    "request-veth.hex",
    "request-bridge.hex",
    "request-master.hex",
    "request-macvlan.hex",
    "request-vxlan.hex",
];

/// The LINK message of `m`, if it is one.
fn link<'m>(m: &'m Message<'_>) -> Option<&'m LinkMessage> {
    match &m.payload {
        Payload::Link(l) => Some(l),
        _ => None,
    }
}

fn links(name: &str) -> Vec<LinkMessage> {
    decode(&fixture(name))
        .unwrap()
        .iter()
        .filter_map(link)
        .cloned()
        .collect()
}

fn by_name<'a>(all: &'a [LinkMessage], name: &str) -> &'a LinkMessage {
    all.iter().find(|l| l.name() == Some(name)).unwrap()
}

#[test]
fn every_fixture_round_trips_byte_for_byte() {
    for f in FIXTURES {
        let bytes = fixture(f);
        let msgs = decode(&bytes).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(encode(&msgs), bytes, "{f}");
    }
}

#[test]
fn dump_decodes_to_the_links_that_were_set_up() {
    let mut all = links("dump-1.hex");
    all.extend(links("dump-2.hex"));
    let names: Vec<_> = all.iter().map(|l| l.name().unwrap()).collect();
    assert_eq!(
        names,
        ["lo", "veth1", "veth0", "br0", "mv0", "vx0", "tp0", "ifb0"]
    );
    let d = fixture("dump-3.hex");
    let dump3 = decode(&d).unwrap();
    assert_eq!(dump3.len(), 1);
    assert_eq!(dump3[0].header.message_type, NLMSG_DONE);
    assert_eq!(dump3[0].header.flags, NlmsgFlags::MULTI);

    for l in &all {
        assert!(l.stats64().is_some(), "{:?}", l.name());
        assert!(l.stats64().unwrap().rx_otherhost_dropped.is_some());
        assert!(
            l.attrs
                .iter()
                .any(|a| matches!(a, LinkAttr::Stats(s) if s.rx_nohandler.is_some()))
        );
        assert!(l.attrs.iter().any(|a| matches!(a, LinkAttr::AfSpec(_))));
    }

    let lo = by_name(&all, "lo");
    assert_eq!(lo.index(), 1);
    assert_eq!(lo.header.link_layer_type, 772); // ARPHRD_LOOPBACK
    assert_eq!(lo.flags(), IfFlags::LOOPBACK);
    assert_eq!(lo.mtu(), Some(65536));
    assert_eq!(lo.operstate(), Some(OperState::Down));
    assert_eq!(lo.address(), Some(&[0u8; 6][..]));
    assert_eq!(lo.kind(), None);
    assert!(lo.attrs.contains(&LinkAttr::Qdisc("noop".into())));

    let veth1 = by_name(&all, "veth1");
    let veth0 = by_name(&all, "veth0");
    let br0 = by_name(&all, "br0");
    for v in [veth0, veth1] {
        assert!(v.is_up());
        assert!(
            v.flags()
                .contains(IfFlags::UP | IfFlags::RUNNING | IfFlags::LOWER_UP)
        );
        assert_eq!(v.operstate(), Some(OperState::Up));
        assert_eq!(v.kind(), Some("veth"));
        assert_eq!(v.mtu(), Some(1500));
        assert_eq!(v.txqlen(), Some(1000));
        assert_eq!(v.broadcast(), Some(&[0xff; 6][..]));
    }
    assert_eq!(
        veth1.address(),
        Some(&[0x16, 0xe9, 0xfc, 0x0b, 0x78, 0x32][..])
    );
    assert_eq!(veth1.link(), Some(veth0.index() as u32));
    assert_eq!(veth0.link(), Some(veth1.index() as u32));
    assert_eq!(veth0.master(), Some(br0.index() as u32));
    // veth sends no IFLA_INFO_DATA; its peer only appears in requests.
    assert_eq!(veth0.info().unwrap().data(), None);

    // veth0 is a bridge port: slave data typed as IFLA_BRPORT_*.
    let info = veth0.info().unwrap();
    assert_eq!(info.slave_kind(), Some("bridge"));
    assert!(matches!(&info.attrs[0], InfoAttr::Kind { name, nul: true } if name == "veth"));
    let Some(SlaveData::Bridge(port)) = info.slave_data() else {
        panic!("{info:?}")
    };
    for want in [
        BridgePortAttr::State(0),
        BridgePortAttr::Priority(32),
        BridgePortAttr::Cost(2),
        BridgePortAttr::Mode(0),
        BridgePortAttr::Guard(0),
        BridgePortAttr::Protect(0),
        BridgePortAttr::FastLeave(0),
        BridgePortAttr::Learning(1),
        BridgePortAttr::UnicastFlood(1),
        BridgePortAttr::McastFlood(1),
        BridgePortAttr::BcastFlood(1),
        BridgePortAttr::ProxyArp(0),
        BridgePortAttr::NeighSuppress(0),
        BridgePortAttr::Isolated(0),
        BridgePortAttr::No(1),
    ] {
        assert!(port.contains(&want), "{want:?}");
    }
    assert!(
        !port.iter().any(|a| matches!(a, BridgePortAttr::Unknown(_))),
        "{port:?}"
    );

    // br0: IFLA_BR_* typed.
    assert_eq!(br0.kind(), Some("bridge"));
    assert_eq!(br0.operstate(), Some(OperState::Down));
    assert_eq!(br0.address(), veth0.address());
    let Some(InfoData::Bridge(br)) = br0.info().unwrap().data() else {
        panic!()
    };
    let mac: [u8; 6] = br0.address().unwrap().try_into().unwrap();
    for want in [
        BridgeAttr::ForwardDelay(1500),
        BridgeAttr::HelloTime(200),
        BridgeAttr::MaxAge(2000),
        BridgeAttr::AgeingTime(30000),
        BridgeAttr::StpState(0),
        BridgeAttr::Priority(32768),
        BridgeAttr::VlanFiltering(0),
        BridgeAttr::GroupFwdMask(0),
        BridgeAttr::BridgeId(BridgeId {
            priority: 0x8000,
            address: mac,
        }),
        BridgeAttr::RootId(BridgeId {
            priority: 0x8000,
            address: mac,
        }),
        BridgeAttr::RootPort(0),
        BridgeAttr::GroupAddr([0x01, 0x80, 0xc2, 0, 0, 0]),
        BridgeAttr::McastSnooping(1),
        BridgeAttr::McastRouter(1),
        BridgeAttr::McastIgmpVersion(2),
        BridgeAttr::McastMldVersion(1),
        BridgeAttr::McastQueryIntvl(12500),
        BridgeAttr::NfCallIptables(0),
        BridgeAttr::HelloTimer(0),
    ] {
        assert!(br.contains(&want), "{want:?}");
    }
    assert!(
        !br.iter().any(|a| matches!(a, BridgeAttr::Unknown(_))),
        "{br:?}"
    );

    let mv0 = by_name(&all, "mv0");
    assert_eq!(mv0.kind(), Some("macvlan"));
    assert_eq!(mv0.link(), Some(veth1.index() as u32));
    let Some(InfoData::Macvlan(mv)) = mv0.info().unwrap().data() else {
        panic!()
    };
    assert_eq!(mv[0], MacvlanAttr::Mode(MacvlanMode::Bridge));
    assert!(mv.contains(&MacvlanAttr::Flags(0)));
    assert!(mv.contains(&MacvlanAttr::BcQueueLen(1000)));

    let vx0 = by_name(&all, "vx0");
    assert_eq!(vx0.kind(), Some("vxlan"));
    let Some(InfoData::Vxlan(vx)) = vx0.info().unwrap().data() else {
        panic!()
    };
    for want in [
        VxlanAttr::Id(42),
        VxlanAttr::Local(Ipv4Addr::new(198, 18, 0, 1)),
        VxlanAttr::Port(4789),
        VxlanAttr::Learning(1),
        VxlanAttr::Ageing(300),
        VxlanAttr::UdpCsum(1),
        VxlanAttr::LocalBypass(1),
        VxlanAttr::PortRange(PortRange { low: 0, high: 0 }),
    ] {
        assert!(vx.contains(&want), "{want:?}");
    }
    // IFLA_VXLAN_RESERVED_BITS is left untyped.
    let unknown: Vec<_> = vx
        .iter()
        .filter(|a| matches!(a, VxlanAttr::Unknown(_)))
        .collect();
    assert_eq!(unknown.len(), 1);
    assert_eq!(unknown[0].kind(), IFLA_VXLAN_RESERVED_BITS);

    let tp0 = by_name(&all, "tp0");
    assert_eq!(tp0.kind(), Some("tun"));
    let Some(InfoData::Tun(tun)) = tp0.info().unwrap().data() else {
        panic!()
    };
    assert!(tun.contains(&TunAttr::Type(2))); // IFF_TAP
    assert!(tun.contains(&TunAttr::Persist(1)));
    assert!(tun.contains(&TunAttr::Pi(0)));

    let ifb0 = by_name(&all, "ifb0");
    assert_eq!(ifb0.kind(), Some("ifb"));
    assert_eq!(ifb0.info().unwrap().data(), None);
    assert_eq!(ifb0.txqlen(), Some(32));
}

#[test]
fn get_reply_is_one_message_about_veth0() {
    let d = fixture("get-veth0.hex");
    let msgs = decode(&d).unwrap();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].header.flags, NlmsgFlags::empty());
    assert_eq!(msgs[0].header.sequence_number, 2);
    let l = link(&msgs[0]).unwrap();
    assert_eq!(l.name(), Some("veth0"));
    assert_eq!(l.index(), 3);
    assert_eq!(l.master(), Some(4));
    let dumped = links("dump-2.hex");
    assert_eq!(by_name(&dumped, "veth0").address(), l.address());
    let s = l.stats64().unwrap();
    assert!(s.rx_packets > 0 && s.rx_bytes > 0, "{s:?}");
}

#[test]
fn veth_request_decodes_and_is_rebuilt_by_hand() {
    let bytes = fixture("request-veth.hex");
    let msgs = decode(&bytes).unwrap();
    assert_eq!(msgs.len(), 1);
    let h = msgs[0].header;
    let want = NlmsgFlags::REQUEST | NlmsgFlags::ACK | NlmsgFlags::EXCL | NlmsgFlags::CREATE;
    assert_eq!(
        (h.message_type, h.flags, h.port_number),
        (RTM_NEWLINK, want, 0)
    );
    let l = link(&msgs[0]).unwrap();
    assert_eq!(l.header, LinkHeader::new(0));
    assert_eq!(l.name(), Some("veth0"));
    assert_eq!(l.kind(), Some("veth"));
    // iproute2 sends the kind without its NUL.
    assert!(matches!(
        &l.info().unwrap().attrs[0],
        InfoAttr::Kind { nul: false, .. }
    ));
    let peer = l.info().unwrap().peer().unwrap();
    assert_eq!(peer.header, LinkHeader::new(0));
    assert_eq!(peer.attrs, [LinkAttr::IfName("veth1".into())]);

    let by_hand = LinkMessage::new(0)
        .with(LinkAttr::IfName("veth0".into()))
        .with(LinkAttr::LinkInfo(LinkInfo::veth(
            LinkMessage::new(0).with(LinkAttr::IfName("veth1".into())),
        )));
    assert_eq!(&by_hand, l);
    let mut b = Builder::new();
    b.message(RTM_NEWLINK, want, h.sequence_number, 0, &by_hand)
        .unwrap();
    assert_eq!(b.as_bytes(), &bytes[..]);
}

/// The other requests `ip` sent during the set-up, rebuilt from typed values.
#[test]
fn ip_requests_decode_typed_and_are_rebuilt_by_hand() {
    let create = NlmsgFlags::REQUEST | NlmsgFlags::ACK | NlmsgFlags::EXCL | NlmsgFlags::CREATE;
    let cases = [
        (
            "request-bridge.hex",
            create,
            LinkMessage::new(0)
                .with(LinkAttr::IfName("br0".into()))
                .with(LinkAttr::LinkInfo(LinkInfo::bridge(vec![]))),
        ),
        (
            "request-master.hex",
            NlmsgFlags::REQUEST | NlmsgFlags::ACK,
            LinkMessage::new(3).with(LinkAttr::Master(4)),
        ),
        (
            "request-macvlan.hex",
            create,
            LinkMessage::new(0)
                .with(LinkAttr::Link(2))
                .with(LinkAttr::IfName("mv0".into()))
                .with(LinkAttr::LinkInfo(LinkInfo::macvlan(MacvlanMode::Bridge))),
        ),
        (
            "request-vxlan.hex",
            create,
            LinkMessage::new(0)
                .with(LinkAttr::IfName("vx0".into()))
                .with(LinkAttr::LinkInfo(LinkInfo::vxlan(vec![
                    VxlanAttr::Id(42),
                    VxlanAttr::Local(Ipv4Addr::new(198, 18, 0, 1)),
                    VxlanAttr::Learning(1),
                    VxlanAttr::Port(4789),
                ]))),
        ),
    ];
    for (f, flags, by_hand) in cases {
        let bytes = fixture(f);
        let msgs = decode(&bytes).unwrap();
        assert_eq!(msgs.len(), 1, "{f}");
        let h = msgs[0].header;
        assert_eq!((h.message_type, h.flags), (RTM_NEWLINK, flags), "{f}");
        assert_eq!(link(&msgs[0]), Some(&by_hand), "{f}");
        let mut b = Builder::new();
        b.message(RTM_NEWLINK, flags, h.sequence_number, 0, &by_hand)
            .unwrap();
        assert_eq!(b.as_bytes(), &bytes[..], "{f}");
    }
}

/// Every prefix of every fixture either fails or, when cut exactly between two messages,
/// decodes to the messages before the cut; none panics.
#[test]
fn every_prefix_errors_or_stops_at_a_message_boundary() {
    for f in FIXTURES {
        let bytes = fixture(f);
        let full = decode(&bytes).unwrap();
        let mut boundaries = vec![0];
        for m in Messages::new(&bytes) {
            let (at, m) = m.unwrap();
            boundaries.push((at + m.length() as usize + 3) & !3);
        }
        for n in 0..bytes.len() {
            match decode(&bytes[..n]) {
                Err(_) => assert!(!boundaries.contains(&n), "{f}: {n}"),
                Ok(msgs) => {
                    let k = boundaries
                        .iter()
                        .position(|&b| b == n)
                        .unwrap_or_else(|| panic!("{f}: {n}"));
                    assert_eq!(msgs[..], full[..k], "{f}: {n}");
                }
            }
        }
    }
}

/// The same for the LINK payload alone: a cut inside an attribute or a nest is an error with
/// an offset inside the payload; a cut between two top-level attributes (with all, some or none of
/// the last one's padding) parses the ones before it.
#[test]
fn every_payload_prefix_errors_or_stops_between_attributes() {
    for f in ["get-veth0.hex", "request-veth.hex"] {
        let bytes = fixture(f);
        let (_, m) = Messages::new(&bytes).next().unwrap().unwrap();
        let payload = m.payload();
        let full = LinkMessage::parse(payload).unwrap();
        let view = LinkMessageBuffer::new_checked(payload).unwrap();
        // (prefix length, attributes complete at that length)
        let mut cuts = vec![(16, 0)];
        for (i, a) in view.attrs().enumerate() {
            let a = a.unwrap();
            let end = a.value_offset() + a.value().len();
            cuts.extend((end..=(end + 3) & !3).map(|n| (n, i + 1)));
        }
        for n in 0..payload.len() {
            let cut = cuts.iter().find(|c| c.0 == n);
            match (LinkMessage::parse(&payload[..n]), cut) {
                (Err(e), None) => assert!(e.offset() <= n, "{f}: {n}: {e}"),
                (Ok(l), Some(&(_, k))) => assert_eq!(l.attrs[..], full.attrs[..k], "{f}: {n}"),
                (r, _) => panic!("{f}: {n}: {r:?}"),
            }
        }
    }
}

#[test]
fn short_ifinfomsg_in_a_datagram_is_truncated_at_its_offset() {
    let mut b = Builder::new();
    b.message(RTM_NEWLINK, NlmsgFlags::MULTI, 1, 0, &&[0u8; 15][..])
        .unwrap();
    let e = decode(b.as_bytes()).unwrap_err();
    assert_eq!(
        e,
        DecodeError::Truncated {
            what: "ifinfomsg",
            offset: 16,
            need: 16,
            have: 15
        }
    );
}
