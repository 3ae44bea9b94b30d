//! Sets (`NFTA_SET_*`) and set elements (`NFTA_SET_ELEM_LIST_*`, `NFTA_SET_ELEM_*`).

use super::{Cx, DataAttr, Expr, NFTA_LIST_ELEM, Nesting, NftAttr, emit_list, list_len};
use crate::wire::attr::{Attr, NLA_TYPE_MASK};
use crate::wire::builder::attr_size;
use crate::wire::{Builder, DecodeError, EncodeError, UnknownAttr};

/// `NFTA_SET_TABLE`: the table (string).
pub const NFTA_SET_TABLE: u16 = 1;
/// `NFTA_SET_NAME`: the set's name (string; `__set%d` for anonymous sets).
pub const NFTA_SET_NAME: u16 = 2;
/// `NFTA_SET_FLAGS`: `NFT_SET_*` (u32, big-endian).
pub const NFTA_SET_FLAGS: u16 = 3;
/// `NFTA_SET_KEY_TYPE`: the key's data type, nft's numbering (u32, big-endian).
pub const NFTA_SET_KEY_TYPE: u16 = 4;
/// `NFTA_SET_KEY_LEN`: the key's length in bytes (u32, big-endian).
pub const NFTA_SET_KEY_LEN: u16 = 5;
/// `NFTA_SET_DATA_TYPE`: a map's data type (u32, big-endian).
pub const NFTA_SET_DATA_TYPE: u16 = 6;
/// `NFTA_SET_DATA_LEN`: a map's data length (u32, big-endian).
pub const NFTA_SET_DATA_LEN: u16 = 7;
/// `NFTA_SET_POLICY`: `NFT_SET_POL_*` (u32, big-endian).
pub const NFTA_SET_POLICY: u16 = 8;
/// `NFTA_SET_DESC`: size hints (nest of `NFTA_SET_DESC_*`).
pub const NFTA_SET_DESC: u16 = 9;
/// `NFTA_SET_ID`: an id naming the set within its batch (u32, big-endian).
pub const NFTA_SET_ID: u16 = 10;
/// `NFTA_SET_TIMEOUT`: default element timeout in ms (u64, big-endian).
pub const NFTA_SET_TIMEOUT: u16 = 11;
/// `NFTA_SET_GC_INTERVAL`: garbage collection interval in ms (u32, big-endian).
pub const NFTA_SET_GC_INTERVAL: u16 = 12;
/// `NFTA_SET_USERDATA`: opaque user data (bytes; `nft` keeps the key's byte order here).
pub const NFTA_SET_USERDATA: u16 = 13;
/// `NFTA_SET_PAD`: padding.
pub const NFTA_SET_PAD: u16 = 14;
/// `NFTA_SET_OBJ_TYPE`: object type of an object map (u32, big-endian).
pub const NFTA_SET_OBJ_TYPE: u16 = 15;
/// `NFTA_SET_HANDLE`: the set's handle (u64, big-endian).
pub const NFTA_SET_HANDLE: u16 = 16;
/// `NFTA_SET_EXPR`: one expression for every element (nest; kept unknown here).
pub const NFTA_SET_EXPR: u16 = 17;
/// `NFTA_SET_EXPRESSIONS`: expressions for every element (list of expressions).
pub const NFTA_SET_EXPRESSIONS: u16 = 18;

/// `NFTA_SET_TYPE`: the set's backend (string; kernels from 6.16 on report it in dumps, not
/// yet in the uapi header this crate was written against).
pub const NFTA_SET_TYPE: u16 = 19;
/// `NFTA_SET_COUNT`: the number of elements (u32, big-endian; kernels from 6.16 on).
pub const NFTA_SET_COUNT: u16 = 20;

/// `NFT_SET_ANONYMOUS`: bound to the rule that made it.
pub const NFT_SET_ANONYMOUS: u32 = 0x1;
/// `NFT_SET_CONSTANT`: elements cannot change.
pub const NFT_SET_CONSTANT: u32 = 0x2;
/// `NFT_SET_INTERVAL`: elements are ranges.
pub const NFT_SET_INTERVAL: u32 = 0x4;
/// `NFT_SET_MAP`: a map (elements have data).
pub const NFT_SET_MAP: u32 = 0x8;
/// `NFT_SET_TIMEOUT`: elements time out.
pub const NFT_SET_TIMEOUT: u32 = 0x10;
/// `NFT_SET_EVAL`: filled from the packet path (`dynamic`).
pub const NFT_SET_EVAL: u32 = 0x20;
/// `NFT_SET_OBJECT`: an object map.
pub const NFT_SET_OBJECT: u32 = 0x40;
/// `NFT_SET_CONCAT`: concatenated keys.
pub const NFT_SET_CONCAT: u32 = 0x80;
/// `NFT_SET_EXPR`: elements carry expressions.
pub const NFT_SET_EXPR: u32 = 0x100;

/// `NFTA_SET_DESC_SIZE`: the expected number of elements (u32, big-endian).
pub const NFTA_SET_DESC_SIZE: u16 = 1;
/// `NFTA_SET_DESC_CONCAT`: field lengths of a concatenation (nest).
pub const NFTA_SET_DESC_CONCAT: u16 = 2;

attribute_enum! {
    nf_tables;
    /// One `NFTA_SET_*` attribute.
    pub enum SetAttr {
        /// `NFTA_SET_TABLE`.
        Table(String) = NFTA_SET_TABLE: str,
        /// `NFTA_SET_NAME`.
        Name(String) = NFTA_SET_NAME: str,
        /// `NFTA_SET_FLAGS`: `NFT_SET_*`.
        Flags(u32) = NFTA_SET_FLAGS: be32,
        /// `NFTA_SET_KEY_TYPE`.
        KeyType(u32) = NFTA_SET_KEY_TYPE: be32,
        /// `NFTA_SET_KEY_LEN`.
        KeyLen(u32) = NFTA_SET_KEY_LEN: be32,
        /// `NFTA_SET_DATA_TYPE`.
        DataType(u32) = NFTA_SET_DATA_TYPE: be32,
        /// `NFTA_SET_DATA_LEN`.
        DataLen(u32) = NFTA_SET_DATA_LEN: be32,
        /// `NFTA_SET_POLICY`.
        Policy(u32) = NFTA_SET_POLICY: be32,
        /// `NFTA_SET_DESC`.
        Desc(Vec<SetDescAttr>) = NFTA_SET_DESC: nest,
        /// `NFTA_SET_ID`.
        Id(u32) = NFTA_SET_ID: be32,
        /// `NFTA_SET_TIMEOUT`.
        Timeout(u64) = NFTA_SET_TIMEOUT: be64,
        /// `NFTA_SET_GC_INTERVAL`.
        GcInterval(u32) = NFTA_SET_GC_INTERVAL: be32,
        /// `NFTA_SET_USERDATA`.
        UserData(Vec<u8>) = NFTA_SET_USERDATA: bytes,
        /// `NFTA_SET_OBJ_TYPE`.
        ObjType(u32) = NFTA_SET_OBJ_TYPE: be32,
        /// `NFTA_SET_HANDLE`.
        Handle(u64) = NFTA_SET_HANDLE: be64,
        /// `NFTA_SET_EXPRESSIONS`.
        Expressions(Vec<Expr>) = NFTA_SET_EXPRESSIONS: nest,
        /// `NFTA_SET_TYPE`.
        Type(String) = NFTA_SET_TYPE: str,
        /// `NFTA_SET_COUNT`.
        Count(u32) = NFTA_SET_COUNT: be32,
    }
}

attribute_enum! {
    nf_tables;
    /// One `NFTA_SET_DESC_*` attribute. `NFTA_SET_DESC_CONCAT` is kept unknown.
    pub enum SetDescAttr {
        /// `NFTA_SET_DESC_SIZE`.
        Size(u32) = NFTA_SET_DESC_SIZE: be32,
    }
}

impl super::SetMessage {
    /// `NFTA_SET_NAME`.
    pub fn name(&self) -> Option<&str> {
        self.find(|a| match a {
            SetAttr::Name(s) => Some(s.as_str()),
            _ => None,
        })
    }
    /// `NFTA_SET_FLAGS`.
    pub fn flags(&self) -> Option<u32> {
        self.find(|a| match a {
            SetAttr::Flags(f) => Some(*f),
            _ => None,
        })
    }
}

/// `NFTA_SET_ELEM_LIST_TABLE`: the table (string).
pub const NFTA_SET_ELEM_LIST_TABLE: u16 = 1;
/// `NFTA_SET_ELEM_LIST_SET`: the set (string).
pub const NFTA_SET_ELEM_LIST_SET: u16 = 2;
/// `NFTA_SET_ELEM_LIST_ELEMENTS`: the elements (list of `NFTA_SET_ELEM_*` nests).
pub const NFTA_SET_ELEM_LIST_ELEMENTS: u16 = 3;
/// `NFTA_SET_ELEM_LIST_SET_ID`: the set by its id within the batch (u32, big-endian).
pub const NFTA_SET_ELEM_LIST_SET_ID: u16 = 4;

/// `NFTA_SET_ELEM_KEY`: the key (data).
pub const NFTA_SET_ELEM_KEY: u16 = 1;
/// `NFTA_SET_ELEM_DATA`: a map element's data (data).
pub const NFTA_SET_ELEM_DATA: u16 = 2;
/// `NFTA_SET_ELEM_FLAGS`: `NFT_SET_ELEM_*` (u32, big-endian).
pub const NFTA_SET_ELEM_FLAGS: u16 = 3;
/// `NFTA_SET_ELEM_TIMEOUT`: in ms (u64, big-endian).
pub const NFTA_SET_ELEM_TIMEOUT: u16 = 4;
/// `NFTA_SET_ELEM_EXPIRATION`: ms left (u64, big-endian).
pub const NFTA_SET_ELEM_EXPIRATION: u16 = 5;
/// `NFTA_SET_ELEM_USERDATA`: opaque user data (bytes).
pub const NFTA_SET_ELEM_USERDATA: u16 = 6;
/// `NFTA_SET_ELEM_EXPR`: one expression (nest; kept unknown here).
pub const NFTA_SET_ELEM_EXPR: u16 = 7;
/// `NFTA_SET_ELEM_PAD`: padding.
pub const NFTA_SET_ELEM_PAD: u16 = 8;
/// `NFTA_SET_ELEM_OBJREF`: the object of an object map element (string).
pub const NFTA_SET_ELEM_OBJREF: u16 = 9;
/// `NFTA_SET_ELEM_KEY_END`: the end of a range key (data).
pub const NFTA_SET_ELEM_KEY_END: u16 = 10;
/// `NFTA_SET_ELEM_EXPRESSIONS`: expressions (list).
pub const NFTA_SET_ELEM_EXPRESSIONS: u16 = 11;

/// `NFT_SET_ELEM_INTERVAL_END`: this element closes a range (interval sets store a range
/// as its start and the element after its end).
pub const NFT_SET_ELEM_INTERVAL_END: u32 = 0x1;
/// `NFT_SET_ELEM_CATCHALL`: the catch-all element.
pub const NFT_SET_ELEM_CATCHALL: u32 = 0x2;

attribute_enum! {
    nf_tables;
    /// One `NFTA_SET_ELEM_LIST_*` attribute.
    pub enum SetElemListAttr {
        /// `NFTA_SET_ELEM_LIST_TABLE`.
        Table(String) = NFTA_SET_ELEM_LIST_TABLE: str,
        /// `NFTA_SET_ELEM_LIST_SET`.
        Set(String) = NFTA_SET_ELEM_LIST_SET: str,
        /// `NFTA_SET_ELEM_LIST_ELEMENTS`.
        Elements(Vec<SetElem>) = NFTA_SET_ELEM_LIST_ELEMENTS: nest,
        /// `NFTA_SET_ELEM_LIST_SET_ID`.
        SetId(u32) = NFTA_SET_ELEM_LIST_SET_ID: be32,
    }
}

attribute_enum! {
    nf_tables;
    /// One `NFTA_SET_ELEM_*` attribute.
    pub enum SetElemAttr {
        /// `NFTA_SET_ELEM_KEY`.
        Key(Vec<DataAttr>) = NFTA_SET_ELEM_KEY: nest,
        /// `NFTA_SET_ELEM_DATA`.
        Data(Vec<DataAttr>) = NFTA_SET_ELEM_DATA: nest,
        /// `NFTA_SET_ELEM_FLAGS`: `NFT_SET_ELEM_*`.
        Flags(u32) = NFTA_SET_ELEM_FLAGS: be32,
        /// `NFTA_SET_ELEM_TIMEOUT`.
        Timeout(u64) = NFTA_SET_ELEM_TIMEOUT: be64,
        /// `NFTA_SET_ELEM_EXPIRATION`.
        Expiration(u64) = NFTA_SET_ELEM_EXPIRATION: be64,
        /// `NFTA_SET_ELEM_USERDATA`.
        UserData(Vec<u8>) = NFTA_SET_ELEM_USERDATA: bytes,
        /// `NFTA_SET_ELEM_OBJREF`.
        ObjRef(String) = NFTA_SET_ELEM_OBJREF: str,
        /// `NFTA_SET_ELEM_KEY_END`.
        KeyEnd(Vec<DataAttr>) = NFTA_SET_ELEM_KEY_END: nest,
        /// `NFTA_SET_ELEM_EXPRESSIONS`.
        Expressions(Vec<Expr>) = NFTA_SET_ELEM_EXPRESSIONS: nest,
    }
}

/// One item of `NFTA_SET_ELEM_LIST_ELEMENTS`.
///
/// The kernel reads every nest of the list as an element whatever its type, and writes
/// `NFTA_LIST_ELEM` (1); `nft` (libnftnl) numbers its elements 1, 2, 3, ... The type is kept
/// so that both re-encode byte for byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetElem {
    /// A nest: the element's attributes.
    Elem {
        /// The nest's type without flag bits (`NFTA_LIST_ELEM`, or `nft`'s index).
        kind: u16,
        /// The `NFTA_SET_ELEM_*` attributes.
        attrs: Vec<SetElemAttr>,
    },
    /// Anything else in the list (a nest marked unlike the rest of the message), kept as
    /// read.
    Other(UnknownAttr),
}

impl SetElem {
    /// An element with key `key` (the bytes as the set stores them), as an
    /// `NFTA_LIST_ELEM`.
    pub fn key(key: impl Into<Vec<u8>>) -> Self {
        SetElem::Elem {
            kind: NFTA_LIST_ELEM,
            attrs: vec![SetElemAttr::Key(super::value(key))],
        }
    }

    /// The attributes of an element (empty for `Other`).
    pub fn attrs(&self) -> &[SetElemAttr] {
        match self {
            SetElem::Elem { attrs, .. } => attrs,
            SetElem::Other(_) => &[],
        }
    }

    /// The bytes of `NFTA_SET_ELEM_KEY`.
    pub fn key_value(&self) -> Option<&[u8]> {
        self.attrs().iter().find_map(|a| match a {
            SetElemAttr::Key(d) => super::value_of(d),
            _ => None,
        })
    }

    /// The bytes of `NFTA_SET_ELEM_DATA` (a map element's value data).
    pub fn data_value(&self) -> Option<&[u8]> {
        self.attrs().iter().find_map(|a| match a {
            SetElemAttr::Data(d) => super::value_of(d),
            _ => None,
        })
    }

    /// `NFTA_SET_ELEM_FLAGS` (0 when absent).
    pub fn flags(&self) -> u32 {
        self.attrs()
            .iter()
            .find_map(|a| match a {
                SetElemAttr::Flags(f) => Some(*f),
                _ => None,
            })
            .unwrap_or(0)
    }
}

impl NftAttr for SetElem {
    fn parse_in(a: &Attr<'_>, cx: &mut Cx) -> Result<Self, DecodeError> {
        if cx.nest_ok(a) {
            let attrs = super::parse_attrs(a.nested()?, cx)?;
            return Ok(SetElem::Elem {
                kind: a.kind(),
                attrs,
            });
        }
        Ok(SetElem::Other(a.to_unknown()))
    }
    fn attr_len(&self) -> usize {
        match self {
            SetElem::Elem { attrs, .. } => attr_size(list_len(attrs)),
            SetElem::Other(u) => u.buffer_len(),
        }
    }
    fn emit_attr(&self, b: &mut Builder<'_>, nesting: Nesting) -> Result<(), EncodeError> {
        match self {
            SetElem::Elem { kind, attrs } => {
                let n = b.nest_start(nesting.kind(*kind & NLA_TYPE_MASK))?;
                emit_list(b, attrs, nesting)?;
                b.nest_end(n)
            }
            SetElem::Other(u) => u.emit(b),
        }
    }
}
