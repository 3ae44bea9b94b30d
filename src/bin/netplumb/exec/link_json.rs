//! How links are printed: `ip link show` records as JSON (the fields and value formats of
//! iproute2 6.1's `ip -j [-d] link show`) and as ip-like text.
//!
//! Every field is printed under the same conditions `ip` prints it (present attribute,
//! non-zero value, `-d`...), in the same order, with the same formats: flags as an array of
//! names, `group` by name, MAC addresses in lower-case hex, bridge timers in seconds with two
//! decimals (`0.00`), hex values as `0x..` strings, bridge ids as `8000.12:c6:1:15:9f:a2`
//! (unpadded octets, as `ip` writes them), tun owners by user name, counters (`-s`, `-s -s`)
//! as `stats64`. Not printed: XDP, VF information and protodown reasons. The text form is
//! `ip`'s without `-d` and `-s`; with them it is shorter than `ip`'s.

use crate::json::Value;
use netplumb::Handle;
use netplumb::wire::AttrIter;
use netplumb::wire::link::{
    BridgeAttr, BridgeId, BridgePortAttr, IfFlags, InfoData, LinkAttr, LinkInfo, LinkMessage,
    MacvlanAttr, SlaveData, Stats64, TunAttr, VxlanAttr,
};
use netplumb::wire::nlmsg::{NlmsgFlags, RTM_GETLINK};
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Write as _;

/// `IFLA_PROP_LIST` (a nest of `IFLA_ALT_IFNAME`), kept as an unknown attribute by the codec.
const IFLA_PROP_LIST: u16 = 52;
/// `IFLA_ALT_IFNAME`.
const IFLA_ALT_IFNAME: u16 = 53;
/// `AF_INET6` inside `IFLA_AF_SPEC`.
const AF_INET6: u16 = 10;
/// `IFLA_INET6_ADDR_GEN_MODE` inside `IFLA_AF_SPEC` / `AF_INET6`.
pub const IFLA_INET6_ADDR_GEN_MODE: u16 = 8;

/// What to print.
#[derive(Debug, Clone, Copy, Default)]
pub struct Opts {
    /// `-d`: promiscuity, MTU limits, link info, queues, GSO limits...
    pub details: bool,
    /// The link-layer line (`link_type`, `address`, `broadcast`): `ip` leaves it out when a
    /// protocol family other than `link` is selected, unless `-d`.
    pub link_layer: bool,
    /// `-s` given this many times: counters (`stats64`), with error details from two.
    pub stats: u8,
}

/// Names and flags of links by index, as `ip`'s link cache gives them: filled from a dump,
/// completed with one `RTM_GETLINK` per index it has not seen.
pub struct Names<'h> {
    handle: &'h Handle,
    known: RefCell<HashMap<u32, Option<(String, IfFlags)>>>,
    /// Named namespaces by the id this namespace gives them, read on first use.
    netns: RefCell<Option<HashMap<i32, String>>>,
}

impl<'h> Names<'h> {
    /// An empty cache that asks `handle`.
    pub fn new(handle: &'h Handle) -> Self {
        Names {
            handle,
            known: RefCell::new(HashMap::new()),
            netns: RefCell::new(None),
        }
    }

    /// Records a link seen in a dump or a reply.
    pub fn learn(&self, m: &LinkMessage) {
        if let (Ok(i), Some(n)) = (u32::try_from(m.index()), m.name()) {
            self.known
                .borrow_mut()
                .insert(i, Some((n.to_string(), m.flags())));
        }
    }

    fn lookup(&self, index: u32) -> Option<(String, IfFlags)> {
        if let Some(v) = self.known.borrow().get(&index) {
            return v.clone();
        }
        let found = i32::try_from(index).ok().and_then(|i| {
            self.handle
                .get_map(
                    RTM_GETLINK,
                    NlmsgFlags::empty(),
                    &LinkMessage::new(i),
                    |m| LinkMessage::parse(m.payload()).map_err(netplumb::Error::from),
                )
                .ok()
        });
        let v = found.and_then(|m| Some((m.name()?.to_string(), m.flags())));
        self.known.borrow_mut().insert(index, v.clone());
        v
    }

    /// The link's name; `if<N>` when there is no such link, `*` for 0.
    pub fn name(&self, index: u32) -> String {
        if index == 0 {
            return "*".into();
        }
        self.lookup(index)
            .map_or_else(|| format!("if{index}"), |(n, _)| n)
    }

    /// The name under /run/netns of the namespace with id `nsid` here, if any.
    pub fn netns_name(&self, nsid: i32) -> Option<String> {
        let mut cache = self.netns.borrow_mut();
        let map = cache.get_or_insert_with(|| {
            netplumb::NetNs::list()
                .unwrap_or_default()
                .into_iter()
                .filter_map(|n| {
                    let ns = netplumb::NetNs::open_name(&n).ok()?;
                    let id = super::netns::nsid(self.handle, &ns).ok()??;
                    Some((id, n))
                })
                .collect()
        });
        map.get(&nsid).cloned()
    }

    /// The link's flags; empty when there is no such link.
    pub fn flags(&self, index: u32) -> IfFlags {
        self.lookup(index).map(|(_, f)| f).unwrap_or_default()
    }
}

macro_rules! get {
    ($list:expr, $p:path) => {
        $list.iter().find_map(|a| match a {
            $p(v) => Some(v.clone()),
            _ => None,
        })
    };
}

macro_rules! has {
    ($list:expr, $p:path) => {
        $list.iter().any(|a| matches!(a, $p))
    };
}

/// `ifi_flags` as `ip` names them, in its order; `NO-CARRIER` first when up without
/// `IFF_RUNNING`, unknown bits as one hex string, `M-DOWN` last when `mdown`.
pub fn flag_names(flags: IfFlags, mdown: bool) -> Vec<String> {
    const ORDER: [(IfFlags, &str); 18] = [
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
    ];
    let mut out = Vec::new();
    if flags.contains(IfFlags::UP) && !flags.contains(IfFlags::RUNNING) {
        out.push("NO-CARRIER".to_string());
    }
    let mut rest = flags.bits() & !IfFlags::RUNNING.bits();
    for (f, name) in ORDER {
        if rest & f.bits() != 0 {
            rest &= !f.bits();
            out.push(name.to_string());
        }
    }
    if rest != 0 {
        out.push(format!("{rest:x}"));
    }
    if mdown {
        out.push("M-DOWN".to_string());
    }
    out
}

/// `ARPHRD_*` as `ip` names it (`link/ether`).
pub fn link_type_name(t: u16) -> String {
    let name = match t {
        0 => "netrom",
        1 => "ether",
        2 => "eether",
        3 => "ax25",
        4 => "pronet",
        5 => "chaos",
        6 => "ieee802",
        7 => "arcnet",
        8 => "atalk",
        15 => "dlci",
        19 => "atm",
        23 => "metricom",
        24 => "ieee1394",
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
        773 => "ltalk",
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
        787..=799 => return format!("fcfb{}", t - 787),
        800 => "tr",
        801 => "ieee802.11",
        802 => "ieee802.11/prism",
        803 => "ieee802.11/radiotap",
        804 => "ieee802.15.4",
        805 => "ieee802.15.4/monitor",
        820 => "phonet",
        821 => "phonet_pipe",
        822 => "caif",
        823 => "gre6",
        824 => "netlink",
        825 => "6lowpan",
        0xfffe => "none",
        0xffff => "void",
        _ => return format!("[{t}]"),
    };
    name.to_string()
}

/// A link-layer address as `ip` writes it: IPv4 for 4-byte tunnel addresses, IPv6 for
/// 16-byte ip6 tunnels, else lower-case hex octets joined by `:`.
pub fn ll_addr(bytes: &[u8], link_type: u16) -> String {
    if let Ok(a) = <[u8; 4]>::try_from(bytes)
        && matches!(link_type, 768 | 776 | 778)
    {
        return std::net::Ipv4Addr::from(a).to_string();
    }
    if let Ok(a) = <[u8; 16]>::try_from(bytes)
        && matches!(link_type, 769 | 823)
    {
        return std::net::Ipv6Addr::from(a).to_string();
    }
    hex_octets(bytes)
}

fn hex_octets(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            s.push(':');
        }
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// A link group by name (`/etc/iproute2/group`), else its number (signed, as `ip` prints it).
pub fn group_name(g: u32) -> String {
    if g == 0 {
        return "default".into();
    }
    for dir in ["/etc/iproute2", "/usr/share/iproute2", "/usr/lib/iproute2"] {
        let Ok(text) = std::fs::read_to_string(format!("{dir}/group")) else {
            continue;
        };
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("");
            let mut it = line.split_whitespace();
            if let (Some(num), Some(name)) = (it.next(), it.next())
                && crate::args::parse_uint(num) == Some(u64::from(g))
            {
                return name.to_string();
            }
        }
    }
    (g as i32).to_string()
}

/// The name of `id` in an /etc/passwd or /etc/group style file.
fn name_of_id(file: &str, id: u32) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    text.lines().find_map(|line| {
        let mut f = line.split(':');
        let name = f.next()?;
        (f.nth(1)?.parse::<u32>().ok()? == id).then(|| name.to_string())
    })
}

/// `%#llx`: `0` for zero, else `0x...`.
fn hex0x(v: u64) -> Value {
    Value::Str(if v == 0 {
        "0".into()
    } else {
        format!("{v:#x}")
    })
}

/// A bridge timer in hundredths of a second as `ip` prints it: `12.34`.
fn timer(v: u64) -> Value {
    Value::Number(format!("{}.{:02}", v / 100, v % 100))
}

/// A bridge id as `ip` prints it: two priority bytes, then the MAC octets unpadded.
fn bridge_id(id: &BridgeId) -> String {
    let [p0, p1] = id.priority.to_be_bytes();
    let a = id.address;
    format!(
        "{p0:02x}{p1:02x}.{:x}:{:x}:{:x}:{:x}:{:x}:{:x}",
        a[0], a[1], a[2], a[3], a[4], a[5]
    )
}

fn int(v: u32) -> Value {
    // ip prints these with a signed int.
    Value::I64(i64::from(v as i32))
}

/// The first attribute `f` picks.
fn attr<T>(m: &LinkMessage, f: impl FnMut(&LinkAttr) -> Option<T>) -> Option<T> {
    m.attrs.iter().find_map(f)
}

/// `IFLA_AF_SPEC` / `AF_INET6` / `IFLA_INET6_ADDR_GEN_MODE`.
pub fn addr_gen_mode(m: &LinkMessage) -> Option<u8> {
    let spec = get!(m.attrs, LinkAttr::AfSpec)?;
    let inet6 = AttrIter::new(&spec).find(AF_INET6).ok()??;
    let mode = inet6.nested().ok()?.find(IFLA_INET6_ADDR_GEN_MODE).ok()??;
    mode.u8("IFLA_INET6_ADDR_GEN_MODE").ok()
}

fn addr_gen_mode_name(mode: u8) -> String {
    match mode {
        0 => "eui64".into(),
        1 => "none".into(),
        2 => "stable_secret".into(),
        3 => "random".into(),
        m => format!("{m:#04x}"),
    }
}

/// The alternative names in `IFLA_PROP_LIST`.
pub fn alt_names(m: &LinkMessage) -> Option<Vec<String>> {
    let list = attr(m, |a| match a {
        LinkAttr::Unknown(u) if u.kind & 0x3fff == IFLA_PROP_LIST => Some(u.value.clone()),
        _ => None,
    })?;
    Some(
        AttrIter::new(&list)
            .filter_map(Result::ok)
            .filter(|a| a.kind() == IFLA_ALT_IFNAME)
            .filter_map(|a| a.string("IFLA_ALT_IFNAME").ok().map(str::to_string))
            .collect(),
    )
}

/// The operational state as `ip` names it.
pub fn operstate_name(s: u8) -> Option<&'static str> {
    [
        "UNKNOWN",
        "NOTPRESENT",
        "DOWN",
        "LOWERLAYERDOWN",
        "TESTING",
        "DORMANT",
        "UP",
    ]
    .get(usize::from(s))
    .copied()
}

/// One link as `ip -j [-d] link show` prints it.
pub fn link_json(m: &LinkMessage, names: &Names<'_>, o: Opts) -> Value {
    let mut v = Value::object();
    let ty = m.header.link_layer_type;
    v.push("ifindex", Value::I64(i64::from(m.index())));
    let netnsid = get!(m.attrs, LinkAttr::LinkNetNsId);
    let mut mdown = false;
    if let Some(l) = m.link() {
        if l == 0 {
            v.push("link", Value::Null);
        } else if netnsid.is_some() {
            v.push("link_index", int(l));
        } else {
            v.push("link", names.name(l));
            mdown = !names.flags(l).contains(IfFlags::UP);
        }
    }
    v.push("ifname", m.name().unwrap_or_default());
    v.push(
        "flags",
        Value::Array(
            flag_names(m.flags(), mdown)
                .into_iter()
                .map(Value::Str)
                .collect(),
        ),
    );
    if let Some(mtu) = m.mtu() {
        v.push("mtu", int(mtu));
    }
    if let Some(q) = get!(m.attrs, LinkAttr::Qdisc) {
        v.push("qdisc", q);
    }
    if let Some(master) = m.master() {
        v.push("master", names.name(master));
    }
    if let Some(s) = m.operstate() {
        let s = u8::from(s);
        match operstate_name(s) {
            Some(n) => v.push("operstate", n),
            None => v.push("operstate_index", u32::from(s)),
        };
    }
    if let Some(mode) = get!(m.attrs, LinkAttr::LinkMode) {
        match mode {
            0 => v.push("linkmode", "DEFAULT"),
            1 => v.push("linkmode", "DORMANT"),
            x => v.push("linkmode_index", Value::I64(i64::from(x))),
        };
    }
    if let Some(g) = get!(m.attrs, LinkAttr::Group) {
        v.push("group", group_name(g));
    }
    if let Some(q) = m.txqlen().filter(|q| *q != 0) {
        v.push("txqlen", int(q));
    }
    if o.link_layer || o.details {
        v.push("link_type", link_type_name(ty));
        if let Some(a) = m.address() {
            v.push("address", ll_addr(a, ty));
        }
        if let Some(b) = m.broadcast() {
            if m.flags().contains(IfFlags::POINTOPOINT) {
                v.push("link_pointtopoint", true);
            }
            v.push("broadcast", ll_addr(b, ty));
        }
        if let Some(p) = get!(m.attrs, LinkAttr::PermAddress)
            && m.address() != Some(p.as_slice())
        {
            v.push("permaddr", ll_addr(&p, ty));
        }
    }
    if let Some(id) = netnsid {
        v.push("link_netnsid", Value::I64(i64::from(id)));
    }
    if get!(m.attrs, LinkAttr::ProtoDown).is_some_and(|p| p != 0) {
        v.push("proto_down", true);
    }
    if o.details {
        details_json(&mut v, m, names);
    }
    if let Some(alias) = m.alias() {
        v.push("ifalias", alias);
    }
    if o.stats > 0
        && let Some(s) = m.stats64()
    {
        let carrier_changes = get!(m.attrs, LinkAttr::CarrierChanges);
        v.push("stats64", stats_json(s, carrier_changes, o.stats > 1));
    }
    if let Some(alt) = alt_names(m) {
        v.push(
            "altnames",
            Value::Array(alt.into_iter().map(Value::Str).collect()),
        );
    }
    v
}

fn details_json(v: &mut Value, m: &LinkMessage, names: &Names<'_>) {
    if let Some(x) = get!(m.attrs, LinkAttr::Promiscuity) {
        v.push("promiscuity", x);
    }
    if let Some(x) = get!(m.attrs, LinkAttr::Allmulti) {
        v.push("allmulti", x);
    }
    if let Some(x) = get!(m.attrs, LinkAttr::MinMtu) {
        v.push("min_mtu", x);
    }
    if let Some(x) = get!(m.attrs, LinkAttr::MaxMtu) {
        v.push("max_mtu", x);
    }
    if let Some(info) = m.info() {
        v.push("linkinfo", linkinfo_json(info, names));
    }
    if let Some(mode) = addr_gen_mode(m) {
        v.push("inet6_addr_gen_mode", addr_gen_mode_name(mode));
    }
    let numbers: [(&str, Option<u32>); 7] = [
        ("num_tx_queues", get!(m.attrs, LinkAttr::NumTxQueues)),
        ("num_rx_queues", get!(m.attrs, LinkAttr::NumRxQueues)),
        ("gso_max_size", get!(m.attrs, LinkAttr::GsoMaxSize)),
        ("gso_max_segs", get!(m.attrs, LinkAttr::GsoMaxSegs)),
        ("tso_max_size", get!(m.attrs, LinkAttr::TsoMaxSize)),
        ("tso_max_segs", get!(m.attrs, LinkAttr::TsoMaxSegs)),
        ("gro_max_size", get!(m.attrs, LinkAttr::GroMaxSize)),
    ];
    for (key, f) in numbers {
        if let Some(x) = f {
            v.push(key, x);
        }
    }
    if let Some(n) = get!(m.attrs, LinkAttr::PhysPortName) {
        v.push("phys_port_name", n);
    }
    if let Some(id) = get!(m.attrs, LinkAttr::PhysPortId) {
        v.push("phys_port_id", hex_string(&id));
    }
    if let Some(id) = get!(m.attrs, LinkAttr::PhysSwitchId) {
        v.push("phys_switch_id", hex_string(&id));
    }
    if let Some(b) = get!(m.attrs, LinkAttr::ParentDevBusName) {
        v.push("parentbus", b);
    }
    if let Some(d) = get!(m.attrs, LinkAttr::ParentDevName) {
        v.push("parentdev", d);
    }
}

/// `stats64` as `ip -s` (`-s -s` for `details`) prints it.
fn stats_json(s: &Stats64, carrier_changes: Option<u32>, details: bool) -> Value {
    let mut rx = Value::object();
    rx.push("bytes", s.rx_bytes);
    rx.push("packets", s.rx_packets);
    rx.push("errors", s.rx_errors);
    rx.push("dropped", s.rx_dropped);
    rx.push("over_errors", s.rx_over_errors);
    rx.push("multicast", s.multicast);
    if s.rx_compressed != 0 {
        rx.push("compressed", s.rx_compressed);
    }
    if details {
        rx.push("length_errors", s.rx_length_errors);
        rx.push("crc_errors", s.rx_crc_errors);
        rx.push("frame_errors", s.rx_frame_errors);
        rx.push("fifo_errors", s.rx_fifo_errors);
        rx.push("missed_errors", s.rx_missed_errors);
        if let Some(n) = s.rx_nohandler.filter(|n| *n != 0) {
            rx.push("nohandler", n);
        }
        if let Some(n) = s.rx_otherhost_dropped.filter(|n| *n != 0) {
            rx.push("otherhost", n);
        }
    }
    let mut tx = Value::object();
    tx.push("bytes", s.tx_bytes);
    tx.push("packets", s.tx_packets);
    tx.push("errors", s.tx_errors);
    tx.push("dropped", s.tx_dropped);
    tx.push("carrier_errors", s.tx_carrier_errors);
    tx.push("collisions", s.collisions);
    if s.tx_compressed != 0 {
        tx.push("compressed", s.tx_compressed);
    }
    if details {
        tx.push("aborted_errors", s.tx_aborted_errors);
        tx.push("fifo_errors", s.tx_fifo_errors);
        tx.push("window_errors", s.tx_window_errors);
        tx.push("heartbeat_errors", s.tx_heartbeat_errors);
        if let Some(c) = carrier_changes {
            tx.push("carrier_changes", c);
        }
    }
    let mut v = Value::object();
    v.push("rx", rx);
    v.push("tx", tx);
    v
}

/// Counters as a header line and a value line, each column as wide as its widest cell.
fn stats_lines(out: &mut String, label: &str, cols: &[(&str, u64)]) {
    let widths: Vec<usize> = cols
        .iter()
        .map(|(h, n)| h.len().max(n.to_string().len()))
        .collect();
    let _ = write!(out, "\n    {label}:");
    for ((h, _), w) in cols.iter().zip(&widths) {
        let _ = write!(out, " {h:>w$}");
    }
    out.push_str("\n       ");
    for ((_, n), w) in cols.iter().zip(&widths) {
        let _ = write!(out, " {n:>w$}");
    }
}

fn hex_string(b: &[u8]) -> String {
    b.iter().fold(String::new(), |mut s, x| {
        let _ = write!(s, "{x:02x}");
        s
    })
}

/// `linkinfo`: the kind and, for kinds `ip` knows how to print, its data; the port kind and
/// its data.
fn linkinfo_json(info: &LinkInfo, names: &Names<'_>) -> Value {
    let mut v = Value::object();
    if let Some(kind) = info.kind() {
        v.push("info_kind", kind);
        let data = info.data();
        let printed = match (kind, data) {
            ("bridge", Some(InfoData::Bridge(l))) => Some(bridge_json(l)),
            ("macvlan" | "macvtap", Some(InfoData::Macvlan(l) | InfoData::Macvtap(l))) => {
                Some(macvlan_json(l))
            }
            ("vxlan", Some(InfoData::Vxlan(l))) => Some(vxlan_json(l, names)),
            ("tun", Some(InfoData::Tun(l))) => Some(tun_json(l)),
            // ip prints an empty object for these kinds when there is no data.
            ("bridge" | "macvlan" | "macvtap" | "vxlan" | "tun", None) => Some(Value::object()),
            _ => None,
        };
        if let Some(d) = printed {
            v.push("info_data", d);
        }
    }
    if let Some(sk) = info.slave_kind() {
        v.push("info_slave_kind", sk);
        if sk == "bridge" {
            let d = match info.slave_data() {
                Some(SlaveData::Bridge(l)) => bridge_port_json(l, names),
                _ => Value::object(),
            };
            v.push("info_slave_data", d);
        }
    }
    v
}

fn bridge_json(l: &[BridgeAttr]) -> Value {
    let mut v = Value::object();
    let u32s: [(&str, Option<u32>); 5] = [
        ("forward_delay", get!(l, BridgeAttr::ForwardDelay)),
        ("hello_time", get!(l, BridgeAttr::HelloTime)),
        ("max_age", get!(l, BridgeAttr::MaxAge)),
        ("ageing_time", get!(l, BridgeAttr::AgeingTime)),
        ("stp_state", get!(l, BridgeAttr::StpState)),
    ];
    for (k, x) in u32s {
        if let Some(x) = x {
            v.push(k, x);
        }
    }
    if let Some(p) = get!(l, BridgeAttr::Priority) {
        v.push("priority", u32::from(p));
    }
    if let Some(f) = get!(l, BridgeAttr::VlanFiltering) {
        v.push("vlan_filtering", u32::from(f));
    }
    if let Some(p) = get!(l, BridgeAttr::VlanProtocol) {
        v.push(
            "vlan_protocol",
            match p {
                0x8100 => "802.1Q".to_string(),
                0x88a8 => "802.1ad".to_string(),
                other => format!("[{other}]"),
            },
        );
    }
    let id = get!(l, BridgeAttr::BridgeId);
    if let Some(id) = &id {
        v.push("bridge_id", bridge_id(id));
    }
    // ip 6.1 prints the bridge id under root_id (when the root id is present).
    if get!(l, BridgeAttr::RootId).is_some() {
        v.push("root_id", id.as_ref().map(bridge_id).unwrap_or_default());
    }
    if let Some(p) = get!(l, BridgeAttr::RootPort) {
        v.push("root_port", u32::from(p));
    }
    if let Some(c) = get!(l, BridgeAttr::RootPathCost) {
        v.push("root_path_cost", c);
    }
    if let Some(t) = get!(l, BridgeAttr::TopologyChange) {
        v.push("topology_change", u32::from(t));
    }
    if let Some(t) = get!(l, BridgeAttr::TopologyChangeDetected) {
        v.push("topology_change_detected", u32::from(t));
    }
    let timers: [(&str, Option<u64>); 4] = [
        ("hello_timer", get!(l, BridgeAttr::HelloTimer)),
        ("tcn_timer", get!(l, BridgeAttr::TcnTimer)),
        (
            "topology_change_timer",
            get!(l, BridgeAttr::TopologyChangeTimer),
        ),
        ("gc_timer", get!(l, BridgeAttr::GcTimer)),
    ];
    for (k, t) in timers {
        if let Some(t) = t {
            v.push(k, timer(t));
        }
    }
    if let Some(p) = get!(l, BridgeAttr::VlanDefaultPvid) {
        v.push("vlan_default_pvid", u32::from(p));
    }
    if let Some(x) = get!(l, BridgeAttr::VlanStatsEnabled) {
        v.push("vlan_stats_enabled", u32::from(x));
    }
    if let Some(x) = get!(l, BridgeAttr::VlanStatsPerPort) {
        v.push("vlan_stats_per_port", u32::from(x));
    }
    if let Some(m) = get!(l, BridgeAttr::GroupFwdMask) {
        v.push("group_fwd_mask", hex0x(u64::from(m)));
    }
    if let Some(a) = get!(l, BridgeAttr::GroupAddr) {
        v.push("group_addr", hex_octets(&a));
    }
    if let Some(x) = get!(l, BridgeAttr::McastSnooping) {
        v.push("mcast_snooping", u32::from(x));
    }
    if let Some(b) = get!(l, BridgeAttr::MultiBoolopt)
        && let (Some(val), Some(mask)) = (
            b.get(0..4).and_then(|s| <[u8; 4]>::try_from(s).ok()),
            b.get(4..8).and_then(|s| <[u8; 4]>::try_from(s).ok()),
        )
    {
        let (val, mask) = (u32::from_ne_bytes(val), u32::from_ne_bytes(mask));
        // BR_BOOLOPT_NO_LL_LEARN (0), BR_BOOLOPT_MCAST_VLAN_SNOOPING (1).
        for (bit, key) in [(0, "no_linklocal_learn"), (1, "mcast_vlan_snooping")] {
            if mask & (1 << bit) != 0 {
                v.push(key, u32::from(val & (1 << bit) != 0));
            }
        }
    }
    let u8s: [(&str, Option<u8>); 3] = [
        ("mcast_router", get!(l, BridgeAttr::McastRouter)),
        (
            "mcast_query_use_ifaddr",
            get!(l, BridgeAttr::McastQueryUseIfaddr),
        ),
        ("mcast_querier", get!(l, BridgeAttr::McastQuerier)),
    ];
    for (k, x) in u8s {
        if let Some(x) = x {
            v.push(k, u32::from(x));
        }
    }
    let u32s: [(&str, Option<u32>); 4] = [
        (
            "mcast_hash_elasticity",
            get!(l, BridgeAttr::McastHashElasticity),
        ),
        ("mcast_hash_max", get!(l, BridgeAttr::McastHashMax)),
        (
            "mcast_last_member_cnt",
            get!(l, BridgeAttr::McastLastMemberCnt),
        ),
        (
            "mcast_startup_query_cnt",
            get!(l, BridgeAttr::McastStartupQueryCnt),
        ),
    ];
    for (k, x) in u32s {
        if let Some(x) = x {
            v.push(k, x);
        }
    }
    let u64s: [(&str, Option<u64>); 6] = [
        (
            "mcast_last_member_intvl",
            get!(l, BridgeAttr::McastLastMemberIntvl),
        ),
        (
            "mcast_membership_intvl",
            get!(l, BridgeAttr::McastMembershipIntvl),
        ),
        (
            "mcast_querier_intvl",
            get!(l, BridgeAttr::McastQuerierIntvl),
        ),
        ("mcast_query_intvl", get!(l, BridgeAttr::McastQueryIntvl)),
        (
            "mcast_query_response_intvl",
            get!(l, BridgeAttr::McastQueryResponseIntvl),
        ),
        (
            "mcast_startup_query_intvl",
            get!(l, BridgeAttr::McastStartupQueryIntvl),
        ),
    ];
    for (k, x) in u64s {
        if let Some(x) = x {
            v.push(k, x);
        }
    }
    let u8s: [(&str, Option<u8>); 6] = [
        (
            "mcast_stats_enabled",
            get!(l, BridgeAttr::McastStatsEnabled),
        ),
        ("mcast_igmp_version", get!(l, BridgeAttr::McastIgmpVersion)),
        ("mcast_mld_version", get!(l, BridgeAttr::McastMldVersion)),
        ("nf_call_iptables", get!(l, BridgeAttr::NfCallIptables)),
        ("nf_call_ip6tables", get!(l, BridgeAttr::NfCallIp6tables)),
        ("nf_call_arptables", get!(l, BridgeAttr::NfCallArptables)),
    ];
    for (k, x) in u8s {
        if let Some(x) = x {
            v.push(k, u32::from(x));
        }
    }
    v
}

fn bridge_port_json(l: &[BridgePortAttr], names: &Names<'_>) -> Value {
    let mut v = Value::object();
    if let Some(s) = get!(l, BridgePortAttr::State) {
        let states = [
            "disabled",
            "listening",
            "learning",
            "forwarding",
            "blocking",
        ];
        match states.get(usize::from(s)) {
            Some(n) => v.push("state", *n),
            None => v.push("state_index", Value::I64(i64::from(s))),
        };
    }
    if let Some(p) = get!(l, BridgePortAttr::Priority) {
        v.push("priority", Value::I64(i64::from(p)));
    }
    if let Some(c) = get!(l, BridgePortAttr::Cost) {
        v.push("cost", int(c));
    }
    let on_off = |v: &mut Value, k: &str, x: Option<u8>| {
        if let Some(x) = x {
            v.push(k, x != 0);
        }
    };
    on_off(&mut v, "hairpin", get!(l, BridgePortAttr::Mode));
    on_off(&mut v, "guard", get!(l, BridgePortAttr::Guard));
    on_off(&mut v, "root_block", get!(l, BridgePortAttr::Protect));
    on_off(&mut v, "fastleave", get!(l, BridgePortAttr::FastLeave));
    on_off(&mut v, "learning", get!(l, BridgePortAttr::Learning));
    on_off(&mut v, "flood", get!(l, BridgePortAttr::UnicastFlood));
    if let Some(x) = get!(l, BridgePortAttr::Id) {
        v.push("id", hex0x(u64::from(x)));
    }
    if let Some(x) = get!(l, BridgePortAttr::No) {
        v.push("no", hex0x(u64::from(x)));
    }
    if let Some(x) = get!(l, BridgePortAttr::DesignatedPort) {
        v.push("designated_port", u32::from(x));
    }
    if let Some(x) = get!(l, BridgePortAttr::DesignatedCost) {
        v.push("designated_cost", u32::from(x));
    }
    if let Some(id) = get!(l, BridgePortAttr::BridgeId) {
        v.push("bridge_id", bridge_id(&id));
    }
    if let Some(id) = get!(l, BridgePortAttr::RootId) {
        v.push("root_id", bridge_id(&id));
    }
    let timers: [(&str, Option<u64>); 3] = [
        ("hold_timer", get!(l, BridgePortAttr::HoldTimer)),
        (
            "message_age_timer",
            get!(l, BridgePortAttr::MessageAgeTimer),
        ),
        (
            "forward_delay_timer",
            get!(l, BridgePortAttr::ForwardDelayTimer),
        ),
    ];
    for (k, t) in timers {
        if let Some(t) = t {
            v.push(k, timer(t));
        }
    }
    if let Some(x) = get!(l, BridgePortAttr::TopologyChangeAck) {
        v.push("topology_change_ack", u32::from(x));
    }
    if let Some(x) = get!(l, BridgePortAttr::ConfigPending) {
        v.push("config_pending", u32::from(x));
    }
    on_off(&mut v, "proxy_arp", get!(l, BridgePortAttr::ProxyArp));
    on_off(
        &mut v,
        "proxy_arp_wifi",
        get!(l, BridgePortAttr::ProxyArpWifi),
    );
    if let Some(x) = get!(l, BridgePortAttr::MulticastRouter) {
        v.push("multicast_router", u32::from(x));
    }
    on_off(&mut v, "mcast_flood", get!(l, BridgePortAttr::McastFlood));
    on_off(&mut v, "bcast_flood", get!(l, BridgePortAttr::BcastFlood));
    on_off(
        &mut v,
        "mcast_to_unicast",
        get!(l, BridgePortAttr::McastToUcast),
    );
    on_off(
        &mut v,
        "neigh_suppress",
        get!(l, BridgePortAttr::NeighSuppress),
    );
    if let Some(m) = get!(l, BridgePortAttr::GroupFwdMask) {
        v.push("group_fwd_mask", hex0x(u64::from(m)));
        v.push("group_fwd_mask_str", fwd_mask_str(m));
    }
    on_off(&mut v, "vlan_tunnel", get!(l, BridgePortAttr::VlanTunnel));
    on_off(&mut v, "isolated", get!(l, BridgePortAttr::Isolated));
    on_off(&mut v, "locked", get!(l, BridgePortAttr::Locked));
    if let Some(b) = get!(l, BridgePortAttr::BackupPort) {
        v.push("backup_port", names.name(b));
    }
    v
}

/// A port's group forward mask as `ip` spells it: `stp`, `lacp`, `lldp` or `0x<bit>` per
/// set bit, joined by commas; `0x0` when empty.
fn fwd_mask_str(mask: u16) -> String {
    let parts: Vec<String> = (0..16)
        .filter(|i| mask & (1 << i) != 0)
        .map(|i| match i {
            0 => "stp".to_string(),
            2 => "lacp".to_string(),
            14 => "lldp".to_string(),
            _ => format!("0x{:x}", 1u32 << i),
        })
        .collect();
    if parts.is_empty() {
        "0x0".into()
    } else {
        parts.join(",")
    }
}

fn macvlan_json(l: &[MacvlanAttr]) -> Value {
    let mut v = Value::object();
    let Some(mode) = get!(l, MacvlanAttr::Mode) else {
        return v;
    };
    let mode = u32::from(mode);
    v.push(
        "mode",
        match mode {
            1 => "private",
            2 => "vepa",
            4 => "bridge",
            8 => "passthru",
            16 => "source",
            _ => "unknown",
        },
    );
    let flags = get!(l, MacvlanAttr::Flags).unwrap_or(0);
    if flags & 1 != 0 {
        v.push("nopromisc", true);
    }
    if flags & 2 != 0 {
        v.push("nodst", true);
    }
    if let Some(q) = get!(l, MacvlanAttr::BcQueueLen) {
        v.push("bcqueuelen", q);
    }
    if let Some(q) = get!(l, MacvlanAttr::BcQueueLenUsed) {
        v.push("usedbcqueuelen", q);
    }
    if mode != 16 {
        return v;
    }
    let Some(count) = get!(l, MacvlanAttr::MacaddrCount) else {
        return v;
    };
    v.push("macaddr_count", int(count));
    if let Some(data) = get!(l, MacvlanAttr::MacaddrData) {
        let macs = AttrIter::new(&data)
            .filter_map(Result::ok)
            .filter(|a| a.kind() == 4 && a.value().len() >= 6)
            .map(|a| Value::Str(hex_octets(a.value().get(..6).unwrap_or_default())))
            .collect();
        v.push("macaddr_data", Value::Array(macs));
    }
    v
}

fn vxlan_json(l: &[VxlanAttr], names: &Names<'_>) -> Value {
    let mut v = Value::object();
    let set = |x: Option<u8>| x.is_some_and(|x| x != 0);
    if set(get!(l, VxlanAttr::CollectMetadata)) {
        v.push("external", true);
    }
    if set(get!(l, VxlanAttr::VniFilter)) {
        v.push("vnifilter", true);
    }
    if let Some(id) = get!(l, VxlanAttr::Id) {
        v.push("id", id);
    }
    if let Some(g) = get!(l, VxlanAttr::Group) {
        if !g.is_unspecified() {
            let k = if g.is_multicast() { "group" } else { "remote" };
            v.push(k, g.to_string());
        }
    } else if let Some(g) = get!(l, VxlanAttr::Group6)
        && !g.is_unspecified()
    {
        let k = if g.is_multicast() {
            "group6"
        } else {
            "remote6"
        };
        v.push(k, g.to_string());
    }
    if let Some(a) = get!(l, VxlanAttr::Local) {
        if !a.is_unspecified() {
            v.push("local", a.to_string());
        }
    } else if let Some(a) = get!(l, VxlanAttr::Local6)
        && !a.is_unspecified()
    {
        v.push("local6", a.to_string());
    }
    if let Some(d) = get!(l, VxlanAttr::Link).filter(|d| *d != 0) {
        v.push("link", names.name(d));
    }
    if let Some(r) = get!(l, VxlanAttr::PortRange) {
        let mut pr = Value::object();
        pr.push("low", u32::from(r.low));
        pr.push("high", u32::from(r.high));
        v.push("port_range", pr);
    }
    if let Some(p) = get!(l, VxlanAttr::Port) {
        v.push("port", u32::from(p));
    }
    if let Some(x) = get!(l, VxlanAttr::Learning) {
        v.push("learning", x != 0);
    }
    for (k, x) in [
        ("proxy", get!(l, VxlanAttr::Proxy)),
        ("rsc", get!(l, VxlanAttr::Rsc)),
        ("l2miss", get!(l, VxlanAttr::L2Miss)),
        ("l3miss", get!(l, VxlanAttr::L3Miss)),
    ] {
        if set(x) {
            v.push(k, true);
        }
    }
    if let Some(t) = get!(l, VxlanAttr::Tos).filter(|t| *t != 0) {
        v.push("tos", hex0x(u64::from(t)));
    }
    if !set(get!(l, VxlanAttr::TtlInherit))
        && let Some(t) = get!(l, VxlanAttr::Ttl)
    {
        v.push("ttl", u32::from(t));
    }
    match get!(l, VxlanAttr::Df) {
        Some(0) => {
            v.push("df", "unset");
        }
        Some(1) => {
            v.push("df", "set");
        }
        Some(2) => {
            v.push("df", "inherit");
        }
        _ => {}
    }
    if let Some(label) = get!(l, VxlanAttr::Label).filter(|x| *x != 0) {
        v.push("label", hex0x(u64::from(label)));
    }
    if let Some(a) = get!(l, VxlanAttr::Ageing) {
        v.push("ageing", a);
    }
    if let Some(m) = get!(l, VxlanAttr::Limit).filter(|x| *x != 0) {
        v.push("limit", m);
    }
    for (k, x) in [
        ("udp_csum", get!(l, VxlanAttr::UdpCsum)),
        ("udp_zero_csum6_tx", get!(l, VxlanAttr::UdpZeroCsum6Tx)),
        ("udp_zero_csum6_rx", get!(l, VxlanAttr::UdpZeroCsum6Rx)),
    ] {
        if let Some(x) = x {
            v.push(k, x != 0);
        }
    }
    if set(get!(l, VxlanAttr::RemcsumTx)) {
        v.push("remcsum_tx", true);
    }
    if set(get!(l, VxlanAttr::RemcsumRx)) {
        v.push("remcsum_rx", true);
    }
    if has!(l, VxlanAttr::Gbp) {
        v.push("gbp", true);
    }
    if has!(l, VxlanAttr::Gpe) {
        v.push("gpe", true);
    }
    v
}

fn tun_json(l: &[TunAttr]) -> Value {
    let mut v = Value::object();
    if let Some(t) = get!(l, TunAttr::Type) {
        v.push(
            "type",
            match t {
                1 => "tun".to_string(),
                2 => "tap".to_string(),
                other => format!("UNKNOWN:{other}"),
            },
        );
    }
    if let Some(x) = get!(l, TunAttr::Pi) {
        v.push("pi", x != 0);
    }
    if let Some(x) = get!(l, TunAttr::VnetHdr) {
        v.push("vnet_hdr", x != 0);
    }
    if get!(l, TunAttr::MultiQueue).is_some_and(|x| x != 0) {
        v.push("multi_queue", true);
        if let Some(n) = get!(l, TunAttr::NumQueues) {
            v.push("numqueues", n);
        }
        if let Some(n) = get!(l, TunAttr::NumDisabledQueues) {
            v.push("numdisabled", n);
        }
    } else {
        v.push("multi_queue", false);
    }
    if let Some(x) = get!(l, TunAttr::Persist) {
        v.push("persist", x != 0);
    }
    if let Some(uid) = get!(l, TunAttr::Owner) {
        match name_of_id("/etc/passwd", uid) {
            Some(n) => v.push("user", n),
            None => v.push("user", uid),
        };
    }
    if let Some(gid) = get!(l, TunAttr::Group) {
        match name_of_id("/etc/group", gid) {
            Some(n) => v.push("group", n),
            None => v.push("group", gid),
        };
    }
    v
}

/// The `ip link show` text of one link (two or three lines, ending with a newline): index,
/// name, flags, MTU, qdisc, master, state, mode, group and queue length; the link-layer
/// line; with `-d`, a line of details (simpler than `ip`'s); the alias.
pub fn link_text(m: &LinkMessage, names: &Names<'_>, o: Opts) -> String {
    let mut s = String::new();
    let ty = m.header.link_layer_type;
    let netnsid = get!(m.attrs, LinkAttr::LinkNetNsId);
    let name = m.name().unwrap_or_default();
    let mut mdown = false;
    let shown = match m.link() {
        Some(0) => format!("{name}@NONE"),
        Some(l) if netnsid.is_some() => format!("{name}@if{l}"),
        Some(l) => {
            mdown = !names.flags(l).contains(IfFlags::UP);
            format!("{name}@{}", names.name(l))
        }
        None => name.to_string(),
    };
    let _ = write!(
        s,
        "{}: {shown}: <{}> ",
        m.index(),
        flag_names(m.flags(), mdown).join(",")
    );
    if let Some(mtu) = m.mtu() {
        let _ = write!(s, "mtu {mtu} ");
    }
    if let Some(q) = get!(m.attrs, LinkAttr::Qdisc) {
        let _ = write!(s, "qdisc {q} ");
    }
    if let Some(master) = m.master() {
        let _ = write!(s, "master {} ", names.name(master));
    }
    if let Some(st) = m.operstate() {
        let st = u8::from(st);
        match operstate_name(st) {
            Some(n) => {
                let _ = write!(s, "state {n} ");
            }
            None => {
                let _ = write!(s, "state {st:#x} ");
            }
        }
    }
    if let Some(mode) = get!(m.attrs, LinkAttr::LinkMode) {
        let _ = match mode {
            0 => write!(s, "mode DEFAULT "),
            1 => write!(s, "mode DORMANT "),
            x => write!(s, "mode {x} "),
        };
    }
    if let Some(g) = get!(m.attrs, LinkAttr::Group) {
        let _ = write!(s, "group {} ", group_name(g));
    }
    if let Some(q) = m.txqlen().filter(|q| *q != 0) {
        let _ = write!(s, "qlen {q}");
    }
    let mut line2 = String::new();
    if o.link_layer || o.details {
        let _ = write!(line2, "    link/{} ", link_type_name(ty));
        if let Some(a) = m.address() {
            line2.push_str(&ll_addr(a, ty));
        }
        if let Some(b) = m.broadcast() {
            let word = if m.flags().contains(IfFlags::POINTOPOINT) {
                "peer"
            } else {
                "brd"
            };
            let _ = write!(line2, " {word} {}", ll_addr(b, ty));
        }
    }
    match netnsid {
        Some(id) if id >= 0 => match names.netns_name(id) {
            Some(n) => {
                let _ = write!(line2, " link-netns {n}");
            }
            None => {
                let _ = write!(line2, " link-netnsid {id}");
            }
        },
        Some(_) => line2.push_str(" link-netnsid unknown"),
        None => {}
    }
    if o.details {
        if let Some(p) = get!(m.attrs, LinkAttr::Promiscuity) {
            let _ = write!(line2, " promiscuity {p} ");
        }
        if let Some(x) = get!(m.attrs, LinkAttr::Allmulti) {
            let _ = write!(line2, " allmulti {x} ");
        }
        if let Some(x) = get!(m.attrs, LinkAttr::MinMtu) {
            let _ = write!(line2, "minmtu {x} ");
        }
        if let Some(x) = get!(m.attrs, LinkAttr::MaxMtu) {
            let _ = write!(line2, "maxmtu {x} ");
        }
        let info = m.info();
        if let Some(k) = info.and_then(LinkInfo::kind) {
            let _ = write!(line2, "\n    {k} ");
        }
        if let Some(k) = info.and_then(LinkInfo::slave_kind) {
            let _ = write!(line2, "\n    {k}_slave ");
        }
        if let Some(mode) = addr_gen_mode(m) {
            let _ = write!(line2, "addrgenmode {} ", addr_gen_mode_name(mode));
        }
        if let Some(x) = get!(m.attrs, LinkAttr::NumTxQueues) {
            let _ = write!(line2, "numtxqueues {x} ");
        }
        if let Some(x) = get!(m.attrs, LinkAttr::NumRxQueues) {
            let _ = write!(line2, "numrxqueues {x} ");
        }
        let more: [(&str, Option<u32>); 5] = [
            ("gso_max_size", get!(m.attrs, LinkAttr::GsoMaxSize)),
            ("gso_max_segs", get!(m.attrs, LinkAttr::GsoMaxSegs)),
            ("tso_max_size", get!(m.attrs, LinkAttr::TsoMaxSize)),
            ("tso_max_segs", get!(m.attrs, LinkAttr::TsoMaxSegs)),
            ("gro_max_size", get!(m.attrs, LinkAttr::GroMaxSize)),
        ];
        for (k, f) in more {
            if let Some(x) = f {
                let _ = write!(line2, "{k} {x} ");
            }
        }
    }
    if !line2.is_empty() {
        s.push('\n');
        s.push_str(&line2);
    }
    if let Some(alias) = m.alias() {
        let _ = write!(s, "\n    alias {alias}");
    }
    if o.stats > 0
        && let Some(st) = m.stats64()
    {
        stats_lines(
            &mut s,
            "RX",
            &[
                ("bytes", st.rx_bytes),
                ("packets", st.rx_packets),
                ("errors", st.rx_errors),
                ("dropped", st.rx_dropped),
                ("missed", st.rx_missed_errors),
                ("mcast", st.multicast),
            ],
        );
        stats_lines(
            &mut s,
            "TX",
            &[
                ("bytes", st.tx_bytes),
                ("packets", st.tx_packets),
                ("errors", st.tx_errors),
                ("dropped", st.tx_dropped),
                ("carrier", st.tx_carrier_errors),
                ("collsns", st.collisions),
            ],
        );
    }
    for alt in alt_names(m).unwrap_or_default() {
        let _ = write!(s, "\n    altname {alt}");
    }
    s.push('\n');
    s
}

/// One link as `ip -br -j link show` prints it: name (and link), state, address, flags.
pub fn brief_json(m: &LinkMessage, names: &Names<'_>) -> Value {
    let full = link_json(m, names, Opts::default());
    let mut v = Value::object();
    if let Value::Object(fields) = full {
        for key in [
            "link",
            "link_index",
            "ifname",
            "operstate",
            "operstate_index",
        ] {
            if let Some((_, x)) = fields.iter().find(|(k, _)| k == key) {
                v.push(key, x.clone());
            }
        }
        if let Some(a) = m.address() {
            v.push("address", ll_addr(a, m.header.link_layer_type));
        }
        if let Some((_, x)) = fields.iter().find(|(k, _)| k == "flags") {
            v.push("flags", x.clone());
        }
    }
    v
}

/// One link as `ip -br link show` prints it.
pub fn brief_text(m: &LinkMessage, names: &Names<'_>) -> String {
    let name = m.name().unwrap_or_default();
    let mut mdown = false;
    let shown = match m.link() {
        Some(0) => format!("{name}@NONE"),
        Some(l) if get!(m.attrs, LinkAttr::LinkNetNsId).is_some() => format!("{name}@if{l}"),
        Some(l) => {
            mdown = !names.flags(l).contains(IfFlags::UP);
            format!("{name}@{}", names.name(l))
        }
        None => name.to_string(),
    };
    let mut s = format!("{shown:<16} ");
    if let Some(st) = m.operstate() {
        let st = u8::from(st);
        match operstate_name(st) {
            Some(n) => {
                let _ = write!(s, "{n:<14} ");
            }
            None => {
                let _ = write!(s, "state {st:#x} ");
            }
        }
    }
    if let Some(a) = m.address() {
        let _ = write!(s, "{} ", ll_addr(a, m.header.link_layer_type));
    }
    let _ = writeln!(s, "<{}> ", flag_names(m.flags(), mdown).join(","));
    s
}

/// Which kinds `ip link show type KIND` selects: `KIND_slave` matches the port kind.
pub fn kind_matches(m: &LinkMessage, kind: &str) -> bool {
    let info = m.info();
    match kind.strip_suffix("_slave") {
        Some(sk) => info.and_then(LinkInfo::slave_kind) == Some(sk),
        None => info.and_then(LinkInfo::kind) == Some(kind),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_like_ip() {
        let f = IfFlags::BROADCAST | IfFlags::MULTICAST | IfFlags::UP;
        assert_eq!(
            flag_names(f, false),
            ["NO-CARRIER", "BROADCAST", "MULTICAST", "UP"]
        );
        let f = f | IfFlags::RUNNING | IfFlags::LOWER_UP;
        assert_eq!(
            flag_names(f, true),
            ["BROADCAST", "MULTICAST", "UP", "LOWER_UP", "M-DOWN"]
        );
        assert_eq!(
            flag_names(IfFlags::from_bits_retain(1 << 20), false),
            ["100000"]
        );
        assert_eq!(
            flag_names(
                IfFlags::POINTOPOINT | IfFlags::MULTICAST | IfFlags::NOARP,
                false
            ),
            ["POINTOPOINT", "MULTICAST", "NOARP"]
        );
    }

    #[test]
    fn formats() {
        assert_eq!(link_type_name(1), "ether");
        assert_eq!(link_type_name(772), "loopback");
        assert_eq!(link_type_name(0xfffe), "none");
        assert_eq!(link_type_name(790), "fcfb3");
        assert_eq!(link_type_name(12345), "[12345]");
        assert_eq!(
            ll_addr(&[0x12, 0xc6, 1, 0x15, 0x9f, 0xa2], 1),
            "12:c6:01:15:9f:a2"
        );
        assert_eq!(ll_addr(&[198, 18, 0, 1], 768), "198.18.0.1");
        let id = BridgeId {
            priority: 0x8000,
            address: [0x12, 0xc6, 1, 0x15, 0x9f, 0xa2],
        };
        assert_eq!(bridge_id(&id), "8000.12:c6:1:15:9f:a2");
        assert_eq!(timer(0).to_text(false), "0.00");
        assert_eq!(timer(1234).to_text(false), "12.34");
        assert_eq!(timer(5).to_text(false), "0.05");
        assert_eq!(hex0x(0), Value::Str("0".into()));
        assert_eq!(hex0x(0x8001), Value::Str("0x8001".into()));
        assert_eq!(fwd_mask_str(0), "0x0");
        assert_eq!(fwd_mask_str(0x4005), "stp,lacp,lldp");
        assert_eq!(fwd_mask_str(0x0002), "0x2");
        assert_eq!(group_name(0), "default");
        assert_eq!(group_name(u32::MAX), "-1");
        assert_eq!(addr_gen_mode_name(7), "0x07");
    }
}
