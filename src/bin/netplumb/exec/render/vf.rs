//! A device's virtual functions (`IFLA_VFINFO_LIST`) as `ip -d link show` prints them
//! (`print_vfinfo` and `print_vf_stats64` of iproute2 6.1's `ip/ipaddress.c`): one line
//! per VF after the link's other lines, and the `vfinfo_list` array in JSON.
//!
//! ```text
//!     vf 0     link/ether 00:26:6c:ff:b5:c0, vlan 5, qos 2, tx rate 100 (Mbps), max_tx_rate 100Mbps, spoof checking on, link-state auto, trust off
//! ```

use super::Rec;
use crate::json::Value;
use crate::names;
use netplumb::wire::link::{LinkMessage, VfEntry, VfInfo, VfStat};

/// `ARPHRD_ETHER`: VF addresses are 6 bytes; 20 (InfiniBand) for any other type.
const ARPHRD_ETHER: u16 = 1;
/// `ARPHRD_INFINIBAND`: how GUIDs are printed.
const ARPHRD_INFINIBAND: u16 = 32;
/// `ETH_P_8021Q`: the VLAN protocol `ip` does not name.
const ETH_P_8021Q: u16 = 0x8100;

/// `ll_proto_n2a` for the VLAN protocols a VF can have.
fn vlan_proto_name(p: u16, numeric: bool) -> String {
    match p {
        0x88a8 if !numeric => "802.1ad".into(),
        ETH_P_8021Q if !numeric => "802.1Q".into(),
        _ => format!("[{p}]"),
    }
}

/// The VF list, when the device reports one and its number of VFs: each VF's line, the
/// `vfinfo_list` array, and whether the list holds fewer entries than `IFLA_NUM_VF` says
/// (`ip` then warns `Truncated VF list: NAME` on stderr).
pub fn vf_list(rec: &mut Rec, m: &LinkMessage, stats: bool, numeric: bool) -> bool {
    let (Some(list), Some(num)) = (m.vf_info_list(), m.num_vf()) else {
        return false;
    };
    let mut all = Vec::with_capacity(list.0.len());
    for e in &list.0 {
        let mut vf = Rec::new();
        match e {
            VfEntry::Info(attrs) => vf_info(&mut vf, m, VfInfo(attrs), stats, numeric),
            VfEntry::Unknown(u) => eprintln!("BUG: rta type is {}", u.kind),
        }
        rec.text(vf.text_str());
        all.push(vf.into_value());
    }
    rec.json("vfinfo_list", all);
    list.0.len() != num as usize
}

/// One VF (`print_vfinfo`).
fn vf_info(rec: &mut Rec, m: &LinkMessage, vf: VfInfo<'_>, stats: bool, numeric: bool) {
    let t = m.header.link_layer_type;
    let len = if t == ARPHRD_ETHER { 6 } else { 20 };
    rec.text("\n    ");
    let index = vf.mac().map_or(0, |mac| mac.vf);
    rec.any(
        "vf",
        Value::I64((index as i32).into()),
        format_args!("vf {} ", index as i32),
    );
    let tn = names::link_type_name(t, numeric);
    rec.any("link_type", tn.as_str(), format_args!("    link/{tn} "));
    let mac = vf
        .mac()
        .map(|mac| names::ll_addr(mac.address(len), t))
        .unwrap_or_default();
    rec.any("address", mac.as_str(), &mac);
    if let Some(b) = vf.broadcast() {
        if m.flags().contains(netplumb::link::IfFlags::POINTOPOINT) {
            rec.text(" peer ");
            rec.json("link_pointtopoint", true);
        } else {
            rec.text(" brd ");
        }
        let s = names::ll_addr(b.get(..len).unwrap_or(b), t);
        rec.any("broadcast", s.as_str(), &s);
    }
    if let Some(list) = vf.vlan_list() {
        let mut entries = Vec::with_capacity(list.len());
        for v in list {
            let mut e = Rec::new();
            if v.vlan != 0 {
                let n = v.vlan as i32;
                e.any("vlan", Value::I64(n.into()), format_args!(", vlan {n}"));
            }
            if v.qos != 0 {
                let n = v.qos as i32;
                e.any("qos", Value::I64(n.into()), format_args!(", qos {n}"));
            }
            if v.protocol != 0 && v.protocol != ETH_P_8021Q {
                let p = vlan_proto_name(v.protocol, numeric);
                e.any("protocol", p.as_str(), format_args!(", vlan protocol {p}"));
            }
            rec.text(e.text_str());
            entries.push(e.into_value());
        }
        rec.json("vlan_list", entries);
    } else if let Some(v) = vf.vlan() {
        if v.vlan != 0 {
            let n = v.vlan as i32;
            rec.any("vlan", Value::I64(n.into()), format_args!(", vlan {n}"));
        }
        if v.qos != 0 {
            let n = v.qos as i32;
            rec.any("qos", Value::I64(n.into()), format_args!(", qos {n}"));
        }
    }
    if let Some(r) = vf.tx_rate().filter(|r| r.rate != 0) {
        rec.any(
            "tx_rate",
            r.rate,
            format_args!(", tx rate {} (Mbps)", r.rate),
        );
    }
    if let Some(r) = vf.rate() {
        let mut o = Value::object();
        o.push("max_tx", r.max_tx_rate)
            .push("min_tx", r.min_tx_rate);
        rec.json("rate", o);
        if r.max_tx_rate != 0 {
            rec.text(format_args!(", max_tx_rate {}Mbps", r.max_tx_rate));
        }
        if r.min_tx_rate != 0 {
            rec.text(format_args!(", min_tx_rate {}Mbps", r.min_tx_rate));
        }
    }
    if let Some(on) = vf.spoofchk() {
        let s = if on { "on" } else { "off" };
        rec.any("spoofchk", on, format_args!(", spoof checking {s}"));
    }
    for (guid, key, label) in [
        (vf.node_guid(), "node guid", "NODE_GUID"),
        (vf.port_guid(), "port guid", "PORT_GUID"),
    ] {
        if let Some(g) = guid {
            // ip converts the GUID from network order and prints the result's bytes.
            let s = names::ll_addr(&u64::from_be(g).to_ne_bytes(), ARPHRD_INFINIBAND);
            rec.any(key, s.as_str(), format_args!(", {label} {s}"));
        }
    }
    if let Some(state) = vf.link_state() {
        let s = match state {
            0 => "auto",
            1 => "enable",
            _ => "disable",
        };
        rec.any("link_state", s, format_args!(", link-state {s}"));
    }
    if let Some(on) = vf.trust() {
        let s = if on { "on" } else { "off" };
        rec.any("trust", on, format_args!(", trust {s}"));
    }
    if let Some(on) = vf.rss_query_en() {
        let s = if on { "on" } else { "off" };
        rec.any("query_rss_en", on, format_args!(", query_rss {s}"));
    }
    if stats && let Some(s) = vf.stats() {
        vf_stats(rec, s);
    }
}

/// `print_num` without `-h`: the number right-aligned in `width`, then a blank.
fn num(width: usize, v: u64) -> String {
    format!("{v:>width$} ")
}

/// A VF's counters (`print_vf_stats64`), with `-s`.
fn vf_stats(rec: &mut Rec, stats: &[VfStat]) {
    let get = |f: fn(&VfStat) -> Option<u64>| stats.iter().find_map(f);
    let rx_bytes = get(|s| match s {
        VfStat::RxBytes(v) => Some(*v),
        _ => None,
    })
    .unwrap_or(0);
    let rx_packets = get(|s| match s {
        VfStat::RxPackets(v) => Some(*v),
        _ => None,
    })
    .unwrap_or(0);
    let multicast = get(|s| match s {
        VfStat::Multicast(v) => Some(*v),
        _ => None,
    })
    .unwrap_or(0);
    let broadcast = get(|s| match s {
        VfStat::Broadcast(v) => Some(*v),
        _ => None,
    })
    .unwrap_or(0);
    let rx_dropped = get(|s| match s {
        VfStat::RxDropped(v) => Some(*v),
        _ => None,
    });
    let tx_bytes = get(|s| match s {
        VfStat::TxBytes(v) => Some(*v),
        _ => None,
    })
    .unwrap_or(0);
    let tx_packets = get(|s| match s {
        VfStat::TxPackets(v) => Some(*v),
        _ => None,
    })
    .unwrap_or(0);
    let tx_dropped = get(|s| match s {
        VfStat::TxDropped(v) => Some(*v),
        _ => None,
    });
    let mut rx = Value::object();
    rx.push("bytes", rx_bytes)
        .push("packets", rx_packets)
        .push("multicast", multicast)
        .push("broadcast", broadcast);
    if let Some(d) = rx_dropped {
        rx.push("dropped", d);
    }
    let mut tx = Value::object();
    tx.push("tx_bytes", tx_bytes).push("tx_packets", tx_packets);
    if let Some(d) = tx_dropped {
        tx.push("dropped", d);
    }
    let mut o = Value::object();
    o.push("rx", rx).push("tx", tx);
    rec.json("stats", o);
    rec.text("\n    RX: bytes  packets  mcast   bcast ");
    if rx_dropped.is_some() {
        rec.text("  dropped ");
    }
    rec.text(format_args!(
        "\n    {}{}{}{}",
        num(10, rx_bytes),
        num(8, rx_packets),
        num(7, multicast),
        num(7, broadcast)
    ));
    if let Some(d) = rx_dropped {
        rec.text(num(8, d));
    }
    rec.text("\n    TX: bytes  packets ");
    if tx_dropped.is_some() {
        rec.text("  dropped ");
    }
    rec.text(format_args!(
        "\n    {}{}",
        num(10, tx_bytes),
        num(8, tx_packets)
    ));
    if let Some(d) = tx_dropped {
        rec.text(num(8, d));
    }
}
