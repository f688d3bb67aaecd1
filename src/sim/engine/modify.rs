//! Changing resting orders: cancel (one, a batch, all), amend and decrease (§5.5).
//!
//! Amend sets a new total size (`count` = already filled + desired remaining) and price. A
//! pure size decrease keeps the order's queue place; a price change or a size increase
//! sends it to the back of its (new) level, and a new price that crosses matches first.

use super::account::cnt;
use super::events::{DeltaCause, EngineEvent};
use super::outcome::{AmendOutcome, CancelOutcome, CreateOutcome, DecreaseOutcome, FillTotals};
use super::{Engine, EngineError, PostOnlyMode, MAX_ORDER_HUNDREDTHS};
use crate::domain::Count;
use crate::kalshi::rest::{
    AmendOrderV2Request, CreateOrderV2Request, DecreaseOrderV2Request, LastUpdateReason, MarketStatus,
};

impl Engine {
    /// The sequence number of `user`'s order `order_id` if it still rests (404 otherwise,
    /// also for another user's order and for one whose expiry has passed).
    fn resting_order_of(&self, user: &str, order_id: &str, now_ms: i64) -> Result<u64, EngineError> {
        let not_found = || EngineError::OrderNotFound(order_id.to_owned());
        let seq = *self.order_index.get(order_id).ok_or_else(not_found)?;
        let o = self.orders.get(&seq).ok_or_else(not_found)?;
        if o.user_id != user || !o.is_resting() || o.expiration_ts_ms.is_some_and(|t| t <= now_ms) {
            return Err(not_found());
        }
        let status = self.markets.get(&o.ticker).map(|m| m.status);
        if !matches!(status, Some(MarketStatus::Active | MarketStatus::Inactive)) {
            return Err(EngineError::MarketClosed(o.ticker.clone()));
        }
        Ok(seq)
    }

    /// Cancels one resting order; `reduced_by` is what it still had resting. 404 when the
    /// order is unknown, another user's, or no longer resting.
    pub fn cancel_order(&mut self, user: &str, order_id: &str, now_ms: i64) -> Result<CancelOutcome, EngineError> {
        let seq = self.resting_order_of(user, order_id, now_ms)?;
        let mut events = Vec::new();
        self.expire_due(now_ms, &mut events);
        let reduced_by = self.cancel_resting(seq, None, now_ms, &mut events);
        Ok(CancelOutcome {
            order_id: order_id.to_owned(),
            client_order_id: self.orders.get(&seq).and_then(|o| o.client_order_id.clone()),
            reduced_by,
            ts_ms: now_ms,
            events,
        })
    }

    /// Cancels every resting order of `user` (in one market when `ticker` is given), oldest
    /// first.
    pub fn cancel_all(&mut self, user: &str, ticker: Option<&str>, now_ms: i64) -> Vec<CancelOutcome> {
        let ids: Vec<String> = self.accounts.get(user).map_or_else(Vec::new, |a| {
            a.resting
                .iter()
                .filter_map(|s| self.orders.get(s))
                .filter(|o| ticker.is_none_or(|t| o.ticker == t))
                .map(|o| o.order_id.clone())
                .collect()
        });
        ids.iter().filter_map(|id| self.cancel_order(user, id, now_ms).ok()).collect()
    }

    /// Batch create: each order independently, in request order.
    pub fn create_orders(
        &mut self,
        user: &str,
        reqs: &[CreateOrderV2Request],
        now_ms: i64,
    ) -> Vec<Result<CreateOutcome, EngineError>> {
        reqs.iter().map(|r| self.create_order(user, r, now_ms)).collect()
    }

    /// Batch cancel: each order independently, in request order.
    pub fn cancel_orders(
        &mut self,
        user: &str,
        order_ids: &[String],
        now_ms: i64,
    ) -> Vec<Result<CancelOutcome, EngineError>> {
        order_ids.iter().map(|id| self.cancel_order(user, id, now_ms)).collect()
    }

    /// Amends a resting order's price and total size (see the module docs for priority).
    pub fn amend_order(
        &mut self,
        user: &str,
        order_id: &str,
        req: &AmendOrderV2Request,
        now_ms: i64,
    ) -> Result<AmendOutcome, EngineError> {
        let seq = self.resting_order_of(user, order_id, now_ms)?;
        let o = self.orders.get(&seq).ok_or_else(|| EngineError::OrderNotFound(order_id.to_owned()))?;
        if req.ticker != o.ticker {
            return Err(EngineError::OrderTickerMismatch);
        }
        if req.side != o.side {
            return Err(EngineError::OrderSideMismatch);
        }
        if req.client_order_id.as_ref().is_some_and(|c| o.client_order_id.as_ref() != Some(c)) {
            return Err(EngineError::ClientOrderIdMismatch);
        }
        self.check_market_price(&o.ticker, req.price)?;
        let new_remaining = req.count.hundredths() - o.fill_count.hundredths();
        if new_remaining < 1 || req.count.hundredths() > MAX_ORDER_HUNDREDTHS {
            return Err(EngineError::InvalidOrderSize("count must exceed the filled count".into()));
        }
        let new_id = req.updated_client_order_id.as_ref().filter(|u| o.client_order_id.as_ref() != Some(*u));
        if let Some(u) = new_id {
            if self.accounts.get(user).is_some_and(|a| a.client_order_ids.contains(u)) {
                return Err(EngineError::DuplicateClientOrderId(u.clone()));
            }
        }
        let requeue = req.price != o.price || new_remaining > o.remaining_count.hundredths();
        let post_only_cross = requeue && o.post_only && self.would_cross(&o.ticker, o.side, req.price, now_ms);
        if post_only_cross && self.config.post_only == PostOnlyMode::Reject {
            return Err(EngineError::PostOnlyCross);
        }
        if requeue && !post_only_cross {
            let needed = self.requirement(user, &o.ticker, o.side, req.price, cnt(new_remaining), Some(seq));
            let available = self.available_of(user) + o.reserved;
            if needed > available {
                return Err(EngineError::InsufficientBalance { needed, available });
            }
        }
        // Accepted: nothing below fails.
        let mut events = Vec::new();
        self.expire_due(now_ms, &mut events);
        if let (Some(u), Some(a)) = (new_id, self.accounts.get_mut(user)) {
            a.client_order_ids.insert(u.clone());
        }
        let old_remaining = self.orders.get(&seq).map_or(0, |o| o.remaining_count.hundredths());
        if let Some(o) = self.orders.get_mut(&seq) {
            if let Some(u) = new_id {
                o.client_order_id = Some(u.clone());
            }
            o.initial_count = req.count;
            o.last_update_reason = Some(LastUpdateReason::Amend);
            o.last_updated_ts_ms = now_ms;
        }
        let mut fills = FillTotals::default();
        if post_only_cross {
            self.cancel_resting(seq, Some(LastUpdateReason::PostOnlyCrossCancel), now_ms, &mut events);
        } else if !requeue {
            self.shrink_in_place(seq, old_remaining - new_remaining, DeltaCause::Amended, &mut events);
            self.emit_order(seq, &mut events);
        } else {
            self.unrest(seq, DeltaCause::Amended, &mut events);
            if let Some(o) = self.orders.get_mut(&seq) {
                o.price = req.price;
                o.remaining_count = cnt(new_remaining);
            }
            let stop = self.run_match(seq, now_ms, &mut events, &mut fills);
            self.finish_incoming(seq, stop, DeltaCause::Amended, now_ms, &mut events);
        }
        let o = self.orders.get(&seq);
        Ok(AmendOutcome {
            order_id: order_id.to_owned(),
            client_order_id: o.and_then(|o| o.client_order_id.clone()),
            status: o.map_or(crate::kalshi::rest::OrderStatus::Unknown, |o| o.status),
            fills,
            remaining_count: o.map_or(Count::ZERO, |o| o.remaining_count),
            kept_priority: !requeue,
            ts_ms: now_ms,
            events,
        })
    }

    /// Decreases a resting order in place (it keeps its queue place); down to zero cancels
    /// it. Exactly one of `reduce_by` (> 0) and `reduce_to` must be set; `reduce_to` at or
    /// above the remaining size changes nothing.
    pub fn decrease_order(
        &mut self,
        user: &str,
        order_id: &str,
        req: &DecreaseOrderV2Request,
        now_ms: i64,
    ) -> Result<DecreaseOutcome, EngineError> {
        if !req.is_valid() {
            return Err(EngineError::BadRequest("exactly one of reduce_by and reduce_to is required".into()));
        }
        let seq = self.resting_order_of(user, order_id, now_ms)?;
        let o = self.orders.get(&seq).ok_or_else(|| EngineError::OrderNotFound(order_id.to_owned()))?;
        if req.market_ticker.as_ref().is_some_and(|t| *t != o.ticker) {
            return Err(EngineError::OrderTickerMismatch);
        }
        let remaining = o.remaining_count.hundredths();
        let target = match (req.reduce_by, req.reduce_to) {
            (Some(by), _) if by.hundredths() < 1 => {
                return Err(EngineError::InvalidOrderSize("reduce_by must be at least 0.01".into()))
            }
            (Some(by), _) => (remaining - by.hundredths()).max(0),
            (_, Some(to)) if to.hundredths() < 0 => {
                return Err(EngineError::InvalidOrderSize("reduce_to must not be negative".into()))
            }
            (_, Some(to)) => to.hundredths().min(remaining),
            (None, None) => remaining,
        };
        let mut events = Vec::new();
        self.expire_due(now_ms, &mut events);
        if target == 0 {
            self.cancel_resting(seq, Some(LastUpdateReason::Decrease), now_ms, &mut events);
        } else if target < remaining {
            if let Some(o) = self.orders.get_mut(&seq) {
                o.last_update_reason = Some(LastUpdateReason::Decrease);
                o.last_updated_ts_ms = now_ms;
            }
            self.shrink_in_place(seq, remaining - target, DeltaCause::Decreased, &mut events);
            self.emit_order(seq, &mut events);
        }
        let o = self.orders.get(&seq);
        Ok(DecreaseOutcome {
            order_id: order_id.to_owned(),
            client_order_id: o.and_then(|o| o.client_order_id.clone()),
            remaining_count: o.map_or(Count::ZERO, |o| o.remaining_count),
            ts_ms: now_ms,
            events,
        })
    }

    /// Removes `by` hundredths from a resting order without moving it in its queue.
    fn shrink_in_place(&mut self, seq: u64, by: i64, cause: DeltaCause, events: &mut Vec<EngineEvent>) {
        if by <= 0 {
            return;
        }
        let Some(o) = self.orders.get_mut(&seq) else {
            return;
        };
        o.remaining_count = cnt(o.remaining_count.hundredths() - by);
        let (side, price) = (o.side, o.price);
        if let Some(m) = self.markets.get_mut(&o.ticker) {
            m.book.shrink(side, price, cnt(by));
        }
        self.reserve(seq);
        events.extend(self.delta_event(seq, cnt(-by), cause));
    }
}
