//! Link operations on a [`Handle`]: like `ip link`.

use crate::handle::Handle;
use crate::wire::link::{LinkAttr, LinkMessage};
use crate::wire::nlmsg::{NlmsgFlags, RTM_GETLINK};
use crate::{Error, Result};
use std::borrow::Cow;
use std::fmt;

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

impl LinkRef<'_> {
    /// The request header and attribute that name this link: `ifi_index`, or index 0 plus
    /// `IFLA_IFNAME` (which the kernel accepts in every link request). The name is validated
    /// first.
    pub fn to_message(&self) -> Result<LinkMessage> {
        Ok(match self {
            LinkRef::Index(i) => LinkMessage::new(index_i32(*i)?),
            LinkRef::Name(n) => {
                crate::ifname::validate(n)?;
                LinkMessage::new(0).with(LinkAttr::IfName(n.to_string()))
            }
        })
    }
}

pub(crate) fn index_i32(i: u32) -> Result<i32> {
    i32::try_from(i)
        .ok()
        .filter(|&i| i > 0)
        .ok_or_else(|| Error::invalid("interface index", format!("{i} is out of range")))
}

impl Handle {
    /// The interface index of `link`: no request for an index; for a name, one `RTM_GETLINK`
    /// (a get, not a dump) with `IFLA_IFNAME`, like `ip` resolving `dev NAME`. A missing link
    /// is [`Error::NotFound`].
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
            Err(e) if e.errno() == Some(libc::ENODEV) => Err(Error::NotFound {
                what: "link",
                name: name.to_string(),
            }),
            Err(e) => Err(e),
        }
    }
}
