//! Neighbour operations (`ip neigh`, `bridge fdb`), each test in its own namespace, checked
//! against what `ip -j neigh show` and `bridge -j fdb show` report there.
use crate::common;
use common::TestNs;
use common::golden::first_message;
use common::ip;
use netplumb::neigh::{
    FdbState, NeighFamily, NeighFilter, NeighFlags, NeighSpec, NeighState, Neighbour,
};
use netplumb::sysctl::{Family, Sysctls};
use netplumb::wire::Emit;
use netplumb::wire::nlmsg::{NlmsgFlags, RTM_NEWNEIGH};
use netplumb::{Error, Handle, MacAddr};
use serde_json::Value;
use std::collections::BTreeSet;
use std::net::IpAddr;
use std::process::Command;

fn mac(last: u8) -> MacAddr {
    MacAddr([2, 0, 0, 0, 0, last])
}

/// A namespace with two veth pairs (`veth0`/`veth1`, `veth2`/`veth3`), the second of each
/// pair a port of bridge `br0` (learning off, so that no entry comes and goes by itself),
/// and `vx0`, a VXLAN device (VNI 42, port 4789). Entries stay `reachable` for an hour, and
/// DAD is off.
fn setup(test: &str) -> Option<(TestNs, Handle)> {
    let t = TestNs::new(test)?;
    t.dad_off();
    t.ip(&["link", "add", "br0", "type", "bridge"]);
    for (a, b) in [("veth0", "veth1"), ("veth2", "veth3")] {
        t.add_veth(a, b);
        t.ip(&["link", "set", b, "master", "br0"]);
        t.ip(&["link", "set", b, "type", "bridge_slave", "learning", "off"]);
        for d in [a, b] {
            t.ip(&["link", "set", d, "addrgenmode", "none"]);
            t.ip(&["link", "set", d, "up"]);
        }
    }
    t.ip(&["link", "set", "br0", "addrgenmode", "none"]);
    t.ip(&["link", "set", "br0", "up"]);
    t.ip(&[
        "link",
        "add",
        "vx0",
        "type",
        "vxlan",
        "id",
        "42",
        "dstport",
        "4789",
        "local",
        "198.18.0.1",
    ]);
    // Per device: a namespace other than the first has no neigh/default to inherit from.
    t.ns()
        .run(|| {
            for dev in ["veth0", "veth1", "veth2", "veth3"] {
                for fam in ["ipv4", "ipv6"] {
                    Sysctls::current().set(
                        &format!("net.{fam}.neigh.{dev}.base_reachable_time_ms"),
                        "3600000",
                    )?;
                }
            }
            Ok::<_, netplumb::Error>(())
        })
        .unwrap()
        .unwrap();
    let h = t.handle();
    Some((t, h))
}

/// `ip -j neigh show nud all [proxy] dev DEV [extra...]`.
fn ip_neigh(t: &TestNs, dev: &str, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["neigh", "show", "nud", "all", "dev", dev];
    args.extend_from_slice(extra);
    t.ip_json(&args).as_array().cloned().unwrap_or_default()
}

/// `bridge -j fdb show ARGS...` in the namespace.
fn bridge_fdb(t: &TestNs, args: &[&str]) -> Vec<Value> {
    let out = Command::new("ip")
        .args(["netns", "exec", t.name(), "bridge", "-j", "fdb", "show"])
        .args(args)
        .output()
        .expect("run bridge");
    assert!(
        out.status.success(),
        "bridge fdb show {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn state_names(s: NeighState) -> Vec<&'static str> {
    [
        (NeighState::INCOMPLETE, "INCOMPLETE"),
        (NeighState::REACHABLE, "REACHABLE"),
        (NeighState::STALE, "STALE"),
        (NeighState::DELAY, "DELAY"),
        (NeighState::PROBE, "PROBE"),
        (NeighState::FAILED, "FAILED"),
        (NeighState::NOARP, "NOARP"),
        (NeighState::PERMANENT, "PERMANENT"),
    ]
    .into_iter()
    .filter(|(f, _)| s.contains(*f))
    .map(|(_, n)| n)
    .collect()
}

/// One entry as `ip -j neigh show dev DEV` prints it, rebuilt from ours.
fn as_ip_json(n: &Neighbour) -> Value {
    let mut o = serde_json::Map::new();
    if let Some(d) = n.destination {
        o.insert("dst".into(), d.to_string().into());
    }
    if let Some(m) = n.lladdr {
        o.insert("lladdr".into(), m.to_string().into());
    }
    for (f, name) in [
        (NeighFlags::ROUTER, "router"),
        (NeighFlags::PROXY, "proxy"),
        (NeighFlags::EXT_LEARNED, "extern_learn"),
        (NeighFlags::OFFLOADED, "offload"),
    ] {
        if n.flags.contains(f) {
            o.insert(name.into(), Value::Null);
        }
    }
    if !n.state.is_empty() {
        o.insert("state".into(), state_names(n.state).into());
    }
    Value::Object(o)
}

/// Entries for addresses of the test ranges only: the kernel's own (multicast) entries may
/// appear at any moment as the links send their first IPv6 packets.
fn ours_only(v: Vec<Value>) -> BTreeSet<String> {
    v.into_iter()
        .filter(|j| {
            let d = j["dst"].as_str().unwrap_or("");
            d.starts_with("198.1") || d.starts_with("2001:db8:")
        })
        .map(|j| j.to_string())
        .collect()
}

/// Our listing of `dev` (ARP/NDP, or proxies) equals ip's.
fn assert_neigh_match_ip(t: &TestNs, h: &Handle, dev: &str, proxy: bool) -> Vec<Neighbour> {
    let mut f = NeighFilter::new().dev(dev);
    if proxy {
        f = f.proxy();
    }
    let ours = h.neigh_list(&f).unwrap();
    let extra: &[&str] = if proxy { &["proxy"] } else { &[] };
    let theirs = ours_only(ip_neigh(t, dev, extra));
    assert_eq!(
        ours_only(ours.iter().map(as_ip_json).collect()),
        theirs,
        "{dev}"
    );
    assert!(!theirs.is_empty());
    ours
}

fn find(list: &[Neighbour], dst: &str) -> Neighbour {
    list.iter()
        .find(|n| n.destination == Some(ip(dst)))
        .cloned()
        .unwrap_or_else(|| panic!("no {dst} in {list:#?}"))
}

#[test]
fn add_each_state_and_flag_matches_ip() {
    let Some((t, h)) = setup("add_each_state_and_flag_matches_ip") else {
        return;
    };
    let states = [
        NeighState::PERMANENT,
        NeighState::NOARP,
        NeighState::REACHABLE,
        NeighState::STALE,
    ];
    for (i, s) in states.into_iter().enumerate() {
        let i = i as u8 + 1;
        let v4 = NeighSpec::new(ip(&format!("198.18.0.{i}")))
            .lladdr(mac(i))
            .state(s);
        let v6 = NeighSpec::new(ip(&format!("2001:db8::{i}")))
            .lladdr(mac(0x10 + i))
            .state(s);
        h.neigh_add("veth0", &v4).unwrap();
        h.neigh_add("veth0", &v6).unwrap();
    }
    let router = NeighSpec::new(ip("2001:db8::20"))
        .lladdr(mac(0x20))
        .state(NeighState::STALE)
        .router();
    h.neigh_add("veth0", &router).unwrap();
    let ext = NeighSpec::new(ip("198.18.0.20"))
        .lladdr(mac(0x21))
        .state(NeighState::NOARP)
        .extern_learn();
    h.neigh_add("veth0", &ext).unwrap();
    let ext6 = NeighSpec::new(ip("2001:db8::21"))
        .lladdr(mac(0x22))
        .state(NeighState::REACHABLE)
        .extern_learn();
    h.neigh_add("veth0", &ext6).unwrap();
    // By index.
    let idx = h.link_index("veth0").unwrap();
    h.neigh_add(idx, &NeighSpec::new(ip("198.18.0.30")).lladdr(mac(0x30)))
        .unwrap();

    let list = assert_neigh_match_ip(&t, &h, "veth0", false);
    for (i, s) in states.into_iter().enumerate() {
        let i = i as u8 + 1;
        let n4 = find(&list, &format!("198.18.0.{i}"));
        assert_eq!((n4.state, n4.lladdr), (s, Some(mac(i))));
        assert_eq!((n4.family, n4.index), (NeighFamily::Ipv4, idx));
        let n6 = find(&list, &format!("2001:db8::{i}"));
        assert_eq!((n6.state, n6.lladdr), (s, Some(mac(0x10 + i))));
        assert_eq!(n6.family, NeighFamily::Ipv6);
    }
    assert!(
        find(&list, "2001:db8::20")
            .flags
            .contains(NeighFlags::ROUTER)
    );
    assert!(
        find(&list, "198.18.0.20")
            .flags
            .contains(NeighFlags::EXT_LEARNED)
    );
    assert!(
        find(&list, "2001:db8::21")
            .flags
            .contains(NeighFlags::EXT_LEARNED)
    );
    let by_index = find(&list, "198.18.0.30");
    assert_eq!(
        (by_index.state, by_index.lladdr),
        (NeighState::PERMANENT, Some(mac(0x30)))
    );

    // neigh_get answers for one entry.
    let g = h.neigh_get("veth0", ip("2001:db8::20"), false).unwrap();
    assert_eq!(g.lladdr, Some(mac(0x20)));
    assert!(g.flags.contains(NeighFlags::ROUTER));
    assert!(
        h.neigh_get("veth0", ip("198.18.0.99"), false)
            .unwrap_err()
            .is_not_found()
    );
}

#[test]
fn add_twice_is_exists_replace_is_idempotent_change_needs_an_entry() {
    let Some((t, h)) = setup("add_twice_is_exists_replace_is_idempotent_change_needs_an_entry")
    else {
        return;
    };
    for dst in ["198.18.0.5", "2001:db8::5"] {
        let spec = NeighSpec::new(ip(dst)).lladdr(mac(5));
        h.neigh_add("veth0", &spec).unwrap();
        let before = ip_neigh(&t, "veth0", &[]);
        let e = h.neigh_add("veth0", &spec).unwrap_err();
        assert!(e.is_exists(), "{e}");
        assert_eq!(e.kernel().unwrap().errno, libc::EEXIST);
        assert_eq!(ours_only(ip_neigh(&t, "veth0", &[])), ours_only(before));

        let stale = spec.clone().lladdr(mac(6)).state(NeighState::STALE);
        h.neigh_replace("veth0", &stale).unwrap();
        let once = ours_only(ip_neigh(&t, "veth0", &[]));
        h.neigh_replace("veth0", &stale).unwrap();
        assert_eq!(ours_only(ip_neigh(&t, "veth0", &[])), once);
        let n = h.neigh_get("veth0", ip(dst), false).unwrap();
        assert_eq!((n.lladdr, n.state), (Some(mac(6)), NeighState::STALE));

        // change (REPLACE without CREATE): fine on an entry, ENOENT without one.
        h.neigh_change("veth0", &spec.clone().state(NeighState::REACHABLE))
            .unwrap();
        let n = h.neigh_get("veth0", ip(dst), false).unwrap();
        assert_eq!((n.lladdr, n.state), (Some(mac(5)), NeighState::REACHABLE));
        let other: IpAddr = if dst.contains(':') {
            ip("2001:db8::77")
        } else {
            ip("198.18.0.77")
        };
        let e = h
            .neigh_change("veth0", &NeighSpec::new(other).lladdr(mac(7)))
            .unwrap_err();
        assert!(e.is_not_found(), "{e}");
    }
    assert_neigh_match_ip(&t, &h, "veth0", false);
}

#[test]
fn del_removes_and_missing_is_not_found() {
    let Some((t, h)) = setup("del_removes_and_missing_is_not_found") else {
        return;
    };
    for dst in ["198.18.0.5", "2001:db8::5"] {
        let spec = NeighSpec::new(ip(dst)).lladdr(mac(5));
        h.neigh_add("veth0", &spec).unwrap();
        h.neigh_del("veth0", &NeighSpec::new(ip(dst))).unwrap();
        assert!(
            !ours_only(ip_neigh(&t, "veth0", &[]))
                .iter()
                .any(|j| j.contains(dst)),
            "{dst} still there"
        );
        let e = h.neigh_del("veth0", &NeighSpec::new(ip(dst))).unwrap_err();
        assert!(e.is_not_found(), "{e}");
        assert_eq!(e.kernel().unwrap().errno, libc::ENOENT);
        // An entry of another device is not this one.
        h.neigh_add("veth2", &spec).unwrap();
        assert!(
            h.neigh_del("veth0", &NeighSpec::new(ip(dst)))
                .unwrap_err()
                .is_not_found()
        );
    }
}

#[test]
fn proxy_entries_are_listed_apart_and_deleted() {
    let Some((t, h)) = setup("proxy_entries_are_listed_apart_and_deleted") else {
        return;
    };
    for dst in ["198.18.0.10", "2001:db8::10"] {
        h.neigh_add("veth0", &NeighSpec::proxy(ip(dst))).unwrap();
        // The kernel reports no EEXIST for proxies: adding one again just succeeds.
        h.neigh_add("veth0", &NeighSpec::proxy(ip(dst))).unwrap();
        h.neigh_replace("veth0", &NeighSpec::proxy(ip(dst)))
            .unwrap();
    }
    h.neigh_add("veth0", &NeighSpec::new(ip("198.18.0.11")).lladdr(mac(11)))
        .unwrap();
    let proxies = assert_neigh_match_ip(&t, &h, "veth0", true);
    assert_eq!(proxies.len(), 2);
    assert!(proxies.iter().all(|n| n.flags.contains(NeighFlags::PROXY)));
    let plain = h.neigh_list(&NeighFilter::new().dev("veth0")).unwrap();
    assert!(plain.iter().all(|n| !n.flags.contains(NeighFlags::PROXY)));
    assert!(
        plain
            .iter()
            .any(|n| n.destination == Some(ip("198.18.0.11")))
    );
    assert!(
        h.neigh_get("veth0", ip("198.18.0.10"), true)
            .unwrap()
            .flags
            .contains(NeighFlags::PROXY)
    );
    for dst in ["198.18.0.10", "2001:db8::10"] {
        h.neigh_del("veth0", &NeighSpec::proxy(ip(dst))).unwrap();
        let e = h
            .neigh_del("veth0", &NeighSpec::proxy(ip(dst)))
            .unwrap_err();
        assert!(e.is_not_found(), "{e}");
    }
    assert!(ip_neigh(&t, "veth0", &["proxy"]).is_empty());
}

#[test]
fn list_filters_by_device_master_and_family() {
    let Some((t, h)) = setup("list_filters_by_device_master_and_family") else {
        return;
    };
    for (dev, dst, m) in [
        ("veth0", "198.18.0.1", 1),
        ("veth0", "2001:db8::1", 2),
        ("veth2", "198.18.2.1", 3),
        ("veth2", "2001:db8:2::1", 4),
        ("veth1", "198.18.1.1", 5),
    ] {
        h.neigh_add(dev, &NeighSpec::new(ip(dst)).lladdr(mac(m)))
            .unwrap();
    }
    for dev in ["veth0", "veth1", "veth2"] {
        let ours = assert_neigh_match_ip(&t, &h, dev, false);
        let idx = h.link_index(dev).unwrap();
        assert!(ours.iter().all(|n| n.index == idx));
        for (fam, opt) in [(Family::Ipv4, "-4"), (Family::Ipv6, "-6")] {
            let f = NeighFilter::new().dev(dev).family(fam.into());
            let ours = h.neigh_list(&f).unwrap();
            let mut args = vec![opt];
            args.extend(["neigh", "show", "nud", "all", "dev", dev]);
            let theirs = t.ip_json(&args).as_array().cloned().unwrap_or_default();
            assert_eq!(
                ours_only(ours.iter().map(as_ip_json).collect()),
                ours_only(theirs),
                "{dev} {opt}"
            );
            assert!(ours.iter().all(|n| n.family == NeighFamily::from(fam)));
        }
    }
    // Whole tables; and by master: the bridge's port veth1 only.
    let all = h.neigh_list(&NeighFilter::new()).unwrap();
    for dst in ["198.18.0.1", "2001:db8::1", "198.18.2.1", "198.18.1.1"] {
        assert!(all.iter().any(|n| n.destination == Some(ip(dst))), "{dst}");
    }
    assert!(all.iter().all(|n| n.family != NeighFamily::Bridge));
    let ports = h.neigh_list(&NeighFilter::new().master("br0")).unwrap();
    let veth1 = h.link_index("veth1").unwrap();
    assert!(
        ports
            .iter()
            .any(|n| n.destination == Some(ip("198.18.1.1")))
    );
    assert!(
        ports
            .iter()
            .all(|n| n.index == veth1 || n.index == h.link_index("veth3").unwrap())
    );
    // State filter.
    h.neigh_add(
        "veth0",
        &NeighSpec::new(ip("198.18.0.2"))
            .lladdr(mac(9))
            .state(NeighState::STALE),
    )
    .unwrap();
    let stale = h
        .neigh_list(&NeighFilter::new().dev("veth0").state(NeighState::STALE))
        .unwrap();
    assert_eq!(stale.len(), 1);
    assert_eq!(stale[0].destination, Some(ip("198.18.0.2")));
    let e = h
        .neigh_list(&NeighFilter::new().dev("nosuch0"))
        .unwrap_err();
    assert!(matches!(e, Error::NotFound { what: "link", .. }), "{e}");
}

/// The same entries on veth0 and veth2; veth0 flushed by us, veth2 by `ip neigh flush`:
/// the same entries must survive.
#[test]
fn flush_deletes_what_ip_neigh_flush_deletes() {
    let Some((t, h)) = setup("flush_deletes_what_ip_neigh_flush_deletes") else {
        return;
    };
    let entries = |prefix4: &str, prefix6: &str| {
        let mut v = Vec::new();
        for (i, (s, ext)) in [
            (NeighState::PERMANENT, false),
            (NeighState::NOARP, false),
            (NeighState::REACHABLE, false),
            (NeighState::STALE, false),
            (NeighState::NOARP, true),
            (NeighState::FAILED, false),
            (NeighState::INCOMPLETE, false),
            (NeighState::NONE, false),
        ]
        .into_iter()
        .enumerate()
        {
            let i = i as u8 + 1;
            for dst in [format!("{prefix4}{i}"), format!("{prefix6}{i}")] {
                let mut spec = NeighSpec::new(ip(&dst)).state(s);
                if s.intersects(
                    NeighState::PERMANENT
                        | NeighState::NOARP
                        | NeighState::REACHABLE
                        | NeighState::STALE,
                ) {
                    spec = spec.lladdr(mac(i));
                }
                if ext {
                    spec = spec.extern_learn();
                }
                v.push(spec);
            }
        }
        v.push(NeighSpec::proxy(ip(&format!("{prefix4}100"))));
        v
    };
    for s in entries("198.18.0.", "2001:db8::") {
        h.neigh_add("veth0", &s).unwrap();
    }
    for s in entries("198.18.2.", "2001:db8:2::") {
        h.neigh_add("veth2", &s).unwrap();
    }
    let unrelated = ours_only(ip_neigh(&t, "veth2", &[]));
    let n = h.neigh_flush("veth0", None).unwrap();
    t.ip(&["neigh", "flush", "dev", "veth2"]);
    // Compare with veth2's survivors, addresses mapped to veth0's.
    let map = |v: BTreeSet<String>| -> BTreeSet<String> {
        v.into_iter()
            .map(|s| {
                s.replace("198.18.2.", "198.18.0.")
                    .replace("2001:db8:2::", "2001:db8::")
            })
            .collect()
    };
    let ours = ours_only(ip_neigh(&t, "veth0", &[]));
    assert_eq!(ours, map(ours_only(ip_neigh(&t, "veth2", &[]))));
    // Only permanent and (not externally learned) noarp entries are left, and the proxy.
    assert_eq!(ours.len(), 4, "{ours:#?}");
    assert!(
        ours.iter()
            .all(|j| j.contains("PERMANENT") || j.contains("NOARP"))
    );
    assert!(!ours.iter().any(|j| j.contains("extern_learn")));
    assert_eq!(n, 12);
    assert_eq!(ip_neigh(&t, "veth0", &["proxy"]).len(), 1);
    assert!(unrelated.len() > ours.len());

    // One family only.
    for dst in ["198.18.0.50", "2001:db8::50"] {
        h.neigh_add(
            "veth0",
            &NeighSpec::new(ip(dst))
                .lladdr(mac(50))
                .state(NeighState::STALE),
        )
        .unwrap();
    }
    assert_eq!(h.neigh_flush("veth0", Some(Family::Ipv6)).unwrap(), 1);
    let left = ours_only(ip_neigh(&t, "veth0", &[]));
    assert!(left.iter().any(|j| j.contains("198.18.0.50")));
    assert!(!left.iter().any(|j| j.contains("2001:db8::50")));
    assert_eq!(h.neigh_flush("veth0", None).unwrap(), 1);
    assert_eq!(h.neigh_flush("veth0", None).unwrap(), 0);
}

/// One FDB entry as `bridge -j fdb show` prints it (the fields compared).
fn fdb_key(j: &Value) -> String {
    let mut flags: Vec<String> = j["flags"]
        .as_array()
        .map(|a| a.iter().map(|f| f.as_str().unwrap().to_string()).collect())
        .unwrap_or_default();
    flags.sort();
    format!(
        "{} dev={} dst={} port={} vni={} via={} vlan={} master={} state={} flags={flags:?}",
        j["mac"],
        j["ifname"],
        j["dst"],
        j["port"],
        j["vni"],
        j["viaIf"],
        j["vlan"],
        j["master"],
        j["state"],
    )
}

fn name_of(t: &TestNs, index: u32) -> String {
    t.ip_json(&["link", "show"])
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["ifindex"] == index)
        .map(|l| l["ifname"].as_str().unwrap().to_string())
        .unwrap()
}

/// Ours, in `bridge -j fdb show`'s terms.
fn fdb_key_of(t: &TestNs, n: &Neighbour, with_dev: bool) -> String {
    let mut o = serde_json::Map::new();
    o.insert("mac".into(), n.lladdr.unwrap().to_string().into());
    if with_dev {
        o.insert("ifname".into(), name_of(t, n.index).into());
    }
    if let Some(d) = n.destination {
        o.insert("dst".into(), d.to_string().into());
    }
    if let Some(p) = n.port {
        o.insert("port".into(), p.into());
    }
    if let Some(v) = n.vni {
        o.insert("vni".into(), v.into());
    }
    if let Some(v) = n.via {
        o.insert("viaIf".into(), name_of(t, v).into());
    }
    if let Some(v) = n.vlan {
        o.insert("vlan".into(), v.into());
    }
    if let Some(m) = n.master {
        o.insert("master".into(), name_of(t, m).into());
    }
    let state = if n.state.contains(NeighState::PERMANENT) {
        "permanent"
    } else if n.state.contains(NeighState::NOARP) {
        "static"
    } else if n.state.contains(NeighState::STALE) {
        "stale"
    } else {
        ""
    };
    o.insert("state".into(), state.into());
    let flags: Vec<Value> = [
        (NeighFlags::SELF, "self"),
        (NeighFlags::ROUTER, "router"),
        (NeighFlags::EXT_LEARNED, "extern_learn"),
        (NeighFlags::OFFLOADED, "offload"),
        (NeighFlags::MASTER, "master"),
        (NeighFlags::STICKY, "sticky"),
    ]
    .into_iter()
    .filter(|(f, _)| n.flags.contains(*f))
    .map(|(_, s)| s.into())
    .collect();
    o.insert("flags".into(), flags.into());
    fdb_key(&Value::Object(o))
}

fn assert_fdb_match_bridge(t: &TestNs, ours: &[Neighbour], bridge_args: &[&str], with_dev: bool) {
    let ours: BTreeSet<String> = ours.iter().map(|n| fdb_key_of(t, n, with_dev)).collect();
    let theirs: BTreeSet<String> = bridge_fdb(t, bridge_args).iter().map(fdb_key).collect();
    assert_eq!(ours, theirs, "bridge fdb show {bridge_args:?}");
}

#[test]
fn fdb_entries_on_a_bridge_port_match_bridge() {
    let Some((t, h)) = setup("fdb_entries_on_a_bridge_port_match_bridge") else {
        return;
    };
    let master = |m| NeighSpec::fdb(mac(m)).fdb_master();
    h.neigh_add("veth1", &master(1).fdb_state(FdbState::Static))
        .unwrap();
    h.neigh_add("veth1", &master(2)).unwrap();
    h.neigh_add("veth1", &master(3).fdb_state(FdbState::Dynamic))
        .unwrap();
    h.neigh_add("veth1", &master(4).fdb_state(FdbState::Static).sticky())
        .unwrap();
    h.neigh_add("veth1", &NeighSpec::fdb(mac(5)).fdb_self())
        .unwrap();
    h.neigh_add("veth3", &master(6).fdb_state(FdbState::Static))
        .unwrap();

    let f = NeighFilter::new().family(NeighFamily::Bridge).dev("veth1");
    let ours = h.neigh_list(&f).unwrap();
    assert_fdb_match_bridge(&t, &ours, &["dev", "veth1"], false);
    let br0 = h.link_index("br0").unwrap();
    let by_mac = |m: u8| ours.iter().find(|n| n.lladdr == Some(mac(m))).unwrap();
    assert_eq!(by_mac(1).state, NeighState::NOARP);
    assert_eq!(by_mac(1).master, Some(br0));
    assert_eq!(by_mac(2).state, NeighState::PERMANENT);
    assert_eq!(by_mac(3).state, NeighState::REACHABLE);
    assert!(by_mac(4).flags.contains(NeighFlags::STICKY));
    assert!(by_mac(5).flags.contains(NeighFlags::SELF));
    assert!(
        ours.iter()
            .all(|n| n.family == NeighFamily::Bridge && n.destination.is_none())
    );
    assert!(!ours.iter().any(|n| n.lladdr == Some(mac(6))));
    // The bridge's whole table, by master.
    let by_master = h
        .neigh_list(&NeighFilter::new().family(NeighFamily::Bridge).master("br0"))
        .unwrap();
    assert_fdb_match_bridge(&t, &by_master, &["br", "br0"], true);
    assert!(by_master.iter().any(|n| n.lladdr == Some(mac(6))));

    // Twice: EEXIST. A VLAN: this kernel has no bridge VLAN filtering, and refuses it.
    let e = h
        .neigh_add("veth1", &master(1).fdb_state(FdbState::Static))
        .unwrap_err();
    assert!(e.is_exists(), "{e}");
    h.neigh_replace("veth1", &master(1).fdb_state(FdbState::Static))
        .unwrap();
    let e = h
        .neigh_add("veth1", &master(7).fdb_state(FdbState::Static).vlan(10))
        .unwrap_err();
    assert_eq!(e.kernel().map(|k| k.errno), Some(libc::EINVAL), "{e}");
    assert!(
        !bridge_fdb(&t, &["dev", "veth1"])
            .iter()
            .any(|j| j["mac"] == mac(7).to_string())
    );

    // Delete, then again: not found.
    h.neigh_del("veth1", &master(1)).unwrap();
    h.neigh_del("veth1", &NeighSpec::fdb(mac(5)).fdb_self())
        .unwrap();
    for spec in [master(1), NeighSpec::fdb(mac(5)).fdb_self()] {
        let e = h.neigh_del("veth1", &spec).unwrap_err();
        assert!(e.is_not_found(), "{e}");
    }
    // Deleting what a listing returned.
    let four = h
        .neigh_list(&f)
        .unwrap()
        .into_iter()
        .find(|n| n.lladdr == Some(mac(4)))
        .unwrap();
    h.neigh_del("veth1", &four.to_spec()).unwrap();
    let ours = h.neigh_list(&f).unwrap();
    assert_fdb_match_bridge(&t, &ours, &["dev", "veth1"], false);
    for m in [1, 4, 5] {
        assert!(!ours.iter().any(|n| n.lladdr == Some(mac(m))), "{m}");
    }
}

#[test]
fn vxlan_remotes_match_bridge() {
    let Some((t, h)) = setup("vxlan_remotes_match_bridge") else {
        return;
    };
    let zero = || NeighSpec::fdb(MacAddr::default());
    let veth0 = h.link_index("veth0").unwrap();
    h.neigh_append("vx0", &zero().dst(ip("198.18.0.50")))
        .unwrap();
    // Appending the same remote again is accepted and changes nothing.
    h.neigh_append("vx0", &zero().dst(ip("198.18.0.50")))
        .unwrap();
    let remote = zero().dst(ip("198.18.0.51")).port(4790).vni(43).via(veth0);
    h.neigh_append("vx0", &remote).unwrap();
    // A unicast MAC behind a remote, on the device's default port and VNI.
    let uni = NeighSpec::fdb(mac(1)).dst(ip("198.18.0.52"));
    h.neigh_add("vx0", &uni).unwrap();
    assert!(h.neigh_add("vx0", &uni).unwrap_err().is_exists());

    let f = NeighFilter::new().family(NeighFamily::Bridge).dev("vx0");
    let ours = h.neigh_list(&f).unwrap();
    assert_fdb_match_bridge(&t, &ours, &["dev", "vx0"], false);
    assert_eq!(ours.len(), 3);
    let r = ours
        .iter()
        .find(|n| n.destination == Some(ip("198.18.0.51")))
        .unwrap();
    assert_eq!((r.port, r.vni, r.via), (Some(4790), Some(43), Some(veth0)));
    assert_eq!(r.lladdr, Some(MacAddr::default()));
    assert!(r.flags.contains(NeighFlags::SELF));
    let d = ours
        .iter()
        .find(|n| n.destination == Some(ip("198.18.0.50")))
        .unwrap();
    assert_eq!((d.port, d.vni, d.via), (None, None, None));

    // An IPv6 remote on an IPv4 VXLAN device.
    let e = h
        .neigh_add("vx0", &NeighSpec::fdb(mac(2)).dst(ip("2001:db8::99")))
        .unwrap_err();
    assert_eq!(e.kernel().map(|k| k.errno), Some(libc::EAFNOSUPPORT), "{e}");

    // Delete one remote of the all-zeros entry: the other stays.
    h.neigh_del("vx0", &zero().dst(ip("198.18.0.50"))).unwrap();
    // A remote the entry does not have: the kernel (vxlan) says nothing. A MAC without an
    // entry: ENOENT.
    h.neigh_del("vx0", &zero().dst(ip("198.18.0.50"))).unwrap();
    let e = h
        .neigh_del("vx0", &NeighSpec::fdb(mac(9)).dst(ip("198.18.0.50")))
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let ours = h.neigh_list(&f).unwrap();
    assert_fdb_match_bridge(&t, &ours, &["dev", "vx0"], false);
    assert_eq!(ours.len(), 2);
    assert!(
        ours.iter()
            .any(|n| n.destination == Some(ip("198.18.0.51")))
    );
}

#[test]
fn invalid_input_is_refused_before_sending() {
    let Some((t, h)) = setup("invalid_input_is_refused_before_sending") else {
        return;
    };
    h.neigh_add("veth0", &NeighSpec::new(ip("198.18.0.1")).lladdr(mac(1)))
        .unwrap();
    let neigh_before = ip_neigh(&t, "veth0", &[]);
    let fdb_before = bridge_fdb(&t, &[]);
    let v4 = || NeighSpec::new(ip("198.18.0.5")).lladdr(mac(5));
    let bad = [
        v4().lladdr_bytes(Vec::new()),
        v4().lladdr_bytes(vec![2; 33]),
        v4().state(NeighState::STALE | NeighState::PERMANENT),
        v4().vlan(10),
        v4().vni(5),
        v4().fdb_master(),
        NeighSpec::proxy(ip("198.18.0.6")).lladdr(mac(6)),
        NeighSpec {
            destination: Some(ip("2001:db8::5")),
            ..v4()
        },
        NeighSpec::fdb(mac(7)).vlan(4095),
        NeighSpec::fdb(mac(7)).vlan(0),
        NeighSpec::fdb(mac(7)).vni(1 << 24),
        NeighSpec::fdb(mac(7)).lladdr_bytes(vec![2; 5]),
        NeighSpec::fdb(mac(7)).via(0),
        NeighSpec {
            flags: NeighFlags::PROXY,
            ..NeighSpec::fdb(mac(7))
        },
    ];
    for spec in &bad {
        for dev in ["veth0", "veth1", "vx0"] {
            for r in [
                h.neigh_add(dev, spec),
                h.neigh_replace(dev, spec),
                h.neigh_append(dev, spec),
                h.neigh_del(dev, spec),
            ] {
                assert!(
                    matches!(r, Err(Error::InvalidInput { .. })),
                    "{spec:?} was not refused before sending: {r:?}"
                );
            }
        }
    }
    assert!(matches!(
        h.neigh_list(&NeighFilter::new().family(NeighFamily::Bridge).proxy()),
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        h.neigh_add(0u32, &v4()),
        Err(Error::InvalidInput { .. })
    ));
    assert_eq!(
        ours_only(ip_neigh(&t, "veth0", &[])),
        ours_only(neigh_before)
    );
    let keys = |v: Vec<Value>| v.iter().map(fdb_key).collect::<BTreeSet<_>>();
    assert_eq!(keys(bridge_fdb(&t, &[])), keys(fdb_before));

    // What only the kernel can tell: an Ethernet device needs an address for a valid state
    // (for a unicast destination: without an IPv4 address and route on the device, the
    // kernel takes it for broadcast and fills in ff:ff:ff:ff:ff:ff).
    t.ip(&["addr", "add", "198.18.0.100/24", "dev", "veth0"]);
    let e = h
        .neigh_add("veth0", &NeighSpec::new(ip("198.18.0.8")))
        .unwrap_err();
    let k = e.kernel().expect("a kernel error");
    assert_eq!(k.errno, libc::EINVAL);
    assert_eq!(k.message.as_deref(), Some("No link layer address given"));
}

#[test]
fn missing_device_is_not_found() {
    let Some((_t, h)) = setup("missing_device_is_not_found") else {
        return;
    };
    let spec = NeighSpec::new(ip("198.18.0.5")).lladdr(mac(5));
    for e in [
        h.neigh_add("nosuch0", &spec).unwrap_err(),
        h.neigh_add(9999u32, &spec).unwrap_err(),
        h.neigh_del(9999u32, &spec).unwrap_err(),
        h.neigh_add(9999u32, &NeighSpec::fdb(mac(5))).unwrap_err(),
        h.neigh_get(9999u32, ip("198.18.0.5"), false).unwrap_err(),
        h.neigh_flush("nosuch0", None).unwrap_err(),
    ] {
        assert!(matches!(e, Error::NotFound { what: "link", .. }), "{e}");
    }
}

/// The requests built by `NeighSpec` are byte for byte what `ip neigh` and `bridge fdb`
/// sent for the same commands (tests/fixtures/neigh/request_*.hex: veth0 had index 3, vx0
/// index 5).
#[test]
fn requests_equal_ip_and_bridge() {
    let fixture = |name: &str| {
        let (h, payload) = first_message(&format!("neigh/{name}"));
        assert_eq!(h.message_type, RTM_NEWNEIGH);
        (h.flags - (NlmsgFlags::REQUEST | NlmsgFlags::ACK), payload)
    };
    let check = |name: &str, request: netplumb::neigh::NeighRequest| {
        let (ty, flags, msg) = request.into_parts();
        assert_eq!(ty, RTM_NEWNEIGH);
        assert_eq!((flags, msg.to_vec().unwrap()), fixture(name), "{name}");
    };
    // ip neigh replace 198.18.0.9 lladdr 02:00:00:00:00:09 dev veth0 nud permanent
    check(
        "request_replace_permanent.hex",
        NeighSpec::new(ip("198.18.0.9"))
            .lladdr(mac(9))
            .replace_request(3)
            .unwrap(),
    );
    // ip neigh add proxy 198.18.0.10 dev veth0
    check(
        "request_add_proxy.hex",
        NeighSpec::proxy(ip("198.18.0.10")).add_request(3).unwrap(),
    );
    // bridge fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.0.50
    check(
        "request_fdb_append_vxlan.hex",
        NeighSpec::fdb(MacAddr::default())
            .dst(ip("198.18.0.50"))
            .append_request(5)
            .unwrap(),
    );
    // bridge fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.0.51 port 4790 vni 43 via veth0
    check(
        "request_fdb_append_vxlan_port_vni.hex",
        NeighSpec::fdb(MacAddr::default())
            .dst(ip("198.18.0.51"))
            .port(4790)
            .vni(43)
            .via(3)
            .append_request(5)
            .unwrap(),
    );
}
