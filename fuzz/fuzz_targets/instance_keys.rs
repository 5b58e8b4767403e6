//! Fuzz target: see `entry::instance_keys`.
#![no_main]

#[path = "entry.rs"]
mod entry;

libfuzzer_sys::fuzz_target!(|data: &[u8]| entry::instance_keys(data));
