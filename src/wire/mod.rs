//! The netlink wire codec: pure byte handling, no I/O.
//!
//! Reading is zero-copy: `*Buffer<T: AsRef<[u8]>>` views are validated once by
//! `new_checked` and then every accessor is infallible. Owned values (`LinkMessage`,
//! `RouteMessage`, ...) are built with `parse` only when a caller wants to keep them, and are
//! written back with [`Emit`]. Unknown attributes survive a round trip byte for byte.
//!
//! Nothing in this module can panic on any input: indexing, `unwrap` and `panic!` are denied
//! by lint, and every length read from the wire is checked before it is used.
//!
//! # Writing a family codec
//!
//! What every family here (and a new one, such as nf_tables) is made of:
//!
//! - a header view `XxxMessageBuffer<T: AsRef<[u8]>>` declared with the crate-private
//!   `message_buffer!` macro (its `new_checked` measures the fixed header once), and the
//!   accessors of the header's fields beside it: the byte layout is a private `mod field`
//!   (one-byte fields as `usize` offsets, wider ones as `Field` ranges, `pub const INDEX:
//!   Field = 4..8;`) read with the crate-private `byte` and `read_field::<u32>`; the view's
//!   tests pin every field against the C structure's bytes;
//! - the attributes as a typed enum declared once with the crate-private `attribute_enum!`
//!   macro (`macros.rs` has the table of codecs) and, for structured values, the
//!   `AttrValue` trait and the nest helpers of `attr_enum.rs`, read after the header with
//!   `parse_attrs`; named `u8` values with `u8_values!`. nf_tables tables use the same
//!   macro's `nf_tables;` dialect, whose nests follow the marking of the message they are in
//!   (`wire::nft::Cx`);
//! - address families from [`family`], not `libc` casts.
#![forbid(unsafe_code)]
// Tests may index and unwrap; the codec itself may not.
#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]

// First, so that every family below can use the codec macros by name.
#[macro_use]
pub(crate) mod macros;

pub mod addr;
pub mod attr;
pub(crate) mod attr_enum;
pub mod builder;
pub mod error;
pub mod family;
pub mod hex;
pub mod link;
pub mod message;
pub mod neigh;
pub mod nft;
pub mod nlmsg;
pub mod nsid;
pub mod route;
pub mod rule;
#[cfg(test)]
pub(crate) mod testing;

// The path-based names (`crate::wire::attribute_enum!`), for code outside `wire`.
#[allow(unused_imports)]
pub(crate) use macros::{attribute_enum, message_buffer, u8_values};

pub use attr::{Attr, AttrIter, MAX_NEST_DEPTH, UnknownAttr};
pub use builder::{Builder, Nest};
pub use error::{DoneMessage, ErrorMessage, ExtAck};
pub use nlmsg::{Messages, NlmsgBuffer, NlmsgFlags, NlmsgHeader};

/// What went wrong while reading bytes from the wire.
///
/// Every variant says where: `offset` is the byte offset of the offending item from the start
/// of the buffer handed to the outermost decoder (a datagram, or a message payload when a
/// payload was decoded on its own).
// Field names (offset, len, name, reason) are self-describing; variants carry the docs.
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// A fixed-size structure does not fit in what is left.
    #[error("truncated {what} at offset {offset}: need {need} bytes, {have} left")]
    Truncated {
        what: &'static str,
        offset: usize,
        need: usize,
        have: usize,
    },
    /// `nlmsg_len` is below the header size, runs past the buffer, or bytes trail the last
    /// message.
    #[error("bad netlink message length {len} at offset {offset} ({reason})")]
    BadMessageLen {
        offset: usize,
        len: usize,
        reason: &'static str,
    },
    /// `nla_len` is below the 4-byte header or runs past its container.
    #[error("bad attribute length {len} at offset {offset} ({left} bytes left)")]
    BadAttrLen {
        offset: usize,
        len: usize,
        left: usize,
    },
    /// A known attribute whose value has the wrong size or form.
    #[error("bad attribute {name} at offset {offset}: {reason}")]
    BadAttr {
        name: &'static str,
        offset: usize,
        reason: &'static str,
    },
    /// Nested attributes deeper than [`MAX_NEST_DEPTH`].
    #[error("attributes nested deeper than {max} at offset {offset}")]
    NestingTooDeep { offset: usize, max: usize },
    /// A message of a type the decoder does not handle here.
    #[error("unexpected message type {kind} at offset {offset}")]
    UnexpectedType { kind: u16, offset: usize },
    /// A field holds a value the decoder cannot represent.
    #[error("bad value in {what} at offset {offset}: {reason}")]
    BadValue {
        what: &'static str,
        offset: usize,
        reason: &'static str,
    },
}

impl DecodeError {
    /// The byte offset the error refers to.
    pub fn offset(&self) -> usize {
        match *self {
            DecodeError::Truncated { offset, .. }
            | DecodeError::BadMessageLen { offset, .. }
            | DecodeError::BadAttrLen { offset, .. }
            | DecodeError::BadAttr { offset, .. }
            | DecodeError::NestingTooDeep { offset, .. }
            | DecodeError::UnexpectedType { offset, .. }
            | DecodeError::BadValue { offset, .. } => offset,
        }
    }

    /// The same error with its offset moved by `by` bytes, for a decoder that handed a
    /// sub-slice to another one.
    #[must_use]
    pub fn shift(mut self, by: usize) -> Self {
        match &mut self {
            DecodeError::Truncated { offset, .. }
            | DecodeError::BadMessageLen { offset, .. }
            | DecodeError::BadAttrLen { offset, .. }
            | DecodeError::BadAttr { offset, .. }
            | DecodeError::NestingTooDeep { offset, .. }
            | DecodeError::UnexpectedType { offset, .. }
            | DecodeError::BadValue { offset, .. } => *offset = offset.saturating_add(by),
        }
        self
    }
}

/// What went wrong while writing bytes for the wire.
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// The attribute's value does not fit the 16-bit `nla_len`.
    #[error("attribute {kind} value of {len} bytes is too large for netlink (max 65531)")]
    AttrTooLarge { kind: u16, len: usize },
    /// A nest's contents do not fit the 16-bit `nla_len`.
    #[error("nested attribute {kind} of {len} bytes is too large for netlink (max 65535)")]
    NestTooLarge { kind: u16, len: usize },
    /// The message does not fit the 32-bit `nlmsg_len`.
    #[error("message of {len} bytes is too large")]
    MessageTooLarge { len: usize },
    /// Writing into a fixed buffer that is too small.
    #[error("buffer too small: need {need} bytes, have {have}")]
    BufferTooSmall { need: usize, have: usize },
    /// A nest or message handle that does not belong to this builder's current contents.
    #[error("nest or message marker at {at} is not inside the written data")]
    BadMarker { at: usize },
    /// A value that cannot be represented on the wire (e.g. a name with a NUL byte).
    #[error("invalid value for {what}: {reason}")]
    InvalidValue {
        what: &'static str,
        reason: &'static str,
    },
}

/// A value that can be written as the payload of a netlink message (the part after
/// `nlmsghdr`): a fixed family header followed by attributes.
pub trait Emit {
    /// The exact number of bytes [`Emit::emit`] writes.
    fn buffer_len(&self) -> usize;

    /// Appends the payload to `b`.
    fn emit(&self, b: &mut Builder<'_>) -> Result<(), EncodeError>;

    /// Writes the payload into `buf`, returning the number of bytes written. A buffer shorter
    /// than [`Emit::buffer_len`] is an error, never a partial write that looks complete.
    fn emit_to_slice(&self, buf: &mut [u8]) -> Result<usize, EncodeError> {
        let mut b = Builder::over(buf);
        self.emit(&mut b)?;
        Ok(b.len())
    }

    /// The payload as a new vector.
    fn to_vec(&self) -> Result<Vec<u8>, EncodeError> {
        let mut b = Builder::with_capacity(self.buffer_len());
        self.emit(&mut b)?;
        Ok(b.into_vec())
    }
}

impl Emit for [u8] {
    fn buffer_len(&self) -> usize {
        self.len()
    }
    fn emit(&self, b: &mut Builder<'_>) -> Result<(), EncodeError> {
        b.put(self)
    }
}

impl<E: Emit + ?Sized> Emit for &E {
    fn buffer_len(&self) -> usize {
        (**self).buffer_len()
    }
    fn emit(&self, b: &mut Builder<'_>) -> Result<(), EncodeError> {
        (**self).emit(b)
    }
}

/// `USER_HZ`: clock ticks per second, the unit of the times in `struct rta_cacheinfo` and
/// `struct nda_cacheinfo`. 100 on every Linux architecture netplumb builds for (alpha's
/// 1024 is the exception).
pub const USER_HZ: u32 = 100;

/// Rounds `len` up to the 4-byte netlink alignment (`NLMSG_ALIGN`, `NLA_ALIGN`).
#[inline]
pub const fn align4(len: usize) -> usize {
    (len.saturating_add(3)) & !3
}

/// Reads a fixed-size array at `offset`, or says what is missing.
#[inline]
pub(crate) fn read_array<const N: usize>(
    buf: &[u8],
    offset: usize,
    what: &'static str,
) -> Result<[u8; N], DecodeError> {
    buf.get(offset..offset.saturating_add(N))
        .and_then(|s| <[u8; N]>::try_from(s).ok())
        .ok_or(DecodeError::Truncated {
            what,
            offset,
            need: N,
            have: buf.len().saturating_sub(offset),
        })
}

/// Checks that a family payload holds its whole fixed header (`what`, e.g. "ifaddrmsg", of
/// `len` bytes): what every `*MessageBuffer::new_checked` does.
pub(crate) fn check_header(
    payload: &[u8],
    len: usize,
    what: &'static str,
) -> Result<(), DecodeError> {
    if payload.len() < len {
        return Err(DecodeError::Truncated {
            what,
            offset: 0,
            need: len,
            have: payload.len(),
        });
    }
    Ok(())
}

/// The attributes after a fixed header of `len` bytes; offsets count from the start of
/// `payload`.
pub(crate) fn attrs_after(payload: &[u8], len: usize) -> AttrIter<'_> {
    AttrIter::with_base(payload.get(len..).unwrap_or(&[]), len)
}

/// Reads every attribute of `attrs` with `parse`, in order: what each family's
/// `XxxMessage::parse` does after its fixed header. The vector is sized by a first walk (the
/// iterator is fused: it ends at a malformed header); a plain loop, not
/// `collect::<Result<_, _>>`, which is markedly slower here.
#[inline]
pub(crate) fn parse_attrs<T>(
    attrs: AttrIter<'_>,
    parse: impl Fn(&Attr<'_>) -> Result<T, DecodeError>,
) -> Result<Vec<T>, DecodeError> {
    let mut out = Vec::with_capacity(attrs.clone().count());
    for a in attrs {
        out.push(parse(&a?)?);
    }
    Ok(out)
}

/// A byte range inside a fixed C structure, as smoltcp names them. Every header view lists
/// its layout once, in a private `mod field` next to its `*_LEN` constant:
///
/// ```text
/// mod field {
///     pub const FAMILY: usize = 0;     // a one-byte field is its offset
///     pub const INDEX: Field = 4..8;   // wider fields are ranges
/// }
/// ```
///
/// and reads it with [`byte`] or [`read_field`]; the unit tests of each view pin every
/// field against the C structure's bytes.
pub(crate) type Field = core::ops::Range<usize>;

/// A native-endian integer that fills a [`Field`].
pub(crate) trait FieldInt: Sized + Default {
    /// The value of `bytes`, or None when their length is not the integer's width.
    fn from_ne_slice(bytes: &[u8]) -> Option<Self>;
}

macro_rules! field_int {
    ($($t:ty),*) => {$(
        impl FieldInt for $t {
            #[inline]
            fn from_ne_slice(bytes: &[u8]) -> Option<Self> {
                bytes.try_into().ok().map(<$t>::from_ne_bytes)
            }
        }
    )*};
}
field_int!(u16, u32, i32);

/// Reads the native-endian integer in `field` of a buffer that `new_checked` (or an explicit
/// length check) already measured. A short buffer, or a field whose width is not the
/// integer's, reads as 0 rather than panicking; the header tests catch the latter.
#[inline]
pub(crate) fn read_field<I: FieldInt>(buf: &[u8], field: Field) -> I {
    buf.get(field)
        .and_then(I::from_ne_slice)
        .unwrap_or_default()
}

/// Reads the one-byte field at offset `at` (a `usize` in a view's `mod field`) of a buffer
/// that was already length-checked; 0 on a short buffer instead of panicking.
#[inline]
pub(crate) fn byte(buf: &[u8], at: usize) -> u8 {
    buf.get(at).copied().unwrap_or(0)
}

/// Reads an attribute whose value is a fixed C struct of `N` native-endian `u32` words
/// (`struct ifa_cacheinfo`, `struct nda_cacheinfo`, `struct rta_cacheinfo`). A value of any
/// other size is `BadAttr` naming the attribute, with `reason`.
pub(crate) fn u32_words<const N: usize>(
    a: &Attr<'_>,
    name: &'static str,
    reason: &'static str,
) -> Result<[u32; N], DecodeError> {
    let v = a.value();
    if v.len() != N.saturating_mul(4) {
        return Err(a.bad(name, reason));
    }
    let mut words = [0u32; N];
    for (w, bytes) in words.iter_mut().zip(v.chunks_exact(4)) {
        *w = read_field::<u32>(bytes, 0..4);
    }
    Ok(words)
}

/// The inverse of [`u32_words`]: the words as native-endian bytes. `M` must be `4 * N`
/// (checked at compile time).
pub(crate) fn words_to_bytes<const N: usize, const M: usize>(words: [u32; N]) -> [u8; M] {
    const { assert!(M == 4 * N, "M must be 4 * N") };
    let mut out = [0u8; M];
    for (bytes, w) in out.chunks_exact_mut(4).zip(words) {
        bytes.copy_from_slice(&w.to_ne_bytes());
    }
    out
}
