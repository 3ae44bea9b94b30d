//! The library's operations against the real kernel: links, addresses, routes, neighbours,
//! rules, namespace ids, the socket, events, sysctls, undo logs and the core under stress.
//! Every test works in namespaces it creates (see `common`).
//!
//! The tests that count this process's descriptors are binaries of their own
//! (`tests/netns.rs`, `tests/tun.rs`, `tests/handle_pool.rs`): tests of other modules,
//! running on other threads of the same process, would open descriptors while they count.

#[path = "../common/mod.rs"]
mod common;

mod addr;
mod events;
mod link;
mod link_index;
mod neigh;
mod nsid;
mod route;
mod rule;
mod socket;
mod stress;
mod sysctl;
mod undo;
