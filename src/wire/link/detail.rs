//! Attributes `ip -d link show` prints that stay [`LinkAttr::Unknown`] in a decoded message,
//! read on demand: `IFLA_PROTO_DOWN_REASON` (the kernel writes it with `NLA_F_NESTED`, and a
//! typed variant could not record the flag) and `IFLA_PROP_LIST` (alternative names; kept
//! raw so that existing readers of the raw nest keep working).

use super::{IFLA_ALT_IFNAME, IFLA_PROP_LIST, IFLA_PROTO_DOWN_REASON, LinkAttr, LinkMessage};
use crate::wire::DecodeError;
use crate::wire::attr::{AttrIter, NLA_TYPE_MASK};

/// `IFLA_PROTO_DOWN_REASON_UNSPEC`.
pub const IFLA_PROTO_DOWN_REASON_UNSPEC: u16 = 0;
/// `IFLA_PROTO_DOWN_REASON_MASK`: which reason bits a request changes (u32).
pub const IFLA_PROTO_DOWN_REASON_MASK: u16 = 1;
/// `IFLA_PROTO_DOWN_REASON_VALUE`: the reason bits (u32), what `ip` prints as
/// `protodown_reason`.
pub const IFLA_PROTO_DOWN_REASON_VALUE: u16 = 2;

/// `IFLA_PROTO_DOWN_REASON`, decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ProtoDownReason {
    /// `IFLA_PROTO_DOWN_REASON_MASK` (requests).
    pub mask: Option<u32>,
    /// `IFLA_PROTO_DOWN_REASON_VALUE`: one bit per reason.
    pub value: Option<u32>,
}

impl LinkMessage {
    /// The value of the first `Unknown` attribute of type `kind` (flag bits ignored).
    fn raw(&self, kind: u16) -> Option<&[u8]> {
        self.find(|a| match a {
            LinkAttr::Unknown(u) if u.kind & NLA_TYPE_MASK == kind => Some(u.value.as_slice()),
            _ => None,
        })
    }

    /// `IFLA_PROTO_DOWN`: whether the link is protocol-down (`protodown on`).
    pub fn proto_down(&self) -> Option<bool> {
        self.find(|a| match a {
            LinkAttr::ProtoDown(v) => Some(*v != 0),
            _ => None,
        })
    }

    /// `IFLA_PROTO_DOWN_REASON`, decoded from the nest. Error offsets count from the start
    /// of the nest's value.
    pub fn proto_down_reason(&self) -> Option<Result<ProtoDownReason, DecodeError>> {
        let v = self.raw(IFLA_PROTO_DOWN_REASON)?;
        let mut r = ProtoDownReason::default();
        for a in AttrIter::new(v) {
            let a = match a {
                Ok(a) => a,
                Err(e) => return Some(Err(e)),
            };
            let slot = match a.kind() {
                IFLA_PROTO_DOWN_REASON_MASK => &mut r.mask,
                IFLA_PROTO_DOWN_REASON_VALUE => &mut r.value,
                _ => continue,
            };
            let name = if a.kind() == IFLA_PROTO_DOWN_REASON_MASK {
                "IFLA_PROTO_DOWN_REASON_MASK"
            } else {
                "IFLA_PROTO_DOWN_REASON_VALUE"
            };
            match a.u32(name) {
                Ok(x) => *slot = Some(x),
                Err(e) => return Some(Err(e)),
            }
        }
        Some(Ok(r))
    }

    /// The alternative names (`altname` in `ip link show`): the `IFLA_ALT_IFNAME`
    /// attributes of `IFLA_PROP_LIST`, empty without it. Error offsets count from the start
    /// of the nest's value.
    pub fn alt_names(&self) -> Result<Vec<&str>, DecodeError> {
        let Some(v) = self.raw(IFLA_PROP_LIST) else {
            return Ok(Vec::new());
        };
        let mut names = Vec::new();
        for a in AttrIter::new(v) {
            let a = a?;
            if a.kind() == IFLA_ALT_IFNAME {
                names.push(a.string("IFLA_ALT_IFNAME")?);
            }
        }
        Ok(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Builder;
    use crate::wire::attr::NLA_F_NESTED;
    use crate::wire::link::{IFINFOMSG_LEN, IFLA_PROTO_DOWN};

    fn message(f: impl FnOnce(&mut Builder<'_>)) -> LinkMessage {
        let mut b = Builder::new();
        b.put(&[0; IFINFOMSG_LEN]).unwrap();
        f(&mut b);
        LinkMessage::parse(b.as_bytes()).unwrap()
    }

    #[test]
    fn proto_down_and_its_reason() {
        // As the kernel writes them: IFLA_PROTO_DOWN, then the reason nest with NLA_F_NESTED.
        let l = message(|b| {
            b.attr_u8(IFLA_PROTO_DOWN, 1).unwrap();
            b.nested(IFLA_PROTO_DOWN_REASON | NLA_F_NESTED, |b| {
                b.attr_u32(IFLA_PROTO_DOWN_REASON_VALUE, 0x5)
            })
            .unwrap();
        });
        assert_eq!(l.proto_down(), Some(true));
        assert_eq!(
            l.proto_down_reason(),
            Some(Ok(ProtoDownReason {
                mask: None,
                value: Some(5)
            }))
        );
        let l = message(|b| {
            b.nested(IFLA_PROTO_DOWN_REASON, |b| {
                b.attr(IFLA_PROTO_DOWN_REASON_MASK, &[1])
            })
            .unwrap();
        });
        assert!(matches!(
            l.proto_down_reason(),
            Some(Err(DecodeError::BadAttr {
                name: "IFLA_PROTO_DOWN_REASON_MASK",
                offset: 0,
                ..
            }))
        ));
        assert_eq!(message(|_| {}).proto_down_reason(), None);
        assert_eq!(message(|_| {}).proto_down(), None);
    }

    #[test]
    fn alternative_names() {
        let l = message(|b| {
            b.nested(IFLA_PROP_LIST | NLA_F_NESTED, |b| {
                b.attr_str(IFLA_ALT_IFNAME, "container-eth0")?;
                b.attr_str(IFLA_ALT_IFNAME, "pod-a-eth0")
            })
            .unwrap();
        });
        assert_eq!(l.alt_names().unwrap(), ["container-eth0", "pod-a-eth0"]);
        assert!(message(|_| {}).alt_names().unwrap().is_empty());
        let l = message(|b| {
            b.nested(IFLA_PROP_LIST, |b| b.attr(IFLA_ALT_IFNAME, b"x"))
                .unwrap();
        });
        assert!(l.alt_names().is_err());
    }
}
