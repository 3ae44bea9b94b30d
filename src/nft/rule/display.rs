//! A [`Rule`] written in `nft` syntax.

use super::{CtState, ETH_P_ARP, ETH_P_IP, ETH_P_IPV6, Item, NatFlags, RejectWith, Rule};
use crate::wire::nft::Verdict;
use std::fmt;
use std::net::IpAddr;

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
                Item::Lookup { fields, set } => {
                    write_fields(f, fields)?;
                    write!(f, " @{set}")?;
                }
                Item::NatMap { v6, fields, map } => {
                    write!(f, "dnat {} to ", ip_word(*v6))?;
                    write_fields(f, fields)?;
                    write!(f, " map @{map}")?;
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

/// `ip saddr . ip daddr . tcp dport`.
fn write_fields(f: &mut fmt::Formatter<'_>, fields: &[super::Field]) -> fmt::Result {
    for (i, x) in fields.iter().enumerate() {
        if i > 0 {
            f.write_str(" . ")?;
        }
        write!(f, "{x}")?;
    }
    Ok(())
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
    use crate::ipnet::IpNet;
    use crate::nft::Proto;

    fn net(s: &str) -> IpNet {
        s.parse().unwrap()
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
        let tcp = crate::nft::Field::Dport(Proto::Tcp);
        let r = Rule::new()
            .in_set(
                &[
                    crate::nft::Field::Saddr { v6: false },
                    crate::nft::Field::Daddr { v6: false },
                    tcp,
                ],
                "h",
            )
            .masquerade();
        assert_eq!(
            r.to_string(),
            "ip saddr . ip daddr . tcp dport @h masquerade"
        );
        let r = Rule::new().dnat_map(true, &[crate::nft::Field::Daddr { v6: true }, tcp], "m");
        assert_eq!(r.to_string(), "dnat ip6 to ip6 daddr . tcp dport map @m");
    }
}
