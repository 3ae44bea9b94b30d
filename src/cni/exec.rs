//! Running plugin binaries: the CNI protocol's process side.
//!
//! A plugin is found by its `type` in the bin directories, in order ([`find_plugin`]). It
//! runs with the caller's environment plus the `CNI_*` variables (which win over inherited
//! ones, as libcni's de-duplication makes them), the network configuration on stdin, and
//! its result or error on stdout ([`exec_plugin`]).
//!
//! Unlike libcni, netplumb bounds every call:
//! - a **deadline** (the caller's, or [`ExecOptions::timeout`] from the start of the call,
//!   whichever comes first): a plugin still running then is killed with `SIGKILL`, and so
//!   is everything it started, because each plugin runs in a process group of its own;
//! - **stdout** is limited ([`ExecOptions::max_stdout`], 16 MiB by default): a plugin that
//!   writes more is killed the same way; **stderr** is kept up to
//!   [`ExecOptions::max_stderr`] (64 KiB) and the rest is read and dropped;
//! - a plugin that **crashes** (ends by a signal) also has its process group killed.
//!
//! A plugin that exits while a child it started still holds its stdout open is not waited
//! for: once the plugin has exited, what it wrote is read and the call ends. stdin, stdout
//! and stderr are served by one thread with `poll(2)`, so a plugin that does not read its
//! stdin cannot block the runtime. As libcni, a plugin binary that is busy being written
//! (`ETXTBSY`) is retried up to five times, a second apart (within the deadline).

use super::error::{Error, PluginError, Result, Verb};
use nix::errno::Errno;
use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{Signal, killpg};
use nix::sys::wait::{Id, WaitPidFlag, WaitStatus, waitid};
use nix::unistd::Pid;
use std::io::{ErrorKind, Read, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The default limit of one plugin call.
pub const DEFAULT_PLUGIN_TIMEOUT: Duration = Duration::from_secs(120);

/// How a plugin is run: its time limit and how much output is accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecOptions {
    /// The longest one plugin call may take (`None`: only the caller's deadline limits
    /// it). Default 120 s.
    pub timeout: Option<Duration>,
    /// The most stdout accepted, in bytes; a plugin that writes more is killed.
    /// Default 16 MiB.
    pub max_stdout: usize,
    /// The most stderr kept, in bytes (for error messages); the rest is dropped.
    /// Default 64 KiB.
    pub max_stderr: usize,
}

impl Default for ExecOptions {
    fn default() -> Self {
        ExecOptions {
            timeout: Some(DEFAULT_PLUGIN_TIMEOUT),
            max_stdout: 16 << 20,
            max_stderr: 64 << 10,
        }
    }
}

/// The `CNI_*` environment of one plugin call.
#[derive(Debug, Clone, Copy)]
pub struct Invocation<'a> {
    /// `CNI_COMMAND`.
    pub verb: Verb,
    /// `CNI_CONTAINERID`.
    pub container_id: &'a str,
    /// `CNI_NETNS`.
    pub netns: &'a str,
    /// `CNI_IFNAME`.
    pub ifname: &'a str,
    /// `CNI_ARGS`, joined as `K=V;K=V`.
    pub args: &'a [(String, String)],
    /// `CNI_PATH`: the bin directories joined with `:`.
    pub path: &'a str,
}

/// `K=V;K=V`, as libcni joins `CNI_ARGS`.
pub fn join_args(args: &[(String, String)]) -> String {
    args.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(";")
}

/// Finds the plugin `plugin` (a `type`) in `dirs`, in order: the first regular file of
/// that name (symbolic links followed), as libcni's `FindInPath`.
///
/// # Errors
/// [`Error::InvalidInput`] for a type that is empty or could name another directory (`/`,
/// `.`, `..`, NUL); [`Error::PluginNotFound`].
pub fn find_plugin(plugin: &str, dirs: &[PathBuf]) -> Result<PathBuf> {
    if plugin.is_empty() {
        return Err(Error::invalid("plugin type", "no plugin name provided"));
    }
    if plugin.contains('/') || plugin.contains('\0') || plugin == "." || plugin == ".." {
        return Err(Error::invalid(
            "plugin type",
            format!("invalid plugin name: {plugin:?}"),
        ));
    }
    for dir in dirs {
        let candidate = dir.join(plugin);
        if std::fs::metadata(&candidate).is_ok_and(|m| m.is_file()) {
            return Ok(candidate);
        }
    }
    Err(Error::PluginNotFound {
        plugin: plugin.to_string(),
        dirs: dirs.to_vec(),
    })
}

/// Runs the plugin at `path` (named `plugin` in errors) with `stdin` and the `CNI_*`
/// environment of `inv`, and returns its stdout when it exits with status 0.
///
/// # Errors
/// [`Error::Plugin`] for a non-zero exit (the error object it printed, or libcni's
/// made-up one); [`Error::Timeout`], [`Error::DeadlineExceeded`], [`Error::Killed`],
/// [`Error::OutputTooLarge`], [`Error::Spawn`].
pub fn exec_plugin(
    path: &Path,
    plugin: &str,
    inv: &Invocation<'_>,
    stdin: &[u8],
    opts: &ExecOptions,
    deadline: Option<Instant>,
) -> Result<Vec<u8>> {
    let start = Instant::now();
    let deadline = match (deadline, opts.timeout) {
        (Some(d), Some(t)) => Some(d.min(start + t)),
        (d, t) => d.or_else(|| t.map(|t| start + t)),
    };
    let fail = |e: Failure| e.into_error(plugin, inv.verb, start, opts);
    let mut child = spawn(path, plugin, inv, deadline)?;
    let output = match communicate(&mut child, stdin, opts, deadline) {
        Ok(o) => o,
        Err(e) => {
            kill_group(&mut child);
            return Err(fail(e));
        }
    };
    match wait(&child, deadline) {
        None => {
            kill_group(&mut child);
            return Err(fail(Failure::Timeout(output.stderr)));
        }
        // A crash: whatever it started dies with it.
        Some(Ended::Signaled) => {
            let _ = killpg(Pid::from_raw(child.id() as i32), Signal::SIGKILL);
        }
        Some(Ended::Exited) => {}
    }
    let status = child.wait().map_err(|e| fail(Failure::Io(e)))?;
    interpret(plugin, inv.verb, status, output)
}

fn interpret(plugin: &str, verb: Verb, status: ExitStatus, output: Output) -> Result<Vec<u8>> {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if let Some(signal) = status.signal() {
        return Err(Error::Killed {
            plugin: plugin.to_string(),
            verb,
            signal,
            stderr,
        });
    }
    if status.success() {
        return Ok(output.stdout);
    }
    Err(Error::Plugin {
        plugin: plugin.to_string(),
        verb,
        error: Box::new(plugin_error(status, &output.stdout, &stderr)),
        stderr,
    })
}

/// The error of a failed plugin, as libcni's `pluginErr` makes it.
fn plugin_error(status: ExitStatus, stdout: &[u8], stderr: &str) -> PluginError {
    if stdout.is_empty() {
        let msg = if stderr.is_empty() {
            format!("netplugin failed with no error message: {status}")
        } else {
            format!("netplugin failed: {stderr:?}")
        };
        return PluginError {
            msg,
            ..Default::default()
        };
    }
    match serde_json::from_slice::<PluginError>(stdout) {
        Ok(e) => e,
        Err(e) => PluginError {
            msg: format!(
                "netplugin failed but error parsing its diagnostic message {:?}: {e}",
                excerpt(stdout)
            ),
            ..Default::default()
        },
    }
}

/// The start of `bytes`, lossily decoded, for messages.
pub(crate) fn excerpt(bytes: &[u8]) -> String {
    const MAX: usize = 512;
    let s = String::from_utf8_lossy(bytes.get(..MAX).unwrap_or(bytes)).into_owned();
    if bytes.len() > MAX { s + "..." } else { s }
}

fn spawn(
    path: &Path,
    plugin: &str,
    inv: &Invocation<'_>,
    deadline: Option<Instant>,
) -> Result<Child> {
    let mut cmd = Command::new(path);
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own process group, so that a kill reaches whatever it started.
        .process_group(0)
        .env("CNI_COMMAND", inv.verb.as_str())
        .env("CNI_CONTAINERID", inv.container_id)
        .env("CNI_NETNS", inv.netns)
        .env("CNI_ARGS", join_args(inv.args))
        .env("CNI_IFNAME", inv.ifname)
        .env("CNI_PATH", inv.path);
    let mut attempts = 0;
    loop {
        match cmd.spawn() {
            Ok(c) => return Ok(c),
            Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) && attempts < 5 => {
                attempts += 1;
                let pause = Duration::from_secs(1);
                if deadline.is_some_and(|d| Instant::now() + pause >= d) {
                    return Err(Error::DeadlineExceeded {
                        plugin: plugin.to_string(),
                        verb: inv.verb,
                    });
                }
                std::thread::sleep(pause);
            }
            Err(source) => {
                return Err(Error::Spawn {
                    plugin: plugin.to_string(),
                    verb: inv.verb,
                    source,
                });
            }
        }
    }
}

struct Output {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

enum Failure {
    Timeout(Vec<u8>),
    TooLarge,
    Io(std::io::Error),
}

impl Failure {
    fn into_error(self, plugin: &str, verb: Verb, start: Instant, opts: &ExecOptions) -> Error {
        let plugin = plugin.to_string();
        match self {
            Failure::Timeout(stderr) => Error::Timeout {
                plugin,
                verb,
                elapsed: start.elapsed(),
                stderr: String::from_utf8_lossy(&stderr).into_owned(),
            },
            Failure::TooLarge => Error::OutputTooLarge {
                plugin,
                verb,
                limit: opts.max_stdout,
            },
            Failure::Io(source) => Error::Spawn {
                plugin,
                verb,
                source,
            },
        }
    }
}

fn set_nonblocking(fd: BorrowedFd<'_>) -> std::io::Result<()> {
    let flags = fcntl(fd, FcntlArg::F_GETFL).map_err(std::io::Error::from)?;
    let flags = OFlag::from_bits_truncate(flags) | OFlag::O_NONBLOCK;
    fcntl(fd, FcntlArg::F_SETFL(flags)).map_err(std::io::Error::from)?;
    Ok(())
}

/// How often a plugin that keeps its pipes open is checked for having exited.
const TICK: Duration = Duration::from_millis(100);

/// Feeds stdin and collects stdout and stderr until both are closed, or the plugin has
/// exited, or the deadline.
fn communicate(
    child: &mut Child,
    input: &[u8],
    opts: &ExecOptions,
    deadline: Option<Instant>,
) -> std::result::Result<Output, Failure> {
    let mut stdin = child.stdin.take();
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    for fd in [
        stdin.as_ref().map(|s| s.as_fd()),
        stdout.as_ref().map(|s| s.as_fd()),
        stderr.as_ref().map(|s| s.as_fd()),
    ]
    .into_iter()
    .flatten()
    {
        set_nonblocking(fd).map_err(Failure::Io)?;
    }
    let mut written = 0;
    if input.is_empty() {
        stdin = None;
    }
    let mut out = Output {
        stdout: Vec::new(),
        stderr: Vec::new(),
    };
    let mut buf = vec![0u8; 64 << 10];
    // One byte more than allowed tells "too large" from "exactly the limit".
    let out_limit = opts.max_stdout.saturating_add(1);
    while stdout.is_some() || stderr.is_some() {
        let mut wait = TICK;
        if let Some(d) = deadline {
            let now = Instant::now();
            if now >= d {
                return Err(Failure::Timeout(out.stderr));
            }
            wait = wait.min(d - now);
        }
        let ready = {
            let mut fds = Vec::with_capacity(3);
            let slots = [
                stdin.as_ref().map(|s| (s.as_fd(), PollFlags::POLLOUT)),
                stdout.as_ref().map(|s| (s.as_fd(), PollFlags::POLLIN)),
                stderr.as_ref().map(|s| (s.as_fd(), PollFlags::POLLIN)),
            ];
            for (fd, ev) in slots.iter().flatten() {
                fds.push(PollFd::new(*fd, *ev));
            }
            let timeout = PollTimeout::try_from(wait).unwrap_or(PollTimeout::MAX);
            match poll(&mut fds, timeout) {
                Ok(n) => n,
                Err(Errno::EINTR) => continue,
                Err(e) => return Err(Failure::Io(e.into())),
            }
        };
        if ready == 0 {
            // Nothing to read for a while: if the plugin is gone, what it wrote is all in
            // the pipes; a child of its may be holding them open.
            if matches!(child.try_wait(), Ok(Some(_))) {
                drain(&mut stdout, &mut out.stdout, out_limit, &mut buf, true);
                drain(
                    &mut stderr,
                    &mut out.stderr,
                    opts.max_stderr,
                    &mut buf,
                    false,
                );
                if out.stdout.len() > opts.max_stdout {
                    return Err(Failure::TooLarge);
                }
                break;
            }
            continue;
        }
        if let Some(s) = stdin.as_mut() {
            match s.write(input.get(written..).unwrap_or_default()) {
                Ok(n) => written += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                // EPIPE: the plugin does not want (the rest of) its input.
                Err(_) => written = input.len(),
            }
            if written >= input.len() {
                stdin = None;
            }
        }
        drain(&mut stdout, &mut out.stdout, out_limit, &mut buf, true);
        if out.stdout.len() > opts.max_stdout {
            return Err(Failure::TooLarge);
        }
        drain(
            &mut stderr,
            &mut out.stderr,
            opts.max_stderr,
            &mut buf,
            false,
        );
    }
    Ok(out)
}

/// Reads what `pipe` has now (it is non-blocking) into `into`, up to `keep` bytes: past
/// that, stdout stops being read (the caller kills the plugin) and stderr is dropped.
/// Closes the pipe at end of file or on an error.
fn drain<R: Read>(
    pipe: &mut Option<R>,
    into: &mut Vec<u8>,
    keep: usize,
    buf: &mut [u8],
    stop: bool,
) {
    let Some(p) = pipe.as_mut() else { return };
    loop {
        if stop && into.len() >= keep {
            return;
        }
        match p.read(buf) {
            Ok(0) => {
                *pipe = None;
                return;
            }
            Ok(n) => {
                let room = keep.saturating_sub(into.len());
                into.extend_from_slice(buf.get(..n.min(room)).unwrap_or_default());
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => return,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => {
                *pipe = None;
                return;
            }
        }
    }
}

/// How the plugin ended, learnt without reaping it.
enum Ended {
    Exited,
    Signaled,
}

/// Waits for the plugin to exit, up to the deadline, without reaping it (`waitid` with
/// `WNOWAIT`): while the zombie exists its pid, the id of its process group, cannot be
/// reused, so the group can still be killed safely. The pipes are closed by now, so it is
/// exiting; the first look usually finds it gone.
fn wait(child: &Child, deadline: Option<Instant>) -> Option<Ended> {
    let pid = Pid::from_raw(child.id() as i32);
    let flags = WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT | WaitPidFlag::WNOHANG;
    let mut pause = Duration::from_micros(50);
    loop {
        match waitid(Id::Pid(pid), flags) {
            Ok(WaitStatus::Signaled(..)) => return Some(Ended::Signaled),
            Ok(WaitStatus::StillAlive) => {}
            Ok(_) => return Some(Ended::Exited),
            Err(Errno::EINTR) => continue,
            // ECHILD: reaped elsewhere (SIGCHLD ignored by the process); `Child::wait`
            // below tells what it can.
            Err(_) => return Some(Ended::Exited),
        }
        if deadline.is_some_and(|d| Instant::now() + pause >= d) {
            return None;
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(10));
    }
}

/// Kills the plugin's process group and reaps the plugin.
fn kill_group(child: &mut Child) {
    // The group id is the plugin's pid (`process_group(0)`); the plugin is not reaped
    // before the `wait` below, so the id cannot have been reused.
    let _ = killpg(Pid::from_raw(child.id() as i32), Signal::SIGKILL);
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_names_cannot_escape_the_bin_dirs() {
        for bad in ["", "a/b", "..", ".", "/bin/sh", "a\0"] {
            assert!(
                matches!(
                    find_plugin(bad, &[PathBuf::from("/usr/lib/cni")]),
                    Err(Error::InvalidInput { .. })
                ),
                "{bad:?}"
            );
        }
        let e = find_plugin("no-such-plugin-np", &[PathBuf::from("/nonexistent")]).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("failed to find plugin \"no-such-plugin-np\""),
            "{e}"
        );
    }

    #[test]
    fn args_join_like_libcni() {
        let a = vec![
            ("IgnoreUnknown".to_string(), "1".to_string()),
            ("IP".into(), "198.18.0.9".into()),
        ];
        assert_eq!(join_args(&a), "IgnoreUnknown=1;IP=198.18.0.9");
        assert_eq!(join_args(&[]), "");
    }

    #[test]
    fn failed_plugins_get_libcni_messages() {
        let st = ExitStatus::from_raw(1 << 8);
        assert_eq!(
            plugin_error(st, b"", "").msg,
            "netplugin failed with no error message: exit status: 1"
        );
        assert_eq!(
            plugin_error(st, b"", "oops").msg,
            "netplugin failed: \"oops\""
        );
        assert!(
            plugin_error(st, b"garbage", "")
                .msg
                .starts_with("netplugin failed but error parsing")
        );
        let e = plugin_error(st, br#"{"code":7,"msg":"m","details":"d"}"#, "");
        assert_eq!((e.code, e.to_string().as_str()), (7, "m; d"));
    }

    fn sh(script: &str, stdin: &[u8], opts: &ExecOptions) -> Result<Vec<u8>> {
        let inv = Invocation {
            verb: Verb::Add,
            container_id: "c",
            netns: "/x",
            ifname: "eth0",
            args: &[],
            path: "",
        };
        let dir =
            std::env::temp_dir().join(format!("np-exec-{}-{}", std::process::id(), script.len()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(format!("p{}", script.bytes().map(u32::from).sum::<u32>()));
        std::fs::write(&p, format!("#!/bin/sh\n{script}\n")).unwrap();
        std::fs::set_permissions(&p, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let r = exec_plugin(&p, "t", &inv, stdin, opts, None);
        let _ = std::fs::remove_file(&p);
        r
    }

    #[test]
    fn stdin_env_and_stdout_travel() {
        let opts = ExecOptions::default();
        let out = sh(
            r#"printf '%s|%s|' "$CNI_COMMAND" "$CNI_IFNAME"; cat"#,
            b"{\"x\":1}",
            &opts,
        )
        .unwrap();
        assert_eq!(out, b"ADD|eth0|{\"x\":1}");
        // A big stdin that the plugin never reads does not block.
        let big = vec![b'x'; 1 << 20];
        assert_eq!(sh("echo ok", &big, &opts).unwrap(), b"ok\n");
        // Output over the limit kills the plugin.
        let small = ExecOptions {
            max_stdout: 1000,
            ..ExecOptions::default()
        };
        assert!(matches!(
            sh("yes", b"", &small),
            Err(Error::OutputTooLarge { .. })
        ));
        let quick = ExecOptions {
            timeout: Some(Duration::from_millis(300)),
            ..ExecOptions::default()
        };
        let e = sh("sleep 30", b"", &quick).unwrap_err();
        assert!(e.is_timeout(), "{e}");
        assert!(matches!(
            sh("kill -SEGV $$", b"", &opts),
            Err(Error::Killed { signal: 11, .. })
        ));
        let e = sh(r#"echo '{"code":11,"msg":"later"}'; exit 1"#, b"", &opts).unwrap_err();
        assert_eq!(e.code(), Some(11));
    }
}
