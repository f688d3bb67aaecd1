//! Feed core tests: scripted frame sequences with every output checked.

use super::*;

const A: &str = "KXA-26DEC31-T1";
const B: &str = "KXB-26DEC31-T2";

fn core() -> FeedCore {
    FeedCore::new([A.to_owned(), B.to_owned()], NoPricing::NoLeg, true)
}

fn snapshot(sid: u64, seq: u64, market: &str) -> String {
    format!(
        r#"{{"type":"orderbook_snapshot","sid":{sid},"seq":{seq},"msg":{{"market_ticker":"{market}","market_id":"m","yes_dollars_fp":[["0.40","10"]]}}}}"#
    )
}

fn delta(sid: u64, seq: u64, market: &str) -> String {
    format!(
        r#"{{"type":"orderbook_delta","sid":{sid},"seq":{seq},"msg":{{"market_ticker":"{market}","market_id":"m","price_dollars":"0.40","delta_fp":"-1.5","side":"yes","ts_ms":7}}}}"#
    )
}

fn subscribed(c: &mut FeedCore) {
    assert!(c.on_text(r#"{"id":1,"type":"subscribed","msg":{"channel":"orderbook_delta","sid":1}}"#, 0).is_empty());
    // The fill channel's subscription is announced: fills made before it are only in REST.
    let fill = c.on_text(r#"{"id":2,"type":"subscribed","msg":{"channel":"fill","sid":2}}"#, 0);
    assert_eq!(fill, vec![FeedOutput::FillChannelOpened]);
    let orders = c.on_text(r#"{"id":2,"type":"subscribed","msg":{"channel":"user_orders","sid":3}}"#, 0);
    assert!(orders.is_empty());
}

fn is_book(o: &FeedOutput) -> bool {
    matches!(o, FeedOutput::Book(_))
}

#[test]
fn connect_marks_everything_stale_and_subscribes_explicitly() {
    let mut c = core();
    let out = c.on_connected();
    assert_eq!(out[0], FeedOutput::Stale { markets: vec![A.into(), B.into()] });
    let FeedOutput::Send(sub) = &out[1] else { panic!("{out:?}") };
    assert_eq!(
        sub,
        r#"{"cmd":"subscribe","id":1,"params":{"channels":["orderbook_delta"],"market_tickers":["KXA-26DEC31-T1","KXB-26DEC31-T2"],"use_yes_price":false}}"#
    );
    let FeedOutput::Send(private) = &out[2] else { panic!("{out:?}") };
    assert!(private.contains(r#""channels":["fill","user_orders"]"#), "{private}");
    let yes = FeedCore::new([A.to_owned()], NoPricing::YesLeg, false).on_connected();
    assert_eq!(yes.len(), 2, "no private channels when not trading");
    assert!(matches!(&yes[1], FeedOutput::Send(s) if s.contains(r#""use_yes_price":true"#)));
}

#[test]
fn in_order_frames_become_book_events() {
    let mut c = core();
    c.on_connected();
    subscribed(&mut c);
    let out = c.on_text(&snapshot(1, 1, A), 100);
    assert_eq!(
        out,
        vec![FeedOutput::Book(BookEvent::Snapshot {
            market: A.into(),
            sid: 1,
            seq: 1,
            recv_ms: 100,
            yes: vec![("0.40".parse().unwrap(), "10".parse().unwrap())],
            no: vec![],
            pricing: NoPricing::NoLeg,
        })]
    );
    let out = c.on_text(&delta(1, 2, A), 101);
    let FeedOutput::Book(BookEvent::Delta { delta, exchange_ts_ms, seq, .. }) = &out[0] else { panic!("{out:?}") };
    assert_eq!((delta.hundredths(), *exchange_ts_ms, *seq), (-150, Some(7), 2));
}

#[test]
fn a_gap_marks_the_sid_stale_and_asks_for_snapshots() {
    let mut c = core();
    c.on_connected();
    subscribed(&mut c);
    c.on_text(&snapshot(1, 1, A), 0);
    c.on_text(&snapshot(1, 2, B), 0);
    let out = c.on_text(&delta(1, 5, A), 0);
    assert!(!out.iter().any(is_book), "the delta after a gap is not applied: {out:?}");
    assert_eq!(out[0], FeedOutput::Stale { markets: vec![A.into(), B.into()] });
    let FeedOutput::Send(cmd) = &out[1] else { panic!("{out:?}") };
    assert!(cmd.contains(r#""action":"get_snapshot""#) && cmd.contains(r#""sid":1"#), "{cmd}");
    // The next delta continues from the new baseline; a snapshot answering the request
    // arrives with the next seq.
    assert!(c.on_text(&delta(1, 6, A), 0).iter().any(is_book));
    assert!(c.on_text(&snapshot(1, 7, A), 0).iter().any(is_book));
    assert_eq!(c.counters().gaps, 1);
}

#[test]
fn a_snapshot_after_a_gap_still_applies_and_others_go_stale() {
    let mut c = core();
    c.on_connected();
    subscribed(&mut c);
    c.on_text(&snapshot(1, 1, A), 0);
    let out = c.on_text(&snapshot(1, 4, B), 0);
    assert_eq!(out[0], FeedOutput::Stale { markets: vec![A.into()] });
    assert!(matches!(&out[1], FeedOutput::Send(_)));
    assert!(matches!(&out[2], FeedOutput::Book(BookEvent::Snapshot { market, .. }) if market == B));
}

#[test]
fn duplicates_and_old_frames_are_dropped() {
    let mut c = core();
    c.on_connected();
    subscribed(&mut c);
    c.on_text(&snapshot(1, 1, A), 0);
    c.on_text(&delta(1, 2, A), 0);
    assert!(c.on_text(&delta(1, 2, A), 0).is_empty());
    assert!(c.on_text(&delta(1, 1, A), 0).is_empty());
    assert_eq!(c.counters().duplicates, 2);
}

#[test]
fn acks_consume_seq_so_no_false_gap() {
    let mut c = core();
    c.on_connected();
    subscribed(&mut c);
    c.on_text(&snapshot(1, 1, A), 0);
    assert!(c
        .on_text(r#"{"id":3,"type":"ok","sid":1,"seq":2,"msg":{"market_tickers":["KXA-26DEC31-T1"]}}"#, 0)
        .is_empty());
    assert!(c.on_text(&delta(1, 3, A), 0).iter().any(is_book));
    assert_eq!(c.counters().gaps, 0);
}

#[test]
fn malformed_and_unknown_frames_are_counted_not_applied() {
    let mut c = core();
    c.on_connected();
    subscribed(&mut c);
    assert!(c.on_text("{\"type\":\"orderbook_delta\",\"sid\":", 0).is_empty());
    let bad_price = r#"{"type":"orderbook_delta","sid":1,"seq":1,"msg":{"market_ticker":"X","market_id":"m","price_dollars":"1.5","delta_fp":"1","side":"yes"}}"#;
    assert!(c.on_text(bad_price, 0).is_empty());
    assert!(c.on_text(r#"{"type":"mystery","sid":9,"msg":{}}"#, 0).is_empty());
    let counters = c.counters();
    assert_eq!(counters.malformed.get("envelope"), Some(&1));
    assert_eq!(counters.malformed.get("orderbook_delta"), Some(&1));
    assert_eq!(counters.ignored.get("mystery"), Some(&1));
    // The malformed delta did not consume the sid's sequence.
    assert!(c.on_text(&snapshot(1, 1, A), 0).iter().any(is_book));
}

#[test]
fn invented_frame_types_do_not_grow_the_counters() {
    let mut c = core();
    c.on_connected();
    subscribed(&mut c);
    for i in 0..10_000 {
        c.on_text(&format!(r#"{{"type":"invented_{i}","msg":{{}}}}"#), 0);
    }
    c.on_text(r#"{"type":"invented_3","msg":{}}"#, 0);
    let ignored = &c.counters().ignored;
    assert_eq!(ignored.len(), MAX_KINDS + 1);
    assert_eq!(ignored.values().sum::<u64>(), 10_001);
    assert_eq!((ignored.get("invented_3"), ignored.get(OTHER_KINDS)), (Some(&2), Some(&(10_000 - MAX_KINDS as u64))));
}

#[test]
fn private_events_and_terminal_errors() {
    let mut c = core();
    c.on_connected();
    subscribed(&mut c);
    let fill = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/kalshi/ws/fill.json"));
    assert!(matches!(&c.on_text(fill, 0)[0], FeedOutput::Fill(f) if f.count_fp == Count::contracts(3)));
    let uo = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/kalshi/ws/user_order.json"));
    assert!(matches!(&c.on_text(uo, 0)[0], FeedOutput::UserOrder(_)));
    let out = c.on_text(
        r#"{"id":0,"type":"error","sid":1,"seq":1,"msg":{"code":25,"msg":"Subscription buffer overflow"}}"#,
        0,
    );
    assert_eq!(out, vec![FeedOutput::Resubscribe { code: 25 }]);
    assert_eq!(c.counters().errors.get(&25), Some(&1));
}

#[test]
fn a_silent_market_is_marked_stale_and_asked_for_a_snapshot_once_per_timeout() {
    let mut c = core();
    c.on_connected();
    assert!(c.check_stalls(10_000, 500).is_empty(), "no subscription yet");
    subscribed(&mut c);
    c.on_text(&snapshot(1, 1, A), 1_000);
    c.on_text(&snapshot(1, 2, B), 1_000);
    c.on_text(&delta(1, 3, B), 1_400);
    assert!(c.check_stalls(1_450, 500).is_empty());
    let out = c.check_stalls(1_600, 500);
    assert_eq!(out[0], FeedOutput::Stale { markets: vec![A.into()] });
    assert!(matches!(&out[1], FeedOutput::Send(s) if s.contains("get_snapshot") && s.contains(A)));
    assert!(c.check_stalls(1_700, 500).is_empty(), "asked once per timeout");
    assert_eq!(c.counters().stalled_markets, 1);
}
