//! A blocking netlink socket (`NETLINK_ROUTE`, `NETLINK_NETFILTER`): acknowledged requests,
//! single-answer gets, streaming dumps, batches and multicast events.
//!
//! One receive loop does the checks for everyone, as libmnl's does:
//! - each datagram is sized with `MSG_PEEK | MSG_TRUNC` and received whole into a reused
//!   buffer of at least 32 KiB; a datagram that is still truncated is an error, never a
//!   partial parse. While only acknowledgements are waited for (a request or a batch,
//!   without `NLM_F_ECHO`) the peek is skipped: the buffer is sized for the largest
//!   acknowledgement instead, one system call per datagram;
//! - datagrams that do not come from the kernel (`nl_pid != 0`) are dropped;
//! - a datagram may hold several messages ([`Messages`](crate::wire::Messages));
//! - replies must carry our port id and the sequence number of the request being answered:
//!   anything else (a late reply to a request that timed out, a notification caused by
//!   another process) is skipped, never taken as the answer;
//! - `NLM_F_DUMP_INTR` on any message of a dump, `NLMSG_DONE` included, is reported as
//!   [`Error::DumpInterrupted`] after the records;
//! - `ENOBUFS` is [`Error::Overrun`] and the socket stays usable; `EINTR` is retried; a
//!   receive timeout is [`Error::Timeout`].
//!
//! The protocol is chosen at open ([`Socket::open`] for `NETLINK_ROUTE`,
//! [`Socket::open_protocol`] for any [`Protocol`]); everything above is the same for all of
//! them. The socket is bound to the network namespace it was created in (see
//! [`Socket::open_in`] and [`crate::handle::Handle::in_netns`]).
//!
//! The code is split by concern: `transport` (the descriptor, or a scripted fake in unit
//! tests), `receive` (the receive loop above), `request` (acknowledged requests and gets),
//! `dump`, `batch` (many requests per `sendmsg`, and whole pre-built sequences such as an
//! nfnetlink transaction) and `multicast` (groups and events).

mod batch;
mod dump;
#[cfg(test)]
pub(crate) mod fake;
mod multicast;
mod receive;
mod request;
#[cfg(test)]
mod tests;
mod transport;

pub use batch::{BATCH_MAX_BYTES, BATCH_MAX_REQUESTS, Batch, BatchMode};
pub use dump::{DUMP_RETRIES, Dump, DumpMap};
pub use multicast::{
    RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV4_RULE, RTNLGRP_IPV6_IFADDR,
    RTNLGRP_IPV6_ROUTE, RTNLGRP_IPV6_RULE, RTNLGRP_LINK, RTNLGRP_NEIGH, RTNLGRP_NEXTHOP,
    RTNLGRP_NOTIFY, RTNLGRP_NSID, RTNLGRP_TC,
};
pub use request::Request;

/// The netlink protocol of a socket (defined with the codec, which decodes by it).
pub use crate::wire::message::Protocol;

use crate::error::{Error, Result};
use crate::netns::NetNs;
use crate::sys::netlink as sys;
use crate::undo::FaultPlan;
use crate::wire::{Builder, Emit, NlmsgFlags};
use std::os::fd::{AsFd, BorrowedFd};
use std::time::Duration;
use transport::{FdTransport, Transport, retry_eintr};

/// The smallest receive buffer: the kernel's netlink documentation asks for 32 KiB for dumps,
/// which is also what iproute2 uses.
pub const MIN_RECV_BUFFER: usize = 32 * 1024;

/// `SO_RCVBUF` asked for at open (as iproute2 does), so that a batch's acknowledgements fit.
/// The kernel caps it at `net.core.rmem_max`.
const DEFAULT_SO_RCVBUF: usize = 1024 * 1024;

/// Room for an acknowledgement beyond the request it echoes: `nlmsghdr`, the errno, and the
/// extended-ack attributes (a message of a few dozen bytes, an offset, a policy). 4 KiB is
/// several times the most the kernel adds.
const ACK_ROOM: usize = 4096;

/// A blocking netlink socket (`NETLINK_ROUTE` unless opened with
/// [`Socket::open_protocol`]).
///
/// Requests are [`Emit`] payloads (a family header plus attributes) with a message type and
/// flags; the socket adds `NLM_F_REQUEST`, `NLM_F_ACK` where it waits for an answer, a fresh
/// sequence number, and matches the replies. Methods take `&mut self`: one request is in
/// flight at a time. [`crate::handle::Handle`] wraps a socket for use from several threads.
///
/// ```no_run
/// use netplumb::Socket;
/// use netplumb::wire::link::LinkMessage;
/// use netplumb::wire::nlmsg::RTM_GETLINK;
/// // Dump the links of the caller's namespace (RTM_GETLINK with NLM_F_DUMP, like `ip link`).
/// let mut s = Socket::open()?;
/// let names: Vec<String> = s
///     .dump_map(RTM_GETLINK, &LinkMessage::new(0), |p| Ok(LinkMessage::parse(p)?))?
///     .map(|m| m.map(|m| m.name().unwrap_or_default().to_string()))
///     .collect::<Result<_, _>>()?;
/// assert!(names.iter().any(|n| n == "lo"));
/// # Ok::<(), netplumb::Error>(())
/// ```
pub struct Socket {
    transport: Box<dyn Transport>,
    protocol: Protocol,
    port: u32,
    next_seq: u32,
    /// The receive buffer, reused; `rx[..rx_len]` is the current datagram and `rx_pos` the
    /// offset of its next unread message.
    rx: Vec<u8>,
    rx_len: usize,
    rx_pos: usize,
    /// The send buffer, reused.
    tx: Vec<u8>,
    timeout: Option<Duration>,
    /// Set while only acknowledgements of our own requests can arrive (see
    /// `Socket::recv_datagram`); `None` for dumps, gets and events.
    ack_wait: Option<AckWait>,
    /// Consulted before every send, for tests (see [`Socket::set_fault_plan`]).
    faults: Option<FaultPlan>,
}

/// Waiting for the acknowledgements of requests `first .. first + count`, none longer than
/// `room` bytes.
#[derive(Debug, Clone, Copy)]
struct AckWait {
    room: usize,
    first: u32,
    count: u32,
}

impl std::fmt::Debug for Socket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Socket")
            .field("protocol", &self.protocol)
            .field("port", &self.port)
            .field("next_seq", &self.next_seq)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl AsFd for Socket {
    /// The socket's descriptor, e.g. to `poll` it for events.
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.transport.fd()
    }
}

impl Socket {
    /// Opens a `NETLINK_ROUTE` socket in the calling thread's network namespace.
    ///
    /// `socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)`, `bind` with port 0 (the
    /// kernel assigns the port id, read back with `getsockname`), then `NETLINK_EXT_ACK` and
    /// `NETLINK_GET_STRICT_CHK` on and `SO_RCVBUF` raised to 1 MiB (capped by
    /// `net.core.rmem_max`), like iproute2's `rtnl_open`.
    ///
    /// # Errors
    /// [`Error::Io`] if a system call fails.
    pub fn open() -> Result<Socket> {
        Socket::open_protocol(Protocol::Route)
    }

    /// Opens a socket of `protocol` in the calling thread's network namespace, set up as
    /// [`Socket::open`] sets up a `NETLINK_ROUTE` one (the options are netlink-wide).
    ///
    /// ```no_run
    /// use netplumb::socket::{Protocol, Socket};
    /// // socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER), like nft's.
    /// let s = Socket::open_protocol(Protocol::Netfilter)?;
    /// assert_eq!(s.protocol(), Protocol::Netfilter);
    /// # Ok::<(), netplumb::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Io`] if a system call fails (`EPROTONOSUPPORT` for a protocol the kernel was
    /// built without).
    pub fn open_protocol(protocol: Protocol) -> Result<Socket> {
        let fd = sys::open_socket(protocol).map_err(|e| {
            Error::io(
                format!("socket(AF_NETLINK, SOCK_RAW, {})", protocol.name()),
                e,
            )
        })?;
        let port = sys::bind_auto(fd.as_fd()).map_err(|e| Error::io("bind netlink socket", e))?;
        let mut t = FdTransport(fd);
        for (name, what) in [
            (sys::NETLINK_EXT_ACK, "setsockopt NETLINK_EXT_ACK"),
            (
                sys::NETLINK_GET_STRICT_CHK,
                "setsockopt NETLINK_GET_STRICT_CHK",
            ),
        ] {
            match t.set_netlink_option(name, 1) {
                // Kernels before 4.12 / 4.20 lack the option: errors are then less detailed
                // and dump filters are ignored, but requests still work.
                Err(e) if e.raw_os_error() == Some(libc::ENOPROTOOPT) => {}
                r => r.map_err(|e| Error::io(what, e))?,
            }
        }
        t.set_recv_buffer(DEFAULT_SO_RCVBUF)
            .map_err(|e| Error::io("setsockopt SO_RCVBUF", e))?;
        let mut s = Socket::with_transport(Box::new(t), port);
        s.protocol = protocol;
        Ok(s)
    }

    /// Opens a socket of `protocol` inside the namespace `ns`: a throwaway thread enters `ns`
    /// (see [`NetNs::run`]) only to create it; the calling thread never changes namespace, and
    /// the socket keeps acting on `ns` whichever thread uses it.
    /// [`crate::handle::Handle::in_netns`] is this for `NETLINK_ROUTE`.
    ///
    /// ```no_run
    /// use netplumb::NetNs;
    /// use netplumb::socket::{Protocol, Socket};
    /// let ns = NetNs::new_anonymous()?;
    /// let nft = Socket::open_in(&ns, Protocol::Netfilter)?;
    /// # Ok::<(), netplumb::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Socket::open_protocol`], and as [`NetNs::run`] if the namespace cannot be entered.
    pub fn open_in(ns: &NetNs, protocol: Protocol) -> Result<Socket> {
        ns.run(move || Socket::open_protocol(protocol))?
    }

    /// A socket over any transport, already bound to `port`.
    pub(crate) fn with_transport(transport: Box<dyn Transport>, port: u32) -> Socket {
        Socket {
            transport,
            protocol: Protocol::Route,
            port,
            next_seq: 1,
            rx: Vec::new(),
            rx_len: 0,
            rx_pos: 0,
            tx: Vec::new(),
            timeout: None,
            ack_wait: None,
            faults: None,
        }
    }

    /// The netlink protocol the socket was opened with.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// The port id the kernel assigned (`nl_pid` of our address).
    pub fn port_id(&self) -> u32 {
        self.port
    }

    /// Sets how long a receive waits (`SO_RCVTIMEO`); `None` waits forever. A request whose
    /// answer does not come in time fails with [`Error::Timeout`]; a late answer is skipped
    /// by the next request, never mistaken for its own.
    pub fn set_timeout(&mut self, timeout: Option<Duration>) -> Result<()> {
        let timeout = timeout.filter(|d| !d.is_zero());
        self.transport
            .set_timeout(timeout)
            .map_err(|e| Error::io("setsockopt SO_RCVTIMEO", e))?;
        self.timeout = timeout;
        Ok(())
    }

    /// The receive timeout.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// Sets `SO_RCVBUF` (the kernel doubles it and caps it at `net.core.rmem_max`). A
    /// monitor that must not lose events wants a large buffer; past `rmem_max`, see
    /// [`Socket::force_recv_buffer`].
    pub fn set_recv_buffer(&mut self, bytes: usize) -> Result<()> {
        self.transport
            .set_recv_buffer(bytes)
            .map_err(|e| Error::io("setsockopt SO_RCVBUF", e))
    }

    /// Sets `SO_RCVBUFFORCE`: like [`Socket::set_recv_buffer`] but past
    /// `net.core.rmem_max`; needs `CAP_NET_ADMIN` (`EPERM` otherwise).
    pub fn force_recv_buffer(&mut self, bytes: usize) -> Result<()> {
        self.transport
            .force_recv_buffer(bytes)
            .map_err(|e| Error::io("setsockopt SO_RCVBUFFORCE", e))
    }

    /// The current `SO_RCVBUF`, as the kernel reports it.
    pub fn recv_buffer(&self) -> Result<usize> {
        self.transport
            .recv_buffer()
            .map_err(|e| Error::io("getsockopt SO_RCVBUF", e))
    }

    /// Sets `SO_SNDBUFFORCE` (past `net.core.wmem_max`; needs `CAP_NET_ADMIN`). The kernel
    /// refuses a datagram larger than the send buffer (`EMSGSIZE`): a whole-batch send
    /// ([`Socket::batch_whole`]) of a large batch needs it raised first, as `nft` does.
    pub fn force_send_buffer(&mut self, bytes: usize) -> Result<()> {
        self.transport
            .force_send_buffer(bytes)
            .map_err(|e| Error::io("setsockopt SO_SNDBUFFORCE", e))
    }

    /// The current `SO_SNDBUF`, as the kernel reports it (twice what was set).
    pub fn send_buffer(&self) -> Result<usize> {
        self.transport
            .send_buffer()
            .map_err(|e| Error::io("getsockopt SO_SNDBUF", e))
    }

    /// Makes `plan` (or, with `None`, nothing) consulted before every request, get, dump and
    /// batch chunk this socket sends: one step each, and a step the plan fails is not sent.
    /// For tests that make step N of a multi-step operation fail against the real kernel
    /// (see [`crate::undo`]).
    pub fn set_fault_plan(&mut self, plan: Option<FaultPlan>) {
        self.faults = plan;
    }

    /// The fault plan, if any.
    pub fn fault_plan(&self) -> Option<&FaultPlan> {
        self.faults.as_ref()
    }

    // ---- sending ----

    /// Consults the fault plan, if any, before sending `msg_type` with sequence `seq`.
    fn check_fault(&self, msg_type: u16, seq: u32) -> Result<()> {
        match &self.faults {
            None => Ok(()),
            Some(plan) => plan.check_request(self.protocol, msg_type, seq),
        }
    }

    /// Reserves `n` consecutive sequence numbers and returns the first.
    fn reserve_seqs(&mut self, n: u32) -> u32 {
        let first = self.next_seq;
        self.next_seq = first.wrapping_add(n);
        if self.next_seq == 0 {
            self.next_seq = 1;
        }
        first
    }

    /// Encodes one request into the send buffer.
    fn encode(
        &mut self,
        msg_type: u16,
        flags: NlmsgFlags,
        seq: u32,
        payload: &dyn Emit,
    ) -> Result<()> {
        let mut b = Builder::from_vec(std::mem::take(&mut self.tx));
        // nlmsg_pid 0 in requests, as iproute2 does: the kernel knows who sent them.
        let r = b.message(msg_type, flags | NlmsgFlags::REQUEST, seq, 0, payload);
        self.tx = b.into_vec();
        r.map_err(Error::Encode)
    }

    /// Sends the send buffer as one datagram.
    fn send_tx(&mut self) -> Result<()> {
        let tx = &self.tx;
        let transport = &mut self.transport;
        let n = retry_eintr(|| transport.send(tx)).map_err(|e| Error::io("sendmsg", e))?;
        if n != tx.len() {
            return Err(Error::Protocol(format!(
                "sendmsg sent {n} of {} bytes",
                tx.len()
            )));
        }
        Ok(())
    }

    /// Encodes and sends one request with a fresh sequence number, which it returns.
    fn send_one(&mut self, msg_type: u16, flags: NlmsgFlags, payload: &dyn Emit) -> Result<u32> {
        self.ack_wait = None;
        let seq = self.reserve_seqs(1);
        self.check_fault(msg_type, seq)?;
        self.encode(msg_type, flags, seq, payload)?;
        self.send_tx()?;
        Ok(seq)
    }
}
