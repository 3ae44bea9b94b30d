//! `link add | replace | set | change | delete | show`, executed like iproute2 6.1's
//! `ip link`.
//!
//! A change goes to the kernel as the one request `ip` would send for the same words: one
//! `RTM_NEWLINK` (or `RTM_DELLINK`) built from the wire [`LinkMessage`] and sent with
//! [`Handle::request`] (an `add` that looks nothing up and a `delete` through
//! [`Ctx::send`], which queues them in `-force -batch`). The library's
//! `LinkSpec`/`LinkChange` cover what containers need, but not every word of the `ip`
//! grammar (flag changes such as `arp off` or `promisc on` with their change mask, `state`,
//! `mode`, `addrgenmode`, a group as the target, the kind's own options in a `set`, ...),
//! so the executor builds the message itself from the typed wire attributes rather than by
//! two routes.
//!
//! Devices are looked up the way `ip` looks them up: `dev` and `link` by one `RTM_GETLINK`
//! (`Cannot find device "X"` when missing), `master` too (`Device does not exist`).
//! Namespaces for `netns NS|PID`: a name under /run/netns (or a path with `/`), else a
//! process id.
//!
//! Where netplumb differs from `ip link`:
//! - A kernel refusal without an extended-ack message prints `Error: File exists.` where
//!   `ip` prints `RTNETLINK answers: File exists`; exit status 1 (`ip`: 2).
//! - `ip -j link show` with a filter (`up`, `group`, `type`, `master`) writes an empty
//!   object `{}` for every link the filter leaves out; netplumb leaves them out.
//! - `vrf NAME` is taken as `master NAME` (a missing device reads "Device does not exist",
//!   not "Not a valid VRF name"); arguments of kinds netplumb does not know (`type dummy
//!   ARGS`) are refused.
//! - `-d` text is shorter than `ip`'s (no kind-specific options); the JSON has them all.
use super::links::Links;
use super::render::link::{self as render_link, View};
use super::render::{Opts, Printer};
use super::stream;
use crate::args::Family;
use crate::cmd::Run;
use crate::cmd::link::{
    AddrGenMode, BridgeOpt, BridgeSlaveOpt, LinkAdd, LinkAttrs, LinkCmd, LinkDel, LinkKind,
    LinkSet, LinkShow, LinkTarget, Macvlan, MacvlanMode, Master, NetnsRef, Vxlan, VxlanTtl,
};
use crate::ctx::{Ctx, Lookup};
use crate::error::{CliError, Res, failed};
use netplumb::wire::family::AF_INET6;
use netplumb::wire::link::{
    BridgeAttr, BridgePortAttr, IFLA_VXLAN_TTL_INHERIT, IfFlags, InfoAttr, InfoData, LinkAttr,
    LinkInfo, LinkMessage, MacvlanAttr, PortRange, SlaveData, VethAttr, VxlanAttr,
};
use netplumb::wire::nlmsg::{NlmsgFlags, RTM_DELLINK, RTM_GETLINK, RTM_NEWLINK};
use netplumb::wire::{Builder, UnknownAttr};
use netplumb::{Handle, NetNs};
use std::net::IpAddr;
use std::os::fd::{AsFd, AsRawFd};

impl Run for LinkCmd {
    fn run(&self, ctx: &Ctx<'_>) -> Res<()> {
        run(self, ctx)
    }

    fn queueable(&self) -> bool {
        matches!(self, LinkCmd::Add(_) | LinkCmd::Del(_))
    }
}

/// Runs `link`.
fn run(cmd: &LinkCmd, ctx: &Ctx<'_>) -> Result<(), CliError> {
    match cmd {
        LinkCmd::Add(a) => add(a, ctx),
        LinkCmd::Set(s) => set(s, ctx),
        LinkCmd::Del(d) => del(d, ctx),
        LinkCmd::Show(s) => show(s, ctx),
    }
}

/// A link by name (or alternative name), with one `RTM_GETLINK`; `None` when there is no
/// such link.
pub fn get_link(h: &Handle, name: &str) -> Result<Option<LinkMessage>, CliError> {
    let by = if name.len() < 16 {
        LinkAttr::IfName(name.to_string())
    } else {
        LinkAttr::AltIfName(name.to_string())
    };
    let req = LinkMessage::new(0).with(by);
    match h.get_map(RTM_GETLINK, NlmsgFlags::empty(), &req, |m| {
        LinkMessage::parse(m.payload()).map_err(netplumb::Error::from)
    }) {
        Ok(m) => Ok(Some(m)),
        Err(e) if e.errno() == Some(libc::ENODEV) => Ok(None),
        Err(e) => Err(failed(e)),
    }
}

/// The index of `dev`, or `ip`'s `Cannot find device "DEV"`.
fn dev_index(h: &Handle, dev: &str) -> Result<u32, CliError> {
    match get_link(h, dev)? {
        Some(m) => u32::try_from(m.index())
            .map_err(|_| CliError::Failed(format!("Cannot find device \"{dev}\""))),
        None => Err(CliError::Failed(format!("Cannot find device \"{dev}\""))),
    }
}

/// The index of a device named as an argument (`master`, `backup_port`, vxlan `dev`), or
/// `ip`'s invalid-argument error.
fn arg_index(h: &Handle, dev: &str, what: &str) -> Result<u32, CliError> {
    match get_link(h, dev)? {
        Some(m) => Ok(u32::try_from(m.index()).unwrap_or(0)),
        None => Err(CliError::Failed(format!(
            "Error: argument \"{dev}\" is wrong: {what}"
        ))),
    }
}

/// A namespace named by `netns`: kept open until the request is sent.
enum NsTarget {
    Fd(NetNs),
    Pid(u32),
}

/// Like `ip`: a name under /run/netns (a path when it has a `/`), else a process id.
fn resolve_netns(r: &NetnsRef) -> Result<NsTarget, CliError> {
    let opened = if r.0.contains('/') {
        NetNs::open(&r.0)
    } else {
        NetNs::open_name(&r.0)
    };
    match (opened, r.pid()) {
        (Ok(ns), _) => Ok(NsTarget::Fd(ns)),
        (Err(_), Some(pid)) => Ok(NsTarget::Pid(pid)),
        (Err(_), None) => Err(CliError::Failed(format!(
            "Error: argument \"{}\" is wrong: Invalid \"netns\" value",
            r.0
        ))),
    }
}

/// Sets `flag` in the header's flags and change mask (`on`) or clears it in the flags.
fn set_flag(m: &mut LinkMessage, flag: IfFlags, on: Option<bool>) {
    if let Some(on) = on {
        m.header.change_mask |= flag;
        m.header.flags.set(flag, on);
    }
}

/// `IFLA_AF_SPEC { AF_INET6 { IFLA_INET6_ADDR_GEN_MODE mode } }` as the nest's value.
fn af_spec_addr_gen_mode(mode: u8) -> Result<Vec<u8>, CliError> {
    let mut b = Builder::new();
    b.nested(u16::from(AF_INET6), |b| {
        b.attr_u8(render_link::IFLA_INET6_ADDR_GEN_MODE, mode)
    })
    .map_err(|e| failed(e.into()))?;
    Ok(b.into_vec())
}

/// The attributes every link request shares (`ip`'s `iplink_parse`), into `m`. Namespaces
/// opened for `netns` are pushed to `held`, which must live until the request is sent.
fn apply_attrs(
    m: &mut LinkMessage,
    a: &LinkAttrs,
    h: &Handle,
    held: &mut Vec<NetNs>,
) -> Result<(), CliError> {
    set_flag(m, IfFlags::UP, a.up);
    set_flag(m, IfFlags::NOARP, a.arp.map(|on| !on));
    set_flag(m, IfFlags::MULTICAST, a.multicast);
    set_flag(m, IfFlags::ALLMULTI, a.allmulticast);
    set_flag(m, IfFlags::PROMISC, a.promisc);
    set_flag(m, IfFlags::NOTRAILERS, a.trailers.map(|on| !on));
    set_flag(m, IfFlags::DYNAMIC, a.dynamic);
    let at = &mut m.attrs;
    at.extend(
        a.address
            .map(|mac| LinkAttr::Address(mac.octets().to_vec())),
    );
    at.extend(
        a.broadcast
            .map(|mac| LinkAttr::Broadcast(mac.octets().to_vec())),
    );
    at.extend(a.txqueuelen.map(LinkAttr::TxQueueLen));
    at.extend(a.mtu.map(LinkAttr::Mtu));
    if let Some(r) = &a.netns {
        match resolve_netns(r)? {
            NsTarget::Fd(ns) => {
                let fd = u32::try_from(ns.as_fd().as_raw_fd()).unwrap_or(u32::MAX);
                at.push(LinkAttr::NetNsFd(fd));
                held.push(ns);
            }
            NsTarget::Pid(p) => at.push(LinkAttr::NetNsPid(p)),
        }
    }
    at.extend(a.carrier.map(|c| LinkAttr::Carrier(u8::from(c))));
    match &a.master {
        Some(Master::Dev(d)) => {
            at.push(LinkAttr::Master(arg_index(h, d, "Device does not exist")?))
        }
        Some(Master::None) => at.push(LinkAttr::Master(0)),
        None => {}
    }
    at.extend(a.alias.clone().map(LinkAttr::IfAlias));
    at.extend(a.group.map(LinkAttr::Group));
    at.extend(a.linkmode.map(LinkAttr::LinkMode));
    at.extend(a.operstate.map(|s| LinkAttr::OperState(s.into())));
    at.extend(a.numtxqueues.map(LinkAttr::NumTxQueues));
    at.extend(a.numrxqueues.map(LinkAttr::NumRxQueues));
    if let Some(mode) = a.addrgenmode {
        let v = match mode {
            AddrGenMode::Eui64 => 0,
            AddrGenMode::None => 1,
            AddrGenMode::StableSecret => 2,
            AddrGenMode::Random => 3,
        };
        at.push(LinkAttr::AfSpec(af_spec_addr_gen_mode(v)?));
    }
    if let Some(r) = &a.link_netns {
        let id = super::netns::nsid_for(h, r)?;
        at.push(LinkAttr::LinkNetNsId(id));
    }
    at.extend(a.link_netnsid.map(LinkAttr::LinkNetNsId));
    at.extend(a.protodown.map(|p| LinkAttr::ProtoDown(u8::from(p))));
    at.extend(a.gso_max_size.map(LinkAttr::GsoMaxSize));
    at.extend(a.gso_max_segs.map(LinkAttr::GsoMaxSegs));
    at.extend(a.gro_max_size.map(LinkAttr::GroMaxSize));
    Ok(())
}

/// `IFLA_LINKINFO` for `type KIND ARGS`: the kind (without a NUL, as `ip` sends it) and,
/// when there are arguments, `IFLA_INFO_DATA` (or `IFLA_INFO_SLAVE_DATA` for `*_slave`).
/// `set_op` is a change of an existing link (vxlan then sends only what was given).
fn link_info(
    kind: &LinkKind,
    h: &Handle,
    ctx: &Ctx<'_>,
    held: &mut Vec<NetNs>,
    set_op: bool,
) -> Result<LinkInfo, CliError> {
    let info = |name: &str| LinkInfo::new(name);
    Ok(match kind {
        LinkKind::Veth(None) => info("veth"),
        LinkKind::Veth(Some(peer)) => {
            let mut p = LinkMessage::new(peer.attrs.index.map_or(0, |i| i as i32));
            apply_attrs(&mut p, &peer.attrs, h, held)?;
            if let Some(n) = &peer.name {
                p.attrs.push(LinkAttr::IfName(n.clone()));
            }
            info("veth").with_data(InfoData::Veth(vec![VethAttr::Peer(p)]))
        }
        LinkKind::Bridge(opts) if opts.is_empty() => info("bridge"),
        LinkKind::Bridge(opts) => {
            info("bridge").with_data(InfoData::Bridge(opts.iter().map(bridge_attr).collect()))
        }
        LinkKind::BridgeSlave(opts) => {
            let mut i = info("bridge_slave");
            if !opts.is_empty() {
                let mut data = Vec::new();
                for o in opts {
                    data.push(bridge_port_attr(o, h)?);
                }
                i.attrs.push(InfoAttr::SlaveData(SlaveData::Bridge(data)));
            }
            i
        }
        LinkKind::Macvlan(mv) => macvlan_info("macvlan", mv, false),
        LinkKind::Macvtap(mv) => macvlan_info("macvtap", mv, true),
        LinkKind::Vxlan(v) => vxlan_info(v, h, ctx, set_op)?,
        LinkKind::Ifb => info("ifb"),
        LinkKind::Other { kind, args } => {
            if let Some(first) = args.first() {
                return Err(CliError::Failed(format!(
                    "Garbage instead of arguments \"{first} ...\". Try \"netplumb link help\"."
                )));
            }
            info(kind)
        }
    })
}

fn bridge_attr(o: &BridgeOpt) -> BridgeAttr {
    use BridgeAttr as A;
    match o {
        BridgeOpt::ForwardDelay(x) => A::ForwardDelay(*x),
        BridgeOpt::HelloTime(x) => A::HelloTime(*x),
        BridgeOpt::MaxAge(x) => A::MaxAge(*x),
        BridgeOpt::AgeingTime(x) => A::AgeingTime(*x),
        BridgeOpt::StpState(x) => A::StpState(*x),
        BridgeOpt::Priority(x) => A::Priority(*x),
        BridgeOpt::VlanFiltering(x) => A::VlanFiltering(*x),
        BridgeOpt::VlanProtocol(x) => A::VlanProtocol(*x),
        BridgeOpt::GroupFwdMask(x) => A::GroupFwdMask(*x),
        BridgeOpt::GroupAddress(m) => A::GroupAddr(m.octets()),
        BridgeOpt::FdbFlush => A::FdbFlush,
        BridgeOpt::VlanDefaultPvid(x) => A::VlanDefaultPvid(*x),
        BridgeOpt::VlanStatsEnabled(x) => A::VlanStatsEnabled(*x),
        BridgeOpt::VlanStatsPerPort(x) => A::VlanStatsPerPort(*x),
        BridgeOpt::McastRouter(x) => A::McastRouter(*x),
        BridgeOpt::McastSnooping(x) => A::McastSnooping(*x),
        BridgeOpt::McastQueryUseIfaddr(x) => A::McastQueryUseIfaddr(*x),
        BridgeOpt::McastQuerier(x) => A::McastQuerier(*x),
        BridgeOpt::McastHashElasticity(x) => A::McastHashElasticity(*x),
        BridgeOpt::McastHashMax(x) => A::McastHashMax(*x),
        BridgeOpt::McastLastMemberCount(x) => A::McastLastMemberCnt(*x),
        BridgeOpt::McastStartupQueryCount(x) => A::McastStartupQueryCnt(*x),
        BridgeOpt::McastLastMemberInterval(x) => A::McastLastMemberIntvl(*x),
        BridgeOpt::McastMembershipInterval(x) => A::McastMembershipIntvl(*x),
        BridgeOpt::McastQuerierInterval(x) => A::McastQuerierIntvl(*x),
        BridgeOpt::McastQueryInterval(x) => A::McastQueryIntvl(*x),
        BridgeOpt::McastQueryResponseInterval(x) => A::McastQueryResponseIntvl(*x),
        BridgeOpt::McastStartupQueryInterval(x) => A::McastStartupQueryIntvl(*x),
        BridgeOpt::McastStatsEnabled(x) => A::McastStatsEnabled(*x),
        BridgeOpt::McastIgmpVersion(x) => A::McastIgmpVersion(*x),
        BridgeOpt::McastMldVersion(x) => A::McastMldVersion(*x),
        BridgeOpt::NfCallIptables(x) => A::NfCallIptables(*x),
        BridgeOpt::NfCallIp6tables(x) => A::NfCallIp6tables(*x),
        BridgeOpt::NfCallArptables(x) => A::NfCallArptables(*x),
    }
}

fn bridge_port_attr(o: &BridgeSlaveOpt, h: &Handle) -> Result<BridgePortAttr, CliError> {
    use BridgePortAttr as A;
    let b = u8::from;
    Ok(match o {
        BridgeSlaveOpt::FdbFlush => A::Flush,
        BridgeSlaveOpt::State(x) => A::State(*x),
        BridgeSlaveOpt::Priority(x) => A::Priority(*x),
        BridgeSlaveOpt::Cost(x) => A::Cost(*x),
        BridgeSlaveOpt::Guard(x) => A::Guard(b(*x)),
        BridgeSlaveOpt::Hairpin(x) => A::Mode(b(*x)),
        BridgeSlaveOpt::FastLeave(x) => A::FastLeave(b(*x)),
        BridgeSlaveOpt::RootBlock(x) => A::Protect(b(*x)),
        BridgeSlaveOpt::Learning(x) => A::Learning(b(*x)),
        BridgeSlaveOpt::Flood(x) => A::UnicastFlood(b(*x)),
        BridgeSlaveOpt::McastFlood(x) => A::McastFlood(b(*x)),
        BridgeSlaveOpt::McastRouter(x) => A::MulticastRouter(*x),
        BridgeSlaveOpt::McastToUnicast(x) => A::McastToUcast(b(*x)),
        BridgeSlaveOpt::BcastFlood(x) => A::BcastFlood(b(*x)),
        BridgeSlaveOpt::ProxyArp(x) => A::ProxyArp(b(*x)),
        BridgeSlaveOpt::ProxyArpWifi(x) => A::ProxyArpWifi(b(*x)),
        BridgeSlaveOpt::NeighSuppress(x) => A::NeighSuppress(b(*x)),
        BridgeSlaveOpt::VlanTunnel(x) => A::VlanTunnel(b(*x)),
        BridgeSlaveOpt::Isolated(x) => A::Isolated(b(*x)),
        BridgeSlaveOpt::Locked(x) => A::Locked(b(*x)),
        BridgeSlaveOpt::BackupPort(d) => A::BackupPort(arg_index(h, d, "Device does not exist")?),
        BridgeSlaveOpt::NoBackupPort => A::BackupPort(0),
    })
}

fn macvlan_info(kind: &str, mv: &Macvlan, tap: bool) -> LinkInfo {
    let mut data = Vec::new();
    if let Some(mode) = mv.mode {
        use netplumb::wire::link::MacvlanMode as W;
        data.push(MacvlanAttr::Mode(match mode {
            MacvlanMode::Private => W::Private,
            MacvlanMode::Vepa => W::Vepa,
            MacvlanMode::Bridge => W::Bridge,
            MacvlanMode::Passthru => W::Passthru,
            MacvlanMode::Source => W::Source,
        }));
    }
    if mv.nopromisc {
        // MACVLAN_FLAG_NOPROMISC.
        data.push(MacvlanAttr::Flags(1));
    }
    let info = LinkInfo::new(kind);
    match (data.is_empty(), tap) {
        (true, _) => info,
        (false, false) => info.with_data(InfoData::Macvlan(data)),
        (false, true) => info.with_data(InfoData::Macvtap(data)),
    }
}

/// What `ip`'s vxlan parser sends: the given options, `learning` always on creation (off
/// with `external` unless asked for), the family's unspecified group with `-4`/`-6` and no
/// address, and the destination port (4790 for `gpe` without `dstport`).
fn vxlan_info(v: &Vxlan, h: &Handle, ctx: &Ctx<'_>, set_op: bool) -> Result<LinkInfo, CliError> {
    let mut d = Vec::new();
    if let Some(dev) = &v.dev {
        d.push(VxlanAttr::Link(dev_index(h, dev)?));
    }
    match v.ttl {
        // The kernel wants a flag here (VxlanAttr::TtlInherit is the u8 it reports).
        Some(VxlanTtl::Inherit) => d.push(VxlanAttr::Unknown(UnknownAttr {
            kind: IFLA_VXLAN_TTL_INHERIT,
            value: Vec::new(),
        })),
        Some(VxlanTtl::Value(t)) => d.push(VxlanAttr::Ttl(t)),
        None => {}
    }
    d.extend(v.tos.map(VxlanAttr::Tos));
    d.extend(v.df.map(VxlanAttr::Df));
    d.extend(v.label.map(VxlanAttr::Label));
    d.extend(v.ageing.map(VxlanAttr::Ageing));
    d.extend(v.maxaddress.map(VxlanAttr::Limit));
    d.extend(
        v.port_range
            .map(|(low, high)| VxlanAttr::PortRange(PortRange { low, high })),
    );
    type Make = fn(u8) -> VxlanAttr;
    let pairs: [(Option<bool>, Make); 9] = [
        (v.proxy, VxlanAttr::Proxy),
        (v.rsc, VxlanAttr::Rsc),
        (v.l2miss, VxlanAttr::L2Miss),
        (v.l3miss, VxlanAttr::L3Miss),
        (v.udpcsum, VxlanAttr::UdpCsum),
        (v.udp6zerocsumtx, VxlanAttr::UdpZeroCsum6Tx),
        (v.udp6zerocsumrx, VxlanAttr::UdpZeroCsum6Rx),
        (v.remcsumtx, VxlanAttr::RemcsumTx),
        (v.remcsumrx, VxlanAttr::RemcsumRx),
    ];
    d.extend(
        pairs
            .iter()
            .filter_map(|(x, make)| x.map(|x| make(u8::from(x)))),
    );
    d.extend(v.external.map(|e| VxlanAttr::CollectMetadata(u8::from(e))));
    d.extend(v.gbp.then_some(VxlanAttr::Gbp));
    d.extend(v.gpe.then_some(VxlanAttr::Gpe));
    if !set_op && v.dstport.is_none() && !v.gpe {
        eprintln!(
            "vxlan: destination port not specified\n\
             Will use Linux kernel default (non-standard value)\n\
             Use 'dstport 4789' to get the IANA assigned value\n\
             Use 'dstport 0' to get default and quiet this message"
        );
    }
    d.extend(v.id.map(VxlanAttr::Id));
    let mut family_given = false;
    if let Some(a) = v.local {
        family_given = true;
        d.push(match a {
            IpAddr::V4(a) => VxlanAttr::Local(a),
            IpAddr::V6(a) => VxlanAttr::Local6(a),
        });
    }
    if let Some(a) = v.group.or(v.remote) {
        family_given = true;
        d.push(match a {
            IpAddr::V4(a) => VxlanAttr::Group(a),
            IpAddr::V6(a) => VxlanAttr::Group6(a),
        });
    }
    if !family_given {
        match ctx.globals.family {
            Family::Inet => d.push(VxlanAttr::Group(std::net::Ipv4Addr::UNSPECIFIED)),
            Family::Inet6 => d.push(VxlanAttr::Group6(std::net::Ipv6Addr::UNSPECIFIED)),
            _ => {}
        }
    }
    // Learning is on unless turned off, or `external` without `learning`.
    let learning = v.learning.unwrap_or(v.external != Some(true));
    if !set_op || v.learning.is_some() {
        d.push(VxlanAttr::Learning(u8::from(learning)));
    }
    let dstport = v.dstport.unwrap_or(if v.gpe { 4790 } else { 0 });
    if dstport != 0 {
        d.push(VxlanAttr::Port(dstport));
    }
    Ok(LinkInfo::new("vxlan").with_data(InfoData::Vxlan(d)))
}

/// Sends `m` and maps the kernel's refusal to `Error: ...`.
fn send(h: &Handle, msg_type: u16, flags: NlmsgFlags, m: &LinkMessage) -> Result<(), CliError> {
    h.request(msg_type, flags, m).map_err(failed)
}

/// Whether `a` needs nothing but its own words to build: no device, namespace id or
/// master looked up, no namespace opened (whose descriptor must outlive the request).
fn self_contained(a: &LinkAttrs) -> bool {
    a.netns.is_none() && a.link_netns.is_none() && !matches!(a.master, Some(Master::Dev(_)))
}

/// `link add` / `link replace`.
fn add(a: &LinkAdd, ctx: &Ctx<'_>) -> Result<(), CliError> {
    let queueable = a.link.is_none()
        && self_contained(&a.attrs)
        && match &a.kind {
            LinkKind::Veth(None)
            | LinkKind::Bridge(_)
            | LinkKind::Macvlan(_)
            | LinkKind::Macvtap(_)
            | LinkKind::Ifb
            | LinkKind::Other { .. } => true,
            LinkKind::Veth(Some(peer)) => self_contained(&peer.attrs),
            LinkKind::BridgeSlave(_) | LinkKind::Vxlan(_) => false,
        };
    if !queueable {
        return add_now(a, ctx);
    }
    // Builds one request from the words alone: it may wait in the `-force -batch` queue.
    let h = ctx.build_handle()?;
    let mut held = Vec::new();
    let mut m = LinkMessage::new(a.attrs.index.map_or(0, |i| i as i32));
    apply_attrs(&mut m, &a.attrs, h, &mut held)?;
    if let Some(n) = &a.name {
        m.attrs.push(LinkAttr::IfName(n.clone()));
    }
    let info = link_info(&a.kind, h, ctx, &mut held, false)?;
    m.attrs.push(LinkAttr::LinkInfo(info));
    ctx.send(RTM_NEWLINK, add_flags(a), &m)
}

/// NLM_F_CREATE with EXCL (`add`) or REPLACE (`replace`).
fn add_flags(a: &LinkAdd) -> NlmsgFlags {
    if a.replace {
        NlmsgFlags::CREATE | NlmsgFlags::REPLACE
    } else {
        NlmsgFlags::CREATE | NlmsgFlags::EXCL
    }
}

/// `link add` that looks things up or holds a namespace open: sent at once.
fn add_now(a: &LinkAdd, ctx: &Ctx<'_>) -> Result<(), CliError> {
    let h = ctx.handle()?;
    let mut held = Vec::new();
    let mut m = LinkMessage::new(a.attrs.index.map_or(0, |i| i as i32));
    apply_attrs(&mut m, &a.attrs, h, &mut held)?;
    if let Some(l) = &a.link {
        m.attrs.push(LinkAttr::Link(dev_index(h, l)?));
    }
    if let Some(n) = &a.name {
        m.attrs.push(LinkAttr::IfName(n.clone()));
    }
    let info = link_info(&a.kind, h, ctx, &mut held, false)?;
    m.attrs.push(LinkAttr::LinkInfo(info));
    let r = send(h, RTM_NEWLINK, add_flags(a), &m);
    drop(held);
    r
}

/// `link set` / `link change`.
fn set(s: &LinkSet, ctx: &Ctx<'_>) -> Result<(), CliError> {
    let h = ctx.handle()?;
    let mut held = Vec::new();
    let (index, dev) = match &s.target {
        LinkTarget::Dev(d) => (dev_index(h, d)?, Some(d)),
        LinkTarget::Group(_) => (0, None),
    };
    if s.attrs.index.is_some() && s.attrs.netns.is_none() {
        return Err(CliError::Failed(
            "index can be used only when creating devices or when moving device to another \
             netns."
                .into(),
        ));
    }
    let mut m = LinkMessage::new(i32::try_from(index).unwrap_or(0));
    apply_attrs(&mut m, &s.attrs, h, &mut held)?;
    match &s.target {
        LinkTarget::Group(g) => m.attrs.push(LinkAttr::Group(*g)),
        LinkTarget::Dev(_) => {
            if let Some(i) = s.attrs.index {
                m.attrs.push(LinkAttr::NewIfIndex(i as i32));
            }
            if let Some(n) = s.name.as_ref().filter(|n| Some(*n) != dev) {
                m.attrs.push(LinkAttr::IfName(n.clone()));
            }
            // A kind's options apply to one link; with a group target ip drops them.
            if let Some(k) = &s.kind {
                m.attrs
                    .push(LinkAttr::LinkInfo(link_info(k, h, ctx, &mut held, true)?));
            }
        }
    }
    let r = send(h, RTM_NEWLINK, NlmsgFlags::empty(), &m);
    drop(held);
    r
}

/// `link delete`.
fn del(d: &LinkDel, ctx: &Ctx<'_>) -> Result<(), CliError> {
    let mut m = match &d.target {
        LinkTarget::Dev(dev) => {
            let i = ctx.lookup(Lookup::Link, dev, |h| dev_index(h, dev))?;
            LinkMessage::new(i32::try_from(i).unwrap_or(0))
        }
        LinkTarget::Group(g) => LinkMessage::new(0).with(LinkAttr::Group(*g)),
    };
    if let (Some(k), LinkTarget::Dev(_)) = (&d.kind, &d.target) {
        m.attrs.push(LinkAttr::LinkInfo(LinkInfo::new(k)));
    }
    ctx.send(RTM_DELLINK, NlmsgFlags::empty(), &m)
}

/// `link show`: one link (`dev`) or a dump, filtered like `ip` filters, printed as JSON
/// (`-j`, `-p`) or text.
///
/// A dump is kept as the kernel's bytes, with every link's name learned from them (a veth's
/// peer or a bridge port's master may come later in the dump); each link is then decoded
/// only to be printed, so no table of decoded links is ever held.
fn show(s: &LinkShow, ctx: &Ctx<'_>) -> Result<(), CliError> {
    let h = ctx.handle()?;
    let g = ctx.globals;
    let names = Links::new(Some(h));
    let master = match &s.master {
        Some(d) => Some(arg_index(h, d, "Device does not exist")?),
        None => None,
    };
    let mut raw = Vec::new();
    let mut spans = Vec::new();
    match &s.dev {
        Some(dev) => match get_link(h, dev)? {
            Some(m) => {
                names.learn(&m);
                spans.push(Err(m));
            }
            None => {
                return Err(CliError::Failed(format!(
                    "Device \"{dev}\" does not exist."
                )));
            }
        },
        None => stream::dump(ctx, RTM_GETLINK, &LinkMessage::new(0), |p| {
            names.learn_payload(p);
            let at = raw.len();
            raw.extend_from_slice(p);
            spans.push(Ok(at..raw.len()));
            Ok(())
        })?,
    }
    let selected = |m: &LinkMessage| {
        (!s.up || m.is_up())
            && s.group.is_none_or(|want| {
                m.attrs
                    .iter()
                    .find_map(|a| match a {
                        LinkAttr::Group(x) => Some(*x),
                        _ => None,
                    })
                    .is_none_or(|x| x == want)
            })
            && master.is_none_or(|want| m.master() == Some(want))
            && (!s.nomaster || m.master().is_none())
            && s.kind
                .as_deref()
                .is_none_or(|k| render_link::kind_matches(m, k))
    };
    let o = Opts::of(g);
    let mut out = Printer::new(ctx)?;
    for span in spans {
        let m = match span {
            Ok(r) => {
                LinkMessage::parse(raw.get(r).unwrap_or_default()).map_err(|e| failed(e.into()))?
            }
            Err(m) => m,
        };
        if !selected(&m) {
            continue;
        }
        let r = if g.brief {
            let mut r = o.rec();
            render_link::brief(&mut r, &m, &names, true);
            r
        } else {
            render_link::link(&m, &names, &o, View::LINK_SHOW)
        };
        out.rec(&r)?;
    }
    out.finish()
}
