//! Policy routing rules against the kernel, each test in its own namespace, checked against
//! what `ip -d -j rule show` reports there; requests checked byte for byte against the ones
//! `ip rule` sent (tests/fixtures/rule/request_*.hex); and packets steered by a rule.
use crate::common;
use common::{kernel_text, net};

use common::TestNs;
use common::golden::first_message;
use netplumb::events::{Event, Group, Monitor};
use netplumb::rule::{Action, Rule, RuleFilter, RuleOp, RuleSpec};
use netplumb::wire::route::RouteProtocol;
use netplumb::wire::rule::{PortRange, RuleAction, RuleFlags};
use netplumb::wire::{Emit, NlmsgFlags};
use netplumb::{Error, Family, Handle};
use serde_json::Value;
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::time::Duration;

/// A namespace with `lo` up and a veth pair `veth0`/`veth1` (names for `iif`/`oif`).
fn setup(test: &str) -> Option<(TestNs, Handle)> {
    let t = TestNs::new(test)?;
    t.lo_up();
    t.add_veth("veth0", "veth1");
    let h = t.handle();
    Some((t, h))
}

// ---- one normal form for ip's JSON and for a Rule -----------------------------------------

/// A rule as comparable fields: the same keys from `ip -d -j rule show` and from a [`Rule`],
/// following what ip's `print_rule` prints.
type Norm = BTreeMap<&'static str, String>;

const PROTOS: &[(&str, u32)] = &[
    ("unspec", 0),
    ("redirect", 1),
    ("kernel", 2),
    ("boot", 3),
    ("static", 4),
];
const TABLES: &[(&str, u32)] = &[("default", 253), ("main", 254), ("local", 255)];
const IPPROTOS: &[(&str, u32)] = &[("icmp", 1), ("tcp", 6), ("udp", 17), ("ipv6-icmp", 58)];
const ACTIONS: &[(&str, RuleAction)] = &[
    ("blackhole", RuleAction::BLACKHOLE),
    ("unreachable", RuleAction::UNREACHABLE),
    ("prohibit", RuleAction::PROHIBIT),
];

/// A number ip printed, as a number, a name from `names`, or a hex string.
fn number(v: &Value, names: &[(&str, u32)]) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => names
            .iter()
            .find(|(n, _)| n == s)
            .map(|(_, v)| v.to_string())
            .or_else(|| {
                s.strip_prefix("0x")
                    .map(|h| u64::from_str_radix(h, 16).unwrap().to_string())
            })
            .unwrap_or_else(|| s.parse::<u64>().map(|n| n.to_string()).unwrap_or(s.clone())),
        other => panic!("not a number or name: {other}"),
    }
}

fn ip_norm(r: &Value) -> Norm {
    let o = r.as_object().unwrap();
    let mut n = Norm::new();
    for (k, v) in o {
        let key: &'static str = match k.as_str() {
            "priority" => "priority",
            "tos" => "tos",
            "fwmark" => "fwmark",
            "fwmask" => "fwmask",
            "iif" => "iif",
            "oif" => "oif",
            "uid_start" => "uid_start",
            "uid_end" => "uid_end",
            "ipproto" => "ipproto",
            "sport" => "sport",
            "sport_start" => "sport_start",
            "sport_end" => "sport_end",
            "dport" => "dport",
            "dport_start" => "dport_start",
            "dport_end" => "dport_end",
            "tun_id" => "tun_id",
            "table" => "table",
            "suppress_prefixlen" => "suppress_prefixlen",
            "suppress_ifgroup" => "suppress_ifgroup",
            "flow_from" => "flow_from",
            "flow_to" => "flow_to",
            "goto" => "goto",
            "protocol" => "protocol",
            "action" => "action",
            "not" | "iif_detached" | "oif_detached" | "l3mdev" | "unresolved" | "nop" => {
                n.insert(
                    match k.as_str() {
                        "not" => "not",
                        "iif_detached" => "iif_detached",
                        "oif_detached" => "oif_detached",
                        "l3mdev" => "l3mdev",
                        "unresolved" => "unresolved",
                        _ => "nop",
                    },
                    String::new(),
                );
                continue;
            }
            "src" | "srclen" | "dst" | "dstlen" => continue,
            other => panic!("ip printed a key this test does not know: {other} in {r}"),
        };
        let value = match key {
            "iif" | "oif" | "action" => v.as_str().unwrap().to_string(),
            "ipproto" => number(v, IPPROTOS),
            "table" => number(v, TABLES),
            "protocol" => number(v, PROTOS),
            "suppress_ifgroup" => number(v, &[("default", 0)]),
            _ => number(v, &[]),
        };
        n.insert(key, value);
    }
    for (side, len) in [("src", "srclen"), ("dst", "dstlen")] {
        if let Some(a) = o.get(side).and_then(Value::as_str).filter(|a| *a != "all") {
            let ip: IpAddr = a.parse().unwrap();
            let host = if ip.is_ipv4() { 32 } else { 128 };
            let l = o.get(len).and_then(Value::as_u64).unwrap_or(host);
            n.insert(
                if side == "src" { "from" } else { "to" },
                format!("{ip}/{l}"),
            );
        }
    }
    n
}

fn our_norm(r: &Rule) -> Norm {
    let mut n = Norm::new();
    let mut put = |k: &'static str, v: String| {
        n.insert(k, v);
    };
    put("priority", r.priority.to_string());
    put("protocol", r.protocol.0.to_string());
    if r.invert {
        put("not", String::new());
    }
    if let Some(f) = r.from {
        put("from", f.to_string());
    }
    if let Some(t) = r.to {
        put("to", t.to_string());
    }
    if r.tos != 0 {
        put("tos", r.tos.to_string());
    }
    if r.fwmark.is_some() || r.fwmask.is_some() {
        put("fwmark", r.fwmark.unwrap_or(0).to_string());
        if r.fwmask != Some(u32::MAX) {
            put("fwmask", r.fwmask.unwrap_or(0).to_string());
        }
    }
    if let Some(i) = &r.iif {
        put("iif", i.clone());
        if r.flags.contains(RuleFlags::IIF_DETACHED) {
            put("iif_detached", String::new());
        }
    }
    if let Some(o) = &r.oif {
        put("oif", o.clone());
        if r.flags.contains(RuleFlags::OIF_DETACHED) {
            put("oif_detached", String::new());
        }
    }
    if r.l3mdev {
        put("l3mdev", String::new());
    }
    if let Some(u) = r.uid_range {
        put("uid_start", u.start.to_string());
        put("uid_end", u.end.to_string());
    }
    if let Some(p) = r.ip_proto {
        put("ipproto", p.to_string());
    }
    for (range, one, start, end) in [
        (r.sport, "sport", "sport_start", "sport_end"),
        (r.dport, "dport", "dport_start", "dport_end"),
    ] {
        if let Some(p) = range {
            if p.start == p.end {
                put(one, p.start.to_string());
            } else {
                put(start, p.start.to_string());
                put(end, p.end.to_string());
            }
        }
    }
    if let Some(t) = r.tun_id {
        put("tun_id", t.to_string());
    }
    if r.table != 0 {
        put("table", r.table.to_string());
        if let Some(p) = r.suppress_prefixlen {
            put("suppress_prefixlen", p.to_string());
        }
        if let Some(g) = r.suppress_ifgroup {
            put("suppress_ifgroup", g.to_string());
        }
    }
    if let Some(f) = r.realms {
        if f >> 16 != 0 {
            put("flow_from", (f >> 16).to_string());
        }
        put("flow_to", (f & 0xffff).to_string());
    }
    match r.kind() {
        Action::Goto(t) => {
            put("goto", t.to_string());
            if r.flags.contains(RuleFlags::UNRESOLVED) {
                put("unresolved", String::new());
            }
        }
        Action::Nop => put("nop", String::new()),
        Action::ToTable => {}
        _ => {
            let name = ACTIONS.iter().find(|(_, a)| *a == r.action).unwrap().0;
            put("action", name.to_string());
        }
    }
    n
}

fn ip_rules(t: &TestNs, family: Family, args: &[&str]) -> Vec<Norm> {
    let f = if family == Family::Ipv4 { "-4" } else { "-6" };
    let mut all = vec![f, "-d", "rule", "show"];
    all.extend_from_slice(args);
    let v = t.ip_json(&all);
    v.as_array().unwrap().iter().map(ip_norm).collect()
}

fn ours(h: &Handle, filter: &RuleFilter) -> Vec<Norm> {
    h.rule_list(filter).unwrap().iter().map(our_norm).collect()
}

/// Our listing of `family` equals ip's, rule for rule, in the same (priority) order.
fn assert_same_as_ip(t: &TestNs, h: &Handle, family: Family) {
    let theirs = ip_rules(t, family, &[]);
    let mine = ours(h, &RuleFilter::new().family(family));
    assert_eq!(mine, theirs, "{family:?}: ours vs ip");
}

// ---- requests equal ip's (no kernel needed) ----------------------------------------------

fn ip_request(name: &str) -> (u16, NlmsgFlags, Vec<u8>) {
    let (h, payload) = first_message(&format!("rule/{name}.hex"));
    (h.message_type, h.flags, payload)
}

#[test]
fn requests_equal_the_ones_ip_sends() {
    let ack = NlmsgFlags::REQUEST | NlmsgFlags::ACK;
    let cases: Vec<(&str, RuleOp, RuleSpec)> = vec![
        (
            "request_add_from",
            RuleOp::Add,
            RuleSpec::new().from(net("198.18.1.0/24")).table(100),
        ),
        (
            // not to 198.18.2.0/24 tos 0x10 fwmark 0x10/0xff iif veth0 oif veth1 pref 1000
            // table 1000
            "request_add_selectors",
            RuleOp::Add,
            RuleSpec::new()
                .invert()
                .to(net("198.18.2.0/24"))
                .tos(0x10)
                .fwmark_mask(0x10, 0xff)
                .iif("veth0")
                .oif("veth1")
                .priority(1000)
                .table(1000),
        ),
        (
            // uidrange 100-200 ipproto tcp sport 1000-2000 dport 80 tun_id 42 protocol static
            // pref 1001 table 101
            "request_add_flow",
            RuleOp::Add,
            RuleSpec::new()
                .uid_range(100, 200)
                .ip_proto(6)
                .sport(PortRange {
                    start: 1000,
                    end: 2000,
                })
                .dport(PortRange::single(80))
                .tun_id(42)
                .protocol(RouteProtocol::STATIC)
                .priority(1001)
                .table(101),
        ),
        (
            // table 102 suppress_prefixlength 0 suppress_ifgroup 5 realms 3/4 pref 1002
            "request_add_suppress",
            RuleOp::Add,
            RuleSpec::new()
                .table(102)
                .suppress_prefixlen(0)
                .suppress_ifgroup(5)
                .realms(3, 4)
                .priority(1002),
        ),
        (
            "request_add_goto",
            RuleOp::Add,
            RuleSpec::new().goto(1006).priority(1003),
        ),
        (
            "request_add_blackhole",
            RuleOp::Add,
            RuleSpec::new().blackhole().priority(1006),
        ),
        (
            "request_add_l3mdev",
            RuleOp::Add,
            RuleSpec::new().l3mdev().priority(1009),
        ),
        (
            // -6 from 2001:db8:1::/64 to 2001:db8:2::/64 dsfield 0x10 pref 2000 table 200
            "request_add_inet6",
            RuleOp::Add,
            RuleSpec::new()
                .from(net("2001:db8:1::/64"))
                .to(net("2001:db8:2::/64"))
                .tos(0x10)
                .priority(2000)
                .table(200),
        ),
        (
            // -6 uidrange 0-10 sport 1-1024 pref 2002 prohibit
            "request_add_inet6_prohibit",
            RuleOp::Add,
            RuleSpec::new()
                .ipv6()
                .uid_range(0, 10)
                .sport(PortRange {
                    start: 1,
                    end: 1024,
                })
                .priority(2002)
                .prohibit(),
        ),
        (
            "request_del_pref",
            RuleOp::Del,
            RuleSpec::new().priority(1000),
        ),
        (
            "request_del_from",
            RuleOp::Del,
            RuleSpec::new().from(net("198.18.1.0/24")).table(100),
        ),
    ];
    for (name, op, spec) in cases {
        let (t, f, payload) = ip_request(name);
        let (mt, mf, m) = spec.request(op).unwrap().into_parts();
        assert_eq!((mt, mf | ack), (t, f), "{name}");
        assert_eq!(m.to_vec().unwrap(), payload, "{name}");
    }
    // The dump request: family only.
    let (t, f, payload) = ip_request("request_dump");
    assert_eq!(
        (t, f),
        (
            netplumb::wire::nlmsg::RTM_GETRULE,
            NlmsgFlags::REQUEST | NlmsgFlags::DUMP
        )
    );
    let req = RuleFilter::new().family(Family::Ipv4).to_message();
    assert_eq!(req.to_vec().unwrap(), payload);
}

// ---- every selector and action, both families --------------------------------------------

/// Rules with every selector and action the kernel takes, at priorities 1000, 1001, ...
fn every_kind(family: Family) -> Vec<RuleSpec> {
    let v4 = family == Family::Ipv4;
    let (a, b, c) = if v4 {
        ("198.18.1.0/24", "198.18.2.0/24", "198.18.3.0/24")
    } else {
        ("2001:db8:1::/64", "2001:db8:2::/64", "2001:db8:3::/64")
    };
    let base = || RuleSpec::new().family(family);
    let mut specs = vec![
        base().from(net(a)).table(100),
        base().to(net(b)).table(101),
        base().invert().from(net(c)).table(102),
        base().tos(0x10).table(103),
        base().fwmark(0x10).table(104),
        base().fwmark_mask(0x20, 0xff).table(105),
        base().iif("veth0").table(106),
        base().oif("veth1").table(107),
        base().iif("nosuch0").table(108),
        base().uid_range(100, 200).table(110),
        base().ip_proto(6).table(111),
        base()
            .sport(PortRange {
                start: 1000,
                end: 2000,
            })
            .table(112),
        base().dport(PortRange::single(80)).table(113),
        base().tun_id(42).table(114),
        base().protocol(RouteProtocol::STATIC).table(115),
        base().table(117).suppress_prefixlen(0),
        base().table(118).suppress_ifgroup(5),
        base().table(100_000),
        base().l3mdev(),
        // The rule after this one.
        base().goto(1020),
        // No rule there: unresolved.
        base().goto(5000),
        base().nop(),
        base().blackhole(),
        base().unreachable(),
        base().prohibit(),
    ];
    if v4 {
        // Realms are an IPv4 selector.
        specs.push(base().realms(3, 4).table(116));
    }
    specs
        .into_iter()
        .enumerate()
        .map(|(i, s)| s.priority(1000 + i as u32))
        .collect()
}

/// The rule the kernel lists for `spec` has every field `spec` set, and the defaults of
/// `ip rule add` for the others.
fn assert_rule_is(spec: &RuleSpec, r: &Rule) {
    let ctx = format!("{spec:?}\n{r:?}");
    assert_eq!(Some(r.priority), spec.priority, "{ctx}");
    assert_eq!(
        (r.invert, r.from, r.to, r.tos),
        (spec.invert, spec.from, spec.to, spec.tos),
        "{ctx}"
    );
    assert_eq!(r.fwmark, spec.fwmark, "{ctx}");
    // A mark without a mask gets the full mask.
    let mask = spec.fwmask.or(spec.fwmark.map(|_| u32::MAX));
    assert_eq!(r.fwmask, mask, "{ctx}");
    assert_eq!(
        (&r.iif, &r.oif, r.l3mdev),
        (&spec.iif, &spec.oif, spec.l3mdev),
        "{ctx}"
    );
    assert_eq!(
        (r.uid_range, r.ip_proto),
        (spec.uid_range, spec.ip_proto),
        "{ctx}"
    );
    assert_eq!(
        (r.sport, r.dport, r.tun_id),
        (spec.sport, spec.dport, spec.tun_id),
        "{ctx}"
    );
    assert_eq!(r.protocol, spec.protocol.unwrap_or_default(), "{ctx}");
    assert_eq!(r.realms, spec.realms, "{ctx}");
    assert_eq!(r.suppress_prefixlen, spec.suppress_prefixlen, "{ctx}");
    assert_eq!(r.suppress_ifgroup, spec.suppress_ifgroup, "{ctx}");
    let action = spec.action.unwrap_or(Action::ToTable);
    assert_eq!(r.kind(), action, "{ctx}");
    let table = match (spec.table, action) {
        (Some(t), _) => t,
        (None, Action::ToTable) if !spec.l3mdev => 254,
        _ => 0,
    };
    assert_eq!(r.table, table, "{ctx}");
}

fn every_selector_and_action(test: &str, family: Family) {
    let Some((t, h)) = setup(test) else {
        return;
    };
    let specs = every_kind(family);
    for s in &specs {
        h.rule_add(s).unwrap_or_else(|e| panic!("{s:?}: {e}"));
    }
    assert_same_as_ip(&t, &h, family);
    let rules = h.rule_list(&RuleFilter::new().family(family)).unwrap();
    // Three built-in rules (local, main, and for IPv4 default) and ours.
    let builtin = if family == Family::Ipv4 { 3 } else { 2 };
    assert_eq!(rules.len(), specs.len() + builtin);
    let at = |p: u32| rules.iter().find(|r| r.priority == p).unwrap();
    for s in &specs {
        assert_rule_is(s, at(s.priority.unwrap()));
    }
    // A few values checked directly too.
    assert_eq!(
        at(1002).from,
        Some(net(if family == Family::Ipv4 {
            "198.18.3.0/24"
        } else {
            "2001:db8:3::/64"
        }))
    );
    assert!(at(1002).invert);
    assert_eq!(at(1008).flags, RuleFlags::IIF_DETACHED);
    assert_eq!(at(1017).table, 100_000);
    assert!(at(1018).l3mdev);
    assert_eq!(
        (at(1019).kind(), at(1019).flags),
        (Action::Goto(1020), RuleFlags::empty())
    );
    assert_eq!(at(1020).flags, RuleFlags::UNRESOLVED);
    assert_eq!(at(1024).kind(), Action::Prohibit);
    // The other family's dump has none of them.
    let other = if family == Family::Ipv4 {
        Family::Ipv6
    } else {
        Family::Ipv4
    };
    assert!(
        h.rule_list(&RuleFilter::new().family(other))
            .unwrap()
            .iter()
            .all(|r| r.priority < 1000 || r.priority > 1100)
    );
    // Both families together.
    let both = h.rule_list(&RuleFilter::new()).unwrap();
    assert_eq!(
        both.len(),
        rules.len() + h.rule_list(&RuleFilter::new().family(other)).unwrap().len()
    );
}

#[test]
fn every_selector_and_action_ipv4() {
    every_selector_and_action("every_selector_and_action_ipv4", Family::Ipv4);
}

#[test]
fn every_selector_and_action_ipv6() {
    every_selector_and_action("every_selector_and_action_ipv6", Family::Ipv6);
}

#[test]
fn priorities_are_assigned_by_the_kernel() {
    let Some((t, h)) = setup("priorities_are_assigned_by_the_kernel") else {
        return;
    };
    for family in [Family::Ipv4, Family::Ipv6] {
        h.rule_add(&RuleSpec::new().family(family).table(100))
            .unwrap();
        h.rule_add(&RuleSpec::new().family(family).table(101))
            .unwrap();
        let rules = h.rule_list(&RuleFilter::new().family(family)).unwrap();
        let prio = |table: u32| rules.iter().find(|r| r.table == table).unwrap().priority;
        // One below the second rule of the list: main's 32766, then the rule just added.
        assert_eq!((prio(100), prio(101)), (32765, 32764), "{family:?}");
        assert_same_as_ip(&t, &h, family);
        // The local rule has priority 0, which the kernel sends without FRA_PRIORITY.
        let local = rules.iter().find(|r| r.table == 255).unwrap();
        assert_eq!((local.priority, local.message.priority()), (0, None));
        assert_eq!(local.protocol, RouteProtocol::KERNEL);
    }
}

// ---- delete --------------------------------------------------------------------------------

#[test]
fn delete_by_every_selector_ip_rule_del_accepts() {
    let Some((t, h)) = setup("delete_by_every_selector_ip_rule_del_accepts") else {
        return;
    };
    for family in [Family::Ipv4, Family::Ipv6] {
        let specs = every_kind(family);
        for s in &specs {
            h.rule_add(s).unwrap();
        }
        let before = ip_rules(&t, family, &[]);
        for (i, s) in specs.iter().enumerate() {
            // The spec without its priority: the kernel finds the rule by its selectors and
            // action alone (the goto rules also by their table-less action and target).
            let sel = RuleSpec {
                priority: None,
                ..s.clone()
            };
            h.rule_del(&sel).unwrap_or_else(|e| panic!("{sel:?}: {e}"));
            let now = ip_rules(&t, family, &[]);
            assert_eq!(now.len(), before.len() - i - 1, "{sel:?}");
            let gone = (1000 + i).to_string();
            assert!(
                now.iter().all(|r| r["priority"] != gone),
                "{sel:?} did not delete its rule"
            );
            // Deleting it again finds nothing.
            let e = h.rule_del(&s.clone()).unwrap_err();
            assert!(e.is_not_found(), "{e}");
        }
        // By priority alone, and the built-in ones stay.
        h.rule_add(&RuleSpec::new().family(family).priority(77).table(9))
            .unwrap();
        h.rule_del(&RuleSpec::new().family(family).priority(77))
            .unwrap();
        assert_eq!(ip_rules(&t, family, &[]).len(), before.len() - specs.len());
    }
}

#[test]
fn add_twice_is_exists_and_a_missing_rule_is_not_found() {
    let Some((t, h)) = setup("add_twice_is_exists_and_a_missing_rule_is_not_found") else {
        return;
    };
    let spec = RuleSpec::new()
        .from(net("198.18.1.0/24"))
        .priority(50)
        .table(5);
    h.rule_add(&spec).unwrap();
    let e = h.rule_add(&spec).unwrap_err();
    assert!(e.is_exists(), "{e}");
    // Without a priority the kernel gives the copy another one: that is not a duplicate.
    h.rule_add(&RuleSpec {
        priority: None,
        ..spec.clone()
    })
    .unwrap();
    let e = h
        .rule_del(&RuleSpec::new().from(net("198.18.9.0/24")))
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert_eq!(e.errno(), Some(libc::ENOENT));
    assert_same_as_ip(&t, &h, Family::Ipv4);
}

// ---- refusals ------------------------------------------------------------------------------

#[test]
fn kernel_refusals_come_with_the_kernel_message() {
    let Some((t, h)) = setup("kernel_refusals_come_with_the_kernel_message") else {
        return;
    };
    let before = (
        ip_rules(&t, Family::Ipv4, &[]),
        ip_rules(&t, Family::Ipv6, &[]),
    );
    let cases = [
        (
            RuleSpec::new().priority(10).goto(5),
            "Backward goto not supported.",
        ),
        (RuleSpec::new().goto(10), "Backward goto not supported."),
        (
            RuleSpec::new().uid_range(200, 100).table(5),
            "Invalid uid range",
        ),
        (
            RuleSpec::new()
                .sport(PortRange {
                    start: 2000,
                    end: 1000,
                })
                .table(5),
            "Invalid sport range",
        ),
        (
            RuleSpec::new()
                .ipv6()
                .dport(PortRange { start: 9, end: 1 })
                .table(5),
            "Invalid dport range",
        ),
        (
            RuleSpec::new().tos(0x03).table(5),
            "Invalid dsfield (tos): ECN bits must be 0",
        ),
        (
            RuleSpec::new().ipv6().tos(0x01).table(5),
            "Invalid dsfield (tos): ECN bits must be 0",
        ),
    ];
    for (spec, text) in cases {
        let e = h.rule_add(&spec).unwrap_err();
        assert_eq!(e.errno(), Some(libc::EINVAL), "{spec:?}: {e}");
        assert_eq!(
            kernel_text(&e).trim_end_matches('.'),
            text.trim_end_matches('.'),
            "{spec:?}"
        );
    }
    assert_eq!(
        (
            ip_rules(&t, Family::Ipv4, &[]),
            ip_rules(&t, Family::Ipv6, &[])
        ),
        before
    );
}

#[test]
fn invalid_input_is_refused_before_sending() {
    let Some((t, h)) = setup("invalid_input_is_refused_before_sending") else {
        return;
    };
    let before = (
        ip_rules(&t, Family::Ipv4, &[]),
        ip_rules(&t, Family::Ipv6, &[]),
    );
    let bad = [
        RuleSpec::new()
            .from(net("198.18.1.0/24"))
            .to(net("2001:db8::/32")),
        RuleSpec::new().ipv6().from(net("198.18.1.0/24")),
        RuleSpec::new().iif("bad/name"),
        RuleSpec::new().oif("0123456789abcdef"),
        RuleSpec::new().iif(""),
        RuleSpec::new().l3mdev().table(100),
    ];
    for spec in &bad {
        for r in [h.rule_add(spec), h.rule_del(spec)] {
            let e = r.unwrap_err();
            assert!(matches!(e, Error::InvalidInput { .. }), "{spec:?}: {e}");
        }
    }
    assert_eq!(
        (
            ip_rules(&t, Family::Ipv4, &[]),
            ip_rules(&t, Family::Ipv6, &[])
        ),
        before
    );
}

// ---- list filters and flush ---------------------------------------------------------------

#[test]
fn list_filters_equal_ip_rule_show_selectors() {
    let Some((t, h)) = setup("list_filters_equal_ip_rule_show_selectors") else {
        return;
    };
    for family in [Family::Ipv4, Family::Ipv6] {
        for s in every_kind(family) {
            h.rule_add(&s).unwrap();
        }
    }
    let v4 = Family::Ipv4;
    let f = |fam| RuleFilter::new().family(fam);
    let cases: Vec<(Family, Vec<&str>, RuleFilter)> = vec![
        (v4, vec!["pref", "1003"], f(v4).priority(1003)),
        (v4, vec!["table", "100000"], f(v4).table(100_000)),
        (v4, vec!["table", "main"], f(v4).table(254)),
        (
            v4,
            vec!["not"],
            RuleFilter {
                invert: true,
                ..f(v4)
            },
        ),
        (
            v4,
            vec!["from", "198.18.0.0/16"],
            RuleFilter {
                from: Some(net("198.18.0.0/16")),
                ..f(v4)
            },
        ),
        (
            v4,
            vec!["to", "198.18.2.0/24"],
            RuleFilter {
                to: Some(net("198.18.2.0/24")),
                ..f(v4)
            },
        ),
        (
            v4,
            vec!["tos", "0x10"],
            RuleFilter {
                tos: Some(0x10),
                ..f(v4)
            },
        ),
        (
            v4,
            vec!["fwmark", "0x20/0xff"],
            RuleFilter {
                fwmark: Some(0x20),
                fwmask: Some(0xff),
                ..f(v4)
            },
        ),
        (
            v4,
            vec!["iif", "veth0"],
            RuleFilter {
                iif: Some("veth0".into()),
                ..f(v4)
            },
        ),
        (
            v4,
            vec!["oif", "veth1"],
            RuleFilter {
                oif: Some("veth1".into()),
                ..f(v4)
            },
        ),
        (
            v4,
            vec!["l3mdev"],
            RuleFilter {
                l3mdev: true,
                ..f(v4)
            },
        ),
        (
            v4,
            vec!["uidrange", "100-200"],
            RuleFilter {
                uid_range: Some(netplumb::wire::rule::UidRange {
                    start: 100,
                    end: 200,
                }),
                ..f(v4)
            },
        ),
        (
            v4,
            vec!["ipproto", "tcp"],
            RuleFilter {
                ip_proto: Some(6),
                ..f(v4)
            },
        ),
        (
            v4,
            vec!["sport", "1000-2000"],
            RuleFilter {
                sport: Some(PortRange {
                    start: 1000,
                    end: 2000,
                }),
                ..f(v4)
            },
        ),
        (
            v4,
            vec!["dport", "80"],
            RuleFilter {
                dport: Some(PortRange::single(80)),
                ..f(v4)
            },
        ),
        (
            v4,
            vec!["tun_id", "42"],
            RuleFilter {
                tun_id: Some(42),
                ..f(v4)
            },
        ),
        (
            Family::Ipv6,
            vec!["from", "2001:db8:1::/48"],
            RuleFilter {
                from: Some(net("2001:db8:1::/48")),
                ..f(Family::Ipv6)
            },
        ),
        (
            Family::Ipv6,
            vec!["table", "111"],
            f(Family::Ipv6).table(111),
        ),
    ];
    for (family, args, filter) in cases {
        let theirs = ip_rules(&t, family, &args);
        assert!(!theirs.is_empty(), "ip rule show {args:?} is empty");
        assert_eq!(ours(&h, &filter), theirs, "ip rule show {args:?}");
    }
}

#[test]
fn flush_equals_ip_rule_flush() {
    // The same rules in two namespaces: one flushed by ip, one by us.
    let Some((t, h)) = setup("flush_equals_ip_rule_flush") else {
        return;
    };
    let Some((t2, _)) = setup("flush_equals_ip_rule_flush") else {
        return;
    };
    let add = |ns: &TestNs| {
        let h = ns.handle();
        for family in [Family::Ipv4, Family::Ipv6] {
            for s in every_kind(family) {
                h.rule_add(&s.protocol(RouteProtocol::STATIC)).unwrap();
            }
            h.rule_add(&RuleSpec::new().family(family).table(7))
                .unwrap();
        }
    };
    add(&t);
    add(&t2);
    // A filter first: table 7 only.
    let n = h
        .rule_flush(&RuleFilter::new().family(Family::Ipv4).table(7))
        .unwrap();
    assert_eq!(n, 1);
    t2.ip(&["-4", "rule", "flush", "table", "7"]);
    assert_eq!(
        ip_rules(&t, Family::Ipv4, &[]),
        ip_rules(&t2, Family::Ipv4, &[])
    );
    // Then everything of one family: only the priority-0 rule stays.
    let n = h
        .rule_flush(&RuleFilter::new().family(Family::Ipv6))
        .unwrap();
    t2.ip(&["-6", "rule", "flush"]);
    let left = ip_rules(&t, Family::Ipv6, &[]);
    assert_eq!(left, ip_rules(&t2, Family::Ipv6, &[]));
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["priority"], "0");
    assert_eq!(
        n,
        every_kind(Family::Ipv6).len() + 2,
        "ours, table 7 and main"
    );
    // The IPv4 rules were left alone.
    assert_eq!(
        h.rule_list(&RuleFilter::new().family(Family::Ipv4))
            .unwrap()
            .len(),
        every_kind(Family::Ipv4).len() + 3
    );
    // Flushing again deletes nothing.
    assert_eq!(
        h.rule_flush(&RuleFilter::new().family(Family::Ipv6))
            .unwrap(),
        0
    );
}

// ---- events --------------------------------------------------------------------------------

#[test]
fn rule_events_are_typed() {
    let Some((t, h)) = setup("rule_events_are_typed") else {
        return;
    };
    let mut m = Monitor::in_netns(t.ns(), &[Group::Ipv4Rule, Group::Ipv6Rule])
        .unwrap()
        .with_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    h.rule_add(
        &RuleSpec::new()
            .from(net("198.18.4.0/24"))
            .priority(40)
            .table(100),
    )
    .unwrap();
    h.rule_add(&RuleSpec::new().ipv6().priority(41).blackhole())
        .unwrap();
    h.rule_del(&RuleSpec::new().priority(40)).unwrap();
    let mut seen = Vec::new();
    while seen.len() < 3 {
        match m.next_event().unwrap() {
            Event::NewRule(r) => seen.push(("new", Rule::from_message(r).unwrap())),
            Event::DelRule(r) => seen.push(("del", Rule::from_message(r).unwrap())),
            _ => {}
        }
    }
    assert_eq!(seen[0].0, "new");
    assert_eq!(seen[0].1.from, Some(net("198.18.4.0/24")));
    assert_eq!((seen[0].1.priority, seen[0].1.table), (40, 100));
    assert_eq!(seen[1].0, "new");
    assert_eq!(
        (seen[1].1.family, seen[1].1.kind()),
        (libc::AF_INET6 as u8, Action::Blackhole)
    );
    assert_eq!((seen[2].0, seen[2].1.priority), ("del", 40));
}

// ---- packets -------------------------------------------------------------------------------

/// Sends a datagram from `from` (bound in namespace `a`) to `to`, received in namespace
/// `b`; returns whether it arrived, or the error of the send.
fn udp(a: &TestNs, b: &TestNs, from: SocketAddr, to: SocketAddr) -> Result<bool, std::io::Error> {
    let rx = b.ns().run(move || UdpSocket::bind(to)).unwrap().unwrap();
    rx.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let tx = a.ns().run(move || UdpSocket::bind(from)).unwrap().unwrap();
    tx.send_to(b"steered by a rule", to)?;
    let mut buf = [0u8; 64];
    Ok(match rx.recv_from(&mut buf) {
        Ok((n, peer)) => {
            assert_eq!(&buf[..n], b"steered by a rule");
            assert_eq!(peer.ip(), from.ip());
            true
        }
        Err(_) => false,
    })
}

#[test]
fn a_from_rule_steers_packets_to_another_namespace() {
    // a (198.18.10.1 on a0) --veth-- b (198.18.10.2 on b0, 198.18.20.1 on lo). a's route to
    // 198.18.20.0/24 is only in table 100: a packet from 198.18.10.1 gets there only once a
    // `from` rule selects that table.
    let Some(a) = TestNs::new("a_from_rule_steers_packets_to_another_namespace") else {
        return;
    };
    let Some(b) = TestNs::new("a_from_rule_steers_packets_to_another_namespace") else {
        return;
    };
    a.ip(&["link", "add", "a0", "type", "veth", "peer", "name", "b0"]);
    a.ip(&["link", "set", "b0", "netns", b.name()]);
    for (t, dev, addr) in [(&a, "a0", "198.18.10.1/24"), (&b, "b0", "198.18.10.2/24")] {
        t.ip(&["link", "set", "lo", "up"]);
        t.ip(&["addr", "add", addr, "dev", dev]);
        t.ip(&["link", "set", dev, "up"]);
    }
    b.ip(&["addr", "add", "198.18.20.1/32", "dev", "lo"]);
    a.ip(&[
        "route",
        "add",
        "198.18.20.0/24",
        "via",
        "198.18.10.2",
        "table",
        "100",
    ]);
    let h = a.handle();
    let from: SocketAddr = "198.18.10.1:0".parse().unwrap();
    let to: SocketAddr = "198.18.20.1:4000".parse().unwrap();

    // No rule: no route.
    let e = udp(&a, &b, from, to).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::ENETUNREACH), "{e}");

    // The rule: the lookup goes to table 100 and the datagram reaches b.
    let rule = RuleSpec::new()
        .from(net("198.18.10.1/32"))
        .table(100)
        .priority(100);
    h.rule_add(&rule).unwrap();
    // The carrier of a fresh veth comes up asynchronously: retry a little.
    let mut arrived = false;
    for _ in 0..50 {
        if udp(&a, &b, from, to).unwrap() {
            arrived = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(arrived, "the datagram steered by the rule did not arrive");
    // Another source is not selected by the rule.
    a.ip(&["addr", "add", "198.18.10.3/24", "dev", "a0"]);
    let e = udp(&a, &b, "198.18.10.3:0".parse().unwrap(), to).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::ENETUNREACH), "{e}");

    // A prohibit rule before it wins: EACCES.
    h.rule_add(
        &RuleSpec::new()
            .from(net("198.18.10.1/32"))
            .priority(50)
            .prohibit(),
    )
    .unwrap();
    let e = udp(&a, &b, from, to).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::EACCES), "{e}");

    // Both deleted: unreachable again.
    h.rule_del(&RuleSpec::new().priority(50)).unwrap();
    h.rule_del(&rule).unwrap();
    let e = udp(&a, &b, from, to).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::ENETUNREACH), "{e}");
}

// ---- attributes newer than iproute2 6.1 ----------------------------------------------------

#[test]
fn attributes_newer_than_ip_round_trip_through_the_kernel() {
    // FRA_DSCP (6.13), FRA_FLOWLABEL/_MASK (6.15), FRA_SPORT_MASK/FRA_DPORT_MASK/FRA_DSCP_MASK
    // (6.16): sent as raw messages, listed back typed. On an older kernel the attribute is
    // refused, with the kernel's message.
    use netplumb::wire::rule::{RuleAttr, RuleHeader, RuleMessage};
    let Some((_t, h)) = setup("attributes_newer_than_ip_round_trip_through_the_kernel") else {
        return;
    };
    let add = |family: u8, prio: u32, attrs: Vec<RuleAttr>| {
        let mut m = RuleMessage::new(RuleHeader {
            table: 100,
            action: RuleAction::TO_TBL,
            ..RuleHeader::new(family)
        })
        .with(RuleAttr::Priority(prio));
        m.attrs.extend(attrs.iter().cloned());
        let r = h.request(
            netplumb::wire::nlmsg::RTM_NEWRULE,
            NlmsgFlags::CREATE | NlmsgFlags::EXCL,
            &m,
        );
        (r, attrs)
    };
    let v4 = libc::AF_INET as u8;
    let v6 = libc::AF_INET6 as u8;
    let cases = [
        add(v4, 10, vec![RuleAttr::Dscp(46)]),
        add(v6, 11, vec![RuleAttr::Dscp(8), RuleAttr::DscpMask(0x38)]),
        add(
            v6,
            12,
            vec![
                RuleAttr::FlowLabel(0x12345),
                RuleAttr::FlowLabelMask(0xfffff),
            ],
        ),
        add(
            v4,
            13,
            vec![
                RuleAttr::SourcePortRange(PortRange::single(0x1200)),
                RuleAttr::SourcePortMask(0xff00),
                RuleAttr::DestinationPortRange(PortRange::single(80)),
                RuleAttr::DestinationPortMask(0xffff),
            ],
        ),
    ];
    // This machine's kernel has them all; an older one may refuse them.
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
    let mut v = release
        .split(|c: char| !c.is_ascii_digit())
        .map(|n| n.parse::<u32>().unwrap_or(0));
    let has_all = (v.next().unwrap(), v.next().unwrap()) >= (6, 16);
    let listed = h.rule_list(&RuleFilter::new()).unwrap();
    for (prio, (r, attrs)) in (10u32..).zip(cases) {
        assert!(r.is_ok() || !has_all, "{attrs:?}: {r:?}");
        match r {
            Ok(()) => {
                let rule = listed.iter().find(|x| x.priority == prio).unwrap();
                for a in &attrs {
                    assert!(rule.message.attrs.contains(a), "{a:?} not in {rule:?}");
                }
            }
            Err(e) => {
                // Only an older kernel may refuse them, and it says which.
                assert_eq!(e.errno(), Some(libc::EINVAL), "{attrs:?}: {e}");
                assert!(!kernel_text(&e).is_empty(), "{e}");
            }
        }
    }
}
