//! The fuzz targets' properties (`fuzz/fuzz_targets/`), checked in `cargo test` on the
//! committed seed corpus (`fuzz/corpus/<target>/`), every input a fuzzer found a bug with
//! (`fuzz/regressions/<target>/`) and a few nasty inputs: deeply nested JSON, huge
//! numbers, invalid UTF-8, empty. Each `check_*` function does what its fuzz target does,
//! through the same public functions; keep the two in step.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use kalshi_actor::book::{OrderBook, TickGrid};
use kalshi_actor::config::{Config, FileLayer};
use kalshi_actor::feed::capture;
use kalshi_actor::kalshi::rest::*;
use kalshi_actor::kalshi::ws::ServerFrame;
use kalshi_actor::observer::offline::CaptureReplay;
use kalshi_actor::storage::{apply_record, BookRecord};
use serde::de::DeserializeOwned;
use serde::Serialize;

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

/// `fuzz_targets/ws_frame.rs`: parse; a parsed frame re-encodes to itself.
fn check_ws_frame(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(frame) = ServerFrame::parse(text) else { return };
    let _ = (frame.kind(), frame.sequence());
    let json = frame.to_json();
    match ServerFrame::parse(&json) {
        // The writer drops what Kalshi never sends (a `sid` without its `seq` on a reply):
        // the sequence and the text it writes must survive, not every field.
        Ok(again) => {
            assert_eq!((again.kind(), again.sequence()), (frame.kind(), frame.sequence()), "re-encoded as {json}");
            assert_eq!(again.to_json(), json, "from {text:?}");
        }
        Err(e) => panic!("{json} (from {text:?}) does not parse back: {e}"),
    }
}

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

fn round_trip<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(body: &[u8]) {
    let Ok(value) = serde_json::from_slice::<T>(body) else { return };
    let json = serde_json::to_vec(&value).unwrap_or_else(|e| panic!("cannot encode {value:?}: {e}"));
    match serde_json::from_slice::<T>(&json) {
        Ok(again) => assert_eq!(again, value, "re-encoded as {}", String::from_utf8_lossy(&json)),
        Err(e) => panic!("{} does not decode back: {e}", String::from_utf8_lossy(&json)),
    }
}

/// `fuzz_targets/rest_responses.rs`: the first byte picks the decoder.
fn check_rest(data: &[u8]) {
    let Some((&which, body)) = data.split_first() else { return };
    match which % 23 {
        0 => {
            let e = ApiError::from_response(400, body);
            let _ = (e.to_string(), e.shape(), e.code(), e.message(), e.details(), e.is_retryable());
        }
        1 => round_trip::<ErrorBody>(body),
        2 => round_trip::<MarketsResponse>(body),
        3 => round_trip::<MarketResponse>(body),
        4 => round_trip::<OrderbookResponse>(body),
        5 => round_trip::<OrderbooksResponse>(body),
        6 => round_trip::<TradesResponse>(body),
        7 => round_trip::<FillsResponse>(body),
        8 => round_trip::<PositionsResponse>(body),
        9 => round_trip::<BalanceResponse>(body),
        10 => round_trip::<SettlementsResponse>(body),
        11 => round_trip::<OrdersResponse>(body),
        12 => round_trip::<OrderResponse>(body),
        13 => round_trip::<QueuePositionResponse>(body),
        14 => round_trip::<CreateOrderV2Response>(body),
        15 => round_trip::<CancelOrderV2Response>(body),
        16 => round_trip::<AmendOrderV2Response>(body),
        17 => round_trip::<DecreaseOrderV2Response>(body),
        18 => round_trip::<BatchCreateOrdersV2Response>(body),
        19 => round_trip::<BatchCancelOrdersV2Response>(body),
        20 => round_trip::<ExchangeStatus>(body),
        21 => round_trip::<AccountLimits>(body),
        _ => round_trip::<EndpointCostsResponse>(body),
    }
}

#[test]
fn rest_responses_corpus_and_nasty_inputs() {
    for (_, data) in inputs("rest_responses") {
        check_rest(&data);
    }
    for which in 0..23u8 {
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

/// `fuzz_targets/capture_reader.rs`: read the whole capture; records round-trip and apply.
fn check_capture(data: &[u8]) -> Result<u64, String> {
    let mut records = Vec::new();
    let read = CaptureReplay::new().read(data, &mut |r| records.push(r)).map_err(|e| e.to_string());
    let mut books = std::collections::HashMap::new();
    for r in &records {
        let json = serde_json::to_string(r).unwrap_or_else(|e| panic!("cannot encode {r:?}: {e}"));
        let back: BookRecord = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
        assert_eq!(&back, r);
        let book =
            books.entry(r.market().to_owned()).or_insert_with(|| OrderBook::new(r.market(), TickGrid::centi_cent()));
        let _ = apply_record(book, r);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        for line in text.lines() {
            let Ok(c) = capture::parse_line(line) else { continue };
            let again = capture::parse_line(&capture::line(c.recv_ts_ms, &c.frame))
                .unwrap_or_else(|e| panic!("{c:?} does not read back: {e}"));
            assert_eq!(again.recv_ts_ms, c.recv_ts_ms);
        }
    }
    read
}

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

/// `fuzz_targets/config_loader.rs`: TOML, then optionally NUL and `NAME=VALUE` lines;
/// an accepted config is written by `to_toml` and loads back to itself.
fn check_config(data: &[u8]) -> bool {
    let (file, env): (&[u8], Vec<(String, String)>) = match data.iter().position(|&b| b == 0) {
        Some(i) => (
            &data[..i],
            String::from_utf8_lossy(&data[i + 1..])
                .lines()
                .filter_map(|l| l.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        ),
        None => (data, Vec::new()),
    };
    let path = scratch_file();
    std::fs::write(&path, file).unwrap();
    let loaded = Config::load_from(FileLayer::Path(path.clone()), env.clone());
    let accepted = loaded.is_ok();
    if let Ok(config) = loaded {
        let toml = config.to_toml();
        std::fs::write(&path, &toml).unwrap();
        match Config::load_from(FileLayer::Path(path.clone()), env) {
            Ok(again) => assert_eq!(again, config, "written as\n{toml}"),
            Err(e) => panic!("the written config does not load back: {e}\n{toml}"),
        }
    }
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
