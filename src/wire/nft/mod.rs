//! The nf_tables wire codec (NETLINK_NETFILTER, subsystem `NFNL_SUBSYS_NFTABLES`): the
//! `nfgenmsg` header, tables, chains, rules with typed expressions, sets, set elements,
//! objects, the ruleset generation, and the batch that wraps every change
//! (linux/netfilter/nfnetlink.h, linux/netfilter/nf_tables.h).
//!
//! Same rules as the rtnetlink codec: [`NftMessageBuffer`] and [`exprs`] are zero-copy views
//! that allocate nothing; owned values ([`NftMessage`], [`TableMessage`], [`RuleMessage`],
//! [`Expr`], ...) are built with `parse` only when wanted and written back with
//! [`Emit`](super::Emit). Attributes, expressions and list items the codec does not know are
//! kept and re-encode byte for byte.
//!
//! What the captures in `tests/fixtures/nft/` show, and the codec relies on:
//!
//! - **Message types carry the subsystem** in their high byte: `NFNL_SUBSYS_NFTABLES << 8 |
//!   NFT_MSG_*` (`0x0a00` is NEWTABLE). The batch markers `NFNL_MSG_BATCH_BEGIN` (16) and
//!   `NFNL_MSG_BATCH_END` (17) have subsystem 0 and so share their numbers with
//!   `RTM_NEWLINK`/`RTM_DELLINK`; their `res_id` names the subsystem the batch is for (10).
//!   A datagram is therefore recognised as a whole ([`is_nfnetlink`]).
//! - **Byte order and nesting come from the attribute type.** Integers inside nf_tables
//!   attributes are big-endian (handles and counters are 64-bit, registers and verdict codes
//!   32-bit), but the kernel sets neither `NLA_F_NET_BYTEORDER` nor `NLA_F_NESTED` in its
//!   replies. `nft` (libnftnl) sets `NLA_F_NESTED` on every nest of its requests. A decoded
//!   message remembers which marking it used ([`Nesting`]) and writes it back the same way.
//! - **`res_id` in the kernel's replies is the ruleset generation** (its low 16 bits, in
//!   network order): `dump_tables.hex` after three batches says 3, as `NFTA_GEN_ID` does.
//!   In requests it is 0, and `NFNL_SUBSYS_NFTABLES` in the batch markers.
//! - **A `NFT_MSG_GETGEN` "dump" is one message**: the kernel answers with a single
//!   `NFT_MSG_NEWGEN` without `NLM_F_MULTI`, and no `NLMSG_DONE` follows
//!   (`getgen_dump.hex`). Other dumps end with `NLMSG_DONE` as in rtnetlink.
//! - A refused batch is answered with one `NLMSG_ERROR` echoing the whole failing message
//!   (not capped) with `NLMSGERR_ATTR_OFFS` (`error_create_existing_table.hex`); messages
//!   without `NLM_F_ACK` that succeed are not acknowledged.
//!
//! ```
//! use netplumb::wire::Emit;
//! use netplumb::wire::nft::{NfGenHeader, RuleAttr, RuleMessage, Expr, Verdict,
//!     NFPROTO_IPV4, Nesting};
//! // nft add rule ip t c accept
//! let rule = RuleMessage::new(NfGenHeader::new(NFPROTO_IPV4))
//!     .with(RuleAttr::Table("t".into()))
//!     .with(RuleAttr::Chain("c".into()))
//!     .with(RuleAttr::Expressions(vec![Expr::verdict(Verdict::Accept)]));
//! let bytes = rule.to_vec().unwrap();
//! let back = RuleMessage::parse(&bytes).unwrap();
//! assert_eq!(back, rule);
//! assert_eq!(back.nesting, Nesting::Flagged);
//! ```

mod batch;
mod chain;
mod data;
mod expr;
mod message;
mod rule;
mod set;
mod table;

pub use batch::*;
pub use chain::*;
pub use data::*;
pub use expr::*;
pub use message::*;
pub use rule::*;
pub use set::*;
pub use table::*;

use super::attr::{Attr, AttrIter};
use super::{Builder, DecodeError, EncodeError};

/// `NFNETLINK_V0`: the only `nfgenmsg.version`.
pub const NFNETLINK_V0: u8 = 0;
/// `NFNL_SUBSYS_NONE`: the subsystem of the batch markers' message type.
pub const NFNL_SUBSYS_NONE: u8 = 0;
/// `NFNL_SUBSYS_NFTABLES`: nf_tables' subsystem, the high byte of its message types.
pub const NFNL_SUBSYS_NFTABLES: u8 = 10;
/// `NFNL_SUBSYS_COUNT`: subsystems are 1 to 11 today (12 is the count).
pub const NFNL_SUBSYS_COUNT: u8 = 12;

/// `NFNL_MSG_BATCH_BEGIN`: opens a batch; `res_id` names the subsystem.
pub const NFNL_MSG_BATCH_BEGIN: u16 = 16;
/// `NFNL_MSG_BATCH_END`: commits the batch.
pub const NFNL_MSG_BATCH_END: u16 = 17;

/// `NFT_MSG_NEWTABLE` (low byte of the message type).
pub const NFT_MSG_NEWTABLE: u8 = 0;
/// `NFT_MSG_GETTABLE`.
pub const NFT_MSG_GETTABLE: u8 = 1;
/// `NFT_MSG_DELTABLE`.
pub const NFT_MSG_DELTABLE: u8 = 2;
/// `NFT_MSG_NEWCHAIN`.
pub const NFT_MSG_NEWCHAIN: u8 = 3;
/// `NFT_MSG_GETCHAIN`.
pub const NFT_MSG_GETCHAIN: u8 = 4;
/// `NFT_MSG_DELCHAIN`.
pub const NFT_MSG_DELCHAIN: u8 = 5;
/// `NFT_MSG_NEWRULE`.
pub const NFT_MSG_NEWRULE: u8 = 6;
/// `NFT_MSG_GETRULE`.
pub const NFT_MSG_GETRULE: u8 = 7;
/// `NFT_MSG_DELRULE`.
pub const NFT_MSG_DELRULE: u8 = 8;
/// `NFT_MSG_NEWSET`.
pub const NFT_MSG_NEWSET: u8 = 9;
/// `NFT_MSG_GETSET`.
pub const NFT_MSG_GETSET: u8 = 10;
/// `NFT_MSG_DELSET`.
pub const NFT_MSG_DELSET: u8 = 11;
/// `NFT_MSG_NEWSETELEM`.
pub const NFT_MSG_NEWSETELEM: u8 = 12;
/// `NFT_MSG_GETSETELEM`.
pub const NFT_MSG_GETSETELEM: u8 = 13;
/// `NFT_MSG_DELSETELEM`.
pub const NFT_MSG_DELSETELEM: u8 = 14;
/// `NFT_MSG_NEWGEN`: the ruleset generation (answer to GETGEN, and an event after commits).
pub const NFT_MSG_NEWGEN: u8 = 15;
/// `NFT_MSG_GETGEN`.
pub const NFT_MSG_GETGEN: u8 = 16;
/// `NFT_MSG_TRACE`: a trace event (not typed here).
pub const NFT_MSG_TRACE: u8 = 17;
/// `NFT_MSG_NEWOBJ`.
pub const NFT_MSG_NEWOBJ: u8 = 18;
/// `NFT_MSG_GETOBJ`.
pub const NFT_MSG_GETOBJ: u8 = 19;
/// `NFT_MSG_DELOBJ`.
pub const NFT_MSG_DELOBJ: u8 = 20;
/// `NFT_MSG_GETOBJ_RESET`.
pub const NFT_MSG_GETOBJ_RESET: u8 = 21;
/// `NFT_MSG_NEWFLOWTABLE` (not typed here).
pub const NFT_MSG_NEWFLOWTABLE: u8 = 22;
/// `NFT_MSG_GETFLOWTABLE`.
pub const NFT_MSG_GETFLOWTABLE: u8 = 23;
/// `NFT_MSG_DELFLOWTABLE`.
pub const NFT_MSG_DELFLOWTABLE: u8 = 24;

/// The `nlmsg_type` of nf_tables message `msg` (`NFNL_SUBSYS_NFTABLES << 8 | msg`).
pub const fn nft_type(msg: u8) -> u16 {
    (NFNL_SUBSYS_NFTABLES as u16) << 8 | msg as u16
}

/// `NFPROTO_UNSPEC`: every family (dumps), and the batch markers.
pub const NFPROTO_UNSPEC: u8 = 0;
/// `NFPROTO_INET`: the `inet` family (IPv4 and IPv6 together).
pub const NFPROTO_INET: u8 = 1;
/// `NFPROTO_IPV4`: `ip`.
pub const NFPROTO_IPV4: u8 = 2;
/// `NFPROTO_ARP`: `arp`.
pub const NFPROTO_ARP: u8 = 3;
/// `NFPROTO_NETDEV`: `netdev`.
pub const NFPROTO_NETDEV: u8 = 5;
/// `NFPROTO_BRIDGE`: `bridge`.
pub const NFPROTO_BRIDGE: u8 = 7;
/// `NFPROTO_IPV6`: `ip6`.
pub const NFPROTO_IPV6: u8 = 10;

/// `NFTA_LIST_ELEM`: one item of a list nest (expressions, set elements).
pub const NFTA_LIST_ELEM: u16 = 1;

/// The uapi name of an nfnetlink message type, for diagnostics: the batch markers for 16
/// and 17 (in an nfnetlink datagram), `NFT_MSG_*` for subsystem 10.
pub fn message_type_name(kind: u16) -> Option<&'static str> {
    const NAMES: [&str; 25] = [
        "NFT_MSG_NEWTABLE",
        "NFT_MSG_GETTABLE",
        "NFT_MSG_DELTABLE",
        "NFT_MSG_NEWCHAIN",
        "NFT_MSG_GETCHAIN",
        "NFT_MSG_DELCHAIN",
        "NFT_MSG_NEWRULE",
        "NFT_MSG_GETRULE",
        "NFT_MSG_DELRULE",
        "NFT_MSG_NEWSET",
        "NFT_MSG_GETSET",
        "NFT_MSG_DELSET",
        "NFT_MSG_NEWSETELEM",
        "NFT_MSG_GETSETELEM",
        "NFT_MSG_DELSETELEM",
        "NFT_MSG_NEWGEN",
        "NFT_MSG_GETGEN",
        "NFT_MSG_TRACE",
        "NFT_MSG_NEWOBJ",
        "NFT_MSG_GETOBJ",
        "NFT_MSG_DELOBJ",
        "NFT_MSG_GETOBJ_RESET",
        "NFT_MSG_NEWFLOWTABLE",
        "NFT_MSG_GETFLOWTABLE",
        "NFT_MSG_DELFLOWTABLE",
    ];
    match kind {
        NFNL_MSG_BATCH_BEGIN => Some("NFNL_MSG_BATCH_BEGIN"),
        NFNL_MSG_BATCH_END => Some("NFNL_MSG_BATCH_END"),
        k if k >> 8 == u16::from(NFNL_SUBSYS_NFTABLES) => NAMES.get(usize::from(k & 0xff)).copied(),
        _ => None,
    }
}

/// How a message marks its nests.
///
/// The kernel sends nests without `NLA_F_NESTED` ([`Nesting::Plain`]); `nft` (libnftnl)
/// sets it on every nest ([`Nesting::Flagged`]), and the kernel accepts both. A decoded
/// message takes the marking of its first nest; a later nest marked the other way is kept
/// as an unknown attribute, so the message still re-encodes byte for byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Nesting {
    /// No flag: what the kernel writes.
    Plain,
    /// `NLA_F_NESTED` on every nest: what `nft` writes, and the default for requests.
    #[default]
    Flagged,
}

impl Nesting {
    /// The nest's type as written: `kind`, with `NLA_F_NESTED` when flagged.
    pub fn kind(self, kind: u16) -> u16 {
        match self {
            Nesting::Plain => kind,
            Nesting::Flagged => kind | super::attr::NLA_F_NESTED,
        }
    }
}

/// The state of decoding one message: which [`Nesting`] it has shown so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cx {
    nesting: Option<Nesting>,
}

impl Cx {
    /// A fresh context: the first nest decides the marking.
    pub fn new() -> Self {
        Cx::default()
    }

    /// A context that takes only nests marked as `nesting`.
    pub fn with(nesting: Nesting) -> Self {
        Cx {
            nesting: Some(nesting),
        }
    }

    /// The marking seen; the default ([`Nesting::Flagged`]) when no nest was typed, so that a
    /// message without nests reads back as it was built.
    pub fn nesting(&self) -> Nesting {
        self.nesting.unwrap_or_default()
    }

    /// True when `a` may be typed as a nest: no `NLA_F_NET_BYTEORDER`, and its
    /// `NLA_F_NESTED` bit agrees with the message's marking (which it sets if it is the
    /// first nest).
    pub fn nest_ok(&mut self, a: &Attr<'_>) -> bool {
        if a.is_net_byteorder() {
            return false;
        }
        let n = if a.is_nested() {
            Nesting::Flagged
        } else {
            Nesting::Plain
        };
        match self.nesting {
            None => {
                self.nesting = Some(n);
                true
            }
            Some(m) => m == n,
        }
    }
}

/// What every nf_tables attribute type (the generated enums, [`Expr`], [`SetElem`]) can do,
/// for code that handles lists of them.
pub trait NftAttr: Sized {
    /// Reads one attribute. A known attribute with a malformed value is an error naming it;
    /// anything else unrecognised is kept as read.
    fn parse_in(a: &Attr<'_>, cx: &mut Cx) -> Result<Self, DecodeError>;
    /// Bytes the attribute takes on the wire, padding included.
    fn attr_len(&self) -> usize;
    /// Appends the attribute, nests marked as `nesting` says.
    fn emit_attr(&self, b: &mut Builder<'_>, nesting: Nesting) -> Result<(), EncodeError>;

    /// Reads one attribute on its own (its nests may have either marking).
    fn parse(a: &Attr<'_>) -> Result<Self, DecodeError> {
        Self::parse_in(a, &mut Cx::new())
    }
}

/// The value of a nest attribute.
pub trait NestValue: Sized {
    /// Reads the nest `a` (whose marking the caller has checked).
    fn parse_nest(a: &Attr<'_>, cx: &mut Cx) -> Result<Self, DecodeError>;
    /// The size of the nest's contents.
    fn value_len(&self) -> usize;
    /// Appends the whole nest attribute of type `kind`.
    fn emit_nest(
        &self,
        b: &mut Builder<'_>,
        kind: u16,
        nesting: Nesting,
    ) -> Result<(), EncodeError>;
}

impl<T: NftAttr> NestValue for Vec<T> {
    fn parse_nest(a: &Attr<'_>, cx: &mut Cx) -> Result<Self, DecodeError> {
        parse_attrs(a.nested()?, cx)
    }
    fn value_len(&self) -> usize {
        list_len(self)
    }
    fn emit_nest(
        &self,
        b: &mut Builder<'_>,
        kind: u16,
        nesting: Nesting,
    ) -> Result<(), EncodeError> {
        let n = b.nest_start(nesting.kind(kind))?;
        emit_list(b, self, nesting)?;
        b.nest_end(n)
    }
}

/// Every attribute of `iter`, each read with `T::parse_in`.
pub(crate) fn parse_attrs<T: NftAttr>(
    iter: AttrIter<'_>,
    cx: &mut Cx,
) -> Result<Vec<T>, DecodeError> {
    // Sized by a first walk: the iterator is fused and ends at a malformed header.
    let mut out = Vec::with_capacity(iter.clone().count());
    for a in iter {
        out.push(T::parse_in(&a?, cx)?);
    }
    Ok(out)
}

/// Bytes a list of attributes takes.
pub(crate) fn list_len<T: NftAttr>(list: &[T]) -> usize {
    list.iter().map(T::attr_len).sum()
}

/// Writes the attributes of `list` one after the other.
pub(crate) fn emit_list<T: NftAttr>(
    b: &mut Builder<'_>,
    list: &[T],
    nesting: Nesting,
) -> Result<(), EncodeError> {
    list.iter().try_for_each(|a| a.emit_attr(b, nesting))
}

/// True when `datagram` holds nfnetlink messages rather than rtnetlink ones, judged from the
/// datagram as a whole.
///
/// Decisive are: a message type with a subsystem in its high byte (rtnetlink types are all
/// below 256); a type 16 or 17 whose payload can only be a batch marker's (shorter than an
/// `ifinfomsg`, 16 bytes, and starting with an `nfgenmsg` whose `res_id` names a subsystem,
/// 1 to 11); and the same tests on the request an `NLMSG_ERROR` echoes. The first decisive
/// message decides; a datagram with none (only `NLMSG_DONE`, or a truncated `RTM_NEWLINK`)
/// is taken as rtnetlink, which decodes the control messages the same.
pub fn is_nfnetlink(datagram: &[u8]) -> bool {
    use super::nlmsg::{NLMSG_ERROR, NLMSG_HDR_LEN, NlmsgHeader};
    for m in super::Messages::new(datagram).views() {
        let Ok(m) = m else { break };
        let kind = m.message_type();
        let payload = m.payload();
        if let Some(v) = type_says_nfnetlink(kind, payload.len(), payload) {
            return v;
        }
        if kind == NLMSG_ERROR
            && let Some(echo) = payload.get(4..)
            && let Ok(h) = NlmsgHeader::parse(echo)
        {
            let len = (h.length as usize).saturating_sub(NLMSG_HDR_LEN);
            // A capped echo has the header only: its payload cannot be looked at.
            let body = echo.get(NLMSG_HDR_LEN..).unwrap_or(&[]);
            if let Some(v) = type_says_nfnetlink(h.message_type, len, body) {
                return v;
            }
        }
    }
    false
}

/// Some(true) for an nfnetlink type, Some(false) for a type that can only be rtnetlink,
/// None when the type does not tell. `payload_len` is the payload's length as the header
/// says, `payload` what of it is at hand.
fn type_says_nfnetlink(kind: u16, payload_len: usize, payload: &[u8]) -> Option<bool> {
    const IFINFOMSG_LEN: usize = 16;
    if kind >> 8 != 0 {
        return Some(true);
    }
    match kind {
        NFNL_MSG_BATCH_BEGIN | NFNL_MSG_BATCH_END if payload_len >= IFINFOMSG_LEN => Some(false),
        NFNL_MSG_BATCH_BEGIN | NFNL_MSG_BATCH_END => {
            let res_id = payload.get(message::field::RES_ID)?;
            let id = u16::from_be(super::read_field::<u16>(res_id, 0..2));
            Some((1..u16::from(NFNL_SUBSYS_COUNT)).contains(&id))
        }
        k if k >= 16 => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::attr::NLA_F_NESTED;
    use crate::wire::{Emit, NlmsgFlags};

    fn attr(kind: u16) -> Vec<u8> {
        let mut b = Builder::new();
        b.nested(kind, |_| Ok(())).unwrap();
        b.into_vec()
    }

    #[test]
    fn the_first_nest_decides_the_marking() {
        let flagged = attr(1 | NLA_F_NESTED);
        let plain = attr(1);
        let a = AttrIter::new(&flagged).next().unwrap().unwrap();
        let p = AttrIter::new(&plain).next().unwrap().unwrap();
        let mut cx = Cx::new();
        assert!(cx.nest_ok(&a));
        assert!(!cx.nest_ok(&p));
        assert!(cx.nest_ok(&a));
        assert_eq!(cx.nesting(), Nesting::Flagged);
        let mut cx = Cx::with(Nesting::Plain);
        assert!(!cx.nest_ok(&a) && cx.nest_ok(&p));
        assert_eq!(Cx::new().nesting(), Nesting::default());
        let nbo = attr(1 | crate::wire::attr::NLA_F_NET_BYTEORDER);
        let n = AttrIter::new(&nbo).next().unwrap().unwrap();
        assert!(!Cx::new().nest_ok(&n));
    }

    #[test]
    fn nfnetlink_is_recognised_from_the_datagram() {
        let msg = |kind: u16, payload: &[u8]| {
            let mut b = Builder::new();
            b.message(kind, NlmsgFlags::REQUEST, 1, 0, &payload)
                .unwrap();
            b.into_vec()
        };
        assert!(is_nfnetlink(&msg(NFNL_MSG_BATCH_BEGIN, &[0, 0, 0, 10])));
        assert!(is_nfnetlink(&msg(nft_type(NFT_MSG_GETGEN), &[0; 4])));
        assert!(!is_nfnetlink(&msg(16, &[0; 16])));
        assert!(!is_nfnetlink(&msg(3, &[0; 4])));
        assert!(!is_nfnetlink(&[]));
        // An NLMSG_ERROR echoing an nf_tables request, capped.
        let mut e = 0i32.to_ne_bytes().to_vec();
        e.extend(&msg(nft_type(NFT_MSG_NEWRULE), &[2, 0, 0, 0])[..16]);
        assert!(is_nfnetlink(&msg(2, &e)));
        // A short RTM_NEWLINK is not a batch marker: its res_id names no subsystem.
        assert!(!is_nfnetlink(&msg(16, &[0; 15])));
        assert!(!is_nfnetlink(&msg(17, &[0, 0, 0, 12])));
        // A capped echo of a batch marker does not tell.
        let mut e = 0i32.to_ne_bytes().to_vec();
        e.extend(&msg(NFNL_MSG_BATCH_BEGIN, &[0, 0, 0, 10])[..16]);
        assert!(!is_nfnetlink(&msg(2, &e)));
        // The first decisive message decides.
        let mut d = msg(16, &[0; 16]);
        d.extend(msg(nft_type(0), &[0; 4]));
        assert!(!is_nfnetlink(&d));
    }

    #[test]
    fn names_and_types() {
        assert_eq!(nft_type(NFT_MSG_NEWRULE), 0x0a06);
        assert_eq!(message_type_name(0x0a06), Some("NFT_MSG_NEWRULE"));
        assert_eq!(message_type_name(0x0a18), Some("NFT_MSG_DELFLOWTABLE"));
        assert_eq!(message_type_name(0x0a19), None);
        assert_eq!(message_type_name(0x0106), None);
        assert_eq!(message_type_name(17), Some("NFNL_MSG_BATCH_END"));
        assert!(NftMessage::handles(0x0a15) && !NftMessage::handles(0x0a11));
    }

    #[test]
    fn verdicts_round_trip_through_their_attributes() {
        for v in [
            Verdict::Accept,
            Verdict::Drop,
            Verdict::Continue,
            Verdict::Break,
            Verdict::Return,
            Verdict::Jump("x".into()),
            Verdict::Goto("y".into()),
            Verdict::Code(NF_QUEUE),
        ] {
            assert_eq!(Verdict::from_attrs(&v.to_attrs()), Some(v.clone()));
            assert_eq!(Expr::verdict(v.clone()).as_verdict(), Some(v));
        }
        assert_eq!(
            Verdict::from_attrs(&[VerdictAttr::Code(NFT_JUMP as u32)]),
            None
        );
        assert_eq!(Expr::immediate(NFT_REG_1, [1]).as_verdict(), None);
    }

    #[test]
    fn header_is_big_endian_res_id() {
        let h = NfGenHeader::batch();
        let mut b = Builder::new();
        h.emit(&mut b).unwrap();
        assert_eq!(b.as_bytes(), [0, 0, 0, 10]);
        let v = NftMessageBuffer::new_checked(b.as_bytes()).unwrap();
        assert_eq!(v.header(), h);
        assert_eq!(BatchMessage::new(h).to_vec().unwrap(), [0, 0, 0, 10]);
    }
}
