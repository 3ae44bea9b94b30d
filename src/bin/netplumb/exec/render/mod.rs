//! The ip-style renderers of links, addresses, routes and neighbours, shared by the `show`
//! commands and `monitor`: one [`Rec`] per object holds both the JSON object (`ip -j` names
//! and value formats) and the text, following iproute2 6.1's `print_*` functions field by
//! field: a field printed with `PRINT_ANY` there is [`Rec::any`] here, `PRINT_JSON` is
//! [`Rec::json`], `PRINT_FP` is [`Rec::text`]. [`Opts`] says what the context prints.

pub mod addr;
pub mod link;
pub mod linkinfo;
pub mod neigh;
pub mod route;

use super::Ctx;
use crate::args::{CliError, Globals};
use crate::json::Value;
use std::io::Write;

/// What the context prints: `-N`, `-d`, `-s`, `-o` for the `show` commands; none of them,
/// and `Deleted` for a removal, in `monitor`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Opts {
    /// `-N`: numbers instead of names.
    pub numeric: bool,
    /// `-d`.
    pub details: bool,
    /// `-s`, given this many times.
    pub stats: u8,
    /// `-o`: one line per record, `\` for the line breaks.
    pub oneline: bool,
    /// The object was removed (`RTM_DEL*` in `monitor`): `"deleted": true`, `Deleted `.
    pub deleted: bool,
}

impl Opts {
    /// What the global options select.
    pub fn of(g: &Globals) -> Opts {
        Opts {
            numeric: g.numeric,
            details: g.details > 0,
            stats: g.stats,
            oneline: g.oneline,
            deleted: false,
        }
    }

    /// A record starting with the `deleted` marker when the object was removed.
    pub fn rec(&self) -> Rec {
        let mut r = Rec::new();
        if self.deleted {
            r.any("deleted", true, "Deleted ");
        }
        r
    }
}

/// One printed object: its JSON members in order and its text.
#[derive(Debug, Default)]
pub struct Rec {
    members: Vec<(String, Value)>,
    text: String,
}

impl Rec {
    /// An empty record.
    pub fn new() -> Rec {
        Rec::default()
    }

    /// A field printed in both forms (`PRINT_ANY`): `key: v` in JSON, `text` in text.
    pub fn any(&mut self, key: &str, v: impl Into<Value>, text: impl AsRef<str>) -> &mut Self {
        self.members.push((key.to_string(), v.into()));
        self.text.push_str(text.as_ref());
        self
    }

    /// A JSON-only member (`PRINT_JSON`).
    pub fn json(&mut self, key: &str, v: impl Into<Value>) -> &mut Self {
        self.members.push((key.to_string(), v.into()));
        self
    }

    /// Text only (`PRINT_FP`).
    pub fn text(&mut self, s: impl AsRef<str>) -> &mut Self {
        self.text.push_str(s.as_ref());
        self
    }

    /// The JSON object.
    pub fn into_value(self) -> Value {
        Value::Object(self.members)
    }

    /// A record from a JSON object already built and its text.
    pub fn from_parts(v: Value, text: String) -> Rec {
        let members = match v {
            Value::Object(m) => m,
            _ => Vec::new(),
        };
        Rec { members, text }
    }

    /// The text printed so far.
    pub fn text_str(&self) -> &str {
        &self.text
    }
}

/// Prints `recs` the way `ip` does: one JSON array (`-j`, `-p`) or their texts in order.
pub fn print(ctx: &Ctx<'_>, recs: Vec<Rec>) -> Result<(), CliError> {
    let out = if ctx.globals.json {
        let doc = Value::Array(recs.into_iter().map(Rec::into_value).collect());
        let mut s = doc.to_text(ctx.globals.pretty);
        s.push('\n');
        s
    } else {
        recs.iter().map(Rec::text_str).collect()
    };
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        // `netplumb ... | head` is not a failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::Failed(format!("Error: writing output: {e}"))),
    }
}
