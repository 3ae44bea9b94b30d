//! `decode [FILE]`: netplumb's own object, no `ip` counterpart.

use crate::args::{Cursor, Globals};
use crate::cmd::{Command, Object};
use crate::error::Res;
use crate::help::Topic;

/// The `decode` object.
pub const OBJECT: Object = Object {
    topic: TOPIC,
    parse,
};

/// `netplumb decode help`.
pub const TOPIC: Topic = Topic::new("decode", USAGE);

const USAGE: &str = "\
Usage: netplumb decode [ FILE ]
Decodes netlink messages from FILE (or standard input when FILE is absent or \"-\"):
raw bytes, or annotated hex text where '#' starts a comment.
";

/// `decode [FILE]`: netlink messages from FILE (`None` or `-` is stdin).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decode {
    /// The input file.
    pub file: Option<String>,
}

/// `decode [FILE]`.
fn parse(c: &mut Cursor, _: &Globals) -> Res<Command> {
    let file = match c.word() {
        None => None,
        Some("help") => return Ok(Command::Help(TOPIC)),
        Some(f) => Some(f.to_string()),
    };
    if let Some(extra) = c.word() {
        return Err(c.usage(format_args!("Error: unexpected argument \"{extra}\".")));
    }
    Ok(Command::of(Decode { file }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{err, parse_ok};

    #[test]
    fn decode_forms() {
        assert_eq!(parse_ok("decode"), Command::of(Decode { file: None }));
        assert_eq!(
            parse_ok("decode dump.hex"),
            Command::of(Decode {
                file: Some("dump.hex".into())
            })
        );
        assert_eq!(
            parse_ok("decode -"),
            Command::of(Decode {
                file: Some("-".into())
            })
        );
        assert_eq!(parse_ok("decode help"), Command::Help(TOPIC));
        assert!(err("decode a b").starts_with("Error: unexpected argument \"b\"."));
    }
}
