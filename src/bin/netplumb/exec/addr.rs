//! `address add | replace | change | delete | show | flush`, through the library's address
//! operations (`AddrSpec`'s requests, `Handle::addr_list`).
//!
//! Requests are built by [`AddrSpec`] and then adjusted where `ip` sends what the library's
//! stricter checks would refuse, so that the kernel (not netplumb) judges them as it judges
//! `ip`'s: flags such as `mngtmpaddr` on any prefix length, labels that do not start with
//! the device name, `ip`'s wildcard deletion of an IPv4 address given without a length.
//!
//! `address show` prints the link part of each record with [`render::link`], as
//! `ip address show` does (with `-d` its `linkinfo` too; the address generation mode, the
//! alias without `-d` and the `-s` counters only `link show` prints).

use super::links::Links;
use super::render::link::View;
use super::render::{self, Opts, Rec};
use super::select::{addr_match, glob};
use crate::args::Family;
use crate::cmd::Run;
use crate::cmd::addr::{AddrChange, AddrCmd, AddrFilter, AddrOp, Broadcast, IfaFlags};
use crate::ctx::{Ctx, resolve};
use crate::error::{CliError, Res, error_text, failed, lib_error};
use netplumb::addr::{AddrFlags, AddrSpec, Scope};
use netplumb::link::{IfFlags, Link, LinkFilter, LinkRef};
use netplumb::wire::NlmsgFlags;
use netplumb::wire::addr::{AddressAttr, AddressMessage};
use netplumb::wire::link::{LinkAttr, LinkMessage};
use netplumb::wire::nlmsg::{RTM_DELADDR, RTM_NEWADDR};
use netplumb::{Batch, BatchMode, Handle, IpNet};
use std::net::{IpAddr, Ipv4Addr};

impl Run for AddrCmd {
    fn run(&self, ctx: &Ctx<'_>) -> Res<()> {
        run(self, ctx)
    }

    fn queueable(&self) -> bool {
        matches!(self, AddrCmd::Change(a) if matches!(a.op, AddrOp::Add | AddrOp::Del))
    }
}

/// Runs `address`.
fn run(cmd: &AddrCmd, ctx: &Ctx<'_>) -> Result<(), CliError> {
    match cmd {
        AddrCmd::Change(c) => change(c, ctx),
        AddrCmd::Show(f) => show(f, ctx),
        AddrCmd::Flush(f) => flush(f, ctx),
    }
}

/// The flags `ip` only sets on IPv6 addresses (`ifa_flag_data[].v6only` of the settable ones).
const V6_ONLY: &[(&str, u32)] = &[
    ("nodad", IfaFlags::NODAD),
    ("optimistic", IfaFlags::OPTIMISTIC),
    ("home", IfaFlags::HOMEADDRESS),
    ("mngtmpaddr", IfaFlags::MANAGETEMPADDR),
];

/// `ip addr add|replace|change|del`.
fn change(c: &AddrChange, ctx: &Ctx<'_>) -> Result<(), CliError> {
    let v4 = c.local.is_ipv4();
    let del = c.op == AddrOp::Del;
    let mut flags = c.flags.0;
    if v4 {
        for (name, bit) in V6_ONLY {
            if flags & bit != 0 {
                // Earlier lines' failures are reported before this warning.
                ctx.flush();
                eprintln!("Warning: {name} option can be set only for IPv6 addresses");
                flags &= !bit;
            }
        }
    }
    let wildcard = del && v4 && !c.prefix_len_given && c.peer.is_none();
    if wildcard {
        ctx.flush();
        eprintln!(
            "Warning: Executing wildcard deletion to stay compatible with old scripts.\n         \
             Explicitly specify the prefix length ({}/32) to avoid this warning.\n         \
             This special behaviour is likely to disappear in further releases,\n         \
             fix your scripts!",
            c.local.addr()
        );
    }
    // `broadcast +|-`: the all-ones / all-zeros host part of the peer (or local) prefix,
    // none for /31 and /32.
    let broadcast = match c.broadcast {
        _ if del => None,
        Some(Broadcast::Addr(IpAddr::V4(a))) => Some(a),
        // The kernel ignores IFA_BROADCAST on IPv6 addresses.
        Some(Broadcast::Addr(IpAddr::V6(_))) | None => None,
        Some(b) => {
            let base = c.peer.unwrap_or(c.local);
            let (IpAddr::V4(addr), len) = (base.addr(), base.prefix_len()) else {
                return Err(CliError::Failed(
                    "Broadcast can be set only for IPv4 addresses".into(),
                ));
            };
            (len <= 30).then(|| {
                let host = u32::MAX >> len;
                let base = u32::from(addr);
                Ipv4Addr::from(if b == Broadcast::Plus {
                    base | host
                } else {
                    base & !host
                })
            })
        }
    };
    let index = ctx.resolve(&c.dev)?;

    let mut spec = AddrSpec::new(c.local);
    spec.peer = c.peer;
    if let Some(b) = broadcast {
        spec = spec.broadcast(b);
    }
    // IPv6 has no labels: the kernel ignores IFA_LABEL there.
    spec.label = c.label.clone().filter(|_| v4);
    spec.scope = c.scope.map(Scope);
    spec.lifetimes = c.lifetime.map(|l| (l.valid, l.preferred));
    spec.metric = c.metric;
    let (msg_type, nl_flags, mut msg) = match c.op {
        AddrOp::Add => spec.add_request(index).map(|r| r.into_parts()),
        AddrOp::Replace => spec.replace_request(index).map(|r| r.into_parts()),
        AddrOp::Change => spec
            .to_message(index)
            .map(|m| (RTM_NEWADDR, NlmsgFlags::REPLACE, m)),
        AddrOp::Del => spec.del_request(index).map(|r| r.into_parts()),
    }
    .map_err(failed)?;
    if wildcard {
        // Without IFA_ADDRESS the kernel matches any prefix length.
        msg.attrs.retain(|a| !matches!(a, AddressAttr::Address(_)));
    }
    // Set here rather than in the spec: the kernel, not the library, judges them, as it
    // judges ip's (e.g. `mngtmpaddr` on a prefix that is not a /64).
    msg.set_flags(AddrFlags::from_bits_retain(flags));
    if let Some(a) = c.anycast {
        msg.attrs.push(AddressAttr::Anycast(a));
    }
    ctx.send(msg_type, nl_flags, &msg)
}

/// The selectors of `address show|flush` as `ip` applies them to each address.
struct Sel<'f> {
    f: &'f AddrFilter,
    /// `-4`, `-6`, or the family of `to`.
    family: u8,
    ifindex: Option<u32>,
    /// `(set, mask)`: flags that must have the value given.
    flags: (u32, u32),
}

impl<'f> Sel<'f> {
    fn new(f: &'f AddrFilter, ctx: &Ctx<'_>) -> Sel<'f> {
        let mut family = ctx.globals.family.af();
        if family == 0
            && let Some(to) = f.to
        {
            family = to.family();
        }
        Sel {
            f,
            family,
            ifindex: None,
            flags: (f.flags_set, f.flags_set | f.flags_clear),
        }
    }

    /// `print_addrinfo`'s checks; `links` names the devices of IPv6 addresses for `label`.
    fn matches(&self, m: &AddressMessage, links: &Links<'_>) -> bool {
        let h = m.header;
        let flags = m.flags().bits();
        if self.ifindex.is_some_and(|i| i != h.index)
            || self.f.scope.is_some_and(|s| s != h.scope.0)
            || (self.flags.0 ^ flags) & self.flags.1 != 0
            || (self.family != 0 && self.family != h.family)
        {
            return false;
        }
        if let Some(pattern) = &self.f.label {
            let label = m
                .label()
                .map_or_else(|| links.name(h.index), str::to_string);
            if !glob(pattern, &label) {
                return false;
            }
        }
        if let Some(to) = self.f.to
            && to.prefix_len() > 0
        {
            match m.local().or_else(|| m.address()) {
                Some(a) if a.is_ipv4() == to.is_ipv4() => {
                    return addr_match(a, to.addr(), to.prefix_len());
                }
                Some(_) => return false,
                None => {}
            }
        }
        true
    }
}

/// The links `address show` considers, in the kernel's order: one `RTM_GETLINK` for
/// `dev`, else a dump with the master and kind filters.
fn links_for(h: &Handle, f: &AddrFilter, ifindex: Option<u32>) -> Result<Vec<Link>, CliError> {
    if let Some(i) = ifindex {
        return Ok(vec![h.link_get(i).map_err(lib_error)?]);
    }
    let mut lf = LinkFilter::new();
    if let Some(m) = &f.master {
        let i = resolve(h, m).map_err(|_| {
            CliError::Failed(format!(
                "Error: argument \"{m}\" is wrong: Device does not exist"
            ))
        })?;
        lf = lf.master(LinkRef::Index(i));
    }
    // A port kind (`type bridge_slave`) is checked by `link_passes`.
    if let Some(k) = f.kind.as_deref().filter(|k| !k.ends_with("_slave")) {
        lf = lf.kind(k);
    }
    let links = h.link_list(&lf).map_err(failed)?;
    // `nomaster` goes to the kernel in `ip` (IFLA_MASTER -1).
    Ok(links
        .into_iter()
        .filter(|l| !f.nomaster || l.master.is_none())
        .collect())
}

/// The checks `print_linkinfo` makes itself (a link failing them prints as `{}`): `up`,
/// `group`, and the port kind of `type KIND_slave`.
fn link_passes(f: &AddrFilter, l: &Link) -> bool {
    let slave_kind = f.kind.as_deref().and_then(|k| k.strip_suffix("_slave"));
    (!f.up || l.flags.contains(IfFlags::UP))
        && f.group.is_none_or(|g| l.group.unwrap_or(0) == g)
        && slave_kind.is_none_or(|s| l.info().and_then(|i| i.slave_kind()) == Some(s))
}

/// `ip addr show`.
fn show(f: &AddrFilter, ctx: &Ctx<'_>) -> Result<(), CliError> {
    let h = ctx.handle()?;
    let mut sel = Sel::new(f, ctx);
    if let Some(d) = &f.dev {
        sel.ifindex = Some(
            resolve(h, d)
                .map_err(|_| CliError::Failed(format!("Device \"{d}\" does not exist.")))?,
        );
    }
    let links = links_for(h, f, sel.ifindex)?;
    let names = Links::load(h);
    let packet = sel.family == libc::AF_PACKET as u8;
    let addrs: Vec<AddressMessage> = if packet {
        Vec::new()
    } else {
        dump_addrs(h, sel.family, sel.ifindex)?
    };
    let brief = ctx.globals.brief;
    let o = Opts::of(ctx.globals);
    let mut recs = Vec::new();
    for l in &links {
        let own: Vec<&AddressMessage> =
            addrs.iter().filter(|a| a.header.index == l.index).collect();
        // `ipaddr_filter`: a link stays when one of its addresses passes, or when it has
        // none at all and no family was asked for.
        let kept = packet
            || own.iter().any(|a| sel.matches(a, &names))
            || (own.is_empty() && sel.family == 0);
        if !kept {
            continue;
        }
        let mut rec = Rec::new();
        // `print_linkinfo` refuses some links itself (leaving an empty object), and
        // prints nothing of the link under `label`.
        if !link_passes(f, l) {
            recs.push(rec);
            continue;
        }
        // `-o` prints each address on its own line, without the link's lines.
        let oneline = ctx.globals.oneline && !brief;
        if f.label.is_none() && !oneline {
            if brief {
                render::link::brief(&mut rec, &l.message, &names, packet);
            } else {
                let m = if ctx.globals.family == Family::Inet6 {
                    &inet6_view(&l.message)
                } else {
                    &l.message
                };
                let view = View::addr_show(sel.family == 0 || packet);
                render::link::link_fields(&mut rec, m, &names, &o, view);
            }
        }
        if !packet {
            // An address of the link that fails the other selectors still gets its (empty)
            // object in `ip`'s JSON.
            let mut list = Vec::new();
            for a in own {
                let mut r = Rec::new();
                if sel.matches(a, &names) {
                    if oneline {
                        render::addr::index_and_dev(&mut r, a, &names);
                    }
                    render::addr::addr_fields(&mut r, a, brief, &o);
                    rec.text(r.text_str());
                }
                list.push(r.into_value());
            }
            rec.json("addr_info", list);
            if brief {
                rec.text("\n");
            }
        }
        recs.push(rec);
    }
    render::print(ctx, recs)
}

/// The addresses of `family` (0: all) on `ifindex` (or every link), in the kernel's order.
fn dump_addrs(
    h: &Handle,
    family: u8,
    ifindex: Option<u32>,
) -> Result<Vec<AddressMessage>, CliError> {
    let mut filter = netplumb::addr::AddrFilter::new();
    if let Some(i) = ifindex {
        filter = filter.dev(i);
    }
    filter.family = match i32::from(family) {
        libc::AF_INET => Some(netplumb::Family::Ipv4),
        libc::AF_INET6 => Some(netplumb::Family::Ipv6),
        0 => None,
        // No IP addresses in other families.
        _ => return Ok(Vec::new()),
    };
    let list = h.addr_list(&filter).map_err(lib_error)?;
    Ok(list.into_iter().map(|a| a.message).collect())
}

/// What the kernel answers `ip -6`'s link dump with (`inet6_fill_ifinfo`, its IPv6 view of
/// each link): name, address, MTU, link and operstate only; `ip` then gets the queue length
/// by ioctl. (`to PREFIX` sets the family of the address filter only.)
fn inet6_view(m: &LinkMessage) -> LinkMessage {
    let mut v = m.clone();
    v.attrs.retain(|a| {
        matches!(
            a,
            LinkAttr::IfName(_)
                | LinkAttr::Address(_)
                | LinkAttr::Mtu(_)
                | LinkAttr::Link(_)
                | LinkAttr::OperState(_)
                | LinkAttr::TxQueueLen(_)
        )
    });
    v
}

/// `ip addr flush`: deletes the addresses the selectors match, in rounds until none is
/// left (`-l N` rounds at most, 10 by default as `ip`), one batch per round.
fn flush(f: &AddrFilter, ctx: &Ctx<'_>) -> Result<(), CliError> {
    let mut sel = Sel::new(f, ctx);
    if sel.family == libc::AF_PACKET as u8 {
        return Err(CliError::Failed("Cannot flush link addresses.".into()));
    }
    let h = ctx.handle()?;
    if let Some(d) = &f.dev {
        sel.ifindex = Some(
            resolve(h, d)
                .map_err(|_| CliError::Failed(format!("Device \"{d}\" does not exist.")))?,
        );
    }
    let names = Links::load(h);
    // Only one round when flushing primaries: later rounds would take the secondaries the
    // kernel promoted.
    let primary_only = f.flags_clear & IfaFlags::SECONDARY != 0;
    let rounds = match ctx.globals.loops {
        Some(0) => usize::MAX,
        Some(n) => n as usize,
        None => 10,
    };
    for round in 0..rounds {
        let list: Vec<AddressMessage> = dump_addrs(h, sel.family, sel.ifindex)?
            .into_iter()
            .filter(|a| sel.matches(a, &names))
            .collect();
        if list.is_empty() {
            if ctx.globals.stats > 0 {
                print_flush_done(round);
            }
            return Ok(());
        }
        let mut batch = Batch::new();
        for m in &list {
            let del = del_message(m);
            batch
                .push(RTM_DELADDR, NlmsgFlags::empty(), &del)
                .map_err(failed)?;
        }
        for r in h.batch(&batch, BatchMode::Force).map_err(failed)? {
            match r {
                Ok(()) => {}
                // Deleting a primary may take its secondaries with it.
                Err(e) if e.errno() == Some(libc::EADDRNOTAVAIL) => {}
                Err(e) => {
                    return Err(CliError::Failed(format!(
                        "Failed to send flush request: {}",
                        error_text(&e)
                    )));
                }
            }
        }
        if ctx.globals.stats > 0 {
            println!(
                "\n*** Round {}, deleting {} addresses ***",
                round + 1,
                list.len()
            );
        }
        if primary_only {
            if ctx.globals.stats > 0 {
                print_flush_done(round + 1);
            }
            return Ok(());
        }
    }
    Err(CliError::Failed(format!(
        "*** Flush remains incomplete after {rounds} rounds. ***"
    )))
}

fn print_flush_done(round: usize) {
    if round == 0 {
        println!("Nothing to flush.");
    } else {
        let s = if round > 1 { "s" } else { "" };
        println!("*** Flush is complete after {round} round{s} ***");
    }
}

/// What deletes the address `m` lists: `AddrSpec::del_request`'s message for its local
/// address, peer and length (and label, which IPv4 matches).
fn del_message(m: &AddressMessage) -> AddressMessage {
    let local = m.local().or_else(|| m.address());
    let spec = match (local, m.address()) {
        (Some(l), a) => {
            let net = |x: IpAddr| IpNet::new(x, m.header.prefix_len).unwrap_or(IpNet::host(x));
            let mut s = AddrSpec::new(net(l));
            s.peer = a.filter(|a| *a != l).map(net);
            s.label = m.label().map(str::to_string);
            s
        }
        (None, _) => return m.clone(),
    };
    spec.to_del_message(m.header.index)
        .unwrap_or_else(|_| m.clone())
}
