//! The CNI runtime (feature `cni`): cri-o's ocicni in Rust, driving real CNI plugins.
//!
//! This is the runtime side of the Container Network Interface: what a Kubernetes
//! container runtime uses to give each pod its networks by running plugin binaries
//! (`bridge`, `host-local`, `portmap`, ...), following the CNI spec up to 1.1.0 and libcni's
//! behaviour. Layers, bottom up:
//!
//! | module | what | Go counterpart |
//! |---|---|---|
//! | [`version`] | spec versions, VERSION answers | `pkg/version` |
//! | [`result`] | results of every version, conversions | `pkg/types/{020,040,100}`, `types/internal` |
//! | [`error`] | typed errors, the CNI error object, codes | `pkg/types.Error` |
//! | [`config`] | network lists, loading directories | `libcni/conf.go`, ocicni `loadNetworks` |
//! | [`exec`] | running one plugin | `pkg/invoke` |
//! | [`cache`] | the attachment cache | `libcni` `cachedInfo` |
//! | [`client`] | the verbs over a list ([`Cni`]) | `libcni.CNIConfig` |
//! | [`pod`], [`runtime`] | pods ([`CniRuntime`]) | `ocicni` |
//! | `vm` | a result as the VM side's pod information ([`CniResult::pod_interface_info`]) | virtlet's use of `types.Result` |
//!
//! # ocicni's names in netplumb
//!
//! | ocicni (`pkg/ocicni`, v0.4.0 and HEAD) | netplumb |
//! |---|---|
//! | `DefaultInterfaceName` (`eth0`) | [`pod::DEFAULT_INTERFACE_NAME`] |
//! | `CNIPluginName` (`cni`) | [`runtime::CNI_PLUGIN_NAME`], [`CniRuntime::name`] |
//! | `DefaultConfDir` (`/etc/cni/net.d`) | [`runtime::DEFAULT_CONF_DIR`] |
//! | `DefaultBinDir` (`/opt/cni/bin`) | [`runtime::DEFAULT_BIN_DIR`] |
//! | libcni's `CacheDir` (`/var/lib/cni`) | [`cache::DEFAULT_CACHE_DIR`] |
//! | `InitCNI(defNet, confDir, binDirs...)` | [`CniRuntime::builder`]`().default_network(..).conf_dir(..).bin_dir(..).build()` |
//! | `InitCNIWithCache(.., cacheDir, ..)` | [`RuntimeBuilder::cache_dir`] |
//! | `InitCNINoInotify(..)` | [`RuntimeBuilder::watch`]`(false)` |
//! | `CNIPlugin` (interface) | [`CniRuntime`] (one implementation, so a struct) |
//! | `CNIPlugin.Name` | [`CniRuntime::name`] |
//! | `CNIPlugin.GetDefaultNetworkName` | [`CniRuntime::default_network_name`] (`None` for `""`) |
//! | `CNIPlugin.SetUpPod`, `SetUpPodWithContext` | [`CniRuntime::set_up_pod`] (deadline `None` or `Some`) |
//! | `CNIPlugin.TearDownPod`, `TearDownPodWithContext` | [`CniRuntime::tear_down_pod`] |
//! | `CNIPlugin.GetPodNetworkStatus`, `GetPodNetworkStatusWithContext` | [`CniRuntime::pod_network_status`] |
//! | `CNIPlugin.Status`, `StatusWithContext` (HEAD) | [`CniRuntime::status`] |
//! | `CNIPlugin.GC` (HEAD) | [`CniRuntime::gc`] |
//! | `CNIPlugin.Shutdown` | [`CniRuntime::shutdown`] (also on drop) |
//! | `PodNetwork{Name, Namespace, ID, UID, NetNS, Networks, RuntimeConfig, Aliases}` | [`PodNetwork`]`{name, namespace, id, uid, netns, networks, runtime_config, aliases}` |
//! | `NetAttachment{Name, Ifname}` | [`NetAttachment`]`{name, ifname}` |
//! | `NetResult{Result, NetAttachment}` | [`NetResult`]`{result, attachment}`; `types.Result` is [`CniResult`] |
//! | `RuntimeConfig{IP, MAC, PortMappings, Bandwidth, IpRanges, CgroupPath, PodAnnotations}` | [`RuntimeConfig`]`{ip, mac, port_mappings, bandwidth, ip_ranges, cgroup_path, pod_annotations}` |
//! | `PortMapping{HostPort, ContainerPort, Protocol, HostIP}` | [`PortMapping`] (JSON `hostPort`, `containerPort`, `protocol`, `hostIP`) |
//! | `BandwidthConfig{IngressRate, IngressBurst, EgressRate, EgressBurst}` | [`BandwidthConfig`] (JSON camelCase) |
//! | `IpRange{Subnet, RangeStart, RangeEnd, Gateway}` | [`IpRange`] (JSON `subnet`, `rangeStart`, `rangeEnd`, `gateway`) |
//! | (unexported) `buildCNIRuntimeConf`, `fillPodNetworks` | [`pod::runtime_conf`], [`pod::assign_interface_names`] |
//! | (unexported) `bringUpLoopback`, `checkLoopback`, `getContainerDetails` | [`sandbox::bring_up_loopback`], [`sandbox::check_loopback`], [`sandbox::result_from_netns`] |
//!
//! libcni underneath: `CNIConfig` is [`Cni`]; `AddNetworkList`, `CheckNetworkList`,
//! `DelNetworkList`, `GCNetworkList`, `GetStatusNetworkList`, `GetVersionInfo`,
//! `ValidateNetworkList`, `GetNetworkListCachedResult`, `GetNetworkListCachedConfig`,
//! `GetCachedAttachments` are [`Cni::add_list`], [`Cni::check_list`], [`Cni::del_list`],
//! [`Cni::gc_list`], [`Cni::status_list`], [`Cni::version_info`], [`Cni::validate_list`],
//! [`Cni::cached_result`], [`Cni::cached_config`], [`Cni::cached_attachments`];
//! `RuntimeConf` is [`RuntimeConf`], `GCAttachment` [`GcAttachment`],
//! `NetworkConfigList`/`NetworkConfig` [`NetworkConfigList`]/[`config::PluginConfig`],
//! `ConfListFromBytes`/`ConfFromBytes`/`ConfListFromConf` [`NetworkConfigList::from_bytes`]/
//! [`NetworkConfigList::from_conf_bytes`]/[`NetworkConfigList::from_plugin`], `LoadConfList`
//! [`config::find_network`]. The single-network `AddNetwork`/`DelNetwork`/`CheckNetwork` have
//! no counterpart: a single plugin configuration is a list of one
//! ([`NetworkConfigList::from_plugin`]), which is how ocicni uses them too.
//!
//! # Where netplumb differs from ocicni and libcni, and why
//!
//! - **A failed ADD leaves nothing behind.** The spec asks runtimes to DEL after a failed
//!   ADD; libcni, ocicni and cnitool do not. [`Cni::add_list`] DELs the plugins that ran,
//!   and [`CniRuntime::set_up_pod`] also DELs the networks already added when a later one
//!   fails (ocicni leaves them attached).
//! - **A second ADD on an attached interface is refused** ([`Error::AlreadyAttached`]):
//!   otherwise the DEL after the plugin's "already exists" failure would remove the
//!   attachment that was there.
//! - **Teardown tries every network** and joins the errors (ocicni stops at the first,
//!   PR #86 proposed this).
//! - **The cache is written atomically** (temporary file, fsync, rename): a crash never
//!   leaves the empty file that breaks libcni's DEL (containernetworking/cni#1055). A
//!   damaged entry does not block DEL (as libcni 1.2, PR #1072).
//! - **Every plugin call is bounded**: a deadline (the caller's, and a per-call timeout,
//!   120 s by default) kills a hung plugin and its whole process group; stdout is limited
//!   (16 MiB) and stderr kept to 64 KiB; a crashed plugin's process group is killed too.
//!   libcni waits forever without a context deadline and kills only the plugin.
//! - **No `nsenter`, no `ip`**: `lo` and the status fallback use netlink in the pod's
//!   namespace; ocicni refuses to start without `nsenter` on `PATH`.
//! - **The watcher reloads on every change**, deletions of any file included (ocicni reloads
//!   on a deletion only when it is the default network's file, so a removed network stayed
//!   usable), and in the bin directories too (a plugin installed later makes its lists
//!   valid). Events that arrive together cause one reload. Plugin VERSION answers are kept
//!   per binary (path, mtime, size, inode), so a reload does not run every plugin again.
//! - **Static IP and MAC are checked before anything runs**, for every network of the pod
//!   (ocicni checks each network's just before its ADD, after earlier networks were added).
//! - **No process-wide state**: ocicni reads `CNI_ARGS` from its own environment for every
//!   pod; netplumb takes those pairs from [`RuntimeBuilder::cni_args`]. Plugins still inherit
//!   the caller's environment, with the `CNI_*` variables overriding it.
//! - **The library never logs**: the files ocicni logs as skipped are in
//!   [`CniRuntime::invalid_configs`]; plugin stderr is in the errors, not copied to the
//!   process's stderr as libcni does.
//! - **A network name that could leave the directory is refused** when a `.conflist`
//!   aggregates plugin files from `DIR/NAME/` (libcni joins the name into the path
//!   unchecked). When plugins are aggregated, the cached `config` holds them all (libcni
//!   caches the file's bytes only, so a DEL from the cache would skip them).
//! - **A `.conf` whose name comes from its file name** (ocicni) caches a configuration
//!   with that name (ocicni's cached copy says `"name":""`).
//! - **GC with no valid pod for a network** sends `"cni.dev/valid-attachments": []`
//!   (ocicni sends `null`).
//! - JSON numbers in configurations are kept exactly (libcni goes through `float64`, so
//!   integers above 2^53 change), and `<`, `>`, `&` are not escaped as `\u003c`...
//! - Results: a plugin's result is read in the config's version when it names none (as
//!   libcni); `prevResult` is always given in the list's version (plugins parse it in the
//!   config's version; libcni passes it as the previous plugin returned it).
//!
//! # Not done
//!
//! - containerd's go-cni API (`New`/`Setup`/`Remove`/...) is not mirrored; the seed is ocicni.
//! - The watcher does not watch the `DIR/NAME/` subdirectories of aggregated plugin files.
//!
//! # Example
//!
//! `examples/cni_pod.rs` sets up a pod on a bridge network with Debian's plugins inside a
//! throwaway namespace that plays the host, and tears it down.

pub mod cache;
pub mod client;
pub mod config;
pub mod error;
pub mod exec;
pub mod pod;
pub mod result;
pub mod runtime;
pub mod sandbox;
pub mod version;
mod vm;
mod watch;

pub use cache::{Cache, CacheEntry};
pub use client::{Cni, GcAttachment, RuntimeConf};
pub use config::{NetworkConfigList, PluginConfig};
pub use error::{Error, PluginError, Result, Verb};
pub use exec::ExecOptions;
pub use pod::{
    BandwidthConfig, IpRange, NetAttachment, NetResult, PodNetwork, PortMapping, RuntimeConfig,
};
pub use result::CniResult;
pub use runtime::{CniRuntime, Network, RuntimeBuilder};
pub use version::{PluginInfo, SpecVersion};

/// cnitool's container id for a namespace path: `cnitool-` and the first 10 bytes of the
/// SHA-512 of `netns` (the absolute path), in hex.
///
/// ```
/// let id = netplumb::cni::cnitool_container_id("/run/netns/a");
/// // python3: "cnitool-" + hashlib.sha512(b"/run/netns/a").hexdigest()[:20]
/// assert_eq!(id, "cnitool-a145bc1ace582bff43bd");
/// ```
pub fn cnitool_container_id(netns: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha512::digest(netns.as_bytes());
    let hex: String = digest.iter().take(10).map(|b| format!("{b:02x}")).collect();
    format!("cnitool-{hex}")
}
