//! CNI spec versions: the versions results come in ([`SpecVersion`]), libcni's version
//! comparisons (any `MAJOR[.MINOR[.MICRO]]` string), and a plugin's answer to VERSION
//! ([`PluginInfo`]).

use super::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// A version of the CNI spec that defines a result format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SpecVersion {
    /// 0.1.0: `ip4`/`ip6` results.
    V0_1_0,
    /// 0.2.0: as 0.1.0, with VERSION.
    V0_2_0,
    /// 0.3.0: `interfaces`, `ips` (with `version`), `routes`.
    V0_3_0,
    /// 0.3.1.
    V0_3_1,
    /// 0.4.0: CHECK, and DEL gets the cached result.
    V0_4_0,
    /// 1.0.0: `ips[].version` dropped.
    V1_0_0,
    /// 1.1.0: STATUS, GC; interface `mtu`, `socketPath`, `pciID`; route `mtu`, `advmss`,
    /// `priority`, `table`, `scope`.
    V1_1_0,
}

/// How a version's results are shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// 0.1.0, 0.2.0: `ip4`, `ip6`.
    Legacy,
    /// 0.3.0 to 0.4.0: `ips[].version`.
    V04,
    /// 1.0.0, 1.1.0.
    V1,
}

impl SpecVersion {
    /// Every version, oldest first.
    pub const ALL: [SpecVersion; 7] = [
        SpecVersion::V0_1_0,
        SpecVersion::V0_2_0,
        SpecVersion::V0_3_0,
        SpecVersion::V0_3_1,
        SpecVersion::V0_4_0,
        SpecVersion::V1_0_0,
        SpecVersion::V1_1_0,
    ];

    /// The newest version netplumb implements (what libcni's `version.Current()` says).
    pub const CURRENT: SpecVersion = SpecVersion::V1_1_0;

    /// `"0.1.0"`, ..., `"1.1.0"`.
    pub fn as_str(self) -> &'static str {
        match self {
            SpecVersion::V0_1_0 => "0.1.0",
            SpecVersion::V0_2_0 => "0.2.0",
            SpecVersion::V0_3_0 => "0.3.0",
            SpecVersion::V0_3_1 => "0.3.1",
            SpecVersion::V0_4_0 => "0.4.0",
            SpecVersion::V1_0_0 => "1.0.0",
            SpecVersion::V1_1_0 => "1.1.0",
        }
    }

    /// The version named exactly `s`; `""` is 0.1.0, as the spec says of a result without
    /// `cniVersion`.
    pub fn parse(s: &str) -> Option<SpecVersion> {
        if s.is_empty() {
            return Some(SpecVersion::V0_1_0);
        }
        SpecVersion::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub(crate) fn shape(self) -> Shape {
        match self {
            SpecVersion::V0_1_0 | SpecVersion::V0_2_0 => Shape::Legacy,
            SpecVersion::V0_3_0 | SpecVersion::V0_3_1 | SpecVersion::V0_4_0 => Shape::V04,
            SpecVersion::V1_0_0 | SpecVersion::V1_1_0 => Shape::V1,
        }
    }
}

impl fmt::Display for SpecVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SpecVersion {
    type Err = Error;
    fn from_str(s: &str) -> Result<SpecVersion> {
        SpecVersion::parse(s)
            .ok_or_else(|| Error::incompatible(format!("unsupported CNI result version {s:?}")))
    }
}

/// `MAJOR[.MINOR[.MICRO]]` as libcni's `version.ParseVersion` reads it (an empty string is
/// 0.1.0; more than three parts, or a part that is not a number, is an error).
pub fn parse_version(v: &str) -> Result<(u64, u64, u64)> {
    if v.is_empty() {
        return Ok((0, 1, 0));
    }
    let parts: Vec<&str> = v.split('.').collect();
    if parts.len() > 3 {
        return Err(Error::incompatible(format!(
            "invalid version {v:?}: too many parts"
        )));
    }
    let num = |i: usize| -> Result<u64> {
        match parts.get(i) {
            None => Ok(0),
            Some(p) => p
                .parse()
                .map_err(|_| Error::incompatible(format!("invalid version {v:?}: part {p:?}"))),
        }
    };
    Ok((num(0)?, num(1)?, num(2)?))
}

/// Compares two version strings (see [`parse_version`]).
pub fn compare_versions(a: &str, b: &str) -> Result<Ordering> {
    Ok(parse_version(a)?.cmp(&parse_version(b)?))
}

/// `a >= b`, libcni's `GreaterThanOrEqualTo`.
pub fn version_at_least(a: &str, b: &str) -> Result<bool> {
    Ok(compare_versions(a, b)? != Ordering::Less)
}

/// A plugin's answer to `VERSION`: `{"cniVersion", "supportedVersions"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginInfo {
    /// The version of the answer itself.
    #[serde(rename = "cniVersion", default)]
    pub cni_version: String,
    /// The spec versions the plugin accepts.
    #[serde(rename = "supportedVersions", default)]
    pub supported_versions: Vec<String>,
}

impl PluginInfo {
    /// Reads a VERSION answer as libcni's `PluginDecoder` does: `cniVersion` is required;
    /// a 0.2.0 answer without `supportedVersions` means 0.1.0 and 0.2.0.
    pub fn parse(bytes: &[u8]) -> std::result::Result<PluginInfo, String> {
        let mut info: PluginInfo =
            serde_json::from_slice(bytes).map_err(|e| format!("decoding version info: {e}"))?;
        if info.cni_version.is_empty() {
            return Err("decoding version info: missing field cniVersion".into());
        }
        if info.supported_versions.is_empty() {
            if info.cni_version == "0.2.0" {
                info.supported_versions = vec!["0.1.0".into(), "0.2.0".into()];
            } else {
                return Err("decoding version info: missing field supportedVersions".into());
            }
        }
        Ok(info)
    }

    /// What libcni assumes of a plugin that does not know VERSION.
    pub fn legacy() -> PluginInfo {
        PluginInfo {
            cni_version: SpecVersion::CURRENT.as_str().into(),
            supported_versions: vec!["0.1.0".into()],
        }
    }

    /// Whether `version` is in `supportedVersions`.
    pub fn supports(&self, version: &str) -> bool {
        self.supported_versions.iter().any(|v| v == version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_as_libcni_does() {
        assert!(version_at_least("0.4.0", "0.4.0").unwrap());
        assert!(version_at_least("1.0.0", "0.4.0").unwrap());
        assert!(!version_at_least("0.3.1", "0.4.0").unwrap());
        assert!(version_at_least("1", "0.4.0").unwrap());
        assert!(!version_at_least("", "0.4.0").unwrap()); // "" is 0.1.0
        assert!(version_at_least("1.1", "1.1.0").unwrap());
        assert!(parse_version("1.0.0.0").is_err());
        assert!(parse_version("x.1").is_err());
        assert_eq!(SpecVersion::parse(""), Some(SpecVersion::V0_1_0));
        assert_eq!(
            "1.1.0".parse::<SpecVersion>().unwrap(),
            SpecVersion::CURRENT
        );
        assert!("2.0.0".parse::<SpecVersion>().is_err());
        assert!(SpecVersion::V0_4_0 < SpecVersion::V1_0_0);
    }

    #[test]
    fn version_answers_decode_like_libcni() {
        let i =
            PluginInfo::parse(br#"{"cniVersion":"1.0.0","supportedVersions":["0.4.0","1.0.0"]}"#)
                .unwrap();
        assert!(i.supports("1.0.0") && !i.supports("1.1.0"));
        let old = PluginInfo::parse(br#"{"cniVersion":"0.2.0"}"#).unwrap();
        assert_eq!(old.supported_versions, ["0.1.0", "0.2.0"]);
        assert!(PluginInfo::parse(br#"{"cniVersion":"1.0.0"}"#).is_err());
        assert!(PluginInfo::parse(br#"{"supportedVersions":["1.0.0"]}"#).is_err());
        assert!(PluginInfo::parse(b"garbage").is_err());
    }
}
