//! Errors of the CNI runtime: [`Error`], the CNI error object plugins print
//! ([`PluginError`]), the well-known error codes and the verbs ([`Verb`]).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// A CNI operation: the value of `CNI_COMMAND` a plugin is run with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verb {
    /// `ADD`: attach a container to a network.
    Add,
    /// `CHECK`: verify an attachment (spec 0.4.0 and later).
    Check,
    /// `DEL`: detach; idempotent and best-effort.
    Del,
    /// `GC`: remove whatever no valid attachment needs (spec 1.1.0).
    Gc,
    /// `STATUS`: is the plugin ready to serve ADDs (spec 1.1.0).
    Status,
    /// `VERSION`: which spec versions the plugin supports.
    Version,
}

impl Verb {
    /// The `CNI_COMMAND` value: `ADD`, `CHECK`, `DEL`, `GC`, `STATUS` or `VERSION`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Add => "ADD",
            Verb::Check => "CHECK",
            Verb::Del => "DEL",
            Verb::Gc => "GC",
            Verb::Status => "STATUS",
            Verb::Version => "VERSION",
        }
    }

    /// libcni's word for the verb in its error messages (`"plugin ... failed (add)"`).
    fn word(self) -> &'static str {
        match self {
            Verb::Add => "add",
            Verb::Check => "check",
            Verb::Del => "delete",
            Verb::Gc => "gc",
            Verb::Status => "status",
            Verb::Version => "version",
        }
    }
}

impl fmt::Display for Verb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Well-known CNI error codes (the spec's "Error" section). Codes 100 and up are the
/// plugin's own.
pub mod code {
    /// Unknown or unspecified error (also what libcni reports for a plugin that failed
    /// without a parsable message).
    pub const UNKNOWN: u32 = 0;
    /// Incompatible CNI version.
    pub const INCOMPATIBLE_VERSION: u32 = 1;
    /// Unsupported field in the network configuration.
    pub const UNSUPPORTED_FIELD: u32 = 2;
    /// Container unknown or does not exist.
    pub const UNKNOWN_CONTAINER: u32 = 3;
    /// Invalid necessary environment variables (`CNI_COMMAND`, `CNI_CONTAINERID`, ...).
    pub const INVALID_ENVIRONMENT: u32 = 4;
    /// I/O failure.
    pub const IO_FAILURE: u32 = 5;
    /// Failed to decode content.
    pub const DECODING_FAILURE: u32 = 6;
    /// Invalid network configuration.
    pub const INVALID_NETWORK_CONFIG: u32 = 7;
    /// Invalid network namespace.
    pub const INVALID_NETNS: u32 = 8;
    /// Try again later.
    pub const TRY_AGAIN_LATER: u32 = 11;
    /// STATUS: the plugin is not available (cannot serve ADD requests).
    pub const PLUGIN_NOT_AVAILABLE: u32 = 50;
    /// STATUS: limited connectivity; ADDs may succeed with reduced connectivity.
    pub const LIMITED_CONNECTIVITY: u32 = 51;
    /// libcni's internal error.
    pub const INTERNAL: u32 = 999;
}

/// The error object of the CNI protocol: what a failing plugin prints on stdout
/// (`{"cniVersion", "code", "msg", "details"}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginError {
    /// `cniVersion`, when the plugin gave one.
    #[serde(
        rename = "cniVersion",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub cni_version: String,
    /// `code`: one of [`code`], or 100 and up for the plugin's own.
    #[serde(default)]
    pub code: u32,
    /// `msg`: a short message.
    #[serde(default)]
    pub msg: String,
    /// `details`: a longer message, possibly empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub details: String,
}

impl fmt::Display for PluginError {
    /// `msg; details`, as libcni prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg)?;
        if !self.details.is_empty() {
            write!(f, "; {}", self.details)?;
        }
        Ok(())
    }
}

/// `Result<T, cni::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong in the CNI runtime.
///
/// Errors that come from a plugin name the plugin (its `type`) and the verb. The messages
/// keep libcni's and ocicni's wording where they have one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The plugin ran and failed: it exited non-zero, with the CNI error object on stdout
    /// (or, as libcni does, an error made up from its stderr when stdout was empty or not
    /// an error object).
    #[error("plugin type={plugin:?} failed ({}): {error}", verb.word())]
    Plugin {
        /// The plugin's `type`.
        plugin: String,
        /// The verb it ran.
        verb: Verb,
        /// The error it reported.
        error: Box<PluginError>,
        /// The start of what it wrote on stderr.
        stderr: String,
    },
    /// No executable named like the plugin's `type` in any bin directory.
    #[error("failed to find plugin {plugin:?} in path {dirs:?}")]
    PluginNotFound {
        /// The plugin's `type`.
        plugin: String,
        /// The directories searched, in order.
        dirs: Vec<PathBuf>,
    },
    /// The plugin could not be started (`execve` failed, pipes could not be made, ...).
    #[error("plugin type={plugin:?} could not be run ({}): {source}", verb.word())]
    Spawn {
        /// The plugin's `type`.
        plugin: String,
        /// The verb.
        verb: Verb,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The plugin did not finish before the deadline; it and its process group were killed
    /// (`SIGKILL`).
    #[error(
        "plugin type={plugin:?} timed out ({}) after {elapsed:?} and was killed",
        verb.word()
    )]
    Timeout {
        /// The plugin's `type`.
        plugin: String,
        /// The verb.
        verb: Verb,
        /// How long it had run.
        elapsed: Duration,
        /// The start of what it wrote on stderr.
        stderr: String,
    },
    /// The deadline had passed before the plugin could be started.
    #[error("deadline exceeded before plugin type={plugin:?} could run ({})", verb.word())]
    DeadlineExceeded {
        /// The plugin's `type`.
        plugin: String,
        /// The verb.
        verb: Verb,
    },
    /// The plugin was killed by a signal (it crashed, or someone killed it).
    #[error("plugin type={plugin:?} was killed by signal {signal} ({})", verb.word())]
    Killed {
        /// The plugin's `type`.
        plugin: String,
        /// The verb.
        verb: Verb,
        /// The signal number.
        signal: i32,
        /// The start of what it wrote on stderr.
        stderr: String,
    },
    /// The plugin wrote more than the limit on stdout; it and its process group were
    /// killed.
    #[error(
        "plugin type={plugin:?} wrote more than {limit} bytes on stdout ({}) and was killed",
        verb.word()
    )]
    OutputTooLarge {
        /// The plugin's `type`.
        plugin: String,
        /// The verb.
        verb: Verb,
        /// The limit in bytes.
        limit: usize,
    },
    /// The plugin succeeded but its result (or VERSION answer) is not what the spec
    /// defines.
    #[error("plugin type={plugin:?} returned an invalid result ({}): {reason}", verb.word())]
    BadResult {
        /// The plugin's `type`.
        plugin: String,
        /// The verb.
        verb: Verb,
        /// Why it was refused.
        reason: String,
        /// The start of its output.
        output: String,
    },
    /// A result cannot be converted to the version asked for (the spec's "incompatible CNI
    /// versions", code 1), or a version is not one of the spec's.
    #[error("incompatible CNI versions: {reason}")]
    IncompatibleVersion {
        /// Why (`"no converter for CNI result version 0.2.0 to 2.0.0"`, ...).
        reason: String,
    },
    /// A list older than 0.4.0 cannot be CHECKed.
    #[error("configuration version {version:?} does not support the CHECK command")]
    CheckNotSupported {
        /// The list's `cniVersion`.
        version: String,
    },
    /// A network configuration (file, list or plugin object) is not valid.
    #[error("{}error parsing configuration: {reason}", file_prefix(file))]
    InvalidConfig {
        /// The file it came from, if any.
        file: Option<PathBuf>,
        /// Why.
        reason: String,
    },
    /// An argument refused before any plugin ran: a container id, network name or
    /// interface name against CNI's rules, a malformed `CNI_ARGS` pair, an IP or MAC...
    #[error("invalid {what}: {reason}")]
    InvalidInput {
        /// What was invalid.
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// No network of that name in the configuration directory.
    #[error("no net configuration with name {name:?} in {}", dir.display())]
    NetworkNotFound {
        /// The name asked for.
        name: String,
        /// The configuration directory.
        dir: PathBuf,
    },
    /// The pod names no network and there is no default network (ocicni's message).
    #[error("no CNI configuration file in {}. Has your network provider started?", dir.display())]
    NoDefaultNetwork {
        /// The configuration directory.
        dir: PathBuf,
    },
    /// An ADD for a container id and interface name that already have an attachment in the
    /// cache (see the module docs: the rollback of a second ADD would destroy the first).
    #[error(
        "container {container_id:?} already has interface {ifname:?} attached (network {network:?}); DEL it first"
    )]
    AlreadyAttached {
        /// The network of the existing attachment.
        network: String,
        /// The container id.
        container_id: String,
        /// The interface name.
        ifname: String,
    },
    /// A cache entry could not be read, parsed or written.
    #[error("CNI cache {}: {reason}", path.display())]
    Cache {
        /// The cache file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A file system operation failed.
    #[error("{op}: {source}")]
    Io {
        /// What was being done.
        op: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A netlink operation (loopback, pod status) failed.
    #[error(transparent)]
    Netlink(#[from] crate::Error),
    /// A pod's network operation failed (ocicni's wrapping: `error adding pod NS_NAME to
    /// CNI network "NET": ...`).
    #[error("error {} pod {pod} {} CNI network {network:?}: {source}", action(*verb), preposition(*verb))]
    Pod {
        /// `namespace_name` of the pod.
        pod: String,
        /// The network.
        network: String,
        /// What was being done (ADD, DEL or CHECK).
        verb: Verb,
        /// The underlying error.
        #[source]
        source: Box<Error>,
    },
    /// An operation failed and undoing what it had done failed too: `error` is the
    /// original failure, `cleanup` the failures of the undo (DELs), in the order they
    /// happened.
    #[error("{error} (and the cleanup failed: {})", join(cleanup))]
    CleanupFailed {
        /// The original failure.
        error: Box<Error>,
        /// What went wrong while undoing.
        cleanup: Vec<Error>,
    },
    /// An error with what was being done (`error adding loopback interface: ...`).
    #[error("{context}: {source}")]
    Context {
        /// What was being done.
        context: String,
        /// The failure.
        #[source]
        source: Box<Error>,
    },
    /// GC could not DEL a stale cached attachment.
    #[error("failed to delete stale attachment {container_id} {ifname}: {source}")]
    StaleAttachment {
        /// The attachment's container id.
        container_id: String,
        /// Its interface name.
        ifname: String,
        /// Why the DEL failed.
        #[source]
        source: Box<Error>,
    },
    /// Several independent failures (GC of several networks, teardown of several
    /// attachments), in order.
    #[error("{}", join(.0))]
    Multiple(Vec<Error>),
    /// A result that the VM side's pod information cannot represent
    /// ([`CniResult::pod_interface_info`](super::CniResult::pod_interface_info)).
    #[error("cannot give the CNI result to a VM: {reason}")]
    PodInfo {
        /// Why.
        reason: String,
    },
}

fn file_prefix(file: &Option<PathBuf>) -> String {
    file.as_ref()
        .map(|f| format!("{}: ", f.display()))
        .unwrap_or_default()
}

fn action(v: Verb) -> &'static str {
    match v {
        Verb::Add => "adding",
        Verb::Del => "removing",
        _ => "checking",
    }
}

fn preposition(v: Verb) -> &'static str {
    match v {
        Verb::Add => "to",
        Verb::Del => "from",
        _ => "for",
    }
}

fn join(errors: &[Error]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl Error {
    pub(crate) fn io(op: impl Into<String>, source: std::io::Error) -> Error {
        Error::Io {
            op: op.into(),
            source,
        }
    }

    pub(crate) fn invalid(what: &'static str, reason: impl Into<String>) -> Error {
        Error::InvalidInput {
            what,
            reason: reason.into(),
        }
    }

    pub(crate) fn config(file: Option<&std::path::Path>, reason: impl Into<String>) -> Error {
        Error::InvalidConfig {
            file: file.map(std::path::Path::to_path_buf),
            reason: reason.into(),
        }
    }

    pub(crate) fn incompatible(reason: impl Into<String>) -> Error {
        Error::IncompatibleVersion {
            reason: reason.into(),
        }
    }

    /// Joins errors: none is `Ok`, one is itself, more are [`Error::Multiple`].
    pub(crate) fn join_all(mut errors: Vec<Error>) -> Result<()> {
        match errors.len() {
            0 => Ok(()),
            1 => Err(errors.remove(0)),
            _ => Err(Error::Multiple(errors)),
        }
    }

    /// The CNI error code: the plugin's for [`Error::Plugin`], the spec's code for the
    /// runtime's own errors that have one (1 for versions, 4 for bad input, 7 for bad
    /// configuration...), `None` otherwise. Wrapping variants give their cause's code.
    pub fn code(&self) -> Option<u32> {
        match self {
            Error::Plugin { error, .. } => Some(error.code),
            Error::IncompatibleVersion { .. } => Some(code::INCOMPATIBLE_VERSION),
            Error::CheckNotSupported { .. } => Some(code::INCOMPATIBLE_VERSION),
            Error::InvalidConfig { .. } | Error::NetworkNotFound { .. } => {
                Some(code::INVALID_NETWORK_CONFIG)
            }
            Error::InvalidInput { .. } => Some(code::INVALID_ENVIRONMENT),
            Error::Cache { .. } | Error::Io { .. } => Some(code::IO_FAILURE),
            Error::Pod { source, .. } | Error::Context { source, .. } => source.code(),
            Error::CleanupFailed { error, .. } => error.code(),
            _ => None,
        }
    }

    /// The plugin `type` the error comes from, if it comes from one.
    pub fn plugin(&self) -> Option<&str> {
        match self {
            Error::Plugin { plugin, .. }
            | Error::PluginNotFound { plugin, .. }
            | Error::Spawn { plugin, .. }
            | Error::Timeout { plugin, .. }
            | Error::DeadlineExceeded { plugin, .. }
            | Error::Killed { plugin, .. }
            | Error::OutputTooLarge { plugin, .. }
            | Error::BadResult { plugin, .. } => Some(plugin),
            Error::Pod { source, .. } => source.plugin(),
            Error::CleanupFailed { error, .. } => error.plugin(),
            _ => None,
        }
    }

    /// The verb the failing plugin ran, if the error comes from a plugin.
    pub fn verb(&self) -> Option<Verb> {
        match self {
            Error::Plugin { verb, .. }
            | Error::Spawn { verb, .. }
            | Error::Timeout { verb, .. }
            | Error::DeadlineExceeded { verb, .. }
            | Error::Killed { verb, .. }
            | Error::OutputTooLarge { verb, .. }
            | Error::BadResult { verb, .. } => Some(*verb),
            Error::Pod { source, .. } => source.verb(),
            Error::CleanupFailed { error, .. } => error.verb(),
            _ => None,
        }
    }

    /// True if a plugin was killed at its deadline, or the deadline passed before it ran.
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Timeout { .. } | Error::DeadlineExceeded { .. } => true,
            Error::Pod { source, .. } => source.is_timeout(),
            Error::CleanupFailed { error, .. } => error.is_timeout(),
            _ => false,
        }
    }
}

/// The CNI runtime's undo logs (the DELs that undo a failed ADD, the networks that undo a
/// failed pod setup) fail with its own errors.
impl crate::undo::UndoError for Error {
    /// A netlink step whose object is gone. A plugin's DEL reports success for what is
    /// gone (the spec makes DEL idempotent), so its failures always count.
    fn is_gone(&self) -> bool {
        matches!(self, Error::Netlink(e) if e.is_not_found())
    }

    /// [`Error::CleanupFailed`].
    fn rolled_back(error: Self, cleanup: Vec<Self>) -> Self {
        Error::CleanupFailed {
            error: Box::new(error),
            cleanup,
        }
    }

    /// The one error, or [`Error::Multiple`].
    fn teardown_failed(mut errors: Vec<Self>) -> Self {
        if errors.len() == 1 {
            errors.remove(0)
        } else {
            Error::Multiple(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_keep_libcni_wording() {
        let e = Error::Plugin {
            plugin: "bridge".into(),
            verb: Verb::Add,
            error: Box::new(PluginError {
                code: 7,
                msg: "bad".into(),
                details: "very".into(),
                ..Default::default()
            }),
            stderr: String::new(),
        };
        assert_eq!(
            e.to_string(),
            "plugin type=\"bridge\" failed (add): bad; very"
        );
        assert_eq!(e.code(), Some(7));
        assert_eq!(e.plugin(), Some("bridge"));
        let p = Error::Pod {
            pod: "ns_p".into(),
            network: "net".into(),
            verb: Verb::Del,
            source: Box::new(e),
        };
        assert!(
            p.to_string()
                .starts_with("error removing pod ns_p from CNI network \"net\": ")
        );
        assert_eq!(p.verb(), Some(Verb::Add));
        let n = Error::NoDefaultNetwork {
            dir: "/etc/cni/net.d".into(),
        };
        assert_eq!(
            n.to_string(),
            "no CNI configuration file in /etc/cni/net.d. Has your network provider started?"
        );
    }

    #[test]
    fn plugin_errors_parse_with_defaults() {
        let e: PluginError = serde_json::from_str(r#"{"code":100,"msg":"m"}"#).unwrap();
        assert_eq!((e.code, e.msg.as_str(), e.details.as_str()), (100, "m", ""));
        assert_eq!(e.to_string(), "m");
        assert_eq!(Error::join_all(vec![]).ok(), Some(()));
    }
}
