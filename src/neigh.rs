//! Neighbour operations on a [`Handle`]: like `ip neigh` (ARP and NDP entries) and `bridge
//! fdb` (bridge and VXLAN forwarding entries, family `AF_BRIDGE`).
//!
//! ```no_run
//! use netplumb::{Handle, MacAddr};
//! use netplumb::neigh::{FdbState, NeighFilter, NeighSpec, NeighState};
//! # fn main() -> netplumb::Result<()> {
//! let h = Handle::new()?;
//! let mac: MacAddr = "02:00:00:00:00:09".parse()?;
//! // ip neigh replace 198.18.0.9 lladdr 02:00:00:00:00:09 dev veth0 nud permanent
//! h.neigh_replace("veth0", &NeighSpec::new("198.18.0.9".parse().unwrap()).lladdr(mac))?;
//! // bridge fdb add 02:00:00:00:00:09 dev veth1 master static
//! h.neigh_add("veth1", &NeighSpec::fdb(mac).fdb_master().fdb_state(FdbState::Static))?;
//! // bridge fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.0.50
//! h.neigh_append("vx0", &NeighSpec::fdb(MacAddr::default()).dst("198.18.0.50".parse().unwrap()))?;
//! for n in h.neigh_list(&NeighFilter::new().dev("veth0"))? {
//!     println!("{:?} {:?} {:?}", n.destination, n.lladdr, n.state);
//! }
//! h.neigh_flush("veth0", None)?;
//! # Ok(()) }
//! ```

use crate::handle::Handle;
use crate::ipnet::Family;
use crate::link::LinkRef;
use crate::link::no_such_link;
use crate::mac::MacAddr;
use crate::ops::FlushPolicy;
use crate::socket::Request;
use crate::wire::family::{AF_BRIDGE, AF_INET, AF_INET6, AF_UNSPEC};
use crate::wire::neigh::{NeighAttr, NeighMessage};
use crate::wire::nlmsg::{NlmsgFlags, RTM_DELNEIGH, RTM_GETNEIGH, RTM_NEWNEIGH};
use crate::{Error, Result};
use std::net::IpAddr;

pub use crate::wire::neigh::{NeighFlags, NeighState};

/// `MAX_ADDR_LEN`: the longest link-layer address the kernel keeps.
const MAX_ADDR_LEN: usize = 32;

/// The largest VXLAN network identifier (24 bits).
pub const VNI_MAX: u32 = 0x00ff_ffff;

/// The flags an ARP/NDP entry request may carry.
const IP_FLAGS: NeighFlags = NeighFlags::PROXY
    .union(NeighFlags::ROUTER)
    .union(NeighFlags::EXT_LEARNED)
    .union(NeighFlags::USE);

/// The flags a bridge FDB request may carry.
const FDB_FLAGS: NeighFlags = NeighFlags::SELF
    .union(NeighFlags::MASTER)
    .union(NeighFlags::STICKY)
    .union(NeighFlags::EXT_LEARNED)
    .union(NeighFlags::USE);

/// The table a neighbour entry lives in: `ndm_family`.
///
/// ```
/// use netplumb::neigh::NeighFamily;
/// assert_eq!(NeighFamily::Bridge.af(), 7);
/// assert_eq!(NeighFamily::from_af(10), Some(NeighFamily::Ipv6));
/// assert_eq!(NeighFamily::from_af(1), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NeighFamily {
    /// `AF_INET`: the ARP table.
    Ipv4,
    /// `AF_INET6`: the NDP table.
    Ipv6,
    /// `AF_BRIDGE`: bridge and VXLAN forwarding entries (`bridge fdb`).
    Bridge,
}

impl NeighFamily {
    /// The `ndm_family` value.
    pub fn af(self) -> u8 {
        match self {
            NeighFamily::Ipv4 => Family::Ipv4.af(),
            NeighFamily::Ipv6 => Family::Ipv6.af(),
            NeighFamily::Bridge => AF_BRIDGE,
        }
    }

    /// The family of an `ndm_family` value, if it is one of the three.
    pub fn from_af(af: u8) -> Option<NeighFamily> {
        match af {
            AF_INET => Some(NeighFamily::Ipv4),
            AF_INET6 => Some(NeighFamily::Ipv6),
            AF_BRIDGE => Some(NeighFamily::Bridge),
            _ => None,
        }
    }

    fn of(a: IpAddr) -> NeighFamily {
        match a {
            IpAddr::V4(_) => NeighFamily::Ipv4,
            IpAddr::V6(_) => NeighFamily::Ipv6,
        }
    }
}

impl From<Family> for NeighFamily {
    fn from(f: Family) -> Self {
        match f {
            Family::Ipv4 => NeighFamily::Ipv4,
            Family::Ipv6 => NeighFamily::Ipv6,
        }
    }
}

/// The kind of a bridge FDB entry, as `bridge fdb add` names it (the `ndm_state` it sends).
///
/// ```
/// use netplumb::MacAddr;
/// use netplumb::neigh::{FdbState, NeighSpec, NeighState};
/// // bridge fdb add 02:00:00:00:00:01 dev PORT master static
/// let spec = NeighSpec::fdb(MacAddr([2, 0, 0, 0, 0, 1])).fdb_master().fdb_state(FdbState::Static);
/// assert_eq!(spec.state, NeighState::NOARP | NeighState::REACHABLE);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FdbState {
    /// `local` / `permanent` (the default): `NUD_NOARP|NUD_PERMANENT`, an address of the
    /// bridge itself, never forwarded.
    Local,
    /// `static`: `NUD_NOARP|NUD_REACHABLE`, forwarded, never ages.
    Static,
    /// `dynamic`: `NUD_REACHABLE`, forwarded and aged out like a learned entry.
    Dynamic,
}

impl FdbState {
    /// The `ndm_state` bits.
    pub fn state(self) -> NeighState {
        match self {
            FdbState::Local => NeighState::NOARP | NeighState::PERMANENT,
            FdbState::Static => NeighState::NOARP | NeighState::REACHABLE,
            FdbState::Dynamic => NeighState::REACHABLE,
        }
    }
}

/// A neighbour entry to add, replace, append or delete.
///
/// - [`NeighSpec::new`]: an ARP/NDP entry, `ip neigh add ADDR [lladdr MAC] [nud STATE]
///   [router] [extern_learn] dev DEV` (state `permanent` by default, as `ip` sends it);
/// - [`NeighSpec::proxy`]: `ip neigh add proxy ADDR dev DEV`;
/// - [`NeighSpec::fdb`]: a bridge FDB entry, `bridge fdb add MAC dev DEV [self|master]
///   [local|static|dynamic] [sticky] [vlan VID] [dst IP] [port PORT] [vni VNI] [via DEV]`.
///
/// Everything is checked by [`NeighSpec::to_message`] before anything is sent.
///
/// ```
/// use netplumb::MacAddr;
/// use netplumb::neigh::{NeighSpec, NeighState};
/// let mac = MacAddr([2, 0, 0, 0, 0, 9]);
/// let msg = NeighSpec::new("2001:db8::9".parse().unwrap())
///     .lladdr(mac)
///     .state(NeighState::STALE)
///     .router()
///     .to_message(3)
///     .unwrap();
/// assert_eq!(msg.mac(), Some(mac.0));
/// // Refused before sending: a VLAN on an ARP entry, a VNI of more than 24 bits.
/// assert!(NeighSpec::new("198.18.0.9".parse().unwrap()).vlan(10).to_message(3).is_err());
/// assert!(NeighSpec::fdb(mac).vni(1 << 24).to_message(3).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NeighSpec {
    /// `ndm_family`.
    pub family: NeighFamily,
    /// `NDA_DST`: the neighbour's address; for an FDB entry on a VXLAN device, the remote.
    pub destination: Option<IpAddr>,
    /// `NDA_LLADDR`: the link-layer address (1 to 32 bytes; 6 for FDB entries).
    pub lladdr: Option<Vec<u8>>,
    /// `ndm_state`.
    pub state: NeighState,
    /// `ndm_flags`.
    pub flags: NeighFlags,
    /// `NDA_VLAN` (FDB, 1 to 4094).
    pub vlan: Option<u16>,
    /// `NDA_PORT` (VXLAN FDB): the remote's UDP port.
    pub port: Option<u16>,
    /// `NDA_VNI` (VXLAN FDB): the remote's VNI.
    pub vni: Option<u32>,
    /// `NDA_IFINDEX` (VXLAN FDB): the device to reach the remote through (`via DEV`).
    pub via: Option<u32>,
    /// `NDA_PROTOCOL`: who installed the entry (`RTPROT_*`).
    pub protocol: Option<u8>,
}

impl NeighSpec {
    /// An ARP (IPv4) or NDP (IPv6) entry for `destination`, state `NUD_PERMANENT` as `ip
    /// neigh add` sends by default. Add the link-layer address with [`NeighSpec::lladdr`].
    pub fn new(destination: IpAddr) -> Self {
        NeighSpec {
            family: NeighFamily::of(destination),
            destination: Some(destination),
            lladdr: None,
            state: NeighState::PERMANENT,
            flags: NeighFlags::empty(),
            vlan: None,
            port: None,
            vni: None,
            via: None,
            protocol: None,
        }
    }

    /// A proxy ARP/NDP entry (`NTF_PROXY`): answer for `destination` on the device.
    pub fn proxy(destination: IpAddr) -> Self {
        let mut s = Self::new(destination);
        s.flags = NeighFlags::PROXY;
        s
    }

    /// A bridge forwarding entry for `mac` (family `AF_BRIDGE`). By default a `local` entry
    /// (`NUD_NOARP|NUD_PERMANENT`) in the device's own table (`NTF_SELF`), as `bridge fdb
    /// add` assumes.
    pub fn fdb(mac: MacAddr) -> Self {
        NeighSpec {
            family: NeighFamily::Bridge,
            destination: None,
            lladdr: Some(mac.0.to_vec()),
            state: FdbState::Local.state(),
            flags: NeighFlags::empty(),
            vlan: None,
            port: None,
            vni: None,
            via: None,
            protocol: None,
        }
    }

    /// `lladdr MAC`.
    #[must_use]
    pub fn lladdr(mut self, mac: MacAddr) -> Self {
        self.lladdr = Some(mac.0.to_vec());
        self
    }

    /// A link-layer address of another length (1 to 32 bytes; e.g. 16 for InfiniBand...).
    #[must_use]
    pub fn lladdr_bytes(mut self, lladdr: impl Into<Vec<u8>>) -> Self {
        self.lladdr = Some(lladdr.into());
        self
    }

    /// `nud STATE`: one of the `NUD_*` states (or `NeighState::NONE`).
    #[must_use]
    pub fn state(mut self, state: NeighState) -> Self {
        self.state = state;
        self
    }

    /// `router` (`NTF_ROUTER`): the neighbour is a router (meaningful for IPv6).
    #[must_use]
    pub fn router(mut self) -> Self {
        self.flags |= NeighFlags::ROUTER;
        self
    }

    /// `extern_learn` (`NTF_EXT_LEARNED`): learned by an external control plane; the kernel
    /// does not age such entries out.
    #[must_use]
    pub fn extern_learn(mut self) -> Self {
        self.flags |= NeighFlags::EXT_LEARNED;
        self
    }

    /// `self` (`NTF_SELF`): the device's own forwarding table (the default when neither
    /// `self` nor `master` is given).
    #[must_use]
    pub fn fdb_self(mut self) -> Self {
        self.flags |= NeighFlags::SELF;
        self
    }

    /// `master` (`NTF_MASTER`): the table of the bridge the device is a port of.
    #[must_use]
    pub fn fdb_master(mut self) -> Self {
        self.flags |= NeighFlags::MASTER;
        self
    }

    /// `local`, `static` or `dynamic`.
    #[must_use]
    pub fn fdb_state(mut self, state: FdbState) -> Self {
        self.state = state.state();
        self
    }

    /// `sticky` (`NTF_STICKY`): the entry never moves to another port.
    #[must_use]
    pub fn sticky(mut self) -> Self {
        self.flags |= NeighFlags::STICKY;
        self
    }

    /// `vlan VID` (FDB).
    #[must_use]
    pub fn vlan(mut self, vid: u16) -> Self {
        self.vlan = Some(vid);
        self
    }

    /// `dst IP` (FDB on a VXLAN device): the remote VTEP.
    #[must_use]
    pub fn dst(mut self, remote: IpAddr) -> Self {
        self.destination = Some(remote);
        self
    }

    /// `port PORT` (VXLAN FDB).
    #[must_use]
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// `vni VNI` (VXLAN FDB).
    #[must_use]
    pub fn vni(mut self, vni: u32) -> Self {
        self.vni = Some(vni);
        self
    }

    /// `via DEV` (VXLAN FDB), by interface index.
    #[must_use]
    pub fn via(mut self, ifindex: u32) -> Self {
        self.via = Some(ifindex);
        self
    }

    /// `protocol PROTO` (`NDA_PROTOCOL`).
    #[must_use]
    pub fn protocol(mut self, proto: u8) -> Self {
        self.protocol = Some(proto);
        self
    }

    /// Checks everything that can be checked without the kernel; see
    /// [`NeighSpec::to_message`].
    pub fn validate(&self) -> Result<()> {
        if let Some(l) = &self.lladdr
            && (l.is_empty() || l.len() > MAX_ADDR_LEN)
        {
            return Err(Error::invalid(
                "link-layer address",
                format!("{} bytes; 1 to {MAX_ADDR_LEN} are possible", l.len()),
            ));
        }
        if self.state.bits() > 0xff {
            return Err(Error::invalid(
                "neighbour state",
                format!("{:#x} is not a NUD_* state", self.state.bits()),
            ));
        }
        match self.family {
            NeighFamily::Bridge => self.validate_fdb(),
            NeighFamily::Ipv4 | NeighFamily::Ipv6 => self.validate_ip(),
        }
    }

    fn validate_ip(&self) -> Result<()> {
        let Some(dst) = self.destination else {
            return Err(Error::invalid(
                "neighbour",
                "an ARP/NDP entry needs a destination",
            ));
        };
        if NeighFamily::of(dst) != self.family {
            return Err(Error::invalid(
                "neighbour destination",
                format!("{dst} is not of family {:?}", self.family),
            ));
        }
        if self.state.bits().count_ones() > 1 {
            return Err(Error::invalid(
                "neighbour state",
                format!("{:?}: give one NUD state", self.state),
            ));
        }
        let bad = self.flags - IP_FLAGS;
        if !bad.is_empty() {
            return Err(Error::invalid(
                "neighbour flags",
                format!("{bad:?} do not apply to ARP/NDP entries"),
            ));
        }
        if self.flags.contains(NeighFlags::PROXY) && self.lladdr.is_some() {
            return Err(Error::invalid(
                "link-layer address",
                "a proxy entry has none",
            ));
        }
        if self.vlan.is_some() || self.port.is_some() || self.vni.is_some() || self.via.is_some() {
            return Err(Error::invalid(
                "neighbour",
                "vlan, port, vni and via apply to bridge FDB entries only",
            ));
        }
        Ok(())
    }

    fn validate_fdb(&self) -> Result<()> {
        match self.lladdr.as_deref().map(<[u8]>::len) {
            Some(6) => {}
            Some(n) => {
                return Err(Error::invalid(
                    "FDB MAC address",
                    format!("{n} bytes; an Ethernet address has 6"),
                ));
            }
            None => return Err(Error::invalid("FDB entry", "needs a MAC address")),
        }
        let bad = self.flags - FDB_FLAGS;
        if !bad.is_empty() {
            return Err(Error::invalid(
                "FDB flags",
                format!("{bad:?} do not apply to bridge FDB entries"),
            ));
        }
        if let Some(v) = self.vlan
            && !(1..=4094).contains(&v)
        {
            return Err(Error::invalid(
                "VLAN id",
                format!("{v} is out of range 1..=4094"),
            ));
        }
        if let Some(v) = self.vni
            && v > VNI_MAX
        {
            return Err(Error::invalid(
                "VNI",
                format!("{v} does not fit in 24 bits"),
            ));
        }
        if let Some(i) = self.via {
            crate::link::index_i32(i)?;
        }
        Ok(())
    }

    /// The `RTM_NEWNEIGH`/`RTM_DELNEIGH` payload for interface `index`, after
    /// [`NeighSpec::validate`]: `NDA_DST` then `NDA_LLADDR` for ARP/NDP entries, as `ip
    /// neigh` sends them; `NDA_LLADDR`, `NDA_DST`, `NDA_VLAN`, `NDA_PORT`, `NDA_VNI`,
    /// `NDA_IFINDEX` for FDB entries, as `bridge fdb` does (with `NTF_SELF` when neither
    /// `self` nor `master` was chosen).
    pub fn to_message(&self, index: u32) -> Result<NeighMessage> {
        self.validate()?;
        let ifindex = crate::link::index_i32(index)?;
        let mut msg = NeighMessage::default();
        msg.header.family = self.family.af();
        msg.header.ifindex = ifindex;
        msg.header.state = self.state;
        msg.header.flags = self.flags;
        let lladdr = self.lladdr.clone().map(NeighAttr::LinkLayerAddress);
        let dst = self.destination.map(NeighAttr::Destination);
        if self.family == NeighFamily::Bridge {
            if !self.flags.intersects(NeighFlags::SELF | NeighFlags::MASTER) {
                msg.header.flags |= NeighFlags::SELF;
            }
            msg.attrs.extend(lladdr);
            msg.attrs.extend(dst);
            msg.attrs.extend(self.vlan.map(NeighAttr::Vlan));
            msg.attrs.extend(self.port.map(NeighAttr::Port));
            msg.attrs.extend(self.vni.map(NeighAttr::Vni));
            msg.attrs.extend(self.via.map(NeighAttr::IfIndex));
        } else {
            msg.attrs.extend(dst);
            msg.attrs.extend(lladdr);
        }
        msg.attrs.extend(self.protocol.map(NeighAttr::Protocol));
        Ok(msg)
    }

    /// `RTM_NEWNEIGH` with `CREATE|EXCL`: [`Handle::neigh_add`] as a request to push into a
    /// [`Batch`](crate::Batch) (or to send, or to keep).
    pub fn add_request(&self, index: u32) -> Result<NeighRequest> {
        let flags = NlmsgFlags::CREATE | NlmsgFlags::EXCL;
        Ok(Request::new(RTM_NEWNEIGH, flags, self.to_message(index)?))
    }

    /// `RTM_NEWNEIGH` with `CREATE|REPLACE`: [`Handle::neigh_replace`] for a
    /// [`Batch`](crate::Batch).
    pub fn replace_request(&self, index: u32) -> Result<NeighRequest> {
        let flags = NlmsgFlags::CREATE | NlmsgFlags::REPLACE;
        Ok(Request::new(RTM_NEWNEIGH, flags, self.to_message(index)?))
    }

    /// `RTM_NEWNEIGH` with `CREATE|APPEND`: [`Handle::neigh_append`] for a
    /// [`Batch`](crate::Batch).
    pub fn append_request(&self, index: u32) -> Result<NeighRequest> {
        let flags = NlmsgFlags::CREATE | NlmsgFlags::APPEND;
        Ok(Request::new(RTM_NEWNEIGH, flags, self.to_message(index)?))
    }

    /// `RTM_DELNEIGH` (no flags): [`Handle::neigh_del`] for a [`Batch`](crate::Batch); also
    /// what undoes [`NeighSpec::add_request`].
    pub fn del_request(&self, index: u32) -> Result<NeighRequest> {
        Ok(Request::new(
            RTM_DELNEIGH,
            NlmsgFlags::empty(),
            self.to_message(index)?,
        ))
    }
}

/// A neighbour request, built but not sent: the shared [`Request`] type for a
/// [`NeighMessage`].
pub type NeighRequest = Request<NeighMessage>;

/// A filter for [`Handle::neigh_list`]. The device, the master and the family go to the
/// kernel (`NDA_IFINDEX`, `NDA_MASTER`, `ndm_family`), as does `proxy` (`NTF_PROXY` in the
/// request's `ndm_flags`: the kernel then lists proxy entries, and only those). The state is
/// checked here, and so, defensively, is everything else.
///
/// Without a family the kernel lists the ARP and NDP tables; bridge FDB entries are listed
/// with `family(NeighFamily::Bridge)` only.
///
/// ```
/// use netplumb::neigh::{NeighFamily, NeighFilter, NeighState};
/// let f = NeighFilter::new().dev("veth0").family(NeighFamily::Ipv6).state(NeighState::STALE);
/// assert_eq!(f.state, Some(NeighState::STALE));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NeighFilter<'a> {
    /// Only entries of this device (for FDB: of this bridge port or device).
    pub dev: Option<LinkRef<'a>>,
    /// Only entries of devices enslaved to this master (a bridge or a VRF).
    pub master: Option<LinkRef<'a>>,
    /// Only this table.
    pub family: Option<NeighFamily>,
    /// List proxy entries (only).
    pub proxy: bool,
    /// Only entries whose state has one of these bits; `Some(NeighState::NONE)`: only entries
    /// without state.
    pub state: Option<NeighState>,
}

impl<'a> NeighFilter<'a> {
    /// ARP and NDP entries of every device.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only the entries of `dev`.
    #[must_use]
    pub fn dev(mut self, dev: impl Into<LinkRef<'a>>) -> Self {
        self.dev = Some(dev.into());
        self
    }

    /// Only the entries of ports/slaves of `master`.
    #[must_use]
    pub fn master(mut self, master: impl Into<LinkRef<'a>>) -> Self {
        self.master = Some(master.into());
        self
    }

    /// Only this table.
    #[must_use]
    pub fn family(mut self, family: NeighFamily) -> Self {
        self.family = Some(family);
        self
    }

    /// Proxy entries instead of ordinary ones (`ip neigh show proxy`).
    #[must_use]
    pub fn proxy(mut self) -> Self {
        self.proxy = true;
        self
    }

    /// Only entries in one of the `states` (`ip neigh show nud STATE`).
    #[must_use]
    pub fn state(mut self, states: NeighState) -> Self {
        self.state = Some(states);
        self
    }

    fn matches(&self, n: &Neighbour, index: Option<u32>, master: Option<u32>) -> bool {
        index.is_none_or(|i| n.index == i)
            && master.is_none_or(|m| n.master.is_none_or(|nm| nm == m))
            && self.family.is_none_or(|f| n.family == f)
            && (n.family == NeighFamily::Bridge
                || self.proxy == n.flags.contains(NeighFlags::PROXY))
            && self.state.is_none_or(|s| {
                if s.is_empty() {
                    n.state.is_empty()
                } else {
                    n.state.intersects(s)
                }
            })
    }
}

/// A neighbour or forwarding entry, as `ip neigh show` and `bridge fdb show` list it.
///
/// ```no_run
/// use netplumb::neigh::{NeighFamily, NeighFilter};
/// # fn main() -> netplumb::Result<()> {
/// let h = netplumb::Handle::new()?;
/// for n in h.neigh_list(&NeighFilter::new().family(NeighFamily::Bridge))? {
///     println!("{:?} dev {} dst {:?} vni {:?}", n.lladdr, n.index, n.destination, n.vni);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Neighbour {
    /// `ndm_ifindex`: the device.
    pub index: u32,
    /// `ndm_family`.
    pub family: NeighFamily,
    /// `NDA_DST`: the neighbour's address; for a VXLAN FDB entry the remote; `None` for
    /// plain bridge entries.
    pub destination: Option<IpAddr>,
    /// `NDA_LLADDR` when it is a 6-byte Ethernet address (see `message.lladdr()` for others).
    pub lladdr: Option<MacAddr>,
    /// `ndm_state`.
    pub state: NeighState,
    /// `ndm_flags`.
    pub flags: NeighFlags,
    /// `NDA_VLAN`.
    pub vlan: Option<u16>,
    /// `NDA_VNI`: the remote's VNI when it differs from the VXLAN device's.
    pub vni: Option<u32>,
    /// `NDA_PORT`: the remote's UDP port when it differs from the VXLAN device's.
    pub port: Option<u16>,
    /// `NDA_IFINDEX`: the device a VXLAN remote is reached through.
    pub via: Option<u32>,
    /// `NDA_MASTER`: the bridge, for entries of its forwarding table.
    pub master: Option<u32>,
    /// `NDA_PROTOCOL`.
    pub protocol: Option<u8>,
    /// The message as the kernel sent it.
    pub message: NeighMessage,
}

impl Neighbour {
    /// Reads a kernel `RTM_NEWNEIGH` message.
    ///
    /// # Errors
    /// [`Error::Protocol`] for a family other than IPv4, IPv6 and bridge, or a negative
    /// interface index.
    pub fn from_message(message: NeighMessage) -> Result<Neighbour> {
        let h = message.header;
        let family = NeighFamily::from_af(h.family)
            .ok_or_else(|| Error::Protocol(format!("neighbour of family {}", h.family)))?;
        let index = u32::try_from(h.ifindex)
            .map_err(|_| Error::Protocol(format!("neighbour with ifindex {}", h.ifindex)))?;
        let via = message.attrs.iter().find_map(|a| match a {
            NeighAttr::IfIndex(i) => Some(*i),
            _ => None,
        });
        let protocol = message.attrs.iter().find_map(|a| match a {
            NeighAttr::Protocol(p) => Some(*p),
            _ => None,
        });
        Ok(Neighbour {
            index,
            family,
            destination: message.destination(),
            lladdr: message.mac().map(MacAddr),
            state: h.state,
            flags: h.flags,
            vlan: message.vlan(),
            vni: message.vni(),
            port: message.port(),
            via,
            master: message.master(),
            protocol,
            message,
        })
    }

    /// What names this entry in a delete: for ARP/NDP the destination (and `NTF_PROXY`);
    /// for FDB the MAC, VLAN and VXLAN remote, in the master's table if the entry has a
    /// master, else in the device's own.
    pub fn to_spec(&self) -> NeighSpec {
        match self.family {
            NeighFamily::Bridge => NeighSpec {
                family: NeighFamily::Bridge,
                destination: self.destination,
                lladdr: self.message.lladdr().map(<[u8]>::to_vec),
                state: self.state,
                flags: if self.master.is_some() && !self.flags.contains(NeighFlags::SELF) {
                    NeighFlags::MASTER
                } else {
                    NeighFlags::SELF
                },
                vlan: self.vlan,
                port: self.port,
                vni: self.vni,
                via: self.via,
                protocol: None,
            },
            NeighFamily::Ipv4 | NeighFamily::Ipv6 => NeighSpec {
                family: self.family,
                destination: self.destination,
                lladdr: None,
                state: NeighState::NONE,
                flags: self.flags & NeighFlags::PROXY,
                vlan: None,
                port: None,
                vni: None,
                via: None,
                protocol: None,
            },
        }
    }
}

/// Whether `ip neigh flush` deletes an entry: not PERMANENT or NOARP (entries without state
/// included), or learned externally; FAILED only in the first round.
fn flush_matches(n: &Neighbour, first_round: bool) -> bool {
    let mut states = !(NeighState::PERMANENT | NeighState::NOARP);
    if !first_round {
        states -= NeighState::FAILED;
    }
    n.state.is_empty() || n.state.intersects(states) || n.flags.contains(NeighFlags::EXT_LEARNED)
}

impl Handle {
    /// `RTM_NEWNEIGH` with `NLM_F_CREATE|NLM_F_EXCL`; like `ip neigh add` or `bridge fdb add`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] before sending (see [`NeighSpec::validate`]);
    /// [`Error::NotFound`] for a missing device; a kernel error with `is_exists()` for an
    /// existing entry, `EINVAL` "No link layer address given" for a valid state without one
    /// (the kernel then leaves an entry without state behind).
    #[doc(alias = "RTM_NEWNEIGH")]
    pub fn neigh_add<'a>(&self, dev: impl Into<LinkRef<'a>>, spec: &NeighSpec) -> Result<()> {
        self.neigh_send(
            dev.into(),
            spec,
            RTM_NEWNEIGH,
            NlmsgFlags::CREATE | NlmsgFlags::EXCL,
        )
    }

    /// `RTM_NEWNEIGH` with `NLM_F_CREATE|NLM_F_REPLACE`; like `ip neigh replace` or `bridge
    /// fdb replace`. Idempotent.
    ///
    /// # Errors
    /// As [`Handle::neigh_add`], without the "exists" case.
    #[doc(alias = "RTM_NEWNEIGH")]
    pub fn neigh_replace<'a>(&self, dev: impl Into<LinkRef<'a>>, spec: &NeighSpec) -> Result<()> {
        let flags = NlmsgFlags::CREATE | NlmsgFlags::REPLACE;
        self.neigh_send(dev.into(), spec, RTM_NEWNEIGH, flags)
    }

    /// `RTM_NEWNEIGH` with `NLM_F_REPLACE`; like `ip neigh change`: updates an existing
    /// entry only.
    ///
    /// # Errors
    /// As [`Handle::neigh_add`]; `ENOENT` (`is_not_found()`) when there is no such entry.
    #[doc(alias = "RTM_NEWNEIGH")]
    pub fn neigh_change<'a>(&self, dev: impl Into<LinkRef<'a>>, spec: &NeighSpec) -> Result<()> {
        self.neigh_send(dev.into(), spec, RTM_NEWNEIGH, NlmsgFlags::REPLACE)
    }

    /// `RTM_NEWNEIGH` with `NLM_F_CREATE|NLM_F_APPEND`; like `bridge fdb append`: adds one
    /// more remote to a VXLAN FDB entry (appending a remote that is already there succeeds).
    ///
    /// # Errors
    /// As [`Handle::neigh_add`].
    #[doc(alias = "RTM_NEWNEIGH")]
    pub fn neigh_append<'a>(&self, dev: impl Into<LinkRef<'a>>, spec: &NeighSpec) -> Result<()> {
        let flags = NlmsgFlags::CREATE | NlmsgFlags::APPEND;
        self.neigh_send(dev.into(), spec, RTM_NEWNEIGH, flags)
    }

    /// `RTM_DELNEIGH`; like `ip neigh del ADDR dev DEV`, `ip neigh del proxy ADDR dev DEV`
    /// or `bridge fdb del MAC dev DEV [master] [vlan VID] [dst IP ...]`.
    ///
    /// # Errors
    /// `ENOENT` (`is_not_found()`) when there is no such entry; [`Error::NotFound`] for a
    /// missing device.
    #[doc(alias = "RTM_DELNEIGH")]
    pub fn neigh_del<'a>(&self, dev: impl Into<LinkRef<'a>>, spec: &NeighSpec) -> Result<()> {
        self.neigh_send(dev.into(), spec, RTM_DELNEIGH, NlmsgFlags::empty())
    }

    fn neigh_send(
        &self,
        dev: LinkRef<'_>,
        spec: &NeighSpec,
        msg_type: u16,
        flags: NlmsgFlags,
    ) -> Result<()> {
        spec.validate()?;
        let index = self.link_index(dev.clone())?;
        self.request(msg_type, flags, &spec.to_message(index)?)
            .map_err(|e| no_such_link(e, &dev))
    }

    /// `RTM_GETNEIGH` for one entry; like `ip neigh get ADDR dev DEV` (or `ip neigh get proxy
    /// ADDR dev DEV` with `proxy`).
    ///
    /// # Errors
    /// `ENOENT` (`is_not_found()`) when there is no such entry; [`Error::NotFound`] for a
    /// missing device.
    #[doc(alias = "RTM_GETNEIGH")]
    pub fn neigh_get<'a>(
        &self,
        dev: impl Into<LinkRef<'a>>,
        destination: IpAddr,
        proxy: bool,
    ) -> Result<Neighbour> {
        let dev = dev.into();
        let index = self.link_index(dev.clone())?;
        let mut req = NeighMessage::default();
        req.header.family = NeighFamily::of(destination).af();
        req.header.ifindex = crate::link::index_i32(index)?;
        if proxy {
            req.header.flags = NeighFlags::PROXY;
        }
        req.attrs.push(NeighAttr::Destination(destination));
        self.get_map(RTM_GETNEIGH, NlmsgFlags::empty(), &req, |m| {
            Neighbour::from_message(NeighMessage::parse(m.payload())?)
        })
        .map_err(|e| no_such_link(e, &dev))
    }

    /// `RTM_GETNEIGH` dump; like `ip neigh show nud all [proxy] [dev DEV] [master DEV]` or,
    /// with family [`NeighFamily::Bridge`], `bridge fdb show [br BRIDGE] [dev DEV]`. See
    /// [`NeighFilter`] for what the kernel filters. Repeated if the kernel reports the dump
    /// interrupted.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a proxy listing of the bridge family; [`Error::NotFound`]
    /// for a missing device; [`Error::DumpInterrupted`] if the table kept changing.
    #[doc(alias = "RTM_GETNEIGH")]
    pub fn neigh_list(&self, filter: &NeighFilter<'_>) -> Result<Vec<Neighbour>> {
        if filter.proxy && filter.family == Some(NeighFamily::Bridge) {
            return Err(Error::invalid(
                "neighbour filter",
                "bridge FDB entries have no proxy variant",
            ));
        }
        let index = self.filter_link_index(filter.dev.as_ref())?;
        let master = self.filter_link_index(filter.master.as_ref())?;
        let mut req = NeighMessage::default();
        req.header.family = filter.family.map_or(AF_UNSPEC, NeighFamily::af);
        if filter.proxy {
            req.header.flags = NeighFlags::PROXY;
        }
        req.attrs.extend(index.map(NeighAttr::IfIndex));
        req.attrs.extend(master.map(NeighAttr::Master));
        self.dump_selected(RTM_GETNEIGH, &req, |payload| {
            let msg = NeighMessage::parse(payload)?;
            if NeighFamily::from_af(msg.header.family).is_none() {
                return Ok(None);
            }
            let n = Neighbour::from_message(msg)?;
            Ok(filter.matches(&n, index, master).then_some(n))
        })
    }

    /// Deletes the ARP/NDP entries of `dev` (of `family`, or both) the way `ip neigh flush
    /// dev DEV` does: every entry except the `permanent` and `noarp` ones (entries without
    /// state and externally learned ones included), not proxy entries. Deletes in one batch
    /// per round and repeats until nothing matches (at most 10 rounds; entries in state
    /// `failed` only in the first, since an entry still referenced stays behind as `failed`).
    /// An entry that disappears meanwhile (`ENOENT`) is not an error. Returns how many
    /// entries this call deleted.
    ///
    /// # Errors
    /// [`Error::NotFound`] for a missing device; the first other failure of a delete;
    /// [`Error::Protocol`] if entries remain after 10 rounds.
    #[doc(alias("RTM_GETNEIGH", "RTM_DELNEIGH"))]
    pub fn neigh_flush<'a>(
        &self,
        dev: impl Into<LinkRef<'a>>,
        family: Option<Family>,
    ) -> Result<usize> {
        let dev = dev.into();
        let index = self.link_index(dev.clone())?;
        let mut filter = NeighFilter::new().dev(index);
        filter.family = family.map(NeighFamily::from);
        let policy = FlushPolicy::OnDev {
            dev: &dev,
            what: "neighbour entries",
            vanished: libc::ENOENT,
        };
        self.flush_rounds(
            policy,
            |round| {
                let all = self.neigh_list(&filter)?.into_iter();
                Ok(all.filter(|n| flush_matches(n, round == 0)).collect())
            },
            |n: &Neighbour, b| n.to_spec().del_request(n.index)?.push_to(b),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }
    const MAC: MacAddr = MacAddr([2, 0, 0, 0, 0, 9]);

    #[test]
    fn ip_entries_follow_ip_neigh() {
        let m = NeighSpec::new(ip("198.18.0.9"))
            .lladdr(MAC)
            .to_message(3)
            .unwrap();
        assert_eq!(m.header.family, libc::AF_INET as u8);
        assert_eq!(m.header.state, NeighState::PERMANENT);
        assert_eq!(
            m.attrs,
            vec![
                NeighAttr::Destination(ip("198.18.0.9")),
                NeighAttr::LinkLayerAddress(MAC.0.to_vec())
            ]
        );
        let p = NeighSpec::proxy(ip("2001:db8::1")).to_message(3).unwrap();
        assert_eq!(p.header.flags, NeighFlags::PROXY);
        assert_eq!(p.header.family, libc::AF_INET6 as u8);
    }

    #[test]
    fn fdb_defaults_to_self_and_local() {
        let m = NeighSpec::fdb(MacAddr::default())
            .dst(ip("198.18.0.51"))
            .port(4790)
            .vni(43)
            .via(3)
            .to_message(5)
            .unwrap();
        assert_eq!(m.header.family, AF_BRIDGE);
        assert_eq!(m.header.flags, NeighFlags::SELF);
        assert_eq!(m.header.state, NeighState::NOARP | NeighState::PERMANENT);
        assert_eq!(m.port(), Some(4790));
        assert_eq!(m.vni(), Some(43));
        let master = NeighSpec::fdb(MAC).fdb_master().to_message(5).unwrap();
        assert_eq!(master.header.flags, NeighFlags::MASTER);
    }

    #[test]
    fn bad_specs_are_refused() {
        let v4 = || NeighSpec::new(ip("198.18.0.9"));
        let bad = [
            v4().lladdr_bytes(vec![]),
            v4().lladdr_bytes(vec![1; 33]),
            v4().state(NeighState::STALE | NeighState::REACHABLE),
            v4().state(NeighState::from_bits_retain(0x100)),
            v4().fdb_master(),
            v4().vlan(1),
            v4().vni(1),
            v4().port(1),
            v4().via(1),
            NeighSpec::proxy(ip("198.18.0.9")).lladdr(MAC),
            NeighSpec::fdb(MAC).vlan(0),
            NeighSpec::fdb(MAC).vlan(4095),
            NeighSpec::fdb(MAC).vni(VNI_MAX + 1),
            NeighSpec::fdb(MAC).via(0),
            NeighSpec::fdb(MAC).lladdr_bytes(vec![1; 8]),
            NeighSpec::fdb(MAC).state(NeighState::from_bits_retain(0x200)),
            NeighSpec::fdb(MAC).flags_proxy(),
            NeighSpec {
                destination: Some(ip("2001:db8::1")),
                ..v4()
            },
            NeighSpec {
                destination: None,
                ..v4()
            },
        ];
        for s in bad {
            assert!(s.to_message(1).unwrap_err().is_invalid(), "{s:?}");
        }
        assert!(v4().to_message(0).unwrap_err().is_invalid());
    }

    impl NeighSpec {
        fn flags_proxy(mut self) -> Self {
            self.flags |= NeighFlags::PROXY;
            self
        }
    }

    #[test]
    fn flush_skips_permanent_and_noarp() {
        let mk = |state, flags| {
            let mut m = NeighMessage::new(1, ip("198.18.0.1"), state);
            m.header.flags = flags;
            Neighbour::from_message(m).unwrap()
        };
        let none = NeighFlags::empty();
        assert!(!flush_matches(&mk(NeighState::PERMANENT, none), true));
        assert!(!flush_matches(&mk(NeighState::NOARP, none), true));
        assert!(flush_matches(
            &mk(NeighState::NOARP, NeighFlags::EXT_LEARNED),
            true
        ));
        assert!(flush_matches(&mk(NeighState::STALE, none), true));
        assert!(flush_matches(&mk(NeighState::NONE, none), true));
        assert!(flush_matches(&mk(NeighState::FAILED, none), true));
        assert!(!flush_matches(&mk(NeighState::FAILED, none), false));
    }
}
