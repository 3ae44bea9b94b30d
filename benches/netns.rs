//! Namespaces: the cost of entering a namespace to do something there, per time.
//!
//! - `NetNs::run` of a trivial closure (a thread is made, enters the namespace, runs the
//!   closure and ends);
//! - "enter and list links": `Handle::in_netns` plus a link dump parsed into owned messages,
//!   against `ip -n NS link show` (a process per time) and rtnetlink 0.24, whose user must
//!   make a thread, `setns` it, build a current-thread runtime and a connection, and dump.
//!
//! The namespace holds lo and a veth pair. criterion measures each call in turn; the
//! reported numbers are the medians of the calls interleaved (see the end of `main`).

mod common;

use common::{BenchNs, Report, Target, make_link};
use criterion::Criterion;
use futures::TryStreamExt;
use netplumb::Handle;
use netplumb::wire::link::LinkMessage;
use netplumb::wire::nlmsg::RTM_GETLINK;
use std::hint::black_box;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

/// criterion's median time per iteration (ns) of `group/id`, if it ran in this process.
fn estimate(dir: &std::path::Path, group: &str, id: &str, since: SystemTime) -> Option<f64> {
    let path = dir.join(group).join(id).join("new").join("estimates.json");
    let modified = std::fs::metadata(&path).ok()?.modified().ok()?;
    if modified < since {
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
    v["median"]["point_estimate"].as_f64()
}

/// One timed call of the interleaved measurement.
type Call<'a> = Box<dyn FnMut() + 'a>;

fn np_list(ns: &netplumb::NetNs) -> usize {
    let h = Handle::in_netns(ns).expect("handle");
    h.dump_map(RTM_GETLINK, &LinkMessage::new(0), |p| {
        Ok(LinkMessage::parse(p)?)
    })
    .expect("dump")
    .collect::<netplumb::Result<Vec<_>>>()
    .expect("dump")
    .len()
}

fn rtnl_list(ns: &netplumb::NetNs) -> usize {
    common::rtnl_in(ns, |h| async move {
        h.link()
            .get()
            .execute()
            .try_collect::<Vec<_>>()
            .await
            .expect("rtnetlink dump")
            .len()
    })
}

fn main() {
    let mut r = Report::new("netns");
    if !common::privileged() {
        r.note("skipped: the namespace benchmarks need root");
        eprintln!("SKIPPED netns: needs root");
        return;
    }
    let ns = BenchNs::new("netns");
    {
        let h = ns.handle();
        make_link(&h, "npe0", false);
    }
    assert_eq!(np_list(ns.ns()), 3);
    assert_eq!(rtnl_list(ns.ns()), 3);

    let dir = common::out_dir().join("criterion");
    let quick = !common::full();
    let mut c = Criterion::default()
        .output_directory(&dir)
        .sample_size(if quick { 10 } else { 30 })
        .warm_up_time(Duration::from_millis(if quick { 300 } else { 1000 }))
        .measurement_time(Duration::from_secs(if quick { 1 } else { 3 }))
        .configure_from_args();
    let since = SystemTime::now() - Duration::from_secs(1);

    let mut g = c.benchmark_group("netns");
    g.bench_function("netplumb_run_noop", |b| {
        b.iter(|| ns.ns().run(|| black_box(1)).expect("run"))
    });
    g.bench_function("netplumb_list_links", |b| b.iter(|| np_list(ns.ns())));
    g.bench_function("rtnetlink_list_links", |b| b.iter(|| rtnl_list(ns.ns())));
    g.bench_function("ip_link_show", |b| {
        b.iter(|| {
            let s = Command::new("ip")
                .args(["-n", ns.name(), "link", "show"])
                .stdout(Stdio::null())
                .status()
                .expect("ip");
            assert!(s.success());
        })
    });
    g.finish();
    c.final_summary();

    // The reported numbers: the four calls interleaved, round after round (the order
    // rotating), each timed on its own; the median per call. A burst of other work on the
    // machine (a namespace being torn down holds kernel locks for milliseconds) then hits
    // every tool alike and moves no median, where criterion's groups, run one after the
    // other, can each land in a different burst. criterion's estimates are kept as a
    // cross-check.
    let rounds = if quick { 300 } else { 2000 };
    let ns_ref = ns.ns();
    let name = ns.name().to_string();
    let mut calls: Vec<(&str, Call<'_>)> = vec![
        (
            "netplumb_run_noop",
            Box::new(move || {
                black_box(ns_ref.run(|| black_box(1)).expect("run"));
            }),
        ),
        (
            "netplumb_list_links",
            Box::new(move || {
                black_box(np_list(ns_ref));
            }),
        ),
        (
            "rtnetlink_list_links",
            Box::new(move || {
                black_box(rtnl_list(ns_ref));
            }),
        ),
        (
            "ip_link_show",
            Box::new(move || {
                let s = Command::new("ip")
                    .args(["-n", &name, "link", "show"])
                    .stdout(Stdio::null())
                    .status()
                    .expect("ip");
                assert!(s.success());
            }),
        ),
    ];
    let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); calls.len()];
    for round in 0..rounds {
        for k in 0..calls.len() {
            let k = (k + round) % calls.len();
            let t = Instant::now();
            (calls[k].1)();
            times[k].push(t.elapsed().as_secs_f64() * 1e6);
        }
    }
    let med: Vec<(&str, f64)> = calls
        .iter()
        .zip(times)
        .map(|((id, _), t)| (*id, common::median_of(t)))
        .collect();
    let get = |id: &str| med.iter().find(|m| m.0 == id).map(|m| m.1);
    let crit = |id| estimate(&dir, "netns", id, since).map(|ns| ns / 1e3);
    for (id, _) in &med {
        eprintln!(
            "   {id:<22} median of {rounds} interleaved calls {:>8.1} µs   criterion {:>8.1} µs",
            get(id).unwrap_or(f64::NAN),
            crit(id).unwrap_or(f64::NAN)
        );
    }
    r.note(&format!(
        "medians of {rounds} interleaved calls per tool (criterion's own estimates, run one \
         group after the other, are in target/netplumb-bench/netns.log)"
    ));
    if let Some(run) = get("netplumb_run_noop") {
        r.check(
            "NetNs::run of a no-op closure, per time",
            run,
            "µs",
            "-",
            true,
        );
    }
    if let Some(np) = get("netplumb_list_links") {
        r.check(
            "enter a namespace and list its links (Handle::in_netns + dump), per time",
            np,
            "µs",
            "< 100 µs",
            np < 100.0,
        );
        for (id, peer) in [
            ("ip_link_show", "ip -n NS link show"),
            (
                "rtnetlink_list_links",
                "rtnetlink (thread + setns + runtime)",
            ),
        ] {
            if let Some(p) = get(id) {
                r.compare(
                    "netns_list_links",
                    3,
                    "us_per_time",
                    ("netplumb", np),
                    (peer, p),
                    Target::None,
                );
            }
        }
    }
}
