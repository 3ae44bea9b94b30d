//! [`Network`], [`NetworkState`] and [`NetworkStats`]: the seed's configuration, state and
//! statistics, with its JSON keys (feature `serde`).

#[cfg(feature = "serde")]
use serde::{Deserialize, Serialize};

/// How a container's network is set up: the seed's `Network`.
///
/// The fields are strings, as in the seed's JSON, so that a configuration written by the
/// seed (or by another process) reads back unchanged; an empty string or MTU 0 means "not
/// set". The values are checked where they are used: [`super::Veth`]'s `initialize` refuses
/// an address that is not a CIDR, for example.
///
/// With feature `serde` the JSON keys are the seed's (`type`, `ns_path`, `bridge`,
/// `veth_prefix`, `address`, `gateway`, `mtu`), each left out when empty (Go's
/// `omitempty`).
///
/// ```
/// use netplumb::container::strategy::Network;
/// let n = Network {
///     kind: "veth".into(),
///     bridge: "br0".into(),
///     veth_prefix: "veth".into(),
///     address: "198.18.0.2/24".into(),
///     gateway: "198.18.0.1".into(),
///     mtu: 1500,
///     ..Network::default()
/// };
/// assert_eq!(n.kind, "veth");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct Network {
    /// The strategy's name: `loopback`, `veth` or `netns` (JSON `type`).
    #[cfg_attr(
        feature = "serde",
        serde(rename = "type", skip_serializing_if = "String::is_empty")
    )]
    pub kind: String,
    /// The path of the network namespace to join, for `netns`.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "String::is_empty"))]
    pub ns_path: String,
    /// The bridge the host end of a `veth` pair joins.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "String::is_empty"))]
    pub bridge: String,
    /// The prefix of the `veth` pair's random names.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "String::is_empty"))]
    pub veth_prefix: String,
    /// The container's address as a CIDR (`198.18.0.2/24`), for `veth`.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "String::is_empty"))]
    pub address: String,
    /// The container's default gateway, for `veth`; empty for none.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "String::is_empty"))]
    pub gateway: String,
    /// The MTU of both ends of a `veth` pair; 0 keeps the kernel's default (1500).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "is_zero"))]
    pub mtu: u32,
}

/// What the host side of a strategy made, handed to the container side: the seed's
/// `NetworkState`. JSON keys (feature `serde`): `veth_host`, `veth_child`, `ns_path`, each
/// left out when empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct NetworkState {
    /// The name of the veth end that stays on the host.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "String::is_empty"))]
    pub veth_host: String,
    /// The name of the veth end created in the container's namespace (before
    /// `initialize` renames it to `eth0`).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "String::is_empty"))]
    pub veth_child: String,
    /// The network namespace path, for `netns`.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "String::is_empty"))]
    pub ns_path: String,
}

/// A container's traffic counters, as the container sees them: the seed's `NetworkStats`.
/// JSON keys (feature `serde`): `rx_bytes`, `rx_packets`, `rx_errors`, `rx_dropped`,
/// `tx_bytes`, `tx_packets`, `tx_errors`, `tx_dropped`, always present.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct NetworkStats {
    /// Bytes the container received.
    pub rx_bytes: u64,
    /// Packets the container received.
    pub rx_packets: u64,
    /// Receive errors.
    pub rx_errors: u64,
    /// Received packets dropped.
    pub rx_dropped: u64,
    /// Bytes the container sent.
    pub tx_bytes: u64,
    /// Packets the container sent.
    pub tx_packets: u64,
    /// Transmit errors.
    pub tx_errors: u64,
    /// Packets dropped before transmission.
    pub tx_dropped: u64,
}

#[cfg(feature = "serde")]
#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_zero(v: &u32) -> bool {
    *v == 0
}
