//! `netplumb rule` against `ip rule` (iproute2 6.1), in namespaces made for each test: the
//! same commands leave the same rules (every selector and action, both families, the
//! kernel's refusals with its messages), `rule show` prints what `ip rule show` prints byte
//! for byte in text, `-j`, `-j -p`, `-d` and `-N` with every selector, `rule flush` removes
//! what `ip rule flush` removes, and `rule save` / `rule restore` interoperate with `ip`'s.
use crate::cli_ipcmp;
use crate::common;

use cli_ipcmp::*;
use common::TestNs;
use std::io::Write;
use std::process::{Command, Stdio};

/// Every selector and action of `ip rule add`, IPv4.
const ADD4: &[&str] = &[
    "rule add from 198.18.1.0/24 lookup 100",
    "rule add from 198.18.1.5/24 lookup 100 pref 10",
    "rule add not from 198.18.2.0/24 to 198.18.3.0/24 pref 11 table 200",
    "rule add from all lookup 101 pref 12",
    "rule add to 198.18.1.9 lookup 101 pref 15",
    "rule add pref 16 tos 0x10",
    "rule add pref 17 dsfield 0x08 lookup 7",
    "rule add pref 18 fwmark 5",
    "rule add pref 19 fwmark 0x5/0xff lookup 8",
    "rule add pref 20 fwmark 0x10/0xffffffff",
    "rule add pref 21 iif v1 oif v3",
    "rule add pref 22 iif nosuch0",
    "rule add pref 23 l3mdev",
    "rule add pref 24 l3mdev table 100",
    "rule add pref 25 uidrange 100-200",
    "rule add pref 26 ipproto tcp sport 80 dport 1000-2000",
    "rule add pref 27 ipproto 17 dport 53",
    "rule add pref 28 tun_id 7 lookup 300",
    "rule add pref 29 lookup 4000000000",
    "rule add pref 30 table local",
    "rule add pref 31 protocol static lookup 9",
    "rule add pref 32 protocol 99 lookup 9",
    "rule add pref 33 realms 3/4 lookup 5",
    "rule add pref 34 realms 6 lookup 5",
    "rule add pref 35 suppress_prefixlength 0 lookup main",
    "rule add pref 36 suppress_ifgroup 5 lookup main",
    "rule add pref 37 goto 1000",
    "rule add pref 38 goto 40000",
    "rule add pref 39 nop",
    "rule add pref 40 blackhole",
    "rule add pref 41 unreachable",
    "rule add pref 42 prohibit",
    "rule add pref 43 type blackhole from 198.18.4.0/24",
    "rule add pref 44 nat 198.18.0.9",
    "rule add pref 45 unicast lookup 6",
    "rule add pref 1000 lookup 1000",
    "rule add not fwmark 3 lookup 4",
    "rule add iif v1 lookup 4",
    "rule add pref 0x30 lookup 4",
];

/// The kernel's refusals (a second identical rule, a backward goto, bad ranges, ECN bits
/// in the TOS, a goto without target, rules that do not exist), then deletions by every
/// selector.
const FAIL_AND_DEL4: &[&str] = &[
    "rule add pref 18 fwmark 5",
    "rule add pref 50 goto 10",
    "rule add pref 51 uidrange 200-100",
    "rule add pref 52 ipproto tcp dport 2000-1000",
    "rule add pref 53 tos 0x11",
    "rule add pref 54 local",
    "rule del pref 9999",
    "rule del from 198.18.99.0/24",
    // Deleting by selectors.
    "rule del pref 12",
    "rule del from 198.18.1.0/24",
    "rule del not from 198.18.2.0/24 to 198.18.3.0/24",
    "rule del tos 0x10",
    "rule del fwmark 0x5/0xff",
    "rule del iif nosuch0",
    "rule del uidrange 100-200",
    "rule del ipproto 17 dport 53",
    "rule del tun_id 7",
    "rule del lookup 4000000000",
    "rule del protocol 99",
    "rule del realms 6",
    "rule del goto 40000",
    "rule del blackhole",
    "rule del nop",
];

/// IPv6 rules, and deletions.
const ADD6: &[&str] = &[
    "-6 rule add from 2001:db8::/32 lookup 100",
    "-6 rule add from 2001:db8:1::/48 to 2001:db8:2::/64 tos 0x10 pref 200 lookup 200",
    "-6 rule add not fwmark 7 iif v1 ipproto udp dport 53 lookup 201",
    "-6 rule add uidrange 0-10 sport 1-1024 prohibit",
    "-6 rule add pref 300 to 2001:db8:3::/48 blackhole",
    "-6 rule add pref 301 goto 32766",
    "-6 rule add pref 302 l3mdev protocol static",
    "-6 rule add from all lookup 102",
    "-6 rule add pref 303 suppress_prefixlength 64 lookup main",
    "-6 rule add pref 301 goto 32766",
    "-6 rule add pref 304 realms 5 lookup 5",
];

const DEL6: &[&str] = &[
    "-6 rule del from 2001:db8::/32",
    "-6 rule del pref 300",
    // A family ip and the kernel do not have rules for.
    "-0 rule add pref 200",
];

/// The whole script, in order.
fn script() -> Vec<&'static str> {
    [ADD4, FAIL_AND_DEL4, ADD6, DEL6].concat()
}

fn both_tables(a: &TestNs, b: &TestNs) {
    for args in [
        &["rule", "show"][..],
        &["-6", "rule", "show"],
        &["-d", "rule", "show"],
        &["-d", "-6", "rule", "show"],
    ] {
        assert_same_state(a, b, args);
    }
}

#[test]
fn a_script_leaves_the_rules_ip_leaves() {
    let Some((a, b)) = pair("a_script_leaves_the_rules_ip_leaves") else {
        return;
    };
    for line in script() {
        apply_both(&a, &b, line);
        both_tables(&a, &b);
    }
}

/// `netplumb -batch` (with and without `-force`) of rule lines does what `ip -batch` does.
#[test]
fn batches_of_rules() {
    let Some((a, b)) = pair("batches_of_rules") else {
        return;
    };
    let script: String = script()
        .iter()
        .filter(|l| !l.starts_with('-'))
        .map(|l| format!("{l}\n"))
        .collect();
    let file = std::env::temp_dir().join(format!("netplumb-cli-rule-{}", std::process::id()));
    std::fs::write(&file, script).unwrap();
    let f = file.to_str().unwrap();
    let ip = a.try_ip(&["-force", "-batch", f]);
    let np = netplumb(&b, &["-force", "-batch", f]);
    let _ = std::fs::remove_file(&file);
    assert_eq!(ip.status.success(), np.status.success());
    // Each failed line is reported with its number, as ip does.
    let failed = |err: &[u8]| -> Vec<String> {
        text(err)
            .lines()
            .filter(|l| l.starts_with("Command failed"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(failed(&np.stderr), failed(&ip.stderr));
    both_tables(&a, &b);
}

/// A namespace with rules of every kind, made with `ip`.
fn populated(test: &str) -> Option<TestNs> {
    let t = prepared(test)?;
    for line in ADD4.iter().chain(ADD6) {
        let _ = t.try_ip(&words(line));
    }
    Some(t)
}

/// Every `show` selector, in every output form.
const SHOWS: &[&str] = &[
    "rule",
    "rule list",
    "rule show",
    "-4 rule show",
    "-6 rule show",
    "rule show pref 0",
    "rule show pref 11",
    "rule show order 37",
    "rule show not",
    "rule show from 198.18.1.0/24",
    "rule show from 198.18.0.0/16",
    "rule show from 198.18.1.5",
    "rule show from all",
    "rule show src 198.18.0.0/15",
    "rule show to 198.18.3.0/24",
    "rule show 198.18.1.9",
    "rule show dst 198.18.0.0/8",
    "rule show tos 0x10",
    "rule show dsfield 0x08",
    "rule show fwmark 5",
    "rule show fwmark 5/0xff",
    "rule show fwmark 0",
    "rule show iif v1",
    "rule show dev v1",
    "rule show oif v3",
    "rule show iif nosuch0",
    "rule show l3mdev",
    "rule show uidrange 100-200",
    "rule show ipproto tcp",
    "rule show ipproto 17",
    "rule show sport 80",
    "rule show dport 1000-2000",
    "rule show dport 53",
    "rule show tun_id 7",
    "rule show table 100",
    "rule show lookup main",
    "rule show table 4000000000",
    "rule show protocol static",
    "rule show table 0",
    "-6 rule show from 2001:db8::/32",
    "-6 rule show to 2001:db8:2::/64",
    "-6 rule show not",
    "-6 rule show table 201",
    "-6 rule show l3mdev",
    "-6 rule show pref 301",
];

#[test]
fn show_prints_what_ip_prints() {
    let Some(t) = populated("show_prints_what_ip_prints") else {
        return;
    };
    for line in SHOWS {
        let w = words(line);
        assert_text_like_ip(&t, &w);
        for opts in [&["-d"][..], &["-N"], &["-d", "-N"]] {
            let mut all = opts.to_vec();
            all.extend(&w);
            assert_text_like_ip(&t, &all);
        }
        assert_json_like_ip(&t, &w);
        for opts in [
            &["-j"][..],
            &["-j", "-p"],
            &["-j", "-d"],
            &["-j", "-p", "-d"],
        ] {
            let mut all = opts.to_vec();
            all.extend(&w);
            let got = netplumb(&t, &all);
            let want = t.try_ip(&all);
            assert!(
                got.status.success(),
                "netplumb {all:?}: {}",
                text(&got.stderr)
            );
            assert_eq!(text(&got.stdout), text(&want.stdout), "{all:?}");
        }
    }
    // Bad selectors: ip's messages.
    for (line, first) in [
        (
            "rule show foo",
            "Error: inet prefix is expected rather than \"foo\".",
        ),
        (
            "rule show pref x",
            "Error: argument \"x\" is wrong: preference value is invalid",
        ),
    ] {
        let (code, err) = np_fails(&t, &words(line));
        assert_eq!((code, err.as_str()), (2, first), "{line}");
    }
    // A family without rules: the kernel's refusal, as a failed dump.
    let (code, err) = np_fails(&t, &["-0", "rule", "show"]);
    assert_eq!(
        (code, err.as_str()),
        (2, "Error: Address family not supported by protocol.")
    );
}

#[test]
fn flush_removes_what_ip_flush_removes() {
    let Some(a) = populated("flush_removes_what_ip_flush_removes") else {
        return;
    };
    let Some(b) = populated("flush_removes_what_ip_flush_removes") else {
        return;
    };
    both_tables(&a, &b);
    for line in [
        "rule flush table 100",
        "rule flush pref 11",
        "rule flush fwmark 5",
        "rule flush not",
        "rule flush protocol static",
        "rule flush iif v1",
        "-6 rule flush table 201",
        "-6 rule flush protocol static",
        "rule flush",
        "-6 rule flush",
    ] {
        apply_both(&a, &b, line);
        both_tables(&a, &b);
    }
    // What is left: the local rules, which have priority 0.
    assert_eq!(np_ok(&b, &["rule"]), "0:\tfrom all lookup local\n");
}

/// Runs `prog ARGS` in `t` with `input` on stdin; returns stdout, asserting success.
fn run_piped(prog: &str, t: &TestNs, args: &[&str], input: &[u8]) -> Vec<u8> {
    let mut child = Command::new(prog)
        .arg("-n")
        .arg(t.name())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{prog} {args:?}: {}",
        text(&out.stderr)
    );
    out.stdout
}

/// A saved dump with the sequence and port numbers of its messages zeroed (they name the
/// process that dumped).
fn without_ids(saved: &[u8]) -> Vec<u8> {
    let mut v = saved.to_vec();
    let mut at = 4;
    while at + 16 <= v.len() {
        let len = u32::from_ne_bytes(v[at..at + 4].try_into().unwrap()) as usize;
        v[at + 8..at + 16].fill(0);
        at += (len + 3) & !3;
    }
    v
}

#[test]
fn save_and_restore_interoperate_with_ip() {
    let np = env!("CARGO_BIN_EXE_netplumb");
    let Some(src) = populated("save_and_restore_interoperate_with_ip") else {
        return;
    };
    for family in [&[][..], &["-6"]] {
        let save = [family, &["rule", "save"]].concat();
        let by_ip = run_piped("ip", &src, &save, b"");
        let by_np = run_piped(np, &src, &save, b"");
        // The same messages, as the kernel sent them.
        assert_eq!(without_ids(&by_np), without_ids(&by_ip), "{save:?}");
        assert_eq!(&by_np[..4], &0x7170_6986u32.to_ne_bytes());
        // netplumb's save restored by ip, ip's by netplumb, into fresh namespaces.
        let (x, y) = (
            prepared("save_and_restore_x").unwrap(),
            prepared("save_and_restore_y").unwrap(),
        );
        let restore = [family, &["rule", "restore"]].concat();
        run_piped("ip", &x, &restore, &by_np);
        run_piped(np, &y, &restore, &by_ip);
        let show = [family, &["rule", "show"]].concat();
        assert_same_state(&x, &y, &show);
        assert_eq!(x.ip(&show), y.ip(&show));
        // Restoring again adds what ip adds again (rules without a priority get a new
        // one from the kernel; the others exist and are skipped).
        let z = prepared("save_and_restore_z").unwrap();
        run_piped("ip", &z, &restore, &by_ip);
        run_piped("ip", &z, &restore, &by_ip);
        run_piped(np, &y, &restore, &by_ip);
        assert_eq!(y.ip(&show), z.ip(&show));
    }
    // Refusals: a wrong magic number, a truncated message.
    let out = Command::new(np)
        .args(["-n", src.name(), "rule", "restore"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr).lines().next(),
        Some("Magic mismatch (0 elems, 0 magic)")
    );
    let mut child = Command::new(np)
        .args(["-n", src.name(), "rule", "restore"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut bad = 0x7170_6986u32.to_ne_bytes().to_vec();
    bad.extend_from_slice(&[40, 0, 0, 0, 32, 0]);
    child.stdin.take().unwrap().write_all(&bad).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stderr).trim_end(), "rtnl-from_file: EOF");
}
