//! The receive loop every operation shares: whole datagrams, kernel-only senders, messages
//! one at a time, replies matched by port id and sequence number.

use super::transport::retry_eintr;
use super::{AckWait, MIN_RECV_BUFFER, Socket};
use crate::error::{Error, Result};
use crate::wire::{DecodeError, Messages, NlmsgBuffer, align4};
use std::io;
use std::ops::Range;

impl Socket {
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
    /// largest request it may echo, plus [`ACK_ROOM`](super::ACK_ROOM); the kernel sends each one in a
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
    pub(super) fn next_message_range(&mut self) -> Result<Range<usize>> {
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
    pub(super) fn view(&self, r: Range<usize>) -> Result<NlmsgBuffer<&[u8]>> {
        let at = r.start;
        NlmsgBuffer::new_checked(self.rx.get(r).unwrap_or(&[]))
            .map_err(|e| Error::Decode(e.shift(at)))
    }

    /// The next message addressed to us (our port id) whose sequence number lies in
    /// `first .. first + count`. Everything else is skipped: notifications from other
    /// processes carry their port id, and late replies to earlier requests an older seq.
    pub(super) fn next_reply(&mut self, first: u32, count: u32) -> Result<Range<usize>> {
        loop {
            let r = self.next_message_range()?;
            let m = self.view(r.clone())?;
            if m.port_number() == self.port && m.sequence_number().wrapping_sub(first) < count {
                return Ok(r);
            }
        }
    }

    /// Like [`Socket::next_reply`], but only from what the kernel has already queued: `None`
    /// once the current datagram is used up and no other is waiting. The kernel answers a
    /// netlink request while `sendmsg` runs, so after a send every answer it will ever give
    /// is queued; this ends a wait for answers the kernel may never send (see
    /// [`Socket::batch_whole`]).
    pub(super) fn next_queued_reply(
        &mut self,
        first: u32,
        count: u32,
    ) -> Result<Option<Range<usize>>> {
        loop {
            if self.rx_pos >= self.rx_len {
                let transport = &mut self.transport;
                let queued = retry_eintr(|| transport.has_pending())
                    .map_err(|e| self.recv_error("recvmsg (MSG_PEEK|MSG_DONTWAIT)", e))?;
                if !queued {
                    return Ok(None);
                }
            }
            let r = self.next_message_range()?;
            let m = self.view(r.clone())?;
            if m.port_number() == self.port && m.sequence_number().wrapping_sub(first) < count {
                return Ok(Some(r));
            }
        }
    }
}
