//! Fuzz target: see `entry::decode_describe`.
#![no_main]

#[path = "entry.rs"]
mod entry;

libfuzzer_sys::fuzz_target!(|data: &[u8]| entry::decode_describe(data));
