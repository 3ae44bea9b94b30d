//! `tuntap` (ip-tuntap(8)), `netns` (ip-netns(8)), `monitor` (ip-monitor(8)) and the
//! netplumb-only `decode`.

use super::{Command, pick};
use crate::args::{Cursor, Res, matches, parse_dec, parse_int, parse_uint};
use crate::help::Topic;
use netplumb::tun::Mode;

/// A `tuntap` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TuntapCmd {
    /// `add`: TUNSETIFF + TUNSETPERSIST(1) on /dev/net/tun.
    Add(Tuntap),
    /// `del`: TUNSETIFF + TUNSETPERSIST(0).
    Del(Tuntap),
    /// `show`, `list`, `lst`: the tun/tap links and their flags.
    Show(TuntapShow),
}

/// `tuntap add|del [dev] NAME mode tun|tap [options]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tuntap {
    /// The device name; `None` lets the kernel pick (`tun0`).
    pub name: Option<String>,
    /// `mode tun|tap`: required.
    pub mode: Mode,
    /// `user U`: owner uid (names resolved from /etc/passwd).
    pub user: Option<u32>,
    /// `group G`: owner gid (names resolved from /etc/group).
    pub group: Option<u32>,
    /// `multi_queue` (IFF_MULTI_QUEUE).
    pub multi_queue: bool,
    /// `vnet_hdr` (IFF_VNET_HDR).
    pub vnet_hdr: bool,
    /// `pi`: keep the packet information header (no IFF_NO_PI).
    pub pi: bool,
    /// `one_queue` (IFF_ONE_QUEUE, ignored by modern kernels).
    pub one_queue: bool,
}

/// `tuntap show [dev NAME] [mode tun|tap]` (`ip` 6.1 parses and ignores these).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TuntapShow {
    /// Only this device.
    pub name: Option<String>,
    /// Only this mode.
    pub mode: Option<Mode>,
}

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

/// `monitor [all | OBJECTS] [label] [all-nsid] [dev DEV] [file FILE]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Monitor {
    /// RTNLGRP_LINK.
    pub link: bool,
    /// RTNLGRP_IPV4_IFADDR / IPV6_IFADDR.
    pub address: bool,
    /// RTNLGRP_IPV4_ROUTE / IPV6_ROUTE.
    pub route: bool,
    /// RTNLGRP_NEIGH.
    pub neigh: bool,
    /// Other objects `ip` knows (`mroute`, `prefix`, `netconf`, `rule`, `nsid`, `nexthop`,
    /// `stats`): accepted, listed here for the executor to subscribe to or ignore.
    pub others: Vec<String>,
    /// `label`: prefix each event with `[LINK]`, `[ADDR]`, ...
    pub label: bool,
    /// `all-nsid`: events from peer namespaces too.
    pub all_nsid: bool,
    /// `dev DEV`: only events of this link.
    pub dev: Option<String>,
    /// `file FILE`: replay a saved dump instead of listening.
    pub file: Option<String>,
}

impl Monitor {
    /// True when no object was named (or `all` was): everything is monitored.
    pub fn everything(&self) -> bool {
        !(self.link || self.address || self.route || self.neigh) && self.others.is_empty()
    }
}

/// `decode [FILE]`: netlink messages from FILE (`None` or `-` is stdin).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decode {
    /// The input file.
    pub file: Option<String>,
}

/// `tuntap` (and `tap`) words after the object.
pub fn parse_tuntap(c: &mut Cursor) -> Res<Command> {
    #[derive(Clone, Copy)]
    enum Verb {
        Add,
        Del,
        Show,
        Help,
    }
    let Some(w) = c.word() else {
        return Ok(Command::Tuntap(TuntapCmd::Show(TuntapShow::default())));
    };
    let verb = pick(
        w,
        &[
            ("add", Verb::Add),
            ("delete", Verb::Del),
            ("show", Verb::Show),
            ("list", Verb::Show),
            ("lst", Verb::Show),
            ("help", Verb::Help),
        ],
    )
    .ok_or_else(|| super::link::unknown_command(c, w))?;
    Ok(Command::Tuntap(match verb {
        Verb::Help => return Ok(Command::Help(Topic::Tuntap)),
        Verb::Show => {
            let t = parse_tuntap_words(c)?;
            TuntapCmd::Show(TuntapShow {
                name: t.name,
                mode: t.mode,
            })
        }
        Verb::Add | Verb::Del => {
            let t = parse_tuntap_words(c)?;
            let mode = t
                .mode
                .ok_or_else(|| c.usage("You failed to specify a tunnel mode"))?;
            let tt = Tuntap {
                name: t.name,
                mode,
                user: t.user,
                group: t.group,
                multi_queue: t.multi_queue,
                vnet_hdr: t.vnet_hdr,
                pi: t.pi,
                one_queue: t.one_queue,
            };
            if matches!(verb, Verb::Add) {
                TuntapCmd::Add(tt)
            } else {
                TuntapCmd::Del(tt)
            }
        }
    }))
}

#[derive(Default)]
struct TuntapWords {
    name: Option<String>,
    mode: Option<Mode>,
    user: Option<u32>,
    group: Option<u32>,
    multi_queue: bool,
    vnet_hdr: bool,
    pi: bool,
    one_queue: bool,
}

fn parse_tuntap_words(c: &mut Cursor) -> Res<TuntapWords> {
    let mut t = TuntapWords::default();
    while let Some(w) = c.word() {
        let m = |k: &str| matches(w, k);
        if m("mode") {
            let v = c.value()?;
            let mode = match v {
                "tun" => Mode::Tun,
                "tap" => Mode::Tap,
                _ => return Err(c.usage(format_args!("Unknown tunnel mode \"{v}\""))),
            };
            if t.mode.is_some() {
                return Err(c.usage("You managed to ask for more than one tunnel mode."));
            }
            t.mode = Some(mode);
        } else if m("user") {
            let v = c.value()?;
            // ip: `strtol(.., 10)`, then the name.
            let id = parse_dec(v)
                .and_then(|n| u32::try_from(n).ok())
                .or_else(|| id_of("/etc/passwd", v));
            t.user = Some(id.ok_or_else(|| c.usage(format_args!("invalid user \"{v}\"")))?);
        } else if m("group") {
            let v = c.value()?;
            let id = parse_dec(v)
                .and_then(|n| u32::try_from(n).ok())
                .or_else(|| id_of("/etc/group", v));
            t.group = Some(id.ok_or_else(|| c.usage(format_args!("invalid group \"{v}\"")))?);
        } else if m("multi_queue") {
            t.multi_queue = true;
        } else if m("vnet_hdr") {
            t.vnet_hdr = true;
        } else if m("pi") {
            t.pi = true;
        } else if m("one_queue") {
            t.one_queue = true;
        } else if matches(w, "help") {
            return Err(c.help());
        } else {
            let w = if w == "dev" || w == "name" {
                c.value()?
            } else {
                w
            };
            if t.name.is_some() {
                return Err(c.garbage("name", w));
            }
            t.name = Some(c.new_ifname(w, "dev")?);
        }
    }
    Ok(t)
}

/// The id of `name` in an /etc/passwd or /etc/group style file (`name:x:ID:...`).
fn id_of(file: &str, name: &str) -> Option<u32> {
    let text = std::fs::read_to_string(file).ok()?;
    id_in(&text, name)
}

fn id_in(text: &str, name: &str) -> Option<u32> {
    text.lines().find_map(|line| {
        let mut f = line.split(':');
        (f.next()? == name).then_some(())?;
        parse_dec(f.nth(1)?).and_then(|n| u32::try_from(n).ok())
    })
}

/// A namespace name `ip netns` accepts: not empty, not `.` or `..`, no `/`.
fn netns_name(c: &Cursor, w: &str) -> Res<String> {
    if w.is_empty() || w == "." || w == ".." || w.contains('/') || w.len() > 255 {
        return Err(c.usage(format_args!("Invalid netns name \"{w}\"")));
    }
    Ok(w.to_string())
}

/// `netns` words after the object; `all` is the global `-all`.
pub fn parse_netns(c: &mut Cursor, all: bool) -> Res<Command> {
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
        return Ok(Command::Netns(NetnsCmd::List));
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
        .ok_or_else(|| super::link::unknown_command(c, w))?
    };
    let name = |c: &mut Cursor| -> Res<String> {
        let w = c.word().ok_or_else(|| c.usage("No netns name specified"))?;
        netns_name(c, w)
    };
    let cmd = match verb {
        Verb::Help => return Ok(Command::Help(Topic::Netns)),
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
            let pid = parse_uint(p)
                .and_then(|v| u32::try_from(v).ok())
                .ok_or_else(|| c.usage(format_args!("Specified string '{p}' is not a pid")))?;
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
            let pid = match c.word() {
                None => None,
                // ip checks `isdigit` on every byte.
                Some(p) => Some(
                    Some(p)
                        .filter(|p| p.bytes().all(|b| b.is_ascii_digit()))
                        .and_then(parse_dec)
                        .and_then(|v| u32::try_from(v).ok())
                        .ok_or_else(|| {
                            c.usage(format_args!("Specified string '{p}' is not a pid"))
                        })?,
                ),
            };
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
    Ok(Command::Netns(cmd))
}

/// `monitor` words after the object.
pub fn parse_monitor(c: &mut Cursor) -> Res<Command> {
    let mut m = Monitor::default();
    while let Some(w) = c.word() {
        let k = |key: &str| matches(w, key);
        if k("file") {
            m.file = Some(c.value()?.to_string());
        } else if k("label") {
            m.label = true;
        } else if k("link") {
            m.link = true;
        } else if k("address") {
            m.address = true;
        } else if k("route") {
            m.route = true;
        } else if k("mroute") || k("prefix") {
            m.others
                .push(if k("mroute") { "mroute" } else { "prefix" }.to_string());
        } else if k("neigh") {
            m.neigh = true;
        } else if let Some(o) = ["netconf", "rule", "nsid", "nexthop"].iter().find(|o| k(o)) {
            m.others.push(o.to_string());
        } else if k("all-nsid") {
            m.all_nsid = true;
        } else if w == "stats" {
            m.others.push(w.to_string());
        } else if w == "all" {
            // Same as naming nothing.
        } else if w == "dev" {
            let v = c.value()?;
            m.dev = Some(c.dev_ref(v)?);
        } else if k("help") {
            return Ok(Command::Help(Topic::Monitor));
        } else {
            return Err(c.usage(format_args!(
                "Argument \"{w}\" is unknown, try \"netplumb monitor help\"."
            )));
        }
    }
    Ok(Command::Monitor(m))
}

/// `decode [FILE]`.
pub fn parse_decode(c: &mut Cursor) -> Res<Command> {
    let file = match c.word() {
        None => None,
        Some("help") => return Ok(Command::Help(Topic::Decode)),
        Some(f) => Some(f.to_string()),
    };
    if let Some(extra) = c.word() {
        return Err(c.usage(format_args!("Error: unexpected argument \"{extra}\".")));
    }
    Ok(Command::Decode(Decode { file }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::tests::{err, parse_ok};

    fn tuntap(line: &str) -> TuntapCmd {
        match parse_ok(line) {
            Command::Tuntap(t) => t,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn tuntap_forms() {
        let t =
            tuntap("tuntap add dev t2 mode tap user 0 group 0 multi_queue vnet_hdr pi one_queue");
        assert_eq!(
            t,
            TuntapCmd::Add(Tuntap {
                name: Some("t2".into()),
                mode: Mode::Tap,
                user: Some(0),
                group: Some(0),
                multi_queue: true,
                vnet_hdr: true,
                pi: true,
                one_queue: true,
            })
        );
        let TuntapCmd::Add(t) = tuntap("tuntap add t1 m tun u root g root mu v p o") else {
            panic!()
        };
        assert_eq!(
            (t.name.as_deref(), t.mode, t.user, t.group),
            (Some("t1"), Mode::Tun, Some(0), Some(0))
        );
        assert!(t.multi_queue && t.vnet_hdr && t.pi && t.one_queue);
        let TuntapCmd::Add(t) = tuntap("tap a mode tun") else {
            panic!()
        };
        assert_eq!(t.name, None);
        assert!(matches!(
            tuntap("tuntap del t1 mode tun"),
            TuntapCmd::Del(_)
        ));
        assert!(matches!(
            tuntap("tuntap d name t1 mode tun"),
            TuntapCmd::Del(_)
        ));
        for line in [
            "tuntap",
            "tuntap show",
            "tuntap s",
            "tuntap list",
            "tuntap l",
            "tuntap lst",
        ] {
            assert_eq!(
                tuntap(line),
                TuntapCmd::Show(TuntapShow::default()),
                "{line}"
            );
        }
        assert_eq!(
            tuntap("tuntap show dev t1 mode tap"),
            TuntapCmd::Show(TuntapShow {
                name: Some("t1".into()),
                mode: Some(Mode::Tap)
            })
        );
        assert_eq!(parse_ok("tuntap help"), Command::Help(Topic::Tuntap));
        for (line, first) in [
            ("tuntap add t3", "You failed to specify a tunnel mode"),
            ("tuntap del t2", "You failed to specify a tunnel mode"),
            ("tuntap add t3 mode foo", "Unknown tunnel mode \"foo\""),
            (
                "tuntap add t4 t5 mode tun",
                "Error: either \"name\" is duplicate, or \"t5\" is a garbage.",
            ),
            (
                "tuntap add t4 mode tun name t5",
                "Error: either \"name\" is duplicate, or \"t5\" is a garbage.",
            ),
            (
                "tuntap add t4 mode tun mode tap",
                "You managed to ask for more than one tunnel mode.",
            ),
            (
                "tuntap add t3 mode tun user no-such-user-xyz",
                "invalid user \"no-such-user-xyz\"",
            ),
            (
                "tuntap add t3 mode tun group no-such-group-xyz",
                "invalid group \"no-such-group-xyz\"",
            ),
            (
                "tuntap add 0123456789abcdef mode tun",
                "Error: argument \"0123456789abcdef\" is wrong: \"dev\" not a valid ifname",
            ),
            (
                "tuntap e",
                "Command \"e\" is unknown, try \"netplumb tuntap help\".",
            ),
        ] {
            let e = err(line);
            assert!(e.starts_with(first), "{line}:\n{e}");
        }
    }

    #[test]
    fn passwd_and_group_files() {
        let text = "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534::/:/sbin/nologin\nbad\n";
        assert_eq!(id_in(text, "root"), Some(0));
        assert_eq!(id_in(text, "nobody"), Some(65534));
        assert_eq!(id_in(text, "bad"), None);
        assert_eq!(id_in(text, "x"), None);
        assert_eq!(id_in("staff:x:50:alice,bob\n", "staff"), Some(50));
    }

    #[test]
    fn netns_forms() {
        let n = |line: &str| match parse_ok(line) {
            Command::Netns(n) => n,
            other => panic!("{line}: {other:?}"),
        };
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
        assert_eq!(parse_ok("netns help"), Command::Help(Topic::Netns));
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

    #[test]
    fn monitor_forms() {
        let m = |line: &str| match parse_ok(line) {
            Command::Monitor(m) => m,
            other => panic!("{line}: {other:?}"),
        };
        assert!(m("monitor").everything());
        assert!(m("monitor all").everything());
        let x = m("monitor link addr route neigh");
        assert!(x.link && x.address && x.route && x.neigh && !x.everything());
        let x = m("mon li a r ne");
        assert!(x.link && x.address && x.route && x.neigh);
        // `l` is `label` and `al` is `all-nsid`, as with ip.
        assert!(m("monitor al").all_nsid);
        let x = m("monitor l");
        assert!(x.label && x.everything());
        let x = m("monitor label all-nsid dev v1 nsid stats n");
        assert!(x.label && x.all_nsid && x.neigh);
        assert_eq!(
            (x.dev.as_deref(), x.others.clone()),
            (Some("v1"), vec!["nsid".to_string(), "stats".into()])
        );
        assert_eq!(m("monitor file dump.bin").file.as_deref(), Some("dump.bin"));
        assert_eq!(parse_ok("monitor help"), Command::Help(Topic::Monitor));
        for (line, first) in [
            (
                "monitor foo",
                "Argument \"foo\" is unknown, try \"netplumb monitor help\".",
            ),
            ("monitor st", "Argument \"st\" is unknown"),
            ("monitor de", "Argument \"de\" is unknown"),
            ("monitor dev", "Command line is not complete."),
            ("monitor file", "Command line is not complete."),
        ] {
            let e = err(line);
            assert!(e.starts_with(first), "{line}:\n{e}");
        }
    }

    #[test]
    fn decode_forms() {
        assert_eq!(parse_ok("decode"), Command::Decode(Decode { file: None }));
        assert_eq!(
            parse_ok("decode dump.hex"),
            Command::Decode(Decode {
                file: Some("dump.hex".into())
            })
        );
        assert_eq!(
            parse_ok("decode -"),
            Command::Decode(Decode {
                file: Some("-".into())
            })
        );
        assert_eq!(parse_ok("decode help"), Command::Help(Topic::Decode));
        assert!(err("decode a b").starts_with("Error: unexpected argument \"b\"."));
    }
}
