//! A small ordered JSON writer that prints what `ip -j` and `ip -j -p` print.
//!
//! No serde: the binary adds no dependency to the library's. [`Writer`] streams (a dump can be
//! written record by record without holding it); [`Value`] is an ordered tree for callers
//! that build a record first.
//!
//! Pretty output follows iproute2 6.1 byte for byte: a 4-space indent per level, an object's
//! members each on their own line, arrays kept on the line they open (`[ "UP","LOWER_UP" ]`,
//! `[ {` ... `},{` ... `} ]`, `[ ]` when empty). Compact output has no white space at all.
//! Strings are escaped as JSON requires (iproute2 passes control characters other than
//! `\t \n \r \f \b` through raw, which is not JSON; here they become `\u00XX`).

use std::io::{self, Write};

/// A JSON value whose objects keep their members in insertion order.
///
/// Strings of up to [`Short::CAP`] bytes (addresses, link names, most words) are kept inline
/// as [`Value::Short`], so that a record of a large dump is built without allocating;
/// `Short` and `Str` holding the same text are equal.
#[derive(Debug, Clone)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An unsigned integer.
    U64(u64),
    /// A signed integer.
    I64(i64),
    /// A number already formatted (`0.00` for iproute2's timers); written verbatim, so it
    /// must be a valid JSON number.
    Number(String),
    /// A string.
    Str(String),
    /// A short string, inline.
    Short(Short),
    /// An array.
    Array(Vec<Value>),
    /// An object, members in order.
    Object(Vec<(String, Value)>),
}

impl Value {
    /// An empty object to `push` members into.
    pub fn object() -> Value {
        Value::Object(Vec::new())
    }

    /// Appends a member to an object (does nothing to other values).
    pub fn push(&mut self, key: impl Into<String>, v: impl Into<Value>) -> &mut Self {
        if let Value::Object(m) = self {
            m.push((key.into(), v.into()));
        }
        self
    }

    /// The value as compact (`pretty` false) or pretty text, without a trailing newline.
    pub fn to_text(&self, pretty: bool) -> String {
        let mut w = Writer::new(Vec::new(), pretty);
        // Writing to a Vec cannot fail.
        let _ = w.value(self);
        String::from_utf8(w.out).unwrap_or_default()
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::U64(a), Value::U64(b)) => a == b,
            (Value::I64(a), Value::I64(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::Array(a), Value::Array(b)) => a == b,
            (Value::Object(a), Value::Object(b)) => a == b,
            (a, b) => match (a.as_str(), b.as_str()) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            },
        }
    }
}

impl Value {
    /// The text of a string value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            Value::Short(s) => Some(s.as_str()),
            _ => None,
        }
    }

    /// A string value holding `d` as text; inline when it is short enough.
    pub fn display(d: impl std::fmt::Display) -> Value {
        let mut s = Short::default();
        match std::fmt::write(&mut s, format_args!("{d}")) {
            Ok(()) => Value::Short(s),
            Err(_) => Value::Str(d.to_string()),
        }
    }

    /// An address as `inet_ntop` writes it, with `/len` when `len` is given; made without
    /// allocating (IPv4 is written digit by digit, the most common field of a route dump).
    pub fn addr(a: std::net::IpAddr, len: Option<u8>) -> Value {
        let (mut s, ok) = match a {
            std::net::IpAddr::V4(a) => (Short::ipv4(a.octets()), Ok(())),
            std::net::IpAddr::V6(a) => {
                let mut s = Short::default();
                let ok = std::fmt::write(&mut s, format_args!("{a}"));
                (s, ok)
            }
        };
        let ok = ok.and_then(|()| match len {
            Some(l) => std::fmt::write(&mut s, format_args!("/{l}")),
            None => Ok(()),
        });
        match ok {
            Ok(()) => Value::Short(s),
            Err(_) => Value::Str(match len {
                Some(l) => format!("{a}/{l}"),
                None => a.to_string(),
            }),
        }
    }
}

/// A string of at most [`Short::CAP`] bytes, stored inline.
#[derive(Clone, Copy)]
pub struct Short {
    len: u8,
    buf: [u8; Short::CAP],
}

impl Short {
    /// The longest text kept inline: an IPv6 address with a prefix length fits.
    pub const CAP: usize = 54;

    /// The text's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..usize::from(self.len)).unwrap_or_default()
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        // Only whole `str`s and ASCII digits and dots are ever written.
        std::str::from_utf8(self.buf.get(..usize::from(self.len)).unwrap_or_default())
            .unwrap_or_default()
    }

    /// `a.b.c.d`, written digit by digit (at most 15 bytes: it always fits).
    fn ipv4(octets: [u8; 4]) -> Short {
        let mut s = Short::default();
        let mut at = 0;
        for (i, o) in octets.into_iter().enumerate() {
            if i > 0 {
                s.buf[at] = b'.';
                at += 1;
            }
            if o >= 100 {
                s.buf[at] = b'0' + o / 100;
                at += 1;
            }
            if o >= 10 {
                s.buf[at] = b'0' + o / 10 % 10;
                at += 1;
            }
            s.buf[at] = b'0' + o % 10;
            at += 1;
        }
        s.len = at as u8;
        s
    }
}

impl Default for Short {
    fn default() -> Self {
        Short {
            len: 0,
            buf: [0; Short::CAP],
        }
    }
}

impl std::fmt::Write for Short {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let at = usize::from(self.len);
        let end = at + s.len();
        let dst = self.buf.get_mut(at..end).ok_or(std::fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end as u8;
        Ok(())
    }
}

impl std::fmt::Debug for Short {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq for Short {
    fn eq(&self, other: &Short) -> bool {
        self.as_str() == other.as_str()
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        let mut short = Short::default();
        match std::fmt::Write::write_str(&mut short, s) {
            Ok(()) => Value::Short(short),
            Err(_) => Value::Str(s.to_string()),
        }
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<u64> for Value {
    fn from(n: u64) -> Self {
        Value::U64(n)
    }
}

impl From<u32> for Value {
    fn from(n: u32) -> Self {
        Value::U64(n.into())
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::I64(n)
    }
}

impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Self {
        Value::Array(v)
    }
}

/// A streaming JSON writer. Calls must nest properly (`begin_object` ... `end_object`,
/// `key` before each member value); the writer does not check.
pub struct Writer<W: Write> {
    out: W,
    pretty: bool,
    depth: usize,
    /// Something was written at this level, so the next element needs a comma.
    sep: bool,
}

impl<W: Write> Writer<W> {
    /// A writer producing compact or pretty output.
    pub fn new(out: W, pretty: bool) -> Self {
        Writer {
            out,
            pretty,
            depth: 0,
            sep: false,
        }
    }

    /// Ends the document with the newline `ip` prints and returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(b"\n")?;
        self.out.flush()?;
        Ok(self.out)
    }

    fn comma(&mut self) -> io::Result<()> {
        if self.sep {
            self.out.write_all(b",")?;
        }
        Ok(())
    }

    fn newline(&mut self) -> io::Result<()> {
        if self.pretty {
            write!(self.out, "\n{:1$}", "", self.depth * 4)?;
        }
        Ok(())
    }

    /// `{`.
    pub fn begin_object(&mut self) -> io::Result<()> {
        self.comma()?;
        self.out.write_all(b"{")?;
        self.depth += 1;
        self.sep = false;
        Ok(())
    }

    /// `}`.
    pub fn end_object(&mut self) -> io::Result<()> {
        self.depth = self.depth.saturating_sub(1);
        if self.sep {
            self.newline()?;
        }
        self.out.write_all(b"}")?;
        self.sep = true;
        Ok(())
    }

    /// `[`.
    pub fn begin_array(&mut self) -> io::Result<()> {
        self.comma()?;
        self.out.write_all(if self.pretty { b"[ " } else { b"[" })?;
        self.depth += 1;
        self.sep = false;
        Ok(())
    }

    /// `]`.
    pub fn end_array(&mut self) -> io::Result<()> {
        self.depth = self.depth.saturating_sub(1);
        if self.pretty && self.sep {
            self.out.write_all(b" ")?;
        }
        self.out.write_all(b"]")?;
        self.sep = true;
        Ok(())
    }

    /// A member name; the member's value comes next.
    pub fn key(&mut self, k: &str) -> io::Result<()> {
        self.comma()?;
        self.newline()?;
        write_str(&mut self.out, k)?;
        self.out.write_all(if self.pretty { b": " } else { b":" })?;
        self.sep = false;
        Ok(())
    }

    fn scalar(&mut self, f: impl FnOnce(&mut W) -> io::Result<()>) -> io::Result<()> {
        self.comma()?;
        f(&mut self.out)?;
        self.sep = true;
        Ok(())
    }

    /// A string value.
    pub fn str(&mut self, s: &str) -> io::Result<()> {
        self.scalar(|o| write_str(o, s))
    }

    /// An unsigned number.
    pub fn u64(&mut self, n: u64) -> io::Result<()> {
        self.scalar(|o| write!(o, "{n}"))
    }

    /// A signed number.
    pub fn i64(&mut self, n: i64) -> io::Result<()> {
        self.scalar(|o| write!(o, "{n}"))
    }

    /// `true` / `false`.
    pub fn bool(&mut self, b: bool) -> io::Result<()> {
        self.scalar(|o| o.write_all(if b { b"true" } else { b"false" }))
    }

    /// `null`.
    pub fn null(&mut self) -> io::Result<()> {
        self.scalar(|o| o.write_all(b"null"))
    }

    /// A preformatted number, written verbatim.
    pub fn number(&mut self, text: &str) -> io::Result<()> {
        self.scalar(|o| o.write_all(text.as_bytes()))
    }

    /// A member: `key` then `value`.
    pub fn field(&mut self, k: &str, v: &Value) -> io::Result<()> {
        self.key(k)?;
        self.value(v)
    }

    /// Any value, recursively.
    pub fn value(&mut self, v: &Value) -> io::Result<()> {
        match v {
            Value::Null => self.null(),
            Value::Bool(b) => self.bool(*b),
            Value::U64(n) => self.u64(*n),
            Value::I64(n) => self.i64(*n),
            Value::Number(t) => self.number(t),
            Value::Str(s) => self.str(s),
            Value::Short(s) => self.scalar(|o| write_str_bytes(o, s.as_bytes())),
            Value::Array(items) => {
                self.begin_array()?;
                for i in items {
                    self.value(i)?;
                }
                self.end_array()
            }
            Value::Object(members) => {
                self.begin_object()?;
                for (k, v) in members {
                    self.field(k, v)?;
                }
                self.end_object()
            }
        }
    }
}

/// A quoted, escaped JSON string.
fn write_str<W: Write>(out: &mut W, s: &str) -> io::Result<()> {
    write_str_bytes(out, s.as_bytes())
}

/// [`write_str`] of the bytes of a `str` (escaping works on bytes: every byte that needs an
/// escape is ASCII).
fn write_str_bytes<W: Write>(out: &mut W, s: &[u8]) -> io::Result<()> {
    out.write_all(b"\"")?;
    // Most strings need no escape at all: one write.
    if !s.iter().any(|b| *b < 0x20 || *b == b'"' || *b == b'\\') {
        out.write_all(s)?;
        return out.write_all(b"\"");
    }
    let mut start = 0;
    for (i, b) in s.iter().copied().enumerate() {
        let esc: Option<&[u8]> = match b {
            b'"' => Some(b"\\\""),
            b'\\' => Some(b"\\\\"),
            b'\n' => Some(b"\\n"),
            b'\r' => Some(b"\\r"),
            b'\t' => Some(b"\\t"),
            0x08 => Some(b"\\b"),
            0x0c => Some(b"\\f"),
            0..=0x1f => None,
            _ => continue,
        };
        out.write_all(s.get(start..i).unwrap_or_default())?;
        match esc {
            Some(e) => out.write_all(e)?,
            None => write!(out, "\\u{b:04x}")?,
        }
        start = i + 1;
    }
    out.write_all(s.get(start..).unwrap_or_default())?;
    out.write_all(b"\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal JSON reader for the tests: integers stay integers, other numbers keep their
    /// text, so a document read and written again must come out byte for byte.
    struct Reader<'a> {
        s: &'a [u8],
        i: usize,
    }

    impl Reader<'_> {
        fn ws(&mut self) {
            while self.s.get(self.i).is_some_and(|c| c.is_ascii_whitespace()) {
                self.i += 1;
            }
        }

        fn eat(&mut self, c: u8) {
            self.ws();
            assert_eq!(self.s[self.i], c, "at {}", self.i);
            self.i += 1;
        }

        fn peek(&mut self) -> u8 {
            self.ws();
            self.s[self.i]
        }

        fn string(&mut self) -> String {
            self.eat(b'"');
            let mut out = Vec::new();
            loop {
                let c = self.s[self.i];
                self.i += 1;
                match c {
                    b'"' => break,
                    b'\\' => {
                        let e = self.s[self.i];
                        self.i += 1;
                        match e {
                            b'n' => out.push(b'\n'),
                            b't' => out.push(b'\t'),
                            b'r' => out.push(b'\r'),
                            b'b' => out.push(8),
                            b'f' => out.push(12),
                            b'u' => {
                                let h = std::str::from_utf8(&self.s[self.i..self.i + 4]).unwrap();
                                let ch =
                                    char::from_u32(u32::from_str_radix(h, 16).unwrap()).unwrap();
                                out.extend(ch.to_string().bytes());
                                self.i += 4;
                            }
                            other => out.push(other),
                        }
                    }
                    c => out.push(c),
                }
            }
            String::from_utf8(out).unwrap()
        }

        fn value(&mut self) -> Value {
            match self.peek() {
                b'{' => {
                    self.eat(b'{');
                    let mut m = Vec::new();
                    if self.peek() == b'}' {
                        self.eat(b'}');
                        return Value::Object(m);
                    }
                    loop {
                        let k = self.string();
                        self.eat(b':');
                        m.push((k, self.value()));
                        if self.peek() == b',' {
                            self.eat(b',');
                        } else {
                            self.eat(b'}');
                            return Value::Object(m);
                        }
                    }
                }
                b'[' => {
                    self.eat(b'[');
                    let mut a = Vec::new();
                    if self.peek() == b']' {
                        self.eat(b']');
                        return Value::Array(a);
                    }
                    loop {
                        a.push(self.value());
                        if self.peek() == b',' {
                            self.eat(b',');
                        } else {
                            self.eat(b']');
                            return Value::Array(a);
                        }
                    }
                }
                b'"' => Value::Str(self.string()),
                b't' => {
                    self.i += 4;
                    Value::Bool(true)
                }
                b'f' => {
                    self.i += 5;
                    Value::Bool(false)
                }
                b'n' => {
                    self.i += 4;
                    Value::Null
                }
                _ => {
                    let start = self.i;
                    while self
                        .s
                        .get(self.i)
                        .is_some_and(|c| b"+-.eE0123456789".contains(c))
                    {
                        self.i += 1;
                    }
                    let t = std::str::from_utf8(&self.s[start..self.i]).unwrap();
                    t.parse::<u64>()
                        .map(Value::U64)
                        .or_else(|_| t.parse::<i64>().map(Value::I64))
                        .unwrap_or_else(|_| Value::Number(t.to_string()))
                }
            }
        }
    }

    fn read(text: &str) -> Value {
        let mut r = Reader {
            s: text.as_bytes(),
            i: 0,
        };
        let v = r.value();
        r.ws();
        assert_eq!(r.i, text.len(), "trailing text");
        v
    }

    fn write(v: &Value, pretty: bool) -> String {
        let mut w = Writer::new(Vec::new(), pretty);
        w.value(v).unwrap();
        String::from_utf8(w.finish().unwrap()).unwrap()
    }

    /// Every capture of `ip -j` and `ip -j -p` (see testdata/README.md) re-serialises to the
    /// same bytes, and the compact and pretty captures hold the same value.
    #[test]
    fn matches_iproute2_output_byte_for_byte() {
        let files: &[(&str, &str, &str)] = &[
            (
                "port",
                include_str!("testdata/port.json"),
                include_str!("testdata/port.pretty.json"),
            ),
            (
                "links",
                include_str!("testdata/links.json"),
                include_str!("testdata/links.pretty.json"),
            ),
            (
                "addr",
                include_str!("testdata/addr.json"),
                include_str!("testdata/addr.pretty.json"),
            ),
            (
                "route",
                include_str!("testdata/route.json"),
                include_str!("testdata/route.pretty.json"),
            ),
            (
                "route6",
                include_str!("testdata/route6.json"),
                include_str!("testdata/route6.pretty.json"),
            ),
            (
                "neigh",
                include_str!("testdata/neigh.json"),
                include_str!("testdata/neigh.pretty.json"),
            ),
            (
                "alias",
                include_str!("testdata/alias.json"),
                include_str!("testdata/alias.pretty.json"),
            ),
        ];
        for (name, compact, pretty) in files {
            let v = read(compact);
            assert_eq!(read(pretty), v, "{name}: compact and pretty differ");
            assert_eq!(write(&v, false), *compact, "{name} compact");
            assert_eq!(write(&v, true), *pretty, "{name} pretty");
        }
    }

    #[test]
    fn pretty_layout() {
        let mut rec = Value::object();
        rec.push("ifname", "lo")
            .push("flags", vec![Value::from("UP"), Value::from("LOWER_UP")])
            .push("empty", Vec::<Value>::new())
            .push("none", Value::object())
            .push("info", {
                let mut o = Value::object();
                o.push("kind", "veth")
                    .push("t", Value::Number("0.00".into()));
                o
            })
            .push(
                "list",
                vec![Value::object(), {
                    let mut o = Value::object();
                    o.push("a", 1u32);
                    o
                }],
            );
        let doc = Value::Array(vec![rec]);
        assert_eq!(
            write(&doc, true),
            "[ {\n        \"ifname\": \"lo\",\n        \"flags\": [ \"UP\",\"LOWER_UP\" ],\n        \
             \"empty\": [ ],\n        \"none\": {},\n        \"info\": {\n            \
             \"kind\": \"veth\",\n            \"t\": 0.00\n        },\n        \
             \"list\": [ {},{\n                \"a\": 1\n            } ]\n    } ]\n"
        );
        assert_eq!(
            write(&doc, false),
            "[{\"ifname\":\"lo\",\"flags\":[\"UP\",\"LOWER_UP\"],\"empty\":[],\"none\":{},\
             \"info\":{\"kind\":\"veth\",\"t\":0.00},\"list\":[{},{\"a\":1}]}]\n"
        );
        assert_eq!(write(&Value::Array(vec![]), true), "[ ]\n");
        assert_eq!(write(&Value::Array(vec![]), false), "[]\n");
    }

    #[test]
    fn scalars_and_escaping() {
        let v = Value::Array(vec![
            Value::Null,
            Value::Bool(true),
            Value::Bool(false),
            Value::U64(u64::MAX),
            Value::I64(-5),
            Value::from("q\"b\\s/t\tn\n\r\u{8}\u{c}\u{1}\u{1f}é\u{7f}"),
        ]);
        assert_eq!(
            v.to_text(false),
            "[null,true,false,18446744073709551615,-5,\"q\\\"b\\\\s/t\\tn\\n\\r\\b\\f\\u0001\\u001fé\u{7f}\"]"
        );
        // Whatever goes in comes back out of a JSON reader.
        let s = "\u{0}\u{2}x\"\\y\u{1b}";
        assert_eq!(read(&Value::from(s).to_text(false)), Value::from(s));
    }

    #[test]
    fn streaming_matches_the_tree() {
        let mut w = Writer::new(Vec::new(), true);
        w.begin_array().unwrap();
        for i in 0..2u64 {
            w.begin_object().unwrap();
            w.key("n").unwrap();
            w.u64(i).unwrap();
            w.key("l").unwrap();
            w.begin_array().unwrap();
            w.str("x").unwrap();
            w.end_array().unwrap();
            w.end_object().unwrap();
        }
        w.end_array().unwrap();
        let out = String::from_utf8(w.finish().unwrap()).unwrap();
        let mut a = Value::object();
        a.push("n", 0u64).push("l", vec![Value::from("x")]);
        let mut b = Value::object();
        b.push("n", 1u64).push("l", vec![Value::from("x")]);
        assert_eq!(out, write(&Value::Array(vec![a, b]), true));
    }

    #[test]
    fn addresses_are_written_as_inet_ntop_writes_them() {
        use std::net::{IpAddr, Ipv4Addr};
        // Every octet width, both ends of each.
        for o in [0u8, 1, 9, 10, 42, 99, 100, 109, 199, 200, 255] {
            let a = Ipv4Addr::new(o, 255 - o, o / 2, 198);
            let v = Value::addr(IpAddr::V4(a), None);
            assert!(matches!(v, Value::Short(_)), "{v:?}");
            assert_eq!(v.as_str(), Some(a.to_string().as_str()));
        }
        let v4 = IpAddr::V4(Ipv4Addr::new(198, 18, 0, 1));
        assert_eq!(Value::addr(v4, Some(24)).as_str(), Some("198.18.0.1/24"));
        let long: IpAddr = "2001:db8:1234:5678:9abc:def0:1234:5678".parse().unwrap();
        let v = Value::addr(long, Some(128));
        assert!(matches!(v, Value::Short(_)));
        assert_eq!(
            v.as_str(),
            Some("2001:db8:1234:5678:9abc:def0:1234:5678/128")
        );
        let mapped: IpAddr = "::ffff:198.18.255.255".parse().unwrap();
        assert_eq!(
            Value::addr(mapped, Some(96)).as_str(),
            Some("::ffff:198.18.255.255/96")
        );
    }

    #[test]
    fn short_and_long_strings_are_the_same_values() {
        let short = Value::from("eth0");
        assert!(matches!(short, Value::Short(_)));
        assert_eq!(short, Value::Str("eth0".into()));
        assert_ne!(short, Value::Str("eth1".into()));
        assert_ne!(short, Value::U64(0));
        // Past the inline capacity: a heap string, same text, same output.
        let text = "x".repeat(Short::CAP + 1);
        let long = Value::from(text.as_str());
        assert!(matches!(long, Value::Str(_)));
        assert_eq!(long.as_str(), Some(text.as_str()));
        let exact = "y".repeat(Short::CAP);
        assert!(matches!(Value::from(exact.as_str()), Value::Short(_)));
        assert!(matches!(
            Value::display(format_args!("{text}")),
            Value::Str(_)
        ));
        assert_eq!(
            Value::display(format_args!("if{}", 7)).as_str(),
            Some("if7")
        );
        // Escaping is the same for both forms.
        assert_eq!(Value::from("a\"b").to_text(false), "\"a\\\"b\"");
        assert_eq!(
            Value::from(format!("{text}\n").as_str()).to_text(false),
            format!("\"{text}\\n\"")
        );
    }
}
