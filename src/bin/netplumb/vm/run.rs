//! `vm run`: setup, CMD, teardown.

use super::args::RunOpts;
use super::spawn::{self, SpawnError};
use super::{EXIT_CANNOT_EXEC, EXIT_FAILED, EXIT_NOT_FOUND, env};
use netplumb::NetNs;
use netplumb::container::vm::{ContainerSideNetwork, SetupOptions};
use std::ffi::CString;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;

/// Runs `vm run` in the namespace `netns` names (the current one for `None`); returns the
/// exit status.
pub fn run(opts: &RunOpts, netns: Option<&str>) -> i32 {
    // Before any thread exists, so that every thread inherits the mask.
    if let Err(e) = spawn::signals().thread_block() {
        return fail(format_args!("cannot block signals: {e}"));
    }
    let ns = match open_ns(netns) {
        Ok(ns) => ns,
        Err(e) => return fail(format_args!("{e}")),
    };
    let mut setup = SetupOptions::new();
    for t in &opts.taps {
        setup = setup.tap(t);
    }
    for b in &opts.bridges {
        setup = setup.bridge(b);
    }
    let mut net = match ContainerSideNetwork::setup(&ns, &setup) {
        Ok(n) => n,
        Err(e) => return fail(format_args!("setup: {e}")),
    };
    let status = run_command(&ns, &mut net, &opts.command);
    match net.teardown() {
        Ok(()) => status,
        Err(e) => fail(format_args!("teardown: {e}")),
    }
}

fn fail(msg: std::fmt::Arguments<'_>) -> i32 {
    eprintln!("netplumb vm run: {msg}");
    EXIT_FAILED
}

fn open_ns(netns: Option<&str>) -> netplumb::Result<NetNs> {
    match netns {
        None => NetNs::current(),
        Some(p) if p.contains('/') => NetNs::open(p),
        Some(name) => NetNs::open_name(name),
    }
}

/// Starts CMD in `ns` with the taps and the VM's variables, and waits for it.
fn run_command(ns: &NetNs, net: &mut ContainerSideNetwork, command: &[String]) -> i32 {
    let vars = env::vm_vars(net.interfaces());
    let taps: Vec<_> = net
        .interfaces_mut()
        .iter_mut()
        .filter_map(|i| i.take_tap())
        .collect();
    let fds: Vec<_> = taps.iter().map(AsRawFd::as_raw_fd).collect();
    let envp = environment(&vars);
    let started = ns.run(|| spawn::spawn(command, &envp, &fds));
    // CMD has its own copies now; ours would only keep the taps busy.
    drop(taps);
    let cmd = command.first().map_or("", String::as_str);
    match started {
        Err(e) => fail(format_args!("cannot enter the namespace: {e}")),
        Ok(Err(SpawnError::NotFound(e))) => {
            eprintln!("netplumb vm run: {cmd}: {}", e.desc());
            EXIT_NOT_FOUND
        }
        Ok(Err(SpawnError::CannotExec(e))) => {
            eprintln!("netplumb vm run: {cmd}: {}", e.desc());
            EXIT_CANNOT_EXEC
        }
        Ok(Ok(pid)) => spawn::wait(pid).unwrap_or_else(|e| fail(format_args!("wait: {e}"))),
    }
}

/// This process's environment without any `NETPLUMB_VM_*` variable (a parent's could
/// describe other interfaces), then the VM's variables.
fn environment(vars: &[(String, String)]) -> Vec<CString> {
    let mut out: Vec<CString> = std::env::vars_os()
        .filter(|(k, _)| !k.as_bytes().starts_with(b"NETPLUMB_VM_"))
        .filter_map(|(k, v)| {
            let mut kv = k.as_bytes().to_vec();
            kv.push(b'=');
            kv.extend_from_slice(v.as_bytes());
            CString::new(kv).ok()
        })
        .collect();
    out.extend(
        vars.iter()
            .filter_map(|(k, v)| CString::new(format!("{k}={v}")).ok()),
    );
    out
}
