//! The `loopback` strategy.

use super::error::{Step, StrategyError, at};
use super::{Network, NetworkState, Strategy};
use crate::handle::Handle;
use crate::link::NetNsRef;

/// The `loopback` strategy (the seed's `Loopback`): nothing on the host; `lo` up in the
/// container.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Loopback;

impl Strategy for Loopback {
    fn name(&self) -> &'static str {
        "loopback"
    }

    /// Does nothing (the seed's `Create` neither).
    fn create(
        &self,
        _host: &Handle,
        _network: &Network,
        _container: NetNsRef<'_>,
        _state: &mut NetworkState,
    ) -> Result<(), StrategyError> {
        Ok(())
    }

    /// Sets `lo` up in the calling thread's namespace: `RTM_NEWLINK` with `IFF_UP`, like
    /// `ip link set lo up`. (Its MTU is left alone: v1.1 of the seed also set it, and failed
    /// for MTU 0.)
    fn initialize(&self, _network: &Network, _state: &NetworkState) -> Result<(), StrategyError> {
        let link = || Step::Up { link: "lo".into() };
        let h = Handle::new().map_err(at(Step::Socket))?;
        h.link_up("lo").map_err(at(link()))
    }
}
