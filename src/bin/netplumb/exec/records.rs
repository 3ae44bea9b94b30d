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

use crate::json::Value;
use netplumb::link::IfFlags;
use netplumb::wire::addr::{AddressAttr, AddressMessage};
use netplumb::wire::link::{LinkAttr, LinkMessage, OperState};
use netplumb::wire::neigh::{NeighAttr, NeighFlags, NeighMessage};
use netplumb::wire::route::{RouteAttr, RouteMessage};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::OnceLock;

/// What a renderer needs to know about other links: their names (for `dev`, `master`,
/// `link`), flags (for `M-DOWN`) and link-layer types (for `lladdr`).
pub trait Links {
    /// The name of link `index`; `if<index>` when it cannot be found.
    fn name(&mut self, index: u32) -> String;
    /// The flags of link `index`, when known.
    fn flags(&mut self, index: u32) -> Option<IfFlags>;
    /// The link-layer type (`ARPHRD_*`) of link `index`, when known.
    fn link_type(&mut self, index: u32) -> Option<u16>;
}

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

    /// A record from a JSON object already built and its text.
    pub fn from_parts(v: Value, text: String) -> Rec {
        let members = match v {
            Value::Object(m) => m,
            _ => Vec::new(),
        };
        Rec { members, text }
    }

    /// The JSON object.
    pub fn into_value(self) -> Value {
        Value::Object(self.members)
    }

    /// The text, without a final newline.
    pub fn text(&self) -> &str {
        &self.text
    }
}

// ---- names ----

/// Entries of an iproute2 name file (`NUMBER NAME` lines, `#` comments), read once.
fn name_file(path: &'static str) -> &'static HashMap<u32, String> {
    static FILES: OnceLock<std::sync::Mutex<HashMap<&'static str, &'static HashMap<u32, String>>>> =
        OnceLock::new();
    let files = FILES.get_or_init(Default::default);
    let mut files = files.lock().unwrap_or_else(|p| p.into_inner());
    files.entry(path).or_insert_with(|| {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let mut map = HashMap::new();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("");
            let mut w = line.split_whitespace();
            let (Some(id), Some(name)) = (w.next(), w.next()) else {
                continue;
            };
            let id = match id.strip_prefix("0x") {
                Some(h) => u32::from_str_radix(h, 16).ok(),
                None => id.parse().ok(),
            };
            if let Some(id) = id {
                map.entry(id).or_insert_with(|| name.to_string());
            }
        }
        Box::leak(Box::new(map))
    })
}

/// A name from the built-in list, else from `file`, else the number.
fn named(id: u32, builtin: &[(u32, &str)], file: &'static str) -> String {
    builtin
        .iter()
        .find(|(n, _)| *n == id)
        .map(|(_, s)| (*s).to_string())
        .or_else(|| name_file(file).get(&id).cloned())
        .unwrap_or_else(|| id.to_string())
}

/// `rtnl_rttable_n2a`.
fn table_name(id: u32) -> String {
    named(
        id,
        &[(253, "default"), (254, "main"), (255, "local")],
        "/etc/iproute2/rt_tables",
    )
}

/// `rtnl_rtprot_n2a`.
fn protocol_name(id: u8) -> String {
    named(
        id.into(),
        &[
            (0, "unspec"),
            (1, "redirect"),
            (2, "kernel"),
            (3, "boot"),
            (4, "static"),
            (8, "gated"),
            (9, "ra"),
            (10, "mrt"),
            (11, "zebra"),
            (12, "bird"),
            (13, "dnrouted"),
            (14, "xorp"),
            (15, "ntk"),
            (16, "dhcp"),
            (18, "keepalived"),
            (42, "babel"),
            (99, "openr"),
            (186, "bgp"),
            (187, "isis"),
            (188, "ospf"),
            (189, "rip"),
            (192, "eigrp"),
        ],
        "/etc/iproute2/rt_protos",
    )
}

/// `rtnl_rtscope_n2a`.
fn scope_name(id: u8) -> String {
    named(
        id.into(),
        &[
            (0, "global"),
            (200, "site"),
            (253, "link"),
            (254, "host"),
            (255, "nowhere"),
        ],
        "/etc/iproute2/rt_scopes",
    )
}

/// `rtnl_group_n2a`.
fn group_name(id: u32) -> String {
    named(id, &[(0, "default")], "/etc/iproute2/group")
}

/// `family_name`: `inet`, `inet6`, ...; None for one ip has no name for.
fn family_name(af: u8) -> Option<&'static str> {
    Some(match i32::from(af) {
        libc::AF_INET => "inet",
        libc::AF_INET6 => "inet6",
        libc::AF_PACKET => "link",
        libc::AF_IPX => "ipx",
        libc::AF_DECnet => "dnet",
        libc::AF_MPLS => "mpls",
        libc::AF_BRIDGE => "bridge",
        _ => return None,
    })
}

/// `ll_type_n2a`: the `link/...` name of an `ARPHRD_*` type.
fn link_type_name(t: u16) -> String {
    let n = match t {
        0 => "netrom",
        1 => "ether",
        2 => "eether",
        3 => "ax25",
        4 => "pronet",
        5 => "chaos",
        6 => "ieee802",
        7 => "arcnet",
        8 => "appletlk",
        15 => "dlci",
        19 => "atm",
        23 => "metricom",
        24 => "ieee1394",
        27 => "eui64",
        32 => "infiniband",
        256 => "slip",
        257 => "cslip",
        258 => "slip6",
        259 => "cslip6",
        260 => "rsrvd",
        264 => "adapt",
        270 => "rose",
        271 => "x25",
        272 => "hwx25",
        280 => "can",
        512 => "ppp",
        513 => "hdlc",
        516 => "lapb",
        517 => "ddcmp",
        518 => "rawhdlc",
        768 => "ipip",
        769 => "tunnel6",
        770 => "frad",
        771 => "skip",
        772 => "loopback",
        773 => "localtlk",
        774 => "fddi",
        775 => "bif",
        776 => "sit",
        777 => "ip/ddp",
        778 => "gre",
        779 => "pimreg",
        780 => "hippi",
        781 => "ash",
        782 => "econet",
        783 => "irda",
        784 => "fcpp",
        785 => "fcal",
        786 => "fcpl",
        787 => "fcfb0",
        800 => "tr",
        801 => "ieee802.11",
        802 => "ieee802.11/prism",
        803 => "ieee802.11/radiotap",
        804 => "ieee802.15.4",
        805 => "ieee802.15.4/monitor",
        820 => "phonet",
        821 => "phonet_pipe",
        822 => "caif",
        823 => "ip6gre",
        824 => "netlink",
        825 => "6lowpan",
        826 => "vsockmon",
        0xfffe => "none",
        0xffff => "void",
        _ => return format!("[{t}]"),
    };
    n.to_string()
}

/// `ll_addr_n2a`: a link-layer address, in dotted or colon form for IP tunnels.
fn ll_addr(bytes: &[u8], link_type: u16) -> String {
    if let Ok(a) = <[u8; 4]>::try_from(bytes)
        && matches!(link_type, 768 | 776 | 778)
    {
        return Ipv4Addr::from(a).to_string();
    }
    if let Ok(a) = <[u8; 16]>::try_from(bytes)
        && matches!(link_type, 769 | 823)
    {
        return Ipv6Addr::from(a).to_string();
    }
    let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    hex.join(":")
}

// ---- links ----

/// `ip monitor link` / `ip -j link show` for one link message.
pub fn link(m: &LinkMessage, deleted: bool, links: &mut dyn Links) -> Rec {
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
            mdown = !links.flags(peer).is_some_and(|f| f.contains(IfFlags::UP));
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
            let n = operstate_name(s);
            r.both("operstate", n, format!("state {n}"));
        }
    }
    if let Some(g) = m.find(|a| match a {
        LinkAttr::Group(g) => Some(*g),
        _ => None,
    }) {
        let n = group_name(g);
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
    let lt_name = link_type_name(lt);
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
    r
}

/// ip's `<...>` flag list.
fn link_flags(flags: IfFlags, mdown: bool) -> Vec<String> {
    let mut bits = flags.bits();
    let mut out = Vec::new();
    let (up, running) = (IfFlags::UP.bits(), IfFlags::RUNNING.bits());
    if bits & up != 0 && bits & running == 0 {
        out.push("NO-CARRIER".to_string());
    }
    bits &= !running;
    for (f, n) in [
        (IfFlags::LOOPBACK, "LOOPBACK"),
        (IfFlags::BROADCAST, "BROADCAST"),
        (IfFlags::POINTOPOINT, "POINTOPOINT"),
        (IfFlags::MULTICAST, "MULTICAST"),
        (IfFlags::NOARP, "NOARP"),
        (IfFlags::ALLMULTI, "ALLMULTI"),
        (IfFlags::PROMISC, "PROMISC"),
        (IfFlags::MASTER, "MASTER"),
        (IfFlags::SLAVE, "SLAVE"),
        (IfFlags::DEBUG, "DEBUG"),
        (IfFlags::DYNAMIC, "DYNAMIC"),
        (IfFlags::AUTOMEDIA, "AUTOMEDIA"),
        (IfFlags::PORTSEL, "PORTSEL"),
        (IfFlags::NOTRAILERS, "NOTRAILERS"),
        (IfFlags::UP, "UP"),
        (IfFlags::LOWER_UP, "LOWER_UP"),
        (IfFlags::DORMANT, "DORMANT"),
        (IfFlags::ECHO, "ECHO"),
    ] {
        if bits & f.bits() != 0 {
            bits &= !f.bits();
            out.push(n.to_string());
        }
    }
    if bits != 0 {
        out.push(format!("{bits:x}"));
    }
    if mdown {
        out.push("M-DOWN".to_string());
    }
    out
}

fn operstate_name(s: OperState) -> &'static str {
    match s {
        OperState::NotPresent => "NOTPRESENT",
        OperState::Down => "DOWN",
        OperState::LowerLayerDown => "LOWERLAYERDOWN",
        OperState::Testing => "TESTING",
        OperState::Dormant => "DORMANT",
        OperState::Up => "UP",
        _ => "UNKNOWN",
    }
}

// ---- addresses ----

/// `IFA_F_*` flags in ip's order, with the names ip prints.
const ADDR_FLAGS: &[(u32, &str)] = &[
    (0x01, "secondary"),
    (0x02, "nodad"),
    (0x04, "optimistic"),
    (0x08, "dadfailed"),
    (0x10, "home"),
    (0x20, "deprecated"),
    (0x40, "tentative"),
    (0x80, "permanent"),
    (0x100, "mngtmpaddr"),
    (0x200, "noprefixroute"),
    (0x400, "autojoin"),
    (0x800, "stable-privacy"),
];

/// `IFA_F_DEPRECATED`.
const IFA_F_DEPRECATED: u32 = 0x20;
/// `INFINITY_LIFE_TIME`.
const FOREVER: u32 = u32::MAX;

/// `ip monitor address` for one address message.
pub fn address(m: &AddressMessage, deleted: bool, links: &mut dyn Links) -> Rec {
    let mut r = Rec::new(deleted);
    let h = m.header;
    let dev = links.name(h.index);
    r.json("index", Value::I64(h.index.into()));
    r.json("dev", dev.as_str());
    r.word(format!("{}: {dev}", h.index));
    r.raw("    ");
    match family_name(h.family) {
        Some(n) => {
            r.json("family", n);
            r.raw(n);
        }
        None => {
            r.json("family_index", u32::from(h.family));
            r.raw(&format!("family {}", h.family));
        }
    }
    let local = m.local().or_else(|| m.address());
    let peer = m.address().or(local);
    if let Some(l) = local {
        r.both("local", l.to_string(), l.to_string());
        if peer != Some(l)
            && let Some(p) = peer
        {
            r.word("peer");
            r.both("address", p.to_string(), p.to_string());
        }
        r.json("prefixlen", u32::from(h.prefix_len));
        r.raw(&format!("/{}", h.prefix_len));
        if let Some(metric) = m.attrs.iter().find_map(|a| match a {
            AddressAttr::RtPriority(v) => Some(*v),
            _ => None,
        }) {
            r.both("metric", metric, format!("metric {metric}"));
        }
    }
    if let Some(b) = m.broadcast() {
        r.both("broadcast", b.to_string(), format!("brd {b}"));
    }
    if let Some(a) = m.attrs.iter().find_map(|a| match a {
        AddressAttr::Anycast(a) => Some(*a),
        _ => None,
    }) {
        r.both("anycast", a.to_string(), format!("any {a}"));
    }
    let scope = scope_name(h.scope.0);
    r.word(format!("scope {scope}"));
    r.json("scope", scope);
    let mut flags = m.flags().bits();
    for &(mask, name) in ADDR_FLAGS {
        if mask == 0x80 {
            if flags & mask == 0 {
                r.both("dynamic", true, "dynamic");
            }
        } else if flags & mask != 0 {
            if mask == 0x01 && i32::from(h.family) == libc::AF_INET6 {
                r.both("temporary", true, "temporary");
            } else {
                r.both(name, true, name);
            }
        }
        flags &= !mask;
    }
    if flags != 0 {
        r.json("ifa_flags", format!("{flags:02x}"));
        r.word(format!("flags {flags:02x}"));
    }
    if let Some(l) = m.label() {
        r.both("label", l, l);
    }
    if let Some(ci) = m.cacheinfo() {
        r.raw("\n       valid_lft");
        r.json("valid_life_time", ci.valid);
        r.word(lifetime(ci.valid));
        r.word("preferred_lft");
        if ci.preferred != FOREVER && m.flags().bits() & IFA_F_DEPRECATED != 0 {
            // ip prints a deprecated address's preferred lifetime as signed.
            let v = ci.preferred as i32;
            r.json("preferred_life_time", Value::I64(v.into()));
            r.word(format!("{v}sec"));
        } else {
            r.json("preferred_life_time", ci.preferred);
            r.word(lifetime(ci.preferred));
        }
    }
    r
}

fn lifetime(v: u32) -> String {
    if v == FOREVER {
        "forever".to_string()
    } else {
        format!("{v}sec")
    }
}

// ---- routes ----

/// Route and next-hop flag bits in ip's order (`print_rt_flags`).
const ROUTE_FLAGS: &[(u32, &str)] = &[
    (0x01, "dead"),
    (0x04, "onlink"),
    (0x02, "pervasive"),
    (0x08, "offload"),
    (0x40, "trap"),
    (0x100, "notify"),
    (0x10, "linkdown"),
    (0x20, "unresolved"),
    (0x2000, "rt_offload"),
    (0x4000, "rt_trap"),
    (0x2000_0000, "rt_offload_failed"),
];

fn route_flags(bits: u32) -> Vec<&'static str> {
    ROUTE_FLAGS
        .iter()
        .filter(|(m, _)| bits & m != 0)
        .map(|(_, n)| *n)
        .collect()
}

/// `rtnl_rtntype_n2a`.
fn route_type_name(t: u8) -> String {
    let names = [
        "none",
        "unicast",
        "local",
        "broadcast",
        "anycast",
        "multicast",
        "blackhole",
        "unreachable",
        "prohibit",
        "throw",
        "nat",
        "xresolve",
    ];
    names
        .get(usize::from(t))
        .map_or_else(|| t.to_string(), |n| (*n).to_string())
}

/// `addr` or `addr/len`, as ip prints a prefix (no length for a host).
fn prefix_text(addr: IpAddr, len: u8) -> String {
    let host = if addr.is_ipv4() { 32 } else { 128 };
    if len == host {
        addr.to_string()
    } else {
        format!("{addr}/{len}")
    }
}

/// `ip monitor route` for one route message.
pub fn route(m: &RouteMessage, deleted: bool, links: &mut dyn Links) -> Rec {
    let mut r = Rec::new(deleted);
    let h = m.header;
    let kind = h.kind.0;
    if kind != 1 {
        let n = route_type_name(kind);
        r.word(&n);
        r.json("type", n);
    }
    let dst = match m.destination() {
        Some((a, _))
            if m.attrs
                .iter()
                .any(|a| matches!(a, RouteAttr::Destination(_))) =>
        {
            prefix_text(a, h.dst_len)
        }
        _ if h.dst_len > 0 => format!("0/{}", h.dst_len),
        _ => "default".to_string(),
    };
    r.word(&dst);
    r.json("dst", dst);
    match m.source() {
        Some((a, len)) => {
            let s = prefix_text(a, len);
            r.word(format!("from {s}"));
            r.json("src", s);
        }
        None if h.src_len > 0 => {
            let s = format!("0/{}", h.src_len);
            r.word(format!("from {s}"));
            r.json("src", s);
        }
        None => {}
    }
    if h.tos != 0 {
        let t = format!("{:#x}", h.tos);
        r.word(format!("tos {t}"));
        r.json("tos", t);
    }
    if let Some(gw) = m.gateway() {
        r.both("gateway", gw.to_string(), format!("via {gw}"));
    }
    if let Some(via) = m.via() {
        let fam = u8::try_from(via.family())
            .ok()
            .and_then(family_name)
            .unwrap_or("???");
        let host = via.ip().map(|a| a.to_string()).unwrap_or_default();
        let mut o = Value::object();
        o.push("family", fam).push("host", host.as_str());
        r.json("via", o);
        r.word(format!("via {fam} {host}"));
    }
    if let Some(oif) = m.oif() {
        let n = links.name(oif);
        r.word(format!("dev {n}"));
        r.json("dev", n);
    }
    let table = m.table();
    if table != 0 && table != 254 {
        let n = table_name(table);
        r.word(format!("table {n}"));
        r.json("table", n);
    }
    if h.protocol.0 != 3 {
        let n = protocol_name(h.protocol.0);
        r.word(format!("proto {n}"));
        r.json("protocol", n);
    }
    if h.scope.0 != 0 {
        let n = scope_name(h.scope.0);
        r.word(format!("scope {n}"));
        r.json("scope", n);
    }
    if let Some(src) = m.prefsrc() {
        r.both("prefsrc", src.to_string(), format!("src {src}"));
    }
    if let Some(metric) = m.priority() {
        r.both("metric", metric, format!("metric {metric}"));
    }
    let flags = route_flags(h.flags.bits());
    for f in &flags {
        r.word(f);
    }
    r.json(
        "flags",
        flags.into_iter().map(Value::from).collect::<Vec<_>>(),
    );
    if let Some(ci) = m.cache_info()
        && ci.expires != 0
    {
        let secs = ci.expires / 100;
        r.both(
            "expires",
            Value::I64(secs.into()),
            format!("expires {secs}sec"),
        );
    }
    if let Some(iif) = m.iif() {
        let n = links.name(iif);
        r.word(format!("iif {n}"));
        r.json("iif", n);
    }
    if let Some(nhs) = m.multipath() {
        let mut list = Vec::new();
        for nh in nhs {
            let mut o = Value::object();
            r.raw("\n\tnexthop");
            if let Some(gw) = nh.gateway() {
                o.push("gateway", gw.to_string());
                r.word(format!("via {gw}"));
            }
            if let Some(via) = nh.via_attr() {
                let fam = u8::try_from(via.family())
                    .ok()
                    .and_then(family_name)
                    .unwrap_or("???");
                let host = via.ip().map(|a| a.to_string()).unwrap_or_default();
                let mut v = Value::object();
                v.push("family", fam).push("host", host.as_str());
                o.push("via", v);
                r.word(format!("via {fam} {host}"));
            }
            if nh.ifindex != 0 {
                let n = links.name(nh.ifindex);
                r.word(format!("dev {n}"));
                o.push("dev", n);
            }
            o.push("weight", u32::from(nh.weight()));
            r.word(format!("weight {}", nh.weight()));
            let f = route_flags(u32::from(nh.flags.bits()));
            for x in &f {
                r.word(x);
            }
            o.push("flags", f.into_iter().map(Value::from).collect::<Vec<_>>());
            list.push(o);
        }
        r.json("nexthops", list);
    }
    if let Some(p) = m.pref() {
        let n = match p.0 {
            0 => "medium".to_string(),
            1 => "high".to_string(),
            3 => "low".to_string(),
            v => v.to_string(),
        };
        r.word(format!("pref {n}"));
        r.json("pref", n);
    }
    r
}

// ---- neighbours ----

/// `ip monitor neigh` for one neighbour message.
pub fn neigh(m: &NeighMessage, deleted: bool, links: &mut dyn Links) -> Rec {
    let mut r = Rec::new(deleted);
    let h = m.header;
    if let Some(d) = m.destination() {
        r.both("dst", d.to_string(), d.to_string());
    }
    let index = u32::try_from(h.ifindex).unwrap_or(0);
    if index != 0 {
        let n = links.name(index);
        r.word(format!("dev {n}"));
        r.json("dev", n);
    }
    if let Some(ll) = m.lladdr() {
        let lt = links.link_type(index).unwrap_or(1);
        let s = ll_addr(ll, lt);
        r.word(format!("lladdr {s}"));
        r.json("lladdr", s);
    }
    for (f, n) in [
        (NeighFlags::ROUTER, "router"),
        (NeighFlags::PROXY, "proxy"),
        (NeighFlags::EXT_LEARNED, "extern_learn"),
        (NeighFlags::OFFLOADED, "offload"),
    ] {
        if h.flags.contains(f) {
            r.both(n, Value::Null, n);
        }
    }
    let state = h.state.bits();
    if state != 0 {
        let mut names = Vec::new();
        for (bit, n) in [
            (0x01, "INCOMPLETE"),
            (0x02, "REACHABLE"),
            (0x04, "STALE"),
            (0x08, "DELAY"),
            (0x10, "PROBE"),
            (0x20, "FAILED"),
            (0x40, "NOARP"),
            (0x80, "PERMANENT"),
        ] {
            if state & bit != 0 {
                names.push(n.to_string());
            }
        }
        let rest = state & !0xff;
        if rest != 0 {
            names.push(format!("{rest:#x}"));
        }
        for n in &names {
            r.word(n);
        }
        r.json(
            "state",
            names.into_iter().map(Value::Str).collect::<Vec<_>>(),
        );
    }
    if let Some(p) = m.attrs.iter().find_map(|a| match a {
        NeighAttr::Protocol(p) => Some(*p),
        _ => None,
    }) {
        let n = protocol_name(p);
        r.word(format!("proto {n}"));
        r.json("protocol", n);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_flags_as_ip_prints_them() {
        let f = |bits: u32, mdown| link_flags(IfFlags::from_bits_retain(bits), mdown).join(",");
        // UP without RUNNING is NO-CARRIER; RUNNING itself is never printed.
        assert_eq!(f(0x1003, true), "NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN");
        assert_eq!(f(0x11043, false), "BROADCAST,MULTICAST,UP,LOWER_UP");
        assert_eq!(f(0x10049, false), "LOOPBACK,UP,LOWER_UP");
        assert_eq!(f(0x80_0000, false), "800000");
        assert_eq!(f(0, true), "M-DOWN");
    }

    #[test]
    fn names_and_formats() {
        assert_eq!(ll_addr(&[2, 0, 0, 0, 0, 0x0a], 1), "02:00:00:00:00:0a");
        assert_eq!(ll_addr(&[198, 18, 0, 1], 768), "198.18.0.1");
        assert_eq!(ll_addr(&[198, 18, 0, 1], 1), "c6:12:00:01");
        assert_eq!(link_type_name(1), "ether");
        assert_eq!(link_type_name(772), "loopback");
        assert_eq!(link_type_name(9999), "[9999]");
        assert_eq!(route_type_name(2), "local");
        assert_eq!(route_type_name(200), "200");
        assert_eq!(scope_name(0), "global");
        assert_eq!(scope_name(253), "link");
        assert_eq!(table_name(255), "local");
        assert_eq!(protocol_name(2), "kernel");
        assert_eq!(group_name(0), "default");
        assert_eq!(prefix_text("198.18.0.1".parse().unwrap(), 32), "198.18.0.1");
        assert_eq!(
            prefix_text("2001:db8::".parse().unwrap(), 64),
            "2001:db8::/64"
        );
        assert_eq!(route_flags(0x10 | 0x04), ["onlink", "linkdown"]);
    }

    struct NoLinks;

    impl Links for NoLinks {
        fn name(&mut self, index: u32) -> String {
            format!("if{index}")
        }
        fn flags(&mut self, _: u32) -> Option<IfFlags> {
            None
        }
        fn link_type(&mut self, _: u32) -> Option<u16> {
            None
        }
    }

    #[test]
    fn records_carry_both_forms() {
        let m = LinkMessage::new(7).with(LinkAttr::IfName("va".into()));
        let r = link(&m, true, &mut NoLinks);
        assert_eq!(r.text(), "Deleted 7: va: <>\n    link/netrom");
        let v = r.into_value().to_text(false);
        assert_eq!(
            v,
            r#"{"deleted":true,"ifindex":7,"ifname":"va","flags":[],"link_type":"netrom"}"#
        );
        let a = AddressMessage::new(3, "198.18.0.1".parse().unwrap(), 24);
        let r = address(&a, false, &mut NoLinks);
        assert!(
            r.text()
                .starts_with("3: if3    inet 198.18.0.1/24 scope global"),
            "{}",
            r.text()
        );
    }
}
