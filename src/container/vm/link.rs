//! The pod's veth: [`find_veth`], [`extract_link_info`], [`strip_link`] (and the exact
//! [`LinkConfig`] it removes), [`configure_link`].

use super::error::{VmError, VmStep, at};
use super::info::{PodInterfaceInfo, PodRoute};
use crate::addr::{AddrFilter, AddrSpec, Address, SETTABLE_FLAGS};
use crate::handle::Handle;
use crate::link::{Link, LinkFilter, LinkRef};
use crate::route::{NextHopSpec, Route, RouteFilter, RouteSpec};
use crate::wire::nlmsg::{NlmsgFlags, RTM_DELROUTE};
use crate::wire::route::{NextHopFlags, RouteFlags, RouteMetric, RouteProtocol};
use crate::{Error, Family};
use std::net::IpAddr;

/// The veth links of the namespace, by index.
pub(super) fn veths(h: &Handle) -> Result<Vec<Link>, VmError> {
    let mut v = h
        .link_list(&LinkFilter::new().kind("veth"))
        .map_err(at(VmStep::ReadLinks, "veth"))?;
    v.sort_by_key(|l| l.index);
    Ok(v)
}

/// The one veth link of `h`'s namespace (the seed's `FindVeth`): an `RTM_GETLINK` dump
/// filtered by kind, like `ip link show type veth`.
///
/// # Errors
/// [`VmError::NoVeth`], [`VmError::MultipleVeths`], or the dump's failure.
pub fn find_veth(h: &Handle) -> Result<Link, VmError> {
    let mut v = veths(h)?;
    match v.len() {
        0 => Err(VmError::NoVeth),
        1 => Ok(v.remove(0)),
        _ => Err(VmError::MultipleVeths {
            names: v.into_iter().map(|l| l.name).collect(),
        }),
    }
}

/// What a VM must take over from `link` (the seed's `ExtractLinkInfo`): its one IPv4
/// address, its IPv4 routes in table main except those the kernel added (`proto kernel`),
/// its MTU and its MAC. A default route gives [`PodInterfaceInfo::gateway`] and is kept as
/// `0.0.0.0/0` with its gateway (the seed dropped the gateway, so the VM got a default
/// route without one); a default route without a gateway is left out, as in the seed.
///
/// Reads with an `RTM_GETLINK`, an `RTM_GETADDR` dump and an `RTM_GETROUTE` dump, like
/// `ip link show dev L; ip -4 addr show dev L; ip -4 route show dev L`.
///
/// # Errors
/// [`VmError::AddressCount`] unless the link has exactly one IPv4 address; a failed read.
pub fn extract_link_info<'a>(
    h: &Handle,
    link: impl Into<LinkRef<'a>>,
) -> Result<PodInterfaceInfo, VmError> {
    let link = link.into();
    let l = h
        .link_get(link.clone())
        .map_err(at(VmStep::ReadLinks, &link))?;
    let addrs = ipv4_addresses(h, &l)?;
    let [addr] = addrs.as_slice() else {
        return Err(VmError::AddressCount {
            link: l.name,
            count: addrs.len(),
        });
    };
    let mut gateway = None;
    let mut routes = Vec::new();
    for r in ipv4_routes(h, &l)? {
        if r.protocol == RouteProtocol::KERNEL {
            continue;
        }
        let default = r.destination.prefix_len() == 0;
        match (default, r.gateway) {
            (true, None) => continue,
            (true, Some(gw)) => gateway = Some(gw),
            _ => {}
        }
        routes.push(PodRoute {
            dst: r.destination.network(),
            gw: r.gateway,
        });
    }
    Ok(PodInterfaceInfo {
        link: l.name.clone(),
        address: addr.local,
        gateway,
        routes,
        mtu: l.mtu,
        mac: l.address,
    })
}

fn ipv4_addresses(h: &Handle, l: &Link) -> Result<Vec<Address>, VmError> {
    h.addr_list(&AddrFilter::new().dev(l.index).family(Family::Ipv4))
        .map_err(at(VmStep::ListAddresses, &l.name))
}

fn ipv4_routes(h: &Handle, l: &Link) -> Result<Vec<Route>, VmError> {
    h.route_list(&RouteFilter::new().ipv4().dev(l.index))
        .map_err(at(VmStep::ListRoutes, &l.name))
}

/// A link's IPv4 configuration, exactly as the kernel reported it: what [`strip_link`]
/// removes and [`LinkConfig::restore`] puts back (addresses with their broadcast, label,
/// scope, flags and metric; routes with their table, protocol, scope, metric, source and
/// metrics).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkConfig {
    /// The link's index.
    pub index: u32,
    /// The link's name (for messages).
    pub name: String,
    /// Its IPv4 addresses, primary ones first, as listed.
    pub addresses: Vec<Address>,
    /// Its IPv4 routes in table main that the kernel did not add itself.
    pub routes: Vec<Route>,
}

impl LinkConfig {
    /// Reads `link`'s IPv4 addresses and its non-kernel IPv4 routes in table main.
    ///
    /// # Errors
    /// A failed read.
    pub fn read<'a>(h: &Handle, link: impl Into<LinkRef<'a>>) -> Result<LinkConfig, VmError> {
        let link = link.into();
        let l = h
            .link_get(link.clone())
            .map_err(at(VmStep::ReadLinks, &link))?;
        let routes = ipv4_routes(h, &l)?
            .into_iter()
            .filter(|r| r.protocol != RouteProtocol::KERNEL)
            .collect();
        Ok(LinkConfig {
            addresses: ipv4_addresses(h, &l)?,
            routes,
            index: l.index,
            name: l.name,
        })
    }

    /// Deletes the routes, then the addresses (`RTM_DELROUTE`, `RTM_DELADDR`), stopping at
    /// the first error as the seed does. Whatever is already gone is not an error (so it can
    /// run again), and the kernel's own routes go with the addresses.
    ///
    /// # Errors
    /// The first delete the kernel refused.
    pub fn remove(&self, h: &Handle) -> Result<(), VmError> {
        for r in &self.routes {
            match h.request(RTM_DELROUTE, NlmsgFlags::empty(), &r.delete_message()) {
                Err(e) if !e.is_not_found() => {
                    return Err(at(VmStep::DeleteRoute, &self.name)(e));
                }
                _ => {}
            }
        }
        for a in &self.addresses {
            match h.addr_del(self.index, a.to_spec()) {
                Err(e) if !e.is_not_found() => {
                    return Err(at(VmStep::DeleteAddress, &self.name)(e));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Adds the addresses back, then the routes, as they were (`RTM_NEWADDR`,
    /// `RTM_NEWROUTE`, each with `NLM_F_CREATE|NLM_F_EXCL`); what is already there is left
    /// alone, so it can run again. Every item is attempted.
    ///
    /// # Errors
    /// The kernel's error when one item was refused, [`Error::Teardown`] with each when
    /// several were.
    pub fn restore(&self, h: &Handle) -> crate::Result<()> {
        let exists_ok = |r: crate::Result<()>| match r {
            Err(e) if !e.is_exists() => Err(e),
            _ => Ok(()),
        };
        let addrs = self
            .addresses
            .iter()
            .map(|a| h.addr_add(self.index, &addr_spec(a)));
        let routes = self.routes.iter().map(|r| h.route_add(&route_spec(r)));
        let mut errors: Vec<Error> = addrs
            .chain(routes)
            .filter_map(|r| exists_ok(r).err())
            .collect();
        match errors.len() {
            0 => Ok(()),
            1 => Err(errors.remove(0)),
            _ => Err(Error::Teardown { errors }),
        }
    }
}

/// The request that adds `a` again as it is.
fn addr_spec(a: &Address) -> AddrSpec {
    let mut s = a.to_spec();
    s.broadcast = match a.broadcast {
        Some(IpAddr::V4(b)) => Some(crate::addr::Broadcast::Addr(b)),
        _ => None,
    };
    s.label.clone_from(&a.label);
    s.scope = Some(a.scope);
    s.flags = a.flags & SETTABLE_FLAGS;
    s.metric = a.metric;
    s.protocol = a.protocol;
    if a.valid_lifetime.is_some() || a.preferred_lifetime.is_some() {
        let forever = crate::addr::INFINITY_LIFE_TIME;
        s.lifetimes = Some((
            a.valid_lifetime.unwrap_or(forever),
            a.preferred_lifetime.unwrap_or(forever),
        ));
    }
    s
}

/// The request that adds `r` again as it is.
fn route_spec(r: &Route) -> RouteSpec {
    let mut s = RouteSpec::new(r.destination);
    s.source = r.source;
    s.gateway = r.gateway;
    s.dev = r.oif.map(LinkRef::Index);
    s.prefsrc = r.prefsrc;
    s.metric = r.metric;
    s.table = Some(r.table);
    s.protocol = Some(r.protocol);
    s.scope = Some(r.scope);
    s.kind = Some(r.kind);
    s.tos = r.tos;
    s.onlink = r.flags.contains(RouteFlags::ONLINK);
    for m in &r.metrics {
        match m {
            RouteMetric::Lock(l) => s.locks = *l,
            m => s.metrics.push(m.clone()),
        }
    }
    s.nexthops = r
        .nexthops
        .iter()
        .map(|nh| NextHopSpec {
            gateway: nh.gateway,
            dev: Some(LinkRef::Index(nh.ifindex)),
            weight: nh.weight,
            onlink: nh.flags.contains(NextHopFlags::ONLINK),
        })
        .collect();
    s.pref = r.pref;
    s
}

/// Removes `link`'s IPv4 configuration (the seed's `StripLink`): first its IPv4 routes in
/// table main that the kernel did not add, then its IPv4 addresses; IPv6 is left alone.
/// Returns what it removed, so that [`LinkConfig::restore`] can put it back exactly.
///
/// # Errors
/// A failed read, or the first delete the kernel refused (the rest is not attempted).
pub fn strip_link<'a>(h: &Handle, link: impl Into<LinkRef<'a>>) -> Result<LinkConfig, VmError> {
    let c = LinkConfig::read(h, link)?;
    c.remove(h)?;
    Ok(c)
}

/// Gives `link` the address and routes of `info` (the seed's `ConfigureLink`):
/// `RTM_NEWADDR` and one `RTM_NEWROUTE` per route through `link`, each with
/// `NLM_F_CREATE|NLM_F_REPLACE` like `ip addr replace` and `ip route replace`, so running
/// it twice succeeds (the seed failed with `EEXIST`). A route's scope is the one `ip`
/// picks (link for a route without a gateway, universe otherwise; the seed always used
/// universe).
///
/// # Errors
/// The first request the kernel refused (the rest is not attempted, as in the seed).
pub fn configure_link<'a>(
    h: &Handle,
    link: impl Into<LinkRef<'a>>,
    info: &PodInterfaceInfo,
) -> Result<(), VmError> {
    let link = link.into();
    let index = h
        .link_index(link.clone())
        .map_err(at(VmStep::ReadLinks, &link))?;
    h.addr_replace(index, &AddrSpec::new(info.address))
        .map_err(at(VmStep::AddAddress, &link))?;
    for r in &info.routes {
        let mut spec = RouteSpec::new(r.dst).dev(index);
        spec.gateway = r.gw;
        h.route_replace(&spec)
            .map_err(at(VmStep::AddRoute, &link))?;
    }
    Ok(())
}
