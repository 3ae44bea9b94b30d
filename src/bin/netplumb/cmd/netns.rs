//! `netns` (ip-netns(8)).

use crate::args::{Cursor, Globals};
use crate::cmd::{Command, Object, pick};
use crate::error::{CliError, Res};
use crate::help::Topic;
use crate::words::{matches, parse_dec, parse_int, parse_u32};

/// The `netns` object.
pub const OBJECT: Object = Object {
    topic: TOPIC,
    parse,
};

/// `netplumb netns help`.
pub const TOPIC: Topic = Topic::new("netns", USAGE);

const USAGE: &str = "\
Usage: netplumb netns list
       netplumb netns add NAME
       netplumb netns set NAME NETNSID
       netplumb [ -all ] netns delete [ NAME ]
       netplumb netns identify [ PID ]
       netplumb netns pids NAME
       netplumb [ -all ] netns exec [ NAME ] cmd ...
       netplumb netns monitor
       netplumb netns list-id
NETNSID := auto | POSITIVE-INT
";

/// A `netns` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetnsCmd {
    /// `list`, `show` (also no verb): the names under /run/netns.
    List,
    /// `list-id`: the peer namespace ids (RTM_GETNSID dump).
    ListId,
    /// `add NAME`: a new namespace bind-mounted at /run/netns/NAME.
    Add(String),
    /// `delete NAME`, or every named namespace with `-all` (`None`).
    Del(Option<String>),
    /// `set NAME NETNSID`: assign a peer id (`auto` is -1).
    Set {
        /// The namespace.
        name: String,
        /// The id; -1 lets the kernel choose.
        nsid: i32,
    },
    /// `identify [PID]`: which named namespace a process is in (default: this process).
    Identify(Option<u32>),
    /// `pids NAME`: processes in a namespace.
    Pids(String),
    /// `exec NAME CMD [ARGS...]`, or in every named namespace with `-all` (`name` None).
    Exec {
        /// The namespace (None with `-all`).
        name: Option<String>,
        /// The command and its arguments, taken verbatim.
        cmd: Vec<String>,
    },
    /// `monitor`: print namespaces as they are added and deleted.
    Monitor,
    /// `attach NAME PID`: name the namespace of PID.
    Attach {
        /// The new name.
        name: String,
        /// The process.
        pid: u32,
    },
}

/// A namespace name `ip netns` accepts: not empty, not `.` or `..`, no `/`.
fn netns_name(c: &Cursor, w: &str) -> Res<String> {
    if w.is_empty() || w == "." || w == ".." || w.contains('/') || w.len() > 255 {
        return Err(c.usage(format_args!("Invalid netns name \"{w}\"")));
    }
    Ok(w.to_string())
}

/// A process id.
fn pid(c: &Cursor, w: &str) -> Res<u32> {
    parse_u32(w).ok_or_else(|| not_a_pid(c, w))
}

/// A process id written in decimal digits only.
fn decimal_pid(c: &Cursor, w: &str) -> Res<u32> {
    Some(w)
        .filter(|w| w.bytes().all(|b| b.is_ascii_digit()))
        .and_then(parse_dec)
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| not_a_pid(c, w))
}

fn not_a_pid(c: &Cursor, w: &str) -> CliError {
    c.usage(format_args!("Specified string '{w}' is not a pid"))
}

/// `netns` words after the object; `-all` changes `delete` and `exec`.
fn parse(c: &mut Cursor, g: &Globals) -> Res<Command> {
    let all = g.all;
    #[derive(Clone, Copy)]
    enum Verb {
        List,
        ListId,
        Help,
        Add,
        Attach,
        Set,
        Del,
        Identify,
        Pids,
        Exec,
        Monitor,
    }
    let Some(w) = c.word() else {
        return Ok(Command::of(NetnsCmd::List));
    };
    // `list-` and longer abbreviate `list-id`; shorter ones mean `list`.
    let verb = if w.len() > 4 && matches(w, "list-id") {
        Verb::ListId
    } else {
        pick(
            w,
            &[
                ("list", Verb::List),
                ("show", Verb::List),
                ("lst", Verb::List),
                ("help", Verb::Help),
                ("add", Verb::Add),
                ("attach", Verb::Attach),
                ("set", Verb::Set),
                ("delete", Verb::Del),
                ("identify", Verb::Identify),
                ("pids", Verb::Pids),
                ("exec", Verb::Exec),
                ("monitor", Verb::Monitor),
            ],
        )
        .ok_or_else(|| c.unknown_command(w))?
    };
    let name = |c: &mut Cursor| -> Res<String> {
        let w = c.word().ok_or_else(|| c.usage("No netns name specified"))?;
        netns_name(c, w)
    };
    let cmd = match verb {
        Verb::Help => return Ok(Command::Help(TOPIC)),
        Verb::List => NetnsCmd::List,
        Verb::ListId => NetnsCmd::ListId,
        Verb::Monitor => NetnsCmd::Monitor,
        Verb::Add => NetnsCmd::Add(name(c)?),
        Verb::Attach => {
            if c.peek().is_none() {
                return Err(c.usage("No netns name and PID specified"));
            }
            let n = name(c)?;
            let p = c.value()?;
            let pid = pid(c, p)?;
            NetnsCmd::Attach { name: n, pid }
        }
        Verb::Set => {
            let n = name(c)?;
            let id = c.value()?;
            let nsid = match id {
                "auto" => -1,
                // ip: `get_integer(.., 0)`, so `010` is 8.
                _ => parse_int(id)
                    .and_then(|v| i32::try_from(v).ok())
                    .filter(|v| *v >= 0)
                    .ok_or_else(|| c.invarg(id, "Invalid \"netnsid\" value"))?,
            };
            NetnsCmd::Set { name: n, nsid }
        }
        Verb::Del if all && c.at_end() => NetnsCmd::Del(None),
        Verb::Del => NetnsCmd::Del(Some(name(c)?)),
        Verb::Identify => {
            // ip checks `isdigit` on every byte.
            let pid = c.word().map(|p| decimal_pid(c, p)).transpose()?;
            if !c.at_end() {
                return Err(c.usage("extra arguments specified"));
            }
            NetnsCmd::Identify(pid)
        }
        Verb::Pids => NetnsCmd::Pids(name(c)?),
        Verb::Exec => {
            let n = if all { None } else { Some(name(c)?) };
            let cmd = c.rest();
            if cmd.is_empty() {
                return Err(c.usage("No command specified"));
            }
            NetnsCmd::Exec { name: n, cmd }
        }
    };
    // Like `ip`, extra words after the name are ignored, except for identify (above).
    Ok(Command::of(cmd))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{err, parse_as, parse_ok};

    #[test]
    fn netns_forms() {
        let n = parse_as::<NetnsCmd>;
        for line in [
            "netns",
            "netns list",
            "netns l",
            "netns lis",
            "netns show",
            "netns s",
            "net sh",
        ] {
            assert_eq!(n(line), NetnsCmd::List, "{line}");
        }
        assert_eq!(n("netns list-id"), NetnsCmd::ListId);
        assert_eq!(n("netns list-"), NetnsCmd::ListId);
        assert_eq!(n("netns add blue"), NetnsCmd::Add("blue".into()));
        assert_eq!(n("netns a blue"), NetnsCmd::Add("blue".into()));
        assert_eq!(n("netns del blue"), NetnsCmd::Del(Some("blue".into())));
        assert_eq!(n("netns d blue"), NetnsCmd::Del(Some("blue".into())));
        assert_eq!(n("-all netns delete"), NetnsCmd::Del(None));
        assert_eq!(
            n("netns exec blue ip -j link show"),
            NetnsCmd::Exec {
                name: Some("blue".into()),
                cmd: ["ip", "-j", "link", "show"].map(String::from).to_vec(),
            }
        );
        assert_eq!(
            n("-a netns exec true"),
            NetnsCmd::Exec {
                name: None,
                cmd: vec!["true".into()]
            }
        );
        assert_eq!(n("netns identify"), NetnsCmd::Identify(None));
        assert_eq!(n("netns i 42"), NetnsCmd::Identify(Some(42)));
        assert_eq!(n("netns pids blue"), NetnsCmd::Pids("blue".into()));
        assert_eq!(
            n("netns set blue 5"),
            NetnsCmd::Set {
                name: "blue".into(),
                nsid: 5
            }
        );
        assert_eq!(
            n("netns se blue auto"),
            NetnsCmd::Set {
                name: "blue".into(),
                nsid: -1
            }
        );
        assert_eq!(
            n("netns attach blue 1"),
            NetnsCmd::Attach {
                name: "blue".into(),
                pid: 1
            }
        );
        assert_eq!(n("netns m"), NetnsCmd::Monitor);
        assert_eq!(
            n("netns add a-name-longer-than-sixteen-bytes"),
            NetnsCmd::Add("a-name-longer-than-sixteen-bytes".into())
        );
        assert_eq!(parse_ok("netns help"), Command::Help(TOPIC));
        for (line, first) in [
            ("netns add", "No netns name specified"),
            ("netns del", "No netns name specified"),
            ("netns exec", "No netns name specified"),
            ("netns exec blue", "No command specified"),
            ("netns pids", "No netns name specified"),
            ("netns add a/b", "Invalid netns name \"a/b\""),
            ("netns add .", "Invalid netns name \".\""),
            ("netns add ..", "Invalid netns name \"..\""),
            ("netns identify abc", "Specified string 'abc' is not a pid"),
            ("netns identify 1 2", "extra arguments specified"),
            ("netns attach", "No netns name and PID specified"),
            (
                "netns set blue x",
                "Error: argument \"x\" is wrong: Invalid \"netnsid\" value",
            ),
            (
                "netns x",
                "Command \"x\" is unknown, try \"netplumb netns help\".",
            ),
        ] {
            let e = err(line);
            assert!(e.starts_with(first), "{line}:\n{e}");
        }
    }
}
