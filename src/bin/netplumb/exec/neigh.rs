//! `neigh add | replace | change | delete | show | flush | get`, through the library's
//! neighbour operations (`NeighSpec`'s requests, `Handle::neigh_list`,
//! `Handle::neigh_get`).
//!
//! Where netplumb differs from `ip` 6.1 on purpose: `neigh get` with `-j` prints JSON (the
//! entry as `ip -j neigh show` prints it); 6.1 prints text there.

use super::links::Links;
use super::render::neigh::NTF_EXT_MANAGED;
use super::render::{self, Opts};
use super::select::addr_match;
use crate::args::Family;
use crate::cmd::Run;
use crate::cmd::neigh::{NeighChange, NeighCmd, NeighFilter, NeighGet, NeighOp, nud};
use crate::ctx::{Ctx, resolve};
use crate::error::{CliError, Res, error_text, failed, lib_error};
use netplumb::neigh::{NeighFamily, NeighFlags, NeighSpec, NeighState, Neighbour};
use netplumb::wire::NlmsgFlags;
use netplumb::wire::neigh::NeighAttr;
use netplumb::wire::nlmsg::RTM_NEWNEIGH;
use netplumb::{Batch, BatchMode, Handle};

impl Run for NeighCmd {
    fn run(&self, ctx: &Ctx<'_>) -> Res<()> {
        run(self, ctx)
    }

    fn queueable(&self) -> bool {
        matches!(self, NeighCmd::Change(n)
            if matches!(n.op, NeighOp::Add | NeighOp::Replace | NeighOp::Del))
    }
}

/// Runs `neigh`.
fn run(cmd: &NeighCmd, ctx: &Ctx<'_>) -> Result<(), CliError> {
    match cmd {
        NeighCmd::Change(c) => change(c, ctx),
        NeighCmd::Show(f) => show(f, ctx, false),
        NeighCmd::Flush(f) => show(f, ctx, true),
        NeighCmd::Get(g) => get(g, ctx),
    }
}

/// `ip neigh add|replace|change|del`: `NeighSpec`'s request, with `ip`'s default state
/// (permanent) and `managed` (state none, `NTF_EXT_MANAGED`).
fn change(c: &NeighChange, ctx: &Ctx<'_>) -> Result<(), CliError> {
    let index = ctx.resolve(&c.dev)?;
    let mut spec = if c.proxy {
        NeighSpec::proxy(c.dst)
    } else {
        NeighSpec::new(c.dst)
    };
    // A proxy entry has no link-layer address: the kernel ignores one given.
    if let Some(mac) = c.lladdr.filter(|_| !c.proxy) {
        spec = spec.lladdr(mac);
    }
    let mut state = c
        .nud
        .map_or(NeighState::PERMANENT, NeighState::from_bits_retain);
    if c.managed {
        state = NeighState::NONE;
    }
    spec = spec.state(state);
    if c.router {
        spec.flags |= NeighFlags::ROUTER;
    }
    if c.extern_learn {
        spec.flags |= NeighFlags::EXT_LEARNED;
    }
    if c.use_ {
        spec.flags |= NeighFlags::USE;
    }
    spec.protocol = c.protocol;
    let (t, f, mut msg) = match c.op {
        NeighOp::Add => spec.add_request(index).map(|r| r.into_parts()),
        NeighOp::Replace => spec.replace_request(index).map(|r| r.into_parts()),
        NeighOp::Change => spec
            .to_message(index)
            .map(|m| (RTM_NEWNEIGH, NlmsgFlags::REPLACE, m)),
        NeighOp::Del => spec.del_request(index).map(|r| r.into_parts()),
    }
    .map_err(failed)?;
    if c.managed {
        msg.attrs.push(NeighAttr::FlagsExt(NTF_EXT_MANAGED));
    }
    ctx.send(t, f, &msg)
}

/// `ip neigh show|flush` selectors, resolved.
#[derive(Debug, Clone, Copy)]
struct Sel {
    family: Option<NeighFamily>,
    other_family: bool,
    index: Option<u32>,
    /// `filter.state`: NUD bits, and 0x100 for entries without state.
    state: u32,
}

impl Sel {
    fn new(f: &NeighFilter, ctx: &Ctx<'_>, h: &Handle, flush: bool) -> Result<Sel, CliError> {
        let mut other_family = false;
        let mut family = match ctx.globals.family {
            Family::Inet => Some(NeighFamily::Ipv4),
            Family::Inet6 => Some(NeighFamily::Ipv6),
            Family::Unspec => None,
            Family::Bridge => Some(NeighFamily::Bridge),
            Family::Link | Family::Mpls => {
                other_family = true;
                None
            }
        };
        if family.is_none()
            && !other_family
            && let Some(to) = f.to
        {
            family = Some(if to.is_ipv4() {
                NeighFamily::Ipv4
            } else {
                NeighFamily::Ipv6
            });
        }
        let mut state = if flush {
            !u32::from((NeighState::PERMANENT | NeighState::NOARP).bits())
        } else {
            0xff & !u32::from(NeighState::NOARP.bits())
        };
        if let Some(s) = f.nud {
            // `nud all` is every state (for a flush, but noarp); `nud none` is 0x100, and
            // combines with the others.
            state = if s == nud::FILTER_ALL {
                if flush {
                    !u32::from(NeighState::NOARP.bits())
                } else {
                    !0
                }
            } else {
                u32::from(s)
            };
        }
        let index = match &f.dev {
            Some(d) => Some(resolve(h, d)?),
            None => None,
        };
        Ok(Sel {
            family,
            other_family,
            index,
            state,
        })
    }

    /// `print_neigh`'s checks.
    fn passes(&self, n: &Neighbour, f: &NeighFilter) -> bool {
        let m = &n.message;
        let st = u32::from(m.header.state.bits());
        let fl = m.header.flags;
        if self.state & st == 0
            && !fl.contains(NeighFlags::PROXY)
            && !fl.contains(NeighFlags::EXT_LEARNED)
            && (st != 0 || self.state & 0x100 == 0)
        {
            return false;
        }
        if let Some(to) = f.to
            && to.prefix_len() > 0
            && let Some(d) = m.destination()
            && !addr_match(d, to.addr(), to.prefix_len())
        {
            return false;
        }
        if f.protocol.is_some_and(|p| p != 0 && Some(p) != n.protocol) {
            return false;
        }
        if f.unused && m.cacheinfo().is_some_and(|ci| ci.refcnt != 0) {
            return false;
        }
        true
    }
}

/// `ip neigh show` and `ip neigh flush`.
fn show(f: &NeighFilter, ctx: &Ctx<'_>, flush: bool) -> Result<(), CliError> {
    let h = ctx.handle()?;
    let sel = Sel::new(f, ctx, h, flush)?;
    let master = match &f.master {
        Some(d) => Some(resolve(h, d).map_err(|_| {
            CliError::Failed(format!(
                "Error: argument \"{d}\" is wrong: Device does not exist"
            ))
        })?),
        None => None,
    };
    let list = |state_mask: u32| -> Result<Vec<Neighbour>, CliError> {
        if sel.other_family {
            return Ok(Vec::new());
        }
        let mut lf = netplumb::neigh::NeighFilter::new();
        lf.family = sel.family;
        lf.dev = sel.index.map(netplumb::link::LinkRef::Index);
        lf.master = master.map(netplumb::link::LinkRef::Index);
        lf.proxy = f.proxy;
        let all = h.neigh_list(&lf).map_err(lib_error)?;
        let s = Sel {
            state: state_mask,
            ..sel
        };
        Ok(all.into_iter().filter(|n| s.passes(n, f)).collect())
    };
    if !flush {
        let links = Links::load(h);
        let recs = list(sel.state)?
            .iter()
            .map(|n| {
                render::neigh::neigh(
                    &n.message,
                    sel.index.is_some(),
                    &links,
                    &Opts::of(ctx.globals),
                )
            })
            .collect();
        return render::print(ctx, recs);
    }
    let mut state = sel.state;
    const MAX_ROUNDS: usize = 10;
    for round in 0..MAX_ROUNDS {
        let entries = list(state)?;
        if entries.is_empty() {
            if ctx.globals.stats > 0 {
                if round == 0 {
                    println!("Nothing to flush.");
                } else {
                    let s = if round > 1 { "s" } else { "" };
                    println!("*** Flush is complete after {round} round{s} ***");
                }
            }
            return Ok(());
        }
        let mut batch = Batch::new();
        for n in &entries {
            let (t, fl, msg) = n
                .to_spec()
                .del_request(n.index)
                .map_err(failed)?
                .into_parts();
            batch.push(t, fl, &msg).map_err(failed)?;
        }
        for r in h.batch(&batch, BatchMode::Force).map_err(failed)? {
            match r {
                Ok(()) => {}
                Err(e) if e.errno() == Some(libc::ENOENT) => {}
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
                "\n*** Round {}, deleting {} entries ***",
                round + 1,
                entries.len()
            );
        }
        // An entry still in use comes back as failed: only the first round takes those.
        state &= !u32::from(NeighState::FAILED.bits());
    }
    println!("*** Flush not complete bailing out after {MAX_ROUNDS} rounds");
    Err(CliError::Failed(String::new()))
}

/// `ip neigh get`.
fn get(g: &NeighGet, ctx: &Ctx<'_>) -> Result<(), CliError> {
    let h = ctx.handle()?;
    let index = resolve(h, &g.dev)?;
    let n = h.neigh_get(index, g.dst, g.proxy).map_err(lib_error)?;
    let links = Links::load(h);
    let rec = render::neigh::neigh(&n.message, false, &links, &Opts::of(ctx.globals));
    render::print(ctx, vec![rec])
}
