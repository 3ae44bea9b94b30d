//! [`VmError`] and the [`VmStep`] it names.

use crate::Error;
use std::fmt;

/// Why a VM-side operation failed. The messages keep the seed's text where it had one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VmError {
    /// No veth link in the pod's namespace.
    #[error("no veth interface found")]
    NoVeth,
    /// More than one veth link where exactly one is needed.
    #[error("multiple veth links detected in the container namespace: {}", .names.join(", "))]
    MultipleVeths {
        /// Their names.
        names: Vec<String>,
    },
    /// A link does not have exactly one IPv4 address, so there is no single address to hand
    /// to the VM.
    #[error("{link}: found {count} IPv4 addresses, exactly one is needed")]
    AddressCount {
        /// The link.
        link: String,
        /// How many it has.
        count: usize,
    },
    /// A bridge needs at least one link (for its MTU).
    #[error("no links provided")]
    NoLinks,
    /// An argument refused before anything was sent.
    #[error("invalid argument: {0}")]
    Invalid(#[source] Error),
    /// A step failed. In a multi-step operation, every change made before it was undone;
    /// if undoing failed too, `source` is an [`Error::RolledBack`] with the cleanup errors.
    #[error("{step} {link}: {source}")]
    Step {
        /// What was being done.
        step: VmStep,
        /// On which link (or other object).
        link: String,
        /// Why it failed.
        #[source]
        source: Error,
    },
}

impl VmError {
    /// The step that failed, if this is one step's failure.
    pub fn step(&self) -> Option<VmStep> {
        match self {
            VmError::Step { step, .. } => Some(*step),
            _ => None,
        }
    }

    /// The crate error underneath, if there is one (its predicates, such as
    /// [`Error::is_injected`] or [`Error::cleanup_errors`], say more).
    pub fn error(&self) -> Option<&Error> {
        match self {
            VmError::Step { source, .. } | VmError::Invalid(source) => Some(source),
            _ => None,
        }
    }

    /// Whether this is an injected fault (see [`super::SetupOptions::faults`]).
    pub fn is_injected(&self) -> bool {
        self.error().is_some_and(Error::is_injected)
    }
}

/// One step of the VM side, as its errors name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VmStep {
    /// Opening a netlink socket in the pod's namespace.
    Socket,
    /// Listing or reading links.
    ReadLinks,
    /// Listing a link's addresses.
    ListAddresses,
    /// Listing a link's routes.
    ListRoutes,
    /// Deleting a route.
    DeleteRoute,
    /// Deleting an address.
    DeleteAddress,
    /// Adding an address.
    AddAddress,
    /// Adding a route.
    AddRoute,
    /// Setting a MAC address.
    SetMac,
    /// Creating a tap device.
    CreateTap,
    /// Opening (attaching to) a tap device.
    OpenTap,
    /// Creating a bridge.
    CreateBridge,
    /// Making a link a bridge port.
    Enslave,
    /// Releasing a link from its bridge.
    Release,
    /// Setting an MTU.
    SetMtu,
    /// Setting a link up.
    Up,
    /// Setting a link down.
    Down,
    /// Deleting a link.
    DeleteLink,
    /// Creating a veth pair.
    CreateVeth,
    /// Installing or removing the DHCP filter.
    DhcpFilter,
}

impl fmt::Display for VmStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            VmStep::Socket => "open a netlink socket in",
            VmStep::ReadLinks => "read links",
            VmStep::ListAddresses => "list addresses of",
            VmStep::ListRoutes => "list routes of",
            VmStep::DeleteRoute => "delete a route of",
            VmStep::DeleteAddress => "delete an address of",
            VmStep::AddAddress => "add an address to",
            VmStep::AddRoute => "add a route to",
            VmStep::SetMac => "set the MAC address of",
            VmStep::CreateTap => "create tap",
            VmStep::OpenTap => "open tap",
            VmStep::CreateBridge => "create bridge",
            VmStep::Enslave => "add a port to bridge",
            VmStep::Release => "release from its bridge",
            VmStep::SetMtu => "set the MTU of",
            VmStep::Up => "set up",
            VmStep::Down => "set down",
            VmStep::DeleteLink => "delete",
            VmStep::CreateVeth => "create veth pair",
            VmStep::DhcpFilter => "DHCP filter for",
        })
    }
}

/// Wraps the error of one step on `link`.
pub(crate) fn at(step: VmStep, link: impl fmt::Display) -> impl FnOnce(Error) -> VmError {
    let link = link.to_string();
    move |source| VmError::Step { step, link, source }
}
