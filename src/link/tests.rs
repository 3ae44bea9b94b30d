//! Requests built without the kernel: compared byte for byte with what iproute2 sends
//! (the captures in tests/fixtures/link/), and checked field by field.

use super::*;
use crate::MacAddr;
use crate::socket::Batch;
use crate::wire::link::{BridgePortAttr, InfoAttr, SlaveData, VethAttr};
use crate::wire::nlmsg::{RTM_DELLINK, RTM_NEWLINK};
use crate::wire::{Emit, hex};
use std::os::fd::{AsFd, AsRawFd};

/// The payload (after nlmsghdr) of a captured request.
fn ip_request(text: &str) -> Vec<u8> {
    let bytes = hex::parse(text).unwrap();
    bytes[16..].to_vec()
}

fn one(mut v: Vec<LinkRequest>) -> LinkRequest {
    assert_eq!(v.len(), 1, "{v:?}");
    v.pop().unwrap()
}

#[test]
fn veth_request_is_what_ip_sends() {
    let r = LinkSpec::veth("veth0", "veth1").to_request().unwrap();
    assert_eq!(r.msg_type, RTM_NEWLINK);
    assert_eq!(r.flags, NlmsgFlags::CREATE | NlmsgFlags::EXCL);
    let want = ip_request(include_str!("../../tests/fixtures/link/request-veth.hex"));
    assert_eq!(r.message.to_vec().unwrap(), want);
}

#[test]
fn bridge_request_is_what_ip_sends() {
    let r = LinkSpec::bridge("br0").to_request().unwrap();
    let want = ip_request(include_str!("../../tests/fixtures/link/request-bridge.hex"));
    assert_eq!(r.message.to_vec().unwrap(), want);
}

#[test]
fn macvlan_request_is_what_ip_sends() {
    // `ip link add mv0 link veth1 type macvlan mode bridge`, veth1 being index 2.
    let r = LinkSpec::macvlan("mv0", 2u32, MacvlanMode::Bridge)
        .to_request()
        .unwrap();
    let want = ip_request(include_str!(
        "../../tests/fixtures/link/request-macvlan.hex"
    ));
    assert_eq!(r.message.to_vec().unwrap(), want);
}

#[test]
fn vxlan_request_is_what_ip_sends() {
    // ip sends `learning 1` unless told `nolearning`.
    let vx = Vxlan::new(42)
        .local("198.18.0.1".parse().unwrap())
        .learning(true)
        .port(4789);
    let r = LinkSpec::new("vx0", vx).to_request().unwrap();
    let want = ip_request(include_str!("../../tests/fixtures/link/request-vxlan.hex"));
    assert_eq!(r.message.to_vec().unwrap(), want);
}

#[test]
fn master_change_is_what_ip_sends() {
    // `ip link set veth0 master br0`, veth0 index 3 and br0 index 4.
    let r = one(LinkChange::new().master(4u32).to_requests(3u32).unwrap());
    assert_eq!(r.msg_type, RTM_NEWLINK);
    assert_eq!(r.flags, NlmsgFlags::empty());
    let want = ip_request(include_str!("../../tests/fixtures/link/request-master.hex"));
    assert_eq!(r.message.to_vec().unwrap(), want);
}

#[test]
fn veth_with_everything() {
    let ns = crate::NetNs::current().unwrap();
    let fd = ns.as_fd().as_raw_fd() as u32;
    let spec = LinkSpec::new(
        "a",
        Veth::new("b")
            .mtu(1300)
            .address(MacAddr([2, 0, 0, 0, 0, 2]))
            .txqlen(7)
            .group(4)
            .netns(&ns),
    )
    .mtu(1400)
    .address(MacAddr([2, 0, 0, 0, 0, 1]))
    .txqlen(8)
    .group(3)
    .master(9u32)
    .netns(NetNsRef::Pid(77))
    .up();
    let m = spec.to_request().unwrap().message;
    assert_eq!(m.header.flags, IfFlags::UP);
    assert_eq!(m.header.change_mask, IfFlags::UP);
    assert_eq!(m.index(), 0);
    let want = [
        LinkAttr::IfName("a".into()),
        LinkAttr::Mtu(1400),
        LinkAttr::Address(vec![2, 0, 0, 0, 0, 1]),
        LinkAttr::TxQueueLen(8),
        LinkAttr::Group(3),
        LinkAttr::Master(9),
        LinkAttr::NetNsPid(77),
    ];
    assert_eq!(&m.attrs[..7], &want);
    let peer = m.info().unwrap().peer().unwrap();
    assert_eq!(peer.header, crate::wire::link::LinkHeader::new(0));
    assert_eq!(
        peer.attrs,
        [
            LinkAttr::IfName("b".into()),
            LinkAttr::Mtu(1300),
            LinkAttr::Address(vec![2, 0, 0, 0, 0, 2]),
            LinkAttr::TxQueueLen(7),
            LinkAttr::Group(4),
            LinkAttr::NetNsFd(fd),
        ]
    );
    // It encodes, and reads back the same.
    let bytes = m.to_vec().unwrap();
    assert_eq!(LinkMessage::parse(&bytes).unwrap(), m);
}

#[test]
fn bridge_times_go_in_centiseconds() {
    use crate::wire::link::{BridgeAttr, InfoData};
    use std::time::Duration;
    let b = Bridge::new()
        .forward_delay(Duration::from_millis(4_005))
        .hello_time(Duration::from_secs(1))
        .max_age(Duration::from_secs(10))
        .ageing_time(Duration::from_secs(300))
        .stp(true)
        .priority(7)
        .vlan_filtering(false);
    let m = LinkSpec::new("br", b).to_request().unwrap().message;
    let Some(InfoData::Bridge(attrs)) = m.info().unwrap().data() else {
        panic!("{m:?}");
    };
    assert_eq!(
        attrs,
        &[
            BridgeAttr::ForwardDelay(400),
            BridgeAttr::HelloTime(100),
            BridgeAttr::MaxAge(1000),
            BridgeAttr::AgeingTime(30000),
            BridgeAttr::StpState(1),
            BridgeAttr::Priority(7),
            BridgeAttr::VlanFiltering(0),
        ]
    );
    let too_long = Bridge::new().ageing_time(Duration::from_secs(u64::MAX / 4));
    assert!(
        LinkSpec::new("br", too_long)
            .validate()
            .unwrap_err()
            .is_invalid()
    );
}

#[test]
fn vxlan_families_and_device() {
    use crate::wire::link::{InfoData, VxlanAttr};
    let vx = Vxlan::new(7)
        .group("ff05::1".parse().unwrap())
        .local("2001:db8::1".parse().unwrap())
        .dev(5u32)
        .ttl(3)
        .learning(false);
    let m = LinkSpec::new("vx", vx).to_request().unwrap().message;
    let Some(InfoData::Vxlan(attrs)) = m.info().unwrap().data() else {
        panic!("{m:?}");
    };
    assert_eq!(
        attrs,
        &[
            VxlanAttr::Id(7),
            VxlanAttr::Link(5),
            VxlanAttr::Group6("ff05::1".parse().unwrap()),
            VxlanAttr::Local6("2001:db8::1".parse().unwrap()),
            VxlanAttr::Ttl(3),
            VxlanAttr::Learning(0),
        ]
    );
    for bad in [
        Vxlan::new(Vxlan::MAX_VNI + 1),
        Vxlan::new(1)
            .remote("198.18.0.1".parse().unwrap())
            .group("239.0.0.1".parse().unwrap()),
        Vxlan::new(1).remote("0.0.0.0".parse().unwrap()),
        Vxlan::new(1).group("198.18.0.1".parse().unwrap()),
        Vxlan::new(1).local("239.0.0.1".parse().unwrap()),
        Vxlan::new(1)
            .local("2001:db8::1".parse().unwrap())
            .remote("198.18.0.1".parse().unwrap()),
        Vxlan::new(1).dev("bad name"),
    ] {
        assert!(
            LinkSpec::new("vx", bad.clone()).validate().is_err(),
            "{bad:?}"
        );
    }
}

#[test]
fn names_where_indexes_are_needed_are_refused_without_a_handle() {
    let e = LinkSpec::macvlan("mv", "eth0", MacvlanMode::Vepa)
        .to_request()
        .unwrap_err();
    assert!(e.is_invalid() && e.to_string().contains("eth0"), "{e}");
    assert!(LinkSpec::bridge("b").master("br0").to_request().is_err());
    assert!(
        LinkSpec::new("v", Vxlan::new(1).dev("eth0"))
            .to_request()
            .is_err()
    );
    // A rename of a link given by name needs its index.
    assert!(LinkChange::new().name("x").to_requests("eth0").is_err());
    assert!(LinkChange::new().master("br0").to_requests(3u32).is_err());
    // Without a rename, a name is enough: it goes in IFLA_IFNAME.
    let r = one(LinkChange::new().mtu(1400).to_requests("eth0").unwrap());
    assert_eq!(r.message.index(), 0);
    assert_eq!(r.message.name(), Some("eth0"));
    assert_eq!(r.message.mtu(), Some(1400));
}

#[test]
fn change_flags_and_attributes() {
    let r = one(LinkChange::new().up().to_requests(3u32).unwrap());
    assert_eq!(r.message.header.flags, IfFlags::UP);
    assert_eq!(r.message.header.change_mask, IfFlags::UP);
    assert!(r.message.attrs.is_empty());
    let r = one(LinkChange::new().down().to_requests(3u32).unwrap());
    assert_eq!(r.message.header.flags, IfFlags::empty());
    assert_eq!(r.message.header.change_mask, IfFlags::UP);

    let r = one(LinkChange::new()
        .name("eth0")
        .mtu(1400)
        .address(MacAddr([2, 0, 0, 0, 0, 9]))
        .txqlen(5)
        .alias("x")
        .group(2)
        .nomaster()
        .netns(NetNsRef::Pid(1))
        .to_requests(3u32)
        .unwrap());
    assert_eq!(r.message.index(), 3);
    assert_eq!(
        r.message.attrs,
        [
            LinkAttr::IfName("eth0".into()),
            LinkAttr::Mtu(1400),
            LinkAttr::Address(vec![2, 0, 0, 0, 0, 9]),
            LinkAttr::TxQueueLen(5),
            LinkAttr::IfAlias("x".into()),
            LinkAttr::Group(2),
            LinkAttr::Master(0),
            LinkAttr::NetNsPid(1),
        ]
    );
    assert!(
        LinkChange::new()
            .netns(NetNsRef::Pid(0))
            .to_requests(3u32)
            .is_err()
    );
}

#[test]
fn bridge_port_options_go_as_slave_data_after_a_master_change() {
    let port = |m: &LinkMessage| match m.info().map(|i| &i.attrs[..]) {
        Some(
            [
                InfoAttr::SlaveKind { name, .. },
                InfoAttr::SlaveData(SlaveData::Bridge(d)),
            ],
        ) if name == "bridge" => d.clone(),
        other => panic!("{other:?}"),
    };
    let r = one(LinkChange::new()
        .hairpin(true)
        .learning(false)
        .flood(true)
        .to_requests("p0")
        .unwrap());
    assert_eq!(
        port(&r.message),
        [
            BridgePortAttr::Mode(1),
            BridgePortAttr::Learning(0),
            BridgePortAttr::UnicastFlood(1),
        ]
    );
    // It encodes and reads back typed.
    let bytes = r.message.to_vec().unwrap();
    assert_eq!(LinkMessage::parse(&bytes).unwrap(), r.message);

    // With a master change: two requests, the port options second.
    let rs = LinkChange::new()
        .master(4u32)
        .hairpin(false)
        .to_requests(3u32)
        .unwrap();
    assert_eq!(rs.len(), 2);
    assert_eq!(rs[0].message.master(), Some(4));
    assert!(rs[0].message.info().is_none());
    assert_eq!(rs[1].message.index(), 3);
    assert_eq!(port(&rs[1].message), [BridgePortAttr::Mode(0)]);
    // Not together with a move to another namespace.
    assert!(
        LinkChange::new()
            .netns(NetNsRef::Pid(1))
            .flood(true)
            .validate()
            .is_err()
    );
}

#[test]
fn delete_requests() {
    let r = link_del_request(5u32).unwrap();
    assert_eq!((r.msg_type, r.message.index()), (RTM_DELLINK, 5));
    assert!(r.message.attrs.is_empty());
    let r = link_del_request("veth0").unwrap();
    assert_eq!(r.message.index(), 0);
    assert_eq!(r.message.name(), Some("veth0"));
    assert!(link_del_request(0u32).is_err());
    assert!(link_del_request(u32::MAX).is_err());
    let r = link_del_group_request(42).unwrap();
    assert_eq!(r.msg_type, RTM_DELLINK);
    assert_eq!(r.message.index(), 0);
    assert_eq!(r.message.attrs, [LinkAttr::Group(42)]);
    assert!(link_del_group_request(0).unwrap_err().is_invalid());
}

#[test]
fn requests_go_into_a_batch() {
    let mut b = Batch::new();
    let r = LinkSpec::veth("a", "b").to_request().unwrap();
    r.push_to(&mut b).unwrap();
    link_del_request("a").unwrap().push_to(&mut b).unwrap();
    assert_eq!(b.len(), 2);
    let (t, f, m) = r.into_parts();
    assert_eq!((t, f), (RTM_NEWLINK, NlmsgFlags::CREATE | NlmsgFlags::EXCL));
    assert_eq!(m.name(), Some("a"));
}

#[test]
fn spec_validation() {
    let ok = LinkSpec::veth("a", "b");
    assert!(ok.validate().is_ok());
    for bad in [
        LinkSpec::veth("", "b"),
        LinkSpec::veth("a", ""),
        LinkSpec::veth("0123456789abcdef", "b"),
        LinkSpec::veth("a:1", "b"),
        LinkSpec::veth("a", "b").mtu(0),
        LinkSpec::new("a", Veth::new("b").mtu(0)),
        LinkSpec::new("a", Veth::new("b").address(MacAddr([1, 0, 0, 0, 0, 0]))),
        LinkSpec::veth("a", "b").address(MacAddr([0; 6])),
        LinkSpec::veth("a", "b").master(0u32),
        LinkSpec::other("a", "x\0y"),
        LinkSpec::macvlan("a", 0u32, MacvlanMode::Bridge),
    ] {
        let e = bad.validate().unwrap_err();
        assert!(matches!(e, Error::InvalidInput { .. }), "{bad:?}: {e}");
        assert!(bad.to_request().is_err());
    }
    assert_eq!(LinkSpec::ifb("i").kind().name(), "ifb");
    assert_eq!(LinkSpec::other("i", "dummy").kind().name(), "dummy");
    assert_eq!(LinkSpec::veth("a", "b").peer_name(), Some("b"));
    assert_eq!(LinkSpec::bridge("a").peer_name(), None);
    let peer = match LinkSpec::veth("a", "b").kind() {
        LinkKind::Veth(v) => v.name().to_string(),
        k => panic!("{k:?}"),
    };
    assert_eq!(peer, "b");
    let _ = VethAttr::Peer(LinkMessage::new(0));
}

#[test]
fn link_from_messages() {
    let m = LinkMessage::new(3)
        .with(LinkAttr::IfName("eth0".into()))
        .with(LinkAttr::Address(vec![2, 0, 0, 0, 0, 1]))
        .with(LinkAttr::Broadcast(vec![0xff; 6]))
        .with(LinkAttr::Carrier(1))
        .with(LinkAttr::Group(4))
        .with(LinkAttr::LinkNetNsId(0))
        .with(LinkAttr::MinMtu(68))
        .with(LinkAttr::MaxMtu(65535));
    let l = Link::from_message(m.clone()).unwrap();
    assert_eq!((l.index, l.name.as_str()), (3, "eth0"));
    assert_eq!(l.address, Some(MacAddr([2, 0, 0, 0, 0, 1])));
    assert_eq!(l.broadcast, Some(MacAddr([0xff; 6])));
    assert_eq!(l.carrier, Some(true));
    assert_eq!((l.group, l.link_netnsid), (Some(4), Some(0)));
    assert_eq!((l.min_mtu, l.max_mtu), (Some(68), Some(65535)));
    assert!(!l.is_up() && l.kind.is_none() && l.stats.is_none());
    assert_eq!(l.message, m);
    assert_eq!(Link::parse(&m.to_vec().unwrap()).unwrap(), l);
    // A 4-byte link-layer address (ipip) is not a MAC.
    let l = Link::from_message(
        LinkMessage::new(3)
            .with(LinkAttr::IfName("t".into()))
            .with(LinkAttr::Address(vec![198, 18, 0, 1])),
    )
    .unwrap();
    assert_eq!(l.address, None);
    assert!(Link::from_message(LinkMessage::new(3)).is_err());
    assert!(Link::from_message(LinkMessage::new(0).with(LinkAttr::IfName("x".into()))).is_err());
    assert!(Link::parse(&[0; 3]).is_err());
}

#[test]
fn filter_request_and_matching() {
    let f = LinkFilter::new().kind("veth");
    let m = f.request(Some(4)).unwrap();
    assert_eq!(m.header, crate::wire::link::LinkHeader::new(0));
    assert_eq!(m.master(), Some(4));
    assert_eq!(m.kind(), Some("veth"));
    assert!(LinkFilter::new().kind("").request(None).is_err());
    assert!(LinkFilter::new().request(None).unwrap().attrs.is_empty());

    let mut veth = LinkMessage::new(2)
        .with(LinkAttr::IfName("v".into()))
        .with(LinkAttr::Master(4))
        .with(LinkAttr::LinkInfo(LinkInfo::new("veth")));
    veth.header.flags = IfFlags::UP;
    let l = Link::from_message(veth).unwrap();
    assert!(f.matches(&l, Some(4)));
    assert!(!f.matches(&l, Some(5)));
    assert!(!LinkFilter::new().kind("bridge").matches(&l, None));
    assert!(LinkFilter::new().up(true).matches(&l, None));
    assert!(!LinkFilter::new().up(false).matches(&l, None));
    // No IFLA_GROUP means the default group.
    assert!(LinkFilter::new().group(0).matches(&l, None));
    assert!(!LinkFilter::new().group(1).matches(&l, None));
}

#[test]
fn link_refs() {
    assert_eq!(LinkRef::from("a").to_string(), "a");
    assert_eq!(LinkRef::from(3u32).to_string(), "index 3");
    let s = String::from("x");
    assert_eq!(
        LinkRef::from(&s).into_owned(),
        LinkRef::from("x".to_string())
    );
    assert!(LinkRef::from(0u32).validate().is_err());
    assert!(LinkRef::from("a b").validate().is_err());
    assert!(NetNsRef::Pid(0).to_attr().is_err());
    assert_eq!(NetNsRef::Pid(9).to_attr().unwrap(), LinkAttr::NetNsPid(9));
}
