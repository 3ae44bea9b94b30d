//! Deleting links, one, many in a batch, or a whole device group in one request.

use super::{LinkRef, LinkRequest, no_such_link};
use crate::handle::Handle;
use crate::wire::link::{LinkAttr, LinkMessage};
use crate::wire::nlmsg::{NlmsgFlags, RTM_DELLINK};
use crate::{Error, Result};

/// The `RTM_DELLINK` request for `dev` (by index, or by `IFLA_IFNAME`), like
/// `ip link del DEV`.
///
/// ```
/// use netplumb::link::link_del_request;
/// let r = link_del_request("veth0").unwrap();
/// assert_eq!(r.message.name(), Some("veth0"));
/// assert!(link_del_request("bad name").is_err());
/// ```
#[doc(alias = "RTM_DELLINK")]
pub fn link_del_request<'a>(dev: impl Into<LinkRef<'a>>) -> Result<LinkRequest> {
    Ok(LinkRequest {
        msg_type: RTM_DELLINK,
        flags: NlmsgFlags::empty(),
        message: dev.into().to_message()?,
    })
}

/// The `RTM_DELLINK` request that deletes every link of device group `group`: `ifi_index` 0
/// and `IFLA_GROUP`, like `ip link del group GROUP`.
///
/// # Errors
/// [`Error::InvalidInput`] for group 0, the default group every link starts in.
#[doc(alias = "RTM_DELLINK")]
pub fn link_del_group_request(group: u32) -> Result<LinkRequest> {
    if group == 0 {
        return Err(Error::invalid(
            "link group",
            "0 is the default group of every link; refusing to delete them all",
        ));
    }
    Ok(LinkRequest {
        msg_type: RTM_DELLINK,
        flags: NlmsgFlags::empty(),
        message: LinkMessage::new(0).with(LinkAttr::Group(group)),
    })
}

impl Handle {
    /// Deletes a link: `RTM_DELLINK` by index or name, like `ip link del DEV`. Deleting one
    /// end of a veth deletes both.
    ///
    /// # Errors
    /// [`Error::NotFound`] if there is no such link (a teardown that may run twice can
    /// treat [`Error::is_not_found`] as success).
    #[doc(alias = "RTM_DELLINK")]
    pub fn link_del<'a>(&self, dev: impl Into<LinkRef<'a>>) -> Result<()> {
        let dev = dev.into();
        link_del_request(&dev)?
            .send(self)
            .map_err(|e| no_such_link(e, &dev))
    }

    /// Deletes many links in one batch (many `RTM_DELLINK` per `sendmsg`, like
    /// `ip -force -batch`), returning one result per link ([`Error::NotFound`] for a missing
    /// one). The kernel still unregisters them one request at a time; for a large teardown
    /// [`Handle::link_del_group`] is much faster.
    ///
    /// # Errors
    /// The outer error is a transport failure (then which links are gone is not known).
    #[doc(alias = "RTM_DELLINK")]
    pub fn link_del_many<'a, I, D>(&self, devs: I) -> Result<Vec<Result<()>>>
    where
        I: IntoIterator<Item = D>,
        D: Into<LinkRef<'a>>,
    {
        let devs: Vec<LinkRef<'a>> = devs.into_iter().map(Into::into).collect();
        self.link_batch(&devs, |d| link_del_request(d), |e, d| no_such_link(e, d))
    }

    /// Deletes every link of device group `group` in one request: `RTM_DELLINK` with
    /// `ifi_index` 0 and `IFLA_GROUP`, like `ip link del group GROUP`. The kernel unregisters
    /// them all in one batch (one RCU grace period instead of one per link), which makes
    /// tearing down a thousand veths fast. Links join a group with [`super::LinkSpec::group`]
    /// or [`super::LinkChange::group`].
    ///
    /// The kernel checks every member before deleting any: if one cannot be deleted, nothing
    /// is. Group 0, the default group of every link, is refused before sending.
    ///
    /// # Errors
    /// [`Error::NotFound`] when no link is in the group; [`Error::InvalidInput`] for group 0.
    #[doc(alias = "RTM_DELLINK")]
    pub fn link_del_group(&self, group: u32) -> Result<()> {
        link_del_group_request(group)?
            .send(self)
            .map_err(|e| e.not_found_on(libc::ENODEV, "link group", group))
    }
}
