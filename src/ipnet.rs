//! `IpNet`: an address with a prefix length, host bits kept (`198.18.0.5/24`).

use crate::Error;
use crate::wire::family::{AF_INET, AF_INET6};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// An IPv4 or IPv6 address with a prefix length. Unlike a network, the host bits are kept:
/// `198.18.0.5/24` is the address `198.18.0.5` on the network `198.18.0.0/24`, as `ip addr`
/// and libnetwork's `ParseCIDR` keep them.
///
/// ```
/// use netplumb::IpNet;
/// let n: IpNet = "198.18.0.5/24".parse().unwrap();
/// assert_eq!(n.addr().to_string(), "198.18.0.5");
/// assert_eq!(n.network().to_string(), "198.18.0.0/24");
/// assert!(n.contains("198.18.0.200".parse().unwrap()));
/// assert!("198.18.0.5/33".parse::<IpNet>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IpNet {
    addr: IpAddr,
    prefix_len: u8,
}

impl IpNet {
    /// `addr/prefix_len`; a prefix longer than the family allows (32 or 128) is refused.
    pub fn new(addr: IpAddr, prefix_len: u8) -> Result<Self, Error> {
        if prefix_len > max_prefix(addr) {
            return Err(Error::invalid(
                "prefix length",
                format!("{prefix_len} is out of range for {addr}"),
            ));
        }
        Ok(IpNet { addr, prefix_len })
    }

    /// A host route/address: `/32` or `/128`.
    pub fn host(addr: IpAddr) -> Self {
        IpNet {
            addr,
            prefix_len: max_prefix(addr),
        }
    }

    /// The address, host bits included.
    pub fn addr(&self) -> IpAddr {
        self.addr
    }

    /// The prefix length.
    pub fn prefix_len(&self) -> u8 {
        self.prefix_len
    }

    /// True for IPv4.
    pub fn is_ipv4(&self) -> bool {
        self.addr.is_ipv4()
    }

    /// `AF_INET` or `AF_INET6`.
    pub fn family(&self) -> u8 {
        family_of(self.addr)
    }

    /// The network: host bits cleared.
    pub fn network(&self) -> IpNet {
        IpNet {
            addr: mask_addr(self.addr, self.prefix_len),
            prefix_len: self.prefix_len,
        }
    }

    /// The IPv4 broadcast address of the network (all host bits set); `None` for IPv6 and for
    /// /31 and /32, which have none.
    pub fn broadcast(&self) -> Option<Ipv4Addr> {
        match self.addr {
            IpAddr::V4(a) if self.prefix_len < 31 => {
                let host_mask = u32::MAX
                    .checked_shr(u32::from(self.prefix_len))
                    .unwrap_or(0);
                Some(Ipv4Addr::from(u32::from(a) | host_mask))
            }
            _ => None,
        }
    }

    /// True when `ip` is inside this network.
    pub fn contains(&self, ip: IpAddr) -> bool {
        ip.is_ipv4() == self.addr.is_ipv4()
            && mask_addr(ip, self.prefix_len) == mask_addr(self.addr, self.prefix_len)
    }

    /// True when the two networks overlap (one contains the other).
    pub fn overlaps(&self, other: &IpNet) -> bool {
        self.contains(other.addr) || other.contains(self.addr)
    }

    /// True for a default route (`0.0.0.0/0`, `::/0`).
    pub fn is_default(&self) -> bool {
        self.prefix_len == 0
    }
}

/// An IP family.
///
/// ```
/// use netplumb::Family;
/// assert_eq!(Family::of("2001:db8::1".parse().unwrap()), Family::Ipv6);
/// assert_eq!(Family::Ipv4.af(), libc::AF_INET as u8);
/// # Ok::<(), netplumb::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// IPv4 (`AF_INET`).
    Ipv4,
    /// IPv6 (`AF_INET6`).
    Ipv6,
}

impl Family {
    /// The family of an address.
    pub fn of(a: IpAddr) -> Family {
        match a {
            IpAddr::V4(_) => Family::Ipv4,
            IpAddr::V6(_) => Family::Ipv6,
        }
    }

    /// `AF_INET` or `AF_INET6`.
    pub fn af(self) -> u8 {
        match self {
            Family::Ipv4 => AF_INET,
            Family::Ipv6 => AF_INET6,
        }
    }
}

pub use crate::wire::family::family_of;

fn max_prefix(a: IpAddr) -> u8 {
    if a.is_ipv4() { 32 } else { 128 }
}

fn mask_addr(a: IpAddr, len: u8) -> IpAddr {
    match a {
        IpAddr::V4(v) => {
            let m = u32::MAX
                .checked_shl(32 - u32::from(len.min(32)))
                .unwrap_or(0);
            IpAddr::V4(Ipv4Addr::from(u32::from(v) & m))
        }
        IpAddr::V6(v) => {
            let m = u128::MAX
                .checked_shl(128 - u32::from(len.min(128)))
                .unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(u128::from(v) & m))
        }
    }
}

impl fmt::Display for IpNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix_len)
    }
}

impl FromStr for IpNet {
    type Err = Error;

    /// `ADDR/LEN`, or a bare address taken as a host (`/32`, `/128`) as `ip` does. `LEN` is
    /// decimal ASCII digits without a sign, white space or leading zeros (`ip` reads `024`
    /// as octal 20; this refuses it rather than read it another way).
    fn from_str(s: &str) -> Result<Self, Error> {
        let (a, l) = match s.split_once('/') {
            Some((a, l)) => (a, Some(l)),
            None => (s, None),
        };
        let addr: IpAddr = a
            .parse()
            .map_err(|_| Error::invalid("IP address", format!("{a:?} is not an IP address")))?;
        match l {
            None => Ok(IpNet::host(addr)),
            Some(l) => {
                let bad = || Error::invalid("prefix length", format!("{l:?} in {s:?}"));
                // `u8::from_str` alone would take a leading `+`.
                let digits = !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit());
                if !digits || (l.len() > 1 && l.starts_with('0')) {
                    return Err(bad());
                }
                let len: u8 = l.parse().map_err(|_| bad())?;
                IpNet::new(addr, len)
            }
        }
    }
}

impl From<IpAddr> for IpNet {
    fn from(a: IpAddr) -> Self {
        IpNet::host(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display() {
        for s in ["198.18.0.5/24", "2001:db8::1/64", "0.0.0.0/0", "::/0"] {
            assert_eq!(s.parse::<IpNet>().unwrap().to_string(), s);
        }
        assert_eq!("198.18.0.1".parse::<IpNet>().unwrap().prefix_len(), 32);
        assert_eq!("2001:db8::1".parse::<IpNet>().unwrap().prefix_len(), 128);
        for bad in [
            "198.18.0.1/33",
            "2001:db8::/129",
            "x/24",
            "198.18.0.1/",
            "198.18.0.1/-1",
        ] {
            assert!(bad.parse::<IpNet>().unwrap_err().is_invalid(), "{bad}");
        }
    }

    /// Issue 11: `u8::from_str` takes a leading `+`, so `/+24` was a prefix length. The
    /// length is decimal digits only, without leading zeros (`ip` reads `024` as octal 20).
    #[test]
    fn prefix_length_is_decimal_digits_only() {
        for bad in [
            "198.18.0.1/+24",
            "2001:db8::1/+64",
            "198.18.0.1/-0",
            "198.18.0.1/ 24",
            "198.18.0.1/24 ",
            "198.18.0.1/024",
            "198.18.0.1/00",
            "198.18.0.1/0x18",
            "198.18.0.1/\u{0662}4",
        ] {
            assert!(bad.parse::<IpNet>().unwrap_err().is_invalid(), "{bad:?}");
        }
        assert_eq!("198.18.0.1/0".parse::<IpNet>().unwrap().prefix_len(), 0);
        assert_eq!(
            "2001:db8::1/128".parse::<IpNet>().unwrap().prefix_len(),
            128
        );
    }

    #[test]
    fn network_broadcast_contains() {
        let n: IpNet = "198.18.3.7/22".parse().unwrap();
        assert_eq!(n.network().to_string(), "198.18.0.0/22");
        assert_eq!(n.broadcast(), Some("198.18.3.255".parse().unwrap()));
        assert!(n.contains("198.18.1.1".parse().unwrap()));
        assert!(!n.contains("198.18.4.1".parse().unwrap()));
        assert!(!n.contains("2001:db8::1".parse().unwrap()));
        assert_eq!("198.18.0.1/31".parse::<IpNet>().unwrap().broadcast(), None);
        assert_eq!(
            "0.0.0.0/0".parse::<IpNet>().unwrap().network().to_string(),
            "0.0.0.0/0"
        );
        let v6: IpNet = "2001:db8:1::5/48".parse().unwrap();
        assert_eq!(v6.network().to_string(), "2001:db8:1::/48");
        assert!(v6.overlaps(&"2001:db8::/32".parse().unwrap()));
    }
}
