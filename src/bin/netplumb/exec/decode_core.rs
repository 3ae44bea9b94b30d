//! The work of `netplumb decode`, without I/O: recognise the input (annotated hex or raw
//! bytes), walk its netlink messages with the library's decoder and render each one.
//!
//! Text output, per message: a header line, then the decoded payload as an indented tree
//! (the codec's owned message, as Rust's `{:#?}` prints it):
//!
//! ```text
//! offset 0: RTM_NEWLINK len 1852 flags MULTI seq 2 port 14565
//!     Link(
//!         LinkMessage {
//!             ...
//! ```
//!
//! With `-j` the output is one JSON array with an object per message: `offset`, `len`,
//! `type` (the number), `type_name` (the uapi name, when known), `flags` (names, `NLM_F_`
//! left out; bits without a name in hex), `seq`, `port`, and `payload`, the same tree as the
//! text (see [`super::debug_tree`] for how it maps to JSON).
//!
//! When a message does not decode, everything before it has been rendered and the error is
//! returned; its offset counts from the start of the input's bytes.
//!
//! What is particular to a netlink protocol (how a payload decodes, what the message types
//! are called, what the flag bits from 0x100 up mean) is a [`Protocol`]: [`ROUTE`] for
//! rtnetlink, [`NETFILTER`] for nfnetlink (nf_tables messages and the batch markers, down to
//! the expressions of rules: set names of lookups, jump targets, NAT registers). [`render`]
//! picks one from the bytes as a whole ([`detect`]: the batch markers, types 16 and 17,
//! look like `RTM_NEWLINK` and `RTM_DELLINK`); [`render_with`] takes the one given.

use super::debug_tree;
use crate::json::{Value, Writer};
use netplumb::wire::message::{Message, Protocol as Wire};
use netplumb::wire::nlmsg::{NLMSG_DONE, NLMSG_ERROR, NlmsgFlags, message_type_name};
use netplumb::wire::{DecodeError, Messages, NlmsgBuffer, NlmsgHeader, hex};
use std::fmt::Debug;

/// What `decode` needs to know of a netlink protocol.
pub struct Protocol {
    /// Decodes one message: its header and its payload, as a value whose `Debug` text is
    /// what is printed. Error offsets count from the start of the message.
    pub decode: for<'a> fn(NlmsgBuffer<&'a [u8]>) -> Result<Decoded<'a>, DecodeError>,
    /// The uapi name of a message type, when it has one (`NLMSG_*` included).
    pub type_name: fn(u16) -> Option<&'static str>,
    /// The names of the set flags of a message of a type (see [`flag_names`]).
    pub flag_names: fn(u16, NlmsgFlags) -> Vec<String>,
}

/// A decoded message: its header and its payload.
pub type Decoded<'a> = (NlmsgHeader, Box<dyn Debug + 'a>);

/// rtnetlink (`NETLINK_ROUTE`), decoded by the library's [`Message`].
pub const ROUTE: Protocol = Protocol {
    decode: |m| {
        let msg = Message::parse_as(m, Wire::Route)?;
        Ok((msg.header, Box::new(msg.payload)))
    },
    type_name: message_type_name,
    flag_names,
};

/// nfnetlink (`NETLINK_NETFILTER`): nf_tables messages (`NFT_MSG_*`, the subsystem in the
/// type's high byte) and the batch markers, decoded by the library's [`Message`].
pub const NETFILTER: Protocol = Protocol {
    decode: |m| {
        let msg = Message::parse_as(m, Wire::Netfilter)?;
        Ok((msg.header, Box::new(msg.payload)))
    },
    type_name: |kind| Wire::Netfilter.message_type_name(kind),
    flag_names: netfilter_flag_names,
};

/// The decoder for `protocol`.
pub fn decoder(protocol: Wire) -> &'static Protocol {
    match protocol {
        Wire::Netfilter => &NETFILTER,
        _ => &ROUTE,
    }
}

/// The decoder for `bytes`, judged from all of them (see
/// `netplumb::wire::nft::is_nfnetlink`): nfnetlink when a message says so, else rtnetlink.
pub fn detect(bytes: &[u8]) -> &'static Protocol {
    decoder(Wire::detect(bytes))
}

/// The request flags of an nf_tables message type, by what its low byte does: new
/// (`NFT_MSG_NEW*`), get, or delete. The batch markers have none.
fn netfilter_request_flags(kind: u16) -> &'static [(u16, &'static str)] {
    const NEW: &[(u16, &str)] = &[
        (0x100, "REPLACE"),
        (0x200, "EXCL"),
        (0x400, "CREATE"),
        (0x800, "APPEND"),
    ];
    const GET: &[(u16, &str)] = &[
        (0x300, "DUMP"),
        (0x100, "ROOT"),
        (0x200, "MATCH"),
        (0x400, "ATOMIC"),
    ];
    const DEL: &[(u16, &str)] = &[(0x100, "NONREC"), (0x200, "BULK")];
    if kind >> 8 != 10 {
        return &[];
    }
    match kind & 0xff {
        0 | 3 | 6 | 9 | 12 | 15 | 18 | 22 => NEW,
        1 | 4 | 7 | 10 | 13 | 16 | 19 | 21 | 23 => GET,
        2 | 5 | 8 | 11 | 14 | 20 | 24 => DEL,
        _ => &[],
    }
}

/// Names of the set bits of `flags` for an nfnetlink message of type `kind`.
pub fn netfilter_flag_names(kind: u16, flags: NlmsgFlags) -> Vec<String> {
    names_of_flags(kind, flags, netfilter_request_flags(kind))
}

/// The request flags of an rtnetlink message type: they come in fours from 16, NEW, DEL,
/// GET, SET.
fn route_request_flags(kind: u16) -> &'static [(u16, &'static str)] {
    match kind {
        k if k >= 16 && k % 4 == 0 => &[
            (0x100, "REPLACE"),
            (0x200, "EXCL"),
            (0x400, "CREATE"),
            (0x800, "APPEND"),
        ],
        k if k >= 16 && k % 4 == 1 => &[(0x100, "NONREC"), (0x200, "BULK")],
        k if k >= 16 && k % 4 == 2 => &[
            (0x300, "DUMP"),
            (0x100, "ROOT"),
            (0x200, "MATCH"),
            (0x400, "ATOMIC"),
        ],
        _ => &[],
    }
}

/// True when `raw` is annotated hex text: UTF-8 in which every character outside `#`
/// comments is a hex digit or white space. Anything else is taken as raw bytes.
pub fn is_hex_text(raw: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(raw) else {
        return false;
    };
    text.lines().all(|line| {
        line.split('#')
            .next()
            .unwrap_or("")
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c.is_whitespace())
    })
}

/// The netlink bytes of an input: hex text parsed, raw bytes as they are.
///
/// # Errors
/// The hex reader's complaint (an odd number of digits), as text.
pub fn input_bytes(raw: &[u8]) -> Result<Vec<u8>, String> {
    if !is_hex_text(raw) {
        return Ok(raw.to_vec());
    }
    let text = std::str::from_utf8(raw).unwrap_or_default();
    hex::parse(text).map_err(|e| e.to_string())
}

/// What `decode` prints on stderr when decoding stopped.
pub fn error_line(e: &DecodeError) -> String {
    format!("Error: decode error at offset {}: {e}", e.offset())
}

/// Names of the set bits of `flags` for an rtnetlink message of type `kind`: the bits from
/// 0x100 up mean different things for GET, NEW and DEL requests and for errors.
pub fn flag_names(kind: u16, flags: NlmsgFlags) -> Vec<String> {
    names_of_flags(kind, flags, route_request_flags(kind))
}

/// Names of the set bits of `flags` for a message of type `kind`, whose bits from 0x100 up
/// are named by `request` unless it is a control message (`NLMSG_ERROR`, `NLMSG_DONE`): the
/// common part of every protocol's `flag_names`. Bits without a name come last, in hex.
pub fn names_of_flags(kind: u16, flags: NlmsgFlags, request: &[(u16, &str)]) -> Vec<String> {
    let mut bits = flags.bits();
    let mut out = Vec::new();
    let mut take = |mask: u16, name: &str, bits: &mut u16| {
        if *bits & mask == mask {
            *bits &= !mask;
            out.push(name.to_string());
        }
    };
    for (mask, name) in [
        (0x01, "REQUEST"),
        (0x02, "MULTI"),
        (0x04, "ACK"),
        (0x08, "ECHO"),
        (0x10, "DUMP_INTR"),
        (0x20, "DUMP_FILTERED"),
    ] {
        take(mask, name, &mut bits);
    }
    let high: &[(u16, &str)] = match kind {
        NLMSG_ERROR => &[(0x100, "CAPPED"), (0x200, "ACK_TLVS")],
        NLMSG_DONE => &[(0x200, "ACK_TLVS")],
        _ => request,
    };
    for &(mask, name) in high {
        take(mask, name, &mut bits);
    }
    if bits != 0 {
        out.push(format!("{bits:#x}"));
    }
    out
}

/// Renders every message of `bytes` as text (or JSON, compact or `pretty`), rtnetlink or
/// nfnetlink as [`detect`] judges them. Returns the output and, when a message did not
/// decode, the error (offset from the start of `bytes`); the output then holds the messages
/// before it (and, for JSON, is still a whole document).
pub fn render(bytes: &[u8], json: bool, pretty: bool) -> (String, Option<DecodeError>) {
    render_with(detect(bytes), bytes, json, pretty)
}

/// [`render`] for the messages of protocol `p`.
pub fn render_with(
    p: &Protocol,
    bytes: &[u8],
    json: bool,
    pretty: bool,
) -> (String, Option<DecodeError>) {
    let mut offset = 0usize;
    let mut text = String::new();
    let mut records = Vec::new();
    let mut failure = None;
    for r in Messages::new(bytes) {
        let (h, payload) = match r.and_then(|(at, m)| (p.decode)(m).map_err(|e| e.shift(at))) {
            Ok(m) => m,
            Err(e) => {
                failure = Some(e);
                break;
            }
        };
        let flags = (p.flag_names)(h.message_type, h.flags);
        if json {
            let mut o = Value::object();
            o.push("offset", offset as u64)
                .push("len", h.length)
                .push("type", u32::from(h.message_type));
            if let Some(n) = (p.type_name)(h.message_type) {
                o.push("type_name", n);
            }
            o.push(
                "flags",
                flags.into_iter().map(Value::Str).collect::<Vec<_>>(),
            )
            .push("seq", h.sequence_number)
            .push("port", h.port_number)
            .push("payload", debug_tree::to_value(&format!("{payload:?}")));
            records.push(o);
        } else {
            let flags = if flags.is_empty() {
                "0".to_string()
            } else {
                flags.join("|")
            };
            let kind = h.message_type;
            let type_text =
                (p.type_name)(kind).map_or_else(|| format!("type {kind}"), str::to_string);
            text.push_str(&format!(
                "offset {offset}: {type_text} len {} flags {flags} seq {} port {}\n",
                h.length, h.sequence_number, h.port_number
            ));
            for line in format!("{payload:#?}").lines() {
                text.push_str("    ");
                text.push_str(line);
                text.push('\n');
            }
        }
        offset = offset.saturating_add((h.length as usize).saturating_add(3) & !3);
    }
    if json {
        let mut w = Writer::new(Vec::new(), pretty);
        // Writing into a Vec cannot fail.
        let _ = w.value(&Value::Array(records));
        text = w
            .finish()
            .map(|v| String::from_utf8_lossy(&v).into_owned())
            .unwrap_or_default();
    }
    (text, failure)
}
