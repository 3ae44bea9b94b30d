//! [`Isolation`]: no forwarding between networks.

use super::TableOp;
use crate::error::{Error, Result};
use crate::nft::{Chain, ChainType, Hook, Rule, TableFamily, priority};

/// Drops what is forwarded between two bridges, both ways (Docker's isolation of networks),
/// and optionally what goes between the ports of one bridge (Docker's `icc=false`).
///
/// Traffic between ports of one bridge is bridged, not routed: it reaches the `inet`
/// forward hook (as in and out through the bridge) only while the namespace's
/// `net.bridge.bridge-nf-call-iptables` (and `-ip6tables`) is 1, as Docker's `icc=false`
/// requires too. It also stops a container reaching its own published ports through the
/// host (hairpin).
///
/// ```
/// use netplumb::nft::ops::{Isolation, TableOp};
/// let i = Isolation::new().between("br0", "br1").no_inter_port("br0");
/// let s = i.script("np-iso")?;
/// assert!(s.contains("iifname \"br0\" oifname \"br1\" drop"));
/// assert!(s.contains("iifname \"br1\" oifname \"br0\" drop"));
/// assert!(s.contains("iifname \"br0\" oifname \"br0\" drop"));
/// # Ok::<(), netplumb::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Isolation {
    /// Pairs of bridges between which nothing is forwarded.
    pub pairs: Vec<(String, String)>,
    /// Bridges between whose ports nothing goes.
    pub inter_port: Vec<String>,
}

impl Isolation {
    /// Nothing isolated yet.
    pub fn new() -> Isolation {
        Isolation::default()
    }

    /// Also drops forwarding between bridges `a` and `b`, both ways.
    #[must_use]
    pub fn between(mut self, a: impl Into<String>, b: impl Into<String>) -> Isolation {
        self.pairs.push((a.into(), b.into()));
        self
    }

    /// Also drops traffic between the ports of `bridge` (`icc=false`).
    #[must_use]
    pub fn no_inter_port(mut self, bridge: impl Into<String>) -> Isolation {
        self.inter_port.push(bridge.into());
        self
    }
}

impl TableOp for Isolation {
    fn family(&self) -> TableFamily {
        TableFamily::Inet
    }

    /// `chain forward { type filter hook forward priority filter; }` with
    /// `iifname A oifname B drop` for each direction of each pair, then
    /// `iifname X oifname X drop` for each bridge without inter-port traffic.
    fn chains(&self) -> Result<Vec<(Chain, Vec<Rule>)>> {
        if self.pairs.is_empty() && self.inter_port.is_empty() {
            return Err(Error::invalid("isolation", "no bridges given"));
        }
        let drop = |a: &str, b: &str| Rule::new().iifname(a).oifname(b).drop();
        let mut rules = Vec::new();
        for (a, b) in &self.pairs {
            if a == b {
                return Err(Error::invalid("bridge pair", format!("{a} twice")));
            }
            rules.push(drop(a, b));
            rules.push(drop(b, a));
        }
        rules.extend(self.inter_port.iter().map(|x| drop(x, x)));
        let chain = Chain::base(
            "forward",
            ChainType::Filter,
            Hook::Forward,
            priority::FILTER,
        );
        Ok(vec![(chain, rules)])
    }
}
