//! Single words as iproute2 reads them, below every parser and table: keyword
//! abbreviations (`matches()`), numbers read like `strtoul(s, 0)` (`0x10`, `010`) and the
//! other C readers `ip` uses for some of them (base 16, base 10, signed, `atoi`), IPv4
//! addresses with missing octets (`10/8`) and prefixes with dotted netmasks.
//!
//! Everything here mirrors what `ip` (iproute2 6.1) accepts, checked by running it in a
//! throwaway namespace.

use netplumb::IpNet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// iproute2's `matches(word, keyword)`: `word` is a non-empty prefix of `keyword`.
/// Order of the checks is what makes `ip link add a ...` mean `address`: callers test the
/// keywords in the same order `ip` does.
pub fn matches(word: &str, keyword: &str) -> bool {
    !word.is_empty() && keyword.starts_with(word)
}

/// Reads an unsigned number the way `strtoul(s, &end, 0)` does when the whole word must be
/// consumed: `0x` hex, leading-`0` octal, otherwise decimal; an optional `+`.
pub fn parse_uint(s: &str) -> Option<u64> {
    let s = s.strip_prefix('+').unwrap_or(s);
    let (digits, radix) = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        (h, 16)
    } else if s.len() > 1 && s.starts_with('0') {
        (&s[1..], 8)
    } else {
        (s, 10)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// [`parse_uint`] of a number that fits in a u32.
pub fn parse_u32(s: &str) -> Option<u32> {
    parse_uint(s).and_then(|n| u32::try_from(n).ok())
}

/// Reads a number the way `strtoul(s, &end, 16)` does when the whole word must be consumed:
/// an optional `+`, an optional `0x`, hex digits (`rtnl_dsfield_a2n`). A sign after `0x`
/// (`0x+10`) is refused, as by `ip`.
pub fn parse_hex(s: &str) -> Option<u64> {
    let s = s.strip_prefix('+').unwrap_or(s);
    let digits = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(digits, 16).ok()
}

/// Reads a number the way `strtol(s, &end, 10)` does when the whole word must be consumed:
/// an optional `+`, decimal digits (`010` is ten).
pub fn parse_dec(s: &str) -> Option<u64> {
    let digits = s.strip_prefix('+').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Reads a signed number the way `strtol(s, &end, 0)` does when the whole word must be
/// consumed (`get_integer`): an optional sign, then as `parse_uint`.
pub fn parse_int(s: &str) -> Option<i64> {
    match s.strip_prefix('-') {
        Some(m) if !m.starts_with('+') => {
            let n = parse_uint(m)?;
            0i64.checked_sub_unsigned(n)
        }
        Some(_) => None,
        None => parse_uint(s).and_then(|n| i64::try_from(n).ok()),
    }
}

/// `atoi`: the decimal number at the start of `s` (an optional sign, then digits), the
/// rest of the word ignored; 0 when there is none. Saturates instead of overflowing.
pub fn atoi(s: &str) -> i64 {
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mut n: i64 = 0;
    for d in rest.bytes().take_while(u8::is_ascii_digit) {
        let d = i64::from(d - b'0');
        n = n.saturating_mul(10).saturating_add(d);
    }
    if neg { -n } else { n }
}

/// An IP address as iproute2 reads it: IPv6 as usual, IPv4 with 1 to 4 components, each a
/// `strtoul` base-0 number up to 255, missing ones zero on the right (`10` = `10.0.0.0`).
pub fn parse_ip(s: &str) -> Option<IpAddr> {
    if s.contains(':') {
        return s.parse::<Ipv6Addr>().ok().map(IpAddr::V6);
    }
    let mut octets = [0u8; 4];
    for (n, part) in s.split('.').enumerate() {
        let o = octets.get_mut(n)?;
        *o = u8::try_from(parse_uint(part)?).ok()?;
    }
    Some(IpAddr::V4(Ipv4Addr::from(octets)))
}

/// `ADDR[/LEN]`, LEN a number (base 0) or, for IPv4, a contiguous dotted netmask.
/// Returns the prefix and whether a length was written.
pub fn parse_prefix(s: &str) -> Option<(IpNet, bool)> {
    let (a, l) = match s.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (s, None),
    };
    let addr = parse_ip(a)?;
    let Some(l) = l else {
        return Some((IpNet::host(addr), false));
    };
    let len = match (parse_uint(l), addr) {
        (Some(n), _) => u8::try_from(n).ok()?,
        (None, IpAddr::V4(_)) => {
            let IpAddr::V4(mask) = parse_ip(l)? else {
                return None;
            };
            let m = u32::from(mask);
            if m.leading_ones() + m.trailing_zeros() != 32 {
                return None;
            }
            m.leading_ones() as u8
        }
        (None, IpAddr::V6(_)) => return None,
    };
    IpNet::new(addr, len).ok().map(|n| (n, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_is_a_nonempty_prefix() {
        assert!(matches("a", "address"));
        assert!(matches("address", "address"));
        assert!(!matches("addresss", "address"));
        assert!(!matches("", "address"));
        assert!(!matches("b", "address"));
    }

    #[test]
    fn numbers_read_like_strtoul_base_0() {
        assert_eq!(parse_uint("1500"), Some(1500));
        assert_eq!(parse_uint("0x500"), Some(0x500));
        assert_eq!(parse_uint("0X1f"), Some(31));
        assert_eq!(parse_uint("010"), Some(8));
        assert_eq!(parse_uint("0"), Some(0));
        assert_eq!(parse_uint("+7"), Some(7));
        for bad in ["", "-1", "08", "0x", "12a", " 1", "1.5", "abc"] {
            assert_eq!(parse_uint(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn other_c_number_readers() {
        assert_eq!(parse_hex("+0x1f"), Some(31));
        assert_eq!(parse_hex("10"), Some(16));
        for bad in ["", "+", "0x", "0x+1", "-1", "1g", " 1"] {
            assert_eq!(parse_hex(bad), None, "{bad:?}");
        }
        assert_eq!(parse_dec("010"), Some(10));
        assert_eq!(parse_dec("+7"), Some(7));
        for bad in ["", "+", "0x1", "-1", "1 ", "++1"] {
            assert_eq!(parse_dec(bad), None, "{bad:?}");
        }
        assert_eq!(parse_int("-010"), Some(-8));
        assert_eq!(parse_int("-0x10"), Some(-16));
        assert_eq!(parse_int("+5"), Some(5));
        assert_eq!(parse_int("-9223372036854775808"), Some(i64::MIN));
        for bad in ["", "-", "-+1", "--1", "9223372036854775808", "0x+1"] {
            assert_eq!(parse_int(bad), None, "{bad:?}");
        }
        assert_eq!(atoi("12ab"), 12);
        assert_eq!(atoi("-3"), -3);
        assert_eq!(atoi("x1"), 0);
        assert_eq!(atoi("99999999999999999999999"), i64::MAX);
    }

    #[test]
    fn addresses_and_prefixes_like_iproute2() {
        let v4 = |s: &str| parse_ip(s).map(|a| a.to_string());
        assert_eq!(v4("127").as_deref(), Some("127.0.0.0"));
        assert_eq!(v4("127.1").as_deref(), Some("127.1.0.0"));
        assert_eq!(v4("0x7f.0.0.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(v4("2001:db8::1").as_deref(), Some("2001:db8::1"));
        for bad in [
            "256.0.0.0",
            "1.2.3.4.5",
            "1..2",
            "",
            "x",
            "1.2.3.4/8",
            "::g",
        ] {
            assert_eq!(parse_ip(bad), None, "{bad:?}");
        }
        let p = |s: &str| parse_prefix(s).map(|(n, l)| (n.to_string(), l));
        assert_eq!(p("10/8"), Some(("10.0.0.0/8".into(), true)));
        assert_eq!(p("198.18.0.5"), Some(("198.18.0.5/32".into(), false)));
        assert_eq!(
            p("198.18.0.0/255.255.0.0"),
            Some(("198.18.0.0/16".into(), true))
        );
        assert_eq!(p("127.0.0.0/0x8"), Some(("127.0.0.0/8".into(), true)));
        assert_eq!(p("2001:db8::/64"), Some(("2001:db8::/64".into(), true)));
        for bad in [
            "198.18.0.0/33",
            "198.18.0.0/",
            "198.18.0.0/08",
            "198.18.0.0/255.0.255.0",
            "2001:db8::/129",
            "2001:db8::/ffff::",
            "198.18.0.0/24/1",
        ] {
            assert_eq!(parse_prefix(bad), None, "{bad:?}");
        }
    }
}
