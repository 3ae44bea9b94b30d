//! `netplumb route` against `ip route`: the same commands give the same routing tables,
//! `netplumb -j route show|get` prints what `ip -j` prints, failures give `ip`'s messages
//! (the kernel's extended ack) and change nothing, and a `-batch` of many additions with
//! `-force` does what `ip -batch -force` does.
use crate::cli_ipcmp;
use crate::common;

use cli_ipcmp::*;

/// The addresses the scripts route through.
const ADDRESSES: &[&str] = &[
    "addr add 198.18.0.1/24 dev v1",
    "addr add 198.18.2.1/24 dev v3",
    "addr add 2001:db8::1/64 dev v1 nodad",
];

/// Every form of `route add|replace|change|append|prepend|del|flush` the executor handles.
const SCRIPT: &[&str] = &[
    "route add 198.18.5.0/24 via 198.18.0.2",
    "route add 198.18.10.0/24 nexthop via 198.18.0.2 dev v1 weight 2 nexthop via 198.18.2.2 dev v3 onlink",
    "route add 198.18.11.0/24 via 198.18.0.2 mtu lock 1400 rtt 10ms rttvar 5ms advmss 1300 congctl lock cubic features ecn quickack 1 rto_min 200ms initcwnd 10 realms 1/2 proto static metric 7 table 100 src 198.18.0.1",
    "route add 198.18.12.0/24 via inet6 fe80::1 dev v1",
    "route add blackhole 198.18.13.0/24",
    "route add prohibit 198.18.14.0/24 table 200",
    "route add 198.18.15.5 dev v1 tos 0x10",
    "route add unreachable 198.18.16.0/24 metric 5",
    "route add throw 198.18.17.0/24 table 300",
    "route add local 198.18.18.1 dev v1",
    "route add broadcast 198.18.19.255 dev v1",
    "route add 198.18.20.0/24 dev v1 scope host proto 99 window 1000 cwnd 5 ssthresh 10 reordering 3 hoplimit 64 initrwnd 8",
    "route add default via 198.18.0.254",
    "route add 198.18.22.0/24 via 198.18.0.2 onlink dev v3",
    "route add 198.18.24.0/24 dev v1 table 4000000000",
    "route add 198.18.30.0/24 via 198.18.0.2 realms 5",
    "route add 198.18.31.0/24 nexthop via 198.18.0.2 dev v1 realms 3 nexthop via 198.18.2.2 dev v3",
    "route add 198.18.32.0/24 dev v1:alias",
    // Failures: the kernel's messages, with and without extended ack.
    "route add 198.18.5.0/24 via 198.18.0.2",
    "route add 198.18.6.0/24 via 198.18.9.9",
    "route add 198.18.25.1/24 dev v1",
    "route add 198.18.21.0/24 dev nope",
    "route change 198.18.27.0/24 dev v3",
    "route del 198.18.99.0/24",
    "-6 route add 2001:db8:c::/64 via 2001:db8:ff::1",
    // Verbs.
    "route replace 198.18.5.0/24 via 198.18.0.3",
    "route replace 198.18.26.0/24 dev v1",
    "route change 198.18.26.0/24 dev v3",
    "route append 198.18.26.0/24 dev v1 metric 3",
    "route prepend 198.18.26.0/24 dev v1 metric 4",
    "route del 198.18.26.0/24 dev v1 metric 3",
    "route del 198.18.13.0/24",
    "route del local 198.18.18.1 dev v1",
    // IPv6.
    "-6 route add 2001:db8:9::/64 via 2001:db8::2 pref high expires 300",
    "-6 route add 2001:db8:a::/64 dev v1 metric 9",
    "-6 route append 2001:db8:a::/64 via 2001:db8::3 dev v1 metric 9",
    "-6 route add 2001:db8:b::/64 nexthop via 2001:db8::2 dev v1 nexthop via 2001:db8::3 dev v1 weight 3",
    "-6 route add blackhole 2001:db8:d::/64 table 100",
    "-6 route add 2001:db8:e::/64 dev v1 mtu 1300 hoplimit 10 pref low",
    "route add 2001:db8:f::/64 from 2001:db8:1::/64 dev v1",
    "-6 route add default via 2001:db8::1",
    // Flushes with selectors.
    "route flush table 100",
    "-6 route flush dev v1 proto boot",
    "route flush 198.18.5.0/24",
    "route flush table 300",
    "route flush root 198.18.30.0/23",
];

#[test]
fn a_script_leaves_the_tables_ip_leaves() {
    let Some((a, b)) = pair("a_script_leaves_the_tables_ip_leaves") else {
        return;
    };
    for line in ADDRESSES {
        a.ip(&words(line));
        b.ip(&words(line));
    }
    for line in SCRIPT {
        apply_both(&a, &b, line);
    }
    assert_same_state(&a, &b, &["-d", "route", "show", "table", "all"]);
    assert_same_state(&a, &b, &["-d", "-6", "route", "show", "table", "all"]);
}

/// A namespace with routes of many kinds, made with `ip`.
fn populated(test: &str) -> Option<common::TestNs> {
    let t = prepared(test)?;
    for line in ADDRESSES.iter().chain(&SCRIPT[..18]).chain(&[
        "-6 route add 2001:db8:9::/64 via 2001:db8::2 pref high",
        "-6 route add 2001:db8:a::/64 dev v1 metric 9",
        "-6 route append 2001:db8:a::/64 via 2001:db8::3 dev v1 metric 9",
        "-6 route add 2001:db8:b::/64 nexthop via 2001:db8::2 dev v1 nexthop via 2001:db8::3 dev v1",
        "-6 route add blackhole 2001:db8:d::/64 table 100",
        "route add 2001:db8:f::/64 from 2001:db8:1::/64 dev v1",
    ]) {
        t.ip(&words(line));
    }
    settle(&t);
    Some(t)
}

#[test]
fn show_and_get_print_what_ip_prints() {
    let Some(t) = populated("show_and_get_print_what_ip_prints") else {
        return;
    };
    for line in [
        "route show",
        "route",
        "route list table all",
        "-4 route show table all",
        "-6 route show",
        "-6 route show table all",
        "-d route show",
        "-d route show table all",
        "-N route show table all",
        "route show table 100",
        "route show table local",
        "-6 route show table local",
        "route show table main",
        "route show proto static table all",
        "route show proto kernel",
        "route show proto boot",
        "route show scope link",
        "route show scope global",
        "route show dev v1",
        "route show oif v3 table all",
        "route show via 198.18.0.2",
        "route show via 198.18.0.2 table all",
        "route show realms 2 table all",
        "route show realms 1/ table all",
        "route show realms 0/5",
        "route show realms 5",
        "route show src 198.18.0.1",
        "route show src 198.18.0.0/24 table all",
        "route show root 198.18.0.0/16",
        "route show match 198.18.5.7",
        "route show exact 198.18.5.0/24",
        "route show 198.18.10.0/24",
        "route show to match 198.18.10.5",
        "route show type blackhole",
        "route show type unicast",
        "route show table all type local",
        "route show table all type broadcast",
        "route show metric 7 table 100",
        "route show tos 0x10",
        "route show realms 1/2 table all",
        "route show table all default",
        "route show exact default",
        "-6 route show from 2001:db8:1::/64",
        "-6 route show root 2001:db8::/32",
        "-6 route show table 100",
        "route show cache",
        "route get 198.18.5.1",
        "route get 198.18.10.1",
        "route get 198.18.0.1",
        "route get 198.18.5.1 from 198.18.0.1",
        "route get 198.18.5.1 mark 5 uid 7",
        "route get 198.18.5.1 oif v1",
        "route get fibmatch 198.18.5.1",
        "route get 198.18.11.1 from 198.18.0.1 tos 0x10 ipproto udp sport 53 dport 53",
        "route get 198.18.2.1 iif v3 from 198.18.2.2",
        "-6 route get 2001:db8:9::1",
        "-6 route get ::1",
        "route get 2001:db8:b::1",
    ] {
        assert_json_like_ip(&t, &words(line));
    }
    for line in [
        "route show table all",
        "-6 route show table all",
        "-d route show",
        "route show table 100",
        "route get 198.18.5.1",
        "-o route show table all",
        "-o route get 198.18.5.1",
    ] {
        assert_text_like_ip(&t, &words(line));
    }
    assert_text_like_ip(&t, &["-j", "-p", "route", "show", "table", "all"]);
}

#[test]
fn failures_report_like_ip_and_change_nothing() {
    let Some(t) = populated("failures_report_like_ip_and_change_nothing") else {
        return;
    };
    let tables = |t: &common::TestNs| {
        (
            state(t, &["route", "show", "table", "all"]),
            state(t, &["-6", "route", "show", "table", "all"]),
        )
    };
    let before = tables(&t);
    for (line, status, first) in [
        (
            "route add 198.18.5.0/24 via 198.18.0.2",
            1,
            "Error: File exists.",
        ),
        (
            "route add 198.18.6.0/24 via 198.18.9.9",
            1,
            "Error: Nexthop has invalid gateway.",
        ),
        (
            "route add 198.18.25.1/24 dev v1",
            1,
            "Error: Invalid prefix for given prefix length.",
        ),
        ("route del 198.18.99.0/24", 1, "Error: No such process."),
        (
            "route change 198.18.27.0/24 dev v3",
            1,
            "Error: No such file or directory.",
        ),
        (
            "route add 198.18.21.0/24 dev nope",
            1,
            "Cannot find device \"nope\"",
        ),
        ("route show dev nope", 1, "Cannot find device \"nope\""),
        ("route flush dev nope", 1, "Cannot find device \"nope\""),
        (
            "route get 198.18.5.1 iif nope",
            1,
            "Cannot find device \"nope\"",
        ),
        (
            "route show table 999",
            2, // as ip: a dump the kernel ends with an error exits with 2
            "Error: ipv4: FIB table does not exist.",
        ),
        (
            "-6 route get 2001:db8:77::1",
            1,
            "Error: Network is unreachable.",
        ),
        (
            "route add 198.18.40.0/24 dev v1 vrf v2",
            1,
            "Error: argument \"v2\" is wrong: Invalid VRF",
        ),
        // Usage errors: refused before anything is sent.
        (
            "route add dev v1",
            2,
            "Not enough information: a destination prefix is required.",
        ),
        (
            "route add 198.18.40.0/24 via 198.18.0.2 via 198.18.0.3",
            2,
            "Error: argument \"via\" is wrong: use nexthop syntax to specify multiple via",
        ),
        (
            "-6 route add default via 198.18.0.2",
            2,
            "Error: inet6 address is expected rather than \"198.18.0.2\".",
        ),
        (
            "route flush",
            2,
            "\"netplumb route flush\" requires arguments.",
        ),
        ("route get", 2, "need at least a destination address"),
    ] {
        let (code, msg) = np_fails(&t, &words(line));
        assert_eq!((code, msg.as_str()), (status, first), "{line}");
    }
    let out = netplumb(&t, &words("route show table 999"));
    assert!(
        text(&out.stderr).ends_with("Dump terminated\n"),
        "{}",
        text(&out.stderr)
    );
    let after = tables(&t);
    assert_eq!(first_difference(&after.0, &before.0, ""), None);
    assert_eq!(first_difference(&after.1, &before.1, ""), None);
}

/// A temporary batch file, removed on drop.
struct TempFile(std::path::PathBuf);

impl TempFile {
    fn new(name: &str, content: &str) -> Self {
        let p =
            std::env::temp_dir().join(format!("netplumb-cli-route-{}-{name}", std::process::id()));
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

#[test]
fn a_forced_batch_of_many_additions_matches_ip() {
    let Some((a, b)) = pair("a_forced_batch_of_many_additions_matches_ip") else {
        return;
    };
    for t in [&a, &b] {
        t.ip(&words("addr add 198.18.0.1/24 dev v1"));
        t.ip(&words("addr add 2001:db8::1/64 dev v1 nodad"));
    }
    // 600 routes, IPv4 and IPv6, through a device and a gateway, with three bad lines in
    // between: an existing route, a missing device and an unreachable gateway.
    let mut lines = Vec::new();
    for i in 0..400u32 {
        lines.push(format!(
            "route add 198.19.{}.{}/32 dev v1",
            i / 256,
            i % 256
        ));
    }
    lines.push("route add 198.19.0.0/32 dev v1".into());
    lines.push("route add 198.19.200.0/24 dev nope".into());
    lines.push("route add 198.19.201.0/24 via 198.18.99.1".into());
    for i in 0..200u32 {
        lines.push(format!(
            "route add 2001:db8:1:{i:x}::/64 via 2001:db8::{:x}",
            i + 2
        ));
    }
    lines.push("route add 198.19.202.0/24 via 198.18.0.2 metric 5".into());
    let file = TempFile::new("batch", &(lines.join("\n") + "\n"));
    let ip = a.try_ip(&["-force", "-batch", file.path()]);
    let np = netplumb(&b, &["-force", "-batch", file.path()]);
    assert!(!ip.status.success());
    assert_eq!(np.status.code(), Some(1), "{}", text(&np.stderr));
    let failed: Vec<String> = text(&np.stderr)
        .lines()
        .filter(|l| l.starts_with("Command failed"))
        .map(str::to_string)
        .collect();
    let at = |n: usize| format!("Command failed {}:{n}", file.path());
    assert_eq!(failed, [at(401), at(402), at(403)]);
    for table in [
        &["route", "show", "table", "all"][..],
        &["-6", "route", "show", "table", "all"],
    ] {
        assert_same_state(&a, &b, table);
    }
    let v4 = b.ip_json(&["route", "show", "root", "198.19.0.0/16"]);
    assert_eq!(v4.as_array().unwrap().len(), 401, "{v4}");
    // Without -force the batch stops at the first failure.
    let file2 = TempFile::new(
        "stop",
        "route add 198.19.210.0/24 dev nope\nroute add 198.19.211.0/24 dev v1\n",
    );
    let np = netplumb(&b, &["-batch", file2.path()]);
    assert_eq!(np.status.code(), Some(1));
    assert_eq!(
        b.ip_json(&["route", "show", "198.19.211.0/24"]),
        serde_json::json!([])
    );
}

#[test]
fn flush_takes_what_the_selectors_name() {
    let Some(t) = populated("flush_takes_what_the_selectors_name") else {
        return;
    };
    np_ok(&t, &["route", "flush", "proto", "static", "table", "all"]);
    assert_eq!(
        t.ip_json(&["route", "show", "proto", "static", "table", "all"]),
        serde_json::json!([])
    );
    // `via`: only the routes through that gateway.
    np_ok(&t, &["route", "flush", "via", "198.18.0.2"]);
    let left = t.ip_json(&["route", "show"]);
    assert!(
        left.as_array()
            .unwrap()
            .iter()
            .all(|r| r["gateway"] != "198.18.0.2"),
        "{left}"
    );
    assert!(
        left.as_array()
            .unwrap()
            .iter()
            .any(|r| r["dst"] == "198.18.0.0/24"),
        "{left}"
    );
    // -6 leaves IPv4 alone.
    np_ok(&t, &["-6", "route", "flush", "dev", "v1"]);
    assert_eq!(
        t.ip_json(&["-6", "route", "show", "dev", "v1"]),
        serde_json::json!([])
    );
    assert!(
        !t.ip_json(&["route", "show", "dev", "v1"])
            .as_array()
            .unwrap()
            .is_empty()
    );
}

/// `route show` prints while the dump runs (records cross a receiving thread in 32 KiB
/// buffers): a dump many buffers long, IPv4 and IPv6 and in every output form, comes out
/// byte for byte as `ip` prints it, and a dump the kernel refuses fails as with `ip`.
#[test]
fn a_large_dump_prints_byte_for_byte_what_ip_prints() {
    let Some(t) = prepared("a_large_dump_prints_byte_for_byte_what_ip_prints") else {
        return;
    };
    t.ip(&words("addr add 198.18.0.1/24 dev v1"));
    t.ip(&words("addr add 2001:db8::1/64 dev v1 nodad"));
    // About 400 KB of JSON: many of the receiving thread's and the printer's buffers.
    let mut lines = Vec::new();
    for i in 0..8000u32 {
        let metric = if i % 7 == 0 { " metric 9" } else { "" };
        lines.push(format!(
            "route add 198.19.{}.{}/32 via 198.18.0.{}{metric}",
            i / 256,
            i % 256,
            2 + i % 3
        ));
    }
    for i in 0..1000u32 {
        lines.push(format!(
            "route add 2001:db8:2:{i:x}::/64 dev v1 proto static"
        ));
    }
    let file = TempFile::new("large", &(lines.join("\n") + "\n"));
    t.ip(&["-batch", file.path()]);
    for args in [
        &["-j", "route", "show"][..],
        &["-j", "-p", "route", "show"],
        &["route", "show"],
        &["-d", "route", "show"],
        &["-6", "-j", "route", "show"],
        &["-6", "route", "show"],
        &["-j", "route", "show", "table", "all"],
        &["-j", "route", "show", "root", "198.19.8.0/21"],
        &["-j", "route", "show", "via", "198.18.0.3"],
        &["-4", "route", "show", "metric", "9"],
    ] {
        let ip = t.try_ip(args);
        assert!(ip.status.success(), "ip {args:?}");
        let np = netplumb(&t, args);
        assert!(
            np.status.success(),
            "netplumb {args:?}: {}",
            text(&np.stderr)
        );
        assert!(
            np.stdout == ip.stdout,
            "netplumb {args:?} prints {} bytes, ip {}",
            np.stdout.len(),
            ip.stdout.len()
        );
    }
    let v4 = np_json(&t, &["-4", "route", "show"]);
    assert_eq!(v4.as_array().unwrap().len(), 8001);
    // Output that cannot be written (/dev/full: ENOSPC) fails the command while the
    // receiving thread still has buffers to hand over: it must end too, not wait forever.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_netplumb"))
        .args(["-n", t.name(), "-j", "route", "show"])
        .stdout(std::fs::File::create("/dev/full").unwrap())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut waited = 0;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        // A watchdog for a hang, not a timing check: the command takes milliseconds.
        if waited >= 600 {
            let _ = child.kill();
            let _ = child.wait();
            panic!("netplumb -j route show > /dev/full did not end");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        waited += 1;
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("Error: cannot write to standard output: No space left on device"),
        "{err}"
    );
    // A table that does not exist: the kernel's error, as ip reports it.
    let ip = t.try_ip(&words("route show table 4242"));
    let (code, first) = np_fails(&t, &words("route show table 4242"));
    assert_eq!(code, 2);
    assert_eq!(
        first,
        ip_error_as_netplumb(&text(&ip.stderr))
            .lines()
            .next()
            .unwrap()
    );
}
