//! What the words of a command line become, for every object and front end: a [`Command`]
//! that [`Run`]s, made by the parser an [`Object`] names.
//!
//! `ip`'s objects have their grammar and AST here, one module each (`address`, `link`,
//! `route`, `neigh`, `tuntap`, `netns`, `monitor`, and netplumb's `decode`); the executor of
//! each is the module of the same name in `exec/`, which implements [`Run`] for the AST.
//! Objects added since (`rule`) and netplumb's front ends keep grammar and executor together
//! in a folder of their own. The table of objects, in `ip`'s order of checks, is in
//! `main.rs`.

pub mod addr;
pub mod decode;
pub mod link;
pub mod monitor;
pub mod neigh;
pub mod netns;
pub mod route;
pub mod tuntap;

use crate::args::{Cursor, Globals};
use crate::ctx::Ctx;
use crate::error::Res;
use crate::help::Topic;
use crate::words::matches;
use std::any::Any;
use std::fmt;

/// One parsed command.
pub enum Command {
    /// `help`, `OBJECT help`: print the usage text to stdout.
    Help(Topic),
    /// `-V`: print the version.
    Version,
    /// An object's command, ready to run.
    Run(Box<dyn Run>),
}

/// An object's parsed command: what its executor does with it.
pub trait Run: AnyCommand {
    /// Runs the command in `ctx`.
    fn run(&self, ctx: &Ctx<'_>) -> Res<()>;

    /// Whether, in `-force -batch`, the command only builds write requests that may wait in
    /// the queue (see [`Ctx::send`]): the frequent bulk commands. A batch sends what is
    /// queued before any other line.
    fn queueable(&self) -> bool {
        false
    }
}

/// What [`Command`] needs of any command type, given to every `Debug + PartialEq` type: its
/// name for `Debug`, and comparison for the tests that check what a line parses to.
pub trait AnyCommand: fmt::Debug + Any {
    /// The command as [`Any`].
    fn as_any(&self) -> &dyn Any;
    /// Whether `other` is the same command.
    fn same_as(&self, other: &dyn Any) -> bool;
    /// The type's name without its path (`LinkCmd`).
    fn type_name(&self) -> &'static str;
}

impl<T: fmt::Debug + PartialEq + Any> AnyCommand for T {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn same_as(&self, other: &dyn Any) -> bool {
        other.downcast_ref::<T>() == Some(self)
    }

    fn type_name(&self) -> &'static str {
        let full = std::any::type_name::<T>();
        full.rsplit("::").next().unwrap_or(full)
    }
}

impl Command {
    /// `c` as a command.
    pub fn of(c: impl Run) -> Command {
        Command::Run(Box::new(c))
    }

    /// Runs the command: prints the usage text or the version, or runs the object's command.
    pub fn run(&self, ctx: &Ctx<'_>) -> Res<()> {
        match self {
            Command::Help(t) => {
                print!("{}", t.text());
                Ok(())
            }
            Command::Version => {
                println!("netplumb utility, version {}", env!("CARGO_PKG_VERSION"));
                Ok(())
            }
            Command::Run(c) => c.run(ctx),
        }
    }

    /// See [`Run::queueable`]; help and the version are not.
    pub fn queueable(&self) -> bool {
        matches!(self, Command::Run(c) if c.queueable())
    }

    /// The object's command, if it is a `T`.
    #[cfg(test)]
    pub fn downcast<T: Any>(&self) -> Option<&T> {
        match self {
            Command::Run(c) => (**c).as_any().downcast_ref(),
            _ => None,
        }
    }
}

impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Help(t) => f.debug_tuple("Help").field(t).finish(),
            Command::Version => f.write_str("Version"),
            // `LinkCmd(Add(...))`: the object's type names it.
            Command::Run(c) => f.debug_tuple((**c).type_name()).field(c).finish(),
        }
    }
}

impl PartialEq for Command {
    fn eq(&self, other: &Command) -> bool {
        match (self, other) {
            (Command::Help(a), Command::Help(b)) => a == b,
            (Command::Version, Command::Version) => true,
            (Command::Run(a), Command::Run(b)) => (**a).same_as((**b).as_any()),
            _ => false,
        }
    }
}

/// An object of the command line: its usage and its grammar. A row of the object table in
/// `main.rs` names it; its parser gets a [`Cursor`] over the words after the object word,
/// whose usage errors point to [`Object::topic`].
#[derive(Debug, Clone, Copy)]
pub struct Object {
    /// What `OBJECT help` prints; usage errors end with its hint.
    pub topic: Topic,
    /// Reads the words after the object word; every word must be consumed or refused.
    pub parse: fn(&mut Cursor<'_>, &Globals) -> Res<Command>,
}

/// The first entry of `table` whose keyword `w` abbreviates.
pub fn pick<T: Copy>(w: &str, table: &[(&str, T)]) -> Option<T> {
    table.iter().find(|(k, _)| matches(w, k)).map(|(_, v)| *v)
}
