//! Shared parts of the benchmarks: sizes, throwaway namespaces, CPU/wall/RSS measurement,
//! the peers (`ip`, rtnetlink) run the same way every time, and the machine-readable output
//! that `scripts/bench.sh` turns into the tables of BENCHMARKS.md.
//!
//! Every kernel benchmark works in a named namespace `np-bench-<what>-<pid>-<n>` it creates
//! with `NetNs::add` and removes on drop (also on panic); nothing touches the host's
//! namespace. Addresses come from 198.18.0.0/15 and 2001:db8::/32 only.
#![allow(dead_code)] // each bench binary uses a different part

use netplumb::wire::addr::AddressMessage;
use netplumb::wire::link::{IfFlags, LinkAttr, LinkInfo, LinkMessage};
use netplumb::wire::nlmsg::{RTM_DELLINK, RTM_NEWADDR, RTM_NEWLINK};
use netplumb::wire::route::RouteMessage;
use netplumb::wire::{Emit, NlmsgFlags};
use netplumb::{Batch, BatchMode, Handle, NetNs};
use serde_json::{Value, json};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// Sizes

/// `NETPLUMB_BENCH=full` runs the sizes of the issue (100k routes, 1,000 veth pairs, ...);
/// anything else (the default of a plain `cargo bench`) a tenth of them, to keep a run short.
pub fn full() -> bool {
    std::env::var("NETPLUMB_BENCH").as_deref() == Ok("full")
}

/// `n` in a full run, `n / 10` otherwise.
pub fn size(n: usize) -> usize {
    if full() { n } else { (n / 10).max(1) }
}

/// `NETPLUMB_BENCH_QUICK_SHARE=1` skips the extra runs that make the user-CPU share
/// statistically meaningful.
pub fn quick_share() -> bool {
    std::env::var("NETPLUMB_BENCH_QUICK_SHARE").as_deref() == Ok("1")
}

/// How many times each heavy workload runs (the median is reported).
pub fn runs() -> usize {
    std::env::var("NETPLUMB_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3)
}

/// Whether this process may create namespaces; kernel benchmarks are skipped (loudly)
/// otherwise.
pub fn privileged() -> bool {
    nix::unistd::Uid::effective().is_root() && NetNs::new_anonymous().is_ok()
}

// ---------------------------------------------------------------------------------------------
// Namespaces

/// A named namespace for one benchmark run, deleted on drop.
pub struct BenchNs {
    name: String,
    ns: Option<NetNs>,
}

impl BenchNs {
    /// Creates `np-bench-<tag>-<pid>-<n>`.
    pub fn new(tag: &str) -> BenchNs {
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "np-bench-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let ns = NetNs::add(&name).unwrap_or_else(|e| panic!("ip netns add {name}: {e}"));
        BenchNs { name, ns: Some(ns) }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn ns(&self) -> &NetNs {
        self.ns.as_ref().expect("namespace is open until drop")
    }

    /// A netplumb handle on the namespace.
    pub fn handle(&self) -> Handle {
        Handle::in_netns(self.ns()).expect("Handle::in_netns")
    }

    /// Runs `ip -n NAME args...` and panics if it fails.
    pub fn ip(&self, args: &[&str]) {
        let out = Command::new("ip")
            .args(["-n", &self.name])
            .args(args)
            .output()
            .expect("run ip");
        assert!(
            out.status.success(),
            "ip -n {} {}: {}",
            self.name,
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `ip -n NAME -batch FILE` as a measured child process, with `lines` as FILE.
    pub fn ip_batch(&self, lines: &str) -> ChildCost {
        self.batch_with("ip", &[], lines)
    }

    /// `PROGRAM -n NAME [FLAGS...] -batch FILE` as a measured child process, with `lines` as
    /// FILE: `ip` or the netplumb CLI ([`netplumb_cli`]), e.g. with `-force`.
    pub fn batch_with(
        &self,
        program: impl AsRef<std::ffi::OsStr>,
        flags: &[&str],
        lines: &str,
    ) -> ChildCost {
        let path = std::env::temp_dir().join(format!("{}.batch", self.name));
        fs::write(&path, lines).expect("write batch file");
        let c = run_child(
            Command::new(program)
                .args(["-n", &self.name])
                .args(flags)
                .arg("-batch")
                .arg(&path),
        );
        let _ = fs::remove_file(&path);
        c
    }
}

impl Drop for BenchNs {
    fn drop(&mut self) {
        drop(self.ns.take());
        if let Err(e) = NetNs::delete(&self.name) {
            eprintln!("warning: deleting namespace {}: {e}", self.name);
        }
    }
}

/// Runs `f` on a new thread inside `ns` (`setns` done by hand, as a user of rtnetlink must),
/// e.g. to create an rtnetlink connection there.
pub fn on_thread_in<T: Send>(ns: &NetNs, f: impl FnOnce() -> T + Send) -> T {
    use std::os::fd::AsFd;
    std::thread::scope(|s| {
        s.spawn(|| {
            nix::sched::setns(ns.as_fd(), nix::sched::CloneFlags::CLONE_NEWNET).expect("setns");
            f()
        })
        .join()
        .expect("thread in namespace panicked")
    })
}

/// Runs an rtnetlink workload in `ns`: a thread enters the namespace, builds a current-thread
/// tokio runtime and a connection, and runs `f(handle)` on it.
pub fn rtnl_in<T, F, Fut>(ns: &NetNs, f: F) -> T
where
    T: Send,
    F: FnOnce(rtnetlink::Handle) -> Fut + Send,
    Fut: std::future::Future<Output = T>,
{
    on_thread_in(ns, || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        rt.block_on(async {
            let (conn, handle, _) = rtnetlink::new_connection().expect("rtnetlink connection");
            let task = tokio::spawn(conn);
            let r = f(handle).await;
            task.abort();
            r
        })
    })
}

// ---------------------------------------------------------------------------------------------
// The netplumb CLI

/// The netplumb CLI binary (`src/bin/netplumb`, driven like `ip`): `$NETPLUMB_BIN`, else
/// `<target dir>/release/netplumb` (built by `scripts/bench.sh` with `cargo build --release
/// --bin netplumb`). `None` (and a message on stderr) if it is not there: the CLI rows are
/// then skipped.
pub fn netplumb_cli() -> Option<PathBuf> {
    let path = match std::env::var_os("NETPLUMB_BIN") {
        Some(p) => PathBuf::from(p),
        None => target_dir().join("release").join("netplumb"),
    };
    if path.is_file() {
        Some(path)
    } else {
        eprintln!(
            "netplumb CLI not found at {} (set NETPLUMB_BIN or run `cargo build --release --bin netplumb`): skipping the CLI rows",
            path.display()
        );
        None
    }
}

/// The note a bench records when it skips the CLI rows.
pub const CLI_MISSING: &str = "netplumb CLI rows skipped: no binary at $NETPLUMB_BIN or target/release/netplumb (`cargo build --release --bin netplumb`)";

// ---------------------------------------------------------------------------------------------
// Kernel state for the workloads

/// The link group every benchmark link is created in, so that one request deletes them all.
pub const GROUP: u32 = 7;

/// The `i`-th address of 198.18.0.0/15.
pub fn v4(i: usize) -> Ipv4Addr {
    let i = u32::try_from(i).expect("index fits u32");
    assert!(i < 1 << 17, "198.18.0.0/15 has 131072 addresses");
    Ipv4Addr::from(u32::from(Ipv4Addr::new(198, 18, 0, 0)) + i)
}

/// The `i`-th address of 2001:db8:1::/64.
pub fn v6(i: usize) -> Ipv6Addr {
    let base = u128::from(Ipv6Addr::new(0x2001, 0xdb8, 1, 0, 0, 0, 0, 0));
    Ipv6Addr::from(base + i as u128)
}

/// `NLM_F_CREATE | NLM_F_EXCL`, the flags of every `add`.
pub fn create_flags() -> NlmsgFlags {
    NlmsgFlags::CREATE | NlmsgFlags::EXCL
}

/// Sends `n` requests `make(i)` through one netplumb batch; panics on any failure.
pub fn add_batch<M: Emit>(
    h: &Handle,
    n: usize,
    msg_type: u16,
    flags: NlmsgFlags,
    make: impl Fn(usize) -> M,
) {
    let mut b = Batch::new();
    for i in 0..n {
        b.push(msg_type, flags, &make(i)).expect("encode request");
    }
    for r in h.batch(&b, BatchMode::Force).expect("batch") {
        r.expect("batched request");
    }
}

/// `RTM_NEWLINK` for veth pair `a`/`b` in [`GROUP`], as `ip link add A group 7 type veth
/// peer name B` sends it.
pub fn veth_msg(a: String, b: String) -> LinkMessage {
    LinkMessage::new(0)
        .with(LinkAttr::IfName(a))
        .with(LinkAttr::Group(GROUP))
        .with(LinkAttr::LinkInfo(LinkInfo::veth(
            LinkMessage::new(0).with(LinkAttr::IfName(b)),
        )))
}

/// Sets link `index` up.
pub fn set_up(h: &Handle, index: u32) {
    let mut m = LinkMessage::new(i32::try_from(index).expect("ifindex"));
    m.header.flags = IfFlags::UP;
    m.header.change_mask = IfFlags::UP;
    h.request(RTM_NEWLINK, NlmsgFlags::empty(), &m)
        .expect("set link up");
}

/// Creates the veth pair `dev`/`dev`p, both in [`GROUP`] and optionally up, and returns the
/// index of `dev`.
pub fn make_link(h: &Handle, dev: &str, up: bool) -> u32 {
    let peer = format!("{dev}p");
    let mut m = veth_msg(dev.to_string(), peer.clone());
    if let Some(LinkAttr::LinkInfo(info)) = m.attrs.last_mut() {
        *info = LinkInfo::veth(
            LinkMessage::new(0)
                .with(LinkAttr::IfName(peer.clone()))
                .with(LinkAttr::Group(GROUP)),
        );
    }
    h.request(RTM_NEWLINK, create_flags(), &m)
        .expect("create veth");
    let index = h.link_index(dev).expect("link index");
    if up {
        set_up(h, index);
        set_up(h, h.link_index(peer.as_str()).expect("peer index"));
    }
    index
}

/// Deletes every link of [`GROUP`] with one request (and with them their addresses, routes
/// and neighbours), so that the namespace is cheap to remove.
pub fn delete_group(h: &Handle) {
    h.request(
        RTM_DELLINK,
        NlmsgFlags::empty(),
        &LinkMessage::new(0).with(LinkAttr::Group(GROUP)),
    )
    .expect("delete link group");
}

/// The gateway of the route workloads, on the `npr0` link's 198.19.255.0/24.
pub const GW: Ipv4Addr = Ipv4Addr::new(198, 19, 255, 2);

/// The route workload's link: `npr0` up with 198.19.255.1/24, so that [`GW`] is reachable.
pub fn route_link(h: &Handle) -> u32 {
    let index = make_link(h, "npr0", true);
    h.request(
        RTM_NEWADDR,
        create_flags(),
        &AddressMessage::new(index, IpAddr::V4(Ipv4Addr::new(198, 19, 255, 1)), 24),
    )
    .expect("gateway subnet address");
    index
}

/// `ip route add 198.18.x.y/32 via 198.19.255.2`.
pub fn route_msg(i: usize) -> RouteMessage {
    RouteMessage::unicast(IpAddr::V4(v4(i)), 32).with_gateway(IpAddr::V4(GW))
}

// ---------------------------------------------------------------------------------------------
// Measurement

/// Wall time and the CPU time of this process (all threads) or of a child.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Cost {
    pub wall: f64,
    pub user: f64,
    pub sys: f64,
    /// Minor page faults (`ru_minflt`).
    pub faults: f64,
}

impl Cost {
    /// User CPU as a fraction of user + system CPU.
    pub fn user_share(&self) -> f64 {
        let cpu = self.user + self.sys;
        if cpu > 0.0 { self.user / cpu } else { 0.0 }
    }
}

fn tv(t: libc::timeval) -> f64 {
    t.tv_sec as f64 + t.tv_usec as f64 / 1e6
}

fn rusage(who: libc::c_int) -> libc::rusage {
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `ru` is a valid, writable rusage for the duration of the call.
    let r = unsafe { libc::getrusage(who, &mut ru) };
    assert_eq!(r, 0, "getrusage");
    ru
}

/// A measurement in progress (for async code, where [`measure`] does not fit).
pub struct Meter {
    before: libc::rusage,
    start: Instant,
}

impl Meter {
    pub fn start() -> Meter {
        let before = rusage(libc::RUSAGE_SELF);
        Meter {
            before,
            start: Instant::now(),
        }
    }

    pub fn stop(self) -> Cost {
        let wall = self.start.elapsed().as_secs_f64();
        let after = rusage(libc::RUSAGE_SELF);
        Cost {
            wall,
            user: tv(after.ru_utime) - tv(self.before.ru_utime),
            sys: tv(after.ru_stime) - tv(self.before.ru_stime),
            faults: (after.ru_minflt - self.before.ru_minflt) as f64,
        }
    }
}

/// Runs `f` and measures wall time and this process's user and system CPU
/// (`getrusage(RUSAGE_SELF)`, every thread of the process).
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, Cost) {
    let m = Meter::start();
    let r = f();
    (r, m.stop())
}

/// What a measured child process cost.
#[derive(Debug, Clone, Copy, Default)]
pub struct ChildCost {
    pub cost: Cost,
    /// Peak resident set of the child (`ru_maxrss`, KiB).
    pub maxrss_kib: u64,
}

/// Runs `cmd` (stdout to /dev/null) and measures it with `wait4`: wall time, the child's own
/// user and system CPU and its peak RSS. Panics if it fails.
pub fn run_child(cmd: &mut Command) -> ChildCost {
    run_child_output(cmd.stdout(Stdio::null())).0
}

/// Like [`run_child`], returning what the child printed on stdout too.
pub fn run_child_output(cmd: &mut Command) -> (ChildCost, String) {
    cmd.stdin(Stdio::null()).stderr(Stdio::piped());
    let t = Instant::now();
    let mut child = cmd.spawn().expect("spawn child");
    let mut stderr = child.stderr.take().expect("stderr pipe");
    let stdout = child.stdout.take();
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut s);
        s
    });
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(mut o) = stdout {
            let _ = std::io::Read::read_to_string(&mut o, &mut s);
        }
        s
    });
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not yet waited for (std's `Child` never waits on
    // drop); `status` and `ru` are valid for writes.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
    let wall = t.elapsed().as_secs_f64();
    drop(child);
    assert_eq!(r, pid, "wait4");
    let err = err_reader.join().unwrap_or_default();
    let out = out_reader.join().unwrap_or_default();
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{cmd:?} failed (status {status:#x}): {err}"
    );
    (
        ChildCost {
            cost: Cost {
                wall,
                user: tv(ru.ru_utime),
                sys: tv(ru.ru_stime),
                faults: ru.ru_minflt as f64,
            },
            maxrss_kib: ru.ru_maxrss as u64,
        },
        out,
    )
}

/// The run with the median wall time.
pub fn median(mut costs: Vec<Cost>) -> Cost {
    assert!(!costs.is_empty());
    costs.sort_by(|a, b| a.wall.total_cmp(&b.wall));
    costs[costs.len() / 2]
}

/// The median of plain numbers.
pub fn median_of(mut v: Vec<f64>) -> f64 {
    assert!(!v.is_empty());
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// This process's peak RSS so far (`VmHWM` in /proc/self/status), KiB.
pub fn vm_hwm_kib() -> u64 {
    let s = fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Human-readable seconds.
pub fn fmt_s(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 1e-3 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{:.1} µs", s * 1e6)
    }
}

pub fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

// ---------------------------------------------------------------------------------------------
// Output

/// Where results go: `$NETPLUMB_BENCH_OUT`, else `<target dir>/netplumb-bench`.
pub fn out_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("NETPLUMB_BENCH_OUT") {
        return PathBuf::from(d);
    }
    target_dir().join("netplumb-bench")
}

/// `$CARGO_TARGET_DIR`, else `target/` of the crate.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// Prints results as `RESULT ...` lines and appends them as JSON lines to
/// `<out_dir>/results.jsonl`, which `scripts/bench/report.py` turns into tables.
pub struct Report {
    bench: &'static str,
    file: File,
}

/// A comparison target: the ratio (peer / netplumb, higher is better for netplumb) must be
/// at least this.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    None,
    AtLeast(f64),
}

impl Report {
    pub fn new(bench: &'static str) -> Report {
        let dir = out_dir();
        fs::create_dir_all(&dir).expect("create output directory");
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("results.jsonl"))
            .expect("open results.jsonl");
        let mut r = Report { bench, file };
        r.write(json!({
            "kind": "run",
            "full": full(),
            "runs": runs(),
        }));
        r
    }

    fn write(&mut self, mut v: Value) {
        v["bench"] = json!(self.bench);
        writeln!(self.file, "{v}").expect("write results.jsonl");
    }

    /// One tool's cost for one workload.
    pub fn measure(&mut self, workload: &str, size: usize, tool: &str, c: Cost) {
        println!(
            "RESULT bench={} workload={workload} size={size} tool={tool:?} wall_s={:.6} user_s={:.6} sys_s={:.6} minor_faults={}",
            self.bench, c.wall, c.user, c.sys, c.faults
        );
        self.write(json!({
            "kind": "measure", "workload": workload, "size": size, "tool": tool,
            "wall_s": c.wall, "user_s": c.user, "sys_s": c.sys, "minor_faults": c.faults,
        }));
    }

    /// A comparison of netplumb's `ours` against a peer's `theirs` on `metric` (where less
    /// is better: time, memory, allocations). The ratio is theirs / ours.
    #[allow(clippy::too_many_arguments)]
    pub fn compare(
        &mut self,
        workload: &str,
        size: usize,
        metric: &str,
        ours: (&str, f64),
        theirs: (&str, f64),
        target: Target,
    ) {
        let ratio = if ours.1 > 0.0 {
            theirs.1 / ours.1
        } else {
            f64::INFINITY
        };
        let (target_v, met) = match target {
            Target::None => (Value::Null, Value::Null),
            Target::AtLeast(t) => (json!(t), json!(ratio >= t)),
        };
        println!(
            "RESULT bench={} workload={workload} size={size} metric={metric} netplumb={:?} peer={:?} netplumb_value={:.6} peer_value={:.6} ratio={ratio:.3} target={target_v} met={met}",
            self.bench, ours.0, theirs.0, ours.1, theirs.1
        );
        self.write(json!({
            "kind": "compare", "workload": workload, "size": size, "metric": metric,
            "netplumb": ours.0, "peer": theirs.0,
            "netplumb_value": ours.1, "peer_value": theirs.1,
            "ratio": if ratio.is_finite() { json!(ratio) } else { Value::Null },
            "target": target_v, "met": met,
        }));
    }

    /// An absolute check of netplumb alone (e.g. peak RSS below a bound).
    pub fn check(&mut self, name: &str, value: f64, unit: &str, bound: &str, met: bool) {
        println!(
            "RESULT bench={} check={name:?} value={value:.6} unit={unit} bound={bound:?} met={met}",
            self.bench
        );
        self.write(json!({
            "kind": "check", "name": name, "value": value, "unit": unit,
            "bound": bound, "met": met,
        }));
    }

    /// A note shown with the bench's table (e.g. why something was skipped).
    pub fn note(&mut self, text: &str) {
        println!("NOTE bench={} {text}", self.bench);
        self.write(json!({"kind": "note", "text": text}));
    }
}
