//! [`DhcpFilter`]: no DHCP between two ports of a bridge.

use super::TableOp;
use crate::error::{Error, Result};
use crate::nft::{Chain, ChainType, ETH_P_IP, Hook, Proto, Rule, TableFamily, priority};

/// Drops DHCP (UDP to port 67 or 68) that a bridge forwards from `ports.0` to `ports.1` or
/// back, in the bridge family: what virtlet did with two `ebtables` rules so that a VM's
/// DHCP client on one port never reaches the pod network on the other.
///
/// ```
/// use netplumb::nft::ops::{DhcpFilter, TableOp};
/// let f = DhcpFilter::new("tap0", "veth0");
/// let script = f.script("np-vm1")?;
/// assert!(script.contains("iifname \"tap0\" oifname \"veth0\" ether type ip udp dport 67-68 drop"));
/// assert!(script.contains("iifname \"veth0\" oifname \"tap0\" ether type ip udp dport 67-68 drop"));
/// # Ok::<(), netplumb::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DhcpFilter {
    /// The two bridge ports.
    pub ports: (String, String),
}

impl DhcpFilter {
    /// No DHCP between the bridge ports `a` and `b`.
    pub fn new(a: impl Into<String>, b: impl Into<String>) -> DhcpFilter {
        DhcpFilter {
            ports: (a.into(), b.into()),
        }
    }
}

impl TableOp for DhcpFilter {
    fn family(&self) -> TableFamily {
        TableFamily::Bridge
    }

    /// `chain forward { type filter hook forward priority filter; }` with one rule per
    /// direction: `iifname A oifname B ether type ip udp dport 67-68 drop`.
    fn chains(&self) -> Result<Vec<(Chain, Vec<Rule>)>> {
        let (a, b) = &self.ports;
        if a == b {
            return Err(Error::invalid("bridge ports", format!("{a} twice")));
        }
        let rule = |from: &str, to: &str| {
            Rule::new()
                .iifname(from)
                .oifname(to)
                .ether_type(ETH_P_IP)
                .dport(Proto::Udp, 67..=68)
                .drop()
        };
        let chain = Chain::base(
            "forward",
            ChainType::Filter,
            Hook::Forward,
            priority::BRIDGE_FILTER,
        );
        Ok(vec![(chain, vec![rule(a, b), rule(b, a)])])
    }
}
