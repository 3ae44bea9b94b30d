//! `netns list | list-id | add | delete | set | identify | pids | exec`, like iproute2 6.1's
//! `ip netns`.
//!
//! Named namespaces are the library's [`NetNs`] (`/run/netns/NAME` bind mounts); namespace
//! ids are the library's [`Handle::nsid`], [`Handle::set_nsid`] and the `RTM_GETNSID` dump.
//!
//! Where netplumb differs from `ip netns`:
//! - `exec` runs the command as a child in the namespace (spawned from a thread that entered
//!   it) and exits with its status (128 + N when killed by signal N). It does not make a new
//!   mount namespace, remount `/sys` or bind `/etc/netns/NAME/*`: inside the command, `/sys`
//!   still shows the caller's namespace.
//! - `list` is sorted by name (`ip` prints directory order).
//! - `attach` and `monitor` are not supported (exit status 1).

use crate::cmd::Run;
use crate::cmd::link::NetnsRef;
use crate::cmd::netns::NetnsCmd;
use crate::ctx::Ctx;
use crate::error::{CliError, Res, error_text, failed};
use crate::json::Value;
use netplumb::wire::nlmsg::RTM_GETNSID;
use netplumb::wire::nsid::NsidMessage;
use netplumb::{Handle, NetNs};
use std::io::Write;
use std::os::unix::fs::MetadataExt;

impl Run for NetnsCmd {
    fn run(&self, ctx: &Ctx<'_>) -> Res<()> {
        run(self, ctx)
    }
}

/// Runs `netns`.
fn run(cmd: &NetnsCmd, ctx: &Ctx<'_>) -> Result<(), CliError> {
    match cmd {
        NetnsCmd::List => list(ctx),
        NetnsCmd::ListId => list_id(ctx),
        NetnsCmd::Add(name) => add(name),
        NetnsCmd::Del(Some(name)) => del(name),
        NetnsCmd::Del(None) => {
            let errors: Vec<String> = names()?
                .iter()
                .filter_map(|name| del(name).err().map(|e| e.to_string()))
                .collect();
            if errors.is_empty() {
                Ok(())
            } else {
                Err(CliError::Failed(errors.join("\n")))
            }
        }
        NetnsCmd::Set { name, nsid } => {
            let ns = open_named(name)?;
            // -1 (`auto`): the kernel picks the id.
            ctx.handle()?
                .set_nsid(&ns, (*nsid >= 0).then_some(*nsid))
                .map(drop)
                .map_err(failed)
        }
        NetnsCmd::Identify(pid) => identify(*pid),
        NetnsCmd::Pids(name) => pids(name),
        NetnsCmd::Exec {
            name: Some(name),
            cmd,
        } => {
            let code = exec(name, cmd)?;
            if ctx.globals.batch.is_some() {
                // In a batch, a failed command fails its line (like ip's forked child).
                return if code == 0 {
                    Ok(())
                } else {
                    Err(CliError::Failed(format!(
                        "netns exec: \"{}\" exited with status {code}",
                        cmd.first().map_or("", String::as_str)
                    )))
                };
            }
            let _ = std::io::stdout().flush();
            std::process::exit(code);
        }
        NetnsCmd::Exec { name: None, cmd } => {
            for name in names()? {
                println!("\nnetns: {name}");
                let _ = exec(&name, cmd);
            }
            Ok(())
        }
        NetnsCmd::Monitor => Err(CliError::Failed(
            "\"netns monitor\" is not supported by netplumb.".into(),
        )),
        NetnsCmd::Attach { .. } => Err(CliError::Failed(
            "\"netns attach\" is not supported by netplumb.".into(),
        )),
    }
}

/// The named namespaces.
fn names() -> Result<Vec<String>, CliError> {
    NetNs::list().map_err(failed)
}

/// `/run/netns/NAME`, or `ip`'s `Cannot open network namespace "NAME": ...`.
fn open_named(name: &str) -> Result<NetNs, CliError> {
    NetNs::open_name(name).map_err(|e| {
        CliError::Failed(format!(
            "Cannot open network namespace \"{name}\": {}",
            io_text(&e)
        ))
    })
}

/// The strerror-like text of an error (`No such file or directory`).
fn io_text(e: &netplumb::Error) -> String {
    match e {
        netplumb::Error::NotFound { .. } => "No such file or directory".into(),
        other => error_text(other),
    }
}

/// The id of the namespace `link-netns NS` names, assigning one if it has none (as `ip`
/// does).
pub fn nsid_for(h: &Handle, r: &NetnsRef) -> Result<i32, CliError> {
    let bad = || {
        CliError::Failed(format!(
            "Error: argument \"{}\" is wrong: Invalid \"link-netns\" value",
            r.0
        ))
    };
    let ns = if r.0.contains('/') {
        NetNs::open(&r.0)
    } else {
        NetNs::open_name(&r.0)
    }
    .map_err(|_| bad())?;
    if let Some(id) = h.nsid(&ns).map_err(|_| bad())? {
        return Ok(id);
    }
    h.set_nsid(&ns, None).map_err(|_| bad())
}

/// `netns list`: names (and ids where the current namespace has one for them).
fn list(ctx: &Ctx<'_>) -> Result<(), CliError> {
    let all = names()?;
    let h = if all.is_empty() {
        None
    } else {
        Some(ctx.handle()?)
    };
    let id_of = |name: &str| -> Option<i32> {
        let ns = NetNs::open_name(name).ok()?;
        h?.nsid(&ns).ok().flatten()
    };
    let g = ctx.globals;
    let mut out = std::io::stdout().lock();
    if g.json {
        let v: Vec<Value> = all
            .iter()
            .map(|n| {
                let mut o = Value::object();
                o.push("name", n.as_str());
                if let Some(id) = id_of(n) {
                    o.push("id", Value::I64(id.into()));
                }
                o
            })
            .collect();
        let _ = writeln!(out, "{}", Value::Array(v).to_text(g.pretty));
    } else {
        for n in &all {
            let _ = match id_of(n) {
                Some(id) => writeln!(out, "{n} (id: {id})"),
                None => writeln!(out, "{n}"),
            };
        }
    }
    Ok(())
}

/// `netns list-id`: the ids the current namespace has assigned, with the names they belong
/// to.
fn list_id(ctx: &Ctx<'_>) -> Result<(), CliError> {
    let h = ctx.handle()?;
    let ids: Vec<(i32, Option<i32>)> = h
        .dump_retry(h.dump_retries(), RTM_GETNSID, &NsidMessage::new(), |p| {
            let m = NsidMessage::parse(p)?;
            Ok((m.nsid().unwrap_or(-1), m.current_nsid()))
        })
        .map_err(failed)?;
    let named: Vec<(String, Option<i32>)> = names()?
        .into_iter()
        .map(|n| {
            let id = NetNs::open_name(&n)
                .ok()
                .and_then(|ns| h.nsid(&ns).ok().flatten());
            (n, id)
        })
        .collect();
    let name_of = |id: i32| {
        named
            .iter()
            .find(|(_, i)| *i == Some(id))
            .map(|(n, _)| n.clone())
    };
    let g = ctx.globals;
    let mut out = std::io::stdout().lock();
    let mut all = Vec::new();
    for (id, current) in ids {
        let mut o = Value::object();
        let mut line = String::new();
        if id < 0 {
            line.push_str("nsid unassigned ");
        } else {
            o.push("nsid", Value::I64(id.into()));
            line.push_str(&format!("nsid {id} "));
        }
        if let Some(c) = current {
            if c < 0 {
                line.push_str("current-nsid unassigned ");
            } else {
                o.push("current-nsid", Value::I64(c.into()));
                line.push_str(&format!("current-nsid {c} "));
            }
        }
        if let Some(n) = name_of(current.unwrap_or(id)) {
            line.push_str(&format!("(iproute2 netns name: {n})"));
            o.push("name", n);
        }
        if g.json {
            all.push(o);
        } else {
            let _ = writeln!(out, "{line}");
        }
    }
    if g.json {
        let _ = writeln!(out, "{}", Value::Array(all).to_text(g.pretty));
    }
    Ok(())
}

/// `netns add NAME`.
fn add(name: &str) -> Result<(), CliError> {
    NetNs::add(name).map(drop).map_err(|e| {
        CliError::Failed(format!(
            "Cannot create namespace file \"/run/netns/{name}\": {}",
            io_text(&e)
        ))
    })
}

/// `netns delete NAME`.
fn del(name: &str) -> Result<(), CliError> {
    NetNs::delete(name).map_err(|e| {
        CliError::Failed(format!(
            "Cannot remove namespace file \"/run/netns/{name}\": {}",
            io_text(&e)
        ))
    })
}

/// `netns identify [PID]`: the name of the namespace the process is in (empty line if it
/// has none).
fn identify(pid: Option<u32>) -> Result<(), CliError> {
    let path = match pid {
        Some(p) => format!("/proc/{p}/ns/net"),
        None => "/proc/self/ns/net".to_string(),
    };
    let md = std::fs::metadata(&path).map_err(|e| {
        CliError::Failed(format!(
            "Cannot open network namespace: {}",
            e.to_string().split(" (os error").next().unwrap_or_default()
        ))
    })?;
    let mut found = String::new();
    for n in names()? {
        if let Ok(m) = std::fs::metadata(format!("/run/netns/{n}"))
            && m.dev() == md.dev()
            && m.ino() == md.ino()
        {
            found = n;
        }
    }
    println!("{found}");
    Ok(())
}

/// `netns pids NAME`: the processes in the namespace.
fn pids(name: &str) -> Result<(), CliError> {
    let ns = NetNs::open_name(name)
        .map_err(|e| CliError::Failed(format!("Cannot open network namespace: {}", io_text(&e))))?;
    let dir = std::fs::read_dir("/proc")
        .map_err(|e| CliError::Failed(format!("Open of /proc failed: {e}")))?;
    let mut out = std::io::stdout().lock();
    for entry in dir.flatten() {
        let pid = entry.file_name();
        let Some(pid) = pid
            .to_str()
            .filter(|p| p.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        if let Ok(m) = std::fs::metadata(format!("/proc/{pid}/ns/net"))
            && m.dev() == ns.device()
            && m.ino() == ns.inode()
        {
            let _ = writeln!(out, "{pid}");
        }
    }
    Ok(())
}

/// Runs `cmd` in namespace `name` and returns its exit status (128 + signal when killed).
fn exec(name: &str, cmd: &[String]) -> Result<i32, CliError> {
    let ns = open_named(name)?;
    let Some((prog, args)) = cmd.split_first() else {
        return Err(CliError::Usage("No command specified".into()));
    };
    let _ = std::io::stdout().flush();
    // A child inherits the namespace of the thread that spawns it.
    let child = ns
        .run(|| std::process::Command::new(prog).args(args).spawn())
        .map_err(failed)?
        .map_err(|e| {
            CliError::Failed(format!(
                "exec of \"{prog}\" failed: {}",
                e.to_string().split(" (os error").next().unwrap_or_default()
            ))
        })?;
    let mut child = child;
    let status = child
        .wait()
        .map_err(|e| CliError::Failed(format!("waitpid: {e}")))?;
    use std::os::unix::process::ExitStatusExt;
    Ok(status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(1))
}
