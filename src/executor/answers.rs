//! The answers to our requests, fills and order updates, applied to the executor's state.

use super::state::{FillIn, OrderState};
use super::{risk_event, ExecEvent, ExecutorCore, Request, Step, WriteError};
use crate::actors::messages::{OrderEventKind, PositionChanged};
use crate::domain::{Count, Price};
use crate::kalshi::rest::{AmendOrderV2Response, CancelOrderV2Response, CreateOrderV2Response};

impl ExecutorCore {
    fn failed(&mut self, coid: &str, err: &WriteError, was: OrderState, now_ms: i64, step: &mut Step) {
        let halted = self.risk.on_error(now_ms);
        let Some(o) = self.orders.get_mut(coid) else { return };
        let (kind, reason) = match err {
            WriteError::Rejected { message, .. } => {
                // A refused amend or cancel leaves the order as it was; a refused create never rested.
                o.state = if was == OrderState::Sending { OrderState::Rejected } else { OrderState::Resting };
                (OrderEventKind::Rejected, message.clone())
            }
            WriteError::Unknown(m) => {
                o.state = OrderState::Unknown;
                (OrderEventKind::Unknown, m.clone())
            }
        };
        step.events.push(ExecEvent::Order(o.event(kind, &reason, now_ms)));
        if halted {
            step.events.push(ExecEvent::Risk(risk_event("consecutive_errors", None, &reason, true, now_ms)));
            step.requests.push(Request::CancelAll);
        }
    }

    /// The answer to a create.
    pub fn on_created(&mut self, coid: &str, result: Result<CreateOrderV2Response, WriteError>, now_ms: i64) -> Step {
        let mut step = Step::default();
        match result {
            Err(e) => self.failed(coid, &e, OrderState::Sending, now_ms, &mut step),
            Ok(r) => {
                self.risk.on_success();
                self.orders.set_order_id(coid, &r.order_id);
                if let Some(o) = self.orders.get_mut(coid) {
                    // Fills may have arrived first; the larger count wins.
                    if r.fill_count > o.filled {
                        o.filled = r.fill_count;
                    }
                    o.remaining = r.remaining_count.min(o.remaining);
                    if o.state == OrderState::Sending {
                        o.state = if o.remaining.is_positive() { OrderState::Resting } else { OrderState::Executed };
                    }
                    step.events.push(ExecEvent::Order(o.event(OrderEventKind::Placed, "", now_ms)));
                }
            }
        }
        step
    }

    /// The answer to an amend.
    pub fn on_amended(
        &mut self,
        coid: &str,
        price: Price,
        result: Result<AmendOrderV2Response, WriteError>,
        now_ms: i64,
    ) -> Step {
        let mut step = Step::default();
        match result {
            Err(e) => self.failed(coid, &e, OrderState::Amending, now_ms, &mut step),
            Ok(r) => {
                self.risk.on_success();
                if let Some(o) = self.orders.get_mut(coid) {
                    o.price = price;
                    o.placed_ms = now_ms;
                    if let Some(f) = r.fill_count.filter(|f| *f > o.filled) {
                        o.filled = f;
                    }
                    if let Some(rem) = r.remaining_count {
                        o.remaining = rem;
                    }
                    if r.order_id != *o.order_id.as_deref().unwrap_or("") {
                        let (c, id) = (coid.to_owned(), r.order_id.clone());
                        self.orders.set_order_id(&c, &id);
                    }
                    if let Some(o) = self.orders.get_mut(coid) {
                        if o.state == OrderState::Amending {
                            o.state =
                                if o.remaining.is_positive() { OrderState::Resting } else { OrderState::Executed };
                        }
                        step.events.push(ExecEvent::Order(o.event(OrderEventKind::Amended, "", now_ms)));
                    }
                }
            }
        }
        step
    }

    /// The answer to a cancel (a 404 means it was already gone: filled or canceled).
    pub fn on_canceled(&mut self, coid: &str, result: Result<CancelOrderV2Response, WriteError>, now_ms: i64) -> Step {
        let mut step = Step::default();
        let gone = matches!(&result, Err(WriteError::Rejected { status: 404, .. }));
        match result {
            Err(e) if !gone => self.failed(coid, &e, OrderState::Canceling, now_ms, &mut step),
            _ => {
                self.risk.on_success();
                if let Some(o) = self.orders.get_mut(coid) {
                    if o.state.live() {
                        o.state = OrderState::Canceled;
                        o.remaining = Count::ZERO;
                    }
                    let why = if gone { "already gone" } else { "" };
                    step.events.push(ExecEvent::Order(o.event(OrderEventKind::Canceled, why, now_ms)));
                }
            }
        }
        step
    }

    /// A fill of ours (either channel); counted once per trade id.
    pub fn on_fill(&mut self, f: FillIn, now_ms: i64) -> Step {
        let mut step = Step::default();
        if !self.ledger.apply(&f) {
            return step;
        }
        let coid = f
            .client_order_id
            .clone()
            .filter(|c| self.orders.get(c).is_some())
            .or_else(|| self.orders.coid_of(&f.order_id));
        if let Some(coid) = coid {
            if self.orders.get(&coid).is_some_and(|o| o.order_id.is_none()) {
                self.orders.set_order_id(&coid, &f.order_id);
            }
            if let Some(o) = self.orders.get_mut(&coid) {
                o.filled = Count::from_hundredths(o.filled.hundredths() + f.count.hundredths()).unwrap_or(o.filled);
                o.remaining = Count::from_hundredths((o.remaining.hundredths() - f.count.hundredths()).max(0))
                    .unwrap_or(Count::ZERO);
                if !o.remaining.is_positive()
                    && matches!(o.state, OrderState::Resting | OrderState::Amending | OrderState::Canceling)
                {
                    o.state = OrderState::Executed;
                    step.events.push(ExecEvent::Order(o.event(OrderEventKind::Executed, "", now_ms)));
                }
            }
        }
        let p = self.ledger.position(&f.market);
        step.events.push(ExecEvent::Position(PositionChanged {
            market: f.market.clone(),
            position: p.position,
            cost_basis: p.exposure,
            realized_pnl: p.realized_pnl,
            fees: p.fees_paid,
            ts_ms: now_ms,
        }));
        step.events.push(ExecEvent::Fill(f));
        step
    }

    /// Cancel-all succeeded: every live order that is not mid-create is gone.
    pub fn on_canceled_all(&mut self, now_ms: i64) -> Step {
        let mut step = Step::default();
        let live: Vec<String> =
            self.orders.live().filter(|o| o.order_id.is_some()).map(|o| o.client_order_id.clone()).collect();
        for c in live {
            if let Some(o) = self.orders.get_mut(&c) {
                o.state = OrderState::Canceled;
                o.remaining = Count::ZERO;
                step.events.push(ExecEvent::Order(o.event(OrderEventKind::Canceled, "cancel all", now_ms)));
            }
        }
        step
    }

    /// An order update from the `user_orders` channel: the exchange canceled or completed
    /// an order (expiry, self-trade prevention, market close…) or changed its size.
    pub fn on_user_order(&mut self, o: &crate::kalshi::ws::UserOrder, now_ms: i64) -> Step {
        let mut step = Step::default();
        let coid = self
            .orders
            .coid_of(&o.order_id)
            .or_else(|| self.orders.get(&o.client_order_id).map(|_| o.client_order_id.clone()));
        let Some(coid) = coid else { return step };
        if self.orders.get(&coid).is_some_and(|t| t.order_id.is_none()) {
            self.orders.set_order_id(&coid, &o.order_id);
        }
        let Some(t) = self.orders.get_mut(&coid) else { return step };
        if t.state.busy() {
            // Our own request's answer decides; reconciliation settles any doubt.
            return step;
        }
        let (state, kind) = match o.status.as_str() {
            "canceled" => (OrderState::Canceled, OrderEventKind::Canceled),
            "executed" => (OrderState::Executed, OrderEventKind::Executed),
            _ => return step,
        };
        if t.state.live() {
            t.state = state;
            t.remaining = Count::ZERO;
            let reason = o.last_update_reason.clone().unwrap_or_default();
            step.events.push(ExecEvent::Order(t.event(kind, &reason, now_ms)));
        }
        step
    }

    /// Cancels our orders on a market that is no longer a target (its position is kept).
    pub fn leave_market(&mut self, market: &str, now_ms: i64) -> Step {
        let mut step = Step::default();
        let live: Vec<_> =
            self.orders.live_in(market).into_iter().filter(|o| o.state == OrderState::Resting).cloned().collect();
        for o in &live {
            self.cancel(o, now_ms, &mut step);
        }
        step
    }
}
