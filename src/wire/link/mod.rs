//! The LINK family: `struct ifinfomsg` and the `IFLA_*` attributes of `RTM_NEWLINK`,
//! `RTM_DELLINK`, `RTM_GETLINK` and `RTM_SETLINK` (linux/rtnetlink.h, linux/if_link.h).
//!
//! [`LinkMessageBuffer`] is a zero-copy view of a message payload; [`LinkMessage`] is the
//! owned form, a [`LinkHeader`] and a list of [`LinkAttr`] in wire order. Kind-specific data
//! (`IFLA_LINKINFO`) lives in [`LinkInfo`], typed for veth, bridge (and bridge ports),
//! macvlan/macvtap, vxlan and tun.
//!
//! Round trips: everything the kernel or iproute2 writes re-encodes to the same bytes.
//! Attributes without a typed variant, typed ones carrying flag bits, and strings in a
//! non-canonical form (no NUL, bytes after it, not UTF-8) are kept as `Unknown`. Padding and
//! the ifinfomsg pad byte are written as zeros.
//!
//! ```
//! use netplumb::wire::link::{LinkAttr, LinkInfo, LinkMessage};
//! use netplumb::wire::{Emit, NlmsgFlags, Builder, nlmsg::RTM_NEWLINK};
//! // ip link add veth0 type veth peer name veth1
//! let peer = LinkMessage::new(0).with(LinkAttr::IfName("veth1".into()));
//! let req = LinkMessage::new(0)
//!     .with(LinkAttr::IfName("veth0".into()))
//!     .with(LinkAttr::LinkInfo(LinkInfo::veth(peer)));
//! let flags = NlmsgFlags::REQUEST | NlmsgFlags::ACK | NlmsgFlags::CREATE | NlmsgFlags::EXCL;
//! let mut b = Builder::new();
//! b.message(RTM_NEWLINK, flags, 1, 0, &req).unwrap();
//! assert_eq!(b.len(), 92);
//! let back = LinkMessage::parse(&req.to_vec().unwrap()).unwrap();
//! assert_eq!(back.info().and_then(|i| i.peer()).and_then(|p| p.name()), Some("veth1"));
//! ```

mod bridge;
mod detail;
mod info;
mod macvlan;
mod stats;
mod tun;
mod vf;
mod vxlan;
mod xdp;

pub use bridge::*;
pub use detail::*;
pub use info::*;
pub use macvlan::*;
pub use stats::*;
pub use tun::*;
pub use vf::*;
pub use vxlan::*;
pub use xdp::*;

use super::attr::{Attr, AttrIter, MAX_NEST_DEPTH};
use super::attr_enum::{AttrEnum, AttrValue};
use super::{Builder, DecodeError, Emit, EncodeError, byte, read_field};

/// `sizeof(struct ifinfomsg)`.
pub const IFINFOMSG_LEN: usize = 16;

/// Byte offsets and ranges inside `struct ifinfomsg`.
mod field {
    use crate::wire::Field;
    /// `ifi_family` (u8).
    pub const FAMILY: usize = 0;
    // Offset 1 is `__ifi_pad`: ignored on read, zero on write.
    /// `ifi_type` (u16).
    pub const TYPE: Field = 2..4;
    /// `ifi_index` (s32).
    pub const INDEX: Field = 4..8;
    /// `ifi_flags` (u32).
    pub const FLAGS: Field = 8..12;
    /// `ifi_change` (u32).
    pub const CHANGE: Field = 12..16;
}

/// `IFLA_UNSPEC`: unused.
pub const IFLA_UNSPEC: u16 = 0;
/// `IFLA_ADDRESS`: link-layer address (bytes, any length).
pub const IFLA_ADDRESS: u16 = 1;
/// `IFLA_BROADCAST`: link-layer broadcast address (bytes).
pub const IFLA_BROADCAST: u16 = 2;
/// `IFLA_IFNAME`: interface name (string, under 16 bytes).
pub const IFLA_IFNAME: u16 = 3;
/// `IFLA_MTU`: MTU (u32).
pub const IFLA_MTU: u16 = 4;
/// `IFLA_LINK`: ifindex of the underlying link (u32).
pub const IFLA_LINK: u16 = 5;
/// `IFLA_QDISC`: root qdisc kind (string).
pub const IFLA_QDISC: u16 = 6;
/// `IFLA_STATS`: `struct rtnl_link_stats` (32-bit counters).
pub const IFLA_STATS: u16 = 7;
/// `IFLA_COST`: unused by the kernel.
pub const IFLA_COST: u16 = 8;
/// `IFLA_PRIORITY`: unused by the kernel.
pub const IFLA_PRIORITY: u16 = 9;
/// `IFLA_MASTER`: ifindex of the master (bridge, bond...) (u32).
pub const IFLA_MASTER: u16 = 10;
/// `IFLA_WIRELESS`: wireless extension event.
pub const IFLA_WIRELESS: u16 = 11;
/// `IFLA_PROTINFO`: protocol specific information (nest).
pub const IFLA_PROTINFO: u16 = 12;
/// `IFLA_TXQLEN`: transmit queue length (u32).
pub const IFLA_TXQLEN: u16 = 13;
/// `IFLA_MAP`: `struct rtnl_link_ifmap`.
pub const IFLA_MAP: u16 = 14;
/// `IFLA_WEIGHT`: unused by the kernel.
pub const IFLA_WEIGHT: u16 = 15;
/// `IFLA_OPERSTATE`: RFC 2863 operational state (u8, see [`OperState`]).
pub const IFLA_OPERSTATE: u16 = 16;
/// `IFLA_LINKMODE`: link mode (u8, `IF_LINK_MODE_*`).
pub const IFLA_LINKMODE: u16 = 17;
/// `IFLA_LINKINFO`: kind and kind-specific data (nest, see [`LinkInfo`]).
pub const IFLA_LINKINFO: u16 = 18;
/// `IFLA_NET_NS_PID`: move to the namespace of this pid (u32).
pub const IFLA_NET_NS_PID: u16 = 19;
/// `IFLA_IFALIAS`: interface alias (string).
pub const IFLA_IFALIAS: u16 = 20;
/// `IFLA_NUM_VF`: number of SR-IOV VFs (u32).
pub const IFLA_NUM_VF: u16 = 21;
/// `IFLA_VFINFO_LIST`: SR-IOV VF information (nest).
pub const IFLA_VFINFO_LIST: u16 = 22;
/// `IFLA_STATS64`: `struct rtnl_link_stats64`.
pub const IFLA_STATS64: u16 = 23;
/// `IFLA_VF_PORTS`: SR-IOV VF ports (nest).
pub const IFLA_VF_PORTS: u16 = 24;
/// `IFLA_PORT_SELF`: port profile of the device itself (nest).
pub const IFLA_PORT_SELF: u16 = 25;
/// `IFLA_AF_SPEC`: per address family data (nest of families).
pub const IFLA_AF_SPEC: u16 = 26;
/// `IFLA_GROUP`: device group (u32).
pub const IFLA_GROUP: u16 = 27;
/// `IFLA_NET_NS_FD`: move to the namespace of this fd (u32).
pub const IFLA_NET_NS_FD: u16 = 28;
/// `IFLA_EXT_MASK`: `RTEXT_FILTER_*` mask in requests (u32).
pub const IFLA_EXT_MASK: u16 = 29;
/// `IFLA_PROMISCUITY`: promiscuity count (u32).
pub const IFLA_PROMISCUITY: u16 = 30;
/// `IFLA_NUM_TX_QUEUES`: number of transmit queues (u32).
pub const IFLA_NUM_TX_QUEUES: u16 = 31;
/// `IFLA_NUM_RX_QUEUES`: number of receive queues (u32).
pub const IFLA_NUM_RX_QUEUES: u16 = 32;
/// `IFLA_CARRIER`: carrier on (u8).
pub const IFLA_CARRIER: u16 = 33;
/// `IFLA_PHYS_PORT_ID`: physical port id (bytes).
pub const IFLA_PHYS_PORT_ID: u16 = 34;
/// `IFLA_CARRIER_CHANGES`: carrier transitions (u32).
pub const IFLA_CARRIER_CHANGES: u16 = 35;
/// `IFLA_PHYS_SWITCH_ID`: switch id (bytes).
pub const IFLA_PHYS_SWITCH_ID: u16 = 36;
/// `IFLA_LINK_NETNSID`: namespace id of `IFLA_LINK`'s namespace (s32).
pub const IFLA_LINK_NETNSID: u16 = 37;
/// `IFLA_PHYS_PORT_NAME`: physical port name (string).
pub const IFLA_PHYS_PORT_NAME: u16 = 38;
/// `IFLA_PROTO_DOWN`: protocol down (u8).
pub const IFLA_PROTO_DOWN: u16 = 39;
/// `IFLA_GSO_MAX_SEGS`: GSO segment limit (u32).
pub const IFLA_GSO_MAX_SEGS: u16 = 40;
/// `IFLA_GSO_MAX_SIZE`: GSO size limit (u32).
pub const IFLA_GSO_MAX_SIZE: u16 = 41;
/// `IFLA_PAD`: alignment padding for 64-bit values.
pub const IFLA_PAD: u16 = 42;
/// `IFLA_XDP`: attached XDP programs (nest).
pub const IFLA_XDP: u16 = 43;
/// `IFLA_EVENT`: reason of a notification (u32, `IFLA_EVENT_*`).
pub const IFLA_EVENT: u16 = 44;
/// `IFLA_NEW_NETNSID`: namespace id the link moved to (s32).
pub const IFLA_NEW_NETNSID: u16 = 45;
/// `IFLA_IF_NETNSID`: the namespace a request targets (s32); alias `IFLA_TARGET_NETNSID`.
pub const IFLA_IF_NETNSID: u16 = 46;
/// `IFLA_TARGET_NETNSID`: new name of `IFLA_IF_NETNSID`.
pub const IFLA_TARGET_NETNSID: u16 = IFLA_IF_NETNSID;
/// `IFLA_CARRIER_UP_COUNT`: carrier up transitions (u32).
pub const IFLA_CARRIER_UP_COUNT: u16 = 47;
/// `IFLA_CARRIER_DOWN_COUNT`: carrier down transitions (u32).
pub const IFLA_CARRIER_DOWN_COUNT: u16 = 48;
/// `IFLA_NEW_IFINDEX`: ifindex the link gets in its new namespace (s32).
pub const IFLA_NEW_IFINDEX: u16 = 49;
/// `IFLA_MIN_MTU`: smallest MTU allowed (u32).
pub const IFLA_MIN_MTU: u16 = 50;
/// `IFLA_MAX_MTU`: largest MTU allowed (u32).
pub const IFLA_MAX_MTU: u16 = 51;
/// `IFLA_PROP_LIST`: property list (nest of `IFLA_ALT_IFNAME`).
pub const IFLA_PROP_LIST: u16 = 52;
/// `IFLA_ALT_IFNAME`: alternative interface name (string).
pub const IFLA_ALT_IFNAME: u16 = 53;
/// `IFLA_PERM_ADDRESS`: permanent hardware address (bytes).
pub const IFLA_PERM_ADDRESS: u16 = 54;
/// `IFLA_PROTO_DOWN_REASON`: reasons for protocol down (nest).
pub const IFLA_PROTO_DOWN_REASON: u16 = 55;
/// `IFLA_PARENT_DEV_NAME`: parent device (sysfs) name (string).
pub const IFLA_PARENT_DEV_NAME: u16 = 56;
/// `IFLA_PARENT_DEV_BUS_NAME`: parent device bus name (string).
pub const IFLA_PARENT_DEV_BUS_NAME: u16 = 57;
/// `IFLA_GRO_MAX_SIZE`: GRO size limit (u32).
pub const IFLA_GRO_MAX_SIZE: u16 = 58;
/// `IFLA_TSO_MAX_SIZE`: TSO size limit of the device (u32).
pub const IFLA_TSO_MAX_SIZE: u16 = 59;
/// `IFLA_TSO_MAX_SEGS`: TSO segment limit of the device (u32).
pub const IFLA_TSO_MAX_SEGS: u16 = 60;
/// `IFLA_ALLMULTI`: allmulti count (u32).
pub const IFLA_ALLMULTI: u16 = 61;
/// `IFLA_DEVLINK_PORT`: devlink port (nest).
pub const IFLA_DEVLINK_PORT: u16 = 62;
/// `IFLA_GSO_IPV4_MAX_SIZE`: GSO size limit for IPv4 (u32).
pub const IFLA_GSO_IPV4_MAX_SIZE: u16 = 63;
/// `IFLA_GRO_IPV4_MAX_SIZE`: GRO size limit for IPv4 (u32).
pub const IFLA_GRO_IPV4_MAX_SIZE: u16 = 64;
/// `IFLA_DPLL_PIN`: DPLL pin (nest).
pub const IFLA_DPLL_PIN: u16 = 65;
/// `IFLA_MAX_PACING_OFFLOAD_HORIZON`: pacing offload horizon in ns (u32).
pub const IFLA_MAX_PACING_OFFLOAD_HORIZON: u16 = 66;
/// `IFLA_NETNS_IMMUTABLE`: the link cannot change namespace (u8).
pub const IFLA_NETNS_IMMUTABLE: u16 = 67;
/// `IFLA_HEADROOM`: needed headroom (u16).
pub const IFLA_HEADROOM: u16 = 68;
/// `IFLA_TAILROOM`: needed tailroom (u16).
pub const IFLA_TAILROOM: u16 = 69;

/// `RTEXT_FILTER_VF`: include VF information (`IFLA_EXT_MASK`).
pub const RTEXT_FILTER_VF: u32 = 1 << 0;
/// `RTEXT_FILTER_BRVLAN`: include bridge VLANs (`IFLA_EXT_MASK`).
pub const RTEXT_FILTER_BRVLAN: u32 = 1 << 1;
/// `RTEXT_FILTER_BRVLAN_COMPRESSED`: bridge VLANs as ranges (`IFLA_EXT_MASK`).
pub const RTEXT_FILTER_BRVLAN_COMPRESSED: u32 = 1 << 2;
/// `RTEXT_FILTER_SKIP_STATS`: leave out `IFLA_STATS*` (`IFLA_EXT_MASK`).
pub const RTEXT_FILTER_SKIP_STATS: u32 = 1 << 3;

bitflags::bitflags! {
    /// `ifi_flags` and `ifi_change` (`IFF_*`, linux/if.h). Unknown bits are kept.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct IfFlags: u32 {
        /// `IFF_UP`: administratively up.
        const UP = 1 << 0;
        /// `IFF_BROADCAST`: broadcast address valid.
        const BROADCAST = 1 << 1;
        /// `IFF_DEBUG`: debugging on.
        const DEBUG = 1 << 2;
        /// `IFF_LOOPBACK`: a loopback device.
        const LOOPBACK = 1 << 3;
        /// `IFF_POINTOPOINT`: a point-to-point link.
        const POINTOPOINT = 1 << 4;
        /// `IFF_NOTRAILERS`: avoid trailers.
        const NOTRAILERS = 1 << 5;
        /// `IFF_RUNNING`: operationally up (RFC 2863 OPER_UP).
        const RUNNING = 1 << 6;
        /// `IFF_NOARP`: no ARP.
        const NOARP = 1 << 7;
        /// `IFF_PROMISC`: receive all packets.
        const PROMISC = 1 << 8;
        /// `IFF_ALLMULTI`: receive all multicast.
        const ALLMULTI = 1 << 9;
        /// `IFF_MASTER`: master of a load balancer.
        const MASTER = 1 << 10;
        /// `IFF_SLAVE`: slave of a load balancer.
        const SLAVE = 1 << 11;
        /// `IFF_MULTICAST`: supports multicast.
        const MULTICAST = 1 << 12;
        /// `IFF_PORTSEL`: can set media type.
        const PORTSEL = 1 << 13;
        /// `IFF_AUTOMEDIA`: auto media select active.
        const AUTOMEDIA = 1 << 14;
        /// `IFF_DYNAMIC`: dial-up device with changing addresses.
        const DYNAMIC = 1 << 15;
        /// `IFF_LOWER_UP`: driver signals L1 up.
        const LOWER_UP = 1 << 16;
        /// `IFF_DORMANT`: driver signals dormant.
        const DORMANT = 1 << 17;
        /// `IFF_ECHO`: echo sent packets.
        const ECHO = 1 << 18;
        // Bits the kernel may add later are kept as read.
        const _ = !0;
    }
}

/// `IFLA_OPERSTATE` (`IF_OPER_*`, RFC 2863).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OperState {
    /// `IF_OPER_UNKNOWN` is `Unknown(0)` (what `lo` and tun devices report); other values
    /// are states this crate has no name for.
    Unknown(u8),
    /// `IF_OPER_NOTPRESENT` (1).
    NotPresent,
    /// `IF_OPER_DOWN` (2).
    Down,
    /// `IF_OPER_LOWERLAYERDOWN` (3).
    LowerLayerDown,
    /// `IF_OPER_TESTING` (4).
    Testing,
    /// `IF_OPER_DORMANT` (5).
    Dormant,
    /// `IF_OPER_UP` (6).
    Up,
}

impl From<u8> for OperState {
    fn from(v: u8) -> Self {
        match v {
            1 => OperState::NotPresent,
            2 => OperState::Down,
            3 => OperState::LowerLayerDown,
            4 => OperState::Testing,
            5 => OperState::Dormant,
            6 => OperState::Up,
            other => OperState::Unknown(other),
        }
    }
}

impl From<OperState> for u8 {
    fn from(s: OperState) -> u8 {
        match s {
            OperState::Unknown(v) => v,
            OperState::NotPresent => 1,
            OperState::Down => 2,
            OperState::LowerLayerDown => 3,
            OperState::Testing => 4,
            OperState::Dormant => 5,
            OperState::Up => 6,
        }
    }
}

impl AttrValue for OperState {
    fn parse_value(a: &Attr<'_>, name: &'static str, _: usize) -> Result<Self, DecodeError> {
        a.u8(name).map(OperState::from)
    }
    fn value_len(&self) -> usize {
        1
    }
    fn emit_value(&self, b: &mut Builder<'_>, kind: u16) -> Result<(), EncodeError> {
        b.attr_u8(kind, u8::from(*self))
    }
}

message_buffer! {
    /// A zero-copy view of a LINK message payload (`struct ifinfomsg` and attributes).
    LinkMessageBuffer, IFINFOMSG_LEN, "ifinfomsg"
}

impl<T: AsRef<[u8]>> LinkMessageBuffer<T> {
    /// `ifi_family` (`AF_UNSPEC` except for AF_BRIDGE requests).
    pub fn family(&self) -> u8 {
        byte(self.buffer.as_ref(), field::FAMILY)
    }
    /// `ifi_type`: the `ARPHRD_*` link-layer type.
    pub fn link_layer_type(&self) -> u16 {
        read_field::<u16>(self.buffer.as_ref(), field::TYPE)
    }
    /// `ifi_index`.
    pub fn index(&self) -> i32 {
        read_field::<i32>(self.buffer.as_ref(), field::INDEX)
    }
    /// `ifi_flags`.
    pub fn flags(&self) -> IfFlags {
        IfFlags::from_bits_retain(read_field::<u32>(self.buffer.as_ref(), field::FLAGS))
    }
    /// `ifi_change`: which flags a request changes.
    pub fn change_mask(&self) -> IfFlags {
        IfFlags::from_bits_retain(read_field::<u32>(self.buffer.as_ref(), field::CHANGE))
    }
    /// The header as an owned value.
    pub fn header(&self) -> LinkHeader {
        LinkHeader {
            family: self.family(),
            link_layer_type: self.link_layer_type(),
            index: self.index(),
            flags: self.flags(),
            change_mask: self.change_mask(),
        }
    }
}

/// An owned `struct ifinfomsg`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct LinkHeader {
    /// `ifi_family`.
    pub family: u8,
    /// `ifi_type` (`ARPHRD_*`).
    pub link_layer_type: u16,
    /// `ifi_index`; 0 in requests that name the link or create one.
    pub index: i32,
    /// `ifi_flags`.
    pub flags: IfFlags,
    /// `ifi_change`.
    pub change_mask: IfFlags,
}

impl LinkHeader {
    /// A header for link `index` with every other field zero.
    pub fn new(index: i32) -> Self {
        LinkHeader {
            index,
            ..Self::default()
        }
    }

    /// Appends the 16 header bytes (the pad byte as zero).
    pub fn emit(&self, b: &mut Builder<'_>) -> Result<(), EncodeError> {
        b.put_u8(self.family)?;
        b.put_u8(0)?;
        b.put_u16(self.link_layer_type)?;
        b.put_i32(self.index)?;
        b.put_u32(self.flags.bits())?;
        b.put_u32(self.change_mask.bits())
    }
}

attribute_enum! {
    /// One `IFLA_*` attribute of a LINK message.
    pub enum LinkAttr {
        /// `IFLA_ADDRESS`: link-layer address.
        Address(Vec<u8>) = IFLA_ADDRESS: bytes,
        /// `IFLA_BROADCAST`: link-layer broadcast address.
        Broadcast(Vec<u8>) = IFLA_BROADCAST: bytes,
        /// `IFLA_IFNAME`: interface name.
        IfName(String) = IFLA_IFNAME: ifname,
        /// `IFLA_MTU`.
        Mtu(u32) = IFLA_MTU: u32,
        /// `IFLA_LINK`: ifindex of the underlying link.
        Link(u32) = IFLA_LINK: u32,
        /// `IFLA_QDISC`: root qdisc kind.
        Qdisc(String) = IFLA_QDISC: str,
        /// `IFLA_STATS`: 32-bit counters.
        Stats(Box<Stats>) = IFLA_STATS: custom,
        /// `IFLA_MASTER`: ifindex of the master.
        Master(u32) = IFLA_MASTER: u32,
        /// `IFLA_PROTINFO`: protocol specific data, the nest's value as read.
        ProtInfo(Vec<u8>) = IFLA_PROTINFO: bytes,
        /// `IFLA_TXQLEN`.
        TxQueueLen(u32) = IFLA_TXQLEN: u32,
        /// `IFLA_OPERSTATE`.
        OperState(OperState) = IFLA_OPERSTATE: custom,
        /// `IFLA_LINKMODE` (`IF_LINK_MODE_*`).
        LinkMode(u8) = IFLA_LINKMODE: u8,
        /// `IFLA_LINKINFO`: kind and kind-specific data.
        LinkInfo(LinkInfo) = IFLA_LINKINFO: custom,
        /// `IFLA_NET_NS_PID`: move to this process's namespace.
        NetNsPid(u32) = IFLA_NET_NS_PID: u32,
        /// `IFLA_IFALIAS`.
        IfAlias(String) = IFLA_IFALIAS: str,
        /// `IFLA_NUM_VF`.
        NumVf(u32) = IFLA_NUM_VF: u32,
        /// `IFLA_VFINFO_LIST`: the SR-IOV virtual functions (see [`VfInfoList`]).
        VfInfoList(VfInfoList) = IFLA_VFINFO_LIST: custom,
        /// `IFLA_STATS64`: 64-bit counters.
        Stats64(Box<Stats64>) = IFLA_STATS64: custom,
        /// `IFLA_AF_SPEC`: per-family data, the nest's value as read.
        AfSpec(Vec<u8>) = IFLA_AF_SPEC: bytes,
        /// `IFLA_GROUP`.
        Group(u32) = IFLA_GROUP: u32,
        /// `IFLA_NET_NS_FD`: move to the namespace of this fd.
        NetNsFd(u32) = IFLA_NET_NS_FD: u32,
        /// `IFLA_EXT_MASK`: `RTEXT_FILTER_*` bits of a request.
        ExtMask(u32) = IFLA_EXT_MASK: u32,
        /// `IFLA_PROMISCUITY`: promiscuity count.
        Promiscuity(u32) = IFLA_PROMISCUITY: u32,
        /// `IFLA_NUM_TX_QUEUES`.
        NumTxQueues(u32) = IFLA_NUM_TX_QUEUES: u32,
        /// `IFLA_NUM_RX_QUEUES`.
        NumRxQueues(u32) = IFLA_NUM_RX_QUEUES: u32,
        /// `IFLA_CARRIER`.
        Carrier(u8) = IFLA_CARRIER: u8,
        /// `IFLA_PHYS_PORT_ID`.
        PhysPortId(Vec<u8>) = IFLA_PHYS_PORT_ID: bytes,
        /// `IFLA_CARRIER_CHANGES`.
        CarrierChanges(u32) = IFLA_CARRIER_CHANGES: u32,
        /// `IFLA_PHYS_SWITCH_ID`.
        PhysSwitchId(Vec<u8>) = IFLA_PHYS_SWITCH_ID: bytes,
        /// `IFLA_LINK_NETNSID`: namespace id of the underlying link's namespace.
        LinkNetNsId(i32) = IFLA_LINK_NETNSID: i32,
        /// `IFLA_PHYS_PORT_NAME`.
        PhysPortName(String) = IFLA_PHYS_PORT_NAME: str,
        /// `IFLA_PROTO_DOWN`.
        ProtoDown(u8) = IFLA_PROTO_DOWN: u8,
        /// `IFLA_GSO_MAX_SEGS`.
        GsoMaxSegs(u32) = IFLA_GSO_MAX_SEGS: u32,
        /// `IFLA_GSO_MAX_SIZE`.
        GsoMaxSize(u32) = IFLA_GSO_MAX_SIZE: u32,
        /// `IFLA_XDP`: attached XDP programs (see [`Xdp`]).
        Xdp(Xdp) = IFLA_XDP: custom,
        /// `IFLA_EVENT` (`IFLA_EVENT_*`).
        Event(u32) = IFLA_EVENT: u32,
        /// `IFLA_NEW_NETNSID`.
        NewNetNsId(i32) = IFLA_NEW_NETNSID: i32,
        /// `IFLA_TARGET_NETNSID` (`IFLA_IF_NETNSID`).
        TargetNetNsId(i32) = IFLA_TARGET_NETNSID: i32,
        /// `IFLA_CARRIER_UP_COUNT`.
        CarrierUpCount(u32) = IFLA_CARRIER_UP_COUNT: u32,
        /// `IFLA_CARRIER_DOWN_COUNT`.
        CarrierDownCount(u32) = IFLA_CARRIER_DOWN_COUNT: u32,
        /// `IFLA_NEW_IFINDEX`.
        NewIfIndex(i32) = IFLA_NEW_IFINDEX: i32,
        /// `IFLA_MIN_MTU`.
        MinMtu(u32) = IFLA_MIN_MTU: u32,
        /// `IFLA_MAX_MTU`.
        MaxMtu(u32) = IFLA_MAX_MTU: u32,
        /// `IFLA_ALT_IFNAME`.
        AltIfName(String) = IFLA_ALT_IFNAME: str,
        /// `IFLA_PERM_ADDRESS`.
        PermAddress(Vec<u8>) = IFLA_PERM_ADDRESS: bytes,
        /// `IFLA_PARENT_DEV_NAME`.
        ParentDevName(String) = IFLA_PARENT_DEV_NAME: str,
        /// `IFLA_PARENT_DEV_BUS_NAME`.
        ParentDevBusName(String) = IFLA_PARENT_DEV_BUS_NAME: str,
        /// `IFLA_GRO_MAX_SIZE`.
        GroMaxSize(u32) = IFLA_GRO_MAX_SIZE: u32,
        /// `IFLA_TSO_MAX_SIZE`.
        TsoMaxSize(u32) = IFLA_TSO_MAX_SIZE: u32,
        /// `IFLA_TSO_MAX_SEGS`.
        TsoMaxSegs(u32) = IFLA_TSO_MAX_SEGS: u32,
        /// `IFLA_ALLMULTI`: allmulti count.
        Allmulti(u32) = IFLA_ALLMULTI: u32,
        /// `IFLA_GSO_IPV4_MAX_SIZE`.
        GsoIpv4MaxSize(u32) = IFLA_GSO_IPV4_MAX_SIZE: u32,
        /// `IFLA_GRO_IPV4_MAX_SIZE`.
        GroIpv4MaxSize(u32) = IFLA_GRO_IPV4_MAX_SIZE: u32,
        /// `IFLA_MAX_PACING_OFFLOAD_HORIZON`.
        MaxPacingOffloadHorizon(u32) = IFLA_MAX_PACING_OFFLOAD_HORIZON: u32,
        /// `IFLA_NETNS_IMMUTABLE`.
        NetNsImmutable(u8) = IFLA_NETNS_IMMUTABLE: u8,
        /// `IFLA_HEADROOM`.
        Headroom(u16) = IFLA_HEADROOM: u16,
        /// `IFLA_TAILROOM`.
        Tailroom(u16) = IFLA_TAILROOM: u16,
    }
}

/// An owned LINK message: header and attributes in wire order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LinkMessage {
    /// The ifinfomsg.
    pub header: LinkHeader,
    /// The attributes, in the order they were read or are to be written.
    pub attrs: Vec<LinkAttr>,
}

impl LinkMessage {
    /// A message about link `index` (0 when naming or creating a link) with no attributes.
    pub fn new(index: i32) -> Self {
        LinkMessage {
            header: LinkHeader::new(index),
            attrs: Vec::new(),
        }
    }

    /// The message with `attr` appended.
    #[must_use]
    pub fn with(mut self, attr: LinkAttr) -> Self {
        self.attrs.push(attr);
        self
    }

    /// Reads a message payload (the bytes after nlmsghdr). Error offsets count from its start.
    pub fn parse(payload: &[u8]) -> Result<Self, DecodeError> {
        Self::parse_at(payload, 0, 0)
    }

    /// Reads a payload found at `offset` of the outer buffer, nested `depth` levels deep.
    fn parse_at(payload: &[u8], offset: usize, depth: usize) -> Result<Self, DecodeError> {
        let view = LinkMessageBuffer::new_checked(payload).map_err(|e| e.shift(offset))?;
        let rest = payload.get(IFINFOMSG_LEN..).unwrap_or(&[]);
        let iter = AttrIter::with_base(rest, offset.saturating_add(IFINFOMSG_LEN));
        // Sized by a first walk (the iterator is fused: it ends at a malformed header); a
        // plain loop, not `collect::<Result<_, _>>`, which is markedly slower here.
        let mut attrs = Vec::with_capacity(iter.clone().count());
        for a in iter {
            attrs.push(LinkAttr::parse_in(&a?, depth)?);
        }
        Ok(LinkMessage {
            header: view.header(),
            attrs,
        })
    }

    /// `ifi_index`.
    pub fn index(&self) -> i32 {
        self.header.index
    }
    /// `ifi_flags`.
    pub fn flags(&self) -> IfFlags {
        self.header.flags
    }
    /// True when `IFF_UP` is set.
    pub fn is_up(&self) -> bool {
        self.header.flags.contains(IfFlags::UP)
    }

    /// The first attribute `f` picks.
    pub fn find<'a, R>(&'a self, f: impl FnMut(&'a LinkAttr) -> Option<R>) -> Option<R> {
        self.attrs.iter().find_map(f)
    }

    /// `IFLA_IFNAME`.
    pub fn name(&self) -> Option<&str> {
        self.find(|a| match a {
            LinkAttr::IfName(n) => Some(n.as_str()),
            _ => None,
        })
    }
    /// `IFLA_MTU`.
    pub fn mtu(&self) -> Option<u32> {
        self.find(|a| match a {
            LinkAttr::Mtu(v) => Some(*v),
            _ => None,
        })
    }
    /// `IFLA_MASTER`.
    pub fn master(&self) -> Option<u32> {
        self.find(|a| match a {
            LinkAttr::Master(v) => Some(*v),
            _ => None,
        })
    }
    /// `IFLA_LINK`.
    pub fn link(&self) -> Option<u32> {
        self.find(|a| match a {
            LinkAttr::Link(v) => Some(*v),
            _ => None,
        })
    }
    /// `IFLA_ADDRESS`.
    pub fn address(&self) -> Option<&[u8]> {
        self.find(|a| match a {
            LinkAttr::Address(v) => Some(v.as_slice()),
            _ => None,
        })
    }
    /// `IFLA_BROADCAST`.
    pub fn broadcast(&self) -> Option<&[u8]> {
        self.find(|a| match a {
            LinkAttr::Broadcast(v) => Some(v.as_slice()),
            _ => None,
        })
    }
    /// `IFLA_TXQLEN`.
    pub fn txqlen(&self) -> Option<u32> {
        self.find(|a| match a {
            LinkAttr::TxQueueLen(v) => Some(*v),
            _ => None,
        })
    }
    /// `IFLA_IFALIAS`.
    pub fn alias(&self) -> Option<&str> {
        self.find(|a| match a {
            LinkAttr::IfAlias(v) => Some(v.as_str()),
            _ => None,
        })
    }
    /// `IFLA_OPERSTATE`.
    pub fn operstate(&self) -> Option<OperState> {
        self.find(|a| match a {
            LinkAttr::OperState(v) => Some(*v),
            _ => None,
        })
    }
    /// `IFLA_STATS64`.
    pub fn stats64(&self) -> Option<&Stats64> {
        self.find(|a| match a {
            LinkAttr::Stats64(v) => Some(&**v),
            _ => None,
        })
    }
    /// `IFLA_LINKINFO`.
    pub fn info(&self) -> Option<&LinkInfo> {
        self.find(|a| match a {
            LinkAttr::LinkInfo(v) => Some(v),
            _ => None,
        })
    }
    /// `IFLA_INFO_KIND` inside `IFLA_LINKINFO` ("veth", "bridge", ...).
    pub fn kind(&self) -> Option<&str> {
        self.info().and_then(LinkInfo::kind)
    }
}

impl Emit for LinkMessage {
    fn buffer_len(&self) -> usize {
        IFINFOMSG_LEN + self.attrs.iter().map(LinkAttr::buffer_len).sum::<usize>()
    }
    fn emit(&self, b: &mut Builder<'_>) -> Result<(), EncodeError> {
        self.header.emit(b)?;
        self.attrs.iter().try_for_each(|a| a.emit(b))
    }
}

/// `VETH_INFO_PEER`: the value is a whole ifinfomsg and attributes, one level deeper.
impl AttrValue for LinkMessage {
    fn parse_value(a: &Attr<'_>, _: &'static str, base: usize) -> Result<Self, DecodeError> {
        let depth = base.saturating_add(a.depth()).saturating_add(1);
        if depth > MAX_NEST_DEPTH {
            return Err(DecodeError::NestingTooDeep {
                offset: a.offset(),
                max: MAX_NEST_DEPTH,
            });
        }
        LinkMessage::parse_at(a.value(), a.value_offset(), depth)
    }
    fn value_len(&self) -> usize {
        self.buffer_len()
    }
    fn emit_value(&self, b: &mut Builder<'_>, kind: u16) -> Result<(), EncodeError> {
        let n = b.nest_start(kind)?;
        self.emit(b)?;
        b.nest_end(n)
    }
}

#[cfg(test)]
mod tests;
