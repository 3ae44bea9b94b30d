//! `address add | replace | change | delete | show | flush` (ip-address(8)).

use crate::args::{Cursor, Family, Globals, Prefix};
use crate::cmd::{Command, Object, pick};
use crate::error::Res;
use crate::help::Topic;
use crate::names::NameTable;
use crate::words::{matches, parse_u32};
use netplumb::IpNet;
use std::net::IpAddr;

/// The `address` object.
pub const OBJECT: Object = Object {
    topic: TOPIC,
    parse,
};

/// `netplumb address help`.
pub const TOPIC: Topic = Topic::new("address", USAGE);

const USAGE: &str = "\
Usage: netplumb address { add | change | replace } IFADDR dev IFNAME [ LIFETIME ]
                                                   [ CONFFLAG-LIST ]
       netplumb address del IFADDR dev IFNAME
       netplumb address { show | flush } [ dev IFNAME ] [ scope SCOPE-ID ]
                                         [ to PREFIX ] [ FLAG-LIST ] [ label LABEL ] [ up ]
IFADDR := PREFIX | [ local ] PREFIX [ peer PREFIX ] [ broadcast ADDR | + | - ]
          [ anycast ADDR ] [ label IFNAME ] [ scope SCOPE-ID ] [ metric METRIC ]
SCOPE-ID := [ host | link | global | site | NUMBER ]
FLAG-LIST := [ FLAG-LIST ] FLAG
FLAG := [ permanent | dynamic | secondary | primary | [-]tentative | [-]deprecated |
          [-]dadfailed | temporary | CONFFLAG-LIST ]
CONFFLAG-LIST := [ CONFFLAG-LIST ] CONFFLAG
CONFFLAG := [ home | nodad | mngtmpaddr | noprefixroute | autojoin | optimistic ]
LIFETIME := [ valid_lft LFT ] [ preferred_lft LFT ]
LFT := { forever | SECONDS }
";

/// An `address` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddrCmd {
    /// `add`, `replace`, `change`, `delete`: RTM_NEWADDR / RTM_DELADDR.
    Change(AddrChange),
    /// `show`, `list`, `lst`: RTM_GETADDR dump (with RTM_GETLINK for the link lines).
    Show(AddrFilter),
    /// `flush`: dump, then RTM_DELADDR for each match.
    Flush(AddrFilter),
}

/// The verb of an address change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddrOp {
    /// `add`: NLM_F_CREATE|NLM_F_EXCL.
    Add,
    /// `replace`: NLM_F_CREATE|NLM_F_REPLACE.
    Replace,
    /// `change`: NLM_F_REPLACE.
    Change,
    /// `delete`: RTM_DELADDR.
    Del,
}

/// `address OP [local] PREFIX dev DEV ...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddrChange {
    /// The verb.
    pub op: AddrOp,
    /// The address and prefix length (IFA_LOCAL, and IFA_ADDRESS unless `peer`).
    pub local: IpNet,
    /// False when no `/LEN` was written: `ip addr del 198.18.0.1 dev x` then deletes the
    /// address whatever its length (and warns).
    pub prefix_len_given: bool,
    /// `peer PREFIX` / `remote PREFIX` (IFA_ADDRESS of a point-to-point address; its length
    /// becomes ifa_prefixlen).
    pub peer: Option<IpNet>,
    /// `dev DEV`: required.
    pub dev: String,
    /// `broadcast ADDR | + | -` (IFA_BROADCAST).
    pub broadcast: Option<Broadcast>,
    /// `anycast ADDR` (IFA_ANYCAST).
    pub anycast: Option<IpAddr>,
    /// `label NAME` (IFA_LABEL), at most 15 bytes.
    pub label: Option<String>,
    /// `scope SCOPE` (ifa_scope): names from rt_scopes or 0..=255.
    pub scope: Option<u8>,
    /// IFA_F_* flags asked for (`nodad`, `home`, ...), see [`IfaFlags`].
    pub flags: IfaFlags,
    /// `valid_lft` / `preferred_lft` (IFA_CACHEINFO), `u32::MAX` = forever. Present when
    /// either was given; the other is then forever.
    pub lifetime: Option<Lifetime>,
    /// `metric N`, `priority N`, `preference N` (IFA_RT_PRIORITY).
    pub metric: Option<u32>,
}

/// IFA_CACHEINFO lifetimes in seconds; `u32::MAX` is forever.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetime {
    /// `valid_lft`.
    pub valid: u32,
    /// `preferred_lft`, never above `valid`.
    pub preferred: u32,
}

/// `broadcast` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Broadcast {
    /// An explicit address.
    Addr(IpAddr),
    /// `+`: the network's all-ones host address.
    Plus,
    /// `-`: the all-zeros host address.
    Minus,
}

/// IFA_F_* bits, with the uapi values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IfaFlags(pub u32);

impl IfaFlags {
    /// IFA_F_SECONDARY (also `temporary`).
    pub const SECONDARY: u32 = 0x01;
    /// IFA_F_NODAD.
    pub const NODAD: u32 = 0x02;
    /// IFA_F_OPTIMISTIC.
    pub const OPTIMISTIC: u32 = 0x04;
    /// IFA_F_DADFAILED.
    pub const DADFAILED: u32 = 0x08;
    /// IFA_F_HOMEADDRESS.
    pub const HOMEADDRESS: u32 = 0x10;
    /// IFA_F_DEPRECATED.
    pub const DEPRECATED: u32 = 0x20;
    /// IFA_F_TENTATIVE.
    pub const TENTATIVE: u32 = 0x40;
    /// IFA_F_PERMANENT.
    pub const PERMANENT: u32 = 0x80;
    /// IFA_F_MANAGETEMPADDR.
    pub const MANAGETEMPADDR: u32 = 0x100;
    /// IFA_F_NOPREFIXROUTE.
    pub const NOPREFIXROUTE: u32 = 0x200;
    /// IFA_F_MCAUTOJOIN.
    pub const MCAUTOJOIN: u32 = 0x400;
    /// IFA_F_STABLE_PRIVACY.
    pub const STABLE_PRIVACY: u32 = 0x800;
}

/// Flag names as `ip` spells them in filters and (the settable ones) in changes.
const FLAG_NAMES: &[(&str, u32)] = &[
    ("secondary", IfaFlags::SECONDARY),
    ("temporary", IfaFlags::SECONDARY),
    ("nodad", IfaFlags::NODAD),
    ("optimistic", IfaFlags::OPTIMISTIC),
    ("dadfailed", IfaFlags::DADFAILED),
    ("home", IfaFlags::HOMEADDRESS),
    ("deprecated", IfaFlags::DEPRECATED),
    ("tentative", IfaFlags::TENTATIVE),
    ("permanent", IfaFlags::PERMANENT),
    ("mngtmpaddr", IfaFlags::MANAGETEMPADDR),
    ("noprefixroute", IfaFlags::NOPREFIXROUTE),
    ("autojoin", IfaFlags::MCAUTOJOIN),
    ("stable-privacy", IfaFlags::STABLE_PRIVACY),
];

/// Flags a change may set; the others are read-only and `ip` ignores them with a warning.
const SETTABLE: u32 = IfaFlags::NODAD
    | IfaFlags::OPTIMISTIC
    | IfaFlags::HOMEADDRESS
    | IfaFlags::MANAGETEMPADDR
    | IfaFlags::NOPREFIXROUTE
    | IfaFlags::MCAUTOJOIN;

/// `address show|flush` selectors (also accepted, and meaningless, by `link show`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddrFilter {
    /// `dev DEV` or the bare word.
    pub dev: Option<String>,
    /// `scope SCOPE`; `scope all` is no filter.
    pub scope: Option<u8>,
    /// `to PREFIX`: addresses inside it.
    pub to: Option<IpNet>,
    /// `label PATTERN` (a shell glob on IFA_LABEL).
    pub label: Option<String>,
    /// `up`: only links that are up.
    pub up: bool,
    /// Flags that must be set (`permanent`, `secondary`, ...).
    pub flags_set: u32,
    /// Flags that must be clear (`dynamic`, `primary`, `-tentative`, ...).
    pub flags_clear: u32,
    /// `master DEV` / `vrf DEV`.
    pub master: Option<String>,
    /// `nomaster`.
    pub nomaster: bool,
    /// `type KIND`: only links of this kind.
    pub kind: Option<String>,
    /// `group N`.
    pub group: Option<u32>,
}

/// `address` words after the object.
fn parse(c: &mut Cursor, g: &Globals) -> Res<Command> {
    let family = g.family;
    #[derive(Clone, Copy)]
    enum Verb {
        Op(AddrOp),
        Show,
        Flush,
        Help,
    }
    let Some(w) = c.word() else {
        return Ok(Command::of(AddrCmd::Show(AddrFilter::default())));
    };
    let verb = pick(
        w,
        &[
            ("add", Verb::Op(AddrOp::Add)),
            ("change", Verb::Op(AddrOp::Change)),
            ("chg", Verb::Op(AddrOp::Change)),
            ("replace", Verb::Op(AddrOp::Replace)),
            ("delete", Verb::Op(AddrOp::Del)),
            ("list", Verb::Show),
            ("show", Verb::Show),
            ("lst", Verb::Show),
            ("flush", Verb::Flush),
            ("help", Verb::Help),
        ],
    )
    .ok_or_else(|| c.unknown_command(w))?;
    Ok(Command::of(match verb {
        Verb::Help => return Ok(Command::Help(TOPIC)),
        Verb::Op(op) => AddrCmd::Change(parse_change(c, op, family)?),
        Verb::Show => AddrCmd::Show(parse_filter(c, family)?),
        Verb::Flush => {
            if c.at_end() {
                return Err(c.usage("Flush requires arguments."));
            }
            AddrCmd::Flush(parse_filter(c, family)?)
        }
    }))
}

fn parse_change(c: &mut Cursor, op: AddrOp, mut family: Family) -> Res<AddrChange> {
    let mut local = None;
    let mut peer = None;
    let mut dev = None;
    let mut broadcast = None;
    let mut anycast = None;
    let mut label = None;
    let mut scope = None;
    let mut flags = 0;
    let mut valid = None;
    let mut preferred = None;
    let mut metric = None;
    // The first address sets the family every later one must have.
    let prefix = |c: &mut Cursor, w: &str, family: &mut Family| -> Res<Prefix> {
        let p = c.prefix_of(w, *family)?;
        *family = Family::of(p.net.addr());
        Ok(p)
    };
    while let Some(w) = c.word() {
        let m = |k: &str| matches(w, k);
        if w == "peer" || w == "remote" {
            let v = c.value()?;
            let p = prefix(c, v, &mut family)?;
            c.set_once(&mut peer, "peer", v, p.net)?;
        } else if m("broadcast") || w == "brd" {
            let v = c.value()?;
            let b = match v {
                "+" => Broadcast::Plus,
                "-" => Broadcast::Minus,
                _ => Broadcast::Addr(addr(c, v, &mut family)?),
            };
            c.set_once(&mut broadcast, "broadcast", v, b)?;
        } else if w == "anycast" {
            let v = c.value()?;
            let a = addr(c, v, &mut family)?;
            c.set_once(&mut anycast, "anycast", v, a)?;
        } else if w == "scope" {
            scope = Some(c.table_value(NameTable::Scopes, 255, "invalid scope value.")? as u8);
        } else if w == "dev" {
            let v = c.value()?;
            dev = Some(c.dev_ref(v)?);
        } else if w == "label" {
            let v = c.value()?;
            if v.is_empty() || v.len() > netplumb::ifname::MAX_IFNAME_LEN {
                return Err(c.invarg(v, "\"label\" must be 1 to 15 bytes"));
            }
            label = Some(v.to_string());
        } else if m("metric") || m("priority") || m("preference") {
            metric = Some(c.u32("\"metric\" value is invalid")?);
        } else if m("valid_lft") {
            valid = Some(lft(c, "valid_lft value")?);
        } else if m("preferred_lft") {
            preferred = Some(lft(c, "preferred_lft value")?);
        } else if let Some((_, bit)) = FLAG_NAMES.iter().find(|(n, _)| *n == w) {
            // Read-only flags (permanent, tentative, ...) are ignored, as `ip` does.
            flags |= bit & SETTABLE;
        } else {
            let w = if w == "local" { c.value()? } else { w };
            if matches(w, "help") {
                return Err(c.help());
            }
            if local.is_some() {
                return Err(c.garbage("local", w));
            }
            local = Some(prefix(c, w, &mut family)?);
        }
    }
    let dev = dev.ok_or_else(|| c.required("dev"))?;
    let local = local.ok_or_else(|| c.usage("Not enough information: an address is required."))?;
    if flags & IfaFlags::MCAUTOJOIN != 0 && !local.net.addr().is_multicast() {
        return Err(c.usage("autojoin needs multicast address"));
    }
    let lifetime = lifetime(c, valid, preferred)?;
    Ok(AddrChange {
        op,
        local: local.net,
        prefix_len_given: local.len_given,
        peer,
        dev,
        broadcast,
        anycast,
        label,
        scope,
        flags: IfaFlags(flags),
        lifetime,
        metric,
    })
}

/// `w` as an address of `family`, which it then fixes (the first address sets the family
/// every later one must have).
fn addr(c: &Cursor, w: &str, family: &mut Family) -> Res<IpAddr> {
    let a = c.addr_of(w, *family)?;
    *family = Family::of(a);
    Ok(a)
}

/// A lifetime (`valid_lft`, `preferred_lft`): seconds or `forever`.
fn lft(c: &mut Cursor, what: &str) -> Res<u32> {
    match c.value()? {
        "forever" => Ok(u32::MAX),
        v => parse_u32(v).ok_or_else(|| c.invarg(v, what)),
    }
}

/// The lifetimes given, if any (the other one is then forever), as the kernel takes them.
fn lifetime(c: &Cursor, valid: Option<u32>, preferred: Option<u32>) -> Res<Option<Lifetime>> {
    if valid.is_none() && preferred.is_none() {
        return Ok(None);
    }
    let (valid, preferred) = (valid.unwrap_or(u32::MAX), preferred.unwrap_or(u32::MAX));
    if valid == 0 {
        return Err(c.usage("valid_lft is zero"));
    }
    if preferred > valid {
        return Err(c.usage("preferred_lft is greater than valid_lft"));
    }
    Ok(Some(Lifetime { valid, preferred }))
}

/// Reads one filter word (and its value) shared by `address show|flush` and `link show`;
/// false when `w` is none of them.
pub(super) fn filter_word(c: &mut Cursor, w: &str, f: &mut AddrFilter) -> Res<bool> {
    match w {
        "scope" => {
            let v = c.value()?;
            f.scope = match v {
                "all" => None,
                _ => Some(
                    NameTable::Scopes
                        .lookup(v)
                        .filter(|s| *s <= 255)
                        .ok_or_else(|| c.invarg(v, "invalid \"scope\""))? as u8,
                ),
            };
        }
        "label" => f.label = Some(c.value()?.to_string()),
        "up" => f.up = true,
        "dynamic" => f.flags_clear |= IfaFlags::PERMANENT,
        "primary" => f.flags_clear |= IfaFlags::SECONDARY,
        _ => {
            let (neg, name) = match w.strip_prefix('-') {
                Some(n) => (true, n),
                None => (false, w),
            };
            let Some((_, bit)) = FLAG_NAMES.iter().find(|(n, _)| *n == name) else {
                return Ok(false);
            };
            if neg {
                f.flags_clear |= bit;
            } else {
                f.flags_set |= bit;
            }
        }
    }
    Ok(true)
}

fn parse_filter(c: &mut Cursor, mut family: Family) -> Res<AddrFilter> {
    let mut f = AddrFilter::default();
    while let Some(w) = c.word() {
        match w {
            "to" => {
                let p = c.prefix(family)?;
                family = Family::of(p.net.addr());
                f.to = Some(p.net);
            }
            "master" | "vrf" => {
                let v = c.value()?;
                f.master = Some(c.dev_ref(v)?);
            }
            "nomaster" => f.nomaster = true,
            "type" => f.kind = Some(c.value()?.to_string()),
            "group" => {
                f.group =
                    Some(c.table_value(NameTable::Groups, u32::MAX, "Invalid \"group\" value")?)
            }
            _ if filter_word(c, w, &mut f)? => {}
            _ => {
                let w = if w == "dev" { c.value()? } else { w };
                if matches(w, "help") {
                    return Err(c.help());
                }
                if f.dev.is_some() {
                    return Err(c.garbage("dev", w));
                }
                f.dev = Some(c.dev_ref(w)?);
            }
        }
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{err, parse_as, parse_ok};

    fn change(line: &str) -> AddrChange {
        match parse_as::<AddrCmd>(line) {
            AddrCmd::Change(a) => a,
            other => panic!("{line}: {other:?}"),
        }
    }

    fn filter(line: &str) -> AddrFilter {
        match parse_as::<AddrCmd>(line) {
            AddrCmd::Show(f) | AddrCmd::Flush(f) => f,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn verbs_and_abbreviations() {
        for (line, op) in [
            ("address add 198.18.0.1/24 dev v1", AddrOp::Add),
            ("a a 198.18.0.1/24 dev v1", AddrOp::Add),
            ("addr ad 198.18.0.1/24 dev v1", AddrOp::Add),
            ("addr replace 198.18.0.1/24 dev v1", AddrOp::Replace),
            ("addr r 198.18.0.1/24 dev v1", AddrOp::Replace),
            ("addr change 198.18.0.1/24 dev v1", AddrOp::Change),
            ("addr c 198.18.0.1/24 dev v1", AddrOp::Change),
            ("addr del 198.18.0.1/24 dev v1", AddrOp::Del),
            ("addr d 198.18.0.1/24 dev v1", AddrOp::Del),
            ("addr delete 198.18.0.1/24 dev v1", AddrOp::Del),
        ] {
            assert_eq!(change(line).op, op, "{line}");
        }
        for line in [
            "addr",
            "a",
            "addr show",
            "addr s",
            "addr l",
            "addr ls",
            "addr lst",
            "addr list",
        ] {
            assert_eq!(
                parse_ok(line),
                Command::of(AddrCmd::Show(AddrFilter::default())),
                "{line}"
            );
        }
        assert_eq!(parse_ok("addr help"), Command::Help(TOPIC));
        assert!(
            err("addr shx")
                .starts_with("Command \"shx\" is unknown, try \"netplumb address help\".")
        );
    }

    #[test]
    fn add_with_everything() {
        let a = change(
            "addr add local 198.18.0.1/24 peer 198.18.0.2/24 dev v1 broadcast 198.18.0.255 \
             anycast 198.18.0.9 label v1:x scope link nodad home noprefixroute mngtmpaddr \
             valid_lft 100 preferred_lft 50 metric 5",
        );
        assert_eq!(a.local.to_string(), "198.18.0.1/24");
        assert_eq!(a.peer.unwrap().to_string(), "198.18.0.2/24");
        assert_eq!(a.dev, "v1");
        assert_eq!(
            a.broadcast,
            Some(Broadcast::Addr("198.18.0.255".parse().unwrap()))
        );
        assert_eq!(a.anycast.unwrap().to_string(), "198.18.0.9");
        assert_eq!(
            (a.label.as_deref(), a.scope, a.metric),
            (Some("v1:x"), Some(253), Some(5))
        );
        assert_eq!(
            a.flags.0,
            IfaFlags::NODAD
                | IfaFlags::HOMEADDRESS
                | IfaFlags::NOPREFIXROUTE
                | IfaFlags::MANAGETEMPADDR
        );
        assert_eq!(
            a.lifetime,
            Some(Lifetime {
                valid: 100,
                preferred: 50
            })
        );
        let a = change("addr add 2001:db8::5/64 dev v1 optimistic nodad permanent tentative");
        assert_eq!(a.flags.0, IfaFlags::OPTIMISTIC | IfaFlags::NODAD);
        assert_eq!(
            change("addr add 198.18.0.1/24 dev v1 brd +").broadcast,
            Some(Broadcast::Plus)
        );
        assert_eq!(
            change("addr add 198.18.0.1/24 dev v1 b -").broadcast,
            Some(Broadcast::Minus)
        );
        assert_eq!(
            change("addr add 198.18.0.1/24 dev v1 preferred_lft 100").lifetime,
            Some(Lifetime {
                valid: u32::MAX,
                preferred: 100
            })
        );
        assert_eq!(
            change("addr add 198.18.0.1/24 dev v1 valid_lft forever v forever").lifetime,
            Some(Lifetime {
                valid: u32::MAX,
                preferred: u32::MAX
            })
        );
        assert_eq!(
            change("addr add 198.18.0.1/24 dev v1 scope 200").scope,
            Some(200)
        );
        // `p` is metric (priority comes before preferred_lft in ip), `preferr` is preferred_lft.
        assert_eq!(change("addr add 198.18.0.1/24 dev v1 p 9").metric, Some(9));
        assert_eq!(
            change("addr add 198.18.0.1/24 dev v1 preferr 9")
                .lifetime
                .unwrap()
                .preferred,
            9
        );
        // dev may be repeated: the last one wins, as with ip.
        assert_eq!(change("addr add 198.18.0.1/24 dev v1 dev v0").dev, "v0");
        let d = change("addr del 198.18.0.1 dev v1");
        assert!(!d.prefix_len_given);
        assert_eq!(d.local.to_string(), "198.18.0.1/32");
        assert!(change("addr add 10/8 dev v1").prefix_len_given);
        assert_eq!(
            change("addr add peer 198.18.0.8 198.18.0.10/24 dev v1")
                .local
                .to_string(),
            "198.18.0.10/24"
        );
        assert_eq!(
            change("addr add 198.18.0.1/255.255.255.0 dev v1")
                .local
                .prefix_len(),
            24
        );
        assert_eq!(
            change("addr add ff02::1:5/128 dev v1 autojoin").flags.0,
            IfaFlags::MCAUTOJOIN
        );
    }

    #[test]
    fn change_errors() {
        for (line, first) in [
            (
                "addr add 198.18.1.1/24",
                "Not enough information: \"dev\" argument is required.",
            ),
            (
                "addr add dev v1",
                "Not enough information: an address is required.",
            ),
            (
                "addr add 198.18.1.1/33 dev v1",
                "Error: any valid prefix is expected rather than \"198.18.1.1/33\".",
            ),
            (
                "addr add 2001:db8::/129 dev v1",
                "Error: any valid prefix is expected",
            ),
            (
                "addr add 198.18.1.1/24 198.18.1.2/24 dev v1",
                "Error: either \"local\" is duplicate, or \"198.18.1.2/24\" is a garbage.",
            ),
            (
                "addr add local 198.18.1.1/24 dev v1 local 198.18.1.3",
                "Error: either \"local\" is duplicate, or \"198.18.1.3\" is a garbage.",
            ),
            (
                "addr add 198.18.1.1/24 dev v1 scope bogus",
                "Error: argument \"bogus\" is wrong: invalid scope value.",
            ),
            (
                "addr add 198.18.1.1/24 dev v1 scope 300",
                "Error: argument \"300\" is wrong: invalid scope value.",
            ),
            (
                "addr add 198.18.1.5/24 dev v1 valid_lft 100 preferred_lft 200",
                "preferred_lft is greater than valid_lft",
            ),
            (
                "addr add 198.18.1.5/24 dev v1 valid_lft 100",
                "preferred_lft is greater than valid_lft",
            ),
            (
                "addr add 198.18.1.5/24 dev v1 valid_lft 0",
                "valid_lft is zero",
            ),
            (
                "addr add 198.18.1.7/24 dev v1 valid_lft x",
                "Error: argument \"x\" is wrong: valid_lft value",
            ),
            (
                "addr add 198.18.1.7/24 dev v1 b + a 198.18.1.9",
                "Error: either \"local\" is duplicate, or \"a\" is a garbage.",
            ),
            (
                "addr add 198.18.1.8/24 dev v1 broadcast 2001:db8::1",
                "Error: inet address is expected rather than \"2001:db8::1\".",
            ),
            (
                "addr add 198.18.1.8/24 dev v1 anycast 2001:db8::1",
                "Error: inet address is expected rather than \"2001:db8::1\".",
            ),
            (
                "addr add 198.18.1.8/24 dev v1 m x",
                "Error: argument \"x\" is wrong: \"metric\" value is invalid",
            ),
            (
                "-6 addr add 198.18.1.8/24 dev v1",
                "Error: inet6 prefix is expected rather than \"198.18.1.8/24\".",
            ),
            (
                "-4 addr add 2001:db8::1/64 dev v1",
                "Error: inet prefix is expected rather than \"2001:db8::1/64\".",
            ),
            (
                "addr add 2001:db8::6/64 peer 198.18.0.1 dev v1",
                "Error: inet6 prefix is expected rather than \"198.18.0.1\".",
            ),
            (
                "addr add 2001:db8::5/64 dev v1 autojoin",
                "autojoin needs multicast address",
            ),
            (
                "addr add 198.18.1.10/24 dev v1 to",
                "Error: either \"local\" is duplicate, or \"to\" is a garbage.",
            ),
            (
                "addr add 198.18.1.1/24 dev v1 label 0123456789abcdef",
                "Error: argument \"0123456789abcdef\" is wrong",
            ),
            (
                "addr add 198.18.1.1/24 dev v1 peer 198.18.1.2 peer 198.18.1.3",
                "Error: duplicate \"peer\": \"198.18.1.3\" is the second value.",
            ),
            (
                "addr add 198.18.1.1/24 dev v1 brd 198.18.1.255 brd 198.18.1.254",
                "Error: duplicate \"broadcast\"",
            ),
            (
                "addr add 198.18.1.1/24 dev",
                "Command line is not complete. Try \"netplumb address help\".",
            ),
            ("addr flush", "Flush requires arguments."),
        ] {
            let e = err(line);
            assert!(e.starts_with(first), "{line}:\n{e}");
        }
        assert!(err("addr add 198.18.1.1/24 dev v1 h").starts_with("Usage: netplumb address"));
    }

    #[test]
    fn show_and_flush_filters() {
        let f = filter(
            "addr show dev br0 to 198.18.40.0/24 label br0* up -tentative dynamic primary scope link permanent",
        );
        assert_eq!(f.dev.as_deref(), Some("br0"));
        assert_eq!(f.to.unwrap().to_string(), "198.18.40.0/24");
        assert_eq!(
            (f.label.as_deref(), f.up, f.scope),
            (Some("br0*"), true, Some(253))
        );
        assert_eq!(
            f.flags_clear,
            IfaFlags::TENTATIVE | IfaFlags::PERMANENT | IfaFlags::SECONDARY
        );
        assert_eq!(f.flags_set, IfaFlags::PERMANENT);
        assert_eq!(filter("addr show lo").dev.as_deref(), Some("lo"));
        assert_eq!(filter("addr show scope all").scope, None);
        assert_eq!(filter("addr flush dev v1 scope global").scope, Some(0));
        assert_eq!(
            filter("addr flush to 2001:db8::/32")
                .to
                .unwrap()
                .to_string(),
            "2001:db8::/32"
        );
        let f = filter("addr show master br0 type veth group 2 nomaster");
        assert_eq!(
            (f.master.as_deref(), f.kind.as_deref(), f.group, f.nomaster),
            (Some("br0"), Some("veth"), Some(2), true)
        );
        for (line, first) in [
            (
                "addr show scope bogus",
                "Error: argument \"bogus\" is wrong: invalid \"scope\"",
            ),
            (
                "addr show br0 br1",
                "Error: either \"dev\" is duplicate, or \"br1\" is a garbage.",
            ),
            (
                "-6 addr show to 198.18.0.0/16",
                "Error: inet6 prefix is expected rather than \"198.18.0.0/16\".",
            ),
            (
                "addr show to 2001:db8::/32 to 198.18.0.0/16",
                "Error: inet6 prefix is expected rather than \"198.18.0.0/16\".",
            ),
        ] {
            let e = err(line);
            assert!(e.starts_with(first), "{line}:\n{e}");
        }
        assert!(err("addr show help").starts_with("Usage: netplumb address"));
    }
}
