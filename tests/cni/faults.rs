//! Fault plugins (`tests/cni/fault/`) at the end of a bridge chain: a plugin that hangs past
//! the deadline, crashes, prints garbage or gigabytes, or fails. Each ADD must fail with a
//! typed error naming the plugin, and leave nothing behind: no interface, no address, no
//! cache entry, no process. And a fault injected after each plugin of a real chain
//! ([`FaultPlan`]), which must leave the host exactly as a complete ADD and DEL do.

use crate::fixture::*;
use netplumb::cni::{Error, ExecOptions, Verb};
use netplumb::undo::FaultPlan;
use serde_json::json;
use std::time::{Duration, Instant};

/// ADDs bridge → `fault` for a new pod and returns the error; checks the cleanup.
fn add_failing(
    h: &Host,
    fault: &str,
    cni: &netplumb::cni::Cni,
    deadline: Option<Instant>,
) -> Error {
    h.install_fault(fault);
    let net = format!("np-{fault}");
    let l = list(
        &net,
        "1.0.0",
        vec![
            bridge(h, "npbr0", &["198.18.20.0/24"]),
            json!({"type": fault, "log": h.log()}),
            json!({"type": "portmap", "capabilities": {"portMappings": true}}),
        ],
    );
    let pod = Pod::new(fault);
    let e = cni
        .add_list(&parse(&l), &pod.rt("f1", "eth0"), deadline)
        .unwrap_err();
    assert_eq!(e.plugin(), Some(fault), "{e}");
    assert_eq!(e.verb(), Some(Verb::Add), "{e}");
    assert!(
        !matches!(e, Error::CleanupFailed { .. }),
        "the cleanup failed: {e}"
    );
    // The cleanup ran DEL on the fault plugin and the bridge, not on portmap, which never ran.
    let log = h.log_lines();
    assert!(
        log.iter().any(|l| l == "DEL f1 eth0"),
        "no DEL of {fault}: {log:?}"
    );
    assert_eq!(pod.links(), ["lo"]);
    h.assert_clean(&net);
    e
}

/// Whether process `pid` is gone (or a zombie waiting for its reaper).
fn gone(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(s) => s
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
    }
}

#[test]
fn a_plugin_that_hangs_is_killed_at_the_deadline_with_its_children() {
    with_host("fault_hang", |h| {
        let cni = h.cni().with_exec_options(ExecOptions {
            timeout: Some(Duration::from_secs(1)),
            ..ExecOptions::default()
        });
        let e = add_failing(h, "np-hang", &cni, None);
        assert!(matches!(e, Error::Timeout { .. }), "{e}");
        assert!(e.is_timeout());
        let pids = h
            .log_lines()
            .into_iter()
            .find_map(|l| l.strip_prefix("pids ").map(str::to_string))
            .expect("the plugin noted its pids");
        for pid in pids.split(' ').map(|p| p.parse::<u32>().unwrap()) {
            let mut ok = gone(pid);
            for _ in 0..50 {
                if ok {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
                ok = gone(pid);
            }
            assert!(ok, "process {pid} of the hung plugin still runs");
        }
    });
}

#[test]
fn the_callers_deadline_bounds_the_whole_add() {
    with_host("fault_deadline", |h| {
        let cni = h.cni();
        let e = add_failing(
            h,
            "np-hang",
            &cni,
            Some(Instant::now() + Duration::from_secs(2)),
        );
        assert!(e.is_timeout(), "{e}");
    });
}

#[test]
fn a_plugin_that_crashes() {
    with_host("fault_crash", |h| {
        let e = add_failing(h, "np-crash", &h.cni(), None);
        assert!(matches!(e, Error::Killed { signal: 11, .. }), "{e}");
    });
}

#[test]
fn a_plugin_that_prints_garbage() {
    with_host("fault_garbage", |h| {
        let e = add_failing(h, "np-garbage", &h.cni(), None);
        assert!(
            matches!(e, Error::BadResult { ref output, .. } if output.contains("not a CNI result")),
            "{e}"
        );
    });
}

#[test]
fn a_plugin_that_prints_gigabytes() {
    with_host("fault_huge", |h| {
        let e = add_failing(h, "np-huge", &h.cni(), None);
        assert!(
            matches!(e, Error::OutputTooLarge { limit, .. } if limit == 16 << 20),
            "{e}"
        );
    });
}

#[test]
fn a_plugin_that_fails_in_the_middle_of_a_chain() {
    with_host("fault_fail", |h| {
        let e = add_failing(h, "np-fail", &h.cni(), None);
        assert_eq!(e.code(), Some(100), "{e}");
        assert!(e.to_string().contains("np-fail refuses; on purpose"), "{e}");
    });
}

#[test]
fn a_fault_after_each_plugin_of_a_chain_leaves_nothing_behind() {
    with_host("fault_after_each_plugin", |h| {
        let net = "np-steps";
        let l = parse(&list(
            net,
            "1.0.0",
            vec![
                bridge(h, "npbr0", &["198.18.21.0/24"]),
                json!({"type": "portmap", "capabilities": {"portMappings": true}}),
                json!({"type": "tuning", "dataDir": h.tuning, "mtu": 1400,
                       "sysctl": {"net.ipv4.conf.eth0.arp_ignore": "1"}}),
            ],
        ));
        let pod = Pod::new("fault_steps");
        let mut rt = pod.rt("s1", "eth0");
        rt.capability_args.insert(
            "portMappings".into(),
            json!([{"hostPort": 18081, "containerPort": 80, "protocol": "tcp", "hostIP": ""}]),
        );
        let pod_before = pod.ns().ip_json(&["addr", "show"]);

        // A dry run counts the steps. A complete ADD and DEL leave what the plugins keep
        // for every pod (the bridge with its address, portmap's top-level chains): the state
        // every failed ADD must leave too.
        let plan = FaultPlan::never();
        let cni = h.cni().with_fault_plan(plan.clone());
        let r = cni.add_list(&l, &rt, None).unwrap();
        let ip = pod_ip(&r, true);
        assert!(
            iptables_save().contains(&format!("--to-destination {ip}:80")),
            "portmap did nothing"
        );
        assert_eq!(
            plan.log(),
            ["after ADD bridge", "after ADD portmap", "after ADD tuning"]
        );
        cni.del_list(&l, &rt, None).unwrap();
        let baseline = host_state(h, &[net]);
        assert_eq!(pod.ns().ip_json(&["addr", "show"]), pod_before);

        let chain = ["bridge", "portmap", "tuning"];
        for n in 0..chain.len() {
            let plan = FaultPlan::fail_at(n);
            let e = h
                .cni()
                .with_fault_plan(plan.clone())
                .add_list(&l, &rt, None)
                .unwrap_err();
            assert!(
                matches!(&e, Error::Netlink(k) if k.is_injected()),
                "fault after step {n}: {e}"
            );
            // The rollback DELs exactly the plugins that ran, the last first.
            let ran = &chain[..=n];
            let mut want: Vec<String> = ran.iter().map(|p| format!("after ADD {p}")).collect();
            want.extend(ran.iter().rev().map(|p| format!("DEL {p}")));
            assert_eq!(plan.log(), want);
            assert_eq!(
                pod.ns().ip_json(&["addr", "show"]),
                pod_before,
                "fault after step {n}"
            );
            assert_eq!(
                host_state(h, &[net]),
                baseline,
                "fault after step {n} left something behind"
            );
        }

        // When the rollback fails too (every step from the last plugin on), the error says
        // so, and a DEL finishes the job.
        let e = h
            .cni()
            .with_fault_plan(FaultPlan::fail_from(2))
            .add_list(&l, &rt, None)
            .unwrap_err();
        let Error::CleanupFailed { error, cleanup } = &e else {
            panic!("{e}")
        };
        assert!(
            matches!(&**error, Error::Netlink(k) if k.is_injected()),
            "{e}"
        );
        assert_eq!(cleanup.len(), 3, "{e}");
        assert!(pod.links().contains(&"eth0".to_string()));
        h.cni().del_list(&l, &rt, None).unwrap();
        assert_eq!(pod.ns().ip_json(&["addr", "show"]), pod_before);
        assert_eq!(host_state(h, &[net]), baseline);
    });
}
