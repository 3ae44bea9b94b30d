//! `decode [FILE]`: netplumb's own object, no `ip` counterpart.

use crate::args::{Cursor, Globals};
use crate::cmd::{Command, Object};
use crate::error::Res;
use crate::help::Topic;
use netplumb::socket::Protocol;

/// The `decode` object.
pub const OBJECT: Object = Object {
    topic: TOPIC,
    parse,
};

/// `netplumb decode help`.
pub const TOPIC: Topic = Topic::new("decode", USAGE);

const USAGE: &str = "\
Usage: netplumb decode [ protocol { route | netfilter } ] [ FILE ]
Decodes netlink messages from FILE (or standard input when FILE is absent or \"-\"):
raw bytes, or annotated hex text where '#' starts a comment.
rtnetlink (route) or nfnetlink (netfilter: nf_tables and its batches) is recognised
from the messages as a whole; \"protocol\" decodes them as the one given.
";

/// `decode [protocol P] [FILE]`: netlink messages from FILE (`None` or `-` is stdin).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decode {
    /// The protocol to decode as; recognised from the bytes when `None`.
    pub protocol: Option<Protocol>,
    /// The input file.
    pub file: Option<String>,
}

/// `decode [protocol P] [FILE]`.
fn parse(c: &mut Cursor, _: &Globals) -> Res<Command> {
    let mut protocol = None;
    if c.peek() == Some("protocol") {
        c.word();
        let table = [
            ("route", Protocol::Route),
            ("netfilter", Protocol::Netfilter),
        ];
        protocol = Some(c.one_of(&table, "protocol")?);
    }
    let file = match c.word() {
        None => None,
        Some("help") => return Ok(Command::Help(TOPIC)),
        Some(f) => Some(f.to_string()),
    };
    if let Some(extra) = c.word() {
        return Err(c.usage(format_args!("Error: unexpected argument \"{extra}\".")));
    }
    Ok(Command::of(Decode { protocol, file }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{err, parse_ok};

    #[test]
    fn decode_forms() {
        assert_eq!(parse_ok("decode"), Command::of(Decode::default()));
        assert_eq!(
            parse_ok("decode dump.hex"),
            Command::of(Decode {
                file: Some("dump.hex".into()),
                ..Decode::default()
            })
        );
        assert_eq!(
            parse_ok("decode -"),
            Command::of(Decode {
                file: Some("-".into()),
                ..Decode::default()
            })
        );
        assert_eq!(
            parse_ok("decode protocol netfilter batch.hex"),
            Command::of(Decode {
                protocol: Some(Protocol::Netfilter),
                file: Some("batch.hex".into())
            })
        );
        assert!(err("decode protocol ipx").contains("\"ipx\""));
        assert_eq!(parse_ok("decode help"), Command::Help(TOPIC));
        assert!(err("decode a b").starts_with("Error: unexpected argument \"b\"."));
    }
}
