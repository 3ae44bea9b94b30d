//! Network sysctls: reading and writing files under `/proc/sys/net`, in one namespace.
//!
//! A [`Sysctls`] is bound to a network namespace, as a [`Handle`](crate::Handle) is:
//! [`Sysctls::in_netns`] for a namespace you hold, [`Sysctls::current`] for the calling
//! thread's own. Every read and write is a method on it:
//!
//! ```no_run
//! use netplumb::sysctl::{Family, Sysctls};
//! use netplumb::NetNs;
//!
//! # fn main() -> netplumb::Result<()> {
//! let ns = NetNs::open_name("blue")?;
//! let blue = Sysctls::in_netns(&ns)?;
//! blue.set_forwarding(Family::Ipv4, "all", true)?; // ip netns exec blue sysctl -w ...
//! assert_eq!(blue.get("net.ipv4.conf.all.forwarding")?, "1");
//! // Several reads and writes on one thread inside the namespace:
//! blue.run(|s| {
//!     s.set_disable_ipv6("eth0", false)?;
//!     s.set_accept_dad("eth0", 0)
//! })?;
//! # Ok(())
//! # }
//! ```
//!
//! **Which namespace.** `/proc/sys/net` shows the network namespace of the task that *opens*
//! the file, and namespaces are per thread. So a [`Sysctls::in_netns`] value does each call
//! on a thread made for it inside the namespace ([`NetNs::run`]): the calling thread never
//! changes namespace, and writes cannot land in the host by accident (the libnetwork bug
//! where load-balancer tweaks landed host-wide). [`Sysctls::current`] acts on whatever
//! namespace the calling thread is in *at each call* (unlike [`Handle::new`](crate::Handle),
//! which binds the namespace when it is made): inside [`NetNs::run`], that is the
//! namespace being run in; from a host thread, it is the host.
//!
//! **Keys** follow sysctl(8): `net.ipv4.conf.all.forwarding` or `net/ipv4/conf/all/forwarding`.
//! If the first separator is `.`, dots and slashes are swapped, so an interface name with a
//! dot is written with `/` (`net.ipv4.conf.eth0/100.forwarding`); if it is `/`, the key is a
//! literal path (`net/ipv4/conf/eth0.100/forwarding`). Keys must start with `net` and have
//! no empty, `.` or `..` components. The typed methods take interface names as they are.
//! Keys, names and values are checked on the calling thread, before any thread is made or
//! anything is written.
//!
//! Errors: a key that does not exist (or an interface that does not) is
//! [`Error::NotFound`] with `what: "sysctl"`; other failures are [`Error::Io`] naming the
//! path, e.g. `EINVAL` for a value the kernel refuses.

use crate::{Error, NetNs, Result};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

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

/// Reads the file of `key` (already validated into `path`) on the calling thread, without
/// the trailing newline.
fn read(key: &str, path: &Path) -> Result<String> {
    let mut s = std::fs::read_to_string(path).map_err(|e| map_err(key, "read", path, e))?;
    if s.ends_with('\n') {
        s.pop();
    }
    Ok(s)
}

/// Writes `value` to the file of `key` on the calling thread.
fn write(key: &str, path: &Path, value: &str) -> Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| map_err(key, "open", path, e))?;
    // One write: the kernel parses each write(2) on its own.
    f.write_all(value.as_bytes())
        .map_err(|e| map_err(key, "write", path, e))
}

fn parse_int(key: &str, v: &str) -> Result<i64> {
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

fn narrow<T: TryFrom<i64>>(key: &str, v: i64) -> Result<T> {
    T::try_from(v).map_err(|_| {
        let msg = format!("{v} out of range");
        Error::io(
            format!("parse {key}"),
            io::Error::new(io::ErrorKind::InvalidData, msg),
        )
    })
}

/// The network sysctls of one namespace; see the [module docs](self).
///
/// Made by [`Sysctls::in_netns`] (a namespace you hold; each call runs on a throwaway
/// thread inside it) or [`Sysctls::current`] (the calling thread's namespace at each call).
#[derive(Debug)]
pub struct Sysctls {
    /// None: the calling thread's namespace.
    ns: Option<NetNs>,
}

impl Sysctls {
    /// The sysctls of the namespace the calling thread is in when each method runs (no
    /// thread is made): what `sysctl` run by this thread would see.
    pub fn current() -> Sysctls {
        Sysctls { ns: None }
    }

    /// The sysctls of `ns`: each method runs on a new thread that enters `ns`
    /// (`setns(fd, CLONE_NEWNET)`, see [`NetNs::run`]) and is discarded; the calling thread
    /// never changes namespace. Like `ip netns exec NS sysctl ...`.
    ///
    /// # Errors
    /// [`Error::Io`] if the namespace descriptor cannot be duplicated.
    #[doc(alias = "setns")]
    pub fn in_netns(ns: &NetNs) -> Result<Sysctls> {
        Ok(Sysctls {
            ns: Some(ns.try_clone()?),
        })
    }

    /// The namespace this value is bound to; None for [`Sysctls::current`].
    pub fn netns(&self) -> Option<&NetNs> {
        self.ns.as_ref()
    }

    /// Runs `f` in this value's namespace with a [`Sysctls::current`] to read and write
    /// several sysctls on one thread (for [`Sysctls::in_netns`], one thread for all of
    /// them rather than one per call).
    ///
    /// # Errors
    /// `f`'s error; for a namespace, [`Error::Panicked`] if `f` panicked and [`Error::Io`]
    /// if the thread could not enter the namespace (then `f` did not run). With
    /// [`Sysctls::current`], `f` runs on the calling thread and a panic is not caught.
    pub fn run<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&Sysctls) -> Result<T> + Send,
        T: Send,
    {
        self.on_thread(|| f(&Sysctls::current()))
    }

    /// Runs `io` on a thread in this value's namespace.
    fn on_thread<T, F>(&self, io: F) -> Result<T>
    where
        F: FnOnce() -> Result<T> + Send,
        T: Send,
    {
        match &self.ns {
            None => io(),
            Some(ns) => ns.run(io)?,
        }
    }

    /// Reads a sysctl, without the trailing newline: `sysctl -n KEY`.
    #[doc(alias = "sysctl")]
    pub fn get(&self, key: &str) -> Result<String> {
        let path = path(key)?;
        self.on_thread(|| read(key, &path))
    }

    /// Writes a sysctl in one `write(2)`: `sysctl -w KEY=VALUE`.
    #[doc(alias = "sysctl")]
    pub fn set(&self, key: &str, value: &str) -> Result<()> {
        let path = path(key)?;
        if value.contains('\0') {
            return Err(Error::invalid(
                "sysctl value",
                format!("{value:?}: contains NUL"),
            ));
        }
        self.on_thread(|| write(key, &path, value))
    }

    fn get_int(&self, key: &str) -> Result<i64> {
        parse_int(key, &self.get(key)?)
    }

    fn set_conf(&self, family: Family, iface: &str, knob: &str, value: i64) -> Result<()> {
        self.set(&conf_key(family, iface, knob)?, &value.to_string())
    }

    fn get_conf(&self, family: Family, iface: &str, knob: &str) -> Result<i64> {
        self.get_int(&conf_key(family, iface, knob)?)
    }

    /// `net.ipv6.conf.<iface>.disable_ipv6`: turn IPv6 off (`true`) or on for an interface,
    /// or for `all` (every interface) or `default` (interfaces created later).
    pub fn set_disable_ipv6(&self, iface: &str, disable: bool) -> Result<()> {
        self.set_conf(Family::Ipv6, iface, "disable_ipv6", disable.into())
    }

    /// Reads `net.ipv6.conf.<iface>.disable_ipv6`.
    pub fn disable_ipv6(&self, iface: &str) -> Result<bool> {
        Ok(self.get_conf(Family::Ipv6, iface, "disable_ipv6")? != 0)
    }

    /// `net.<family>.conf.<iface>.forwarding`: route packets between interfaces.
    pub fn set_forwarding(&self, family: Family, iface: &str, on: bool) -> Result<()> {
        self.set_conf(family, iface, "forwarding", on.into())
    }

    /// Reads `net.<family>.conf.<iface>.forwarding`.
    pub fn forwarding(&self, family: Family, iface: &str) -> Result<bool> {
        Ok(self.get_conf(family, iface, "forwarding")? != 0)
    }

    /// `net.ipv4.conf.<iface>.arp_ignore`: which ARP requests to answer (0-3 or 8; 1 = only
    /// for addresses on the receiving interface). Other values are refused before writing.
    pub fn set_arp_ignore(&self, iface: &str, level: u8) -> Result<()> {
        if !matches!(level, 0..=3 | 8) {
            return Err(Error::invalid(
                "arp_ignore",
                format!("{level}: must be 0-3 or 8"),
            ));
        }
        self.set_conf(Family::Ipv4, iface, "arp_ignore", level.into())
    }

    /// Reads `net.ipv4.conf.<iface>.arp_ignore`.
    pub fn arp_ignore(&self, iface: &str) -> Result<u8> {
        let key = conf_key(Family::Ipv4, iface, "arp_ignore")?;
        narrow(&key, self.get_int(&key)?)
    }

    /// `net.ipv4.conf.<iface>.arp_announce`: which source address ARP requests use (0-2;
    /// 2 = the best local address for the target). Other values are refused before writing.
    pub fn set_arp_announce(&self, iface: &str, level: u8) -> Result<()> {
        if level > 2 {
            return Err(Error::invalid(
                "arp_announce",
                format!("{level}: must be 0-2"),
            ));
        }
        self.set_conf(Family::Ipv4, iface, "arp_announce", level.into())
    }

    /// Reads `net.ipv4.conf.<iface>.arp_announce`.
    pub fn arp_announce(&self, iface: &str) -> Result<u8> {
        let key = conf_key(Family::Ipv4, iface, "arp_announce")?;
        narrow(&key, self.get_int(&key)?)
    }

    /// `net.ipv6.conf.<iface>.accept_dad`: duplicate address detection (0 off, 1 on, 2 on
    /// and disable IPv6 on a duplicate link-local address).
    pub fn set_accept_dad(&self, iface: &str, value: i32) -> Result<()> {
        self.set_conf(Family::Ipv6, iface, "accept_dad", value.into())
    }

    /// Reads `net.ipv6.conf.<iface>.accept_dad`.
    pub fn accept_dad(&self, iface: &str) -> Result<i32> {
        let key = conf_key(Family::Ipv6, iface, "accept_dad")?;
        narrow(&key, self.get_int(&key)?)
    }

    /// `net.ipv4.conf.<iface>.proxy_arp`: answer ARP for addresses reachable through other
    /// interfaces.
    pub fn set_proxy_arp(&self, iface: &str, on: bool) -> Result<()> {
        self.set_conf(Family::Ipv4, iface, "proxy_arp", on.into())
    }

    /// Reads `net.ipv4.conf.<iface>.proxy_arp`.
    pub fn proxy_arp(&self, iface: &str) -> Result<bool> {
        Ok(self.get_conf(Family::Ipv4, iface, "proxy_arp")? != 0)
    }

    /// `net.ipv4.conf.<iface>.route_localnet`: allow 127.0.0.0/8 as source or destination
    /// on the interface (needed to DNAT to a loopback address).
    pub fn set_route_localnet(&self, iface: &str, on: bool) -> Result<()> {
        self.set_conf(Family::Ipv4, iface, "route_localnet", on.into())
    }

    /// Reads `net.ipv4.conf.<iface>.route_localnet`.
    pub fn route_localnet(&self, iface: &str) -> Result<bool> {
        Ok(self.get_conf(Family::Ipv4, iface, "route_localnet")? != 0)
    }
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
        let s = Sysctls::current();
        assert!(s.set_arp_ignore("all", 4).unwrap_err().is_invalid());
        assert!(s.set_arp_announce("all", 3).unwrap_err().is_invalid());
        assert!(
            s.set_forwarding(Family::Ipv4, "../x", true)
                .unwrap_err()
                .is_invalid()
        );
        assert!(s.disable_ipv6("0123456789abcdef").unwrap_err().is_invalid());
        assert!(
            s.set("net.ipv4.ip_forward", "1\0")
                .unwrap_err()
                .is_invalid()
        );
    }
}
