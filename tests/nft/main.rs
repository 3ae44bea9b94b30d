//! nf_tables (`netplumb::nft`): the typed API against `nft`'s own batches (golden), and in
//! fresh namespaces against the kernel and `nft -j list ruleset` (kernel), the ready-made
//! operations with real packets (ops).

#[path = "../common/mod.rs"]
mod common;

mod golden;
