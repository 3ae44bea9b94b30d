//! Namespace ids: the small integers a network namespace gives other namespaces
//! (`RTM_GETNSID`, `RTM_NEWNSID`; like `ip netns list-id` and `ip netns set`).
//!
//! A link whose other end lives in another namespace (a veth's peer, a macvlan's lower
//! device) is reported with `IFLA_LINK_NETNSID`: the id that the link's namespace gives the
//! other one. These calls read and assign those ids; each acts in the handle's namespace.
//!
//! ```no_run
//! use netplumb::{Handle, NetNs};
//! // `ip netns set ctr 7`, then read it back (`ip netns list-id`).
//! let h = Handle::new()?;
//! let ctr = NetNs::open_name("ctr")?;
//! assert_eq!(h.set_nsid(&ctr, Some(7))?, 7);
//! assert_eq!(h.nsid(&ctr)?, Some(7));
//! assert!(h.nsid_list()?.contains(&7));
//! # Ok::<(), netplumb::Error>(())
//! ```

use crate::socket::Request;
use crate::wire::NlmsgFlags;
use crate::wire::nlmsg::{RTM_GETNSID, RTM_NEWNSID};
use crate::wire::nsid::{NETNSA_NSID_NOT_ASSIGNED, NsidAttr, NsidMessage};
use crate::{Error, Handle, NetNs, Result};
use std::os::fd::{AsFd, AsRawFd};

/// `NETNSA_FD` naming `ns` (a descriptor is never negative).
fn fd_attr(ns: &NetNs) -> NsidAttr {
    NsidAttr::Fd(u32::try_from(ns.as_fd().as_raw_fd()).unwrap_or(u32::MAX))
}

/// A namespace-id request, built but not sent: the shared [`Request`] type for an
/// [`NsidMessage`].
pub type NsidRequest = Request<NsidMessage>;

/// The `RTM_NEWNSID` request that gives `ns` the id `id` (or, with `None`, the lowest free
/// one) in the namespace it is sent in: `NETNSA_FD` and `NETNSA_NSID` (-1 for `None`), like
/// `ip netns set NAME ID` (`auto` for `None`). `ns` must stay open until it is sent.
///
/// # Errors
/// [`Error::InvalidInput`] for a negative `id`.
pub fn set_nsid_request(ns: &NetNs, id: Option<i32>) -> Result<NsidRequest> {
    if let Some(i) = id.filter(|i| *i < 0) {
        return Err(Error::invalid(
            "namespace id",
            format!("{i} is negative (None lets the kernel choose)"),
        ));
    }
    let message = NsidMessage::new()
        .with(fd_attr(ns))
        .with(NsidAttr::Nsid(id.unwrap_or(NETNSA_NSID_NOT_ASSIGNED)));
    Ok(Request::new(RTM_NEWNSID, NlmsgFlags::empty(), message))
}

impl Handle {
    /// The id this handle's namespace gives `ns`, or `None` if it has none.
    ///
    /// `RTM_GETNSID` with `NETNSA_FD`, answered by an `RTM_NEWNSID` whose `NETNSA_NSID` is -1
    /// when no id is assigned (the namespace itself has none either).
    ///
    /// # Errors
    /// [`Error::Kernel`] as the kernel reports it; the transport errors of
    /// [`Handle::request`].
    #[doc(alias = "RTM_GETNSID")]
    pub fn nsid(&self, ns: &NetNs) -> Result<Option<i32>> {
        let req = NsidMessage::new().with(fd_attr(ns));
        self.get_map(RTM_GETNSID, NlmsgFlags::empty(), &req, |m| {
            Ok(NsidMessage::parse(m.payload())?.nsid())
        })
    }

    /// Gives `ns` the id `id` in this handle's namespace, or, with `None`, the lowest free
    /// one; returns the id `ns` now has.
    ///
    /// `RTM_NEWNSID` with `NETNSA_FD` and `NETNSA_NSID` (-1 for `None`), like
    /// `ip netns set NAME ID` (`auto` for `None`). An id, once given, stays until either
    /// namespace goes away; the kernel refuses to change it.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a negative `id`, before anything is sent.
    /// [`Error::Kernel`] `EEXIST` when `ns` has an id already ("Peer netns already has a
    /// nsid assigned") or `id` is taken ("The specified nsid is already used").
    #[doc(alias = "RTM_NEWNSID")]
    pub fn set_nsid(&self, ns: &NetNs, id: Option<i32>) -> Result<i32> {
        set_nsid_request(ns, id)?.send(self)?;
        match id {
            Some(i) => Ok(i),
            None => self.nsid(ns)?.ok_or_else(|| {
                Error::Protocol("the kernel assigned a namespace id but reports none".into())
            }),
        }
    }

    /// Every id assigned in this handle's namespace, in the kernel's order.
    ///
    /// A `RTM_GETNSID` dump, like `ip netns list-id`; repeated if the kernel reports it
    /// interrupted.
    ///
    /// # Errors
    /// The errors of [`Handle::dump_retry`].
    #[doc(alias = "RTM_GETNSID")]
    pub fn nsid_list(&self) -> Result<Vec<i32>> {
        let ids = self.dump_retry(self.dump_retries(), RTM_GETNSID, &NsidMessage::new(), |p| {
            Ok(NsidMessage::parse(p)?.nsid())
        })?;
        Ok(ids.into_iter().flatten().collect())
    }
}
