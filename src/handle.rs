//! [`Handle`]: netlink sockets bound to one network namespace, shared by any number of
//! threads.
//!
//! The operation modules (`link`, `addr`, `route`, `neigh`) add `impl Handle` blocks built on
//! the request primitives here: [`Handle::request`], [`Handle::get`], [`Handle::dump_map`],
//! [`Handle::batch`].
//!
//! # A pool of sockets
//!
//! A handle owns a small pool of sockets in its namespace, at most [`Handle::max_sockets`]
//! ([`DEFAULT_MAX_SOCKETS`] unless set with [`Handle::with_max_sockets`]). Each call takes
//! one idle socket for as long as it runs and gives it back: a request until its
//! acknowledgement, a batch until its last chunk is acknowledged, a dump until the [`Dump`]
//! is dropped. So a slow request (deleting a veth pair waits for the kernel's ~25 ms
//! teardown) holds one socket, not the handle, and independent requests from other threads
//! go out at the same time on other sockets.
//!
//! - **The first idle socket is taken**, lowest-numbered first, so a handle that one thread
//!   uses at a time always uses its first socket: the one [`Handle::socket`] and
//!   [`Handle::port_id`] name, exactly as before there was a pool.
//! - **More sockets are opened lazily**, when every open one is busy and the pool is not
//!   full. A netlink socket acts on the namespace it was created in, so the handle keeps a
//!   descriptor of its namespace ([`NetNs`]): a thread already in that namespace opens the
//!   socket directly, any other has a throwaway thread create it inside
//!   ([`Socket::open_in`]), as [`Handle::in_netns`] did for the first. Sockets stay open
//!   until the handle is dropped.
//! - **When the pool is full, the caller waits** for a socket to come back (however long:
//!   the receive timeout bounds waiting for the kernel, not for another thread's call; a
//!   [`Dump`] kept unread holds its socket until it is dropped).
//! - **A thread that already holds one of the handle's sockets never waits** for another
//!   (the thread is reading a dump and asks for a link's name meanwhile, say): it takes an
//!   idle socket, or opens one, or, when the pool is full, gets a socket of its own beyond
//!   the bound, closed when it is given back. So a lookup inside a dump loop cannot
//!   deadlock, however busy the handle is.
//! - **A handle made with [`Handle::from_socket`]** has no namespace to open more sockets
//!   in: it has that socket only, its calls take turns on it (as every handle's did before
//!   the pool), and a call from a thread that holds the socket fails with `EDEADLK`
//!   instead of waiting for itself.
//!
//! What stays on one socket is everything one call does: a request, its acknowledgement and
//! its `NLM_F_ECHO` answer; a get and its answer; every chunk of a [`Batch`] (the CLI's
//! `-force -batch` pipelining is one [`Handle::batch`] per flush); every attempt of a
//! [`Handle::dump_retry`]; a dump from its request to `NLMSG_DONE`. Nothing depends on the
//! order of separate calls beyond what a caller already sees: rtnetlink runs a request inside
//! the `sendmsg` that carries it, and each call returns only after the kernel has answered,
//! so calls one thread makes one after another take effect in that order whichever sockets
//! carry them, and calls from different threads had no order before either (they took a
//! lock in whatever order they came).
//!
//! The handle's settings apply to every socket: [`Handle::set_timeout`],
//! [`Handle::set_recv_buffer`], [`Handle::force_recv_buffer`] and
//! [`Handle::set_fault_plan`] are applied at once to the idle sockets, to a busy one before
//! its next call, and to a new one as it opens. A [`FaultPlan`] is shared: the steps of all
//! the sockets count in one sequence. [`Handle::dump_retries`] is how often the typed list
//! operations (`link_list`, `addr_list`, ...) dump again after an interrupted dump.
//!
//! Multicast events arrive only on the socket that subscribed ([`Handle::socket`], the
//! first), and a call that happens to run on it skips them: read events through a
//! [`crate::Monitor`] (or a [`Socket`] of their own), not through a handle that also sends
//! requests.

use crate::error::{Error, Result};
use crate::netns::NetNs;
use crate::socket::{Batch, BatchMode, DUMP_RETRIES, Dump, DumpMap, Protocol, Request, Socket};
use crate::undo::FaultPlan;
use crate::wire::{Emit, NlmsgBuffer, NlmsgFlags};
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, PoisonError, TryLockError};
use std::thread::ThreadId;
use std::time::Duration;

/// How many sockets a handle opens at most unless told otherwise
/// ([`Handle::with_max_sockets`]).
///
/// A socket costs a descriptor and a receive buffer of 32 KiB once used; an idle one costs
/// nothing else, and a handle that one thread uses at a time never opens a second. What
/// the bound limits is how many calls wait on the kernel at once, and slow rtnetlink calls
/// are mostly waiting: a veth pair's deletion takes ~15-25 ms of which the CPU work is a
/// small part (the rest is RCU grace periods and teardown that other calls overlap), so
/// throughput grows with the sockets in use about as far as there are threads. 32 threads
/// creating and deleting veth pairs on one handle (`benches/pool.rs`) run at about the
/// speed of a handle per thread with 32 sockets, and ~1.5× slower with 16. Threads beyond
/// the bound wait for a socket.
pub const DEFAULT_MAX_SOCKETS: usize = 32;

/// Netlink sockets (`NETLINK_ROUTE` unless opened with [`Handle::open_in`]) bound to one
/// network namespace, shared by any number of threads.
///
/// A netlink socket acts on the namespace it was created in, whichever thread later uses it;
/// so [`Handle::in_netns`] enters the namespace only to create a socket, and every call
/// after that runs on the caller's thread with no `setns` at all.
///
/// Methods take `&self`, and a handle is `Send + Sync`: share one (`&Handle`, `Arc<Handle>`)
/// between threads. Each call runs on one of the handle's sockets, opened as they are needed
/// up to [`Handle::max_sockets`], so calls from several threads proceed at the same time and
/// a [`Dump`] being read holds one socket, not the handle (see the [module
/// docs](self) for what stays on one socket).
///
/// ```no_run
/// use netplumb::{Handle, NetNs};
/// let ns = NetNs::new_anonymous()?;
/// let h = Handle::in_netns(&ns)?; // the socket is created inside `ns`
/// // ... and used from this thread, which never changes namespace.
/// h.link_up("lo")?;
/// assert!(h.link_get("lo")?.is_up());
/// // Threads share the handle; each call takes one of its sockets while it runs.
/// std::thread::scope(|s| {
///     for i in 0..4 {
///         let h = &h;
///         s.spawn(move || h.link_add(&netplumb::LinkSpec::veth(format!("a{i}"), format!("b{i}"))));
///     }
/// });
/// # Ok::<(), netplumb::Error>(())
/// ```
pub struct Handle {
    pool: Pool,
    /// The first socket's port id.
    port: u32,
    dump_retries: AtomicUsize,
}

// A handle is shared between threads: that is what the pool is for.
const _: () = {
    const fn shared<T: Send + Sync>() {}
    shared::<Handle>();
};

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handle")
            .field("protocol", &self.pool.protocol)
            .field("port", &self.port)
            .field("open_sockets", &self.open_sockets())
            .field("max_sockets", &self.max_sockets())
            .field("dump_retries", &self.dump_retries())
            .finish_non_exhaustive()
    }
}

impl Handle {
    /// A handle on the calling thread's current network namespace (`NETLINK_ROUTE`).
    ///
    /// The namespace is remembered (`/proc/thread-self/ns/net`), so that the sockets opened
    /// later act on it too, whichever thread opens them. Where it cannot be opened (no
    /// `/proc`), the handle keeps to its one socket, as [`Handle::from_socket`] does.
    ///
    /// # Errors
    /// As [`Socket::open`].
    pub fn new() -> Result<Handle> {
        let socket = Socket::open()?;
        let origin = NetNs::current().map_or(Origin::Fixed, Origin::Namespace);
        Ok(Handle::pooled(socket, origin, DEFAULT_MAX_SOCKETS))
    }

    /// A handle on the namespace `ns` (`NETLINK_ROUTE`): the first socket is created by a
    /// throwaway thread inside `ns` (see [`NetNs::run`], [`Socket::open_in`]); the calling
    /// thread never changes namespace. The handle keeps a descriptor of `ns` to open more
    /// sockets there. For another netlink protocol, [`Handle::open_in`].
    ///
    /// # Errors
    /// As [`Socket::open_in`].
    pub fn in_netns(ns: &NetNs) -> Result<Handle> {
        Handle::open_in(ns, Protocol::Route)
    }

    /// A handle of `protocol` on the namespace `ns`: [`Handle::in_netns`] for any
    /// [`Protocol`] (e.g. `NETLINK_NETFILTER`).
    ///
    /// # Errors
    /// As [`Socket::open_in`], or [`Error::Io`] if the namespace descriptor cannot be
    /// duplicated.
    pub fn open_in(ns: &NetNs, protocol: Protocol) -> Result<Handle> {
        let socket = Socket::open_in(ns, protocol)?;
        Ok(Handle::pooled(
            socket,
            Origin::Namespace(ns.try_clone()?),
            DEFAULT_MAX_SOCKETS,
        ))
    }

    /// Wraps an open socket. The handle cannot tell which namespace the socket acts on, so
    /// it opens no other: its calls take turns on this one ([`Handle::max_sockets`] is 1),
    /// and a call from a thread that already holds it (inside a dump) fails with `EDEADLK`.
    pub fn from_socket(socket: Socket) -> Handle {
        Handle::pooled(socket, Origin::Fixed, 1)
    }

    fn pooled(socket: Socket, origin: Origin, max: usize) -> Handle {
        let port = socket.port_id();
        let protocol = socket.protocol();
        let max = match origin {
            Origin::Fixed => 1,
            _ => max.max(1),
        };
        // What the socket came with is the handle's setting until the handle sets another.
        let settings = Settings {
            generation: 0,
            timeout: Setting::initial(socket.timeout()),
            recv_buffer: Setting::initial(None),
            faults: Setting::initial(socket.fault_plan().cloned()),
        };
        let slots = (0..max)
            .map(|i| Slot {
                state: if i == 0 {
                    SlotState::Idle
                } else {
                    SlotState::Closed
                },
                synced: 0,
            })
            .collect();
        Handle {
            pool: Pool {
                origin,
                protocol,
                first: Mutex::new(socket),
                rest: (1..max).map(|_| OnceLock::new()).collect(),
                state: Mutex::new(State {
                    slots,
                    settings,
                    waiting_any: 0,
                    waiting_first: 0,
                    overflow: 0,
                }),
                any_idle: Condvar::new(),
                first_idle: Condvar::new(),
            },
            port,
            dump_retries: AtomicUsize::new(DUMP_RETRIES),
        }
    }

    /// The same handle with room for at most `max` sockets (at least 1; a handle made with
    /// [`Handle::from_socket`] keeps its one). Sockets past the new bound are closed.
    ///
    /// ```no_run
    /// use netplumb::{Handle, NetNs};
    /// let ns = NetNs::new_anonymous()?;
    /// // At most 4 calls in flight at once; other threads wait for a socket.
    /// let h = Handle::in_netns(&ns)?.with_max_sockets(4);
    /// assert_eq!(h.max_sockets(), 4);
    /// # Ok::<(), netplumb::Error>(())
    /// ```
    #[must_use]
    pub fn with_max_sockets(self, max: usize) -> Handle {
        let Handle {
            pool,
            port,
            dump_retries,
        } = self;
        let Pool {
            origin,
            protocol,
            first,
            rest,
            state,
            ..
        } = pool;
        let max = match origin {
            Origin::Fixed => 1,
            _ => max.max(1),
        };
        let mut state = state.into_inner().unwrap_or_else(PoisonError::into_inner);
        // Nothing can hold a socket: the handle is owned here.
        let mut rest = rest.into_vec();
        rest.truncate(max - 1);
        rest.resize_with(max - 1, OnceLock::new);
        state.slots.truncate(max);
        state.slots.resize_with(max, || Slot {
            state: SlotState::Closed,
            synced: 0,
        });
        Handle {
            pool: Pool {
                origin,
                protocol,
                first,
                rest: rest.into_boxed_slice(),
                state: Mutex::new(state),
                any_idle: Condvar::new(),
                first_idle: Condvar::new(),
            },
            port,
            dump_retries,
        }
    }

    /// How many sockets the handle opens at most ([`DEFAULT_MAX_SOCKETS`] unless set with
    /// [`Handle::with_max_sockets`]; 1 for [`Handle::from_socket`]). A thread that already
    /// holds one of them may use one more beyond the bound (see the [module docs](self)).
    pub fn max_sockets(&self) -> usize {
        self.pool.rest.len() + 1
    }

    /// How many sockets the handle has open now: the first, those opened since because
    /// calls overlapped, and those beyond the bound in use by threads inside a dump.
    pub fn open_sockets(&self) -> usize {
        let st = self.pool.lock();
        st.slots
            .iter()
            .filter(|s| matches!(s.state, SlotState::Idle | SlotState::Busy(_)))
            .count()
            + st.overflow
    }

    /// The socket back: the first one (the others are closed).
    pub fn into_socket(self) -> Socket {
        self.pool
            .first
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Exclusive access to the handle's first socket (whose port id is
    /// [`Handle::port_id`]), e.g. for [`Socket::subscribe`] and [`Socket::recv_event`].
    /// Meanwhile the handle's calls run on its other sockets (or wait for one); settings
    /// changed through the guard apply to this socket only, until the handle's own setter
    /// for the same setting is called. Waits while another call uses the first socket; a
    /// thread that calls this while it holds the first socket (inside a dump) waits for
    /// itself.
    pub fn socket(&self) -> PooledSocket<'_> {
        self.pool.acquire_first()
    }

    /// Sets the receive timeout (`SO_RCVTIMEO`) of every socket of the handle; `None` waits
    /// forever. See [`Socket::set_timeout`].
    ///
    /// # Errors
    /// The first socket that refused it ([`Error::Io`]); the setting is kept and applied to
    /// every socket before its next call.
    pub fn set_timeout(&self, timeout: Option<Duration>) -> Result<()> {
        let timeout = timeout.filter(|d| !d.is_zero());
        self.pool.update(|s, g| s.timeout.set(timeout, g))
    }

    /// The receive timeout the handle's sockets have (see [`Handle::set_timeout`]).
    pub fn timeout(&self) -> Option<Duration> {
        self.pool.lock().settings.timeout.value
    }

    /// Sets `SO_RCVBUF` on every socket of the handle (now and as they open). See
    /// [`Socket::set_recv_buffer`].
    ///
    /// # Errors
    /// As [`Handle::set_timeout`].
    pub fn set_recv_buffer(&self, bytes: usize) -> Result<()> {
        self.pool
            .update(|s, g| s.recv_buffer.set(Some(RecvBuffer::Normal(bytes)), g))
    }

    /// Sets `SO_RCVBUFFORCE` on every socket of the handle (now and as they open); needs
    /// `CAP_NET_ADMIN`. See [`Socket::force_recv_buffer`].
    ///
    /// # Errors
    /// As [`Handle::set_timeout`] (`EPERM` without the capability).
    pub fn force_recv_buffer(&self, bytes: usize) -> Result<()> {
        self.pool
            .update(|s, g| s.recv_buffer.set(Some(RecvBuffer::Forced(bytes)), g))
    }

    /// Makes `plan` consulted before every request any socket of this handle sends (see
    /// [`Socket::set_fault_plan`] and [`crate::undo`]); `None` removes it. The plan is
    /// shared, so the requests of all the handle's sockets are its steps, in the order they
    /// are sent.
    pub fn set_fault_plan(&self, plan: Option<FaultPlan>) {
        // Setting a fault plan cannot fail; a socket's transport is not touched.
        let _ = self.pool.update(|s, g| s.faults.set(plan, g));
    }

    /// How many times the typed list operations (`link_list`, `addr_list`, `route_list`,
    /// `neigh_list`, `nsid_list`, ...) dump again after the kernel reported a dump
    /// interrupted (`NLM_F_DUMP_INTR`) before they give up with [`Error::DumpInterrupted`]:
    /// [`DUMP_RETRIES`] unless set with [`Handle::set_dump_retries`].
    pub fn dump_retries(&self) -> usize {
        self.dump_retries.load(Ordering::Relaxed)
    }

    /// Sets [`Handle::dump_retries`]: `0` makes a list operation fail at the first
    /// interrupted dump; a caller that needs a table under constant change sets more.
    ///
    /// ```no_run
    /// use netplumb::Handle;
    /// let h = Handle::new()?;
    /// h.set_dump_retries(20);
    /// let links = h.link_list(&Default::default())?; // up to 21 dumps
    /// # Ok::<(), netplumb::Error>(())
    /// ```
    pub fn set_dump_retries(&self, retries: usize) {
        self.dump_retries.store(retries, Ordering::Relaxed);
    }

    /// The first socket's netlink port id (other sockets of the handle have their own).
    pub fn port_id(&self) -> u32 {
        self.port
    }

    /// The netlink protocol of the handle's sockets.
    pub fn protocol(&self) -> Protocol {
        self.pool.protocol
    }

    /// Sends `msg_type` with `flags | NLM_F_REQUEST | NLM_F_ACK` and `payload`, and waits for
    /// the kernel's acknowledgement. See [`Socket::request`].
    pub fn request(
        &self,
        msg_type: u16,
        flags: NlmsgFlags,
        payload: &(impl Emit + ?Sized),
    ) -> Result<()> {
        self.pool.acquire()?.request(msg_type, flags, payload)
    }

    /// Sends a built [`Request`] and waits for the kernel's acknowledgement. See
    /// [`Socket::send`].
    pub fn send<M: Emit>(&self, request: &Request<M>) -> Result<()> {
        self.pool.acquire()?.send(request)
    }

    /// Sends a request answered by one message (e.g. `RTM_GETLINK` by name, `RTM_GETROUTE`)
    /// and returns a copy of that message. See [`Socket::get`].
    pub fn get(
        &self,
        msg_type: u16,
        flags: NlmsgFlags,
        payload: &(impl Emit + ?Sized),
    ) -> Result<NlmsgBuffer<Vec<u8>>> {
        self.pool.acquire()?.get(msg_type, flags, payload)
    }

    /// Like [`Handle::get`], handing the answer to `f` in place. See [`Socket::get_map`].
    pub fn get_map<T>(
        &self,
        msg_type: u16,
        flags: NlmsgFlags,
        payload: &(impl Emit + ?Sized),
        f: impl FnOnce(NlmsgBuffer<&[u8]>) -> Result<T>,
    ) -> Result<T> {
        self.pool.acquire()?.get_map(msg_type, flags, payload, f)
    }

    /// Starts a dump (`msg_type` with `NLM_F_REQUEST | NLM_F_DUMP`). The dump holds one of
    /// the handle's sockets until it is dropped; other calls meanwhile, from this thread
    /// too, run on other sockets. See [`Socket::dump`].
    pub fn dump(
        &self,
        msg_type: u16,
        payload: &(impl Emit + ?Sized),
    ) -> Result<Dump<PooledSocket<'_>>> {
        Dump::start(self.pool.acquire()?, msg_type, &payload)
    }

    /// A dump whose records' payloads are mapped by `f` as they arrive. See
    /// [`Socket::dump_map`].
    pub fn dump_map<T, F>(
        &self,
        msg_type: u16,
        payload: &(impl Emit + ?Sized),
        f: F,
    ) -> Result<DumpMap<PooledSocket<'_>, F>>
    where
        F: FnMut(&[u8]) -> Result<T>,
    {
        Ok(self.dump(msg_type, payload)?.map(f))
    }

    /// Collects a mapped dump, retrying up to `retries` times while it is interrupted
    /// (`NLM_F_DUMP_INTR`), all on one socket. See [`Socket::dump_retry`]; the typed list
    /// operations pass [`Handle::dump_retries`].
    pub fn dump_retry<T>(
        &self,
        retries: usize,
        msg_type: u16,
        payload: &(impl Emit + ?Sized),
        f: impl FnMut(&[u8]) -> Result<T>,
    ) -> Result<Vec<T>> {
        self.pool
            .acquire()?
            .dump_retry(retries, msg_type, payload, f)
    }

    /// Sends many requests, many per `sendmsg`, and returns one result per request; every
    /// chunk goes out on the same socket. See [`Socket::batch`].
    pub fn batch(&self, batch: &Batch, mode: BatchMode) -> Result<Vec<Result<()>>> {
        self.pool.acquire()?.batch(batch, mode)
    }

    /// Sends every message of `batch` in one `sendmsg` and reports what the kernel said
    /// about each (`None`: nothing). See [`Socket::batch_whole`].
    pub fn batch_whole(&self, batch: &Batch) -> Result<Vec<Option<Result<()>>>> {
        self.pool.acquire()?.batch_whole(batch)
    }

    /// A new socket in the handle's namespace, outside the pool and with the handle's
    /// settings, for a call that needs one of its own beside its requests (to watch for
    /// events while it dumps: [`Handle::route_list_consistent`]). Closed when dropped.
    ///
    /// # Errors
    /// As [`Socket::open_in`]; `EOPNOTSUPP` ([`Error::is_not_supported`]) for a handle made
    /// with [`Handle::from_socket`], which knows no namespace to open it in.
    pub(crate) fn open_unpooled(&self) -> Result<Socket> {
        if !self.pool.can_open() {
            return Err(Error::io(
                "open a second socket: the handle was made from a socket and cannot tell \
                 which namespace to open it in",
                std::io::Error::from_raw_os_error(libc::EOPNOTSUPP),
            ));
        }
        let settings = self.pool.lock().settings.clone();
        self.pool.open(&settings)
    }

    /// A handle whose extra sockets come from `open` (the scripted transport), for unit
    /// tests of the pool.
    #[cfg(test)]
    pub(crate) fn with_opener(
        first: Socket,
        max: usize,
        open: impl Fn() -> Socket + Send + Sync + 'static,
    ) -> Handle {
        Handle::pooled(first, Origin::Fake(Box::new(open)), max)
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

// ---- the pool ----

/// Where a handle opens more sockets.
enum Origin {
    /// Inside this namespace.
    Namespace(NetNs),
    /// Nowhere: the handle has only the socket it was made from.
    Fixed,
    /// From a scripted transport (unit tests).
    #[cfg(test)]
    Fake(Box<dyn Fn() -> Socket + Send + Sync>),
}

/// The sockets of a handle and who holds them.
struct Pool {
    origin: Origin,
    protocol: Protocol,
    /// The first socket (slot 0), there from the start.
    first: Mutex<Socket>,
    /// Slots 1.., one per further socket the handle may open. A slot is filled once and
    /// stays filled, so a held socket's lock guard borrows a slot that never moves.
    rest: Box<[OnceLock<Mutex<Socket>>]>,
    state: Mutex<State>,
    /// Signalled when a socket is given back (or a slot can be opened again), if someone
    /// waits ([`State::waiting_any`]).
    any_idle: Condvar,
    /// Signalled when the first socket is given back, if someone waits for it.
    first_idle: Condvar,
}

/// What the pool knows about its sockets, under one short-held lock.
struct State {
    /// Slot 0 ([`Pool::first`]), then one per slot of [`Pool::rest`].
    slots: Vec<Slot>,
    settings: Settings,
    /// Threads waiting for any socket.
    waiting_any: usize,
    /// Threads waiting for the first socket ([`Handle::socket`]).
    waiting_first: usize,
    /// Sockets beyond the bound, in use by threads that already held one.
    overflow: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SlotState {
    /// No socket yet.
    Closed,
    /// A thread is opening its socket.
    Opening,
    Idle,
    /// In use by this thread.
    Busy(ThreadId),
}

struct Slot {
    state: SlotState,
    /// The settings generation the socket was last brought up to.
    synced: u64,
}

/// The handle's settings for its sockets; each records the generation it was set at, so
/// that a socket is given only what changed since it was last brought up to date (and a
/// setting made through [`Handle::socket`] survives until the handle sets the same one).
#[derive(Clone)]
struct Settings {
    generation: u64,
    timeout: Setting<Option<Duration>>,
    recv_buffer: Setting<Option<RecvBuffer>>,
    faults: Setting<Option<FaultPlan>>,
}

#[derive(Clone)]
struct Setting<T> {
    value: T,
    /// The generation it was set at; 0: never set through the handle.
    changed: u64,
}

impl<T> Setting<T> {
    fn initial(value: T) -> Self {
        Setting { value, changed: 0 }
    }

    fn set(&mut self, value: T, generation: u64) {
        self.value = value;
        self.changed = generation;
    }

    /// The value, if it changed after generation `since`.
    fn since(&self, since: u64) -> Option<&T> {
        (self.changed > since).then_some(&self.value)
    }
}

#[derive(Debug, Clone, Copy)]
enum RecvBuffer {
    Normal(usize),
    Forced(usize),
}

impl Settings {
    /// Applies to `socket` what changed after generation `since`; every setting is tried,
    /// the first error returned.
    fn apply(&self, socket: &mut Socket, since: u64) -> Result<()> {
        let mut r = Ok(());
        if let Some(&t) = self.timeout.since(since) {
            r = r.and(socket.set_timeout(t));
        }
        match self.recv_buffer.since(since) {
            Some(Some(RecvBuffer::Normal(b))) => r = r.and(socket.set_recv_buffer(*b)),
            Some(Some(RecvBuffer::Forced(b))) => r = r.and(socket.force_recv_buffer(*b)),
            _ => {}
        }
        if let Some(plan) = self.faults.since(since) {
            socket.set_fault_plan(plan.clone());
        }
        r
    }
}

/// What [`Pool::acquire`] does next.
enum Next {
    Take(usize),
    Open(usize),
    Overflow,
    Wait,
}

/// Whether the calling thread is in `ns` (compared by the namespace file's identity).
fn in_namespace(ns: &NetNs) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/thread-self/ns/net")
        .is_ok_and(|m| m.ino() == ns.inode() && m.dev() == ns.device())
}

impl Pool {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Only the pool's own short, non-panicking sections hold this lock.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn can_open(&self) -> bool {
        !matches!(self.origin, Origin::Fixed)
    }

    /// Slot `i`'s socket, if it has one.
    fn socket_of(&self, i: usize) -> Option<&Mutex<Socket>> {
        match i.checked_sub(1) {
            None => Some(&self.first),
            Some(j) => self.rest.get(j)?.get(),
        }
    }

    /// Opens a socket in the handle's namespace, with the handle's settings.
    fn open(&self, settings: &Settings) -> Result<Socket> {
        let mut socket = match &self.origin {
            Origin::Namespace(ns) if in_namespace(ns) => Socket::open_protocol(self.protocol)?,
            Origin::Namespace(ns) => Socket::open_in(ns, self.protocol)?,
            Origin::Fixed => return Err(would_deadlock()),
            #[cfg(test)]
            Origin::Fake(open) => open(),
        };
        settings.apply(&mut socket, 0)?;
        Ok(socket)
    }

    /// Takes a socket for a call: an idle one, else a new one, else (for a thread that
    /// already holds one) one beyond the bound, else waits for one.
    fn acquire(&self) -> Result<PooledSocket<'_>> {
        let me = std::thread::current().id();
        let mut st = self.lock();
        let mut open_failed = None;
        loop {
            match self.next(&st, me, open_failed.is_some()) {
                Next::Take(i) => {
                    let (mut guard, pending) = self.take(st, i, me);
                    // On an error the guard gives the socket back, still behind: the next
                    // call tries again.
                    self.sync(&mut guard, i, pending)?;
                    return Ok(guard);
                }
                Next::Open(i) => {
                    let Some(cell) = i.checked_sub(1).and_then(|j| self.rest.get(j)) else {
                        return Err(Error::Protocol(format!("no socket slot {i} to open")));
                    };
                    if let Some(s) = st.slots.get_mut(i) {
                        s.state = SlotState::Opening;
                    }
                    let settings = st.settings.clone();
                    drop(st);
                    let opened = self.open(&settings);
                    st = self.lock();
                    match opened {
                        Ok(socket) => {
                            let _ = cell.set(Mutex::new(socket));
                            if let Some(s) = st.slots.get_mut(i) {
                                s.state = SlotState::Busy(me);
                                s.synced = settings.generation;
                            }
                            drop(st);
                            if let Some(m) = cell.get() {
                                return Ok(PooledSocket::slot(self, i, lock_socket(m)));
                            }
                            return Err(Error::Protocol(format!("socket slot {i} is empty")));
                        }
                        // Other sockets exist (the first always does): wait for one of
                        // them rather than fail the call, and try no other open in this
                        // call.
                        Err(e) => {
                            if let Some(s) = st.slots.get_mut(i) {
                                s.state = SlotState::Closed;
                            }
                            open_failed = Some(e);
                            if st.waiting_any > 0 {
                                self.any_idle.notify_one();
                            }
                        }
                    }
                }
                Next::Overflow => {
                    if let Some(e) = open_failed {
                        return Err(e);
                    }
                    if !self.can_open() {
                        return Err(would_deadlock());
                    }
                    let settings = st.settings.clone();
                    drop(st);
                    let socket = self.open(&settings)?;
                    self.lock().overflow += 1;
                    return Ok(PooledSocket {
                        pool: self,
                        slot: None,
                        held: Held::Own(Box::new(socket)),
                    });
                }
                Next::Wait => {
                    st.waiting_any += 1;
                    st = self
                        .any_idle
                        .wait(st)
                        .unwrap_or_else(PoisonError::into_inner);
                    st.waiting_any -= 1;
                }
            }
        }
    }

    /// What [`Pool::acquire`] does in state `st`.
    fn next(&self, st: &State, me: ThreadId, open_failed: bool) -> Next {
        // Leave the first socket to a thread waiting for it when another will do.
        let first_wanted = st.waiting_first > 0;
        let idle = |i: usize, s: &Slot| s.state == SlotState::Idle && !(i == 0 && first_wanted);
        if let Some(i) = st.slots.iter().enumerate().position(|(i, s)| idle(i, s)) {
            return Next::Take(i);
        }
        let closed = st.slots.iter().position(|s| s.state == SlotState::Closed);
        if let Some(i) = closed.filter(|_| self.can_open() && !open_failed) {
            return Next::Open(i);
        }
        if st.slots.iter().any(|s| s.state == SlotState::Busy(me)) {
            // This thread holds a socket: waiting could be waiting for itself.
            if st.slots.first().map(|s| s.state) == Some(SlotState::Idle) {
                return Next::Take(0);
            }
            return Next::Overflow;
        }
        Next::Wait
    }

    /// Marks idle slot `i` busy for `me` and locks its socket; returns the settings it
    /// still has to be brought up to, if any.
    fn take(
        &self,
        mut st: MutexGuard<'_, State>,
        i: usize,
        me: ThreadId,
    ) -> (PooledSocket<'_>, Option<(Settings, u64)>) {
        let mut pending = None;
        if let Some(s) = st.slots.get_mut(i) {
            s.state = SlotState::Busy(me);
            let since = s.synced;
            if since < st.settings.generation {
                pending = Some((st.settings.clone(), since));
            }
        }
        drop(st);
        // An idle slot has its socket; only a releasing thread may still hold its lock,
        // for a moment.
        let m = self.socket_of(i).unwrap_or(&self.first);
        (PooledSocket::slot(self, i, lock_socket(m)), pending)
    }

    /// Brings the socket of slot `i` up to `pending` settings.
    fn sync(&self, socket: &mut Socket, i: usize, pending: Option<(Settings, u64)>) -> Result<()> {
        let Some((settings, since)) = pending else {
            return Ok(());
        };
        settings.apply(socket, since)?;
        if let Some(s) = self.lock().slots.get_mut(i) {
            s.synced = s.synced.max(settings.generation);
        }
        Ok(())
    }

    /// The first socket, waiting for it ([`Handle::socket`]).
    fn acquire_first(&self) -> PooledSocket<'_> {
        let me = std::thread::current().id();
        let mut st = self.lock();
        while st.slots.first().map(|s| s.state) != Some(SlotState::Idle) {
            st.waiting_first += 1;
            st = self
                .first_idle
                .wait(st)
                .unwrap_or_else(PoisonError::into_inner);
            st.waiting_first -= 1;
        }
        let (mut guard, pending) = self.take(st, 0, me);
        // Only a setsockopt can fail here; the socket then stays behind and the next call
        // tries again. The caller gets the socket either way.
        let _ = self.sync(&mut guard, 0, pending);
        guard
    }

    /// Gives slot `i`'s socket back and wakes a waiter.
    fn release(&self, i: usize) {
        let mut st = self.lock();
        if let Some(s) = st.slots.get_mut(i) {
            s.state = SlotState::Idle;
        }
        if i == 0 && st.waiting_first > 0 {
            self.first_idle.notify_all();
        }
        if st.waiting_any > 0 {
            self.any_idle.notify_one();
        }
    }

    /// Changes a setting (`f` is given the new generation) and applies it to the idle
    /// sockets now; busy ones get it when next taken.
    fn update(&self, f: impl FnOnce(&mut Settings, u64)) -> Result<()> {
        let mut st = self.lock();
        let st = &mut *st;
        st.settings.generation += 1;
        let generation = st.settings.generation;
        f(&mut st.settings, generation);
        let mut r = Ok(());
        for (i, slot) in st.slots.iter_mut().enumerate() {
            if slot.state != SlotState::Idle {
                continue;
            }
            let Some(m) = self.socket_of(i) else { continue };
            // A thread giving the socket back may hold its lock for a moment (it marks the
            // slot idle first); never wait for it under the pool's lock: the socket is
            // brought up to date when next taken.
            let mut socket = match m.try_lock() {
                Ok(g) => g,
                Err(TryLockError::Poisoned(p)) => p.into_inner(),
                Err(TryLockError::WouldBlock) => continue,
            };
            match st.settings.apply(&mut socket, slot.synced) {
                Ok(()) => slot.synced = generation,
                Err(e) => r = r.and(Err(e)),
            }
        }
        r
    }
}

/// Locks a socket of the pool.
fn lock_socket(m: &Mutex<Socket>) -> MutexGuard<'_, Socket> {
    // A panic while a socket was held cannot leave it mid-reply: a dump drains itself on
    // drop, and replies are matched by sequence number. So a poisoned lock is still usable.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The error of a call that would wait for a socket its own thread holds.
fn would_deadlock() -> Error {
    Error::io(
        "take a socket of the handle: this thread already holds the only one (a dump in \
         progress?), and the handle was made from a socket, so it cannot open another",
        std::io::Error::from_raw_os_error(libc::EDEADLK),
    )
}

/// One of a [`Handle`]'s sockets, held until dropped and then given back to the handle:
/// what [`Handle::socket`] returns and what a handle's [`Dump`] holds. Dereferences to the
/// [`Socket`].
pub struct PooledSocket<'h> {
    pool: &'h Pool,
    /// The slot, or `None` for a socket beyond the bound (closed when dropped).
    slot: Option<usize>,
    held: Held<'h>,
}

enum Held<'h> {
    Slot(MutexGuard<'h, Socket>),
    Own(Box<Socket>),
}

impl<'h> PooledSocket<'h> {
    fn slot(pool: &'h Pool, i: usize, g: MutexGuard<'h, Socket>) -> Self {
        PooledSocket {
            pool,
            slot: Some(i),
            held: Held::Slot(g),
        }
    }
}

impl std::fmt::Debug for PooledSocket<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PooledSocket")
            .field("slot", &self.slot)
            .field("socket", &**self)
            .finish()
    }
}

impl Deref for PooledSocket<'_> {
    type Target = Socket;
    fn deref(&self) -> &Socket {
        match &self.held {
            Held::Slot(g) => g,
            Held::Own(s) => s,
        }
    }
}

impl DerefMut for PooledSocket<'_> {
    fn deref_mut(&mut self) -> &mut Socket {
        match &mut self.held {
            Held::Slot(g) => g,
            Held::Own(s) => s,
        }
    }
}

impl Drop for PooledSocket<'_> {
    fn drop(&mut self) {
        // The socket's own lock is released right after this (when `held` drops); a thread
        // that takes the slot meanwhile waits for that moment.
        match self.slot {
            Some(i) => self.pool.release(i),
            None => {
                let mut st = self.pool.lock();
                st.overflow = st.overflow.saturating_sub(1);
            }
        }
    }
}

#[cfg(test)]
mod tests;
