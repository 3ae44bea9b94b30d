//! What the `address`, `route` and `neigh` executors share: ip-style output records (one
//! description gives both the JSON member and the text), iproute2's number-to-name tables,
//! the interface table the printers look names up in, prefix and glob matching, and the
//! messages `ip` prints for devices that do not exist.
//!
//! The printers follow iproute2 6.1's `print_*` functions field by field: a field printed
//! with `PRINT_ANY` there is [`Rec::any`] here, `PRINT_JSON` is [`Rec::json`], `PRINT_FP` is
//! [`Rec::text`], so the JSON keys, their order and the text come from one place.

use super::{Ctx, failed};
use crate::args::CliError;
use crate::json::Value;
use netplumb::link::{IfFlags, Link, LinkFilter};
use netplumb::{Error, Handle};
use std::collections::HashMap;
use std::io::Write;
use std::net::IpAddr;

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

/// `Cannot find device "NAME"`, as `ip` says when a `dev` does not exist.
pub fn nodev(name: &str) -> CliError {
    CliError::Failed(format!("Cannot find device \"{name}\""))
}

/// A library error, with a missing device reported as [`nodev`].
pub fn lib_error(e: Error) -> CliError {
    match e {
        Error::NotFound { what: "link", name } => nodev(&name),
        e => failed(e),
    }
}

/// The interface index of `dev` as `ip` finds it: an alias label (`eth0:1`) names its
/// device, and `ifN` names index N when no device has that name. `Cannot find device`
/// otherwise.
pub fn resolve(h: &Handle, dev: &str) -> Result<u32, CliError> {
    let name = dev.split(':').next().unwrap_or(dev);
    match h.link_index(name) {
        Ok(i) => Ok(i),
        Err(e) if e.is_not_found() || matches!(e, Error::InvalidInput { .. }) => name
            .strip_prefix("if")
            .and_then(|n| n.parse::<u32>().ok())
            .filter(|i| *i > 0 && i32::try_from(*i).is_ok())
            .ok_or_else(|| nodev(dev)),
        Err(e) => Err(failed(e)),
    }
}

/// The links of the namespace by index, for printing names (`ll_index_to_name`).
pub struct Links {
    by_index: HashMap<u32, Link>,
}

impl Links {
    /// Dumps every link once.
    pub fn load(h: &Handle) -> Result<Links, CliError> {
        let links = h.link_list(&LinkFilter::new()).map_err(failed)?;
        Ok(Links {
            by_index: links.into_iter().map(|l| (l.index, l)).collect(),
        })
    }

    /// The link with index `i`.
    pub fn get(&self, i: u32) -> Option<&Link> {
        self.by_index.get(&i)
    }

    /// Its name, or `ifN` as `ip` prints an index it does not know.
    pub fn name(&self, i: u32) -> String {
        self.get(i)
            .map_or_else(|| format!("if{i}"), |l| l.name.clone())
    }

    /// Its `ARPHRD_*` type (0 when unknown, as `ll_index_to_type`).
    pub fn kind(&self, i: u32) -> u16 {
        self.get(i).map_or(0, |l| l.message.header.link_layer_type)
    }

    /// Whether it is up (`ll_index_to_flags`; unknown links are down).
    pub fn is_up(&self, i: u32) -> bool {
        self.get(i).is_some_and(|l| l.flags.contains(IfFlags::UP))
    }
}

/// iproute2's id/name tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Names {
    /// `rt_protos`.
    Protos,
    /// `rt_scopes`.
    Scopes,
    /// `rt_tables` (and `rt_tables.d`).
    Tables,
    /// `rt_realms`.
    Realms,
    /// `rt_dsfield`.
    Dsfield,
    /// `group`.
    Groups,
}

impl Names {
    fn builtin(self) -> &'static [(u32, &'static str)] {
        match self {
            Names::Protos => &[
                (0, "unspec"),
                (1, "redirect"),
                (2, "kernel"),
                (3, "boot"),
                (4, "static"),
                (8, "gated"),
                (9, "ra"),
                (10, "mrt"),
                (11, "zebra"),
                (12, "bird"),
                (13, "dnrouted"),
                (14, "xorp"),
                (15, "ntk"),
                (16, "dhcp"),
                (18, "keepalived"),
                (42, "babel"),
                (99, "openr"),
                (186, "bgp"),
                (187, "isis"),
                (188, "ospf"),
                (189, "rip"),
                (192, "eigrp"),
            ],
            Names::Scopes => &[
                (0, "global"),
                (255, "nowhere"),
                (254, "host"),
                (253, "link"),
                (200, "site"),
            ],
            Names::Tables => &[
                (255, "local"),
                (254, "main"),
                (253, "default"),
                (0, "unspec"),
            ],
            Names::Realms => &[(0, "unknown")],
            Names::Dsfield => &[],
            Names::Groups => &[(0, "default")],
        }
    }

    fn files(self) -> &'static [&'static str] {
        match self {
            Names::Protos => &["rt_protos", "rt_protos.d"],
            Names::Scopes => &["rt_scopes"],
            Names::Tables => &["rt_tables", "rt_tables.d"],
            Names::Realms => &["rt_realms"],
            Names::Dsfield => &["rt_dsfield"],
            Names::Groups => &["group"],
        }
    }

    /// The name of `id` in the configuration files (`/etc/iproute2`), the last entry
    /// winning as in iproute2.
    fn in_files(self, id: u32) -> Option<String> {
        let mut found = None;
        for f in self.files() {
            let path = format!("/etc/iproute2/{f}");
            let mut paths = Vec::new();
            if f.ends_with(".d") {
                if let Ok(rd) = std::fs::read_dir(&path) {
                    let mut v: Vec<String> = rd
                        .filter_map(Result::ok)
                        .map(|e| e.path().display().to_string())
                        .filter(|p| p.ends_with(".conf"))
                        .collect();
                    v.sort();
                    paths.extend(v);
                }
            } else {
                paths.push(path);
            }
            for p in paths {
                let Ok(text) = std::fs::read_to_string(&p) else {
                    continue;
                };
                for line in text.lines() {
                    let line = line.trim_start();
                    if line.starts_with('#') {
                        continue;
                    }
                    let mut it = line.split_whitespace();
                    let (Some(num), Some(name)) = (it.next(), it.next()) else {
                        continue;
                    };
                    let n = match num.strip_prefix("0x") {
                        Some(h) => u32::from_str_radix(h, 16).ok(),
                        None => num.parse::<u32>().ok(),
                    };
                    if n == Some(id) {
                        found = Some(name.to_string());
                    }
                }
            }
        }
        found
    }

    /// `rtnl_*_n2a`: the name of `id`, or the number as `ip` prints it. With `-N`
    /// (`numeric`) always the number.
    pub fn name(self, id: u32, numeric: bool) -> String {
        let number = || match self {
            Names::Dsfield => format!("0x{id:02x}"),
            _ => id.to_string(),
        };
        if numeric {
            return number();
        }
        let builtin = || {
            self.builtin()
                .iter()
                .find(|(v, _)| *v == id)
                .map(|(_, n)| n.to_string())
        };
        let name = match self {
            // Hash tables in iproute2: file entries shadow the built-in ones.
            Names::Tables | Names::Groups => self.in_files(id).or_else(builtin),
            // Arrays: the files are read only for ids without a built-in name.
            _ => builtin().or_else(|| self.in_files(id)),
        };
        name.unwrap_or_else(number)
    }
}

/// `ll_type_n2a`: the name of an `ARPHRD_*` link type (`[N]` with `-N`, `numeric`).
pub fn link_type_name(t: u16, numeric: bool) -> String {
    let name = match t {
        _ if numeric => return format!("[{t}]"),
        0 => "netrom",
        1 => "ether",
        2 => "eether",
        3 => "ax25",
        6 => "ieee802",
        7 => "arcnet",
        32 => "infiniband",
        256 => "slip",
        280 => "can",
        512 => "ppp",
        768 => "ipip",
        769 => "tunnel6",
        772 => "loopback",
        774 => "fddi",
        776 => "sit",
        778 => "gre",
        779 => "pimreg",
        801 => "ieee802.11",
        802 => "ieee802.11/prism",
        803 => "ieee802.11/radiotap",
        804 => "ieee802.15.4",
        820 => "phonet",
        821 => "phonet_pipe",
        822 => "caif",
        823 => "gre6",
        824 => "netlink",
        825 => "6lowpan",
        0xfffe => "none",
        0xffff => "void",
        _ => return format!("[{t}]"),
    };
    name.to_string()
}

/// `ll_addr_n2a`: a link-layer address as `ip` prints it for a link of type `t`: dotted
/// quads for IPv4 tunnels, IPv6 text for IPv6 tunnels, colon-separated hex otherwise.
pub fn ll_addr(bytes: &[u8], t: u16) -> String {
    if let Ok(a) = <[u8; 4]>::try_from(bytes)
        && matches!(t, 768 | 776 | 778)
    {
        return std::net::Ipv4Addr::from(a).to_string();
    }
    if let Ok(a) = <[u8; 16]>::try_from(bytes)
        && matches!(t, 769 | 823)
    {
        return std::net::Ipv6Addr::from(a).to_string();
    }
    let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    hex.join(":")
}

/// `inet_addr_match`: whether the first `bits` bits of `a` and `b` agree (addresses of
/// different families never do).
pub fn addr_match(a: IpAddr, b: IpAddr, bits: u8) -> bool {
    let (x, y): (Vec<u8>, Vec<u8>) = match (a, b) {
        (IpAddr::V4(x), IpAddr::V4(y)) => (x.octets().to_vec(), y.octets().to_vec()),
        (IpAddr::V6(x), IpAddr::V6(y)) => (x.octets().to_vec(), y.octets().to_vec()),
        _ => return false,
    };
    let bits = usize::from(bits).min(x.len() * 8);
    let (whole, rest) = (bits / 8, bits % 8);
    if x.get(..whole) != y.get(..whole) {
        return false;
    }
    if rest == 0 {
        return true;
    }
    let mask = 0xffu8 << (8 - rest);
    match (x.get(whole), y.get(whole)) {
        (Some(p), Some(q)) => p & mask == q & mask,
        _ => false,
    }
}

/// `fnmatch(pattern, s, 0)`: `*`, `?`, bracket expressions (`[a-z]`, `[!x]`) and `\`
/// escapes.
pub fn glob(pattern: &str, s: &str) -> bool {
    fn go(p: &[char], s: &[char]) -> bool {
        match p.split_first() {
            None => s.is_empty(),
            Some(('*', rest)) => (0..=s.len()).any(|i| s.get(i..).is_some_and(|t| go(rest, t))),
            Some(('?', rest)) => s.split_first().is_some_and(|(_, t)| go(rest, t)),
            Some(('[', rest)) => {
                let Some((c, t)) = s.split_first() else {
                    return false;
                };
                match bracket(rest, *c) {
                    Some((true, after)) => go(after, t),
                    Some((false, _)) => false,
                    // An unclosed `[` is an ordinary character.
                    None => *c == '[' && go(rest, t),
                }
            }
            Some(('\\', rest)) if !rest.is_empty() => match (rest.split_first(), s.split_first()) {
                (Some((pc, pr)), Some((c, t))) => pc == c && go(pr, t),
                _ => false,
            },
            Some((pc, rest)) => s.split_first().is_some_and(|(c, t)| c == pc && go(rest, t)),
        }
    }
    /// Matches `c` against the bracket expression starting after `[`; returns whether it
    /// matched and the pattern after `]`.
    fn bracket(p: &[char], c: char) -> Option<(bool, &[char])> {
        let (neg, mut i) = match p.first() {
            Some('!') | Some('^') => (true, 1),
            _ => (false, 0),
        };
        let mut hit = false;
        let mut first = true;
        loop {
            let ch = *p.get(i)?;
            if ch == ']' && !first {
                return Some((hit != neg, p.get(i + 1..).unwrap_or_default()));
            }
            first = false;
            if p.get(i + 1) == Some(&'-') && p.get(i + 2).is_some_and(|e| *e != ']') {
                let end = *p.get(i + 2)?;
                hit |= ch <= c && c <= end;
                i += 3;
            } else {
                hit |= ch == c;
                i += 1;
            }
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = s.chars().collect();
    go(&p, &s)
}

/// `USER_HZ`: the unit of the clock ticks in cache-info structures.
pub const USER_HZ: u32 = 100;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_like_fnmatch() {
        assert!(glob("v1*", "v1"));
        assert!(glob("v1*", "v1:x"));
        assert!(!glob("v1*", "v2"));
        assert!(glob("v?", "v2"));
        assert!(glob("v[0-3]", "v2"));
        assert!(!glob("v[!0-3]", "v2"));
        assert!(glob("a\\*", "a*"));
        assert!(!glob("a\\*", "ab"));
        assert!(glob("[", "["));
        assert!(glob("*", ""));
    }

    #[test]
    fn prefix_matching() {
        let a = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(addr_match(a("198.18.0.5"), a("198.18.0.0"), 24));
        assert!(!addr_match(a("198.18.1.5"), a("198.18.0.0"), 24));
        assert!(addr_match(a("198.18.1.5"), a("198.18.0.0"), 23));
        assert!(addr_match(a("198.18.1.5"), a("0.0.0.0"), 0));
        assert!(!addr_match(a("198.18.1.5"), a("2001:db8::"), 0));
        assert!(addr_match(a("2001:db8::1"), a("2001:db8::"), 64));
    }

    #[test]
    fn names_and_numbers() {
        assert_eq!(Names::Protos.name(2, false), "kernel");
        assert_eq!(Names::Protos.name(2, true), "2");
        assert_eq!(Names::Protos.name(77, false), "77");
        assert_eq!(Names::Scopes.name(253, false), "link");
        assert_eq!(Names::Tables.name(255, false), "local");
        assert_eq!(Names::Tables.name(100, false), "100");
        assert_eq!(Names::Dsfield.name(0x10, true), "0x10");
        assert_eq!(link_type_name(1, false), "ether");
        assert_eq!(link_type_name(1, true), "[1]");
        assert_eq!(link_type_name(9999, false), "[9999]");
        assert_eq!(ll_addr(&[2, 0, 0, 0, 0, 0xab], 1), "02:00:00:00:00:ab");
        assert_eq!(ll_addr(&[198, 18, 0, 1], 778), "198.18.0.1");
    }
}
