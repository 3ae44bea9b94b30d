//! netplumb: container network plumbing over NETLINK_ROUTE.
//!
//! Layers, each using only the ones below it: [`wire`] (a pure codec), `socket` (a blocking
//! NETLINK_ROUTE socket), namespaces and typed operations on top.
#![warn(missing_docs)]

pub mod error;
#[doc(hidden)]
pub mod fuzzing;
mod sys;
pub mod wire;

pub use error::{Error, KernelError, Result};

// The README's Rust examples are compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
