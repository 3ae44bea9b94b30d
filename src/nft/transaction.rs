//! [`Transaction`]: changes collected, checked and encoded as they are added, and sent
//! together in one batch that the kernel applies all or nothing.

use super::chain::chain_ref;
use super::set::{ElemType, elements_message};
use super::{Chain, Element, KeyType, Rule, Set, Table};
use crate::error::{Error, Result};
use crate::socket::Batch;
use crate::wire::NlmsgFlags;
use crate::wire::nft::{
    BatchAttr, BatchMessage, NFNL_MSG_BATCH_BEGIN, NFNL_MSG_BATCH_END, NFT_MSG_DELCHAIN,
    NFT_MSG_DELRULE, NFT_MSG_DELSET, NFT_MSG_DELSETELEM, NFT_MSG_DELTABLE, NFT_MSG_NEWCHAIN,
    NFT_MSG_NEWRULE, NFT_MSG_NEWSET, NFT_MSG_NEWSETELEM, NFT_MSG_NEWTABLE, NfGenHeader, NftMessage,
    RuleAttr, RuleMessage, SetAttr, SetElemListAttr, SetElemsMessage, SetMessage, nft_type,
};

/// What a change does to the tables, chains and sets the transaction knows of, so that
/// references can be checked before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Effect {
    None,
    DeleteTable(Table),
    AddChain(Table, String),
    DeleteChain(Table, String),
    /// Chains that must exist: a rule's chain and its jump targets, a flushed chain.
    NeedChains(Table, Vec<String>),
    AddSet(Table, String),
    DeleteSet(Table, String),
    /// Sets that must exist: a rule's lookups, elements added or removed.
    NeedSets(Table, Vec<String>),
    /// A rule: its chain, jump targets and sets.
    Rule {
        table: Table,
        chains: Vec<String>,
        sets: Vec<String>,
    },
}

/// One change: the message and what it means.
#[derive(Debug, Clone)]
struct Change {
    what: String,
    msg_type: u16,
    flags: NlmsgFlags,
    message: NftMessage,
    effect: Effect,
}

/// A set made in this transaction: its batch id and what its elements need.
#[derive(Debug, Clone)]
struct NewSet {
    table: Table,
    name: String,
    id: u32,
    key: Vec<KeyType>,
    data: Vec<KeyType>,
    interval: bool,
}

/// Changes to the ruleset, committed at once with [`Nft::commit`](super::Nft::commit).
///
/// Every method checks its input and encodes the message right away: a bad name, prefix or
/// port is refused with [`Error::InvalidInput`] when it is added, and nothing is ever sent
/// for a transaction that was refused. At commit the references are checked too: a rule's
/// chain, its `jump`/`goto` targets and its sets must be made by this transaction or exist
/// in the kernel. The commit is one `sendmsg`: `NFNL_MSG_BATCH_BEGIN`, one message per
/// change, `NFNL_MSG_BATCH_END`, each message with the flags `nft` 1.0.6 gives it, so the
/// kernel applies every change or none.
///
/// ```
/// use netplumb::nft::{Chain, ChainType, Hook, Proto, Rule, Table, TableFamily, Transaction,
///     priority};
/// let t = Table::new(TableFamily::Inet, "np");
/// let mut tx = Transaction::new();
/// tx.add_table(&t)?
///     .add_chain(&t, &Chain::base("pre", ChainType::Nat, Hook::Prerouting, priority::DSTNAT))?;
/// tx.add_rule(&t, "pre", &Rule::new().dport(Proto::Tcp, 8080).redirect(80))?;
/// assert_eq!(tx.len(), 3);
/// assert_eq!(tx.describe(2), Some("add rule inet np pre tcp dport 8080 redirect to :80"));
/// // Refused at once: the chain name is not one nft reads.
/// assert!(tx.add_chain(&t, &Chain::regular("bad name")).is_err());
/// assert_eq!(tx.len(), 3);
/// # Ok::<(), netplumb::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Transaction {
    changes: Vec<Change>,
    learn_handles: bool,
    new_sets: Vec<NewSet>,
}

impl Transaction {
    /// An empty transaction.
    pub fn new() -> Transaction {
        Transaction::default()
    }

    /// Asks the kernel for the handle of every rule added (`NLM_F_ECHO` on each
    /// `NFT_MSG_NEWRULE`, like `nft --echo`); [`Committed::handle`](super::Committed::handle)
    /// then has them. Off by default: every echo is a message to read.
    pub fn learn_handles(&mut self) -> &mut Self {
        self.learn_handles = true;
        for c in &mut self.changes {
            if c.msg_type == nft_type(NFT_MSG_NEWRULE) {
                c.flags |= NlmsgFlags::ECHO;
            }
        }
        self
    }

    /// How many changes (messages between begin and end).
    pub fn len(&self) -> usize {
        self.changes.len()
    }

    /// True when there is nothing to commit.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// What change `index` does, as an `nft` command (`"add rule inet np pre ..."`).
    pub fn describe(&self, index: usize) -> Option<&str> {
        self.changes.get(index).map(|c| c.what.as_str())
    }

    /// Every change's message type, flags (without `NLM_F_REQUEST`) and payload, in order.
    pub fn messages(&self) -> impl Iterator<Item = (u16, NlmsgFlags, &NftMessage)> {
        self.changes
            .iter()
            .map(|c| (c.msg_type, c.flags, &c.message))
    }

    pub(crate) fn effects(&self) -> impl Iterator<Item = &Effect> {
        self.changes.iter().map(|c| &c.effect)
    }

    fn push(
        &mut self,
        what: String,
        msg: u8,
        flags: NlmsgFlags,
        message: NftMessage,
        effect: Effect,
    ) -> &mut Self {
        self.changes.push(Change {
            what,
            msg_type: nft_type(msg),
            flags,
            message,
            effect,
        });
        self
    }

    // ---- tables ----

    /// Adds `table` if it does not exist (`NFT_MSG_NEWTABLE`, no flags; `nft add table`).
    ///
    /// # Errors
    /// A bad table name.
    #[doc(alias = "NFT_MSG_NEWTABLE")]
    pub fn add_table(&mut self, table: &Table) -> Result<&mut Self> {
        table.check()?;
        let m = NftMessage::Table(table.message(true));
        Ok(self.push(
            format!("add table {table}"),
            NFT_MSG_NEWTABLE,
            NlmsgFlags::empty(),
            m,
            Effect::None,
        ))
    }

    /// Creates `table`, failing with `EEXIST` if it exists (`NFT_MSG_NEWTABLE` with
    /// `NLM_F_EXCL`; `nft create table`).
    ///
    /// # Errors
    /// A bad table name.
    pub fn create_table(&mut self, table: &Table) -> Result<&mut Self> {
        table.check()?;
        let m = NftMessage::Table(table.message(true));
        Ok(self.push(
            format!("create table {table}"),
            NFT_MSG_NEWTABLE,
            NlmsgFlags::EXCL,
            m,
            Effect::None,
        ))
    }

    /// Deletes `table` with everything in it (`NFT_MSG_DELTABLE`; `nft delete table`).
    ///
    /// # Errors
    /// A bad table name.
    #[doc(alias = "NFT_MSG_DELTABLE")]
    pub fn delete_table(&mut self, table: &Table) -> Result<&mut Self> {
        table.check()?;
        let m = NftMessage::Table(table.message(false));
        let effect = Effect::DeleteTable(table.clone());
        Ok(self.push(
            format!("delete table {table}"),
            NFT_MSG_DELTABLE,
            NlmsgFlags::empty(),
            m,
            effect,
        ))
    }

    /// Deletes every rule of every chain of `table` (`NFT_MSG_DELRULE` naming the table
    /// only; `nft flush table`).
    ///
    /// # Errors
    /// A bad table name.
    pub fn flush_table(&mut self, table: &Table) -> Result<&mut Self> {
        table.check()?;
        let m = RuleMessage::new(table.header()).with(RuleAttr::Table(table.name.clone()));
        Ok(self.push(
            format!("flush table {table}"),
            NFT_MSG_DELRULE,
            NlmsgFlags::empty(),
            NftMessage::Rule(m),
            Effect::None,
        ))
    }

    // ---- chains ----

    /// Adds `chain` to `table` if it does not exist (`NFT_MSG_NEWCHAIN` with
    /// `NLM_F_CREATE`; `nft add chain`).
    ///
    /// # Errors
    /// A bad name; a base chain the family cannot have (see [`Chain`]).
    #[doc(alias = "NFT_MSG_NEWCHAIN")]
    pub fn add_chain(&mut self, table: &Table, chain: &Chain) -> Result<&mut Self> {
        self.new_chain(table, chain, NlmsgFlags::CREATE, "add")
    }

    /// Creates `chain`, failing with `EEXIST` if it exists (`NLM_F_CREATE | NLM_F_EXCL`;
    /// `nft create chain`).
    ///
    /// # Errors
    /// As [`Transaction::add_chain`].
    pub fn create_chain(&mut self, table: &Table, chain: &Chain) -> Result<&mut Self> {
        self.new_chain(
            table,
            chain,
            NlmsgFlags::CREATE | NlmsgFlags::EXCL,
            "create",
        )
    }

    fn new_chain(
        &mut self,
        table: &Table,
        chain: &Chain,
        flags: NlmsgFlags,
        verb: &str,
    ) -> Result<&mut Self> {
        table.check()?;
        chain.check(table.family)?;
        let def = chain.to_string();
        let what = if def.is_empty() {
            format!("{verb} chain {table} {}", chain.name)
        } else {
            format!("{verb} chain {table} {} {{ {def} }}", chain.name)
        };
        let m = NftMessage::Chain(chain.message(table));
        let effect = Effect::AddChain(table.clone(), chain.name.clone());
        Ok(self.push(what, NFT_MSG_NEWCHAIN, flags, m, effect))
    }

    /// Deletes the chain `name` (`NFT_MSG_DELCHAIN`; `nft delete chain`); the kernel refuses
    /// (`EBUSY`) while it has rules or is jumped to.
    ///
    /// # Errors
    /// A bad name.
    #[doc(alias = "NFT_MSG_DELCHAIN")]
    pub fn delete_chain(&mut self, table: &Table, name: &str) -> Result<&mut Self> {
        table.check()?;
        super::check_name("chain name", name)?;
        let m = NftMessage::Chain(chain_ref(table, name));
        let effect = Effect::DeleteChain(table.clone(), name.to_string());
        Ok(self.push(
            format!("delete chain {table} {name}"),
            NFT_MSG_DELCHAIN,
            NlmsgFlags::empty(),
            m,
            effect,
        ))
    }

    /// Deletes every rule of the chain `name` (`NFT_MSG_DELRULE` naming table and chain;
    /// `nft flush chain`).
    ///
    /// # Errors
    /// A bad name.
    pub fn flush_chain(&mut self, table: &Table, name: &str) -> Result<&mut Self> {
        table.check()?;
        super::check_name("chain name", name)?;
        let m = RuleMessage::new(table.header())
            .with(RuleAttr::Table(table.name.clone()))
            .with(RuleAttr::Chain(name.to_string()));
        let effect = Effect::NeedChains(table.clone(), vec![name.to_string()]);
        Ok(self.push(
            format!("flush chain {table} {name}"),
            NFT_MSG_DELRULE,
            NlmsgFlags::empty(),
            NftMessage::Rule(m),
            effect,
        ))
    }

    // ---- rules ----

    /// Appends `rule` to the chain `chain` (`NFT_MSG_NEWRULE` with
    /// `NLM_F_CREATE | NLM_F_APPEND`; `nft add rule`). Returns the change's index, which
    /// [`Committed::handle`](super::Committed::handle) takes.
    ///
    /// # Errors
    /// Whatever [`Rule::compile`] refuses; a bad table or chain name.
    #[doc(alias = "NFT_MSG_NEWRULE")]
    pub fn add_rule(&mut self, table: &Table, chain: &str, rule: &Rule) -> Result<usize> {
        self.new_rule(
            table,
            chain,
            rule,
            NlmsgFlags::CREATE | NlmsgFlags::APPEND,
            "add",
        )
    }

    /// Puts `rule` first in the chain (`NFT_MSG_NEWRULE` with `NLM_F_CREATE`;
    /// `nft insert rule`). Returns the change's index.
    ///
    /// # Errors
    /// As [`Transaction::add_rule`].
    pub fn insert_rule(&mut self, table: &Table, chain: &str, rule: &Rule) -> Result<usize> {
        self.new_rule(table, chain, rule, NlmsgFlags::CREATE, "insert")
    }

    fn new_rule(
        &mut self,
        table: &Table,
        chain: &str,
        rule: &Rule,
        mut flags: NlmsgFlags,
        verb: &str,
    ) -> Result<usize> {
        table.check()?;
        super::check_name("chain name", chain)?;
        let sets = &self.new_sets;
        let exprs = rule.compile_with(table.family, &|name: &str| {
            sets.iter()
                .rev()
                .find(|s| s.table == *table && s.name == name)
                .map(|s| s.id)
        })?;
        if self.learn_handles {
            flags |= NlmsgFlags::ECHO;
        }
        let m = RuleMessage::new(table.header())
            .with(RuleAttr::Table(table.name.clone()))
            .with(RuleAttr::Chain(chain.to_string()))
            .with(RuleAttr::Expressions(exprs));
        let mut chains = vec![chain.to_string()];
        chains.extend(rule.targets().map(str::to_string));
        let effect = Effect::Rule {
            table: table.clone(),
            chains,
            sets: rule.sets().map(str::to_string).collect(),
        };
        self.push(
            format!("{verb} rule {table} {chain} {rule}"),
            NFT_MSG_NEWRULE,
            flags,
            NftMessage::Rule(m),
            effect,
        );
        Ok(self.changes.len() - 1)
    }

    /// Deletes the rule with `handle` from `chain` (`NFT_MSG_DELRULE` with
    /// `NFTA_RULE_HANDLE`; `nft delete rule ... handle H`).
    ///
    /// # Errors
    /// A bad name.
    #[doc(alias = "NFT_MSG_DELRULE")]
    pub fn delete_rule(&mut self, table: &Table, chain: &str, handle: u64) -> Result<&mut Self> {
        table.check()?;
        super::check_name("chain name", chain)?;
        let m = RuleMessage::new(table.header())
            .with(RuleAttr::Table(table.name.clone()))
            .with(RuleAttr::Chain(chain.to_string()))
            .with(RuleAttr::Handle(handle));
        let effect = Effect::NeedChains(table.clone(), vec![chain.to_string()]);
        Ok(self.push(
            format!("delete rule {table} {chain} handle {handle}"),
            NFT_MSG_DELRULE,
            NlmsgFlags::empty(),
            NftMessage::Rule(m),
            effect,
        ))
    }

    // ---- sets ----

    /// Adds the named set or map `set` to `table`, with its elements (`NFT_MSG_NEWSET` with
    /// `NLM_F_CREATE`, then `NFT_MSG_NEWSETELEM` if it has elements; `nft add set`,
    /// `nft add map`). What the messages hold is described at [`Set`].
    ///
    /// # Errors
    /// A bad name; an element that is not of the key type (or a range in a set without
    /// `interval`, port 0, a reversed range); a map element without data or with data not
    /// of the map's type; an interval map or an interval set of concatenations.
    #[doc(alias = "NFT_MSG_NEWSET")]
    pub fn add_set(&mut self, table: &Table, set: &Set) -> Result<&mut Self> {
        table.check()?;
        let id = u32::try_from(self.new_sets.len() + 1).unwrap_or(u32::MAX);
        let m = set.message(table, id)?;
        let elements = set.elements_message(table, Some(id))?;
        self.new_sets.push(NewSet {
            table: table.clone(),
            name: set.name.clone(),
            id,
            key: set.key_fields(),
            data: set.data.clone(),
            interval: set.interval,
        });
        let effect = Effect::AddSet(table.clone(), set.name.clone());
        let flags_text = match (set.interval, set.constant) {
            (false, false) => String::new(),
            (i, c) => {
                let f: Vec<&str> = [(c, "constant"), (i, "interval")]
                    .into_iter()
                    .filter(|x| x.0)
                    .map(|x| x.1)
                    .collect();
                format!(" flags {};", f.join(","))
            }
        };
        let kind = if set.is_map() { "map" } else { "set" };
        let what = format!(
            "add {kind} {table} {} {{ type {};{flags_text} }}",
            set.name,
            set.type_name()
        );
        self.push(
            what,
            NFT_MSG_NEWSET,
            NlmsgFlags::CREATE,
            NftMessage::Set(m),
            effect,
        );
        if let Some(e) = elements {
            let what = format!(
                "add element {table} {} ({} elements)",
                set.name,
                set.elements.len()
            );
            let effect = Effect::NeedSets(table.clone(), vec![set.name.clone()]);
            self.push(
                what,
                NFT_MSG_NEWSETELEM,
                NlmsgFlags::CREATE,
                NftMessage::SetElems(e),
                effect,
            );
        }
        Ok(self)
    }

    /// Deletes the set `name` (`NFT_MSG_DELSET`; `nft delete set`).
    ///
    /// # Errors
    /// A bad name.
    #[doc(alias = "NFT_MSG_DELSET")]
    pub fn delete_set(&mut self, table: &Table, name: &str) -> Result<&mut Self> {
        table.check()?;
        super::check_name("set name", name)?;
        let m = SetMessage::new(table.header())
            .with(SetAttr::Table(table.name.clone()))
            .with(SetAttr::Name(name.to_string()));
        let effect = Effect::DeleteSet(table.clone(), name.to_string());
        Ok(self.push(
            format!("delete set {table} {name}"),
            NFT_MSG_DELSET,
            NlmsgFlags::empty(),
            NftMessage::Set(m),
            effect,
        ))
    }

    /// Deletes every element of the set `name` (`NFT_MSG_DELSETELEM` without elements;
    /// `nft flush set`).
    ///
    /// # Errors
    /// A bad name.
    pub fn flush_set(&mut self, table: &Table, name: &str) -> Result<&mut Self> {
        table.check()?;
        super::check_name("set name", name)?;
        // nft names the set before the table here.
        let m = SetElemsMessage::new(table.header())
            .with(SetElemListAttr::Set(name.to_string()))
            .with(SetElemListAttr::Table(table.name.clone()));
        let effect = Effect::NeedSets(table.clone(), vec![name.to_string()]);
        Ok(self.push(
            format!("flush set {table} {name}"),
            NFT_MSG_DELSETELEM,
            NlmsgFlags::empty(),
            NftMessage::SetElems(m),
            effect,
        ))
    }

    /// Adds `elements` to the set `name`, whose keys are `key` (and ranges when `interval`)
    /// (`NFT_MSG_NEWSETELEM` with `NLM_F_CREATE`; `nft add element`).
    ///
    /// # Errors
    /// A bad name; an element that is not of the key type.
    #[doc(alias = "NFT_MSG_NEWSETELEM")]
    pub fn add_elements(
        &mut self,
        table: &Table,
        name: &str,
        key: KeyType,
        interval: bool,
        elements: &[Element],
    ) -> Result<&mut Self> {
        self.set_elements(table, name, key, interval, elements, true)
    }

    /// Removes `elements` from the set `name` (`NFT_MSG_DELSETELEM`; `nft delete element`).
    ///
    /// # Errors
    /// As [`Transaction::add_elements`].
    #[doc(alias = "NFT_MSG_DELSETELEM")]
    pub fn delete_elements(
        &mut self,
        table: &Table,
        name: &str,
        key: KeyType,
        interval: bool,
        elements: &[Element],
    ) -> Result<&mut Self> {
        self.set_elements(table, name, key, interval, elements, false)
    }

    /// Adds `elements` to the existing set or map `set.name`, whose shape `set` gives (its
    /// key fields, a map's data, `interval`; its own elements are not sent): maps and
    /// concatenated keys too (`NFT_MSG_NEWSETELEM` with `NLM_F_CREATE`; `nft add element
    /// inet t ports { 8080 : 198.18.0.2 . 80 }`).
    ///
    /// # Errors
    /// A bad name; an element that does not fit the shape (a map element without data, a
    /// port 0 or a reversed range in a field, ...).
    #[doc(alias = "NFT_MSG_NEWSETELEM")]
    pub fn add_to_set(
        &mut self,
        table: &Table,
        set: &Set,
        elements: &[Element],
    ) -> Result<&mut Self> {
        let key = set.key_fields();
        let ty = ElemType {
            key: &key,
            data: &set.data,
            interval: set.interval,
        };
        self.elements_of(table, &set.name, &ty, elements, true)
    }

    /// Removes `elements` from the set or map `set.name`, shaped as `set` says
    /// (`NFT_MSG_DELSETELEM`; `nft delete element`); a map's elements are named with their
    /// data, as `nft` sends them.
    ///
    /// # Errors
    /// As [`Transaction::add_to_set`].
    #[doc(alias = "NFT_MSG_DELSETELEM")]
    pub fn delete_from_set(
        &mut self,
        table: &Table,
        set: &Set,
        elements: &[Element],
    ) -> Result<&mut Self> {
        let key = set.key_fields();
        let ty = ElemType {
            key: &key,
            data: &set.data,
            interval: set.interval,
        };
        self.elements_of(table, &set.name, &ty, elements, false)
    }

    fn set_elements(
        &mut self,
        table: &Table,
        name: &str,
        key: KeyType,
        interval: bool,
        elements: &[Element],
        add: bool,
    ) -> Result<&mut Self> {
        let ty = ElemType {
            key: &[key],
            data: &[],
            interval,
        };
        self.elements_of(table, name, &ty, elements, add)
    }

    fn elements_of(
        &mut self,
        table: &Table,
        name: &str,
        ty: &ElemType<'_>,
        elements: &[Element],
        add: bool,
    ) -> Result<&mut Self> {
        table.check()?;
        let new = self
            .new_sets
            .iter()
            .rev()
            .find(|s| s.table == *table && s.name == name);
        if let Some(s) = new
            && (s.key.as_slice(), s.data.as_slice(), s.interval) != (ty.key, ty.data, ty.interval)
        {
            return Err(Error::invalid(
                "set elements",
                format!("set {name} was made with other keys in this transaction"),
            ));
        }
        let id = if add { new.map(|s| s.id) } else { None };
        let m = elements_message(table, name, ty, id, elements, false)?;
        let (verb, msg, flags) = if add {
            ("add", NFT_MSG_NEWSETELEM, NlmsgFlags::CREATE)
        } else {
            ("delete", NFT_MSG_DELSETELEM, NlmsgFlags::empty())
        };
        let what = format!(
            "{verb} element {table} {name} ({} elements)",
            elements.len()
        );
        let effect = Effect::NeedSets(table.clone(), vec![name.to_string()]);
        Ok(self.push(what, msg, flags, NftMessage::SetElems(m), effect))
    }

    // ---- sending ----

    /// The whole batch: begin (with `NFNL_BATCH_GENID` when `genid` is given: the kernel
    /// then refuses the batch with `ERESTART` if the ruleset changed since), every change
    /// without `NLM_F_ACK` (as `nft` sends them: the kernel answers only a failure, or an
    /// echo), end.
    pub(crate) fn batch(&self, genid: Option<u32>) -> Result<Batch> {
        let mut b = Batch::new();
        let mut begin = BatchMessage::new(NfGenHeader::batch());
        if let Some(g) = genid {
            begin = begin.with(BatchAttr::GenId(g));
        }
        b.push_without_ack(NFNL_MSG_BATCH_BEGIN, NlmsgFlags::empty(), &begin)?;
        for c in &self.changes {
            b.push_without_ack(c.msg_type, c.flags, &c.message)?;
        }
        b.push_without_ack(
            NFNL_MSG_BATCH_END,
            NlmsgFlags::empty(),
            &BatchMessage::new(NfGenHeader::batch()),
        )?;
        Ok(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nft::{ChainType, Hook, Proto, TableFamily, priority};

    #[test]
    fn changes_are_checked_when_added() {
        let t = Table::new(TableFamily::Inet, "t");
        let mut tx = Transaction::new();
        assert!(tx.add_table(&Table::new(TableFamily::Inet, "")).is_err());
        assert!(
            tx.add_rule(&t, "c", &Rule::new().dport(Proto::Tcp, 0))
                .is_err()
        );
        assert!(tx.delete_rule(&t, "bad chain", 1).is_err());
        let bridge_nat = Chain::base("n", ChainType::Nat, Hook::Prerouting, priority::DSTNAT);
        assert!(
            tx.add_chain(&Table::new(TableFamily::Bridge, "b"), &bridge_nat)
                .is_err()
        );
        assert!(tx.is_empty());
        let i = tx.add_rule(&t, "c", &Rule::new().accept()).unwrap();
        assert_eq!(i, 0);
        tx.learn_handles();
        let (ty, flags, _) = tx.messages().next().unwrap();
        assert_eq!(ty, 0x0a06);
        assert_eq!(
            flags,
            NlmsgFlags::CREATE | NlmsgFlags::APPEND | NlmsgFlags::ECHO
        );
    }

    #[test]
    fn the_batch_frames_the_changes() {
        let t = Table::new(TableFamily::Ip, "t");
        let mut tx = Transaction::new();
        tx.add_table(&t).unwrap().delete_table(&t).unwrap();
        let b = tx.batch(Some(7)).unwrap();
        assert_eq!(b.len(), 4);
        let b = tx.batch(None).unwrap();
        assert_eq!(b.len(), 4);
        assert_eq!(tx.describe(1), Some("delete table ip t"));
        assert_eq!(tx.describe(2), None);
    }

    #[test]
    fn lookups_name_sets_made_in_the_transaction_by_id() {
        let t = Table::new(TableFamily::Ip, "t");
        let mut tx = Transaction::new();
        tx.add_set(&t, &Set::new("a", KeyType::Ipv4Addr)).unwrap();
        tx.add_set(
            &t,
            &Set::new("b", KeyType::InetService).element(Element::Port(80.into())),
        )
        .unwrap();
        tx.add_rule(&t, "c", &Rule::new().dport_in(Proto::Tcp, "b").accept())
            .unwrap();
        assert_eq!(tx.len(), 4);
        let NftMessage::Rule(r) = tx.messages().nth(3).unwrap().2 else {
            panic!()
        };
        let lookup = r
            .exprs()
            .iter()
            .find(|e| e.name() == Some("lookup"))
            .unwrap();
        assert!(format!("{lookup:?}").contains("SetId(2)"), "{lookup:?}");
        // Elements for a set made here must use its keys.
        assert!(
            tx.add_elements(&t, "a", KeyType::Ipv6Addr, false, &[])
                .is_err()
        );
    }
}
