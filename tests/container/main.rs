//! The container layers: network strategies (`netplumb::container`) against the kernel,
//! end to end with a child process in its own namespace, and the VM side (`vm`, `netplumb
//! vm run`, a real QEMU guest).
//!
//! `container::end_to_end` runs this binary again on one test, by its full name.

#[path = "../common/mod.rs"]
mod common;

mod container;
mod vm;
