//! Names of tables, chains and sets: checked before anything is sent.

use crate::error::{Error, Result};

/// `NFT_NAME_MAXLEN` - 1: the longest table, chain or set name the kernel takes.
pub const MAX_NAME_LEN: usize = 255;

/// Checks the name of a table, chain or set (`what` says which, for the error).
///
/// The kernel takes any string up to 255 bytes; netplumb takes the names `nft` reads without
/// quotes, so that what it creates can be listed and loaded again with `nft -f`: 1 to 255
/// bytes, a letter, `_` or `.` first, then letters, digits, `_`, `.`, `-` or `/`.
///
/// ```
/// use netplumb::nft::check_name;
/// assert!(check_name("table", "np-net1").is_ok());
/// assert!(check_name("chain", "").is_err());
/// assert!(check_name("chain", "1st").is_err());
/// assert!(check_name("set", "a b").is_err());
/// assert!(check_name("table", &"t".repeat(256)).is_err());
/// ```
pub fn check_name(what: &'static str, name: &str) -> Result<()> {
    let bad = |reason: &str| Err(Error::invalid(what, format!("\"{name}\": {reason}")));
    let Some(first) = name.chars().next() else {
        return bad("empty name");
    };
    if name.len() > MAX_NAME_LEN {
        return bad("longer than 255 bytes");
    }
    if !(first.is_ascii_alphabetic() || first == '_' || first == '.') {
        return bad("must start with a letter, '_' or '.'");
    }
    if let Some(c) = name
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/')))
    {
        return bad(&format!(
            "{c:?} is not allowed (letters, digits, '_', '.', '-', '/')"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_nft_reads_unquoted() {
        for ok in ["t", "_x", ".hidden", "np-net1", "a/b.c_d", &"n".repeat(255)] {
            assert!(check_name("table", ok).is_ok(), "{ok}");
        }
        for bad in ["", "-x", "9x", "a b", "a\"b", "a\0b", "é", &"n".repeat(256)] {
            let e = check_name("table", bad).unwrap_err();
            assert!(e.is_invalid(), "{bad}: {e}");
        }
        let e = check_name("chain", "a b").unwrap_err().to_string();
        assert!(
            e.starts_with("invalid chain: \"a b\": ' ' is not allowed"),
            "{e}"
        );
    }
}
