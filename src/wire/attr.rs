//! Netlink attributes (`struct nlattr`): a validating iterator, typed getters and an owned
//! form for attributes the decoders do not know.

use super::builder::{Builder, attr_size};
use super::{DecodeError, EncodeError, align4, read_field};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// `sizeof(struct nlattr)`.
pub const NLA_HDR_LEN: usize = 4;

/// Byte ranges inside `struct nlattr`.
mod field {
    use crate::wire::Field;
    /// `nla_len` (u16): header and value, without padding.
    pub const LEN: Field = 0..2;
    /// `nla_type` (u16), flag bits included.
    pub const TYPE: Field = 2..4;
}
/// `NLA_F_NESTED`: the value is a list of attributes.
pub const NLA_F_NESTED: u16 = 0x8000;
/// `NLA_F_NET_BYTEORDER`: the value is in network byte order.
pub const NLA_F_NET_BYTEORDER: u16 = 0x4000;
/// `NLA_TYPE_MASK`: the type without the two flag bits.
pub const NLA_TYPE_MASK: u16 = !(NLA_F_NESTED | NLA_F_NET_BYTEORDER);

/// How deep [`Attr::nested`] lets a walk go. rtnetlink's deepest real nesting (link info
/// data with per-port or per-VLAN lists) is well under this.
pub const MAX_NEST_DEPTH: usize = 16;

/// One attribute, borrowed from the buffer it was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attr<'a> {
    raw_kind: u16,
    value: &'a [u8],
    offset: usize,
    depth: usize,
}

impl<'a> Attr<'a> {
    /// The type without the NESTED and NET_BYTEORDER bits.
    pub fn kind(&self) -> u16 {
        self.raw_kind & NLA_TYPE_MASK
    }
    /// The type as it was on the wire, flag bits included.
    pub fn raw_kind(&self) -> u16 {
        self.raw_kind
    }
    /// True when the NLA_F_NESTED bit is set.
    pub fn is_nested(&self) -> bool {
        self.raw_kind & NLA_F_NESTED != 0
    }
    /// True when the NLA_F_NET_BYTEORDER bit is set.
    pub fn is_net_byteorder(&self) -> bool {
        self.raw_kind & NLA_F_NET_BYTEORDER != 0
    }
    /// The value, without header or padding.
    pub fn value(&self) -> &'a [u8] {
        self.value
    }
    /// Offset of the attribute's header from the start of the outermost buffer decoded.
    pub fn offset(&self) -> usize {
        self.offset
    }
    /// Offset of the value (header offset + 4; `usize::MAX` when that would overflow, which
    /// only a caller-chosen base of [`AttrIter::with_base`] can cause).
    pub fn value_offset(&self) -> usize {
        self.offset.saturating_add(NLA_HDR_LEN)
    }
    /// How many nests enclose this attribute.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// A [`DecodeError::BadAttr`] for this attribute: named `name`, for `reason`.
    pub(crate) fn bad(&self, name: &'static str, reason: &'static str) -> DecodeError {
        DecodeError::BadAttr {
            name,
            offset: self.offset,
            reason,
        }
    }

    /// The value as a C struct of exactly `N` bytes; another size is [`Attr::bad`] with
    /// `reason` ("expected 4 bytes (struct fib_rule_port_range)").
    pub(crate) fn struct_bytes<const N: usize>(
        &self,
        name: &'static str,
        reason: &'static str,
    ) -> Result<[u8; N], DecodeError> {
        <[u8; N]>::try_from(self.value).map_err(|_| self.bad(name, reason))
    }

    fn fixed<const N: usize>(&self, name: &'static str) -> Result<[u8; N], DecodeError> {
        <[u8; N]>::try_from(self.value).map_err(|_| {
            self.bad(
                name,
                match N {
                    1 => "expected 1 byte",
                    2 => "expected 2 bytes",
                    4 => "expected 4 bytes",
                    6 => "expected 6 bytes",
                    8 => "expected 8 bytes",
                    16 => "expected 16 bytes",
                    _ => "wrong length",
                },
            )
        })
    }

    /// The value as a u8; `name` is used in the error.
    pub fn u8(&self, name: &'static str) -> Result<u8, DecodeError> {
        self.fixed::<1>(name).map(|b| b[0])
    }
    /// The value as a native-endian u16.
    pub fn u16(&self, name: &'static str) -> Result<u16, DecodeError> {
        self.fixed(name).map(u16::from_ne_bytes)
    }
    /// The value as a big-endian u16 (ports).
    pub fn u16_be(&self, name: &'static str) -> Result<u16, DecodeError> {
        self.fixed(name).map(u16::from_be_bytes)
    }
    /// The value as a native-endian u32.
    pub fn u32(&self, name: &'static str) -> Result<u32, DecodeError> {
        self.fixed(name).map(u32::from_ne_bytes)
    }
    /// The value as a big-endian u32.
    pub fn u32_be(&self, name: &'static str) -> Result<u32, DecodeError> {
        self.fixed(name).map(u32::from_be_bytes)
    }
    /// The value as a native-endian i32.
    pub fn i32(&self, name: &'static str) -> Result<i32, DecodeError> {
        self.fixed(name).map(i32::from_ne_bytes)
    }
    /// The value as a native-endian u64.
    pub fn u64(&self, name: &'static str) -> Result<u64, DecodeError> {
        self.fixed(name).map(u64::from_ne_bytes)
    }
    /// A flag attribute: its value must be empty.
    pub fn flag(&self, name: &'static str) -> Result<(), DecodeError> {
        if self.value.is_empty() {
            Ok(())
        } else {
            Err(self.bad(name, "flag attribute with a value"))
        }
    }

    /// A NUL-terminated UTF-8 string. The NUL must be present; bytes after the first NUL
    /// (padding some senders leave) are ignored.
    pub fn string(&self, name: &'static str) -> Result<&'a str, DecodeError> {
        let nul = self
            .value
            .iter()
            .position(|&c| c == 0)
            .ok_or_else(|| self.bad(name, "string without a terminating NUL"))?;
        let bytes = self.value.get(..nul).unwrap_or(&[]);
        std::str::from_utf8(bytes).map_err(|_| self.bad(name, "string is not UTF-8"))
    }

    /// An interface name: a NUL-terminated string of 1 to 15 bytes (`IFNAMSIZ` - 1).
    pub fn ifname(&self, name: &'static str) -> Result<&'a str, DecodeError> {
        let s = self.string(name)?;
        if s.is_empty() {
            Err(self.bad(name, "empty interface name"))
        } else if s.len() >= 16 {
            Err(self.bad(name, "interface name of 16 bytes or more"))
        } else {
            Ok(s)
        }
    }

    /// A 4-byte IPv4 address.
    pub fn ipv4(&self, name: &'static str) -> Result<Ipv4Addr, DecodeError> {
        self.fixed::<4>(name).map(Ipv4Addr::from)
    }
    /// A 16-byte IPv6 address.
    pub fn ipv6(&self, name: &'static str) -> Result<Ipv6Addr, DecodeError> {
        self.fixed::<16>(name).map(Ipv6Addr::from)
    }
    /// A 4- or 16-byte address.
    pub fn ip(&self, name: &'static str) -> Result<IpAddr, DecodeError> {
        match self.value.len() {
            4 => self.ipv4(name).map(IpAddr::V4),
            16 => self.ipv6(name).map(IpAddr::V6),
            _ => Err(self.bad(name, "address of neither 4 nor 16 bytes")),
        }
    }
    /// A 6-byte Ethernet address.
    pub fn mac(&self, name: &'static str) -> Result<[u8; 6], DecodeError> {
        self.fixed::<6>(name)
    }

    /// The value as a list of attributes, one level deeper. Fails with
    /// [`DecodeError::NestingTooDeep`] past [`MAX_NEST_DEPTH`].
    pub fn nested(&self) -> Result<AttrIter<'a>, DecodeError> {
        let depth = self.depth.saturating_add(1);
        if depth > MAX_NEST_DEPTH {
            return Err(DecodeError::NestingTooDeep {
                offset: self.offset,
                max: MAX_NEST_DEPTH,
            });
        }
        Ok(AttrIter {
            buf: self.value,
            pos: 0,
            base: self.value_offset(),
            depth,
            done: false,
        })
    }

    /// An owned copy, flag bits and value kept exactly.
    pub fn to_unknown(&self) -> UnknownAttr {
        UnknownAttr {
            kind: self.raw_kind,
            value: self.value.to_vec(),
        }
    }
}

/// Iterates over a list of attributes, validating each header.
///
/// An attribute whose `nla_len` is below 4 or beyond what is left is reported once and ends
/// the iteration, so a zero length can never loop. A final attribute without its padding is
/// accepted, as the kernel does.
#[derive(Debug, Clone)]
pub struct AttrIter<'a> {
    buf: &'a [u8],
    pos: usize,
    base: usize,
    depth: usize,
    done: bool,
}

impl<'a> AttrIter<'a> {
    /// Walks the attributes in `buf`; offsets in errors and [`Attr::offset`] are from the start
    /// of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Self::with_base(buf, 0)
    }

    /// As [`AttrIter::new`], with offsets counted from `base` (the position of `buf` in the
    /// outer buffer). Any base is accepted: offsets derived from it saturate at `usize::MAX`
    /// rather than wrap or panic.
    pub fn with_base(buf: &'a [u8], base: usize) -> Self {
        AttrIter {
            buf,
            pos: 0,
            base,
            depth: 0,
            done: false,
        }
    }

    /// The first attribute of type `kind` (flag bits ignored). Stops at the first malformed
    /// header.
    pub fn find(self, kind: u16) -> Result<Option<Attr<'a>>, DecodeError> {
        for a in self {
            let a = a?;
            if a.kind() == kind {
                return Ok(Some(a));
            }
        }
        Ok(None)
    }
}

impl<'a> Iterator for AttrIter<'a> {
    type Item = Result<Attr<'a>, DecodeError>;

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
        if rest.len() < NLA_HDR_LEN {
            self.done = true;
            return Some(Err(DecodeError::Truncated {
                what: "nlattr",
                offset,
                need: NLA_HDR_LEN,
                have: rest.len(),
            }));
        }
        let len = read_field::<u16>(rest, field::LEN) as usize;
        let raw_kind = read_field::<u16>(rest, field::TYPE);
        if len < NLA_HDR_LEN || len > rest.len() {
            self.done = true;
            return Some(Err(DecodeError::BadAttrLen {
                offset,
                len,
                left: rest.len(),
            }));
        }
        let value = rest.get(NLA_HDR_LEN..len).unwrap_or(&[]);
        self.pos = self.pos.saturating_add(align4(len)).min(self.buf.len());
        Some(Ok(Attr {
            raw_kind,
            value,
            offset,
            depth: self.depth,
        }))
    }
}

impl std::iter::FusedIterator for AttrIter<'_> {}

/// An attribute kept as raw bytes: its type (flag bits included) and value. Emitting it gives
/// back the bytes it was read from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnknownAttr {
    /// `nla_type` as it was on the wire, flag bits included.
    pub kind: u16,
    /// The value without header or padding.
    pub value: Vec<u8>,
}

impl UnknownAttr {
    /// Bytes taken on the wire, padding included.
    pub fn buffer_len(&self) -> usize {
        attr_size(self.value.len())
    }
    /// Appends the attribute.
    pub fn emit(&self, b: &mut Builder<'_>) -> Result<(), EncodeError> {
        b.attr(self.kind, &self.value)
    }
}

/// Walks an attribute list and every nest inside it, depth first, calling `f` on each
/// attribute. Values are treated as nests when the NESTED bit is set or when `looks_nested`
/// says so. Used by the fuzz targets and the `decode` tool; never recurses past
/// [`MAX_NEST_DEPTH`].
pub fn walk<'a>(
    iter: AttrIter<'a>,
    looks_nested: &dyn Fn(&Attr<'a>) -> bool,
    f: &mut dyn FnMut(&Attr<'a>),
) -> Result<(), DecodeError> {
    for a in iter {
        let a = a?;
        f(&a);
        if a.is_nested() || looks_nested(&a) {
            walk(a.nested()?, looks_nested, f)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(b: &[u8]) -> Vec<Result<Attr<'_>, DecodeError>> {
        AttrIter::new(b).collect()
    }

    #[test]
    fn zero_to_three_length_is_bad_and_stops() {
        for l in 0u16..4 {
            let mut b = l.to_ne_bytes().to_vec();
            b.extend([1, 0, 0, 0, 0, 0]);
            let r = attrs(&b);
            assert_eq!(r.len(), 1, "len {l}");
            assert_eq!(
                r[0],
                Err(DecodeError::BadAttrLen {
                    offset: 0,
                    len: l as usize,
                    left: 8
                })
            );
        }
    }

    #[test]
    fn length_past_remaining_is_an_error() {
        let b = [9, 0, 1, 0, 1, 2, 3, 4];
        assert!(matches!(
            attrs(&b)[0],
            Err(DecodeError::BadAttrLen { len: 9, .. })
        ));
    }

    #[test]
    fn missing_final_padding_is_accepted() {
        let b = [5, 0, 1, 0, 7];
        let r = attrs(&b);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].as_ref().unwrap().value(), &[7]);
    }

    #[test]
    fn odd_lengths_align_the_next_attribute() {
        for vlen in 5..=7usize {
            let mut b = Builder::new();
            b.attr(1, &vec![0xee; vlen]).unwrap();
            b.attr_u32(2, 42).unwrap();
            let r: Vec<_> = AttrIter::new(b.as_bytes())
                .collect::<Result<_, _>>()
                .unwrap();
            assert_eq!(r[0].value().len(), vlen);
            assert_eq!(r[1].offset(), 12);
            assert_eq!(r[1].u32("X").unwrap(), 42);
        }
    }

    #[test]
    fn truncated_header_is_reported() {
        let b = [8, 0, 1, 0, 0, 0, 0, 0, 4, 0];
        let r = attrs(&b);
        assert!(r[0].is_ok());
        assert_eq!(
            r[1],
            Err(DecodeError::Truncated {
                what: "nlattr",
                offset: 8,
                need: 4,
                have: 2
            })
        );
    }

    #[test]
    fn flag_bits_are_kept() {
        let mut b = Builder::new();
        b.attr_u16(5 | NLA_F_NESTED | NLA_F_NET_BYTEORDER, 1)
            .unwrap();
        let a = AttrIter::new(b.as_bytes()).next().unwrap().unwrap();
        assert_eq!(a.kind(), 5);
        assert!(a.is_nested() && a.is_net_byteorder());
        let mut again = Builder::new();
        a.to_unknown().emit(&mut again).unwrap();
        assert_eq!(again.as_bytes(), b.as_bytes());
    }

    #[test]
    fn typed_getters_check_length_and_name_the_attribute() {
        let mut b = Builder::new();
        b.attr(4, &[1, 2]).unwrap();
        let a = AttrIter::new(b.as_bytes()).next().unwrap().unwrap();
        assert_eq!(
            a.u32("IFLA_MTU"),
            Err(DecodeError::BadAttr {
                name: "IFLA_MTU",
                offset: 0,
                reason: "expected 4 bytes"
            })
        );
        assert_eq!(a.u16("X").unwrap(), u16::from_ne_bytes([1, 2]));
    }

    #[test]
    fn strings_need_a_nul_and_ifnames_a_sane_length() {
        let cases: [(&[u8], bool); 5] = [
            (b"eth0\0", true),
            (b"eth0", false),
            (b"\0", false),
            (b"0123456789abcdef\0", false),
            (b"0123456789abcde\0", true),
        ];
        for (v, ok) in cases {
            let mut b = Builder::new();
            b.attr(3, v).unwrap();
            let a = AttrIter::new(b.as_bytes()).next().unwrap().unwrap();
            assert_eq!(a.ifname("IFLA_IFNAME").is_ok(), ok, "{v:?}");
            if let Err(e) = a.ifname("IFLA_IFNAME") {
                assert!(e.to_string().contains("IFLA_IFNAME"));
            }
        }
    }

    #[test]
    fn addresses() {
        let mut b = Builder::new();
        b.attr(1, &[198, 18, 0, 1]).unwrap();
        b.attr(2, &[0; 5]).unwrap();
        let r: Vec<_> = AttrIter::new(b.as_bytes())
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            r[0].ip("IFA_ADDRESS").unwrap(),
            "198.18.0.1".parse::<IpAddr>().unwrap()
        );
        assert!(matches!(
            r[1].ip("IFA_ADDRESS"),
            Err(DecodeError::BadAttr {
                name: "IFA_ADDRESS",
                ..
            })
        ));
    }

    #[test]
    fn nesting_bomb_is_bounded() {
        // 10,000 empty nests, each containing the next.
        let n = 10_000usize;
        let mut v = Vec::with_capacity(n * 4);
        for i in 0..n {
            let len = ((n - i) * 4).min(u16::MAX as usize) as u16;
            v.extend(len.to_ne_bytes());
            v.extend((1u16 | NLA_F_NESTED).to_ne_bytes());
        }
        let r = walk(AttrIter::new(&v), &|_| false, &mut |_| {});
        assert!(
            matches!(
                r,
                Err(DecodeError::NestingTooDeep {
                    max: MAX_NEST_DEPTH,
                    ..
                })
            ),
            "{r:?}"
        );
    }

    #[test]
    fn nested_offsets_are_absolute() {
        let mut b = Builder::new();
        b.attr_u32(1, 0).unwrap();
        b.nested(2, |b| b.attr(3, &[0; 3])).unwrap();
        let mut seen = vec![];
        walk(AttrIter::new(b.as_bytes()), &|a| a.kind() == 2, &mut |a| {
            seen.push((a.kind(), a.offset(), a.depth()))
        })
        .unwrap();
        assert_eq!(seen, vec![(1, 0, 0), (2, 8, 0), (3, 12, 1)]);
    }
}
