//! The ip-style renderers of links, addresses, routes, neighbours and rules, shared by the `show`
//! commands and `monitor`: one [`Rec`] per object holds both the JSON object (`ip -j` names
//! and value formats) and the text, following iproute2 6.1's `print_*` functions field by
//! field: a field printed with `PRINT_ANY` there is [`Rec::any`] here, `PRINT_JSON` is
//! [`Rec::json`], `PRINT_FP` is [`Rec::text`]. [`Opts`] says what the context prints;
//! [`Printer`] prints records as they are made, as one JSON array (`-j`) or their text.

pub mod addr;
pub mod link;
pub mod linkinfo;
pub mod neigh;
pub mod route;
pub mod rule;
pub mod vf;
pub mod xdp;

use crate::args::Globals;
use crate::ctx::Ctx;
use crate::error::CliError;
use crate::exec::output::write_failed;
use crate::json::{Value, Writer};
use std::borrow::Cow;
use std::fmt::{Display, Write as _};
use std::io::{BufWriter, StdoutLock, Write};

pub use netplumb::wire::USER_HZ;

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
    /// `-j`: only the JSON form is printed, so the records made by [`Opts::rec`] keep no
    /// text (formatting it would be wasted work).
    pub json: bool,
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
            json: g.json,
        }
    }

    /// A record starting with the `deleted` marker when the object was removed.
    pub fn rec(&self) -> Rec {
        let mut r = Rec {
            members: Vec::with_capacity(12),
            text: String::new(),
            json_only: self.json,
        };
        if self.deleted {
            r.any("deleted", true, "Deleted ");
        }
        r
    }
}

/// One printed object: its JSON members in order and its text.
///
/// Keys are `&'static str` (every member name is a literal), and text arguments are
/// `impl Display`, so a caller can pass `format_args!(...)`: nothing is formatted for a
/// record that keeps no text (`-j`, see [`Opts::json`]).
#[derive(Debug, Default)]
pub struct Rec {
    members: Vec<(Cow<'static, str>, Value)>,
    text: String,
    json_only: bool,
}

impl Rec {
    /// An empty record that keeps both forms.
    pub fn new() -> Rec {
        Rec::default()
    }

    /// A field printed in both forms (`PRINT_ANY`): `key: v` in JSON, `text` in text.
    pub fn any(&mut self, key: &'static str, v: impl Into<Value>, text: impl Display) -> &mut Self {
        self.members.push((Cow::Borrowed(key), v.into()));
        self.text(text)
    }

    /// A JSON-only member (`PRINT_JSON`).
    pub fn json(&mut self, key: &'static str, v: impl Into<Value>) -> &mut Self {
        self.members.push((Cow::Borrowed(key), v.into()));
        self
    }

    /// Text only (`PRINT_FP`).
    pub fn text(&mut self, s: impl Display) -> &mut Self {
        if !self.json_only {
            // Writing to a String cannot fail.
            let _ = write!(self.text, "{s}");
        }
        self
    }

    /// The JSON object.
    pub fn into_value(self) -> Value {
        Value::Object(
            self.members
                .into_iter()
                .map(|(k, v)| (k.into_owned(), v))
                .collect(),
        )
    }

    /// A record from a JSON object already built and its text.
    pub fn from_parts(v: Value, text: String) -> Rec {
        let members = match v {
            Value::Object(m) => m.into_iter().map(|(k, v)| (Cow::Owned(k), v)).collect(),
            _ => Vec::new(),
        };
        Rec {
            members,
            text,
            json_only: false,
        }
    }

    /// The text printed so far.
    pub fn text_str(&self) -> &str {
        &self.text
    }

    /// Writes the JSON object.
    fn write_json<W: Write>(&self, w: &mut Writer<W>) -> std::io::Result<()> {
        w.begin_object()?;
        for (k, v) in &self.members {
            w.field(k, v)?;
        }
        w.end_object()
    }
}

/// Prints records as they are made, the way `ip` prints a dump: one JSON array (`-j`,
/// `-p`) written element by element, or each record's text. Nothing is held but a 64 KiB
/// output buffer, so a dump of a million routes prints in constant memory.
///
/// A closed pipe (`netplumb -j route show | head -c 100`) ends the program quietly with
/// status 0, as `ip` ends on its `SIGPIPE`; any other write error is a failed command.
pub struct Printer {
    out: Out,
}

enum Out {
    Json(Writer<BufWriter<StdoutLock<'static>>>),
    Text(BufWriter<StdoutLock<'static>>),
}

impl Printer {
    /// A printer for the context's output form; a JSON array is opened at once (`[]` for
    /// no records, like `ip`).
    pub fn new(ctx: &Ctx<'_>) -> Result<Printer, CliError> {
        let buf = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        let out = if ctx.globals.json {
            let mut w = Writer::new(buf, ctx.globals.pretty);
            w.begin_array().map_err(write_failed)?;
            Out::Json(w)
        } else {
            Out::Text(buf)
        };
        Ok(Printer { out })
    }

    /// Prints one record.
    pub fn rec(&mut self, r: &Rec) -> Result<(), CliError> {
        match &mut self.out {
            Out::Json(w) => r.write_json(w),
            Out::Text(o) => o.write_all(r.text.as_bytes()),
        }
        .map_err(write_failed)
    }

    /// Closes the JSON array and flushes everything.
    pub fn finish(self) -> Result<(), CliError> {
        match self.out {
            Out::Json(mut w) => w.end_array().and_then(|()| w.finish().map(drop)),
            Out::Text(mut o) => o.flush(),
        }
        .map_err(write_failed)
    }
}

/// Prints `recs` the way `ip` does: one JSON array (`-j`, `-p`) or their texts in order.
pub fn print(ctx: &Ctx<'_>, recs: Vec<Rec>) -> Result<(), CliError> {
    let mut p = Printer::new(ctx)?;
    for r in &recs {
        p.rec(r)?;
    }
    p.finish()
}
