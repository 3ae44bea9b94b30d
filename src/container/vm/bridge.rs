//! [`setup_bridge`] and [`teardown_bridge`].

use super::change::{Change, record};
use super::error::{VmError, VmStep, at};
use crate::handle::Handle;
use crate::link::{Link, LinkRef, LinkSpec};
use crate::undo::{StepHandle, Undo};

/// Makes bridge `name` with `links` as its ports (the seed's `SetupBridge`): one
/// `RTM_NEWLINK` with `NLM_F_CREATE|NLM_F_EXCL` for an up bridge with the first link's MTU
/// (like `ip link add NAME mtu M up type bridge`), then `IFLA_MASTER` on each link
/// (`ip link set L master NAME`). If a step fails, the ports are released and the bridge
/// deleted again (through the crate's undo log). Returns the bridge.
///
/// # Errors
/// [`VmError::NoLinks`] for an empty list; `EEXIST` if the name is taken; the failed step.
pub fn setup_bridge(h: &Handle, name: &str, links: &[LinkRef<'_>]) -> Result<Link, VmError> {
    let mut undo = Undo::new();
    bridge_steps(&h.into(), &mut undo, name, links).map_err(|e| rolled_back(&mut undo, e))
}

/// `e`, after rolling `undo` back (with the cleanup errors in its source, if any).
pub(super) fn rolled_back(undo: &mut Undo<'_>, e: VmError) -> VmError {
    match e {
        VmError::Step { step, link, source } => VmError::Step {
            step,
            link,
            source: undo.rollback(source),
        },
        VmError::Invalid(source) => VmError::Invalid(undo.rollback(source)),
        // Refused before any change (the operations check these first): nothing to undo.
        other => other,
    }
}

/// The steps of [`setup_bridge`], recorded in `undo` (shared with a larger operation).
pub(super) fn bridge_steps<'a>(
    h: &StepHandle<'a>,
    undo: &mut Undo<'a>,
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
    h.link_add(&spec).map_err(at(VmStep::CreateBridge, name))?;
    record(
        undo,
        h,
        Change::Link {
            name: name.into(),
            kind: "bridge",
        },
    );
    let bridge = h.link_get(name).map_err(at(VmStep::ReadLinks, name))?;
    for l in links {
        let port = h.link_get(l.clone()).map_err(at(VmStep::ReadLinks, l))?;
        h.link_set_master(port.index, bridge.index)
            .map_err(at(VmStep::Enslave, format!("{name}: {}", port.name)))?;
        record(
            undo,
            h,
            Change::Port {
                index: port.index,
                name: port.name,
                bridge: bridge.index,
            },
        );
    }
    Ok(bridge)
}

/// Releases `links` from `bridge`, then sets the bridge down (the seed's `TeardownBridge`;
/// like `ip link set L nomaster` for each, then `ip link set BRIDGE down`). The bridge is
/// not deleted. Every step is attempted (through the crate's undo log); a link that is gone
/// or is not a port of `bridge`, or a bridge that is gone, is not an error, so it can run
/// twice.
///
/// # Errors
/// [`crate::Error::Teardown`] with every step that failed; the error of a failed lookup.
pub fn teardown_bridge(
    h: &Handle,
    bridge: LinkRef<'_>,
    links: &[LinkRef<'_>],
) -> crate::Result<()> {
    let br = match h.link_get(bridge) {
        Ok(b) => b,
        Err(e) if e.is_not_found() => return Ok(()),
        Err(e) => return Err(e),
    };
    // Reverted last first: the bridge goes down after its ports are released, in order.
    let (sh, mut undo) = (h.into(), Undo::new());
    record(
        &mut undo,
        &sh,
        Change::Up {
            index: br.index,
            name: br.name,
        },
    );
    for l in links.iter().rev() {
        match h.link_get(l.clone()) {
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e),
            Ok(port) => record(
                &mut undo,
                &sh,
                Change::Port {
                    index: port.index,
                    name: port.name,
                    bridge: br.index,
                },
            ),
        }
    }
    undo.teardown()
}
