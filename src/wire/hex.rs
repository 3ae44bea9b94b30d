//! Reading bytes written as annotated hex text: the format of the golden fixtures and one of
//! the inputs of `netplumb decode`.
//!
//! `#` starts a comment that runs to the end of the line; every other character must be a hex
//! digit or white space, and digits pair up into bytes across white space, so a fixture can
//! say what each field is:
//!
//! ```text
//! # kernel's reply to RTM_GETLINK (dump) after `ip link add br0 type bridge`
//! 2c000000 1000 0200   # nlmsg_len 44, RTM_NEWLINK, NLM_F_MULTI
//! ```

/// A hex text that is not well formed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("hex text, line {line}, column {column}: {reason}")]
pub struct HexError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// What is wrong there.
    pub reason: &'static str,
}

/// The bytes of an annotated hex text.
///
/// ```
/// let b = netplumb::wire::hex::parse("0a0B # ten, eleven\n ff").unwrap();
/// assert_eq!(b, [10, 11, 255]);
/// ```
pub fn parse(text: &str) -> Result<Vec<u8>, HexError> {
    let mut out = Vec::with_capacity(text.len() / 2);
    let mut high: Option<(u8, usize, usize)> = None;
    for (lineno, line) in text.lines().enumerate() {
        let code = line.split('#').next().unwrap_or("");
        for (col, c) in code.chars().enumerate() {
            if c.is_whitespace() {
                continue;
            }
            let v = c.to_digit(16).ok_or(HexError {
                line: lineno + 1,
                column: col + 1,
                reason: "not a hex digit",
            })? as u8;
            match high.take() {
                None => high = Some((v, lineno + 1, col + 1)),
                Some((h, _, _)) => out.push(h << 4 | v),
            }
        }
    }
    match high {
        Some((_, line, column)) => Err(HexError {
            line,
            column,
            reason: "odd number of hex digits",
        }),
        None => Ok(out),
    }
}

/// The bytes as lower-case hex, 16 to a line.
pub fn format(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 3);
    for (i, chunk) in bytes.chunks(16).enumerate() {
        if i > 0 {
            s.push('\n');
        }
        for (j, b) in chunk.iter().enumerate() {
            if j > 0 && j % 4 == 0 {
                s.push(' ');
            }
            s.push_str(&format!("{b:02x}"));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_spacing() {
        assert_eq!(parse("# x\n01 02\n0 3 # y 44\n").unwrap(), [1, 2, 3]);
        assert_eq!(
            format(&parse(&format(&[0u8; 20])).unwrap()),
            format(&[0u8; 20])
        );
    }

    #[test]
    fn errors_say_where() {
        assert_eq!(
            parse("01\n0g").unwrap_err(),
            HexError {
                line: 2,
                column: 2,
                reason: "not a hex digit"
            }
        );
        assert_eq!(parse("012").unwrap_err().reason, "odd number of hex digits");
    }
}
