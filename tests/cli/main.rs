//! The `netplumb` command against `ip` (and iproute2's own test suite): the same commands
//! give the same kernel state and the same output; `decode`, `batch`, `monitor`, `netns`
//! and the argument parser.

#[path = "../common/mod.rs"]
mod common;

mod cli_ipcmp;

mod cli_addr;
mod cli_batch;
mod cli_decode;
mod cli_link;
mod cli_monitor;
mod cli_neigh;
mod cli_netns;
mod cli_parse;
mod cli_route;
mod cli_rule;
mod iproute2_testsuite;

// The binary's `decode_core`, which `cli_decode` runs in-process, with the `json` and
// `debug_tree` modules it names as `crate::json` and `super::debug_tree`: they must be at
// this binary's root.
#[allow(dead_code)]
#[path = "../../src/bin/netplumb/json.rs"]
mod json;

#[allow(dead_code)]
#[path = "../../src/bin/netplumb/exec/debug_tree.rs"]
mod debug_tree;

#[allow(dead_code)]
#[path = "../../src/bin/netplumb/exec/decode_core.rs"]
mod decode_core;
