//! iproute2's number/name tables, shared by the parsers (`args.rs`, `cmd/`) and the printers
//! (`exec/render`): route tables, protocols, scopes, realms, DS field values and link groups
//! (built in, then `/etc/iproute2/FILE` and `FILE.d/*.conf`), and the fixed names of link
//! types, operational states and flag bits.

use crate::words::{parse_dec, parse_hex, parse_u32};
use netplumb::link::IfFlags;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::OnceLock;

/// Where iproute2 looks for its configuration files, in order.
const DIRS: [&str; 3] = ["/etc/iproute2", "/usr/share/iproute2", "/usr/lib/iproute2"];

/// One of iproute2's number/name tables. Built-in names first (so parsing does not depend on
/// the machine), then `/etc/iproute2/FILE` and `FILE.d/*.conf` as `ip` reads them, then a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameTable {
    /// `rt_tables`: route table ids.
    Tables,
    /// `rt_protos`: route protocols.
    Protos,
    /// `rt_scopes`: route and address scopes.
    Scopes,
    /// `rt_realms`: route realms.
    Realms,
    /// `group`: link groups.
    Groups,
    /// `rt_dsfield`: TOS / DS field values; bare numbers are hexadecimal.
    Dsfield,
}

impl NameTable {
    const ALL: [NameTable; 6] = [
        NameTable::Tables,
        NameTable::Protos,
        NameTable::Scopes,
        NameTable::Realms,
        NameTable::Groups,
        NameTable::Dsfield,
    ];

    fn file(self) -> &'static str {
        match self {
            NameTable::Tables => "rt_tables",
            NameTable::Protos => "rt_protos",
            NameTable::Scopes => "rt_scopes",
            NameTable::Realms => "rt_realms",
            NameTable::Groups => "group",
            NameTable::Dsfield => "rt_dsfield",
        }
    }

    /// The built-in entries; the first one of an id is the name printed for it.
    fn builtin(self) -> &'static [(u32, &'static str)] {
        match self {
            NameTable::Tables => &[
                (255, "local"),
                (254, "main"),
                (253, "default"),
                (0, "unspec"),
            ],
            NameTable::Protos => &[
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
            NameTable::Scopes => &[
                (0, "global"),
                (255, "nowhere"),
                (254, "host"),
                (253, "link"),
                (200, "site"),
            ],
            // ip prints realm 0 as `unknown`; its rt_realms file calls it `cosmos`.
            NameTable::Realms => &[(0, "unknown"), (0, "cosmos")],
            NameTable::Groups => &[(0, "default")],
            NameTable::Dsfield => &[
                (0x00, "default"),
                (0x28, "AF11"),
                (0x30, "AF12"),
                (0x38, "AF13"),
                (0x48, "AF21"),
                (0x50, "AF22"),
                (0x58, "AF23"),
                (0x68, "AF31"),
                (0x70, "AF32"),
                (0x78, "AF33"),
                (0x88, "AF41"),
                (0x90, "AF42"),
                (0x98, "AF43"),
                (0x20, "CS1"),
                (0x40, "CS2"),
                (0x60, "CS3"),
                (0x80, "CS4"),
                (0xa0, "CS5"),
                (0xc0, "CS6"),
                (0xe0, "CS7"),
                (0xb8, "EF"),
            ],
        }
    }

    /// The entries of the configuration files, in the order `ip` reads them; read once.
    fn file_entries(self) -> &'static [(u32, String)] {
        static CACHE: [OnceLock<Vec<(u32, String)>>; 6] = [const { OnceLock::new() }; 6];
        let slot = NameTable::ALL.iter().position(|t| *t == self).unwrap_or(0);
        CACHE
            .get(slot)
            .map_or(&[], |c| c.get_or_init(|| self.read_files()))
    }

    fn read_files(self) -> Vec<(u32, String)> {
        let base = self.file();
        let mut files = Vec::new();
        for dir in DIRS {
            files.push(format!("{dir}/{base}"));
            if let Ok(rd) = std::fs::read_dir(format!("{dir}/{base}.d")) {
                let mut more: Vec<String> = rd
                    .filter_map(Result::ok)
                    .map(|e| e.path().display().to_string())
                    .filter(|p| p.ends_with(".conf"))
                    .collect();
                more.sort();
                files.extend(more);
            }
        }
        let mut out = Vec::new();
        for f in files {
            let Ok(text) = std::fs::read_to_string(&f) else {
                continue;
            };
            for line in text.lines() {
                let line = line.split('#').next().unwrap_or("");
                let mut it = line.split_whitespace();
                if let (Some(num), Some(name)) = (it.next(), it.next())
                    && let Some(id) = file_id(num)
                {
                    out.push((id, name.to_string()));
                }
            }
        }
        out
    }

    /// The value of a name or number (`rtnl_*_a2n`), if any.
    pub fn lookup(self, w: &str) -> Option<u32> {
        if let Some((v, _)) = self.builtin().iter().find(|(_, n)| *n == w) {
            return Some(*v);
        }
        let in_files = || {
            self.file_entries()
                .iter()
                .find(|(_, n)| n == w)
                .map(|(v, _)| *v)
        };
        if self == NameTable::Dsfield {
            // Names from the file come before hex: `ad` would otherwise be a number.
            if let Some(v) = in_files() {
                return Some(v);
            }
            // `strtoul(w, 16)`: `+0x10` is a number, `0x+10` is not.
            if let Some(v) = parse_hex(w).and_then(|v| u32::try_from(v).ok()) {
                return Some(v);
            }
        } else if let Some(v) = parse_u32(w) {
            return Some(v);
        }
        in_files()
    }

    /// `rtnl_*_n2a`: the name of `id`, or the number as `ip` prints it (hex for DS field
    /// values, signed for groups). With `-N` (`numeric`) always the number.
    pub fn name(self, id: u32, numeric: bool) -> String {
        let number = || match self {
            NameTable::Dsfield => format!("0x{id:02x}"),
            NameTable::Groups => (id as i32).to_string(),
            _ => id.to_string(),
        };
        if numeric {
            return number();
        }
        let builtin = || {
            self.builtin()
                .iter()
                .find(|(v, _)| *v == id)
                .map(|(_, n)| (*n).to_string())
        };
        // The last entry of the files wins, as in iproute2.
        let in_files = || {
            self.file_entries()
                .iter()
                .rev()
                .find(|(v, _)| *v == id)
                .map(|(_, n)| n.clone())
        };
        let name = match self {
            // Hash tables in iproute2: file entries shadow the built-in ones.
            NameTable::Tables | NameTable::Groups => in_files().or_else(builtin),
            // Arrays: the files are read only for ids without a built-in name.
            _ => builtin().or_else(in_files),
        };
        name.unwrap_or_else(number)
    }
}

/// `ll_type_n2a`: the name of an `ARPHRD_*` link type (`link/ether`); `[N]` for a type ip
/// does not name, and with `-N` (`numeric`).
pub fn link_type_name(t: u16, numeric: bool) -> String {
    let name = match t {
        _ if numeric => return format!("[{t}]"),
        0 => "netrom",
        1 => "ether",
        2 => "eether",
        3 => "ax25",
        4 => "pronet",
        5 => "chaos",
        6 => "ieee802",
        7 => "arcnet",
        8 => "atalk",
        15 => "dlci",
        19 => "atm",
        23 => "metricom",
        24 => "ieee1394",
        32 => "infiniband",
        256 => "slip",
        257 => "cslip",
        258 => "slip6",
        259 => "cslip6",
        260 => "rsrvd",
        264 => "adapt",
        270 => "rose",
        271 => "x25",
        272 => "hwx25",
        280 => "can",
        512 => "ppp",
        513 => "hdlc",
        516 => "lapb",
        517 => "ddcmp",
        518 => "rawhdlc",
        768 => "ipip",
        769 => "tunnel6",
        770 => "frad",
        771 => "skip",
        772 => "loopback",
        773 => "ltalk",
        774 => "fddi",
        775 => "bif",
        776 => "sit",
        777 => "ip/ddp",
        778 => "gre",
        779 => "pimreg",
        780 => "hippi",
        781 => "ash",
        782 => "econet",
        783 => "irda",
        784 => "fcpp",
        785 => "fcal",
        786 => "fcpl",
        787..=799 => return format!("fcfb{}", t - 787),
        800 => "tr",
        801 => "ieee802.11",
        802 => "ieee802.11/prism",
        803 => "ieee802.11/radiotap",
        804 => "ieee802.15.4",
        805 => "ieee802.15.4/monitor",
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

/// Octets as lower-case hex joined by `:`.
pub fn hex_octets(bytes: &[u8]) -> String {
    let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    hex.join(":")
}

/// `ll_addr_n2a`: a link-layer address as `ip` prints it for a link of type `t`: dotted
/// quads for IPv4 tunnels, IPv6 text for IPv6 tunnels, colon-separated hex otherwise.
pub fn ll_addr(bytes: &[u8], t: u16) -> String {
    if let Ok(a) = <[u8; 4]>::try_from(bytes)
        && matches!(t, 768 | 776 | 778)
    {
        return Ipv4Addr::from(a).to_string();
    }
    if let Ok(a) = <[u8; 16]>::try_from(bytes)
        && matches!(t, 769 | 823)
    {
        return Ipv6Addr::from(a).to_string();
    }
    hex_octets(bytes)
}

/// The operational state (`IF_OPER_*`) as `ip` names it, if it has a name.
pub fn operstate_name(s: u8) -> Option<&'static str> {
    [
        "UNKNOWN",
        "NOTPRESENT",
        "DOWN",
        "LOWERLAYERDOWN",
        "TESTING",
        "DORMANT",
        "UP",
    ]
    .get(usize::from(s))
    .copied()
}

/// `print_link_flags`: `ifi_flags` as `ip` names them, in its order; `NO-CARRIER` first
/// when up without `IFF_RUNNING`, unknown bits as one hex string, `M-DOWN` last when `mdown`.
pub fn link_flags(flags: IfFlags, mdown: bool) -> Vec<String> {
    const ORDER: [(IfFlags, &str); 18] = [
        (IfFlags::LOOPBACK, "LOOPBACK"),
        (IfFlags::BROADCAST, "BROADCAST"),
        (IfFlags::POINTOPOINT, "POINTOPOINT"),
        (IfFlags::MULTICAST, "MULTICAST"),
        (IfFlags::NOARP, "NOARP"),
        (IfFlags::ALLMULTI, "ALLMULTI"),
        (IfFlags::PROMISC, "PROMISC"),
        (IfFlags::MASTER, "MASTER"),
        (IfFlags::SLAVE, "SLAVE"),
        (IfFlags::DEBUG, "DEBUG"),
        (IfFlags::DYNAMIC, "DYNAMIC"),
        (IfFlags::AUTOMEDIA, "AUTOMEDIA"),
        (IfFlags::PORTSEL, "PORTSEL"),
        (IfFlags::NOTRAILERS, "NOTRAILERS"),
        (IfFlags::UP, "UP"),
        (IfFlags::LOWER_UP, "LOWER_UP"),
        (IfFlags::DORMANT, "DORMANT"),
        (IfFlags::ECHO, "ECHO"),
    ];
    let mut out = Vec::new();
    if flags.contains(IfFlags::UP) && !flags.contains(IfFlags::RUNNING) {
        out.push("NO-CARRIER".to_string());
    }
    let mut rest = flags.bits() & !IfFlags::RUNNING.bits();
    for (f, name) in ORDER {
        if rest & f.bits() != 0 {
            rest &= !f.bits();
            out.push(name.to_string());
        }
    }
    if rest != 0 {
        out.push(format!("{rest:x}"));
    }
    if mdown {
        out.push("M-DOWN".to_string());
    }
    out
}

/// `ifa_flag_data`: the `IFA_F_*` bits in `ip`'s order, with the names it prints.
pub const ADDR_FLAGS: [(u32, &str); 12] = [
    (0x01, "secondary"),
    (0x02, "nodad"),
    (0x04, "optimistic"),
    (0x08, "dadfailed"),
    (0x10, "home"),
    (0x20, "deprecated"),
    (0x40, "tentative"),
    (0x80, "permanent"),
    (0x100, "mngtmpaddr"),
    (0x200, "noprefixroute"),
    (0x400, "autojoin"),
    (0x800, "stable-privacy"),
];

/// `print_rt_flags`: the `RTNH_F_*` / `RTM_F_*` bits of a route or next hop in `ip`'s
/// order, with the names it prints.
pub const ROUTE_FLAGS: [(u32, &str); 11] = [
    (0x1, "dead"),
    (0x4, "onlink"),
    (0x2, "pervasive"),
    (0x8, "offload"),
    (0x40, "trap"),
    (0x100, "notify"),
    (0x10, "linkdown"),
    (0x20, "unresolved"),
    (0x4000, "rt_offload"),
    (0x8000, "rt_trap"),
    (0x2000_0000, "rt_offload_failed"),
];

/// `rtnl_rtntype_n2a`: a route type's name (the number with `-N`, `numeric`).
pub fn route_type_name(t: u8, numeric: bool) -> String {
    const NAMES: [&str; 12] = [
        "none",
        "unicast",
        "local",
        "broadcast",
        "anycast",
        "multicast",
        "blackhole",
        "unreachable",
        "prohibit",
        "throw",
        "nat",
        "xresolve",
    ];
    match NAMES.get(usize::from(t)) {
        Some(n) if !numeric => (*n).to_string(),
        _ => t.to_string(),
    }
}

/// `NUD_*` neighbour states in `ip`'s order, with the names it prints.
pub const NEIGH_STATES: [(u16, &str); 8] = [
    (0x01, "INCOMPLETE"),
    (0x02, "REACHABLE"),
    (0x04, "STALE"),
    (0x08, "DELAY"),
    (0x10, "PROBE"),
    (0x20, "FAILED"),
    (0x40, "NOARP"),
    (0x80, "PERMANENT"),
];

/// `protodown_reason_n2a`: the name of protodown reason bit `bit` from
/// `/etc/iproute2/protodown_reasons.d/*.conf` (`BIT NAME` lines), else the number; the
/// number with `-N` (`numeric`).
pub fn protodown_reason_name(bit: u32, numeric: bool) -> String {
    static CACHE: OnceLock<Vec<(u32, String)>> = OnceLock::new();
    let table = CACHE.get_or_init(|| {
        let mut files: Vec<String> = std::fs::read_dir("/etc/iproute2/protodown_reasons.d")
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .map(|e| e.path().display().to_string())
            .filter(|p| p.ends_with(".conf"))
            .collect();
        files.sort();
        let mut out = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            for line in text.lines() {
                let mut it = line.split('#').next().unwrap_or("").split_whitespace();
                if let (Some(num), Some(name)) = (it.next(), it.next())
                    && let Some(id) = file_id(num).filter(|id| *id < 32)
                {
                    out.push((id, name.to_string()));
                }
            }
        }
        out
    });
    match table.iter().rev().find(|(id, _)| *id == bit) {
        Some((_, n)) if !numeric => n.clone(),
        _ => bit.to_string(),
    }
}

/// The entries of `/etc/protocols` (name, number, aliases), as `getprotobyname` and
/// `getprotobynumber` read them; read once.
fn ip_protocols() -> &'static [(u8, Vec<String>)] {
    static CACHE: OnceLock<Vec<(u8, Vec<String>)>> = OnceLock::new();
    CACHE.get_or_init(|| {
        let text = std::fs::read_to_string("/etc/protocols").unwrap_or_default();
        text.lines()
            .filter_map(|line| {
                let mut it = line.split('#').next().unwrap_or("").split_whitespace();
                let name = it.next()?;
                let num = it.next()?.parse::<u8>().ok()?;
                let mut names = vec![name.to_string()];
                names.extend(it.map(str::to_string));
                Some((num, names))
            })
            .collect()
    })
}

/// `inet_proto_n2a`: an IP protocol's name from `/etc/protocols` (`tcp`), or
/// `ipproto-N` for a number without one and with `-N` (`numeric`).
pub fn ip_proto_name(p: u8, numeric: bool) -> String {
    let name = ip_protocols()
        .iter()
        .find(|(n, _)| *n == p)
        .and_then(|(_, names)| names.first());
    match name {
        Some(n) if !numeric => n.clone(),
        _ => format!("ipproto-{p}"),
    }
}

/// `inet_proto_a2n`: a decimal number up to 255 (`strtoul(.., 10)`), else a protocol name
/// or alias from `/etc/protocols`.
pub fn ip_proto_lookup(w: &str) -> Option<u8> {
    if let Some(n) = parse_dec(w).and_then(|n| u8::try_from(n).ok()) {
        return Some(n);
    }
    ip_protocols()
        .iter()
        .find(|(_, names)| names.iter().any(|n| n == w))
        .map(|(n, _)| *n)
}

/// The number of a line in a names file, as `fread_id_name` reads it: `0x` and hex digits
/// (`sscanf("0x%x")`), else a decimal (`sscanf("%d")`, so `010` is ten and `-1` is
/// 4294967295).
fn file_id(num: &str) -> Option<u32> {
    if let Some(h) = num.strip_prefix("0x") {
        return Some(h)
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(parse_hex)
            .and_then(|v| u32::try_from(v).ok());
    }
    let v = match num.strip_prefix('-') {
        Some(d) => -i64::try_from(parse_dec(d)?).ok()?,
        None => i64::try_from(parse_dec(num)?).ok()?,
    };
    // `%d` stores an int.
    i32::try_from(v).ok().map(|v| v as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_in_names_files_like_fread_id_name() {
        assert_eq!(file_id("010"), Some(10));
        assert_eq!(file_id("0x10"), Some(16));
        assert_eq!(file_id("-1"), Some(u32::MAX));
        assert_eq!(file_id("+5"), Some(5));
        for bad in ["0x", "0x+1", "1a", "", "2147483648"] {
            assert_eq!(file_id(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn names_and_numbers() {
        assert_eq!(NameTable::Protos.name(2, false), "kernel");
        assert_eq!(NameTable::Protos.name(2, true), "2");
        assert_eq!(NameTable::Protos.name(77, false), "77");
        assert_eq!(NameTable::Scopes.name(253, false), "link");
        assert_eq!(NameTable::Tables.name(255, false), "local");
        assert_eq!(NameTable::Tables.name(100, false), "100");
        assert_eq!(NameTable::Dsfield.name(0x10, true), "0x10");
        assert_eq!(NameTable::Groups.name(0, false), "default");
        assert_eq!(NameTable::Groups.name(u32::MAX, true), "-1");
        assert_eq!(NameTable::Realms.name(0, false), "unknown");
        assert_eq!(NameTable::Realms.lookup("cosmos"), Some(0));
        assert_eq!(NameTable::Tables.lookup("main"), Some(254));
        assert_eq!(NameTable::Tables.lookup("0x10"), Some(16));
        assert_eq!(NameTable::Dsfield.lookup("10"), Some(0x10));
        assert_eq!(link_type_name(1, false), "ether");
        assert_eq!(link_type_name(1, true), "[1]");
        assert_eq!(link_type_name(790, false), "fcfb3");
        assert_eq!(link_type_name(9999, false), "[9999]");
        assert_eq!(route_type_name(2, false), "local");
        assert_eq!(route_type_name(2, true), "2");
        assert_eq!(route_type_name(200, false), "200");
        assert_eq!(operstate_name(6), Some("UP"));
        assert_eq!(operstate_name(7), None);
    }

    #[test]
    fn name_tables() {
        assert_eq!(NameTable::Tables.lookup("main"), Some(254));
        assert_eq!(NameTable::Tables.lookup("100"), Some(100));
        assert_eq!(NameTable::Protos.lookup("static"), Some(4));
        assert_eq!(NameTable::Scopes.lookup("link"), Some(253));
        assert_eq!(NameTable::Dsfield.lookup("10"), Some(0x10));
        assert_eq!(NameTable::Dsfield.lookup("0x10"), Some(0x10));
        assert_eq!(NameTable::Groups.lookup("default"), Some(0));
        assert_eq!(NameTable::Tables.lookup("no-such-table-name"), None);
    }

    #[test]
    fn link_layer_addresses() {
        assert_eq!(ll_addr(&[2, 0, 0, 0, 0, 0xab], 1), "02:00:00:00:00:ab");
        assert_eq!(ll_addr(&[198, 18, 0, 1], 778), "198.18.0.1");
        assert_eq!(ll_addr(&[198, 18, 0, 1], 1), "c6:12:00:01");
    }

    #[test]
    fn link_flags_as_ip_prints_them() {
        let f = |bits: u32, mdown| link_flags(IfFlags::from_bits_retain(bits), mdown).join(",");
        // UP without RUNNING is NO-CARRIER; RUNNING itself is never printed.
        assert_eq!(f(0x1003, true), "NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN");
        assert_eq!(f(0x11043, false), "BROADCAST,MULTICAST,UP,LOWER_UP");
        assert_eq!(f(0x10049, false), "LOOPBACK,UP,LOWER_UP");
        assert_eq!(f(0x80_0000, false), "800000");
        assert_eq!(f(0, true), "M-DOWN");
    }
}
