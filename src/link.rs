//! Link operations on a [`Handle`]: like `ip link`.
//!
//! - Create: [`Handle::link_add`] with a [`LinkSpec`] (veth, bridge, macvlan, macvtap, vxlan,
//!   ifb, or any kind name the kernel may know), and [`Handle::link_add_unique`] for random
//!   names retried on `EEXIST`. [`Handle::link_add_recorded`] and
//!   [`Handle::record_link_add`] record the deletion in an [`crate::undo::Undo`] log;
//!   [`Handle::link_add_all`] makes all of several links or none.
//! - Change: [`Handle::link_set`] with a [`LinkChange`], and the one-field wrappers
//!   ([`Handle::link_up`], [`Handle::link_set_mtu`], [`Handle::link_set_netns`], ...).
//! - Read: [`Handle::link_get`] (one `RTM_GETLINK`), [`Handle::link_list`] and
//!   [`Handle::link_iter`] with a [`LinkFilter`] applied by the kernel; the results are
//!   [`Link`]s.
//! - Delete: [`Handle::link_del`], [`Handle::link_del_many`] (one batch) and
//!   [`Handle::link_del_group`] (one kernel request for a whole device group).
//!
//! Every request can also be built without sending it, as a [`LinkRequest`] to push into a
//! [`crate::Batch`]: [`LinkSpec::to_request`], [`LinkChange::to_requests`],
//! [`link_del_request`], [`link_del_group_request`].
//!
//! ```no_run
//! use netplumb::link::{LinkChange, LinkSpec, Veth};
//! use netplumb::{Handle, NetNs};
//! # fn main() -> netplumb::Result<()> {
//! let h = Handle::new()?;
//! let container = NetNs::open_name("c1")?;
//! // ip link add veth1a2b type veth peer name eth0 netns c1
//! h.link_add(&LinkSpec::new("veth1a2b", Veth::new("eth0").netns(&container)))?;
//! h.link_set("veth1a2b", &LinkChange::new().master("br0").up())?;
//! assert!(h.link_get("veth1a2b")?.is_up());
//! # Ok(()) }
//! ```

mod change;
mod del;
mod read;
mod spec;
#[cfg(test)]
mod tests;

pub use change::LinkChange;
pub use del::{link_del_group_request, link_del_request};
pub use read::{Link, LinkFilter};
pub use spec::{Bridge, LinkKind, LinkSpec, Macvlan, UNIQUE_ATTEMPTS, Veth, Vxlan};

pub use crate::wire::link::{IfFlags, InfoData, LinkInfo, MacvlanMode, OperState, Stats64};

use crate::handle::Handle;
use crate::socket::Request;
use crate::wire::link::{LinkAttr, LinkMessage};
use crate::wire::nlmsg::{NlmsgFlags, RTM_GETLINK};
use crate::{Error, Result};
use std::borrow::Cow;
use std::fmt;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};

/// A link named by index or by name, as the commands of `ip` accept `dev DEV`.
///
/// ```
/// use netplumb::link::LinkRef;
/// assert_eq!(LinkRef::from("eth0"), LinkRef::Name("eth0".into()));
/// assert_eq!(LinkRef::from(3u32), LinkRef::Index(3));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LinkRef<'a> {
    /// By interface index.
    Index(u32),
    /// By interface name.
    Name(Cow<'a, str>),
}

impl fmt::Display for LinkRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkRef::Index(i) => write!(f, "index {i}"),
            LinkRef::Name(n) => f.write_str(n),
        }
    }
}

impl From<u32> for LinkRef<'_> {
    fn from(i: u32) -> Self {
        LinkRef::Index(i)
    }
}
impl<'a> From<&'a str> for LinkRef<'a> {
    fn from(n: &'a str) -> Self {
        LinkRef::Name(Cow::Borrowed(n))
    }
}
impl<'a> From<&'a String> for LinkRef<'a> {
    fn from(n: &'a String) -> Self {
        LinkRef::Name(Cow::Borrowed(n.as_str()))
    }
}
impl From<String> for LinkRef<'_> {
    fn from(n: String) -> Self {
        LinkRef::Name(Cow::Owned(n))
    }
}
impl From<&u32> for LinkRef<'_> {
    fn from(i: &u32) -> Self {
        LinkRef::Index(*i)
    }
}
impl<'a> From<&&'a str> for LinkRef<'a> {
    fn from(n: &&'a str) -> Self {
        LinkRef::Name(Cow::Borrowed(n))
    }
}
impl<'a> From<&LinkRef<'a>> for LinkRef<'a> {
    fn from(r: &LinkRef<'a>) -> Self {
        r.clone()
    }
}

impl LinkRef<'_> {
    /// The request header and attribute that name this link: `ifi_index`, or index 0 plus
    /// `IFLA_IFNAME` (which the kernel accepts in every link request, and which matches
    /// alternative names too), or for a name longer than 15 bytes, which can only be an
    /// alternative name, `IFLA_ALT_IFNAME` (as `ip` sends it). The name is validated first.
    pub fn to_message(&self) -> Result<LinkMessage> {
        Ok(match self {
            LinkRef::Index(i) => LinkMessage::new(index_i32(*i)?),
            LinkRef::Name(n) if n.len() > crate::ifname::MAX_IFNAME_LEN => {
                crate::ifname::validate_alt(n)?;
                LinkMessage::new(0).with(LinkAttr::AltIfName(n.to_string()))
            }
            LinkRef::Name(n) => {
                crate::ifname::validate(n)?;
                LinkMessage::new(0).with(LinkAttr::IfName(n.to_string()))
            }
        })
    }

    /// The same reference owning its name.
    pub fn into_owned(self) -> LinkRef<'static> {
        match self {
            LinkRef::Index(i) => LinkRef::Index(i),
            LinkRef::Name(n) => LinkRef::Name(Cow::Owned(n.into_owned())),
        }
    }

    /// Checks the reference without sending anything: a valid name or a positive index.
    pub fn validate(&self) -> Result<()> {
        match self {
            LinkRef::Index(i) => index_i32(*i).map(drop),
            LinkRef::Name(n) if n.len() > crate::ifname::MAX_IFNAME_LEN => {
                crate::ifname::validate_alt(n)
            }
            LinkRef::Name(n) => crate::ifname::validate(n),
        }
    }
}

pub(crate) fn index_i32(i: u32) -> Result<i32> {
    i32::try_from(i)
        .ok()
        .filter(|&i| i > 0)
        .ok_or_else(|| Error::invalid("interface index", format!("{i} is out of range")))
}

/// A network namespace to put a link into: by descriptor (`IFLA_NET_NS_FD`, like
/// `ip link set DEV netns NAME`) or by process (`IFLA_NET_NS_PID`, like
/// `ip link set DEV netns PID`).
///
/// A descriptor is borrowed: it must stay open until the request has been sent (which the
/// borrow guarantees for [`Handle`] calls; for a [`LinkRequest`] pushed into a batch, keep the
/// namespace open until the batch is sent).
///
/// ```no_run
/// use netplumb::NetNs;
/// use netplumb::link::NetNsRef;
/// # fn main() -> netplumb::Result<()> {
/// let ns = NetNs::open_name("c1")?;
/// let by_fd = NetNsRef::from(&ns);
/// let by_pid = NetNsRef::Pid(4242);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub enum NetNsRef<'a> {
    /// The namespace this descriptor refers to (`IFLA_NET_NS_FD`).
    Fd(BorrowedFd<'a>),
    /// The namespace of this process (`IFLA_NET_NS_PID`).
    Pid(u32),
}

impl<'a> From<&'a crate::NetNs> for NetNsRef<'a> {
    fn from(ns: &'a crate::NetNs) -> Self {
        NetNsRef::Fd(ns.as_fd())
    }
}
impl<'a> From<BorrowedFd<'a>> for NetNsRef<'a> {
    fn from(fd: BorrowedFd<'a>) -> Self {
        NetNsRef::Fd(fd)
    }
}

impl NetNsRef<'_> {
    /// The attribute that names the namespace.
    pub fn to_attr(&self) -> Result<LinkAttr> {
        Ok(match self {
            NetNsRef::Fd(fd) => LinkAttr::NetNsFd(
                u32::try_from(fd.as_raw_fd())
                    .map_err(|_| Error::invalid("namespace descriptor", "negative"))?,
            ),
            NetNsRef::Pid(0) => return Err(Error::invalid("namespace pid", "pid 0")),
            NetNsRef::Pid(p) => LinkAttr::NetNsPid(*p),
        })
    }
}

/// One LINK request, built but not sent: the message type, the flags (`NLM_F_REQUEST` and
/// `NLM_F_ACK` are added when sending) and the message. Push many into one [`crate::Batch`] to send
/// them together, send one with [`Request::send`], or keep one as an undo step. The shared
/// [`Request`] type for a [`LinkMessage`].
///
/// ```
/// use netplumb::Batch;
/// use netplumb::link::LinkSpec;
/// # fn main() -> netplumb::Result<()> {
/// let mut batch = Batch::new();
/// for i in 0..3 {
///     LinkSpec::veth(format!("np{i}a"), format!("np{i}b")).group(7).to_request()?.push_to(&mut batch)?;
/// }
/// assert_eq!(batch.len(), 3);
/// # Ok(()) }
/// ```
pub type LinkRequest = Request<LinkMessage>;

/// `ENODEV` from a request naming `dev` becomes [`Error::NotFound`]: the one not-found
/// mapping of every operation that names a link (link, addr, route, neigh).
pub(crate) fn no_such_link(e: Error, dev: &LinkRef<'_>) -> Error {
    e.not_found_on(libc::ENODEV, "link", dev)
}

/// Resolves a reference that a request needs as an index (`IFLA_MASTER`, `IFLA_LINK`...).
pub(crate) type Resolver<'r> = dyn FnMut(&LinkRef<'_>) -> Result<u32> + 'r;

/// The resolver of the pure request builders: indexes only.
pub(crate) fn index_only(what: &'static str) -> impl FnMut(&LinkRef<'_>) -> Result<u32> {
    move |r| match r {
        LinkRef::Index(i) => index_i32(*i).map(|_| *i),
        LinkRef::Name(n) => Err(Error::invalid(
            what,
            format!(
                "{n:?} is a name; the kernel wants an index here: resolve it with \
                 Handle::link_index, or build the request through the Handle"
            ),
        )),
    }
}

impl Handle {
    /// The interface index of `link`: no request for an index; for a name, one `RTM_GETLINK`
    /// (a get, not a dump) with `IFLA_IFNAME`, like `ip` resolving `dev NAME`. A missing link
    /// is [`Error::NotFound`].
    #[doc(alias("RTM_GETLINK", "if_nametoindex"))]
    pub fn link_index<'a>(&self, link: impl Into<LinkRef<'a>>) -> Result<u32> {
        let link = link.into();
        let name = match &link {
            LinkRef::Index(i) => return index_i32(*i).map(|_| *i),
            LinkRef::Name(n) => n,
        };
        let req = link.to_message()?;
        let reply = self.get_map(RTM_GETLINK, NlmsgFlags::empty(), &req, |m| {
            crate::wire::link::LinkMessageBuffer::new_checked(m.payload())
                .map(|b| b.index())
                .map_err(Error::from)
        });
        match reply {
            Ok(i) => u32::try_from(i)
                .map_err(|_| Error::Protocol(format!("kernel returned index {i} for {name}"))),
            Err(e) => Err(no_such_link(e, &link)),
        }
    }

    /// [`Handle::link_index`] of the link a filter names (`dev DEV`), `None` when it names
    /// none: how the listings resolve their filters before dumping.
    pub(crate) fn filter_link_index(&self, link: Option<&LinkRef<'_>>) -> Result<Option<u32>> {
        link.map(|l| self.link_index(l.clone())).transpose()
    }

    /// A resolver that looks names up through this handle.
    pub(crate) fn resolver(&self) -> impl FnMut(&LinkRef<'_>) -> Result<u32> + '_ {
        move |r| self.link_index(r.clone())
    }
}
