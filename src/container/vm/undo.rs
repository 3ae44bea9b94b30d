//! The changes the VM side makes, how each is reverted, and the log that records them: the
//! crate's shared [`Undo`] log, plus the changes as data so that a finished setup can be
//! torn down later (and a teardown step that failed can be tried again).
//!
//! Every revert is idempotent: what is already gone (or already back) is not an error, so a
//! teardown can run twice.

use super::link::LinkConfig;
use crate::IpNet;
use crate::addr::AddrSpec;
use crate::handle::Handle;
use crate::mac::MacAddr;
use crate::undo::{FaultPlan, Undo};
use crate::{Error, Result};
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

/// One change to revert. Links that existed before are named by index (stable while they
/// live); the name is for messages. A link the operation created is named by its name and
/// kind, recorded as soon as the kernel has acknowledged it (before anything else can fail),
/// and only a link of that kind is deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Change {
    /// The link's MAC address was changed from `mac`.
    Mac {
        index: u32,
        name: String,
        mac: MacAddr,
    },
    /// The link's IPv4 addresses and routes were removed.
    Stripped(LinkConfig),
    /// A link of `kind` (`IFLA_INFO_KIND`) was created.
    Link { name: String, kind: &'static str },
    /// A link was made a port of `bridge`.
    Port {
        index: u32,
        name: String,
        bridge: u32,
    },
    /// An address was added.
    Address {
        index: u32,
        name: String,
        address: IpNet,
    },
    /// A link was set up.
    Up { index: u32, name: String },
}

impl fmt::Display for Change {
    /// What reverting it does.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Mac { name, mac, .. } => write!(f, "restore the MAC {mac} of {name}"),
            Change::Stripped(c) => write!(f, "restore the IPv4 configuration of {}", c.name),
            Change::Link { name, .. } => write!(f, "delete {name}"),
            Change::Port { name, .. } => write!(f, "release {name} from its bridge"),
            Change::Address { name, address, .. } => write!(f, "delete {address} from {name}"),
            Change::Up { name, .. } => write!(f, "set {name} down"),
        }
    }
}

/// Reverts one change through `h`; a link that is gone has nothing left to revert.
pub(super) fn revert(h: &Handle, c: &Change) -> Result<()> {
    let gone_ok = |r: Result<()>| match r {
        Err(e) if e.is_not_found() => Ok(()),
        r => r,
    };
    match c {
        Change::Mac { index, mac, .. } => gone_ok(h.link_set_address(*index, *mac)),
        Change::Stripped(config) => match h.link_get(config.index) {
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(e),
            Ok(_) => config.restore(h),
        },
        Change::Link { name, kind } => match h.link_get(name.as_str()) {
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(e),
            // Not the link this operation made: someone else's now.
            Ok(l) if l.kind.as_deref() != Some(*kind) => Ok(()),
            Ok(l) => gone_ok(h.link_del(l.index)),
        },
        Change::Port { index, bridge, .. } => match h.link_get(*index) {
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(e),
            Ok(l) if l.master != Some(*bridge) => Ok(()),
            Ok(_) => gone_ok(h.link_set_nomaster(*index)),
        },
        Change::Address { index, address, .. } => {
            gone_ok(h.addr_del(*index, AddrSpec::new(*address)))
        }
        Change::Up { index, .. } => gone_ok(h.link_down(*index)),
    }
}

/// The log of one VM-side operation: each change recorded both in the shared [`Undo`] log
/// (as a step that reverts it through the handle) and as data.
pub(super) struct Log<'h> {
    h: &'h Handle,
    undo: Undo<'h>,
    changes: Vec<Change>,
    /// The changes whose revert failed in the last rollback or teardown.
    failed: Arc<Mutex<Vec<Change>>>,
}

impl<'h> Log<'h> {
    /// An empty log on `h`; `faults`, if any, is consulted before each step that is not a
    /// request (give the same plan to `h`).
    pub(super) fn new(h: &'h Handle, faults: Option<FaultPlan>) -> Self {
        Log {
            h,
            undo: faults.map_or_else(Undo::new, Undo::with_faults),
            changes: Vec::new(),
            failed: Arc::default(),
        }
    }

    /// Records a change just made.
    pub(super) fn record(&mut self, c: Change) {
        self.changes.push(c.clone());
        let (h, failed) = (self.h, Arc::clone(&self.failed));
        self.undo.push(c.to_string(), move || {
            revert(h, &c).inspect_err(|_| {
                failed
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(c.clone());
            })
        });
    }

    /// The fault plan's verdict on a step that is not a request (a tap made or opened).
    pub(super) fn check(&self, what: &str) -> Result<()> {
        self.undo.check(what)
    }

    /// Reverts every change, last first, after `error`; returns `error`, with the cleanup
    /// errors if there were any ([`Error::RolledBack`]).
    pub(super) fn rollback(mut self, error: Error) -> Error {
        self.undo.rollback(error)
    }

    /// The changes, kept for a later [`teardown`]; the log's steps are forgotten.
    pub(super) fn into_changes(mut self) -> Vec<Change> {
        self.undo.commit();
        std::mem::take(&mut self.changes)
    }
}

/// Reverts `changes` through `h`, last first, every one attempted (the shared
/// [`Undo::teardown`]); `changes` keeps those whose revert failed, so that a second teardown
/// tries them again, and is empty after a complete one.
///
/// # Errors
/// [`Error::Teardown`] with every failed step's error.
pub(super) fn teardown(
    h: &Handle,
    changes: &mut Vec<Change>,
    faults: Option<FaultPlan>,
) -> Result<()> {
    let mut log = Log::new(h, faults);
    for c in changes.drain(..) {
        log.record(c);
    }
    let result = log.undo.teardown();
    let mut failed =
        std::mem::take(&mut *log.failed.lock().unwrap_or_else(PoisonError::into_inner));
    // They failed last first.
    failed.reverse();
    *changes = failed;
    result
}
