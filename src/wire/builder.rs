//! A byte builder for netlink messages and attributes.
//!
//! The builder owns (and grows) its vector, or writes into a caller's fixed slice and fails
//! cleanly when it runs out. Lengths that do not fit netlink's 16-bit `nla_len` or 32-bit
//! `nlmsg_len` are errors, never a silent wrap. Padding is always written as zero bytes.

use super::nlmsg::{NLMSG_HDR_LEN, NlmsgFlags};
use super::{EncodeError, align4};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Largest value an attribute can carry: `u16::MAX` minus the 4-byte header.
pub const MAX_ATTR_VALUE_LEN: usize = u16::MAX as usize - 4;

enum Storage<'a> {
    Owned(Vec<u8>),
    Borrowed(&'a mut [u8]),
}

/// Appends netlink headers and attributes to a buffer.
///
/// ```
/// use netplumb::wire::{Builder, attr::AttrIter};
/// let mut b = Builder::new();
/// b.attr_u32(4, 1500).unwrap(); // IFLA_MTU
/// let nest = b.nest_start(18).unwrap(); // IFLA_LINKINFO
/// b.attr_str(1, "veth").unwrap(); // IFLA_INFO_KIND
/// b.nest_end(nest).unwrap();
/// let attrs: Vec<_> = AttrIter::new(b.as_bytes()).collect::<Result<_, _>>().unwrap();
/// assert_eq!(attrs.len(), 2);
/// ```
pub struct Builder<'a> {
    storage: Storage<'a>,
    len: usize,
}

/// Marks the start of a nested attribute; hand it back to [`Builder::nest_end`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "a nest must be closed with Builder::nest_end"]
pub struct Nest {
    at: usize,
    kind: u16,
}

/// Marks the start of a message; hand it back to [`Builder::end_message`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "a message must be closed with Builder::end_message"]
pub struct MessageStart {
    at: usize,
}

impl Default for Builder<'static> {
    fn default() -> Self {
        Self::new()
    }
}

impl Builder<'static> {
    /// An empty builder over a vector it owns.
    pub fn new() -> Self {
        Builder {
            storage: Storage::Owned(Vec::new()),
            len: 0,
        }
    }

    /// An empty builder with room for `cap` bytes before it reallocates.
    pub fn with_capacity(cap: usize) -> Self {
        Builder {
            storage: Storage::Owned(Vec::with_capacity(cap)),
            len: 0,
        }
    }

    /// Appends to `v`, keeping what it holds (e.g. a batch of messages being built).
    pub fn appending(v: Vec<u8>) -> Self {
        let len = v.len();
        Builder {
            storage: Storage::Owned(v),
            len,
        }
    }

    /// Reuses `v`'s allocation; its contents are discarded.
    pub fn from_vec(mut v: Vec<u8>) -> Self {
        v.clear();
        Builder {
            storage: Storage::Owned(v),
            len: 0,
        }
    }
}

impl<'a> Builder<'a> {
    /// A builder that writes into `buf` and fails with [`EncodeError::BufferTooSmall`] rather
    /// than grow. Bytes past [`Builder::len`] are left untouched.
    pub fn over(buf: &'a mut [u8]) -> Self {
        Builder {
            storage: Storage::Borrowed(buf),
            len: 0,
        }
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing was written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Forgets what was written, keeping the allocation.
    pub fn clear(&mut self) {
        self.len = 0;
        if let Storage::Owned(v) = &mut self.storage {
            v.clear();
        }
    }

    /// What was written so far.
    pub fn as_bytes(&self) -> &[u8] {
        match &self.storage {
            Storage::Owned(v) => v.get(..self.len).unwrap_or(&[]),
            Storage::Borrowed(b) => b.get(..self.len).unwrap_or(&[]),
        }
    }

    /// The written bytes as a vector (copied when the builder writes into a borrowed slice).
    pub fn into_vec(self) -> Vec<u8> {
        match self.storage {
            Storage::Owned(mut v) => {
                v.truncate(self.len);
                v
            }
            Storage::Borrowed(b) => b.get(..self.len).unwrap_or(&[]).to_vec(),
        }
    }

    /// Makes room for `n` more bytes and returns them, zeroed.
    fn grow(&mut self, n: usize) -> Result<&mut [u8], EncodeError> {
        let start = self.len;
        let end = start
            .checked_add(n)
            .ok_or(EncodeError::MessageTooLarge { len: usize::MAX })?;
        let slice = match &mut self.storage {
            Storage::Owned(v) => {
                v.resize(end, 0);
                v.get_mut(start..end)
            }
            Storage::Borrowed(b) => {
                let have = b.len();
                let s = b
                    .get_mut(start..end)
                    .ok_or(EncodeError::BufferTooSmall { need: end, have })?;
                s.fill(0);
                Some(s)
            }
        };
        self.len = end;
        slice.ok_or(EncodeError::BadMarker { at: start })
    }

    /// The already written bytes `at..at + n`, for patching lengths.
    fn written_mut(&mut self, at: usize, n: usize) -> Result<&mut [u8], EncodeError> {
        let end = at.checked_add(n).filter(|&e| e <= self.len);
        let end = end.ok_or(EncodeError::BadMarker { at })?;
        let s = match &mut self.storage {
            Storage::Owned(v) => v.get_mut(at..end),
            Storage::Borrowed(b) => b.get_mut(at..end),
        };
        s.ok_or(EncodeError::BadMarker { at })
    }

    /// Appends raw bytes.
    pub fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        self.grow(bytes.len())?.copy_from_slice(bytes);
        Ok(())
    }

    /// Appends zero bytes up to the next 4-byte boundary.
    pub fn pad(&mut self) -> Result<(), EncodeError> {
        let n = align4(self.len).saturating_sub(self.len);
        self.grow(n).map(|_| ())
    }

    /// Appends `n` zero bytes (reserved fields).
    pub fn zeros(&mut self, n: usize) -> Result<(), EncodeError> {
        self.grow(n).map(|_| ())
    }

    /// Appends a native-endian u8/u16/u32 (for fixed headers).
    pub fn put_u8(&mut self, v: u8) -> Result<(), EncodeError> {
        self.put(&[v])
    }
    /// See [`Builder::put_u8`].
    pub fn put_u16(&mut self, v: u16) -> Result<(), EncodeError> {
        self.put(&v.to_ne_bytes())
    }
    /// See [`Builder::put_u8`].
    pub fn put_u32(&mut self, v: u32) -> Result<(), EncodeError> {
        self.put(&v.to_ne_bytes())
    }
    /// See [`Builder::put_u8`].
    pub fn put_i32(&mut self, v: i32) -> Result<(), EncodeError> {
        self.put(&v.to_ne_bytes())
    }

    /// Starts a netlink message: writes an `nlmsghdr` whose length is fixed up by
    /// [`Builder::end_message`]. The message starts at a 4-byte boundary.
    pub fn begin_message(
        &mut self,
        message_type: u16,
        flags: NlmsgFlags,
        seq: u32,
        port: u32,
    ) -> Result<MessageStart, EncodeError> {
        self.pad()?;
        let at = self.len;
        self.put_u32(0)?;
        self.put_u16(message_type)?;
        self.put_u16(flags.bits())?;
        self.put_u32(seq)?;
        self.put_u32(port)?;
        Ok(MessageStart { at })
    }

    /// Finishes a message: sets `nlmsg_len` to everything written since its start and pads
    /// to 4 bytes.
    pub fn end_message(&mut self, m: MessageStart) -> Result<(), EncodeError> {
        let len = self
            .len
            .checked_sub(m.at)
            .filter(|&l| l >= NLMSG_HDR_LEN)
            .ok_or(EncodeError::BadMarker { at: m.at })?;
        let len32 = u32::try_from(len).map_err(|_| EncodeError::MessageTooLarge { len })?;
        self.written_mut(m.at, 4)?
            .copy_from_slice(&len32.to_ne_bytes());
        self.pad()
    }

    /// Writes a whole message: header, then `payload`.
    pub fn message(
        &mut self,
        message_type: u16,
        flags: NlmsgFlags,
        seq: u32,
        port: u32,
        payload: &dyn super::Emit,
    ) -> Result<(), EncodeError> {
        let m = self.begin_message(message_type, flags, seq, port)?;
        payload.emit(self)?;
        self.end_message(m)
    }

    /// Appends an attribute with a raw value, padded to 4 bytes. `kind` is written as given,
    /// flag bits included.
    pub fn attr(&mut self, kind: u16, value: &[u8]) -> Result<(), EncodeError> {
        if value.len() > MAX_ATTR_VALUE_LEN {
            return Err(EncodeError::AttrTooLarge {
                kind,
                len: value.len(),
            });
        }
        // Cannot truncate: checked against MAX_ATTR_VALUE_LEN above.
        let nla_len = (value.len() + 4) as u16;
        let total = align4(value.len() + 4);
        let out = self.grow(total)?;
        let (hdr, rest) = out.split_at_mut(4);
        hdr.copy_from_slice(&[0; 4]);
        if let Some(h) = hdr.get_mut(0..2) {
            h.copy_from_slice(&nla_len.to_ne_bytes());
        }
        if let Some(h) = hdr.get_mut(2..4) {
            h.copy_from_slice(&kind.to_ne_bytes());
        }
        if let Some(v) = rest.get_mut(..value.len()) {
            v.copy_from_slice(value);
        }
        Ok(())
    }

    /// An attribute holding a u8.
    pub fn attr_u8(&mut self, kind: u16, v: u8) -> Result<(), EncodeError> {
        self.attr(kind, &[v])
    }
    /// An attribute holding a native-endian u16.
    pub fn attr_u16(&mut self, kind: u16, v: u16) -> Result<(), EncodeError> {
        self.attr(kind, &v.to_ne_bytes())
    }
    /// An attribute holding a big-endian u16 (ports).
    pub fn attr_u16_be(&mut self, kind: u16, v: u16) -> Result<(), EncodeError> {
        self.attr(kind, &v.to_be_bytes())
    }
    /// An attribute holding a native-endian u32.
    pub fn attr_u32(&mut self, kind: u16, v: u32) -> Result<(), EncodeError> {
        self.attr(kind, &v.to_ne_bytes())
    }
    /// An attribute holding a big-endian u32.
    pub fn attr_u32_be(&mut self, kind: u16, v: u32) -> Result<(), EncodeError> {
        self.attr(kind, &v.to_be_bytes())
    }
    /// An attribute holding a native-endian i32.
    pub fn attr_i32(&mut self, kind: u16, v: i32) -> Result<(), EncodeError> {
        self.attr(kind, &v.to_ne_bytes())
    }
    /// An attribute holding a native-endian u64.
    pub fn attr_u64(&mut self, kind: u16, v: u64) -> Result<(), EncodeError> {
        self.attr(kind, &v.to_ne_bytes())
    }
    /// An attribute with no value (a flag).
    pub fn attr_flag(&mut self, kind: u16) -> Result<(), EncodeError> {
        self.attr(kind, &[])
    }

    /// A NUL-terminated string attribute. A string with an interior NUL is refused.
    pub fn attr_str(&mut self, kind: u16, s: &str) -> Result<(), EncodeError> {
        if s.as_bytes().contains(&0) {
            return Err(EncodeError::InvalidValue {
                what: "string attribute",
                reason: "contains a NUL byte",
            });
        }
        if s.len() + 1 > MAX_ATTR_VALUE_LEN {
            return Err(EncodeError::AttrTooLarge {
                kind,
                len: s.len() + 1,
            });
        }
        let nla_len = (s.len() + 5) as u16;
        self.put_u16(nla_len)?;
        self.put_u16(kind)?;
        self.put(s.as_bytes())?;
        self.put_u8(0)?;
        self.pad()
    }

    /// An IPv4 address attribute (4 bytes, network order).
    pub fn attr_ipv4(&mut self, kind: u16, a: Ipv4Addr) -> Result<(), EncodeError> {
        self.attr(kind, &a.octets())
    }
    /// An IPv6 address attribute (16 bytes).
    pub fn attr_ipv6(&mut self, kind: u16, a: Ipv6Addr) -> Result<(), EncodeError> {
        self.attr(kind, &a.octets())
    }
    /// An IP address attribute, 4 or 16 bytes according to its family.
    pub fn attr_ip(&mut self, kind: u16, a: IpAddr) -> Result<(), EncodeError> {
        match a {
            IpAddr::V4(a) => self.attr_ipv4(kind, a),
            IpAddr::V6(a) => self.attr_ipv6(kind, a),
        }
    }

    /// Starts a nested attribute; its length is fixed up by [`Builder::nest_end`]. `kind` is
    /// written as given: OR in [`super::attr::NLA_F_NESTED`] where the kernel expects it.
    pub fn nest_start(&mut self, kind: u16) -> Result<Nest, EncodeError> {
        self.pad()?;
        let at = self.len;
        self.put_u16(0)?;
        self.put_u16(kind)?;
        Ok(Nest { at, kind })
    }

    /// Closes a nested attribute. A nest whose contents exceed 65,535 bytes is an error.
    pub fn nest_end(&mut self, n: Nest) -> Result<(), EncodeError> {
        let len = self
            .len
            .checked_sub(n.at)
            .ok_or(EncodeError::BadMarker { at: n.at })?;
        let len16 =
            u16::try_from(len).map_err(|_| EncodeError::NestTooLarge { kind: n.kind, len })?;
        self.written_mut(n.at, 2)?
            .copy_from_slice(&len16.to_ne_bytes());
        self.pad()
    }

    /// Runs `f` inside a nest of `kind` (start, contents, end).
    pub fn nested(
        &mut self,
        kind: u16,
        f: impl FnOnce(&mut Self) -> Result<(), EncodeError>,
    ) -> Result<(), EncodeError> {
        let n = self.nest_start(kind)?;
        f(self)?;
        self.nest_end(n)
    }
}

/// The size an attribute with a `value_len`-byte value takes, padding included (saturating
/// near `usize::MAX`; no value that long can be emitted).
pub const fn attr_size(value_len: usize) -> usize {
    align4(value_len.saturating_add(4))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attr_is_padded_with_zeros() {
        let mut b = Builder::new();
        b.attr(7, &[1, 2, 3, 4, 5]).unwrap();
        assert_eq!(b.as_bytes(), &[9, 0, 7, 0, 1, 2, 3, 4, 5, 0, 0, 0]);
    }

    #[test]
    fn string_is_nul_terminated() {
        let mut b = Builder::new();
        b.attr_str(3, "lo").unwrap();
        assert_eq!(b.as_bytes(), &[7, 0, 3, 0, b'l', b'o', 0, 0]);
        assert!(b.attr_str(3, "a\0b").is_err());
    }

    #[test]
    fn oversized_attr_is_an_error_not_a_wrap() {
        let mut b = Builder::new();
        let big = vec![0u8; MAX_ATTR_VALUE_LEN + 1];
        assert_eq!(
            b.attr(1, &big),
            Err(EncodeError::AttrTooLarge {
                kind: 1,
                len: MAX_ATTR_VALUE_LEN + 1
            })
        );
        assert!(b.is_empty());
        b.attr(1, &big[1..]).unwrap();
        assert_eq!(b.len(), 65536);
    }

    #[test]
    fn oversized_nest_is_an_error() {
        let mut b = Builder::new();
        let n = b.nest_start(1).unwrap();
        b.attr(2, &vec![0u8; 40000]).unwrap();
        b.attr(2, &vec![0u8; 40000]).unwrap();
        assert!(matches!(
            b.nest_end(n),
            Err(EncodeError::NestTooLarge { kind: 1, .. })
        ));
    }

    #[test]
    fn nest_length_covers_contents() {
        let mut b = Builder::new();
        b.nested(18, |b| b.attr_str(1, "veth")).unwrap();
        assert_eq!(
            b.as_bytes(),
            &[16, 0, 18, 0, 9, 0, 1, 0, b'v', b'e', b't', b'h', 0, 0, 0, 0]
        );
    }

    #[test]
    fn fixed_slice_refuses_to_overflow() {
        let mut buf = [0xffu8; 7];
        let mut b = Builder::over(&mut buf);
        assert!(matches!(
            b.attr_u32(1, 5),
            Err(EncodeError::BufferTooSmall { need: 8, have: 7 })
        ));
        let mut buf = [0xffu8; 8];
        let mut b = Builder::over(&mut buf);
        b.attr_u32(1, 5).unwrap();
        assert_eq!(b.len(), 8);
    }

    #[test]
    fn message_length_is_fixed_up() {
        let mut b = Builder::new();
        let m = b
            .begin_message(18, NlmsgFlags::REQUEST | NlmsgFlags::DUMP, 7, 0)
            .unwrap();
        b.put(&[0; 16]).unwrap();
        b.end_message(m).unwrap();
        let bytes = b.as_bytes();
        assert_eq!(&bytes[0..4], &32u32.to_ne_bytes());
        assert_eq!(&bytes[4..6], &18u16.to_ne_bytes());
        assert_eq!(&bytes[6..8], &0x301u16.to_ne_bytes());
        assert_eq!(&bytes[8..12], &7u32.to_ne_bytes());
    }
}
