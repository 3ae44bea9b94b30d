//! `linkinfo` as `ip -d link show` prints it (`print_linktype` and the kinds' `print_opt`):
//! the kind and, for the kinds `ip` knows how to print (bridge, macvlan/macvtap, vxlan, tun),
//! their data; the port kind and, for bridge ports, its data; as the `linkinfo` JSON object
//! and as the text lines `    KIND DATA...` and `    KIND_slave DATA...`.
//!
//! Bridge, bridge port and vxlan data are printed from a table per kind ([`BRIDGE`],
//! [`BRIDGE_PORT`], [`VXLAN`]): one row per member, in `ip`'s order, naming the attribute,
//! its format, and how the text names it ([`Text`]).
//!
//! Formats as `ip` writes them: bridge timers in seconds with two decimals (`0.00`), hex
//! values as `0x..` strings, bridge ids as `8000.12:c6:1:15:9f:a2` (unpadded octets), tun
//! owners by user name.

use super::Rec;
use crate::exec::links::Links;
use crate::json::Value;
use crate::names::hex_octets;
use netplumb::wire::AttrIter;
use netplumb::wire::link::{
    BridgeAttr, BridgeId, BridgePortAttr, InfoData, LinkInfo, MacvlanAttr, SlaveData, TunAttr,
    VxlanAttr,
};

/// The value of the first attribute of variant `$p` in `$list`, cloned.
macro_rules! get {
    ($list:expr, $p:path) => {
        $list.iter().find_map(|a| match a {
            $p(v) => Some(v.clone()),
            _ => None,
        })
    };
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

/// An unsigned number, as `ip`'s `print_uint` and friends print it.
fn num<T: Copy + Into<u64>>(v: &T) -> Value {
    Value::U64((*v).into())
}

/// `%#llx` of an unsigned number (see [`hex0x`]).
fn hex<T: Copy + Into<u64>>(v: &T) -> Value {
    hex0x((*v).into())
}

/// A flag printed as `true` or `false`.
fn flag(v: &u8) -> Value {
    Value::Bool(*v != 0)
}

/// A flag printed only when set, as `true`.
fn if_set(v: &u8) -> Option<Value> {
    (*v != 0).then_some(Value::Bool(true))
}

/// A number printed only when it is not zero.
fn nonzero<T: Copy + Into<u64>>(v: &T) -> Option<Value> {
    let v: u64 = (*v).into();
    (v != 0).then_some(Value::U64(v))
}

/// How the text names a member: `KEY VALUE ` (booleans as `on`/`off`, timers in a field
/// of seven), the same with another label, or the label alone (a flag).
#[derive(Clone, Copy)]
enum Text {
    Key,
    Label(&'static str),
    Flag(&'static str),
}

/// One member (or a few) of a kind's data, as `ip` prints it. A kind's printer is a table
/// of these in `ip`'s order ([`members`]).
enum Member<A: 'static> {
    /// `key`, printed from the first attribute of its variant: `None` for an attribute of
    /// another variant, `Some(None)` when `ip` prints nothing for this value.
    Attr(
        &'static str,
        Text,
        fn(&A, &Links<'_>) -> Option<Option<Value>>,
    ),
    /// Members that depend on more than one attribute, or whose key depends on the value.
    List(fn(&[A], &Links<'_>, &mut Rec)),
}

/// A [`Member::Attr`]: `$key` printed by `$f` (returning a [`Value`], or an
/// `Option<Value>` when some values print nothing) from the value of the first `$p`; for a
/// variant without a value, `true` when there is one. The text names it by its key, or
/// `as "label"`, or `flag "label"` (the label alone).
macro_rules! attr {
    ($key:literal $(as $label:literal)?, $p:path, $f:expr) => {
        Member::Attr($key, text!($($label)?), |a, _| match a {
            $p(x) => Some(Option::<Value>::from($f(x))),
            _ => None,
        })
    };
    ($key:literal flag $label:literal, $p:path, $f:expr) => {
        Member::Attr($key, Text::Flag($label), |a, _| match a {
            $p(x) => Some(Option::<Value>::from($f(x))),
            _ => None,
        })
    };
    ($key:literal flag $label:literal, $p:path) => {
        Member::Attr($key, Text::Flag($label), |a, _| {
            matches!(a, $p).then_some(Some(Value::Bool(true)))
        })
    };
}

/// The [`Text`] of an `attr!` row.
macro_rules! text {
    () => {
        Text::Key
    };
    ($label:literal) => {
        Text::Label($label)
    };
}

/// A value as the text of `print_*` shows it.
fn value_text(v: &Value) -> String {
    match v {
        Value::Bool(b) => if *b { "on" } else { "off" }.to_string(),
        // Bridge timers: `%4i.%.2i`.
        Value::Number(t) => format!("{t:>7}"),
        Value::U64(n) => n.to_string(),
        Value::I64(n) => n.to_string(),
        other => other.as_str().unwrap_or_default().to_string(),
    }
}

/// The members `table` prints for the attribute list `l`, into `rec`.
fn members<A>(rec: &mut Rec, l: &[A], names: &Links<'_>, table: &[Member<A>]) {
    for m in table {
        match m {
            Member::Attr(key, text, f) => {
                let Some(Some(x)) = l.iter().find_map(|a| f(a, names)) else {
                    continue;
                };
                match text {
                    Text::Key => {
                        let t = format!("{key} {} ", value_text(&x));
                        rec.any(key, x, t)
                    }
                    Text::Label(label) => {
                        let t = format!("{label} {} ", value_text(&x));
                        rec.any(key, x, t)
                    }
                    Text::Flag(label) => rec.any(key, x, format_args!("{label} ")),
                };
            }
            Member::List(f) => f(l, names, rec),
        }
    }
}

/// A kind's data: its JSON object and its text.
fn data<A>(l: &[A], names: &Links<'_>, table: &[Member<A>]) -> Rec {
    let mut r = Rec::new();
    members(&mut r, l, names, table);
    r
}

/// `linkinfo`: the kind and, for kinds `ip` knows how to print, its data; the port kind and
/// its data. Returns the JSON object and the text (`\n    KIND DATA\n    KIND_slave DATA`).
pub fn linkinfo(info: &LinkInfo, names: &Links<'_>) -> (Value, String) {
    let mut v = Value::object();
    let mut text = String::new();
    if let Some(kind) = info.kind() {
        v.push("info_kind", kind);
        text.push_str(&format!("\n    {kind} "));
        let d = info.data();
        let printed = match (kind, d) {
            ("bridge", Some(InfoData::Bridge(l))) => Some(data(l, names, BRIDGE)),
            ("macvlan" | "macvtap", Some(InfoData::Macvlan(l) | InfoData::Macvtap(l))) => {
                Some(macvlan(l))
            }
            ("vxlan", Some(InfoData::Vxlan(l))) => Some(data(l, names, VXLAN)),
            ("tun", Some(InfoData::Tun(l))) => Some(tun(l)),
            // ip prints an empty object for these kinds when there is no data.
            ("bridge" | "macvlan" | "macvtap" | "vxlan" | "tun", None) => Some(Rec::new()),
            _ => None,
        };
        if let Some(d) = printed {
            text.push_str(d.text_str());
            v.push("info_data", d.into_value());
        }
    }
    if let Some(sk) = info.slave_kind() {
        v.push("info_slave_kind", sk);
        text.push_str(&format!("\n    {sk}_slave "));
        if sk == "bridge" {
            let d = match info.slave_data() {
                Some(SlaveData::Bridge(l)) => data(l, names, BRIDGE_PORT),
                _ => Rec::new(),
            };
            text.push_str(d.text_str());
            v.push("info_slave_data", d.into_value());
        }
    }
    (v, text)
}

/// `IFLA_INFO_DATA` of a bridge (`bridge_print_opt`).
const BRIDGE: &[Member<BridgeAttr>] = {
    use BridgeAttr as B;
    &[
        attr!("forward_delay", B::ForwardDelay, num),
        attr!("hello_time", B::HelloTime, num),
        attr!("max_age", B::MaxAge, num),
        attr!("ageing_time", B::AgeingTime, num),
        attr!("stp_state", B::StpState, num),
        attr!("priority", B::Priority, num),
        attr!("vlan_filtering", B::VlanFiltering, num),
        attr!("vlan_protocol", B::VlanProtocol, |p: &u16| match *p {
            0x8100 => Value::from("802.1Q"),
            0x88a8 => Value::from("802.1ad"),
            other => Value::Str(format!("[{other}]")),
        }),
        attr!("bridge_id", B::BridgeId, |id| Value::Str(bridge_id(id))),
        // ip 6.1 prints the bridge id under root_id (when the root id is present).
        Member::List(|l, _, r| {
            if get!(l, B::RootId).is_some() {
                let id = get!(l, B::BridgeId);
                let id = id.as_ref().map(bridge_id).unwrap_or_default();
                r.any(
                    "root_id",
                    id.as_str(),
                    format_args!("designated_root {id} "),
                );
            }
        }),
        attr!("root_port", B::RootPort, num),
        attr!("root_path_cost", B::RootPathCost, num),
        attr!("topology_change", B::TopologyChange, num),
        attr!("topology_change_detected", B::TopologyChangeDetected, num),
        attr!("hello_timer", B::HelloTimer, |t: &u64| timer(*t)),
        attr!("tcn_timer", B::TcnTimer, |t: &u64| timer(*t)),
        attr!(
            "topology_change_timer",
            B::TopologyChangeTimer,
            |t: &u64| timer(*t)
        ),
        attr!("gc_timer", B::GcTimer, |t: &u64| timer(*t)),
        attr!("vlan_default_pvid", B::VlanDefaultPvid, num),
        attr!("vlan_stats_enabled", B::VlanStatsEnabled, num),
        attr!("vlan_stats_per_port", B::VlanStatsPerPort, num),
        attr!("group_fwd_mask", B::GroupFwdMask, hex),
        attr!("group_addr" as "group_address", B::GroupAddr, |a: &[u8; 6]| {
            Value::Str(hex_octets(a))
        }),
        attr!("mcast_snooping", B::McastSnooping, num),
        Member::List(|l, _, r| {
            if let Some(b) = get!(l, B::MultiBoolopt)
                && let (Some(val), Some(mask)) = (
                    b.get(0..4).and_then(|s| <[u8; 4]>::try_from(s).ok()),
                    b.get(4..8).and_then(|s| <[u8; 4]>::try_from(s).ok()),
                )
            {
                let (val, mask) = (u32::from_ne_bytes(val), u32::from_ne_bytes(mask));
                // BR_BOOLOPT_NO_LL_LEARN (0), BR_BOOLOPT_MCAST_VLAN_SNOOPING (1).
                for (bit, key) in [(0, "no_linklocal_learn"), (1, "mcast_vlan_snooping")] {
                    if mask & (1 << bit) != 0 {
                        let on = u32::from(val & (1 << bit) != 0);
                        r.any(key, on, format_args!("{key} {on} "));
                    }
                }
            }
        }),
        attr!("mcast_router", B::McastRouter, num),
        attr!("mcast_query_use_ifaddr", B::McastQueryUseIfaddr, num),
        attr!("mcast_querier", B::McastQuerier, num),
        attr!("mcast_hash_elasticity", B::McastHashElasticity, num),
        attr!("mcast_hash_max", B::McastHashMax, num),
        attr!(
            "mcast_last_member_cnt" as "mcast_last_member_count",
            B::McastLastMemberCnt,
            num
        ),
        attr!(
            "mcast_startup_query_cnt" as "mcast_startup_query_count",
            B::McastStartupQueryCnt,
            num
        ),
        attr!(
            "mcast_last_member_intvl" as "mcast_last_member_interval",
            B::McastLastMemberIntvl,
            num
        ),
        attr!(
            "mcast_membership_intvl" as "mcast_membership_interval",
            B::McastMembershipIntvl,
            num
        ),
        attr!(
            "mcast_querier_intvl" as "mcast_querier_interval",
            B::McastQuerierIntvl,
            num
        ),
        attr!(
            "mcast_query_intvl" as "mcast_query_interval",
            B::McastQueryIntvl,
            num
        ),
        attr!(
            "mcast_query_response_intvl" as "mcast_query_response_interval",
            B::McastQueryResponseIntvl,
            num
        ),
        attr!(
            "mcast_startup_query_intvl" as "mcast_startup_query_interval",
            B::McastStartupQueryIntvl,
            num
        ),
        attr!("mcast_stats_enabled", B::McastStatsEnabled, num),
        attr!("mcast_igmp_version", B::McastIgmpVersion, num),
        attr!("mcast_mld_version", B::McastMldVersion, num),
        attr!("nf_call_iptables", B::NfCallIptables, num),
        attr!("nf_call_ip6tables", B::NfCallIp6tables, num),
        attr!("nf_call_arptables", B::NfCallArptables, num),
    ]
};

/// `IFLA_INFO_SLAVE_DATA` of a bridge port (`bridge_slave_print_opt`).
const BRIDGE_PORT: &[Member<BridgePortAttr>] = {
    use BridgePortAttr as P;
    &[
        Member::List(|l, _, r| {
            if let Some(s) = get!(l, P::State) {
                let states = [
                    "disabled",
                    "listening",
                    "learning",
                    "forwarding",
                    "blocking",
                ];
                match states.get(usize::from(s)) {
                    Some(n) => r.any("state", *n, format_args!("state {n} ")),
                    None => r.any(
                        "state_index",
                        Value::I64(i64::from(s)),
                        format_args!("state ({s}) "),
                    ),
                };
            }
        }),
        attr!("priority", P::Priority, |p: &u16| Value::I64(i64::from(*p))),
        attr!("cost", P::Cost, |c: &u32| int(*c)),
        attr!("hairpin", P::Mode, flag),
        attr!("guard", P::Guard, flag),
        attr!("root_block", P::Protect, flag),
        attr!("fastleave", P::FastLeave, flag),
        attr!("learning", P::Learning, flag),
        attr!("flood", P::UnicastFlood, flag),
        attr!("id" as "port_id", P::Id, hex),
        attr!("no" as "port_no", P::No, hex),
        attr!("designated_port", P::DesignatedPort, num),
        attr!("designated_cost", P::DesignatedCost, num),
        attr!("bridge_id" as "designated_bridge", P::BridgeId, |id| {
            Value::Str(bridge_id(id))
        }),
        attr!("root_id" as "designated_root", P::RootId, |id| {
            Value::Str(bridge_id(id))
        }),
        attr!("hold_timer", P::HoldTimer, |t: &u64| timer(*t)),
        attr!("message_age_timer", P::MessageAgeTimer, |t: &u64| timer(*t)),
        attr!(
            "forward_delay_timer",
            P::ForwardDelayTimer,
            |t: &u64| timer(*t)
        ),
        attr!("topology_change_ack", P::TopologyChangeAck, num),
        attr!("config_pending", P::ConfigPending, num),
        attr!("proxy_arp", P::ProxyArp, flag),
        attr!("proxy_arp_wifi", P::ProxyArpWifi, flag),
        attr!("multicast_router" as "mcast_router", P::MulticastRouter, num),
        // Text only: the JSON has it as `fastleave` already.
        Member::List(|l, _, r| {
            if let Some(f) = get!(l, P::FastLeave) {
                let s = if f != 0 { "on" } else { "off" };
                r.text(format_args!("mcast_fast_leave {s} "));
            }
        }),
        attr!("mcast_flood", P::McastFlood, flag),
        attr!("bcast_flood", P::BcastFlood, flag),
        attr!("mcast_to_unicast", P::McastToUcast, flag),
        attr!("neigh_suppress", P::NeighSuppress, flag),
        attr!("group_fwd_mask", P::GroupFwdMask, hex),
        attr!("group_fwd_mask_str", P::GroupFwdMask, |m: &u16| Value::Str(
            fwd_mask_str(*m)
        )),
        attr!("vlan_tunnel", P::VlanTunnel, flag),
        attr!("isolated", P::Isolated, flag),
        attr!("locked", P::Locked, flag),
        Member::Attr("backup_port", Text::Key, |a, names| match a {
            P::BackupPort(b) => Some(Some(Value::Str(names.name(*b)))),
            _ => None,
        }),
    ]
};

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

/// `IFLA_INFO_DATA` of a macvlan or macvtap device (`macvlan_print_opt`).
fn macvlan(l: &[MacvlanAttr]) -> Rec {
    let mut r = Rec::new();
    let Some(mode) = get!(l, MacvlanAttr::Mode) else {
        return r;
    };
    let mode = u32::from(mode);
    let name = match mode {
        1 => "private",
        2 => "vepa",
        4 => "bridge",
        8 => "passthru",
        16 => "source",
        _ => "unknown",
    };
    r.any("mode", name, format_args!("mode {name} "));
    let flags = get!(l, MacvlanAttr::Flags).unwrap_or(0);
    if flags & 1 != 0 {
        r.any("nopromisc", true, "nopromisc ");
    }
    if flags & 2 != 0 {
        r.any("nodst", true, "nodst ");
    }
    if let Some(q) = get!(l, MacvlanAttr::BcQueueLen) {
        r.any("bcqueuelen", q, format_args!("bcqueuelen {q} "));
    }
    if let Some(q) = get!(l, MacvlanAttr::BcQueueLenUsed) {
        r.any("usedbcqueuelen", q, format_args!("usedbcqueuelen {q} "));
    }
    if mode != 16 {
        return r;
    }
    let Some(count) = get!(l, MacvlanAttr::MacaddrCount) else {
        return r;
    };
    r.any(
        "macaddr_count",
        int(count),
        format_args!("remotes ({}) ", count as i32),
    );
    if let Some(data) = get!(l, MacvlanAttr::MacaddrData) {
        let macs: Vec<String> = AttrIter::new(&data)
            .filter_map(Result::ok)
            .filter(|a| a.kind() == 4 && a.value().len() >= 6)
            .map(|a| hex_octets(a.value().get(..6).unwrap_or_default()))
            .collect();
        for m in &macs {
            r.text(format_args!("{m} "));
        }
        r.json(
            "macaddr_data",
            Value::Array(macs.into_iter().map(Value::Str).collect()),
        );
    }
    r
}

/// `on`/`off` flags that vxlan prints as `[no]NAME` in text.
fn no_flag(r: &mut Rec, key: &'static str, text: &str, v: Option<u8>) {
    if let Some(v) = v {
        r.json(key, v != 0);
        r.text(format_args!("{}{text} ", if v == 0 { "no" } else { "" }));
    }
}

/// `IFLA_INFO_DATA` of a vxlan device (`vxlan_print_opt`).
const VXLAN: &[Member<VxlanAttr>] = {
    use VxlanAttr as X;
    &[
        attr!("external" flag "external", X::CollectMetadata, if_set),
        // ip writes no blank after this one.
        Member::List(|l, _, r| {
            if get!(l, X::VniFilter).is_some_and(|v| v != 0) {
                r.any("vnifilter", true, "vnifilter");
            }
        }),
        attr!("id", X::Id, num),
        // An IPv4 group or remote, else an IPv6 one; none when unspecified.
        Member::List(|l, _, r| {
            let (key, text, a) = if let Some(g) = get!(l, X::Group) {
                let k = if g.is_multicast() { "group" } else { "remote" };
                (k, k, (!g.is_unspecified()).then(|| g.to_string()))
            } else if let Some(g) = get!(l, X::Group6) {
                let (k, t) = if g.is_multicast() {
                    ("group6", "group")
                } else {
                    ("remote6", "remote")
                };
                (k, t, (!g.is_unspecified()).then(|| g.to_string()))
            } else {
                return;
            };
            if let Some(a) = a {
                r.any(key, a.as_str(), format_args!("{text} {a} "));
            }
        }),
        Member::List(|l, _, r| {
            let (key, a) = if let Some(a) = get!(l, X::Local) {
                ("local", (!a.is_unspecified()).then(|| a.to_string()))
            } else if let Some(a) = get!(l, X::Local6) {
                ("local6", (!a.is_unspecified()).then(|| a.to_string()))
            } else {
                return;
            };
            if let Some(a) = a {
                r.any(key, a.as_str(), format_args!("local {a} "));
            }
        }),
        Member::Attr("link", Text::Label("dev"), |a, names| match a {
            X::Link(d) => Some((*d != 0).then(|| Value::Str(names.name(*d)))),
            _ => None,
        }),
        Member::List(|l, _, r| {
            if let Some(p) = get!(l, X::PortRange) {
                let mut pr = Value::object();
                pr.push("low", u32::from(p.low));
                pr.push("high", u32::from(p.high));
                r.any(
                    "port_range",
                    pr,
                    format_args!("srcport {} {} ", p.low, p.high),
                );
            }
        }),
        attr!("port" as "dstport", X::Port, num),
        Member::List(|l, _, r| {
            if let Some(learning) = get!(l, X::Learning) {
                r.json("learning", learning != 0);
                if learning == 0 {
                    r.text("nolearning ");
                }
            }
        }),
        attr!("proxy" flag "proxy", X::Proxy, if_set),
        attr!("rsc" flag "rsc", X::Rsc, if_set),
        attr!("l2miss" flag "l2miss", X::L2Miss, if_set),
        attr!("l3miss" flag "l3miss", X::L3Miss, if_set),
        Member::List(|l, _, r| {
            match get!(l, X::Tos).unwrap_or(0) {
                0 => {}
                1 => {
                    r.json("tos", hex(&1u8));
                    r.text("tos inherit ");
                }
                t => {
                    r.any("tos", hex(&t), format_args!("tos {t:#x} "));
                }
            };
        }),
        // No TTL with `ttl inherit`.
        Member::List(|l, _, r| {
            if get!(l, X::TtlInherit).is_some_and(|x| x != 0) {
                r.text("ttl inherit ");
            } else if let Some(t) = get!(l, X::Ttl) {
                r.json("ttl", u32::from(t));
                if t == 0 {
                    r.text("ttl auto ");
                } else {
                    r.text(format_args!("ttl {t} "));
                }
            }
        }),
        Member::List(|l, _, r| {
            match get!(l, X::Df) {
                Some(0) => r.json("df", "unset"),
                Some(1) => r.any("df", "set", "df set "),
                Some(2) => r.any("df", "inherit", "df inherit "),
                _ => r,
            };
        }),
        attr!("label" as "flowlabel", X::Label, |x: &u32| (*x != 0).then(|| hex(x))),
        Member::List(|l, _, r| {
            if let Some(a) = get!(l, X::Ageing) {
                if a == 0 {
                    r.any("ageing", 0u32, "ageing none ");
                } else {
                    r.any("ageing", a, format_args!("ageing {a} "));
                }
            }
        }),
        attr!("limit" as "maxaddr", X::Limit, nonzero),
        Member::List(|l, _, r| {
            no_flag(r, "udp_csum", "udpcsum", get!(l, X::UdpCsum));
            no_flag(
                r,
                "udp_zero_csum6_tx",
                "udp6zerocsumtx",
                get!(l, X::UdpZeroCsum6Tx),
            );
            no_flag(
                r,
                "udp_zero_csum6_rx",
                "udp6zerocsumrx",
                get!(l, X::UdpZeroCsum6Rx),
            );
        }),
        attr!("remcsum_tx" flag "remcsumtx", X::RemcsumTx, if_set),
        attr!("remcsum_rx" flag "remcsumrx", X::RemcsumRx, if_set),
        attr!("gbp" flag "gbp", X::Gbp),
        attr!("gpe" flag "gpe", X::Gpe),
    ]
};

/// `IFLA_INFO_DATA` of a tun or tap device (`tun_print_opt`).
fn tun(l: &[TunAttr]) -> Rec {
    let mut r = Rec::new();
    let on_off = |x: u8| if x != 0 { "on" } else { "off" };
    if let Some(t) = get!(l, TunAttr::Type) {
        let s = match t {
            1 => "tun".to_string(),
            2 => "tap".to_string(),
            other => format!("UNKNOWN:{other}"),
        };
        r.any("type", s.as_str(), format_args!("type {s} "));
    }
    if let Some(x) = get!(l, TunAttr::Pi) {
        r.any("pi", x != 0, format_args!("pi {} ", on_off(x)));
    }
    if let Some(x) = get!(l, TunAttr::VnetHdr) {
        r.any("vnet_hdr", x != 0, format_args!("vnet_hdr {} ", on_off(x)));
    }
    if get!(l, TunAttr::MultiQueue).is_some_and(|x| x != 0) {
        r.any("multi_queue", true, "multi_queue ");
        if let Some(n) = get!(l, TunAttr::NumQueues) {
            r.any("numqueues", n, format_args!("numqueues {n} "));
        }
        if let Some(n) = get!(l, TunAttr::NumDisabledQueues) {
            r.any("numdisabled", n, format_args!("numdisabled {n} "));
        }
    } else {
        r.json("multi_queue", false);
    }
    if let Some(x) = get!(l, TunAttr::Persist) {
        r.any("persist", x != 0, format_args!("persist {} ", on_off(x)));
    }
    if let Some(uid) = get!(l, TunAttr::Owner) {
        match name_of_id("/etc/passwd", uid) {
            Some(n) => r.any("user", n.as_str(), format_args!("user {n} ")),
            None => r.any("user", uid, format_args!("user {uid} ")),
        };
    }
    if let Some(gid) = get!(l, TunAttr::Group) {
        match name_of_id("/etc/group", gid) {
            Some(n) => r.any("group", n.as_str(), format_args!("group {n} ")),
            None => r.any("group", gid, format_args!("group {gid} ")),
        };
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
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
    }
}
