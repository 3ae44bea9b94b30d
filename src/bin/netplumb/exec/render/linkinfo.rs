//! `linkinfo` as `ip -j -d link show` prints it: the kind and, for the kinds `ip` knows how
//! to print (bridge, macvlan/macvtap, vxlan, tun), their data; the port kind and, for
//! bridge ports, its data.
//!
//! Bridge, bridge port and vxlan data are printed from a table per kind ([`BRIDGE`],
//! [`BRIDGE_PORT`], [`VXLAN`]): one row per member, in `ip`'s order, naming the attribute
//! and its format.
//!
//! Formats as `ip` writes them: bridge timers in seconds with two decimals (`0.00`), hex
//! values as `0x..` strings, bridge ids as `8000.12:c6:1:15:9f:a2` (unpadded octets), tun
//! owners by user name.

use crate::exec::links::Links;
use crate::json::Value;
use crate::names::hex_octets;
use netplumb::wire::AttrIter;
use netplumb::wire::link::{
    BridgeAttr, BridgeId, BridgePortAttr, InfoData, LinkInfo, MacvlanAttr, PortRange, SlaveData,
    TunAttr, VxlanAttr,
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

/// One member (or a few) of a kind's data, as `ip` prints it. A kind's printer is a table
/// of these in `ip`'s order ([`members`]).
enum Member<A: 'static> {
    /// `key`, printed from the first attribute of its variant: `None` for an attribute of
    /// another variant, `Some(None)` when `ip` prints nothing for this value.
    Attr(&'static str, fn(&A, &Links<'_>) -> Option<Option<Value>>),
    /// Members that depend on more than one attribute, or whose key depends on the value.
    List(fn(&[A], &Links<'_>, &mut Value)),
}

/// A [`Member::Attr`]: `$key` printed by `$f` (returning a [`Value`], or an
/// `Option<Value>` when some values print nothing) from the value of the first `$p`; for a
/// variant without a value, `true` when there is one.
macro_rules! attr {
    ($key:literal, $p:path, $f:expr) => {
        Member::Attr($key, |a, _| match a {
            $p(x) => Some(Option::<Value>::from($f(x))),
            _ => None,
        })
    };
    ($key:literal, $p:path) => {
        Member::Attr($key, |a, _| {
            matches!(a, $p).then_some(Some(Value::Bool(true)))
        })
    };
}

/// The object `table` prints for the attribute list `l`.
fn members<A>(l: &[A], names: &Links<'_>, table: &[Member<A>]) -> Value {
    let mut v = Value::object();
    for m in table {
        match m {
            Member::Attr(key, f) => {
                if let Some(Some(x)) = l.iter().find_map(|a| f(a, names)) {
                    v.push(*key, x);
                }
            }
            Member::List(f) => f(l, names, &mut v),
        }
    }
    v
}

/// `linkinfo`: the kind and, for kinds `ip` knows how to print, its data; the port kind and
/// its data.
pub fn linkinfo_json(info: &LinkInfo, names: &Links<'_>) -> Value {
    let mut v = Value::object();
    if let Some(kind) = info.kind() {
        v.push("info_kind", kind);
        let data = info.data();
        let printed = match (kind, data) {
            ("bridge", Some(InfoData::Bridge(l))) => Some(members(l, names, BRIDGE)),
            ("macvlan" | "macvtap", Some(InfoData::Macvlan(l) | InfoData::Macvtap(l))) => {
                Some(macvlan_json(l))
            }
            ("vxlan", Some(InfoData::Vxlan(l))) => Some(members(l, names, VXLAN)),
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
                Some(SlaveData::Bridge(l)) => members(l, names, BRIDGE_PORT),
                _ => Value::object(),
            };
            v.push("info_slave_data", d);
        }
    }
    v
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
        Member::List(|l, _, v| {
            if get!(l, B::RootId).is_some() {
                let id = get!(l, B::BridgeId);
                v.push("root_id", id.as_ref().map(bridge_id).unwrap_or_default());
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
        attr!("group_addr", B::GroupAddr, |a: &[u8; 6]| Value::Str(
            hex_octets(a)
        )),
        attr!("mcast_snooping", B::McastSnooping, num),
        Member::List(|l, _, v| {
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
                        v.push(key, u32::from(val & (1 << bit) != 0));
                    }
                }
            }
        }),
        attr!("mcast_router", B::McastRouter, num),
        attr!("mcast_query_use_ifaddr", B::McastQueryUseIfaddr, num),
        attr!("mcast_querier", B::McastQuerier, num),
        attr!("mcast_hash_elasticity", B::McastHashElasticity, num),
        attr!("mcast_hash_max", B::McastHashMax, num),
        attr!("mcast_last_member_cnt", B::McastLastMemberCnt, num),
        attr!("mcast_startup_query_cnt", B::McastStartupQueryCnt, num),
        attr!("mcast_last_member_intvl", B::McastLastMemberIntvl, num),
        attr!("mcast_membership_intvl", B::McastMembershipIntvl, num),
        attr!("mcast_querier_intvl", B::McastQuerierIntvl, num),
        attr!("mcast_query_intvl", B::McastQueryIntvl, num),
        attr!(
            "mcast_query_response_intvl",
            B::McastQueryResponseIntvl,
            num
        ),
        attr!("mcast_startup_query_intvl", B::McastStartupQueryIntvl, num),
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
        Member::List(|l, _, v| {
            if let Some(s) = get!(l, P::State) {
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
        }),
        attr!("priority", P::Priority, |p: &u16| Value::I64(i64::from(*p))),
        attr!("cost", P::Cost, |c: &u32| int(*c)),
        attr!("hairpin", P::Mode, flag),
        attr!("guard", P::Guard, flag),
        attr!("root_block", P::Protect, flag),
        attr!("fastleave", P::FastLeave, flag),
        attr!("learning", P::Learning, flag),
        attr!("flood", P::UnicastFlood, flag),
        attr!("id", P::Id, hex),
        attr!("no", P::No, hex),
        attr!("designated_port", P::DesignatedPort, num),
        attr!("designated_cost", P::DesignatedCost, num),
        attr!("bridge_id", P::BridgeId, |id| Value::Str(bridge_id(id))),
        attr!("root_id", P::RootId, |id| Value::Str(bridge_id(id))),
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
        attr!("multicast_router", P::MulticastRouter, num),
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
        Member::Attr("backup_port", |a, names| match a {
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

/// `IFLA_INFO_DATA` of a vxlan device (`vxlan_print_opt`).
const VXLAN: &[Member<VxlanAttr>] = {
    use VxlanAttr as X;
    &[
        attr!("external", X::CollectMetadata, if_set),
        attr!("vnifilter", X::VniFilter, if_set),
        attr!("id", X::Id, num),
        // An IPv4 group or remote, else an IPv6 one; none when unspecified.
        Member::List(|l, _, v| {
            if let Some(g) = get!(l, X::Group) {
                if !g.is_unspecified() {
                    let k = if g.is_multicast() { "group" } else { "remote" };
                    v.push(k, g.to_string());
                }
            } else if let Some(g) = get!(l, X::Group6)
                && !g.is_unspecified()
            {
                let k = if g.is_multicast() {
                    "group6"
                } else {
                    "remote6"
                };
                v.push(k, g.to_string());
            }
        }),
        Member::List(|l, _, v| {
            if let Some(a) = get!(l, X::Local) {
                if !a.is_unspecified() {
                    v.push("local", a.to_string());
                }
            } else if let Some(a) = get!(l, X::Local6)
                && !a.is_unspecified()
            {
                v.push("local6", a.to_string());
            }
        }),
        Member::Attr("link", |a, names| match a {
            X::Link(d) => Some((*d != 0).then(|| Value::Str(names.name(*d)))),
            _ => None,
        }),
        attr!("port_range", X::PortRange, |r: &PortRange| {
            let mut pr = Value::object();
            pr.push("low", u32::from(r.low));
            pr.push("high", u32::from(r.high));
            pr
        }),
        attr!("port", X::Port, num),
        attr!("learning", X::Learning, flag),
        attr!("proxy", X::Proxy, if_set),
        attr!("rsc", X::Rsc, if_set),
        attr!("l2miss", X::L2Miss, if_set),
        attr!("l3miss", X::L3Miss, if_set),
        attr!("tos", X::Tos, |t: &u8| (*t != 0).then(|| hex(t))),
        // No TTL with `ttl inherit`.
        Member::List(|l, _, v| {
            if get!(l, X::TtlInherit).is_none_or(|x| x == 0)
                && let Some(t) = get!(l, X::Ttl)
            {
                v.push("ttl", u32::from(t));
            }
        }),
        attr!("df", X::Df, |d: &u8| match d {
            0 => Some(Value::from("unset")),
            1 => Some(Value::from("set")),
            2 => Some(Value::from("inherit")),
            _ => None,
        }),
        attr!("label", X::Label, |x: &u32| (*x != 0).then(|| hex(x))),
        attr!("ageing", X::Ageing, num),
        attr!("limit", X::Limit, nonzero),
        attr!("udp_csum", X::UdpCsum, flag),
        attr!("udp_zero_csum6_tx", X::UdpZeroCsum6Tx, flag),
        attr!("udp_zero_csum6_rx", X::UdpZeroCsum6Rx, flag),
        attr!("remcsum_tx", X::RemcsumTx, if_set),
        attr!("remcsum_rx", X::RemcsumRx, if_set),
        attr!("gbp", X::Gbp),
        attr!("gpe", X::Gpe),
    ]
};

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
