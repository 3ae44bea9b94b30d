//! netplumb: container network plumbing over NETLINK_ROUTE.
//!
//! Layers, each using only the ones below it: [`wire`] (a pure codec), `socket` (a blocking
//! NETLINK_ROUTE socket), namespaces and typed operations on top.
#![warn(missing_docs)]

pub mod error;
pub mod ifname;
pub mod ipnet;
pub mod mac;
mod sys;
pub mod sysctl;
pub mod tun;
pub mod wire;

pub use error::{Error, KernelError, Result};
pub use ipnet::IpNet;
pub use mac::MacAddr;
