//! The replay's fill model: our orders against the recorded book, as an exchange would treat
//! them, without changing the recorded book.
//!
//! - An order (create or amend) that crosses takes the recorded levels at their prices, best
//!   first, up to the size each shows and its own limit; it pays the taker fee. The rest
//!   rests at its limit (good till canceled).
//! - A resting order fills when the recorded book trades *through* it: a bid at `p` when the
//!   best YES ask falls below `p`, an ask when the best YES bid rises above `p`. It fills at
//!   its own price, up to the size shown beyond it, as a maker (maker fee).
//! - Fees are the exchange's formula (`sim::engine::fees`), rounded up to $0.0001 per fill.
//!
//! Our fills never remove liquidity from the recorded book (the book is what was recorded),
//! so an order is assumed small next to the levels it meets. Everything is deterministic:
//! order and trade ids count up from 1.

use std::collections::BTreeMap;

use crate::book::{Level, OrderBook};
use crate::domain::{BookSide, Count, Money, Outcome, Price};
use crate::executor::state::FillIn;
use crate::executor::WriteError;
use crate::kalshi::rest::{
    AmendOrderV2Request, AmendOrderV2Response, CancelOrderV2Response, CreateOrderV2Request, CreateOrderV2Response,
};
use crate::sim::engine::fees::{trade_fee, PPM, TAKER_FEE_PPM};

/// Fee coefficients, parts per million.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeeSchedule {
    /// Taker coefficient (Kalshi: 0.07).
    pub taker_ppm: u32,
    /// Maker coefficient (0 for most series; 0.0175 where maker fees apply).
    pub maker_ppm: u32,
    /// The series' fee multiplier (1 for most).
    pub multiplier_ppm: u32,
}

impl Default for FeeSchedule {
    fn default() -> Self {
        FeeSchedule { taker_ppm: TAKER_FEE_PPM, maker_ppm: 0, multiplier_ppm: PPM }
    }
}

#[derive(Debug, Clone)]
struct SimOrder {
    coid: Option<String>,
    market: String,
    side: BookSide,
    price: Price,
    remaining: Count,
    filled: Count,
}

/// Our orders at the simulated exchange.
#[derive(Debug, Clone, Default)]
pub struct FillModel {
    fees: FeeSchedule,
    orders: BTreeMap<String, SimOrder>,
    next_order: u64,
    next_trade: u64,
}

/// The recorded levels an order on `side` limited at `limit` meets, best first: YES asks
/// (from the NO bids) at or below a bid's limit, YES bids at or above an ask's. `through`
/// keeps only the levels strictly beyond the limit.
fn crossing(book: &OrderBook, side: BookSide, limit: Price, through: bool) -> Vec<Level> {
    let c = limit.centicents();
    match side {
        BookSide::Bid => book
            .bids(Outcome::No)
            .map(|l| Level { price: l.price.complement(), size: l.size })
            .take_while(|l| l.price.centicents() < c || (!through && l.price.centicents() == c))
            .collect(),
        BookSide::Ask => book
            .bids(Outcome::Yes)
            .take_while(|l| l.price.centicents() > c || (!through && l.price.centicents() == c))
            .collect(),
    }
}

fn min_count(a: Count, b: Count) -> Count {
    if a.hundredths() <= b.hundredths() {
        a
    } else {
        b
    }
}

fn sub(a: Count, b: Count) -> Count {
    Count::from_hundredths((a.hundredths() - b.hundredths()).max(0)).unwrap_or(Count::ZERO)
}

fn add(a: Count, b: Count) -> Count {
    Count::from_hundredths(a.hundredths() + b.hundredths()).unwrap_or(a)
}

impl FillModel {
    /// A model charging `fees`.
    pub fn new(fees: FeeSchedule) -> FillModel {
        FillModel { fees, ..FillModel::default() }
    }

    fn fill(&mut self, oid: &str, o: &SimOrder, price: Price, count: Count, taker: bool, ts_ms: i64) -> FillIn {
        self.next_trade += 1;
        let coef = if taker { self.fees.taker_ppm } else { self.fees.maker_ppm };
        FillIn {
            trade_id: format!("replay-trade-{}", self.next_trade),
            order_id: oid.to_owned(),
            client_order_id: o.coid.clone(),
            market: o.market.clone(),
            side: o.side,
            price,
            count,
            fee: trade_fee(coef, self.fees.multiplier_ppm, count, price),
            is_taker: taker,
            post_position: None,
            ts_ms,
        }
    }

    /// Takes what `o` crosses in `book` (taker fills), updating its counts.
    fn take(&mut self, oid: &str, o: &mut SimOrder, book: Option<&OrderBook>, ts_ms: i64) -> Vec<FillIn> {
        let Some(book) = book else { return Vec::new() };
        let mut fills = Vec::new();
        for level in crossing(book, o.side, o.price, false) {
            if !o.remaining.is_positive() {
                break;
            }
            let n = min_count(o.remaining, level.size);
            if n.is_positive() {
                fills.push(self.fill(oid, o, level.price, n, true, ts_ms));
                o.remaining = sub(o.remaining, n);
                o.filled = add(o.filled, n);
            }
        }
        fills
    }

    /// A create: its taker fills (apply them first) and the answer.
    pub fn create(
        &mut self,
        body: &CreateOrderV2Request,
        book: Option<&OrderBook>,
        ts_ms: i64,
    ) -> (Vec<FillIn>, CreateOrderV2Response) {
        self.next_order += 1;
        let oid = format!("replay-order-{}", self.next_order);
        let mut o = SimOrder {
            coid: body.client_order_id.clone(),
            market: body.ticker.clone(),
            side: body.side,
            price: body.price,
            remaining: body.count,
            filled: Count::ZERO,
        };
        let fills = self.take(&oid, &mut o, book, ts_ms);
        let answer = CreateOrderV2Response {
            order_id: oid.clone(),
            client_order_id: o.coid.clone(),
            fill_count: o.filled,
            remaining_count: o.remaining,
            average_fill_price: None,
            average_fee_paid: None,
            ts_ms,
        };
        if o.remaining.is_positive() {
            self.orders.insert(oid, o);
        }
        (fills, answer)
    }

    /// An amend to `body.price` and a total of `body.count` contracts (filled included).
    pub fn amend(
        &mut self,
        order_id: &str,
        body: &AmendOrderV2Request,
        book: Option<&OrderBook>,
        ts_ms: i64,
    ) -> Result<(Vec<FillIn>, AmendOrderV2Response), WriteError> {
        let Some(mut o) = self.orders.remove(order_id) else {
            return Err(WriteError::Rejected { status: 404, message: "not_found: order not resting".into() });
        };
        o.price = body.price;
        o.remaining = sub(body.count, o.filled);
        let fills = self.take(order_id, &mut o, book, ts_ms);
        let answer = AmendOrderV2Response {
            order_id: order_id.to_owned(),
            client_order_id: o.coid.clone(),
            remaining_count: Some(o.remaining),
            fill_count: Some(o.filled),
            average_fill_price: None,
            average_fee_paid: None,
            ts_ms,
        };
        if o.remaining.is_positive() {
            self.orders.insert(order_id.to_owned(), o);
        }
        Ok((fills, answer))
    }

    /// A cancel (404 when the order no longer rests).
    pub fn cancel(&mut self, order_id: &str, ts_ms: i64) -> Result<CancelOrderV2Response, WriteError> {
        let o = self
            .orders
            .remove(order_id)
            .ok_or_else(|| WriteError::Rejected { status: 404, message: "not_found: order not resting".into() })?;
        Ok(CancelOrderV2Response {
            order_id: order_id.to_owned(),
            client_order_id: o.coid,
            reduced_by: o.remaining,
            ts_ms,
        })
    }

    /// Cancels everything.
    pub fn cancel_all(&mut self) {
        self.orders.clear();
    }

    /// Whether an order of ours rests on `market`.
    pub fn has_orders(&self, market: &str) -> bool {
        self.orders.values().any(|o| o.market == market)
    }

    /// The fills of our resting orders on `market` that `book` trades through (maker).
    pub fn on_book(&mut self, market: &str, book: &OrderBook, ts_ms: i64) -> Vec<FillIn> {
        let ids: Vec<String> = self.orders.iter().filter(|(_, o)| o.market == market).map(|(k, _)| k.clone()).collect();
        let mut fills = Vec::new();
        for oid in ids {
            let Some(mut o) = self.orders.remove(&oid) else { continue };
            let shown = crossing(book, o.side, o.price, true).iter().fold(Count::ZERO, |acc, l| add(acc, l.size));
            let n = min_count(o.remaining, shown);
            if n.is_positive() {
                fills.push(self.fill(&oid, &o, o.price, n, false, ts_ms));
                o.remaining = sub(o.remaining, n);
                o.filled = add(o.filled, n);
            }
            if o.remaining.is_positive() {
                self.orders.insert(oid, o);
            }
        }
        fills
    }
}

/// The fee one fill would pay: for the report's checks and tests.
pub fn fee_of(fees: FeeSchedule, taker: bool, count: Count, price: Price) -> Money {
    trade_fee(if taker { fees.taker_ppm } else { fees.maker_ppm }, fees.multiplier_ppm, count, price)
}

#[cfg(test)]
#[path = "fill_tests.rs"]
mod tests;
