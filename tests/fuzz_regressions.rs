//! The fuzz targets' properties (`fuzz/fuzz_targets/`), checked in `cargo test` on the
//! committed seed corpus (`fuzz/corpus/<target>/`), every input a fuzzer found a bug with
//! (`fuzz/regressions/<target>/`) and a few nasty inputs: deeply nested JSON, huge
//! numbers, invalid UTF-8, empty. The properties are the targets' own functions
//! (`fuzz/properties.rs`).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use kalshi_actor::kalshi::rest::{error, ApiError};
use kalshi_actor::kalshi::ws::ServerFrame;

#[path = "../fuzz/properties.rs"]
mod properties;

use properties::{check_capture, check_rest, check_ws_frame, REST_DECODERS};

/// `fuzz/corpus/<target>` and `fuzz/regressions/<target>` inputs, by file name.
fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let corpus = read_dir(&fuzz.join("corpus").join(target));
    assert!(!corpus.is_empty(), "no seed corpus for {target} under {}", fuzz.display());
    corpus.into_iter().chain(read_dir(&fuzz.join("regressions").join(target))).collect()
}

fn read_dir(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_file()).collect();
    files.sort();
    files.into_iter().map(|p| (p.display().to_string(), std::fs::read(&p).unwrap())).collect()
}

/// Inputs no decoder should panic on, whatever it is given.
fn nasty() -> Vec<Vec<u8>> {
    let deep = |open: &str, close: &str, n: usize| format!("{}{}", open.repeat(n), close.repeat(n)).into_bytes();
    vec![
        Vec::new(),
        b"\n".to_vec(),
        b"null".to_vec(),
        vec![0xff, 0xfe, 0x00, 0x80],
        b"{\"type\":\"orderbook_delta\xff\"}".to_vec(),
        deep("[", "]", 100_000),
        deep("{\"a\":", "}", 50_000),
        deep("{\"msg\":", "}", 10_000),
        b"1e999999999".to_vec(),
        b"-99999999999999999999999999999999999999".to_vec(),
        "\"\u{feff}\u{10ffff}\"".as_bytes().to_vec(),
    ]
}

// ---- ws_frame -------------------------------------------------------------------------

#[test]
fn ws_frame_corpus_and_nasty_inputs() {
    for (name, data) in inputs("ws_frame") {
        check_ws_frame(&data);
        if name.contains("/corpus/") {
            let text = String::from_utf8(data).unwrap();
            assert!(ServerFrame::parse(&text).is_ok(), "seed {name} no longer parses");
        }
    }
    let big = "9".repeat(400);
    let frames = [
        format!(r#"{{"type":"orderbook_delta","sid":{big},"seq":1,"msg":{{}}}}"#),
        format!(r#"{{"type":"orderbook_delta","sid":1,"seq":1,"msg":{{"market_ticker":"T","price_dollars":"0.{big}","delta_fp":"1.00","side":"yes"}}}}"#),
        format!(r#"{{"type":"orderbook_delta","sid":1,"seq":1,"msg":{{"market_ticker":"T","price_dollars":"0.5000","delta_fp":"{big}.00","side":"yes"}}}}"#),
        r#"{"type":"orderbook_delta","sid":1,"seq":1,"msg":{"market_ticker":"T","price_dollars":"-0.5000","delta_fp":"-1e3","side":"yes"}}"#.to_owned(),
        r#"{"type":"ticker","sid":1,"msg":{"price_dollars":1e400}}"#.to_owned(),
        r#"{"type":"error","msg":{"code":70000,"msg":"x"}}"#.to_owned(),
        r#"{"type":"ok","id":1,"sid":2}"#.to_owned(),
        r#"{"type":"type","type":"sid"}"#.to_owned(),
        r#"{"type":"\ud800"}"#.to_owned(),
    ];
    for f in frames.iter().map(|f| f.as_bytes().to_vec()).chain(nasty()) {
        check_ws_frame(&f);
    }
    let deep =
        format!(r#"{{"type":"orderbook_snapshot","sid":1,"seq":1,"msg":{}1{}}}"#, "[".repeat(5000), "]".repeat(5000));
    assert!(ServerFrame::parse(&deep).is_err());
}

// ---- rest_responses -------------------------------------------------------------------

#[test]
fn rest_responses_corpus_and_nasty_inputs() {
    for (_, data) in inputs("rest_responses") {
        check_rest(&data);
    }
    for which in 0..REST_DECODERS {
        for body in nasty() {
            check_rest(&[&[which][..], &body].concat());
        }
    }
    // An unparseable error body is kept, cut to MAX_BODY_EXCERPT characters, lossily.
    let e = ApiError::from_response(502, &[0xff; 4096]);
    assert!(
        matches!(&e, ApiError::Unparseable { status: 502, body } if body.chars().count() == error::MAX_BODY_EXCERPT)
    );
}

// ---- capture_reader -------------------------------------------------------------------

#[test]
fn capture_reader_corpus_and_nasty_inputs() {
    for (name, data) in inputs("capture_reader") {
        let read = check_capture(&data);
        if name.contains("/corpus/") {
            assert!(read.is_ok(), "seed {name}: {read:?}");
        }
    }
    for data in nasty() {
        let _ = check_capture(&data);
    }
    // A bad line is a clean error naming it; lines after a good one still count.
    let good = r#"{"recv_ts_ms":1,"frame":{"type":"subscribed","id":1,"msg":{"channel":"orderbook_delta","sid":1}}}"#;
    let e = check_capture(format!("{good}\n{{\"recv_ts_ms\":1e999,\"frame\":1}}\n").as_bytes()).unwrap_err();
    assert!(e.starts_with("capture line 2:"), "{e}");
    let e = check_capture(&[good.as_bytes(), b"\n\xff\xfe\n"].concat()).unwrap_err();
    assert!(e.contains("capture"), "{e}");
}

// ---- config_loader --------------------------------------------------------------------

/// A fresh scratch file path for one load (tests run in parallel).
fn scratch_file() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    std::env::temp_dir().join(format!(
        "kalshi-actor-fuzz-regression-{}-{}.toml",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ))
}

/// The config target's property on a fresh scratch file (tests run in parallel).
fn check_config(data: &[u8]) -> bool {
    let path = scratch_file();
    let accepted = properties::check_config(data, &path);
    let _ = std::fs::remove_file(&path);
    accepted
}

#[test]
fn config_loader_corpus_and_nasty_inputs() {
    for (name, data) in inputs("config_loader") {
        let accepted = check_config(&data);
        if name.ends_with("/corpus/config_loader/config.toml") {
            assert!(accepted, "the committed config.toml no longer loads");
        }
    }
    for data in nasty() {
        check_config(&data);
    }
    let deep = |n: usize| format!("a = {}1{}\n", "[".repeat(n), "]".repeat(n)).into_bytes();
    let tables = format!("[{}]\n", vec!["t"; 5000].join(".")).into_bytes();
    let big = format!("[feed]\nmarket_limit = {}\n", "9".repeat(40)).into_bytes();
    let inf = b"[observer]\nstarting_cash = inf\n".to_vec();
    let nan = b"[observer]\nstarting_cash = nan\n".to_vec();
    let dur = b"[feed]\nstall_timeout = \"99999999999999999999h\"\n".to_vec();
    let env =
        b"\x00KALSHI_ACTOR_=1\nKALSHI_ACTOR___=2\nKALSHI_ACTOR_A__B__C=3\nRL_ACTOR_TICK_THROTTLE_MS=-1\n".to_vec();
    for data in [deep(10_000), tables, big, inf, nan, dur, env] {
        assert!(!check_config(&data), "{}", String::from_utf8_lossy(&data));
    }
}
