//! libcontainer's network strategies: how a container runtime gives a new container
//! loopback, a veth pair on a bridge, or an existing network namespace.
//!
//! # The seed's names
//! docker/libcontainer `network` v1.2.0. Helpers that are one existing [`Handle`] call map to
//! that call.
//!
//! | seed | netplumb |
//! |---|---|
//! | `NetworkStrategy` (`Create`, `Initialize`) | [`Strategy`] ([`Strategy::create`], [`Strategy::initialize`]) |
//! | `GetStrategy(type)` | [`strategy`] |
//! | `ErrNotValidStrategyType` | [`StrategyError::NotValidStrategyType`] |
//! | `Loopback`, `Veth`, `NetNS` | [`Loopback`], [`Veth`], [`Netns`] |
//! | `Network`, `NetworkState`, `NetworkStats` | [`Network`], [`NetworkState`], [`NetworkStats`] (same JSON keys, feature `serde`) |
//! | `GetStats(state)` | [`stats`]`(host, state)` |
//! | `InterfaceUp(name)` / `InterfaceDown(name)` | [`Handle::link_up`] / [`Handle::link_down`] |
//! | `ChangeInterfaceName(old, new)` | [`Handle::link_rename`] |
//! | `CreateVethPair(a, b)` | [`Handle::link_add`]`(&LinkSpec::veth(a, b))` |
//! | `SetInterfaceInNamespacePid(name, pid)` | [`Handle::link_set_netns`]`(name, NetNsRef::Pid(pid))` |
//! | `SetInterfaceInNamespaceFd(name, fd)` | [`Handle::link_set_netns`]`(name, NetNsRef::Fd(fd))` |
//! | `SetInterfaceMaster(name, bridge)` | [`Handle::link_set_master`] |
//! | `SetDefaultGateway(ip, iface)` | [`Handle::route_add`]`(&RouteSpec::default_v4().via(ip).dev(iface))` (`default_v6` for IPv6) |
//! | `SetInterfaceIp(name, cidr)` | [`Handle::addr_add`]`(name, &AddrSpec::new(cidr))` |
//! | `SetMtu(name, mtu)` | [`Handle::link_set_mtu`] |
//!
//! # How a strategy is used
//! A strategy works in two halves. [`Strategy::create`] runs on the host side, given the
//! container's new namespace (by pid or descriptor), and records what it made in a
//! [`NetworkState`]; the runtime hands that state to the container's init, which runs
//! [`Strategy::initialize`] inside the namespace before it executes the container's program.
//!
//! ```no_run
//! use netplumb::container::strategy::{self, Network, NetworkState};
//! use netplumb::link::NetNsRef;
//! use netplumb::Handle;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let net = Network {
//!     kind: "veth".into(),
//!     bridge: "br0".into(),
//!     veth_prefix: "veth".into(),
//!     address: "198.18.0.2/24".into(),
//!     gateway: "198.18.0.1".into(),
//!     ..Network::default()
//! };
//! let child_pid = 4242; // the container's init, in its new network namespace
//! let mut state = NetworkState::default();
//! let s = strategy::strategy(&net.kind)?;
//! s.create(&Handle::new()?, &net, NetNsRef::Pid(child_pid), &mut state)?;
//! // ... and in the container, before exec:
//! s.initialize(&net, &state)?;
//! # Ok(()) }
//! ```
//!
//! # Where netplumb differs from the seed, and why
//! - **A failed `veth` create leaves nothing behind.** The seed leaked the pair when a step
//!   after its creation failed (runc #1352, moby #31414); netplumb deletes it again and
//!   leaves the state untouched, through the crate's undo log ([`crate::undo`]); a fault
//!   plan on the host handle lets tests fail every step.
//! - **The container's end is created in the container's namespace**, in the same request as
//!   the pair, where the seed created both ends on the host and moved one by pid afterwards:
//!   the child's name never appears on the host, and there is one step less to fail.
//! - **Names retry.** `PREFIX` + 7 random hex digits (fewer if the prefix leaves less room,
//!   at least 4; v1.2 used 4), drawn again while either name is taken (v1.4's behaviour).
//! - **MTU 0 means "keep the kernel's default"** (the JSON leaves it out), where the seed sent
//!   0 and failed with `EINVAL`.
//! - **Configuration is checked before the kernel is asked**: an address that is not a CIDR
//!   or a gateway that is not an address fails `initialize` before the link is touched.
//! - **Statistics come from netlink** ([`stats`]), not from sysfs, which shows the network
//!   namespace it was mounted in rather than the caller's.
//! - **`netns` checks its path** is a network namespace before `setns`, and closes the
//!   descriptor afterwards (v1.2 leaked it).
//! - **Rename and master go over netlink** (`IFLA_IFNAME`, `IFLA_MASTER`), not the
//!   `SIOCSIFNAME` / `SIOCBRADDIF` ioctls the seed used for RHEL 6 kernels.
//! - **`create` gets a [`Handle`]** on the host side's namespace, instead of acting on the
//!   process's current one: a runtime (or a test) can keep its "host" in any namespace.
//!   `initialize` acts on the calling thread's namespace, as the seed does.
//! - **Errors are typed** ([`StrategyError`], [`Step`]) and keep the seed's words.
//! - There is no teardown, as in the seed: the pair goes when the container's namespace
//!   does (deleting the host end, [`Handle::link_del`], removes it earlier).
//!
//! [`Handle`]: crate::Handle
//! [`Handle::link_up`]: crate::Handle::link_up
//! [`Handle::link_down`]: crate::Handle::link_down
//! [`Handle::link_rename`]: crate::Handle::link_rename
//! [`Handle::link_add`]: crate::Handle::link_add
//! [`Handle::link_set_netns`]: crate::Handle::link_set_netns
//! [`Handle::link_set_master`]: crate::Handle::link_set_master
//! [`Handle::route_add`]: crate::Handle::route_add
//! [`Handle::addr_add`]: crate::Handle::addr_add
//! [`Handle::link_set_mtu`]: crate::Handle::link_set_mtu
//! [`Handle::link_del`]: crate::Handle::link_del

mod error;
mod loopback;
mod netns;
mod stats;
mod types;
mod veth;

pub use error::{Step, StrategyError};
pub use loopback::Loopback;
pub use netns::Netns;
pub use stats::stats;
pub use types::{Network, NetworkState, NetworkStats};
pub use veth::{CONTAINER_DEVICE, Veth};

use crate::handle::Handle;
use crate::link::NetNsRef;
use std::fmt;

/// A way to give a container its network (the seed's `NetworkStrategy`).
pub trait Strategy: fmt::Debug + Send + Sync {
    /// The name [`strategy`] knows it by (`loopback`, `veth`, `netns`).
    fn name(&self) -> &'static str;

    /// The host side: runs with `host`, a handle on the host's namespace, while the
    /// container's init waits in its new namespace `container` (by pid, like the seed's
    /// `nspid`, or by descriptor); records what it made in `state`.
    ///
    /// # Errors
    /// A [`StrategyError`]; whatever the strategy created before the failure is removed.
    fn create(
        &self,
        host: &Handle,
        network: &Network,
        container: NetNsRef<'_>,
        state: &mut NetworkState,
    ) -> Result<(), StrategyError>;

    /// The container side: runs inside the container's namespace (the calling thread's), with
    /// the state `create` recorded.
    ///
    /// # Errors
    /// A [`StrategyError`] naming the step that failed.
    fn initialize(&self, network: &Network, state: &NetworkState) -> Result<(), StrategyError>;
}

/// The strategy named `name` (the seed's `GetStrategy`): `loopback`, `veth` or `netns`.
///
/// ```
/// use netplumb::container::strategy::{strategy, StrategyError};
/// assert_eq!(strategy("veth").unwrap().name(), "veth");
/// let e = strategy("macvlan").unwrap_err();
/// assert!(matches!(e, StrategyError::NotValidStrategyType { .. }));
/// assert!(e.to_string().starts_with("not a valid network strategy type"));
/// ```
///
/// # Errors
/// [`StrategyError::NotValidStrategyType`] for any other name.
pub fn strategy(name: &str) -> Result<&'static dyn Strategy, StrategyError> {
    match name {
        "loopback" => Ok(&Loopback),
        "veth" => Ok(&Veth),
        "netns" => Ok(&Netns),
        _ => Err(StrategyError::NotValidStrategyType { name: name.into() }),
    }
}
