//! The command AST and the object dispatch: words after the global options become one
//! [`Command`], with typed fields the executor turns into library calls.
//!
//! Each object has its own module with its AST types next to its parser. Objects are matched
//! against `ip`'s whole object table in `ip`'s order, so an abbreviation means what it means
//! to `ip` (`t` is `tunnel`, not `tuntap`; `n` is `neighbor`), and an object netplumb does not
//! cover is reported as such rather than misread.

pub mod addr;
pub mod link;
pub mod neigh;
pub mod other;
pub mod route;

use crate::args::{Cursor, Globals};
use crate::error::{CliError, Res};
use crate::help::Topic;
use crate::words::matches;

pub use addr::AddrCmd;
pub use link::LinkCmd;
pub use neigh::NeighCmd;
pub use other::{Decode, Monitor, NetnsCmd, TuntapCmd};
pub use route::RouteCmd;

/// One parsed command.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // parsed once per command line; size is irrelevant
pub enum Command {
    /// `help`, `OBJECT help`: print the usage text to stdout.
    Help(Topic),
    /// `-V`: print the version.
    Version,
    /// `link ...`.
    Link(LinkCmd),
    /// `address ...`.
    Addr(AddrCmd),
    /// `route ...`.
    Route(RouteCmd),
    /// `neigh ...`.
    Neigh(NeighCmd),
    /// `tuntap ...` / `tap ...`.
    Tuntap(TuntapCmd),
    /// `netns ...`.
    Netns(NetnsCmd),
    /// `monitor ...`.
    Monitor(Monitor),
    /// `decode [FILE]`.
    Decode(Decode),
}

/// `ip`'s object table in its order of checks, plus netplumb's `decode`. The order decides
/// abbreviations; objects netplumb does not implement are still listed so that their
/// abbreviations are not taken for another object.
const OBJECTS: &[&str] = &[
    "address",
    "addrlabel",
    "maddress",
    "route",
    "rule",
    "neighbor",
    "neighbour",
    "ntable",
    "ntbl",
    "link",
    "l2tp",
    "fou",
    "ila",
    "macsec",
    "tunnel",
    "tuntap",
    "tap",
    "token",
    "tcpmetrics",
    "tcp_metrics",
    "monitor",
    "xfrm",
    "mroute",
    "mrule",
    "netns",
    "netconf",
    "vrf",
    "sr",
    "nexthop",
    "mptcp",
    "ioam",
    "help",
    "stats",
    "amt",
    "decode",
];

/// The first entry of `table` whose keyword `w` abbreviates.
pub fn pick<T: Copy>(w: &str, table: &[(&str, T)]) -> Option<T> {
    table.iter().find(|(k, _)| matches(w, k)).map(|(_, v)| *v)
}

/// The help topic of an object keyword from [`OBJECTS`]; `None` for `help` itself and for
/// objects netplumb does not cover.
fn topic_of(object: &str) -> Option<Topic> {
    Some(match object {
        "address" => Topic::Addr,
        "route" => Topic::Route,
        "neighbor" | "neighbour" => Topic::Neigh,
        "link" => Topic::Link,
        "tuntap" | "tap" => Topic::Tuntap,
        "monitor" => Topic::Monitor,
        "netns" => Topic::Netns,
        "decode" => Topic::Decode,
        _ => return None,
    })
}

/// The object keyword `w` abbreviates.
fn object_of(w: &str) -> Option<&'static str> {
    OBJECTS.iter().find(|k| matches(w, k)).copied()
}

/// Parses the words after the global options (an object and its arguments).
pub fn parse(words: &[String], g: &Globals) -> Res<Command> {
    let Some((obj, rest)) = words.split_first() else {
        return Err(CliError::Usage(Topic::Main.text().trim_end().to_string()));
    };
    let object = object_of(obj).ok_or_else(|| {
        CliError::Usage(format!(
            "Object \"{obj}\" is unknown, try \"netplumb help\"."
        ))
    })?;
    if object == "help" {
        // `netplumb help link` is link's help; ip prints the main usage either way.
        let t = rest.first().and_then(|w| object_of(w)).and_then(topic_of);
        return Ok(Command::Help(t.unwrap_or(Topic::Main)));
    }
    let topic = topic_of(object).ok_or_else(|| {
        CliError::Usage(format!(
            "Object \"{object}\" is not supported by netplumb, try \"netplumb help\"."
        ))
    })?;
    let mut c = Cursor::new(rest, topic);
    let cmd = match topic {
        Topic::Addr => addr::parse(&mut c, g.family)?,
        Topic::Route => route::parse(&mut c, g.family)?,
        Topic::Neigh => neigh::parse(&mut c, g.family)?,
        Topic::Link => link::parse(&mut c)?,
        Topic::Tuntap => other::parse_tuntap(&mut c)?,
        Topic::Monitor => other::parse_monitor(&mut c)?,
        Topic::Netns => other::parse_netns(&mut c, g.all)?,
        Topic::Decode | Topic::Main => other::parse_decode(&mut c)?,
    };
    // Every parser consumes its words or fails; a leftover would be a parser bug.
    debug_assert!(c.at_end() || matches!(cmd, Command::Help(_)));
    Ok(cmd)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::args::{Start, parse_globals};

    /// Parses a whole command line (global options included), split on white space.
    pub fn parse_line(line: &str) -> Res<Command> {
        let words: Vec<String> = line.split_whitespace().map(String::from).collect();
        let (g, start) = parse_globals(&words)?;
        match start {
            Start::Command(i) => parse(&words[i..], &g),
            Start::Version => Ok(Command::Version),
            Start::Help => Ok(Command::Help(Topic::Main)),
        }
    }

    /// The command, or a panic naming the line.
    pub fn parse_ok(line: &str) -> Command {
        parse_line(line).unwrap_or_else(|e| panic!("{line}: {e}"))
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
        ] {
            let c = parse_ok(line);
            assert!(format!("{c:?}").starts_with(kind), "{line}: {c:?}");
        }
        assert_eq!(parse_ok("help"), Command::Help(Topic::Main));
        assert_eq!(parse_ok("h"), Command::Help(Topic::Main));
        assert_eq!(parse_ok("help link"), Command::Help(Topic::Link));
        assert_eq!(parse_ok("help bogus"), Command::Help(Topic::Main));
        assert_eq!(parse_ok("help help"), Command::Help(Topic::Main));
        assert_eq!(parse_ok("help r"), Command::Help(Topic::Route));
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
            "t", "tu", "tun", "m", "ma", "ru", "addrl", "nex", "x", "s", "v", "nt",
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
}
