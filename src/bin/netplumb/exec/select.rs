//! What the `show` and `flush` selectors of `address`, `route` and `neigh` share: prefix
//! matching as iproute2's `inet_addr_match` does it and shell globs as `fnmatch` reads them.

use std::net::IpAddr;

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
