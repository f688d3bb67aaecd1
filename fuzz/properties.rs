//! The fuzz targets' properties, one function per target, shared by the targets
//! (`fuzz_targets/*.rs`, via `#[path]`) and by `tests/fuzz_regressions.rs`, which checks
//! them in `cargo test` on the seed corpus, every input a fuzzer found a bug with, and a few
//! nasty inputs. Each panics when its property fails.

use std::path::Path;

use kalshi_actor::book::{OrderBook, TickGrid};
use kalshi_actor::config::{Config, FileLayer};
use kalshi_actor::feed::capture;
use kalshi_actor::kalshi::rest::*;
use kalshi_actor::kalshi::ws::ServerFrame;
use kalshi_actor::observer::offline::CaptureReplay;
use kalshi_actor::storage::{apply_record, BookRecord};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// `ws_frame`: [`ServerFrame::parse`] never panics; a frame that parses is written back by
/// [`ServerFrame::to_json`] as text that parses again, to a frame of the same type and
/// sequence that writes the same text (the simulator depends on that).
pub fn check_ws_frame(data: &[u8]) {
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

fn round_trip<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(body: &[u8]) {
    let Ok(value) = serde_json::from_slice::<T>(body) else { return };
    let json = serde_json::to_vec(&value).unwrap_or_else(|e| panic!("cannot encode {value:?}: {e}"));
    match serde_json::from_slice::<T>(&json) {
        Ok(again) => assert_eq!(again, value, "re-encoded as {}", String::from_utf8_lossy(&json)),
        Err(e) => panic!("{} does not decode back: {e}", String::from_utf8_lossy(&json)),
    }
}

/// How many decoders [`check_rest`] picks from.
pub const REST_DECODERS: u8 = 23;

/// `rest_responses`: the first byte picks a response type, the rest is the body, decoded
/// as `RestClient::call` does (`serde_json::from_slice`) or, for error bodies, by
/// [`ApiError::from_response`]. Decoding never panics; a body that decodes is written back
/// by `Serialize` as JSON that decodes again to the same value (the simulator emits those).
pub fn check_rest(data: &[u8]) {
    let Some((&which, body)) = data.split_first() else { return };
    match which % REST_DECODERS {
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

/// `capture_reader`: [`CaptureReplay::read`] over the whole input as a capture file never
/// panics (a bad line is a `CaptureError`, returned as text); every record produced
/// survives its JSON round trip and applies, in order, to a centi-cent book; a line that
/// parses is written back by [`capture::line`] as a line that parses to the same time.
pub fn check_capture(data: &[u8]) -> Result<u64, String> {
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

/// `config_loader`: the input is a `config.toml`, optionally followed by a NUL byte and
/// environment lines `NAME=VALUE`; it is written to `scratch` (the loader reads files only)
/// and loaded with exactly that environment by [`Config::load_from`]. Loading never panics
/// (a bad file is a `ConfigError`); an accepted config is written by [`Config::to_toml`] as
/// a file that loads back, under the same environment, to the same config. Returns whether
/// the input was accepted.
pub fn check_config(data: &[u8], scratch: &Path) -> bool {
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
    std::fs::write(scratch, file).unwrap_or_else(|e| panic!("cannot write {}: {e}", scratch.display()));
    let Ok(config) = Config::load_from(FileLayer::Path(scratch.to_path_buf()), env.clone()) else { return false };
    let toml = config.to_toml();
    std::fs::write(scratch, &toml).unwrap_or_else(|e| panic!("cannot write {}: {e}", scratch.display()));
    match Config::load_from(FileLayer::Path(scratch.to_path_buf()), env) {
        Ok(again) => assert_eq!(again, config, "written as\n{toml}"),
        Err(e) => panic!("the written config does not load back: {e}\n{toml}"),
    }
    true
}
