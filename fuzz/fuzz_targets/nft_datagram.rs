//! A datagram read as nfnetlink: batch markers, nf_tables messages and control messages,
//! each through its decoder and back.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| netplumb::fuzzing::nft_datagram(data));
