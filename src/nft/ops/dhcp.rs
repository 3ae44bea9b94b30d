//! [`DhcpFilter`]: no DHCP between two ports of a bridge.

use super::TableOp;
use crate::error::{Error, Result};
use crate::nft::{Chain, ChainType, ETH_P_IP, Hook, Proto, Rule, TableFamily, priority};

/// Drops DHCP (UDP to port 67 or 68) that a bridge forwards from `ports.0` to `ports.1` or
/// back, in the bridge family: what virtlet did with `ebtables` rules so that a VM's DHCP
/// client on one port never reaches the pod network on the other. With
/// [`DhcpFilter::local_server`], also the answers of a DHCP server that runs on the bridge
/// itself (UDP from port 67 sent by the host's own stack) never leave through the given port
/// (virtlet's `OUTPUT` rule: its DHCP server answers the VM only).
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
    /// The port that a DHCP server on the bridge must not answer through, if any.
    pub local_server: Option<String>,
}

impl DhcpFilter {
    /// No DHCP between the bridge ports `a` and `b`.
    pub fn new(a: impl Into<String>, b: impl Into<String>) -> DhcpFilter {
        DhcpFilter {
            ports: (a.into(), b.into()),
            local_server: None,
        }
    }

    /// Also drops what the host's own stack sends from UDP port 67 (a DHCP server on the
    /// bridge) out of the bridge port `port`: a chain on the bridge family's `output` hook
    /// with `oifname PORT ether type ip udp sport 67 drop`.
    ///
    /// ```
    /// use netplumb::nft::ops::{DhcpFilter, TableOp};
    /// let f = DhcpFilter::new("tap0", "veth0").local_server("veth0");
    /// let script = f.script("np-vm1")?;
    /// assert!(script.contains("type filter hook output priority -200"));
    /// assert!(script.contains("oifname \"veth0\" ether type ip udp sport 67 drop"));
    /// # Ok::<(), netplumb::Error>(())
    /// ```
    #[must_use]
    pub fn local_server(mut self, port: impl Into<String>) -> DhcpFilter {
        self.local_server = Some(port.into());
        self
    }
}

impl TableOp for DhcpFilter {
    fn family(&self) -> TableFamily {
        TableFamily::Bridge
    }

    /// `chain forward { type filter hook forward priority filter; }` with one rule per
    /// direction: `iifname A oifname B ether type ip udp dport 67-68 drop`; with
    /// [`DhcpFilter::local_server`], also `chain output { type filter hook output priority
    /// filter; }` with `oifname P ether type ip udp sport 67 drop`.
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
        let mut chains = vec![(chain, vec![rule(a, b), rule(b, a)])];
        if let Some(port) = &self.local_server {
            let output = Chain::base(
                "output",
                ChainType::Filter,
                Hook::Output,
                priority::BRIDGE_FILTER,
            );
            let rule = Rule::new()
                .oifname(port.as_str())
                .ether_type(ETH_P_IP)
                .sport(Proto::Udp, 67)
                .drop();
            chains.push((output, vec![rule]));
        }
        Ok(chains)
    }
}
