//! Interface addresses: `struct ifaddrmsg` and the `IFA_*` attributes carried by
//! `RTM_NEWADDR`, `RTM_DELADDR` and `RTM_GETADDR` (linux/if_addr.h), what `ip addr` sends and
//! shows.
//!
//! ```
//! use netplumb::wire::{Emit, addr::{AddressMessage, AddrFlags}};
//! // `ip addr add 198.18.0.1/24 dev <index 3>`
//! let msg = AddressMessage::new(3, "198.18.0.1".parse().unwrap(), 24);
//! let bytes = msg.to_vec().unwrap();
//! let back = AddressMessage::parse(&bytes).unwrap();
//! assert_eq!(back.prefix(), Some(("198.18.0.1".parse().unwrap(), 24)));
//! assert_eq!(back.flags(), AddrFlags::empty());
//! ```

use super::attr::{Attr, UnknownAttr};
use super::builder::{Builder, attr_size};
use super::family::family_of;
use super::{
    DecodeError, Emit, EncodeError, byte, parse_attrs, read_field, u32_words, words_to_bytes,
};
use std::fmt;
use std::net::IpAddr;

/// `sizeof(struct ifaddrmsg)`.
pub const IFADDRMSG_LEN: usize = 8;

/// Byte offsets and ranges inside `struct ifaddrmsg`.
mod field {
    use crate::wire::Field;
    /// `ifa_family` (u8).
    pub const FAMILY: usize = 0;
    /// `ifa_prefixlen` (u8).
    pub const PREFIXLEN: usize = 1;
    /// `ifa_flags` (u8): the low 8 bits of the flags.
    pub const FLAGS: usize = 2;
    /// `ifa_scope` (u8).
    pub const SCOPE: usize = 3;
    /// `ifa_index` (u32).
    pub const INDEX: Field = 4..8;
}

/// `IFA_UNSPEC`: never sent.
pub const IFA_UNSPEC: u16 = 0;
/// `IFA_ADDRESS`: the prefix address; on a point-to-point link, the peer's address.
pub const IFA_ADDRESS: u16 = 1;
/// `IFA_LOCAL`: the address of the interface itself (IPv4; IPv6 uses IFA_ADDRESS).
pub const IFA_LOCAL: u16 = 2;
/// `IFA_LABEL`: the IPv4 address label (`eth0:1`), a NUL-terminated string.
pub const IFA_LABEL: u16 = 3;
/// `IFA_BROADCAST`: the IPv4 broadcast address.
pub const IFA_BROADCAST: u16 = 4;
/// `IFA_ANYCAST`: an IPv6 anycast address.
pub const IFA_ANYCAST: u16 = 5;
/// `IFA_CACHEINFO`: lifetimes and timestamps, `struct ifa_cacheinfo`.
pub const IFA_CACHEINFO: u16 = 6;
/// `IFA_MULTICAST`: an IPv6 multicast address.
pub const IFA_MULTICAST: u16 = 7;
/// `IFA_FLAGS`: all address flags as a u32; overrides the 8-bit `ifa_flags` when present.
pub const IFA_FLAGS: u16 = 8;
/// `IFA_RT_PRIORITY`: metric of the prefix route the kernel adds (u32).
pub const IFA_RT_PRIORITY: u16 = 9;
/// `IFA_TARGET_NETNSID`: the namespace id to act in (s32, requests only).
pub const IFA_TARGET_NETNSID: u16 = 10;
/// `IFA_PROTO`: who added the address (u8, `IFAPROT_*`).
pub const IFA_PROTO: u16 = 11;

/// `IFAPROT_UNSPEC`: address protocol not set.
pub const IFAPROT_UNSPEC: u8 = 0;
/// `IFAPROT_KERNEL_LO`: the kernel's loopback address.
pub const IFAPROT_KERNEL_LO: u8 = 1;
/// `IFAPROT_KERNEL_RA`: set by the kernel from a router advertisement.
pub const IFAPROT_KERNEL_RA: u8 = 2;
/// `IFAPROT_KERNEL_LL`: a link-local address made by the kernel.
pub const IFAPROT_KERNEL_LL: u8 = 3;

/// `RT_SCOPE_UNIVERSE`: global (`ip` prints "global").
pub const RT_SCOPE_UNIVERSE: u8 = 0;
/// `RT_SCOPE_SITE`: site-local (IPv6, deprecated).
pub const RT_SCOPE_SITE: u8 = 200;
/// `RT_SCOPE_LINK`: valid on this link only.
pub const RT_SCOPE_LINK: u8 = 253;
/// `RT_SCOPE_HOST`: valid on this host only.
pub const RT_SCOPE_HOST: u8 = 254;
/// `RT_SCOPE_NOWHERE`: a destination that does not exist.
pub const RT_SCOPE_NOWHERE: u8 = 255;

/// An address or route scope (`enum rt_scope_t`, linux/rtnetlink.h). Values without a name
/// (user-defined scopes from `/etc/iproute2/rt_scopes`) are kept as they are.
///
/// Shared by `ifa_scope` here and `rtm_scope` in routes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Scope(pub u8);

impl Scope {
    /// `RT_SCOPE_UNIVERSE` (0).
    pub const UNIVERSE: Scope = Scope(RT_SCOPE_UNIVERSE);
    /// `RT_SCOPE_SITE` (200).
    pub const SITE: Scope = Scope(RT_SCOPE_SITE);
    /// `RT_SCOPE_LINK` (253).
    pub const LINK: Scope = Scope(RT_SCOPE_LINK);
    /// `RT_SCOPE_HOST` (254).
    pub const HOST: Scope = Scope(RT_SCOPE_HOST);
    /// `RT_SCOPE_NOWHERE` (255).
    pub const NOWHERE: Scope = Scope(RT_SCOPE_NOWHERE);

    /// The uapi name without its `RT_SCOPE_` prefix, in lower case (`"link"`), if it has one.
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            RT_SCOPE_UNIVERSE => "universe",
            RT_SCOPE_SITE => "site",
            RT_SCOPE_LINK => "link",
            RT_SCOPE_HOST => "host",
            RT_SCOPE_NOWHERE => "nowhere",
            _ => return None,
        })
    }
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => write!(f, "Scope({n})"),
            None => write!(f, "Scope({})", self.0),
        }
    }
}

impl From<u8> for Scope {
    fn from(v: u8) -> Self {
        Scope(v)
    }
}

impl From<Scope> for u8 {
    fn from(s: Scope) -> Self {
        s.0
    }
}

bitflags::bitflags! {
    /// Address flags (`IFA_F_*`). The header's `ifa_flags` holds only the low 8 bits;
    /// `IFA_FLAGS` carries all 32.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct AddrFlags: u32 {
        /// `IFA_F_SECONDARY` (IPv4): not the first address of its prefix.
        const SECONDARY = 0x01;
        /// `IFA_F_TEMPORARY` (IPv6): a privacy address; same bit as SECONDARY.
        const TEMPORARY = 0x01;
        /// `IFA_F_NODAD`: skip duplicate address detection.
        const NODAD = 0x02;
        /// `IFA_F_OPTIMISTIC`: usable during DAD (RFC 4429).
        const OPTIMISTIC = 0x04;
        /// `IFA_F_DADFAILED`: duplicate address detection failed.
        const DADFAILED = 0x08;
        /// `IFA_F_HOMEADDRESS`: a Mobile IPv6 home address.
        const HOMEADDRESS = 0x10;
        /// `IFA_F_DEPRECATED`: the preferred lifetime is over.
        const DEPRECATED = 0x20;
        /// `IFA_F_TENTATIVE`: DAD has not finished.
        const TENTATIVE = 0x40;
        /// `IFA_F_PERMANENT`: configured by hand, not autoconfigured.
        const PERMANENT = 0x80;
        /// `IFA_F_MANAGETEMPADDR`: make temporary addresses from this prefix.
        const MANAGETEMPADDR = 0x100;
        /// `IFA_F_NOPREFIXROUTE`: do not add a prefix route.
        const NOPREFIXROUTE = 0x200;
        /// `IFA_F_MCAUTOJOIN`: join the multicast group (multicast addresses).
        const MCAUTOJOIN = 0x400;
        /// `IFA_F_STABLE_PRIVACY`: stable privacy (RFC 7217) address.
        const STABLE_PRIVACY = 0x800;
        // Unknown bits are kept, so that what was read is written back unchanged.
        const _ = !0;
    }
}

/// `struct ifa_cacheinfo`: lifetimes in seconds, timestamps in hundredths of a second since
/// boot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct AddressCacheInfo {
    /// `ifa_prefered`: seconds left of the preferred lifetime; [`INFINITY_LIFE_TIME`] for
    /// forever.
    pub preferred: u32,
    /// `ifa_valid`: seconds left of the valid lifetime; [`INFINITY_LIFE_TIME`] for forever.
    pub valid: u32,
    /// `cstamp`: when the address was created.
    pub created: u32,
    /// `tstamp`: when the address was last updated.
    pub updated: u32,
}

/// The lifetime that means "forever" (`INFINITY_LIFE_TIME`, `ip`'s `forever`).
pub const INFINITY_LIFE_TIME: u32 = u32::MAX;

/// `sizeof(struct ifa_cacheinfo)`.
const CACHEINFO_LEN: usize = 16;

impl AddressCacheInfo {
    /// Lifetimes as `ip addr add ... valid_lft V preferred_lft P` sends them (timestamps 0).
    pub fn lifetimes(valid: u32, preferred: u32) -> Self {
        AddressCacheInfo {
            preferred,
            valid,
            created: 0,
            updated: 0,
        }
    }

    fn parse(a: &Attr<'_>) -> Result<Self, DecodeError> {
        let [preferred, valid, created, updated] =
            u32_words(a, "IFA_CACHEINFO", "expected 16 bytes")?;
        Ok(AddressCacheInfo {
            preferred,
            valid,
            created,
            updated,
        })
    }

    fn to_bytes(self) -> [u8; CACHEINFO_LEN] {
        words_to_bytes([self.preferred, self.valid, self.created, self.updated])
    }
}

message_buffer! {
    /// A zero-copy view of an address message payload (`struct ifaddrmsg` + attributes).
    AddressMessageBuffer, IFADDRMSG_LEN, "ifaddrmsg"
}

impl<T: AsRef<[u8]>> AddressMessageBuffer<T> {
    /// `ifa_family`: `AF_INET` or `AF_INET6`.
    pub fn family(&self) -> u8 {
        byte(self.buffer.as_ref(), field::FAMILY)
    }
    /// `ifa_prefixlen`.
    pub fn prefix_len(&self) -> u8 {
        byte(self.buffer.as_ref(), field::PREFIXLEN)
    }
    /// `ifa_flags`: the low 8 bits of the flags only (see `IFA_FLAGS`).
    pub fn flags(&self) -> AddrFlags {
        AddrFlags::from_bits_retain(u32::from(byte(self.buffer.as_ref(), field::FLAGS)))
    }
    /// `ifa_scope`.
    pub fn scope(&self) -> Scope {
        Scope(byte(self.buffer.as_ref(), field::SCOPE))
    }
    /// `ifa_index`: the interface index.
    pub fn index(&self) -> u32 {
        read_field::<u32>(self.buffer.as_ref(), field::INDEX)
    }
    /// The fixed header as an owned value.
    pub fn header(&self) -> AddressHeader {
        AddressHeader {
            family: self.family(),
            prefix_len: self.prefix_len(),
            flags: self.flags(),
            scope: self.scope(),
            index: self.index(),
        }
    }
}

/// An owned `struct ifaddrmsg`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct AddressHeader {
    /// `ifa_family`: `AF_INET` (2) or `AF_INET6` (10).
    pub family: u8,
    /// `ifa_prefixlen`.
    pub prefix_len: u8,
    /// `ifa_flags`. Only the low 8 bits fit the header: emitting higher bits is an error, put
    /// them in [`AddressAttr::Flags`] (or use [`AddressMessage::set_flags`]).
    pub flags: AddrFlags,
    /// `ifa_scope`.
    pub scope: Scope,
    /// `ifa_index`: the interface index.
    pub index: u32,
}

impl AddressHeader {
    fn emit(&self, b: &mut Builder<'_>) -> Result<(), EncodeError> {
        let flags = u8::try_from(self.flags.bits()).map_err(|_| EncodeError::InvalidValue {
            what: "ifa_flags",
            reason: "flags above 0xff only fit in IFA_FLAGS",
        })?;
        b.put(&[self.family, self.prefix_len, flags, self.scope.0])?;
        b.put_u32(self.index)
    }
}

/// One `IFA_*` attribute.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AddressAttr {
    /// `IFA_ADDRESS`: the prefix address, or the peer on a point-to-point link.
    Address(IpAddr),
    /// `IFA_LOCAL`: the interface's own address.
    Local(IpAddr),
    /// `IFA_LABEL`: the IPv4 label.
    Label(String),
    /// `IFA_BROADCAST`.
    Broadcast(IpAddr),
    /// `IFA_ANYCAST`.
    Anycast(IpAddr),
    /// `IFA_CACHEINFO`.
    CacheInfo(AddressCacheInfo),
    /// `IFA_MULTICAST`.
    Multicast(IpAddr),
    /// `IFA_FLAGS`: all flags.
    Flags(AddrFlags),
    /// `IFA_RT_PRIORITY`: the prefix route's metric.
    RtPriority(u32),
    /// `IFA_TARGET_NETNSID`.
    TargetNetnsId(i32),
    /// `IFA_PROTO`: `IFAPROT_*`.
    Proto(u8),
    /// Any other attribute, or a known one with unexpected NESTED/NET_BYTEORDER bits, kept
    /// byte for byte.
    Unknown(UnknownAttr),
}

impl AddressAttr {
    /// Reads one attribute. A known attribute whose value has the wrong size is an error
    /// naming it (an `IFA_ADDRESS` of 5 bytes is `BadAttr { name: "IFA_ADDRESS", .. }`).
    pub fn parse(a: &Attr<'_>) -> Result<Self, DecodeError> {
        use AddressAttr::*;
        if a.raw_kind() != a.kind() {
            return Ok(Unknown(a.to_unknown()));
        }
        Ok(match a.kind() {
            IFA_ADDRESS => Address(a.ip("IFA_ADDRESS")?),
            IFA_LOCAL => Local(a.ip("IFA_LOCAL")?),
            IFA_LABEL => Label(a.string("IFA_LABEL")?.to_owned()),
            IFA_BROADCAST => Broadcast(a.ip("IFA_BROADCAST")?),
            IFA_ANYCAST => Anycast(a.ip("IFA_ANYCAST")?),
            IFA_CACHEINFO => CacheInfo(AddressCacheInfo::parse(a)?),
            IFA_MULTICAST => Multicast(a.ip("IFA_MULTICAST")?),
            IFA_FLAGS => Flags(AddrFlags::from_bits_retain(a.u32("IFA_FLAGS")?)),
            IFA_RT_PRIORITY => RtPriority(a.u32("IFA_RT_PRIORITY")?),
            IFA_TARGET_NETNSID => TargetNetnsId(a.i32("IFA_TARGET_NETNSID")?),
            IFA_PROTO => Proto(a.u8("IFA_PROTO")?),
            _ => Unknown(a.to_unknown()),
        })
    }

    /// The attribute type as written on the wire (flag bits included for `Unknown`).
    pub fn kind(&self) -> u16 {
        use AddressAttr::*;
        match self {
            Address(_) => IFA_ADDRESS,
            Local(_) => IFA_LOCAL,
            Label(_) => IFA_LABEL,
            Broadcast(_) => IFA_BROADCAST,
            Anycast(_) => IFA_ANYCAST,
            CacheInfo(_) => IFA_CACHEINFO,
            Multicast(_) => IFA_MULTICAST,
            Flags(_) => IFA_FLAGS,
            RtPriority(_) => IFA_RT_PRIORITY,
            TargetNetnsId(_) => IFA_TARGET_NETNSID,
            Proto(_) => IFA_PROTO,
            Unknown(u) => u.kind,
        }
    }

    /// Bytes the attribute takes on the wire, padding included.
    pub fn buffer_len(&self) -> usize {
        use AddressAttr::*;
        attr_size(match self {
            Address(a) | Local(a) | Broadcast(a) | Anycast(a) | Multicast(a) => ip_len(a),
            Label(s) => s.len() + 1,
            CacheInfo(_) => CACHEINFO_LEN,
            Flags(_) | RtPriority(_) | TargetNetnsId(_) => 4,
            Proto(_) => 1,
            Unknown(u) => return u.buffer_len(),
        })
    }

    /// Appends the attribute.
    pub fn emit(&self, b: &mut Builder<'_>) -> Result<(), EncodeError> {
        use AddressAttr::*;
        let kind = self.kind();
        match self {
            Address(a) | Local(a) | Broadcast(a) | Anycast(a) | Multicast(a) => b.attr_ip(kind, *a),
            Label(s) => b.attr_str(kind, s),
            CacheInfo(c) => b.attr(kind, &c.to_bytes()),
            Flags(f) => b.attr_u32(kind, f.bits()),
            RtPriority(v) => b.attr_u32(kind, *v),
            TargetNetnsId(v) => b.attr_i32(kind, *v),
            Proto(v) => b.attr_u8(kind, *v),
            Unknown(u) => u.emit(b),
        }
    }
}

fn ip_len(a: &IpAddr) -> usize {
    match a {
        IpAddr::V4(_) => 4,
        IpAddr::V6(_) => 16,
    }
}

/// An owned address message: the payload of `RTM_NEWADDR`, `RTM_DELADDR` or `RTM_GETADDR`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct AddressMessage {
    /// The fixed header.
    pub header: AddressHeader,
    /// The attributes, in wire order.
    pub attrs: Vec<AddressAttr>,
}

impl AddressMessage {
    /// Parses a message payload (the bytes after `nlmsghdr`). Error offsets are from the
    /// start of `payload`.
    pub fn parse(payload: &[u8]) -> Result<Self, DecodeError> {
        let buf = AddressMessageBuffer::new_checked(payload)?;
        let attrs = parse_attrs(buf.attrs(), AddressAttr::parse)?;
        Ok(AddressMessage {
            header: buf.header(),
            attrs,
        })
    }

    /// The request `ip addr add ADDRESS/PREFIX_LEN dev IFACE` sends: family from the address,
    /// scope universe, `IFA_LOCAL` and `IFA_ADDRESS` both set to `address`.
    pub fn new(index: u32, address: IpAddr, prefix_len: u8) -> Self {
        AddressMessage {
            header: AddressHeader {
                family: family_of(address),
                prefix_len,
                index,
                ..AddressHeader::default()
            },
            attrs: vec![AddressAttr::Local(address), AddressAttr::Address(address)],
        }
    }

    /// Appends an attribute (builder style).
    #[must_use]
    pub fn with_attr(mut self, attr: AddressAttr) -> Self {
        self.attrs.push(attr);
        self
    }

    /// Sets the flags (builder style); see [`AddressMessage::set_flags`].
    #[must_use]
    pub fn with_flags(mut self, flags: AddrFlags) -> Self {
        self.set_flags(flags);
        self
    }

    /// Sets the flags as the kernel reads them: the low 8 bits in the header and, when
    /// higher bits are set or an `IFA_FLAGS` is already present, all of them in `IFA_FLAGS`.
    pub fn set_flags(&mut self, flags: AddrFlags) {
        self.header.flags = AddrFlags::from_bits_retain(flags.bits() & 0xff);
        let existing = self.attrs.iter_mut().find_map(|a| match a {
            AddressAttr::Flags(f) => Some(f),
            _ => None,
        });
        match existing {
            Some(f) => *f = flags,
            None if flags.bits() > 0xff => self.attrs.push(AddressAttr::Flags(flags)),
            None => {}
        }
    }

    /// `IFA_ADDRESS`: the prefix address, which on a point-to-point link is the peer.
    pub fn address(&self) -> Option<IpAddr> {
        self.attrs.iter().find_map(|a| match a {
            AddressAttr::Address(a) => Some(*a),
            _ => None,
        })
    }

    /// `IFA_LOCAL`: the interface's own address (IPv4 sets it; IPv6 only has IFA_ADDRESS).
    pub fn local(&self) -> Option<IpAddr> {
        self.attrs.iter().find_map(|a| match a {
            AddressAttr::Local(a) => Some(*a),
            _ => None,
        })
    }

    /// `IFA_LABEL`.
    pub fn label(&self) -> Option<&str> {
        self.attrs.iter().find_map(|a| match a {
            AddressAttr::Label(s) => Some(s.as_str()),
            _ => None,
        })
    }

    /// `IFA_BROADCAST`.
    pub fn broadcast(&self) -> Option<IpAddr> {
        self.attrs.iter().find_map(|a| match a {
            AddressAttr::Broadcast(a) => Some(*a),
            _ => None,
        })
    }

    /// All flags: `IFA_FLAGS` when present (the kernel then ignores the header's), else the
    /// header's 8 bits.
    pub fn flags(&self) -> AddrFlags {
        self.attrs
            .iter()
            .find_map(|a| match a {
                AddressAttr::Flags(f) => Some(*f),
                _ => None,
            })
            .unwrap_or(self.header.flags)
    }

    /// `IFA_CACHEINFO`: lifetimes and timestamps.
    pub fn cacheinfo(&self) -> Option<AddressCacheInfo> {
        self.attrs.iter().find_map(|a| match a {
            AddressAttr::CacheInfo(c) => Some(*c),
            _ => None,
        })
    }

    /// The prefix as `ip addr` prints it: `IFA_ADDRESS` (or `IFA_LOCAL` when there is no
    /// IFA_ADDRESS) with `ifa_prefixlen`. On a point-to-point address this is the peer's
    /// prefix; the interface's own address is [`AddressMessage::local`].
    pub fn prefix(&self) -> Option<(IpAddr, u8)> {
        self.address()
            .or_else(|| self.local())
            .map(|a| (a, self.header.prefix_len))
    }
}

impl Emit for AddressMessage {
    fn buffer_len(&self) -> usize {
        IFADDRMSG_LEN
            + self
                .attrs
                .iter()
                .map(AddressAttr::buffer_len)
                .sum::<usize>()
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
    fn header_offsets_match_struct_ifaddrmsg() {
        let p = [10, 64, 0x82, 253, 7, 0, 0, 0];
        let b = AddressMessageBuffer::new_checked(&p[..]).unwrap();
        assert_eq!(b.family(), 10);
        assert_eq!(b.prefix_len(), 64);
        assert_eq!(b.flags(), AddrFlags::NODAD | AddrFlags::PERMANENT);
        assert_eq!(b.scope(), Scope::LINK);
        assert_eq!(b.index(), u32::from_ne_bytes([7, 0, 0, 0]));
        assert_eq!(b.attrs().count(), 0);
    }

    #[test]
    fn flags_above_a_byte_go_to_ifa_flags() {
        let m = AddressMessage::new(1, "2001:db8::1".parse().unwrap(), 64)
            .with_flags(AddrFlags::NODAD | AddrFlags::NOPREFIXROUTE);
        assert_eq!(m.header.flags, AddrFlags::NODAD);
        assert_eq!(m.flags(), AddrFlags::NODAD | AddrFlags::NOPREFIXROUTE);
        let back = AddressMessage::parse(&m.to_vec().unwrap()).unwrap();
        assert_eq!(back, m);

        let mut bad = m.clone();
        bad.header.flags = AddrFlags::NOPREFIXROUTE;
        assert!(matches!(
            bad.to_vec(),
            Err(EncodeError::InvalidValue {
                what: "ifa_flags",
                ..
            })
        ));
    }

    #[test]
    fn scope_keeps_unnamed_values() {
        assert_eq!(format!("{:?}", Scope::HOST), "Scope(host)");
        assert_eq!(format!("{:?}", Scope(17)), "Scope(17)");
        assert_eq!(u8::from(Scope::from(17)), 17);
    }
}
