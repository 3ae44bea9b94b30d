//! The link decoder over a whole datagram (every message's type forced to the link family).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| netplumb::fuzzing::link(data));
