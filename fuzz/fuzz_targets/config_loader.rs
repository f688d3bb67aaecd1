//! Fuzzes the config loader, `Config::load_from` (figment TOML file layer, environment
//! layer, type checks of every key, then validation); the property is
//! `properties::check_config`. The file goes to a per-process path, in /dev/shm when the
//! machine has it, and is loaded with exactly the input's environment, never the process's.

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

#[allow(dead_code)]
#[path = "../properties.rs"]
mod properties;

fn scratch() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir =
            if std::path::Path::new("/dev/shm").is_dir() { PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
        dir.join(format!("kalshi-actor-fuzz-config-{}.toml", std::process::id()))
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = properties::check_config(data, scratch());
});
