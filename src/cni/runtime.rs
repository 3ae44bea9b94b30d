//! [`CniRuntime`]: cri-o's ocicni in Rust, what a container runtime uses to give each pod
//! its networks (`CNIPlugin` and the `InitCNI*` functions).
//!
//! A runtime loads the networks of a configuration directory (see
//! [`config::load_dir_checked`]; each list is also checked against its plugins' VERSION, as
//! ocicni does), watches the directory and the bin directories with inotify unless told
//! not to, and runs pods' ADD, DEL and CHECK through a [`Cni`].
//!
//! Operations on one pod (`namespace_name`) are serialised; different pods proceed in
//! parallel; [`CniRuntime::gc`] excludes every other operation while it runs. Each
//! operation takes an optional deadline (the Go `...WithContext` variants); each plugin
//! call is also limited by [`ExecOptions::timeout`].

use super::cache::DEFAULT_CACHE_DIR;
use super::client::{Cni, GcAttachment, RuntimeConf};
use super::config::{self, InvalidConfig, NetworkConfigList};
use super::error::{Error, Result, Verb};
use super::exec::{ExecOptions, find_plugin};
use super::pod::{self, NetAttachment, NetResult, PodNetwork};
use super::sandbox;
use super::version::PluginInfo;
use super::watch::Watcher;
use crate::undo::{FaultPlan, Undo};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError, RwLock};
use std::time::{Duration, Instant, SystemTime};

/// Where ocicni looks for network configurations.
pub const DEFAULT_CONF_DIR: &str = "/etc/cni/net.d";

/// Where ocicni looks for plugins.
pub const DEFAULT_BIN_DIR: &str = "/opt/cni/bin";

/// The runtime's name (ocicni's `CNIPluginName`).
pub const CNI_PLUGIN_NAME: &str = "cni";

/// The network name of the loopback attachment some runtimes cache (skipped when a
/// teardown reads the cache).
const LOOPBACK_NETWORK: &str = "cni-loopback";

/// A loaded network: its list and the file it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    /// The network's name.
    pub name: String,
    /// The configuration file.
    pub file: PathBuf,
    /// The list of plugins.
    pub config: NetworkConfigList,
}

/// Builds a [`CniRuntime`] (ocicni's `InitCNI`, `InitCNIWithCache` and `InitCNINoInotify`
/// in one).
#[derive(Debug, Clone)]
pub struct RuntimeBuilder {
    default_network: Option<String>,
    conf_dir: PathBuf,
    bin_dirs: Vec<PathBuf>,
    cache_dir: PathBuf,
    watch: bool,
    validate: bool,
    exec: ExecOptions,
    cleanup_timeout: Duration,
    cni_args: Vec<(String, String)>,
    faults: Option<FaultPlan>,
}

impl Default for RuntimeBuilder {
    fn default() -> Self {
        RuntimeBuilder {
            default_network: None,
            conf_dir: PathBuf::from(DEFAULT_CONF_DIR),
            bin_dirs: Vec::new(),
            cache_dir: PathBuf::from(DEFAULT_CACHE_DIR),
            watch: true,
            validate: true,
            exec: ExecOptions::default(),
            cleanup_timeout: super::client::DEFAULT_CLEANUP_TIMEOUT,
            cni_args: Vec::new(),
            faults: None,
        }
    }
}

impl RuntimeBuilder {
    /// The default network: a fixed name (operations fail until a network of that name is
    /// loaded). Without one, the default is the first valid file's network and follows
    /// the directory.
    pub fn default_network(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.default_network = (!name.is_empty()).then_some(name);
        self
    }

    /// The configuration directory (default `/etc/cni/net.d`).
    pub fn conf_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.conf_dir = dir.into();
        self
    }

    /// Adds a bin directory; they are searched in the order added (default
    /// `/opt/cni/bin` when none is added).
    pub fn bin_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.bin_dirs.push(dir.into());
        self
    }

    /// The cache directory (default `/var/lib/cni`).
    pub fn cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = dir.into();
        self
    }

    /// Whether to watch the configuration and bin directories with inotify (default
    /// yes; `InitCNINoInotify` is `watch(false)`). Watching creates the directories (0755)
    /// if they are missing, as ocicni does.
    pub fn watch(mut self, on: bool) -> Self {
        self.watch = on;
        self
    }

    /// Whether a loaded list must pass VERSION checks of its plugins (default yes, as
    /// ocicni).
    pub fn validate_plugins(mut self, on: bool) -> Self {
        self.validate = on;
        self
    }

    /// Limits of the plugin processes.
    pub fn exec_options(mut self, exec: ExecOptions) -> Self {
        self.exec = exec;
        self
    }

    /// The time budget of the DELs that undo a failed ADD (default 60 s).
    pub fn cleanup_timeout(mut self, t: Duration) -> Self {
        self.cleanup_timeout = t;
        self
    }

    /// `CNI_ARGS` pairs added after the `K8S_POD_*` keys of every attachment (ocicni adds
    /// the process's own `CNI_ARGS` there; netplumb reads no environment by itself).
    pub fn cni_args(mut self, args: Vec<(String, String)>) -> Self {
        self.cni_args = args;
        self
    }

    /// Fault injection for tests ([`Cni::with_fault_plan`]): `plan` is consulted after each
    /// plugin of an ADD, after each network of [`CniRuntime::set_up_pod`]
    /// (`"after network NAME"`) and before each DEL of their rollbacks.
    pub fn fault_plan(mut self, plan: FaultPlan) -> Self {
        self.faults = Some(plan);
        self
    }

    /// Loads the configuration and starts the watcher.
    ///
    /// Unlike ocicni, netplumb does not need `nsenter`. A configuration directory that
    /// cannot be read is not an error here (as ocicni ignores its first load's error);
    /// [`CniRuntime::last_load_error`] tells.
    ///
    /// # Errors
    /// [`Error::Io`] if the directories to watch cannot be made or watched.
    pub fn build(self) -> Result<CniRuntime> {
        let bin_dirs = if self.bin_dirs.is_empty() {
            vec![PathBuf::from(DEFAULT_BIN_DIR)]
        } else {
            self.bin_dirs
        };
        let mut cni = Cni::new(bin_dirs.clone(), self.cache_dir)
            .with_exec_options(self.exec)
            .with_cleanup_timeout(self.cleanup_timeout);
        if let Some(plan) = self.faults {
            cni = cni.with_fault_plan(plan);
        }
        let inner = Arc::new(Inner {
            cni,
            conf_dir: self.conf_dir,
            validate: self.validate,
            extra_args: self.cni_args,
            state: RwLock::new(State {
                default_fixed: self.default_network.clone(),
                ..State::default()
            }),
            versions: Mutex::new(HashMap::new()),
            busy_pods: Mutex::new(HashSet::new()),
            pod_done: Condvar::new(),
            gc_lock: RwLock::new(()),
        });
        inner.reload();
        let mut watcher = None;
        if self.watch {
            let mut dirs = vec![inner.conf_dir.clone()];
            dirs.extend(bin_dirs);
            for d in &dirs {
                std::fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o755)
                    .create(d)
                    .map_err(|e| {
                        Error::io(format!("failed to create directory {}", d.display()), e)
                    })?;
            }
            let watched = Arc::clone(&inner);
            watcher = Some(Watcher::start(&dirs, move |_| watched.reload())?);
        }
        Ok(CniRuntime {
            inner,
            watcher: Mutex::new(watcher),
        })
    }
}

#[derive(Debug, Default)]
struct State {
    networks: BTreeMap<String, Arc<Network>>,
    /// The first valid network, the default when none is fixed.
    first: Option<String>,
    default_fixed: Option<String>,
    invalid: Vec<InvalidConfig>,
    last_error: Option<String>,
    generation: u64,
}

impl State {
    fn default_name(&self) -> Option<&str> {
        self.default_fixed.as_deref().or(self.first.as_deref())
    }
}

/// A plugin binary's identity, so that VERSION is asked again only when it changes.
type BinaryId = (PathBuf, SystemTime, u64, u64);

#[derive(Debug)]
struct Inner {
    cni: Cni,
    conf_dir: PathBuf,
    validate: bool,
    extra_args: Vec<(String, String)>,
    state: RwLock<State>,
    versions: Mutex<HashMap<BinaryId, PluginInfo>>,
    busy_pods: Mutex<HashSet<String>>,
    pod_done: Condvar,
    gc_lock: RwLock<()>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Holds a pod's turn; dropping it lets the next operation on the pod in.
struct PodTurn<'a> {
    inner: &'a Inner,
    key: String,
}

impl Drop for PodTurn<'_> {
    fn drop(&mut self) {
        lock(&self.inner.busy_pods).remove(&self.key);
        self.inner.pod_done.notify_all();
    }
}

impl Inner {
    fn state(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until no other operation runs on `pod`, and takes its turn.
    fn pod_turn(&self, pod: &PodNetwork) -> PodTurn<'_> {
        let key = pod.full_name();
        let mut busy = lock(&self.busy_pods);
        while busy.contains(&key) {
            busy = self
                .pod_done
                .wait(busy)
                .unwrap_or_else(PoisonError::into_inner);
        }
        busy.insert(key.clone());
        PodTurn { inner: self, key }
    }

    /// The plugin's VERSION answer, asked once per binary (path, modification time, size,
    /// inode).
    fn version_of(&self, plugin: &str) -> Result<PluginInfo> {
        let path = find_plugin(plugin, self.cni.bin_dirs())?;
        let meta = std::fs::metadata(&path)
            .map_err(|e| Error::io(format!("stat {}", path.display()), e))?;
        let id = (
            path,
            meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            meta.len(),
            std::os::unix::fs::MetadataExt::ino(&meta),
        );
        if let Some(info) = lock(&self.versions).get(&id) {
            return Ok(info.clone());
        }
        let info = self.cni.version_info(plugin, None)?;
        lock(&self.versions).insert(id, info.clone());
        Ok(info)
    }

    /// libcni's `ValidateNetworkList`, with VERSION answers remembered.
    fn validate(&self, list: &NetworkConfigList) -> Result<()> {
        let version = if list.cni_version.is_empty() {
            "0.1.0"
        } else {
            &list.cni_version
        };
        let mut errors = Vec::new();
        for p in &list.plugins {
            match self.version_of(&p.plugin_type) {
                Ok(info) if info.supports(version) => {}
                Ok(_) => errors.push(Error::incompatible(format!(
                    "plugin {} does not support config version {version:?}",
                    p.plugin_type
                ))),
                Err(e) => errors.push(e),
            }
        }
        Error::join_all(errors)
    }

    /// Loads the configuration directory again (ocicni's `syncNetworkConfig`).
    fn reload(&self) {
        let loaded = config::load_dir_checked(&self.conf_dir, |l| {
            if self.validate {
                self.validate(l)
            } else {
                Ok(())
            }
        });
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        state.generation += 1;
        match loaded {
            Err(e) => state.last_error = Some(e.to_string()),
            Ok(loaded) => {
                state.last_error = None;
                state.first = loaded.first().map(|l| l.name.clone());
                state.invalid = loaded.invalid;
                state.networks = loaded
                    .networks
                    .into_iter()
                    .map(|config| {
                        let net = Network {
                            name: config.name.clone(),
                            file: config.file.clone().unwrap_or_default(),
                            config,
                        };
                        (net.name.clone(), Arc::new(net))
                    })
                    .collect();
            }
        }
    }

    fn network(&self, name: &str) -> Option<Arc<Network>> {
        self.state().networks.get(name).cloned()
    }

    fn no_default(&self) -> Error {
        Error::NoDefaultNetwork {
            dir: self.conf_dir.clone(),
        }
    }

    /// ocicni's `networksAvailable`.
    fn networks_available(&self, pod: &PodNetwork) -> Result<()> {
        let st = self.state();
        let has_default = st
            .default_name()
            .is_some_and(|n| st.networks.contains_key(n));
        if pod.networks.is_empty() && !has_default {
            return Err(self.no_default());
        }
        Ok(())
    }

    fn attachments(&self, pod: &PodNetwork) -> Result<Vec<NetAttachment>> {
        let default = self.state().default_name().map(str::to_string);
        pod::assign_interface_names(&pod.networks, default.as_deref())
    }

    fn runtime_conf(&self, pod: &PodNetwork, att: &NetAttachment) -> Result<RuntimeConf> {
        pod::runtime_conf(
            pod,
            &att.ifname,
            pod.runtime_config.get(&att.name),
            &self.extra_args,
        )
    }

    /// The list and runtime arguments to undo or inspect an attachment with: the cached
    /// ones when there are any (ocicni prefers them), else the loaded network's.
    fn cached_or_loaded(
        &self,
        name: &str,
        rt: RuntimeConf,
    ) -> Result<(NetworkConfigList, RuntimeConf)> {
        if let Ok(Some(found)) = self.cni.cached_config(name, &rt) {
            return Ok(found);
        }
        match self.network(name) {
            Some(n) => Ok((n.config.clone(), rt)),
            None => Err(Error::NetworkNotFound {
                name: name.to_string(),
                dir: self.conf_dir.clone(),
            }),
        }
    }
}

/// The CNI runtime of a container runtime: pods' networks through CNI plugins (ocicni's
/// `CNIPlugin`).
///
/// ```no_run
/// use netplumb::cni::{CniRuntime, PodNetwork};
/// let rt = CniRuntime::builder()
///     .conf_dir("/etc/cni/net.d")
///     .bin_dir("/usr/lib/cni")
///     .build()?;
/// let pod = PodNetwork {
///     name: "web".into(),
///     namespace: "default".into(),
///     id: "0123abcd".into(),
///     netns: "/run/netns/web".into(),
///     ..Default::default()
/// };
/// for r in rt.set_up_pod(&pod, None)? {
///     println!("{} on {}: {:?}", r.attachment.name, r.attachment.ifname, r.result.ips);
/// }
/// rt.tear_down_pod(&pod, None)?;
/// # Ok::<(), netplumb::cni::Error>(())
/// ```
#[derive(Debug)]
pub struct CniRuntime {
    inner: Arc<Inner>,
    watcher: Mutex<Option<Watcher>>,
}

impl CniRuntime {
    /// A builder with ocicni's defaults.
    pub fn builder() -> RuntimeBuilder {
        RuntimeBuilder::default()
    }

    /// `"cni"` (ocicni's `Name`).
    pub fn name(&self) -> &'static str {
        CNI_PLUGIN_NAME
    }

    /// The default network's name, if there is one (`GetDefaultNetworkName`).
    pub fn default_network_name(&self) -> Option<String> {
        self.inner.state().default_name().map(str::to_string)
    }

    /// The loaded networks, by name.
    pub fn networks(&self) -> Vec<Arc<Network>> {
        self.inner.state().networks.values().cloned().collect()
    }

    /// The loaded network `name`.
    pub fn network(&self, name: &str) -> Option<Arc<Network>> {
        self.inner.network(name)
    }

    /// The files the last load skipped, and why (ocicni logs them).
    pub fn invalid_configs(&self) -> Vec<InvalidConfig> {
        self.inner.state().invalid.clone()
    }

    /// Why the last load of the directory failed as a whole, if it did.
    pub fn last_load_error(&self) -> Option<String> {
        self.inner.state().last_error.clone()
    }

    /// How many times the configuration was loaded (each watcher event batch is one).
    pub fn generation(&self) -> u64 {
        self.inner.state().generation
    }

    /// Loads the configuration directory again now.
    pub fn reload(&self) {
        self.inner.reload();
    }

    /// The verbs underneath (cache, bin directories, limits).
    pub fn cni(&self) -> &Cni {
        &self.inner.cni
    }

    /// Sets a pod up (`SetUpPod`): brings `lo` up in the pod's namespace, then ADDs every
    /// requested network (the default one if none), with interface names as ocicni assigns
    /// them. If a network fails, the ones already added are DELeted again (ocicni leaves
    /// them), so a failed setup leaves nothing behind: each network added records its DEL
    /// in the crate's undo log ([`crate::undo::Undo`]), rolled back on a failure.
    ///
    /// # Errors
    /// [`Error::NoDefaultNetwork`]; [`Error::InvalidInput`] (duplicate interface names, a
    /// bad static IP or MAC) before anything runs; [`Error::NetworkNotFound`]; an
    /// [`Error::Pod`] wrapping the failing network's error.
    pub fn set_up_pod(
        &self,
        pod: &PodNetwork,
        deadline: Option<Instant>,
    ) -> Result<Vec<NetResult>> {
        let inner = &*self.inner;
        inner.networks_available(pod)?;
        let _gc = inner.gc_lock.read().unwrap_or_else(PoisonError::into_inner);
        let _turn = inner.pod_turn(pod);
        let atts = inner.attachments(pod)?;
        if atts.iter().any(|a| inner.network(&a.name).is_none()) {
            // A file may have arrived since the last event (ocicni PR #85).
            inner.reload();
        }
        let mut plan = Vec::new();
        for att in atts {
            let rt = inner.runtime_conf(pod, &att)?;
            let net = inner
                .network(&att.name)
                .ok_or_else(|| Error::NetworkNotFound {
                    name: att.name.clone(),
                    dir: inner.conf_dir.clone(),
                })?;
            plan.push((att, net, rt));
        }
        sandbox::bring_up_loopback(&pod.netns)?;
        let pod_name = pod.full_name();
        // The DELs of a rollback get a deadline of their own, which starts with the first.
        let cleanup_deadline = OnceLock::new();
        let mut undo: Undo<'_, Error> = Undo::default();
        undo.set_faults(inner.cni.fault_plan().cloned());
        let results = undo.run(|undo| {
            let mut results = Vec::new();
            for (att, net, rt) in &plan {
                let result =
                    inner
                        .cni
                        .add_list(&net.config, rt, deadline)
                        .map_err(|e| Error::Pod {
                            pod: pod_name.clone(),
                            network: net.name.clone(),
                            verb: Verb::Add,
                            source: Box::new(e),
                        })?;
                let (pod_name, cleanup_deadline) = (&pod_name, &cleanup_deadline);
                undo.push(format!("DEL network {}", net.name), move || {
                    let deadline = *cleanup_deadline
                        .get_or_init(|| Instant::now() + inner.cni.cleanup_timeout());
                    inner
                        .cni
                        .del_list(&net.config, rt, Some(deadline))
                        .map_err(|e| Error::Pod {
                            pod: pod_name.clone(),
                            network: net.name.clone(),
                            verb: Verb::Del,
                            source: Box::new(e),
                        })
                });
                results.push(NetResult {
                    result,
                    attachment: att.clone(),
                });
                undo.check(&format!("after network {}", net.name))?;
            }
            Ok(results)
        })?;
        // The attachments stay: their cache entries are what a teardown works from.
        undo.commit();
        Ok(results)
    }

    /// Tears a pod down (`TearDownPod`): DELs every requested network, or, when the pod
    /// names none, every attachment the cache has for its container id; the cached
    /// configuration is preferred over the loaded one, so a network whose file is gone is
    /// still torn down. Every attachment is tried (ocicni stops at the first failure) and
    /// the failures are joined. Idempotent.
    ///
    /// # Errors
    /// [`Error::NoDefaultNetwork`]; [`Error::Pod`] per failing network.
    pub fn tear_down_pod(&self, pod: &PodNetwork, deadline: Option<Instant>) -> Result<()> {
        let inner = &*self.inner;
        let mut pod = pod.clone();
        if pod.networks.is_empty() {
            let cached = inner
                .cni
                .cached_attachments(Some(&pod.id))
                .unwrap_or_default();
            pod.networks = cached
                .into_iter()
                .filter(|e| !(e.if_name == "lo" && e.network_name == LOOPBACK_NETWORK))
                .map(|e| NetAttachment::with_ifname(e.network_name, e.if_name))
                .collect();
        }
        inner.networks_available(&pod)?;
        let _gc = inner.gc_lock.read().unwrap_or_else(PoisonError::into_inner);
        let _turn = inner.pod_turn(&pod);
        let mut errors = Vec::new();
        for att in inner.attachments(&pod)? {
            let del = || -> Result<()> {
                let rt = inner.runtime_conf(&pod, &att)?;
                let (list, rt) = inner.cached_or_loaded(&att.name, rt)?;
                inner.cni.del_list(&list, &rt, deadline)
            };
            if let Err(e) = del() {
                errors.push(Error::Pod {
                    pod: pod.full_name(),
                    network: att.name.clone(),
                    verb: Verb::Del,
                    source: Box::new(e),
                });
            }
        }
        Error::join_all(errors)
    }

    /// A pod's networks now (`GetPodNetworkStatus`): checks that `lo` is up, runs CHECK on
    /// each network of 0.4.0 and later, and returns the cached results; for an attachment
    /// without a cached result, one is made from the interface's MAC and first global
    /// addresses, read over netlink in the pod's namespace (ocicni runs `nsenter ... ip`).
    ///
    /// # Errors
    /// The loopback check's; [`Error::Pod`] for a failing CHECK.
    pub fn pod_network_status(
        &self,
        pod: &PodNetwork,
        deadline: Option<Instant>,
    ) -> Result<Vec<NetResult>> {
        let inner = &*self.inner;
        let _turn = inner.pod_turn(pod);
        sandbox::check_loopback(&pod.netns)?;
        let mut results = Vec::new();
        for att in inner.attachments(pod)? {
            let wrap = |e: Error| Error::Pod {
                pod: pod.full_name(),
                network: att.name.clone(),
                verb: Verb::Check,
                source: Box::new(e),
            };
            let rt = inner.runtime_conf(pod, &att)?;
            let (list, rt) = inner.cached_or_loaded(&att.name, rt).map_err(wrap)?;
            if list.version_at_least("0.4.0").map_err(wrap)? {
                inner.cni.check_list(&list, &rt, deadline).map_err(wrap)?;
            }
            let result = match inner.cni.cached_result(&list, &rt).map_err(wrap)? {
                Some(r) => r,
                None => sandbox::result_from_netns(&pod.netns, &att.ifname, &list.cni_version)
                    .map_err(wrap)?,
            };
            results.push(NetResult {
                result,
                attachment: att,
            });
        }
        Ok(results)
    }

    /// Whether the runtime can serve pods (`Status`): there must be a default network,
    /// and its plugins must pass STATUS (lists of 1.1.0 and later).
    ///
    /// # Errors
    /// [`Error::NoDefaultNetwork`]; the failing plugin's error (codes 50, 51...).
    pub fn status(&self, deadline: Option<Instant>) -> Result<()> {
        let net = {
            let st = self.inner.state();
            st.default_name().and_then(|n| st.networks.get(n).cloned())
        };
        let net = net.ok_or_else(|| self.inner.no_default())?;
        self.inner.cni.status_list(&net.config, deadline)
    }

    /// Garbage collection (`GC`): for every loaded network, DELs the cached attachments
    /// that belong to none of `valid_pods`, then runs the plugins' GC (lists of 1.1.0 and
    /// later) with the valid attachments. No other operation runs meanwhile.
    ///
    /// # Errors
    /// Every network's failure, joined.
    pub fn gc(&self, valid_pods: &[PodNetwork], deadline: Option<Instant>) -> Result<()> {
        let inner = &*self.inner;
        let _gc = inner
            .gc_lock
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let mut valid: HashMap<String, Vec<GcAttachment>> = HashMap::new();
        for pod in valid_pods {
            // A pod that could not be added has no attachment to keep.
            for att in inner.attachments(pod).unwrap_or_default() {
                valid.entry(att.name).or_default().push(GcAttachment {
                    container_id: pod.id.clone(),
                    if_name: att.ifname,
                });
            }
        }
        let networks: Vec<Arc<Network>> = inner.state().networks.values().cloned().collect();
        let mut errors = Vec::new();
        for net in networks {
            let keep = valid.get(&net.name).map(Vec::as_slice).unwrap_or_default();
            if let Err(e) = inner.cni.gc_list(&net.config, Some(keep), deadline) {
                errors.push(e);
            }
        }
        Error::join_all(errors)
    }

    /// Stops the watcher and waits for it (`Shutdown`). Pod operations still work; the
    /// configuration is then only loaded by [`CniRuntime::reload`] (or when a pod asks
    /// for a network that is not loaded).
    pub fn shutdown(&self) {
        if let Some(mut w) = lock(&self.watcher).take() {
            w.stop();
        }
    }

    /// The configuration directory.
    pub fn conf_dir(&self) -> &Path {
        &self.inner.conf_dir
    }
}

impl Drop for CniRuntime {
    fn drop(&mut self) {
        self.shutdown();
    }
}
