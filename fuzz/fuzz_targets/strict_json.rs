//! Fuzz target: see `entry::strict_json`.
#![no_main]

#[path = "entry.rs"]
mod entry;

libfuzzer_sys::fuzz_target!(|data: &[u8]| entry::strict_json(data));
