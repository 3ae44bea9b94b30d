//! decode -> encode -> decode over a whole datagram: equal values, identical bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| netplumb::fuzzing::roundtrip(data));
