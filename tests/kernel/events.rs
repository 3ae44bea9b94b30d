//! Kernel tests for `netplumb::events`: every test watches its own TestNs, makes changes with
//! `ip -n NS ...` (or a batch on a handle) and checks the events against what `ip -j` reports.
use crate::common;
use common::ip;
use common::{TestNs, dump_link_names, veth};
use netplumb::Error;
use netplumb::events::{Event, Group, Monitor};
use netplumb::socket::BatchMode;
use netplumb::wire::NlmsgFlags;
use netplumb::wire::link::{IFLA_IFNAME, LinkMessageBuffer};
use netplumb::wire::neigh::NeighState;
use netplumb::wire::nlmsg::{RTM_DELLINK, RTM_NEWLINK, RTM_NEWQDISC};
use netplumb::{Batch, Handle};
use std::collections::BTreeSet;
use std::net::IpAddr;
use std::ops::ControlFlow;
use std::time::Duration;

/// How long one read may wait: a bound against hanging, not a timing assertion.
const WAIT: Duration = Duration::from_secs(10);
/// At most this many unrelated events are skipped while waiting for an expected one.
const MAX_SKIPPED: usize = 5000;

fn monitor(t: &TestNs, groups: &[Group]) -> Monitor {
    Monitor::in_netns(t.ns(), groups)
        .and_then(|m| m.with_timeout(Some(WAIT)))
        .expect("open a monitor in the test namespace")
}

/// Reads events until `pick` returns `Some`; panics on any error or after MAX_SKIPPED.
fn wait_for<T>(m: &mut Monitor, what: &str, mut pick: impl FnMut(&Event) -> Option<T>) -> T {
    for _ in 0..MAX_SKIPPED {
        let ev = m
            .next_event()
            .unwrap_or_else(|e| panic!("waiting for {what}: {e}"));
        if let Some(v) = pick(&ev) {
            return v;
        }
    }
    panic!("{what} did not come within {MAX_SKIPPED} events");
}

fn ifindex(t: &TestNs, dev: &str) -> i32 {
    let j = t.ip_json(&["link", "show", "dev", dev]);
    j[0]["ifindex"].as_i64().expect("ifindex") as i32
}

fn veth_pair(t: &TestNs, a: &str, b: &str) {
    t.ip(&["link", "add", a, "type", "veth", "peer", "name", b]);
}

/// The names of the links that `events` of kind `want` (New or Del) name, until both
/// `a` and `b` have been seen; returns the indexes by name.
fn wait_link_pair(m: &mut Monitor, new: bool, a: &str, b: &str) -> Vec<(String, i32)> {
    let mut seen: Vec<(String, i32)> = Vec::new();
    while seen.len() < 2 {
        let (name, index) = wait_for(m, &format!("link events for {a} and {b}"), |ev| {
            let l = match (ev, new) {
                (Event::NewLink(l), true) | (Event::DelLink(l), false) => l,
                _ => return None,
            };
            let name = l.name()?.to_string();
            ((name == a || name == b) && !seen.iter().any(|(n, _)| *n == name))
                .then(|| (name, l.index()))
        });
        seen.push((name, index));
    }
    seen.sort();
    seen
}

#[test]
fn link_events_name_both_veth_ends_on_add_and_delete() {
    let Some(t) = TestNs::new("link_events_name_both_veth_ends_on_add_and_delete") else {
        return;
    };
    let mut m = monitor(&t, &[Group::Link]);
    veth_pair(&t, "npa0", "npa1");
    let added = wait_link_pair(&mut m, true, "npa0", "npa1");
    let want = vec![
        ("npa0".to_string(), ifindex(&t, "npa0")),
        ("npa1".to_string(), ifindex(&t, "npa1")),
    ];
    assert_eq!(added, want);

    // Deleting one end of a veth deletes both.
    t.ip(&["link", "del", "npa0"]);
    let deleted = wait_link_pair(&mut m, false, "npa0", "npa1");
    assert_eq!(deleted, want);
    assert_eq!(t.ip_link_names(), vec!["lo"]);
}

#[test]
fn address_events_v4_and_v6_carry_the_prefix() {
    let Some(t) = TestNs::new("address_events_v4_and_v6_carry_the_prefix") else {
        return;
    };
    veth_pair(&t, "npb0", "npb1");
    let index = ifindex(&t, "npb0") as u32;
    let mut m = monitor(&t, &[Group::Ipv4Addr, Group::Ipv6Addr]);

    let cases = [
        ("198.18.1.1/24", ip("198.18.1.1"), 24, libc::AF_INET),
        ("2001:db8:1::1/64", ip("2001:db8:1::1"), 64, libc::AF_INET6),
    ];
    for (cidr, addr, len, family) in cases {
        t.ip(&["addr", "add", cidr, "dev", "npb0", "nodad"]);
        let a = wait_for(&mut m, &format!("NewAddress {cidr}"), |ev| match ev {
            Event::NewAddress(a) if a.prefix() == Some((addr, len)) => Some(a.clone()),
            _ => None,
        });
        assert_eq!(a.header.index, index);
        assert_eq!(a.header.family, family as u8);
        // ip agrees.
        let j = t.ip_json(&["addr", "show", "dev", "npb0"]);
        let listed = j[0]["addr_info"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["local"] == addr.to_string() && i["prefixlen"] == len);
        assert!(listed, "{cidr} not in {j}");
    }
    for (cidr, addr, len, _) in cases {
        t.ip(&["addr", "del", cidr, "dev", "npb0"]);
        let a = wait_for(&mut m, &format!("DelAddress {cidr}"), |ev| match ev {
            Event::DelAddress(a) if a.prefix() == Some((addr, len)) => Some(a.clone()),
            // The address must not be announced again before its removal.
            Event::NewAddress(a) if a.prefix() == Some((addr, len)) => {
                panic!("NewAddress {cidr} again")
            }
            _ => None,
        });
        assert_eq!(a.header.index, index);
    }
}

#[test]
fn route_events_v4_and_v6() {
    let Some(t) = TestNs::new("route_events_v4_and_v6") else {
        return;
    };
    veth_pair(&t, "npc0", "npc1");
    t.ip(&["link", "set", "npc0", "up"]);
    t.ip(&["link", "set", "npc1", "up"]);
    t.ip(&["addr", "add", "198.18.2.1/24", "dev", "npc0"]);
    t.ip(&["addr", "add", "2001:db8:2::1/64", "dev", "npc0", "nodad"]);
    let oif = ifindex(&t, "npc0") as u32;
    let mut m = monitor(&t, &[Group::Ipv4Route, Group::Ipv6Route]);

    // (ip arguments, destination, prefix length, gateway)
    let cases: [(&[&str], IpAddr, u8, Option<IpAddr>); 4] = [
        (
            &["route", "add", "198.18.5.0/24", "dev", "npc0"],
            ip("198.18.5.0"),
            24,
            None,
        ),
        (
            &["route", "add", "198.18.6.0/24", "via", "198.18.2.2"],
            ip("198.18.6.0"),
            24,
            Some(ip("198.18.2.2")),
        ),
        (
            &["-6", "route", "add", "2001:db8:5::/64", "dev", "npc0"],
            ip("2001:db8:5::"),
            64,
            None,
        ),
        (
            &[
                "-6",
                "route",
                "add",
                "2001:db8:6::/64",
                "via",
                "2001:db8:2::2",
            ],
            ip("2001:db8:6::"),
            64,
            Some(ip("2001:db8:2::2")),
        ),
    ];
    for (args, dst, len, gw) in cases {
        t.ip(args);
        let r = wait_for(&mut m, &format!("NewRoute {dst}/{len}"), |ev| match ev {
            Event::NewRoute(r) if r.destination() == Some((dst, len)) => Some(r.clone()),
            _ => None,
        });
        assert_eq!(r.table(), 254, "main table");
        assert_eq!(r.oif(), Some(oif));
        assert_eq!(r.gateway(), gw);
    }
    let j = t.ip_json(&["route", "show", "198.18.6.0/24"]);
    assert_eq!(j[0]["gateway"], "198.18.2.2");

    for (args, dst, len, _) in cases {
        let mut del: Vec<&str> = args.to_vec();
        let at = del.iter().position(|a| *a == "add").unwrap();
        del[at] = "del";
        t.ip(&del);
        let r = wait_for(&mut m, &format!("DelRoute {dst}/{len}"), |ev| match ev {
            Event::DelRoute(r) if r.destination() == Some((dst, len)) => Some(r.clone()),
            _ => None,
        });
        assert_eq!(r.oif(), Some(oif));
    }
    let left = t.ip_json(&["route", "show", "198.18.5.0/24"]);
    assert_eq!(left.as_array().unwrap().len(), 0);
}

#[test]
fn neighbour_events_v4_and_v6() {
    let Some(t) = TestNs::new("neighbour_events_v4_and_v6") else {
        return;
    };
    veth_pair(&t, "npd0", "npd1");
    t.ip(&["link", "set", "npd0", "up"]);
    let index = ifindex(&t, "npd0");
    let mut m = monitor(&t, &[Group::Neigh]);

    let mac = [0x02, 0, 0, 0, 0x0d, 0x02];
    for dst in ["198.18.3.2", "2001:db8:3::2"] {
        t.ip(&[
            "neigh",
            "add",
            dst,
            "lladdr",
            "02:00:00:00:0d:02",
            "dev",
            "npd0",
            "nud",
            "permanent",
        ]);
        let n = wait_for(&mut m, &format!("NewNeigh {dst}"), |ev| match ev {
            Event::NewNeigh(n) if n.destination() == Some(ip(dst)) => Some(n.clone()),
            _ => None,
        });
        assert_eq!(n.header.ifindex, index);
        assert_eq!(n.mac(), Some(mac));
        assert!(n.header.state.contains(NeighState::PERMANENT));
        let j = t.ip_json(&["neigh", "show", dst, "dev", "npd0"]);
        assert_eq!(j[0]["lladdr"], "02:00:00:00:0d:02");
    }
    t.ip(&["neigh", "del", "198.18.3.2", "dev", "npd0"]);
    let n = wait_for(&mut m, "DelNeigh 198.18.3.2", |ev| match ev {
        Event::DelNeigh(n) if n.destination() == Some(ip("198.18.3.2")) => Some(n.clone()),
        _ => None,
    });
    assert_eq!(n.header.ifindex, index);
}

#[test]
fn other_message_types_come_raw() {
    let Some(t) = TestNs::new("other_message_types_come_raw") else {
        return;
    };
    // Rules are typed events now (tests/kernel/rule.rs); qdiscs still come raw.
    let mut m = monitor(&t, &[Group::Tc]);
    let out = std::process::Command::new("tc")
        .args(["-n", t.name(), "qdisc", "add", "dev", "lo", "ingress"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = wait_for(&mut m, "RTM_NEWQDISC", |ev| match ev {
        Event::Other { msg_type, bytes } if *msg_type == RTM_NEWQDISC => Some(bytes.clone()),
        _ => None,
    });
    // struct tcmsg: family, 3 bytes of padding, tcm_ifindex (lo is 1), ...
    assert_eq!(bytes[0], libc::AF_UNSPEC as u8);
    assert_eq!(i32::from_ne_bytes(bytes[4..8].try_into().unwrap()), 1);
}

#[test]
fn events_of_another_namespace_are_not_seen() {
    let Some(a) = TestNs::new("events_of_another_namespace_are_not_seen") else {
        return;
    };
    let Some(b) = TestNs::new("events_of_another_namespace_are_not_seen") else {
        return;
    };
    let mut m = monitor(&a, Group::DEFAULT);
    // b's changes come first: if the monitor saw them, they would precede a's.
    veth_pair(&b, "npe0", "npe1");
    b.ip(&["addr", "add", "198.18.7.1/24", "dev", "npe0"]);
    b.ip(&["link", "set", "npe0", "up"]);
    veth_pair(&a, "npf0", "npf1");
    let mut names = BTreeSet::new();
    while !(names.contains("npf0") && names.contains("npf1")) {
        let ev = m.next_event().expect("a's events");
        match &ev {
            Event::NewLink(l) | Event::DelLink(l) => {
                names.insert(l.name().unwrap_or_default().to_string());
            }
            other => panic!("an event a did not cause: {other:?}"),
        }
    }
    assert_eq!(names, BTreeSet::from(["npf0".into(), "npf1".into()]));
    // Nothing else is queued, and a change in b later is not seen either.
    b.ip(&["link", "del", "npe0"]);
    assert_eq!(m.drain_all().unwrap(), 0);
}

#[test]
fn monitor_overrun_then_drain_redump_and_later_events() {
    let Some(t) = TestNs::new("monitor_overrun_then_drain_redump_and_later_events") else {
        return;
    };
    let mut m = monitor(&t, &[Group::Link]).with_recv_buffer(4096).unwrap();
    assert!(m.recv_buffer().unwrap() < 64 * 1024);

    // A burst of 200 link creations (100 veth pairs) the monitor does not read.
    let h = t.handle();
    let mut b = Batch::new();
    for i in 0..100 {
        b.push(
            RTM_NEWLINK,
            NlmsgFlags::CREATE | NlmsgFlags::EXCL,
            &veth(&format!("ov{i}a"), &format!("ov{i}b"))[..],
        )
        .unwrap();
    }
    let results = h.batch(&b, BatchMode::Force).unwrap();
    assert!(results.iter().all(Result::is_ok), "{results:?}");

    // The loss is reported, after at most the few events that fitted.
    let mut before = 0;
    loop {
        match m.next_event() {
            Ok(_) => before += 1,
            Err(Error::Overrun) => break,
            Err(e) => panic!("expected an overrun after {before} events, got {e}"),
        }
        assert!(before < 200, "200 events read and no overrun");
    }
    // What was queued when the queue overflowed is stale: discard it, then re-dump on
    // another socket.
    let discarded = m.drain(usize::MAX, Duration::from_secs(3600)).unwrap();
    assert!(discarded.emptied);
    assert!(discarded.discarded > 0, "the full queue held events");
    assert_eq!(m.timeout(), Some(WAIT), "drain restores the timeout");
    m.set_recv_buffer(1 << 20).unwrap();
    let names = dump_link_names(&h).unwrap();
    assert_eq!(names, t.ip_link_names());
    assert_eq!(names.len(), 201);

    // Events flow again, and the first ones are the new change's, not stale ones.
    veth_pair(&t, "after0", "after1");
    let mut seen = BTreeSet::new();
    while seen.len() < 2 {
        match m.next_event().expect("events after the resync") {
            Event::NewLink(l) => {
                let name = l.name().unwrap_or_default().to_string();
                assert!(name.starts_with("after"), "stale event for {name}");
                seen.insert(name);
            }
            other => panic!("unexpected event after the resync: {other:?}"),
        }
    }
    t.ip(&["link", "del", "ov7a"]);
    let gone = wait_link_pair(&mut m, false, "ov7a", "ov7b");
    assert_eq!(gone.len(), 2);
}

#[test]
fn timeout_instead_of_hang_and_the_monitor_goes_on() {
    let Some(t) = TestNs::new("timeout_instead_of_hang_and_the_monitor_goes_on") else {
        return;
    };
    let mut m = monitor(&t, Group::DEFAULT)
        .with_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let e = m.next_event().unwrap_err();
    assert!(
        matches!(e, Error::Timeout(d) if d == Duration::from_millis(50)),
        "{e}"
    );
    // As an iterator the timeout is an item, not the end.
    assert!(matches!(m.next(), Some(Err(Error::Timeout(_)))));
    m.set_timeout(Some(WAIT)).unwrap();
    veth_pair(&t, "npg0", "npg1");
    wait_link_pair(&mut m, true, "npg0", "npg1");
}

#[test]
fn raw_events_decode_in_place() {
    let Some(t) = TestNs::new("raw_events_decode_in_place") else {
        return;
    };
    let mut m = monitor(&t, &[Group::Link]);
    veth_pair(&t, "nph0", "nph1");
    let found = m
        .for_each_raw(|kind, payload| {
            let Ok(view) = LinkMessageBuffer::new_checked(payload) else {
                return ControlFlow::Continue(());
            };
            let name = view.attrs().find(IFLA_IFNAME).unwrap().unwrap();
            if kind == RTM_NEWLINK && name.ifname("IFLA_IFNAME").unwrap() == "nph1" {
                ControlFlow::Break(view.index())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap();
    assert_eq!(found, ifindex(&t, "nph1"));
    t.ip(&["link", "del", "nph0"]);
    loop {
        let raw = m.next_raw().unwrap();
        if raw.message_type() == RTM_DELLINK {
            break;
        }
    }
}

#[test]
fn monitor_made_inside_the_namespace_and_unsubscribe() {
    let Some(t) = TestNs::new("monitor_made_inside_the_namespace_and_unsubscribe") else {
        return;
    };
    // Monitor::new on a thread inside the namespace; then read from this thread.
    let mut m = t
        .ns()
        .run(|| Monitor::new(&[Group::Link, Group::Ipv4Addr]))
        .unwrap()
        .unwrap()
        .with_timeout(Some(WAIT))
        .unwrap();
    m.unsubscribe(Group::Link).unwrap();
    // The link events would come before the address event if still subscribed.
    veth_pair(&t, "npi0", "npi1");
    t.ip(&["addr", "add", "198.18.8.1/24", "dev", "npi0"]);
    match m.next_event().unwrap() {
        Event::NewAddress(a) => assert_eq!(a.prefix(), Some((ip("198.18.8.1"), 24))),
        other => panic!("expected the address first, got {other:?}"),
    }
    m.subscribe(Group::Link).unwrap();
    t.ip(&["link", "set", "npi0", "mtu", "1400"]);
    let mtu = wait_for(&mut m, "NewLink npi0 mtu 1400", |ev| match ev {
        Event::NewLink(l) if l.name() == Some("npi0") => l.mtu(),
        _ => None,
    });
    assert_eq!(mtu, 1400);
    // Invalid group lists are refused before any socket is made.
    assert!(Monitor::in_netns(t.ns(), &[]).unwrap_err().is_invalid());
}

#[test]
fn monitor_and_handle_share_nothing() {
    let Some(t) = TestNs::new("monitor_and_handle_share_nothing") else {
        return;
    };
    // Requests on a separate handle while the monitor has unread events: neither side
    // takes the other's messages.
    let mut m = monitor(&t, &[Group::Link]);
    let h: Handle = t.handle();
    h.request(
        RTM_NEWLINK,
        NlmsgFlags::CREATE | NlmsgFlags::EXCL,
        &veth("npj0", "npj1")[..],
    )
    .unwrap();
    assert_eq!(dump_link_names(&h).unwrap(), vec!["lo", "npj0", "npj1"]);
    wait_link_pair(&mut m, true, "npj0", "npj1");
}
