//! Netlink sockets of any protocol: open, bind, options, send and receive.

use super::{io, ret};
use crate::socket::Protocol;
use nix::errno::Errno;
use nix::sys::socket::{
    self, AddressFamily, MsgFlags, NetlinkAddr, SockFlag, SockProtocol, SockType, sockopt,
};
use nix::sys::time::TimeVal;
use std::io::{self, IoSlice, IoSliceMut};
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd};
use std::time::Duration;

/// `SOL_NETLINK` (linux/socket.h).
const SOL_NETLINK: libc::c_int = 270;
/// `NETLINK_ADD_MEMBERSHIP`: join a multicast group (linux/netlink.h).
pub(crate) const NETLINK_ADD_MEMBERSHIP: libc::c_int = 1;
/// `NETLINK_DROP_MEMBERSHIP`: leave a multicast group.
pub(crate) const NETLINK_DROP_MEMBERSHIP: libc::c_int = 2;
/// `NETLINK_EXT_ACK`: errors carry an extended-ack message and offset.
pub(crate) const NETLINK_EXT_ACK: libc::c_int = 11;
/// `NETLINK_GET_STRICT_CHK`: the kernel validates GET/dump requests strictly.
pub(crate) const NETLINK_GET_STRICT_CHK: libc::c_int = 12;

/// `socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol)`.
pub(crate) fn open_socket(protocol: Protocol) -> io::Result<OwnedFd> {
    let protocol = match protocol {
        Protocol::Route => SockProtocol::NetlinkRoute,
        Protocol::Netfilter => SockProtocol::NetlinkNetFilter,
    };
    socket::socket(
        AddressFamily::Netlink,
        SockType::Raw,
        SockFlag::SOCK_CLOEXEC,
        protocol,
    )
    .map_err(io)
}

/// Binds with port id 0 (the kernel picks one) and no groups, then reads the port id back
/// with `getsockname`.
pub(crate) fn bind_auto(fd: BorrowedFd<'_>) -> io::Result<u32> {
    socket::bind(fd.as_raw_fd(), &NetlinkAddr::new(0, 0)).map_err(io)?;
    let addr: NetlinkAddr = socket::getsockname(fd.as_raw_fd()).map_err(io)?;
    Ok(addr.pid())
}

/// `setsockopt(fd, SOL_NETLINK, name, &value, sizeof(int))`, for the netlink options nix
/// does not wrap.
pub(crate) fn set_netlink_option(
    fd: BorrowedFd<'_>,
    name: libc::c_int,
    value: u32,
) -> io::Result<()> {
    // The netlink options all take an int (or, for the membership options, an unsigned
    // group number of the same size).
    let value = value as libc::c_int;
    // SAFETY: `fd` is a live descriptor for the duration of the borrow; the option value
    // pointer refers to a local `c_int` that outlives the call, and the length passed is
    // exactly its size. The kernel only reads `optlen` bytes from it.
    let r = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            SOL_NETLINK,
            name,
            (&raw const value).cast::<libc::c_void>(),
            size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    ret(r).map(drop)
}

/// `SO_RCVBUF`; the kernel doubles the value and caps it at `net.core.rmem_max`.
pub(crate) fn set_recv_buffer(fd: BorrowedFd<'_>, bytes: usize) -> io::Result<()> {
    socket::setsockopt(&fd, sockopt::RcvBuf, &bytes).map_err(io)
}

/// `SO_RCVBUFFORCE`: like `SO_RCVBUF` but past `rmem_max`; needs `CAP_NET_ADMIN`.
pub(crate) fn set_recv_buffer_force(fd: BorrowedFd<'_>, bytes: usize) -> io::Result<()> {
    socket::setsockopt(&fd, sockopt::RcvBufForce, &bytes).map_err(io)
}

/// `SO_SNDBUFFORCE`: the send buffer, past `wmem_max`; needs `CAP_NET_ADMIN`. A netlink
/// datagram larger than the send buffer is refused with `EMSGSIZE`.
pub(crate) fn set_send_buffer_force(fd: BorrowedFd<'_>, bytes: usize) -> io::Result<()> {
    socket::setsockopt(&fd, sockopt::SndBufForce, &bytes).map_err(io)
}

/// The current `SO_SNDBUF` (as the kernel reports it: twice what was asked).
pub(crate) fn send_buffer(fd: BorrowedFd<'_>) -> io::Result<usize> {
    socket::getsockopt(&fd, sockopt::SndBuf).map_err(io)
}

/// The current `SO_RCVBUF` (as the kernel reports it: twice what was asked).
pub(crate) fn recv_buffer(fd: BorrowedFd<'_>) -> io::Result<usize> {
    socket::getsockopt(&fd, sockopt::RcvBuf).map_err(io)
}

/// `SO_RCVTIMEO`; `None` (or zero) blocks forever.
pub(crate) fn set_recv_timeout(fd: BorrowedFd<'_>, timeout: Option<Duration>) -> io::Result<()> {
    let d = timeout.unwrap_or(Duration::ZERO);
    // A zero timeval means "block forever": a tiny but non-zero timeout becomes 1 µs.
    let micros = if d.is_zero() {
        0
    } else {
        d.subsec_micros().max(u32::from(d.as_secs() == 0))
    };
    let secs = libc::time_t::try_from(d.as_secs()).unwrap_or(libc::time_t::MAX);
    let tv = TimeVal::new(secs, libc::suseconds_t::from(micros));
    socket::setsockopt(&fd, sockopt::ReceiveTimeout, &tv).map_err(io)
}

/// Sends one datagram to the kernel (`sendmsg` to port 0).
pub(crate) fn send_to_kernel(fd: BorrowedFd<'_>, datagram: &[u8]) -> io::Result<usize> {
    socket::sendmsg(
        fd.as_raw_fd(),
        &[IoSlice::new(datagram)],
        &[],
        MsgFlags::empty(),
        Some(&NetlinkAddr::new(0, 0)),
    )
    .map_err(io)
}

/// The real length of the next datagram, left queued: `recvmsg` with
/// `MSG_PEEK | MSG_TRUNC` (and `more` flags) into an empty buffer.
fn peek(fd: BorrowedFd<'_>, more: MsgFlags) -> nix::Result<usize> {
    let mut empty = [0u8; 0];
    let mut iov = [IoSliceMut::new(&mut empty)];
    let flags = MsgFlags::MSG_PEEK | MsgFlags::MSG_TRUNC | more;
    socket::recvmsg::<()>(fd.as_raw_fd(), &mut iov, None, flags).map(|r| r.bytes)
}

/// The size of the next datagram, without consuming it (waits for one).
pub(crate) fn peek_len(fd: BorrowedFd<'_>) -> io::Result<usize> {
    peek(fd, MsgFlags::empty()).map_err(io)
}

/// Whether a datagram is queued now (the peek with `MSG_DONTWAIT`): `false` on `EAGAIN`. A
/// pending socket error (`ENOBUFS`) is returned as the error.
pub(crate) fn has_pending(fd: BorrowedFd<'_>) -> io::Result<bool> {
    match peek(fd, MsgFlags::MSG_DONTWAIT) {
        Ok(_) => Ok(true),
        Err(Errno::EAGAIN) => Ok(false),
        Err(e) => Err(io(e)),
    }
}

/// What one `recvmsg` returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Received {
    /// Bytes copied into the buffer.
    pub len: usize,
    /// The sender's port id (`nl_pid`; 0 is the kernel). `None` if the kernel gave no address.
    pub sender: Option<u32>,
    /// The datagram did not fit (`MSG_TRUNC` in `msg_flags`): the rest is lost.
    pub truncated: bool,
}

/// Receives one datagram into `buf`.
pub(crate) fn recv(fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<Received> {
    let mut iov = [IoSliceMut::new(buf)];
    let r = socket::recvmsg::<NetlinkAddr>(fd.as_raw_fd(), &mut iov, None, MsgFlags::empty())
        .map_err(io)?;
    Ok(Received {
        len: r.bytes,
        sender: r.address.map(|a| a.pid()),
        truncated: r.flags.contains(MsgFlags::MSG_TRUNC),
    })
}
