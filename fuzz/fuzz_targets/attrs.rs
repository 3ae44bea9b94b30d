//! An attribute list walked recursively, every attribute tried as a nest, every getter called.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| netplumb::fuzzing::attrs(data));
