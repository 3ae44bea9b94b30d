//! CNI runtime tests: Debian's containernetworking-plugins (`/usr/lib/cni`) on the real
//! kernel, the fault plugins of `tests/cni/fault/`, libcni itself (a Go program built from
//! Debian's golang-github-appc-cni-dev), the `netplumb cni` command, and a plugin's result
//! handed to the VM side.
//!
//! Every test runs the runtime on a thread inside a throwaway network namespace that plays
//! the host (bridge, portmap, bandwidth and firewall change the namespace they run in), with
//! the cache, host-local's `dataDir` and tuning's `dataDir` in a temporary directory; pods
//! are named namespaces made and removed by the test. Addresses: 198.18.0.0/15 and
//! 2001:db8::/32 only.
#![cfg(feature = "cni")]

#[path = "../common/mod.rs"]
mod common;

mod cli;
mod faults;
mod fixture;
mod libcni;
mod plugins;
mod runtime;
mod vm;
