//! The table that turns a list of uapi attributes into a typed enum.
//!
//! Most link attributes are a fixed-size integer, a string or a few raw bytes. Rather than
//! writing `parse`/`buffer_len`/`emit` arms for each of some two hundred of them, each family
//! lists its attributes once:
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
//! `Variant(Type) = CONSTANT: codec`, where the codec names the wire layout (see [`value!`]):
//! `u8 u16 u32 i32 u64` native endian (`u8_or_flag`: a u8 that some senders write as an
//! empty flag, kept as Unknown then), `be16 be32` network order, `str` a NUL-terminated
//! string, `ifname` an interface name, `bytes` raw bytes, `ipv4 ipv6 mac` addresses, `flag` an
//! empty value, and `custom` for a type implementing [`super::AttrValue`].
//!
//! Every generated enum ends with `Unknown(UnknownAttr)`, which takes attribute types the list
//! does not name, attributes with NLA_F_NESTED/NLA_F_NET_BYTEORDER bits the list does not
//! expect, and strings in a form that would not re-encode identically.

/// Per-codec pieces: `parse` gives `Option<T>` (None: keep the attribute as Unknown), `len`
/// the value's size, `emit` writes the whole attribute.
macro_rules! value {
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
    (parse str, $a:ident, $n:expr) => { $crate::wire::link::string_value($a) };
    (parse ifname, $a:ident, $n:expr) => { $crate::wire::link::ifname_value($a, $n)? };
    (parse bytes, $a:ident, $n:expr) => { Some($a.value().to_vec()) };
    (parse ipv4, $a:ident, $n:expr) => { Some($a.ipv4($n)?) };
    (parse ipv6, $a:ident, $n:expr) => { Some($a.ipv6($n)?) };
    (parse mac, $a:ident, $n:expr) => { Some($a.mac($n)?) };
    (parse flag, $a:ident, $n:expr) => { Some($a.flag($n)?) };
    (parse custom, $a:ident, $n:expr, $base:ident) => {
        Some($crate::wire::link::AttrValue::parse_value($a, $n, $base)?)
    };
    (parse $codec:ident, $a:ident, $n:expr, $base:ident) => { value!(parse $codec, $a, $n) };

    (len u8, $v:ident) => { 1 };
    (len u8_or_flag, $v:ident) => { 1 };
    (len u16, $v:ident) => { 2 };
    (len be16, $v:ident) => { 2 };
    (len u32, $v:ident) => { 4 };
    (len be32, $v:ident) => { 4 };
    (len i32, $v:ident) => { 4 };
    (len u64, $v:ident) => { 8 };
    (len str, $v:ident) => { $v.len() + 1 };
    (len ifname, $v:ident) => { $v.len() + 1 };
    (len bytes, $v:ident) => { $v.len() };
    (len ipv4, $v:ident) => { 4 };
    (len ipv6, $v:ident) => { 16 };
    (len mac, $v:ident) => { 6 };
    (len flag, $v:ident) => { 0 };
    (len custom, $v:ident) => { $crate::wire::link::AttrValue::value_len($v) };

    (emit u8, $b:ident, $k:expr, $v:ident) => { $b.attr_u8($k, *$v) };
    (emit u8_or_flag, $b:ident, $k:expr, $v:ident) => { $b.attr_u8($k, *$v) };
    (emit u16, $b:ident, $k:expr, $v:ident) => { $b.attr_u16($k, *$v) };
    (emit be16, $b:ident, $k:expr, $v:ident) => { $b.attr_u16_be($k, *$v) };
    (emit u32, $b:ident, $k:expr, $v:ident) => { $b.attr_u32($k, *$v) };
    (emit be32, $b:ident, $k:expr, $v:ident) => { $b.attr_u32_be($k, *$v) };
    (emit i32, $b:ident, $k:expr, $v:ident) => { $b.attr_i32($k, *$v) };
    (emit u64, $b:ident, $k:expr, $v:ident) => { $b.attr_u64($k, *$v) };
    (emit str, $b:ident, $k:expr, $v:ident) => { $b.attr_str($k, $v) };
    (emit ifname, $b:ident, $k:expr, $v:ident) => { $crate::wire::link::emit_ifname($b, $k, $v) };
    (emit bytes, $b:ident, $k:expr, $v:ident) => { $b.attr($k, $v) };
    (emit ipv4, $b:ident, $k:expr, $v:ident) => { $b.attr_ipv4($k, *$v) };
    (emit ipv6, $b:ident, $k:expr, $v:ident) => { $b.attr_ipv6($k, *$v) };
    (emit mac, $b:ident, $k:expr, $v:ident) => { $b.attr($k, $v) };
    (emit flag, $b:ident, $k:expr, $v:ident) => { $b.attr_flag($k) };
    (emit custom, $b:ident, $k:expr, $v:ident) => {
        $crate::wire::link::AttrValue::emit_value($v, $b, $k)
    };
}

/// The pattern `Enum::Variant(binding)` for a variant with a value, `Enum::Variant` for a flag.
macro_rules! variant {
    ($v:ident, $E:ident :: $V:ident) => {
        $E::$V
    };
    ($v:ident, $E:ident :: $V:ident, $T:ty) => {
        $E::$V($v)
    };
}

/// The same as a constructor from the parsed value (`()` for a flag).
macro_rules! make_variant {
    ($v:ident, $E:ident :: $V:ident) => {{
        let () = $v;
        $E::$V
    }};
    ($v:ident, $E:ident :: $V:ident, $T:ty) => {
        $E::$V($v)
    };
}

/// Defines an attribute enum from its table; see the module docs.
macro_rules! attribute_enum {
    (
        $(#[$meta:meta])*
        pub enum $Enum:ident {
            $( $(#[$vmeta:meta])* $Var:ident $(($T:ty))? = $KIND:ident : $codec:ident, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum $Enum {
            $( $(#[$vmeta])* $Var $(($T))?, )*
            /// An attribute without a typed variant, or with flag bits, kept as read.
            Unknown($crate::wire::UnknownAttr),
        }

        impl $Enum {
            /// Reads one attribute. A known attribute with a malformed value is an error
            /// naming it; anything else unrecognised becomes `Unknown`.
            pub fn parse(a: &$crate::wire::Attr<'_>) -> Result<Self, $crate::wire::DecodeError> {
                <Self as $crate::wire::link::AttrEnum>::parse_in(a, 0)
            }

            /// The attribute type without flag bits.
            pub fn kind(&self) -> u16 {
                match self {
                    $( variant!(_v, $Enum::$Var $(, $T)?) => $KIND, )*
                    $Enum::Unknown(u) => u.kind & $crate::wire::attr::NLA_TYPE_MASK,
                }
            }

            /// Bytes the attribute takes on the wire, padding included.
            // Fixed-size codecs do not look at the bound value.
            #[allow(unused_variables)]
            pub fn buffer_len(&self) -> usize {
                match self {
                    $( variant!(v, $Enum::$Var $(, $T)?) =>
                        $crate::wire::builder::attr_size(value!(len $codec, v)), )*
                    $Enum::Unknown(u) => u.buffer_len(),
                }
            }

            /// Appends the attribute.
            pub fn emit(
                &self,
                b: &mut $crate::wire::Builder<'_>,
            ) -> Result<(), $crate::wire::EncodeError> {
                match self {
                    $( variant!(v, $Enum::$Var $(, $T)?) => value!(emit $codec, b, $KIND, v), )*
                    $Enum::Unknown(u) => u.emit(b),
                }
            }
        }

        impl $crate::wire::link::AttrEnum for $Enum {
            fn parse_in(
                a: &$crate::wire::Attr<'_>,
                base: usize,
            ) -> Result<Self, $crate::wire::DecodeError> {
                let _ = base;
                if a.raw_kind() != a.kind() {
                    return Ok($Enum::Unknown(a.to_unknown()));
                }
                let typed = match a.kind() {
                    $( $KIND => value!(parse $codec, a, stringify!($KIND), base)
                        .map(|v| make_variant!(v, $Enum::$Var $(, $T)?)), )*
                    _ => None,
                };
                Ok(typed.unwrap_or_else(|| $Enum::Unknown(a.to_unknown())))
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
}
