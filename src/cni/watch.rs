//! Watching the configuration and bin directories with inotify, on a thread of its own
//! that [`Watcher::stop`] ends (ocicni's fsnotify watcher and `Shutdown`).

use super::error::{Error, Result};
use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify};
use std::io::PipeWriter;
use std::os::fd::AsFd;
use std::path::PathBuf;
use std::thread::JoinHandle;

/// The events that make the configuration worth reading again: a file created, written
/// (closed after writing), renamed in or out, deleted, or its mode changed (a plugin made
/// executable); the directory itself moved or deleted.
fn mask() -> AddWatchFlags {
    AddWatchFlags::IN_CREATE
        | AddWatchFlags::IN_CLOSE_WRITE
        | AddWatchFlags::IN_MODIFY
        | AddWatchFlags::IN_MOVED_TO
        | AddWatchFlags::IN_MOVED_FROM
        | AddWatchFlags::IN_DELETE
        | AddWatchFlags::IN_ATTRIB
        | AddWatchFlags::IN_DELETE_SELF
        | AddWatchFlags::IN_MOVE_SELF
}

/// A running watcher: a thread blocked in `poll` on the inotify descriptor and on a pipe
/// whose write end [`Watcher::stop`] closes.
#[derive(Debug)]
pub(crate) struct Watcher {
    stop: Option<PipeWriter>,
    thread: Option<JoinHandle<()>>,
}

impl Watcher {
    /// Watches `dirs` (which must exist) and calls `on_change` once per batch of events,
    /// with the names of the files concerned.
    pub(crate) fn start(
        dirs: &[PathBuf],
        on_change: impl Fn(&[PathBuf]) + Send + 'static,
    ) -> Result<Watcher> {
        let inotify = Inotify::init(InitFlags::IN_NONBLOCK | InitFlags::IN_CLOEXEC)
            .map_err(|e| Error::io("inotify_init1", e.into()))?;
        let mut watches = Vec::new();
        for dir in dirs {
            let wd = inotify.add_watch(dir.as_path(), mask()).map_err(|e| {
                Error::io(
                    format!("failed to add watch on {}", dir.display()),
                    e.into(),
                )
            })?;
            watches.push((wd, dir.clone()));
        }
        let (stop_rx, stop_tx) = std::io::pipe().map_err(|e| Error::io("pipe", e))?;
        let thread = std::thread::Builder::new()
            .name("netplumb-cni-watch".into())
            .spawn(move || {
                loop {
                    let woke = {
                        let mut fds = [
                            PollFd::new(inotify.as_fd(), PollFlags::POLLIN),
                            PollFd::new(stop_rx.as_fd(), PollFlags::POLLIN),
                        ];
                        match poll(&mut fds, PollTimeout::NONE) {
                            Ok(_) => fds[1].any().unwrap_or(true),
                            Err(Errno::EINTR) => continue,
                            Err(_) => true,
                        }
                    };
                    if woke {
                        return;
                    }
                    let mut changed = Vec::new();
                    loop {
                        match inotify.read_events() {
                            Ok(events) if events.is_empty() => break,
                            Ok(events) => {
                                for ev in events {
                                    let dir = watches.iter().find(|(wd, _)| *wd == ev.wd);
                                    if let Some((_, dir)) = dir {
                                        changed.push(match ev.name {
                                            Some(n) => dir.join(n),
                                            None => dir.clone(),
                                        });
                                    }
                                }
                            }
                            Err(Errno::EINTR) => {}
                            Err(_) => break,
                        }
                    }
                    if !changed.is_empty() {
                        on_change(&changed);
                    }
                }
            })
            .map_err(|e| Error::io("spawn the configuration watcher", e))?;
        Ok(Watcher {
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    /// Ends the thread and waits for it (after the reload it may be doing).
    pub(crate) fn stop(&mut self) {
        // Closing the write end makes the read end readable (end of file) for the poll.
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.stop();
    }
}
