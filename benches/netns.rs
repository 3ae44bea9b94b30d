//! Namespaces: the cost of entering a namespace to do something there, per time.
//!
//! - `NetNs::run` of a trivial closure (a thread is made, enters the namespace, runs the
//!   closure and ends);
//! - "enter and list links": `Handle::in_netns` plus a link dump parsed into owned messages,
//!   against `ip -n NS link show` (a process per time) and rtnetlink 0.24, whose user must
//!   make a thread, `setns` it, build a current-thread runtime and a connection, and dump.
//!
//! The namespace holds lo and a veth pair. Timing is criterion's (median of its samples).

mod common;

use common::{BenchNs, Report, Target, make_link};
use criterion::Criterion;
use futures::TryStreamExt;
use netplumb::Handle;
use netplumb::wire::link::LinkMessage;
use netplumb::wire::nlmsg::RTM_GETLINK;
use std::hint::black_box;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

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

    let get = |id| estimate(&dir, "netns", id, since);
    if let Some(run) = get("netplumb_run_noop") {
        r.check(
            "NetNs::run of a no-op closure, per time",
            run / 1e3,
            "µs",
            "-",
            true,
        );
    }
    if let Some(np) = get("netplumb_list_links") {
        r.check(
            "enter a namespace and list its links (Handle::in_netns + dump), per time",
            np / 1e3,
            "µs",
            "< 100 µs",
            np < 100e3,
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
                    ("netplumb", np / 1e3),
                    (peer, p / 1e3),
                    Target::None,
                );
            }
        }
    }
}
