//! The `netns` strategy: join an existing network namespace.

use super::error::{Step, StrategyError, at};
use super::{Network, NetworkState, Strategy};
use crate::handle::Handle;
use crate::link::NetNsRef;
use crate::netns::NetNs;
use std::os::fd::AsFd;

/// The `netns` strategy (the seed's `NetNS`): the container joins an existing network
/// namespace, [`Network::ns_path`], instead of getting a new one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Netns;

impl Strategy for Netns {
    fn name(&self) -> &'static str {
        "netns"
    }

    /// Copies [`Network::ns_path`] into [`NetworkState::ns_path`]; nothing else.
    fn create(
        &self,
        _host: &Handle,
        network: &Network,
        _container: NetNsRef<'_>,
        state: &mut NetworkState,
    ) -> Result<(), StrategyError> {
        state.ns_path.clone_from(&network.ns_path);
        Ok(())
    }

    /// Moves **the calling thread** into the namespace at [`NetworkState::ns_path`] for good
    /// (`setns(fd, CLONE_NEWNET)`), and nothing else: no other thread of the process moves,
    /// and nothing moves it back.
    ///
    /// This is what a container's init does between `fork` and `exec`, when it is the only
    /// thread and everything it runs next must be in the new namespace. Anywhere else it is
    /// rarely what you want: on a thread pool's worker or a test harness's thread, whatever
    /// runs there next runs in the container's namespace. To run code in a namespace and come
    /// back, use [`NetNs::run`] or [`NetNs::enter`].
    ///
    /// The file is checked to be a network namespace before `setns` (the seed opened any
    /// path, and leaked the descriptor; here it is closed once joined).
    fn initialize(&self, _network: &Network, state: &NetworkState) -> Result<(), StrategyError> {
        let path = state.ns_path.as_str();
        if path.is_empty() {
            return Err(StrategyError::NsPathNotSpecified);
        }
        let ns = NetNs::open(path).map_err(at(Step::OpenNetns { path: path.into() }))?;
        crate::sys::ns::setns_net(ns.as_fd())
            .map_err(|e| crate::Error::io("setns(CLONE_NEWNET)", e))
            .map_err(at(Step::Setns { path: path.into() }))
    }
}
