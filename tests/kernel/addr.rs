//! Address operations (`ip addr`), each test in its own namespace, checked against what
//! `ip -j -d addr show` reports there.
use crate::common;
use common::TestNs;
use common::golden::first_message;
use common::net;
use netplumb::addr::{AddrFilter, AddrFlags, AddrSpec, Address, INFINITY_LIFE_TIME, Scope};
use netplumb::sysctl::Family;
use netplumb::wire::Emit;
use netplumb::wire::nlmsg::{NlmsgFlags, RTM_DELADDR, RTM_NEWADDR};
use netplumb::{Error, Handle, IpNet};
use serde_json::Value;

/// A namespace with DAD off (set before the links exist, so they inherit it) and two veth
/// pairs, up, without link-local addresses: `veth0`/`veth1` and `veth2`/`veth3`.
fn setup(test: &str) -> Option<(TestNs, Handle)> {
    let t = TestNs::new(test)?;
    t.dad_off();
    for (a, b) in [("veth0", "veth1"), ("veth2", "veth3")] {
        t.add_veth(a, b);
        for d in [a, b] {
            t.ip(&["link", "set", d, "addrgenmode", "none"]);
            t.ip(&["link", "set", d, "up"]);
        }
    }
    let h = t.handle();
    Some((t, h))
}

/// `addr_info` of `ip -j -d addr show dev DEV` (with `extra` options such as `-4`).
fn ip_addrs(t: &TestNs, dev: &str, extra: &[&str]) -> Vec<Value> {
    let mut args = extra.to_vec();
    args.extend(["-d", "addr", "show", "dev", dev]);
    let v = t.ip_json(&args);
    v.as_array()
        .and_then(|a| a.first())
        .and_then(|l| l["addr_info"].as_array())
        .cloned()
        .unwrap_or_default()
}

/// The `addr_info` entry of `local` on `dev`.
fn ip_addr(t: &TestNs, dev: &str, local: &str) -> Value {
    ip_addrs(t, dev, &[])
        .into_iter()
        .find(|a| a["local"] == local)
        .unwrap_or_else(|| panic!("ip shows no {local} on {dev}"))
}

fn scope_name(s: Scope) -> String {
    match s {
        Scope::UNIVERSE => "global".into(),
        s => s.name().map_or_else(|| s.0.to_string(), str::to_string),
    }
}

/// Every field `ip -j -d addr show` prints for an address, compared with ours.
fn assert_same(a: &Address, j: &Value) {
    let fam = match a.family {
        Family::Ipv4 => "inet",
        Family::Ipv6 => "inet6",
    };
    assert_eq!(j["family"], fam, "{j}");
    assert_eq!(j["local"], a.local.addr().to_string(), "{j}");
    assert_eq!(j["prefixlen"], u64::from(a.local.prefix_len()), "{j}");
    match a.peer {
        Some(p) => assert_eq!(j["address"], p.addr().to_string(), "{j}"),
        None => assert!(j.get("address").is_none(), "{j}"),
    }
    match a.broadcast {
        Some(b) => assert_eq!(j["broadcast"], b.to_string(), "{j}"),
        None => assert!(j.get("broadcast").is_none(), "{j}"),
    }
    match &a.label {
        Some(l) => assert_eq!(j["label"], l.as_str(), "{j}"),
        None => assert!(j.get("label").is_none(), "{j}"),
    }
    assert_eq!(j["scope"], scope_name(a.scope), "{j}");
    match a.metric {
        Some(m) => assert_eq!(j["metric"], m, "{j}"),
        None => assert!(j.get("metric").is_none(), "{j}"),
    }
    let flag = |name: &str| j.get(name) == Some(&Value::Bool(true));
    let secondary = if a.family == Family::Ipv4 {
        "secondary"
    } else {
        "temporary"
    };
    for (f, name) in [
        (AddrFlags::SECONDARY, secondary),
        (AddrFlags::NODAD, "nodad"),
        (AddrFlags::OPTIMISTIC, "optimistic"),
        (AddrFlags::HOMEADDRESS, "home"),
        (AddrFlags::NOPREFIXROUTE, "noprefixroute"),
        (AddrFlags::MANAGETEMPADDR, "mngtmpaddr"),
        (AddrFlags::TENTATIVE, "tentative"),
    ] {
        assert_eq!(a.flags.contains(f), flag(name), "{name} in {j}");
    }
    assert_eq!(
        !a.flags.contains(AddrFlags::PERMANENT),
        flag("dynamic"),
        "{j}"
    );
    // Lifetimes count down: a finite one may differ by the seconds between the two dumps.
    for (ours, key) in [
        (a.valid_lifetime, "valid_life_time"),
        (a.preferred_lifetime, "preferred_life_time"),
    ] {
        let theirs = j[key].as_u64().unwrap();
        match ours {
            None => assert_eq!(theirs, u64::from(INFINITY_LIFE_TIME), "{key} in {j}"),
            Some(v) => assert!(
                theirs < u64::from(INFINITY_LIFE_TIME)
                    && u64::from(v) >= theirs.saturating_sub(5)
                    && theirs >= u64::from(v).saturating_sub(5),
                "{key}: {v} vs {j}"
            ),
        }
    }
}

/// Waits (bounded) until no IPv6 address of `dev` is tentative: with DAD off the kernel
/// still clears the flag from a work queue, a moment after the address is added.
fn settle(h: &Handle, dev: &str) {
    for _ in 0..500 {
        let list = h.addr_list(&AddrFilter::new().dev(dev)).unwrap();
        if !list.iter().any(|a| a.flags.contains(AddrFlags::TENTATIVE)) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("addresses of {dev} still tentative");
}

/// Our listing of `dev` equals ip's, address by address, in the same order.
fn assert_list_matches_ip(t: &TestNs, h: &Handle, dev: &str) -> Vec<Address> {
    settle(h, dev);
    let ours = h.addr_list(&AddrFilter::new().dev(dev)).unwrap();
    let theirs = ip_addrs(t, dev, &[]);
    assert_eq!(ours.len(), theirs.len(), "{ours:#?}\n{theirs:#?}");
    for (a, j) in ours.iter().zip(&theirs) {
        assert_same(a, j);
    }
    ours
}

fn find<'a>(list: &'a [Address], local: &str) -> &'a Address {
    list.iter()
        .find(|a| a.local.addr().to_string() == local)
        .unwrap_or_else(|| panic!("no {local} in {list:#?}"))
}

#[test]
fn add_ipv4_with_every_option_matches_ip() {
    let Some((t, h)) = setup("add_ipv4_with_every_option_matches_ip") else {
        return;
    };
    let a = AddrSpec::new(net("198.18.0.1/24"))
        .broadcast_auto()
        .label("veth0:a")
        .scope(Scope::LINK)
        .metric(77)
        .noprefixroute()
        .lifetimes(300, 100);
    h.addr_add("veth0", &a).unwrap();
    // An explicit broadcast, a secondary of the same prefix, a point-to-point address.
    let b = AddrSpec::new(net("198.18.1.1/24")).broadcast("198.18.1.7".parse().unwrap());
    h.addr_add("veth0", &b).unwrap();
    h.addr_add("veth0", &AddrSpec::new(net("198.18.1.2/24")))
        .unwrap();
    let p = AddrSpec::new(net("198.18.2.1/32")).peer(net("198.18.2.2/31"));
    h.addr_add("veth0", &p).unwrap();
    // By index, with a label naming the device by its name.
    let idx = h.link_index("veth0").unwrap();
    h.addr_add(idx, &AddrSpec::new(net("198.18.3.1/24")).label("veth0"))
        .unwrap();

    let list = assert_list_matches_ip(&t, &h, "veth0");
    assert_eq!(list.len(), 5);
    let a1 = find(&list, "198.18.0.1");
    assert_eq!(a1.broadcast, Some("198.18.0.255".parse().unwrap()));
    assert_eq!(a1.label.as_deref(), Some("veth0:a"));
    assert_eq!(a1.scope, Scope::LINK);
    assert_eq!(a1.metric, Some(77));
    assert!(a1.flags.contains(AddrFlags::NOPREFIXROUTE));
    assert!(!a1.flags.contains(AddrFlags::PERMANENT));
    assert!(a1.valid_lifetime.unwrap() <= 300 && a1.preferred_lifetime.unwrap() <= 100);
    let j = ip_addr(&t, "veth0", "198.18.0.1");
    assert!(j["valid_life_time"].as_u64().unwrap() <= 300);
    assert!(j["preferred_life_time"].as_u64().unwrap() <= 100);
    let b1 = find(&list, "198.18.1.1");
    assert_eq!(b1.broadcast, Some("198.18.1.7".parse().unwrap()));
    assert!(
        find(&list, "198.18.1.2")
            .flags
            .contains(AddrFlags::SECONDARY)
    );
    let p1 = find(&list, "198.18.2.1");
    assert_eq!(p1.peer, Some(net("198.18.2.2/31")));
    assert_eq!(p1.local, net("198.18.2.1/31"));
    assert_eq!(find(&list, "198.18.3.1").label.as_deref(), Some("veth0"));
    // noprefixroute: no route for 198.18.0.0/24; the others have theirs.
    let routes = t.ip(&["-4", "route", "show", "dev", "veth0"]);
    assert!(!routes.contains("198.18.0.0/24"), "{routes}");
    assert!(routes.contains("198.18.1.0/24"), "{routes}");
}

#[test]
fn add_ipv6_with_every_option_matches_ip() {
    let Some((t, h)) = setup("add_ipv6_with_every_option_matches_ip") else {
        return;
    };
    let a = AddrSpec::new(net("2001:db8:5::1/64"))
        .nodad()
        .noprefixroute()
        .mngtmpaddr()
        .home()
        .metric(77)
        .lifetimes(300, 100);
    h.addr_add("veth0", &a).unwrap();
    let p = AddrSpec::new(net("2001:db8:6::1/128"))
        .peer(net("2001:db8:6::2/128"))
        .nodad();
    h.addr_add("veth0", &p).unwrap();
    // Optimistic DAD: the flag lasts only while DAD runs (here DAD is off), so only the
    // address is checked.
    h.addr_add(
        "veth0",
        &AddrSpec::new(net("2001:db8:7::1/64")).optimistic(),
    )
    .unwrap();
    h.addr_add(
        "veth0",
        &AddrSpec::new(net("2001:db8:8::1/64")).scope(Scope::LINK),
    )
    .unwrap();

    let list = assert_list_matches_ip(&t, &h, "veth0");
    assert_eq!(list.len(), 4);
    let a1 = find(&list, "2001:db8:5::1");
    let want = AddrFlags::NODAD
        | AddrFlags::NOPREFIXROUTE
        | AddrFlags::MANAGETEMPADDR
        | AddrFlags::HOMEADDRESS;
    assert!(a1.flags.contains(want), "{:?}", a1.flags);
    assert_eq!(a1.metric, Some(77));
    assert!(a1.valid_lifetime.unwrap() <= 300 && a1.preferred_lifetime.unwrap() <= 100);
    let p1 = find(&list, "2001:db8:6::1");
    assert_eq!(p1.peer, Some(net("2001:db8:6::2/128")));
    assert_eq!(p1.family, Family::Ipv6);
    assert_eq!(find(&list, "2001:db8:7::1").valid_lifetime, None);
    // The kernel derives IPv6 scopes from the address: the requested scope is ignored.
    assert_eq!(find(&list, "2001:db8:8::1").scope, Scope::UNIVERSE);
    let routes = t.ip(&["-6", "route", "show", "dev", "veth0"]);
    assert!(!routes.contains("2001:db8:5::/64"), "{routes}");
    assert!(routes.contains("2001:db8:7::/64"), "{routes}");
}

#[test]
fn add_twice_is_exists_with_the_kernels_message() {
    let Some((t, h)) = setup("add_twice_is_exists_with_the_kernels_message") else {
        return;
    };
    for (s, text) in [
        ("198.18.0.1/24", "ipv4: Address already assigned"),
        ("2001:db8::1/64", "ipv6: address already assigned"),
    ] {
        let spec = AddrSpec::new(net(s)).nodad_if_v6();
        h.addr_add("veth0", &spec).unwrap();
        let before = ip_addrs(&t, "veth0", &[]);
        let e = h.addr_add("veth0", &spec).unwrap_err();
        assert!(e.is_exists(), "{e}");
        let k = e.kernel().expect("a kernel error");
        assert_eq!(k.errno, libc::EEXIST);
        assert_eq!(k.message.as_deref(), Some(text), "{e}");
        assert_eq!(ip_addrs(&t, "veth0", &[]), before);
    }
}

trait NodadIfV6 {
    fn nodad_if_v6(self) -> Self;
}
impl NodadIfV6 for AddrSpec {
    fn nodad_if_v6(self) -> Self {
        if self.local.is_ipv4() {
            self
        } else {
            self.nodad()
        }
    }
}

#[test]
fn replace_is_idempotent_and_updates() {
    let Some((t, h)) = setup("replace_is_idempotent_and_updates") else {
        return;
    };
    for s in ["198.18.0.1/24", "2001:db8::1/64"] {
        let spec = AddrSpec::new(net(s)).nodad_if_v6();
        h.addr_replace("veth0", &spec).unwrap();
        let once = ip_addrs(&t, "veth0", &[]);
        h.addr_replace("veth0", &spec).unwrap();
        assert_eq!(ip_addrs(&t, "veth0", &[]), once, "{s}");
        // Replace changes lifetimes and metric in place.
        let changed = spec.clone().lifetimes(600, 500).metric(9);
        h.addr_replace("veth0", &changed).unwrap();
        let j = ip_addr(&t, "veth0", &net(s).addr().to_string());
        assert_eq!(j["metric"], 9, "{j}");
        assert!(j["valid_life_time"].as_u64().unwrap() <= 600, "{j}");
        assert!(j["preferred_life_time"].as_u64().unwrap() <= 500, "{j}");
        // change (REPLACE without CREATE) back to forever.
        h.addr_change("veth0", &spec.clone().metric(9)).unwrap();
        let j = ip_addr(&t, "veth0", &net(s).addr().to_string());
        assert_eq!(j["valid_life_time"], u64::from(INFINITY_LIFE_TIME), "{j}");
    }
    assert_eq!(ip_addrs(&t, "veth0", &[]).len(), 2);
    assert_list_matches_ip(&t, &h, "veth0");
}

#[test]
fn del_removes_and_missing_is_not_found() {
    let Some((t, h)) = setup("del_removes_and_missing_is_not_found") else {
        return;
    };
    h.addr_add("veth0", &AddrSpec::new(net("198.18.0.1/24")))
        .unwrap();
    h.addr_add("veth0", &AddrSpec::new(net("2001:db8::1/64")).nodad())
        .unwrap();
    let peer4 = AddrSpec::new(net("198.18.2.1/32")).peer(net("198.18.2.2/31"));
    let peer6 = AddrSpec::new(net("2001:db8:6::1/128"))
        .peer(net("2001:db8:6::2/128"))
        .nodad();
    h.addr_add("veth0", &peer4).unwrap();
    h.addr_add("veth0", &peer6).unwrap();
    h.addr_add(
        "veth0",
        &AddrSpec::new(net("198.18.3.1/24")).label("veth0:x"),
    )
    .unwrap();

    // Missing: another address, or the right address with another prefix length.
    for (s, text) in [
        ("198.18.5.1/24", "ipv4: Address not found"),
        ("198.18.0.1/25", "ipv4: Address not found"),
        ("2001:db8::1/65", "ipv6: address not found"),
        ("2001:db8::2/64", "ipv6: address not found"),
    ] {
        let e = h.addr_del("veth0", net(s)).unwrap_err();
        assert!(e.is_not_found(), "{s}: {e}");
        let k = e.kernel().expect("a kernel error");
        assert_eq!(k.errno, libc::EADDRNOTAVAIL, "{s}");
        assert_eq!(k.message.as_deref(), Some(text), "{s}");
    }
    // A wrong label does not match either (IPv4 compares it).
    let e = h
        .addr_del(
            "veth0",
            AddrSpec::new(net("198.18.3.1/24")).label("veth0:y"),
        )
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert_eq!(ip_addrs(&t, "veth0", &[]).len(), 5);

    h.addr_del("veth0", net("198.18.0.1/24")).unwrap();
    h.addr_del("veth0", net("2001:db8::1/64")).unwrap();
    h.addr_del("veth0", &peer4).unwrap();
    h.addr_del("veth0", &peer6).unwrap();
    h.addr_del(
        "veth0",
        AddrSpec::new(net("198.18.3.1/24")).label("veth0:x"),
    )
    .unwrap();
    assert_eq!(ip_addrs(&t, "veth0", &[]), Vec::<Value>::new());
    // Deleting again: gone.
    assert!(
        h.addr_del("veth0", net("198.18.0.1/24"))
            .unwrap_err()
            .is_not_found()
    );
}

#[test]
fn list_filters_by_link_and_family_like_ip() {
    let Some((t, h)) = setup("list_filters_by_link_and_family_like_ip") else {
        return;
    };
    // veth1 keeps its link-local address here, so that scopes differ.
    t.ip(&["link", "set", "veth1", "addrgenmode", "eui64"]);
    t.ip(&["link", "set", "veth1", "down"]);
    t.ip(&["link", "set", "veth1", "up"]);
    for (dev, a) in [
        ("veth0", "198.18.0.1/24"),
        ("veth0", "2001:db8::1/64"),
        ("veth1", "198.18.1.1/24"),
        ("veth1", "2001:db8:1::1/64"),
        ("veth2", "198.18.2.1/24"),
    ] {
        h.addr_add(dev, &AddrSpec::new(net(a)).nodad_if_v6())
            .unwrap();
    }
    h.addr_add(
        "veth1",
        &AddrSpec::new(net("198.18.1.2/24")).label("veth1:l"),
    )
    .unwrap();
    t.ip(&["link", "set", "lo", "up"]);
    let lo = h.link_index("lo").unwrap();
    // IPv6 configures a link once its operational state is up, which the kernel updates
    // from a work queue: wait (bounded) for ::1 and veth1's link-local address.
    let count = |dev: &str, fam| {
        h.addr_list(&AddrFilter::new().dev(dev).family(fam))
            .unwrap()
            .len()
    };
    for _ in 0..500 {
        if count("lo", Family::Ipv6) == 1 && count("veth1", Family::Ipv6) == 2 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    for dev in ["lo", "veth0", "veth1", "veth2", "veth3"] {
        assert_list_matches_ip(&t, &h, dev);
        for (fam, opt) in [(Family::Ipv4, "-4"), (Family::Ipv6, "-6")] {
            let ours = h
                .addr_list(&AddrFilter::new().dev(dev).family(fam))
                .unwrap();
            let theirs = ip_addrs(&t, dev, &[opt]);
            assert_eq!(ours.len(), theirs.len(), "{dev} {opt}");
            for (a, j) in ours.iter().zip(&theirs) {
                assert_same(a, j);
                assert_eq!(a.family, fam);
            }
        }
    }
    // Whole table: each link's addresses, and nothing on the wrong link.
    let all = h.addr_list(&AddrFilter::new()).unwrap();
    let idx1 = h.link_index("veth1").unwrap();
    assert_eq!(
        all.iter().filter(|a| a.index == idx1).count(),
        ip_addrs(&t, "veth1", &[]).len()
    );
    assert!(all.iter().any(|a| a.index == lo));
    let v6 = h
        .addr_list(&AddrFilter::new().family(Family::Ipv6))
        .unwrap();
    assert!(!v6.is_empty() && v6.iter().all(|a| a.family == Family::Ipv6));
    // Client-side filters.
    let link = h
        .addr_list(&AddrFilter::new().dev("veth1").scope(Scope::LINK))
        .unwrap();
    assert_eq!(link.len(), 1);
    assert!(link[0].local.addr().to_string().starts_with("fe80::"));
    let labelled = h.addr_list(&AddrFilter::new().label("veth1:l")).unwrap();
    assert_eq!(labelled.len(), 1);
    assert_eq!(labelled[0].local, net("198.18.1.2/24"));
    assert_eq!(
        h.addr_list(&AddrFilter::new().dev("veth0").permanent(false))
            .unwrap(),
        vec![]
    );
    h.addr_add(
        "veth0",
        &AddrSpec::new(net("198.18.9.1/24")).lifetimes(100, 100),
    )
    .unwrap();
    let dynamic = h
        .addr_list(&AddrFilter::new().dev("veth0").permanent(false))
        .unwrap();
    assert_eq!(dynamic.len(), 1);
    assert_eq!(dynamic[0].local, net("198.18.9.1/24"));
    // A missing link.
    let e = h.addr_list(&AddrFilter::new().dev("nosuch0")).unwrap_err();
    assert!(matches!(e, Error::NotFound { what: "link", .. }), "{e}");
    let e = h.addr_list(&AddrFilter::new().dev(9999u32)).unwrap_err();
    assert!(matches!(e, Error::NotFound { what: "link", .. }), "{e}");
}

#[test]
fn flush_leaves_none_and_tolerates_secondaries_gone_with_their_primary() {
    let Some((t, h)) = setup("flush_leaves_none_and_tolerates_secondaries_gone_with_their_primary")
    else {
        return;
    };
    // Secondaries of 198.18.0.1 vanish with it (promote_secondaries is off): their own
    // deletes then find nothing.
    for a in [
        "198.18.0.1/24",
        "198.18.0.2/24",
        "198.18.0.3/24",
        "198.18.1.1/24",
    ] {
        h.addr_add("veth0", &AddrSpec::new(net(a))).unwrap();
    }
    for a in ["2001:db8::1/64", "2001:db8::2/64", "2001:db8:1::1/64"] {
        h.addr_add("veth0", &AddrSpec::new(net(a)).nodad()).unwrap();
    }
    h.addr_add("veth2", &AddrSpec::new(net("198.18.2.1/24")))
        .unwrap();
    h.addr_add("veth2", &AddrSpec::new(net("2001:db8:2::1/64")).nodad())
        .unwrap();
    let other = ip_addrs(&t, "veth2", &[]);
    assert_eq!(ip_addrs(&t, "veth0", &[]).len(), 7);

    // One family first: the other stays.
    let n = h.addr_flush("veth0", Some(Family::Ipv6)).unwrap();
    assert_eq!(n, 3);
    assert!(ip_addrs(&t, "veth0", &["-6"]).is_empty());
    assert_eq!(ip_addrs(&t, "veth0", &["-4"]).len(), 4);
    let n = h.addr_flush("veth0", None).unwrap();
    // The primaries were deleted; the secondaries went with theirs.
    assert!((2..=4).contains(&n), "{n}");
    assert_eq!(ip_addrs(&t, "veth0", &[]), Vec::<Value>::new());
    assert_eq!(ip_addrs(&t, "veth2", &[]), other);
    // Nothing left: a flush is a no-op.
    assert_eq!(h.addr_flush("veth0", None).unwrap(), 0);
    assert!(matches!(
        h.addr_flush("nosuch0", None).unwrap_err(),
        Error::NotFound { what: "link", .. }
    ));
}

#[test]
fn invalid_input_is_refused_before_sending() {
    let Some((t, h)) = setup("invalid_input_is_refused_before_sending") else {
        return;
    };
    h.addr_add("veth0", &AddrSpec::new(net("198.18.0.1/24")))
        .unwrap();
    let before = ip_addrs(&t, "veth0", &[]);
    // Out-of-range prefix lengths cannot even be spelled.
    assert!("198.18.0.1/33".parse::<IpNet>().unwrap_err().is_invalid());
    assert!(
        IpNet::new("2001:db8::1".parse().unwrap(), 129)
            .unwrap_err()
            .is_invalid()
    );
    let idx = h.link_index("veth0").unwrap();
    let v4 = || AddrSpec::new(net("198.18.0.5/24"));
    let v6 = || AddrSpec::new(net("2001:db8::5/64"));
    let bad = [
        v4().peer(net("2001:db8::2/128")),
        v6().peer(net("198.18.0.2/32")),
        v4().lifetimes(100, 300),
        v4().lifetimes(0, 0),
        v6().broadcast("198.18.0.255".parse().unwrap()),
        v6().label("veth0"),
        v4().label("veth1"),
        v4().label("veth0x"),
        v4().label("veth0:this-is-too-long"),
        v4().nodad(),
        v4().flags(AddrFlags::PERMANENT),
        v6().flags(AddrFlags::TENTATIVE),
        AddrSpec::new(net("2001:db8::5/56")).mngtmpaddr(),
    ];
    for spec in &bad {
        for r in [
            h.addr_add("veth0", spec),
            h.addr_add(idx, spec),
            h.addr_replace("veth0", spec),
        ] {
            let e = r.unwrap_err();
            assert!(
                matches!(e, Error::InvalidInput { .. }),
                "{spec:?} was not refused before sending: {e}"
            );
        }
    }
    assert!(matches!(
        h.addr_del("veth0", v4().peer(net("2001:db8::2/128")))
            .unwrap_err(),
        Error::InvalidInput { .. }
    ));
    assert!(matches!(
        h.addr_add(0u32, &v4()).unwrap_err(),
        Error::InvalidInput { .. }
    ));
    assert_eq!(ip_addrs(&t, "veth0", &[]), before);
    // The label rule is ours: this kernel itself takes any label (which then shows up as
    // an interface of that name to SIOCGIFCONF users).
    t.ip(&[
        "addr",
        "add",
        "198.18.0.6/24",
        "dev",
        "veth0",
        "label",
        "foo",
    ]);
    assert_eq!(ip_addr(&t, "veth0", "198.18.0.6")["label"], "foo");
}

#[test]
fn missing_device_is_not_found() {
    let Some((_t, h)) = setup("missing_device_is_not_found") else {
        return;
    };
    let spec = AddrSpec::new(net("198.18.0.1/24"));
    for e in [
        h.addr_add("nosuch0", &spec).unwrap_err(),
        h.addr_add(9999u32, &spec).unwrap_err(),
        h.addr_replace(9999u32, &spec.clone().label("veth0"))
            .unwrap_err(),
        h.addr_del("nosuch0", net("198.18.0.1/24")).unwrap_err(),
        h.addr_del(9999u32, net("198.18.0.1/24")).unwrap_err(),
    ] {
        assert!(matches!(e, Error::NotFound { what: "link", .. }), "{e}");
    }
}

#[test]
fn batch_requests_add_many_at_once() {
    let Some((t, h)) = setup("batch_requests_add_many_at_once") else {
        return;
    };
    let idx = h.link_index("veth0").unwrap();
    let mut batch = netplumb::Batch::new();
    for i in 1..=100u8 {
        let spec = AddrSpec::new(IpNet::new([198, 18, 4, i].into(), 32).unwrap());
        let (ty, flags, msg) = spec.add_request(idx).unwrap().into_parts();
        assert_eq!(
            (ty, flags),
            (RTM_NEWADDR, NlmsgFlags::CREATE | NlmsgFlags::EXCL)
        );
        batch.push(ty, flags, &msg).unwrap();
    }
    let results = h.batch(&batch, netplumb::BatchMode::Force).unwrap();
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(ip_addrs(&t, "veth0", &["-4"]).len(), 100);
    let (ty, _, _) = AddrSpec::new(net("198.18.4.1/32"))
        .del_request(idx)
        .unwrap()
        .into_parts();
    assert_eq!(ty, RTM_DELADDR);
    assert_eq!(h.addr_flush("veth0", None).unwrap(), 100);
}

/// The requests built by `AddrSpec` are byte for byte what `ip addr add` sent for the same
/// command (captured in tests/fixtures/addr/request_*.hex; veth0 had index 3).
#[test]
fn requests_equal_ips() {
    let fixture = |name: &str| {
        let (h, payload) = first_message(&format!("addr/{name}"));
        assert_eq!(h.message_type, RTM_NEWADDR);
        assert_eq!(
            h.flags,
            NlmsgFlags::REQUEST | NlmsgFlags::ACK | NlmsgFlags::CREATE | NlmsgFlags::EXCL
        );
        payload
    };
    // ip addr add 198.18.0.2/32 peer 198.18.1.1 dev veth0 label veth0:a
    let spec = AddrSpec::new(net("198.18.0.2/32"))
        .peer(net("198.18.1.1/32"))
        .label("veth0:a");
    let (_, flags, msg) = spec.add_request(3).unwrap().into_parts();
    assert_eq!(flags, NlmsgFlags::CREATE | NlmsgFlags::EXCL);
    assert_eq!(msg.to_vec().unwrap(), fixture("request_add_peer_label.hex"));
    // ip addr add 2001:db8:1::1/64 dev veth0 valid_lft 300 preferred_lft 100 nodad
    let spec = AddrSpec::new(net("2001:db8:1::1/64"))
        .lifetimes(300, 100)
        .nodad();
    assert_eq!(
        spec.to_message(3).unwrap().to_vec().unwrap(),
        fixture("request_add_v6_lifetimes.hex")
    );
}
