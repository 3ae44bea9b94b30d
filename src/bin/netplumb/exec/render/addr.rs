//! An address as `ip address show` and `ip monitor address` print it (`print_addrinfo`).

use super::{Opts, Rec};
use crate::cmd::addr::IfaFlags;
use crate::exec::links::Links;
use crate::names::{self, NameTable};
use netplumb::addr::{AddrFlags, INFINITY_LIFE_TIME};
use netplumb::wire::addr::{AddressAttr, AddressMessage};

/// `index` and `dev`, and the text `N: DEV`, as `ip -o address show` and `ip monitor` begin
/// an address.
pub fn index_and_dev(rec: &mut Rec, m: &AddressMessage, links: &Links<'_>) {
    let dev = links.name(m.header.index);
    rec.json("index", m.header.index).json("dev", dev.as_str());
    rec.text(format!("{}: {dev}", m.header.index));
}

/// One address as `ip monitor` prints it: [`index_and_dev`], then [`addr_fields`].
pub fn address(m: &AddressMessage, links: &Links<'_>, o: &Opts) -> Rec {
    let mut r = o.rec();
    index_and_dev(&mut r, m, links);
    addr_fields(&mut r, m, false, o);
    r
}

/// One `addr_info` entry (`print_addrinfo`).
pub fn addr_fields(rec: &mut Rec, m: &AddressMessage, brief: bool, o: &Opts) {
    let (numeric, oneline) = (o.numeric, o.oneline);
    let h = m.header;
    let v6 = i32::from(h.family) == libc::AF_INET6;
    if !brief {
        match i32::from(h.family) {
            libc::AF_INET => rec.any("family", "inet", "    inet "),
            libc::AF_INET6 => rec.any("family", "inet6", "    inet6 "),
            f => rec.any("family_index", f as u32, format!("    family {f} ")),
        };
    }
    let local = m.local().or_else(|| m.address());
    let address = m.address().or(local);
    if let Some(l) = local {
        let s = l.to_string();
        rec.any("local", s.as_str(), &s);
        if let Some(a) = address.filter(|a| *a != l) {
            let s = a.to_string();
            rec.text(" peer ");
            rec.any("address", s.as_str(), &s);
        }
        rec.any(
            "prefixlen",
            u32::from(h.prefix_len),
            format!("/{} ", h.prefix_len),
        );
        if let Some(metric) = m.attrs.iter().find_map(|a| match a {
            AddressAttr::RtPriority(p) => Some(*p),
            _ => None,
        }) {
            rec.any("metric", metric, format!("metric {metric} "));
        }
    }
    if brief {
        return;
    }
    if let Some(b) = m.broadcast() {
        let s = b.to_string();
        rec.text("brd ");
        rec.any("broadcast", s.as_str(), format!("{s} "));
    }
    if let Some(a) = m.attrs.iter().find_map(|a| match a {
        AddressAttr::Anycast(a) => Some(*a),
        _ => None,
    }) {
        let s = a.to_string();
        rec.text("any ");
        rec.any("anycast", s.as_str(), format!("{s} "));
    }
    let scope = NameTable::Scopes.name(u32::from(h.scope.0), numeric);
    rec.any("scope", scope.as_str(), format!("scope {scope} "));
    ifa_flags(rec, m, v6);
    if let Some(l) = m.label() {
        rec.any("label", l, l);
    }
    lifetimes(rec, m, oneline);
    rec.text("\n");
}

/// `print_ifa_flags`: the `IFA_F_*` names, `dynamic` for an address that is not
/// permanent, the bits `ip` has no name for in hex.
fn ifa_flags(rec: &mut Rec, m: &AddressMessage, v6: bool) {
    let mut flags = m.flags().bits();
    for (bit, name) in &names::ADDR_FLAGS {
        if *bit == IfaFlags::PERMANENT {
            if flags & bit == 0 {
                rec.any("dynamic", true, "dynamic ");
            }
        } else if flags & bit != 0 {
            if *bit == IfaFlags::SECONDARY && v6 {
                rec.any("temporary", true, "temporary ");
            } else {
                rec.any(name, true, format!("{name} "));
            }
        }
        flags &= !bit;
    }
    if flags != 0 {
        rec.any(
            "ifa_flags",
            format!("{flags:02x}"),
            format!("flags {flags:02x} "),
        );
    }
}

/// The lifetimes line of `IFA_CACHEINFO` (`valid_lft ... preferred_lft ...`).
fn lifetimes(rec: &mut Rec, m: &AddressMessage, oneline: bool) {
    if let Some(ci) = m.cacheinfo() {
        // `-o` keeps the record on one line: `\` stands for the line break.
        rec.text(if oneline { "\\" } else { "\n" });
        rec.text("       valid_lft ");
        if ci.valid == INFINITY_LIFE_TIME {
            rec.json("valid_life_time", INFINITY_LIFE_TIME);
            rec.text("forever");
        } else {
            rec.any("valid_life_time", ci.valid, format!("{}sec", ci.valid));
        }
        rec.text(" preferred_lft ");
        if ci.preferred == INFINITY_LIFE_TIME {
            rec.json("preferred_life_time", INFINITY_LIFE_TIME);
            rec.text("forever");
        } else if m.flags().contains(AddrFlags::DEPRECATED) {
            let v = ci.preferred as i32;
            rec.any("preferred_life_time", i64::from(v), format!("{v}sec"));
        } else {
            rec.any(
                "preferred_life_time",
                ci.preferred,
                format!("{}sec", ci.preferred),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monitor_form_of_an_address() {
        let a = AddressMessage::new(3, "198.18.0.1".parse().unwrap(), 24);
        let o = Opts {
            deleted: true,
            ..Opts::default()
        };
        let r = address(&a, &Links::new(None), &o);
        assert!(
            r.text_str()
                .starts_with("Deleted 3: if3    inet 198.18.0.1/24 scope global"),
            "{}",
            r.text_str()
        );
    }
}
