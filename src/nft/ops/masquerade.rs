//! [`Masquerade`]: source NAT for a network's subnet.

use super::TableOp;
use crate::error::{Error, Result};
use crate::ipnet::IpNet;
use crate::nft::{Chain, ChainType, Hook, Rule, TableFamily, priority};

/// Masquerades traffic from `subnet` that leaves through any interface but `bridge`, the
/// network's own bridge: containers reach other hosts with the host's address, and keep
/// their own addresses among themselves.
///
/// ```
/// use netplumb::nft::ops::{Masquerade, TableOp};
/// let m = Masquerade::new("198.18.0.0/24".parse()?, "br0");
/// assert_eq!(
///     m.script("np-net1")?,
///     "table inet np-net1\ndelete table inet np-net1\ntable inet np-net1 {\n\
///      \tchain postrouting {\n\
///      \t\ttype nat hook postrouting priority 100; policy accept;\n\
///      \t\tip saddr 198.18.0.0/24 oifname != \"br0\" masquerade\n\
///      \t}\n}\n"
/// );
/// # Ok::<(), netplumb::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Masquerade {
    /// The network's subnet (no host bits).
    pub subnet: IpNet,
    /// The network's bridge.
    pub bridge: String,
}

impl Masquerade {
    /// Masquerade `subnet` unless it leaves through `bridge`.
    pub fn new(subnet: IpNet, bridge: impl Into<String>) -> Masquerade {
        Masquerade {
            subnet,
            bridge: bridge.into(),
        }
    }
}

impl TableOp for Masquerade {
    fn family(&self) -> TableFamily {
        TableFamily::Inet
    }

    /// `chain postrouting { type nat hook postrouting priority srcnat; }` with
    /// `ip saddr SUBNET oifname != BRIDGE masquerade`.
    fn chains(&self) -> Result<Vec<(Chain, Vec<Rule>)>> {
        if self.subnet.is_default() {
            return Err(Error::invalid(
                "subnet",
                "a /0 subnet would masquerade everything",
            ));
        }
        let chain = Chain::base(
            "postrouting",
            ChainType::Nat,
            Hook::Postrouting,
            priority::SRCNAT,
        );
        let rule = Rule::new()
            .saddr(self.subnet)
            .oifname_ne(self.bridge.clone())
            .masquerade();
        Ok(vec![(chain, vec![rule])])
    }
}
