//! Address operations on a [`Handle`]: like `ip addr`.
//!
//! ```no_run
//! use netplumb::Handle;
//! use netplumb::addr::{AddrFilter, AddrSpec};
//! # fn main() -> netplumb::Result<()> {
//! let h = Handle::new()?;
//! // ip addr add 198.18.0.1/24 brd + dev veth0
//! h.addr_add("veth0", &AddrSpec::new("198.18.0.1/24".parse()?).broadcast_auto())?;
//! // ip -6 addr add 2001:db8::1/64 dev veth0 nodad
//! h.addr_add("veth0", &AddrSpec::new("2001:db8::1/64".parse()?).nodad())?;
//! for a in h.addr_list(&AddrFilter::new().dev("veth0"))? {
//!     println!("{} {}", a.index, a.local);
//! }
//! h.addr_flush("veth0", None)?;
//! # Ok(()) }
//! ```

use crate::handle::Handle;
use crate::ipnet::Family;
use crate::ipnet::IpNet;
use crate::link::{LinkRef, no_such_link};
use crate::ops::{FlushPolicy, is_ip_family};
use crate::socket::Request;
use crate::wire::addr::{AddressAttr, AddressCacheInfo, AddressMessage};
use crate::wire::family::{AF_INET, AF_INET6, AF_UNSPEC};
use crate::wire::nlmsg::{NlmsgFlags, RTM_DELADDR, RTM_GETADDR, RTM_GETLINK, RTM_NEWADDR};
use crate::{Error, Result};
use std::net::{IpAddr, Ipv4Addr};

pub use crate::wire::addr::{AddrFlags, INFINITY_LIFE_TIME, Scope};

/// `IFNAMSIZ - 1`: the longest interface name, and so the longest address label.
const LABEL_MAX: usize = 15;

/// The flags a caller may set on a new address; the others (`SECONDARY`, `TENTATIVE`,
/// `DEPRECATED`, `DADFAILED`, `PERMANENT`, ...) are the kernel's to report.
pub const SETTABLE_FLAGS: AddrFlags = AddrFlags::NODAD
    .union(AddrFlags::OPTIMISTIC)
    .union(AddrFlags::HOMEADDRESS)
    .union(AddrFlags::MANAGETEMPADDR)
    .union(AddrFlags::NOPREFIXROUTE)
    .union(AddrFlags::MCAUTOJOIN);

/// The flags only IPv6 knows; `ip` drops them from IPv4 requests with a warning, netplumb
/// refuses them.
const IPV6_ONLY_FLAGS: AddrFlags = AddrFlags::NODAD
    .union(AddrFlags::OPTIMISTIC)
    .union(AddrFlags::HOMEADDRESS)
    .union(AddrFlags::MANAGETEMPADDR);

/// An IPv4 broadcast address: given, or computed from the prefix (`ip`'s `broadcast +`).
///
/// ```
/// use netplumb::addr::{AddrSpec, Broadcast};
/// # fn main() -> netplumb::Result<()> {
/// let spec = AddrSpec::new("198.18.3.7/22".parse()?).broadcast_auto();
/// assert_eq!(spec.broadcast, Some(Broadcast::Auto));
/// assert_eq!(spec.to_message(2)?.broadcast(), Some("198.18.3.255".parse().unwrap()));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Broadcast {
    /// This address.
    Addr(Ipv4Addr),
    /// All host bits set ([`IpNet::broadcast`]); no broadcast at all for /31 and /32, as `ip`
    /// does.
    Auto,
}

/// An address to add, replace or delete: `ip addr add LOCAL/LEN [peer PEER] [broadcast BRD]
/// [label LABEL] [scope SCOPE] [FLAGS] [valid_lft V preferred_lft P] [metric M]`.
///
/// Built with chained setters; everything is checked by [`AddrSpec::to_message`] before
/// anything is sent (prefix lengths are checked by [`IpNet`] itself).
///
/// The request is the one `ip addr add` sends: `IFA_LOCAL` is the local address and
/// `IFA_ADDRESS` the peer (or the local address again when there is no peer); with a peer,
/// `ifa_prefixlen` is the peer's prefix length, as in `ip addr add 198.18.0.1 peer
/// 198.18.0.2/31`.
///
/// ```
/// use netplumb::addr::AddrSpec;
/// # fn main() -> netplumb::Result<()> {
/// let spec = AddrSpec::new("198.18.0.2/32".parse()?)
///     .peer("198.18.1.1".parse()?)
///     .label("veth0:a");
/// let msg = spec.to_message(3)?;
/// assert_eq!(msg.local(), Some("198.18.0.2".parse().unwrap()));
/// assert_eq!(msg.address(), Some("198.18.1.1".parse().unwrap()));
/// assert_eq!(msg.header.prefix_len, 32);
/// // Refused before sending: a preferred lifetime longer than the valid one.
/// assert!(AddrSpec::new("198.18.0.2/24".parse()?).lifetimes(10, 20).to_message(3).is_err());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AddrSpec {
    /// The interface's own address and prefix (`IFA_LOCAL`, `ifa_prefixlen`).
    pub local: IpNet,
    /// The other end of a point-to-point link (`IFA_ADDRESS`); its prefix length becomes
    /// `ifa_prefixlen`.
    pub peer: Option<IpNet>,
    /// `IFA_BROADCAST` (IPv4 only).
    pub broadcast: Option<Broadcast>,
    /// `IFA_LABEL` (IPv4 only): the device name, or the device name, a colon and more
    /// (`veth0:1`).
    pub label: Option<String>,
    /// `ifa_scope`; by default `host` for 127.0.0.0/8 and `global` otherwise, as `ip` picks
    /// it (the kernel derives IPv6 scopes from the address itself).
    pub scope: Option<Scope>,
    /// Flags from [`SETTABLE_FLAGS`].
    pub flags: AddrFlags,
    /// `(valid, preferred)` lifetimes in seconds ([`INFINITY_LIFE_TIME`] is forever), sent as
    /// `IFA_CACHEINFO`.
    pub lifetimes: Option<(u32, u32)>,
    /// `IFA_RT_PRIORITY`: the metric of the prefix route the kernel adds.
    pub metric: Option<u32>,
    /// `IFA_PROTO`: who configured the address (`IFAPROT_*`, or any value of one's own).
    pub protocol: Option<u8>,
}

impl From<IpNet> for AddrSpec {
    fn from(local: IpNet) -> Self {
        AddrSpec::new(local)
    }
}

impl From<&AddrSpec> for AddrSpec {
    fn from(s: &AddrSpec) -> Self {
        s.clone()
    }
}

impl AddrSpec {
    /// The address `local` (with its prefix length) and nothing else: `ip addr add
    /// LOCAL/LEN`.
    pub fn new(local: IpNet) -> Self {
        AddrSpec {
            local,
            peer: None,
            broadcast: None,
            label: None,
            scope: None,
            flags: AddrFlags::empty(),
            lifetimes: None,
            metric: None,
            protocol: None,
        }
    }

    /// `peer PEER`: a point-to-point address; `PEER`'s prefix length becomes the address's.
    #[must_use]
    pub fn peer(mut self, peer: IpNet) -> Self {
        self.peer = Some(peer);
        self
    }

    /// `broadcast ADDR` (IPv4).
    #[must_use]
    pub fn broadcast(mut self, brd: Ipv4Addr) -> Self {
        self.broadcast = Some(Broadcast::Addr(brd));
        self
    }

    /// `broadcast +`: the broadcast address computed from the prefix (IPv4).
    #[must_use]
    pub fn broadcast_auto(mut self) -> Self {
        self.broadcast = Some(Broadcast::Auto);
        self
    }

    /// `label LABEL` (IPv4): the device's name, or its name followed by `:` and more.
    #[must_use]
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// `scope SCOPE`.
    #[must_use]
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scope = Some(scope);
        self
    }

    /// Adds flags (from [`SETTABLE_FLAGS`]).
    #[must_use]
    pub fn flags(mut self, flags: AddrFlags) -> Self {
        self.flags |= flags;
        self
    }

    /// `nodad` (IPv6): no duplicate address detection, usable at once.
    #[must_use]
    pub fn nodad(self) -> Self {
        self.flags(AddrFlags::NODAD)
    }

    /// `noprefixroute`: the kernel adds no route for the prefix.
    #[must_use]
    pub fn noprefixroute(self) -> Self {
        self.flags(AddrFlags::NOPREFIXROUTE)
    }

    /// `mngtmpaddr` (IPv6, prefix length 64): make temporary addresses from this one.
    #[must_use]
    pub fn mngtmpaddr(self) -> Self {
        self.flags(AddrFlags::MANAGETEMPADDR)
    }

    /// `home` (IPv6): a Mobile IPv6 home address.
    #[must_use]
    pub fn home(self) -> Self {
        self.flags(AddrFlags::HOMEADDRESS)
    }

    /// `optimistic` (IPv6): usable while DAD runs (if the interface allows optimistic DAD).
    #[must_use]
    pub fn optimistic(self) -> Self {
        self.flags(AddrFlags::OPTIMISTIC)
    }

    /// `valid_lft VALID preferred_lft PREFERRED`, in seconds ([`INFINITY_LIFE_TIME`] for
    /// `forever`). `preferred <= valid` and `valid > 0` are required.
    #[must_use]
    pub fn lifetimes(mut self, valid: u32, preferred: u32) -> Self {
        self.lifetimes = Some((valid, preferred));
        self
    }

    /// `metric METRIC`: the prefix route's metric.
    #[must_use]
    pub fn metric(mut self, metric: u32) -> Self {
        self.metric = Some(metric);
        self
    }

    /// `proto PROTO`: `IFA_PROTO`.
    #[must_use]
    pub fn protocol(mut self, proto: u8) -> Self {
        self.protocol = Some(proto);
        self
    }

    /// The address family.
    pub fn family(&self) -> Family {
        Family::of(self.local.addr())
    }

    /// Checks everything that can be checked without the kernel; see
    /// [`AddrSpec::to_message`].
    pub fn validate(&self) -> Result<()> {
        let v4 = self.local.is_ipv4();
        if let Some(peer) = self.peer
            && peer.is_ipv4() != v4
        {
            return Err(Error::invalid(
                "peer address",
                format!("{peer} is not of the family of {}", self.local),
            ));
        }
        if let Some(b) = self.broadcast {
            if !v4 {
                return Err(Error::invalid(
                    "broadcast address",
                    "only IPv4 addresses have one",
                ));
            }
            if b == Broadcast::Auto && self.peer.is_some() {
                // `ip` computes it from the peer; refusing is clearer than guessing.
                return Err(Error::invalid(
                    "broadcast address",
                    "cannot be computed for a point-to-point address; give it explicitly",
                ));
            }
        }
        if let Some(label) = &self.label {
            if !v4 {
                return Err(Error::invalid(
                    "address label",
                    "only IPv4 addresses have one",
                ));
            }
            validate_label_syntax(label)?;
        }
        let unsettable = self.flags - SETTABLE_FLAGS;
        if !unsettable.is_empty() {
            return Err(Error::invalid(
                "address flags",
                format!("{unsettable:?} are set by the kernel, not by requests"),
            ));
        }
        if v4 && self.flags.intersects(IPV6_ONLY_FLAGS) {
            return Err(Error::invalid(
                "address flags",
                format!(
                    "{:?} exist only for IPv6 addresses",
                    self.flags & IPV6_ONLY_FLAGS
                ),
            ));
        }
        if self.flags.contains(AddrFlags::MANAGETEMPADDR) && self.prefix_len() != 64 {
            return Err(Error::invalid(
                "address flags",
                "mngtmpaddr needs a prefix length of 64",
            ));
        }
        if let Some((valid, preferred)) = self.lifetimes {
            if valid == 0 {
                return Err(Error::invalid("valid lifetime", "must not be 0"));
            }
            if preferred > valid {
                return Err(Error::invalid(
                    "preferred lifetime",
                    format!("{preferred} s is longer than the valid lifetime, {valid} s"),
                ));
            }
        }
        Ok(())
    }

    /// `ifa_prefixlen`: the peer's prefix length if there is a peer, else the local one.
    fn prefix_len(&self) -> u8 {
        self.peer.unwrap_or(self.local).prefix_len()
    }

    /// The `RTM_NEWADDR` payload for interface `index`, as `ip addr add` builds it, after
    /// [`AddrSpec::validate`]. (A label's device-name prefix is checked by the [`Handle`]
    /// operations, which know the name.)
    pub fn to_message(&self, index: u32) -> Result<AddressMessage> {
        self.validate()?;
        check_index(index)?;
        let local = self.local.addr();
        let address = self.peer.map_or(local, |p| p.addr());
        let scope = self.scope.unwrap_or(match local {
            IpAddr::V4(a) if a.octets()[0] == 127 => Scope::HOST,
            _ => Scope::UNIVERSE,
        });
        let mut msg = AddressMessage::new(index, local, self.prefix_len());
        msg.attrs = vec![AddressAttr::Local(local), AddressAttr::Address(address)];
        msg.header.scope = scope;
        let brd = match self.broadcast {
            Some(Broadcast::Addr(a)) => Some(a),
            Some(Broadcast::Auto) => self.local.broadcast(),
            None => None,
        };
        if let Some(b) = brd {
            msg.attrs.push(AddressAttr::Broadcast(IpAddr::V4(b)));
        }
        if let Some(l) = &self.label {
            msg.attrs.push(AddressAttr::Label(l.clone()));
        }
        if let Some(m) = self.metric {
            msg.attrs.push(AddressAttr::RtPriority(m));
        }
        if let Some(p) = self.protocol {
            msg.attrs.push(AddressAttr::Proto(p));
        }
        msg.set_flags(self.flags);
        if let Some((valid, preferred)) = self.lifetimes {
            msg.attrs
                .push(AddressAttr::CacheInfo(AddressCacheInfo::lifetimes(
                    valid, preferred,
                )));
        }
        Ok(msg)
    }

    /// The `RTM_DELADDR` payload that deletes this address from interface `index`, as `ip
    /// addr del` builds it: `IFA_LOCAL`, `IFA_ADDRESS` (the peer if any) and the prefix
    /// length, which the kernel matches, plus the label if one is set (IPv4 then also
    /// matches it).
    pub fn to_del_message(&self, index: u32) -> Result<AddressMessage> {
        self.validate()?;
        check_index(index)?;
        let local = self.local.addr();
        let address = self.peer.map_or(local, |p| p.addr());
        let mut msg = AddressMessage::new(index, local, self.prefix_len());
        msg.attrs = vec![AddressAttr::Local(local), AddressAttr::Address(address)];
        if let Some(l) = &self.label {
            msg.attrs.push(AddressAttr::Label(l.clone()));
        }
        Ok(msg)
    }

    /// `RTM_NEWADDR` with `CREATE|EXCL`: [`Handle::addr_add`] as a request to push into a
    /// [`Batch`](crate::Batch) (or to send, or to keep).
    pub fn add_request(&self, index: u32) -> Result<AddrRequest> {
        Ok(Request::new(
            RTM_NEWADDR,
            NlmsgFlags::CREATE | NlmsgFlags::EXCL,
            self.to_message(index)?,
        ))
    }

    /// `RTM_NEWADDR` with `CREATE|REPLACE`: [`Handle::addr_replace`] for a
    /// [`Batch`](crate::Batch).
    pub fn replace_request(&self, index: u32) -> Result<AddrRequest> {
        Ok(Request::new(
            RTM_NEWADDR,
            NlmsgFlags::CREATE | NlmsgFlags::REPLACE,
            self.to_message(index)?,
        ))
    }

    /// `RTM_DELADDR` (no flags): [`Handle::addr_del`] for a [`Batch`](crate::Batch); also
    /// what undoes [`AddrSpec::add_request`].
    pub fn del_request(&self, index: u32) -> Result<AddrRequest> {
        Ok(Request::new(
            RTM_DELADDR,
            NlmsgFlags::empty(),
            self.to_del_message(index)?,
        ))
    }
}

/// An address request, built but not sent: the shared [`Request`] type for an
/// [`AddressMessage`].
pub type AddrRequest = Request<AddressMessage>;

fn check_index(index: u32) -> Result<()> {
    crate::link::index_i32(index).map(|_| ())
}

fn validate_label_syntax(label: &str) -> Result<()> {
    let bad = |reason: String| Err(Error::invalid("address label", reason));
    if label.is_empty() {
        return bad("empty".into());
    }
    if label.len() > LABEL_MAX {
        return bad(format!(
            "{label:?} is longer than {LABEL_MAX} bytes (IFNAMSIZ - 1)"
        ));
    }
    if label.contains('\0') {
        return bad(format!("{label:?} contains NUL"));
    }
    Ok(())
}

/// The label convention the kernel keeps from Linux 2.0 aliases (and `ip-address(8)`
/// documents): the label is the device's name, or that name followed by a colon. This kernel
/// itself accepts any label, but a label that does not name its device shows up as a
/// different interface to `SIOCGIFCONF` users (ifconfig).
fn check_label_matches(label: &str, dev: &str) -> Result<()> {
    match label.strip_prefix(dev) {
        Some("") => Ok(()),
        Some(rest) if rest.starts_with(':') => Ok(()),
        _ => Err(Error::invalid(
            "address label",
            format!("{label:?} must be {dev:?} or start with \"{dev}:\""),
        )),
    }
}

/// A filter for [`Handle::addr_list`]: the link and the family go to the kernel (in the
/// dump request's `ifaddrmsg`); scope, label and permanence are checked here.
///
/// ```
/// use netplumb::addr::{AddrFilter, Scope};
/// use netplumb::Family;
/// let f = AddrFilter::new().dev("veth0").family(Family::Ipv6).scope(Scope::LINK);
/// assert_eq!(f.family, Some(Family::Ipv6));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddrFilter<'a> {
    /// Only this link's addresses (`ifa_index`, filtered by the kernel).
    pub dev: Option<LinkRef<'a>>,
    /// Only this family (`ifa_family`, filtered by the kernel).
    pub family: Option<Family>,
    /// Only this scope.
    pub scope: Option<Scope>,
    /// Only addresses with exactly this label (IPv4).
    pub label: Option<String>,
    /// `Some(true)`: only permanent addresses (`ip addr show permanent`); `Some(false)`:
    /// only dynamic ones (`ip addr show dynamic`).
    pub permanent: Option<bool>,
}

impl<'a> AddrFilter<'a> {
    /// Everything.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only the addresses of `dev`.
    #[must_use]
    pub fn dev(mut self, dev: impl Into<LinkRef<'a>>) -> Self {
        self.dev = Some(dev.into());
        self
    }

    /// Only IPv4 or only IPv6.
    #[must_use]
    pub fn family(mut self, family: Family) -> Self {
        self.family = Some(family);
        self
    }

    /// Only this scope.
    #[must_use]
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scope = Some(scope);
        self
    }

    /// Only this label.
    #[must_use]
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Only permanent (`true`) or only dynamic (`false`) addresses.
    #[must_use]
    pub fn permanent(mut self, permanent: bool) -> Self {
        self.permanent = Some(permanent);
        self
    }

    /// Whether `a` passes the client-side parts of the filter (and, defensively, the
    /// kernel-side ones; `index` is the resolved `dev`).
    fn matches(&self, a: &Address, index: Option<u32>) -> bool {
        index.is_none_or(|i| a.index == i)
            && self.family.is_none_or(|f| a.family == f)
            && self.scope.is_none_or(|s| a.scope == s)
            && self
                .label
                .as_deref()
                .is_none_or(|l| a.label.as_deref() == Some(l))
            && self
                .permanent
                .is_none_or(|p| a.flags.contains(AddrFlags::PERMANENT) == p)
    }
}

/// An interface address, as `ip addr show` lists it.
///
/// ```no_run
/// # fn main() -> netplumb::Result<()> {
/// let h = netplumb::Handle::new()?;
/// for a in h.addr_list(&Default::default())? {
///     let peer = a.peer.map(|p| format!(" peer {p}")).unwrap_or_default();
///     println!("{}: {}{peer} scope {:?}", a.index, a.local, a.scope);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// The interface index.
    pub index: u32,
    /// IPv4 or IPv6.
    pub family: Family,
    /// The interface's own address with the prefix length (`IFA_LOCAL`, or `IFA_ADDRESS`
    /// when there is no `IFA_LOCAL`, as for most IPv6 addresses).
    pub local: IpNet,
    /// `IFA_ADDRESS` with the prefix length: the local address again, or the peer.
    pub address: IpNet,
    /// The peer of a point-to-point address: `address` when it differs from `local`.
    pub peer: Option<IpNet>,
    /// `IFA_BROADCAST`.
    pub broadcast: Option<IpAddr>,
    /// `IFA_LABEL` (IPv4).
    pub label: Option<String>,
    /// `ifa_scope`.
    pub scope: Scope,
    /// All flags (`IFA_FLAGS`, else the header's).
    pub flags: AddrFlags,
    /// Seconds left of the valid lifetime; `None` for forever.
    pub valid_lifetime: Option<u32>,
    /// Seconds left of the preferred lifetime; `None` for forever.
    pub preferred_lifetime: Option<u32>,
    /// `IFA_RT_PRIORITY`: the prefix route's metric, if set.
    pub metric: Option<u32>,
    /// `IFA_PROTO`, if set.
    pub protocol: Option<u8>,
    /// The message as the kernel sent it.
    pub message: AddressMessage,
}

impl Address {
    /// Reads a kernel `RTM_NEWADDR` message.
    ///
    /// # Errors
    /// [`Error::Protocol`] for a family other than IPv4/IPv6, a message without an address,
    /// or a prefix length too long for the family.
    pub fn from_message(message: AddressMessage) -> Result<Address> {
        let h = message.header;
        let family = match h.family {
            AF_INET => Family::Ipv4,
            AF_INET6 => Family::Ipv6,
            f => return Err(Error::Protocol(format!("address of family {f}"))),
        };
        let net = |a: IpAddr| {
            if Family::of(a) != family {
                return Err(Error::Protocol(format!(
                    "address {a} in a message of family {family:?}"
                )));
            }
            IpNet::new(a, h.prefix_len).map_err(|e| Error::Protocol(e.to_string()))
        };
        let (local, address) = match (message.local(), message.address()) {
            (Some(l), Some(a)) => (net(l)?, net(a)?),
            (Some(x), None) | (None, Some(x)) => (net(x)?, net(x)?),
            (None, None) => {
                return Err(Error::Protocol(format!(
                    "address message for index {} without IFA_LOCAL or IFA_ADDRESS",
                    h.index
                )));
            }
        };
        let forever = |v: u32| (v != INFINITY_LIFE_TIME).then_some(v);
        let ci = message.cacheinfo();
        let metric = message.attrs.iter().find_map(|a| match a {
            AddressAttr::RtPriority(m) => Some(*m),
            _ => None,
        });
        let protocol = message.attrs.iter().find_map(|a| match a {
            AddressAttr::Proto(p) => Some(*p),
            _ => None,
        });
        Ok(Address {
            index: h.index,
            family,
            local,
            address,
            peer: (address.addr() != local.addr()).then_some(address),
            broadcast: message.broadcast(),
            label: message.label().map(str::to_string),
            scope: h.scope,
            flags: message.flags(),
            valid_lifetime: ci.and_then(|c| forever(c.valid)),
            preferred_lifetime: ci.and_then(|c| forever(c.preferred)),
            metric,
            protocol,
            message,
        })
    }

    /// What deletes this address again: local, peer and prefix length, as `ip addr del`
    /// would name it.
    pub fn to_spec(&self) -> AddrSpec {
        AddrSpec {
            peer: self.peer,
            ..AddrSpec::new(self.local)
        }
    }
}

impl Handle {
    /// `RTM_NEWADDR` with `NLM_F_CREATE|NLM_F_EXCL`; like `ip addr add SPEC dev DEV`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] before sending (see [`AddrSpec::validate`]; a label that does
    /// not start with the device's name, when `dev` is a name: for an index the name is
    /// looked up first, with one `RTM_GETLINK`); [`Error::NotFound`] for a missing device; a kernel
    /// error with `is_exists()` if the address is already there ("ipv4: Address already
    /// assigned").
    #[doc(alias = "RTM_NEWADDR")]
    pub fn addr_add<'a>(&self, dev: impl Into<LinkRef<'a>>, spec: &AddrSpec) -> Result<()> {
        self.addr_new(dev.into(), spec, NlmsgFlags::CREATE | NlmsgFlags::EXCL)
    }

    /// `RTM_NEWADDR` with `NLM_F_CREATE|NLM_F_REPLACE`; like `ip addr replace`: adds the
    /// address or updates its lifetimes, flags, metric... Idempotent.
    ///
    /// # Errors
    /// As [`Handle::addr_add`], without the "exists" case.
    #[doc(alias = "RTM_NEWADDR")]
    pub fn addr_replace<'a>(&self, dev: impl Into<LinkRef<'a>>, spec: &AddrSpec) -> Result<()> {
        self.addr_new(dev.into(), spec, NlmsgFlags::CREATE | NlmsgFlags::REPLACE)
    }

    /// `RTM_NEWADDR` with `NLM_F_REPLACE`; like `ip addr change`. The kernel does not insist
    /// on `NLM_F_CREATE` for addresses (both IPv4 and IPv6 create a missing one, for the sake
    /// of old tools), so this behaves like [`Handle::addr_replace`].
    ///
    /// # Errors
    /// As [`Handle::addr_replace`].
    #[doc(alias = "RTM_NEWADDR")]
    pub fn addr_change<'a>(&self, dev: impl Into<LinkRef<'a>>, spec: &AddrSpec) -> Result<()> {
        self.addr_new(dev.into(), spec, NlmsgFlags::REPLACE)
    }

    fn addr_new(&self, dev: LinkRef<'_>, spec: &AddrSpec, flags: NlmsgFlags) -> Result<()> {
        spec.validate()?;
        // A device given by name is checked against the label before anything is sent (as
        // `ip` checks it against its `dev` word); one given by index needs its name first.
        if let (Some(label), LinkRef::Name(name)) = (&spec.label, &dev) {
            check_label_matches(label, name)?;
        }
        let index = self.link_index(dev.clone())?;
        if let (Some(label), LinkRef::Index(i)) = (&spec.label, &dev) {
            check_label_matches(label, &self.link_name(*i)?)?;
        }
        let msg = spec.to_message(index)?;
        self.request(RTM_NEWADDR, flags, &msg)
            .map_err(|e| no_such_link(e, &dev))
    }

    /// The name of link `index` (one `RTM_GETLINK`).
    fn link_name(&self, index: u32) -> Result<String> {
        let req = LinkRef::Index(index).to_message()?;
        self.get_map(RTM_GETLINK, NlmsgFlags::empty(), &req, |m| {
            let l = crate::wire::link::LinkMessage::parse(m.payload())?;
            l.name()
                .map(str::to_string)
                .ok_or_else(|| Error::Protocol(format!("link {index} has no IFLA_IFNAME")))
        })
        .map_err(|e| no_such_link(e, &LinkRef::Index(index)))
    }

    /// `RTM_DELADDR`; like `ip addr del ADDR/LEN [peer PEER] dev DEV`. `addr` is an [`IpNet`]
    /// or an [`AddrSpec`] (for a peer or a label): the kernel deletes the address with that
    /// local address, peer and prefix length.
    ///
    /// # Errors
    /// A kernel error with errno `EADDRNOTAVAIL` ("ipv4: Address not found"), for which
    /// `is_not_found()` is true, when there is no such address; [`Error::NotFound`] for a
    /// missing device.
    #[doc(alias = "RTM_DELADDR")]
    pub fn addr_del<'a>(
        &self,
        dev: impl Into<LinkRef<'a>>,
        addr: impl Into<AddrSpec>,
    ) -> Result<()> {
        let dev = dev.into();
        let spec = addr.into();
        spec.validate()?;
        let index = self.link_index(dev.clone())?;
        self.request(
            RTM_DELADDR,
            NlmsgFlags::empty(),
            &spec.to_del_message(index)?,
        )
        .map_err(|e| no_such_link(e, &dev))
    }

    /// `RTM_GETADDR` dump; like `ip addr show [dev DEV]` (with `-4`/`-6`). The link and
    /// family go to the kernel in the request's `ifaddrmsg`; the other parts of `filter` are
    /// applied here. Repeated if the kernel reports the dump interrupted.
    ///
    /// # Errors
    /// [`Error::NotFound`] for a missing device; [`Error::DumpInterrupted`] if the address
    /// table kept changing.
    #[doc(alias = "RTM_GETADDR")]
    pub fn addr_list(&self, filter: &AddrFilter<'_>) -> Result<Vec<Address>> {
        let index = self.filter_link_index(filter.dev.as_ref())?;
        let mut req = AddressMessage::default();
        req.header.family = filter.family.map_or(AF_UNSPEC, Family::af);
        req.header.index = index.unwrap_or(0);
        self.dump_selected(RTM_GETADDR, &req, |payload| {
            let msg = AddressMessage::parse(payload)?;
            if !is_ip_family(msg.header.family) {
                return Ok(None);
            }
            let a = Address::from_message(msg)?;
            Ok(filter.matches(&a, index).then_some(a))
        })
        .map_err(|e| match &filter.dev {
            Some(d) => no_such_link(e, d),
            None => e,
        })
    }

    /// Deletes every address of `dev` (of `family`, or of both); like `ip addr flush dev
    /// DEV`. Lists, then deletes in one batch, and repeats until none is left (at most 10
    /// rounds, as `ip` does). An address that disappears meanwhile (`EADDRNOTAVAIL`, e.g. an
    /// IPv4 secondary removed with its primary) is not an error. Returns how many addresses
    /// this call deleted.
    ///
    /// # Errors
    /// [`Error::NotFound`] for a missing device; the first other failure of a delete;
    /// [`Error::Protocol`] if addresses remain after 10 rounds.
    #[doc(alias("RTM_GETADDR", "RTM_DELADDR"))]
    pub fn addr_flush<'a>(
        &self,
        dev: impl Into<LinkRef<'a>>,
        family: Option<Family>,
    ) -> Result<usize> {
        let dev = dev.into();
        let index = self.link_index(dev.clone())?;
        let mut filter = AddrFilter::new().dev(index);
        filter.family = family;
        let policy = FlushPolicy::OnDev {
            dev: &dev,
            what: "addresses",
            vanished: libc::EADDRNOTAVAIL,
        };
        self.flush_rounds(
            policy,
            |_| self.addr_list(&filter),
            |a: &Address, b| a.to_spec().del_request(a.index)?.push_to(b),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Emit;

    fn net(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    #[test]
    fn plain_v4_and_v6_set_local_and_address_alike() {
        for s in ["198.18.0.1/24", "2001:db8::1/64"] {
            let m = AddrSpec::new(net(s)).to_message(3).unwrap();
            assert_eq!(m.local(), Some(net(s).addr()));
            assert_eq!(m.address(), Some(net(s).addr()));
            assert_eq!(m.header.prefix_len, net(s).prefix_len());
            assert_eq!(m.header.scope, Scope::UNIVERSE);
            assert_eq!(m.header.index, 3);
        }
        let lo = AddrSpec::new(net("127.0.0.2/8")).to_message(1).unwrap();
        assert_eq!(lo.header.scope, Scope::HOST);
    }

    #[test]
    fn peer_sets_address_and_its_prefix_len() {
        let m = AddrSpec::new(net("198.18.2.1/32"))
            .peer(net("198.18.2.2/31"))
            .to_message(4)
            .unwrap();
        assert_eq!(m.local(), Some(net("198.18.2.1/32").addr()));
        assert_eq!(m.address(), Some(net("198.18.2.2/32").addr()));
        assert_eq!(m.header.prefix_len, 31);
    }

    #[test]
    fn broadcast_auto_follows_ip() {
        let b = |s: &str| {
            AddrSpec::new(net(s))
                .broadcast_auto()
                .to_message(1)
                .unwrap()
                .broadcast()
        };
        assert_eq!(b("198.18.3.7/22"), Some("198.18.3.255".parse().unwrap()));
        assert_eq!(b("198.18.3.7/31"), None);
        assert_eq!(b("198.18.3.7/32"), None);
    }

    #[test]
    fn invalid_specs_are_refused() {
        let v4 = || AddrSpec::new(net("198.18.0.1/24"));
        let v6 = || AddrSpec::new(net("2001:db8::1/64"));
        let bad = [
            v4().peer(net("2001:db8::2/128")),
            v6().peer(net("198.18.0.2/32")),
            v6().broadcast("198.18.0.255".parse().unwrap()),
            v6().label("veth0"),
            v4().label(""),
            v4().label("veth0:very-long-label"),
            v4().lifetimes(10, 20),
            v4().lifetimes(0, 0),
            v4().nodad(),
            v4().mngtmpaddr(),
            v6().flags(AddrFlags::PERMANENT),
            AddrSpec::new(net("2001:db8::1/48")).mngtmpaddr(),
            v4().peer(net("198.18.0.2/32")).broadcast_auto(),
        ];
        for s in bad {
            assert!(s.to_message(1).unwrap_err().is_invalid(), "{s:?}");
        }
        assert!(v4().to_message(0).unwrap_err().is_invalid());
        assert!(
            v6().mngtmpaddr()
                .nodad()
                .lifetimes(20, 10)
                .to_message(1)
                .is_ok()
        );
    }

    #[test]
    fn flags_above_a_byte_go_to_ifa_flags() {
        let m = AddrSpec::new(net("2001:db8::1/64"))
            .nodad()
            .noprefixroute()
            .to_message(1)
            .unwrap();
        assert_eq!(m.header.flags, AddrFlags::NODAD);
        assert_eq!(m.flags(), AddrFlags::NODAD | AddrFlags::NOPREFIXROUTE);
        assert_eq!(m.to_vec().unwrap().len(), m.buffer_len());
    }

    #[test]
    fn label_must_name_the_device() {
        assert!(check_label_matches("veth0", "veth0").is_ok());
        assert!(check_label_matches("veth0:a", "veth0").is_ok());
        assert!(check_label_matches("veth01", "veth0").is_err());
        assert!(check_label_matches("foo", "veth0").is_err());
    }

    /// Issue 11, defect 3: a label that names another device is refused before anything is
    /// sent when the device is given by name (`ip` checks it against the `dev` word too);
    /// it used to send RTM_GETLINK for the index first.
    #[test]
    fn label_of_another_device_is_refused_before_sending() {
        let (sock, state) = crate::socket::fake::socket();
        let h = Handle::from_socket(sock);
        let spec = AddrSpec::new(net("198.18.0.1/24")).label("other:1");
        for r in [
            h.addr_add("veth0", &spec),
            h.addr_replace("veth0", &spec),
            h.addr_change("veth0", &spec),
        ] {
            assert!(r.unwrap_err().is_invalid());
        }
        assert!(state.lock().unwrap().sent.is_empty(), "a request went out");
    }

    #[test]
    fn address_from_message_and_back() {
        let spec = AddrSpec::new(net("198.18.2.1/32"))
            .peer(net("198.18.2.2/31"))
            .lifetimes(300, 100)
            .metric(7);
        let a = Address::from_message(spec.to_message(5).unwrap()).unwrap();
        assert_eq!(a.local, net("198.18.2.1/31"));
        assert_eq!(a.peer, Some(net("198.18.2.2/31")));
        assert_eq!(
            (a.valid_lifetime, a.preferred_lifetime),
            (Some(300), Some(100))
        );
        assert_eq!(a.metric, Some(7));
        let del = a.to_spec().to_del_message(5).unwrap();
        assert_eq!(del.local(), Some(net("198.18.2.1/32").addr()));
        assert_eq!(del.address(), Some(net("198.18.2.2/32").addr()));
        assert_eq!(del.header.prefix_len, 31);

        let mut m = AddressMessage::default();
        m.header.family = libc::AF_INET as u8;
        assert!(matches!(Address::from_message(m), Err(Error::Protocol(_))));
    }
}
