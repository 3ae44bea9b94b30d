//! `monitor [all] [link] [address] [route] [neigh] [OTHERS] [label] [dev DEV] [file FILE]`:
//! prints kernel events as they happen, like `ip monitor`, through the library's
//! [`netplumb::events::Monitor`] opened in the `-n` namespace. Standard output is flushed
//! after every event.
//!
//! # Text
//! One record per event in `ip monitor`'s layout (see [`super::render`] for the fields),
//! `Deleted ` before a removal, the object in brackets (`[LINK]`, `[ADDR]`, `[ROUTE]`,
//! `[NEIGH]`, ...) before each record with `label`. A link or address takes two lines, as in ip:
//!
//! ```text
//! [LINK]5: va@vb: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN group default
//!     link/ether 8a:93:ea:d5:b7:2d brd ff:ff:ff:ff:ff:ff
//! [ADDR]Deleted 5: va    inet 198.18.0.1/24 scope global va
//!        valid_lft forever preferred_lft forever
//! ```
//!
//! `-t` prints a `Timestamp: ...` line before each record and `-ts` a `[...]` prefix; both
//! in UTC (ip uses local time).
//!
//! # JSON (`-j`, netplumb's own: iproute2 6.1 prints text even with `-j`)
//! One JSON object per line (per event; `-p` spreads it over several lines): `"object"`
//! (`"link"`, `"address"`, `"route"`, `"mroute"`, `"neigh"`, `"rule"`, `"nsid"`, or for the
//! objects netplumb does not decode `"netconf"`, `"nexthop"`, `"prefix"`, `"stats"`,
//! `"other"`), then, as
//! ip prints the object in JSON, `"deleted": true` for a removal (absent otherwise) and the
//! object's fields with `ip -j` names and value formats, e.g.
//!
//! ```text
//! {"object":"link","deleted":true,"ifindex":5,"link":"vb","ifname":"va","flags":["BROADCAST","MULTICAST"],...}
//! {"object":"address","index":5,"dev":"va","family":"inet","local":"198.18.0.1","prefixlen":24,...}
//! ```
//!
//! With `-t`/`-ts` a `"timestamp"` member (RFC 3339, UTC) comes first. Objects netplumb does
//! not decode carry `"type"` (the message type's uapi name or number) and `"len"` (payload
//! bytes) only.
//!
//! # Objects
//! `all`, or no object, is link, address, route, neigh and rule. The other objects ip knows
//! (`rule`, `netconf`, `nsid`, `nexthop`, `prefix`, `mroute`, `stats`) are subscribed to
//! when named; `rule` events print as `ip rule show` prints rules, `nsid` events as `ip`'s
//! `print_nsid` prints them (`nsid 5 (iproute2 netns name: NAME)`, the names read under
//! /run/netns when the monitor starts and for each new id), the others in the short form
//! above. `-4`/`-6` restrict addresses, routes, neighbours and rules to one family; `dev
//! DEV` restricts every object but rules to one link (as in ip). `-d`, `-N` and `-s` show
//! what they show in the `show` commands (`ip -d monitor`: a link's details and virtual
//! functions, a rule's protocol). `all-nsid` is refused (the library's monitor does not
//! listen to peer namespaces).
//!
//! # Lost events
//! When the kernel dropped events (receive queue overrun) a line says so on stderr, the queue
//! is drained as [`netplumb::events`] prescribes, the link names are dumped again, and
//! monitoring goes on. A message that does not decode is reported on stderr and skipped.
//!
//! `file FILE` prints the events saved in FILE (raw netlink messages, or annotated hex as
//! `decode` reads) instead of listening.

use super::links::Links;
use super::render::route::Hide;
use super::render::{self, Opts, Rec};
use super::{decode_core, output};
use crate::args::Family;
use crate::cmd::Run;
use crate::cmd::monitor::Monitor;
use crate::ctx::Ctx;
use crate::error::{CliError, Res, error_text, failed};
use crate::json::Value;
use netplumb::Error;
use netplumb::events::{Event, Group, Monitor as EventMonitor};
use netplumb::wire::Messages;
use netplumb::wire::nlmsg::message_type_name;
use netplumb::wire::nsid::{NsidAttr, NsidMessage};
use std::time::{SystemTime, UNIX_EPOCH};

/// What the kernel dropped, in the words the brief promises scripts.
const OVERRUN: &str =
    "netplumb: events were lost (receive queue overrun); re-dump to resynchronise";

impl Run for Monitor {
    fn run(&self, ctx: &Ctx<'_>) -> Res<()> {
        run(self, ctx)
    }
}

/// Runs `monitor`.
fn run(cmd: &Monitor, ctx: &Ctx<'_>) -> Result<(), CliError> {
    if cmd.all_nsid {
        return Err(CliError::Failed(
            "Error: \"all-nsid\" is not supported by netplumb monitor.".to_string(),
        ));
    }
    let mut p = Printer {
        sel: Selection::of(cmd),
        family: family_af(ctx.globals.family),
        dev: None,
        json: ctx.globals.json,
        pretty: ctx.globals.pretty,
        label: cmd.label,
        timestamp: ctx.globals.timestamp,
        opts: Opts {
            oneline: false,
            deleted: false,
            ..Opts::of(ctx.globals)
        },
    };
    if let Some(file) = &cmd.file {
        return replay(file, cmd, &mut p);
    }
    let groups = p.groups();
    let mut monitor = match ctx.netns()? {
        Some(ns) => EventMonitor::in_netns(ns, &groups),
        None => EventMonitor::new(&groups),
    }
    .map_err(failed)?;
    if let Some(size) = ctx.globals.rcvbuf {
        monitor.set_recv_buffer(size as usize).map_err(failed)?;
    }
    // Subscribed first, then the names dumped: no event falls between the two.
    let handle = ctx.handle()?;
    let links = Links::new(Some(handle));
    links.refresh();
    // ip monitor reads the names of the namespaces with an id at its start: a link in (or
    // moving to) a namespace that gets its id later is printed with the id, not the name.
    links.load_netns();
    if let Some(dev) = &cmd.dev {
        p.dev = Some(handle.link_index(dev.as_str()).map_err(failed)?);
    }
    loop {
        match monitor.next_event() {
            Ok(ev) => p.event(&ev, &links)?,
            Err(e) if e.is_overrun() => {
                eprintln!("{OVERRUN}");
                monitor.drain_all().map_err(failed)?;
                links.refresh();
            }
            Err(Error::Decode(e)) => eprintln!("netplumb: an event did not decode: {e}"),
            Err(e) => return Err(failed(e)),
        }
    }
}

/// `monitor file FILE`: the saved events, printed as if they were happening.
fn replay(file: &str, cmd: &Monitor, p: &mut Printer) -> Result<(), CliError> {
    let raw = std::fs::read(file).map_err(|e| {
        CliError::Failed(format!(
            "Cannot open file \"{file}\" for reading: {}",
            error_text(&Error::io("read", e))
        ))
    })?;
    let bytes =
        decode_core::input_bytes(&raw).map_err(|e| CliError::Failed(format!("Error: {e}.")))?;
    let links = Links::new(None);
    for r in Messages::new(&bytes) {
        let (at, m) = r.map_err(|e| CliError::Failed(decode_core::error_line(&e)))?;
        let ev = Event::parse(m.message_type(), m.payload())
            .map_err(|e| CliError::Failed(decode_core::error_line(&e.shift(at + 16))))?;
        if let (Some(dev), Event::NewLink(l) | Event::DelLink(l)) = (&cmd.dev, &ev)
            && l.name() == Some(dev.as_str())
            && p.dev.is_none()
        {
            p.dev = u32::try_from(l.index()).ok();
        }
        p.event(&ev, &links)?;
    }
    Ok(())
}

/// Which objects were asked for.
#[derive(Debug, Clone, Copy, Default)]
struct Selection {
    link: bool,
    address: bool,
    route: bool,
    neigh: bool,
    rule: bool,
    netconf: bool,
    nsid: bool,
    nexthop: bool,
    prefix: bool,
    mroute: bool,
    stats: bool,
}

impl Selection {
    fn of(cmd: &Monitor) -> Selection {
        if cmd.everything() {
            return Selection {
                link: true,
                address: true,
                route: true,
                neigh: true,
                rule: true,
                ..Selection::default()
            };
        }
        let has = |o: &str| cmd.others.iter().any(|x| x == o);
        Selection {
            link: cmd.link,
            address: cmd.address,
            route: cmd.route,
            neigh: cmd.neigh,
            rule: has("rule"),
            netconf: has("netconf"),
            nsid: has("nsid"),
            nexthop: has("nexthop"),
            prefix: has("prefix"),
            mroute: has("mroute"),
            stats: has("stats"),
        }
    }
}

/// The address family `-4`/`-6`/`-f` select, if any (`-0` selects none here).
fn family_af(f: Family) -> Option<u8> {
    Some(f.af()).filter(|_| !matches!(f, Family::Unspec | Family::Link))
}

struct Printer {
    sel: Selection,
    family: Option<u8>,
    dev: Option<u32>,
    json: bool,
    pretty: bool,
    label: bool,
    timestamp: Option<bool>,
    /// `-d`, `-N`, `-s`: what the records show, as in the `show` commands.
    opts: Opts,
}

impl Printer {
    /// The multicast groups for the selection and family.
    fn groups(&self) -> Vec<Group> {
        let s = self.sel;
        let v4 = self.family.is_none_or(|f| i32::from(f) == libc::AF_INET);
        let v6 = self.family.is_none_or(|f| i32::from(f) == libc::AF_INET6);
        let mut g = Vec::new();
        let mut add = |on: bool, group: Group| {
            if on {
                g.push(group);
            }
        };
        add(s.link, Group::Link);
        add(s.address && v4, Group::Ipv4Addr);
        add(s.address && v6, Group::Ipv6Addr);
        add(s.route && v4, Group::Ipv4Route);
        add(s.route && v6, Group::Ipv6Route);
        add(s.neigh, Group::Neigh);
        add(s.rule && v4, Group::Ipv4Rule);
        add(s.rule && v6, Group::Ipv6Rule);
        add(s.netconf && v4, Group::Ipv4Netconf);
        add(s.netconf && v6, Group::Ipv6Netconf);
        // RTNLGRP_MPLS_NETCONF.
        add(s.netconf && self.family.is_none(), Group::Other(29));
        add(s.nsid, Group::Nsid);
        add(s.nexthop, Group::Nexthop);
        add(s.prefix && v6, Group::Ipv6Prefix);
        // RTNLGRP_IPV4_MROUTE, RTNLGRP_IPV6_MROUTE.
        add(s.mroute && v4, Group::Other(6));
        add(s.mroute && v6, Group::Other(10));
        // RTNLGRP_STATS.
        add(s.stats, Group::Other(36));
        if g.is_empty() {
            // `-6 monitor rule` with nothing left still needs a group to wait on.
            g.push(Group::Link);
        }
        g
    }

    fn family_ok(&self, af: u8) -> bool {
        self.family.is_none_or(|f| f == af)
    }

    fn dev_ok(&self, index: u32) -> bool {
        self.dev.is_none_or(|d| d == index)
    }

    /// Prints one event if the selection wants it.
    fn event(&self, ev: &Event, links: &Links<'_>) -> Result<(), CliError> {
        let deleted = matches!(
            ev,
            Event::DelLink(_)
                | Event::DelAddress(_)
                | Event::DelRoute(_)
                | Event::DelNeigh(_)
                | Event::DelRule(_)
                | Event::DelNsid(_)
        );
        let o = Opts {
            deleted,
            ..self.opts
        };
        let (object, label, rec) = match ev {
            Event::NewLink(m) | Event::DelLink(m) => {
                let index = u32::try_from(m.index()).unwrap_or(0);
                links.learn(m);
                if !self.sel.link || !self.dev_ok(index) {
                    return Ok(());
                }
                (
                    "link",
                    "LINK",
                    render::link::link(m, links, &o, render::link::View::MONITOR),
                )
            }
            Event::NewAddress(m) | Event::DelAddress(m) => {
                let h = m.header;
                if !self.sel.address || !self.family_ok(h.family) || !self.dev_ok(h.index) {
                    return Ok(());
                }
                ("address", "ADDR", render::addr::address(m, links, &o))
            }
            Event::NewRoute(m) | Event::DelRoute(m) => {
                let af = m.header.family;
                // IPMR/IP6MR families (128, 129) are multicast routes.
                let mroute = af >= 128;
                let wanted = if mroute {
                    self.sel.mroute
                } else {
                    self.sel.route
                };
                let on_dev = self.dev.is_none_or(|d| {
                    m.oif() == Some(d)
                        || m.iif() == Some(d)
                        || m.multipath()
                            .is_some_and(|nhs| nhs.iter().any(|nh| nh.ifindex == d))
                });
                if !wanted || !(mroute || self.family_ok(af)) || !on_dev {
                    return Ok(());
                }
                let label = if mroute { "MROUTE" } else { "ROUTE" };
                let object = if mroute { "mroute" } else { "route" };
                (
                    object,
                    label,
                    render::route::route(m, &Hide::default(), links, &o),
                )
            }
            Event::NewNeigh(m) | Event::DelNeigh(m) => {
                let h = m.header;
                let index = u32::try_from(h.ifindex).unwrap_or(0);
                if !self.sel.neigh || !self.family_ok(h.family) || !self.dev_ok(index) {
                    return Ok(());
                }
                ("neigh", "NEIGH", render::neigh::neigh(m, false, links, &o))
            }
            Event::Other { msg_type, bytes } => {
                let (object, label, deleted, wanted) = other_object(*msg_type, &self.sel);
                if !wanted || self.dev.is_some() {
                    return Ok(());
                }
                (object, label, other_record(*msg_type, bytes.len(), deleted))
            }
            // `dev` does not apply to rules (ip prints them whatever it names).
            Event::NewRule(m) | Event::DelRule(m) => {
                if !self.sel.rule || !self.family_ok(m.header.family) {
                    return Ok(());
                }
                ("rule", "RULE", render::rule::rule(m, &o))
            }
            Event::NewNsid(m) | Event::DelNsid(m) => {
                if !self.sel.nsid || self.dev.is_some() {
                    return Ok(());
                }
                ("nsid", "NSID", nsid_record(m, links, &o))
            }
            // An event type a later library decodes: not printed until the monitor knows it.
            _ => return Ok(()),
        };
        self.print(object, label, rec)
    }

    fn print(&self, object: &str, label: &str, rec: Rec) -> Result<(), CliError> {
        let stamp = self.timestamp.map(|short| (short, now()));
        let mut out = String::new();
        if self.json {
            let mut members = Vec::new();
            if let Some((_, t)) = &stamp {
                members.push(("timestamp".to_string(), Value::Str(t.rfc3339())));
            }
            members.push(("object".to_string(), Value::from(object)));
            if let Value::Object(m) = rec.into_value() {
                members.extend(m);
            }
            out.push_str(&Value::Object(members).to_text(self.pretty));
            out.push('\n');
        } else {
            match &stamp {
                Some((false, t)) => out.push_str(&format!("Timestamp: {}\n", t.long())),
                Some((true, t)) => out.push_str(&format!("[{}] ", t.short())),
                None => {}
            }
            if self.label {
                out.push_str(&format!("[{label}]"));
            }
            // ip's lines end in a blank; netplumb's do not.
            for line in rec.text_str().trim_end().lines() {
                out.push_str(line.trim_end());
                out.push('\n');
            }
        }
        output::write_stdout(out.as_bytes())
    }
}

/// `print_nsid`: an id given or gone, and the name of the namespace under /run/netns.
fn nsid_record(m: &NsidMessage, links: &Links<'_>, o: &Opts) -> Rec {
    let mut r = o.rec();
    let id = m.nsid();
    match id {
        Some(id) => r.any("nsid", Value::I64(id.into()), format_args!("nsid {id} ")),
        None => r.text("nsid unassigned "),
    };
    let current = m.attrs.iter().find_map(|a| match a {
        NsidAttr::CurrentNsid(c) => Some(*c),
        _ => None,
    });
    match current {
        Some(c) if c >= 0 => {
            r.any(
                "current-nsid",
                Value::I64(c.into()),
                format_args!("current-nsid {c} "),
            );
        }
        Some(_) => {
            r.text("current-nsid unassigned ");
        }
        None => {}
    }
    let key = current.or(id).unwrap_or(-1);
    if let Some(n) = links.netns_name_for_event(key, !o.deleted) {
        r.any(
            "name",
            n.as_str(),
            format_args!("(iproute2 netns name: {n})"),
        );
    }
    r
}

/// For a message type netplumb does not decode: its object word, label, whether it is a
/// removal, and whether the selection wants it.
fn other_object(kind: u16, s: &Selection) -> (&'static str, &'static str, bool, bool) {
    // rtnetlink types come in fours from 16: NEW, DEL, GET, SET.
    let deleted = kind >= 16 && kind % 4 == 1;
    match kind {
        32..=35 => ("rule", "RULE", deleted, s.rule),
        80..=83 => ("netconf", "NETCONF", deleted, s.netconf),
        88..=91 => ("nsid", "NSID", deleted, s.nsid),
        104..=107 => ("nexthop", "NEXTHOP", deleted, s.nexthop),
        52 => ("prefix", "PREFIX", false, s.prefix),
        92..=95 => ("stats", "STATS", deleted, s.stats),
        _ => ("other", "OTHER", false, false),
    }
}

fn other_record(kind: u16, len: usize, deleted: bool) -> Rec {
    let name = message_type_name(kind)
        .map(str::to_string)
        .or_else(|| {
            Some(match kind {
                52 => "RTM_NEWPREFIX".to_string(),
                80 => "RTM_NEWNETCONF".to_string(),
                81 => "RTM_DELNETCONF".to_string(),
                92 => "RTM_NEWSTATS".to_string(),
                104 => "RTM_NEWNEXTHOP".to_string(),
                105 => "RTM_DELNEXTHOP".to_string(),
                _ => return None,
            })
        })
        .unwrap_or_else(|| kind.to_string());
    let mut v = Value::object();
    if deleted {
        v.push("deleted", true);
    }
    v.push("type", name.as_str()).push("len", len as u64);
    let text = format!(
        "{}{name}: {len} bytes (not decoded by netplumb)",
        if deleted { "Deleted " } else { "" }
    );
    Rec::from_parts(v, text)
}

/// A wall-clock time, broken down in UTC.
struct Stamp {
    micros: u32,
    /// (year, month 1-12, day 1-31, hour, minute, second, weekday 0 = Sunday)
    civil: (i64, u32, u32, u32, u32, u32, u32),
}

fn now() -> Stamp {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = d.as_secs();
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let weekday = (days + 4).rem_euclid(7);
    let small = |v: i64| u32::try_from(v).unwrap_or(0);
    Stamp {
        micros: d.subsec_micros(),
        civil: (
            year,
            small(month),
            small(day),
            small(i64::try_from(rem / 3600).unwrap_or(0)),
            small(i64::try_from(rem % 3600 / 60).unwrap_or(0)),
            small(i64::try_from(rem % 60).unwrap_or(0)),
            small(weekday),
        ),
    }
}

impl Stamp {
    /// `2024-05-01T12:34:56.123456Z`.
    fn rfc3339(&self) -> String {
        format!("{}Z", self.short())
    }

    /// `2024-05-01T12:34:56.123456` (`-ts`).
    fn short(&self) -> String {
        let (y, mo, d, h, mi, s, _) = self.civil;
        format!(
            "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:06}",
            self.micros
        )
    }

    /// `Wed May  1 12:34:56 2024 123456 usec` (`-t`, ctime's layout).
    fn long(&self) -> String {
        let (y, mo, d, h, mi, s, wd) = self.civil;
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
        let months = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        format!(
            "{} {} {d:2} {h:02}:{mi:02}:{s:02} {y} {} usec",
            days.get(wd as usize).unwrap_or(&"???"),
            months.get(mo.saturating_sub(1) as usize).unwrap_or(&"???"),
            self.micros
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_objects_are_named() {
        let all = Selection {
            rule: true,
            nsid: true,
            ..Selection::default()
        };
        assert_eq!(other_object(32, &all), ("rule", "RULE", false, true));
        assert_eq!(other_object(33, &all), ("rule", "RULE", true, true));
        assert_eq!(other_object(89, &all), ("nsid", "NSID", true, true));
        assert!(!other_object(80, &all).3);
        let r = other_record(33, 12, true);
        assert_eq!(
            r.text_str(),
            "Deleted RTM_DELRULE: 12 bytes (not decoded by netplumb)"
        );
    }

    #[test]
    fn groups_follow_objects_and_family() {
        let p = Printer {
            sel: Selection {
                address: true,
                route: true,
                ..Selection::default()
            },
            family: family_af(Family::Inet6),
            dev: None,
            json: false,
            pretty: false,
            label: false,
            timestamp: None,
            opts: Opts::default(),
        };
        assert_eq!(p.groups(), vec![Group::Ipv6Addr, Group::Ipv6Route]);
    }

    #[test]
    fn timestamps_are_well_formed() {
        let t = now();
        let s = t.rfc3339();
        assert_eq!(s.len(), "2024-05-01T12:34:56.123456Z".len(), "{s}");
        assert!(s.ends_with('Z') && s.as_bytes()[10] == b'T');
        assert!(t.long().ends_with(" usec"));
        let epoch = Stamp {
            micros: 0,
            civil: (1970, 1, 1, 0, 0, 0, 4),
        };
        assert_eq!(epoch.long(), "Thu Jan  1 00:00:00 1970 0 usec");
    }
}
