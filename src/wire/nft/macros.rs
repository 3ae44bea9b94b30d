//! `nft_attrs!`: the attribute table of `wire::link`'s `attribute_enum!`, for nf_tables.
//!
//! The rows are written the same way (`Variant(Type) = CONSTANT: codec`) and leaf codecs are
//! the link table's own (`value!`: `str`, `be32`, `be16`, `u8`, `bytes`, ...). Two things
//! differ, and are why this is a sibling rather than a use of `attribute_enum!`:
//!
//! - nests: `nft` (libnftnl) marks every nest with `NLA_F_NESTED` and the kernel marks none,
//!   so a nest is typed whichever marking it has, as long as the message is consistent
//!   (see [`super::Nesting`]). `attribute_enum!` keeps any attribute with a flag bit as
//!   `Unknown`, which would leave every nest of `nft`'s requests untyped.
//! - `be64` (handles, counters, timeouts) and `nest` (a value implementing
//!   [`super::NestValue`]) codecs.

/// Per-codec pieces for nf_tables: `be64` and `nest` here, everything else the link table's.
macro_rules! nft_value {
    (parse be64, $a:ident, $n:expr, $cx:ident) => {
        if $a.raw_kind() == $a.kind() {
            Some($crate::wire::nft::be64($a, $n)?)
        } else {
            None
        }
    };
    (parse nest, $a:ident, $n:expr, $cx:ident) => {
        if $cx.nest_ok($a) {
            Some($crate::wire::nft::NestValue::parse_nest($a, $cx)?)
        } else {
            None
        }
    };
    (parse $codec:ident, $a:ident, $n:expr, $cx:ident) => {
        if $a.raw_kind() == $a.kind() {
            value!(parse $codec, $a, $n)
        } else {
            None
        }
    };

    (len be64, $v:ident) => { 8 };
    (len nest, $v:ident) => { $crate::wire::nft::NestValue::value_len($v) };
    (len $codec:ident, $v:ident) => { value!(len $codec, $v) };

    (emit be64, $b:ident, $k:expr, $v:ident, $nesting:ident) => {
        $b.attr($k, &$v.to_be_bytes())
    };
    (emit nest, $b:ident, $k:expr, $v:ident, $nesting:ident) => {
        $crate::wire::nft::NestValue::emit_nest($v, $b, $k, $nesting)
    };
    (emit $codec:ident, $b:ident, $k:expr, $v:ident, $nesting:ident) => {
        value!(emit $codec, $b, $k, $v)
    };
}

/// Defines an nf_tables attribute enum from its table; see the module docs.
macro_rules! nft_attrs {
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
            /// An attribute without a typed variant, with flag bits the table does not
            /// expect, or a string in a form that would not re-encode identically: kept as
            /// read.
            Unknown($crate::wire::UnknownAttr),
        }

        impl $Enum {
            /// The attribute type without flag bits.
            pub fn kind(&self) -> u16 {
                match self {
                    $( variant!(_v, $Enum::$Var $(, $T)?) => $KIND, )*
                    $Enum::Unknown(u) => u.kind & $crate::wire::attr::NLA_TYPE_MASK,
                }
            }
        }

        impl $crate::wire::nft::NftAttr for $Enum {
            fn parse_in(
                a: &$crate::wire::Attr<'_>,
                cx: &mut $crate::wire::nft::Cx,
            ) -> Result<Self, $crate::wire::DecodeError> {
                let _ = &cx;
                let typed = match a.kind() {
                    $( $KIND => nft_value!(parse $codec, a, stringify!($KIND), cx)
                        .map(|v| make_variant!(v, $Enum::$Var $(, $T)?)), )*
                    _ => None,
                };
                Ok(typed.unwrap_or_else(|| $Enum::Unknown(a.to_unknown())))
            }

            // Fixed-size codecs do not look at the bound value.
            #[allow(unused_variables)]
            fn attr_len(&self) -> usize {
                match self {
                    $( variant!(v, $Enum::$Var $(, $T)?) =>
                        $crate::wire::builder::attr_size(nft_value!(len $codec, v)), )*
                    $Enum::Unknown(u) => u.buffer_len(),
                }
            }

            fn emit_attr(
                &self,
                b: &mut $crate::wire::Builder<'_>,
                nesting: $crate::wire::nft::Nesting,
            ) -> Result<(), $crate::wire::EncodeError> {
                let _ = nesting;
                match self {
                    $( variant!(v, $Enum::$Var $(, $T)?) =>
                        nft_value!(emit $codec, b, $KIND, v, nesting), )*
                    $Enum::Unknown(u) => u.emit(b),
                }
            }
        }
    };
}
