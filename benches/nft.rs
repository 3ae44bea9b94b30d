//! nf_tables: publishing 1,000 ports (`NETPLUMB_BENCH=full`; 100 otherwise) and deleting
//! them again, side by side:
//!
//! - netplumb: `PublishedPorts::apply`, one transaction (one `sendmsg`: the table, 4 chains,
//!   a map of 1,000 host ports to container address and port, a hairpin set of 1,000
//!   container address and port pairs, and 4 rules), and `ops::remove` (one batch). Twice:
//!   as a tool run does it (open the socket, build, commit, close), and on a handle kept
//!   open (build and commit: a long-lived runtime's cost, the row with the 2x target; the
//!   close right after a commit waits for the kernel's RCU grace period, which `nft` pays
//!   at its exit too, see BENCHMARKS.md);
//! - `nft -f` with the same script (`TableOp::script`, which the golden tests prove makes
//!   the same messages), and `nft delete table`;
//! - `iptables-restore` (iptables-nft here) with the equivalent rules in Docker's layout
//!   (iptables has no maps: 2,002 rules): a chain of one `DNAT` per port, jumped to from `PREROUTING` and `OUTPUT` for local
//!   destinations, and one hairpin `MASQUERADE` per port in `POSTROUTING`; then a restore
//!   of the empty nat table.
//!
//! Every run of every tool gets a fresh namespace (`np-bench-nft-*`, removed afterwards)
//! where NAT is already in use (another table with a `masquerade`), as on a container host:
//! conntrack's and NAT's hooks are registered before the measurement, not during it;
//! `nft` and `iptables-restore` are started from a thread inside it, so they never see the
//! host's ruleset. netplumb's cost is this process's CPU (the kernel's commit runs in its
//! `sendmsg`, in system time), the tools' their own (`wait4`). Each workload runs
//! `NETPLUMB_BENCH_RUNS` (3) times per tool, interleaved; the median run by wall time is
//! reported, and every run's wall and CPU time go in a note, for a loaded machine.

mod common;

use common::{BenchNs, ChildCost, Cost, Report, Target, measure, median, run_child, v4};
use netplumb::nft::ops::{self, PortMapping, PublishedPorts, TableOp};
use netplumb::nft::{Nft, Proto, Table, TableFamily};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const TABLE: &str = "np-ports";

fn ports(n: usize) -> PublishedPorts {
    PublishedPorts::new(
        (0..n)
            .map(|i| {
                let host_port = u16::try_from(10_000 + i).expect("port");
                PortMapping::new(Proto::Tcp, host_port, v4(i + 2).into(), 80)
            })
            .collect(),
    )
}

/// The same rules for `iptables-restore`, as Docker lays them out.
fn iptables_rules(p: &PublishedPorts) -> String {
    let mut s = String::from(
        "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n\
         :POSTROUTING ACCEPT [0:0]\n:NP-PORTS - [0:0]\n\
         -A PREROUTING -m addrtype --dst-type LOCAL -j NP-PORTS\n\
         -A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j NP-PORTS\n",
    );
    for m in &p.mappings {
        let _ = writeln!(
            s,
            "-A NP-PORTS -p tcp -m tcp --dport {} -j DNAT --to-destination {}:{}",
            m.host_ports, m.container_addr, m.container_port
        );
    }
    for m in &p.mappings {
        let _ = writeln!(
            s,
            "-A POSTROUTING -s {0}/32 -d {0}/32 -p tcp -m tcp --dport {1} -j MASQUERADE",
            m.container_addr, m.container_port
        );
    }
    s.push_str("COMMIT\n");
    s
}

/// An empty nat table: what `iptables-restore` of it leaves (every rule and chain gone).
const IPTABLES_EMPTY: &str = "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n\
    :OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n";

/// Runs `program ARGS...` as a child started from a thread inside `ns`.
fn child_in(ns: &BenchNs, program: &str, args: &[&str]) -> ChildCost {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let program = program.to_string();
    ns.ns()
        .run(move || run_child(Command::new(&program).args(&args)))
        .expect("run in the namespace")
}

/// How many nat rules `iptables-save` lists in `ns` (a check, not measured).
fn iptables_rule_count(ns: &BenchNs) -> usize {
    ns.ns()
        .run(|| {
            let out = Command::new("iptables-save")
                .args(["-t", "nat"])
                .output()
                .expect("iptables-save");
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter(|l| l.starts_with("-A "))
                .count()
        })
        .expect("run in the namespace")
}

fn nft_rule_count(ns: &BenchNs) -> usize {
    let nft = Nft::in_netns(ns.ns()).expect("nft socket");
    match nft.rules(&Table::new(TableFamily::Inet, TABLE), None) {
        Ok(r) => r.len(),
        Err(e) if e.is_not_found() => 0,
        Err(e) => panic!("list rules: {e}"),
    }
}

/// How many elements the map of published ports holds (a check, not measured).
fn nft_map_len(ns: &BenchNs) -> usize {
    let nft = Nft::in_netns(ns.ns()).expect("nft socket");
    nft.elements(&Table::new(TableFamily::Inet, TABLE), "ports_ip_tcp")
        .expect("list the map")
        .len()
}

/// A fresh namespace for one run, with NAT already in use (a table of its own with a nat
/// chain and a `masquerade`), as on any container host: conntrack and the NAT hooks are
/// registered before the measurement, for every tool alike, and stay while it runs.
fn host_ns() -> BenchNs {
    let ns = BenchNs::new("nft");
    let nft = Nft::in_netns(ns.ns()).expect("nft socket");
    ops::Masquerade::new("198.19.0.0/24".parse().expect("subnet"), "br9")
        .apply(&nft, "np-warm")
        .expect("NAT in use");
    ns
}

/// One tool's add and delete costs over the runs.
#[derive(Default)]
struct Runs {
    add: Vec<Cost>,
    del: Vec<Cost>,
    /// netplumb: the wall time of closing the socket right after the commit.
    close: Vec<Duration>,
    /// netplumb with its handle opened before and closed after the measurement, as a
    /// long-lived runtime keeps it: building and committing the transaction only.
    add_open: Vec<Cost>,
}

fn main() {
    let mut r = Report::new("nft");
    if !common::privileged() {
        r.note("skipped: the nf_tables benchmarks need root");
        eprintln!("SKIPPED nft: needs root");
        return;
    }
    let have = |p: &str| {
        Command::new(p)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let (have_nft, have_ipt) = (have("nft"), have("iptables-restore"));
    let n = common::size(1000);
    let p = ports(n);
    // prerouting's and output's jumps, the map's dnat, the hairpin masquerade.
    let rules = 4;
    let dir = common::out_dir();
    std::fs::create_dir_all(&dir).expect("output directory");
    let script = dir.join("nft-ports.nft");
    std::fs::write(&script, p.script(TABLE).expect("script")).expect("write script");
    let ipt = dir.join("iptables-ports.rules");
    std::fs::write(&ipt, iptables_rules(&p)).expect("write rules");
    let ipt_empty = dir.join("iptables-empty.rules");
    std::fs::write(&ipt_empty, IPTABLES_EMPTY).expect("write rules");
    let path = |p: &Path| p.to_str().expect("UTF-8 path").to_string();
    let (script, ipt, ipt_empty) = (path(&script), path(&ipt), path(&ipt_empty));

    let (mut ours, mut nft, mut iptables) = (Runs::default(), Runs::default(), Runs::default());
    for _ in 0..common::runs() {
        // netplumb: the transaction is built inside the measurement too.
        let ns = host_ns();
        // Opening, building, committing and closing are all measured, as a tool run does
        // them; the close is timed on its own too (right after a commit the kernel makes
        // it wait for the commit's RCU grace period: see BENCHMARKS.md).
        let (res, c) = measure(|| {
            let h = Nft::in_netns(ns.ns())?;
            p.apply(&h, TABLE)?;
            let t = Instant::now();
            drop(h);
            Ok::<_, netplumb::Error>(t.elapsed())
        });
        ours.close.push(res.expect("apply"));
        ours.add.push(c);
        assert_eq!(nft_rule_count(&ns), rules, "netplumb made the rules");
        assert_eq!(nft_map_len(&ns), n, "netplumb filled the map");
        let (res, c) = measure(|| {
            let h = Nft::in_netns(ns.ns())?;
            ops::remove(&h, &p.table(TABLE))
        });
        res.expect("remove");
        ours.del.push(c);
        assert_eq!(nft_rule_count(&ns), 0);
        drop(ns);

        // The same with the handle already open (a runtime that keeps its socket): the
        // ports are published when the commit's acknowledgement is read.
        let ns = host_ns();
        let h = Nft::in_netns(ns.ns()).expect("nft socket");
        let (res, c) = measure(|| p.apply(&h, TABLE));
        res.expect("apply");
        ours.add_open.push(c);
        assert_eq!(nft_rule_count(&ns), rules, "netplumb made the rules");
        ops::remove(&h, &p.table(TABLE)).expect("remove");
        drop(h);
        drop(ns);

        if have_nft {
            let ns = host_ns();
            nft.add.push(child_in(&ns, "nft", &["-f", &script]).cost);
            assert_eq!(nft_rule_count(&ns), rules, "nft -f made the rules");
            assert_eq!(nft_map_len(&ns), n, "nft -f filled the map");
            nft.del
                .push(child_in(&ns, "nft", &["delete", "table", "inet", TABLE]).cost);
            assert_eq!(nft_rule_count(&ns), 0);
        }
        if have_ipt {
            let ns = host_ns();
            iptables
                .add
                .push(child_in(&ns, "iptables-restore", &[&ipt]).cost);
            assert_eq!(
                iptables_rule_count(&ns),
                2 * n + 2,
                "iptables-restore made the rules"
            );
            iptables
                .del
                .push(child_in(&ns, "iptables-restore", &[&ipt_empty]).cost);
            assert_eq!(iptables_rule_count(&ns), 0);
        }
    }
    let closes: Vec<String> = ours
        .close
        .iter()
        .map(|d| common::fmt_s(d.as_secs_f64()))
        .collect();
    r.note(&format!(
        "publish ports, netplumb: of every run's wall, closing the socket after the commit \
         (the kernel's wait for the commit's RCU grace period): {}",
        closes.join(", ")
    ));
    if !have_nft {
        r.note("nft is not installed: its rows are skipped");
    }
    if !have_ipt {
        r.note("iptables-restore is not installed: its rows are skipped");
    }

    let tools: [(&str, &Runs); 3] = [
        ("netplumb", &ours),
        ("nft -f", &nft),
        ("iptables-restore", &iptables),
    ];
    for (workload, pick) in [
        (
            "publish ports",
            (|r: &Runs| r.add.clone()) as fn(&Runs) -> Vec<Cost>,
        ),
        ("delete them", |r: &Runs| r.del.clone()),
    ] {
        let mut medians = Vec::new();
        for (tool, runs) in tools {
            let costs = pick(runs);
            if costs.is_empty() {
                continue;
            }
            let all: Vec<String> = costs
                .iter()
                .map(|c| {
                    format!(
                        "{} ({} CPU)",
                        common::fmt_s(c.wall),
                        common::fmt_s(c.user + c.sys)
                    )
                })
                .collect();
            r.note(&format!(
                "{workload}, {tool}: every run's wall (CPU): {}",
                all.join(", ")
            ));
            let m = median(costs);
            r.measure(workload, n, tool, m);
            medians.push((tool, m));
        }
        let Some(&(_, mine)) = medians.first() else {
            continue;
        };
        for &(tool, theirs) in medians.iter().skip(1) {
            // The target is the kept-open handle's (below): this row includes the close.
            let target = Target::None;
            r.compare(
                workload,
                n,
                "wall",
                ("netplumb", mine.wall),
                (tool, theirs.wall),
                target,
            );
            r.compare(
                workload,
                n,
                "cpu",
                ("netplumb", mine.user + mine.sys),
                (tool, theirs.user + theirs.sys),
                Target::None,
            );
        }
    }

    // Publishing on a handle kept open, against each tool's whole run.
    const OPEN: &str = "netplumb, handle kept open";
    if !ours.add_open.is_empty() {
        let all: Vec<String> = ours
            .add_open
            .iter()
            .map(|c| {
                format!(
                    "{} ({} CPU)",
                    common::fmt_s(c.wall),
                    common::fmt_s(c.user + c.sys)
                )
            })
            .collect();
        r.note(&format!(
            "publish ports, {OPEN}: every run's wall (CPU): {}",
            all.join(", ")
        ));
        let mine = median(ours.add_open.clone());
        r.measure("publish ports", n, OPEN, mine);
        for (tool, runs) in [("nft -f", &nft), ("iptables-restore", &iptables)] {
            if runs.add.is_empty() {
                continue;
            }
            let theirs = median(runs.add.clone());
            let target = if tool == "nft -f" {
                Target::AtLeast(2.0)
            } else {
                Target::None
            };
            r.compare(
                "publish ports",
                n,
                "wall",
                (OPEN, mine.wall),
                (tool, theirs.wall),
                target,
            );
            r.compare(
                "publish ports",
                n,
                "cpu",
                (OPEN, mine.user + mine.sys),
                (tool, theirs.user + theirs.sys),
                Target::None,
            );
        }
    }
}
