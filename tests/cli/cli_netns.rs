//! The `netplumb` binary's `netns` commands against iproute2 6.1's `ip netns`: add, delete,
//! list (text and JSON, with namespace ids), list-id, identify, pids and exec (the command
//! runs inside the namespace and netplumb exits with its status). Only namespaces made by
//! these tests are created, looked at or removed.

use crate::common;
use common::TestNs;
use netplumb::NetNs;
use serde_json::Value;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

fn netplumb(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_netplumb"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run netplumb")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ip(args: &[&str]) -> Output {
    Command::new("ip").args(args).output().expect("run ip")
}

/// A namespace name for netplumb to create, deleted on drop whatever happened.
struct Name(String);

impl Name {
    fn new() -> Name {
        static N: AtomicUsize = AtomicUsize::new(0);
        Name(format!(
            "np-clins-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ))
    }
}

impl Drop for Name {
    fn drop(&mut self) {
        let _ = NetNs::delete(&self.0);
    }
}

/// The lines of a `netns list` output that name one of `mine`.
fn mine(out: &str, mine: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = out
        .lines()
        .filter(|l| mine.contains(&l.split(' ').next().unwrap_or("")))
        .map(str::to_string)
        .collect();
    v.sort();
    v
}

/// The entries of a `-j netns list` output that name one of `mine`.
fn mine_json(out: &[u8], mine: &[&str]) -> Vec<Value> {
    let v: Value = serde_json::from_slice(out).expect("JSON");
    let mut v: Vec<Value> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| mine.contains(&o["name"].as_str().unwrap_or("")))
        .cloned()
        .collect();
    v.sort_by_key(|o| o["name"].as_str().unwrap_or("").to_string());
    v
}

#[test]
fn add_list_delete_like_ip() {
    if !common::require_privilege("add_list_delete_like_ip") {
        return;
    }
    let (a, b) = (Name::new(), Name::new());
    let out = netplumb(&["netns", "add", &a.0]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(ip(&["netns", "add", &b.0]).status.success());
    // ip sees netplumb's namespace as a usable one, and the other way round.
    assert!(ip(&["-n", &a.0, "link", "show", "lo"]).status.success());
    let lo = netplumb(&["-n", &b.0, "-j", "link", "show", "lo"]);
    assert!(lo.status.success(), "{}", text(&lo.stderr));
    // A peer across gives b an id in a.
    let veth = ip(&[
        "-n", &a.0, "link", "add", "v0", "type", "veth", "peer", "name", "v1", "netns", &b.0,
    ]);
    assert!(veth.status.success());
    let names = [a.0.as_str(), b.0.as_str()];
    for global in [&[][..], &["-n", &a.0]] {
        let mut args: Vec<&str> = global.to_vec();
        args.extend(["netns", "list"]);
        let ours = netplumb(&args);
        let theirs = ip(&args);
        assert!(ours.status.success());
        assert_eq!(
            mine(&text(&ours.stdout), &names),
            mine(&text(&theirs.stdout), &names),
            "{args:?}"
        );
        args.insert(0, "-j");
        let ours = netplumb(&args);
        let theirs = ip(&args);
        assert_eq!(
            mine_json(&ours.stdout, &names),
            mine_json(&theirs.stdout, &names),
            "{args:?}"
        );
    }
    let listed = text(&netplumb(&["-n", &a.0, "netns", "list"]).stdout);
    assert!(
        listed.lines().any(|l| l == format!("{} (id: 0)", b.0)),
        "{listed}"
    );
    for args in [
        &["-n", &a.0, "netns", "list-id"][..],
        &["-n", &a.0, "-j", "netns", "list-id"],
    ] {
        let ours = netplumb(args);
        assert!(ours.status.success(), "{}", text(&ours.stderr));
        assert_eq!(text(&ours.stdout), text(&ip(args).stdout), "{args:?}");
    }

    // Errors: ip's message, exit status 1, nothing changed.
    let out = netplumb(&["netns", "add", &a.0]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        format!(
            "Cannot create namespace file \"/run/netns/{}\": File exists\n",
            a.0
        )
    );
    assert!(ip(&["-n", &a.0, "link", "show", "v0"]).status.success());

    let out = netplumb(&["netns", "del", &a.0]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!std::path::Path::new(&format!("/run/netns/{}", a.0)).exists());
    let out = netplumb(&["netns", "del", &a.0]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        format!(
            "Cannot remove namespace file \"/run/netns/{}\": No such file or directory\n",
            a.0
        )
    );
    let out = netplumb(&["netns", "delete", &b.0]);
    assert!(out.status.success());
    let after = text(&ip(&["netns", "list"]).stdout);
    assert!(mine(&after, &names).is_empty(), "{after}");
}

#[test]
fn exec_runs_inside_and_returns_the_status() {
    let Some(t) = TestNs::new("exec_runs_inside_and_returns_the_status") else {
        return;
    };
    t.ip(&["link", "add", "x0", "type", "veth", "peer", "name", "x1"]);
    // The command sees the namespace's links, not the caller's.
    let out = netplumb(&["netns", "exec", t.name(), "ip", "-j", "link", "show"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["ifname"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["lo", "x0", "x1"]);
    // Exit status and output pass through.
    let out = netplumb(&["netns", "exec", t.name(), "sh", "-c", "echo hi; exit 7"]);
    assert_eq!(out.status.code(), Some(7));
    assert_eq!(text(&out.stdout), "hi\n");
    let out = netplumb(&["netns", "exec", t.name(), "sh", "-c", "kill -TERM $$"]);
    assert_eq!(out.status.code(), Some(128 + 15));
    // A program that cannot run, a namespace that does not exist.
    let out = netplumb(&["netns", "exec", t.name(), "/nonexistent/prog"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "exec of \"/nonexistent/prog\" failed: No such file or directory\n"
    );
    let out = netplumb(&["netns", "exec", "np-no-such-netns", "true"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "Cannot open network namespace \"np-no-such-netns\": No such file or directory\n"
    );
    let out = netplumb(&["netns", "exec", t.name()]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn identify_and_pids_find_processes_in_the_namespace() {
    let Some(t) = TestNs::new("identify_and_pids_find_processes_in_the_namespace") else {
        return;
    };
    let np = env!("CARGO_BIN_EXE_netplumb");
    // The shell prints its pid, which namespace it is in, and the namespace's processes.
    let script = format!(
        "echo $$; {np} netns identify $$; {np} netns identify; {np} netns pids {}",
        t.name()
    );
    let out = netplumb(&["netns", "exec", t.name(), "sh", "-c", &script]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    let lines: Vec<&str> = s.lines().collect();
    let pid = lines[0];
    assert_eq!(lines[1], t.name(), "{s}");
    // netplumb itself (the second one) runs in the namespace too.
    assert_eq!(lines[2], t.name(), "{s}");
    assert!(lines[3..].contains(&pid), "{s}");
    // The same as ip, for the shell's pid.
    let script = format!("{np} netns identify $$; ip netns identify $$");
    let out = netplumb(&["netns", "exec", t.name(), "sh", "-c", &script]);
    let s = text(&out.stdout);
    let lines: Vec<&str> = s.lines().collect();
    assert_eq!(lines.len(), 2, "{s}");
    assert_eq!(lines[0], lines[1]);
    // Outside any named namespace: an empty line, like ip.
    let out = netplumb(&["netns", "identify", "1"]);
    let theirs = ip(&["netns", "identify", "1"]);
    assert_eq!(text(&out.stdout), text(&theirs.stdout));
    // Errors.
    let out = netplumb(&["netns", "identify", "notapid"]);
    assert_eq!(out.status.code(), Some(2));
    let out = netplumb(&["netns", "pids", "np-no-such-netns"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "Cannot open network namespace: No such file or directory\n"
    );
}

#[test]
fn set_gives_an_id() {
    let test = "set_gives_an_id";
    let (Some(a), Some(b)) = (TestNs::new(test), TestNs::new(test)) else {
        return;
    };
    let out = netplumb(&["-n", a.name(), "netns", "set", b.name(), "5"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: Value =
        serde_json::from_slice(&ip(&["-n", a.name(), "-j", "netns", "list-id"]).stdout).unwrap();
    assert_eq!(v[0]["nsid"], 5);
    assert_eq!(v[0]["name"], b.name());
    let out = netplumb(&["-n", a.name(), "netns", "set", "np-no-such-netns", "6"]);
    assert_eq!(out.status.code(), Some(1));
}
