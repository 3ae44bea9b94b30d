//! Words to values: the cursor the command parsers walk (typed values, names from
//! iproute2's tables, and the usage errors `ip` prints for bad words), and the global
//! options in front of the object.
//!
//! Everything here mirrors what `ip` (iproute2 6.1) accepts, checked by running it in a
//! throwaway namespace; single words (numbers, addresses, prefixes) are read by
//! [`crate::words`].

use crate::error::{CliError, Res};
use crate::help::{MAIN, Topic};
use crate::names::NameTable;
use crate::words::{atoi, matches, parse_ip, parse_prefix, parse_u32, parse_uint};
use netplumb::wire::family::{AF_BRIDGE, AF_INET, AF_INET6, AF_UNSPEC};
use netplumb::{IpNet, MacAddr};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A cursor over the words of one command, with the help topic its errors point to.
#[derive(Debug, Clone)]
pub struct Cursor<'a> {
    words: &'a [String],
    pos: usize,
    /// Where "Try ... help" hints point.
    pub topic: Topic,
}

impl<'a> Cursor<'a> {
    /// A cursor at the first word.
    pub fn new(words: &'a [String], topic: Topic) -> Self {
        Cursor {
            words,
            pos: 0,
            topic,
        }
    }

    /// The current word, not consumed.
    pub fn peek(&self) -> Option<&'a str> {
        self.words.get(self.pos).map(String::as_str)
    }

    /// Consumes and returns the current word.
    pub fn word(&mut self) -> Option<&'a str> {
        let w = self.peek()?;
        self.pos += 1;
        Some(w)
    }

    /// True when every word was consumed.
    pub fn at_end(&self) -> bool {
        self.pos >= self.words.len()
    }

    /// `NEXT_ARG`: the value after a keyword, or "Command line is not complete".
    pub fn value(&mut self) -> Res<&'a str> {
        self.word().ok_or_else(|| self.incomplete())
    }

    /// Consumes all remaining words.
    pub fn rest(&mut self) -> Vec<String> {
        let r = self.words.get(self.pos..).unwrap_or_default().to_vec();
        self.pos = self.words.len();
        r
    }

    /// A usage error followed by the hint line for this topic.
    pub fn usage(&self, msg: impl fmt::Display) -> CliError {
        CliError::Usage(format!("{msg}\n{}", self.topic.hint()))
    }

    /// `help` in the middle of a command: `ip` prints the usage and fails, so does netplumb
    /// (the usage text on stderr, exit status 2). `OBJECT help` is the help command instead.
    pub fn help(&self) -> CliError {
        CliError::Usage(self.topic.text().trim_end().to_string())
    }

    /// A keyword without its value at the end of the line.
    pub fn incomplete(&self) -> CliError {
        CliError::Usage(format!(
            "Command line is not complete. {}",
            self.topic.hint()
        ))
    }

    /// `ip`'s "Command ... is unknown" for a verb of this topic's object.
    pub fn unknown_command(&self, w: &str) -> CliError {
        CliError::Usage(format!(
            "Command \"{w}\" is unknown, try \"netplumb {} help\".",
            self.topic.object()
        ))
    }

    /// `invarg`: a value that is not acceptable for its keyword.
    pub fn invarg(&self, arg: &str, what: &str) -> CliError {
        self.usage(format_args!("Error: argument \"{arg}\" is wrong: {what}"))
    }

    /// `duparg`: a keyword given twice.
    pub fn duparg(&self, key: &str, arg: &str) -> CliError {
        self.usage(format_args!(
            "Error: duplicate \"{key}\": \"{arg}\" is the second value."
        ))
    }

    /// `duparg2`: a word that is neither a keyword nor the one free-standing value allowed.
    pub fn garbage(&self, key: &str, arg: &str) -> CliError {
        self.usage(format_args!(
            "Error: either \"{key}\" is duplicate, or \"{arg}\" is a garbage."
        ))
    }

    /// A required argument that never came.
    pub fn required(&self, key: &str) -> CliError {
        self.usage(format_args!(
            "Not enough information: \"{key}\" argument is required."
        ))
    }

    /// Stores `v` in an empty slot, or fails with `duparg(key, word)`.
    pub fn set_once<T>(&self, slot: &mut Option<T>, key: &str, word: &str, v: T) -> Res<()> {
        if slot.is_some() {
            return Err(self.duparg(key, word));
        }
        *slot = Some(v);
        Ok(())
    }

    /// The next word as an unsigned number (`strtoul` base 0) no larger than `max`; `what` is
    /// the reason in the error (`Invalid "mtu" value`).
    pub fn uint(&mut self, max: u64, what: &str) -> Res<u64> {
        let w = self.value()?;
        parse_uint(w)
            .filter(|v| *v <= max)
            .ok_or_else(|| self.invarg(w, what))
    }

    /// `uint` for a u32.
    pub fn u32(&mut self, what: &str) -> Res<u32> {
        self.uint(u32::MAX.into(), what).map(|v| v as u32)
    }

    /// A u32 of at least `min` for a keyword that may appear once (`mtu`, `txqueuelen`):
    /// `invarg("Invalid \"KEY\" value")` for a bad value, `duparg(key)` for a second one.
    pub fn u32_once(&mut self, slot: &mut Option<u32>, key: &str, min: u32) -> Res<()> {
        let what = format!("Invalid \"{key}\" value");
        let v = self.peek().unwrap_or_default();
        let n = self.u32(&what)?;
        if n < min {
            return Err(self.invarg(v, &what));
        }
        self.set_once(slot, key, v, n)
    }

    /// `uint` for a u16.
    pub fn u16(&mut self, what: &str) -> Res<u16> {
        self.uint(u16::MAX.into(), what).map(|v| v as u16)
    }

    /// `uint` for a u8.
    pub fn u8(&mut self, what: &str) -> Res<u8> {
        self.uint(u8::MAX.into(), what).map(|v| v as u8)
    }

    /// `on` or `off` after `key`.
    pub fn on_off(&mut self, key: &str) -> Res<bool> {
        match self.value()? {
            "on" => Ok(true),
            "off" => Ok(false),
            w => Err(self.usage(format_args!(
                "Error: argument of \"{key}\" must be \"on\" or \"off\", not \"{w}\""
            ))),
        }
    }

    /// The next word, which must be one of `table`'s (spelt out): its value, or
    /// `invarg(what)`.
    pub fn one_of<T: Copy>(&mut self, table: &[(&str, T)], what: &str) -> Res<T> {
        let w = self.value()?;
        table
            .iter()
            .find(|(k, _)| *k == w)
            .map(|(_, v)| *v)
            .ok_or_else(|| self.invarg(w, what))
    }

    /// A link-layer (MAC) address.
    pub fn mac(&mut self) -> Res<MacAddr> {
        let w = self.value()?;
        w.parse()
            .map_err(|_| self.usage(format_args!("\"{w}\" is invalid lladdr.")))
    }

    /// A name for a new interface: the kernel's `dev_valid_name` rules (1..=15 bytes, no `/`,
    /// `:` or white space), checked before anything is sent.
    pub fn new_ifname(&self, w: &str, key: &str) -> Res<String> {
        netplumb::ifname::validate(w)
            .map(|_| w.to_string())
            .map_err(|_| self.invarg(w, &format!("\"{key}\" not a valid ifname")))
    }

    /// A reference to an existing interface: its name or an alternative name (up to 127
    /// bytes, `ALTIFNAMSIZ` - 1). Whether it exists is the executor's business. A `:LABEL`
    /// suffix is kept: like `ip`, the executor looks up `eth0` for `eth0:1`.
    pub fn dev_ref(&self, w: &str) -> Res<String> {
        let bad_char = w
            .bytes()
            .any(|b| b == b'/' || b.is_ascii_whitespace() || b == 0);
        if w.is_empty() || w.len() > 127 || w == "." || w == ".." || bad_char {
            return Err(self.invarg(w, "\"dev\" not a valid ifname"));
        }
        Ok(w.to_string())
    }

    /// The next word as an address of `family` (or either when unspecified).
    pub fn addr(&mut self, family: Family) -> Res<IpAddr> {
        let w = self.value()?;
        self.addr_of(w, family)
    }

    /// `w` as an address of `family`.
    pub fn addr_of(&self, w: &str, family: Family) -> Res<IpAddr> {
        parse_ip(w).filter(|a| family.admits(*a)).ok_or_else(|| {
            self.usage(format_args!(
                "Error: {} address is expected rather than \"{w}\".",
                family.expect_name()
            ))
        })
    }

    /// `w` as a prefix of `family`; `default`, `all` and `any` are the zero-length prefix of
    /// `family` (IPv4 when unspecified).
    pub fn prefix_of(&self, w: &str, family: Family) -> Res<Prefix> {
        let bad = || {
            self.usage(format_args!(
                "Error: {} prefix is expected rather than \"{w}\".",
                family.expect_name()
            ))
        };
        if matches!(w, "default" | "all" | "any") {
            let any = match family {
                Family::Inet6 => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
                Family::Unspec | Family::Inet => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                _ => return Err(bad()),
            };
            let net = IpNet::new(any, 0).map_err(|_| bad())?;
            return Ok(Prefix {
                net,
                len_given: true,
                default: true,
            });
        }
        let (net, len_given) = parse_prefix(w).ok_or_else(bad)?;
        if !family.admits(net.addr()) {
            return Err(bad());
        }
        Ok(Prefix {
            net,
            len_given,
            default: false,
        })
    }

    /// The next word as a prefix of `family`.
    pub fn prefix(&mut self, family: Family) -> Res<Prefix> {
        let w = self.value()?;
        self.prefix_of(w, family)
    }

    /// A name from one of iproute2's tables (`rt_tables`, ...) or a number up to `max`.
    pub fn table_value(&mut self, table: NameTable, max: u32, what: &str) -> Res<u32> {
        let w = self.value()?;
        table
            .lookup(w)
            .filter(|v| *v <= max)
            .ok_or_else(|| self.invarg(w, what))
    }
}

/// A prefix as written: `198.18.0.5/24`, `198.18.0.5` (no length given), or `default`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prefix {
    /// The address and length (`/32` or `/128` when none was given).
    pub net: IpNet,
    /// False when the word had no `/LEN` (`ip addr del` then warns and deletes any length).
    pub len_given: bool,
    /// Written as `default`, `all` or `any`.
    pub default: bool,
}

/// The address family selected by `-4`, `-6`, `-f`, `-0`, `-M`, `-B`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Family {
    /// No preference.
    #[default]
    Unspec,
    /// `-4`, `-f inet`.
    Inet,
    /// `-6`, `-f inet6`.
    Inet6,
    /// `-0`, `-f link`: links only.
    Link,
    /// `-M`, `-f mpls`.
    Mpls,
    /// `-B`, `-f bridge`.
    Bridge,
}

impl Family {
    /// Reads `inet`, `inet6`, `link`, `mpls`, `bridge`.
    pub fn from_name(s: &str) -> Option<Family> {
        Some(match s {
            "inet" => Family::Inet,
            "inet6" => Family::Inet6,
            "link" => Family::Link,
            "mpls" => Family::Mpls,
            "bridge" => Family::Bridge,
            _ => return None,
        })
    }

    /// Whether an address of this family is acceptable.
    pub fn admits(self, a: IpAddr) -> bool {
        match self {
            Family::Inet => a.is_ipv4(),
            Family::Inet6 => a.is_ipv6(),
            _ => true,
        }
    }

    /// The `AF_*` number of the family in a message header: 0 when unspecified,
    /// `AF_PACKET` for `-0`.
    pub fn af(self) -> u8 {
        match self {
            Family::Unspec => AF_UNSPEC,
            Family::Inet => AF_INET,
            Family::Inet6 => AF_INET6,
            Family::Link => libc::AF_PACKET as u8,
            Family::Mpls => libc::AF_MPLS as u8,
            Family::Bridge => AF_BRIDGE,
        }
    }

    /// The family of an address.
    pub fn of(a: IpAddr) -> Family {
        if a.is_ipv4() {
            Family::Inet
        } else {
            Family::Inet6
        }
    }

    /// How error messages name what was expected (`inet address is expected ...`).
    fn expect_name(self) -> &'static str {
        match self {
            Family::Inet => "inet",
            Family::Inet6 => "inet6",
            _ => "any valid",
        }
    }
}

/// `-c[olor][=always|auto|never]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Color {
    /// No colour (the default, and `never`).
    #[default]
    Never,
    /// `-c`, `-color`, `=auto`: colour when stdout is a terminal.
    Auto,
    /// `=always`.
    Always,
}

/// The options before the object, as `ip` reads them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Globals {
    /// `-n NETNS`: run in this named namespace (`/run/netns/NETNS`).
    pub netns: Option<String>,
    /// `-4`, `-6`, `-f FAMILY`, `-0`, `-M`, `-B`.
    pub family: Family,
    /// `-j`: JSON output.
    pub json: bool,
    /// `-p`: pretty JSON.
    pub pretty: bool,
    /// `-d`, repeatable.
    pub details: u8,
    /// `-s`, repeatable.
    pub stats: u8,
    /// `-o`: one line per record.
    pub oneline: bool,
    /// `-br`: brief output.
    pub brief: bool,
    /// `-r`: resolve names via DNS.
    pub resolve: bool,
    /// `-h`, `-human`: human-readable numbers.
    pub human: bool,
    /// `-iec`: IEC units.
    pub iec: bool,
    /// `-N`: numeric protocol/scope/table ids.
    pub numeric: bool,
    /// `-t`, `-ts`: timestamps in monitor output (`Some(true)` for the short form).
    pub timestamp: Option<bool>,
    /// `-a`: all namespaces (`ip -all netns exec`).
    pub all: bool,
    /// `-force`: keep going after a failed batch line.
    pub force: bool,
    /// `-echo`: print the request sent.
    pub echo: bool,
    /// `-c`: colour.
    pub color: Color,
    /// `-b FILE`: read commands from FILE (`-` = stdin).
    pub batch: Option<String>,
    /// `-l N`: `ip addr flush` attempts.
    pub loops: Option<u32>,
    /// `-rc N`: socket receive buffer size.
    pub rcvbuf: Option<u32>,
}

/// What the options asked for besides a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// Parse the remaining words (from this index) as a command (or run the batch file).
    Command(usize),
    /// `-V`: print the version.
    Version,
    /// `-help`.
    Help,
}

/// The options that select a family, spelt out.
const FAMILY_OPTIONS: [(&str, Family); 5] = [
    ("-4", Family::Inet),
    ("-6", Family::Inet6),
    ("-0", Family::Link),
    ("-M", Family::Mpls),
    ("-B", Family::Bridge),
];

/// Reads the options before the object, in `ip`'s order of checks (which decides prefixes:
/// `-b` is `-batch`, `-br` is `-brief`, `-h` is `-human`, `-he` is `-help`).
pub fn parse_globals(args: &[String]) -> Res<(Globals, Start)> {
    let mut g = Globals::default();
    let mut i = 0;
    let hint = || MAIN.hint();
    while let Some(arg) = args.get(i) {
        if arg == "--" {
            i += 1;
            break;
        }
        if !arg.starts_with('-') {
            break;
        }
        // `--json` is `-json`.
        let opt = arg
            .strip_prefix('-')
            .filter(|o| o.starts_with('-'))
            .unwrap_or(arg);
        i += 1;
        let mut value = |name: &str| -> Res<String> {
            let v = args.get(i).cloned().ok_or_else(|| {
                CliError::Usage(format!(
                    "Option \"{name}\" requires an argument. {}",
                    hint()
                ))
            })?;
            i += 1;
            Ok(v)
        };
        let m = |k: &str| matches(opt, k);
        if m("-loops") {
            let v = value("-loops")?;
            // ip: `max_flush_loops = atoi(..)`; a negative count never ends, like 0.
            g.loops = Some(u32::try_from(atoi(&v).clamp(0, u32::MAX.into())).unwrap_or(0));
        } else if m("-family") {
            let v = value("-family")?;
            g.family = Family::from_name(&v).ok_or_else(|| {
                CliError::Usage(format!(
                    "Error: argument \"{v}\" is wrong: invalid protocol family\n{}",
                    hint()
                ))
            })?;
        } else if let Some((_, f)) = FAMILY_OPTIONS.iter().find(|(o, _)| *o == opt) {
            g.family = *f;
        } else if m("-stats") || m("-statistics") {
            g.stats = g.stats.saturating_add(1);
        } else if m("-details") {
            g.details = g.details.saturating_add(1);
        } else if m("-resolve") {
            g.resolve = true;
        } else if m("-Version") {
            return Ok((g, Start::Version));
        } else if m("-oneline") {
            g.oneline = true;
        } else if m("-timestamp") {
            g.timestamp = Some(false);
        } else if m("-tshort") {
            g.timestamp = Some(true);
        } else if m("-force") {
            g.force = true;
        } else if m("-batch") {
            g.batch = Some(value("-batch")?);
        } else if m("-rcvbuf") {
            let v = value("-rcvbuf")?;
            let n = parse_u32(&v);
            g.rcvbuf = Some(n.ok_or_else(|| {
                CliError::Usage(format!("Invalid rcvbuf size '{v}'\n{}", hint()))
            })?);
        } else if let Some(c) = color_option(opt) {
            g.color = c;
        } else if m("-human") || m("-human-readable") {
            g.human = true;
        } else if m("-help") {
            return Ok((g, Start::Help));
        } else if m("-iec") {
            g.iec = true;
        } else if m("-netns") {
            g.netns = Some(value("-netns")?);
        } else if m("-Numeric") {
            g.numeric = true;
        } else if m("-all") {
            g.all = true;
        } else if m("-json") {
            g.json = true;
        } else if m("-pretty") {
            g.pretty = true;
        } else if m("-brief") {
            g.brief = true;
        } else if opt == "-echo" {
            g.echo = true;
        } else {
            return Err(CliError::Usage(format!(
                "Option \"{arg}\" is unknown, try \"netplumb -help\"."
            )));
        }
    }
    Ok((g, Start::Command(i)))
}

/// `-c`, `-color` and their `=always|auto|never` forms.
fn color_option(opt: &str) -> Option<Color> {
    let (name, val) = match opt.split_once('=') {
        Some((n, v)) => (n, Some(v)),
        None => (opt, None),
    };
    if !matches(name, "-color") {
        return None;
    }
    match val {
        None | Some("auto") => Some(Color::Auto),
        Some("always") => Some(Color::Always),
        Some("never") => Some(Color::Never),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn cursor_typed_values_and_errors() {
        let w = words("1500 abc on maybe 02:00:00:00:00:01 zz");
        let mut c = Cursor::new(&w, crate::cmd::link::TOPIC);
        assert_eq!(c.u32("Invalid \"mtu\" value"), Ok(1500));
        let e = c.u32("Invalid \"mtu\" value").unwrap_err();
        assert_eq!(
            e.message().lines().next(),
            Some("Error: argument \"abc\" is wrong: Invalid \"mtu\" value")
        );
        assert!(e.message().ends_with("Try \"netplumb link help\"."));
        assert_eq!(e.exit_code(), 2);
        assert_eq!(c.on_off("arp"), Ok(true));
        assert!(c.on_off("arp").is_err());
        assert_eq!(c.mac().unwrap().to_string(), "02:00:00:00:00:01");
        assert!(
            c.mac()
                .unwrap_err()
                .message()
                .starts_with("\"zz\" is invalid lladdr.")
        );
        assert!(c.at_end());
        assert!(
            c.value()
                .unwrap_err()
                .message()
                .starts_with("Command line is not complete.")
        );
    }

    #[test]
    fn family_checks_on_addresses_and_prefixes() {
        let w = words("x");
        let c = Cursor::new(&w, crate::cmd::route::TOPIC);
        assert!(
            c.addr_of("198.18.0.1", Family::Inet6)
                .unwrap_err()
                .message()
                .starts_with("Error: inet6 address is expected rather than \"198.18.0.1\".")
        );
        assert!(
            c.prefix_of("bad", Family::Unspec)
                .unwrap_err()
                .message()
                .starts_with("Error: any valid prefix is expected rather than \"bad\".")
        );
        let d = c.prefix_of("default", Family::Inet6).unwrap();
        assert!(d.default && d.net.to_string() == "::/0");
        assert_eq!(
            c.prefix_of("any", Family::Unspec).unwrap().net.to_string(),
            "0.0.0.0/0"
        );
    }

    #[test]
    fn interface_names() {
        let w = words("x");
        let c = Cursor::new(&w, crate::cmd::link::TOPIC);
        assert!(c.new_ifname("veth0", "name").is_ok());
        for bad in ["0123456789abcdef", "a/b", "a:b", "", ".."] {
            let e = c.new_ifname(bad, "name").unwrap_err();
            assert!(e.message().contains("\"name\" not a valid ifname"), "{bad}");
        }
        assert!(c.dev_ref("a-rather-long-alternative-name").is_ok());
        assert!(c.dev_ref(&"x".repeat(128)).is_err());
        assert!(c.dev_ref("a/b").is_err());
    }

    fn globals(s: &str) -> Res<(Globals, Start)> {
        parse_globals(&words(s))
    }

    #[test]
    fn global_options_and_their_prefixes() {
        let (g, s) = globals("-n ns1 -j -p -d -d -s -4 -o -force link show").unwrap();
        assert_eq!(s, Start::Command(10));
        assert_eq!(g.netns.as_deref(), Some("ns1"));
        assert!(g.json && g.pretty && g.oneline && g.force);
        assert_eq!((g.details, g.stats, g.family), (2, 1, Family::Inet));
        let (g, _) = globals("-netns a -net b --json -jso -pretty -details -stats link").unwrap();
        assert_eq!(g.netns.as_deref(), Some("b"));
        assert!(g.json && g.pretty);
        let (g, _) = globals("-6 -4 -f inet6 link").unwrap();
        assert_eq!(g.family, Family::Inet6);
        let (g, _) = globals("-family link -b file").unwrap();
        assert_eq!((g.family, g.batch.as_deref()), (Family::Link, Some("file")));
        let (g, _) =
            globals("-br -h -fo -t -ts -c=never -a -N -iec -r -echo -l 3 -rc 99 x").unwrap();
        assert!(g.brief && g.human && g.force && g.all && g.numeric && g.iec && g.resolve);
        assert!(g.echo);
        assert_eq!(
            (g.timestamp, g.color, g.loops, g.rcvbuf),
            (Some(true), Color::Never, Some(3), Some(99))
        );
        assert_eq!(globals("-batch - ").unwrap().0.batch.as_deref(), Some("-"));
        assert_eq!(globals("-V link").unwrap().1, Start::Version);
        assert_eq!(globals("-Version").unwrap().1, Start::Version);
        assert_eq!(globals("-he").unwrap().1, Start::Help);
        assert_eq!(globals("--help").unwrap().1, Start::Help);
        assert_eq!(globals("-help").unwrap().1, Start::Help);
        assert_eq!(globals("-- -j").unwrap().1, Start::Command(1));
        assert_eq!(globals("").unwrap().1, Start::Command(0));
    }

    #[test]
    fn global_option_errors() {
        for (line, first) in [
            (
                "-e link",
                "Option \"-e\" is unknown, try \"netplumb -help\".",
            ),
            ("-jsonx link", "Option \"-jsonx\" is unknown"),
            (
                "-f foo link",
                "Error: argument \"foo\" is wrong: invalid protocol family",
            ),
            ("-color=bad link", "Option \"-color=bad\" is unknown"),
            ("-n", "Option \"-netns\" requires an argument."),
            ("-b", "Option \"-batch\" requires an argument."),
            ("-rc x link", "Invalid rcvbuf size 'x'"),
        ] {
            let e = globals(line).unwrap_err();
            assert!(e.message().starts_with(first), "{line}: {e}");
            assert_eq!(e.exit_code(), 2);
        }
    }
}
