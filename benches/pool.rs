//! A handle shared by many threads (issue 11): 32 threads each create and delete veth pairs
//! (50 each in a full run, 5 in a quick one) in one namespace, through
//!
//! - one shared `Handle` (its pool of sockets, `DEFAULT_MAX_SOCKETS`),
//! - one `Handle` per thread (each thread opens its own with `Handle::in_netns`),
//! - one shared `Handle` bounded to 16 sockets (half the threads), and one held to one
//!   socket (`with_max_sockets(1)`): every call waits for the one before, as every shared
//!   handle did before the pool. References, run once each.
//!
//! Target: the shared handle within 1.5× of one handle per thread in wall time (ratio
//! per-thread ÷ shared ≥ 0.67). Wall time and user/system CPU (`getrusage(RUSAGE_SELF)`,
//! every thread), median of `NETPLUMB_BENCH_RUNS` (3) runs, the two main tools' runs
//! interleaved so that load from elsewhere on the machine hits both alike; the load average
//! before and after goes into a note.
//!
//! A plain `harness = false` binary: the workload takes seconds.

mod common;

use common::{BenchNs, Cost, Report, Target, measure, median, runs, size};
use netplumb::Handle;
use netplumb::handle::DEFAULT_MAX_SOCKETS;
use netplumb::link::LinkSpec;

/// Threads, as in the issue.
const THREADS: usize = 32;

/// Thread `t` creates and deletes `n` veth pairs through `h`, one after the other.
fn cycles(h: &Handle, t: usize, n: usize) {
    for i in 0..n {
        let (a, b) = (format!("np{t}a{i}"), format!("np{t}b{i}"));
        h.link_add(&LinkSpec::veth(a.as_str(), b.as_str()))
            .unwrap_or_else(|e| panic!("create veth {a}: {e}"));
        h.link_del(a.as_str())
            .unwrap_or_else(|e| panic!("delete veth {a}: {e}"));
    }
}

/// Every thread shares `h`; returns the cost and how many sockets `h` had open at the end.
fn shared(h: &Handle, n: usize) -> (Cost, usize) {
    let ((), cost) = measure(|| {
        std::thread::scope(|s| {
            for t in 0..THREADS {
                s.spawn(move || cycles(h, t, n));
            }
        })
    });
    (cost, h.open_sockets())
}

/// Each thread opens a handle of its own.
fn per_thread(ns: &BenchNs, n: usize) -> Cost {
    measure(|| {
        std::thread::scope(|s| {
            for t in 0..THREADS {
                s.spawn(move || cycles(&ns.handle(), t, n));
            }
        })
    })
    .1
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn main() {
    let mut r = Report::new("pool");
    if !common::privileged() {
        r.note("skipped: the pool benchmark needs root");
        eprintln!("SKIPPED pool: needs root");
        return;
    }
    let per = size(50);
    let total = THREADS * per;
    let workload = "veth_create_delete_32_threads";
    let load_before = loadavg();
    let ns = BenchNs::new("pool");

    let (mut shared_costs, mut per_costs, mut sockets) = (Vec::new(), Vec::new(), 0);
    for _ in 0..runs() {
        // A fresh handle each run, so each run opens its own sockets.
        let h = ns.handle();
        let (c, n) = shared(&h, per);
        eprintln!("shared handle: {c:?}, {n} sockets");
        shared_costs.push(c);
        sockets = sockets.max(n);
        let c = per_thread(&ns, per);
        eprintln!("handle per thread: {c:?}");
        per_costs.push(c);
    }
    // References, once each: half as many sockets as threads, and one socket.
    let bounded = |max: usize| {
        let h = ns.handle().with_max_sockets(max);
        let (c, _) = shared(&h, per);
        eprintln!("shared handle, {max} sockets: {c:?}");
        c
    };
    let half = bounded(THREADS / 2);
    let serial = bounded(1);
    let load_after = loadavg();

    let shared_name = format!("shared handle (max_sockets {DEFAULT_MAX_SOCKETS})");
    let (s, p) = (median(shared_costs.clone()), median(per_costs.clone()));
    r.measure(workload, total, &shared_name, s);
    r.measure(workload, total, "handle per thread", p);
    let half_name = format!("shared handle, {} sockets", THREADS / 2);
    r.measure(workload, total, &half_name, half);
    r.measure(
        workload,
        total,
        "shared handle, 1 socket (before the pool)",
        serial,
    );
    r.compare(
        workload,
        total,
        "wall",
        (&shared_name, s.wall),
        ("handle per thread", p.wall),
        Target::AtLeast(1.0 / 1.5),
    );
    let cpu = |c: &Cost| c.user + c.sys;
    r.compare(
        workload,
        total,
        "cpu",
        (&shared_name, cpu(&s)),
        ("handle per thread", cpu(&p)),
        Target::None,
    );
    r.compare(
        workload,
        total,
        "wall",
        (&shared_name, s.wall),
        (&half_name, half.wall),
        Target::None,
    );
    r.compare(
        workload,
        total,
        "wall",
        (&shared_name, s.wall),
        ("shared handle, 1 socket (before the pool)", serial.wall),
        Target::None,
    );
    let walls = |v: &[Cost]| {
        v.iter()
            .map(|c| format!("{:.2}", c.wall))
            .collect::<Vec<_>>()
            .join(", ")
    };
    r.note(&format!(
        "{THREADS} threads × {per} veth pairs created and deleted one after the other; \
         every run's wall time (s): shared {}, per thread {}; the shared handle opened at \
         most {sockets} sockets; the 16- and 1-socket references ran once; load average before / \
         after: {load_before} / {load_after}",
        walls(&shared_costs),
        walls(&per_costs),
    ));
}
