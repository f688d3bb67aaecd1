//! Fuzzes the config loader, [`Config::load_from`] (figment TOML file layer, environment
//! layer, type checks of every key, then validation).
//!
//! Input: the bytes of a `config.toml`, optionally followed by a NUL byte and environment
//! lines `NAME=VALUE` (one per line; e.g. `KALSHI_ACTOR_FEED__MARKET_LIMIT=7`). The file is
//! written to a per-process temporary path (the loader reads files only) and loaded with
//! exactly that environment, never the process's.
//!
//! Property: loading never panics (a bad file is a `ConfigError`); an accepted config is
//! written by [`Config::to_toml`] as a file that loads back, under the same environment,
//! to the same config.

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use kalshi_actor::config::{Config, FileLayer};
use libfuzzer_sys::fuzz_target;

fn scratch() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir =
            if std::path::Path::new("/dev/shm").is_dir() { PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
        dir.join(format!("kalshi-actor-fuzz-config-{}.toml", std::process::id()))
    })
}

fn env_of(text: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(text)
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let (file, env) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], env_of(&data[i + 1..])),
        None => (data, Vec::new()),
    };
    let path = scratch();
    if std::fs::write(path, file).is_err() {
        return;
    }
    let Ok(config) = Config::load_from(FileLayer::Path(path.clone()), env.clone()) else { return };
    let toml = config.to_toml();
    if std::fs::write(path, &toml).is_err() {
        return;
    }
    match Config::load_from(FileLayer::Path(path.clone()), env) {
        Ok(again) => assert_eq!(again, config, "written as\n{toml}"),
        Err(e) => panic!("the written config does not load back: {e}\n{toml}"),
    }
});
