//! Tests: what the docs say is refused "before anything is sent" is refused with nothing
//! sent (issue 11). Each call goes to a handle over the fake transport, which records every
//! datagram and answers none: a call that sent a lookup first (`RTM_GETLINK` for a name)
//! would show up in `sent`, or fail with a transport error instead of `InvalidInput`.

use crate::addr::AddrSpec;
use crate::link::{LinkChange, LinkRef, LinkSpec, MacvlanMode, NetNsRef, Veth};
use crate::neigh::NeighSpec;
use crate::route::{NextHopSpec, RouteSpec};
use crate::socket::fake;
use crate::{Handle, IpNet, MacAddr, Result};

fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}

/// A named call on a handle.
type Case<'a> = (&'a str, Box<dyn Fn(&Handle) -> Result<()>>);

/// Runs each call on a fresh fake handle and checks it was refused as invalid input
/// without a datagram going out.
fn refused(cases: Vec<Case<'_>>) {
    let mut wrong = Vec::new();
    for (what, call) in cases {
        let (sock, state) = fake::socket();
        let h = Handle::from_socket(sock);
        let r = call(&h);
        let sent = state.lock().unwrap().sent.len();
        if sent != 0 || !matches!(&r, Err(e) if e.is_invalid()) {
            wrong.push(format!("{what}: {sent} sent, {r:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

const LONG16: &str = "0123456789abcdef";

#[test]
fn link_requests() {
    let long128 = "a".repeat(128);
    let pid0 = || NetNsRef::Pid(0);
    refused(vec![
        (
            "new name of 16 bytes",
            Box::new(|h| h.link_add(&LinkSpec::veth(LONG16, "p"))),
        ),
        (
            "peer name of 16 bytes",
            Box::new(|h| h.link_add(&LinkSpec::veth("v", LONG16))),
        ),
        (
            "mtu 0",
            Box::new(|h| h.link_add(&LinkSpec::veth("v", "p").mtu(0))),
        ),
        (
            "multicast MAC",
            Box::new(|h| {
                h.link_add(&LinkSpec::veth("v", "p").address(MacAddr([1, 0, 0, 0, 0, 1])))
            }),
        ),
        (
            "peer mtu 0",
            Box::new(|h| h.link_add(&LinkSpec::new("v", Veth::new("p").mtu(0)))),
        ),
        (
            "pid 0 after a parent by name",
            Box::new(move |h| {
                h.link_add(&LinkSpec::macvlan("m", "eth0", MacvlanMode::Bridge).netns(pid0()))
            }),
        ),
        (
            "pid 0 after a master by name",
            Box::new(move |h| h.link_add(&LinkSpec::veth("v", "p").master("br0").netns(pid0()))),
        ),
        (
            "rename to 16 bytes",
            Box::new(|h| h.link_rename("veth0", LONG16)),
        ),
        ("set mtu 0", Box::new(|h| h.link_set_mtu("veth0", 0))),
        (
            "pid 0 after a rename",
            Box::new(move |h| h.link_set("veth0", &LinkChange::new().name("x").netns(pid0()))),
        ),
        (
            "pid 0 after a master by name",
            Box::new(move |h| h.link_set("veth0", &LinkChange::new().master("br0").netns(pid0()))),
        ),
        (
            "reference of 128 bytes",
            Box::new(move |h| h.link_set_mtu(long128.as_str(), 1400)),
        ),
        ("reference with ':'", Box::new(|h| h.link_up("veth0:1"))),
        ("index 0", Box::new(|h| h.link_up(LinkRef::Index(0)))),
        ("delete group 0", Box::new(|h| h.link_del_group(0))),
        ("delete a/b", Box::new(|h| h.link_del("a/b"))),
    ]);
}

#[test]
fn addr_route_neigh_requests() {
    let v4 = || AddrSpec::new(net("198.18.0.1/24"));
    refused(vec![
        (
            "label of another device",
            Box::new(move |h| h.addr_add("veth0", &v4().label("x:1"))),
        ),
        (
            "preferred > valid",
            Box::new(move |h| h.addr_add("veth0", &v4().lifetimes(1, 2))),
        ),
        (
            "nodad on IPv4",
            Box::new(move |h| h.addr_replace("veth0", &v4().nodad())),
        ),
        (
            "delete on dev a/b",
            Box::new(move |h| h.addr_del("a/b", v4())),
        ),
        (
            "weight 0",
            Box::new(|h| {
                let nh = NextHopSpec::via("198.18.0.2".parse().unwrap()).weight(0);
                h.route_add(&RouteSpec::new(net("198.18.9.0/24")).nexthop(nh))
            }),
        ),
        (
            "bad next-hop device after a good one",
            Box::new(|h| {
                let gw = "198.18.0.2".parse().unwrap();
                let spec = RouteSpec::new(net("198.18.9.0/24"))
                    .nexthop(NextHopSpec::via(gw).dev("veth0"))
                    .nexthop(NextHopSpec::via(gw).dev("a/b"));
                h.route_add(&spec)
            }),
        ),
        (
            "a device next to next hops",
            Box::new(|h| {
                let nh = NextHopSpec::via("198.18.0.2".parse().unwrap());
                h.route_add(
                    &RouteSpec::new(net("198.18.9.0/24"))
                        .dev("veth0")
                        .nexthop(nh),
                )
            }),
        ),
        (
            "route device a/b",
            Box::new(|h| h.route_add(&RouteSpec::new(net("198.18.9.0/24")).dev("a/b"))),
        ),
        (
            "neighbour on dev a/b",
            Box::new(|h| h.neigh_add("a/b", &NeighSpec::new("198.18.0.9".parse().unwrap()))),
        ),
        (
            "fdb vni over 24 bits",
            Box::new(|h| {
                h.neigh_add(
                    "vx0",
                    &NeighSpec::fdb(MacAddr([2, 0, 0, 0, 0, 1])).vni(1 << 24),
                )
            }),
        ),
    ]);
}
