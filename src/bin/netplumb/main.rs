//! `netplumb`: an `ip`-compatible command-line tool over the netplumb library.
//!
//! `main` reads the global options, then either one command or a `-batch` file, parses each
//! command into a [`cmd::Command`] and hands it to [`run`]. Errors print iproute2-style
//! messages on stderr; a usage error exits with 2, a failure with 1.
//!
//! Where netplumb differs from `ip` 6.1 on purpose:
//! - Exit status: 2 for a usage error (`ip`: 255, or 1 for some), 1 for a failure (`ip`: 1,
//!   or 2 when the kernel refused), 2 for a dump the kernel ended with an error (as `ip`). `help` and `-help` print to stdout and succeed; `help`
//!   in the middle of a command is a usage error (the usage text on stderr).
//! - Refused before anything is sent, where `ip` lets the kernel refuse: new interface names
//!   over 15 bytes or with `/`, `:` or blanks, `mtu 0`, link-layer addresses that are not
//!   six octets, address labels over 15 bytes, an address change without an address.
//! - Not checked while parsing, where `ip` looks them up: whether a device, VRF or named
//!   namespace exists. The executor fails instead (exit status 1).
//! - `-batch`: a `#` inside quotes is part of the word; a line that does not parse fails
//!   alone (`ip` exits at once), reported like any failed line.
//! - JSON strings escape every control character (`ip` passes most of them raw).
//! - Numbers: each is read in the base `ip` uses for it (mostly `strtoul(.., 0)`; `index`,
//!   `-loops`, tuntap `user`/`group` decimal; `tos` hex; `link-netnsid` and `netns set`
//!   signed), but without the leading white space and `-` that C's `strto*` also take
//!   (`mtu -0`); link-layer address octets are one or two hex digits, without the sign,
//!   `0x` or trailing junk `sscanf("%x")` takes (`+2:42:ac:11:0:2`).

mod args;
mod batch;
mod cmd;
mod exec;
mod help;
mod json;
mod names;
#[cfg(test)]
mod number_forms;
mod vm;

use args::{CliError, Start};
use cmd::Command;
use help::Topic;
use std::io::BufReader;

fn main() {
    let args: Result<Vec<String>, _> = std::env::args_os()
        .skip(1)
        .map(|a| a.into_string())
        .collect();
    let code = match args {
        Ok(args) => run_main(&args),
        Err(bad) => fail(&CliError::Usage(format!(
            "Error: argument {bad:?} is not valid UTF-8."
        ))),
    };
    std::process::exit(code);
}

/// Prints an error and returns its exit status.
fn fail(e: &CliError) -> i32 {
    eprintln!("{e}");
    e.exit_code()
}

fn run_main(argv: &[String]) -> i32 {
    let (globals, start) = match args::parse_globals(argv) {
        Ok(x) => x,
        Err(e) => return fail(&e),
    };
    let ctx = exec::Ctx::new(&globals);
    let result = match start {
        Start::Version => exec::run(Command::Version, &ctx),
        Start::Help => exec::run(Command::Help(Topic::Main), &ctx),
        Start::Command(_) if globals.batch.is_some() => return run_batch(&ctx),
        Start::Command(i) if vm::is_vm(argv, i) => return vm::main(argv, i, &globals.netns),
        Start::Command(i) => {
            cmd::parse(argv.get(i..).unwrap_or_default(), &globals).and_then(|c| exec::run(c, &ctx))
        }
    };
    match result {
        Ok(()) => 0,
        Err(e) => fail(&e),
    }
}

/// `-batch FILE`: every line is a command (without `ip`/`netplumb` and global options).
/// A failed line is reported with "Command failed FILE:LINE"; `-force` keeps going. Exit
/// status 1 when any line failed. With `-force` the write requests of consecutive lines
/// are pipelined (`exec::Ctx::send`); failures are still reported per line, in line order.
fn run_batch(ctx: &exec::Ctx<'_>) -> i32 {
    let g = ctx.globals;
    let name = g.batch.as_deref().unwrap_or("-");
    let input: Box<dyn std::io::BufRead> = if name == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        match std::fs::File::open(name) {
            Ok(f) => Box::new(BufReader::new(f)),
            Err(e) => {
                return fail(&CliError::Failed(format!(
                    "Cannot open file \"{name}\" for reading: {e}"
                )));
            }
        }
    };
    let mut failed = false;
    for (line, words) in batch::read(input) {
        ctx.set_line(line);
        let r = words.and_then(|w| cmd::parse(&w, g)).and_then(|c| {
            if !queueable(&c) {
                // It may read or change anything: earlier lines' requests go out first.
                ctx.flush();
                ctx.forget_names();
            }
            exec::run(c, ctx)
        });
        if let Err(e) = r {
            // Earlier lines' queued failures are reported first, in line order.
            ctx.flush();
            eprintln!("{e}");
            eprintln!("Command failed {name}:{line}");
            failed = true;
            if !g.force {
                break;
            }
        }
    }
    ctx.flush();
    i32::from(failed || ctx.queued_failed())
}

/// Whether a `-force -batch` line only builds write requests that may be queued (see
/// `exec::Ctx::send`): the frequent bulk commands. Any other line flushes the queue first.
fn queueable(c: &Command) -> bool {
    use cmd::addr::{AddrCmd, AddrOp};
    use cmd::link::LinkCmd;
    use cmd::neigh::{NeighCmd, NeighOp};
    use cmd::route::{RouteCmd, RouteOp};
    match c {
        Command::Route(RouteCmd::Change(r)) => {
            matches!(r.op, RouteOp::Add | RouteOp::Replace | RouteOp::Del)
        }
        Command::Addr(AddrCmd::Change(a)) => matches!(a.op, AddrOp::Add | AddrOp::Del),
        Command::Neigh(NeighCmd::Change(n)) => {
            matches!(n.op, NeighOp::Add | NeighOp::Replace | NeighOp::Del)
        }
        Command::Link(LinkCmd::Add(_) | LinkCmd::Del(_)) => true,
        _ => false,
    }
}
