//! Fuzz target: see `entry::dev_issuer_request`.
#![no_main]

#[path = "entry.rs"]
mod entry;

libfuzzer_sys::fuzz_target!(|data: &[u8]| entry::dev_issuer_request(data));
