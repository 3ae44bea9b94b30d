//! [`create_escape_veth_pair`].

use super::error::{VmError, VmStep, at};
use crate::handle::Handle;
use crate::link::{Link, LinkSpec, Veth, link_del_request};
use crate::netns::NetNs;
use crate::undo::Undo;

/// A veth pair from `outer`'s namespace into `inner` (the seed's `CreateEscapeVethPair`):
/// the inner end is named `if_name`, the outer end `veth` + 8 random hex digits (drawn again
/// while taken), both at `mtu` and up. Returns `(outer, inner)` as the kernel reports them.
///
/// One `RTM_NEWLINK` with `NLM_F_CREATE|NLM_F_EXCL` from `outer` creates both ends, the inner
/// one straight in `inner` (like `ip link add vethXXXXXXXX mtu M up type veth peer name
/// IF mtu M netns NS`), where the seed created the pair inside and moved one end out; then
/// the inner end is set up from a handle on `inner` (a veth's peer cannot be set up in the
/// creating request). If that fails, the pair is deleted again (the crate's undo log).
///
/// # Errors
/// The failed step; `EEXIST` if `if_name` is taken in `inner`.
pub fn create_escape_veth_pair(
    outer: &Handle,
    inner: &NetNs,
    if_name: &str,
    mtu: u32,
) -> Result<(Link, Link), VmError> {
    let inner_h = Handle::in_netns(inner).map_err(at(VmStep::Socket, "the inner namespace"))?;
    let mut undo = Undo::new();
    let pair = escape_steps(outer, &inner_h, inner, &mut undo, if_name, mtu);
    pair.map_err(|e| match e {
        VmError::Step { step, link, source } => VmError::Step {
            step,
            link,
            source: undo.rollback(source),
        },
        other => other,
    })
}

fn escape_steps<'h>(
    outer: &'h Handle,
    inner_h: &Handle,
    inner: &NetNs,
    undo: &mut Undo<'h>,
    if_name: &str,
    mtu: u32,
) -> Result<(Link, Link), VmError> {
    let spec = outer
        .link_add_unique("veth", 8, |name| {
            Ok(
                LinkSpec::new(name, Veth::new(if_name).mtu(mtu).netns(inner))
                    .mtu(mtu)
                    .up(),
            )
        })
        .map_err(at(VmStep::CreateVeth, if_name))?;
    let delete = link_del_request(spec.name()).map_err(at(VmStep::CreateVeth, if_name))?;
    undo.push_request(outer, delete);
    let out = outer
        .link_get(spec.name())
        .map_err(at(VmStep::ReadLinks, spec.name()))?;
    inner_h.link_up(if_name).map_err(at(VmStep::Up, if_name))?;
    let inn = inner_h
        .link_get(if_name)
        .map_err(at(VmStep::ReadLinks, if_name))?;
    undo.commit();
    Ok((out, inn))
}
