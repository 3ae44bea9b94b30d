//! Network sysctls: reading and writing files under `/proc/sys/net`.
//!
//! **Which namespace.** `/proc/sys/net` shows the network namespace of the task that *opens*
//! the file, and namespaces are per thread: every function here reads or writes the calling
//! thread's current network namespace. A caller that wants another namespace's sysctls must
//! run them inside that namespace's pinned thread (`NetNs::run(|| sysctl::set(...))`). Calling
//! them from a host thread changes the host: the libnetwork bug where load-balancer tweaks
//! landed host-wide.
//!
//! The `_in` functions do exactly that for a [`NetNs`]: [`get_in`] and [`set_in`] for any
//! key, typed forms such as [`set_forwarding_in`], and [`in_ns`] to do several reads and
//! writes on one thread. The calling thread never changes namespace.
//!
//! **Keys** follow sysctl(8): `net.ipv4.conf.all.forwarding` or `net/ipv4/conf/all/forwarding`.
//! If the first separator is `.`, dots and slashes are swapped, so an interface name with a
//! dot is written with `/` (`net.ipv4.conf.eth0/100.forwarding`); if it is `/`, the key is a
//! literal path (`net/ipv4/conf/eth0.100/forwarding`). Keys must start with `net` and have
//! no empty, `.` or `..` components. The typed helpers take interface names as they are.
//!
//! Errors: a key that does not exist (or an interface that does not) is
//! [`Error::NotFound`] with `what: "sysctl"`; other failures are [`Error::Io`] naming the
//! path, e.g. `EINVAL` for a value the kernel refuses.

use crate::{Error, NetNs, Result};
use std::io::{self, Write};
use std::path::PathBuf;

const PROC_SYS: &str = "/proc/sys";

pub use crate::ipnet::Family;

/// The `net.*` directory of a family's knobs.
fn dir(f: Family) -> &'static str {
    match f {
        Family::Ipv4 => "ipv4",
        Family::Ipv6 => "ipv6",
    }
}

/// The `/proc/sys` path of a key, after validation (see the module docs for the syntax).
pub fn path(key: &str) -> Result<PathBuf> {
    let bad = |reason: &str| Err(Error::invalid("sysctl key", format!("{key:?}: {reason}")));
    let rel: String = match key.find(['.', '/']).and_then(|i| key.as_bytes().get(i)) {
        Some(b'.') => key
            .chars()
            .map(|c| match c {
                '.' => '/',
                '/' => '.',
                c => c,
            })
            .collect(),
        _ => key.to_string(),
    };
    if rel.contains('\0') {
        return bad("contains NUL");
    }
    let mut parts = rel.split('/');
    if parts.next() != Some("net") {
        return bad("must start with `net`");
    }
    let mut n = 1;
    for p in parts {
        if p.is_empty() || p == "." || p == ".." {
            return bad("empty, `.` or `..` component");
        }
        n += 1;
    }
    if n < 2 {
        return bad("names no sysctl under `net`");
    }
    Ok(PathBuf::from(format!("{PROC_SYS}/{rel}")))
}

fn map_err(key: &str, op: &str, path: &std::path::Path, e: io::Error) -> Error {
    if e.kind() == io::ErrorKind::NotFound {
        Error::NotFound {
            what: "sysctl",
            name: key.into(),
        }
    } else {
        Error::io(format!("{op} {}", path.display()), e)
    }
}

/// Reads a sysctl in the calling thread's namespace (`sysctl -n KEY`), without the trailing
/// newline.
pub fn get(key: &str) -> Result<String> {
    let path = path(key)?;
    let mut s = std::fs::read_to_string(&path).map_err(|e| map_err(key, "read", &path, e))?;
    if s.ends_with('\n') {
        s.pop();
    }
    Ok(s)
}

/// Writes a sysctl in the calling thread's namespace (`sysctl -w KEY=VALUE`).
pub fn set(key: &str, value: &str) -> Result<()> {
    let path = path(key)?;
    if value.contains('\0') {
        return Err(Error::invalid(
            "sysctl value",
            format!("{value:?}: contains NUL"),
        ));
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .map_err(|e| map_err(key, "open", &path, e))?;
    // One write: the kernel parses each write(2) on its own.
    f.write_all(value.as_bytes())
        .map_err(|e| map_err(key, "write", &path, e))
}

fn get_int(key: &str) -> Result<i64> {
    let v = get(key)?;
    v.trim().parse().map_err(|_| {
        let msg = format!("{v:?} is not an integer");
        Error::io(
            format!("parse {key}"),
            io::Error::new(io::ErrorKind::InvalidData, msg),
        )
    })
}

/// `net/<family>/conf/<iface>/<knob>`; `iface` may also be `all` or `default`.
fn conf_key(family: Family, iface: &str, knob: &str) -> Result<String> {
    crate::ifname::validate(iface)?;
    Ok(format!("net/{}/conf/{iface}/{knob}", dir(family)))
}

fn set_conf(family: Family, iface: &str, knob: &str, value: i64) -> Result<()> {
    set(&conf_key(family, iface, knob)?, &value.to_string())
}

fn get_conf(family: Family, iface: &str, knob: &str) -> Result<i64> {
    get_int(&conf_key(family, iface, knob)?)
}

fn narrow<T: TryFrom<i64>>(key: &str, v: i64) -> Result<T> {
    T::try_from(v).map_err(|_| {
        let msg = format!("{v} out of range");
        Error::io(
            format!("parse {key}"),
            io::Error::new(io::ErrorKind::InvalidData, msg),
        )
    })
}

/// `net.ipv6.conf.<iface>.disable_ipv6`: turn IPv6 off (`true`) or on for an interface, or
/// for `all` (every interface) or `default` (interfaces created later).
pub fn set_disable_ipv6(iface: &str, disable: bool) -> Result<()> {
    set_conf(Family::Ipv6, iface, "disable_ipv6", disable.into())
}

/// Reads `net.ipv6.conf.<iface>.disable_ipv6`.
pub fn disable_ipv6(iface: &str) -> Result<bool> {
    Ok(get_conf(Family::Ipv6, iface, "disable_ipv6")? != 0)
}

/// `net.<family>.conf.<iface>.forwarding`: route packets between interfaces.
pub fn set_forwarding(family: Family, iface: &str, on: bool) -> Result<()> {
    set_conf(family, iface, "forwarding", on.into())
}

/// Reads `net.<family>.conf.<iface>.forwarding`.
pub fn forwarding(family: Family, iface: &str) -> Result<bool> {
    Ok(get_conf(family, iface, "forwarding")? != 0)
}

/// `net.ipv4.conf.<iface>.arp_ignore`: which ARP requests to answer (0-3 or 8; 1 = only for
/// addresses on the receiving interface). Other values are refused before writing.
pub fn set_arp_ignore(iface: &str, level: u8) -> Result<()> {
    if !matches!(level, 0..=3 | 8) {
        return Err(Error::invalid(
            "arp_ignore",
            format!("{level}: must be 0-3 or 8"),
        ));
    }
    set_conf(Family::Ipv4, iface, "arp_ignore", level.into())
}

/// Reads `net.ipv4.conf.<iface>.arp_ignore`.
pub fn arp_ignore(iface: &str) -> Result<u8> {
    let key = conf_key(Family::Ipv4, iface, "arp_ignore")?;
    narrow(&key, get_int(&key)?)
}

/// `net.ipv4.conf.<iface>.arp_announce`: which source address ARP requests use (0-2; 2 =
/// the best local address for the target). Other values are refused before writing.
pub fn set_arp_announce(iface: &str, level: u8) -> Result<()> {
    if level > 2 {
        return Err(Error::invalid(
            "arp_announce",
            format!("{level}: must be 0-2"),
        ));
    }
    set_conf(Family::Ipv4, iface, "arp_announce", level.into())
}

/// Reads `net.ipv4.conf.<iface>.arp_announce`.
pub fn arp_announce(iface: &str) -> Result<u8> {
    let key = conf_key(Family::Ipv4, iface, "arp_announce")?;
    narrow(&key, get_int(&key)?)
}

/// `net.ipv6.conf.<iface>.accept_dad`: duplicate address detection (0 off, 1 on, 2 on and
/// disable IPv6 on a duplicate link-local address).
pub fn set_accept_dad(iface: &str, value: i32) -> Result<()> {
    set_conf(Family::Ipv6, iface, "accept_dad", value.into())
}

/// Reads `net.ipv6.conf.<iface>.accept_dad`.
pub fn accept_dad(iface: &str) -> Result<i32> {
    let key = conf_key(Family::Ipv6, iface, "accept_dad")?;
    narrow(&key, get_int(&key)?)
}

/// `net.ipv4.conf.<iface>.proxy_arp`: answer ARP for addresses reachable through other
/// interfaces.
pub fn set_proxy_arp(iface: &str, on: bool) -> Result<()> {
    set_conf(Family::Ipv4, iface, "proxy_arp", on.into())
}

/// Reads `net.ipv4.conf.<iface>.proxy_arp`.
pub fn proxy_arp(iface: &str) -> Result<bool> {
    Ok(get_conf(Family::Ipv4, iface, "proxy_arp")? != 0)
}

/// `net.ipv4.conf.<iface>.route_localnet`: allow 127.0.0.0/8 as source or destination on the
/// interface (needed to DNAT to a loopback address).
pub fn set_route_localnet(iface: &str, on: bool) -> Result<()> {
    set_conf(Family::Ipv4, iface, "route_localnet", on.into())
}

/// Reads `net.ipv4.conf.<iface>.route_localnet`.
pub fn route_localnet(iface: &str) -> Result<bool> {
    Ok(get_conf(Family::Ipv4, iface, "route_localnet")? != 0)
}

// ---- another namespace ----

/// Runs `f` inside `ns` and returns its result: `f` runs on a thread made for it that has
/// entered `ns` (see [`NetNs::run`]), so every function of this module called from `f` acts
/// on `ns`. Use it to read or write several sysctls with one thread:
///
/// ```no_run
/// use netplumb::sysctl::{self, Family};
/// use netplumb::NetNs;
///
/// # fn main() -> netplumb::Result<()> {
/// let ns = NetNs::open_name("blue")?;
/// sysctl::in_ns(&ns, || {
///     sysctl::set_forwarding(Family::Ipv4, "all", true)?;
///     sysctl::set_disable_ipv6("eth0", false)?;
///     sysctl::set_accept_dad("eth0", 0)
/// })?;
/// assert_eq!(sysctl::get_in(&ns, "net.ipv4.conf.all.forwarding")?, "1");
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// `f`'s error; [`Error::Panicked`] if `f` panicked; [`Error::Io`] if the thread could not
/// enter `ns` (then `f` did not run).
pub fn in_ns<T, F>(ns: &NetNs, f: F) -> Result<T>
where
    F: FnOnce() -> Result<T> + Send,
    T: Send,
{
    ns.run(f)?
}

/// [`get`] inside `ns`: `ip netns exec NS sysctl -n KEY`.
pub fn get_in(ns: &NetNs, key: &str) -> Result<String> {
    path(key)?;
    in_ns(ns, || get(key))
}

/// [`set`] inside `ns`: `ip netns exec NS sysctl -w KEY=VALUE`.
pub fn set_in(ns: &NetNs, key: &str, value: &str) -> Result<()> {
    path(key)?;
    in_ns(ns, || set(key, value))
}

/// [`set_disable_ipv6`] inside `ns`.
pub fn set_disable_ipv6_in(ns: &NetNs, iface: &str, disable: bool) -> Result<()> {
    in_ns(ns, || set_disable_ipv6(iface, disable))
}

/// [`disable_ipv6`] inside `ns`.
pub fn disable_ipv6_in(ns: &NetNs, iface: &str) -> Result<bool> {
    in_ns(ns, || disable_ipv6(iface))
}

/// [`set_forwarding`] inside `ns`.
pub fn set_forwarding_in(ns: &NetNs, family: Family, iface: &str, on: bool) -> Result<()> {
    in_ns(ns, || set_forwarding(family, iface, on))
}

/// [`forwarding`] inside `ns`.
pub fn forwarding_in(ns: &NetNs, family: Family, iface: &str) -> Result<bool> {
    in_ns(ns, || forwarding(family, iface))
}

/// [`set_arp_ignore`] inside `ns`.
pub fn set_arp_ignore_in(ns: &NetNs, iface: &str, level: u8) -> Result<()> {
    in_ns(ns, || set_arp_ignore(iface, level))
}

/// [`arp_ignore`] inside `ns`.
pub fn arp_ignore_in(ns: &NetNs, iface: &str) -> Result<u8> {
    in_ns(ns, || arp_ignore(iface))
}

/// [`set_arp_announce`] inside `ns`.
pub fn set_arp_announce_in(ns: &NetNs, iface: &str, level: u8) -> Result<()> {
    in_ns(ns, || set_arp_announce(iface, level))
}

/// [`arp_announce`] inside `ns`.
pub fn arp_announce_in(ns: &NetNs, iface: &str) -> Result<u8> {
    in_ns(ns, || arp_announce(iface))
}

/// [`set_accept_dad`] inside `ns`.
pub fn set_accept_dad_in(ns: &NetNs, iface: &str, value: i32) -> Result<()> {
    in_ns(ns, || set_accept_dad(iface, value))
}

/// [`accept_dad`] inside `ns`.
pub fn accept_dad_in(ns: &NetNs, iface: &str) -> Result<i32> {
    in_ns(ns, || accept_dad(iface))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_sysctl_syntax() {
        let p = |k: &str| path(k).unwrap().to_string_lossy().into_owned();
        assert_eq!(
            p("net.ipv4.conf.all.forwarding"),
            "/proc/sys/net/ipv4/conf/all/forwarding"
        );
        assert_eq!(
            p("net/ipv4/conf/eth0.100/forwarding"),
            "/proc/sys/net/ipv4/conf/eth0.100/forwarding"
        );
        assert_eq!(
            p("net.ipv4.conf.eth0/100.forwarding"),
            "/proc/sys/net/ipv4/conf/eth0.100/forwarding"
        );
        assert_eq!(p("net.core.somaxconn"), "/proc/sys/net/core/somaxconn");
        for bad in [
            "",
            "net",
            "net.",
            "kernel.hostname",
            "net..ipv4",
            "net/ipv4/../../kernel/x",
            "/net/ipv4/ip_forward",
            "net.ipv4.",
            "net/ipv4/./ip_forward",
            "net/a\0b",
            "vm/x",
        ] {
            assert!(path(bad).unwrap_err().is_invalid(), "{bad:?}");
        }
    }

    #[test]
    fn typed_helpers_validate_before_touching_proc() {
        assert!(set_arp_ignore("all", 4).unwrap_err().is_invalid());
        assert!(set_arp_announce("all", 3).unwrap_err().is_invalid());
        assert!(
            set_forwarding(Family::Ipv4, "../x", true)
                .unwrap_err()
                .is_invalid()
        );
        assert!(disable_ipv6("0123456789abcdef").unwrap_err().is_invalid());
        assert!(set("net.ipv4.ip_forward", "1\0").unwrap_err().is_invalid());
    }
}
