//! Compiling a [`Rule`] to expressions, with `nft`'s dependencies, layouts and merging
//! (see the [module docs](super)).

use super::{ETH_P_IP, ETH_P_IPV6, Field, Item, NatFlags, PortRange, Proto, RejectWith};
use crate::error::{Error, Result};
use crate::ipnet::IpNet;
use crate::nft::{TableFamily, check_name};
use crate::wire::nft::{
    Expr, NF_NAT_RANGE_PROTO_SPECIFIED, NFPROTO_IPV4, NFPROTO_IPV6, NFT_CMP_EQ, NFT_CMP_GTE,
    NFT_CMP_LTE, NFT_CMP_NEQ, NFT_CT_STATE, NFT_FIB_RESULT_ADDRTYPE, NFT_META_IIF,
    NFT_META_IIFNAME, NFT_META_L4PROTO, NFT_META_MARK, NFT_META_NFPROTO, NFT_META_OIF,
    NFT_META_OIFNAME, NFT_META_PROTOCOL, NFT_NAT_DNAT, NFT_NAT_SNAT, NFT_PAYLOAD_LL_HEADER,
    NFT_PAYLOAD_NETWORK_HEADER, NFT_PAYLOAD_TRANSPORT_HEADER, NFT_RANGE_NEQ, NFT_REG_1, NFT_REG_2,
    NFT_REG_3, NFT_REG32_00, NFT_REJECT_ICMP_UNREACH, NFT_REJECT_ICMPX_UNREACH, NFT_REJECT_TCP_RST,
    NFTA_FIB_F_DADDR, Verdict,
};
use std::net::IpAddr;

/// `RTN_LOCAL`: what `fib daddr type local` compares with.
const RTN_LOCAL: u32 = 2;
/// `ICMP_PORT_UNREACH`, `ICMPV6_PORT_UNREACH`, `NFT_REJECT_ICMPX_PORT_UNREACH`.
const ICMP_PORT_UNREACH: u8 = 3;
const ICMPV6_PORT_UNREACH: u8 = 4;
const ICMPX_PORT_UNREACH: u8 = 1;

/// The expressions of `items` in a table of `family`; `set_id` gives the batch id of a set
/// made in the same transaction.
pub(super) fn compile(
    items: &[Item],
    family: TableFamily,
    set_id: &dyn Fn(&str) -> Option<u32>,
) -> Result<Vec<Expr>> {
    let mut c = Compiler {
        family,
        net: None,
        l4: None,
        out: Vec::new(),
    };
    for item in items {
        c.item(item, set_id)?;
    }
    Ok(c.finish())
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
            Item::Lookup { fields, set } => {
                check_name("set name", set)?;
                let mut e = self.key_loads(fields)?;
                e.push(Expr::lookup_in(set, NFT_REG_1, set_id(set), false));
                self.exprs(e);
            }
            Item::NatMap { v6, fields, map } => {
                check_name("set name", map)?;
                self.nat_family("dnat")?;
                self.nat_addr_family("dnat", *v6, "a map")?;
                let mut e = self.key_loads(fields)?;
                e.push(Expr::lookup_map(map, NFT_REG_1, NFT_REG_1, set_id(map)));
                // The data is an address, then a port, each in 4-byte steps.
                let port_reg = reg_at(if *v6 { 16 } else { 4 });
                let fam = u32::from(if *v6 { NFPROTO_IPV6 } else { NFPROTO_IPV4 });
                e.push(Expr::nat(
                    NFT_NAT_DNAT,
                    fam,
                    NFT_REG_1,
                    Some(port_reg),
                    None,
                    0,
                ));
                self.exprs(e);
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

    /// The dependencies of `fields` (each field's, in order), then a load of each field
    /// into consecutive registers from register 1, each field rounded up to 4 bytes: what
    /// `nft` makes of the key of a lookup (`ip saddr . ip daddr . tcp dport`).
    fn key_loads(&mut self, fields: &[Field]) -> Result<Vec<Expr>> {
        if fields.is_empty() {
            return Err(bad("rule", "a lookup needs at least one field"));
        }
        for f in fields {
            match f {
                Field::Saddr { v6 } | Field::Daddr { v6 } => self.need_net(*v6)?,
                Field::Sport(p) | Field::Dport(p) => self.need_l4(p.number())?,
            }
        }
        let mut at = 0;
        let mut e = Vec::with_capacity(fields.len());
        for f in fields {
            let (base, (offset, len)) = match f {
                Field::Saddr { v6 } => (NFT_PAYLOAD_NETWORK_HEADER, addr_field(*v6, false)),
                Field::Daddr { v6 } => (NFT_PAYLOAD_NETWORK_HEADER, addr_field(*v6, true)),
                Field::Sport(_) => (NFT_PAYLOAD_TRANSPORT_HEADER, (port_offset(false), 2)),
                Field::Dport(_) => (NFT_PAYLOAD_TRANSPORT_HEADER, (port_offset(true), 2)),
            };
            e.push(Expr::payload_load(base, offset, len, reg_at(at)));
            at += len.next_multiple_of(4);
        }
        if at > MAX_KEY_LEN {
            return Err(bad(
                "rule",
                format!("a key of {at} bytes: the registers hold {MAX_KEY_LEN}"),
            ));
        }
        Ok(e)
    }

    /// A NAT address of the wrong family for an `ip` or `ip6` table is refused.
    fn nat_addr_family(&self, what: &str, v6: bool, to: &str) -> Result<()> {
        match (self.family, v6) {
            (TableFamily::Ip, true) | (TableFamily::Ip6, false) => Err(bad(
                "rule",
                format!(
                    "{what} to {to}: wrong address family for a {} table",
                    self.family
                ),
            )),
            _ => Ok(()),
        }
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
        self.nat_addr_family(what, v6, &addr.to_string())?;
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

/// The registers of a lookup key: 64 bytes (`NFT_REG32_00` to `NFT_REG32_15`).
const MAX_KEY_LEN: u32 = 64;

/// The register at byte `at` of the register file, as `nft` names it: a 16-byte register
/// (`NFT_REG_1`...) when `at` starts one, a 4-byte one (`NFT_REG32_00`...) otherwise.
fn reg_at(at: u32) -> u32 {
    if at.is_multiple_of(16) {
        NFT_REG_1 + at / 16
    } else {
        NFT_REG32_00 + at / 4
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nft::{CtState, Rule};
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
}
