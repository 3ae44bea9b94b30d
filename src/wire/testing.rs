//! What the codec unit tests of every family share: attribute bytes, the round-trip check
//! and the check that a decode error names the attribute at its offset.

use super::{Builder, DecodeError, Emit};
use std::fmt::Debug;

/// One attribute, header and padding included, as bytes.
pub(crate) fn attr(kind: u16, value: &[u8]) -> Vec<u8> {
    let mut b = Builder::new();
    b.attr(kind, value).unwrap();
    b.into_vec()
}

/// Parses `payload` with `parse`, checks that the message writes back exactly `payload`
/// (and says so in `buffer_len`), and returns it.
#[track_caller]
pub(crate) fn round_trip<M: Emit + Debug>(
    payload: &[u8],
    parse: impl Fn(&[u8]) -> Result<M, DecodeError>,
) -> M {
    let m = parse(payload).unwrap();
    assert_eq!(m.to_vec().unwrap(), payload, "{m:?}");
    assert_eq!(m.buffer_len(), payload.len());
    m
}

/// Checks that `r` is a [`DecodeError::BadAttr`] naming `name` at `offset`; `what` says
/// which case failed.
#[track_caller]
pub(crate) fn assert_bad_attr<M: Debug>(
    r: Result<M, DecodeError>,
    name: &str,
    offset: usize,
    what: &str,
) {
    match r {
        Err(DecodeError::BadAttr {
            name: n, offset: o, ..
        }) => assert_eq!((n, o), (name, offset), "{what}"),
        other => panic!("{what}: {other:?}"),
    }
}
