//! What the golden codec tests (tests/golden_*.rs) share: reading a fixture, decoding a
//! datagram into [`Message`]s with the crate's own dispatcher, encoding them back, and the
//! "every prefix is an error" check.

use netplumb::wire::message::{Message, Payload};
use netplumb::wire::nlmsg::{NLMSG_DONE, NLMSG_HDR_LEN};
use netplumb::wire::{Builder, DecodeError, Emit, Messages, NlmsgFlags, NlmsgHeader, hex};
use proptest::prelude::*;
use std::fmt::Debug;
use std::net::IpAddr;

/// The bytes of `tests/fixtures/<path>` (annotated hex).
pub fn fixture(path: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    hex::parse(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The first message of fixture `path` (a request `ip` sent): its header and payload.
pub fn first_message(path: &str) -> (NlmsgHeader, Vec<u8>) {
    let bytes = fixture(path);
    let (_, m) = Messages::new(&bytes).next().unwrap().unwrap();
    (m.header(), m.payload().to_vec())
}

/// Every message of `d` (one or more datagrams back to back), each payload decoded by the
/// codec of its type. Error offsets count from the start of `d`.
pub fn decode(d: &[u8]) -> Result<Vec<Message<'_>>, DecodeError> {
    Message::decode_datagram(d).collect()
}

/// [`decode`] as a caller reading a whole reply would: the reply must not be empty, and a
/// multipart reply must end with NLMSG_DONE. The fixtures hold whole replies, so a cut at a
/// message boundary is incomplete too.
pub fn decode_reply(d: &[u8]) -> Result<Vec<Message<'_>>, DecodeError> {
    let msgs = decode(d)?;
    let Some(last) = msgs.last() else {
        return Err(DecodeError::Truncated {
            what: "nlmsghdr",
            offset: 0,
            need: NLMSG_HDR_LEN,
            have: d.len(),
        });
    };
    let multi = msgs
        .iter()
        .any(|m| m.header.flags.contains(NlmsgFlags::MULTI));
    if multi && last.header.message_type != NLMSG_DONE {
        return Err(DecodeError::Truncated {
            what: "multipart reply without NLMSG_DONE",
            offset: d.len(),
            need: NLMSG_HDR_LEN + 4,
            have: 0,
        });
    }
    Ok(msgs)
}

/// The messages written back to back, each `nlmsg_len` recomputed.
pub fn encode(msgs: &[Message<'_>]) -> Vec<u8> {
    let mut b = Builder::new();
    for m in msgs {
        m.emit(&mut b).unwrap();
    }
    b.into_vec()
}

/// Every prefix `d[..n]` (n < len) of fixture `name` is an error from [`decode_reply`] whose
/// offset lies within the prefix.
pub fn assert_every_prefix_fails(name: &str, d: &[u8]) {
    for n in 0..d.len() {
        match decode_reply(&d[..n]) {
            Ok(_) => panic!("{name}: prefix of {n} bytes decoded"),
            Err(e) => assert!(e.offset() <= n, "{name}[..{n}]: {e} points past the end"),
        }
    }
}

/// A family payload: the fixed header `header`, then one attribute `kind` holding `value`.
pub fn payload_with(header: &[u8], kind: u16, value: &[u8]) -> Vec<u8> {
    let mut b = Builder::new();
    b.put(header).unwrap();
    b.attr(kind, value).unwrap();
    b.into_vec()
}

/// For each `(kind, len, name)`: `header` followed by attribute `kind` with a value of `len`
/// bytes does not `parse`, with `BadAttr` naming `name` at the attribute's offset.
pub fn assert_wrong_sizes_named<M: Debug>(
    parse: fn(&[u8]) -> Result<M, DecodeError>,
    header: &[u8],
    cases: &[(u16, usize, &str)],
) {
    for &(kind, len, name) in cases {
        let p = payload_with(header, kind, &vec![1; len]);
        match parse(&p) {
            Err(DecodeError::BadAttr {
                name: n, offset, ..
            }) => {
                assert_eq!((n, offset), (name, header.len()), "{name} of {len} bytes")
            }
            other => panic!("{name} of {len} bytes: {other:?}"),
        }
    }
}

// ---- property tests ----

/// Any IPv4 or IPv6 address.
pub fn any_ip() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(IpAddr::from),
        any::<[u8; 16]>().prop_map(IpAddr::from),
    ]
}

/// The round trip of a family payload `m`: `emit` writes `buffer_len` bytes that `parse` reads
/// back as `m`, the same into an exact buffer, and a buffer one byte short is refused. Returns
/// the bytes.
pub fn check_emit_parse<M: Emit + PartialEq + Debug>(
    m: &M,
    parse: fn(&[u8]) -> Result<M, DecodeError>,
) -> Result<Vec<u8>, TestCaseError> {
    let bytes = m.to_vec().unwrap();
    prop_assert_eq!(bytes.len(), m.buffer_len());
    prop_assert_eq!(&parse(&bytes).unwrap(), m);
    let mut short = vec![0u8; bytes.len() - 1];
    prop_assert!(m.emit_to_slice(&mut short).is_err());
    let mut exact = vec![0u8; bytes.len()];
    prop_assert_eq!(m.emit_to_slice(&mut exact).unwrap(), bytes.len());
    prop_assert_eq!(&exact, &bytes);
    Ok(bytes)
}

/// `m` sent as a `msg_type` request with sequence number `seq` decodes from the datagram as
/// `want`, and the datagram re-encodes to the same bytes.
pub fn check_in_datagram(
    msg_type: u16,
    seq: u32,
    m: &dyn Emit,
    want: &Payload<'_>,
) -> Result<(), TestCaseError> {
    let mut b = Builder::new();
    b.message(msg_type, NlmsgFlags::REQUEST | NlmsgFlags::ACK, seq, 0, m)
        .unwrap();
    let d = b.into_vec();
    let msgs = decode_reply(&d).unwrap();
    prop_assert_eq!(&msgs[0].payload, want);
    prop_assert_eq!(encode(&msgs), d);
    Ok(())
}

/// Whatever `parse` accepts of the bytes `p` re-encodes to bytes that parse to the same value.
pub fn check_reparse<M: Emit + PartialEq + Debug>(
    p: &[u8],
    parse: fn(&[u8]) -> Result<M, DecodeError>,
) -> Result<(), TestCaseError> {
    if let Ok(m) = parse(p) {
        let again = m.to_vec().unwrap();
        prop_assert_eq!(parse(&again).unwrap(), m);
    }
    Ok(())
}
