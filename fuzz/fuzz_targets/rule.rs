//! The FIB-rule decoder over a whole datagram (every message's type forced to the rule
//! family).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| netplumb::fuzzing::rule(data));
