//! Acknowledged requests and single-answer gets, and how an `NLMSG_ERROR` or `NLMSG_DONE`
//! becomes a result.

use super::{ACK_ROOM, AckWait, Batch, Protocol, Socket};
use crate::error::{Error, KernelError, Result};
use crate::wire::nlmsg::message_type_name;
use crate::wire::nlmsg::{NLMSG_DONE, NLMSG_ERROR, NLMSG_HDR_LEN, NLMSG_NOOP, NLMSG_OVERRUN};
use crate::wire::{DoneMessage, Emit, ErrorMessage, NlmsgBuffer, NlmsgFlags};

/// One request, built but not sent: the message type, the flags (`NLM_F_REQUEST` and
/// `NLM_F_ACK` are added when sending) and the owned message. Every family's request
/// builders return one ([`crate::link::LinkRequest`], [`crate::addr::AddrRequest`],
/// [`crate::route::RouteRequest`], [`crate::neigh::NeighRequest`],
/// [`crate::rule::RuleRequest`], [`crate::nsid::NsidRequest`] are this type for their
/// message); the same value is sent alone ([`Request::send`], [`Socket::send`]), pushed
/// into a [`Batch`] ([`Request::push_to`]), or kept as an undo step
/// ([`crate::undo::Undo::push_request`]).
///
/// ```
/// use netplumb::Batch;
/// use netplumb::route::{RouteOp, RouteSpec};
/// use netplumb::wire::nlmsg::{RTM_DELROUTE, RTM_NEWROUTE};
/// # fn main() -> netplumb::Result<()> {
/// let spec = RouteSpec::new("198.19.0.0/24".parse()?).dev(2u32);
/// let add = spec.request(RouteOp::Add)?; // ip route add 198.19.0.0/24 dev 2
/// assert_eq!(add.msg_type, RTM_NEWROUTE);
/// let undo = spec.request(RouteOp::Del)?; // and what takes it back
/// assert_eq!(undo.msg_type, RTM_DELROUTE);
/// let mut batch = Batch::new();
/// add.push_to(&mut batch)?;
/// assert_eq!(batch.len(), 1);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request<M> {
    /// `RTM_NEWLINK`, `RTM_DELADDR`, ...
    pub msg_type: u16,
    /// `NLM_F_CREATE | NLM_F_EXCL` for a creation, empty for a change or a deletion, ...
    pub flags: NlmsgFlags,
    /// The payload: the family header and its attributes.
    pub message: M,
}

impl<M> Request<M> {
    /// A request of `msg_type` with `flags` and `message`.
    pub fn new(msg_type: u16, flags: NlmsgFlags, message: M) -> Self {
        Request {
            msg_type,
            flags,
            message,
        }
    }

    /// `(msg_type, flags, message)`.
    pub fn into_parts(self) -> (u16, NlmsgFlags, M) {
        (self.msg_type, self.flags, self.message)
    }

    /// The message type's uapi name (`"RTM_DELLINK"`), or its number, for messages and
    /// logs.
    pub fn name(&self) -> String {
        message_type_name(self.msg_type)
            .map_or_else(|| format!("request type {}", self.msg_type), str::to_string)
    }
}

impl<M: Emit> Request<M> {
    /// Appends the request to `batch` (with `NLM_F_ACK`, as [`Batch::push`]).
    ///
    /// # Errors
    /// [`Error::Encode`] if the message cannot be encoded.
    pub fn push_to(&self, batch: &mut Batch) -> Result<()> {
        batch.push(self.msg_type, self.flags, &self.message)
    }
}

impl Socket {
    /// Sends `request` and waits for its acknowledgement: [`Socket::request`] with its parts.
    ///
    /// # Errors
    /// As [`Socket::request`].
    pub fn send<M: Emit>(&mut self, request: &Request<M>) -> Result<()> {
        self.request(request.msg_type, request.flags, &request.message)
    }

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
                    return ack_result(self.protocol, &e, whole(&m), msg_type, seq, None);
                }
                NLMSG_DONE => {
                    let d = parse_done(&m, r.start)?;
                    return done_result(self.protocol, &d, whole(&m), msg_type, seq);
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
                NLMSG_ERROR => ack_result(
                    self.protocol,
                    &parse_error(&m, r.start)?,
                    whole(&m),
                    msg_type,
                    seq,
                    None,
                ),
                NLMSG_DONE => done_result(
                    self.protocol,
                    &parse_done(&m, r.start)?,
                    whole(&m),
                    msg_type,
                    seq,
                ),
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
}

/// Parses an `NLMSG_ERROR` at datagram offset `at`.
pub(super) fn parse_error<'a>(m: &NlmsgBuffer<&'a [u8]>, at: usize) -> Result<ErrorMessage<'a>> {
    let payload: &'a [u8] = m
        .into_inner()
        .get(NLMSG_HDR_LEN..m.length() as usize)
        .unwrap_or(&[]);
    ErrorMessage::parse(payload, m.flags()).map_err(|e| Error::Decode(e.shift(at + NLMSG_HDR_LEN)))
}

/// Parses an `NLMSG_DONE` at datagram offset `at`.
pub(super) fn parse_done<'a>(m: &NlmsgBuffer<&'a [u8]>, at: usize) -> Result<DoneMessage<'a>> {
    let payload: &'a [u8] = m
        .into_inner()
        .get(NLMSG_HDR_LEN..m.length() as usize)
        .unwrap_or(&[]);
    DoneMessage::parse(payload, m.flags()).map_err(|e| Error::Decode(e.shift(at + NLMSG_HDR_LEN)))
}

/// The bytes of message `m`, header included (what a [`KernelError`] keeps as its reply).
pub(super) fn whole<'a>(m: &NlmsgBuffer<&'a [u8]>) -> &'a [u8] {
    let all: &'a [u8] = m.into_inner();
    all.get(..m.length() as usize).unwrap_or(all)
}

/// `Ok` for an acknowledgement, else the kernel's error naming the request; `reply` is the
/// whole error message.
pub(super) fn ack_result(
    protocol: Protocol,
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
        protocol,
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
pub(super) fn done_result(
    protocol: Protocol,
    d: &DoneMessage<'_>,
    reply: &[u8],
    msg_type: u16,
    seq: u32,
) -> Result<()> {
    if d.error >= 0 {
        return Ok(());
    }
    Err(Error::Kernel(KernelError {
        protocol,
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
