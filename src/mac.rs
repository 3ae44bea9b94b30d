//! `MacAddr`: a 48-bit Ethernet address, with the generators the container layers use.

use crate::Error;
use std::fmt;
use std::io::Read;
use std::net::Ipv4Addr;
use std::str::FromStr;

/// An Ethernet (EUI-48) address.
///
/// ```
/// use netplumb::MacAddr;
/// let m: MacAddr = "02:42:c6:12:00:05".parse().unwrap();
/// assert_eq!(m, MacAddr::from_ipv4("198.18.0.5".parse().unwrap()));
/// assert!(m.is_locally_administered() && m.is_unicast());
/// assert!("02:42:c6:12:00".parse::<MacAddr>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct MacAddr(pub [u8; 6]);

impl MacAddr {
    /// The octets.
    pub fn octets(&self) -> [u8; 6] {
        self.0
    }

    /// A random locally administered unicast address (bit 1 of the first octet set, bit 0
    /// clear), from the kernel's random pool (`/dev/urandom`).
    pub fn random() -> Result<Self, Error> {
        let mut b = [0u8; 6];
        random_bytes(&mut b)?;
        b[0] = (b[0] | 0x02) & 0xfe;
        Ok(MacAddr(b))
    }

    /// `prefix` followed by random bytes: e.g. virtlet's `02:65:02:xx:xx:xx` with
    /// `MacAddr::random_with_prefix(&[0x02, 0x65, 0x02])`. A prefix longer than 6 bytes is
    /// truncated.
    pub fn random_with_prefix(prefix: &[u8]) -> Result<Self, Error> {
        let mut b = [0u8; 6];
        random_bytes(&mut b)?;
        for (d, s) in b.iter_mut().zip(prefix) {
            *d = *s;
        }
        Ok(MacAddr(b))
    }

    /// `02:42:a:b:c:d` for the IPv4 address `a.b.c.d`, as Docker's bridge driver derives it.
    pub fn from_ipv4(ip: Ipv4Addr) -> Self {
        let [a, b, c, d] = ip.octets();
        MacAddr([0x02, 0x42, a, b, c, d])
    }

    /// Bit 1 of the first octet.
    pub fn is_locally_administered(&self) -> bool {
        self.0[0] & 0x02 != 0
    }

    /// Bit 0 of the first octet clear.
    pub fn is_unicast(&self) -> bool {
        self.0[0] & 0x01 == 0
    }
}

/// Fills `buf` from `/dev/urandom`.
pub(crate) fn random_bytes(buf: &mut [u8]) -> Result<(), Error> {
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(buf))
        .map_err(|e| Error::io("read /dev/urandom", e))
}

impl fmt::Display for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d, e, g] = self.0;
        write!(f, "{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{g:02x}")
    }
}

impl FromStr for MacAddr {
    type Err = Error;

    /// Six colon-separated octets of one or two ASCII hex digits each (`02:42:ac:11:00:02`,
    /// `2:42:ac:11:0:2`); nothing else, not even a sign or white space (`ip` takes `+2`
    /// through `sscanf("%x")`, netplumb does not).
    fn from_str(s: &str) -> Result<Self, Error> {
        let bad = || {
            Error::invalid(
                "MAC address",
                format!("{s:?} is not of the form xx:xx:xx:xx:xx:xx"),
            )
        };
        let mut out = [0u8; 6];
        let mut parts = s.split(':');
        for o in out.iter_mut() {
            let p = parts.next().ok_or_else(bad)?;
            // from_str_radix alone would take a leading `+`.
            if p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(bad());
            }
            *o = u8::from_str_radix(p, 16).map_err(|_| bad())?;
        }
        if parts.next().is_some() {
            return Err(bad());
        }
        Ok(MacAddr(out))
    }
}

impl From<[u8; 6]> for MacAddr {
    fn from(b: [u8; 6]) -> Self {
        MacAddr(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_display() {
        let m: MacAddr = "2:42:AC:11:0:2".parse().unwrap();
        assert_eq!(m.to_string(), "02:42:ac:11:00:02");
        for bad in [
            "",
            "02:42:ac:11:00",
            "02:42:ac:11:00:02:03",
            "02:42:ac:11:00:0g",
            "02:42:ac:11:00:123",
            "02::ac:11:00:02",
        ] {
            assert!(bad.parse::<MacAddr>().is_err(), "{bad}");
        }
    }

    /// Issue 11: `u8::from_str_radix` takes a leading sign, so `+2` was read as an octet.
    /// Every octet is one or two ASCII hex digits and nothing else.
    #[test]
    fn octets_are_hex_digits_only() {
        for bad in [
            "+2:42:ac:11:00:02",
            "02:42:ac:11:00:+2",
            "02:42:ac:+1:00:02",
            "-0:42:ac:11:00:02",
            "02:42:ac:11:00:-0",
            " 2:42:ac:11:00:02",
            "02:42:ac:11:00:2 ",
            "02:42:ac:11:00:\u{0662}",
        ] {
            assert!(bad.parse::<MacAddr>().is_err(), "{bad:?}");
        }
        assert_eq!(
            "0:0:0:0:0:F".parse::<MacAddr>().unwrap(),
            MacAddr([0, 0, 0, 0, 0, 15])
        );
    }

    #[test]
    fn random_is_local_unicast_and_prefixed() {
        for _ in 0..64 {
            let m = MacAddr::random().unwrap();
            assert!(m.is_locally_administered() && m.is_unicast(), "{m}");
        }
        let v = MacAddr::random_with_prefix(&[2, 0x65, 2]).unwrap();
        assert_eq!(&v.0[..3], &[2, 0x65, 2]);
        // Two draws differ (48 random bits; a collision would mean no randomness at all).
        assert_ne!(MacAddr::random().unwrap(), MacAddr::random().unwrap());
    }
}
