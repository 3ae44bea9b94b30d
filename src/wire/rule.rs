//! FIB rules (policy routing): payloads of `RTM_NEWRULE`, `RTM_DELRULE` and `RTM_GETRULE`,
//! `struct fib_rule_hdr` followed by `FRA_*` attributes (linux/fib_rules.h).
//!
//! A rule selects packets (by source and destination prefix, TOS, firewall mark, input and
//! output interface, uid range, IP protocol, ports, tunnel id, ...) and says what to do with
//! them: look the route up in a table ([`RuleAction::TO_TBL`]), jump to another rule
//! ([`RuleAction::GOTO`]), do nothing ([`RuleAction::NOP`]) or drop them
//! ([`RuleAction::BLACKHOLE`], [`RuleAction::UNREACHABLE`], [`RuleAction::PROHIBIT`]).
//! `ip rule` shows them.
//!
//! [`RuleMessageBuffer`] is a zero-copy view; [`RuleMessage`] is the owned form, parsed with
//! [`RuleMessage::parse`] and written back with [`Emit`]. Attributes become [`RuleAttr`]s.
//! Unknown attributes, known ones carrying `NLA_F_NESTED`/`NLA_F_NET_BYTEORDER`, and
//! interface names in a form that would not re-encode identically are kept as
//! [`UnknownAttr`](super::UnknownAttr) and re-encode byte for byte. The header's two reserved bytes are read as
//! nothing and written as zero.
//!
//! ```
//! use netplumb::wire::family::AF_INET;
//! use netplumb::wire::{Emit, rule::{RuleAction, RuleAttr, RuleHeader, RuleMessage}};
//! // ip rule add from 198.18.1.0/24 table 100 (ip adds no priority: the kernel picks one)
//! let rule = RuleMessage::new(RuleHeader {
//!     src_len: 24,
//!     table: 100,
//!     action: RuleAction::TO_TBL,
//!     ..RuleHeader::new(AF_INET)
//! })
//! .with(RuleAttr::Source("198.18.1.0".parse().unwrap()));
//! let back = RuleMessage::parse(&rule.to_vec().unwrap()).unwrap();
//! assert_eq!(back.source(), Some(("198.18.1.0".parse().unwrap(), 24)));
//! assert_eq!(back.table(), 100);
//! ```

use super::attr::{Attr, NLA_TYPE_MASK};
use super::attr_enum::AttrValue;
use super::route::RouteProtocol;
use super::{
    Builder, DecodeError, Emit, EncodeError, byte, parse_attrs, read_field, u32_words,
    words_to_bytes,
};
use std::net::IpAddr;

/// `sizeof(struct fib_rule_hdr)`: the fixed header before the attributes.
pub const FIB_RULE_HDR_LEN: usize = 12;

/// Byte offsets inside `struct fib_rule_hdr`.
mod field {
    use crate::wire::Field;
    /// `family` (u8): `AF_INET`, `AF_INET6`, ...
    pub const FAMILY: usize = 0;
    /// `dst_len` (u8).
    pub const DST_LEN: usize = 1;
    /// `src_len` (u8).
    pub const SRC_LEN: usize = 2;
    /// `tos` (u8).
    pub const TOS: usize = 3;
    /// `table` (u8).
    pub const TABLE: usize = 4;
    // 5 and 6 are `res1` and `res2`: reserved, ignored on read, zero on write.
    /// `action` (u8, `FR_ACT_*`).
    pub const ACTION: usize = 7;
    /// `flags` (u32, native endian, `FIB_RULE_*`).
    pub const FLAGS: Field = 8..12;
}

/// Byte offsets inside `struct fib_rule_port_range` (`FRA_SPORT_RANGE`, `FRA_DPORT_RANGE`).
mod port_field {
    use crate::wire::Field;
    /// `start` (u16).
    pub const START: Field = 0..2;
    /// `end` (u16).
    pub const END: Field = 2..4;
}

// ---- attribute types (linux/fib_rules.h) ---------------------------------------------------

/// `FRA_UNSPEC`: unused.
pub const FRA_UNSPEC: u16 = 0;
/// `FRA_DST`: destination prefix address (4 or 16 bytes; length in `dst_len`).
pub const FRA_DST: u16 = 1;
/// `FRA_SRC`: source prefix address (length in `src_len`).
pub const FRA_SRC: u16 = 2;
/// `FRA_IIFNAME` (also `FRA_IFNAME`): input interface name (string); `iif` in `ip rule`.
pub const FRA_IIFNAME: u16 = 3;
/// `FRA_GOTO`: the priority of the rule to jump to ([`RuleAction::GOTO`]) (u32).
pub const FRA_GOTO: u16 = 4;
/// `FRA_UNUSED2`: unused by the kernel; `ip rule add nat ADDR` puts `RTA_GATEWAY`, the same
/// number, here.
pub const FRA_UNUSED2: u16 = 5;
/// `FRA_PRIORITY`: the rule's priority, `pref` in `ip rule` (u32). The kernel leaves it out
/// of a rule whose priority is 0.
pub const FRA_PRIORITY: u16 = 6;
/// `FRA_UNUSED3`: unused.
pub const FRA_UNUSED3: u16 = 7;
/// `FRA_UNUSED4`: unused.
pub const FRA_UNUSED4: u16 = 8;
/// `FRA_UNUSED5`: unused.
pub const FRA_UNUSED5: u16 = 9;
/// `FRA_FWMARK`: firewall mark to match (u32).
pub const FRA_FWMARK: u16 = 10;
/// `FRA_FLOW`: routing realms, `realms` in `ip rule` (u32, as `RTA_FLOW`: the destination
/// realm in the low 16 bits, the source realm in the high 16 bits; IPv4 only).
pub const FRA_FLOW: u16 = 11;
/// `FRA_TUN_ID`: tunnel id to match (u64, big endian).
pub const FRA_TUN_ID: u16 = 12;
/// `FRA_SUPPRESS_IFGROUP`: reject a lookup result whose device is in this group (u32).
pub const FRA_SUPPRESS_IFGROUP: u16 = 13;
/// `FRA_SUPPRESS_PREFIXLEN`: reject a lookup result with a prefix this long or shorter
/// (u32; -1, all ones, when not set).
pub const FRA_SUPPRESS_PREFIXLEN: u16 = 14;
/// `FRA_TABLE`: the full 32-bit table id, overriding the header's `table` (u32).
pub const FRA_TABLE: u16 = 15;
/// `FRA_FWMASK`: mask applied to the firewall mark before comparing (u32).
pub const FRA_FWMASK: u16 = 16;
/// `FRA_OIFNAME`: output interface name (string); `oif` in `ip rule`.
pub const FRA_OIFNAME: u16 = 17;
/// `FRA_PAD`: alignment padding for 64-bit values (`FRA_TUN_ID`).
pub const FRA_PAD: u16 = 18;
/// `FRA_L3MDEV`: look up the table of the L3 master device (VRF) of the packet's interface
/// (u8).
pub const FRA_L3MDEV: u16 = 19;
/// `FRA_UID_RANGE`: range of socket owner uids (`struct fib_rule_uid_range`).
pub const FRA_UID_RANGE: u16 = 20;
/// `FRA_PROTOCOL`: who installed the rule (u8, `RTPROT_*`).
pub const FRA_PROTOCOL: u16 = 21;
/// `FRA_IP_PROTO`: IP protocol to match (u8).
pub const FRA_IP_PROTO: u16 = 22;
/// `FRA_SPORT_RANGE`: source port range (`struct fib_rule_port_range`, native endian).
pub const FRA_SPORT_RANGE: u16 = 23;
/// `FRA_DPORT_RANGE`: destination port range (`struct fib_rule_port_range`).
pub const FRA_DPORT_RANGE: u16 = 24;
/// `FRA_DSCP`: DSCP to match, the six high bits of the dsfield shifted down (u8; Linux 6.13).
pub const FRA_DSCP: u16 = 25;
/// `FRA_FLOWLABEL`: IPv6 flow label to match (u32, big endian; Linux 6.15).
pub const FRA_FLOWLABEL: u16 = 26;
/// `FRA_FLOWLABEL_MASK`: mask of `FRA_FLOWLABEL` (u32, big endian; Linux 6.15).
pub const FRA_FLOWLABEL_MASK: u16 = 27;
/// `FRA_SPORT_MASK`: mask of the source port (u16; Linux 6.16).
pub const FRA_SPORT_MASK: u16 = 28;
/// `FRA_DPORT_MASK`: mask of the destination port (u16; Linux 6.16).
pub const FRA_DPORT_MASK: u16 = 29;
/// `FRA_DSCP_MASK`: mask of `FRA_DSCP` (u8; Linux 6.16).
pub const FRA_DSCP_MASK: u16 = 30;

/// The uapi name of an `FRA_*` attribute type (flag bits ignored).
pub fn attr_name(kind: u16) -> Option<&'static str> {
    Some(match kind & NLA_TYPE_MASK {
        FRA_UNSPEC => "FRA_UNSPEC",
        FRA_DST => "FRA_DST",
        FRA_SRC => "FRA_SRC",
        FRA_IIFNAME => "FRA_IIFNAME",
        FRA_GOTO => "FRA_GOTO",
        FRA_UNUSED2 => "FRA_UNUSED2",
        FRA_PRIORITY => "FRA_PRIORITY",
        FRA_UNUSED3 => "FRA_UNUSED3",
        FRA_UNUSED4 => "FRA_UNUSED4",
        FRA_UNUSED5 => "FRA_UNUSED5",
        FRA_FWMARK => "FRA_FWMARK",
        FRA_FLOW => "FRA_FLOW",
        FRA_TUN_ID => "FRA_TUN_ID",
        FRA_SUPPRESS_IFGROUP => "FRA_SUPPRESS_IFGROUP",
        FRA_SUPPRESS_PREFIXLEN => "FRA_SUPPRESS_PREFIXLEN",
        FRA_TABLE => "FRA_TABLE",
        FRA_FWMASK => "FRA_FWMASK",
        FRA_OIFNAME => "FRA_OIFNAME",
        FRA_PAD => "FRA_PAD",
        FRA_L3MDEV => "FRA_L3MDEV",
        FRA_UID_RANGE => "FRA_UID_RANGE",
        FRA_PROTOCOL => "FRA_PROTOCOL",
        FRA_IP_PROTO => "FRA_IP_PROTO",
        FRA_SPORT_RANGE => "FRA_SPORT_RANGE",
        FRA_DPORT_RANGE => "FRA_DPORT_RANGE",
        FRA_DSCP => "FRA_DSCP",
        FRA_FLOWLABEL => "FRA_FLOWLABEL",
        FRA_FLOWLABEL_MASK => "FRA_FLOWLABEL_MASK",
        FRA_SPORT_MASK => "FRA_SPORT_MASK",
        FRA_DPORT_MASK => "FRA_DPORT_MASK",
        FRA_DSCP_MASK => "FRA_DSCP_MASK",
        _ => return None,
    })
}

/// `FRA_SUPPRESS_PREFIXLEN` and `FRA_SUPPRESS_IFGROUP` when not set: the kernel reports
/// -1 (all ones) in every dump.
pub const FIB_RULE_NOT_SET: u32 = u32::MAX;

u8_values! {
    /// `struct fib_rule_hdr`'s `action` (`FR_ACT_*`). Values without a name are kept as they
    /// are (`ip rule add nat ADDR` sends `RTN_NAT`, 10, which the kernel keeps).
    RuleAction {
        /// `FR_ACT_UNSPEC`: in a delete request, match any action.
        UNSPEC = 0, "FR_ACT_UNSPEC";
        /// `FR_ACT_TO_TBL`: look the route up in the rule's table (`lookup TABLE`).
        TO_TBL = 1, "FR_ACT_TO_TBL";
        /// `FR_ACT_GOTO`: jump to the rule whose priority is `FRA_GOTO` (`goto PRIO`).
        GOTO = 2, "FR_ACT_GOTO";
        /// `FR_ACT_NOP`: do nothing, go on with the next rule (`nop`).
        NOP = 3, "FR_ACT_NOP";
        /// `FR_ACT_RES3`: reserved.
        RES3 = 4, "FR_ACT_RES3";
        /// `FR_ACT_RES4`: reserved.
        RES4 = 5, "FR_ACT_RES4";
        /// `FR_ACT_BLACKHOLE`: drop silently (`blackhole`).
        BLACKHOLE = 6, "FR_ACT_BLACKHOLE";
        /// `FR_ACT_UNREACHABLE`: drop with `ENETUNREACH` (`unreachable`).
        UNREACHABLE = 7, "FR_ACT_UNREACHABLE";
        /// `FR_ACT_PROHIBIT`: drop with `EACCES` (`prohibit`).
        PROHIBIT = 8, "FR_ACT_PROHIBIT";
    }
}

bitflags::bitflags! {
    /// `struct fib_rule_hdr`'s `flags` (`FIB_RULE_*`). Unknown bits are kept.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct RuleFlags: u32 {
        /// `FIB_RULE_PERMANENT`: the rule cannot be deleted.
        const PERMANENT = 0x1;
        /// `FIB_RULE_INVERT`: the selector is negated (`not` in `ip rule`).
        const INVERT = 0x2;
        /// `FIB_RULE_UNRESOLVED`: a goto rule whose target does not exist (in dumps).
        const UNRESOLVED = 0x4;
        /// `FIB_RULE_IIF_DETACHED` (also `FIB_RULE_DEV_DETACHED`): the input interface named
        /// by the rule does not exist (in dumps).
        const IIF_DETACHED = 0x8;
        /// `FIB_RULE_OIF_DETACHED`: the output interface named by the rule does not exist.
        const OIF_DETACHED = 0x10;
        /// `FIB_RULE_FIND_SADDR`: find a source address in routing lookups.
        const FIND_SADDR = 0x10000;
        // Unknown bits are kept so that a header read from the wire is written back as is.
        const _ = !0;
    }
}

/// `struct fib_rule_hdr`, owned. The two reserved bytes are not kept: they are written as
/// zero.
#[doc(alias = "fib_rule_hdr")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RuleHeader {
    /// `family`: `AF_INET` or `AF_INET6` (`AF_UNSPEC` in a dump request for every family).
    pub family: u8,
    /// `dst_len`: destination prefix length.
    pub dst_len: u8,
    /// `src_len`: source prefix length.
    pub src_len: u8,
    /// `tos`: the dsfield (TOS) to match; `tos`/`dsfield` in `ip rule`.
    pub tos: u8,
    /// `table`: the table id when it fits in 8 bits (see [`RuleMessage::table`]).
    pub table: u8,
    /// `action`.
    pub action: RuleAction,
    /// `flags`.
    pub flags: RuleFlags,
}

impl RuleHeader {
    /// A header of family `family` with every other field zero (action `FR_ACT_UNSPEC`,
    /// table 0): what a delete request or a dump request starts from.
    pub fn new(family: u8) -> Self {
        RuleHeader {
            family,
            ..Default::default()
        }
    }

    /// Reads the header from the first [`FIB_RULE_HDR_LEN`] bytes of `payload`.
    pub fn parse(payload: &[u8]) -> Result<Self, DecodeError> {
        RuleMessageBuffer::new_checked(payload).map(|b| b.header())
    }

    /// Appends the 12 header bytes, the reserved ones as zero.
    pub fn emit(&self, b: &mut Builder<'_>) -> Result<(), EncodeError> {
        b.put(&[
            self.family,
            self.dst_len,
            self.src_len,
            self.tos,
            self.table,
            0,
            0,
            self.action.0,
        ])?;
        b.put_u32(self.flags.bits())
    }
}

message_buffer! {
    /// A zero-copy view of a rule message payload (`struct fib_rule_hdr` and its attributes).
    RuleMessageBuffer, FIB_RULE_HDR_LEN, "fib_rule_hdr"
}

impl<T: AsRef<[u8]>> RuleMessageBuffer<T> {
    /// `family`.
    pub fn family(&self) -> u8 {
        byte(self.buffer.as_ref(), field::FAMILY)
    }
    /// `dst_len`.
    pub fn dst_len(&self) -> u8 {
        byte(self.buffer.as_ref(), field::DST_LEN)
    }
    /// `src_len`.
    pub fn src_len(&self) -> u8 {
        byte(self.buffer.as_ref(), field::SRC_LEN)
    }
    /// `tos`.
    pub fn tos(&self) -> u8 {
        byte(self.buffer.as_ref(), field::TOS)
    }
    /// `table` (8 bits; `FRA_TABLE` holds the full id).
    pub fn table(&self) -> u8 {
        byte(self.buffer.as_ref(), field::TABLE)
    }
    /// `action`.
    pub fn action(&self) -> RuleAction {
        RuleAction(byte(self.buffer.as_ref(), field::ACTION))
    }
    /// `flags`, unknown bits kept.
    pub fn flags(&self) -> RuleFlags {
        RuleFlags::from_bits_retain(read_field::<u32>(self.buffer.as_ref(), field::FLAGS))
    }
    /// The header as an owned value.
    pub fn header(&self) -> RuleHeader {
        RuleHeader {
            family: self.family(),
            dst_len: self.dst_len(),
            src_len: self.src_len(),
            tos: self.tos(),
            table: self.table(),
            action: self.action(),
            flags: self.flags(),
        }
    }
}

/// `struct fib_rule_uid_range`: socket owner uids from `start` to `end`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct UidRange {
    /// First uid.
    pub start: u32,
    /// Last uid.
    pub end: u32,
}

/// `struct fib_rule_port_range`: ports from `start` to `end`, both included (native endian
/// on the wire, unlike the ports of a packet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PortRange {
    /// First port.
    pub start: u16,
    /// Last port.
    pub end: u16,
}

impl PortRange {
    /// The range holding `port` alone (`sport 80` in `ip rule`).
    pub fn single(port: u16) -> Self {
        PortRange {
            start: port,
            end: port,
        }
    }
}

attribute_enum! {
    /// One attribute of a rule message.
    ///
    /// Values are typed where the uapi fixes their form; a known attribute whose value has
    /// the wrong size is a [`DecodeError::BadAttr`] naming it. `Unknown` keeps any other
    /// attribute (`FRA_PAD`, `FRA_UNUSED2` from `ip rule add nat`, types this codec does not
    /// know), a known one with flag bits, and an interface name in a form that would not
    /// re-encode identically; [`RuleAttr::kind`] gives its type as read, flag bits included.
    pub enum RuleAttr {
        /// `FRA_DST`: destination prefix address.
        Destination(IpAddr) = FRA_DST: ip,
        /// `FRA_SRC`: source prefix address.
        Source(IpAddr) = FRA_SRC: ip,
        /// `FRA_IIFNAME`: input interface name.
        IifName(String) = FRA_IIFNAME: ifname,
        /// `FRA_GOTO`: priority of the rule to jump to.
        Goto(u32) = FRA_GOTO: u32,
        /// `FRA_PRIORITY`: the rule's priority.
        Priority(u32) = FRA_PRIORITY: u32,
        /// `FRA_FWMARK`: firewall mark.
        FwMark(u32) = FRA_FWMARK: u32,
        /// `FRA_FLOW`: routing realms (destination realm in the low 16 bits, source realm in
        /// the high 16 bits).
        Flow(u32) = FRA_FLOW: u32,
        /// `FRA_TUN_ID`: tunnel id, host order here, big endian on the wire.
        TunId(u64) = FRA_TUN_ID: be64,
        /// `FRA_SUPPRESS_IFGROUP` ([`FIB_RULE_NOT_SET`] when unset).
        SuppressIfGroup(u32) = FRA_SUPPRESS_IFGROUP: u32,
        /// `FRA_SUPPRESS_PREFIXLEN` ([`FIB_RULE_NOT_SET`] when unset).
        SuppressPrefixLen(u32) = FRA_SUPPRESS_PREFIXLEN: u32,
        /// `FRA_TABLE`: the full table id.
        Table(u32) = FRA_TABLE: u32,
        /// `FRA_FWMASK`: firewall mark mask.
        FwMask(u32) = FRA_FWMASK: u32,
        /// `FRA_OIFNAME`: output interface name.
        OifName(String) = FRA_OIFNAME: ifname,
        /// `FRA_L3MDEV`: 1 to look up the L3 master device's table.
        L3mdev(u8) = FRA_L3MDEV: u8,
        /// `FRA_UID_RANGE`.
        UidRange(UidRange) = FRA_UID_RANGE: custom,
        /// `FRA_PROTOCOL`: who installed the rule.
        Protocol(RouteProtocol) = FRA_PROTOCOL: custom,
        /// `FRA_IP_PROTO`: IP protocol.
        IpProto(u8) = FRA_IP_PROTO: u8,
        /// `FRA_SPORT_RANGE`.
        SourcePortRange(PortRange) = FRA_SPORT_RANGE: custom,
        /// `FRA_DPORT_RANGE`.
        DestinationPortRange(PortRange) = FRA_DPORT_RANGE: custom,
        /// `FRA_DSCP`: DSCP (0 to 63).
        Dscp(u8) = FRA_DSCP: u8,
        /// `FRA_FLOWLABEL`: IPv6 flow label, host order here, big endian on the wire.
        FlowLabel(u32) = FRA_FLOWLABEL: be32,
        /// `FRA_FLOWLABEL_MASK`, host order here, big endian on the wire.
        FlowLabelMask(u32) = FRA_FLOWLABEL_MASK: be32,
        /// `FRA_SPORT_MASK`.
        SourcePortMask(u16) = FRA_SPORT_MASK: u16,
        /// `FRA_DPORT_MASK`.
        DestinationPortMask(u16) = FRA_DPORT_MASK: u16,
        /// `FRA_DSCP_MASK`.
        DscpMask(u8) = FRA_DSCP_MASK: u8,
    }
    unknown_kind = raw;
}

/// `struct fib_rule_uid_range`: two native-endian u32 words.
impl AttrValue for UidRange {
    fn parse_value(a: &Attr<'_>, name: &'static str, _: usize) -> Result<Self, DecodeError> {
        let [start, end] = u32_words::<2>(a, name, "expected 8 bytes (struct fib_rule_uid_range)")?;
        Ok(UidRange { start, end })
    }
    fn value_len(&self) -> usize {
        8
    }
    fn emit_value(&self, b: &mut Builder<'_>, kind: u16) -> Result<(), EncodeError> {
        b.attr(kind, &words_to_bytes::<2, 8>([self.start, self.end]))
    }
}

/// `struct fib_rule_port_range`: two native-endian u16.
impl AttrValue for PortRange {
    fn parse_value(a: &Attr<'_>, name: &'static str, _: usize) -> Result<Self, DecodeError> {
        let v: [u8; 4] = a.struct_bytes(name, "expected 4 bytes (struct fib_rule_port_range)")?;
        Ok(PortRange {
            start: read_field::<u16>(&v, port_field::START),
            end: read_field::<u16>(&v, port_field::END),
        })
    }
    fn value_len(&self) -> usize {
        4
    }
    fn emit_value(&self, b: &mut Builder<'_>, kind: u16) -> Result<(), EncodeError> {
        let [s0, s1] = self.start.to_ne_bytes();
        let [e0, e1] = self.end.to_ne_bytes();
        b.attr(kind, &[s0, s1, e0, e1])
    }
}

/// An owned rule message: header and attributes in wire order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RuleMessage {
    /// `struct fib_rule_hdr`.
    pub header: RuleHeader,
    /// The attributes, in the order they are (or will be) on the wire.
    pub attrs: Vec<RuleAttr>,
}

impl RuleMessage {
    /// A message with `header` and no attributes.
    pub fn new(header: RuleHeader) -> Self {
        RuleMessage {
            header,
            attrs: Vec::new(),
        }
    }

    /// The message with `attr` appended.
    #[must_use]
    pub fn with(mut self, attr: RuleAttr) -> Self {
        self.attrs.push(attr);
        self
    }

    /// Reads a payload (the bytes after `nlmsghdr`). Offsets in errors count from its start.
    pub fn parse(payload: &[u8]) -> Result<Self, DecodeError> {
        let buf = RuleMessageBuffer::new_checked(payload)?;
        let attrs = parse_attrs(buf.attrs(), RuleAttr::parse)?;
        Ok(RuleMessage {
            header: buf.header(),
            attrs,
        })
    }

    fn find<'s, R>(&'s self, f: impl FnMut(&'s RuleAttr) -> Option<R>) -> Option<R> {
        self.attrs.iter().find_map(f)
    }

    /// The source prefix: `FRA_SRC` with `src_len`, when present.
    pub fn source(&self) -> Option<(IpAddr, u8)> {
        self.find(|a| match a {
            RuleAttr::Source(ip) => Some((*ip, self.header.src_len)),
            _ => None,
        })
    }

    /// The destination prefix: `FRA_DST` with `dst_len`, when present.
    pub fn destination(&self) -> Option<(IpAddr, u8)> {
        self.find(|a| match a {
            RuleAttr::Destination(ip) => Some((*ip, self.header.dst_len)),
            _ => None,
        })
    }

    /// `FRA_PRIORITY`; the kernel leaves it out for priority 0.
    pub fn priority(&self) -> Option<u32> {
        self.find(|a| match a {
            RuleAttr::Priority(v) => Some(*v),
            _ => None,
        })
    }

    /// The table id: `FRA_TABLE` when present (it holds all 32 bits), else the header's.
    pub fn table(&self) -> u32 {
        self.find(|a| match a {
            RuleAttr::Table(v) => Some(*v),
            _ => None,
        })
        .unwrap_or(u32::from(self.header.table))
    }

    /// `FRA_GOTO`: the target priority of a goto rule.
    pub fn goto_target(&self) -> Option<u32> {
        self.find(|a| match a {
            RuleAttr::Goto(v) => Some(*v),
            _ => None,
        })
    }

    /// `FRA_FWMARK`.
    pub fn fwmark(&self) -> Option<u32> {
        self.find(|a| match a {
            RuleAttr::FwMark(v) => Some(*v),
            _ => None,
        })
    }

    /// `FRA_FWMASK`.
    pub fn fwmask(&self) -> Option<u32> {
        self.find(|a| match a {
            RuleAttr::FwMask(v) => Some(*v),
            _ => None,
        })
    }

    /// `FRA_FLOW`: the realms.
    pub fn flow(&self) -> Option<u32> {
        self.find(|a| match a {
            RuleAttr::Flow(v) => Some(*v),
            _ => None,
        })
    }

    /// `FRA_SUPPRESS_PREFIXLEN`, `None` when absent or not set (-1).
    pub fn suppress_prefixlen(&self) -> Option<u32> {
        self.find(|a| match a {
            RuleAttr::SuppressPrefixLen(v) => Some(*v),
            _ => None,
        })
        .filter(|v| *v != FIB_RULE_NOT_SET)
    }

    /// `FRA_SUPPRESS_IFGROUP`, `None` when absent or not set (-1).
    pub fn suppress_ifgroup(&self) -> Option<u32> {
        self.find(|a| match a {
            RuleAttr::SuppressIfGroup(v) => Some(*v),
            _ => None,
        })
        .filter(|v| *v != FIB_RULE_NOT_SET)
    }

    /// `FRA_IIFNAME`.
    pub fn iif_name(&self) -> Option<&str> {
        self.find(|a| match a {
            RuleAttr::IifName(n) => Some(n.as_str()),
            _ => None,
        })
    }

    /// `FRA_OIFNAME`.
    pub fn oif_name(&self) -> Option<&str> {
        self.find(|a| match a {
            RuleAttr::OifName(n) => Some(n.as_str()),
            _ => None,
        })
    }

    /// `FRA_TUN_ID`.
    pub fn tun_id(&self) -> Option<u64> {
        self.find(|a| match a {
            RuleAttr::TunId(v) => Some(*v),
            _ => None,
        })
    }

    /// `FRA_L3MDEV` is present and not 0.
    pub fn l3mdev(&self) -> bool {
        self.find(|a| match a {
            RuleAttr::L3mdev(v) => Some(*v != 0),
            _ => None,
        })
        .unwrap_or(false)
    }

    /// `FRA_UID_RANGE`.
    pub fn uid_range(&self) -> Option<UidRange> {
        self.find(|a| match a {
            RuleAttr::UidRange(r) => Some(*r),
            _ => None,
        })
    }

    /// `FRA_PROTOCOL`.
    pub fn protocol(&self) -> Option<RouteProtocol> {
        self.find(|a| match a {
            RuleAttr::Protocol(p) => Some(*p),
            _ => None,
        })
    }

    /// `FRA_IP_PROTO`.
    pub fn ip_proto(&self) -> Option<u8> {
        self.find(|a| match a {
            RuleAttr::IpProto(v) => Some(*v),
            _ => None,
        })
    }

    /// `FRA_SPORT_RANGE`.
    pub fn sport(&self) -> Option<PortRange> {
        self.find(|a| match a {
            RuleAttr::SourcePortRange(r) => Some(*r),
            _ => None,
        })
    }

    /// `FRA_DPORT_RANGE`.
    pub fn dport(&self) -> Option<PortRange> {
        self.find(|a| match a {
            RuleAttr::DestinationPortRange(r) => Some(*r),
            _ => None,
        })
    }

    /// `FRA_DSCP`.
    pub fn dscp(&self) -> Option<u8> {
        self.find(|a| match a {
            RuleAttr::Dscp(v) => Some(*v),
            _ => None,
        })
    }
}

impl Emit for RuleMessage {
    fn buffer_len(&self) -> usize {
        FIB_RULE_HDR_LEN + self.attrs.iter().map(RuleAttr::buffer_len).sum::<usize>()
    }

    fn emit(&self, b: &mut Builder<'_>) -> Result<(), EncodeError> {
        self.header.emit(b)?;
        self.attrs.iter().try_for_each(|a| a.emit(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::attr::{NLA_F_NESTED, NLA_F_NET_BYTEORDER};
    use crate::wire::{AttrIter, UnknownAttr};
    use proptest::prelude::*;

    use crate::wire::family::{AF_INET, AF_INET6};
    use crate::wire::testing::{assert_bad_attr, attr};

    /// An IPv4 header (`ip rule add ... table 100`) followed by the given attribute bytes.
    fn payload(attrs: &[u8]) -> Vec<u8> {
        let mut p = vec![AF_INET, 0, 0, 0, 100, 0, 0, 1, 0, 0, 0, 0];
        p.extend(attrs);
        p
    }

    fn round_trip(p: &[u8]) -> RuleMessage {
        crate::wire::testing::round_trip(p, RuleMessage::parse)
    }

    #[test]
    fn a_short_header_is_truncated() {
        for n in 0..FIB_RULE_HDR_LEN {
            let want = DecodeError::Truncated {
                what: "fib_rule_hdr",
                offset: 0,
                need: FIB_RULE_HDR_LEN,
                have: n,
            };
            assert_eq!(RuleMessage::parse(&vec![0; n]), Err(want.clone()));
            assert_eq!(RuleHeader::parse(&vec![0; n]), Err(want));
        }
        assert_eq!(round_trip(&[0; FIB_RULE_HDR_LEN]), RuleMessage::default());
    }

    #[test]
    fn header_fields_and_the_view() {
        let mut p = vec![AF_INET6, 64, 48, 0x10, 252, 0xaa, 0xbb, 2];
        p.extend((0x8000_0006u32).to_ne_bytes());
        p.extend(attr(FRA_TABLE, &1000u32.to_ne_bytes()));
        let v = RuleMessageBuffer::new_checked(&p[..]).unwrap();
        assert_eq!(
            (v.family(), v.dst_len(), v.src_len(), v.tos(), v.table()),
            (AF_INET6, 64, 48, 0x10, 252)
        );
        assert_eq!(v.action(), RuleAction::GOTO);
        assert!(
            v.flags()
                .contains(RuleFlags::INVERT | RuleFlags::UNRESOLVED)
        );
        assert_eq!(v.flags().bits(), 0x8000_0006, "unknown bits are kept");
        let a = v.attrs().next().unwrap().unwrap();
        assert_eq!((a.kind(), a.offset()), (FRA_TABLE, 12));
        let m = RuleMessage::parse(&p).unwrap();
        assert_eq!(m.header, v.header());
        assert_eq!(m.table(), 1000, "FRA_TABLE overrides the header's table");
        // The reserved bytes are written as zero.
        let again = m.to_vec().unwrap();
        assert_eq!(&again[5..7], [0, 0]);
        assert_eq!((&again[..5], &again[7..]), (&p[..5], &p[7..]));
    }

    #[test]
    fn action_names() {
        assert_eq!(format!("{:?}", RuleAction::PROHIBIT), "FR_ACT_PROHIBIT");
        assert_eq!(format!("{:?}", RuleAction(10)), "RuleAction(10)");
        assert_eq!(RuleAction::from(7), RuleAction::UNREACHABLE);
        assert_eq!(u8::from(RuleAction::NOP), 3);
        assert_eq!(
            attr_name(FRA_DSCP_MASK | NLA_F_NESTED),
            Some("FRA_DSCP_MASK")
        );
        assert_eq!(attr_name(31), None);
    }

    #[test]
    fn wrong_sized_values_name_the_attribute() {
        let cases: &[(u16, usize, &str)] = &[
            (FRA_DST, 5, "FRA_DST"),
            (FRA_SRC, 0, "FRA_SRC"),
            (FRA_GOTO, 2, "FRA_GOTO"),
            (FRA_PRIORITY, 8, "FRA_PRIORITY"),
            (FRA_FWMARK, 3, "FRA_FWMARK"),
            (FRA_FLOW, 1, "FRA_FLOW"),
            (FRA_TUN_ID, 4, "FRA_TUN_ID"),
            (FRA_SUPPRESS_IFGROUP, 2, "FRA_SUPPRESS_IFGROUP"),
            (FRA_SUPPRESS_PREFIXLEN, 0, "FRA_SUPPRESS_PREFIXLEN"),
            (FRA_TABLE, 5, "FRA_TABLE"),
            (FRA_FWMASK, 2, "FRA_FWMASK"),
            (FRA_L3MDEV, 4, "FRA_L3MDEV"),
            (FRA_UID_RANGE, 4, "FRA_UID_RANGE"),
            (FRA_PROTOCOL, 0, "FRA_PROTOCOL"),
            (FRA_IP_PROTO, 2, "FRA_IP_PROTO"),
            (FRA_SPORT_RANGE, 8, "FRA_SPORT_RANGE"),
            (FRA_DPORT_RANGE, 2, "FRA_DPORT_RANGE"),
            (FRA_DSCP, 4, "FRA_DSCP"),
            (FRA_FLOWLABEL, 2, "FRA_FLOWLABEL"),
            (FRA_FLOWLABEL_MASK, 8, "FRA_FLOWLABEL_MASK"),
            (FRA_SPORT_MASK, 4, "FRA_SPORT_MASK"),
            (FRA_DPORT_MASK, 1, "FRA_DPORT_MASK"),
            (FRA_DSCP_MASK, 0, "FRA_DSCP_MASK"),
        ];
        for &(kind, len, name) in cases {
            // A valid attribute first, so the bad one is at offset 20.
            let mut attrs = attr(FRA_PRIORITY, &5u32.to_ne_bytes());
            attrs.extend(attr(kind, &vec![1; len]));
            let what = format!("{name} of {len} bytes");
            assert_bad_attr(RuleMessage::parse(&payload(&attrs)), name, 20, &what);
        }
    }

    #[test]
    fn interface_names() {
        let parse = |kind, v: &[u8]| RuleMessage::parse(&payload(&attr(kind, v)));
        let m = round_trip(&payload(&attr(FRA_IIFNAME, b"veth0\0")));
        assert_eq!(m.iif_name(), Some("veth0"));
        let m = round_trip(&payload(&attr(FRA_OIFNAME, b"0123456789abcde\0")));
        assert_eq!(m.oif_name(), Some("0123456789abcde"));
        for bad in [&b"\0"[..], b"veth0", b"0123456789abcdef\0"] {
            assert!(
                matches!(
                    parse(FRA_IIFNAME, bad),
                    Err(DecodeError::BadAttr {
                        name: "FRA_IIFNAME",
                        offset: 12,
                        ..
                    })
                ),
                "{bad:?}"
            );
        }
        // Forms that would not re-encode the same are kept raw.
        for odd in [&b"veth0\0\0\0"[..], b"\xffeth\0"] {
            let m = round_trip(&payload(&attr(FRA_OIFNAME, odd)));
            assert!(matches!(m.attrs[0], RuleAttr::Unknown(_)), "{odd:?}");
            assert_eq!(m.oif_name(), None);
        }
        // Encoding refuses what the kernel would not take as it is.
        for name in ["", "0123456789abcdef", "a\0b"] {
            let m = RuleMessage::default().with(RuleAttr::IifName(name.into()));
            assert!(
                matches!(m.to_vec(), Err(EncodeError::InvalidValue { .. })),
                "{name:?}"
            );
        }
        // The error names the attribute.
        let m = RuleMessage::default().with(RuleAttr::OifName(String::new()));
        assert!(matches!(
            m.to_vec(),
            Err(EncodeError::InvalidValue {
                what: "FRA_OIFNAME",
                ..
            })
        ));
    }

    #[test]
    fn byte_orders() {
        // FRA_TUN_ID and FRA_FLOWLABEL are big endian; the port and uid ranges native.
        let mut attrs = attr(FRA_TUN_ID, &42u64.to_be_bytes());
        attrs.extend(attr(FRA_FLOWLABEL, &0x12345u32.to_be_bytes()));
        let mut ports = 1000u16.to_ne_bytes().to_vec();
        ports.extend(2000u16.to_ne_bytes());
        attrs.extend(attr(FRA_SPORT_RANGE, &ports));
        let mut uids = 100u32.to_ne_bytes().to_vec();
        uids.extend(200u32.to_ne_bytes());
        attrs.extend(attr(FRA_UID_RANGE, &uids));
        let m = round_trip(&payload(&attrs));
        assert_eq!(m.tun_id(), Some(42));
        assert_eq!(m.attrs[1], RuleAttr::FlowLabel(0x12345));
        assert_eq!(
            m.sport(),
            Some(PortRange {
                start: 1000,
                end: 2000
            })
        );
        assert_eq!(
            m.uid_range(),
            Some(UidRange {
                start: 100,
                end: 200
            })
        );
        assert_eq!(PortRange::single(80), PortRange { start: 80, end: 80 });
    }

    #[test]
    fn unknown_and_flagged_attributes_survive() {
        let mut attrs = attr(99, &[1, 2, 3]);
        attrs.extend(attr(FRA_PRIORITY | NLA_F_NET_BYTEORDER, &[0, 0, 0, 5]));
        attrs.extend(attr(FRA_TABLE | NLA_F_NESTED, &[]));
        attrs.extend(attr(FRA_PAD, &[]));
        attrs.extend(attr(FRA_UNUSED2, &[198, 18, 0, 1]));
        let m = round_trip(&payload(&attrs));
        assert!(m.attrs.iter().all(|a| matches!(a, RuleAttr::Unknown(_))));
        assert_eq!(m.priority(), None);
        assert_eq!(m.table(), 100, "the header's table");
        let kinds: Vec<u16> = m.attrs.iter().map(RuleAttr::kind).collect();
        assert_eq!(
            kinds,
            [
                99,
                FRA_PRIORITY | NLA_F_NET_BYTEORDER,
                FRA_TABLE | NLA_F_NESTED,
                FRA_PAD,
                FRA_UNUSED2
            ]
        );
    }

    #[test]
    fn bad_lengths_are_reported_with_their_offset() {
        for len in [0u16, 1, 3, 9] {
            let mut attrs = attr(FRA_PRIORITY, &[0; 4]);
            attrs.extend(len.to_ne_bytes());
            attrs.extend(FRA_TABLE.to_ne_bytes());
            attrs.extend([0; 4]);
            assert_eq!(
                RuleMessage::parse(&payload(&attrs)),
                Err(DecodeError::BadAttrLen {
                    offset: 20,
                    len: usize::from(len),
                    left: 8
                })
            );
        }
        assert!(matches!(
            RuleMessage::parse(&payload(&[8, 0])),
            Err(DecodeError::Truncated {
                what: "nlattr",
                offset: 12,
                ..
            })
        ));
    }

    #[test]
    fn getters() {
        let m = RuleMessage::new(RuleHeader {
            src_len: 24,
            dst_len: 16,
            ..RuleHeader::new(AF_INET)
        })
        .with(RuleAttr::Source("198.18.1.0".parse().unwrap()))
        .with(RuleAttr::Destination("198.18.0.0".parse().unwrap()))
        .with(RuleAttr::Priority(7))
        .with(RuleAttr::Goto(9))
        .with(RuleAttr::FwMark(0x10))
        .with(RuleAttr::FwMask(0xff))
        .with(RuleAttr::Flow(3 << 16 | 4))
        .with(RuleAttr::SuppressPrefixLen(FIB_RULE_NOT_SET))
        .with(RuleAttr::SuppressIfGroup(5))
        .with(RuleAttr::L3mdev(1))
        .with(RuleAttr::Protocol(RouteProtocol::STATIC))
        .with(RuleAttr::IpProto(6))
        .with(RuleAttr::DestinationPortRange(PortRange::single(80)))
        .with(RuleAttr::Dscp(4));
        let m = round_trip(&m.to_vec().unwrap());
        assert_eq!(m.source(), Some(("198.18.1.0".parse().unwrap(), 24)));
        assert_eq!(m.destination(), Some(("198.18.0.0".parse().unwrap(), 16)));
        assert_eq!((m.priority(), m.goto_target()), (Some(7), Some(9)));
        assert_eq!(
            (m.fwmark(), m.fwmask(), m.flow()),
            (Some(0x10), Some(0xff), Some(0x3_0004))
        );
        assert_eq!(
            (m.suppress_prefixlen(), m.suppress_ifgroup()),
            (None, Some(5))
        );
        assert!(m.l3mdev());
        assert_eq!(m.protocol(), Some(RouteProtocol::STATIC));
        assert_eq!(
            (m.ip_proto(), m.dport(), m.sport()),
            (Some(6), Some(PortRange::single(80)), None)
        );
        assert_eq!((m.dscp(), m.tun_id(), m.uid_range()), (Some(4), None, None));
        assert_eq!((m.iif_name(), m.oif_name()), (None, None));
        assert_eq!(RuleMessage::default().table(), 0);
    }

    // ---- property tests -------------------------------------------------------------------

    fn ip() -> impl Strategy<Value = IpAddr> {
        prop_oneof![
            any::<[u8; 4]>().prop_map(IpAddr::from),
            any::<[u8; 16]>().prop_map(IpAddr::from),
        ]
    }

    fn unknown() -> impl Strategy<Value = UnknownAttr> {
        let kind = prop_oneof![
            prop::sample::select(vec![FRA_UNSPEC, FRA_UNUSED2, FRA_UNUSED3, FRA_PAD]),
            31u16..0x4000,
            (0u16..0x4000).prop_map(|k| k | NLA_F_NET_BYTEORDER),
        ];
        (kind, prop::collection::vec(any::<u8>(), 0..20))
            .prop_map(|(kind, value)| UnknownAttr { kind, value })
    }

    fn rule_attr() -> impl Strategy<Value = RuleAttr> {
        use RuleAttr::*;
        let u32s: [fn(u32) -> RuleAttr; 10] = [
            Goto,
            Priority,
            FwMark,
            Flow,
            SuppressIfGroup,
            SuppressPrefixLen,
            Table,
            FwMask,
            FlowLabel,
            FlowLabelMask,
        ];
        let u8s: [fn(u8) -> RuleAttr; 5] = [L3mdev, IpProto, Dscp, DscpMask, |v| {
            Protocol(RouteProtocol(v))
        }];
        let range = (any::<u16>(), any::<u16>()).prop_map(|(start, end)| PortRange { start, end });
        prop_oneof![
            ip().prop_map(Destination),
            ip().prop_map(Source),
            "[a-z0-9.]{1,15}".prop_map(IifName),
            "[a-z0-9_-]{1,15}".prop_map(OifName),
            (0..u32s.len(), any::<u32>()).prop_map(move |(i, v)| u32s[i](v)),
            (0..u8s.len(), any::<u8>()).prop_map(move |(i, v)| u8s[i](v)),
            any::<u64>().prop_map(TunId),
            (any::<u32>(), any::<u32>())
                .prop_map(|(start, end)| UidRange(super::UidRange { start, end })),
            range.clone().prop_map(SourcePortRange),
            range.prop_map(DestinationPortRange),
            any::<u16>().prop_map(SourcePortMask),
            any::<u16>().prop_map(DestinationPortMask),
            unknown().prop_map(Unknown),
        ]
    }

    fn message() -> impl Strategy<Value = RuleMessage> {
        (
            any::<[u8; 6]>(),
            any::<u32>(),
            prop::collection::vec(rule_attr(), 0..8),
        )
            .prop_map(|(b, flags, attrs)| RuleMessage {
                header: RuleHeader {
                    family: b[0],
                    dst_len: b[1],
                    src_len: b[2],
                    tos: b[3],
                    table: b[4],
                    action: RuleAction(b[5]),
                    flags: RuleFlags::from_bits_retain(flags),
                },
                attrs,
            })
    }

    proptest! {
        #[test]
        fn parse_of_emit_is_identity(m in message()) {
            let bytes = m.to_vec().unwrap();
            prop_assert_eq!(bytes.len(), m.buffer_len());
            prop_assert_eq!(&RuleMessage::parse(&bytes).unwrap(), &m);
            let mut short = vec![0u8; bytes.len() - 1];
            prop_assert!(m.emit_to_slice(&mut short).is_err());
        }

        #[test]
        fn each_attribute_round_trips(a in rule_attr()) {
            let mut b = Builder::new();
            a.emit(&mut b).unwrap();
            prop_assert_eq!(b.len(), a.buffer_len());
            let parsed: Vec<_> = AttrIter::new(b.as_bytes())
                .map(|x| RuleAttr::parse(&x.unwrap()))
                .collect::<Result<_, _>>()
                .unwrap();
            prop_assert_eq!(parsed, vec![a]);
        }

        #[test]
        fn arbitrary_payloads_never_panic(p in prop::collection::vec(any::<u8>(), 0..128)) {
            match RuleMessage::parse(&p) {
                Ok(m) => {
                    let again = m.to_vec().unwrap();
                    prop_assert_eq!(RuleMessage::parse(&again).unwrap(), m);
                }
                Err(e) => prop_assert!(e.offset() <= p.len()),
            }
        }

        #[test]
        fn mutated_messages_never_panic(m in message(), at in any::<usize>(), v in any::<u8>()) {
            let mut bytes = m.to_vec().unwrap();
            let i = at % bytes.len();
            bytes[i] = v;
            if let Ok(m) = RuleMessage::parse(&bytes) {
                let again = m.to_vec().unwrap();
                prop_assert_eq!(RuleMessage::parse(&again).unwrap(), m);
            }
        }
    }
}
