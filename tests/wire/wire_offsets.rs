//! Offsets near `usize::MAX` (issue 11, defect 2): a caller may start an attribute walk at
//! any base (`AttrIter::with_base`), and every offset the codec derives from it (value
//! offsets, nests, next hops, a veth peer's message) saturates instead of overflowing. No
//! input bytes can reach these offsets, but the codec promises no panic for any argument;
//! these tests run with overflow checks on (the test profile's default).

use netplumb::wire::attr::walk;
use netplumb::wire::builder::attr_size;
use netplumb::wire::link::{
    IFLA_IFNAME, IFLA_INFO_DATA, IFLA_INFO_KIND, IFLA_LINKINFO, LinkAttr, VETH_INFO_PEER,
};
use netplumb::wire::route::{
    NextHopIter, RTA_GATEWAY, RTA_METRICS, RTA_MULTIPATH, RTAX_MTU, RouteAttr,
};
use netplumb::wire::{Attr, AttrIter, DecodeError};

/// Bases from which adding a header (4 bytes) or more would overflow.
const BASES: [usize; 4] = [usize::MAX - 4, usize::MAX - 3, usize::MAX - 1, usize::MAX];

fn attr(kind: u16, value: &[u8]) -> Vec<u8> {
    let len = u16::try_from(value.len() + 4).unwrap();
    let mut v = len.to_ne_bytes().to_vec();
    v.extend_from_slice(&kind.to_ne_bytes());
    v.extend_from_slice(value);
    v.resize(v.len().next_multiple_of(4), 0);
    v
}

fn first(bytes: &[u8], base: usize) -> Attr<'_> {
    AttrIter::with_base(bytes, base).next().unwrap().unwrap()
}

#[test]
fn value_offset_saturates() {
    let b = attr(1, &[1, 2, 3, 4]);
    for base in BASES {
        let a = first(&b, base);
        assert_eq!(a.offset(), base);
        assert_eq!(a.value_offset(), base.saturating_add(4));
    }
}

#[test]
fn nests_saturate_and_errors_keep_a_saturated_offset() {
    let inner = attr(2, &7u32.to_ne_bytes());
    let outer = attr(1 | 0x8000, &attr(3 | 0x8000, &inner));
    for base in BASES {
        let mut seen = Vec::new();
        walk(AttrIter::with_base(&outer, base), &|_| false, &mut |a| {
            seen.push((a.kind(), a.offset(), a.value_offset()))
        })
        .unwrap();
        let at = |n: usize| base.saturating_add(n);
        assert_eq!(
            seen,
            [(1, at(0), at(4)), (3, at(4), at(8)), (2, at(8), at(12))]
        );
        // A malformed attribute inside the nest: an error, with its offset saturated.
        let bad = attr(1 | 0x8000, &[9, 0, 1, 0]);
        let e = first(&bad, base)
            .nested()
            .unwrap()
            .next()
            .unwrap()
            .unwrap_err();
        assert!(matches!(e, DecodeError::BadAttrLen { len: 9, .. }), "{e:?}");
        assert_eq!(e.offset(), base.saturating_add(4));
    }
}

#[test]
fn metrics_and_multipath_saturate() {
    let metrics = attr(RTA_METRICS, &attr(RTAX_MTU, &1400u32.to_ne_bytes()));
    // One struct rtnexthop (len 16: header + RTA_GATEWAY) then its gateway.
    let gw = attr(RTA_GATEWAY, &[198, 18, 0, 1]);
    let mut nh = 16u16.to_ne_bytes().to_vec();
    nh.extend_from_slice(&[0, 0]);
    nh.extend_from_slice(&3u32.to_ne_bytes());
    nh.extend_from_slice(&gw);
    let multipath = attr(RTA_MULTIPATH, &nh);
    for base in BASES {
        let a = first(&metrics, base);
        assert!(matches!(RouteAttr::parse(&a), Ok(RouteAttr::Metrics(m)) if m.len() == 1));
        let a = first(&multipath, base);
        let hops: Vec<_> = NextHopIter::new(&a).collect::<Result<_, _>>().unwrap();
        assert_eq!(hops.len(), 1);
        assert_eq!(hops[0].offset(), base.saturating_add(4));
        let gws: Vec<_> = hops[0].attrs().collect::<Result<_, _>>().unwrap();
        assert_eq!(gws[0].offset(), usize::MAX);
        match RouteAttr::parse(&a) {
            Ok(RouteAttr::Multipath(h)) => assert_eq!(h.len(), 1),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn veth_peer_saturates() {
    let mut peer = vec![0u8; 16]; // struct ifinfomsg
    peer.extend_from_slice(&attr(IFLA_IFNAME, b"p1\0"));
    let data = attr(IFLA_INFO_DATA, &attr(VETH_INFO_PEER, &peer));
    let mut info = attr(IFLA_INFO_KIND, b"veth\0");
    info.extend_from_slice(&data);
    let linkinfo = attr(IFLA_LINKINFO, &info);
    for base in BASES {
        let a = first(&linkinfo, base);
        let parsed = LinkAttr::parse(&a).unwrap();
        assert!(format!("{parsed:?}").contains("\"p1\""), "{parsed:?}");
    }
}

#[test]
fn attr_size_saturates() {
    assert_eq!(attr_size(0), 4);
    assert_eq!(attr_size(5), 12);
    assert!(attr_size(usize::MAX) >= usize::MAX - 3);
    assert!(attr_size(usize::MAX - 3) >= usize::MAX - 3);
}
