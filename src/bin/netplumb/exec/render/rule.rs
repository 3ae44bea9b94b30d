//! A policy routing rule as `ip rule show` and `ip monitor rule` print it (`print_rule` of
//! iproute2 6.1's `ip/iprule.c`), field by field in its order:
//!
//! ```text
//! 100:<TAB>not from 198.18.1.0/24 to 198.18.2.0/24 tos 0x10 fwmark 0x7/0xff iif v1 oif v2 uidrange 1-2 ipproto udp sport 1-2 dport 53 tun_id 9 lookup 1000 suppress_prefixlength 0 realms 3/4 proto static
//! 1000:<TAB>from all goto 2000 [unresolved]
//! ```
//!
//! (`<TAB>` is a tab.) The JSON members are `ip -j rule`'s: `priority`, `not` (null), `src`/`srclen`,
//! `dst`/`dstlen`, `tos`, `fwmark`/`fwmask` (hex strings), `iif`/`oif` (with
//! `iif_detached`/`oif_detached`), `l3mdev`, `uid_start`/`uid_end`, `ipproto`, `sport` or
//! `sport_start`/`sport_end` (and `dport`), `tun_id`, `table` (a name or a number as a
//! string), `suppress_prefixlen`, `suppress_ifgroup`, `flow_from`/`flow_to`, then the action
//! (`nat_gateway`, `masquerade`, `goto` with `unresolved`, `nop`, or `action`) and
//! `protocol` (for a rule installed by someone other than the kernel, every rule with `-d`).

use super::{Opts, Rec};
use crate::json::Value;
use crate::names::{self, NameTable};
use netplumb::wire::family::{AF_INET, AF_INET6};
use netplumb::wire::rule::{FRA_UNUSED2, RuleAction, RuleAttr, RuleFlags, RuleMessage};
use std::net::{IpAddr, Ipv4Addr};

/// `RTN_NAT`: the action `ip rule add nat ADDRESS` sets.
pub const RTN_NAT: RuleAction = RuleAction(10);

/// `RTPROT_KERNEL`: a rule the kernel made, printed without its protocol unless `-d`.
const RTPROT_KERNEL: u8 = 2;

/// `af_bit_len`: the length of a host prefix of the family (0 for other families).
fn host_len(family: u8) -> u8 {
    match family {
        AF_INET => 32,
        AF_INET6 => 128,
        _ => 0,
    }
}

/// The gateway `ip rule add nat ADDRESS` puts in `RTA_GATEWAY` (`FRA_UNUSED2`), if any.
fn nat_gateway(m: &RuleMessage) -> Option<IpAddr> {
    m.attrs.iter().find_map(|a| match a {
        RuleAttr::Unknown(u) if u.kind & 0x3fff == FRA_UNUSED2 => {
            let b: [u8; 4] = u.value.get(..4)?.try_into().ok()?;
            Some(IpAddr::V4(Ipv4Addr::from(b)))
        }
        _ => None,
    })
}

/// The `from` or `to` part: the prefix (its length left out for a host), `0/LEN` for a
/// length without an address, `from all` when there is neither.
fn prefix(rec: &mut Rec, m: &RuleMessage, src: bool) {
    let (text, key, len_key) = if src {
        ("from ", "src", "srclen")
    } else {
        (" to ", "dst", "dstlen")
    };
    let (addr, len) = if src {
        (m.source(), m.header.src_len)
    } else {
        (m.destination(), m.header.dst_len)
    };
    match addr {
        Some((a, _)) => {
            rec.text(text);
            rec.any(key, Value::addr(a, None), a);
            if len != host_len(m.header.family) {
                rec.any(len_key, u32::from(len), format_args!("/{len}"));
            }
        }
        None if len != 0 => {
            rec.any(key, "0", format_args!("{text}0"));
            rec.any(len_key, u32::from(len), format_args!("/{len}"));
        }
        None if src => {
            rec.any(key, "all", "from all");
        }
        None => {}
    }
}

/// `%#x` as iproute2's `print_0xhex` writes it: `0` for zero.
fn hex(v: u32) -> String {
    if v == 0 {
        "0".into()
    } else {
        format!("{v:#x}")
    }
}

/// One rule as `print_rule` prints it; `Deleted ` first for a removal.
pub fn rule(m: &RuleMessage, o: &Opts) -> Rec {
    let h = m.header;
    let numeric = o.numeric;
    let mut rec = o.rec();
    let prio = m.priority().unwrap_or(0);
    rec.any("priority", prio, format_args!("{prio}:\t"));
    if h.flags.contains(RuleFlags::INVERT) {
        rec.any("not", Value::Null, "not ");
    }
    prefix(&mut rec, m, true);
    prefix(&mut rec, m, false);
    if h.tos != 0 {
        let t = NameTable::Dsfield.name(u32::from(h.tos), numeric);
        rec.any("tos", t.as_str(), format_args!(" tos {t}"));
    }
    let (mark, mask) = (m.fwmark(), m.fwmask());
    if mark.is_some() || mask.is_some() {
        let mark = hex(mark.unwrap_or(0));
        rec.any("fwmark", mark.as_str(), format_args!(" fwmark {mark}"));
        if let Some(mask) = mask.filter(|k| *k != u32::MAX) {
            let mask = hex(mask);
            rec.any("fwmask", mask.as_str(), format_args!("/{mask}"));
        }
    }
    for (name, key, detached, flag) in [
        (m.iif_name(), "iif", "iif_detached", RuleFlags::IIF_DETACHED),
        (m.oif_name(), "oif", "oif_detached", RuleFlags::OIF_DETACHED),
    ] {
        if let Some(n) = name {
            rec.text(format_args!(" {key} "));
            rec.any(key, n, n);
            if h.flags.contains(flag) {
                rec.any(detached, Value::Null, " [detached]");
            }
        }
    }
    if m.l3mdev() {
        rec.any("l3mdev", Value::Null, " lookup [l3mdev-table]");
    }
    if let Some(u) = m.uid_range() {
        rec.any("uid_start", u.start, format_args!(" uidrange {}", u.start));
        rec.any("uid_end", u.end, format_args!("-{}", u.end));
    }
    if let Some(p) = m.ip_proto() {
        let n = names::ip_proto_name(p, numeric);
        rec.any("ipproto", n.as_str(), format_args!(" ipproto {n}"));
    }
    for (range, key, start, end) in [
        (m.sport(), "sport", "sport_start", "sport_end"),
        (m.dport(), "dport", "dport_start", "dport_end"),
    ] {
        let Some(r) = range else { continue };
        if r.start == r.end {
            rec.any(key, u32::from(r.start), format_args!(" {key} {}", r.start));
        } else {
            rec.any(
                start,
                u32::from(r.start),
                format_args!(" {key} {}", r.start),
            );
            rec.any(end, u32::from(r.end), format_args!("-{}", r.end));
        }
    }
    if let Some(id) = m.tun_id() {
        rec.any("tun_id", id, format_args!(" tun_id {id}"));
    }
    let table = m.table();
    if table != 0 {
        let t = NameTable::Tables.name(table, numeric);
        rec.any("table", t.as_str(), format_args!(" lookup {t}"));
        if let Some(pl) = m.suppress_prefixlen() {
            let pl = i64::from(pl as i32);
            rec.any(
                "suppress_prefixlen",
                pl,
                format_args!(" suppress_prefixlength {pl}"),
            );
        }
        if let Some(g) = m.suppress_ifgroup() {
            let g = NameTable::Groups.name(g, numeric);
            rec.any(
                "suppress_ifgroup",
                g.as_str(),
                format_args!(" suppress_ifgroup {g}"),
            );
        }
    }
    if let Some(flow) = m.flow() {
        let (from, to) = (flow >> 16, flow & 0xffff);
        if from != 0 {
            let f = NameTable::Realms.name(from, numeric);
            rec.any("flow_from", f.as_str(), format_args!(" realms {f}/"));
        } else {
            rec.text(" realms ");
        }
        let t = NameTable::Realms.name(to, numeric);
        rec.any("flow_to", t.as_str(), &t);
    }
    action(&mut rec, m, numeric);
    if let Some(p) = m.protocol().map(|p| p.0)
        && ((p != 0 && p != RTPROT_KERNEL) || o.details)
    {
        let n = NameTable::Protos.name(u32::from(p), numeric);
        rec.any("protocol", n.as_str(), format_args!(" proto {n}"));
    }
    rec.text("\n");
    rec
}

/// What the rule does, unless it looks a table up (printed above as `lookup TABLE`).
fn action(rec: &mut Rec, m: &RuleMessage, numeric: bool) {
    let h = m.header;
    match h.action {
        RTN_NAT => match nat_gateway(m) {
            Some(gw) => {
                rec.any(
                    "nat_gateway",
                    Value::addr(gw, None),
                    format_args!(" map-to {gw}"),
                );
            }
            None => {
                rec.any("masquerade", Value::Null, " masquerade");
            }
        },
        RuleAction::GOTO => {
            match m.goto_target() {
                Some(t) => rec.any("goto", t, format_args!(" goto {t}")),
                None => rec.any("goto", "none", " goto none"),
            };
            if h.flags.contains(RuleFlags::UNRESOLVED) {
                rec.any("unresolved", Value::Null, " [unresolved]");
            }
        }
        RuleAction::NOP => {
            rec.any("nop", Value::Null, " nop");
        }
        RuleAction::TO_TBL => {}
        other => {
            let n = names::route_type_name(other.0, numeric);
            rec.any("action", n.as_str(), format_args!(" {n}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use netplumb::wire::rule::{PortRange, RuleHeader, UidRange};

    fn text_and_json(m: &RuleMessage, o: &Opts) -> (String, String) {
        let r = rule(m, o);
        (r.text_str().to_string(), r.into_value().to_text(false))
    }

    #[test]
    fn the_default_rules() {
        let local = RuleMessage::new(RuleHeader {
            table: 255,
            action: RuleAction::TO_TBL,
            ..RuleHeader::new(AF_INET)
        })
        .with(RuleAttr::Table(255))
        .with(RuleAttr::SuppressPrefixLen(u32::MAX))
        .with(RuleAttr::Protocol(netplumb::wire::route::RouteProtocol(2)));
        let (t, j) = text_and_json(&local, &Opts::default());
        assert_eq!(t, "0:\tfrom all lookup local\n");
        assert_eq!(j, r#"{"priority":0,"src":"all","table":"local"}"#);
        let d = Opts {
            details: true,
            ..Opts::default()
        };
        assert_eq!(
            text_and_json(&local, &d).0,
            "0:\tfrom all lookup local proto kernel\n"
        );
    }

    #[test]
    fn every_field_in_ips_order() {
        let m = RuleMessage::new(RuleHeader {
            src_len: 24,
            dst_len: 32,
            tos: 0x10,
            table: 0,
            action: RuleAction::TO_TBL,
            flags: RuleFlags::INVERT | RuleFlags::IIF_DETACHED,
            family: AF_INET,
        })
        .with(RuleAttr::Source("198.18.1.0".parse().unwrap()))
        .with(RuleAttr::Destination("198.18.2.1".parse().unwrap()))
        .with(RuleAttr::FwMark(7))
        .with(RuleAttr::FwMask(0xff))
        .with(RuleAttr::IifName("v1".into()))
        .with(RuleAttr::OifName("v2".into()))
        .with(RuleAttr::UidRange(UidRange { start: 1, end: 2 }))
        .with(RuleAttr::IpProto(250))
        .with(RuleAttr::SourcePortRange(PortRange { start: 1, end: 2 }))
        .with(RuleAttr::DestinationPortRange(PortRange::single(53)))
        .with(RuleAttr::TunId(9))
        .with(RuleAttr::Table(1000))
        .with(RuleAttr::SuppressPrefixLen(0))
        .with(RuleAttr::SuppressIfGroup(u32::MAX))
        .with(RuleAttr::Flow(3 << 16 | 4))
        .with(RuleAttr::Priority(100))
        .with(RuleAttr::Protocol(netplumb::wire::route::RouteProtocol(4)));
        let (t, j) = text_and_json(&m, &Opts::default());
        assert_eq!(
            t,
            "100:\tnot from 198.18.1.0/24 to 198.18.2.1 tos 0x10 fwmark 0x7/0xff iif v1 \
             [detached] oif v2 uidrange 1-2 ipproto ipproto-250 sport 1-2 dport 53 tun_id 9 \
             lookup 1000 suppress_prefixlength 0 realms 3/4 proto static\n"
        );
        assert_eq!(
            j,
            r#"{"priority":100,"not":null,"src":"198.18.1.0","srclen":24,"dst":"198.18.2.1","tos":"0x10","fwmark":"0x7","fwmask":"0xff","iif":"v1","iif_detached":null,"oif":"v2","uid_start":1,"uid_end":2,"ipproto":"ipproto-250","sport_start":1,"sport_end":2,"dport":53,"tun_id":9,"table":"1000","suppress_prefixlen":0,"flow_from":"3","flow_to":"4","protocol":"static"}"#
        );
    }

    #[test]
    fn actions() {
        let with = |action: u8| {
            RuleMessage::new(RuleHeader {
                action: RuleAction(action),
                ..RuleHeader::new(AF_INET6)
            })
            .with(RuleAttr::Priority(5))
        };
        let t = |m: &RuleMessage| rule(m, &Opts::default()).text_str().to_string();
        assert_eq!(t(&with(3)), "5:\tfrom all nop\n");
        assert_eq!(t(&with(6)), "5:\tfrom all blackhole\n");
        assert_eq!(t(&with(8)), "5:\tfrom all prohibit\n");
        assert_eq!(t(&with(2)), "5:\tfrom all goto none\n");
        let mut g = with(2).with(RuleAttr::Goto(7));
        g.header.flags = RuleFlags::UNRESOLVED;
        assert_eq!(t(&g), "5:\tfrom all goto 7 [unresolved]\n");
        assert_eq!(t(&with(10)), "5:\tfrom all masquerade\n");
        // A prefix length without an address, and fwmark 0 with a full mask.
        let mut m = with(1).with(RuleAttr::FwMask(u32::MAX));
        m.header.src_len = 8;
        m.header.dst_len = 16;
        assert_eq!(t(&m), "5:\tfrom 0/8 to 0/16 fwmark 0\n");
        let deleted = Opts {
            deleted: true,
            ..Opts::default()
        };
        assert_eq!(
            rule(&with(7), &deleted).into_value().to_text(false),
            r#"{"deleted":true,"priority":5,"src":"all","action":"unreachable"}"#
        );
    }
}
