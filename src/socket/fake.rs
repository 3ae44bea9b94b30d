//! A scripted transport for unit tests, shared with the operation modules' tests.

use super::transport::Transport;
use super::{MIN_RECV_BUFFER, Socket};
use crate::sys::netlink as sys;
use crate::wire::nlmsg::NLMSG_ERROR;
use crate::wire::{Builder, Messages, NlmsgBuffer, NlmsgFlags};
use std::collections::VecDeque;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::{Arc, Mutex};
use std::time::Duration;

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
    fn has_pending(&mut self) -> io::Result<bool> {
        let mut s = self.state.lock().unwrap();
        match s.incoming.front() {
            None => Ok(false),
            Some(Incoming::Errno(e)) => {
                let e = *e;
                s.incoming.pop_front();
                Err(io::Error::from_raw_os_error(e))
            }
            Some(Incoming::Datagram { .. }) => Ok(true),
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
    fn set_recv_buffer(&mut self, _: usize) -> io::Result<()> {
        Ok(())
    }
    fn force_recv_buffer(&mut self, _: usize) -> io::Result<()> {
        Ok(())
    }
    fn recv_buffer(&self) -> io::Result<usize> {
        Ok(MIN_RECV_BUFFER)
    }
    fn force_send_buffer(&mut self, _: usize) -> io::Result<()> {
        Ok(())
    }
    fn send_buffer(&self) -> io::Result<usize> {
        Ok(usize::MAX)
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
