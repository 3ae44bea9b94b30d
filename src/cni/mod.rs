//! CNI runtime (placeholder docs, replaced below).
pub mod cache;
pub mod client;
pub mod config;
pub mod error;
pub mod exec;
pub mod result;
pub mod version;
