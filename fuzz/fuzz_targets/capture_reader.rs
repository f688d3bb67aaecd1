//! Fuzzes the capture reader behind `kalshi-actor observe/replay --input` (each line through
//! `capture::parse_line`, then the feed and book-keeper cores); the property is
//! `properties::check_capture`.

#![no_main]

#[allow(dead_code)]
#[path = "../properties.rs"]
mod properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = properties::check_capture(data);
});
