//! [`Cni`]: libcni's `CNIConfig`, the verbs over a network list (ADD, CHECK, DEL, GC,
//! STATUS, VERSION) with plugin chaining and the cache.
//!
//! - **ADD** runs the plugins in order; each one's result is the next one's `prevResult`
//!   (converted to the list's version). The last result is cached and returned. When a
//!   plugin fails, netplumb runs DEL for the plugins that ran (the failed one included, in
//!   reverse order, with the last good result as `prevResult`), as the spec asks of
//!   runtimes, so a failed ADD leaves nothing behind; the cleanup has its own time budget
//!   ([`Cni::cleanup_timeout`]) because the caller's deadline may be what failed the ADD.
//!   Each plugin that may have changed something records its DEL in the crate's undo log
//!   ([`crate::undo::Undo`]) as soon as it has run, and a failure rolls the log back; a
//!   [`FaultPlan`] given with [`Cni::with_fault_plan`] fails the ADD after any plugin (and
//!   any DEL of the rollback), for tests.
//! - **DEL** runs the plugins in reverse with the cached result (lists of 0.4.0 and later);
//!   a damaged cache entry is ignored rather than blocking the DEL; the entry is removed
//!   after the DEL succeeded.
//! - **CHECK** runs the plugins in order with the cached result; lists older than 0.4.0
//!   are refused, `disableCheck` makes it succeed without running anything.
//! - **GC** (1.1.0) first DELs every cached attachment of the network that is not in the
//!   valid set, then (lists of 1.1.0 and later) runs GC on every plugin with
//!   `cni.dev/valid-attachments`; errors are collected. **STATUS** (1.1.0) stops at the first
//!   failing plugin. Neither runs for older lists; `disableGC` turns GC off.
//!
//! Before an ADD, the container id, network name and interface name are checked against
//! CNI's rules (libcni's `utils.Validate*`), and an ADD whose container id and interface
//! name already have a cached attachment (of any network) is refused with
//! [`Error::AlreadyAttached`]: the plugin would fail ("interface exists"), and the DEL that
//! follows a failed ADD would then destroy the existing attachment.

use super::cache::{CACHE_KIND_V1, Cache, CacheEntry};
use super::config::{NetworkConfigList, PluginConfig};
use super::error::{Error, Result, Verb};
use super::exec::{ExecOptions, Invocation, excerpt, exec_plugin, find_plugin};
use super::result::CniResult;
use super::version::{PluginInfo, SpecVersion};
use crate::undo::{FaultPlan, Undo};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

/// The plugins' view of one attachment (libcni's `RuntimeConf`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuntimeConf {
    /// `CNI_CONTAINERID`.
    pub container_id: String,
    /// `CNI_NETNS`: the path of the container's network namespace.
    pub netns: String,
    /// `CNI_IFNAME`.
    pub if_name: String,
    /// `CNI_ARGS` pairs.
    pub args: Vec<(String, String)>,
    /// Capability arguments; each plugin gets, as `runtimeConfig`, those it declares in
    /// `capabilities`.
    pub capability_args: Map<String, Value>,
}

/// An attachment that GC must keep (`cni.dev/valid-attachments` entries).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GcAttachment {
    /// `containerID`.
    #[serde(rename = "containerID")]
    pub container_id: String,
    /// `ifname`.
    #[serde(rename = "ifname")]
    pub if_name: String,
}

/// The default time budget of the DELs that undo a failed ADD.
pub const DEFAULT_CLEANUP_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs CNI verbs over network lists: bin directories to find plugins in, a cache, and
/// limits for the plugin processes.
#[derive(Debug, Clone)]
pub struct Cni {
    bin_dirs: Vec<PathBuf>,
    path: String,
    cache: Cache,
    exec: ExecOptions,
    cleanup_timeout: Duration,
    faults: Option<FaultPlan>,
}

/// CNI's rule for container ids and network names: `[a-zA-Z0-9][a-zA-Z0-9_.-]*`.
fn cni_name_ok(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// Checks a container id as libcni's `ValidateContainerID`.
///
/// # Errors
/// [`Error::InvalidInput`] ("missing containerID", "invalid characters in containerID").
pub fn validate_container_id(id: &str) -> Result<()> {
    if id.is_empty() {
        return Err(Error::invalid("container id", "missing containerID"));
    }
    if !cni_name_ok(id) {
        return Err(Error::invalid(
            "container id",
            format!("invalid characters in containerID: {id:?}"),
        ));
    }
    Ok(())
}

/// Checks a network name as libcni's `ValidateNetworkName`.
///
/// # Errors
/// [`Error::InvalidInput`].
pub fn validate_network_name(name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(Error::invalid("network name", "missing network name"));
    }
    if !cni_name_ok(name) {
        return Err(Error::invalid(
            "network name",
            format!("invalid characters found in network name: {name:?}"),
        ));
    }
    Ok(())
}

/// Checks an interface name as libcni's `ValidateInterfaceName` (the kernel's rules: 1 to
/// 15 bytes, not `.` or `..`, no `/`, `:` or white space).
///
/// # Errors
/// [`Error::InvalidInput`].
pub fn validate_interface_name(name: &str) -> Result<()> {
    let bad = if name.is_empty() {
        "interface name is empty"
    } else if name.len() > 15 {
        "interface name is too long (at most 15 bytes)"
    } else if name == "." || name == ".." {
        "interface name is . or .."
    } else if name
        .chars()
        .any(|c| c == '/' || c == ':' || c.is_whitespace() || c == '\0')
    {
        "interface name contains / or : or whitespace characters"
    } else {
        return Ok(());
    };
    Err(Error::invalid("interface name", format!("{bad}: {name:?}")))
}

impl Cni {
    /// Plugins from `bin_dirs` (searched in order), the cache under `cache_dir`, default
    /// limits ([`ExecOptions::default`]).
    pub fn new(bin_dirs: Vec<PathBuf>, cache_dir: impl Into<PathBuf>) -> Cni {
        let path = bin_dirs
            .iter()
            .map(|d| d.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(":");
        Cni {
            bin_dirs,
            path,
            cache: Cache::new(cache_dir),
            exec: ExecOptions::default(),
            cleanup_timeout: DEFAULT_CLEANUP_TIMEOUT,
            faults: None,
        }
    }

    /// Sets the limits of plugin processes.
    pub fn with_exec_options(mut self, exec: ExecOptions) -> Cni {
        self.exec = exec;
        self
    }

    /// Sets the time budget of the DELs that undo a failed ADD (default 60 s).
    pub fn with_cleanup_timeout(mut self, t: Duration) -> Cni {
        self.cleanup_timeout = t;
        self
    }

    /// Fault injection for tests: `plan` is consulted after each plugin of an ADD
    /// (`"after ADD TYPE"`; the step it fails makes the ADD roll back as if that plugin had
    /// failed after doing its work), before each DEL of that rollback (`"DEL TYPE"`), and
    /// by [`CniRuntime`](super::CniRuntime) after each network of a pod and before each DEL
    /// of its rollback. [`FaultPlan::never`] counts the steps.
    pub fn with_fault_plan(mut self, plan: FaultPlan) -> Cni {
        self.faults = Some(plan);
        self
    }

    /// The fault plan, if any ([`Cni::with_fault_plan`]).
    pub fn fault_plan(&self) -> Option<&FaultPlan> {
        self.faults.as_ref()
    }

    /// The bin directories.
    pub fn bin_dirs(&self) -> &[PathBuf] {
        &self.bin_dirs
    }

    /// The cache.
    pub fn cache(&self) -> &Cache {
        &self.cache
    }

    /// The plugin process limits.
    pub fn exec_options(&self) -> &ExecOptions {
        &self.exec
    }

    /// The time budget of a cleanup.
    pub fn cleanup_timeout(&self) -> Duration {
        self.cleanup_timeout
    }

    /// The stdin of one plugin call: the plugin's object with `name` and `cniVersion` of
    /// the list, `prevResult`, and `runtimeConfig` holding the capability arguments the
    /// plugin declares (left out when there are none). Keys come out sorted, as libcni's
    /// `InjectConf` (a Go map) writes them.
    pub fn plugin_stdin(
        list: &NetworkConfigList,
        plugin: &PluginConfig,
        prev: Option<&Value>,
        rt: Option<&RuntimeConf>,
    ) -> Vec<u8> {
        let mut m = plugin.config.clone();
        m.insert("name".into(), Value::String(list.name.clone()));
        m.insert("cniVersion".into(), Value::String(list.cni_version.clone()));
        if let Some(p) = prev {
            m.insert("prevResult".into(), p.clone());
        }
        if let Some(rt) = rt {
            let rc: Map<String, Value> = plugin
                .enabled_capabilities()
                .filter_map(|c| {
                    rt.capability_args
                        .get(c)
                        .map(|v| (c.to_string(), v.clone()))
                })
                .collect();
            if !rc.is_empty() {
                m.insert("runtimeConfig".into(), Value::Object(rc));
            }
        }
        serde_json::to_vec(&m).unwrap_or_default()
    }

    fn run(
        &self,
        plugin: &PluginConfig,
        verb: Verb,
        rt: &RuntimeConf,
        stdin: &[u8],
        deadline: Option<Instant>,
    ) -> Result<Vec<u8>> {
        let path = find_plugin(&plugin.plugin_type, &self.bin_dirs)?;
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(Error::DeadlineExceeded {
                plugin: plugin.plugin_type.clone(),
                verb,
            });
        }
        let inv = Invocation {
            verb,
            container_id: &rt.container_id,
            netns: &rt.netns,
            ifname: &rt.if_name,
            args: &rt.args,
            path: &self.path,
        };
        exec_plugin(
            &path,
            &plugin.plugin_type,
            &inv,
            stdin,
            &self.exec,
            deadline,
        )
    }

    /// The result of one ADD, in the list's version when the plugin gave none.
    fn parse_result(
        list: &NetworkConfigList,
        plugin: &PluginConfig,
        out: &[u8],
    ) -> Result<CniResult> {
        let default = SpecVersion::parse(&list.cni_version).unwrap_or(SpecVersion::CURRENT);
        CniResult::from_json(out, default).map_err(|e| match e {
            Error::BadResult { reason, .. } => Error::BadResult {
                plugin: plugin.plugin_type.clone(),
                verb: Verb::Add,
                reason,
                output: excerpt(out),
            },
            e => e,
        })
    }

    /// `prev` as a JSON value in the list's version (plugins read `prevResult` in the
    /// config's version); unchanged if the list's version is not one of the spec's.
    fn prev_value(list: &NetworkConfigList, prev: &CniResult) -> Result<Value> {
        match SpecVersion::parse(&list.cni_version) {
            Some(v) => Ok(prev.convert(v)?.to_value()),
            None => Ok(prev.to_value()),
        }
    }

    /// ADD: attaches the container to every plugin of `list` (libcni's
    /// `AddNetworkList`), caches the result and returns it. See the module docs for the
    /// cleanup after a failure.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] and [`Error::AlreadyAttached`] before any plugin runs; the
    /// failing plugin's error (wrapped in [`Error::CleanupFailed`] if undoing failed too).
    pub fn add_list(
        &self,
        list: &NetworkConfigList,
        rt: &RuntimeConf,
        deadline: Option<Instant>,
    ) -> Result<CniResult> {
        validate_container_id(&rt.container_id)?;
        validate_network_name(&list.name)?;
        validate_interface_name(&rt.if_name)?;
        if let Some(e) = self.cache.attachment_of(&rt.container_id, &rt.if_name) {
            return Err(Error::AlreadyAttached {
                network: e.network_name,
                container_id: rt.container_id.clone(),
                ifname: rt.if_name.clone(),
            });
        }
        // What the DELs of a rollback are given: the last good result as `prevResult`, and
        // a deadline of their own, which starts when the first DEL does.
        let last: Mutex<Option<CniResult>> = Mutex::new(None);
        let cleanup_deadline = OnceLock::new();
        let mut undo: Undo<'_, Error> = Undo::default();
        undo.set_faults(self.faults.clone());
        let result = undo.run(|undo| {
            let mut result: Option<CniResult> = None;
            for plugin in &list.plugins {
                let added = self.add_one(list, plugin, rt, result.as_ref(), deadline);
                // A plugin that never started has nothing to undo; one that ran may have
                // done part of its work before failing.
                let ran = !matches!(
                    added,
                    Err(Error::PluginNotFound { .. }
                        | Error::InvalidInput { .. }
                        | Error::DeadlineExceeded { .. })
                );
                if ran {
                    let (last, cleanup_deadline) = (&last, &cleanup_deadline);
                    undo.push(format!("DEL {}", plugin.plugin_type), move || {
                        let deadline =
                            *cleanup_deadline.get_or_init(|| Instant::now() + self.cleanup_timeout);
                        let prev = (last.lock().unwrap_or_else(PoisonError::into_inner))
                            .as_ref()
                            .and_then(|r| Self::prev_value(list, r).ok());
                        let stdin = Self::plugin_stdin(list, plugin, prev.as_ref(), Some(rt));
                        self.run(plugin, Verb::Del, rt, &stdin, Some(deadline))
                            .map(drop)
                    });
                }
                let added = added?;
                *last.lock().unwrap_or_else(PoisonError::into_inner) = Some(added.clone());
                result = Some(added);
                undo.check(&format!("after ADD {}", plugin.plugin_type))?;
            }
            let Some(result) = result else {
                return Err(Error::config(list.file.as_deref(), "no plugins in list"));
            };
            let entry = CacheEntry {
                kind: CACHE_KIND_V1.into(),
                container_id: rt.container_id.clone(),
                config: list.bytes.clone(),
                if_name: rt.if_name.clone(),
                network_name: list.name.clone(),
                netns: rt.netns.clone(),
                cni_args: rt.args.clone(),
                capability_args: rt.capability_args.clone(),
                result: Some(result.to_value()),
            };
            self.cache.write(&entry).map_err(|e| Error::Cache {
                path: self.cache.results_dir(),
                reason: format!("failed to set network {:?} cached result: {e}", list.name),
            })?;
            Ok(result)
        })?;
        // The attachment stays: its cache entry is what a DEL works from.
        undo.commit();
        Ok(result)
    }

    /// One plugin's ADD, with `prev` as its `prevResult`.
    fn add_one(
        &self,
        list: &NetworkConfigList,
        plugin: &PluginConfig,
        rt: &RuntimeConf,
        prev: Option<&CniResult>,
        deadline: Option<Instant>,
    ) -> Result<CniResult> {
        let prev = prev.map(|r| Self::prev_value(list, r)).transpose()?;
        let stdin = Self::plugin_stdin(list, plugin, prev.as_ref(), Some(rt));
        let out = self.run(plugin, Verb::Add, rt, &stdin, deadline)?;
        Self::parse_result(list, plugin, &out)
    }

    /// The cached result of `list` for `rt`'s attachment, converted to the list's version
    /// (libcni's `GetNetworkListCachedResult`); `None` if nothing is cached.
    ///
    /// # Errors
    /// [`Error::Cache`] for a damaged entry; [`Error::IncompatibleVersion`] if the result
    /// cannot be given in the list's version.
    pub fn cached_result(
        &self,
        list: &NetworkConfigList,
        rt: &RuntimeConf,
    ) -> Result<Option<CniResult>> {
        validate_network_name(&list.name)?;
        validate_container_id(&rt.container_id)?;
        validate_interface_name(&rt.if_name)?;
        let Some(r) = self
            .cache
            .read_result(&list.name, &rt.container_id, &rt.if_name)?
        else {
            return Ok(None);
        };
        r.convert_to(&list.cni_version).map(Some)
    }

    /// The cached configuration of the attachment of network `name` for `rt`, and `rt`
    /// with the cached `CNI_ARGS` and capability arguments (libcni's
    /// `GetNetworkListCachedConfig`); `None` if nothing is cached.
    ///
    /// # Errors
    /// [`Error::Cache`]; [`Error::InvalidConfig`] if the cached configuration does not
    /// parse.
    pub fn cached_config(
        &self,
        name: &str,
        rt: &RuntimeConf,
    ) -> Result<Option<(NetworkConfigList, RuntimeConf)>> {
        validate_network_name(name)?;
        validate_container_id(&rt.container_id)?;
        validate_interface_name(&rt.if_name)?;
        let Some(entry) = self.cache.read(name, &rt.container_id, &rt.if_name)? else {
            return Ok(None);
        };
        let mut list = NetworkConfigList::from_cached(&entry.config)?;
        // A list made from a single file may carry an empty name; the cache's is right.
        list.name = name.to_string();
        let mut rt = rt.clone();
        if !entry.cni_args.is_empty() {
            rt.args = entry.cni_args;
        }
        rt.capability_args = entry.capability_args;
        Ok(Some((list, rt)))
    }

    /// Every cached attachment (of `container_id`, or of all), as libcni's
    /// `GetCachedAttachments`.
    ///
    /// # Errors
    /// [`Error::Io`].
    pub fn cached_attachments(&self, container_id: Option<&str>) -> Result<Vec<CacheEntry>> {
        self.cache.entries(container_id)
    }

    /// CHECK (libcni's `CheckNetworkList`).
    ///
    /// # Errors
    /// [`Error::CheckNotSupported`] for lists older than 0.4.0; [`Error::Cache`] for a
    /// damaged entry; the first failing plugin's error.
    pub fn check_list(
        &self,
        list: &NetworkConfigList,
        rt: &RuntimeConf,
        deadline: Option<Instant>,
    ) -> Result<()> {
        if !list.version_at_least("0.4.0")? {
            return Err(Error::CheckNotSupported {
                version: list.cni_version.clone(),
            });
        }
        if list.disable_check {
            return Ok(());
        }
        let cached = self.cached_result(list, rt)?;
        let prev = cached.map(|r| r.to_value());
        for plugin in &list.plugins {
            let stdin = Self::plugin_stdin(list, plugin, prev.as_ref(), Some(rt));
            self.run(plugin, Verb::Check, rt, &stdin, deadline)?;
        }
        Ok(())
    }

    /// DEL (libcni's `DelNetworkList`): idempotent; see the module docs.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for names that cannot be an attachment; the first failing
    /// plugin's error (the cache entry is then kept, for the retry).
    pub fn del_list(
        &self,
        list: &NetworkConfigList,
        rt: &RuntimeConf,
        deadline: Option<Instant>,
    ) -> Result<()> {
        validate_network_name(&list.name)?;
        validate_container_id(&rt.container_id)?;
        validate_interface_name(&rt.if_name)?;
        let prev = if list.version_at_least("0.4.0")? {
            // A damaged entry, or one that cannot be converted, must not block the DEL.
            self.cached_result(list, rt)
                .ok()
                .flatten()
                .map(|r| r.to_value())
        } else {
            None
        };
        for plugin in list.plugins.iter().rev() {
            let stdin = Self::plugin_stdin(list, plugin, prev.as_ref(), Some(rt));
            self.run(plugin, Verb::Del, rt, &stdin, deadline)?;
        }
        self.cache.remove(&list.name, &rt.container_id, &rt.if_name)
    }

    /// GC (libcni's `GCNetworkList`): DELs the cached attachments of `list` not in
    /// `valid` (all of them when `valid` is `None`, as `cnitool gc`), then for lists of
    /// 1.1.0 and later runs GC on every plugin.
    ///
    /// # Errors
    /// Every failure, joined ([`Error::Multiple`] when there are several).
    pub fn gc_list(
        &self,
        list: &NetworkConfigList,
        valid: Option<&[GcAttachment]>,
        deadline: Option<Instant>,
    ) -> Result<()> {
        if list.disable_gc {
            return Ok(());
        }
        let mut errors = Vec::new();
        for entry in self
            .cache
            .entries(None)?
            .into_iter()
            .filter(|e| e.network_name == list.name)
        {
            let key = GcAttachment {
                container_id: entry.container_id.clone(),
                if_name: entry.if_name.clone(),
            };
            if valid.is_some_and(|v| v.contains(&key)) {
                continue;
            }
            let rt = RuntimeConf {
                container_id: entry.container_id,
                netns: entry.netns,
                if_name: entry.if_name,
                args: entry.cni_args,
                capability_args: entry.capability_args,
            };
            if let Err(e) = self.del_list(list, &rt, deadline) {
                errors.push(Error::StaleAttachment {
                    container_id: rt.container_id,
                    ifname: rt.if_name,
                    source: Box::new(e),
                });
            }
        }
        if list.version_at_least("1.1.0").unwrap_or(false) {
            let rt = RuntimeConf::default();
            for plugin in &list.plugins {
                let mut m = plugin.config.clone();
                m.insert("name".into(), Value::String(list.name.clone()));
                m.insert("cniVersion".into(), Value::String(list.cni_version.clone()));
                if let Some(v) = valid {
                    let v = serde_json::to_value(v).unwrap_or_default();
                    m.insert("cni.dev/valid-attachments".into(), v.clone());
                    // libcni also sends the key the 1.1.0 spec first named (cni#1101).
                    m.insert("cni.dev/attachments".into(), v);
                }
                let stdin = serde_json::to_vec(&m).unwrap_or_default();
                if let Err(e) = self.run(plugin, Verb::Gc, &rt, &stdin, deadline) {
                    errors.push(e);
                }
            }
        }
        Error::join_all(errors)
    }

    /// STATUS (libcni's `GetStatusNetworkList`): for lists of 1.1.0 and later, runs STATUS
    /// on every plugin and stops at the first failure; older lists are always ready.
    ///
    /// # Errors
    /// The first failing plugin's error (codes 50, 51 or others).
    pub fn status_list(&self, list: &NetworkConfigList, deadline: Option<Instant>) -> Result<()> {
        if !list.version_at_least("1.1.0").unwrap_or(false) {
            return Ok(());
        }
        let rt = RuntimeConf::default();
        for plugin in &list.plugins {
            let stdin = Self::plugin_stdin(list, plugin, None, None);
            self.run(plugin, Verb::Status, &rt, &stdin, deadline)?;
        }
        Ok(())
    }

    /// VERSION of the plugin `plugin_type` (libcni's `GetVersionInfo`): a plugin that
    /// does not know VERSION supports 0.1.0.
    ///
    /// # Errors
    /// [`Error::PluginNotFound`]; the plugin's failure; [`Error::BadResult`] for an answer
    /// that is not a version object.
    pub fn version_info(&self, plugin_type: &str, deadline: Option<Instant>) -> Result<PluginInfo> {
        let path = find_plugin(plugin_type, &self.bin_dirs)?;
        // Old skel versions insist on these being set.
        let inv = Invocation {
            verb: Verb::Version,
            container_id: "",
            netns: "dummy",
            ifname: "dummy",
            args: &[],
            path: "dummy",
        };
        let stdin = format!("{{\"cniVersion\":{:?}}}", SpecVersion::CURRENT.as_str());
        match exec_plugin(
            &path,
            plugin_type,
            &inv,
            stdin.as_bytes(),
            &self.exec,
            deadline,
        ) {
            Ok(out) => PluginInfo::parse(&out).map_err(|reason| Error::BadResult {
                plugin: plugin_type.to_string(),
                verb: Verb::Version,
                reason,
                output: excerpt(&out),
            }),
            Err(Error::Plugin { error, .. }) if error.msg == "unknown CNI_COMMAND: VERSION" => {
                Ok(PluginInfo::legacy())
            }
            Err(e) => Err(e),
        }
    }

    /// Checks that every plugin of `list` exists and supports the list's version (libcni's
    /// `ValidateNetworkList`, which ocicni runs on every file it loads); returns the
    /// capabilities the plugins declare, sorted.
    ///
    /// # Errors
    /// Every failure, joined.
    pub fn validate_list(
        &self,
        list: &NetworkConfigList,
        deadline: Option<Instant>,
    ) -> Result<Vec<String>> {
        let version = if list.cni_version.is_empty() {
            "0.1.0"
        } else {
            &list.cni_version
        };
        let mut errors = Vec::new();
        let mut caps = std::collections::BTreeSet::new();
        for plugin in &list.plugins {
            match self.version_info(&plugin.plugin_type, deadline) {
                Ok(info) if info.supports(version) => {}
                Ok(_) => errors.push(Error::incompatible(format!(
                    "plugin {} does not support config version {version:?}",
                    plugin.plugin_type
                ))),
                Err(e) => errors.push(e),
            }
            caps.extend(plugin.enabled_capabilities().map(str::to_string));
        }
        Error::join_all(errors)?;
        Ok(caps.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_cni_rules() {
        for ok in ["a", "abc-1_2.3", "0x"] {
            validate_container_id(ok).unwrap();
            validate_network_name(ok).unwrap();
        }
        for bad in ["", "-a", ".a", "a/b", "a b", "a:b", "ä"] {
            assert!(validate_container_id(bad).is_err(), "{bad:?}");
            assert!(validate_network_name(bad).is_err(), "{bad:?}");
        }
        validate_interface_name("eth0").unwrap();
        for bad in ["", ".", "..", "a/b", "a:b", "a b", "0123456789abcdef"] {
            assert!(validate_interface_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn stdin_gets_name_version_prev_result_and_only_declared_capabilities() {
        let list = NetworkConfigList::from_bytes(
            br#"{"name":"net","cniVersion":"1.0.0","plugins":[{"type":"portmap","name":"ignored","capabilities":{"portMappings":true,"bandwidth":false},"snat":true}]}"#,
        )
        .unwrap();
        let mut caps = Map::new();
        caps.insert(
            "portMappings".into(),
            serde_json::json!([{"hostPort":8080,"containerPort":80,"protocol":"tcp","hostIP":""}]),
        );
        caps.insert("bandwidth".into(), serde_json::json!({"ingressRate":1}));
        let rt = RuntimeConf {
            capability_args: caps,
            ..Default::default()
        };
        let prev = serde_json::json!({"cniVersion":"1.0.0"});
        let s = String::from_utf8(Cni::plugin_stdin(
            &list,
            &list.plugins[0],
            Some(&prev),
            Some(&rt),
        ))
        .unwrap();
        assert_eq!(
            s,
            r#"{"capabilities":{"bandwidth":false,"portMappings":true},"cniVersion":"1.0.0","name":"net","prevResult":{"cniVersion":"1.0.0"},"runtimeConfig":{"portMappings":[{"containerPort":80,"hostIP":"","hostPort":8080,"protocol":"tcp"}]},"snat":true,"type":"portmap"}"#
        );
        // No capability argument the plugin declares: no runtimeConfig at all.
        let s = String::from_utf8(Cni::plugin_stdin(
            &list,
            &list.plugins[0],
            None,
            Some(&RuntimeConf::default()),
        ))
        .unwrap();
        assert!(
            !s.contains("runtimeConfig") && !s.contains("prevResult"),
            "{s}"
        );
        assert_eq!(
            serde_json::to_string(&GcAttachment {
                container_id: "c".into(),
                if_name: "eth0".into()
            })
            .unwrap(),
            r#"{"containerID":"c","ifname":"eth0"}"#
        );
    }
}
