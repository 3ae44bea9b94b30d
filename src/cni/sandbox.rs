//! What the runtime does itself inside a pod's namespace, over netlink (ocicni shells out
//! to `nsenter ... ip` for part of it): bring `lo` up, check it, and read an interface's
//! address and MAC when no cached result describes it.

use super::error::{Error, Result};
use super::result::{CniResult, Interface, IpConfig};
use super::version::SpecVersion;
use crate::addr::{AddrFilter, Scope};
use crate::{Family, Handle, NetNs};

fn handle(netns: &str) -> Result<Handle> {
    let ns = NetNs::open(netns)?;
    Ok(Handle::in_netns(&ns)?)
}

fn loopback_error(context: &str, e: Error) -> Error {
    Error::Context {
        context: context.to_string(),
        source: Box::new(e),
    }
}

/// Sets `lo` up in the namespace at `netns` (`RTM_NEWLINK` with `IFF_UP`, like `ip link
/// set lo up`) and checks that it holds only loopback addresses (ocicni's
/// `bringUpLoopback`).
///
/// # Errors
/// "error adding loopback interface: ..." for a namespace that cannot be opened, a missing
/// `lo`, or a non-loopback address on it.
pub fn bring_up_loopback(netns: &str) -> Result<()> {
    let run = || -> Result<()> {
        let h = handle(netns)?;
        h.link_up("lo")?;
        for a in h.addr_list(&AddrFilter::new().dev("lo"))? {
            if !a.local.addr().is_loopback() {
                return Err(Error::invalid(
                    "loopback",
                    format!(
                        "loopback interface found with non-loopback address {:?}",
                        a.local.addr().to_string()
                    ),
                ));
            }
        }
        Ok(())
    };
    run().map_err(|e| loopback_error("error adding loopback interface", e))
}

/// Checks that `lo` is up in the namespace at `netns` (ocicni's `checkLoopback`).
///
/// # Errors
/// "error checking loopback interface: loopback interface is down" and the like.
pub fn check_loopback(netns: &str) -> Result<()> {
    let run = || -> Result<()> {
        if !handle(netns)?.link_get("lo")?.is_up() {
            return Err(Error::invalid("loopback", "loopback interface is down"));
        }
        Ok(())
    };
    run().map_err(|e| loopback_error("error checking loopback interface", e))
}

/// A result describing interface `ifname` in the namespace at `netns`, read over netlink:
/// its MAC (`RTM_GETLINK`) and its first global IPv4 and IPv6 addresses (`RTM_GETADDR`;
/// like `ip -o -4 addr show dev IFNAME scope global`), in version `version` (ocicni's
/// fallback when nothing is cached).
///
/// # Errors
/// "neither IPv4 nor IPv6 found when retrieving network status" when the interface has no
/// global address; netlink errors; [`Error::IncompatibleVersion`] for `version`.
pub fn result_from_netns(netns: &str, ifname: &str, version: &str) -> Result<CniResult> {
    let h = handle(netns)?;
    let link = h.link_get(ifname)?;
    let mut result = CniResult::new(SpecVersion::CURRENT);
    for family in [Family::Ipv4, Family::Ipv6] {
        let filter = AddrFilter::new()
            .dev(ifname)
            .family(family)
            .scope(Scope::UNIVERSE);
        if let Some(a) = h.addr_list(&filter)?.into_iter().next() {
            result.ips.push(IpConfig {
                interface: Some(0),
                address: a.local,
                gateway: None,
            });
        }
    }
    if result.ips.is_empty() {
        return Err(Error::Netlink(crate::Error::NotFound {
            what: "address",
            name: format!(
                "neither IPv4 nor IPv6 found when retrieving network status of {ifname} in {netns}"
            ),
        }));
    }
    result.interfaces.push(Interface {
        name: ifname.to_string(),
        mac: link.address.map(|m| m.to_string()).unwrap_or_default(),
        sandbox: netns.to_string(),
        ..Default::default()
    });
    result.convert_to(version)
}
