//! Turns the `{:?}` text of a decoded message into a JSON tree, for `netplumb -j decode`.
//!
//! The wire codec's owned messages derive `Debug`, so their Debug text is a faithful, complete
//! picture of what was decoded (unknown attributes included). Rather than a hand-written JSON
//! emitter for each of the codec's types, `decode -j` reads that text back into a tree:
//!
//! | Debug text                     | JSON                                  |
//! |--------------------------------|---------------------------------------|
//! | `Name { a: x, b: y }`          | `{"a": x, "b": y}` (the name dropped) |
//! | `Name(x)`                      | `{"Name": x}`                         |
//! | `Name(x, y)`                   | `{"Name": [x, y]}`                    |
//! | `Some(x)` / `None`             | `x` / `null`                          |
//! | `XxxFlags(A \| B)`, `NeighState(..)` | `{"XxxFlags": ["A", "B"]}` (`0x0` is `[]`) |
//! | `[x, y]`                       | `[x, y]`                              |
//! | `"text"`                       | `"text"`                              |
//! | `42`, `-1`, `true`             | numbers and booleans                  |
//! | anything else (`198.18.0.1`, `fe80::1`, `Unit`, `RTPROT_KERNEL`) | a string |
//!
//! The reader is total: it never fails and never panics, whatever the text; something it does
//! not recognise ends up as a string.

use crate::json::Value;

/// The JSON tree for the Debug text `debug` (compact `{:?}` form).
pub fn to_value(debug: &str) -> Value {
    let chars: Vec<char> = debug.chars().collect();
    let mut r = Reader { s: &chars, i: 0 };
    let v = r.value();
    r.ws();
    if r.i < chars.len() {
        // Trailing text the grammar did not take: keep everything, as text.
        return Value::Str(debug.to_string());
    }
    v
}

struct Reader<'a> {
    s: &'a [char],
    i: usize,
}

/// Characters that end an unquoted atom at nesting depth 0.
fn is_delim(c: char) -> bool {
    matches!(c, ',' | ')' | ']' | '}')
}

impl Reader<'_> {
    fn peek(&self) -> Option<char> {
        self.s.get(self.i).copied()
    }

    fn peek_at(&self, k: usize) -> Option<char> {
        self.s.get(self.i.saturating_add(k)).copied()
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: char) -> bool {
        self.ws();
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn value(&mut self) -> Value {
        self.ws();
        match self.peek() {
            None => Value::Null,
            Some('"') => Value::Str(self.string('"')),
            Some('\'') => Value::Str(self.string('\'')),
            Some('[') => {
                self.i += 1;
                Value::Array(self.list(']'))
            }
            Some('{') => {
                self.i += 1;
                Value::Object(self.fields(true))
            }
            Some(c) if c.is_alphabetic() || c == '_' => self.named(),
            Some(_) => atom(self.atom()),
        }
    }

    /// A value that starts with an identifier: a struct, a tuple, or a plain word.
    fn named(&mut self) -> Value {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_') {
            self.i += 1;
        }
        let name: String = self
            .s
            .get(start..self.i)
            .unwrap_or_default()
            .iter()
            .collect();
        match (self.peek(), self.peek_at(1)) {
            (Some('('), _) => {
                self.i += 1;
                self.tuple(name)
            }
            (Some(' '), Some('{')) => {
                self.i += 2;
                Value::Object(self.fields(false))
            }
            _ => {
                // A unit value, or a word the grammar does not know (`fe80::1`): read the
                // whole atom from its start.
                self.i = start;
                atom(self.atom())
            }
        }
    }

    /// `Name(` has been read.
    fn tuple(&mut self, name: String) -> Value {
        if name.ends_with("Flags") || name == "NeighState" {
            let save = self.i;
            let text = self.atom();
            if self.eat(')')
                && let Some(list) = flag_list(&text)
            {
                return Value::Object(vec![(name, Value::Array(list))]);
            }
            self.i = save;
        }
        let mut items = self.list(')');
        if name == "Some" && items.len() == 1 {
            return items.pop().unwrap_or(Value::Null);
        }
        let inner = if items.len() == 1 {
            items.pop().unwrap_or(Value::Null)
        } else {
            Value::Array(items)
        };
        Value::Object(vec![(name, inner)])
    }

    /// Comma-separated values up to `close` (the opening bracket has been read).
    fn list(&mut self, close: char) -> Vec<Value> {
        let mut items = Vec::new();
        loop {
            if self.eat(close) {
                return items;
            }
            let before = self.i;
            items.push(self.value());
            self.ws();
            if self.eat(',') {
                continue;
            }
            if self.eat(close) {
                return items;
            }
            if self.i == before || self.peek().is_none() {
                // No progress or end of text: stop here.
                self.skip_to(close);
                return items;
            }
        }
    }

    /// `name: value` members up to `}` (the `{` has been read). `keyed_by_value` is a map's
    /// Debug (`{k: v}`), whose keys are values themselves.
    fn fields(&mut self, keyed_by_value: bool) -> Vec<(String, Value)> {
        let mut members = Vec::new();
        loop {
            if self.eat('}') {
                return members;
            }
            self.ws();
            if self.peek() == Some('.') && self.peek_at(1) == Some('.') {
                // `..` of a non-exhaustive Debug.
                self.i += 2;
                continue;
            }
            let before = self.i;
            let key = if keyed_by_value {
                if matches!(self.peek(), Some('"' | '\'')) {
                    let q = self.peek().unwrap_or('"');
                    self.string(q)
                } else {
                    // A key runs to `: ` (an IPv6 key has colons without the space).
                    let start = self.i;
                    while self.peek().is_some_and(|c| !is_delim(c))
                        && !(self.peek() == Some(':') && self.peek_at(1) == Some(' '))
                    {
                        self.i += 1;
                    }
                    let k: String = self
                        .s
                        .get(start..self.i)
                        .unwrap_or_default()
                        .iter()
                        .collect();
                    k.trim().to_string()
                }
            } else {
                let start = self.i;
                while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    self.i += 1;
                }
                self.s
                    .get(start..self.i)
                    .unwrap_or_default()
                    .iter()
                    .collect()
            };
            if !self.eat(':') {
                self.skip_to('}');
                return members;
            }
            members.push((key, self.value()));
            self.ws();
            if self.eat(',') {
                continue;
            }
            if self.eat('}') {
                return members;
            }
            if self.i == before || self.peek().is_none() {
                self.skip_to('}');
                return members;
            }
        }
    }

    /// Moves past the next `close` at this nesting level (or to the end).
    fn skip_to(&mut self, close: char) {
        let mut depth = 0usize;
        while let Some(c) = self.peek() {
            self.i += 1;
            match c {
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' if depth == 0 => {
                    if c != close {
                        self.i -= 1;
                    }
                    return;
                }
                ')' | ']' | '}' => depth -= 1,
                '"' | '\'' => {
                    self.i -= 1;
                    let _ = self.string(c);
                }
                _ => {}
            }
        }
    }

    /// Unquoted text up to a delimiter at depth 0, trimmed.
    fn atom(&mut self) -> String {
        let start = self.i;
        let mut depth = 0usize;
        while let Some(c) = self.peek() {
            match c {
                '(' | '[' | '{' => depth += 1,
                c if is_delim(c) && depth == 0 => break,
                ')' | ']' | '}' => depth -= 1,
                _ => {}
            }
            self.i += 1;
        }
        let text: String = self
            .s
            .get(start..self.i)
            .unwrap_or_default()
            .iter()
            .collect();
        text.trim().to_string()
    }

    /// A quoted string with Rust's Debug escapes; the opening quote is next.
    fn string(&mut self, quote: char) -> String {
        self.i += 1;
        let mut out = String::new();
        while let Some(c) = self.peek() {
            self.i += 1;
            if c == quote {
                return out;
            }
            if c != '\\' {
                out.push(c);
                continue;
            }
            let Some(e) = self.peek() else { break };
            self.i += 1;
            match e {
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                '0' => out.push('\0'),
                'u' if self.peek() == Some('{') => {
                    let start = self.i + 1;
                    while self.peek().is_some_and(|c| c != '}') {
                        self.i += 1;
                    }
                    let hex: String = self
                        .s
                        .get(start..self.i)
                        .unwrap_or_default()
                        .iter()
                        .collect();
                    self.i += 1;
                    match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                        Some(ch) => out.push(ch),
                        None => out.push('\u{fffd}'),
                    }
                }
                other => out.push(other),
            }
        }
        out
    }
}

/// `A | B | 0x80`, or `0x0`: the flag names (hex for bits without a name); None if the text
/// is not a flags expression.
fn flag_list(text: &str) -> Option<Vec<Value>> {
    let mut out = Vec::new();
    for part in text.split('|').map(str::trim) {
        let hex = part.strip_prefix("0x");
        let ok = match hex {
            Some(h) => !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()),
            None => {
                part.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                    && part
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            }
        };
        if !ok {
            return None;
        }
        if hex.is_some_and(|h| h.chars().all(|c| c == '0')) {
            continue;
        }
        out.push(Value::from(part));
    }
    Some(out)
}

/// An unquoted atom as a number, boolean, null or string.
fn atom(text: String) -> Value {
    match text.as_str() {
        "true" => return Value::Bool(true),
        "false" => return Value::Bool(false),
        "None" => return Value::Null,
        _ => {}
    }
    if let Ok(n) = text.parse::<u64>() {
        return Value::U64(n);
    }
    if let Ok(n) = text.parse::<i64>() {
        return Value::I64(n);
    }
    if is_json_number(&text) {
        return Value::Number(text);
    }
    Value::Str(text)
}

/// `-?digits(.digits)?([eE][+-]?digits)?`, as JSON wants it (no leading `+`, no bare `.5`).
fn is_json_number(t: &str) -> bool {
    let b = t.strip_prefix('-').unwrap_or(t);
    let (mant, exp) = match b.find(['e', 'E']) {
        Some(p) => (b.get(..p).unwrap_or(""), Some(b.get(p + 1..).unwrap_or(""))),
        None => (b, None),
    };
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let mant_ok = match mant.split_once('.') {
        Some((i, f)) => digits(i) && digits(f),
        None => digits(mant),
    };
    let exp_ok = exp.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    mant_ok && exp_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn j(debug: &str) -> String {
        to_value(debug).to_text(false)
    }

    #[test]
    fn shapes() {
        assert_eq!(
            j(
                "Link(LinkMessage { header: LinkHeader { family: 0, index: -3 }, attrs: [IfName(\"veth0\"), Mtu(1500), Carrier(1)] })"
            ),
            r#"{"Link":{"header":{"family":0,"index":-3},"attrs":[{"IfName":"veth0"},{"Mtu":1500},{"Carrier":1}]}}"#
        );
        assert_eq!(
            j(
                "Route(RouteMessage { header: RouteHeader { protocol: RTPROT_KERNEL, scope: Scope(link), flags: RouteFlags(0x0) }, attrs: [Gateway(198.18.0.1), Destination(2001:db8::), Dst(fe80::1)] })"
            ),
            r#"{"Route":{"header":{"protocol":"RTPROT_KERNEL","scope":{"Scope":"link"},"flags":{"RouteFlags":[]}},"attrs":[{"Gateway":"198.18.0.1"},{"Destination":"2001:db8::"},{"Dst":"fe80::1"}]}}"#
        );
        assert_eq!(
            j("IfFlags(UP | BROADCAST | 0x800000)"),
            r#"{"IfFlags":["UP","BROADCAST","0x800000"]}"#
        );
        assert_eq!(
            j("NeighState(PERMANENT)"),
            r#"{"NeighState":["PERMANENT"]}"#
        );
        assert_eq!(j("Some(3)"), "3");
        assert_eq!(j("None"), "null");
        assert_eq!(j("Pair(1, \"a\")"), r#"{"Pair":[1,"a"]}"#);
        assert_eq!(j("Unit"), r#""Unit""#);
        assert_eq!(j("[]"), "[]");
        assert_eq!(j("X { }"), "{}");
        assert_eq!(j("X { a: 1, .. }"), r#"{"a":1}"#);
        assert_eq!(j("{1: \"x\"}"), r#"{"1":"x"}"#);
        assert_eq!(j("1.5s"), r#""1.5s""#);
        assert_eq!(j("1.5"), "1.5");
        assert_eq!(j("-0.25e-3"), "-0.25e-3");
        assert_eq!(j(r#""q\"b\\s\n\u{1b}é""#), r#""q\"b\\s\n\u001bé""#);
    }

    #[test]
    fn any_text_gives_some_tree_without_panicking() {
        for t in [
            "",
            "(",
            ")",
            "[",
            "]]]",
            "{",
            "}",
            "A {",
            "A { b",
            "A { b:",
            "A(",
            "A(1,",
            "\"open",
            "'",
            "\\",
            "Flags(A |",
            "X { a: 1 b: 2 }",
            "[1 2]",
            "a: b",
            ",,,",
            "\"\\u{zz}\"",
            "\"\\u{110000}\"",
            "\"\\u{",
            "Some(",
            "IfFlags()",
            "é(é)",
        ] {
            let _ = to_value(t).to_text(false);
        }
        // Every real Debug text round-trips the strings in it.
        let v = to_value(&format!("{:?}", vec![Some("a\"b".to_string()), None]));
        assert_eq!(v.to_text(false), r#"["a\"b",null]"#);
    }
}
