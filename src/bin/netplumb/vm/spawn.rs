//! Starting CMD in the pod's namespace with the taps as descriptors 3, 4, ..., and waiting
//! for it while passing SIGINT and SIGTERM on.
//!
//! `posix_spawnp` (safe in nix) does the descriptor work in the child, so nothing in this
//! process is renumbered: the file actions first copy each tap above every descriptor
//! involved, then onto 3+N (a `dup2` clears close-on-exec), then close the copies. The
//! spawn runs on a thread inside the pod's namespace, whose namespace the child inherits.
//! Signals are blocked in this process and taken with `sigwait`, so no handler is needed.

use nix::errno::Errno;
use nix::spawn::{PosixSpawnAttr, PosixSpawnFileActions, PosixSpawnFlags, posix_spawnp};
use nix::sys::signal::{SigSet, Signal, kill};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;
use std::ffi::CString;
use std::os::fd::RawFd;

/// The signals this process takes itself: blocked from the start (before any thread exists,
/// so that every thread inherits the mask) and waited for with `sigwait`.
pub fn signals() -> SigSet {
    let mut s = SigSet::empty();
    s.add(Signal::SIGINT);
    s.add(Signal::SIGTERM);
    s.add(Signal::SIGCHLD);
    s
}

/// Why CMD did not start.
#[derive(Debug)]
pub enum SpawnError {
    /// Not found (`ENOENT`).
    NotFound(Errno),
    /// Found but not executable, or another failure.
    CannotExec(Errno),
}

/// Starts `command` with the environment `envp` (`NAME=VALUE` each) and the descriptors
/// `taps` as 3, 4, ...; call it on a thread in the namespace the child must have.
pub fn spawn(command: &[String], envp: &[CString], taps: &[RawFd]) -> Result<Pid, SpawnError> {
    let cstr = |s: &str| CString::new(s).map_err(|_| SpawnError::CannotExec(Errno::EINVAL));
    let args = command
        .iter()
        .map(|a| cstr(a))
        .collect::<Result<Vec<_>, _>>()?;
    let path = args.first().ok_or(SpawnError::NotFound(Errno::ENOENT))?;
    let other = SpawnError::CannotExec;
    let mut actions = PosixSpawnFileActions::init().map_err(other)?;
    let high = taps
        .iter()
        .copied()
        .max()
        .unwrap_or(0)
        .max(super::env::FIRST_TAP_FD)
        + i32::try_from(taps.len()).unwrap_or(0)
        + 1;
    let mut next = high;
    for &fd in taps {
        actions.add_dup2(fd, next).map_err(other)?;
        next += 1;
    }
    for (n, target) in (high..next).zip(super::env::FIRST_TAP_FD..) {
        actions.add_dup2(n, target).map_err(other)?;
        actions.add_close(n).map_err(other)?;
    }
    let mut attr = PosixSpawnAttr::init().map_err(other)?;
    attr.set_flags(
        PosixSpawnFlags::POSIX_SPAWN_SETSIGMASK | PosixSpawnFlags::POSIX_SPAWN_SETSIGDEF,
    )
    .map_err(other)?;
    attr.set_sigmask(&SigSet::empty()).map_err(other)?;
    attr.set_sigdefault(&signals()).map_err(other)?;
    posix_spawnp(path, &actions, &attr, &args, envp).map_err(|e| match e {
        Errno::ENOENT | Errno::ENOTDIR => SpawnError::NotFound(e),
        e => SpawnError::CannotExec(e),
    })
}

/// Waits for `pid` to end, passing SIGINT and SIGTERM on to it; returns its exit status,
/// 128 + N if it died of signal N.
pub fn wait(pid: Pid) -> Result<i32, Errno> {
    let set = signals();
    loop {
        match waitpid(pid, Some(WaitPidFlag::WNOHANG))? {
            WaitStatus::Exited(_, code) => return Ok(code),
            WaitStatus::Signaled(_, sig, _) => return Ok(128 + sig as i32),
            _ => {}
        }
        // SIGCHLD is blocked: if the child ended since waitpid, it is pending and this
        // returns at once.
        let sig = set.wait()?;
        if matches!(sig, Signal::SIGINT | Signal::SIGTERM) {
            match kill(pid, sig) {
                Ok(()) | Err(Errno::ESRCH) => {}
                Err(e) => return Err(e),
            }
        }
    }
}
