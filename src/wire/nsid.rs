//! Namespace ids: `struct rtgenmsg` and the `NETNSA_*` attributes carried by
//! `RTM_NEWNSID`, `RTM_DELNSID` and `RTM_GETNSID` (linux/net_namespace.h).
//!
//! A namespace gives other namespaces small integer ids (what `IFLA_LINK_NETNSID` of a veth
//! whose peer lives elsewhere refers to). `RTM_GETNSID` with `NETNSA_FD` (or `NETNSA_PID`)
//! asks for the id of one namespace and is answered with an `RTM_NEWNSID` carrying
//! `NETNSA_NSID`, -1 when none is assigned; `RTM_NEWNSID` with both assigns one; a dump lists
//! every id assigned (`ip netns list-id`).
//!
//! ```
//! use netplumb::wire::{Emit, nsid::{NsidAttr, NsidMessage}};
//! // `ip netns set NAME 7`, with NAME's descriptor 5: RTM_NEWNSID.
//! let msg = NsidMessage::new().with(NsidAttr::Fd(5)).with(NsidAttr::Nsid(7));
//! let back = NsidMessage::parse(&msg.to_vec().unwrap()).unwrap();
//! assert_eq!(back.nsid(), Some(7));
//! ```

use super::attr::{Attr, UnknownAttr};
use super::builder::{Builder, attr_size};
use super::{DecodeError, Emit, EncodeError, byte, parse_attrs};

/// `NLMSG_ALIGN(sizeof(struct rtgenmsg))`: the family byte and three bytes of padding.
pub const RTGENMSG_LEN: usize = 4;

/// Byte offsets inside `struct rtgenmsg` (and its alignment padding).
mod field {
    /// `rtgen_family` (u8); the three bytes after it are padding, zero on write.
    pub const FAMILY: usize = 0;
}

/// `NETNSA_NONE`: never sent.
pub const NETNSA_NONE: u16 = 0;
/// `NETNSA_NSID`: the id (s32); -1 ([`NETNSA_NSID_NOT_ASSIGNED`]) in an answer means none.
pub const NETNSA_NSID: u16 = 1;
/// `NETNSA_PID`: names the namespace of a process (u32 pid).
pub const NETNSA_PID: u16 = 2;
/// `NETNSA_FD`: names the namespace of a descriptor (u32 fd of `/proc/PID/ns/net` or
/// `/run/netns/NAME`).
pub const NETNSA_FD: u16 = 3;
/// `NETNSA_TARGET_NSID`: asks about the namespace with this id here (s32).
pub const NETNSA_TARGET_NSID: u16 = 4;
/// `NETNSA_CURRENT_NSID`: in an answer to a request with a target, the id the target gives
/// the namespace that asked (s32).
pub const NETNSA_CURRENT_NSID: u16 = 5;

/// `NETNSA_NSID_NOT_ASSIGNED`: the value of `NETNSA_NSID` when no id is assigned.
pub const NETNSA_NSID_NOT_ASSIGNED: i32 = -1;

message_buffer! {
    /// A zero-copy view of a namespace-id message payload (`struct rtgenmsg` + attributes).
    NsidMessageBuffer, RTGENMSG_LEN, "rtgenmsg"
}

impl<T: AsRef<[u8]>> NsidMessageBuffer<T> {
    /// `rtgen_family` (`AF_UNSPEC` in every message the kernel sends).
    pub fn family(&self) -> u8 {
        byte(self.buffer.as_ref(), field::FAMILY)
    }
}

/// One `NETNSA_*` attribute.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NsidAttr {
    /// `NETNSA_NSID`.
    Nsid(i32),
    /// `NETNSA_PID`.
    Pid(u32),
    /// `NETNSA_FD`.
    Fd(u32),
    /// `NETNSA_TARGET_NSID`.
    TargetNsid(i32),
    /// `NETNSA_CURRENT_NSID`.
    CurrentNsid(i32),
    /// Any other attribute, kept as it came (re-encoded byte for byte).
    Unknown(UnknownAttr),
}

impl NsidAttr {
    /// Reads one attribute.
    pub fn parse(a: &Attr<'_>) -> Result<Self, DecodeError> {
        Ok(match a.raw_kind() {
            NETNSA_NSID => NsidAttr::Nsid(a.i32("NETNSA_NSID")?),
            NETNSA_PID => NsidAttr::Pid(a.u32("NETNSA_PID")?),
            NETNSA_FD => NsidAttr::Fd(a.u32("NETNSA_FD")?),
            NETNSA_TARGET_NSID => NsidAttr::TargetNsid(a.i32("NETNSA_TARGET_NSID")?),
            NETNSA_CURRENT_NSID => NsidAttr::CurrentNsid(a.i32("NETNSA_CURRENT_NSID")?),
            _ => NsidAttr::Unknown(a.to_unknown()),
        })
    }

    /// Bytes taken on the wire, padding included.
    pub fn buffer_len(&self) -> usize {
        match self {
            NsidAttr::Unknown(u) => u.buffer_len(),
            _ => attr_size(4),
        }
    }

    /// Appends the attribute.
    pub fn emit(&self, b: &mut Builder<'_>) -> Result<(), EncodeError> {
        match self {
            NsidAttr::Nsid(v) => b.attr_i32(NETNSA_NSID, *v),
            NsidAttr::Pid(v) => b.attr_u32(NETNSA_PID, *v),
            NsidAttr::Fd(v) => b.attr_u32(NETNSA_FD, *v),
            NsidAttr::TargetNsid(v) => b.attr_i32(NETNSA_TARGET_NSID, *v),
            NsidAttr::CurrentNsid(v) => b.attr_i32(NETNSA_CURRENT_NSID, *v),
            NsidAttr::Unknown(u) => u.emit(b),
        }
    }
}

/// An owned namespace-id message payload. The header's three padding bytes are written as
/// zero.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct NsidMessage {
    /// `rtgen_family`.
    pub family: u8,
    /// The attributes, in order.
    pub attrs: Vec<NsidAttr>,
}

impl NsidMessage {
    /// An empty message (`AF_UNSPEC`, no attributes): as a dump request, `ip netns list-id`.
    pub fn new() -> Self {
        NsidMessage::default()
    }

    /// Adds an attribute at the end.
    #[must_use]
    pub fn with(mut self, attr: NsidAttr) -> Self {
        self.attrs.push(attr);
        self
    }

    /// Reads a payload (the bytes after `nlmsghdr`). Offsets in errors count from its start.
    pub fn parse(payload: &[u8]) -> Result<Self, DecodeError> {
        let buf = NsidMessageBuffer::new_checked(payload)?;
        let attrs = parse_attrs(buf.attrs(), NsidAttr::parse)?;
        Ok(NsidMessage {
            family: buf.family(),
            attrs,
        })
    }

    fn find(&self, f: impl Fn(&NsidAttr) -> Option<i32>) -> Option<i32> {
        self.attrs.iter().find_map(f)
    }

    /// `NETNSA_NSID`, `None` when absent or -1 (not assigned).
    pub fn nsid(&self) -> Option<i32> {
        self.find(|a| match a {
            NsidAttr::Nsid(v) => Some(*v),
            _ => None,
        })
        .filter(|v| *v >= 0)
    }

    /// `NETNSA_CURRENT_NSID`, `None` when absent or -1 (not assigned).
    pub fn current_nsid(&self) -> Option<i32> {
        self.find(|a| match a {
            NsidAttr::CurrentNsid(v) => Some(*v),
            _ => None,
        })
        .filter(|v| *v >= 0)
    }
}

impl Emit for NsidMessage {
    fn buffer_len(&self) -> usize {
        RTGENMSG_LEN + self.attrs.iter().map(NsidAttr::buffer_len).sum::<usize>()
    }

    fn emit(&self, b: &mut Builder<'_>) -> Result<(), EncodeError> {
        b.put(&[self.family, 0, 0, 0])?;
        self.attrs.iter().try_for_each(|a| a.emit(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An `RTM_NEWNSID` payload as the kernel answers `RTM_GETNSID` with a target
    /// (`rtnl_net_fill`): family 0, three zero pad bytes, then `NETNSA_NSID` = 7 and
    /// `NETNSA_CURRENT_NSID` = -1 (each: len 8, type, s32 native-endian).
    fn answer() -> Vec<u8> {
        let mut p = vec![0, 0, 0, 0];
        p.extend(8u16.to_ne_bytes());
        p.extend(NETNSA_NSID.to_ne_bytes());
        p.extend(7i32.to_ne_bytes());
        p.extend(8u16.to_ne_bytes());
        p.extend(NETNSA_CURRENT_NSID.to_ne_bytes());
        p.extend((-1i32).to_ne_bytes());
        p
    }

    #[test]
    fn decodes_and_re_encodes_byte_for_byte() {
        let p = answer();
        let m = NsidMessage::parse(&p).unwrap();
        assert_eq!(
            m.attrs,
            [
                NsidAttr::Nsid(7),
                NsidAttr::CurrentNsid(NETNSA_NSID_NOT_ASSIGNED)
            ]
        );
        assert_eq!((m.nsid(), m.current_nsid()), (Some(7), None));
        assert_eq!(m.to_vec().unwrap(), p);
        let v = NsidMessageBuffer::new_checked(&p[..]).unwrap();
        assert_eq!(v.family(), 0);
        assert_eq!(v.attrs().count(), 2);
    }

    #[test]
    fn every_attribute_and_unknown_ones_round_trip() {
        let m = NsidMessage {
            family: 0,
            attrs: vec![
                NsidAttr::Pid(4242),
                NsidAttr::Fd(9),
                NsidAttr::TargetNsid(3),
                NsidAttr::Nsid(-1),
                NsidAttr::Unknown(UnknownAttr {
                    kind: 99,
                    value: vec![1, 2, 3],
                }),
            ],
        };
        let bytes = m.to_vec().unwrap();
        assert_eq!(bytes.len(), m.buffer_len());
        let back = NsidMessage::parse(&bytes).unwrap();
        assert_eq!(back, m);
        assert_eq!(back.nsid(), None);
        // The padding bytes of the header are written as zero whatever was read.
        let mut p = answer();
        p[1..4].copy_from_slice(&[0xaa, 0xbb, 0xcc]);
        assert_eq!(
            &NsidMessage::parse(&p).unwrap().to_vec().unwrap()[..4],
            [0; 4]
        );
    }

    #[test]
    fn malformed_payloads_are_errors_with_offsets() {
        let p = answer();
        for cut in 0..RTGENMSG_LEN {
            let e = NsidMessage::parse(&p[..cut]).unwrap_err();
            assert!(
                matches!(
                    e,
                    DecodeError::Truncated {
                        what: "rtgenmsg",
                        ..
                    }
                ),
                "{e}"
            );
        }
        // Every cut inside the attributes fails too, never panics.
        for cut in RTGENMSG_LEN + 1..p.len() {
            if cut == RTGENMSG_LEN + 8 {
                continue; // a whole first attribute
            }
            assert!(NsidMessage::parse(&p[..cut]).is_err(), "cut at {cut}");
        }
        // NETNSA_NSID must be 4 bytes.
        let mut short = vec![0, 0, 0, 0];
        short.extend(6u16.to_ne_bytes());
        short.extend(NETNSA_NSID.to_ne_bytes());
        short.extend([7, 0, 0, 0]);
        let e = NsidMessage::parse(&short).unwrap_err();
        assert_eq!(e.offset(), RTGENMSG_LEN);
        assert!(e.to_string().contains("NETNSA_NSID"), "{e}");
    }
}
