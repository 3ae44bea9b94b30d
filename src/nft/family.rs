//! [`TableFamily`]: the family of an nf_tables table (`ip`, `ip6`, `inet`, `arp`, `bridge`,
//! `netdev`), the `nfgen_family` of every message about it.

use crate::error::{Error, Result};
use crate::wire::nft::{
    NFPROTO_ARP, NFPROTO_BRIDGE, NFPROTO_INET, NFPROTO_IPV4, NFPROTO_IPV6, NFPROTO_NETDEV,
};
use std::fmt;
use std::str::FromStr;

/// The family of a table: which packets its base chains see, and how a rule's matches on
/// network headers are written (see [`crate::nft::Rule`]).
///
/// ```
/// use netplumb::nft::TableFamily;
/// assert_eq!(TableFamily::Inet.nfproto(), 1); // NFPROTO_INET
/// assert_eq!("bridge".parse::<TableFamily>()?, TableFamily::Bridge);
/// assert_eq!(TableFamily::Ip6.to_string(), "ip6");
/// # Ok::<(), netplumb::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[doc(alias = "nfgen_family")]
pub enum TableFamily {
    /// `ip` (`NFPROTO_IPV4`): IPv4 packets.
    Ip,
    /// `ip6` (`NFPROTO_IPV6`): IPv6 packets.
    Ip6,
    /// `inet` (`NFPROTO_INET`): IPv4 and IPv6 packets in the same chains.
    Inet,
    /// `arp` (`NFPROTO_ARP`).
    Arp,
    /// `bridge` (`NFPROTO_BRIDGE`): frames a bridge forwards, delivers or sends; what
    /// `ebtables` filtered.
    Bridge,
    /// `netdev` (`NFPROTO_NETDEV`): ingress and egress of one device.
    Netdev,
}

impl TableFamily {
    /// Every family, in the order above.
    pub const ALL: [TableFamily; 6] = [
        TableFamily::Ip,
        TableFamily::Ip6,
        TableFamily::Inet,
        TableFamily::Arp,
        TableFamily::Bridge,
        TableFamily::Netdev,
    ];

    /// The `NFPROTO_*` value sent as `nfgen_family`.
    pub fn nfproto(self) -> u8 {
        match self {
            TableFamily::Ip => NFPROTO_IPV4,
            TableFamily::Ip6 => NFPROTO_IPV6,
            TableFamily::Inet => NFPROTO_INET,
            TableFamily::Arp => NFPROTO_ARP,
            TableFamily::Bridge => NFPROTO_BRIDGE,
            TableFamily::Netdev => NFPROTO_NETDEV,
        }
    }

    /// The family whose `NFPROTO_*` value is `v`.
    pub fn from_nfproto(v: u8) -> Option<TableFamily> {
        TableFamily::ALL.into_iter().find(|f| f.nfproto() == v)
    }

    /// The name `nft` uses (`"inet"`).
    pub fn name(self) -> &'static str {
        match self {
            TableFamily::Ip => "ip",
            TableFamily::Ip6 => "ip6",
            TableFamily::Inet => "inet",
            TableFamily::Arp => "arp",
            TableFamily::Bridge => "bridge",
            TableFamily::Netdev => "netdev",
        }
    }
}

impl fmt::Display for TableFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for TableFamily {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        TableFamily::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                Error::invalid(
                    "nf_tables family",
                    format!("\"{s}\" (ip, ip6, inet, arp, bridge or netdev)"),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_names_round_trip() {
        for f in TableFamily::ALL {
            assert_eq!(TableFamily::from_nfproto(f.nfproto()), Some(f));
            assert_eq!(f.name().parse::<TableFamily>().unwrap(), f);
        }
        assert_eq!(
            TableFamily::ALL.map(TableFamily::nfproto),
            [2, 10, 1, 3, 7, 5]
        );
        assert!("ip4".parse::<TableFamily>().unwrap_err().is_invalid());
        assert_eq!(TableFamily::from_nfproto(0), None);
    }
}
