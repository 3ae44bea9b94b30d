//! Bulk operations: the same workload done by netplumb (one request at a time, and through
//! the batch API), by `ip -n NS -batch FILE`, and by rtnetlink 0.24 (sequentially, and with
//! 64 requests in flight), each in a fresh namespace. Wall time and user/system CPU
//! (`getrusage`: `RUSAGE_SELF` for the in-process tools, `wait4` for `ip`), median of
//! `NETPLUMB_BENCH_RUNS` (3) runs; the 16-second one-by-one deletes run once in a full run.
//!
//! A plain `harness = false` binary: these workloads take seconds, too long to iterate.

mod common;

use common::{
    BenchNs, Cost, GROUP, GW, Report, Target, add_batch, create_flags, delete_group, make_link,
    measure, median, route_link, rtnl_in, size, v4, veth_msg,
};
use futures::{StreamExt, TryStreamExt};
use netplumb::addr::AddrSpec;
use netplumb::link::LinkSpec;
use netplumb::neigh::NeighSpec;
use netplumb::route::{RouteOp, RouteSpec};
use netplumb::wire::Emit;
use netplumb::wire::neigh::NeighState;
use netplumb::wire::nlmsg::RTM_NEWLINK;
use netplumb::{Batch, BatchMode, Handle, IpNet, MacAddr};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Tool {
    /// `Handle::request`, one request and its acknowledgement at a time.
    Np,
    /// All requests in one `Batch`, sent many per `sendmsg`.
    NpBatch,
    /// netplumb: one `RTM_DELLINK` with `IFLA_GROUP`.
    NpGroup,
    /// `ip -n NS -batch FILE`.
    Ip,
    /// `ip -n NS -force -batch FILE`, the peer of [`Tool::Cli`].
    IpForce,
    /// The netplumb CLI: `netplumb -n NS -force -batch FILE`, the same FILE as `ip`'s.
    Cli,
    /// `ip -n NS link del group N`.
    IpGroup,
    /// rtnetlink, awaiting each request.
    Rtnl,
    /// rtnetlink with 64 requests in flight (`buffer_unordered(64)`).
    RtnlX64,
}

impl Tool {
    fn name(self) -> &'static str {
        match self {
            Tool::Np => "netplumb",
            Tool::NpBatch => "netplumb batch",
            Tool::NpGroup => "netplumb group delete",
            Tool::Ip => "ip -batch",
            Tool::IpForce => "ip -force -batch",
            Tool::Cli => "netplumb CLI -force -batch",
            Tool::IpGroup => "ip link del group",
            Tool::Rtnl => "rtnetlink",
            Tool::RtnlX64 => "rtnetlink x64",
        }
    }
}

/// The netplumb CLI binary, if built (looked up once).
fn cli() -> Option<&'static PathBuf> {
    static CLI: OnceLock<Option<PathBuf>> = OnceLock::new();
    CLI.get_or_init(common::netplumb_cli).as_ref()
}

/// `tools`, plus `ip -force -batch` and the netplumb CLI when the CLI is built.
fn with_cli(tools: &[Tool]) -> Vec<Tool> {
    let mut v = tools.to_vec();
    if cli().is_some() {
        v.extend([Tool::IpForce, Tool::Cli]);
    }
    v
}

/// Runs the batch file `text` with one of the tools that read one: `ip -batch`,
/// `ip -force -batch` or `netplumb -force -batch` (all `-n NS`), measured with `wait4`.
fn batch_file(ns: &BenchNs, tool: Tool, text: &str) -> Cost {
    match tool {
        Tool::Ip => ns.ip_batch(text).cost,
        Tool::IpForce => ns.batch_with("ip", &["-force"], text).cost,
        Tool::Cli => {
            let bin = cli().expect("the CLI rows run only when the CLI is built");
            ns.batch_with(bin, &["-force"], text).cost
        }
        t => unreachable!("{t:?} does not read a batch file"),
    }
}

/// Compares the netplumb CLI with `ip` on the same `-force -batch` file (wall with
/// `target`, CPU), if the CLI ran.
fn compare_cli(r: &mut Report, name: &str, n: usize, m: &BTreeMap<Tool, Cost>, target: Target) {
    compare(r, name, n, m, Tool::Cli, &[(Tool::IpForce, target)]);
}

/// A locally administered MAC for neighbour `i`.
fn mac(i: usize) -> [u8; 6] {
    let b = (i as u32).to_be_bytes();
    [0x02, 0x00, b[0], b[1], b[2], b[3]]
}

fn mac_str(m: [u8; 6]) -> String {
    m.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// netplumb: `one(i)` for each request (a typed operation, waiting for each
/// acknowledgement), or with [`Tool::NpBatch`] the requests `request(i)` built by the typed
/// specs and sent through one `Batch`. Panics on any failure.
fn np_run<M: Emit>(
    h: &Handle,
    tool: Tool,
    n: usize,
    one: impl Fn(usize) -> netplumb::Result<()>,
    request: impl Fn(usize) -> netplumb::Result<netplumb::socket::Request<M>>,
) -> Cost {
    let (r, cost) = measure(|| -> netplumb::Result<()> {
        match tool {
            Tool::Np => {
                for i in 0..n {
                    one(i)?;
                }
            }
            Tool::NpBatch => {
                let mut b = Batch::new();
                for i in 0..n {
                    request(i)?.push_to(&mut b)?;
                }
                for r in h.batch(&b, BatchMode::Force)? {
                    r?;
                }
            }
            t => unreachable!("{t:?} is not a netplumb tool"),
        }
        Ok(())
    });
    r.unwrap_or_else(|e| panic!("{}: {e}", tool.name()));
    cost
}

/// netplumb: `f` returns one result per request (the `*_many` operations).
fn np_many(tool: Tool, f: impl FnOnce() -> netplumb::Result<Vec<netplumb::Result<()>>>) -> Cost {
    let (r, cost) = measure(|| -> netplumb::Result<()> {
        for r in f()? {
            r?;
        }
        Ok(())
    });
    r.unwrap_or_else(|e| panic!("{}: {e}", tool.name()));
    cost
}

/// rtnetlink doing `n` requests `make(handle, i)` in the namespace, sequentially or 64 in
/// flight; panics on any failure. The connection is made before the clock starts.
fn rtnl_run<F, Fut>(ns: &BenchNs, tool: Tool, n: usize, make: F) -> Cost
where
    F: Fn(&rtnetlink::Handle, usize) -> Fut + Send + Sync,
    Fut: Future<Output = Result<(), rtnetlink::Error>>,
{
    rtnl_in(ns.ns(), |h| async move {
        let m = common::Meter::start();
        match tool {
            Tool::Rtnl => {
                for i in 0..n {
                    make(&h, i).await.expect("rtnetlink request");
                }
            }
            Tool::RtnlX64 => {
                futures::stream::iter(0..n)
                    .map(|i| make(&h, i))
                    .buffer_unordered(64)
                    .try_collect::<Vec<()>>()
                    .await
                    .expect("rtnetlink request");
            }
            t => unreachable!("{t:?} is not an rtnetlink tool"),
        }
        m.stop()
    })
}

/// One workload: for each run and tool, a fresh namespace, `setup` (returns a context, e.g.
/// an ifindex), the measured `work`, then `teardown`. Returns the median cost per tool, and
/// the sum over the runs (for CPU shares: the kernel samples the user/system split per
/// tick, so a short workload's split is only meaningful summed over several runs).
#[allow(clippy::too_many_arguments)]
fn workload<C>(
    r: &mut Report,
    name: &str,
    n: usize,
    runs: usize,
    tools: &[Tool],
    setup: impl Fn(&BenchNs, &Handle) -> C,
    work: impl Fn(&BenchNs, &Handle, &C, Tool) -> Cost,
    teardown: impl Fn(&BenchNs, &Handle),
    share: bool,
) -> (BTreeMap<Tool, Cost>, BTreeMap<Tool, Cost>) {
    // NETPLUMB_BENCH_TOOLS=netplumb-batch,ip-batch (names with '-' for ' ') picks tools.
    let picked = std::env::var("NETPLUMB_BENCH_TOOLS").unwrap_or_default();
    let tools: Vec<Tool> = tools
        .iter()
        .copied()
        .filter(|t| picked.is_empty() || picked.split(',').any(|p| p == t.name().replace(' ', "-")))
        .collect();
    eprintln!("== {name} (n = {n}, {runs} runs)");
    let mut all: BTreeMap<Tool, Vec<Cost>> = BTreeMap::new();
    for run in 0..runs {
        for &tool in &tools {
            let ns = BenchNs::new(name);
            let h = ns.handle();
            let ctx = setup(&ns, &h);
            let c = work(&ns, &h, &ctx, tool);
            eprintln!(
                "   run {run} {:<22} wall {:>9}  user {:>9}  sys {:>9}",
                tool.name(),
                common::fmt_s(c.wall),
                common::fmt_s(c.user),
                common::fmt_s(c.sys)
            );
            teardown(&ns, &h);
            all.entry(tool).or_default().push(c);
        }
    }
    let med: BTreeMap<Tool, Cost> = all.iter().map(|(t, v)| (*t, median(v.clone()))).collect();
    // The user/system split of CPU time is sampled per tick (4 ms at 250 Hz), so a share
    // from ~10 ticks is noise: netplumb's runs are repeated (not timed) until they add up to
    // SHARE_CPU of CPU time, for the user-share check only.
    if share && !common::quick_share() {
        for &tool in tools
            .iter()
            .filter(|t| matches!(t, Tool::NpBatch | Tool::Np))
        {
            let v = all.entry(tool).or_default();
            let mut extra = 0;
            let want = if common::full() {
                SHARE_CPU
            } else {
                SHARE_CPU / 4.0
            };
            while v.iter().map(|c| c.user + c.sys).sum::<f64>() < want && extra < 200 {
                let ns = BenchNs::new(name);
                let h = ns.handle();
                let ctx = setup(&ns, &h);
                v.push(work(&ns, &h, &ctx, tool));
                teardown(&ns, &h);
                extra += 1;
            }
            if extra > 0 {
                eprintln!(
                    "   ({extra} more runs of {} for its CPU share)",
                    tool.name()
                );
            }
        }
    }
    let sum: BTreeMap<Tool, Cost> = all
        .iter()
        .map(|(t, v)| {
            let s = v.iter().fold(Cost::default(), |a, c| Cost {
                wall: a.wall + c.wall,
                user: a.user + c.user,
                sys: a.sys + c.sys,
                faults: a.faults + c.faults,
            });
            (*t, s)
        })
        .collect();
    for (t, c) in &med {
        r.measure(name, n, t.name(), *c);
    }
    (med, sum)
}

/// Compares `ours` against each of `peers` on wall time.
fn compare(
    r: &mut Report,
    name: &str,
    n: usize,
    m: &BTreeMap<Tool, Cost>,
    ours: Tool,
    peers: &[(Tool, Target)],
) {
    for &(peer, target) in peers {
        if let (Some(o), Some(p)) = (m.get(&ours), m.get(&peer)) {
            r.compare(
                name,
                n,
                "wall",
                (ours.name(), o.wall),
                (peer.name(), p.wall),
                target,
            );
            r.compare(
                name,
                n,
                "cpu",
                (ours.name(), o.user + o.sys),
                (peer.name(), p.user + p.sys),
                Target::None,
            );
        }
    }
}

/// CPU time (user + system) gathered per tool for its user-share check (a quarter of it
/// with the quick sizes).
const SHARE_CPU: f64 = 2.0;

/// The user-CPU share of netplumb's CPU time, over all runs: at most 10 % for the batch
/// (bulk operations), shown for one-at-a-time requests.
fn user_share(r: &mut Report, name: &str, sums: &BTreeMap<Tool, Cost>) {
    for (tool, bound) in [(Tool::NpBatch, true), (Tool::Np, false)] {
        if let Some(c) = sums.get(&tool) {
            let share = c.user_share();
            r.check(
                &format!("{name}: {} user CPU share (all runs)", tool.name()),
                share * 100.0,
                "%",
                if bound { "<= 10 %" } else { "-" },
                !bound || share <= 0.10,
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Links

fn veth_names(i: usize) -> (String, String) {
    (format!("npv{i}"), format!("npp{i}"))
}

/// Veth pair `i` in [`GROUP`]: `ip link add npvI group 7 type veth peer name nppI`.
fn veth(i: usize) -> LinkSpec<'static> {
    let (a, b) = veth_names(i);
    LinkSpec::veth(a, b).group(GROUP)
}

/// Creates `n` veth pairs with netplumb's batch (setup, not measured).
fn make_veths(h: &Handle, n: usize) {
    add_batch(h, n, RTM_NEWLINK, create_flags(), |i| {
        let (a, b) = veth_names(i);
        veth_msg(a, b)
    });
}

fn rtnl_veth(
    h: &rtnetlink::Handle,
    i: usize,
) -> impl Future<Output = Result<(), rtnetlink::Error>> + use<> {
    let (a, b) = veth_names(i);
    h.link()
        .add(rtnetlink::LinkVeth::new(&a, &b).link_group(GROUP).build())
        .execute()
}

fn veth_add(r: &mut Report, runs: usize) {
    let n = size(1000);
    let name = "veth_add";
    let (m, sums) = workload(
        r,
        name,
        n,
        runs,
        &with_cli(&[Tool::Np, Tool::NpBatch, Tool::Ip, Tool::Rtnl, Tool::RtnlX64]),
        |_, _| (),
        |ns, h, _, tool| match tool {
            Tool::Np => np_many(tool, || (0..n).map(|i| Ok(h.link_add(&veth(i)))).collect()),
            Tool::NpBatch => np_many(tool, || {
                let specs: Vec<LinkSpec<'_>> = (0..n).map(veth).collect();
                h.link_add_many(&specs)
            }),
            Tool::Ip | Tool::IpForce | Tool::Cli => {
                let mut s = String::new();
                for i in 0..n {
                    let (a, b) = veth_names(i);
                    writeln!(s, "link add {a} group {GROUP} type veth peer name {b}").unwrap();
                }
                batch_file(ns, tool, &s)
            }
            _ => rtnl_run(ns, tool, n, rtnl_veth),
        },
        |_, h| delete_group(h),
        true,
    );
    compare(
        r,
        name,
        n,
        &m,
        Tool::NpBatch,
        &[
            (Tool::Ip, Target::AtLeast(1.2)),
            (Tool::Rtnl, Target::None),
            (Tool::RtnlX64, Target::None),
        ],
    );
    compare(
        r,
        name,
        n,
        &m,
        Tool::Np,
        &[(Tool::Ip, Target::None), (Tool::Rtnl, Target::None)],
    );
    compare_cli(r, name, n, &m, Target::AtLeast(1.2));
    user_share(r, name, &sums);
}

fn veth_del(r: &mut Report, runs: usize) -> Option<Cost> {
    let n = size(1000);
    let name = "veth_del_one_by_one";
    // One delete costs the kernel ~16 ms (an RCU grace period per unregistration): a full
    // run spends 16 s per tool, so it runs once.
    let runs = if common::full() { 1 } else { runs };
    let (m, _) = workload(
        r,
        name,
        n,
        runs,
        &with_cli(&[Tool::Np, Tool::NpBatch, Tool::Ip, Tool::Rtnl]),
        |_, h| make_veths(h, n),
        |ns, h, _, tool| match tool {
            Tool::Np => np_many(tool, || {
                (0..n)
                    .map(|i| Ok(h.link_del(veth_names(i).0.as_str())))
                    .collect()
            }),
            Tool::NpBatch => np_many(tool, || {
                let names: Vec<String> = (0..n).map(|i| veth_names(i).0).collect();
                h.link_del_many(names.iter().map(String::as_str))
            }),
            Tool::Ip | Tool::IpForce | Tool::Cli => {
                let mut s = String::new();
                for i in 0..n {
                    writeln!(s, "link del {}", veth_names(i).0).unwrap();
                }
                batch_file(ns, tool, &s)
            }
            _ => rtnl_run(ns, tool, n, |h, i| {
                h.link()
                    .del_with_message(
                        rtnetlink::LinkUnspec::new_with_name(&veth_names(i).0).build(),
                    )
                    .execute()
            }),
        },
        |_, _| (),
        false,
    );
    compare(
        r,
        name,
        n,
        &m,
        Tool::Np,
        &[(Tool::Ip, Target::None), (Tool::Rtnl, Target::None)],
    );
    compare(r, name, n, &m, Tool::NpBatch, &[(Tool::Ip, Target::None)]);
    compare_cli(r, name, n, &m, Target::None);
    m.get(&Tool::Ip).copied()
}

fn veth_del_group(r: &mut Report, runs: usize, one_by_one_ip: Option<Cost>) {
    let n = size(1000);
    let name = "veth_del_group";
    let (m, _) = workload(
        r,
        name,
        n,
        runs,
        &[Tool::NpGroup, Tool::IpGroup],
        |_, h| make_veths(h, n),
        |ns, h, _, tool| match tool {
            Tool::NpGroup => np_many(tool, || Ok(vec![h.link_del_group(GROUP)])),
            _ => {
                common::run_child(std::process::Command::new("ip").args([
                    "-n",
                    ns.name(),
                    "link",
                    "del",
                    "group",
                    &GROUP.to_string(),
                ]))
                .cost
            }
        },
        |_, _| (),
        false,
    );
    if let (Some(ours), Some(ip)) = (m.get(&Tool::NpGroup), one_by_one_ip) {
        r.compare(
            "veth_teardown",
            n,
            "wall",
            ("netplumb group delete", ours.wall),
            ("ip -batch one by one", ip.wall),
            Target::AtLeast(20.0),
        );
    }
    compare(
        r,
        name,
        n,
        &m,
        Tool::NpGroup,
        &[(Tool::IpGroup, Target::None)],
    );
}

// ---------------------------------------------------------------------------------------------
// Addresses, routes, neighbours

fn addrs(r: &mut Report, runs: usize) {
    let n = size(10_000);
    let name = "addr_add";
    let prefix = 24;
    let (m, sums) = workload(
        r,
        name,
        n,
        runs,
        &with_cli(&[Tool::Np, Tool::NpBatch, Tool::Ip, Tool::Rtnl, Tool::RtnlX64]),
        |_, h| make_link(h, "npa0", false),
        |ns, h, &index, tool| match tool {
            Tool::Np | Tool::NpBatch => {
                let spec = |i| -> netplumb::Result<AddrSpec> {
                    Ok(AddrSpec::new(IpNet::new(IpAddr::V4(v4(i + 1)), prefix)?))
                };
                np_run(
                    h,
                    tool,
                    n,
                    |i| h.addr_add(index, &spec(i)?),
                    |i| spec(i)?.add_request(index),
                )
            }
            Tool::Ip | Tool::IpForce | Tool::Cli => {
                let mut s = String::new();
                for i in 0..n {
                    writeln!(s, "address add {}/{prefix} dev npa0", v4(i + 1)).unwrap();
                }
                batch_file(ns, tool, &s)
            }
            _ => rtnl_run(ns, tool, n, move |h, i| {
                h.address()
                    .add(index, IpAddr::V4(v4(i + 1)), prefix)
                    .execute()
            }),
        },
        |_, h| delete_group(h),
        true,
    );
    compare(
        r,
        name,
        n,
        &m,
        Tool::NpBatch,
        &[
            (Tool::Ip, Target::AtLeast(0.95)),
            (Tool::Rtnl, Target::None),
            (Tool::RtnlX64, Target::None),
        ],
    );
    compare(
        r,
        name,
        n,
        &m,
        Tool::Np,
        &[(Tool::Ip, Target::None), (Tool::Rtnl, Target::None)],
    );
    compare_cli(r, name, n, &m, Target::AtLeast(0.95));
    user_share(r, name, &sums);
}

fn routes(r: &mut Report, runs: usize) {
    let n = size(100_000);
    let name = "route_add";
    let (m, sums) = workload(
        r,
        name,
        n,
        runs,
        &with_cli(&[Tool::Np, Tool::NpBatch, Tool::Ip, Tool::Rtnl, Tool::RtnlX64]),
        |_, h| route_link(h),
        |ns, h, _, tool| match tool {
            Tool::Np | Tool::NpBatch => {
                let spec = |i| RouteSpec::new(IpNet::host(IpAddr::V4(v4(i)))).via(IpAddr::V4(GW));
                np_run(
                    h,
                    tool,
                    n,
                    |i| h.route_add(&spec(i)),
                    |i| spec(i).request(RouteOp::Add),
                )
            }
            Tool::Ip | Tool::IpForce | Tool::Cli => {
                let mut s = String::new();
                for i in 0..n {
                    writeln!(s, "route add {}/32 via {GW}", v4(i)).unwrap();
                }
                batch_file(ns, tool, &s)
            }
            _ => rtnl_run(ns, tool, n, |h, i| {
                h.route()
                    .add(
                        rtnetlink::RouteMessageBuilder::<Ipv4Addr>::new()
                            .destination_prefix(v4(i), 32)
                            .gateway(GW)
                            .build(),
                    )
                    .execute()
            }),
        },
        |_, h| delete_group(h),
        true,
    );
    compare(
        r,
        name,
        n,
        &m,
        Tool::NpBatch,
        &[
            (Tool::Ip, Target::AtLeast(1.5)),
            (Tool::Rtnl, Target::AtLeast(1.0)),
            (Tool::RtnlX64, Target::AtLeast(1.0)),
        ],
    );
    compare(
        r,
        name,
        n,
        &m,
        Tool::Np,
        &[(Tool::Ip, Target::None), (Tool::Rtnl, Target::None)],
    );
    compare_cli(r, name, n, &m, Target::AtLeast(1.5));
    user_share(r, name, &sums);
}

fn neighs(r: &mut Report, runs: usize) {
    let n = size(10_000);
    let name = "neigh_add";
    let (m, sums) = workload(
        r,
        name,
        n,
        runs,
        &with_cli(&[Tool::Np, Tool::NpBatch, Tool::Ip, Tool::Rtnl, Tool::RtnlX64]),
        |_, h| make_link(h, "npn0", true),
        |ns, h, &index, tool| match tool {
            Tool::Np | Tool::NpBatch => {
                let spec = |i| {
                    NeighSpec::new(IpAddr::V4(v4(i)))
                        .lladdr(MacAddr(mac(i)))
                        .state(NeighState::PERMANENT)
                };
                np_run(
                    h,
                    tool,
                    n,
                    |i| h.neigh_add(index, &spec(i)),
                    |i| spec(i).add_request(index),
                )
            }
            Tool::Ip | Tool::IpForce | Tool::Cli => {
                let mut s = String::new();
                for i in 0..n {
                    writeln!(
                        s,
                        "neigh add {} lladdr {} dev npn0 nud permanent",
                        v4(i),
                        mac_str(mac(i))
                    )
                    .unwrap();
                }
                batch_file(ns, tool, &s)
            }
            _ => rtnl_run(ns, tool, n, move |h, i| {
                h.neighbours()
                    .add(index, IpAddr::V4(v4(i)))
                    .link_layer_address(&mac(i))
                    .state(netlink_packet_route::neighbour::NeighbourState::Permanent)
                    .execute()
            }),
        },
        |_, h| delete_group(h),
        true,
    );
    compare(
        r,
        name,
        n,
        &m,
        Tool::NpBatch,
        &[
            (Tool::Ip, Target::AtLeast(1.2)),
            (Tool::Rtnl, Target::None),
            (Tool::RtnlX64, Target::None),
        ],
    );
    compare(
        r,
        name,
        n,
        &m,
        Tool::Np,
        &[(Tool::Ip, Target::None), (Tool::Rtnl, Target::None)],
    );
    compare_cli(r, name, n, &m, Target::AtLeast(1.2));
    user_share(r, name, &sums);
}

fn main() {
    let mut r = Report::new("bulk");
    if !common::privileged() {
        r.note("skipped: the bulk benchmarks need root (they create namespaces)");
        eprintln!("SKIPPED bulk: needs root");
        return;
    }
    let only = std::env::var("NETPLUMB_BENCH_ONLY").unwrap_or_default();
    let want = |w: &str| only.is_empty() || only.split(',').any(|o| o == w);
    let runs = common::runs();
    if cli().is_none() {
        r.note(common::CLI_MISSING);
    }
    if want("veth") {
        veth_add(&mut r, runs);
        let ip = veth_del(&mut r, runs);
        veth_del_group(&mut r, runs, ip);
    }
    if want("addr") {
        addrs(&mut r, runs);
    }
    if want("route") {
        routes(&mut r, runs);
    }
    if want("neigh") {
        neighs(&mut r, runs);
    }
}
