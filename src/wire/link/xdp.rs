//! `IFLA_XDP`: the XDP programs attached to a link (linux/if_link.h), what `ip link show`
//! prints as `prog/xdp id N` (`xdpgeneric`, `xdpdrv`, `xdpoffload`). The kernel puts the nest
//! in every link it reports, with `IFLA_XDP_ATTACHED` 0 when no program is attached.

use super::{LinkAttr, LinkMessage};
use crate::wire::attr::Attr;
use crate::wire::attr_enum::{AttrValue, emit_list, list_len, parse_list};
use crate::wire::{Builder, DecodeError, EncodeError};

/// `IFLA_XDP_FD`: a program's fd, in requests (s32).
pub const IFLA_XDP_FD: u16 = 1;
/// `IFLA_XDP_ATTACHED`: how a program is attached (u8, `XDP_ATTACHED_*`).
pub const IFLA_XDP_ATTACHED: u16 = 2;
/// `IFLA_XDP_FLAGS`: `XDP_FLAGS_*` of a request (u32).
pub const IFLA_XDP_FLAGS: u16 = 3;
/// `IFLA_XDP_PROG_ID`: the attached program's id, when one mode is used (u32).
pub const IFLA_XDP_PROG_ID: u16 = 4;
/// `IFLA_XDP_DRV_PROG_ID`: the program attached in driver mode (u32).
pub const IFLA_XDP_DRV_PROG_ID: u16 = 5;
/// `IFLA_XDP_SKB_PROG_ID`: the program attached in generic (skb) mode (u32).
pub const IFLA_XDP_SKB_PROG_ID: u16 = 6;
/// `IFLA_XDP_HW_PROG_ID`: the program offloaded to hardware (u32).
pub const IFLA_XDP_HW_PROG_ID: u16 = 7;
/// `IFLA_XDP_EXPECTED_FD`: replace only this program, in requests (s32).
pub const IFLA_XDP_EXPECTED_FD: u16 = 8;

/// `XDP_ATTACHED_NONE`.
pub const XDP_ATTACHED_NONE: u8 = 0;
/// `XDP_ATTACHED_DRV`: in the driver (`xdpdrv`).
pub const XDP_ATTACHED_DRV: u8 = 1;
/// `XDP_ATTACHED_SKB`: generic, on the skb (`xdpgeneric`).
pub const XDP_ATTACHED_SKB: u8 = 2;
/// `XDP_ATTACHED_HW`: offloaded (`xdpoffload`).
pub const XDP_ATTACHED_HW: u8 = 3;
/// `XDP_ATTACHED_MULTI`: several modes at once (see the per-mode program ids).
pub const XDP_ATTACHED_MULTI: u8 = 4;

attribute_enum! {
    /// An `IFLA_XDP_*` attribute.
    pub enum XdpAttr {
        /// `IFLA_XDP_FD`.
        Fd(i32) = IFLA_XDP_FD: i32,
        /// `IFLA_XDP_ATTACHED` (`XDP_ATTACHED_*`).
        Attached(u8) = IFLA_XDP_ATTACHED: u8,
        /// `IFLA_XDP_FLAGS`.
        Flags(u32) = IFLA_XDP_FLAGS: u32,
        /// `IFLA_XDP_PROG_ID`.
        ProgId(u32) = IFLA_XDP_PROG_ID: u32,
        /// `IFLA_XDP_DRV_PROG_ID`.
        DrvProgId(u32) = IFLA_XDP_DRV_PROG_ID: u32,
        /// `IFLA_XDP_SKB_PROG_ID`.
        SkbProgId(u32) = IFLA_XDP_SKB_PROG_ID: u32,
        /// `IFLA_XDP_HW_PROG_ID`.
        HwProgId(u32) = IFLA_XDP_HW_PROG_ID: u32,
        /// `IFLA_XDP_EXPECTED_FD`.
        ExpectedFd(i32) = IFLA_XDP_EXPECTED_FD: i32,
    }
}

/// The contents of `IFLA_XDP`, in wire order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Xdp(pub Vec<XdpAttr>);

impl Xdp {
    /// `IFLA_XDP_ATTACHED`: `XDP_ATTACHED_NONE` (0) when no program is attached.
    pub fn attached(&self) -> Option<u8> {
        self.0.iter().find_map(|a| match a {
            XdpAttr::Attached(v) => Some(*v),
            _ => None,
        })
    }

    /// `IFLA_XDP_PROG_ID`: the attached program, when a single mode is used.
    pub fn prog_id(&self) -> Option<u32> {
        self.0.iter().find_map(|a| match a {
            XdpAttr::ProgId(v) => Some(*v),
            _ => None,
        })
    }
}

impl AttrValue for Xdp {
    fn parse_value(a: &Attr<'_>, _: &'static str, base: usize) -> Result<Self, DecodeError> {
        parse_list(a, base).map(Xdp)
    }
    fn value_len(&self) -> usize {
        list_len(&self.0)
    }
    fn emit_value(&self, b: &mut Builder<'_>, kind: u16) -> Result<(), EncodeError> {
        emit_list(b, kind, &self.0)
    }
}

impl LinkMessage {
    /// `IFLA_XDP`.
    pub fn xdp(&self) -> Option<&Xdp> {
        self.find(|a| match a {
            LinkAttr::Xdp(x) => Some(x),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Emit;
    use crate::wire::attr::NLA_F_NESTED;
    use crate::wire::link::{IFINFOMSG_LEN, IFLA_XDP};

    #[test]
    fn the_nest_every_link_has_and_an_attached_program() {
        // What the kernel puts in every link: IFLA_XDP { IFLA_XDP_ATTACHED 0 }.
        let mut b = Builder::new();
        b.put(&[0; IFINFOMSG_LEN]).unwrap();
        b.nested(IFLA_XDP, |b| {
            b.attr_u8(IFLA_XDP_ATTACHED, XDP_ATTACHED_NONE)
        })
        .unwrap();
        let l = LinkMessage::parse(b.as_bytes()).unwrap();
        assert_eq!(l.to_vec().unwrap(), b.as_bytes());
        assert_eq!(l.xdp().and_then(Xdp::attached), Some(XDP_ATTACHED_NONE));
        assert_eq!(l.xdp().and_then(Xdp::prog_id), None);
        // A program in generic mode.
        let x = Xdp(vec![
            XdpAttr::Attached(XDP_ATTACHED_SKB),
            XdpAttr::ProgId(42),
            XdpAttr::SkbProgId(42),
        ]);
        let l = LinkMessage::new(2).with(LinkAttr::Xdp(x.clone()));
        let back = LinkMessage::parse(&l.to_vec().unwrap()).unwrap();
        assert_eq!(back.xdp(), Some(&x));
        assert_eq!(x.prog_id(), Some(42));
        // A wrong size names the attribute; a flagged nest is kept whole.
        let mut b = Builder::new();
        b.put(&[0; IFINFOMSG_LEN]).unwrap();
        b.nested(IFLA_XDP, |b| b.attr(IFLA_XDP_PROG_ID, &[1, 2]))
            .unwrap();
        assert!(matches!(
            LinkMessage::parse(b.as_bytes()),
            Err(DecodeError::BadAttr {
                name: "IFLA_XDP_PROG_ID",
                offset: 20,
                ..
            })
        ));
        let mut b = Builder::new();
        b.put(&[0; IFINFOMSG_LEN]).unwrap();
        b.nested(IFLA_XDP | NLA_F_NESTED, |b| b.attr_u8(IFLA_XDP_ATTACHED, 0))
            .unwrap();
        let l = LinkMessage::parse(b.as_bytes()).unwrap();
        assert!(matches!(l.attrs[0], LinkAttr::Unknown(_)));
    }
}
