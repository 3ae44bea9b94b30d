//! Creating links: [`LinkSpec`] and the kinds it can make, like `ip link add`.

use super::{LinkRef, LinkRequest, NetNsRef, Resolver, index_only};
use crate::handle::Handle;
use crate::mac::MacAddr;
use crate::socket::{Batch, BatchMode};
use crate::undo::Undo;
use crate::wire::link::{
    BridgeAttr, IfFlags, LinkAttr, LinkInfo, LinkMessage, MacvlanMode, VxlanAttr,
};
use crate::wire::nlmsg::{NlmsgFlags, RTM_NEWLINK};
use crate::{Error, Result};
use std::net::IpAddr;
use std::time::Duration;

/// How many names [`Handle::link_add_unique`] tries before giving up.
pub const UNIQUE_ATTEMPTS: usize = 10;

/// A link to create: its name, kind and the settings every kind shares. Sent by
/// [`Handle::link_add`] as `RTM_NEWLINK` with `NLM_F_CREATE | NLM_F_EXCL`, like
/// `ip link add NAME [mtu M] [address A] [txqueuelen Q] [group G] [master B] [netns NS] [up] type KIND ...`.
///
/// Everything is checked ([`LinkSpec::validate`]) before a request is built: names as the
/// kernel's `dev_valid_name` would, MTU 0, multicast or all-zero MAC addresses, kind-specific
/// ranges.
///
/// ```
/// use netplumb::MacAddr;
/// use netplumb::link::{Bridge, LinkSpec, Macvlan, MacvlanMode, Veth, Vxlan};
/// use std::time::Duration;
/// let veth = LinkSpec::new("veth0", Veth::new("eth0").mtu(1450)).mtu(1450).up();
/// let br = LinkSpec::new("br0", Bridge::new().stp(true).forward_delay(Duration::from_secs(4)))
///     .address(MacAddr([0x02, 0, 0, 0, 0, 1]));
/// let mv = LinkSpec::new("mv0", Macvlan::new("eth0", MacvlanMode::Bridge));
/// let vx = LinkSpec::new("vx0", Vxlan::new(42).local("198.18.0.1".parse().unwrap()).port(4789));
/// assert!(LinkSpec::ifb("ifb0").mtu(0).validate().is_err());
/// ```
#[derive(Debug, Clone)]
pub struct LinkSpec<'a> {
    name: String,
    kind: LinkKind<'a>,
    mtu: Option<u32>,
    address: Option<MacAddr>,
    txqlen: Option<u32>,
    group: Option<u32>,
    up: bool,
    master: Option<LinkRef<'a>>,
    netns: Option<NetNsRef<'a>>,
}

/// The kind of link to create (`IFLA_INFO_KIND`) and its settings (`IFLA_INFO_DATA`).
///
/// ```
/// use netplumb::link::{LinkKind, Veth};
/// let k: LinkKind = Veth::new("eth0").into();
/// assert_eq!(k.name(), "veth");
/// assert_eq!(LinkKind::Other("dummy".into()).name(), "dummy");
/// # Ok::<(), netplumb::Error>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum LinkKind<'a> {
    /// "veth": a pair; see [`Veth`].
    Veth(Veth<'a>),
    /// "bridge"; see [`Bridge`].
    Bridge(Bridge),
    /// "macvlan" on a parent link; see [`Macvlan`].
    Macvlan(Macvlan<'a>),
    /// "macvtap" on a parent link (a macvlan with a tap character device).
    Macvtap(Macvlan<'a>),
    /// "vxlan"; see [`Vxlan`].
    Vxlan(Vxlan<'a>),
    /// "ifb": an intermediate functional block device.
    Ifb,
    /// Any other kind name, sent as is (no data): the kernel decides. A kind this kernel
    /// lacks fails with its error (`EOPNOTSUPP`, "Unknown device type").
    Other(String),
}

impl LinkKind<'_> {
    /// The `IFLA_INFO_KIND` name.
    pub fn name(&self) -> &str {
        match self {
            LinkKind::Veth(_) => "veth",
            LinkKind::Bridge(_) => "bridge",
            LinkKind::Macvlan(_) => "macvlan",
            LinkKind::Macvtap(_) => "macvtap",
            LinkKind::Vxlan(_) => "vxlan",
            LinkKind::Ifb => "ifb",
            LinkKind::Other(k) => k,
        }
    }
}

impl<'a> From<Veth<'a>> for LinkKind<'a> {
    fn from(v: Veth<'a>) -> Self {
        LinkKind::Veth(v)
    }
}
impl From<Bridge> for LinkKind<'_> {
    fn from(b: Bridge) -> Self {
        LinkKind::Bridge(b)
    }
}
impl<'a> From<Macvlan<'a>> for LinkKind<'a> {
    fn from(m: Macvlan<'a>) -> Self {
        LinkKind::Macvlan(m)
    }
}
impl<'a> From<Vxlan<'a>> for LinkKind<'a> {
    fn from(v: Vxlan<'a>) -> Self {
        LinkKind::Vxlan(v)
    }
}

/// The peer of a veth pair (`VETH_INFO_PEER`): its name and settings, and optionally the
/// namespace it is created in, like `ip link add A type veth peer name B [mtu M] [address X]
/// [txqueuelen Q] [netns NS]`.
///
/// The peer cannot be brought up in the creating request (the kernel configures it before
/// the pair is joined and answers `ENOTCONN`): set it up afterwards, from a handle on its
/// namespace.
///
/// ```
/// use netplumb::link::{LinkSpec, Veth};
/// let spec = LinkSpec::new("veth0", Veth::new("eth0").mtu(1400).txqlen(500));
/// assert_eq!(spec.peer_name(), Some("eth0"));
/// ```
#[derive(Debug, Clone)]
pub struct Veth<'a> {
    name: String,
    mtu: Option<u32>,
    address: Option<MacAddr>,
    txqlen: Option<u32>,
    group: Option<u32>,
    netns: Option<NetNsRef<'a>>,
}

impl<'a> Veth<'a> {
    /// A peer named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Veth {
            name: name.into(),
            mtu: None,
            address: None,
            txqlen: None,
            group: None,
            netns: None,
        }
    }
    /// The peer's MTU.
    #[must_use]
    pub fn mtu(mut self, mtu: u32) -> Self {
        self.mtu = Some(mtu);
        self
    }
    /// The peer's MAC address.
    #[must_use]
    pub fn address(mut self, mac: MacAddr) -> Self {
        self.address = Some(mac);
        self
    }
    /// The peer's transmit queue length.
    #[must_use]
    pub fn txqlen(mut self, txqlen: u32) -> Self {
        self.txqlen = Some(txqlen);
        self
    }
    /// The peer's device group.
    #[must_use]
    pub fn group(mut self, group: u32) -> Self {
        self.group = Some(group);
        self
    }
    /// Creates the peer straight in another namespace (`IFLA_NET_NS_FD` or
    /// `IFLA_NET_NS_PID` inside `VETH_INFO_PEER`), like `peer name B netns NS`.
    #[must_use]
    pub fn netns(mut self, ns: impl Into<NetNsRef<'a>>) -> Self {
        self.netns = Some(ns.into());
        self
    }
    /// The peer's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    fn validate(&self) -> Result<()> {
        crate::ifname::validate(&self.name)?;
        check_common(self.mtu, self.address)
    }

    fn to_message(&self) -> Result<LinkMessage> {
        let mut m = LinkMessage::new(0);
        m.attrs.push(LinkAttr::IfName(self.name.clone()));
        push_common(&mut m, self.mtu, self.address, self.txqlen, self.group);
        if let Some(ns) = &self.netns {
            m.attrs.push(ns.to_attr()?);
        }
        Ok(m)
    }
}

/// Bridge settings (`IFLA_BR_*`), like `ip link add NAME type bridge [stp_state S]
/// [forward_delay D] ...`. Times are given as durations and sent in hundredths of a second,
/// as the kernel takes them (sub-centisecond parts are dropped).
///
/// ```
/// use netplumb::link::{Bridge, LinkSpec};
/// use std::time::Duration;
/// let b = Bridge::new().stp(true).forward_delay(Duration::from_secs(4))
///     .ageing_time(Duration::from_secs(120)).priority(0x1000);
/// let spec = LinkSpec::new("br0", b);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bridge {
    stp: Option<bool>,
    forward_delay: Option<Duration>,
    hello_time: Option<Duration>,
    max_age: Option<Duration>,
    ageing_time: Option<Duration>,
    priority: Option<u16>,
    vlan_filtering: Option<bool>,
}

impl Bridge {
    /// A bridge with the kernel's defaults.
    pub fn new() -> Self {
        Self::default()
    }
    /// Spanning tree on or off (`IFLA_BR_STP_STATE`, `stp_state 0|1`).
    #[must_use]
    pub fn stp(mut self, on: bool) -> Self {
        self.stp = Some(on);
        self
    }
    /// `IFLA_BR_FORWARD_DELAY` (`forward_delay`).
    #[must_use]
    pub fn forward_delay(mut self, d: Duration) -> Self {
        self.forward_delay = Some(d);
        self
    }
    /// `IFLA_BR_HELLO_TIME` (`hello_time`).
    #[must_use]
    pub fn hello_time(mut self, d: Duration) -> Self {
        self.hello_time = Some(d);
        self
    }
    /// `IFLA_BR_MAX_AGE` (`max_age`).
    #[must_use]
    pub fn max_age(mut self, d: Duration) -> Self {
        self.max_age = Some(d);
        self
    }
    /// `IFLA_BR_AGEING_TIME`: how long learned addresses stay (`ageing_time`).
    #[must_use]
    pub fn ageing_time(mut self, d: Duration) -> Self {
        self.ageing_time = Some(d);
        self
    }
    /// `IFLA_BR_PRIORITY`: the bridge priority (`priority`).
    #[must_use]
    pub fn priority(mut self, p: u16) -> Self {
        self.priority = Some(p);
        self
    }
    /// `IFLA_BR_VLAN_FILTERING` (`vlan_filtering 0|1`). A kernel built without bridge VLAN
    /// filtering refuses `true` with `EOPNOTSUPP`.
    #[must_use]
    pub fn vlan_filtering(mut self, on: bool) -> Self {
        self.vlan_filtering = Some(on);
        self
    }

    fn attrs(&self) -> Result<Vec<BridgeAttr>> {
        let mut v = Vec::new();
        let cs = centiseconds;
        if let Some(d) = self.forward_delay {
            v.push(BridgeAttr::ForwardDelay(cs(d)?));
        }
        if let Some(d) = self.hello_time {
            v.push(BridgeAttr::HelloTime(cs(d)?));
        }
        if let Some(d) = self.max_age {
            v.push(BridgeAttr::MaxAge(cs(d)?));
        }
        if let Some(d) = self.ageing_time {
            v.push(BridgeAttr::AgeingTime(cs(d)?));
        }
        if let Some(s) = self.stp {
            v.push(BridgeAttr::StpState(u32::from(s)));
        }
        if let Some(p) = self.priority {
            v.push(BridgeAttr::Priority(p));
        }
        if let Some(f) = self.vlan_filtering {
            v.push(BridgeAttr::VlanFiltering(u8::from(f)));
        }
        Ok(v)
    }
}

/// A duration in hundredths of a second (`clock_t` at `USER_HZ` 100), as bridge times go.
fn centiseconds(d: Duration) -> Result<u32> {
    u32::try_from(d.as_millis() / 10)
        .map_err(|_| Error::invalid("bridge time", format!("{d:?} is too long")))
}

/// A macvlan or macvtap on a parent link (`IFLA_LINK`) in a mode (`IFLA_MACVLAN_MODE`), like
/// `ip link add NAME link PARENT type macvlan mode MODE`.
///
/// ```
/// use netplumb::link::{LinkKind, LinkSpec, Macvlan, MacvlanMode};
/// let mv = LinkSpec::new("mv0", Macvlan::new("eth0", MacvlanMode::Bridge));
/// let tap = LinkSpec::new("mvtap0", LinkKind::Macvtap(Macvlan::new("eth0", MacvlanMode::Vepa)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Macvlan<'a> {
    parent: LinkRef<'a>,
    mode: MacvlanMode,
}

impl<'a> Macvlan<'a> {
    /// On `parent`, in `mode` (private, vepa, bridge, passthru or source).
    pub fn new(parent: impl Into<LinkRef<'a>>, mode: MacvlanMode) -> Self {
        Macvlan {
            parent: parent.into(),
            mode,
        }
    }
}

/// vxlan settings (`IFLA_VXLAN_*`), like `ip link add NAME type vxlan id VNI [local A]
/// [remote B | group G dev D] [dstport P] [ttl T] [nolearning]`.
///
/// Without [`Vxlan::port`] the kernel uses its historical default port 8472, not the IANA
/// 4789. Local, remote and group addresses must be of one family.
///
/// ```
/// use netplumb::link::{LinkSpec, Vxlan};
/// let vx = Vxlan::new(42)
///     .local("198.18.0.1".parse().unwrap())
///     .remote("198.18.0.2".parse().unwrap())
///     .port(4789)
///     .ttl(16)
///     .learning(false);
/// let spec = LinkSpec::new("vx0", vx);
/// assert!(LinkSpec::new("vx1", netplumb::link::Vxlan::new(1 << 24)).validate().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vxlan<'a> {
    vni: u32,
    local: Option<IpAddr>,
    remote: Option<IpAddr>,
    group: Option<IpAddr>,
    dev: Option<LinkRef<'a>>,
    port: Option<u16>,
    ttl: Option<u8>,
    learning: Option<bool>,
}

impl<'a> Vxlan<'a> {
    /// The largest VNI (24 bits).
    pub const MAX_VNI: u32 = 0x00ff_ffff;

    /// A vxlan with VNI `vni` (`IFLA_VXLAN_ID`).
    pub fn new(vni: u32) -> Self {
        Vxlan {
            vni,
            local: None,
            remote: None,
            group: None,
            dev: None,
            port: None,
            ttl: None,
            learning: None,
        }
    }
    /// Source address (`IFLA_VXLAN_LOCAL` / `IFLA_VXLAN_LOCAL6`).
    #[must_use]
    pub fn local(mut self, a: IpAddr) -> Self {
        self.local = Some(a);
        self
    }
    /// Unicast remote (`IFLA_VXLAN_GROUP` / `IFLA_VXLAN_GROUP6` with a unicast address).
    #[must_use]
    pub fn remote(mut self, a: IpAddr) -> Self {
        self.remote = Some(a);
        self
    }
    /// Multicast group (`IFLA_VXLAN_GROUP` / `IFLA_VXLAN_GROUP6`), usually with
    /// [`Vxlan::dev`].
    #[must_use]
    pub fn group(mut self, a: IpAddr) -> Self {
        self.group = Some(a);
        self
    }
    /// The underlying device (`IFLA_VXLAN_LINK`).
    #[must_use]
    pub fn dev(mut self, dev: impl Into<LinkRef<'a>>) -> Self {
        self.dev = Some(dev.into());
        self
    }
    /// UDP destination port (`IFLA_VXLAN_PORT`, `dstport`).
    #[must_use]
    pub fn port(mut self, p: u16) -> Self {
        self.port = Some(p);
        self
    }
    /// TTL of the outer packets (`IFLA_VXLAN_TTL`; 0 means inherit).
    #[must_use]
    pub fn ttl(mut self, t: u8) -> Self {
        self.ttl = Some(t);
        self
    }
    /// MAC learning on or off (`IFLA_VXLAN_LEARNING`, `[no]learning`).
    #[must_use]
    pub fn learning(mut self, on: bool) -> Self {
        self.learning = Some(on);
        self
    }

    fn validate(&self) -> Result<()> {
        let bad = |r: String| Err(Error::invalid("vxlan", r));
        if self.vni > Self::MAX_VNI {
            return bad(format!("VNI {} is larger than 24 bits", self.vni));
        }
        if self.remote.is_some() && self.group.is_some() {
            return bad("remote and group are exclusive".into());
        }
        if let Some(r) = self
            .remote
            .filter(|r| r.is_multicast() || r.is_unspecified())
        {
            return bad(format!("remote {r} is not a unicast address"));
        }
        if let Some(g) = self.group.filter(|g| !g.is_multicast()) {
            return bad(format!("group {g} is not a multicast address"));
        }
        if let Some(l) = self.local.filter(|l| l.is_multicast()) {
            return bad(format!("local {l} is a multicast address"));
        }
        let mut fam = [self.local, self.remote, self.group]
            .into_iter()
            .flatten()
            .map(|a| a.is_ipv4());
        if let Some(first) = fam.next()
            && fam.any(|f| f != first)
        {
            return bad("local, remote and group addresses mix IPv4 and IPv6".into());
        }
        if let Some(d) = &self.dev {
            d.validate()?;
        }
        Ok(())
    }

    fn attrs(&self, resolve: &mut Resolver<'_>) -> Result<Vec<VxlanAttr>> {
        let mut v = vec![VxlanAttr::Id(self.vni)];
        if let Some(d) = &self.dev {
            v.push(VxlanAttr::Link(resolve(d)?));
        }
        for a in self.remote.iter().chain(self.group.iter()) {
            v.push(match a {
                IpAddr::V4(a) => VxlanAttr::Group(*a),
                IpAddr::V6(a) => VxlanAttr::Group6(*a),
            });
        }
        if let Some(a) = self.local {
            v.push(match a {
                IpAddr::V4(a) => VxlanAttr::Local(a),
                IpAddr::V6(a) => VxlanAttr::Local6(a),
            });
        }
        if let Some(t) = self.ttl {
            v.push(VxlanAttr::Ttl(t));
        }
        if let Some(l) = self.learning {
            v.push(VxlanAttr::Learning(u8::from(l)));
        }
        if let Some(p) = self.port {
            v.push(VxlanAttr::Port(p));
        }
        Ok(v)
    }
}

/// MTU 0 and MAC addresses the kernel would refuse for a device address.
pub(crate) fn check_common(mtu: Option<u32>, address: Option<MacAddr>) -> Result<()> {
    if mtu == Some(0) {
        return Err(Error::invalid("MTU", "0"));
    }
    if let Some(m) = address {
        check_mac(m)?;
    }
    Ok(())
}

/// A device address must be unicast and not all zeros (the kernel's `is_valid_ether_addr`).
pub(crate) fn check_mac(m: MacAddr) -> Result<()> {
    if !m.is_unicast() || m.0 == [0; 6] {
        return Err(Error::invalid(
            "MAC address",
            format!("{m} is not a unicast address"),
        ));
    }
    Ok(())
}

fn push_common(
    m: &mut LinkMessage,
    mtu: Option<u32>,
    address: Option<MacAddr>,
    txqlen: Option<u32>,
    group: Option<u32>,
) {
    if let Some(v) = mtu {
        m.attrs.push(LinkAttr::Mtu(v));
    }
    if let Some(a) = address {
        m.attrs.push(LinkAttr::Address(a.octets().to_vec()));
    }
    if let Some(q) = txqlen {
        m.attrs.push(LinkAttr::TxQueueLen(q));
    }
    if let Some(g) = group {
        m.attrs.push(LinkAttr::Group(g));
    }
}

impl<'a> LinkSpec<'a> {
    /// A link named `name` of `kind` (a [`Veth`], [`Bridge`], [`Macvlan`], [`Vxlan`] or a
    /// [`LinkKind`]).
    pub fn new(name: impl Into<String>, kind: impl Into<LinkKind<'a>>) -> Self {
        LinkSpec {
            name: name.into(),
            kind: kind.into(),
            mtu: None,
            address: None,
            txqlen: None,
            group: None,
            up: false,
            master: None,
            netns: None,
        }
    }
    /// A veth pair `name` / `peer` (`ip link add NAME type veth peer name PEER`).
    pub fn veth(name: impl Into<String>, peer: impl Into<String>) -> Self {
        Self::new(name, Veth::new(peer))
    }
    /// A bridge with the kernel's defaults (`ip link add NAME type bridge`).
    pub fn bridge(name: impl Into<String>) -> Self {
        Self::new(name, Bridge::new())
    }
    /// A macvlan on `parent` (`ip link add NAME link PARENT type macvlan mode MODE`).
    pub fn macvlan(
        name: impl Into<String>,
        parent: impl Into<LinkRef<'a>>,
        mode: MacvlanMode,
    ) -> Self {
        Self::new(name, LinkKind::Macvlan(Macvlan::new(parent, mode)))
    }
    /// A macvtap on `parent` (`ip link add NAME link PARENT type macvtap mode MODE`).
    pub fn macvtap(
        name: impl Into<String>,
        parent: impl Into<LinkRef<'a>>,
        mode: MacvlanMode,
    ) -> Self {
        Self::new(name, LinkKind::Macvtap(Macvlan::new(parent, mode)))
    }
    /// An ifb (`ip link add NAME type ifb`).
    pub fn ifb(name: impl Into<String>) -> Self {
        Self::new(name, LinkKind::Ifb)
    }
    /// A link of any kind name, without kind data (`ip link add NAME type KIND`).
    pub fn other(name: impl Into<String>, kind: impl Into<String>) -> Self {
        Self::new(name, LinkKind::Other(kind.into()))
    }

    /// `IFLA_MTU`.
    #[must_use]
    pub fn mtu(mut self, mtu: u32) -> Self {
        self.mtu = Some(mtu);
        self
    }
    /// `IFLA_ADDRESS`: the MAC address (see [`MacAddr::random`] and [`MacAddr::from_ipv4`]).
    #[must_use]
    pub fn address(mut self, mac: MacAddr) -> Self {
        self.address = Some(mac);
        self
    }
    /// `IFLA_TXQLEN` (`txqueuelen`).
    #[must_use]
    pub fn txqlen(mut self, txqlen: u32) -> Self {
        self.txqlen = Some(txqlen);
        self
    }
    /// `IFLA_GROUP`: the device group, e.g. to delete many links at once with
    /// [`Handle::link_del_group`].
    #[must_use]
    pub fn group(mut self, group: u32) -> Self {
        self.group = Some(group);
        self
    }
    /// `IFF_UP` in `ifi_flags` and `ifi_change`: up as soon as created.
    #[must_use]
    pub fn up(mut self) -> Self {
        self.up = true;
        self
    }
    /// `IFLA_MASTER`: created as a port of `master` (a bridge, say).
    #[must_use]
    pub fn master(mut self, master: impl Into<LinkRef<'a>>) -> Self {
        self.master = Some(master.into());
        self
    }
    /// `IFLA_NET_NS_FD` / `IFLA_NET_NS_PID` on the link itself: created directly in that
    /// namespace (a veth's peer without its own namespace stays in the handle's).
    #[must_use]
    pub fn netns(mut self, ns: impl Into<NetNsRef<'a>>) -> Self {
        self.netns = Some(ns.into());
        self
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The kind and its settings.
    pub fn kind(&self) -> &LinkKind<'a> {
        &self.kind
    }
    /// The veth peer's name, for a veth.
    pub fn peer_name(&self) -> Option<&str> {
        match &self.kind {
            LinkKind::Veth(v) => Some(v.name()),
            _ => None,
        }
    }

    /// Checks everything that can be checked without the kernel.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the bad field.
    pub fn validate(&self) -> Result<()> {
        crate::ifname::validate(&self.name)?;
        check_common(self.mtu, self.address)?;
        if let Some(m) = &self.master {
            m.validate()?;
        }
        // Checked here, not when built: building looks names up first.
        if let Some(ns) = &self.netns {
            ns.to_attr()?;
        }
        match &self.kind {
            LinkKind::Veth(v) => v.validate(),
            LinkKind::Bridge(b) => b.attrs().map(drop),
            LinkKind::Macvlan(m) | LinkKind::Macvtap(m) => m.parent.validate(),
            LinkKind::Vxlan(v) => v.validate(),
            LinkKind::Ifb => Ok(()),
            LinkKind::Other(k) => {
                if k.is_empty() || k.contains('\0') {
                    Err(Error::invalid("link kind", format!("{k:?}")))
                } else {
                    Ok(())
                }
            }
        }
    }

    /// The `RTM_NEWLINK` request (`NLM_F_CREATE | NLM_F_EXCL`) for this spec, built without
    /// the kernel: links it refers to (master, macvlan parent, vxlan device) must be given by
    /// index. [`Handle::link_add_request`] also resolves names.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a bad field or a link given by name.
    pub fn to_request(&self) -> Result<LinkRequest> {
        self.build(&mut index_only("link reference"))
    }

    pub(crate) fn build(&self, resolve: &mut Resolver<'_>) -> Result<LinkRequest> {
        self.validate()?;
        let mut m = LinkMessage::new(0);
        if self.up {
            m.header.flags |= IfFlags::UP;
            m.header.change_mask |= IfFlags::UP;
        }
        // IFLA_LINK first and IFLA_LINKINFO last, in the order `ip` writes them.
        if let LinkKind::Macvlan(mv) | LinkKind::Macvtap(mv) = &self.kind {
            m.attrs.push(LinkAttr::Link(resolve(&mv.parent)?));
        }
        m.attrs.push(LinkAttr::IfName(self.name.clone()));
        push_common(&mut m, self.mtu, self.address, self.txqlen, self.group);
        if let Some(master) = &self.master {
            m.attrs.push(LinkAttr::Master(resolve(master)?));
        }
        if let Some(ns) = &self.netns {
            m.attrs.push(ns.to_attr()?);
        }
        let info = match &self.kind {
            LinkKind::Veth(v) => LinkInfo::veth(v.to_message()?),
            LinkKind::Bridge(b) => LinkInfo::bridge(b.attrs()?),
            LinkKind::Macvlan(mv) => LinkInfo::macvlan(mv.mode),
            LinkKind::Macvtap(mv) => LinkInfo::macvtap(mv.mode),
            LinkKind::Vxlan(v) => LinkInfo::vxlan(v.attrs(resolve)?),
            LinkKind::Ifb | LinkKind::Other(_) => LinkInfo::new(self.kind.name()),
        };
        m.attrs.push(LinkAttr::LinkInfo(info));
        Ok(LinkRequest {
            msg_type: RTM_NEWLINK,
            flags: NlmsgFlags::CREATE | NlmsgFlags::EXCL,
            message: m,
        })
    }
}

impl Handle {
    /// Creates a link: `RTM_NEWLINK` with `NLM_F_CREATE | NLM_F_EXCL`; like `ip link add`.
    /// Links the spec refers to by name (master, macvlan parent, vxlan device) are looked up
    /// first, one `RTM_GETLINK` each.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] before anything is sent; [`Error::Kernel`] with the kernel's
    /// message: `EEXIST` ([`Error::is_exists`]) if a name is taken, `EOPNOTSUPP`
    /// ([`Error::is_not_supported`]) for a kind this kernel lacks; [`Error::NotFound`] for a
    /// referenced link that does not exist.
    ///
    /// ```no_run
    /// # use netplumb::{Handle, link::LinkSpec};
    /// # fn main() -> netplumb::Result<()> {
    /// let h = Handle::new()?;
    /// h.link_add(&LinkSpec::veth("veth0", "veth1").up())?;
    /// # Ok(()) }
    /// ```
    #[doc(alias = "RTM_NEWLINK")]
    pub fn link_add(&self, spec: &LinkSpec<'_>) -> Result<()> {
        self.link_add_request(spec)?.send(self)
    }

    /// Creates a link as [`Handle::link_add`] does and records in `undo` the step that
    /// deletes it again ([`Handle::record_link_add`]), so that a failure later in a
    /// multi-step setup removes it ([`Undo::rollback`]), as does the setup's teardown.
    ///
    /// ```no_run
    /// # use netplumb::{Handle, link::LinkSpec, undo::Undo};
    /// # fn main() -> netplumb::Result<()> {
    /// let h = Handle::new()?;
    /// let mut undo = Undo::new();
    /// undo.run(|undo| {
    ///     h.link_add_recorded(&LinkSpec::bridge("br0"), undo)?;
    ///     h.link_add_recorded(&LinkSpec::veth("veth0", "veth1").master("br0"), undo)
    /// })?; // if veth0 cannot be made, br0 is deleted again
    /// assert_eq!(undo.steps().collect::<Vec<_>>(), ["RTM_DELLINK", "RTM_DELLINK"]);
    /// undo.teardown()?; // veth0 (with veth1), then br0
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Handle::link_add`]; nothing is recorded when the link was not made.
    pub fn link_add_recorded<'h>(&'h self, spec: &LinkSpec<'_>, undo: &mut Undo<'h>) -> Result<()> {
        let mut step = Undo::new();
        self.record_link_add(spec, &mut step)?;
        self.link_add(spec)?;
        undo.append(&mut step);
        Ok(())
    }

    /// Records in `undo` what takes the creation of `spec` back: `RTM_DELLINK` by the spec's
    /// name on this handle (`ip link del NAME`; a veth's peer goes with it), or, for a link
    /// created in another namespace ([`LinkSpec::netns`]), the same sent from a handle
    /// opened in that namespace when the step runs (the namespace is held open from now).
    /// For a link made by another route, e.g. [`Handle::link_add_unique`] or a batch.
    ///
    /// The link is found by name when the step runs: a setup that renames it or moves it
    /// records the step that takes that back too.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a bad name; [`Error::Io`] if the namespace cannot be
    /// held open.
    pub fn record_link_add<'h>(&'h self, spec: &LinkSpec<'_>, undo: &mut Undo<'h>) -> Result<()> {
        let request = super::link_del_request(spec.name())?;
        let ns = match &spec.netns {
            None => {
                undo.push_request(self, request);
                return Ok(());
            }
            Some(NetNsRef::Fd(fd)) => crate::NetNs::from_fd(
                fd.try_clone_to_owned()
                    .map_err(|e| Error::io("dup namespace descriptor", e))?,
            )?,
            Some(NetNsRef::Pid(pid)) => crate::NetNs::from_pid(*pid)?,
        };
        undo.push(
            format!("{} in namespace {}", request.name(), ns.inode()),
            move || Handle::in_netns(&ns)?.send(&request),
        );
        Ok(())
    }

    /// Creates every link of `specs`, one `RTM_NEWLINK` each and in order, or none: when one
    /// cannot be made, the links this call made are deleted again, most recent first
    /// ([`Undo::run`]). Every spec is validated before anything is sent. (For speed without
    /// that guarantee, [`Handle::link_add_many`] sends one batch and reports each result.)
    ///
    /// ```no_run
    /// # use netplumb::{Handle, link::LinkSpec};
    /// # fn main() -> netplumb::Result<()> {
    /// let h = Handle::new()?;
    /// let specs = [LinkSpec::bridge("br0"), LinkSpec::veth("veth0", "veth1").master("br0")];
    /// h.link_add_all(&specs)?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// The first failure ([`Handle::link_add`]'s errors), as it is when everything made was
    /// deleted again, else inside [`Error::RolledBack`] with the cleanup errors.
    pub fn link_add_all(&self, specs: &[LinkSpec<'_>]) -> Result<()> {
        for s in specs {
            s.validate()?;
        }
        let mut undo = Undo::new();
        undo.run(|undo| {
            specs
                .iter()
                .try_for_each(|s| self.link_add_recorded(s, undo))
        })?;
        undo.commit();
        Ok(())
    }

    /// The request [`Handle::link_add`] sends, with names resolved through this handle, for
    /// a [`Batch`].
    #[doc(alias = "RTM_NEWLINK")]
    pub fn link_add_request(&self, spec: &LinkSpec<'_>) -> Result<LinkRequest> {
        spec.build(&mut self.resolver())
    }

    /// Creates many links in one batch (many requests per `sendmsg`, like `ip -force -batch`),
    /// returning one result per spec. A spec that fails validation is reported in its slot
    /// and not sent.
    ///
    /// # Errors
    /// The outer error is a transport failure (then which links exist is not known).
    #[doc(alias = "RTM_NEWLINK")]
    pub fn link_add_many(&self, specs: &[LinkSpec<'_>]) -> Result<Vec<Result<()>>> {
        self.link_batch(specs, |s| self.link_add_request(s), |e, _| e)
    }

    /// Sends the request `request` makes for each item in one batch (`ip -force -batch`) and
    /// returns one result per item, in order: the error of a request that could not be made
    /// (and was not sent), else the kernel's answer, an error passed through `kernel_err`
    /// with its item.
    ///
    /// # Errors
    /// A transport failure (then which requests took effect is not known).
    pub(crate) fn link_batch<T>(
        &self,
        items: &[T],
        request: impl Fn(&T) -> Result<LinkRequest>,
        kernel_err: impl Fn(Error, &T) -> Error,
    ) -> Result<Vec<Result<()>>> {
        let mut batch = Batch::new();
        let unsent: Vec<Option<Error>> = items
            .iter()
            .map(|item| request(item).and_then(|r| r.push_to(&mut batch)).err())
            .collect();
        let mut sent = self.batch(&batch, BatchMode::Force)?.into_iter();
        Ok(unsent
            .into_iter()
            .zip(items)
            .map(|(unsent, item)| match unsent {
                Some(e) => Err(e),
                None => sent
                    .next()
                    .unwrap_or_else(|| Err(Error::Protocol("a batch result is missing".into())))
                    .map_err(|e| kernel_err(e, item)),
            })
            .collect())
    }

    /// Creates a link under a fresh random name: `prefix` followed by `hex_len` random hex
    /// digits ([`crate::ifname::random`]), retried with new names while the kernel answers
    /// `EEXIST`, up to [`UNIQUE_ATTEMPTS`] times. Returns the spec that was created.
    ///
    /// `spec` builds the link for a candidate name; it is called again for each attempt, so
    /// it can draw a fresh random name for a veth peer too (as the CNI plugins and
    /// libnetwork do), and a collision on either name is retried.
    ///
    /// ```no_run
    /// # use netplumb::{Handle, ifname, link::LinkSpec};
    /// # fn main() -> netplumb::Result<()> {
    /// let h = Handle::new()?;
    /// let made = h.link_add_unique("veth", 7, |name| {
    ///     Ok(LinkSpec::veth(name, ifname::random("veth", 7)?))
    /// })?;
    /// println!("{} <-> {}", made.name(), made.peer_name().unwrap());
    /// // In a multi-step setup, record what takes it back:
    /// let mut undo = netplumb::undo::Undo::new();
    /// h.record_link_add(&made, &mut undo)?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// The last `EEXIST` when every attempt collided; any other error at once.
    #[doc(alias = "RTM_NEWLINK")]
    pub fn link_add_unique<'s>(
        &self,
        prefix: &str,
        hex_len: usize,
        spec: impl FnMut(&str) -> Result<LinkSpec<'s>>,
    ) -> Result<LinkSpec<'s>> {
        self.link_add_unique_with(
            UNIQUE_ATTEMPTS,
            || crate::ifname::random(prefix, hex_len),
            spec,
        )
    }

    /// [`Handle::link_add_unique`] with the candidate names drawn from `names` and at most
    /// `attempts` tries (a deterministic generator makes collisions testable).
    #[doc(alias = "RTM_NEWLINK")]
    pub fn link_add_unique_with<'s>(
        &self,
        attempts: usize,
        mut names: impl FnMut() -> Result<String>,
        mut spec: impl FnMut(&str) -> Result<LinkSpec<'s>>,
    ) -> Result<LinkSpec<'s>> {
        let mut last = Error::invalid("attempts", "0");
        for _ in 0..attempts {
            let name = names()?;
            let s = spec(&name)?;
            match self.link_add(&s) {
                Ok(()) => return Ok(s),
                Err(e) if e.is_exists() => last = e,
                Err(e) => return Err(e),
            }
        }
        Err(last)
    }
}
