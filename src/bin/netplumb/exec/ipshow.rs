//! What the `address`, `route` and `neigh` executors share: ip-style output records (one
//! description gives both the JSON member and the text), iproute2's number-to-name tables,
//! the interface table the printers look names up in, prefix and glob matching, and the
//! messages `ip` prints for devices that do not exist.
//!
//! The printers follow iproute2 6.1's `print_*` functions field by field: a field printed
//! with `PRINT_ANY` there is [`Rec::any`] here, `PRINT_JSON` is [`Rec::json`], `PRINT_FP` is
//! [`Rec::text`], so the JSON keys, their order and the text come from one place.

use super::failed;
use crate::args::CliError;
use netplumb::{Error, Handle};
use std::net::IpAddr;

/// `Cannot find device "NAME"`, as `ip` says when a `dev` does not exist.
pub fn nodev(name: &str) -> CliError {
    CliError::Failed(format!("Cannot find device \"{name}\""))
}

/// A library error, with a missing device reported as [`nodev`].
pub fn lib_error(e: Error) -> CliError {
    match e {
        Error::NotFound { what: "link", name } => nodev(&name),
        e => failed(e),
    }
}

/// The interface index of `dev` as `ip` finds it: an alias label (`eth0:1`) names its
/// device, and `ifN` names index N when no device has that name. `Cannot find device`
/// otherwise.
pub fn resolve(h: &Handle, dev: &str) -> Result<u32, CliError> {
    let name = dev.split(':').next().unwrap_or(dev);
    match h.link_index(name) {
        Ok(i) => Ok(i),
        Err(e) if e.is_not_found() || matches!(e, Error::InvalidInput { .. }) => name
            .strip_prefix("if")
            .and_then(|n| n.parse::<u32>().ok())
            .filter(|i| *i > 0 && i32::try_from(*i).is_ok())
            .ok_or_else(|| nodev(dev)),
        Err(e) => Err(failed(e)),
    }
}

/// `inet_addr_match`: whether the first `bits` bits of `a` and `b` agree (addresses of
/// different families never do).
pub fn addr_match(a: IpAddr, b: IpAddr, bits: u8) -> bool {
    let (x, y): (Vec<u8>, Vec<u8>) = match (a, b) {
        (IpAddr::V4(x), IpAddr::V4(y)) => (x.octets().to_vec(), y.octets().to_vec()),
        (IpAddr::V6(x), IpAddr::V6(y)) => (x.octets().to_vec(), y.octets().to_vec()),
        _ => return false,
    };
    let bits = usize::from(bits).min(x.len() * 8);
    let (whole, rest) = (bits / 8, bits % 8);
    if x.get(..whole) != y.get(..whole) {
        return false;
    }
    if rest == 0 {
        return true;
    }
    let mask = 0xffu8 << (8 - rest);
    match (x.get(whole), y.get(whole)) {
        (Some(p), Some(q)) => p & mask == q & mask,
        _ => false,
    }
}

/// `fnmatch(pattern, s, 0)`: `*`, `?`, bracket expressions (`[a-z]`, `[!x]`) and `\`
/// escapes.
pub fn glob(pattern: &str, s: &str) -> bool {
    fn go(p: &[char], s: &[char]) -> bool {
        match p.split_first() {
            None => s.is_empty(),
            Some(('*', rest)) => (0..=s.len()).any(|i| s.get(i..).is_some_and(|t| go(rest, t))),
            Some(('?', rest)) => s.split_first().is_some_and(|(_, t)| go(rest, t)),
            Some(('[', rest)) => {
                let Some((c, t)) = s.split_first() else {
                    return false;
                };
                match bracket(rest, *c) {
                    Some((true, after)) => go(after, t),
                    Some((false, _)) => false,
                    // An unclosed `[` is an ordinary character.
                    None => *c == '[' && go(rest, t),
                }
            }
            Some(('\\', rest)) if !rest.is_empty() => match (rest.split_first(), s.split_first()) {
                (Some((pc, pr)), Some((c, t))) => pc == c && go(pr, t),
                _ => false,
            },
            Some((pc, rest)) => s.split_first().is_some_and(|(c, t)| c == pc && go(rest, t)),
        }
    }
    /// Matches `c` against the bracket expression starting after `[`; returns whether it
    /// matched and the pattern after `]`.
    fn bracket(p: &[char], c: char) -> Option<(bool, &[char])> {
        let (neg, mut i) = match p.first() {
            Some('!') | Some('^') => (true, 1),
            _ => (false, 0),
        };
        let mut hit = false;
        let mut first = true;
        loop {
            let ch = *p.get(i)?;
            if ch == ']' && !first {
                return Some((hit != neg, p.get(i + 1..).unwrap_or_default()));
            }
            first = false;
            if p.get(i + 1) == Some(&'-') && p.get(i + 2).is_some_and(|e| *e != ']') {
                let end = *p.get(i + 2)?;
                hit |= ch <= c && c <= end;
                i += 3;
            } else {
                hit |= ch == c;
                i += 1;
            }
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = s.chars().collect();
    go(&p, &s)
}

pub use netplumb::wire::USER_HZ;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_like_fnmatch() {
        assert!(glob("v1*", "v1"));
        assert!(glob("v1*", "v1:x"));
        assert!(!glob("v1*", "v2"));
        assert!(glob("v?", "v2"));
        assert!(glob("v[0-3]", "v2"));
        assert!(!glob("v[!0-3]", "v2"));
        assert!(glob("a\\*", "a*"));
        assert!(!glob("a\\*", "ab"));
        assert!(glob("[", "["));
        assert!(glob("*", ""));
    }

    #[test]
    fn prefix_matching() {
        let a = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(addr_match(a("198.18.0.5"), a("198.18.0.0"), 24));
        assert!(!addr_match(a("198.18.1.5"), a("198.18.0.0"), 24));
        assert!(addr_match(a("198.18.1.5"), a("198.18.0.0"), 23));
        assert!(addr_match(a("198.18.1.5"), a("0.0.0.0"), 0));
        assert!(!addr_match(a("198.18.1.5"), a("2001:db8::"), 0));
        assert!(addr_match(a("2001:db8::1"), a("2001:db8::"), 64));
    }
}
