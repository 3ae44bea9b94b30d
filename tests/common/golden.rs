//! What the golden codec tests (tests/golden_*.rs) share: reading a fixture, decoding a
//! datagram into [`Message`]s with the crate's own dispatcher, encoding them back, and the
//! "every prefix is an error" check.

use netplumb::wire::message::Message;
use netplumb::wire::nlmsg::{NLMSG_DONE, NLMSG_HDR_LEN};
use netplumb::wire::{Builder, DecodeError, NlmsgFlags, hex};

/// The bytes of `tests/fixtures/<path>` (annotated hex).
pub fn fixture(path: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    hex::parse(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
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
