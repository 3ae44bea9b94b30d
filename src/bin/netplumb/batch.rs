//! `-batch FILE`: commands one per line, split into words the way `ip -batch` does.
//!
//! Words are separated by white space; `"..."` and `'...'` quote (quotes may sit inside a word
//! and concatenate, `a"b c"d` is `ab cd`; `""` is an empty word); `#` outside quotes starts a
//! comment; a backslash ending a line joins the next line; blank and comment-only lines are
//! skipped. A command's number is that of its last physical line, as `ip` reports it in
//! "Command failed FILE:LINE". Unlike `ip`, a `#` inside quotes is part of the word.

use crate::error::CliError;
use std::io::BufRead;

/// The commands of a batch: (line number, words) in order, or the error of a line that could
/// not be split (an unterminated quote) or read. Reading stops after a read error.
pub fn read<R: BufRead>(reader: R) -> impl Iterator<Item = (usize, Result<Vec<String>, CliError>)> {
    Batch {
        reader,
        line_no: 0,
        done: false,
    }
}

struct Batch<R> {
    reader: R,
    line_no: usize,
    done: bool,
}

impl<R: BufRead> Batch<R> {
    /// The next physical line without its line ending; `None` at the end of the input.
    fn line(&mut self) -> Option<Result<String, CliError>> {
        let mut buf = Vec::new();
        match self.reader.read_until(b'\n', &mut buf) {
            Ok(0) => None,
            Ok(_) => {
                self.line_no += 1;
                while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                    buf.pop();
                }
                Some(Ok(String::from_utf8_lossy(&buf).into_owned()))
            }
            Err(e) => Some(Err(CliError::Failed(format!(
                "Cannot read batch input: {e}"
            )))),
        }
    }
}

impl<R: BufRead> Iterator for Batch<R> {
    type Item = (usize, Result<Vec<String>, CliError>);

    fn next(&mut self) -> Option<Self::Item> {
        let mut split = Splitter::default();
        while !self.done {
            let line = match self.line() {
                Some(Ok(l)) => l,
                Some(Err(e)) => {
                    self.done = true;
                    return Some((self.line_no + 1, Err(e)));
                }
                // The input ended, possibly right after a continuation backslash.
                None => {
                    self.done = true;
                    split.end_word();
                    return (!split.words.is_empty()).then_some((self.line_no, Ok(split.words)));
                }
            };
            match split.feed(&line) {
                Err(e) => return Some((self.line_no, Err(e))),
                Ok(true) => continue,
                Ok(false) if split.words.is_empty() => split = Splitter::default(),
                Ok(false) => return Some((self.line_no, Ok(split.words))),
            }
        }
        None
    }
}

/// Word splitting state, kept across a backslash-continued line.
#[derive(Default)]
struct Splitter {
    words: Vec<String>,
    /// The word being built, if one has started (a quoted empty string starts one).
    cur: Option<String>,
}

impl Splitter {
    /// Splits one physical line; true when it ends with a continuation backslash.
    fn feed(&mut self, line: &str) -> Result<bool, CliError> {
        let mut chars = line.chars().peekable();
        while let Some(ch) = chars.next() {
            match ch {
                '#' => break,
                '\\' if chars.peek().is_none() => return Ok(true),
                '"' | '\'' => {
                    let word = self.cur.get_or_insert_with(String::new);
                    loop {
                        match chars.next() {
                            Some(q) if q == ch => break,
                            Some(other) => word.push(other),
                            None => {
                                return Err(CliError::Usage("Unterminated quoted string".into()));
                            }
                        }
                    }
                }
                c if c.is_whitespace() => self.end_word(),
                c => self.cur.get_or_insert_with(String::new).push(c),
            }
        }
        self.end_word();
        Ok(false)
    }

    fn end_word(&mut self) {
        if let Some(w) = self.cur.take() {
            self.words.push(w);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<(usize, Result<Vec<String>, CliError>)> {
        read(text.as_bytes()).collect()
    }

    fn words(v: &[&str]) -> Result<Vec<String>, CliError> {
        Ok(v.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn lines_comments_quotes_continuations() {
        let text = "link show dev lo\n\n# comment\nlink show \\\n  dev  nonexist1\n\
                    link show dev \"lo\" # trailing\naddr show dev 'lo'\nlink set dev \"a b\"\n\
                    link show dev lo#x\nlink show dev \"lo#x\"\nlink show dev a\"b c\"d\n  \n\
                    link set x alias \"\"\r\nlink foo";
        assert_eq!(
            all(text),
            vec![
                (1, words(&["link", "show", "dev", "lo"])),
                (5, words(&["link", "show", "dev", "nonexist1"])),
                (6, words(&["link", "show", "dev", "lo"])),
                (7, words(&["addr", "show", "dev", "lo"])),
                (8, words(&["link", "set", "dev", "a b"])),
                (9, words(&["link", "show", "dev", "lo"])),
                (10, words(&["link", "show", "dev", "lo#x"])),
                (11, words(&["link", "show", "dev", "ab cd"])),
                (13, words(&["link", "set", "x", "alias", ""])),
                (14, words(&["link", "foo"])),
            ]
        );
    }

    #[test]
    fn continuation_joins_words_and_counts_lines() {
        assert_eq!(all("a\\\nb\n"), vec![(2, words(&["ab"]))]);
        assert_eq!(
            all("a \\\n\\\n b\nc"),
            vec![(3, words(&["a", "b"])), (4, words(&["c"]))]
        );
        // A continuation at the very end of the input still ends the command.
        assert_eq!(all("a b \\"), vec![(1, words(&["a", "b"]))]);
        // A backslash inside a line is an ordinary character.
        assert_eq!(all("a\\b c"), vec![(1, words(&["a\\b", "c"]))]);
        // A comment ending with a backslash does not continue.
        assert_eq!(
            all("a # x \\\nb"),
            vec![(1, words(&["a"])), (2, words(&["b"]))]
        );
    }

    #[test]
    fn unterminated_quotes_are_line_errors_and_reading_goes_on() {
        let got = all("link show \"lo\nlink show\n");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0, 1);
        assert_eq!(
            got[0].1,
            Err(CliError::Usage("Unterminated quoted string".into()))
        );
        assert_eq!(got[1], (2, words(&["link", "show"])));
        assert!(all("").is_empty());
        assert!(all("\n\n# only comments\n   \t\n").is_empty());
    }

    #[test]
    fn invalid_utf8_is_replaced_not_fatal() {
        let got: Vec<_> = read(&b"link set x alias \xff\n"[..]).collect();
        assert_eq!(
            got,
            vec![(1, words(&["link", "set", "x", "alias", "\u{fffd}"]))]
        );
    }
}
