//! `route add | replace | change | append | prepend | delete | show | flush | get`, through
//! the library's route operations (`RouteSpec` and `Handle::route_request`, the dump
//! request of `route::RouteFilter`, `Handle::route_get`, `Route::delete_message`).
//!
//! The listing applies `ip`'s selectors (`root`/`match`/`exact`, `via`, `src`, ...) to what
//! the kernel's filtered dump returns, and prints each route as `print_route` does, hiding
//! the fields a selector already fixed.
//!
//! Where netplumb differs from `ip` 6.1 on purpose:
//! - `route get ... connected` looks the route up again from the preferred source of the
//!   first answer, as ip-route(8) describes (6.1 sends the first request again), and with
//!   `-j` prints both answers in one JSON array.
//! - A few requests the library refuses before sending, where `ip` lets the kernel refuse
//!   them (so the message is netplumb's, and nothing changes either way): a gateway of the
//!   wrong family for an IPv6 route, a next hop with neither gateway nor device, a device
//!   next to `nexthop`s, congestion-control names of 16 bytes or more.
//! - `pref` and `expires` are not sent for IPv4 routes (the kernel ignores them there).

use super::links::Links;
use super::render::route::Hide;
use super::render::{self, Opts, Printer};
use super::select::addr_match;
use super::stream;
use crate::args::Family;
use crate::cmd::Run;
use crate::cmd::route::{
    MetricKind, PrefixSel, RouteChange, RouteCmd, RouteFilter, RouteGet, RouteOp, TableFilter,
};
use crate::ctx::{Ctx, resolve};
use crate::error::{CliError, Res, error_text, failed, lib_error};
use netplumb::link::LinkRef;
use netplumb::route::{NextHopSpec, Route, RouteGetOpts, RouteSpec};
use netplumb::wire::NlmsgFlags;
use netplumb::wire::attr::AttrIter;
use netplumb::wire::family::{AF_INET, AF_INET6};
use netplumb::wire::nlmsg::{RTM_DELROUTE, RTM_GETROUTE};
use netplumb::wire::route::{
    RT_TABLE_MAIN, RTAX_CC_ALGO, RouteAttr, RouteMessage, RouteMetric, RoutePref, RouteProtocol,
    RouteScope, RouteType, RouteVia,
};
use netplumb::{Batch, BatchMode, Handle, IpNet};
use std::net::IpAddr;

impl Run for RouteCmd {
    fn run(&self, ctx: &Ctx<'_>) -> Res<()> {
        run(self, ctx)
    }

    fn queueable(&self) -> bool {
        matches!(self, RouteCmd::Change(r)
            if matches!(r.op, RouteOp::Add | RouteOp::Replace | RouteOp::Del))
    }
}

/// Runs `route`.
fn run(cmd: &RouteCmd, ctx: &Ctx<'_>) -> Result<(), CliError> {
    match cmd {
        RouteCmd::Change(c) => change(c, ctx),
        RouteCmd::Show(f) => show(f, ctx),
        RouteCmd::Flush(f) => flush(f, ctx),
        RouteCmd::Get(g) => get(g, ctx),
    }
}

/// The table of VRF device `name` (`ipvrf_get_table`).
fn vrf_table(h: &Handle, name: &str) -> Result<u32, CliError> {
    let bad = || CliError::Failed(format!("Error: argument \"{name}\" is wrong: Invalid VRF"));
    let l = h.link_get(name).map_err(|_| bad())?;
    if l.kind.as_deref() != Some("vrf") {
        return Err(bad());
    }
    // IFLA_VRF_TABLE (1), a u32, in the kind data the wire codec keeps raw.
    let table = match l.kind_data() {
        Some(netplumb::link::InfoData::Other(raw)) => AttrIter::new(raw)
            .find(1)
            .ok()
            .flatten()
            .and_then(|a| a.u32("IFLA_VRF_TABLE").ok()),
        _ => None,
    };
    table.filter(|t| *t != 0).ok_or_else(bad)
}

fn metric(kind: MetricKind, v: u32) -> RouteMetric {
    match kind {
        MetricKind::Mtu => RouteMetric::Mtu(v),
        MetricKind::Window => RouteMetric::Window(v),
        MetricKind::Rtt => RouteMetric::Rtt(v),
        MetricKind::Rttvar => RouteMetric::RttVar(v),
        MetricKind::Ssthresh => RouteMetric::Ssthresh(v),
        MetricKind::Cwnd => RouteMetric::Cwnd(v),
        MetricKind::Advmss => RouteMetric::AdvMss(v),
        MetricKind::Reordering => RouteMetric::Reordering(v),
        MetricKind::Hoplimit => RouteMetric::HopLimit(v),
        MetricKind::Initcwnd => RouteMetric::InitCwnd(v),
        MetricKind::Features => RouteMetric::Features(v),
        MetricKind::RtoMin => RouteMetric::RtoMin(v),
        MetricKind::Initrwnd => RouteMetric::InitRwnd(v),
        MetricKind::Quickack => RouteMetric::QuickAck(v),
        MetricKind::FastopenNoCookie => RouteMetric::FastopenNoCookie(v),
    }
}

/// `ip route add|replace|change|append|prepend|del`: the request `RouteSpec` builds (with
/// `ip`'s defaults: protocol boot, the scope and table `ip` derives from the type), plus
/// the attributes the spec has no setter for (`realms`, `nhid`, `ttl-propagate`).
fn change(c: &RouteChange, ctx: &Ctx<'_>) -> Result<(), CliError> {
    use netplumb::route::RouteOp as Op;
    // Only builds the request (device names go through `ctx.resolve`).
    let h = ctx.build_handle()?;
    let v4 = c.dst.is_ipv4();
    let op = match c.op {
        RouteOp::Add => Op::Add,
        RouteOp::Replace => Op::Replace,
        RouteOp::Change => Op::Change,
        RouteOp::Append => Op::Append,
        RouteOp::Prepend => Op::Prepend,
        RouteOp::Del => Op::Del,
    };
    let mut spec = RouteSpec::new(c.dst);
    spec.kind = c.kind.map(|t| RouteType(t.rtn()));
    spec.tos = c.tos.unwrap_or(0);
    spec.gateway = c.via;
    spec.prefsrc = c.src;
    spec.source = c.from;
    spec.metric = c.metric;
    spec.table = match &c.vrf {
        Some(v) => Some(vrf_table(ctx.handle()?, v)?),
        None => c.table,
    };
    spec.protocol = c.protocol.map(RouteProtocol);
    spec.scope = c.scope.map(RouteScope);
    if c.nhid.is_some()
        && c.scope.is_none()
        && c.op != RouteOp::Del
        && c.kind
            .is_none_or(|k| k == crate::cmd::route::RouteType::Unicast)
    {
        // A nexthop object is a gateway as far as `ip`'s default scope goes.
        spec.scope = Some(RouteScope::UNIVERSE);
    }
    spec.onlink = c.onlink;
    // IPv4 routes have no preference or lifetime: the kernel ignores both there.
    spec.pref = c.pref.filter(|_| !v4).map(RoutePref);
    spec.expires = c.expires.filter(|_| !v4);
    for m in &c.metrics {
        spec.metrics.push(metric(m.kind, m.value));
        if m.lock {
            spec = spec.lock(m.kind.rtax());
        }
    }
    if let Some(cc) = &c.congctl {
        spec.metrics.push(RouteMetric::CcAlgo(cc.name.clone()));
        if cc.lock {
            spec = spec.lock(RTAX_CC_ALGO);
        }
    }
    if let Some(d) = &c.dev {
        spec.dev = Some(LinkRef::Index(ctx.resolve(d)?));
    }
    for nh in &c.nexthops {
        let mut n = NextHopSpec {
            gateway: nh.via,
            weight: nh.weight.unwrap_or(1),
            onlink: nh.onlink,
            ..NextHopSpec::default()
        };
        if let Some(d) = &nh.dev {
            n.dev = Some(LinkRef::Index(ctx.resolve(d)?));
        }
        spec.nexthops.push(n);
    }
    let (t, f, mut msg) = h.route_request(op, &spec).map_err(lib_error)?.into_parts();
    if let Some(r) = c.realms {
        msg.attrs.push(RouteAttr::Flow(r));
    }
    if c.nexthops.iter().any(|n| n.realms.is_some()) {
        for a in &mut msg.attrs {
            if let RouteAttr::Multipath(hops) = a {
                for (hop, nh) in hops.iter_mut().zip(&c.nexthops) {
                    if let Some(r) = nh.realms {
                        hop.attrs.push(RouteAttr::Flow(r));
                    }
                }
            }
        }
    }
    if let Some(id) = c.nhid {
        msg.attrs.push(RouteAttr::NexthopId(id));
    }
    if let Some(p) = c.ttl_propagate {
        msg.attrs.push(RouteAttr::TtlPropagate(u8::from(p)));
    }
    ctx.send(t, f, &msg)
}

/// A prefix selector as `ip` keeps it (`inet_prefix`): a family (0 for `default` given
/// without `-4`/`-6`, which then matches either), an address and a length.
#[derive(Debug, Clone, Copy)]
struct Pfx {
    family: u8,
    addr: IpAddr,
    len: u8,
}

impl Pfx {
    fn new(net: IpNet, any_family: bool) -> Pfx {
        let family = if any_family && net.prefix_len() == 0 && net.addr().is_unspecified() {
            0
        } else {
            net.family()
        };
        Pfx {
            family,
            addr: net.addr(),
            len: net.prefix_len(),
        }
    }

    fn host_len(&self) -> u8 {
        if self.addr.is_ipv4() { 32 } else { 128 }
    }
}

/// `root` and `match` prefixes (`exact` sets both), as `ip`'s filter keeps them.
#[derive(Debug, Default, Clone, Copy)]
struct RootMatch {
    root: Option<Pfx>,
    matching: Option<Pfx>,
}

impl RootMatch {
    fn new(sel: Option<PrefixSel>, any_family: bool) -> RootMatch {
        let p = |n| Some(Pfx::new(n, any_family));
        match sel {
            None => RootMatch::default(),
            Some(PrefixSel::Root(n)) => RootMatch {
                root: p(n),
                matching: None,
            },
            Some(PrefixSel::Match(n)) => RootMatch {
                root: None,
                matching: p(n),
            },
            Some(PrefixSel::Exact(n)) => RootMatch {
                root: p(n),
                matching: p(n),
            },
        }
    }

    /// Whether a route prefix (`addr` of the route's `family`, `len` bits) passes.
    fn passes(&self, family: u8, addr: Option<IpAddr>, len: u8) -> bool {
        let addr = addr.unwrap_or(if family == AF_INET {
            IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)
        } else {
            IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED)
        });
        if let Some(r) = self.root {
            if (r.family != 0 && r.family != family) || r.len > len {
                return false;
            }
            if !addr_match(addr, with_family(r.addr, addr), r.len) {
                return false;
            }
        }
        if let Some(m) = self.matching {
            if (m.family != 0 && m.family != family) || m.len < len {
                return false;
            }
            if !addr_match(addr, with_family(m.addr, addr), len) {
                return false;
            }
        }
        true
    }
}

/// `a`, or the unspecified address of `like`'s family when `a` is of the other one (a
/// family-less `default`, all of whose bits are zero).
fn with_family(a: IpAddr, like: IpAddr) -> IpAddr {
    match (a, like) {
        (IpAddr::V4(_), IpAddr::V6(_)) => IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED),
        (IpAddr::V6(_), IpAddr::V4(_)) => IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
        _ => a,
    }
}

/// What `ip route show|flush` selects, resolved: the parts sent to the kernel and the
/// parts checked on each route (`filter_nlmsg`), and so which fields printing hides.
#[derive(Debug, Default)]
struct Sel {
    /// The dump family (`AF_INET` when a table is selected and no family given).
    family: u8,
    /// The table; 0 for all.
    table: u32,
    cloned: bool,
    protocol: Option<u8>,
    scope: Option<u8>,
    /// Bit `1 << RTN_x` for each type selected; 0 for all.
    typemask: u32,
    tos: Option<u8>,
    oif: Option<u32>,
    iif: Option<u32>,
    mark: Option<u32>,
    metric: Option<u32>,
    via: Option<Pfx>,
    prefsrc: Option<Pfx>,
    /// `(value, mask)`.
    realms: Option<(u32, u32)>,
    dst: RootMatch,
    src: RootMatch,
}

impl Sel {
    fn new(f: &RouteFilter, ctx: &Ctx<'_>, h: &Handle) -> Result<Sel, CliError> {
        let mut s = Sel {
            table: RT_TABLE_MAIN,
            ..Sel::default()
        };
        let gfam = ctx.globals.family;
        let any = gfam == Family::Unspec;
        match f.table {
            Some(TableFilter::Id(t)) => s.table = t,
            Some(TableFilter::All) => s.table = 0,
            Some(TableFilter::Cache) | None => {}
        }
        s.cloned = f.cached;
        if let Some(v) = &f.vrf {
            s.table = vrf_table(h, v)?;
            s.typemask = !(1 << RouteType::LOCAL.0 | 1 << RouteType::BROADCAST.0);
        }
        if let Some(t) = f.kind {
            s.typemask = 1 << t.rtn();
        }
        s.protocol = f.protocol;
        s.scope = f.scope;
        s.tos = f.tos;
        s.mark = f.mark;
        s.metric = f.metric;
        s.realms = f.realms;
        s.via = f.via.map(|a| Pfx::new(IpNet::host(a), false));
        s.prefsrc = f.src.map(|n| Pfx::new(n, false));
        s.dst = RootMatch::new(f.to, any);
        s.src = RootMatch::new(f.from, any);
        s.family = match gfam {
            Family::Unspec if s.table != 0 => AF_INET,
            f => f.af(),
        };
        if let Some(d) = &f.iif {
            s.iif = Some(resolve(h, d)?);
        }
        if let Some(d) = &f.dev {
            s.oif = Some(resolve(h, d)?);
        }
        Ok(s)
    }

    /// The kernel's filtered dump request for these selectors (`Handle::route_list`'s
    /// request, sent here so that a table that does not exist is the kernel's error, as
    /// with `ip`, rather than an empty list); `None` when the family has no routes here.
    fn request(&self) -> Result<Option<RouteMessage>, CliError> {
        if !matches!(self.family, 0 | AF_INET | AF_INET6) {
            return Ok(None);
        }
        let mut lf = netplumb::route::RouteFilter::new().table(self.table);
        lf = lf.family(self.family);
        if let Some(i) = self.oif {
            lf = lf.dev(i);
        }
        if let Some(p) = self.protocol.filter(|p| *p != 0) {
            lf = lf.protocol(RouteProtocol(p));
        }
        lf.to_message(self.oif).map(Some).map_err(failed)
    }

    /// Calls `each` with every route of the kernel's filtered dump that passes
    /// `filter_nlmsg`, in dump order, as the dump runs (see [`stream::dump`]).
    fn each(
        &self,
        ctx: &Ctx<'_>,
        mut each: impl FnMut(&RouteMessage) -> Result<(), CliError>,
    ) -> Result<(), CliError> {
        let Some(req) = self.request()? else {
            return Ok(());
        };
        let mut ip6_multiple_tables = false;
        stream::dump(ctx, RTM_GETROUTE, &req, |p| {
            let m = RouteMessage::parse(p).map_err(|e| failed(e.into()))?;
            if matches!(m.header.family, AF_INET | AF_INET6)
                && self.passes(&m, &mut ip6_multiple_tables)
            {
                each(&m)?;
            }
            Ok(())
        })
    }

    /// The routes the kernel's filtered dump gives that pass `filter_nlmsg`, in dump order.
    fn list(&self, h: &Handle) -> Result<Vec<Route>, CliError> {
        let Some(req) = self.request()? else {
            return Ok(Vec::new());
        };
        let routes = h
            .dump_retry(h.dump_retries(), RTM_GETROUTE, &req, |p| {
                let m = RouteMessage::parse(p)?;
                if m.header.family != AF_INET && m.header.family != AF_INET6 {
                    return Ok(None);
                }
                Route::from_message(m).map(Some)
            })
            .map_err(stream::dump_error)?;
        let mut ip6_multiple_tables = false;
        Ok(routes
            .into_iter()
            .flatten()
            .filter(|r| self.passes(&r.message, &mut ip6_multiple_tables))
            .collect())
    }

    /// `filter_nlmsg`.
    fn passes(&self, m: &RouteMessage, ip6_multiple_tables: &mut bool) -> bool {
        let r = m.header;
        let table = m.table();
        if self.family != 0 && r.family != self.family {
            return false;
        }
        if r.family == AF_INET6 && table != RT_TABLE_MAIN {
            *ip6_multiple_tables = true;
        }
        if self.cloned != r.flags.contains(netplumb::wire::route::RouteFlags::CLONED) {
            return false;
        }
        if r.family == AF_INET6 && !*ip6_multiple_tables {
            // Old kernels put IPv6 local routes in main: `ip` still sorts them by type.
            match self.table {
                0 => {}
                255 if r.kind != RouteType::LOCAL => return false,
                254 if r.kind == RouteType::LOCAL => return false,
                255 | 254 => {}
                _ => return false,
            }
        } else if self.table != 0 && self.table != table {
            return false;
        }
        if self.protocol.is_some_and(|p| p != r.protocol.0)
            || self.scope.is_some_and(|s| s != r.scope.0)
            || (self.typemask != 0 && (r.kind.0 >= 32 || self.typemask & (1 << r.kind.0) == 0))
            || self.tos.is_some_and(|t| t != r.tos)
        {
            return false;
        }
        let dst = m.destination().map(|(a, _)| a);
        if !self.dst.passes(r.family, dst, r.dst_len) {
            return false;
        }
        let src = m.source().map(|(a, _)| a);
        if !self.src.passes(r.family, src, r.src_len) {
            return false;
        }
        if let Some(v) = self.via {
            let (fam, gw) = match m.via() {
                Some(RouteVia::Inet(a)) => (AF_INET, Some(IpAddr::V4(*a))),
                Some(RouteVia::Inet6(a)) => (AF_INET6, Some(IpAddr::V6(*a))),
                Some(_) => (0, None),
                None => (r.family, m.gateway()),
            };
            if fam != v.family {
                return false;
            }
            match gw {
                Some(g) if addr_match(g, v.addr, v.len) => {}
                // No gateway reads as the zero address.
                None if v.addr.is_unspecified() => {}
                _ => return false,
            }
        }
        if let Some(p) = self.prefsrc {
            if p.family != r.family {
                return false;
            }
            match m.prefsrc() {
                Some(a) if addr_match(a, p.addr, p.len) => {}
                None if p.addr.is_unspecified() => {}
                _ => return false,
            }
        }
        let u32_attr = |f: fn(&RouteAttr) -> Option<u32>| m.attrs.iter().find_map(f).unwrap_or(0);
        if self.realms.is_some_and(|(x, mask)| {
            (x ^ u32_attr(|a| match a {
                RouteAttr::Flow(v) => Some(*v),
                _ => None,
            })) & mask
                != 0
        }) || self.iif.is_some_and(|x| x != m.iif().unwrap_or(0))
            || self.oif.is_some_and(|x| x != m.oif().unwrap_or(0))
            || self.mark.is_some_and(|x| {
                x != u32_attr(|a| match a {
                    RouteAttr::Mark(v) => Some(*v),
                    _ => None,
                })
            })
            || self.metric.is_some_and(|x| x != m.priority().unwrap_or(0))
        {
            return false;
        }
        true
    }

    /// The fields printing leaves out because the selectors fixed them.
    fn hide(&self) -> Hide {
        Hide {
            table: self.table != 0,
            typemask: self.typemask,
            protocol: self.protocol.is_some(),
            scope: self.scope.is_some(),
            tos: self.tos.is_some(),
            gateway: self.via.is_some_and(|v| v.len == v.host_len()),
            dev: self.oif.is_some(),
            iif: self.iif.is_some(),
            prefsrc: self.prefsrc.is_some_and(|p| p.len == p.host_len()),
            metric: self.metric.is_some(),
            // Realms are printed unless the filter fixed all of them.
            realms: self.realms.is_some_and(|(_, mask)| mask == !0),
        }
    }
}

/// `ip route show`: printed as the dump runs, in constant memory.
fn show(f: &RouteFilter, ctx: &Ctx<'_>) -> Result<(), CliError> {
    let h = ctx.handle()?;
    let sel = Sel::new(f, ctx, h)?;
    // Names are looked up through `h` while the dump runs on `ctx.dump_handle()`.
    let links = Links::load(h);
    let hide = sel.hide();
    let o = Opts::of(ctx.globals);
    let mut out = Printer::new(ctx)?;
    sel.each(ctx, |m| {
        out.rec(&render::route::route(m, &hide, &links, &o))
    })?;
    out.finish()
}

/// `ip route flush`: deletes what the selectors match (`Route::delete_message`, one batch
/// per round) until nothing matches.
fn flush(f: &RouteFilter, ctx: &Ctx<'_>) -> Result<(), CliError> {
    let h = ctx.handle()?;
    let sel = Sel::new(f, ctx, h)?;
    if sel.cloned && sel.family != AF_INET6 {
        // IPv4 has no route cache to flush any more.
        if ctx.globals.stats > 0 {
            println!("*** IPv4 routing cache is flushed.");
        }
        if sel.family == AF_INET {
            return Ok(());
        }
    }
    const ROUNDS: usize = 10;
    for round in 0..ROUNDS {
        let routes: Vec<Route> = sel
            .list(h)?
            .into_iter()
            // The IPv6 null entry cannot be deleted.
            .filter(|r| {
                !(r.family == AF_INET6
                    && r.destination.prefix_len() == 0
                    && r.kind == RouteType::UNREACHABLE
                    && r.metric == Some(u32::MAX))
            })
            .collect();
        if routes.is_empty() {
            if ctx.globals.stats > 0 {
                if round == 0 {
                    println!("Nothing to flush.");
                } else {
                    let s = if round > 1 { "s" } else { "" };
                    println!("*** Flush is complete after {round} round{s} ***");
                }
            }
            return Ok(());
        }
        let mut batch = Batch::new();
        for r in &routes {
            batch
                .push(RTM_DELROUTE, NlmsgFlags::empty(), &r.delete_message())
                .map_err(failed)?;
        }
        for res in h.batch(&batch, BatchMode::Force).map_err(failed)? {
            match res {
                Ok(()) => {}
                // Gone with another route meanwhile.
                Err(e) if e.is_not_found() => {}
                Err(e) => {
                    return Err(CliError::Failed(format!(
                        "Failed to send flush request: {}",
                        error_text(&e)
                    )));
                }
            }
        }
        if ctx.globals.stats > 0 {
            println!(
                "\n*** Round {}, deleting {} entries ***",
                round + 1,
                routes.len()
            );
        }
    }
    Err(CliError::Failed(format!(
        "*** Flush not completed after {ROUNDS} rounds ***"
    )))
}

/// `ip route get`.
fn get(g: &RouteGet, ctx: &Ctx<'_>) -> Result<(), CliError> {
    let h = ctx.handle()?;
    let full = if g.dst.is_ipv4() { 32 } else { 128 };
    if g.dst.prefix_len() != full {
        eprintln!(
            "Warning: /{} as prefix is invalid, only /{full} (or none) is supported.",
            g.dst.prefix_len()
        );
    }
    let mut opts = RouteGetOpts::new();
    opts.from = g.from.map(|p| p.addr());
    opts.mark = g.mark.filter(|m| *m != 0);
    opts.uid = g.uid;
    opts.tos = g.tos.unwrap_or(0);
    opts.ip_proto = g.ipproto;
    opts.sport = g.sport;
    opts.dport = g.dport;
    opts.fibmatch = g.fibmatch;
    if let Some(d) = &g.iif {
        opts.iif = Some(LinkRef::Index(resolve(h, d)?));
    }
    let oif = match (&g.vrf, &g.oif) {
        (Some(v), _) => {
            vrf_table(h, v)?;
            Some(v)
        }
        (None, o) => o.as_ref(),
    };
    if let Some(d) = oif {
        opts.oif = Some(LinkRef::Index(resolve(h, d)?));
    }
    let links = Links::load(h);
    let hide = Hide::default();
    let first = h.route_get(g.dst.addr(), &opts).map_err(lib_error)?;
    let mut recs = vec![render::route::route(
        &first.message,
        &hide,
        &links,
        &Opts::of(ctx.globals),
    )];
    if g.connected && g.from.is_none() {
        // Ask again from the source the kernel chose, as a connected socket would.
        let Some(src) = first.prefsrc.or(first.source.map(|s| s.addr())) else {
            return Err(CliError::Failed("Failed to connect the route".into()));
        };
        opts.from = Some(src);
        let second = h.route_get(g.dst.addr(), &opts).map_err(lib_error)?;
        recs.push(render::route::route(
            &second.message,
            &hide,
            &links,
            &Opts::of(ctx.globals),
        ));
    }
    render::print(ctx, recs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_match_exact() {
        let net = |s: &str| s.parse::<IpNet>().unwrap();
        let a = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        let exact = RootMatch::new(Some(PrefixSel::Exact(net("198.18.0.0/24"))), false);
        assert!(exact.passes(AF_INET, a("198.18.0.0"), 24));
        assert!(!exact.passes(AF_INET, a("198.18.0.0"), 25));
        assert!(!exact.passes(AF_INET, a("198.18.1.0"), 24));
        let root = RootMatch::new(Some(PrefixSel::Root(net("198.18.0.0/16"))), false);
        assert!(root.passes(AF_INET, a("198.18.5.0"), 24));
        assert!(!root.passes(AF_INET, None, 0));
        let matching = RootMatch::new(Some(PrefixSel::Match(net("198.18.5.7/32"))), false);
        assert!(matching.passes(AF_INET, a("198.18.5.0"), 24));
        assert!(matching.passes(AF_INET, None, 0));
        assert!(!matching.passes(AF_INET, a("198.18.6.0"), 24));
        assert!(!matching.passes(AF_INET6, None, 0));
        let default = RootMatch::new(Some(PrefixSel::Exact(net("0.0.0.0/0"))), true);
        assert!(default.passes(AF_INET6, None, 0));
        assert!(!default.passes(AF_INET6, a("2001:db8::"), 32));
    }
}
