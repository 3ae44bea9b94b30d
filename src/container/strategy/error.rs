//! [`StrategyError`] and the [`Step`] it names.

use crate::Error;
use std::fmt;

/// Why a strategy failed. The messages keep the seed's text.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StrategyError {
    /// [`super::strategy`] was given a name it does not know (the seed's
    /// `ErrNotValidStrategyType`).
    #[error("not a valid network strategy type: {name:?}")]
    NotValidStrategyType {
        /// The name asked for.
        name: String,
    },
    /// `veth` needs [`super::Network::bridge`].
    #[error("bridge is not specified")]
    BridgeNotSpecified,
    /// `veth` needs [`super::Network::veth_prefix`].
    #[error("veth prefix is not specified")]
    VethPrefixNotSpecified,
    /// `veth`'s `initialize` needs [`super::NetworkState::veth_child`].
    #[error("vethChild is not specified")]
    VethChildNotSpecified,
    /// `netns`'s `initialize` needs [`super::NetworkState::ns_path`].
    #[error("nspath is not specified in NetworkState")]
    NsPathNotSpecified,
    /// A configuration value that cannot be used (a prefix too long for a link name, an
    /// address that is not a CIDR...), refused before the kernel is asked.
    #[error("invalid network configuration: {0}")]
    Invalid(#[source] Error),
    /// A step failed; every change made before it was undone. If undoing failed too,
    /// `source` is an [`Error::RolledBack`] with the cleanup errors.
    #[error("{step}: {source}")]
    Step {
        /// What was being done.
        step: Box<Step>,
        /// Why it failed.
        #[source]
        source: Error,
    },
}

impl StrategyError {
    /// The step that failed, if this is a step's failure.
    pub fn step(&self) -> Option<&Step> {
        match self {
            StrategyError::Step { step, .. } => Some(step),
            _ => None,
        }
    }

    /// The crate error underneath, if there is one (its predicates, such as
    /// [`Error::is_injected`] or [`Error::cleanup_errors`], say more).
    pub fn error(&self) -> Option<&Error> {
        match self {
            StrategyError::Step { source, .. } | StrategyError::Invalid(source) => Some(source),
            _ => None,
        }
    }
}

/// One step of a strategy, as its errors name it (in the seed's words).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Step {
    /// Opening a netlink socket in the calling thread's namespace.
    Socket,
    /// Creating the veth pair (`ip link add HOST type veth peer name CHILD netns NS`).
    CreatePair,
    /// `ip link set LINK master BRIDGE`.
    SetMaster {
        /// The link.
        link: String,
        /// The bridge.
        bridge: String,
    },
    /// `ip link set LINK mtu MTU`.
    SetMtu {
        /// The link.
        link: String,
        /// The MTU.
        mtu: u32,
    },
    /// `ip link set LINK up`.
    Up {
        /// The link.
        link: String,
    },
    /// `ip link set LINK down`.
    Down {
        /// The link.
        link: String,
    },
    /// `ip link set FROM name TO`.
    Rename {
        /// The old name.
        from: String,
        /// The new name.
        to: String,
    },
    /// `ip addr add ADDRESS dev LINK`.
    SetAddress {
        /// The link.
        link: String,
        /// The address, as configured.
        address: String,
    },
    /// `ip route add default via GATEWAY dev LINK`.
    SetGateway {
        /// The gateway, as configured.
        gateway: String,
        /// The link.
        link: String,
    },
    /// Opening the namespace file.
    OpenNetns {
        /// Its path.
        path: String,
    },
    /// `setns(2)` into the namespace.
    Setns {
        /// Its path.
        path: String,
    },
    /// Reading the host veth's counters.
    Stats {
        /// The host veth.
        link: String,
    },
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Socket => f.write_str("open a netlink socket"),
            Step::CreatePair => f.write_str("create veth pair"),
            Step::SetMaster { link, bridge } => write!(f, "set {link} master {bridge}"),
            Step::SetMtu { link, mtu } => write!(f, "set {link} mtu to {mtu}"),
            Step::Up { link } => write!(f, "{link} up"),
            Step::Down { link } => write!(f, "interface down {link}"),
            Step::Rename { from, to } => write!(f, "change {from} to {to}"),
            Step::SetAddress { link, address } => write!(f, "set {link} ip {address}"),
            Step::SetGateway { gateway, link } => {
                write!(f, "set gateway to {gateway} on device {link} failed")
            }
            Step::OpenNetns { path } => write!(f, "failed get network namespace fd {path}"),
            Step::Setns { path } => write!(f, "failed to setns current network namespace {path}"),
            Step::Stats { link } => write!(f, "read statistics of {link}"),
        }
    }
}

/// Wraps the error of one step.
pub(crate) fn at(step: Step) -> impl FnOnce(Error) -> StrategyError {
    move |source| StrategyError::Step {
        step: Box::new(step),
        source,
    }
}
