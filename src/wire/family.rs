//! Address families (`AF_*`, linux/socket.h) as the `u8` that every rtnetlink family header
//! holds (`ifi_family`, `ifa_family`, `rtm_family`, `ndm_family`, `rtgen_family`). The one
//! definition the crate uses; `rtvia_family` and `IFLA_AF_SPEC` nests hold the same values
//! in 16 bits (`u16::from(AF_INET6)`).

use std::net::IpAddr;

/// `AF_UNSPEC`: any family (dump requests for every family).
pub const AF_UNSPEC: u8 = libc::AF_UNSPEC as u8;
/// `AF_INET`: IPv4.
pub const AF_INET: u8 = libc::AF_INET as u8;
/// `AF_BRIDGE`: the bridge (forwarding database entries, bridge port data).
pub const AF_BRIDGE: u8 = libc::AF_BRIDGE as u8;
/// `AF_INET6`: IPv6.
pub const AF_INET6: u8 = libc::AF_INET6 as u8;

/// `AF_INET` or `AF_INET6`, the family of an address.
///
/// ```
/// use netplumb::wire::family::{AF_INET6, family_of};
/// assert_eq!(family_of("2001:db8::1".parse().unwrap()), AF_INET6);
/// ```
pub fn family_of(a: IpAddr) -> u8 {
    match a {
        IpAddr::V4(_) => AF_INET,
        IpAddr::V6(_) => AF_INET6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_the_uapi_ones() {
        assert_eq!((AF_UNSPEC, AF_INET, AF_BRIDGE, AF_INET6), (0, 2, 7, 10));
        assert_eq!(family_of("198.18.0.1".parse().unwrap()), AF_INET);
    }
}
