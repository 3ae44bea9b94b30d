//! A blocking `NETLINK_ROUTE` socket: acknowledged requests, single-answer gets, streaming
//! dumps, batches and multicast events.
//!
//! One receive loop does the checks for everyone, as libmnl's does:
//! - each datagram is sized with `MSG_PEEK | MSG_TRUNC` and received whole into a reused
//!   buffer of at least 32 KiB; a datagram that is still truncated is an error, never a
//!   partial parse. While only acknowledgements are waited for (a request or a batch,
//!   without `NLM_F_ECHO`) the peek is skipped: the buffer is sized for the largest
//!   acknowledgement instead, one system call per datagram;
//! - datagrams that do not come from the kernel (`nl_pid != 0`) are dropped;
//! - a datagram may hold several messages ([`Messages`]);
//! - replies must carry our port id and the sequence number of the request being answered:
//!   anything else (a late reply to a request that timed out, a notification caused by
//!   another process) is skipped, never taken as the answer;
//! - `NLM_F_DUMP_INTR` on any message of a dump, `NLMSG_DONE` included, is reported as
//!   [`Error::DumpInterrupted`] after the records;
//! - `ENOBUFS` is [`Error::Overrun`] and the socket stays usable; `EINTR` is retried; a
//!   receive timeout is [`Error::Timeout`].
//!
//! The socket is bound to the network namespace it was created in (see
//! [`crate::handle::Handle::in_netns`]).

use crate::error::{Error, KernelError, Result};
use crate::sys::netlink as sys;
use crate::wire::nlmsg::{NLMSG_DONE, NLMSG_ERROR, NLMSG_HDR_LEN, NLMSG_NOOP, NLMSG_OVERRUN};
use crate::wire::{
    Builder, DecodeError, DoneMessage, Emit, ErrorMessage, Messages, NlmsgBuffer, NlmsgFlags,
    align4,
};
use std::io;
use std::ops::{DerefMut, Range};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::time::Duration;

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

/// The smallest receive buffer: the kernel's netlink documentation asks for 32 KiB for dumps,
/// which is also what iproute2 uses.
pub const MIN_RECV_BUFFER: usize = 32 * 1024;

/// `SO_RCVBUF` asked for at open (as iproute2 does), so that a batch's acknowledgements fit.
/// The kernel caps it at `net.core.rmem_max`.
const DEFAULT_SO_RCVBUF: usize = 1024 * 1024;

/// At most this many requests go out in one `sendmsg` of a batch. The kernel queues every
/// acknowledgement on our socket while it processes the datagram, so a batch must be small
/// enough for all of them to fit in `SO_RCVBUF`; otherwise they are dropped (`ENOBUFS`).
pub const BATCH_MAX_REQUESTS: usize = 64;

/// At most this many bytes of requests go out in one `sendmsg` of a batch (a failed request
/// is echoed whole in its error, so bytes count as well as requests). A single larger
/// request is sent on its own.
pub const BATCH_MAX_BYTES: usize = 64 * 1024;

/// How a socket sends and receives datagrams. The real one is a file descriptor; unit tests
/// use a scripted fake.
pub(crate) trait Transport: Send {
    /// Sends one datagram to the kernel; returns the bytes sent.
    fn send(&mut self, datagram: &[u8]) -> io::Result<usize>;
    /// The size of the next datagram, waiting for one (up to the receive timeout).
    fn peek_len(&mut self) -> io::Result<usize>;
    /// Receives the next datagram into `buf`.
    fn recv(&mut self, buf: &mut [u8]) -> io::Result<sys::Received>;
    /// `SO_RCVTIMEO`.
    fn set_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()>;
    /// A `SOL_NETLINK` integer option.
    fn set_netlink_option(&mut self, name: libc::c_int, value: u32) -> io::Result<()>;
    /// `SO_RCVBUF`, or `SO_RCVBUFFORCE` with `force`.
    fn set_recv_buffer(&mut self, bytes: usize, force: bool) -> io::Result<()>;
    /// The current `SO_RCVBUF`.
    fn recv_buffer(&self) -> io::Result<usize>;
    /// The descriptor, for polling.
    fn fd(&self) -> BorrowedFd<'_>;
}

/// The real transport: a netlink socket descriptor.
struct FdTransport(OwnedFd);

impl Transport for FdTransport {
    fn send(&mut self, datagram: &[u8]) -> io::Result<usize> {
        sys::send_to_kernel(self.0.as_fd(), datagram)
    }
    fn peek_len(&mut self) -> io::Result<usize> {
        sys::peek_len(self.0.as_fd())
    }
    fn recv(&mut self, buf: &mut [u8]) -> io::Result<sys::Received> {
        sys::recv(self.0.as_fd(), buf)
    }
    fn set_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        sys::set_recv_timeout(self.0.as_fd(), timeout)
    }
    fn set_netlink_option(&mut self, name: libc::c_int, value: u32) -> io::Result<()> {
        sys::set_netlink_option(self.0.as_fd(), name, value)
    }
    fn set_recv_buffer(&mut self, bytes: usize, force: bool) -> io::Result<()> {
        if force {
            sys::set_recv_buffer_force(self.0.as_fd(), bytes)
        } else {
            sys::set_recv_buffer(self.0.as_fd(), bytes)
        }
    }
    fn recv_buffer(&self) -> io::Result<usize> {
        sys::recv_buffer(self.0.as_fd())
    }
    fn fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}

/// Retries `f` while it fails with `EINTR`.
fn retry_eintr<T>(mut f: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    loop {
        match f() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            r => return r,
        }
    }
}

/// A blocking `NETLINK_ROUTE` socket.
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
    /// [`Socket::recv_datagram`]); `None` for dumps, gets and events.
    ack_wait: Option<AckWait>,
}

/// Waiting for the acknowledgements of requests `first .. first + count`, none longer than
/// `room` bytes.
#[derive(Debug, Clone, Copy)]
struct AckWait {
    room: usize,
    first: u32,
    count: u32,
}

/// Room for an acknowledgement beyond the request it echoes: `nlmsghdr`, the errno, and the
/// extended-ack attributes (a message of a few dozen bytes, an offset, a policy). 4 KiB is
/// several times the most the kernel adds.
const ACK_ROOM: usize = 4096;

impl std::fmt::Debug for Socket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Socket")
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

/// What a dump does with the message it just read.
enum DumpStep {
    Skip,
    Record,
    End(Option<Error>),
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
        let fd = sys::open_route_socket()
            .map_err(|e| Error::io("socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE)", e))?;
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
        t.set_recv_buffer(DEFAULT_SO_RCVBUF, false)
            .map_err(|e| Error::io("setsockopt SO_RCVBUF", e))?;
        Ok(Socket::with_transport(Box::new(t), port))
    }

    /// A socket over any transport, already bound to `port`.
    pub(crate) fn with_transport(transport: Box<dyn Transport>, port: u32) -> Socket {
        Socket {
            transport,
            port,
            next_seq: 1,
            rx: Vec::new(),
            rx_len: 0,
            rx_pos: 0,
            tx: Vec::new(),
            timeout: None,
            ack_wait: None,
        }
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

    /// Sets `SO_RCVBUF` (the kernel doubles it and caps it at `net.core.rmem_max`); with
    /// `force`, `SO_RCVBUFFORCE` (past `rmem_max`, needs `CAP_NET_ADMIN`). A monitor that
    /// must not lose events wants a large buffer.
    pub fn set_recv_buffer(&mut self, bytes: usize, force: bool) -> Result<()> {
        let op = if force {
            "setsockopt SO_RCVBUFFORCE"
        } else {
            "setsockopt SO_RCVBUF"
        };
        self.transport
            .set_recv_buffer(bytes, force)
            .map_err(|e| Error::io(op, e))
    }

    /// The current `SO_RCVBUF`, as the kernel reports it.
    pub fn recv_buffer(&self) -> Result<usize> {
        self.transport
            .recv_buffer()
            .map_err(|e| Error::io("getsockopt SO_RCVBUF", e))
    }

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

    // ---- sending ----

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
        self.encode(msg_type, flags, seq, payload)?;
        self.send_tx()?;
        Ok(seq)
    }

    // ---- receiving ----

    fn recv_error(&self, op: &'static str, e: io::Error) -> Error {
        if e.kind() == io::ErrorKind::WouldBlock {
            return Error::Timeout(self.timeout.unwrap_or_default());
        }
        match e.raw_os_error() {
            Some(libc::ENOBUFS) => Error::Overrun,
            _ => Error::io(op, e),
        }
    }

    /// Receives the next datagram from the kernel into `rx`.
    ///
    /// A datagram's size is first read with `MSG_PEEK | MSG_TRUNC`, so that no reply or event
    /// is ever cut short, whatever its size. While only acknowledgements are waited for
    /// ([`Socket::request`], [`Socket::batch`], without `NLM_F_ECHO`), that second system
    /// call is skipped: the buffer is made large enough for the longest acknowledgement (the
    /// largest request it may echo, plus [`ACK_ROOM`]; the kernel sends each one in a
    /// datagram of its own), and a datagram that still does not fit is an error only if it
    /// answers one of the requests waited for. Anything else cut short (an event on a
    /// subscribed socket, a late reply to an abandoned request) is dropped, as it would have
    /// been skipped whole.
    fn recv_datagram(&mut self) -> Result<()> {
        self.rx_len = 0;
        self.rx_pos = 0;
        if let Some(w) = self.ack_wait {
            return self.recv_ack_datagram(w);
        }
        loop {
            let transport = &mut self.transport;
            let size = retry_eintr(|| transport.peek_len())
                .map_err(|e| self.recv_error("recvmsg (MSG_PEEK|MSG_TRUNC)", e))?;
            let want = size.max(MIN_RECV_BUFFER);
            if self.rx.len() < want {
                self.rx.resize(want, 0);
            }
            let (transport, rx) = (&mut self.transport, &mut self.rx);
            let got =
                retry_eintr(|| transport.recv(rx)).map_err(|e| self.recv_error("recvmsg", e))?;
            if got.truncated {
                return Err(Error::Decode(DecodeError::Truncated {
                    what: "netlink datagram (MSG_TRUNC)",
                    offset: 0,
                    need: size.max(got.len.saturating_add(1)),
                    have: got.len,
                }));
            }
            if got.sender != Some(0) {
                // Not from the kernel: another process may send to our port; never a reply.
                continue;
            }
            self.rx_len = got.len.min(self.rx.len());
            return Ok(());
        }
    }

    /// [`Socket::recv_datagram`] without the peek, while waiting for acknowledgements.
    fn recv_ack_datagram(&mut self, w: AckWait) -> Result<()> {
        let want = w.room.max(MIN_RECV_BUFFER);
        if self.rx.len() < want {
            self.rx.resize(want, 0);
        }
        loop {
            let (transport, rx) = (&mut self.transport, &mut self.rx);
            let got =
                retry_eintr(|| transport.recv(rx)).map_err(|e| self.recv_error("recvmsg", e))?;
            if got.sender != Some(0) {
                continue;
            }
            if got.truncated {
                // The first header's sequence number and port id (`nlmsg_seq`, `nlmsg_pid`);
                // its length is past what was received, so read the fields directly.
                let word = |at: usize| {
                    self.rx
                        .get(at..at + 4)
                        .filter(|_| got.len >= at + 4)
                        .and_then(|b| b.try_into().ok())
                        .map(u32::from_ne_bytes)
                };
                let ours = matches!(
                    (word(8), word(12)),
                    (Some(seq), Some(port))
                        if port == self.port && seq.wrapping_sub(w.first) < w.count
                );
                if !ours {
                    continue;
                }
                return Err(Error::Decode(DecodeError::Truncated {
                    what: "netlink datagram (MSG_TRUNC)",
                    offset: 0,
                    need: got.len.saturating_add(1),
                    have: got.len,
                }));
            }
            self.rx_len = got.len.min(self.rx.len());
            return Ok(());
        }
    }

    /// The range in `rx` of the next message, receiving a datagram when the current one is
    /// used up. A malformed message discards the rest of its datagram.
    fn next_message_range(&mut self) -> Result<Range<usize>> {
        loop {
            if self.rx_pos >= self.rx_len {
                self.recv_datagram()?;
            }
            let at = self.rx_pos;
            let rest = self.rx.get(at..self.rx_len).unwrap_or(&[]);
            match Messages::new(rest).next() {
                Some(Ok((_, m))) => {
                    let len = m.length() as usize;
                    self.rx_pos = at.saturating_add(align4(len)).min(self.rx_len);
                    return Ok(at..at + len);
                }
                Some(Err(e)) => {
                    self.rx_pos = self.rx_len;
                    return Err(Error::Decode(e.shift(at)));
                }
                // An empty datagram: receive the next one.
                None => self.rx_pos = self.rx_len,
            }
        }
    }

    /// The message at `r` (a range [`Socket::next_message_range`] returned).
    fn view(&self, r: Range<usize>) -> Result<NlmsgBuffer<&[u8]>> {
        let at = r.start;
        NlmsgBuffer::new_checked(self.rx.get(r).unwrap_or(&[]))
            .map_err(|e| Error::Decode(e.shift(at)))
    }

    /// The next message addressed to us (our port id) whose sequence number lies in
    /// `first .. first + count`. Everything else is skipped: notifications from other
    /// processes carry their port id, and late replies to earlier requests an older seq.
    fn next_reply(&mut self, first: u32, count: u32) -> Result<Range<usize>> {
        loop {
            let r = self.next_message_range()?;
            let m = self.view(r.clone())?;
            if m.port_number() == self.port && m.sequence_number().wrapping_sub(first) < count {
                return Ok(r);
            }
        }
    }

    // ---- operations ----

    /// Sends a request and waits for its acknowledgement.
    ///
    /// The message is `msg_type` with `flags | NLM_F_REQUEST | NLM_F_ACK` and `payload`; the
    /// kernel answers with `NLMSG_ERROR`, error 0 on success. E.g. `RTM_NEWLINK` with
    /// `NLM_F_CREATE | NLM_F_EXCL` is `ip link add`.
    ///
    /// # Errors
    /// [`Error::Kernel`] with the errno and the extended-ack message when the kernel refuses;
    /// [`Error::Timeout`], [`Error::Io`], [`Error::Overrun`], [`Error::Encode`].
    pub fn request(
        &mut self,
        msg_type: u16,
        flags: NlmsgFlags,
        payload: &(impl Emit + ?Sized),
    ) -> Result<()> {
        let seq = self.send_one(msg_type, flags | NlmsgFlags::ACK, &payload)?;
        // With NLM_F_ECHO the kernel also sends the object back, of any size.
        if !flags.contains(NlmsgFlags::ECHO) {
            self.ack_wait = Some(AckWait {
                room: self.tx.len() + ACK_ROOM,
                first: seq,
                count: 1,
            });
        }
        loop {
            let r = self.next_reply(seq, 1)?;
            let m = self.view(r.clone())?;
            match m.message_type() {
                NLMSG_ERROR => {
                    let e = parse_error(&m, r.start)?;
                    return ack_result(&e, whole(&m), msg_type, seq, None);
                }
                NLMSG_DONE => {
                    let d = parse_done(&m, r.start)?;
                    return done_result(&d, whole(&m), msg_type, seq);
                }
                // NLM_F_ECHO copies and the like: not the acknowledgement.
                _ => continue,
            }
        }
    }

    /// Sends a request whose answer is one message and hands that message to `f`, then
    /// waits for the acknowledgement. Nothing is copied: `f` reads the reply in the receive
    /// buffer. E.g. `RTM_GETLINK` with a name (`ip link show dev NAME`) or `RTM_GETROUTE`
    /// (`ip route get`).
    ///
    /// The message is sent with `flags | NLM_F_REQUEST | NLM_F_ACK`. If `f` fails, the
    /// acknowledgement is still read before its error is returned, so the socket is ready
    /// for the next request.
    ///
    /// # Errors
    /// As [`Socket::request`]; [`Error::Protocol`] if the kernel acknowledged without
    /// answering.
    pub fn get_map<T>(
        &mut self,
        msg_type: u16,
        flags: NlmsgFlags,
        payload: &(impl Emit + ?Sized),
        f: impl FnOnce(NlmsgBuffer<&[u8]>) -> Result<T>,
    ) -> Result<T> {
        let seq = self.send_one(msg_type, flags | NlmsgFlags::ACK, &payload)?;
        let mut f = Some(f);
        let mut answer: Option<Result<T>> = None;
        loop {
            let r = self.next_reply(seq, 1)?;
            let m = self.view(r.clone())?;
            let end = match m.message_type() {
                NLMSG_ERROR => {
                    ack_result(&parse_error(&m, r.start)?, whole(&m), msg_type, seq, None)
                }
                NLMSG_DONE => done_result(&parse_done(&m, r.start)?, whole(&m), msg_type, seq),
                NLMSG_NOOP | NLMSG_OVERRUN => continue,
                _ => {
                    // Only the first answer counts; a second one would be a kernel oddity.
                    if let Some(f) = f.take() {
                        answer = Some(f(m));
                    }
                    continue;
                }
            };
            end?;
            return answer.unwrap_or_else(|| {
                Err(Error::Protocol(format!(
                    "the kernel acknowledged request {seq} without answering it"
                )))
            });
        }
    }

    /// Like [`Socket::get_map`], returning an owned copy of the reply message (header and
    /// payload).
    pub fn get(
        &mut self,
        msg_type: u16,
        flags: NlmsgFlags,
        payload: &(impl Emit + ?Sized),
    ) -> Result<NlmsgBuffer<Vec<u8>>> {
        self.get_map(msg_type, flags, payload, |m| {
            Ok(NlmsgBuffer::new_checked(m.bytes().to_vec())?)
        })
    }

    /// Starts a dump: sends `msg_type` with `NLM_F_REQUEST | NLM_F_DUMP` and `payload` (the
    /// family header, plus filter attributes), e.g. `RTM_GETLINK` for `ip link show`.
    ///
    /// The records are read one datagram at a time through the returned [`Dump`]; the table
    /// is never buffered whole. Dropping the dump early reads and discards the rest, so the
    /// next request on the socket starts clean.
    pub fn dump(
        &mut self,
        msg_type: u16,
        payload: &(impl Emit + ?Sized),
    ) -> Result<Dump<&mut Socket>> {
        Dump::start(self, msg_type, &payload)
    }

    /// A dump whose records are mapped by `f` (given each record's payload, after
    /// `nlmsghdr`) as they arrive. See [`Socket::dump`] and [`DumpMap`].
    pub fn dump_map<T, F>(
        &mut self,
        msg_type: u16,
        payload: &(impl Emit + ?Sized),
        f: F,
    ) -> Result<DumpMap<&mut Socket, F>>
    where
        F: FnMut(&[u8]) -> Result<T>,
    {
        Ok(self.dump(msg_type, payload)?.map(f))
    }

    /// Collects a dump mapped by `f`, dumping again up to `retries` times while the kernel
    /// reports it inconsistent (`NLM_F_DUMP_INTR`). Other errors are returned at once.
    ///
    /// # Errors
    /// [`Error::DumpInterrupted`] if the last attempt was still interrupted.
    pub fn dump_retry<T>(
        &mut self,
        retries: usize,
        msg_type: u16,
        payload: &(impl Emit + ?Sized),
        mut f: impl FnMut(&[u8]) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut attempt = 0;
        loop {
            match self.dump_map(msg_type, payload, &mut f)?.collect() {
                Err(Error::DumpInterrupted) if attempt < retries => attempt += 1,
                r => return r,
            }
        }
    }

    /// Sends the requests of `batch`, many per `sendmsg`, and returns one result per request
    /// sent, in order.
    ///
    /// Each request carries `NLM_F_REQUEST | NLM_F_ACK` and its own sequence number, so every
    /// acknowledgement is matched to its request; a failure's [`KernelError::request_index`]
    /// says which request it was. The requests go out in chunks of at most
    /// [`BATCH_MAX_REQUESTS`] requests and [`BATCH_MAX_BYTES`] bytes, and all of a chunk's
    /// acknowledgements are read before the next chunk is sent, so the acknowledgements never
    /// overflow the receive buffer. Like `ip -batch`: with [`BatchMode::StopOnError`] nothing
    /// is sent after the chunk in which a request failed (`ip -batch`); with
    /// [`BatchMode::Force`] every request is sent (`ip -force -batch`).
    ///
    /// The kernel runs every request of a chunk, also those after a failed one: with
    /// `StopOnError` their results are reported too, and the results end with that chunk.
    ///
    /// # Errors
    /// The outer error is a transport failure ([`Error::Timeout`], [`Error::Io`],
    /// [`Error::Overrun`]); then which requests took effect is not known.
    pub fn batch(&mut self, batch: &Batch, mode: BatchMode) -> Result<Vec<Result<()>>> {
        let mut results = Vec::with_capacity(batch.items.len());
        let mut start = 0;
        while start < batch.items.len() {
            let end = chunk_end(&batch.items, start);
            let chunk = batch.items.get(start..end).unwrap_or(&[]);
            let failed = self.batch_chunk(batch, chunk, start, &mut results)?;
            if failed && mode == BatchMode::StopOnError {
                break;
            }
            start = end;
        }
        Ok(results)
    }

    /// Sends one chunk and reads its acknowledgements; returns whether a request failed.
    fn batch_chunk(
        &mut self,
        batch: &Batch,
        chunk: &[BatchItem],
        base_index: usize,
        results: &mut Vec<Result<()>>,
    ) -> Result<bool> {
        let count = u32::try_from(chunk.len()).unwrap_or(u32::MAX);
        let first = self.reserve_seqs(count);
        self.ack_wait = None;
        self.tx.clear();
        for (i, item) in chunk.iter().enumerate() {
            let bytes = batch.bytes.get(item.range.clone()).unwrap_or(&[]);
            let at = self.tx.len();
            self.tx.extend_from_slice(bytes);
            let seq = first.wrapping_add(i as u32).to_ne_bytes();
            if let Some(s) = self.tx.get_mut(at + 8..at + 12) {
                s.copy_from_slice(&seq);
            }
        }
        self.send_tx()?;
        // A request of the batch may carry NLM_F_ECHO: then its object comes back too.
        let echo = chunk.iter().any(|c| c.echo);
        if !echo {
            self.ack_wait = Some(AckWait {
                room: self.tx.len() + ACK_ROOM,
                first,
                count,
            });
        }

        let mut got: Vec<Option<Result<()>>> = (0..chunk.len()).map(|_| None).collect();
        let mut pending = chunk.len();
        while pending > 0 {
            let r = self.next_reply(first, count)?;
            let m = self.view(r.clone())?;
            if m.message_type() != NLMSG_ERROR {
                continue;
            }
            let i = m.sequence_number().wrapping_sub(first) as usize;
            let item = chunk.get(i).map_or(0, |c| c.msg_type);
            let e = parse_error(&m, r.start)?;
            let seq = first.wrapping_add(i as u32);
            let res = ack_result(&e, whole(&m), item, seq, Some(base_index + i));
            if let Some(slot @ None) = got.get_mut(i) {
                *slot = Some(res);
                pending -= 1;
            }
        }
        let mut failed = false;
        for r in got.into_iter().flatten() {
            failed |= r.is_err();
            results.push(r);
        }
        Ok(failed)
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

/// Parses an `NLMSG_ERROR` at datagram offset `at`.
fn parse_error<'a>(m: &NlmsgBuffer<&'a [u8]>, at: usize) -> Result<ErrorMessage<'a>> {
    let payload: &'a [u8] = m
        .into_inner()
        .get(NLMSG_HDR_LEN..m.length() as usize)
        .unwrap_or(&[]);
    ErrorMessage::parse(payload, m.flags()).map_err(|e| Error::Decode(e.shift(at + NLMSG_HDR_LEN)))
}

/// Parses an `NLMSG_DONE` at datagram offset `at`.
fn parse_done<'a>(m: &NlmsgBuffer<&'a [u8]>, at: usize) -> Result<DoneMessage<'a>> {
    let payload: &'a [u8] = m
        .into_inner()
        .get(NLMSG_HDR_LEN..m.length() as usize)
        .unwrap_or(&[]);
    DoneMessage::parse(payload, m.flags()).map_err(|e| Error::Decode(e.shift(at + NLMSG_HDR_LEN)))
}

/// The bytes of message `m`, header included (what a [`KernelError`] keeps as its reply).
fn whole<'a>(m: &NlmsgBuffer<&'a [u8]>) -> &'a [u8] {
    let all: &'a [u8] = m.into_inner();
    all.get(..m.length() as usize).unwrap_or(all)
}

/// `Ok` for an acknowledgement, else the kernel's error naming the request; `reply` is the
/// whole error message.
fn ack_result(
    e: &ErrorMessage<'_>,
    reply: &[u8],
    msg_type: u16,
    seq: u32,
    index: Option<usize>,
) -> Result<()> {
    if e.is_ack() {
        return Ok(());
    }
    let echoed = e.request_header();
    Err(Error::Kernel(KernelError {
        errno: e.errno(),
        message: e.ext_ack.message.map(str::to_string),
        bad_attr_offset: e.ext_ack.bad_attr_offset,
        missing_type: e.ext_ack.missing_type,
        request_type: echoed.map_or(msg_type, |h| h.message_type),
        request_seq: echoed.map_or(seq, |h| h.sequence_number),
        request_index: index,
        reply: reply.to_vec(),
    }))
}

/// `Ok` for a DONE with status 0, else the kernel's error; `reply` is the whole DONE.
fn done_result(d: &DoneMessage<'_>, reply: &[u8], msg_type: u16, seq: u32) -> Result<()> {
    if d.error >= 0 {
        return Ok(());
    }
    Err(Error::Kernel(KernelError {
        errno: d.error.saturating_neg(),
        message: d.ext_ack.message.map(str::to_string),
        bad_attr_offset: d.ext_ack.bad_attr_offset,
        missing_type: d.ext_ack.missing_type,
        request_type: msg_type,
        request_seq: seq,
        request_index: None,
        reply: reply.to_vec(),
    }))
}

/// The end (exclusive) of the batch chunk starting at `start`.
fn chunk_end(items: &[BatchItem], start: usize) -> usize {
    let mut end = start;
    let mut bytes = 0usize;
    for item in items.iter().skip(start) {
        let len = item.range.len();
        if end > start && (end - start >= BATCH_MAX_REQUESTS || bytes + len > BATCH_MAX_BYTES) {
            break;
        }
        bytes += len;
        end += 1;
    }
    end
}

/// A dump in progress (see [`Socket::dump`]), read one record at a time.
///
/// Records borrow the socket's receive buffer, so this is a lending iteration:
/// [`Dump::next_message`] returns a view that lives until the next call. For owned values use
/// [`Dump::map`] (an [`Iterator`]) or [`Dump::for_each`].
///
/// The dump ends at `NLMSG_DONE`. A DONE (or `NLMSG_ERROR`) carrying an errno ends it with
/// [`Error::Kernel`]; `NLM_F_DUMP_INTR` on any message ends it with
/// [`Error::DumpInterrupted`] after all the records, which the caller should treat as
/// "inconsistent, dump again".
///
/// `S` is the way the socket is held: `&mut Socket`, or a lock guard for a
/// [`crate::handle::Handle`].
///
/// ```no_run
/// use netplumb::Socket;
/// use netplumb::wire::link::LinkMessageBuffer;
/// use netplumb::wire::nlmsg::RTM_GETLINK;
/// // Read a link dump record by record, without copying: each view borrows the receive buffer.
/// let mut s = Socket::open()?;
/// let request = [0u8; 16]; // a zeroed ifinfomsg: every link
/// let mut dump = s.dump(RTM_GETLINK, &request[..])?;
/// while let Some(m) = dump.next_message() {
///     let m = m?;
///     let link = LinkMessageBuffer::new_checked(m.payload())?;
///     println!("ifindex {}", link.index());
/// }
/// # Ok::<(), netplumb::Error>(())
/// ```
pub struct Dump<S: DerefMut<Target = Socket>> {
    socket: S,
    seq: u32,
    msg_type: u16,
    interrupted: bool,
    /// The caller has seen the end (or an error): `next_message` returns `None`.
    finished: bool,
    /// The kernel has sent its last message (or the socket failed): nothing left to drain.
    kernel_done: bool,
}

impl<S: DerefMut<Target = Socket>> std::fmt::Debug for Dump<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dump")
            .field("seq", &self.seq)
            .field("msg_type", &self.msg_type)
            .field("interrupted", &self.interrupted)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

impl<S: DerefMut<Target = Socket>> Dump<S> {
    /// Sends the dump request on `socket`.
    pub(crate) fn start(mut socket: S, msg_type: u16, payload: &dyn Emit) -> Result<Self> {
        // No NLM_F_ACK: a dump ends with NLMSG_DONE (and a refused one with NLMSG_ERROR).
        let seq = socket.send_one(msg_type, NlmsgFlags::DUMP, payload)?;
        Ok(Dump {
            socket,
            seq,
            msg_type,
            interrupted: false,
            finished: false,
            kernel_done: false,
        })
    }

    /// The dump request's sequence number.
    pub fn sequence_number(&self) -> u32 {
        self.seq
    }

    /// Whether a message so far carried `NLM_F_DUMP_INTR`.
    pub fn is_interrupted(&self) -> bool {
        self.interrupted
    }

    /// The next record (a whole message, header included), `None` after the end.
    ///
    /// # Errors
    /// An `Err` ends the dump: [`Error::DumpInterrupted`] after the last record,
    /// [`Error::Kernel`] if the kernel failed the dump, or a transport or decode error.
    pub fn next_message(&mut self) -> Option<Result<NlmsgBuffer<&[u8]>>> {
        if self.finished {
            return None;
        }
        loop {
            let r = match self.socket.next_reply(self.seq, 1) {
                Ok(r) => r,
                Err(e) => {
                    self.finished = true;
                    // A malformed datagram lost only itself: the rest of the dump is still
                    // coming and is drained on drop. Any other error leaves nothing to read.
                    if !matches!(e, Error::Decode(_)) {
                        self.kernel_done = true;
                    }
                    return Some(Err(e));
                }
            };
            match self.step(r.clone()) {
                DumpStep::Skip => continue,
                DumpStep::Record => return Some(self.socket.view(r)),
                DumpStep::End(e) => {
                    self.finished = true;
                    self.kernel_done = true;
                    return e
                        .or(self.interrupted.then_some(Error::DumpInterrupted))
                        .map(Err);
                }
            }
        }
    }

    /// Classifies the message at `r`.
    fn step(&mut self, r: Range<usize>) -> DumpStep {
        let at = r.start;
        let m = match self.socket.view(r) {
            Ok(m) => m,
            Err(e) => return DumpStep::End(Some(e)),
        };
        if m.flags().contains(NlmsgFlags::DUMP_INTR) {
            self.interrupted = true;
        }
        match m.message_type() {
            NLMSG_DONE => DumpStep::End(
                parse_done(&m, at)
                    .and_then(|d| done_result(&d, whole(&m), self.msg_type, self.seq))
                    .err(),
            ),
            NLMSG_ERROR => DumpStep::End(
                parse_error(&m, at)
                    .and_then(|e| ack_result(&e, whole(&m), self.msg_type, self.seq, None))
                    .err(),
            ),
            NLMSG_NOOP | NLMSG_OVERRUN => DumpStep::Skip,
            _ => DumpStep::Record,
        }
    }

    /// Calls `f` with every record, stopping at the first error (of `f` or of the dump).
    pub fn for_each(mut self, mut f: impl FnMut(NlmsgBuffer<&[u8]>) -> Result<()>) -> Result<()> {
        while let Some(m) = self.next_message() {
            f(m?)?;
        }
        Ok(())
    }

    /// An [`Iterator`] of `f` applied to each record's payload (the bytes after `nlmsghdr`).
    pub fn map<T, F: FnMut(&[u8]) -> Result<T>>(self, f: F) -> DumpMap<S, F> {
        DumpMap { dump: self, f }
    }

    /// Reads and discards what is left of the dump, so that the next request starts clean.
    fn drain(&mut self) {
        self.finished = true;
        while !self.kernel_done {
            match self.socket.next_reply(self.seq, 1) {
                Ok(r) => {
                    let end = self.socket.view(r).map(|m| m.message_type());
                    if matches!(end, Ok(NLMSG_DONE | NLMSG_ERROR)) {
                        self.kernel_done = true;
                    }
                }
                // Skip a malformed datagram; give up on a dead socket or a timeout.
                Err(Error::Decode(_)) => {}
                Err(_) => self.kernel_done = true,
            }
        }
    }
}

impl<S: DerefMut<Target = Socket>> Drop for Dump<S> {
    fn drop(&mut self) {
        self.drain();
    }
}

/// A dump whose records are mapped by a closure as they arrive: an [`Iterator`] of
/// `Result<T>`. The last item is `Err(`[`Error::DumpInterrupted`]`)` when the dump was
/// inconsistent. Dropping it early drains the rest of the dump.
///
/// ```no_run
/// use netplumb::Handle;
/// use netplumb::wire::route::RouteMessage;
/// use netplumb::wire::nlmsg::RTM_GETROUTE;
/// // Count the routes of every table, one datagram in memory at a time.
/// let h = Handle::new()?;
/// let mut n = 0;
/// for r in h.dump_map(RTM_GETROUTE, &[0u8; 12][..], |p| Ok(RouteMessage::parse(p)?))? {
///     r?;
///     n += 1;
/// }
/// println!("{n} routes");
/// # Ok::<(), netplumb::Error>(())
/// ```
pub struct DumpMap<S: DerefMut<Target = Socket>, F> {
    dump: Dump<S>,
    f: F,
}

impl<S: DerefMut<Target = Socket>, F> std::fmt::Debug for DumpMap<S, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DumpMap")
            .field("dump", &self.dump)
            .finish_non_exhaustive()
    }
}

impl<S, T, F> Iterator for DumpMap<S, F>
where
    S: DerefMut<Target = Socket>,
    F: FnMut(&[u8]) -> Result<T>,
{
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        let f = &mut self.f;
        self.dump
            .next_message()
            .map(|r| r.and_then(|m| f(m.payload())))
    }
}

impl<S: DerefMut<Target = Socket>, F> DumpMap<S, F> {
    /// Whether a message so far carried `NLM_F_DUMP_INTR`.
    pub fn is_interrupted(&self) -> bool {
        self.dump.is_interrupted()
    }
}

/// What [`Socket::batch`] does after a request fails.
///
/// ```
/// use netplumb::BatchMode;
/// // Like `ip -batch` (stop) and `ip -force -batch` (carry on).
/// assert_eq!(BatchMode::default(), BatchMode::Force);
/// assert_ne!(BatchMode::Force, BatchMode::StopOnError);
/// # Ok::<(), netplumb::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BatchMode {
    /// Send no further chunk after one in which a request failed, like `ip -batch`.
    StopOnError,
    /// Send every request and report every result, like `ip -force -batch`.
    #[default]
    Force,
}

/// One request of a [`Batch`].
#[derive(Debug, Clone)]
struct BatchItem {
    range: Range<usize>,
    msg_type: u16,
    /// The request carries `NLM_F_ECHO`.
    echo: bool,
}

/// Requests to send together with [`Socket::batch`], encoded as they are pushed.
///
/// ```no_run
/// use netplumb::{Batch, BatchMode, Handle, IpNet};
/// use netplumb::route::{RouteOp, RouteSpec};
/// // 1,000 routes in a few sendmsg calls; one result per request.
/// let mut batch = Batch::new();
/// for i in 0..1000u32 {
///     let dst: IpNet = format!("198.19.{}.{}/32", i / 256, i % 256).parse()?;
///     let (t, f, m) = RouteSpec::new(dst).dev(2u32).request(RouteOp::Add)?;
///     batch.push(t, f, &m)?;
/// }
/// let results = Handle::new()?.batch(&batch, BatchMode::Force)?;
/// assert_eq!(results.len(), 1000);
/// # Ok::<(), netplumb::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Batch {
    bytes: Vec<u8>,
    items: Vec<BatchItem>,
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a request: `msg_type` with `flags | NLM_F_REQUEST | NLM_F_ACK` and `payload`.
    /// The sequence number is set when the batch is sent.
    ///
    /// # Errors
    /// [`Error::Encode`] if the payload cannot be encoded; the batch is then unchanged.
    pub fn push(
        &mut self,
        msg_type: u16,
        flags: NlmsgFlags,
        payload: &(impl Emit + ?Sized),
    ) -> Result<()> {
        let start = self.bytes.len();
        // Encode straight into the batch (no per-request buffer); a failure cuts it back, so
        // the batch is left as it was.
        let mut b = Builder::appending(std::mem::take(&mut self.bytes));
        let r = b.message(
            msg_type,
            flags | NlmsgFlags::REQUEST | NlmsgFlags::ACK,
            0,
            0,
            &payload,
        );
        self.bytes = b.into_vec();
        if let Err(e) = r {
            self.bytes.truncate(start);
            return Err(e.into());
        }
        self.items.push(BatchItem {
            range: start..self.bytes.len(),
            msg_type,
            echo: flags.contains(NlmsgFlags::ECHO),
        });
        Ok(())
    }

    /// The number of requests.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when the batch holds no request.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Removes every request, keeping the allocation.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.items.clear();
    }
}

/// A scripted transport for unit tests, shared with the operation modules' tests.
#[cfg(test)]
pub(crate) mod fake {
    use super::*;
    use std::collections::VecDeque;
    use std::sync::{Arc, Mutex};

    /// What the next receive returns.
    #[derive(Debug, Clone)]
    pub(crate) enum Incoming {
        /// A datagram from `sender`; with `truncated`, the receive reports `MSG_TRUNC`.
        Datagram {
            sender: u32,
            bytes: Vec<u8>,
            truncated: bool,
        },
        /// A receive error (errno), e.g. `EINTR` or `ENOBUFS`.
        Errno(i32),
    }

    /// Builds replies to a sent datagram.
    pub(crate) type Responder = Box<dyn FnMut(&[u8]) -> Vec<Incoming> + Send>;

    /// The fake's state, shared with the test.
    #[derive(Default)]
    pub(crate) struct State {
        pub sent: Vec<Vec<u8>>,
        pub incoming: VecDeque<Incoming>,
        pub responder: Option<Responder>,
        /// `MSG_PEEK` receives made so far.
        pub peeks: usize,
    }

    /// The transport half.
    pub(crate) struct Fake {
        state: Arc<Mutex<State>>,
        null: OwnedFd,
    }

    /// The port id fake sockets get.
    pub(crate) const PORT: u32 = 4242;

    /// A socket over a fake transport, and the handle on its state.
    pub(crate) fn socket() -> (Socket, Arc<Mutex<State>>) {
        let state = Arc::new(Mutex::new(State::default()));
        let null = std::fs::File::open("/dev/null")
            .expect("open /dev/null")
            .into();
        let t = Fake {
            state: state.clone(),
            null,
        };
        (Socket::with_transport(Box::new(t), PORT), state)
    }

    impl Transport for Fake {
        fn send(&mut self, datagram: &[u8]) -> io::Result<usize> {
            let mut s = self.state.lock().unwrap();
            s.sent.push(datagram.to_vec());
            if let Some(mut r) = s.responder.take() {
                let replies = r(datagram);
                s.incoming.extend(replies);
                s.responder = Some(r);
            }
            Ok(datagram.len())
        }
        fn peek_len(&mut self) -> io::Result<usize> {
            let mut s = self.state.lock().unwrap();
            s.peeks += 1;
            match s.incoming.front() {
                None => Err(io::Error::from_raw_os_error(libc::EAGAIN)),
                Some(Incoming::Errno(e)) => {
                    let e = *e;
                    s.incoming.pop_front();
                    Err(io::Error::from_raw_os_error(e))
                }
                Some(Incoming::Datagram { bytes, .. }) => Ok(bytes.len()),
            }
        }
        fn recv(&mut self, buf: &mut [u8]) -> io::Result<sys::Received> {
            let mut s = self.state.lock().unwrap();
            match s.incoming.pop_front() {
                None => Err(io::Error::from_raw_os_error(libc::EAGAIN)),
                Some(Incoming::Errno(e)) => Err(io::Error::from_raw_os_error(e)),
                Some(Incoming::Datagram {
                    sender,
                    bytes,
                    truncated,
                }) => {
                    let n = if truncated {
                        bytes.len() / 2
                    } else {
                        bytes.len()
                    };
                    let n = n.min(buf.len());
                    buf[..n].copy_from_slice(&bytes[..n]);
                    Ok(sys::Received {
                        len: n,
                        sender: Some(sender),
                        truncated: truncated || n < bytes.len(),
                    })
                }
            }
        }
        fn set_timeout(&mut self, _: Option<Duration>) -> io::Result<()> {
            Ok(())
        }
        fn set_netlink_option(&mut self, _: libc::c_int, _: u32) -> io::Result<()> {
            Ok(())
        }
        fn set_recv_buffer(&mut self, _: usize, _: bool) -> io::Result<()> {
            Ok(())
        }
        fn recv_buffer(&self) -> io::Result<usize> {
            Ok(MIN_RECV_BUFFER)
        }
        fn fd(&self) -> BorrowedFd<'_> {
            self.null.as_fd()
        }
    }

    /// One message: header and payload.
    pub(crate) fn message(
        kind: u16,
        flags: NlmsgFlags,
        seq: u32,
        port: u32,
        payload: &[u8],
    ) -> Vec<u8> {
        let mut b = Builder::new();
        b.message(kind, flags, seq, port, &payload).unwrap();
        b.into_vec()
    }

    /// An `NLMSG_ERROR` answering `request` (a whole request message) with `-errno` (0 for an
    /// ACK) and, optionally, an extended-ack message.
    pub(crate) fn error_reply(request: &[u8], errno: i32, ext: Option<&str>) -> Vec<u8> {
        let req = NlmsgBuffer::new_checked(request).unwrap();
        let mut b = Builder::new();
        b.put_i32(-errno).unwrap();
        let mut flags = NlmsgFlags::empty();
        if errno == 0 {
            flags |= NlmsgFlags::CAPPED;
            b.put(&request[..16]).unwrap();
        } else {
            b.put(req.bytes()).unwrap();
        }
        if let Some(text) = ext {
            flags |= NlmsgFlags::ACK_TLVS;
            b.attr_str(crate::wire::error::NLMSGERR_ATTR_MSG, text)
                .unwrap();
        }
        let payload = b.into_vec();
        message(NLMSG_ERROR, flags, req.sequence_number(), PORT, &payload)
    }

    /// A datagram from the kernel.
    pub(crate) fn kernel(bytes: Vec<u8>) -> Incoming {
        Incoming::Datagram {
            sender: 0,
            bytes,
            truncated: false,
        }
    }

    /// The requests of a sent datagram.
    pub(crate) fn requests(datagram: &[u8]) -> Vec<Vec<u8>> {
        Messages::new(datagram)
            .map(|m| m.unwrap().1.bytes().to_vec())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::fake::{self, Incoming, PORT, error_reply, kernel, message, requests};
    use super::*;
    use crate::wire::nlmsg::{RTM_GETLINK, RTM_NEWLINK, RTM_SETLINK};

    const IFINFO: [u8; 16] = [0; 16];

    fn seq_of(request: &[u8]) -> u32 {
        NlmsgBuffer::new_checked(request).unwrap().sequence_number()
    }

    #[test]
    fn batch_push_failure_leaves_the_batch_unchanged() {
        let mut b = Batch::new();
        b.push(RTM_SETLINK, NlmsgFlags::empty(), &IFINFO[..])
            .unwrap();
        let before = (b.bytes.clone(), b.len());
        let too_big = vec![0u8; 70_000];
        // A payload that encodes part-way, then fails: an attribute too large for nla_len.
        struct Bad<'a>(&'a [u8]);
        impl Emit for Bad<'_> {
            fn buffer_len(&self) -> usize {
                16 + self.0.len()
            }
            fn emit(
                &self,
                b: &mut Builder<'_>,
            ) -> std::result::Result<(), crate::wire::EncodeError> {
                b.put(&IFINFO)?;
                b.attr(1, self.0)
            }
        }
        assert!(
            b.push(RTM_SETLINK, NlmsgFlags::empty(), &Bad(&too_big[..70_000]))
                .is_err()
        );
        assert_eq!((b.bytes.clone(), b.len()), before);
        b.push(RTM_SETLINK, NlmsgFlags::empty(), &IFINFO[..])
            .unwrap();
        assert_eq!(b.len(), 2);
        assert_eq!(b.bytes.len(), 2 * 32);
    }

    fn acking() -> fake::Responder {
        Box::new(|d| {
            requests(d)
                .iter()
                .map(|r| kernel(error_reply(r, 0, None)))
                .collect()
        })
    }

    #[test]
    fn request_sets_request_and_ack_flags() {
        let (mut s, st) = fake::socket();
        st.lock().unwrap().responder = Some(acking());
        s.request(
            RTM_NEWLINK,
            NlmsgFlags::CREATE | NlmsgFlags::EXCL,
            &IFINFO[..],
        )
        .unwrap();
        let sent = st.lock().unwrap().sent[0].clone();
        let m = NlmsgBuffer::new_checked(&sent[..]).unwrap();
        assert_eq!(m.message_type(), RTM_NEWLINK);
        assert_eq!(
            m.flags(),
            NlmsgFlags::REQUEST | NlmsgFlags::ACK | NlmsgFlags::CREATE | NlmsgFlags::EXCL
        );
        assert_eq!(m.payload(), &IFINFO);
    }

    #[test]
    fn stale_sequence_is_skipped_not_returned() {
        let (mut s, st) = fake::socket();
        st.lock().unwrap().responder = Some(Box::new(|d| {
            let req = &requests(d)[0];
            let seq = seq_of(req);
            // A late EEXIST for an older request, then a reply for a future seq, then ours.
            let mut stale = req.clone();
            stale[8..12].copy_from_slice(&(seq - 1).to_ne_bytes());
            let mut future = req.clone();
            future[8..12].copy_from_slice(&(seq + 7).to_ne_bytes());
            vec![
                kernel(error_reply(&stale, libc::EEXIST, None)),
                kernel(error_reply(&future, libc::EPERM, None)),
                kernel(error_reply(req, 0, None)),
            ]
        }));
        s.request(RTM_SETLINK, NlmsgFlags::empty(), &IFINFO[..])
            .unwrap();
        s.request(RTM_SETLINK, NlmsgFlags::empty(), &IFINFO[..])
            .unwrap();
        assert!(st.lock().unwrap().incoming.is_empty());
    }

    #[test]
    fn foreign_sender_and_foreign_port_are_ignored() {
        let (mut s, st) = fake::socket();
        st.lock().unwrap().responder = Some(Box::new(|d| {
            let req = &requests(d)[0];
            let mut other_port = error_reply(req, libc::EPERM, None);
            other_port[12..16].copy_from_slice(&(PORT + 1).to_ne_bytes());
            vec![
                // Another process sending to our port: not the kernel.
                Incoming::Datagram {
                    sender: 777,
                    bytes: error_reply(req, libc::EPERM, None),
                    truncated: false,
                },
                // From the kernel, but addressed to another port (a notification).
                kernel(other_port),
                kernel(error_reply(req, 0, None)),
            ]
        }));
        s.request(RTM_SETLINK, NlmsgFlags::empty(), &IFINFO[..])
            .unwrap();
    }

    /// A responder acknowledging every request of a datagram (0 = success).
    fn ack_all(errno: i32) -> fake::Responder {
        Box::new(move |d| {
            requests(d)
                .iter()
                .map(|r| kernel(error_reply(r, errno, Some("refused"))))
                .collect()
        })
    }

    #[test]
    fn acknowledgements_are_read_without_a_peek_answers_with_one() {
        let (mut s, st) = fake::socket();
        st.lock().unwrap().responder = Some(ack_all(0));
        s.request(RTM_SETLINK, NlmsgFlags::empty(), &IFINFO[..])
            .unwrap();
        let mut b = Batch::new();
        for _ in 0..3 {
            b.push(RTM_SETLINK, NlmsgFlags::empty(), &IFINFO[..])
                .unwrap();
        }
        assert_eq!(s.batch(&b, BatchMode::Force).unwrap().len(), 3);
        assert_eq!(st.lock().unwrap().peeks, 0);
        // NLM_F_ECHO: the object comes back too, of any size.
        s.request(RTM_SETLINK, NlmsgFlags::ECHO, &IFINFO[..])
            .unwrap();
        assert_eq!(st.lock().unwrap().peeks, 1);
        let mut b = Batch::new();
        b.push(RTM_SETLINK, NlmsgFlags::ECHO, &IFINFO[..]).unwrap();
        s.batch(&b, BatchMode::Force).unwrap();
        assert_eq!(st.lock().unwrap().peeks, 2);
        // A get's answer can be any size: peeked.
        st.lock().unwrap().responder = Some(Box::new(|d| {
            let req = &requests(d)[0];
            let seq = NlmsgBuffer::new_checked(&req[..])
                .unwrap()
                .sequence_number();
            vec![
                kernel(message(
                    RTM_NEWLINK,
                    NlmsgFlags::empty(),
                    seq,
                    PORT,
                    &IFINFO,
                )),
                kernel(error_reply(req, 0, None)),
            ]
        }));
        s.get(RTM_GETLINK, NlmsgFlags::empty(), &IFINFO[..])
            .unwrap();
        assert_eq!(st.lock().unwrap().peeks, 4);
        // On a subscribed socket an event may come before the acknowledgement, of any
        // size: a 100 KiB one is cut short, skipped as any event is, and the
        // acknowledgement after it is read, still without a peek.
        st.lock().unwrap().responder = Some(Box::new(|d| {
            let req = &requests(d)[0];
            let event = message(
                RTM_NEWLINK,
                NlmsgFlags::empty(),
                0,
                0,
                &vec![0u8; 100 * 1024],
            );
            vec![kernel(event), kernel(error_reply(req, 0, None))]
        }));
        s.subscribe(RTNLGRP_LINK).unwrap();
        s.request(RTM_SETLINK, NlmsgFlags::empty(), &IFINFO[..])
            .unwrap();
        assert_eq!(st.lock().unwrap().peeks, 4);
        assert!(st.lock().unwrap().incoming.is_empty());
    }

    #[test]
    fn a_cut_datagram_that_answers_nothing_waited_for_is_dropped() {
        let (mut s, st) = fake::socket();
        st.lock().unwrap().responder = Some(Box::new(|d| {
            let req = &requests(d)[0];
            let seq = NlmsgBuffer::new_checked(&req[..])
                .unwrap()
                .sequence_number();
            // A late 100 KiB answer to an abandoned request (an older sequence number),
            // then the acknowledgement.
            let late = message(
                RTM_NEWLINK,
                NlmsgFlags::empty(),
                seq.wrapping_sub(1),
                PORT,
                &vec![0u8; 100 * 1024],
            );
            vec![
                Incoming::Datagram {
                    sender: 0,
                    bytes: late,
                    truncated: false,
                },
                kernel(error_reply(req, 0, None)),
            ]
        }));
        s.request(RTM_SETLINK, NlmsgFlags::empty(), &IFINFO[..])
            .unwrap();
        assert_eq!(st.lock().unwrap().peeks, 0);
    }

    #[test]
    fn the_refusal_of_a_large_request_fits_whole() {
        // A failed request is echoed whole in its error: 60 KiB of attributes, in a batch
        // and alone, come back with the extended ack, not cut short.
        let mut big = IFINFO.to_vec();
        let mut b = Builder::from_vec(Vec::new());
        // Attribute 20 (IFLA_IFALIAS): what it is does not matter to the socket.
        b.attr(20, &vec![b'a'; 60 * 1024][..]).unwrap();
        big.extend_from_slice(&b.into_vec());
        let (mut s, st) = fake::socket();
        st.lock().unwrap().responder = Some(ack_all(libc::EINVAL));
        let e = s
            .request(RTM_SETLINK, NlmsgFlags::empty(), &big[..])
            .unwrap_err();
        let Error::Kernel(k) = e else { panic!("{e:?}") };
        assert_eq!(k.message.as_deref(), Some("refused"));
        let mut batch = Batch::new();
        batch
            .push(RTM_SETLINK, NlmsgFlags::empty(), &IFINFO[..])
            .unwrap();
        batch
            .push(RTM_SETLINK, NlmsgFlags::empty(), &big[..])
            .unwrap();
        let r = s.batch(&batch, BatchMode::Force).unwrap();
        assert_eq!(r.len(), 2);
        for r in r {
            assert!(
                matches!(r, Err(Error::Kernel(ref k)) if k.message.as_deref() == Some("refused")),
                "{r:?}"
            );
        }
        assert_eq!(st.lock().unwrap().peeks, 0);
    }

    #[test]
    fn truncated_datagram_is_an_error_and_the_next_request_is_clean() {
        let (mut s, st) = fake::socket();
        let mut first = true;
        st.lock().unwrap().responder = Some(Box::new(move |d| {
            let req = &requests(d)[0];
            let mut reply = error_reply(req, 0, None);
            if std::mem::take(&mut first) {
                reply = error_reply(req, libc::EINVAL, Some(&"x".repeat(100)));
                return vec![Incoming::Datagram {
                    sender: 0,
                    bytes: reply,
                    truncated: true,
                }];
            }
            vec![kernel(reply)]
        }));
        let e = s
            .request(RTM_SETLINK, NlmsgFlags::empty(), &IFINFO[..])
            .unwrap_err();
        assert!(
            matches!(e, Error::Decode(DecodeError::Truncated { offset: 0, .. })),
            "{e:?}"
        );
        s.request(RTM_SETLINK, NlmsgFlags::empty(), &IFINFO[..])
            .unwrap();
    }

    #[test]
    fn kernel_error_carries_errno_ext_ack_and_request() {
        let (mut s, st) = fake::socket();
        st.lock().unwrap().responder = Some(Box::new(|d| {
            let req = &requests(d)[0];
            vec![kernel(error_reply(
                req,
                libc::EOPNOTSUPP,
                Some("Unknown device type"),
            ))]
        }));
        let e = s
            .request(RTM_NEWLINK, NlmsgFlags::CREATE, &IFINFO[..])
            .unwrap_err();
        let k = e.kernel().unwrap();
        assert_eq!(k.errno, libc::EOPNOTSUPP);
        assert_eq!(k.message.as_deref(), Some("Unknown device type"));
        assert_eq!(k.request_type, RTM_NEWLINK);
        assert_eq!(k.request_seq, 1);
        assert_eq!(k.request_index, None);
    }

    #[test]
    fn timeout_instead_of_hang() {
        let (mut s, _st) = fake::socket();
        s.set_timeout(Some(Duration::from_millis(10))).unwrap();
        let e = s
            .request(RTM_SETLINK, NlmsgFlags::empty(), &IFINFO[..])
            .unwrap_err();
        assert!(
            matches!(e, Error::Timeout(d) if d == Duration::from_millis(10)),
            "{e:?}"
        );
    }

    #[test]
    fn eintr_is_retried_and_enobufs_is_overrun() {
        let (mut s, st) = fake::socket();
        st.lock().unwrap().responder = Some(Box::new(|d| {
            let req = &requests(d)[0];
            vec![
                Incoming::Errno(libc::EINTR),
                kernel(error_reply(req, 0, None)),
            ]
        }));
        s.request(RTM_SETLINK, NlmsgFlags::empty(), &IFINFO[..])
            .unwrap();

        let (mut s, st) = fake::socket();
        let event = message(RTM_NEWLINK, NlmsgFlags::empty(), 0, 0, &IFINFO);
        st.lock()
            .unwrap()
            .incoming
            .extend([Incoming::Errno(libc::ENOBUFS), kernel(event.clone())]);
        assert!(s.recv_event().unwrap_err().is_overrun());
        assert_eq!(s.recv_event().unwrap().bytes(), &event[..]);
    }

    #[test]
    fn get_returns_the_answer_and_drains_the_ack() {
        let (mut s, st) = fake::socket();
        st.lock().unwrap().responder = Some(Box::new(|d| {
            let req = &requests(d)[0];
            // Answer and ACK in one datagram.
            let mut dg = message(
                RTM_NEWLINK,
                NlmsgFlags::empty(),
                seq_of(req),
                PORT,
                &[1; 20],
            );
            dg.extend(error_reply(req, 0, None));
            vec![kernel(dg)]
        }));
        let m = s
            .get(RTM_GETLINK, NlmsgFlags::empty(), &IFINFO[..])
            .unwrap();
        assert_eq!(m.message_type(), RTM_NEWLINK);
        assert_eq!(m.payload(), &[1; 20]);
        // The closure's error comes back only after the ACK was read.
        let e = s
            .get_map(
                RTM_GETLINK,
                NlmsgFlags::empty(),
                &IFINFO[..],
                |_| -> Result<()> { Err(Error::invalid("test", "refused")) },
            )
            .unwrap_err();
        assert!(e.is_invalid());
        assert!(st.lock().unwrap().incoming.is_empty());
    }

    #[test]
    fn get_without_answer_is_a_protocol_error() {
        let (mut s, st) = fake::socket();
        st.lock().unwrap().responder = Some(acking());
        let e = s
            .get(RTM_GETLINK, NlmsgFlags::empty(), &IFINFO[..])
            .unwrap_err();
        assert!(matches!(e, Error::Protocol(_)), "{e:?}");
    }

    /// A responder for dumps: `records` records over datagrams of `per` messages, then DONE
    /// with `done_error`, `done_flags` and an optional ext-ack message.
    fn dumping(
        records: usize,
        per: usize,
        intr_at: Option<usize>,
        done_error: i32,
        done_ext: Option<&'static str>,
    ) -> fake::Responder {
        Box::new(move |d| {
            let req = &requests(d)[0];
            let seq = seq_of(req);
            let hdr = NlmsgBuffer::new_checked(&req[..]).unwrap();
            if !hdr.flags().contains(NlmsgFlags::DUMP) {
                return vec![kernel(error_reply(req, 0, None))];
            }
            let mut out = Vec::new();
            let mut dg = Vec::new();
            let mut intr = false;
            for i in 0..records {
                let mut flags = NlmsgFlags::MULTI;
                if intr_at == Some(i) {
                    intr = true;
                }
                if intr {
                    flags |= NlmsgFlags::DUMP_INTR;
                }
                dg.extend(message(
                    RTM_NEWLINK,
                    flags,
                    seq,
                    PORT,
                    &(i as u32).to_ne_bytes(),
                ));
                if (i + 1) % per == 0 {
                    out.push(kernel(std::mem::take(&mut dg)));
                }
            }
            let mut b = Builder::new();
            b.put_i32(done_error).unwrap();
            let mut flags = NlmsgFlags::MULTI;
            if let Some(text) = done_ext {
                b.attr_str(crate::wire::error::NLMSGERR_ATTR_MSG, text)
                    .unwrap();
                flags |= NlmsgFlags::ACK_TLVS;
            }
            if intr_at == Some(records) {
                flags |= NlmsgFlags::DUMP_INTR;
            }
            dg.extend(message(NLMSG_DONE, flags, seq, PORT, &b.into_vec()));
            out.push(kernel(dg));
            out
        })
    }

    fn index(payload: &[u8]) -> Result<u32> {
        Ok(u32::from_ne_bytes(payload.try_into().unwrap()))
    }

    #[test]
    fn dump_streams_every_record() {
        let (mut s, st) = fake::socket();
        st.lock().unwrap().responder = Some(dumping(10, 3, None, 0, None));
        let got: Vec<u32> = s
            .dump_map(RTM_GETLINK, &IFINFO[..], index)
            .unwrap()
            .collect::<Result<_>>()
            .unwrap();
        assert_eq!(got, (0..10).collect::<Vec<_>>());
        let sent = st.lock().unwrap().sent[0].clone();
        let flags = NlmsgBuffer::new_checked(&sent[..]).unwrap().flags();
        assert_eq!(flags, NlmsgFlags::REQUEST | NlmsgFlags::DUMP);
    }

    #[test]
    fn done_with_einval_and_ext_ack_is_a_kernel_error() {
        let (mut s, st) = fake::socket();
        st.lock().unwrap().responder = Some(dumping(
            2,
            5,
            None,
            -libc::EINVAL,
            Some("Invalid header for link dump"),
        ));
        let got: Vec<Result<u32>> = s
            .dump_map(RTM_GETLINK, &IFINFO[..], index)
            .unwrap()
            .collect();
        assert_eq!(got.len(), 3);
        let k = got[2].as_ref().unwrap_err().kernel().unwrap().clone();
        assert_eq!(k.errno, libc::EINVAL);
        assert_eq!(k.message.as_deref(), Some("Invalid header for link dump"));
        assert_eq!(k.request_type, RTM_GETLINK);
    }

    #[test]
    fn dump_intr_is_reported_after_the_records_also_on_done() {
        for at in [0, 4, 7] {
            let (mut s, st) = fake::socket();
            st.lock().unwrap().responder = Some(dumping(7, 2, Some(at), 0, None));
            let got: Vec<Result<u32>> = s
                .dump_map(RTM_GETLINK, &IFINFO[..], index)
                .unwrap()
                .collect();
            assert_eq!(got.len(), 8, "intr at {at}");
            assert!(got[..7].iter().all(Result::is_ok));
            assert!(got[7].as_ref().unwrap_err().is_dump_interrupted());
        }
    }

    #[test]
    fn dump_retry_retries_interrupted_dumps() {
        let (mut s, st) = fake::socket();
        let mut n = 0;
        let mut interrupted = dumping(5, 2, Some(1), 0, None);
        let mut clean = dumping(5, 2, None, 0, None);
        st.lock().unwrap().responder = Some(Box::new(move |d| {
            n += 1;
            if n <= 2 { interrupted(d) } else { clean(d) }
        }));
        let got = s.dump_retry(5, RTM_GETLINK, &IFINFO[..], index).unwrap();
        assert_eq!(got, vec![0, 1, 2, 3, 4]);
        assert_eq!(st.lock().unwrap().sent.len(), 3);

        let (mut s, st) = fake::socket();
        st.lock().unwrap().responder = Some(dumping(5, 2, Some(1), 0, None));
        let e = s
            .dump_retry(2, RTM_GETLINK, &IFINFO[..], index)
            .unwrap_err();
        assert!(e.is_dump_interrupted());
        assert_eq!(st.lock().unwrap().sent.len(), 3);
    }

    #[test]
    fn dropping_a_dump_early_drains_it() {
        let (mut s, st) = fake::socket();
        st.lock().unwrap().responder = Some(dumping(20, 3, None, 0, None));
        {
            let mut d = s.dump(RTM_GETLINK, &IFINFO[..]).unwrap();
            assert!(d.next_message().unwrap().is_ok());
        }
        assert!(st.lock().unwrap().incoming.is_empty());
        s.request(RTM_SETLINK, NlmsgFlags::empty(), &IFINFO[..])
            .unwrap();
    }

    #[test]
    fn malformed_datagram_in_a_dump_is_an_error_with_offset() {
        let (mut s, st) = fake::socket();
        st.lock().unwrap().responder = Some(Box::new(|d| {
            let req = &requests(d)[0];
            let seq = seq_of(req);
            let mut dg = message(RTM_NEWLINK, NlmsgFlags::MULTI, seq, PORT, &[0; 4]);
            dg.extend([1, 2, 3]); // a remnant that is not a message
            vec![
                kernel(dg),
                kernel(message(NLMSG_DONE, NlmsgFlags::MULTI, seq, PORT, &[0; 4])),
            ]
        }));
        {
            let got: Vec<Result<u32>> = s
                .dump_map(RTM_GETLINK, &IFINFO[..], index)
                .unwrap()
                .collect();
            assert_eq!(got.len(), 2);
            let e = got[1].as_ref().unwrap_err();
            assert!(matches!(e, Error::Decode(d) if d.offset() == 20), "{e:?}");
        }
        // The DONE was drained.
        assert!(st.lock().unwrap().incoming.is_empty());
    }

    fn batch_of(n: usize) -> Batch {
        let mut b = Batch::new();
        for _ in 0..n {
            b.push(
                RTM_NEWLINK,
                NlmsgFlags::CREATE | NlmsgFlags::EXCL,
                &IFINFO[..],
            )
            .unwrap();
        }
        b
    }

    #[test]
    fn batch_middle_failure_is_named_and_the_rest_is_drained() {
        let (mut s, st) = fake::socket();
        st.lock().unwrap().responder = Some(Box::new(|d| {
            let reqs = requests(d);
            if reqs.len() != 3 {
                return vec![kernel(error_reply(&reqs[0], 0, None))];
            }
            // The ACKs out of order, the failure in the middle, spread over two datagrams.
            let mut one = error_reply(&reqs[2], 0, None);
            one.extend(error_reply(&reqs[1], libc::EEXIST, Some("already there")));
            vec![kernel(one), kernel(error_reply(&reqs[0], 0, None))]
        }));
        let r = s.batch(&batch_of(3), BatchMode::Force).unwrap();
        assert_eq!(r.len(), 3);
        assert!(r[0].is_ok() && r[2].is_ok());
        let k = r[1].as_ref().unwrap_err().kernel().unwrap();
        assert_eq!(k.errno, libc::EEXIST);
        assert_eq!(k.request_index, Some(1));
        assert_eq!(k.request_seq, 2);
        assert_eq!(k.message.as_deref(), Some("already there"));
        // One sendmsg, consecutive sequence numbers.
        let sent = st.lock().unwrap().sent[0].clone();
        let seqs: Vec<u32> = requests(&sent).iter().map(|r| seq_of(r)).collect();
        assert_eq!(seqs, vec![1, 2, 3]);
        // Nothing leaks into the next call.
        assert!(st.lock().unwrap().incoming.is_empty());
        s.request(RTM_SETLINK, NlmsgFlags::empty(), &IFINFO[..])
            .unwrap();
    }

    #[test]
    fn batch_is_sent_in_chunks() {
        let (mut s, st) = fake::socket();
        st.lock().unwrap().responder = Some(Box::new(|d| {
            let reqs = requests(d);
            let fail = reqs.len() > 1;
            reqs.iter()
                .enumerate()
                .map(|(i, r)| {
                    kernel(error_reply(
                        r,
                        if fail && i == 5 { libc::EBUSY } else { 0 },
                        None,
                    ))
                })
                .collect()
        }));
        let n = BATCH_MAX_REQUESTS * 3 + 10;
        let r = s.batch(&batch_of(n), BatchMode::Force).unwrap();
        assert_eq!(r.len(), n);
        let failed: Vec<usize> = r
            .iter()
            .filter_map(|r| r.as_ref().err().and_then(|e| e.kernel()?.request_index))
            .collect();
        assert_eq!(
            failed,
            vec![
                5,
                BATCH_MAX_REQUESTS + 5,
                2 * BATCH_MAX_REQUESTS + 5,
                3 * BATCH_MAX_REQUESTS + 5
            ]
        );
        let sent = st.lock().unwrap().sent.clone();
        assert_eq!(sent.len(), 4);
        assert!(sent.iter().all(|d| requests(d).len() <= BATCH_MAX_REQUESTS));

        // StopOnError: nothing after the first failing chunk.
        st.lock().unwrap().sent.clear();
        let r = s.batch(&batch_of(n), BatchMode::StopOnError).unwrap();
        assert_eq!(r.len(), BATCH_MAX_REQUESTS);
        assert_eq!(st.lock().unwrap().sent.len(), 1);
    }

    #[test]
    fn batch_chunks_respect_the_byte_limit() {
        let big = vec![0u8; BATCH_MAX_BYTES / 3];
        let mut b = Batch::new();
        for _ in 0..7 {
            b.push(RTM_NEWLINK, NlmsgFlags::empty(), &big[..]).unwrap();
        }
        assert_eq!(chunk_end(&b.items, 0), 2);
        assert_eq!(chunk_end(&b.items, 6), 7);
        let huge = vec![0u8; BATCH_MAX_BYTES * 2];
        b.push(RTM_NEWLINK, NlmsgFlags::empty(), &huge[..]).unwrap();
        assert_eq!(chunk_end(&b.items, 7), 8);
    }
}
