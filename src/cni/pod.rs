//! The pod side of ocicni: what a container runtime asks for ([`PodNetwork`],
//! [`NetAttachment`], [`RuntimeConfig`] with [`PortMapping`], [`BandwidthConfig`] and
//! [`IpRange`]), what it gets back ([`NetResult`]), and how ocicni turns a request into
//! plugin arguments: interface names, `CNI_ARGS` and capability arguments.

use super::client::RuntimeConf;
use super::error::{Error, Result};
use super::result::CniResult;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashSet};
use std::net::IpAddr;

/// The interface name of a pod's first network (ocicni's `DefaultInterfaceName`).
pub const DEFAULT_INTERFACE_NAME: &str = "eth0";

/// A port published on the host (the `portMappings` capability).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortMapping {
    /// `hostPort`.
    #[serde(rename = "hostPort")]
    pub host_port: i32,
    /// `containerPort`.
    #[serde(rename = "containerPort")]
    pub container_port: i32,
    /// `protocol`: `tcp`, `udp` or `sctp`.
    pub protocol: String,
    /// `hostIP`: the host address to publish on; empty for all.
    #[serde(rename = "hostIP")]
    pub host_ip: String,
}

/// Traffic shaping of a pod (the `bandwidth` capability), in bits per second and bits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BandwidthConfig {
    /// `ingressRate`.
    #[serde(rename = "ingressRate")]
    pub ingress_rate: u64,
    /// `ingressBurst`.
    #[serde(rename = "ingressBurst")]
    pub ingress_burst: u64,
    /// `egressRate`.
    #[serde(rename = "egressRate")]
    pub egress_rate: u64,
    /// `egressBurst`.
    #[serde(rename = "egressBurst")]
    pub egress_burst: u64,
}

/// An address range to allocate from (the `ipRanges` capability).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpRange {
    /// `subnet`: the whole CIDR.
    pub subnet: String,
    /// `rangeStart`: the first address to hand out.
    #[serde(
        rename = "rangeStart",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub range_start: String,
    /// `rangeEnd`: the last address to hand out.
    #[serde(rename = "rangeEnd", default, skip_serializing_if = "String::is_empty")]
    pub range_end: String,
    /// `gateway`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub gateway: String,
}

/// Pod-specific settings for one network.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuntimeConfig {
    /// A static address, passed as `IP=` in `CNI_ARGS` (host-local honours it); checked
    /// to be an IP address.
    pub ip: String,
    /// A static MAC address, passed as `MAC=` in `CNI_ARGS`; checked to be one.
    pub mac: String,
    /// Published ports (`portMappings`).
    pub port_mappings: Vec<PortMapping>,
    /// Traffic shaping (`bandwidth`).
    pub bandwidth: Option<BandwidthConfig>,
    /// Address ranges (`ipRanges`): a list of range sets.
    pub ip_ranges: Vec<Vec<IpRange>>,
    /// The pod's cgroup (`cgroupPath`).
    pub cgroup_path: String,
    /// The pod's annotations (`io.kubernetes.cri.pod-annotations`).
    pub pod_annotations: Option<BTreeMap<String, String>>,
}

/// One network a pod is (to be) attached to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct NetAttachment {
    /// The network's name.
    pub name: String,
    /// The interface name in the pod; empty to let the runtime pick one.
    pub ifname: String,
}

impl NetAttachment {
    /// Network `name`, interface picked by the runtime.
    pub fn new(name: impl Into<String>) -> NetAttachment {
        NetAttachment {
            name: name.into(),
            ifname: String::new(),
        }
    }

    /// Network `name` on interface `ifname`.
    pub fn with_ifname(name: impl Into<String>, ifname: impl Into<String>) -> NetAttachment {
        NetAttachment {
            name: name.into(),
            ifname: ifname.into(),
        }
    }
}

/// A pod's network request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PodNetwork {
    /// The pod's name.
    pub name: String,
    /// The pod's (Kubernetes) namespace.
    pub namespace: String,
    /// The sandbox container's id: the CNI container id.
    pub id: String,
    /// The pod's UID.
    pub uid: String,
    /// The path of the sandbox's network namespace.
    pub netns: String,
    /// The networks to attach; empty for the default network.
    pub networks: Vec<NetAttachment>,
    /// Settings per network name; optional for every network.
    pub runtime_config: BTreeMap<String, RuntimeConfig>,
    /// Network-scoped names of the pod, per network (the `aliases` capability gets the
    /// whole map).
    pub aliases: BTreeMap<String, Vec<String>>,
}

impl PodNetwork {
    /// `namespace_name`: the key ocicni serialises a pod's operations by.
    pub fn full_name(&self) -> String {
        format!("{}_{}", self.namespace, self.name)
    }
}

/// The outcome of one attachment: the plugins' result, the network and the interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetResult {
    /// The CNI result.
    pub result: CniResult,
    /// The network and interface name.
    pub attachment: NetAttachment,
}

/// Fills in interface names as ocicni's `fillPodNetworks`: explicit names must be unique;
/// the others get `eth0`, `eth1`, ... skipping names already taken. `default` is used when
/// `networks` is empty.
///
/// # Errors
/// [`Error::InvalidInput`] for a duplicate explicit name.
pub fn assign_interface_names(
    networks: &[NetAttachment],
    default: Option<&str>,
) -> Result<Vec<NetAttachment>> {
    let mut out: Vec<NetAttachment> = if networks.is_empty() {
        vec![NetAttachment::new(default.unwrap_or_default())]
    } else {
        networks.to_vec()
    };
    let mut taken = HashSet::new();
    for n in &out {
        if !n.ifname.is_empty() && !taken.insert(n.ifname.clone()) {
            return Err(Error::invalid(
                "interface name",
                format!(
                    "network {:?} requested interface name {:?} already assigned",
                    n.name, n.ifname
                ),
            ));
        }
    }
    let mut next = 0usize;
    for n in out.iter_mut().filter(|n| n.ifname.is_empty()) {
        loop {
            let candidate = format!("eth{next}");
            next += 1;
            if taken.insert(candidate.clone()) {
                n.ifname = candidate;
                break;
            }
        }
    }
    Ok(out)
}

/// Whether `s` is a hardware address as Go's `net.ParseMAC` accepts it: 6, 8 or 20 octets
/// as `xx:xx:...` or `xx-xx-...`, or as dotted groups of four hex digits.
pub fn is_valid_mac(s: &str) -> bool {
    let hex = |g: &str, n: usize| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit());
    let octets_ok = |n: usize| matches!(n, 6 | 8 | 20);
    if s.contains('.') {
        let groups: Vec<&str> = s.split('.').collect();
        return octets_ok(groups.len() * 2) && groups.iter().all(|g| hex(g, 4));
    }
    for sep in [':', '-'] {
        if s.contains(sep) {
            let groups: Vec<&str> = s.split(sep).collect();
            return octets_ok(groups.len()) && groups.iter().all(|g| hex(g, 2));
        }
    }
    false
}

/// Builds the plugin arguments of one attachment as ocicni's `buildCNIRuntimeConf`:
/// `CNI_ARGS` = `IgnoreUnknown=1`, the `K8S_POD_*` keys, `extra_args` (ocicni takes the
/// process's own `CNI_ARGS` there), then `IP=` and `MAC=` from `config`; the capability
/// arguments from `config` and the pod's aliases.
///
/// # Errors
/// [`Error::InvalidInput`] for an `ip` or `mac` that is not one.
pub fn runtime_conf(
    pod: &PodNetwork,
    ifname: &str,
    config: Option<&RuntimeConfig>,
    extra_args: &[(String, String)],
) -> Result<RuntimeConf> {
    let empty = RuntimeConfig::default();
    let config = config.unwrap_or(&empty);
    let mut args: Vec<(String, String)> = [
        ("IgnoreUnknown", "1"),
        ("K8S_POD_NAMESPACE", pod.namespace.as_str()),
        ("K8S_POD_NAME", pod.name.as_str()),
        ("K8S_POD_INFRA_CONTAINER_ID", pod.id.as_str()),
        ("K8S_POD_UID", pod.uid.as_str()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    args.extend_from_slice(extra_args);
    if !config.ip.is_empty() {
        if config.ip.parse::<IpAddr>().is_err() {
            return Err(Error::invalid(
                "IP address",
                format!("unable to parse IP address {:?}", config.ip),
            ));
        }
        args.push(("IP".into(), config.ip.clone()));
    }
    if !config.mac.is_empty() {
        if !is_valid_mac(&config.mac) {
            return Err(Error::invalid(
                "MAC address",
                format!("unable to parse MAC address {:?}", config.mac),
            ));
        }
        args.push(("MAC".into(), config.mac.clone()));
    }
    let mut caps = Map::new();
    if !config.port_mappings.is_empty() {
        caps.insert("portMappings".into(), value(&config.port_mappings));
    }
    if let Some(b) = &config.bandwidth {
        caps.insert("bandwidth".into(), value(b));
    }
    if !config.ip_ranges.is_empty() {
        caps.insert("ipRanges".into(), value(&config.ip_ranges));
    }
    if !pod.aliases.is_empty() {
        caps.insert("aliases".into(), value(&pod.aliases));
    }
    if !config.cgroup_path.is_empty() {
        caps.insert(
            "cgroupPath".into(),
            Value::String(config.cgroup_path.clone()),
        );
    }
    if let Some(a) = &config.pod_annotations {
        caps.insert("io.kubernetes.cri.pod-annotations".into(), value(a));
    }
    Ok(RuntimeConf {
        container_id: pod.id.clone(),
        netns: pod.netns.clone(),
        if_name: ifname.to_string(),
        args,
        capability_args: caps,
    })
}

/// Plain data (strings, numbers, maps with string keys) as a JSON value; that cannot fail.
fn value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[NetAttachment]) -> Vec<&str> {
        v.iter().map(|n| n.ifname.as_str()).collect()
    }

    #[test]
    fn interface_names_as_ocicni_assigns_them() {
        let got = assign_interface_names(&[], Some("def")).unwrap();
        assert_eq!(
            (got[0].name.as_str(), got[0].ifname.as_str()),
            ("def", "eth0")
        );
        let req = [
            NetAttachment::new("a"),
            NetAttachment::with_ifname("b", "eth0"),
            NetAttachment::new("c"),
            NetAttachment::with_ifname("d", "eth2"),
            NetAttachment::new("e"),
        ];
        assert_eq!(
            names(&assign_interface_names(&req, None).unwrap()),
            ["eth1", "eth0", "eth3", "eth2", "eth4"]
        );
        let dup = [
            NetAttachment::with_ifname("a", "x"),
            NetAttachment::with_ifname("b", "x"),
        ];
        let e = assign_interface_names(&dup, None).unwrap_err();
        assert!(e.to_string().contains("already assigned"), "{e}");
    }

    #[test]
    fn macs_as_go_parses_them() {
        for ok in [
            "02:00:00:00:00:01",
            "02-00-00-00-00-01",
            "0200.0000.0001",
            "02:00:5e:10:00:00:00:01",
        ] {
            assert!(is_valid_mac(ok), "{ok}");
        }
        for bad in [
            "",
            "02:00:00:00:00",
            "02:00:00:00:00:0g",
            "0200.0000",
            "2:0:0:0:0:1",
            "02:00-00:00:00:01",
        ] {
            assert!(!is_valid_mac(bad), "{bad}");
        }
    }

    #[test]
    fn runtime_conf_as_ocicni_builds_it() {
        let pod = PodNetwork {
            name: "p".into(),
            namespace: "ns".into(),
            id: "id1".into(),
            uid: "u".into(),
            netns: "/run/netns/x".into(),
            aliases: [("net".to_string(), vec!["a1".to_string()])].into(),
            ..Default::default()
        };
        let cfg = RuntimeConfig {
            ip: "198.18.0.9".into(),
            mac: "02:00:00:00:00:09".into(),
            port_mappings: vec![PortMapping {
                host_port: 8080,
                container_port: 80,
                protocol: "tcp".into(),
                host_ip: String::new(),
            }],
            bandwidth: Some(BandwidthConfig {
                ingress_rate: 1000,
                ..Default::default()
            }),
            ip_ranges: vec![vec![IpRange {
                subnet: "198.18.0.0/24".into(),
                ..Default::default()
            }]],
            cgroup_path: "/kubepods/p".into(),
            pod_annotations: Some([("k".to_string(), "v".to_string())].into()),
        };
        let rt = runtime_conf(&pod, "eth0", Some(&cfg), &[("X".into(), "y".into())]).unwrap();
        let args: Vec<String> = rt.args.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(
            args,
            [
                "IgnoreUnknown=1",
                "K8S_POD_NAMESPACE=ns",
                "K8S_POD_NAME=p",
                "K8S_POD_INFRA_CONTAINER_ID=id1",
                "K8S_POD_UID=u",
                "X=y",
                "IP=198.18.0.9",
                "MAC=02:00:00:00:00:09"
            ]
        );
        let caps = serde_json::to_string(&rt.capability_args).unwrap();
        assert_eq!(
            caps,
            r#"{"aliases":{"net":["a1"]},"bandwidth":{"egressBurst":0,"egressRate":0,"ingressBurst":0,"ingressRate":1000},"cgroupPath":"/kubepods/p","io.kubernetes.cri.pod-annotations":{"k":"v"},"ipRanges":[[{"subnet":"198.18.0.0/24"}]],"portMappings":[{"containerPort":80,"hostIP":"","hostPort":8080,"protocol":"tcp"}]}"#
        );
        assert_eq!(rt.container_id, "id1");
        let bad_ip = RuntimeConfig {
            ip: "198.18.0.300".into(),
            ..Default::default()
        };
        assert!(runtime_conf(&pod, "eth0", Some(&bad_ip), &[]).is_err());
        let bad_mac = RuntimeConfig {
            mac: "nope".into(),
            ..Default::default()
        };
        assert!(runtime_conf(&pod, "eth0", Some(&bad_mac), &[]).is_err());
        assert!(
            runtime_conf(&pod, "eth0", None, &[])
                .unwrap()
                .capability_args
                .contains_key("aliases")
        );
    }
}
