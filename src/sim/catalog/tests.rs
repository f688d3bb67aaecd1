//! Catalog tests: the default set, grids, `Market` objects, lifecycle, filters and paging.

#![allow(clippy::unwrap_used)]

use super::*;
use crate::domain::BookSide;
use crate::domain::{Count, Money};
use crate::kalshi::rest::{CreateOrderV2Request, MarketResponse, SelfTradePreventionType, TimeInForce};
use crate::kalshi::rest::{MarketFilterStatus, MarketResult};
use crate::sim::engine::Engine;

fn engine_with(markets: &[CatalogMarket]) -> Engine {
    let mut e = Engine::new(Default::default());
    for m in markets {
        e.add_market(m.spec.clone()).unwrap();
    }
    e
}

fn gtc(e: &mut Engine, ticker: &str, side: BookSide, count: i64, price: &str) -> Result<(), String> {
    let r = CreateOrderV2Request::new(
        ticker,
        side,
        Count::contracts(count),
        price.parse().unwrap(),
        TimeInForce::GoodTillCanceled,
        SelfTradePreventionType::TakerAtCross,
    );
    e.create_order("u", &r, 0).map(|_| ()).map_err(|e| e.to_string())
}

#[test]
fn default_set_is_eight_linear_and_one_sub_cent() {
    let ms = default_markets(&CatalogConfig::default());
    assert_eq!(ms.len(), 9);
    assert_eq!(ms.iter().filter(|m| m.price_level_structure.is_linear_cent()).count(), 8);
    assert_eq!(ms[8].price_level_structure.as_str(), "tapered_deci_cent");
    let mut tickers: Vec<&str> = ms.iter().map(|m| m.ticker()).collect();
    tickers.sort_unstable();
    tickers.dedup();
    assert_eq!(tickers.len(), 9, "tickers must be unique");
    for m in &ms {
        let t = m.ticker();
        assert!(t.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || "-.".contains(c)), "{t}");
        assert!(t.starts_with(&format!("{}-", m.spec.event_ticker)), "{t}");
        assert!(m.spec.event_ticker.starts_with(&m.series_ticker), "{t}");
        assert!((1000..=9000).contains(&m.initial_fair.centicents()), "{t}");
    }
    assert!(ms.iter().any(|m| m.ticker().contains('.')));
    let more = default_markets(&CatalogConfig { markets: 12, include_sub_cent: false, ..Default::default() });
    let mut t: Vec<&str> = more.iter().map(|m| m.ticker()).collect();
    assert_eq!(t[11], "KXBTCD-26NOV2617-T99499.99");
    t.sort_unstable();
    t.dedup();
    assert_eq!(t.len(), 12);
}

#[test]
fn grids_are_accepted_by_the_engine() {
    let ms = default_markets(&CatalogConfig::default());
    let mut e = engine_with(&ms);
    assert_eq!(e.tickers().len(), 9);
    let lin = ms[0].ticker();
    assert!(gtc(&mut e, lin, BookSide::Bid, 1, "0.4300").is_ok());
    assert!(gtc(&mut e, lin, BookSide::Bid, 1, "0.4350").unwrap_err().contains("not a valid price"));
    let sub = ms[8].ticker();
    assert!(gtc(&mut e, sub, BookSide::Bid, 1, "0.0950").is_ok());
    assert!(gtc(&mut e, sub, BookSide::Ask, 1, "0.9150").is_ok());
    assert!(gtc(&mut e, sub, BookSide::Bid, 1, "0.1050").unwrap_err().contains("not a valid price"));
    assert!(gtc(&mut e, sub, BookSide::Bid, 1, "0.4100").is_ok());
}

#[test]
fn to_rest_round_trips_and_reports_the_book() {
    let ms = default_markets(&CatalogConfig::default());
    let mut e = engine_with(&ms);
    let m = &ms[1];
    let empty = m.to_rest(&e, 0);
    assert_eq!(
        (empty.yes_bid_dollars, empty.no_bid_dollars, empty.no_ask_dollars),
        (Price::ZERO, Price::ZERO, Price::ZERO)
    );
    gtc(&mut e, m.ticker(), BookSide::Bid, 10, "0.4300").unwrap();
    gtc(&mut e, m.ticker(), BookSide::Bid, 5, "0.4100").unwrap();
    gtc(&mut e, m.ticker(), BookSide::Ask, 7, "0.4600").unwrap();
    let r = m.to_rest(&e, ms[1].open_ms + 1000);
    assert_eq!((r.yes_bid_dollars.format(), r.yes_bid_size_fp.format()), ("0.4300".into(), "10.00".into()));
    assert_eq!((r.yes_ask_dollars.format(), r.yes_ask_size_fp.format()), ("0.4600".into(), "7.00".into()));
    assert_eq!((r.no_bid_dollars.format(), r.no_ask_dollars.format()), ("0.5400".into(), "0.5700".into()));
    assert_eq!(r.status, MarketStatus::Active);
    assert_eq!(r.open_time, "2026-11-20T14:00:00.000000Z");
    assert_eq!(r.floor_strike, Some(97_499.99));
    let json = serde_json::to_string(&MarketResponse { market: r.clone() }).unwrap();
    for field in [
        "\"liquidity_dollars\":\"0.0000\"",
        "\"notional_value_dollars\":\"1.0000\"",
        "\"rules_secondary\"",
        "\"exchange_index\":0",
        "\"result\":\"\"",
    ] {
        assert!(json.contains(field), "{field} missing in {json}");
    }
    assert_eq!(serde_json::from_str::<MarketResponse>(&json).unwrap().market, r);
    // A trade moves last price, volume and open interest.
    let r2 = CreateOrderV2Request::new(
        m.ticker(),
        BookSide::Ask,
        Count::contracts(4),
        "0.4300".parse().unwrap(),
        TimeInForce::ImmediateOrCancel,
        SelfTradePreventionType::TakerAtCross,
    );
    e.create_order("v", &r2, 5000).unwrap();
    let r = m.to_rest(&e, 6000);
    assert_eq!(
        (r.last_price_dollars.format(), r.volume_fp.format(), r.volume_24h_fp.format()),
        ("0.4300".into(), "4.00".into(), "4.00".into())
    );
    assert_eq!(r.open_interest_fp.format(), "4.00");
    assert_eq!(r.yes_bid_size_fp.format(), "6.00");
    let later = m.to_rest(&e, 6000 + DAY_MS);
    assert_eq!((later.volume_24h_fp, later.previous_price_dollars.format()), (Count::ZERO, "0.4300".into()));
}

#[test]
fn lifecycle_schedule_closes_then_settles() {
    let cfg = CatalogConfig { close_after_ms: Some(60_000), settle_after_ms: Some(30_000), ..Default::default() };
    let mut ms = default_markets(&cfg);
    let mut e = engine_with(&ms);
    let t0 = cfg.start_ms;
    assert!(advance_lifecycle(&mut ms, &mut e, t0 + 59_999).is_empty());
    assert!(!advance_lifecycle(&mut ms, &mut e, t0 + 60_000).is_empty());
    assert_eq!(e.market_status(ms[0].ticker()), Some(MarketStatus::Closed));
    advance_lifecycle(&mut ms, &mut e, t0 + 90_000);
    assert_eq!(e.market_status(ms[0].ticker()), Some(MarketStatus::Finalized));
    let r = ms[0].to_rest(&e, t0 + 90_000);
    // Fed market starts at 62¢ and never traded: YES.
    assert_eq!((r.result, r.settlement_value_dollars), (MarketResult::Yes, Some(Money::from_cents(100))));
    assert_eq!(r.settlement_ts.as_deref(), Some("2026-11-20T14:01:30.000000Z"));
    assert_eq!(ms[2].to_rest(&e, t0).result, MarketResult::No);
    assert!(advance_lifecycle(&mut ms, &mut e, t0 + 99_000).is_empty());
}

#[test]
fn pagination() {
    let items: Vec<u32> = (0..250).collect();
    let (first, c) = page(&items, None, None).unwrap();
    assert_eq!((first.len(), first[0]), (100, 0));
    assert!(!c.is_empty());
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let (p, next) = page(&items, Some(7), Some(&cursor)).unwrap();
        seen.extend(p);
        if next.is_empty() {
            break;
        }
        cursor = next;
    }
    assert_eq!(seen, items, "cursor walk covers everything exactly once");
    assert_eq!(page(&items, Some(1000), None).unwrap(), (items.clone(), String::new()));
    assert_eq!(page(&items, Some(1001), None), Err(PageError::Limit(1001)));
    assert_eq!(page(&items, Some(0), None), Err(PageError::Limit(0)));
    assert_eq!(page(&items, Some(3), Some("not a cursor!")).unwrap().0, vec![0, 1, 2]);
    assert_eq!(page(&items, Some(3), Some("b2Zmc2V0Onh5")).unwrap().0, vec![0, 1, 2]);
    assert_eq!(page::<u32>(&[], None, None).unwrap(), (vec![], String::new()));
}

#[test]
fn filters() {
    let ms = default_markets(&CatalogConfig::default());
    let mut e = engine_with(&ms);
    e.set_market_status(ms[0].ticker(), MarketStatus::Inactive, 0).unwrap();
    e.set_market_status(ms[1].ticker(), MarketStatus::Closed, 0).unwrap();
    e.settle_market(ms[2].ticker(), Outcome::No, 0).unwrap();
    e.set_market_status(ms[3].ticker(), MarketStatus::Initialized, 0).unwrap();
    let sel = |status: &str| -> Vec<String> {
        let q = MarketQuery::parse(Some(status), None, None, None).unwrap();
        q.select(&ms, &e).iter().map(|m| m.ticker().to_owned()).collect()
    };
    assert_eq!(sel("paused"), vec![ms[0].ticker()]);
    assert_eq!(sel("closed"), vec![ms[1].ticker()]);
    assert_eq!(sel("settled"), vec![ms[2].ticker()]);
    assert_eq!(sel("unopened"), vec![ms[3].ticker()]);
    assert_eq!(sel("open").len(), 5);
    assert_eq!(sel("").len(), 9);
    assert_eq!(MarketQuery::parse(Some("active"), None, None, None), Err(QueryError::Status("active".into())));
    assert!(status_matches(MarketFilterStatus::Closed, MarketStatus::Determined));
    let q = MarketQuery::parse(None, Some("INXD-26NOV26-B6100, KXHIGHNY-26NOV26-B48.5,,"), None, None).unwrap();
    assert_eq!(q.select(&ms, &e).len(), 2);
    let q = MarketQuery::parse(None, None, Some("KXBTCD-26NOV2617"), None).unwrap();
    assert_eq!(q.select(&ms, &e)[0].ticker(), "KXBTCD-26NOV2617-T97499.99");
    let q = MarketQuery::parse(None, None, None, Some("KXNBAGAME")).unwrap();
    assert_eq!(q.select(&ms, &e).len(), 1);
    let q = MarketQuery::parse(Some("open"), None, None, Some("KXNBAGAME")).unwrap();
    assert!(q.select(&ms, &e).is_empty(), "NBA market is unopened");
}
