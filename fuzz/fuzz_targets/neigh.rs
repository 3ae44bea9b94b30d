//! The neigh decoder over a whole datagram (every message's type forced to the neigh family).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| netplumb::fuzzing::neigh(data));
