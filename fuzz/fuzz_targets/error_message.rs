//! Two flag bytes, then an NLMSG_ERROR / NLMSG_DONE payload with extended ack.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| netplumb::fuzzing::error_message(data));
