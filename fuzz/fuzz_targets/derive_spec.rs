//! Fuzz target: see `entry::derive_spec`.
#![no_main]

#[path = "entry.rs"]
mod entry;

libfuzzer_sys::fuzz_target!(|data: &[u8]| entry::derive_spec(data));
