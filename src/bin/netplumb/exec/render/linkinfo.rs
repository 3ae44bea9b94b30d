//! `linkinfo` as `ip -j -d link show` prints it: the kind and, for the kinds `ip` knows how
//! to print (bridge, macvlan/macvtap, vxlan, tun), their data; the port kind and, for
//! bridge ports, its data.
//!
//! Formats as `ip` writes them: bridge timers in seconds with two decimals (`0.00`), hex
//! values as `0x..` strings, bridge ids as `8000.12:c6:1:15:9f:a2` (unpadded octets), tun
//! owners by user name.

use crate::exec::links::Links;
use crate::json::Value;
use crate::names::hex_octets;
use netplumb::wire::AttrIter;
use netplumb::wire::link::{
    BridgeAttr, BridgeId, BridgePortAttr, InfoData, LinkInfo, MacvlanAttr, SlaveData, TunAttr,
    VxlanAttr,
};

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

/// `linkinfo`: the kind and, for kinds `ip` knows how to print, its data; the port kind and
/// its data.
pub fn linkinfo_json(info: &LinkInfo, names: &Links<'_>) -> Value {
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

fn bridge_port_json(l: &[BridgePortAttr], names: &Links<'_>) -> Value {
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

fn vxlan_json(l: &[VxlanAttr], names: &Links<'_>) -> Value {
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
