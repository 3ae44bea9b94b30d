//! The codec macros every family uses: [`attribute_enum!`] turns a table of uapi attributes
//! into a typed enum, [`message_buffer!`] declares the zero-copy view of a payload, and
//! [`u8_values!`] turns a table of named `u8` values into a newtype.
//!
//! All three are usable anywhere in the crate, two ways:
//!
//! - inside `wire` (every family, `wire/nft` included) by bare name, `attribute_enum! { .. }`:
//!   `wire/mod.rs` declares this module first, with `#[macro_use]`;
//! - anywhere, by path: `crate::wire::attribute_enum! { .. }`, or
//!   `use crate::wire::attribute_enum;` and then the bare name.
//!
//! # `attribute_enum!`
//!
//! Most attributes are a fixed-size integer, a string or a few raw bytes. Rather than writing
//! `parse`/`buffer_len`/`emit` arms for each of them, a family lists its attributes once:
//!
//! ```text
//! attribute_enum! {
//!     /// docs
//!     pub enum VxlanAttr {
//!         /// IFLA_VXLAN_ID: the VNI.
//!         Id(u32) = IFLA_VXLAN_ID: u32,
//!         /// IFLA_VXLAN_PORT: a u16 in network byte order.
//!         Port(u16) = IFLA_VXLAN_PORT: be16,
//!         /// IFLA_VXLAN_GBP: a flag, no value.
//!         Gbp = IFLA_VXLAN_GBP: flag,
//!     }
//! }
//! ```
//!
//! Each row is `Variant(Type) = CONSTANT: codec` (no `(Type)` for `flag`), where `CONSTANT`
//! is a `u16` constant in scope (its name is what decode errors report) and the codec names
//! the wire layout:
//!
//! | codec        | Rust type     | wire value                                                   |
//! |--------------|---------------|--------------------------------------------------------------|
//! | `u8`         | `u8`          | one byte                                                     |
//! | `u8_or_flag` | `u8`          | one byte; an empty value (some senders write a flag) is kept as `Unknown` |
//! | `u16` `u32` `i32` `u64` | same   | native endian                                                |
//! | `be16` `be32` `be64` | `u16` `u32` `u64` | network byte order (nf_tables writes most integers so) |
//! | `str`        | `String`      | NUL-terminated; a non-canonical string is kept as `Unknown`  |
//! | `ifname`     | `String`      | an interface name (1 to 15 bytes, NUL-terminated)            |
//! | `bytes`      | `Vec<u8>`     | raw bytes                                                    |
//! | `ipv4` `ipv6`| `Ipv4Addr` `Ipv6Addr` | 4 or 16 bytes                                        |
//! | `ip`         | `IpAddr`      | 4 or 16 bytes, either family                                 |
//! | `mac`        | `[u8; 6]`     | 6 bytes                                                      |
//! | `flag`       | (none)        | empty                                                        |
//! | `custom`     | `T: AttrValue`| whatever `T` reads and writes (see [`super::attr_enum::AttrValue`]); every `u8_values!` type is one (one byte) |
//! | `nest`       | `T: NestValue`| nf_tables only: a nest, typed when its `NLA_F_NESTED` bit agrees with the message's marking (see below) |
//!
//! The generated enum is `#[non_exhaustive]`, derives `Debug, Clone, PartialEq, Eq`, has
//! `parse(&Attr) -> Result<Self, DecodeError>`, `kind() -> u16`, `buffer_len() -> usize` and
//! `emit(&mut Builder) -> Result<(), EncodeError>`, implements
//! [`super::attr_enum::AttrEnum`] (so lists of it nest with `parse_list`/`emit_list`), and
//! ends with `Unknown(UnknownAttr)`. `Unknown` takes attribute types the table does not
//! name, attributes whose flag bits (`NLA_F_NESTED`, `NLA_F_NET_BYTEORDER`) are not the ones
//! the codec expects, and strings in a form that would not re-encode identically; it
//! re-encodes byte for byte. A known attribute whose value has the wrong size is a
//! [`DecodeError::BadAttr`](super::DecodeError::BadAttr) naming the constant.
//!
//! `kind()` of an `Unknown` is its type without the flag bits. A table that ends with
//! `unknown_kind = raw;` after the enum's closing brace gets the type as read instead, flag
//! bits included (what the families written before the macro return).
//!
//! ## The nf_tables dialect
//!
//! `attribute_enum! { nf_tables; pub enum TableAttr { .. } }` takes the same table and
//! generates the same enum, `kind()` and `buffer_len()`, but implements
//! [`NftAttr`](super::nft::NftAttr) instead of `AttrEnum`: parsing threads a
//! [`Cx`](super::nft::Cx) through the message, and emitting takes the
//! [`Nesting`](super::nft::Nesting) to write. The kernel marks none of nf_tables' nests
//! with `NLA_F_NESTED` and `nft` marks all of them, so a `nest` row is typed whichever
//! marking it has, as long as the message is consistent (the first nest decides); scalar
//! codecs still want no flag bits. `nest` exists only in this dialect.
//!
//! # `message_buffer!`
//!
//! ```text
//! message_buffer! {
//!     /// A zero-copy view of a rule message payload (`struct fib_rule_hdr` and its attributes).
//!     RuleMessageBuffer, FIB_RULE_HDR_LEN, "fib_rule_hdr"
//! }
//! ```
//!
//! declares the view `RuleMessageBuffer<T: AsRef<[u8]>>` with `new_checked` (a payload
//! shorter than `FIB_RULE_HDR_LEN` is `DecodeError::Truncated` of "fib_rule_hdr"), `attrs()`
//! and `into_inner()`; the family writes the accessors of its fields beside it.
//!
//! # `u8_values!`
//!
//! ```text
//! u8_values! {
//!     /// docs
//!     RouteType {
//!         /// docs
//!         UNICAST = 1, "RTN_UNICAST";
//!     }
//! }
//! ```
//!
//! declares `pub struct RouteType(pub u8)` with the named values as associated constants,
//! `name() -> Option<&'static str>` (the uapi name), a `Debug` that prints the uapi name (or
//! `RouteType(42)`), and `From` both ways. Values without a name are kept as they are.

/// Per-codec pieces of [`attribute_enum!`]: `parse` gives `Option<T>` (None: keep the
/// attribute as Unknown), `flags` the flag bits the attribute must carry, `len` the value's
/// size, `emit` writes the whole attribute.
macro_rules! attr_codec {
    (parse u8, $a:ident, $n:expr) => { Some($a.u8($n)?) };
    (parse u8_or_flag, $a:ident, $n:expr) => {
        if $a.value().is_empty() { None } else { Some($a.u8($n)?) }
    };
    (parse u16, $a:ident, $n:expr) => { Some($a.u16($n)?) };
    (parse be16, $a:ident, $n:expr) => { Some($a.u16_be($n)?) };
    (parse u32, $a:ident, $n:expr) => { Some($a.u32($n)?) };
    (parse be32, $a:ident, $n:expr) => { Some($a.u32_be($n)?) };
    (parse i32, $a:ident, $n:expr) => { Some($a.i32($n)?) };
    (parse u64, $a:ident, $n:expr) => { Some($a.u64($n)?) };
    // A native-endian read turned around is the big-endian value on either byte order.
    (parse be64, $a:ident, $n:expr) => { Some(u64::from_be($a.u64($n)?)) };
    (parse str, $a:ident, $n:expr) => { $crate::wire::attr_enum::string_value($a) };
    (parse ifname, $a:ident, $n:expr) => { $crate::wire::attr_enum::ifname_value($a, $n)? };
    (parse bytes, $a:ident, $n:expr) => { Some($a.value().to_vec()) };
    (parse ipv4, $a:ident, $n:expr) => { Some($a.ipv4($n)?) };
    (parse ipv6, $a:ident, $n:expr) => { Some($a.ipv6($n)?) };
    (parse ip, $a:ident, $n:expr) => { Some($a.ip($n)?) };
    (parse mac, $a:ident, $n:expr) => { Some($a.mac($n)?) };
    (parse flag, $a:ident, $n:expr) => { Some($a.flag($n)?) };
    (parse custom, $a:ident, $n:expr, $base:ident) => {
        Some($crate::wire::attr_enum::AttrValue::parse_value($a, $n, $base)?)
    };
    // nf_tables' nests: typed when the marking agrees with the message's (`Cx::nest_ok`).
    (parse nest, $a:ident, $n:expr, $cx:ident) => {
        if $cx.nest_ok($a) {
            Some($crate::wire::nft::NestValue::parse_nest($a, $cx)?)
        } else {
            None
        }
    };
    (parse $codec:ident, $a:ident, $n:expr, $base:ident) => {
        $crate::wire::macros::attr_codec!(parse $codec, $a, $n)
    };

    // Whether an attribute's flag bits let the codec read it: a nest's marking is checked
    // by its parse arm, every other codec wants none.
    (accepts nest, $a:ident) => { true };
    (accepts $codec:ident, $a:ident) => { $a.raw_kind() == $a.kind() };

    (len u8, $v:ident) => { 1 };
    (len u8_or_flag, $v:ident) => { 1 };
    (len u16, $v:ident) => { 2 };
    (len be16, $v:ident) => { 2 };
    (len u32, $v:ident) => { 4 };
    (len be32, $v:ident) => { 4 };
    (len i32, $v:ident) => { 4 };
    (len u64, $v:ident) => { 8 };
    (len be64, $v:ident) => { 8 };
    (len str, $v:ident) => { $v.len() + 1 };
    (len ifname, $v:ident) => { $v.len() + 1 };
    (len bytes, $v:ident) => { $v.len() };
    (len ipv4, $v:ident) => { 4 };
    (len ipv6, $v:ident) => { 16 };
    (len ip, $v:ident) => { if $v.is_ipv4() { 4 } else { 16 } };
    (len mac, $v:ident) => { 6 };
    (len flag, $v:ident) => { 0 };
    (len custom, $v:ident) => { $crate::wire::attr_enum::AttrValue::value_len($v) };
    (len nest, $v:ident) => { $crate::wire::nft::NestValue::value_len($v) };

    (emit u8, $b:ident, $k:expr, $v:ident) => { $b.attr_u8($k, *$v) };
    (emit u8_or_flag, $b:ident, $k:expr, $v:ident) => { $b.attr_u8($k, *$v) };
    (emit u16, $b:ident, $k:expr, $v:ident) => { $b.attr_u16($k, *$v) };
    (emit be16, $b:ident, $k:expr, $v:ident) => { $b.attr_u16_be($k, *$v) };
    (emit u32, $b:ident, $k:expr, $v:ident) => { $b.attr_u32($k, *$v) };
    (emit be32, $b:ident, $k:expr, $v:ident) => { $b.attr_u32_be($k, *$v) };
    (emit i32, $b:ident, $k:expr, $v:ident) => { $b.attr_i32($k, *$v) };
    (emit u64, $b:ident, $k:expr, $v:ident) => { $b.attr_u64($k, *$v) };
    (emit be64, $b:ident, $k:expr, $v:ident) => { $b.attr($k, &$v.to_be_bytes()) };
    (emit str, $b:ident, $k:expr, $v:ident) => { $b.attr_str($k, $v) };
    (emit ifname, $b:ident, $k:expr, $v:ident) => {
        $crate::wire::attr_enum::emit_ifname($b, $k, stringify!($k), $v)
    };
    (emit bytes, $b:ident, $k:expr, $v:ident) => { $b.attr($k, $v) };
    (emit ipv4, $b:ident, $k:expr, $v:ident) => { $b.attr_ipv4($k, *$v) };
    (emit ipv6, $b:ident, $k:expr, $v:ident) => { $b.attr_ipv6($k, *$v) };
    (emit ip, $b:ident, $k:expr, $v:ident) => { $b.attr_ip($k, *$v) };
    (emit mac, $b:ident, $k:expr, $v:ident) => { $b.attr($k, $v) };
    (emit flag, $b:ident, $k:expr, $v:ident) => { $b.attr_flag($k) };
    (emit custom, $b:ident, $k:expr, $v:ident) => {
        $crate::wire::attr_enum::AttrValue::emit_value($v, $b, $k)
    };
    (emit nest, $b:ident, $k:expr, $v:ident, $nesting:ident) => {
        $crate::wire::nft::NestValue::emit_nest($v, $b, $k, $nesting)
    };
    (emit $codec:ident, $b:ident, $k:expr, $v:ident, $nesting:ident) => {
        $crate::wire::macros::attr_codec!(emit $codec, $b, $k, $v)
    };
}
pub(crate) use attr_codec;

/// The pattern `Enum::Variant(binding)` for a variant with a value, `Enum::Variant` for a flag.
macro_rules! attr_variant {
    ($v:ident, $E:ident :: $V:ident) => {
        $E::$V
    };
    ($v:ident, $E:ident :: $V:ident, $T:ty) => {
        $E::$V($v)
    };
}
pub(crate) use attr_variant;

/// The same as a constructor from the parsed value (`()` for a flag).
macro_rules! attr_make_variant {
    ($v:ident, $E:ident :: $V:ident) => {{
        let () = $v;
        $E::$V
    }};
    ($v:ident, $E:ident :: $V:ident, $T:ty) => {
        $E::$V($v)
    };
}
pub(crate) use attr_make_variant;

/// The type `kind()` reports for an `Unknown` attribute `u`: without flag bits, or (`raw`)
/// as read.
macro_rules! unknown_kind {
    ($u:ident) => {
        $u.kind & $crate::wire::attr::NLA_TYPE_MASK
    };
    ($u:ident, raw) => {
        $u.kind
    };
}
pub(crate) use unknown_kind;

/// Defines an attribute enum from its table; see the [module docs](self).
macro_rules! attribute_enum {
    (
        $(#[$meta:meta])*
        pub enum $Enum:ident {
            $( $(#[$vmeta:meta])* $Var:ident $(($T:ty))? = $KIND:ident : $codec:ident, )*
        }
        $( unknown_kind = $uk:ident; )?
    ) => {
        $crate::wire::macros::attribute_enum!(@common
            $(#[$meta])* $Enum { $( $(#[$vmeta])* $Var $(($T))? = $KIND : $codec, )* }
            $( unknown_kind = $uk; )?
        );

        impl $Enum {
            /// Reads one attribute. A known attribute with a malformed value is an error
            /// naming it; anything else unrecognised becomes `Unknown`.
            pub fn parse(a: &$crate::wire::Attr<'_>) -> Result<Self, $crate::wire::DecodeError> {
                <Self as $crate::wire::attr_enum::AttrEnum>::parse_in(a, 0)
            }

            /// Appends the attribute.
            pub fn emit(
                &self,
                b: &mut $crate::wire::Builder<'_>,
            ) -> Result<(), $crate::wire::EncodeError> {
                match self {
                    $( $crate::wire::macros::attr_variant!(v, $Enum::$Var $(, $T)?) =>
                        $crate::wire::macros::attr_codec!(emit $codec, b, $KIND, v), )*
                    $Enum::Unknown(u) => u.emit(b),
                }
            }
        }

        impl $crate::wire::attr_enum::AttrEnum for $Enum {
            fn parse_in(
                a: &$crate::wire::Attr<'_>,
                base: usize,
            ) -> Result<Self, $crate::wire::DecodeError> {
                let _ = base;
                $crate::wire::macros::attribute_enum!(@parse $Enum, a, base {
                    $( $Var $(($T))? = $KIND : $codec, )*
                })
            }
            fn attr_len(&self) -> usize {
                self.buffer_len()
            }
            fn emit_attr(
                &self,
                b: &mut $crate::wire::Builder<'_>,
            ) -> Result<(), $crate::wire::EncodeError> {
                self.emit(b)
            }
        }
    };

    // nf_tables: the same table, read and written through `wire::nft::NftAttr`, whose
    // context carries the message's nest marking.
    (
        nf_tables;
        $(#[$meta:meta])*
        pub enum $Enum:ident {
            $( $(#[$vmeta:meta])* $Var:ident $(($T:ty))? = $KIND:ident : $codec:ident, )*
        }
    ) => {
        $crate::wire::macros::attribute_enum!(@common
            $(#[$meta])* $Enum { $( $(#[$vmeta])* $Var $(($T))? = $KIND : $codec, )* }
        );

        impl $crate::wire::nft::NftAttr for $Enum {
            fn parse_in(
                a: &$crate::wire::Attr<'_>,
                cx: &mut $crate::wire::nft::Cx,
            ) -> Result<Self, $crate::wire::DecodeError> {
                let _ = &cx;
                $crate::wire::macros::attribute_enum!(@parse $Enum, a, cx {
                    $( $Var $(($T))? = $KIND : $codec, )*
                })
            }

            fn attr_len(&self) -> usize {
                self.buffer_len()
            }

            fn emit_attr(
                &self,
                b: &mut $crate::wire::Builder<'_>,
                nesting: $crate::wire::nft::Nesting,
            ) -> Result<(), $crate::wire::EncodeError> {
                let _ = nesting;
                match self {
                    $( $crate::wire::macros::attr_variant!(v, $Enum::$Var $(, $T)?) =>
                        $crate::wire::macros::attr_codec!(emit $codec, b, $KIND, v, nesting), )*
                    $Enum::Unknown(u) => u.emit(b),
                }
            }
        }
    };

    // What both dialects' `parse_in` share: attribute `$a` typed by its row (the codec's
    // `parse` gets `$cx`, the dialect's context), or kept as `Unknown`.
    (@parse $Enum:ident, $a:ident, $cx:ident {
        $( $Var:ident $(($T:ty))? = $KIND:ident : $codec:ident, )*
    }) => {{
        let typed = match $a.kind() {
            $( $KIND if $crate::wire::macros::attr_codec!(accepts $codec, $a) =>
                $crate::wire::macros::attr_codec!(parse $codec, $a, stringify!($KIND), $cx)
                    .map(|v| $crate::wire::macros::attr_make_variant!(
                        v, $Enum::$Var $(, $T)?
                    )), )*
            _ => None,
        };
        Ok(typed.unwrap_or_else(|| $Enum::Unknown($a.to_unknown())))
    }};

    // What both dialects share: the enum, `kind` and `buffer_len`.
    (@common
        $(#[$meta:meta])* $Enum:ident {
            $( $(#[$vmeta:meta])* $Var:ident $(($T:ty))? = $KIND:ident : $codec:ident, )*
        }
        $( unknown_kind = $uk:ident; )?
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum $Enum {
            $( $(#[$vmeta])* $Var $(($T))?, )*
            /// An attribute without a typed variant, with flag bits its codec does not
            /// expect, or a string in a form that would not re-encode identically: kept as
            /// read.
            Unknown($crate::wire::UnknownAttr),
        }

        impl $Enum {
            /// The attribute type: the table's constant; for `Unknown`, the type read (see
            /// `attribute_enum!` in `wire/macros.rs` for its flag bits).
            pub fn kind(&self) -> u16 {
                match self {
                    $( $crate::wire::macros::attr_variant!(_v, $Enum::$Var $(, $T)?) => $KIND, )*
                    $Enum::Unknown(u) => $crate::wire::macros::unknown_kind!(u $(, $uk)?),
                }
            }

            /// Bytes the attribute takes on the wire, padding included.
            // Fixed-size codecs do not look at the bound value.
            #[allow(unused_variables)]
            pub fn buffer_len(&self) -> usize {
                match self {
                    $( $crate::wire::macros::attr_variant!(v, $Enum::$Var $(, $T)?) =>
                        $crate::wire::builder::attr_size(
                            $crate::wire::macros::attr_codec!(len $codec, v)
                        ), )*
                    $Enum::Unknown(u) => u.buffer_len(),
                }
            }
        }
    };
}
pub(crate) use attribute_enum;

/// Declares the zero-copy view of a family's payload, `pub struct $Name<T: AsRef<[u8]>>`,
/// with what every view has: `new_checked` (the payload must hold the whole fixed header of
/// `$LEN` bytes, called `$c` in errors: "fib_rule_hdr"), `attrs()` (the attributes after the
/// header, offsets counted from the start of the payload) and `into_inner()`. The family
/// adds the accessors of its header's fields in an `impl` block of its own, reading
/// `self.buffer` with `byte` and `read_field`. See the [module docs](self).
macro_rules! message_buffer {
    ($(#[$meta:meta])* $Name:ident, $LEN:expr, $c:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy)]
        pub struct $Name<T: AsRef<[u8]>> {
            buffer: T,
        }

        impl<T: AsRef<[u8]>> $Name<T> {
            #[doc = concat!(
                "Checks that `payload` holds at least a whole `struct ", $c, "`; after that no ",
                "accessor can fail. Attributes are validated as [`", stringify!($Name),
                "::attrs`] walks them."
            )]
            pub fn new_checked(payload: T) -> Result<Self, $crate::wire::DecodeError> {
                $crate::wire::check_header(payload.as_ref(), $LEN, $c)?;
                Ok($Name { buffer: payload })
            }

            /// The attributes; offsets count from the start of the payload.
            pub fn attrs(&self) -> $crate::wire::AttrIter<'_> {
                $crate::wire::attrs_after(self.buffer.as_ref(), $LEN)
            }

            /// The underlying buffer.
            pub fn into_inner(self) -> T {
                self.buffer
            }
        }
    };
}
pub(crate) use message_buffer;

/// Declares a `u8` newtype whose named values are associated constants; any other value is
/// kept as is. See the [module docs](self).
macro_rules! u8_values {
    ($(#[$m:meta])* $name:ident { $($(#[$cm:meta])* $c:ident = $v:literal, $uapi:literal;)* }) => {
        $(#[$m])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name(pub u8);

        impl $name {
            $($(#[$cm])* pub const $c: Self = Self($v);)*

            /// The uapi name of the value, when it has one.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($v => Some($uapi),)*
                    _ => None,
                }
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self.name() {
                    Some(n) => f.write_str(n),
                    None => write!(f, "{}({})", stringify!($name), self.0),
                }
            }
        }

        impl From<u8> for $name {
            fn from(v: u8) -> Self {
                Self(v)
            }
        }

        impl From<$name> for u8 {
            fn from(v: $name) -> u8 {
                v.0
            }
        }

        // One byte, so that attribute tables can list the type with the `custom` codec.
        impl $crate::wire::attr_enum::AttrValue for $name {
            fn parse_value(
                a: &$crate::wire::Attr<'_>,
                name: &'static str,
                _base: usize,
            ) -> Result<Self, $crate::wire::DecodeError> {
                a.u8(name).map(Self)
            }
            fn value_len(&self) -> usize {
                1
            }
            fn emit_value(
                &self,
                b: &mut $crate::wire::Builder<'_>,
                kind: u16,
            ) -> Result<(), $crate::wire::EncodeError> {
                b.attr_u8(kind, self.0)
            }
        }
    };
}
pub(crate) use u8_values;

#[cfg(test)]
mod tests {
    use crate::wire::attr::{AttrIter, NLA_F_NESTED};
    use crate::wire::nft::{Cx, Nesting, NftAttr};
    use crate::wire::{Builder, UnknownAttr};

    const T_BE64: u16 = 1;
    const T_NEST: u16 = 2;
    const T_U32: u16 = 3;

    attribute_enum! {
        /// A test table with a network-order codec.
        pub enum TestAttr {
            /// A big-endian u64.
            Big(u64) = T_BE64: be64,
            /// A plain u32.
            Plain(u32) = T_U32: u32,
        }
    }

    attribute_enum! {
        nf_tables;
        /// A test table in the nf_tables dialect.
        pub enum NftTestAttr {
            /// A big-endian u32.
            Word(u32) = T_U32: be32,
            /// A nest of the same table.
            Nest(Vec<NftTestAttr>) = T_NEST: nest,
        }
    }

    fn one(bytes: &[u8]) -> TestAttr {
        let a = AttrIter::new(bytes).next().unwrap().unwrap();
        TestAttr::parse(&a).unwrap()
    }

    fn emitted(attr: &TestAttr) -> Vec<u8> {
        let mut b = Builder::new();
        attr.emit(&mut b).unwrap();
        assert_eq!(b.len(), attr.buffer_len());
        b.into_vec()
    }

    #[test]
    fn be64_is_network_order_both_ways() {
        let wire = [12, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 2];
        assert_eq!(one(&wire), TestAttr::Big(0x0102));
        assert_eq!(emitted(&TestAttr::Big(0x0102)), wire);
    }

    #[test]
    fn scalar_codecs_with_a_flag_bit_stay_unknown() {
        let wire = [8, 0, 3, 0x80, 7, 0, 0, 0];
        assert_eq!(u16::from_ne_bytes([3, 0x80]), T_U32 | NLA_F_NESTED);
        assert!(matches!(one(&wire), TestAttr::Unknown(_)));
        let plain = one(&[8, 0, 3, 0, 7, 0, 0, 0]);
        assert_eq!(plain, TestAttr::Plain(7));
        assert_eq!(plain.kind(), T_U32);
    }

    #[test]
    fn nf_tables_nests_follow_the_first_marking() {
        let flagged = [12, 0, 2, 0x80, 8, 0, 3, 0, 0, 0, 0, 7];
        let bare = [12, 0, 2, 0, 8, 0, 3, 0, 0, 0, 0, 7];
        let read = |bytes: &[u8], cx: &mut Cx| {
            let a = AttrIter::new(bytes).next().unwrap().unwrap();
            NftTestAttr::parse_in(&a, cx).unwrap()
        };
        let typed = NftTestAttr::Nest(vec![NftTestAttr::Word(7)]);
        assert_eq!(typed.kind(), T_NEST);
        for (bytes, nesting) in [(flagged, Nesting::Flagged), (bare, Nesting::Plain)] {
            let mut cx = Cx::new();
            assert_eq!(read(&bytes, &mut cx), typed);
            assert_eq!(cx.nesting(), nesting);
            let mut b = Builder::new();
            typed.emit_attr(&mut b, nesting).unwrap();
            assert_eq!(b.as_bytes(), bytes);
            assert_eq!(typed.attr_len(), bytes.len());
        }
        // A nest marked unlike the first one of its message is kept as read.
        let mut cx = Cx::with(Nesting::Flagged);
        let kept = read(&bare, &mut cx);
        assert_eq!(
            kept,
            NftTestAttr::Unknown(UnknownAttr {
                kind: T_NEST,
                value: bare[4..].to_vec()
            })
        );
        // A scalar with a flag bit is kept too.
        let word = [8, 0, 3, 0x40, 0, 0, 0, 7];
        assert!(matches!(
            read(&word, &mut Cx::new()),
            NftTestAttr::Unknown(_)
        ));
    }

    u8_values! {
        /// A test newtype.
        Color {
            /// Red.
            RED = 1, "COLOR_RED";
        }
    }

    #[test]
    fn u8_values_name_and_debug() {
        assert_eq!(Color::RED.name(), Some("COLOR_RED"));
        assert_eq!(format!("{:?}", Color::RED), "COLOR_RED");
        assert_eq!(format!("{:?}", Color(9)), "Color(9)");
        assert_eq!(u8::from(Color::from(9)), 9);
    }
}
