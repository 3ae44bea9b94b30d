//! [`PublishedPorts`]: host ports forwarded to containers.

use super::TableOp;
use crate::error::{Error, Result};
use crate::ipnet::IpNet;
use crate::nft::{Chain, ChainType, Hook, PortRange, Proto, Rule, TableFamily, priority};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The regular chain with one `dnat` per mapping.
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
/// From the host itself, loopback destinations (`127.0.0.0/8`, `::1`) are left alone, as
/// Docker does: a packet from 127.0.0.1 cannot be routed to a container.
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
/// assert!(s.contains("tcp dport 8080 dnat ip to 198.18.0.2:80"));
/// assert!(s.contains("ip saddr 198.18.0.2/32 ip daddr 198.18.0.2/32 tcp dport 80 masquerade"));
/// // Port 0 and reversed ranges are refused before anything is sent.
/// let bad = PortMapping::new(Proto::Tcp, 9000, "198.18.0.2".parse()?, 80).host_ports(PortRange { first: 9000, last: 8000 });
/// assert!(PublishedPorts::new(vec![bad]).transaction("t").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedPorts {
    /// The mappings, in order.
    pub mappings: Vec<PortMapping>,
}

impl PublishedPorts {
    /// Publishes `mappings`.
    pub fn new(mappings: Vec<PortMapping>) -> PublishedPorts {
        PublishedPorts { mappings }
    }
}

impl TableOp for PublishedPorts {
    fn family(&self) -> TableFamily {
        TableFamily::Inet
    }

    /// Four nat chains, as Docker lays out its `DOCKER` chain: `prerouting` (priority
    /// dstnat) jumps to `ports` for local destinations; `output` (priority -100) too, for
    /// local destinations that are not loopback (one rule per address family the mappings
    /// use); `ports` has one `dnat` per mapping; `postrouting` (priority srcnat) one hairpin
    /// `masquerade` per mapping.
    fn chains(&self) -> Result<Vec<(Chain, Vec<Rule>)>> {
        let mut ports = Vec::with_capacity(self.mappings.len());
        let mut post = Vec::with_capacity(self.mappings.len());
        let (mut v4, mut v6) = (false, false);
        for m in &self.mappings {
            m.check()?;
            v4 |= m.container_addr.is_ipv4();
            v6 |= m.container_addr.is_ipv6();
            let rule = match m.host_addr {
                Some(h) => Rule::new().daddr(IpNet::host(h)),
                None => Rule::new(),
            };
            ports.push(
                rule.dport(m.proto, m.host_ports)
                    .dnat(m.container_addr, Some(m.container_port.into())),
            );
            let c = IpNet::host(m.container_addr);
            post.push(
                Rule::new()
                    .saddr(c)
                    .daddr(c)
                    .dport(m.proto, m.container_port)
                    .masquerade(),
            );
        }
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
