//! Dumps: a request with `NLM_F_DUMP` answered by many messages and `NLMSG_DONE`, read one
//! datagram at a time; and the retry policy for interrupted dumps.

use super::Socket;
use super::request::{ack_result, done_result, parse_done, parse_error, whole};
use crate::error::{Error, Result};
use crate::wire::nlmsg::{NLMSG_DONE, NLMSG_ERROR, NLMSG_NOOP, NLMSG_OVERRUN};
use crate::wire::{Emit, NlmsgBuffer, NlmsgFlags};
use std::ops::{DerefMut, Range};

/// How many times the listing operations (`link_list`, `addr_list`, `route_list`,
/// `neigh_list`, `nsid_list`, ...) dump again when the kernel reports a dump inconsistent
/// (`NLM_F_DUMP_INTR`) before giving up with [`Error::DumpInterrupted`], unless the handle
/// is told otherwise: the default of
/// [`Handle::dump_retries`](crate::handle::Handle::dump_retries), which every operation
/// passes to [`Socket::dump_retry`].
pub const DUMP_RETRIES: usize = 5;

/// What a dump does with the message it just read.
enum DumpStep {
    Skip,
    Record,
    End(Option<Error>),
}

impl Socket {
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
/// `S` is the way the socket is held: `&mut Socket`, or one of a
/// [`crate::handle::Handle`]'s sockets ([`crate::handle::PooledSocket`]).
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
                    .and_then(|d| {
                        done_result(self.socket.protocol, &d, whole(&m), self.msg_type, self.seq)
                    })
                    .err(),
            ),
            NLMSG_ERROR => DumpStep::End(
                parse_error(&m, at)
                    .and_then(|e| {
                        ack_result(
                            self.socket.protocol,
                            &e,
                            whole(&m),
                            self.msg_type,
                            self.seq,
                            None,
                        )
                    })
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
