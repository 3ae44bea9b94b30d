//! Namespace-id codec: kernel-captured replies and an `ip` request decoded and re-encoded,
//! every prefix rejected, and property tests.

use crate::common;
use common::golden::{
    assert_every_prefix_fails, check_emit_parse, check_in_datagram, check_reparse, decode_reply,
    encode,
};
use netplumb::wire::message::{Message, Payload};
use netplumb::wire::nlmsg::{NLMSG_DONE, RTM_NEWNSID};
use netplumb::wire::nsid::*;
use netplumb::wire::{NlmsgFlags, UnknownAttr};
use proptest::prelude::*;

fn fixture(name: &str) -> Vec<u8> {
    common::golden::fixture(&format!("nsid/{name}"))
}

fn nsids<'m>(msgs: &'m [Message<'_>]) -> Vec<&'m NsidMessage> {
    msgs.iter()
        .filter_map(|m| match &m.payload {
            Payload::Nsid(n) => Some(n),
            _ => None,
        })
        .collect()
}

const FIXTURES: &[&str] = &[
    "dump.hex",
    "get_reply_assigned.hex",
    "get_reply_unassigned.hex",
    "request_set.hex",
];

#[test]
fn every_fixture_decodes_and_re_encodes_byte_for_byte() {
    for name in FIXTURES {
        let d = fixture(name);
        let msgs = decode_reply(&d).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!nsids(&msgs).is_empty(), "{name}");
        assert_eq!(encode(&msgs), d, "{name}");
    }
}

#[test]
fn every_prefix_of_every_fixture_fails() {
    for name in FIXTURES {
        assert_every_prefix_fails(name, &fixture(name));
    }
}

#[test]
fn the_dump_lists_the_ids_ip_set() {
    let d = fixture("dump.hex");
    let msgs = decode_reply(&d).unwrap();
    let ids: Vec<_> = nsids(&msgs).iter().map(|m| m.nsid()).collect();
    assert_eq!(ids, [Some(3), Some(7)]);
    assert_eq!(msgs.last().unwrap().header.message_type, NLMSG_DONE);
    for m in nsids(&msgs) {
        assert_eq!((m.family, m.attrs.len()), (0, 1));
    }
}

#[test]
fn answers_read_as_assigned_or_not() {
    let d = fixture("get_reply_assigned.hex");
    let m = decode_reply(&d).unwrap();
    assert_eq!(nsids(&m)[0].attrs, [NsidAttr::Nsid(7)]);
    assert_eq!(nsids(&m)[0].nsid(), Some(7));
    let d = fixture("get_reply_unassigned.hex");
    let m = decode_reply(&d).unwrap();
    assert_eq!(
        nsids(&m)[0].attrs,
        [NsidAttr::Nsid(NETNSA_NSID_NOT_ASSIGNED)]
    );
    assert_eq!(nsids(&m)[0].nsid(), None);
}

#[test]
fn the_request_ip_sends_is_what_the_builder_writes() {
    let d = fixture("request_set.hex");
    let msgs = decode_reply(&d).unwrap();
    let want = NsidMessage::new()
        .with(NsidAttr::Fd(6))
        .with(NsidAttr::Nsid(3));
    assert_eq!(nsids(&msgs), [&want]);
    assert_eq!(msgs[0].header.flags, NlmsgFlags::REQUEST | NlmsgFlags::ACK);
    let mut b = netplumb::wire::Builder::new();
    b.message(
        RTM_NEWNSID,
        msgs[0].header.flags,
        msgs[0].header.sequence_number,
        0,
        &want,
    )
    .unwrap();
    assert_eq!(b.into_vec(), d);
}

fn any_attr() -> impl Strategy<Value = NsidAttr> {
    prop_oneof![
        any::<i32>().prop_map(NsidAttr::Nsid),
        any::<u32>().prop_map(NsidAttr::Pid),
        any::<u32>().prop_map(NsidAttr::Fd),
        any::<i32>().prop_map(NsidAttr::TargetNsid),
        any::<i32>().prop_map(NsidAttr::CurrentNsid),
        (6u16..0x7fff, proptest::collection::vec(any::<u8>(), 0..12))
            .prop_map(|(kind, value)| NsidAttr::Unknown(UnknownAttr { kind, value })),
    ]
}

proptest! {
    #[test]
    fn any_message_round_trips(family in any::<u8>(), attrs in proptest::collection::vec(any_attr(), 0..6)) {
        let m = NsidMessage { family, attrs };
        check_emit_parse(&m, NsidMessage::parse)?;
        check_in_datagram(RTM_NEWNSID, 9, &m, &Payload::Nsid(m.clone()))?;
    }

    #[test]
    fn any_bytes_decode_or_fail_and_re_encode_stably(p in proptest::collection::vec(any::<u8>(), 0..64)) {
        check_reparse(&p, NsidMessage::parse)?;
    }
}
