//! Dumps: 100,000 IPv4 routes and 1,000 links, by netplumb, `ip -j ... show` and rtnetlink
//! 0.24, in a fresh namespace; and the peak RSS of each tool dumping 100,000 IPv4 and
//! 1,000,000 IPv6 routes, each measured in a child process of its own (`wait4`'s
//! `ru_maxrss`) so that one dump's memory cannot pollute another's number.
//!
//! netplumb and rtnetlink both decode every record into an owned message and drop it
//! (streaming); netplumb's zero-copy variant reads every attribute through the views. `ip`
//! prints JSON to /dev/null. Timings are the median of `NETPLUMB_BENCH_RUNS` (3) runs.
//!
//! The child mode: with `NETPLUMB_BENCH_CHILD=TOOL:WHAT:NS` set, this binary dumps WHAT
//! (`route4`, `route6`, `link`) from namespace NS with TOOL (`netplumb`, `rtnetlink`), prints
//! the record count and exits.

mod common;

use common::{
    BenchNs, Cost, Report, Target, add_batch, create_flags, delete_group, make_link, measure,
    median, route_link, route_msg, rtnl_in, run_child, run_child_output, size, v6,
};
use futures::TryStreamExt;
use netplumb::link::LinkFilter;
use netplumb::route::RouteFilter;
use netplumb::wire::addr::{AddrFlags, AddressMessage};
use netplumb::wire::link::{LinkMessage, LinkMessageBuffer};
use netplumb::wire::nlmsg::{RTM_GETLINK, RTM_GETROUTE, RTM_NEWADDR, RTM_NEWLINK, RTM_NEWROUTE};
use netplumb::wire::route::{RouteHeader, RouteMessage, RouteMessageBuffer};
use netplumb::{Handle, NetNs};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// GNU time, to read a child's peak RSS without the launcher's own.
const TIME: &str = "/usr/bin/time";

const AF_INET: u8 = libc::AF_INET as u8;
const AF_INET6: u8 = libc::AF_INET6 as u8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum What {
    Route4,
    Route6,
    Link,
}

impl What {
    fn parse(s: &str) -> What {
        match s {
            "route4" => What::Route4,
            "route6" => What::Route6,
            "link" => What::Link,
            _ => panic!("unknown dump {s}"),
        }
    }
    fn arg(self) -> &'static str {
        match self {
            What::Route4 => "route4",
            What::Route6 => "route6",
            What::Link => "link",
        }
    }
    /// `ip` arguments for the same dump.
    fn ip_args(self) -> &'static [&'static str] {
        match self {
            What::Route4 => &["-4", "-j", "route", "show"],
            What::Route6 => &["-6", "-j", "route", "show"],
            What::Link => &["-j", "link", "show"],
        }
    }
}

/// The route dump request: `struct rtmsg` with only the family set (every table).
fn route_req(family: u8) -> RouteMessage {
    RouteMessage::new(RouteHeader {
        family,
        ..RouteHeader::default()
    })
}

/// netplumb: dump and parse every record into an owned message; returns the count.
fn np_dump(h: &Handle, what: What) -> usize {
    let count = |it: netplumb::Result<Vec<()>>| it.expect("dump").len();
    match what {
        What::Route4 | What::Route6 => {
            let family = if what == What::Route4 {
                AF_INET
            } else {
                AF_INET6
            };
            count(
                h.dump_map(RTM_GETROUTE, &route_req(family), |p| {
                    std::hint::black_box(RouteMessage::parse(p)?);
                    Ok(())
                })
                .expect("dump")
                .collect(),
            )
        }
        What::Link => count(
            h.dump_map(RTM_GETLINK, &LinkMessage::new(0), |p| {
                std::hint::black_box(LinkMessage::parse(p)?);
                Ok(())
            })
            .expect("dump")
            .collect(),
        ),
    }
}

/// netplumb's typed listing (`route_list` of table main, IPv4, like `ip -4 route show`;
/// `link_list`), which collects `Route`/`Link` values; returns the count.
fn np_list(h: &Handle, what: What) -> usize {
    match what {
        What::Route4 => h.route_list(&RouteFilter::new().ipv4()),
        What::Route6 => h.route_list(&RouteFilter::new().ipv6()),
        What::Link => return h.link_list(&LinkFilter::new()).expect("link_list").len(),
    }
    .expect("route_list")
    .len()
}

/// netplumb: dump and read every attribute through the zero-copy views; returns the count.
fn np_dump_views(h: &Handle, what: What) -> usize {
    let mut n = 0;
    let mut sum = 0usize;
    let r = match what {
        What::Route4 | What::Route6 => {
            let family = if what == What::Route4 {
                AF_INET
            } else {
                AF_INET6
            };
            h.dump(RTM_GETROUTE, &route_req(family))
                .expect("dump")
                .for_each(|m| {
                    let v = RouteMessageBuffer::new_checked(m.payload())?;
                    sum += usize::from(v.dst_len());
                    for a in v.attrs() {
                        let a = a?;
                        sum += usize::from(a.kind()) + a.value().len();
                    }
                    n += 1;
                    Ok(())
                })
        }
        What::Link => h
            .dump(RTM_GETLINK, &LinkMessage::new(0))
            .expect("dump")
            .for_each(|m| {
                let v = LinkMessageBuffer::new_checked(m.payload())?;
                sum += v.index() as usize;
                for a in v.attrs() {
                    let a = a?;
                    sum += usize::from(a.kind()) + a.value().len();
                }
                n += 1;
                Ok(())
            }),
    };
    r.expect("dump");
    std::hint::black_box(sum);
    n
}

/// rtnetlink: the same dump on a thread in the namespace, counting the parsed messages.
/// Returns the count and the cost of the dump alone (the connection is made before).
fn rtnl_dump(ns: &NetNs, what: What) -> (usize, Cost) {
    rtnl_in(ns, |h| async move {
        let m = common::Meter::start();
        let n = match what {
            What::Route4 => {
                h.route()
                    .get(rtnetlink::RouteMessageBuilder::<Ipv4Addr>::new().build())
                    .execute()
                    .try_fold(0usize, |n, m| {
                        std::hint::black_box(m);
                        futures::future::ready(Ok(n + 1))
                    })
                    .await
            }
            What::Route6 => {
                h.route()
                    .get(rtnetlink::RouteMessageBuilder::<Ipv6Addr>::new().build())
                    .execute()
                    .try_fold(0usize, |n, m| {
                        std::hint::black_box(m);
                        futures::future::ready(Ok(n + 1))
                    })
                    .await
            }
            What::Link => {
                h.link()
                    .get()
                    .execute()
                    .try_fold(0usize, |n, m| {
                        std::hint::black_box(m);
                        futures::future::ready(Ok(n + 1))
                    })
                    .await
            }
        }
        .expect("rtnetlink dump");
        (n, m.stop())
    })
}

/// The child modes. `TOOL:WHAT:NS`: dump, print the record count and this process's peak
/// RSS (`VmHWM`: the memory map is new since `exec`, so it is this program's alone).
/// `launch`: run the command in the arguments, print its peak RSS (`wait4`'s `ru_maxrss`,
/// which is also at least this small launcher's RSS at fork time) and record count 0.
fn child(spec: &str) {
    if spec == "noop" {
        println!("0 {}", common::vm_hwm_kib());
        return;
    }
    if spec == "launch" {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let c = run_child(Command::new(&args[0]).args(&args[1..]));
        println!("0 {}", c.maxrss_kib);
        return;
    }
    let parts: Vec<&str> = spec.split(':').collect();
    let [tool, what, ns] = parts[..] else {
        panic!("bad NETPLUMB_BENCH_CHILD {spec}")
    };
    let what = What::parse(what);
    let ns = NetNs::open_name(ns).expect("open namespace");
    let n = match tool {
        "netplumb" => np_dump(&Handle::in_netns(&ns).expect("handle"), what),
        "rtnetlink" => rtnl_dump(&ns, what).0,
        _ => panic!("unknown tool {tool}"),
    };
    println!("{n} {}", common::vm_hwm_kib());
}

/// Peak RSS (KiB), cost and record count of `tool` dumping `what` in a child process.
fn child_dump(ns: &BenchNs, tool: &str, what: What) -> (u64, Cost, usize) {
    let exe = std::env::current_exe().expect("current exe");
    let mut cmd = Command::new(&exe);
    let program = match tool {
        "ip" => Some(PathBuf::from("ip")),
        "netplumb CLI" => cli().cloned(),
        _ => None,
    };
    if let Some(program) = program {
        // `ru_maxrss` of a child is at least the RSS of the process that forked it (exec
        // keeps the high-water mark of the memory it replaces): launch `ip` (or the CLI)
        // from GNU time, whose own RSS is ~1 MiB, or else from this binary in launcher mode
        // (~2.5 MiB).
        let (c, err) = if Path::new(TIME).exists() {
            let out = Command::new(TIME)
                .args(["-f", "%M"])
                .arg(&program)
                .args(["-n", ns.name()])
                .args(what.ip_args())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .output()
                .expect("run time ip");
            assert!(out.status.success(), "time {tool} failed");
            (0, String::from_utf8_lossy(&out.stderr).into_owned())
        } else {
            let mut l = Command::new(&exe);
            l.env("NETPLUMB_BENCH_CHILD", "launch")
                .arg(&program)
                .args(["-n", ns.name()])
                .args(what.ip_args());
            (1, run_child_output(l.stdout(Stdio::piped())).1)
        };
        let kib = err
            .split_whitespace()
            .nth(c)
            .and_then(|w| w.parse().ok())
            .unwrap_or_else(|| panic!("peak RSS of {tool}: {err:?}"));
        let cost = run_child(
            Command::new(&program)
                .args(["-n", ns.name()])
                .args(what.ip_args()),
        )
        .cost;
        return (kib, cost, 0);
    } else {
        cmd.env(
            "NETPLUMB_BENCH_CHILD",
            format!("{tool}:{}:{}", what.arg(), ns.name()),
        );
    }
    let (c, out) = run_child_output(cmd.stdout(Stdio::piped()));
    let mut words = out.split_whitespace().map(|w| w.parse::<u64>().ok());
    let (Some(Some(n)), Some(Some(kib))) = (words.next(), words.next()) else {
        panic!("child printed {out:?}")
    };
    (kib, c.cost, n as usize)
}

/// The netplumb CLI binary, if built (looked up once).
fn cli() -> Option<&'static PathBuf> {
    static CLI: OnceLock<Option<PathBuf>> = OnceLock::new();
    CLI.get_or_init(common::netplumb_cli).as_ref()
}

/// Checks (untimed) that the CLI prints as many JSON records as `ip` for the same dump, so
/// that the two do the same work.
fn same_json(ns: &BenchNs, bin: &Path, what: What) {
    let count = |program: &std::ffi::OsStr| -> usize {
        let (_, out) = run_child_output(
            Command::new(program)
                .args(["-n", ns.name()])
                .args(what.ip_args())
                .stdout(Stdio::piped()),
        );
        match serde_json::from_str::<serde_json::Value>(&out) {
            Ok(serde_json::Value::Array(v)) => v.len(),
            other => panic!("{program:?}: not a JSON array: {other:?}"),
        }
    };
    let (a, b) = (count(bin.as_os_str()), count("ip".as_ref()));
    assert_eq!(a, b, "netplumb CLI and ip print the same number of records");
}

/// Times each tool's dump of `what` (median of `runs`), checks the counts, and reports.
fn time_dumps(r: &mut Report, ns: &BenchNs, h: &Handle, name: &str, what: What, n: usize) {
    let runs = common::runs();
    eprintln!("== {name} (n = {n}, {runs} runs)");
    let mut np = Vec::new();
    let mut views = Vec::new();
    let mut typed = Vec::new();
    let mut ip = Vec::new();
    let mut rt = Vec::new();
    let mut cli_costs = Vec::new();
    let cli_cmd = |bin: &PathBuf| {
        let mut c = Command::new(bin);
        c.args(["-n", ns.name()]).args(what.ip_args());
        c
    };
    if let Some(bin) = cli() {
        same_json(ns, bin, what);
    }
    for run in 0..runs {
        let (count, c) = measure(|| np_dump(h, what));
        assert!(count >= n, "netplumb dumped {count} < {n}");
        np.push(c);
        let (count2, c) = measure(|| np_dump_views(h, what));
        assert_eq!(count2, count);
        views.push(c);
        let (count4, c) = measure(|| np_list(h, what));
        assert!(count4 >= n, "netplumb's typed list saw {count4} < {n}");
        typed.push(c);
        let c = run_child(
            Command::new("ip")
                .args(["-n", ns.name()])
                .args(what.ip_args()),
        )
        .cost;
        ip.push(c);
        let (count3, c) = rtnl_dump(ns.ns(), what);
        assert_eq!(
            count3, count,
            "rtnetlink and netplumb dump the same records"
        );
        rt.push(c);
        if let Some(bin) = cli() {
            cli_costs.push(run_child(&mut cli_cmd(bin)).cost);
        }
        eprintln!(
            "   run {run} netplumb {} views {} typed {} ip -j {} rtnetlink {}",
            common::fmt_s(np[run].wall),
            common::fmt_s(views[run].wall),
            common::fmt_s(typed[run].wall),
            common::fmt_s(ip[run].wall),
            common::fmt_s(rt[run].wall)
        );
    }
    let (np, views, typed, ip, rt) = (
        median(np),
        median(views),
        median(typed),
        median(ip),
        median(rt),
    );
    let typed_tool = if what == What::Link {
        "netplumb link_list"
    } else {
        "netplumb route_list"
    };
    let ip_tool = format!("ip {}", what.ip_args().join(" "));
    r.measure(name, n, "netplumb", np);
    r.measure(name, n, "netplumb views", views);
    r.measure(name, n, typed_tool, typed);
    r.measure(name, n, &ip_tool, ip);
    r.measure(name, n, "rtnetlink", rt);
    let (t_ip, t_rt) = if what == What::Route4 {
        (Target::AtLeast(2.5), Target::AtLeast(1.3))
    } else {
        (Target::None, Target::None)
    };
    if !cli_costs.is_empty() {
        // The CLI against `ip`, both as processes with the same arguments, printing JSON to
        // /dev/null; CPU from `wait4`.
        let cli = median(cli_costs);
        let cli_tool = format!("netplumb CLI {}", what.ip_args().join(" "));
        r.measure(name, n, &cli_tool, cli);
        r.compare(
            name,
            n,
            "wall",
            (&cli_tool, cli.wall),
            (&ip_tool, ip.wall),
            t_ip,
        );
        r.compare(
            name,
            n,
            "cpu",
            (&cli_tool, cli.user + cli.sys),
            (&ip_tool, ip.user + ip.sys),
            Target::None,
        );
    }
    for (tool, c, t_ip, t_rt) in [
        ("netplumb", np, t_ip, t_rt),
        ("netplumb views", views, t_ip, t_rt),
        (typed_tool, typed, Target::None, Target::None),
    ] {
        for (peer, p, target) in [(ip_tool.as_str(), ip, t_ip), ("rtnetlink", rt, t_rt)] {
            r.compare(name, n, "wall", (tool, c.wall), (peer, p.wall), target);
            r.compare(
                name,
                n,
                "cpu",
                (tool, c.user + c.sys),
                (peer, p.user + p.sys),
                Target::None,
            );
        }
    }
}

/// Peak RSS of each tool dumping `what`, each in its own child process.
fn rss(r: &mut Report, ns: &BenchNs, name: &str, what: What, n: usize, bound_kib: Option<u64>) {
    eprintln!("== {name} (n = {n})");
    // What the bench binary itself costs: a child that only starts and prints its VmHWM.
    let exe = std::env::current_exe().expect("current exe");
    let (_, out) = run_child_output(
        Command::new(&exe)
            .env("NETPLUMB_BENCH_CHILD", "noop")
            .stdout(Stdio::piped()),
    );
    let base: f64 = out
        .split_whitespace()
        .nth(1)
        .and_then(|w| w.parse().ok())
        .unwrap_or(0.0);
    r.check(
        &format!("{name}: peak RSS of the bench binary doing nothing (baseline of the rows)"),
        base / 1024.0,
        "MiB",
        "-",
        true,
    );
    let mut np = (0, Cost::default(), 0);
    let mut rows = Vec::new();
    let mut ip_kib = None;
    let mut cli_kib = None;
    let mut tools = vec!["netplumb", "rtnetlink", "ip"];
    if cli().is_some() {
        tools.push("netplumb CLI");
    }
    for tool in tools {
        let (kib, cost, count) = child_dump(ns, tool, what);
        if !matches!(tool, "ip" | "netplumb CLI") {
            assert!(count >= n, "{tool} dumped {count} < {n}");
        }
        eprintln!(
            "   {tool:<10} peak RSS {:>8} KiB  wall {}",
            kib,
            common::fmt_s(cost.wall)
        );
        let label = match tool {
            "ip" => format!("ip {}", what.ip_args().join(" ")),
            "netplumb CLI" => format!("netplumb CLI {}", what.ip_args().join(" ")),
            _ => tool.to_string(),
        };
        r.measure(&format!("{name}_process"), n, &label, cost);
        match tool {
            "netplumb" => np = (kib, cost, count),
            "netplumb CLI" => cli_kib = Some((label, kib)),
            _ => {
                if tool == "ip" {
                    ip_kib = Some((label.clone(), kib));
                }
                rows.push((label, kib));
            }
        }
    }
    if let (Some((cli_label, cli)), Some((ip_label, ip))) = (&cli_kib, &ip_kib) {
        r.compare(
            name,
            n,
            "peak_rss_kib",
            (cli_label, *cli as f64),
            (ip_label, *ip as f64),
            Target::None,
        );
    }
    for (label, kib) in rows {
        r.compare(
            name,
            n,
            "peak_rss_kib",
            ("netplumb", np.0 as f64),
            (&label, kib as f64),
            Target::None,
        );
    }
    if let Some(bound) = bound_kib {
        r.check(
            &format!("{name}: netplumb peak RSS (whole process)"),
            np.0 as f64 / 1024.0,
            "MiB",
            &format!("< {} MiB", bound / 1024),
            np.0 < bound,
        );
    }
}

fn routes4(r: &mut Report) {
    let n = size(100_000);
    let ns = BenchNs::new("dump4");
    let h = ns.handle();
    route_link(&h);
    add_batch(&h, n, RTM_NEWROUTE, create_flags(), route_msg);
    time_dumps(r, &ns, &h, "route_dump", What::Route4, n);
    rss(r, &ns, "route_dump_rss", What::Route4, n, None);
    delete_group(&h);
}

fn routes6(r: &mut Report) {
    let n = size(1_000_000);
    let ns = BenchNs::new("dump6");
    let h = ns.handle();
    let index = make_link(&h, "npr0", true);
    h.request(
        RTM_NEWADDR,
        create_flags(),
        &AddressMessage::new(
            index,
            IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0xffff, 0, 0, 0, 0, 1)),
            64,
        )
        .with_flags(AddrFlags::NODAD),
    )
    .expect("address");
    let gw = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0xffff, 0, 0, 0, 0, 2));
    eprintln!("   adding {n} IPv6 routes");
    let (_, c) = measure(|| {
        add_batch(&h, n, RTM_NEWROUTE, create_flags(), |i| {
            RouteMessage::unicast(IpAddr::V6(v6(i)), 128).with_gateway(gw)
        })
    });
    r.measure("route6_add_setup", n, "netplumb batch", c);
    rss(r, &ns, "route6_dump_rss", What::Route6, n, Some(8 * 1024));
    delete_group(&h);
}

fn links(r: &mut Report) {
    let pairs = size(1000) / 2;
    let ns = BenchNs::new("dumpl");
    let h = ns.handle();
    add_batch(&h, pairs, RTM_NEWLINK, create_flags(), |i| {
        common::veth_msg(format!("npv{i}"), format!("npp{i}"))
    });
    time_dumps(r, &ns, &h, "link_dump", What::Link, pairs * 2);
    delete_group(&h);
}

fn main() {
    if let Ok(spec) = std::env::var("NETPLUMB_BENCH_CHILD") {
        child(&spec);
        return;
    }
    let mut r = Report::new("dump");
    if !common::privileged() {
        r.note("skipped: the dump benchmarks need root (they create namespaces)");
        eprintln!("SKIPPED dump: needs root");
        return;
    }
    if cli().is_none() {
        r.note(common::CLI_MISSING);
    }
    let only = std::env::var("NETPLUMB_BENCH_ONLY").unwrap_or_default();
    let want = |w: &str| only.is_empty() || only.split(',').any(|o| o == w);
    if want("route") {
        routes4(&mut r);
    }
    if want("link") {
        links(&mut r);
    }
    if want("route6") {
        routes6(&mut r);
    }
}
