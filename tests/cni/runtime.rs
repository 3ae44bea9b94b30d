//! The ocicni runtime ([`CniRuntime`]) with Debian's plugins: pods with default and named
//! networks, the arguments plugins get, rollback of a pod's networks, teardown from the
//! cache, status, GC, 16 pods at once, and a configuration directory that changes while it
//! is watched.

use crate::fixture::*;
use netplumb::cni::{
    BandwidthConfig, CniRuntime, Error, IpRange, NetAttachment, PodNetwork, PortMapping,
    RuntimeConfig,
};
use netplumb::undo::FaultPlan;
use serde_json::{Value, json};
use std::time::Duration;

fn runtime(h: &Host, watch: bool) -> CniRuntime {
    CniRuntime::builder()
        .conf_dir(&h.conf)
        .bin_dir(CNI_BIN)
        .bin_dir(&h.bin)
        .cache_dir(&h.cache)
        .watch(watch)
        .build()
        .unwrap()
}

fn pod(p: &Pod, name: &str, id: &str) -> PodNetwork {
    PodNetwork {
        name: name.into(),
        namespace: "np-test".into(),
        id: id.into(),
        uid: format!("uid-{id}"),
        netns: p.path.clone(),
        ..Default::default()
    }
}

/// Waits (up to 10 s) until `cond` holds, re-checking every 50 ms.
fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    for _ in 0..200 {
        if cond() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("timed out waiting for: {what}");
}

#[test]
fn a_pod_on_the_default_network() {
    with_host("runtime_default_network", |h| {
        h.write_conf(
            "10-np.conflist",
            &list(
                "np-def",
                "1.0.0",
                vec![bridge(h, "npbr0", &["198.18.30.0/24"])],
            ),
        );
        let rt = runtime(h, false);
        assert_eq!(rt.name(), "cni");
        assert_eq!(rt.default_network_name().as_deref(), Some("np-def"));
        let p = Pod::new("rt_default");
        p.ns().ip(&["link", "set", "lo", "down"]);
        let spec = pod(&p, "web", "r1");
        let res = rt.set_up_pod(&spec, None).unwrap();
        assert_eq!(res.len(), 1);
        assert_eq!(
            res[0].attachment,
            NetAttachment::with_ifname("np-def", "eth0")
        );
        // lo came up first.
        assert!(p.ns().ip(&["link", "show", "lo"]).contains(",UP"));
        // Status: CHECK passes, and the cached result comes back.
        let st = rt.pod_network_status(&spec, None).unwrap();
        assert_eq!(st[0].result, res[0].result);
        rt.status(None).unwrap();
        // Teardown from the cache (the pod names no network), twice.
        rt.tear_down_pod(&spec, None).unwrap();
        rt.tear_down_pod(&spec, None).unwrap();
        assert_eq!(p.links(), ["lo"]);
        h.assert_clean("np-def");
    });
}

#[test]
fn plugins_get_ocicni_arguments() {
    with_host("runtime_arguments", |h| {
        h.install_fault("np-record");
        let caps = json!({"portMappings": true, "bandwidth": true, "ipRanges": true, "aliases": true,
                          "cgroupPath": true, "io.kubernetes.cri.pod-annotations": true, "mac": true});
        h.write_conf(
            "10-rec.conflist",
            &list(
                "np-rec",
                "1.0.0",
                vec![json!({"type": "np-record", "log": h.log(), "capabilities": caps})],
            ),
        );
        let rt = CniRuntime::builder()
            .conf_dir(&h.conf)
            .bin_dir(&h.bin)
            .cache_dir(&h.cache)
            .watch(false)
            .cni_args(vec![("EXTRA".into(), "x".into())])
            .build()
            .unwrap();
        let p = Pod::new("rt_args");
        let mut spec = pod(&p, "api", "r2");
        spec.aliases
            .insert("np-rec".into(), vec!["api.local".into()]);
        spec.runtime_config.insert(
            "np-rec".into(),
            RuntimeConfig {
                ip: "198.18.12.5".into(),
                mac: "02:00:00:00:12:05".into(),
                port_mappings: vec![PortMapping {
                    host_port: 8080,
                    container_port: 80,
                    protocol: "tcp".into(),
                    host_ip: String::new(),
                }],
                bandwidth: Some(BandwidthConfig {
                    ingress_rate: 1000,
                    ingress_burst: 10,
                    egress_rate: 2000,
                    egress_burst: 20,
                }),
                ip_ranges: vec![vec![IpRange {
                    subnet: "198.18.12.0/24".into(),
                    ..Default::default()
                }]],
                cgroup_path: "/kubepods/api".into(),
                pod_annotations: Some([("a".to_string(), "b".to_string())].into()),
            },
        );
        rt.set_up_pod(&spec, None).unwrap();
        let log = h.log_lines();
        assert!(log.contains(&"ADD r2 eth0".to_string()), "{log:?}");
        let env: Vec<&str> = log.iter().filter_map(|l| l.strip_prefix("env ")).collect();
        assert!(env.contains(&"CNI_ARGS=IgnoreUnknown=1;K8S_POD_NAMESPACE=np-test;K8S_POD_NAME=api;K8S_POD_INFRA_CONTAINER_ID=r2;K8S_POD_UID=uid-r2;EXTRA=x;IP=198.18.12.5;MAC=02:00:00:00:12:05"), "{env:?}");
        assert!(env.contains(&"CNI_COMMAND=ADD"));
        assert!(env.contains(&format!("CNI_NETNS={}", p.path).as_str()));
        let stdin: Value = serde_json::from_str(
            log.iter()
                .find_map(|l| l.strip_prefix("stdin "))
                .expect("stdin noted"),
        )
        .unwrap();
        assert_eq!(stdin["name"], "np-rec");
        assert_eq!(stdin["cniVersion"], "1.0.0");
        assert_eq!(
            stdin["runtimeConfig"],
            json!({
                "portMappings": [{"hostPort": 8080, "containerPort": 80, "protocol": "tcp", "hostIP": ""}],
                "bandwidth": {"ingressRate": 1000, "ingressBurst": 10, "egressRate": 2000, "egressBurst": 20},
                "ipRanges": [[{"subnet": "198.18.12.0/24"}]],
                "aliases": {"np-rec": ["api.local"]},
                "cgroupPath": "/kubepods/api",
                "io.kubernetes.cri.pod-annotations": {"a": "b"}
            })
        );
        // A bad static MAC is refused before any plugin runs.
        let mut bad = spec.clone();
        bad.id = "r3".into();
        bad.runtime_config.get_mut("np-rec").unwrap().mac = "02:00:00".into();
        let before = h.log_lines().len();
        assert!(matches!(
            rt.set_up_pod(&bad, None),
            Err(Error::InvalidInput { .. })
        ));
        assert_eq!(h.log_lines().len(), before);
        rt.tear_down_pod(&spec, None).unwrap();
        assert!(h.cache_files().is_empty());
    });
}

#[test]
fn a_failing_second_network_tears_the_first_down() {
    with_host("runtime_second_network_fails", |h| {
        h.install_fault("np-fail");
        h.write_conf(
            "10-a.conflist",
            &list(
                "np-a",
                "1.0.0",
                vec![bridge(h, "npbr0", &["198.18.31.0/24"])],
            ),
        );
        h.write_conf(
            "20-b.conflist",
            &list(
                "np-b",
                "1.0.0",
                vec![
                    bridge(h, "npbr1", &["198.18.32.0/24"]),
                    json!({"type": "np-fail", "log": h.log()}),
                ],
            ),
        );
        let rt = runtime(h, false);
        let p = Pod::new("rt_second_fails");
        let mut spec = pod(&p, "two", "r4");
        spec.networks = vec![NetAttachment::new("np-a"), NetAttachment::new("np-b")];
        let e = rt.set_up_pod(&spec, None).unwrap_err();
        assert!(
            matches!(&e, Error::Pod { network, .. } if network == "np-b"),
            "{e}"
        );
        assert_eq!(e.code(), Some(100));
        assert_eq!(p.links(), ["lo"]);
        h.assert_clean("np-a");
        h.assert_clean("np-b");
        // Explicit interface names must be unique.
        spec.networks = vec![
            NetAttachment::with_ifname("np-a", "net0"),
            NetAttachment::with_ifname("np-b", "net0"),
        ];
        let e = rt.set_up_pod(&spec, None).unwrap_err();
        assert!(e.to_string().contains("already assigned"), "{e}");
    });
}

#[test]
fn a_fault_at_every_step_of_a_pods_networks_leaves_nothing_behind() {
    with_host("runtime_fault_at_every_step", |h| {
        h.write_conf(
            "10-a.conflist",
            &list(
                "np-fa",
                "1.0.0",
                vec![bridge(h, "npbr0", &["198.18.33.0/24"])],
            ),
        );
        h.write_conf(
            "20-b.conflist",
            &list(
                "np-fb",
                "1.0.0",
                vec![
                    bridge(h, "npbr1", &["198.18.34.0/24"]),
                    json!({"type": "portmap", "capabilities": {"portMappings": true}}),
                ],
            ),
        );
        let with_plan = |plan: &FaultPlan| {
            CniRuntime::builder()
                .conf_dir(&h.conf)
                .bin_dir(CNI_BIN)
                .cache_dir(&h.cache)
                .watch(false)
                .fault_plan(plan.clone())
                .build()
                .unwrap()
        };
        let p = Pod::new("rt_fault_steps");
        let mut spec = pod(&p, "two", "r9");
        spec.networks = vec![NetAttachment::new("np-fa"), NetAttachment::new("np-fb")];
        // A dry run counts the steps; a complete setup and teardown is the reference.
        let plan = FaultPlan::never();
        let rt = with_plan(&plan);
        rt.set_up_pod(&spec, None).unwrap();
        let steps = plan.log();
        assert_eq!(
            steps,
            [
                "after ADD bridge",
                "after network np-fa",
                "after ADD bridge",
                "after ADD portmap",
                "after network np-fb"
            ]
        );
        rt.tear_down_pod(&spec, None).unwrap();
        let baseline = host_state(h, &["np-fa", "np-fb"]);
        for n in 0..steps.len() {
            let plan = FaultPlan::fail_at(n);
            let e = with_plan(&plan).set_up_pod(&spec, None).unwrap_err();
            assert!(
                !matches!(e, Error::CleanupFailed { .. }),
                "step {n}: the rollback failed: {e}"
            );
            // Once np-fa is complete, the pod's rollback DELs it.
            let del_a = plan.log().iter().any(|s| s == "DEL network np-fa");
            assert_eq!(del_a, n >= 1, "step {n}: {:?}", plan.log());
            assert_eq!(p.links(), ["lo"], "step {n}");
            assert_eq!(
                host_state(h, &["np-fa", "np-fb"]),
                baseline,
                "step {n} left something behind"
            );
        }
    });
}

#[test]
fn invalid_files_are_skipped_and_reported() {
    with_host("runtime_invalid_files", |h| {
        std::fs::write(h.conf.join("00-broken.conf"), "{ not json").unwrap();
        h.write_conf(
            "05-missing.conflist",
            &list(
                "np-missing",
                "1.0.0",
                vec![json!({"type": "np-no-such-plugin"})],
            ),
        );
        h.write_conf(
            "07-v11.conflist",
            &list(
                "np-v11",
                "1.1.0",
                vec![bridge(h, "npbr0", &["198.18.33.0/24"])],
            ),
        );
        h.write_conf(
            "10-good.conflist",
            &list(
                "np-good",
                "1.0.0",
                vec![bridge(h, "npbr0", &["198.18.33.0/24"])],
            ),
        );
        h.write_conf(
            "20-dup.conflist",
            &list(
                "np-good",
                "1.0.0",
                vec![bridge(h, "npbr9", &["198.18.34.0/24"])],
            ),
        );
        // A single plugin file without a name: the file name becomes the network's.
        h.write_conf(
            "30-single.conf",
            &json!({"cniVersion": "1.0.0", "type": "loopback"}),
        );
        std::fs::write(h.conf.join("40-ignored.txt"), "{}").unwrap();
        let rt = runtime(h, false);
        let invalid: Vec<String> = rt
            .invalid_configs()
            .iter()
            .map(|i| i.file.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            invalid,
            ["00-broken.conf", "05-missing.conflist", "07-v11.conflist"]
        );
        let reasons: Vec<String> = rt.invalid_configs().into_iter().map(|i| i.reason).collect();
        assert!(reasons[1].contains("np-no-such-plugin"), "{reasons:?}");
        assert!(
            reasons[2].contains("does not support config version \"1.1.0\""),
            "{reasons:?}"
        );
        let names: Vec<String> = rt.networks().iter().map(|n| n.name.clone()).collect();
        assert_eq!(names, ["30-single.conf", "np-good"]);
        assert_eq!(rt.default_network_name().as_deref(), Some("np-good"));
        // The first file of a name wins.
        assert!(
            rt.network("np-good")
                .unwrap()
                .file
                .ends_with("10-good.conflist")
        );
        // A fixed default network that does not exist: nothing to set up.
        let fixed = CniRuntime::builder()
            .default_network("np-absent")
            .conf_dir(&h.conf)
            .bin_dir(CNI_BIN)
            .cache_dir(&h.cache)
            .watch(false)
            .build()
            .unwrap();
        let p = Pod::new("rt_invalid");
        let e = fixed.set_up_pod(&pod(&p, "x", "r5"), None).unwrap_err();
        assert!(matches!(e, Error::NoDefaultNetwork { .. }), "{e}");
        assert!(fixed.status(None).is_err());
    });
}

#[test]
fn teardown_from_the_cache_alone() {
    with_host("runtime_teardown_from_cache", |h| {
        let file = h.write_conf(
            "10-c.conflist",
            &list(
                "np-cached",
                "1.0.0",
                vec![bridge(h, "npbr0", &["198.18.35.0/24"])],
            ),
        );
        let rt = runtime(h, false);
        let p = Pod::new("rt_cache");
        let spec = pod(&p, "c", "r6");
        rt.set_up_pod(&spec, None).unwrap();
        // The configuration disappears; the cache still knows how to undo the attachment.
        std::fs::remove_file(file).unwrap();
        rt.reload();
        assert!(rt.networks().is_empty());
        let mut named = spec.clone();
        named.networks = vec![NetAttachment::new("np-cached")];
        rt.tear_down_pod(&named, None).unwrap();
        assert_eq!(p.links(), ["lo"]);
        h.assert_clean("np-cached");
    });
}

#[test]
fn pod_status_without_a_cached_result_reads_the_namespace() {
    with_host("runtime_status_from_netns", |h| {
        let mut l = list(
            "np-st",
            "1.0.0",
            vec![bridge(h, "npbr0", &["198.18.36.0/24", "2001:db8:36::/64"])],
        );
        l["disableCheck"] = json!(true);
        h.write_conf("10-st.conflist", &l);
        let rt = runtime(h, false);
        let p = Pod::new("rt_status");
        let spec = pod(&p, "s", "r7");
        let added = rt.set_up_pod(&spec, None).unwrap().remove(0).result;
        std::fs::remove_file(h.cache.join("results/np-st-r7-eth0")).unwrap();
        let st = rt.pod_network_status(&spec, None).unwrap().remove(0).result;
        let eth0 = added.interfaces.iter().find(|i| i.name == "eth0").unwrap();
        assert_eq!(st.interfaces[0].name, "eth0");
        assert_eq!(st.interfaces[0].mac, eth0.mac);
        assert_eq!(st.interfaces[0].sandbox, p.path);
        assert_eq!(pod_ip(&st, true), pod_ip(&added, true));
        assert_eq!(pod_ip(&st, false), pod_ip(&added, false));
        // lo down: the status refuses, as ocicni's checkLoopback.
        p.ns().ip(&["link", "set", "lo", "down"]);
        let e = rt.pod_network_status(&spec, None).unwrap_err();
        assert!(e.to_string().contains("loopback interface is down"), "{e}");
        let mut named = spec.clone();
        named.networks = vec![NetAttachment::new("np-st")];
        rt.tear_down_pod(&named, None).unwrap();
        h.assert_clean("np-st");
    });
}

#[test]
fn gc_deletes_what_no_valid_pod_has_and_runs_plugin_gc_for_1_1() {
    with_host("runtime_gc", |h| {
        h.install_fault("np-record");
        h.write_conf(
            "10-gc.conflist",
            &list(
                "np-gc",
                "1.0.0",
                vec![bridge(h, "npbr0", &["198.18.37.0/24"])],
            ),
        );
        h.write_conf(
            "20-rec.conflist",
            &list(
                "np-rec11",
                "1.1.0",
                vec![json!({"type": "np-record", "log": h.log()})],
            ),
        );
        let rt = runtime(h, false);
        let (p1, p2) = (Pod::new("rt_gc1"), Pod::new("rt_gc2"));
        let (s1, s2) = (pod(&p1, "keep", "g1"), pod(&p2, "stale", "g2"));
        rt.set_up_pod(&s1, None).unwrap();
        rt.set_up_pod(&s2, None).unwrap();
        assert_eq!(h.allocations("np-gc").len(), 2);
        rt.gc(std::slice::from_ref(&s1), None).unwrap();
        assert_eq!(h.cache_files(), ["np-gc-g1-eth0"]);
        assert_eq!(h.allocations("np-gc").len(), 1);
        assert_eq!(p2.links(), ["lo"]);
        assert!(p1.links().contains(&"eth0".to_string()));
        // The 1.1.0 list's plugin got GC with no valid attachment (no pod is on it).
        let log = h.log_lines();
        let gc_stdin = log
            .iter()
            .skip_while(|l| !l.starts_with("GC"))
            .find_map(|l| l.strip_prefix("stdin "))
            .expect("GC ran on the 1.1.0 plugin");
        let gc: Value = serde_json::from_str(gc_stdin).unwrap();
        assert_eq!(gc["cni.dev/valid-attachments"], json!([]));
        assert_eq!(gc["name"], "np-rec11");
        // STATUS runs for a 1.1.0 default network.
        let rec = CniRuntime::builder()
            .default_network("np-rec11")
            .conf_dir(&h.conf)
            .bin_dir(CNI_BIN)
            .bin_dir(&h.bin)
            .cache_dir(&h.cache)
            .watch(false)
            .build()
            .unwrap();
        rec.status(None).unwrap();
        assert!(h.log_lines().iter().any(|l| l.starts_with("STATUS")));
        rt.tear_down_pod(&s1, None).unwrap();
        h.assert_clean("np-gc");
    });
}

#[test]
fn sixteen_pods_at_once() {
    with_host("runtime_sixteen_pods", |h| {
        h.write_conf(
            "10-many.conflist",
            &list(
                "np-many",
                "1.0.0",
                vec![
                    bridge(h, "npbr0", &["198.18.40.0/24"]),
                    json!({"type": "portmap", "capabilities": {"portMappings": true}}),
                ],
            ),
        );
        let rt = runtime(h, false);
        let pods: Vec<Pod> = (0..16).map(|i| Pod::new(&format!("rt_many{i}"))).collect();
        let specs: Vec<PodNetwork> = pods
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let mut s = pod(p, &format!("p{i}"), &format!("m{i}"));
                s.runtime_config.insert(
                    "np-many".into(),
                    RuntimeConfig {
                        port_mappings: vec![PortMapping {
                            host_port: 20000 + i as i32,
                            container_port: 80,
                            protocol: "tcp".into(),
                            host_ip: String::new(),
                        }],
                        ..Default::default()
                    },
                );
                s
            })
            .collect();
        // portmap 1.1.1 creates its shared chains (CNI-HOSTPORT-SETMARK, -MASQ, -DNAT) by
        // listing the chains and then creating the missing ones, so two first ADDs at once
        // race, and iptables-nft refuses the loser's chain with EEXIST ("CHAIN_USER_ADD
        // failed (File exists)"): a plugin bug, not a runtime's. A node sets up its first
        // pod before it runs many at once; so does this test: one pod up and down first,
        // which leaves the shared chains (not per pod) in place.
        let first = Pod::new("rt_many_first");
        let mut first_spec = pod(&first, "first", "mfirst");
        first_spec.runtime_config.insert(
            "np-many".into(),
            RuntimeConfig {
                port_mappings: vec![PortMapping {
                    host_port: 19999,
                    container_port: 80,
                    protocol: "tcp".into(),
                    host_ip: String::new(),
                }],
                ..Default::default()
            },
        );
        rt.set_up_pod(&first_spec, None).unwrap();
        rt.tear_down_pod(&first_spec, None).unwrap();
        drop(first);
        // Threads made here start in this thread's namespace, the host's stand-in.
        let ips: Vec<String> = std::thread::scope(|s| {
            let handles: Vec<_> = specs
                .iter()
                .map(|spec| {
                    s.spawn(|| {
                        rt.set_up_pod(spec, None)
                            .map(|r| pod_ip(&r[0].result, true).to_string())
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|t| t.join().unwrap().unwrap())
                .collect()
        });
        let mut unique = ips.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 16, "addresses collided: {ips:?}");
        assert_eq!(h.allocations("np-many").len(), 16);
        assert_eq!(h.cache_files().len(), 16);
        for (p, ip) in pods.iter().zip(&ips) {
            let ip: std::net::IpAddr = ip.parse().unwrap();
            assert!(
                udp_reaches(p.netns(), std::net::SocketAddr::new(ip, 17040)),
                "pod {ip} unreachable"
            );
        }
        std::thread::scope(|s| {
            let handles: Vec<_> = specs
                .iter()
                .map(|spec| s.spawn(|| rt.tear_down_pod(spec, None)))
                .collect();
            for t in handles {
                t.join().unwrap().unwrap();
            }
        });
        h.assert_clean("np-many");
    });
}

#[test]
fn the_watcher_follows_the_configuration_directory() {
    with_host("runtime_watcher", |h| {
        let rt = runtime(h, true);
        assert!(rt.networks().is_empty());
        assert_eq!(rt.default_network_name(), None);
        // Added.
        let file = h.write_conf(
            "10-w.conflist",
            &list(
                "np-w1",
                "1.0.0",
                vec![bridge(h, "npbr0", &["198.18.41.0/24"])],
            ),
        );
        eventually("the new file is loaded", || {
            rt.default_network_name().as_deref() == Some("np-w1")
        });
        // Changed: another name in the same file (written through a temporary file and a
        // rename, as configuration managers do).
        let tmp = h.scratch.path().join("w.tmp");
        std::fs::write(
            &tmp,
            serde_json::to_vec(&list(
                "np-w2",
                "1.0.0",
                vec![bridge(h, "npbr0", &["198.18.41.0/24"])],
            ))
            .unwrap(),
        )
        .unwrap();
        std::fs::rename(&tmp, &file).unwrap();
        eventually("the changed file is loaded", || {
            rt.default_network_name().as_deref() == Some("np-w2")
        });
        assert!(rt.network("np-w1").is_none());
        // A second file, written in place, then removed.
        let second = h.write_conf(
            "20-w.conflist",
            &list(
                "np-w3",
                "1.0.0",
                vec![bridge(h, "npbr1", &["198.18.42.0/24"])],
            ),
        );
        eventually("the second file is loaded", || {
            rt.network("np-w3").is_some()
        });
        std::fs::remove_file(&second).unwrap();
        eventually("the removed file is dropped", || {
            rt.network("np-w3").is_none()
        });
        // Removed: no network left.
        std::fs::remove_file(&file).unwrap();
        eventually("the default network is gone", || {
            rt.default_network_name().is_none()
        });
        // After shutdown, changes are not followed any more.
        rt.shutdown();
        let generation = rt.generation();
        h.write_conf(
            "30-w.conflist",
            &list(
                "np-w4",
                "1.0.0",
                vec![bridge(h, "npbr0", &["198.18.41.0/24"])],
            ),
        );
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(rt.generation(), generation);
        assert!(rt.network("np-w4").is_none());
    });
}
