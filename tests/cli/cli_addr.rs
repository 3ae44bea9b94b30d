//! `netplumb address` against `ip address`: the same commands give the same kernel state,
//! `netplumb -j address show` prints what `ip -j address show` prints, and failures give
//! `ip`'s messages, exit status 1 (2 for usage errors), and change nothing.
use crate::cli_ipcmp;
use crate::common;

use cli_ipcmp::*;

/// Every form of `address add|replace|change|del|flush` the executor handles.
const SCRIPT: &[&str] = &[
    "addr add 198.18.0.1/24 dev v1",
    "addr add 198.18.0.2/24 dev v1 label v1:sec",
    "addr add 198.18.1.1 peer 198.18.1.2/31 dev v1 metric 5 valid_lft 100 preferred_lft 50",
    "addr add 198.18.3.1/24 dev v3 broadcast + scope link",
    "addr add 198.18.4.1/22 dev v3 brd -",
    "addr add 198.18.5.1/24 dev v3 broadcast 198.18.5.7 noprefixroute",
    // IPv6-only flags on IPv4: ip drops them with a warning.
    "addr add 198.18.6.1/24 dev v3 nodad",
    "addr add 2001:db8::1/64 dev v1 nodad",
    "addr add 2001:db8:1::1/64 dev v1 mngtmpaddr nodad",
    "addr add 2001:db8:3::1/64 dev v1 optimistic home preferred_lft 100",
    "addr add 2001:db8:4::1/64 dev v3 noprefixroute nodad metric 77",
    "addr add 198.18.8.1/24 dev v3 label foo",
    "addr add 239.1.1.1/32 dev v3 autojoin",
    "addr add ff02::1:5/128 dev v1 autojoin",
    "addr add 198.18.10.1/24 dev v3 anycast 198.18.10.9",
    "addr add 2001:db8:6::1/64 dev v3 anycast 2001:db8:6::9 nodad",
    "addr add 127.0.0.2/8 dev lo",
    "addr add 198.18.11.1/24 dev br0",
    "addr add 198.18.11.2/24 dev br0",
    "addr add 198.18.11.3/24 dev br0",
    "addr add 198.18.12.1/24 dev br0 label br0:a",
    // Failures, each with the kernel's message.
    "addr add 198.18.0.1/24 dev v1",
    "addr add 2001:db8:2::1/48 dev v1 mngtmpaddr",
    "addr add 198.18.7.1/24 dev nope",
    "addr del 198.18.99.1/24 dev v1",
    "addr change 198.18.9.9/24 dev v1",
    "addr replace 198.18.0.1/24 dev v1 valid_lft 200 preferred_lft 100",
    "addr change 198.18.0.1/24 dev v1 valid_lft forever preferred_lft forever",
    "addr replace 2001:db8::1/64 dev v1 nodad noprefixroute",
    "addr del 198.18.0.2/24 dev v1",
    // Without a length: ip's wildcard deletion.
    "addr del 198.18.3.1 dev v3",
    "addr del 2001:db8:4::1/64 dev v3",
    "addr del 198.18.1.1 peer 198.18.1.2/31 dev v1",
    // Deleting a primary takes its secondaries along (no promotion by default).
    "addr del 198.18.11.1/24 dev br0",
    "addr flush dev v3 scope link",
    "addr flush dev v1 label v1:sec",
    "-6 addr flush dev v3",
    "addr flush dev br0 secondary",
    "-4 addr flush dev v3",
];

#[test]
fn a_script_leaves_the_state_ip_leaves() {
    let Some((a, b)) = pair("a_script_leaves_the_state_ip_leaves") else {
        return;
    };
    for line in SCRIPT {
        apply_both(&a, &b, line);
    }
    assert_same_state(&a, &b, &["-d", "addr", "show"]);
    // Prefix routes follow addresses (metric, noprefixroute, local and broadcast routes).
    assert_same_state(&a, &b, &["-d", "route", "show", "table", "all"]);
    assert_same_state(&a, &b, &["-d", "-6", "route", "show", "table", "all"]);
}

/// A namespace with addresses of every kind, made with `ip`.
fn populated(test: &str) -> Option<common::TestNs> {
    let t = prepared(test)?;
    for line in [
        "addr add 198.18.0.1/24 dev v1",
        "addr add 198.18.0.2/24 dev v1 label v1:sec",
        "addr add 198.18.1.1 peer 198.18.1.2/31 dev v1 metric 5 valid_lft 100 preferred_lft 50",
        "addr add 198.18.3.1/24 dev v3 broadcast + scope link",
        "addr add 2001:db8::1/64 dev v1 nodad",
        "addr add 2001:db8:1::1/64 dev v1 nodad noprefixroute mngtmpaddr",
        "addr add 2001:db8:3::1/64 dev v3 optimistic home valid_lft 300 preferred_lft 0",
        "addr add 198.18.10.1/24 dev v3 anycast 198.18.10.9",
        "link set v4 down",
        "link set v2 master br0",
    ] {
        t.ip(&words(line));
    }
    settle(&t);
    Some(t)
}

#[test]
fn show_prints_what_ip_prints() {
    let Some(t) = populated("show_prints_what_ip_prints") else {
        return;
    };
    for line in [
        "addr show",
        "addr",
        "addr list dev v1",
        "addr show v3",
        "-4 addr show",
        "-6 addr show",
        "-0 addr show",
        "addr show scope link",
        "addr show scope global",
        "addr show to 198.18.0.0/16",
        "addr show to 2001:db8::/32",
        "addr show label v1*",
        "addr show label v1:*",
        "addr show up",
        "addr show dynamic",
        "addr show permanent",
        "addr show primary",
        "addr show secondary",
        "addr show deprecated",
        "addr show nodad",
        "addr show -nodad",
        "addr show type veth",
        "addr show type bridge_slave",
        "addr show master br0",
        "addr show nomaster",
        "addr show group default",
        "-br addr show",
        "-br -0 addr show",
        "-N addr show",
        "-o addr show",
        "-o -br addr show",
    ] {
        assert_json_like_ip(&t, &words(line));
    }
    // Pretty JSON, byte for byte (a view without lifetimes that count down).
    for line in ["-j -p -4 addr show dev v3", "-j -p addr show dev v2"] {
        assert_text_like_ip(&t, &words(line));
    }
    // Text: the same lines as ip (lifetimes left out: they count down).
    for line in [
        "addr show dev v1",
        "addr show dev v2",
        "-br addr show",
        "-o addr show",
        "-o -4 addr show",
    ] {
        let strip = |s: String| {
            s.lines()
                .filter(|l| !l.contains("sec"))
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            strip(np_ok(&t, &words(line))),
            strip(t.ip(&words(line))),
            "{line}"
        );
    }
    // -d: the same document as ip's, `linkinfo` included, once the timers that run between
    // the two calls (a bridge's `gc_timer`, ...) and the lifetimes are set aside.
    fn drop_timers(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                m.retain(|k, _| {
                    !k.ends_with("_timer") && !k.ends_with("_life_time") && k != "expires"
                });
                m.values_mut().for_each(drop_timers);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(drop_timers),
            _ => {}
        }
    }
    let mut ip = t.ip_json(&["-d", "addr", "show"]);
    let mut np = np_json(&t, &["-d", "addr", "show"]);
    drop_timers(&mut ip);
    drop_timers(&mut np);
    assert!(
        ip.as_array()
            .unwrap()
            .iter()
            .any(|l| l.get("linkinfo").is_some()),
        "{ip}"
    );
    assert_eq!(first_difference(&np, &ip, ""), None, "-d addr show");
}

#[test]
fn failures_report_like_ip_and_change_nothing() {
    let Some(t) = populated("failures_report_like_ip_and_change_nothing") else {
        return;
    };
    // The addresses of each link (a bridge's own state moves on by itself meanwhile).
    let addresses = |t: &common::TestNs| {
        let v = state(t, &["addr", "show"]);
        let list: Vec<serde_json::Value> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|l| serde_json::json!([l["ifname"], l["addr_info"]]))
            .collect();
        serde_json::Value::Array(list)
    };
    let before = addresses(&t);
    let routes = state(&t, &["route", "show", "table", "all"]);
    for (line, status, first) in [
        (
            "addr add 198.18.0.1/24 dev v1",
            1,
            "Error: ipv4: Address already assigned.",
        ),
        (
            "addr del 198.18.99.1/24 dev v1",
            1,
            "Error: ipv4: Address not found.",
        ),
        (
            "addr add 2001:db8:9::1/48 dev v1 mngtmpaddr",
            1,
            "Error: ipv6: address with \"mngtmpaddr\" flag must have a prefix length of 64.",
        ),
        (
            "addr add 198.18.7.1/24 dev nope",
            1,
            "Cannot find device \"nope\"",
        ),
        ("addr show dev nope", 1, "Device \"nope\" does not exist."),
        ("addr flush dev nope", 1, "Device \"nope\" does not exist."),
        (
            "addr add 2001:db8:8::1/64 dev v1 broadcast +",
            1,
            "Broadcast can be set only for IPv4 addresses",
        ),
        ("-0 addr flush dev v1", 1, "Cannot flush link addresses."),
        // Usage errors: refused before anything is sent.
        (
            "addr add 198.18.0.9/33 dev v1",
            2,
            "Error: any valid prefix is expected rather than \"198.18.0.9/33\".",
        ),
        (
            "addr add 198.18.0.9/24",
            2,
            "Not enough information: \"dev\" argument is required.",
        ),
        (
            "addr add 198.18.0.9/24 dev v1 valid_lft 10 preferred_lft 20",
            2,
            "preferred_lft is greater than valid_lft",
        ),
        ("addr flush", 2, "Flush requires arguments."),
    ] {
        let (code, msg) = np_fails(&t, &words(line));
        assert_eq!((code, msg.as_str()), (status, first), "{line}");
    }
    assert_eq!(first_difference(&addresses(&t), &before, ""), None);
    let after = state(&t, &["route", "show", "table", "all"]);
    assert_eq!(first_difference(&after, &routes, ""), None);
}

#[test]
fn flush_takes_what_the_selectors_name() {
    let Some(t) = populated("flush_takes_what_the_selectors_name") else {
        return;
    };
    np_ok(&t, &["addr", "flush", "dev", "v1", "to", "198.18.0.0/24"]);
    let v1 = np_json(&t, &["-4", "addr", "show", "dev", "v1"]);
    let locals: Vec<&str> = v1[0]["addr_info"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["local"].as_str())
        .collect();
    assert_eq!(locals, ["198.18.1.1"]);
    // -6 leaves IPv4 alone; the IPv6 link-local address goes too.
    np_ok(&t, &["-6", "addr", "flush", "dev", "v3"]);
    assert_eq!(
        t.ip_json(&["-6", "addr", "show", "dev", "v3"]),
        serde_json::json!([])
    );
    let v3 = t.ip_json(&["-4", "addr", "show", "dev", "v3"]);
    assert_eq!(v3[0]["addr_info"].as_array().unwrap().len(), 2);
    // Flushing every global address of the namespace.
    np_ok(&t, &["addr", "flush", "scope", "global"]);
    let all = t.ip_json(&["addr", "show"]);
    let scopes: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|l| l["addr_info"].as_array().unwrap())
        .filter_map(|a| a["scope"].as_str())
        .collect();
    assert!(
        !scopes.is_empty() && scopes.iter().all(|s| *s != "global"),
        "{all}"
    );
}
