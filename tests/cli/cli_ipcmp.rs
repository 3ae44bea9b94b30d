//! Side-by-side support for the `netplumb` vs `ip` tests of `address`, `route` and `neigh`
//! (tests/cli_addr.rs, cli_route.rs, cli_neigh.rs): two namespaces set up alike, a command
//! applied with `ip -n A` and `netplumb -n B`, their outcomes and states compared.
#![allow(dead_code)] // each test file uses a different part

use crate::common::TestNs;
use serde_json::Value;
use std::process::{Command, Output};

/// Runs `netplumb -n NS ARGS...`.
pub fn netplumb(t: &TestNs, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_netplumb"))
        .arg("-n")
        .arg(t.name())
        .args(args)
        .output()
        .expect("run netplumb")
}

/// Runs `netplumb -n NS ARGS...`, asserting success; returns its standard output.
pub fn np_ok(t: &TestNs, args: &[&str]) -> String {
    let out = netplumb(t, args);
    assert!(
        out.status.success(),
        "netplumb {}: {}",
        args.join(" "),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// `netplumb -j ...` parsed.
pub fn np_json(t: &TestNs, args: &[&str]) -> Value {
    let mut all = vec!["-j"];
    all.extend_from_slice(args);
    let s = np_ok(t, &all);
    serde_json::from_str(&s).unwrap_or_else(|e| panic!("netplumb -j {args:?}: {e}: {s}"))
}

/// Output bytes as text.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Splits a command line on blanks.
pub fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

/// A namespace prepared for the comparisons: `lo` up, IPv6 duplicate address detection off
/// (addresses are usable at once, nothing tentative), veth pairs v1/v2 and v3/v4 and a
/// bridge br0, all up. Two of these made one after the other have the same indexes.
pub fn prepared(test: &str) -> Option<TestNs> {
    let t = TestNs::new(test)?;
    t.ns()
        .run(|| {
            for k in [
                "net.ipv6.conf.all.accept_dad",
                "net.ipv6.conf.default.accept_dad",
            ] {
                netplumb::sysctl::Sysctls::current()
                    .set(k, "0")
                    .expect("set accept_dad");
            }
        })
        .expect("run in the test namespace");
    t.ip(&["link", "set", "lo", "up"]);
    t.ip(&["link", "add", "v1", "type", "veth", "peer", "name", "v2"]);
    t.ip(&["link", "add", "v3", "type", "veth", "peer", "name", "v4"]);
    t.ip(&["link", "add", "br0", "type", "bridge"]);
    for l in ["v1", "v2", "v3", "v4", "br0"] {
        t.ip(&["link", "set", l, "up"]);
    }
    settle(&t);
    Some(t)
}

/// Waits (a bounded while) until the kernel has carried the links' carrier changes into
/// their operational states, which it does asynchronously, up to a second later: a link
/// that is down reads DOWN, a veth reads UP with its peer (else DOWN or LOWERLAYERDOWN),
/// a bridge reads UP once a port is. Gives up silently: the comparisons will say what
/// differs.
pub fn settle(t: &TestNs) {
    for _ in 0..100 {
        let links = t.ip_json(&["link", "show"]);
        let links = links.as_array().cloned().unwrap_or_default();
        let has = |l: &Value, f: &str| {
            l["flags"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x == f))
        };
        let settled = links.iter().filter(|l| l["ifname"] != "lo").all(|l| {
            let state = l["operstate"].as_str().unwrap_or_default();
            let ports: Vec<&Value> = links
                .iter()
                .filter(|p| p.get("master") == l.get("ifname"))
                .collect();
            if !has(l, "UP") {
                state == "DOWN"
            } else if !ports.is_empty() {
                // A bridge is up once a port is.
                let up = ports.iter().any(|p| has(p, "UP") && has(p, "LOWER_UP"));
                !up || state == "UP"
            } else if l.get("link").is_some() {
                // A veth: up with its peer.
                if has(l, "LOWER_UP") {
                    state == "UP"
                } else {
                    state == "LOWERLAYERDOWN" || state == "DOWN"
                }
            } else {
                true
            }
        });
        if settled {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Two [`prepared`] namespaces: A for `ip`, B for `netplumb`.
pub fn pair(test: &str) -> Option<(TestNs, TestNs)> {
    Some((prepared(test)?, prepared(test)?))
}

/// The first line of what `ip` printed on failure, as netplumb prints it: `ip`'s
/// `RTNETLINK answers: TEXT` (no extended ack) is netplumb's `Error: TEXT.`.
pub fn ip_error_as_netplumb(stderr: &str) -> String {
    let first = stderr
        .lines()
        .find(|l| !l.starts_with("Warning") && !l.starts_with(' '))
        .unwrap_or_default();
    match first.strip_prefix("RTNETLINK answers: ") {
        Some(t) => format!("Error: {t}."),
        None => first.to_string(),
    }
}

/// Applies `line` with `ip` in `a` and with `netplumb` in `b`: both must succeed, or both
/// fail with the same message (netplumb exiting with 1).
pub fn apply_both(a: &TestNs, b: &TestNs, line: &str) {
    let w = words(line);
    let ip = a.try_ip(&w);
    let np = netplumb(b, &w);
    let (ip_err, np_err) = (text(&ip.stderr), text(&np.stderr));
    assert_eq!(
        ip.status.success(),
        np.status.success(),
        "{line}\n  ip: {ip_err}\n  netplumb: {np_err}"
    );
    if !ip.status.success() {
        assert_eq!(np.status.code(), Some(1), "{line}: {np_err}");
        let np_first = np_err
            .lines()
            .find(|l| !l.starts_with("Warning") && !l.starts_with(' '))
            .unwrap_or_default();
        assert_eq!(np_first, ip_error_as_netplumb(&ip_err), "{line}");
    }
}

/// True for a six-octet MAC address in `ip`'s notation.
fn is_mac(s: &str) -> bool {
    s.len() == 17
        && s.split(':')
            .all(|o| o.len() == 2 && o.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Makes `ip -j` output of two namespaces comparable: random MAC addresses and the IPv6
/// link-local addresses derived from them, and lifetimes and expiry times that count down,
/// are replaced by placeholders; multicast neighbour entries (`ff02::...`, made by
/// background MLD traffic) are dropped; lists of objects are sorted (the kernel lists
/// per-device routes in the order the devices came up).
pub fn normalize(v: &mut Value) {
    match v {
        Value::String(s) if is_mac(s) => *s = "MAC".into(),
        Value::String(s) if s.starts_with("fe80::") => *s = "fe80::X".into(),
        Value::Object(m) => {
            // The kind details of links (bridge timers, ...) are `link`'s business.
            m.remove("linkinfo");
            for (k, x) in m.iter_mut() {
                let countdown = matches!(
                    k.as_str(),
                    "valid_life_time" | "preferred_life_time" | "expires"
                );
                if countdown && x.as_u64() != Some(u64::from(u32::MAX)) {
                    *x = Value::from("N");
                } else {
                    normalize(x);
                }
            }
        }
        Value::Array(a) => {
            a.retain(|x| {
                !x.get("dst")
                    .and_then(Value::as_str)
                    .is_some_and(|d| d.starts_with("ff02::"))
            });
            for x in a.iter_mut() {
                normalize(x);
            }
            if a.iter().all(Value::is_object) {
                a.sort_by_key(|x| x.to_string());
            }
        }
        _ => {}
    }
}

/// `ip -j ARGS` in `t`, normalized.
pub fn state(t: &TestNs, args: &[&str]) -> Value {
    let mut v = t.ip_json(args);
    normalize(&mut v);
    v
}

/// Asserts that `ip -j ARGS` reads the same in both namespaces.
pub fn assert_same_state(a: &TestNs, b: &TestNs, args: &[&str]) {
    let (sa, sb) = (state(a, args), state(b, args));
    if let Some(d) = first_difference(&sa, &sb, "") {
        panic!(
            "ip -j {} differs at {d}\n  after ip:       {sa}\n  after netplumb: {sb}",
            args.join(" ")
        );
    }
}

/// Where two documents first differ, and how.
pub fn first_difference(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                match (x.get(k), y.get(k)) {
                    (Some(v), Some(w)) => {
                        if let Some(d) = first_difference(v, w, &format!("{path}.{k}")) {
                            return Some(d);
                        }
                    }
                    (v, w) => return Some(format!("{path}.{k}: {v:?} / {w:?}")),
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                if let Some(d) = first_difference(v, w, &format!("{path}[{i}]")) {
                    return Some(d);
                }
            }
            (x.len() != y.len()).then(|| format!("{path}: {} / {} elements", x.len(), y.len()))
        }
        _ => (a != b).then(|| format!("{path}: {a} / {b}")),
    }
}

/// `netplumb -j ARGS` and `ip -j ARGS` in the same namespace give the same document.
pub fn assert_json_like_ip(t: &TestNs, args: &[&str]) {
    let mut want = t.ip_json(args);
    let mut got = np_json(t, args);
    // Only values that count down may differ between the two runs.
    normalize_countdowns(&mut want);
    normalize_countdowns(&mut got);
    if let Some(d) = first_difference(&got, &want, "") {
        panic!(
            "-j {}: netplumb / ip differ at {d}\n  netplumb: {got}\n  ip:       {want}",
            args.join(" ")
        );
    }
}

fn normalize_countdowns(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                let countdown = matches!(
                    k.as_str(),
                    "valid_life_time" | "preferred_life_time" | "expires"
                );
                if countdown && x.as_u64() != Some(u64::from(u32::MAX)) {
                    *x = Value::from("N");
                } else {
                    normalize_countdowns(x);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(normalize_countdowns),
        _ => {}
    }
}

/// `netplumb ARGS` prints the same text as `ip ARGS`.
pub fn assert_text_like_ip(t: &TestNs, args: &[&str]) {
    assert_eq!(np_ok(t, args), t.ip(args), "{}", args.join(" "));
}

/// A failed `netplumb` run: its exit status and the first line of its standard error.
pub fn np_fails(t: &TestNs, args: &[&str]) -> (i32, String) {
    let out = netplumb(t, args);
    assert!(!out.status.success(), "netplumb {args:?} succeeded");
    let err = text(&out.stderr);
    (
        out.status.code().unwrap_or(-1),
        err.lines().next().unwrap_or_default().to_string(),
    )
}
