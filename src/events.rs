//! Kernel events: a [`Monitor`] subscribed to rtnetlink multicast groups yields typed
//! [`Event`]s (links, addresses, routes, neighbours appearing and going away), like
//! `ip monitor`.
//!
//! A monitor is a `NETLINK_ROUTE` socket of its own, created in the namespace it watches
//! ([`Monitor::in_netns`]); it sees that namespace's events only.
//!
//! # Lost events
//! The kernel queues events on the socket up to its receive buffer. When the queue is full
//! it drops events and the next read reports [`Error::Overrun`] (`ENOBUFS`). The socket is
//! still usable, but the caller's picture of the tables is now stale, and, as netlink(7)
//! says, it must resynchronise by dumping them again:
//!
//! 1. **drain**: read what is still queued with [`Monitor::drain`] until it reports the
//!    queue [`emptied`](Drained::emptied). Those events are older than the dump about to be
//!    taken, and until the queue has been read empty the kernel keeps dropping new events
//!    without reporting it (the socket stays "congested"), so a dump taken earlier could
//!    miss changes for good. The bounds of `drain` (events and time) give control back
//!    under a flood; call it again until it has emptied the queue.
//! 2. **re-dump** the tables on **another** socket in the same namespace (e.g. a
//!    [`Handle::in_netns`](crate::handle::Handle::in_netns)): a dump on the monitor's own
//!    socket would skip the events that arrive meanwhile.
//! 3. **continue** reading events, applying them on top of the dump. Events caused by
//!    changes made while the dump ran may already be reflected in it, so apply them
//!    idempotently (a `NewLink` for a known index updates it, a `DelLink` for an unknown
//!    one is a no-op).
//!
//! A larger receive buffer ([`Monitor::with_recv_buffer`]) makes overruns rarer.
//! `NETLINK_NO_ENOBUFS` is deliberately not offered: it hides the loss instead of
//! reporting it. If events arrive faster than they can be read for good, draining never
//! ends; dropping the monitor and opening a new one (its queue starts empty) is the way out.
//!
//! # Example
//! A table of link names kept current from events, resynchronised after an overrun (the
//! same loop, run against a kernel under churn, is a test: `tests/kernel/stress.rs`):
//!
//! ```no_run
//! use netplumb::events::{Event, Group, Monitor};
//! use netplumb::link::LinkFilter;
//! use netplumb::{Handle, NetNs};
//! use std::collections::BTreeMap;
//! use std::time::Duration;
//!
//! # fn main() -> netplumb::Result<()> {
//! let ns = NetNs::open_name("blue")?;
//! let mut monitor = Monitor::in_netns(&ns, &[Group::Link])?.with_recv_buffer(1 << 20)?;
//! let handle = Handle::in_netns(&ns)?;
//! // Subscribed first, then dumped: no change falls between the two.
//! let dump = |links: &mut BTreeMap<u32, String>| -> netplumb::Result<()> {
//!     *links = handle
//!         .link_list(&LinkFilter::new())?
//!         .into_iter()
//!         .map(|l| (l.index, l.name))
//!         .collect();
//!     Ok(())
//! };
//! let mut links = BTreeMap::new();
//! dump(&mut links)?;
//! loop {
//!     // (`while let Some(event) = monitor.next()` works too; a `for` loop would hold the
//!     // monitor for the whole loop and forbid `drain`.)
//!     match monitor.next_event() {
//!         Ok(Event::NewLink(l)) => {
//!             let name = l.name().unwrap_or_default().to_string();
//!             links.insert(l.index().unsigned_abs(), name);
//!         }
//!         Ok(Event::DelLink(l)) => {
//!             links.remove(&l.index().unsigned_abs());
//!         }
//!         Ok(_) => {}
//!         Err(e) if e.is_overrun() => {
//!             // 1. drain, a bounded step at a time, until the queue is empty;
//!             while !monitor.drain(4096, Duration::from_millis(100))?.emptied {}
//!             // 2. re-dump; 3. continue with the events that follow.
//!             dump(&mut links)?;
//!         }
//!         Err(e) => return Err(e),
//!     }
//! }
//! # }
//! ```

use crate::error::{Error, Result};
use crate::netns::NetNs;
use crate::socket::{self, Socket};
use crate::wire::addr::AddressMessage;
use crate::wire::link::LinkMessage;
use crate::wire::neigh::NeighMessage;
use crate::wire::nlmsg::{
    NLMSG_HDR_LEN, RTM_DELADDR, RTM_DELLINK, RTM_DELNEIGH, RTM_DELNSID, RTM_DELROUTE, RTM_DELRULE,
    RTM_NEWADDR, RTM_NEWLINK, RTM_NEWNEIGH, RTM_NEWNSID, RTM_NEWROUTE, RTM_NEWRULE,
};
use crate::wire::nsid::NsidMessage;
use crate::wire::route::RouteMessage;
use crate::wire::rule::RuleMessage;
use crate::wire::{DecodeError, NlmsgBuffer};
use std::ops::ControlFlow;
use std::os::fd::{AsFd, BorrowedFd};
use std::time::{Duration, Instant};

/// An rtnetlink multicast group (`RTNLGRP_*`): which kind of change a [`Monitor`] hears about.
///
/// ```
/// use netplumb::events::Group;
/// assert_eq!(Group::Link.id(), 1);
/// assert_eq!(Group::Ipv6Route.id(), 11);
/// assert!(Group::DEFAULT.contains(&Group::Neigh));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    /// `RTNLGRP_LINK`: links created, changed, deleted (`ip monitor link`).
    #[doc(alias = "RTNLGRP_LINK")]
    Link,
    /// `RTNLGRP_NEIGH`: ARP/NDP and bridge FDB entries (`ip monitor neigh`).
    #[doc(alias = "RTNLGRP_NEIGH")]
    Neigh,
    /// `RTNLGRP_TC`: qdiscs, classes and filters.
    #[doc(alias = "RTNLGRP_TC")]
    Tc,
    /// `RTNLGRP_IPV4_IFADDR`: IPv4 addresses.
    #[doc(alias = "RTNLGRP_IPV4_IFADDR")]
    Ipv4Addr,
    /// `RTNLGRP_IPV4_ROUTE`: IPv4 routes.
    #[doc(alias = "RTNLGRP_IPV4_ROUTE")]
    Ipv4Route,
    /// `RTNLGRP_IPV4_RULE`: IPv4 policy rules.
    #[doc(alias = "RTNLGRP_IPV4_RULE")]
    Ipv4Rule,
    /// `RTNLGRP_IPV4_NETCONF`: IPv4 per-device configuration (forwarding, rp_filter, ...).
    #[doc(alias = "RTNLGRP_IPV4_NETCONF")]
    Ipv4Netconf,
    /// `RTNLGRP_IPV6_IFADDR`: IPv6 addresses.
    #[doc(alias = "RTNLGRP_IPV6_IFADDR")]
    Ipv6Addr,
    /// `RTNLGRP_IPV6_ROUTE`: IPv6 routes.
    #[doc(alias = "RTNLGRP_IPV6_ROUTE")]
    Ipv6Route,
    /// `RTNLGRP_IPV6_RULE`: IPv6 policy rules.
    #[doc(alias = "RTNLGRP_IPV6_RULE")]
    Ipv6Rule,
    /// `RTNLGRP_IPV6_NETCONF`: IPv6 per-device configuration.
    #[doc(alias = "RTNLGRP_IPV6_NETCONF")]
    Ipv6Netconf,
    /// `RTNLGRP_IPV6_PREFIX`: prefixes learnt from router advertisements.
    #[doc(alias = "RTNLGRP_IPV6_PREFIX")]
    Ipv6Prefix,
    /// `RTNLGRP_NSID`: namespace ids assigned or removed.
    #[doc(alias = "RTNLGRP_NSID")]
    Nsid,
    /// `RTNLGRP_NEXTHOP`: nexthop objects.
    #[doc(alias = "RTNLGRP_NEXTHOP")]
    Nexthop,
    /// Any other `RTNLGRP_*` number (not 0).
    Other(u32),
}

impl Group {
    /// Links, IPv4 and IPv6 addresses and routes, and neighbours: what `ip monitor link
    /// address route neigh` listens to, and what a container network's cache follows.
    pub const DEFAULT: &'static [Group] = &[
        Group::Link,
        Group::Ipv4Addr,
        Group::Ipv6Addr,
        Group::Ipv4Route,
        Group::Ipv6Route,
        Group::Neigh,
    ];

    /// The group number (`RTNLGRP_*`) given to `NETLINK_ADD_MEMBERSHIP`.
    pub fn id(self) -> u32 {
        match self {
            Group::Link => socket::RTNLGRP_LINK,
            Group::Neigh => socket::RTNLGRP_NEIGH,
            Group::Tc => socket::RTNLGRP_TC,
            Group::Ipv4Addr => socket::RTNLGRP_IPV4_IFADDR,
            Group::Ipv4Route => socket::RTNLGRP_IPV4_ROUTE,
            Group::Ipv4Rule => socket::RTNLGRP_IPV4_RULE,
            Group::Ipv4Netconf => 24,
            Group::Ipv6Addr => socket::RTNLGRP_IPV6_IFADDR,
            Group::Ipv6Route => socket::RTNLGRP_IPV6_ROUTE,
            Group::Ipv6Rule => socket::RTNLGRP_IPV6_RULE,
            Group::Ipv6Netconf => 25,
            Group::Ipv6Prefix => 18,
            Group::Nsid => socket::RTNLGRP_NSID,
            Group::Nexthop => socket::RTNLGRP_NEXTHOP,
            Group::Other(id) => id,
        }
    }
}

/// One change the kernel announced, decoded.
///
/// Link, address, route, neighbour, rule and namespace-id messages are parsed into the wire
/// codec's owned messages; anything else (netconf, qdiscs, ...) is [`Event::Other`]
/// with the raw payload. A `New*` event is sent both for a new object and for a change to an
/// existing one.
///
/// ```
/// use netplumb::events::Event;
/// use netplumb::wire::link::{LinkAttr, LinkMessage};
/// use netplumb::wire::nlmsg::RTM_NEWLINK;
/// use netplumb::wire::Emit;
///
/// let payload = LinkMessage::new(7)
///     .with(LinkAttr::IfName("eth0".into()))
///     .to_vec()
///     .unwrap();
/// match Event::parse(RTM_NEWLINK, &payload).unwrap() {
///     Event::NewLink(l) => assert_eq!((l.index(), l.name()), (7, Some("eth0"))),
///     e => panic!("{e:?}"),
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// `RTM_NEWLINK`: a link appeared or changed.
    #[doc(alias = "RTM_NEWLINK")]
    NewLink(LinkMessage),
    /// `RTM_DELLINK`: a link went away.
    #[doc(alias = "RTM_DELLINK")]
    DelLink(LinkMessage),
    /// `RTM_NEWADDR`: an address was added (or its flags or lifetimes changed).
    #[doc(alias = "RTM_NEWADDR")]
    NewAddress(AddressMessage),
    /// `RTM_DELADDR`: an address was removed.
    #[doc(alias = "RTM_DELADDR")]
    DelAddress(AddressMessage),
    /// `RTM_NEWROUTE`: a route was added or replaced.
    #[doc(alias = "RTM_NEWROUTE")]
    NewRoute(RouteMessage),
    /// `RTM_DELROUTE`: a route was removed.
    #[doc(alias = "RTM_DELROUTE")]
    DelRoute(RouteMessage),
    /// `RTM_NEWNEIGH`: a neighbour or FDB entry was added or changed state.
    #[doc(alias = "RTM_NEWNEIGH")]
    NewNeigh(NeighMessage),
    /// `RTM_DELNEIGH`: a neighbour or FDB entry was removed.
    #[doc(alias = "RTM_DELNEIGH")]
    DelNeigh(NeighMessage),
    /// `RTM_NEWNSID`: this namespace gave another one an id ([`Group::Nsid`]).
    #[doc(alias = "RTM_NEWNSID")]
    NewNsid(NsidMessage),
    /// `RTM_DELNSID`: an id went away (the other namespace was destroyed).
    #[doc(alias = "RTM_DELNSID")]
    DelNsid(NsidMessage),
    /// `RTM_NEWRULE`: a policy routing rule was added ([`Group::Ipv4Rule`],
    /// [`Group::Ipv6Rule`]).
    NewRule(RuleMessage),
    /// `RTM_DELRULE`: a rule was deleted.
    DelRule(RuleMessage),
    /// Any other message type.
    Other {
        /// `nlmsg_type` (e.g. `RTM_NEWNETCONF`).
        msg_type: u16,
        /// The payload: the bytes after `nlmsghdr`.
        bytes: Vec<u8>,
    },
}

impl Event {
    /// Decodes the payload (the bytes after `nlmsghdr`) of a message of type `msg_type`.
    ///
    /// # Errors
    /// The family codec's [`DecodeError`], with offsets from the start of `payload`.
    pub fn parse(msg_type: u16, payload: &[u8]) -> Result<Event, DecodeError> {
        Ok(match msg_type {
            RTM_NEWLINK => Event::NewLink(LinkMessage::parse(payload)?),
            RTM_DELLINK => Event::DelLink(LinkMessage::parse(payload)?),
            RTM_NEWADDR => Event::NewAddress(AddressMessage::parse(payload)?),
            RTM_DELADDR => Event::DelAddress(AddressMessage::parse(payload)?),
            RTM_NEWROUTE => Event::NewRoute(RouteMessage::parse(payload)?),
            RTM_DELROUTE => Event::DelRoute(RouteMessage::parse(payload)?),
            RTM_NEWNEIGH => Event::NewNeigh(NeighMessage::parse(payload)?),
            RTM_DELNEIGH => Event::DelNeigh(NeighMessage::parse(payload)?),
            RTM_NEWNSID => Event::NewNsid(NsidMessage::parse(payload)?),
            RTM_DELNSID => Event::DelNsid(NsidMessage::parse(payload)?),
            RTM_NEWRULE => Event::NewRule(RuleMessage::parse(payload)?),
            RTM_DELRULE => Event::DelRule(RuleMessage::parse(payload)?),
            _ => Event::Other {
                msg_type,
                bytes: payload.to_vec(),
            },
        })
    }

    /// The message type the event came in (`RTM_NEWLINK`, ...).
    pub fn msg_type(&self) -> u16 {
        match self {
            Event::NewLink(_) => RTM_NEWLINK,
            Event::DelLink(_) => RTM_DELLINK,
            Event::NewAddress(_) => RTM_NEWADDR,
            Event::DelAddress(_) => RTM_DELADDR,
            Event::NewRoute(_) => RTM_NEWROUTE,
            Event::DelRoute(_) => RTM_DELROUTE,
            Event::NewNeigh(_) => RTM_NEWNEIGH,
            Event::DelNeigh(_) => RTM_DELNEIGH,
            Event::NewNsid(_) => RTM_NEWNSID,
            Event::DelNsid(_) => RTM_DELNSID,
            Event::NewRule(_) => RTM_NEWRULE,
            Event::DelRule(_) => RTM_DELRULE,
            Event::Other { msg_type, .. } => *msg_type,
        }
    }
}

/// What [`Monitor::drain`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drained {
    /// How many events it read and discarded.
    pub discarded: usize,
    /// Whether it read the queue empty. When false a bound stopped it first: the socket may
    /// still be congested (new events dropped without a report), so drain again before
    /// dumping the tables.
    pub emptied: bool,
}

/// A socket subscribed to rtnetlink multicast groups, yielding [`Event`]s; like
/// `ip monitor`.
///
/// Reads block until an event comes, or until the timeout set with
/// [`Monitor::with_timeout`] ([`Error::Timeout`]). Lost events are reported as
/// [`Error::Overrun`]; see the [module docs](self) for how to resynchronise.
///
/// As an [`Iterator`], a monitor yields `Result<Event>` and never ends by itself:
/// [`Error::Overrun`], [`Error::Timeout`] and [`Error::Decode`] (one malformed message) are
/// yielded and reading goes on after them. Only a failed socket ([`Error::Io`]) ends the
/// iteration, after being yielded once.
///
/// ```no_run
/// use netplumb::events::{Event, Group, Monitor};
/// use std::time::Duration;
///
/// # fn main() -> netplumb::Result<()> {
/// let mut m = Monitor::new(&[Group::Link, Group::Ipv4Addr])?
///     .with_timeout(Some(Duration::from_secs(1)))?;
/// match m.next_event() {
///     Ok(Event::NewLink(l)) => println!("link {:?} is up: {}", l.name(), l.is_up()),
///     Ok(other) => println!("{other:?}"),
///     Err(e) if e.is_timeout() => println!("quiet"),
///     Err(e) => return Err(e),
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Monitor {
    socket: Socket,
    /// A socket error ended the iteration.
    failed: bool,
}

impl Monitor {
    /// A monitor on the calling thread's network namespace, subscribed to `groups`
    /// (`NETLINK_ADD_MEMBERSHIP` for each).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for no groups or [`Group::Other`]`(0)`; [`Error::Io`].
    #[doc(alias = "NETLINK_ADD_MEMBERSHIP")]
    pub fn new(groups: &[Group]) -> Result<Monitor> {
        check_groups(groups)?;
        Monitor::from_socket(Socket::open()?, groups)
    }

    /// A monitor on the namespace `ns`: the socket is created by a throwaway thread inside
    /// `ns` (see [`NetNs::run`]), so it hears that namespace's events whichever thread
    /// reads them; the calling thread never changes namespace.
    #[doc(alias("setns", "NETLINK_ADD_MEMBERSHIP"))]
    pub fn in_netns(ns: &NetNs, groups: &[Group]) -> Result<Monitor> {
        check_groups(groups)?;
        Monitor::from_socket(ns.run(Socket::open)??, groups)
    }

    /// A monitor over an open socket (which should not be used for anything else),
    /// subscribed to `groups` in addition to any groups it had joined already.
    #[doc(alias = "NETLINK_ADD_MEMBERSHIP")]
    pub fn from_socket(socket: Socket, groups: &[Group]) -> Result<Monitor> {
        check_groups(groups)?;
        let mut m = Monitor {
            socket,
            failed: false,
        };
        for &g in groups {
            m.subscribe(g)?;
        }
        Ok(m)
    }

    /// Joins one more group.
    #[doc(alias = "NETLINK_ADD_MEMBERSHIP")]
    pub fn subscribe(&mut self, group: Group) -> Result<()> {
        check_groups(&[group])?;
        self.socket.subscribe(group.id())
    }

    /// Leaves a group (`NETLINK_DROP_MEMBERSHIP`); events of that group already queued are
    /// still read.
    #[doc(alias = "NETLINK_DROP_MEMBERSHIP")]
    pub fn unsubscribe(&mut self, group: Group) -> Result<()> {
        check_groups(&[group])?;
        self.socket.unsubscribe(group.id())
    }

    /// The monitor with a receive buffer of `bytes` (builder form of
    /// [`Monitor::set_recv_buffer`]).
    #[doc(alias("SO_RCVBUFFORCE", "SO_RCVBUF"))]
    pub fn with_recv_buffer(mut self, bytes: usize) -> Result<Monitor> {
        self.set_recv_buffer(bytes)?;
        Ok(self)
    }

    /// Sets the socket's receive buffer: how many bytes of events the kernel queues before
    /// it drops them and reports [`Error::Overrun`]. Tries `SO_RCVBUFFORCE` (which may
    /// exceed `net.core.rmem_max` and needs `CAP_NET_ADMIN`) and falls back to `SO_RCVBUF`
    /// (capped at `rmem_max`). The kernel doubles the value for its bookkeeping and has a
    /// minimum of a few KiB; [`Monitor::recv_buffer`] tells what it granted. A socket starts
    /// with 1 MiB (capped at `rmem_max`).
    #[doc(alias("SO_RCVBUFFORCE", "SO_RCVBUF"))]
    pub fn set_recv_buffer(&mut self, bytes: usize) -> Result<()> {
        match self.socket.force_recv_buffer(bytes) {
            Err(e) if e.is_permission_denied() => self.socket.set_recv_buffer(bytes),
            r => r,
        }
    }

    /// The receive buffer the kernel granted (`SO_RCVBUF`).
    #[doc(alias = "SO_RCVBUF")]
    pub fn recv_buffer(&self) -> Result<usize> {
        self.socket.recv_buffer()
    }

    /// The monitor with a read timeout (builder form of [`Monitor::set_timeout`]).
    #[doc(alias = "SO_RCVTIMEO")]
    pub fn with_timeout(mut self, timeout: Option<Duration>) -> Result<Monitor> {
        self.set_timeout(timeout)?;
        Ok(self)
    }

    /// How long a read waits for an event before failing with [`Error::Timeout`]; `None`
    /// (the default; also a zero duration) waits forever.
    #[doc(alias = "SO_RCVTIMEO")]
    pub fn set_timeout(&mut self, timeout: Option<Duration>) -> Result<()> {
        self.socket.set_timeout(timeout)
    }

    /// The read timeout.
    pub fn timeout(&self) -> Option<Duration> {
        self.socket.timeout()
    }

    /// The socket's netlink port id.
    pub fn port_id(&self) -> u32 {
        self.socket.port_id()
    }

    /// Waits for the next event and decodes it.
    ///
    /// # Errors
    /// [`Error::Overrun`]: events were lost; the monitor stays usable (see the
    /// [module docs](self) for resynchronising). [`Error::Timeout`] after the timeout.
    /// [`Error::Decode`] for a message that does not decode (offsets from the start of the
    /// message); the next call reads the next one. [`Error::Io`] if the socket failed.
    pub fn next_event(&mut self) -> Result<Event> {
        let m = self.socket.recv_event()?;
        Event::parse(m.message_type(), m.payload())
            .map_err(|e| Error::Decode(e.shift(NLMSG_HDR_LEN)))
    }

    /// Waits for the next event and returns the message undecoded (header and payload),
    /// borrowing the receive buffer until the next call: nothing is allocated. Errors as
    /// [`Monitor::next_event`].
    pub fn next_raw(&mut self) -> Result<NlmsgBuffer<&[u8]>> {
        self.socket.recv_event()
    }

    /// Calls `f` with the type and payload (the bytes after `nlmsghdr`) of every event, in
    /// place in the receive buffer, until `f` returns [`ControlFlow::Break`]; returns the
    /// break value. Nothing is allocated: decode with the zero-copy views, e.g.
    /// [`LinkMessageBuffer`](crate::wire::link::LinkMessageBuffer).
    ///
    /// # Errors
    /// As [`Monitor::next_event`] (without the decode step); an error ends the loop, and
    /// the monitor can be read again after it.
    ///
    /// ```no_run
    /// use netplumb::events::{Group, Monitor};
    /// use netplumb::wire::link::{IFLA_IFNAME, LinkMessageBuffer};
    /// use netplumb::wire::nlmsg::RTM_NEWLINK;
    /// use std::ops::ControlFlow;
    ///
    /// # fn main() -> netplumb::Result<()> {
    /// let mut m = Monitor::new(&[Group::Link])?;
    /// // Wait for eth1 to appear; returns its index.
    /// let index = m.for_each_raw(|kind, payload| {
    ///     let Ok(view) = LinkMessageBuffer::new_checked(payload) else {
    ///         return ControlFlow::Continue(());
    ///     };
    ///     let name = view.attrs().find(IFLA_IFNAME).ok().flatten();
    ///     match name.and_then(|a| a.ifname("IFLA_IFNAME").ok()) {
    ///         Some("eth1") if kind == RTM_NEWLINK => ControlFlow::Break(view.index()),
    ///         _ => ControlFlow::Continue(()),
    ///     }
    /// })?;
    /// # let _ = index;
    /// # Ok(())
    /// # }
    /// ```
    pub fn for_each_raw<B>(
        &mut self,
        mut f: impl FnMut(u16, &[u8]) -> ControlFlow<B>,
    ) -> Result<B> {
        loop {
            let m = self.socket.recv_event()?;
            if let ControlFlow::Break(b) = f(m.message_type(), m.payload()) {
                return Ok(b);
            }
        }
    }

    /// Reads and discards the events already queued, without waiting for new ones, but at
    /// most `max_events` of them and for about `max_time` at most; says how many it
    /// discarded and whether it read the queue empty. Call it after [`Error::Overrun`],
    /// until [`Drained::emptied`], before dumping the tables again (see the
    /// [module docs](self)): the queued events are older than the dump, and until the queue
    /// has been read empty the kernel drops every new event without reporting it.
    ///
    /// "Queued" is judged by a read that times out after the shortest timeout the kernel
    /// has (one scheduler tick); the monitor's own timeout is restored afterwards. The time
    /// bound is checked between reads, so one read may overshoot it by that tick.
    ///
    /// ```no_run
    /// use netplumb::events::{Group, Monitor};
    /// use std::time::Duration;
    /// # fn main() -> netplumb::Result<()> {
    /// let mut m = Monitor::new(&[Group::Link])?;
    /// let d = m.drain(1000, Duration::from_millis(50))?;
    /// if !d.emptied {
    ///     // Still congested: drain again before dumping.
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Io`] if the socket failed. Overruns and malformed events met while
    /// draining are not errors: they are drained too.
    pub fn drain(&mut self, max_events: usize, max_time: Duration) -> Result<Drained> {
        let start = Instant::now();
        self.drain_while(|n| n < max_events && start.elapsed() < max_time)
    }

    /// Reads and discards every event queued, however many arrive meanwhile, and returns how
    /// many it discarded: [`Monitor::drain`] without bounds. While events keep arriving
    /// faster than they are read it does not return; prefer [`Monitor::drain`] where that
    /// matters.
    pub fn drain_all(&mut self) -> Result<usize> {
        self.drain_while(|_| true).map(|d| d.discarded)
    }

    /// Discards queued events while `go_on(discarded so far)` holds.
    fn drain_while(&mut self, mut go_on: impl FnMut(usize) -> bool) -> Result<Drained> {
        let saved = self.socket.timeout();
        self.socket.set_timeout(Some(Duration::from_micros(1)))?;
        let mut discarded = 0usize;
        let r = loop {
            if !go_on(discarded) {
                break Ok(Drained {
                    discarded,
                    emptied: false,
                });
            }
            match self.socket.recv_event() {
                Ok(_) => discarded += 1,
                Err(Error::Timeout(_)) => {
                    break Ok(Drained {
                        discarded,
                        emptied: true,
                    });
                }
                // Another overflow, or one malformed datagram: keep emptying the queue.
                Err(Error::Overrun | Error::Decode(_)) => {}
                Err(e) => break Err(e),
            }
        };
        let restored = self.socket.set_timeout(saved);
        let d = r?;
        restored?;
        Ok(d)
    }

    /// The socket back (still subscribed).
    pub fn into_socket(self) -> Socket {
        self.socket
    }
}

impl AsFd for Monitor {
    /// The socket's descriptor, e.g. to `poll` it with other sources; it is readable when an
    /// event (or an overrun) is pending.
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.socket.as_fd()
    }
}

impl Iterator for Monitor {
    type Item = Result<Event>;

    /// [`Monitor::next_event`]; `None` only after the socket failed.
    fn next(&mut self) -> Option<Result<Event>> {
        if self.failed {
            return None;
        }
        let r = self.next_event();
        if let Err(e) = &r {
            self.failed = !matches!(e, Error::Overrun | Error::Timeout(_) | Error::Decode(_));
        }
        Some(r)
    }
}

/// Refuses an empty group list and group 0 (`RTNLGRP_NONE`).
fn check_groups(groups: &[Group]) -> Result<()> {
    if groups.is_empty() {
        return Err(Error::invalid("event groups", "no group to subscribe to"));
    }
    if groups.iter().any(|g| g.id() == 0) {
        return Err(Error::invalid(
            "event group",
            "0 is RTNLGRP_NONE, not a group",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespace_id_events_are_typed() {
        use crate::wire::Emit;
        use crate::wire::nsid::{NsidAttr, NsidMessage};
        let m = NsidMessage::new().with(NsidAttr::Nsid(5));
        let p = m.to_vec().unwrap();
        let new = Event::parse(RTM_NEWNSID, &p).unwrap();
        assert_eq!(new, Event::NewNsid(m.clone()));
        assert_eq!(new.msg_type(), RTM_NEWNSID);
        let del = Event::parse(RTM_DELNSID, &p).unwrap();
        assert_eq!(del, Event::DelNsid(m));
        assert_eq!(del.msg_type(), RTM_DELNSID);
        // A cut-short one is an error with its offset, not an `Other`.
        assert_eq!(Event::parse(RTM_NEWNSID, &p[..6]).unwrap_err().offset(), 4);
        // So is a rule message shorter than its fib_rule_hdr.
        assert!(matches!(
            Event::parse(RTM_NEWRULE, &[2, 24, 0, 0]),
            Err(DecodeError::Truncated {
                what: "fib_rule_hdr",
                ..
            })
        ));
    }
    use crate::socket::fake::{self, Incoming, kernel, message};
    use crate::wire::addr::AddressMessage;
    use crate::wire::link::LinkAttr;
    use crate::wire::neigh::NeighState;
    use crate::wire::nlmsg::{NLMSG_NOOP, RTM_NEWQDISC};
    use crate::wire::{Emit, NlmsgFlags};
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

    fn monitor() -> (Monitor, std::sync::Arc<std::sync::Mutex<fake::State>>) {
        let (s, st) = fake::socket();
        (Monitor::from_socket(s, Group::DEFAULT).unwrap(), st)
    }

    fn event(kind: u16, payload: &impl Emit) -> Vec<u8> {
        message(kind, NlmsgFlags::empty(), 0, 0, &payload.to_vec().unwrap())
    }

    fn link(index: i32, name: &str) -> LinkMessage {
        LinkMessage::new(index).with(LinkAttr::IfName(name.into()))
    }

    #[test]
    fn every_family_decodes_to_its_variant() {
        let l = link(3, "np0");
        let a4 = AddressMessage::new(3, IpAddr::V4(Ipv4Addr::new(198, 18, 0, 1)), 24);
        let a6 = AddressMessage::new(
            3,
            IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)),
            64,
        );
        let r = RouteMessage::unicast(IpAddr::V4(Ipv4Addr::new(198, 18, 5, 0)), 24);
        let n = NeighMessage::new(
            3,
            IpAddr::V4(Ipv4Addr::new(198, 18, 0, 2)),
            NeighState::PERMANENT,
        );
        let rule = RuleMessage::new(crate::wire::rule::RuleHeader::new(
            crate::wire::family::AF_INET,
        ))
        .with(crate::wire::rule::RuleAttr::Priority(5));
        let cases: Vec<(u16, Vec<u8>, Event)> = vec![
            (RTM_NEWLINK, l.to_vec().unwrap(), Event::NewLink(l.clone())),
            (RTM_DELLINK, l.to_vec().unwrap(), Event::DelLink(l.clone())),
            (
                RTM_NEWADDR,
                a4.to_vec().unwrap(),
                Event::NewAddress(a4.clone()),
            ),
            (
                RTM_DELADDR,
                a6.to_vec().unwrap(),
                Event::DelAddress(a6.clone()),
            ),
            (
                RTM_NEWROUTE,
                r.to_vec().unwrap(),
                Event::NewRoute(r.clone()),
            ),
            (
                RTM_DELROUTE,
                r.to_vec().unwrap(),
                Event::DelRoute(r.clone()),
            ),
            (
                RTM_NEWNEIGH,
                n.to_vec().unwrap(),
                Event::NewNeigh(n.clone()),
            ),
            (
                RTM_DELNEIGH,
                n.to_vec().unwrap(),
                Event::DelNeigh(n.clone()),
            ),
            (
                RTM_NEWRULE,
                rule.to_vec().unwrap(),
                Event::NewRule(rule.clone()),
            ),
            (
                RTM_DELRULE,
                rule.to_vec().unwrap(),
                Event::DelRule(rule.clone()),
            ),
            (
                RTM_NEWQDISC,
                vec![2, 24, 0, 0],
                Event::Other {
                    msg_type: RTM_NEWQDISC,
                    bytes: vec![2, 24, 0, 0],
                },
            ),
        ];
        for (kind, payload, want) in cases {
            let got = Event::parse(kind, &payload).unwrap();
            assert_eq!(got, want);
            assert_eq!(got.msg_type(), kind);
        }
    }

    #[test]
    fn malformed_events_are_errors_with_offsets_and_reading_goes_on() {
        assert!(matches!(
            Event::parse(RTM_NEWLINK, &[0; 15]),
            Err(DecodeError::Truncated { offset: 0, .. })
        ));
        let (mut m, st) = monitor();
        st.lock().unwrap().incoming.extend([
            // An ifinfomsg followed by an attribute whose nla_len runs past the end.
            kernel(message(
                RTM_NEWLINK,
                NlmsgFlags::empty(),
                0,
                0,
                &[0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 64, 0, 3, 0],
            )),
            kernel(event(RTM_DELLINK, &link(4, "np1"))),
        ]);
        let e = m.next().unwrap().unwrap_err();
        // The bad attribute sits after nlmsghdr (16) and ifinfomsg (16).
        assert!(matches!(&e, Error::Decode(d) if d.offset() == 32), "{e:?}");
        assert_eq!(m.next().unwrap().unwrap(), Event::DelLink(link(4, "np1")));
    }

    #[test]
    fn overrun_and_timeout_are_items_and_the_iteration_goes_on() {
        let (mut m, st) = monitor();
        st.lock().unwrap().incoming.extend([
            kernel(event(RTM_NEWLINK, &link(3, "a"))),
            Incoming::Errno(libc::ENOBUFS),
            // A NOOP is skipped, never an event.
            kernel(message(NLMSG_NOOP, NlmsgFlags::empty(), 0, 0, &[])),
            kernel(event(RTM_NEWLINK, &link(4, "b"))),
        ]);
        assert_eq!(m.next().unwrap().unwrap(), Event::NewLink(link(3, "a")));
        assert!(m.next().unwrap().unwrap_err().is_overrun());
        assert_eq!(m.next().unwrap().unwrap(), Event::NewLink(link(4, "b")));
        // The fake's empty queue reads as a timeout.
        assert!(m.next().unwrap().unwrap_err().is_timeout());
        st.lock()
            .unwrap()
            .incoming
            .push_back(kernel(event(RTM_DELLINK, &link(4, "b"))));
        assert_eq!(m.next().unwrap().unwrap(), Event::DelLink(link(4, "b")));
    }

    #[test]
    fn a_failed_socket_ends_the_iteration() {
        let (mut m, st) = monitor();
        st.lock().unwrap().incoming.extend([
            Incoming::Errno(libc::EBADF),
            kernel(event(RTM_NEWLINK, &link(3, "a"))),
        ]);
        assert!(matches!(m.next(), Some(Err(Error::Io { .. }))));
        assert!(m.next().is_none());
        // next_event still reads on demand.
        assert_eq!(m.next_event().unwrap(), Event::NewLink(link(3, "a")));
    }

    #[test]
    fn drain_discards_queued_events_and_rest_of_the_datagram() {
        let (mut m, st) = monitor();
        m.set_timeout(Some(Duration::from_secs(3))).unwrap();
        // Three events in one datagram, then an overrun, then two more.
        let mut dg = event(RTM_NEWLINK, &link(1, "a"));
        dg.extend(event(RTM_NEWLINK, &link(2, "b")));
        dg.extend(event(RTM_NEWLINK, &link(3, "c")));
        st.lock().unwrap().incoming.extend([
            kernel(dg),
            Incoming::Errno(libc::ENOBUFS),
            kernel(event(RTM_DELLINK, &link(1, "a"))),
            kernel(event(RTM_DELLINK, &link(2, "b"))),
        ]);
        assert_eq!(m.next_event().unwrap(), Event::NewLink(link(1, "a")));
        assert_eq!(m.drain_all().unwrap(), 4);
        assert_eq!(m.timeout(), Some(Duration::from_secs(3)));
        assert!(m.next_event().unwrap_err().is_timeout());
    }

    /// Issue 11: `drain` used to read until the queue was empty, however long a flood
    /// lasted; now it stops at a count or a time bound and says whether it emptied the
    /// queue.
    #[test]
    fn drain_stops_at_its_bounds_and_says_whether_the_queue_is_empty() {
        let (mut m, st) = monitor();
        m.set_timeout(Some(Duration::from_secs(3))).unwrap();
        st.lock()
            .unwrap()
            .incoming
            .extend((0..10).map(|i| kernel(event(RTM_NEWLINK, &link(i + 1, "x")))));
        let long = Duration::from_secs(3600);
        let d = m.drain(3, long).unwrap();
        assert_eq!((d.discarded, d.emptied), (3, false));
        assert_eq!(m.next_event().unwrap(), Event::NewLink(link(4, "x")));
        // No time at all: nothing read, and the queue is not known to be empty.
        let d = m.drain(100, Duration::ZERO).unwrap();
        assert_eq!((d.discarded, d.emptied), (0, false));
        let d = m.drain(0, long).unwrap();
        assert_eq!((d.discarded, d.emptied), (0, false));
        let d = m.drain(100, long).unwrap();
        assert_eq!((d.discarded, d.emptied), (6, true));
        assert_eq!(m.timeout(), Some(Duration::from_secs(3)));
        // An overrun met while draining is drained too, not counted.
        st.lock().unwrap().incoming.extend([
            kernel(event(RTM_NEWLINK, &link(1, "x"))),
            Incoming::Errno(libc::ENOBUFS),
            kernel(event(RTM_NEWLINK, &link(2, "x"))),
        ]);
        let d = m.drain(100, long).unwrap();
        assert_eq!((d.discarded, d.emptied), (2, true));
    }

    #[test]
    fn for_each_raw_breaks_with_a_value() {
        let (mut m, st) = monitor();
        st.lock().unwrap().incoming.extend([
            kernel(event(RTM_NEWLINK, &link(1, "a"))),
            kernel(event(RTM_NEWLINK, &link(2, "b"))),
            kernel(event(RTM_DELLINK, &link(3, "c"))),
        ]);
        let mut seen = Vec::new();
        let got = m
            .for_each_raw(|kind, payload| {
                let view = crate::wire::link::LinkMessageBuffer::new_checked(payload).unwrap();
                seen.push((kind, view.index()));
                if view.index() == 2 {
                    ControlFlow::Break(view.index())
                } else {
                    ControlFlow::Continue(())
                }
            })
            .unwrap();
        assert_eq!(got, 2);
        assert_eq!(seen, vec![(RTM_NEWLINK, 1), (RTM_NEWLINK, 2)]);
        let raw = m.next_raw().unwrap();
        assert_eq!(raw.message_type(), RTM_DELLINK);
        // An empty queue ends the loop with the timeout.
        assert!(
            m.for_each_raw(|_, _| ControlFlow::<()>::Continue(()))
                .unwrap_err()
                .is_timeout()
        );
    }

    #[test]
    fn groups_are_checked() {
        assert!(check_groups(&[]).unwrap_err().is_invalid());
        assert!(
            check_groups(&[Group::Link, Group::Other(0)])
                .unwrap_err()
                .is_invalid()
        );
        assert!(check_groups(&[Group::Other(33)]).is_ok());
        let (s, _) = fake::socket();
        assert!(Monitor::from_socket(s, &[]).unwrap_err().is_invalid());
        let ids: Vec<u32> = Group::DEFAULT.iter().map(|g| g.id()).collect();
        assert_eq!(ids, vec![1, 5, 9, 7, 11, 3]);
    }
}
