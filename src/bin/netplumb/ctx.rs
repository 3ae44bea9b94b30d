//! The context every command runs in: the global options, the namespace `-n` selects and
//! one handle bound to it (opened once, so a `-batch` file reuses one socket for all its
//! lines), and the device lookups `ip` makes.
//!
//! With `-force -batch` the write requests of consecutive lines are pipelined: executors
//! hand them to [`Ctx::send`], which queues them (tagged with their line) and sends them
//! together through [`Handle::batch`] at the next flush: when [`PIPELINE_MAX`] are queued,
//! before any read ([`Ctx::handle`], a device lookup that is not cached), before a line that
//! is not a bulk write, when a line fails, and at the end of the batch. Failed requests are
//! reported per line, in line order, as if each line had been sent on its own.

use crate::args::Globals;
use crate::error::{CliError, error_text, failed, lib_error, nodev};
use netplumb::wire::nlmsg::{RTM_DELLINK, RTM_NEWLINK, RTM_SETLINK};
use netplumb::wire::{Emit, NlmsgFlags};
use netplumb::{Batch, BatchMode, Error, Handle, NetNs};
use std::cell::{Cell, OnceCell, RefCell};
use std::collections::HashMap;

/// How many queued requests `-force -batch` sends together at most (then it flushes).
pub const PIPELINE_MAX: usize = 1000;

/// The write requests of `-force -batch` lines not sent yet: one per line, in line order.
#[derive(Default)]
struct Pending {
    batch: Batch,
    lines: Vec<usize>,
}

/// Which lookup produced a cached index (they differ for names that are not link names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lookup {
    /// [`resolve`] (`dev` of address, route and neighbour commands).
    Resolve,
    /// `link`'s `dev_index` (by name or alternative name).
    Link,
}

/// What every command needs: the global options, and the namespace and handle they select.
pub struct Ctx<'g> {
    /// The global options (`-n`, `-j`, `-p`, `-d`, `-4`/`-6`, `-force`, ...).
    pub globals: &'g Globals,
    netns: OnceCell<Option<NetNs>>,
    handle: OnceCell<Handle>,
    /// A second socket for streaming dumps (see [`Ctx::dump_handle`]).
    dump_handle: OnceCell<Handle>,
    /// `-force -batch`: write requests are queued (see [`Ctx::send`]).
    pipelined: bool,
    /// The batch line being run (set by `main` before each line).
    line: Cell<usize>,
    pending: RefCell<Pending>,
    /// Successful device-name lookups, valid while no link can have changed.
    names: RefCell<HashMap<(Lookup, String), u32>>,
    /// Whether a queued request failed (reported at its flush).
    queued_failed: Cell<bool>,
}

impl<'g> Ctx<'g> {
    /// A context for `globals`; nothing is opened until it is needed.
    pub fn new(globals: &'g Globals) -> Self {
        Ctx {
            globals,
            netns: OnceCell::new(),
            handle: OnceCell::new(),
            dump_handle: OnceCell::new(),
            pipelined: globals.force && globals.batch.is_some(),
            line: Cell::new(0),
            pending: RefCell::new(Pending::default()),
            names: RefCell::new(HashMap::new()),
            queued_failed: Cell::new(false),
        }
    }

    /// Sets the batch line being run: requests queued from now on are reported with it.
    pub fn set_line(&self, line: usize) {
        self.line.set(line);
    }

    /// Whether a queued request failed at a flush (the batch then exits with status 1).
    pub fn queued_failed(&self) -> bool {
        self.queued_failed.get()
    }

    /// Sends `msg_type` with `flags | NLM_F_REQUEST | NLM_F_ACK` and `payload`, like
    /// [`Handle::request`]. In `-force -batch` mode the request is queued instead, tagged
    /// with the current line, and goes out with its neighbours in one [`Handle::batch`] at
    /// the next flush; a failure is then reported for its line as if it had been sent now.
    pub fn send(
        &self,
        msg_type: u16,
        flags: NlmsgFlags,
        payload: &(impl Emit + ?Sized),
    ) -> Result<(), CliError> {
        if matches!(msg_type, RTM_NEWLINK | RTM_DELLINK | RTM_SETLINK) {
            self.forget_names();
        }
        let h = self.open()?;
        if !self.pipelined {
            return h.request(msg_type, flags, payload).map_err(lib_error);
        }
        let full = {
            let mut p = self.pending.borrow_mut();
            p.batch.push(msg_type, flags, payload).map_err(failed)?;
            p.lines.push(self.line.get());
            p.lines.len() >= PIPELINE_MAX
        };
        if full {
            self.flush();
        }
        Ok(())
    }

    /// Sends the queued requests (see [`Ctx::send`]) and reports each failed one on stderr
    /// as a failed batch line (`Error: ...` then `Command failed FILE:LINE`), in line order.
    pub fn flush(&self) {
        let Pending { batch, lines } = std::mem::take(&mut *self.pending.borrow_mut());
        if lines.is_empty() {
            return;
        }
        let results = match self.open() {
            Ok(h) => match h.batch(&batch, BatchMode::Force) {
                Ok(r) => r.into_iter().map(|r| r.map_err(lib_error)).collect(),
                // Which requests took effect is not known: each line reports the failure.
                Err(e) => {
                    let e = failed(e);
                    vec![Err(e); lines.len()]
                }
            },
            Err(e) => vec![Err(e); lines.len()],
        };
        let name = self.globals.batch.as_deref().unwrap_or("-");
        let mut results = results.into_iter();
        for line in &lines {
            // Force mode answers every request; a missing answer is a failure, not success.
            let r = results.next().unwrap_or_else(|| {
                Err(CliError::Failed(
                    "Error: no acknowledgement for the request.".into(),
                ))
            });
            if let Err(e) = r {
                eprintln!("{e}");
                eprintln!("Command failed {name}:{line}");
                self.queued_failed.set(true);
            }
        }
    }

    /// The index of `dev` as [`resolve`] finds it (through [`Ctx::lookup`]).
    pub fn resolve(&self, dev: &str) -> Result<u32, CliError> {
        self.lookup(Lookup::Resolve, dev, |h| resolve(h, dev))
    }

    /// Forgets every cached device-name lookup (a link may have changed).
    pub fn forget_names(&self) {
        self.names.borrow_mut().clear();
    }

    /// The index `lookup` finds for `name`: cached while no link can have changed, else
    /// looked up after the queue is flushed (so earlier lines' links are seen). Failures
    /// are not cached.
    pub fn lookup(
        &self,
        kind: Lookup,
        name: &str,
        f: impl FnOnce(&Handle) -> Result<u32, CliError>,
    ) -> Result<u32, CliError> {
        let key = (kind, name.to_string());
        if let Some(i) = self.names.borrow().get(&key) {
            return Ok(*i);
        }
        self.flush();
        let i = f(self.open()?)?;
        if self.pipelined {
            self.names.borrow_mut().insert(key, i);
        }
        Ok(i)
    }

    /// The namespace `-n NETNS` names (`/run/netns/NETNS`, or a path), or `None` for the
    /// caller's own.
    pub fn netns(&self) -> Result<Option<&NetNs>, CliError> {
        if self.netns.get().is_none() {
            let ns = match &self.globals.netns {
                None => None,
                Some(n) if n.contains('/') => Some(NetNs::open(n).map_err(|e| netns_error(n, e))?),
                Some(n) => Some(NetNs::open_name(n).map_err(|e| netns_error(n, e))?),
            };
            let _ = self.netns.set(ns);
        }
        Ok(self.netns.get().and_then(Option::as_ref))
    }

    /// The handle for this run, bound to [`Ctx::netns`], for reading kernel state (and for
    /// anything else): queued requests are sent first, so what it reads includes the
    /// effect of every earlier line, and cached name lookups are forgotten (the caller may
    /// change links through it).
    pub fn handle(&self) -> Result<&Handle, CliError> {
        self.flush();
        self.forget_names();
        self.open()
    }

    /// The handle, without sending the queued requests: only for building a request that
    /// then goes out through [`Ctx::send`] (nothing read through it).
    pub fn build_handle(&self) -> Result<&Handle, CliError> {
        self.open()
    }

    /// A second handle in the same namespace, for a dump that is printed while it runs
    /// (see `exec::stream`): a [`netplumb::Dump`] holds its handle until it ends, and the
    /// printing may need to ask the kernel for a link's name meanwhile, through
    /// [`Ctx::handle`]. `ip` does the same: its `ll_link_get` opens a socket of its own.
    /// Queued requests are sent first, as for [`Ctx::handle`].
    pub fn dump_handle(&self) -> Result<&Handle, CliError> {
        self.handle()?;
        self.open_in(&self.dump_handle)
    }

    /// The handle, opened on first use.
    fn open(&self) -> Result<&Handle, CliError> {
        self.open_in(&self.handle)
    }

    fn open_in<'a>(&self, cell: &'a OnceCell<Handle>) -> Result<&'a Handle, CliError> {
        if let Some(h) = cell.get() {
            return Ok(h);
        }
        let h = match self.netns()? {
            Some(ns) => Handle::in_netns(ns),
            None => Handle::new(),
        }
        .map_err(failed)?;
        Ok(cell.get_or_init(|| h))
    }

    /// Runs `f` in the selected namespace (on a pinned thread when `-n` is given), for work
    /// that must happen there rather than through the handle: tun/tap ioctls, sysctls,
    /// sockets.
    pub fn in_netns<T: Send>(&self, f: impl FnOnce() -> T + Send) -> Result<T, CliError> {
        match self.netns()? {
            Some(ns) => ns.run(f).map_err(failed),
            None => Ok(f()),
        }
    }
}

fn netns_error(name: &str, e: Error) -> CliError {
    CliError::Failed(format!(
        "Cannot open network namespace \"{name}\": {}",
        error_text(&e)
    ))
}

/// The interface index of `dev` as `ip` finds it: an alias label (`eth0:1`) names its
/// device, and `ifN` names index N when no device has that name. `Cannot find device`
/// otherwise.
pub fn resolve(h: &Handle, dev: &str) -> Result<u32, CliError> {
    let name = dev.split(':').next().unwrap_or(dev);
    match h.link_index(name) {
        Ok(i) => Ok(i),
        Err(e) if e.is_not_found() || matches!(e, Error::InvalidInput { .. }) => name
            .strip_prefix("if")
            .and_then(|n| n.parse::<u32>().ok())
            .filter(|i| *i > 0 && i32::try_from(*i).is_ok())
            .ok_or_else(|| nodev(dev)),
        Err(e) => Err(failed(e)),
    }
}
