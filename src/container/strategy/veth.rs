//! The `veth` strategy: a veth pair, one end on a host bridge, the other in the container.

use super::error::{Step, StrategyError, at};
use super::{Network, NetworkState, Strategy};
use crate::handle::Handle;
use crate::ifname::MAX_IFNAME_LEN;
use crate::link::{LinkSpec, NetNsRef, link_del_request};
use crate::route::RouteSpec;
use crate::undo::Undo;
use crate::{Error, IpNet};
use std::net::IpAddr;

/// The name the container's end gets in `initialize` (the seed's `defaultDevice`).
pub const CONTAINER_DEVICE: &str = "eth0";

/// Random hex digits after the prefix: 7 as later libcontainer versions (v1.2 had 4), fewer
/// when the prefix leaves less room, never fewer than [`MIN_HEX`].
const MAX_HEX: usize = 7;
const MIN_HEX: usize = 4;

/// The `veth` strategy (the seed's `Veth`): a veth pair whose host end is a port of
/// [`Network::bridge`] and whose other end is created straight in the container's
/// namespace, where `initialize` names it `eth0` and gives it the address, MTU and gateway.
///
/// Its steps are requests on the host handle, so a [`FaultPlan`](crate::undo::FaultPlan) set
/// on that handle ([`Handle::set_fault_plan`]) makes any of them fail, for tests of the
/// rollback.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Veth;

impl Veth {
    /// The steps of `create`, recording in `undo` how to take each change back; returns
    /// the pair's names.
    fn create_steps<'h>(
        undo: &mut Undo<'h>,
        host: &'h Handle,
        n: &Network,
        container: NetNsRef<'_>,
    ) -> Result<(String, String), StrategyError> {
        let hex = MAX_HEX.min(MAX_IFNAME_LEN.saturating_sub(n.veth_prefix.len()));
        if hex < MIN_HEX {
            return Err(StrategyError::Invalid(Error::invalid(
                "veth prefix",
                format!(
                    "{:?} leaves room for fewer than {MIN_HEX} random hex digits in a \
                     {MAX_IFNAME_LEN}-byte name",
                    n.veth_prefix
                ),
            )));
        }
        let spec = host
            .link_add_unique(&n.veth_prefix, hex, |name| {
                let child = crate::ifname::random(&n.veth_prefix, hex)?;
                Ok(LinkSpec::new(
                    name,
                    crate::link::Veth::new(child).netns(container),
                ))
            })
            .map_err(at(Step::CreatePair))?;
        let host_end = spec.name().to_string();
        let child = spec.peer_name().unwrap_or_default().to_string();
        // Deleting the host end deletes the pair, the child in the container too.
        let delete = link_del_request(&host_end).map_err(at(Step::CreatePair))?;
        undo.push_request(host, delete);

        host.link_set_master(&host_end, &n.bridge)
            .map_err(at(Step::SetMaster {
                link: host_end.clone(),
                bridge: n.bridge.clone(),
            }))?;
        if n.mtu != 0 {
            host.link_set_mtu(&host_end, n.mtu)
                .map_err(at(Step::SetMtu {
                    link: host_end.clone(),
                    mtu: n.mtu,
                }))?;
        }
        host.link_up(&host_end).map_err(at(Step::Up {
            link: host_end.clone(),
        }))?;
        Ok((host_end, child))
    }
}

impl Strategy for Veth {
    fn name(&self) -> &'static str {
        "veth"
    }

    /// Creates the pair from `host`'s namespace: `RTM_NEWLINK` with `NLM_F_CREATE|NLM_F_EXCL`
    /// for `PREFIX<hex>` with its peer `PREFIX<hex>` in `container` (like `ip link add H type
    /// veth peer name C netns NS`; new random names while either is taken), then the host
    /// end's master (the bridge), MTU and up, and records both names in `state`.
    ///
    /// If a step fails, the pair is deleted again through the crate's undo log (the seed
    /// leaked it: runc #1352, moby #31414) and `state` is left as it was; a failed deletion
    /// comes back with the error ([`Error::RolledBack`]).
    fn create(
        &self,
        host: &Handle,
        network: &Network,
        container: NetNsRef<'_>,
        state: &mut NetworkState,
    ) -> Result<(), StrategyError> {
        if network.bridge.is_empty() {
            return Err(StrategyError::BridgeNotSpecified);
        }
        if network.veth_prefix.is_empty() {
            return Err(StrategyError::VethPrefixNotSpecified);
        }
        let mut undo = Undo::new();
        match Veth::create_steps(&mut undo, host, network, container) {
            Ok((host_end, child)) => {
                // The pair stays; as in the seed, it goes with the container's namespace.
                undo.commit();
                state.veth_host = host_end;
                state.veth_child = child;
                Ok(())
            }
            Err(StrategyError::Step { step, source }) => Err(StrategyError::Step {
                step,
                source: undo.rollback(source),
            }),
            // Refused before any change: nothing recorded.
            Err(e) => Err(e),
        }
    }

    /// In the calling thread's namespace (the container's): sets
    /// [`NetworkState::veth_child`] down, renames it `eth0`, adds [`Network::address`] (a
    /// CIDR is required), sets [`Network::mtu`] (unless 0), sets it up, and adds the default
    /// route via [`Network::gateway`] if there is one, in that order, each an `RTM_NEWLINK`,
    /// `RTM_NEWADDR` or `RTM_NEWROUTE` like the matching `ip` command. An error names the
    /// step. Nothing is undone on failure: the container's namespace is discarded with it.
    fn initialize(&self, network: &Network, state: &NetworkState) -> Result<(), StrategyError> {
        let child = state.veth_child.as_str();
        if child.is_empty() {
            return Err(StrategyError::VethChildNotSpecified);
        }
        let address = parse_cidr(&network.address).map_err(StrategyError::Invalid)?;
        let gateway = match network.gateway.as_str() {
            "" => None,
            g => Some(g.parse::<IpAddr>().map_err(|_| {
                StrategyError::Invalid(Error::invalid(
                    "gateway",
                    format!("{g:?} is not an IP address"),
                ))
            })?),
        };
        let h = Handle::new().map_err(at(Step::Socket))?;
        let dev = CONTAINER_DEVICE;
        h.link_down(child)
            .map_err(at(Step::Down { link: child.into() }))?;
        h.link_rename(child, dev).map_err(at(Step::Rename {
            from: child.into(),
            to: dev.into(),
        }))?;
        h.addr_add(dev, &address.into())
            .map_err(at(Step::SetAddress {
                link: dev.into(),
                address: network.address.clone(),
            }))?;
        if network.mtu != 0 {
            h.link_set_mtu(dev, network.mtu).map_err(at(Step::SetMtu {
                link: dev.into(),
                mtu: network.mtu,
            }))?;
        }
        h.link_up(dev).map_err(at(Step::Up { link: dev.into() }))?;
        if let Some(gw) = gateway {
            let route = match gw {
                IpAddr::V4(_) => RouteSpec::default_v4(),
                IpAddr::V6(_) => RouteSpec::default_v6(),
            };
            h.route_add(&route.via(gw).dev(dev))
                .map_err(at(Step::SetGateway {
                    gateway: network.gateway.clone(),
                    link: dev.into(),
                }))?;
        }
        Ok(())
    }
}

/// `ADDR/LEN`; a bare address is refused (the seed's `SetInterfaceIp` wants a CIDR).
fn parse_cidr(s: &str) -> Result<IpNet, Error> {
    if !s.contains('/') {
        return Err(Error::invalid(
            "address",
            format!("{s:?} is not a CIDR (ADDRESS/PREFIX-LENGTH)"),
        ));
    }
    s.parse()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_must_be_cidrs() {
        assert!(parse_cidr("198.18.0.2").unwrap_err().is_invalid());
        assert!(parse_cidr("").unwrap_err().is_invalid());
        assert!(parse_cidr("198.18.0.2/33").is_err());
        assert_eq!(
            parse_cidr("198.18.0.2/24").unwrap().to_string(),
            "198.18.0.2/24"
        );
    }

    #[test]
    fn create_checks_the_configuration_before_the_kernel() {
        // No handle is needed to refuse these; a handle on the current namespace is
        // opened only to satisfy the signature, and nothing is sent.
        let Ok(h) = Handle::new() else { return };
        let mut st = NetworkState::default();
        let ns = NetNsRef::Pid(1);
        let n = Network::default();
        assert!(matches!(
            Veth.create(&h, &n, ns, &mut st),
            Err(StrategyError::BridgeNotSpecified)
        ));
        let n = Network {
            bridge: "br0".into(),
            ..n
        };
        assert!(matches!(
            Veth.create(&h, &n, ns, &mut st),
            Err(StrategyError::VethPrefixNotSpecified)
        ));
        let n = Network {
            veth_prefix: "averylongprefi".into(),
            ..n
        };
        assert!(matches!(
            Veth.create(&h, &n, ns, &mut st),
            Err(StrategyError::Invalid(_))
        ));
        assert_eq!(st, NetworkState::default());
        assert!(matches!(
            Veth.initialize(&n, &st),
            Err(StrategyError::VethChildNotSpecified)
        ));
    }
}
