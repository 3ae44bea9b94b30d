//! From a CNI result to what the VM side needs: [`CniResult::pod_interface_info`] makes the
//! [`PodInterfaceInfo`] that [`ContainerSideNetwork::setup`] takes (issue 14, item 8; the
//! seed, virtlet, read the same fields from its CNI result).
//!
//! [`ContainerSideNetwork::setup`]: crate::container::vm::ContainerSideNetwork::setup

use super::error::{Error, Result};
use super::result::{CniResult, IpConfig};
use crate::IpNet;
use crate::container::vm::{PodInterfaceInfo, PodRoute};
use crate::mac::MacAddr;
use std::net::IpAddr;
use std::path::Path;

/// The kernel's main routing table (`RT_TABLE_MAIN`).
const RT_TABLE_MAIN: u32 = 254;

impl CniResult {
    /// The pod interface of this result as the VM side takes it over ([`PodInterfaceInfo`]),
    /// for a pod whose network namespace is `netns` (the `CNI_NETNS` of the ADD).
    ///
    /// The rules, from the spec's result format:
    /// - **The pod's interface** is the one whose `sandbox` is `netns` (compared as paths:
    ///   `/run/netns/p/` is `/run/netns/p`); interfaces without a sandbox are on the host
    ///   (the bridge, the host end of a veth). If several are in the pod, the one with an
    ///   IPv4 address is taken. Its `name` is [`PodInterfaceInfo::link`].
    /// - **Its IPv4 address**: the `ips` entry whose `interface` is that interface's index
    ///   (an entry without `interface` counts when only one interface is in the pod, as
    ///   some plugins leave it out); exactly one, since the VM side moves one IPv4 address.
    ///   IPv6 addresses are left out: the VM side leaves IPv6 on the pod's link.
    /// - **The gateway**: that address's `gateway`, else the gateway of a default route.
    /// - **Routes**: the IPv4 `routes`; a route without `gw` goes via the address's gateway
    ///   when it has one (the spec: "a default gateway is assumed"; libcni's
    ///   `ipam.ConfigureIface` installs it so), else it is on the link. A route's `mtu`,
    ///   `advmss`, `priority` and `scope` have no place in a VM's configuration and are
    ///   dropped.
    /// - **MTU** from the interface's `mtu` (1.1.0) when it is set, else `None` (setup then
    ///   takes the link's). **MAC** from its `mac` when it is set, else `None` (the link's).
    ///
    /// ```
    /// use netplumb::cni::{CniResult, SpecVersion};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// // What the bridge plugin prints for a pod in /run/netns/pod1.
    /// let r = CniResult::from_json(br#"{
    ///     "cniVersion": "1.0.0",
    ///     "interfaces": [
    ///         {"name": "cni0", "mac": "02:00:00:00:00:01"},
    ///         {"name": "veth0a1b2c3d", "mac": "02:00:00:00:00:02"},
    ///         {"name": "eth0", "mac": "02:00:00:00:00:03", "sandbox": "/run/netns/pod1"}],
    ///     "ips": [{"interface": 2, "address": "198.18.0.5/24", "gateway": "198.18.0.1"}],
    ///     "routes": [{"dst": "0.0.0.0/0"}]
    /// }"#, SpecVersion::V1_0_0)?;
    /// let info = r.pod_interface_info("/run/netns/pod1")?;
    /// assert_eq!(info.link, "eth0");
    /// assert_eq!(info.address.to_string(), "198.18.0.5/24");
    /// assert_eq!(info.routes[0].to_string(), "0.0.0.0/0 via 198.18.0.1");
    /// // ... then ContainerSideNetwork::setup(&pod, &SetupOptions::new().interfaces(vec![info]))
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::PodInfo`] for a result it cannot represent: no interface in `netns` (a
    /// 0.1.0/0.2.0 or IPAM-only result has no interfaces at all), several that cannot be
    /// told apart, no IPv4 address or more than one, a gateway of the wrong family, a MAC
    /// that is not six octets (InfiniBand), a route in another table than main.
    pub fn pod_interface_info(&self, netns: &str) -> Result<PodInterfaceInfo> {
        let in_pod: Vec<usize> = self
            .interfaces
            .iter()
            .enumerate()
            .filter(|(_, i)| !i.sandbox.is_empty() && Path::new(&i.sandbox) == Path::new(netns))
            .map(|(n, _)| n)
            .collect();
        let only = (in_pod.len() == 1).then(|| in_pod[0]);
        let ipv4_of = |n: usize| -> Vec<&IpConfig> {
            self.ips
                .iter()
                .filter(|ip| ip.address.is_ipv4())
                .filter(|ip| ip.interface == Some(n) || (ip.interface.is_none() && only == Some(n)))
                .collect()
        };
        let index = match in_pod.as_slice() {
            [] if self.interfaces.is_empty() => {
                return Err(unrepresentable(format!(
                    "the {} result names no interfaces, so none is known to be in {netns}",
                    self.cni_version
                )));
            }
            [] => {
                return Err(unrepresentable(format!(
                    "no interface of the result is in {netns} (sandboxes: {:?})",
                    self.interfaces
                        .iter()
                        .map(|i| i.sandbox.as_str())
                        .collect::<Vec<_>>()
                )));
            }
            [n] => *n,
            several => {
                let with_v4: Vec<usize> = several
                    .iter()
                    .copied()
                    .filter(|n| !ipv4_of(*n).is_empty())
                    .collect();
                match with_v4.as_slice() {
                    [n] => *n,
                    _ => {
                        return Err(unrepresentable(format!(
                            "{} interfaces are in {netns} ({}) and {} of them have an IPv4 \
                             address: the VM side takes one",
                            several.len(),
                            several
                                .iter()
                                .map(|n| self.interfaces[*n].name.as_str())
                                .collect::<Vec<_>>()
                                .join(", "),
                            with_v4.len()
                        )));
                    }
                }
            }
        };
        let iface = &self.interfaces[index];
        if iface.name.is_empty() {
            return Err(unrepresentable(format!(
                "interface {index} in {netns} has no name"
            )));
        }
        let ip = match ipv4_of(index).as_slice() {
            [ip] => *ip,
            found => {
                return Err(unrepresentable(format!(
                    "{} has {} IPv4 addresses in the result: the VM side moves exactly one",
                    iface.name,
                    found.len()
                )));
            }
        };
        let ip_gateway = match ip.gateway {
            None | Some(IpAddr::V4(_)) => ip.gateway,
            Some(gw) => {
                return Err(unrepresentable(format!(
                    "the gateway {gw} of {} is not IPv4",
                    ip.address
                )));
            }
        };
        let mut routes = Vec::new();
        let mut default_gw = None;
        for r in self.routes.iter().filter(|r| r.dst.is_ipv4()) {
            if r.table.is_some_and(|t| t != RT_TABLE_MAIN) {
                return Err(unrepresentable(format!(
                    "the route to {} is in table {}: a VM has only its main table",
                    r.dst,
                    r.table.unwrap_or_default()
                )));
            }
            let gw = match r.gw {
                None => ip_gateway,
                Some(IpAddr::V4(_)) => r.gw,
                Some(gw) => {
                    return Err(unrepresentable(format!(
                        "the route to {} has the gateway {gw}, which is not IPv4",
                        r.dst
                    )));
                }
            };
            let dst: IpNet = r.dst.network();
            if dst.prefix_len() == 0 && default_gw.is_none() {
                default_gw = gw;
            }
            routes.push(PodRoute { dst, gw });
        }
        let mac = match iface.mac.as_str() {
            "" => None,
            m => Some(m.parse::<MacAddr>().map_err(|_| {
                unrepresentable(format!(
                    "the MAC {m:?} of {} is not an Ethernet address",
                    iface.name
                ))
            })?),
        };
        Ok(PodInterfaceInfo {
            link: iface.name.clone(),
            address: ip.address,
            gateway: ip_gateway.or(default_gw),
            routes,
            mtu: (iface.mtu != 0).then_some(iface.mtu),
            mac,
        })
    }
}

fn unrepresentable(reason: String) -> Error {
    Error::PodInfo { reason }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cni::SpecVersion;

    const NS: &str = "/run/netns/pod1";

    fn result(json: &str) -> CniResult {
        CniResult::from_json(json.as_bytes(), SpecVersion::V1_0_0).unwrap()
    }

    fn reason(r: &CniResult) -> String {
        match r.pod_interface_info(NS).unwrap_err() {
            Error::PodInfo { reason } => reason,
            e => panic!("{e:?}"),
        }
    }

    /// A bridge plugin result (1.1.0, with an MTU) with these `ips` and `routes`.
    fn bridge(ips: &str, routes: &str) -> CniResult {
        result(&format!(
            r#"{{"cniVersion":"1.1.0","interfaces":[
                {{"name":"cni0","mac":"02:00:00:00:00:01"}},
                {{"name":"veth1","mac":"02:00:00:00:00:02"}},
                {{"name":"eth0","mac":"02:00:00:00:00:03","mtu":1450,"sandbox":"{NS}/"}}],
              "ips":{ips},"routes":{routes}}}"#
        ))
    }

    #[test]
    fn the_pod_interface_its_ipv4_address_gateway_routes_mtu_and_mac() {
        let r = bridge(
            r#"[{"interface":2,"address":"198.18.0.5/24","gateway":"198.18.0.1"},
                {"interface":2,"address":"2001:db8::5/64","gateway":"2001:db8::1"}]"#,
            r#"[{"dst":"0.0.0.0/0"},{"dst":"198.19.0.9/16","gw":"198.18.0.254","mtu":1400},
                {"dst":"::/0"}]"#,
        );
        let info = r.pod_interface_info(NS).unwrap();
        assert_eq!(
            info,
            PodInterfaceInfo {
                link: "eth0".into(),
                address: "198.18.0.5/24".parse().unwrap(),
                gateway: Some("198.18.0.1".parse().unwrap()),
                routes: vec![
                    PodRoute {
                        dst: "0.0.0.0/0".parse().unwrap(),
                        gw: Some("198.18.0.1".parse().unwrap()),
                    },
                    PodRoute {
                        dst: "198.19.0.0/16".parse().unwrap(),
                        gw: Some("198.18.0.254".parse().unwrap()),
                    },
                ],
                mtu: Some(1450),
                mac: Some("02:00:00:00:00:03".parse().unwrap()),
            }
        );
        // The sandbox is compared as a path.
        assert_eq!(
            r.pod_interface_info("/run//netns/pod1").unwrap().link,
            "eth0"
        );
    }

    #[test]
    fn without_an_address_gateway_routes_are_on_the_link_and_a_default_route_gives_it() {
        let r = bridge(
            r#"[{"interface":2,"address":"198.18.0.5/24"}]"#,
            r#"[{"dst":"198.18.9.0/24"},{"dst":"0.0.0.0/0","gw":"198.18.0.254"}]"#,
        );
        let info = r.pod_interface_info(NS).unwrap();
        assert_eq!(info.routes[0].gw, None);
        assert_eq!(info.gateway, Some("198.18.0.254".parse().unwrap()));
        // No routes, no MTU, no MAC: nothing made up.
        let r = result(&format!(
            r#"{{"interfaces":[{{"name":"net1","sandbox":"{NS}"}}],
                "ips":[{{"address":"198.18.0.5/24"}}]}}"#
        ));
        let info = r.pod_interface_info(NS).unwrap();
        assert_eq!(
            (info.link.as_str(), info.gateway, info.mtu, info.mac),
            ("net1", None, None, None)
        );
        assert!(info.routes.is_empty());
    }

    #[test]
    fn several_interfaces_in_the_pod_are_told_apart_by_their_ipv4_address() {
        let two = format!(
            r#"{{"interfaces":[{{"name":"eth0","sandbox":"{NS}"}},{{"name":"eth1","sandbox":"{NS}"}}],
                "ips":[{{"interface":1,"address":"198.18.1.5/24"}},{{"interface":0,"address":"2001:db8::5/64"}}]}}"#
        );
        assert_eq!(result(&two).pod_interface_info(NS).unwrap().link, "eth1");
        // Without interface indexes the addresses cannot be placed.
        let ambiguous = format!(
            r#"{{"interfaces":[{{"name":"eth0","sandbox":"{NS}"}},{{"name":"eth1","sandbox":"{NS}"}}],
                "ips":[{{"address":"198.18.1.5/24"}}]}}"#
        );
        assert!(reason(&result(&ambiguous)).contains("2 interfaces are in"));
    }

    #[test]
    fn results_it_cannot_represent() {
        // 0.2.0 and IPAM results have no interfaces.
        let old = CniResult::from_json(
            br#"{"cniVersion":"0.2.0","ip4":{"ip":"198.18.0.5/24","gateway":"198.18.0.1"}}"#,
            SpecVersion::V1_0_0,
        )
        .unwrap();
        assert!(
            reason(&old).contains("names no interfaces"),
            "{}",
            reason(&old)
        );
        // The pod's interface is in another namespace.
        let elsewhere =
            result(r#"{"interfaces":[{"name":"eth0","sandbox":"/run/netns/other"}],"ips":[]}"#);
        assert!(reason(&elsewhere).contains("no interface of the result is in"));
        // IPv6 only, and two IPv4 addresses.
        let v6 = bridge(r#"[{"interface":2,"address":"2001:db8::5/64"}]"#, "[]");
        assert!(reason(&v6).contains("0 IPv4 addresses"), "{}", reason(&v6));
        let two = bridge(
            r#"[{"interface":2,"address":"198.18.0.5/24"},{"interface":2,"address":"198.18.0.6/24"}]"#,
            "[]",
        );
        assert!(reason(&two).contains("2 IPv4 addresses"));
        // An address on the host side only.
        let host = bridge(r#"[{"interface":0,"address":"198.18.0.1/24"}]"#, "[]");
        assert!(reason(&host).contains("0 IPv4 addresses"));
        // A gateway of the other family, a route in another table, an InfiniBand MAC.
        let gw6 = bridge(
            r#"[{"interface":2,"address":"198.18.0.5/24","gateway":"2001:db8::1"}]"#,
            "[]",
        );
        assert!(reason(&gw6).contains("is not IPv4"));
        let table = bridge(
            r#"[{"interface":2,"address":"198.18.0.5/24"}]"#,
            r#"[{"dst":"198.19.0.0/16","table":100}]"#,
        );
        assert!(reason(&table).contains("in table 100"));
        let main = bridge(
            r#"[{"interface":2,"address":"198.18.0.5/24"}]"#,
            r#"[{"dst":"198.19.0.0/16","table":254}]"#,
        );
        assert!(main.pod_interface_info(NS).is_ok());
        let ib = result(&format!(
            r#"{{"interfaces":[{{"name":"ib0","sandbox":"{NS}",
                 "mac":"80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:03:00:00:0f:65"}}],
                "ips":[{{"interface":0,"address":"198.18.0.5/24"}}]}}"#
        ));
        assert!(reason(&ib).contains("not an Ethernet address"));
        let e = ib.pod_interface_info(NS).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("cannot give the CNI result to a VM: "),
            "{e}"
        );
    }
}
