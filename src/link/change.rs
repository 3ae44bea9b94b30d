//! Changing links: [`LinkChange`], like `ip link set`.

use super::spec::{check_common, check_mac};
use super::{LinkRef, LinkRequest, NetNsRef, Resolver, index_i32, index_only, no_such_link};
use crate::handle::Handle;
use crate::mac::MacAddr;
use crate::wire::link::{
    BridgePortAttr, IfFlags, InfoAttr, LinkAttr, LinkInfo, LinkMessage, SlaveData,
};
use crate::wire::nlmsg::{NlmsgFlags, RTM_NEWLINK};
use crate::{Error, Result};

/// `IFALIASZ` - 1: the longest alias the kernel keeps.
const MAX_ALIAS_LEN: usize = 255;

/// Changes to an existing link, sent by [`Handle::link_set`] as `RTM_NEWLINK` on the link's
/// index (or name), like `ip link set DEV [up|down] [mtu M] [name N] [address A]
/// [master B|nomaster] [netns NS] [txqueuelen Q] [alias TEXT] [group G]` and
/// `ip link set DEV type bridge_slave [hairpin on] [learning off] [flood off]`.
///
/// Only what is set is sent. Values are checked before anything is sent
/// ([`LinkChange::validate`]).
///
/// ```
/// use netplumb::link::LinkChange;
/// let c = LinkChange::new().mtu(1400).name("eth0").up();
/// assert!(LinkChange::new().mtu(0).validate().is_err());
/// assert!(LinkChange::new().name("no/slash").validate().is_err());
/// ```
#[derive(Debug, Clone, Default)]
pub struct LinkChange<'a> {
    up: Option<bool>,
    /// Other `IFF_*` flags to set or clear: the values, and which of them change.
    flags: IfFlags,
    flags_mask: IfFlags,
    mtu: Option<u32>,
    name: Option<String>,
    address: Option<MacAddr>,
    txqlen: Option<u32>,
    alias: Option<String>,
    group: Option<u32>,
    master: Option<Option<LinkRef<'a>>>,
    netns: Option<NetNsRef<'a>>,
    hairpin: Option<bool>,
    learning: Option<bool>,
    flood: Option<bool>,
}

impl<'a> LinkChange<'a> {
    /// No change yet.
    pub fn new() -> Self {
        Self::default()
    }
    /// Administratively up (`IFF_UP` set in `ifi_flags`, and in `ifi_change`).
    #[must_use]
    pub fn up(self) -> Self {
        self.set_up(true)
    }
    /// Administratively down (`IFF_UP` clear in `ifi_flags`, set in `ifi_change`).
    #[must_use]
    pub fn down(self) -> Self {
        self.set_up(false)
    }
    /// Up or down.
    #[must_use]
    pub fn set_up(mut self, up: bool) -> Self {
        self.up = Some(up);
        self
    }
    /// Sets (`on`) or clears an interface flag other than `IFF_UP` (`ifi_flags`, with the bit
    /// in `ifi_change`): `IFF_NOARP` (`ip link set DEV arp off`), `IFF_MULTICAST`
    /// (`multicast on`), `IFF_PROMISC` (`promisc on`), `IFF_ALLMULTI` (`allmulticast on`),
    /// `IFF_DYNAMIC`, ... Several calls combine; for `IFF_UP` use [`LinkChange::set_up`].
    ///
    /// ```
    /// use netplumb::link::{IfFlags, LinkChange};
    /// // ip link set DEV arp off promisc on
    /// let c = LinkChange::new().flag(IfFlags::NOARP, true).flag(IfFlags::PROMISC, true);
    /// assert!(!c.is_empty());
    /// ```
    #[must_use]
    pub fn flag(mut self, flag: IfFlags, on: bool) -> Self {
        let flag = flag - IfFlags::UP;
        self.flags_mask |= flag;
        self.flags.set(flag, on);
        self
    }
    /// `IFLA_MTU`.
    #[must_use]
    pub fn mtu(mut self, mtu: u32) -> Self {
        self.mtu = Some(mtu);
        self
    }
    /// `IFLA_IFNAME`: renames the link (in its new namespace, together with
    /// [`LinkChange::netns`]). Linux before 6.2 refuses to rename a link that is up
    /// (`EBUSY`, [`Error::is_busy`]).
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// `IFLA_ADDRESS`: the MAC address.
    #[must_use]
    pub fn address(mut self, mac: MacAddr) -> Self {
        self.address = Some(mac);
        self
    }
    /// `IFLA_TXQLEN`.
    #[must_use]
    pub fn txqlen(mut self, txqlen: u32) -> Self {
        self.txqlen = Some(txqlen);
        self
    }
    /// `IFLA_IFALIAS`: the alias; an empty one removes it.
    #[must_use]
    pub fn alias(mut self, alias: impl Into<String>) -> Self {
        self.alias = Some(alias.into());
        self
    }
    /// `IFLA_GROUP`: the device group.
    #[must_use]
    pub fn group(mut self, group: u32) -> Self {
        self.group = Some(group);
        self
    }
    /// `IFLA_MASTER`: makes the link a port of `master` (`master B`).
    #[must_use]
    pub fn master(mut self, master: impl Into<LinkRef<'a>>) -> Self {
        self.master = Some(Some(master.into()));
        self
    }
    /// `IFLA_MASTER` 0: releases the link from its master (`nomaster`).
    #[must_use]
    pub fn nomaster(mut self) -> Self {
        self.master = Some(None);
        self
    }
    /// `IFLA_NET_NS_FD` / `IFLA_NET_NS_PID`: moves the link to another namespace (`netns NS`);
    /// with [`LinkChange::name`] it gets its new name there in the same request.
    #[must_use]
    pub fn netns(mut self, ns: impl Into<NetNsRef<'a>>) -> Self {
        self.netns = Some(ns.into());
        self
    }
    /// Bridge port: hairpin mode (`IFLA_BRPORT_MODE`, `hairpin on|off`).
    #[must_use]
    pub fn hairpin(mut self, on: bool) -> Self {
        self.hairpin = Some(on);
        self
    }
    /// Bridge port: MAC learning (`IFLA_BRPORT_LEARNING`, `learning on|off`).
    #[must_use]
    pub fn learning(mut self, on: bool) -> Self {
        self.learning = Some(on);
        self
    }
    /// Bridge port: flooding of unknown unicast (`IFLA_BRPORT_UNICAST_FLOOD`, `flood on|off`).
    #[must_use]
    pub fn flood(mut self, on: bool) -> Self {
        self.flood = Some(on);
        self
    }

    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        self.up.is_none()
            && self.flags_mask.is_empty()
            && self.mtu.is_none()
            && self.name.is_none()
            && self.address.is_none()
            && self.txqlen.is_none()
            && self.alias.is_none()
            && self.group.is_none()
            && self.master.is_none()
            && self.netns.is_none()
            && !self.has_port_options()
    }

    fn has_port_options(&self) -> bool {
        self.hairpin.is_some() || self.learning.is_some() || self.flood.is_some()
    }

    /// Checks everything that can be checked without the kernel.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the bad field.
    pub fn validate(&self) -> Result<()> {
        if let Some(n) = &self.name {
            crate::ifname::validate(n)?;
        }
        check_common(self.mtu, None)?;
        if let Some(m) = self.address {
            check_mac(m)?;
        }
        if let Some(a) = &self.alias {
            if a.len() > MAX_ALIAS_LEN {
                return Err(Error::invalid("alias", "longer than 255 bytes"));
            }
            if a.contains('\0') {
                return Err(Error::invalid("alias", "contains NUL"));
            }
        }
        if let Some(Some(m)) = &self.master {
            m.validate()?;
        }
        // Checked here, not when built: a rename or a master by name is looked up first.
        if let Some(ns) = &self.netns {
            ns.to_attr()?;
        }
        if self.netns.is_some() && self.has_port_options() {
            return Err(Error::invalid(
                "link change",
                "bridge port options cannot go with a move to another namespace",
            ));
        }
        Ok(())
    }

    /// The requests for this change of `dev`, built without the kernel: one `RTM_NEWLINK`,
    /// or two when the change sets a master and bridge-port options (the kernel reads port
    /// options against the master the link has before the request, so they follow in a
    /// second request). A rename and a master need indexes; [`Handle::link_set_requests`]
    /// resolves names.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a bad field, or a name where an index is needed.
    pub fn to_requests<'d>(&self, dev: impl Into<LinkRef<'d>>) -> Result<Vec<LinkRequest>> {
        self.build(&dev.into(), &mut index_only("link reference"))
    }

    pub(crate) fn build(
        &self,
        dev: &LinkRef<'_>,
        resolve: &mut Resolver<'_>,
    ) -> Result<Vec<LinkRequest>> {
        self.validate()?;
        dev.validate()?;
        // A rename puts the new name in IFLA_IFNAME, so the link must go by its index.
        let target = match dev {
            LinkRef::Name(_) if self.name.is_some() => LinkRef::Index(resolve(dev)?),
            other => other.clone(),
        };
        let ident = || match &target {
            LinkRef::Index(i) => Ok(LinkMessage::new(index_i32(*i)?)),
            LinkRef::Name(_) => target.to_message(),
        };
        let mut m = ident()?;
        if let Some(up) = self.up {
            m.header.change_mask |= IfFlags::UP;
            m.header.flags.set(IfFlags::UP, up);
        }
        m.header.change_mask |= self.flags_mask;
        m.header.flags |= self.flags & self.flags_mask;
        if let Some(n) = &self.name {
            m.attrs.push(LinkAttr::IfName(n.clone()));
        }
        if let Some(v) = self.mtu {
            m.attrs.push(LinkAttr::Mtu(v));
        }
        if let Some(a) = self.address {
            m.attrs.push(LinkAttr::Address(a.octets().to_vec()));
        }
        if let Some(q) = self.txqlen {
            m.attrs.push(LinkAttr::TxQueueLen(q));
        }
        if let Some(a) = &self.alias {
            m.attrs.push(LinkAttr::IfAlias(a.clone()));
        }
        if let Some(g) = self.group {
            m.attrs.push(LinkAttr::Group(g));
        }
        if let Some(master) = &self.master {
            let i = match master {
                Some(r) => resolve(r)?,
                None => 0,
            };
            m.attrs.push(LinkAttr::Master(i));
        }
        if let Some(ns) = &self.netns {
            m.attrs.push(ns.to_attr()?);
        }
        let port = self.has_port_options().then(|| self.port_info());
        let request = |message| LinkRequest {
            msg_type: RTM_NEWLINK,
            flags: NlmsgFlags::empty(),
            message,
        };
        Ok(match port {
            Some(info) if self.master.is_some() => {
                let second = ident()?.with(LinkAttr::LinkInfo(info));
                vec![request(m), request(second)]
            }
            Some(info) => vec![request(m.with(LinkAttr::LinkInfo(info)))],
            None => vec![request(m)],
        })
    }

    /// `IFLA_LINKINFO { IFLA_INFO_SLAVE_KIND "bridge", IFLA_INFO_SLAVE_DATA { IFLA_BRPORT_* } }`.
    fn port_info(&self) -> LinkInfo {
        let mut data = Vec::new();
        if let Some(h) = self.hairpin {
            data.push(BridgePortAttr::Mode(u8::from(h)));
        }
        if let Some(l) = self.learning {
            data.push(BridgePortAttr::Learning(u8::from(l)));
        }
        if let Some(f) = self.flood {
            data.push(BridgePortAttr::UnicastFlood(u8::from(f)));
        }
        LinkInfo {
            attrs: vec![
                InfoAttr::SlaveKind {
                    name: "bridge".into(),
                    nul: true,
                },
                InfoAttr::SlaveData(SlaveData::Bridge(data)),
            ],
        }
    }
}

impl Handle {
    /// Changes a link: `RTM_NEWLINK` (no create flags) on the link, like `ip link set`. A
    /// link given by name goes by `IFLA_IFNAME` in the same request, except for a rename,
    /// which first looks the index up (one `RTM_GETLINK`); a master given by name is looked
    /// up too. See [`LinkChange::to_requests`] for when two requests are sent.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] before anything is sent; [`Error::NotFound`] if `dev` does not
    /// exist; [`Error::Kernel`] with the kernel's message otherwise (`EEXIST` for a name in
    /// use, `EBUSY` for a link that cannot change now, `EINVAL` for an MTU out of range...).
    ///
    /// ```no_run
    /// # use netplumb::{Handle, link::LinkChange};
    /// # fn main() -> netplumb::Result<()> {
    /// let h = Handle::new()?;
    /// h.link_set("veth0", &LinkChange::new().mtu(1400).master("br0").up())?;
    /// # Ok(()) }
    /// ```
    #[doc(alias = "RTM_NEWLINK")]
    pub fn link_set<'a>(&self, dev: impl Into<LinkRef<'a>>, change: &LinkChange<'_>) -> Result<()> {
        let dev = dev.into();
        for r in self.link_set_requests(&dev, change)? {
            r.send(self).map_err(|e| no_such_link(e, &dev))?;
        }
        Ok(())
    }

    /// The requests [`Handle::link_set`] sends, with names resolved through this handle.
    #[doc(alias = "RTM_NEWLINK")]
    pub fn link_set_requests<'a>(
        &self,
        dev: impl Into<LinkRef<'a>>,
        change: &LinkChange<'_>,
    ) -> Result<Vec<LinkRequest>> {
        change.build(&dev.into(), &mut self.resolver())
    }

    /// Sets a link up: `ip link set DEV up`.
    #[doc(alias("RTM_NEWLINK", "IFF_UP"))]
    pub fn link_up<'a>(&self, dev: impl Into<LinkRef<'a>>) -> Result<()> {
        self.link_set(dev, &LinkChange::new().up())
    }

    /// Sets a link down: `ip link set DEV down`.
    #[doc(alias("RTM_NEWLINK", "IFF_UP"))]
    pub fn link_down<'a>(&self, dev: impl Into<LinkRef<'a>>) -> Result<()> {
        self.link_set(dev, &LinkChange::new().down())
    }

    /// Sets the MTU: `ip link set DEV mtu MTU`.
    #[doc(alias("RTM_NEWLINK", "IFLA_MTU"))]
    pub fn link_set_mtu<'a>(&self, dev: impl Into<LinkRef<'a>>, mtu: u32) -> Result<()> {
        self.link_set(dev, &LinkChange::new().mtu(mtu))
    }

    /// Renames a link: `ip link set DEV name NAME`.
    #[doc(alias("RTM_NEWLINK", "IFLA_IFNAME"))]
    pub fn link_rename<'a>(&self, dev: impl Into<LinkRef<'a>>, name: &str) -> Result<()> {
        self.link_set(dev, &LinkChange::new().name(name))
    }

    /// Sets the MAC address: `ip link set DEV address MAC`.
    #[doc(alias("RTM_NEWLINK", "IFLA_ADDRESS"))]
    pub fn link_set_address<'a>(&self, dev: impl Into<LinkRef<'a>>, mac: MacAddr) -> Result<()> {
        self.link_set(dev, &LinkChange::new().address(mac))
    }

    /// Makes `dev` a port of `master`: `ip link set DEV master MASTER`.
    #[doc(alias("RTM_NEWLINK", "IFLA_MASTER"))]
    pub fn link_set_master<'a, 'b>(
        &self,
        dev: impl Into<LinkRef<'a>>,
        master: impl Into<LinkRef<'b>>,
    ) -> Result<()> {
        self.link_set(dev, &LinkChange::new().master(master))
    }

    /// Releases `dev` from its master: `ip link set DEV nomaster`.
    #[doc(alias("RTM_NEWLINK", "IFLA_MASTER"))]
    pub fn link_set_nomaster<'a>(&self, dev: impl Into<LinkRef<'a>>) -> Result<()> {
        self.link_set(dev, &LinkChange::new().nomaster())
    }

    /// Moves `dev` to another namespace: `ip link set DEV netns NS`.
    #[doc(alias("RTM_NEWLINK", "IFLA_NET_NS_FD", "IFLA_NET_NS_PID"))]
    pub fn link_set_netns<'a, 'n>(
        &self,
        dev: impl Into<LinkRef<'a>>,
        ns: impl Into<NetNsRef<'n>>,
    ) -> Result<()> {
        self.link_set(dev, &LinkChange::new().netns(ns))
    }
}
