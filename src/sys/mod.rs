//! The only module with `unsafe`: raw system calls and ioctls, each wrapped in a safe
//! function. Every `unsafe` block carries a `// SAFETY:` comment.
//!
//! nix's safe wrappers are used wherever they exist; the few calls nix lacks (netlink socket
//! options, the nsfs ioctl, the tun ioctls) are thin wrappers around `libc` here. Errors come
//! back as `std::io::Error`; callers add what they were doing.
#![allow(unsafe_code)]
#![deny(clippy::undocumented_unsafe_blocks)]

pub(crate) mod netlink;
pub(crate) mod ns;
pub(crate) mod tun;
