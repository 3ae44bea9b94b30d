//! How each change of the VM side is undone, and the undo itself. Every undo is idempotent:
//! what is already gone (or already back) is not an error, so a teardown can run twice.

use super::error::{VmError, VmStep, at};
use super::link::LinkConfig;
use crate::IpNet;
use crate::addr::AddrSpec;
use crate::handle::Handle;
use crate::mac::MacAddr;

/// One change to undo. Links are named by index (a name may be taken by another link by the
/// time of the teardown); the name is for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Undo {
    /// Set the link's MAC address back.
    RestoreMac {
        index: u32,
        name: String,
        mac: MacAddr,
    },
    /// Put the link's IPv4 addresses and routes back.
    RestoreConfig(LinkConfig),
    /// Delete a link this operation created.
    DeleteLink { index: u32, name: String },
    /// Release a port from the bridge this operation made it join.
    ReleasePort {
        index: u32,
        name: String,
        bridge: u32,
    },
    /// Delete an address this operation added.
    DeleteAddress {
        index: u32,
        name: String,
        address: IpNet,
    },
    /// Set a link down again that this operation set up.
    SetDown { index: u32, name: String },
}

/// Undoes one change through `h`.
pub(super) fn undo(h: &Handle, u: &Undo) -> Result<(), VmError> {
    // A link that is gone has nothing left to undo.
    let gone_ok = |r: crate::Result<()>| match r {
        Err(e) if e.is_not_found() => Ok(()),
        r => r,
    };
    match u {
        Undo::RestoreMac { index, name, mac } => {
            gone_ok(h.link_set_address(*index, *mac)).map_err(at(VmStep::SetMac, name))
        }
        Undo::RestoreConfig(c) => match h.link_get(c.index) {
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(at(VmStep::ReadLinks, &c.name)(e)),
            Ok(_) => c.restore(h),
        },
        Undo::DeleteLink { index, name } => {
            gone_ok(h.link_del(*index)).map_err(at(VmStep::DeleteLink, name))
        }
        Undo::ReleasePort {
            index,
            name,
            bridge,
        } => match h.link_get(*index) {
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(at(VmStep::ReadLinks, name)(e)),
            Ok(l) if l.master != Some(*bridge) => Ok(()),
            Ok(_) => gone_ok(h.link_set_nomaster(*index)).map_err(at(VmStep::Release, name)),
        },
        Undo::DeleteAddress {
            index,
            name,
            address,
        } => match h.addr_del(*index, AddrSpec::new(*address)) {
            Err(e) if e.is_not_found() => Ok(()),
            r => r.map_err(at(VmStep::DeleteAddress, name)),
        },
        Undo::SetDown { index, name } => {
            gone_ok(h.link_down(*index)).map_err(at(VmStep::Down, name))
        }
    }
}

/// Undoes `log`'s changes in reverse order, every one attempted, and returns `error` with
/// the undo errors if there were any.
pub(super) fn rollback(
    h: &Handle,
    log: crate::container::steps::UndoLog<Undo>,
    error: VmError,
) -> VmError {
    let cleanup = log.rollback(|u| undo(h, u));
    if cleanup.is_empty() {
        error
    } else {
        VmError::RollbackFailed {
            error: Box::new(error),
            cleanup,
        }
    }
}
