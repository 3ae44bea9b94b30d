//! Kernel tests for `netplumb::sysctl`. Every write happens on a dedicated thread moved into a
//! brand-new network namespace (`unshare(CLONE_NEWNET)` affects only that thread) through
//! `Sysctls::current()`, or through `Sysctls::in_netns` into a TestNs; the host side is only
//! ever read, from other threads, to prove it did not change.

use crate::common;
use common::{TestNs, in_new_netns, ip_here};
use netplumb::sysctl::{Family, Sysctls};
use netplumb::{Error, NetNs};
use std::io::Write;
use std::process::Command;
use std::sync::mpsc;

/// Reads `key` from a fresh thread that stays in the host namespace (read only). Call it only
/// from a host thread: a thread inherits the namespace of the thread that spawns it.
fn host_get(key: &'static str) -> netplumb::Result<String> {
    std::thread::spawn(move || Sysctls::current().get(key))
        .join()
        .unwrap()
}

/// A host-namespace thread, spawned from the host, that reads `key` whenever asked: lets a
/// thread inside another namespace check the host side while it works (read only).
struct HostReader {
    ask: mpsc::Sender<()>,
    answer: mpsc::Receiver<netplumb::Result<String>>,
}

impl HostReader {
    fn spawn(key: &'static str) -> Self {
        let (ask, asked) = mpsc::channel();
        let (tell, answer) = mpsc::channel();
        std::thread::spawn(move || {
            while asked.recv().is_ok() {
                let _ = tell.send(Sysctls::current().get(key));
            }
        });
        HostReader { ask, answer }
    }

    fn get(&self) -> String {
        self.ask.send(()).unwrap();
        self.answer.recv().unwrap().unwrap()
    }
}

/// Runs `argv` as a child of the calling thread, asserting success; its output without the
/// trailing newline.
fn output_of(argv: &[&str]) -> String {
    let out = Command::new(argv[0]).args(&argv[1..]).output().unwrap();
    assert!(
        out.status.success(),
        "{}: {}",
        argv.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .trim_end()
        .to_string()
}

/// `sysctl -n KEY` as a child of the calling thread, hence in its namespace.
fn sysctl_tool(key: &str) -> String {
    output_of(&["sysctl", "-n", key])
}

#[test]
fn forwarding_is_set_in_the_thread_namespace_only() {
    const KEY: &str = "net.ipv4.conf.all.forwarding";
    let Ok(host_before) = host_get(KEY) else {
        let msg = "SKIPPED forwarding_is_set_in_the_thread_namespace_only: no";
        let _ = writeln!(std::io::stderr(), "{msg} {KEY}");
        return;
    };
    let target = if host_before == "0" { "1" } else { "0" };
    let (host, reader) = (host_before.clone(), HostReader::spawn(KEY));
    in_new_netns(
        "forwarding_is_set_in_the_thread_namespace_only",
        move || {
            let sysctl = Sysctls::current();
            sysctl.set(KEY, target).unwrap();
            assert_eq!(sysctl.get(KEY).unwrap(), target);
            assert_eq!(sysctl.get("net/ipv4/conf/all/forwarding").unwrap(), target);
            assert_eq!(
                sysctl_tool(KEY),
                target,
                "the write landed in this thread's namespace"
            );
            assert_eq!(
                sysctl.forwarding(Family::Ipv4, "all").unwrap(),
                target == "1"
            );
            sysctl
                .set_forwarding(Family::Ipv4, "all", target == "0")
                .unwrap();
            assert_eq!(
                sysctl.forwarding(Family::Ipv4, "all").unwrap(),
                target == "0"
            );
            sysctl
                .set_forwarding(Family::Ipv4, "all", target == "1")
                .unwrap();
            // The host, read from another thread meanwhile, still has its own value.
            assert_eq!(reader.get(), host);
        },
    );
    assert_eq!(
        host_get(KEY).unwrap(),
        host_before,
        "the host's forwarding changed"
    );
}

#[test]
fn per_interface_knobs_on_a_veth() {
    in_new_netns("per_interface_knobs_on_a_veth", || {
        let sysctl = Sysctls::current();
        ip_here(&[
            "link", "add", "np-v0", "type", "veth", "peer", "name", "np.v1",
        ]);
        sysctl.set_disable_ipv6("np-v0", true).unwrap();
        assert!(sysctl.disable_ipv6("np-v0").unwrap());
        assert_eq!(sysctl.get("net.ipv6.conf.np-v0.disable_ipv6").unwrap(), "1");
        assert_eq!(sysctl_tool("net.ipv6.conf.np-v0.disable_ipv6"), "1");
        sysctl.set_disable_ipv6("np-v0", false).unwrap();
        assert_eq!(sysctl_tool("net.ipv6.conf.np-v0.disable_ipv6"), "0");

        sysctl.set_arp_ignore("np-v0", 1).unwrap();
        sysctl.set_arp_announce("np-v0", 2).unwrap();
        assert_eq!(sysctl.arp_ignore("np-v0").unwrap(), 1);
        assert_eq!(sysctl.arp_announce("np-v0").unwrap(), 2);
        assert_eq!(sysctl_tool("net.ipv4.conf.np-v0.arp_ignore"), "1");
        assert_eq!(sysctl_tool("net.ipv4.conf.np-v0.arp_announce"), "2");
        sysctl.set_arp_ignore("all", 8).unwrap();
        assert_eq!(sysctl.arp_ignore("all").unwrap(), 8);

        sysctl.set_accept_dad("np-v0", 0).unwrap();
        assert_eq!(sysctl.accept_dad("np-v0").unwrap(), 0);
        sysctl.set_proxy_arp("np-v0", true).unwrap();
        assert!(sysctl.proxy_arp("np-v0").unwrap());
        sysctl.set_route_localnet("np-v0", true).unwrap();
        assert!(sysctl.route_localnet("np-v0").unwrap());

        // An interface name with a dot: literal with '/', or swapped sysctl(8) style.
        sysctl.set_forwarding(Family::Ipv6, "np.v1", true).unwrap();
        assert_eq!(sysctl.get("net/ipv6/conf/np.v1/forwarding").unwrap(), "1");
        assert_eq!(sysctl.get("net.ipv6.conf.np/v1.forwarding").unwrap(), "1");
        assert_eq!(sysctl_tool("net/ipv6/conf/np.v1/forwarding"), "1");
    });
    // The veth only ever existed in the thread's namespace.
    let e = host_get("net.ipv6.conf.np-v0.disable_ipv6").unwrap_err();
    assert!(matches!(e, Error::NotFound { what: "sysctl", .. }), "{e}");
}

#[test]
fn host_arp_knobs_are_untouched() {
    const IGNORE: &str = "net.ipv4.conf.all.arp_ignore";
    const ANNOUNCE: &str = "net.ipv4.conf.all.arp_announce";
    let before = (host_get(IGNORE).unwrap(), host_get(ANNOUNCE).unwrap());
    let ignore = if before.0 == "2" { 1 } else { 2 };
    let announce = if before.1 == "2" { 1 } else { 2 };
    in_new_netns("host_arp_knobs_are_untouched", move || {
        let sysctl = Sysctls::current();
        sysctl.set_arp_ignore("all", ignore).unwrap();
        sysctl.set_arp_announce("all", announce).unwrap();
        assert_eq!(sysctl.arp_ignore("all").unwrap(), ignore);
        assert_eq!(sysctl.arp_announce("all").unwrap(), announce);
    });
    assert_eq!(
        (host_get(IGNORE).unwrap(), host_get(ANNOUNCE).unwrap()),
        before
    );
}

#[test]
fn bad_keys_missing_keys_and_bad_values() {
    in_new_netns("bad_keys_missing_keys_and_bad_values", || {
        let sysctl = Sysctls::current();
        for bad in [
            "kernel.hostname",
            "net",
            "net..ipv4",
            "net/ipv4/../../kernel/hostname",
            "",
        ] {
            assert!(matches!(
                sysctl.set(bad, "1").unwrap_err(),
                Error::InvalidInput { .. }
            ));
            assert!(matches!(
                sysctl.get(bad).unwrap_err(),
                Error::InvalidInput { .. }
            ));
        }
        for missing in ["net.ipv4.conf.np-none.forwarding", "net.ipv4.no_such_knob"] {
            let e = sysctl.get(missing).unwrap_err();
            assert!(
                matches!(&e, Error::NotFound { what: "sysctl", name } if name == missing),
                "{e}"
            );
            assert!(sysctl.set(missing, "1").unwrap_err().is_not_found());
        }
        assert!(
            sysctl
                .set_disable_ipv6("np-none", true)
                .unwrap_err()
                .is_not_found()
        );
        // The kernel refuses a non-number: Error::Io naming the path, errno EINVAL.
        let e = sysctl
            .set("net.ipv4.conf.all.forwarding", "yes")
            .unwrap_err();
        assert!(
            matches!(&e, Error::Io { op, .. } if op.contains("/proc/sys/net/ipv4/conf/all/forwarding")),
            "{e}"
        );
        assert_eq!(e.errno(), Some(libc::EINVAL));
    });
}

// ---- `Sysctls::in_netns`, against `ip netns exec NS sysctl -n KEY` ----

/// `ip netns exec NS sysctl -n KEY`: the namespace's value as the standard tools see it.
fn netns_sysctl(t: &TestNs, key: &str) -> String {
    output_of(&["ip", "netns", "exec", t.name(), "sysctl", "-n", key])
}

/// Host values of `keys`, read from fresh host threads (read only).
fn host_values(keys: &[&'static str]) -> Vec<String> {
    keys.iter().map(|k| host_get(k).unwrap()).collect()
}

#[test]
fn namespaced_forwarding_and_disable_ipv6_leave_the_host_alone() {
    const KEYS: [&str; 4] = [
        "net.ipv4.conf.all.forwarding",
        "net.ipv6.conf.all.forwarding",
        "net.ipv6.conf.all.disable_ipv6",
        "net.ipv6.conf.default.disable_ipv6",
    ];
    let Some(t) = TestNs::new("namespaced_forwarding_and_disable_ipv6_leave_the_host_alone") else {
        return;
    };
    let host_before = host_values(&KEYS);
    let me = NetNs::current().unwrap();
    let ns = t.ns();
    let sysctl = Sysctls::in_netns(ns).unwrap();

    for family in [Family::Ipv4, Family::Ipv6] {
        let key = match family {
            Family::Ipv4 => KEYS[0],
            Family::Ipv6 => KEYS[1],
        };
        let start = sysctl.forwarding(family, "all").unwrap();
        assert_eq!(netns_sysctl(&t, key), if start { "1" } else { "0" });
        for on in [!start, start, !start] {
            sysctl.set_forwarding(family, "all", on).unwrap();
            assert_eq!(sysctl.forwarding(family, "all").unwrap(), on);
            assert_eq!(netns_sysctl(&t, key), if on { "1" } else { "0" });
        }
        // The generic form, both key spellings.
        sysctl.set(key, "0").unwrap();
        assert_eq!(sysctl.get(key).unwrap(), "0");
        assert_eq!(netns_sysctl(&t, key), "0");
        sysctl.set(&key.replace('.', "/"), "1").unwrap();
        assert_eq!(netns_sysctl(&t, key), "1");
    }

    t.ip(&[
        "link", "add", "npsx0", "type", "veth", "peer", "name", "npsx1",
    ]);
    for disable in [true, false, true] {
        sysctl.set_disable_ipv6("npsx0", disable).unwrap();
        assert_eq!(sysctl.disable_ipv6("npsx0").unwrap(), disable);
        assert_eq!(
            netns_sysctl(&t, "net.ipv6.conf.npsx0.disable_ipv6"),
            if disable { "1" } else { "0" }
        );
    }
    sysctl.set_disable_ipv6("default", true).unwrap();
    assert_eq!(netns_sysctl(&t, KEYS[3]), "1");
    sysctl.set_disable_ipv6("all", true).unwrap();
    assert_eq!(netns_sysctl(&t, KEYS[2]), "1");

    // The caller's thread never moved, and the host is as it was.
    assert_eq!(NetNs::current().unwrap(), me);
    assert_eq!(host_values(&KEYS), host_before, "a host sysctl changed");
    // The veth exists only in the namespace.
    let e = host_get("net.ipv6.conf.npsx0.disable_ipv6").unwrap_err();
    assert!(matches!(e, Error::NotFound { what: "sysctl", .. }), "{e}");
}

#[test]
fn namespaced_arp_and_dad_knobs() {
    const KEYS: [&str; 3] = [
        "net.ipv4.conf.all.arp_ignore",
        "net.ipv4.conf.all.arp_announce",
        "net.ipv6.conf.all.accept_dad",
    ];
    let Some(t) = TestNs::new("namespaced_arp_and_dad_knobs") else {
        return;
    };
    let host_before = host_values(&KEYS);
    let ns = t.ns();
    let sysctl = Sysctls::in_netns(ns).unwrap();
    t.ip(&[
        "link", "add", "npsy0", "type", "veth", "peer", "name", "npsy1",
    ]);
    for dev in ["npsy0", "all"] {
        sysctl.set_arp_ignore(dev, 1).unwrap();
        sysctl.set_arp_announce(dev, 2).unwrap();
        sysctl.set_accept_dad(dev, 0).unwrap();
        assert_eq!(sysctl.arp_ignore(dev).unwrap(), 1);
        assert_eq!(sysctl.arp_announce(dev).unwrap(), 2);
        assert_eq!(sysctl.accept_dad(dev).unwrap(), 0);
        assert_eq!(
            netns_sysctl(&t, &format!("net.ipv4.conf.{dev}.arp_ignore")),
            "1"
        );
        assert_eq!(
            netns_sysctl(&t, &format!("net.ipv4.conf.{dev}.arp_announce")),
            "2"
        );
        assert_eq!(
            netns_sysctl(&t, &format!("net.ipv6.conf.{dev}.accept_dad")),
            "0"
        );
    }
    // Several knobs on one thread.
    sysctl
        .run(|s| {
            s.set_arp_ignore("npsy1", 2)?;
            s.set_accept_dad("npsy1", 2)
        })
        .unwrap();
    assert_eq!(netns_sysctl(&t, "net.ipv4.conf.npsy1.arp_ignore"), "2");
    assert_eq!(netns_sysctl(&t, "net.ipv6.conf.npsy1.accept_dad"), "2");
    assert_eq!(host_values(&KEYS), host_before, "a host sysctl changed");
}

#[test]
fn namespaced_errors_are_typed() {
    let Some(t) = TestNs::new("namespaced_errors_are_typed") else {
        return;
    };
    let ns = t.ns();
    let sysctl = Sysctls::in_netns(ns).unwrap();
    let before = netns_sysctl(&t, "net.ipv4.conf.all.arp_ignore");
    // Refused before anything is written.
    assert!(sysctl.set("kernel.hostname", "x").unwrap_err().is_invalid());
    assert!(sysctl.get("net/../kernel/x").unwrap_err().is_invalid());
    assert!(sysctl.set_arp_ignore("all", 4).unwrap_err().is_invalid());
    assert!(
        sysctl
            .set_forwarding(Family::Ipv4, "../x", true)
            .unwrap_err()
            .is_invalid()
    );
    assert_eq!(netns_sysctl(&t, "net.ipv4.conf.all.arp_ignore"), before);
    // A device that exists on no side, and a value the kernel refuses.
    let e = sysctl.get("net.ipv4.conf.npsz0.forwarding").unwrap_err();
    assert!(matches!(&e, Error::NotFound { what: "sysctl", .. }), "{e}");
    assert!(sysctl.disable_ipv6("npsz0").unwrap_err().is_not_found());
    let e = sysctl
        .set("net.ipv4.conf.all.forwarding", "yes")
        .unwrap_err();
    assert_eq!(e.errno(), Some(libc::EINVAL), "{e}");
    // The closure's own error and panics come back as errors.
    let e = sysctl
        .run(|_| -> netplumb::Result<()> { Err(Error::invalid("test", "refused")) })
        .unwrap_err();
    assert!(e.is_invalid());
    let e = sysctl
        .run(|_| -> netplumb::Result<()> { panic!("boom") })
        .unwrap_err();
    assert!(matches!(&e, Error::Panicked(m) if m == "boom"), "{e}");
}
