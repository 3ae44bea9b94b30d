//! macvlan and macvtap data: `IFLA_MACVLAN_*` (linux/if_link.h).

use crate::wire::attr_enum::AttrValue;
use crate::wire::{Attr, Builder, DecodeError, EncodeError};

/// `IFLA_MACVLAN_MODE` (u32, see [`MacvlanMode`]).
pub const IFLA_MACVLAN_MODE: u16 = 1;
/// `IFLA_MACVLAN_FLAGS` (u16, `MACVLAN_FLAG_*`).
pub const IFLA_MACVLAN_FLAGS: u16 = 2;
/// `IFLA_MACVLAN_MACADDR_MODE` (u32, `MACVLAN_MACADDR_*`).
pub const IFLA_MACVLAN_MACADDR_MODE: u16 = 3;
/// `IFLA_MACVLAN_MACADDR` (6-byte MAC).
pub const IFLA_MACVLAN_MACADDR: u16 = 4;
/// `IFLA_MACVLAN_MACADDR_DATA` (nest of `IFLA_MACVLAN_MACADDR`).
pub const IFLA_MACVLAN_MACADDR_DATA: u16 = 5;
/// `IFLA_MACVLAN_MACADDR_COUNT` (u32).
pub const IFLA_MACVLAN_MACADDR_COUNT: u16 = 6;
/// `IFLA_MACVLAN_BC_QUEUE_LEN` (u32).
pub const IFLA_MACVLAN_BC_QUEUE_LEN: u16 = 7;
/// `IFLA_MACVLAN_BC_QUEUE_LEN_USED` (u32).
pub const IFLA_MACVLAN_BC_QUEUE_LEN_USED: u16 = 8;
/// `IFLA_MACVLAN_BC_CUTOFF` (s32).
pub const IFLA_MACVLAN_BC_CUTOFF: u16 = 9;

/// `enum macvlan_mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MacvlanMode {
    /// `MACVLAN_MODE_PRIVATE` (1): no traffic between macvlans.
    Private,
    /// `MACVLAN_MODE_VEPA` (2): traffic between macvlans goes through the external switch.
    Vepa,
    /// `MACVLAN_MODE_BRIDGE` (4): macvlans talk to each other directly.
    Bridge,
    /// `MACVLAN_MODE_PASSTHRU` (8): takes over the lower device.
    Passthru,
    /// `MACVLAN_MODE_SOURCE` (16): selected by source MAC.
    Source,
    /// A value this crate has no name for.
    Other(u32),
}

impl From<u32> for MacvlanMode {
    fn from(v: u32) -> Self {
        match v {
            1 => MacvlanMode::Private,
            2 => MacvlanMode::Vepa,
            4 => MacvlanMode::Bridge,
            8 => MacvlanMode::Passthru,
            16 => MacvlanMode::Source,
            other => MacvlanMode::Other(other),
        }
    }
}

impl From<MacvlanMode> for u32 {
    fn from(m: MacvlanMode) -> u32 {
        match m {
            MacvlanMode::Private => 1,
            MacvlanMode::Vepa => 2,
            MacvlanMode::Bridge => 4,
            MacvlanMode::Passthru => 8,
            MacvlanMode::Source => 16,
            MacvlanMode::Other(v) => v,
        }
    }
}

impl AttrValue for MacvlanMode {
    fn parse_value(a: &Attr<'_>, name: &'static str, _: usize) -> Result<Self, DecodeError> {
        a.u32(name).map(MacvlanMode::from)
    }
    fn value_len(&self) -> usize {
        4
    }
    fn emit_value(&self, b: &mut Builder<'_>, kind: u16) -> Result<(), EncodeError> {
        b.attr_u32(kind, u32::from(*self))
    }
}

attribute_enum! {
    /// An `IFLA_MACVLAN_*` attribute (macvlan and macvtap `IFLA_INFO_DATA`).
    pub enum MacvlanAttr {
        /// `IFLA_MACVLAN_MODE`.
        Mode(MacvlanMode) = IFLA_MACVLAN_MODE: custom,
        /// `IFLA_MACVLAN_FLAGS` (`MACVLAN_FLAG_NOPROMISC` 1, `MACVLAN_FLAG_NODST` 2).
        Flags(u16) = IFLA_MACVLAN_FLAGS: u16,
        /// `IFLA_MACVLAN_MACADDR_MODE` (add 0, del 1, flush 2, set 3).
        MacaddrMode(u32) = IFLA_MACVLAN_MACADDR_MODE: u32,
        /// `IFLA_MACVLAN_MACADDR`.
        Macaddr([u8; 6]) = IFLA_MACVLAN_MACADDR: mac,
        /// `IFLA_MACVLAN_MACADDR_DATA`: the nest's value as read.
        MacaddrData(Vec<u8>) = IFLA_MACVLAN_MACADDR_DATA: bytes,
        /// `IFLA_MACVLAN_MACADDR_COUNT`.
        MacaddrCount(u32) = IFLA_MACVLAN_MACADDR_COUNT: u32,
        /// `IFLA_MACVLAN_BC_QUEUE_LEN`.
        BcQueueLen(u32) = IFLA_MACVLAN_BC_QUEUE_LEN: u32,
        /// `IFLA_MACVLAN_BC_QUEUE_LEN_USED`.
        BcQueueLenUsed(u32) = IFLA_MACVLAN_BC_QUEUE_LEN_USED: u32,
        /// `IFLA_MACVLAN_BC_CUTOFF`.
        BcCutoff(i32) = IFLA_MACVLAN_BC_CUTOFF: i32,
    }
}
