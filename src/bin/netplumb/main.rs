//! `netplumb`: an `ip`-compatible command-line tool over the netplumb library.
//!
//! `main` reads the global options ([`args::parse_globals`]), then either one command or a
//! `-batch` file. A command's first word is looked up in [`OBJECTS`], `ip`'s table of
//! objects; that object's parser turns the remaining words into a [`Command`], which runs
//! in a [`Ctx`] (the options, and the `-n` namespace with one handle for the whole run).
//! Errors print iproute2-style messages on stderr; a usage error exits with 2, a failure
//! with 1.
//!
//! # Layout
//! Each module uses only the ones listed after it:
//! - `main.rs`: the object table, `-batch`.
//! - `rule/`: `ip rule`, the first object added as a folder (grammar and executor together).
//! - `cni/`, `vm/`: netplumb's own front ends (`netplumb cni`, cnitool's drop-in, with
//!   feature `cni`; `netplumb vm run`), one folder each, rows at the end of the table.
//! - `exec/`: one executor per `ip` object, implementing [`Run`](cmd::Run) for the command
//!   its parser makes, and what they share: `exec/render` (ip-style records, text and JSON,
//!   and the printer), `exec/links` (link names), `exec/stream` (dumps printed while they
//!   run), `exec/select` (prefix and glob matching), `exec/output` (standard output).
//! - `cmd/`: `ip`'s grammar, one module per object, each with its usage text and AST;
//!   `cmd.rs`: [`Command`], [`Run`](cmd::Run), [`Object`].
//! - `ctx.rs`: [`Ctx`]. `batch.rs`: splitting `-batch` lines into words.
//! - `args.rs`: the [`Cursor`] parsers walk, the global options.
//! - `help.rs` ([`Topic`](help::Topic)), `names.rs` (iproute2's tables), `words.rs` (single
//!   words), `error.rs` ([`CliError`]), `json.rs` (the JSON writer).
//!
//! # Adding an object or a front end
//! An object of `ip` that netplumb does not cover yet (`rule` is the first made this way)
//! or a front end of its own (`cni`, `vm`, `docker-plugin`) is a folder,
//! `src/bin/netplumb/rule/`, and one row of [`OBJECTS`] (with its `mod rule;`). Its
//! renderer, when `monitor` prints the object too, goes in `exec/render` with the others.
//! 1. The folder's `mod.rs` declares `pub const OBJECT: Object` with the object's usage,
//!    `Topic::new("rule", USAGE)` (`USAGE` starts with `Usage: netplumb rule`), and its
//!    parser, `fn parse(c: &mut Cursor, g: &Globals) -> Res<Command>`. The parser reads the
//!    words after the object word from the cursor, whose errors are `ip`'s and end with the
//!    usage hint; it returns `Command::Help(TOPIC)` for `help`, else `Command::of(x)`, `x`
//!    being the object's parsed command: any type with `Debug` and `PartialEq` that
//!    implements [`Run`](cmd::Run). A front end with a grammar of its own (cnitool's
//!    `add NAME NETNS`) takes its words with `c.word()` and `c.rest()`.
//! 2. [`Run::run`](cmd::Run::run) does the work: [`Ctx::handle`] is the handle in the `-n`
//!    namespace, [`Ctx::send`] sends a write request (queued with `-force -batch` when
//!    [`Run::queueable`](cmd::Run::queueable) says so), [`Ctx::in_netns`] runs other work
//!    in the namespace; `exec::render` prints records as `ip` does (text, `-j`, `-p`) and
//!    `exec::stream` prints a dump while it runs. Failures are a [`CliError`]: `Usage`
//!    (exit status 2), `Failed` (1).
//! 3. The row: an `ip` object replaces its `None` (the table keeps `ip`'s order, which
//!    decides abbreviations); a front end of netplumb's own goes at the end, so that no
//!    abbreviation `ip` knows changes meaning. The main usage text ([`help::MAIN`]) lists
//!    the objects.
//!
//! A front end whose exit status is not one of the CLI's (0, 1, 2) ends the process itself
//! from `Run::run` once it has nothing left to undo, and its parser refuses `-batch`: `vm
//! run` exits with its command's status (or 125, 126, 127 as `env` does), like an `exec`.
//! Global options a front end has no use for are ignored; `cni` refuses `-n` (its namespace
//! is an argument, as cnitool's).
//!
//! Its tests go in the folder: `crate::tests::{parse_ok, parse_as, err}` parse whole lines;
//! the tests here check every object's usage text. A decoder of another netlink protocol
//! for `decode` is a `exec::decode_core::Protocol` value.
//!
//! Where netplumb differs from `ip` 6.1 on purpose:
//! - Exit status: 2 for a usage error (`ip`: 255, or 1 for some), 1 for a failure (`ip`: 1,
//!   or 2 when the kernel refused), 2 for a dump the kernel ended with an error (as `ip`).
//!   `help` and `-help` print to stdout and succeed; `help` in the middle of a command is a
//!   usage error (the usage text on stderr).
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
#[cfg(feature = "cni")]
mod cni;
mod ctx;
mod error;
mod exec;
mod help;
mod json;
mod names;
#[cfg(test)]
mod number_forms;
mod rule;
mod vm;
mod words;

use args::{Cursor, Globals, Start};
use cmd::{Command, Object};
use ctx::Ctx;
use error::{CliError, Res};
use std::io::BufReader;
use words::matches;

/// `ip`'s objects in its order of checks (the order decides abbreviations: `t` is `tunnel`,
/// not `tuntap`; `n` is `neighbor`), then netplumb's own. `None` is an object of `ip` that
/// netplumb does not cover: listed so that its abbreviations are not taken for another
/// object. `help` is read by [`parse`] itself.
const OBJECTS: &[(&str, Option<&Object>)] = &[
    ("address", Some(&cmd::addr::OBJECT)),
    ("addrlabel", None),
    ("maddress", None),
    ("route", Some(&cmd::route::OBJECT)),
    ("rule", Some(&rule::OBJECT)),
    ("neighbor", Some(&cmd::neigh::OBJECT)),
    ("neighbour", Some(&cmd::neigh::OBJECT)),
    ("ntable", None),
    ("ntbl", None),
    ("link", Some(&cmd::link::OBJECT)),
    ("l2tp", None),
    ("fou", None),
    ("ila", None),
    ("macsec", None),
    ("tunnel", None),
    ("tuntap", Some(&cmd::tuntap::OBJECT)),
    ("tap", Some(&cmd::tuntap::OBJECT)),
    ("token", None),
    ("tcpmetrics", None),
    ("tcp_metrics", None),
    ("monitor", Some(&cmd::monitor::OBJECT)),
    ("xfrm", None),
    ("mroute", None),
    ("mrule", None),
    ("netns", Some(&cmd::netns::OBJECT)),
    ("netconf", None),
    ("vrf", None),
    ("sr", None),
    ("nexthop", None),
    ("mptcp", None),
    ("ioam", None),
    ("help", None),
    ("stats", None),
    ("amt", None),
    ("decode", Some(&cmd::decode::OBJECT)),
    #[cfg(feature = "cni")]
    ("cni", Some(&cni::OBJECT)),
    #[cfg(not(feature = "cni"))]
    ("cni", None),
    ("vm", Some(&vm::OBJECT)),
];

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
    let ctx = Ctx::new(&globals);
    let result = match start {
        Start::Version => Command::Version.run(&ctx),
        Start::Help => Command::Help(help::MAIN).run(&ctx),
        Start::Command(_) if globals.batch.is_some() => return run_batch(&ctx),
        Start::Command(i) => {
            parse(argv.get(i..).unwrap_or_default(), &globals).and_then(|c| c.run(&ctx))
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
/// are pipelined ([`Ctx::send`]); failures are still reported per line, in line order.
fn run_batch(ctx: &Ctx<'_>) -> i32 {
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
        let r = words.and_then(|w| parse(&w, g)).and_then(|c| {
            if !c.queueable() {
                // It may read or change anything: earlier lines' requests go out first.
                ctx.flush();
                ctx.forget_names();
            }
            c.run(ctx)
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

/// The object `w` abbreviates: its keyword and what netplumb makes of it.
fn object_of(w: &str) -> Option<(&'static str, Option<&'static Object>)> {
    OBJECTS.iter().find(|(k, _)| matches(w, k)).copied()
}

/// Parses the words after the global options (an object and its arguments).
fn parse(words: &[String], g: &Globals) -> Res<Command> {
    let Some((obj, rest)) = words.split_first() else {
        return Err(CliError::Usage(help::MAIN.text().trim_end().to_string()));
    };
    let (name, object) = object_of(obj).ok_or_else(|| {
        CliError::Usage(format!(
            "Object \"{obj}\" is unknown, try \"netplumb help\"."
        ))
    })?;
    if name == "help" {
        // `netplumb help link` is link's help; ip prints the main usage either way.
        let t = rest.first().and_then(|w| object_of(w)?.1).map(|o| o.topic);
        return Ok(Command::Help(t.unwrap_or(help::MAIN)));
    }
    let object = object.ok_or_else(|| {
        CliError::Usage(format!(
            "Object \"{name}\" is not supported by netplumb, try \"netplumb help\"."
        ))
    })?;
    let mut c = Cursor::new(rest, object.topic);
    let cmd = (object.parse)(&mut c, g)?;
    // Every parser consumes its words or fails; a leftover would be a parser bug.
    debug_assert!(c.at_end() || matches!(cmd, Command::Help(_)));
    Ok(cmd)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::parse_globals;
    use std::any::Any;

    /// Parses a whole command line (global options included), split on white space.
    pub fn parse_line(line: &str) -> Res<Command> {
        let words: Vec<String> = line.split_whitespace().map(String::from).collect();
        let (g, start) = parse_globals(&words)?;
        match start {
            Start::Command(i) => parse(&words[i..], &g),
            Start::Version => Ok(Command::Version),
            Start::Help => Ok(Command::Help(help::MAIN)),
        }
    }

    /// The command, or a panic naming the line.
    pub fn parse_ok(line: &str) -> Command {
        parse_line(line).unwrap_or_else(|e| panic!("{line}: {e}"))
    }

    /// The command `line` parses to, as a `T`, or a panic naming the line.
    pub fn parse_as<T: Any + Clone>(line: &str) -> T {
        let c = parse_ok(line);
        c.downcast::<T>()
            .cloned()
            .unwrap_or_else(|| panic!("{line}: {c:?}"))
    }

    /// The message of a usage error, or a panic naming the line.
    pub fn err(line: &str) -> String {
        match parse_line(line) {
            Err(CliError::Usage(m)) => m,
            other => panic!("{line}: expected a usage error, got {other:?}"),
        }
    }

    #[test]
    fn objects_and_their_abbreviations() {
        for (line, kind) in [
            ("a", "Addr"),
            ("ad", "Addr"),
            ("addr", "Addr"),
            ("address", "Addr"),
            ("r", "Route"),
            ("ro", "Route"),
            ("route", "Route"),
            ("n", "Neigh"),
            ("ne", "Neigh"),
            ("neigh", "Neigh"),
            ("neighbor", "Neigh"),
            ("neighbour", "Neigh"),
            ("l", "Link"),
            ("li", "Link"),
            ("link", "Link"),
            ("tunt", "Tuntap"),
            ("tuntap", "Tuntap"),
            ("ta", "Tuntap"),
            ("tap", "Tuntap"),
            ("mo", "Monitor"),
            ("monitor", "Monitor"),
            ("net", "Netns"),
            ("netns", "Netns"),
            ("d", "Decode"),
            ("decode", "Decode"),
            ("ru", "RuleCmd"),
            ("rule", "RuleCmd"),
        ] {
            let c = parse_ok(line);
            assert!(format!("{c:?}").starts_with(kind), "{line}: {c:?}");
        }
        assert_eq!(parse_ok("help"), Command::Help(help::MAIN));
        assert_eq!(parse_ok("h"), Command::Help(help::MAIN));
        assert_eq!(parse_ok("help link"), Command::Help(cmd::link::TOPIC));
        assert_eq!(parse_ok("help bogus"), Command::Help(help::MAIN));
        assert_eq!(parse_ok("help help"), Command::Help(help::MAIN));
        assert_eq!(parse_ok("help r"), Command::Help(cmd::route::TOPIC));
        assert_eq!(parse_ok("-V"), Command::Version);
    }

    /// Every line `ip` was given (testdata/ip_corpus.txt) is accepted or refused here as
    /// `ip` accepted or refused it (testdata/ip_verdicts.txt, written by ip_verdicts.py).
    #[test]
    fn agrees_with_ip_on_the_corpus() {
        let mut wrong = Vec::new();
        let mut n = 0;
        for line in include_str!("testdata/ip_verdicts.txt").lines() {
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            let mut f = line.split('\t');
            let (want, cmd) = (f.next().unwrap(), f.next().unwrap());
            let note = f.next().unwrap_or("");
            let got = match parse_line(cmd) {
                // ip prints a usage text and fails; netplumb's help command succeeds.
                Ok(Command::Help(_)) if note.starts_with("# Usage:") => "err",
                Ok(_) => "ok",
                Err(CliError::Usage(_)) => "err",
                Err(e) => panic!("{cmd}: {e}"),
            };
            n += 1;
            if got != want {
                wrong.push(format!("{want} (netplumb: {got})\t{cmd}\t{note}"));
            }
        }
        assert!(n > 500, "corpus too small: {n}");
        assert!(
            wrong.is_empty(),
            "{} disagreements:\n{}",
            wrong.len(),
            wrong.join("\n")
        );
    }

    #[test]
    fn unsupported_and_unknown_objects() {
        // `t` is tunnel for ip, so it must not become tuntap here.
        for obj in [
            "t", "tu", "tun", "m", "ma", "mr", "addrl", "nex", "x", "s", "v", "nt",
        ] {
            let e = err(&format!("{obj} show"));
            assert!(e.contains("is not supported by netplumb"), "{obj}: {e}");
        }
        assert_eq!(
            err("foo"),
            "Object \"foo\" is unknown, try \"netplumb help\"."
        );
        assert_eq!(
            err("link2"),
            "Object \"link2\" is unknown, try \"netplumb help\"."
        );
        assert!(err("").starts_with("Usage: netplumb"));
        assert!(err("-n ns1").starts_with("Usage: netplumb"));
    }

    #[test]
    fn hints_name_the_object() {
        assert_eq!(cmd::link::TOPIC.hint(), "Try \"netplumb link help\".");
        assert_eq!(help::MAIN.hint(), "Try \"netplumb help\".");
        let topics = OBJECTS.iter().filter_map(|(_, o)| o.map(|o| o.topic));
        for t in std::iter::once(help::MAIN).chain(topics) {
            assert!(t.text().starts_with("Usage: netplumb"), "{t:?}");
            assert!(t.text().contains(t.object()));
        }
    }
}
