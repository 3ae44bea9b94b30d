//! Tables and chains as values: [`Table`] (a family and a name), [`Chain`] (regular, or a
//! base chain with a [`Hook`], [`ChainType`], priority and [`Policy`]).

use super::{TableFamily, check_name};
use crate::error::{Error, Result};
use crate::wire::nft::{
    ChainAttr, ChainMessage, HookAttr, NF_ACCEPT, NF_DROP, NF_INET_FORWARD, NF_INET_INGRESS,
    NF_INET_LOCAL_IN, NF_INET_LOCAL_OUT, NF_INET_POST_ROUTING, NF_INET_PRE_ROUTING, NfGenHeader,
    TableAttr, TableMessage,
};
use std::fmt;

/// A table: its family and name. What every change and listing is about.
///
/// ```
/// use netplumb::nft::{Table, TableFamily};
/// let t = Table::new(TableFamily::Inet, "np-net1");
/// assert_eq!(t.to_string(), "inet np-net1"); // as nft names it
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Table {
    /// The family.
    pub family: TableFamily,
    /// The name.
    pub name: String,
}

impl Table {
    /// The table `name` of `family` (the name is checked when a change uses it).
    pub fn new(family: TableFamily, name: impl Into<String>) -> Table {
        Table {
            family,
            name: name.into(),
        }
    }

    /// Refuses a bad name (see [`check_name`]).
    pub(crate) fn check(&self) -> Result<()> {
        check_name("table name", &self.name)
    }

    /// The `nfgenmsg` of a request about this table.
    pub(crate) fn header(&self) -> NfGenHeader {
        NfGenHeader::new(self.family.nfproto())
    }

    /// `NFT_MSG_NEWTABLE`/`NFT_MSG_DELTABLE` payload: the name, and `NFTA_TABLE_FLAGS` 0
    /// when `with_flags` (as `nft add table` sends it).
    pub(crate) fn message(&self, with_flags: bool) -> TableMessage {
        let m = TableMessage::new(self.header()).with(TableAttr::Name(self.name.clone()));
        if with_flags {
            m.with(TableAttr::Flags(0))
        } else {
            m
        }
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.family, self.name)
    }
}

/// Where a base chain hooks into the stack (`NFTA_HOOK_HOOKNUM`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Hook {
    /// `prerouting` (`NF_INET_PRE_ROUTING`): every packet that comes in, before routing.
    Prerouting,
    /// `input` (`NF_INET_LOCAL_IN`): packets for this host.
    Input,
    /// `forward` (`NF_INET_FORWARD`): packets routed (or, in the bridge family, bridged)
    /// through.
    Forward,
    /// `output` (`NF_INET_LOCAL_OUT`): packets this host sends.
    Output,
    /// `postrouting` (`NF_INET_POST_ROUTING`): every packet that goes out, after routing.
    Postrouting,
    /// `ingress` (`NF_INET_INGRESS`, inet family only here).
    Ingress,
}

impl Hook {
    /// The hook number (the bridge family's `NF_BR_*` have the same values).
    pub fn number(self) -> u32 {
        match self {
            Hook::Prerouting => NF_INET_PRE_ROUTING,
            Hook::Input => NF_INET_LOCAL_IN,
            Hook::Forward => NF_INET_FORWARD,
            Hook::Output => NF_INET_LOCAL_OUT,
            Hook::Postrouting => NF_INET_POST_ROUTING,
            Hook::Ingress => NF_INET_INGRESS,
        }
    }

    /// The hook whose number is `n`.
    pub fn from_number(n: u32) -> Option<Hook> {
        [
            Hook::Prerouting,
            Hook::Input,
            Hook::Forward,
            Hook::Output,
            Hook::Postrouting,
            Hook::Ingress,
        ]
        .into_iter()
        .find(|h| h.number() == n)
    }

    /// The name `nft` uses.
    pub fn name(self) -> &'static str {
        match self {
            Hook::Prerouting => "prerouting",
            Hook::Input => "input",
            Hook::Forward => "forward",
            Hook::Output => "output",
            Hook::Postrouting => "postrouting",
            Hook::Ingress => "ingress",
        }
    }
}

/// The type of a base chain (`NFTA_CHAIN_TYPE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChainType {
    /// `filter`: accept or drop.
    Filter,
    /// `nat`: address translation; sees the first packet of each connection (ip, ip6, inet).
    Nat,
    /// `route`: reroutes a packet whose marks or addresses changed (output hook).
    Route,
}

impl ChainType {
    /// The name sent as `NFTA_CHAIN_TYPE`.
    pub fn name(self) -> &'static str {
        match self {
            ChainType::Filter => "filter",
            ChainType::Nat => "nat",
            ChainType::Route => "route",
        }
    }

    /// The type named `s`.
    pub fn from_name(s: &str) -> Option<ChainType> {
        [ChainType::Filter, ChainType::Nat, ChainType::Route]
            .into_iter()
            .find(|t| t.name() == s)
    }
}

/// A base chain's verdict for packets no rule decided (`NFTA_CHAIN_POLICY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Policy {
    /// `accept` (`NF_ACCEPT`), the default.
    #[default]
    Accept,
    /// `drop` (`NF_DROP`).
    Drop,
}

impl Policy {
    fn code(self) -> u32 {
        match self {
            Policy::Accept => NF_ACCEPT as u32,
            Policy::Drop => NF_DROP as u32,
        }
    }
}

/// The priorities `nft` names (`priority filter`, `priority dstnat`, ...): lower runs first.
pub mod priority {
    /// `raw` (ip, ip6, inet): -300.
    pub const RAW: i32 = -300;
    /// `mangle`: -150.
    pub const MANGLE: i32 = -150;
    /// `dstnat` (ip, ip6, inet): -100, where destination NAT runs.
    pub const DSTNAT: i32 = -100;
    /// `filter` (ip, ip6, inet, arp, netdev): 0.
    pub const FILTER: i32 = 0;
    /// `security`: 50.
    pub const SECURITY: i32 = 50;
    /// `srcnat` (ip, ip6, inet): 100, where source NAT runs.
    pub const SRCNAT: i32 = 100;
    /// `filter` in the bridge family: -200.
    pub const BRIDGE_FILTER: i32 = -200;
}

/// What makes a chain a base chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BaseChain {
    /// `type`.
    pub chain_type: ChainType,
    /// `hook`.
    pub hook: Hook,
    /// `priority`.
    pub priority: i32,
    /// `policy`.
    pub policy: Policy,
}

/// A chain to create: a regular chain (reached by `jump` and `goto`), or a base chain
/// hooked into the stack.
///
/// ```
/// use netplumb::nft::{Chain, ChainType, Hook, Policy, priority};
/// // chain forward { type filter hook forward priority filter; policy drop; }
/// let c = Chain::base("forward", ChainType::Filter, Hook::Forward, priority::FILTER)
///     .policy(Policy::Drop);
/// assert_eq!(c.to_string(), "type filter hook forward priority 0; policy drop;");
/// assert!(Chain::regular("sub").base.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Chain {
    /// The name.
    pub name: String,
    /// The hook, for a base chain.
    pub base: Option<BaseChain>,
}

impl Chain {
    /// A regular chain: `nft add chain FAMILY TABLE NAME`.
    pub fn regular(name: impl Into<String>) -> Chain {
        Chain {
            name: name.into(),
            base: None,
        }
    }

    /// A base chain with policy `accept`:
    /// `nft add chain FAMILY TABLE NAME { type T hook H priority P; }`.
    pub fn base(
        name: impl Into<String>,
        chain_type: ChainType,
        hook: Hook,
        priority: i32,
    ) -> Chain {
        Chain {
            name: name.into(),
            base: Some(BaseChain {
                chain_type,
                hook,
                priority,
                policy: Policy::Accept,
            }),
        }
    }

    /// The same base chain with `policy` (no effect on a regular chain).
    #[must_use]
    pub fn policy(mut self, policy: Policy) -> Chain {
        if let Some(b) = &mut self.base {
            b.policy = policy;
        }
        self
    }

    /// Refuses what cannot be a chain of `family`: a bad name, a nat chain outside ip, ip6
    /// and inet, a route chain outside the output hook, an ingress hook outside inet.
    pub(crate) fn check(&self, family: TableFamily) -> Result<()> {
        check_name("chain name", &self.name)?;
        let Some(b) = &self.base else {
            return Ok(());
        };
        let ip = matches!(
            family,
            TableFamily::Ip | TableFamily::Ip6 | TableFamily::Inet
        );
        let bad = |reason: String| Err(Error::invalid("base chain", reason));
        if b.chain_type == ChainType::Nat && !ip {
            return bad(format!(
                "{}: nat chains exist in ip, ip6 and inet only",
                self.name
            ));
        }
        if b.chain_type == ChainType::Route && !(ip && b.hook == Hook::Output) {
            return bad(format!(
                "{}: route chains hook output in ip, ip6 or inet",
                self.name
            ));
        }
        if b.hook == Hook::Ingress && family != TableFamily::Inet {
            return bad(format!(
                "{}: the ingress hook is supported here in the inet family only",
                self.name
            ));
        }
        if matches!(family, TableFamily::Netdev | TableFamily::Arp) {
            return bad(format!(
                "{}: base chains of the {family} family are not supported",
                self.name
            ));
        }
        Ok(())
    }

    /// The `NFT_MSG_NEWCHAIN` payload, attributes in `nft`'s order: table, name, then for a
    /// base chain type, policy and hook (number, priority).
    pub(crate) fn message(&self, table: &Table) -> ChainMessage {
        let mut m = ChainMessage::new(table.header())
            .with(ChainAttr::Table(table.name.clone()))
            .with(ChainAttr::Name(self.name.clone()));
        if let Some(b) = &self.base {
            m = m
                .with(ChainAttr::Type(b.chain_type.name().to_string()))
                .with(ChainAttr::Policy(b.policy.code()))
                .with(ChainAttr::Hook(vec![
                    HookAttr::Num(b.hook.number()),
                    HookAttr::Priority(b.priority as u32),
                ]));
        }
        m
    }
}

/// The chain's definition in `nft` syntax (empty for a regular chain):
/// `type nat hook prerouting priority -100; policy accept;`.
impl fmt::Display for Chain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(b) = &self.base else {
            return Ok(());
        };
        let policy = match b.policy {
            Policy::Accept => "accept",
            Policy::Drop => "drop",
        };
        write!(
            f,
            "type {} hook {} priority {}; policy {policy};",
            b.chain_type.name(),
            b.hook.name(),
            b.priority
        )
    }
}

/// The message of a chain named `name` alone (delete, flush, dumps).
pub(crate) fn chain_ref(table: &Table, name: &str) -> ChainMessage {
    ChainMessage::new(table.header())
        .with(ChainAttr::Table(table.name.clone()))
        .with(ChainAttr::Name(name.to_string()))
}

/// The base-chain part of a listed chain, if it has a hook.
pub(crate) fn base_of(m: &ChainMessage) -> Option<BaseChain> {
    let hook = Hook::from_number(m.hook_num()?)?;
    let chain_type = m.chain_type().and_then(ChainType::from_name)?;
    let policy = match m.policy() {
        Some(p) if p == NF_DROP as u32 => Policy::Drop,
        _ => Policy::Accept,
    };
    Some(BaseChain {
        chain_type,
        hook,
        priority: m.priority().unwrap_or(0),
        policy,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Emit;

    #[test]
    fn base_chain_message_is_nfts() {
        // nft add chain inet t c { type filter hook forward priority 0 ; policy drop ; }
        let c = Chain::base("c", ChainType::Filter, Hook::Forward, priority::FILTER)
            .policy(Policy::Drop);
        let t = Table::new(TableFamily::Inet, "t");
        let bytes = c.message(&t).to_vec().unwrap();
        let want = crate::wire::hex::parse(
            "01000000 0600 0100 74000000 0600 0300 63000000 0b00 0700 66696c74 65720000
             0800 0500 00000000 1400 0480 0800 0100 00000002 0800 0200 00000000",
        )
        .unwrap();
        assert_eq!(bytes, want);
        let back = ChainMessage::parse(&bytes).unwrap();
        assert_eq!(base_of(&back), c.base);
        assert_eq!(
            Chain::regular("sub").message(&t).to_vec().unwrap(),
            crate::wire::hex::parse("01000000 0600 0100 74000000 0800 0300 73756200").unwrap()
        );
    }

    #[test]
    fn impossible_chains_are_refused() {
        let nat = Chain::base("n", ChainType::Nat, Hook::Prerouting, priority::DSTNAT);
        assert!(nat.check(TableFamily::Inet).is_ok());
        assert!(nat.check(TableFamily::Bridge).unwrap_err().is_invalid());
        let route = Chain::base("r", ChainType::Route, Hook::Input, 0);
        assert!(route.check(TableFamily::Ip).is_err());
        assert!(Chain::regular("bad name").check(TableFamily::Ip).is_err());
        let ingress = Chain::base("i", ChainType::Filter, Hook::Ingress, 0);
        assert!(ingress.check(TableFamily::Ip).is_err());
        assert!(ingress.check(TableFamily::Inet).is_ok());
        for h in [Hook::Prerouting, Hook::Postrouting, Hook::Ingress] {
            assert_eq!(Hook::from_number(h.number()), Some(h));
        }
    }
}
