//! Putting orders on and off the book: reservations, book deltas, engine-side cancels and
//! expiry.

use super::account::{cnt, PositionState};
use super::book::published_level;
use super::events::{BookDelta, DeltaCause, EngineEvent};
use super::fees::fee_bound;
use super::Engine;
use crate::domain::{BookSide, Count, Money, Price};
use crate::kalshi::rest::{LastUpdateReason, OrderStatus};

impl Engine {
    /// The position of `user` in `ticker` (flat when unknown).
    pub(super) fn position_of(&self, user: &str, ticker: &str) -> PositionState {
        self.accounts.get(user).map(|a| a.position(ticker)).unwrap_or_default()
    }

    /// Cash `user` may commit to new orders (the starting cash for an unknown user).
    pub(super) fn available_of(&self, user: &str) -> Money {
        self.accounts.get(user).map_or(self.config.starting_cash, |a| a.available())
    }

    /// Worst-case cash an order of `count` at `price` on `side` could consume: the part
    /// that cannot close the position at the limit, plus the largest fee of the whole count.
    /// What the position can close is first claimed by the user's resting orders on that
    /// side: all of them for a new order (`own = None`), the older ones for resting order
    /// `own`.
    pub(super) fn requirement(
        &self,
        user: &str,
        ticker: &str,
        side: BookSide,
        price: Price,
        count: Count,
        own: Option<u64>,
    ) -> Money {
        let mult = self.markets.get(ticker).map_or(0, |m| m.spec.fee_multiplier_ppm);
        let claimed: i64 = self.accounts.get(user).map_or(0, |a| {
            a.resting
                .iter()
                .filter(|s| own.is_none_or(|own| **s < own))
                .filter_map(|s| self.orders.get(s))
                .filter(|o| o.ticker == ticker && o.side == side)
                .map(|o| o.remaining_count.hundredths())
                .sum()
        });
        let free_close = (self.position_of(user, ticker).closable(side).hundredths() - claimed).max(0);
        let open = cnt((count.hundredths() - free_close).max(0));
        let open_price = match side {
            BookSide::Bid => price,
            BookSide::Ask => price.complement(),
        };
        let coef = self.config.taker_fee_ppm.max(self.config.maker_fee_ppm);
        Money::notional(open_price, open) + fee_bound(coef, mult, count, side, price)
    }

    /// Gives back an order's reservation.
    pub(super) fn release(&mut self, seq: u64) {
        let Some(o) = self.orders.get_mut(&seq) else {
            return;
        };
        let amount = std::mem::replace(&mut o.reserved, Money::ZERO);
        if let Some(a) = self.accounts.get_mut(&o.user_id) {
            a.reserved = a.reserved - amount;
        }
    }

    /// (Re)computes the reservation of a resting order, capped by the available cash.
    pub(super) fn reserve(&mut self, seq: u64) {
        self.release(seq);
        let Some(o) = self.orders.get(&seq) else {
            return;
        };
        if !o.is_resting() {
            return;
        }
        let need = self.requirement(&o.user_id, &o.ticker, o.side, o.price, o.remaining_count, Some(seq));
        let Some(a) = self.accounts.get_mut(&o.user_id) else {
            return;
        };
        let amount = need.min(a.available().max(Money::ZERO));
        a.reserved = a.reserved + amount;
        if let Some(o) = self.orders.get_mut(&seq) {
            o.reserved = amount;
        }
    }

    /// Recomputes the reservations of `user`'s resting orders in `ticker`, oldest first,
    /// after its position changed.
    pub(super) fn rereserve(&mut self, user: &str, ticker: &str) {
        let seqs: Vec<u64> = self.accounts.get(user).map_or_else(Vec::new, |a| {
            a.resting.iter().copied().filter(|s| self.orders.get(s).is_some_and(|o| o.ticker == ticker)).collect()
        });
        for seq in &seqs {
            self.release(*seq);
        }
        for seq in seqs {
            self.reserve(seq);
        }
    }

    /// The published-book change of `delta` on order `seq`'s level.
    pub(super) fn delta_event(&self, seq: u64, delta: Count, cause: DeltaCause) -> Option<EngineEvent> {
        let o = self.orders.get(&seq)?;
        let (outcome, price) = published_level(o.side, o.price);
        Some(EngineEvent::Book(BookDelta {
            ticker: o.ticker.clone(),
            outcome,
            price,
            delta,
            user_id: o.user_id.clone(),
            order_id: o.order_id.clone(),
            client_order_id: o.client_order_id.clone(),
            cause,
        }))
    }

    /// A snapshot of order `seq` as an event.
    pub(super) fn emit_order(&self, seq: u64, events: &mut Vec<EngineEvent>) {
        if let Some(o) = self.orders.get(&seq) {
            events.push(EngineEvent::Order(Box::new(o.clone())));
        }
    }

    /// Queues a resting order at the back of its level and reserves its cash.
    pub(super) fn rest(&mut self, seq: u64, cause: DeltaCause, events: &mut Vec<EngineEvent>) {
        let Some(o) = self.orders.get(&seq) else {
            return;
        };
        let (side, price, remaining, expiry) = (o.side, o.price, o.remaining_count, o.expiration_ts_ms);
        if let Some(m) = self.markets.get_mut(&o.ticker) {
            m.book.push_back(side, price, seq, remaining);
        }
        if let Some(a) = self.accounts.get_mut(&o.user_id) {
            a.resting.insert(seq);
        }
        if let Some(t) = expiry {
            self.expiries.insert((t, seq));
        }
        self.reserve(seq);
        events.extend(self.delta_event(seq, remaining, cause));
    }

    /// Takes an order off the book (its record is unchanged) and releases its cash;
    /// returns the size removed.
    pub(super) fn unrest(&mut self, seq: u64, cause: DeltaCause, events: &mut Vec<EngineEvent>) -> Count {
        let Some(o) = self.orders.get(&seq) else {
            return Count::ZERO;
        };
        let (side, price, remaining) = (o.side, o.price, o.remaining_count);
        let removed = self.markets.get_mut(&o.ticker).is_some_and(|m| m.book.remove(side, price, seq, remaining));
        if let Some(a) = self.accounts.get_mut(&o.user_id) {
            a.resting.remove(&seq);
        }
        self.release(seq);
        if !removed {
            return Count::ZERO;
        }
        events.extend(self.delta_event(seq, -remaining, cause));
        remaining
    }

    /// Cancels what is left of an order, on the book or not (an incoming order whose
    /// matching stopped); returns the size removed from the book.
    pub(super) fn cancel_resting(
        &mut self,
        seq: u64,
        reason: Option<LastUpdateReason>,
        now_ms: i64,
        events: &mut Vec<EngineEvent>,
    ) -> Count {
        if !self.orders.get(&seq).is_some_and(|o| o.is_resting()) {
            return Count::ZERO;
        }
        let reduced = self.unrest(seq, DeltaCause::Canceled, events);
        if let Some(o) = self.orders.get_mut(&seq) {
            o.status = OrderStatus::Canceled;
            o.remaining_count = Count::ZERO;
            o.last_update_reason = reason.or(o.last_update_reason);
            o.last_updated_ts_ms = now_ms;
        }
        self.emit_order(seq, events);
        reduced
    }

    /// Cancels every resting order whose expiry is at or before `now_ms`.
    pub(super) fn expire_due(&mut self, now_ms: i64, events: &mut Vec<EngineEvent>) {
        while let Some(&(t, seq)) = self.expiries.first() {
            if t > now_ms {
                break;
            }
            self.expiries.remove(&(t, seq));
            if self.orders.get(&seq).is_some_and(|o| o.is_resting() && o.expiration_ts_ms == Some(t)) {
                self.cancel_resting(seq, Some(LastUpdateReason::ExpiryCancel), now_ms, events);
            }
        }
    }

    /// Cancels every resting order whose `expiration_time` has passed (`ExpiryCancel`).
    /// Mutating calls do this themselves; the server should also call it on a timer so
    /// expiries reach the WebSocket on time.
    pub fn expire_orders(&mut self, now_ms: i64) -> Vec<EngineEvent> {
        let mut events = Vec::new();
        self.expire_due(now_ms, &mut events);
        events
    }
}
