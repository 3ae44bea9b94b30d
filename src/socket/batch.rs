//! Batches: many requests in one `sendmsg`, each with its own sequence number, and their
//! acknowledgements matched back to them; and whole pre-built message sequences (an
//! nfnetlink transaction) sent in one datagram.

use super::request::{ack_result, parse_error, whole};
use super::{ACK_ROOM, AckWait, Socket};
use crate::error::Result;
use crate::wire::nlmsg::NLMSG_ERROR;
use crate::wire::{Builder, Emit, NlmsgBuffer, NlmsgFlags};
use std::ops::Range;

/// At most this many requests go out in one `sendmsg` of a batch. The kernel queues every
/// acknowledgement on our socket while it processes the datagram, so a batch must be small
/// enough for all of them to fit in `SO_RCVBUF`; otherwise they are dropped (`ENOBUFS`).
pub const BATCH_MAX_REQUESTS: usize = 64;

/// At most this many bytes of requests go out in one `sendmsg` of a batch (a failed request
/// is echoed whole in its error, so bytes count as well as requests). A single larger
/// request is sent on its own.
pub const BATCH_MAX_BYTES: usize = 64 * 1024;

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
pub(super) struct BatchItem {
    range: Range<usize>,
    msg_type: u16,
    /// The request carries `NLM_F_ECHO`.
    echo: bool,
    /// The request carries `NLM_F_ACK`: the kernel answers it, success or not. Without it
    /// the kernel answers only a failure.
    ack: bool,
}

/// Requests to send together with [`Socket::batch`] (or whole, with
/// [`Socket::batch_whole`]), encoded as they are pushed.
///
/// ```no_run
/// use netplumb::{Batch, BatchMode, Handle, IpNet};
/// use netplumb::route::{RouteOp, RouteSpec};
/// // 1,000 routes in a few sendmsg calls; one result per request.
/// let mut batch = Batch::new();
/// for i in 0..1000u32 {
///     let dst: IpNet = format!("198.19.{}.{}/32", i / 256, i % 256).parse()?;
///     RouteSpec::new(dst).dev(2u32).request(RouteOp::Add)?.push_to(&mut batch)?;
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
    /// [`Error::Encode`](crate::Error::Encode) if the payload cannot be encoded; the batch is then unchanged.
    pub fn push(
        &mut self,
        msg_type: u16,
        flags: NlmsgFlags,
        payload: &(impl Emit + ?Sized),
    ) -> Result<()> {
        self.push_message(msg_type, flags | NlmsgFlags::ACK, &payload)
    }

    /// Adds a message with exactly `flags | NLM_F_REQUEST`: without `NLM_F_ACK` (unless
    /// `flags` has it) the kernel answers it only if it fails. For messages that frame a
    /// transaction, such as nfnetlink's `NFNL_MSG_BATCH_BEGIN` and `NFNL_MSG_BATCH_END`,
    /// which nft sends without `NLM_F_ACK`.
    ///
    /// # Errors
    /// [`Error::Encode`](crate::Error::Encode) if the payload cannot be encoded; the batch is then unchanged.
    pub fn push_without_ack(
        &mut self,
        msg_type: u16,
        flags: NlmsgFlags,
        payload: &(impl Emit + ?Sized),
    ) -> Result<()> {
        self.push_message(msg_type, flags, &payload)
    }

    fn push_message(&mut self, msg_type: u16, flags: NlmsgFlags, payload: &dyn Emit) -> Result<()> {
        let start = self.bytes.len();
        // Encode straight into the batch (no per-request buffer); a failure cuts it back, so
        // the batch is left as it was.
        let mut b = Builder::appending(std::mem::take(&mut self.bytes));
        let r = b.message(msg_type, flags | NlmsgFlags::REQUEST, 0, 0, payload);
        self.bytes = b.into_vec();
        if let Err(e) = r {
            self.bytes.truncate(start);
            return Err(e.into());
        }
        self.items.push(BatchItem {
            range: start..self.bytes.len(),
            msg_type,
            echo: flags.contains(NlmsgFlags::ECHO),
            ack: flags.contains(NlmsgFlags::ACK),
        });
        Ok(())
    }

    /// The number of requests.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// The bytes of every request together: the size of the datagram
    /// [`Socket::batch_whole`] sends.
    pub fn byte_len(&self) -> usize {
        self.bytes.len()
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

    #[cfg(test)]
    pub(super) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    #[cfg(test)]
    pub(super) fn items(&self) -> &[BatchItem] {
        &self.items
    }
}

/// The end (exclusive) of the batch chunk starting at `start`.
pub(super) fn chunk_end(items: &[BatchItem], start: usize) -> usize {
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

/// What [`Socket::send_chunk`] hands the answers that are not acknowledgements to.
type OnReply<'f> = dyn FnMut(usize, NlmsgBuffer<&[u8]>) -> Result<()> + 'f;

/// How [`Socket::send_chunk`] waits for answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wait {
    /// Block until every message sent with `NLM_F_ACK` is answered (rtnetlink answers every
    /// one), then read what else is queued.
    ForAcks,
    /// Read only what the kernel queued while it ran the datagram.
    Queued,
}

impl Socket {
    /// Sends the requests of `batch`, many per `sendmsg`, and returns one result per request
    /// sent, in order.
    ///
    /// Each request carries `NLM_F_REQUEST | NLM_F_ACK` and its own sequence number, so every
    /// acknowledgement is matched to its request; a failure's
    /// [`KernelError::request_index`](crate::KernelError::request_index) says which request
    /// it was. The requests go out in chunks of at most [`BATCH_MAX_REQUESTS`] requests and
    /// [`BATCH_MAX_BYTES`] bytes, and all of a chunk's acknowledgements are read before the
    /// next chunk is sent, so the acknowledgements never overflow the receive buffer. Like
    /// `ip -batch`: with [`BatchMode::StopOnError`] nothing is sent after the chunk in which a
    /// request failed (`ip -batch`); with [`BatchMode::Force`] every request is sent
    /// (`ip -force -batch`).
    ///
    /// The kernel runs every request of a chunk, also those after a failed one: with
    /// `StopOnError` their results are reported too, and the results end with that chunk.
    /// A message pushed with [`Batch::push_without_ack`] is `Ok` unless the kernel reported
    /// its failure.
    ///
    /// # Errors
    /// The outer error is a transport failure ([`Error::Timeout`](crate::Error::Timeout), [`Error::Io`](crate::Error::Io),
    /// [`Error::Overrun`](crate::Error::Overrun)); then which requests took effect is not known.
    pub fn batch(&mut self, batch: &Batch, mode: BatchMode) -> Result<Vec<Result<()>>> {
        let mut results = Vec::with_capacity(batch.items.len());
        let mut start = 0;
        while start < batch.items.len() {
            let end = chunk_end(&batch.items, start);
            let chunk = batch.items.get(start..end).unwrap_or(&[]);
            let answers =
                self.send_chunk(batch, chunk, start, Wait::ForAcks, &mut |_, _| Ok(()))?;
            let mut failed = false;
            for a in answers {
                let r = a.unwrap_or(Ok(()));
                failed |= r.is_err();
                results.push(r);
            }
            if failed && mode == BatchMode::StopOnError {
                break;
            }
            start = end;
        }
        Ok(results)
    }

    /// Sends every message of `batch` in ONE `sendmsg`, whatever its size, and returns what
    /// the kernel said about each, in order: `Some(Ok(()))` for an acknowledgement,
    /// `Some(Err(..))` for a refusal ([`Error::Kernel`](crate::Error::Kernel) whose
    /// [`request_index`](crate::KernelError::request_index) is the message's index in the
    /// batch), `None` when the kernel said nothing about it.
    ///
    /// This is the hook for transactions such as nfnetlink's: `NFNL_MSG_BATCH_BEGIN` (pushed
    /// with [`Batch::push_without_ack`], `res_id` `NFNL_SUBSYS_NFTABLES` in its `nfgenmsg`),
    /// the messages ([`Batch::push`], so each is acknowledged), and `NFNL_MSG_BATCH_END`
    /// (without ack). Every message, begin and end included, gets its own consecutive
    /// sequence number, and answers are matched by sequence number, so a refusal names the
    /// message it refused. The kernel runs a netlink datagram while `sendmsg` runs, so every
    /// answer it will give is queued when `sendmsg` returns: the answers are read until each
    /// acknowledged message is answered or nothing more is queued, never waiting for an
    /// answer that will not come (nfnetlink answers nothing more when it rejects a batch as
    /// a whole, e.g. `EINVAL` on the begin message).
    ///
    /// Reading the answers is up to the caller: nfnetlink still acknowledges the messages
    /// that succeeded in a batch it then aborts because another failed, so any `Err` means
    /// nothing was committed. Every answer must fit in the receive buffer: for a large
    /// batch, raise it first ([`Socket::force_recv_buffer`]) as nft does; an overflow is
    /// [`Error::Overrun`](crate::Error::Overrun).
    ///
    /// # Errors
    /// The outer error is a transport failure; then what took effect is not known.
    pub fn batch_whole(&mut self, batch: &Batch) -> Result<Vec<Option<Result<()>>>> {
        self.send_chunk(batch, &batch.items, 0, Wait::Queued, &mut |_, _| Ok(()))
    }

    /// [`Socket::batch_whole`], handing every other answer to `on_reply` as it is read:
    /// the index of the message it answers (by sequence number) and the answer in the
    /// receive buffer. A message sent with `NLM_F_ECHO` comes back this way (nf_tables
    /// echoes a new rule with its handle when the batch commits). An error from
    /// `on_reply` stops the reading and is returned; the socket skips what is left of
    /// the answers at the next request.
    ///
    /// # Errors
    /// As [`Socket::batch_whole`], and `on_reply`'s.
    pub fn batch_whole_map(
        &mut self,
        batch: &Batch,
        mut on_reply: impl FnMut(usize, NlmsgBuffer<&[u8]>) -> Result<()>,
    ) -> Result<Vec<Option<Result<()>>>> {
        self.send_chunk(batch, &batch.items, 0, Wait::Queued, &mut on_reply)
    }

    /// Sends `chunk` (items of `batch`, the first at index `base_index`) in one datagram
    /// with consecutive sequence numbers, and returns the kernel's answer to each (`None`:
    /// no answer); other messages answering them go to `on_reply` with their index.
    fn send_chunk(
        &mut self,
        batch: &Batch,
        chunk: &[BatchItem],
        base_index: usize,
        wait: Wait,
        on_reply: &mut OnReply<'_>,
    ) -> Result<Vec<Option<Result<()>>>> {
        let count = u32::try_from(chunk.len()).unwrap_or(u32::MAX);
        let first = self.reserve_seqs(count);
        self.ack_wait = None;
        if let Some(c) = chunk.first() {
            self.check_fault(c.msg_type, first)?;
        }
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
        let mut pending = chunk.iter().filter(|c| c.ack).count();
        // Messages without NLM_F_ACK are answered only on failure: once the acknowledged
        // ones are answered, what is queued may still hold their errors.
        let silent = pending < chunk.len();
        loop {
            let r = match wait {
                Wait::ForAcks if pending > 0 => self.next_reply(first, count)?,
                _ if pending > 0 || silent => match self.next_queued_reply(first, count)? {
                    Some(r) => r,
                    None => break,
                },
                _ => break,
            };
            let m = self.view(r.clone())?;
            let i = m.sequence_number().wrapping_sub(first) as usize;
            if m.message_type() != NLMSG_ERROR {
                on_reply(base_index + i, m)?;
                continue;
            }
            let item = chunk.get(i);
            let e = parse_error(&m, r.start)?;
            let res = ack_result(
                self.protocol,
                &e,
                whole(&m),
                item.map_or(0, |c| c.msg_type),
                first.wrapping_add(i as u32),
                Some(base_index + i),
            );
            if let Some(slot @ None) = got.get_mut(i) {
                *slot = Some(res);
                if item.is_some_and(|c| c.ack) {
                    pending -= 1;
                }
            }
        }
        Ok(got)
    }
}
