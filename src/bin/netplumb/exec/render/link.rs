//! A link as `ip link show`, `ip address show` and `ip monitor link` print it: one renderer
//! following iproute2 6.1's `print_linkinfo` (and `print_linkinfo_brief` for `-br`), with a
//! [`View`] saying what each context prints:
//!
//! - every context: `ifindex`, `link` / `link_index`, `ifname`, `flags` (with `NO-CARRIER`
//!   and `M-DOWN` as ip derives them), `mtu`, `qdisc`, `master`, `operstate`, `group`,
//!   `event`, the link-layer line (`link_type`, `address`, `broadcast` /
//!   `link_pointtopoint`, `permaddr`), `link_netnsid`, `new-netns`/`new-ifindex` (text), `proto_down` and
//!   `proto_down_reason`, `altnames`; with `-d`,
//!   `promiscuity`, `allmulti`, MTU limits, `linkinfo` (see [`super::linkinfo`]), queue
//!   counts, GSO/TSO/GRO limits, port ids and `ifalias`;
//! - `show` (not `monitor`): `txqlen`;
//! - `link show` (ip's `do_link`): `linkmode`, `ifalias` (also without `-d`), with `-d`
//!   `inet6_addr_gen_mode`, with `-s` `stats64`.
//!
//! - with `-d` (and in `link show`), the virtual functions ([`super::vf`]).
//!
//! - XDP programs ([`super::xdp`]: their ids, not what `ip` reads of them with the bpf
//!   syscall).
//!
//! With `-h` (`-human`) the counters are not scaled as `ip` scales them.

use super::linkinfo::linkinfo;
use super::{Opts, Rec, vf, xdp};
use crate::exec::links::Links;
use crate::json::Value;
use crate::names::{self, NameTable};
use netplumb::wire::AttrIter;
use netplumb::wire::family::AF_INET6;
use netplumb::wire::link::{
    IFLA_ALT_IFNAME, IFLA_PROP_LIST, IfFlags, LinkAttr, LinkInfo, LinkMessage, Stats64,
};
use std::fmt::Write as _;

use LinkAttr as A;

/// `IFLA_INET6_ADDR_GEN_MODE` inside `IFLA_AF_SPEC` / `AF_INET6`.
pub const IFLA_INET6_ADDR_GEN_MODE: u16 = 8;

/// What a context prints of a link (ip decides it from `do_link`, `filter.showqueue` and
/// the family asked for).
#[derive(Debug, Clone, Copy)]
pub struct View {
    /// `link show`: `linkmode`, the alias, `-d`'s address generation mode, `-s`'s
    /// counters.
    pub link_show: bool,
    /// `qlen` (`txqlen`): the `show` commands print it, `monitor` does not.
    pub queue: bool,
    /// The link-layer line (`link_type`, `address`, `broadcast`): ip leaves it out when a
    /// protocol family other than `link` is selected, unless `-d`.
    pub link_layer: bool,
}

impl View {
    /// `ip monitor link`.
    pub const MONITOR: View = View {
        link_show: false,
        queue: false,
        link_layer: true,
    };
    /// `ip link show` (which lists links as family `AF_PACKET` whatever `-4`/`-6` say).
    pub const LINK_SHOW: View = View {
        link_show: true,
        queue: true,
        link_layer: true,
    };

    /// The link part of `ip address show`; `link_layer` when no family or `-0` is selected.
    pub fn addr_show(link_layer: bool) -> View {
        View {
            link_show: false,
            queue: true,
            link_layer,
        }
    }
}

/// The first attribute `$p` matches, cloned.
macro_rules! get {
    ($m:expr, $p:path) => {
        $m.attrs.iter().find_map(|a| match a {
            $p(v) => Some(v.clone()),
            _ => None,
        })
    };
}

/// A value ip prints with `print_int` (signed).
fn int(v: u32) -> Value {
    Value::I64(i64::from(v as i32))
}

/// One link record (`print_linkinfo`), starting with `Deleted` for a removal.
pub fn link(m: &LinkMessage, links: &Links<'_>, o: &Opts, v: View) -> Rec {
    let mut rec = o.rec();
    link_fields(&mut rec, m, links, o, v);
    rec
}

/// One link as `-br` prints it (`print_linkinfo_brief`): name, state and, for the link
/// family (`packet`: `link show`, `-0 address show`), address and flags.
pub fn brief(rec: &mut Rec, m: &LinkMessage, links: &Links<'_>, packet: bool) {
    let (text_name, m_down) = name_and_link(rec, m, links);
    rec.text(format!("{text_name:<16} "));
    if let Some(s) = m.operstate() {
        let v = u8::from(s);
        match names::operstate_name(v) {
            Some(name) => rec.any("operstate", name, format!("{name:<14} ")),
            None => rec.any("operstate_index", u32::from(v), format!("state {v:#x} ")),
        };
    }
    if packet {
        if let Some(a) = m.address() {
            let s = names::ll_addr(a, m.header.link_layer_type);
            rec.any("address", s.as_str(), format!("{s} "));
        }
        flags(rec, m.flags(), m_down);
        rec.text("\n");
    }
}

/// `print_link_flags`: the flag names, and the text `<A,B,C> `.
fn flags(rec: &mut Rec, flags: IfFlags, m_down: bool) {
    let names = names::link_flags(flags, m_down);
    rec.text(format!("<{}> ", names.join(",")));
    rec.json(
        "flags",
        names.into_iter().map(Value::Str).collect::<Vec<_>>(),
    );
}

/// `print_name_and_link`: `link` (or `link_index` for a peer in another namespace) and
/// `ifname`; returns the text name (`name@peer`) and whether the peer is down (`M-DOWN`).
fn name_and_link(rec: &mut Rec, m: &LinkMessage, links: &Links<'_>) -> (String, bool) {
    let name = m.name().map_or_else(
        || links.name(u32::try_from(m.index()).unwrap_or(0)),
        str::to_string,
    );
    let mut text_name = name.clone();
    let mut m_down = false;
    match m.link() {
        None => {}
        Some(0) => {
            rec.json("link", Value::Null);
            text_name.push_str("@NONE");
        }
        Some(peer) if get!(m, LinkAttr::LinkNetNsId).is_some() => {
            rec.json("link_index", int(peer));
            let _ = write!(text_name, "@if{peer}");
        }
        Some(peer) => {
            let p = links.name(peer);
            rec.json("link", p.as_str());
            let _ = write!(text_name, "@{p}");
            m_down = !links.is_up(peer);
        }
    }
    rec.json("ifname", name.as_str());
    (text_name, m_down)
}

/// The fields of one link and the text ending with a newline (`print_linkinfo`).
pub fn link_fields(rec: &mut Rec, m: &LinkMessage, links: &Links<'_>, o: &Opts, v: View) {
    rec.any(
        "ifindex",
        Value::I64(m.index().into()),
        format!("{}: ", m.index()),
    );
    let (text_name, m_down) = name_and_link(rec, m, links);
    rec.text(format!("{text_name}: "));
    flags(rec, m.flags(), m_down);
    if let Some(mtu) = m.mtu() {
        rec.any("mtu", int(mtu), format!("mtu {mtu} "));
    }
    if let Some(x) = m.xdp() {
        xdp::xdp(rec, x, v.link_show, false);
    }
    if let Some(q) = get!(m, LinkAttr::Qdisc) {
        rec.any("qdisc", q.as_str(), format!("qdisc {q} "));
    }
    if let Some(master) = m.master() {
        let n = links.name(master);
        rec.any("master", n.as_str(), format!("master {n} "));
    }
    if let Some(s) = m.operstate() {
        let s = u8::from(s);
        match names::operstate_name(s) {
            Some(n) => rec.any("operstate", n, format!("state {n} ")),
            None => rec.any("operstate_index", u32::from(s), format!("state {s:#x} ")),
        };
    }
    if v.link_show
        && let Some(mode) = get!(m, LinkAttr::LinkMode)
    {
        match mode {
            0 => rec.any("linkmode", "DEFAULT", "mode DEFAULT "),
            1 => rec.any("linkmode", "DORMANT", "mode DORMANT "),
            x => rec.any("linkmode_index", int(x.into()), format!("mode {x} ")),
        };
    }
    if let Some(g) = get!(m, LinkAttr::Group) {
        let n = NameTable::Groups.name(g, o.numeric);
        rec.any("group", n.as_str(), format!("group {n} "));
    }
    if v.queue
        && let Some(q) = m.txqlen().filter(|q| *q != 0)
    {
        rec.any("txqlen", int(q), format!("qlen {q}"));
    }
    event(rec, m);
    if v.link_layer || o.details {
        link_layer(rec, m, o);
    }
    if let Some(id) = get!(m, LinkAttr::LinkNetNsId) {
        rec.json("link_netnsid", Value::I64(id.into()));
        match (id >= 0).then(|| links.netns_name(id)) {
            Some(Some(n)) => rec.text(format!(" link-netns {n}")),
            Some(None) => rec.text(format!(" link-netnsid {id}")),
            None => rec.text(" link-netnsid unknown"),
        };
    }
    // A link moving to another namespace (its RTM_DELLINK), text only.
    if let Some(id) = get!(m, LinkAttr::NewNetNsId) {
        match links.netns_name(id) {
            Some(n) => rec.text(format!(" new-netns {n}")),
            None => rec.text(format!(" new-netnsid {id}")),
        };
    }
    if let Some(i) = get!(m, LinkAttr::NewIfIndex) {
        rec.text(format!(" new-ifindex {i}"));
    }
    if let Some(down) = m.proto_down() {
        proto_down(rec, m, down, o.numeric);
    }
    if o.details {
        details(rec, m, links, v);
    }
    if let Some(a) = m.alias().filter(|_| v.link_show || o.details) {
        rec.text("\n    ");
        rec.any("ifalias", a, format!("alias {a}"));
    }
    if let Some(x) = m.xdp().filter(|_| v.link_show || o.details) {
        xdp::xdp(rec, x, true, true);
    }
    if v.link_show
        && o.stats > 0
        && let Some(s) = m.stats64()
    {
        let carrier_changes = get!(m, LinkAttr::CarrierChanges);
        rec.json("stats64", stats_json(s, carrier_changes, o.stats > 1));
        rec.text(stats_text(s, carrier_changes, o.stats > 1));
    }
    let truncated_vfs = (v.link_show || o.details) && vf::vf_list(rec, m, o.stats > 0, o.numeric);
    if let Some(alt) = alt_names(m) {
        for n in &alt {
            rec.text(format!("\n    altname {n}"));
        }
        rec.json(
            "altnames",
            alt.into_iter().map(Value::Str).collect::<Vec<_>>(),
        );
    }
    rec.text("\n");
    if truncated_vfs {
        // ip says so after the record, on stderr.
        eprintln!("Truncated VF list: {}", m.name().unwrap_or_default());
    }
}

/// `print_link_event`: an `IFLA_EVENT` other than `NONE` (link notifications only).
fn event(rec: &mut Rec, m: &LinkMessage) {
    const EVENTS: [&str; 7] = [
        "NONE",
        "REBOOT",
        "FEATURE CHANGE",
        "BONDING FAILOVER",
        "NOTIFY PEERS",
        "RESEND IGMP",
        "BONDING OPTION",
    ];
    match get!(m, LinkAttr::Event) {
        None | Some(0) => {}
        Some(e) => match EVENTS.get(e as usize) {
            Some(n) => {
                rec.any("event", *n, format!("event {n} "));
            }
            None => {
                rec.any("event", Value::I64(e.into()), format!("event {e} "));
            }
        },
    }
}

/// `print_proto_down`: `protodown on`, and the reasons' bits as `protodown_reason <1,3>`
/// (names from `/etc/iproute2/protodown_reasons.d`). As in ip 6.1, only the low byte of
/// the reasons is read, and only for a link with an address (ip looks for
/// `IFLA_PROTO_DOWN_REASON_VALUE` among the link's attributes, where its number is
/// `IFLA_ADDRESS`'s).
fn proto_down(rec: &mut Rec, m: &LinkMessage, down: bool, numeric: bool) {
    if down {
        rec.any("proto_down", true, " protodown on ");
    }
    let Some(Ok(r)) = m.proto_down_reason() else {
        return;
    };
    if m.address().is_none() {
        return;
    }
    let reason = r.value.unwrap_or(0) & 0xff;
    if reason == 0 {
        return;
    }
    let names: Vec<String> = (0..8)
        .filter(|i| reason & (1 << i) != 0)
        .map(|i| names::protodown_reason_name(i, numeric))
        .collect();
    rec.text(format!("protodown_reason <{}>", names.join(",")));
    rec.json(
        "proto_down_reason",
        names.into_iter().map(Value::Str).collect::<Vec<_>>(),
    );
}

/// The second line: `link/TYPE ADDRESS brd|peer BROADCAST permaddr PERMADDR`.
fn link_layer(rec: &mut Rec, m: &LinkMessage, o: &Opts) {
    let t = m.header.link_layer_type;
    let tn = names::link_type_name(t, o.numeric);
    rec.text("\n");
    rec.any("link_type", tn.as_str(), format!("    link/{tn} "));
    let address = m.address();
    if let Some(a) = address {
        let s = names::ll_addr(a, t);
        rec.any("address", s.as_str(), &s);
    }
    if let Some(b) = m.broadcast() {
        if m.flags().contains(IfFlags::POINTOPOINT) {
            rec.text(" peer ");
            rec.json("link_pointtopoint", true);
        } else {
            rec.text(" brd ");
        }
        let s = names::ll_addr(b, t);
        rec.any("broadcast", s.as_str(), &s);
    }
    if let Some(p) = get!(m, LinkAttr::PermAddress)
        && address != Some(p.as_slice())
    {
        let s = names::ll_addr(&p, t);
        rec.text(" permaddr ");
        rec.any("permaddr", s.as_str(), &s);
    }
}

/// `-d`: promiscuity and the other counts and limits, `linkinfo` and the address
/// generation mode (`link show`), the port ids.
fn details(rec: &mut Rec, m: &LinkMessage, links: &Links<'_>, v: View) {
    uint(rec, "promiscuity", " promiscuity ", get!(m, A::Promiscuity));
    uint(rec, "allmulti", " allmulti ", get!(m, A::Allmulti));
    uint(rec, "min_mtu", "minmtu ", get!(m, A::MinMtu));
    uint(rec, "max_mtu", "maxmtu ", get!(m, A::MaxMtu));
    // `linkinfo` in `link show` and `address show` alike, the address generation mode
    // (`IFLA_AF_SPEC`) only in `link show`, as `print_linkinfo` does.
    if let Some(info) = m.info() {
        let (json, text) = linkinfo(info, links);
        rec.text(text);
        rec.json("linkinfo", json);
    }
    if v.link_show
        && let Some(mode) = addr_gen_mode(m)
    {
        let n = addr_gen_mode_name(mode);
        rec.any(
            "inet6_addr_gen_mode",
            n.as_str(),
            format!("addrgenmode {n} "),
        );
    }
    uint(
        rec,
        "num_tx_queues",
        "numtxqueues ",
        get!(m, A::NumTxQueues),
    );
    uint(
        rec,
        "num_rx_queues",
        "numrxqueues ",
        get!(m, A::NumRxQueues),
    );
    uint(rec, "gso_max_size", "gso_max_size ", get!(m, A::GsoMaxSize));
    uint(rec, "gso_max_segs", "gso_max_segs ", get!(m, A::GsoMaxSegs));
    uint(rec, "tso_max_size", "tso_max_size ", get!(m, A::TsoMaxSize));
    uint(rec, "tso_max_segs", "tso_max_segs ", get!(m, A::TsoMaxSegs));
    uint(rec, "gro_max_size", "gro_max_size ", get!(m, A::GroMaxSize));
    if let Some(n) = get!(m, LinkAttr::PhysPortName) {
        rec.any("phys_port_name", n.as_str(), format!("portname {n} "));
    }
    if let Some(id) = get!(m, LinkAttr::PhysPortId) {
        let s = hex_string(&id);
        rec.any("phys_port_id", s.as_str(), format!("portid {s} "));
    }
    if let Some(id) = get!(m, LinkAttr::PhysSwitchId) {
        let s = hex_string(&id);
        rec.any("phys_switch_id", s.as_str(), format!("switchid {s} "));
    }
    if let Some(b) = get!(m, LinkAttr::ParentDevBusName) {
        rec.any("parentbus", b.as_str(), format!("parentbus {b} "));
    }
    if let Some(d) = get!(m, LinkAttr::ParentDevName) {
        rec.any("parentdev", d.as_str(), format!("parentdev {d} "));
    }
}

/// `key` and the text `TEXT VALUE ` when present, as `print_uint` prints them.
fn uint(rec: &mut Rec, key: &'static str, text: &str, x: Option<u32>) {
    if let Some(x) = x {
        rec.any(key, x, format!("{text}{x} "));
    }
}

fn hex_string(b: &[u8]) -> String {
    b.iter().fold(String::new(), |mut s, x| {
        let _ = write!(s, "{x:02x}");
        s
    })
}

/// `IFLA_AF_SPEC` / `AF_INET6` / `IFLA_INET6_ADDR_GEN_MODE`.
pub fn addr_gen_mode(m: &LinkMessage) -> Option<u8> {
    let spec = get!(m, LinkAttr::AfSpec)?;
    let inet6 = AttrIter::new(&spec).find(u16::from(AF_INET6)).ok()??;
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

/// The alternative names in `IFLA_PROP_LIST` (none when the list is absent).
fn alt_names(m: &LinkMessage) -> Option<Vec<String>> {
    let list = m.find(|a| match a {
        LinkAttr::Unknown(u) if u.kind & 0x3fff == IFLA_PROP_LIST => Some(&u.value),
        _ => None,
    })?;
    Some(
        AttrIter::new(list)
            .filter_map(Result::ok)
            .filter(|a| a.kind() == IFLA_ALT_IFNAME)
            .filter_map(|a| a.string("IFLA_ALT_IFNAME").ok().map(str::to_string))
            .collect(),
    )
}

/// Which links `ip link show type KIND` selects: `KIND_slave` matches the port kind.
pub fn kind_matches(m: &LinkMessage, kind: &str) -> bool {
    let info = m.info();
    match kind.strip_suffix("_slave") {
        Some(sk) => info.and_then(LinkInfo::slave_kind) == Some(sk),
        None => info.and_then(LinkInfo::kind) == Some(kind),
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

/// The counters as text, as ip 6.1's `print_stats64` lays them out (without `-h`): `RX:` and
/// `TX:` header and value lines, with `-s -s` (`details`) the `RX errors:` and `TX errors:`
/// lines too, every column as wide as its widest value or header.
fn stats_text(st: &Stats64, carrier_changes: Option<u32>, details: bool) -> String {
    let rx_nohandler = st.rx_nohandler.unwrap_or(0);
    let rx_otherhost = st.rx_otherhost_dropped.unwrap_or(0);
    // Initial widths: the headers `*X errors:`, `packets`, `errors`, `dropped`, `heartbt`,
    // `overrun`, `compressed`, `otherhost`.
    let mut cols = [10usize, 7, 6, 7, 7, 7, 10, 9];
    let mut size = |vals: [u64; 8]| {
        for (c, v) in cols.iter_mut().zip(vals) {
            *c = (*c).max(v.to_string().len());
        }
    };
    size([
        st.rx_bytes,
        st.rx_packets,
        st.rx_errors,
        st.rx_dropped,
        st.rx_missed_errors,
        st.multicast,
        st.rx_compressed,
        0,
    ]);
    if details {
        size([
            0,
            st.rx_length_errors,
            st.rx_crc_errors,
            st.rx_frame_errors,
            st.rx_fifo_errors,
            st.rx_over_errors,
            rx_nohandler,
            rx_otherhost,
        ]);
    }
    size([
        st.tx_bytes,
        st.tx_packets,
        st.tx_errors,
        st.tx_dropped,
        st.tx_carrier_errors,
        st.collisions,
        st.tx_compressed,
        0,
    ]);
    if details {
        size([
            0,
            0,
            st.tx_aborted_errors,
            st.tx_fifo_errors,
            st.tx_window_errors,
            st.tx_heartbeat_errors,
            u64::from(carrier_changes.unwrap_or(0)),
            0,
        ]);
    }
    let c = cols;
    let mut o = String::from("\n");
    let num = |o: &mut String, w: usize, v: u64| {
        let _ = write!(o, "{v:>w$} ");
    };
    counter_block(
        &mut o,
        &c,
        "RX:",
        ["bytes", "packets", "errors", "dropped", "missed", "mcast"],
        [
            st.rx_bytes,
            st.rx_packets,
            st.rx_errors,
            st.rx_dropped,
            st.rx_missed_errors,
            st.multicast,
        ],
        st.rx_compressed,
    );
    if details {
        let _ = write!(
            o,
            "\n    RX errors:{:w0$} {:>w1$} {:>w2$} {:>w3$} {:>w4$} {:>w5$}{:>w6$}{:>w7$}\n{:w8$}",
            "",
            "length",
            "crc",
            "frame",
            "fifo",
            "overrun",
            if rx_nohandler != 0 { " nohandler" } else { "" },
            if rx_otherhost != 0 { " otherhost" } else { "" },
            "",
            w0 = c[0] - 10,
            w1 = c[1],
            w2 = c[2],
            w3 = c[3],
            w4 = c[4],
            w5 = c[5],
            w6 = if rx_nohandler != 0 { c[6] + 1 } else { 0 },
            w7 = if rx_otherhost != 0 { c[7] + 1 } else { 0 },
            w8 = c[0] + 5,
        );
        for (w, v) in [
            (c[1], st.rx_length_errors),
            (c[2], st.rx_crc_errors),
            (c[3], st.rx_frame_errors),
            (c[4], st.rx_fifo_errors),
            (c[5], st.rx_over_errors),
        ] {
            num(&mut o, w, v);
        }
        if rx_nohandler != 0 {
            num(&mut o, c[6], rx_nohandler);
        }
        if rx_otherhost != 0 {
            num(&mut o, c[7], rx_otherhost);
        }
    }
    o.push('\n');
    counter_block(
        &mut o,
        &c,
        "TX:",
        [
            "bytes", "packets", "errors", "dropped", "carrier", "collsns",
        ],
        [
            st.tx_bytes,
            st.tx_packets,
            st.tx_errors,
            st.tx_dropped,
            st.tx_carrier_errors,
            st.collisions,
        ],
        st.tx_compressed,
    );
    if details {
        let _ = write!(
            o,
            "\n    TX errors:{:w0$} {:>w1$} {:>w2$} {:>w3$} {:>w4$} {:>w5$}\n{:w6$}",
            "",
            "aborted",
            "fifo",
            "window",
            "heartbt",
            if carrier_changes.is_some() {
                "transns"
            } else {
                ""
            },
            "",
            w0 = c[0] - 10,
            w1 = c[1],
            w2 = c[2],
            w3 = c[3],
            w4 = c[4],
            w5 = c[5],
            w6 = c[0] + 5,
        );
        for (w, v) in [
            (c[1], st.tx_aborted_errors),
            (c[2], st.tx_fifo_errors),
            (c[3], st.tx_window_errors),
            (c[4], st.tx_heartbeat_errors),
        ] {
            num(&mut o, w, v);
        }
        if let Some(cc) = carrier_changes {
            num(&mut o, c[5], u64::from(cc));
        }
    }
    o
}

/// One direction's main lines of `-s` (ip 6.1's `print_stats64`): `    RX: bytes packets ...`
/// (`label` right-aligned with the first column), then the six counters, and `compressed`
/// as a seventh column only when it is not zero.
fn counter_block(
    o: &mut String,
    c: &[usize; 8],
    label: &str,
    names: [&str; 6],
    values: [u64; 6],
    compressed: u64,
) {
    let _ = write!(o, "    {label} {:>w$}", names[0], w = c[0] - 4);
    for (name, w) in names.iter().zip(c).skip(1) {
        let _ = write!(o, " {name:>w$}");
    }
    let extra = if compressed != 0 { "compressed" } else { "" };
    let _ = write!(o, " {extra:>w$}\n    ", w = c[6]);
    for (v, w) in values.iter().zip(c) {
        let _ = write!(o, "{v:>w$} ");
    }
    if compressed != 0 {
        let _ = write!(o, "{compressed:>w$} ", w = c[6]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `compressed` is a seventh column of a direction only when its counter is not zero
    /// (ip 6.1's `print_stats64`); the kernel tests never see one.
    #[test]
    fn compressed_column_only_where_counted() {
        let st = Stats64 {
            rx_bytes: 1234,
            rx_packets: 5,
            rx_compressed: 7,
            ..Stats64::default()
        };
        let text = stats_text(&st, None, false);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 5, "{text:?}");
        assert!(lines[1].starts_with("    RX:"), "{text:?}");
        assert!(
            lines[1].trim_end().ends_with("mcast compressed"),
            "{text:?}"
        );
        assert_eq!(
            lines[2].split_whitespace().collect::<Vec<_>>(),
            ["1234", "5", "0", "0", "0", "0", "7"]
        );
        assert!(lines[3].trim_end().ends_with("collsns"), "{text:?}");
        assert_eq!(lines[4].split_whitespace().count(), 6, "{text:?}");
        // The value sits under its name: both end at the same column.
        let end = |l: &str| l.trim_end().len();
        assert_eq!(end(lines[1]), end(lines[2]), "{text:?}");
    }

    #[test]
    fn monitor_form_of_a_deleted_link() {
        let m = LinkMessage::new(7).with(LinkAttr::IfName("va".into()));
        let o = Opts {
            deleted: true,
            ..Opts::default()
        };
        let r = link(&m, &Links::new(None), &o, View::MONITOR);
        assert_eq!(r.text_str(), "Deleted 7: va: <> \n    link/netrom \n");
        assert_eq!(
            r.into_value().to_text(false),
            r#"{"deleted":true,"ifindex":7,"ifname":"va","flags":[],"link_type":"netrom"}"#
        );
    }

    #[test]
    fn formats() {
        assert_eq!(addr_gen_mode_name(7), "0x07");
        assert_eq!(hex_string(&[0, 0xab, 1]), "00ab01");
    }
}
