//! `netplumb cni add|check|del|status|gc NETNAME NETNS`: a drop-in for the reference
//! `cnitool` of containernetworking/cni 1.1 (spec 1.1.0, libcni 1.2).
//!
//! The same arguments and environment: `NETCONFPATH` (configuration directory, default
//! `/etc/cni/net.d`), `CNI_PATH` (plugin directories, `:`-separated), `CNI_IFNAME` (default
//! `eth0`; set but empty is an empty name), `CAP_ARGS` (a JSON object of capability
//! arguments), `CNI_ARGS` (`K=V;K=V`; a pair without exactly one `=`, or with an empty key or
//! value, is refused before any plugin runs). NETNS is made absolute and cleaned as Go's
//! `filepath.Abs` does, and the container id is cnitool's: `cnitool-` and the first 10 bytes
//! of the SHA-512 of that path, in hex. `add` prints the result as cnitool does (libcni's
//! `Result.Print`: indented by four spaces, no final newline); `gc` DELs every cached
//! attachment of the network and runs the plugins' GC without valid attachments. The cache
//! is libcni's, `/var/lib/cni`.
//!
//! It is a row of the CLI's object table (`main.rs`): the global options before `cni` are
//! read and ignored, except `-n`, which is refused (the namespace is NETNS), and a
//! `-batch` file may hold `cni` lines.
//!
//! Differences from cnitool:
//! - A usage error (missing or extra arguments, an unknown command) exits with 2 and prints
//!   the usage on stderr; cnitool exits 1 for too few arguments and 0 for an unknown command
//!   (after loading the configuration). `netplumb cni help` prints it on stdout and exits 0.
//! - The configuration directory is read as netplumb's `config::find_network` does: an
//!   invalid file on the way is skipped (cnitool fails on it).
//! - `NETPLUMB_CNI_CACHE_DIR` (an extension; cnitool has none) moves the cache, for tests and
//!   for running beside a runtime with another cache.
//! - Failed ADDs are cleaned up (see `netplumb::cni::client`).

use crate::args::{Cursor, Globals};
use crate::cmd::{self, Object, Run};
use crate::ctx::Ctx;
use crate::error::{CliError, Res};
use crate::help::Topic;
use netplumb::cni::{self, Cni, NetworkConfigList, RuntimeConf};
use std::path::{Path, PathBuf};

const USAGE: &str = "\
Usage: netplumb cni { add | check | del | status | gc } NETNAME NETNS

Add, check or remove network interfaces from a network namespace (cnitool's commands):
  add     ADD the network's plugins; prints the result
  check   CHECK the attachment against the cached result
  del     DEL the attachment (with the cached result)
  status  STATUS of the network's plugins (lists of 1.1.0 and later)
  gc      DEL every cached attachment of the network, then GC its plugins

Environment: NETCONFPATH (default /etc/cni/net.d), CNI_PATH, CNI_IFNAME (default eth0),
CAP_ARGS (JSON object), CNI_ARGS (K=V;K=V), NETPLUMB_CNI_CACHE_DIR (default /var/lib/cni).
";

/// `netplumb cni help`.
pub const TOPIC: Topic = Topic::new("cni", USAGE);

/// The `cni` row of the object table.
pub const OBJECT: Object = Object {
    topic: TOPIC,
    parse,
};

/// The verbs of `netplumb cni`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Command {
    Add,
    Check,
    Del,
    Status,
    Gc,
}

impl Command {
    fn parse(s: &str) -> Option<Command> {
        Some(match s {
            "add" => Command::Add,
            "check" => Command::Check,
            "del" => Command::Del,
            "status" => Command::Status,
            "gc" => Command::Gc,
            _ => return None,
        })
    }
}

/// `netplumb cni VERB NETNAME NETNS`, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CniCmd {
    verb: Command,
    net: String,
    netns: String,
}

/// Reads the words after `cni`: `help` (alone, also `-h`, `-help`, `--help`) or
/// `VERB NETNAME NETNS`; anything else is the usage on stderr, exit status 2.
fn parse(c: &mut Cursor<'_>, g: &Globals) -> Res<cmd::Command> {
    let args = c.rest();
    if g.netns.is_some() {
        return Err(CliError::Usage(format!(
            "netplumb cni: the namespace is the NETNS argument, not -n.\n{}",
            TOPIC.hint()
        )));
    }
    if let [h] = args.as_slice()
        && matches!(h.as_str(), "help" | "-h" | "-help" | "--help")
    {
        return Ok(cmd::Command::Help(TOPIC));
    }
    match (
        args.first().and_then(|a| Command::parse(a)),
        args.as_slice(),
    ) {
        (Some(verb), [_, net, netns]) => Ok(cmd::Command::of(CniCmd {
            verb,
            net: net.clone(),
            netns: netns.clone(),
        })),
        _ => Err(CliError::Usage(USAGE.trim_end_matches('\n').to_string())),
    }
}

impl Run for CniCmd {
    /// Runs the verb; a failure is its message on stderr, exit status 1.
    fn run(&self, _ctx: &Ctx<'_>) -> Res<()> {
        run(self.verb, &self.net, &self.netns, &Env::from_process()).map_err(CliError::Failed)
    }
}

/// The environment cnitool reads.
struct Env {
    netconfpath: Option<String>,
    cni_path: Option<String>,
    ifname: Option<String>,
    cap_args: Option<String>,
    cni_args: Option<String>,
    cache_dir: Option<String>,
}

impl Env {
    fn from_process() -> Env {
        let var = |k: &str| std::env::var(k).ok();
        Env {
            netconfpath: var("NETCONFPATH"),
            cni_path: var("CNI_PATH"),
            ifname: var("CNI_IFNAME"),
            cap_args: var("CAP_ARGS"),
            cni_args: var("CNI_ARGS"),
            cache_dir: var("NETPLUMB_CNI_CACHE_DIR"),
        }
    }
}

fn run(cmd: Command, net: &str, netns: &str, env: &Env) -> Result<(), String> {
    let dir = env
        .netconfpath
        .as_deref()
        .filter(|d| !d.is_empty())
        .unwrap_or(cni::runtime::DEFAULT_CONF_DIR);
    let list = cni::config::find_network(Path::new(dir), net).map_err(|e| e.to_string())?;
    let mut capability_args = serde_json::Map::new();
    if let Some(caps) = env.cap_args.as_deref().filter(|c| !c.is_empty()) {
        match serde_json::from_str::<serde_json::Value>(caps)
            .map_err(|e| format!("CAP_ARGS: {e}"))?
        {
            serde_json::Value::Object(m) => capability_args = m,
            serde_json::Value::Null => {}
            _ => return Err("CAP_ARGS: not a JSON object".into()),
        }
    }
    let args = match env.cni_args.as_deref().filter(|a| !a.is_empty()) {
        Some(a) => parse_cni_args(a)?,
        None => Vec::new(),
    };
    let netns = absolute(netns).map_err(|e| format!("NETNS {netns:?}: {e}"))?;
    let rt = RuntimeConf {
        container_id: cni::cnitool_container_id(&netns),
        netns,
        if_name: env.ifname.clone().unwrap_or_else(|| "eth0".into()),
        args,
        capability_args,
    };
    let bin_dirs = split_list(env.cni_path.as_deref().unwrap_or_default());
    let cache = env
        .cache_dir
        .as_deref()
        .filter(|d| !d.is_empty())
        .unwrap_or(cni::cache::DEFAULT_CACHE_DIR);
    let cni = Cni::new(bin_dirs, cache);
    execute(&cni, cmd, &list, &rt).map_err(|e| e.to_string())
}

fn execute(cni: &Cni, cmd: Command, list: &NetworkConfigList, rt: &RuntimeConf) -> cni::Result<()> {
    match cmd {
        Command::Add => {
            let result = cni.add_list(list, rt, None)?;
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            // As cnitool, nothing can be done about a failed print of the result.
            let _ = out.write_all(&result.to_json_pretty());
            let _ = out.flush();
            Ok(())
        }
        Command::Check => cni.check_list(list, rt, None),
        Command::Del => cni.del_list(list, rt, None),
        Command::Status => cni.status_list(list, None),
        Command::Gc => cni.gc_list(list, None, None),
    }
}

/// cnitool's `CNI_ARGS` parsing: `K=V` pairs separated by `;`, each with exactly one `=`
/// and neither side empty.
fn parse_cni_args(s: &str) -> Result<Vec<(String, String)>, String> {
    s.split(';')
        .map(|pair| {
            let kv: Vec<&str> = pair.split('=').collect();
            match kv.as_slice() {
                [k, v] if !k.is_empty() && !v.is_empty() => Ok((k.to_string(), v.to_string())),
                _ => Err(format!("invalid CNI_ARGS pair {pair:?}")),
            }
        })
        .collect()
}

/// Go's `filepath.SplitList`: an empty string is no directory at all.
fn split_list(s: &str) -> Vec<PathBuf> {
    if s.is_empty() {
        return Vec::new();
    }
    s.split(':').map(PathBuf::from).collect()
}

/// Go's `filepath.Abs`: joined to the working directory if relative, then cleaned.
fn absolute(p: &str) -> Result<String, String> {
    if p.starts_with('/') {
        return Ok(clean(p));
    }
    let cwd = std::env::current_dir().map_err(|e| e.to_string())?;
    let cwd = cwd.to_str().ok_or("the working directory is not UTF-8")?;
    Ok(clean(&format!("{cwd}/{p}")))
}

/// Go's `filepath.Clean` for absolute paths: no empty, `.` or `..` elements (`..` at the
/// root stays at the root), no trailing slash.
fn clean(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cni_args_are_parsed_as_cnitool_does() {
        assert_eq!(
            parse_cni_args("IP=198.18.0.5;K=V").unwrap(),
            [
                ("IP".to_string(), "198.18.0.5".to_string()),
                ("K".into(), "V".into())
            ]
        );
        for bad in ["K", "K=", "=V", "K=V=W", "K=V;", "K=V;;L=W"] {
            assert!(parse_cni_args(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn paths_are_made_absolute_as_go_does() {
        assert_eq!(clean("/run//netns/./a/"), "/run/netns/a");
        assert_eq!(clean("/../a/../b"), "/b");
        assert_eq!(clean("/"), "/");
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(absolute("x/../y").unwrap(), format!("{}/y", cwd.display()));
        assert_eq!(split_list(""), Vec::<PathBuf>::new());
        assert_eq!(split_list("/a::/b").len(), 3);
    }

    #[test]
    fn usage_errors_exit_2() {
        use crate::tests::{err, parse_as, parse_ok};
        let usage = USAGE.trim_end();
        for line in [
            "cni add net",
            "cni frob net /x",
            "cni add net /x extra",
            "cni",
        ] {
            assert_eq!(err(line), usage, "{line}");
        }
        assert_eq!(CliError::Usage(err("cni")).exit_code(), 2);
        for line in ["cni help", "cni -h", "help cni"] {
            assert_eq!(parse_ok(line), cmd::Command::Help(TOPIC), "{line}");
        }
        assert!(err("-n ns1 cni add net /x").contains("not -n"));
        assert_eq!(
            parse_as::<CniCmd>("-j cni del net /run/netns/x"),
            CniCmd {
                verb: Command::Del,
                net: "net".into(),
                netns: "/run/netns/x".into()
            }
        );
    }
}
