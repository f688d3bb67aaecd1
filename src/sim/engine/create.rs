//! `create_order`: validation of a V2 create (§5.5) and the placement that follows.

use super::account::cnt;
use super::events::{DeltaCause, EngineEvent};
use super::order::SimOrder;
use super::outcome::{CreateOutcome, FillTotals};
use super::{Engine, EngineError, PostOnlyMode, MAX_ORDER_HUNDREDTHS};
use crate::domain::{BookSide, Count, Money, Price};
use crate::kalshi::rest::{
    CreateOrderV2Request, LastUpdateReason, MarketStatus, OrderStatus, SelfTradePreventionType, TimeInForce,
};

/// What validation decided beyond "accepted".
struct Plan {
    /// Size after the reduce-only cap.
    count: Count,
    /// A post-only order that crosses, accepted only to be canceled.
    post_only_cancel: bool,
}

impl Engine {
    /// Checks that `ticker` exists and trades, and that `price` is an order price on its grid.
    pub(super) fn check_market_price(&self, ticker: &str, price: Price) -> Result<(), EngineError> {
        let market = self.markets.get(ticker).ok_or_else(|| EngineError::MarketNotFound(ticker.to_owned()))?;
        if market.status != MarketStatus::Active {
            return Err(EngineError::MarketClosed(ticker.to_owned()));
        }
        if price.check_tradable().is_err() || market.grid.tick(price).is_none() {
            return Err(EngineError::InvalidPrice(price));
        }
        Ok(())
    }

    /// True when an order on `side` at `price` would take liquidity from an order that has
    /// not expired by `now_ms`.
    pub(super) fn would_cross(&self, ticker: &str, side: BookSide, price: Price, now_ms: i64) -> bool {
        let Some(market) = self.markets.get(ticker) else {
            return false;
        };
        market
            .book
            .crossing_orders(side, price)
            .iter()
            .filter_map(|s| self.orders.get(s))
            .any(|o| o.expiration_ts_ms.is_none_or(|t| t > now_ms))
    }

    fn validate_create(&self, user: &str, req: &CreateOrderV2Request, now_ms: i64) -> Result<Plan, EngineError> {
        self.check_market_price(&req.ticker, req.price)?;
        if req.self_trade_prevention_type == SelfTradePreventionType::Unknown {
            return Err(EngineError::BadRequest("invalid self_trade_prevention_type".into()));
        }
        let h = req.count.hundredths();
        if h < 1 {
            return Err(EngineError::InvalidOrderSize("count must be at least 0.01".into()));
        }
        if h > MAX_ORDER_HUNDREDTHS {
            return Err(EngineError::InvalidOrderSize("count is above the order size limit".into()));
        }
        if let Some(exp) = req.expiration_time {
            match req.time_in_force {
                TimeInForce::ImmediateOrCancel => {
                    return Err(EngineError::InvalidOrder(
                        "Cannot specify both immediate_or_cancel and expiration_ts".into(),
                    ))
                }
                TimeInForce::FillOrKill => {
                    return Err(EngineError::InvalidOrder("expiration_time requires good_till_canceled".into()))
                }
                TimeInForce::GoodTillCanceled if exp.saturating_mul(1000) <= now_ms => {
                    return Err(EngineError::InvalidOrder("Expiration timestamp must be in the future".into()))
                }
                TimeInForce::GoodTillCanceled => {}
            }
        }
        if let Some(id) = &req.client_order_id {
            if self.accounts.get(user).is_some_and(|a| a.client_order_ids.contains(id)) {
                return Err(EngineError::DuplicateClientOrderId(id.clone()));
            }
        }
        let count = if req.reduce_only == Some(true) {
            cnt(h.min(self.position_of(user, &req.ticker).closable(req.side).hundredths()))
        } else {
            req.count
        };
        let crosses = req.post_only == Some(true) && self.would_cross(&req.ticker, req.side, req.price, now_ms);
        if crosses && self.config.post_only == PostOnlyMode::Reject {
            return Err(EngineError::PostOnlyCross);
        }
        if count.is_positive() && !crosses {
            let needed = self.requirement(user, &req.ticker, req.side, req.price, count, None);
            let available = self.available_of(user);
            if needed > available {
                return Err(EngineError::InsufficientBalance { needed, available });
            }
        }
        Ok(Plan { count, post_only_cancel: crosses })
    }

    /// Places a V2 order for `user` (an account with the starting cash is opened on first
    /// use): validates it, then matches it (price-time priority, execution at the resting
    /// price), rests a good-till-canceled remainder and cancels any other remainder.
    ///
    /// Accepted but immediately canceled (201 with nothing resting): a fill-or-kill that
    /// cannot fill completely (nothing changes), a reduce-only order with no position to
    /// reduce, a post-only cross under [`PostOnlyMode::Cancel`].
    pub fn create_order(
        &mut self,
        user: &str,
        req: &CreateOrderV2Request,
        now_ms: i64,
    ) -> Result<CreateOutcome, EngineError> {
        let plan = self.validate_create(user, req, now_ms)?;
        // Accepted: nothing below fails.
        let mut events = Vec::new();
        self.expire_due(now_ms, &mut events);
        self.ensure_account(user);
        let (seq, order_id) = self.next_order_id();
        if let (Some(id), Some(a)) = (&req.client_order_id, self.accounts.get_mut(user)) {
            a.client_order_ids.insert(id.clone());
        }
        let order = SimOrder {
            seq,
            order_id: order_id.clone(),
            user_id: user.to_owned(),
            client_order_id: req.client_order_id.clone(),
            ticker: req.ticker.clone(),
            side: req.side,
            price: req.price,
            initial_count: req.count,
            fill_count: Count::ZERO,
            remaining_count: plan.count,
            status: OrderStatus::Resting,
            time_in_force: req.time_in_force,
            self_trade_prevention_type: req.self_trade_prevention_type,
            post_only: req.post_only == Some(true),
            reduce_only: req.reduce_only == Some(true),
            cancel_order_on_pause: req.cancel_order_on_pause == Some(true),
            order_group_id: req.order_group_id.clone(),
            subaccount: req.subaccount.unwrap_or(0),
            expiration_ts_ms: req.expiration_time.map(|s| s.saturating_mul(1000)),
            created_ts_ms: now_ms,
            last_updated_ts_ms: now_ms,
            taker_fill_cost: Money::ZERO,
            maker_fill_cost: Money::ZERO,
            taker_fees: Money::ZERO,
            maker_fees: Money::ZERO,
            last_update_reason: None,
            reserved: Money::ZERO,
        };
        self.orders.insert(seq, order);
        self.order_index.insert(order_id.clone(), seq);
        let mut fills = FillTotals::default();
        // `Some(reason)`: accepted only to be canceled at once.
        let cancel_now = if plan.post_only_cancel {
            Some(Some(LastUpdateReason::PostOnlyCrossCancel))
        } else if !plan.count.is_positive() {
            Some(Some(LastUpdateReason::ReduceOnlyCancel))
        } else if req.time_in_force == TimeInForce::FillOrKill && !self.fok_fillable(seq) {
            Some(None)
        } else {
            None
        };
        match cancel_now {
            Some(reason) => {
                self.cancel_resting(seq, reason, now_ms, &mut events);
            }
            None => {
                let stop = self.run_match(seq, now_ms, &mut events, &mut fills);
                self.finish_incoming(seq, stop, DeltaCause::Placed, now_ms, &mut events);
            }
        }
        Ok(self.create_outcome(seq, fills, now_ms, events))
    }

    fn create_outcome(&self, seq: u64, fills: FillTotals, now_ms: i64, events: Vec<EngineEvent>) -> CreateOutcome {
        let o = self.orders.get(&seq);
        CreateOutcome {
            order_id: o.map(|o| o.order_id.clone()).unwrap_or_default(),
            client_order_id: o.and_then(|o| o.client_order_id.clone()),
            status: o.map_or(OrderStatus::Unknown, |o| o.status),
            fills,
            remaining_count: o.map_or(Count::ZERO, |o| o.remaining_count),
            ts_ms: now_ms,
            events,
        }
    }
}
