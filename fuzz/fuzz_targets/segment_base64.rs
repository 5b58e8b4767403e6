//! Fuzz target: see `entry::segment_base64`.
#![no_main]

#[path = "entry.rs"]
mod entry;

libfuzzer_sys::fuzz_target!(|data: &[u8]| entry::segment_base64(data));
