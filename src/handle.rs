//! [`Handle`]: a netlink socket bound to one network namespace, usable from any thread.
//!
//! The operation modules (`link`, `addr`, `route`, `neigh`) add `impl Handle` blocks built on
//! the request primitives here: [`Handle::request`], [`Handle::get`], [`Handle::dump_map`],
//! [`Handle::batch`].

use crate::error::Result;
use crate::netns::NetNs;
use crate::socket::{Batch, BatchMode, Dump, DumpMap, Protocol, Request, Socket};
use crate::undo::FaultPlan;
use crate::wire::{Emit, NlmsgBuffer, NlmsgFlags};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// A `NETLINK_ROUTE` socket bound to one network namespace.
///
/// A netlink socket acts on the namespace it was created in, whichever thread later uses it;
/// so [`Handle::in_netns`] enters the namespace only to create the socket, and every call
/// after that runs on the caller's thread with no `setns` at all.
///
/// Methods take `&self`; requests from several threads are serialized (one request is in
/// flight at a time, and a [`Dump`] holds the handle until it is dropped). For parallel
/// requests, open one handle per thread.
///
/// ```no_run
/// use netplumb::{Handle, NetNs};
/// let ns = NetNs::new_anonymous()?;
/// let h = Handle::in_netns(&ns)?; // the socket is created inside `ns`
/// // ... and used from this thread, which never changes namespace.
/// h.link_up("lo")?;
/// assert!(h.link_get("lo")?.is_up());
/// # Ok::<(), netplumb::Error>(())
/// ```
#[derive(Debug)]
pub struct Handle {
    socket: Mutex<Socket>,
}

impl Handle {
    /// A handle on the calling thread's current network namespace.
    pub fn new() -> Result<Handle> {
        Ok(Handle::from_socket(Socket::open()?))
    }

    /// A handle on the namespace `ns`: the socket is created by a throwaway thread inside
    /// `ns` (see [`NetNs::run`], [`Socket::open_in`]); the calling thread never changes
    /// namespace. For another netlink protocol,
    /// `Handle::from_socket(Socket::open_in(ns, protocol)?)`.
    pub fn in_netns(ns: &NetNs) -> Result<Handle> {
        Ok(Handle::from_socket(Socket::open_in(ns, Protocol::Route)?))
    }

    /// Wraps an open socket.
    pub fn from_socket(socket: Socket) -> Handle {
        Handle {
            socket: Mutex::new(socket),
        }
    }

    /// The socket back.
    pub fn into_socket(self) -> Socket {
        self.socket
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Exclusive access to the socket, e.g. for [`Socket::subscribe`] and
    /// [`Socket::recv_event`]. Other calls on this handle wait until the guard is dropped.
    pub fn socket(&self) -> MutexGuard<'_, Socket> {
        // A panic while the socket was held (in a caller's dump closure, say) cannot leave
        // it mid-reply: a dump drains itself on drop, and replies are matched by sequence
        // number. So a poisoned lock is still usable.
        self.socket.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sets the receive timeout (`SO_RCVTIMEO`); `None` waits forever. See
    /// [`Socket::set_timeout`].
    pub fn set_timeout(&self, timeout: Option<Duration>) -> Result<()> {
        self.socket().set_timeout(timeout)
    }

    /// Makes `plan` consulted before every request this handle sends (see
    /// [`Socket::set_fault_plan`] and [`crate::undo`]); `None` removes it.
    pub fn set_fault_plan(&self, plan: Option<FaultPlan>) {
        self.socket().set_fault_plan(plan);
    }

    /// The socket's netlink port id.
    pub fn port_id(&self) -> u32 {
        self.socket().port_id()
    }

    /// Sends `msg_type` with `flags | NLM_F_REQUEST | NLM_F_ACK` and `payload`, and waits for
    /// the kernel's acknowledgement. See [`Socket::request`].
    pub fn request(
        &self,
        msg_type: u16,
        flags: NlmsgFlags,
        payload: &(impl Emit + ?Sized),
    ) -> Result<()> {
        self.socket().request(msg_type, flags, payload)
    }

    /// Sends a built [`Request`] and waits for the kernel's acknowledgement. See
    /// [`Socket::send`].
    pub fn send<M: Emit>(&self, request: &Request<M>) -> Result<()> {
        self.socket().send(request)
    }

    /// Sends a request answered by one message (e.g. `RTM_GETLINK` by name, `RTM_GETROUTE`)
    /// and returns a copy of that message. See [`Socket::get`].
    pub fn get(
        &self,
        msg_type: u16,
        flags: NlmsgFlags,
        payload: &(impl Emit + ?Sized),
    ) -> Result<NlmsgBuffer<Vec<u8>>> {
        self.socket().get(msg_type, flags, payload)
    }

    /// Like [`Handle::get`], handing the answer to `f` in place. See [`Socket::get_map`].
    pub fn get_map<T>(
        &self,
        msg_type: u16,
        flags: NlmsgFlags,
        payload: &(impl Emit + ?Sized),
        f: impl FnOnce(NlmsgBuffer<&[u8]>) -> Result<T>,
    ) -> Result<T> {
        self.socket().get_map(msg_type, flags, payload, f)
    }

    /// Starts a dump (`msg_type` with `NLM_F_REQUEST | NLM_F_DUMP`). The dump holds the
    /// handle until it is dropped. See [`Socket::dump`].
    pub fn dump(
        &self,
        msg_type: u16,
        payload: &(impl Emit + ?Sized),
    ) -> Result<Dump<MutexGuard<'_, Socket>>> {
        Dump::start(self.socket(), msg_type, &payload)
    }

    /// A dump whose records' payloads are mapped by `f` as they arrive. See
    /// [`Socket::dump_map`].
    pub fn dump_map<T, F>(
        &self,
        msg_type: u16,
        payload: &(impl Emit + ?Sized),
        f: F,
    ) -> Result<DumpMap<MutexGuard<'_, Socket>, F>>
    where
        F: FnMut(&[u8]) -> Result<T>,
    {
        Ok(self.dump(msg_type, payload)?.map(f))
    }

    /// Collects a mapped dump, retrying up to `retries` times while it is interrupted
    /// (`NLM_F_DUMP_INTR`). See [`Socket::dump_retry`].
    pub fn dump_retry<T>(
        &self,
        retries: usize,
        msg_type: u16,
        payload: &(impl Emit + ?Sized),
        f: impl FnMut(&[u8]) -> Result<T>,
    ) -> Result<Vec<T>> {
        self.socket().dump_retry(retries, msg_type, payload, f)
    }

    /// Sends many requests, many per `sendmsg`, and returns one result per request. See
    /// [`Socket::batch`].
    pub fn batch(&self, batch: &Batch, mode: BatchMode) -> Result<Vec<Result<()>>> {
        self.socket().batch(batch, mode)
    }

    /// Sends every message of `batch` in one `sendmsg` and reports what the kernel said
    /// about each (`None`: nothing). See [`Socket::batch_whole`].
    pub fn batch_whole(&self, batch: &Batch) -> Result<Vec<Option<Result<()>>>> {
        self.socket().batch_whole(batch)
    }
}

impl<M: Emit> Request<M> {
    /// Sends the request on `h` and waits for the acknowledgement ([`Handle::send`]).
    ///
    /// # Errors
    /// As [`Handle::request`].
    pub fn send(&self, h: &Handle) -> Result<()> {
        h.send(self)
    }
}
