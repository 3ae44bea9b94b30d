//! The bodies of the fuzz targets in `fuzz/fuzz_targets/`.
//!
//! They live in the library so that the fuzzer and plain `cargo test`
//! (`tests/wire/fuzz_regressions.rs`, which replays the committed seeds, crash inputs and golden
//! fixtures) run the same code. Each function takes arbitrary bytes and must never panic,
//! except through an assertion of an invariant that a correct codec upholds: a panic here is
//! a bug in `wire`, or in a family codec plugged into [`family_roundtrip`].
//!
//! Not part of the public API.

use crate::wire::attr::{MAX_NEST_DEPTH, NLA_F_NESTED, NLA_HDR_LEN, NLA_TYPE_MASK, walk};
use crate::wire::builder::attr_size;
use crate::wire::message::{Message, Protocol};
use crate::wire::nft::{
    Cx, Expr, ExprIter, NFGENMSG_LEN, Nesting, NftAttr, NftMessage, NftMessageBuffer,
};
use crate::wire::nlmsg::{
    NLMSG_DONE, NLMSG_ERROR, NLMSG_HDR_LEN, NLMSG_NOOP, NLMSG_OVERRUN, RTM_DELADDR, RTM_DELLINK,
    RTM_DELNEIGH, RTM_DELNSID, RTM_DELQDISC, RTM_DELROUTE, RTM_DELRULE, RTM_GETADDR, RTM_GETLINK,
    RTM_GETNEIGH, RTM_GETNSID, RTM_GETQDISC, RTM_GETROUTE, RTM_GETRULE, RTM_NEWADDR, RTM_NEWLINK,
    RTM_NEWNEIGH, RTM_NEWNSID, RTM_NEWQDISC, RTM_NEWROUTE, RTM_NEWRULE, RTM_SETLINK,
};
use crate::wire::{
    Attr, AttrIter, Builder, DecodeError, DoneMessage, Emit, EncodeError, ErrorMessage, ExtAck,
    Messages, NlmsgBuffer, NlmsgFlags, NlmsgHeader, align4,
};
use std::fmt::Debug;

/// A fuzz target: its name (the file stem in `fuzz/fuzz_targets/` and the directory name
/// under `fuzz/seeds/` and `fuzz/regressions/`) and its body.
pub type Target = (&'static str, fn(&[u8]));

/// Every fuzz target. Adding one: write its body here, list it, and add a one-line file in
/// `fuzz/fuzz_targets/` plus its `[[bin]]` in `fuzz/Cargo.toml`.
pub const TARGETS: &[Target] = &[
    ("attrs", attrs),
    ("error_message", error_message),
    ("datagram", datagram),
    ("roundtrip", roundtrip),
    ("link", link),
    ("addr", addr),
    ("route", route),
    ("neigh", neigh),
    ("nsid", nsid),
    ("nft_datagram", nft_datagram),
    ("nft_expr", nft_expr),
    ("rule", rule),
];

/// [`datagram`] with every message's type forced to `msg_type`, so that the fuzzer spends its
/// time inside one family's decoder instead of on the type field.
fn as_family(data: &[u8], msg_type: u16) {
    let mut forced = data.to_vec();
    let starts: Vec<usize> = Messages::new(data)
        .filter_map(|m| m.ok().map(|(at, _)| at))
        .collect();
    for at in starts {
        if let Some(t) = forced.get_mut(at + 4..at + 6) {
            t.copy_from_slice(&msg_type.to_ne_bytes());
        }
    }
    datagram_as(&forced, Protocol::Route);
    roundtrip_as(&forced, Protocol::Route);
}

/// The link decoder over a whole datagram (every message read as RTM_NEWLINK).
pub fn link(data: &[u8]) {
    as_family(data, RTM_NEWLINK)
}
/// The address decoder over a whole datagram (every message read as RTM_NEWADDR).
pub fn addr(data: &[u8]) {
    as_family(data, RTM_NEWADDR)
}
/// The route decoder over a whole datagram (every message read as RTM_NEWROUTE).
pub fn route(data: &[u8]) {
    as_family(data, RTM_NEWROUTE)
}
/// The neighbour decoder over a whole datagram (every message read as RTM_NEWNEIGH).
pub fn neigh(data: &[u8]) {
    as_family(data, RTM_NEWNEIGH)
}
/// The namespace-id decoder over a whole datagram (every message read as RTM_NEWNSID).
pub fn nsid(data: &[u8]) {
    as_family(data, RTM_NEWNSID)
}

/// The FIB-rule decoder over a whole datagram (every message read as RTM_NEWRULE).
pub fn rule(data: &[u8]) {
    as_family(data, RTM_NEWRULE)
}

/// The body of the target called `name`.
pub fn target(name: &str) -> Option<fn(&[u8])> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|&(_, f)| f)
}

/// An offset added to every attribute offset by [`AttrIter::with_base`] in [`attrs`], to check
/// that the base is applied everywhere.
const BASE: usize = 1000;

/// Walks `data` as an attribute list, treating every attribute as a possible nest, and calls
/// every typed getter on every attribute.
///
/// Checks that each attribute's header and value are where its offset says in `data`, that
/// offsets increase in walk order, that getters succeed exactly on values of the right size
/// and name the attribute when they fail, that [`crate::wire::UnknownAttr`] re-emits the
/// attribute's bytes, and that error offsets lie inside `data`.
pub fn attrs(data: &[u8]) {
    // The crate's own walker, every attribute taken as a nest: it stops at the first error.
    let mut last = None;
    let r = walk(AttrIter::new(data), &|_| true, &mut |a| {
        check_attr(data, a);
        check_order(&mut last, a);
    });
    if let Err(e) = r {
        check_error_offset(&e, data.len(), "attribute walk");
    }

    // A walk that tries `nested()` on each attribute and carries on past a bad nest, so the
    // siblings after it are exercised too.
    let mut last = None;
    visit(data, AttrIter::new(data), &mut last);

    // A base offset shifts every offset, in attributes and in errors alike.
    let plain: Vec<_> = AttrIter::new(data).collect();
    let shifted: Vec<_> = AttrIter::with_base(data, BASE).collect();
    assert_eq!(
        plain.len(),
        shifted.len(),
        "with_base changed the number of attributes"
    );
    for (p, s) in plain.iter().zip(&shifted) {
        match (p, s) {
            (Ok(p), Ok(s)) => {
                assert_eq!(p.offset() + BASE, s.offset());
                assert_eq!((p.raw_kind(), p.value()), (s.raw_kind(), s.value()));
            }
            (Err(p), Err(s)) => assert_eq!(p.clone().shift(BASE), *s),
            _ => panic!("with_base changed the outcome: {p:?} vs {s:?}"),
        }
    }

    // `find` returns the first top-level attribute of a type, or the error that stops the
    // iteration before it. The last attribute's type makes it skip the most.
    if let Some(kind) = plain
        .iter()
        .rev()
        .find_map(|r| r.as_ref().ok())
        .map(Attr::kind)
    {
        let want = plain
            .iter()
            .find(|r| r.as_ref().map_or(true, |a| a.kind() == kind));
        let got = AttrIter::new(data).find(kind);
        match want {
            Some(Ok(a)) => assert_eq!(got, Ok(Some(*a))),
            Some(Err(e)) => assert_eq!(got, Err(e.clone())),
            None => panic!("find: attribute type {kind} vanished"),
        }
    }
}

fn visit(data: &[u8], iter: AttrIter<'_>, last: &mut Option<usize>) {
    for item in iter {
        match item {
            Ok(a) => {
                check_attr(data, &a);
                check_order(last, &a);
                if let Ok(inner) = a.nested() {
                    visit(data, inner, last);
                }
            }
            Err(e) => check_error_offset(&e, data.len(), "attribute iterator"),
        }
    }
}

fn check_order(last: &mut Option<usize>, a: &Attr<'_>) {
    if let Some(prev) = *last {
        assert!(
            a.offset() > prev,
            "attribute offsets must increase in walk order: {} after {prev}",
            a.offset()
        );
    }
    *last = Some(a.offset());
}

/// Every getter on `a`, read from `data`, the buffer the walk started on.
fn check_attr(data: &[u8], a: &Attr<'_>) {
    let at = a.offset();
    let v = a.value();
    let end = at + NLA_HDR_LEN + v.len();
    assert!(
        end <= data.len(),
        "attribute at {at} runs to {end}, past {}",
        data.len()
    );
    assert_eq!(a.value_offset(), at + NLA_HDR_LEN);
    let nla_len = u16::try_from(NLA_HDR_LEN + v.len())
        .unwrap_or(0)
        .to_ne_bytes();
    assert_eq!(
        (data.get(at..at + 2), data.get(at + 2..at + NLA_HDR_LEN)),
        (Some(&nla_len[..]), Some(&a.raw_kind().to_ne_bytes()[..])),
        "attribute header at {at} does not match its length and type"
    );
    assert_eq!(
        data.get(a.value_offset()..end).map(<[u8]>::as_ptr),
        Some(v.as_ptr()),
        "attribute value at {at} is not borrowed from its place in the buffer"
    );
    assert_eq!(a.kind(), a.raw_kind() & NLA_TYPE_MASK);
    assert_eq!(a.is_nested(), a.raw_kind() & NLA_F_NESTED != 0);
    assert!(a.depth() <= MAX_NEST_DEPTH);

    let n = v.len();
    fixed(a, n == 1, a.u8("T_U8"), "T_U8", |x| [*x] == v);
    fixed(a, n == 2, a.u16("T_U16"), "T_U16", |x| x.to_ne_bytes() == v);
    fixed(a, n == 2, a.u16_be("T_U16BE"), "T_U16BE", |x| {
        x.to_be_bytes() == v
    });
    fixed(a, n == 4, a.u32("T_U32"), "T_U32", |x| x.to_ne_bytes() == v);
    fixed(a, n == 4, a.u32_be("T_U32BE"), "T_U32BE", |x| {
        x.to_be_bytes() == v
    });
    fixed(a, n == 4, a.i32("T_I32"), "T_I32", |x| x.to_ne_bytes() == v);
    fixed(a, n == 8, a.u64("T_U64"), "T_U64", |x| x.to_ne_bytes() == v);
    fixed(a, n == 0, a.flag("T_FLAG"), "T_FLAG", |_| true);
    fixed(a, n == 4, a.ipv4("T_IPV4"), "T_IPV4", |x| x.octets() == v);
    fixed(a, n == 16, a.ipv6("T_IPV6"), "T_IPV6", |x| x.octets() == v);
    fixed(a, n == 4 || n == 16, a.ip("T_IP"), "T_IP", |x| match x {
        std::net::IpAddr::V4(x) => x.octets() == v,
        std::net::IpAddr::V6(x) => x.octets() == v,
    });
    fixed(a, n == 6, a.mac("T_MAC"), "T_MAC", |x| x == v);

    // A string is the UTF-8 text before the first NUL, which must exist.
    let text = v
        .iter()
        .position(|&c| c == 0)
        .and_then(|nul| std::str::from_utf8(v.get(..nul)?).ok());
    fixed(a, text.is_some(), a.string("T_STR"), "T_STR", |s| {
        Some(*s) == text
    });
    let ifname = text.filter(|s| (1..16).contains(&s.len()));
    fixed(a, ifname.is_some(), a.ifname("T_IFNAME"), "T_IFNAME", |s| {
        Some(*s) == ifname
    });

    // Unknown attributes re-emit their header and value, then zero padding.
    let u = a.to_unknown();
    assert_eq!((u.kind, u.value.as_slice()), (a.raw_kind(), v));
    assert_eq!(u.buffer_len(), attr_size(n));
    let mut b = Builder::new();
    u.emit(&mut b)
        .unwrap_or_else(|e| panic!("re-emitting the attribute at {at}: {e}"));
    let out = b.as_bytes();
    assert_eq!(out.len(), attr_size(n));
    assert_eq!(out.get(..NLA_HDR_LEN + n), data.get(at..end));
    assert!(
        out.get(NLA_HDR_LEN + n..)
            .unwrap_or(&[])
            .iter()
            .all(|&c| c == 0)
    );

    match a.nested() {
        Ok(inner) => {
            assert!(a.depth() < MAX_NEST_DEPTH);
            for item in inner {
                match item {
                    Ok(c) => {
                        assert!(c.offset() >= a.value_offset() && c.offset() < end);
                        assert_eq!(c.depth(), a.depth() + 1);
                    }
                    Err(e) => assert!(e.offset() >= a.value_offset() && e.offset() <= end),
                }
            }
        }
        Err(DecodeError::NestingTooDeep { offset, max }) => {
            assert_eq!((offset, max), (at, MAX_NEST_DEPTH));
            assert_eq!(a.depth(), MAX_NEST_DEPTH);
        }
        Err(e) => panic!("nested() failed with something other than NestingTooDeep: {e:?}"),
    }
}

/// A typed getter succeeds exactly when `ok`, then `same` holds of its value; otherwise it
/// fails with `BadAttr` naming `name` at the attribute's offset.
fn fixed<T: Debug>(
    a: &Attr<'_>,
    ok: bool,
    got: Result<T, DecodeError>,
    name: &'static str,
    same: impl FnOnce(&T) -> bool,
) {
    match got {
        Ok(x) if ok => {
            assert!(
                same(&x),
                "{name} at {} read {x:?} from {:?}",
                a.offset(),
                a.value()
            );
        }
        Ok(x) => panic!("{name} accepted {:?} as {x:?}", a.value()),
        Err(DecodeError::BadAttr {
            name: n, offset, ..
        }) if !ok => {
            assert_eq!(
                (n, offset),
                (name, a.offset()),
                "getter error names the attribute"
            );
        }
        Err(e) => panic!("{name} refused {:?}: {e:?}", a.value()),
    }
}

fn check_error_offset(e: &DecodeError, len: usize, what: &str) {
    assert!(
        e.offset() <= len,
        "{what}: error offset {} is past the end of the {len} input bytes: {e:?}",
        e.offset()
    );
}

/// Reads `data[0..2]` as `nlmsg_flags` and the rest as the payload of an `NLMSG_ERROR` and of
/// an `NLMSG_DONE`. Whatever parses must re-encode to `buffer_len()` bytes that parse back to
/// the same value.
pub fn error_message(data: &[u8]) {
    let (Some(flags), Some(payload)) = (data.get(..2), data.get(2..)) else {
        return;
    };
    let flags = <[u8; 2]>::try_from(flags).map_or(0, u16::from_ne_bytes);
    let flags = NlmsgFlags::from_bits_retain(flags);
    let _ = family_roundtrip(NLMSG_ERROR, flags, payload);
    let _ = family_roundtrip(NLMSG_DONE, flags, payload);
    // The TLV reader on its own, over the whole payload.
    check_ext_ack(&ExtAck::parse(payload, 0), payload.len());
}

/// Walks `data` as a datagram of netlink messages and decodes each payload with the decoder
/// for its type ([`family_roundtrip`]), the fixed-header-less attribute area with [`attrs`],
/// and the request echoed by an `NLMSG_ERROR` the same way.
///
/// Checks that messages start at 4-byte-aligned offsets, lie inside `data`, and that the
/// views read the bytes where they are.
pub fn datagram(data: &[u8]) {
    datagram_as(data, Protocol::detect(data));
}

/// [`datagram`] with the protocol given rather than detected.
fn datagram_as(data: &[u8], protocol: Protocol) {
    let mut next = 0;
    for item in Messages::new(data) {
        match item {
            Err(e) => {
                check_error_offset(&e, data.len(), "datagram");
                assert_eq!(
                    e.offset(),
                    next,
                    "a datagram error is reported where it starts"
                );
            }
            Ok((at, m)) => {
                assert_eq!(at, next, "message offsets follow nlmsg_len, aligned");
                assert_eq!(at % 4, 0, "messages start 4-byte aligned");
                let len = m.length() as usize;
                assert!(len >= NLMSG_HDR_LEN && at + len <= data.len());
                assert_eq!(Some(m.bytes()), data.get(at..at + len));
                assert_eq!(Some(m.payload()), data.get(at + NLMSG_HDR_LEN..at + len));
                let h = m.header();
                assert_eq!(Some(&h.to_bytes()[..]), data.get(at..at + NLMSG_HDR_LEN));
                assert_eq!(NlmsgHeader::parse(m.bytes()), Ok(h));
                message(&m, protocol);
                if h.message_type == NLMSG_ERROR
                    && let Ok(e) = ErrorMessage::parse(m.payload(), h.flags)
                    && let Ok(request) = NlmsgBuffer::new_checked(e.echo)
                {
                    message(&request, protocol);
                }
                next = (at + align4(len)).min(data.len());
            }
        }
    }
}

/// One message's payload through its decoder, and its attribute area through [`attrs`].
fn message(m: &NlmsgBuffer<&[u8]>, protocol: Protocol) {
    let h = m.header();
    let _ = protocol.message_type_name(h.message_type);
    let _ = protocol_roundtrip(protocol, h.message_type, h.flags, m.payload());
    let header_len = match protocol {
        Protocol::Route => family_header_len(h.message_type),
        Protocol::Netfilter => NftMessage::handles(h.message_type).then_some(NFGENMSG_LEN),
    };
    if let Some(area) = header_len.and_then(|n| m.payload().get(n..)) {
        attrs(area);
    }
}

/// Decodes `data` as a datagram, re-encodes it ([`reencode`]), and checks that the result
/// decodes to the same messages and re-encodes to the very same bytes.
pub fn roundtrip(data: &[u8]) {
    roundtrip_as(data, Protocol::detect(data));
}

/// [`roundtrip`] with the protocol given rather than detected.
fn roundtrip_as(data: &[u8], protocol: Protocol) {
    let Some(first) = reencode_as(data, protocol) else {
        return;
    };
    let second = reencode_as(&first, protocol).unwrap_or_else(|| {
        panic!("the re-encoded datagram does not decode: {first:02x?} (from {data:02x?})")
    });
    assert_eq!(first, second, "re-encoding is not a fixed point");
    let headers = |d: &[u8]| -> Vec<(u16, NlmsgFlags, u32, u32)> {
        Messages::new(d)
            .views()
            .filter_map(Result::ok)
            .map(|m| {
                (
                    m.message_type(),
                    m.flags(),
                    m.sequence_number(),
                    m.port_number(),
                )
            })
            .collect()
    };
    assert_eq!(
        headers(data),
        headers(&first),
        "re-encoding changed the message headers"
    );
}

/// The datagram rebuilt with [`Builder::message`] from the decoded messages, or `None` when
/// `data` is not a well-formed datagram or one of its payloads does not decode.
///
/// Payloads of types without a decoder are copied as they are. Canonical input (what the
/// kernel sends: zeroed padding and reserved bytes, aligned lengths) comes back byte for
/// byte; other input comes back with padding zeroed and lengths aligned.
///
/// The protocol (rtnetlink or nfnetlink) is detected from the whole datagram.
pub fn reencode(data: &[u8]) -> Option<Vec<u8>> {
    reencode_as(data, Protocol::detect(data))
}

/// [`reencode`] with the protocol given rather than detected.
pub fn reencode_as(data: &[u8], protocol: Protocol) -> Option<Vec<u8>> {
    let mut b = Builder::with_capacity(data.len());
    for item in Messages::new(data).views() {
        let m = item.ok()?;
        let h = m.header();
        let payload = match protocol_roundtrip(protocol, h.message_type, h.flags, m.payload()) {
            Payload::Decoded(v) => v,
            Payload::Opaque => m.payload().to_vec(),
            Payload::Invalid => return None,
        };
        let (kind, flags, seq, port) = (h.message_type, h.flags, h.sequence_number, h.port_number);
        b.message(kind, flags, seq, port, &payload.as_slice())
            .unwrap_or_else(|e| panic!("rebuilding a message that was read: {e}"));
    }
    Some(b.into_vec())
}

/// What [`family_roundtrip`] made of a payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// Decoded; these are its re-encoded bytes, checked to decode to the same value.
    Decoded(Vec<u8>),
    /// Rejected by its decoder (or decoded to a value too large to encode again).
    Invalid,
    /// A type without a decoder here: kept as raw bytes.
    Opaque,
}

/// Decodes the payload of a message of type `msg_type` with the decoder for that type and
/// checks the re-encoding (see [`reencode_checked`]).
pub fn family_roundtrip(msg_type: u16, flags: NlmsgFlags, payload: &[u8]) -> Payload {
    match msg_type {
        NLMSG_NOOP | NLMSG_OVERRUN => Payload::Decoded(payload.to_vec()),
        NLMSG_ERROR => error_payload(flags, payload),
        NLMSG_DONE => done_payload(payload, flags),
        RTM_NEWLINK | RTM_DELLINK | RTM_GETLINK | RTM_SETLINK => {
            owned("RTM_*LINK", payload, crate::wire::link::LinkMessage::parse)
        }
        RTM_NEWADDR | RTM_DELADDR | RTM_GETADDR => owned(
            "RTM_*ADDR",
            payload,
            crate::wire::addr::AddressMessage::parse,
        ),
        RTM_NEWROUTE | RTM_DELROUTE | RTM_GETROUTE => owned(
            "RTM_*ROUTE",
            payload,
            crate::wire::route::RouteMessage::parse,
        ),
        RTM_NEWNEIGH | RTM_DELNEIGH | RTM_GETNEIGH => owned(
            "RTM_*NEIGH",
            payload,
            crate::wire::neigh::NeighMessage::parse,
        ),
        RTM_NEWNSID | RTM_DELNSID | RTM_GETNSID => {
            owned("RTM_*NSID", payload, crate::wire::nsid::NsidMessage::parse)
        }
        RTM_NEWRULE | RTM_DELRULE | RTM_GETRULE => {
            owned("RTM_*RULE", payload, crate::wire::rule::RuleMessage::parse)
        }
        _ => Payload::Opaque,
    }
}

/// [`family_roundtrip`] for rtnetlink, [`nft_roundtrip`] for nfnetlink.
fn protocol_roundtrip(
    protocol: Protocol,
    msg_type: u16,
    flags: NlmsgFlags,
    payload: &[u8],
) -> Payload {
    match protocol {
        Protocol::Route => family_roundtrip(msg_type, flags, payload),
        Protocol::Netfilter => nft_roundtrip(msg_type, flags, payload),
    }
}

/// Decodes the payload of an nfnetlink message of type `msg_type`: control messages as in
/// rtnetlink, the batch markers and nf_tables messages with [`NftMessage::parse`] (checked as
/// [`owned`] does, and against the zero-copy view), anything else kept opaque.
pub fn nft_roundtrip(msg_type: u16, flags: NlmsgFlags, payload: &[u8]) -> Payload {
    match msg_type {
        NLMSG_NOOP | NLMSG_OVERRUN => Payload::Decoded(payload.to_vec()),
        NLMSG_ERROR => error_payload(flags, payload),
        NLMSG_DONE => done_payload(payload, flags),
        t if NftMessage::handles(t) => {
            let parsed = NftMessage::parse(t, payload);
            if let Ok(m) = &parsed {
                let view = NftMessageBuffer::new_checked(payload).unwrap_or_else(|e| {
                    panic!("the owned decoder took what the view refuses: {e}")
                });
                assert_eq!(view.header(), m.header(), "view and owned headers differ");
            }
            match parsed {
                Ok(m) => reencode_checked(&m, "nf_tables message", &|b| {
                    same(&m, NftMessage::parse(t, b))
                }),
                Err(e) => {
                    check_error_offset(&e, payload.len(), "nf_tables message");
                    Payload::Invalid
                }
            }
        }
        _ => Payload::Opaque,
    }
}

/// The nfnetlink datagram decoder: [`datagram`] and [`roundtrip`] with the protocol forced
/// to nfnetlink (so that types 16 and 17 are batch markers), and the crate's dispatcher
/// ([`Message::decode_datagram_as`]) checked against them: whatever it decodes re-encodes to
/// what [`reencode_as`] gives.
pub fn nft_datagram(data: &[u8]) {
    datagram_as(data, Protocol::Netfilter);
    roundtrip_as(data, Protocol::Netfilter);
    let _ = Protocol::detect(data);
    let decoded: Result<Vec<Message<'_>>, DecodeError> =
        Message::decode_datagram_as(data, Protocol::Netfilter).collect();
    match decoded {
        Ok(msgs) => {
            let mut b = Builder::new();
            let emitted = msgs.iter().try_for_each(|m| m.emit(&mut b));
            if emitted.is_ok() {
                assert_eq!(
                    Some(b.into_vec()),
                    reencode_as(data, Protocol::Netfilter),
                    "Message::emit and reencode disagree"
                );
            }
        }
        Err(e) => check_error_offset(&e, data.len(), "nfnetlink datagram"),
    }
}

/// Reads `data` as the contents of an expression list (`NFTA_RULE_EXPRESSIONS`): with the
/// nest marking free, and forced to each of the two. Whatever decodes must re-encode to
/// `attr_len` bytes that decode to the same expressions, and the zero-copy walk ([`crate::wire::nft::exprs`])
/// must see the same items with the same names.
pub fn nft_expr(data: &[u8]) {
    for forced in [None, Some(Nesting::Plain), Some(Nesting::Flagged)] {
        let mut cx = forced.map_or_else(Cx::new, Cx::with);
        let list: Vec<Expr> = match nft_parse_attrs(AttrIter::new(data), &mut cx) {
            Ok(l) => l,
            Err(e) => {
                check_error_offset(&e, data.len(), "expression list");
                continue;
            }
        };
        let nesting = cx.nesting();
        let mut b = Builder::new();
        match list.iter().try_for_each(|e| e.emit_attr(&mut b, nesting)) {
            Ok(()) => {}
            Err(EncodeError::AttrTooLarge { .. } | EncodeError::NestTooLarge { .. }) => continue,
            Err(e) => panic!("re-encoding decoded expressions failed: {e}"),
        }
        let bytes = b.into_vec();
        assert_eq!(
            bytes.len(),
            list.iter().map(NftAttr::attr_len).sum::<usize>(),
            "expressions: attr_len disagrees with what emit wrote"
        );
        let mut again = Cx::with(nesting);
        let back: Vec<Expr> = nft_parse_attrs(AttrIter::new(&bytes), &mut again)
            .unwrap_or_else(|e| panic!("re-encoded expressions do not decode: {e}"));
        assert_eq!(back, list, "decode(encode(expressions)) differs");
        let seen: Vec<Option<String>> = ExprIter::over(data)
            .map(|r| r.map(|x| x.name.map(str::to_owned)))
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("the view refuses what the owned decoder took: {e}"));
        assert_eq!(seen.len(), list.len(), "view and owned count differently");
        for (v, e) in seen.iter().zip(&list) {
            if !matches!(e, Expr::Other(_)) {
                assert_eq!(v.as_deref(), e.name(), "view and owned names differ");
            }
        }
        for e in &list {
            let _ = e.as_verdict();
        }
    }
}

fn nft_parse_attrs<T: NftAttr>(iter: AttrIter<'_>, cx: &mut Cx) -> Result<Vec<T>, DecodeError> {
    let mut out = Vec::new();
    for a in iter {
        out.push(T::parse_in(&a?, cx)?);
    }
    Ok(out)
}

/// The size of the fixed family header that precedes the attributes of a message of type
/// `msg_type`, for the rtnetlink types whose header is known here.
pub fn family_header_len(msg_type: u16) -> Option<usize> {
    Some(match msg_type {
        // struct ifinfomsg
        RTM_NEWLINK | RTM_DELLINK | RTM_GETLINK | RTM_SETLINK => 16,
        // struct ifaddrmsg
        RTM_NEWADDR | RTM_DELADDR | RTM_GETADDR => 8,
        // struct rtmsg
        RTM_NEWROUTE | RTM_DELROUTE | RTM_GETROUTE => 12,
        // struct ndmsg
        RTM_NEWNEIGH | RTM_DELNEIGH | RTM_GETNEIGH => 12,
        // struct fib_rule_hdr
        RTM_NEWRULE | RTM_DELRULE | RTM_GETRULE => 12,
        // struct tcmsg
        RTM_NEWQDISC | RTM_DELQDISC | RTM_GETQDISC => 20,
        // struct rtgenmsg, padded
        RTM_NEWNSID | RTM_DELNSID | RTM_GETNSID => 4,
        _ => return None,
    })
}

/// For a family decoder that returns an owned value: parses `payload` and checks the
/// re-encoding with [`reencode_checked`]. `what` names the message in panic messages.
pub fn owned<T: Emit + PartialEq + Debug>(
    what: &str,
    payload: &[u8],
    parse: fn(&[u8]) -> Result<T, DecodeError>,
) -> Payload {
    match parse(payload) {
        Ok(x) => reencode_checked(&x, what, &|b| same(&x, parse(b))),
        Err(e) => {
            check_error_offset(&e, payload.len(), what);
            Payload::Invalid
        }
    }
}

fn error_payload(flags: NlmsgFlags, payload: &[u8]) -> Payload {
    let m = match ErrorMessage::parse(payload, flags) {
        Ok(m) => m,
        Err(e) => {
            check_error_offset(&e, payload.len(), "NLMSG_ERROR");
            return Payload::Invalid;
        }
    };
    assert_eq!(m.is_ack(), m.error == 0);
    assert_eq!(m.errno(), m.error.saturating_neg());
    assert_eq!(
        m.request_sequence().is_some(),
        m.echo.len() >= NLMSG_HDR_LEN
    );
    assert_eq!(m.request_header(), NlmsgHeader::parse(m.echo).ok());
    assert!(borrowed_from(m.echo, payload) && borrowed_from(m.tlvs, payload));
    if !flags.contains(NlmsgFlags::ACK_TLVS) {
        assert!(m.tlvs.is_empty() && m.ext_ack.is_empty());
    }
    check_ext_ack(&m.ext_ack, payload.len());
    reencode_checked(&m, "NLMSG_ERROR", &|b| {
        same(&m, ErrorMessage::parse(b, flags))
    })
}

fn done_payload(payload: &[u8], flags: NlmsgFlags) -> Payload {
    let m = match DoneMessage::parse(payload, flags) {
        Ok(m) => m,
        Err(e) => {
            check_error_offset(&e, payload.len(), "NLMSG_DONE");
            return Payload::Invalid;
        }
    };
    assert_eq!(m.has_error_field, !payload.is_empty());
    assert!(borrowed_from(m.tlvs, payload));
    check_ext_ack(&m.ext_ack, payload.len());
    reencode_checked(&m, "NLMSG_DONE", &|b| {
        same(&m, DoneMessage::parse(b, flags))
    })
}

fn check_ext_ack(x: &ExtAck<'_>, len: usize) {
    if let Some(e) = &x.malformed {
        check_error_offset(e, len, "extended ack");
    }
    let any = x.message.is_some()
        || x.bad_attr_offset.is_some()
        || x.missing_type.is_some()
        || x.missing_nest.is_some()
        || x.cookie.is_some();
    assert_eq!(x.is_empty(), !any);
}

/// True when `part` is empty or lies inside `whole`.
fn borrowed_from(part: &[u8], whole: &[u8]) -> bool {
    let w = whole.as_ptr_range();
    let p = part.as_ptr_range();
    part.is_empty() || (w.start <= p.start && p.end <= w.end)
}

/// The checks every decoded payload `x` goes through: [`Emit::to_vec`] writes exactly
/// [`Emit::buffer_len`] bytes, `emit_to_slice` fills a buffer of that size and refuses one a
/// byte shorter, and `reparse` (which parses the bytes and compares with `x`) agrees. As
/// equal values encode equally, the re-encoding is then a fixed point.
pub fn reencode_checked(
    x: &dyn Emit,
    what: &str,
    reparse: &dyn Fn(&[u8]) -> Result<(), String>,
) -> Payload {
    let len = x.buffer_len();
    let v = match x.to_vec() {
        Ok(v) => v,
        // A value read from the wire can outgrow netlink's length fields once its padding
        // is made canonical (an unpadded last attribute in a full nest).
        Err(
            EncodeError::AttrTooLarge { .. }
            | EncodeError::NestTooLarge { .. }
            | EncodeError::MessageTooLarge { .. },
        ) => return Payload::Invalid,
        Err(e) => panic!("{what}: re-encoding a decoded value failed: {e}"),
    };
    assert_eq!(
        v.len(),
        len,
        "{what}: emit wrote {} bytes, buffer_len said {len}",
        v.len()
    );
    let mut exact = vec![0xa5; len];
    assert_eq!(
        x.emit_to_slice(&mut exact),
        Ok(len),
        "{what}: emit_to_slice, exact size"
    );
    assert_eq!(exact, v, "{what}: emit_to_slice and to_vec disagree");
    if let Some(short) = len.checked_sub(1) {
        let mut short = vec![0; short];
        assert!(
            x.emit_to_slice(&mut short).is_err(),
            "{what}: emit_to_slice into a buffer one byte short succeeded"
        );
    }
    if let Err(why) = reparse(&v) {
        panic!("{what}: decode(encode(x)) != x: {why}; encoded {v:02x?}");
    }
    Payload::Decoded(v)
}

fn same<T: PartialEq + Debug>(x: &T, y: Result<T, DecodeError>) -> Result<(), String> {
    match y {
        Ok(y) if y == *x => Ok(()),
        Ok(y) => Err(format!("first decoded {x:?}, then {y:?}")),
        Err(e) => Err(format!(
            "first decoded {x:?}, then the re-encoding failed: {e}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::UnknownAttr;

    /// A tiny owned "family" codec: a 4-byte header and a list of raw attributes.
    #[derive(Debug, PartialEq)]
    struct Toy {
        header: [u8; 4],
        attrs: Vec<UnknownAttr>,
    }

    impl Toy {
        fn parse(p: &[u8]) -> Result<Toy, DecodeError> {
            let header = crate::wire::read_array::<4>(p, 0, "toy header")?;
            let attrs = AttrIter::with_base(p.get(4..).unwrap_or(&[]), 4)
                .map(|a| a.map(|a| a.to_unknown()))
                .collect::<Result<_, _>>()?;
            Ok(Toy { header, attrs })
        }
        /// Forgets the last attribute: does not survive a round trip.
        fn parse_lossy(p: &[u8]) -> Result<Toy, DecodeError> {
            let mut t = Toy::parse(p)?;
            t.attrs.pop();
            Ok(t)
        }
    }

    impl Emit for Toy {
        fn buffer_len(&self) -> usize {
            4 + self
                .attrs
                .iter()
                .map(UnknownAttr::buffer_len)
                .sum::<usize>()
        }
        fn emit(&self, b: &mut Builder<'_>) -> Result<(), EncodeError> {
            b.put(&self.header)?;
            self.attrs.iter().try_for_each(|a| a.emit(b))
        }
    }

    fn toy_payload() -> Vec<u8> {
        let mut b = Builder::new();
        b.put(&[1, 2, 3, 4]).unwrap();
        b.attr_u32(4, 1500).unwrap();
        b.attr(3, &[9; 5]).unwrap();
        b.into_vec()
    }

    #[test]
    fn owned_accepts_a_faithful_codec_and_returns_its_bytes() {
        let p = toy_payload();
        assert_eq!(owned("toy", &p, Toy::parse), Payload::Decoded(p.clone()));
        assert_eq!(owned("toy", &p[..3], Toy::parse), Payload::Invalid);
    }

    #[test]
    #[should_panic(expected = "decode(encode(x)) != x")]
    fn owned_catches_a_lossy_codec() {
        let _ = owned("toy", &toy_payload(), Toy::parse_lossy);
    }

    #[test]
    fn reencode_keeps_canonical_datagrams_byte_for_byte() {
        let mut b = Builder::new();
        b.message(RTM_NEWLINK, NlmsgFlags::MULTI, 1, 7, &[0u8; 16].as_slice())
            .unwrap();
        b.message(
            NLMSG_DONE,
            NlmsgFlags::MULTI,
            1,
            7,
            &0i32.to_ne_bytes().as_slice(),
        )
        .unwrap();
        let d = b.into_vec();
        assert_eq!(reencode(&d), Some(d.clone()));
        roundtrip(&d);
        datagram(&d);
    }

    #[test]
    fn reencode_refuses_a_bad_error_payload() {
        let mut b = Builder::new();
        b.message(NLMSG_ERROR, NlmsgFlags::empty(), 1, 7, &[0u8; 3].as_slice())
            .unwrap();
        assert_eq!(reencode(b.as_bytes()), None);
    }

    #[test]
    fn every_target_takes_empty_and_tiny_inputs() {
        for &(_, f) in TARGETS {
            for n in 0..40 {
                f(&vec![0; n]);
                f(&vec![0xff; n]);
            }
        }
        assert!(target("attrs").is_some() && target("nope").is_none());
    }
}
