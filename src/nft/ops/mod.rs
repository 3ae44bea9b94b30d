//! Ready-made firewall operations for container networks.
//!
//! Each operation owns one table, named by the caller (one per network, say
//! `np-net1-masq`), and is the whole content of that table:
//!
//! | operation | family | what it does | the iptables it replaces |
//! |-----------|--------|--------------|--------------------------|
//! | [`Masquerade`] | `inet` | source NAT for a subnet leaving through any interface but its bridge | Docker's `POSTROUTING -s SUBNET ! -o BRIDGE -j MASQUERADE` |
//! | [`PublishedPorts`] | `inet` | host port (or range) to a container address and port, from other hosts (prerouting), from the host itself (output) and from the container itself (hairpin masquerade) | Docker's `DOCKER` chain, CNI `portmap` |
//! | [`Isolation`] | `inet` | drops forwarding between two bridges; optionally between the ports of one bridge | Docker's `DOCKER-ISOLATION-STAGE-*`, `icc=false` |
//! | [`DhcpFilter`] | `bridge` | drops DHCP (UDP 67-68) crossing between two ports of a bridge, both ways | virtlet's two `ebtables` rules |
//!
//! Applying ([`TableOp::apply`]) is one transaction that adds the table, deletes it and
//! makes it anew with its chains and rules: whatever the table held before (nothing, an
//! older version, the same), afterwards it holds exactly this, so applying twice is the
//! same as once, and the change is atomic. Removing ([`remove`]) is one transaction that
//! adds and deletes the table, so it succeeds whether the table exists or not. Nothing
//! else in the ruleset is touched.
//!
//! Every operation can also be written as an `nft -f` script ([`TableOp::script`]) that
//! makes the same messages.

mod dhcp;
mod isolation;
mod masquerade;
mod ports;

pub use dhcp::DhcpFilter;
pub use isolation::Isolation;
pub use masquerade::Masquerade;
pub use ports::{PortMapping, PublishedPorts};

use super::{Chain, Nft, Rule, Set, Table, TableFamily, Transaction};
use crate::error::Result;
use crate::undo::Undo;
use std::fmt::Write as _;

/// An operation that owns a whole table: its family and what goes in it.
pub trait TableOp {
    /// The family of the table.
    fn family(&self) -> TableFamily;

    /// The chains of the table, each with its rules, in order. Refuses bad input (bad
    /// names, prefixes, ports) before anything is sent.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`].
    fn chains(&self) -> Result<Vec<(Chain, Vec<Rule>)>>;

    /// The named sets and maps of the table, with their elements (none by default). Refuses
    /// bad input before anything is sent.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`].
    fn sets(&self) -> Result<Vec<Set>> {
        Ok(Vec::new())
    }

    /// The table named `name` of this operation's family.
    fn table(&self, name: &str) -> Table {
        Table::new(self.family(), name)
    }

    /// The transaction [`TableOp::apply`] commits: add the table, delete it, add it again
    /// with every chain, every set (each followed by its elements), then every rule: the
    /// order `nft -f` sends them in.
    ///
    /// # Errors
    /// Bad input, refused before anything is sent.
    fn transaction(&self, name: &str) -> Result<Transaction> {
        let t = self.table(name);
        let chains = self.chains()?;
        let sets = self.sets()?;
        let mut tx = Transaction::new();
        tx.add_table(&t)?.delete_table(&t)?.add_table(&t)?;
        for (c, _) in &chains {
            tx.add_chain(&t, c)?;
        }
        for s in &sets {
            tx.add_set(&t, s)?;
        }
        for (c, rules) in &chains {
            for r in rules {
                tx.add_rule(&t, &c.name, r)?;
            }
        }
        Ok(tx)
    }

    /// Makes the table `name` hold exactly this operation, atomically (one batch).
    ///
    /// # Errors
    /// Bad input (nothing sent); the kernel's refusal (nothing changed).
    fn apply(&self, nft: &Nft, name: &str) -> Result<()> {
        nft.commit(&self.transaction(name)?).map(drop)
    }

    /// The same as an `nft -f` script: `table F T`, `delete table F T`, then the table with
    /// its sets and maps, then its chains and rules.
    ///
    /// # Errors
    /// Bad input.
    fn script(&self, name: &str) -> Result<String> {
        // Checks everything the transaction checks.
        self.transaction(name)?;
        let t = self.table(name);
        let mut s = format!("table {t}\ndelete table {t}\ntable {t} {{\n");
        for set in self.sets()? {
            for line in set.to_string().lines() {
                let _ = writeln!(s, "\t{line}");
            }
        }
        for (c, rules) in self.chains()? {
            let _ = writeln!(s, "\tchain {} {{", c.name);
            if c.base.is_some() {
                let _ = writeln!(s, "\t\t{c}");
            }
            for r in rules {
                let _ = writeln!(s, "\t\t{r}");
            }
            s.push_str("\t}\n");
        }
        s.push_str("}\n");
        Ok(s)
    }
}

/// Deletes the table `table` if it exists, and succeeds if it does not: one batch that
/// adds the table (a no-op when it exists) and deletes it. What every operation's teardown
/// is.
///
/// # Errors
/// A bad table name; the kernel's refusal; transport errors.
pub fn remove(nft: &Nft, table: &Table) -> Result<()> {
    let mut tx = Transaction::new();
    tx.add_table(table)?.delete_table(table)?;
    nft.commit(&tx).map(drop)
}

/// Applies every operation of `ops` (each with its table name), in order, as a network's
/// setup: if one fails, the tables applied before it are removed again, newest first, and
/// the first error is returned (with any cleanup error, see [`Undo::rollback`]). With a
/// [`FaultPlan`](crate::undo::FaultPlan) on `nft` ([`Nft::set_fault_plan`]) every commit is
/// a step, the removals included.
///
/// Each table is replaced whole, as [`TableOp::apply`] does; a rollback removes it, also
/// when a table of that name existed before: give each network tables of its own.
///
/// # Errors
/// The first operation's error; [`crate::Error::RolledBack`] when a removal failed too.
pub fn apply_all(nft: &Nft, ops: &[(&str, &dyn TableOp)]) -> Result<()> {
    let mut undo = Undo::new();
    undo.run(|undo| {
        for (name, op) in ops {
            op.apply(nft, name)?;
            let table = op.table(name);
            undo.push(format!("delete table {table}"), move || remove(nft, &table));
        }
        Ok(())
    })?;
    undo.commit();
    Ok(())
}

/// Removes the tables of `ops` (each with its table name), newest first; every removal is
/// attempted, and a table already gone is not an error.
///
/// # Errors
/// [`crate::Error::Teardown`] with every removal's error.
pub fn remove_all(nft: &Nft, ops: &[(&str, &dyn TableOp)]) -> Result<()> {
    let mut undo = Undo::new();
    for (name, op) in ops {
        let table = op.table(name);
        undo.push(format!("delete table {table}"), move || remove(nft, &table));
    }
    undo.teardown()
}
