//! The Observer core: points complete only when their millisecond is over, the replica
//! book follows the records, skip reasons, local time, and the offline readers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::offline::{CaptureReplay, OfflineObserver};
use super::*;
use crate::domain::{Count, Outcome, Price};
use crate::features::market::market_features;
use crate::features::temporal::{temporal_features, PointStream};
use crate::features::{finalize, FEATURE_NAMES};

fn ny() -> Tz {
    parse_timezone("America/New_York").unwrap()
}

fn lv(p: &str, c: &str) -> (Price, Count) {
    (p.parse().unwrap(), c.parse().unwrap())
}

fn snap(market: &str, seq: u64, ts: i64, yes: &[(&str, &str)], no: &[(&str, &str)]) -> BookRecord {
    BookRecord::Snapshot {
        market: market.into(),
        sid: 1,
        seq,
        recv_ms: ts,
        exchange_ts_ms: None,
        yes: yes.iter().map(|(p, c)| lv(p, c)).collect(),
        no: no.iter().map(|(p, c)| lv(p, c)).collect(),
    }
}

fn delta(market: &str, seq: u64, ts: i64, side: Outcome, p: &str, d: &str) -> BookRecord {
    BookRecord::Delta {
        market: market.into(),
        sid: 1,
        seq,
        recv_ms: ts,
        exchange_ts_ms: None,
        side,
        price: p.parse().unwrap(),
        delta: d.parse().unwrap(),
    }
}

fn flat() -> Portfolio {
    Portfolio { cash_cents: 10_000.0, positions: vec![], value_cents: None }
}

#[test]
fn a_point_completes_only_when_its_millisecond_is_over() {
    let mut c = ObserverCore::new(ny());
    assert!(c.on_record(&snap("A", 1, 1_000, &[("0.40", "10")], &[("0.55", "5")])).is_none());
    assert!(c.on_record(&snap("B", 2, 1_000, &[("0.20", "1")], &[])).is_none(), "same ms: still open");
    assert!(c.observe("A", &flat(), OrderMode::Zeros, &[]).is_none(), "no complete point yet");
    assert_eq!(c.check("A"), Err(Skip::NoState));
    // A later ms completes the first point, with both markets in it.
    let p = c.on_record(&delta("A", 3, 1_007, Outcome::Yes, "0.41", "3")).unwrap();
    assert_eq!((p.ts_ms, p.markets.len()), (1_000, 2));
    assert_eq!(c.check("A"), Err(Skip::WarmingUp), "one point: temporal fields undefined");
    // The boundary marker completes the open point without a later record.
    assert!(c.close_through(1_006).is_none(), "1 007 is not over yet");
    let p = c.close_through(1_007).unwrap();
    assert_eq!((p.ts_ms, c.points()), (1_007, 2));
    assert_eq!(c.check("A"), Ok(()));
    assert_eq!(c.check("B"), Err(Skip::OneSided), "B has no YES ask");
    let o = c.observe("A", &flat(), OrderMode::Zeros, &[]).unwrap();
    assert_eq!((o.ts_ms, o.seq), (1_007, 3));
    // The replica applied the delta: best YES bid 41.
    assert_eq!(o.obs[0], 0.41f32);
    // B's last view point is the first point.
    let b = c.observe("B", &flat(), OrderMode::Zeros, &[]).unwrap();
    assert_eq!((b.ts_ms, b.seq), (1_000, 2));
}

#[test]
fn the_observation_is_the_contract_built_from_the_same_states() {
    let records = [
        snap("A", 1, 1_000, &[("0.40", "10"), ("0.38", "4")], &[("0.55", "5")]),
        snap("B", 2, 1_000, &[("0.20", "1")], &[("0.70", "2")]),
        delta("A", 3, 1_250, Outcome::No, "0.57", "2.5"),
        delta("B", 4, 1_250, Outcome::Yes, "0.22", "1"),
        delta("A", 5, 1_900, Outcome::Yes, "0.40", "-10"),
        delta("A", 6, 2_400, Outcome::Yes, "0.39", "7.25"),
    ];
    let mut c = ObserverCore::new(ny());
    let mut reference = PointStream::new();
    let mut books: HashMap<String, OrderBook> = HashMap::default();
    let mut checked = 0;
    for r in &records {
        c.on_record(r);
        let b =
            books.entry(r.market().to_owned()).or_insert_with(|| OrderBook::new(r.market(), TickGrid::linear_cent()));
        apply_record(b, r).unwrap();
        if reference.push(r.recv_ms(), r.market(), MarketBook::from_book(b)).is_some() && c.state("A").is_some() {
            let (hist, cur) = reference.view("A").unwrap();
            let mut raw = [0.0; OBS_LEN];
            raw[..21].copy_from_slice(&market_features(reference.latest("A")));
            raw[21..35].copy_from_slice(&temporal_features(hist, cur, local_time(cur.ts_ms, ny())));
            raw[35] = 1.0; // flat: cash ratio 1, everything else 0
            let o = c.observe("A", &flat(), OrderMode::Zeros, &[]).unwrap();
            assert_eq!(o.obs, finalize(&raw), "at {}", o.ts_ms);
            checked += 1;
        }
    }
    assert_eq!(checked, 3);
    assert_eq!(FEATURE_NAMES[35], "cash_ratio");
}

#[test]
fn local_time_follows_the_zone_and_its_daylight_saving() {
    // 2026-07-01T13:30Z = 09:30 EDT, a Wednesday.
    assert_eq!(local_time(1_782_912_600_000, ny()), LocalTime { hour: 9, weekday_from_monday: 2 });
    // 2026-01-05T13:30Z = 08:30 EST, a Monday.
    assert_eq!(local_time(1_767_619_800_000, ny()), LocalTime { hour: 8, weekday_from_monday: 0 });
    // Same instant in UTC and Tokyo (Tuesday 03:30 → 22:30 JST? no: +9 h = 22:30 Monday).
    let utc = parse_timezone("UTC").unwrap();
    assert_eq!(local_time(1_767_619_800_000, utc), LocalTime { hour: 13, weekday_from_monday: 0 });
    let tokyo = parse_timezone("Asia/Tokyo").unwrap();
    assert_eq!(local_time(1_767_619_800_000, tokyo), LocalTime { hour: 22, weekday_from_monday: 0 });
    assert!(parse_timezone("Mars/Olympus").unwrap_err().contains("IANA"));
}

#[test]
fn offline_emits_one_observation_per_view_point() {
    let mut off = OfflineObserver::new("A", ny(), flat());
    let mut out = Vec::new();
    let records = [
        snap("A", 1, 1_000, &[("0.40", "10")], &[("0.55", "5")]),
        snap("B", 2, 1_000, &[("0.20", "1")], &[]),
        delta("B", 3, 1_100, Outcome::Yes, "0.20", "1"),
        delta("A", 4, 1_200, Outcome::Yes, "0.40", "1"),
        delta("A", 5, 1_200, Outcome::Yes, "0.41", "1"),
    ];
    for r in &records {
        off.push(r, &mut |o| out.push(o));
    }
    let n = off.finish(&mut |o| out.push(o));
    assert_eq!(n, 2);
    assert_eq!(out.iter().map(|o| (o.ts_ms, o.seq)).collect::<Vec<_>>(), [(1_000, 1), (1_200, 5)]);
    assert!(out[0].obs[24] > 0.0, "the first point of a longer stream keeps its activity");
}

#[test]
fn a_single_point_stream_has_zero_activity() {
    let mut off = OfflineObserver::new("A", ny(), flat());
    let mut out = Vec::new();
    off.push(&snap("A", 1, 1_000, &[("0.40", "10")], &[("0.55", "5")]), &mut |o| out.push(o));
    assert_eq!(off.finish(&mut |o| out.push(o)), 1);
    assert_eq!(out[0].obs[24], 0.0);
    assert_eq!(out[0].obs[21], 0.0);
}

fn frame(kind: &str, sid: u64, seq: u64, msg: &str) -> String {
    format!(r#"{{"type":"{kind}","sid":{sid},"seq":{seq},"msg":{msg}}}"#)
}

#[test]
fn a_capture_replays_into_the_live_records() {
    let sub = r#"{"id":1,"type":"subscribed","msg":{"channel":"orderbook_delta","sid":1}}"#;
    let snap_a = r#"{"market_ticker":"A","yes_dollars_fp":[["0.40","10.00"]],"no_dollars_fp":[["0.55","5.00"]]}"#;
    let d =
        |p: &str, n: &str| format!(r#"{{"market_ticker":"A","price_dollars":"{p}","delta_fp":"{n}","side":"yes"}}"#);
    let frames = [
        (1_000, sub.to_owned()),
        (1_001, frame("orderbook_snapshot", 1, 1, snap_a)),
        (1_002, frame("orderbook_delta", 1, 2, &d("0.40", "1.00"))),
        (1_003, frame("orderbook_delta", 1, 4, &d("0.40", "1.00"))), // gap: A stale
        (1_004, frame("orderbook_delta", 1, 5, &d("0.40", "1.00"))), // refused: stale
        (1_005, frame("orderbook_snapshot", 1, 6, snap_a)),
        (1_006, "not json".to_owned()),
        (1_007, sub.to_owned()), // reconnection: sequence restarts at 1
        (1_009, frame("orderbook_snapshot", 1, 1, snap_a)),
        (1_010, frame("orderbook_delta", 1, 2, &d("0.40", "2.00"))),
    ];
    let text: String = frames.iter().map(|(t, f)| crate::feed::capture::line(*t, f)).collect();
    let mut records = Vec::new();
    let n = CaptureReplay::new().read(text.as_bytes(), &mut |r| records.push(r)).unwrap();
    assert_eq!(n, frames.len() as u64);
    let got: Vec<(u64, i64, bool)> = records.iter().map(|r| (r.seq(), r.recv_ms(), r.is_snapshot())).collect();
    assert_eq!(got, [(1, 1_001, true), (2, 1_002, false), (6, 1_005, true), (1, 1_009, true), (2, 1_010, false)]);
    let bad = CaptureReplay::new().read("{\"nope\":1}\n".as_bytes(), &mut |_| {}).unwrap_err();
    assert!(bad.to_string().contains("line 1"), "{bad}");
}
