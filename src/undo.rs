//! Undo logs for multi-step plumbing, and fault plans that make step N fail in tests.
//!
//! A setup that makes several changes (create a veth, move its peer, add an address, add a
//! route, add an nftables table, run a CNI plugin, ...) records, as it makes each change,
//! the step that takes it back: an [`Undo`] log. If a later step fails, [`Undo::rollback`]
//! runs the recorded steps in reverse order and returns the first error together with every
//! cleanup error; [`Undo::run`] does this around a closure. The same log, kept after a
//! success, is the complete teardown ([`Undo::teardown`]): every step is attempted, every
//! error collected, and a step whose object is already gone counts as done, so a teardown
//! can run twice (CNI DEL semantics). A step that fails in a teardown stays in the log, so
//! the next teardown retries exactly the steps that failed (and one after a clean teardown
//! does nothing).
//!
//! A step is either a kernel request sent on a [`Handle`] (a [`Request`], e.g. the
//! `RTM_DELLINK` that deletes a link just created) or any closure (close a descriptor,
//! delete an nftables table, run a CNI DEL). Closures are `FnMut` because a step that
//! failed runs again in the next teardown.
//!
//! **Logs that outlive the call that made them.** `Undo<'a>` holds steps that borrow for
//! `'a`. A log that ends with its operation (the rollback of a failed setup) borrows the
//! handles and values of that call. A log kept in a value for a later teardown (a VM's
//! container side, an attachment) is an `Undo<'static>`: its closures own what they use,
//! and its requests go to a handle it shares ([`StepHandle::Shared`], an `Arc<Handle>`).
//!
//! **Errors of other layers.** A log's steps fail with the crate's [`Error`] unless the
//! layer has its own error type: `Undo<'a, E>` for any `E` that implements [`UndoError`]
//! (the CNI runtime's logs run plugins' DELs and fail with its error type). Request steps
//! and injected faults are converted with `E::from`.
//!
//! A [`FaultPlan`] makes step N fail, against the real kernel as well as the fake transport
//! of the unit tests: given to a handle ([`Handle::set_fault_plan`]) it is consulted before
//! every request the handle sends, and given to a log ([`Undo::with_faults`],
//! [`Undo::set_faults`]) before every closure step; an operation consults it before its
//! other steps with [`Undo::check`] or [`FaultPlan::check`]. A dry run with
//! [`FaultPlan::never`] counts the steps; then each step is failed in turn to show that
//! nothing is left behind.
//!
//! ```no_run
//! use netplumb::link::{LinkChange, LinkSpec};
//! use netplumb::route::{RouteOp, RouteSpec};
//! use netplumb::undo::Undo;
//! use netplumb::{Handle, NetNs};
//! # fn main() -> netplumb::Result<()> {
//! let h = Handle::new()?;
//! let ns = NetNs::open_name("c1")?;
//! let mut undo = Undo::new();
//! // Any error in the closure rolls back what was recorded, in reverse order.
//! undo.run(|undo| {
//!     h.link_add_recorded(&LinkSpec::veth("veth1a2b", "eth0"), undo)?; // records RTM_DELLINK
//!     h.link_set("eth0", &LinkChange::new().netns(&ns))?; // goes with its peer's deletion
//!     let route = RouteSpec::new("198.18.7.0/24".parse()?).dev("veth1a2b");
//!     h.route_add(&route)?;
//!     undo.push_request(&h, h.route_request(RouteOp::Del, &route)?);
//!     Ok(())
//! })?;
//! // ... and later, the complete teardown (a second run finds nothing and succeeds).
//! undo.teardown()?;
//! # Ok(()) }
//! ```
//!
//! A log kept for later, owning what its steps need:
//!
//! ```no_run
//! use netplumb::link::{LinkSpec, link_del_request};
//! use netplumb::undo::Undo;
//! use netplumb::Handle;
//! use std::sync::Arc;
//! struct Attachment {
//!     undo: Undo<'static>,
//! }
//! fn attach(h: Arc<Handle>) -> netplumb::Result<Attachment> {
//!     let mut undo = Undo::new();
//!     undo.run(|undo| {
//!         h.link_add(&LinkSpec::bridge("br7"))?;
//!         undo.push_request(Arc::clone(&h), link_del_request("br7")?);
//!         Ok(())
//!     })?;
//!     Ok(Attachment { undo })
//! }
//! # fn main() -> netplumb::Result<()> {
//! let mut a = attach(Arc::new(Handle::new()?))?;
//! // Failed steps stay in the log: calling teardown again retries only them.
//! a.undo.teardown()?;
//! # Ok(()) }
//! ```

use crate::error::{Error, KernelError, Result};
use crate::handle::Handle;
use crate::socket::{Protocol, Request};
use crate::wire::Emit;
use crate::wire::nlmsg::NlmsgFlags;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

/// What an undo log needs of the error type its steps fail with: whether a failure means
/// "already undone", and how to report a failed rollback and a failed teardown.
///
/// `From<Error>` brings request steps' and injected faults' errors in.
pub trait UndoError: From<Error> {
    /// Whether a step that failed with this error found its object already gone: such a
    /// step counts as done (it is neither reported nor retried).
    fn is_gone(&self) -> bool;

    /// `error`, the failure that caused a rollback, with `cleanup`, the errors of the undo
    /// steps that failed (never empty), in the order they ran.
    fn rolled_back(error: Self, cleanup: Vec<Self>) -> Self;

    /// The errors of a teardown's failed steps (never empty), in the order they ran.
    fn teardown_failed(errors: Vec<Self>) -> Self;
}

impl UndoError for Error {
    /// [`Error::is_not_found`].
    fn is_gone(&self) -> bool {
        self.is_not_found()
    }

    /// [`Error::RolledBack`].
    fn rolled_back(error: Self, cleanup: Vec<Self>) -> Self {
        Error::RolledBack {
            error: Box::new(error),
            cleanup,
        }
    }

    /// [`Error::Teardown`].
    fn teardown_failed(errors: Vec<Self>) -> Self {
        Error::Teardown { errors }
    }
}

/// The handle a request step is sent on.
///
/// [`Undo::push_request`] takes anything that converts into one: a `&Handle` for a log that
/// ends with the call that made it, an `Arc<Handle>` for a log kept for later. It derefs to
/// the handle, so an operation can send its own requests through the same value.
#[derive(Debug, Clone)]
pub enum StepHandle<'a> {
    /// A handle the log borrows.
    Borrowed(&'a Handle),
    /// A handle the log shares (for an `Undo<'static>`).
    Shared(Arc<Handle>),
}

impl<'a> From<&'a Handle> for StepHandle<'a> {
    fn from(h: &'a Handle) -> Self {
        StepHandle::Borrowed(h)
    }
}

impl From<Arc<Handle>> for StepHandle<'_> {
    fn from(h: Arc<Handle>) -> Self {
        StepHandle::Shared(h)
    }
}

impl std::ops::Deref for StepHandle<'_> {
    type Target = Handle;

    fn deref(&self) -> &Handle {
        match self {
            StepHandle::Borrowed(h) => h,
            StepHandle::Shared(h) => h,
        }
    }
}

/// A log of undo steps, recorded as changes are made and run in reverse order.
///
/// `'a` is what the steps borrow: the handles their requests go to, what their closures
/// capture (`'static` for a log kept in a value, see the module docs). `E` is the error
/// type the steps fail with (the crate's [`Error`] unless a layer has its own, see
/// [`UndoError`]).
///
/// Dropping a log runs nothing (the changes stay, as after [`Undo::commit`]); use
/// [`Undo::run`] so that an early return cannot skip the rollback.
///
/// ```
/// use netplumb::Error;
/// use netplumb::undo::Undo;
/// use std::sync::Mutex;
/// let done = Mutex::new(Vec::new());
/// let mut undo = Undo::new();
/// let r: netplumb::Result<()> = undo.run(|undo| {
///     undo.push("close a", || Ok(done.lock().unwrap().push("a")));
///     undo.push("close b", || Ok(done.lock().unwrap().push("b")));
///     Err(Error::invalid("step 3", "refused"))
/// });
/// assert!(r.unwrap_err().is_invalid()); // the first error, as it was
/// assert_eq!(*done.lock().unwrap(), ["b", "a"]); // rolled back in reverse
/// assert!(undo.is_empty());
/// ```
#[must_use = "an undo log does nothing unless it is rolled back or torn down"]
pub struct Undo<'a, E = Error> {
    steps: Vec<Step<'a, E>>,
    faults: Option<FaultPlan>,
}

/// One recorded step: what it is, and how to run it.
struct Step<'a, E> {
    what: String,
    /// In a mutex only so that a log, and a value that keeps one, can be shared between
    /// threads (`Sync`); the log's methods take `&mut self` and never lock it.
    action: Mutex<Action<'a, E>>,
}

type Closure<'a, E> = Box<dyn FnMut() -> std::result::Result<(), E> + Send + 'a>;

enum Action<'a, E> {
    /// A kernel request on a handle.
    Request {
        handle: StepHandle<'a>,
        msg_type: u16,
        flags: NlmsgFlags,
        message: Box<dyn Emit + Send + 'a>,
    },
    /// Anything else.
    Closure(Closure<'a, E>),
}

impl<E> fmt::Debug for Undo<'_, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Undo")
            .field("steps", &self.steps().collect::<Vec<_>>())
            .field("faults", &self.faults)
            .finish()
    }
}

impl<E> Default for Undo<'_, E> {
    /// An empty log, without a fault plan.
    fn default() -> Self {
        Undo {
            steps: Vec::new(),
            faults: None,
        }
    }
}

impl<'a> Undo<'a> {
    /// An empty log whose steps fail with the crate's [`Error`] (for another error type,
    /// [`Undo::default`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty log whose closure steps, and [`Undo::check`], consult `faults` before they
    /// run (give the same plan to the handles the requests go to, with
    /// [`Handle::set_fault_plan`], to count every step in one sequence).
    pub fn with_faults(faults: FaultPlan) -> Self {
        let mut undo = Self::new();
        undo.set_faults(Some(faults));
        undo
    }
}

impl<'a, E> Undo<'a, E> {
    /// Makes the log's closure steps, and [`Undo::check`], consult `faults` (see
    /// [`Undo::with_faults`]); `None` removes the plan.
    pub fn set_faults(&mut self, faults: Option<FaultPlan>) {
        self.faults = faults;
    }

    /// The log's fault plan, if any.
    pub fn faults(&self) -> Option<&FaultPlan> {
        self.faults.as_ref()
    }

    /// Consults the log's fault plan (if any) before a forward step that is not a request
    /// sent on a handle (e.g. before opening a file, before running a plugin): the injected
    /// error when this is the step the plan fails.
    ///
    /// # Errors
    /// The injected fault.
    pub fn check(&self, what: &str) -> Result<()> {
        self.faults.as_ref().map_or(Ok(()), |f| f.check(what))
    }

    /// Records a kernel request that undoes a change: sent on `handle` (as
    /// [`Handle::send`]) when the log is rolled back or torn down. `handle` is a `&Handle`,
    /// or an `Arc<Handle>` for a log kept for later ([`StepHandle`]).
    pub fn push_request<M: Emit + Send + 'a>(
        &mut self,
        handle: impl Into<StepHandle<'a>>,
        request: Request<M>,
    ) {
        let what = request.name();
        self.push_request_as(what, handle, request);
    }

    /// [`Undo::push_request`] described by `what` instead of the message type's rtnetlink
    /// name (e.g. `"NFT_MSG_DELTABLE nat"` for a request of another protocol).
    pub fn push_request_as<M: Emit + Send + 'a>(
        &mut self,
        what: impl Into<String>,
        handle: impl Into<StepHandle<'a>>,
        request: Request<M>,
    ) {
        let (msg_type, flags, message) = request.into_parts();
        self.push_action(
            what.into(),
            Action::Request {
                handle: handle.into(),
                msg_type,
                flags,
                message: Box::new(message),
            },
        );
    }

    /// Records a closure that undoes a change, described by `what` (in errors and
    /// [`Undo::steps`]). It runs once in a rollback or a successful teardown, and again in
    /// each later teardown as long as it fails (an error that [`UndoError::is_gone`] counts
    /// as success).
    pub fn push(
        &mut self,
        what: impl Into<String>,
        undo: impl FnMut() -> std::result::Result<(), E> + Send + 'a,
    ) {
        self.push_action(what.into(), Action::Closure(Box::new(undo)));
    }

    fn push_action(&mut self, what: String, action: Action<'a, E>) {
        self.steps.push(Step {
            what,
            action: Mutex::new(action),
        });
    }

    /// Appends every step of `other` (after this log's own), e.g. the log of a sub-operation.
    pub fn append(&mut self, other: &mut Undo<'a, E>) {
        self.steps.append(&mut other.steps);
    }

    /// How many steps are recorded.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// True when no step is recorded.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// What the recorded steps are, in the order they were recorded (they run in reverse).
    pub fn steps(&self) -> impl Iterator<Item = &str> {
        self.steps.iter().map(|s| s.what.as_str())
    }

    /// Forgets every step: the changes stay.
    pub fn commit(&mut self) {
        self.steps.clear();
    }
}

impl<E: UndoError> Undo<'_, E> {
    /// Runs `f`, which makes changes and records their undo steps in this log. If `f`
    /// fails, every step of the log is rolled back ([`Undo::rollback`]) and the error is
    /// returned; if it succeeds, the steps stay recorded, for [`Undo::commit`] or a later
    /// [`Undo::teardown`].
    ///
    /// # Errors
    /// `f`'s error, or [`UndoError::rolled_back`] of it ([`Error::RolledBack`]) if the
    /// rollback failed too.
    pub fn run<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        f(self).map_err(|e| self.rollback(e))
    }

    /// Undoes every recorded step, most recent first, after the failure `error`; the log is
    /// then empty (a rollback reports what it could not undo, in the error, and keeps no
    /// step for a retry: the operation that failed returns no value to retry on). Every
    /// step is attempted even when one fails; a step whose object is already gone
    /// ([`UndoError::is_gone`], e.g. [`Error::is_not_found`]) counts as done.
    ///
    /// Returns `error` as it is when every step succeeded, else
    /// [`UndoError::rolled_back`] of `error` and every cleanup error ([`Error::RolledBack`],
    /// whose predicates, such as [`Error::is_exists`], answer for `error`).
    pub fn rollback(&mut self, error: E) -> E {
        let cleanup = self.run_all();
        self.steps.clear();
        if cleanup.is_empty() {
            error
        } else {
            E::rolled_back(error, cleanup)
        }
    }

    /// Runs every recorded step, most recent first: the complete teardown of what the log
    /// recorded. Every step is attempted even when one fails; a step whose object is
    /// already gone ([`UndoError::is_gone`]) counts as done, so a teardown of what no
    /// longer exists succeeds.
    ///
    /// The steps that failed stay in the log, in their order, and nothing else: calling
    /// `teardown` again retries exactly those, and after a clean teardown the log is empty
    /// and another does nothing.
    ///
    /// # Errors
    /// [`UndoError::teardown_failed`] ([`Error::Teardown`]) with every failed step's error,
    /// in the order the steps ran.
    pub fn teardown(&mut self) -> std::result::Result<(), E> {
        let errors = self.run_all();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(E::teardown_failed(errors))
        }
    }

    /// Runs every step, most recent first; keeps those that failed (in recorded order) and
    /// returns their errors.
    fn run_all(&mut self) -> Vec<E> {
        let mut errors = Vec::new();
        let mut failed = Vec::new();
        while let Some(mut step) = self.steps.pop() {
            match self.run_step(&mut step) {
                Err(e) if !e.is_gone() => {
                    errors.push(e);
                    failed.push(step);
                }
                _ => {}
            }
        }
        failed.reverse();
        self.steps = failed;
        errors
    }

    fn run_step(&self, step: &mut Step<'_, E>) -> std::result::Result<(), E> {
        let action = step
            .action
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        match action {
            Action::Request {
                handle,
                msg_type,
                flags,
                message,
            } => Ok(handle.request(*msg_type, *flags, &**message)?),
            Action::Closure(f) => {
                self.check(&step.what)?;
                f()
            }
        }
    }
}

/// Which steps a [`FaultPlan`] fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    Never,
    At(usize),
    From(usize),
}

#[derive(Debug)]
struct FaultState {
    which: Which,
    errno: Option<i32>,
    /// What each step that consulted the plan was, in order.
    log: Vec<String>,
}

/// Which step of a multi-step operation fails, for tests: consulted before each step, it
/// counts the steps (0 first) and fails the chosen ones with an injected error.
///
/// A plan is shared: clones count into the same sequence, so one plan given to several
/// handles and to an undo log numbers all their steps together. A request refused by a
/// plan is not sent.
///
/// ```
/// use netplumb::undo::FaultPlan;
/// let plan = FaultPlan::fail_at(1);
/// assert!(plan.check("open").is_ok());
/// let e = plan.check("write").unwrap_err();
/// assert!(e.is_injected());
/// assert!(plan.check("close").is_ok()); // only step 1
/// assert_eq!(plan.steps(), 3);
/// assert_eq!(plan.log(), ["open", "write", "close"]);
///
/// // Injected as an errno: a kernel error for a request, an I/O error for other steps.
/// let exists = FaultPlan::fail_at(0).with_errno(libc::EEXIST);
/// assert!(exists.check("create").unwrap_err().is_exists());
/// ```
#[derive(Debug, Clone)]
pub struct FaultPlan {
    state: Arc<Mutex<FaultState>>,
}

impl FaultPlan {
    fn new(which: Which) -> Self {
        FaultPlan {
            state: Arc::new(Mutex::new(FaultState {
                which,
                errno: None,
                log: Vec::new(),
            })),
        }
    }

    /// Fails no step, only counts them: a dry run, to learn how many steps an operation
    /// takes ([`FaultPlan::steps`]) and what they are ([`FaultPlan::log`]).
    pub fn never() -> Self {
        Self::new(Which::Never)
    }

    /// Fails step `step` (counting from 0), and only that one: the rollback that follows
    /// runs normally.
    pub fn fail_at(step: usize) -> Self {
        Self::new(Which::At(step))
    }

    /// Fails step `step` and every step after it, the rollback's included: to see cleanup
    /// errors collected.
    pub fn fail_from(step: usize) -> Self {
        Self::new(Which::From(step))
    }

    /// The injected error carries `errno`: a [`KernelError`] for a request (as if the kernel
    /// had refused it), an [`Error::Io`] for any other step. Without it the error is
    /// [`Error::Injected`].
    #[must_use]
    pub fn with_errno(self, errno: i32) -> Self {
        self.lock().errno = Some(errno);
        self
    }

    /// How many steps have consulted the plan.
    pub fn steps(&self) -> usize {
        self.lock().log.len()
    }

    /// What each step that consulted the plan was, in order.
    pub fn log(&self) -> Vec<String> {
        self.lock().log.clone()
    }

    /// Counts a step described by `what` and fails it if the plan says so. Operations call
    /// this before each step that is not a request on a handle with this plan.
    ///
    /// # Errors
    /// The injected fault: [`Error::Injected`], or with [`FaultPlan::with_errno`] an
    /// [`Error::Io`] with that errno.
    pub fn check(&self, what: &str) -> Result<()> {
        let (step, errno) = match self.next(what) {
            None => return Ok(()),
            Some(f) => f,
        };
        Err(match errno {
            Some(errno) => Error::io(
                format!("injected fault at step {step}: {what}"),
                std::io::Error::from_raw_os_error(errno),
            ),
            None => Error::Injected {
                step,
                what: what.to_string(),
            },
        })
    }

    /// [`FaultPlan::check`] for a request of `msg_type` on a `protocol` socket; with an
    /// errno the fault is a [`KernelError`] naming the request.
    pub(crate) fn check_request(&self, protocol: Protocol, msg_type: u16, seq: u32) -> Result<()> {
        let what = match (protocol, protocol.message_type_name(msg_type)) {
            (_, Some(name)) => name.to_string(),
            (Protocol::Route, None) => format!("request type {msg_type}"),
            (p, None) => format!("{} request type {msg_type:#06x}", p.name()),
        };
        let (step, errno) = match self.next(&what) {
            None => return Ok(()),
            Some(f) => f,
        };
        Err(match errno {
            Some(errno) => Error::Kernel(KernelError {
                protocol,
                errno,
                message: Some(format!("injected fault at step {step}")),
                bad_attr_offset: None,
                missing_type: None,
                request_type: msg_type,
                request_seq: seq,
                request_index: None,
                // Nothing came from the kernel: an injected fault has no reply bytes.
                reply: Vec::new(),
            }),
            None => Error::Injected { step, what },
        })
    }

    /// Counts a step; `Some((step, errno))` when it must fail.
    fn next(&self, what: &str) -> Option<(usize, Option<i32>)> {
        let mut s = self.lock();
        let step = s.log.len();
        s.log.push(what.to_string());
        let fail = match s.which {
            Which::Never => false,
            Which::At(n) => step == n,
            Which::From(n) => step >= n,
        };
        fail.then_some((step, s.errno))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FaultState> {
        // The state is a counter and a log: a panic elsewhere cannot leave it inconsistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::socket::fake::{self, error_reply, kernel, requests};
    use crate::wire::NlmsgBuffer;
    use crate::wire::nlmsg::{RTM_DELLINK, RTM_NEWLINK};
    use std::sync::Mutex;

    /// A closure step that appends `name` to `log`, and fails with `result`'s error.
    fn step<'a>(
        log: &'a Mutex<Vec<&'static str>>,
        name: &'static str,
        result: fn() -> Result<()>,
    ) -> impl FnMut() -> Result<()> + Send + 'a {
        move || {
            log.lock().unwrap().push(name);
            result()
        }
    }

    fn ok() -> Result<()> {
        Ok(())
    }
    fn busy() -> Result<()> {
        Err(Error::io(
            "close",
            std::io::Error::from_raw_os_error(libc::EBUSY),
        ))
    }
    fn gone() -> Result<()> {
        Err(Error::NotFound {
            what: "link",
            name: "x".into(),
        })
    }

    #[test]
    fn rollback_runs_in_reverse_and_returns_the_first_error_with_every_cleanup_error() {
        let log = Mutex::new(Vec::new());
        let mut undo = Undo::new();
        undo.push("a", step(&log, "a", busy));
        undo.push("b", step(&log, "b", ok));
        undo.push("c", step(&log, "c", gone));
        undo.push("d", step(&log, "d", busy));
        assert_eq!(undo.steps().collect::<Vec<_>>(), ["a", "b", "c", "d"]);
        let e = undo.rollback(Error::invalid("step", "refused"));
        assert_eq!(*log.lock().unwrap(), ["d", "c", "b", "a"]);
        assert!(undo.is_empty());
        // The predicates answer for the first error; both cleanup errors are kept; the
        // step whose object was gone is not one.
        assert!(e.is_invalid(), "{e}");
        assert_eq!(e.cleanup_errors().len(), 2);
        assert!(
            e.cleanup_errors()
                .iter()
                .all(|c| c.errno() == Some(libc::EBUSY))
        );
        let text = e.to_string();
        assert!(
            text.starts_with("invalid step: refused; rolling back failed too: close: "),
            "{text}"
        );
    }

    #[test]
    fn a_clean_rollback_returns_the_error_unchanged() {
        let log = Mutex::new(Vec::new());
        let mut undo = Undo::new();
        undo.push("a", step(&log, "a", ok));
        undo.push("b", step(&log, "b", gone));
        let e = undo.rollback(Error::Timeout(std::time::Duration::from_secs(1)));
        assert!(matches!(e, Error::Timeout(_)), "{e:?}");
        assert_eq!(*log.lock().unwrap(), ["b", "a"]);
    }

    #[test]
    fn run_rolls_back_on_error_and_keeps_the_steps_on_success() {
        let log = Mutex::new(Vec::new());
        let mut undo = Undo::new();
        let v = undo
            .run(|u| {
                u.push("a", step(&log, "a", ok));
                Ok(7)
            })
            .unwrap();
        assert_eq!(v, 7);
        assert_eq!(undo.len(), 1);
        assert!(log.lock().unwrap().is_empty());
        // A second run on the same log rolls back everything it holds.
        let e = undo
            .run(|u| -> Result<()> {
                u.push("b", step(&log, "b", ok));
                Err(Error::invalid("x", "y"))
            })
            .unwrap_err();
        assert!(e.is_invalid());
        assert_eq!(*log.lock().unwrap(), ["b", "a"]);
        assert!(undo.is_empty());
        // Committed steps never run.
        undo.push("c", step(&log, "c", ok));
        undo.commit();
        assert!(undo.teardown().is_ok());
        assert_eq!(log.lock().unwrap().len(), 2);
    }

    #[test]
    fn teardown_attempts_every_step_and_collects_every_error() {
        let log = Mutex::new(Vec::new());
        let mut undo = Undo::new();
        undo.push("a", step(&log, "a", busy));
        undo.push("b", step(&log, "b", gone));
        undo.push("c", step(&log, "c", busy));
        undo.push("d", step(&log, "d", ok));
        let e = undo.teardown().unwrap_err();
        assert_eq!(*log.lock().unwrap(), ["d", "c", "b", "a"]);
        let Error::Teardown { errors } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(errors.len(), 2);
        assert!(
            e.to_string().starts_with("teardown: 2 step(s) failed: "),
            "{e}"
        );
        // What is already gone is done: a teardown of nothing left succeeds.
        let mut again = Undo::new();
        again.push("b", step(&log, "b", gone));
        assert!(again.teardown().is_ok());
    }

    #[test]
    fn a_teardown_keeps_the_failed_steps_and_the_next_one_retries_only_them() {
        let log = Mutex::new(Vec::new());
        let flaky = std::sync::atomic::AtomicBool::new(true);
        let mut undo = Undo::new();
        undo.push("a", step(&log, "a", busy));
        undo.push("b", step(&log, "b", ok));
        undo.push("c", || {
            log.lock().unwrap().push("c");
            if flaky.swap(false, std::sync::atomic::Ordering::Relaxed) {
                busy()
            } else {
                Ok(())
            }
        });
        undo.push("d", step(&log, "d", gone));
        let e = undo.teardown().unwrap_err();
        assert!(
            matches!(&e, Error::Teardown { errors } if errors.len() == 2),
            "{e}"
        );
        assert_eq!(*log.lock().unwrap(), ["d", "c", "b", "a"]);
        // a and c failed: they stay, in recorded order; b and d (gone) are done.
        assert_eq!(undo.steps().collect::<Vec<_>>(), ["a", "c"]);
        log.lock().unwrap().clear();
        // The retry runs only those: c succeeds now, a still fails.
        let e = undo.teardown().unwrap_err();
        assert!(
            matches!(&e, Error::Teardown { errors } if errors.len() == 1),
            "{e}"
        );
        assert_eq!(*log.lock().unwrap(), ["c", "a"]);
        assert_eq!(undo.steps().collect::<Vec<_>>(), ["a"]);
        // A clean teardown empties the log; the next one does nothing.
        let mut clean = Undo::new();
        clean.push("b", step(&log, "b", ok));
        clean.teardown().unwrap();
        assert!(clean.is_empty());
        log.lock().unwrap().clear();
        clean.teardown().unwrap();
        assert!(log.lock().unwrap().is_empty());
    }

    #[test]
    fn an_injected_fault_in_a_teardown_is_retried() {
        let log = Mutex::new(Vec::new());
        let plan = FaultPlan::fail_at(0);
        let mut undo = Undo::with_faults(plan.clone());
        undo.push("a", step(&log, "a", ok));
        undo.push("b", step(&log, "b", ok));
        let e = undo.teardown().unwrap_err();
        assert!(
            matches!(&e, Error::Teardown { errors } if errors[0].is_injected()),
            "{e}"
        );
        // "b" was refused before it ran, "a" ran; the retry runs "b".
        assert_eq!(*log.lock().unwrap(), ["a"]);
        undo.teardown().unwrap();
        assert_eq!(*log.lock().unwrap(), ["a", "b"]);
        assert_eq!(plan.log(), ["b", "a", "b"]);
    }

    /// An error type of another layer, as the CNI runtime has.
    #[derive(Debug, PartialEq)]
    enum LayerError {
        Gone,
        Failed(&'static str),
        Netlink(String),
        Cleanup(Box<LayerError>, Vec<LayerError>),
        Several(Vec<LayerError>),
    }

    impl From<Error> for LayerError {
        fn from(e: Error) -> Self {
            LayerError::Netlink(e.to_string())
        }
    }

    impl UndoError for LayerError {
        fn is_gone(&self) -> bool {
            *self == LayerError::Gone
        }
        fn rolled_back(error: Self, cleanup: Vec<Self>) -> Self {
            LayerError::Cleanup(Box::new(error), cleanup)
        }
        fn teardown_failed(errors: Vec<Self>) -> Self {
            LayerError::Several(errors)
        }
    }

    #[test]
    fn a_log_can_fail_with_another_layers_error_type() {
        let plan = FaultPlan::fail_at(1);
        let mut undo: Undo<'_, LayerError> = Undo::default();
        undo.set_faults(Some(plan.clone()));
        undo.push("a", || Err(LayerError::Failed("a")));
        undo.push("b", || Ok(())); // step 1: injected
        undo.push("c", || Err(LayerError::Gone));
        let r: std::result::Result<(), LayerError> = undo.run(|u| {
            u.check("forward")?; // step 0
            Err(LayerError::Failed("forward"))
        });
        let LayerError::Cleanup(first, cleanup) = r.unwrap_err() else {
            panic!()
        };
        assert_eq!(*first, LayerError::Failed("forward"));
        assert_eq!(cleanup.len(), 2);
        assert!(matches!(&cleanup[0], LayerError::Netlink(m) if m.contains("injected")));
        assert_eq!(cleanup[1], LayerError::Failed("a"));
        assert!(undo.is_empty());
        // A teardown's errors, and a clean rollback's error as it was.
        undo.push("d", || Err(LayerError::Failed("d")));
        assert_eq!(
            undo.teardown(),
            Err(LayerError::Several(vec![LayerError::Failed("d")]))
        );
        assert_eq!(undo.len(), 1);
        undo.commit();
        assert_eq!(undo.rollback(LayerError::Gone), LayerError::Gone);
    }

    #[test]
    fn a_durable_log_owns_its_handle_and_is_shared_between_threads() {
        fn shareable<T: Send + Sync>(_: &T) {}
        let (h, st) = fake_handle(vec![(0, libc::EBUSY)]);
        let h = Arc::new(h);
        // Made in one call, kept, torn down later from another thread.
        let mut undo: Undo<'static> = {
            let mut undo = Undo::new();
            undo.push_request(Arc::clone(&h), crate::link::link_del_request("a").unwrap());
            let h2 = Arc::clone(&h);
            undo.push("delete b", move || {
                h2.send(&crate::link::link_del_request("b").unwrap())
            });
            undo
        };
        shareable(&undo);
        let e = std::thread::spawn(move || {
            let e = undo.teardown().unwrap_err();
            (e, undo)
        })
        .join()
        .unwrap();
        let (e, mut undo) = e;
        // "delete b" (first to run) was refused; the request for a was acknowledged.
        assert!(
            matches!(&e, Error::Teardown { errors } if errors[0].is_busy()),
            "{e}"
        );
        assert_eq!(undo.steps().collect::<Vec<_>>(), ["delete b"]);
        undo.teardown().unwrap();
        assert_eq!(sent_types(&st), [RTM_DELLINK; 3]);
    }

    #[test]
    fn a_fault_plan_fails_the_chosen_steps_and_logs_them_all() {
        let never = FaultPlan::never();
        for w in ["a", "b", "c"] {
            never.check(w).unwrap();
        }
        assert_eq!(
            (never.steps(), never.log()),
            (3, vec!["a".into(), "b".into(), "c".into()])
        );

        let from = FaultPlan::fail_from(1);
        let clone = from.clone(); // one sequence for all clones
        assert!(from.check("a").is_ok());
        let e = clone.check("b").unwrap_err();
        assert!(
            matches!(&e, Error::Injected { step: 1, what } if what == "b"),
            "{e:?}"
        );
        assert!(from.check("c").unwrap_err().is_injected());

        let io = FaultPlan::fail_at(0).with_errno(libc::ENOENT);
        let e = io.check("open").unwrap_err();
        assert!(e.is_not_found() && !e.is_injected(), "{e:?}");
        let k = FaultPlan::fail_at(0).with_errno(libc::EEXIST);
        let e = k
            .check_request(Protocol::Route, RTM_NEWLINK, 9)
            .unwrap_err();
        let ke = e.kernel().unwrap();
        assert_eq!(
            (ke.errno, ke.request_type, ke.request_seq),
            (libc::EEXIST, RTM_NEWLINK, 9)
        );
    }

    #[test]
    fn closure_steps_and_checks_consult_the_logs_plan() {
        let log = Mutex::new(Vec::new());
        let plan = FaultPlan::fail_at(2);
        let mut undo = Undo::with_faults(plan.clone());
        undo.check("open").unwrap(); // step 0
        undo.push("close a", step(&log, "a", ok));
        undo.push("close b", step(&log, "b", ok));
        // Rollback: "close b" is step 1, "close a" step 2 (failed, so never run).
        let e = undo.rollback(Error::invalid("x", "y"));
        assert_eq!(*log.lock().unwrap(), ["b"]);
        assert!(e.cleanup_errors()[0].is_injected());
        assert_eq!(plan.log(), ["open", "close b", "close a"]);
    }

    /// A handle over the fake transport whose kernel acknowledges every request except the
    /// `fail`-th (0 first), refused with `errno`.
    fn fake_handle(fail: Vec<(usize, i32)>) -> (Handle, std::sync::Arc<Mutex<fake::State>>) {
        let (s, st) = fake::socket();
        let mut n = 0;
        st.lock().unwrap().responder = Some(Box::new(move |d| {
            let req = &requests(d)[0];
            let errno = fail.iter().find(|(i, _)| *i == n).map_or(0, |(_, e)| *e);
            n += 1;
            vec![kernel(error_reply(req, errno, None))]
        }));
        (Handle::from_socket(s), st)
    }

    fn sent_types(st: &Mutex<fake::State>) -> Vec<u16> {
        st.lock()
            .unwrap()
            .sent
            .iter()
            .map(|d| NlmsgBuffer::new_checked(&d[..]).unwrap().message_type())
            .collect()
    }

    #[test]
    fn request_steps_go_to_their_handle() {
        let (h, st) = fake_handle(vec![(1, libc::EBUSY), (2, libc::ENODEV)]);
        let mut undo = Undo::new();
        for name in ["a", "b", "c"] {
            undo.push_request(&h, crate::link::link_del_request(name).unwrap());
        }
        assert_eq!(undo.steps().collect::<Vec<_>>(), ["RTM_DELLINK"; 3]);
        // c is acknowledged, b refused (EBUSY), a already gone (ENODEV): one error.
        let e = undo.teardown().unwrap_err();
        let Error::Teardown { errors } = e else {
            panic!()
        };
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].errno(), Some(libc::EBUSY));
        let names: Vec<String> = st
            .lock()
            .unwrap()
            .sent
            .iter()
            .map(|d| {
                let m = NlmsgBuffer::new_checked(&d[..]).unwrap();
                crate::wire::link::LinkMessage::parse(m.payload())
                    .unwrap()
                    .name()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(names, ["c", "b", "a"]);
        assert_eq!(sent_types(&st), [RTM_DELLINK; 3]);
    }

    #[test]
    fn a_request_step_can_be_described() {
        let (h, st) = fake_handle(vec![]);
        let mut undo = Undo::new();
        let del = crate::link::link_del_request("a").unwrap();
        undo.push_request_as("delete a", &h, del);
        assert_eq!(undo.steps().collect::<Vec<_>>(), ["delete a"]);
        undo.teardown().unwrap();
        assert_eq!(sent_types(&st), [RTM_DELLINK]);
    }

    #[test]
    fn link_add_all_rolls_back_what_it_made() {
        use crate::link::LinkSpec;
        let specs = [
            LinkSpec::ifb("npa"),
            LinkSpec::ifb("npb"),
            LinkSpec::ifb("npc"),
        ];
        // The third creation is refused: the first two are deleted again, newest first.
        let (h, st) = fake_handle(vec![(2, libc::EEXIST)]);
        let e = h.link_add_all(&specs).unwrap_err();
        assert!(e.is_exists() && e.cleanup_errors().is_empty(), "{e:?}");
        assert_eq!(
            sent_types(&st),
            [
                RTM_NEWLINK,
                RTM_NEWLINK,
                RTM_NEWLINK,
                RTM_DELLINK,
                RTM_DELLINK
            ]
        );
        // ... and when a deletion fails too, both errors come back.
        let (h, _) = fake_handle(vec![(2, libc::EEXIST), (3, libc::EBUSY)]);
        let e = h.link_add_all(&specs).unwrap_err();
        assert!(e.is_exists(), "{e:?}");
        assert_eq!(e.cleanup_errors()[0].errno(), Some(libc::EBUSY));
        // An invalid spec is refused before anything is sent.
        let (h, st) = fake_handle(vec![]);
        let bad = [LinkSpec::ifb("npa"), LinkSpec::ifb("bad/name")];
        assert!(h.link_add_all(&bad).unwrap_err().is_invalid());
        assert!(st.lock().unwrap().sent.is_empty());
    }

    #[test]
    fn a_handles_fault_plan_fails_a_step_unsent_and_counts_the_rollback() {
        use crate::link::LinkSpec;
        let specs = [LinkSpec::ifb("npa"), LinkSpec::ifb("npb")];
        // A dry run counts two steps.
        let (h, _) = fake_handle(vec![]);
        let plan = FaultPlan::never();
        h.set_fault_plan(Some(plan.clone()));
        h.link_add_all(&specs).unwrap();
        assert_eq!(plan.log(), ["RTM_NEWLINK", "RTM_NEWLINK"]);
        // Step 1 fails: it is not sent, and step 0 is undone (step 2).
        let (h, st) = fake_handle(vec![]);
        let plan = FaultPlan::fail_at(1);
        h.set_fault_plan(Some(plan.clone()));
        let e = h.link_add_all(&specs).unwrap_err();
        assert!(matches!(e, Error::Injected { step: 1, .. }), "{e:?}");
        assert_eq!(sent_types(&st), [RTM_NEWLINK, RTM_DELLINK]);
        assert_eq!(plan.log(), ["RTM_NEWLINK", "RTM_NEWLINK", "RTM_DELLINK"]);
        // From step 1 on: the rollback fails too, and says so.
        let (h, st) = fake_handle(vec![]);
        h.set_fault_plan(Some(FaultPlan::fail_from(1)));
        let e = h.link_add_all(&specs).unwrap_err();
        assert!(
            e.is_injected() && e.cleanup_errors()[0].is_injected(),
            "{e:?}"
        );
        assert_eq!(sent_types(&st), [RTM_NEWLINK]);
    }
}
