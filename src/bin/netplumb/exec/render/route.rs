//! A route as `ip route show|get` and `ip monitor route` print it (`print_route`).

use super::{Opts, Rec, USER_HZ};
use crate::exec::links::Links;
use crate::json::Value;
use crate::names::{self, NameTable};
use netplumb::wire::family::{AF_INET, AF_INET6};
use netplumb::wire::route::{
    NextHop, RT_TABLE_MAIN, RouteAttr, RouteCacheInfo, RouteMessage, RouteMetric, RouteProtocol,
    RouteScope, RouteType, RouteVia,
};

/// The value of the first `RouteAttr::$v` attribute of route `$m`.
macro_rules! first {
    ($m:expr, $v:ident) => {
        $m.attrs.iter().find_map(|a| match a {
            RouteAttr::$v(x) => Some(*x),
            _ => None,
        })
    };
}

/// What [`route`] leaves out (the fields a selector fixed).
#[derive(Debug, Default, Clone, Copy)]
pub struct Hide {
    pub table: bool,
    pub typemask: u32,
    pub protocol: bool,
    pub scope: bool,
    pub tos: bool,
    pub gateway: bool,
    pub dev: bool,
    pub iif: bool,
    pub prefsrc: bool,
    pub metric: bool,
    pub realms: bool,
}

/// `print_rt_flags`: `rtm_flags` / `rtnh_flags` names, in `ip`'s order.
fn rt_flags(rec: &mut Rec, flags: u32) {
    let mut names = Vec::new();
    for (bit, name) in names::ROUTE_FLAGS {
        if flags & bit != 0 {
            rec.text(format_args!("{name} "));
            names.push(Value::from(name));
        }
    }
    rec.json("flags", names);
}

/// `%g` of a number of seconds, as `ip` prints a time of a second or more.
fn fmt_g(x: f64) -> String {
    if x >= 1e6 {
        let e = x.log10().floor() as i32;
        let m = x / 10f64.powi(e);
        let m = format!("{m:.5}");
        let m = m.trim_end_matches('0').trim_end_matches('.');
        return format!("{m}e+{e:02}");
    }
    let digits = if x >= 1.0 {
        6 - (x.log10().floor() as i32 + 1)
    } else {
        6
    };
    let s = format!("{x:.*}", digits.max(0) as usize);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// `print_rta_metrics`.
fn metrics_fields(rec: &mut Rec, metrics: &[RouteMetric]) {
    const NAMES: [&str; 17] = [
        "",
        "",
        "mtu",
        "window",
        "rtt",
        "rttvar",
        "ssthresh",
        "cwnd",
        "advmss",
        "reordering",
        "hoplimit",
        "initcwnd",
        "features",
        "rto_min",
        "initrwnd",
        "quickack",
        "congctl",
    ];
    let lock = metrics
        .iter()
        .find_map(|m| match m {
            RouteMetric::Lock(l) => Some(*l),
            _ => None,
        })
        .unwrap_or(0);
    let mut obj = Rec::new();
    for i in 2..=17u16 {
        let m = metrics.iter().find(|m| m.kind() & 0x3fff == i);
        let locked = lock & (1 << i) != 0;
        if m.is_none() && !locked {
            continue;
        }
        let val = m.and_then(RouteMetric::as_u32).unwrap_or(0);
        if i == 10 && val == u32::MAX {
            continue;
        }
        match NAMES.get(usize::from(i)) {
            Some(n) => obj.text(format_args!("{n} ")),
            None => obj.text(format_args!("metric {i} ")),
        };
        if locked {
            obj.text("lock ");
        }
        match i {
            12 => {
                let mut rest = val;
                if val & 1 != 0 {
                    obj.any("ecn", Value::Null, "ecn ");
                    rest &= !1;
                }
                if rest != 0 {
                    obj.any("features", format!("{val:#x}"), format!("{val:#x} "));
                }
            }
            4 | 5 | 13 => {
                let v = match i {
                    4 => val / 8,
                    5 => val / 4,
                    _ => val,
                };
                obj.json(NAMES[usize::from(i)], v);
                if v >= 1000 {
                    obj.text(format_args!("{}s ", fmt_g(f64::from(v) / 1e3)));
                } else {
                    obj.text(format_args!("{v}ms "));
                }
            }
            16 => {
                let name = match m {
                    Some(RouteMetric::CcAlgo(s)) => s.clone(),
                    _ => String::new(),
                };
                obj.any("congestion", name.as_str(), format!("{name} "));
            }
            // ip has no JSON name for RTAX_FASTOPEN_NO_COOKIE: text only.
            17 => {
                obj.text(format_args!("{val} "));
            }
            _ => {
                obj.any(NAMES[usize::from(i)], val, format!("{val} "));
            }
        }
    }
    rec.text(obj.text_str());
    rec.json("metrics", vec![obj.into_value()]);
}

/// `print_rta_gateway` / `print_rta_via`.
fn gateway_fields(rec: &mut Rec, attrs: &[RouteAttr], hide_gateway: bool) {
    for a in attrs {
        if let RouteAttr::Gateway(g) = a
            && !hide_gateway
        {
            rec.json("gateway", Value::addr(*g, None));
            rec.text(format_args!("via {g} "));
        }
    }
    for a in attrs {
        if let RouteAttr::Via(v) = a {
            let (fam, host) = match v {
                RouteVia::Inet(a) => ("inet", a.to_string()),
                RouteVia::Inet6(a) => ("inet6", a.to_string()),
                _ => ("???", String::new()),
            };
            let mut o = Rec::new();
            o.json("family", fam).json("host", host.as_str());
            rec.json("via", o.into_value());
            rec.text(format_args!("via {fam} {host} "));
        }
    }
}

/// `print_rta_flow`.
fn flow_fields(rec: &mut Rec, v: u32, numeric: bool) {
    let (from, to) = (v >> 16, v & 0xffff);
    let mut o = Rec::new();
    if from != 0 {
        o.json("from", NameTable::Realms.name(from, numeric));
    }
    o.json("to", NameTable::Realms.name(to, numeric));
    rec.json("flow", o.into_value());
    let s = if from != 0 { "s" } else { "" };
    rec.text(format_args!("realm{s} "));
    if from != 0 {
        rec.text(format_args!("{}/", NameTable::Realms.name(from, numeric)));
    }
    rec.text(format_args!("{} ", NameTable::Realms.name(to, numeric)));
}

/// One route as `print_route` prints it.
pub fn route(m: &RouteMessage, hide: &Hide, links: &Links<'_>, o: &Opts) -> Rec {
    let r = m.header;
    let details = o.details;
    let numeric = o.numeric;
    let host_len = if r.family == AF_INET6 { 128 } else { 32 };
    let mut rec = o.rec();
    if (r.kind != RouteType::UNICAST || details)
        && (hide.typemask == 0 || (r.kind.0 < 32 && hide.typemask & (1 << r.kind.0) != 0))
    {
        let t = names::route_type_name(r.kind.0, numeric);
        rec.any("type", t.as_str(), format!("{t} "));
    }
    prefix_fields(&mut rec, m, host_len);
    if let Some(id) = m.nexthop_id() {
        rec.any("nhid", id, format!("nhid {id} "));
    }
    if r.tos != 0 && !hide.tos {
        named(
            &mut rec,
            ("tos", "tos"),
            NameTable::Dsfield,
            r.tos.into(),
            numeric,
        );
    }
    gateway_fields(&mut rec, &m.attrs, hide.gateway);
    if let Some(oif) = m.oif()
        && !hide.dev
    {
        let n = links.name_value(oif);
        rec.text(format_args!("dev {} ", n.as_str().unwrap_or_default()));
        rec.json("dev", n);
    }
    let table = m.table();
    if table != 0 && (table != RT_TABLE_MAIN || details) && !hide.table {
        named(
            &mut rec,
            ("table", "table"),
            NameTable::Tables,
            table,
            numeric,
        );
    }
    if !r.flags.contains(netplumb::wire::route::RouteFlags::CLONED) {
        if (r.protocol != RouteProtocol::BOOT || details) && !hide.protocol {
            let p = r.protocol.0.into();
            named(
                &mut rec,
                ("protocol", "proto"),
                NameTable::Protos,
                p,
                numeric,
            );
        }
        if (r.scope != RouteScope::UNIVERSE || details) && !hide.scope {
            let s = r.scope.0.into();
            named(&mut rec, ("scope", "scope"), NameTable::Scopes, s, numeric);
        }
    }
    if let Some(p) = m.prefsrc()
        && !hide.prefsrc
    {
        rec.json("prefsrc", Value::addr(p, None));
        rec.text(format_args!("src {p} "));
    }
    if let Some(p) = m.priority()
        && !hide.metric
    {
        rec.any("metric", p, format!("metric {p} "));
    }
    rt_flags(&mut rec, r.flags.bits());
    extra_fields(&mut rec, m, hide, links, o);
    rec.text("\n");
    rec
}

/// What follows the flags of a route: its mark, realms, uid, cache, metrics, input
/// device, preference, TTL propagation and next hops.
fn extra_fields(rec: &mut Rec, m: &RouteMessage, hide: &Hide, links: &Links<'_>, o: &Opts) {
    let r = m.header;
    if let Some(mark) = first!(m, Mark).filter(|v| *v != 0) {
        rec.json("mark", mark);
        rec.text(if mark >= 16 {
            format!("mark {mark:#x} ")
        } else {
            format!("mark {mark} ")
        });
    }
    if let Some(flow) = first!(m, Flow)
        && !hide.realms
    {
        flow_fields(rec, flow, o.numeric);
    }
    if let Some(uid) = first!(m, Uid) {
        rec.any("uid", uid, format!("uid {uid} "));
    }
    // `-o` keeps a route on one line: `\` stands for the line breaks.
    let sl = if o.oneline { "\\" } else { "\n" };
    if r.family == AF_INET && r.flags.contains(netplumb::wire::route::RouteFlags::CLONED) {
        cache_flags(rec, r.flags.bits(), sl);
    }
    if (r.family == AF_INET || r.family == AF_INET6)
        && let Some(ci) = m.cache_info()
    {
        cacheinfo_fields(rec, ci, o.stats > 0);
    }
    if let Some(mx) = m.metrics() {
        metrics_fields(rec, mx);
    }
    if let Some(iif) = m.iif()
        && !hide.iif
    {
        let n = links.name(iif);
        rec.json("iif", n.as_str());
        rec.text(format_args!("iif {n} "));
    }
    if let Some(p) = m.pref() {
        pref_field(rec, p.0);
    }
    for a in &m.attrs {
        if let RouteAttr::TtlPropagate(p) = a {
            rec.json("ttl-propogate", *p != 0);
            rec.text(if *p != 0 {
                "ttl-propogate enabled"
            } else {
                "ttl-propogate disabled"
            });
        }
    }
    if let Some(hops) = m.multipath() {
        nexthops_fields(rec, hops, links, o.numeric, sl);
    }
}

/// A field whose value `table` names: `key: NAME` and the text `WORD NAME `.
fn named(
    rec: &mut Rec,
    (key, word): (&'static str, &str),
    table: NameTable,
    id: u32,
    numeric: bool,
) {
    let name = table.name(id, numeric);
    rec.any(key, name.as_str(), format_args!("{word} {name} "));
}

/// The destination (`dst`, `default` when there is none) and the source prefix (`from`).
fn prefix_fields(rec: &mut Rec, m: &RouteMessage, host_len: u8) {
    let r = m.header;
    let dst = match first!(m, Destination) {
        Some(a) if r.dst_len != host_len => Value::addr(a, Some(r.dst_len)),
        Some(a) => Value::addr(a, None),
        None if r.dst_len != 0 => Value::display(format_args!("0/{} ", r.dst_len)),
        None => Value::from("default"),
    };
    rec.text(format_args!("{} ", dst.as_str().unwrap_or_default()));
    rec.json("dst", dst);
    match m.source() {
        Some((a, len)) => {
            let s = if len != host_len {
                format!("{a}/{len}")
            } else {
                a.to_string()
            };
            rec.any("from", s.as_str(), format!("from {s} "));
        }
        None if r.src_len != 0 => {
            let s = format!("0/{}", r.src_len);
            rec.any("src", s.as_str(), format!("from {s} "));
        }
        None => {}
    }
}

/// `pref` of an IPv6 route (`ICMPV6_ROUTER_PREF_*`).
fn pref_field(rec: &mut Rec, p: u8) {
    match p {
        3 => rec.any("pref", "low", "pref low"),
        0 => rec.any("pref", "medium", "pref medium"),
        1 => rec.any("pref", "high", "pref high"),
        v => rec.any("pref", u32::from(v), v.to_string()),
    };
}

/// `print_rta_cacheinfo`.
fn cacheinfo_fields(rec: &mut Rec, ci: &RouteCacheInfo, stats: bool) {
    let hz = USER_HZ as i32;
    if ci.expires != 0 {
        let e = ci.expires / hz;
        rec.any("expires", i64::from(e), format!("expires {e}sec "));
    }
    if ci.error != 0 {
        rec.any("error", ci.error, format!("error {} ", ci.error));
    }
    if stats {
        if ci.clntref != 0 {
            rec.any("users", ci.clntref, format!("users {} ", ci.clntref));
        }
        if ci.used != 0 {
            rec.any("used", ci.used, format!("used {} ", ci.used));
        }
        if ci.lastuse != 0 {
            let a = ci.lastuse / USER_HZ;
            rec.any("age", a, format!("age {a}sec "));
        }
    }
    if ci.id != 0 {
        rec.any(
            "ipid",
            format!("{:#x}", ci.id),
            format!("ipid 0x{:04x} ", ci.id),
        );
    }
    if ci.ts != 0 || ci.tsage != 0 {
        rec.any("ts", format!("{:#x}", ci.ts), format!("ts 0x{:x}", ci.ts));
        rec.any("tsage", ci.tsage, format!("tsage {}sec ", ci.tsage));
    }
}

/// `print_rta_multipath` (for routes that are not cached multicast ones).
fn nexthops_fields(rec: &mut Rec, hops: &[NextHop], links: &Links<'_>, numeric: bool, sl: &str) {
    let mut list = Vec::new();
    for nh in hops {
        let mut o = Rec::new();
        o.text(format_args!("{sl}\tnexthop "));
        gateway_fields(&mut o, &nh.attrs, false);
        if let Some(flow) = nh.flow() {
            flow_fields(&mut o, flow, numeric);
        }
        let n = links.name(nh.ifindex);
        o.any("dev", n.as_str(), format!("dev {n} "));
        let w = u32::from(nh.hops) + 1;
        o.any("weight", w, format!("weight {w} "));
        rt_flags(&mut o, u32::from(nh.flags.bits()));
        rec.text(o.text_str());
        list.push(o.into_value());
    }
    rec.json("nexthops", list);
}

/// `print_cache_flags`: the `RTCF_*` bits of a cached IPv4 route.
fn cache_flags(rec: &mut Rec, flags: u32, sl: &str) {
    let mut rest = flags & !0xffff;
    rec.text(format_args!("{sl}    cache "));
    let mut names = Vec::new();
    let mut text = String::new();
    for (bit, name) in [
        (0x8000_0000, "local"),
        (0x4000_0000, "reject"),
        (0x2000_0000, "mc"),
        (0x1000_0000, "brd"),
        (0x0800_0000, "dst-nat"),
        (0x0080_0000, "src-nat"),
        (0x0040_0000, "masq"),
        (0x0002_0000, "dst-direct"),
        (0x0400_0000, "src-direct"),
        (0x0004_0000, "redirected"),
        (0x0100_0000, "redirect"),
        (0x0020_0000, "fastroute"),
        (0x0001_0000, "notify"),
        (0x0008_0000, "proxy"),
    ] {
        if rest & bit != 0 {
            rest &= !bit;
            names.push(Value::from(name));
            text.push_str(name);
            text.push_str(if rest != 0 { "," } else { "> " });
        }
    }
    if rest != 0 {
        text.push_str(&format!("{rest:x}>"));
    }
    if flags & !0xffff != 0 {
        rec.text(format_args!("<{text}"));
    }
    rec.json("cache", names);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_like_printf_g() {
        assert_eq!(fmt_g(1.0), "1");
        assert_eq!(fmt_g(1.5), "1.5");
        assert_eq!(fmt_g(1234.567), "1234.57");
        assert_eq!(fmt_g(4294967.295), "4.29497e+06");
    }
}
