//! Links, addresses, routes and neighbours as `ip` prints them, for `netplumb monitor`:
//! one [`Rec`] per kernel message, holding both the JSON object (`ip -j` field names and
//! value formats) and a text line in `ip monitor`'s style.
//!
//! The fields follow iproute2 6.1's printers in its `monitor` context (no `-d`, no `-s`):
//!
//! - link: `ifindex`, `link` / `link_index`, `ifname`, `flags` (with `NO-CARRIER` and
//!   `M-DOWN` as ip derives them), `mtu`, `qdisc`, `master`, `operstate`, `group`, `event`,
//!   `link_type`, `address`, `broadcast` / `link_pointtopoint`, `permaddr`,
//!   `link_netnsid`, `proto_down`;
//! - address: `index`, `dev`, `family`, `local`, `address` (a peer), `prefixlen`, `metric`,
//!   `broadcast`, `anycast`, `scope`, the flag booleans (`dynamic`, `nodad`, ...), `label`,
//!   `valid_life_time`, `preferred_life_time`;
//! - route: `type`, `dst`, `src`, `tos`, `gateway`, `via`, `dev`, `table`, `protocol`,
//!   `scope`, `prefsrc`, `metric`, `flags`, `expires`, `iif`, `nexthops`, `pref`;
//! - neighbour: `dst`, `dev`, `lladdr`, `router`, `proxy`, `extern_learn`, `offload`,
//!   `state`, `protocol`.
//!
//! A deleted object starts with `"deleted": true` (text: `Deleted `), as in ip. Names of
//! tables, protocols, scopes and groups come from the built-in lists and
//! `/etc/iproute2/{rt_tables,rt_protos,rt_scopes,group}`, like ip.

use super::links::Links;
use super::render;
use crate::json::Value;
use crate::names::{NameTable, link_flags, link_type_name, ll_addr, operstate_name};
use netplumb::link::IfFlags;
use netplumb::wire::link::{LinkAttr, LinkMessage, OperState};

/// One object rendered: its JSON members and its text.
#[derive(Debug, Default)]
pub struct Rec {
    members: Vec<(String, Value)>,
    text: String,
}

impl Rec {
    fn new(deleted: bool) -> Rec {
        let mut r = Rec::default();
        if deleted {
            r.both("deleted", true, "Deleted");
        }
        r
    }

    /// A member printed in both forms; the text is a word separated by a space.
    fn both(&mut self, key: &str, v: impl Into<Value>, text: impl AsRef<str>) {
        self.json(key, v);
        self.word(text);
    }

    fn json(&mut self, key: &str, v: impl Into<Value>) {
        self.members.push((key.to_string(), v.into()));
    }

    /// Appends a word, after a space unless at the start of a line.
    fn word(&mut self, t: impl AsRef<str>) {
        let t = t.as_ref();
        if t.is_empty() {
            return;
        }
        if !(self.text.is_empty() || self.text.ends_with(['\n', ' ', '\t'])) {
            self.text.push(' ');
        }
        self.text.push_str(t);
    }

    /// Appends text as is.
    fn raw(&mut self, t: &str) {
        self.text.push_str(t);
    }
}

// ---- links ----

/// `ip monitor link` / `ip -j link show` for one link message.
pub fn link(m: &LinkMessage, deleted: bool, links: &Links<'_>) -> render::Rec {
    let mut r = Rec::new(deleted);
    let h = m.header;
    let index = u32::try_from(h.index).unwrap_or(0);
    r.json("ifindex", Value::I64(h.index.into()));
    r.word(format!("{}:", h.index));
    let name = m.name().map_or_else(|| links.name(index), str::to_string);
    let netnsid = m.find(|a| match a {
        LinkAttr::LinkNetNsId(v) => Some(*v),
        _ => None,
    });
    let mut mdown = false;
    let link_text = match m.link() {
        None => String::new(),
        Some(0) => {
            r.json("link", Value::Null);
            "@NONE".to_string()
        }
        Some(peer) if netnsid.is_some() => {
            r.json("link_index", Value::U64(peer.into()));
            format!("@if{peer}")
        }
        Some(peer) => {
            let peer_name = links.name(peer);
            mdown = !links.is_up(peer);
            r.json("link", peer_name.as_str());
            format!("@{peer_name}")
        }
    };
    r.json("ifname", name.as_str());
    r.word(format!("{name}{link_text}:"));
    let flags = link_flags(h.flags, mdown);
    r.word(format!("<{}>", flags.join(",")));
    r.json(
        "flags",
        flags.into_iter().map(Value::Str).collect::<Vec<_>>(),
    );
    if let Some(mtu) = m.mtu() {
        r.both("mtu", mtu, format!("mtu {mtu}"));
    }
    if let Some(q) = m.find(|a| match a {
        LinkAttr::Qdisc(q) => Some(q.as_str()),
        _ => None,
    }) {
        r.both("qdisc", q, format!("qdisc {q}"));
    }
    if let Some(master) = m.master() {
        let n = links.name(master);
        r.word(format!("master {n}"));
        r.json("master", n);
    }
    match m.operstate() {
        None => {}
        Some(OperState::Unknown(v)) if v > 6 => {
            r.json("operstate_index", u32::from(v));
            r.word(format!("state {v:#x}"));
        }
        Some(s) => {
            let n = operstate_name(u8::from(s)).unwrap_or("UNKNOWN");
            r.both("operstate", n, format!("state {n}"));
        }
    }
    if let Some(g) = m.find(|a| match a {
        LinkAttr::Group(g) => Some(*g),
        _ => None,
    }) {
        let n = NameTable::Groups.name(g, false);
        r.word(format!("group {n}"));
        r.json("group", n);
    }
    if let Some(e) = m.find(|a| match a {
        LinkAttr::Event(e) => Some(*e),
        _ => None,
    }) {
        let names = [
            "NONE",
            "REBOOT",
            "FEATURE CHANGE",
            "BONDING FAILOVER",
            "NOTIFY PEERS",
            "RESEND IGMP",
            "BONDING OPTION",
        ];
        match names.get(e as usize) {
            Some(_) if e == 0 => {}
            Some(n) => r.both("event", *n, format!("event {n}")),
            None => r.both("event", Value::I64(e.into()), format!("event {e}")),
        }
    }
    let lt = h.link_layer_type;
    r.raw("\n    ");
    let lt_name = link_type_name(lt, false);
    r.word(format!("link/{lt_name}"));
    r.json("link_type", lt_name);
    let address = m.address();
    if let Some(a) = address {
        let s = ll_addr(a, lt);
        r.word(&s);
        r.json("address", s);
    }
    if let Some(b) = m.broadcast() {
        if h.flags.contains(IfFlags::POINTOPOINT) {
            r.word("peer");
            r.json("link_pointtopoint", true);
        } else {
            r.word("brd");
        }
        let s = ll_addr(b, lt);
        r.word(&s);
        r.json("broadcast", s);
    }
    if let Some(p) = m.find(|a| match a {
        LinkAttr::PermAddress(p) => Some(p.as_slice()),
        _ => None,
    }) && address != Some(p)
    {
        let s = ll_addr(p, lt);
        r.word(format!("permaddr {s}"));
        r.json("permaddr", s);
    }
    if let Some(id) = netnsid {
        r.json("link_netnsid", Value::I64(id.into()));
        if id >= 0 {
            r.word(format!("link-netnsid {id}"));
        } else {
            r.word("link-netnsid unknown");
        }
    }
    if m.find(|a| match a {
        LinkAttr::ProtoDown(v) => Some(*v != 0),
        _ => None,
    }) == Some(true)
    {
        r.both("proto_down", true, "protodown on");
    }
    render::Rec::from_parts(Value::Object(r.members), r.text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_carry_both_forms() {
        let m = LinkMessage::new(7).with(LinkAttr::IfName("va".into()));
        let r = link(&m, true, &Links::new(None));
        assert_eq!(r.text_str(), "Deleted 7: va: <>\n    link/netrom");
        let v = r.into_value().to_text(false);
        assert_eq!(
            v,
            r#"{"deleted":true,"ifindex":7,"ifname":"va","flags":[],"link_type":"netrom"}"#
        );
    }
}
