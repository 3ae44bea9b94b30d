//! The only module with `unsafe`: raw system calls and ioctls, each wrapped in a safe
//! function. Every `unsafe` block carries a `// SAFETY:` comment.
//!
//! nix's safe wrappers are used wherever they exist; the few calls nix lacks (netlink socket
//! options, the nsfs ioctl, the tun ioctls) are thin wrappers around `libc` here. Errors come
//! back as `std::io::Error` through one adapter ([`io`], and [`ret`] for a raw `libc` return
//! value); callers add what they were doing.
#![allow(unsafe_code)]
#![deny(clippy::undocumented_unsafe_blocks)]

pub(crate) mod netlink;
pub(crate) mod ns;
pub(crate) mod tun;

use nix::errno::Errno;

/// The one adapter from a failed system call's `Errno` to `std::io::Error` (`map_err(io)`).
pub(crate) fn io(e: Errno) -> std::io::Error {
    std::io::Error::from(e)
}

/// A raw `libc` return value: `-1` (with `errno` set) is the error, anything else the
/// value, like rustix's `ret`.
pub(crate) fn ret(r: libc::c_int) -> std::io::Result<libc::c_int> {
    Errno::result(r).map_err(io)
}
