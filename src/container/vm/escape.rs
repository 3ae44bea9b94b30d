//! [`create_escape_veth_pair`].

use super::error::{VmError, VmStep, at};
use super::undo::{Undo, rollback};
use crate::container::steps::UndoLog;
use crate::handle::Handle;
use crate::link::{Link, LinkSpec, Veth};
use crate::netns::NetNs;

/// A veth pair from `outer`'s namespace into `inner` (the seed's `CreateEscapeVethPair`):
/// the inner end is named `if_name`, the outer end `veth` + 8 random hex digits (drawn again
/// while taken), both at `mtu` and up. Returns `(outer, inner)` as the kernel reports them.
///
/// One `RTM_NEWLINK` with `NLM_F_CREATE|NLM_F_EXCL` from `outer` creates both ends, the inner
/// one straight in `inner` (like `ip link add vethXXXXXXXX mtu M up type veth peer name
/// IF mtu M netns NS`), where the seed created the pair inside and moved one end out; then
/// the inner end is set up from a handle on `inner` (a veth's peer cannot be set up in the
/// creating request). If that fails, the pair is deleted again.
///
/// # Errors
/// The failed step; `EEXIST` if `if_name` is taken in `inner`.
pub fn create_escape_veth_pair(
    outer: &Handle,
    inner: &NetNs,
    if_name: &str,
    mtu: u32,
) -> Result<(Link, Link), VmError> {
    let mut log = UndoLog::new(None);
    let inner_h = Handle::in_netns(inner).map_err(at(VmStep::Socket, "the inner namespace"))?;
    match escape_steps(outer, &inner_h, inner, &mut log, if_name, mtu) {
        Ok(pair) => Ok(pair),
        Err(e) => Err(rollback(outer, log, e)),
    }
}

fn escape_steps(
    outer: &Handle,
    inner_h: &Handle,
    inner: &NetNs,
    log: &mut UndoLog<Undo>,
    if_name: &str,
    mtu: u32,
) -> Result<(Link, Link), VmError> {
    let spec = log
        .step(|| {
            outer.link_add_unique("veth", 8, |name| {
                Ok(
                    LinkSpec::new(name, Veth::new(if_name).mtu(mtu).netns(inner))
                        .mtu(mtu)
                        .up(),
                )
            })
        })
        .map_err(at(VmStep::CreateVeth, if_name))?;
    let out = outer
        .link_get(spec.name())
        .map_err(at(VmStep::ReadLinks, spec.name()))?;
    log.record(Undo::DeleteLink {
        index: out.index,
        name: out.name.clone(),
    });
    log.step(|| inner_h.link_up(if_name))
        .map_err(at(VmStep::Up, if_name))?;
    let inn = inner_h
        .link_get(if_name)
        .map_err(at(VmStep::ReadLinks, if_name))?;
    Ok((out, inn))
}
