//! The `netplumb` binary's `link` and `tuntap` commands against iproute2 6.1's `ip`:
//! - the same script run by `ip` in one fresh namespace and by `netplumb` in another leaves
//!   the same kernel state (`ip -j -d link show` and `ip tuntap show`, normalized for
//!   ifindexes, random MAC addresses and running timers);
//! - `netplumb -j [-d] link show [filters]` equals `ip -j ...` as parsed JSON, and the text
//!   of `link show` and `tuntap show` equals `ip`'s;
//! - unknown devices, kernel refusals and bad values give `ip`'s message and the documented
//!   exit status, and change nothing;
//! - `-batch` stops at the first failed line, or carries on with `-force`.
//!
//! Every test works in namespaces of its own (`TestNs`); nothing runs in the host's.

use crate::common;
use common::TestNs;
use serde_json::Value;
use std::process::{Command, Output, Stdio};

/// Runs `netplumb -n NS ARGS...`.
fn np(t: &TestNs, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_netplumb"))
        .arg("-n")
        .arg(t.name())
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run netplumb")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs `netplumb -n NS ARGS...`, asserting success; returns its standard output.
fn np_ok(t: &TestNs, args: &[&str]) -> String {
    let out = np(t, args);
    assert!(
        out.status.success(),
        "netplumb -n {} {}: {}",
        t.name(),
        args.join(" "),
        text(&out.stderr)
    );
    text(&out.stdout)
}

fn np_json(t: &TestNs, args: &[&str]) -> Value {
    let mut all = vec!["-j"];
    all.extend_from_slice(args);
    let s = np_ok(t, &all);
    serde_json::from_str(&s).unwrap_or_else(|e| panic!("netplumb -j {args:?}: {e}: {s}"))
}

/// `ip -j` output as netplumb prints it: ip writes an empty object for every link a filter
/// leaves out (`[{},{"ifindex":2,...},{}]`); netplumb leaves them out.
fn drop_empty(v: Value) -> Value {
    match v {
        Value::Array(a) => Value::Array(
            a.into_iter()
                .filter(|x| x.as_object().is_none_or(|o| !o.is_empty()))
                .collect(),
        ),
        other => other,
    }
}

/// Values that differ between two namespaces built by the same commands, or between two
/// reads: ifindexes, MAC addresses the kernel chose (netplumb tests set theirs from
/// 02:00:00:..), bridge ids made of them, running timers.
fn normalize(v: &mut Value) {
    match v {
        Value::Object(o) => {
            for (k, x) in o.iter_mut() {
                let random_mac = x.as_str().is_some_and(|s| !s.starts_with("02:00:00"));
                match k.as_str() {
                    "ifindex" | "link_index" | "bridge_id" | "root_id" => *x = "X".into(),
                    "address" | "permaddr" if random_mac => *x = "X".into(),
                    k if k.ends_with("_timer") => *x = "X".into(),
                    _ => normalize(x),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(normalize),
        _ => {}
    }
}

/// `ip -j -d link show` of a namespace, normalized and sorted by name.
fn state(t: &TestNs) -> Value {
    let mut v = drop_empty(t.ip_json(&["-d", "link", "show"]));
    normalize(&mut v);
    if let Value::Array(a) = &mut v {
        a.sort_by(|x, y| x["ifname"].as_str().cmp(&y["ifname"].as_str()));
    }
    v
}

/// Splits a script line into words (no quoting needed by these scripts).
fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

/// Runs `script` through `ip` in `a` and through `netplumb` in `b`; `@P@` in a line is the
/// peer namespace (`pa` for ip, `pb` for netplumb). Both must accept or refuse each line
/// alike.
fn run_both(script: &str, a: &TestNs, b: &TestNs, pa: &TestNs, pb: &TestNs) {
    for line in script.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let la = line.replace("@P@", pa.name());
        let lb = line.replace("@P@", pb.name());
        let ra = a.try_ip(&words(&la));
        let rb = np(b, &words(&lb));
        assert_eq!(
            ra.status.success(),
            rb.status.success(),
            "{line}\nip: {}\nnetplumb: {}",
            text(&ra.stderr),
            text(&rb.stderr)
        );
    }
}

fn four(test: &str) -> Option<(TestNs, TestNs, TestNs, TestNs)> {
    Some((
        TestNs::new(test)?,
        TestNs::new(test)?,
        TestNs::new(test)?,
        TestNs::new(test)?,
    ))
}

const SCRIPT_BASIC: &str = "
    link add br0 type bridge stp_state 0 forward_delay 400 hello_time 300 max_age 1500 ageing_time 1000 priority 100 mcast_snooping 0 group_fwd_mask 0x4000
    link add v0 mtu 1400 txqueuelen 500 address 02:00:00:00:00:01 type veth peer name v1 mtu 1300 address 02:00:00:00:00:02 txqlen 7
    link set v0 master br0 up
    link set v1 up arp off multicast off promisc on allmulticast on alias peer-end group 4
    link set v0 type bridge_slave hairpin on learning off flood off cost 7 priority 9 mcast_flood off bcast_flood off proxy_arp on isolated on
    link add link v1 name mv0 type macvlan mode private
    link add link v1 name mvt0 type macvtap mode vepa
    link add mv1 link v1 type macvlan
    link add m2 link v1 type macvlan mode passthru nopromisc
    link add i0 type ifb
    link add v2 index 77 numtxqueues 3 numrxqueues 2 type veth peer v3 index 78
    link set v2 name v2renamed
    link set v3 mode dormant state up addrgenmode none
    link set v3 addrgenmode random
    link set v2renamed group 9
    link set group 9 mtu 1280 up
    link set dev v3 dynamic on trailers off
    link add br1 type bridge
    link set br1 type bridge stp_state 1 priority 7
    link set br0 type bridge nf_call_iptables 0 mcast_query_use_ifaddr 1
    link add vd0 type veth peer vd1
    link del vd0
    link add vd2 group 12 type veth peer vd3 group 12
    link del group 12
    link add vr0 type veth peer vr1
    link set vr1 master br0
    link set vr1 nomaster
    link add vq0 type veth
    link set vq0 carrier off
    link replace br1 type bridge ageing_time 500
    link add vs0 type veth peer vs1
    link set vs0 gso_max_size 32000 gso_max_segs 100 gro_max_size 32000 broadcast 02:ff:ff:ff:ff:ff
    link set vs0 protodown on
    link set vs1 mtu 70000
";

const SCRIPT_TUNNELS: &str = "
    link add v0 type veth peer name v1
    link add vx0 type vxlan id 42 dstport 4789 local 198.18.0.1 remote 198.18.0.2 ttl 10 tos 0x10 nolearning ageing 100 maxaddress 5 port 1000 2000 df set noudpcsum
    link add vx1 type vxlan id 43 dstport 4790 group 239.1.1.1 dev v1 ttl inherit l2miss l3miss proxy
    link add vx6 type vxlan id 44 local 2001:db8::1 remote 2001:db8::2 dstport 0 label 0x123 udp6zerocsumtx udp6zerocsumrx
    link add vx7 type vxlan id 45 dstport 4789 group ff05::1 dev v1
    -6 link add vx8 type vxlan id 46 dstport 4789
    -4 link add vx9 type vxlan id 47 dstport 4789
    link add vxe type vxlan external dstport 4791
    link add vxl type vxlan id 49 dstport 4789 local 198.18.0.1 label 0x5
    tuntap add tap0 mode tap
    tuntap add tun0 mode tun multi_queue user 1 group 2
    tuntap add t2 mode tap pi vnet_hdr
    tuntap add tap0 mode tap
    tuntap add mode tun
    tuntap del tun0 mode tun
    tuntap del t2 mode tap
    tuntap del nosuch mode tap
";

const SCRIPT_NETNS: &str = "
    link add vp0 type veth peer name vpeer netns @P@
    link add vp2 type veth peer name vpp2 netns /run/netns/@P@
    link add vp3 type veth peer name vpp3
    link set vpp3 netns @P@ name vpp3r
    link add vp4 type veth peer name vpp4
    link set vp4 link-netnsid 0
    link add vp5 type veth peer name vpp5
    link set vpp5 netns no-such-namespace-here
";

fn same_state(script: &str, test: &str) {
    let Some((a, b, pa, pb)) = four(test) else {
        return;
    };
    run_both(script, &a, &b, &pa, &pb);
    assert_eq!(state(&a), state(&b), "{test}: kernel state differs");
    assert_eq!(state(&pa), state(&pb), "{test}: peer namespace differs");
    assert_eq!(
        a.ip(&["tuntap", "show"]),
        b.ip(&["tuntap", "show"]),
        "{test}: tuntap state differs"
    );
}

#[test]
fn link_script_leaves_the_same_state_as_ip() {
    same_state(SCRIPT_BASIC, "link_script_leaves_the_same_state_as_ip");
}

#[test]
fn vxlan_and_tuntap_script_leaves_the_same_state_as_ip() {
    same_state(
        SCRIPT_TUNNELS,
        "vxlan_and_tuntap_script_leaves_the_same_state_as_ip",
    );
}

#[test]
fn namespace_moves_leave_the_same_state_as_ip() {
    same_state(SCRIPT_NETNS, "namespace_moves_leave_the_same_state_as_ip");
}

/// Reads `ip` and netplumb until `ip` reads the same twice around netplumb's read (links
/// that were just set up may still change state), then asserts netplumb read the same.
fn assert_same_reading(what: &str, mut ip: impl FnMut() -> Value, mut np: impl FnMut() -> Value) {
    for _ in 0..50 {
        let before = ip();
        let ours = np();
        let after = ip();
        if before == after {
            assert_eq!(ours, before, "{what}");
            return;
        }
    }
    panic!("{what}: ip never read the same twice");
}

/// Text with the values of running bridge timers (`hello_timer    1.23 `) replaced by `X`.
fn text_timers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("_timer ") {
        let (head, tail) = rest.split_at(at + "_timer ".len());
        out.push_str(head);
        let tail = tail.trim_start_matches(' ');
        let end = tail
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(tail.len());
        out.push('X');
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

fn norm_timers(mut v: Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(o) => {
                for (k, x) in o.iter_mut() {
                    if k.ends_with("_timer") {
                        *x = "X".into();
                    } else {
                        walk(x);
                    }
                }
            }
            Value::Array(a) => a.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut v);
    v
}

#[test]
fn show_json_and_text_equal_ip() {
    let test = "show_json_and_text_equal_ip";
    let (Some(t), Some(p)) = (TestNs::new(test), TestNs::new(test)) else {
        return;
    };
    for line in SCRIPT_BASIC.lines().chain(SCRIPT_TUNNELS.lines()) {
        let w = words(line);
        if !w.is_empty() {
            let _ = t.try_ip(&w);
        }
    }
    t.ip(&[
        "link",
        "add",
        "vp0",
        "type",
        "veth",
        "peer",
        "name",
        "vpeer",
        "netns",
        p.name(),
    ]);
    t.ip(&["link", "add", "bu", "type", "bridge"]);
    t.ip(&["link", "set", "bu", "up"]);
    // Protocol-down links, with and without reasons (vxlan devices take them).
    t.ip(&["link", "set", "vx0", "protodown", "on"]);
    t.ip(&["link", "set", "vx0", "protodown_reason", "3", "on"]);
    t.ip(&["link", "set", "vx1", "protodown_reason", "0", "on"]);
    for args in [
        &["link", "show"][..],
        &["-d", "link", "show"],
        &["link", "show", "dev", "v0"],
        &["link", "show", "vp0"],
        &["-d", "link", "show", "vx6"],
        &["-d", "link", "show", "type", "bridge_slave"],
        &["-d", "link", "show", "type", "vxlan"],
        &["-d", "link", "show", "type", "tun"],
        &["link", "show", "master", "br0"],
        &["link", "show", "nomaster", "type", "veth"],
        &["link", "show", "up"],
        &["link", "show", "group", "4"],
        &["link", "show", "dev", "v1", "group", "5"],
        &["-4", "link", "show"],
        &["-d", "-6", "link", "show", "dev", "v3"],
        &["-s", "link", "show", "dev", "mv0"],
        &["-br", "link", "show"],
        &["-s", "-s", "-d", "link", "show", "dev", "lo"],
    ] {
        let what = format!("-j {}", args.join(" "));
        assert_same_reading(
            &what,
            || norm_timers(drop_empty(t.ip_json(args))),
            || norm_timers(np_json(&t, args)),
        );
    }
    // A namespace holding only the far end of a veth (link_netnsid, link_index).
    for args in [&["link", "show"][..], &["-d", "link", "show"]] {
        assert_same_reading(
            &format!("peer namespace: {}", args.join(" ")),
            || norm_timers(drop_empty(p.ip_json(args))),
            || norm_timers(np_json(&p, args)),
        );
    }
    // Pretty output is the same document.
    let pretty: Value =
        serde_json::from_str(&np_ok(&t, &["-j", "-p", "link", "show", "v1"])).unwrap();
    assert_eq!(pretty, np_json(&t, &["link", "show", "v1"]));
    // Text is ip's line for line, with -d the kinds' data too (bridge, bridge port, vxlan,
    // macvlan, macvtap, tun).
    for args in [
        &["link", "show"][..],
        &["link", "show", "dev", "vp0"],
        &["link", "show", "type", "macvlan"],
        &["-br", "link", "show"],
        &["-d", "link", "show"],
        &["-d", "-N", "link", "show"],
        &["-d", "link", "show", "type", "bridge_slave"],
        &["-d", "address", "show"],
        &["-d", "-6", "link", "show", "dev", "v3"],
        &["-s", "link", "show"],
        &["-s", "-s", "-d", "link", "show"],
    ] {
        assert_same_reading(
            &args.join(" "),
            || Value::String(text_timers(&t.ip(args))),
            || Value::String(text_timers(&np_ok(&t, args))),
        );
    }
    assert_eq!(np_ok(&t, &["tuntap", "show"]), t.ip(&["tuntap", "show"]));
    assert_eq!(
        np_json(&t, &["tuntap", "show"]),
        t.ip_json(&["tuntap", "show"])
    );
    // Fields checked by value, so that a field both print wrongly would still be caught.
    let v0 = &np_json(&t, &["-d", "link", "show", "v0"])[0];
    assert_eq!(v0["ifname"], "v0");
    assert_eq!(v0["link"], "v1");
    assert_eq!(v0["master"], "br0");
    assert_eq!(v0["mtu"], 1400);
    assert_eq!(v0["txqlen"], 500);
    assert_eq!(v0["address"], "02:00:00:00:00:01");
    assert_eq!(v0["linkinfo"]["info_kind"], "veth");
    assert_eq!(v0["linkinfo"]["info_slave_kind"], "bridge");
    let port = &v0["linkinfo"]["info_slave_data"];
    assert_eq!(
        (
            &port["hairpin"],
            &port["learning"],
            &port["flood"],
            &port["cost"]
        ),
        (
            &Value::Bool(true),
            &Value::Bool(false),
            &Value::Bool(false),
            &Value::from(7)
        )
    );
    let v1 = &np_json(&t, &["link", "show", "v1"])[0];
    assert_eq!(v1["group"], "4");
    assert_eq!(v1["ifalias"], "peer-end");
    let flags: Vec<&str> = v1["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    for f in ["NOARP", "ALLMULTI", "PROMISC", "UP"] {
        assert!(flags.contains(&f), "{flags:?}");
    }
    assert!(!flags.contains(&"MULTICAST"), "{flags:?}");
    let vp0 = &np_json(&t, &["link", "show", "vp0"])[0];
    assert!(
        vp0["link_index"].is_number() && vp0["link_netnsid"] == 0,
        "{vp0}"
    );
    let vx = &np_json(&t, &["-d", "link", "show", "vx0"])[0]["linkinfo"]["info_data"];
    assert_eq!(
        (
            &vx["id"],
            &vx["port"],
            &vx["ttl"],
            &vx["tos"],
            &vx["learning"]
        ),
        (
            &Value::from(42),
            &Value::from(4789),
            &Value::from(10),
            &Value::from("0x10"),
            &Value::Bool(false)
        )
    );
}

#[test]
fn missing_devices_and_refusals_fail_like_ip_and_change_nothing() {
    let Some(t) = TestNs::new("missing_devices_and_refusals_fail_like_ip_and_change_nothing")
    else {
        return;
    };
    t.ip(&["link", "add", "v0", "type", "veth", "peer", "name", "v1"]);
    let before = state(&t);
    for (args, code, msg) in [
        (
            &["link", "set", "nosuch", "up"][..],
            1,
            "Cannot find device \"nosuch\"\n",
        ),
        (
            &["link", "del", "nosuch"],
            1,
            "Cannot find device \"nosuch\"\n",
        ),
        (
            &["link", "show", "nosuch"],
            1,
            "Device \"nosuch\" does not exist.\n",
        ),
        (
            &["link", "show", "dev", "nosuch"],
            1,
            "Device \"nosuch\" does not exist.\n",
        ),
        (
            &["link", "set", "v0", "mtu", "1400", "master", "nosuch"],
            1,
            "Error: argument \"nosuch\" is wrong: Device does not exist\n",
        ),
        (
            &["link", "show", "master", "nosuch"],
            1,
            "Error: argument \"nosuch\" is wrong: Device does not exist\n",
        ),
        (
            &[
                "link", "add", "link", "nosuch", "name", "m0", "type", "macvlan",
            ],
            1,
            "Cannot find device \"nosuch\"\n",
        ),
        (
            &["link", "set", "v0", "up", "netns", "no-such-ns"],
            1,
            "Error: argument \"no-such-ns\" is wrong: Invalid \"netns\" value\n",
        ),
        (
            &["link", "add", "x", "type", "nosuchkind"],
            1,
            "Error: Unknown device type.\n",
        ),
        (
            &["link", "set", "v0", "mtu", "70000"],
            1,
            "Error: mtu greater than device maximum.\n",
        ),
        (
            &["link", "add", "v0", "type", "veth"],
            1,
            "Error: File exists.\n",
        ),
        (
            &["link", "set", "v0", "name", "v1"],
            1,
            "Error: File exists.\n",
        ),
        (
            &["link", "set", "v0", "index", "5"],
            1,
            "index can be used only when creating devices or when moving device to another netns.\n",
        ),
        (
            &["tuntap", "del", "v0", "mode", "tap"],
            1,
            "ioctl(TUNSETIFF): Invalid argument\n",
        ),
    ] {
        let out = np(&t, args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert_eq!(text(&out.stderr), msg, "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert_eq!(state(&t), before, "{args:?} changed the namespace");
    }
    // Usage errors: exit 2, nothing sent.
    for args in [
        &["link", "set", "v0", "mtu", "0"][..],
        &["link", "set", "v0", "arp", "maybe"],
        &["link", "add", "0123456789abcdefg", "type", "veth"],
        &["link", "add", "vx", "type", "vxlan", "id", "16777216"],
        &[
            "link",
            "set",
            "v0",
            "type",
            "bridge_slave",
            "hairpin",
            "maybe",
        ],
        &["link", "add", "v9", "type"],
        &["tuntap", "add", "t0"],
        &["tuntap", "add", "t0", "mode", "tux"],
    ] {
        let out = np(&t, args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(!out.stderr.is_empty(), "{args:?}");
        assert_eq!(state(&t), before, "{args:?} changed the namespace");
    }
    // The same refusals as ip, on the same words.
    for args in [
        &["link", "set", "nosuch", "up"][..],
        &["link", "show", "nosuch"],
        &["link", "show", "master", "nosuch"],
        &["link", "add", "x", "type", "nosuchkind"],
        &["link", "set", "v0", "mtu", "70000"],
    ] {
        let ours = np(&t, args);
        let theirs = t.try_ip(args);
        // (ip ends some of these with an empty line.)
        assert_eq!(
            text(&ours.stderr).trim_end(),
            text(&theirs.stderr).trim_end(),
            "{args:?}"
        );
        assert!(!theirs.status.success());
    }
}

#[test]
fn tuntap_errors_match_ip() {
    let Some(t) = TestNs::new("tuntap_errors_match_ip") else {
        return;
    };
    np_ok(&t, &["tuntap", "add", "tap0", "mode", "tap"]);
    np_ok(&t, &["tuntap", "add", "mq0", "mode", "tun", "multi_queue"]);
    for args in [
        &["tuntap", "add", "tap0", "mode", "tap"][..],
        &["tuntap", "del", "tap0", "mode", "tun"],
        &["tuntap", "del", "mq0", "mode", "tun"],
    ] {
        let ours = np(&t, args);
        let theirs = t.try_ip(args);
        assert_eq!(ours.status.code(), Some(1), "{args:?}");
        assert_eq!(ours.status.code(), theirs.status.code(), "{args:?}");
        assert_eq!(text(&ours.stderr), text(&theirs.stderr), "{args:?}");
    }
    assert_eq!(
        t.ip(&["tuntap", "show"]),
        "tap0: tap persist\nmq0: tun multi_queue persist\n"
    );
    np_ok(&t, &["tuntap", "del", "mq0", "mode", "tun", "multi_queue"]);
    np_ok(&t, &["tuntap", "del", "tap0", "mode", "tap"]);
    assert_eq!(t.ip(&["tuntap", "show"]), "");
    assert_eq!(t.ip_link_names(), ["lo"]);
}

/// A temporary batch file, removed on drop.
struct TempFile(std::path::PathBuf);

impl TempFile {
    fn new(name: &str, content: &str) -> Self {
        let p =
            std::env::temp_dir().join(format!("netplumb-cli-link-{}-{name}", std::process::id()));
        std::fs::write(&p, content).unwrap();
        TempFile(p)
    }
    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

const BATCH: &str = "\
link add b0 type veth peer name b1
link set b0 up mtu 1400
link set nosuch up
link add b2 type veth peer name b3
";

#[test]
fn batch_stops_at_a_failed_line_unless_forced() {
    let test = "batch_stops_at_a_failed_line_unless_forced";
    let (Some(t), Some(f)) = (TestNs::new(test), TestNs::new(test)) else {
        return;
    };
    let file = TempFile::new("batch", BATCH);
    let out = np(&t, &["-batch", file.path()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        format!(
            "Cannot find device \"nosuch\"\nCommand failed {}:3\n",
            file.path()
        )
    );
    assert_eq!(t.ip_link_names(), ["b0", "b1", "lo"]);
    let b0 = &t.ip_json(&["link", "show", "b0"])[0];
    assert_eq!(b0["mtu"], 1400);
    assert!(b0["flags"].as_array().unwrap().contains(&"UP".into()));

    let out = np(&f, &["-force", "-batch", file.path()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains(&format!("Command failed {}:3", file.path())));
    assert_eq!(f.ip_link_names(), ["b0", "b1", "b2", "b3", "lo"]);

    // The same file through ip gives the same namespaces.
    let (Some(ti), Some(fi)) = (TestNs::new(test), TestNs::new(test)) else {
        return;
    };
    assert!(!ti.try_ip(&["-batch", file.path()]).status.success());
    assert!(
        !fi.try_ip(&["-force", "-batch", file.path()])
            .status
            .success()
    );
    assert_eq!(state(&ti), state(&t));
    assert_eq!(state(&fi), state(&f));
}

#[test]
fn netns_pid_target_and_peer_in_a_process_namespace() {
    let test = "netns_pid_target_and_peer_in_a_process_namespace";
    let (Some(t), Some(p)) = (TestNs::new(test), TestNs::new(test)) else {
        return;
    };
    // A shell in namespace p that prints its pid and waits for its stdin to close.
    let mut sh = Command::new(env!("CARGO_BIN_EXE_netplumb"))
        .args([
            "netns",
            "exec",
            p.name(),
            "sh",
            "-c",
            "echo $$; read x || true",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run netplumb netns exec");
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(sh.stdout.as_mut().unwrap()),
        &mut line,
    )
    .unwrap();
    let pid = line.trim().to_string();
    assert!(pid.parse::<u32>().is_ok(), "{line:?}");
    np_ok(
        &t,
        &[
            "link", "add", "a0", "type", "veth", "peer", "name", "a1", "netns", &pid,
        ],
    );
    np_ok(
        &t,
        &["link", "add", "c0", "type", "veth", "peer", "name", "c1"],
    );
    np_ok(&t, &["link", "set", "c1", "netns", &pid]);
    drop(sh.stdin.take());
    assert!(sh.wait().unwrap().success());
    assert_eq!(p.ip_link_names(), ["a1", "c1", "lo"]);
    assert_eq!(t.ip_link_names(), ["a0", "c0", "lo"]);
}

/// `link show` of a dump: kept as the kernel's bytes, every name learned first (a veth's
/// peer and a port's master come later in the dump than the links that name them), each
/// link decoded only to be printed. 300 links in every output form come out byte for byte
/// as `ip` prints them.
#[test]
fn a_dump_of_many_links_prints_byte_for_byte_what_ip_prints() {
    let Some(t) = TestNs::new("a_dump_of_many_links_prints_byte_for_byte_what_ip_prints") else {
        return;
    };
    let mut script = String::from("link add br0 type bridge\n");
    for i in 0..150 {
        script.push_str(&format!("link add va{i} type veth peer name vb{i}\n"));
        if i % 3 == 0 {
            script.push_str(&format!("link set vb{i} master br0\n"));
        }
        if i % 2 == 0 {
            script.push_str(&format!("link set va{i} up\n"));
        }
    }
    let file = std::env::temp_dir().join(format!("netplumb-cli-link-{}", std::process::id()));
    std::fs::write(&file, script).unwrap();
    let out = t.try_ip(&["-batch", file.to_str().unwrap()]);
    let _ = std::fs::remove_file(&file);
    assert!(out.status.success(), "{}", text(&out.stderr));
    for args in [
        &["-j", "link", "show"][..],
        &["link", "show"],
        &["-j", "-p", "link", "show"],
        &["-d", "-j", "link", "show"],
        &["-s", "link", "show"],
        &["-br", "link", "show"],
        &["-j", "link", "show", "type", "veth"],
        &["-j", "link", "show", "master", "br0"],
    ] {
        let ip = t.try_ip(args);
        assert!(ip.status.success(), "ip {args:?}");
        let got = np(&t, args);
        assert!(
            got.status.success(),
            "netplumb {args:?}: {}",
            text(&got.stderr)
        );
        // Counters may move between the two runs (-s): compare those line by line.
        if args.contains(&"-s") {
            assert_eq!(
                text(&got.stdout).lines().count(),
                text(&ip.stdout).lines().count()
            );
            continue;
        }
        assert!(
            got.stdout == ip.stdout,
            "netplumb {args:?}: {} bytes, ip {}\n{}",
            got.stdout.len(),
            ip.stdout.len(),
            first_diff(&text(&got.stdout), &text(&ip.stdout))
        );
    }
}

/// The first line where two outputs differ, for a failure message.
fn first_diff(a: &str, b: &str) -> String {
    a.lines()
        .zip(b.lines())
        .find(|(x, y)| x != y)
        .map(|(x, y)| format!("netplumb: {x}\nip:       {y}"))
        .unwrap_or_else(|| "(one is a prefix of the other)".into())
}
