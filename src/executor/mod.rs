//! The OrderExecutor's pure core: decisions → V2 order requests, answers and fills → state.
//!
//! For an action on a market: the intent ([`intent`]) is checked against the risk limits;
//! our resting orders on the opposite book side are canceled; one resting on the same side is
//! amended only if its price is more than one tick from the new price, otherwise kept;
//! otherwise a new order is created. HOLD re-prices resting orders by the same rule. Every
//! request carries a fresh `client_order_id`, recorded before it is sent. While a market has
//! a request in flight or a write with an unknown outcome, no new request goes to it. The
//! core never blocks and does no I/O: the actor sends the [`Request`]s and feeds the answers
//! back.

mod answers;
pub mod fill_gate;
pub mod intent;
pub mod reconcile;
pub mod risk;
pub mod state;

use std::collections::HashMap;
use std::sync::Arc;

use crate::actors::messages::{OrderEvent, OrderEventKind, PositionChanged, RiskEvent};
use crate::book::TickGrid;
use crate::config::{Pricing, SellSemantics};
use crate::domain::{BookSide, Count, Money, Price};
use crate::kalshi::rest::{AmendOrderV2Request, CreateOrderV2Request, SelfTradePreventionType, TimeInForce};
use intent::{Intent, NoIntent, Touch};
use risk::{Exposure, RiskState};
use state::{FillIn, Ledger, OrderState, Orders, TrackedOrder};

/// A request for the sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Create an order.
    Create {
        /// Its client order id.
        coid: String,
        /// The body.
        body: CreateOrderV2Request,
    },
    /// Amend a resting order.
    Amend {
        /// Its client order id.
        coid: String,
        /// Exchange id.
        order_id: String,
        /// The body.
        body: AmendOrderV2Request,
    },
    /// Cancel a resting order.
    Cancel {
        /// Its client order id.
        coid: String,
        /// Exchange id.
        order_id: String,
        /// Market (for routing).
        market: String,
    },
    /// Cancel every resting order.
    CancelAll,
}

/// How a write ended without a success answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteError {
    /// The exchange answered with an error: the request did not take effect.
    Rejected {
        /// HTTP status.
        status: u16,
        /// Error code and message.
        message: String,
    },
    /// No answer (timeout, 5xx, dropped connection): it may or may not have happened.
    Unknown(String),
}

/// Something the actor passes on.
#[derive(Debug, Clone, PartialEq)]
pub enum ExecEvent {
    /// An order changed.
    Order(OrderEvent),
    /// A position changed.
    Position(PositionChanged),
    /// A risk event.
    Risk(RiskEvent),
    /// A fill was counted.
    Fill(FillIn),
}

/// What a step produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Step {
    /// Requests to send, in order.
    pub requests: Vec<Request>,
    /// Events to publish.
    pub events: Vec<ExecEvent>,
    /// Why the action produced no request, when it did not (`hold`, `busy`, a risk reason…).
    pub skipped: Option<&'static str>,
}

/// Fixed settings.
#[derive(Debug, Clone)]
pub struct ExecutorSettings {
    /// Contracts per order.
    pub size: Count,
    /// Pricing rule.
    pub pricing: Pricing,
    /// Sell semantics.
    pub sell: SellSemantics,
    /// Prefix of our client order ids (unique per run).
    pub coid_prefix: String,
    /// A request unanswered for this long is treated as an unknown outcome (its answer
    /// was lost) and left to reconciliation.
    pub inflight_timeout_ms: i64,
}

/// The executor's state.
#[derive(Debug, Clone)]
pub struct ExecutorCore {
    settings: ExecutorSettings,
    grids: HashMap<String, Arc<TickGrid>>,
    /// Our orders.
    pub orders: Orders,
    /// Cash and positions.
    pub ledger: Ledger,
    /// Limits and halt state.
    pub risk: RiskState,
    /// Discrepancies with the exchange found by reconciliation.
    pub discrepancies: u64,
    /// What the latest discrepancy was (market and detail), for operators and tests.
    pub last_discrepancy: Option<String>,
    /// Mismatches seen once (`pos:MARKET`, `cash`) with the exchange's values and the
    /// number of fills counted then: adopted only when seen again with the same values and
    /// no fill in between (a read racing a fill is not a discrepancy).
    suspects: HashMap<String, (i64, i64, u64)>,
    next_coid: u64,
}

impl ExecutorCore {
    /// A core holding `cash`, trading on `grids`.
    pub fn new(
        settings: ExecutorSettings,
        grids: HashMap<String, Arc<TickGrid>>,
        risk: RiskState,
        cash: Money,
    ) -> Self {
        ExecutorCore {
            settings,
            grids,
            orders: Orders::default(),
            ledger: Ledger::new(cash),
            risk,
            discrepancies: 0,
            last_discrepancy: None,
            suspects: HashMap::new(),
            next_coid: 1,
        }
    }

    fn coid(&mut self) -> String {
        let c = format!("{}-{}", self.settings.coid_prefix, self.next_coid);
        self.next_coid += 1;
        c
    }

    fn grid(&self, market: &str) -> Arc<TickGrid> {
        self.grids.get(market).cloned().unwrap_or_else(TickGrid::linear_cent)
    }

    /// Total exposure if `extra` were added: open positions at cost plus every live buy.
    fn exposure_with(&self, extra: Money) -> Money {
        let resting = self.orders.live().fold(Money::ZERO, |acc, o| acc + order_cost(o.side, o.price, o.remaining));
        self.ledger.exposure() + resting + extra
    }

    /// The requests for `action` on `market` at the current `touch`.
    pub fn on_action(&mut self, market: &str, action: usize, touch: Touch, now_ms: i64) -> Step {
        let mut step = Step::default();
        if self.orders.busy(market) {
            step.skipped = Some("busy");
            return step;
        }
        if let Some(h) = self.risk.halted(now_ms) {
            step.skipped = Some(if h.reason == "operator" { "halted" } else { "halted_by_risk" });
            return step;
        }
        let grid = self.grid(market);
        let position = self.ledger.position(market).position;
        let target = match intent::intent(
            action,
            self.settings.size,
            self.settings.pricing,
            self.settings.sell,
            touch,
            &grid,
            position,
        ) {
            Ok(t) => Some(t),
            Err(NoIntent::Hold) => None,
            Err(NoIntent::NoPrice) => {
                step.skipped = Some("no_price");
                return step;
            }
            Err(NoIntent::NothingToReduce) => {
                step.skipped = Some("nothing_to_reduce");
                return step;
            }
        };
        let live: Vec<TrackedOrder> = self.orders.live_in(market).into_iter().cloned().collect();
        match target {
            None => self.reprice(&live, touch, &grid, now_ms, &mut step),
            Some(t) => self.place(market, t, &live, &grid, now_ms, &mut step),
        }
        if step.requests.is_empty() && step.skipped.is_none() {
            step.skipped = Some(if target.is_none() { "hold" } else { "kept" });
        }
        step
    }

    /// HOLD: each resting order more than a tick from where its side would now be priced
    /// is amended there.
    fn reprice(&mut self, live: &[TrackedOrder], touch: Touch, grid: &TickGrid, now_ms: i64, step: &mut Step) {
        for o in live {
            let Some(px) = intent::price_for(o.side, self.settings.pricing, touch, grid) else { continue };
            if o.state == OrderState::Resting && intent::more_than_one_tick(grid, o.price, px) {
                self.amend(o, px, o.remaining, now_ms, step);
            }
        }
    }

    fn place(&mut self, market: &str, t: Intent, live: &[TrackedOrder], grid: &TickGrid, now_ms: i64, step: &mut Step) {
        let mut kept_same_side = false;
        for o in live {
            if o.side != t.side || kept_same_side {
                self.cancel(o, now_ms, step);
                continue;
            }
            kept_same_side = true;
            if intent::more_than_one_tick(grid, o.price, t.price) {
                self.amend(o, t.price, t.count, now_ms, step);
            }
        }
        if kept_same_side {
            return;
        }
        let position = self.ledger.position(market).position;
        let signed = match t.side {
            BookSide::Bid => t.count.hundredths(),
            BookSide::Ask => -t.count.hundredths(),
        };
        let exposure = Exposure {
            position_after: Count::from_hundredths(position.hundredths() + signed).unwrap_or(position),
            position_now: position,
            resting: u32::try_from(live.iter().filter(|o| o.side == t.side).count()).unwrap_or(u32::MAX),
            total_after: self.exposure_with(if t.reduce_only {
                Money::ZERO
            } else {
                order_cost(t.side, t.price, t.count)
            }),
        };
        if let Err(reason) = self.risk.check_order(exposure, now_ms) {
            step.skipped = Some(reason);
            step.events.push(ExecEvent::Risk(risk_event(reason, Some(market), "order blocked", false, now_ms)));
            return;
        }
        if !self.risk.take_tokens(risk::CREATE_COST, now_ms) {
            step.skipped = Some("rate");
            return;
        }
        let coid = self.coid();
        let o = TrackedOrder {
            client_order_id: coid.clone(),
            order_id: None,
            market: market.to_owned(),
            side: t.side,
            price: t.price,
            filled: Count::ZERO,
            remaining: t.count,
            state: OrderState::Sending,
            placed_ms: now_ms,
            sent_ms: now_ms,
        };
        step.events.push(ExecEvent::Order(o.event(OrderEventKind::Sent, "", now_ms)));
        self.orders.insert(o);
        let mut body = CreateOrderV2Request::new(
            market,
            t.side,
            t.count,
            t.price,
            TimeInForce::GoodTillCanceled,
            SelfTradePreventionType::TakerAtCross,
        )
        .with_client_order_id(coid.clone());
        body.reduce_only = t.reduce_only.then_some(true);
        step.requests.push(Request::Create { coid, body });
    }

    fn amend(&mut self, o: &TrackedOrder, price: Price, remaining: Count, now_ms: i64, step: &mut Step) {
        let Some(order_id) = o.order_id.clone() else { return };
        if !self.risk.take_tokens(risk::AMEND_COST, now_ms) {
            step.skipped = Some("rate");
            return;
        }
        let total = Count::from_hundredths(o.filled.hundredths() + remaining.hundredths()).unwrap_or(remaining);
        let body = AmendOrderV2Request {
            ticker: o.market.clone(),
            side: o.side,
            price,
            count: total,
            client_order_id: Some(o.client_order_id.clone()),
            updated_client_order_id: None,
            exchange_index: None,
        };
        if let Some(t) = self.orders.get_mut(&o.client_order_id) {
            t.state = OrderState::Amending;
            t.sent_ms = now_ms;
        }
        step.requests.push(Request::Amend { coid: o.client_order_id.clone(), order_id, body });
    }

    pub(crate) fn cancel(&mut self, o: &TrackedOrder, now_ms: i64, step: &mut Step) {
        let Some(order_id) = o.order_id.clone() else { return };
        // Cancels are never rate-blocked by us: they only reduce risk.
        let _ = self.risk.take_tokens(risk::CANCEL_COST, now_ms);
        if let Some(t) = self.orders.get_mut(&o.client_order_id) {
            t.state = OrderState::Canceling;
            t.sent_ms = now_ms;
        }
        step.requests.push(Request::Cancel { coid: o.client_order_id.clone(), order_id, market: o.market.clone() });
    }

    /// Halts: no new orders, every resting order canceled.
    pub fn halt(&mut self, reason: &str, now_ms: i64) -> Step {
        self.risk.halt(reason, None);
        Step {
            requests: vec![Request::CancelAll],
            events: vec![ExecEvent::Risk(risk_event("halt", None, reason, true, now_ms))],
            skipped: None,
        }
    }

    /// Resumes after a halt.
    pub fn resume(&mut self, now_ms: i64) -> Step {
        self.risk.resume();
        Step { events: vec![ExecEvent::Risk(risk_event("resume", None, "operator", false, now_ms))], ..Step::default() }
    }

    /// The day's P&L halts trading when it reaches the limit.
    pub fn check_loss(&mut self, mid: impl Fn(&str) -> Option<f64>, now_ms: i64) -> Step {
        let pnl = self.ledger.pnl(mid);
        if self.risk.check_loss(pnl) {
            let mut step = self.halt("max_daily_loss", now_ms);
            step.events.push(ExecEvent::Risk(risk_event(
                "max_daily_loss",
                None,
                &format!("P&L {}", pnl.format()),
                true,
                now_ms,
            )));
            self.risk.halt("max_daily_loss", None);
            return step;
        }
        Step::default()
    }
}

/// What an order on `side` at `price` for `count` could cost if it filled opening.
pub fn order_cost(side: BookSide, price: Price, count: Count) -> Money {
    match side {
        BookSide::Bid => Money::notional(price, count),
        BookSide::Ask => Money::notional(price.complement(), count),
    }
}

fn risk_event(kind: &str, market: Option<&str>, detail: &str, halted: bool, ts_ms: i64) -> RiskEvent {
    RiskEvent { kind: kind.to_owned(), market: market.map(str::to_owned), detail: detail.to_owned(), halted, ts_ms }
}

#[cfg(test)]
mod tests;
