//! vxlan data: `IFLA_VXLAN_*` (linux/if_link.h). Ports and the flow label are in network
//! byte order on the wire; the typed values here are plain numbers.

use crate::wire::attr_enum::AttrValue;
use crate::wire::{Attr, Builder, DecodeError, EncodeError};
use std::net::{Ipv4Addr, Ipv6Addr};

/// `IFLA_VXLAN_ID`: VNI (u32).
pub const IFLA_VXLAN_ID: u16 = 1;
/// `IFLA_VXLAN_GROUP`: multicast group or remote IPv4 address.
pub const IFLA_VXLAN_GROUP: u16 = 2;
/// `IFLA_VXLAN_LINK`: ifindex of the underlying device (u32).
pub const IFLA_VXLAN_LINK: u16 = 3;
/// `IFLA_VXLAN_LOCAL`: local IPv4 address.
pub const IFLA_VXLAN_LOCAL: u16 = 4;
/// `IFLA_VXLAN_TTL` (u8).
pub const IFLA_VXLAN_TTL: u16 = 5;
/// `IFLA_VXLAN_TOS` (u8).
pub const IFLA_VXLAN_TOS: u16 = 6;
/// `IFLA_VXLAN_LEARNING` (u8).
pub const IFLA_VXLAN_LEARNING: u16 = 7;
/// `IFLA_VXLAN_AGEING`: FDB ageing in seconds (u32).
pub const IFLA_VXLAN_AGEING: u16 = 8;
/// `IFLA_VXLAN_LIMIT`: FDB size limit (u32).
pub const IFLA_VXLAN_LIMIT: u16 = 9;
/// `IFLA_VXLAN_PORT_RANGE`: UDP source port range (`struct ifla_vxlan_port_range`).
pub const IFLA_VXLAN_PORT_RANGE: u16 = 10;
/// `IFLA_VXLAN_PROXY` (u8).
pub const IFLA_VXLAN_PROXY: u16 = 11;
/// `IFLA_VXLAN_RSC` (u8).
pub const IFLA_VXLAN_RSC: u16 = 12;
/// `IFLA_VXLAN_L2MISS` (u8).
pub const IFLA_VXLAN_L2MISS: u16 = 13;
/// `IFLA_VXLAN_L3MISS` (u8).
pub const IFLA_VXLAN_L3MISS: u16 = 14;
/// `IFLA_VXLAN_PORT`: UDP destination port (be16).
pub const IFLA_VXLAN_PORT: u16 = 15;
/// `IFLA_VXLAN_GROUP6`: multicast group or remote IPv6 address.
pub const IFLA_VXLAN_GROUP6: u16 = 16;
/// `IFLA_VXLAN_LOCAL6`: local IPv6 address.
pub const IFLA_VXLAN_LOCAL6: u16 = 17;
/// `IFLA_VXLAN_UDP_CSUM` (u8).
pub const IFLA_VXLAN_UDP_CSUM: u16 = 18;
/// `IFLA_VXLAN_UDP_ZERO_CSUM6_TX` (u8).
pub const IFLA_VXLAN_UDP_ZERO_CSUM6_TX: u16 = 19;
/// `IFLA_VXLAN_UDP_ZERO_CSUM6_RX` (u8).
pub const IFLA_VXLAN_UDP_ZERO_CSUM6_RX: u16 = 20;
/// `IFLA_VXLAN_REMCSUM_TX` (u8).
pub const IFLA_VXLAN_REMCSUM_TX: u16 = 21;
/// `IFLA_VXLAN_REMCSUM_RX` (u8).
pub const IFLA_VXLAN_REMCSUM_RX: u16 = 22;
/// `IFLA_VXLAN_GBP` (flag).
pub const IFLA_VXLAN_GBP: u16 = 23;
/// `IFLA_VXLAN_REMCSUM_NOPARTIAL` (flag).
pub const IFLA_VXLAN_REMCSUM_NOPARTIAL: u16 = 24;
/// `IFLA_VXLAN_COLLECT_METADATA` (u8).
pub const IFLA_VXLAN_COLLECT_METADATA: u16 = 25;
/// `IFLA_VXLAN_LABEL`: IPv6 flow label (be32).
pub const IFLA_VXLAN_LABEL: u16 = 26;
/// `IFLA_VXLAN_GPE` (flag).
pub const IFLA_VXLAN_GPE: u16 = 27;
/// `IFLA_VXLAN_TTL_INHERIT` (flag on requests; u8 in current dumps).
pub const IFLA_VXLAN_TTL_INHERIT: u16 = 28;
/// `IFLA_VXLAN_DF` (u8, `VXLAN_DF_*`).
pub const IFLA_VXLAN_DF: u16 = 29;
/// `IFLA_VXLAN_VNIFILTER` (u8).
pub const IFLA_VXLAN_VNIFILTER: u16 = 30;
/// `IFLA_VXLAN_LOCALBYPASS` (u8).
pub const IFLA_VXLAN_LOCALBYPASS: u16 = 31;
/// `IFLA_VXLAN_LABEL_POLICY` (u32, `VXLAN_LABEL_*`).
pub const IFLA_VXLAN_LABEL_POLICY: u16 = 32;
/// `IFLA_VXLAN_RESERVED_BITS` (8 bytes, kept as Unknown).
pub const IFLA_VXLAN_RESERVED_BITS: u16 = 33;

/// `struct ifla_vxlan_port_range`: UDP source ports, inclusive (0, 0 means the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PortRange {
    /// Lowest port.
    pub low: u16,
    /// Highest port.
    pub high: u16,
}

impl AttrValue for PortRange {
    fn parse_value(a: &Attr<'_>, name: &'static str, _: usize) -> Result<Self, DecodeError> {
        let [l0, l1, h0, h1] = a.u32(name)?.to_ne_bytes();
        Ok(PortRange {
            low: u16::from_be_bytes([l0, l1]),
            high: u16::from_be_bytes([h0, h1]),
        })
    }
    fn value_len(&self) -> usize {
        4
    }
    fn emit_value(&self, b: &mut Builder<'_>, kind: u16) -> Result<(), EncodeError> {
        let [l0, l1] = self.low.to_be_bytes();
        let [h0, h1] = self.high.to_be_bytes();
        b.attr(kind, &[l0, l1, h0, h1])
    }
}

attribute_enum! {
    /// An `IFLA_VXLAN_*` attribute (vxlan `IFLA_INFO_DATA`).
    ///
    /// `IFLA_VXLAN_TTL_INHERIT` is a flag in iproute2's requests but a u8 in the kernel's
    /// dumps; this enum types the dump form, and an empty one stays `Unknown`.
    pub enum VxlanAttr {
        /// `IFLA_VXLAN_ID`: the VNI.
        Id(u32) = IFLA_VXLAN_ID: u32,
        /// `IFLA_VXLAN_GROUP`.
        Group(Ipv4Addr) = IFLA_VXLAN_GROUP: ipv4,
        /// `IFLA_VXLAN_LINK`.
        Link(u32) = IFLA_VXLAN_LINK: u32,
        /// `IFLA_VXLAN_LOCAL`.
        Local(Ipv4Addr) = IFLA_VXLAN_LOCAL: ipv4,
        /// `IFLA_VXLAN_TTL`.
        Ttl(u8) = IFLA_VXLAN_TTL: u8,
        /// `IFLA_VXLAN_TOS`.
        Tos(u8) = IFLA_VXLAN_TOS: u8,
        /// `IFLA_VXLAN_LEARNING`.
        Learning(u8) = IFLA_VXLAN_LEARNING: u8,
        /// `IFLA_VXLAN_AGEING`.
        Ageing(u32) = IFLA_VXLAN_AGEING: u32,
        /// `IFLA_VXLAN_LIMIT`.
        Limit(u32) = IFLA_VXLAN_LIMIT: u32,
        /// `IFLA_VXLAN_PORT_RANGE`.
        PortRange(PortRange) = IFLA_VXLAN_PORT_RANGE: custom,
        /// `IFLA_VXLAN_PROXY`.
        Proxy(u8) = IFLA_VXLAN_PROXY: u8,
        /// `IFLA_VXLAN_RSC`.
        Rsc(u8) = IFLA_VXLAN_RSC: u8,
        /// `IFLA_VXLAN_L2MISS`.
        L2Miss(u8) = IFLA_VXLAN_L2MISS: u8,
        /// `IFLA_VXLAN_L3MISS`.
        L3Miss(u8) = IFLA_VXLAN_L3MISS: u8,
        /// `IFLA_VXLAN_PORT`: destination port (4789 is the IANA port).
        Port(u16) = IFLA_VXLAN_PORT: be16,
        /// `IFLA_VXLAN_GROUP6`.
        Group6(Ipv6Addr) = IFLA_VXLAN_GROUP6: ipv6,
        /// `IFLA_VXLAN_LOCAL6`.
        Local6(Ipv6Addr) = IFLA_VXLAN_LOCAL6: ipv6,
        /// `IFLA_VXLAN_UDP_CSUM`.
        UdpCsum(u8) = IFLA_VXLAN_UDP_CSUM: u8,
        /// `IFLA_VXLAN_UDP_ZERO_CSUM6_TX`.
        UdpZeroCsum6Tx(u8) = IFLA_VXLAN_UDP_ZERO_CSUM6_TX: u8,
        /// `IFLA_VXLAN_UDP_ZERO_CSUM6_RX`.
        UdpZeroCsum6Rx(u8) = IFLA_VXLAN_UDP_ZERO_CSUM6_RX: u8,
        /// `IFLA_VXLAN_REMCSUM_TX`.
        RemcsumTx(u8) = IFLA_VXLAN_REMCSUM_TX: u8,
        /// `IFLA_VXLAN_REMCSUM_RX`.
        RemcsumRx(u8) = IFLA_VXLAN_REMCSUM_RX: u8,
        /// `IFLA_VXLAN_GBP`.
        Gbp = IFLA_VXLAN_GBP: flag,
        /// `IFLA_VXLAN_REMCSUM_NOPARTIAL`.
        RemcsumNoPartial = IFLA_VXLAN_REMCSUM_NOPARTIAL: flag,
        /// `IFLA_VXLAN_COLLECT_METADATA`.
        CollectMetadata(u8) = IFLA_VXLAN_COLLECT_METADATA: u8,
        /// `IFLA_VXLAN_LABEL`: IPv6 flow label.
        Label(u32) = IFLA_VXLAN_LABEL: be32,
        /// `IFLA_VXLAN_GPE`.
        Gpe = IFLA_VXLAN_GPE: flag,
        /// `IFLA_VXLAN_TTL_INHERIT` as dumped (u8).
        TtlInherit(u8) = IFLA_VXLAN_TTL_INHERIT: u8_or_flag,
        /// `IFLA_VXLAN_DF`.
        Df(u8) = IFLA_VXLAN_DF: u8,
        /// `IFLA_VXLAN_VNIFILTER`.
        VniFilter(u8) = IFLA_VXLAN_VNIFILTER: u8,
        /// `IFLA_VXLAN_LOCALBYPASS`.
        LocalBypass(u8) = IFLA_VXLAN_LOCALBYPASS: u8,
        /// `IFLA_VXLAN_LABEL_POLICY`.
        LabelPolicy(u32) = IFLA_VXLAN_LABEL_POLICY: u32,
    }
}
