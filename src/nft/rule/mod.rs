//! [`Rule`]: a rule as matches and statements, written as `nft` writes it, and compiled to
//! the expressions `nft` 1.0.6 sends for the same text.
//!
//! The compilation follows `nft`'s choices so that a rule built here and the same rule
//! loaded with `nft -f` are byte for byte the same message (`tests/golden_nft_rules.rs`
//! checks this against `nft`'s own batches):
//!
//! - every match loads into register 1 and compares there; NAT puts the address in
//!   register 1 and the ports in registers 2 and 3 (1 and 2 without an address);
//! - a match on a network header gets the dependency its table family needs, once, right
//!   before the first such match: nothing in `ip`/`ip6`, `meta nfproto` in `inet`,
//!   `meta protocol` in `bridge` and `netdev` (unless an `ether type` match said it); a
//!   port match gets `meta l4proto` (unless an earlier match said it);
//! - a prefix on a byte boundary loads only its bytes (`ip saddr 198.18.0.0/24` loads 3);
//!   another prefix loads the whole address and masks it with `bitwise`;
//! - a port range is two comparisons (`>=`, `<=`); a range excluded (`!=`) is one `range`;
//! - consecutive equality matches on adjacent header bytes that fit 4 bytes together are
//!   loaded at once (`tcp sport 1 tcp dport 2` is one 4-byte load), as `nft` merges them;
//! - an interface name is compared over 16 bytes (`IFNAMSIZ`), a name ending in `*` over
//!   its prefix;
//! - a lookup key of several fields (`ip saddr . ip daddr . tcp dport @set`) gets every
//!   field's dependency first, then loads each field into consecutive 4-byte steps of the
//!   registers from register 1 (named `NFT_REG_N` where a 16-byte register starts,
//!   `NFT_REG32_NN` elsewhere: 1, 9, 10 for IPv4; 1, 2, 3 for IPv6);
//! - `dnat ip to KEY map @m` looks the key up with the data into register 1 (`NFTA_LOOKUP_DREG`)
//!   and gives `nat` the address in register 1 and the port in the register after the
//!   address (9 for IPv4, 2 for IPv6), without `NFTA_NAT_FLAGS` (the kernel sets
//!   `NF_NAT_RANGE_PROTO_SPECIFIED` itself).
//!
//! Bad input is refused when the rule is compiled (when it is added to a
//! [`Transaction`](super::Transaction)), before anything is sent: a prefix with host bits,
//! port 0, a reversed port range, an address of the wrong family for the table, a port
//! mapping without a tcp or udp match, conflicting protocols, bad interface or chain names.

mod compile;
mod display;

use super::TableFamily;
use crate::error::{Error, Result};
use crate::ipnet::IpNet;
use crate::wire::nft::{
    Expr, NF_CT_STATE_ESTABLISHED, NF_CT_STATE_INVALID, NF_CT_STATE_NEW, NF_CT_STATE_RELATED,
    NF_CT_STATE_UNTRACKED, NF_NAT_RANGE_PERSISTENT, NF_NAT_RANGE_PROTO_RANDOM,
    NF_NAT_RANGE_PROTO_RANDOM_FULLY, Verdict,
};
use std::fmt;
use std::net::IpAddr;
use std::ops::RangeInclusive;

/// `ETH_P_IP`.
pub const ETH_P_IP: u16 = 0x0800;
/// `ETH_P_IPV6`.
pub const ETH_P_IPV6: u16 = 0x86dd;
/// `ETH_P_ARP`.
pub const ETH_P_ARP: u16 = 0x0806;

/// A transport protocol with ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Proto {
    /// TCP (`IPPROTO_TCP`, 6).
    Tcp,
    /// UDP (`IPPROTO_UDP`, 17).
    Udp,
}

impl Proto {
    /// The `IPPROTO_*` number.
    pub fn number(self) -> u8 {
        match self {
            Proto::Tcp => 6,
            Proto::Udp => 17,
        }
    }

    /// `"tcp"` or `"udp"`.
    pub fn name(self) -> &'static str {
        match self {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
        }
    }
}

impl fmt::Display for Proto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A packet field that a lookup key is made of: one field, or several concatenated
/// (`ip saddr . ip daddr . tcp dport`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// `ip saddr` (`ip6 saddr` when `v6`).
    Saddr {
        /// IPv6.
        v6: bool,
    },
    /// `ip daddr` (`ip6 daddr` when `v6`).
    Daddr {
        /// IPv6.
        v6: bool,
    },
    /// `tcp sport` / `udp sport`.
    Sport(Proto),
    /// `tcp dport` / `udp dport`.
    Dport(Proto),
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ip = |v6: bool| if v6 { "ip6" } else { "ip" };
        match self {
            Field::Saddr { v6 } => write!(f, "{} saddr", ip(*v6)),
            Field::Daddr { v6 } => write!(f, "{} daddr", ip(*v6)),
            Field::Sport(p) => write!(f, "{p} sport"),
            Field::Dport(p) => write!(f, "{p} dport"),
        }
    }
}

/// A port or an inclusive range of ports (`80`, `5000-5010`).
///
/// ```
/// use netplumb::nft::PortRange;
/// assert_eq!(PortRange::from(80).to_string(), "80");
/// assert_eq!(PortRange::from(5000..=5010).to_string(), "5000-5010");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortRange {
    /// The first port.
    pub first: u16,
    /// The last port (equal to `first` for one port).
    pub last: u16,
}

impl PortRange {
    /// Refuses port 0 and a reversed range.
    pub fn check(self) -> Result<()> {
        if self.first == 0 || self.last == 0 {
            return Err(Error::invalid("port", format!("{self}: port 0")));
        }
        if self.first > self.last {
            return Err(Error::invalid(
                "port range",
                format!("{}-{}: reversed", self.first, self.last),
            ));
        }
        Ok(())
    }

    /// True for a single port.
    pub fn is_single(self) -> bool {
        self.first == self.last
    }

    /// How many ports.
    pub fn count(self) -> u32 {
        u32::from(self.last).saturating_sub(u32::from(self.first)) + 1
    }
}

impl From<u16> for PortRange {
    fn from(p: u16) -> Self {
        PortRange { first: p, last: p }
    }
}

impl From<RangeInclusive<u16>> for PortRange {
    fn from(r: RangeInclusive<u16>) -> Self {
        PortRange {
            first: *r.start(),
            last: *r.end(),
        }
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_single() {
            write!(f, "{}", self.first)
        } else {
            write!(f, "{}-{}", self.first, self.last)
        }
    }
}

bitflags::bitflags! {
    /// Conntrack states (`ct state`): a rule matches when the packet's state is any of them.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct CtState: u32 {
        /// `invalid`.
        const INVALID = NF_CT_STATE_INVALID;
        /// `established`.
        const ESTABLISHED = NF_CT_STATE_ESTABLISHED;
        /// `related`.
        const RELATED = NF_CT_STATE_RELATED;
        /// `new`.
        const NEW = NF_CT_STATE_NEW;
        /// `untracked`.
        const UNTRACKED = NF_CT_STATE_UNTRACKED;
    }
}

bitflags::bitflags! {
    /// How NAT picks ports (`NF_NAT_RANGE_*`): `masquerade random`, `snat ... persistent`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct NatFlags: u32 {
        /// `random`.
        const RANDOM = NF_NAT_RANGE_PROTO_RANDOM;
        /// `persistent`.
        const PERSISTENT = NF_NAT_RANGE_PERSISTENT;
        /// `fully-random`.
        const FULLY_RANDOM = NF_NAT_RANGE_PROTO_RANDOM_FULLY;
    }
}

/// What a `reject` answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum RejectWith {
    /// An ICMP (or ICMPv6) port unreachable, as a plain `reject`.
    #[default]
    PortUnreachable,
    /// `with tcp reset` (adds a tcp match when the rule has none).
    TcpReset,
}

/// One match or statement of a rule, in the order written.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    IfName {
        output: bool,
        eq: bool,
        name: String,
    },
    IfIndex {
        output: bool,
        eq: bool,
        index: u32,
    },
    Addr {
        dst: bool,
        eq: bool,
        net: IpNet,
    },
    AddrSet {
        dst: bool,
        eq: bool,
        v6: bool,
        set: String,
    },
    L4Proto(u8),
    Port {
        proto: Proto,
        dst: bool,
        eq: bool,
        ports: PortRange,
    },
    PortSet {
        proto: Proto,
        dst: bool,
        eq: bool,
        set: String,
    },
    /// `FIELD . FIELD @SET`.
    Lookup {
        fields: Vec<Field>,
        set: String,
    },
    /// `dnat ip to FIELD . FIELD map @MAP`: the address and port from a map.
    NatMap {
        v6: bool,
        fields: Vec<Field>,
        map: String,
    },
    EtherType(u16),
    FibDaddrLocal,
    CtState(CtState),
    Mark {
        eq: bool,
        value: u32,
    },
    Counter,
    Verdict(Verdict),
    Masquerade {
        flags: NatFlags,
        ports: Option<PortRange>,
    },
    Nat {
        dnat: bool,
        addr: IpAddr,
        ports: Option<PortRange>,
    },
    Redirect(PortRange),
    Log(Option<String>),
    Reject(RejectWith),
    MarkSet(u32),
    Expr(Expr),
}

/// A rule: matches and statements in the order `nft` would read them.
///
/// Nothing is checked while building; [`Rule::compile`] (called when the rule is added to
/// a [`Transaction`](super::Transaction)) checks everything and makes the expressions.
/// `Display` writes the rule in `nft` syntax.
///
/// ```
/// use netplumb::nft::{Proto, Rule, TableFamily};
/// // nft add rule inet t pre fib daddr type local tcp dport 8080 dnat ip to 198.18.0.2:80
/// let r = Rule::new()
///     .fib_daddr_local()
///     .dport(Proto::Tcp, 8080)
///     .dnat("198.18.0.2".parse()?, Some(80.into()));
/// assert_eq!(
///     r.to_string(),
///     "fib daddr type local tcp dport 8080 dnat ip to 198.18.0.2:80"
/// );
/// let exprs = r.compile(TableFamily::Inet)?;
/// assert_eq!(exprs.len(), 9); // fib, cmp, meta, cmp, payload, cmp, 2 immediates, nat
/// // Port 0 is refused before anything is sent.
/// assert!(Rule::new().dport(Proto::Tcp, 0).compile(TableFamily::Inet).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rule {
    items: Vec<Item>,
}

impl Rule {
    /// An empty rule (matches everything, does nothing).
    pub fn new() -> Rule {
        Rule::default()
    }

    fn push(mut self, i: Item) -> Rule {
        self.items.push(i);
        self
    }

    // ---- matches ----

    /// `iifname NAME`: the input interface's name; a name ending in `*` matches by prefix.
    pub fn iifname(self, name: impl Into<String>) -> Rule {
        self.push(Item::IfName {
            output: false,
            eq: true,
            name: name.into(),
        })
    }
    /// `iifname != NAME`.
    pub fn iifname_ne(self, name: impl Into<String>) -> Rule {
        self.push(Item::IfName {
            output: false,
            eq: false,
            name: name.into(),
        })
    }
    /// `oifname NAME`: the output interface's name.
    pub fn oifname(self, name: impl Into<String>) -> Rule {
        self.push(Item::IfName {
            output: true,
            eq: true,
            name: name.into(),
        })
    }
    /// `oifname != NAME`.
    pub fn oifname_ne(self, name: impl Into<String>) -> Rule {
        self.push(Item::IfName {
            output: true,
            eq: false,
            name: name.into(),
        })
    }
    /// `iif INDEX`: the input interface's index.
    pub fn iif(self, index: u32) -> Rule {
        self.push(Item::IfIndex {
            output: false,
            eq: true,
            index,
        })
    }
    /// `oif INDEX`: the output interface's index.
    pub fn oif(self, index: u32) -> Rule {
        self.push(Item::IfIndex {
            output: true,
            eq: true,
            index,
        })
    }
    /// `ip saddr NET` (or `ip6 saddr`, by the network's family): the source address is in
    /// `net`, which must have no host bits (`198.18.0.0/24`, or `198.18.0.2/32`).
    pub fn saddr(self, net: IpNet) -> Rule {
        self.push(Item::Addr {
            dst: false,
            eq: true,
            net,
        })
    }
    /// `ip saddr != NET`.
    pub fn saddr_ne(self, net: IpNet) -> Rule {
        self.push(Item::Addr {
            dst: false,
            eq: false,
            net,
        })
    }
    /// `ip daddr NET` (or `ip6 daddr`).
    pub fn daddr(self, net: IpNet) -> Rule {
        self.push(Item::Addr {
            dst: true,
            eq: true,
            net,
        })
    }
    /// `ip daddr != NET`.
    pub fn daddr_ne(self, net: IpNet) -> Rule {
        self.push(Item::Addr {
            dst: true,
            eq: false,
            net,
        })
    }
    /// `ip saddr @SET` (`ip6 saddr @SET` when `v6`): the source address is in the set.
    pub fn saddr_in(self, set: impl Into<String>, v6: bool) -> Rule {
        self.push(Item::AddrSet {
            dst: false,
            eq: true,
            v6,
            set: set.into(),
        })
    }
    /// `ip daddr @SET` (`ip6 daddr @SET` when `v6`).
    pub fn daddr_in(self, set: impl Into<String>, v6: bool) -> Rule {
        self.push(Item::AddrSet {
            dst: true,
            eq: true,
            v6,
            set: set.into(),
        })
    }
    /// `ip saddr != @SET`.
    pub fn saddr_not_in(self, set: impl Into<String>, v6: bool) -> Rule {
        self.push(Item::AddrSet {
            dst: false,
            eq: false,
            v6,
            set: set.into(),
        })
    }
    /// `meta l4proto N`: the transport protocol (`IPPROTO_*`).
    pub fn l4proto(self, proto: u8) -> Rule {
        self.push(Item::L4Proto(proto))
    }
    /// `tcp dport PORTS` / `udp dport PORTS`: a port or a range.
    pub fn dport(self, proto: Proto, ports: impl Into<PortRange>) -> Rule {
        self.push(Item::Port {
            proto,
            dst: true,
            eq: true,
            ports: ports.into(),
        })
    }
    /// `tcp dport != PORTS`.
    pub fn dport_ne(self, proto: Proto, ports: impl Into<PortRange>) -> Rule {
        self.push(Item::Port {
            proto,
            dst: true,
            eq: false,
            ports: ports.into(),
        })
    }
    /// `tcp sport PORTS` / `udp sport PORTS`.
    pub fn sport(self, proto: Proto, ports: impl Into<PortRange>) -> Rule {
        self.push(Item::Port {
            proto,
            dst: false,
            eq: true,
            ports: ports.into(),
        })
    }
    /// `tcp sport != PORTS`.
    pub fn sport_ne(self, proto: Proto, ports: impl Into<PortRange>) -> Rule {
        self.push(Item::Port {
            proto,
            dst: false,
            eq: false,
            ports: ports.into(),
        })
    }
    /// `tcp dport @SET`: the destination port is in the set (of `inet_service`).
    pub fn dport_in(self, proto: Proto, set: impl Into<String>) -> Rule {
        self.push(Item::PortSet {
            proto,
            dst: true,
            eq: true,
            set: set.into(),
        })
    }
    /// `FIELD . FIELD ... @SET`: the key made of `fields` (one field, or a concatenation)
    /// is in the set (`ip saddr . ip daddr . tcp dport @hairpin`). The fields are loaded into
    /// consecutive registers, each rounded up to 4 bytes, as `nft` does.
    pub fn in_set(self, fields: &[Field], set: impl Into<String>) -> Rule {
        self.push(Item::Lookup {
            fields: fields.to_vec(),
            set: set.into(),
        })
    }
    /// `ether type T` (bridge and netdev tables): [`ETH_P_IP`], [`ETH_P_IPV6`], ...
    pub fn ether_type(self, ethertype: u16) -> Rule {
        self.push(Item::EtherType(ethertype))
    }
    /// `fib daddr type local`: the destination is an address of this host.
    pub fn fib_daddr_local(self) -> Rule {
        self.push(Item::FibDaddrLocal)
    }
    /// `ct state S1,S2`: the connection is in any of the states.
    pub fn ct_state(self, states: CtState) -> Rule {
        self.push(Item::CtState(states))
    }
    /// `meta mark V`.
    pub fn mark(self, value: u32) -> Rule {
        self.push(Item::Mark { eq: true, value })
    }
    /// `meta mark != V`.
    pub fn mark_ne(self, value: u32) -> Rule {
        self.push(Item::Mark { eq: false, value })
    }

    // ---- statements ----

    /// `counter`.
    pub fn counter(self) -> Rule {
        self.push(Item::Counter)
    }
    /// `accept`.
    pub fn accept(self) -> Rule {
        self.push(Item::Verdict(Verdict::Accept))
    }
    /// `drop`.
    pub fn drop(self) -> Rule {
        self.push(Item::Verdict(Verdict::Drop))
    }
    /// `return`.
    pub fn ret(self) -> Rule {
        self.push(Item::Verdict(Verdict::Return))
    }
    /// `continue`.
    pub fn cont(self) -> Rule {
        self.push(Item::Verdict(Verdict::Continue))
    }
    /// `jump CHAIN`: to a regular chain of the same table, and back.
    pub fn jump(self, chain: impl Into<String>) -> Rule {
        self.push(Item::Verdict(Verdict::Jump(chain.into())))
    }
    /// `goto CHAIN`: to a regular chain of the same table, not back.
    pub fn goto(self, chain: impl Into<String>) -> Rule {
        self.push(Item::Verdict(Verdict::Goto(chain.into())))
    }
    /// `masquerade`: source NAT to the output interface's address.
    pub fn masquerade(self) -> Rule {
        self.push(Item::Masquerade {
            flags: NatFlags::empty(),
            ports: None,
        })
    }
    /// `masquerade [to :PORTS] [random,persistent,fully-random]`.
    pub fn masquerade_with(self, ports: Option<PortRange>, flags: NatFlags) -> Rule {
        self.push(Item::Masquerade { flags, ports })
    }
    /// `snat ip to ADDR[:PORTS]` (`ip6` for an IPv6 address).
    pub fn snat(self, addr: IpAddr, ports: Option<PortRange>) -> Rule {
        self.push(Item::Nat {
            dnat: false,
            addr,
            ports,
        })
    }
    /// `dnat ip to ADDR[:PORTS]` (`ip6` for an IPv6 address).
    pub fn dnat(self, addr: IpAddr, ports: Option<PortRange>) -> Rule {
        self.push(Item::Nat {
            dnat: true,
            addr,
            ports,
        })
    }
    /// `dnat ip to FIELD . FIELD ... map @MAP` (`ip6` when `v6`): destination NAT to the
    /// address and port that the map `map` (of `ipv4_addr . inet_service`, or
    /// `ipv6_addr . inet_service`) holds for the key made of `fields`; no NAT when the key is
    /// not in the map. `lookup` puts the data in register 1 on, `nat` takes the address from
    /// register 1 and the port from the register after the address.
    pub fn dnat_map(self, v6: bool, fields: &[Field], map: impl Into<String>) -> Rule {
        self.push(Item::NatMap {
            v6,
            fields: fields.to_vec(),
            map: map.into(),
        })
    }
    /// `redirect to :PORTS`: destination NAT to this host.
    pub fn redirect(self, ports: impl Into<PortRange>) -> Rule {
        self.push(Item::Redirect(ports.into()))
    }
    /// `log [prefix "P"]`.
    pub fn log(self, prefix: Option<&str>) -> Rule {
        self.push(Item::Log(prefix.map(str::to_string)))
    }
    /// `reject [with tcp reset]`.
    pub fn reject(self, with: RejectWith) -> Rule {
        self.push(Item::Reject(with))
    }
    /// `meta mark set V`.
    pub fn mark_set(self, value: u32) -> Rule {
        self.push(Item::MarkSet(value))
    }
    /// An expression as it is, for what the builder does not cover (not checked, not
    /// written by `Display` other than as a comment).
    pub fn expr(self, e: Expr) -> Rule {
        self.push(Item::Expr(e))
    }

    /// The chains this rule jumps or goes to.
    pub fn targets(&self) -> impl Iterator<Item = &str> {
        self.items.iter().filter_map(|i| match i {
            Item::Verdict(Verdict::Jump(c) | Verdict::Goto(c)) => Some(c.as_str()),
            _ => None,
        })
    }

    /// The sets this rule looks up.
    pub fn sets(&self) -> impl Iterator<Item = &str> {
        self.items.iter().filter_map(|i| match i {
            Item::AddrSet { set, .. }
            | Item::PortSet { set, .. }
            | Item::Lookup { set, .. }
            | Item::NatMap { map: set, .. } => Some(set.as_str()),
            _ => None,
        })
    }

    /// The expressions of this rule in a table of `family`, as `nft` 1.0.6 makes them.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for what the module docs list.
    pub fn compile(&self, family: TableFamily) -> Result<Vec<Expr>> {
        self.compile_with(family, &|_| None)
    }

    /// [`Rule::compile`], with `set_id` giving the batch id of a set made in the same
    /// transaction (which lookups then name too, as `nft` does).
    pub(crate) fn compile_with(
        &self,
        family: TableFamily,
        set_id: &dyn Fn(&str) -> Option<u32>,
    ) -> Result<Vec<Expr>> {
        compile::compile(&self.items, family, set_id)
    }
}
