//! Reconciliation with the exchange (REST): resting orders, orders whose write outcome is
//! unknown, fills the channel may have missed, positions and cash. A discrepancy is counted
//! and reported. An order the exchange lists is taken from it at once; an order resting here
//! but gone from the exchange's resting list, and a position or cash mismatch, only when seen
//! on two reconciliations in a row (the channel's fill or cancel can trail a REST read, and
//! a REST read can trail a fill already counted here, by a few hundred ms).

use std::collections::HashMap;

use super::state::{FillIn, OrderState, TrackedOrder};
use super::{risk_event, ExecEvent, ExecutorCore, Step};
use crate::actors::messages::{OrderEventKind, PositionChanged};
use crate::domain::position::PositionState;
use crate::domain::{Count, Money};
use crate::kalshi::rest::{Fill, MarketPosition, Order, OrderStatus};

/// What the exchange says, fetched by the actor.
#[derive(Debug, Clone, Default)]
pub struct ExchangeView {
    /// Every resting order, plus every order (any status) of markets with unknown writes.
    pub orders: Vec<Order>,
    /// Recent fills.
    pub fills: Vec<Fill>,
    /// Unsettled positions.
    pub positions: Vec<MarketPosition>,
    /// Available cash (`balance_dollars`).
    pub balance: Money,
    /// Some order of ours was live, or a request went out, while these reads ran: the
    /// balance may be net of a reservation that is gone now, so cash is not compared.
    pub busy_during_read: bool,
}

/// A REST fill in the executor's form.
pub fn fill_from_rest(f: &Fill) -> FillIn {
    FillIn {
        trade_id: if f.trade_id.is_empty() { f.fill_id.clone() } else { f.trade_id.clone() },
        order_id: f.order_id.clone(),
        client_order_id: None,
        market: f.ticker.clone(),
        side: f.book_side,
        price: f.yes_price_dollars,
        count: f.count_fp,
        fee: f.fee_cost,
        is_taker: f.is_taker,
        post_position: None,
        ts_ms: fill_time_us(f).div_euclid(1000),
    }
}

/// When a REST fill executed, Unix µs: its `created_time`, else its legacy `ts` seconds.
fn fill_time_us(f: &Fill) -> i64 {
    match f.created_time.as_deref().and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok()) {
        Some(t) => t.timestamp_micros(),
        None => f.ts.unwrap_or(0).saturating_mul(1_000_000),
    }
}

/// The exchange lists fills newest first; they are applied oldest first, because the
/// average-cost netting depends on the order (a buy, a sell and a buy at another price end
/// at different costs in reverse). Fills of the same time keep the list's order, reversed.
pub fn oldest_first(fills: &[Fill]) -> Vec<&Fill> {
    let mut v: Vec<&Fill> = fills.iter().rev().collect();
    v.sort_by_key(|f| fill_time_us(f));
    v
}

impl ExecutorCore {
    /// A mismatch `key` with the exchange's values `(a, b)`: true when the same values were
    /// seen at the previous reconciliation and no fill was counted since.
    fn confirmed(&mut self, key: &str, a: i64, b: i64) -> bool {
        let now = (a, b, self.ledger.fills);
        if self.suspects.get(key) == Some(&now) {
            self.suspects.remove(key);
            return true;
        }
        self.suspects.insert(key.to_owned(), now);
        false
    }

    fn discrepancy(&mut self, market: Option<&str>, detail: String, now_ms: i64, step: &mut Step) {
        self.discrepancies += 1;
        tracing::warn!(market = market.unwrap_or(""), %detail, "discrepancy with the exchange; resolved toward it");
        self.last_discrepancy = Some(format!("{}: {detail}", market.unwrap_or("account")));
        step.events.push(ExecEvent::Risk(risk_event("discrepancy", market, &detail, false, now_ms)));
    }

    /// Brings local state in line with `ex`.
    pub fn reconcile(&mut self, ex: &ExchangeView, now_ms: i64) -> Step {
        let mut step = Step::default();
        // A request whose answer never came (lost on the way back) is an unknown outcome.
        let timeout = self.settings.inflight_timeout_ms;
        let lost: Vec<String> = self
            .orders
            .live()
            .filter(|o| matches!(o.state, OrderState::Sending | OrderState::Amending | OrderState::Canceling))
            .filter(|o| now_ms - o.sent_ms > timeout)
            .map(|o| o.client_order_id.clone())
            .collect();
        for c in lost {
            if let Some(o) = self.orders.get_mut(&c) {
                o.state = OrderState::Unknown;
            }
        }
        for f in oldest_first(&ex.fills) {
            let s = self.on_fill(fill_from_rest(f), now_ms);
            step.events.extend(s.events);
        }
        let by_oid: HashMap<&str, &Order> = ex.orders.iter().map(|o| (o.order_id.as_str(), o)).collect();
        let by_coid: HashMap<&str, &Order> = ex
            .orders
            .iter()
            .filter(|o| !o.client_order_id.is_empty())
            .map(|o| (o.client_order_id.as_str(), o))
            .collect();
        let ours: Vec<TrackedOrder> = self
            .orders
            .live()
            .filter(|o| matches!(o.state, OrderState::Resting | OrderState::Unknown))
            .cloned()
            .collect();
        for o in ours {
            let found =
                o.order_id.as_deref().and_then(|id| by_oid.get(id)).or_else(|| by_coid.get(o.client_order_id.as_str()));
            let was_unknown = o.state == OrderState::Unknown;
            let Some(x) = found.copied() else {
                // A resting order missing from the exchange's resting list has most likely
                // just filled or been canceled, its message still on the way: a suspect
                // until the next reconciliation finds it still resting here.
                let key = format!("gone:{}", o.client_order_id);
                if !was_unknown && self.suspects.insert(key.clone(), (0, 0, 0)).is_none() {
                    continue;
                }
                self.suspects.remove(&key);
                let (state, kind, why) = if was_unknown {
                    (OrderState::Rejected, OrderEventKind::Rejected, "never reached the exchange")
                } else {
                    (OrderState::Canceled, OrderEventKind::Canceled, "no longer resting at the exchange")
                };
                if !was_unknown {
                    self.discrepancy(Some(&o.market), format!("order {} {why}", o.client_order_id), now_ms, &mut step);
                }
                if let Some(t) = self.orders.get_mut(&o.client_order_id) {
                    t.state = state;
                    t.remaining = Count::ZERO;
                    step.events.push(ExecEvent::Order(t.event(kind, why, now_ms)));
                }
                continue;
            };
            let coid = o.client_order_id.clone();
            if o.order_id.is_none() {
                self.orders.set_order_id(&coid, &x.order_id);
            }
            if let Some(t) = self.orders.get_mut(&coid) {
                t.price = x.yes_price_dollars;
                t.remaining = x.remaining_count_fp;
                t.filled = x.fill_count_fp;
                let (state, kind) = match x.status {
                    OrderStatus::Resting => (OrderState::Resting, OrderEventKind::Placed),
                    OrderStatus::Executed => (OrderState::Executed, OrderEventKind::Executed),
                    _ => (OrderState::Canceled, OrderEventKind::Canceled),
                };
                if state != t.state {
                    t.state = state;
                    step.events.push(ExecEvent::Order(t.event(kind, "reconciled", now_ms)));
                }
            }
        }
        // Suspects the channel has resolved since (filled, canceled) are forgotten.
        let resting: std::collections::HashSet<String> = self
            .orders
            .live()
            .filter(|o| o.state == OrderState::Resting)
            .map(|o| format!("gone:{}", o.client_order_id))
            .collect();
        self.suspects.retain(|k, _| !k.starts_with("gone:") || resting.contains(k));
        self.reconcile_positions(ex, now_ms, &mut step);
        // Halted but something still rests (a cancel-all refused, or an order whose create
        // outcome was unknown): cancel again.
        let resting = ex.orders.iter().any(|o| o.status == OrderStatus::Resting);
        if resting && self.risk.halted(now_ms).is_some() {
            step.requests.push(super::Request::CancelAll);
        }
        step
    }

    fn reconcile_positions(&mut self, ex: &ExchangeView, now_ms: i64, step: &mut Step) {
        let mut theirs: HashMap<&str, &MarketPosition> = ex.positions.iter().map(|p| (p.ticker.as_str(), p)).collect();
        let markets: Vec<String> =
            self.ledger.positions.keys().cloned().chain(theirs.keys().map(|k| (*k).to_owned())).collect();
        let mut seen = std::collections::HashSet::new();
        for m in markets {
            if !seen.insert(m.clone()) {
                continue;
            }
            let ours = self.ledger.position(&m);
            let x = theirs.remove(m.as_str());
            let (pos, exposure) = x.map_or((Count::ZERO, Money::ZERO), |p| (p.position_fp, p.market_exposure_dollars));
            let key = format!("pos:{m}");
            if ours.position == pos && ours.exposure == exposure {
                self.suspects.remove(&key);
                continue;
            }
            if self.confirmed(&key, pos.hundredths(), exposure.micros()) {
                let detail = format!(
                    "position {} (cost {}) here, {} (cost {}) at the exchange",
                    ours.position.format(),
                    ours.exposure.format(),
                    pos.format(),
                    exposure.format()
                );
                self.discrepancy(Some(&m), detail, now_ms, step);
                let adopted = PositionState {
                    position: pos,
                    exposure,
                    realized_pnl: x.map_or(ours.realized_pnl, |p| p.realized_pnl_dollars),
                    fees_paid: x.map_or(ours.fees_paid, |p| p.fees_paid_dollars),
                    last_updated_ms: now_ms,
                    ..ours
                };
                self.ledger.positions.insert(m.clone(), adopted);
                step.events.push(ExecEvent::Position(PositionChanged {
                    market: m.clone(),
                    position: pos,
                    cost_basis: exposure,
                    realized_pnl: adopted.realized_pnl,
                    fees: adopted.fees_paid,
                    ts_ms: now_ms,
                }));
            }
        }
        // Cash is comparable only with nothing resting or in flight, then or now (the exchange
        // reports cash minus what resting orders reserve).
        let rested = ex.orders.iter().any(|o| o.status == OrderStatus::Resting);
        if !ex.busy_during_read && !rested && self.orders.live().next().is_none() {
            if self.ledger.cash == ex.balance {
                self.suspects.remove("cash");
            } else if self.confirmed("cash", ex.balance.micros(), 0) {
                let detail =
                    format!("cash {} here, {} at the exchange", self.ledger.cash.format(), ex.balance.format());
                self.discrepancy(None, detail, now_ms, step);
                self.ledger.cash = ex.balance;
            }
        }
    }
}
