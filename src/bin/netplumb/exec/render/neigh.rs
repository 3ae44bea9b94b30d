//! A neighbour as `ip neigh show` and `ip monitor neigh` print it (`print_neigh`).

use super::{Opts, Rec, USER_HZ};
use crate::exec::links::Links;
use crate::json::Value;
use crate::names::{self, NameTable};
use netplumb::neigh::NeighFlags;
use netplumb::wire::neigh::{NeighAttr, NeighMessage};

pub use netplumb::wire::neigh::NTF_EXT_MANAGED;

/// One entry as `print_neigh` prints it; `dev` is left out when a `dev` selector fixed it.
pub fn neigh(m: &NeighMessage, hide_dev: bool, links: &Links<'_>, o: &Opts) -> Rec {
    let h = m.header;
    let mut rec = o.rec();
    if let Some(d) = m.destination() {
        let s = d.to_string();
        rec.any("dst", s.as_str(), format!("{s} "));
    }
    let ifindex = u32::try_from(h.ifindex).unwrap_or(0);
    if !hide_dev && ifindex != 0 {
        let n = links.name(ifindex);
        rec.text("dev ");
        rec.any("dev", n.as_str(), format!("{n} "));
    }
    if let Some(ll) = m.lladdr() {
        let s = names::ll_addr(ll, links.kind(ifindex));
        rec.text("lladdr ");
        rec.any("lladdr", s.as_str(), format!("{s} "));
    }
    let ext = m
        .attrs
        .iter()
        .find_map(|a| match a {
            NeighAttr::FlagsExt(v) => Some(*v),
            _ => None,
        })
        .unwrap_or(0);
    if h.flags.contains(NeighFlags::ROUTER) {
        rec.any("router", Value::Null, "router ");
    }
    if h.flags.contains(NeighFlags::PROXY) {
        rec.any("proxy", Value::Null, "proxy ");
    }
    if ext & NTF_EXT_MANAGED != 0 {
        rec.any("managed", Value::Null, "managed ");
    }
    if h.flags.contains(NeighFlags::EXT_LEARNED) {
        rec.any("extern_learn", Value::Null, "extern_learn ");
    }
    if h.flags.contains(NeighFlags::OFFLOADED) {
        rec.any("offload", Value::Null, "offload ");
    }
    if o.stats > 0 {
        if let Some(ci) = m.cacheinfo() {
            if ci.refcnt != 0 {
                rec.any("refcnt", ci.refcnt, format!(" ref {}", ci.refcnt));
            }
            rec.any(
                "used",
                ci.used / USER_HZ,
                format!(" used {}", ci.used / USER_HZ),
            );
            rec.any(
                "confirmed",
                ci.confirmed / USER_HZ,
                format!("/{}", ci.confirmed / USER_HZ),
            );
            rec.any(
                "updated",
                ci.updated / USER_HZ,
                format!("/{}", ci.updated / USER_HZ),
            );
        }
        if let Some(p) = m.attrs.iter().find_map(|a| match a {
            NeighAttr::Probes(p) => Some(*p),
            _ => None,
        }) {
            rec.any("probes", p, format!("probes {p} "));
        }
    }
    let st = h.state.bits();
    if st != 0 {
        let mut names = Vec::new();
        for (bit, name) in names::NEIGH_STATES {
            if st & bit != 0 {
                rec.text(format!("{name} "));
                names.push(Value::from(name));
            }
        }
        rec.json("state", names);
    }
    let proto = m
        .attrs
        .iter()
        .find_map(|a| match a {
            NeighAttr::Protocol(p) => Some(*p),
            _ => None,
        })
        .unwrap_or(0);
    if proto != 0 {
        let p = NameTable::Protos.name(u32::from(proto), o.numeric);
        rec.any("protocol", p.as_str(), format!("proto {p} "));
    }
    rec.text("\n");
    rec
}
