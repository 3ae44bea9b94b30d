//! Shared fixtures for kernel tests: a throwaway named namespace per test, `ip` in it, and
//! hand-built request payloads.
//!
//! Every kernel test works in a namespace it created, never in the host's. Without
//! privilege a test prints `SKIPPED <test>: needs root/CAP_NET_ADMIN` and returns, unless
//! `NETPLUMB_REQUIRE_PRIVILEGED=1`, which turns the skip into a failure (for CI runs that
//! must exercise the kernel).
//!
//! ```ignore
//! mod common;
//! use common::TestNs;
//!
//! #[test]
//! fn something() {
//!     let Some(t) = TestNs::new("something") else { return };
//!     t.ip(&["link", "add", "a", "type", "veth", "peer", "b"]);
//!     let h = t.handle();
//!     // ...
//! }
//! ```
#![allow(dead_code)] // each test file uses a different part

pub mod golden;

use netplumb::wire::Builder;
use netplumb::wire::attr::AttrIter;
use netplumb::{Error, Handle, IpNet, NetNs};
use std::io::Write;
use std::net::IpAddr;
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Whether this process may create network namespaces (root or CAP_SYS_ADMIN +
/// CAP_NET_ADMIN), probed once by creating an anonymous one.
pub fn privileged() -> bool {
    static PRIVILEGED: OnceLock<bool> = OnceLock::new();
    *PRIVILEGED.get_or_init(|| NetNs::new_anonymous().is_ok())
}

/// Returns false, after saying so loudly, when `test` must be skipped for lack of
/// privilege; panics instead when `NETPLUMB_REQUIRE_PRIVILEGED=1`.
pub fn require_privilege(test: &str) -> bool {
    if privileged() {
        return true;
    }
    if std::env::var("NETPLUMB_REQUIRE_PRIVILEGED").as_deref() == Ok("1") {
        panic!("{test}: needs root/CAP_NET_ADMIN and NETPLUMB_REQUIRE_PRIVILEGED=1");
    }
    // Straight to stderr: libtest captures eprintln! of passing tests.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {test}: needs root/CAP_NET_ADMIN"
    );
    false
}

/// Whether `program` runs (`program --version`); otherwise false after saying loudly that
/// `test` is skipped for want of the Debian package `package`, or a panic under
/// `NETPLUMB_REQUIRE_PRIVILEGED=1` (where `.ci/run` has installed it).
pub fn require_program(test: &str, program: &str, package: &str) -> bool {
    static FOUND: std::sync::Mutex<Vec<(String, bool)>> = std::sync::Mutex::new(Vec::new());
    let mut found = FOUND.lock().unwrap_or_else(|e| e.into_inner());
    let ok = match found.iter().find(|(p, _)| p == program) {
        Some(&(_, ok)) => ok,
        None => {
            let ok = std::process::Command::new(program)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success());
            found.push((program.to_string(), ok));
            ok
        }
    };
    if ok {
        return true;
    }
    if std::env::var("NETPLUMB_REQUIRE_PRIVILEGED").as_deref() == Ok("1") {
        panic!("{test}: needs {program} (Debian package {package}; .ci/run installs it)");
    }
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {test}: needs {program} (Debian package {package})"
    );
    false
}

/// A fresh anonymous namespace for `test`, or `None` when skipping.
pub fn anonymous_ns(test: &str) -> Option<NetNs> {
    if !require_privilege(test) {
        return None;
    }
    Some(NetNs::new_anonymous().expect("create an anonymous network namespace"))
}

/// Runs `f` on a new thread moved into a brand-new network namespace
/// (`unshare(CLONE_NEWNET)` affects only that thread; the namespace goes away with the thread
/// and its fds) and returns what `f` returns; a panic in `f` is raised again here. `None`
/// when `test` must be skipped (see [`require_privilege`]).
pub fn in_new_netns<T: Send + 'static>(
    test: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    if !require_privilege(test) {
        return None;
    }
    let worker = std::thread::spawn(move || {
        let before = std::fs::read_link("/proc/thread-self/ns/net").unwrap();
        nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNET).expect("unshare(CLONE_NEWNET)");
        let after = std::fs::read_link("/proc/thread-self/ns/net").unwrap();
        assert_ne!(before, after, "the thread did not get a new namespace");
        f()
    });
    match worker.join() {
        Ok(v) => Some(v),
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// Runs `ip ARGS...` as a child of the calling thread, hence in its namespace, asserting
/// success.
pub fn ip_here(args: &[&str]) {
    let out = Command::new("ip").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "ip {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A unique namespace name: `np-<pid>-<counter>`.
pub fn unique_name() -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    format!(
        "np-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// `s` (`"198.18.0.0/15"`) as an [`IpNet`].
pub fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}

/// `s` (`"198.18.0.1"`) as an [`IpAddr`].
pub fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// The text of the kernel's extended ack in `e`, which must be a kernel error.
pub fn kernel_text(e: &Error) -> String {
    e.kernel()
        .unwrap_or_else(|| panic!("not a kernel error: {e:?}"))
        .text()
}

/// A named namespace made with the crate's own `NetNs::add`, deleted on drop (also when the
/// test panics), so that `ip -n NAME ...` can be used for comparisons.
pub struct TestNs {
    name: String,
    ns: NetNs,
}

impl TestNs {
    /// A new namespace for `test`, or `None` when the test must be skipped.
    pub fn new(test: &str) -> Option<TestNs> {
        if !require_privilege(test) {
            return None;
        }
        let name = unique_name();
        let ns = NetNs::add(&name).unwrap_or_else(|e| panic!("{test}: ip netns add {name}: {e}"));
        Some(TestNs { name, ns })
    }

    /// The namespace's name under /run/netns.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The namespace.
    pub fn ns(&self) -> &NetNs {
        &self.ns
    }

    /// Turns duplicate address detection off in the namespace (`all` and `default`, so that
    /// links made afterwards inherit it).
    pub fn dad_off(&self) {
        self.ns
            .run(|| {
                let sysctl = netplumb::sysctl::Sysctls::current();
                sysctl.set("net.ipv6.conf.all.accept_dad", "0")?;
                sysctl.set("net.ipv6.conf.default.accept_dad", "0")
            })
            .unwrap()
            .unwrap();
    }

    /// `ip link set lo up`.
    pub fn lo_up(&self) {
        self.ip(&["link", "set", "lo", "up"]);
    }

    /// `ip link add A type veth peer name B`.
    pub fn add_veth(&self, a: &str, b: &str) {
        self.ip(&["link", "add", a, "type", "veth", "peer", "name", b]);
    }

    /// A handle bound to the namespace.
    pub fn handle(&self) -> Handle {
        Handle::in_netns(&self.ns).expect("open a netlink handle in the test namespace")
    }

    /// Runs `ip -n NAME ARGS...`.
    pub fn try_ip(&self, args: &[&str]) -> Output {
        Command::new("ip")
            .arg("-n")
            .arg(&self.name)
            .args(args)
            .output()
            .expect("run ip")
    }

    /// Runs `ip -n NAME ARGS...`, asserting success; returns its standard output.
    pub fn ip(&self, args: &[&str]) -> String {
        let out = self.try_ip(args);
        assert!(
            out.status.success(),
            "ip -n {} {}: {}",
            self.name,
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("ip output is UTF-8")
    }

    /// Runs `ip -j -n NAME ARGS...` and parses its JSON output.
    pub fn ip_json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["-j"];
        all.extend_from_slice(args);
        let text = self.ip(&all);
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("ip -j {args:?}: {e}: {text}"))
    }

    /// The link names `ip -j link show` lists, sorted.
    pub fn ip_link_names(&self) -> Vec<String> {
        let v = self.ip_json(&["link", "show"]);
        let mut names: Vec<String> = v
            .as_array()
            .expect("ip -j link show gives an array")
            .iter()
            .map(|l| l["ifname"].as_str().expect("ifname").to_string())
            .collect();
        names.sort();
        names
    }
}

impl Drop for TestNs {
    fn drop(&mut self) {
        if let Err(e) = NetNs::delete(&self.name) {
            let _ = writeln!(
                std::io::stderr(),
                "warning: ip netns delete {}: {e}",
                self.name
            );
        }
    }
}

// ---- hand-built rtnetlink payloads (the typed builders live in the ops modules) ----

/// `IFLA_IFNAME`.
pub const IFLA_IFNAME: u16 = 3;
/// `IFLA_LINKINFO`.
pub const IFLA_LINKINFO: u16 = 18;
/// `IFLA_INFO_KIND`.
pub const IFLA_INFO_KIND: u16 = 1;
/// `IFLA_INFO_DATA`.
pub const IFLA_INFO_DATA: u16 = 2;
/// `VETH_INFO_PEER`.
pub const VETH_INFO_PEER: u16 = 1;
/// `IFA_ADDRESS`.
pub const IFA_ADDRESS: u16 = 1;
/// `IFA_LOCAL`.
pub const IFA_LOCAL: u16 = 2;
/// `IFF_UP`.
pub const IFF_UP: u32 = 1;
/// `sizeof(struct ifinfomsg)`.
pub const IFINFOMSG_LEN: usize = 16;

/// `struct ifinfomsg` (family AF_UNSPEC).
pub fn ifinfomsg(b: &mut Builder<'_>, index: i32, flags: u32, change: u32) {
    b.put_u8(0).unwrap(); // ifi_family
    b.put_u8(0).unwrap(); // pad
    b.put_u16(0).unwrap(); // ifi_type
    b.put_i32(index).unwrap();
    b.put_u32(flags).unwrap();
    b.put_u32(change).unwrap();
}

/// An empty `ifinfomsg`: the payload of an `RTM_GETLINK` dump.
pub fn link_dump_request() -> Vec<u8> {
    vec![0; IFINFOMSG_LEN]
}

/// `RTM_NEWLINK` payload setting link `index` up (`ip link set dev X up`).
pub fn link_up(index: i32) -> Vec<u8> {
    let mut b = Builder::new();
    ifinfomsg(&mut b, index, IFF_UP, IFF_UP);
    b.into_vec()
}

/// `RTM_NEWLINK` payload for `ip link add NAME type KIND`.
pub fn link_of_kind(name: &str, kind: &str) -> Vec<u8> {
    let mut b = Builder::new();
    ifinfomsg(&mut b, 0, 0, 0);
    b.attr_str(IFLA_IFNAME, name).unwrap();
    b.nested(IFLA_LINKINFO, |b| b.attr_str(IFLA_INFO_KIND, kind))
        .unwrap();
    b.into_vec()
}

/// `RTM_NEWLINK` payload for `ip link add NAME type veth peer name PEER`.
pub fn veth(name: &str, peer: &str) -> Vec<u8> {
    let mut b = Builder::new();
    ifinfomsg(&mut b, 0, 0, 0);
    b.attr_str(IFLA_IFNAME, name).unwrap();
    b.nested(IFLA_LINKINFO, |b| {
        b.attr_str(IFLA_INFO_KIND, "veth")?;
        b.nested(IFLA_INFO_DATA, |b| {
            b.nested(VETH_INFO_PEER, |b| {
                ifinfomsg(b, 0, 0, 0);
                b.attr_str(IFLA_IFNAME, peer)
            })
        })
    })
    .unwrap();
    b.into_vec()
}

/// `RTM_DELLINK` payload for `ip link del NAME`.
pub fn link_by_name(name: &str) -> Vec<u8> {
    let mut b = Builder::new();
    ifinfomsg(&mut b, 0, 0, 0);
    b.attr_str(IFLA_IFNAME, name).unwrap();
    b.into_vec()
}

/// `RTM_NEWADDR` payload for `ip addr add ADDR/32 dev INDEX` (IPv4).
pub fn ipv4_addr(index: u32, addr: [u8; 4]) -> Vec<u8> {
    let mut b = Builder::new();
    b.put_u8(libc::AF_INET as u8).unwrap(); // ifa_family
    b.put_u8(32).unwrap(); // ifa_prefixlen
    b.put_u8(0).unwrap(); // ifa_flags
    b.put_u8(0).unwrap(); // ifa_scope
    b.put_u32(index).unwrap(); // ifa_index
    b.attr(IFA_LOCAL, &addr).unwrap();
    b.attr(IFA_ADDRESS, &addr).unwrap();
    b.into_vec()
}

/// `IFLA_IFNAME` of an `RTM_NEWLINK` payload.
pub fn link_name(payload: &[u8]) -> netplumb::Result<String> {
    let attrs = payload.get(IFINFOMSG_LEN..).unwrap_or(&[]);
    let a = AttrIter::with_base(attrs, IFINFOMSG_LEN).find(IFLA_IFNAME)?;
    Ok(a.map(|a| a.ifname("IFLA_IFNAME").map(str::to_string))
        .transpose()?
        .unwrap_or_default())
}

/// `ifi_index` of an `RTM_NEWLINK` payload.
pub fn link_index(payload: &[u8]) -> i32 {
    i32::from_ne_bytes(payload[4..8].try_into().unwrap())
}

/// The link names of a dump through `h`, sorted.
pub fn dump_link_names(h: &Handle) -> netplumb::Result<Vec<String>> {
    let mut names: Vec<String> = h
        .dump_map(
            netplumb::wire::nlmsg::RTM_GETLINK,
            &link_dump_request()[..],
            link_name,
        )?
        .collect::<netplumb::Result<_>>()?;
    names.sort();
    Ok(names)
}

/// The number of open file descriptors of this process.
pub fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}
