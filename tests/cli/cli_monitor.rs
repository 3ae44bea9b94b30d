//! `netplumb monitor` against the kernel, each test in its own namespace: JSON events for
//! links and addresses (names, new/deleted, fields equal to `ip -j ... show`), text output
//! identical to `ip monitor label` for the same events, the `dev` filter, lost events
//! reported on stderr with monitoring going on, a closed stdout ending it quietly, and
//! errors for what cannot be monitored.
//!
//! The monitors run as child processes; their output is read line by line by a thread and
//! waited for with a bounded wait. Each child is killed by its PID when the test ends.

use crate::common;

use common::TestNs;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// How long any one expected line may take to show up.
const WAIT: Duration = Duration::from_secs(20);

/// A running `netplumb` (or `ip`) with its stdout and stderr lines collected.
struct Running {
    child: Child,
    out: Receiver<String>,
    err: Receiver<String>,
    /// Lines read so far from stdout.
    seen: Vec<String>,
}

impl Running {
    fn spawn(program: &str, args: &[&str]) -> Running {
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {program}: {e}"));
        let out = lines(child.stdout.take().unwrap());
        let err = lines(child.stderr.take().unwrap());
        Running {
            child,
            out,
            err,
            seen: Vec::new(),
        }
    }

    fn netplumb(args: &[&str]) -> Running {
        Running::spawn(env!("CARGO_BIN_EXE_netplumb"), args)
    }

    /// Reads stdout until a line satisfies `pred`; returns that line. Panics (with what was
    /// read) when none comes within [`WAIT`] or the program ends.
    fn wait_for(&mut self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        self.try_wait_for(WAIT, &pred).unwrap_or_else(|| {
            let err: Vec<String> = self.err.try_iter().collect();
            panic!(
                "no line for {what} within {WAIT:?}; stdout:\n{}\nstderr:\n{}",
                self.seen.join("\n"),
                err.join("\n")
            )
        })
    }

    fn try_wait_for(&mut self, limit: Duration, pred: &dyn Fn(&str) -> bool) -> Option<String> {
        let end = Instant::now() + limit;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.out.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if pred(&line) {
                        return Some(line);
                    }
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    /// Waits for a stderr line satisfying `pred` (bounded).
    fn wait_for_err(&mut self, limit: Duration, pred: impl Fn(&str) -> bool) -> Option<String> {
        let end = Instant::now() + limit;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.err.recv_timeout(left) {
                Ok(line) if pred(&line) => return Some(line),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // Child::kill sends SIGKILL to this child's PID only.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn lines(r: impl std::io::Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(r).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn json(line: &str) -> serde_json::Value {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON: {e}: {line}"))
}

/// Makes sure every monitor in `mons` is listening: changes the MTU of a probe link until
/// each has reported the change. Returns the MTU of the change all of them saw.
fn sync(t: &TestNs, mons: &mut [&mut Running], probe: &str) -> u32 {
    if !t.ip_link_names().iter().any(|n| n == probe) {
        t.ip(&[
            "link",
            "add",
            probe,
            "type",
            "veth",
            "peer",
            "name",
            &format!("{probe}p"),
        ]);
    }
    for mtu in 1300..1400 {
        t.ip(&["link", "set", probe, "mtu", &mtu.to_string()]);
        let seen = |l: &str| {
            l.contains(&format!("\"ifname\":\"{probe}\"")) && l.contains(&format!("\"mtu\":{mtu}"))
                || l.contains(&format!(" {probe}@")) && l.contains(&format!("mtu {mtu} "))
        };
        let all = mons
            .iter_mut()
            .all(|m| m.try_wait_for(Duration::from_millis(300), &seen).is_some());
        if all {
            return mtu;
        }
    }
    panic!("the monitors never reported the probe link");
}

#[test]
fn json_events_for_links_and_addresses() {
    let Some(t) = TestNs::new("cli_monitor_json") else {
        return;
    };
    let mut m = Running::netplumb(&["-n", t.name(), "-j", "monitor", "link", "addr"]);
    sync(&t, &mut [&mut m], "probe0");

    t.ip(&["link", "add", "va", "type", "veth", "peer", "name", "vb"]);
    let is = |l: &str, object: &str, name: &str| {
        let v = json(l);
        v["object"] == object && (v["ifname"] == name || v["dev"] == name)
    };
    let va = json(&m.wait_for("va created", |l| is(l, "link", "va")));
    assert!(va.get("deleted").is_none(), "{va}");
    assert_eq!(va["link"], "vb");
    // The kernel announces the peer first: it may have been read already.
    let vb = match m.seen.iter().find(|l| is(l, "link", "vb")) {
        Some(l) => json(l),
        None => json(&m.wait_for("vb created", |l| is(l, "link", "vb"))),
    };
    assert!(vb.get("deleted").is_none(), "{vb}");

    t.ip(&["addr", "add", "198.18.0.1/24", "dev", "va"]);
    let a = json(&m.wait_for("address added", |l| is(l, "address", "va")));
    assert!(a.get("deleted").is_none(), "{a}");
    assert_eq!(
        (&a["family"], &a["local"], &a["prefixlen"]),
        (&"inet".into(), &"198.18.0.1".into(), &24.into())
    );

    // Every field printed equals what ip -j prints for the same object now (nothing changed
    // since: va stays down).
    let shown = t.ip_json(&["addr", "show", "dev", "va"]);
    let info = &shown[0]["addr_info"][0];
    let link = &shown[0];
    assert_eq!(a["index"], link["ifindex"]);
    for (k, v) in a.as_object().unwrap() {
        if ["object", "index", "dev"].contains(&k.as_str()) {
            continue;
        }
        assert_eq!(&info[k], v, "address field {k}: ip says {info}");
    }
    let last_va = m
        .seen
        .iter()
        .rev()
        .map(|l| json(l))
        .find(|v| v["object"] == "link" && v["ifname"] == "va")
        .unwrap();
    for (k, v) in last_va.as_object().unwrap() {
        if k == "object" {
            continue;
        }
        assert_eq!(&link[k], v, "link field {k}: ip says {link}");
    }
    // Only the objects asked for.
    assert!(
        m.seen.iter().all(|l| {
            let o = json(l)["object"].clone();
            o == "link" || o == "address"
        }),
        "{:#?}",
        m.seen
    );

    t.ip(&["link", "del", "va"]);
    let gone = json(&m.wait_for("address removed", |l| {
        is(l, "address", "va") && json(l)["deleted"] == true
    }));
    assert_eq!(gone["deleted"], true, "{gone}");
    assert_eq!(gone["local"], "198.18.0.1");
    let gone = json(&m.wait_for("va deleted", |l| {
        is(l, "link", "va") && json(l)["deleted"] == true
    }));
    assert_eq!(gone["ifindex"], va["ifindex"]);
    m.wait_for("vb deleted", |l| {
        is(l, "link", "vb") && json(l)["deleted"] == true
    });
}

#[test]
fn json_route_and_neighbour_fields_equal_ip_show() {
    let Some(t) = TestNs::new("cli_monitor_json_route") else {
        return;
    };
    t.ip(&["link", "add", "va", "type", "veth", "peer", "name", "vb"]);
    t.ip(&["link", "set", "va", "up"]);
    let mut m = Running::netplumb(&["-n", t.name(), "-j", "monitor", "route", "neigh"]);
    // Listening: neighbour entries show up (probe until one does).
    for i in 10..100 {
        let dst = format!("198.18.7.{i}");
        t.ip(&[
            "neigh",
            "add",
            &dst,
            "lladdr",
            "02:00:00:00:00:01",
            "dev",
            "va",
        ]);
        let want = format!("\"dst\":\"{dst}\"");
        if m.try_wait_for(Duration::from_millis(300), &|l: &str| l.contains(&want))
            .is_some()
        {
            break;
        }
    }
    t.ip(&["addr", "add", "198.18.0.1/24", "dev", "va"]);
    t.ip(&["addr", "add", "2001:db8::1/64", "dev", "va", "nodad"]);
    t.ip(&[
        "route",
        "add",
        "198.18.5.0/24",
        "via",
        "198.18.0.2",
        "metric",
        "7",
    ]);
    t.ip(&["route", "add", "2001:db8:5::/64", "via", "2001:db8::2"]);
    t.ip(&[
        "neigh",
        "add",
        "2001:db8::9",
        "lladdr",
        "02:00:00:00:00:09",
        "dev",
        "va",
        "router",
    ]);
    // The first event for `dst`, read already or still to come.
    let event = |m: &mut Running, object: &str, dst: &str| {
        let is = |l: &str| {
            let v = json(l);
            v["object"] == object && v["dst"] == dst
        };
        match m.seen.iter().find(|l| is(l)) {
            Some(l) => json(l),
            None => json(&m.wait_for(dst, is)),
        }
    };
    let same = |ev: &serde_json::Value, shown: &serde_json::Value| {
        let shown = &shown[0];
        for (k, v) in ev.as_object().unwrap() {
            if k != "object" {
                assert_eq!(&shown[k], v, "field {k}: netplumb {ev}, ip {shown}");
            }
        }
    };
    let r4 = event(&mut m, "route", "198.18.5.0/24");
    same(&r4, &t.ip_json(&["route", "show", "198.18.5.0/24"]));
    assert_eq!(r4["metric"], 7);
    let r6 = event(&mut m, "route", "2001:db8:5::/64");
    same(&r6, &t.ip_json(&["-6", "route", "show", "2001:db8:5::/64"]));
    assert_eq!(r6["pref"], "medium");
    let local = event(&mut m, "route", "198.18.0.1");
    same(
        &local,
        &t.ip_json(&["route", "show", "table", "all", "198.18.0.1"]),
    );
    assert_eq!(local["table"], "local");
    let n6 = event(&mut m, "neigh", "2001:db8::9");
    same(&n6, &t.ip_json(&["-6", "neigh", "show", "2001:db8::9"]));
    assert!(n6["router"].is_null() && n6.get("router").is_some(), "{n6}");

    t.ip(&["route", "del", "198.18.5.0/24"]);
    let del = m.wait_for("route removed", |l| {
        let v = json(l);
        v["dst"] == "198.18.5.0/24" && v["deleted"] == true
    });
    assert_eq!(json(&del)["gateway"], "198.18.0.2");
}

#[test]
fn text_output_matches_ip_monitor() {
    let Some(t) = TestNs::new("cli_monitor_text") else {
        return;
    };
    let words = ["monitor", "label", "link", "address", "route", "neigh"];
    let mut args = vec!["-n", t.name()];
    args.extend(words);
    let mut ours = Running::netplumb(&args);
    let mut ip = Running::spawn("ip", &args);
    let start = sync(&t, &mut [&mut ours, &mut ip], "probe0");

    t.ip(&["link", "add", "va", "type", "veth", "peer", "name", "vb"]);
    t.ip(&["link", "set", "va", "up"]);
    t.ip(&["addr", "add", "198.18.0.1/24", "dev", "va"]);
    t.ip(&["route", "add", "198.18.5.0/24", "via", "198.18.0.2"]);
    t.ip(&[
        "neigh",
        "add",
        "198.18.0.9",
        "lladdr",
        "02:00:00:00:00:09",
        "dev",
        "va",
    ]);
    t.ip(&["link", "del", "va"]);
    t.ip(&["link", "set", "probe0", "mtu", "1280"]);
    let end = |l: &str| l.contains(" probe0@") && l.contains("mtu 1280 ");
    ours.wait_for("the last event", end);
    ip.wait_for("the last event (ip)", end);

    // The records between the two probe changes, trailing blanks dropped (ip leaves one).
    let between = |seen: &[String]| -> Vec<String> {
        let from = seen
            .iter()
            .position(|l| l.contains(" probe0@") && l.contains(&format!("mtu {start} ")))
            .unwrap();
        let to = seen.iter().position(|l| end(l)).unwrap();
        seen[from + 2..to]
            .iter()
            .map(|l| l.trim_end().to_string())
            .collect()
    };
    let (a, b) = (between(&ours.seen), between(&ip.seen));
    assert!(a.iter().any(|l| l.starts_with("[LINK]Deleted ")), "{a:#?}");
    assert!(a.iter().any(|l| l.starts_with("[ADDR]")), "{a:#?}");
    assert!(
        a.iter()
            .any(|l| l.starts_with("[ROUTE]198.18.5.0/24 via 198.18.0.2 dev va")),
        "{a:#?}"
    );
    assert!(
        a.iter()
            .any(|l| l == "[NEIGH]198.18.0.9 dev va lladdr 02:00:00:00:00:09 PERMANENT"),
        "{a:#?}"
    );
    assert_eq!(a, b, "netplumb (left) and ip monitor (right) differ");
}

/// `monitor nsid`: ids given and gone, named as `ip monitor` names them (the name of a
/// namespace deleted since the monitor started still comes from its start-up map), the
/// same text as `ip monitor label nsid`, and the JSON fields of `print_nsid`.
#[test]
fn nsid_events_print_what_ip_monitor_prints() {
    let Some(t) = TestNs::new("nsid_events_print_what_ip_monitor_prints") else {
        return;
    };
    let (b, c, d) = (
        TestNs::new("nsid-b").unwrap(),
        TestNs::new("nsid-c").unwrap(),
        TestNs::new("nsid-d").unwrap(),
    );
    // d has its id before the monitors start.
    t.ip(&["netns", "set", d.name(), "9"]);
    let words = ["monitor", "label", "link", "nsid"];
    let mut args = vec!["-n", t.name()];
    args.extend(words);
    let mut ours = Running::netplumb(&args);
    let mut ip = Running::spawn("ip", &args);
    let mut jargs = vec!["-n", t.name(), "-j"];
    jargs.extend(["monitor", "link", "nsid"]);
    let mut js = Running::netplumb(&jargs);
    sync(&t, &mut [&mut ours, &mut ip, &mut js], "probe0");

    t.ip(&["netns", "set", b.name(), "5"]);
    t.ip(&["netns", "set", c.name(), "auto"]);
    let (b_name, d_name) = (b.name().to_string(), d.name().to_string());
    drop(b);
    drop(d);
    // The kernel destroys namespaces asynchronously, in an order of its own: wait for both
    // removals in each monitor (they all see the kernel's events in the same order).
    for m in [&mut ours, &mut ip] {
        for id in [5, 9] {
            let line = format!("Deleted nsid {id} ");
            if !m.seen.iter().any(|l| l.contains(&line)) {
                m.wait_for("a removal", |l: &str| l.contains(&line));
            }
        }
    }
    for id in [5, 9] {
        let line = format!("\"deleted\":true,\"nsid\":{id}");
        if !js.seen.iter().any(|l| l.contains(&line)) {
            js.wait_for("a removal (JSON)", |l: &str| l.contains(&line));
        }
    }
    let nsid_lines = |seen: &[String]| -> Vec<String> {
        seen.iter()
            .filter(|l| l.starts_with("[NSID]"))
            .map(|l| l.trim_end().to_string())
            .collect()
    };
    let (a, want) = (nsid_lines(&ours.seen), nsid_lines(&ip.seen));
    let mut sorted = a.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            format!("[NSID]Deleted nsid 5 (iproute2 netns name: {b_name})"),
            format!("[NSID]Deleted nsid 9 (iproute2 netns name: {d_name})"),
            format!("[NSID]nsid 0 (iproute2 netns name: {})", c.name()),
            format!("[NSID]nsid 5 (iproute2 netns name: {b_name})"),
        ]
    );
    assert_eq!(a, want, "netplumb (left) and ip monitor (right) differ");
    let objects: Vec<serde_json::Value> = js
        .seen
        .iter()
        .map(|l| json(l))
        .filter(|v| v["object"] == "nsid")
        .collect();
    assert_eq!(objects.len(), 4, "{objects:#?}");
    for want in [
        serde_json::json!({"object": "nsid", "nsid": 5, "name": b_name}),
        serde_json::json!({"object": "nsid", "nsid": 0, "name": c.name()}),
        serde_json::json!({"object": "nsid", "deleted": true, "nsid": 5, "name": b_name}),
        serde_json::json!({"object": "nsid", "deleted": true, "nsid": 9, "name": d_name}),
    ] {
        assert!(objects.contains(&want), "{want} not in {objects:#?}");
    }
}

#[test]
fn dev_filter_and_closed_stdout() {
    let Some(t) = TestNs::new("cli_monitor_dev") else {
        return;
    };
    t.ip(&["link", "add", "va", "type", "veth", "peer", "name", "vb"]);
    let mut m = Running::netplumb(&["-n", t.name(), "-j", "monitor", "dev", "va"]);
    // Listening: changes to va show up (probe with va itself).
    for mtu in 1300..1400 {
        t.ip(&["link", "set", "va", "mtu", &mtu.to_string()]);
        let want = format!("\"mtu\":{mtu}");
        if m.try_wait_for(Duration::from_millis(300), &|l: &str| l.contains(&want))
            .is_some()
        {
            break;
        }
    }
    // A change to vb, then one to va: when va's arrives, vb's has been passed over.
    t.ip(&["link", "set", "vb", "mtu", "1280"]);
    t.ip(&["addr", "add", "198.18.1.1/24", "dev", "vb"]);
    t.ip(&["link", "set", "va", "mtu", "1290"]);
    m.wait_for("va at 1290", |l| l.contains("\"mtu\":1290"));
    assert!(
        m.seen.iter().all(|l| {
            let v = json(l);
            v["ifname"] == "va" || v["dev"] == "va"
        }),
        "{:#?}",
        m.seen
    );

    // Standard output closed: the next event ends the monitor quietly, with status 0.
    let mut child = Command::new(env!("CARGO_BIN_EXE_netplumb"))
        .args(["-n", t.name(), "monitor", "link"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let stderr = child.stderr.take().unwrap();
    let mut first = String::new();
    let mut status = None;
    let deadline = Instant::now() + WAIT;
    let mut mtu = 1300;
    // Until the monitor prints, it may not be listening yet: keep changing va.
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let _ = out.read_line(&mut first);
        let _ = tx.send(first);
        // `out` is dropped here: the pipe's read end closes.
    });
    let got = loop {
        t.ip(&["link", "set", "va", "mtu", &mtu.to_string()]);
        mtu += 1;
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(300)) {
            break line;
        }
        assert!(Instant::now() < deadline, "the monitor printed nothing");
    };
    assert!(got.contains("va@vb"), "{got}");
    while Instant::now() < deadline {
        t.ip(&["link", "set", "va", "mtu", &mtu.to_string()]);
        mtu += 1;
        if let Some(s) = child.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let Some(status) = status else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("monitor kept running after its stdout was closed");
    };
    let mut err = String::new();
    let _ = std::io::Read::read_to_string(&mut BufReader::new(stderr), &mut err);
    assert_eq!(status.code(), Some(0), "{status:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn lost_events_are_reported_and_monitoring_goes_on() {
    let Some(t) = TestNs::new("cli_monitor_overrun") else {
        return;
    };
    // The smallest receive buffer the kernel allows: a burst of link events overruns it.
    let mut m = Running::netplumb(&["-rc", "1", "-n", t.name(), "-j", "monitor", "link"]);
    sync(&t, &mut [&mut m], "probe0");
    let batch = std::env::temp_dir().join(format!("netplumb-monitor-{}", t.name()));
    let add: String = (0..40)
        .map(|i| format!("link add b{i} type veth peer name c{i}\n"))
        .collect();
    let del: String = (0..40).map(|i| format!("link del b{i}\n")).collect();
    let mut reported = None;
    for _ in 0..10 {
        std::fs::write(&batch, &add).unwrap();
        t.ip(&["-batch", batch.to_str().unwrap()]);
        std::fs::write(&batch, &del).unwrap();
        t.ip(&["-batch", batch.to_str().unwrap()]);
        reported = m.wait_for_err(Duration::from_secs(2), |l| l.contains("events were lost"));
        if reported.is_some() {
            break;
        }
    }
    let _ = std::fs::remove_file(&batch);
    assert_eq!(
        reported.as_deref(),
        Some("netplumb: events were lost (receive queue overrun); re-dump to resynchronise")
    );
    // Still monitoring: a new link is reported (retried: events arriving while the queue is
    // drained are part of the loss).
    let mut seen = false;
    for i in 0..20 {
        let name = format!("after{i}");
        t.ip(&[
            "link",
            "add",
            &name,
            "type",
            "veth",
            "peer",
            "name",
            &format!("p{name}"),
        ]);
        let want = format!("\"ifname\":\"{name}\"");
        if m.try_wait_for(Duration::from_secs(1), &|l: &str| l.contains(&want))
            .is_some()
        {
            seen = true;
            break;
        }
    }
    assert!(seen, "no event after the overrun: {:#?}", m.seen);
    assert!(m.child.try_wait().unwrap().is_none(), "the monitor ended");
}

#[test]
fn what_cannot_be_monitored_is_an_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_netplumb"))
        .args(["-n", "np-no-such-namespace-here", "monitor"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .starts_with("Cannot open network namespace \"np-no-such-namespace-here\""),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let Some(t) = TestNs::new("cli_monitor_errors") else {
        return;
    };
    for (args, want) in [
        (&["monitor", "dev", "nosuch0"][..], "Error: "),
        (
            &["monitor", "all-nsid"],
            "Error: \"all-nsid\" is not supported",
        ),
    ] {
        let mut all = vec!["-n", t.name()];
        all.extend(args);
        let out = Command::new(env!("CARGO_BIN_EXE_netplumb"))
            .args(&all)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.starts_with(want), "{args:?}: {err}");
    }
}

#[test]
fn saved_events_are_replayed_from_a_file() {
    // No kernel: `file FILE` prints the messages of a capture (here the golden fixtures).
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_netplumb"))
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let links = dir.join("link/dump-1.hex");
    let out = run(&["-j", "monitor", "file", links.to_str().unwrap()]);
    let names: Vec<String> = out
        .lines()
        .map(|l| json(l)["ifname"].as_str().unwrap().to_string())
        .collect();
    assert!(names.contains(&"lo".to_string()), "{out}");
    // Only the objects asked for.
    let out = run(&["monitor", "route", "file", links.to_str().unwrap()]);
    assert_eq!(out, "");
    let routes = dir.join("route/dump_inet.hex");
    let out = run(&[
        "monitor",
        "label",
        "route",
        "file",
        routes.to_str().unwrap(),
    ]);
    // Every record is labelled; a multipath route continues on `\tnexthop` lines.
    assert!(
        !out.is_empty()
            && out
                .lines()
                .all(|l| l.starts_with("[ROUTE]") || l.starts_with("\tnexthop ")),
        "{out}"
    );
    let neigh = dir.join("neigh/dump_inet.hex");
    let out = run(&["-j", "monitor", "file", neigh.to_str().unwrap()]);
    for l in out.lines() {
        let v = json(l);
        assert_eq!(v["object"], "neigh");
        assert!(v["dst"].is_string() && v["state"].is_array(), "{v}");
    }
    // Rules print as `ip monitor rule` prints them; JSON objects carry ip's members.
    let rules = dir.join("rule/dump_inet.hex");
    // Only the objects asked for; rules are among everything, as in ip.
    assert_eq!(
        run(&["monitor", "link", "file", rules.to_str().unwrap()]),
        ""
    );
    assert_eq!(
        run(&["monitor", "file", rules.to_str().unwrap()]),
        run(&["monitor", "rule", "file", rules.to_str().unwrap()])
    );
    let out = run(&["monitor", "rule", "file", rules.to_str().unwrap()]);
    assert!(out.starts_with("0:\tfrom all lookup local\n"), "{out}");
    let out = run(&["-j", "monitor", "rule", "file", rules.to_str().unwrap()]);
    let first = json(out.lines().next().unwrap());
    assert_eq!(
        first,
        serde_json::json!({"object": "rule", "priority": 0, "src": "all", "table": "local"})
    );
}

/// Converts an annotated hex fixture to the raw bytes `ip monitor file` reads.
fn fixture_file(name: &str) -> tempfile_path::TempPath {
    let bytes = common::golden::fixture(name);
    let path = std::env::temp_dir().join(format!(
        "netplumb-monitor-{}-{}",
        std::process::id(),
        name.replace('/', "-")
    ));
    std::fs::write(&path, bytes).unwrap();
    tempfile_path::TempPath(path)
}

mod tempfile_path {
    /// A file removed when dropped.
    pub struct TempPath(pub std::path::PathBuf);
    impl Drop for TempPath {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

/// `ip ARGS` and `netplumb ARGS`, no namespace: their stdout (trailing blanks dropped, which
/// ip leaves and netplumb's monitor does not), stderr and status must be the same.
fn same_as_ip(args: &[&str]) {
    let ip = Command::new("ip")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let np = Command::new(env!("CARGO_BIN_EXE_netplumb"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let trim = |b: &[u8]| -> String {
        String::from_utf8_lossy(b)
            .lines()
            .map(|l| format!("{}\n", l.trim_end()))
            .collect()
    };
    assert_eq!(np.status.code(), ip.status.code(), "{args:?}");
    assert_eq!(trim(&np.stdout), trim(&ip.stdout), "{args:?}");
    assert_eq!(
        String::from_utf8_lossy(&np.stderr),
        String::from_utf8_lossy(&ip.stderr),
        "{args:?}"
    );
}

/// Saved rule and link messages (the golden fixtures) print as `ip monitor file` prints
/// them, with and without `-d` and `-N`; among them the message of iproute2's
/// `show_dev_wo_vf_rate.t`, a device with two VFs and no `IFLA_VF_RATE`.
#[test]
fn saved_rules_and_vfs_print_as_ip_prints_them() {
    for name in [
        "rule/dump_inet.hex",
        "rule/dump_inet6.hex",
        "rule/request_add_selectors.hex",
        "rule/request_add_flow.hex",
        "rule/request_add_goto.hex",
        "rule/request_del_from.hex",
        "link/show_dev_wo_vf_rate.hex",
    ] {
        let f = fixture_file(name);
        let path = f.0.to_str().unwrap();
        for opts in [&[][..], &["-d"], &["-N"], &["-d", "-s"]] {
            let mut args = opts.to_vec();
            // ip prints every message of a file, whatever objects are named.
            args.extend(["monitor", "link", "rule", "file", path]);
            same_as_ip(&args);
        }
    }
    let f = fixture_file("link/show_dev_wo_vf_rate.hex");
    let out = Command::new(env!("CARGO_BIN_EXE_netplumb"))
        .args(["-d", "monitor", "file", f.0.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.ends_with(
            "    vf 0     link/ether 00:26:6c:ff:b5:c0, spoof checking on, link-state auto\n    \
             vf 1     link/ether 00:26:6c:ff:b5:c0, spoof checking on, link-state auto\n"
        ),
        "{text}"
    );
}

/// `monitor rule`: rules added and deleted, both families, print as `ip monitor label rule`
/// prints them; `-j` objects carry `ip -j rule show`'s members.
#[test]
fn rule_events_print_what_ip_monitor_prints() {
    let Some(t) = TestNs::new("rule_events_print_what_ip_monitor_prints") else {
        return;
    };
    let mut args = vec!["-n", t.name()];
    args.extend(["monitor", "label", "link", "rule"]);
    let mut ours = Running::netplumb(&args);
    let mut ip = Running::spawn("ip", &args);
    let mut jargs = vec!["-n", t.name(), "-j"];
    jargs.extend(["monitor", "link", "rule"]);
    let mut js = Running::netplumb(&jargs);
    sync(&t, &mut [&mut ours, &mut ip, &mut js], "probe0");
    for line in [
        "rule add from 198.18.1.0/24 lookup 100 pref 10",
        "rule add not fwmark 0x5/0xff iif probe0 ipproto tcp dport 80 lookup 7 pref 11",
        "rule add pref 12 goto 40000",
        "rule add pref 13 prohibit protocol static",
        "-6 rule add from 2001:db8::/32 tos 0x10 lookup 200 pref 20",
        "rule del pref 11",
        "-6 rule del pref 20",
    ] {
        t.ip(&line.split_whitespace().collect::<Vec<_>>());
    }
    t.ip(&["link", "set", "probe0", "mtu", "1280"]);
    let end = |l: &str| l.contains(" probe0@") && l.contains("mtu 1280 ");
    ours.wait_for("the last event", end);
    ip.wait_for("the last event (ip)", end);
    js.wait_for("the last event (JSON)", |l: &str| {
        l.contains("\"mtu\":1280")
    });
    let rule_lines = |seen: &[String]| -> Vec<String> {
        seen.iter()
            .filter(|l| l.starts_with("[RULE]"))
            .map(|l| l.trim_end().to_string())
            .collect()
    };
    let (a, want) = (rule_lines(&ours.seen), rule_lines(&ip.seen));
    assert_eq!(
        a,
        [
            "[RULE]10:\tfrom 198.18.1.0/24 lookup 100",
            "[RULE]11:\tnot from all fwmark 0x5/0xff iif probe0 ipproto tcp dport 80 lookup 7",
            "[RULE]12:\tfrom all goto 40000 [unresolved]",
            "[RULE]13:\tfrom all prohibit proto static",
            "[RULE]20:\tfrom 2001:db8::/32 tos 0x10 lookup 200",
            "[RULE]Deleted 11:\tnot from all fwmark 0x5/0xff iif probe0 ipproto tcp dport 80 lookup 7",
            "[RULE]Deleted 20:\tfrom 2001:db8::/32 tos 0x10 lookup 200",
        ]
    );
    assert_eq!(a, want, "netplumb (left) and ip monitor (right) differ");
    let objects: Vec<serde_json::Value> = js
        .seen
        .iter()
        .map(|l| json(l))
        .filter(|v| v["object"] == "rule")
        .collect();
    assert_eq!(
        objects[0],
        serde_json::json!({"object": "rule", "priority": 10, "src": "198.18.1.0",
            "srclen": 24, "table": "100"})
    );
    assert_eq!(
        objects.last().unwrap(),
        &serde_json::json!({"object": "rule", "deleted": true, "priority": 20,
            "src": "2001:db8::", "srclen": 32, "tos": "0x10", "table": "200"})
    );
    assert_eq!(objects.len(), 7);
}

/// A device whose VFs carry every attribute `ip` prints (VLAN lists with 802.1ad, rates,
/// trust, RSS query, InfoBand GUIDs, broadcast addresses, counters), built with the
/// library's codec: `netplumb -d [-s] monitor file` prints what `ip` prints for it, and
/// warns as `ip` does when there are fewer VFs in the list than `IFLA_NUM_VF` says.
#[test]
fn vfs_with_every_attribute_print_as_ip_prints_them() {
    use netplumb::link::IfFlags;
    use netplumb::wire::Emit;
    use netplumb::wire::link::*;
    let vf = |i: u32, extra: Vec<VfAttr>| {
        let mut attrs = vec![
            VfAttr::Mac(VfMac::new(i, [2, 0, 0, 0, 0, 0x10 + i as u8])),
            VfAttr::Vlan(VfVlan {
                vf: i,
                vlan: 5 * i,
                qos: i,
            }),
            VfAttr::TxRate(VfTxRate {
                vf: i,
                rate: 100 * i,
            }),
            VfAttr::SpoofChk(VfSetting {
                vf: i,
                setting: i % 2,
            }),
            VfAttr::LinkState(VfSetting { vf: i, setting: i }),
            VfAttr::Rate(VfRate {
                vf: i,
                min_tx_rate: 10 * i,
                max_tx_rate: 100 * i,
            }),
            VfAttr::Trust(VfSetting {
                vf: i,
                setting: if i == 2 { u32::MAX } else { i % 2 },
            }),
            VfAttr::RssQueryEn(VfSetting { vf: i, setting: 1 }),
        ];
        attrs.extend(extra);
        VfEntry::Info(attrs)
    };
    let stats = VfAttr::Stats(vec![
        VfStat::RxPackets(1),
        VfStat::TxPackets(2),
        VfStat::RxBytes(3000),
        VfStat::TxBytes(4000),
        VfStat::Broadcast(5),
        VfStat::Multicast(6),
        VfStat::RxDropped(7),
        VfStat::TxDropped(8),
    ]);
    let list = |n: usize| {
        VfInfoList(
            vec![
                vf(0, vec![]),
                vf(
                    1,
                    vec![
                        VfAttr::VlanList(vec![VfVlanEntry::Info(VfVlanInfo {
                            vf: 1,
                            vlan: 7,
                            qos: 3,
                            protocol: 0x88a8,
                        })]),
                        VfAttr::Broadcast([0xff; 32]),
                        stats.clone(),
                    ],
                ),
                vf(
                    2,
                    vec![
                        VfAttr::IbNodeGuid(VfGuid {
                            vf: 2,
                            guid: 0x0102_0304_0506_0708,
                        }),
                        VfAttr::IbPortGuid(VfGuid {
                            vf: 2,
                            guid: 0x1112_1314_1516_1718,
                        }),
                    ],
                ),
            ]
            .into_iter()
            .take(n)
            .collect(),
        )
    };
    let mut bytes = Vec::new();
    for (index, name, n) in [(3, "pf0", 3), (4, "pf1", 2)] {
        let mut m = LinkMessage::new(index)
            .with(LinkAttr::IfName(name.into()))
            .with(LinkAttr::Mtu(1500))
            .with(LinkAttr::Address(vec![2, 0, 0, 0, 0, 1]))
            .with(LinkAttr::NumVf(3))
            .with(LinkAttr::VfInfoList(list(n)));
        m.header.link_layer_type = 1;
        m.header.flags = IfFlags::UP | IfFlags::BROADCAST;
        let payload = m.to_vec().unwrap();
        bytes.extend_from_slice(&(16 + payload.len() as u32).to_ne_bytes());
        bytes.extend_from_slice(&16u16.to_ne_bytes());
        bytes.extend_from_slice(&[0; 10]);
        bytes.extend_from_slice(&payload);
    }
    let path = std::env::temp_dir().join(format!("netplumb-vfs-{}", std::process::id()));
    std::fs::write(&path, &bytes).unwrap();
    let f = tempfile_path::TempPath(path);
    let p = f.0.to_str().unwrap();
    for opts in [&["-d"][..], &["-d", "-s"], &["-d", "-N"]] {
        let mut args = opts.to_vec();
        args.extend(["monitor", "file", p]);
        same_as_ip(&args);
    }
    let out = Command::new(env!("CARGO_BIN_EXE_netplumb"))
        .args(["-d", "-s", "monitor", "file", p])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "    vf 1     link/ether 02:00:00:00:00:11 brd ff:ff:ff:ff:ff:ff, vlan 7, qos 3, \
             vlan protocol 802.1ad, tx rate 100 (Mbps), max_tx_rate 100Mbps, min_tx_rate \
             10Mbps, spoof checking on, link-state enable, trust on, query_rss on\n"
        ),
        "{text}"
    );
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "Truncated VF list: pf1\n"
    );
    // The JSON members of print_vfinfo.
    let out = Command::new(env!("CARGO_BIN_EXE_netplumb"))
        .args(["-d", "-s", "-j", "monitor", "file", p])
        .output()
        .unwrap();
    let first = json(
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    );
    assert_eq!(
        first["vfinfo_list"][1],
        serde_json::json!({
            "vf": 1, "link_type": "ether", "address": "02:00:00:00:00:11",
            "broadcast": "ff:ff:ff:ff:ff:ff",
            "vlan_list": [{"vlan": 7, "qos": 3, "protocol": "802.1ad"}],
            "tx_rate": 100, "rate": {"max_tx": 100, "min_tx": 10}, "spoofchk": true,
            "link_state": "enable", "trust": true, "query_rss_en": true,
            "stats": {"rx": {"bytes": 3000, "packets": 1, "multicast": 6, "broadcast": 5,
                "dropped": 7}, "tx": {"tx_bytes": 4000, "tx_packets": 2, "dropped": 8}}
        })
    );
    assert_eq!(
        first["vfinfo_list"][2]["node guid"],
        "01:02:03:04:05:06:07:08"
    );
    assert!(first["vfinfo_list"][2].get("trust").is_none());
}

/// Links moving to other namespaces (`new-netns NAME` / `new-netnsid ID`, `new-ifindex`) and
/// their peers left behind (`link-netns` / `link-netnsid`): as `ip monitor`, the names are
/// those of the namespaces that had an id when the monitor started.
#[test]
fn namespace_moves_print_what_ip_monitor_prints() {
    let Some(t) = TestNs::new("namespace_moves_print_what_ip_monitor_prints") else {
        return;
    };
    let (late, early) = (
        TestNs::new("moves-late").unwrap(),
        TestNs::new("moves-early").unwrap(),
    );
    t.ip(&["netns", "set", early.name(), "7"]);
    t.ip(&["link", "add", "va", "type", "veth", "peer", "name", "vb"]);
    t.ip(&["link", "add", "vc", "type", "veth", "peer", "name", "vd"]);
    let mut args = vec!["-n", t.name()];
    args.extend(["monitor", "label", "link"]);
    let mut ours = Running::netplumb(&args);
    let mut ip = Running::spawn("ip", &args);
    sync(&t, &mut [&mut ours, &mut ip], "probe0");
    t.ip(&["link", "set", "vb", "netns", late.name()]);
    t.ip(&["link", "set", "vd", "netns", early.name()]);
    t.ip(&["link", "set", "va", "mtu", "1400"]);
    t.ip(&["link", "set", "vc", "mtu", "1400"]);
    t.ip(&["link", "set", "probe0", "mtu", "1280"]);
    let end = |l: &str| l.contains(" probe0@") && l.contains("mtu 1280 ");
    ours.wait_for("the last event", end);
    ip.wait_for("the last event (ip)", end);
    let moves = |seen: &[String]| -> Vec<String> {
        seen.iter()
            .filter(|l| l.contains("netns") || l.contains("netnsid"))
            .map(|l| l.trim_end().to_string())
            .collect()
    };
    let (a, want) = (moves(&ours.seen), moves(&ip.seen));
    assert!(
        a.iter()
            .any(|l| l.contains(&format!(" new-netns {} new-ifindex ", early.name()))),
        "{a:#?}"
    );
    assert!(a.iter().any(|l| l.contains(" new-netnsid ")), "{a:#?}");
    assert!(a.iter().any(|l| l.ends_with(" link-netnsid 0")), "{a:#?}");
    assert_eq!(a, want, "netplumb (left) and ip monitor (right) differ");
}

/// Links with XDP programs attached in each mode print as `ip [-d] monitor file` prints
/// them (the program ids are ones no program has, so `ip` too prints the ids alone).
#[test]
fn xdp_programs_print_as_ip_prints_them() {
    use netplumb::link::IfFlags;
    use netplumb::wire::Emit;
    use netplumb::wire::link::*;
    let id = 4_000_000_000u32;
    let mut bytes = Vec::new();
    for (index, xdp) in [
        (3, vec![XdpAttr::Attached(1), XdpAttr::ProgId(id)]),
        (4, vec![XdpAttr::Attached(2), XdpAttr::ProgId(id + 1)]),
        (5, vec![XdpAttr::Attached(3), XdpAttr::ProgId(id + 2)]),
        (
            6,
            vec![
                XdpAttr::Attached(4),
                XdpAttr::SkbProgId(id + 3),
                XdpAttr::DrvProgId(id + 4),
                XdpAttr::HwProgId(id + 5),
            ],
        ),
        (7, vec![XdpAttr::Attached(0)]),
    ] {
        let mut m = LinkMessage::new(index)
            .with(LinkAttr::IfName(format!("x{index}")))
            .with(LinkAttr::Mtu(1500))
            .with(LinkAttr::Xdp(Xdp(xdp)))
            .with(LinkAttr::IfAlias("an alias".into()));
        m.header.link_layer_type = 1;
        m.header.flags = IfFlags::UP;
        let payload = m.to_vec().unwrap();
        bytes.extend_from_slice(&(16 + payload.len() as u32).to_ne_bytes());
        bytes.extend_from_slice(&16u16.to_ne_bytes());
        bytes.extend_from_slice(&[0; 10]);
        bytes.extend_from_slice(&payload);
    }
    let path = std::env::temp_dir().join(format!("netplumb-xdp-{}", std::process::id()));
    std::fs::write(&path, &bytes).unwrap();
    let f = tempfile_path::TempPath(path);
    let p = f.0.to_str().unwrap();
    for opts in [&[][..], &["-d"]] {
        let mut args = opts.to_vec();
        args.extend(["monitor", "file", p]);
        same_as_ip(&args);
    }
    let out = Command::new(env!("CARGO_BIN_EXE_netplumb"))
        .args(["-d", "monitor", "file", p])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    // (The monitor drops the blank ip leaves at the end of a line.)
    assert!(
        text.contains("mtu 1500 xdpgeneric/id:4000000001\n"),
        "{text}"
    );
    assert!(text.contains("mtu 1500 xdpmulti\n"), "{text}");
    assert!(
        text.contains("\n    prog/xdpoffload id 4000000005\n"),
        "{text}"
    );
}
