//! The `nfgenmsg` header, the zero-copy message view, and the owned messages.

use super::{
    BatchAttr, ChainAttr, Cx, GenAttr, NFNETLINK_V0, NFNL_MSG_BATCH_BEGIN, NFNL_MSG_BATCH_END,
    NFNL_SUBSYS_NFTABLES, NFPROTO_UNSPEC, Nesting, NftAttr, ObjAttr, RuleAttr, SetAttr,
    SetElemListAttr, TableAttr, emit_list, list_len, parse_attrs,
};
use crate::wire::attr::AttrIter;
use crate::wire::{
    Builder, DecodeError, Emit, EncodeError, attrs_after, byte, check_header, read_field,
};

/// `sizeof(struct nfgenmsg)`.
pub const NFGENMSG_LEN: usize = 4;

/// Byte offsets inside `struct nfgenmsg`.
pub(super) mod field {
    use crate::wire::Field;
    /// `nfgen_family` (u8): `NFPROTO_*`.
    pub const FAMILY: usize = 0;
    /// `version` (u8): `NFNETLINK_V0`.
    pub const VERSION: usize = 1;
    /// `res_id` (u16, big-endian).
    pub const RES_ID: Field = 2..4;
}

/// An owned `struct nfgenmsg`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NfGenHeader {
    /// `nfgen_family`: `NFPROTO_*` (the table family: ip, ip6, inet, bridge, ...).
    pub family: u8,
    /// `version`: `NFNETLINK_V0`.
    pub version: u8,
    /// `res_id`, host order here (big-endian on the wire): the subsystem in batch markers,
    /// the ruleset generation (low 16 bits) in the kernel's replies, 0 in other requests.
    pub res_id: u16,
}

impl NfGenHeader {
    /// The header of a request about an object of `family` (`NFPROTO_*`): version 0,
    /// `res_id` 0.
    pub fn new(family: u8) -> Self {
        NfGenHeader {
            family,
            version: NFNETLINK_V0,
            res_id: 0,
        }
    }

    /// The header of `NFNL_MSG_BATCH_BEGIN`/`END` for nf_tables: `NFPROTO_UNSPEC`, `res_id`
    /// `NFNL_SUBSYS_NFTABLES`.
    pub fn batch() -> Self {
        NfGenHeader {
            family: NFPROTO_UNSPEC,
            version: NFNETLINK_V0,
            res_id: u16::from(NFNL_SUBSYS_NFTABLES),
        }
    }

    /// Appends the four header bytes.
    pub fn emit(&self, b: &mut Builder<'_>) -> Result<(), EncodeError> {
        b.put_u8(self.family)?;
        b.put_u8(self.version)?;
        b.put(&self.res_id.to_be_bytes())
    }
}

/// A zero-copy view of an nfnetlink message payload: `struct nfgenmsg` and attributes.
#[derive(Debug, Clone, Copy)]
pub struct NftMessageBuffer<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> NftMessageBuffer<T> {
    /// Checks that `payload` holds the 4-byte header; after that no accessor can fail.
    /// Attributes are validated as [`NftMessageBuffer::attrs`] walks them.
    pub fn new_checked(payload: T) -> Result<Self, DecodeError> {
        check_header(payload.as_ref(), NFGENMSG_LEN, "nfgenmsg")?;
        Ok(NftMessageBuffer { buffer: payload })
    }
    /// `nfgen_family`.
    pub fn family(&self) -> u8 {
        byte(self.buffer.as_ref(), field::FAMILY)
    }
    /// `version`.
    pub fn version(&self) -> u8 {
        byte(self.buffer.as_ref(), field::VERSION)
    }
    /// `res_id`, converted from network order.
    pub fn res_id(&self) -> u16 {
        u16::from_be(read_field::<u16>(self.buffer.as_ref(), field::RES_ID))
    }
    /// The header as an owned value.
    pub fn header(&self) -> NfGenHeader {
        NfGenHeader {
            family: self.family(),
            version: self.version(),
            res_id: self.res_id(),
        }
    }
    /// The attributes; offsets count from the start of the payload.
    pub fn attrs(&self) -> AttrIter<'_> {
        attrs_after(self.buffer.as_ref(), NFGENMSG_LEN)
    }
    /// The underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }
}

/// An owned nf_tables message payload: the header, how its nests are marked, and its
/// attributes in wire order. The attribute type `A` says which object it is about; see the
/// aliases [`TableMessage`], [`ChainMessage`], [`RuleMessage`], ...
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NftObject<A> {
    /// The `nfgenmsg`.
    pub header: NfGenHeader,
    /// How nests are marked (read from the message, or to be written).
    pub nesting: Nesting,
    /// The attributes, in wire order.
    pub attrs: Vec<A>,
}

/// `NFNL_MSG_BATCH_BEGIN` and `NFNL_MSG_BATCH_END`.
pub type BatchMessage = NftObject<BatchAttr>;
/// `NFT_MSG_NEWTABLE`, `NFT_MSG_GETTABLE`, `NFT_MSG_DELTABLE`.
pub type TableMessage = NftObject<TableAttr>;
/// `NFT_MSG_NEWCHAIN`, `NFT_MSG_GETCHAIN`, `NFT_MSG_DELCHAIN`.
pub type ChainMessage = NftObject<ChainAttr>;
/// `NFT_MSG_NEWRULE`, `NFT_MSG_GETRULE`, `NFT_MSG_DELRULE`.
pub type RuleMessage = NftObject<RuleAttr>;
/// `NFT_MSG_NEWSET`, `NFT_MSG_GETSET`, `NFT_MSG_DELSET`.
pub type SetMessage = NftObject<SetAttr>;
/// `NFT_MSG_NEWSETELEM`, `NFT_MSG_GETSETELEM`, `NFT_MSG_DELSETELEM`.
pub type SetElemsMessage = NftObject<SetElemListAttr>;
/// `NFT_MSG_NEWGEN`, `NFT_MSG_GETGEN`.
pub type GenMessage = NftObject<GenAttr>;
/// `NFT_MSG_NEWOBJ`, `NFT_MSG_GETOBJ`, `NFT_MSG_DELOBJ`, `NFT_MSG_GETOBJ_RESET`.
pub type ObjMessage = NftObject<ObjAttr>;

impl<A: NftAttr> NftObject<A> {
    /// A message with `header`, no attributes, nests to be flagged as `nft` does.
    pub fn new(header: NfGenHeader) -> Self {
        NftObject {
            header,
            nesting: Nesting::default(),
            attrs: Vec::new(),
        }
    }

    /// The message with `attr` appended.
    #[must_use]
    pub fn with(mut self, attr: A) -> Self {
        self.attrs.push(attr);
        self
    }

    /// Reads a payload (the bytes after `nlmsghdr`). Error offsets count from its start.
    pub fn parse(payload: &[u8]) -> Result<Self, DecodeError> {
        let view = NftMessageBuffer::new_checked(payload)?;
        let mut cx = Cx::new();
        let attrs = parse_attrs(view.attrs(), &mut cx)?;
        Ok(NftObject {
            header: view.header(),
            nesting: cx.nesting(),
            attrs,
        })
    }

    /// The first attribute `f` picks.
    pub fn find<'a, R>(&'a self, f: impl FnMut(&'a A) -> Option<R>) -> Option<R> {
        self.attrs.iter().find_map(f)
    }
}

impl<A: NftAttr> Emit for NftObject<A> {
    fn buffer_len(&self) -> usize {
        NFGENMSG_LEN + list_len(&self.attrs)
    }
    fn emit(&self, b: &mut Builder<'_>) -> Result<(), EncodeError> {
        self.header.emit(b)?;
        emit_list(b, &self.attrs, self.nesting)
    }
}

/// One nfnetlink message of nf_tables, decoded by its type.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NftMessage {
    /// `NFNL_MSG_BATCH_BEGIN` or `NFNL_MSG_BATCH_END`.
    Batch(BatchMessage),
    /// A table message.
    Table(TableMessage),
    /// A chain message.
    Chain(ChainMessage),
    /// A rule message.
    Rule(RuleMessage),
    /// A set message.
    Set(SetMessage),
    /// A set-element message.
    SetElems(SetElemsMessage),
    /// The generation (`NFT_MSG_NEWGEN`, `NFT_MSG_GETGEN`).
    Gen(GenMessage),
    /// A stateful-object message.
    Obj(ObjMessage),
}

impl NftMessage {
    /// True when [`NftMessage::parse`] has a decoder for `message_type` (in an nfnetlink
    /// datagram): the batch markers and the nf_tables types above. Trace and flowtable
    /// messages, and other subsystems, are not typed.
    pub fn handles(message_type: u16) -> bool {
        matches!(message_type, NFNL_MSG_BATCH_BEGIN | NFNL_MSG_BATCH_END)
            || (message_type >> 8 == u16::from(NFNL_SUBSYS_NFTABLES)
                && matches!(message_type & 0xff, 0..=16 | 18..=21))
    }

    /// Decodes the payload of a message of type `message_type`. Error offsets count from
    /// the start of `payload`; a type [`NftMessage::handles`] refuses is
    /// [`DecodeError::UnexpectedType`].
    pub fn parse(message_type: u16, payload: &[u8]) -> Result<Self, DecodeError> {
        use NftMessage as M;
        if matches!(message_type, NFNL_MSG_BATCH_BEGIN | NFNL_MSG_BATCH_END) {
            return NftObject::parse(payload).map(M::Batch);
        }
        if message_type >> 8 != u16::from(NFNL_SUBSYS_NFTABLES) {
            return Err(DecodeError::UnexpectedType {
                kind: message_type,
                offset: 0,
            });
        }
        match message_type & 0xff {
            0..=2 => NftObject::parse(payload).map(M::Table),
            3..=5 => NftObject::parse(payload).map(M::Chain),
            6..=8 => NftObject::parse(payload).map(M::Rule),
            9..=11 => NftObject::parse(payload).map(M::Set),
            12..=14 => NftObject::parse(payload).map(M::SetElems),
            15 | 16 => NftObject::parse(payload).map(M::Gen),
            18..=21 => NftObject::parse(payload).map(M::Obj),
            _ => Err(DecodeError::UnexpectedType {
                kind: message_type,
                offset: 0,
            }),
        }
    }

    /// The `nfgenmsg`.
    pub fn header(&self) -> NfGenHeader {
        self.as_emit_and_header().1
    }

    fn as_emit_and_header(&self) -> (&dyn Emit, NfGenHeader) {
        match self {
            NftMessage::Batch(m) => (m, m.header),
            NftMessage::Table(m) => (m, m.header),
            NftMessage::Chain(m) => (m, m.header),
            NftMessage::Rule(m) => (m, m.header),
            NftMessage::Set(m) => (m, m.header),
            NftMessage::SetElems(m) => (m, m.header),
            NftMessage::Gen(m) => (m, m.header),
            NftMessage::Obj(m) => (m, m.header),
        }
    }
}

impl Emit for NftMessage {
    fn buffer_len(&self) -> usize {
        self.as_emit_and_header().0.buffer_len()
    }
    fn emit(&self, b: &mut Builder<'_>) -> Result<(), EncodeError> {
        self.as_emit_and_header().0.emit(b)
    }
}
