//! [`RouteSpec`]: what `ip route add|replace|change|append|prepend|del` is given, checked
//! and turned into an `RTM_NEWROUTE` / `RTM_DELROUTE` payload.

use super::owned_link;
use crate::link::LinkRef;
use crate::wire::NlmsgFlags;
use crate::wire::nlmsg::{RTM_DELROUTE, RTM_NEWROUTE};
use crate::wire::route::{
    NextHop, NextHopFlags, RT_TABLE_LOCAL, RT_TABLE_MAIN, RT_TABLE_UNSPEC, RTAX_CC_ALGO, RTAX_MTU,
    RouteAttr, RouteFlags, RouteHeader, RouteMessage, RouteMetric, RoutePref, RouteProtocol,
    RouteScope, RouteType, RouteVia,
};
use crate::{Error, IpNet, Result};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

/// `TCP_CA_NAME_MAX`: a congestion control name is shorter than this.
const TCP_CA_NAME_MAX: usize = 16;

/// Which `ip route` verb a [`RouteSpec`] is sent as: the message type and the
/// `NLM_F_*` flags, as iproute2's `ip/iproute.c` maps them.
///
/// ```
/// use netplumb::route::RouteOp;
/// use netplumb::wire::NlmsgFlags;
/// assert_eq!(RouteOp::Add.flags(), NlmsgFlags::CREATE | NlmsgFlags::EXCL);
/// assert_eq!(RouteOp::Del.msg_type(), netplumb::wire::nlmsg::RTM_DELROUTE);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RouteOp {
    /// `RTM_NEWROUTE` with `NLM_F_CREATE|NLM_F_EXCL`: `ip route add`.
    Add,
    /// `RTM_NEWROUTE` with `NLM_F_CREATE|NLM_F_REPLACE`: `ip route replace`.
    Replace,
    /// `RTM_NEWROUTE` with `NLM_F_REPLACE`: `ip route change`.
    Change,
    /// `RTM_NEWROUTE` with `NLM_F_CREATE|NLM_F_APPEND`: `ip route append`.
    Append,
    /// `RTM_NEWROUTE` with `NLM_F_CREATE`: `ip route prepend`.
    Prepend,
    /// `RTM_DELROUTE`: `ip route del`.
    Del,
}

impl RouteOp {
    /// `RTM_NEWROUTE` or `RTM_DELROUTE`.
    pub fn msg_type(self) -> u16 {
        match self {
            RouteOp::Del => RTM_DELROUTE,
            _ => RTM_NEWROUTE,
        }
    }

    /// The request flags besides `NLM_F_REQUEST|NLM_F_ACK`.
    pub fn flags(self) -> NlmsgFlags {
        match self {
            RouteOp::Add => NlmsgFlags::CREATE | NlmsgFlags::EXCL,
            RouteOp::Replace => NlmsgFlags::CREATE | NlmsgFlags::REPLACE,
            RouteOp::Change => NlmsgFlags::REPLACE,
            RouteOp::Append => NlmsgFlags::CREATE | NlmsgFlags::APPEND,
            RouteOp::Prepend => NlmsgFlags::CREATE,
            RouteOp::Del => NlmsgFlags::empty(),
        }
    }
}

/// One next hop of a multipath route: `nexthop via GW dev DEV weight W onlink` in
/// `ip route`. It needs a gateway, a device or both.
///
/// ```
/// use netplumb::route::NextHopSpec;
/// let nh = NextHopSpec::via("198.18.0.2".parse().unwrap()).dev("veth0").weight(3);
/// assert_eq!(nh.weight, 3);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextHopSpec {
    /// The gateway (`RTA_GATEWAY` in the next hop; an IPv6 gateway of an IPv4 route goes
    /// in `RTA_VIA`).
    pub gateway: Option<IpAddr>,
    /// The output device (`rtnh_ifindex`).
    pub dev: Option<LinkRef<'static>>,
    /// The weight, 1 to 256 (`rtnh_hops` is the weight minus one).
    pub weight: u16,
    /// `RTNH_F_ONLINK`: the gateway is on the link even if no prefix says so.
    pub onlink: bool,
}

impl Default for NextHopSpec {
    fn default() -> Self {
        NextHopSpec {
            gateway: None,
            dev: None,
            weight: 1,
            onlink: false,
        }
    }
}

impl NextHopSpec {
    /// A next hop through `gateway`, weight 1.
    pub fn via(gateway: IpAddr) -> Self {
        NextHopSpec {
            gateway: Some(gateway),
            ..Default::default()
        }
    }

    /// A next hop straight out of `dev` (no gateway), weight 1.
    pub fn on<'a>(dev: impl Into<LinkRef<'a>>) -> Self {
        NextHopSpec {
            dev: Some(owned_link(dev.into())),
            ..Default::default()
        }
    }

    /// Sets the output device.
    #[must_use]
    pub fn dev<'a>(mut self, dev: impl Into<LinkRef<'a>>) -> Self {
        self.dev = Some(owned_link(dev.into()));
        self
    }

    /// Sets the weight (1 to 256; anything else is refused when the request is built).
    #[must_use]
    pub fn weight(mut self, weight: u16) -> Self {
        self.weight = weight;
        self
    }

    /// Sets `RTNH_F_ONLINK`.
    #[must_use]
    pub fn onlink(mut self) -> Self {
        self.onlink = true;
        self
    }
}

/// A route to add, replace, change, append, prepend or delete: the arguments of
/// `ip route add|del ...`, as a builder with one setter per `ip` keyword.
///
/// Unset fields take the values `ip` gives them. When adding: table main (local for
/// `local`, `broadcast`, `anycast` and `nat` routes), protocol `boot`, type `unicast`, and
/// for IPv4 the scope `ip` picks: `host` for local routes, `link` for unicast routes
/// without gateway (device routes) and for broadcast/anycast/multicast, `universe` for the
/// rest; IPv6 routes always have scope `universe`. When deleting, unset fields match any
/// route (protocol 0, scope `nowhere`, type 0), like `ip route del`.
///
/// Everything is checked when the message is built ([`RouteSpec::to_message`],
/// [`crate::Handle::route_add`], ...), before anything is sent: families that do not fit
/// together (an IPv4 gateway for an IPv6 route; an IPv6 gateway of an IPv4 route becomes
/// `RTA_VIA`, as `ip route add ... via inet6 GW` sends), next-hop weights outside 1..=256,
/// `pref` or `expires` on an IPv4 route, a gateway or device next to multipath next hops,
/// congestion-control names the kernel cannot hold. Host bits in the destination are left
/// for the kernel to judge, as `ip` does: IPv4 refuses them with "Invalid prefix for given
/// prefix length", IPv6 clears them.
///
/// ```no_run
/// use netplumb::{Handle, route::{NextHopSpec, RouteSpec}};
/// let h = Handle::new()?;
/// // ip route add 198.18.5.0/24 via 198.18.0.254 dev veth0 metric 50 mtu lock 1400
/// h.route_add(
///     &RouteSpec::new("198.18.5.0/24".parse()?)
///         .via("198.18.0.254".parse()?)
///         .dev("veth0")
///         .metric(50)
///         .mtu_lock(1400),
/// )?;
/// // ip route add default nexthop via 198.18.0.2 weight 1 nexthop via 198.18.0.3 weight 3
/// h.route_add(
///     &RouteSpec::default_v4()
///         .nexthop(NextHopSpec::via("198.18.0.2".parse()?))
///         .nexthop(NextHopSpec::via("198.18.0.3".parse()?).weight(3)),
/// )?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpec {
    /// The destination prefix (`RTA_DST` and `rtm_dst_len`); a /0 is a default route.
    pub destination: IpNet,
    /// The source prefix (`from` in `ip -6 route`: `RTA_SRC` and `rtm_src_len`; IPv6
    /// source-specific routes).
    pub source: Option<IpNet>,
    /// The gateway (`via`).
    pub gateway: Option<IpAddr>,
    /// The output device (`dev`, sent as `RTA_OIF`).
    pub dev: Option<LinkRef<'static>>,
    /// The preferred source address (`src`, `RTA_PREFSRC`).
    pub prefsrc: Option<IpAddr>,
    /// The route's metric (`metric`, `RTA_PRIORITY`).
    pub metric: Option<u32>,
    /// The table id (`table`); any u32.
    pub table: Option<u32>,
    /// `proto`.
    pub protocol: Option<RouteProtocol>,
    /// `scope`.
    pub scope: Option<RouteScope>,
    /// The route type (`unicast`, `local`, `blackhole`, ...).
    pub kind: Option<RouteType>,
    /// `tos` (`rtm_tos`; IPv4 only, the kernel refuses it for IPv6).
    pub tos: u8,
    /// `onlink`: `RTNH_F_ONLINK` in `rtm_flags`.
    pub onlink: bool,
    /// Metrics for `RTA_METRICS` (`mtu`, `advmss`, `congctl`, ...), in the kernel's units.
    pub metrics: Vec<RouteMetric>,
    /// `RTAX_LOCK`: bit `1 << RTAX_x` for each locked metric (`mtu lock ...`).
    pub locks: u32,
    /// Multipath next hops (`nexthop ...`), sent as `RTA_MULTIPATH`.
    pub nexthops: Vec<NextHopSpec>,
    /// IPv6 router preference (`pref low|medium|high`, `RTA_PREF`).
    pub pref: Option<RoutePref>,
    /// IPv6 route lifetime in seconds (`expires`, `RTA_EXPIRES`).
    pub expires: Option<u32>,
}

impl RouteSpec {
    /// A route to `destination`, everything else unset.
    pub fn new(destination: IpNet) -> Self {
        RouteSpec {
            destination,
            source: None,
            gateway: None,
            dev: None,
            prefsrc: None,
            metric: None,
            table: None,
            protocol: None,
            scope: None,
            kind: None,
            tos: 0,
            onlink: false,
            metrics: Vec::new(),
            locks: 0,
            nexthops: Vec::new(),
            pref: None,
            expires: None,
        }
    }

    /// The IPv4 default route, `0.0.0.0/0` (`ip route add default ...`).
    pub fn default_v4() -> Self {
        RouteSpec::new(default_net(IpAddr::V4(Ipv4Addr::UNSPECIFIED)))
    }

    /// The IPv6 default route, `::/0` (`ip -6 route add default ...`).
    pub fn default_v6() -> Self {
        RouteSpec::new(default_net(IpAddr::V6(Ipv6Addr::UNSPECIFIED)))
    }

    /// Sets the gateway (`via GW`).
    #[must_use]
    pub fn via(mut self, gateway: IpAddr) -> Self {
        self.gateway = Some(gateway);
        self
    }

    /// Sets the output device (`dev DEV`).
    #[must_use]
    pub fn dev<'a>(mut self, dev: impl Into<LinkRef<'a>>) -> Self {
        self.dev = Some(owned_link(dev.into()));
        self
    }

    /// Sets the source prefix (`from PREFIX`, IPv6).
    #[must_use]
    pub fn from(mut self, source: IpNet) -> Self {
        self.source = Some(source);
        self
    }

    /// Sets the preferred source address (`src ADDR`).
    #[must_use]
    pub fn src(mut self, prefsrc: IpAddr) -> Self {
        self.prefsrc = Some(prefsrc);
        self
    }

    /// Sets the route's metric (`metric N`).
    #[must_use]
    pub fn metric(mut self, metric: u32) -> Self {
        self.metric = Some(metric);
        self
    }

    /// Sets the table (`table ID`).
    #[must_use]
    pub fn table(mut self, id: u32) -> Self {
        self.table = Some(id);
        self
    }

    /// Sets the protocol (`proto P`).
    #[must_use]
    pub fn protocol(mut self, protocol: RouteProtocol) -> Self {
        self.protocol = Some(protocol);
        self
    }

    /// Sets the scope (`scope S`).
    #[must_use]
    pub fn scope(mut self, scope: RouteScope) -> Self {
        self.scope = Some(scope);
        self
    }

    /// Sets the route type (`ip route add blackhole ...`).
    #[must_use]
    pub fn kind(mut self, kind: RouteType) -> Self {
        self.kind = Some(kind);
        self
    }

    /// Sets the TOS (`tos T`).
    #[must_use]
    pub fn tos(mut self, tos: u8) -> Self {
        self.tos = tos;
        self
    }

    /// Sets `onlink`.
    #[must_use]
    pub fn onlink(mut self) -> Self {
        self.onlink = true;
        self
    }

    /// Adds a multipath next hop (`nexthop ...`).
    #[must_use]
    pub fn nexthop(mut self, nexthop: NextHopSpec) -> Self {
        self.nexthops.push(nexthop);
        self
    }

    /// Sets the IPv6 router preference (`pref P`).
    #[must_use]
    pub fn pref(mut self, pref: RoutePref) -> Self {
        self.pref = Some(pref);
        self
    }

    /// Sets the IPv6 lifetime in seconds (`expires N`).
    #[must_use]
    pub fn expires(mut self, seconds: u32) -> Self {
        self.expires = Some(seconds);
        self
    }

    /// Sets a metric (`RTAX_*`), replacing an earlier one of the same type.
    #[must_use]
    pub fn rtax(mut self, metric: RouteMetric) -> Self {
        let kind = metric.kind();
        self.metrics.retain(|m| m.kind() != kind);
        self.metrics.push(metric);
        self
    }

    /// Locks metric `rtax` (an `RTAX_*` type; `ip route ... mtu lock 1400` locks
    /// `RTAX_MTU`). Types from 32 up cannot be locked and are ignored.
    #[must_use]
    pub fn lock(mut self, rtax: u16) -> Self {
        self.locks |= 1u32.checked_shl(u32::from(rtax)).unwrap_or(0);
        self
    }

    /// `mtu N` (`RTAX_MTU`).
    #[must_use]
    pub fn mtu(self, mtu: u32) -> Self {
        self.rtax(RouteMetric::Mtu(mtu))
    }

    /// `mtu lock N`: the MTU, locked against path MTU discovery.
    #[must_use]
    pub fn mtu_lock(self, mtu: u32) -> Self {
        self.mtu(mtu).lock(RTAX_MTU)
    }

    /// `advmss N` (`RTAX_ADVMSS`).
    #[must_use]
    pub fn advmss(self, mss: u32) -> Self {
        self.rtax(RouteMetric::AdvMss(mss))
    }

    /// `window N` (`RTAX_WINDOW`).
    #[must_use]
    pub fn window(self, window: u32) -> Self {
        self.rtax(RouteMetric::Window(window))
    }

    /// `rtt T`: sent, like `ip`, as `RTAX_RTT` in 1/8 ms (whole milliseconds times 8).
    #[must_use]
    pub fn rtt(self, rtt: Duration) -> Self {
        self.rtax(RouteMetric::Rtt(millis(rtt).saturating_mul(8)))
    }

    /// `rttvar T`: sent, like `ip`, as `RTAX_RTTVAR` in 1/4 ms (whole milliseconds
    /// times 4).
    #[must_use]
    pub fn rttvar(self, rttvar: Duration) -> Self {
        self.rtax(RouteMetric::RttVar(millis(rttvar).saturating_mul(4)))
    }

    /// `hoplimit N` (`RTAX_HOPLIMIT`).
    #[must_use]
    pub fn hoplimit(self, hops: u32) -> Self {
        self.rtax(RouteMetric::HopLimit(hops))
    }

    /// `initcwnd N` (`RTAX_INITCWND`).
    #[must_use]
    pub fn initcwnd(self, segments: u32) -> Self {
        self.rtax(RouteMetric::InitCwnd(segments))
    }

    /// `initrwnd N` (`RTAX_INITRWND`).
    #[must_use]
    pub fn initrwnd(self, segments: u32) -> Self {
        self.rtax(RouteMetric::InitRwnd(segments))
    }

    /// `reordering N` (`RTAX_REORDERING`).
    #[must_use]
    pub fn reordering(self, n: u32) -> Self {
        self.rtax(RouteMetric::Reordering(n))
    }

    /// `congctl NAME` (`RTAX_CC_ALGO`).
    #[must_use]
    pub fn congctl(self, name: &str) -> Self {
        self.rtax(RouteMetric::CcAlgo(name.to_string()))
    }

    /// The family, `AF_INET` or `AF_INET6`, of the destination.
    pub fn family(&self) -> u8 {
        self.destination.family()
    }

    /// The request of this route sent as `op` ([`RouteOp::msg_type`], [`RouteOp::flags`]
    /// and [`RouteSpec::to_message`]): the batch path. Devices must be given by index here
    /// (a name needs a lookup: use [`crate::Handle::route_request`]); anything else invalid
    /// is refused as in [`RouteSpec::to_message`].
    ///
    /// ```
    /// use netplumb::{Batch, route::{RouteOp, RouteSpec}};
    /// let mut batch = Batch::new();
    /// for i in 0..4u8 {
    ///     let spec = RouteSpec::new(format!("198.19.{i}.0/24").parse()?).dev(2u32);
    ///     spec.request(RouteOp::Add)?.push_to(&mut batch)?;
    /// }
    /// assert_eq!(batch.len(), 4);
    /// # Ok::<(), netplumb::Error>(())
    /// ```
    pub fn request(&self, op: RouteOp) -> Result<super::RouteRequest> {
        Ok(crate::socket::Request::new(
            op.msg_type(),
            op.flags(),
            self.to_message(op)?,
        ))
    }

    /// The `RTM_NEWROUTE`/`RTM_DELROUTE` payload for `op`, after checking the spec. Devices
    /// must be given by index: a device name is refused (resolve it with
    /// [`crate::Handle::link_index`], or use [`crate::Handle::route_request`]).
    pub fn to_message(&self, op: RouteOp) -> Result<RouteMessage> {
        self.build(op, &mut |l| match l {
            LinkRef::Index(i) => crate::link::index_i32(*i).map(|_| *i),
            LinkRef::Name(n) => Err(Error::invalid(
                "device",
                format!("{n:?} must be given by index here (resolve it with Handle::link_index)"),
            )),
        })
    }

    /// Checks everything that can be checked without the kernel.
    pub fn validate(&self) -> Result<()> {
        let v4 = self.destination.is_ipv4();
        let fam = |what: &'static str, a: IpAddr| {
            if a.is_ipv4() == v4 {
                Ok(())
            } else {
                Err(Error::invalid(
                    what,
                    format!("{a} is not of the family of {}", self.destination),
                ))
            }
        };
        if let Some(s) = self.source {
            fam("source prefix", s.addr())?;
        }
        if let Some(p) = self.prefsrc {
            fam("preferred source", p)?;
        }
        if let Some(gw) = self.gateway
            && !v4
        {
            fam("gateway", gw)?;
        }
        if !self.nexthops.is_empty() && (self.gateway.is_some() || self.dev.is_some()) {
            return Err(Error::invalid(
                "route",
                "a gateway or device next to multipath next hops: give them in the next hops",
            ));
        }
        // Device names are checked here, not when they are looked up: a bad second name
        // must not be found after the first was sent for.
        if let Some(d) = &self.dev {
            d.validate()?;
        }
        for nh in &self.nexthops {
            if let Some(d) = &nh.dev {
                d.validate()?;
            }
            if !(1..=256).contains(&nh.weight) {
                return Err(Error::invalid(
                    "next-hop weight",
                    format!("{} is outside 1..=256", nh.weight),
                ));
            }
            match nh.gateway {
                Some(gw) if !v4 => fam("next-hop gateway", gw)?,
                Some(_) => {}
                None if nh.dev.is_none() => {
                    return Err(Error::invalid("next hop", "needs a gateway or a device"));
                }
                None => {}
            }
        }
        if v4 && self.pref.is_some() {
            return Err(Error::invalid("pref", "router preference is IPv6 only"));
        }
        if v4 && self.expires.is_some() {
            return Err(Error::invalid("expires", "route lifetimes are IPv6 only"));
        }
        for m in &self.metrics {
            if let RouteMetric::CcAlgo(name) = m
                && (name.is_empty() || name.len() >= TCP_CA_NAME_MAX || name.contains('\0'))
            {
                return Err(Error::invalid(
                    "congestion control",
                    format!("{name:?}: 1 to 15 bytes without NUL"),
                ));
            }
            if let RouteMetric::Unknown(u) = m
                && u.kind == RTAX_CC_ALGO
            {
                return Err(Error::invalid(
                    "metric",
                    "RTAX_CC_ALGO must be given as RouteMetric::CcAlgo",
                ));
            }
        }
        Ok(())
    }

    /// Builds the payload, resolving devices with `resolve`.
    pub(crate) fn build(
        &self,
        op: RouteOp,
        resolve: &mut dyn FnMut(&LinkRef<'static>) -> Result<u32>,
    ) -> Result<RouteMessage> {
        self.validate()?;
        let del = op == RouteOp::Del;
        let v4 = self.destination.is_ipv4();
        let kind = self.kind.unwrap_or(if del {
            RouteType::UNSPEC
        } else {
            RouteType::UNICAST
        });
        let table = self.table.unwrap_or(match kind {
            RouteType::LOCAL | RouteType::BROADCAST | RouteType::ANYCAST | RouteType::NAT => {
                RT_TABLE_LOCAL
            }
            _ => RT_TABLE_MAIN,
        });
        let scope = self.scope.unwrap_or_else(|| self.default_scope(del, kind));
        let protocol = self.protocol.unwrap_or(if del {
            RouteProtocol::UNSPEC
        } else {
            RouteProtocol::BOOT
        });
        let (table_byte, big_table) = match u8::try_from(table) {
            Ok(t) => (t, false),
            Err(_) => (RT_TABLE_UNSPEC as u8, true),
        };
        let header = RouteHeader {
            family: self.family(),
            dst_len: self.destination.prefix_len(),
            src_len: self.source.map_or(0, |s| s.prefix_len()),
            tos: self.tos,
            table: table_byte,
            protocol,
            scope,
            kind,
            flags: if self.onlink {
                RouteFlags::ONLINK
            } else {
                RouteFlags::empty()
            },
        };

        let metrics = !self.metrics.is_empty() || self.locks != 0;
        let count = usize::from(self.destination.prefix_len() > 0)
            + usize::from(self.source.is_some())
            + usize::from(self.gateway.is_some())
            + usize::from(self.dev.is_some())
            + usize::from(self.prefsrc.is_some())
            + usize::from(self.metric.is_some())
            + usize::from(big_table)
            + usize::from(metrics)
            + usize::from(!self.nexthops.is_empty())
            + usize::from(self.pref.is_some())
            + usize::from(self.expires.is_some());
        let mut attrs = Vec::with_capacity(count);
        // As `ip`: no RTA_DST for a default route.
        if self.destination.prefix_len() > 0 {
            attrs.push(RouteAttr::Destination(self.destination.addr()));
        }
        if let Some(s) = self.source {
            attrs.push(RouteAttr::Source(s.addr()));
        }
        if let Some(gw) = self.gateway {
            attrs.push(gateway_attr(v4, gw));
        }
        if let Some(dev) = &self.dev {
            attrs.push(RouteAttr::Oif(resolve(dev)?));
        }
        if let Some(p) = self.prefsrc {
            attrs.push(RouteAttr::PrefSource(p));
        }
        if let Some(m) = self.metric {
            attrs.push(RouteAttr::Priority(m));
        }
        if big_table {
            attrs.push(RouteAttr::Table(table));
        }
        if metrics {
            let mut m = Vec::with_capacity(self.metrics.len() + usize::from(self.locks != 0));
            m.extend(self.metrics.iter().cloned());
            if self.locks != 0 {
                m.push(RouteMetric::Lock(self.locks));
            }
            attrs.push(RouteAttr::Metrics(m));
        }
        if !self.nexthops.is_empty() {
            let hops = self
                .nexthops
                .iter()
                .map(|nh| {
                    Ok(NextHop {
                        flags: if nh.onlink {
                            NextHopFlags::ONLINK
                        } else {
                            NextHopFlags::empty()
                        },
                        // validate() has checked 1..=256.
                        hops: u8::try_from(nh.weight.saturating_sub(1)).unwrap_or(u8::MAX),
                        ifindex: match &nh.dev {
                            Some(d) => resolve(d)?,
                            None => 0,
                        },
                        attrs: nh
                            .gateway
                            .map(|gw| gateway_attr(v4, gw))
                            .into_iter()
                            .collect(),
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            attrs.push(RouteAttr::Multipath(hops));
        }
        if let Some(p) = self.pref {
            attrs.push(RouteAttr::Pref(p));
        }
        if let Some(e) = self.expires {
            attrs.push(RouteAttr::Expires(e));
        }
        Ok(RouteMessage { header, attrs })
    }

    /// The scope `ip route` sends when none is given (`ip/iproute.c`).
    fn default_scope(&self, del: bool, kind: RouteType) -> RouteScope {
        if del {
            return RouteScope::NOWHERE;
        }
        if !self.destination.is_ipv4() {
            return RouteScope::UNIVERSE;
        }
        match kind {
            RouteType::LOCAL | RouteType::NAT => RouteScope::HOST,
            RouteType::BROADCAST | RouteType::MULTICAST | RouteType::ANYCAST => RouteScope::LINK,
            RouteType::UNICAST | RouteType::UNSPEC
                if self.gateway.is_none() && self.nexthops.is_empty() =>
            {
                RouteScope::LINK
            }
            _ => RouteScope::UNIVERSE,
        }
    }
}

/// `RTA_GATEWAY`, or `RTA_VIA` for an IPv6 gateway of an IPv4 route.
fn gateway_attr(v4_route: bool, gw: IpAddr) -> RouteAttr {
    match gw {
        IpAddr::V6(a) if v4_route => RouteAttr::Via(RouteVia::Inet6(a)),
        _ => RouteAttr::Gateway(gw),
    }
}

fn millis(d: Duration) -> u32 {
    u32::try_from(d.as_millis()).unwrap_or(u32::MAX)
}

/// `0.0.0.0/0` or `::/0`.
fn default_net(unspecified: IpAddr) -> IpNet {
    // A /0 is valid for both families: the fallback is never taken.
    IpNet::new(unspecified, 0).unwrap_or(IpNet::host(unspecified))
}
