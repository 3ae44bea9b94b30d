//! Listing: tables, chains, rules, sets, elements and the generation, read with dumps
//! (`NFT_MSG_GET*` with `NLM_F_DUMP`), as `nft list` reads them.

use super::chain::base_of;
use super::{BaseChain, KeyType, Nft, Table, TableFamily};
use crate::error::{Error, Result};
use crate::socket::DUMP_RETRIES;
use crate::wire::NlmsgFlags;
use crate::wire::nft::{
    ChainAttr, ChainMessage, Expr, GenMessage, NFT_MSG_GETCHAIN, NFT_MSG_GETGEN, NFT_MSG_GETRULE,
    NFT_MSG_GETSET, NFT_MSG_GETSETELEM, NFT_MSG_GETTABLE, NFT_SET_ELEM_INTERVAL_END, NfGenHeader,
    RuleAttr, RuleMessage, SetAttr, SetElemListAttr, SetElemsMessage, SetMessage, TableAttr,
    TableMessage, nft_type,
};

/// A table as the kernel lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableInfo {
    /// Family and name.
    pub table: Table,
    /// `NFTA_TABLE_HANDLE`.
    pub handle: u64,
    /// `NFTA_TABLE_FLAGS` (`NFT_TABLE_F_*`).
    pub flags: u32,
    /// `NFTA_TABLE_USE`: chains, sets and objects in it.
    pub use_count: u32,
}

/// A chain as the kernel lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainInfo {
    /// The table.
    pub table: Table,
    /// The name.
    pub name: String,
    /// `NFTA_CHAIN_HANDLE`.
    pub handle: u64,
    /// Hook, type, priority and policy of a base chain.
    pub base: Option<BaseChain>,
    /// `NFTA_CHAIN_USE`: rules jumping here.
    pub use_count: u32,
}

/// A rule as the kernel lists it: its expressions as typed values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInfo {
    /// The table.
    pub table: Table,
    /// The chain.
    pub chain: String,
    /// `NFTA_RULE_HANDLE`: what [`Nft::delete_rule`] takes.
    pub handle: u64,
    /// The expressions, as the kernel wrote them back.
    pub exprs: Vec<Expr>,
}

/// A set as the kernel lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetInfo {
    /// The table.
    pub table: Table,
    /// The name.
    pub name: String,
    /// `NFTA_SET_HANDLE`.
    pub handle: u64,
    /// `NFTA_SET_FLAGS` (`NFT_SET_*`).
    pub flags: u32,
    /// The key type, when it is one netplumb names.
    pub key: Option<KeyType>,
    /// `NFTA_SET_KEY_TYPE` as sent.
    pub key_type: u32,
    /// `NFTA_SET_KEY_LEN`.
    pub key_len: u32,
    /// A map's `NFTA_SET_DATA_TYPE` (`nft`'s numbering; 0 for a set).
    pub data_type: u32,
    /// A map's `NFTA_SET_DATA_LEN` (0 for a set).
    pub data_len: u32,
}

/// A set element as the kernel lists it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ElementInfo {
    /// The key's bytes.
    pub key: Vec<u8>,
    /// `NFT_SET_ELEM_INTERVAL_END`: in an interval set, the key after a range.
    pub interval_end: bool,
    /// A map element's data bytes (`NFTA_SET_ELEM_DATA`; a concatenation's fields each
    /// padded to 4 bytes).
    pub data: Option<Vec<u8>>,
}

/// Everything [`Nft::ruleset`] read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ruleset {
    /// Every table.
    pub tables: Vec<TableInfo>,
    /// Every chain.
    pub chains: Vec<ChainInfo>,
    /// Every rule.
    pub rules: Vec<RuleInfo>,
    /// Every set, with its elements.
    pub sets: Vec<(SetInfo, Vec<ElementInfo>)>,
}

fn family_of(h: NfGenHeader) -> Result<TableFamily> {
    TableFamily::from_nfproto(h.family)
        .ok_or_else(|| Error::Protocol(format!("nf_tables object of unknown family {}", h.family)))
}

fn missing(what: &str) -> Error {
    Error::Protocol(format!("nf_tables dump record without {what}"))
}

fn table_info(p: &[u8]) -> Result<TableInfo> {
    let m = TableMessage::parse(p)?;
    let family = family_of(m.header)?;
    let name = m
        .name()
        .ok_or_else(|| missing("NFTA_TABLE_NAME"))?
        .to_string();
    let get = |f: fn(&TableAttr) -> Option<u32>| m.attrs.iter().find_map(f).unwrap_or(0);
    Ok(TableInfo {
        table: Table::new(family, name),
        handle: m.handle().unwrap_or(0),
        flags: get(|a| {
            if let TableAttr::Flags(v) = a {
                Some(*v)
            } else {
                None
            }
        }),
        use_count: get(|a| {
            if let TableAttr::Use(v) = a {
                Some(*v)
            } else {
                None
            }
        }),
    })
}

fn chain_info(p: &[u8]) -> Result<ChainInfo> {
    let m = ChainMessage::parse(p)?;
    let family = family_of(m.header)?;
    Ok(ChainInfo {
        table: Table::new(
            family,
            m.table().ok_or_else(|| missing("NFTA_CHAIN_TABLE"))?,
        ),
        name: m
            .name()
            .ok_or_else(|| missing("NFTA_CHAIN_NAME"))?
            .to_string(),
        handle: m.handle().unwrap_or(0),
        base: base_of(&m),
        use_count: m
            .attrs
            .iter()
            .find_map(|a| {
                if let ChainAttr::Use(v) = a {
                    Some(*v)
                } else {
                    None
                }
            })
            .unwrap_or(0),
    })
}

fn rule_info(p: &[u8]) -> Result<RuleInfo> {
    let m = RuleMessage::parse(p)?;
    let family = family_of(m.header)?;
    let table = m
        .table()
        .ok_or_else(|| missing("NFTA_RULE_TABLE"))?
        .to_string();
    let chain = m
        .chain()
        .ok_or_else(|| missing("NFTA_RULE_CHAIN"))?
        .to_string();
    let handle = m.handle().ok_or_else(|| missing("NFTA_RULE_HANDLE"))?;
    let exprs = m
        .attrs
        .into_iter()
        .find_map(|a| match a {
            RuleAttr::Expressions(e) => Some(e),
            _ => None,
        })
        .unwrap_or_default();
    Ok(RuleInfo {
        table: Table::new(family, table),
        chain,
        handle,
        exprs,
    })
}

fn set_info(p: &[u8]) -> Result<SetInfo> {
    let m = SetMessage::parse(p)?;
    let family = family_of(m.header)?;
    let mut s = SetInfo {
        table: Table::new(family, String::new()),
        name: m
            .name()
            .ok_or_else(|| missing("NFTA_SET_NAME"))?
            .to_string(),
        handle: 0,
        flags: m.flags().unwrap_or(0),
        key: None,
        key_type: 0,
        key_len: 0,
        data_type: 0,
        data_len: 0,
    };
    for a in &m.attrs {
        match a {
            SetAttr::Table(t) => s.table.name.clone_from(t),
            SetAttr::Handle(h) => s.handle = *h,
            SetAttr::KeyType(k) => s.key_type = *k,
            SetAttr::KeyLen(l) => s.key_len = *l,
            SetAttr::DataType(d) => s.data_type = *d,
            SetAttr::DataLen(l) => s.data_len = *l,
            _ => {}
        }
    }
    s.key = KeyType::from_number(s.key_type);
    Ok(s)
}

fn elements_of(p: &[u8]) -> Result<Vec<ElementInfo>> {
    let m = SetElemsMessage::parse(p)?;
    let list = m
        .attrs
        .iter()
        .find_map(|a| match a {
            SetElemListAttr::Elements(l) => Some(l.as_slice()),
            _ => None,
        })
        .unwrap_or(&[]);
    Ok(list
        .iter()
        .filter_map(|e| {
            Some(ElementInfo {
                key: e.key_value()?.to_vec(),
                interval_end: e.flags() & NFT_SET_ELEM_INTERVAL_END != 0,
                data: e.data_value().map(<[u8]>::to_vec),
            })
        })
        .collect())
}

/// The header of a dump over every family, or over one table's.
fn dump_header(table: Option<&Table>) -> NfGenHeader {
    NfGenHeader::new(table.map_or(0, |t| t.family.nfproto()))
}

impl Nft {
    /// The ruleset generation (`NFT_MSG_GETGEN`; `nft list ruleset` reads it first): it
    /// moves on with every committed batch.
    ///
    /// # Errors
    /// Transport errors; [`Error::Protocol`] if the answer has no `NFTA_GEN_ID`.
    #[doc(alias = "NFT_MSG_GETGEN")]
    pub fn generation(&self) -> Result<u32> {
        let req = GenMessage::new(NfGenHeader::new(0));
        self.socket()
            .get_map(nft_type(NFT_MSG_GETGEN), NlmsgFlags::empty(), &req, |m| {
                GenMessage::parse(m.payload())?
                    .id()
                    .ok_or_else(|| missing("NFTA_GEN_ID"))
            })
    }

    /// Every table of every family (`NFT_MSG_GETTABLE` dump; `nft list tables`).
    ///
    /// # Errors
    /// Transport and decode errors.
    #[doc(alias = "NFT_MSG_GETTABLE")]
    pub fn tables(&self) -> Result<Vec<TableInfo>> {
        let req = TableMessage::new(dump_header(None));
        self.socket()
            .dump_retry(DUMP_RETRIES, nft_type(NFT_MSG_GETTABLE), &req, table_info)
    }

    /// The chains of `table` (`NFT_MSG_GETCHAIN` dump filtered by table; `nft list chains`).
    ///
    /// # Errors
    /// Transport and decode errors.
    #[doc(alias = "NFT_MSG_GETCHAIN")]
    pub fn chains(&self, table: &Table) -> Result<Vec<ChainInfo>> {
        let req = ChainMessage::new(table.header()).with(ChainAttr::Table(table.name.clone()));
        self.socket()
            .dump_retry(DUMP_RETRIES, nft_type(NFT_MSG_GETCHAIN), &req, chain_info)
    }

    /// The rules of `table`, of one chain if `chain` is given, in chain order
    /// (`NFT_MSG_GETRULE` dump filtered by table and chain; `nft -a list chain`).
    ///
    /// # Errors
    /// Transport and decode errors.
    #[doc(alias = "NFT_MSG_GETRULE")]
    pub fn rules(&self, table: &Table, chain: Option<&str>) -> Result<Vec<RuleInfo>> {
        let mut req = RuleMessage::new(table.header()).with(RuleAttr::Table(table.name.clone()));
        if let Some(c) = chain {
            req = req.with(RuleAttr::Chain(c.to_string()));
        }
        self.socket()
            .dump_retry(DUMP_RETRIES, nft_type(NFT_MSG_GETRULE), &req, rule_info)
    }

    /// The sets of `table` (`NFT_MSG_GETSET` dump filtered by table; `nft list sets`).
    ///
    /// # Errors
    /// Transport and decode errors.
    #[doc(alias = "NFT_MSG_GETSET")]
    pub fn sets(&self, table: &Table) -> Result<Vec<SetInfo>> {
        let req = SetMessage::new(table.header()).with(SetAttr::Table(table.name.clone()));
        self.socket()
            .dump_retry(DUMP_RETRIES, nft_type(NFT_MSG_GETSET), &req, set_info)
    }

    /// The elements of the set `set` (`NFT_MSG_GETSETELEM` dump; `nft list set`), in the
    /// kernel's order.
    ///
    /// # Errors
    /// Transport and decode errors; `ENOENT` for a set that does not exist.
    #[doc(alias = "NFT_MSG_GETSETELEM")]
    pub fn elements(&self, table: &Table, set: &str) -> Result<Vec<ElementInfo>> {
        let req = SetElemsMessage::new(table.header())
            .with(SetElemListAttr::Table(table.name.clone()))
            .with(SetElemListAttr::Set(set.to_string()));
        let lists = self.socket().dump_retry(
            DUMP_RETRIES,
            nft_type(NFT_MSG_GETSETELEM),
            &req,
            elements_of,
        )?;
        Ok(lists.into_iter().flatten().collect())
    }

    /// Everything: tables, chains, rules and sets with their elements, of every family
    /// (`nft list ruleset`). The dumps are not one snapshot: compare
    /// [`Nft::generation`] before and after for that.
    ///
    /// # Errors
    /// Transport and decode errors.
    pub fn ruleset(&self) -> Result<Ruleset> {
        let all = dump_header(None);
        let mut s = self.socket();
        let chains = s.dump_retry(
            DUMP_RETRIES,
            nft_type(NFT_MSG_GETCHAIN),
            &ChainMessage::new(all),
            chain_info,
        )?;
        let rules = s.dump_retry(
            DUMP_RETRIES,
            nft_type(NFT_MSG_GETRULE),
            &RuleMessage::new(all),
            rule_info,
        )?;
        let sets = s.dump_retry(
            DUMP_RETRIES,
            nft_type(NFT_MSG_GETSET),
            &SetMessage::new(all),
            set_info,
        )?;
        let tables = s.dump_retry(
            DUMP_RETRIES,
            nft_type(NFT_MSG_GETTABLE),
            &TableMessage::new(all),
            table_info,
        )?;
        drop(s);
        let mut with_elements = Vec::with_capacity(sets.len());
        for set in sets {
            let e = self.elements(&set.table, &set.name)?;
            with_elements.push((set, e));
        }
        Ok(Ruleset {
            tables,
            chains,
            rules,
            sets: with_elements,
        })
    }

    /// The names of the chains of `table` (none when it does not exist).
    pub(crate) fn chain_names(&self, table: &Table) -> Result<Vec<String>> {
        let req = ChainMessage::new(table.header()).with(ChainAttr::Table(table.name.clone()));
        let found = self
            .socket()
            .dump_retry(DUMP_RETRIES, nft_type(NFT_MSG_GETCHAIN), &req, |p| {
                Ok(ChainMessage::parse(p)?.name().map(str::to_string))
            });
        match found {
            Ok(v) => Ok(v.into_iter().flatten().collect()),
            // No such table: no chains.
            Err(e) if e.errno() == Some(libc::ENOENT) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    /// The names of the sets of `table`.
    pub(crate) fn set_names(&self, table: &Table) -> Result<Vec<String>> {
        match self.sets(table) {
            Ok(v) => Ok(v.into_iter().map(|s| s.name).collect()),
            Err(e) if e.errno() == Some(libc::ENOENT) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }
}
