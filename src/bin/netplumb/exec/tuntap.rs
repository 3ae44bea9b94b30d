//! `tuntap add | del | show`, like iproute2 6.1's `ip tuntap`, through [`netplumb::tun`].
//!
//! Devices are made persistent in the `-n` namespace (the `/dev/net/tun` work runs on a
//! thread inside it). `show` reads the devices over rtnetlink (`IFLA_INFO_KIND "tun"` and its
//! `IFLA_TUN_*` data) instead of sysfs, which would show the caller's namespace.
//!
//! Where netplumb differs from `ip tuntap`:
//! - `one_queue` is accepted and ignored (the kernel ignores `IFF_ONE_QUEUE` too, but
//!   `ip tuntap show` lists it from sysfs), and `show` cannot list it.
//! - `show -d` does not list the processes attached to each device.

use super::link::get_link;
use crate::cmd::Run;
use crate::cmd::tuntap::{Tuntap, TuntapCmd};
use crate::ctx::Ctx;
use crate::error::{CliError, Res, error_text, failed};
use crate::json::Value;
use netplumb::tun::{Mode, TunBuilder};
use netplumb::wire::link::{InfoData, LinkMessage, TunAttr};
use std::io::Write;

/// `IFF_TUN`, as `IFLA_TUN_TYPE` reports tun devices.
const IFF_TUN: u8 = 1;
/// `IFF_TAP`.
const IFF_TAP: u8 = 2;

impl Run for TuntapCmd {
    fn run(&self, ctx: &Ctx<'_>) -> Res<()> {
        run(self, ctx)
    }
}

/// Runs `tuntap`.
fn run(cmd: &TuntapCmd, ctx: &Ctx<'_>) -> Result<(), CliError> {
    match cmd {
        TuntapCmd::Add(t) => add(t, ctx),
        TuntapCmd::Del(t) => del(t, ctx),
        TuntapCmd::Show(_) => show(ctx),
    }
}

/// `ip`'s message for a failed ioctl: `ioctl(TUNSETIFF): Device or resource busy`.
fn ioctl_error(e: netplumb::Error) -> CliError {
    let netplumb::Error::Io { op, source } = &e else {
        return failed(e);
    };
    let Some(ioctl) = op
        .split_whitespace()
        .next()
        .filter(|w| w.starts_with("TUN"))
    else {
        return failed(e);
    };
    // The library reports "name taken" as EEXIST; the ioctl said EBUSY.
    let text = if source.raw_os_error() == Some(libc::EEXIST) {
        "Device or resource busy".to_string()
    } else {
        error_text(&e)
    };
    CliError::Failed(format!("ioctl({ioctl}): {text}"))
}

fn add(t: &Tuntap, ctx: &Ctx<'_>) -> Result<(), CliError> {
    let mut b = TunBuilder::new(t.name.clone().unwrap_or_default())
        .mode(t.mode)
        .packet_info(t.pi)
        .vnet_hdr(t.vnet_hdr)
        .multi_queue(t.multi_queue);
    if let Some(u) = t.user {
        b = b.owner(u);
    }
    if let Some(g) = t.group {
        b = b.group(g);
    }
    ctx.in_netns(|| b.create_persistent())?
        .map(drop)
        .map_err(ioctl_error)
}

/// `IFLA_TUN_*` of a link, when it is a tun/tap device.
fn tun_data(m: &LinkMessage) -> Option<&[TunAttr]> {
    let info = m.info()?;
    if info.kind() != Some("tun") {
        return None;
    }
    match info.data() {
        Some(InfoData::Tun(l)) => Some(l),
        _ => Some(&[]),
    }
}

fn tun_u8(l: &[TunAttr], f: fn(&TunAttr) -> Option<u8>) -> Option<u8> {
    l.iter().find_map(f)
}

fn del(t: &Tuntap, ctx: &Ctx<'_>) -> Result<(), CliError> {
    // Without a name ip attaches to a fresh device and lets it go: nothing changes.
    let Some(name) = &t.name else {
        return Ok(());
    };
    let h = ctx.handle()?;
    // ip attaches with the mode (and multi_queue) given: a device of another kind, mode or
    // queue setting refuses the attach. A missing device is created and dropped again.
    let Some(m) = get_link(h, name)? else {
        return Ok(());
    };
    let want = match t.mode {
        Mode::Tun => IFF_TUN,
        Mode::Tap => IFF_TAP,
    };
    let matching = tun_data(&m).is_some_and(|l| {
        let ty = tun_u8(l, |a| match a {
            TunAttr::Type(x) => Some(*x),
            _ => None,
        });
        let mq = tun_u8(l, |a| match a {
            TunAttr::MultiQueue(x) => Some(*x),
            _ => None,
        })
        .unwrap_or(0)
            != 0;
        ty == Some(want) && mq == t.multi_queue
    });
    if !matching {
        return Err(CliError::Failed(
            "ioctl(TUNSETIFF): Invalid argument".into(),
        ));
    }
    match ctx.in_netns(|| netplumb::tun::delete_persistent(name))? {
        Ok(()) => Ok(()),
        // Not persistent (ip clears the flag anyway) or gone meanwhile: nothing to do.
        Err(e) if e.is_invalid() || e.is_not_found() => Ok(()),
        Err(e) => Err(ioctl_error(e)),
    }
}

/// The words `ip tuntap show` prints after the name, from the device's `IFLA_TUN_*` data.
fn flag_words(l: &[TunAttr]) -> Vec<&'static str> {
    let get = |f: fn(&TunAttr) -> Option<u8>| tun_u8(l, f).unwrap_or(0);
    let ty = get(|a| match a {
        TunAttr::Type(x) => Some(*x),
        _ => None,
    });
    let pi = get(|a| match a {
        TunAttr::Pi(x) => Some(*x),
        _ => None,
    }) != 0;
    let mut w = Vec::new();
    if ty & IFF_TUN != 0 {
        w.push("tun");
    }
    if ty & IFF_TAP != 0 {
        w.push("tap");
    }
    if pi {
        w.push("pi");
    }
    if get(|a| match a {
        TunAttr::MultiQueue(x) => Some(*x),
        _ => None,
    }) != 0
    {
        w.push("multi_queue");
    }
    if get(|a| match a {
        TunAttr::VnetHdr(x) => Some(*x),
        _ => None,
    }) != 0
    {
        w.push("vnet_hdr");
    }
    if get(|a| match a {
        TunAttr::Persist(x) => Some(*x),
        _ => None,
    }) != 0
    {
        w.push("persist");
    }
    // IFF_NOFILTER is the same bit as IFF_NO_PI, so ip says "filter" exactly with "pi".
    if pi {
        w.push("filter");
    }
    w
}

fn show(ctx: &Ctx<'_>) -> Result<(), CliError> {
    let h = ctx.handle()?;
    let links = h
        .link_list(&netplumb::LinkFilter::new().kind("tun"))
        .map_err(failed)?;
    let g = ctx.globals;
    let mut out = std::io::stdout().lock();
    let mut all = Vec::new();
    for l in &links {
        // ARPHRD_ETHER and ARPHRD_NONE, as ip.
        if !matches!(l.message.header.link_layer_type, 1 | 0xfffe) {
            continue;
        }
        let Some(data) = tun_data(&l.message) else {
            continue;
        };
        let words = flag_words(data);
        let owner = data.iter().find_map(|a| match a {
            TunAttr::Owner(x) => Some(*x),
            _ => None,
        });
        let group = data.iter().find_map(|a| match a {
            TunAttr::Group(x) => Some(*x),
            _ => None,
        });
        if g.json {
            let mut o = Value::object();
            o.push("ifname", l.name.as_str());
            o.push(
                "flags",
                Value::Array(words.iter().map(|w| Value::from(*w)).collect()),
            );
            if let Some(u) = owner {
                o.push("user", u);
            }
            if let Some(gr) = group {
                o.push("group", gr);
            }
            all.push(o);
        } else {
            let mut line = format!("{}:", l.name);
            for w in &words {
                line.push(' ');
                line.push_str(w);
            }
            if let Some(u) = owner {
                line.push_str(&format!(" user {u}"));
            }
            if let Some(gr) = group {
                line.push_str(&format!(" group {gr}"));
            }
            let _ = writeln!(out, "{line}");
        }
    }
    if g.json {
        let _ = writeln!(out, "{}", Value::Array(all).to_text(g.pretty));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_like_ip() {
        let l = [
            TunAttr::Type(IFF_TAP),
            TunAttr::Pi(1),
            TunAttr::VnetHdr(1),
            TunAttr::MultiQueue(0),
            TunAttr::Persist(1),
        ];
        assert_eq!(
            flag_words(&l),
            ["tap", "pi", "vnet_hdr", "persist", "filter"]
        );
        let l = [
            TunAttr::Type(IFF_TUN),
            TunAttr::Pi(0),
            TunAttr::MultiQueue(1),
            TunAttr::Persist(1),
        ];
        assert_eq!(flag_words(&l), ["tun", "multi_queue", "persist"]);
    }
}
