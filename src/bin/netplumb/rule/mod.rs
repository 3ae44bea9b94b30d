//! `rule add | del | list | show | flush | save | restore` (ip-rule(8)): policy routing
//! rules, through the library's `netplumb::rule` ([`RuleSpec`], [`RuleFilter`]).
//!
//! The grammar is iproute2 6.1's `ip/iprule.c`, keyword by keyword, with its abbreviations
//! (`p` is `preference`, `t` is `tun_id`, `ta` is `table`, `d` is `dsfield` when adding and
//! `dst` when listing) and its readers of values (`fwmark` and `pref` like `strtoul(.., 0)`,
//! `tos` in hex, `uidrange` and ports like `sscanf("%u-%u")`, names from iproute2's tables and
//! `/etc/protocols`). The executor is [`exec`]; rules print as
//! [`crate::exec::render::rule`] prints them.
//!
//! Where netplumb differs from `ip` 6.1 on purpose:
//! - `rule add|del` without `-4`/`-6` takes the family of its `from`/`to` prefix (the
//!   library's rule); `ip` sends an IPv4 rule then, which the kernel refuses for an IPv6
//!   prefix ("Invalid source address").
//! - `from all` (`any`, `default`) adds no source prefix; `ip` sends an empty `FRA_SRC`,
//!   which the kernel takes as none.
//! - An `iif`/`oif` name with `:` is accepted by the parser as by `ip`, and refused by the
//!   library before anything is sent (the kernel would take it).

mod exec;

use crate::args::{Cursor, Family, Globals};
use crate::cmd::route::{RouteType, realms};
use crate::cmd::{Command, Object, pick};
use crate::error::Res;
use crate::help::Topic;
use crate::names::{self, NameTable};
use crate::words::{matches, parse_int, parse_ip, parse_u32, parse_uint};
use netplumb::rule::{Action, RuleFilter, RuleSpec};
use netplumb::wire::route::RouteProtocol;
use netplumb::wire::rule::{PortRange, RuleAction, UidRange};
use std::net::{IpAddr, Ipv4Addr};

/// The `rule` object.
pub const OBJECT: Object = Object {
    topic: TOPIC,
    parse,
};

/// `netplumb rule help`.
pub const TOPIC: Topic = Topic::new("rule", USAGE);

const USAGE: &str = "\
Usage: netplumb rule { add | del } SELECTOR ACTION
       netplumb rule { flush | save | restore }
       netplumb rule [ list [ SELECTOR ]]
SELECTOR := [ not ] [ from PREFIX ] [ to PREFIX ] [ tos TOS ]
            [ fwmark FWMARK[/MASK] ]
            [ iif STRING ] [ oif STRING ] [ pref NUMBER ] [ l3mdev ]
            [ uidrange NUMBER-NUMBER ]
            [ ipproto PROTOCOL ]
            [ sport [ NUMBER | NUMBER-NUMBER ]
            [ dport [ NUMBER | NUMBER-NUMBER ] ]
ACTION := [ table TABLE_ID ]
          [ protocol PROTO ]
          [ nat ADDRESS ]
          [ realms [SRCREALM/]DSTREALM ]
          [ goto NUMBER ]
          SUPPRESSOR
SUPPRESSOR := [ suppress_prefixlength NUMBER ]
              [ suppress_ifgroup DEVGROUP ]
TABLE_ID := [ local | main | default | NUMBER ]
";

/// A `rule` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleCmd {
    /// `add`: RTM_NEWRULE with NLM_F_CREATE|NLM_F_EXCL.
    Add(RuleChange),
    /// `delete`: RTM_DELRULE.
    Del(RuleChange),
    /// `list`, `show`, or nothing: an RTM_GETRULE dump, printed as it runs.
    List(RuleSelect),
    /// `flush`: the selected rules (but those of priority 0) deleted.
    Flush(RuleSelect),
    /// `save`: the dump's messages written to standard output, after a magic number.
    Save(RuleSelect),
    /// `restore`: the messages of a `save` read from standard input and sent again.
    Restore,
}

/// `rule add|del SELECTOR ACTION`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleChange {
    /// The rule; its family is `-4`/`-6`'s, else the executor's choice (see the module).
    pub spec: RuleSpec,
    /// `nat ADDRESS` / `map-to ADDRESS`: `RTN_NAT` with the address in `RTA_GATEWAY`.
    pub nat: Option<Ipv4Addr>,
    /// The family of `-0`, `-M`, `-B`: put in the header as `ip` does (the kernel refuses).
    pub other_family: Option<u8>,
    /// A table id other than 0 was given (`ip` refuses it next to `l3mdev`).
    pub table_given: bool,
    /// `table`, `l3mdev` or a type keyword was given: otherwise `ip` adds the rule with
    /// table `main`, also after `nat`.
    pub table_ok: bool,
}

/// `rule list|flush|save [SELECTOR]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSelect {
    /// The selectors as `ip`'s `filter_nlmsg` applies them (a zero `fwmark`, `ipproto`,
    /// `sport`, `dport`, `tun_id` or `table` selects nothing, as there), and the family
    /// dumped: `-4`/`-6`, IPv4 when neither is given.
    pub filter: RuleFilter,
    /// `protocol PROTO`: only `flush` looks at it (`ip rule show protocol P` lists every
    /// rule); `protocol all` is none.
    pub protocol: Option<RouteProtocol>,
    /// The family of `-0`, `-M`, `-B`: dumped as `ip` does (the kernel refuses).
    pub other_family: Option<u8>,
}

/// The family `-0`, `-M` and `-B` put in a rule message, if one of them was given.
fn other_family(f: Family) -> Option<u8> {
    matches!(f, Family::Link | Family::Mpls | Family::Bridge).then(|| f.af())
}

/// The library's family for `-4`/`-6`.
fn ip_family(f: Family) -> Option<netplumb::Family> {
    match f {
        Family::Inet => Some(netplumb::Family::Ipv4),
        Family::Inet6 => Some(netplumb::Family::Ipv6),
        _ => None,
    }
}

/// `rule` words after the object.
fn parse(c: &mut Cursor, g: &Globals) -> Res<Command> {
    #[derive(Clone, Copy)]
    enum Verb {
        List,
        Save,
        Restore,
        Add,
        Del,
        Flush,
        Help,
    }
    let Some(w) = c.word() else {
        return Ok(Command::of(RuleCmd::List(parse_select(c, g.family)?)));
    };
    let verb = pick(
        w,
        &[
            ("list", Verb::List),
            ("lst", Verb::List),
            ("show", Verb::List),
            ("save", Verb::Save),
            ("restore", Verb::Restore),
            ("add", Verb::Add),
            ("delete", Verb::Del),
            ("flush", Verb::Flush),
            ("help", Verb::Help),
        ],
    )
    .ok_or_else(|| c.unknown_command(w))?;
    Ok(Command::of(match verb {
        Verb::Help => return Ok(Command::Help(TOPIC)),
        Verb::List => RuleCmd::List(parse_select(c, g.family)?),
        Verb::Flush => RuleCmd::Flush(parse_select(c, g.family)?),
        Verb::Save => {
            if !c.at_end() {
                return Err(c.usage("\"netplumb rule save\" does not take any arguments."));
            }
            RuleCmd::Save(parse_select(c, g.family)?)
        }
        Verb::Restore => {
            // ip reads no further word.
            c.rest();
            RuleCmd::Restore
        }
        Verb::Add => {
            if c.at_end() {
                return Err(c.usage("\"netplumb rule add\" requires arguments."));
            }
            RuleCmd::Add(parse_change(c, g.family)?)
        }
        Verb::Del => {
            if c.at_end() {
                return Err(c.usage("\"netplumb rule del\" requires arguments."));
            }
            RuleCmd::Del(parse_change(c, g.family)?)
        }
    }))
}

/// `check_ifname`: 1 to 15 bytes, no `/` or white space (`:` is fine here).
fn rule_ifname(c: &Cursor, w: &str, what: &str) -> Res<String> {
    let bad = w.is_empty()
        || w.len() > 15
        || w.bytes()
            .any(|b| b == b'/' || b.is_ascii_whitespace() || b == 0x0b);
    if bad {
        return Err(c.invarg(w, what));
    }
    Ok(w.to_string())
}

/// `%u` of `sscanf`: white space, an optional sign, decimal digits, read like `strtoul`
/// (a value past `u64` saturates, a minus sign negates modulo 2^64); returns the value and
/// the rest of the word.
fn scan_unsigned(s: &str) -> Option<(u64, &str)> {
    let s = s.trim_start();
    let (neg, s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let v = s[..digits].bytes().fold(0u64, |v, d| {
        v.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    });
    Some((if neg { v.wrapping_neg() } else { v }, &s[digits..]))
}

/// `sscanf(w, "%u-%u")` (`bits` 32) or `"%hu-%hu"` (16): the numbers it converted, each
/// stored in an integer of that width (truncated, as C stores them).
fn scan_range(w: &str, bits: u32) -> (Option<u64>, Option<u64>) {
    let mask = (1u64 << bits) - 1;
    let Some((a, rest)) = scan_unsigned(w) else {
        return (None, None);
    };
    let b = rest
        .strip_prefix('-')
        .and_then(scan_unsigned)
        .map(|(b, _)| b & mask);
    (Some(a & mask), b)
}

/// `uidrange START-END`.
fn uid_range(c: &mut Cursor) -> Res<UidRange> {
    let w = c.value()?;
    match scan_range(w, 32) {
        (Some(start), Some(end)) => Ok(UidRange {
            start: start as u32,
            end: end as u32,
        }),
        _ => Err(c.invarg(w, "invalid UID range\n")),
    }
}

/// `sport|dport PORT[-PORT]`: one port is a range of one.
fn port_range(c: &mut Cursor, what: &str) -> Res<PortRange> {
    let w = c.value()?;
    match scan_range(w, 16) {
        (Some(start), end) => Ok(PortRange {
            start: start as u16,
            end: end.unwrap_or(start) as u16,
        }),
        _ => Err(c.invarg(w, what)),
    }
}

/// `fwmark MARK[/MASK]`.
fn fwmark(c: &mut Cursor) -> Res<(u32, Option<u32>)> {
    let w = c.value()?;
    let (mark, mask) = match w.split_once('/') {
        Some((m, k)) => (m, Some(k)),
        None => (w, None),
    };
    let mark = parse_u32(mark).ok_or_else(|| c.invarg(mark, "fwmark value is invalid\n"))?;
    let mask = match mask {
        Some(k) => Some(parse_u32(k).ok_or_else(|| c.invarg(k, "fwmask value is invalid\n"))?),
        None => None,
    };
    Ok((mark, mask))
}

/// `ipproto PROTOCOL`: a name from `/etc/protocols` or a number.
fn ip_proto(c: &mut Cursor) -> Res<u8> {
    let w = c.value()?;
    names::ip_proto_lookup(w).ok_or_else(|| c.invarg(w, "Invalid \"ipproto\" value\n"))
}

/// A prefix after `from`/`to`, read for `family` (`get_prefix`).
fn prefix(c: &mut Cursor, family: Family) -> Res<crate::args::Prefix> {
    let w = c.value()?;
    if family == Family::Link {
        return Err(c.usage(format_args!(
            "Error: \"{w}\" may be inet prefix, but it is not allowed in this context."
        )));
    }
    c.prefix_of(w, family)
}

/// `rule add|del` words, in `iprule_modify`'s order of checks.
fn parse_change(c: &mut Cursor, family: Family) -> Res<RuleChange> {
    let mut spec = RuleSpec::new();
    spec.family = ip_family(family);
    let mut nat = None;
    let mut table_given = false;
    let mut table_ok = false;
    // A prefix written `all`, `any` or `default` is no prefix.
    let net = |p: crate::args::Prefix| (!p.default).then_some(p.net);
    while let Some(w) = c.word() {
        let m = |k: &str| matches(w, k);
        if w == "not" {
            spec.invert = true;
        } else if w == "from" {
            spec.from = net(prefix(c, family)?);
        } else if w == "to" {
            spec.to = net(prefix(c, family)?);
        } else if m("preference") || m("order") || m("priority") {
            spec.priority = Some(c.u32("preference value is invalid\n")?);
        } else if w == "tos" || m("dsfield") {
            spec.tos = c.table_value(NameTable::Dsfield, 255, "TOS value is invalid\n")? as u8;
        } else if w == "fwmark" {
            let (mark, mask) = fwmark(c)?;
            spec.fwmark = Some(mark);
            spec.fwmask = mask.or(spec.fwmask);
        } else if m("realms") {
            spec.realms = Some(realms(c, "invalid realms\n")?);
        } else if m("protocol") {
            let p = c.table_value(NameTable::Protos, 255, "\"protocol\" value is invalid\n")?;
            spec.protocol = Some(RouteProtocol(p as u8));
        } else if m("tun_id") {
            spec.tun_id = Some(c.uint(u64::MAX, "\"tun_id\" value is invalid\n")?);
        } else if m("table") || w == "lookup" {
            let t = c.table_value(NameTable::Tables, u32::MAX, "invalid table ID\n")?;
            table_given = t != 0;
            table_ok = true;
            spec.table = Some(t);
        } else if m("suppress_prefixlength") || w == "sup_pl" {
            let v = c.value()?;
            let pl = parse_int(v)
                .and_then(|n| i32::try_from(n).ok())
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| c.invarg(v, "suppress_prefixlength value is invalid\n"))?;
            spec.suppress_prefixlen = Some(pl);
        } else if m("suppress_ifgroup") || w == "sup_group" {
            let g = c.table_value(
                NameTable::Groups,
                i32::MAX as u32,
                "Invalid \"suppress_ifgroup\" value\n",
            )?;
            spec.suppress_ifgroup = Some(g);
        } else if w == "dev" || w == "iif" {
            let v = c.value()?;
            spec.iif = Some(rule_ifname(c, v, "\"iif\"/\"dev\" not a valid ifname")?);
        } else if w == "oif" {
            let v = c.value()?;
            spec.oif = Some(rule_ifname(c, v, "\"oif\" not a valid ifname")?);
        } else if w == "l3mdev" {
            spec.l3mdev = true;
            table_ok = true;
        } else if w == "uidrange" {
            spec.uid_range = Some(uid_range(c)?);
        } else if w == "nat" || m("map-to") {
            let v = c.value()?;
            let Some(IpAddr::V4(a)) = parse_ip(v).filter(IpAddr::is_ipv4) else {
                return Err(c.usage(format_args!(
                    "Error: an IP address is expected rather than \"{v}\""
                )));
            };
            nat = Some(a);
            spec.action = Some(Action::Other(RuleAction(10)));
        } else if w == "ipproto" {
            spec.ip_proto = Some(ip_proto(c)?);
        } else if w == "sport" {
            spec.sport = Some(port_range(c, "invalid port range\n")?);
        } else if w == "dport" {
            spec.dport = Some(port_range(c, "invalid dport range\n")?);
        } else {
            let t = if w == "type" { c.value()? } else { w };
            spec.action = Some(rule_type(c, t)?);
            table_ok = true;
        }
    }
    Ok(RuleChange {
        spec,
        nat,
        other_family: other_family(family),
        table_given,
        table_ok,
    })
}

/// The rule's type after `type` (or alone): `goto PRIO`, `nop`, or a route type's name or
/// number (`rtnl_rtntype_a2n`), whose value is the `FR_ACT_*` sent.
fn rule_type(c: &mut Cursor, w: &str) -> Res<Action> {
    if matches(w, "help") {
        return Err(c.help());
    }
    if matches(w, "goto") {
        return Ok(Action::Goto(c.u32("invalid target\n")?));
    }
    if matches(w, "nop") {
        return Ok(Action::Nop);
    }
    let n = RouteType::from_word(w)
        .map(RouteType::rtn)
        .or_else(|| parse_uint(w).and_then(|n| u8::try_from(n).ok()))
        .ok_or_else(|| c.invarg(w, "Failed to parse rule type"))?;
    Ok(match RuleAction(n) {
        RuleAction::TO_TBL => Action::ToTable,
        RuleAction::BLACKHOLE => Action::Blackhole,
        RuleAction::UNREACHABLE => Action::Unreachable,
        RuleAction::PROHIBIT => Action::Prohibit,
        other => Action::Other(other),
    })
}

/// `rule list|flush|save` words, in `iprule_list_flush_or_save`'s order of checks.
fn parse_select(c: &mut Cursor, family: Family) -> Res<RuleSelect> {
    // ip reads prefixes, and dumps, as IPv4 when no family is given.
    let af = if family == Family::Unspec {
        Family::Inet
    } else {
        family
    };
    let mut f = RuleFilter::new();
    f.family = ip_family(af);
    let mut protocol = None;
    while let Some(w) = c.word() {
        let m = |k: &str| matches(w, k);
        if m("preference") || m("order") || m("priority") {
            f.priority = Some(c.u32("preference value is invalid\n")?);
        } else if w == "not" {
            f.invert = true;
        } else if w == "tos" || w == "dsfield" {
            f.tos = Some(c.table_value(NameTable::Dsfield, 255, "TOS value is invalid\n")? as u8);
        } else if w == "fwmark" {
            let (mark, mask) = fwmark(c)?;
            f.fwmark = Some(mark).filter(|m| *m != 0);
            f.fwmask = mask.filter(|m| *m != 0).or(f.fwmask);
        } else if w == "dev" || w == "iif" {
            let v = c.value()?;
            f.iif = Some(rule_ifname(c, v, "\"iif\"/\"dev\" not a valid ifname")?);
        } else if w == "oif" {
            let v = c.value()?;
            f.oif = Some(rule_ifname(c, v, "\"oif\" not a valid ifname")?);
        } else if w == "l3mdev" {
            f.l3mdev = true;
        } else if w == "uidrange" {
            f.uid_range = Some(uid_range(c)?);
        } else if m("tun_id") {
            let id = c.uint(u64::MAX, "\"tun_id\" value is invalid\n")?;
            f.tun_id = Some(id).filter(|t| *t != 0).or(f.tun_id);
        } else if m("lookup") || m("table") {
            let t = c.table_value(NameTable::Tables, u32::MAX, "table id value is invalid\n")?;
            f.table = Some(t).filter(|t| *t != 0);
        } else if m("from") || m("src") {
            f.from = Some(prefix(c, af)?.net);
        } else if m("protocol") {
            let v = c.value()?;
            protocol = match NameTable::Protos.lookup(v).filter(|p| *p <= 255) {
                Some(p) => Some(RouteProtocol(p as u8)),
                None if v == "all" => None,
                None => return Err(c.invarg(v, "invalid \"protocol\"\n")),
            };
        } else if w == "ipproto" {
            let p = ip_proto(c)?;
            f.ip_proto = Some(p).filter(|p| *p != 0).or(f.ip_proto);
        } else if w == "sport" {
            let r = port_range(c, "invalid port range\n")?;
            f.sport = Some(r).filter(|r| r.start != 0);
        } else if w == "dport" {
            let r = port_range(c, "invalid dport range\n")?;
            f.dport = Some(r).filter(|r| r.start != 0);
        } else {
            if m("dst") || m("to") {
                f.to = Some(prefix(c, af)?.net);
            } else {
                if af == Family::Link {
                    return Err(c.usage(format_args!(
                        "Error: \"{w}\" may be inet prefix, but it is not allowed in this \
                         context."
                    )));
                }
                f.to = Some(c.prefix_of(w, af)?.net);
            }
        }
    }
    Ok(RuleSelect {
        filter: f,
        protocol,
        other_family: other_family(family),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{err, parse_as, parse_ok};

    fn change(line: &str) -> RuleChange {
        match parse_as::<RuleCmd>(line) {
            RuleCmd::Add(c) | RuleCmd::Del(c) => c,
            other => panic!("{line}: {other:?}"),
        }
    }

    fn select(line: &str) -> RuleSelect {
        match parse_as::<RuleCmd>(line) {
            RuleCmd::List(s) | RuleCmd::Flush(s) | RuleCmd::Save(s) => s,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn verbs_and_their_abbreviations() {
        let kind = |line: &str| {
            let c = parse_as::<RuleCmd>(line);
            format!("{c:?}").split('(').next().unwrap().to_string()
        };
        for (line, want) in [
            ("rule", "List"),
            ("ru", "List"),
            ("rule l", "List"),
            ("rule lst", "List"),
            ("rule s", "List"),
            ("rule sh", "List"),
            ("rule sa", "Save"),
            ("rule r", "Restore"),
            ("rule restore anything", "Restore"),
            ("rule a pref 5", "Add"),
            ("rule d pref 5", "Del"),
            ("rule f", "Flush"),
        ] {
            assert_eq!(kind(line), want, "{line}");
        }
        assert_eq!(parse_ok("rule help"), Command::Help(TOPIC));
        assert_eq!(parse_ok("rule h"), Command::Help(TOPIC));
        for (line, first) in [
            (
                "rule bogus",
                "Command \"bogus\" is unknown, try \"netplumb rule help\".",
            ),
            ("rule add", "\"netplumb rule add\" requires arguments."),
            ("rule del", "\"netplumb rule del\" requires arguments."),
            (
                "rule save x",
                "\"netplumb rule save\" does not take any arguments.",
            ),
        ] {
            assert!(err(line).starts_with(first), "{line}: {}", err(line));
        }
    }

    #[test]
    fn add_with_every_keyword() {
        let c = change(
            "rule add not from 198.18.1.5/24 to 198.18.2.0/24 pref 100 dsfield 10 \
             fwmark 0x7/0xff realms 3/4 protocol static tun_id 9 table 1000 \
             suppress_prefixlength 0 suppress_ifgroup 5 iif v1 oif v2 uidrange 1-2 \
             ipproto udp sport 1-2 dport 53",
        );
        let s = &c.spec;
        assert!(s.invert);
        assert_eq!(s.from.unwrap().to_string(), "198.18.1.5/24");
        assert_eq!(s.to.unwrap().to_string(), "198.18.2.0/24");
        assert_eq!((s.priority, s.tos), (Some(100), 0x10));
        assert_eq!((s.fwmark, s.fwmask), (Some(7), Some(0xff)));
        assert_eq!(
            (s.realms, s.protocol, s.tun_id),
            (Some(3 << 16 | 4), Some(RouteProtocol(4)), Some(9))
        );
        assert_eq!(
            (s.table, s.suppress_prefixlen, s.suppress_ifgroup),
            (Some(1000), Some(0), Some(5))
        );
        assert_eq!(
            (s.iif.as_deref(), s.oif.as_deref()),
            (Some("v1"), Some("v2"))
        );
        assert_eq!(s.uid_range, Some(UidRange { start: 1, end: 2 }));
        assert_eq!(s.ip_proto, Some(17));
        assert_eq!(s.sport, Some(PortRange { start: 1, end: 2 }));
        assert_eq!(s.dport, Some(PortRange::single(53)));
        assert!(c.table_given && s.family.is_none() && s.action.is_none());
    }

    #[test]
    fn add_abbreviations_and_types() {
        let s = |line: &str| change(line).spec;
        assert_eq!(s("rule add p 7").priority, Some(7));
        assert_eq!(s("rule add o 7").priority, Some(7));
        assert_eq!(s("rule add d 0x10").tos, 0x10);
        assert_eq!(s("rule add t 5").tun_id, Some(5));
        assert_eq!(s("rule add ta main").table, Some(254));
        assert_eq!(s("rule add lookup 7").table, Some(7));
        assert_eq!(s("rule add s 3").suppress_prefixlen, Some(3));
        assert_eq!(s("rule add sup_pl 3").suppress_prefixlen, Some(3));
        assert_eq!(s("rule add sup_group 3").suppress_ifgroup, Some(3));
        assert_eq!(s("rule add r 5").realms, Some(5));
        assert_eq!(s("rule add pro boot").protocol, Some(RouteProtocol(3)));
        assert_eq!(s("rule add n").action, Some(Action::Nop));
        assert_eq!(s("rule add goto 5").action, Some(Action::Goto(5)));
        assert_eq!(s("rule add g 5").action, Some(Action::Goto(5)));
        assert_eq!(s("rule add type nop").action, Some(Action::Nop));
        assert_eq!(s("rule add blackhole").action, Some(Action::Blackhole));
        assert_eq!(s("rule add b").action, Some(Action::Other(RuleAction(3))));
        assert_eq!(s("rule add u").action, Some(Action::Unreachable));
        assert_eq!(s("rule add proh").action, Some(Action::Prohibit));
        assert_eq!(s("rule add unicast").action, Some(Action::ToTable));
        assert_eq!(s("rule add 8").action, Some(Action::Prohibit));
        assert_eq!(
            s("rule add local").action,
            Some(Action::Other(RuleAction(2)))
        );
        let c = change("rule add nat 198.18.0.9");
        assert_eq!(c.nat, Some(Ipv4Addr::new(198, 18, 0, 9)));
        assert_eq!(c.spec.action, Some(Action::Other(RuleAction(10))));
        assert_eq!(change("rule add map 198.18.0.9").nat, c.nat);
        // `from all` is no prefix; a family only from -4/-6.
        assert_eq!(s("rule add from all lookup 5").from, None);
        assert_eq!(s("-6 rule add from default").from, None);
        assert_eq!(
            s("-6 rule add tos 0x10").family,
            Some(netplumb::Family::Ipv6)
        );
        assert_eq!(s("rule add to 2001:db8::/32").to.unwrap().family(), 10);
        assert!(!change("rule add l3mdev table 0").table_given);
        assert_eq!(change("-0 rule add pref 1").other_family, Some(17));
    }

    #[test]
    fn add_values_read_as_ip_reads_them() {
        let s = |line: &str| change(line).spec;
        // sscanf: trailing junk after a range is ignored, a lone port is a range of one,
        // a sign is taken (and wraps).
        assert_eq!(s("rule add sport 80x").sport, Some(PortRange::single(80)));
        assert_eq!(s("rule add dport 80-").dport, Some(PortRange::single(80)));
        assert_eq!(
            s("rule add sport 1-70000").sport,
            Some(PortRange {
                start: 1,
                end: (70000u32 & 0xffff) as u16
            })
        );
        assert_eq!(
            s("rule add uidrange -1-5x").uid_range,
            Some(UidRange {
                start: u32::MAX,
                end: 5
            })
        );
        assert_eq!(s("rule add ipproto 6").ip_proto, Some(6));
        assert_eq!(s("rule add fwmark 010").fwmark, Some(8));
        assert_eq!(s("rule add iif a:b").iif.as_deref(), Some("a:b"));
        for (line, first) in [
            (
                "rule add pref x",
                "Error: argument \"x\" is wrong: preference value is invalid",
            ),
            (
                "rule add tos 100",
                "Error: argument \"100\" is wrong: TOS value is invalid",
            ),
            (
                "rule add fwmark x/1",
                "Error: argument \"x\" is wrong: fwmark value is invalid",
            ),
            (
                "rule add fwmark 1/x",
                "Error: argument \"x\" is wrong: fwmask value is invalid",
            ),
            (
                "rule add uidrange 5",
                "Error: argument \"5\" is wrong: invalid UID range",
            ),
            (
                "rule add sport x",
                "Error: argument \"x\" is wrong: invalid port range",
            ),
            (
                "rule add dport -",
                "Error: argument \"-\" is wrong: invalid dport range",
            ),
            (
                "rule add ipproto nosuch",
                "Error: argument \"nosuch\" is wrong: Invalid \"ipproto\"",
            ),
            (
                "rule add ipproto 256",
                "Error: argument \"256\" is wrong: Invalid \"ipproto\"",
            ),
            (
                "rule add table x1",
                "Error: argument \"x1\" is wrong: invalid table ID",
            ),
            (
                "rule add suppress_prefixlength -1",
                "Error: argument \"-1\" is wrong: suppress_",
            ),
            (
                "rule add iif 0123456789abcdef",
                "Error: argument \"0123456789abcdef\" is wrong: \"iif\"/\"dev\" not a valid ifname",
            ),
            (
                "rule add oif a/b",
                "Error: argument \"a/b\" is wrong: \"oif\" not a valid ifname",
            ),
            (
                "rule add goto x",
                "Error: argument \"x\" is wrong: invalid target",
            ),
            (
                "rule add bogus",
                "Error: argument \"bogus\" is wrong: Failed to parse rule type",
            ),
            (
                "rule add 256",
                "Error: argument \"256\" is wrong: Failed to parse rule type",
            ),
            (
                "rule add nat 2001:db8::1",
                "Error: an IP address is expected rather than \"2001:db8::1\"",
            ),
            (
                "rule add from foo",
                "Error: any valid prefix is expected rather than \"foo\".",
            ),
            (
                "-4 rule add from 2001:db8::/32",
                "Error: inet prefix is expected rather than",
            ),
            ("rule add pref", "Command line is not complete."),
            ("rule add type", "Command line is not complete."),
        ] {
            let e = err(line);
            assert!(e.starts_with(first), "{line}:\n{e}");
        }
        assert!(err("rule add help").starts_with("Usage: netplumb rule"));
        assert!(err("rule add type help").starts_with("Usage: netplumb rule"));
    }

    #[test]
    fn selectors_as_ip_filters() {
        let f = |line: &str| select(line).filter;
        assert_eq!(f("rule").family, Some(netplumb::Family::Ipv4));
        assert_eq!(f("-6 rule show").family, Some(netplumb::Family::Ipv6));
        let x = f(
            "rule show pref 0 not tos 0x10 fwmark 5/0xff dev v1 oif v2 l3mdev \
                   uidrange 1-2 tun_id 9 table 100 from 198.18.0.0/16 ipproto tcp \
                   sport 80 dport 1-2 to 198.18.1.0/24",
        );
        assert_eq!((x.priority, x.invert, x.tos), (Some(0), true, Some(0x10)));
        assert_eq!((x.fwmark, x.fwmask), (Some(5), Some(0xff)));
        assert_eq!(
            (x.iif.as_deref(), x.oif.as_deref()),
            (Some("v1"), Some("v2"))
        );
        assert!(x.l3mdev);
        assert_eq!(
            (x.tun_id, x.table, x.ip_proto),
            (Some(9), Some(100), Some(6))
        );
        assert_eq!(x.from.unwrap().to_string(), "198.18.0.0/16");
        assert_eq!(x.to.unwrap().to_string(), "198.18.1.0/24");
        assert_eq!(x.sport, Some(PortRange::single(80)));
        // Zero selects nothing, as in ip.
        let z = f("rule show fwmark 0/0 tun_id 0 table 0 ipproto 0 sport 0-5 dport 0");
        assert_eq!(z, RuleFilter::new().family(netplumb::Family::Ipv4));
        // A bare prefix is `to`; `d` is `dst`; `s` is `src`; `t` is `tun_id`.
        assert_eq!(
            f("rule show 198.18.0.0/16").to.unwrap().to_string(),
            "198.18.0.0/16"
        );
        assert_eq!(
            f("rule show d 198.18.0.0/16").to.unwrap().to_string(),
            "198.18.0.0/16"
        );
        assert_eq!(f("rule show s all").from.unwrap().to_string(), "0.0.0.0/0");
        assert_eq!(f("rule show t 5").tun_id, Some(5));
        assert_eq!(f("rule show lookup main").table, Some(254));
        assert_eq!(
            f("-6 rule show from 2001:db8::/32").from.unwrap().family(),
            10
        );
        // protocol: kept apart (flush only); `all` is none.
        let p = select("rule flush protocol static");
        assert_eq!(
            (p.protocol, p.filter.protocol),
            (Some(RouteProtocol(4)), None)
        );
        assert_eq!(select("rule flush protocol all").protocol, None);
        assert_eq!(select("-B rule flush").other_family, Some(7));
        for (line, first) in [
            (
                "rule show foo",
                "Error: inet prefix is expected rather than \"foo\".",
            ),
            (
                "rule show from 2001:db8::/32",
                "Error: inet prefix is expected rather than",
            ),
            (
                "-6 rule show to 198.18.0.0/16",
                "Error: inet6 prefix is expected rather than",
            ),
            (
                "rule show help",
                "Error: inet prefix is expected rather than \"help\".",
            ),
            (
                "rule show protocol foo",
                "Error: argument \"foo\" is wrong: invalid \"protocol\"",
            ),
            (
                "rule show table x",
                "Error: argument \"x\" is wrong: table id value is invalid",
            ),
            (
                "rule show dsfield x",
                "Error: argument \"x\" is wrong: TOS value is invalid",
            ),
            (
                "-0 rule show 198.18.0.0/16",
                "Error: \"198.18.0.0/16\" may be inet prefix",
            ),
            ("rule show pref", "Command line is not complete."),
        ] {
            let e = err(line);
            assert!(e.starts_with(first), "{line}:\n{e}");
        }
    }

    #[test]
    fn sscanf_like_reading() {
        assert_eq!(scan_range("1-2", 32), (Some(1), Some(2)));
        assert_eq!(scan_range("+1-+2", 32), (Some(1), Some(2)));
        assert_eq!(
            scan_range("1--2", 32),
            (Some(1), Some(u64::from(u32::MAX) - 1))
        );
        assert_eq!(scan_range("4294967296-0", 32), (Some(0), Some(0)));
        assert_eq!(
            scan_range("99999999999999999999999-1", 32),
            (Some(u64::from(u32::MAX)), Some(1))
        );
        assert_eq!(scan_range("0x10", 16), (Some(0), None));
        assert_eq!(scan_range("x", 16), (None, None));
        assert_eq!(scan_range("", 16), (None, None));
    }
}
