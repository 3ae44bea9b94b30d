//! Route operations on a [`Handle`]: like `ip route`.
//!
//! - [`RouteSpec`] describes a route to add, replace, change, append, prepend or delete
//!   ([`Handle::route_add`], ...); [`RouteSpec::request`] gives the message for a
//!   [`crate::Batch`].
//! - [`Handle::route_list`] dumps routes with the kernel's filters ([`RouteFilter`]),
//!   [`Handle::route_get`] asks the kernel which route a packet would take
//!   ([`RouteGetOpts`]), [`Handle::route_flush`] deletes what a filter selects.
//! - Results are [`Route`]s: typed fields and the [`RouteMessage`] they came from.
//!
//! # Route dumps under change
//!
//! A dump spans several datagrams, and the kernel builds each one when the previous one has
//! been read; between two datagrams nothing holds the table still, and other callers go on
//! changing it. Link and address dumps notice a change in
//! between and flag the dump (`NLM_F_DUMP_INTR`), which the list operations answer by
//! dumping again. Route dumps are not flagged (neither `inet_dump_fib` nor
//! `inet6_dump_fib` sets the sequence number that `nl_dump_check_consistent` compares), and
//! they resume differently:
//!
//! - **IPv4** (`fib_table_dump`) resumes at the first prefix after the last one it sent, so
//!   a route that stays in the table is sent once; only within one prefix
//!   (`fn_trie_dump_leaf` resumes by position among the routes of that prefix: other tos,
//!   metric or table) can a route added or removed meanwhile make it repeat or miss one.
//! - **IPv6** (`fib6_dump_table`) resumes its walker where it stopped, unless the tree's
//!   serial number changed (every added route changes it): then it walks again from the
//!   root and skips as many nodes as it had sent (`w->skip = w->count`). A node added before
//!   that point makes it repeat a route; nodes removed before it earlier in the dump (a
//!   removal moves the walker, `fib6_repair_tree`, but not its count) make it miss as many;
//!   and the node it had sent part of is sent again from its first route. Nothing is
//!   flagged: under steady change (containers coming and going) a few percent of IPv6 dumps
//!   are wrong, `ip -6 route` included, and a periodic change can tear two dumps in a row
//!   the same way.
//!
//! [`Handle::route_list`] returns what one dump gave. Callers that need an exact table use
//! [`Handle::route_list_consistent`], which watches the kernel's events while it dumps and
//! accepts a dump only when nothing could have changed the table meanwhile (see its docs for
//! why that is enough).

mod spec;

pub use spec::{NextHopSpec, RouteOp, RouteSpec};

use crate::handle::Handle;
use crate::link::LinkRef;
use crate::ops::{FlushPolicy, check_ip_family, is_ip_family, reported_prefix};
use crate::socket::{
    RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV6_ROUTE, RTNLGRP_LINK,
    RTNLGRP_NEXTHOP, Request, Socket,
};
use crate::wire::USER_HZ;
use crate::wire::family::{AF_INET, AF_INET6, AF_UNSPEC};
use crate::wire::nlmsg::{NlmsgFlags, RTM_DELROUTE, RTM_GETROUTE};
use crate::wire::route::{
    NextHopFlags, RT_TABLE_MAIN, RT_TABLE_UNSPEC, RouteAttr, RouteFlags, RouteHeader, RouteMessage,
    RouteMetric, RoutePref, RouteProtocol, RouteScope, RouteType, RouteVia,
};
use crate::{Error, IpNet, Result};
use std::borrow::Cow;
use std::net::IpAddr;
use std::time::Duration;

/// See [`Route::expires`].
fn expires(m: &RouteMessage) -> Option<Duration> {
    match m.cache_info() {
        Some(c) if c.expires > 0 => {
            let ticks = u64::from(c.expires.unsigned_abs());
            Some(Duration::from_millis(
                ticks.saturating_mul(1000) / u64::from(USER_HZ),
            ))
        }
        _ => m.attrs.iter().find_map(|a| match a {
            RouteAttr::Expires(s) => Some(Duration::from_secs(u64::from(*s))),
            _ => None,
        }),
    }
}

/// A `LinkRef` that owns its name.
fn owned_link(l: LinkRef<'_>) -> LinkRef<'static> {
    match l {
        LinkRef::Index(i) => LinkRef::Index(i),
        LinkRef::Name(n) => LinkRef::Name(Cow::Owned(n.into_owned())),
    }
}

/// One next hop of a multipath route, as the kernel reports it.
///
/// ```no_run
/// use netplumb::Handle;
/// use netplumb::route::RouteFilter;
/// for r in Handle::new()?.route_list(&RouteFilter::new())? {
///     for hop in &r.nexthops {
///         println!("{} via {:?} dev {} weight {}", r.destination, hop.gateway, hop.ifindex, hop.weight);
///     }
/// }
/// # Ok::<(), netplumb::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteNextHop {
    /// The gateway: `RTA_GATEWAY`, or the address of an `RTA_VIA` (an IPv6 gateway of an
    /// IPv4 route).
    pub gateway: Option<IpAddr>,
    /// `rtnh_ifindex`: the output interface.
    pub ifindex: u32,
    /// The weight, 1 to 256.
    pub weight: u16,
    /// `rtnh_flags` (`onlink`, `linkdown`, `dead`, ...).
    pub flags: NextHopFlags,
}

/// A route, as `ip route show` or `ip route get` reports it: the fields of a
/// `RTM_NEWROUTE` from the kernel, typed, and the message itself.
///
/// ```no_run
/// use netplumb::{Handle, route::RouteFilter};
/// let h = Handle::new()?;
/// for r in h.route_list(&RouteFilter::new())? {
///     println!("{} via {:?} dev {:?} metric {:?}", r.destination, r.gateway, r.oif, r.metric);
/// }
/// # Ok::<(), netplumb::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// `AF_INET` or `AF_INET6`.
    pub family: u8,
    /// The destination prefix; `0.0.0.0/0` or `::/0` for a default route.
    pub destination: IpNet,
    /// The source prefix (`from`), for source-specific routes and `ip route get ... from`.
    pub source: Option<IpNet>,
    /// The gateway: `RTA_GATEWAY`, or the address of an `RTA_VIA` (an IPv6 gateway of an
    /// IPv4 route; see [`Route::via`] for the raw attribute).
    pub gateway: Option<IpAddr>,
    /// The output interface index (`RTA_OIF`).
    pub oif: Option<u32>,
    /// The input interface index (`RTA_IIF`, in answers to `ip route get ... iif`).
    pub iif: Option<u32>,
    /// The preferred source address (`RTA_PREFSRC`).
    pub prefsrc: Option<IpAddr>,
    /// The route's metric (`RTA_PRIORITY`).
    pub metric: Option<u32>,
    /// The table id, all 32 bits (`RTA_TABLE`, else `rtm_table`).
    pub table: u32,
    /// `rtm_protocol`.
    pub protocol: RouteProtocol,
    /// `rtm_scope`.
    pub scope: RouteScope,
    /// `rtm_type`.
    pub kind: RouteType,
    /// `rtm_flags`.
    pub flags: RouteFlags,
    /// `rtm_tos`.
    pub tos: u8,
    /// `RTA_METRICS`, in the kernel's units (`RTAX_RTT` in 1/8 ms, ...).
    pub metrics: Vec<RouteMetric>,
    /// `RTA_MULTIPATH`: the next hops of a multipath route (empty otherwise).
    pub nexthops: Vec<RouteNextHop>,
    /// `RTA_PREF`: IPv6 router preference.
    pub pref: Option<RoutePref>,
    /// Remaining lifetime of an expiring (IPv6) route: `rta_expires` of `RTA_CACHEINFO`
    /// (clock ticks of `USER_HZ`), or `RTA_EXPIRES` (seconds) when that is what the message
    /// has. `None` for a route that does not expire.
    pub expires: Option<Duration>,
    /// The message the route was read from.
    pub message: RouteMessage,
}

impl Route {
    /// Reads a route from a kernel message. Only `AF_INET` and `AF_INET6` routes are
    /// accepted; others are [`Error::Protocol`].
    pub fn from_message(message: RouteMessage) -> Result<Route> {
        let h = message.header;
        check_ip_family("route", h.family)?;
        let net = |prefix, what| reported_prefix("route", h.family, what, prefix);
        let destination = net(
            message
                .destination()
                .ok_or_else(|| Error::Protocol("route without destination".into()))?,
            "destination",
        )?;
        let source = message.source().map(|s| net(s, "source")).transpose()?;
        let gateway = message
            .gateway()
            .or_else(|| message.via().and_then(RouteVia::ip));
        let nexthops = message
            .multipath()
            .unwrap_or_default()
            .iter()
            .map(|nh| RouteNextHop {
                gateway: nh
                    .gateway()
                    .or_else(|| nh.via_attr().and_then(RouteVia::ip)),
                ifindex: nh.ifindex,
                weight: nh.weight(),
                flags: nh.flags,
            })
            .collect();
        Ok(Route {
            family: h.family,
            destination,
            source,
            gateway,
            oif: message.oif(),
            iif: message.iif(),
            prefsrc: message.prefsrc(),
            metric: message.priority(),
            table: message.table(),
            protocol: h.protocol,
            scope: h.scope,
            kind: h.kind,
            flags: h.flags,
            tos: h.tos,
            metrics: message.metrics().map(<[_]>::to_vec).unwrap_or_default(),
            nexthops,
            pref: message.pref(),
            expires: expires(&message),
            message,
        })
    }

    /// `RTA_VIA` as the kernel gave it.
    pub fn via(&self) -> Option<&RouteVia> {
        self.message.via()
    }

    /// The `RTM_DELROUTE` payload that deletes exactly this route (what
    /// [`Handle::route_flush`] sends): its table, prefixes, tos, protocol, scope, type,
    /// metric, and for a single-path route its gateway and output interface. A multipath
    /// route is matched without its next hops, which deletes it whole.
    pub fn delete_message(&self) -> RouteMessage {
        let h = self.message.header;
        let header = RouteHeader {
            table: u8::try_from(self.table).unwrap_or(RT_TABLE_UNSPEC as u8),
            flags: RouteFlags::empty(),
            ..h
        };
        let mut attrs = Vec::with_capacity(7);
        if h.dst_len > 0 {
            attrs.push(RouteAttr::Destination(self.destination.addr()));
        }
        if let Some(s) = self.source {
            attrs.push(RouteAttr::Source(s.addr()));
        }
        attrs.push(RouteAttr::Table(self.table));
        if let Some(m) = self.metric {
            attrs.push(RouteAttr::Priority(m));
        }
        if let Some(p) = self.prefsrc {
            attrs.push(RouteAttr::PrefSource(p));
        }
        if self.nexthops.is_empty() {
            if let Some(gw) = self.message.gateway() {
                attrs.push(RouteAttr::Gateway(gw));
            } else if let Some(v) = self.message.via() {
                attrs.push(RouteAttr::Via(v.clone()));
            }
            if let Some(oif) = self.oif {
                attrs.push(RouteAttr::Oif(oif));
            }
        }
        RouteMessage { header, attrs }
    }

    /// The IPv6 "null entry" that some kernels list (`unreachable ::/0 dev lo metric
    /// 4294967295`): it cannot be deleted, and `ip route flush` skips it.
    fn is_ipv6_null_entry(&self) -> bool {
        self.family == AF_INET6
            && self.destination.prefix_len() == 0
            && self.kind == RouteType::UNREACHABLE
            && self.metric == Some(u32::MAX)
    }
}

impl TryFrom<RouteMessage> for Route {
    type Error = Error;
    fn try_from(m: RouteMessage) -> Result<Route> {
        Route::from_message(m)
    }
}

/// Which routes [`Handle::route_list`] and [`Handle::route_flush`] select: like the
/// selectors of `ip route show` (`table`, `dev`, `proto`, `type`, `-4`/`-6`).
///
/// The default is table main, both families (note that `ip route show` alone lists IPv4
/// only). The table, output link, protocol and type go to the kernel as a strict dump
/// filter (`rtm_table`/`RTA_TABLE`, `RTA_OIF`, `rtm_protocol`, `rtm_type`; the kernel
/// then sets `NLM_F_DUMP_FILTERED`), and are checked again on what comes back, since not
/// every family's dump honours every filter.
///
/// ```
/// use netplumb::route::RouteFilter;
/// use netplumb::wire::route::RouteProtocol;
/// let f = RouteFilter::new().ipv6().dev("veth0").protocol(RouteProtocol::STATIC);
/// assert_eq!(f.table, Some(254));
/// assert_eq!(RouteFilter::all_tables().table, None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteFilter {
    /// `AF_INET`, `AF_INET6`, or `None` for both.
    pub family: Option<u8>,
    /// The table id; `None` for all tables (`table all`).
    pub table: Option<u32>,
    /// Routes through this output link (`dev DEV`); a multipath route matches when one of
    /// its next hops does.
    pub oif: Option<LinkRef<'static>>,
    /// `proto P`.
    pub protocol: Option<RouteProtocol>,
    /// `type T`.
    pub kind: Option<RouteType>,
}

impl Default for RouteFilter {
    fn default() -> Self {
        RouteFilter {
            family: None,
            table: Some(RT_TABLE_MAIN),
            oif: None,
            protocol: None,
            kind: None,
        }
    }
}

impl RouteFilter {
    /// Table main, both families.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every table, both families (`ip route show table all`).
    pub fn all_tables() -> Self {
        RouteFilter {
            table: None,
            ..Self::default()
        }
    }

    /// Only table `id` (`table ID`); 0 means all tables.
    #[must_use]
    pub fn table(mut self, id: u32) -> Self {
        self.table = (id != RT_TABLE_UNSPEC).then_some(id);
        self
    }

    /// Only IPv4 routes (`-4`).
    #[must_use]
    pub fn ipv4(mut self) -> Self {
        self.family = Some(AF_INET);
        self
    }

    /// Only IPv6 routes (`-6`).
    #[must_use]
    pub fn ipv6(mut self) -> Self {
        self.family = Some(AF_INET6);
        self
    }

    /// Only routes of family `family` (`AF_INET`, `AF_INET6`); `AF_UNSPEC` for both.
    #[must_use]
    pub fn family(mut self, family: u8) -> Self {
        self.family = (family != AF_UNSPEC).then_some(family);
        self
    }

    /// Only routes out of `dev` (`dev DEV`).
    #[must_use]
    pub fn dev<'a>(mut self, dev: impl Into<LinkRef<'a>>) -> Self {
        self.oif = Some(owned_link(dev.into()));
        self
    }

    /// Only routes of protocol `p` (`proto P`).
    #[must_use]
    pub fn protocol(mut self, p: RouteProtocol) -> Self {
        self.protocol = Some(p);
        self
    }

    /// Only routes of type `t` (`type T`).
    #[must_use]
    pub fn kind(mut self, t: RouteType) -> Self {
        self.kind = Some(t);
        self
    }

    /// The `RTM_GETROUTE` dump request payload, with the output link given by index (what
    /// [`Handle::route_list`] sends after resolving [`RouteFilter::oif`]): as `ip` sends
    /// it, family and protocol and type in the header, the table in `RTA_TABLE` (the
    /// header's `rtm_table` stays 0), the link in `RTA_OIF`.
    pub fn to_message(&self, oif: Option<u32>) -> Result<RouteMessage> {
        let family = self.family.unwrap_or(AF_UNSPEC);
        if !matches!(family, AF_UNSPEC | AF_INET | AF_INET6) {
            return Err(Error::invalid(
                "route family",
                format!("{family} is neither AF_INET nor AF_INET6"),
            ));
        }
        let header = RouteHeader {
            family,
            protocol: self.protocol.unwrap_or_default(),
            kind: self.kind.unwrap_or_default(),
            ..RouteHeader::default()
        };
        let mut attrs = Vec::with_capacity(2);
        if let Some(t) = self.table {
            attrs.push(RouteAttr::Table(t));
        }
        if let Some(i) = oif {
            attrs.push(RouteAttr::Oif(i));
        }
        Ok(RouteMessage { header, attrs })
    }

    /// Whether `r` passes the filter (`oif` already resolved).
    fn matches(&self, r: &Route, oif: Option<u32>) -> bool {
        self.family.is_none_or(|f| f == r.family)
            && self.table.is_none_or(|t| t == r.table)
            && self.protocol.is_none_or(|p| p == r.protocol)
            && self.kind.is_none_or(|k| k == r.kind)
            && oif.is_none_or(|i| r.oif == Some(i) || r.nexthops.iter().any(|n| n.ifindex == i))
    }
}

/// What `ip route get DST ...` adds to the lookup: `from`, `iif`, `oif`, `mark`, `uid`,
/// `tos`, `ipproto`, `sport`, `dport`, `fibmatch`.
///
/// ```no_run
/// use netplumb::{Handle, route::RouteGetOpts};
/// let h = Handle::new()?;
/// // ip route get 198.18.5.1 from 198.18.0.1 mark 7
/// let opts = RouteGetOpts::new().from("198.18.0.1".parse()?).mark(7);
/// let r = h.route_get("198.18.5.1".parse()?, &opts)?;
/// println!("via {:?} dev {:?} src {:?}", r.gateway, r.oif, r.prefsrc);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouteGetOpts {
    /// The packet's source address (`from`, `RTA_SRC`).
    pub from: Option<IpAddr>,
    /// The packet arrives on this link (`iif`, `RTA_IIF`).
    pub iif: Option<LinkRef<'static>>,
    /// The packet leaves on this link (`oif`, `RTA_OIF`).
    pub oif: Option<LinkRef<'static>>,
    /// Firewall mark (`mark`, `RTA_MARK`).
    pub mark: Option<u32>,
    /// User id (`uid`, `RTA_UID`).
    pub uid: Option<u32>,
    /// TOS (`tos`, `rtm_tos`).
    pub tos: u8,
    /// IP protocol (`ipproto`, `RTA_IP_PROTO`).
    pub ip_proto: Option<u8>,
    /// Source port (`sport`, `RTA_SPORT`).
    pub sport: Option<u16>,
    /// Destination port (`dport`, `RTA_DPORT`).
    pub dport: Option<u16>,
    /// Return the matching FIB entry instead of the resolved route (`fibmatch`,
    /// `RTM_F_FIB_MATCH`).
    pub fibmatch: bool,
}

impl RouteGetOpts {
    /// No options: a plain `ip route get DST`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the source address (`from ADDR`).
    #[must_use]
    pub fn from(mut self, from: IpAddr) -> Self {
        self.from = Some(from);
        self
    }

    /// Sets the input link (`iif DEV`).
    #[must_use]
    pub fn iif<'a>(mut self, dev: impl Into<LinkRef<'a>>) -> Self {
        self.iif = Some(owned_link(dev.into()));
        self
    }

    /// Sets the output link (`oif DEV`).
    #[must_use]
    pub fn oif<'a>(mut self, dev: impl Into<LinkRef<'a>>) -> Self {
        self.oif = Some(owned_link(dev.into()));
        self
    }

    /// Sets the firewall mark (`mark N`).
    #[must_use]
    pub fn mark(mut self, mark: u32) -> Self {
        self.mark = Some(mark);
        self
    }

    /// Sets the user id (`uid N`).
    #[must_use]
    pub fn uid(mut self, uid: u32) -> Self {
        self.uid = Some(uid);
        self
    }

    /// Sets the TOS (`tos T`).
    #[must_use]
    pub fn tos(mut self, tos: u8) -> Self {
        self.tos = tos;
        self
    }

    /// Sets the IP protocol (`ipproto P`).
    #[must_use]
    pub fn ip_proto(mut self, proto: u8) -> Self {
        self.ip_proto = Some(proto);
        self
    }

    /// Sets the source port (`sport N`).
    #[must_use]
    pub fn sport(mut self, port: u16) -> Self {
        self.sport = Some(port);
        self
    }

    /// Sets the destination port (`dport N`).
    #[must_use]
    pub fn dport(mut self, port: u16) -> Self {
        self.dport = Some(port);
        self
    }

    /// Asks for the matching FIB entry (`fibmatch`).
    #[must_use]
    pub fn fibmatch(mut self) -> Self {
        self.fibmatch = true;
        self
    }

    /// The `RTM_GETROUTE` payload for `dst`, links resolved by `resolve`: as `ip route get`
    /// sends it, full-length prefixes, and for IPv4 `RTM_F_LOOKUP_TABLE` (so that the answer
    /// names the table the route was found in; IPv6 refuses the flag and names it anyway).
    fn request(
        &self,
        dst: IpAddr,
        resolve: &mut dyn FnMut(&LinkRef<'static>) -> Result<u32>,
    ) -> Result<RouteMessage> {
        let full = if dst.is_ipv4() { 32 } else { 128 };
        if let Some(from) = self.from
            && from.is_ipv4() != dst.is_ipv4()
        {
            return Err(Error::invalid(
                "source address",
                format!("{from} is not of the family of {dst}"),
            ));
        }
        let mut flags = RouteFlags::empty();
        if dst.is_ipv4() {
            flags |= RouteFlags::LOOKUP_TABLE;
        }
        if self.fibmatch {
            flags |= RouteFlags::FIB_MATCH;
        }
        let header = RouteHeader {
            family: crate::ipnet::family_of(dst),
            dst_len: full,
            src_len: if self.from.is_some() { full } else { 0 },
            tos: self.tos,
            flags,
            ..RouteHeader::default()
        };
        let mut attrs = Vec::with_capacity(9);
        attrs.push(RouteAttr::Destination(dst));
        if let Some(f) = self.from {
            attrs.push(RouteAttr::Source(f));
        }
        if let Some(l) = &self.iif {
            attrs.push(RouteAttr::Iif(resolve(l)?));
        }
        if let Some(l) = &self.oif {
            attrs.push(RouteAttr::Oif(resolve(l)?));
        }
        if let Some(m) = self.mark {
            attrs.push(RouteAttr::Mark(m));
        }
        if let Some(u) = self.uid {
            attrs.push(RouteAttr::Uid(u));
        }
        if let Some(p) = self.ip_proto {
            attrs.push(RouteAttr::IpProto(p));
        }
        if let Some(p) = self.sport {
            attrs.push(RouteAttr::SourcePort(p));
        }
        if let Some(p) = self.dport {
            attrs.push(RouteAttr::DestinationPort(p));
        }
        Ok(RouteMessage { header, attrs })
    }
}

/// A route request, built but not sent: the shared [`Request`] type for a [`RouteMessage`].
pub type RouteRequest = Request<RouteMessage>;

/// Whether two dumps hold the same routes in the same order, compared without the
/// attributes that change between any two dumps (`RTA_CACHEINFO`, `RTA_EXPIRES`).
fn same_routes(a: &[Route], b: &[Route]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_route(x, y))
}

fn same_route(x: &Route, y: &Route) -> bool {
    fn lasting(r: &Route) -> impl Iterator<Item = &RouteAttr> {
        r.message
            .attrs
            .iter()
            .filter(|a| !matches!(a, RouteAttr::CacheInfo(_) | RouteAttr::Expires(_)))
    }
    x.message.header == y.message.header && lasting(x).eq(lasting(y))
}

/// Whether `routes` holds the same route twice: two routes of one table and prefixes that
/// [`same_route`] cannot tell apart. A real table has no such pair (the kernel refuses the
/// second with `EEXIST`); a restarted IPv6 walk sends the node it was in again.
fn has_repeats(routes: &[Route]) -> bool {
    let key = |r: &Route| (r.table, r.destination, r.source);
    let mut sorted: Vec<&Route> = routes.iter().collect();
    sorted.sort_by_key(|r| key(r));
    sorted.chunk_by(|a, b| key(a) == key(b)).any(|group| {
        group
            .iter()
            .enumerate()
            .any(|(i, x)| group.iter().skip(i + 1).any(|y| same_route(x, y)))
    })
}

/// How many datagrams [`TableWatch`] reads at most around one dump; past that the dump
/// counts as not quiet (and the rest is read before the next one).
const WATCH_DRAIN_MAX: usize = 4096;

/// A socket subscribed to every event that can announce a change of the routes of a family,
/// for [`Handle::route_list_consistent`] (which says why these groups).
struct TableWatch {
    socket: Socket,
}

impl TableWatch {
    /// The groups to watch for routes of `family` (`None`: both).
    fn groups(family: Option<u8>) -> Vec<u32> {
        let mut groups = vec![RTNLGRP_LINK];
        if family != Some(AF_INET6) {
            groups.extend([RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV4_IFADDR]);
        }
        if family != Some(AF_INET) {
            groups.extend([RTNLGRP_IPV6_ROUTE, RTNLGRP_IPV6_IFADDR]);
        }
        groups.push(RTNLGRP_NEXTHOP);
        groups
    }

    /// Opens the socket in `h`'s namespace, subscribes it, and empties its queue.
    fn open(h: &Handle, family: Option<u8>) -> Result<TableWatch> {
        let mut socket = h.open_unpooled()?;
        for group in TableWatch::groups(family) {
            match socket.subscribe(group) {
                // A kernel without nexthop objects (before 5.3) has no such group, and no
                // routes that use one.
                Err(e) if group == RTNLGRP_NEXTHOP && e.errno() == Some(libc::EINVAL) => {}
                r => r?,
            }
        }
        let mut watch = TableWatch { socket };
        watch.nothing_since_last()?;
        Ok(watch)
    }

    /// Whether nothing arrived since the last call (no event, no overrun), reading and
    /// discarding what did, without waiting.
    fn nothing_since_last(&mut self) -> Result<bool> {
        Ok(self.socket.discard_queued(WATCH_DRAIN_MAX)?.nothing())
    }
}

/// Parses one dump record; `None` for a route of a family other than IPv4/IPv6 (multicast
/// routing tables show up in `AF_UNSPEC` dumps).
fn parse_route(payload: &[u8]) -> Result<Option<Route>> {
    let m = RouteMessage::parse(payload)?;
    if !is_ip_family(m.header.family) {
        return Ok(None);
    }
    Route::from_message(m).map(Some)
}

impl Handle {
    fn resolve_link(&self, l: &LinkRef<'static>) -> Result<u32> {
        self.link_index(l.clone())
    }

    /// The request for `spec` sent as `op`, device names resolved with one `RTM_GETLINK`
    /// each: for pushing into a [`Batch`](crate::Batch) (or sending, or keeping as an undo
    /// step). With devices given by index, [`RouteSpec::request`] does the same without a
    /// handle.
    #[doc(alias("RTM_NEWROUTE", "RTM_DELROUTE"))]
    pub fn route_request(&self, op: RouteOp, spec: &RouteSpec) -> Result<RouteRequest> {
        let msg = spec.build(op, &mut |l| self.resolve_link(l))?;
        Ok(Request::new(op.msg_type(), op.flags(), msg))
    }

    fn route_op(&self, op: RouteOp, spec: &RouteSpec) -> Result<()> {
        self.route_request(op, spec)?.send(self)
    }

    /// Adds a route: `RTM_NEWROUTE` with `NLM_F_CREATE|NLM_F_EXCL`; like `ip route add`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] before anything is sent (see [`RouteSpec`]);
    /// [`Error::NotFound`] for a device name that does not exist; [`Error::Kernel`] with
    /// the kernel's message, e.g. `EEXIST` ([`Error::is_exists`]) for a route that exists,
    /// `ENETUNREACH` "Nexthop has invalid gateway" for a gateway no route reaches, `EINVAL`
    /// "Invalid prefix for given prefix length" for IPv4 host bits.
    #[doc(alias = "RTM_NEWROUTE")]
    pub fn route_add(&self, spec: &RouteSpec) -> Result<()> {
        self.route_op(RouteOp::Add, spec)
    }

    /// Adds or replaces a route: `RTM_NEWROUTE` with `NLM_F_CREATE|NLM_F_REPLACE`; like
    /// `ip route replace`. Idempotent.
    ///
    /// # Errors
    /// As [`Handle::route_add`], without `EEXIST`.
    #[doc(alias = "RTM_NEWROUTE")]
    pub fn route_replace(&self, spec: &RouteSpec) -> Result<()> {
        self.route_op(RouteOp::Replace, spec)
    }

    /// Changes an existing route: `RTM_NEWROUTE` with `NLM_F_REPLACE`; like
    /// `ip route change`.
    ///
    /// # Errors
    /// As [`Handle::route_add`]; a route that does not exist is a kernel error for which
    /// [`Error::is_not_found`] holds.
    #[doc(alias = "RTM_NEWROUTE")]
    pub fn route_change(&self, spec: &RouteSpec) -> Result<()> {
        self.route_op(RouteOp::Change, spec)
    }

    /// Appends a route after existing ones with the same key: `RTM_NEWROUTE` with
    /// `NLM_F_CREATE|NLM_F_APPEND`; like `ip route append`. For IPv6 the new route
    /// becomes another next hop of the existing one.
    ///
    /// # Errors
    /// As [`Handle::route_add`].
    #[doc(alias = "RTM_NEWROUTE")]
    pub fn route_append(&self, spec: &RouteSpec) -> Result<()> {
        self.route_op(RouteOp::Append, spec)
    }

    /// Adds a route before existing ones with the same key: `RTM_NEWROUTE` with
    /// `NLM_F_CREATE`; like `ip route prepend`.
    ///
    /// # Errors
    /// As [`Handle::route_add`].
    #[doc(alias = "RTM_NEWROUTE")]
    pub fn route_prepend(&self, spec: &RouteSpec) -> Result<()> {
        self.route_op(RouteOp::Prepend, spec)
    }

    /// Deletes a route: `RTM_DELROUTE`; like `ip route del`. The kernel deletes the first
    /// route matching what `spec` gives (destination, table, and any of gateway, device,
    /// metric, protocol, scope, type, tos, source that are set).
    ///
    /// # Errors
    /// As [`Handle::route_add`]; no matching route is a kernel error (`ESRCH` for IPv4,
    /// `ENOENT` for IPv6) for which [`Error::is_not_found`] holds.
    #[doc(alias = "RTM_DELROUTE")]
    pub fn route_del(&self, spec: &RouteSpec) -> Result<()> {
        self.route_op(RouteOp::Del, spec)
    }

    /// Lists routes: an `RTM_GETROUTE` dump with the kernel-side filters of `filter`; like
    /// `ip route show` (`ip -6 route show`, `ip route show table all`, `... dev DEV`).
    /// A dump the kernel flags as interrupted (`NLM_F_DUMP_INTR`) is retried
    /// [`Handle::dump_retries`] times. A table that does not exist has no routes (where `ip`
    /// says "FIB table does not exist").
    ///
    /// The kernel does not flag route dumps that a concurrent change made inconsistent
    /// (see the [module docs](self)): under churn an IPv6 result may repeat or miss a route
    /// (an IPv4 one only among routes of the same prefix). [`Handle::route_list_consistent`]
    /// gives an exact table.
    ///
    /// # Errors
    /// [`Error::NotFound`] when `filter` names a link that does not exist;
    /// [`Error::DumpInterrupted`] when every retry was interrupted.
    #[doc(alias = "RTM_GETROUTE")]
    pub fn route_list(&self, filter: &RouteFilter) -> Result<Vec<Route>> {
        let oif = self.filter_link_index(filter.oif.as_ref())?;
        self.route_list_at(filter, oif, self.dump_retries())
    }

    /// [`Handle::route_list`] with the filter's link already resolved to `oif`, dumping
    /// again at most `retries` times after an interrupted dump.
    fn route_list_at(
        &self,
        filter: &RouteFilter,
        oif: Option<u32>,
        retries: usize,
    ) -> Result<Vec<Route>> {
        let req = filter.to_message(oif)?;
        // Filtered as the records arrive, so routes the filter drops are never kept.
        let parse = |p: &[u8]| Ok(parse_route(p)?.filter(|r| filter.matches(r, oif)));
        match self.dump_retry(retries, RTM_GETROUTE, &req, parse) {
            Err(e) if filter.table.is_some() && e.errno() == Some(libc::ENOENT) => Ok(Vec::new()),
            r => Ok(r?.into_iter().flatten().collect()),
        }
    }

    /// Like [`Handle::route_list`], one route at a time as the dump arrives: the table is
    /// never held whole (for 100,000 routes, one datagram of about 32 KiB at a time), and the
    /// dump is not repeated, so a dump the kernel flags ends with [`Error::DumpInterrupted`]
    /// (route dumps are not flagged when a change tears them, see the [module docs](self)).
    /// The iterator holds one of the handle's sockets until it is dropped (other calls
    /// meanwhile run on other sockets).
    ///
    /// ```no_run
    /// use netplumb::Handle;
    /// use netplumb::route::RouteFilter;
    /// let h = Handle::new()?;
    /// let n = h.route_iter(&RouteFilter::all_tables())?.filter(|r| r.is_ok()).count();
    /// println!("{n} routes");
    /// # Ok::<(), netplumb::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Handle::route_list`] for the request; each item may be a decode error, or
    /// [`Error::DumpInterrupted`] last.
    #[doc(alias = "RTM_GETROUTE")]
    pub fn route_iter<'h>(
        &'h self,
        filter: &RouteFilter,
    ) -> Result<impl Iterator<Item = Result<Route>> + use<'h>> {
        let oif = self.filter_link_index(filter.oif.as_ref())?;
        let req = filter.to_message(oif)?;
        let filter = filter.clone();
        Ok(self
            .dump_map(RTM_GETROUTE, &req, parse_route)?
            .filter_map(move |r| match r {
                Ok(Some(route)) => filter.matches(&route, oif).then_some(Ok(route)),
                Ok(None) => None,
                Err(e) if filter.table.is_some() && e.errno() == Some(libc::ENOENT) => None,
                Err(e) => Some(Err(e)),
            }))
    }

    /// The routes `filter` selects, as an exact table even while the table changes: dumps
    /// (as [`Handle::route_list`]) until two dumps in a row ran while nothing announced a
    /// change and give the same routes, at most `max_dumps` dumps (at least 2), and returns
    /// the last one.
    ///
    /// This is for IPv6, whose dumps a concurrent change tears without a flag (see the
    /// [module docs](self)); it works for IPv4 too. How it knows that nothing changed:
    ///
    /// 1. **Before the first dump** it opens a socket of its own in the handle's namespace
    ///    and subscribes it to the groups that announce a change of the routes: the route
    ///    group of the filter's family (`RTNLGRP_IPV4_ROUTE`, `RTNLGRP_IPV6_ROUTE`, both
    ///    without a family), `RTNLGRP_LINK`, the address group of the family
    ///    (`RTNLGRP_IPV4_IFADDR`, `RTNLGRP_IPV6_IFADDR`) and `RTNLGRP_NEXTHOP` (where the
    ///    kernel has it). Routes that come and go through the route API are announced on
    ///    the route group; for IPv6 the announcement is queued inside the same
    ///    `tb6_lock` section as the change (`fib6_add_rt2node`, `fib6_del_route` call
    ///    `inet6_rt_notify`), so it is on the socket before the dump can see the change.
    ///    Other changes are silent and announced only by what caused them: IPv4 routes
    ///    flushed when their link goes down or away or loses its address (`fib_disable_ip`,
    ///    `fib_sync_down_addr` and `fib_flush` send no `RTM_DELROUTE`), IPv6 routes removed
    ///    when a link goes down with `net.ipv6.route.skip_notify_on_dev_down` set
    ///    (`rt6_sync_down_dev` uses `fib6_clean_all_skip_notify`), routes of a nexthop
    ///    object removed while `net.ipv4.nexthop_compat_mode` is off (`__remove_nexthop_fib`
    ///    passes `skip_notify` to `ip6_del_rt`), and IPv6 preferred sources dropped with an
    ///    address (`rt6_remove_prefsrc`). Their causes are announced first: `dev_close_many`
    ///    sends the link's `RTM_NEWLINK` before the `NETDEV_DOWN` notifiers run,
    ///    `__inet_del_ifa` sends `RTM_DELADDR` before its `NETDEV_DOWN`, `remove_nexthop`
    ///    sends `RTM_DELNEXTHOP` before removing the routes, and `__ipv6_ifa_notify` the
    ///    address event before the preferred sources go. Hence the link, address and
    ///    nexthop groups (a link going away is the exception: see 3).
    /// 2. **Around every dump** it reads that socket without waiting (`MSG_PEEK |
    ///    MSG_DONTWAIT`), discarding what it finds. A dump is *quiet* when, once its
    ///    `NLMSG_DONE` has been read, nothing was queued: no event and no overrun. An
    ///    overrun (`ENOBUFS`) means events were lost, so the dump is not quiet; and reading
    ///    the queue empty before the next dump matters, because until then the kernel keeps
    ///    the socket "congested" and drops new events without a report (`netlink_overrun`,
    ///    `netlink_rcv_wake`). A dump the kernel flags (`NLM_F_DUMP_INTR`) is not quiet
    ///    either.
    /// 3. **Two quiet dumps in a row that agree** are needed, not one: a few changes are
    ///    announced only after the change is visible, so a dump can be torn and still
    ///    quiet. When a link is deleted its routes go in the `NETDEV_UNREGISTER` notifiers
    ///    and its `RTM_DELLINK` is sent after them (`unregister_netdevice_many_notify`);
    ///    `RTM_DELADDR` follows the routes in `addrconf_ifdown`; a multipath IPv6 route is
    ///    announced once, after all its next hops went in or out (`ip6_route_multipath_add`,
    ///    `__ip6_del_rt_siblings`); an added IPv4 route is announced after readers can see
    ///    it (`fib_table_insert`). Each such announcement comes a moment after its change,
    ///    on the same thread. The second dump is sent after the first was judged, and
    ///    anything arriving from then on makes it not quiet; so if it is quiet, a late
    ///    announcement of a change that tore the first was held back for the whole of the
    ///    second, which ran after that change and shows the table as it then was, and the
    ///    first, to agree with it, shows the same. Both are wrong only if two such late
    ///    announcements were each held back for a whole dump and tore the two the same way.
    /// 4. **No route twice.** The IPv6 walk also restarts when the serial number changes
    ///    without any route changing (`fib6_update_sernum` on the node of the default
    ///    route, which is the tree's root, when `rt6_insert_exception` caches a path MTU
    ///    for it), with no event at all. With nothing added or removed, the only damage is
    ///    the node that was being sent when the datagram filled: it is sent again from its
    ///    first route. A dump
    ///    holding the same route twice (same table, prefixes and every lasting field) is
    ///    therefore never accepted; the kernel refuses such duplicates in a real table.
    ///
    /// Routes are compared as the kernel sent them, without `RTA_CACHEINFO` and
    /// `RTA_EXPIRES` (use counters and remaining lifetimes differ between any two dumps). A
    /// table that never stays still for two dumps is an error rather than a guess. Costs at
    /// least two dumps and a socket (plus, from a thread outside the handle's namespace, a
    /// short-lived thread to open it there); the link of `filter` is looked up once.
    ///
    /// ```no_run
    /// use netplumb::Handle;
    /// use netplumb::route::RouteFilter;
    /// let h = Handle::new()?;
    /// let routes = h.route_list_consistent(&RouteFilter::new().ipv6(), 10)?;
    /// println!("{} IPv6 routes", routes.len());
    /// # Ok::<(), netplumb::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Handle::route_list`]; [`Error::DumpInterrupted`] when no two quiet dumps in a
    /// row agreed within `max_dumps`; for a handle made with [`Handle::from_socket`], an
    /// [`Error::Io`] with `EOPNOTSUPP` ([`Error::is_not_supported`]): it cannot open the
    /// watching socket in the right namespace.
    #[doc(alias("RTM_GETROUTE", "RTNLGRP_IPV6_ROUTE"))]
    pub fn route_list_consistent(
        &self,
        filter: &RouteFilter,
        max_dumps: usize,
    ) -> Result<Vec<Route>> {
        let oif = self.filter_link_index(filter.oif.as_ref())?;
        let mut watch = TableWatch::open(self, filter.family)?;
        let mut last_quiet: Option<Vec<Route>> = None;
        for _ in 0..max_dumps.max(2) {
            let dumped = match self.route_list_at(filter, oif, 0) {
                Err(Error::DumpInterrupted) => None,
                r => Some(r?),
            };
            // Read after NLMSG_DONE, and always: it also empties the queue for the next dump.
            let quiet = watch.nothing_since_last()?;
            match dumped.filter(|routes| quiet && !has_repeats(routes)) {
                Some(routes) => {
                    if last_quiet
                        .as_ref()
                        .is_some_and(|prev| same_routes(prev, &routes))
                    {
                        return Ok(routes);
                    }
                    last_quiet = Some(routes);
                }
                None => last_quiet = None,
            }
        }
        Err(Error::DumpInterrupted)
    }

    /// Asks the kernel which route a packet to `dst` takes: `RTM_GETROUTE` (a get, not a
    /// dump; for IPv4 with `RTM_F_LOOKUP_TABLE`); like `ip route get DST [from ...] [iif ...] [oif
    /// ...] [mark ...] [fibmatch]`.
    ///
    /// # Errors
    /// [`Error::NotFound`] for a link name that does not exist; [`Error::Kernel`], e.g.
    /// `ENETUNREACH` when no route matches.
    #[doc(alias = "RTM_GETROUTE")]
    pub fn route_get(&self, dst: IpAddr, opts: &RouteGetOpts) -> Result<Route> {
        let req = opts.request(dst, &mut |l| self.resolve_link(l))?;
        let msg = self.get_map(RTM_GETROUTE, NlmsgFlags::empty(), &req, |m| {
            Ok(RouteMessage::parse(m.payload())?)
        })?;
        Route::from_message(msg)
    }

    /// Deletes every route `filter` selects and returns how many were deleted: dumps
    /// (as [`Handle::route_list`]), then sends one `RTM_DELROUTE` per route
    /// ([`Route::delete_message`]) in a batch, and repeats until none is left; like
    /// `ip route flush`. Routes that vanish on their own meanwhile (the kernel removes
    /// routes that depend on a deleted one) are not errors.
    ///
    /// # Errors
    /// As [`Handle::route_list`]; [`Error::Kernel`] for a delete the kernel refused;
    /// [`Error::Protocol`] when routes remain that the kernel does not find to delete.
    #[doc(alias("RTM_GETROUTE", "RTM_DELROUTE"))]
    pub fn route_flush(&self, filter: &RouteFilter) -> Result<usize> {
        self.flush_rounds(
            FlushPolicy::Selected { noun: "route" },
            |_| {
                let routes = self.route_list(filter)?.into_iter();
                Ok(routes.filter(|r| !r.is_ipv6_null_entry()).collect())
            },
            |r: &Route, b| b.push(RTM_DELROUTE, NlmsgFlags::empty(), &r.delete_message()),
        )
    }
}

#[cfg(test)]
mod tests;
