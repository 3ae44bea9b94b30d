//! The executors of `ip`'s objects, and what they share.
//!
//! One module per object (`addr`, `link`, `neigh`, `route`, `tuntap`, `netns`, `monitor`,
//! `decode`) runs the command its parser in `cmd/` made, through the library's typed
//! operations. Shared by them, and by front ends in folders of their own: [`render`] (the
//! ip-style records and the printer), [`links`] (the link names printers look up),
//! [`stream`] (dumps printed while they run), [`select`] (prefix and glob matching) and
//! [`output`] (standard output).

mod addr;
mod debug_tree;
mod decode;
pub mod decode_core;
mod link;
pub mod links;
mod monitor;
mod neigh;
mod netns;
pub mod output;
pub mod render;
mod route;
pub mod select;
pub mod stream;
mod tuntap;
