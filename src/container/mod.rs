//! Container plumbing: compositions of [`Handle`](crate::Handle) calls that give a container
//! or a VM its network, with rollback and teardown.
//!
//! | module | seed | what it does |
//! |---|---|---|
//! | [`strategy`] | docker/libcontainer `network` (v1.2.0) | loopback, a veth pair on a bridge, or an existing namespace for a new container |
//! | [`vm`] | Mirantis/virtlet `pkg/nettools` (b50b92bb) | moves a pod's address from its veth to a VM through a bridge and a tap |
//!
//! These modules add state (what they created, so they can undo it) and policy (names,
//! order, rollback) on top of the operations; they never talk to the kernel another way.
//! Every multi-step operation records each change in the crate's undo log
//! ([`crate::undo`]) as it makes it: a failing step undoes the recorded changes in reverse
//! order, and a teardown attempts every step, reports every error and keeps what failed for
//! the next teardown. A value torn down later (a VM's container side) keeps its log, an
//! `Undo<'static>` that owns what its steps need. A [`FaultPlan`](crate::undo::FaultPlan)
//! makes any step fail, which the tests do for each.

pub mod strategy;
pub mod vm;
