//! The nsid decoder over a whole datagram (every message's type forced to the nsid family).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| netplumb::fuzzing::nsid(data));
