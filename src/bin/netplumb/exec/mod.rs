//! The executor: runs a parsed [`Command`] through the library's typed operations.
//!
//! One module per object; each exposes `run(&XxxCmd, &Ctx) -> Result<(), CliError>`.
//! [`Ctx`] carries the global options and opens the handle (in `-n NETNS` if given) once,
//! so a `-batch` file reuses one socket for all its lines.

mod addr;
mod debug_tree;
mod decode;
mod decode_core;
mod ipshow;
mod link;
mod link_json;
mod monitor;
mod neigh;
mod netns;
mod output;
mod records;
mod route;
mod tuntap;

use crate::args::{CliError, Globals};
use crate::cmd::Command;
use netplumb::{Handle, NetNs};
use std::cell::OnceCell;

/// What every command needs: the global options, and the namespace and handle they select.
pub struct Ctx<'g> {
    /// The global options (`-n`, `-j`, `-p`, `-d`, `-4`/`-6`, `-force`, ...).
    pub globals: &'g Globals,
    netns: OnceCell<Option<NetNs>>,
    handle: OnceCell<Handle>,
}

impl<'g> Ctx<'g> {
    /// A context for `globals`; nothing is opened until it is needed.
    pub fn new(globals: &'g Globals) -> Self {
        Ctx {
            globals,
            netns: OnceCell::new(),
            handle: OnceCell::new(),
        }
    }

    /// The namespace `-n NETNS` names (`/run/netns/NETNS`, or a path), or `None` for the
    /// caller's own.
    pub fn netns(&self) -> Result<Option<&NetNs>, CliError> {
        if self.netns.get().is_none() {
            let ns = match &self.globals.netns {
                None => None,
                Some(n) if n.contains('/') => Some(NetNs::open(n).map_err(|e| netns_error(n, e))?),
                Some(n) => Some(NetNs::open_name(n).map_err(|e| netns_error(n, e))?),
            };
            let _ = self.netns.set(ns);
        }
        Ok(self.netns.get().and_then(Option::as_ref))
    }

    /// The handle for this run, bound to [`Ctx::netns`]; opened on first use.
    pub fn handle(&self) -> Result<&Handle, CliError> {
        if let Some(h) = self.handle.get() {
            return Ok(h);
        }
        let h = match self.netns()? {
            Some(ns) => Handle::in_netns(ns),
            None => Handle::new(),
        }
        .map_err(failed)?;
        Ok(self.handle.get_or_init(|| h))
    }

    /// Runs `f` in the selected namespace (on a pinned thread when `-n` is given), for work
    /// that must happen there rather than through the handle: tun/tap ioctls, sysctls,
    /// sockets.
    pub fn in_netns<T: Send>(&self, f: impl FnOnce() -> T + Send) -> Result<T, CliError> {
        match self.netns()? {
            Some(ns) => ns.run(f).map_err(failed),
            None => Ok(f()),
        }
    }
}

fn netns_error(name: &str, e: netplumb::Error) -> CliError {
    CliError::Failed(format!(
        "Cannot open network namespace \"{name}\": {}",
        error_text(&e)
    ))
}

/// What `ip` prints after `Error: ` for a library error: the kernel's extended-ack message
/// when there is one, else the errno's text, else the error itself.
pub fn error_text(e: &netplumb::Error) -> String {
    match e {
        netplumb::Error::Kernel(k) => k.text(),
        netplumb::Error::Io { source, .. } => source
            .to_string()
            .split(" (os error")
            .next()
            .unwrap_or_default()
            .to_string(),
        other => other.to_string(),
    }
}

/// A library error as a failed command: `Error: <text>.`
pub fn failed(e: netplumb::Error) -> CliError {
    let text = error_text(&e);
    let dot = if text.ends_with('.') { "" } else { "." };
    CliError::Failed(format!("Error: {text}{dot}"))
}

/// Runs one parsed command.
pub fn run(cmd: Command, ctx: &Ctx<'_>) -> Result<(), CliError> {
    match cmd {
        Command::Help(t) => {
            print!("{}", t.text());
            Ok(())
        }
        Command::Version => {
            println!("netplumb utility, version {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        Command::Link(c) => link::run(&c, ctx),
        Command::Addr(c) => addr::run(&c, ctx),
        Command::Route(c) => route::run(&c, ctx),
        Command::Neigh(c) => neigh::run(&c, ctx),
        Command::Tuntap(c) => tuntap::run(&c, ctx),
        Command::Netns(c) => netns::run(&c, ctx),
        Command::Monitor(c) => monitor::run(&c, ctx),
        Command::Decode(c) => decode::run(&c, ctx),
    }
}
