//! `NLMSG_ERROR` (acknowledgements and errors) and `NLMSG_DONE`, with extended ack.

use super::attr::AttrIter;
use super::nlmsg::{self, NLMSG_HDR_LEN, NlmsgFlags, NlmsgHeader};
use super::{Builder, DecodeError, Emit, EncodeError, align4, read_field};

/// Byte ranges inside `struct nlmsgerr` and the status of an `NLMSG_DONE`, which both start
/// with an `int`.
mod field {
    use crate::wire::Field;
    /// `error` (s32): 0, or a negative errno.
    pub const ERROR: Field = 0..4;
    /// `msg`: the echoed request's `nlmsghdr` (and, uncapped, its payload).
    pub const MSG: usize = 4;
    /// In an `NLMSG_DONE`: the extended-ack TLVs after the status.
    pub const TLVS: usize = 4;
}

/// `NLMSGERR_ATTR_MSG`: a human-readable message (string).
pub const NLMSGERR_ATTR_MSG: u16 = 1;
/// `NLMSGERR_ATTR_OFFS`: offset of the bad attribute in the request (u32).
pub const NLMSGERR_ATTR_OFFS: u16 = 2;
/// `NLMSGERR_ATTR_COOKIE`: an arbitrary cookie (bytes).
pub const NLMSGERR_ATTR_COOKIE: u16 = 3;
/// `NLMSGERR_ATTR_POLICY`: the policy of the rejected attribute (nest).
pub const NLMSGERR_ATTR_POLICY: u16 = 4;
/// `NLMSGERR_ATTR_MISS_TYPE`: type of a missing required attribute (u32).
pub const NLMSGERR_ATTR_MISS_TYPE: u16 = 5;
/// `NLMSGERR_ATTR_MISS_NEST`: offset of the nest that lacks it (u32).
pub const NLMSGERR_ATTR_MISS_NEST: u16 = 6;

/// The extended-ack attributes of an error or DONE message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtAck<'a> {
    /// `NLMSGERR_ATTR_MSG`, e.g. "Invalid prefix for given prefix length".
    pub message: Option<&'a str>,
    /// `NLMSGERR_ATTR_OFFS`: byte offset of the offending attribute in the request.
    pub bad_attr_offset: Option<u32>,
    /// `NLMSGERR_ATTR_MISS_TYPE`.
    pub missing_type: Option<u32>,
    /// `NLMSGERR_ATTR_MISS_NEST`.
    pub missing_nest: Option<u32>,
    /// `NLMSGERR_ATTR_COOKIE`.
    pub cookie: Option<&'a [u8]>,
    /// Set when the TLVs were malformed; what could be read before is kept.
    pub malformed: Option<DecodeError>,
}

impl<'a> ExtAck<'a> {
    /// Reads the TLVs in `tlvs`; offsets in `malformed` are counted from `base`. Never fails:
    /// a malformed TLV must not hide the errno it accompanies.
    pub fn parse(tlvs: &'a [u8], base: usize) -> Self {
        let mut ext = ExtAck::default();
        for a in AttrIter::with_base(tlvs, base) {
            let a = match a {
                Ok(a) => a,
                Err(e) => {
                    ext.malformed = Some(e);
                    break;
                }
            };
            let r = match a.kind() {
                NLMSGERR_ATTR_MSG => a.string("NLMSGERR_ATTR_MSG").map(|s| ext.message = Some(s)),
                NLMSGERR_ATTR_OFFS => a
                    .u32("NLMSGERR_ATTR_OFFS")
                    .map(|v| ext.bad_attr_offset = Some(v)),
                NLMSGERR_ATTR_MISS_TYPE => a
                    .u32("NLMSGERR_ATTR_MISS_TYPE")
                    .map(|v| ext.missing_type = Some(v)),
                NLMSGERR_ATTR_MISS_NEST => a
                    .u32("NLMSGERR_ATTR_MISS_NEST")
                    .map(|v| ext.missing_nest = Some(v)),
                NLMSGERR_ATTR_COOKIE => {
                    ext.cookie = Some(a.value());
                    Ok(())
                }
                _ => Ok(()),
            };
            if let Err(e) = r {
                ext.malformed = Some(e);
            }
        }
        ext
    }

    /// True when no attribute was present.
    pub fn is_empty(&self) -> bool {
        self.message.is_none()
            && self.bad_attr_offset.is_none()
            && self.missing_type.is_none()
            && self.missing_nest.is_none()
            && self.cookie.is_none()
    }
}

/// The payload of an `NLMSG_ERROR` message (`struct nlmsgerr` plus TLVs).
///
/// `error` is 0 for an acknowledgement and a negative errno otherwise. `echo` is the request
/// as the kernel echoed it: only its header when the reply has `NLM_F_CAPPED` (always for
/// acknowledgements), the whole request otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorMessage<'a> {
    /// 0 for an acknowledgement, else a negative errno.
    pub error: i32,
    /// The echoed request: header, then payload unless capped.
    pub echo: &'a [u8],
    /// The extended-ack attributes, when `NLM_F_ACK_TLVS` was set.
    pub ext_ack: ExtAck<'a>,
    /// The raw TLV bytes, re-emitted verbatim.
    pub tlvs: &'a [u8],
}

impl<'a> ErrorMessage<'a> {
    /// Parses the payload of an NLMSG_ERROR whose header carried `flags`.
    pub fn parse(payload: &'a [u8], flags: NlmsgFlags) -> Result<Self, DecodeError> {
        if payload.len() < field::MSG {
            return Err(DecodeError::Truncated {
                what: "nlmsgerr.error",
                offset: 0,
                need: field::MSG,
                have: payload.len(),
            });
        }
        let error = read_field::<i32>(payload, field::ERROR);
        let rest = payload.get(field::MSG..).unwrap_or(&[]);
        let echoed = NlmsgHeader::parse(rest).map_err(|e| match e {
            DecodeError::Truncated { need, have, .. } => DecodeError::Truncated {
                what: "nlmsgerr echoed header",
                offset: field::MSG,
                need,
                have,
            },
            other => other.shift(field::MSG),
        })?;
        let echo_len = if flags.contains(NlmsgFlags::CAPPED) {
            NLMSG_HDR_LEN
        } else {
            let l = echoed.length as usize;
            if l < NLMSG_HDR_LEN || l > rest.len() {
                return Err(DecodeError::BadMessageLen {
                    offset: field::MSG,
                    len: l,
                    reason: "echoed request length does not fit the error message",
                });
            }
            l
        };
        let echo = rest.get(..echo_len).unwrap_or(&[]);
        let (tlvs, ext_ack) = if flags.contains(NlmsgFlags::ACK_TLVS) {
            let at = field::MSG + align4(echo_len);
            let tlvs = payload.get(at..).unwrap_or(&[]);
            (tlvs, ExtAck::parse(tlvs, at))
        } else {
            (&[][..], ExtAck::default())
        };
        Ok(ErrorMessage {
            error,
            echo,
            ext_ack,
            tlvs,
        })
    }

    /// True for an acknowledgement (error 0).
    pub fn is_ack(&self) -> bool {
        self.error == 0
    }

    /// The positive errno (0 for an ACK).
    pub fn errno(&self) -> i32 {
        self.error.saturating_neg()
    }

    /// The echoed request's header.
    pub fn request_header(&self) -> Option<NlmsgHeader> {
        NlmsgHeader::parse(self.echo).ok()
    }

    /// The echoed request's sequence number, which pairs the error with its request.
    pub fn request_sequence(&self) -> Option<u32> {
        (self.echo.len() >= NLMSG_HDR_LEN).then(|| read_field::<u32>(self.echo, nlmsg::field::SEQ))
    }
}

impl Emit for ErrorMessage<'_> {
    fn buffer_len(&self) -> usize {
        field::MSG
            + if self.tlvs.is_empty() {
                self.echo.len()
            } else {
                align4(self.echo.len()) + self.tlvs.len()
            }
    }
    fn emit(&self, b: &mut Builder<'_>) -> Result<(), EncodeError> {
        b.put_i32(self.error)?;
        b.put(self.echo)?;
        if !self.tlvs.is_empty() {
            b.pad()?;
            b.put(self.tlvs)?;
        }
        Ok(())
    }
}

/// The payload of an `NLMSG_DONE`: the dump's final status, and TLVs with `NLM_F_ACK_TLVS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoneMessage<'a> {
    /// 0, or a negative errno when the dump failed part-way.
    pub error: i32,
    /// The extended-ack attributes, when `NLM_F_ACK_TLVS` was set.
    pub ext_ack: ExtAck<'a>,
    /// The raw TLV bytes, re-emitted verbatim.
    pub tlvs: &'a [u8],
    /// False for the (non-rtnetlink) DONE with an empty payload.
    pub has_error_field: bool,
}

impl<'a> DoneMessage<'a> {
    /// Parses the payload of an NLMSG_DONE whose header carried `flags`. An empty payload is
    /// read as status 0; 1 to 3 bytes are an error.
    pub fn parse(payload: &'a [u8], flags: NlmsgFlags) -> Result<Self, DecodeError> {
        if payload.is_empty() {
            return Ok(DoneMessage {
                error: 0,
                ext_ack: ExtAck::default(),
                tlvs: &[],
                has_error_field: false,
            });
        }
        if payload.len() < field::TLVS {
            return Err(DecodeError::Truncated {
                what: "NLMSG_DONE status",
                offset: 0,
                need: field::TLVS,
                have: payload.len(),
            });
        }
        let tlvs = payload.get(field::TLVS..).unwrap_or(&[]);
        let ext_ack = if flags.contains(NlmsgFlags::ACK_TLVS) {
            ExtAck::parse(tlvs, field::TLVS)
        } else {
            ExtAck::default()
        };
        Ok(DoneMessage {
            error: read_field::<i32>(payload, field::ERROR),
            ext_ack,
            tlvs,
            has_error_field: true,
        })
    }
}

impl Emit for DoneMessage<'_> {
    fn buffer_len(&self) -> usize {
        if self.has_error_field {
            field::TLVS + self.tlvs.len()
        } else {
            0
        }
    }
    fn emit(&self, b: &mut Builder<'_>) -> Result<(), EncodeError> {
        if self.has_error_field {
            b.put_i32(self.error)?;
            b.put(self.tlvs)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> Vec<u8> {
        let mut b = Builder::new();
        let m = b
            .begin_message(20, NlmsgFlags::REQUEST | NlmsgFlags::ACK, 42, 99)
            .unwrap();
        b.put(&[2, 24, 0, 0, 1, 0, 0, 0]).unwrap();
        b.attr(1, &[198, 18, 0, 1]).unwrap();
        b.end_message(m).unwrap();
        b.into_vec()
    }

    #[test]
    fn ack_is_error_zero_and_capped() {
        let req = request();
        let mut p = 0i32.to_ne_bytes().to_vec();
        p.extend(&req[..16]);
        let e = ErrorMessage::parse(&p, NlmsgFlags::CAPPED).unwrap();
        assert!(e.is_ack());
        assert_eq!(e.request_sequence(), Some(42));
        assert_eq!(e.to_vec().unwrap(), p);
    }

    #[test]
    fn full_echo_with_ext_ack() {
        let req = request();
        let mut b = Builder::new();
        b.put_i32(-22).unwrap();
        b.put(&req).unwrap();
        b.attr_str(NLMSGERR_ATTR_MSG, "Invalid prefix").unwrap();
        b.attr_u32(NLMSGERR_ATTR_OFFS, 24).unwrap();
        let p = b.into_vec();
        let e = ErrorMessage::parse(&p, NlmsgFlags::ACK_TLVS).unwrap();
        assert_eq!(e.errno(), 22);
        assert_eq!(e.echo, &req[..]);
        assert_eq!(e.ext_ack.message, Some("Invalid prefix"));
        assert_eq!(e.ext_ack.bad_attr_offset, Some(24));
        assert_eq!(e.to_vec().unwrap(), p);
        let capped = ErrorMessage::parse(&p, NlmsgFlags::ACK_TLVS | NlmsgFlags::CAPPED).unwrap();
        assert_eq!(capped.echo.len(), 16);
    }

    #[test]
    fn short_payloads_are_errors() {
        for n in 0..4 {
            assert!(ErrorMessage::parse(&vec![0; n], NlmsgFlags::empty()).is_err());
        }
        let mut p = (-1i32).to_ne_bytes().to_vec();
        p.extend(&request()[..10]);
        assert!(matches!(
            ErrorMessage::parse(&p, NlmsgFlags::CAPPED),
            Err(DecodeError::Truncated { offset: 4, .. })
        ));
        // Uncapped, but the echo claims more than is there.
        let mut p = (-1i32).to_ne_bytes().to_vec();
        p.extend(&request()[..20]);
        assert!(matches!(
            ErrorMessage::parse(&p, NlmsgFlags::empty()),
            Err(DecodeError::BadMessageLen { offset: 4, .. })
        ));
    }

    #[test]
    fn malformed_tlv_keeps_errno() {
        let mut p = (-17i32).to_ne_bytes().to_vec();
        p.extend(&request()[..16]);
        p.extend([2, 0, 1, 0]);
        let e = ErrorMessage::parse(&p, NlmsgFlags::CAPPED | NlmsgFlags::ACK_TLVS).unwrap();
        assert_eq!(e.errno(), 17);
        assert!(matches!(
            e.ext_ack.malformed,
            Some(DecodeError::BadAttrLen { offset: 20, .. })
        ));
    }

    #[test]
    fn done_with_error_and_ext_ack() {
        let mut b = Builder::new();
        b.put_i32(-22).unwrap();
        b.attr_str(NLMSGERR_ATTR_MSG, "bad filter").unwrap();
        let p = b.into_vec();
        let d = DoneMessage::parse(&p, NlmsgFlags::MULTI | NlmsgFlags::ACK_TLVS).unwrap();
        assert_eq!(d.error, -22);
        assert_eq!(d.ext_ack.message, Some("bad filter"));
        assert_eq!(d.to_vec().unwrap(), p);
        assert!(DoneMessage::parse(&[0, 0], NlmsgFlags::MULTI).is_err());
        assert_eq!(DoneMessage::parse(&[], NlmsgFlags::MULTI).unwrap().error, 0);
    }
}
