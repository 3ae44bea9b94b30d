//! [`stats`]: a container's counters, read from its host veth.

use super::error::{Step, StrategyError, at};
use super::{NetworkState, NetworkStats};
use crate::Error;
use crate::handle::Handle;

/// The container's traffic counters (the seed's `GetStats`), read from the host end of its
/// veth pair through `host`: one `RTM_GETLINK` for [`NetworkState::veth_host`] and its
/// `IFLA_STATS64`, like `ip -s link show dev VETH`. What the host end transmits, the container
/// receives, so rx and tx are swapped.
///
/// Zeroed statistics and no error when there is no host veth (a `loopback` or `netns`
/// container), as in the seed.
///
/// The seed read `/sys/class/net/VETH/statistics/*`; sysfs shows the network namespace it
/// was mounted in, not the caller's, so netplumb asks netlink, on a handle bound to the
/// namespace the veth lives in.
///
/// # Errors
/// [`StrategyError::Step`] with [`Step::Stats`]: the link does not exist (an
/// [`Error::NotFound`]), or the kernel sent no counters.
pub fn stats(host: &Handle, state: &NetworkState) -> Result<NetworkStats, StrategyError> {
    if state.veth_host.is_empty() {
        return Ok(NetworkStats::default());
    }
    let step = || Step::Stats {
        link: state.veth_host.clone(),
    };
    let link = host.link_get(&state.veth_host).map_err(at(step()))?;
    let s = link.stats.ok_or_else(|| {
        at(step())(Error::Protocol(format!(
            "no IFLA_STATS64 for {}",
            state.veth_host
        )))
    })?;
    Ok(NetworkStats {
        rx_bytes: s.tx_bytes,
        rx_packets: s.tx_packets,
        rx_errors: s.tx_errors,
        rx_dropped: s.tx_dropped,
        tx_bytes: s.rx_bytes,
        tx_packets: s.rx_packets,
        tx_errors: s.rx_errors,
        tx_dropped: s.rx_dropped,
    })
}
