//! A datagram of netlink messages, each payload through the decoder for its type.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| netplumb::fuzzing::datagram(data));
