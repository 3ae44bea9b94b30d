//! How a [`Socket`](super::Socket) sends and receives datagrams: the [`Transport`] trait, its
//! real implementation over a netlink descriptor, and `EINTR` retries.

use crate::sys::netlink as sys;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::time::Duration;

/// How a socket sends and receives datagrams. The real one is a file descriptor; unit tests
/// use a scripted fake (`super::fake`).
pub(crate) trait Transport: Send {
    /// Sends one datagram to the kernel; returns the bytes sent.
    fn send(&mut self, datagram: &[u8]) -> io::Result<usize>;
    /// The size of the next datagram, waiting for one (up to the receive timeout).
    fn peek_len(&mut self) -> io::Result<usize>;
    /// Whether a datagram (or a pending error) is queued now, without waiting.
    fn has_pending(&mut self) -> io::Result<bool>;
    /// Receives the next datagram into `buf`.
    fn recv(&mut self, buf: &mut [u8]) -> io::Result<sys::Received>;
    /// `SO_RCVTIMEO`.
    fn set_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()>;
    /// A `SOL_NETLINK` integer option.
    fn set_netlink_option(&mut self, name: libc::c_int, value: u32) -> io::Result<()>;
    /// `SO_RCVBUF`.
    fn set_recv_buffer(&mut self, bytes: usize) -> io::Result<()>;
    /// `SO_RCVBUFFORCE`.
    fn force_recv_buffer(&mut self, bytes: usize) -> io::Result<()>;
    /// The current `SO_RCVBUF`.
    fn recv_buffer(&self) -> io::Result<usize>;
    /// `SO_SNDBUFFORCE`.
    fn force_send_buffer(&mut self, bytes: usize) -> io::Result<()>;
    /// The current `SO_SNDBUF`.
    fn send_buffer(&self) -> io::Result<usize>;
    /// The descriptor, for polling.
    fn fd(&self) -> BorrowedFd<'_>;
}

/// The real transport: a netlink socket descriptor.
pub(crate) struct FdTransport(pub(crate) OwnedFd);

impl Transport for FdTransport {
    fn send(&mut self, datagram: &[u8]) -> io::Result<usize> {
        sys::send_to_kernel(self.0.as_fd(), datagram)
    }
    fn peek_len(&mut self) -> io::Result<usize> {
        sys::peek_len(self.0.as_fd())
    }
    fn has_pending(&mut self) -> io::Result<bool> {
        sys::has_pending(self.0.as_fd())
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
    fn set_recv_buffer(&mut self, bytes: usize) -> io::Result<()> {
        sys::set_recv_buffer(self.0.as_fd(), bytes)
    }
    fn force_recv_buffer(&mut self, bytes: usize) -> io::Result<()> {
        sys::set_recv_buffer_force(self.0.as_fd(), bytes)
    }
    fn recv_buffer(&self) -> io::Result<usize> {
        sys::recv_buffer(self.0.as_fd())
    }
    fn force_send_buffer(&mut self, bytes: usize) -> io::Result<()> {
        sys::set_send_buffer_force(self.0.as_fd(), bytes)
    }
    fn send_buffer(&self) -> io::Result<usize> {
        sys::send_buffer(self.0.as_fd())
    }
    fn fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}

/// Retries `f` while it fails with `EINTR`.
pub(crate) fn retry_eintr<T>(mut f: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    loop {
        match f() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            r => return r,
        }
    }
}
