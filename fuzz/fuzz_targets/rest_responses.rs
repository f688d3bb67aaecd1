//! Fuzzes the REST response decoders (the first byte picks one of 23, the rest is the
//! body); the property is `properties::check_rest`.

#![no_main]

#[allow(dead_code)]
#[path = "../properties.rs"]
mod properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| properties::check_rest(data));
