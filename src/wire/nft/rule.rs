//! Rules (`NFTA_RULE_*`).

use super::Expr;

/// `NFTA_RULE_TABLE`: the table (string).
pub const NFTA_RULE_TABLE: u16 = 1;
/// `NFTA_RULE_CHAIN`: the chain (string).
pub const NFTA_RULE_CHAIN: u16 = 2;
/// `NFTA_RULE_HANDLE`: the rule's handle, what deleting it names (u64, big-endian).
pub const NFTA_RULE_HANDLE: u16 = 3;
/// `NFTA_RULE_EXPRESSIONS`: the expressions (list of [`Expr`]).
pub const NFTA_RULE_EXPRESSIONS: u16 = 4;
/// `NFTA_RULE_COMPAT`: xtables compatibility (nest).
pub const NFTA_RULE_COMPAT: u16 = 5;
/// `NFTA_RULE_POSITION`: insert after (or, with `NLM_F_APPEND` unset, before) the rule with
/// this handle (u64, big-endian).
pub const NFTA_RULE_POSITION: u16 = 6;
/// `NFTA_RULE_USERDATA`: opaque user data (bytes; `nft` keeps comments here).
pub const NFTA_RULE_USERDATA: u16 = 7;
/// `NFTA_RULE_PAD`: padding.
pub const NFTA_RULE_PAD: u16 = 8;
/// `NFTA_RULE_ID`: an id naming the rule within its batch (u32, big-endian).
pub const NFTA_RULE_ID: u16 = 9;
/// `NFTA_RULE_POSITION_ID`: position by the id of a rule in the same batch (u32).
pub const NFTA_RULE_POSITION_ID: u16 = 10;
/// `NFTA_RULE_CHAIN_ID`: the chain by its id in the same batch (u32, big-endian).
pub const NFTA_RULE_CHAIN_ID: u16 = 11;

attribute_enum! {
    nf_tables;
    /// One `NFTA_RULE_*` attribute. `NFTA_RULE_COMPAT` is kept unknown.
    pub enum RuleAttr {
        /// `NFTA_RULE_TABLE`.
        Table(String) = NFTA_RULE_TABLE: str,
        /// `NFTA_RULE_CHAIN`.
        Chain(String) = NFTA_RULE_CHAIN: str,
        /// `NFTA_RULE_HANDLE`.
        Handle(u64) = NFTA_RULE_HANDLE: be64,
        /// `NFTA_RULE_EXPRESSIONS`.
        Expressions(Vec<Expr>) = NFTA_RULE_EXPRESSIONS: nest,
        /// `NFTA_RULE_POSITION`.
        Position(u64) = NFTA_RULE_POSITION: be64,
        /// `NFTA_RULE_USERDATA`.
        UserData(Vec<u8>) = NFTA_RULE_USERDATA: bytes,
        /// `NFTA_RULE_ID`.
        Id(u32) = NFTA_RULE_ID: be32,
        /// `NFTA_RULE_POSITION_ID`.
        PositionId(u32) = NFTA_RULE_POSITION_ID: be32,
        /// `NFTA_RULE_CHAIN_ID`.
        ChainId(u32) = NFTA_RULE_CHAIN_ID: be32,
    }
}

impl super::RuleMessage {
    /// `NFTA_RULE_TABLE`.
    pub fn table(&self) -> Option<&str> {
        self.find(|a| match a {
            RuleAttr::Table(s) => Some(s.as_str()),
            _ => None,
        })
    }
    /// `NFTA_RULE_CHAIN`.
    pub fn chain(&self) -> Option<&str> {
        self.find(|a| match a {
            RuleAttr::Chain(s) => Some(s.as_str()),
            _ => None,
        })
    }
    /// `NFTA_RULE_HANDLE`.
    pub fn handle(&self) -> Option<u64> {
        self.find(|a| match a {
            RuleAttr::Handle(h) => Some(*h),
            _ => None,
        })
    }
    /// The expressions (`NFTA_RULE_EXPRESSIONS`), empty when absent.
    pub fn exprs(&self) -> &[Expr] {
        self.find(|a| match a {
            RuleAttr::Expressions(e) => Some(e.as_slice()),
            _ => None,
        })
        .unwrap_or(&[])
    }
}
