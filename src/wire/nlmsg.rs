//! The netlink message header (`struct nlmsghdr`), its flags and types, and an iterator over
//! the messages of one datagram.

use super::{DecodeError, align4, read_field};

/// `sizeof(struct nlmsghdr)`.
pub const NLMSG_HDR_LEN: usize = 16;

/// Byte ranges inside `struct nlmsghdr` (also read in the request an NLMSG_ERROR echoes).
pub(crate) mod field {
    use crate::wire::Field;
    /// `nlmsg_len` (u32).
    pub const LEN: Field = 0..4;
    /// `nlmsg_type` (u16).
    pub const TYPE: Field = 4..6;
    /// `nlmsg_flags` (u16).
    pub const FLAGS: Field = 6..8;
    /// `nlmsg_seq` (u32).
    pub const SEQ: Field = 8..12;
    /// `nlmsg_pid` (u32).
    pub const PID: Field = 12..16;
}

/// `NLMSG_NOOP`: nothing, to be skipped.
pub const NLMSG_NOOP: u16 = 1;
/// `NLMSG_ERROR`: an error or, with error 0, an acknowledgement.
pub const NLMSG_ERROR: u16 = 2;
/// `NLMSG_DONE`: the end of a multipart (dump) reply.
pub const NLMSG_DONE: u16 = 3;
/// `NLMSG_OVERRUN`: data lost (not sent by rtnetlink today).
pub const NLMSG_OVERRUN: u16 = 4;

/// `RTM_NEWLINK` (linux/rtnetlink.h).
pub const RTM_NEWLINK: u16 = 16;
/// `RTM_DELLINK` (linux/rtnetlink.h).
pub const RTM_DELLINK: u16 = 17;
/// `RTM_GETLINK` (linux/rtnetlink.h).
pub const RTM_GETLINK: u16 = 18;
/// `RTM_SETLINK` (linux/rtnetlink.h).
pub const RTM_SETLINK: u16 = 19;
/// `RTM_NEWADDR` (linux/rtnetlink.h).
pub const RTM_NEWADDR: u16 = 20;
/// `RTM_DELADDR` (linux/rtnetlink.h).
pub const RTM_DELADDR: u16 = 21;
/// `RTM_GETADDR` (linux/rtnetlink.h).
pub const RTM_GETADDR: u16 = 22;
/// `RTM_NEWROUTE` (linux/rtnetlink.h).
pub const RTM_NEWROUTE: u16 = 24;
/// `RTM_DELROUTE` (linux/rtnetlink.h).
pub const RTM_DELROUTE: u16 = 25;
/// `RTM_GETROUTE` (linux/rtnetlink.h).
pub const RTM_GETROUTE: u16 = 26;
/// `RTM_NEWNEIGH` (linux/rtnetlink.h).
pub const RTM_NEWNEIGH: u16 = 28;
/// `RTM_DELNEIGH` (linux/rtnetlink.h).
pub const RTM_DELNEIGH: u16 = 29;
/// `RTM_GETNEIGH` (linux/rtnetlink.h).
pub const RTM_GETNEIGH: u16 = 30;
/// `RTM_NEWRULE` (linux/rtnetlink.h).
pub const RTM_NEWRULE: u16 = 32;
/// `RTM_DELRULE` (linux/rtnetlink.h).
pub const RTM_DELRULE: u16 = 33;
/// `RTM_GETRULE` (linux/rtnetlink.h).
pub const RTM_GETRULE: u16 = 34;
/// `RTM_NEWQDISC` (linux/rtnetlink.h).
pub const RTM_NEWQDISC: u16 = 36;
/// `RTM_DELQDISC` (linux/rtnetlink.h).
pub const RTM_DELQDISC: u16 = 37;
/// `RTM_GETQDISC` (linux/rtnetlink.h).
pub const RTM_GETQDISC: u16 = 38;
/// `RTM_NEWNSID` (linux/rtnetlink.h).
pub const RTM_NEWNSID: u16 = 88;
/// `RTM_DELNSID` (linux/rtnetlink.h).
pub const RTM_DELNSID: u16 = 89;
/// `RTM_GETNSID` (linux/rtnetlink.h).
pub const RTM_GETNSID: u16 = 90;

/// The uapi name of a message type, for diagnostics (`"RTM_NEWLINK"`).
pub fn message_type_name(kind: u16) -> Option<&'static str> {
    Some(match kind {
        NLMSG_NOOP => "NLMSG_NOOP",
        NLMSG_ERROR => "NLMSG_ERROR",
        NLMSG_DONE => "NLMSG_DONE",
        NLMSG_OVERRUN => "NLMSG_OVERRUN",
        RTM_NEWLINK => "RTM_NEWLINK",
        RTM_DELLINK => "RTM_DELLINK",
        RTM_GETLINK => "RTM_GETLINK",
        RTM_SETLINK => "RTM_SETLINK",
        RTM_NEWADDR => "RTM_NEWADDR",
        RTM_DELADDR => "RTM_DELADDR",
        RTM_GETADDR => "RTM_GETADDR",
        RTM_NEWROUTE => "RTM_NEWROUTE",
        RTM_DELROUTE => "RTM_DELROUTE",
        RTM_GETROUTE => "RTM_GETROUTE",
        RTM_NEWNEIGH => "RTM_NEWNEIGH",
        RTM_DELNEIGH => "RTM_DELNEIGH",
        RTM_GETNEIGH => "RTM_GETNEIGH",
        RTM_NEWRULE => "RTM_NEWRULE",
        RTM_DELRULE => "RTM_DELRULE",
        RTM_GETRULE => "RTM_GETRULE",
        RTM_NEWQDISC => "RTM_NEWQDISC",
        RTM_DELQDISC => "RTM_DELQDISC",
        RTM_GETQDISC => "RTM_GETQDISC",
        RTM_NEWNSID => "RTM_NEWNSID",
        RTM_DELNSID => "RTM_DELNSID",
        RTM_GETNSID => "RTM_GETNSID",
        _ => return None,
    })
}

bitflags::bitflags! {
    /// `nlmsg_flags`. Several names share a bit: which one applies depends on the message
    /// (GET requests use ROOT/MATCH/ATOMIC, NEW requests REPLACE/EXCL/CREATE/APPEND, and
    /// NLMSG_ERROR replies CAPPED/ACK_TLVS).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct NlmsgFlags: u16 {
        /// `NLM_F_REQUEST`: a request (every message we send).
        const REQUEST = 0x01;
        /// `NLM_F_MULTI`: part of a multipart reply, ended by NLMSG_DONE.
        const MULTI = 0x02;
        /// `NLM_F_ACK`: reply with an acknowledgement (NLMSG_ERROR with error 0).
        const ACK = 0x04;
        /// `NLM_F_ECHO`: echo this request back.
        const ECHO = 0x08;
        /// `NLM_F_DUMP_INTR`: the dump was inconsistent because the table changed.
        const DUMP_INTR = 0x10;
        /// `NLM_F_DUMP_FILTERED`: the kernel applied the request's filter.
        const DUMP_FILTERED = 0x20;
        /// `NLM_F_ROOT`: return the whole table (GET).
        const ROOT = 0x100;
        /// `NLM_F_MATCH`: return all matching entries (GET).
        const MATCH = 0x200;
        /// `NLM_F_ATOMIC`: atomic GET (obsolete).
        const ATOMIC = 0x400;
        /// `NLM_F_DUMP` = ROOT | MATCH.
        const DUMP = 0x300;
        /// `NLM_F_REPLACE`: replace an existing object (NEW).
        const REPLACE = 0x100;
        /// `NLM_F_EXCL`: fail if the object exists (NEW).
        const EXCL = 0x200;
        /// `NLM_F_CREATE`: create the object if missing (NEW).
        const CREATE = 0x400;
        /// `NLM_F_APPEND`: add to the end of the list (NEW).
        const APPEND = 0x800;
        /// `NLM_F_NONREC`: do not delete recursively (DEL).
        const NONREC = 0x100;
        /// `NLM_F_BULK`: delete several objects (DEL).
        const BULK = 0x200;
        /// `NLM_F_CAPPED`: the error's echoed request is only its header (ERROR).
        const CAPPED = 0x100;
        /// `NLM_F_ACK_TLVS`: extended-ack attributes follow (ERROR, DONE).
        const ACK_TLVS = 0x200;
        // Unknown bits are kept, so a flags value read from the wire is written back as is.
        const _ = !0;
    }
}

/// A view of one netlink message, header and payload, checked so that `nlmsg_len` lies
/// within the buffer.
#[derive(Debug, Clone, Copy)]
pub struct NlmsgBuffer<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> NlmsgBuffer<T> {
    /// Checks that `buffer` starts with a header whose `nlmsg_len` is at least the header size
    /// and no more than the buffer. Bytes past `nlmsg_len` are ignored (see [`Messages`] for
    /// walking a datagram).
    pub fn new_checked(buffer: T) -> Result<Self, DecodeError> {
        let b = buffer.as_ref();
        if b.len() < NLMSG_HDR_LEN {
            return Err(DecodeError::Truncated {
                what: "nlmsghdr",
                offset: 0,
                need: NLMSG_HDR_LEN,
                have: b.len(),
            });
        }
        let len = read_field::<u32>(b, field::LEN) as usize;
        if len < NLMSG_HDR_LEN {
            return Err(DecodeError::BadMessageLen {
                offset: 0,
                len,
                reason: "shorter than nlmsghdr",
            });
        }
        if len > b.len() {
            return Err(DecodeError::BadMessageLen {
                offset: 0,
                len,
                reason: "runs past the end of the buffer",
            });
        }
        Ok(NlmsgBuffer { buffer })
    }

    /// `nlmsg_len`: header plus payload.
    pub fn length(&self) -> u32 {
        read_field::<u32>(self.buffer.as_ref(), field::LEN)
    }
    /// `nlmsg_type`.
    pub fn message_type(&self) -> u16 {
        read_field::<u16>(self.buffer.as_ref(), field::TYPE)
    }
    /// `nlmsg_flags`, unknown bits kept.
    pub fn flags(&self) -> NlmsgFlags {
        NlmsgFlags::from_bits_retain(read_field::<u16>(self.buffer.as_ref(), field::FLAGS))
    }
    /// `nlmsg_seq`.
    pub fn sequence_number(&self) -> u32 {
        read_field::<u32>(self.buffer.as_ref(), field::SEQ)
    }
    /// `nlmsg_pid`: the sender's port id (0 for the kernel) or, in a reply, the requester's.
    pub fn port_number(&self) -> u32 {
        read_field::<u32>(self.buffer.as_ref(), field::PID)
    }
    /// The header as an owned value.
    pub fn header(&self) -> NlmsgHeader {
        NlmsgHeader {
            length: self.length(),
            message_type: self.message_type(),
            flags: self.flags(),
            sequence_number: self.sequence_number(),
            port_number: self.port_number(),
        }
    }
    /// The bytes after the header, up to `nlmsg_len`.
    pub fn payload(&self) -> &[u8] {
        let len = self.length() as usize;
        self.buffer.as_ref().get(NLMSG_HDR_LEN..len).unwrap_or(&[])
    }
    /// The whole message, header included, up to `nlmsg_len`.
    pub fn bytes(&self) -> &[u8] {
        let len = self.length() as usize;
        self.buffer.as_ref().get(..len).unwrap_or(&[])
    }
    /// The underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }
}

/// An owned `nlmsghdr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NlmsgHeader {
    /// `nlmsg_len`: header plus payload.
    pub length: u32,
    /// `nlmsg_type`.
    pub message_type: u16,
    /// `nlmsg_flags`.
    pub flags: NlmsgFlags,
    /// `nlmsg_seq`.
    pub sequence_number: u32,
    /// `nlmsg_pid`.
    pub port_number: u32,
}

impl NlmsgHeader {
    /// Reads a header from the first 16 bytes of `b` without checking `nlmsg_len` against the
    /// buffer (the echoed request inside an NLMSG_ERROR, for instance).
    pub fn parse(b: &[u8]) -> Result<Self, DecodeError> {
        if b.len() < NLMSG_HDR_LEN {
            return Err(DecodeError::Truncated {
                what: "nlmsghdr",
                offset: 0,
                need: NLMSG_HDR_LEN,
                have: b.len(),
            });
        }
        Ok(NlmsgHeader {
            length: read_field::<u32>(b, field::LEN),
            message_type: read_field::<u16>(b, field::TYPE),
            flags: NlmsgFlags::from_bits_retain(read_field::<u16>(b, field::FLAGS)),
            sequence_number: read_field::<u32>(b, field::SEQ),
            port_number: read_field::<u32>(b, field::PID),
        })
    }

    /// The 16 header bytes.
    pub fn to_bytes(&self) -> [u8; NLMSG_HDR_LEN] {
        let mut out = [0u8; NLMSG_HDR_LEN];
        for (dst, src) in out.iter_mut().zip(
            self.length
                .to_ne_bytes()
                .into_iter()
                .chain(self.message_type.to_ne_bytes())
                .chain(self.flags.bits().to_ne_bytes())
                .chain(self.sequence_number.to_ne_bytes())
                .chain(self.port_number.to_ne_bytes()),
        ) {
            *dst = src;
        }
        out
    }
}

/// Iterates over the messages packed in one datagram.
///
/// Each message starts at the 4-byte-aligned end of the previous one. A bad `nlmsg_len`, or
/// bytes after the last message that do not form a message, is reported once and ends the
/// iteration; the error's offset is from the start of the datagram.
///
/// ```
/// use netplumb::wire::Messages;
/// // One NLMSG_DONE with error 0.
/// let done = [20, 0, 0, 0, 3, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
/// let msgs: Vec<_> = Messages::new(&done).collect::<Result<_, _>>().unwrap();
/// assert_eq!(msgs.len(), 1);
/// assert_eq!(msgs[0].1.message_type(), 3);
/// ```
#[derive(Debug, Clone)]
pub struct Messages<'a> {
    buf: &'a [u8],
    pos: usize,
    done: bool,
}

impl<'a> Messages<'a> {
    /// Walks the messages in `datagram`.
    pub fn new(datagram: &'a [u8]) -> Self {
        Messages {
            buf: datagram,
            pos: 0,
            done: false,
        }
    }

    /// The offset of the next message in the datagram.
    pub fn position(&self) -> usize {
        self.pos
    }
}

impl<'a> Iterator for Messages<'a> {
    type Item = Result<(usize, NlmsgBuffer<&'a [u8]>), DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let rest = self.buf.get(self.pos..).unwrap_or(&[]);
        if rest.is_empty() {
            self.done = true;
            return None;
        }
        let at = self.pos;
        match NlmsgBuffer::new_checked(rest) {
            Ok(m) => {
                let len = m.length() as usize;
                self.pos = at.saturating_add(align4(len)).min(self.buf.len());
                let m = NlmsgBuffer::new_checked(rest.get(..len).unwrap_or(rest)).unwrap_or(m);
                Some(Ok((at, m)))
            }
            Err(e) => {
                self.done = true;
                let e = match e {
                    DecodeError::Truncated { have, .. } => DecodeError::BadMessageLen {
                        offset: 0,
                        len: have,
                        reason: "trailing bytes do not form a message",
                    },
                    other => other,
                };
                Some(Err(e.shift(at)))
            }
        }
    }
}

impl std::iter::FusedIterator for Messages<'_> {}

impl<'a> Messages<'a> {
    /// The messages without their offsets.
    pub fn views(self) -> impl Iterator<Item = Result<NlmsgBuffer<&'a [u8]>, DecodeError>> {
        self.map(|r| r.map(|(_, m)| m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(len: u32, kind: u16, extra: usize) -> Vec<u8> {
        let h = NlmsgHeader {
            length: len,
            message_type: kind,
            flags: NlmsgFlags::MULTI,
            sequence_number: 9,
            port_number: 0,
        };
        let mut v = h.to_bytes().to_vec();
        v.resize(16 + extra, 0xaa);
        v
    }

    #[test]
    fn header_offsets_match_struct_nlmsghdr() {
        let mut v = Vec::new();
        v.extend(20u32.to_ne_bytes()); // nlmsg_len
        v.extend(0x1234u16.to_ne_bytes()); // nlmsg_type
        v.extend(0x0305u16.to_ne_bytes()); // nlmsg_flags
        v.extend(0x0a0b_0c0du32.to_ne_bytes()); // nlmsg_seq
        v.extend(0x1112_1314u32.to_ne_bytes()); // nlmsg_pid
        v.extend([0xaa; 4]);
        let m = NlmsgBuffer::new_checked(&v[..]).unwrap();
        assert_eq!(m.length(), 20);
        assert_eq!(m.message_type(), 0x1234);
        assert_eq!(m.flags().bits(), 0x0305);
        assert_eq!(m.sequence_number(), 0x0a0b_0c0d);
        assert_eq!(m.port_number(), 0x1112_1314);
        assert_eq!(NlmsgHeader::parse(&v).unwrap(), m.header());
        assert_eq!(m.header().to_bytes(), v[..16]);
    }

    #[test]
    fn header_round_trips() {
        let v = msg(20, RTM_NEWLINK, 4);
        let m = NlmsgBuffer::new_checked(&v[..]).unwrap();
        assert_eq!(m.header().to_bytes(), v[..16]);
        assert_eq!(m.payload(), &[0xaa; 4]);
    }

    #[test]
    fn several_messages_per_datagram() {
        let mut d = msg(21, RTM_NEWLINK, 5);
        d.resize(24, 0);
        d.extend(msg(20, NLMSG_DONE, 4));
        let got: Vec<_> = Messages::new(&d).collect::<Result<_, _>>().unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0, 0);
        assert_eq!(got[1].0, 24);
        assert_eq!(got[0].1.payload().len(), 5);
        assert_eq!(got[1].1.message_type(), NLMSG_DONE);
    }

    #[test]
    fn short_lengths_are_errors() {
        for bad in [0u32, 1, 15] {
            let d = msg(bad, RTM_NEWLINK, 4);
            let r: Vec<_> = Messages::new(&d).collect();
            assert_eq!(r.len(), 1);
            assert!(
                matches!(r[0], Err(DecodeError::BadMessageLen { offset: 0, .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn length_past_buffer_is_an_error() {
        let d = msg(64, RTM_NEWLINK, 4);
        assert!(matches!(
            Messages::new(&d).next(),
            Some(Err(DecodeError::BadMessageLen { len: 64, .. }))
        ));
    }

    #[test]
    fn trailing_remnant_is_an_error_with_its_offset() {
        let mut d = msg(20, RTM_NEWLINK, 4);
        d.extend([1, 2, 3]);
        let r: Vec<_> = Messages::new(&d).collect();
        assert_eq!(r.len(), 2);
        assert!(r[0].is_ok());
        assert_eq!(r[1].as_ref().unwrap_err().offset(), 20);
    }

    #[test]
    fn flags_keep_unknown_bits() {
        let f = NlmsgFlags::from_bits_retain(0x8000 | 0x2);
        assert!(f.contains(NlmsgFlags::MULTI));
        assert_eq!(f.bits(), 0x8002);
        assert_eq!(NlmsgFlags::DUMP, NlmsgFlags::ROOT | NlmsgFlags::MATCH);
    }
}
