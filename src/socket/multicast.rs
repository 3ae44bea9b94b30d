//! Multicast: the rtnetlink groups, subscribing, and reading events.

use super::Socket;
use super::transport::retry_eintr;
use crate::error::{Error, Result};
use crate::sys::netlink as sys;
use crate::wire::NlmsgBuffer;
use crate::wire::nlmsg::NLMSG_NOOP;

/// `RTNLGRP_LINK`: link (interface) changes.
pub const RTNLGRP_LINK: u32 = 1;
/// `RTNLGRP_NOTIFY`: notifications asked for with `NLM_F_ECHO`.
pub const RTNLGRP_NOTIFY: u32 = 2;
/// `RTNLGRP_NEIGH`: neighbour (ARP/NDP) table changes.
pub const RTNLGRP_NEIGH: u32 = 3;
/// `RTNLGRP_TC`: traffic control changes.
pub const RTNLGRP_TC: u32 = 4;
/// `RTNLGRP_IPV4_IFADDR`: IPv4 address changes.
pub const RTNLGRP_IPV4_IFADDR: u32 = 5;
/// `RTNLGRP_IPV4_ROUTE`: IPv4 route changes.
pub const RTNLGRP_IPV4_ROUTE: u32 = 7;
/// `RTNLGRP_IPV4_RULE`: IPv4 policy rule changes.
pub const RTNLGRP_IPV4_RULE: u32 = 8;
/// `RTNLGRP_IPV6_IFADDR`: IPv6 address changes.
pub const RTNLGRP_IPV6_IFADDR: u32 = 9;
/// `RTNLGRP_IPV6_ROUTE`: IPv6 route changes.
pub const RTNLGRP_IPV6_ROUTE: u32 = 11;
/// `RTNLGRP_IPV6_RULE`: IPv6 policy rule changes.
pub const RTNLGRP_IPV6_RULE: u32 = 19;
/// `RTNLGRP_NSID`: namespace id changes.
pub const RTNLGRP_NSID: u32 = 28;
/// `RTNLGRP_NEXTHOP`: nexthop object changes.
pub const RTNLGRP_NEXTHOP: u32 = 32;

/// What [`Socket::discard_queued`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Discarded {
    /// Datagrams read and dropped (events, or anything else that was queued).
    pub datagrams: usize,
    /// The kernel reported an overrun (`ENOBUFS`): events were dropped unread.
    pub overrun: bool,
    /// The queue was found empty, which also ends the kernel's "congested" state in which
    /// it drops new events without reporting it (`netlink_rcv_wake`). False when the bound
    /// stopped the reading first.
    pub emptied: bool,
}

impl Discarded {
    /// Nothing was queued: no event, no overrun, and the queue found empty.
    pub(crate) fn nothing(&self) -> bool {
        self.emptied && self.datagrams == 0 && !self.overrun
    }
}

impl Socket {
    /// Joins the multicast group `group` (`NETLINK_ADD_MEMBERSHIP`, e.g. [`RTNLGRP_LINK`]);
    /// like the subscription `ip monitor link` makes. Events are read with
    /// [`Socket::recv_event`].
    ///
    /// Use a socket of its own for events: a subscribed socket still answers requests (the
    /// replies are matched by sequence number), but events that arrive while a request waits
    /// are skipped.
    pub fn subscribe(&mut self, group: u32) -> Result<()> {
        self.transport
            .set_netlink_option(sys::NETLINK_ADD_MEMBERSHIP, group)
            .map_err(|e| Error::io(format!("setsockopt NETLINK_ADD_MEMBERSHIP {group}"), e))
    }

    /// Leaves the multicast group `group` (`NETLINK_DROP_MEMBERSHIP`).
    pub fn unsubscribe(&mut self, group: u32) -> Result<()> {
        self.transport
            .set_netlink_option(sys::NETLINK_DROP_MEMBERSHIP, group)
            .map_err(|e| Error::io(format!("setsockopt NETLINK_DROP_MEMBERSHIP {group}"), e))
    }

    /// Reads and drops whatever is queued on the socket now, without waiting for more and
    /// at most `max` datagrams (or reports), and says what it found. Unlike
    /// [`Socket::recv_event`] it never blocks: "queued" is what a
    /// `recvmsg(MSG_PEEK | MSG_DONTWAIT)` sees.
    pub(crate) fn discard_queued(&mut self, max: usize) -> Result<Discarded> {
        // What is left of a datagram already read counts too.
        let mut found = Discarded {
            datagrams: usize::from(self.rx_pos < self.rx_len),
            ..Discarded::default()
        };
        self.rx_len = 0;
        self.rx_pos = 0;
        // A netlink datagram read into a short buffer is consumed whole (the rest is
        // dropped, `MSG_TRUNC`): nothing needs to be copied out.
        let mut scratch = [0u8; 16];
        for _ in 0..max {
            let transport = &mut self.transport;
            match retry_eintr(|| transport.has_pending()) {
                Ok(false) => {
                    found.emptied = true;
                    break;
                }
                Ok(true) => {}
                Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => {
                    found.overrun = true;
                    continue;
                }
                Err(e) => return Err(Error::io("recvmsg (MSG_PEEK|MSG_DONTWAIT)", e)),
            }
            match retry_eintr(|| transport.recv(&mut scratch)) {
                Ok(_) => found.datagrams += 1,
                Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => found.overrun = true,
                Err(e) => return Err(Error::io("recvmsg", e)),
            }
        }
        Ok(found)
    }

    /// Waits for the next multicast event (after [`Socket::subscribe`]) and returns it; the
    /// message borrows the receive buffer until the next call.
    ///
    /// # Errors
    /// [`Error::Overrun`] when the receive queue overflowed and events were lost (`ENOBUFS`):
    /// the socket stays usable, and the caller should dump the tables again to resynchronise.
    /// Until the queue has been read empty the kernel drops further events (the socket is
    /// "congested"), so read what is queued, then dump; a larger buffer
    /// ([`Socket::set_recv_buffer`]) makes overruns rarer.
    /// [`Error::Timeout`] after the receive timeout.
    pub fn recv_event(&mut self) -> Result<NlmsgBuffer<&[u8]>> {
        self.ack_wait = None;
        loop {
            let r = self.next_message_range()?;
            let kind = self.view(r.clone())?.message_type();
            if kind != NLMSG_NOOP {
                return self.view(r);
            }
        }
    }
}
