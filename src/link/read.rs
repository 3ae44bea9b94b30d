//! Reading links: [`Link`] and [`LinkFilter`], like `ip -d -s link show`.

use super::{LinkRef, index_i32, no_such_link};
use crate::handle::Handle;
use crate::mac::MacAddr;
use crate::wire::link::{IfFlags, InfoData, LinkAttr, LinkInfo, LinkMessage, OperState, Stats64};
use crate::wire::nlmsg::{NlmsgFlags, RTM_GETLINK};
use crate::{Error, Result};

/// A link as the kernel reports it (`RTM_NEWLINK` in reply to `RTM_GETLINK`), with the
/// fields containers care about typed, and the whole message kept for the rest.
///
/// ```no_run
/// # use netplumb::Handle;
/// # fn main() -> netplumb::Result<()> {
/// let h = Handle::new()?;
/// let l = h.link_get("lo")?;
/// assert!(l.flags.contains(netplumb::link::IfFlags::LOOPBACK));
/// println!("{} mtu {:?} {:?}", l.name, l.mtu, l.stats.map(|s| s.rx_packets));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Link {
    /// `ifi_index`.
    pub index: u32,
    /// `IFLA_IFNAME`.
    pub name: String,
    /// `ifi_flags` (`IFF_UP`, `IFF_LOWER_UP`...).
    pub flags: IfFlags,
    /// `IFLA_CARRIER`.
    pub carrier: Option<bool>,
    /// `IFLA_OPERSTATE`.
    pub operstate: Option<OperState>,
    /// `IFLA_MTU`.
    pub mtu: Option<u32>,
    /// `IFLA_MIN_MTU`.
    pub min_mtu: Option<u32>,
    /// `IFLA_MAX_MTU`.
    pub max_mtu: Option<u32>,
    /// `IFLA_TXQLEN`.
    pub txqlen: Option<u32>,
    /// `IFLA_ADDRESS` when it is 6 bytes long (Ethernet-like links; the raw bytes of any
    /// length are in `message`).
    pub address: Option<MacAddr>,
    /// `IFLA_BROADCAST` when it is 6 bytes long.
    pub broadcast: Option<MacAddr>,
    /// `IFLA_MASTER`: the index of the bridge (or other master) this link is a port of.
    pub master: Option<u32>,
    /// `IFLA_LINK`: the index of the underlying link (a veth's peer, a macvlan's parent);
    /// in the namespace [`Link::link_netnsid`] names when that is set.
    pub link: Option<u32>,
    /// `IFLA_LINK_NETNSID`: the namespace id (in this namespace's table) of the namespace
    /// [`Link::link`] lives in.
    pub link_netnsid: Option<i32>,
    /// `IFLA_INFO_KIND` ("veth", "bridge"...); kind data is in [`Link::info`].
    pub kind: Option<String>,
    /// `IFLA_IFALIAS`.
    pub alias: Option<String>,
    /// `IFLA_GROUP`.
    pub group: Option<u32>,
    /// `IFLA_STATS64`.
    pub stats: Option<Stats64>,
    /// The whole message.
    pub message: LinkMessage,
}

impl Link {
    /// Builds a link from a kernel message.
    ///
    /// # Errors
    /// [`Error::Protocol`] if the message has no positive index or no name.
    pub fn from_message(message: LinkMessage) -> Result<Link> {
        let index = u32::try_from(message.index())
            .ok()
            .filter(|&i| i > 0)
            .ok_or_else(|| {
                Error::Protocol(format!("link message with index {}", message.index()))
            })?;
        let name = message
            .name()
            .ok_or_else(|| Error::Protocol(format!("link {index} without IFLA_IFNAME")))?
            .to_string();
        let mac = |b: Option<&[u8]>| {
            b.and_then(|b| <[u8; 6]>::try_from(b).ok())
                .map(MacAddr::from)
        };
        Ok(Link {
            index,
            name,
            flags: message.flags(),
            carrier: message.find(|a| match a {
                LinkAttr::Carrier(c) => Some(*c != 0),
                _ => None,
            }),
            operstate: message.operstate(),
            mtu: message.mtu(),
            min_mtu: message.find(|a| match a {
                LinkAttr::MinMtu(v) => Some(*v),
                _ => None,
            }),
            max_mtu: message.find(|a| match a {
                LinkAttr::MaxMtu(v) => Some(*v),
                _ => None,
            }),
            txqlen: message.txqlen(),
            address: mac(message.address()),
            broadcast: mac(message.broadcast()),
            master: message.master(),
            link: message.link(),
            link_netnsid: message.find(|a| match a {
                LinkAttr::LinkNetNsId(v) => Some(*v),
                _ => None,
            }),
            kind: message.kind().map(str::to_string),
            alias: message.alias().map(str::to_string),
            group: message.find(|a| match a {
                LinkAttr::Group(v) => Some(*v),
                _ => None,
            }),
            stats: message.stats64().cloned(),
            message,
        })
    }

    /// Parses a `RTM_NEWLINK` payload.
    pub fn parse(payload: &[u8]) -> Result<Link> {
        Link::from_message(LinkMessage::parse(payload)?)
    }

    /// `IFF_UP`: administratively up.
    pub fn is_up(&self) -> bool {
        self.flags.contains(IfFlags::UP)
    }

    /// `IFLA_LINKINFO`: kind, kind data, and for a port its master's kind and port data.
    pub fn info(&self) -> Option<&LinkInfo> {
        self.message.info()
    }

    /// `IFLA_INFO_DATA`, typed for the kinds the wire codec knows.
    pub fn kind_data(&self) -> Option<&InfoData> {
        self.info().and_then(LinkInfo::data)
    }
}

/// Which links [`Handle::link_list`] returns. The kind and master go to the kernel in the
/// dump request (`IFLA_LINKINFO { IFLA_INFO_KIND }`, `IFLA_MASTER`, like `ip link show type
/// KIND` and `ip link show master DEV`) and are checked again on each reply, since the kernel
/// ignores a kind it does not know; `up` and `group` are checked here.
///
/// ```
/// use netplumb::link::LinkFilter;
/// let f = LinkFilter::new().kind("veth").master("br0").up(true);
/// ```
#[derive(Debug, Clone, Default)]
pub struct LinkFilter<'a> {
    kind: Option<String>,
    master: Option<LinkRef<'a>>,
    up: Option<bool>,
    group: Option<u32>,
}

impl<'a> LinkFilter<'a> {
    /// Every link.
    pub fn new() -> Self {
        Self::default()
    }
    /// Links of this kind (`IFLA_INFO_KIND`).
    #[must_use]
    pub fn kind(mut self, kind: impl Into<String>) -> Self {
        self.kind = Some(kind.into());
        self
    }
    /// Ports of this master.
    #[must_use]
    pub fn master(mut self, master: impl Into<LinkRef<'a>>) -> Self {
        self.master = Some(master.into());
        self
    }
    /// Links that are up (`true`) or down (`false`).
    #[must_use]
    pub fn up(mut self, up: bool) -> Self {
        self.up = Some(up);
        self
    }
    /// Links in this device group.
    #[must_use]
    pub fn group(mut self, group: u32) -> Self {
        self.group = Some(group);
        self
    }

    /// The dump request, with the master index already resolved.
    pub(super) fn request(&self, master: Option<u32>) -> Result<LinkMessage> {
        let mut m = LinkMessage::new(0);
        if let Some(i) = master {
            m.attrs.push(LinkAttr::Master(i));
        }
        if let Some(k) = &self.kind {
            if k.is_empty() || k.contains('\0') {
                return Err(Error::invalid("link kind", format!("{k:?}")));
            }
            m.attrs.push(LinkAttr::LinkInfo(LinkInfo::new(k)));
        }
        Ok(m)
    }

    pub(super) fn matches(&self, l: &Link, master: Option<u32>) -> bool {
        self.kind
            .as_deref()
            .is_none_or(|k| l.kind.as_deref() == Some(k))
            && master.is_none_or(|m| l.master == Some(m))
            && self.up.is_none_or(|u| l.is_up() == u)
            && self.group.is_none_or(|g| l.group.unwrap_or(0) == g)
    }
}

impl Handle {
    /// One link: one `RTM_GETLINK` request (not a dump) by index or by `IFLA_IFNAME`, like
    /// `ip -d -s link show dev DEV`.
    ///
    /// # Errors
    /// [`Error::NotFound`] if there is no such link.
    #[doc(alias = "RTM_GETLINK")]
    pub fn link_get<'a>(&self, dev: impl Into<LinkRef<'a>>) -> Result<Link> {
        let dev = dev.into();
        let req = match &dev {
            LinkRef::Index(i) => LinkMessage::new(index_i32(*i)?),
            LinkRef::Name(_) => dev.to_message()?,
        };
        self.get_map(RTM_GETLINK, NlmsgFlags::empty(), &req, |m| {
            Link::parse(m.payload())
        })
        .map_err(|e| no_such_link(e, &dev))
    }

    /// The links `filter` selects: an `RTM_GETLINK` dump with the kernel-side filters, like
    /// `ip -d -s link show [type KIND] [master DEV] [up] [group G]`. A dump interrupted by
    /// concurrent changes is repeated (a few times).
    ///
    /// # Errors
    /// [`Error::NotFound`] if the filter's master does not exist;
    /// [`Error::DumpInterrupted`] if the table kept changing.
    #[doc(alias = "RTM_GETLINK")]
    pub fn link_list(&self, filter: &LinkFilter<'_>) -> Result<Vec<Link>> {
        let master = self.filter_master(filter)?;
        let req = filter.request(master)?;
        let all = self.dump_retry(self.dump_retries(), RTM_GETLINK, &req, |p| {
            let l = Link::parse(p)?;
            Ok(filter.matches(&l, master).then_some(l))
        })?;
        Ok(all.into_iter().flatten().collect())
    }

    /// Like [`Handle::link_list`], one link at a time as the dump arrives (the table is
    /// never held whole, and the dump is not repeated: an inconsistent dump ends with
    /// [`Error::DumpInterrupted`]). The iterator holds one of the handle's sockets until it is
    /// dropped (other calls meanwhile run on other sockets).
    #[doc(alias = "RTM_GETLINK")]
    pub fn link_iter<'h>(
        &'h self,
        filter: &LinkFilter<'_>,
    ) -> Result<impl Iterator<Item = Result<Link>> + use<'h>> {
        let master = self.filter_master(filter)?;
        let req = filter.request(master)?;
        let filter = LinkFilter {
            kind: filter.kind.clone(),
            master: None,
            up: filter.up,
            group: filter.group,
        };
        Ok(self
            .dump_map(RTM_GETLINK, &req, Link::parse)?
            .filter(move |r| r.as_ref().map_or(true, |l| filter.matches(l, master))))
    }

    fn filter_master(&self, filter: &LinkFilter<'_>) -> Result<Option<u32>> {
        filter
            .master
            .as_ref()
            .map(|m| self.link_index(m.clone()))
            .transpose()
    }
}
