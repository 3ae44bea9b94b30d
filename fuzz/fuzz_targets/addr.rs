//! The addr decoder over a whole datagram (every message's type forced to the addr family).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| netplumb::fuzzing::addr(data));
