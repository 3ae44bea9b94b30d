//! Address codec: kernel-captured fixtures decoded and re-encoded, every prefix rejected,
//! malformed payloads, and property tests.

use crate::common;
use common::golden::{
    any_ip, assert_every_prefix_fails, assert_wrong_sizes_named, check_emit_parse,
    check_in_datagram, check_reparse, decode_reply, encode,
};
use common::ip;
use netplumb::wire::addr::*;
use netplumb::wire::message::{Message, Payload};
use netplumb::wire::nlmsg::{NLMSG_DONE, RTM_NEWADDR};
use netplumb::wire::{
    Builder, DecodeError, Emit, NlmsgFlags, UnknownAttr,
    attr::{NLA_F_NESTED, NLA_F_NET_BYTEORDER},
};
use proptest::prelude::*;

fn fixture(name: &str) -> Vec<u8> {
    common::golden::fixture(&format!("addr/{name}"))
}

fn addresses<'m>(msgs: &'m [Message<'_>]) -> Vec<&'m AddressMessage> {
    msgs.iter()
        .filter_map(|m| match &m.payload {
            Payload::Address(a) => Some(a),
            _ => None,
        })
        .collect()
}

const FIXTURES: &[&str] = &[
    "dump_all.hex",
    "request_add_peer_label.hex",
    "request_add_v6_lifetimes.hex",
];

#[test]
fn every_fixture_re_encodes_to_identical_bytes() {
    for name in FIXTURES {
        let d = fixture(name);
        let msgs = decode_reply(&d).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(encode(&msgs), d, "{name}");
        for m in addresses(&msgs) {
            let bytes = m.to_vec().unwrap();
            assert_eq!(bytes.len(), m.buffer_len(), "{name}");
            // The zero-copy view agrees with the owned value.
            let view = AddressMessageBuffer::new_checked(&bytes[..]).unwrap();
            assert_eq!(view.header(), m.header);
            assert_eq!(view.attrs().count(), m.attrs.len());
        }
    }
}

#[test]
fn every_prefix_of_every_fixture_is_an_error() {
    for name in FIXTURES {
        assert_every_prefix_fails(name, &fixture(name));
    }
}

#[test]
fn dump_of_both_families() {
    let d = fixture("dump_all.hex");
    let msgs = decode_reply(&d).unwrap();
    assert_eq!(msgs.len(), 5);
    for m in &msgs {
        assert_eq!(m.header.flags, NlmsgFlags::MULTI);
        assert_eq!(m.header.sequence_number, 1);
    }
    assert_eq!(msgs[4].header.message_type, NLMSG_DONE);
    let a = addresses(&msgs);

    // ip addr add 198.18.0.1/24 dev veth0
    assert_eq!(a[0].header.family, 2);
    assert_eq!(a[0].header.index, 3);
    assert_eq!(a[0].header.scope, Scope::UNIVERSE);
    assert_eq!(a[0].header.flags, AddrFlags::PERMANENT);
    assert_eq!(a[0].prefix(), Some((ip("198.18.0.1"), 24)));
    assert_eq!(a[0].local(), Some(ip("198.18.0.1")));
    assert_eq!(a[0].label(), Some("veth0"));
    assert_eq!(a[0].flags(), AddrFlags::PERMANENT);
    let ci = a[0].cacheinfo().unwrap();
    assert_eq!(
        (ci.preferred, ci.valid),
        (INFINITY_LIFE_TIME, INFINITY_LIFE_TIME)
    );
    assert_eq!(ci.created, ci.updated);

    // ip addr add 198.18.0.2/32 peer 198.18.1.1 dev veth0 label veth0:a
    assert_eq!(a[1].header.prefix_len, 32);
    assert_eq!(a[1].address(), Some(ip("198.18.1.1")));
    assert_eq!(a[1].local(), Some(ip("198.18.0.2")));
    assert_eq!(a[1].prefix(), Some((ip("198.18.1.1"), 32)));
    assert_eq!(a[1].label(), Some("veth0:a"));
    assert_eq!(
        a[1].attrs[..4],
        [
            AddressAttr::Address(ip("198.18.1.1")),
            AddressAttr::Local(ip("198.18.0.2")),
            AddressAttr::Label("veth0:a".into()),
            AddressAttr::Flags(AddrFlags::PERMANENT),
        ]
    );

    // ip addr add 2001:db8:1::1/64 dev veth0 valid_lft 300 preferred_lft 100 nodad
    assert_eq!(a[2].header.family, 10);
    assert_eq!(a[2].prefix(), Some((ip("2001:db8:1::1"), 64)));
    assert_eq!(a[2].local(), None);
    assert_eq!(a[2].label(), None);
    assert_eq!(a[2].flags(), AddrFlags::NODAD);
    let ci = a[2].cacheinfo().unwrap();
    assert_eq!((ci.preferred, ci.valid), (100, 300));

    // ip addr add 2001:db8::1/64 dev veth0 nodad
    assert_eq!(a[3].prefix(), Some((ip("2001:db8::1"), 64)));
    assert_eq!(a[3].flags(), AddrFlags::NODAD | AddrFlags::PERMANENT);
    assert_eq!(a[3].cacheinfo().unwrap().valid, INFINITY_LIFE_TIME);
    assert_eq!(a[3].header.index, 3);
}

#[test]
fn request_with_peer_and_label_matches_a_built_message() {
    let d = fixture("request_add_peer_label.hex");
    let msgs = decode_reply(&d).unwrap();
    let (h, p) = (&msgs[0].header, &msgs[0].payload);
    assert_eq!(h.message_type, RTM_NEWADDR);
    assert_eq!(
        h.flags,
        NlmsgFlags::REQUEST | NlmsgFlags::ACK | NlmsgFlags::EXCL | NlmsgFlags::CREATE
    );
    let mut built = AddressMessage::new(3, ip("198.18.0.2"), 32)
        .with_attr(AddressAttr::Label("veth0:a".into()));
    built.attrs[1] = AddressAttr::Address(ip("198.18.1.1"));
    assert_eq!(p, &Payload::Address(built.clone()));
    assert_eq!(built.to_vec().unwrap(), d[16..]);
}

#[test]
fn request_with_lifetimes_matches_a_built_message() {
    let d = fixture("request_add_v6_lifetimes.hex");
    let msgs = decode_reply(&d).unwrap();
    let built = AddressMessage::new(3, ip("2001:db8:1::1"), 64)
        .with_flags(AddrFlags::NODAD)
        .with_attr(AddressAttr::CacheInfo(AddressCacheInfo::lifetimes(
            300, 100,
        )));
    assert_eq!(msgs[0].payload, Payload::Address(built.clone()));
    assert_eq!(built.to_vec().unwrap(), d[16..]);
}

#[test]
fn short_ifaddrmsg_is_truncated() {
    for n in 0..IFADDRMSG_LEN {
        let want = DecodeError::Truncated {
            what: "ifaddrmsg",
            offset: 0,
            need: 8,
            have: n,
        };
        assert_eq!(AddressMessage::parse(&vec![2; n]), Err(want.clone()));
        assert_eq!(
            AddressMessageBuffer::new_checked(vec![2; n]).err(),
            Some(want)
        );
    }
    assert!(AddressMessage::parse(&[2; 8]).unwrap().attrs.is_empty());
}

/// `ifaddrmsg`: AF_INET, /24, index 3.
const HEADER: [u8; 8] = [2, 24, 0, 0, 3, 0, 0, 0];

fn payload_with(kind: u16, value: &[u8]) -> Vec<u8> {
    common::golden::payload_with(&HEADER, kind, value)
}

#[test]
fn wrong_sized_attributes_name_the_attribute() {
    let cases: &[(u16, usize, &str)] = &[
        (IFA_ADDRESS, 5, "IFA_ADDRESS"),
        (IFA_ADDRESS, 0, "IFA_ADDRESS"),
        (IFA_LOCAL, 3, "IFA_LOCAL"),
        (IFA_LOCAL, 17, "IFA_LOCAL"),
        (IFA_BROADCAST, 6, "IFA_BROADCAST"),
        (IFA_ANYCAST, 8, "IFA_ANYCAST"),
        (IFA_MULTICAST, 15, "IFA_MULTICAST"),
        (IFA_CACHEINFO, 12, "IFA_CACHEINFO"),
        (IFA_CACHEINFO, 20, "IFA_CACHEINFO"),
        (IFA_FLAGS, 1, "IFA_FLAGS"),
        (IFA_RT_PRIORITY, 8, "IFA_RT_PRIORITY"),
        (IFA_TARGET_NETNSID, 2, "IFA_TARGET_NETNSID"),
        (IFA_PROTO, 4, "IFA_PROTO"),
    ];
    assert_wrong_sizes_named(AddressMessage::parse, &HEADER, cases);
    // A label must be NUL-terminated UTF-8.
    for bad in [&b"veth0"[..], b"\xff\0"] {
        assert!(matches!(
            AddressMessage::parse(&payload_with(IFA_LABEL, bad)),
            Err(DecodeError::BadAttr {
                name: "IFA_LABEL",
                offset: 8,
                ..
            })
        ));
    }
}

#[test]
fn wrong_sized_attribute_offset_is_absolute_in_a_datagram() {
    let mut b = Builder::new();
    let p = payload_with(IFA_ADDRESS, &[198, 18, 0, 1, 0]);
    b.message(RTM_NEWADDR, NlmsgFlags::REQUEST, 1, 0, &p.as_slice())
        .unwrap();
    let e = decode_reply(b.as_bytes()).unwrap_err();
    assert_eq!(
        e,
        DecodeError::BadAttr {
            name: "IFA_ADDRESS",
            offset: 16 + 8,
            reason: "address of neither 4 nor 16 bytes"
        }
    );
    assert!(e.to_string().contains("IFA_ADDRESS"));
}

#[test]
fn bad_nla_len_is_reported_where_it_is() {
    let mut p = payload_with(IFA_LOCAL, &[198, 18, 0, 1]);
    for bad in [0u16, 1, 3, 9, 200] {
        p[8..10].copy_from_slice(&bad.to_ne_bytes());
        assert_eq!(
            AddressMessage::parse(&p),
            Err(DecodeError::BadAttrLen {
                offset: 8,
                len: bad as usize,
                left: 8
            }),
            "nla_len {bad}"
        );
    }
    // Two bytes left after the header: not even an attribute header.
    let mut p = payload_with(IFA_LOCAL, &[198, 18, 0, 1]);
    p.extend([4, 0]);
    assert!(matches!(
        AddressMessage::parse(&p),
        Err(DecodeError::Truncated {
            what: "nlattr",
            offset: 16,
            ..
        })
    ));
}

#[test]
fn unknown_attributes_and_flag_bits_survive() {
    let mut b = Builder::new();
    b.put(&[10, 64, 0, 253, 9, 0, 0, 0]).unwrap();
    b.attr(200, &[1, 2, 3]).unwrap();
    b.attr(IFA_ADDRESS | NLA_F_NET_BYTEORDER, &[0; 16]).unwrap();
    b.attr(IFA_FLAGS | NLA_F_NESTED, &[]).unwrap();
    b.attr_u8(IFA_PROTO, IFAPROT_KERNEL_LL).unwrap();
    let m = AddressMessage::parse(b.as_bytes()).unwrap();
    assert_eq!(
        m.attrs[..3],
        [
            AddressAttr::Unknown(UnknownAttr {
                kind: 200,
                value: vec![1, 2, 3]
            }),
            AddressAttr::Unknown(UnknownAttr {
                kind: IFA_ADDRESS | NLA_F_NET_BYTEORDER,
                value: vec![0; 16]
            }),
            AddressAttr::Unknown(UnknownAttr {
                kind: IFA_FLAGS | NLA_F_NESTED,
                value: vec![]
            }),
        ]
    );
    assert_eq!(m.attrs[3], AddressAttr::Proto(IFAPROT_KERNEL_LL));
    assert_eq!(m.header.scope, Scope::LINK);
    assert_eq!(m.address(), None);
    assert_eq!(m.to_vec().unwrap(), b.as_bytes());
}

// ---- property tests ----

fn any_attr() -> impl Strategy<Value = AddressAttr> {
    use AddressAttr::*;
    // Unknown kinds: anything that is not a known kind written without flag bits.
    let unknown = (
        any::<u16>().prop_filter("known kind", |k| !(1..=11).contains(k)),
        proptest::collection::vec(any::<u8>(), 0..24),
    )
        .prop_map(|(kind, value)| Unknown(UnknownAttr { kind, value }));
    prop_oneof![
        any_ip().prop_map(Address),
        any_ip().prop_map(Local),
        "[a-z0-9:._-]{0,15}".prop_map(Label),
        any_ip().prop_map(Broadcast),
        any_ip().prop_map(Anycast),
        any::<[u32; 4]>().prop_map(|[p, v, c, t]| CacheInfo(AddressCacheInfo {
            preferred: p,
            valid: v,
            created: c,
            updated: t
        })),
        any_ip().prop_map(Multicast),
        any::<u32>().prop_map(|f| Flags(AddrFlags::from_bits_retain(f))),
        any::<u32>().prop_map(RtPriority),
        any::<i32>().prop_map(TargetNetnsId),
        any::<u8>().prop_map(Proto),
        unknown,
    ]
}

fn any_message() -> impl Strategy<Value = AddressMessage> {
    (
        any::<(u8, u8, u8, u8, u32)>(),
        proptest::collection::vec(any_attr(), 0..8),
    )
        .prop_map(
            |((family, prefix_len, flags, scope, index), attrs)| AddressMessage {
                header: AddressHeader {
                    family,
                    prefix_len,
                    flags: AddrFlags::from_bits_retain(flags.into()),
                    scope: Scope(scope),
                    index,
                },
                attrs,
            },
        )
}

proptest! {
    #[test]
    fn parse_emit_round_trip(m in any_message()) {
        check_emit_parse(&m, AddressMessage::parse)?;
    }

    #[test]
    fn round_trip_inside_a_datagram(m in any_message(), seq in any::<u32>()) {
        check_in_datagram(RTM_NEWADDR, seq, &m, &Payload::Address(m.clone()))?;
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_reparse_stably(p in proptest::collection::vec(any::<u8>(), 0..96)) {
        check_reparse(&p, AddressMessage::parse)?;
    }
}
