//! The CNI runtime's own cost per pod, without the plugins' time.
//!
//! - CPU of this process (`getrusage(RUSAGE_SELF)`: every thread, no child) per ADD and per
//!   DEL of a bridge + host-local pod through [`Cni`] (libcni's level), next to the same
//!   through libcni 1.1.2 itself (`tests/cni/libcni/main.go`'s `bench` mode, which measures
//!   its own process the same way; built offline with Debian's golang-go and
//!   golang-github-appc-cni-dev);
//! - the same per pod through [`CniRuntime::set_up_pod`] / `tear_down_pod` (ocicni's level:
//!   lo over netlink, the cache read for the teardown);
//! - 100 pods set up one after another and in parallel (16 threads), wall time and CPU.
//!
//! Where the CPU goes (measured with `perf record -g` on this machine): the runtime's own
//! work (JSON, the cache, spawning, polling the pipes) is a small part; most of the system
//! time charged to the runtime is the kernel pruning the plugin's `/proc/PID` dentries when
//! the runtime reaps it (`wait4` → `release_task` → `proc_invalidate_siblings_dcache` →
//! `d_walk`): a Go plugin that switches namespaces leaves many of them, and whoever reaps
//! it pays. libcni pays the same. So the bench also measures a floor: the same plugin
//! calls made with `std::process::Command` (spawn, stdin, read stdout, reap), interleaved
//! with netplumb's; netplumb's own cost is the difference.
//!
//! Target: under 1 ms of runtime CPU per ADD. Everything runs in a throwaway namespace that
//! plays the host, with the cache and host-local's store in a temporary directory; pods are
//! anonymous namespaces handed to the plugins as `/proc/PID/fd/N`.
//!
//! `sudo cargo bench --features cni --bench cni` (`NETPLUMB_BENCH=full` for 100 ADDs per
//! measurement instead of 30).

mod common;

use common::{Cost, Meter, Report, Target};
use netplumb::NetNs;
use netplumb::cni::{Cni, CniRuntime, NetworkConfigList, PodNetwork, RuntimeConf};
use std::os::fd::{AsFd, AsRawFd};
use std::path::{Path, PathBuf};
use std::process::Command;

const PLUGINS: &str = "/usr/lib/cni";
const GOCODE: &str = "/usr/share/gocode";

fn path_of(ns: &NetNs) -> String {
    format!("/proc/{}/fd/{}", std::process::id(), ns.as_fd().as_raw_fd())
}

fn add_cost(a: Cost, b: Cost) -> Cost {
    Cost {
        wall: a.wall + b.wall,
        user: a.user + b.user,
        sys: a.sys + b.sys,
        faults: a.faults + b.faults,
    }
}

fn cpu(c: &Cost) -> f64 {
    c.user + c.sys
}

/// Builds the libcni oracle; `None` without go or libcni's source.
fn libcni_oracle(dir: &Path) -> Option<PathBuf> {
    let pkg = dir.join("gopath/src/nplibcni");
    std::fs::create_dir_all(&pkg).ok()?;
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cni/libcni/main.go");
    std::fs::copy(src, pkg.join("main.go")).ok()?;
    let bin = dir.join("np-libcni");
    let ok = Command::new("go")
        .args(["build", "-o"])
        .arg(&bin)
        .arg("nplibcni")
        .env(
            "GOPATH",
            format!("{}:{GOCODE}", dir.join("gopath").display()),
        )
        .env("GO111MODULE", "off")
        .env("GOFLAGS", "")
        .env("GOCACHE", dir.join("gocache"))
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    ok.then_some(bin)
}

/// One plugin call the plainest way: `std::process::Command` with the `CNI_*` environment,
/// stdin written, stdout read, the child reaped (what any runtime must do at least).
fn plain_call(list: &NetworkConfigList, rt: &RuntimeConf, verb: &str) {
    use std::io::Write;
    let plugin = &list.plugins[0];
    let stdin = Cni::plugin_stdin(list, plugin, None, Some(rt));
    let mut child = Command::new(Path::new(PLUGINS).join(&plugin.plugin_type))
        .env("CNI_COMMAND", verb)
        .env("CNI_CONTAINERID", &rt.container_id)
        .env("CNI_NETNS", &rt.netns)
        .env("CNI_IFNAME", &rt.if_name)
        .env("CNI_ARGS", "")
        .env("CNI_PATH", PLUGINS)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn the plugin");
    child.stdin.take().unwrap().write_all(&stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{verb}: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

fn main() {
    let mut r = Report::new("cni");
    if !common::privileged() || !Path::new(PLUGINS).join("bridge").is_file() {
        r.note("skipped: needs root and containernetworking-plugins (/usr/lib/cni)");
        eprintln!("SKIPPED cni: needs root and /usr/lib/cni");
        return;
    }
    let n = if common::full() { 100 } else { 30 };
    let dir = std::env::temp_dir().join(format!("np-bench-cni-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("net.d")).expect("temp dir");
    let conflist = dir.join("net.d/10-bench.conflist");
    let network = serde_json::json!({
        "cniVersion": "1.0.0",
        "name": "bench",
        "plugins": [{"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": false,
                     "ipam": {"type": "host-local", "dataDir": dir.join("ipam"),
                              "ranges": [[{"subnet": "198.18.0.0/22"}]],
                              "routes": [{"dst": "0.0.0.0/0"}]}}]
    });
    std::fs::write(&conflist, serde_json::to_vec(&network).unwrap()).unwrap();
    let oracle = libcni_oracle(&dir.join("go"));
    let host = NetNs::new_anonymous().expect("host namespace");
    host.run(|| run(&mut r, n, &dir, &conflist, oracle.as_deref()))
        .expect("run in the host namespace");
    let _ = std::fs::remove_dir_all(&dir);
}

fn run(r: &mut Report, n: usize, dir: &Path, conflist: &Path, oracle: Option<&Path>) {
    netplumb::Handle::new().unwrap().link_up("lo").unwrap();
    let list = NetworkConfigList::from_file(conflist).unwrap();
    let cni = Cni::new(vec![PathBuf::from(PLUGINS)], dir.join("cache"));
    let pod = NetNs::new_anonymous().unwrap();
    let pod_path = path_of(&pod);
    // Warm up: the bridge is made by the first ADD.
    let warm = RuntimeConf {
        container_id: "warm".into(),
        netns: pod_path.clone(),
        if_name: "eth0".into(),
        ..Default::default()
    };
    cni.add_list(&list, &warm, None).unwrap();
    cni.del_list(&list, &warm, None).unwrap();

    // libcni level: ADD and DEL through Cni, interleaved with the floor (the same plugin
    // calls through std::process).
    let (mut add, mut del) = (Cost::default(), Cost::default());
    let (mut floor_add, mut floor_del) = (Cost::default(), Cost::default());
    for i in 0..n {
        let rt = RuntimeConf {
            container_id: format!("np-bench-{i}"),
            ..warm.clone()
        };
        let m = Meter::start();
        cni.add_list(&list, &rt, None).unwrap();
        add = add_cost(add, m.stop());
        let m = Meter::start();
        cni.del_list(&list, &rt, None).unwrap();
        del = add_cost(del, m.stop());
        let rt = RuntimeConf {
            container_id: format!("std-bench-{i}"),
            ..warm.clone()
        };
        let m = Meter::start();
        plain_call(&list, &rt, "ADD");
        floor_add = add_cost(floor_add, m.stop());
        let m = Meter::start();
        plain_call(&list, &rt, "DEL");
        floor_del = add_cost(floor_del, m.stop());
    }
    r.measure("add_bridge_host_local", n, "netplumb", add);
    r.measure("del_bridge_host_local", n, "netplumb", del);
    r.measure("add_bridge_host_local", n, "std::process floor", floor_add);
    r.measure("del_bridge_host_local", n, "std::process floor", floor_del);
    let per = |c: &Cost| cpu(c) / n as f64 * 1e3;
    println!(
        "netplumb: {:.3} ms CPU per ADD ({:.3} user), {:.3} ms per DEL; wall {:.1} ms per ADD",
        per(&add),
        add.user / n as f64 * 1e3,
        per(&del),
        add.wall / n as f64 * 1e3
    );
    println!(
        "floor (std::process, same plugin calls): {:.3} ms CPU per ADD, {:.3} ms per DEL",
        per(&floor_add),
        per(&floor_del)
    );
    let own_add = (per(&add) - per(&floor_add)).max(0.0);
    println!(
        "netplumb's own CPU above the floor: {own_add:.3} ms per ADD, {:.3} ms per DEL",
        (per(&del) - per(&floor_del)).max(0.0)
    );
    r.check(
        "runtime CPU per ADD above spawning and reaping the plugin",
        own_add,
        "ms",
        "< 1 ms",
        own_add < 1.0,
    );
    r.check(
        "runtime CPU per ADD, all included",
        per(&add),
        "ms",
        "< 1 ms",
        per(&add) < 1.0,
    );
    match oracle {
        Some(go) => {
            let out = Command::new(go)
                .args(["bench", &n.to_string()])
                .arg(dir.join("go-cache"))
                .arg(PLUGINS)
                .arg(conflist)
                .arg(&pod_path)
                .output()
                .expect("run np-libcni");
            assert!(
                out.status.success(),
                "np-libcni bench: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let (go_add, go_del) = (
                v["add_cpu_s"].as_f64().unwrap(),
                v["del_cpu_s"].as_f64().unwrap(),
            );
            println!(
                "libcni:   {:.3} ms CPU per ADD, {:.3} ms per DEL",
                go_add / n as f64 * 1e3,
                go_del / n as f64 * 1e3
            );
            r.compare(
                "add_cpu_per_pod",
                n,
                "cpu_s",
                ("netplumb", cpu(&add) / n as f64),
                ("libcni", go_add / n as f64),
                Target::None,
            );
            r.compare(
                "del_cpu_per_pod",
                n,
                "cpu_s",
                ("netplumb", cpu(&del) / n as f64),
                ("libcni", go_del / n as f64),
                Target::None,
            );
        }
        None => r.note("libcni rows skipped: go or golang-github-appc-cni-dev missing"),
    }

    // ocicni level: pods through the runtime, one after another, then 16 at a time.
    let runtime = CniRuntime::builder()
        .conf_dir(conflist.parent().unwrap())
        .bin_dir(PLUGINS)
        .cache_dir(dir.join("rt-cache"))
        .watch(false)
        .build()
        .unwrap();
    let pods: Vec<NetNs> = (0..100).map(|_| NetNs::new_anonymous().unwrap()).collect();
    let specs: Vec<PodNetwork> = pods
        .iter()
        .enumerate()
        .map(|(i, ns)| PodNetwork {
            name: format!("p{i}"),
            namespace: "bench".into(),
            id: format!("rt-bench-{i}"),
            netns: path_of(ns),
            ..Default::default()
        })
        .collect();
    let m = Meter::start();
    for s in &specs {
        runtime.set_up_pod(s, None).unwrap();
    }
    let up = m.stop();
    let m = Meter::start();
    for s in &specs {
        runtime.tear_down_pod(s, None).unwrap();
    }
    let down = m.stop();
    r.measure("set_up_100_pods_sequential", 100, "netplumb", up);
    r.measure("tear_down_100_pods_sequential", 100, "netplumb", down);
    println!(
        "runtime, 100 pods one after another: set up {:.2} s wall, {:.3} ms CPU per pod; torn down {:.2} s, {:.3} ms CPU per pod",
        up.wall,
        cpu(&up) * 10.0,
        down.wall,
        cpu(&down) * 10.0
    );
    let parallel = |f: &(dyn Fn(&PodNetwork) + Sync)| {
        let m = Meter::start();
        std::thread::scope(|s| {
            for chunk in specs.chunks(specs.len().div_ceil(16)) {
                s.spawn(move || chunk.iter().for_each(f));
            }
        });
        m.stop()
    };
    let up = parallel(&|s| {
        runtime.set_up_pod(s, None).unwrap();
    });
    let down = parallel(&|s| runtime.tear_down_pod(s, None).unwrap());
    r.measure("set_up_100_pods_parallel16", 100, "netplumb", up);
    r.measure("tear_down_100_pods_parallel16", 100, "netplumb", down);
    println!(
        "runtime, 100 pods 16 at a time: set up {:.2} s wall, {:.3} ms CPU per pod; torn down {:.2} s, {:.3} ms CPU per pod",
        up.wall,
        cpu(&up) * 10.0,
        down.wall,
        cpu(&down) * 10.0
    );
    let left = std::fs::read_dir(dir.join("rt-cache/results"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(left, 0, "cache entries left");
}
