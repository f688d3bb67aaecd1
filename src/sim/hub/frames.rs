//! Wire payloads built from engine events and views: what each WebSocket channel sends.
//! Deprecated fields that Kalshi's AsyncAPI still marks required are filled (spec §11.1).

use std::borrow::Cow;

use crate::domain::{BookSide, Count, Outcome, Price};
use crate::kalshi::ws::{self, OrderbookDelta, OrderbookSnapshot, WireLevel};
use crate::sim::engine::{rfc3339_ms, BookDelta, Engine, FillEvent, MarketEvent, PositionUpdate, SimOrder, TradeEvent};

/// A stable market UUID derived from the ticker (FNV-1a), so frames are reproducible.
pub fn market_id(ticker: &str) -> String {
    let mut h: u128 = 0x6c62272e07bb014262b821756295c58d;
    for b in ticker.bytes() {
        h ^= u128::from(b);
        h = h.wrapping_mul(0x0000000001000000000000000000013B);
    }
    uuid::Builder::from_random_bytes(h.to_be_bytes()).into_uuid().to_string()
}

/// Levels of one market for a snapshot: YES bids, and NO bids in NO terms (or, with
/// `use_yes_price`, in YES terms), ascending.
pub fn snapshot_msg(engine: &Engine, ticker: &str, use_yes_price: bool) -> OrderbookSnapshot<'static> {
    let yes: Vec<WireLevel> = engine.levels(ticker, Outcome::Yes);
    let mut no: Vec<WireLevel> = engine.levels(ticker, Outcome::No);
    if use_yes_price {
        no = no.into_iter().rev().map(|(p, c)| (p.complement(), c)).collect();
    }
    OrderbookSnapshot {
        market_ticker: Cow::Owned(ticker.to_owned()),
        market_id: Cow::Owned(market_id(ticker)),
        yes_dollars_fp: yes,
        no_dollars_fp: no,
    }
}

/// An `orderbook_delta` payload; `client_order_id` only for the order's owner.
pub fn delta_msg(d: &BookDelta, use_yes_price: bool, owner: bool, ts_ms: i64) -> OrderbookDelta<'static> {
    let price = if use_yes_price && d.outcome == Outcome::No { d.price.complement() } else { d.price };
    let coid = if owner { d.client_order_id.clone().map(Cow::Owned) } else { None };
    OrderbookDelta {
        market_ticker: Cow::Owned(d.ticker.clone()),
        market_id: Cow::Owned(market_id(&d.ticker)),
        price_dollars: price,
        delta_fp: d.delta,
        side: d.outcome,
        ts: None,
        ts_ms: Some(ts_ms),
        subaccount: coid.as_ref().map(|_| 0),
        client_order_id: coid,
    }
}

/// A public `trade` payload.
pub fn trade_msg(t: &TradeEvent) -> ws::Trade {
    ws::Trade {
        trade_id: t.trade_id.clone(),
        market_ticker: t.ticker.clone(),
        yes_price_dollars: t.yes_price,
        no_price_dollars: t.yes_price.complement(),
        count_fp: t.count,
        taker_side: Some(t.taker_outcome()),
        taker_outcome_side: Some(t.taker_outcome()),
        taker_book_side: Some(t.taker_book_side),
        is_block_trade: Some(false),
        ts: Some(t.ts_ms.div_euclid(1000)),
        ts_ms: Some(t.ts_ms),
    }
}

/// A private `fill` payload.
pub fn fill_msg(f: &FillEvent) -> ws::Fill {
    let outcome = f.outcome();
    ws::Fill {
        trade_id: f.trade_id.clone(),
        order_id: f.order_id.clone(),
        client_order_id: f.client_order_id.clone(),
        market_ticker: f.ticker.clone(),
        exchange_index: 0,
        is_taker: f.is_taker,
        outcome_side: outcome,
        book_side: f.book_side,
        side: Some(outcome),
        action: Some("buy".into()),
        purchased_side: Some(outcome),
        yes_price_dollars: f.yes_price,
        count_fp: f.count,
        fee_cost: f.fee,
        post_position_fp: f.post_position,
        ts: Some(f.ts_ms.div_euclid(1000)),
        ts_ms: Some(f.ts_ms),
        subaccount: Some(0),
    }
}

/// A private `user_order` payload.
pub fn user_order_msg(o: &SimOrder) -> ws::UserOrder {
    let outcome = o.side.outcome();
    ws::UserOrder {
        order_id: o.order_id.clone(),
        user_id: Some(o.user_id.clone()),
        client_order_id: o.client_order_id.clone().unwrap_or_default(),
        ticker: o.ticker.clone(),
        exchange_index: 0,
        status: serde_json::to_value(o.status).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
        outcome_side: outcome,
        book_side: o.side,
        side: Some(outcome),
        is_yes: Some(o.side == BookSide::Bid),
        yes_price_dollars: o.price,
        fill_count_fp: o.fill_count,
        remaining_count_fp: o.remaining_count,
        initial_count_fp: o.initial_count,
        taker_fill_cost_dollars: o.taker_fill_cost,
        maker_fill_cost_dollars: o.maker_fill_cost,
        taker_fees_dollars: o.taker_fees,
        maker_fees_dollars: o.maker_fees,
        self_trade_prevention_type: serde_json::to_value(o.self_trade_prevention_type)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned)),
        order_group_id: o.order_group_id.clone(),
        created_time: Some(rfc3339_ms(o.created_ts_ms)),
        created_ts_ms: Some(o.created_ts_ms),
        last_updated_ts_ms: Some(o.last_updated_ts_ms),
        expiration_ts_ms: o.expiration_ts_ms,
        last_update_reason: None,
        subaccount_number: Some(o.subaccount),
    }
}

/// A private `market_position` payload.
pub fn position_msg(p: &PositionUpdate) -> ws::MarketPosition {
    let s = &p.state;
    ws::MarketPosition {
        user_id: Some(p.user_id.clone()),
        market_ticker: p.ticker.clone(),
        position_fp: s.position,
        position_cost_dollars: s.exposure,
        realized_pnl_dollars: s.realized_pnl,
        fees_paid_dollars: s.fees_paid,
        position_fee_cost_dollars: s.position_fee_cost,
        volume_fp: s.volume,
        subaccount: Some(0),
    }
}

/// The ticker of one market now; `None` for an unknown market.
pub fn ticker_msg(engine: &Engine, ticker: &str, now_ms: i64) -> Option<ws::Ticker> {
    engine.market_status(ticker)?;
    let (bid, bid_size) = engine.best_yes_bid(ticker).unwrap_or((Price::ZERO, Count::ZERO));
    let (ask, ask_size) = engine.best_yes_ask(ticker).unwrap_or((Price::ZERO, Count::ZERO));
    let last = engine.last_trade(ticker);
    let volume = engine.volume(ticker);
    let oi = engine.open_interest(ticker);
    let last_price = last.map_or(Price::ZERO, |t| t.yes_price);
    Some(ws::Ticker {
        market_ticker: ticker.to_owned(),
        market_id: market_id(ticker),
        price_dollars: last_price,
        yes_bid_dollars: bid,
        yes_ask_dollars: ask,
        yes_bid_size_fp: bid_size,
        yes_ask_size_fp: ask_size,
        last_trade_size_fp: last.map_or(Count::ZERO, |t| t.count),
        volume_fp: volume,
        open_interest_fp: oi,
        dollar_volume: volume.hundredths() / 100,
        dollar_open_interest: oi.hundredths() / 100,
        ts: Some(now_ms.div_euclid(1000)),
        ts_ms: Some(now_ms),
        time: Some(rfc3339_ms(now_ms)),
    })
}

/// `market_lifecycle_v2` payloads for a market event (a settlement is `determined` then
/// `settled`).
pub fn lifecycle_msgs(e: &MarketEvent, now_ms: i64) -> Vec<ws::MarketLifecycle> {
    let base = |ticker: &str, event_type: &str| ws::MarketLifecycle {
        market_ticker: ticker.to_owned(),
        event_type: event_type.to_owned(),
        open_ts: None,
        close_ts: None,
        determination_ts: None,
        result: None,
        settlement_value: None,
        settled_ts: None,
        is_deactivated: None,
        price_level_structure: None,
        price_ranges: None,
        exchange_index: Some(0),
    };
    match e {
        MarketEvent::Status { ticker, status } => {
            use crate::kalshi::rest::MarketStatus as S;
            let (kind, deactivated) = match status {
                S::Active => ("activated", Some(false)),
                S::Inactive => ("deactivated", Some(true)),
                _ => ("close_date_updated", None),
            };
            let mut m = base(ticker, kind);
            m.is_deactivated = deactivated;
            if kind == "close_date_updated" {
                m.close_ts = Some(now_ms.div_euclid(1000));
            }
            vec![m]
        }
        MarketEvent::Settled { ticker, result, ts_ms } => {
            let mut determined = base(ticker, "determined");
            determined.determination_ts = Some(ts_ms.div_euclid(1000));
            determined.result = Some(if *result == Outcome::Yes { "yes" } else { "no" }.into());
            determined.settlement_value = Some(if *result == Outcome::Yes { Price::ONE } else { Price::ZERO });
            let mut settled = base(ticker, "settled");
            settled.settled_ts = Some(ts_ms.div_euclid(1000));
            vec![determined, settled]
        }
    }
}
