//! `route add | replace | change | append | prepend | delete | show | flush | get`
//! (ip-route(8)).
//!
//! The family of a route is settled as `ip` settles it: `-4`/`-6`, else the destination's,
//! else the first gateway's, else IPv4; `default` then becomes `0.0.0.0/0` or `::/0`.

use crate::args::{Cursor, Family, Globals, Prefix};
use crate::cmd::{Command, Object, pick};
use crate::error::Res;
use crate::help::Topic;
use crate::names::NameTable;
use crate::words::{matches, parse_u32, parse_uint};
use netplumb::IpNet;
use std::net::IpAddr;

/// The `route` object.
pub const OBJECT: Object = Object {
    topic: TOPIC,
    parse,
};

/// `netplumb route help`.
pub const TOPIC: Topic = Topic::new("route", USAGE);

const USAGE: &str = "\
Usage: netplumb route { list | flush } SELECTOR
       netplumb route get [ to ] ADDRESS [ from ADDRESS ] [ iif STRING ]
                          [ oif STRING ] [ mark NUMBER ] [ tos TOS ] [ vrf NAME ]
       netplumb route { add | del | change | append | replace | prepend } ROUTE
SELECTOR := [ root PREFIX ] [ match PREFIX ] [ exact PREFIX ]
            [ table TABLE_ID ] [ vrf NAME ] [ proto RTPROTO ]
            [ type TYPE ] [ scope SCOPE ] [ dev STRING ] [ via ADDRESS ] [ src PREFIX ]
ROUTE := NODE_SPEC [ INFO_SPEC ]
NODE_SPEC := [ TYPE ] PREFIX [ tos TOS ] [ table TABLE_ID ] [ proto RTPROTO ]
             [ scope SCOPE ] [ metric METRIC ]
INFO_SPEC := NH OPTIONS FLAGS [ nexthop NH ]...
NH := [ via [ FAMILY ] ADDRESS ] [ dev STRING ] [ weight NUMBER ] NHFLAGS
FAMILY := [ inet | inet6 ]
OPTIONS := FLAGS [ mtu NUMBER ] [ advmss NUMBER ] [ rtt TIME ] [ rttvar TIME ]
           [ reordering NUMBER ] [ window NUMBER ] [ cwnd NUMBER ] [ initcwnd NUMBER ]
           [ ssthresh NUMBER ] [ realms REALM ] [ src ADDRESS ] [ rto_min TIME ]
           [ hoplimit NUMBER ] [ initrwnd NUMBER ] [ features FEATURES ]
           [ quickack BOOL ] [ congctl NAME ] [ pref PREF ] [ expires TIME ]
TYPE := { unicast | local | broadcast | multicast | throw | unreachable | prohibit |
          blackhole | nat }
TABLE_ID := [ local | main | default | all | NUMBER ]
SCOPE := [ host | link | global | NUMBER ]
NHFLAGS := [ onlink ]
RTPROTO := [ kernel | boot | static | NUMBER ]
PREF := [ low | medium | high ]
TIME := NUMBER[s|ms]
";

/// A `route` command.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // parsed once per command line; size is irrelevant
pub enum RouteCmd {
    /// `add`, `replace`, `change`, `append`, `prepend`, `delete`: RTM_NEWROUTE / RTM_DELROUTE.
    Change(RouteChange),
    /// `show`, `list`: RTM_GETROUTE dump, filtered.
    Show(RouteFilter),
    /// `flush`: dump, then RTM_DELROUTE for each match.
    Flush(RouteFilter),
    /// `get`: RTM_GETROUTE for one destination.
    Get(RouteGet),
}

/// The verb of a route change and its netlink flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteOp {
    /// `add`: NLM_F_CREATE|NLM_F_EXCL.
    Add,
    /// `replace`: NLM_F_CREATE|NLM_F_REPLACE.
    Replace,
    /// `change`: NLM_F_REPLACE.
    Change,
    /// `append`: NLM_F_CREATE|NLM_F_APPEND.
    Append,
    /// `prepend`: NLM_F_CREATE.
    Prepend,
    /// `delete`: RTM_DELROUTE.
    Del,
}

/// RTN_* route types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteType {
    /// RTN_UNICAST (1).
    Unicast,
    /// RTN_LOCAL (2).
    Local,
    /// RTN_BROADCAST (3).
    Broadcast,
    /// RTN_ANYCAST (4).
    Anycast,
    /// RTN_MULTICAST (5).
    Multicast,
    /// RTN_BLACKHOLE (6).
    Blackhole,
    /// RTN_UNREACHABLE (7).
    Unreachable,
    /// RTN_PROHIBIT (8).
    Prohibit,
    /// RTN_THROW (9).
    Throw,
    /// RTN_NAT (10).
    Nat,
    /// RTN_XRESOLVE (11).
    Xresolve,
}

impl RouteType {
    /// The RTN_* value.
    pub fn rtn(self) -> u8 {
        self as u8 + 1
    }

    /// Reads a type name with `ip`'s rules: `local`, `nat`, `brd`, `throw` exact, the others
    /// by prefix in this order (`b` is broadcast, `u` unreachable, `a` anycast).
    pub fn from_word(w: &str) -> Option<RouteType> {
        use RouteType::*;
        let exact = [
            ("local", Local),
            ("nat", Nat),
            ("brd", Broadcast),
            ("throw", Throw),
        ];
        if let Some((_, t)) = exact.iter().find(|(n, _)| *n == w) {
            return Some(*t);
        }
        pick(
            w,
            &[
                ("broadcast", Broadcast),
                ("anycast", Anycast),
                ("multicast", Multicast),
                ("prohibit", Prohibit),
                ("unreachable", Unreachable),
                ("blackhole", Blackhole),
                ("xresolve", Xresolve),
                ("unicast", Unicast),
            ],
        )
    }
}

/// `route OP [type] PREFIX [options...] [nexthop ...]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteChange {
    /// The verb.
    pub op: RouteOp,
    /// The type written before the prefix; `None` is unicast for additions and "any" for
    /// deletions.
    pub kind: Option<RouteType>,
    /// The destination (`default` resolved to the route's family).
    pub dst: IpNet,
    /// `tos TOS` / `dsfield` (rtm_tos).
    pub tos: Option<u8>,
    /// `via [FAMILY] ADDR`: RTA_GATEWAY, or RTA_VIA when its family differs from the route's.
    pub via: Option<IpAddr>,
    /// `dev DEV` / `oif DEV` (RTA_OIF).
    pub dev: Option<String>,
    /// `src ADDR` (RTA_PREFSRC).
    pub src: Option<IpAddr>,
    /// `from PREFIX`: IPv6 source routing (RTA_SRC, rtm_src_len).
    pub from: Option<IpNet>,
    /// `metric N`, `priority N`, `preference N` (RTA_PRIORITY).
    pub metric: Option<u32>,
    /// `table ID` (rtm_table / RTA_TABLE).
    pub table: Option<u32>,
    /// `vrf NAME`: the table of that VRF device.
    pub vrf: Option<String>,
    /// `proto P` (rtm_protocol); `ip` sends boot (3) when none is given for additions.
    pub protocol: Option<u8>,
    /// `scope S` (rtm_scope); unset means the kernel-ish default `ip` computes from the type.
    pub scope: Option<u8>,
    /// RTA_METRICS entries, in the order given, with their `lock` bits.
    pub metrics: Vec<RouteMetric>,
    /// `congctl [lock] NAME` (RTAX_CC_ALGO).
    pub congctl: Option<Congctl>,
    /// `onlink` (RTNH_F_ONLINK in rtm_flags).
    pub onlink: bool,
    /// `pref low|medium|high` (RTA_PREF: 3, 0, 1).
    pub pref: Option<u8>,
    /// `realms [FROM/]TO` (RTA_FLOW).
    pub realms: Option<u32>,
    /// `expires SECONDS` (RTA_EXPIRES), IPv6 only.
    pub expires: Option<u32>,
    /// `nexthop ...` groups (RTA_MULTIPATH).
    pub nexthops: Vec<Nexthop>,
    /// `nhid ID` (RTA_NH_ID).
    pub nhid: Option<u32>,
    /// `ttl-propagate enabled|disabled` (RTA_TTL_PROPAGATE).
    pub ttl_propagate: Option<bool>,
}

/// One RTA_METRICS entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteMetric {
    /// Which metric.
    pub kind: MetricKind,
    /// The value as the kernel stores it: `rtt` in 1/8 ms and `rttvar` in 1/4 ms when a time
    /// unit was written (`rtt 10ms` is 80), raw numbers as given; `rto_min` in ms.
    pub value: u32,
    /// `lock`: set bit RTAX_x in RTAX_LOCK. `rto_min` is always locked, as `ip` does.
    pub lock: bool,
}

/// RTAX_* metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    /// RTAX_MTU (2).
    Mtu,
    /// RTAX_WINDOW (3).
    Window,
    /// RTAX_RTT (4).
    Rtt,
    /// RTAX_RTTVAR (5).
    Rttvar,
    /// RTAX_SSTHRESH (6).
    Ssthresh,
    /// RTAX_CWND (7).
    Cwnd,
    /// RTAX_ADVMSS (8).
    Advmss,
    /// RTAX_REORDERING (9).
    Reordering,
    /// RTAX_HOPLIMIT (10).
    Hoplimit,
    /// RTAX_INITCWND (11).
    Initcwnd,
    /// RTAX_FEATURES (12); `features ecn` is 1.
    Features,
    /// RTAX_RTO_MIN (13).
    RtoMin,
    /// RTAX_INITRWND (14).
    Initrwnd,
    /// RTAX_QUICKACK (15).
    Quickack,
    /// RTAX_FASTOPEN_NO_COOKIE (17).
    FastopenNoCookie,
}

impl MetricKind {
    /// The RTAX_* attribute number.
    pub fn rtax(self) -> u16 {
        match self {
            MetricKind::FastopenNoCookie => 17,
            k => k as u16 + 2,
        }
    }
}

/// `congctl [lock] NAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Congctl {
    /// The algorithm (`cubic`, `reno`, ...).
    pub name: String,
    /// `lock`.
    pub lock: bool,
}

/// One `nexthop` of a multipath route (struct rtnexthop).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Nexthop {
    /// `via [FAMILY] ADDR`.
    pub via: Option<IpAddr>,
    /// `dev DEV`.
    pub dev: Option<String>,
    /// `weight N`, 1..=256 (rtnh_hops = weight - 1).
    pub weight: Option<u16>,
    /// `onlink`.
    pub onlink: bool,
    /// `realms [FROM/]TO`.
    pub realms: Option<u32>,
}

/// Route table selection in `show` and `flush`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFilter {
    /// One table.
    Id(u32),
    /// `table all` (or `0`): every table.
    All,
    /// `table cache`: cloned (cached) routes.
    Cache,
}

/// `root`, `match` or `exact` prefix selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrefixSel {
    /// `root P`: routes with prefixes not shorter than P, inside P.
    Root(IpNet),
    /// `match P`: routes with prefixes not longer than P, containing P.
    Match(IpNet),
    /// `exact P` or a bare P: exactly this prefix.
    Exact(IpNet),
}

/// `route show|flush` selectors. `table` `None` means the main table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouteFilter {
    /// `table ID|all|cache`.
    pub table: Option<TableFilter>,
    /// `cached` / `cloned` (also `table cache`).
    pub cached: bool,
    /// `vrf NAME`.
    pub vrf: Option<String>,
    /// `tos TOS`.
    pub tos: Option<u8>,
    /// `proto P` (`all` is no filter).
    pub protocol: Option<u8>,
    /// `scope S` (`all` is no filter).
    pub scope: Option<u8>,
    /// `type T`.
    pub kind: Option<RouteType>,
    /// `dev DEV` / `oif DEV`.
    pub dev: Option<String>,
    /// `iif DEV`.
    pub iif: Option<String>,
    /// `mark N`.
    pub mark: Option<u32>,
    /// `metric N`.
    pub metric: Option<u32>,
    /// `via ADDR`.
    pub via: Option<IpAddr>,
    /// `src PREFIX` (preferred source inside it).
    pub src: Option<IpNet>,
    /// `realms [FROM/]TO`: the value and the mask of the bits it fixes, as ip's
    /// `filter.realm` / `filter.realmmask` (`TO` alone leaves FROM free, `FROM/` leaves TO).
    pub realms: Option<(u32, u32)>,
    /// `from [root|match|exact] PREFIX`.
    pub from: Option<PrefixSel>,
    /// `[to] [root|match|exact] PREFIX`.
    pub to: Option<PrefixSel>,
}

/// `route get [to] ADDR ...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteGet {
    /// The destination (a prefix is accepted like `ip` does).
    pub dst: IpNet,
    /// `from ADDR` (RTA_SRC).
    pub from: Option<IpNet>,
    /// `iif DEV` (RTA_IIF).
    pub iif: Option<String>,
    /// `oif DEV` / `dev DEV` (RTA_OIF).
    pub oif: Option<String>,
    /// `mark N` (RTA_MARK).
    pub mark: Option<u32>,
    /// `tos TOS`.
    pub tos: Option<u8>,
    /// `vrf NAME`.
    pub vrf: Option<String>,
    /// `uid N` (RTA_UID).
    pub uid: Option<u32>,
    /// `fibmatch` (RTM_F_FIB_MATCH).
    pub fibmatch: bool,
    /// `connected`: use the returned source and ask again.
    pub connected: bool,
    /// `notify` (RTM_F_NOTIFY).
    pub notify: bool,
    /// `sport N` (RTA_SPORT).
    pub sport: Option<u16>,
    /// `dport N` (RTA_DPORT).
    pub dport: Option<u16>,
    /// `ipproto P` (RTA_IP_PROTO).
    pub ipproto: Option<u8>,
}

/// `route` words after the object.
fn parse(c: &mut Cursor, g: &Globals) -> Res<Command> {
    let family = g.family;
    #[derive(Clone, Copy)]
    enum Verb {
        Op(RouteOp),
        Show,
        Get,
        Flush,
        Help,
    }
    let Some(w) = c.word() else {
        return Ok(Command::of(RouteCmd::Show(RouteFilter::default())));
    };
    let verb = pick(
        w,
        &[
            ("add", Verb::Op(RouteOp::Add)),
            ("change", Verb::Op(RouteOp::Change)),
            ("chg", Verb::Op(RouteOp::Change)),
            ("replace", Verb::Op(RouteOp::Replace)),
            ("prepend", Verb::Op(RouteOp::Prepend)),
            ("append", Verb::Op(RouteOp::Append)),
            ("delete", Verb::Op(RouteOp::Del)),
            ("list", Verb::Show),
            ("show", Verb::Show),
            ("lst", Verb::Show),
            ("get", Verb::Get),
            ("flush", Verb::Flush),
            ("help", Verb::Help),
        ],
    )
    .ok_or_else(|| c.unknown_command(w))?;
    Ok(Command::of(match verb {
        Verb::Help => return Ok(Command::Help(TOPIC)),
        Verb::Op(op) => RouteCmd::Change(parse_change(c, op, family)?),
        Verb::Show => RouteCmd::Show(parse_filter(c, family)?),
        Verb::Flush => {
            if c.at_end() {
                return Err(c.usage("\"netplumb route flush\" requires arguments."));
            }
            RouteCmd::Flush(parse_filter(c, family)?)
        }
        Verb::Get => RouteCmd::Get(parse_get(c, family)?),
    }))
}

/// `via [inet|inet6] ADDR`: an explicit family word may differ from the route's (RFC 5549).
fn via(c: &mut Cursor, family: &mut Family) -> Res<IpAddr> {
    let w = c.value()?;
    let a = match w {
        "inet" | "inet6" => {
            let fam = if w == "inet" {
                Family::Inet
            } else {
                Family::Inet6
            };
            c.addr(fam)?
        }
        _ => c.addr_of(w, *family)?,
    };
    if *family == Family::Unspec {
        *family = Family::of(a);
    }
    Ok(a)
}

/// `[FROM/]TO` realms, names from rt_realms; an empty TO (`FROM/`) is 0, as in ip.
pub fn realms(c: &mut Cursor, what: &str) -> Res<u32> {
    let w = c.value()?;
    let bad = || c.invarg(w, what);
    match w.split_once('/') {
        Some((from, to)) => {
            let f = NameTable::Realms
                .lookup(from)
                .filter(|v| *v <= 0xffff)
                .ok_or_else(bad)?;
            let t = match to {
                "" => 0,
                _ => NameTable::Realms
                    .lookup(to)
                    .filter(|v| *v <= 0xffff)
                    .ok_or_else(bad)?,
            };
            Ok(f << 16 | t)
        }
        None => NameTable::Realms.lookup(w).ok_or_else(bad),
    }
}

/// A TIME for `rtt`, `rttvar`, `rto_min`, read as `get_time_rtt` reads it: a number with a
/// `.` is a decimal fraction (`1.5`, `.5`, `1.5e1`), any other is read like `strtoul(s, 0)`
/// (`0x10`, `010`); then an optional unit, case-insensitive, `s`/`sec`/`secs` or
/// `ms`/`msec`/`msecs` (milliseconds); the value is rounded up. Returns (value, raw), raw
/// when no unit was given.
fn rtt_time(w: &str) -> Option<(u32, bool)> {
    let (num, unit) = w.split_at(if w.contains('.') {
        decimal_len(w)
    } else {
        strtoul_len(w)
    });
    let t = if w.contains('.') {
        num.parse::<f64>().ok()?
    } else {
        parse_uint(num)? as f64
    };
    let scale = match unit.to_ascii_lowercase().as_str() {
        "" | "ms" | "msec" | "msecs" => 1.0,
        "s" | "sec" | "secs" => 1000.0,
        _ => return None,
    };
    let ms = (t * scale).ceil();
    (ms.is_finite() && (0.0..=f64::from(u32::MAX)).contains(&ms))
        .then_some((ms as u32, unit.is_empty()))
}

/// The length of the `[+]DIGITS[.DIGITS][e[+-]DIGITS]` number at the start of `w`, 0 when
/// there is none (what `strtod` reads, without its signs, hex floats, `inf` and `nan`).
fn decimal_len(w: &str) -> usize {
    let b = w.as_bytes();
    let digits = |i: usize| i + b.iter().skip(i).take_while(|c| c.is_ascii_digit()).count();
    let start = usize::from(b.first() == Some(&b'+'));
    let mut i = digits(start);
    let mut any = i > start;
    if b.get(i) == Some(&b'.') {
        let j = digits(i + 1);
        any |= j > i + 1;
        i = j;
    }
    if !any {
        return 0;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let s = i + 1 + usize::from(matches!(b.get(i + 1), Some(b'+' | b'-')));
        let j = digits(s);
        if j > s {
            i = j;
        }
    }
    i
}

/// The length of the number `strtoul(w, &end, 0)` reads at the start of `w` (without its
/// white space and `-`): `[+]0x` and hex digits, `[+]0` and octal digits, or decimal digits.
fn strtoul_len(w: &str) -> usize {
    let b = w.as_bytes();
    let start = usize::from(b.first() == Some(&b'+'));
    let run = |i: usize, ok: fn(&u8) -> bool| i + b.iter().skip(i).take_while(|c| ok(c)).count();
    match (b.get(start), b.get(start + 1), b.get(start + 2)) {
        (Some(b'0'), Some(b'x' | b'X'), Some(h)) if h.is_ascii_hexdigit() => {
            run(start + 2, u8::is_ascii_hexdigit)
        }
        (Some(b'0'), ..) => run(start, |c| (b'0'..=b'7').contains(c)),
        _ => run(start, u8::is_ascii_digit),
    }
}

/// The metrics that a keyword names, in `ip`'s order of checks: (keyword, spelt out?,
/// metric). (`ip` checks `congctl` before `rttvar` and `ssthresh`: no word can match both.)
const METRIC_WORDS: [(&str, bool, MetricKind); 14] = [
    ("mtu", true, MetricKind::Mtu),
    ("hoplimit", true, MetricKind::Hoplimit),
    ("advmss", true, MetricKind::Advmss),
    ("reordering", false, MetricKind::Reordering),
    ("rtt", true, MetricKind::Rtt),
    ("rto_min", true, MetricKind::RtoMin),
    ("window", false, MetricKind::Window),
    ("cwnd", false, MetricKind::Cwnd),
    ("initcwnd", false, MetricKind::Initcwnd),
    ("initrwnd", false, MetricKind::Initrwnd),
    ("features", false, MetricKind::Features),
    ("quickack", false, MetricKind::Quickack),
    ("rttvar", false, MetricKind::Rttvar),
    ("ssthresh", false, MetricKind::Ssthresh),
];

impl RouteChange {
    /// A change with the verb `op` and nothing else (the destination is set last).
    fn new(op: RouteOp) -> RouteChange {
        RouteChange {
            op,
            kind: None,
            dst: IpNet::host(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)),
            tos: None,
            via: None,
            dev: None,
            src: None,
            from: None,
            metric: None,
            table: None,
            vrf: None,
            protocol: None,
            scope: None,
            metrics: Vec::new(),
            congctl: None,
            onlink: false,
            pref: None,
            realms: None,
            expires: None,
            nexthops: Vec::new(),
            nhid: None,
            ttl_propagate: None,
        }
    }
}

fn parse_change(c: &mut Cursor, op: RouteOp, mut family: Family) -> Res<RouteChange> {
    let mut r = RouteChange::new(op);
    let mut dst: Option<Prefix> = None;
    while let Some(w) = c.word() {
        let m = |k: &str| matches(w, k);
        if w == "src" {
            let a = c.addr(family)?;
            family = Family::of(a);
            r.src = Some(a);
        } else if w == "via" {
            if r.via.is_some() {
                return Err(c.invarg(w, "use nexthop syntax to specify multiple via"));
            }
            r.via = Some(via(c, &mut family)?);
        } else if w == "from" {
            let p = c.prefix(family)?;
            r.from = Some(p.net);
        } else if w == "tos" || m("dsfield") {
            r.tos = Some(c.table_value(NameTable::Dsfield, 255, "\"tos\" value is invalid")? as u8);
        } else if w == "expires" {
            r.expires = Some(c.u32("\"expires\" value is invalid")?);
        } else if m("metric") || m("priority") || w == "preference" {
            r.metric = Some(c.u32("\"metric\" value is invalid")?);
        } else if w == "scope" {
            r.scope = Some(c.table_value(NameTable::Scopes, 255, "invalid \"scope\" value")? as u8);
        } else if let Some((key, _, kind)) = METRIC_WORDS
            .iter()
            .find(|(k, exact, _)| if *exact { w == *k } else { matches(w, k) })
        {
            r.metrics.push(route_metric(c, key, *kind)?);
        } else if m("congctl") {
            r.congctl = Some(congctl(c)?);
        } else if m("realms") {
            r.realms = Some(realms(c, "\"realm\" value is invalid")?);
        } else if w == "onlink" {
            r.onlink = true;
        } else if w == "nexthop" {
            r.nexthops = parse_nexthops(c, &mut family)?;
        } else if w == "nhid" {
            r.nhid = Some(c.u32("\"id\" value is invalid")?);
        } else if m("protocol") {
            r.protocol =
                Some(c.table_value(NameTable::Protos, 255, "\"protocol\" value is invalid")? as u8);
        } else if m("table") {
            r.table =
                Some(c.table_value(NameTable::Tables, u32::MAX, "\"table\" value is invalid")?);
        } else if m("vrf") {
            let v = c.value()?;
            r.vrf = Some(c.dev_ref(v)?);
        } else if w == "dev" || w == "oif" {
            let v = c.value()?;
            r.dev = Some(c.dev_ref(v)?);
        } else if m("pref") {
            r.pref = Some(pref(c)?);
        } else if w == "ttl-propagate" {
            let values = [("enabled", true), ("disabled", false)];
            r.ttl_propagate = Some(c.one_of(&values, "\"ttl-propagate\" value is invalid")?);
        } else if m("fastopen_no_cookie") {
            r.metrics.push(fastopen_no_cookie(c)?);
        } else if w == "encap" || w == "as" {
            return Err(c.usage(format_args!("\"{w}\" is not supported by netplumb.")));
        } else {
            let w = if w == "to" { c.value()? } else { w };
            // A type word comes before the prefix (`ip route add unreachable 198.18.0.0/24`).
            let w = match RouteType::from_word(w)
                .filter(|_| !w.starts_with(|d: char| d.is_ascii_digit()))
            {
                Some(t) => {
                    r.kind = Some(t);
                    c.value()?
                }
                None => w,
            };
            dst_word(c, w, &mut dst, &mut family)?;
        }
    }
    let dst =
        dst.ok_or_else(|| c.usage("Not enough information: a destination prefix is required."))?;
    let family = match family {
        Family::Unspec => r
            .nexthops
            .iter()
            .find_map(|n| n.via)
            .map_or(Family::Inet, Family::of),
        f => f,
    };
    r.dst = match (dst.default, family) {
        (true, Family::Inet6) => c.prefix_of("default", Family::Inet6)?.net,
        _ => dst.net,
    };
    Ok(r)
}

/// `pref low|medium|high|N` (`ICMPV6_ROUTER_PREF_*`).
fn pref(c: &mut Cursor) -> Res<u8> {
    Ok(match c.value()? {
        "low" => 3,
        "medium" => 0,
        "high" => 1,
        v => parse_uint(v)
            .and_then(|n| u8::try_from(n).ok())
            .ok_or_else(|| c.invarg(v, "\"pref\" value is invalid"))?,
    })
}

/// `congctl [lock] NAME`.
fn congctl(c: &mut Cursor) -> Res<Congctl> {
    let mut name = c.value()?;
    let lock = name == "lock";
    if lock {
        name = c.value()?;
    }
    Ok(Congctl {
        name: name.to_string(),
        lock,
    })
}

/// `fastopen_no_cookie 0|1` (never locked).
fn fastopen_no_cookie(c: &mut Cursor) -> Res<RouteMetric> {
    let v = c.peek().unwrap_or_default();
    let n = c.u32("\"fastopen_no_cookie\" value is invalid")?;
    if n > 1 {
        return Err(c.invarg(v, "\"fastopen_no_cookie\" value should be 0 or 1"));
    }
    Ok(RouteMetric {
        kind: MetricKind::FastopenNoCookie,
        value: n,
        lock: false,
    })
}

/// The destination prefix word of a route change.
fn dst_word(c: &Cursor, w: &str, dst: &mut Option<Prefix>, family: &mut Family) -> Res<()> {
    if matches(w, "help") {
        return Err(c.help());
    }
    if dst.is_some() {
        return Err(c.garbage("to", w));
    }
    let p = c.prefix_of(w, *family)?;
    if !p.default {
        *family = Family::of(p.net.addr());
    }
    *dst = Some(p);
    Ok(())
}

/// A metric value, with an optional `lock` word before it.
fn route_metric(c: &mut Cursor, key: &str, kind: MetricKind) -> Res<RouteMetric> {
    let mut lock = c.peek() == Some("lock") && kind != MetricKind::Features;
    if lock {
        c.word();
    }
    let what = format!("\"{key}\" value is invalid");
    let v = c.value()?;
    let value = match kind {
        MetricKind::Rtt | MetricKind::Rttvar | MetricKind::RtoMin => {
            let (t, raw) = rtt_time(v).ok_or_else(|| c.invarg(v, &what))?;
            let scale = match (kind, raw) {
                (_, true) | (MetricKind::RtoMin, _) => 1,
                (MetricKind::Rtt, false) => 8,
                _ => 4,
            };
            lock |= kind == MetricKind::RtoMin;
            t.checked_mul(scale).ok_or_else(|| c.invarg(v, &what))?
        }
        MetricKind::Features => match v {
            "ecn" => 1,
            _ => return Err(c.invarg(v, "\"features\" value not valid")),
        },
        MetricKind::Quickack => match parse_uint(v) {
            Some(n @ 0..=1) => n as u32,
            _ => return Err(c.invarg(v, "\"quickack\" value should be 0 or 1")),
        },
        _ => parse_u32(v).ok_or_else(|| c.invarg(v, &what))?,
    };
    Ok(RouteMetric { kind, value, lock })
}

/// `nexthop NH [nexthop NH]...` up to the end of the line.
fn parse_nexthops(c: &mut Cursor, family: &mut Family) -> Res<Vec<Nexthop>> {
    let mut out = Vec::new();
    let mut nh = Nexthop::default();
    if c.at_end() {
        return Err(c.usage("Error: unexpected end of line after \"nexthop\""));
    }
    while let Some(w) = c.word() {
        match w {
            "nexthop" => {
                out.push(std::mem::take(&mut nh));
                if c.at_end() {
                    return Err(c.usage("Error: unexpected end of line after \"nexthop\""));
                }
            }
            "via" => nh.via = Some(via(c, family)?),
            "dev" => {
                let v = c.value()?;
                nh.dev = Some(c.dev_ref(v)?);
            }
            "weight" => {
                let v = c.peek().unwrap_or_default();
                let n = c.uint(256, "\"weight\" is invalid")?;
                if n == 0 {
                    return Err(c.invarg(v, "\"weight\" is invalid"));
                }
                nh.weight = Some(n as u16);
            }
            "onlink" => nh.onlink = true,
            "realms" => nh.realms = Some(realms(c, "\"realm\" value is invalid")?),
            _ => {
                return Err(c.usage(format_args!(
                    "Error: \"nexthop\" or end of line is expected instead of \"{w}\""
                )));
            }
        }
    }
    out.push(nh);
    Ok(out)
}

/// `[root|match|exact] PREFIX` after `to`/`from` or bare.
fn prefix_sel(c: &mut Cursor, first: &str, family: &mut Family) -> Res<PrefixSel> {
    let (ctor, w): (fn(IpNet) -> PrefixSel, &str) = if matches(first, "root") {
        (PrefixSel::Root, c.value()?)
    } else if matches(first, "match") {
        (PrefixSel::Match, c.value()?)
    } else if matches(first, "exact") {
        (PrefixSel::Exact, c.value()?)
    } else {
        (PrefixSel::Exact, first)
    };
    let p = c.prefix_of(w, *family)?;
    if !p.default {
        *family = Family::of(p.net.addr());
    }
    Ok(ctor(p.net))
}

fn parse_filter(c: &mut Cursor, mut family: Family) -> Res<RouteFilter> {
    let mut f = RouteFilter::default();
    while let Some(w) = c.word() {
        let m = |k: &str| matches(w, k);
        if m("table") {
            let v = c.value()?;
            f.table = Some(match v {
                "all" => TableFilter::All,
                "cache" => {
                    f.cached = true;
                    TableFilter::Cache
                }
                _ if matches(v, "help") => return Err(c.help()),
                _ => match NameTable::Tables.lookup(v) {
                    Some(0) => TableFilter::All,
                    Some(id) => TableFilter::Id(id),
                    None => return Err(c.invarg(v, "table id value is invalid")),
                },
            });
        } else if m("vrf") {
            let v = c.value()?;
            f.vrf = Some(c.dev_ref(v)?);
        } else if m("cached") || m("cloned") {
            f.cached = true;
        } else if w == "tos" || m("dsfield") {
            f.tos = Some(c.table_value(NameTable::Dsfield, 255, "TOS value is invalid")? as u8);
        } else if m("protocol") {
            let v = c.value()?;
            f.protocol = match v {
                "all" => None,
                _ => Some(
                    NameTable::Protos
                        .lookup(v)
                        .filter(|p| *p <= 255)
                        .ok_or_else(|| c.invarg(v, "invalid \"protocol\""))?
                        as u8,
                ),
            };
        } else if m("scope") {
            let v = c.value()?;
            f.scope = match v {
                "all" => None,
                _ => Some(
                    NameTable::Scopes
                        .lookup(v)
                        .filter(|s| *s <= 255)
                        .ok_or_else(|| c.invarg(v, "invalid \"scope\""))? as u8,
                ),
            };
        } else if m("type") {
            let v = c.value()?;
            f.kind = Some(
                RouteType::from_word(v).ok_or_else(|| c.invarg(v, "node type value is invalid"))?,
            );
        } else if w == "dev" || w == "oif" {
            let v = c.value()?;
            f.dev = Some(c.dev_ref(v)?);
        } else if w == "iif" {
            let v = c.value()?;
            f.iif = Some(c.dev_ref(v)?);
        } else if w == "mark" {
            f.mark = Some(c.u32("invalid mark value")?);
        } else if m("metric") || m("priority") || w == "preference" {
            f.metric = Some(c.u32("\"metric\" value is invalid")?);
        } else if w == "via" {
            f.via = Some(via(c, &mut family)?);
        } else if w == "src" {
            let p = c.prefix(family)?;
            f.src = Some(p.net);
        } else if m("realms") {
            let w = c.peek().unwrap_or_default();
            let v = realms(c, "invalid realms")?;
            let mut mask = !0u32;
            if v & 0xffff == 0 && w.ends_with('/') {
                mask &= !0xffff;
            }
            if v & 0xffff_0000 == 0 && !w.contains('/') {
                mask &= !0xffff_0000;
            }
            f.realms = Some((v, mask));
        } else if m("from") {
            let first = c.value()?;
            f.from = Some(prefix_sel(c, first, &mut family)?);
        } else {
            let w = if m("to") { c.value()? } else { w };
            f.to = Some(prefix_sel(c, w, &mut family)?);
        }
    }
    Ok(f)
}

fn parse_get(c: &mut Cursor, mut family: Family) -> Res<RouteGet> {
    let mut g = RouteGet {
        dst: IpNet::host(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)),
        from: None,
        iif: None,
        oif: None,
        mark: None,
        tos: None,
        vrf: None,
        uid: None,
        fibmatch: false,
        connected: false,
        notify: false,
        sport: None,
        dport: None,
        ipproto: None,
    };
    let mut dst = None;
    while let Some(w) = c.word() {
        let m = |k: &str| matches(w, k);
        if w == "tos" || m("dsfield") {
            g.tos = Some(c.table_value(NameTable::Dsfield, 255, "TOS value is invalid")? as u8);
        } else if m("from") {
            let p = c.prefix(family)?;
            family = Family::of(p.net.addr());
            g.from = Some(p.net);
        } else if m("iif") {
            let v = c.value()?;
            g.iif = Some(c.dev_ref(v)?);
        } else if m("mark") {
            g.mark = Some(c.u32("invalid mark value")?);
        } else if m("oif") || w == "dev" {
            let v = c.value()?;
            g.oif = Some(c.dev_ref(v)?);
        } else if m("notify") {
            g.notify = true;
        } else if m("connected") {
            g.connected = true;
        } else if m("vrf") {
            let v = c.value()?;
            g.vrf = Some(c.dev_ref(v)?);
        } else if m("uid") {
            g.uid = Some(c.u32("invalid UID")?);
        } else if m("fibmatch") {
            g.fibmatch = true;
        } else if m("sport") {
            g.sport = Some(c.u16("invalid sport")?);
        } else if m("dport") {
            g.dport = Some(c.u16("invalid dport")?);
        } else if m("ipproto") {
            let v = c.value()?;
            let named = [
                ("icmp", 1),
                ("tcp", 6),
                ("udp", 17),
                ("dccp", 33),
                ("ipv6-icmp", 58),
                ("icmpv6", 58),
                ("sctp", 132),
                ("udplite", 136),
            ];
            let p = named
                .iter()
                .find(|(n, _)| *n == v)
                .map(|(_, p)| *p)
                .or_else(|| parse_uint(v).and_then(|n| u8::try_from(n).ok()));
            g.ipproto = Some(p.ok_or_else(|| c.invarg(v, "Invalid \"ipproto\" value"))?);
        } else if m("help") {
            return Err(c.help());
        } else {
            // A second destination replaces the first, as with ip.
            let w = if w == "to" { c.value()? } else { w };
            let p = c.prefix_of(w, family)?;
            family = Family::of(p.net.addr());
            dst = Some(p.net);
        }
    }
    g.dst = dst.ok_or_else(|| c.usage("need at least a destination address"))?;
    Ok(g)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{err, parse_as, parse_ok};

    fn change(line: &str) -> RouteChange {
        match parse_as::<RouteCmd>(line) {
            RouteCmd::Change(r) => r,
            other => panic!("{line}: {other:?}"),
        }
    }

    fn filter(line: &str) -> RouteFilter {
        match parse_as::<RouteCmd>(line) {
            RouteCmd::Show(f) | RouteCmd::Flush(f) => f,
            other => panic!("{line}: {other:?}"),
        }
    }

    fn get(line: &str) -> RouteGet {
        match parse_as::<RouteCmd>(line) {
            RouteCmd::Get(g) => g,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn verbs() {
        for (line, op) in [
            ("route add 198.18.9.0/24 dev v1", RouteOp::Add),
            ("r a 198.18.9.0/24 dev v1", RouteOp::Add),
            ("ro replace 198.18.9.0/24 dev v1", RouteOp::Replace),
            ("route r 198.18.9.0/24 dev v1", RouteOp::Replace),
            ("route change 198.18.9.0/24 dev v1", RouteOp::Change),
            ("route c 198.18.9.0/24 dev v1", RouteOp::Change),
            ("route append 198.18.9.0/24 dev v1", RouteOp::Append),
            ("route ap 198.18.9.0/24 dev v1", RouteOp::Append),
            ("route prepend 198.18.9.0/24 dev v1", RouteOp::Prepend),
            ("route p 198.18.9.0/24 dev v1", RouteOp::Prepend),
            ("route del 198.18.9.0/24", RouteOp::Del),
            ("route d 198.18.9.0/24", RouteOp::Del),
            ("route delete 198.18.9.0/24", RouteOp::Del),
        ] {
            assert_eq!(change(line).op, op, "{line}");
        }
        for line in [
            "route",
            "r",
            "route show",
            "route s",
            "route list",
            "route l",
            "route ls",
            "route lst",
        ] {
            assert_eq!(
                parse_ok(line),
                Command::of(RouteCmd::Show(RouteFilter::default())),
                "{line}"
            );
        }
        assert_eq!(parse_ok("route help"), Command::Help(TOPIC));
        assert!(
            err("route e").starts_with("Command \"e\" is unknown, try \"netplumb route help\".")
        );
    }

    #[test]
    fn add_with_everything() {
        let r = change(
            "route add 198.18.11.0/24 via 198.18.0.2 dev v1 mtu lock 1400 rtt 10ms rttvar 5 \
             window 1000 advmss 1300 hoplimit 64 initcwnd 10 initrwnd 10 reordering 3 \
             congctl lock cubic realm 1/2 onlink pref high tos 0x10 scope link proto static \
             metric 5 table 100 src 198.18.0.1 ssthresh 7 cwnd 8 features ecn quickack 1 \
             rto_min 200ms fastopen_no_cookie 1 expires 30",
        );
        assert_eq!(r.dst.to_string(), "198.18.11.0/24");
        assert_eq!(r.via, Some("198.18.0.2".parse().unwrap()));
        assert_eq!(r.dev.as_deref(), Some("v1"));
        assert_eq!(
            (r.tos, r.scope, r.protocol, r.metric, r.table),
            (Some(0x10), Some(253), Some(4), Some(5), Some(100))
        );
        assert_eq!(
            (r.onlink, r.pref, r.realms, r.expires),
            (true, Some(1), Some(1 << 16 | 2), Some(30))
        );
        assert_eq!(r.src, Some("198.18.0.1".parse().unwrap()));
        assert_eq!(
            r.congctl,
            Some(Congctl {
                name: "cubic".into(),
                lock: true
            })
        );
        let metric = |k: MetricKind| {
            r.metrics
                .iter()
                .find(|m| m.kind == k)
                .map(|m| (m.value, m.lock))
        };
        assert_eq!(metric(MetricKind::Mtu), Some((1400, true)));
        assert_eq!(metric(MetricKind::Rtt), Some((80, false)));
        assert_eq!(metric(MetricKind::Rttvar), Some((5, false)));
        assert_eq!(metric(MetricKind::Window), Some((1000, false)));
        assert_eq!(metric(MetricKind::Advmss), Some((1300, false)));
        assert_eq!(metric(MetricKind::Hoplimit), Some((64, false)));
        assert_eq!(metric(MetricKind::Initcwnd), Some((10, false)));
        assert_eq!(metric(MetricKind::Initrwnd), Some((10, false)));
        assert_eq!(metric(MetricKind::Reordering), Some((3, false)));
        assert_eq!(metric(MetricKind::Ssthresh), Some((7, false)));
        assert_eq!(metric(MetricKind::Cwnd), Some((8, false)));
        assert_eq!(metric(MetricKind::Features), Some((1, false)));
        assert_eq!(metric(MetricKind::Quickack), Some((1, false)));
        assert_eq!(metric(MetricKind::RtoMin), Some((200, true)));
        assert_eq!(metric(MetricKind::FastopenNoCookie), Some((1, false)));
        assert_eq!(MetricKind::Mtu.rtax(), 2);
        assert_eq!(MetricKind::Quickack.rtax(), 15);
        assert_eq!(MetricKind::FastopenNoCookie.rtax(), 17);
    }

    #[test]
    fn times_of_rtt_and_rttvar() {
        let m = |s: &str| change(&format!("route add 198.18.9.0/24 dev v {s}")).metrics[0].value;
        assert_eq!(m("rtt 80"), 80);
        assert_eq!(m("rtt 10ms"), 80);
        assert_eq!(m("rtt 1.5s"), 12000);
        assert_eq!(m("rtt 10msec"), 80);
        assert_eq!(m("rtt 2secs"), 16000);
        assert_eq!(m("rtt 0x10"), 16);
        assert_eq!(m("rttvar 10ms"), 40);
        assert_eq!(m("rttvar 40"), 40);
        assert_eq!(m("rto_min 80"), 80);
        assert!(
            err("route add 198.18.9.0/24 dev v rtt 10us")
                .starts_with("Error: argument \"10us\" is wrong: \"rtt\" value is invalid")
        );
        assert!(
            err("route add 198.18.9.0/24 dev v rtt 2x")
                .starts_with("Error: argument \"2x\" is wrong: \"rtt\" value is invalid")
        );
    }

    #[test]
    fn types_default_and_families() {
        for (word, t) in [
            ("unreachable", RouteType::Unreachable),
            ("u", RouteType::Unreachable),
            ("un", RouteType::Unreachable),
            ("uni", RouteType::Unicast),
            ("unicast", RouteType::Unicast),
            ("b", RouteType::Broadcast),
            ("brd", RouteType::Broadcast),
            ("bl", RouteType::Blackhole),
            ("blackhole", RouteType::Blackhole),
            ("a", RouteType::Anycast),
            ("any", RouteType::Anycast),
            ("mu", RouteType::Multicast),
            ("proh", RouteType::Prohibit),
            ("prohibit", RouteType::Prohibit),
            ("throw", RouteType::Throw),
            ("local", RouteType::Local),
            ("nat", RouteType::Nat),
            ("x", RouteType::Xresolve),
        ] {
            assert_eq!(
                change(&format!("route add {word} 198.18.77.0/24")).kind,
                Some(t),
                "{word}"
            );
        }
        assert_eq!(RouteType::Unicast.rtn(), 1);
        assert_eq!(RouteType::Xresolve.rtn(), 11);
        for bad in ["l", "lo", "loca", "n", "na", "th", "thr"] {
            let e = err(&format!("route add {bad} 198.18.77.0/24"));
            assert!(
                e.starts_with(&format!(
                    "Error: any valid prefix is expected rather than \"{bad}\"."
                )),
                "{bad}: {e}"
            );
        }
        assert_eq!(
            change("route add to unreachable 198.18.18.0/24").kind,
            Some(RouteType::Unreachable)
        );
        assert!(
            err("route add unreachable to 198.18.18.0/24")
                .starts_with("Error: any valid prefix is expected rather than \"to\".")
        );
        assert_eq!(
            change("route add to 198.18.17.0/24 dev v1").dst.to_string(),
            "198.18.17.0/24"
        );
        assert_eq!(
            change("route add default via 198.18.0.1").dst.to_string(),
            "0.0.0.0/0"
        );
        assert_eq!(
            change("route add default via 2001:db8::1").dst.to_string(),
            "::/0"
        );
        assert_eq!(
            change("-6 route add default dev v1").dst.to_string(),
            "::/0"
        );
        assert_eq!(
            change("route add default dev v1").dst.to_string(),
            "0.0.0.0/0"
        );
        assert_eq!(change("route add all dev v1").dst.to_string(), "0.0.0.0/0");
        assert_eq!(
            change("route add default nexthop via 2001:db8::1 dev v1")
                .dst
                .to_string(),
            "::/0"
        );
        assert_eq!(
            change("route add 10/8 dev v1").dst.to_string(),
            "10.0.0.0/8"
        );
        let r = change("route add 198.18.10.0/24 via inet6 2001:db8::2 dev v1");
        assert_eq!(r.via, Some("2001:db8::2".parse().unwrap()));
        assert_eq!(
            change("route add 2001:db8:5::/64 dev v1 from 2001:db8:6::/64")
                .from
                .unwrap()
                .to_string(),
            "2001:db8:6::/64"
        );
        assert_eq!(
            change("route add 198.18.15.0/24 dev v1 table main").table,
            Some(254)
        );
        assert_eq!(
            change("route add 198.18.15.0/24 dev v1 table 4294967295").table,
            Some(u32::MAX)
        );
        assert_eq!(
            change("route add 198.18.15.0/24 dev v1 proto 255").protocol,
            Some(255)
        );
        assert_eq!(
            change("route add 198.18.15.0/24 dev v1 tos AF11").tos,
            Some(0x28)
        );
        assert_eq!(
            change("route add 198.18.15.0/24 dev v1 pref low").pref,
            Some(3)
        );
        // ip's prefixes: p=priority(metric), t=table, d=dsfield, r=reordering, rt=rttvar.
        let r = change(
            "route add 198.18.9.0/24 dev v1 p 7 t 9 d 0x10 r 2 rt 3 c 4 co reno i 5 w 6 s 7 prot 8 v red",
        );
        assert_eq!(
            (r.metric, r.table, r.tos, r.protocol, r.vrf.as_deref()),
            (Some(7), Some(9), Some(0x10), Some(8), Some("red"))
        );
        let kinds: Vec<MetricKind> = r.metrics.iter().map(|m| m.kind).collect();
        assert_eq!(
            kinds,
            [
                MetricKind::Reordering,
                MetricKind::Rttvar,
                MetricKind::Cwnd,
                MetricKind::Initcwnd,
                MetricKind::Window,
                MetricKind::Ssthresh
            ]
        );
        assert_eq!(r.congctl.unwrap().name, "reno");
    }

    #[test]
    fn multipath() {
        let r = change(
            "route add 198.18.13.0/24 nexthop via 198.18.0.2 dev v1 weight 2 nexthop via 198.18.0.3 dev v2 weight 256 onlink",
        );
        assert_eq!(
            r.nexthops,
            vec![
                Nexthop {
                    via: Some("198.18.0.2".parse().unwrap()),
                    dev: Some("v1".into()),
                    weight: Some(2),
                    onlink: false,
                    realms: None
                },
                Nexthop {
                    via: Some("198.18.0.3".parse().unwrap()),
                    dev: Some("v2".into()),
                    weight: Some(256),
                    onlink: true,
                    realms: None
                },
            ]
        );
        for (line, first) in [
            (
                "route add 198.18.14.0/24 nexthop via 198.18.0.2 weight 0",
                "Error: argument \"0\" is wrong: \"weight\" is invalid",
            ),
            (
                "route add 198.18.14.0/24 nexthop via 198.18.0.2 weight 257",
                "Error: argument \"257\" is wrong: \"weight\" is invalid",
            ),
            (
                "route add 198.18.14.0/24 nexthop via 198.18.0.2 w 256",
                "Error: \"nexthop\" or end of line is expected instead of \"w\"",
            ),
            (
                "route add 198.18.14.0/24 nexthop via 198.18.0.2 metric 5",
                "Error: \"nexthop\" or end of line is expected instead of \"metric\"",
            ),
            (
                "route add 198.18.14.0/24 nexthop",
                "Error: unexpected end of line after \"nexthop\"",
            ),
            (
                "route add 198.18.14.0/24 nexthop via 2001:db8::1",
                "Error: inet address is expected rather than \"2001:db8::1\".",
            ),
        ] {
            let e = err(line);
            assert!(e.starts_with(first), "{line}:\n{e}");
        }
    }

    #[test]
    fn change_errors() {
        for (line, first) in [
            (
                "route add dev v1",
                "Not enough information: a destination prefix is required.",
            ),
            (
                "route del",
                "Not enough information: a destination prefix is required.",
            ),
            (
                "route add 198.18.10.0/24 via 198.18.0.2 via 198.18.0.3",
                "Error: argument \"via\" is wrong: use nexthop syntax to specify multiple via",
            ),
            (
                "route add 198.18.10.0/24 via inet 2001:db8::2 dev v1",
                "Error: inet address is expected rather than \"2001:db8::2\".",
            ),
            (
                "route add 198.18.10.0/24 via foo 198.18.0.2",
                "Error: inet address is expected rather than \"foo\".",
            ),
            (
                "-6 route add default via 198.18.0.2",
                "Error: inet6 address is expected rather than \"198.18.0.2\".",
            ),
            (
                "route add 198.18.12.0/24 dev v1 mtu lock",
                "Command line is not complete. Try \"netplumb route help\".",
            ),
            (
                "route add 198.18.12.0/24 dev v1 pref foo",
                "Error: argument \"foo\" is wrong: \"pref\" value is invalid",
            ),
            (
                "route add 198.18.15.0/24 dev v1 proto 300",
                "Error: argument \"300\" is wrong: \"protocol\" value is invalid",
            ),
            (
                "route add 198.18.15.0/24 dev v1 table x",
                "Error: argument \"x\" is wrong: \"table\" value is invalid",
            ),
            (
                "route add 198.18.21.0/24 dev v1 tos 300",
                "Error: argument \"300\" is wrong: \"tos\" value is invalid",
            ),
            (
                "route add 198.18.19.0/24/x dev v1",
                "Error: any valid prefix is expected rather than \"198.18.19.0/24/x\".",
            ),
            (
                "route add 198.18.9.0/24 dev v1 sr zzz",
                "Error: either \"to\" is duplicate, or \"sr\" is a garbage.",
            ),
            (
                "route add 198.18.9.0/24 dev v1 prefe zzz",
                "Error: either \"to\" is duplicate, or \"prefe\" is a garbage.",
            ),
            (
                "route add 198.18.9.0/24 dev v1 type zzz",
                "Error: either \"to\" is duplicate, or \"type\" is a garbage.",
            ),
            (
                "route add 198.18.9.0/24 dev v1 m zzz",
                "Error: argument \"zzz\" is wrong: \"metric\" value is invalid",
            ),
            (
                "route add 198.18.9.0/24 dev v1 s zzz",
                "Error: argument \"zzz\" is wrong: \"ssthresh\" value is invalid",
            ),
            (
                "route add 198.18.9.0/24 dev v1 rea zzz",
                "Error: argument \"zzz\" is wrong: \"realm\" value is invalid",
            ),
            (
                "route add 198.18.9.0/24 dev v1 f zzz",
                "Error: argument \"zzz\" is wrong: \"features\" value not valid",
            ),
            (
                "route add 198.18.9.0/24 dev v1 q 2",
                "Error: argument \"2\" is wrong: \"quickack\" value should be 0 or 1",
            ),
            (
                "route add 198.18.9.0/24 dev v1 scope x",
                "Error: argument \"x\" is wrong: invalid \"scope\" value",
            ),
            (
                "-6 route add 198.18.9.0/24 dev v1",
                "Error: inet6 prefix is expected rather than \"198.18.9.0/24\".",
            ),
            (
                "route add 2001:db8::/64 src 198.18.0.1",
                "Error: inet6 address is expected rather than \"198.18.0.1\".",
            ),
        ] {
            let e = err(line);
            assert!(e.starts_with(first), "{line}:\n{e}");
        }
        assert!(err("route add 198.18.9.0/24 dev v1 h zzz").starts_with("Usage: netplumb route"));
    }

    #[test]
    fn show_and_flush() {
        let f = filter(
            "route show table all dev v1 proto kernel scope link type unicast via 198.18.0.1 src 198.18.0.0/24 root 198.18.0.0/16",
        );
        assert_eq!(f.table, Some(TableFilter::All));
        assert_eq!(
            (f.dev.as_deref(), f.protocol, f.scope, f.kind),
            (Some("v1"), Some(2), Some(253), Some(RouteType::Unicast))
        );
        assert_eq!(f.via, Some("198.18.0.1".parse().unwrap()));
        assert_eq!(f.src.unwrap().to_string(), "198.18.0.0/24");
        assert_eq!(
            f.to,
            Some(PrefixSel::Root("198.18.0.0/16".parse().unwrap()))
        );
        assert_eq!(
            filter("route show table cache"),
            RouteFilter {
                table: Some(TableFilter::Cache),
                cached: true,
                ..Default::default()
            }
        );
        assert_eq!(filter("route show table 0").table, Some(TableFilter::All));
        assert_eq!(
            filter("route show table local").table,
            Some(TableFilter::Id(255))
        );
        assert_eq!(filter("route show t 100").table, Some(TableFilter::Id(100)));
        assert_eq!(
            filter("route show proto all scope all"),
            RouteFilter::default()
        );
        assert!(filter("route show c 198.18.0.0/24").cached);
        assert_eq!(
            filter("route show 198.18.0.0/24").to,
            Some(PrefixSel::Exact("198.18.0.0/24".parse().unwrap()))
        );
        assert_eq!(
            filter("route show to match 198.18.0.1").to,
            Some(PrefixSel::Match("198.18.0.1/32".parse().unwrap()))
        );
        assert_eq!(
            filter("route show ma 198.18.0.1").to,
            Some(PrefixSel::Match("198.18.0.1/32".parse().unwrap()))
        );
        assert_eq!(
            filter("route show exact default").to,
            Some(PrefixSel::Exact("0.0.0.0/0".parse().unwrap()))
        );
        assert_eq!(
            filter("-6 route show default").to,
            Some(PrefixSel::Exact("::/0".parse().unwrap()))
        );
        assert_eq!(
            filter("route show from root 198.18.0.0/16").from,
            Some(PrefixSel::Root("198.18.0.0/16".parse().unwrap()))
        );
        assert_eq!(
            filter("route show 198.18.0.0/24 198.18.0.0/16").to,
            Some(PrefixSel::Exact("198.18.0.0/16".parse().unwrap()))
        );
        let f = filter("route flush dev v1 m 5 iif v2 mark 3 tos 10 r 1/2");
        assert_eq!(
            (f.metric, f.iif.as_deref(), f.mark, f.tos, f.realms),
            (
                Some(5),
                Some("v2"),
                Some(3),
                Some(0x10),
                Some((1 << 16 | 2, !0))
            )
        );
        // TO alone leaves FROM free; FROM/ leaves TO free; 0/TO fixes both.
        for (line, want) in [
            ("route show realms 3", (3, 0xffff)),
            ("route show realms 5/", (5 << 16, 0xffff_0000)),
            ("route show realms 0/3", (3, !0)),
            ("route show realms 5/0", (5 << 16, !0)),
        ] {
            assert_eq!(filter(line).realms, Some(want), "{line}");
        }
        assert!(err("route show realms /3").contains("invalid realms"));
        assert!(err("route flush").starts_with("\"netplumb route flush\" requires arguments."));
        for (line, first) in [
            (
                "route show t zzz",
                "Error: argument \"zzz\" is wrong: table id value is invalid",
            ),
            (
                "route show p zzz",
                "Error: argument \"zzz\" is wrong: invalid \"protocol\"",
            ),
            (
                "route show s zzz",
                "Error: argument \"zzz\" is wrong: invalid \"scope\"",
            ),
            (
                "route show ty zzz",
                "Error: argument \"zzz\" is wrong: node type value is invalid",
            ),
            (
                "route show d zzz",
                "Error: argument \"zzz\" is wrong: TOS value is invalid",
            ),
            (
                "route show mar zzz",
                "Error: any valid prefix is expected rather than \"mar\".",
            ),
            (
                "route show help",
                "Error: any valid prefix is expected rather than \"help\".",
            ),
            (
                "route show r zzz",
                "Error: argument \"zzz\" is wrong: invalid realms",
            ),
        ] {
            let e = err(line);
            assert!(e.starts_with(first), "{line}:\n{e}");
        }
    }

    #[test]
    fn get_command() {
        let g = get(
            "route get to 198.18.0.5 from 198.18.0.1 iif v1 oif v2 mark 7 tos 0x10 uid 5 fibmatch connected sport 1 dport 2 ipproto tcp vrf red",
        );
        assert_eq!(g.dst.to_string(), "198.18.0.5/32");
        assert_eq!(g.from.unwrap().to_string(), "198.18.0.1/32");
        assert_eq!(
            (g.iif.as_deref(), g.oif.as_deref(), g.mark, g.tos, g.uid),
            (Some("v1"), Some("v2"), Some(7), Some(0x10), Some(5))
        );
        assert!(g.fibmatch && g.connected && !g.notify);
        assert_eq!(
            (g.sport, g.dport, g.ipproto, g.vrf.as_deref()),
            (Some(1), Some(2), Some(6), Some("red"))
        );
        assert_eq!(get("r g 2001:db8::1").dst.to_string(), "2001:db8::1/128");
        assert_eq!(
            get("route get 198.18.0.1 198.18.0.2").dst.to_string(),
            "198.18.0.2/32"
        );
        assert_eq!(
            get("route get 198.18.0.5 dev v1 i v2 m 1 o v3")
                .oif
                .as_deref(),
            Some("v3")
        );
        for (line, first) in [
            ("route get", "need at least a destination address"),
            ("route get iif v1", "need at least a destination address"),
            (
                "route get t zzz",
                "Error: any valid prefix is expected rather than \"t\".",
            ),
            (
                "route get m zzz",
                "Error: argument \"zzz\" is wrong: invalid mark value",
            ),
            (
                "route get u zzz",
                "Error: argument \"zzz\" is wrong: invalid UID",
            ),
            (
                "route get s zzz",
                "Error: argument \"zzz\" is wrong: invalid sport",
            ),
            (
                "route get ip zzz",
                "Error: argument \"zzz\" is wrong: Invalid \"ipproto\" value",
            ),
            (
                "-4 route get 2001:db8::1",
                "Error: inet prefix is expected rather than \"2001:db8::1\".",
            ),
        ] {
            let e = err(line);
            assert!(e.starts_with(first), "{line}:\n{e}");
        }
        assert!(err("route get h").starts_with("Usage: netplumb route"));
    }
}
