//! Matching an incoming order against the book: price-time priority, execution at the
//! resting price, self-trade prevention, reduce-only caps, per-fill cash checks, and the
//! bookkeeping of one execution (orders, cash, positions, fees, events).

use std::collections::HashMap;

use super::account::cnt;
use super::events::{DeltaCause, EngineEvent, FillEvent, PositionUpdate, TradeEvent};
use super::fees::trade_fee;
use super::outcome::FillTotals;
use super::Engine;
use crate::domain::{BookSide, Count, Money, Price};
use crate::kalshi::rest::{LastUpdateReason, OrderStatus, SelfTradePreventionType, TimeInForce};

/// Why matching of an incoming order stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stop {
    /// Nothing left to fill.
    Filled,
    /// The book no longer crosses the limit.
    NoCross,
    /// The next resting order is the user's own and STP is `taker_at_cross`.
    SelfTrade,
    /// The user cannot pay for the next fill.
    Margin,
    /// A reduce-only order has no position left to reduce.
    ReduceOnly,
}

/// One execution between an incoming and a resting order.
struct Execution {
    taker: u64,
    maker: u64,
    price: Price,
    count: Count,
    taker_fee: Money,
    maker_fee: Money,
}

impl Engine {
    /// Fills incoming order `seq` (on no book) against the opposite side until one of the
    /// [`Stop`] conditions; resting orders met on the way may be canceled (STP `maker`,
    /// reduce-only with nothing to reduce, unable to pay).
    pub(super) fn run_match(
        &mut self,
        seq: u64,
        now_ms: i64,
        events: &mut Vec<EngineEvent>,
        totals: &mut FillTotals,
    ) -> Stop {
        loop {
            let Some(t) = self.orders.get(&seq) else {
                return Stop::NoCross;
            };
            if !t.remaining_count.is_positive() {
                return Stop::Filled;
            }
            let Some(market) = self.markets.get(&t.ticker) else {
                return Stop::NoCross;
            };
            let mult = market.spec.fee_multiplier_ppm;
            let Some((price, mseq)) = market.book.best_crossing(t.side, t.price) else {
                return Stop::NoCross;
            };
            let Some(m) = self.orders.get(&mseq) else {
                return Stop::NoCross;
            };
            if m.user_id == t.user_id {
                if t.self_trade_prevention_type == SelfTradePreventionType::Maker {
                    self.cancel_resting(mseq, Some(LastUpdateReason::SelfTradeCancel), now_ms, events);
                    continue;
                }
                return Stop::SelfTrade;
            }
            let mut n = t.remaining_count.hundredths().min(m.remaining_count.hundredths());
            let maker_pos = self.position_of(&m.user_id, &t.ticker);
            let taker_pos = self.position_of(&t.user_id, &t.ticker);
            if m.reduce_only {
                let r = maker_pos.closable(m.side).hundredths();
                if r == 0 {
                    self.cancel_resting(mseq, Some(LastUpdateReason::ReduceOnlyCancel), now_ms, events);
                    continue;
                }
                n = n.min(r);
            }
            if t.reduce_only {
                let r = taker_pos.closable(t.side).hundredths();
                if r == 0 {
                    return Stop::ReduceOnly;
                }
                n = n.min(r);
            }
            let count = cnt(n);
            let maker_fee = trade_fee(self.config.maker_fee_ppm, mult, count, price);
            let taker_fee = trade_fee(self.config.taker_fee_ppm, mult, count, price);
            let maker_cash = self.available_of(&m.user_id) + m.reserved;
            if maker_cash + maker_pos.preview_cash(m.side, price, count, maker_fee) < Money::ZERO {
                self.cancel_resting(mseq, Some(LastUpdateReason::MarginCancel), now_ms, events);
                continue;
            }
            if self.available_of(&t.user_id) + taker_pos.preview_cash(t.side, price, count, taker_fee) < Money::ZERO {
                return Stop::Margin;
            }
            let exec = Execution { taker: seq, maker: mseq, price, count, taker_fee, maker_fee };
            self.execute(&exec, now_ms, events);
            totals.add(price, count, taker_fee);
        }
    }

    /// True when a fill-or-kill order can fill completely: the crossing liquidity covers
    /// it, counting the user's own orders only under `taker_at_cross` (where meeting one
    /// stops matching and the fills made stand, §6.3) and reduce-only makers only up to what
    /// their owners can still reduce. (A maker that cannot pay is not foreseen: it is
    /// canceled during matching and the fills made stand.)
    pub(super) fn fok_fillable(&self, seq: u64) -> bool {
        let Some(t) = self.orders.get(&seq) else {
            return false;
        };
        let Some(market) = self.markets.get(&t.ticker) else {
            return false;
        };
        let skip_own = t.self_trade_prevention_type == SelfTradePreventionType::Maker;
        let mut reducible: HashMap<&str, i64> = HashMap::new();
        let mut have = 0i64;
        for s in market.book.crossing_orders(t.side, t.price) {
            let Some(o) = self.orders.get(&s) else {
                continue;
            };
            if skip_own && o.user_id == t.user_id {
                continue;
            }
            // Every fill of an owner's orders uses up what its reduce-only orders may close.
            let left = reducible
                .entry(o.user_id.as_str())
                .or_insert_with(|| self.position_of(&o.user_id, &o.ticker).closable(o.side).hundredths());
            let mut size = o.remaining_count.hundredths();
            if o.reduce_only {
                size = size.min((*left).max(0));
            }
            *left -= size;
            have += size;
            if have >= t.remaining_count.hundredths() {
                return true;
            }
        }
        false
    }

    /// Settles an incoming order after matching: rests a good-till-canceled remainder
    /// (`cause` names the placement), cancels any other remainder with the reason the stop
    /// implies, and emits the order's final snapshot.
    pub(super) fn finish_incoming(
        &mut self,
        seq: u64,
        stop: Stop,
        cause: DeltaCause,
        now_ms: i64,
        events: &mut Vec<EngineEvent>,
    ) {
        let Some(o) = self.orders.get_mut(&seq) else {
            return;
        };
        o.last_updated_ts_ms = now_ms;
        let reason = match stop {
            Stop::Filled => {
                o.status = OrderStatus::Executed;
                o.remaining_count = Count::ZERO;
                self.emit_order(seq, events);
                return;
            }
            Stop::NoCross if o.time_in_force == TimeInForce::GoodTillCanceled => {
                self.rest(seq, cause, events);
                self.emit_order(seq, events);
                return;
            }
            Stop::NoCross => None,
            Stop::SelfTrade => Some(LastUpdateReason::SelfTradeCancel),
            Stop::Margin => Some(LastUpdateReason::MarginCancel),
            Stop::ReduceOnly => Some(LastUpdateReason::ReduceOnlyCancel),
        };
        self.cancel_resting(seq, reason, now_ms, events);
    }

    /// Books one execution: both orders, the maker's level, cash, positions, fees, the
    /// trade log and the events (maker's level change, trade, both fills, both positions,
    /// the maker's order snapshot).
    fn execute(&mut self, x: &Execution, now_ms: i64, events: &mut Vec<EngineEvent>) {
        let trade_id = self.next_trade_id();
        events.extend(self.delta_event(x.maker, -x.count, DeltaCause::Filled));
        let Some(taker) = self.orders.get(&x.taker) else {
            return;
        };
        let trade = TradeEvent {
            trade_id: trade_id.clone(),
            ticker: taker.ticker.clone(),
            yes_price: x.price,
            count: x.count,
            taker_book_side: taker.side,
            ts_ms: now_ms,
        };
        if let Some(m) = self.markets.get_mut(&taker.ticker) {
            m.volume_hundredths += trade.count.hundredths();
            m.trades.push(trade.clone());
        }
        events.push(EngineEvent::Trade(trade));
        let maker = self.apply_fill(x.maker, &trade_id, x.price, x.count, x.maker_fee, false, now_ms);
        let taker = self.apply_fill(x.taker, &trade_id, x.price, x.count, x.taker_fee, true, now_ms);
        self.fees_collected = self.fees_collected + x.maker_fee + x.taker_fee;
        let (mut fills, mut positions) = (Vec::new(), Vec::new());
        for (fill, pos) in [maker, taker].into_iter().flatten() {
            fills.push(EngineEvent::Fill(fill));
            positions.push(EngineEvent::Position(pos));
        }
        events.extend(fills);
        events.extend(positions);
        // The maker's level: leave the queue when done, else keep the place.
        let Some(m) = self.orders.get(&x.maker) else {
            return;
        };
        let (side, price, done) = (m.side, m.price, !m.remaining_count.is_positive());
        if let Some(market) = self.markets.get_mut(&m.ticker) {
            if done {
                market.book.remove(side, price, x.maker, x.count);
            } else {
                market.book.shrink(side, price, x.count);
            }
        }
        let (maker_user, ticker) = (m.user_id.clone(), m.ticker.clone());
        if done {
            if let Some(a) = self.accounts.get_mut(&maker_user) {
                a.resting.remove(&x.maker);
            }
            self.release(x.maker);
        }
        // Both positions moved: what each user's resting orders may close changed.
        self.rereserve(&maker_user, &ticker);
        if let Some(t) = self.orders.get(&x.taker).map(|t| t.user_id.clone()) {
            self.rereserve(&t, &ticker);
        }
        self.emit_order(x.maker, events);
    }

    /// One participant's side of an execution: order counters, cash, position, fill log.
    #[allow(clippy::too_many_arguments)]
    fn apply_fill(
        &mut self,
        seq: u64,
        trade_id: &str,
        price: Price,
        count: Count,
        fee: Money,
        is_taker: bool,
        now_ms: i64,
    ) -> Option<(FillEvent, PositionUpdate)> {
        let o = self.orders.get_mut(&seq)?;
        let own_price = match o.side {
            BookSide::Bid => price,
            BookSide::Ask => price.complement(),
        };
        let cost = Money::notional(own_price, count);
        if is_taker {
            o.taker_fill_cost = o.taker_fill_cost + cost;
            o.taker_fees = o.taker_fees + fee;
        } else {
            o.maker_fill_cost = o.maker_fill_cost + cost;
            o.maker_fees = o.maker_fees + fee;
        }
        o.fill_count = cnt(o.fill_count.hundredths() + count.hundredths());
        o.remaining_count = cnt(o.remaining_count.hundredths() - count.hundredths());
        if !o.remaining_count.is_positive() {
            o.status = OrderStatus::Executed;
        }
        o.last_update_reason = Some(LastUpdateReason::Trade);
        o.last_updated_ts_ms = now_ms;
        let account = self.accounts.get_mut(&o.user_id)?;
        let pos = account.positions.entry(o.ticker.clone()).or_default();
        let moved = pos.apply_fill(o.side, price, count, fee, now_ms);
        let state = *pos;
        account.cash = account.cash + moved.cash_delta;
        let fill = FillEvent {
            trade_id: trade_id.to_owned(),
            order_id: o.order_id.clone(),
            client_order_id: o.client_order_id.clone(),
            user_id: o.user_id.clone(),
            ticker: o.ticker.clone(),
            is_taker,
            book_side: o.side,
            yes_price: price,
            count,
            fee,
            post_position: state.position,
            ts_ms: now_ms,
        };
        account.fills.push(fill.clone());
        Some((fill, PositionUpdate { user_id: o.user_id.clone(), ticker: o.ticker.clone(), state }))
    }
}
