//! What the typed attribute enums of every family are made of: the traits that
//! [`attribute_enum!`](super::macros) implements and expands to, and the helpers for nests,
//! strings and interface names that the generated code and hand-written values share.
//!
//! A family defines its attributes with `attribute_enum!` (see [`super::macros`]); a value
//! more structured than a scalar implements [`AttrValue`] and is listed with the `custom`
//! codec; a nest of another attribute enum is read with [`parse_list`] and written with
//! [`emit_list`]. Everything here is `pub(crate)`: the public surface is the generated enums.

use super::attr::{Attr, AttrIter, MAX_NEST_DEPTH};
use super::{Builder, DecodeError, EncodeError};

/// A value stored in one attribute whose layout is more than a scalar (the `custom` codec of
/// [`attribute_enum!`]).
pub(crate) trait AttrValue: Sized {
    /// Reads the value of `a`; `base` is the nesting depth of the list `a` belongs to, so
    /// nests inside can be bounded by [`MAX_NEST_DEPTH`].
    fn parse_value(a: &Attr<'_>, name: &'static str, base: usize) -> Result<Self, DecodeError>;
    /// Length of the value, without the attribute header and padding.
    fn value_len(&self) -> usize;
    /// Appends the whole attribute of type `kind`.
    fn emit_value(&self, b: &mut Builder<'_>, kind: u16) -> Result<(), EncodeError>;
}

/// A large value (the counters) is kept boxed, so that the attribute enum stays small: every
/// attribute of a decoded message takes the size of the largest variant.
impl<T: AttrValue> AttrValue for Box<T> {
    fn parse_value(a: &Attr<'_>, name: &'static str, base: usize) -> Result<Self, DecodeError> {
        T::parse_value(a, name, base).map(Box::new)
    }
    fn value_len(&self) -> usize {
        T::value_len(self)
    }
    fn emit_value(&self, b: &mut Builder<'_>, kind: u16) -> Result<(), EncodeError> {
        T::emit_value(self, b, kind)
    }
}

/// What every generated attribute enum can do, for code that handles lists of them.
pub(crate) trait AttrEnum: Sized {
    fn parse_in(a: &Attr<'_>, base: usize) -> Result<Self, DecodeError>;
    fn attr_len(&self) -> usize;
    fn emit_attr(&self, b: &mut Builder<'_>) -> Result<(), EncodeError>;
}

/// The attributes inside nest `a`, after checking that the nest is within
/// [`MAX_NEST_DEPTH`] counting from the outermost message (`base` + the depth of `a`).
pub(crate) fn nest<'a>(a: &Attr<'a>, base: usize) -> Result<AttrIter<'a>, DecodeError> {
    if base.saturating_add(a.depth()) >= MAX_NEST_DEPTH {
        return Err(DecodeError::NestingTooDeep {
            offset: a.offset(),
            max: MAX_NEST_DEPTH,
        });
    }
    a.nested()
}

/// The attributes in nest `a`, each read with `T::parse_in`.
pub(crate) fn parse_list<T: AttrEnum>(a: &Attr<'_>, base: usize) -> Result<Vec<T>, DecodeError> {
    nest(a, base)?
        .map(|r| r.and_then(|x| T::parse_in(&x, base)))
        .collect()
}

/// Bytes a list of attributes takes.
pub(crate) fn list_len<T: AttrEnum>(list: &[T]) -> usize {
    list.iter().map(T::attr_len).sum()
}

/// Writes `list` as nest `kind` (without NLA_F_NESTED, as the kernel and iproute2 do here).
pub(crate) fn emit_list<T: AttrEnum>(
    b: &mut Builder<'_>,
    kind: u16,
    list: &[T],
) -> Result<(), EncodeError> {
    b.nested(kind, |b| list.iter().try_for_each(|a| a.emit_attr(b)))
}

/// A string attribute in the canonical form (UTF-8, one NUL, at the end), or None to keep
/// the attribute as Unknown so it re-encodes byte for byte.
pub(crate) fn string_value(a: &Attr<'_>) -> Option<String> {
    match a.value().split_last() {
        Some((0, s)) if !s.contains(&0) => std::str::from_utf8(s).ok().map(str::to_owned),
        _ => None,
    }
}

/// An interface name: empty, unterminated or 16+ byte names are errors; a well-sized name
/// that is not UTF-8 (the kernel allows that), or has bytes after its NUL, is kept as Unknown.
pub(crate) fn ifname_value(
    a: &Attr<'_>,
    name: &'static str,
) -> Result<Option<String>, DecodeError> {
    let v = a.value();
    let name_bytes = v
        .iter()
        .position(|&c| c == 0)
        .filter(|e| (1..16).contains(e));
    if name_bytes.is_some_and(|end| std::str::from_utf8(v.get(..end).unwrap_or(&[])).is_err()) {
        return Ok(None);
    }
    let s = a.ifname(name)?;
    Ok((v.len() == s.len() + 1).then(|| s.to_owned()))
}

/// Writes an interface name as attribute `kind` (named `what` in errors), refusing what the
/// kernel would refuse.
pub(crate) fn emit_ifname(
    b: &mut Builder<'_>,
    kind: u16,
    what: &'static str,
    name: &str,
) -> Result<(), EncodeError> {
    let bad = |reason| EncodeError::InvalidValue { what, reason };
    if name.is_empty() {
        return Err(bad("empty interface name"));
    }
    if name.len() >= 16 {
        return Err(bad("interface name of 16 bytes or more"));
    }
    b.attr_str(kind, name)
}
