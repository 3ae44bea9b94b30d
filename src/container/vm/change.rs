//! The changes the VM side makes, as data, and how each is reverted: the vocabulary its
//! steps in the crate's shared undo log ([`Undo`]) are made of. Recording, rollback,
//! teardown, error collection, retry and fault injection are the shared log's.
//!
//! Every revert is idempotent: what is already gone (or already back) is not an error, so a
//! teardown can run twice.

use super::link::LinkConfig;
use crate::IpNet;
use crate::Result;
use crate::addr::AddrSpec;
use crate::handle::Handle;
use crate::mac::MacAddr;
use crate::undo::{StepHandle, Undo};
use std::fmt;

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

/// Records in `undo` the step that reverts `c` through `h` (borrowed for an operation's own
/// rollback, shared for a setup torn down later).
pub(super) fn record<'a>(undo: &mut Undo<'a>, h: &StepHandle<'a>, c: Change) {
    let h = h.clone();
    undo.push(c.to_string(), move || revert(&h, &c));
}
