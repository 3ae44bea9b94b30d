//! nf_tables over `NETLINK_NETFILTER`: tables, chains, rules, sets and elements, changed in
//! atomic [`Transaction`]s, listed with dumps; and the ready-made firewall operations a
//! container runtime needs ([`ops`]: masquerade, published ports, isolation, a bridge DHCP
//! filter).
//!
//! No `nft` binary is involved: [`Nft`] is a netlink socket bound to one network namespace,
//! and every change goes to the kernel as the messages `nft` 1.0.6 itself would send for the
//! same command, in one batch (`NFNL_MSG_BATCH_BEGIN`, the messages, `NFNL_MSG_BATCH_END`)
//! that the kernel applies all or nothing.
//!
//! | `nft` command                                   | netplumb                                   |
//! |-------------------------------------------------|--------------------------------------------|
//! | `nft add table inet t`                          | [`Transaction::add_table`], [`Nft::add_table`] |
//! | `nft delete table inet t`                       | [`Transaction::delete_table`]              |
//! | `nft flush table inet t`                        | [`Transaction::flush_table`]               |
//! | `nft add chain inet t c { type nat hook ... }`  | [`Transaction::add_chain`] with [`Chain::base`] |
//! | `nft add rule inet t c tcp dport 80 accept`     | [`Transaction::add_rule`] with a [`Rule`]  |
//! | `nft --echo add rule ...` (learn the handle)    | [`Nft::add_rule`], [`Transaction::learn_handles`] |
//! | `nft delete rule inet t c handle 7`             | [`Transaction::delete_rule`]               |
//! | `nft add set inet t s { type ipv4_addr; }`      | [`Transaction::add_set`] with a [`Set`]    |
//! | `nft add element inet t s { 198.18.0.1 }`       | [`Transaction::add_elements`]              |
//! | `nft add element inet t m { 80 : 198.18.0.2 . 8080 }` (maps, concatenations) | [`Transaction::add_to_set`] with the map's [`Set`] |
//! | `nft delete element ...`                        | [`Transaction::delete_elements`], [`Transaction::delete_from_set`] |
//! | `nft -f FILE` (everything at once)              | one [`Transaction`], [`Nft::commit`]       |
//! | `nft list tables`, `list chain`, `-a list ruleset` | [`Nft::tables`], [`Nft::chains`], [`Nft::rules`], [`Nft::ruleset`] |
//!
//! ```no_run
//! use netplumb::NetNs;
//! use netplumb::nft::{Chain, ChainType, Hook, Nft, Rule, Table, TableFamily, Transaction,
//!     priority};
//! let ns = NetNs::new_anonymous()?;
//! let nft = Nft::in_netns(&ns)?;
//! // table inet np { chain post { type nat hook postrouting priority srcnat; }
//! //   ip saddr 198.18.0.0/24 oifname != "br0" masquerade }
//! let t = Table::new(TableFamily::Inet, "np");
//! let mut tx = Transaction::new();
//! tx.add_table(&t)?
//!     .add_chain(&t, &Chain::base("post", ChainType::Nat, Hook::Postrouting, priority::SRCNAT))?;
//! tx.add_rule(&t, "post", &Rule::new()
//!     .saddr("198.18.0.0/24".parse()?)
//!     .oifname_ne("br0")
//!     .masquerade())?;
//! nft.commit(&tx)?; // one sendmsg; all of it, or nothing
//! assert_eq!(nft.rules(&t, Some("post"))?.len(), 1);
//! # Ok::<(), netplumb::Error>(())
//! ```

mod chain;
mod family;
mod list;
mod name;
pub mod ops;
mod rule;
mod set;
mod transaction;

pub use chain::{BaseChain, Chain, ChainType, Hook, Policy, Table, priority};
pub use family::TableFamily;
pub use list::{ChainInfo, ElementInfo, RuleInfo, Ruleset, SetInfo, TableInfo};
pub use name::{MAX_NAME_LEN, check_name};
pub use rule::{
    CtState, ETH_P_ARP, ETH_P_IP, ETH_P_IPV6, Field, NatFlags, PortRange, Proto, RejectWith, Rule,
};
pub use set::{Element, KeyType, Set};
pub use transaction::Transaction;

use crate::error::{Error, Result};
use crate::netns::NetNs;
use crate::socket::{Protocol, Socket};
use crate::undo::FaultPlan;
use crate::wire::nft::{NFT_MSG_NEWRULE, RuleMessage, nft_type};
use std::collections::HashSet;
use std::sync::{Mutex, MutexGuard, PoisonError};
use transaction::Effect;

/// How many times [`Nft::commit`] sends again a batch the kernel refused with `ERESTART`
/// because the ruleset changed between the checks and the commit.
const COMMIT_RETRIES: usize = 3;

/// Send buffer room beyond the batch (the kernel keeps a few bytes of each datagram's
/// accounting to itself).
const SEND_ROOM: usize = 4096;

/// Receive buffer room per change for the kernel's answers to a refused batch (each failed
/// message comes back whole, in an skb of its own).
const ERROR_ROOM: usize = 1024;

/// Receive buffer room per echoed rule when handles are learnt (the kernel's notification
/// skbs are a few KiB each, whatever the rule's size).
const ECHO_ROOM: usize = 4096;

/// A `NETLINK_NETFILTER` socket bound to one network namespace, for nf_tables.
///
/// Like [`crate::Handle`], the socket acts on the namespace it was made in whichever thread
/// uses it ([`Nft::in_netns`] enters the namespace only to make it), and methods take
/// `&self`, one request in flight at a time.
#[derive(Debug)]
pub struct Nft {
    socket: Mutex<Socket>,
}

/// What a committed [`Transaction`] learnt.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Committed {
    handles: Vec<Option<u64>>,
}

impl Committed {
    /// The handle of the rule added by change `index` (what [`Transaction::add_rule`]
    /// returned), when the transaction asked for handles
    /// ([`Transaction::learn_handles`]).
    pub fn handle(&self, index: usize) -> Option<u64> {
        self.handles.get(index).copied().flatten()
    }
}

/// Something a change needs to exist in the kernel before the batch is sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Needed {
    Chain(Table, String),
    Set(Table, String),
}

/// Plays the transaction's effects to find the chains and sets it refers to but does not
/// make; refuses a reference to something this transaction deleted.
fn references(tx: &Transaction) -> Result<Vec<Needed>> {
    let mut chains: HashSet<(&Table, &str)> = HashSet::new();
    let mut sets: HashSet<(&Table, &str)> = HashSet::new();
    let mut gone_tables: HashSet<&Table> = HashSet::new();
    let mut gone: HashSet<Needed> = HashSet::new();
    let mut needed: Vec<Needed> = Vec::new();
    let mut need = |n: Needed, made: bool, table_gone: bool, gone: &HashSet<Needed>| {
        if made {
            return Ok(());
        }
        if table_gone || gone.contains(&n) {
            let (what, t, name) = match &n {
                Needed::Chain(t, c) => ("nf_tables chain", t, c),
                Needed::Set(t, s) => ("nf_tables set", t, s),
            };
            return Err(Error::NotFound {
                what,
                name: format!("{t} {name} (deleted earlier in the transaction)"),
            });
        }
        if !needed.contains(&n) {
            needed.push(n);
        }
        Ok(())
    };
    for effect in tx.effects() {
        match effect {
            Effect::None => {}
            Effect::DeleteTable(t) => {
                chains.retain(|(ct, _)| *ct != t);
                sets.retain(|(st, _)| *st != t);
                gone_tables.insert(t);
            }
            Effect::AddChain(t, c) => {
                chains.insert((t, c));
            }
            Effect::DeleteChain(t, c) => {
                chains.remove(&(t, c.as_str()));
                gone.insert(Needed::Chain(t.clone(), c.clone()));
            }
            Effect::AddSet(t, s) => {
                sets.insert((t, s));
            }
            Effect::DeleteSet(t, s) => {
                sets.remove(&(t, s.as_str()));
                gone.insert(Needed::Set(t.clone(), s.clone()));
            }
            Effect::NeedChains(t, cs) => {
                for c in cs {
                    let made = chains.contains(&(t, c.as_str()));
                    need(
                        Needed::Chain(t.clone(), c.clone()),
                        made,
                        gone_tables.contains(t),
                        &gone,
                    )?;
                }
            }
            Effect::NeedSets(t, ss) => {
                for s in ss {
                    let made = sets.contains(&(t, s.as_str()));
                    need(
                        Needed::Set(t.clone(), s.clone()),
                        made,
                        gone_tables.contains(t),
                        &gone,
                    )?;
                }
            }
            Effect::Rule {
                table,
                chains: cs,
                sets: ss,
            } => {
                for c in cs {
                    let made = chains.contains(&(table, c.as_str()));
                    need(
                        Needed::Chain(table.clone(), c.clone()),
                        made,
                        gone_tables.contains(table),
                        &gone,
                    )?;
                }
                for s in ss {
                    let made = sets.contains(&(table, s.as_str()));
                    need(
                        Needed::Set(table.clone(), s.clone()),
                        made,
                        gone_tables.contains(table),
                        &gone,
                    )?;
                }
            }
        }
    }
    Ok(needed)
}

impl Nft {
    /// An nf_tables socket in the calling thread's namespace
    /// (`socket(AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER)`, as `nft` opens it).
    ///
    /// # Errors
    /// [`Error::Io`] if the socket cannot be opened.
    pub fn new() -> Result<Nft> {
        Ok(Nft::wrap(Socket::open_protocol(Protocol::Netfilter)?))
    }

    /// An nf_tables socket in the namespace `ns` (made by a throwaway thread inside it; see
    /// [`Socket::open_in`]); every later call acts on `ns` from any thread.
    ///
    /// # Errors
    /// As [`Socket::open_in`].
    pub fn in_netns(ns: &NetNs) -> Result<Nft> {
        Ok(Nft::wrap(Socket::open_in(ns, Protocol::Netfilter)?))
    }

    /// Wraps an open `NETLINK_NETFILTER` socket.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a socket of another protocol.
    pub fn from_socket(socket: Socket) -> Result<Nft> {
        if socket.protocol() != Protocol::Netfilter {
            return Err(Error::invalid(
                "socket",
                format!(
                    "nf_tables needs NETLINK_NETFILTER, not {}",
                    socket.protocol().name()
                ),
            ));
        }
        Ok(Nft::wrap(socket))
    }

    fn wrap(socket: Socket) -> Nft {
        Nft {
            socket: Mutex::new(socket),
        }
    }

    /// Exclusive access to the socket.
    pub fn socket(&self) -> MutexGuard<'_, Socket> {
        // Replies are matched by sequence number, so a socket whose holder panicked is
        // still usable.
        self.socket.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Makes `plan` consulted before every request this socket sends (a dump, a
    /// generation query, each commit's batch); see [`crate::undo`].
    pub fn set_fault_plan(&self, plan: Option<FaultPlan>) {
        self.socket().set_fault_plan(plan);
    }

    /// Sends `tx` as one batch and waits for the kernel's verdict.
    ///
    /// First the references are checked: a rule's chain, `jump`/`goto` targets and sets,
    /// the chains flushed and the sets filled must be made by the transaction or exist in
    /// the kernel; for the latter the generation (`NFT_MSG_GETGEN`) and the table's chains
    /// or sets are read, and the batch then carries `NFNL_BATCH_GENID`, so that a ruleset
    /// changed in between makes the kernel refuse it (`ERESTART`) and the commit starts
    /// again (up to 3 times). Then one `sendmsg` carries `NFNL_MSG_BATCH_BEGIN`, the changes
    /// and `NFNL_MSG_BATCH_END`; the kernel applies all of them or none, and answers only
    /// failures (and, with [`Transaction::learn_handles`], the new rules).
    ///
    /// An empty transaction sends nothing.
    ///
    /// # Errors
    /// [`Error::NotFound`] for a chain or set referred to that does not exist (nothing is
    /// sent); [`Error::Kernel`] when the kernel refused the batch: its
    /// [`request_index`](crate::KernelError::request_index) is the index of the change it
    /// refused ([`Transaction::describe`] says which), `None` when it refused the batch as a
    /// whole; the ruleset is then as it was. Transport errors.
    pub fn commit(&self, tx: &Transaction) -> Result<Committed> {
        if tx.is_empty() {
            return Ok(Committed::default());
        }
        let needed = references(tx)?;
        let mut attempt = 0;
        loop {
            let genid = if needed.is_empty() {
                None
            } else {
                let g = self.generation()?;
                self.check_exist(&needed)?;
                Some(g)
            };
            match self.send(tx, genid) {
                Err(e)
                    if genid.is_some()
                        && e.errno() == Some(libc::ERESTART)
                        && attempt < COMMIT_RETRIES =>
                {
                    attempt += 1;
                }
                r => return r,
            }
        }
    }

    /// Refuses references to chains and sets the kernel does not have.
    fn check_exist(&self, needed: &[Needed]) -> Result<()> {
        let mut chains: Vec<(&Table, Vec<String>)> = Vec::new();
        let mut sets: Vec<(&Table, Vec<String>)> = Vec::new();
        for n in needed {
            let (cache, t, name, what) = match n {
                Needed::Chain(t, c) => (&mut chains, t, c, "nf_tables chain"),
                Needed::Set(t, s) => (&mut sets, t, s, "nf_tables set"),
            };
            let i = match cache.iter().position(|(ct, _)| *ct == t) {
                Some(i) => i,
                None => {
                    let names = match n {
                        Needed::Chain(..) => self.chain_names(t)?,
                        Needed::Set(..) => self.set_names(t)?,
                    };
                    cache.push((t, names));
                    cache.len() - 1
                }
            };
            if !cache.get(i).is_some_and(|(_, names)| names.contains(name)) {
                return Err(Error::NotFound {
                    what,
                    name: format!("{t} {name}"),
                });
            }
        }
        Ok(())
    }

    fn send(&self, tx: &Transaction, genid: Option<u32>) -> Result<Committed> {
        let batch = tx.batch(genid)?;
        let n = tx.len();
        let mut handles = vec![None; n];
        let echoes = tx
            .messages()
            .filter(|(t, f, _)| {
                *t == nft_type(NFT_MSG_NEWRULE) && f.contains(crate::wire::NlmsgFlags::ECHO)
            })
            .count();
        let mut socket = self.socket();
        // As nft does: a send buffer the whole batch fits in (the kernel refuses a larger
        // datagram), and room for the answers (every failed message comes back whole, and
        // every echo).
        let size = batch.byte_len().saturating_add(SEND_ROOM);
        if socket.send_buffer().is_ok_and(|have| have < size) {
            socket.force_send_buffer(size)?;
        }
        let want = n
            .saturating_mul(ERROR_ROOM)
            .max(echoes.saturating_mul(ECHO_ROOM));
        if socket.recv_buffer().is_ok_and(|have| have < want) {
            // Best effort: without CAP_NET_ADMIN only rmem_max is granted, and answers that
            // overflow it end the commit with Error::Overrun (the batch is all or nothing
            // either way).
            let _ = socket.force_recv_buffer(want);
        }
        let results = socket.batch_whole_map(&batch, |i, m| {
            if m.message_type() == nft_type(NFT_MSG_NEWRULE)
                && let Some(slot) = i.checked_sub(1).and_then(|c| handles.get_mut(c))
            {
                *slot = RuleMessage::parse(m.payload())?.handle();
            }
            Ok(())
        })?;
        drop(socket);
        for (i, r) in results.into_iter().enumerate() {
            if let Some(Err(mut e)) = r {
                if let Error::Kernel(k) = &mut e {
                    k.request_index = i.checked_sub(1).filter(|c| *c < n);
                }
                return Err(e);
            }
        }
        Ok(Committed { handles })
    }

    // ---- one change at a time ----

    /// `nft add table`: a transaction of one [`Transaction::add_table`].
    ///
    /// # Errors
    /// As [`Transaction::add_table`] and [`Nft::commit`].
    #[doc(alias = "NFT_MSG_NEWTABLE")]
    pub fn add_table(&self, table: &Table) -> Result<()> {
        self.commit(Transaction::new().add_table(table)?).map(drop)
    }

    /// `nft delete table`: deletes `table` and everything in it.
    ///
    /// # Errors
    /// `ENOENT` ([`Error::is_not_found`]) if it does not exist.
    #[doc(alias = "NFT_MSG_DELTABLE")]
    pub fn delete_table(&self, table: &Table) -> Result<()> {
        self.commit(Transaction::new().delete_table(table)?)
            .map(drop)
    }

    /// `nft flush table`: deletes every rule of `table`.
    ///
    /// # Errors
    /// As [`Nft::commit`].
    pub fn flush_table(&self, table: &Table) -> Result<()> {
        self.commit(Transaction::new().flush_table(table)?)
            .map(drop)
    }

    /// `nft add chain`.
    ///
    /// # Errors
    /// As [`Transaction::add_chain`] and [`Nft::commit`].
    #[doc(alias = "NFT_MSG_NEWCHAIN")]
    pub fn add_chain(&self, table: &Table, chain: &Chain) -> Result<()> {
        self.commit(Transaction::new().add_chain(table, chain)?)
            .map(drop)
    }

    /// `nft delete chain`.
    ///
    /// # Errors
    /// As [`Nft::commit`]; `EBUSY` for a chain with rules or jumped to.
    #[doc(alias = "NFT_MSG_DELCHAIN")]
    pub fn delete_chain(&self, table: &Table, name: &str) -> Result<()> {
        self.commit(Transaction::new().delete_chain(table, name)?)
            .map(drop)
    }

    /// `nft flush chain`.
    ///
    /// # Errors
    /// As [`Nft::commit`] (an unknown chain is refused before sending).
    pub fn flush_chain(&self, table: &Table, name: &str) -> Result<()> {
        self.commit(Transaction::new().flush_chain(table, name)?)
            .map(drop)
    }

    /// `nft --echo add rule`: appends `rule` and returns its handle.
    ///
    /// # Errors
    /// As [`Transaction::add_rule`] and [`Nft::commit`]; [`Error::Protocol`] if the kernel
    /// did not echo the rule.
    #[doc(alias = "NFT_MSG_NEWRULE")]
    pub fn add_rule(&self, table: &Table, chain: &str, rule: &Rule) -> Result<u64> {
        let mut tx = Transaction::new();
        tx.learn_handles();
        let i = tx.add_rule(table, chain, rule)?;
        self.commit(&tx)?
            .handle(i)
            .ok_or_else(|| Error::Protocol("the kernel did not echo the new rule".into()))
    }

    /// `nft delete rule ... handle H`.
    ///
    /// # Errors
    /// As [`Nft::commit`]; `ENOENT` for a handle that does not exist.
    #[doc(alias = "NFT_MSG_DELRULE")]
    pub fn delete_rule(&self, table: &Table, chain: &str, handle: u64) -> Result<()> {
        self.commit(Transaction::new().delete_rule(table, chain, handle)?)
            .map(drop)
    }

    /// `nft add set` (with its elements).
    ///
    /// # Errors
    /// As [`Transaction::add_set`] and [`Nft::commit`].
    #[doc(alias = "NFT_MSG_NEWSET")]
    pub fn add_set(&self, table: &Table, set: &Set) -> Result<()> {
        self.commit(Transaction::new().add_set(table, set)?)
            .map(drop)
    }

    /// `nft delete set`.
    ///
    /// # Errors
    /// As [`Nft::commit`]; `EBUSY` for a set a rule looks up.
    #[doc(alias = "NFT_MSG_DELSET")]
    pub fn delete_set(&self, table: &Table, name: &str) -> Result<()> {
        self.commit(Transaction::new().delete_set(table, name)?)
            .map(drop)
    }

    /// `nft add element`.
    ///
    /// # Errors
    /// As [`Transaction::add_elements`] and [`Nft::commit`].
    #[doc(alias = "NFT_MSG_NEWSETELEM")]
    pub fn add_elements(&self, table: &Table, set: &SetInfo, elements: &[Element]) -> Result<()> {
        let key = set_key(set)?;
        let interval = set.flags & crate::wire::nft::NFT_SET_INTERVAL != 0;
        self.commit(Transaction::new().add_elements(table, &set.name, key, interval, elements)?)
            .map(drop)
    }

    /// `nft delete element`.
    ///
    /// # Errors
    /// As [`Transaction::delete_elements`] and [`Nft::commit`].
    #[doc(alias = "NFT_MSG_DELSETELEM")]
    pub fn delete_elements(
        &self,
        table: &Table,
        set: &SetInfo,
        elements: &[Element],
    ) -> Result<()> {
        let key = set_key(set)?;
        let interval = set.flags & crate::wire::nft::NFT_SET_INTERVAL != 0;
        self.commit(Transaction::new().delete_elements(table, &set.name, key, interval, elements)?)
            .map(drop)
    }
}

fn set_key(set: &SetInfo) -> Result<KeyType> {
    set.key.ok_or_else(|| {
        Error::invalid(
            "set",
            format!(
                "{}: key type {} is not one netplumb writes",
                set.name, set.key_type
            ),
        )
    })
}

#[cfg(test)]
mod tests;
