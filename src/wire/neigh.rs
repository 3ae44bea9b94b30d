//! Neighbours: `struct ndmsg` and the `NDA_*` attributes carried by `RTM_NEWNEIGH`,
//! `RTM_DELNEIGH` and `RTM_GETNEIGH` (linux/neighbour.h): ARP and NDP entries (`ip neigh`)
//! and, with family `AF_BRIDGE`, bridge and VXLAN forwarding entries (`bridge fdb`).
//!
//! ```
//! use netplumb::wire::{Emit, neigh::{NeighMessage, NeighState}};
//! // `ip neigh replace 198.18.0.9 lladdr 02:00:00:00:00:09 dev <index 3> nud permanent`
//! let msg = NeighMessage::new(3, "198.18.0.9".parse().unwrap(), NeighState::PERMANENT)
//!     .with_lladdr(&[2, 0, 0, 0, 0, 9]);
//! let back = NeighMessage::parse(&msg.to_vec().unwrap()).unwrap();
//! assert_eq!(back.mac(), Some([2, 0, 0, 0, 0, 9]));
//! ```

use super::attr::{Attr, NLA_F_NESTED, UnknownAttr};
use super::builder::{Builder, attr_size};
use super::family::family_of;
use super::{
    DecodeError, Emit, EncodeError, byte, parse_attrs, read_field, u32_words, words_to_bytes,
};
use std::net::IpAddr;

/// `sizeof(struct ndmsg)`.
pub const NDMSG_LEN: usize = 12;

/// Byte offsets and ranges inside `struct ndmsg`.
mod field {
    use crate::wire::Field;
    /// `ndm_family` (u8).
    pub const FAMILY: usize = 0;
    /// `ndm_pad1` (u8) and `ndm_pad2` (u16): reserved, written as zero.
    pub const PAD: Field = 1..4;
    /// `ndm_ifindex` (s32).
    pub const IFINDEX: Field = 4..8;
    /// `ndm_state` (u16).
    pub const STATE: Field = 8..10;
    /// `ndm_flags` (u8).
    pub const FLAGS: usize = 10;
    /// `ndm_type` (u8).
    pub const TYPE: usize = 11;
}

/// `AF_BRIDGE`: the `ndm_family` of bridge forwarding database entries.
pub use super::family::AF_BRIDGE;

/// `NDA_UNSPEC`: never sent.
pub const NDA_UNSPEC: u16 = 0;
/// `NDA_DST`: the neighbour's network address; for a VXLAN FDB entry, the remote VTEP.
pub const NDA_DST: u16 = 1;
/// `NDA_LLADDR`: the link-layer address (6 bytes on Ethernet; other lengths exist).
pub const NDA_LLADDR: u16 = 2;
/// `NDA_CACHEINFO`: `struct nda_cacheinfo`.
pub const NDA_CACHEINFO: u16 = 3;
/// `NDA_PROBES`: probes sent so far (u32).
pub const NDA_PROBES: u16 = 4;
/// `NDA_VLAN`: the VLAN of a bridge FDB entry (u16).
pub const NDA_VLAN: u16 = 5;
/// `NDA_PORT`: the VXLAN remote UDP port (big-endian u16).
pub const NDA_PORT: u16 = 6;
/// `NDA_VNI`: the VXLAN remote VNI (u32).
pub const NDA_VNI: u16 = 7;
/// `NDA_IFINDEX`: the VXLAN device to reach the remote through (u32).
pub const NDA_IFINDEX: u16 = 8;
/// `NDA_MASTER`: the bridge the port belongs to (u32 ifindex).
pub const NDA_MASTER: u16 = 9;
/// `NDA_LINK_NETNSID`: namespace id of the link (s32).
pub const NDA_LINK_NETNSID: u16 = 10;
/// `NDA_SRC_VNI`: source VNI for collect-metadata VXLAN (u32).
pub const NDA_SRC_VNI: u16 = 11;
/// `NDA_PROTOCOL`: who installed the entry (u8, `RTPROT_*`).
pub const NDA_PROTOCOL: u16 = 12;
/// `NDA_NH_ID`: the nexthop object id (u32).
pub const NDA_NH_ID: u16 = 13;
/// `NDA_FDB_EXT_ATTRS`: nested `NFEA_*` attributes of a bridge FDB entry.
pub const NDA_FDB_EXT_ATTRS: u16 = 14;
/// `NDA_FLAGS_EXT`: extended flags (u32, `NTF_EXT_*`).
pub const NDA_FLAGS_EXT: u16 = 15;
/// `NDA_NDM_STATE_MASK`: in a bulk delete or dump filter, which `ndm_state` bits to match
/// (u16).
pub const NDA_NDM_STATE_MASK: u16 = 16;
/// `NDA_NDM_FLAGS_MASK`: which `ndm_flags` bits to match (u8).
pub const NDA_NDM_FLAGS_MASK: u16 = 17;

/// `NFEA_ACTIVITY_NOTIFY` (inside `NDA_FDB_EXT_ATTRS`): activity notification bits (u8).
pub const NFEA_ACTIVITY_NOTIFY: u16 = 1;
/// `NFEA_DONT_REFRESH` (inside `NDA_FDB_EXT_ATTRS`): a flag: do not refresh the entry.
pub const NFEA_DONT_REFRESH: u16 = 2;

/// `NTF_EXT_MANAGED` (in `NDA_FLAGS_EXT`): kept reachable by the kernel.
pub const NTF_EXT_MANAGED: u32 = 1 << 0;

bitflags::bitflags! {
    /// Neighbour states (`NUD_*`, `ndm_state`). `NONE` is 0: test it with `is_empty()`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct NeighState: u16 {
        /// `NUD_INCOMPLETE`: resolution in progress.
        const INCOMPLETE = 0x01;
        /// `NUD_REACHABLE`: confirmed reachable recently.
        const REACHABLE = 0x02;
        /// `NUD_STALE`: valid but unconfirmed.
        const STALE = 0x04;
        /// `NUD_DELAY`: waiting before probing.
        const DELAY = 0x08;
        /// `NUD_PROBE`: probing.
        const PROBE = 0x10;
        /// `NUD_FAILED`: resolution failed.
        const FAILED = 0x20;
        /// `NUD_NOARP`: needs no resolution (also a static bridge FDB entry).
        const NOARP = 0x40;
        /// `NUD_PERMANENT`: set by hand, never expires.
        const PERMANENT = 0x80;
        /// `NUD_NONE`: no state (0).
        const NONE = 0x00;
        // Unknown bits are kept, so that what was read is written back unchanged.
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// Neighbour flags (`NTF_*`, `ndm_flags`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct NeighFlags: u8 {
        /// `NTF_USE`: mark the entry as used (triggers resolution).
        const USE = 1 << 0;
        /// `NTF_SELF`: the device's own FDB (`bridge fdb ... self`).
        const SELF = 1 << 1;
        /// `NTF_MASTER`: the master bridge's FDB (`bridge fdb ... master`).
        const MASTER = 1 << 2;
        /// `NTF_PROXY`: a proxy ARP/NDP entry.
        const PROXY = 1 << 3;
        /// `NTF_EXT_LEARNED`: learned by an external control plane.
        const EXT_LEARNED = 1 << 4;
        /// `NTF_OFFLOADED`: offloaded to hardware.
        const OFFLOADED = 1 << 5;
        /// `NTF_STICKY`: a bridge entry that never roams.
        const STICKY = 1 << 6;
        /// `NTF_ROUTER`: the neighbour is an IPv6 router.
        const ROUTER = 1 << 7;
    }
}

/// `struct nda_cacheinfo`: ages in hundredths of a second (clock ticks converted by the
/// kernel).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NeighCacheInfo {
    /// `ndm_confirmed`: time since the neighbour was last confirmed.
    pub confirmed: u32,
    /// `ndm_used`: time since the entry was last used.
    pub used: u32,
    /// `ndm_updated`: time since the entry was last updated.
    pub updated: u32,
    /// `ndm_refcnt`: references held, minus one.
    pub refcnt: u32,
}

/// `sizeof(struct nda_cacheinfo)`.
const CACHEINFO_LEN: usize = 16;

impl NeighCacheInfo {
    fn parse(a: &Attr<'_>) -> Result<Self, DecodeError> {
        let [confirmed, used, updated, refcnt] =
            u32_words(a, "NDA_CACHEINFO", "expected 16 bytes")?;
        Ok(NeighCacheInfo {
            confirmed,
            used,
            updated,
            refcnt,
        })
    }

    fn to_bytes(self) -> [u8; CACHEINFO_LEN] {
        words_to_bytes([self.confirmed, self.used, self.updated, self.refcnt])
    }
}

message_buffer! {
    /// A zero-copy view of a neighbour message payload (`struct ndmsg` + attributes).
    NeighMessageBuffer, NDMSG_LEN, "ndmsg"
}

impl<T: AsRef<[u8]>> NeighMessageBuffer<T> {
    /// `ndm_family`: `AF_INET`, `AF_INET6` or `AF_BRIDGE`.
    pub fn family(&self) -> u8 {
        byte(self.buffer.as_ref(), field::FAMILY)
    }
    /// `ndm_ifindex`.
    pub fn ifindex(&self) -> i32 {
        read_field::<i32>(self.buffer.as_ref(), field::IFINDEX)
    }
    /// `ndm_state`.
    pub fn state(&self) -> NeighState {
        NeighState::from_bits_retain(read_field::<u16>(self.buffer.as_ref(), field::STATE))
    }
    /// `ndm_flags`.
    pub fn flags(&self) -> NeighFlags {
        NeighFlags::from_bits_retain(byte(self.buffer.as_ref(), field::FLAGS))
    }
    /// `ndm_type`: a route type (`RTN_UNICAST` = 1, `RTN_MULTICAST` = 5, ...).
    pub fn kind(&self) -> u8 {
        byte(self.buffer.as_ref(), field::TYPE)
    }
    /// The fixed header as an owned value (the pad bytes are not kept).
    pub fn header(&self) -> NeighHeader {
        NeighHeader {
            family: self.family(),
            ifindex: self.ifindex(),
            state: self.state(),
            flags: self.flags(),
            kind: self.kind(),
        }
    }
}

/// An owned `struct ndmsg`; the pad bytes are always written as zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NeighHeader {
    /// `ndm_family`: `AF_INET` (2), `AF_INET6` (10) or [`AF_BRIDGE`] (7).
    pub family: u8,
    /// `ndm_ifindex`: the interface.
    pub ifindex: i32,
    /// `ndm_state`.
    pub state: NeighState,
    /// `ndm_flags`.
    pub flags: NeighFlags,
    /// `ndm_type`: a route type (`RTN_UNICAST` = 1, `RTN_MULTICAST` = 5, ...); 0 in requests.
    pub kind: u8,
}

impl NeighHeader {
    fn emit(&self, b: &mut Builder<'_>) -> Result<(), EncodeError> {
        b.put_u8(self.family)?;
        b.zeros(field::PAD.len())?;
        b.put_i32(self.ifindex)?;
        b.put_u16(self.state.bits())?;
        b.put(&[self.flags.bits(), self.kind])
    }
}

/// One attribute inside `NDA_FDB_EXT_ATTRS`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FdbExtAttr {
    /// `NFEA_ACTIVITY_NOTIFY`: `FDB_NOTIFY_*` bits.
    ActivityNotify(u8),
    /// `NFEA_DONT_REFRESH`.
    DontRefresh,
    /// Any other attribute, kept byte for byte.
    Unknown(UnknownAttr),
}

impl FdbExtAttr {
    /// Reads one `NFEA_*` attribute.
    pub fn parse(a: &Attr<'_>) -> Result<Self, DecodeError> {
        if a.raw_kind() != a.kind() {
            return Ok(FdbExtAttr::Unknown(a.to_unknown()));
        }
        Ok(match a.kind() {
            NFEA_ACTIVITY_NOTIFY => FdbExtAttr::ActivityNotify(a.u8("NFEA_ACTIVITY_NOTIFY")?),
            NFEA_DONT_REFRESH => {
                a.flag("NFEA_DONT_REFRESH")?;
                FdbExtAttr::DontRefresh
            }
            _ => FdbExtAttr::Unknown(a.to_unknown()),
        })
    }
    /// Bytes the attribute takes on the wire, padding included.
    pub fn buffer_len(&self) -> usize {
        match self {
            FdbExtAttr::ActivityNotify(_) => attr_size(1),
            FdbExtAttr::DontRefresh => attr_size(0),
            FdbExtAttr::Unknown(u) => u.buffer_len(),
        }
    }
    /// Appends the attribute.
    pub fn emit(&self, b: &mut Builder<'_>) -> Result<(), EncodeError> {
        match self {
            FdbExtAttr::ActivityNotify(v) => b.attr_u8(NFEA_ACTIVITY_NOTIFY, *v),
            FdbExtAttr::DontRefresh => b.attr_flag(NFEA_DONT_REFRESH),
            FdbExtAttr::Unknown(u) => u.emit(b),
        }
    }
}

/// One `NDA_*` attribute.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NeighAttr {
    /// `NDA_DST`: the neighbour's address, or a VXLAN FDB entry's remote.
    Destination(IpAddr),
    /// `NDA_LLADDR`: the link-layer address, any length.
    LinkLayerAddress(Vec<u8>),
    /// `NDA_CACHEINFO`.
    CacheInfo(NeighCacheInfo),
    /// `NDA_PROBES`.
    Probes(u32),
    /// `NDA_VLAN`.
    Vlan(u16),
    /// `NDA_PORT`: the UDP port in host order (big-endian on the wire).
    Port(u16),
    /// `NDA_VNI`.
    Vni(u32),
    /// `NDA_IFINDEX`.
    IfIndex(u32),
    /// `NDA_MASTER`.
    Master(u32),
    /// `NDA_LINK_NETNSID`.
    LinkNetnsId(i32),
    /// `NDA_SRC_VNI`.
    SrcVni(u32),
    /// `NDA_PROTOCOL`.
    Protocol(u8),
    /// `NDA_NH_ID`.
    NhId(u32),
    /// `NDA_FDB_EXT_ATTRS` (written with `NLA_F_NESTED`, as the kernel and iproute2 do).
    FdbExtAttrs(Vec<FdbExtAttr>),
    /// `NDA_FLAGS_EXT`: `NTF_EXT_*` bits.
    FlagsExt(u32),
    /// `NDA_NDM_STATE_MASK`.
    StateMask(NeighState),
    /// `NDA_NDM_FLAGS_MASK`.
    FlagsMask(NeighFlags),
    /// Any other attribute, or a known one with unexpected NESTED/NET_BYTEORDER bits, kept
    /// byte for byte.
    Unknown(UnknownAttr),
}

impl NeighAttr {
    /// Reads one attribute. A known attribute whose value has the wrong size is an error
    /// naming it (an `NDA_DST` of 3 bytes is `BadAttr { name: "NDA_DST", .. }`).
    pub fn parse(a: &Attr<'_>) -> Result<Self, DecodeError> {
        use NeighAttr::*;
        let expected = if a.kind() == NDA_FDB_EXT_ATTRS {
            NDA_FDB_EXT_ATTRS | NLA_F_NESTED
        } else {
            a.kind()
        };
        if a.raw_kind() != expected {
            return Ok(Unknown(a.to_unknown()));
        }
        Ok(match a.kind() {
            NDA_DST => Destination(a.ip("NDA_DST")?),
            NDA_LLADDR => LinkLayerAddress(a.value().to_vec()),
            NDA_CACHEINFO => CacheInfo(NeighCacheInfo::parse(a)?),
            NDA_PROBES => Probes(a.u32("NDA_PROBES")?),
            NDA_VLAN => Vlan(a.u16("NDA_VLAN")?),
            NDA_PORT => Port(a.u16_be("NDA_PORT")?),
            NDA_VNI => Vni(a.u32("NDA_VNI")?),
            NDA_IFINDEX => IfIndex(a.u32("NDA_IFINDEX")?),
            NDA_MASTER => Master(a.u32("NDA_MASTER")?),
            NDA_LINK_NETNSID => LinkNetnsId(a.i32("NDA_LINK_NETNSID")?),
            NDA_SRC_VNI => SrcVni(a.u32("NDA_SRC_VNI")?),
            NDA_PROTOCOL => Protocol(a.u8("NDA_PROTOCOL")?),
            NDA_NH_ID => NhId(a.u32("NDA_NH_ID")?),
            NDA_FDB_EXT_ATTRS => FdbExtAttrs(
                a.nested()?
                    .map(|n| n.and_then(|n| FdbExtAttr::parse(&n)))
                    .collect::<Result<_, _>>()?,
            ),
            NDA_FLAGS_EXT => FlagsExt(a.u32("NDA_FLAGS_EXT")?),
            NDA_NDM_STATE_MASK => {
                StateMask(NeighState::from_bits_retain(a.u16("NDA_NDM_STATE_MASK")?))
            }
            NDA_NDM_FLAGS_MASK => {
                FlagsMask(NeighFlags::from_bits_retain(a.u8("NDA_NDM_FLAGS_MASK")?))
            }
            _ => Unknown(a.to_unknown()),
        })
    }

    /// The attribute type as written on the wire (flag bits included).
    pub fn kind(&self) -> u16 {
        use NeighAttr::*;
        match self {
            Destination(_) => NDA_DST,
            LinkLayerAddress(_) => NDA_LLADDR,
            CacheInfo(_) => NDA_CACHEINFO,
            Probes(_) => NDA_PROBES,
            Vlan(_) => NDA_VLAN,
            Port(_) => NDA_PORT,
            Vni(_) => NDA_VNI,
            IfIndex(_) => NDA_IFINDEX,
            Master(_) => NDA_MASTER,
            LinkNetnsId(_) => NDA_LINK_NETNSID,
            SrcVni(_) => NDA_SRC_VNI,
            Protocol(_) => NDA_PROTOCOL,
            NhId(_) => NDA_NH_ID,
            FdbExtAttrs(_) => NDA_FDB_EXT_ATTRS | NLA_F_NESTED,
            FlagsExt(_) => NDA_FLAGS_EXT,
            StateMask(_) => NDA_NDM_STATE_MASK,
            FlagsMask(_) => NDA_NDM_FLAGS_MASK,
            Unknown(u) => u.kind,
        }
    }

    /// Bytes the attribute takes on the wire, padding included.
    pub fn buffer_len(&self) -> usize {
        use NeighAttr::*;
        attr_size(match self {
            Destination(IpAddr::V4(_)) => 4,
            Destination(IpAddr::V6(_)) => 16,
            LinkLayerAddress(v) => v.len(),
            CacheInfo(_) => CACHEINFO_LEN,
            Probes(_) | Vni(_) | IfIndex(_) | Master(_) | LinkNetnsId(_) | SrcVni(_) | NhId(_)
            | FlagsExt(_) => 4,
            Vlan(_) | Port(_) | StateMask(_) => 2,
            Protocol(_) | FlagsMask(_) => 1,
            FdbExtAttrs(v) => v.iter().map(FdbExtAttr::buffer_len).sum(),
            Unknown(u) => return u.buffer_len(),
        })
    }

    /// Appends the attribute.
    pub fn emit(&self, b: &mut Builder<'_>) -> Result<(), EncodeError> {
        use NeighAttr::*;
        let kind = self.kind();
        match self {
            Destination(a) => b.attr_ip(kind, *a),
            LinkLayerAddress(v) => b.attr(kind, v),
            CacheInfo(c) => b.attr(kind, &c.to_bytes()),
            Probes(v) | Vni(v) | IfIndex(v) | Master(v) | SrcVni(v) | NhId(v) | FlagsExt(v) => {
                b.attr_u32(kind, *v)
            }
            Vlan(v) => b.attr_u16(kind, *v),
            Port(v) => b.attr_u16_be(kind, *v),
            LinkNetnsId(v) => b.attr_i32(kind, *v),
            Protocol(v) => b.attr_u8(kind, *v),
            FdbExtAttrs(v) => b.nested(kind, |b| v.iter().try_for_each(|a| a.emit(b))),
            StateMask(s) => b.attr_u16(kind, s.bits()),
            FlagsMask(f) => b.attr_u8(kind, f.bits()),
            Unknown(u) => u.emit(b),
        }
    }
}

/// An owned neighbour message: the payload of `RTM_NEWNEIGH`, `RTM_DELNEIGH` or
/// `RTM_GETNEIGH`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct NeighMessage {
    /// The fixed header.
    pub header: NeighHeader,
    /// The attributes, in wire order.
    pub attrs: Vec<NeighAttr>,
}

impl NeighMessage {
    /// Parses a message payload (the bytes after `nlmsghdr`). Error offsets are from the
    /// start of `payload`.
    pub fn parse(payload: &[u8]) -> Result<Self, DecodeError> {
        let buf = NeighMessageBuffer::new_checked(payload)?;
        let attrs = parse_attrs(buf.attrs(), NeighAttr::parse)?;
        Ok(NeighMessage {
            header: buf.header(),
            attrs,
        })
    }

    /// An ARP/NDP entry for `destination` on interface `ifindex`, as `ip neigh add|replace
    /// ADDRESS dev IFACE nud STATE` sends it (family from the address, `NDA_DST`). Add the
    /// link-layer address with [`NeighMessage::with_lladdr`].
    pub fn new(ifindex: i32, destination: IpAddr, state: NeighState) -> Self {
        NeighMessage {
            header: NeighHeader {
                family: family_of(destination),
                ifindex,
                state,
                ..NeighHeader::default()
            },
            attrs: vec![NeighAttr::Destination(destination)],
        }
    }

    /// A bridge forwarding entry for `mac` on port `ifindex`, as `bridge fdb add|append MAC dev
    /// PORT` sends it (family `AF_BRIDGE`, `NDA_LLADDR`). `flags` picks the table
    /// (`SELF` or `MASTER`); `state` is `NOARP` for static, `PERMANENT` for local entries.
    pub fn bridge_fdb(ifindex: i32, mac: [u8; 6], state: NeighState, flags: NeighFlags) -> Self {
        NeighMessage {
            header: NeighHeader {
                family: AF_BRIDGE,
                ifindex,
                state,
                flags,
                kind: 0,
            },
            attrs: vec![NeighAttr::LinkLayerAddress(mac.to_vec())],
        }
    }

    /// Appends `NDA_LLADDR` (builder style).
    #[must_use]
    pub fn with_lladdr(self, lladdr: &[u8]) -> Self {
        self.with_attr(NeighAttr::LinkLayerAddress(lladdr.to_vec()))
    }

    /// Appends an attribute (builder style).
    #[must_use]
    pub fn with_attr(mut self, attr: NeighAttr) -> Self {
        self.attrs.push(attr);
        self
    }

    /// `NDA_DST`.
    pub fn destination(&self) -> Option<IpAddr> {
        self.attrs.iter().find_map(|a| match a {
            NeighAttr::Destination(a) => Some(*a),
            _ => None,
        })
    }

    /// `NDA_LLADDR`, whatever its length.
    pub fn lladdr(&self) -> Option<&[u8]> {
        self.attrs.iter().find_map(|a| match a {
            NeighAttr::LinkLayerAddress(v) => Some(v.as_slice()),
            _ => None,
        })
    }

    /// `NDA_LLADDR` when it is a 6-byte Ethernet address.
    pub fn mac(&self) -> Option<[u8; 6]> {
        self.lladdr().and_then(|v| <[u8; 6]>::try_from(v).ok())
    }

    /// `NDA_CACHEINFO`.
    pub fn cacheinfo(&self) -> Option<NeighCacheInfo> {
        self.attrs.iter().find_map(|a| match a {
            NeighAttr::CacheInfo(c) => Some(*c),
            _ => None,
        })
    }

    /// `NDA_VLAN`.
    pub fn vlan(&self) -> Option<u16> {
        self.attrs.iter().find_map(|a| match a {
            NeighAttr::Vlan(v) => Some(*v),
            _ => None,
        })
    }

    /// `NDA_PORT`, in host order.
    pub fn port(&self) -> Option<u16> {
        self.attrs.iter().find_map(|a| match a {
            NeighAttr::Port(v) => Some(*v),
            _ => None,
        })
    }

    /// `NDA_VNI`.
    pub fn vni(&self) -> Option<u32> {
        self.attrs.iter().find_map(|a| match a {
            NeighAttr::Vni(v) => Some(*v),
            _ => None,
        })
    }

    /// `NDA_MASTER`: the bridge's ifindex.
    pub fn master(&self) -> Option<u32> {
        self.attrs.iter().find_map(|a| match a {
            NeighAttr::Master(v) => Some(*v),
            _ => None,
        })
    }
}

impl Emit for NeighMessage {
    fn buffer_len(&self) -> usize {
        NDMSG_LEN + self.attrs.iter().map(NeighAttr::buffer_len).sum::<usize>()
    }

    fn emit(&self, b: &mut Builder<'_>) -> Result<(), EncodeError> {
        self.header.emit(b)?;
        self.attrs.iter().try_for_each(|a| a.emit(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_offsets_match_struct_ndmsg_and_pads_are_zeroed() {
        let mut p = vec![10, 0xaa, 0xbb, 0xcc];
        p.extend(7i32.to_ne_bytes());
        p.extend(0x0084u16.to_ne_bytes());
        p.extend([0x0a, 5]);
        let b = NeighMessageBuffer::new_checked(&p[..]).unwrap();
        assert_eq!(b.family(), 10);
        assert_eq!(b.ifindex(), 7);
        assert_eq!(b.state(), NeighState::STALE | NeighState::PERMANENT);
        assert_eq!(b.flags(), NeighFlags::SELF | NeighFlags::PROXY);
        assert_eq!(b.kind(), 5);
        let again = NeighMessage::parse(&p).unwrap().to_vec().unwrap();
        assert_eq!(&again[1..4], &[0, 0, 0]);
        assert_eq!(&again[4..], &p[4..]);
    }

    #[test]
    fn fdb_ext_attrs_nest_round_trips() {
        let m =
            NeighMessage::bridge_fdb(2, [2, 0, 0, 0, 0, 1], NeighState::NOARP, NeighFlags::MASTER)
                .with_attr(NeighAttr::FdbExtAttrs(vec![
                    FdbExtAttr::ActivityNotify(1),
                    FdbExtAttr::DontRefresh,
                ]));
        let bytes = m.to_vec().unwrap();
        assert_eq!(bytes.len(), m.buffer_len());
        assert_eq!(NeighMessage::parse(&bytes).unwrap(), m);
    }

    #[test]
    fn fdb_ext_attrs_without_the_nested_bit_stay_unknown() {
        let mut b = Builder::new();
        b.put(&[7, 0, 0, 0, 2, 0, 0, 0, 0x40, 0, 0, 0]).unwrap();
        b.nested(NDA_FDB_EXT_ATTRS, |b| b.attr_u8(NFEA_ACTIVITY_NOTIFY, 1))
            .unwrap();
        let m = NeighMessage::parse(b.as_bytes()).unwrap();
        assert!(matches!(&m.attrs[0], NeighAttr::Unknown(u) if u.kind == NDA_FDB_EXT_ATTRS));
        assert_eq!(m.to_vec().unwrap(), b.as_bytes());
    }
}
