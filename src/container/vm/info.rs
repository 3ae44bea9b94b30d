//! [`PodInterfaceInfo`] and [`PodRoute`]: what a VM needs to know of one pod interface.

use crate::IpNet;
use crate::mac::MacAddr;
use std::fmt;
use std::net::IpAddr;

/// One route of a pod interface: a destination and, unless the destination is on the link,
/// a gateway. A default route is `0.0.0.0/0` with its gateway.
///
/// With feature `serde` its JSON is `{"dst": "198.18.0.0/16", "gw": "198.18.0.1"}` (`gw`
/// left out when there is none), the shape of a CNI result's route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PodRoute {
    /// The destination prefix.
    #[cfg_attr(feature = "serde", serde(with = "display_fromstr"))]
    pub dst: IpNet,
    /// The next hop, if the destination is not on the link.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub gw: Option<IpAddr>,
}

impl fmt::Display for PodRoute {
    /// `DST` or `DST via GW`, as `ip route` writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.gw {
            Some(gw) => write!(f, "{} via {gw}", self.dst),
            None => write!(f, "{}", self.dst),
        }
    }
}

/// The network configuration of one pod interface, as the VM must take it over: netplumb's
/// own type for what the seed kept in a CNI result (the CNI runtime converts a CNI result
/// into it: `netplumb::cni::CniResult::pod_interface_info`, feature `cni`).
///
/// ```
/// use netplumb::container::vm::{PodInterfaceInfo, PodRoute};
/// # fn main() -> netplumb::Result<()> {
/// let info = PodInterfaceInfo {
///     link: "eth0".into(),
///     address: "198.18.0.2/24".parse()?,
///     gateway: Some("198.18.0.1".parse().unwrap()),
///     routes: vec![PodRoute { dst: "0.0.0.0/0".parse()?, gw: Some("198.18.0.1".parse().unwrap()) }],
///     mtu: None,
///     mac: None,
/// };
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PodInterfaceInfo {
    /// The pod's link that carries this configuration (the CNI plugin's veth, `eth0`).
    pub link: String,
    /// The interface's IPv4 address with its prefix length.
    #[cfg_attr(feature = "serde", serde(with = "display_fromstr"))]
    pub address: IpNet,
    /// The default gateway, if there is one.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub gateway: Option<IpAddr>,
    /// The routes through this interface (the default route included, with its gateway).
    #[cfg_attr(feature = "serde", serde(default))]
    pub routes: Vec<PodRoute>,
    /// The MTU; `None` takes the link's.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub mtu: Option<u32>,
    /// The MAC address the VM's interface gets; `None` takes the link's (the address the
    /// pod's network knows).
    #[cfg_attr(
        feature = "serde",
        serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "opt_display_fromstr"
        )
    )]
    pub mac: Option<MacAddr>,
}

/// `Display`/`FromStr` as a JSON string.
#[cfg(feature = "serde")]
mod display_fromstr {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};
    use std::fmt::Display;
    use std::str::FromStr;

    pub(super) fn serialize<T: Display, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    pub(super) fn deserialize<'de, T, D>(d: D) -> Result<T, D::Error>
    where
        T: FromStr,
        T::Err: Display,
        D: Deserializer<'de>,
    {
        String::deserialize(d)?.parse().map_err(D::Error::custom)
    }
}

/// An optional `Display`/`FromStr` value as a JSON string.
#[cfg(feature = "serde")]
mod opt_display_fromstr {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};
    use std::fmt::Display;
    use std::str::FromStr;

    pub(super) fn serialize<T: Display, S: Serializer>(
        v: &Option<T>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.collect_str(v),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, T, D>(d: D) -> Result<Option<T>, D::Error>
    where
        T: FromStr,
        T::Err: Display,
        D: Deserializer<'de>,
    {
        Option::<String>::deserialize(d)?
            .map(|s| s.parse().map_err(D::Error::custom))
            .transpose()
    }
}
