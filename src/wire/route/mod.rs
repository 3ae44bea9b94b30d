//! The ROUTE family: payloads of `RTM_NEWROUTE`, `RTM_DELROUTE` and `RTM_GETROUTE`
//! (`struct rtmsg` followed by `RTA_*` attributes), per `linux/rtnetlink.h`.
//!
//! [`RouteMessageBuffer`] is a zero-copy view; [`RouteMessage`] is the owned form, parsed
//! with [`RouteMessage::parse`] and written back with [`Emit`]. Attributes become
//! [`RouteAttr`]s, with the two structured ones in their own types: `RTA_METRICS`
//! ([`RouteMetric`]) and `RTA_MULTIPATH` ([`NextHop`]). Unknown attributes, and known ones
//! carrying unexpected flag bits, are kept as [`UnknownAttr`] and re-encode byte for byte.
//!
//! ```
//! use netplumb::wire::{Emit, route::{RouteAttr, RouteMessage, RouteType}};
//! let route = RouteMessage::unicast("198.18.5.0".parse().unwrap(), 24)
//!     .with_gateway("198.18.0.254".parse().unwrap())
//!     .with_table(1000);
//! let bytes = route.to_vec().unwrap();
//! let back = RouteMessage::parse(&bytes).unwrap();
//! assert_eq!(back.destination(), Some(("198.18.5.0".parse().unwrap(), 24)));
//! assert_eq!(back.table(), 1000);
//! assert_eq!(back.header.kind, RouteType::UNICAST);
//! ```

mod attr;
mod metrics;
mod nexthop;

pub use attr::{RouteAttr, RouteCacheInfo, RouteVia, attr_name};
pub use metrics::{RouteMetric, metric_name};
pub use nexthop::{NextHop, NextHopFlags, NextHopIter, NextHopRef};

use super::attr::{AttrIter, UnknownAttr};
use super::{Builder, DecodeError, Emit, EncodeError, byte, parse_attrs, read_field};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// `sizeof(struct rtmsg)`: the fixed header before the attributes.
pub const RTMSG_LEN: usize = 12;

/// Byte offsets and ranges inside `struct rtmsg`.
mod field {
    use crate::wire::Field;
    /// `rtm_family` (u8).
    pub const FAMILY: usize = 0;
    /// `rtm_dst_len` (u8).
    pub const DST_LEN: usize = 1;
    /// `rtm_src_len` (u8).
    pub const SRC_LEN: usize = 2;
    /// `rtm_tos` (u8).
    pub const TOS: usize = 3;
    /// `rtm_table` (u8).
    pub const TABLE: usize = 4;
    /// `rtm_protocol` (u8).
    pub const PROTOCOL: usize = 5;
    /// `rtm_scope` (u8).
    pub const SCOPE: usize = 6;
    /// `rtm_type` (u8).
    pub const TYPE: usize = 7;
    /// `rtm_flags` (u32, native endian).
    pub const FLAGS: Field = 8..12;
}

use super::family::{AF_INET, AF_INET6};

// ---- attribute types (enum rtattr_type_t) -------------------------------------------------

/// `RTA_UNSPEC`: unused.
pub const RTA_UNSPEC: u16 = 0;
/// `RTA_DST`: destination prefix address (4 or 16 bytes; length in `rtm_dst_len`).
pub const RTA_DST: u16 = 1;
/// `RTA_SRC`: source prefix address (policy routing; length in `rtm_src_len`).
pub const RTA_SRC: u16 = 2;
/// `RTA_IIF`: input interface index (u32).
pub const RTA_IIF: u16 = 3;
/// `RTA_OIF`: output interface index (u32).
pub const RTA_OIF: u16 = 4;
/// `RTA_GATEWAY`: next-hop address of the route's own family.
pub const RTA_GATEWAY: u16 = 5;
/// `RTA_PRIORITY`: the route's metric, "metric" in `ip route` (u32).
pub const RTA_PRIORITY: u16 = 6;
/// `RTA_PREFSRC`: preferred source address.
pub const RTA_PREFSRC: u16 = 7;
/// `RTA_METRICS`: nest of `RTAX_*` attributes.
pub const RTA_METRICS: u16 = 8;
/// `RTA_MULTIPATH`: a list of `struct rtnexthop`, each followed by its attributes.
pub const RTA_MULTIPATH: u16 = 9;
/// `RTA_PROTOINFO`: no longer used.
pub const RTA_PROTOINFO: u16 = 10;
/// `RTA_FLOW`: routing realms, "realm" in `ip route` (u32).
pub const RTA_FLOW: u16 = 11;
/// `RTA_CACHEINFO`: `struct rta_cacheinfo` (32 bytes).
pub const RTA_CACHEINFO: u16 = 12;
/// `RTA_SESSION`: no longer used.
pub const RTA_SESSION: u16 = 13;
/// `RTA_MP_ALGO`: no longer used.
pub const RTA_MP_ALGO: u16 = 14;
/// `RTA_TABLE`: the full 32-bit table id, overriding `rtm_table` (u32).
pub const RTA_TABLE: u16 = 15;
/// `RTA_MARK`: firewall mark for a route lookup (u32).
pub const RTA_MARK: u16 = 16;
/// `RTA_MFC_STATS`: multicast forwarding statistics (`struct rta_mfc_stats`).
pub const RTA_MFC_STATS: u16 = 17;
/// `RTA_VIA`: next hop of another family (`struct rtvia`).
pub const RTA_VIA: u16 = 18;
/// `RTA_NEWDST`: MPLS label stack to swap in.
pub const RTA_NEWDST: u16 = 19;
/// `RTA_PREF`: IPv6 router preference (u8, `ICMPV6_ROUTER_PREF_*`).
pub const RTA_PREF: u16 = 20;
/// `RTA_ENCAP_TYPE`: lightweight tunnel type (u16, `LWTUNNEL_ENCAP_*`).
pub const RTA_ENCAP_TYPE: u16 = 21;
/// `RTA_ENCAP`: lightweight tunnel parameters (nest, type-specific).
pub const RTA_ENCAP: u16 = 22;
/// `RTA_EXPIRES`: lifetime in seconds (u32 in IPv6 requests; u64 clock ticks in multicast
/// route dumps).
pub const RTA_EXPIRES: u16 = 23;
/// `RTA_PAD`: alignment padding for 64-bit attributes.
pub const RTA_PAD: u16 = 24;
/// `RTA_UID`: user id for a route lookup (u32).
pub const RTA_UID: u16 = 25;
/// `RTA_TTL_PROPAGATE`: MPLS TTL propagation (u8).
pub const RTA_TTL_PROPAGATE: u16 = 26;
/// `RTA_IP_PROTO`: IP protocol for a route lookup (u8).
pub const RTA_IP_PROTO: u16 = 27;
/// `RTA_SPORT`: source port for a route lookup (u16, big endian).
pub const RTA_SPORT: u16 = 28;
/// `RTA_DPORT`: destination port for a route lookup (u16, big endian).
pub const RTA_DPORT: u16 = 29;
/// `RTA_NH_ID`: id of a nexthop object (`ip nexthop`) the route uses (u32).
pub const RTA_NH_ID: u16 = 30;

// ---- metrics (RTAX_*) ---------------------------------------------------------------------

/// `RTAX_UNSPEC`: unused.
pub const RTAX_UNSPEC: u16 = 0;
/// `RTAX_LOCK`: bit mask of locked metrics, bit `1 << RTAX_x` (u32).
pub const RTAX_LOCK: u16 = 1;
/// `RTAX_MTU`: path MTU (u32).
pub const RTAX_MTU: u16 = 2;
/// `RTAX_WINDOW`: TCP window clamp (u32).
pub const RTAX_WINDOW: u16 = 3;
/// `RTAX_RTT`: initial RTT estimate (u32).
pub const RTAX_RTT: u16 = 4;
/// `RTAX_RTTVAR`: initial RTT variance (u32).
pub const RTAX_RTTVAR: u16 = 5;
/// `RTAX_SSTHRESH`: initial slow-start threshold (u32).
pub const RTAX_SSTHRESH: u16 = 6;
/// `RTAX_CWND`: congestion window clamp (u32).
pub const RTAX_CWND: u16 = 7;
/// `RTAX_ADVMSS`: advertised MSS (u32).
pub const RTAX_ADVMSS: u16 = 8;
/// `RTAX_REORDERING`: reordering estimate (u32).
pub const RTAX_REORDERING: u16 = 9;
/// `RTAX_HOPLIMIT`: IP TTL / hop limit (u32).
pub const RTAX_HOPLIMIT: u16 = 10;
/// `RTAX_INITCWND`: initial congestion window (u32).
pub const RTAX_INITCWND: u16 = 11;
/// `RTAX_FEATURES`: `RTAX_FEATURE_*` bits (u32).
pub const RTAX_FEATURES: u16 = 12;
/// `RTAX_RTO_MIN`: minimum retransmission timeout (u32).
pub const RTAX_RTO_MIN: u16 = 13;
/// `RTAX_INITRWND`: initial receive window (u32).
pub const RTAX_INITRWND: u16 = 14;
/// `RTAX_QUICKACK`: quick ACK mode (u32).
pub const RTAX_QUICKACK: u16 = 15;
/// `RTAX_CC_ALGO`: congestion control algorithm name (NUL-terminated string).
pub const RTAX_CC_ALGO: u16 = 16;
/// `RTAX_FASTOPEN_NO_COOKIE`: TCP fast open without a cookie (u32).
pub const RTAX_FASTOPEN_NO_COOKIE: u16 = 17;

/// `RTAX_FEATURE_ECN`: bit of `RTAX_FEATURES`.
pub const RTAX_FEATURE_ECN: u32 = 1 << 0;
/// `RTAX_FEATURE_SACK`: bit of `RTAX_FEATURES`.
pub const RTAX_FEATURE_SACK: u32 = 1 << 1;
/// `RTAX_FEATURE_TIMESTAMP`: bit of `RTAX_FEATURES`.
pub const RTAX_FEATURE_TIMESTAMP: u32 = 1 << 2;
/// `RTAX_FEATURE_ALLFRAG`: bit of `RTAX_FEATURES`.
pub const RTAX_FEATURE_ALLFRAG: u32 = 1 << 3;

// ---- table ids (enum rt_class_t) ----------------------------------------------------------

/// `RT_TABLE_UNSPEC`: no table (in a request: the full id is in `RTA_TABLE`).
pub const RT_TABLE_UNSPEC: u32 = 0;
/// `RT_TABLE_COMPAT`: what `rtm_table` says for a table id above 255 in a reply.
pub const RT_TABLE_COMPAT: u32 = 252;
/// `RT_TABLE_DEFAULT`: the "default" table.
pub const RT_TABLE_DEFAULT: u32 = 253;
/// `RT_TABLE_MAIN`: the "main" table, where `ip route add` puts routes.
pub const RT_TABLE_MAIN: u32 = 254;
/// `RT_TABLE_LOCAL`: the "local" table (local and broadcast addresses).
pub const RT_TABLE_LOCAL: u32 = 255;

u8_values! {
    /// `rtm_protocol`: who installed the route (`RTPROT_*`). Values from `RTPROT_STATIC` up
    /// are not interpreted by the kernel.
    RouteProtocol {
        /// `RTPROT_UNSPEC`.
        UNSPEC = 0, "RTPROT_UNSPEC";
        /// `RTPROT_REDIRECT`: an ICMP redirect.
        REDIRECT = 1, "RTPROT_REDIRECT";
        /// `RTPROT_KERNEL`: the kernel (e.g. the prefix route of an address).
        KERNEL = 2, "RTPROT_KERNEL";
        /// `RTPROT_BOOT`: during boot; what `ip route add` uses by default.
        BOOT = 3, "RTPROT_BOOT";
        /// `RTPROT_STATIC`: the administrator.
        STATIC = 4, "RTPROT_STATIC";
        /// `RTPROT_GATED`.
        GATED = 8, "RTPROT_GATED";
        /// `RTPROT_RA`: router advertisements.
        RA = 9, "RTPROT_RA";
        /// `RTPROT_MRT`.
        MRT = 10, "RTPROT_MRT";
        /// `RTPROT_ZEBRA`.
        ZEBRA = 11, "RTPROT_ZEBRA";
        /// `RTPROT_BIRD`.
        BIRD = 12, "RTPROT_BIRD";
        /// `RTPROT_DNROUTED`.
        DNROUTED = 13, "RTPROT_DNROUTED";
        /// `RTPROT_XORP`.
        XORP = 14, "RTPROT_XORP";
        /// `RTPROT_NTK`.
        NTK = 15, "RTPROT_NTK";
        /// `RTPROT_DHCP`: a DHCP client.
        DHCP = 16, "RTPROT_DHCP";
        /// `RTPROT_MROUTED`.
        MROUTED = 17, "RTPROT_MROUTED";
        /// `RTPROT_KEEPALIVED`.
        KEEPALIVED = 18, "RTPROT_KEEPALIVED";
        /// `RTPROT_BABEL`.
        BABEL = 42, "RTPROT_BABEL";
        /// `RTPROT_OPENR`.
        OPENR = 99, "RTPROT_OPENR";
        /// `RTPROT_BGP`.
        BGP = 186, "RTPROT_BGP";
        /// `RTPROT_ISIS`.
        ISIS = 187, "RTPROT_ISIS";
        /// `RTPROT_OSPF`.
        OSPF = 188, "RTPROT_OSPF";
        /// `RTPROT_RIP`.
        RIP = 189, "RTPROT_RIP";
        /// `RTPROT_EIGRP`.
        EIGRP = 192, "RTPROT_EIGRP";
    }
}

/// `rtm_scope`: the same `RT_SCOPE_*` values as an address's scope.
pub use crate::wire::addr::Scope as RouteScope;

u8_values! {
    /// `rtm_type`: what the route does with a packet (`RTN_*`).
    RouteType {
        /// `RTN_UNSPEC`.
        UNSPEC = 0, "RTN_UNSPEC";
        /// `RTN_UNICAST`: a gateway or direct route.
        UNICAST = 1, "RTN_UNICAST";
        /// `RTN_LOCAL`: accept locally.
        LOCAL = 2, "RTN_LOCAL";
        /// `RTN_BROADCAST`: accept locally as broadcast, send as broadcast.
        BROADCAST = 3, "RTN_BROADCAST";
        /// `RTN_ANYCAST`: accept locally as broadcast, send as unicast.
        ANYCAST = 4, "RTN_ANYCAST";
        /// `RTN_MULTICAST`: a multicast route.
        MULTICAST = 5, "RTN_MULTICAST";
        /// `RTN_BLACKHOLE`: drop silently.
        BLACKHOLE = 6, "RTN_BLACKHOLE";
        /// `RTN_UNREACHABLE`: drop with "destination unreachable".
        UNREACHABLE = 7, "RTN_UNREACHABLE";
        /// `RTN_PROHIBIT`: drop with "administratively prohibited".
        PROHIBIT = 8, "RTN_PROHIBIT";
        /// `RTN_THROW`: not in this table; continue the lookup with the next rule.
        THROW = 9, "RTN_THROW";
        /// `RTN_NAT`: translate the address.
        NAT = 10, "RTN_NAT";
        /// `RTN_XRESOLVE`: use an external resolver.
        XRESOLVE = 11, "RTN_XRESOLVE";
    }
}

u8_values! {
    /// `RTA_PREF`: the IPv6 router preference of a route (`ICMPV6_ROUTER_PREF_*`).
    RoutePref {
        /// `ICMPV6_ROUTER_PREF_MEDIUM`.
        MEDIUM = 0, "ICMPV6_ROUTER_PREF_MEDIUM";
        /// `ICMPV6_ROUTER_PREF_HIGH`.
        HIGH = 1, "ICMPV6_ROUTER_PREF_HIGH";
        /// `ICMPV6_ROUTER_PREF_INVALID`.
        INVALID = 2, "ICMPV6_ROUTER_PREF_INVALID";
        /// `ICMPV6_ROUTER_PREF_LOW`.
        LOW = 3, "ICMPV6_ROUTER_PREF_LOW";
    }
}

bitflags::bitflags! {
    /// `rtm_flags`: the `RTM_F_*` bits, and the `RTNH_F_*` next-hop bits that the kernel
    /// reports there for single-path routes (and accepts there in requests, e.g. `onlink`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct RouteFlags: u32 {
        /// `RTNH_F_DEAD`: the next hop is dead.
        const DEAD = 0x1;
        /// `RTNH_F_PERVASIVE`: recursive gateway lookup.
        const PERVASIVE = 0x2;
        /// `RTNH_F_ONLINK`: the gateway is on the link even if no prefix says so.
        const ONLINK = 0x4;
        /// `RTNH_F_OFFLOAD`: the next hop is offloaded.
        const NH_OFFLOAD = 0x8;
        /// `RTNH_F_LINKDOWN`: the next hop's carrier is down.
        const LINKDOWN = 0x10;
        /// `RTNH_F_UNRESOLVED`: unresolved (multicast).
        const UNRESOLVED = 0x20;
        /// `RTNH_F_TRAP`: the next hop traps packets.
        const NH_TRAP = 0x40;
        /// `RTM_F_NOTIFY`: notify the user of route changes.
        const NOTIFY = 0x100;
        /// `RTM_F_CLONED`: a cloned (cached) route, as `ip route get` returns.
        const CLONED = 0x200;
        /// `RTM_F_EQUALIZE`: multipath equalizer (not implemented).
        const EQUALIZE = 0x400;
        /// `RTM_F_PREFIX`: a prefix route of an address.
        const PREFIX = 0x800;
        /// `RTM_F_LOOKUP_TABLE`: set `rtm_table` to the FIB lookup result (GET).
        const LOOKUP_TABLE = 0x1000;
        /// `RTM_F_FIB_MATCH`: return the matching FIB entry (GET, `ip route get fibmatch`).
        const FIB_MATCH = 0x2000;
        /// `RTM_F_OFFLOAD`: the route is offloaded.
        const OFFLOAD = 0x4000;
        /// `RTM_F_TRAP`: the route traps packets.
        const TRAP = 0x8000;
        /// `RTM_F_OFFLOAD_FAILED`: offloading the route failed.
        const OFFLOAD_FAILED = 0x2000_0000;
        // Unknown bits are kept so that a header read from the wire is written back as is.
        const _ = !0;
    }
}

/// `struct rtmsg`, owned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RouteHeader {
    /// `rtm_family`: `AF_INET`, `AF_INET6`, ...
    pub family: u8,
    /// `rtm_dst_len`: destination prefix length.
    pub dst_len: u8,
    /// `rtm_src_len`: source prefix length.
    pub src_len: u8,
    /// `rtm_tos`: TOS to match.
    pub tos: u8,
    /// `rtm_table`: the table id when it fits in 8 bits (see [`RouteMessage::table`]).
    pub table: u8,
    /// `rtm_protocol`.
    pub protocol: RouteProtocol,
    /// `rtm_scope`.
    pub scope: RouteScope,
    /// `rtm_type`.
    pub kind: RouteType,
    /// `rtm_flags`.
    pub flags: RouteFlags,
}

impl RouteHeader {
    /// The header `ip route add` starts from: table main, protocol boot, scope universe,
    /// type unicast, no prefix.
    pub fn new(family: u8) -> Self {
        RouteHeader {
            family,
            table: RT_TABLE_MAIN as u8,
            protocol: RouteProtocol::BOOT,
            scope: RouteScope::UNIVERSE,
            kind: RouteType::UNICAST,
            ..Default::default()
        }
    }

    /// Reads the header from the first [`RTMSG_LEN`] bytes of `payload`.
    pub fn parse(payload: &[u8]) -> Result<Self, DecodeError> {
        RouteMessageBuffer::new_checked(payload).map(|b| b.header())
    }

    /// Appends the 12 header bytes.
    pub fn emit(&self, b: &mut Builder<'_>) -> Result<(), EncodeError> {
        b.put(&[
            self.family,
            self.dst_len,
            self.src_len,
            self.tos,
            self.table,
            self.protocol.0,
            self.scope.0,
            self.kind.0,
        ])?;
        b.put_u32(self.flags.bits())
    }
}

message_buffer! {
    /// A zero-copy view of a route message payload (`struct rtmsg` and its attributes).
    RouteMessageBuffer, RTMSG_LEN, "rtmsg"
}

impl<T: AsRef<[u8]>> RouteMessageBuffer<T> {
    /// `rtm_family`.
    pub fn family(&self) -> u8 {
        byte(self.buffer.as_ref(), field::FAMILY)
    }
    /// `rtm_dst_len`.
    pub fn dst_len(&self) -> u8 {
        byte(self.buffer.as_ref(), field::DST_LEN)
    }
    /// `rtm_src_len`.
    pub fn src_len(&self) -> u8 {
        byte(self.buffer.as_ref(), field::SRC_LEN)
    }
    /// `rtm_tos`.
    pub fn tos(&self) -> u8 {
        byte(self.buffer.as_ref(), field::TOS)
    }
    /// `rtm_table` (8 bits; `RTA_TABLE` holds the full id).
    pub fn table(&self) -> u8 {
        byte(self.buffer.as_ref(), field::TABLE)
    }
    /// `rtm_protocol`.
    pub fn protocol(&self) -> RouteProtocol {
        RouteProtocol(byte(self.buffer.as_ref(), field::PROTOCOL))
    }
    /// `rtm_scope`.
    pub fn scope(&self) -> RouteScope {
        RouteScope(byte(self.buffer.as_ref(), field::SCOPE))
    }
    /// `rtm_type`.
    pub fn kind(&self) -> RouteType {
        RouteType(byte(self.buffer.as_ref(), field::TYPE))
    }
    /// `rtm_flags`, unknown bits kept.
    pub fn flags(&self) -> RouteFlags {
        RouteFlags::from_bits_retain(read_field::<u32>(self.buffer.as_ref(), field::FLAGS))
    }
    /// The header as an owned value.
    pub fn header(&self) -> RouteHeader {
        RouteHeader {
            family: self.family(),
            dst_len: self.dst_len(),
            src_len: self.src_len(),
            tos: self.tos(),
            table: self.table(),
            protocol: self.protocol(),
            scope: self.scope(),
            kind: self.kind(),
            flags: self.flags(),
        }
    }
}

/// An owned route message: header and attributes in wire order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RouteMessage {
    /// `struct rtmsg`.
    pub header: RouteHeader,
    /// The attributes, in the order they are (or will be) on the wire.
    pub attrs: Vec<RouteAttr>,
}

impl RouteMessage {
    /// A message with `header` and no attributes.
    pub fn new(header: RouteHeader) -> Self {
        RouteMessage {
            header,
            attrs: Vec::new(),
        }
    }

    /// A unicast route to `destination/prefix_len` in the main table, protocol boot, scope
    /// universe: what `ip route add PREFIX` starts from. `RTA_DST` is left out for a default
    /// route (prefix length 0), as `ip` does. A route without a gateway usually wants
    /// [`RouteScope::LINK`].
    pub fn unicast(destination: IpAddr, prefix_len: u8) -> Self {
        let family = match destination {
            IpAddr::V4(_) => AF_INET,
            IpAddr::V6(_) => AF_INET6,
        };
        let mut m = RouteMessage::new(RouteHeader {
            dst_len: prefix_len,
            ..RouteHeader::new(family)
        });
        if prefix_len > 0 {
            m.attrs.push(RouteAttr::Destination(destination));
        }
        m
    }

    /// Reads a payload (the bytes after `nlmsghdr`). Offsets in errors count from its start.
    pub fn parse(payload: &[u8]) -> Result<Self, DecodeError> {
        let buf = RouteMessageBuffer::new_checked(payload)?;
        let attrs = parse_attrs(buf.attrs(), RouteAttr::parse)?;
        Ok(RouteMessage {
            header: buf.header(),
            attrs,
        })
    }

    /// Adds an attribute at the end.
    #[must_use]
    pub fn with_attr(mut self, attr: RouteAttr) -> Self {
        self.attrs.push(attr);
        self
    }

    /// Sets `RTA_GATEWAY`, replacing any earlier one.
    #[must_use]
    pub fn with_gateway(mut self, gateway: IpAddr) -> Self {
        self.attrs.retain(|a| !matches!(a, RouteAttr::Gateway(_)));
        self.with_attr(RouteAttr::Gateway(gateway))
    }

    /// Sets `RTA_OIF`, replacing any earlier one.
    #[must_use]
    pub fn with_oif(mut self, ifindex: u32) -> Self {
        self.attrs.retain(|a| !matches!(a, RouteAttr::Oif(_)));
        self.with_attr(RouteAttr::Oif(ifindex))
    }

    /// Sets `RTA_PRIORITY` (the metric), replacing any earlier one.
    #[must_use]
    pub fn with_priority(mut self, priority: u32) -> Self {
        self.attrs.retain(|a| !matches!(a, RouteAttr::Priority(_)));
        self.with_attr(RouteAttr::Priority(priority))
    }

    /// Puts the route in table `id` the way `ip` does: ids below 256 go in `rtm_table`
    /// alone; larger ones set `rtm_table` to `RT_TABLE_UNSPEC` and add `RTA_TABLE`.
    #[must_use]
    pub fn with_table(mut self, id: u32) -> Self {
        self.attrs.retain(|a| !matches!(a, RouteAttr::Table(_)));
        match u8::try_from(id) {
            Ok(small) => self.header.table = small,
            Err(_) => {
                self.header.table = RT_TABLE_UNSPEC as u8;
                self.attrs.push(RouteAttr::Table(id));
            }
        }
        self
    }

    fn find<'s, R>(&'s self, f: impl FnMut(&'s RouteAttr) -> Option<R>) -> Option<R> {
        self.attrs.iter().find_map(f)
    }

    fn unspecified(&self) -> Option<IpAddr> {
        match self.header.family {
            AF_INET => Some(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
            AF_INET6 => Some(IpAddr::V6(Ipv6Addr::UNSPECIFIED)),
            _ => None,
        }
    }

    /// The destination prefix: `RTA_DST` with `rtm_dst_len`. Without `RTA_DST` (a default
    /// route) it is the family's unspecified address; `None` for a family other than IPv4
    /// and IPv6 without `RTA_DST`.
    pub fn destination(&self) -> Option<(IpAddr, u8)> {
        self.find(|a| match a {
            RouteAttr::Destination(ip) => Some(*ip),
            _ => None,
        })
        .or_else(|| self.unspecified())
        .map(|ip| (ip, self.header.dst_len))
    }

    /// The source prefix (`RTA_SRC` with `rtm_src_len`), when present.
    pub fn source(&self) -> Option<(IpAddr, u8)> {
        self.find(|a| match a {
            RouteAttr::Source(ip) => Some((*ip, self.header.src_len)),
            _ => None,
        })
    }

    /// `RTA_GATEWAY`.
    pub fn gateway(&self) -> Option<IpAddr> {
        self.find(|a| match a {
            RouteAttr::Gateway(ip) => Some(*ip),
            _ => None,
        })
    }

    /// `RTA_VIA`: a gateway of another family (an IPv4 route via an IPv6 next hop).
    pub fn via(&self) -> Option<&RouteVia> {
        self.find(|a| match a {
            RouteAttr::Via(v) => Some(v),
            _ => None,
        })
    }

    /// `RTA_OIF`: the output interface index.
    pub fn oif(&self) -> Option<u32> {
        self.find(|a| match a {
            RouteAttr::Oif(v) => Some(*v),
            _ => None,
        })
    }

    /// `RTA_IIF`: the input interface index.
    pub fn iif(&self) -> Option<u32> {
        self.find(|a| match a {
            RouteAttr::Iif(v) => Some(*v),
            _ => None,
        })
    }

    /// The table id: `RTA_TABLE` when present (it holds all 32 bits), else `rtm_table`.
    pub fn table(&self) -> u32 {
        self.find(|a| match a {
            RouteAttr::Table(v) => Some(*v),
            _ => None,
        })
        .unwrap_or(u32::from(self.header.table))
    }

    /// `RTA_PRIORITY`: the route's metric.
    pub fn priority(&self) -> Option<u32> {
        self.find(|a| match a {
            RouteAttr::Priority(v) => Some(*v),
            _ => None,
        })
    }

    /// `RTA_PREFSRC`: the preferred source address.
    pub fn prefsrc(&self) -> Option<IpAddr> {
        self.find(|a| match a {
            RouteAttr::PrefSource(ip) => Some(*ip),
            _ => None,
        })
    }

    /// `RTA_METRICS`.
    pub fn metrics(&self) -> Option<&[RouteMetric]> {
        self.find(|a| match a {
            RouteAttr::Metrics(m) => Some(m.as_slice()),
            _ => None,
        })
    }

    /// `RTAX_MTU` inside `RTA_METRICS`.
    pub fn mtu(&self) -> Option<u32> {
        self.metrics()?.iter().find_map(|m| match m {
            RouteMetric::Mtu(v) => Some(*v),
            _ => None,
        })
    }

    /// `RTA_MULTIPATH`: the next hops of a multipath route.
    pub fn multipath(&self) -> Option<&[NextHop]> {
        self.find(|a| match a {
            RouteAttr::Multipath(m) => Some(m.as_slice()),
            _ => None,
        })
    }

    /// `RTA_PREF`: the IPv6 router preference.
    pub fn pref(&self) -> Option<RoutePref> {
        self.find(|a| match a {
            RouteAttr::Pref(p) => Some(*p),
            _ => None,
        })
    }

    /// `RTA_CACHEINFO`.
    pub fn cache_info(&self) -> Option<&RouteCacheInfo> {
        self.find(|a| match a {
            RouteAttr::CacheInfo(c) => Some(c),
            _ => None,
        })
    }

    /// `RTA_NH_ID`: the nexthop object the route uses.
    pub fn nexthop_id(&self) -> Option<u32> {
        self.find(|a| match a {
            RouteAttr::NexthopId(v) => Some(*v),
            _ => None,
        })
    }

    /// `RTA_EXPIRES`, of either width.
    pub fn expires(&self) -> Option<u64> {
        self.find(|a| match a {
            RouteAttr::Expires(v) => Some(u64::from(*v)),
            RouteAttr::Expires64(v) => Some(*v),
            _ => None,
        })
    }
}

impl Emit for RouteMessage {
    fn buffer_len(&self) -> usize {
        RTMSG_LEN + self.attrs.iter().map(RouteAttr::buffer_len).sum::<usize>()
    }

    fn emit(&self, b: &mut Builder<'_>) -> Result<(), EncodeError> {
        self.header.emit(b)?;
        self.attrs.iter().try_for_each(|a| a.emit(b))
    }
}

/// True when `a`'s type carries NESTED/NET_BYTEORDER bits that a typed value would lose;
/// such attributes are kept as [`UnknownAttr`].
fn has_flags(a: &super::Attr<'_>) -> bool {
    a.raw_kind() != a.kind()
}

#[cfg(test)]
mod tests;
