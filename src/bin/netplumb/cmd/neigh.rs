//! `neigh add | replace | change | delete | show | flush | get` (ip-neighbour(8)).

use crate::args::{Cursor, Family, Globals};
use crate::cmd::{Command, Object, pick};
use crate::error::Res;
use crate::help::Topic;
use crate::names::NameTable;
use crate::words::{matches, parse_uint};
use netplumb::{IpNet, MacAddr};
use std::net::IpAddr;

/// The `neigh` object.
pub const OBJECT: Object = Object {
    topic: TOPIC,
    parse,
};

/// `netplumb neigh help`.
pub const TOPIC: Topic = Topic::new("neigh", USAGE);

const USAGE: &str = "\
Usage: netplumb neigh { add | del | change | replace }
                      { ADDR [ lladdr LLADDR ] [ nud STATE ] proxy ADDR } [ dev DEV ]
                      [ router ] [ use ] [ managed ] [ extern_learn ] [ protocol PROTO ]
       netplumb neigh { show | flush } [ proxy ] [ to PREFIX ] [ dev DEV ] [ nud STATE ]
                      [ unused ]
       netplumb neigh get { ADDR | proxy ADDR } dev DEV
STATE := { delay | failed | incomplete | noarp | none | permanent | probe | reachable |
           stale }
";

/// A `neigh` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NeighCmd {
    /// `add`, `replace`, `change`, `delete`: RTM_NEWNEIGH / RTM_DELNEIGH.
    Change(NeighChange),
    /// `show`, `list`: RTM_GETNEIGH dump.
    Show(NeighFilter),
    /// `flush`: dump, then RTM_DELNEIGH for each match.
    Flush(NeighFilter),
    /// `get ADDR dev DEV`: RTM_GETNEIGH for one entry.
    Get(NeighGet),
}

/// The verb of a neighbour change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeighOp {
    /// `add`: NLM_F_CREATE|NLM_F_EXCL.
    Add,
    /// `replace`: NLM_F_CREATE|NLM_F_REPLACE.
    Replace,
    /// `change`: NLM_F_REPLACE.
    Change,
    /// `delete`: RTM_DELNEIGH.
    Del,
}

/// `neigh OP { ADDR | proxy ADDR } [lladdr MAC] dev DEV [nud STATE] [flags]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeighChange {
    /// The verb.
    pub op: NeighOp,
    /// The neighbour's address (NDA_DST).
    pub dst: IpAddr,
    /// `lladdr MAC` (NDA_LLADDR); `lladdr null` leaves it out.
    pub lladdr: Option<MacAddr>,
    /// `dev DEV`: required.
    pub dev: String,
    /// `nud STATE` (ndm_state, NUD_* bits). `ip` sends NUD_PERMANENT when none is given for
    /// add/replace/change and 0 for delete.
    pub nud: Option<u16>,
    /// `proxy ADDR`: a proxy entry (NTF_PROXY).
    pub proxy: bool,
    /// `router` (NTF_ROUTER).
    pub router: bool,
    /// `extern_learn` (NTF_EXT_LEARNED).
    pub extern_learn: bool,
    /// `use` (NTF_USE).
    pub use_: bool,
    /// `managed` (NTF_EXT_MANAGED via NDA_FLAGS_EXT).
    pub managed: bool,
    /// `protocol P` (NDA_PROTOCOL).
    pub protocol: Option<u8>,
}

/// `neigh show|flush` selectors.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NeighFilter {
    /// `dev DEV`.
    pub dev: Option<String>,
    /// `nud STATE`, repeatable: the OR of the NUD_* bits, with [`nud::FILTER_NONE`] for
    /// `nud none` and [`nud::FILTER_ALL`] for `nud all` (as ip's `filter.state`). `None` is
    /// the default selection (the executor decides).
    pub nud: Option<u16>,
    /// `proxy`: list proxy entries.
    pub proxy: bool,
    /// `to PREFIX` (or a bare prefix).
    pub to: Option<IpNet>,
    /// `unused`: entries with no users.
    pub unused: bool,
    /// `master DEV` / `vrf DEV`.
    pub master: Option<String>,
    /// `protocol P`.
    pub protocol: Option<u8>,
}

/// `neigh get { ADDR | proxy ADDR } dev DEV`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeighGet {
    /// The address looked up.
    pub dst: IpAddr,
    /// The device (required).
    pub dev: String,
    /// A proxy entry.
    pub proxy: bool,
}

/// NUD_* states.
pub mod nud {
    /// NUD_INCOMPLETE.
    pub const INCOMPLETE: u16 = 0x01;
    /// NUD_REACHABLE.
    pub const REACHABLE: u16 = 0x02;
    /// NUD_STALE.
    pub const STALE: u16 = 0x04;
    /// NUD_DELAY.
    pub const DELAY: u16 = 0x08;
    /// NUD_PROBE.
    pub const PROBE: u16 = 0x10;
    /// NUD_FAILED.
    pub const FAILED: u16 = 0x20;
    /// NUD_NOARP.
    pub const NOARP: u16 = 0x40;
    /// NUD_PERMANENT.
    pub const PERMANENT: u16 = 0x80;
    /// NUD_NONE.
    pub const NONE: u16 = 0x00;
    /// In a filter, `nud none`: entries without a state (ip's 0x100).
    pub const FILTER_NONE: u16 = 0x100;
    /// In a filter, `nud all`: every state.
    pub const FILTER_ALL: u16 = 0xffff;
}

/// A NUD state word as `ip` reads it: `permanent`, `reachable` and `failed` by prefix, the
/// others exact, or a number with at most one bit set below 0x100.
pub fn nud_state(w: &str) -> Option<u16> {
    if matches(w, "permanent") {
        return Some(nud::PERMANENT);
    }
    if matches(w, "reachable") {
        return Some(nud::REACHABLE);
    }
    let exact = [
        ("noarp", nud::NOARP),
        ("none", nud::NONE),
        ("stale", nud::STALE),
        ("incomplete", nud::INCOMPLETE),
        ("delay", nud::DELAY),
        ("probe", nud::PROBE),
    ];
    if let Some((_, s)) = exact.iter().find(|(n, _)| *n == w) {
        return Some(*s);
    }
    if matches(w, "failed") {
        return Some(nud::FAILED);
    }
    let n = u16::try_from(parse_uint(w)?).ok()?;
    (n < 0x100 && n & n.wrapping_sub(1) == 0).then_some(n)
}

/// `neigh` words after the object.
fn parse(c: &mut Cursor, g: &Globals) -> Res<Command> {
    let family = g.family;
    #[derive(Clone, Copy)]
    enum Verb {
        Op(NeighOp),
        Show,
        Flush,
        Get,
        Help,
    }
    let Some(w) = c.word() else {
        return Ok(Command::of(NeighCmd::Show(NeighFilter::default())));
    };
    let verb = pick(
        w,
        &[
            ("add", Verb::Op(NeighOp::Add)),
            ("change", Verb::Op(NeighOp::Change)),
            ("chg", Verb::Op(NeighOp::Change)),
            ("replace", Verb::Op(NeighOp::Replace)),
            ("delete", Verb::Op(NeighOp::Del)),
            ("get", Verb::Get),
            ("show", Verb::Show),
            ("list", Verb::Show),
            ("lst", Verb::Show),
            ("flush", Verb::Flush),
            ("help", Verb::Help),
        ],
    )
    .ok_or_else(|| c.unknown_command(w))?;
    Ok(Command::of(match verb {
        Verb::Help => return Ok(Command::Help(TOPIC)),
        Verb::Op(op) => NeighCmd::Change(parse_change(c, op, family)?),
        Verb::Show => NeighCmd::Show(parse_filter(c, family)?),
        Verb::Flush => {
            if c.at_end() {
                return Err(c.usage("Flush requires arguments."));
            }
            NeighCmd::Flush(parse_filter(c, family)?)
        }
        Verb::Get => NeighCmd::Get(parse_get(c, family)?),
    }))
}

fn parse_change(c: &mut Cursor, op: NeighOp, family: Family) -> Res<NeighChange> {
    let mut dst: Option<IpAddr> = None;
    let mut lladdr = None;
    let mut dev = None;
    let mut nud_state_ = None;
    let (mut proxy, mut router, mut extern_learn, mut use_, mut managed) =
        (false, false, false, false, false);
    let mut protocol = None;
    while let Some(w) = c.word() {
        let m = |k: &str| matches(w, k);
        if m("lladdr") {
            let v = c.peek().unwrap_or_default();
            // `lladdr null` sends no NDA_LLADDR at all, as with ip.
            if v == "null" {
                c.value()?;
                continue;
            }
            let mac = c.mac()?;
            c.set_once(&mut lladdr, "lladdr", v, mac)?;
        } else if w == "nud" {
            let v = c.value()?;
            nud_state_ = Some(nud_state(v).ok_or_else(|| c.invarg(v, "nud state is bad"))?);
        } else if m("proxy") {
            let v = c.value()?;
            if matches(v, "help") {
                return Err(c.help());
            }
            if dst.is_some() {
                return Err(c.duparg("address", v));
            }
            dst = Some(c.addr_of(v, family)?);
            proxy = true;
        } else if w == "router" {
            router = true;
        } else if m("extern_learn") {
            extern_learn = true;
        } else if w == "dev" {
            let v = c.value()?;
            dev = Some(c.dev_ref(v)?);
        } else if m("protocol") {
            protocol =
                Some(c.table_value(NameTable::Protos, 255, "\"protocol\" value is invalid")? as u8);
        } else if w == "use" {
            use_ = true;
        } else if w == "managed" {
            managed = true;
        } else {
            let w = if w == "to" { c.value()? } else { w };
            if matches(w, "help") {
                return Err(c.help());
            }
            if dst.is_some() {
                return Err(c.garbage("to", w));
            }
            dst = Some(c.addr_of(w, family)?);
        }
    }
    let (Some(dev), Some(dst)) = (dev, dst) else {
        return Err(c.usage("Device and destination are required arguments."));
    };
    Ok(NeighChange {
        op,
        dst,
        lladdr,
        dev,
        nud: nud_state_,
        proxy,
        router,
        extern_learn,
        use_,
        managed,
        protocol,
    })
}

fn parse_filter(c: &mut Cursor, family: Family) -> Res<NeighFilter> {
    let mut f = NeighFilter::default();
    while let Some(w) = c.word() {
        match w {
            "dev" => {
                let v = c.value()?;
                f.dev = Some(c.dev_ref(v)?);
            }
            "master" | "vrf" => {
                let v = c.value()?;
                f.master = Some(c.dev_ref(v)?);
            }
            "unused" => f.unused = true,
            "nud" => {
                let v = c.value()?;
                let s = match v {
                    "all" => nud::FILTER_ALL,
                    _ => match nud_state(v).ok_or_else(|| c.invarg(v, "nud state is bad"))? {
                        nud::NONE => nud::FILTER_NONE,
                        s => s,
                    },
                };
                // Each `nud` adds to the selection (`nud none nud stale`: both).
                f.nud = Some(f.nud.unwrap_or(0) | s);
            }
            "proxy" => f.proxy = true,
            _ if matches(w, "protocol") => {
                f.protocol = Some(c.table_value(
                    NameTable::Protos,
                    255,
                    "\"protocol\" value is invalid",
                )? as u8);
            }
            _ => {
                let w = if w == "to" { c.value()? } else { w };
                if matches(w, "help") {
                    return Err(c.help());
                }
                f.to = Some(c.prefix_of(w, family)?.net);
            }
        }
    }
    Ok(f)
}

fn parse_get(c: &mut Cursor, family: Family) -> Res<NeighGet> {
    let (mut dst, mut dev, mut proxy) = (None, None, false);
    while let Some(w) = c.word() {
        if w == "dev" {
            let v = c.value()?;
            dev = Some(c.dev_ref(v)?);
        } else if matches(w, "proxy") {
            proxy = true;
        } else {
            let w = if w == "to" { c.value()? } else { w };
            if matches(w, "help") {
                return Err(c.help());
            }
            if dst.is_some() {
                return Err(c.garbage("to", w));
            }
            dst = Some(c.addr_of(w, family)?);
        }
    }
    match (dst, dev) {
        (Some(dst), Some(dev)) => Ok(NeighGet { dst, dev, proxy }),
        _ => Err(c.usage("Device and address are required arguments.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{err, parse_as, parse_ok};

    fn change(line: &str) -> NeighChange {
        match parse_as::<NeighCmd>(line) {
            NeighCmd::Change(n) => n,
            other => panic!("{line}: {other:?}"),
        }
    }

    fn filter(line: &str) -> NeighFilter {
        match parse_as::<NeighCmd>(line) {
            NeighCmd::Show(f) | NeighCmd::Flush(f) => f,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn changes() {
        let n = change(
            "neigh add 198.18.0.7 lladdr 02:00:00:00:00:07 dev v1 nud permanent router extern_learn use managed protocol static",
        );
        assert_eq!(n.op, NeighOp::Add);
        assert_eq!(n.dst.to_string(), "198.18.0.7");
        assert_eq!(n.lladdr.unwrap().to_string(), "02:00:00:00:00:07");
        assert_eq!(
            (n.dev.as_str(), n.nud, n.protocol),
            ("v1", Some(nud::PERMANENT), Some(4))
        );
        assert!(n.router && n.extern_learn && n.use_ && n.managed && !n.proxy);
        for (line, op) in [
            ("neighbour add 198.18.0.7 dev v1", NeighOp::Add),
            ("neighbor a 198.18.0.7 dev v1", NeighOp::Add),
            ("n replace 198.18.0.7 dev v1", NeighOp::Replace),
            ("ne r 198.18.0.7 dev v1", NeighOp::Replace),
            ("neigh change 198.18.0.7 dev v1", NeighOp::Change),
            ("neigh c 198.18.0.7 dev v1", NeighOp::Change),
            ("neigh del 198.18.0.7 dev v1", NeighOp::Del),
            ("neigh d 198.18.0.7 dev v1", NeighOp::Del),
        ] {
            assert_eq!(change(line).op, op, "{line}");
        }
        // `lladdr null`: no link-layer address sent.
        let n = change("neigh add 198.18.0.9 lladdr null dev v1 nud permanent");
        assert_eq!((n.lladdr, n.dev.as_str()), (None, "v1"));
        let p = change("neigh add proxy 2001:db8::5 dev v1");
        assert!(p.proxy);
        assert_eq!(p.dst.to_string(), "2001:db8::5");
        assert_eq!(
            change("neigh add to 198.18.0.9 l 02:00:00:00:00:09 dev v1 e")
                .lladdr
                .unwrap()
                .to_string(),
            "02:00:00:00:00:09"
        );
        assert!(change("neigh add 198.18.0.9 dev v1 e").extern_learn);
    }

    #[test]
    fn nud_states_like_ip() {
        for (w, s) in [
            ("p", nud::PERMANENT),
            ("perm", nud::PERMANENT),
            ("r", nud::REACHABLE),
            ("reach", nud::REACHABLE),
            ("f", nud::FAILED),
            ("fa", nud::FAILED),
            ("stale", nud::STALE),
            ("delay", nud::DELAY),
            ("incomplete", nud::INCOMPLETE),
            ("noarp", nud::NOARP),
            ("none", nud::NONE),
            ("probe", nud::PROBE),
            ("0x02", nud::REACHABLE),
            ("2", nud::REACHABLE),
            ("010", nud::DELAY),
            ("0", 0),
            ("0x80", nud::PERMANENT),
        ] {
            assert_eq!(nud_state(w), Some(s), "{w}");
        }
        for bad in [
            "n", "no", "non", "noa", "s", "st", "sta", "i", "inc", "d", "del", "pr", "pro", "a",
            "all", "12", "10", "255", "0x100", "-1", "0x0c",
        ] {
            assert_eq!(nud_state(bad), None, "{bad}");
        }
        assert!(
            err("neigh add 198.18.0.1 dev v1 nud bogus")
                .starts_with("Error: argument \"bogus\" is wrong: nud state is bad")
        );
    }

    #[test]
    fn change_errors() {
        for (line, first) in [
            (
                "neigh add",
                "Device and destination are required arguments.",
            ),
            (
                "neigh add 198.18.0.10 lladdr 02:00:00:00:00:07",
                "Device and destination are required arguments.",
            ),
            (
                "neigh add lladdr 02:00:00:00:00:07 dev v1",
                "Device and destination are required arguments.",
            ),
            (
                "neigh add 198.18.0.10/24 dev v1",
                "Error: any valid address is expected rather than \"198.18.0.10/24\".",
            ),
            (
                "neigh add 198.18.0.13 198.18.0.14 dev v1",
                "Error: either \"to\" is duplicate, or \"198.18.0.14\" is a garbage.",
            ),
            (
                "neigh add 198.18.0.13 lladdr zz dev v1",
                "\"zz\" is invalid lladdr.",
            ),
            (
                "neigh add 198.18.0.7 dev v1 n zzz",
                "Error: either \"to\" is duplicate, or \"n\" is a garbage.",
            ),
            (
                "neigh add 198.18.0.7 dev v1 p zzz",
                "Error: duplicate \"address\": \"zzz\" is the second value.",
            ),
            (
                "neigh add 198.18.0.7 dev v1 lladdr 02:00:00:00:00:01 lladdr 02:00:00:00:00:02",
                "Error: duplicate \"lladdr\"",
            ),
            (
                "-6 neigh add 198.18.0.7 dev v1",
                "Error: inet6 address is expected rather than \"198.18.0.7\".",
            ),
            (
                "neigh add 198.18.0.7 dev v1 nud",
                "Command line is not complete. Try \"netplumb neigh help\".",
            ),
            (
                "neigh foo",
                "Command \"foo\" is unknown, try \"netplumb neigh help\".",
            ),
        ] {
            let e = err(line);
            assert!(e.starts_with(first), "{line}:\n{e}");
        }
    }

    #[test]
    fn show_flush_get() {
        for line in [
            "neigh",
            "n",
            "neigh show",
            "neigh sh",
            "neigh list",
            "neigh l",
            "neigh lst",
        ] {
            assert_eq!(
                parse_ok(line),
                Command::of(NeighCmd::Show(NeighFilter::default())),
                "{line}"
            );
        }
        let f = filter(
            "neigh show dev v1 nud perm nud reachable proxy to 198.18.0.0/24 unused master br0",
        );
        assert_eq!(f.dev.as_deref(), Some("v1"));
        assert_eq!(f.nud, Some(nud::PERMANENT | nud::REACHABLE));
        assert!(f.proxy && f.unused);
        assert_eq!(f.to.unwrap().to_string(), "198.18.0.0/24");
        assert_eq!(filter("neigh show nud all").nud, Some(nud::FILTER_ALL));
        assert_eq!(
            filter("neigh show nud all nud stale").nud,
            Some(nud::FILTER_ALL)
        );
        assert_eq!(filter("neigh show nud none").nud, Some(nud::FILTER_NONE));
        assert_eq!(
            filter("neigh show nud none nud stale").nud,
            Some(nud::FILTER_NONE | nud::STALE)
        );
        assert_eq!(
            filter("neigh flush dev v1 nud permanent").nud,
            Some(nud::PERMANENT)
        );
        assert_eq!(
            filter("neigh flush all").to.unwrap().to_string(),
            "0.0.0.0/0"
        );
        assert_eq!(
            filter("neigh show 2001:db8::/64").to.unwrap().to_string(),
            "2001:db8::/64"
        );
        assert!(err("neigh flush").starts_with("Flush requires arguments."));
        assert!(
            err("neigh show nud bogus")
                .starts_with("Error: argument \"bogus\" is wrong: nud state is bad")
        );
        assert_eq!(
            parse_ok("neigh get 198.18.0.1 dev v1"),
            Command::of(NeighCmd::Get(NeighGet {
                dst: "198.18.0.1".parse().unwrap(),
                dev: "v1".into(),
                proxy: false
            }))
        );
        assert!(
            err("neigh get 198.18.0.1").starts_with("Device and address are required arguments.")
        );
        assert_eq!(parse_ok("neigh help"), Command::Help(TOPIC));
    }
}
