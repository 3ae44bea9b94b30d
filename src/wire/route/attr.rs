//! `RTA_*` attributes of a route message.

use super::metrics::RouteMetric;
use super::nexthop::{NextHop, NextHopIter};
use super::*;
use crate::wire::attr::{Attr, NLA_F_NESTED};
use crate::wire::builder::attr_size;
use crate::wire::{read_array, u32_words, words_to_bytes};

/// One attribute of a route message.
///
/// Values are typed where the uapi fixes their form; a known attribute whose value has the
/// wrong size is a [`DecodeError::BadAttr`] naming it. Attributes the codec does not know,
/// and known ones carrying `NLA_F_NESTED`/`NLA_F_NET_BYTEORDER` where a typed value could
/// not record it, are [`RouteAttr::Unknown`] and re-encode identically.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteAttr {
    /// `RTA_DST`: destination prefix address.
    Destination(IpAddr),
    /// `RTA_SRC`: source prefix address.
    Source(IpAddr),
    /// `RTA_IIF`: input interface index.
    Iif(u32),
    /// `RTA_OIF`: output interface index.
    Oif(u32),
    /// `RTA_GATEWAY`: next-hop address.
    Gateway(IpAddr),
    /// `RTA_PRIORITY`: the route's metric.
    Priority(u32),
    /// `RTA_PREFSRC`: preferred source address.
    PrefSource(IpAddr),
    /// `RTA_METRICS`: per-route TCP and path metrics.
    Metrics(Vec<RouteMetric>),
    /// `RTA_MULTIPATH`: the next hops of a multipath route. Inside a next hop an
    /// `RTA_MULTIPATH` is kept as [`RouteAttr::Unknown`] (the kernel never nests them).
    Multipath(Vec<NextHop>),
    /// `RTA_FLOW`: routing realms (`to << 16 | from`).
    Flow(u32),
    /// `RTA_CACHEINFO`.
    CacheInfo(RouteCacheInfo),
    /// `RTA_TABLE`: the full table id.
    Table(u32),
    /// `RTA_MARK`: firewall mark (route lookups).
    Mark(u32),
    /// `RTA_VIA`: next hop of another address family.
    Via(RouteVia),
    /// `RTA_NEWDST`: MPLS label stack, raw.
    NewDestination(Vec<u8>),
    /// `RTA_PREF`: IPv6 router preference.
    Pref(RoutePref),
    /// `RTA_ENCAP_TYPE`: `LWTUNNEL_ENCAP_*`.
    EncapType(u16),
    /// `RTA_ENCAP`: the tunnel parameters, raw (their form depends on `RTA_ENCAP_TYPE`).
    /// `nested` records whether the type carried `NLA_F_NESTED` (`ip` sets it, the kernel's
    /// dumps do not) so that the bytes come back unchanged.
    Encap {
        /// `NLA_F_NESTED` was set on the attribute type.
        nested: bool,
        /// The nest's contents (attributes), raw.
        value: Vec<u8>,
    },
    /// `RTA_EXPIRES` as a u32 (seconds; IPv6 requests).
    Expires(u32),
    /// `RTA_EXPIRES` as a u64 (clock ticks; multicast route dumps).
    Expires64(u64),
    /// `RTA_UID`: user id (route lookups).
    Uid(u32),
    /// `RTA_TTL_PROPAGATE`: MPLS TTL propagation.
    TtlPropagate(u8),
    /// `RTA_IP_PROTO`: IP protocol (route lookups).
    IpProto(u8),
    /// `RTA_SPORT`: source port, host order here, big endian on the wire.
    SourcePort(u16),
    /// `RTA_DPORT`: destination port, host order here, big endian on the wire.
    DestinationPort(u16),
    /// `RTA_NH_ID`: nexthop object id.
    NexthopId(u32),
    /// Any other attribute, flag bits and value kept.
    Unknown(UnknownAttr),
}

/// The uapi name of an `RTA_*` attribute type (flag bits ignored).
pub fn attr_name(kind: u16) -> Option<&'static str> {
    Some(match kind & crate::wire::attr::NLA_TYPE_MASK {
        RTA_UNSPEC => "RTA_UNSPEC",
        RTA_DST => "RTA_DST",
        RTA_SRC => "RTA_SRC",
        RTA_IIF => "RTA_IIF",
        RTA_OIF => "RTA_OIF",
        RTA_GATEWAY => "RTA_GATEWAY",
        RTA_PRIORITY => "RTA_PRIORITY",
        RTA_PREFSRC => "RTA_PREFSRC",
        RTA_METRICS => "RTA_METRICS",
        RTA_MULTIPATH => "RTA_MULTIPATH",
        RTA_PROTOINFO => "RTA_PROTOINFO",
        RTA_FLOW => "RTA_FLOW",
        RTA_CACHEINFO => "RTA_CACHEINFO",
        RTA_SESSION => "RTA_SESSION",
        RTA_MP_ALGO => "RTA_MP_ALGO",
        RTA_TABLE => "RTA_TABLE",
        RTA_MARK => "RTA_MARK",
        RTA_MFC_STATS => "RTA_MFC_STATS",
        RTA_VIA => "RTA_VIA",
        RTA_NEWDST => "RTA_NEWDST",
        RTA_PREF => "RTA_PREF",
        RTA_ENCAP_TYPE => "RTA_ENCAP_TYPE",
        RTA_ENCAP => "RTA_ENCAP",
        RTA_EXPIRES => "RTA_EXPIRES",
        RTA_PAD => "RTA_PAD",
        RTA_UID => "RTA_UID",
        RTA_TTL_PROPAGATE => "RTA_TTL_PROPAGATE",
        RTA_IP_PROTO => "RTA_IP_PROTO",
        RTA_SPORT => "RTA_SPORT",
        RTA_DPORT => "RTA_DPORT",
        RTA_NH_ID => "RTA_NH_ID",
        _ => return None,
    })
}

impl RouteAttr {
    /// Reads one attribute of a route message.
    pub fn parse(a: &Attr<'_>) -> Result<Self, DecodeError> {
        Self::parse_in(a, false)
    }

    /// Reads an attribute inside a `struct rtnexthop`, where `RTA_MULTIPATH` stays raw so
    /// that a hostile message cannot recurse.
    pub(super) fn parse_in(a: &Attr<'_>, in_nexthop: bool) -> Result<Self, DecodeError> {
        if has_flags(a) {
            if a.raw_kind() == RTA_ENCAP | NLA_F_NESTED {
                return Ok(RouteAttr::Encap {
                    nested: true,
                    value: a.value().to_vec(),
                });
            }
            return Ok(RouteAttr::Unknown(a.to_unknown()));
        }
        Ok(match a.kind() {
            RTA_DST => RouteAttr::Destination(a.ip("RTA_DST")?),
            RTA_SRC => RouteAttr::Source(a.ip("RTA_SRC")?),
            RTA_IIF => RouteAttr::Iif(a.u32("RTA_IIF")?),
            RTA_OIF => RouteAttr::Oif(a.u32("RTA_OIF")?),
            RTA_GATEWAY => RouteAttr::Gateway(a.ip("RTA_GATEWAY")?),
            RTA_PRIORITY => RouteAttr::Priority(a.u32("RTA_PRIORITY")?),
            RTA_PREFSRC => RouteAttr::PrefSource(a.ip("RTA_PREFSRC")?),
            RTA_METRICS => RouteAttr::Metrics(
                a.nested()?
                    .map(|m| m.and_then(|m| RouteMetric::parse(&m)))
                    .collect::<Result<_, _>>()?,
            ),
            RTA_MULTIPATH if !in_nexthop => RouteAttr::Multipath(
                NextHopIter::with_base(a.value(), a.value_offset())
                    .map(|n| n.and_then(|n| n.to_owned()))
                    .collect::<Result<_, _>>()?,
            ),
            RTA_FLOW => RouteAttr::Flow(a.u32("RTA_FLOW")?),
            RTA_CACHEINFO => RouteAttr::CacheInfo(RouteCacheInfo::parse(a)?),
            RTA_TABLE => RouteAttr::Table(a.u32("RTA_TABLE")?),
            RTA_MARK => RouteAttr::Mark(a.u32("RTA_MARK")?),
            RTA_VIA => RouteAttr::Via(RouteVia::parse(a)?),
            RTA_NEWDST => RouteAttr::NewDestination(a.value().to_vec()),
            RTA_PREF => RouteAttr::Pref(RoutePref(a.u8("RTA_PREF")?)),
            RTA_ENCAP_TYPE => RouteAttr::EncapType(a.u16("RTA_ENCAP_TYPE")?),
            RTA_ENCAP => RouteAttr::Encap {
                nested: false,
                value: a.value().to_vec(),
            },
            RTA_EXPIRES => match a.value().len() {
                8 => RouteAttr::Expires64(a.u64("RTA_EXPIRES")?),
                _ => RouteAttr::Expires(
                    a.u32("RTA_EXPIRES")
                        .map_err(|_| a.bad("RTA_EXPIRES", "expected 4 or 8 bytes"))?,
                ),
            },
            RTA_UID => RouteAttr::Uid(a.u32("RTA_UID")?),
            RTA_TTL_PROPAGATE => RouteAttr::TtlPropagate(a.u8("RTA_TTL_PROPAGATE")?),
            RTA_IP_PROTO => RouteAttr::IpProto(a.u8("RTA_IP_PROTO")?),
            RTA_SPORT => RouteAttr::SourcePort(a.u16_be("RTA_SPORT")?),
            RTA_DPORT => RouteAttr::DestinationPort(a.u16_be("RTA_DPORT")?),
            RTA_NH_ID => RouteAttr::NexthopId(a.u32("RTA_NH_ID")?),
            _ => RouteAttr::Unknown(a.to_unknown()),
        })
    }

    /// The attribute type written on the wire, flag bits included.
    pub fn kind(&self) -> u16 {
        match self {
            RouteAttr::Destination(_) => RTA_DST,
            RouteAttr::Source(_) => RTA_SRC,
            RouteAttr::Iif(_) => RTA_IIF,
            RouteAttr::Oif(_) => RTA_OIF,
            RouteAttr::Gateway(_) => RTA_GATEWAY,
            RouteAttr::Priority(_) => RTA_PRIORITY,
            RouteAttr::PrefSource(_) => RTA_PREFSRC,
            RouteAttr::Metrics(_) => RTA_METRICS,
            RouteAttr::Multipath(_) => RTA_MULTIPATH,
            RouteAttr::Flow(_) => RTA_FLOW,
            RouteAttr::CacheInfo(_) => RTA_CACHEINFO,
            RouteAttr::Table(_) => RTA_TABLE,
            RouteAttr::Mark(_) => RTA_MARK,
            RouteAttr::Via(_) => RTA_VIA,
            RouteAttr::NewDestination(_) => RTA_NEWDST,
            RouteAttr::Pref(_) => RTA_PREF,
            RouteAttr::EncapType(_) => RTA_ENCAP_TYPE,
            RouteAttr::Encap { nested: true, .. } => RTA_ENCAP | NLA_F_NESTED,
            RouteAttr::Encap { nested: false, .. } => RTA_ENCAP,
            RouteAttr::Expires(_) | RouteAttr::Expires64(_) => RTA_EXPIRES,
            RouteAttr::Uid(_) => RTA_UID,
            RouteAttr::TtlPropagate(_) => RTA_TTL_PROPAGATE,
            RouteAttr::IpProto(_) => RTA_IP_PROTO,
            RouteAttr::SourcePort(_) => RTA_SPORT,
            RouteAttr::DestinationPort(_) => RTA_DPORT,
            RouteAttr::NexthopId(_) => RTA_NH_ID,
            RouteAttr::Unknown(u) => u.kind,
        }
    }

    /// Length of the value, without header or padding.
    fn value_len(&self) -> usize {
        let ip = |ip: &IpAddr| if ip.is_ipv4() { 4 } else { 16 };
        match self {
            RouteAttr::Destination(a)
            | RouteAttr::Source(a)
            | RouteAttr::Gateway(a)
            | RouteAttr::PrefSource(a) => ip(a),
            RouteAttr::Iif(_)
            | RouteAttr::Oif(_)
            | RouteAttr::Priority(_)
            | RouteAttr::Flow(_)
            | RouteAttr::Table(_)
            | RouteAttr::Mark(_)
            | RouteAttr::Expires(_)
            | RouteAttr::Uid(_)
            | RouteAttr::NexthopId(_) => 4,
            RouteAttr::Pref(_) | RouteAttr::TtlPropagate(_) | RouteAttr::IpProto(_) => 1,
            RouteAttr::EncapType(_) | RouteAttr::SourcePort(_) | RouteAttr::DestinationPort(_) => 2,
            RouteAttr::Expires64(_) => 8,
            RouteAttr::CacheInfo(_) => RouteCacheInfo::LEN,
            RouteAttr::Via(v) => v.value_len(),
            RouteAttr::NewDestination(v) | RouteAttr::Encap { value: v, .. } => v.len(),
            RouteAttr::Metrics(m) => m.iter().map(RouteMetric::buffer_len).sum(),
            RouteAttr::Multipath(n) => n.iter().map(NextHop::buffer_len).sum(),
            RouteAttr::Unknown(u) => u.value.len(),
        }
    }

    /// Bytes taken on the wire, header and padding included.
    pub fn buffer_len(&self) -> usize {
        attr_size(self.value_len())
    }

    /// Appends the attribute.
    pub fn emit(&self, b: &mut Builder<'_>) -> Result<(), EncodeError> {
        let kind = self.kind();
        match self {
            RouteAttr::Destination(a)
            | RouteAttr::Source(a)
            | RouteAttr::Gateway(a)
            | RouteAttr::PrefSource(a) => b.attr_ip(kind, *a),
            RouteAttr::Iif(v)
            | RouteAttr::Oif(v)
            | RouteAttr::Priority(v)
            | RouteAttr::Flow(v)
            | RouteAttr::Table(v)
            | RouteAttr::Mark(v)
            | RouteAttr::Expires(v)
            | RouteAttr::Uid(v)
            | RouteAttr::NexthopId(v) => b.attr_u32(kind, *v),
            RouteAttr::Pref(p) => b.attr_u8(kind, p.0),
            RouteAttr::TtlPropagate(v) | RouteAttr::IpProto(v) => b.attr_u8(kind, *v),
            RouteAttr::EncapType(v) => b.attr_u16(kind, *v),
            RouteAttr::SourcePort(v) | RouteAttr::DestinationPort(v) => b.attr_u16_be(kind, *v),
            RouteAttr::Expires64(v) => b.attr_u64(kind, *v),
            RouteAttr::CacheInfo(c) => b.attr(kind, &c.to_bytes()),
            RouteAttr::Via(v) => v.emit(b),
            RouteAttr::NewDestination(v) | RouteAttr::Encap { value: v, .. } => b.attr(kind, v),
            RouteAttr::Metrics(m) => b.nested(kind, |b| m.iter().try_for_each(|m| m.emit(b))),
            RouteAttr::Multipath(n) => b.nested(kind, |b| n.iter().try_for_each(|n| n.emit(b))),
            RouteAttr::Unknown(u) => u.emit(b),
        }
    }
}

/// `struct rta_cacheinfo`: cache and lifetime state of a route (32 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RouteCacheInfo {
    /// `rta_clntref`: reference count.
    pub clntref: u32,
    /// `rta_lastuse`: clock ticks since last use.
    pub lastuse: u32,
    /// `rta_expires`: clock ticks until expiry (0 for none; may be negative).
    pub expires: i32,
    /// `rta_error`: the route's error.
    pub error: u32,
    /// `rta_used`: use count.
    pub used: u32,
    /// `rta_id`: IP id (peer info; 0 today).
    pub id: u32,
    /// `rta_ts`: TCP timestamp (0 today).
    pub ts: u32,
    /// `rta_tsage`: age of the timestamp (0 today).
    pub tsage: u32,
}

impl RouteCacheInfo {
    /// `sizeof(struct rta_cacheinfo)`.
    pub const LEN: usize = 32;

    fn parse(a: &Attr<'_>) -> Result<Self, DecodeError> {
        let [clntref, lastuse, expires, error, used, id, ts, tsage] = u32_words(
            a,
            "RTA_CACHEINFO",
            "expected 32 bytes (struct rta_cacheinfo)",
        )?;
        Ok(RouteCacheInfo {
            clntref,
            lastuse,
            expires: expires as i32,
            error,
            used,
            id,
            ts,
            tsage,
        })
    }

    /// The 32 bytes of the structure, native endian.
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        words_to_bytes([
            self.clntref,
            self.lastuse,
            self.expires as u32,
            self.error,
            self.used,
            self.id,
            self.ts,
            self.tsage,
        ])
    }
}

/// Byte offsets and ranges inside `struct rtvia`.
mod via_field {
    use crate::wire::Field;
    /// `rtvia_family` (`__kernel_sa_family_t`, u16).
    pub const FAMILY: Field = 0..2;
    /// `rtvia_addr`: the address, to the end of the attribute.
    pub const ADDR: usize = 2;
}

/// `struct rtvia`: a next hop whose family differs from the route's (an IPv4 route via an
/// IPv6 gateway, or MPLS).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RouteVia {
    /// `AF_INET` and a 4-byte address.
    Inet(Ipv4Addr),
    /// `AF_INET6` and a 16-byte address.
    Inet6(Ipv6Addr),
    /// Any other family, address kept raw. (Use the typed variants for `AF_INET` and
    /// `AF_INET6`: they are what parsing produces.)
    Other {
        /// `rtvia_family`.
        family: u16,
        /// `rtvia_addr`.
        address: Vec<u8>,
    },
}

impl From<IpAddr> for RouteVia {
    fn from(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(a) => RouteVia::Inet(a),
            IpAddr::V6(a) => RouteVia::Inet6(a),
        }
    }
}

impl RouteVia {
    /// The address as an `IpAddr`, for the IP families.
    pub fn ip(&self) -> Option<IpAddr> {
        match self {
            RouteVia::Inet(a) => Some(IpAddr::V4(*a)),
            RouteVia::Inet6(a) => Some(IpAddr::V6(*a)),
            RouteVia::Other { .. } => None,
        }
    }

    /// `rtvia_family`.
    pub fn family(&self) -> u16 {
        match self {
            RouteVia::Inet(_) => u16::from(AF_INET),
            RouteVia::Inet6(_) => u16::from(AF_INET6),
            RouteVia::Other { family, .. } => *family,
        }
    }

    fn parse(a: &Attr<'_>) -> Result<Self, DecodeError> {
        let bad = |reason| a.bad("RTA_VIA", reason);
        let v = a.value();
        let family = read_array::<2>(v, via_field::FAMILY.start, "rtvia_family")
            .map(u16::from_ne_bytes)
            .map_err(|_| bad("shorter than rtvia_family"))?;
        let addr = v.get(via_field::ADDR..).unwrap_or(&[]);
        match family {
            f if f == u16::from(AF_INET) => <[u8; 4]>::try_from(addr)
                .map(|o| RouteVia::Inet(o.into()))
                .map_err(|_| bad("AF_INET address of other than 4 bytes")),
            f if f == u16::from(AF_INET6) => <[u8; 16]>::try_from(addr)
                .map(|o| RouteVia::Inet6(o.into()))
                .map_err(|_| bad("AF_INET6 address of other than 16 bytes")),
            family => Ok(RouteVia::Other {
                family,
                address: addr.to_vec(),
            }),
        }
    }

    fn value_len(&self) -> usize {
        via_field::ADDR
            + match self {
                RouteVia::Inet(_) => 4,
                RouteVia::Inet6(_) => 16,
                RouteVia::Other { address, .. } => address.len(),
            }
    }

    fn emit(&self, b: &mut Builder<'_>) -> Result<(), EncodeError> {
        let mut v = Vec::with_capacity(self.value_len());
        v.extend_from_slice(&self.family().to_ne_bytes());
        match self {
            RouteVia::Inet(a) => v.extend_from_slice(&a.octets()),
            RouteVia::Inet6(a) => v.extend_from_slice(&a.octets()),
            RouteVia::Other { address, .. } => v.extend_from_slice(address),
        }
        b.attr(RTA_VIA, &v)
    }
}
