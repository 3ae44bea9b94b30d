//! The attachment cache, in libcni's format, so that libcni-based tools (cnitool, CRI-O,
//! containerd, podman) read what netplumb writes and the other way round.
//!
//! After a successful ADD of a list, `<cacheDir>/results/<network>-<containerID>-<ifname>`
//! holds a [`CacheEntry`] (`{"kind":"cniCacheV1", "containerId", "config" (base64 of the
//! list as loaded), "ifName", "networkName", "netns", "cniArgs", "capabilityArgs",
//! "result"}`); DEL gives its result to the plugins as `prevResult` and removes it.
//!
//! Where netplumb differs from libcni:
//! - The directories are made 0700 and the file 0600, as libcni, but the file is written
//!   **atomically**: a temporary file in the same directory, `fsync`, `rename`, and an
//!   `fsync` of the directory. A crash leaves the old entry or the new one, never an empty
//!   file (an empty cache file makes libcni's DEL fail, containernetworking/cni#1055).
//! - Temporary files start with `.`, and every reader skips entries that do not parse, so
//!   a half-written temporary file is never taken for an attachment.

use super::error::{Error, Result};
use super::result::CniResult;
use super::version::SpecVersion;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// libcni's cache directory.
pub const DEFAULT_CACHE_DIR: &str = "/var/lib/cni";

/// The `kind` of libcni's cache entries.
pub const CACHE_KIND_V1: &str = "cniCacheV1";

/// One cached attachment (libcni's `cachedInfo`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CacheEntry {
    /// `kind`: [`CACHE_KIND_V1`].
    pub kind: String,
    /// `containerId`.
    #[serde(rename = "containerId", default)]
    pub container_id: String,
    /// `config`: the network list as it was loaded for the ADD (base64 in the file).
    #[serde(with = "base64_bytes", default)]
    pub config: Vec<u8>,
    /// `ifName`.
    #[serde(rename = "ifName", default)]
    pub if_name: String,
    /// `networkName`.
    #[serde(rename = "networkName", default)]
    pub network_name: String,
    /// `netns` (libcni 1.2 and later).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub netns: String,
    /// `cniArgs`: the `CNI_ARGS` pairs of the ADD.
    #[serde(rename = "cniArgs", default, skip_serializing_if = "Vec::is_empty")]
    pub cni_args: Vec<(String, String)>,
    /// `capabilityArgs`: every capability argument of the ADD (not only the plugins').
    #[serde(
        rename = "capabilityArgs",
        default,
        skip_serializing_if = "Map::is_empty"
    )]
    pub capability_args: Map<String, Value>,
    /// `result`: the list's result, in its version's JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
}

impl CacheEntry {
    /// The cached result, parsed (a result without `cniVersion` is 0.1.0).
    ///
    /// # Errors
    /// As [`CniResult::from_value`].
    pub fn parsed_result(&self) -> Result<Option<CniResult>> {
        self.result
            .as_ref()
            .map(|v| CniResult::from_value(v, SpecVersion::V0_1_0))
            .transpose()
    }
}

/// Go's `[]byte` in JSON: standard base64 with padding; `null` is empty.
mod base64_bytes {
    use super::*;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(b: &[u8], s: S) -> std::result::Result<S::Ok, S::Error> {
        if b.is_empty() {
            // Go marshals a nil slice as null; an empty one as "". Both read back empty.
            return s.serialize_none();
        }
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(b))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Vec<u8>, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        match s {
            None => Ok(Vec::new()),
            Some(s) => base64::engine::general_purpose::STANDARD
                .decode(s.as_bytes())
                .map_err(serde::de::Error::custom),
        }
    }
}

/// A libcni cache directory (`/var/lib/cni` by default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cache {
    dir: PathBuf,
}

impl Default for Cache {
    fn default() -> Self {
        Cache::new(DEFAULT_CACHE_DIR)
    }
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl Cache {
    /// The cache under `dir` (entries go to `dir/results`).
    pub fn new(dir: impl Into<PathBuf>) -> Cache {
        Cache { dir: dir.into() }
    }

    /// The cache directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `dir/results`.
    pub fn results_dir(&self) -> PathBuf {
        self.dir.join("results")
    }

    /// `dir/results/<network>-<containerID>-<ifname>`. The three parts must have passed
    /// CNI's validation (the client checks them before any cache access), so none has a
    /// `/`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] if a part is empty or has a `/` or NUL.
    pub fn path(&self, network: &str, container_id: &str, ifname: &str) -> Result<PathBuf> {
        for (what, part) in [
            ("network name", network),
            ("container id", container_id),
            ("interface name", ifname),
        ] {
            if part.is_empty() || part.contains('/') || part.contains('\0') {
                return Err(Error::invalid(
                    what,
                    format!(
                        "cache file path requires network name ({network:?}), container ID ({container_id:?}), and interface name ({ifname:?})"
                    ),
                ));
            }
        }
        Ok(self
            .results_dir()
            .join(format!("{network}-{container_id}-{ifname}")))
    }

    /// Writes `entry` atomically to its path (temporary file, `fsync`, `rename`, `fsync`
    /// of the directory); directories 0700, file 0600.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] (see [`Cache::path`]); [`Error::Io`].
    pub fn write(&self, entry: &CacheEntry) -> Result<PathBuf> {
        let path = self.path(&entry.network_name, &entry.container_id, &entry.if_name)?;
        let dir = self.results_dir();
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .map_err(|e| Error::io(format!("mkdir {}", dir.display()), e))?;
        let bytes = serde_json::to_vec(entry).map_err(|e| Error::Cache {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        let tmp = dir.join(format!(
            ".{}.tmp-{}-{}",
            path.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default(),
            std::process::id(),
            TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let written = (|| -> std::io::Result<()> {
            let mut f = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .custom_flags(libc::O_NOFOLLOW)
                .open(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            fs::rename(&tmp, &path)?;
            fs::File::open(&dir)?.sync_all()
        })();
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp);
            return Err(Error::io(format!("write {}", path.display()), e));
        }
        Ok(path)
    }

    /// Reads the entry of an attachment; `None` if there is none.
    ///
    /// # Errors
    /// [`Error::Cache`] for a file that is not a cache entry (empty, damaged, another
    /// kind); [`Error::Io`] for a read error other than "not found".
    pub fn read(
        &self,
        network: &str,
        container_id: &str,
        ifname: &str,
    ) -> Result<Option<CacheEntry>> {
        let path = self.path(network, container_id, ifname)?;
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(format!("read {}", path.display()), e)),
        };
        let entry: CacheEntry = serde_json::from_slice(&bytes).map_err(|e| Error::Cache {
            path: path.clone(),
            reason: format!("failed to unmarshal cached network {network:?} config: {e}"),
        })?;
        if entry.kind != CACHE_KIND_V1 {
            return Err(Error::Cache {
                path,
                reason: format!(
                    "read cached network {network:?} config has wrong kind: {}",
                    entry.kind
                ),
            });
        }
        Ok(Some(entry))
    }

    /// The cached result of an attachment, as libcni's `getCachedResult`: the entry's
    /// `result`, or for a file of libcni's pre-`cniCacheV1` format the whole file as a
    /// result; `None` if there is no file.
    ///
    /// # Errors
    /// [`Error::Cache`] for a file that is neither.
    pub fn read_result(
        &self,
        network: &str,
        container_id: &str,
        ifname: &str,
    ) -> Result<Option<CniResult>> {
        let path = self.path(network, container_id, ifname)?;
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(format!("read {}", path.display()), e)),
        };
        let cache_err = |reason: String| Error::Cache {
            path: path.clone(),
            reason,
        };
        match serde_json::from_slice::<CacheEntry>(&bytes) {
            Ok(entry) if entry.kind == CACHE_KIND_V1 => {
                entry.parsed_result().map_err(|e| cache_err(e.to_string()))
            }
            _ => CniResult::from_json(&bytes, SpecVersion::V0_1_0)
                .map(Some)
                .map_err(|e| cache_err(e.to_string())),
        }
    }

    /// Removes the entry of an attachment; no entry is not an error.
    ///
    /// # Errors
    /// [`Error::Io`] other than "not found".
    pub fn remove(&self, network: &str, container_id: &str, ifname: &str) -> Result<()> {
        let path = self.path(network, container_id, ifname)?;
        match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io(format!("remove {}", path.display()), e)),
        }
    }

    /// Every valid entry (of `container_id`, or of all containers), sorted by file name,
    /// as libcni's `GetCachedAttachments`: files that do not parse, of another kind, of
    /// another container, or without an interface or network name are skipped.
    ///
    /// # Errors
    /// [`Error::Io`] if the directory exists but cannot be read.
    pub fn entries(&self, container_id: Option<&str>) -> Result<Vec<CacheEntry>> {
        let dir = self.results_dir();
        let listing = match fs::read_dir(&dir) {
            Ok(l) => l,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io(format!("read directory {}", dir.display()), e)),
        };
        let mut names: Vec<String> = listing
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| !n.starts_with('.'))
            .collect();
        names.sort();
        let mut out = Vec::new();
        for name in names {
            if let Some(id) = container_id {
                let part = format!("-{id}-");
                match name.find(&part) {
                    Some(pos) if pos > 0 && pos + part.len() < name.len() => {}
                    _ => continue,
                }
            }
            let Ok(bytes) = fs::read(dir.join(&name)) else {
                continue;
            };
            let Ok(entry) = serde_json::from_slice::<CacheEntry>(&bytes) else {
                continue;
            };
            if entry.kind != CACHE_KIND_V1
                || container_id.is_some_and(|id| entry.container_id != id)
                || entry.if_name.is_empty()
                || entry.network_name.is_empty()
            {
                continue;
            }
            out.push(entry);
        }
        Ok(out)
    }

    /// The entries of other networks or interfaces with this container id and interface
    /// name: an attachment that a new ADD on the same interface would collide with.
    pub(crate) fn attachment_of(&self, container_id: &str, ifname: &str) -> Option<CacheEntry> {
        let suffix = format!("-{container_id}-{ifname}");
        let dir = self.results_dir();
        let listing = fs::read_dir(&dir).ok()?;
        listing
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| !n.starts_with('.') && n.ends_with(&suffix))
            .filter_map(|n| fs::read(dir.join(n)).ok())
            .filter_map(|b| serde_json::from_slice::<CacheEntry>(&b).ok())
            .find(|e| {
                e.kind == CACHE_KIND_V1 && e.container_id == container_id && e.if_name == ifname
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("np-cache-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        d
    }

    fn entry() -> CacheEntry {
        CacheEntry {
            kind: CACHE_KIND_V1.into(),
            container_id: "c1".into(),
            config: br#"{"name":"n"}"#.to_vec(),
            if_name: "eth0".into(),
            network_name: "n".into(),
            netns: "/run/netns/x".into(),
            cni_args: vec![("IgnoreUnknown".into(), "1".into())],
            capability_args: Map::new(),
            result: Some(
                serde_json::json!({"cniVersion":"1.0.0","ips":[{"address":"198.18.0.2/24"}]}),
            ),
        }
    }

    #[test]
    fn writes_atomically_with_narrow_modes_and_reads_back() {
        use std::os::unix::fs::PermissionsExt;
        let d = tmp("rw");
        let c = Cache::new(&d);
        let p = c.write(&entry()).unwrap();
        assert_eq!(p, d.join("results/n-c1-eth0"));
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            fs::metadata(d.join("results"))
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o700
        );
        let text = fs::read_to_string(&p).unwrap();
        assert!(text.starts_with(r#"{"kind":"cniCacheV1","containerId":"c1","config":"eyJuYW1lIjoibiJ9","ifName":"eth0","networkName":"n","netns":"/run/netns/x","cniArgs":[["IgnoreUnknown","1"]],"result":"#), "{text}");
        assert_eq!(c.read("n", "c1", "eth0").unwrap().unwrap(), entry());
        let r = c.read_result("n", "c1", "eth0").unwrap().unwrap();
        assert_eq!(r.ips[0].address.to_string(), "198.18.0.2/24");
        assert_eq!(c.entries(Some("c1")).unwrap().len(), 1);
        assert_eq!(c.entries(Some("c")).unwrap().len(), 0);
        assert!(c.attachment_of("c1", "eth0").is_some());
        assert!(c.attachment_of("c1", "eth1").is_none());
        // No temporary file is left.
        assert_eq!(fs::read_dir(d.join("results")).unwrap().count(), 1);
        c.remove("n", "c1", "eth0").unwrap();
        c.remove("n", "c1", "eth0").unwrap();
        assert!(c.read("n", "c1", "eth0").unwrap().is_none());
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn damaged_and_legacy_files() {
        let d = tmp("bad");
        let c = Cache::new(&d);
        fs::create_dir_all(c.results_dir()).unwrap();
        fs::write(c.results_dir().join("n-c1-eth0"), b"").unwrap();
        assert!(matches!(
            c.read("n", "c1", "eth0"),
            Err(Error::Cache { .. })
        ));
        assert!(c.read_result("n", "c1", "eth0").is_err());
        assert!(c.entries(None).unwrap().is_empty());
        // libcni's old format: the result alone.
        fs::write(
            c.results_dir().join("n-c1-eth0"),
            br#"{"cniVersion":"0.3.1","ips":[{"version":"4","address":"198.18.0.3/24"}]}"#,
        )
        .unwrap();
        let r = c.read_result("n", "c1", "eth0").unwrap().unwrap();
        assert_eq!(r.cni_version, SpecVersion::V0_3_1);
        assert!(c.path("a/b", "c", "d").is_err());
        assert!(c.path("a", "", "d").is_err());
        let _ = fs::remove_dir_all(&d);
    }
}
