//! The contents of a rule's expression list, through the typed expression decoder and back.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| netplumb::fuzzing::nft_expr(data));
