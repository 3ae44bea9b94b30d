//! SR-IOV virtual functions: `IFLA_VFINFO_LIST` and the `IFLA_VF_*` attributes of each
//! `IFLA_VF_INFO` (linux/if_link.h), what `ip link show` prints as `vf N link/ether ...,
//! vlan ..., spoof checking ..., link-state ..., trust ...`.
//!
//! A physical function's `RTM_NEWLINK` (dumped with `IFLA_EXT_MASK` holding
//! [`super::RTEXT_FILTER_VF`]) carries `IFLA_NUM_VF` and a list with one `IFLA_VF_INFO` nest
//! per virtual function. Each value is a fixed C struct starting with the VF's index; they
//! are typed here ([`VfMac`], [`VfVlan`], [`VfSetting`], ...). Nest members of other types,
//! or with flag bits, are kept as [`UnknownAttr`]; a known member of the wrong size is a
//! [`DecodeError::BadAttr`] naming it. Struct padding is ignored on read and written as
//! zero.
//!
//! ```
//! use netplumb::wire::link::{LinkAttr, LinkMessage, VfAttr, VfEntry, VfInfoList, VfMac, VfSetting};
//! use netplumb::wire::Emit;
//! let vf0 = vec![
//!     VfAttr::Mac(VfMac::new(0, [2, 0, 0, 0, 0, 1])),
//!     VfAttr::SpoofChk(VfSetting { vf: 0, setting: 1 }),
//! ];
//! let pf = LinkMessage::new(4).with(LinkAttr::VfInfoList(VfInfoList(vec![VfEntry::Info(vf0)])));
//! let back = LinkMessage::parse(&pf.to_vec().unwrap()).unwrap();
//! let vfs: Vec<_> = back.vfs().collect();
//! assert_eq!(vfs[0].mac().map(|m| m.address(6)), Some(&[2, 0, 0, 0, 0, 1][..]));
//! assert_eq!(vfs[0].spoofchk(), Some(true));
//! ```

use super::{LinkAttr, LinkMessage};
use crate::wire::attr::{Attr, UnknownAttr};
use crate::wire::attr_enum::{AttrValue, emit_list, list_len, nest, parse_list};
use crate::wire::builder::attr_size;
use crate::wire::{Builder, DecodeError, EncodeError, read_array, read_field};

/// `IFLA_VF_INFO_UNSPEC`.
pub const IFLA_VF_INFO_UNSPEC: u16 = 0;
/// `IFLA_VF_INFO`: one virtual function (nest of `IFLA_VF_*`).
pub const IFLA_VF_INFO: u16 = 1;

/// `IFLA_VF_UNSPEC`.
pub const IFLA_VF_UNSPEC: u16 = 0;
/// `IFLA_VF_MAC`: `struct ifla_vf_mac` (index, 32 address bytes).
pub const IFLA_VF_MAC: u16 = 1;
/// `IFLA_VF_VLAN`: `struct ifla_vf_vlan` (index, VLAN id, QoS).
pub const IFLA_VF_VLAN: u16 = 2;
/// `IFLA_VF_TX_RATE`: `struct ifla_vf_tx_rate` (index, max rate in Mbit/s; superseded by
/// `IFLA_VF_RATE`).
pub const IFLA_VF_TX_RATE: u16 = 3;
/// `IFLA_VF_SPOOFCHK`: `struct ifla_vf_spoofchk` (index, setting; -1 when not reported).
pub const IFLA_VF_SPOOFCHK: u16 = 4;
/// `IFLA_VF_LINK_STATE`: `struct ifla_vf_link_state` (index, `IFLA_VF_LINK_STATE_*`).
pub const IFLA_VF_LINK_STATE: u16 = 5;
/// `IFLA_VF_RATE`: `struct ifla_vf_rate` (index, min and max rate in Mbit/s).
pub const IFLA_VF_RATE: u16 = 6;
/// `IFLA_VF_RSS_QUERY_EN`: `struct ifla_vf_rss_query_en` (index, setting).
pub const IFLA_VF_RSS_QUERY_EN: u16 = 7;
/// `IFLA_VF_STATS`: counters (nest of `IFLA_VF_STATS_*`, u64 each).
pub const IFLA_VF_STATS: u16 = 8;
/// `IFLA_VF_TRUST`: `struct ifla_vf_trust` (index, setting).
pub const IFLA_VF_TRUST: u16 = 9;
/// `IFLA_VF_IB_NODE_GUID`: `struct ifla_vf_guid` (InfiniBand node GUID).
pub const IFLA_VF_IB_NODE_GUID: u16 = 10;
/// `IFLA_VF_IB_PORT_GUID`: `struct ifla_vf_guid` (InfiniBand port GUID).
pub const IFLA_VF_IB_PORT_GUID: u16 = 11;
/// `IFLA_VF_VLAN_LIST`: nest of `IFLA_VF_VLAN_INFO` (VLAN id, QoS and protocol).
pub const IFLA_VF_VLAN_LIST: u16 = 12;
/// `IFLA_VF_BROADCAST`: `struct ifla_vf_broadcast` (32 address bytes).
pub const IFLA_VF_BROADCAST: u16 = 13;

/// `IFLA_VF_VLAN_INFO_UNSPEC`.
pub const IFLA_VF_VLAN_INFO_UNSPEC: u16 = 0;
/// `IFLA_VF_VLAN_INFO`: `struct ifla_vf_vlan_info`.
pub const IFLA_VF_VLAN_INFO: u16 = 1;

/// `IFLA_VF_STATS_RX_PACKETS`.
pub const IFLA_VF_STATS_RX_PACKETS: u16 = 0;
/// `IFLA_VF_STATS_TX_PACKETS`.
pub const IFLA_VF_STATS_TX_PACKETS: u16 = 1;
/// `IFLA_VF_STATS_RX_BYTES`.
pub const IFLA_VF_STATS_RX_BYTES: u16 = 2;
/// `IFLA_VF_STATS_TX_BYTES`.
pub const IFLA_VF_STATS_TX_BYTES: u16 = 3;
/// `IFLA_VF_STATS_BROADCAST`.
pub const IFLA_VF_STATS_BROADCAST: u16 = 4;
/// `IFLA_VF_STATS_MULTICAST`.
pub const IFLA_VF_STATS_MULTICAST: u16 = 5;
/// `IFLA_VF_STATS_PAD`: alignment padding.
pub const IFLA_VF_STATS_PAD: u16 = 6;
/// `IFLA_VF_STATS_RX_DROPPED`.
pub const IFLA_VF_STATS_RX_DROPPED: u16 = 7;
/// `IFLA_VF_STATS_TX_DROPPED`.
pub const IFLA_VF_STATS_TX_DROPPED: u16 = 8;

/// `IFLA_VF_LINK_STATE_AUTO`: the VF's link follows the physical function's.
pub const IFLA_VF_LINK_STATE_AUTO: u32 = 0;
/// `IFLA_VF_LINK_STATE_ENABLE`: the VF's link is up whatever the PF's state.
pub const IFLA_VF_LINK_STATE_ENABLE: u32 = 1;
/// `IFLA_VF_LINK_STATE_DISABLE`: the VF's link is down.
pub const IFLA_VF_LINK_STATE_DISABLE: u32 = 2;

/// The size of the address arrays in `struct ifla_vf_mac` and `struct ifla_vf_broadcast`
/// (`MAX_ADDR_LEN`).
pub const VF_ADDR_LEN: usize = 32;

/// `sizeof(struct ifla_vf_guid)`: a u32 and a u64, so 16 where a u64 is 8-aligned (every
/// 64-bit architecture) and 12 where it is 4-aligned (i386).
const VF_GUID_LEN: usize = 4 + (std::mem::align_of::<u64>() - 4) + 8;

/// `sizeof(struct ifla_vf_vlan_info)`: three u32 and a u16, padded to 16.
const VF_VLAN_INFO_LEN: usize = 16;

/// Byte offsets inside the `struct ifla_vf_*` values that are read field by field.
mod field {
    use crate::wire::Field;
    /// `vf` (u32): the VF's index, first in every `struct ifla_vf_*`.
    pub const VF: Field = 0..4;
    /// `struct ifla_vf_mac`: `mac` (32 bytes).
    pub const MAC: usize = 4;
    /// `struct ifla_vf_vlan_info`: `vlan` (u32).
    pub const VLAN: Field = 4..8;
    /// `struct ifla_vf_vlan_info`: `qos` (u32).
    pub const QOS: Field = 8..12;
    /// `struct ifla_vf_vlan_info`: `vlan_proto` (u16, big endian).
    pub const VLAN_PROTO: usize = 12;
    /// `struct ifla_vf_guid`: `guid` (u64), after `vf` and, where a u64 is 8-aligned, padding.
    pub const GUID: usize = super::VF_GUID_LEN - 8;
}

/// The value of `a` as `N` native-endian u32 words, or `BadAttr` naming it.
fn words<const N: usize>(a: &Attr<'_>, name: &'static str) -> Result<[u32; N], DecodeError> {
    crate::wire::u32_words::<N>(a, name, "wrong size for its struct")
}

/// `words` as bytes, for emitting.
fn word_bytes(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_ne_bytes()).collect()
}

/// `struct ifla_vf_mac`: the VF's index and its address in the first bytes of 32.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VfMac {
    /// The VF's index.
    pub vf: u32,
    /// The address, in the first bytes (6 for Ethernet, 20 for InfiniBand); the rest zero.
    pub mac: [u8; VF_ADDR_LEN],
}

impl VfMac {
    /// The VF `vf` with the Ethernet address `mac`.
    pub fn new(vf: u32, mac: [u8; 6]) -> Self {
        let mut all = [0u8; VF_ADDR_LEN];
        for (d, s) in all.iter_mut().zip(mac) {
            *d = s;
        }
        VfMac { vf, mac: all }
    }

    /// The first `len` bytes of the address (6 for Ethernet: `ifi_type` says which).
    pub fn address(&self, len: usize) -> &[u8] {
        self.mac.get(..len).unwrap_or(&self.mac)
    }

    fn parse(a: &Attr<'_>) -> Result<Self, DecodeError> {
        let v: [u8; 4 + VF_ADDR_LEN] =
            a.struct_bytes("IFLA_VF_MAC", "expected 36 bytes (struct ifla_vf_mac)")?;
        Ok(VfMac {
            vf: read_field::<u32>(&v, field::VF),
            mac: read_array(&v, field::MAC, "IFLA_VF_MAC")?,
        })
    }

    fn bytes(&self) -> Vec<u8> {
        let mut v = self.vf.to_ne_bytes().to_vec();
        v.extend_from_slice(&self.mac);
        v
    }
}

/// `struct ifla_vf_vlan`: the VF's VLAN (0 for none) and QoS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct VfVlan {
    /// The VF's index.
    pub vf: u32,
    /// VLAN id, 0 for none.
    pub vlan: u32,
    /// Priority (QoS) bits.
    pub qos: u32,
}

/// `struct ifla_vf_vlan_info` (in `IFLA_VF_VLAN_LIST`): a VLAN with its protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct VfVlanInfo {
    /// The VF's index.
    pub vf: u32,
    /// VLAN id, 0 for none.
    pub vlan: u32,
    /// Priority (QoS) bits.
    pub qos: u32,
    /// The VLAN protocol (`ETH_P_8021Q` 0x8100, `ETH_P_8021AD` 0x88a8), host order here,
    /// big endian on the wire.
    pub protocol: u16,
}

impl VfVlanInfo {
    fn parse(a: &Attr<'_>) -> Result<Self, DecodeError> {
        let v: [u8; VF_VLAN_INFO_LEN] = a.struct_bytes(
            "IFLA_VF_VLAN_INFO",
            "expected 16 bytes (struct ifla_vf_vlan_info)",
        )?;
        Ok(VfVlanInfo {
            vf: read_field::<u32>(&v, field::VF),
            vlan: read_field::<u32>(&v, field::VLAN),
            qos: read_field::<u32>(&v, field::QOS),
            protocol: u16::from_be_bytes(read_array(&v, field::VLAN_PROTO, "IFLA_VF_VLAN_INFO")?),
        })
    }

    fn bytes(&self) -> Vec<u8> {
        let mut v = word_bytes(&[self.vf, self.vlan, self.qos]);
        v.extend_from_slice(&self.protocol.to_be_bytes());
        v.extend_from_slice(&[0, 0]);
        v
    }
}

/// `struct ifla_vf_tx_rate`: the VF's maximum transmit rate (the older attribute).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct VfTxRate {
    /// The VF's index.
    pub vf: u32,
    /// Maximum rate in Mbit/s, 0 for no limit.
    pub rate: u32,
}

/// `struct ifla_vf_rate`: the VF's transmit rate limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct VfRate {
    /// The VF's index.
    pub vf: u32,
    /// Minimum (guaranteed) rate in Mbit/s, 0 for none.
    pub min_tx_rate: u32,
    /// Maximum rate in Mbit/s, 0 for no limit.
    pub max_tx_rate: u32,
}

/// The structs that hold one setting: `ifla_vf_spoofchk`, `ifla_vf_link_state`,
/// `ifla_vf_rss_query_en`, `ifla_vf_trust`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct VfSetting {
    /// The VF's index.
    pub vf: u32,
    /// The setting: 0 off, 1 on (for the link state an `IFLA_VF_LINK_STATE_*`); `u32::MAX`
    /// (-1) when the driver does not report it.
    pub setting: u32,
}

impl VfSetting {
    /// `Some(on)` unless the setting is not reported (-1).
    pub fn on(&self) -> Option<bool> {
        (self.setting != u32::MAX).then_some(self.setting != 0)
    }
}

/// `struct ifla_vf_guid`: an InfiniBand GUID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct VfGuid {
    /// The VF's index.
    pub vf: u32,
    /// The GUID.
    pub guid: u64,
}

impl VfGuid {
    fn parse(a: &Attr<'_>, name: &'static str) -> Result<Self, DecodeError> {
        let v: [u8; VF_GUID_LEN] = a.struct_bytes(name, "wrong size for struct ifla_vf_guid")?;
        Ok(VfGuid {
            vf: read_field::<u32>(&v, field::VF),
            guid: u64::from_ne_bytes(read_array(&v, field::GUID, name)?),
        })
    }

    fn bytes(&self) -> Vec<u8> {
        let mut v = self.vf.to_ne_bytes().to_vec();
        v.resize(VF_GUID_LEN - 8, 0);
        v.extend_from_slice(&self.guid.to_ne_bytes());
        v
    }
}

attribute_enum! {
    /// One member of `IFLA_VF_STATS`; `Unknown` keeps `IFLA_VF_STATS_PAD`, other types and
    /// flagged ones as read.
    pub enum VfStat {
        /// `IFLA_VF_STATS_RX_PACKETS`.
        RxPackets(u64) = IFLA_VF_STATS_RX_PACKETS: u64,
        /// `IFLA_VF_STATS_TX_PACKETS`.
        TxPackets(u64) = IFLA_VF_STATS_TX_PACKETS: u64,
        /// `IFLA_VF_STATS_RX_BYTES`.
        RxBytes(u64) = IFLA_VF_STATS_RX_BYTES: u64,
        /// `IFLA_VF_STATS_TX_BYTES`.
        TxBytes(u64) = IFLA_VF_STATS_TX_BYTES: u64,
        /// `IFLA_VF_STATS_BROADCAST`.
        Broadcast(u64) = IFLA_VF_STATS_BROADCAST: u64,
        /// `IFLA_VF_STATS_MULTICAST`.
        Multicast(u64) = IFLA_VF_STATS_MULTICAST: u64,
        /// `IFLA_VF_STATS_RX_DROPPED`.
        RxDropped(u64) = IFLA_VF_STATS_RX_DROPPED: u64,
        /// `IFLA_VF_STATS_TX_DROPPED`.
        TxDropped(u64) = IFLA_VF_STATS_TX_DROPPED: u64,
    }
    unknown_kind = raw;
}

impl VfStat {
    /// The counter's type and value, `None` for [`VfStat::Unknown`].
    pub fn counter(&self) -> Option<(u16, u64)> {
        Some(match *self {
            VfStat::RxPackets(v) => (IFLA_VF_STATS_RX_PACKETS, v),
            VfStat::TxPackets(v) => (IFLA_VF_STATS_TX_PACKETS, v),
            VfStat::RxBytes(v) => (IFLA_VF_STATS_RX_BYTES, v),
            VfStat::TxBytes(v) => (IFLA_VF_STATS_TX_BYTES, v),
            VfStat::Broadcast(v) => (IFLA_VF_STATS_BROADCAST, v),
            VfStat::Multicast(v) => (IFLA_VF_STATS_MULTICAST, v),
            VfStat::RxDropped(v) => (IFLA_VF_STATS_RX_DROPPED, v),
            VfStat::TxDropped(v) => (IFLA_VF_STATS_TX_DROPPED, v),
            VfStat::Unknown(_) => return None,
        })
    }
}

/// One member of `IFLA_VF_VLAN_LIST`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VfVlanEntry {
    /// `IFLA_VF_VLAN_INFO`.
    Info(VfVlanInfo),
    /// Any other member, as read.
    Unknown(UnknownAttr),
}

/// One attribute of an `IFLA_VF_INFO` nest.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VfAttr {
    /// `IFLA_VF_MAC`.
    Mac(VfMac),
    /// `IFLA_VF_VLAN`.
    Vlan(VfVlan),
    /// `IFLA_VF_TX_RATE`.
    TxRate(VfTxRate),
    /// `IFLA_VF_SPOOFCHK`.
    SpoofChk(VfSetting),
    /// `IFLA_VF_LINK_STATE` (setting `IFLA_VF_LINK_STATE_*`).
    LinkState(VfSetting),
    /// `IFLA_VF_RATE`.
    Rate(VfRate),
    /// `IFLA_VF_RSS_QUERY_EN`.
    RssQueryEn(VfSetting),
    /// `IFLA_VF_STATS`.
    Stats(Vec<VfStat>),
    /// `IFLA_VF_TRUST`.
    Trust(VfSetting),
    /// `IFLA_VF_IB_NODE_GUID`.
    IbNodeGuid(VfGuid),
    /// `IFLA_VF_IB_PORT_GUID`.
    IbPortGuid(VfGuid),
    /// `IFLA_VF_VLAN_LIST`.
    VlanList(Vec<VfVlanEntry>),
    /// `IFLA_VF_BROADCAST`: the broadcast address in the first bytes of 32.
    Broadcast([u8; VF_ADDR_LEN]),
    /// Any other attribute, or a known one with flag bits, as read.
    Unknown(UnknownAttr),
}

impl VfAttr {
    fn parse(a: &Attr<'_>, base: usize) -> Result<Self, DecodeError> {
        if a.raw_kind() != a.kind() {
            return Ok(VfAttr::Unknown(a.to_unknown()));
        }
        let setting = |name| words::<2>(a, name).map(|[vf, setting]| VfSetting { vf, setting });
        Ok(match a.kind() {
            IFLA_VF_MAC => VfAttr::Mac(VfMac::parse(a)?),
            IFLA_VF_VLAN => {
                let [vf, vlan, qos] = words::<3>(a, "IFLA_VF_VLAN")?;
                VfAttr::Vlan(VfVlan { vf, vlan, qos })
            }
            IFLA_VF_TX_RATE => {
                let [vf, rate] = words::<2>(a, "IFLA_VF_TX_RATE")?;
                VfAttr::TxRate(VfTxRate { vf, rate })
            }
            IFLA_VF_SPOOFCHK => VfAttr::SpoofChk(setting("IFLA_VF_SPOOFCHK")?),
            IFLA_VF_LINK_STATE => VfAttr::LinkState(setting("IFLA_VF_LINK_STATE")?),
            IFLA_VF_RATE => {
                let [vf, min_tx_rate, max_tx_rate] = words::<3>(a, "IFLA_VF_RATE")?;
                VfAttr::Rate(VfRate {
                    vf,
                    min_tx_rate,
                    max_tx_rate,
                })
            }
            IFLA_VF_RSS_QUERY_EN => VfAttr::RssQueryEn(setting("IFLA_VF_RSS_QUERY_EN")?),
            IFLA_VF_STATS => VfAttr::Stats(parse_list(a, base)?),
            IFLA_VF_TRUST => VfAttr::Trust(setting("IFLA_VF_TRUST")?),
            IFLA_VF_IB_NODE_GUID => VfAttr::IbNodeGuid(VfGuid::parse(a, "IFLA_VF_IB_NODE_GUID")?),
            IFLA_VF_IB_PORT_GUID => VfAttr::IbPortGuid(VfGuid::parse(a, "IFLA_VF_IB_PORT_GUID")?),
            IFLA_VF_VLAN_LIST => VfAttr::VlanList(
                nest(a, base)?
                    .map(|v| {
                        v.and_then(|v| match v.raw_kind() {
                            IFLA_VF_VLAN_INFO => VfVlanInfo::parse(&v).map(VfVlanEntry::Info),
                            _ => Ok(VfVlanEntry::Unknown(v.to_unknown())),
                        })
                    })
                    .collect::<Result<_, _>>()?,
            ),
            IFLA_VF_BROADCAST => VfAttr::Broadcast(a.struct_bytes(
                "IFLA_VF_BROADCAST",
                "expected 32 bytes (struct ifla_vf_broadcast)",
            )?),
            _ => VfAttr::Unknown(a.to_unknown()),
        })
    }

    /// The attribute type (flag bits included for [`VfAttr::Unknown`]).
    pub fn kind(&self) -> u16 {
        match self {
            VfAttr::Mac(_) => IFLA_VF_MAC,
            VfAttr::Vlan(_) => IFLA_VF_VLAN,
            VfAttr::TxRate(_) => IFLA_VF_TX_RATE,
            VfAttr::SpoofChk(_) => IFLA_VF_SPOOFCHK,
            VfAttr::LinkState(_) => IFLA_VF_LINK_STATE,
            VfAttr::Rate(_) => IFLA_VF_RATE,
            VfAttr::RssQueryEn(_) => IFLA_VF_RSS_QUERY_EN,
            VfAttr::Stats(_) => IFLA_VF_STATS,
            VfAttr::Trust(_) => IFLA_VF_TRUST,
            VfAttr::IbNodeGuid(_) => IFLA_VF_IB_NODE_GUID,
            VfAttr::IbPortGuid(_) => IFLA_VF_IB_PORT_GUID,
            VfAttr::VlanList(_) => IFLA_VF_VLAN_LIST,
            VfAttr::Broadcast(_) => IFLA_VF_BROADCAST,
            VfAttr::Unknown(u) => u.kind,
        }
    }

    /// Bytes taken on the wire, padding included.
    pub fn buffer_len(&self) -> usize {
        attr_size(match self {
            VfAttr::Mac(_) => 4 + VF_ADDR_LEN,
            VfAttr::Vlan(_) | VfAttr::Rate(_) => 12,
            VfAttr::TxRate(_)
            | VfAttr::SpoofChk(_)
            | VfAttr::LinkState(_)
            | VfAttr::RssQueryEn(_)
            | VfAttr::Trust(_) => 8,
            VfAttr::IbNodeGuid(_) | VfAttr::IbPortGuid(_) => VF_GUID_LEN,
            VfAttr::Broadcast(_) => VF_ADDR_LEN,
            VfAttr::Stats(s) => list_len(s),
            VfAttr::VlanList(l) => l
                .iter()
                .map(|e| match e {
                    VfVlanEntry::Info(_) => attr_size(VF_VLAN_INFO_LEN),
                    VfVlanEntry::Unknown(u) => u.buffer_len(),
                })
                .sum(),
            VfAttr::Unknown(u) => u.value.len(),
        })
    }

    /// Appends the attribute.
    pub fn emit(&self, b: &mut Builder<'_>) -> Result<(), EncodeError> {
        let k = self.kind();
        match self {
            VfAttr::Mac(m) => b.attr(k, &m.bytes()),
            VfAttr::Vlan(v) => b.attr(k, &word_bytes(&[v.vf, v.vlan, v.qos])),
            VfAttr::TxRate(r) => b.attr(k, &word_bytes(&[r.vf, r.rate])),
            VfAttr::SpoofChk(s)
            | VfAttr::LinkState(s)
            | VfAttr::RssQueryEn(s)
            | VfAttr::Trust(s) => b.attr(k, &word_bytes(&[s.vf, s.setting])),
            VfAttr::Rate(r) => b.attr(k, &word_bytes(&[r.vf, r.min_tx_rate, r.max_tx_rate])),
            VfAttr::IbNodeGuid(g) | VfAttr::IbPortGuid(g) => b.attr(k, &g.bytes()),
            VfAttr::Broadcast(a) => b.attr(k, a),
            VfAttr::Stats(s) => emit_list(b, k, s),
            VfAttr::VlanList(l) => b.nested(k, |b| {
                l.iter().try_for_each(|e| match e {
                    VfVlanEntry::Info(i) => b.attr(IFLA_VF_VLAN_INFO, &i.bytes()),
                    VfVlanEntry::Unknown(u) => u.emit(b),
                })
            }),
            VfAttr::Unknown(u) => u.emit(b),
        }
    }
}

/// One member of `IFLA_VFINFO_LIST`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VfEntry {
    /// `IFLA_VF_INFO`: one virtual function's attributes, in wire order.
    Info(Vec<VfAttr>),
    /// Any other member, or one with flag bits, as read.
    Unknown(UnknownAttr),
}

/// `IFLA_VFINFO_LIST`: the virtual functions of a physical function.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VfInfoList(pub Vec<VfEntry>);

impl VfInfoList {
    /// The virtual functions (the `IFLA_VF_INFO` members).
    pub fn vfs(&self) -> impl Iterator<Item = VfInfo<'_>> {
        self.0.iter().filter_map(|e| match e {
            VfEntry::Info(attrs) => Some(VfInfo(attrs)),
            VfEntry::Unknown(_) => None,
        })
    }
}

impl AttrValue for VfInfoList {
    fn parse_value(a: &Attr<'_>, _: &'static str, base: usize) -> Result<Self, DecodeError> {
        let mut list = Vec::new();
        for e in nest(a, base)? {
            let e = e?;
            list.push(if e.raw_kind() == IFLA_VF_INFO {
                VfEntry::Info(
                    nest(&e, base)?
                        .map(|v| v.and_then(|v| VfAttr::parse(&v, base)))
                        .collect::<Result<_, _>>()?,
                )
            } else {
                VfEntry::Unknown(e.to_unknown())
            });
        }
        Ok(VfInfoList(list))
    }

    fn value_len(&self) -> usize {
        self.0
            .iter()
            .map(|e| match e {
                VfEntry::Info(attrs) => attr_size(attrs.iter().map(VfAttr::buffer_len).sum()),
                VfEntry::Unknown(u) => u.buffer_len(),
            })
            .sum()
    }

    /// Writes the list as iproute2 and the kernel do: nests without `NLA_F_NESTED`.
    fn emit_value(&self, b: &mut Builder<'_>, kind: u16) -> Result<(), EncodeError> {
        b.nested(kind, |b| {
            self.0.iter().try_for_each(|e| match e {
                VfEntry::Info(attrs) => {
                    b.nested(IFLA_VF_INFO, |b| attrs.iter().try_for_each(|a| a.emit(b)))
                }
                VfEntry::Unknown(u) => u.emit(b),
            })
        })
    }
}

/// A view of one virtual function's attributes, with getters for what `ip link show` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VfInfo<'a>(pub &'a [VfAttr]);

impl<'a> VfInfo<'a> {
    fn find<R>(&self, f: impl FnMut(&'a VfAttr) -> Option<R>) -> Option<R> {
        self.0.iter().find_map(f)
    }

    /// The VF's index, from its first struct (`IFLA_VF_MAC` in what the kernel sends).
    pub fn index(&self) -> Option<u32> {
        self.find(|a| match a {
            VfAttr::Mac(m) => Some(m.vf),
            VfAttr::Vlan(v) => Some(v.vf),
            VfAttr::TxRate(r) => Some(r.vf),
            VfAttr::Rate(r) => Some(r.vf),
            VfAttr::SpoofChk(s) | VfAttr::LinkState(s) | VfAttr::Trust(s) => Some(s.vf),
            _ => None,
        })
    }
    /// `IFLA_VF_MAC`.
    pub fn mac(&self) -> Option<&'a VfMac> {
        self.find(|a| match a {
            VfAttr::Mac(m) => Some(m),
            _ => None,
        })
    }
    /// `IFLA_VF_BROADCAST`.
    pub fn broadcast(&self) -> Option<&'a [u8; VF_ADDR_LEN]> {
        self.find(|a| match a {
            VfAttr::Broadcast(b) => Some(b),
            _ => None,
        })
    }
    /// `IFLA_VF_VLAN`.
    pub fn vlan(&self) -> Option<VfVlan> {
        self.find(|a| match a {
            VfAttr::Vlan(v) => Some(*v),
            _ => None,
        })
    }
    /// `IFLA_VF_VLAN_LIST`: the VLANs with their protocols (what `ip` prints instead of
    /// `IFLA_VF_VLAN` when present).
    pub fn vlan_list(&self) -> Option<Vec<VfVlanInfo>> {
        self.find(|a| match a {
            VfAttr::VlanList(l) => Some(
                l.iter()
                    .filter_map(|e| match e {
                        VfVlanEntry::Info(i) => Some(*i),
                        VfVlanEntry::Unknown(_) => None,
                    })
                    .collect(),
            ),
            _ => None,
        })
    }
    /// `IFLA_VF_TX_RATE`.
    pub fn tx_rate(&self) -> Option<VfTxRate> {
        self.find(|a| match a {
            VfAttr::TxRate(r) => Some(*r),
            _ => None,
        })
    }
    /// `IFLA_VF_RATE`.
    pub fn rate(&self) -> Option<VfRate> {
        self.find(|a| match a {
            VfAttr::Rate(r) => Some(*r),
            _ => None,
        })
    }
    fn setting(&self, f: fn(&VfAttr) -> Option<VfSetting>) -> Option<VfSetting> {
        self.0.iter().find_map(f)
    }
    /// `IFLA_VF_SPOOFCHK`: `None` when absent or not reported (-1).
    pub fn spoofchk(&self) -> Option<bool> {
        self.setting(|a| match a {
            VfAttr::SpoofChk(s) => Some(*s),
            _ => None,
        })
        .and_then(|s| s.on())
    }
    /// `IFLA_VF_LINK_STATE`: an `IFLA_VF_LINK_STATE_*` value.
    pub fn link_state(&self) -> Option<u32> {
        self.setting(|a| match a {
            VfAttr::LinkState(s) => Some(*s),
            _ => None,
        })
        .map(|s| s.setting)
    }
    /// `IFLA_VF_TRUST`: `None` when absent or not reported (-1).
    pub fn trust(&self) -> Option<bool> {
        self.setting(|a| match a {
            VfAttr::Trust(s) => Some(*s),
            _ => None,
        })
        .and_then(|s| s.on())
    }
    /// `IFLA_VF_RSS_QUERY_EN`: `None` when absent or not reported (-1).
    pub fn rss_query_en(&self) -> Option<bool> {
        self.setting(|a| match a {
            VfAttr::RssQueryEn(s) => Some(*s),
            _ => None,
        })
        .and_then(|s| s.on())
    }
    /// `IFLA_VF_IB_NODE_GUID`.
    pub fn node_guid(&self) -> Option<u64> {
        self.find(|a| match a {
            VfAttr::IbNodeGuid(g) => Some(g.guid),
            _ => None,
        })
    }
    /// `IFLA_VF_IB_PORT_GUID`.
    pub fn port_guid(&self) -> Option<u64> {
        self.find(|a| match a {
            VfAttr::IbPortGuid(g) => Some(g.guid),
            _ => None,
        })
    }
    /// `IFLA_VF_STATS`.
    pub fn stats(&self) -> Option<&'a [VfStat]> {
        self.find(|a| match a {
            VfAttr::Stats(s) => Some(s.as_slice()),
            _ => None,
        })
    }
}

impl LinkMessage {
    /// `IFLA_NUM_VF`: how many virtual functions the device has.
    pub fn num_vf(&self) -> Option<u32> {
        self.find(|a| match a {
            LinkAttr::NumVf(n) => Some(*n),
            _ => None,
        })
    }

    /// `IFLA_VFINFO_LIST`.
    pub fn vf_info_list(&self) -> Option<&VfInfoList> {
        self.find(|a| match a {
            LinkAttr::VfInfoList(l) => Some(l),
            _ => None,
        })
    }

    /// The virtual functions in `IFLA_VFINFO_LIST` (none without it).
    pub fn vfs(&self) -> impl Iterator<Item = VfInfo<'_>> {
        self.vf_info_list().into_iter().flat_map(VfInfoList::vfs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::attr::{AttrIter, NLA_F_NESTED, NLA_F_NET_BYTEORDER};
    use crate::wire::link::{IFINFOMSG_LEN, IFLA_NUM_VF, IFLA_VFINFO_LIST};
    use crate::wire::message::{Message, Payload};
    use crate::wire::nlmsg::RTM_NEWLINK;
    use crate::wire::testing::{assert_bad_attr, attr};
    use crate::wire::{Emit, hex};
    use proptest::prelude::*;

    /// iproute2's testsuite message (tests/fixtures/link/show_dev_wo_vf_rate.hex).
    fn fixture() -> Vec<u8> {
        hex::parse(include_str!(
            "../../../tests/fixtures/link/show_dev_wo_vf_rate.hex"
        ))
        .unwrap()
    }

    fn link(d: &[u8]) -> LinkMessage {
        let msgs: Vec<Message<'_>> = Message::decode_datagram(d)
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(msgs.len(), 1);
        assert_eq!(msgs[0].header.message_type, RTM_NEWLINK);
        match &msgs[0].payload {
            Payload::Link(l) => l.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn iproute2_testsuite_message_with_two_vfs_and_no_rate() {
        let d = fixture();
        let l = link(&d);
        assert_eq!(
            (l.index(), l.name(), l.num_vf()),
            (1, Some("eth0"), Some(2))
        );
        let vfs: Vec<VfInfo<'_>> = l.vfs().collect();
        assert_eq!(vfs.len(), 2);
        for (i, vf) in vfs.iter().enumerate() {
            assert_eq!(vf.index(), Some(i as u32));
            assert_eq!(
                vf.mac().unwrap().address(6),
                [0x00, 0x26, 0x6c, 0xff, 0xb5, 0xc0]
            );
            assert!(vf.mac().unwrap().mac[6..].iter().all(|&b| b == 0));
            assert_eq!(
                vf.vlan(),
                Some(VfVlan {
                    vf: i as u32,
                    vlan: 0,
                    qos: 0
                })
            );
            assert_eq!(vf.tx_rate().map(|r| r.rate), Some(0));
            assert_eq!(vf.rate(), None, "the point of the test: no IFLA_VF_RATE");
            assert_eq!(vf.spoofchk(), Some(true));
            assert_eq!(vf.link_state(), Some(IFLA_VF_LINK_STATE_AUTO));
            assert_eq!(
                (vf.trust(), vf.rss_query_en(), vf.vlan_list()),
                (None, None, None)
            );
            assert_eq!(
                (vf.broadcast(), vf.stats(), vf.node_guid()),
                (None, None, None)
            );
            assert_eq!(vf.0.len(), 5);
        }
        // Every attribute of the message is typed, and it re-encodes to the same bytes.
        assert!(!l.attrs.iter().any(|a| matches!(a, LinkAttr::Unknown(_))));
        let mut b = Builder::new();
        b.message(RTM_NEWLINK, crate::wire::NlmsgFlags::empty(), 0, 0, &l)
            .unwrap();
        assert_eq!(b.as_bytes(), &d[..]);
        // Every prefix is an error, never a panic.
        for n in 0..d.len() {
            let r: Result<Vec<_>, _> = Message::decode_datagram(&d[..n]).collect();
            assert!(r.is_err() || n == 0, "prefix of {n} bytes decoded");
        }
    }

    /// A link payload holding one IFLA_VFINFO_LIST with `contents`.
    fn with_list(contents: &[u8]) -> Vec<u8> {
        let mut b = Builder::new();
        b.put(&[0; IFINFOMSG_LEN]).unwrap();
        b.attr_u32(IFLA_NUM_VF, 1).unwrap();
        b.attr(IFLA_VFINFO_LIST, contents).unwrap();
        b.into_vec()
    }

    #[test]
    fn wrong_sizes_name_the_member() {
        let cases: &[(u16, usize, &str)] = &[
            (IFLA_VF_MAC, 35, "IFLA_VF_MAC"),
            (IFLA_VF_VLAN, 8, "IFLA_VF_VLAN"),
            (IFLA_VF_TX_RATE, 12, "IFLA_VF_TX_RATE"),
            (IFLA_VF_SPOOFCHK, 4, "IFLA_VF_SPOOFCHK"),
            (IFLA_VF_LINK_STATE, 0, "IFLA_VF_LINK_STATE"),
            (IFLA_VF_RATE, 8, "IFLA_VF_RATE"),
            (IFLA_VF_RSS_QUERY_EN, 9, "IFLA_VF_RSS_QUERY_EN"),
            (IFLA_VF_TRUST, 7, "IFLA_VF_TRUST"),
            (IFLA_VF_IB_NODE_GUID, 8, "IFLA_VF_IB_NODE_GUID"),
            (IFLA_VF_IB_PORT_GUID, 20, "IFLA_VF_IB_PORT_GUID"),
            (IFLA_VF_BROADCAST, 6, "IFLA_VF_BROADCAST"),
        ];
        for &(kind, len, name) in cases {
            let p = with_list(&attr(IFLA_VF_INFO, &attr(kind, &vec![0; len])));
            // ifinfomsg 16, IFLA_NUM_VF 8, list header 4, VF_INFO header 4.
            let what = format!("{name} of {len} bytes");
            assert_bad_attr(LinkMessage::parse(&p), name, 32, &what);
        }
        // Inside the nests too.
        let p = with_list(&attr(
            IFLA_VF_INFO,
            &attr(IFLA_VF_VLAN_LIST, &attr(IFLA_VF_VLAN_INFO, &[0; 14])),
        ));
        assert!(matches!(
            LinkMessage::parse(&p),
            Err(DecodeError::BadAttr {
                name: "IFLA_VF_VLAN_INFO",
                offset: 36,
                ..
            })
        ));
        let p = with_list(&attr(
            IFLA_VF_INFO,
            &attr(IFLA_VF_STATS, &attr(IFLA_VF_STATS_TX_BYTES, &[0; 4])),
        ));
        assert!(matches!(
            LinkMessage::parse(&p),
            Err(DecodeError::BadAttr {
                name: "IFLA_VF_STATS_TX_BYTES",
                ..
            })
        ));
    }

    #[test]
    fn unknown_and_flagged_members_are_kept() {
        let mut info = attr(IFLA_VF_TRUST | NLA_F_NET_BYTEORDER, &[0; 8]);
        info.extend(attr(99, &[1, 2, 3]));
        info.extend(attr(
            IFLA_VF_STATS,
            &[attr(IFLA_VF_STATS_PAD, &[]), attr(42, &[7; 8])].concat(),
        ));
        info.extend(attr(
            IFLA_VF_VLAN_LIST,
            &[
                attr(7, &[1]),
                attr(IFLA_VF_VLAN_INFO | NLA_F_NESTED, &[0; 16]),
            ]
            .concat(),
        ));
        let mut list = attr(IFLA_VF_INFO, &info);
        list.extend(attr(IFLA_VF_INFO | NLA_F_NESTED, &[]));
        list.extend(attr(5, &[9]));
        let p = with_list(&list);
        let l = LinkMessage::parse(&p).unwrap();
        assert_eq!(l.to_vec().unwrap(), p);
        let entries = &l.vf_info_list().unwrap().0;
        assert_eq!(entries.len(), 3);
        assert!(matches!(entries[1], VfEntry::Unknown(_)));
        let vf = l.vfs().next().unwrap();
        assert!(matches!(vf.0[0], VfAttr::Unknown(_)));
        assert!(matches!(vf.0[1], VfAttr::Unknown(_)));
        assert_eq!(vf.trust(), None);
        assert!(
            vf.stats()
                .unwrap()
                .iter()
                .all(|s| matches!(s, VfStat::Unknown(_)))
        );
        assert_eq!(vf.vlan_list(), Some(vec![]));
        // A flagged list is kept whole.
        let mut b = Builder::new();
        b.put(&[0; IFINFOMSG_LEN]).unwrap();
        b.attr(IFLA_VFINFO_LIST | NLA_F_NESTED, &list).unwrap();
        let l = LinkMessage::parse(b.as_bytes()).unwrap();
        assert!(matches!(l.attrs[0], LinkAttr::Unknown(_)));
        assert_eq!(l.vfs().count(), 0);
    }

    #[test]
    fn settings_of_minus_one_are_not_reported() {
        assert_eq!(
            VfSetting {
                vf: 0,
                setting: u32::MAX
            }
            .on(),
            None
        );
        assert_eq!(VfSetting { vf: 0, setting: 0 }.on(), Some(false));
        assert_eq!(VfSetting { vf: 0, setting: 2 }.on(), Some(true));
    }

    // ---- property tests -------------------------------------------------------------------

    fn unknown(max_kind: u16) -> impl Strategy<Value = UnknownAttr> {
        (
            max_kind..0x3fff,
            prop::sample::select(vec![0, NLA_F_NESTED, NLA_F_NET_BYTEORDER]),
            prop::collection::vec(any::<u8>(), 0..12),
        )
            .prop_map(|(k, f, value)| UnknownAttr { kind: k | f, value })
    }

    fn vf_attr() -> impl Strategy<Value = VfAttr> {
        let setting =
            (any::<u32>(), any::<u32>()).prop_map(|(vf, setting)| VfSetting { vf, setting });
        let guid = (any::<u32>(), any::<u64>()).prop_map(|(vf, guid)| VfGuid { vf, guid });
        let stat = prop_oneof![
            (0u16..9)
                .prop_filter("not the pad", |k| *k != IFLA_VF_STATS_PAD)
                .prop_flat_map(|k| any::<u64>().prop_map(move |v| {
                    let mut b = Builder::new();
                    b.attr_u64(k, v).unwrap();
                    let a = AttrIter::new(b.as_bytes()).next().unwrap().unwrap();
                    VfStat::parse(&a).unwrap()
                })),
            unknown(9).prop_map(VfStat::Unknown),
        ];
        let vlan_info = (any::<[u32; 3]>(), any::<u16>()).prop_map(|(w, protocol)| {
            VfVlanEntry::Info(VfVlanInfo {
                vf: w[0],
                vlan: w[1],
                qos: w[2],
                protocol,
            })
        });
        prop_oneof![
            (any::<u32>(), any::<[u8; 32]>()).prop_map(|(vf, mac)| VfAttr::Mac(VfMac { vf, mac })),
            any::<[u32; 3]>().prop_map(|w| VfAttr::Vlan(VfVlan {
                vf: w[0],
                vlan: w[1],
                qos: w[2]
            })),
            any::<[u32; 2]>().prop_map(|w| VfAttr::TxRate(VfTxRate {
                vf: w[0],
                rate: w[1]
            })),
            any::<[u32; 3]>().prop_map(|w| VfAttr::Rate(VfRate {
                vf: w[0],
                min_tx_rate: w[1],
                max_tx_rate: w[2]
            })),
            setting.clone().prop_map(VfAttr::SpoofChk),
            setting.clone().prop_map(VfAttr::LinkState),
            setting.clone().prop_map(VfAttr::RssQueryEn),
            setting.prop_map(VfAttr::Trust),
            guid.clone().prop_map(VfAttr::IbNodeGuid),
            guid.prop_map(VfAttr::IbPortGuid),
            any::<[u8; 32]>().prop_map(VfAttr::Broadcast),
            prop::collection::vec(stat, 0..4).prop_map(VfAttr::Stats),
            prop::collection::vec(
                prop_oneof![vlan_info, unknown(2).prop_map(VfVlanEntry::Unknown)],
                0..3
            )
            .prop_map(VfAttr::VlanList),
            unknown(14).prop_map(VfAttr::Unknown),
        ]
    }

    fn list() -> impl Strategy<Value = VfInfoList> {
        prop::collection::vec(
            prop_oneof![
                4 => prop::collection::vec(vf_attr(), 0..6).prop_map(VfEntry::Info),
                1 => unknown(2).prop_map(VfEntry::Unknown),
            ],
            0..4,
        )
        .prop_map(VfInfoList)
    }

    proptest! {
        #[test]
        fn any_list_round_trips(l in list()) {
            let m = LinkMessage::new(3).with(LinkAttr::VfInfoList(l));
            let bytes = m.to_vec().unwrap();
            prop_assert_eq!(bytes.len(), m.buffer_len());
            prop_assert_eq!(LinkMessage::parse(&bytes).unwrap(), m);
        }

        #[test]
        fn mutated_lists_never_panic(l in list(), at in any::<usize>(), v in any::<u8>()) {
            let mut bytes = LinkMessage::new(3).with(LinkAttr::VfInfoList(l)).to_vec().unwrap();
            let i = at % bytes.len();
            bytes[i] = v;
            if let Ok(m) = LinkMessage::parse(&bytes) {
                let again = m.to_vec().unwrap();
                prop_assert_eq!(LinkMessage::parse(&again).unwrap(), m);
            }
        }
    }
}
