//! Interface names: validation before anything is sent, and random names for throwaway links.

use crate::Error;

/// `IFNAMSIZ` - 1: the longest interface name the kernel accepts.
pub const MAX_IFNAME_LEN: usize = 15;

/// Checks an interface name the way the kernel's `dev_valid_name` does, so a bad name is
/// refused before any request is sent: 1 to 15 bytes, not `.` or `..`, and no `/`, `:`, ASCII
/// white space or NUL.
///
/// ```
/// use netplumb::ifname::validate;
/// assert!(validate("eth0").is_ok());
/// assert!(validate("0123456789abcdef").is_err()); // 16 bytes
/// assert!(validate("a/b").is_err());
/// assert!(validate("a b").is_err());
/// ```
pub fn validate(name: &str) -> Result<(), Error> {
    check(name, MAX_IFNAME_LEN, "interface name")
}

/// `ALTIFNAMSIZ` - 1: the longest alternative name the kernel accepts.
pub const MAX_ALTNAME_LEN: usize = 127;

/// Checks an alternative interface name (`ip link property add dev D altname NAME`): the
/// rules of [`validate`], up to 127 bytes.
///
/// ```
/// use netplumb::ifname::validate_alt;
/// assert!(validate_alt("container-ab12cd34-eth0").is_ok());
/// assert!(validate_alt(&"a".repeat(128)).is_err());
/// assert!(validate_alt("a:b").is_err());
/// ```
pub fn validate_alt(name: &str) -> Result<(), Error> {
    check(name, MAX_ALTNAME_LEN, "alternative interface name")
}

fn check(name: &str, max: usize, what: &'static str) -> Result<(), Error> {
    let reason = if name.is_empty() {
        "empty".to_string()
    } else if name.len() > max {
        format!("longer than {max} bytes")
    } else if name == "." || name == ".." {
        "\".\" and \"..\" are not valid".into()
    } else if name.bytes().any(|b| b == b'/' || b == b':') {
        "contains '/' or ':'".into()
    } else if name
        .bytes()
        .any(|b| b == 0 || b == b' ' || (b'\t'..=b'\r').contains(&b))
    {
        "contains white space or NUL".into()
    } else {
        return Ok(());
    };
    Err(Error::invalid(what, format!("{name:?}: {reason}")))
}

/// `prefix` followed by `hex_len` random lower-case hex digits (`veth` + 7 digits is Docker's
/// `veth1a2b3c4`). The result is validated, so a prefix too long for the digits fails here.
pub fn random(prefix: &str, hex_len: usize) -> Result<String, Error> {
    let mut bytes = vec![0u8; hex_len.div_ceil(2)];
    crate::mac::random_bytes(&mut bytes)?;
    let mut s = String::with_capacity(prefix.len() + hex_len);
    s.push_str(prefix);
    for b in &bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s.truncate(prefix.len() + hex_len);
    validate(&s)?;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation() {
        for ok in [
            "lo",
            "eth0",
            "veth1a2b3c4",
            "br-0.100",
            "tap%d",
            "é",
            "012345678901234",
        ] {
            assert!(validate(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            ".",
            "..",
            "0123456789012345",
            "a/b",
            "a:1",
            "a\x0bb",
            "a b",
            "a\tb",
            "a\0b",
            "é é",
        ] {
            assert!(validate(bad).unwrap_err().is_invalid(), "{bad:?}");
        }
    }

    #[test]
    fn random_names() {
        let n = random("veth", 7).unwrap();
        assert_eq!(n.len(), 11);
        assert!(n.starts_with("veth") && n[4..].chars().all(|c| c.is_ascii_hexdigit()));
        assert!(random("averylongprefix", 4).is_err());
        assert_ne!(random("t", 8).unwrap(), random("t", 8).unwrap());
    }
}
