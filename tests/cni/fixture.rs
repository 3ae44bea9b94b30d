//! The stage of every CNI test: a throwaway namespace that plays the host, private
//! directories, pods as named namespaces, configuration builders, and checks that nothing
//! was left behind.

use crate::common::{TestNs, require_privilege};
use netplumb::NetNs;
use netplumb::cni::{Cni, RuntimeConf};
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Debian's plugins.
pub const CNI_BIN: &str = "/usr/lib/cni";

/// True in CI, where a missing prerequisite must fail rather than skip.
pub fn required() -> bool {
    std::env::var("NETPLUMB_REQUIRE_PRIVILEGED").as_deref() == Ok("1")
}

/// Skips `test` loudly (or fails it in CI) when `what` is missing.
pub fn skip(test: &str, what: &str) {
    if required() {
        panic!("{test}: {what} (install it; .ci/run should)");
    }
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {what}");
}

fn plugins_installed(test: &str) -> bool {
    if Path::new(CNI_BIN).join("bridge").is_file() {
        return true;
    }
    skip(
        test,
        "containernetworking-plugins is not installed (/usr/lib/cni/bridge)",
    );
    false
}

/// A directory under the system's temporary directory, removed on drop.
pub struct Scratch {
    path: PathBuf,
}

impl Scratch {
    pub fn new(tag: &str) -> Scratch {
        static N: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "np-cni-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Scratch { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// The host's stand-in: the current thread's (throwaway) namespace and private directories.
pub struct Host {
    pub scratch: Scratch,
    /// Network configurations.
    pub conf: PathBuf,
    /// Fault plugins (after /usr/lib/cni in the search order).
    pub bin: PathBuf,
    /// The CNI cache.
    pub cache: PathBuf,
    /// host-local's dataDir.
    pub data: PathBuf,
    /// tuning's dataDir.
    pub tuning: PathBuf,
}

/// Runs `f` on a thread inside a new network namespace with a fresh [`Host`]; `None` when
/// the test is skipped.
pub fn with_host<T: Send + 'static>(
    test: &'static str,
    f: impl FnOnce(&Host) -> T + Send + 'static,
) -> Option<T> {
    // The plugins, and the tools that read the host's firewall state for the checks.
    if !require_privilege(test)
        || !plugins_installed(test)
        || !crate::common::require_program(test, "nft", "nftables")
        || !crate::common::require_program(test, "iptables-save", "iptables")
    {
        return None;
    }
    crate::common::in_new_netns(test, move || {
        let host = Host::new(test);
        // The host's lo, as on a real host (portmap's hairpin and local traffic use it).
        crate::common::ip_here(&["link", "set", "lo", "up"]);
        f(&host)
    })
}

impl Host {
    fn new(test: &str) -> Host {
        let scratch = Scratch::new(test);
        let p = scratch.path().to_path_buf();
        let h = Host {
            conf: p.join("net.d"),
            bin: p.join("bin"),
            cache: p.join("cache"),
            data: p.join("data"),
            tuning: p.join("tuning"),
            scratch,
        };
        for d in [&h.conf, &h.bin] {
            std::fs::create_dir_all(d).unwrap();
        }
        h
    }

    /// The bin directories: Debian's, then the fault plugins.
    pub fn bin_dirs(&self) -> Vec<PathBuf> {
        vec![PathBuf::from(CNI_BIN), self.bin.clone()]
    }

    pub fn cni(&self) -> Cni {
        Cni::new(self.bin_dirs(), &self.cache)
    }

    /// Writes `value` as `conf/file`.
    pub fn write_conf(&self, file: &str, value: &Value) -> PathBuf {
        let p = self.conf.join(file);
        std::fs::write(&p, serde_json::to_vec_pretty(value).unwrap()).unwrap();
        p
    }

    /// Installs `tests/cni/fault/NAME` as plugin `NAME`.
    pub fn install_fault(&self, name: &str) {
        use std::os::unix::fs::PermissionsExt;
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cni/fault");
        for file in [name, "np-fault-common.sh"] {
            let (src, dst) = (dir.join(file), self.bin.join(file));
            std::fs::copy(&src, &dst).unwrap_or_else(|e| panic!("copy {}: {e}", src.display()));
            std::fs::set_permissions(&dst, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }

    /// What the fault plugins noted, one line per note.
    pub fn log_lines(&self) -> Vec<String> {
        std::fs::read_to_string(self.log())
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// A file for a fault plugin to write what it saw into (`NP_FAULT_LOG`).
    pub fn log(&self) -> PathBuf {
        self.scratch.path().join("fault.log")
    }

    /// The addresses host-local holds for network `net` (its dataDir minus bookkeeping).
    pub fn allocations(&self, net: &str) -> Vec<String> {
        let dir = self.data.join(net);
        let Ok(rd) = std::fs::read_dir(&dir) else {
            return Vec::new();
        };
        let mut v: Vec<String> = rd
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n != "lock" && !n.starts_with("last_reserved_ip"))
            .collect();
        v.sort();
        v
    }

    /// The cache files.
    pub fn cache_files(&self) -> Vec<String> {
        let Ok(rd) = std::fs::read_dir(self.cache.join("results")) else {
            return Vec::new();
        };
        let mut v: Vec<String> = rd
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    /// Asserts that no attachment of `net` is left: no veth in the host, no address held,
    /// no cache entry, no iptables chain of a container.
    pub fn assert_clean(&self, net: &str) {
        let veths = || -> Vec<String> {
            host_links()
                .into_iter()
                .filter(|l| l["linkinfo"]["info_kind"] == "veth")
                .map(|l| l["ifname"].as_str().unwrap_or_default().to_string())
                .collect()
        };
        // A deleted namespace is dismantled by the kernel in the background: the host end
        // of its veth goes a moment later.
        let mut left = veths();
        for _ in 0..100 {
            if left.is_empty() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
            left = veths();
        }
        assert!(left.is_empty(), "veths left in the host: {left:?}");
        assert!(
            self.allocations(net).is_empty(),
            "addresses held: {:?}",
            self.allocations(net)
        );
        assert!(
            self.cache_files().is_empty(),
            "cache entries left: {:?}",
            self.cache_files()
        );
        let rules = iptables_save();
        for marker in ["CNI-DN-", "CNI-FORWARD -s", "CNI-SN-"] {
            assert!(
                !rules.contains(marker),
                "iptables rules left ({marker}):\n{rules}"
            );
        }
    }
}

/// Everything an attachment of the networks `nets` can leave behind in the host: links,
/// addresses and routes, iptables and nftables rules, host-local's leases, tuning's saved
/// state and the cache. Left out is what changes by itself or from one pod to the next
/// whatever the runtime does: carrier and timers, a bridge's MAC (a bridge takes its last
/// port's), IPv6 link-local addresses and routes, rule counters, iptables-save's comments.
pub fn host_state(h: &Host, nets: &[&str]) -> Value {
    let links: Vec<Value> = host_links()
        .iter()
        .map(|l| {
            let flags: Vec<&Value> = l["flags"]
                .as_array()
                .map(|f| {
                    f.iter()
                        .filter(|f| *f != "NO-CARRIER" && *f != "LOWER_UP")
                        .collect()
                })
                .unwrap_or_default();
            json!({"name": l["ifname"], "kind": l["linkinfo"]["info_kind"],
                   "master": l["master"], "mtu": l["mtu"], "flags": flags})
        })
        .collect();
    let addrs: Vec<Value> = serde_json::from_str::<Value>(&run("ip", &["-j", "addr", "show"]))
        .unwrap()
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .flat_map(|l| {
            let dev = l["ifname"].clone();
            l["addr_info"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .filter(|a| !(a["family"] == "inet6" && a["scope"] == "link"))
                .map(move |a| json!([dev, a["local"], a["prefixlen"]]))
        })
        .collect();
    let mut routes = Vec::new();
    for family in ["-4", "-6"] {
        let out = run("ip", &["-j", family, "route", "show", "table", "all"]);
        for r in serde_json::from_str::<Value>(&out)
            .unwrap()
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            let dst = r["dst"].as_str().unwrap_or_default();
            if dst.starts_with("fe80") || dst.starts_with("ff00") {
                continue;
            }
            routes.push(json!([
                r["type"],
                dst,
                r["gateway"],
                r["dev"],
                r["table"],
                r["protocol"],
                r["prefsrc"]
            ]));
        }
    }
    let rules: Vec<String> = (iptables_save() + &run("nft", &["list", "ruleset"]))
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            // Counters: `[0:0]` in iptables-save, `packets 0 bytes 0` in nft.
            let l = zero_counters(l);
            l.trim_end().to_string()
        })
        .collect();
    let files = |dir: &Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    };
    json!({
        "links": links,
        "addrs": addrs,
        "routes": routes,
        "rules": rules,
        "leases": nets.iter().map(|n| h.allocations(n)).collect::<Vec<_>>(),
        "tuning": files(&h.tuning),
        "cache": h.cache_files(),
    })
}

/// `l` with every rule counter zeroed: `[N:M]` and `packets N bytes M`.
fn zero_counters(l: &str) -> String {
    let mut out = String::with_capacity(l.len());
    let mut words = l.split(' ').peekable();
    let mut first = true;
    while let Some(w) = words.next() {
        if !first {
            out.push(' ');
        }
        first = false;
        let counter = w.len() > 2
            && w.starts_with('[')
            && w.ends_with(']')
            && w[1..w.len() - 1]
                .split(':')
                .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if counter {
            out.push_str("[0:0]");
        } else if w == "packets" || w == "bytes" {
            out.push_str(w);
            if words.next().is_some() {
                out.push_str(" 0");
            }
        } else {
            out.push_str(w);
        }
    }
    out
}

/// Runs a command in the calling thread's namespace; returns stdout, asserting success.
pub fn run(cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{cmd}: {e}"));
    assert!(
        out.status.success(),
        "{cmd} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `ip -d -j link show` in the calling thread's namespace.
pub fn host_links() -> Vec<Value> {
    serde_json::from_str::<Value>(&run("ip", &["-d", "-j", "link", "show"]))
        .unwrap()
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// `iptables-save` and `ip6tables-save` in the calling thread's namespace.
pub fn iptables_save() -> String {
    run("iptables-save", &[]) + &run("ip6tables-save", &[])
}

/// A pod: a named namespace (removed on drop) and its path.
pub struct Pod {
    pub ns: Option<TestNs>,
    pub path: String,
}

impl Pod {
    pub fn new(test: &str) -> Pod {
        let ns = TestNs::new(test).expect("privileged (checked before)");
        let path = format!("/run/netns/{}", ns.name());
        Pod { ns: Some(ns), path }
    }

    pub fn ns(&self) -> &TestNs {
        self.ns.as_ref().expect("the pod's namespace is gone")
    }

    /// Deletes the namespace now.
    pub fn remove(&mut self) {
        self.ns = None;
    }

    /// The plugin arguments for container `id` on `ifname`.
    pub fn rt(&self, id: &str, ifname: &str) -> RuntimeConf {
        RuntimeConf {
            container_id: id.into(),
            netns: self.path.clone(),
            if_name: ifname.into(),
            args: vec![("IgnoreUnknown".into(), "1".into())],
            ..Default::default()
        }
    }

    /// The link names in the pod.
    pub fn links(&self) -> Vec<String> {
        self.ns().ip_link_names()
    }

    pub fn netns(&self) -> &NetNs {
        self.ns().ns()
    }
}

/// host-local IPAM on `ranges` (one range set per entry), with a default route per family.
pub fn host_local(h: &Host, ranges: &[&str]) -> Value {
    let sets: Vec<Value> = ranges.iter().map(|r| json!([{ "subnet": r }])).collect();
    let mut routes = vec![json!({"dst": "0.0.0.0/0"})];
    if ranges.iter().any(|r| r.contains(':')) {
        routes.push(json!({"dst": "::/0"}));
    }
    json!({"type": "host-local", "dataDir": h.data, "ranges": sets, "routes": routes})
}

/// A bridge plugin object on bridge `br` with host-local on `ranges`.
pub fn bridge(h: &Host, br: &str, ranges: &[&str]) -> Value {
    json!({
        "type": "bridge",
        "bridge": br,
        "isGateway": true,
        "ipMasq": false,
        "ipam": host_local(h, ranges),
    })
}

/// A list named `name` of version `version` with `plugins`.
pub fn list(name: &str, version: &str, plugins: Vec<Value>) -> Value {
    json!({"cniVersion": version, "name": name, "plugins": plugins})
}

/// Parses a list value.
pub fn parse(v: &Value) -> netplumb::cni::NetworkConfigList {
    netplumb::cni::NetworkConfigList::from_bytes(&serde_json::to_vec(v).unwrap()).unwrap()
}

/// The first address of the first interface in the pod, from a result.
pub fn pod_ip(r: &netplumb::cni::CniResult, v4: bool) -> std::net::IpAddr {
    r.ips
        .iter()
        .find(|i| i.address.is_ipv4() == v4)
        .unwrap_or_else(|| panic!("no {} address in {r:?}", if v4 { "IPv4" } else { "IPv6" }))
        .address
        .addr()
}

/// Sends a UDP datagram from the calling thread's namespace to `to`, where a socket made
/// inside `pod` listens; true if it arrived.
pub fn udp_reaches(pod: &NetNs, to: std::net::SocketAddr) -> bool {
    use std::net::UdpSocket;
    use std::time::Duration;
    let rx = pod
        .run(|| UdpSocket::bind(to))
        .unwrap()
        .unwrap_or_else(|e| panic!("bind {to} in the pod: {e}"));
    rx.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let any = if to.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" };
    let tx = UdpSocket::bind(any).unwrap();
    let mut buf = [0u8; 16];
    // A few tries: the first datagram may wait for neighbour resolution.
    for _ in 0..5 {
        tx.send_to(b"np-cni", to).unwrap();
        if let Ok((n, _)) = rx.recv_from(&mut buf) {
            return &buf[..n] == b"np-cni";
        }
    }
    false
}

/// libcni's source as Debian installs it (golang-github-appc-cni-dev).
pub const GOCODE: &str = "/usr/share/gocode";

/// The libcni oracle (`tests/cni/libcni/main.go`), built once per test run with `go` in
/// GOPATH mode, offline; `None` (after saying so, or failing in CI) without `go` or libcni.
pub fn libcni_oracle(test: &str) -> Option<PathBuf> {
    static BUILT: std::sync::OnceLock<Result<PathBuf, String>> = std::sync::OnceLock::new();
    let built = BUILT.get_or_init(|| {
        let libcni = Path::new(GOCODE).join("src/github.com/containernetworking/cni/libcni");
        if !libcni.is_dir() {
            return Err(format!(
                "{} is missing (golang-github-appc-cni-dev)",
                libcni.display()
            ));
        }
        let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("np-libcni");
        let pkg = tmp.join("gopath/src/nplibcni");
        std::fs::create_dir_all(&pkg).map_err(|e| e.to_string())?;
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cni/libcni/main.go");
        std::fs::copy(&src, pkg.join("main.go")).map_err(|e| e.to_string())?;
        let bin = tmp.join("np-libcni");
        let out = Command::new("go")
            .args(["build", "-o"])
            .arg(&bin)
            .arg("nplibcni")
            .env(
                "GOPATH",
                format!("{}:{GOCODE}", tmp.join("gopath").display()),
            )
            .env("GO111MODULE", "off")
            .env("GOFLAGS", "")
            .env("GOCACHE", tmp.join("gocache"))
            .output()
            .map_err(|e| format!("go is missing (golang-go): {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "go build: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(bin)
    });
    match built {
        Ok(p) => Some(p.clone()),
        Err(why) => {
            skip(test, why);
            None
        }
    }
}

/// Runs the oracle with `args`; returns stdout, asserting success.
pub fn oracle(bin: &Path, args: &[&str]) -> String {
    let out = Command::new(bin).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "np-libcni {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
