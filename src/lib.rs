//! netplumb: container network plumbing over NETLINK_ROUTE.
//!
//! Layers, each using only the ones below it: [`wire`] (a pure codec), `socket` (a blocking
//! NETLINK_ROUTE socket), namespaces and typed operations on top.
#![warn(missing_docs)]
// `unsafe` lives only in `sys`, which allows it for itself.
#![deny(unsafe_code)]

pub mod addr;
pub mod container;
pub mod error;
pub mod events;
#[doc(hidden)]
pub mod fuzzing;
pub mod handle;
pub mod ifname;
pub mod ipnet;
pub mod link;
pub mod mac;
pub mod neigh;
pub mod netns;
pub mod nsid;
pub mod route;
pub mod socket;
mod sys;
pub mod sysctl;
pub mod tun;
pub mod wire;

pub use error::{Error, KernelError, Result};
pub use handle::Handle;
pub use ipnet::{Family, IpNet};
pub use link::{Link, LinkChange, LinkFilter, LinkRef, LinkSpec};
pub use mac::MacAddr;
pub use netns::{NetNs, NetNsGuard};
pub use socket::{Batch, BatchMode, Dump, DumpMap, Socket};

// The README's Rust examples are compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
