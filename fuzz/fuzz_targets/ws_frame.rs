//! Fuzzes the Kalshi WebSocket frame decoder, `ServerFrame::parse`, with any text; the
//! property is `properties::check_ws_frame`.

#![no_main]

#[allow(dead_code)]
#[path = "../properties.rs"]
mod properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| properties::check_ws_frame(data));
