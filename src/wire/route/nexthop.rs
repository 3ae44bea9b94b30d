//! `RTA_MULTIPATH`: a list of `struct rtnexthop`, each followed by its own `RTA_*`
//! attributes within `rtnh_len`, each starting at a 4-byte boundary.

use super::*;
use crate::wire::attr::Attr;
use crate::wire::{align4, read_field};

/// `sizeof(struct rtnexthop)`.
pub const RTNEXTHOP_LEN: usize = 8;

/// Byte offsets and ranges inside `struct rtnexthop`.
mod field {
    use crate::wire::Field;
    /// `rtnh_len` (u16): the next hop with its attributes.
    pub const LEN: Field = 0..2;
    /// `rtnh_flags` (u8).
    pub const FLAGS: usize = 2;
    /// `rtnh_hops` (u8).
    pub const HOPS: usize = 3;
    /// `rtnh_ifindex` (s32, read as u32).
    pub const IFINDEX: Field = 4..8;
}

bitflags::bitflags! {
    /// `rtnh_flags` (`RTNH_F_*`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct NextHopFlags: u8 {
        /// `RTNH_F_DEAD`: the next hop is dead.
        const DEAD = 1;
        /// `RTNH_F_PERVASIVE`: recursive gateway lookup.
        const PERVASIVE = 2;
        /// `RTNH_F_ONLINK`: the gateway is forced on link.
        const ONLINK = 4;
        /// `RTNH_F_OFFLOAD`: offloaded.
        const OFFLOAD = 8;
        /// `RTNH_F_LINKDOWN`: carrier down.
        const LINKDOWN = 16;
        /// `RTNH_F_UNRESOLVED`: unresolved (multicast).
        const UNRESOLVED = 32;
        /// `RTNH_F_TRAP`: traps packets.
        const TRAP = 64;
        // Unknown bits are kept.
        const _ = !0;
    }
}

/// One next hop of a multipath route, owned.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NextHop {
    /// `rtnh_flags`.
    pub flags: NextHopFlags,
    /// `rtnh_hops`: the weight minus one (see [`NextHop::weight`]).
    pub hops: u8,
    /// `rtnh_ifindex` (an `int` in the uapi; interface indexes are positive).
    pub ifindex: u32,
    /// The next hop's attributes (`RTA_GATEWAY`, `RTA_VIA`, `RTA_FLOW`, `RTA_ENCAP`, ...).
    pub attrs: Vec<RouteAttr>,
}

impl NextHop {
    /// A next hop through `gateway` on interface `ifindex` (0: let the kernel find it) with
    /// `weight` 1 to 256 (`ip route ... nexthop via GW dev DEV weight W`); a weight of 0 is
    /// taken as 1 and anything above 256 as 256.
    pub fn via(gateway: IpAddr, ifindex: u32, weight: u16) -> Self {
        NextHop {
            hops: u8::try_from(weight.clamp(1, 256) - 1).unwrap_or(u8::MAX),
            ifindex,
            attrs: vec![RouteAttr::Gateway(gateway)],
            ..Default::default()
        }
    }

    /// The weight, `rtnh_hops + 1` (1 to 256).
    pub fn weight(&self) -> u16 {
        u16::from(self.hops) + 1
    }

    /// `RTA_GATEWAY` of this next hop.
    pub fn gateway(&self) -> Option<IpAddr> {
        self.attrs.iter().find_map(|a| match a {
            RouteAttr::Gateway(ip) => Some(*ip),
            _ => None,
        })
    }

    /// `RTA_VIA` of this next hop.
    pub fn via_attr(&self) -> Option<&RouteVia> {
        self.attrs.iter().find_map(|a| match a {
            RouteAttr::Via(v) => Some(v),
            _ => None,
        })
    }

    /// `RTA_FLOW` (realms) of this next hop.
    pub fn flow(&self) -> Option<u32> {
        self.attrs.iter().find_map(|a| match a {
            RouteAttr::Flow(v) => Some(*v),
            _ => None,
        })
    }

    /// Bytes taken on the wire: the 8-byte header and the attributes (`rtnh_len`).
    pub fn buffer_len(&self) -> usize {
        RTNEXTHOP_LEN + self.attrs.iter().map(RouteAttr::buffer_len).sum::<usize>()
    }

    /// Appends the `struct rtnexthop` and its attributes.
    pub fn emit(&self, b: &mut Builder<'_>) -> Result<(), EncodeError> {
        let len = self.buffer_len();
        let len16 = u16::try_from(len).map_err(|_| EncodeError::NestTooLarge {
            kind: RTA_MULTIPATH,
            len,
        })?;
        b.put_u16(len16)?;
        b.put_u8(self.flags.bits())?;
        b.put_u8(self.hops)?;
        b.put_u32(self.ifindex)?;
        self.attrs.iter().try_for_each(|a| a.emit(b))
    }
}

/// One next hop, borrowed from the message it was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextHopRef<'a> {
    /// `rtnh_flags`.
    pub flags: NextHopFlags,
    /// `rtnh_hops` (weight minus one).
    pub hops: u8,
    /// `rtnh_ifindex`.
    pub ifindex: u32,
    attrs: &'a [u8],
    offset: usize,
}

impl<'a> NextHopRef<'a> {
    /// Offset of the `struct rtnexthop` from the start of the outermost buffer decoded.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The weight, `rtnh_hops + 1`.
    pub fn weight(&self) -> u16 {
        u16::from(self.hops) + 1
    }

    /// The next hop's attributes, offsets absolute.
    pub fn attrs(&self) -> AttrIter<'a> {
        AttrIter::with_base(self.attrs, self.offset.saturating_add(RTNEXTHOP_LEN))
    }

    /// The owned form, attributes parsed.
    pub fn to_owned(&self) -> Result<NextHop, DecodeError> {
        Ok(NextHop {
            flags: self.flags,
            hops: self.hops,
            ifindex: self.ifindex,
            attrs: self
                .attrs()
                .map(|a| a.and_then(|a: Attr<'a>| RouteAttr::parse_in(&a, true)))
                .collect::<Result<_, _>>()?,
        })
    }
}

/// Walks the next hops in the value of an `RTA_MULTIPATH`, checking each `rtnh_len`.
///
/// A header that does not fit, an `rtnh_len` below 8 or one running past the attribute is
/// reported once (naming `RTA_MULTIPATH`, at the next hop's offset) and ends the walk.
#[derive(Debug, Clone)]
pub struct NextHopIter<'a> {
    buf: &'a [u8],
    pos: usize,
    base: usize,
    done: bool,
}

impl<'a> NextHopIter<'a> {
    /// Walks `value`, the value of an `RTA_MULTIPATH` that starts at offset `base` in the
    /// outer buffer.
    pub fn with_base(value: &'a [u8], base: usize) -> Self {
        NextHopIter {
            buf: value,
            pos: 0,
            base,
            done: false,
        }
    }

    /// Walks the value of `attr`, an `RTA_MULTIPATH`.
    pub fn new(attr: &Attr<'a>) -> Self {
        Self::with_base(attr.value(), attr.value_offset())
    }
}

impl<'a> Iterator for NextHopIter<'a> {
    type Item = Result<NextHopRef<'a>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let rest = self.buf.get(self.pos..).unwrap_or(&[]);
        if rest.is_empty() {
            self.done = true;
            return None;
        }
        let offset = self.base.saturating_add(self.pos);
        let bad = |reason| {
            Some(Err(DecodeError::BadAttr {
                name: "RTA_MULTIPATH",
                offset,
                reason,
            }))
        };
        if rest.len() < RTNEXTHOP_LEN {
            self.done = true;
            return bad("struct rtnexthop does not fit in what is left");
        }
        let len = usize::from(read_field::<u16>(rest, field::LEN));
        if len < RTNEXTHOP_LEN {
            self.done = true;
            return bad("rtnh_len is below 8, the size of struct rtnexthop");
        }
        if len > rest.len() {
            self.done = true;
            return bad("rtnh_len runs past the end of RTA_MULTIPATH");
        }
        self.pos = self.pos.saturating_add(align4(len)).min(self.buf.len());
        Some(Ok(NextHopRef {
            flags: NextHopFlags::from_bits_retain(byte(rest, field::FLAGS)),
            hops: byte(rest, field::HOPS),
            ifindex: read_field::<u32>(rest, field::IFINDEX),
            attrs: rest.get(RTNEXTHOP_LEN..len).unwrap_or(&[]),
            offset,
        }))
    }
}

impl std::iter::FusedIterator for NextHopIter<'_> {}
