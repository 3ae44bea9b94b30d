//! Namespaces and mounts: `setns`, `unshare`, the nsfs checks, bind mounts.

use super::{io, ret};
use nix::mount::{MntFlags, MsFlags};
use nix::sched::CloneFlags;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};
use std::path::Path;

/// `NSFS_MAGIC`: the filesystem type of `/proc/*/ns/*` and of bind mounts of them.
const NSFS_MAGIC: u32 = 0x6e73_6673;

/// `setns(fd, CLONE_NEWNET)`: moves the calling THREAD into the network namespace `fd`.
pub(crate) fn setns_net(fd: BorrowedFd<'_>) -> io::Result<()> {
    nix::sched::setns(fd, CloneFlags::CLONE_NEWNET).map_err(io)
}

/// `unshare(CLONE_NEWNET)`: gives the calling THREAD a new, empty network namespace.
pub(crate) fn unshare_net() -> io::Result<()> {
    nix::sched::unshare(CloneFlags::CLONE_NEWNET).map_err(io)
}

/// Whether `fd` lives on nsfs (`fstatfs(fd).f_type == NSFS_MAGIC`).
pub(crate) fn is_nsfs(fd: BorrowedFd<'_>) -> io::Result<bool> {
    let st = nix::sys::statfs::fstatfs(fd).map_err(io)?;
    // f_type's C type differs between targets; the magic fits in 32 bits on all of them.
    Ok(st.filesystem_type().0 as u64 == u64::from(NSFS_MAGIC))
}

/// `ioctl(fd, NS_GET_NSTYPE)`: the `CLONE_NEW*` flag of the namespace `fd` refers to.
pub(crate) fn namespace_type(fd: BorrowedFd<'_>) -> io::Result<CloneFlags> {
    // NS_GET_NSTYPE is _IO(0xb7, 0x3) in linux/nsfs.h.
    let request = nix::request_code_none!(0xb7, 0x3);
    // SAFETY: NS_GET_NSTYPE takes no argument and only returns an int; `fd` is a live
    // descriptor for the duration of the borrow. On a non-nsfs file the kernel returns
    // ENOTTY, which is reported as an error.
    let kind = ret(unsafe { libc::ioctl(fd.as_raw_fd(), request) })?;
    Ok(CloneFlags::from_bits_retain(kind))
}

/// `(st_dev, st_ino)` of `fd`: a namespace's identity.
pub(crate) fn file_id(fd: BorrowedFd<'_>) -> io::Result<(u64, u64)> {
    let st = nix::sys::stat::fstat(fd).map_err(io)?;
    #[allow(clippy::unnecessary_cast)] // the field types differ between targets
    Ok((st.st_dev as u64, st.st_ino as u64))
}

/// `gettid()`.
pub(crate) fn gettid() -> i32 {
    nix::unistd::gettid().as_raw()
}

/// `mount(src, dst, NULL, MS_BIND, NULL)` (with `MS_REC` when `recursive`).
pub(crate) fn bind_mount(src: &Path, dst: &Path, recursive: bool) -> io::Result<()> {
    let mut flags = MsFlags::MS_BIND;
    if recursive {
        flags |= MsFlags::MS_REC;
    }
    nix::mount::mount(Some(src), dst, None::<&str>, flags, None::<&str>).map_err(io)
}

/// `mount("", dst, "none", MS_SHARED | MS_REC, NULL)`: makes the mount at `dst` shared, so
/// that mounts below it propagate to other mount namespaces. EINVAL if `dst` is not a mount
/// point.
pub(crate) fn make_shared(dst: &Path) -> io::Result<()> {
    nix::mount::mount(
        Some(""),
        dst,
        Some("none"),
        MsFlags::MS_SHARED | MsFlags::MS_REC,
        None::<&str>,
    )
    .map_err(io)
}

/// `umount2(path, MNT_DETACH)`.
pub(crate) fn umount_detach(path: &Path) -> io::Result<()> {
    nix::mount::umount2(path, MntFlags::MNT_DETACH).map_err(io)
}
