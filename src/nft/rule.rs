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
//!   its prefix.
//!
//! Bad input is refused when the rule is compiled (when it is added to a
//! [`Transaction`](super::Transaction)), before anything is sent: a prefix with host bits,
//! port 0, a reversed port range, an address of the wrong family for the table, a port
//! mapping without a tcp or udp match, conflicting protocols, bad interface or chain names.

use super::{TableFamily, check_name};
use crate::error::{Error, Result};
use crate::ipnet::IpNet;
use crate::wire::nft::{
    Expr, NF_CT_STATE_ESTABLISHED, NF_CT_STATE_INVALID, NF_CT_STATE_NEW, NF_CT_STATE_RELATED,
    NF_CT_STATE_UNTRACKED, NF_NAT_RANGE_PERSISTENT, NF_NAT_RANGE_PROTO_RANDOM,
    NF_NAT_RANGE_PROTO_RANDOM_FULLY, NF_NAT_RANGE_PROTO_SPECIFIED, NFPROTO_IPV4, NFPROTO_IPV6,
    NFT_CMP_EQ, NFT_CMP_GTE, NFT_CMP_LTE, NFT_CMP_NEQ, NFT_CT_STATE, NFT_FIB_RESULT_ADDRTYPE,
    NFT_META_IIF, NFT_META_IIFNAME, NFT_META_L4PROTO, NFT_META_MARK, NFT_META_NFPROTO,
    NFT_META_OIF, NFT_META_OIFNAME, NFT_META_PROTOCOL, NFT_NAT_DNAT, NFT_NAT_SNAT,
    NFT_PAYLOAD_LL_HEADER, NFT_PAYLOAD_NETWORK_HEADER, NFT_PAYLOAD_TRANSPORT_HEADER, NFT_RANGE_NEQ,
    NFT_REG_1, NFT_REG_2, NFT_REG_3, NFT_REJECT_ICMP_UNREACH, NFT_REJECT_ICMPX_UNREACH,
    NFT_REJECT_TCP_RST, NFTA_FIB_F_DADDR, Verdict,
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

/// `RTN_LOCAL`: what `fib daddr type local` compares with.
const RTN_LOCAL: u32 = 2;
/// `ICMP_PORT_UNREACH`, `ICMPV6_PORT_UNREACH`, `NFT_REJECT_ICMPX_PORT_UNREACH`.
const ICMP_PORT_UNREACH: u8 = 3;
const ICMPV6_PORT_UNREACH: u8 = 4;
const ICMPX_PORT_UNREACH: u8 = 1;

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
            Item::AddrSet { set, .. } | Item::PortSet { set, .. } => Some(set.as_str()),
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
        let mut c = Compiler {
            family,
            net: None,
            l4: None,
            out: Vec::new(),
        };
        for item in &self.items {
            c.item(item, set_id)?;
        }
        Ok(c.finish())
    }
}

/// One step of a compiled rule: an equality on packet bytes (which `nft` may merge with its
/// neighbours), or expressions as they are.
#[derive(Debug)]
enum Lowered {
    Eq {
        base: u32,
        offset: u32,
        data: Vec<u8>,
    },
    Exprs(Vec<Expr>),
}

struct Compiler {
    family: TableFamily,
    /// The network protocol established so far: `NFPROTO_*` in inet, an EtherType in
    /// bridge and netdev.
    net: Option<u16>,
    /// The transport protocol established so far.
    l4: Option<u8>,
    out: Vec<Lowered>,
}

fn bad(what: &'static str, reason: impl Into<String>) -> Error {
    Error::invalid(what, reason)
}

/// An interface name as `meta iifname` compares it: 16 bytes, or the prefix of a name
/// ending in `*`.
fn ifname_data(name: &str) -> Result<Vec<u8>> {
    if let Some(prefix) = name.strip_suffix('*') {
        if prefix.is_empty() {
            return Err(bad("interface name", "\"*\" alone: leave the match out"));
        }
        crate::ifname::validate(prefix)?;
        return Ok(prefix.as_bytes().to_vec());
    }
    crate::ifname::validate(name)?;
    let mut v = name.as_bytes().to_vec();
    v.resize(16, 0);
    Ok(v)
}

fn addr_bytes(a: IpAddr) -> Vec<u8> {
    match a {
        IpAddr::V4(a) => a.octets().to_vec(),
        IpAddr::V6(a) => a.octets().to_vec(),
    }
}

fn cmp_op(eq: bool) -> u32 {
    if eq { NFT_CMP_EQ } else { NFT_CMP_NEQ }
}

impl Compiler {
    fn exprs(&mut self, e: Vec<Expr>) {
        self.out.push(Lowered::Exprs(e));
    }

    /// `meta load KEY => reg 1; cmp OP reg 1 DATA`.
    fn meta_cmp(&mut self, key: u32, op: u32, data: Vec<u8>) {
        self.exprs(vec![
            Expr::meta_load(key, NFT_REG_1),
            Expr::cmp(op, NFT_REG_1, data),
        ]);
    }

    fn ip_family(&self) -> bool {
        matches!(
            self.family,
            TableFamily::Ip | TableFamily::Ip6 | TableFamily::Inet
        )
    }

    /// Makes sure the network protocol is IPv6 (`v6`) or IPv4 for a network-header match,
    /// adding the family's dependency the first time.
    fn need_net(&mut self, v6: bool) -> Result<()> {
        let name = if v6 { "ip6" } else { "ip" };
        let conflict = |had: &str| {
            Err(bad(
                "rule",
                format!("conflicting protocols specified: {had} vs. {name}"),
            ))
        };
        match self.family {
            TableFamily::Ip if v6 => conflict("ip"),
            TableFamily::Ip6 if !v6 => conflict("ip6"),
            TableFamily::Ip | TableFamily::Ip6 => Ok(()),
            TableFamily::Arp => Err(bad("rule", format!("{name} matches in an arp table"))),
            TableFamily::Inet => {
                let want = u16::from(if v6 { NFPROTO_IPV6 } else { NFPROTO_IPV4 });
                match self.net {
                    Some(n) if n == want => Ok(()),
                    Some(_) => conflict(if v6 { "ip" } else { "ip6" }),
                    None => {
                        self.net = Some(want);
                        self.meta_cmp(NFT_META_NFPROTO, NFT_CMP_EQ, vec![want as u8]);
                        Ok(())
                    }
                }
            }
            TableFamily::Bridge | TableFamily::Netdev => {
                let want = if v6 { ETH_P_IPV6 } else { ETH_P_IP };
                match self.net {
                    Some(n) if n == want => Ok(()),
                    Some(n) => conflict(&format!("ether type {n:#06x}")),
                    None => {
                        self.net = Some(want);
                        self.meta_cmp(NFT_META_PROTOCOL, NFT_CMP_EQ, want.to_be_bytes().to_vec());
                        Ok(())
                    }
                }
            }
        }
    }

    /// Makes sure the transport protocol is `proto`, adding `meta l4proto` the first time.
    fn need_l4(&mut self, proto: u8) -> Result<()> {
        match self.l4 {
            Some(p) if p == proto => Ok(()),
            Some(p) => Err(bad(
                "rule",
                format!("conflicting transport protocols: {p} vs. {proto}"),
            )),
            None => {
                self.l4 = Some(proto);
                self.meta_cmp(NFT_META_L4PROTO, NFT_CMP_EQ, vec![proto]);
                Ok(())
            }
        }
    }

    fn item(&mut self, item: &Item, set_id: &dyn Fn(&str) -> Option<u32>) -> Result<()> {
        match item {
            Item::IfName { output, eq, name } => {
                let key = if *output {
                    NFT_META_OIFNAME
                } else {
                    NFT_META_IIFNAME
                };
                self.meta_cmp(key, cmp_op(*eq), ifname_data(name)?);
            }
            Item::IfIndex { output, eq, index } => {
                let key = if *output { NFT_META_OIF } else { NFT_META_IIF };
                self.meta_cmp(key, cmp_op(*eq), index.to_ne_bytes().to_vec());
            }
            Item::Addr { dst, eq, net } => self.addr(*dst, *eq, net)?,
            Item::AddrSet { dst, eq, v6, set } => {
                check_name("set name", set)?;
                self.need_net(*v6)?;
                let (offset, len) = addr_field(*v6, *dst);
                self.exprs(vec![
                    Expr::payload_load(NFT_PAYLOAD_NETWORK_HEADER, offset, len, NFT_REG_1),
                    Expr::lookup_in(set, NFT_REG_1, set_id(set), !eq),
                ]);
            }
            Item::L4Proto(p) => {
                self.l4 = Some(*p);
                self.meta_cmp(NFT_META_L4PROTO, NFT_CMP_EQ, vec![*p]);
            }
            Item::Port {
                proto,
                dst,
                eq,
                ports,
            } => self.port(*proto, *dst, *eq, *ports)?,
            Item::PortSet {
                proto,
                dst,
                eq,
                set,
            } => {
                check_name("set name", set)?;
                self.need_l4(proto.number())?;
                self.exprs(vec![
                    Expr::payload_load(
                        NFT_PAYLOAD_TRANSPORT_HEADER,
                        port_offset(*dst),
                        2,
                        NFT_REG_1,
                    ),
                    Expr::lookup_in(set, NFT_REG_1, set_id(set), !eq),
                ]);
            }
            Item::EtherType(t) => {
                if !matches!(self.family, TableFamily::Bridge | TableFamily::Netdev) {
                    return Err(bad(
                        "rule",
                        format!(
                            "ether type matches need a bridge or netdev table, not {}",
                            self.family
                        ),
                    ));
                }
                self.net = Some(*t);
                self.out.push(Lowered::Eq {
                    base: NFT_PAYLOAD_LL_HEADER,
                    offset: 12,
                    data: t.to_be_bytes().to_vec(),
                });
            }
            Item::FibDaddrLocal => {
                if !self.ip_family() {
                    return Err(bad(
                        "rule",
                        format!("fib needs an ip, ip6 or inet table, not {}", self.family),
                    ));
                }
                self.exprs(vec![
                    Expr::fib(NFTA_FIB_F_DADDR, NFT_FIB_RESULT_ADDRTYPE, NFT_REG_1),
                    Expr::cmp(NFT_CMP_EQ, NFT_REG_1, RTN_LOCAL.to_ne_bytes()),
                ]);
            }
            Item::CtState(s) => {
                if s.is_empty() {
                    return Err(bad("ct state", "no state given"));
                }
                self.exprs(vec![
                    Expr::ct_load(NFT_CT_STATE, NFT_REG_1),
                    Expr::bitwise(
                        NFT_REG_1,
                        NFT_REG_1,
                        s.bits().to_ne_bytes().to_vec(),
                        vec![0; 4],
                    ),
                    Expr::cmp(NFT_CMP_NEQ, NFT_REG_1, [0u8; 4]),
                ]);
            }
            Item::Mark { eq, value } => {
                self.meta_cmp(NFT_META_MARK, cmp_op(*eq), value.to_ne_bytes().to_vec());
            }
            Item::Counter => self.exprs(vec![Expr::counter()]),
            Item::Verdict(v) => {
                if let Verdict::Jump(c) | Verdict::Goto(c) = v {
                    check_name("chain name", c)?;
                }
                self.exprs(vec![Expr::verdict(v.clone())]);
            }
            Item::Masquerade { flags, ports } => self.masquerade(*flags, *ports)?,
            Item::Nat { dnat, addr, ports } => self.nat(*dnat, *addr, *ports)?,
            Item::Redirect(ports) => {
                self.need_ports(*ports, "redirect")?;
                let mut e = port_immediates(*ports, NFT_REG_1);
                let max = (!ports.is_single()).then_some(NFT_REG_2);
                e.push(Expr::redir(NFT_REG_1, max, NF_NAT_RANGE_PROTO_SPECIFIED));
                self.exprs(e);
            }
            Item::Log(prefix) => {
                if prefix
                    .as_deref()
                    .is_some_and(|p| p.len() > 127 || p.contains(['\0', '"']))
                {
                    return Err(bad("log prefix", "up to 127 bytes, without NUL or '\"'"));
                }
                self.exprs(vec![Expr::log(prefix.as_deref())]);
            }
            Item::Reject(with) => {
                let e = match with {
                    RejectWith::TcpReset => {
                        self.need_l4(Proto::Tcp.number())?;
                        Expr::reject(NFT_REJECT_TCP_RST, 0)
                    }
                    RejectWith::PortUnreachable => match (self.family, self.net) {
                        (TableFamily::Ip, _) => {
                            Expr::reject(NFT_REJECT_ICMP_UNREACH, ICMP_PORT_UNREACH)
                        }
                        (TableFamily::Ip6, _) => {
                            Expr::reject(NFT_REJECT_ICMP_UNREACH, ICMPV6_PORT_UNREACH)
                        }
                        (_, Some(n)) if n == u16::from(NFPROTO_IPV4) || n == ETH_P_IP => {
                            Expr::reject(NFT_REJECT_ICMP_UNREACH, ICMP_PORT_UNREACH)
                        }
                        (_, Some(n)) if n == u16::from(NFPROTO_IPV6) || n == ETH_P_IPV6 => {
                            Expr::reject(NFT_REJECT_ICMP_UNREACH, ICMPV6_PORT_UNREACH)
                        }
                        _ => Expr::reject(NFT_REJECT_ICMPX_UNREACH, ICMPX_PORT_UNREACH),
                    },
                };
                self.exprs(vec![e]);
            }
            Item::MarkSet(v) => self.exprs(vec![
                Expr::immediate(NFT_REG_1, v.to_ne_bytes()),
                Expr::meta_set(NFT_META_MARK, NFT_REG_1),
            ]),
            Item::Expr(e) => self.exprs(vec![e.clone()]),
        }
        Ok(())
    }

    fn addr(&mut self, dst: bool, eq: bool, net: &IpNet) -> Result<()> {
        if net.network() != *net {
            return Err(bad(
                "prefix",
                format!(
                    "{}/{}: host bits set (the network is {})",
                    net.addr(),
                    net.prefix_len(),
                    net.network()
                ),
            ));
        }
        let v6 = !net.is_ipv4();
        self.need_net(v6)?;
        let (offset, len) = addr_field(v6, dst);
        let bytes = addr_bytes(net.addr());
        let plen = u32::from(net.prefix_len());
        if plen % 8 == 0 && plen > 0 {
            let data = bytes.get(..(plen / 8) as usize).unwrap_or(&bytes).to_vec();
            if eq {
                self.out.push(Lowered::Eq {
                    base: NFT_PAYLOAD_NETWORK_HEADER,
                    offset,
                    data,
                });
            } else {
                self.exprs(vec![
                    Expr::payload_load(NFT_PAYLOAD_NETWORK_HEADER, offset, plen / 8, NFT_REG_1),
                    Expr::cmp(NFT_CMP_NEQ, NFT_REG_1, data),
                ]);
            }
            return Ok(());
        }
        let mask = prefix_mask(len as usize, plen as usize);
        self.exprs(vec![
            Expr::payload_load(NFT_PAYLOAD_NETWORK_HEADER, offset, len, NFT_REG_1),
            Expr::bitwise(NFT_REG_1, NFT_REG_1, mask, vec![0; len as usize]),
            Expr::cmp(cmp_op(eq), NFT_REG_1, bytes),
        ]);
        Ok(())
    }

    fn port(&mut self, proto: Proto, dst: bool, eq: bool, ports: PortRange) -> Result<()> {
        ports.check()?;
        self.need_l4(proto.number())?;
        let offset = port_offset(dst);
        let load = Expr::payload_load(NFT_PAYLOAD_TRANSPORT_HEADER, offset, 2, NFT_REG_1);
        let (lo, hi) = (ports.first.to_be_bytes(), ports.last.to_be_bytes());
        match (ports.is_single(), eq) {
            (true, true) => self.out.push(Lowered::Eq {
                base: NFT_PAYLOAD_TRANSPORT_HEADER,
                offset,
                data: lo.to_vec(),
            }),
            (true, false) => self.exprs(vec![load, Expr::cmp(NFT_CMP_NEQ, NFT_REG_1, lo)]),
            (false, true) => self.exprs(vec![
                load,
                Expr::cmp(NFT_CMP_GTE, NFT_REG_1, lo),
                Expr::cmp(NFT_CMP_LTE, NFT_REG_1, hi),
            ]),
            (false, false) => self.exprs(vec![load, Expr::range(NFT_RANGE_NEQ, NFT_REG_1, lo, hi)]),
        }
        Ok(())
    }

    /// A port mapping needs valid ports and a transport protocol match before it.
    fn need_ports(&self, ports: PortRange, what: &str) -> Result<()> {
        ports.check()?;
        if self.l4.is_none() {
            return Err(bad(
                "rule",
                format!("{what} to ports needs a tcp or udp match before it"),
            ));
        }
        Ok(())
    }

    fn nat_family(&self, what: &str) -> Result<()> {
        if self.ip_family() {
            Ok(())
        } else {
            Err(bad(
                "rule",
                format!("{what} needs an ip, ip6 or inet table, not {}", self.family),
            ))
        }
    }

    fn masquerade(&mut self, flags: NatFlags, ports: Option<PortRange>) -> Result<()> {
        self.nat_family("masquerade")?;
        let e = match ports {
            None => vec![Expr::masq(flags.bits())],
            Some(p) => {
                self.need_ports(p, "masquerade")?;
                let mut e = port_immediates(p, NFT_REG_1);
                let max = (!p.is_single()).then_some(NFT_REG_2);
                e.push(Expr::masq_ports(
                    NFT_REG_1,
                    max,
                    flags.bits() | NF_NAT_RANGE_PROTO_SPECIFIED,
                ));
                e
            }
        };
        self.exprs(e);
        Ok(())
    }

    fn nat(&mut self, dnat: bool, addr: IpAddr, ports: Option<PortRange>) -> Result<()> {
        let what = if dnat { "dnat" } else { "snat" };
        self.nat_family(what)?;
        let v6 = addr.is_ipv6();
        match (self.family, v6) {
            (TableFamily::Ip, true) | (TableFamily::Ip6, false) => {
                return Err(bad(
                    "rule",
                    format!(
                        "{what} to {addr}: wrong address family for a {} table",
                        self.family
                    ),
                ));
            }
            _ => {}
        }
        if addr.is_unspecified() {
            return Err(bad("rule", format!("{what} to {addr}: no address")));
        }
        let mut e = vec![Expr::immediate(NFT_REG_1, addr_bytes(addr))];
        let (mut min, mut max, mut flags) = (None, None, 0);
        if let Some(p) = ports {
            self.need_ports(p, what)?;
            e.extend(port_immediates(p, NFT_REG_2));
            min = Some(NFT_REG_2);
            max = (!p.is_single()).then_some(NFT_REG_3);
            flags = NF_NAT_RANGE_PROTO_SPECIFIED;
        }
        let kind = if dnat { NFT_NAT_DNAT } else { NFT_NAT_SNAT };
        let fam = u32::from(if v6 { NFPROTO_IPV6 } else { NFPROTO_IPV4 });
        e.push(Expr::nat(kind, fam, NFT_REG_1, min, max, flags));
        self.exprs(e);
        Ok(())
    }

    /// The expressions, with `nft`'s merging of adjacent equality loads.
    fn finish(self) -> Vec<Expr> {
        let mut merged: Vec<Lowered> = Vec::with_capacity(self.out.len());
        let mut run: Vec<(u32, u32, Vec<u8>)> = Vec::new();
        for l in self.out {
            match l {
                Lowered::Eq { base, offset, data } => run.push((base, offset, data)),
                other => {
                    flush_run(&mut run, &mut merged);
                    merged.push(other);
                }
            }
        }
        flush_run(&mut run, &mut merged);
        let mut out = Vec::new();
        for l in merged {
            match l {
                Lowered::Eq { base, offset, data } => {
                    let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
                    out.push(Expr::payload_load(base, offset, len, NFT_REG_1));
                    out.push(Expr::cmp(NFT_CMP_EQ, NFT_REG_1, data));
                }
                Lowered::Exprs(e) => out.extend(e),
            }
        }
        out
    }
}

/// Merges a run of consecutive equality loads as `nft` does: sorted by offset, each one
/// joins the one before when both have the same base, are adjacent and fit 4 bytes
/// together; a merged load takes the place of the first of the two in sorted order, the
/// others keep their place.
fn flush_run(run: &mut Vec<(u32, u32, Vec<u8>)>, out: &mut Vec<Lowered>) {
    if run.len() < 2 {
        out.extend(
            run.drain(..)
                .map(|(base, offset, data)| Lowered::Eq { base, offset, data }),
        );
        return;
    }
    // Positions in the rule, visited in offset order.
    let mut order: Vec<usize> = (0..run.len()).collect();
    order.sort_by_key(|&i| run.get(i).map_or(0, |r| r.1));
    let mut slots: Vec<Option<(u32, u32, Vec<u8>)>> = run.drain(..).map(Some).collect();
    let mut last = order.first().copied().unwrap_or(0);
    for &i in order.iter().skip(1) {
        let joinable = match (slots.get(last), slots.get(i)) {
            (Some(Some(a)), Some(Some(b))) => {
                a.0 == b.0
                    && a.1.saturating_add(a.2.len() as u32) == b.1
                    && a.2.len() + b.2.len() <= 4
            }
            _ => false,
        };
        if !joinable {
            last = i;
            continue;
        }
        let tail = slots.get_mut(i).and_then(Option::take);
        if let (Some(Some(a)), Some(b)) = (slots.get_mut(last), tail) {
            a.2.extend(b.2);
        }
    }
    out.extend(
        slots
            .into_iter()
            .flatten()
            .map(|(base, offset, data)| Lowered::Eq { base, offset, data }),
    );
}

/// `(offset, length)` of the source or destination address in an IPv4 or IPv6 header.
fn addr_field(v6: bool, dst: bool) -> (u32, u32) {
    match (v6, dst) {
        (false, false) => (12, 4),
        (false, true) => (16, 4),
        (true, false) => (8, 16),
        (true, true) => (24, 16),
    }
}

fn port_offset(dst: bool) -> u32 {
    if dst { 2 } else { 0 }
}

/// `len` bytes whose first `plen` bits are set.
fn prefix_mask(len: usize, plen: usize) -> Vec<u8> {
    (0..len)
        .map(|i| {
            let bits = plen.saturating_sub(i * 8).min(8);
            (0xffu16 << (8 - bits)) as u8
        })
        .collect()
}

/// `immediate reg R first` and, for a range, `immediate reg R+1 last`.
fn port_immediates(p: PortRange, reg: u32) -> Vec<Expr> {
    let mut e = vec![Expr::immediate(reg, p.first.to_be_bytes())];
    if !p.is_single() {
        e.push(Expr::immediate(reg + 1, p.last.to_be_bytes()));
    }
    e
}

fn ip_word(v6: bool) -> &'static str {
    if v6 { "ip6" } else { "ip" }
}

fn ne(eq: bool) -> &'static str {
    if eq { "" } else { "!= " }
}

/// The rule in `nft` syntax (`iifname "br0" oifname != "br1" drop`); raw expressions are
/// written as a comment, which `nft` would not load.
impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for item in &self.items {
            if !first {
                f.write_str(" ")?;
            }
            first = false;
            match item {
                Item::IfName { output, eq, name } => {
                    let k = if *output { "oifname" } else { "iifname" };
                    write!(f, "{k} {}\"{name}\"", ne(*eq))?;
                }
                Item::IfIndex { output, eq, index } => {
                    let k = if *output { "oif" } else { "iif" };
                    write!(f, "{k} {}{index}", ne(*eq))?;
                }
                Item::Addr { dst, eq, net } => {
                    let k = if *dst { "daddr" } else { "saddr" };
                    write!(f, "{} {k} {}{}", ip_word(!net.is_ipv4()), ne(*eq), net)?;
                }
                Item::AddrSet { dst, eq, v6, set } => {
                    let k = if *dst { "daddr" } else { "saddr" };
                    write!(f, "{} {k} {}@{set}", ip_word(*v6), ne(*eq))?;
                }
                Item::L4Proto(p) => match p {
                    6 => f.write_str("meta l4proto tcp")?,
                    17 => f.write_str("meta l4proto udp")?,
                    p => write!(f, "meta l4proto {p}")?,
                },
                Item::Port {
                    proto,
                    dst,
                    eq,
                    ports,
                } => {
                    let k = if *dst { "dport" } else { "sport" };
                    write!(f, "{proto} {k} {}{ports}", ne(*eq))?;
                }
                Item::PortSet {
                    proto,
                    dst,
                    eq,
                    set,
                } => {
                    let k = if *dst { "dport" } else { "sport" };
                    write!(f, "{proto} {k} {}@{set}", ne(*eq))?;
                }
                Item::EtherType(t) => match *t {
                    ETH_P_IP => f.write_str("ether type ip")?,
                    ETH_P_IPV6 => f.write_str("ether type ip6")?,
                    ETH_P_ARP => f.write_str("ether type arp")?,
                    t => write!(f, "ether type {t:#06x}")?,
                },
                Item::FibDaddrLocal => f.write_str("fib daddr type local")?,
                Item::CtState(s) => {
                    let names: Vec<&str> = [
                        (CtState::INVALID, "invalid"),
                        (CtState::ESTABLISHED, "established"),
                        (CtState::RELATED, "related"),
                        (CtState::NEW, "new"),
                        (CtState::UNTRACKED, "untracked"),
                    ]
                    .into_iter()
                    .filter(|(b, _)| s.contains(*b))
                    .map(|(_, n)| n)
                    .collect();
                    write!(f, "ct state {}", names.join(","))?;
                }
                Item::Mark { eq, value } => write!(f, "meta mark {}{value:#010x}", ne(*eq))?,
                Item::Counter => f.write_str("counter")?,
                Item::Verdict(v) => match v {
                    Verdict::Accept => f.write_str("accept")?,
                    Verdict::Drop => f.write_str("drop")?,
                    Verdict::Continue => f.write_str("continue")?,
                    Verdict::Break => f.write_str("# break")?,
                    Verdict::Return => f.write_str("return")?,
                    Verdict::Jump(c) => write!(f, "jump {c}")?,
                    Verdict::Goto(c) => write!(f, "goto {c}")?,
                    Verdict::Code(c) => write!(f, "# verdict {c}")?,
                },
                Item::Masquerade { flags, ports } => {
                    f.write_str("masquerade")?;
                    if let Some(p) = ports {
                        write!(f, " to :{p}")?;
                    }
                    write_nat_flags(f, *flags)?;
                }
                Item::Nat { dnat, addr, ports } => {
                    let k = if *dnat { "dnat" } else { "snat" };
                    write!(f, "{k} {} to ", ip_word(addr.is_ipv6()))?;
                    match (addr, ports) {
                        (IpAddr::V6(a), Some(p)) => write!(f, "[{a}]:{p}")?,
                        (a, Some(p)) => write!(f, "{a}:{p}")?,
                        (a, None) => write!(f, "{a}")?,
                    }
                }
                Item::Redirect(p) => write!(f, "redirect to :{p}")?,
                Item::Log(None) => f.write_str("log")?,
                Item::Log(Some(p)) => write!(f, "log prefix \"{p}\"")?,
                Item::Reject(RejectWith::PortUnreachable) => f.write_str("reject")?,
                Item::Reject(RejectWith::TcpReset) => f.write_str("reject with tcp reset")?,
                Item::MarkSet(v) => write!(f, "meta mark set {v:#010x}")?,
                Item::Expr(e) => write!(f, "# expression {:?}", e.name())?,
            }
        }
        Ok(())
    }
}

fn write_nat_flags(f: &mut fmt::Formatter<'_>, flags: NatFlags) -> fmt::Result {
    let names: Vec<&str> = [
        (NatFlags::RANDOM, "random"),
        (NatFlags::PERSISTENT, "persistent"),
        (NatFlags::FULLY_RANDOM, "fully-random"),
    ]
    .into_iter()
    .filter(|(b, _)| flags.contains(*b))
    .map(|(_, n)| n)
    .collect();
    if names.is_empty() {
        Ok(())
    } else {
        write!(f, " {}", names.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::nft::{CmpAttr, PayloadAttr, value_of};

    fn net(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    /// The `(base, offset, len)` of every payload load and the data of every cmp.
    fn loads(e: &[Expr]) -> Vec<(u32, u32, u32)> {
        e.iter()
            .filter_map(|x| match x {
                Expr::Payload(a) => {
                    let get = |f: fn(&PayloadAttr) -> Option<u32>| a.iter().find_map(f).unwrap();
                    Some((
                        get(|p| {
                            if let PayloadAttr::Base(v) = p {
                                Some(*v)
                            } else {
                                None
                            }
                        }),
                        get(|p| {
                            if let PayloadAttr::Offset(v) = p {
                                Some(*v)
                            } else {
                                None
                            }
                        }),
                        get(|p| {
                            if let PayloadAttr::Len(v) = p {
                                Some(*v)
                            } else {
                                None
                            }
                        }),
                    ))
                }
                _ => None,
            })
            .collect()
    }

    fn cmp_data(e: &[Expr]) -> Vec<Vec<u8>> {
        e.iter()
            .filter_map(|x| match x {
                Expr::Cmp(a) => a.iter().find_map(|c| match c {
                    CmpAttr::Data(d) => value_of(d).map(<[u8]>::to_vec),
                    _ => None,
                }),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn ports_merge_like_nft_and_addresses_do_not() {
        // tcp dport 22 tcp sport 33: one 4-byte load at transport + 0 (sport first).
        let e = Rule::new()
            .dport(Proto::Tcp, 22)
            .sport(Proto::Tcp, 33)
            .compile(TableFamily::Ip)
            .unwrap();
        assert_eq!(loads(&e), [(2, 0, 4)]);
        assert_eq!(cmp_data(&e), [vec![6], vec![0, 33, 0, 22]]);
        // ip saddr X ip daddr Y: 8 bytes together is too many.
        let e = Rule::new()
            .daddr(net("198.18.0.3/32"))
            .saddr(net("198.18.0.2/32"))
            .compile(TableFamily::Ip)
            .unwrap();
        assert_eq!(loads(&e), [(1, 16, 4), (1, 12, 4)]);
    }

    #[test]
    fn prefixes_load_their_bytes_or_mask() {
        let e = Rule::new()
            .saddr(net("198.18.0.0/24"))
            .compile(TableFamily::Ip)
            .unwrap();
        assert_eq!(loads(&e), [(1, 12, 3)]);
        let e = Rule::new()
            .saddr(net("198.18.0.0/20"))
            .compile(TableFamily::Ip)
            .unwrap();
        assert_eq!(loads(&e), [(1, 12, 4)]);
        assert!(matches!(&e[1], Expr::Bitwise(_)));
        assert_eq!(prefix_mask(4, 20), [255, 255, 240, 0]);
        assert_eq!(prefix_mask(16, 33)[..5], [255, 255, 255, 255, 128]);
        assert_eq!(prefix_mask(4, 0), [0; 4]);
        let e = Rule::new()
            .daddr_ne(net("127.0.0.0/8"))
            .compile(TableFamily::Inet)
            .unwrap();
        assert_eq!(loads(&e), [(1, 16, 1)]);
        assert_eq!(cmp_data(&e), [vec![2], vec![127]]);
    }

    #[test]
    fn dependencies_by_family() {
        let r = Rule::new()
            .saddr(net("2001:db8::/64"))
            .dport(Proto::Udp, 53);
        let inet = r.compile(TableFamily::Inet).unwrap();
        assert_eq!(cmp_data(&inet)[0], [10]); // meta nfproto ipv6
        let bridge = r.compile(TableFamily::Bridge).unwrap();
        assert_eq!(cmp_data(&bridge)[0], [0x86, 0xdd]); // meta protocol ip6
        let ip6 = r.compile(TableFamily::Ip6).unwrap();
        assert_eq!(cmp_data(&ip6)[0].len(), 8); // the prefix itself
        assert!(r.compile(TableFamily::Ip).unwrap_err().is_invalid());
        // An explicit ether type is the dependency.
        let e = Rule::new()
            .ether_type(ETH_P_IP)
            .saddr(net("198.18.0.1/32"))
            .compile(TableFamily::Bridge)
            .unwrap();
        assert_eq!(loads(&e), [(0, 12, 2), (1, 12, 4)]);
        // Conflicts.
        let both = Rule::new()
            .saddr(net("198.18.0.1/32"))
            .daddr(net("2001:db8::1/128"));
        assert!(both.compile(TableFamily::Inet).is_err());
        let tu = Rule::new().dport(Proto::Tcp, 1).sport(Proto::Udp, 2);
        assert!(tu.compile(TableFamily::Inet).is_err());
    }

    #[test]
    fn bad_input_is_refused() {
        let inet = TableFamily::Inet;
        let cases = [
            Rule::new().saddr(net("198.18.0.1/24")),
            Rule::new().dport(Proto::Tcp, 0),
            Rule::new().dport(Proto::Tcp, PortRange { first: 10, last: 5 }),
            Rule::new().iifname("bad/name"),
            Rule::new().iifname("*"),
            Rule::new().jump("no such chain"),
            Rule::new().dnat("198.18.0.2".parse().unwrap(), Some(80.into())),
            Rule::new()
                .dport(Proto::Tcp, 1)
                .dnat("0.0.0.0".parse().unwrap(), None),
            Rule::new().redirect(80),
            Rule::new().saddr_in("bad set", false),
            Rule::new().ct_state(CtState::empty()),
        ];
        for r in cases {
            let e = r.compile(inet).unwrap_err();
            assert!(e.is_invalid(), "{r}: {e}");
        }
        let e = Rule::new().dnat("2001:db8::2".parse().unwrap(), None);
        assert!(e.compile(TableFamily::Ip).is_err());
        assert!(
            Rule::new()
                .masquerade()
                .compile(TableFamily::Bridge)
                .is_err()
        );
        assert!(Rule::new().ether_type(ETH_P_IP).compile(inet).is_err());
    }

    #[test]
    fn display_is_nft_syntax() {
        let r = Rule::new()
            .iifname_ne("br0")
            .daddr(net("198.18.1.1/32"))
            .dport(Proto::Udp, 5000..=5010)
            .dnat("198.18.0.2".parse().unwrap(), Some((6000..=6010).into()));
        assert_eq!(
            r.to_string(),
            "iifname != \"br0\" ip daddr 198.18.1.1/32 udp dport 5000-5010 \
             dnat ip to 198.18.0.2:6000-6010"
        );
        let r = Rule::new()
            .ct_state(CtState::ESTABLISHED | CtState::RELATED)
            .masquerade_with(None, NatFlags::RANDOM | NatFlags::PERSISTENT);
        assert_eq!(
            r.to_string(),
            "ct state established,related masquerade random,persistent"
        );
        let r = Rule::new()
            .dport(Proto::Tcp, 81)
            .dnat("2001:db8::2".parse().unwrap(), Some(80.into()));
        assert_eq!(r.to_string(), "tcp dport 81 dnat ip6 to [2001:db8::2]:80");
    }
}
