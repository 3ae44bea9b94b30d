//! netplumb: container network plumbing over netlink.
//!
//! Typed operations on links, addresses, routes, neighbours and rules through a [`Handle`]
//! bound to one network namespace, namespaces themselves ([`NetNs`]), tun/tap devices,
//! per-namespace sysctls, kernel events and nf_tables, over a pure codec ([`wire`]) that
//! cannot panic on any input; and, on top, container plumbing: libcontainer's network
//! strategies and virtlet's VM side ([`container`]) and a CNI runtime (`cni`, feature `cni`).
//!
//! ```no_run
//! use netplumb::{Handle, LinkSpec, NetNs};
//! let ns = NetNs::new_anonymous()?;
//! let h = Handle::in_netns(&ns)?; // every call below acts on `ns`, from this thread
//! h.link_add(&LinkSpec::bridge("br0").up())?;
//! # Ok::<(), netplumb::Error>(())
//! ```
//!
//! # Layers
//!
//! Each layer uses only the ones below it. Data goes down as a typed request, becomes bytes
//! in [`wire`], goes through the [`socket`], and comes back up as borrowed views that the
//! caller turns into owned values only if it keeps them.
//!
//! | Layer | Modules | What it does |
//! |-------|---------|--------------|
//! | container plumbing | [`container`] (libcontainer's strategies, virtlet's VM side), `cni` (feature `cni`: a CNI runtime that runs real plugins, as cri-o's ocicni) | multi-step plumbing for containers and VMs, every step recorded in an undo log: rolled back on failure, torn down completely |
//! | undo | [`undo`] | the undo log of multi-step operations (reverse-order rollback, teardown that collects every error and retries what failed) and fault injection at every step ([`undo::FaultPlan`]) |
//! | nf_tables | [`nft`] over its own `NETLINK_NETFILTER` socket ([`nft::Nft`]) | tables, chains, rules and sets changed in atomic transactions, as `nft` sends them; ready-made masquerade, published ports, isolation and a bridge DHCP filter ([`nft::ops`]) |
//! | operations | [`link`], [`addr`], [`route`], [`neigh`], [`rule`], [`nsid`] over a [`handle::Handle`] | typed requests and replies, verbs as in iproute2 (`ip link add`, `ip route replace`, ...) |
//! | namespaces and devices | [`netns`], [`tun`], [`sysctl`], [`events`] | namespaces on pinned threads, `/dev/net/tun`, per-namespace sysctls, multicast monitors |
//! | values | [`ipnet`], [`mac`], [`ifname`] | addresses with prefixes, MAC addresses, interface-name rules |
//! | socket | [`socket`], [`error`] | a blocking netlink socket (acknowledged requests, dumps, batches, multicast) and the typed [`Error`] every layer above returns |
//! | wire | [`wire`] | the pure codec: zero-copy views and owned messages; no I/O, no `unsafe`, no panics |
//! | sys | (private) | the only module with `unsafe`: raw syscalls and ioctls |
//!
//! # Paths
//!
//! The types most programs need are re-exported here ([`Handle`], [`NetNs`], [`LinkSpec`],
//! [`AddrSpec`], [`RouteSpec`], [`NeighSpec`], [`Sysctls`], [`Monitor`], [`Tun`], [`Error`],
//! ...); everything else is reached through its module (`netplumb::route::RouteFilter`).
//! The docs can be searched by kernel name: `RTM_NEWROUTE`, `setns`, `TUNSETIFF`.
#![warn(missing_docs)]
// `unsafe` lives only in `sys`, which allows it for itself.
#![deny(unsafe_code)]

// ---- sys and wire: syscalls, and the pure codec ----
mod sys;
pub mod wire;

// ---- socket, and the error type of every layer from here up ----
pub mod error;
pub mod socket;

// ---- values shared by the layers above ----
pub mod ifname;
pub mod ipnet;
pub mod mac;

// ---- namespaces and devices ----
pub mod events;
pub mod netns;
pub mod sysctl;
pub mod tun;

// ---- operations: typed requests over a Handle ----
pub mod addr;
pub mod handle;
pub mod link;
pub mod neigh;
pub mod nsid;
mod ops;
pub mod route;
pub mod rule;

// ---- multi-step plumbing: undo logs and fault plans ----
pub mod undo;

// ---- nf_tables: tables, chains, rules, sets; ready-made NAT, ports and filters ----
pub mod nft;

// ---- container plumbing: compositions of the operations ----
#[cfg(feature = "cni")]
pub mod cni;
pub mod container;

// ---- not part of the API ----
#[doc(hidden)]
pub mod fuzzing;
#[cfg(test)]
mod refused_before_sending;

// ---- curated re-exports ----
pub use error::{Error, KernelError, Result};
pub use ipnet::{Family, IpNet};
pub use mac::MacAddr;

pub use socket::{Batch, BatchMode, Dump, DumpMap, Socket};

pub use events::{Event, Monitor};
pub use netns::{NetNs, NetNsGuard};
pub use sysctl::Sysctls;
pub use tun::{Tun, TunBuilder};

pub use addr::{AddrFilter, AddrSpec, Address};
pub use handle::Handle;
pub use link::{Link, LinkChange, LinkFilter, LinkRef, LinkSpec};
pub use neigh::{NeighFilter, NeighSpec, Neighbour};
pub use route::{Route, RouteFilter, RouteSpec};

// The README's Rust examples are compiled and run as doctests (with feature `cni`, which
// one of them uses; CI tests with every feature).
#[cfg(all(doctest, feature = "cni"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
