//! Fuzz target: see `entry::verify_token`.
#![no_main]

#[path = "entry.rs"]
mod entry;

libfuzzer_sys::fuzz_target!(|data: &[u8]| entry::verify_token(data));
