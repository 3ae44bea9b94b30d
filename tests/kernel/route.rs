//! Route operations against the kernel, each test in its own namespace, checked against
//! what `ip -j -d route show` reports there; and requests checked byte for byte against
//! the ones `ip` sent (tests/fixtures/route/request_*.hex).
use crate::common;
use common::{ip, kernel_text, net};

use common::TestNs;
use common::golden::first_message;
use netplumb::route::{NextHopSpec, Route, RouteFilter, RouteGetOpts, RouteOp, RouteSpec};
use netplumb::wire::Emit;
use netplumb::wire::nlmsg::{NlmsgFlags, RTM_NEWROUTE};
use netplumb::wire::route::{
    RTAX_MTU, RouteFlags, RouteMetric, RoutePref, RouteProtocol, RouteScope, RouteType,
};

use netplumb::{Batch, BatchMode, Error, Handle, IpNet};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::time::Duration;

// ---- fixture ------------------------------------------------------------------------------

/// A namespace with `veth0` (198.18.0.1/24, 2001:db8::1/64) and its peer `veth1`
/// (198.18.1.1/24, 2001:db8:1::1/64), all up, DAD off.
fn setup(test: &str) -> Option<(TestNs, Handle)> {
    let t = TestNs::new(test)?;
    t.lo_up();
    t.add_veth("veth0", "veth1");
    for (dev, v4, v6) in [
        ("veth0", "198.18.0.1/24", "2001:db8::1/64"),
        ("veth1", "198.18.1.1/24", "2001:db8:1::1/64"),
    ] {
        // No link-local address: the kernel would add it (and its routes) at some moment
        // after the link comes up, making before/after comparisons of the tables racy.
        t.ip(&["link", "set", dev, "addrgenmode", "none"]);
        t.ip(&["addr", "add", v4, "dev", dev]);
        t.ip(&["addr", "add", v6, "dev", dev, "nodad"]);
        t.ip(&["link", "set", dev, "up"]);
    }
    // The carrier comes up asynchronously (linkwatch): wait for it, or route flags such as
    // "linkdown" change under the tests' feet.
    let h = t.handle();
    for _ in 0..500 {
        let up = ["veth0", "veth1"].iter().all(|d| {
            h.link_get(*d).unwrap().carrier == Some(true)
                && h.link_get(*d)
                    .unwrap()
                    .flags
                    .contains(netplumb::wire::link::IfFlags::LOWER_UP)
        });
        // IPv6 installs an address's local route from a work queue once the link is up.
        let local6 = || {
            let r = h.route_list(&RouteFilter::new().table(255).ipv6()).unwrap();
            ["2001:db8::1", "2001:db8:1::1"]
                .iter()
                .all(|a| r.iter().any(|r| r.destination == net(&format!("{a}/128"))))
        };
        if up && local6() {
            return Some((t, h));
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("the veth pair's carrier and IPv6 local routes did not come up within 5 s");
}

fn index(t: &TestNs, dev: &str) -> u32 {
    t.ip_json(&["link", "show", dev])[0]["ifindex"]
        .as_u64()
        .unwrap() as u32
}

fn link_names(t: &TestNs) -> HashMap<u32, String> {
    t.ip_json(&["link", "show"])
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["ifindex"].as_u64().unwrap() as u32,
                l["ifname"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

// ---- one normal form for ip's JSON and for a Route ----------------------------------------

/// A route as comparable fields: the same keys from `ip -j -d route show` and from a
/// [`Route`].
type Norm = BTreeMap<&'static str, String>;

fn number(v: &Value, names: &[(&str, u32)]) -> String {
    match v {
        Value::String(s) => names
            .iter()
            .find(|(n, _)| n == s)
            .map(|(_, v)| v.to_string())
            .unwrap_or_else(|| s.parse::<u32>().map(|n| n.to_string()).unwrap_or(s.clone())),
        Value::Number(n) => n.to_string(),
        other => panic!("not a number or name: {other}"),
    }
}

const TYPES: &[(&str, u32)] = &[
    ("unspec", 0),
    ("unicast", 1),
    ("local", 2),
    ("broadcast", 3),
    ("anycast", 4),
    ("multicast", 5),
    ("blackhole", 6),
    ("unreachable", 7),
    ("prohibit", 8),
    ("throw", 9),
    ("nat", 10),
];
const TABLES: &[(&str, u32)] = &[
    ("unspec", 0),
    ("default", 253),
    ("main", 254),
    ("local", 255),
];
const PROTOS: &[(&str, u32)] = &[
    ("unspec", 0),
    ("redirect", 1),
    ("kernel", 2),
    ("boot", 3),
    ("static", 4),
    ("ra", 9),
    ("dhcp", 16),
];
const SCOPES: &[(&str, u32)] = &[
    ("global", 0),
    ("site", 200),
    ("link", 253),
    ("host", 254),
    ("nowhere", 255),
];
/// Next-hop flag names as `ip` prints them.
const NH_FLAGS: &[(u32, &str)] = &[
    (0x1, "dead"),
    (0x2, "pervasive"),
    (0x4, "onlink"),
    (0x8, "offload"),
    (0x10, "linkdown"),
    (0x20, "unresolved"),
    (0x40, "trap"),
];

fn flag_names(bits: u32) -> String {
    NH_FLAGS
        .iter()
        .filter(|(b, _)| bits & b != 0)
        .map(|(_, n)| *n)
        .collect::<Vec<_>>()
        .join(",")
}

fn ip_flags(v: &Value) -> String {
    let mut f: Vec<&str> = v
        .as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap()).collect())
        .unwrap_or_default();
    f.sort_by_key(|n| NH_FLAGS.iter().position(|(_, x)| x == n));
    f.join(",")
}

/// Metrics `ip` prints, in its units (rtt in ms = RTAX_RTT / 8, rttvar = RTAX_RTTVAR / 4).
fn our_metrics(ms: &[RouteMetric]) -> String {
    let mut out = BTreeMap::new();
    for m in ms {
        let (k, v) = match m {
            RouteMetric::Mtu(v) => ("mtu", v.to_string()),
            RouteMetric::Window(v) => ("window", v.to_string()),
            RouteMetric::Rtt(v) => ("rtt", (v / 8).to_string()),
            RouteMetric::RttVar(v) => ("rttvar", (v / 4).to_string()),
            RouteMetric::Ssthresh(v) => ("ssthresh", v.to_string()),
            RouteMetric::Cwnd(v) => ("cwnd", v.to_string()),
            RouteMetric::AdvMss(v) => ("advmss", v.to_string()),
            RouteMetric::Reordering(v) => ("reordering", v.to_string()),
            RouteMetric::HopLimit(v) => ("hoplimit", v.to_string()),
            RouteMetric::InitCwnd(v) => ("initcwnd", v.to_string()),
            RouteMetric::InitRwnd(v) => ("initrwnd", v.to_string()),
            RouteMetric::QuickAck(v) => ("quickack", v.to_string()),
            RouteMetric::CcAlgo(s) => ("congestion", s.clone()),
            _ => continue,
        };
        out.insert(k, v);
    }
    format!("{out:?}")
}

fn ip_metrics(v: &Value) -> String {
    let mut out = BTreeMap::new();
    for obj in v.as_array().into_iter().flatten() {
        for (k, v) in obj.as_object().unwrap() {
            let k: &'static str = match k.as_str() {
                "mtu" => "mtu",
                "window" => "window",
                "rtt" => "rtt",
                "rttvar" => "rttvar",
                "ssthresh" => "ssthresh",
                "cwnd" => "cwnd",
                "advmss" => "advmss",
                "reordering" => "reordering",
                "hoplimit" => "hoplimit",
                "initcwnd" => "initcwnd",
                "initrwnd" => "initrwnd",
                "quickack" => "quickack",
                "congestion" => "congestion",
                _ => continue,
            };
            let v = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            out.insert(k, v);
        }
    }
    format!("{out:?}")
}

fn ip_norm(r: &Value, v4: bool) -> Norm {
    let mut n = Norm::new();
    let dst = r["dst"].as_str().unwrap();
    let dst = match dst {
        "default" if v4 => "0.0.0.0/0".to_string(),
        "default" => "::/0".to_string(),
        d if d.contains('/') => net(d).to_string(),
        d => IpNet::host(ip(d)).to_string(),
    };
    n.insert("dst", dst);
    n.insert("type", number(&r["type"], TYPES));
    n.insert("table", number(&r["table"], TABLES));
    n.insert(
        "protocol",
        r.get("protocol").map_or("0".into(), |p| number(p, PROTOS)),
    );
    n.insert("scope", number(&r["scope"], SCOPES));
    if let Some(m) = r.get("metric") {
        n.insert("metric", m.to_string());
    }
    if let Some(g) = r.get("gateway") {
        n.insert("gateway", g.as_str().unwrap().into());
    }
    if let Some(v) = r.get("via") {
        n.insert("gateway", v["host"].as_str().unwrap().into());
    }
    if let Some(d) = r.get("dev") {
        n.insert("dev", d.as_str().unwrap().into());
    }
    if let Some(p) = r.get("prefsrc") {
        n.insert("prefsrc", p.as_str().unwrap().into());
    }
    if let Some(p) = r.get("pref") {
        n.insert("pref", p.as_str().unwrap().into());
    }
    n.insert("flags", ip_flags(&r["flags"]));
    n.insert("metrics", ip_metrics(&r["metrics"]));
    let hops: Vec<String> = r["nexthops"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|h| {
            format!(
                "{} {} {} {}",
                h.get("gateway")
                    .or(h.get("via").map(|v| &v["host"]))
                    .and_then(Value::as_str)
                    .unwrap_or("-"),
                h["dev"].as_str().unwrap_or("-"),
                h["weight"],
                ip_flags(&h["flags"])
            )
        })
        .collect();
    n.insert("nexthops", hops.join(" | "));
    n
}

fn our_norm(r: &Route, names: &HashMap<u32, String>) -> Norm {
    let mut n = Norm::new();
    n.insert("dst", r.destination.to_string());
    n.insert("type", r.kind.0.to_string());
    n.insert("table", r.table.to_string());
    n.insert("protocol", r.protocol.0.to_string());
    n.insert("scope", r.scope.0.to_string());
    if let Some(m) = r.metric {
        n.insert("metric", m.to_string());
    }
    if let Some(g) = r.gateway {
        n.insert("gateway", g.to_string());
    }
    if let Some(o) = r.oif {
        n.insert("dev", names[&o].clone());
    }
    if let Some(p) = r.prefsrc {
        n.insert("prefsrc", p.to_string());
    }
    if let Some(p) = r.pref {
        let p = match p {
            RoutePref::LOW => "low",
            RoutePref::MEDIUM => "medium",
            RoutePref::HIGH => "high",
            _ => "invalid",
        };
        n.insert("pref", p.into());
    }
    n.insert("flags", flag_names(r.flags.bits()));
    n.insert("metrics", our_metrics(&r.metrics));
    let hops: Vec<String> = r
        .nexthops
        .iter()
        .map(|h| {
            format!(
                "{} {} {} {}",
                h.gateway.map_or("-".into(), |g| g.to_string()),
                names.get(&h.ifindex).map_or("-", String::as_str),
                h.weight,
                flag_names(u32::from(h.flags.bits()))
            )
        })
        .collect();
    n.insert("nexthops", hops.join(" | "));
    n
}

fn sorted(mut v: Vec<Norm>) -> Vec<Norm> {
    v.sort();
    v
}

/// `ip -4|-6 -j -d route show ARGS...`, normalised.
fn ip_show(t: &TestNs, v4: bool, args: &[&str]) -> Vec<Norm> {
    let mut all = vec![if v4 { "-4" } else { "-6" }, "-d", "route", "show"];
    all.extend_from_slice(args);
    // `ip` leaves out the fields it filters on (dev, proto, type, table): put them back.
    let mut given: Vec<(&str, &str)> = args.chunks(2).map(|p| (p[0], p[1])).collect();
    if !given.iter().any(|(k, _)| *k == "table") {
        given.push(("table", "main"));
    }
    sorted(
        t.ip_json(&all)
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let mut r = r.clone();
                for (k, v) in &given {
                    let key = match *k {
                        "dev" if r.get("nexthops").is_none() => "dev",
                        "proto" => "protocol",
                        "type" => "type",
                        "table" if *v != "all" => "table",
                        _ => continue,
                    };
                    if r.get(key).is_none() {
                        r[key] = Value::String(v.to_string());
                    }
                }
                ip_norm(&r, v4)
            })
            .collect(),
    )
}

fn ours(t: &TestNs, routes: &[Route]) -> Vec<Norm> {
    let names = link_names(t);
    sorted(routes.iter().map(|r| our_norm(r, &names)).collect())
}

/// Both families, every table, as `ip` reports them.
fn ip_state(t: &TestNs) -> Vec<Norm> {
    let mut v = ip_show(t, true, &["table", "all"]);
    v.extend(ip_show(t, false, &["table", "all"]));
    sorted(v)
}

/// The one route to `dst` in `table` that `route_list` returns, after checking that
/// `ip` reports it with exactly the same fields.
fn listed(t: &TestNs, h: &Handle, dst: &str, table: u32) -> Route {
    let dst = net(dst);
    let mut found: Vec<Route> = h
        .route_list(&RouteFilter::all_tables())
        .unwrap()
        .into_iter()
        .filter(|r| r.destination == dst.network() && r.table == table)
        .collect();
    assert_eq!(found.len(), 1, "{dst} in table {table}: {found:?}");
    let r = found.remove(0);
    let mine = our_norm(&r, &link_names(t));
    let theirs = ip_show(t, dst.is_ipv4(), &["table", "all"]);
    assert!(
        theirs.contains(&mine),
        "ip does not report the route as we read it:\n ours {mine:?}\n ip   {theirs:#?}"
    );
    r
}

// ---- requests equal ip's (no kernel needed) ----------------------------------------------

/// The first message of a request fixture: its flags and payload.
fn ip_request(name: &str) -> (NlmsgFlags, Vec<u8>) {
    let (h, payload) = first_message(&format!("route/{name}.hex"));
    (h.flags, payload)
}

#[test]
fn requests_equal_the_ones_ip_sends() {
    let ack = NlmsgFlags::REQUEST | NlmsgFlags::ACK;
    // ip route add 198.18.5.0/24 via 198.18.0.254 metric 50 mtu 1400 advmss 1360
    let (flags, payload) = ip_request("request_add_metrics");
    let (t, f, m) = RouteSpec::new(net("198.18.5.0/24"))
        .via(ip("198.18.0.254"))
        .metric(50)
        .mtu(1400)
        .advmss(1360)
        .request(RouteOp::Add)
        .unwrap()
        .into_parts();
    assert_eq!((t, f | ack), (RTM_NEWROUTE, flags));
    assert_eq!(m.to_vec().unwrap(), payload);

    // ip route add 198.18.10.0/24 nexthop via 198.18.0.2 weight 1 nexthop via 198.18.0.3 weight 3
    let (_, payload) = ip_request("request_add_multipath");
    let m = RouteSpec::new(net("198.18.10.0/24"))
        .nexthop(NextHopSpec::via(ip("198.18.0.2")))
        .nexthop(NextHopSpec::via(ip("198.18.0.3")).weight(3))
        .to_message(RouteOp::Add)
        .unwrap();
    assert_eq!(m.to_vec().unwrap(), payload);

    // ip -6 route add 2001:db8:6::/64 nexthop via 2001:db8::2 dev veth0 weight 2
    //   nexthop via 2001:db8::3 dev veth0  (veth0 had index 3)
    let (_, payload) = ip_request("request_add_multipath6");
    let m = RouteSpec::new(net("2001:db8:6::/64"))
        .nexthop(NextHopSpec::via(ip("2001:db8::2")).dev(3u32).weight(2))
        .nexthop(NextHopSpec::via(ip("2001:db8::3")).dev(3u32))
        .to_message(RouteOp::Add)
        .unwrap();
    assert_eq!(m.to_vec().unwrap(), payload);
}

// ---- add, for each option, both families --------------------------------------------------

#[test]
fn gateway_and_device_routes() {
    let Some((t, h)) = setup("gateway_and_device_routes") else {
        return;
    };
    h.route_add(&RouteSpec::new(net("198.18.5.0/24")).via(ip("198.18.0.254")))
        .unwrap();
    h.route_add(&RouteSpec::new(net("2001:db8:5::/64")).via(ip("2001:db8::2")))
        .unwrap();
    h.route_add(&RouteSpec::new(net("198.18.6.0/24")).dev("veth0"))
        .unwrap();
    h.route_add(&RouteSpec::new(net("2001:db8:6::/64")).dev("veth1"))
        .unwrap();
    let veth0 = index(&t, "veth0");
    let r = listed(&t, &h, "198.18.5.0/24", 254);
    assert_eq!(
        (r.gateway, r.oif, r.scope, r.protocol, r.kind),
        (
            Some(ip("198.18.0.254")),
            Some(veth0),
            RouteScope::UNIVERSE,
            RouteProtocol::BOOT,
            RouteType::UNICAST
        )
    );
    let r = listed(&t, &h, "2001:db8:5::/64", 254);
    assert_eq!((r.gateway, r.oif), (Some(ip("2001:db8::2")), Some(veth0)));
    let r = listed(&t, &h, "198.18.6.0/24", 254);
    assert_eq!(
        (r.gateway, r.oif, r.scope),
        (None, Some(veth0), RouteScope::LINK)
    );
    let r = listed(&t, &h, "2001:db8:6::/64", 254);
    assert_eq!(r.oif, Some(index(&t, "veth1")));
    assert_eq!(r.metric, Some(1024));
}

#[test]
fn default_routes() {
    let Some((t, h)) = setup("default_routes") else {
        return;
    };
    h.route_add(&RouteSpec::default_v4().via(ip("198.18.0.254")))
        .unwrap();
    h.route_add(&RouteSpec::default_v6().via(ip("2001:db8::fe")))
        .unwrap();
    let r = listed(&t, &h, "0.0.0.0/0", 254);
    assert_eq!(r.gateway, Some(ip("198.18.0.254")));
    assert!(r.destination.is_default());
    let r = listed(&t, &h, "::/0", 254);
    assert_eq!(r.gateway, Some(ip("2001:db8::fe")));
    assert_eq!(
        t.ip_json(&["route", "show", "default"])[0]["gateway"],
        "198.18.0.254"
    );
}

#[test]
fn prefsrc_metric_tables_protocols_scopes() {
    let Some((t, h)) = setup("prefsrc_metric_tables_protocols_scopes") else {
        return;
    };
    let cases = [
        (
            RouteSpec::new(net("198.18.5.0/24"))
                .via(ip("198.18.0.254"))
                .src(ip("198.18.0.1"))
                .metric(77),
            254,
        ),
        (
            RouteSpec::new(net("2001:db8:5::/64"))
                .via(ip("2001:db8::2"))
                .src(ip("2001:db8::1"))
                .metric(77),
            254,
        ),
        (
            RouteSpec::new(net("198.18.6.0/24")).dev("veth0").table(100),
            100,
        ),
        (
            RouteSpec::new(net("2001:db8:6::/64"))
                .dev("veth0")
                .table(100),
            100,
        ),
        (
            RouteSpec::new(net("198.18.7.0/24"))
                .via(ip("198.18.0.254"))
                .table(100_000),
            100_000,
        ),
        (
            RouteSpec::new(net("2001:db8:7::/64"))
                .via(ip("2001:db8::2"))
                .table(100_000),
            100_000,
        ),
        (
            RouteSpec::new(net("198.18.8.0/24"))
                .dev("veth0")
                .protocol(RouteProtocol::STATIC),
            254,
        ),
        (
            RouteSpec::new(net("2001:db8:8::/64"))
                .dev("veth0")
                .protocol(RouteProtocol(77)),
            254,
        ),
        (
            RouteSpec::new(net("198.18.9.0/24"))
                .dev("veth0")
                .protocol(RouteProtocol(201)),
            254,
        ),
        (
            RouteSpec::new(net("198.18.10.0/24"))
                .dev("veth0")
                .scope(RouteScope::UNIVERSE),
            254,
        ),
        (
            RouteSpec::new(net("198.18.11.0/24"))
                .dev("veth0")
                .scope(RouteScope::HOST),
            254,
        ),
    ];
    for (spec, table) in &cases {
        h.route_add(spec).unwrap();
        let r = listed(&t, &h, &spec.destination.to_string(), *table);
        assert_eq!(r.table, *table);
        assert_eq!(r.prefsrc, spec.prefsrc);
        assert_eq!(r.metric.filter(|_| spec.metric.is_some()), spec.metric);
        assert_eq!(r.protocol, spec.protocol.unwrap_or(RouteProtocol::BOOT));
        if let Some(s) = spec.scope {
            assert_eq!(r.scope, s);
        }
    }
    let j = t.ip_json(&["-d", "route", "show", "table", "all", "198.18.7.0/24"]);
    assert_eq!(j[0]["table"], "100000");
    let j = t.ip_json(&["-d", "route", "show", "198.18.8.0/24"]);
    assert_eq!(j[0]["protocol"], "static");
    let j = t.ip_json(&["-d", "route", "show", "198.18.11.0/24"]);
    assert_eq!(j[0]["scope"], "host");
}

#[test]
fn route_types() {
    let Some((t, h)) = setup("route_types") else {
        return;
    };
    let types = [
        ("blackhole", RouteType::BLACKHOLE),
        ("unreachable", RouteType::UNREACHABLE),
        ("prohibit", RouteType::PROHIBIT),
        ("throw", RouteType::THROW),
    ];
    for (i, (name, kind)) in types.iter().enumerate() {
        for dst in [
            format!("198.18.{}.0/24", 20 + i),
            format!("2001:db8:{}::/64", 20 + i),
        ] {
            h.route_add(&RouteSpec::new(net(&dst)).kind(*kind)).unwrap();
            let r = listed(&t, &h, &dst, 254);
            assert_eq!(r.kind, *kind, "{dst}");
            let v4 = dst.contains('.');
            let j = t.ip_json(&[if v4 { "-4" } else { "-6" }, "-d", "route", "show", &dst]);
            assert_eq!(j[0]["type"], *name, "{dst}");
        }
    }
    // local: table local, scope host by default (IPv6: universe, as ip sends).
    h.route_add(
        &RouteSpec::new(net("198.18.30.1/32"))
            .kind(RouteType::LOCAL)
            .dev("veth0"),
    )
    .unwrap();
    let r = listed(&t, &h, "198.18.30.1/32", 255);
    assert_eq!((r.kind, r.scope), (RouteType::LOCAL, RouteScope::HOST));
    h.route_add(
        &RouteSpec::new(net("2001:db8:30::1/128"))
            .kind(RouteType::LOCAL)
            .dev("veth0"),
    )
    .unwrap();
    let r = listed(&t, &h, "2001:db8:30::1/128", 255);
    assert_eq!(r.kind, RouteType::LOCAL);
}

#[test]
fn onlink_routes() {
    let Some((t, h)) = setup("onlink_routes") else {
        return;
    };
    // A gateway outside every connected prefix: refused without onlink...
    let plain = RouteSpec::new(net("198.18.40.0/24"))
        .via(ip("198.18.50.1"))
        .dev("veth0");
    assert!(h.route_add(&plain).is_err());
    // ... accepted with it.
    h.route_add(&plain.clone().onlink()).unwrap();
    let r = listed(&t, &h, "198.18.40.0/24", 254);
    assert!(r.flags.contains(RouteFlags::ONLINK));
    let j = t.ip_json(&["route", "show", "198.18.40.0/24"]);
    assert_eq!(j[0]["flags"][0], "onlink");
    h.route_add(
        &RouteSpec::new(net("2001:db8:40::/64"))
            .via(ip("2001:db8:50::1"))
            .dev("veth0")
            .onlink(),
    )
    .unwrap();
    let r = listed(&t, &h, "2001:db8:40::/64", 254);
    assert!(r.flags.contains(RouteFlags::ONLINK));
}

#[test]
fn route_metrics() {
    let Some((t, h)) = setup("route_metrics") else {
        return;
    };
    let with_metrics = |s: RouteSpec| {
        s.mtu_lock(1400)
            .advmss(1360)
            .window(1000)
            .rtt(Duration::from_millis(10))
            .rttvar(Duration::from_millis(5))
            .hoplimit(9)
            .initcwnd(10)
            .initrwnd(11)
            .reordering(4)
            .congctl("reno")
    };
    h.route_add(&with_metrics(
        RouteSpec::new(net("198.18.5.0/24")).via(ip("198.18.0.2")),
    ))
    .unwrap();
    h.route_add(&with_metrics(
        RouteSpec::new(net("2001:db8:5::/64")).via(ip("2001:db8::2")),
    ))
    .unwrap();
    for (dst, v4) in [("198.18.5.0/24", true), ("2001:db8:5::/64", false)] {
        let r = listed(&t, &h, dst, 254);
        for m in [
            RouteMetric::Mtu(1400),
            RouteMetric::AdvMss(1360),
            RouteMetric::Window(1000),
            RouteMetric::Rtt(80),
            RouteMetric::RttVar(20),
            RouteMetric::HopLimit(9),
            RouteMetric::InitCwnd(10),
            RouteMetric::InitRwnd(11),
            RouteMetric::Reordering(4),
            RouteMetric::CcAlgo("reno".into()),
        ] {
            assert!(r.metrics.contains(&m), "{dst}: {m:?} in {:?}", r.metrics);
        }
        let lock = r.metrics.iter().find_map(|m| match m {
            RouteMetric::Lock(l) => Some(*l),
            _ => None,
        });
        assert_eq!(
            lock.map(|l| l & (1 << RTAX_MTU)),
            Some(1 << RTAX_MTU),
            "{dst}"
        );
        // ip's JSON has no lock; its text does.
        let text = t.ip(&[if v4 { "-4" } else { "-6" }, "route", "show", dst]);
        assert!(text.contains("mtu lock 1400"), "{text}");
        assert!(text.contains("congctl reno"), "{text}");
    }
}

#[test]
fn multipath_with_weights() {
    let Some((t, h)) = setup("multipath_with_weights") else {
        return;
    };
    h.route_add(
        &RouteSpec::new(net("198.18.5.0/24"))
            .nexthop(NextHopSpec::via(ip("198.18.0.2")).weight(2))
            .nexthop(NextHopSpec::via(ip("198.18.1.2")).dev("veth1").weight(5)),
    )
    .unwrap();
    h.route_add(
        &RouteSpec::new(net("2001:db8:5::/64"))
            .nexthop(NextHopSpec::via(ip("2001:db8::2")).dev("veth0").weight(2))
            .nexthop(
                NextHopSpec::via(ip("2001:db8:1::2"))
                    .dev("veth1")
                    .weight(256),
            ),
    )
    .unwrap();
    let (veth0, veth1) = (index(&t, "veth0"), index(&t, "veth1"));
    let r = listed(&t, &h, "198.18.5.0/24", 254);
    let hops: Vec<_> = r
        .nexthops
        .iter()
        .map(|n| (n.gateway, n.ifindex, n.weight))
        .collect();
    assert_eq!(
        hops,
        [
            (Some(ip("198.18.0.2")), veth0, 2),
            (Some(ip("198.18.1.2")), veth1, 5)
        ]
    );
    let r = listed(&t, &h, "2001:db8:5::/64", 254);
    let hops: Vec<_> = r
        .nexthops
        .iter()
        .map(|n| (n.gateway, n.ifindex, n.weight))
        .collect();
    assert_eq!(
        hops,
        [
            (Some(ip("2001:db8::2")), veth0, 2),
            (Some(ip("2001:db8:1::2")), veth1, 256)
        ]
    );
}

#[test]
fn ipv6_pref_and_expires() {
    let Some((t, h)) = setup("ipv6_pref_and_expires") else {
        return;
    };
    for (dst, pref, name) in [
        ("2001:db8:5::/64", RoutePref::HIGH, "high"),
        ("2001:db8:6::/64", RoutePref::LOW, "low"),
    ] {
        h.route_add(&RouteSpec::new(net(dst)).via(ip("2001:db8::2")).pref(pref))
            .unwrap();
        let r = listed(&t, &h, dst, 254);
        assert_eq!(r.pref, Some(pref));
        assert_eq!(t.ip_json(&["-6", "route", "show", dst])[0]["pref"], name);
    }
    h.route_add(
        &RouteSpec::new(net("2001:db8:7::/64"))
            .via(ip("2001:db8::2"))
            .expires(300),
    )
    .unwrap();
    let r = listed(&t, &h, "2001:db8:7::/64", 254);
    let left = r.expires.expect("an expiring route");
    assert!(
        left <= Duration::from_secs(300) && left > Duration::from_secs(200),
        "{left:?}"
    );
    let ip_left = t.ip_json(&["-6", "route", "show", "2001:db8:7::/64"])[0]["expires"]
        .as_u64()
        .unwrap();
    assert!(
        ip_left.abs_diff(left.as_secs()) <= 2,
        "{ip_left} vs {left:?}"
    );
}

#[test]
fn ipv4_route_via_ipv6_gateway() {
    let Some((t, h)) = setup("ipv4_route_via_ipv6_gateway") else {
        return;
    };
    h.route_add(
        &RouteSpec::new(net("198.18.7.0/24"))
            .via(ip("2001:db8::9"))
            .dev("veth0"),
    )
    .unwrap();
    let r = listed(&t, &h, "198.18.7.0/24", 254);
    assert_eq!(r.gateway, Some(ip("2001:db8::9")));
    assert!(r.via().is_some());
    let j = t.ip_json(&["route", "show", "198.18.7.0/24"]);
    assert_eq!(j[0]["via"]["family"], "inet6");
    assert_eq!(j[0]["via"]["host"], "2001:db8::9");
}

// ---- verbs --------------------------------------------------------------------------------

#[test]
fn replace_is_idempotent_and_replaces() {
    let Some((t, h)) = setup("replace_is_idempotent_and_replaces") else {
        return;
    };
    for spec in [
        RouteSpec::new(net("198.18.5.0/24")).via(ip("198.18.0.2")),
        RouteSpec::new(net("2001:db8:5::/64")).via(ip("2001:db8::2")),
    ] {
        h.route_replace(&spec).unwrap();
        let once = ip_state(&t);
        h.route_replace(&spec).unwrap();
        assert_eq!(ip_state(&t), once, "replace twice changed the state");
        let gw2 = if spec.destination.is_ipv4() {
            ip("198.18.0.3")
        } else {
            ip("2001:db8::3")
        };
        h.route_replace(&spec.clone().via(gw2)).unwrap();
        let r = listed(&t, &h, &spec.destination.to_string(), 254);
        assert_eq!(r.gateway, Some(gw2));
    }
}

#[test]
fn add_twice_is_exists() {
    let Some((t, h)) = setup("add_twice_is_exists") else {
        return;
    };
    for spec in [
        RouteSpec::new(net("198.18.5.0/24")).via(ip("198.18.0.2")),
        RouteSpec::new(net("2001:db8:5::/64")).via(ip("2001:db8::2")),
    ] {
        h.route_add(&spec).unwrap();
        let before = ip_state(&t);
        let e = h.route_add(&spec).unwrap_err();
        assert!(e.is_exists(), "{e}");
        assert_eq!(e.errno(), Some(libc::EEXIST));
        // No ext-ack here: the message is the errno's, as `ip` prints it.
        assert_eq!(kernel_text(&e), "File exists");
        assert!(e.to_string().contains("RTM_NEWROUTE"), "{e}");
        assert_eq!(ip_state(&t), before);
    }
}

#[test]
fn change_of_missing_route_is_not_found() {
    let Some((t, h)) = setup("change_of_missing_route_is_not_found") else {
        return;
    };
    let before = ip_state(&t);
    let e = h
        .route_change(&RouteSpec::new(net("198.18.90.0/24")).via(ip("198.18.0.2")))
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert_eq!(e.errno(), Some(libc::ENOENT));
    let e = h
        .route_change(&RouteSpec::new(net("2001:db8:90::/64")).via(ip("2001:db8::2")))
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert_eq!(kernel_text(&e), "Can not replace route - no match found");
    assert_eq!(ip_state(&t), before);
    // An existing route changes.
    let spec = RouteSpec::new(net("198.18.5.0/24")).via(ip("198.18.0.2"));
    h.route_add(&spec).unwrap();
    h.route_change(&spec.clone().via(ip("198.18.0.3"))).unwrap();
    assert_eq!(
        listed(&t, &h, "198.18.5.0/24", 254).gateway,
        Some(ip("198.18.0.3"))
    );
}

#[test]
fn append_and_prepend() {
    let Some((t, h)) = setup("append_and_prepend") else {
        return;
    };
    // IPv4: append adds a second route with the same key after the first.
    let a = RouteSpec::new(net("198.18.5.0/24")).via(ip("198.18.0.2"));
    h.route_add(&a).unwrap();
    h.route_append(&a.clone().via(ip("198.18.0.3"))).unwrap();
    h.route_prepend(&a.clone().via(ip("198.18.0.4"))).unwrap();
    let gws: Vec<_> = h
        .route_list(&RouteFilter::new().ipv4())
        .unwrap()
        .into_iter()
        .filter(|r| r.destination == net("198.18.5.0/24"))
        .map(|r| r.gateway.unwrap())
        .collect();
    assert_eq!(gws, [ip("198.18.0.4"), ip("198.18.0.2"), ip("198.18.0.3")]);
    let ipgws: Vec<_> = t
        .ip_json(&["route", "show", "198.18.5.0/24"])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| ip(r["gateway"].as_str().unwrap()))
        .collect();
    assert_eq!(gws, ipgws);
    // IPv6: append turns the route into a multipath route.
    let b = RouteSpec::new(net("2001:db8:5::/64")).via(ip("2001:db8::2"));
    h.route_add(&b).unwrap();
    h.route_append(&b.clone().via(ip("2001:db8::3"))).unwrap();
    let r = listed(&t, &h, "2001:db8:5::/64", 254);
    let gws: Vec<_> = r.nexthops.iter().map(|n| n.gateway.unwrap()).collect();
    assert_eq!(gws, [ip("2001:db8::2"), ip("2001:db8::3")]);
}

#[test]
fn delete_matches_what_the_spec_gives() {
    let Some((t, h)) = setup("delete_matches_what_the_spec_gives") else {
        return;
    };
    let baseline = ip_state(&t);
    let v4 = RouteSpec::new(net("198.18.5.0/24"))
        .via(ip("198.18.0.2"))
        .table(100_000)
        .metric(5);
    let v6 = RouteSpec::new(net("2001:db8:5::/64"))
        .via(ip("2001:db8::2"))
        .table(100);
    for spec in [&v4, &v6] {
        h.route_add(spec).unwrap();
        // Wrong gateway or wrong table: nothing matches.
        let other_gw = if spec.destination.is_ipv4() {
            ip("198.18.0.9")
        } else {
            ip("2001:db8::9")
        };
        let e = h.route_del(&spec.clone().via(other_gw)).unwrap_err();
        assert!(e.is_not_found(), "{e}");
        let e = h
            .route_del(&RouteSpec::new(spec.destination).table(7))
            .unwrap_err();
        assert!(e.is_not_found(), "{e}");
        assert_eq!(e.errno(), Some(libc::ESRCH));
    }
    // Just the destination and table, like `ip route del PREFIX table T`.
    h.route_del(&RouteSpec::new(v4.destination).table(100_000))
        .unwrap();
    // The full spec.
    h.route_del(&v6).unwrap();
    assert_eq!(ip_state(&t), baseline);
    let e = h.route_del(&v6).unwrap_err();
    assert!(e.is_not_found(), "{e}");
    // Typed route by type, default route.
    h.route_add(&RouteSpec::new(net("198.18.6.0/24")).kind(RouteType::BLACKHOLE))
        .unwrap();
    h.route_add(&RouteSpec::default_v6().via(ip("2001:db8::fe")))
        .unwrap();
    h.route_del(&RouteSpec::new(net("198.18.6.0/24")).kind(RouteType::BLACKHOLE))
        .unwrap();
    h.route_del(&RouteSpec::default_v6()).unwrap();
    assert_eq!(ip_state(&t), baseline);
}

// ---- list, get, flush ---------------------------------------------------------------------

/// Routes in several tables, on two links, of several protocols and types.
fn populate(h: &Handle) {
    let specs = [
        RouteSpec::new(net("198.18.5.0/24")).via(ip("198.18.0.2")),
        RouteSpec::new(net("198.18.6.0/24"))
            .dev("veth1")
            .protocol(RouteProtocol::STATIC),
        RouteSpec::new(net("198.18.7.0/24")).dev("veth0").table(100),
        RouteSpec::new(net("198.18.8.0/24"))
            .via(ip("198.18.1.2"))
            .table(100),
        RouteSpec::new(net("198.18.9.0/24"))
            .dev("veth1")
            .table(100_000),
        RouteSpec::new(net("198.18.10.0/24")).kind(RouteType::BLACKHOLE),
        RouteSpec::new(net("198.18.11.0/24"))
            .kind(RouteType::UNREACHABLE)
            .table(100),
        RouteSpec::new(net("198.18.12.0/24"))
            .nexthop(NextHopSpec::via(ip("198.18.0.2")))
            .nexthop(NextHopSpec::via(ip("198.18.1.2")).weight(3)),
        RouteSpec::new(net("2001:db8:5::/64")).via(ip("2001:db8::2")),
        RouteSpec::new(net("2001:db8:6::/64"))
            .dev("veth1")
            .protocol(RouteProtocol::STATIC),
        RouteSpec::new(net("2001:db8:7::/64"))
            .dev("veth0")
            .table(100),
        RouteSpec::new(net("2001:db8:9::/64"))
            .dev("veth1")
            .table(100_000),
        RouteSpec::new(net("2001:db8:10::/64")).kind(RouteType::BLACKHOLE),
        RouteSpec::default_v4().via(ip("198.18.0.254")),
        RouteSpec::default_v6().via(ip("2001:db8::fe")).table(100),
    ];
    for s in &specs {
        h.route_add(s).unwrap_or_else(|e| panic!("{s:?}: {e}"));
    }
}

#[test]
fn list_filters_equal_ip() {
    let Some((t, h)) = setup("list_filters_equal_ip") else {
        return;
    };
    populate(&h);
    let v4 = RouteFilter::new().ipv4();
    let v6 = RouteFilter::new().ipv6();
    let cases: Vec<(RouteFilter, bool, Vec<&str>)> = vec![
        (v4.clone(), true, vec![]),
        (v6.clone(), false, vec![]),
        (v4.clone().table(100), true, vec!["table", "100"]),
        (v6.clone().table(100), false, vec!["table", "100"]),
        (v4.clone().table(100_000), true, vec!["table", "100000"]),
        (v6.clone().table(100_000), false, vec!["table", "100000"]),
        (RouteFilter::all_tables().ipv4(), true, vec!["table", "all"]),
        (
            RouteFilter::all_tables().ipv6(),
            false,
            vec!["table", "all"],
        ),
        (v4.clone().dev("veth1"), true, vec!["dev", "veth1"]),
        (v6.clone().dev("veth1"), false, vec!["dev", "veth1"]),
        (
            RouteFilter::all_tables().ipv4().dev("veth0"),
            true,
            vec!["table", "all", "dev", "veth0"],
        ),
        (
            v4.clone().protocol(RouteProtocol::STATIC),
            true,
            vec!["proto", "static"],
        ),
        (
            v6.clone().protocol(RouteProtocol::STATIC),
            false,
            vec!["proto", "static"],
        ),
        (
            RouteFilter::all_tables()
                .ipv4()
                .kind(RouteType::UNREACHABLE),
            true,
            vec!["table", "all", "type", "unreachable"],
        ),
        (
            v6.clone().kind(RouteType::BLACKHOLE),
            false,
            vec!["type", "blackhole"],
        ),
    ];
    let multipath = net("198.18.12.0/24");
    for (filter, is_v4, args) in &cases {
        let mut got = h.route_list(filter).unwrap();
        assert!(!got.is_empty(), "{filter:?} selects nothing: a weak case");
        if filter.oif.is_some() {
            // The kernel's `dev` filter also selects multipath routes with a next hop on
            // the link; `ip` then drops them again (they have no RTA_OIF). Both links carry
            // one of 198.18.12.0/24's next hops.
            assert!(
                !is_v4 || got.iter().any(|r| r.destination == multipath),
                "{filter:?}"
            );
            got.retain(|r| r.nexthops.is_empty());
        }
        assert_eq!(
            ours(&t, &got),
            ip_show(&t, *is_v4, args),
            "{filter:?} vs ip {args:?}"
        );
    }
    // Both families at once: the union of the two.
    let mut both = h.route_list(&RouteFilter::new().dev("veth1")).unwrap();
    both.retain(|r| r.nexthops.is_empty());
    let mut want = ip_show(&t, true, &["dev", "veth1"]);
    want.extend(ip_show(&t, false, &["dev", "veth1"]));
    assert_eq!(ours(&t, &both), sorted(want));
    let all = h.route_list(&RouteFilter::all_tables()).unwrap();
    assert_eq!(ours(&t, &all), ip_state(&t));
    // A table that does not exist is empty; a link that does not exist is NotFound.
    assert!(
        h.route_list(&RouteFilter::new().table(4242))
            .unwrap()
            .is_empty()
    );
    assert!(h.route_list(&v4.clone().table(4242)).unwrap().is_empty());
    let e = h
        .route_list(&RouteFilter::new().dev("nosuch0"))
        .unwrap_err();
    assert!(matches!(e, Error::NotFound { what: "link", .. }), "{e}");
}

#[test]
fn route_get_equals_ip_route_get() {
    let Some((t, h)) = setup("route_get_equals_ip_route_get") else {
        return;
    };
    populate(&h);
    let names = link_names(&t);
    let check = |dst: &str, opts: &RouteGetOpts, args: &[&str]| {
        let r = h.route_get(ip(dst), opts).unwrap();
        let v4 = dst.contains('.');
        let mut cmd = vec![if v4 { "-4" } else { "-6" }, "route", "get", dst];
        cmd.extend_from_slice(args);
        let j = &t.ip_json(&cmd)[0];
        assert_eq!(r.destination, IpNet::host(ip(dst)), "{dst}");
        assert_eq!(
            r.oif.map(|i| names[&i].as_str()),
            j["dev"].as_str(),
            "{dst} {args:?}"
        );
        assert_eq!(
            r.gateway.map(|g| g.to_string()),
            j["gateway"].as_str().map(str::to_string),
            "{dst} {args:?}"
        );
        assert_eq!(
            r.prefsrc.map(|g| g.to_string()),
            j["prefsrc"].as_str().map(str::to_string),
            "{dst} {args:?}"
        );
        r
    };
    let r = check("198.18.5.9", &RouteGetOpts::new(), &[]);
    assert_eq!(r.gateway, Some(ip("198.18.0.2")));
    assert_eq!(r.table, 254);
    check("198.18.0.7", &RouteGetOpts::new(), &[]);
    check("198.18.99.1", &RouteGetOpts::new(), &[]); // the default route
    check(
        "198.18.1.7",
        &RouteGetOpts::new().from(ip("198.18.0.1")).mark(3),
        &["from", "198.18.0.1", "mark", "3"],
    );
    check(
        "198.18.99.1",
        &RouteGetOpts::new().oif("veth1"),
        &["oif", "veth1"],
    );
    let r = check("2001:db8:5::9", &RouteGetOpts::new(), &[]);
    assert_eq!(r.gateway, Some(ip("2001:db8::2")));
    check(
        "2001:db8:1::7",
        &RouteGetOpts::new().from(ip("2001:db8::1")),
        &["from", "2001:db8::1"],
    );
    // Input lookups (iif) of local destinations, both families.
    let veth1 = index(&t, "veth1");
    for (dst, from) in [
        ("198.18.0.1", "198.18.1.2"),
        ("2001:db8::1", "2001:db8:1::2"),
    ] {
        let r = check(
            dst,
            &RouteGetOpts::new().from(ip(from)).iif("veth1"),
            &["from", from, "iif", "veth1"],
        );
        assert_eq!((r.iif, r.kind), (Some(veth1), RouteType::LOCAL), "{dst}");
        assert_eq!(r.source, Some(IpNet::host(ip(from))));
    }
    // fibmatch returns the FIB entry, not the host route.
    let r = h
        .route_get(ip("198.18.5.9"), &RouteGetOpts::new().fibmatch())
        .unwrap();
    assert_eq!(r.destination, net("198.18.5.0/24"));
    let j = t.ip_json(&["route", "get", "fibmatch", "198.18.5.9"]);
    assert_eq!(j[0]["dst"], "198.18.5.0/24");
    // No route: the kernel's error, typed.
    h.route_del(&RouteSpec::default_v4()).unwrap();
    let e = h
        .route_get(ip("198.18.99.1"), &RouteGetOpts::new())
        .unwrap_err();
    assert_eq!(e.errno(), Some(libc::ENETUNREACH), "{e}");
    let e = h
        .route_get(ip("198.18.5.9"), &RouteGetOpts::new().iif("nosuch0"))
        .unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
}

#[test]
fn flush_by_dev_and_table() {
    let Some((t, h)) = setup("flush_by_dev_and_table") else {
        return;
    };
    populate(&h);
    // By device, main table: every route out of veth1 goes, also the kernel's prefix
    // routes; multipath routes through veth1 too.
    let n = h.route_flush(&RouteFilter::new().dev("veth1")).unwrap();
    assert!(n >= 4, "{n}");
    assert!(
        h.route_list(&RouteFilter::new().dev("veth1"))
            .unwrap()
            .is_empty()
    );
    assert!(
        t.ip_json(&["route", "show", "dev", "veth1"])
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(
        t.ip_json(&["-6", "route", "show", "dev", "veth1"])
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Other tables and links are untouched.
    assert_eq!(
        t.ip_json(&["route", "show", "table", "100000"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(
        !t.ip_json(&["route", "show", "dev", "veth0"])
            .as_array()
            .unwrap()
            .is_empty()
    );
    // By table: all of it, both families.
    let n = h.route_flush(&RouteFilter::new().table(100)).unwrap();
    assert_eq!(n, 5);
    assert!(
        t.ip_json(&["route", "show", "table", "100"])
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(
        t.ip_json(&["-6", "route", "show", "table", "100"])
            .as_array()
            .unwrap()
            .is_empty()
    );
    let n = h
        .route_flush(&RouteFilter::new().table(100_000).ipv6())
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(
        t.ip_json(&["route", "show", "table", "100000"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Flushing nothing is fine.
    assert_eq!(h.route_flush(&RouteFilter::new().table(100)).unwrap(), 0);
}

// ---- errors -------------------------------------------------------------------------------

#[test]
fn kernel_refusals_are_typed_with_their_message() {
    let Some((t, h)) = setup("kernel_refusals_are_typed_with_their_message") else {
        return;
    };
    let before = ip_state(&t);
    // A gateway no route reaches.
    let e = h
        .route_add(&RouteSpec::new(net("198.18.5.0/24")).via(ip("198.18.99.1")))
        .unwrap_err();
    assert_eq!(e.errno(), Some(libc::ENETUNREACH), "{e}");
    assert_eq!(kernel_text(&e), "Nexthop has invalid gateway");
    // Host bits in an IPv4 destination: the kernel's words.
    let e = h
        .route_add(&RouteSpec::new(net("198.18.0.5/24")).dev("veth0"))
        .unwrap_err();
    assert!(e.is_invalid(), "{e}");
    assert_eq!(kernel_text(&e), "Invalid prefix for given prefix length");
    // An unknown congestion control algorithm.
    let e = h
        .route_add(
            &RouteSpec::new(net("198.18.5.0/24"))
                .via(ip("198.18.0.2"))
                .congctl("nosuchcc"),
        )
        .unwrap_err();
    assert_eq!(kernel_text(&e), "Unknown tcp congestion algorithm");
    // TOS on IPv6.
    let e = h
        .route_add(&RouteSpec::new(net("2001:db8:5::/64")).dev("veth0").tos(4))
        .unwrap_err();
    assert!(kernel_text(&e).contains("tos"), "{e}");
    // A device index that does not exist.
    let e = h
        .route_add(&RouteSpec::new(net("198.18.5.0/24")).dev(4242u32))
        .unwrap_err();
    assert_eq!(e.errno(), Some(libc::ENODEV), "{e}");
    assert!(e.is_not_found());
    assert_eq!(ip_state(&t), before);
    // IPv6 keeps host bits to itself: it clears them.
    h.route_add(&RouteSpec::new(net("2001:db8:5::5/64")).dev("veth0"))
        .unwrap();
    listed(&t, &h, "2001:db8:5::/64", 254);
}

#[test]
fn invalid_input_is_refused_before_sending() {
    let Some((t, h)) = setup("invalid_input_is_refused_before_sending") else {
        return;
    };
    let before = ip_state(&t);
    let v4 = || RouteSpec::new(net("198.18.5.0/24"));
    let v6 = || RouteSpec::new(net("2001:db8:5::/64"));
    let bad = [
        v6().via(ip("198.18.0.2")),
        v4().dev("veth0").src(ip("2001:db8::1")),
        v4().nexthop(NextHopSpec::via(ip("198.18.0.2")).weight(0)),
        v4().nexthop(NextHopSpec::via(ip("198.18.0.2")).weight(257)),
        v6().nexthop(NextHopSpec::via(ip("198.18.0.2"))),
        v4().via(ip("198.18.0.3"))
            .nexthop(NextHopSpec::via(ip("198.18.0.2"))),
        v4().dev("veth0").pref(RoutePref::HIGH),
        v4().dev("veth0").congctl("a-name-of-16-byt"),
        v4().dev("bad/name"),
        v4().dev(0u32),
    ];
    for spec in &bad {
        for op in [RouteOp::Add, RouteOp::Replace, RouteOp::Del] {
            let r = match op {
                RouteOp::Add => h.route_add(spec),
                RouteOp::Replace => h.route_replace(spec),
                _ => h.route_del(spec),
            };
            let e = r.unwrap_err();
            assert!(matches!(e, Error::InvalidInput { .. }), "{spec:?}: {e}");
        }
    }
    // A device name that does not exist: NotFound, nothing sent.
    let e = h.route_add(&v4().dev("nosuch0")).unwrap_err();
    assert!(matches!(e, Error::NotFound { what: "link", .. }), "{e}");
    assert_eq!(ip_state(&t), before);
}

// ---- batch --------------------------------------------------------------------------------

#[test]
fn thousands_of_routes_in_one_batch() {
    let Some((t, h)) = setup("thousands_of_routes_in_one_batch") else {
        return;
    };
    let veth0 = index(&t, "veth0");
    let n = 3000u32;
    let spec = |i: u32| {
        let dst = IpNet::new(IpAddr::V4((0xc613_0000 | (i << 4)).into()), 28).unwrap();
        RouteSpec::new(dst).dev(veth0).table(100)
    };
    let mut batch = Batch::new();
    for i in 0..n {
        let (ty, f, m) = spec(i).request(RouteOp::Add).unwrap().into_parts();
        batch.push(ty, f, &m).unwrap();
    }
    let results = h.batch(&batch, BatchMode::StopOnError).unwrap();
    assert_eq!(results.len(), n as usize);
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(
        h.route_list(&RouteFilter::new().table(100)).unwrap().len(),
        n as usize
    );
    // The streaming form gives the same routes, in the same order, as the collected one.
    let filter = RouteFilter::new().table(100);
    let streamed: Vec<_> = h
        .route_iter(&filter)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(streamed, h.route_list(&filter).unwrap());
    assert_eq!(streamed.len(), n as usize);
    // Filters apply while streaming: nothing of table 100 is in table main's stream.
    assert!(
        h.route_iter(&RouteFilter::new())
            .unwrap()
            .all(|r| r.unwrap().table == 254)
    );
    assert_eq!(
        t.ip_json(&["route", "show", "table", "100"])
            .as_array()
            .unwrap()
            .len(),
        n as usize
    );
    // A handle resolves names for the batch path too; a duplicate fails alone.
    let (ty, f, m) = h
        .route_request(
            RouteOp::Add,
            &RouteSpec::new(spec(7).destination).dev("veth0").table(100),
        )
        .unwrap()
        .into_parts();
    let mut again = Batch::new();
    again.push(ty, f, &m).unwrap();
    let r = h.batch(&again, BatchMode::Force).unwrap();
    assert!(r[0].as_ref().unwrap_err().is_exists());
    assert_eq!(
        h.route_flush(&RouteFilter::new().table(100)).unwrap(),
        n as usize
    );
}

#[test]
fn a_route_read_back_deletes_itself() {
    let Some((t, h)) = setup("a_route_read_back_deletes_itself") else {
        return;
    };
    let baseline = ip_state(&t);
    populate(&h);
    let added: Vec<Route> = h
        .route_list(&RouteFilter::all_tables())
        .unwrap()
        .into_iter()
        .filter(|r| r.protocol != RouteProtocol::KERNEL)
        .collect();
    assert_eq!(added.len(), 15);
    for r in &added {
        h.request(
            netplumb::wire::nlmsg::RTM_DELROUTE,
            NlmsgFlags::empty(),
            &r.delete_message(),
        )
        .unwrap_or_else(|e| panic!("{r:?}: {e}"));
    }
    assert_eq!(ip_state(&t), baseline);
}

#[test]
fn a_route_round_trips_through_the_kernel() {
    // Everything set at once, IPv4 then IPv6: what comes back equals what ip reports.
    let Some((t, h)) = setup("a_route_round_trips_through_the_kernel") else {
        return;
    };
    h.route_add(
        &RouteSpec::new(net("198.18.5.0/24"))
            .via(ip("198.18.0.2"))
            .dev("veth0")
            .src(ip("198.18.0.1"))
            .metric(10)
            .table(100_000)
            .protocol(RouteProtocol::STATIC)
            .tos(0x10)
            .mtu(1300)
            .initcwnd(20),
    )
    .unwrap();
    let r = listed(&t, &h, "198.18.5.0/24", 100_000);
    assert_eq!(r.tos, 0x10);
    assert_eq!(r.message.header.table, 252); // RT_TABLE_COMPAT in replies
    assert_eq!(r.metrics.len(), 2);
    h.route_add(
        &RouteSpec::new(net("2001:db8:5::/64"))
            .via(ip("2001:db8::2"))
            .dev("veth0")
            .src(ip("2001:db8::1"))
            .metric(10)
            .table(100_000)
            .protocol(RouteProtocol::STATIC)
            .pref(RoutePref::LOW)
            .hoplimit(7),
    )
    .unwrap();
    listed(&t, &h, "2001:db8:5::/64", 100_000);
    let spec_again = RouteSpec::new(net("2001:db8:5::/64"))
        .via(ip("2001:db8::2"))
        .table(100_000)
        .metric(10);
    h.route_del(&spec_again).unwrap();
    assert!(
        h.route_list(&RouteFilter::new().table(100_000).ipv6())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn the_kernel_filters_the_dump_itself() {
    // The request alone (no client-side filtering) must make the kernel filter: every
    // record is flagged NLM_F_DUMP_FILTERED and passes the filter.
    let Some((t, h)) = setup("the_kernel_filters_the_dump_itself") else {
        return;
    };
    populate(&h);
    let veth1 = index(&t, "veth1");
    let filters = [
        (RouteFilter::new().table(100), None),
        (RouteFilter::new().table(100_000).ipv6(), None),
        (RouteFilter::new().ipv4(), Some(veth1)),
        (
            RouteFilter::all_tables().protocol(RouteProtocol::STATIC),
            None,
        ),
        (RouteFilter::all_tables().kind(RouteType::BLACKHOLE), None),
    ];
    for (filter, oif) in &filters {
        let req = filter.to_message(*oif).unwrap();
        let mut seen = 0;
        h.dump(netplumb::wire::nlmsg::RTM_GETROUTE, &req)
            .unwrap()
            .for_each(|m| {
                assert!(m.flags().contains(NlmsgFlags::DUMP_FILTERED), "{filter:?}");
                let msg = netplumb::wire::route::RouteMessage::parse(m.payload())?;
                if msg.header.family == libc::AF_INET as u8
                    || msg.header.family == libc::AF_INET6 as u8
                {
                    let r = Route::from_message(msg)?;
                    assert!(
                        filter.table.is_none_or(|tb| tb == r.table),
                        "{filter:?} {r:?}"
                    );
                    assert!(
                        filter.family.is_none_or(|f| f == r.family),
                        "{filter:?} {r:?}"
                    );
                    assert!(filter.protocol.is_none_or(|p| p == r.protocol), "{r:?}");
                    assert!(filter.kind.is_none_or(|k| k == r.kind), "{r:?}");
                    assert!(
                        oif.is_none_or(
                            |i| r.oif == Some(i) || r.nexthops.iter().any(|n| n.ifindex == i)
                        ),
                        "{r:?}"
                    );
                    seen += 1;
                }
                Ok(())
            })
            .unwrap();
        assert!(seen > 0, "{filter:?}");
        let listed = match oif {
            Some(i) => h.route_list(&filter.clone().dev(*i)),
            None => h.route_list(filter),
        };
        assert_eq!(seen, listed.unwrap().len(), "{filter:?}");
    }
}
