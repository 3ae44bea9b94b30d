//! The codec without a kernel: golden fixtures (`tests/fixtures/`) decoded and re-encoded
//! byte for byte, every prefix rejected, property tests, offsets near `usize::MAX`, and the
//! fuzz targets' seeds and regressions replayed.
//!
//! One test binary per area (`wire`, `kernel`, `cli`, `container`, `nft`, `cni`): each
//! integration-test binary links the whole library again, so fewer binaries build faster.

#[path = "../common/mod.rs"]
mod common;

mod fuzz_regressions;
mod golden_addr;
mod golden_link;
mod golden_neigh;
mod golden_nft;
mod golden_nsid;
mod golden_route;
mod golden_rule;
mod wire_offsets;
