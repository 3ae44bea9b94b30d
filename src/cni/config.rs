//! Network configuration: lists of plugin configurations ([`NetworkConfigList`]), read from
//! `.conflist`, `.conf` and `.json` files as libcni reads them, and whole configuration
//! directories as ocicni loads them ([`load_dir`], [`find_network`]).
//!
//! Reading follows libcni 1.2/1.3: `cniVersions` picks the highest listed version not newer
//! than the runtime's (1.1.0); `disableCheck`, `disableGC` and `loadOnlyInlinedPlugins` are
//! booleans or the strings `"true"`/`"false"`; a `.conflist` without
//! `loadOnlyInlinedPlugins` also takes the plugin objects of the `*.conf` files in the
//! directory named after the network, after its own. A single `.conf`/`.json` plugin
//! configuration becomes a list of one. Unknown keys are kept and reach the plugin.

use super::error::{Error, Result};
use super::version::{SpecVersion, compare_versions};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The file name extensions ocicni loads from a configuration directory.
pub const CONFIG_EXTENSIONS: [&str; 3] = [".conf", ".conflist", ".json"];

/// Configuration files larger than this are refused (they are a few hundred bytes).
pub const MAX_CONFIG_FILE_SIZE: u64 = 4 << 20;

/// One plugin's configuration: the JSON object as written, with the keys the runtime
/// needs read out.
#[derive(Debug, Clone, PartialEq)]
pub struct PluginConfig {
    /// `type`: the plugin binary's name.
    pub plugin_type: String,
    /// `name`, if the object has one (the list's name is what the plugin gets).
    pub name: String,
    /// `cniVersion`, if the object has one.
    pub cni_version: String,
    /// `capabilities`: the capability arguments the plugin wants in `runtimeConfig`.
    pub capabilities: BTreeMap<String, bool>,
    /// The whole object, unknown keys included.
    pub config: Map<String, Value>,
}

impl PluginConfig {
    /// Reads a plugin object (libcni's `ConfFromBytes`): a JSON object with a non-empty
    /// string `type`.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`].
    pub fn from_bytes(bytes: &[u8]) -> Result<PluginConfig> {
        let v: Value =
            serde_json::from_slice(bytes).map_err(|e| Error::config(None, e.to_string()))?;
        PluginConfig::from_value(v).map_err(|r| Error::config(None, r))
    }

    /// Reads a plugin object from a JSON value.
    pub(crate) fn from_value(v: Value) -> std::result::Result<PluginConfig, String> {
        let Value::Object(config) = v else {
            return Err("a plugin configuration must be a JSON object".into());
        };
        let plugin_type = opt_string(&config, "type")?;
        if plugin_type.is_empty() {
            return Err("missing 'type'".into());
        }
        let mut capabilities = BTreeMap::new();
        match config.get("capabilities") {
            None | Some(Value::Null) => {}
            Some(Value::Object(m)) => {
                for (k, v) in m {
                    let Value::Bool(b) = v else {
                        return Err(format!("capability {k:?} is not a boolean"));
                    };
                    capabilities.insert(k.clone(), *b);
                }
            }
            Some(_) => return Err("'capabilities' is not an object".into()),
        }
        Ok(PluginConfig {
            plugin_type,
            name: opt_string(&config, "name")?,
            cni_version: opt_string(&config, "cniVersion")?,
            capabilities,
            config,
        })
    }

    /// The capabilities the plugin declares with `true`.
    pub fn enabled_capabilities(&self) -> impl Iterator<Item = &str> {
        self.capabilities
            .iter()
            .filter(|(_, on)| **on)
            .map(|(k, _)| k.as_str())
    }
}

/// A string member that may be absent (then empty) but not of another type.
fn opt_string(m: &Map<String, Value>, key: &str) -> std::result::Result<String, String> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(v) => Err(format!("invalid {key} type {}", json_type(v))),
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A network: a named list of plugins run in order (libcni's `NetworkConfigList`).
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkConfigList {
    /// `name`.
    pub name: String,
    /// `cniVersion`: the version every plugin gets (after `cniVersions` selection).
    pub cni_version: String,
    /// `cniVersions` as written (1.1.0).
    pub cni_versions: Vec<String>,
    /// `disableCheck`: CHECK succeeds without running the plugins.
    pub disable_check: bool,
    /// `disableGC`: GC does nothing (1.1.0).
    pub disable_gc: bool,
    /// `loadOnlyInlinedPlugins`: no plugin objects from the network's directory (1.1.0).
    pub load_only_inlined_plugins: bool,
    /// The plugins, in order.
    pub plugins: Vec<PluginConfig>,
    /// The list as loaded: the file's bytes, or the list made from a single plugin file or
    /// from aggregated plugin files. This is what the cache stores as `config`.
    pub bytes: Vec<u8>,
    /// The file it was loaded from.
    pub file: Option<PathBuf>,
}

impl NetworkConfigList {
    /// Reads a `.conflist` (libcni's `NetworkConfFromBytes`). `plugins` may be absent
    /// only when the plugins can come from the network's directory
    /// (`loadOnlyInlinedPlugins` false); it is then empty here.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`], with libcni's reasons (`no name`, `no plugins in list`,
    /// `invalid cniVersions entry`, ...).
    pub fn from_bytes(bytes: &[u8]) -> Result<NetworkConfigList> {
        let raw: Value = serde_json::from_slice(bytes)
            .map_err(|e| Error::config(None, format!("configuration list: {e}")))?;
        list_from_value(raw, bytes.to_vec()).map_err(|r| Error::config(None, r))
    }

    /// Reads a single plugin configuration and makes it a list of one (libcni's
    /// `ConfFromBytes` then `ConfListFromConf`). The list's name and version are the
    /// object's; `bytes` is `{"cniVersion","name","plugins":[OBJECT]}`.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`].
    pub fn from_conf_bytes(bytes: &[u8]) -> Result<NetworkConfigList> {
        let plugin = PluginConfig::from_bytes(bytes)?;
        Ok(NetworkConfigList::from_plugin(plugin))
    }

    /// A list of one plugin (libcni's `ConfListFromConf`).
    pub fn from_plugin(plugin: PluginConfig) -> NetworkConfigList {
        let mut list = NetworkConfigList {
            name: plugin.name.clone(),
            cni_version: plugin.cni_version.clone(),
            cni_versions: Vec::new(),
            disable_check: false,
            disable_gc: false,
            load_only_inlined_plugins: false,
            plugins: vec![plugin],
            bytes: Vec::new(),
            file: None,
        };
        list.bytes = list.single_bytes();
        list
    }

    fn single_bytes(&self) -> Vec<u8> {
        let plugins: Vec<Value> = self
            .plugins
            .iter()
            .map(|p| Value::Object(p.config.clone()))
            .collect();
        let mut m = Map::new();
        m.insert("cniVersion".into(), Value::String(self.cni_version.clone()));
        m.insert("name".into(), Value::String(self.name.clone()));
        m.insert("plugins".into(), Value::Array(plugins));
        serde_json::to_vec(&Value::Object(m)).unwrap_or_default()
    }

    /// Reads a configuration file: `.conflist` as a list (plus the plugin objects of
    /// `DIR/NAME/*.conf` unless `loadOnlyInlinedPlugins`), anything else as a single
    /// plugin configuration whose missing name becomes the file name (as ocicni does).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the file; [`Error::Io`] if it cannot be read.
    pub fn from_file(path: &Path) -> Result<NetworkConfigList> {
        let bytes = read_config_file(path)?;
        let with_file = |e: Error| match e {
            Error::InvalidConfig { reason, .. } => Error::config(Some(path), reason),
            e => e,
        };
        let mut list = if extension(path) == Some(".conflist") {
            let mut list = NetworkConfigList::from_bytes(&bytes).map_err(with_file)?;
            if !list.load_only_inlined_plugins {
                let dir = path.parent().unwrap_or(Path::new("."));
                let extra = plugins_from_dir(dir, &list.name).map_err(with_file)?;
                if !extra.is_empty() {
                    list.plugins.extend(extra);
                    list.bytes = list.aggregated_bytes();
                }
            }
            if list.plugins.is_empty() {
                return Err(Error::config(Some(path), "no plugin configs found"));
            }
            list
        } else {
            let mut list = NetworkConfigList::from_conf_bytes(&bytes).map_err(with_file)?;
            if list.name.is_empty() {
                list.name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                list.bytes = list.single_bytes();
            }
            list
        };
        list.file = Some(path.to_path_buf());
        Ok(list)
    }

    /// Reads the `config` of a cache entry: a list, else a single plugin configuration (as
    /// ocicni's `loadNetworkFromCache`).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`].
    pub fn from_cached(bytes: &[u8]) -> Result<NetworkConfigList> {
        let first = match NetworkConfigList::from_bytes(bytes) {
            Ok(l) if !l.plugins.is_empty() => return Ok(l),
            Ok(_) => Error::config(None, "no plugins in list"),
            Err(e) => e,
        };
        NetworkConfigList::from_conf_bytes(bytes).map_err(|_| first)
    }

    /// The list's bytes with `plugins` replaced by every plugin, inlined or aggregated.
    fn aggregated_bytes(&self) -> Vec<u8> {
        let Ok(Value::Object(mut m)) = serde_json::from_slice::<Value>(&self.bytes) else {
            return self.single_bytes();
        };
        let plugins = self
            .plugins
            .iter()
            .map(|p| Value::Object(p.config.clone()))
            .collect();
        m.insert("plugins".into(), Value::Array(plugins));
        serde_json::to_vec(&Value::Object(m)).unwrap_or_default()
    }

    /// Whether the list's version is at least `v` (libcni's `GreaterThanOrEqualTo`).
    ///
    /// # Errors
    /// [`Error::IncompatibleVersion`] if `cniVersion` is not a version.
    pub fn version_at_least(&self, v: &str) -> Result<bool> {
        super::version::version_at_least(&self.cni_version, v)
    }
}

fn read_bool(m: &Map<String, Value>, key: &str) -> std::result::Result<bool, String> {
    match m.get(key) {
        None => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::String(s)) => match s.to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(format!("invalid value {s:?} for {key}")),
        },
        Some(v) => Err(format!("invalid type {} for {key}", json_type(v))),
    }
}

fn list_from_value(raw: Value, bytes: Vec<u8>) -> std::result::Result<NetworkConfigList, String> {
    let Value::Object(m) = raw else {
        return Err("a configuration list must be a JSON object".into());
    };
    let name = match m.get("name") {
        None => return Err("no name".into()),
        Some(Value::String(s)) => s.clone(),
        Some(v) => return Err(format!("invalid name type {}", json_type(v))),
    };
    let mut cni_version = opt_string(&m, "cniVersion")?;
    let mut cni_versions = Vec::new();
    if let Some(raw_versions) = m.get("cniVersions") {
        let Value::Array(vs) = raw_versions else {
            return Err(format!(
                "invalid type for cniVersions: {}",
                json_type(raw_versions)
            ));
        };
        let current = SpecVersion::CURRENT.as_str();
        let mut usable = Vec::new();
        for (i, v) in vs.iter().enumerate() {
            let Value::String(v) = v else {
                return Err(format!(
                    "invalid type for cniVersions index {i}: {}",
                    json_type(v)
                ));
            };
            cni_versions.push(v.clone());
            let newer = compare_versions(v, current)
                .map_err(|e| format!("invalid cniVersions entry {v} at index {i}: {e}"))?
                .is_gt();
            if !newer {
                usable.push(v.clone());
            }
        }
        if !cni_version.is_empty() {
            let newer = compare_versions(&cni_version, current)
                .map_err(|e| format!("invalid cniVersion {cni_version}: {e}"))?
                .is_gt();
            if !newer {
                usable.push(cni_version.clone());
            }
        }
        // Every entry parsed above, so the comparison cannot fail here.
        if let Some(best) = usable
            .iter()
            .max_by(|a, b| compare_versions(a, b).unwrap_or(std::cmp::Ordering::Equal))
        {
            cni_version = best.clone();
        }
    }
    let disable_check = read_bool(&m, "disableCheck")?;
    let disable_gc = read_bool(&m, "disableGC")?;
    let load_only_inlined_plugins = read_bool(&m, "loadOnlyInlinedPlugins")?;
    let mut plugins = Vec::new();
    match m.get("plugins") {
        None if load_only_inlined_plugins => {
            return Err("`loadOnlyInlinedPlugins` is true, and no 'plugins' key".into());
        }
        None => {}
        Some(Value::Array(list)) => {
            if list.is_empty() {
                return Err("no plugins in list".into());
            }
            for (i, p) in list.iter().enumerate() {
                plugins.push(
                    PluginConfig::from_value(p.clone())
                        .map_err(|e| format!("failed to parse plugin config {i}: {e}"))?,
                );
            }
        }
        Some(v) => return Err(format!("invalid 'plugins' type {}", json_type(v))),
    }
    Ok(NetworkConfigList {
        name,
        cni_version,
        cni_versions,
        disable_check,
        disable_gc,
        load_only_inlined_plugins,
        plugins,
        bytes,
        file: None,
    })
}

/// The plugin objects of `DIR/NAME/*.conf`, in name order (libcni's
/// `NetworkPluginConfsFromFiles`). The network name is checked first, so it can never
/// climb out of `dir`.
fn plugins_from_dir(dir: &Path, name: &str) -> Result<Vec<PluginConfig>> {
    super::client::validate_network_name(name)?;
    let sub = dir.join(name);
    let mut out = Vec::new();
    for file in config_files(&sub, &[".conf"])? {
        let bytes = read_config_file(&file)?;
        out.push(PluginConfig::from_bytes(&bytes).map_err(|e| match e {
            Error::InvalidConfig { reason, .. } => Error::config(Some(&file), reason),
            e => e,
        })?);
    }
    Ok(out)
}

/// What Go's `filepath.Ext` returns: the name from its last `.`.
fn extension(path: &Path) -> Option<&str> {
    let name = path.file_name()?.to_str()?;
    name.rfind('.').map(|i| &name[i..])
}

/// The files of `dir` (not directories) whose extension is one of `extensions`, sorted by
/// name. A missing directory has none.
///
/// # Errors
/// [`Error::Io`] if the directory exists but cannot be read.
pub fn config_files(dir: &Path, extensions: &[&str]) -> Result<Vec<PathBuf>> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(format!("read directory {}", dir.display()), e)),
    };
    let mut files = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        // Symbolic links are followed (configuration managers install them).
        if fs::metadata(&path).map(|m| m.is_dir()).unwrap_or(true) {
            continue;
        }
        if extension(&path).is_some_and(|e| extensions.contains(&e)) {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn read_config_file(path: &Path) -> Result<Vec<u8>> {
    let f = fs::File::open(path)
        .map_err(|e| Error::io(format!("error reading {}", path.display()), e))?;
    let mut bytes = Vec::new();
    f.take(MAX_CONFIG_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(format!("error reading {}", path.display()), e))?;
    if bytes.len() as u64 > MAX_CONFIG_FILE_SIZE {
        return Err(Error::config(
            Some(path),
            format!("larger than {MAX_CONFIG_FILE_SIZE} bytes"),
        ));
    }
    Ok(bytes)
}

/// A configuration file that was skipped, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidConfig {
    /// The file.
    pub file: PathBuf,
    /// Why it was skipped.
    pub reason: String,
}

/// The networks of a configuration directory.
#[derive(Debug, Clone, Default)]
pub struct LoadedConfigs {
    /// The valid networks in file-name order, one per name (the first file wins).
    pub networks: Vec<NetworkConfigList>,
    /// Files that were skipped because they are not valid.
    pub invalid: Vec<InvalidConfig>,
    /// Valid files whose network name an earlier file already had.
    pub duplicates: Vec<PathBuf>,
}

impl LoadedConfigs {
    /// The default network as ocicni picks it: the first valid file's.
    pub fn first(&self) -> Option<&NetworkConfigList> {
        self.networks.first()
    }

    /// The network named `name`.
    pub fn get(&self, name: &str) -> Option<&NetworkConfigList> {
        self.networks.iter().find(|n| n.name == name)
    }
}

/// Loads every `.conf`, `.conflist` and `.json` of `dir`, sorted by file name, as ocicni's
/// `loadNetworks`: invalid files and lists without plugins are skipped (and reported in
/// [`LoadedConfigs::invalid`]), the first file of a name wins. Whether the plugins exist is
/// not checked here (see [`load_dir_checked`]).
///
/// # Errors
/// [`Error::Io`] if `dir` exists but cannot be read; a missing `dir` has no networks.
pub fn load_dir(dir: &Path) -> Result<LoadedConfigs> {
    load_dir_checked(dir, |_| Ok(()))
}

/// [`load_dir`], where a list that `check` refuses is invalid too (ocicni runs libcni's
/// `ValidateNetworkList` there: do the plugins exist and support the version). The check
/// comes before the duplicate test, so the first file of a name that passes wins.
///
/// # Errors
/// As [`load_dir`].
pub fn load_dir_checked(
    dir: &Path,
    mut check: impl FnMut(&NetworkConfigList) -> Result<()>,
) -> Result<LoadedConfigs> {
    let mut out = LoadedConfigs::default();
    let mut seen = HashSet::new();
    for file in config_files(dir, &CONFIG_EXTENSIONS)? {
        let list = NetworkConfigList::from_file(&file).and_then(|l| check(&l).map(|()| l));
        match list {
            // A file removed between the listing and the read is not worth a report.
            Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => out.invalid.push(InvalidConfig {
                file,
                reason: e.to_string(),
            }),
            Ok(list) if seen.contains(&list.name) => out.duplicates.push(file),
            Ok(list) => {
                seen.insert(list.name.clone());
                out.networks.push(list);
            }
        }
    }
    Ok(out)
}

/// Finds the network `name` in `dir` as libcni's `LoadConfList` (what cnitool uses):
/// `.conflist` files first, then `.conf` and `.json`, each sorted by name; unlike libcni,
/// an invalid file on the way is skipped rather than fatal.
///
/// # Errors
/// [`Error::NetworkNotFound`]; [`Error::Io`] if `dir` cannot be read.
pub fn find_network(dir: &Path, name: &str) -> Result<NetworkConfigList> {
    let lists = config_files(dir, &[".conflist"])?;
    let singles = config_files(dir, &[".conf", ".json"])?;
    for file in lists.iter().chain(&singles) {
        if let Ok(list) = NetworkConfigList::from_file(file)
            && list.name == name
        {
            return Ok(list);
        }
    }
    Err(Error::NetworkNotFound {
        name: name.to_string(),
        dir: dir.to_path_buf(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_like_libcni() {
        let l = NetworkConfigList::from_bytes(
            br#"{"name":"n","cniVersion":"1.0.0","disableCheck":"TRUE","plugins":[{"type":"bridge","x":1},{"type":"portmap","capabilities":{"portMappings":true,"bandwidth":false}}]}"#,
        )
        .unwrap();
        assert_eq!(l.name, "n");
        assert!(l.disable_check && !l.disable_gc);
        assert_eq!(
            l.plugins[1].enabled_capabilities().collect::<Vec<_>>(),
            ["portMappings"]
        );
        assert_eq!(l.plugins[0].config["x"], 1);
        for (bad, why) in [
            (
                r#"{"cniVersion":"1.0.0","plugins":[{"type":"a"}]}"#,
                "no name",
            ),
            (
                r#"{"name":1,"plugins":[{"type":"a"}]}"#,
                "invalid name type",
            ),
            (r#"{"name":"n","plugins":[]}"#, "no plugins in list"),
            (r#"{"name":"n","plugins":[{"x":1}]}"#, "missing 'type'"),
            (r#"{"name":"n","plugins":{}}"#, "invalid 'plugins' type"),
            (
                r#"{"name":"n","disableGC":"yes","plugins":[{"type":"a"}]}"#,
                "invalid value",
            ),
            (
                r#"{"name":"n","loadOnlyInlinedPlugins":true}"#,
                "no 'plugins' key",
            ),
            (
                r#"{"name":"n","cniVersions":["x"],"plugins":[{"type":"a"}]}"#,
                "invalid cniVersions entry",
            ),
            ("not json", "configuration list"),
        ] {
            let e = NetworkConfigList::from_bytes(bad.as_bytes()).unwrap_err();
            assert!(e.to_string().contains(why), "{bad}: {e}");
            assert_eq!(e.code(), Some(7));
        }
        // Without loadOnlyInlinedPlugins, "plugins" may come from the directory.
        assert!(
            NetworkConfigList::from_bytes(br#"{"name":"n"}"#)
                .unwrap()
                .plugins
                .is_empty()
        );
    }

    #[test]
    fn cni_versions_pick_the_highest_supported() {
        let l = NetworkConfigList::from_bytes(
            br#"{"name":"n","cniVersion":"0.4.0","cniVersions":["1.0.0","9.0.0","1.1.0"],"plugins":[{"type":"a"}]}"#,
        )
        .unwrap();
        assert_eq!(l.cni_version, "1.1.0");
        assert_eq!(l.cni_versions, ["1.0.0", "9.0.0", "1.1.0"]);
        let l = NetworkConfigList::from_bytes(
            br#"{"name":"n","cniVersions":["9.0.0"],"plugins":[{"type":"a"}]}"#,
        )
        .unwrap();
        assert_eq!(l.cni_version, "");
    }

    #[test]
    fn single_confs_become_lists_of_one() {
        let l = NetworkConfigList::from_conf_bytes(
            br#"{"type":"bridge","name":"b","cniVersion":"0.4.0"}"#,
        )
        .unwrap();
        assert_eq!(
            (l.name.as_str(), l.cni_version.as_str(), l.plugins.len()),
            ("b", "0.4.0", 1)
        );
        assert_eq!(
            String::from_utf8(l.bytes.clone()).unwrap(),
            r#"{"cniVersion":"0.4.0","name":"b","plugins":[{"cniVersion":"0.4.0","name":"b","type":"bridge"}]}"#
        );
        // The cache's config reads back either way.
        assert_eq!(
            NetworkConfigList::from_cached(&l.bytes).unwrap().plugins,
            l.plugins
        );
        assert_eq!(
            NetworkConfigList::from_cached(br#"{"type":"x","name":"y"}"#)
                .unwrap()
                .name,
            "y"
        );
        assert!(NetworkConfigList::from_conf_bytes(br#"{"name":"b"}"#).is_err());
        assert!(PluginConfig::from_bytes(br#"{"type":"a","capabilities":{"x":1}}"#).is_err());
    }

    #[test]
    fn extensions_follow_go() {
        assert_eq!(extension(Path::new("/a/10-x.conflist")), Some(".conflist"));
        assert_eq!(extension(Path::new("/a/.conf")), Some(".conf"));
        assert_eq!(extension(Path::new("/a/x")), None);
    }
}
