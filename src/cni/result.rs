//! CNI results of every spec version ([`CniResult`]), read from and written in the version's
//! own JSON shape, and converted between versions as libcni converts them.
//!
//! One model holds all versions: 0.1.0/0.2.0's `ip4` and `ip6` become two [`IpConfig`]s and
//! their routes, and 0.3.x/0.4.0's `ips[].version` is derived from the address. Written out,
//! each version has its own shape, with the key order libcni prints (`cnitool add` output):
//! the structs' order for 0.x, sorted keys for 1.x (libcni marshals 1.x results through a
//! map). An empty string or zero number means "absent", as in the spec's JSON.
//!
//! Conversions ([`CniResult::convert`]): any version to any other, as libcni's converters;
//! down to 0.1.0/0.2.0 keeps the first IPv4 and the first IPv6 address and the routes of
//! those families, and fails with the spec's "incompatible versions" error
//! ([`Error::IncompatibleVersion`], code 1) when there is no address at all.

use super::error::{Error, Result};
use super::version::{Shape, SpecVersion};
use crate::IpNet;
use serde::de::{DeserializeOwned, Deserializer};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// A CNI result: what a plugin prints after a successful ADD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CniResult {
    /// The spec version the result is in.
    pub cni_version: SpecVersion,
    /// The interfaces the plugin made (`interfaces`; 0.3.0 and later).
    pub interfaces: Vec<Interface>,
    /// The addresses (`ips`; `ip4`/`ip6` in 0.1.0 and 0.2.0).
    pub ips: Vec<IpConfig>,
    /// The routes (`routes`; inside `ip4`/`ip6` in 0.1.0 and 0.2.0).
    pub routes: Vec<Route>,
    /// `dns`.
    pub dns: Dns,
}

/// An interface in a result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interface {
    /// `name`.
    #[serde(default)]
    pub name: String,
    /// `mac`: the hardware address as the plugin wrote it (Ethernet, InfiniBand...).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub mac: String,
    /// `mtu` (1.1.0); 0 when absent.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub mtu: u32,
    /// `sandbox`: the namespace path for an interface inside the container, empty for
    /// one on the host.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sandbox: String,
    /// `socketPath` (1.1.0).
    #[serde(
        rename = "socketPath",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub socket_path: String,
    /// `pciID` (1.1.0).
    #[serde(rename = "pciID", default, skip_serializing_if = "String::is_empty")]
    pub pci_id: String,
}

/// An address in a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpConfig {
    /// `interface`: the index of the interface in [`CniResult::interfaces`] (absent in
    /// IPAM results).
    pub interface: Option<usize>,
    /// `address`, with the host bits and the prefix length (`198.18.0.5/24`).
    pub address: IpNet,
    /// `gateway`.
    pub gateway: Option<IpAddr>,
}

/// A route in a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// `dst`.
    pub dst: IpNet,
    /// `gw`.
    pub gw: Option<IpAddr>,
    /// `mtu` (1.1.0); 0 when absent.
    pub mtu: u32,
    /// `advmss` (1.1.0); 0 when absent.
    pub advmss: u32,
    /// `priority` (1.1.0); 0 when absent.
    pub priority: u32,
    /// `table` (1.1.0).
    pub table: Option<u32>,
    /// `scope` (1.1.0).
    pub scope: Option<u32>,
}

impl Route {
    /// A route to `dst` via `gw`, nothing else set.
    pub fn new(dst: IpNet, gw: Option<IpAddr>) -> Route {
        Route {
            dst,
            gw,
            mtu: 0,
            advmss: 0,
            priority: 0,
            table: None,
            scope: None,
        }
    }
}

/// `dns` of a result.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dns {
    /// `nameservers`.
    pub nameservers: Vec<String>,
    /// `domain`.
    pub domain: String,
    /// `search`.
    pub search: Vec<String>,
    /// `options`.
    pub options: Vec<String>,
}

impl Dns {
    /// Nothing set.
    pub fn is_empty(&self) -> bool {
        self.nameservers.is_empty()
            && self.domain.is_empty()
            && self.search.is_empty()
            && self.options.is_empty()
    }
}

impl CniResult {
    /// An empty result of version `v`.
    pub fn new(v: SpecVersion) -> CniResult {
        CniResult {
            cni_version: v,
            interfaces: Vec::new(),
            ips: Vec::new(),
            routes: Vec::new(),
            dns: Dns::default(),
        }
    }

    /// Reads a result. A result without `cniVersion` (or with an empty one) is taken as
    /// `default_version`: libcni gives a plugin's result the config's version then, and a
    /// stored result 0.1.0.
    ///
    /// # Errors
    /// [`Error::IncompatibleVersion`] for a version the spec does not define; a message
    /// (for [`Error::BadResult`] or [`Error::Cache`]) for JSON that is not a result.
    pub fn from_json(bytes: &[u8], default_version: SpecVersion) -> Result<CniResult> {
        // serde would take an array for a struct; Go (and the spec) want an object.
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(bad("a result must be a JSON object".into()));
        }
        let raw: Raw = serde_json::from_slice(bytes).map_err(|e| bad(e.to_string()))?;
        raw.into_result(default_version)
    }

    /// [`CniResult::from_json`] of a JSON value.
    pub fn from_value(
        value: &serde_json::Value,
        default_version: SpecVersion,
    ) -> Result<CniResult> {
        if !value.is_object() {
            return Err(bad("a result must be a JSON object".into()));
        }
        let raw = Raw::deserialize(value).map_err(|e| bad(e.to_string()))?;
        raw.into_result(default_version)
    }

    /// The result in the JSON shape of its version, compact.
    pub fn to_json(&self) -> Vec<u8> {
        // Serializing plain strings and numbers into memory cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// The result as `cnitool add` prints it (libcni's `Result.Print`): indented by four
    /// spaces, no final newline.
    pub fn to_json_pretty(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
        let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
        // As above: serializing into memory cannot fail.
        let _ = self.serialize(&mut ser);
        out
    }

    /// The result as a JSON value (what is injected as `prevResult` and cached).
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }

    /// The result converted to version `to`, as libcni's converters do.
    ///
    /// # Errors
    /// [`Error::IncompatibleVersion`] converting down to 0.1.0/0.2.0 a result without any
    /// address.
    pub fn convert(&self, to: SpecVersion) -> Result<CniResult> {
        if to == self.cni_version {
            return Ok(self.clone());
        }
        if to.shape() != Shape::Legacy || self.cni_version.shape() == Shape::Legacy {
            return Ok(CniResult {
                cni_version: to,
                ..self.clone()
            });
        }
        let v4 = self.ips.iter().find(|i| i.address.is_ipv4());
        let v6 = self.ips.iter().find(|i| !i.address.is_ipv4());
        if v4.is_none() && v6.is_none() {
            return Err(Error::incompatible(format!(
                "cannot convert {} result to {to}: no valid IP addresses",
                self.cni_version
            )));
        }
        let ips = [v4, v6]
            .into_iter()
            .flatten()
            .map(|i| IpConfig {
                interface: None,
                ..i.clone()
            })
            .collect();
        let routes = self
            .routes
            .iter()
            .filter(|r| {
                if r.dst.is_ipv4() {
                    v4.is_some()
                } else {
                    v6.is_some()
                }
            })
            .map(|r| Route::new(r.dst, r.gw))
            .collect();
        Ok(CniResult {
            cni_version: to,
            interfaces: Vec::new(),
            ips,
            routes,
            dns: self.dns.clone(),
        })
    }

    /// [`CniResult::convert`] to a version given as a string (`""` is 0.1.0).
    ///
    /// # Errors
    /// [`Error::IncompatibleVersion`] for a version the spec does not define ("no converter
    /// for CNI result version ..."), or as [`CniResult::convert`].
    pub fn convert_to(&self, to: &str) -> Result<CniResult> {
        let target = SpecVersion::parse(to).ok_or_else(|| {
            Error::incompatible(format!(
                "no converter for CNI result version {} to {to}",
                self.cni_version
            ))
        })?;
        self.convert(target)
    }
}

fn bad(reason: String) -> Error {
    Error::BadResult {
        plugin: String::new(),
        verb: super::error::Verb::Add,
        reason,
        output: String::new(),
    }
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

// ---- reading ----

/// `null` and absence both mean the default, as Go reads them.
fn nullable<'de, D, T>(d: D) -> std::result::Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + DeserializeOwned,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[derive(Deserialize)]
struct Raw {
    #[serde(rename = "cniVersion", default, deserialize_with = "nullable")]
    cni_version: String,
    #[serde(default, deserialize_with = "nullable")]
    interfaces: Vec<Interface>,
    #[serde(default, deserialize_with = "nullable")]
    ips: Vec<RawIp>,
    #[serde(default, deserialize_with = "nullable")]
    routes: Vec<RawRoute>,
    #[serde(default, deserialize_with = "nullable")]
    dns: RawDns,
    #[serde(default)]
    ip4: Option<RawLegacyIp>,
    #[serde(default)]
    ip6: Option<RawLegacyIp>,
}

#[derive(Deserialize)]
struct RawIp {
    #[serde(default)]
    interface: Option<usize>,
    address: String,
    #[serde(default, deserialize_with = "nullable")]
    gateway: String,
}

#[derive(Deserialize, Default)]
struct RawRoute {
    dst: String,
    #[serde(default, deserialize_with = "nullable")]
    gw: String,
    #[serde(default, deserialize_with = "nullable")]
    mtu: u32,
    #[serde(default, deserialize_with = "nullable")]
    advmss: u32,
    #[serde(default, deserialize_with = "nullable")]
    priority: u32,
    #[serde(default)]
    table: Option<u32>,
    #[serde(default)]
    scope: Option<u32>,
}

#[derive(Deserialize, Default)]
struct RawDns {
    #[serde(default, deserialize_with = "nullable")]
    nameservers: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    domain: String,
    #[serde(default, deserialize_with = "nullable")]
    search: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    options: Vec<String>,
}

#[derive(Deserialize)]
struct RawLegacyIp {
    ip: String,
    #[serde(default, deserialize_with = "nullable")]
    gateway: String,
    #[serde(default, deserialize_with = "nullable")]
    routes: Vec<RawRoute>,
}

/// `ADDR/LEN`, as Go's `net.ParseCIDR` (the prefix length is required).
pub(crate) fn parse_cidr(s: &str) -> std::result::Result<IpNet, String> {
    if !s.contains('/') {
        return Err(format!("invalid CIDR address: {s}"));
    }
    s.parse().map_err(|_| format!("invalid CIDR address: {s}"))
}

/// An optional address: `""` is none, as Go reads a `net.IP`.
fn parse_gateway(s: &str) -> std::result::Result<Option<IpAddr>, String> {
    if s.is_empty() {
        return Ok(None);
    }
    s.parse()
        .map(Some)
        .map_err(|_| format!("invalid IP address: {s}"))
}

impl RawRoute {
    fn into_route(self) -> std::result::Result<Route, String> {
        Ok(Route {
            dst: parse_cidr(&self.dst)?,
            gw: parse_gateway(&self.gw)?,
            mtu: self.mtu,
            advmss: self.advmss,
            priority: self.priority,
            table: self.table,
            scope: self.scope,
        })
    }
}

impl Raw {
    fn into_result(self, default_version: SpecVersion) -> Result<CniResult> {
        let version = if self.cni_version.is_empty() {
            default_version
        } else {
            self.cni_version.parse()?
        };
        let dns = Dns {
            nameservers: self.dns.nameservers,
            domain: self.dns.domain,
            search: self.dns.search,
            options: self.dns.options,
        };
        let mut r = CniResult {
            dns,
            ..CniResult::new(version)
        };
        let fill = |r: &mut CniResult| -> std::result::Result<(), String> {
            if version.shape() == Shape::Legacy {
                for ip in [self.ip4, self.ip6].into_iter().flatten() {
                    r.ips.push(IpConfig {
                        interface: None,
                        address: parse_cidr(&ip.ip)?,
                        gateway: parse_gateway(&ip.gateway)?,
                    });
                    for route in ip.routes {
                        r.routes.push(route.into_route()?);
                    }
                }
                return Ok(());
            }
            r.interfaces = self.interfaces;
            for ip in self.ips {
                r.ips.push(IpConfig {
                    interface: ip.interface,
                    address: parse_cidr(&ip.address)?,
                    gateway: parse_gateway(&ip.gateway)?,
                });
            }
            for route in self.routes {
                r.routes.push(route.into_route()?);
            }
            Ok(())
        };
        fill(&mut r).map_err(bad)?;
        Ok(r)
    }
}

// ---- writing: one shape per version, in libcni's key order ----

fn ip_string(a: &Option<IpAddr>) -> Option<String> {
    a.map(|a| a.to_string())
}

/// A route as Go's `types.Route` marshals it (struct order), for 0.x results.
#[derive(Serialize)]
struct RouteGo {
    dst: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    gw: Option<String>,
    #[serde(skip_serializing_if = "is_zero")]
    mtu: u32,
    #[serde(skip_serializing_if = "is_zero")]
    advmss: u32,
    #[serde(skip_serializing_if = "is_zero")]
    priority: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    table: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<u32>,
}

/// A route with its keys sorted, for 1.x results.
#[derive(Serialize)]
struct RouteSorted {
    #[serde(skip_serializing_if = "is_zero")]
    advmss: u32,
    dst: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    gw: Option<String>,
    #[serde(skip_serializing_if = "is_zero")]
    mtu: u32,
    #[serde(skip_serializing_if = "is_zero")]
    priority: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    table: Option<u32>,
}

impl From<&Route> for RouteGo {
    fn from(r: &Route) -> Self {
        RouteGo {
            dst: r.dst.to_string(),
            gw: ip_string(&r.gw),
            mtu: r.mtu,
            advmss: r.advmss,
            priority: r.priority,
            table: r.table,
            scope: r.scope,
        }
    }
}

impl From<&Route> for RouteSorted {
    fn from(r: &Route) -> Self {
        RouteSorted {
            advmss: r.advmss,
            dst: r.dst.to_string(),
            gw: ip_string(&r.gw),
            mtu: r.mtu,
            priority: r.priority,
            scope: r.scope,
            table: r.table,
        }
    }
}

/// `dns` in Go's struct order (0.x), always written (Go's `omitempty` keeps structs).
#[derive(Serialize)]
struct DnsGo<'a> {
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    nameservers: &'a [String],
    #[serde(skip_serializing_if = "str::is_empty")]
    domain: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    search: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    options: &'a [String],
}

/// `dns` with sorted keys (1.x), left out when empty.
#[derive(Serialize)]
struct DnsSorted<'a> {
    #[serde(skip_serializing_if = "str::is_empty")]
    domain: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    nameservers: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    options: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    search: &'a [String],
}

impl Dns {
    fn go(&self) -> DnsGo<'_> {
        DnsGo {
            nameservers: &self.nameservers,
            domain: &self.domain,
            search: &self.search,
            options: &self.options,
        }
    }

    fn sorted(&self) -> DnsSorted<'_> {
        DnsSorted {
            domain: &self.domain,
            nameservers: &self.nameservers,
            options: &self.options,
            search: &self.search,
        }
    }
}

#[derive(Serialize)]
struct V1Out<'a> {
    #[serde(rename = "cniVersion")]
    cni_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    dns: Option<DnsSorted<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    interfaces: Vec<V1Interface<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ips: Vec<V1Ip>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    routes: Vec<RouteSorted>,
}

#[derive(Serialize)]
struct V1Interface<'a> {
    #[serde(skip_serializing_if = "str::is_empty")]
    mac: &'a str,
    #[serde(skip_serializing_if = "is_zero")]
    mtu: u32,
    name: &'a str,
    #[serde(rename = "pciID", skip_serializing_if = "str::is_empty")]
    pci_id: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    sandbox: &'a str,
    #[serde(rename = "socketPath", skip_serializing_if = "str::is_empty")]
    socket_path: &'a str,
}

#[derive(Serialize)]
struct V1Ip {
    address: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    gateway: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    interface: Option<usize>,
}

#[derive(Serialize)]
struct V04Out<'a> {
    #[serde(rename = "cniVersion")]
    cni_version: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    interfaces: Vec<V04Interface<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ips: Vec<V04Ip>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    routes: Vec<RouteGo>,
    dns: DnsGo<'a>,
}

#[derive(Serialize)]
struct V04Interface<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    mac: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    sandbox: &'a str,
}

#[derive(Serialize)]
struct V04Ip {
    version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    interface: Option<usize>,
    address: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    gateway: Option<String>,
}

#[derive(Serialize)]
struct LegacyOut<'a> {
    #[serde(rename = "cniVersion")]
    cni_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    ip4: Option<LegacyIp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ip6: Option<LegacyIp>,
    dns: DnsGo<'a>,
}

#[derive(Serialize)]
struct LegacyIp {
    ip: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    gateway: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    routes: Vec<RouteGo>,
}

impl CniResult {
    fn legacy_ip(&self, v4: bool) -> Option<LegacyIp> {
        let ip = self.ips.iter().find(|i| i.address.is_ipv4() == v4)?;
        Some(LegacyIp {
            ip: ip.address.to_string(),
            gateway: ip_string(&ip.gateway),
            routes: self
                .routes
                .iter()
                .filter(|r| r.dst.is_ipv4() == v4)
                .map(RouteGo::from)
                .collect(),
        })
    }
}

impl Serialize for CniResult {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let cni_version = self.cni_version.as_str();
        match self.cni_version.shape() {
            Shape::V1 => V1Out {
                cni_version,
                dns: (!self.dns.is_empty()).then(|| self.dns.sorted()),
                interfaces: self
                    .interfaces
                    .iter()
                    .map(|i| V1Interface {
                        mac: &i.mac,
                        mtu: i.mtu,
                        name: &i.name,
                        pci_id: &i.pci_id,
                        sandbox: &i.sandbox,
                        socket_path: &i.socket_path,
                    })
                    .collect(),
                ips: self
                    .ips
                    .iter()
                    .map(|i| V1Ip {
                        address: i.address.to_string(),
                        gateway: ip_string(&i.gateway),
                        interface: i.interface,
                    })
                    .collect(),
                routes: self.routes.iter().map(RouteSorted::from).collect(),
            }
            .serialize(s),
            Shape::V04 => V04Out {
                cni_version,
                interfaces: self
                    .interfaces
                    .iter()
                    .map(|i| V04Interface {
                        name: &i.name,
                        mac: &i.mac,
                        sandbox: &i.sandbox,
                    })
                    .collect(),
                ips: self
                    .ips
                    .iter()
                    .map(|i| V04Ip {
                        version: if i.address.is_ipv4() { "4" } else { "6" },
                        interface: i.interface,
                        address: i.address.to_string(),
                        gateway: ip_string(&i.gateway),
                    })
                    .collect(),
                routes: self.routes.iter().map(RouteGo::from).collect(),
                dns: self.dns.go(),
            }
            .serialize(s),
            Shape::Legacy => LegacyOut {
                cni_version,
                ip4: self.legacy_ip(true),
                ip6: self.legacy_ip(false),
                dns: self.dns.go(),
            }
            .serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for CniResult {
    /// Reads a result of any version; one without `cniVersion` is 0.1.0.
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<CniResult, D::Error> {
        Raw::deserialize(d)?
            .into_result(SpecVersion::V0_1_0)
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const V1: &str = r#"{"cniVersion":"1.0.0","interfaces":[{"name":"cni0","mac":"aa:bb:cc:dd:ee:ff"},{"name":"eth0","mac":"02:00:00:00:00:01","sandbox":"/run/netns/p"}],"ips":[{"interface":1,"address":"198.18.0.5/24","gateway":"198.18.0.1"},{"interface":1,"address":"2001:db8::5/64"}],"routes":[{"dst":"0.0.0.0/0","gw":"198.18.0.1"},{"dst":"::/0"}],"dns":{"nameservers":["198.18.0.53"]}}"#;

    fn v1() -> CniResult {
        CniResult::from_json(V1.as_bytes(), SpecVersion::V1_0_0).unwrap()
    }

    #[test]
    fn v1_reads_and_writes_with_sorted_keys() {
        let r = v1();
        assert_eq!(r.interfaces.len(), 2);
        assert_eq!(r.ips[0].address.to_string(), "198.18.0.5/24");
        assert_eq!(r.ips[0].interface, Some(1));
        assert_eq!(r.routes[1].gw, None);
        let out = String::from_utf8(r.to_json()).unwrap();
        assert!(out.starts_with(r#"{"cniVersion":"1.0.0","dns":{"nameservers":["198.18.0.53"]},"interfaces":[{"mac":"aa:bb:cc:dd:ee:ff","name":"cni0"}"#), "{out}");
        // Reading back what was written gives the same result.
        assert_eq!(
            CniResult::from_json(out.as_bytes(), SpecVersion::V0_1_0).unwrap(),
            r
        );
    }

    #[test]
    fn v04_has_ip_versions_and_struct_order() {
        let r = v1().convert(SpecVersion::V0_4_0).unwrap();
        let out = String::from_utf8(r.to_json()).unwrap();
        assert!(
            out.starts_with(
                r#"{"cniVersion":"0.4.0","interfaces":[{"name":"cni0","mac":"aa:bb:cc:dd:ee:ff"}"#
            ),
            "{out}"
        );
        assert!(
            out.contains(
                r#"{"version":"4","interface":1,"address":"198.18.0.5/24","gateway":"198.18.0.1"}"#
            ),
            "{out}"
        );
        assert!(
            out.ends_with(r#""dns":{"nameservers":["198.18.0.53"]}}"#),
            "{out}"
        );
        let back = CniResult::from_json(out.as_bytes(), SpecVersion::V0_1_0).unwrap();
        assert_eq!(back.convert(SpecVersion::V1_0_0).unwrap(), v1());
    }

    #[test]
    fn legacy_conversion_keeps_one_address_per_family() {
        let r = v1().convert(SpecVersion::V0_2_0).unwrap();
        assert!(r.interfaces.is_empty());
        assert_eq!(r.ips.len(), 2);
        assert_eq!(r.ips[0].interface, None);
        let v = r.to_value();
        assert_eq!(
            v,
            json!({"cniVersion":"0.2.0",
                   "ip4":{"ip":"198.18.0.5/24","gateway":"198.18.0.1","routes":[{"dst":"0.0.0.0/0","gw":"198.18.0.1"}]},
                   "ip6":{"ip":"2001:db8::5/64","routes":[{"dst":"::/0"}]},
                   "dns":{"nameservers":["198.18.0.53"]}})
        );
        // ... and back up: ips and routes in ip4, ip6 order.
        let up = CniResult::from_value(&v, SpecVersion::V0_1_0)
            .unwrap()
            .convert(SpecVersion::V1_1_0)
            .unwrap();
        assert_eq!(up.ips.len(), 2);
        assert_eq!(up.routes.len(), 2);
        assert_eq!(up.cni_version, SpecVersion::V1_1_0);
    }

    #[test]
    fn incompatible_conversions_are_typed_errors() {
        let mut r = v1();
        r.ips.clear();
        let e = r.convert(SpecVersion::V0_1_0).unwrap_err();
        assert!(matches!(e, Error::IncompatibleVersion { .. }), "{e}");
        assert_eq!(e.code(), Some(1));
        assert!(v1().convert_to("2.0.0").is_err());
        let e =
            CniResult::from_json(br#"{"cniVersion":"9.9.9"}"#, SpecVersion::V1_0_0).unwrap_err();
        assert_eq!(e.code(), Some(1), "{e}");
    }

    #[test]
    fn missing_version_takes_the_default_and_nulls_are_empty() {
        let r = CniResult::from_json(
            br#"{"ips":null,"dns":null,"routes":[{"dst":"198.18.0.0/15","gw":""}]}"#,
            SpecVersion::V0_4_0,
        )
        .unwrap();
        assert_eq!(r.cni_version, SpecVersion::V0_4_0);
        assert_eq!(r.routes[0].gw, None);
        assert!(
            CniResult::from_json(
                br#"{"cniVersion":"1.0.0","ips":[{"address":"198.18.0.5"}]}"#,
                SpecVersion::V1_0_0
            )
            .is_err()
        );
        assert!(CniResult::from_json(b"[]", SpecVersion::V1_0_0).is_err());
    }

    #[test]
    fn v11_fields_round_trip() {
        let s = r#"{"cniVersion":"1.1.0","interfaces":[{"name":"eth0","mtu":1400,"socketPath":"/s","pciID":"0000:00:01.0"}],"routes":[{"dst":"198.18.0.0/15","mtu":1300,"advmss":1260,"priority":5,"table":100,"scope":0}]}"#;
        let r = CniResult::from_json(s.as_bytes(), SpecVersion::V1_1_0).unwrap();
        assert_eq!(r.routes[0].scope, Some(0));
        let out = String::from_utf8(r.to_json()).unwrap();
        assert_eq!(
            out,
            r#"{"cniVersion":"1.1.0","interfaces":[{"mtu":1400,"name":"eth0","pciID":"0000:00:01.0","socketPath":"/s"}],"routes":[{"advmss":1260,"dst":"198.18.0.0/15","mtu":1300,"priority":5,"scope":0,"table":100}]}"#
        );
        let pretty = String::from_utf8(r.to_json_pretty()).unwrap();
        assert!(
            pretty
                .starts_with("{\n    \"cniVersion\": \"1.1.0\",\n    \"interfaces\": [\n        {"),
            "{pretty}"
        );
        assert!(!pretty.ends_with('\n'));
    }
}
