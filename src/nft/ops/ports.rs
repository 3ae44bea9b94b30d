//! [`PublishedPorts`]: host ports forwarded to containers.

use super::TableOp;
use crate::error::{Error, Result};
use crate::ipnet::IpNet;
use crate::nft::{
    Chain, ChainType, Element, Field, Hook, KeyType, PortRange, Proto, Rule, Set, TableFamily,
    priority,
};
use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The regular chain with the `dnat` rules.
const PORTS_CHAIN: &str = "ports";

/// One published port: what `docker run -p [HOST_ADDR:]HOST_PORTS:PORT/PROTO` or a CNI
/// `portMappings` entry says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortMapping {
    /// TCP or UDP.
    pub proto: Proto,
    /// Only connections to this host address (any local address when `None`).
    pub host_addr: Option<IpAddr>,
    /// The host port, or a range of host ports that all lead to `container_port`.
    pub host_ports: PortRange,
    /// The container's address.
    pub container_addr: IpAddr,
    /// The container's port.
    pub container_port: u16,
}

impl PortMapping {
    /// `host_port` on every local address to `container_addr:container_port`.
    pub fn new(
        proto: Proto,
        host_port: u16,
        container_addr: IpAddr,
        container_port: u16,
    ) -> PortMapping {
        PortMapping {
            proto,
            host_addr: None,
            host_ports: host_port.into(),
            container_addr,
            container_port,
        }
    }

    /// The same, only for connections to `addr`.
    #[must_use]
    pub fn host_addr(mut self, addr: IpAddr) -> PortMapping {
        self.host_addr = Some(addr);
        self
    }

    /// The same, for every host port of `ports`.
    #[must_use]
    pub fn host_ports(mut self, ports: impl Into<PortRange>) -> PortMapping {
        self.host_ports = ports.into();
        self
    }

    fn check(&self) -> Result<()> {
        self.host_ports.check()?;
        PortRange::from(self.container_port).check()?;
        if let Some(h) = self.host_addr {
            if h.is_ipv4() != self.container_addr.is_ipv4() {
                return Err(Error::invalid(
                    "port mapping",
                    format!(
                        "host address {h} and container address {} of different families",
                        self.container_addr
                    ),
                ));
            }
            if h.is_unspecified() {
                return Err(Error::invalid(
                    "port mapping",
                    format!("host address {h}: leave it out for any address"),
                ));
            }
        }
        Ok(())
    }
}

/// Publishes container ports on the host: a connection to a host port (on any local
/// address, or on the given one) is sent on to the container's address and port, whether it
/// comes from another host (`prerouting`), from the host itself (`output`), or from the
/// container itself through the host's address (hairpin: `postrouting` masquerades it, so
/// that the answer comes back through the host).
///
/// # Layout
///
/// Maps, so that a packet costs one hash lookup however many ports are published, and a
/// thousand ports are a few rules and a thousand map elements rather than two thousand
/// rules for the kernel to parse. For each address family (`ip`, `ip6`) and protocol
/// (`tcp`, `udp`) the mappings use:
///
/// - map `ports_ip_tcp` (`ports_ip6_udp`, ...): `type inet_service : ipv4_addr . inet_service`,
///   from the host port to the container's address and port, for the mappings of one host
///   port on every local address; the rule `dnat ip to tcp dport map @ports_ip_tcp` in the
///   regular chain `ports` (`meta l4proto tcp`, a 2-byte load of the port into register 1,
///   `lookup` of the map with the data into registers 1 and 9, `nat dnat` with the address
///   from register 1 and the port from register 9; for IPv6 registers 1 and 2);
/// - map `ports_ip_tcp_addr`: `type ipv4_addr . inet_service : ipv4_addr . inet_service`,
///   keyed by the host address too, for the mappings on one host address, with the rule
///   `dnat ip to ip daddr . tcp dport map @ports_ip_tcp_addr`, before the other map's rule;
/// - a host port range is one rule of its own after the maps' rules
///   (`[ip daddr H] tcp dport A-B dnat ip to C:P`), as before: a range in a map needs an
///   interval map, keyed by address and port a concatenated interval set (`nft`'s pipapo
///   backend), which netplumb does not write yet;
/// - set `hairpin_ip_tcp`: `type ipv4_addr . ipv4_addr . inet_service`, one element
///   `C . C . P` per container address and port (each once, however many host ports lead
///   there), with the rule `ip saddr . ip daddr . tcp dport @hairpin_ip_tcp masquerade` in
///   `postrouting`.
///
/// `prerouting` (priority dstnat) jumps to `ports` for local destinations (`fib daddr
/// type local`); `output` (priority -100) too, for local destinations that are not loopback
/// (one rule per address family the mappings use). From the host itself, loopback
/// destinations (`127.0.0.0/8`, `::1`) are left alone, as Docker does: a packet from
/// 127.0.0.1 cannot be routed to a container.
///
/// What goes to the kernel ([`TableOp::transaction`]): one batch of `NFT_MSG_NEWTABLE`,
/// `NFT_MSG_DELTABLE`, `NFT_MSG_NEWTABLE`, four `NFT_MSG_NEWCHAIN`, then for each map and
/// set an `NFT_MSG_NEWSET` (`NFT_SET_MAP` for the maps) and one `NFT_MSG_NEWSETELEM` with
/// all its elements, then the rules (`NFT_MSG_NEWRULE`): the messages `nft -f` sends for
/// [`TableOp::script`]. A thousand ports on every address to IPv4 containers are 4 rules,
/// one map of 1,000 elements and one set of up to 1,000.
///
/// A host port published twice (same protocol, family and host address) is refused, as the
/// map can hold it once; so are port 0, reversed ranges, mixed families and an unspecified
/// host address, all before anything is sent.
///
/// Hairpin also needs the container's bridge port in hairpin mode
/// (`bridge link set dev PORT hairpin on`, what Docker and CNI's bridge plugin with
/// `hairpinMode` set) while the namespace passes bridged traffic through the IP hooks
/// (`net.bridge.bridge-nf-call-iptables` 1, the default with `br_netfilter`): the
/// connection, sent back to the port it came from, is then bridged there.
///
/// ```
/// use netplumb::nft::{PortRange, Proto};
/// use netplumb::nft::ops::{PortMapping, PublishedPorts, TableOp};
/// let p = PublishedPorts::new(vec![PortMapping::new(Proto::Tcp, 8080, "198.18.0.2".parse()?, 80)]);
/// let s = p.script("np-net1-ports")?;
/// assert!(s.contains("fib daddr type local jump ports"));
/// assert!(s.contains("ip daddr != 127.0.0.0/8 fib daddr type local jump ports"));
/// assert!(s.contains("type inet_service : ipv4_addr . inet_service"));
/// assert!(s.contains("elements = { 8080 : 198.18.0.2 . 80 }"));
/// assert!(s.contains("dnat ip to tcp dport map @ports_ip_tcp"));
/// assert!(s.contains("ip saddr . ip daddr . tcp dport @hairpin_ip_tcp masquerade"));
/// // Port 0 and reversed ranges are refused before anything is sent.
/// let bad = PortMapping::new(Proto::Tcp, 9000, "198.18.0.2".parse()?, 80).host_ports(PortRange { first: 9000, last: 8000 });
/// assert!(PublishedPorts::new(vec![bad]).transaction("t").is_err());
/// let zero = PortMapping::new(Proto::Tcp, 8080, "198.18.0.2".parse()?, 0);
/// assert!(PublishedPorts::new(vec![zero]).transaction("t").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedPorts {
    /// The mappings, in order.
    pub mappings: Vec<PortMapping>,
}

/// One map or hairpin set: its address family and protocol (and for a map, whether it is
/// keyed by the host address too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Group {
    v6: bool,
    proto: Proto,
    by_addr: bool,
}

impl Group {
    /// Every group, in the order the maps and rules are written.
    fn all() -> impl Iterator<Item = Group> {
        [false, true].into_iter().flat_map(|v6| {
            [Proto::Tcp, Proto::Udp].into_iter().flat_map(move |proto| {
                [true, false]
                    .into_iter()
                    .map(move |by_addr| Group { v6, proto, by_addr })
            })
        })
    }

    fn family(self) -> &'static str {
        if self.v6 { "ip6" } else { "ip" }
    }

    fn addr_type(self) -> KeyType {
        if self.v6 {
            KeyType::Ipv6Addr
        } else {
            KeyType::Ipv4Addr
        }
    }

    fn map_name(self) -> String {
        let addr = if self.by_addr { "_addr" } else { "" };
        format!("ports_{}_{}{addr}", self.family(), self.proto)
    }

    fn hairpin_name(self) -> String {
        format!("hairpin_{}_{}", self.family(), self.proto)
    }

    /// The map, empty: `[ADDR .] inet_service : ADDR . inet_service`.
    fn map(self) -> Set {
        let set = if self.by_addr {
            Set::new(self.map_name(), self.addr_type()).then(KeyType::InetService)
        } else {
            Set::new(self.map_name(), KeyType::InetService)
        };
        set.map_to(&[self.addr_type(), KeyType::InetService])
    }

    /// The rule that looks the map up.
    fn dnat_rule(self) -> Rule {
        let port = Field::Dport(self.proto);
        let fields = if self.by_addr {
            vec![Field::Daddr { v6: self.v6 }, port]
        } else {
            vec![port]
        };
        Rule::new().dnat_map(self.v6, &fields, self.map_name())
    }

    /// The hairpin set, empty: `ADDR . ADDR . inet_service`.
    fn hairpin(self) -> Set {
        Set::new(self.hairpin_name(), self.addr_type())
            .then(self.addr_type())
            .then(KeyType::InetService)
    }

    fn hairpin_rule(self) -> Rule {
        let v6 = self.v6;
        Rule::new()
            .in_set(
                &[
                    Field::Saddr { v6 },
                    Field::Daddr { v6 },
                    Field::Dport(self.proto),
                ],
                self.hairpin_name(),
            )
            .masquerade()
    }
}

impl PortMapping {
    fn group(&self) -> Group {
        Group {
            v6: self.container_addr.is_ipv6(),
            proto: self.proto,
            by_addr: self.host_addr.is_some(),
        }
    }

    /// `[HOST_ADDR .] HOST_PORT : CONTAINER_ADDR . CONTAINER_PORT`.
    fn map_element(&self) -> Element {
        let port = Element::Port(self.host_ports);
        let key = match self.host_addr {
            Some(h) => Element::Concat(vec![Element::Addr(h), port]),
            None => port,
        };
        Element::map(key, self.container())
    }

    /// `CONTAINER_ADDR . CONTAINER_PORT`.
    fn container(&self) -> Element {
        Element::Concat(vec![
            Element::Addr(self.container_addr),
            Element::Port(self.container_port.into()),
        ])
    }

    /// `CONTAINER_ADDR . CONTAINER_ADDR . CONTAINER_PORT`.
    fn hairpin_element(&self) -> Element {
        Element::Concat(vec![
            Element::Addr(self.container_addr),
            Element::Addr(self.container_addr),
            Element::Port(self.container_port.into()),
        ])
    }

    /// The `dnat` rule of a host port range.
    fn range_rule(&self) -> Rule {
        let rule = match self.host_addr {
            Some(h) => Rule::new().daddr(IpNet::host(h)),
            None => Rule::new(),
        };
        rule.dport(self.proto, self.host_ports)
            .dnat(self.container_addr, Some(self.container_port.into()))
    }
}

impl PublishedPorts {
    /// Publishes `mappings`.
    pub fn new(mappings: Vec<PortMapping>) -> PublishedPorts {
        PublishedPorts { mappings }
    }

    /// Checks every mapping, and that no host port is published twice.
    fn check(&self) -> Result<()> {
        let mut seen = HashSet::new();
        for m in &self.mappings {
            m.check()?;
            if m.host_ports.is_single()
                && !seen.insert((
                    m.proto,
                    m.container_addr.is_ipv6(),
                    m.host_addr,
                    m.host_ports,
                ))
            {
                let on = m.host_addr.map(|h| format!(" on {h}")).unwrap_or_default();
                return Err(Error::invalid(
                    "port mapping",
                    format!("{}/{}{on} published twice", m.host_ports, m.proto),
                ));
            }
        }
        Ok(())
    }

    /// The groups that have single-port mappings (a map each), in order.
    fn map_groups(&self) -> Vec<Group> {
        Group::all()
            .filter(|g| {
                self.mappings
                    .iter()
                    .any(|m| m.host_ports.is_single() && m.group() == *g)
            })
            .collect()
    }

    /// The (family, protocol) groups that have mappings (a hairpin set each), in order.
    fn hairpin_groups(&self) -> Vec<Group> {
        Group::all()
            .filter(|g| !g.by_addr)
            .filter(|g| {
                self.mappings
                    .iter()
                    .any(|m| (m.container_addr.is_ipv6(), m.proto) == (g.v6, g.proto))
            })
            .collect()
    }
}

impl TableOp for PublishedPorts {
    fn family(&self) -> TableFamily {
        TableFamily::Inet
    }

    /// One map per family, protocol and kind of host address the single-port mappings
    /// use, with their elements in order; one hairpin set per family and protocol, each
    /// container address and port once (see the [layout](PublishedPorts#layout)).
    fn sets(&self) -> Result<Vec<Set>> {
        self.check()?;
        let mut sets = Vec::new();
        for g in self.map_groups() {
            let mut map = g.map();
            map.elements = self
                .mappings
                .iter()
                .filter(|m| m.host_ports.is_single() && m.group() == g)
                .map(PortMapping::map_element)
                .collect();
            sets.push(map);
        }
        for g in self.hairpin_groups() {
            let mut set = g.hairpin();
            let mut seen = HashSet::new();
            for m in &self.mappings {
                if (m.container_addr.is_ipv6(), m.proto) == (g.v6, g.proto)
                    && seen.insert((m.container_addr, m.container_port))
                {
                    set.elements.push(m.hairpin_element());
                }
            }
            sets.push(set);
        }
        Ok(sets)
    }

    /// Four nat chains, as Docker lays out its `DOCKER` chain: `prerouting` (priority
    /// dstnat) jumps to `ports` for local destinations; `output` (priority -100) too, for
    /// local destinations that are not loopback (one rule per address family the mappings
    /// use); `ports` has one `dnat ... map` rule per map, then one `dnat` per host port
    /// range; `postrouting` (priority srcnat) one hairpin `masquerade` per hairpin set.
    fn chains(&self) -> Result<Vec<(Chain, Vec<Rule>)>> {
        self.check()?;
        let mut ports: Vec<Rule> = self
            .map_groups()
            .into_iter()
            .map(Group::dnat_rule)
            .collect();
        ports.extend(
            self.mappings
                .iter()
                .filter(|m| !m.host_ports.is_single())
                .map(PortMapping::range_rule),
        );
        let post = self
            .hairpin_groups()
            .into_iter()
            .map(Group::hairpin_rule)
            .collect();
        let v4 = self.mappings.iter().any(|m| m.container_addr.is_ipv4());
        let v6 = self.mappings.iter().any(|m| m.container_addr.is_ipv6());
        let to_ports = |r: Rule| r.fib_daddr_local().jump(PORTS_CHAIN);
        let mut out = Vec::new();
        if v4 {
            let loopback = IpNet::new(Ipv4Addr::new(127, 0, 0, 0).into(), 8)?;
            out.push(to_ports(Rule::new().daddr_ne(loopback)));
        }
        if v6 {
            out.push(to_ports(
                Rule::new().daddr_ne(IpNet::host(Ipv6Addr::LOCALHOST.into())),
            ));
        }
        let nat = |name: &str, hook, prio| Chain::base(name, ChainType::Nat, hook, prio);
        Ok(vec![
            (
                nat("prerouting", Hook::Prerouting, priority::DSTNAT),
                vec![to_ports(Rule::new())],
            ),
            (nat("output", Hook::Output, priority::DSTNAT), out),
            (Chain::regular(PORTS_CHAIN), ports),
            (
                nat("postrouting", Hook::Postrouting, priority::SRCNAT),
                post,
            ),
        ])
    }
}
