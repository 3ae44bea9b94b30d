//! `link add | replace | set | change | delete | show` (ip-link(8)) and `type KIND` arguments.
//!
//! One loop reads the words shared by add, set, delete and a veth peer, testing keywords in
//! `ip`'s order and with its exact-or-prefix choice per keyword: `a` is `address`, `t` is
//! `txqueuelen`, `ty` is `type`, `n` is `nomaster`, while `mtu`, `name`, `netns`, `group` and
//! `promisc` must be spelt out. A word that is no keyword names the device.

use crate::args::{Cursor, Family, Globals};
use crate::cmd::{Command, Object, pick};
use crate::error::Res;
use crate::help::Topic;
use crate::names::NameTable;
use crate::words::{atoi, matches, parse_int, parse_u32, parse_uint};
use netplumb::MacAddr;
use std::net::IpAddr;

/// The `link` object.
pub const OBJECT: Object = Object {
    topic: TOPIC,
    parse,
};

/// `netplumb link help`.
pub const TOPIC: Topic = Topic::new("link", USAGE);

const USAGE: &str = "\
Usage: netplumb link add [ link DEV ] [ name ] NAME
                   [ txqueuelen PACKETS ] [ address LLADDR ] [ broadcast LLADDR ]
                   [ mtu MTU ] [ numtxqueues QUEUES ] [ numrxqueues QUEUES ]
                   [ netns { NAME | PID } ] [ group GROUP ] [ up ]
                   type TYPE [ ARGS ]
       netplumb link delete { DEVICE | dev DEVICE | group GROUP } [ type TYPE ]
       netplumb link set { DEVICE | dev DEVICE | group GROUP }
                   [ { up | down } ] [ name NEWNAME ] [ mtu MTU ]
                   [ address LLADDR ] [ broadcast LLADDR ]
                   [ txqueuelen PACKETS ] [ arp { on | off } ]
                   [ multicast { on | off } ] [ allmulticast { on | off } ]
                   [ promisc { on | off } ] [ carrier { on | off } ]
                   [ netns { NAME | PID } ] [ alias NAME ] [ group GROUP ]
                   [ master DEVICE ] [ nomaster ] [ addrgenmode MODE ]
                   [ type TYPE ARGS ]
       netplumb link show [ [ dev ] DEVICE | group GROUP ] [ up ] [ master DEVICE ]
                   [ type TYPE ] [ nomaster ]
       netplumb link help
TYPE := { veth | bridge | bridge_slave | macvlan | macvtap | vxlan | ifb | ... }
veth ARGS := [ peer [ name ] NAME [ mtu MTU ] [ address LLADDR ] [ txqueuelen N ]
                    [ netns { NAME | PID } ] ... ]
bridge ARGS := [ stp_state { 0 | 1 } ] [ forward_delay N ] [ hello_time N ] [ max_age N ]
               [ ageing_time N ] [ priority N ] [ vlan_filtering { 0 | 1 } ]
               [ mcast_snooping { 0 | 1 } ] ...
bridge_slave ARGS := [ state N ] [ priority N ] [ cost N ] [ hairpin { on | off } ]
               [ learning { on | off } ] [ flood { on | off } ] [ guard { on | off } ] ...
macvlan, macvtap ARGS := [ mode { private | vepa | bridge | passthru [ nopromisc ] | source } ]
vxlan ARGS := id VNI [ { group | remote } IPADDR ] [ local IPADDR ] [ dev PHYS_DEV ]
              [ dstport PORT ] [ ttl TTL ] [ tos TOS ] [ [no]learning ] ...
";

/// A `link` command.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // parsed once per command line; size is irrelevant
pub enum LinkCmd {
    /// `link add` / `link replace`: RTM_NEWLINK with CREATE|EXCL (or CREATE|REPLACE).
    Add(LinkAdd),
    /// `link set` / `link change`: RTM_NEWLINK (or RTM_SETLINK) on an existing link.
    Set(LinkSet),
    /// `link delete`: RTM_DELLINK.
    Del(LinkDel),
    /// `link show` / `list` / `lst`: RTM_GETLINK dump or get.
    Show(LinkShow),
}

/// `link add [link DEV] [name] NAME ... type KIND [ARGS]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkAdd {
    /// `link replace`: NLM_F_CREATE|NLM_F_REPLACE instead of NLM_F_CREATE|NLM_F_EXCL.
    pub replace: bool,
    /// The new link's name (`name NAME`, `dev NAME` or the bare word); `None` lets the kernel
    /// pick one (`veth0`).
    pub name: Option<String>,
    /// `link DEV`: the lower device (IFLA_LINK), e.g. the parent of a macvlan.
    pub link: Option<String>,
    /// Attributes of the new link.
    pub attrs: LinkAttrs,
    /// `type KIND` and its arguments (IFLA_LINKINFO).
    pub kind: LinkKind,
}

/// `link set { DEV | dev DEV | group N } ...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSet {
    /// The link(s) changed.
    pub target: LinkTarget,
    /// `name NEW`: rename (IFLA_IFNAME).
    pub name: Option<String>,
    /// `link DEV` (IFLA_LINK), rarely useful on an existing link but accepted like `ip`.
    pub link: Option<String>,
    /// Attributes to change. `attrs.group` is the new group; selecting by group is `target`.
    pub attrs: LinkAttrs,
    /// `type KIND ARGS`: kind-specific changes (`type bridge stp_state 1`) or, for a
    /// `*_slave` kind, port options (`type bridge_slave learning off`).
    pub kind: Option<LinkKind>,
}

/// Which links a `set` or `delete` acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    /// One link, by name or alternative name.
    Dev(String),
    /// Every link in a group (`ip link set group 5 up`, `ip link del group 5`).
    Group(u32),
}

/// `link delete { DEV | dev DEV | group N } [type KIND]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkDel {
    /// The link(s) deleted.
    pub target: LinkTarget,
    /// `type KIND`: sent as IFLA_INFO_KIND, the kernel refuses a mismatch.
    pub kind: Option<String>,
}

/// `link show [ [dev] DEV | group N ] [up] [master DEV | nomaster] [type KIND] [vrf NAME]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkShow {
    /// One link only.
    pub dev: Option<String>,
    /// Only links in this group.
    pub group: Option<u32>,
    /// Only links that are up.
    pub up: bool,
    /// Only ports of this master (a `vrf NAME` filter is the same).
    pub master: Option<String>,
    /// Only links without a master.
    pub nomaster: bool,
    /// Only links of this kind (`veth`, `bridge`, or `bridge_slave` for ports).
    pub kind: Option<String>,
}

/// A network namespace as `netns` takes it: a name under `/run/netns`, a path, or a PID.
/// Like `ip`, try the name (or path, when it contains `/`) first and the PID second.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetnsRef(pub String);

impl NetnsRef {
    /// The word as a process id, if it is a number.
    pub fn pid(&self) -> Option<u32> {
        parse_u32(&self.0)
    }
}

/// The master of a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Master {
    /// `master DEV` (or `vrf DEV`): IFLA_MASTER = index of DEV.
    Dev(String),
    /// `nomaster`: IFLA_MASTER = 0.
    None,
}

/// `addrgenmode`: how IPv6 link-local addresses are made (IFLA_INET6_ADDR_GEN_MODE).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddrGenMode {
    /// `eui64` (0).
    Eui64,
    /// `none` (1).
    None,
    /// `stable_secret` (2).
    StableSecret,
    /// `random` (3).
    Random,
}

/// Attributes shared by `link add`, `link set` and a veth peer. `None` leaves a value alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkAttrs {
    /// `up` / `down`: IFF_UP in ifi_flags/ifi_change.
    pub up: Option<bool>,
    /// `mtu N` (IFLA_MTU), never 0.
    pub mtu: Option<u32>,
    /// `address MAC` (IFLA_ADDRESS).
    pub address: Option<MacAddr>,
    /// `broadcast MAC`, `brd MAC` (IFLA_BROADCAST).
    pub broadcast: Option<MacAddr>,
    /// `txqueuelen N`, `txqlen N`, `qlen N` (IFLA_TXQLEN).
    pub txqueuelen: Option<u32>,
    /// `numtxqueues N` (IFLA_NUM_TX_QUEUES).
    pub numtxqueues: Option<u32>,
    /// `numrxqueues N` (IFLA_NUM_RX_QUEUES).
    pub numrxqueues: Option<u32>,
    /// `netns NS|PID`: move to (or create in) that namespace (IFLA_NET_NS_FD / _PID).
    pub netns: Option<NetnsRef>,
    /// `group N` (IFLA_GROUP).
    pub group: Option<u32>,
    /// `master DEV`, `vrf DEV`, `nomaster`.
    pub master: Option<Master>,
    /// `alias TEXT` (IFLA_IFALIAS); empty clears it.
    pub alias: Option<String>,
    /// `arp on|off`: IFF_NOARP cleared/set.
    pub arp: Option<bool>,
    /// `multicast on|off`: IFF_MULTICAST.
    pub multicast: Option<bool>,
    /// `allmulticast on|off`: IFF_ALLMULTI.
    pub allmulticast: Option<bool>,
    /// `promisc on|off`: IFF_PROMISC.
    pub promisc: Option<bool>,
    /// `trailers on|off`: IFF_NOTRAILERS cleared/set.
    pub trailers: Option<bool>,
    /// `dynamic on|off`: IFF_DYNAMIC.
    pub dynamic: Option<bool>,
    /// `carrier on|off` (IFLA_CARRIER).
    pub carrier: Option<bool>,
    /// `protodown on|off` (IFLA_PROTO_DOWN).
    pub protodown: Option<bool>,
    /// `index N`: the new link's ifindex (ifi_index).
    pub index: Option<u32>,
    /// `addrgenmode MODE` (IFLA_AF_SPEC / AF_INET6 / IFLA_INET6_ADDR_GEN_MODE).
    pub addrgenmode: Option<AddrGenMode>,
    /// `link-netns NS|PID`: the namespace of `link DEV` (IFLA_LINK_NETNSID of that
    /// namespace).
    pub link_netns: Option<NetnsRef>,
    /// `link-netnsid ID` (IFLA_LINK_NETNSID).
    pub link_netnsid: Option<i32>,
    /// `mode default|dormant` (IFLA_LINKMODE: 0 or 1).
    pub linkmode: Option<u8>,
    /// `state up|down|dormant|...` (IFLA_OPERSTATE, RFC 2863 values).
    pub operstate: Option<u8>,
    /// `gso_max_size N` (IFLA_GSO_MAX_SIZE).
    pub gso_max_size: Option<u32>,
    /// `gso_max_segs N` (IFLA_GSO_MAX_SEGS).
    pub gso_max_segs: Option<u32>,
    /// `gro_max_size N` (IFLA_GRO_MAX_SIZE).
    pub gro_max_size: Option<u32>,
}

/// `type KIND [ARGS]`: what goes in IFLA_LINKINFO.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkKind {
    /// `veth [peer ...]`: the peer goes in VETH_INFO_PEER.
    Veth(Option<VethPeer>),
    /// `bridge [OPTIONS]` (IFLA_BR_*), in the order given.
    Bridge(Vec<BridgeOpt>),
    /// `bridge_slave [OPTIONS]`: IFLA_INFO_SLAVE_KIND "bridge" with IFLA_BRPORT_* data.
    BridgeSlave(Vec<BridgeSlaveOpt>),
    /// `macvlan [mode M] [nopromisc]`.
    Macvlan(Macvlan),
    /// `macvtap [mode M] [nopromisc]`.
    Macvtap(Macvlan),
    /// `vxlan id VNI ...`.
    Vxlan(Box<Vxlan>),
    /// `ifb` (no arguments; extra words are ignored like `ip` does).
    Ifb,
    /// Any other kind, sent as is so the kernel decides ("Unknown device type"); `args` are
    /// the words after it, which netplumb does not interpret.
    Other {
        /// IFLA_INFO_KIND.
        kind: String,
        /// Uninterpreted words after the kind.
        args: Vec<String>,
    },
}

impl LinkKind {
    /// The IFLA_INFO_KIND string (for `BridgeSlave`, the IFLA_INFO_SLAVE_KIND `bridge`).
    pub fn name(&self) -> &str {
        match self {
            LinkKind::Veth(_) => "veth",
            LinkKind::Bridge(_) | LinkKind::BridgeSlave(_) => "bridge",
            LinkKind::Macvlan(_) => "macvlan",
            LinkKind::Macvtap(_) => "macvtap",
            LinkKind::Vxlan(_) => "vxlan",
            LinkKind::Ifb => "ifb",
            LinkKind::Other { kind, .. } => kind,
        }
    }
}

/// `peer [name] NAME [OPTIONS]` of a veth.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VethPeer {
    /// The peer's name; `None` lets the kernel pick.
    pub name: Option<String>,
    /// The peer's attributes (`netns` creates it directly in another namespace).
    pub attrs: LinkAttrs,
}

/// A bridge option (IFLA_BR_*), named as in ip-link(8).
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum BridgeOpt {
    ForwardDelay(u32),
    HelloTime(u32),
    MaxAge(u32),
    AgeingTime(u32),
    StpState(u32),
    Priority(u16),
    VlanFiltering(u8),
    /// ETH_P_8021Q (0x8100) or ETH_P_8021AD (0x88a8).
    VlanProtocol(u16),
    GroupFwdMask(u16),
    GroupAddress(MacAddr),
    FdbFlush,
    VlanDefaultPvid(u16),
    VlanStatsEnabled(u8),
    VlanStatsPerPort(u8),
    McastRouter(u8),
    McastSnooping(u8),
    McastQueryUseIfaddr(u8),
    McastQuerier(u8),
    McastHashElasticity(u32),
    McastHashMax(u32),
    McastLastMemberCount(u32),
    McastStartupQueryCount(u32),
    McastLastMemberInterval(u64),
    McastMembershipInterval(u64),
    McastQuerierInterval(u64),
    McastQueryInterval(u64),
    McastQueryResponseInterval(u64),
    McastStartupQueryInterval(u64),
    McastStatsEnabled(u8),
    McastIgmpVersion(u8),
    McastMldVersion(u8),
    NfCallIptables(u8),
    NfCallIp6tables(u8),
    NfCallArptables(u8),
}

/// A bridge port option (IFLA_BRPORT_*), named as in ip-link(8).
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum BridgeSlaveOpt {
    FdbFlush,
    State(u8),
    Priority(u16),
    Cost(u32),
    Guard(bool),
    Hairpin(bool),
    FastLeave(bool),
    RootBlock(bool),
    Learning(bool),
    Flood(bool),
    McastFlood(bool),
    McastRouter(u8),
    McastToUnicast(bool),
    BcastFlood(bool),
    ProxyArp(bool),
    ProxyArpWifi(bool),
    NeighSuppress(bool),
    VlanTunnel(bool),
    Isolated(bool),
    Locked(bool),
    /// `backup_port DEV` (IFLA_BRPORT_BACKUP_PORT = index of DEV).
    BackupPort(String),
    /// `nobackup_port` (IFLA_BRPORT_BACKUP_PORT = 0).
    NoBackupPort,
}

/// macvlan/macvtap arguments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Macvlan {
    /// `mode M` (IFLA_MACVLAN_MODE); the kernel defaults to vepa.
    pub mode: Option<MacvlanMode>,
    /// `nopromisc` after `mode passthru` (MACVLAN_FLAG_NOPROMISC).
    pub nopromisc: bool,
}

/// MACVLAN_MODE_*.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MacvlanMode {
    /// `private` (1).
    Private,
    /// `vepa` (2).
    Vepa,
    /// `bridge` (4).
    Bridge,
    /// `passthru` (8).
    Passthru,
    /// `source` (16).
    Source,
}

/// vxlan arguments (IFLA_VXLAN_*).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vxlan {
    /// `id VNI` / `vni VNI`, below 2^24 (IFLA_VXLAN_ID); required unless `external`.
    pub id: Option<u32>,
    /// `group IP`: multicast group (IFLA_VXLAN_GROUP/GROUP6); needs `dev`.
    pub group: Option<IpAddr>,
    /// `remote IP`: unicast peer (same attribute as `group`).
    pub remote: Option<IpAddr>,
    /// `local IP` (IFLA_VXLAN_LOCAL/LOCAL6).
    pub local: Option<IpAddr>,
    /// `dev DEV`: underlay (IFLA_VXLAN_LINK).
    pub dev: Option<String>,
    /// `ttl N|auto|inherit`, `hoplimit` (IFLA_VXLAN_TTL; `auto` is 0).
    pub ttl: Option<VxlanTtl>,
    /// `tos TOS|inherit`, `dsfield` (IFLA_VXLAN_TOS; `inherit` is 1).
    pub tos: Option<u8>,
    /// `df unset|set|inherit` (IFLA_VXLAN_DF: 0, 1, 2).
    pub df: Option<u8>,
    /// `label N`: IPv6 flow label, 20 bits (IFLA_VXLAN_LABEL).
    pub label: Option<u32>,
    /// `ageing SECONDS` (IFLA_VXLAN_AGEING).
    pub ageing: Option<u32>,
    /// `maxaddress N` (IFLA_VXLAN_LIMIT).
    pub maxaddress: Option<u32>,
    /// `port MIN MAX`: UDP source port range (IFLA_VXLAN_PORT_RANGE).
    pub port_range: Option<(u16, u16)>,
    /// `dstport PORT` (IFLA_VXLAN_PORT).
    pub dstport: Option<u16>,
    /// `[no]learning` (IFLA_VXLAN_LEARNING).
    pub learning: Option<bool>,
    /// `[no]proxy` (IFLA_VXLAN_PROXY).
    pub proxy: Option<bool>,
    /// `[no]rsc` (IFLA_VXLAN_RSC).
    pub rsc: Option<bool>,
    /// `[no]l2miss` (IFLA_VXLAN_L2MISS).
    pub l2miss: Option<bool>,
    /// `[no]l3miss` (IFLA_VXLAN_L3MISS).
    pub l3miss: Option<bool>,
    /// `[no]udpcsum` (IFLA_VXLAN_UDP_CSUM).
    pub udpcsum: Option<bool>,
    /// `[no]udp6zerocsumtx` (IFLA_VXLAN_UDP_ZERO_CSUM6_TX).
    pub udp6zerocsumtx: Option<bool>,
    /// `[no]udp6zerocsumrx` (IFLA_VXLAN_UDP_ZERO_CSUM6_RX).
    pub udp6zerocsumrx: Option<bool>,
    /// `[no]remcsumtx` (IFLA_VXLAN_REMCSUM_TX).
    pub remcsumtx: Option<bool>,
    /// `[no]remcsumrx` (IFLA_VXLAN_REMCSUM_RX).
    pub remcsumrx: Option<bool>,
    /// `[no]external` (IFLA_VXLAN_COLLECT_METADATA).
    pub external: Option<bool>,
    /// `gbp` (IFLA_VXLAN_GBP flag).
    pub gbp: bool,
    /// `gpe` (IFLA_VXLAN_GPE flag).
    pub gpe: bool,
}

/// IFLA_VXLAN_TTL / IFLA_VXLAN_TTL_INHERIT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VxlanTtl {
    /// A TTL; 0 (`auto`) lets the kernel choose.
    Value(u8),
    /// `inherit`: copy the inner packet's TTL.
    Inherit,
}

/// `link` words after the object.
fn parse(c: &mut Cursor, _: &Globals) -> Res<Command> {
    #[derive(Clone, Copy)]
    enum Verb {
        Add,
        Replace,
        Set,
        Del,
        Show,
        Help,
    }
    let Some(w) = c.word() else {
        return Ok(Command::of(LinkCmd::Show(LinkShow::default())));
    };
    // `ip` checks add, change, set, replace, delete, show/list/lst, help in this order.
    let verb = pick(
        w,
        &[
            ("add", Verb::Add),
            ("change", Verb::Set),
            ("set", Verb::Set),
            ("replace", Verb::Replace),
            ("delete", Verb::Del),
            ("show", Verb::Show),
            ("lst", Verb::Show),
            ("list", Verb::Show),
            ("help", Verb::Help),
        ],
    )
    .ok_or_else(|| c.unknown_command(w))?;
    let cmd = match verb {
        Verb::Help => return Ok(Command::Help(TOPIC)),
        Verb::Show => LinkCmd::Show(parse_show(c)?),
        Verb::Add | Verb::Replace => {
            let p = parse_words(c, Mode::Add)?;
            let kind = p
                .kind
                .ok_or_else(|| c.usage("Not enough information: \"type\" argument is required"))?;
            let name = match (p.name, p.dev) {
                (Some(n), Some(d)) if n != d => {
                    return Err(
                        c.usage("both \"name\" and \"dev\" cannot be used when creating devices.")
                    );
                }
                (n, d) => n.or(d),
            };
            LinkCmd::Add(LinkAdd {
                replace: matches!(verb, Verb::Replace),
                name,
                link: p.link,
                attrs: p.attrs,
                kind,
            })
        }
        Verb::Set => {
            let mut p = parse_words(c, Mode::Set)?;
            let target = target(c, p.dev, &mut p.attrs.group)?;
            LinkCmd::Set(LinkSet {
                target,
                name: p.name,
                link: p.link,
                attrs: p.attrs,
                kind: p.kind,
            })
        }
        Verb::Del => {
            let mut p = parse_words(c, Mode::Del)?;
            let target = target(c, p.dev, &mut p.attrs.group)?;
            LinkCmd::Del(LinkDel {
                target,
                kind: p.kind.map(|k| k.name().to_string()),
            })
        }
    };
    Ok(Command::of(cmd))
}

/// `set`/`delete` act on `dev`, or on a group when no device is named.
fn target(c: &Cursor, dev: Option<String>, group: &mut Option<u32>) -> Res<LinkTarget> {
    match (dev, group.take()) {
        (Some(d), g) => {
            *group = g;
            Ok(LinkTarget::Dev(d))
        }
        (None, Some(g)) => Ok(LinkTarget::Group(g)),
        (None, None) => Err(c.required("dev")),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Add,
    Set,
    Del,
    Peer,
}

/// What the shared loop found.
#[derive(Default)]
struct LinkWords {
    dev: Option<String>,
    name: Option<String>,
    link: Option<String>,
    attrs: LinkAttrs,
    kind: Option<LinkKind>,
}

/// The loop shared by add, set, delete and a veth peer. `type` ends it: the rest of the line
/// belongs to the kind.
fn parse_words(c: &mut Cursor, mode: Mode) -> Res<LinkWords> {
    let mut p = LinkWords::default();
    let a = &mut p.attrs;
    let creating = matches!(mode, Mode::Add | Mode::Peer);
    while let Some(w) = c.word() {
        let m = |k: &str| matches(w, k);
        if w == "up" || w == "down" {
            a.up = Some(w == "up");
        } else if w == "name" {
            let v = c.value()?;
            let name = c.new_ifname(v, "name")?;
            c.set_once(&mut p.name, "name", v, name)?;
        } else if w == "index" {
            // ip: `index = atoi(..)`, refused unless positive.
            let v = c.value()?;
            let n = atoi(v);
            if n <= 0 || n > i32::MAX.into() {
                return Err(c.invarg(v, "Invalid \"index\" value"));
            }
            a.index = Some(n as u32);
        } else if m("link") {
            let v = c.value()?;
            p.link = Some(c.dev_ref(v)?);
        } else if m("address") {
            a.address = Some(c.mac()?);
        } else if m("broadcast") || w == "brd" {
            a.broadcast = Some(c.mac()?);
        } else if m("txqueuelen") || w == "qlen" || m("txqlen") {
            c.u32_once(&mut a.txqueuelen, "txqueuelen", 0)?;
        } else if w == "mtu" {
            // mtu 0 is refused here rather than by the kernel.
            c.u32_once(&mut a.mtu, "mtu", 1)?;
        } else if matches!(
            w,
            "xdp" | "xdpgeneric" | "xdpdrv" | "xdpoffload" | "vf" | "parentdev"
        ) {
            return Err(c.usage(format_args!("\"{w}\" is not supported by netplumb.")));
        } else if w == "netns" {
            let v = c.value()?;
            c.set_once(&mut a.netns, "netns", v, NetnsRef(v.to_string()))?;
        } else if let Some((_, field)) = ON_OFF.iter().find(|(k, _)| *k == w) {
            *field(a) = Some(c.on_off(w)?);
        } else if m("master") || w == "vrf" {
            let v = c.value()?;
            a.master = Some(Master::Dev(c.dev_ref(v)?));
        } else if m("nomaster") {
            a.master = Some(Master::None);
        } else if m("dynamic") {
            a.dynamic = Some(c.on_off("dynamic")?);
        } else if m("type") {
            let kind = c.value()?;
            if mode == Mode::Peer {
                return Err(c.duparg("type", kind));
            }
            p.kind = Some(parse_kind(c, kind)?);
            break;
        } else if m("alias") {
            let v = c.value()?;
            if v.len() >= 256 {
                return Err(c.invarg(v, "alias too long"));
            }
            a.alias = Some(v.to_string());
        } else if w == "group" {
            let v = c.peek().unwrap_or_default();
            let g = c.table_value(NameTable::Groups, u32::MAX, "Invalid \"group\" value")?;
            c.set_once(&mut a.group, "group", v, g)?;
        } else if w == "mode" {
            let modes = [("default", 0), ("dormant", 1)];
            a.linkmode = Some(c.one_of(&modes, "Invalid link mode")?);
        } else if w == "state" {
            let v = c.value()?;
            let i = OPERSTATES.iter().position(|s| s.eq_ignore_ascii_case(v));
            a.operstate = Some(i.ok_or_else(|| c.invarg(v, "Invalid operstate"))? as u8);
        } else if m("numtxqueues") {
            c.u32_once(&mut a.numtxqueues, "numtxqueues", 0)?;
        } else if m("numrxqueues") {
            c.u32_once(&mut a.numrxqueues, "numrxqueues", 0)?;
        } else if m("addrgenmode") {
            let modes = [
                ("eui64", AddrGenMode::Eui64),
                ("none", AddrGenMode::None),
                ("stable_secret", AddrGenMode::StableSecret),
                ("random", AddrGenMode::Random),
            ];
            a.addrgenmode = Some(c.one_of(&modes, "Invalid address generation mode")?);
        } else if m("link-netns") {
            a.link_netns = Some(NetnsRef(c.value()?.to_string()));
        } else if m("link-netnsid") {
            let v = c.value()?;
            // ip: `get_integer(.., 0)`, so `010` is 8.
            let id = parse_int(v)
                .and_then(|n| i32::try_from(n).ok())
                .ok_or_else(|| c.invarg(v, "Invalid \"link-netnsid\" value"))?;
            a.link_netnsid = Some(id);
        } else if let Some((_, field)) = GSO_GRO.iter().find(|(k, _)| *k == w) {
            *field(a) = Some(c.u32(&format!("Invalid \"{w}\" value"))?);
        } else {
            dev_word(c, w, &mut p.dev, creating)?;
        }
    }
    Ok(p)
}

/// A field of [`LinkAttrs`].
type Field<T> = fn(&mut LinkAttrs) -> &mut Option<T>;

/// `KEYWORD on|off` words (spelt out) and the attribute each sets.
const ON_OFF: [(&str, Field<bool>); 7] = [
    ("multicast", |a| &mut a.multicast),
    ("allmulticast", |a| &mut a.allmulticast),
    ("promisc", |a| &mut a.promisc),
    ("trailers", |a| &mut a.trailers),
    ("arp", |a| &mut a.arp),
    ("carrier", |a| &mut a.carrier),
    ("protodown", |a| &mut a.protodown),
];

/// The GSO and GRO limits (spelt out), each a u32.
const GSO_GRO: [(&str, Field<u32>); 3] = [
    ("gso_max_size", |a| &mut a.gso_max_size),
    ("gso_max_segs", |a| &mut a.gso_max_segs),
    ("gro_max_size", |a| &mut a.gro_max_size),
];

/// `state` values, in `IF_OPER_*` order; any case.
const OPERSTATES: [&str; 7] = [
    "unknown",
    "notpresent",
    "down",
    "lowerlayerdown",
    "testing",
    "dormant",
    "up",
];

/// The device word (`dev DEV` or the bare word): a new name when `creating`, else a link
/// by name or alternative name; once.
fn dev_word(c: &mut Cursor, w: &str, dev: &mut Option<String>, creating: bool) -> Res<()> {
    if matches(w, "help") {
        return Err(c.help());
    }
    let w = if w == "dev" { c.value()? } else { w };
    if dev.is_some() {
        return Err(c.garbage("dev", w));
    }
    *dev = Some(if creating {
        c.new_ifname(w, "dev")?
    } else {
        c.dev_ref(w)?
    });
    Ok(())
}

/// The words after `type KIND`.
fn parse_kind(c: &mut Cursor, kind: &str) -> Res<LinkKind> {
    Ok(match kind {
        "veth" => LinkKind::Veth(match c.word() {
            None => None,
            Some("peer") => {
                let p = parse_words(c, Mode::Peer)?;
                let name = match (p.name, p.dev) {
                    (Some(_), Some(d)) => return Err(c.garbage("dev", &d)),
                    (n, d) => n.or(d),
                };
                Some(VethPeer {
                    name,
                    attrs: p.attrs,
                })
            }
            Some(_) => {
                return Err(c.usage("Usage: netplumb link <options> type veth [peer <options>]"));
            }
        }),
        "bridge" => LinkKind::Bridge(options(c, "bridge: unknown command", BRIDGE_OPTS)?),
        "bridge_slave" => LinkKind::BridgeSlave(options(
            c,
            "bridge_slave: unknown option",
            BRIDGE_SLAVE_OPTS,
        )?),
        "macvlan" => LinkKind::Macvlan(parse_macvlan(c, kind)?),
        "macvtap" => LinkKind::Macvtap(parse_macvlan(c, kind)?),
        "vxlan" => LinkKind::Vxlan(Box::new(parse_vxlan(c)?)),
        "ifb" => {
            c.rest();
            LinkKind::Ifb
        }
        _ => LinkKind::Other {
            kind: kind.to_string(),
            args: c.rest(),
        },
    })
}

/// A keyword table entry: the keyword and how to read its value.
type OptParser<T> = (&'static str, fn(&mut Cursor) -> Res<T>);

/// Reads `KEYWORD [VALUE]` pairs with a table (first prefix match wins, like `ip`).
/// `unknown` starts the error for a word that is none of them (`bridge: unknown command`).
fn options<T>(c: &mut Cursor, unknown: &str, table: &[OptParser<T>]) -> Res<Vec<T>> {
    let mut out = Vec::new();
    while let Some(w) = c.word() {
        match table.iter().find(|(k, _)| matches(w, k)) {
            Some((_, read)) => out.push(read(c)?),
            None if matches(w, "help") => return Err(c.help()),
            None => return Err(c.usage(format_args!("{unknown} \"{w}\"?"))),
        }
    }
    Ok(out)
}

/// Bridge options in `ip`'s order of checks (`m` is `max_age`, `mc` is `mcast_router`).
const BRIDGE_OPTS: &[OptParser<BridgeOpt>] = &[
    ("forward_delay", |c| {
        Ok(BridgeOpt::ForwardDelay(c.u32("invalid forward_delay")?))
    }),
    ("hello_time", |c| {
        Ok(BridgeOpt::HelloTime(c.u32("invalid hello_time")?))
    }),
    ("max_age", |c| {
        Ok(BridgeOpt::MaxAge(c.u32("invalid max_age")?))
    }),
    ("ageing_time", |c| {
        Ok(BridgeOpt::AgeingTime(c.u32("invalid ageing_time")?))
    }),
    ("stp_state", |c| {
        Ok(BridgeOpt::StpState(c.u32("invalid stp_state")?))
    }),
    ("priority", |c| {
        Ok(BridgeOpt::Priority(c.u16("invalid priority")?))
    }),
    ("vlan_filtering", |c| {
        Ok(BridgeOpt::VlanFiltering(c.u8("invalid vlan_filtering")?))
    }),
    ("vlan_protocol", |c| {
        Ok(BridgeOpt::VlanProtocol(match c.value()? {
            "802.1Q" | "802.1q" => 0x8100,
            "802.1ad" | "802.1AD" => 0x88a8,
            v => return Err(c.invarg(v, "invalid vlan_protocol")),
        }))
    }),
    ("group_fwd_mask", |c| {
        Ok(BridgeOpt::GroupFwdMask(c.u16("invalid group_fwd_mask")?))
    }),
    ("group_address", |c| Ok(BridgeOpt::GroupAddress(c.mac()?))),
    ("fdb_flush", |_| Ok(BridgeOpt::FdbFlush)),
    ("vlan_default_pvid", |c| {
        Ok(BridgeOpt::VlanDefaultPvid(
            c.u16("invalid vlan_default_pvid")?,
        ))
    }),
    ("vlan_stats_enabled", |c| {
        Ok(BridgeOpt::VlanStatsEnabled(
            c.u8("invalid vlan_stats_enabled")?,
        ))
    }),
    ("vlan_stats_per_port", |c| {
        Ok(BridgeOpt::VlanStatsPerPort(
            c.u8("invalid vlan_stats_per_port")?,
        ))
    }),
    ("mcast_router", |c| {
        Ok(BridgeOpt::McastRouter(c.u8("invalid mcast_router")?))
    }),
    ("mcast_snooping", |c| {
        Ok(BridgeOpt::McastSnooping(c.u8("invalid mcast_snooping")?))
    }),
    ("mcast_query_use_ifaddr", |c| {
        Ok(BridgeOpt::McastQueryUseIfaddr(
            c.u8("invalid mcast_query_use_ifaddr")?,
        ))
    }),
    ("mcast_querier", |c| {
        Ok(BridgeOpt::McastQuerier(c.u8("invalid mcast_querier")?))
    }),
    ("mcast_hash_elasticity", |c| {
        Ok(BridgeOpt::McastHashElasticity(
            c.u32("invalid mcast_hash_elasticity")?,
        ))
    }),
    ("mcast_hash_max", |c| {
        Ok(BridgeOpt::McastHashMax(c.u32("invalid mcast_hash_max")?))
    }),
    ("mcast_last_member_count", |c| {
        Ok(BridgeOpt::McastLastMemberCount(
            c.u32("invalid mcast_last_member_count")?,
        ))
    }),
    ("mcast_startup_query_count", |c| {
        Ok(BridgeOpt::McastStartupQueryCount(
            c.u32("invalid mcast_startup_query_count")?,
        ))
    }),
    ("mcast_last_member_interval", |c| {
        Ok(BridgeOpt::McastLastMemberInterval(
            c.uint(u64::MAX, "invalid mcast_last_member_interval")?,
        ))
    }),
    ("mcast_membership_interval", |c| {
        Ok(BridgeOpt::McastMembershipInterval(
            c.uint(u64::MAX, "invalid mcast_membership_interval")?,
        ))
    }),
    ("mcast_querier_interval", |c| {
        Ok(BridgeOpt::McastQuerierInterval(
            c.uint(u64::MAX, "invalid mcast_querier_interval")?,
        ))
    }),
    ("mcast_query_interval", |c| {
        Ok(BridgeOpt::McastQueryInterval(
            c.uint(u64::MAX, "invalid mcast_query_interval")?,
        ))
    }),
    ("mcast_query_response_interval", |c| {
        Ok(BridgeOpt::McastQueryResponseInterval(
            c.uint(u64::MAX, "invalid mcast_query_response_interval")?,
        ))
    }),
    ("mcast_startup_query_interval", |c| {
        Ok(BridgeOpt::McastStartupQueryInterval(
            c.uint(u64::MAX, "invalid mcast_startup_query_interval")?,
        ))
    }),
    ("mcast_stats_enabled", |c| {
        Ok(BridgeOpt::McastStatsEnabled(
            c.u8("invalid mcast_stats_enabled")?,
        ))
    }),
    ("mcast_igmp_version", |c| {
        Ok(BridgeOpt::McastIgmpVersion(
            c.u8("invalid mcast_igmp_version")?,
        ))
    }),
    ("mcast_mld_version", |c| {
        Ok(BridgeOpt::McastMldVersion(
            c.u8("invalid mcast_mld_version")?,
        ))
    }),
    ("nf_call_iptables", |c| {
        Ok(BridgeOpt::NfCallIptables(c.u8("invalid nf_call_iptables")?))
    }),
    ("nf_call_ip6tables", |c| {
        Ok(BridgeOpt::NfCallIp6tables(
            c.u8("invalid nf_call_ip6tables")?,
        ))
    }),
    ("nf_call_arptables", |c| {
        Ok(BridgeOpt::NfCallArptables(
            c.u8("invalid nf_call_arptables")?,
        ))
    }),
];

/// `on`/`off` the way the bridge_slave parser words its error.
fn slave_flag(c: &mut Cursor, key: &str) -> Res<bool> {
    match c.value()? {
        "on" => Ok(true),
        "off" => Ok(false),
        v => Err(c.usage(format_args!(
            "Error: argument of \"{key}\" must be one of \"off\", \"on\", not \"{v}\""
        ))),
    }
}

/// Bridge port options in `ip`'s order of checks (`f` is `fdb_flush`, `m` is `mcast_flood`).
const BRIDGE_SLAVE_OPTS: &[OptParser<BridgeSlaveOpt>] = &[
    ("fdb_flush", |_| Ok(BridgeSlaveOpt::FdbFlush)),
    ("state", |c| {
        Ok(BridgeSlaveOpt::State(c.u8("state is invalid")?))
    }),
    ("priority", |c| {
        Ok(BridgeSlaveOpt::Priority(c.u16("priority is invalid")?))
    }),
    ("cost", |c| {
        Ok(BridgeSlaveOpt::Cost(c.u32("cost is invalid")?))
    }),
    ("guard", |c| {
        Ok(BridgeSlaveOpt::Guard(slave_flag(c, "guard")?))
    }),
    ("hairpin", |c| {
        Ok(BridgeSlaveOpt::Hairpin(slave_flag(c, "hairpin")?))
    }),
    ("fastleave", |c| {
        Ok(BridgeSlaveOpt::FastLeave(slave_flag(c, "fastleave")?))
    }),
    ("root_block", |c| {
        Ok(BridgeSlaveOpt::RootBlock(slave_flag(c, "root_block")?))
    }),
    ("learning", |c| {
        Ok(BridgeSlaveOpt::Learning(slave_flag(c, "learning")?))
    }),
    ("flood", |c| {
        Ok(BridgeSlaveOpt::Flood(slave_flag(c, "flood")?))
    }),
    ("mcast_flood", |c| {
        Ok(BridgeSlaveOpt::McastFlood(slave_flag(c, "mcast_flood")?))
    }),
    ("mcast_router", |c| {
        Ok(BridgeSlaveOpt::McastRouter(c.u8("invalid mcast_router")?))
    }),
    ("mcast_to_unicast", |c| {
        Ok(BridgeSlaveOpt::McastToUnicast(slave_flag(
            c,
            "mcast_to_unicast",
        )?))
    }),
    ("bcast_flood", |c| {
        Ok(BridgeSlaveOpt::BcastFlood(slave_flag(c, "bcast_flood")?))
    }),
    ("proxy_arp", |c| {
        Ok(BridgeSlaveOpt::ProxyArp(slave_flag(c, "proxy_arp")?))
    }),
    ("proxy_arp_wifi", |c| {
        Ok(BridgeSlaveOpt::ProxyArpWifi(slave_flag(
            c,
            "proxy_arp_wifi",
        )?))
    }),
    ("neigh_suppress", |c| {
        Ok(BridgeSlaveOpt::NeighSuppress(slave_flag(
            c,
            "neigh_suppress",
        )?))
    }),
    ("vlan_tunnel", |c| {
        Ok(BridgeSlaveOpt::VlanTunnel(slave_flag(c, "vlan_tunnel")?))
    }),
    ("isolated", |c| {
        Ok(BridgeSlaveOpt::Isolated(slave_flag(c, "isolated")?))
    }),
    ("locked", |c| {
        Ok(BridgeSlaveOpt::Locked(slave_flag(c, "locked")?))
    }),
    ("backup_port", |c| {
        let v = c.value()?;
        Ok(BridgeSlaveOpt::BackupPort(c.dev_ref(v)?))
    }),
    ("nobackup_port", |_| Ok(BridgeSlaveOpt::NoBackupPort)),
];

fn parse_macvlan(c: &mut Cursor, kind: &str) -> Res<Macvlan> {
    let mut mv = Macvlan::default();
    while let Some(w) = c.word() {
        if matches(w, "mode") {
            mv.mode = Some(match c.value()? {
                "private" => MacvlanMode::Private,
                "vepa" => MacvlanMode::Vepa,
                "bridge" => MacvlanMode::Bridge,
                "passthru" => MacvlanMode::Passthru,
                "source" => MacvlanMode::Source,
                v => {
                    return Err(c.usage(format_args!(
                        "Error: argument of \"mode\" must be \"private\", \"vepa\", \"bridge\", \
                         \"passthru\" or \"source\", not \"{v}\""
                    )));
                }
            });
        } else if w == "nopromisc" && mv.mode == Some(MacvlanMode::Passthru) {
            mv.nopromisc = true;
        } else if matches(w, "help") {
            return Err(c.help());
        } else {
            return Err(c.usage(format_args!("{kind}: unknown command \"{w}\"?")));
        }
    }
    Ok(mv)
}

/// A flag of [`Vxlan`].
type VxlanFlag = fn(&mut Vxlan) -> &mut Option<bool>;

/// vxlan's `[no]FLAG` pairs, checked after the valued keywords like `ip` does.
const VXLAN_FLAGS: [(&str, VxlanFlag); 10] = [
    ("learning", |v| &mut v.learning),
    ("proxy", |v| &mut v.proxy),
    ("rsc", |v| &mut v.rsc),
    ("l2miss", |v| &mut v.l2miss),
    ("l3miss", |v| &mut v.l3miss),
    ("udpcsum", |v| &mut v.udpcsum),
    ("udp6zerocsumtx", |v| &mut v.udp6zerocsumtx),
    ("udp6zerocsumrx", |v| &mut v.udp6zerocsumrx),
    ("remcsumtx", |v| &mut v.remcsumtx),
    ("remcsumrx", |v| &mut v.remcsumrx),
];

/// vxlan's `ttl N|auto|inherit`.
fn vxlan_ttl(c: &mut Cursor) -> Res<VxlanTtl> {
    Ok(match c.value()? {
        "inherit" => VxlanTtl::Inherit,
        "auto" => VxlanTtl::Value(0),
        t => {
            let n = parse_uint(t).ok_or_else(|| c.invarg(t, "invalid TTL"))?;
            VxlanTtl::Value(u8::try_from(n).map_err(|_| c.invarg(t, "TTL must be <= 255"))?)
        }
    })
}

/// `type vxlan` arguments, as `ip`'s `vxlan_parse_opt` reads them.
fn parse_vxlan(c: &mut Cursor) -> Res<Vxlan> {
    let mut v = Vxlan::default();
    let mut id = None;
    // Every address must be of the family of the first one given.
    let mut family = Family::Unspec;
    let mut addr = |c: &mut Cursor| -> Res<IpAddr> {
        let a = c.addr(family)?;
        family = Family::of(a);
        Ok(a)
    };
    while let Some(w) = c.word() {
        let m = |k: &str| matches(w, k);
        if m("id") || m("vni") {
            let val = c.peek().unwrap_or_default();
            let n = c.uint((1 << 24) - 1, "invalid id")? as u32;
            if id.is_some() {
                return Err(c.garbage("id", val));
            }
            id = Some(n);
        } else if m("group") {
            let a = addr(c)?;
            if !a.is_multicast() {
                return Err(c.invarg(&a.to_string(), "invalid group address"));
            }
            v.group = Some(a);
        } else if m("remote") {
            let a = addr(c)?;
            if a.is_multicast() {
                return Err(c.invarg(&a.to_string(), "invalid remote address"));
            }
            v.remote = Some(a);
        } else if m("local") {
            v.local = Some(addr(c)?);
        } else if m("dev") {
            let d = c.value()?;
            v.dev = Some(c.dev_ref(d)?);
        } else if m("ttl") || m("hoplimit") {
            v.ttl = Some(vxlan_ttl(c)?);
        } else if m("tos") || m("dsfield") {
            let t = c.value()?;
            v.tos = Some(if t == "inherit" {
                1
            } else {
                NameTable::Dsfield
                    .lookup(t)
                    .and_then(|n| u8::try_from(n).ok())
                    .ok_or_else(|| c.invarg(t, "bad TOS value"))?
            });
        } else if m("df") {
            let df = [("unset", 0), ("set", 1), ("inherit", 2)];
            v.df = Some(c.one_of(&df, "DF must be 'unset', 'set' or 'inherit'")?);
        } else if m("label") {
            v.label = Some(c.uint(0xf_ffff, "invalid flowlabel")? as u32);
        } else if m("ageing") {
            v.ageing = Some(c.u32("ageing timer")?);
        } else if m("maxaddress") {
            v.maxaddress = Some(c.u32("max addresses")?);
        } else if m("port") {
            let lo = c.u16("min port")?;
            let hi = c.u16("max port")?;
            v.port_range = Some((lo, hi));
        } else if m("dstport") {
            v.dstport = Some(c.u16("dst port")?);
        } else if let Some((on, field)) = VXLAN_FLAGS.iter().find_map(|(k, field)| {
            // `nolearning` is checked before `learning` (so `n` is nolearning).
            let no = matches(w, &format!("no{k}"));
            (no || matches(w, k)).then_some((!no, field))
        }) {
            *field(&mut v) = Some(on);
        } else if m("external") || m("noexternal") {
            v.external = Some(!w.starts_with("no"));
        } else if m("gbp") {
            v.gbp = true;
        } else if m("gpe") {
            v.gpe = true;
        } else if matches(w, "help") {
            return Err(c.help());
        } else {
            return Err(c.usage(format_args!("vxlan: unknown command \"{w}\"?")));
        }
    }
    match (id, v.external == Some(true)) {
        (None, false) => return Err(c.usage("vxlan: missing virtual network identifier")),
        (Some(_), true) => {
            return Err(c.usage("vxlan: both 'external' and vni cannot be specified"));
        }
        _ => v.id = id,
    }
    if v.group.is_some() && v.remote.is_some() {
        return Err(c.usage("vxlan: both group and remote cannot be specified"));
    }
    if v.group.is_some() && v.dev.is_none() {
        return Err(c.usage("vxlan: 'group' requires 'dev' to be specified"));
    }
    Ok(v)
}

/// `link show` filters; every keyword is exact, a bare word is the device.
fn parse_show(c: &mut Cursor) -> Res<LinkShow> {
    let mut s = LinkShow::default();
    let mut ignored = super::addr::AddrFilter::default();
    while let Some(w) = c.word() {
        match w {
            "up" => s.up = true,
            "master" | "vrf" => {
                let v = c.value()?;
                s.master = Some(c.dev_ref(v)?);
            }
            "nomaster" => s.nomaster = true,
            "type" => s.kind = Some(c.value()?.to_string()),
            "group" => {
                s.group =
                    Some(c.table_value(NameTable::Groups, u32::MAX, "Invalid \"group\" value")?)
            }
            "to" => {
                let v = c.value()?;
                return Err(c.usage(format_args!(
                    "Error: \"{v}\" may be inet prefix, but it is not allowed in this context."
                )));
            }
            // Address filters are accepted and mean nothing for links, as with `ip`.
            _ if super::addr::filter_word(c, w, &mut ignored)? => {}
            _ => {
                if matches(w, "help") {
                    return Err(c.help());
                }
                let w = if w == "dev" { c.value()? } else { w };
                if s.dev.is_some() {
                    return Err(c.garbage("dev", w));
                }
                s.dev = Some(c.dev_ref(w)?);
            }
        }
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{err, parse_as, parse_ok};

    fn link(line: &str) -> LinkCmd {
        parse_as(line)
    }

    fn add(line: &str) -> LinkAdd {
        match link(line) {
            LinkCmd::Add(a) => a,
            other => panic!("{line}: {other:?}"),
        }
    }

    fn set(line: &str) -> LinkSet {
        match link(line) {
            LinkCmd::Set(s) => s,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn add_veth_with_peer_and_attributes() {
        let a = add(
            "link add link eth0 name v0 mtu 1400 address 02:00:00:00:00:01 broadcast \
             ff:ff:ff:ff:ff:ff txqueuelen 5 numtxqueues 2 numrxqueues 3 netns ns1 group 4 up \
             type veth peer name v1 mtu 1300 address 02:00:00:00:00:02 txqlen 7 netns 1234",
        );
        assert!(!a.replace);
        assert_eq!(a.name.as_deref(), Some("v0"));
        assert_eq!(a.link.as_deref(), Some("eth0"));
        let at = &a.attrs;
        assert_eq!(
            (at.mtu, at.txqueuelen, at.numtxqueues, at.numrxqueues),
            (Some(1400), Some(5), Some(2), Some(3))
        );
        assert_eq!(at.address.unwrap().to_string(), "02:00:00:00:00:01");
        assert_eq!(at.broadcast.unwrap().to_string(), "ff:ff:ff:ff:ff:ff");
        assert_eq!(
            (at.netns.clone(), at.group, at.up),
            (Some(NetnsRef("ns1".into())), Some(4), Some(true))
        );
        let LinkKind::Veth(Some(peer)) = a.kind else {
            panic!()
        };
        assert_eq!(peer.name.as_deref(), Some("v1"));
        assert_eq!(
            (peer.attrs.mtu, peer.attrs.txqueuelen),
            (Some(1300), Some(7))
        );
        assert_eq!(
            peer.attrs.netns.as_ref().and_then(NetnsRef::pid),
            Some(1234)
        );
    }

    #[test]
    fn add_name_forms_and_abbreviations() {
        for line in [
            "link add v0 type veth",
            "link add dev v0 type veth",
            "link add name v0 type veth",
            "l a v0 ty veth",
            "li ad v0 type veth",
            "link add v0 name v0 type veth",
        ] {
            assert_eq!(add(line).name.as_deref(), Some("v0"), "{line}");
        }
        assert_eq!(add("link add type veth").name, None);
        assert_eq!(
            add("link add type veth peer").kind,
            LinkKind::Veth(Some(VethPeer::default()))
        );
        let p = add("link add v0 type veth peer dev v1");
        assert_eq!(
            p.kind,
            LinkKind::Veth(Some(VethPeer {
                name: Some("v1".into()),
                ..Default::default()
            }))
        );
        assert!(add("link replace v0 type veth").replace);
        assert!(add("link r v0 type veth").replace);
        // `t` is txqueuelen, `a` address, `l` link, like ip.
        assert_eq!(add("link add v0 t 9 type veth").attrs.txqueuelen, Some(9));
        assert_eq!(
            add("link add v0 l eth0 type veth").link.as_deref(),
            Some("eth0")
        );
        assert_eq!(add("link add v0 mtu 0x500 type veth").attrs.mtu, Some(1280));
    }

    #[test]
    fn add_errors_like_ip() {
        for (line, first) in [
            ("link add a type veth", "\"type\" is invalid lladdr."),
            (
                "link add x1 l type veth",
                "Error: either \"dev\" is duplicate, or \"veth\" is a garbage.",
            ),
            (
                "link add name x3 dev x4 type veth",
                "both \"name\" and \"dev\" cannot be used when creating devices.",
            ),
            (
                "link add name x3 name x4 type veth",
                "Error: duplicate \"name\": \"x4\" is the second value.",
            ),
            (
                "link add x5 x6 type veth",
                "Error: either \"dev\" is duplicate, or \"x6\" is a garbage.",
            ),
            (
                "link add x7 mtu abc type veth",
                "Error: argument \"abc\" is wrong: Invalid \"mtu\" value",
            ),
            (
                "link add x7 mtu 0 type veth",
                "Error: argument \"0\" is wrong: Invalid \"mtu\" value",
            ),
            (
                "link add x7 mtu -1 type veth",
                "Error: argument \"-1\" is wrong: Invalid \"mtu\" value",
            ),
            (
                "link add x7 mtu 99999999999 type veth",
                "Error: argument \"99999999999\" is wrong",
            ),
            (
                "link add x7 mtu 1400 mtu 1500 type veth",
                "Error: duplicate \"mtu\": \"1500\" is the second value.",
            ),
            (
                "link add 0123456789abcdef type veth",
                "Error: argument \"0123456789abcdef\" is wrong: \"dev\" not a valid ifname",
            ),
            (
                "link add name 0123456789abcdef type veth",
                "Error: argument \"0123456789abcdef\" is wrong: \"name\" not a valid ifname",
            ),
            (
                "link add a/b type veth",
                "Error: argument \"a/b\" is wrong: \"dev\" not a valid ifname",
            ),
            (
                "link add x8 address zz type veth",
                "\"zz\" is invalid lladdr.",
            ),
            (
                "link add x8 address 02:00:00:00:00:01:02 type veth",
                "\"02:00:00:00:00:01:02\" is invalid lladdr.",
            ),
            (
                "link add x8 type",
                "Command line is not complete. Try \"netplumb link help\".",
            ),
            (
                "link add x8",
                "Not enough information: \"type\" argument is required",
            ),
            ("link add x8 dev", "Command line is not complete."),
            ("link add x8 mtu", "Command line is not complete."),
            (
                "link add x8 t veth",
                "Error: argument \"veth\" is wrong: Invalid \"txqueuelen\" value",
            ),
            (
                "link add y1 type veth mtu 1400",
                "Usage: netplumb link <options> type veth [peer <options>]",
            ),
            (
                "link add y1 type veth pe y2",
                "Usage: netplumb link <options> type veth",
            ),
            (
                "link add y3 type veth peer name y4 name y5",
                "Error: duplicate \"name\": \"y5\" is the second value.",
            ),
            (
                "link add y3 type veth peer name y4 type veth",
                "Error: duplicate \"type\": \"veth\" is the second value.",
            ),
            (
                "link add y5 type veth peer y6 y7",
                "Error: either \"dev\" is duplicate, or \"y7\" is a garbage.",
            ),
            (
                "link add x netns a netns b type veth",
                "Error: duplicate \"netns\"",
            ),
            (
                "link add x xdp obj f type veth",
                "\"xdp\" is not supported by netplumb.",
            ),
            ("link add x alias", "Command line is not complete."),
        ] {
            let e = err(line);
            assert!(e.starts_with(first), "{line}:\n{e}");
            assert!(
                e.contains("Try \"netplumb link help\".") || e.starts_with("Usage"),
                "{line}: hint missing"
            );
        }
        let long = format!("link add x alias {} type veth", "a".repeat(256));
        assert!(err(&long).starts_with("Error: argument"));
        assert!(err("link add x8 help").starts_with("Usage: netplumb link add"));
        assert!(err("link add x8 h").starts_with("Usage: netplumb link add"));
    }

    #[test]
    fn unknown_kinds_reach_the_kernel() {
        assert_eq!(
            add("link add d0 type dummy").kind,
            LinkKind::Other {
                kind: "dummy".into(),
                args: vec![]
            }
        );
        assert_eq!(
            add("link add v0 type vlan id 5").kind,
            LinkKind::Other {
                kind: "vlan".into(),
                args: vec!["id".into(), "5".into()]
            }
        );
        assert_eq!(add("link add i1 type ifb foo").kind, LinkKind::Ifb);
    }

    #[test]
    fn bridge_options() {
        let a = add(
            "link add b0 type bridge stp_state 1 forward_delay 400 hello_time 200 max_age 2000 \
             ageing_time 100 priority 1 vlan_filtering 0 mcast_snooping 0",
        );
        assert_eq!(
            a.kind,
            LinkKind::Bridge(vec![
                BridgeOpt::StpState(1),
                BridgeOpt::ForwardDelay(400),
                BridgeOpt::HelloTime(200),
                BridgeOpt::MaxAge(2000),
                BridgeOpt::AgeingTime(100),
                BridgeOpt::Priority(1),
                BridgeOpt::VlanFiltering(0),
                BridgeOpt::McastSnooping(0),
            ])
        );
        // Prefixes resolve in ip's order.
        let a = add(
            "link add b0 type bridge stp 1 m 5 mc 1 f 3 vlan_p 802.1ad fd group_a 01:80:c2:00:00:00",
        );
        assert_eq!(
            a.kind,
            LinkKind::Bridge(vec![
                BridgeOpt::StpState(1),
                BridgeOpt::MaxAge(5),
                BridgeOpt::McastRouter(1),
                BridgeOpt::ForwardDelay(3),
                BridgeOpt::VlanProtocol(0x88a8),
                BridgeOpt::FdbFlush,
                BridgeOpt::GroupAddress("01:80:c2:00:00:00".parse().unwrap()),
            ])
        );
        assert!(
            err("link add k0 type bridge stp_state x")
                .starts_with("Error: argument \"x\" is wrong: invalid stp_state")
        );
        assert!(
            err("link add k0 type bridge priority 70000")
                .starts_with("Error: argument \"70000\" is wrong: invalid priority")
        );
        assert!(err("link add k0 type bridge foo").starts_with("bridge: unknown command \"foo\"?"));
        assert!(
            err("link add k0 type bridge mtu 1000").starts_with("bridge: unknown command \"mtu\"?")
        );
    }

    #[test]
    fn macvlan_macvtap_vxlan_ifb() {
        let a = add("link add mv1 link v1 type macvlan mode bridge");
        assert_eq!(a.link.as_deref(), Some("v1"));
        assert_eq!(
            a.kind,
            LinkKind::Macvlan(Macvlan {
                mode: Some(MacvlanMode::Bridge),
                nopromisc: false
            })
        );
        let a = add("link add mv1 link v1 type macvtap mo passthru nopromisc");
        assert_eq!(
            a.kind,
            LinkKind::Macvtap(Macvlan {
                mode: Some(MacvlanMode::Passthru),
                nopromisc: true
            })
        );
        assert_eq!(
            add("link add m link v type macvlan").kind,
            LinkKind::Macvlan(Macvlan::default())
        );
        for m in ["private", "vepa", "source"] {
            add(&format!("link add m link v type macvlan mode {m}"));
        }
        assert!(err("link add m link v type macvlan mode foo").starts_with(
            "Error: argument of \"mode\" must be \"private\", \"vepa\", \"bridge\", \"passthru\" or \"source\", not \"foo\""
        ));
        assert!(
            err("link add m link v type macvlan mode").starts_with("Command line is not complete.")
        );

        let a = add(
            "link add vx1 type vxlan id 42 dstport 4789 local 198.18.0.1 remote 198.18.0.2 ttl 10 \
             tos 0x10 nolearning dev v1",
        );
        let LinkKind::Vxlan(v) = a.kind else { panic!() };
        assert_eq!(
            (v.id, v.dstport, v.ttl, v.tos, v.learning),
            (
                Some(42),
                Some(4789),
                Some(VxlanTtl::Value(10)),
                Some(0x10),
                Some(false)
            )
        );
        assert_eq!(
            (v.local.unwrap().to_string(), v.remote.unwrap().to_string()),
            ("198.18.0.1".into(), "198.18.0.2".into())
        );
        assert_eq!(v.dev.as_deref(), Some("v1"));
        let LinkKind::Vxlan(v) = add("link add v type vxlan vni 7 group 239.1.1.1 dev v1 ttl inherit learning l 198.18.0.1 dst 8472 port 100 200").kind else { panic!() };
        assert_eq!(
            (v.id, v.ttl, v.learning, v.dstport, v.port_range),
            (
                Some(7),
                Some(VxlanTtl::Inherit),
                Some(true),
                Some(8472),
                Some((100, 200))
            )
        );
        assert_eq!(v.group.unwrap().to_string(), "239.1.1.1");
        for (line, first) in [
            (
                "link add v type vxlan dstport 4789",
                "vxlan: missing virtual network identifier",
            ),
            (
                "link add v type vxlan id 16777216",
                "Error: argument \"16777216\" is wrong: invalid id",
            ),
            (
                "link add v type vxlan id 1 group 239.1.1.1",
                "vxlan: 'group' requires 'dev' to be specified",
            ),
            (
                "link add v type vxlan id 1 remote 239.1.1.1",
                "Error: argument \"239.1.1.1\" is wrong: invalid remote address",
            ),
            (
                "link add v type vxlan id 1 local 2001:db8::1 remote 198.18.0.2",
                "Error: inet6 address is expected rather than \"198.18.0.2\".",
            ),
            (
                "link add v type vxlan id 1 remote 198.18.0.3 group 239.1.1.1 dev x",
                "vxlan: both group and remote cannot be specified",
            ),
            (
                "link add v type vxlan id 1 foo",
                "vxlan: unknown command \"foo\"?",
            ),
            (
                "link add v type vxlan id 1 i 3",
                "Error: either \"id\" is duplicate, or \"3\" is a garbage.",
            ),
            (
                "link add v type vxlan id 1 ttl 300",
                "Error: argument \"300\" is wrong: TTL must be <= 255",
            ),
            (
                "link add v type vxlan id 1 dstport x",
                "Error: argument \"x\" is wrong: dst port",
            ),
            (
                "link add v type vxlan id 1 remote bad",
                "Error: any valid address is expected rather than \"bad\".",
            ),
            (
                "link add v type vxlan id 1 external",
                "vxlan: both 'external' and vni cannot be specified",
            ),
            (
                "link add v type vxlan id 1 label 0x100000",
                "Error: argument \"0x100000\" is wrong: invalid flowlabel",
            ),
        ] {
            let e = err(line);
            assert!(e.starts_with(first), "{line}:\n{e}");
        }
        let LinkKind::Vxlan(v) = add("link add v type vxlan external").kind else {
            panic!()
        };
        assert_eq!((v.id, v.external), (None, Some(true)));
        assert_eq!(add("link add i0 type ifb").kind, LinkKind::Ifb);
    }

    #[test]
    fn set_forms() {
        let s = set(
            "link set dev v1 up mtu 1400 name v2 address 02:00:00:00:00:09 master br0 netns ns2 \
             txqlen 100 alias hello arp off multicast on promisc on allmulticast off group 5",
        );
        assert_eq!(s.target, LinkTarget::Dev("v1".into()));
        assert_eq!(s.name.as_deref(), Some("v2"));
        let a = &s.attrs;
        assert_eq!(
            (a.up, a.mtu, a.txqueuelen, a.group),
            (Some(true), Some(1400), Some(100), Some(5))
        );
        assert_eq!(a.master, Some(Master::Dev("br0".into())));
        assert_eq!(
            (a.arp, a.multicast, a.promisc, a.allmulticast),
            (Some(false), Some(true), Some(true), Some(false))
        );
        assert_eq!(a.alias.as_deref(), Some("hello"));
        assert_eq!(set("link set v1 nomaster").attrs.master, Some(Master::None));
        assert_eq!(set("link set v1 n").attrs.master, Some(Master::None));
        assert_eq!(
            set("link s v1 m br0").attrs.master,
            Some(Master::Dev("br0".into()))
        );
        assert_eq!(set("link change v1 down").attrs.up, Some(false));
        assert_eq!(set("link set v1 up down").attrs.up, Some(false));
        assert_eq!(set("link set v1").attrs, LinkAttrs::default());
        assert_eq!(set("link set v1 group default").attrs.group, Some(0));
        let g = set("link set group 5 up");
        assert_eq!((g.target, g.attrs.group), (LinkTarget::Group(5), None));
        // A long alternative name is a fine reference.
        assert_eq!(
            set("link set a-long-alternative-name up").target,
            LinkTarget::Dev("a-long-alternative-name".into())
        );
        let s = set(
            "link set dev v0 type bridge_slave hairpin on learning off flood on h off state 3 cost 5 backup_port v9",
        );
        assert_eq!(
            s.kind,
            Some(LinkKind::BridgeSlave(vec![
                BridgeSlaveOpt::Hairpin(true),
                BridgeSlaveOpt::Learning(false),
                BridgeSlaveOpt::Flood(true),
                BridgeSlaveOpt::Hairpin(false),
                BridgeSlaveOpt::State(3),
                BridgeSlaveOpt::Cost(5),
                BridgeSlaveOpt::BackupPort("v9".into()),
            ]))
        );
        assert_eq!(
            set("link set br0 type bridge stp_state 1").kind,
            Some(LinkKind::Bridge(vec![BridgeOpt::StpState(1)]))
        );
        let s = set(
            "link set v1 addrgenmode none carrier on protodown off mode dormant state up index 3 dynamic off gso_max_size 1000",
        );
        let a = &s.attrs;
        assert_eq!(
            (
                a.addrgenmode,
                a.carrier,
                a.protodown,
                a.linkmode,
                a.operstate,
                a.index,
                a.dynamic,
                a.gso_max_size
            ),
            (
                Some(AddrGenMode::None),
                Some(true),
                Some(false),
                Some(1),
                Some(6),
                Some(3),
                Some(false),
                Some(1000)
            )
        );
    }

    #[test]
    fn set_errors() {
        for (line, first) in [
            (
                "link set",
                "Not enough information: \"dev\" argument is required.",
            ),
            (
                "link set up",
                "Not enough information: \"dev\" argument is required.",
            ),
            ("link set dev", "Command line is not complete."),
            (
                "link set v1 arp foo",
                "Error: argument of \"arp\" must be \"on\" or \"off\", not \"foo\"",
            ),
            (
                "link set v1 name 0123456789abcdef",
                "Error: argument \"0123456789abcdef\" is wrong: \"name\" not a valid ifname",
            ),
            (
                "link set v1 name a/b",
                "Error: argument \"a/b\" is wrong: \"name\" not a valid ifname",
            ),
            (
                "link set v1 mtu 0",
                "Error: argument \"0\" is wrong: Invalid \"mtu\" value",
            ),
            (
                "link set v1 g zzzz",
                "Error: either \"dev\" is duplicate, or \"g\" is a garbage.",
            ),
            (
                "link set v1 d zzzz",
                "Error: argument of \"dynamic\" must be \"on\" or \"off\", not \"zzzz\"",
            ),
            (
                "link set v1 nu zzzz",
                "Error: argument \"zzzz\" is wrong: Invalid \"numtxqueues\" value",
            ),
            (
                "link set v1 group x",
                "Error: argument \"x\" is wrong: Invalid \"group\" value",
            ),
            (
                "link set v0 type bridge_slave foo on",
                "bridge_slave: unknown option \"foo\"?",
            ),
            (
                "link set v0 type bridge_slave hairpin maybe",
                "Error: argument of \"hairpin\" must be one of \"off\", \"on\", not \"maybe\"",
            ),
            (
                "link set v1 foo bar",
                "Error: either \"dev\" is duplicate, or \"foo\" is a garbage.",
            ),
            (
                "link foo",
                "Command \"foo\" is unknown, try \"netplumb link help\".",
            ),
            (
                "link set x/y up",
                "Error: argument \"x/y\" is wrong: \"dev\" not a valid ifname",
            ),
        ] {
            let e = err(line);
            assert!(e.starts_with(first), "{line}:\n{e}");
        }
        assert!(err("link set v1 h").starts_with("Usage: netplumb link"));
        assert!(err("link set v1 xdp obj x").starts_with("\"xdp\" is not supported by netplumb."));
        assert_eq!(
            set("link set xdpfoo trailers off").attrs.trailers,
            Some(false)
        );
        assert_eq!(
            set("link set x link-netns ns1").attrs.link_netns,
            Some(NetnsRef("ns1".into()))
        );
    }

    #[test]
    fn delete_and_show() {
        let d = |line: &str| match link(line) {
            LinkCmd::Del(d) => d,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            d("link del v0"),
            LinkDel {
                target: LinkTarget::Dev("v0".into()),
                kind: None
            }
        );
        assert_eq!(
            d("link delete dev v0 type veth").kind.as_deref(),
            Some("veth")
        );
        assert_eq!(d("l d v0").target, LinkTarget::Dev("v0".into()));
        assert_eq!(d("link del group 5").target, LinkTarget::Group(5));
        assert!(
            err("link del").starts_with("Not enough information: \"dev\" argument is required.")
        );

        let show = |line: &str| match link(line) {
            LinkCmd::Show(s) => s,
            other => panic!("{other:?}"),
        };
        assert_eq!(show("link"), LinkShow::default());
        for v in ["show", "sh", "list", "l", "ls", "lst", "lis"] {
            assert_eq!(
                show(&format!("link {v} dev lo")).dev.as_deref(),
                Some("lo"),
                "{v}"
            );
        }
        let s = show("link show lo up master br0 type veth group 3");
        assert_eq!(
            (
                s.dev.as_deref(),
                s.up,
                s.master.as_deref(),
                s.kind.as_deref(),
                s.group
            ),
            (Some("lo"), true, Some("br0"), Some("veth"), Some(3))
        );
        assert!(show("link show nomaster permanent").nomaster);
        assert!(
            err("link show t v1")
                .starts_with("Error: either \"dev\" is duplicate, or \"v1\" is a garbage.")
        );
        assert!(err("link show to v1").starts_with(
            "Error: \"v1\" may be inet prefix, but it is not allowed in this context."
        ));
        assert!(err("link show lo help").starts_with("Usage: netplumb link"));
        assert_eq!(parse_ok("link help"), Command::Help(TOPIC));
        assert_eq!(parse_ok("link h"), Command::Help(TOPIC));
    }
}
