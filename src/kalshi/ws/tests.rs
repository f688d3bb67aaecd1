//! Wire tests: the spec's examples parse to exact values and serialize back to equal frames.

use super::*;
use crate::domain::{Count, Outcome, Price};

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/kalshi/ws/", $name))
    };
}

fn p(s: &str) -> Price {
    s.parse().unwrap()
}
fn c(s: &str) -> Count {
    s.parse().unwrap()
}

/// Parse → serialize → parse gives the same frame.
fn round_trip(text: &str) -> ServerFrame<'_> {
    let frame = ServerFrame::parse(text).unwrap();
    let json = frame.to_json();
    let again = ServerFrame::parse(&json).unwrap();
    assert_eq!(frame, again, "{json}");
    assert!(json.starts_with(&format!("{{\"type\":\"{}\"", frame.kind())), "{json}");
    frame
}

#[test]
fn snapshot_example() {
    let f = round_trip(fixture!("orderbook_snapshot.json"));
    let ServerFrame::OrderbookSnapshot { sid: 3, seq: 1, id: None, msg } = f else { panic!("{f:?}") };
    assert_eq!(msg.market_ticker, "KXDEMO-26NOV30-T50");
    assert_eq!(msg.yes_dollars_fp, vec![(p("0.41"), c("120")), (p("0.43"), c("40.5"))]);
    assert_eq!(msg.no_dollars_fp[1], (p("0.55"), c("10")));
}

#[test]
fn snapshot_with_empty_side_omits_the_key() {
    let text = r#"{"type":"orderbook_snapshot","sid":1,"seq":1,"msg":{"market_ticker":"X","market_id":"m","yes_dollars_fp":[["0.10","1.00"]]}}"#;
    let f = ServerFrame::parse(text).unwrap();
    let ServerFrame::OrderbookSnapshot { msg, .. } = &f else { panic!() };
    assert!(msg.no_dollars_fp.is_empty());
    assert!(!f.to_json().contains("no_dollars_fp"));
}

#[test]
fn delta_example_borrows_and_keeps_fields() {
    let f = round_trip(fixture!("orderbook_delta.json"));
    assert_eq!(f.sequence(), Some((3, 2)));
    let ServerFrame::OrderbookDelta { msg, .. } = f else { panic!() };
    assert_eq!(msg.price_dollars, p("0.43"));
    assert_eq!(msg.delta_fp.hundredths(), -1525);
    assert_eq!(msg.side, Outcome::Yes);
    assert_eq!(msg.ts_ms, Some(1_795_705_445_123));
    assert_eq!(msg.client_order_id.as_deref(), Some("c7f1e0d2-…"));
    assert!(matches!(msg.market_ticker, std::borrow::Cow::Borrowed(_)));
}

#[test]
fn delta_tolerates_numbers_and_trailing_newline() {
    let text = "{\"type\":\"orderbook_delta\",\"sid\":1,\"seq\":9,\"msg\":{\"market_ticker\":\"X\",\"market_id\":\"m\",\"price_dollars\":0.43,\"delta_fp\":-2.5,\"side\":\"no\",\"extra\":[1,2]}}\n";
    let ServerFrame::OrderbookDelta { msg, .. } = ServerFrame::parse(text).unwrap() else { panic!() };
    assert_eq!((msg.price_dollars, msg.delta_fp, msg.side), (p("0.43"), c("-2.5"), Outcome::No));
}

#[test]
fn other_examples() {
    let ServerFrame::Ticker { sid: 5, msg } = round_trip(fixture!("ticker.json")) else { panic!() };
    assert_eq!((msg.yes_bid_dollars, msg.volume_fp), (p("0.41"), c("15230")));
    let ServerFrame::Trade { seq: 88, msg, .. } = round_trip(fixture!("trade.json")) else { panic!() };
    assert_eq!(msg.taker_book_side, Some(crate::domain::BookSide::Bid));
    let ServerFrame::Fill { msg, .. } = round_trip(fixture!("fill.json")) else { panic!() };
    assert_eq!((msg.fee_cost.micros(), msg.post_position_fp), (52_500, c("3")));
    let ServerFrame::MarketPosition { msg, .. } = round_trip(fixture!("market_position.json")) else { panic!() };
    assert_eq!((msg.position_fp, msg.position_cost_dollars.format_4dp()), (c("-5"), "2.6000".into()));
    let ServerFrame::UserOrder { msg, .. } = round_trip(fixture!("user_order.json")) else { panic!() };
    assert_eq!((msg.ticker.as_str(), msg.remaining_count_fp), ("KXDEMO-26NOV30-T50", c("10")));
    let f = round_trip(fixture!("market_lifecycle_v2.json"));
    assert_eq!(f.sequence(), Some((10, 41)));
    let ServerFrame::MarketLifecycle { msg, .. } = f else { panic!() };
    assert_eq!(msg.settlement_value, Some(Price::ONE));
}

#[test]
fn replies() {
    let frames: Vec<ServerFrame> = fixture!("replies.jsonl").lines().map(round_trip).collect();
    assert_eq!(frames[0], ServerFrame::Subscribed { id: 1, channel: "orderbook_delta".into(), sid: 1 });
    assert_eq!(frames[1].sequence(), Some((1, 57)));
    assert!(matches!(&frames[2], ServerFrame::Ok { msg: OkMsg::List(l), sid: None, .. } if l.len() == 2));
    assert_eq!(frames[3].sequence(), Some((2, 9)));
    assert!(matches!(&frames[4], ServerFrame::Error { msg, .. } if msg.code == 7));
    assert_eq!(frames[4].sequence(), None);
}

#[test]
fn unknown_types_keep_their_sequence() {
    let f = ServerFrame::parse(r#"{"type":"event_lifecycle","sid":10,"seq":42,"msg":{"event_ticker":"E"}}"#).unwrap();
    assert_eq!(f.kind(), "event_lifecycle");
    assert_eq!(f.sequence(), Some((10, 42)));
}

#[test]
fn malformed_frames_name_the_problem() {
    let cases = [
        ("not json", "malformed frame"),
        (r#"{"sid":1}"#, "missing field `type`"),
        (r#"{"type":"orderbook_delta","sid":1,"seq":2}"#, "missing `msg`"),
        (r#"{"type":"orderbook_delta","seq":2,"msg":{}}"#, "missing `sid`"),
        (
            r#"{"type":"orderbook_delta","sid":1,"seq":2,"msg":{"market_ticker":"X","price_dollars":"1.5","delta_fp":"1","side":"yes"}}"#,
            "out of range",
        ),
        (
            r#"{"type":"orderbook_delta","sid":1,"seq":2,"msg":{"market_ticker":"X","price_dollars":"0.5","delta_fp":"1.001","side":"yes"}}"#,
            "decimal places",
        ),
        (
            r#"{"type":"orderbook_delta","sid":1,"seq":2,"msg":{"market_ticker":"X","price_dollars":"0.5","delta_fp":"1","side":"maybe"}}"#,
            "unknown variant `maybe`",
        ),
        (
            r#"{"type":"orderbook_snapshot","sid":1,"seq":2,"msg":{"yes_dollars_fp":[]}}"#,
            "missing field `market_ticker`",
        ),
        (r#"{"type":"fill","sid":1,"msg":{"trade_id":"t"}}"#, "missing field"),
    ];
    for (text, want) in cases {
        let err = ServerFrame::parse(text).unwrap_err().to_string();
        assert!(err.contains(want), "{text}: {err}");
    }
}

#[test]
fn commands_serialize_and_parse() {
    let sub = CommandFrame {
        id: 1,
        cmd: Command::Subscribe(SubscribeParams {
            channels: vec![Channel::OrderbookDelta],
            market_tickers: Some(vec!["A".into(), "B".into()]),
            use_yes_price: Some(false),
            ..Default::default()
        }),
    };
    let json = sub.to_json();
    assert_eq!(
        json,
        r#"{"id":1,"cmd":"subscribe","params":{"channels":["orderbook_delta"],"market_tickers":["A","B"],"use_yes_price":false}}"#
    );
    assert_eq!(CommandFrame::parse(&json), Ok(sub));
    let list = CommandFrame { id: 3, cmd: Command::ListSubscriptions };
    assert_eq!(list.to_json(), r#"{"id":3,"cmd":"list_subscriptions"}"#);
    let upd = r#"{"id": 12, "cmd": "update_subscription", "params": {"sid": 3, "action": "get_snapshot", "market_tickers": ["KXDEMO-26NOV30-T50"]}}"#;
    let CommandFrame { cmd: Command::UpdateSubscription(u), .. } = CommandFrame::parse(upd).unwrap() else { panic!() };
    assert_eq!((u.action, u.target(), u.tickers().len()), (UpdateAction::GetSnapshot, Ok(3), 1));
}

#[test]
fn command_errors_use_kalshi_codes() {
    let code = |t: &str| CommandFrame::parse(t).unwrap_err().code;
    assert_eq!(code("{"), 1);
    assert_eq!(code(r#"{"id":1,"cmd":"subscribe"}"#), 2);
    assert_eq!(code(r#"{"id":1,"cmd":"subscribe","params":{"channels":[]}}"#), 3);
    assert_eq!(code(r#"{"id":1,"cmd":"subscribe","params":{}}"#), 3);
    assert_eq!(code(r#"{"id":1,"cmd":"unsubscribe","params":{"sids":[]}}"#), 4);
    assert_eq!(code(r#"{"id":1,"cmd":"dance"}"#), 5);
    assert_eq!(code(r#"{"id":1,"cmd":"subscribe","params":{"channels":["multivariate"]}}"#), 8);
    assert_eq!(code(r#"{"id":1,"cmd":"update_subscription","params":{"sids":[1,2],"action":"add_markets"}}"#), 12);
    assert_eq!(code(r#"{"id":1,"cmd":"update_subscription","params":{"sid":1,"action":"explode"}}"#), 13);
    assert_eq!(code(r#"{"id":1,"cmd":"update_subscription","params":{"sid":1}}"#), 15);
    let e = CommandFrame::parse(r#"{"id":44,"cmd":"dance"}"#).unwrap_err();
    assert_eq!((e.id, e.message), (44, "Unknown command"));
}

#[test]
fn frames_stay_small_so_the_hot_path_does_not_copy_much() {
    assert!(std::mem::size_of::<ServerFrame>() <= 192, "{}", std::mem::size_of::<ServerFrame>());
}

#[test]
fn fast_path_agrees_with_the_general_path() {
    let frames = [
        fixture!("orderbook_delta.json").to_owned(),
        fixture!("orderbook_snapshot.json").to_owned(),
        // msg before type, extra nested fields, escaped key, duplicate keys, number prices.
        r#"{"msg":{"market_ticker":"X","market_id":"m","price_dollars":"0.10","delta_fp":"1","side":"yes"},"type":"orderbook_delta","sid":1,"seq":2}"#.to_owned(),
        r#"{"type":"orderbook_delta","extra":{"a":[1,{"b":"}"}]},"sid":1,"seq":2,"msg":{"market_ticker":"X","market_id":"m","price_dollars":0.1,"delta_fp":1,"side":"no","x":null}}"#.to_owned(),
        r#"{"type":"orderbook_delta","s\u0069d":1,"seq":2,"msg":{"market_ticker":"X","market_id":"m","price_dollars":"0.10","delta_fp":"1","side":"yes"}}"#.to_owned(),
        r#"{"type":"orderbook_delta","sid":1,"sid":2,"seq":2,"msg":{"market_ticker":"X","market_id":"m","price_dollars":"0.10","delta_fp":"1","side":"yes"}}"#.to_owned(),
        r#"{"type":"orderbook_delta","type":"ticker","sid":1,"seq":2,"msg":{"market_ticker":"X","market_id":"m","price_dollars":"0.10","delta_fp":"1","side":"yes"}}"#.to_owned(),
        r#"{"type":"orderbook_delta","sid":1,"seq":2,"msg":{"market_ticker":"X\"Y","market_id":"m","price_dollars":"0.10","delta_fp":"1","side":"yes"}}"#.to_owned(),
        r#"{"type":"orderbook_delta","sid":1,"msg":{"market_ticker":"X","market_id":"m","price_dollars":"0.10","delta_fp":"1","side":"yes"}}"#.to_owned(),
    ];
    for text in &frames {
        let general = ServerFrame::parse_general(text.trim_end());
        assert_eq!(ServerFrame::parse(text), general, "{text}");
        if let Some(hot) = fast::parse_hot(text.trim_end()) {
            assert_eq!(Ok(hot), general, "{text}");
        }
    }
    assert!(fast::parse_hot(frames[0].trim_end()).is_some(), "the common shape takes the fast path");
}
