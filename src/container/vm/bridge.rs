//! [`setup_bridge`] and [`teardown_bridge`].

use super::error::{VmError, VmStep, at};
use super::undo::{Undo, rollback};
use crate::container::steps::UndoLog;
use crate::handle::Handle;
use crate::link::{Link, LinkRef, LinkSpec};

/// Makes bridge `name` with `links` as its ports (the seed's `SetupBridge`): one
/// `RTM_NEWLINK` with `NLM_F_CREATE|NLM_F_EXCL` for an up bridge with the first link's MTU
/// (like `ip link add NAME mtu M up type bridge`), then `IFLA_MASTER` on each link
/// (`ip link set L master NAME`). If a step fails, the ports are released and the bridge
/// deleted again. Returns the bridge.
///
/// # Errors
/// [`VmError::NoLinks`] for an empty list; `EEXIST` if the name is taken; the failed step.
pub fn setup_bridge(h: &Handle, name: &str, links: &[LinkRef<'_>]) -> Result<Link, VmError> {
    let mut log = UndoLog::new(None);
    match bridge_steps(h, &mut log, name, links) {
        Ok(l) => Ok(l),
        Err(e) => Err(rollback(h, log, e)),
    }
}

/// The steps of [`setup_bridge`], recorded in `log` (shared with a larger operation).
pub(super) fn bridge_steps(
    h: &Handle,
    log: &mut UndoLog<Undo>,
    name: &str,
    links: &[LinkRef<'_>],
) -> Result<Link, VmError> {
    let first = links.first().ok_or(VmError::NoLinks)?;
    let first = h
        .link_get(first.clone())
        .map_err(at(VmStep::ReadLinks, first))?;
    let mut spec = LinkSpec::bridge(name).up();
    if let Some(mtu) = first.mtu {
        spec = spec.mtu(mtu);
    }
    log.step(|| h.link_add(&spec))
        .map_err(at(VmStep::CreateBridge, name))?;
    let bridge = h.link_get(name).map_err(at(VmStep::ReadLinks, name))?;
    log.record(Undo::DeleteLink {
        index: bridge.index,
        name: name.into(),
    });
    for l in links {
        let port = h.link_get(l.clone()).map_err(at(VmStep::ReadLinks, l))?;
        log.step(|| h.link_set_master(port.index, bridge.index))
            .map_err(at(VmStep::Enslave, format!("{name}: {}", port.name)))?;
        log.record(Undo::ReleasePort {
            index: port.index,
            name: port.name,
            bridge: bridge.index,
        });
    }
    Ok(bridge)
}

/// Releases `links` from `bridge`, then sets the bridge down (the seed's `TeardownBridge`;
/// like `ip link set L nomaster` for each, then `ip link set BRIDGE down`). The bridge is
/// not deleted. Every step is attempted; a link that is gone or is not a port of `bridge`,
/// or a bridge that is gone, is not an error, so it can run twice.
///
/// # Errors
/// [`VmError::Teardown`] with every step that failed.
pub fn teardown_bridge(
    h: &Handle,
    bridge: LinkRef<'_>,
    links: &[LinkRef<'_>],
) -> Result<(), VmError> {
    let mut errors = Vec::new();
    let br = match h.link_get(bridge.clone()) {
        Ok(b) => Some(b),
        Err(e) if e.is_not_found() => None,
        Err(e) => return Err(at(VmStep::ReadLinks, &bridge)(e)),
    };
    let Some(br) = br else { return Ok(()) };
    for l in links {
        match h.link_get(l.clone()) {
            Err(e) if e.is_not_found() => {}
            Err(e) => errors.push(at(VmStep::ReadLinks, l)(e)),
            Ok(port) => {
                let u = Undo::ReleasePort {
                    index: port.index,
                    name: port.name,
                    bridge: br.index,
                };
                if let Err(e) = super::undo::undo(h, &u) {
                    errors.push(e);
                }
            }
        }
    }
    let down = Undo::SetDown {
        index: br.index,
        name: br.name,
    };
    if let Err(e) = super::undo::undo(h, &down) {
        errors.push(e);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(VmError::Teardown { errors })
    }
}
