//! `IFLA_LINKINFO`: the link kind and its kind-specific data (`IFLA_INFO_*`), and veth's
//! `VETH_INFO_PEER` (linux/veth.h).

use super::{
    BridgeAttr, BridgePortAttr, LinkMessage, MacvlanAttr, MacvlanMode, TunAttr, VxlanAttr,
};
use crate::wire::attr_enum::{AttrValue, emit_list, list_len, nest, parse_list};
use crate::wire::builder::attr_size;
use crate::wire::{Attr, Builder, DecodeError, EncodeError, UnknownAttr};

/// `IFLA_INFO_UNSPEC`: unused.
pub const IFLA_INFO_UNSPEC: u16 = 0;
/// `IFLA_INFO_KIND`: the kind name ("veth", "bridge", ...).
pub const IFLA_INFO_KIND: u16 = 1;
/// `IFLA_INFO_DATA`: kind-specific attributes (nest).
pub const IFLA_INFO_DATA: u16 = 2;
/// `IFLA_INFO_XSTATS`: kind-specific statistics.
pub const IFLA_INFO_XSTATS: u16 = 3;
/// `IFLA_INFO_SLAVE_KIND`: kind of the master this link is a port of.
pub const IFLA_INFO_SLAVE_KIND: u16 = 4;
/// `IFLA_INFO_SLAVE_DATA`: port attributes defined by the master's kind (nest).
pub const IFLA_INFO_SLAVE_DATA: u16 = 5;

/// `VETH_INFO_UNSPEC`: unused.
pub const VETH_INFO_UNSPEC: u16 = 0;
/// `VETH_INFO_PEER`: the peer's ifinfomsg and attributes.
pub const VETH_INFO_PEER: u16 = 1;

attribute_enum! {
    /// An attribute inside veth's `IFLA_INFO_DATA`.
    pub enum VethAttr {
        /// `VETH_INFO_PEER`: the other end, as a whole LINK message (name, address,
        /// namespace...).
        Peer(LinkMessage) = VETH_INFO_PEER: custom,
    }
}

/// `IFLA_INFO_DATA`, typed by the kind named before it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InfoData {
    /// "veth".
    Veth(Vec<VethAttr>),
    /// "bridge".
    Bridge(Vec<BridgeAttr>),
    /// "macvlan".
    Macvlan(Vec<MacvlanAttr>),
    /// "macvtap" (the same attributes as macvlan).
    Macvtap(Vec<MacvlanAttr>),
    /// "vxlan".
    Vxlan(Vec<VxlanAttr>),
    /// "tun" (tun and tap devices).
    Tun(Vec<TunAttr>),
    /// Data of a kind this crate does not type (or that came before the kind): the nest's
    /// value as read.
    Other(Vec<u8>),
}

impl InfoData {
    fn parse(a: &Attr<'_>, kind: Option<&str>, base: usize) -> Result<Self, DecodeError> {
        Ok(match kind {
            Some("veth") => InfoData::Veth(parse_list(a, base)?),
            Some("bridge") => InfoData::Bridge(parse_list(a, base)?),
            Some("macvlan") => InfoData::Macvlan(parse_list(a, base)?),
            Some("macvtap") => InfoData::Macvtap(parse_list(a, base)?),
            Some("vxlan") => InfoData::Vxlan(parse_list(a, base)?),
            Some("tun") => InfoData::Tun(parse_list(a, base)?),
            _ => InfoData::Other(a.value().to_vec()),
        })
    }

    fn value_len(&self) -> usize {
        match self {
            InfoData::Veth(l) => list_len(l),
            InfoData::Bridge(l) => list_len(l),
            InfoData::Macvlan(l) | InfoData::Macvtap(l) => list_len(l),
            InfoData::Vxlan(l) => list_len(l),
            InfoData::Tun(l) => list_len(l),
            InfoData::Other(v) => v.len(),
        }
    }

    fn emit(&self, b: &mut Builder<'_>, kind: u16) -> Result<(), EncodeError> {
        match self {
            InfoData::Veth(l) => emit_list(b, kind, l),
            InfoData::Bridge(l) => emit_list(b, kind, l),
            InfoData::Macvlan(l) | InfoData::Macvtap(l) => emit_list(b, kind, l),
            InfoData::Vxlan(l) => emit_list(b, kind, l),
            InfoData::Tun(l) => emit_list(b, kind, l),
            InfoData::Other(v) => b.attr(kind, v),
        }
    }
}

/// `IFLA_INFO_SLAVE_DATA`, typed by the slave kind named before it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SlaveData {
    /// Port of a "bridge": `IFLA_BRPORT_*`.
    Bridge(Vec<BridgePortAttr>),
    /// Another master kind: the nest's value as read.
    Other(Vec<u8>),
}

/// One attribute inside `IFLA_LINKINFO`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InfoAttr {
    /// `IFLA_INFO_KIND`. `nul` records whether the name was NUL-terminated on the wire: the
    /// kernel writes a NUL, iproute2 sends the bare name; both are accepted.
    Kind {
        /// The kind name.
        name: String,
        /// A NUL follows the name.
        nul: bool,
    },
    /// `IFLA_INFO_DATA`.
    Data(InfoData),
    /// `IFLA_INFO_SLAVE_KIND`, with the same `nul` convention as `Kind`.
    SlaveKind {
        /// The master's kind name.
        name: String,
        /// A NUL follows the name.
        nul: bool,
    },
    /// `IFLA_INFO_SLAVE_DATA`.
    SlaveData(SlaveData),
    /// Anything else (`IFLA_INFO_XSTATS`, flagged attributes, odd kind names), kept as read.
    Unknown(UnknownAttr),
}

/// A kind name: valid UTF-8 with at most one NUL, at the end.
fn kind_name(a: &Attr<'_>) -> Option<(String, bool)> {
    let v = a.value();
    let (bytes, nul) = match v.split_last() {
        Some((0, s)) => (s, true),
        _ => (v, false),
    };
    if bytes.contains(&0) {
        return None;
    }
    std::str::from_utf8(bytes).ok().map(|s| (s.to_owned(), nul))
}

fn emit_kind(b: &mut Builder<'_>, kind: u16, name: &str, nul: bool) -> Result<(), EncodeError> {
    if name.as_bytes().contains(&0) {
        return Err(EncodeError::InvalidValue {
            what: "IFLA_INFO_KIND",
            reason: "contains a NUL byte",
        });
    }
    let mut v = Vec::with_capacity(name.len() + 1);
    v.extend_from_slice(name.as_bytes());
    if nul {
        v.push(0);
    }
    b.attr(kind, &v)
}

impl InfoAttr {
    /// The attribute type without flag bits.
    pub fn kind(&self) -> u16 {
        match self {
            InfoAttr::Kind { .. } => IFLA_INFO_KIND,
            InfoAttr::Data(_) => IFLA_INFO_DATA,
            InfoAttr::SlaveKind { .. } => IFLA_INFO_SLAVE_KIND,
            InfoAttr::SlaveData(_) => IFLA_INFO_SLAVE_DATA,
            InfoAttr::Unknown(u) => u.kind & crate::wire::attr::NLA_TYPE_MASK,
        }
    }

    /// Bytes the attribute takes on the wire, padding included.
    pub fn buffer_len(&self) -> usize {
        attr_size(match self {
            InfoAttr::Kind { name, nul } | InfoAttr::SlaveKind { name, nul } => {
                name.len() + usize::from(*nul)
            }
            InfoAttr::Data(d) => d.value_len(),
            InfoAttr::SlaveData(SlaveData::Bridge(l)) => list_len(l),
            InfoAttr::SlaveData(SlaveData::Other(v)) => v.len(),
            InfoAttr::Unknown(u) => return u.buffer_len(),
        })
    }

    /// Appends the attribute.
    pub fn emit(&self, b: &mut Builder<'_>) -> Result<(), EncodeError> {
        match self {
            InfoAttr::Kind { name, nul } => emit_kind(b, IFLA_INFO_KIND, name, *nul),
            InfoAttr::SlaveKind { name, nul } => emit_kind(b, IFLA_INFO_SLAVE_KIND, name, *nul),
            InfoAttr::Data(d) => d.emit(b, IFLA_INFO_DATA),
            InfoAttr::SlaveData(SlaveData::Bridge(l)) => emit_list(b, IFLA_INFO_SLAVE_DATA, l),
            InfoAttr::SlaveData(SlaveData::Other(v)) => b.attr(IFLA_INFO_SLAVE_DATA, v),
            InfoAttr::Unknown(u) => u.emit(b),
        }
    }
}

/// `IFLA_LINKINFO`: the attributes inside, in wire order. `IFLA_INFO_DATA` is typed by the
/// `IFLA_INFO_KIND` before it, `IFLA_INFO_SLAVE_DATA` by the `IFLA_INFO_SLAVE_KIND` before it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LinkInfo {
    /// The attributes inside the nest.
    pub attrs: Vec<InfoAttr>,
}

impl LinkInfo {
    /// A link info naming `kind` (written without a NUL, as iproute2 does) and no data.
    pub fn new(kind: &str) -> Self {
        LinkInfo {
            attrs: vec![InfoAttr::Kind {
                name: kind.to_owned(),
                nul: false,
            }],
        }
    }

    /// The info with `data` appended as `IFLA_INFO_DATA`.
    #[must_use]
    pub fn with_data(mut self, data: InfoData) -> Self {
        self.attrs.push(InfoAttr::Data(data));
        self
    }

    /// veth with its peer (`ip link add NAME type veth peer PEER...`). The peer message
    /// carries the peer's name and any other attributes (address, namespace...).
    pub fn veth(peer: LinkMessage) -> Self {
        Self::new("veth").with_data(InfoData::Veth(vec![VethAttr::Peer(peer)]))
    }

    /// A bridge with the given `IFLA_BR_*` settings (no data when empty).
    pub fn bridge(attrs: Vec<BridgeAttr>) -> Self {
        let info = Self::new("bridge");
        if attrs.is_empty() {
            info
        } else {
            info.with_data(InfoData::Bridge(attrs))
        }
    }

    /// A macvlan in `mode` (`ip link add NAME link LOWER type macvlan mode MODE`; the lower
    /// link goes in `IFLA_LINK`).
    pub fn macvlan(mode: MacvlanMode) -> Self {
        Self::new("macvlan").with_data(InfoData::Macvlan(vec![MacvlanAttr::Mode(mode)]))
    }

    /// A macvtap in `mode`.
    pub fn macvtap(mode: MacvlanMode) -> Self {
        Self::new("macvtap").with_data(InfoData::Macvtap(vec![MacvlanAttr::Mode(mode)]))
    }

    /// A vxlan with the given `IFLA_VXLAN_*` settings (at least `Id`).
    pub fn vxlan(attrs: Vec<VxlanAttr>) -> Self {
        Self::new("vxlan").with_data(InfoData::Vxlan(attrs))
    }

    /// `IFLA_INFO_KIND`.
    pub fn kind(&self) -> Option<&str> {
        self.attrs.iter().find_map(|a| match a {
            InfoAttr::Kind { name, .. } => Some(name.as_str()),
            _ => None,
        })
    }
    /// `IFLA_INFO_DATA`.
    pub fn data(&self) -> Option<&InfoData> {
        self.attrs.iter().find_map(|a| match a {
            InfoAttr::Data(d) => Some(d),
            _ => None,
        })
    }
    /// `IFLA_INFO_SLAVE_KIND`.
    pub fn slave_kind(&self) -> Option<&str> {
        self.attrs.iter().find_map(|a| match a {
            InfoAttr::SlaveKind { name, .. } => Some(name.as_str()),
            _ => None,
        })
    }
    /// `IFLA_INFO_SLAVE_DATA`.
    pub fn slave_data(&self) -> Option<&SlaveData> {
        self.attrs.iter().find_map(|a| match a {
            InfoAttr::SlaveData(d) => Some(d),
            _ => None,
        })
    }
    /// veth's `VETH_INFO_PEER`.
    pub fn peer(&self) -> Option<&LinkMessage> {
        match self.data()? {
            InfoData::Veth(l) => l.iter().find_map(|a| match a {
                VethAttr::Peer(p) => Some(p),
                _ => None,
            }),
            _ => None,
        }
    }
}

impl AttrValue for LinkInfo {
    fn parse_value(a: &Attr<'_>, _: &'static str, base: usize) -> Result<Self, DecodeError> {
        let mut attrs = Vec::new();
        let (mut kind, mut slave_kind) = (None::<String>, None::<String>);
        for ia in nest(a, base)? {
            let ia = ia?;
            let typed = if ia.raw_kind() != ia.kind() {
                None
            } else {
                match ia.kind() {
                    IFLA_INFO_KIND => kind_name(&ia).map(|(name, nul)| {
                        kind = Some(name.clone());
                        InfoAttr::Kind { name, nul }
                    }),
                    IFLA_INFO_SLAVE_KIND => kind_name(&ia).map(|(name, nul)| {
                        slave_kind = Some(name.clone());
                        InfoAttr::SlaveKind { name, nul }
                    }),
                    IFLA_INFO_DATA => {
                        Some(InfoAttr::Data(InfoData::parse(&ia, kind.as_deref(), base)?))
                    }
                    IFLA_INFO_SLAVE_DATA => {
                        Some(InfoAttr::SlaveData(match slave_kind.as_deref() {
                            Some("bridge") => SlaveData::Bridge(parse_list(&ia, base)?),
                            _ => SlaveData::Other(ia.value().to_vec()),
                        }))
                    }
                    _ => None,
                }
            };
            attrs.push(typed.unwrap_or_else(|| InfoAttr::Unknown(ia.to_unknown())));
        }
        Ok(LinkInfo { attrs })
    }
    fn value_len(&self) -> usize {
        self.attrs.iter().map(InfoAttr::buffer_len).sum()
    }
    fn emit_value(&self, b: &mut Builder<'_>, kind: u16) -> Result<(), EncodeError> {
        b.nested(kind, |b| self.attrs.iter().try_for_each(|a| a.emit(b)))
    }
}
