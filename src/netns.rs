//! Network namespaces: open, create, name and delete them, and run code inside one.
//!
//! A [`NetNs`] is an open descriptor on a namespace file (`/proc/PID/ns/net`, a bind mount
//! under `/run/netns`, ...); the namespace lives at least as long as the descriptor.
//!
//! # Running code in a namespace
//! `setns(2)` switches the calling **thread**, not the process. [`NetNs::run`] therefore runs
//! a closure on a new thread made for it: the thread enters the namespace, runs the closure
//! and ends. It is never reused, and the caller's thread is never touched, so a panic, a
//! forgotten restore or an early return cannot leave any thread in the wrong namespace.
//! Most code does not need even that: a netlink socket stays in the namespace it was created
//! in, so [`crate::handle::Handle::in_netns`] uses `run` only to create its socket and is then
//! used from any thread.
//!
//! [`NetNs::enter`] switches the current thread instead, for code that must run on it; the
//! guard switches back on drop.
//!
//! # Hazards
//! - **Threads you do not own.** Calling `setns` on a thread pool's worker or libtest's test
//!   thread changes it for whoever uses the thread next. `run` never does; `enter` restores on
//!   drop, but only if the guard is dropped on the thread that made it (it is `!Send`).
//! - **A restore that fails.** A thread that cannot get back must not go on running other
//!   code: the `enter` guard aborts the process then. `run` has nothing to restore.
//! - **Panics.** A panic in `run`'s closure ends its thread and comes back as
//!   [`Error::Panicked`]; with `panic = "abort"` it aborts, as any panic does.
//! - **`/proc/self` is the main thread.** `/proc/self/ns/net` names the namespace of the
//!   process's main thread, not the caller's: inside `run`, use `/proc/thread-self/ns/net`
//!   ([`NetNs::current`] does).
//! - **`/sys` is the mount's namespace.** sysfs shows the network namespace it was mounted
//!   in, not the thread's: `/sys/class/net` inside `run` still lists the original
//!   namespace's devices. Ask netlink instead.
//! - **Child threads inherit.** Threads spawned inside `run` (or under an `enter` guard)
//!   start in the target namespace and stay there; that is usually what is wanted, but they
//!   outlive neither the closure's scope nor the guard's restore.

use crate::error::{Error, Result};
use crate::sys::ns as sys;
use std::fs::{self, OpenOptions};
use std::io;
use std::marker::PhantomData;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// Where named namespaces are bind-mounted, as with `ip netns`.
pub const NETNS_RUN_DIR: &str = "/run/netns";

const WHAT: &str = "network namespace";

/// An open network namespace.
///
/// Two `NetNs` are equal when they refer to the same namespace (same device and inode of the
/// namespace file), whichever path they were opened by.
///
/// ```no_run
/// use netplumb::NetNs;
/// // `ip netns add demo`, then run code inside it on a throwaway thread.
/// let ns = NetNs::add("demo")?;
/// let inode = ns.run(|| {
///     use std::os::unix::fs::MetadataExt;
///     std::fs::metadata("/proc/thread-self/ns/net").map(|m| m.ino()).unwrap_or(0)
/// })?;
/// assert_eq!(inode, ns.inode());
/// NetNs::delete("demo")?;
/// # Ok::<(), netplumb::Error>(())
/// ```
pub struct NetNs {
    fd: OwnedFd,
    dev: u64,
    ino: u64,
}

impl std::fmt::Debug for NetNs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NetNs(net:[{}])", self.ino)
    }
}

impl PartialEq for NetNs {
    fn eq(&self, other: &Self) -> bool {
        (self.dev, self.ino) == (other.dev, other.ino)
    }
}

impl Eq for NetNs {}

impl std::hash::Hash for NetNs {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self.dev, self.ino).hash(state);
    }
}

impl AsFd for NetNs {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl From<NetNs> for OwnedFd {
    fn from(ns: NetNs) -> OwnedFd {
        ns.fd
    }
}

impl TryFrom<OwnedFd> for NetNs {
    type Error = Error;
    /// Checks that `fd` is a network namespace (see [`NetNs::from_fd`]).
    fn try_from(fd: OwnedFd) -> Result<NetNs> {
        NetNs::from_fd(fd)
    }
}

impl NetNs {
    /// Opens the namespace file at `path` (`/proc/PID/ns/net`, `/run/netns/NAME`, ...).
    ///
    /// The file is checked to be a network namespace (`fstatfs` is `NSFS_MAGIC`, and the
    /// `NS_GET_NSTYPE` ioctl says `CLONE_NEWNET`) before anything can `setns` into it.
    ///
    /// # Errors
    /// [`Error::NotFound`] if `path` does not exist; [`Error::InvalidInput`] if it is not a
    /// network namespace; [`Error::Io`] otherwise.
    #[doc(alias = "NS_GET_NSTYPE")]
    pub fn open(path: impl AsRef<Path>) -> Result<NetNs> {
        let path = path.as_ref();
        let file = OpenOptions::new()
            .read(true)
            // Never block on opening a FIFO or device someone passed by mistake.
            .custom_flags(libc::O_NONBLOCK)
            .open(path)
            .map_err(|e| open_error(path, e))?;
        Self::check(file.into(), &path.display().to_string())
    }

    /// Opens the named namespace `/run/netns/NAME` (`ip netns add NAME` makes one).
    pub fn open_name(name: &str) -> Result<NetNs> {
        let path = named_path(name)?;
        NetNs::open(&path).map_err(|e| match e {
            Error::NotFound { what, .. } => Error::NotFound {
                what,
                name: name.to_string(),
            },
            e => e,
        })
    }

    /// Opens the namespace of process `pid` (`/proc/PID/ns/net`).
    pub fn from_pid(pid: u32) -> Result<NetNs> {
        NetNs::open(format!("/proc/{pid}/ns/net"))
    }

    /// Opens the calling thread's namespace (`/proc/thread-self/ns/net`, which, unlike
    /// `/proc/self`, is this thread's and not the main thread's).
    pub fn current() -> Result<NetNs> {
        NetNs::open("/proc/thread-self/ns/net")
    }

    /// Takes an open descriptor, after checking it is a network namespace.
    pub fn from_fd(fd: OwnedFd) -> Result<NetNs> {
        Self::check(fd, "descriptor")
    }

    fn check(fd: OwnedFd, name: &str) -> Result<NetNs> {
        let io = |op: &str, e| Error::io(format!("{op} {name}"), e);
        if !sys::is_nsfs(fd.as_fd()).map_err(|e| io("fstatfs", e))? {
            return Err(Error::invalid(
                WHAT,
                format!("{name} is not a namespace file (not on nsfs)"),
            ));
        }
        let kind = sys::namespace_type(fd.as_fd()).map_err(|e| io("ioctl NS_GET_NSTYPE", e))?;
        if kind != nix::sched::CloneFlags::CLONE_NEWNET {
            return Err(Error::invalid(
                WHAT,
                format!("{name} is a namespace of another kind ({kind:?})"),
            ));
        }
        let (dev, ino) = sys::file_id(fd.as_fd()).map_err(|e| io("fstat", e))?;
        Ok(NetNs { fd, dev, ino })
    }

    /// Creates a new, empty network namespace that lives as long as the returned descriptor
    /// (and whatever is inside it): nothing is mounted, nothing needs deleting.
    ///
    /// A throwaway thread calls `unshare(CLONE_NEWNET)`, opens its
    /// `/proc/thread-self/ns/net` and ends; no other thread changes namespace.
    ///
    /// # Errors
    /// [`Error::Io`] (`EPERM` without `CAP_SYS_ADMIN`).
    #[doc(alias("unshare", "CLONE_NEWNET"))]
    pub fn new_anonymous() -> Result<NetNs> {
        on_new_thread(|| {
            sys::unshare_net().map_err(|e| Error::io("unshare(CLONE_NEWNET)", e))?;
            NetNs::current()
        })
    }

    /// Creates a named namespace, like `ip netns add NAME`, and opens it.
    ///
    /// As iproute2 does: makes `/run/netns` a shared mount point (bind-mounting it on itself
    /// first if it is not a mount point), creates the empty file `/run/netns/NAME`, and
    /// bind-mounts a new namespace on it, made by `unshare(CLONE_NEWNET)` on a throwaway
    /// thread. On failure the file is removed again. (As with iproute2, two first-ever adds
    /// racing on a `/run/netns` that is not yet a mount point may both bind it; harmless.)
    ///
    /// # Errors
    /// [`Error::Io`] with `EEXIST` ([`Error::is_exists`]) if the name is taken;
    /// [`Error::InvalidInput`] for a name that is empty, too long, or has a `/`.
    #[doc(alias("unshare", "CLONE_NEWNET", "mount"))]
    pub fn add(name: &str) -> Result<NetNs> {
        let path = named_path(name)?;
        let dir = Path::new(NETNS_RUN_DIR);
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o755)
            .create(dir)
            .map_err(|e| Error::io(format!("mkdir {NETNS_RUN_DIR}"), e))?;
        make_run_dir_shared(dir)?;
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o000)
            .open(&path)
            .map_err(|e| Error::io(format!("create {}", path.display()), e))?;
        let mounted = on_new_thread(|| {
            sys::unshare_net().map_err(|e| Error::io("unshare(CLONE_NEWNET)", e))?;
            // This thread's own namespace file, spelled without /proc/thread-self so that it
            // names this thread whatever the bind mount resolves it from.
            let src = PathBuf::from(format!("/proc/self/task/{}/ns/net", sys::gettid()));
            sys::bind_mount(&src, &path, false).map_err(|e| {
                Error::io(
                    format!("mount --bind {} {}", src.display(), path.display()),
                    e,
                )
            })
        })
        .and_then(|()| NetNs::open(&path));
        if mounted.is_err() {
            let _ = sys::umount_detach(&path);
            let _ = fs::remove_file(&path);
        }
        mounted
    }

    /// Deletes a named namespace, like `ip netns delete NAME`: detaches the bind mount
    /// (`umount2(MNT_DETACH)`) and removes `/run/netns/NAME`. The namespace itself lives on
    /// while a process or descriptor still holds it.
    ///
    /// # Errors
    /// [`Error::NotFound`] if there is no such name.
    #[doc(alias("umount2", "MNT_DETACH"))]
    pub fn delete(name: &str) -> Result<()> {
        let path = named_path(name)?;
        let not_found = || Error::NotFound {
            what: WHAT,
            name: name.to_string(),
        };
        match sys::umount_detach(&path) {
            // EINVAL: not a mount point (a half-made namespace); still remove the file.
            Ok(()) => {}
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(not_found()),
            Err(e) => return Err(Error::io(format!("umount {}", path.display()), e)),
        }
        fs::remove_file(&path).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => not_found(),
            _ => Error::io(format!("unlink {}", path.display()), e),
        })
    }

    /// The names under `/run/netns`, sorted, like `ip netns list`. Empty if the directory
    /// does not exist.
    pub fn list() -> Result<Vec<String>> {
        let entries = match fs::read_dir(NETNS_RUN_DIR) {
            Ok(d) => d,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io(format!("read {NETNS_RUN_DIR}"), e)),
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(format!("read {NETNS_RUN_DIR}"), e))?;
            if let Ok(name) = entry.file_name().into_string() {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }

    /// Another descriptor on the same namespace.
    pub fn try_clone(&self) -> Result<NetNs> {
        Ok(NetNs {
            fd: self
                .fd
                .try_clone()
                .map_err(|e| Error::io("dup namespace descriptor", e))?,
            dev: self.dev,
            ino: self.ino,
        })
    }

    /// The inode of the namespace file: the number in `net:[4026531840]`.
    pub fn inode(&self) -> u64 {
        self.ino
    }

    /// The device of the namespace file (nsfs); with [`NetNs::inode`], the namespace's
    /// identity.
    pub fn device(&self) -> u64 {
        self.dev
    }

    /// Runs `f` inside this namespace and returns its result.
    ///
    /// `f` runs on a new thread that enters the namespace (`setns(fd, CLONE_NEWNET)`), runs
    /// `f`, and ends; the thread is never reused and the calling thread is never touched.
    /// `f` may borrow from the caller. See the module's hazards: inside `f`, `/proc/self`
    /// and `/sys` still show the original namespace.
    ///
    /// # Errors
    /// [`Error::Panicked`] if `f` panicked (the thread that ran it is gone);
    /// [`Error::Io`] if the thread could not be made or could not enter the namespace (then
    /// `f` did not run).
    #[doc(alias("setns", "CLONE_NEWNET"))]
    pub fn run<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce() -> T + Send,
        T: Send,
    {
        let fd = self.fd.as_fd();
        on_new_thread(move || {
            sys::setns_net(fd).map_err(|e| Error::io("setns(CLONE_NEWNET)", e))?;
            Ok(f())
        })
    }

    /// Moves the **current thread** into this namespace until the returned guard is dropped.
    ///
    /// Prefer [`NetNs::run`]. The previous namespace is read from
    /// `/proc/thread-self/ns/net` on this thread before switching, and the guard switches
    /// back on drop. The guard is `!Send`: it must be dropped on the thread that made it.
    /// Threads spawned meanwhile stay in this namespace.
    ///
    /// If switching back fails, the thread would go on in the wrong namespace, running
    /// whatever code comes next; the guard then **aborts the process** rather than let that
    /// happen.
    ///
    /// ```compile_fail
    /// fn assert_send<T: Send>() {}
    /// assert_send::<netplumb::netns::NetNsGuard>();
    /// ```
    #[doc(alias("setns", "CLONE_NEWNET"))]
    pub fn enter(&self) -> Result<NetNsGuard> {
        let previous = NetNs::current()?;
        sys::setns_net(self.fd.as_fd()).map_err(|e| Error::io("setns(CLONE_NEWNET)", e))?;
        Ok(NetNsGuard {
            previous,
            _not_send: PhantomData,
        })
    }
}

/// Restores the thread's previous namespace on drop; made by [`NetNs::enter`].
///
/// ```no_run
/// use netplumb::NetNs;
/// let ns = NetNs::new_anonymous()?;
/// {
///     let _guard = ns.enter()?; // this thread is in `ns` until the guard drops
///     assert_eq!(NetNs::current()?, ns);
/// }
/// assert_ne!(NetNs::current()?, ns);
/// # Ok::<(), netplumb::Error>(())
/// ```
#[must_use = "the thread leaves the namespace when the guard is dropped"]
pub struct NetNsGuard {
    previous: NetNs,
    /// `setns` acts on the calling thread: the guard must be dropped where it was made.
    _not_send: PhantomData<*const ()>,
}

impl std::fmt::Debug for NetNsGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NetNsGuard")
            .field("previous", &self.previous)
            .finish()
    }
}

impl NetNsGuard {
    /// The namespace the thread returns to.
    pub fn previous(&self) -> &NetNs {
        &self.previous
    }
}

impl Drop for NetNsGuard {
    fn drop(&mut self) {
        if sys::setns_net(self.previous.fd.as_fd()).is_err() {
            // This thread is now in the wrong namespace and cannot get back; any code that
            // runs on it next would act on the wrong network. There is no caller to tell.
            std::process::abort();
        }
    }
}

/// `/run/netns/NAME`, after checking that `name` is a plain file name.
fn named_path(name: &str) -> Result<PathBuf> {
    let bad = |reason: &str| {
        Err(Error::invalid(
            "network namespace name",
            format!("{name:?}: {reason}"),
        ))
    };
    if name.is_empty() {
        return bad("empty");
    }
    if name == "." || name == ".." || name.contains('/') || name.contains('\0') {
        return bad("must be a file name (no '/', not '.' or '..')");
    }
    if name.len() > 255 {
        return bad("longer than 255 bytes");
    }
    Ok(Path::new(NETNS_RUN_DIR).join(name))
}

fn open_error(path: &Path, e: io::Error) -> Error {
    if e.kind() == io::ErrorKind::NotFound {
        Error::NotFound {
            what: WHAT,
            name: path.display().to_string(),
        }
    } else {
        Error::io(format!("open {}", path.display()), e)
    }
}

/// Makes `dir` a shared mount point, as `ip netns add` does, so that a namespace mounted or
/// unmounted under it is seen from every mount namespace.
fn make_run_dir_shared(dir: &Path) -> Result<()> {
    let mut bound = false;
    loop {
        match sys::make_shared(dir) {
            Ok(()) => return Ok(()),
            // EINVAL: not a mount point yet; bind-mount it on itself once and retry.
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) && !bound => {
                sys::bind_mount(dir, dir, true)
                    .map_err(|e| Error::io(format!("mount --rbind {0} {0}", dir.display()), e))?;
                bound = true;
            }
            Err(e) => {
                return Err(Error::io(
                    format!("mount --make-rshared {}", dir.display()),
                    e,
                ));
            }
        }
    }
}

/// Runs `f` on a new thread made for it, which ends afterwards; a panic becomes
/// [`Error::Panicked`].
fn on_new_thread<T, F>(f: F) -> Result<T>
where
    F: FnOnce() -> Result<T> + Send,
    T: Send,
{
    std::thread::scope(|s| {
        let thread = std::thread::Builder::new()
            .name("netplumb-netns".into())
            .spawn_scoped(s, f)
            .map_err(|e| Error::io("spawn namespace thread", e))?;
        thread.join().unwrap_or_else(|payload| {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "non-string panic payload".to_string());
            Err(Error::Panicked(msg))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_before_any_syscall() {
        for bad in ["", ".", "..", "a/b", "/etc", "a\0b"] {
            assert!(named_path(bad).unwrap_err().is_invalid(), "{bad:?}");
        }
        assert!(named_path(&"x".repeat(256)).is_err());
        assert_eq!(named_path("np-1").unwrap(), Path::new("/run/netns/np-1"));
    }

    #[test]
    fn current_thread_namespace_opens_and_compares_equal() {
        let a = NetNs::current().unwrap();
        let b = NetNs::from_pid(std::process::id()).unwrap();
        // Nothing in this test binary switches the main thread: both are the same.
        assert_eq!(a, b);
        assert_eq!(a, a.try_clone().unwrap());
        assert!(format!("{a:?}").starts_with("NetNs(net:["));
    }

    #[test]
    fn non_namespace_files_are_rejected() {
        let e = NetNs::open("/proc/self/status").unwrap_err();
        assert!(e.is_invalid(), "{e}");
        let e = NetNs::open("/proc/thread-self/ns/uts").unwrap_err();
        assert!(e.is_invalid(), "{e}");
        assert!(e.to_string().contains("another kind"), "{e}");
        let e = NetNs::open("/nonexistent/netplumb/ns").unwrap_err();
        assert!(matches!(e, Error::NotFound { .. }), "{e}");
    }

    #[test]
    fn panics_come_back_as_errors() {
        let r: Result<()> = on_new_thread(|| panic!("boom {}", 7));
        assert!(matches!(r, Err(Error::Panicked(m)) if m == "boom 7"));
        let r: Result<()> = on_new_thread(|| panic!("static"));
        assert!(matches!(r, Err(Error::Panicked(m)) if m == "static"));
    }
}
