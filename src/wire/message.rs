//! One rtnetlink or nfnetlink message of any family: the header plus a payload decoded by the
//! codec of its message type. What `netplumb decode`, the fuzz targets and tests use to walk a
//! datagram.
//!
//! nfnetlink's batch markers (types 16 and 17) share their numbers with `RTM_NEWLINK` and
//! `RTM_DELLINK`, so the protocol is decided once per datagram ([`Protocol::detect`], see
//! [`super::nft::is_nfnetlink`]) and can be forced with [`Message::decode_datagram_as`].

use super::addr::AddressMessage;
use super::link::LinkMessage;
use super::neigh::NeighMessage;
use super::nft::NftMessage;
use super::nlmsg::*;
use super::nsid::NsidMessage;
use super::route::RouteMessage;
use super::rule::RuleMessage;
use super::{Builder, DecodeError, DoneMessage, Emit, EncodeError, ErrorMessage, Messages};

/// A decoded payload, by family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload<'a> {
    /// RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK, RTM_SETLINK.
    Link(LinkMessage),
    /// RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR.
    Address(AddressMessage),
    /// RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE.
    Route(RouteMessage),
    /// RTM_NEWNEIGH, RTM_DELNEIGH, RTM_GETNEIGH.
    Neigh(NeighMessage),
    /// RTM_NEWNSID, RTM_DELNSID, RTM_GETNSID.
    Nsid(NsidMessage),
    /// RTM_NEWRULE, RTM_DELRULE, RTM_GETRULE.
    Rule(RuleMessage),
    /// nf_tables messages and the nfnetlink batch markers (in an nfnetlink datagram).
    Nft(NftMessage),
    /// NLMSG_ERROR: an acknowledgement or an error.
    Error(ErrorMessage<'a>),
    /// NLMSG_DONE: the end of a dump.
    Done(DoneMessage<'a>),
    /// Any other type (NLMSG_NOOP, qdiscs, nfnetlink subsystems other than nf_tables,
    /// ...), kept as bytes.
    Other(&'a [u8]),
}

/// A netlink protocol (family): the third argument of
/// `socket(AF_NETLINK, SOCK_RAW, protocol)`, and which message types a datagram carries.
/// The one type for both: [`crate::socket::Protocol`] is this.
///
/// ```
/// use netplumb::socket::Protocol;
/// assert_eq!(Protocol::default(), Protocol::Route);
/// assert_eq!(Protocol::Route.as_raw(), 0); // NETLINK_ROUTE
/// assert_eq!(Protocol::Netfilter.as_raw(), 12); // NETLINK_NETFILTER
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Protocol {
    /// `NETLINK_ROUTE` (rtnetlink): links, addresses, routes, neighbours, rules, ...;
    /// `RTM_*` types.
    #[default]
    Route,
    /// `NETLINK_NETFILTER` (nfnetlink): nf_tables, conntrack, ...; the subsystem in the
    /// high byte of the type, batch markers at 16 and 17.
    Netfilter,
}

impl Protocol {
    /// The `NETLINK_*` number.
    pub fn as_raw(self) -> i32 {
        match self {
            Protocol::Route => libc::NETLINK_ROUTE,
            Protocol::Netfilter => libc::NETLINK_NETFILTER,
        }
    }

    /// The uapi name (`"NETLINK_ROUTE"`).
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Route => "NETLINK_ROUTE",
            Protocol::Netfilter => "NETLINK_NETFILTER",
        }
    }

    /// The protocol of `datagram`, judged from all of it (see
    /// [`super::nft::is_nfnetlink`]); rtnetlink when nothing says nfnetlink.
    pub fn detect(datagram: &[u8]) -> Protocol {
        if super::nft::is_nfnetlink(datagram) {
            Protocol::Netfilter
        } else {
            Protocol::Route
        }
    }

    /// The uapi name of message type `kind` in this protocol (`"RTM_NEWLINK"`,
    /// `"NFNL_MSG_BATCH_BEGIN"`, `"NFT_MSG_NEWRULE"`, `"NLMSG_ERROR"`).
    pub fn message_type_name(self, kind: u16) -> Option<&'static str> {
        match self {
            Protocol::Route => message_type_name(kind),
            Protocol::Netfilter if kind < 16 => message_type_name(kind),
            Protocol::Netfilter => super::nft::message_type_name(kind),
        }
    }
}

/// A message: its header and decoded payload.
///
/// ```
/// use netplumb::wire::message::{Message, Payload};
/// // NLMSG_DONE, status 0.
/// let d = [20, 0, 0, 0, 3, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
/// let m: Vec<Message> = Message::decode_datagram(&d).collect::<Result<_, _>>().unwrap();
/// assert!(matches!(m[0].payload, Payload::Done(ref done) if done.error == 0));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message<'a> {
    /// The `nlmsghdr`.
    pub header: NlmsgHeader,
    /// The payload, decoded by its type.
    pub payload: Payload<'a>,
}

impl<'a> Message<'a> {
    /// Decodes one message, its protocol detected from the message alone; error offsets
    /// count from the start of the message.
    pub fn parse(msg: NlmsgBuffer<&'a [u8]>) -> Result<Self, DecodeError> {
        let protocol = Protocol::detect(msg.bytes());
        Self::parse_as(msg, protocol)
    }

    /// Decodes one message of `protocol`; error offsets count from the start of the message.
    pub fn parse_as(msg: NlmsgBuffer<&'a [u8]>, protocol: Protocol) -> Result<Self, DecodeError> {
        if protocol == Protocol::Netfilter {
            return Self::parse_nfnetlink(msg);
        }
        let header = msg.header();
        let flags = header.flags;
        let payload: &'a [u8] = msg.into_inner();
        let body = payload
            .get(NLMSG_HDR_LEN..header.length as usize)
            .unwrap_or(&[]);
        let at = |e: DecodeError| e.shift(NLMSG_HDR_LEN);
        let payload = match header.message_type {
            RTM_NEWLINK | RTM_DELLINK | RTM_GETLINK | RTM_SETLINK => {
                Payload::Link(LinkMessage::parse(body).map_err(at)?)
            }
            RTM_NEWADDR | RTM_DELADDR | RTM_GETADDR => {
                Payload::Address(AddressMessage::parse(body).map_err(at)?)
            }
            RTM_NEWROUTE | RTM_DELROUTE | RTM_GETROUTE => {
                Payload::Route(RouteMessage::parse(body).map_err(at)?)
            }
            RTM_NEWNEIGH | RTM_DELNEIGH | RTM_GETNEIGH => {
                Payload::Neigh(NeighMessage::parse(body).map_err(at)?)
            }
            RTM_NEWNSID | RTM_DELNSID | RTM_GETNSID => {
                Payload::Nsid(NsidMessage::parse(body).map_err(at)?)
            }
            RTM_NEWRULE | RTM_DELRULE | RTM_GETRULE => {
                Payload::Rule(RuleMessage::parse(body).map_err(at)?)
            }
            NLMSG_ERROR => Payload::Error(ErrorMessage::parse(body, flags).map_err(at)?),
            NLMSG_DONE => Payload::Done(DoneMessage::parse(body, flags).map_err(at)?),
            _ => Payload::Other(body),
        };
        Ok(Message { header, payload })
    }

    fn parse_nfnetlink(msg: NlmsgBuffer<&'a [u8]>) -> Result<Self, DecodeError> {
        let header = msg.header();
        let flags = header.flags;
        let body: &'a [u8] = msg
            .into_inner()
            .get(NLMSG_HDR_LEN..header.length as usize)
            .unwrap_or(&[]);
        let at = |e: DecodeError| e.shift(NLMSG_HDR_LEN);
        let payload = match header.message_type {
            NLMSG_ERROR => Payload::Error(ErrorMessage::parse(body, flags).map_err(at)?),
            NLMSG_DONE => Payload::Done(DoneMessage::parse(body, flags).map_err(at)?),
            t if NftMessage::handles(t) => Payload::Nft(NftMessage::parse(t, body).map_err(at)?),
            _ => Payload::Other(body),
        };
        Ok(Message { header, payload })
    }

    /// Decodes every message of a datagram, rtnetlink or nfnetlink as
    /// [`Protocol::detect`] judges it; error offsets count from the start of the datagram.
    /// Iteration ends after the first error.
    pub fn decode_datagram(datagram: &'a [u8]) -> impl Iterator<Item = Result<Self, DecodeError>> {
        Self::decode_datagram_as(datagram, Protocol::detect(datagram))
    }

    /// [`Message::decode_datagram`] with the protocol given rather than detected.
    pub fn decode_datagram_as(
        datagram: &'a [u8],
        protocol: Protocol,
    ) -> impl Iterator<Item = Result<Self, DecodeError>> {
        let mut failed = false;
        Messages::new(datagram).map_while(move |r| {
            if failed {
                return None;
            }
            let r = r.and_then(|(at, m)| Message::parse_as(m, protocol).map_err(|e| e.shift(at)));
            failed = r.is_err();
            Some(r)
        })
    }

    /// Appends the whole message, header included; `nlmsg_len` is recomputed.
    pub fn emit(&self, b: &mut Builder<'_>) -> Result<(), EncodeError> {
        let h = &self.header;
        let body: &dyn Emit = match &self.payload {
            Payload::Link(m) => m,
            Payload::Address(m) => m,
            Payload::Route(m) => m,
            Payload::Neigh(m) => m,
            Payload::Nsid(m) => m,
            Payload::Rule(m) => m,
            Payload::Nft(m) => m,
            Payload::Error(m) => m,
            Payload::Done(m) => m,
            Payload::Other(bytes) => bytes,
        };
        b.message(
            h.message_type,
            h.flags,
            h.sequence_number,
            h.port_number,
            body,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispatches_by_type_and_round_trips() {
        let mut b = Builder::new();
        let link = LinkMessage::new(3);
        b.message(RTM_NEWLINK, NlmsgFlags::MULTI, 1, 0, &link)
            .unwrap();
        b.message(40, NlmsgFlags::MULTI, 1, 0, &&[1u8, 2, 3, 4][..])
            .unwrap();
        b.message(
            NLMSG_DONE,
            NlmsgFlags::MULTI,
            1,
            0,
            &&0i32.to_ne_bytes()[..],
        )
        .unwrap();
        let d = b.into_vec();
        let msgs: Vec<_> = Message::decode_datagram(&d)
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(matches!(&msgs[0].payload, Payload::Link(l) if l.index() == 3));
        assert!(matches!(msgs[1].payload, Payload::Other(&[1, 2, 3, 4])));
        assert!(matches!(msgs[2].payload, Payload::Done(_)));
        let mut again = Builder::new();
        for m in &msgs {
            m.emit(&mut again).unwrap();
        }
        assert_eq!(again.as_bytes(), &d[..]);
    }

    #[test]
    fn payload_error_offsets_are_from_the_datagram() {
        let mut b = Builder::new();
        b.message(RTM_NEWLINK, NlmsgFlags::MULTI, 1, 0, &LinkMessage::new(1))
            .unwrap();
        // A second link message whose ifinfomsg is cut short.
        b.message(RTM_NEWLINK, NlmsgFlags::MULTI, 1, 0, &&[0u8; 8][..])
            .unwrap();
        let d = b.into_vec();
        let r: Vec<_> = Message::decode_datagram(&d).collect();
        assert_eq!(r.len(), 2);
        let e = r[1].as_ref().unwrap_err();
        assert!(matches!(e, DecodeError::Truncated { .. }), "{e}");
        assert_eq!(e.offset(), 32 + 16);
    }
}
