//! `netplumb -force -batch` pipelines the write requests of consecutive lines (many per
//! `sendmsg`) and must still behave exactly like `ip -force -batch`, which runs line by
//! line: the same kernel state, the same failing lines with the same messages in line
//! order, exit status 1. Reads (device lookups, shows) see every earlier line's effect.
//! Without `-force` the batch stops at the first failure, as before.
use crate::cli_ipcmp;
use crate::common;

use cli_ipcmp::*;
use common::TestNs;

/// A temporary batch file, removed on drop.
struct TempFile(std::path::PathBuf);

impl TempFile {
    fn new(name: &str, lines: &[String]) -> Self {
        let p =
            std::env::temp_dir().join(format!("netplumb-cli-batch-{}-{name}", std::process::id()));
        std::fs::write(&p, lines.join("\n") + "\n").unwrap();
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

/// The failures a batch reported on stderr, in the order printed: (line number, the
/// message before `Command failed FILE:LINE`, in netplumb's spelling).
fn failures(stderr: &str, file: &str) -> Vec<(usize, String)> {
    let prefix = format!("Command failed {file}:");
    let lines: Vec<&str> = stderr.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if let Some(n) = l.strip_prefix(&prefix) {
            let msg = i
                .checked_sub(1)
                .and_then(|j| lines.get(j))
                .copied()
                .unwrap_or_default();
            out.push((n.parse().unwrap(), ip_error_as_netplumb(msg)));
        }
    }
    out
}

/// Runs `lines` as a batch file with `ip` in `a` and `netplumb` in `b` (with `-force` when
/// `force`), asserts the same exit status class, the same failures in the same order, and
/// returns them.
fn run_both(a: &TestNs, b: &TestNs, name: &str, lines: &[String], force: bool) -> Vec<usize> {
    let file = TempFile::new(name, lines);
    let mut args = vec!["-batch", file.path()];
    if force {
        args.insert(0, "-force");
    }
    let ip = a.try_ip(&args);
    let np = netplumb(b, &args);
    let (ip_err, np_err) = (text(&ip.stderr), text(&np.stderr));
    let ip_f = failures(&ip_err, file.path());
    let np_f = failures(&np_err, file.path());
    assert_eq!(np_f, ip_f, "\n  ip: {ip_err}\n  netplumb: {np_err}");
    assert_eq!(ip.status.success(), np.status.success(), "{np_err}");
    if !ip.status.success() {
        assert_eq!(np.status.code(), Some(1), "{np_err}");
    }
    np_f.into_iter().map(|(n, _)| n).collect()
}

#[test]
fn a_forced_batch_of_2000_route_adds_with_failures_matches_ip() {
    let Some((a, b)) = pair("a_forced_batch_of_2000_route_adds") else {
        return;
    };
    for t in [&a, &b] {
        t.ip(&words("addr add 198.18.0.1/24 dev v1"));
        t.ip(&words("addr add 2001:db8::1/64 dev v1 nodad"));
    }
    let mut lines = Vec::new();
    for i in 0..2000u32 {
        let line = match i {
            // An existing route (EEXIST, no extended ack).
            500 | 1700 => "route add 198.19.0.7/32 dev v1".to_string(),
            // A gateway no route reaches (the kernel's extended ack), right at the
            // queue's size limit.
            999 | 1000 => format!("route add 198.20.{}.0/24 via 198.18.99.1", i % 10),
            // A device that does not exist (found before anything is sent).
            1200 => "route add 198.20.9.0/24 dev nope".to_string(),
            // A route that does not exist.
            1201 => "route del 198.20.8.0/24".to_string(),
            _ if i % 3 == 0 => format!(
                "route add 2001:db8:1:{i:x}::/64 via 2001:db8::{:x}",
                i % 50 + 2
            ),
            _ if i % 3 == 1 => format!("route add 198.19.{}.{}/32 dev v1", i / 256, i % 256),
            _ => format!(
                "route replace 198.19.{}.{}/32 via 198.18.0.{}",
                i / 256 + 10,
                i % 256,
                i % 200 + 2
            ),
        };
        lines.push(line);
    }
    // Deletes of routes added above, by earlier lines of the same batch.
    lines.push("route del 198.19.0.7/32 dev v1".into());
    lines.push("route del 198.19.0.7/32 dev v1".into());
    let failed = run_both(&a, &b, "routes", &lines, true);
    assert_eq!(failed, [501, 1000, 1001, 1201, 1202, 1701, 2002]);
    for table in [
        &["route", "show", "table", "all"][..],
        &["-6", "route", "show", "table", "all"],
    ] {
        assert_same_state(&a, &b, table);
    }
}

#[test]
fn reads_in_a_forced_batch_see_the_earlier_lines() {
    let Some((a, b)) = pair("reads_in_a_forced_batch_see_the_earlier_lines") else {
        return;
    };
    let lines: Vec<String> = [
        "link add np0 type veth peer name np1",
        "addr add 198.18.40.1/24 dev np0",
        // The device is down: the kernel refuses.
        "route add 198.18.41.0/24 dev np0",
        "link set np0 up",
        "link set np1 up",
        "route add 198.18.41.0/24 dev np0",
        "route add 198.18.42.0/24 via 198.18.40.2 dev np0",
        // (No failing `neigh` line: `ip neigh` exits at once when the kernel refuses.)
        "neigh add 198.18.40.2 lladdr 02:00:00:00:00:02 dev np0",
        "neigh add 198.18.40.3 lladdr 02:00:00:00:00:03 dev np0",
        "neigh del 198.18.40.3 dev np0",
        "link add np2 type bridge",
        "addr add 198.18.43.1/24 dev np2",
        "addr add 198.18.43.1/24 dev np2",
        "link del np2",
        // Gone with the previous line.
        "addr add 198.18.44.1/24 dev np2",
        "link del np2",
        "link add np2 type bridge",
        "addr add 198.18.45.1/24 dev np2",
        "link add np3 type veth peer name np4",
        "link del np3",
        "route add 198.18.46.0/24 dev np3",
        "addr del 198.18.40.1/24 dev np0",
        "addr del 198.18.40.1/24 dev np0",
        "route add 198.18.47.0/24 dev np0",
        "link add np5 type bridge",
        "link add np5 type bridge",
        "addr add 2001:db8:5::1/64 dev np5 nodad",
        "neigh replace 2001:db8:5::2 lladdr 02:00:00:00:00:05 dev np5",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let failed = run_both(&a, &b, "mixed", &lines, true);
    assert_eq!(failed, [3, 13, 15, 16, 21, 23, 26]);
    settle(&a);
    settle(&b);
    assert_same_state(&a, &b, &["-d", "link", "show"]);
    assert_same_state(&a, &b, &["addr", "show"]);
    assert_same_state(&a, &b, &["route", "show", "table", "all"]);
    assert_same_state(&a, &b, &["-6", "route", "show", "table", "all"]);
    assert_same_state(&a, &b, &["neigh", "show", "nud", "all"]);
}

#[test]
fn without_force_a_batch_stops_at_the_first_failure() {
    let Some((a, b)) = pair("without_force_a_batch_stops_at_the_first_failure") else {
        return;
    };
    for t in [&a, &b] {
        t.ip(&words("addr add 198.18.0.1/24 dev v1"));
    }
    let lines: Vec<String> = [
        "route add 198.19.1.0/24 dev v1",
        "link add np0 type bridge",
        "route add 198.19.2.0/24 via 198.18.99.1",
        "route add 198.19.3.0/24 dev v1",
        "link add np1 type bridge",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let failed = run_both(&a, &b, "stop", &lines, false);
    assert_eq!(failed, [3]);
    assert_same_state(&a, &b, &["route", "show", "table", "all"]);
    assert_same_state(&a, &b, &["-d", "link", "show"]);
    assert_eq!(
        b.ip_json(&["route", "show", "198.19.3.0/24"]),
        serde_json::json!([])
    );
    // With -force the same file carries on.
    let (c, d) = pair("without_force_a_batch_stops_at_the_first_failure_forced").unwrap();
    for t in [&c, &d] {
        t.ip(&words("addr add 198.18.0.1/24 dev v1"));
    }
    let failed = run_both(&c, &d, "carry", &lines, true);
    assert_eq!(failed, [3]);
    assert_same_state(&c, &d, &["route", "show", "table", "all"]);
    assert_same_state(&c, &d, &["-d", "link", "show"]);
}
