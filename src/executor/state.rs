//! What we own and what we asked for: our orders (by `client_order_id` and `order_id`, with
//! every state change), and the ledger (fills deduplicated by `trade_id`, netted positions
//! with an average-cost basis, cash, fees, realized P&L).

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::actors::messages::{OrderEvent, OrderEventKind};
use crate::domain::position::PositionState;
use crate::domain::{BookSide, Count, FastMap, FastSet, Money, Price};

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderState {
    /// Create sent, no answer yet.
    Sending,
    /// On the book.
    Resting,
    /// Amend sent, no answer yet.
    Amending,
    /// Cancel sent, no answer yet.
    Canceling,
    /// A write's outcome is unknown (timeout, 5xx, lost connection) until reconciled.
    Unknown,
    /// Canceled (by us or the exchange).
    Canceled,
    /// Completely filled.
    Executed,
    /// Refused by the exchange or never placed.
    Rejected,
}

impl OrderState {
    /// May still rest on the book or fill.
    pub fn live(self) -> bool {
        matches!(
            self,
            OrderState::Sending
                | OrderState::Resting
                | OrderState::Amending
                | OrderState::Canceling
                | OrderState::Unknown
        )
    }

    /// A request about it is in flight or its outcome is unknown.
    pub fn busy(self) -> bool {
        matches!(self, OrderState::Sending | OrderState::Amending | OrderState::Canceling | OrderState::Unknown)
    }
}

/// One of our orders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackedOrder {
    /// Our id.
    pub client_order_id: String,
    /// The exchange's id, once known.
    pub order_id: Option<String>,
    /// Market.
    pub market: String,
    /// Book side.
    pub side: BookSide,
    /// YES limit price.
    pub price: Price,
    /// Contracts filled.
    pub filled: Count,
    /// Contracts still working.
    pub remaining: Count,
    /// State.
    pub state: OrderState,
    /// Placement (or last amend) time, Unix ms.
    pub placed_ms: i64,
    /// When its last request was sent, Unix ms.
    pub sent_ms: i64,
}

impl TrackedOrder {
    /// The event describing this order now.
    pub fn event(&self, kind: OrderEventKind, reason: &str, ts_ms: i64) -> OrderEvent {
        OrderEvent {
            kind,
            market: self.market.clone(),
            client_order_id: self.client_order_id.clone(),
            order_id: self.order_id.clone(),
            side: self.side,
            price: self.price,
            remaining: self.remaining,
            filled: self.filled,
            reason: reason.to_owned(),
            ts_ms,
        }
    }
}

/// How long a finished order is remembered (a late fill or update still finds it).
pub const KEEP_FINISHED_MS: i64 = 600_000;

/// Our orders.
///
/// Finished orders are remembered for [`KEEP_FINISHED_MS`] (thousands of them at a few
/// creates a second), so the per-decision questions (`busy`, `live_in`, `live`) scan only
/// `open`: by market, the client ids of every order inserted or handed out mutably since
/// the last [`Orders::prune`], which keeps only those still live. Every live order is in it:
/// an order can only become live through `insert` or `get_mut`, and both add it. A
/// decision's questions about its market (`busy`, `live_in`) scan that market's only.
#[derive(Debug, Clone, Default)]
pub struct Orders {
    by_coid: HashMap<String, TrackedOrder>,
    by_oid: HashMap<String, String>,
    open: FastMap<String, FastSet<String>>,
}

impl Orders {
    /// Adds an order.
    pub fn insert(&mut self, o: TrackedOrder) {
        if let Some(oid) = &o.order_id {
            self.by_oid.insert(oid.clone(), o.client_order_id.clone());
        }
        self.open.entry(o.market.clone()).or_default().insert(o.client_order_id.clone());
        self.by_coid.insert(o.client_order_id.clone(), o);
    }

    /// By client order id.
    pub fn get_mut(&mut self, coid: &str) -> Option<&mut TrackedOrder> {
        let o = self.by_coid.get_mut(coid)?;
        match self.open.get_mut(&o.market) {
            Some(set) if set.contains(coid) => {}
            Some(set) => {
                set.insert(coid.to_owned());
            }
            None => {
                self.open.insert(o.market.clone(), std::iter::once(coid.to_owned()).collect());
            }
        }
        Some(o)
    }

    /// How many orders the per-decision questions scan.
    pub fn open_len(&self) -> usize {
        self.open.values().map(FastSet::len).sum()
    }

    /// The orders that may be live (a superset of the live ones).
    fn candidates(&self) -> impl Iterator<Item = &TrackedOrder> {
        self.open.values().flatten().filter_map(|c| self.by_coid.get(c))
    }

    /// The orders of `market` that may be live.
    fn candidates_in<'a>(&'a self, market: &str) -> impl Iterator<Item = &'a TrackedOrder> {
        self.open.get(market).into_iter().flatten().filter_map(|c| self.by_coid.get(c))
    }

    /// By client order id.
    pub fn get(&self, coid: &str) -> Option<&TrackedOrder> {
        self.by_coid.get(coid)
    }

    /// The client order id of an exchange order id.
    pub fn coid_of(&self, order_id: &str) -> Option<String> {
        self.by_oid.get(order_id).cloned()
    }

    /// Records the exchange id of an order.
    pub fn set_order_id(&mut self, coid: &str, order_id: &str) {
        if let Some(o) = self.by_coid.get_mut(coid) {
            o.order_id = Some(order_id.to_owned());
            self.by_oid.insert(order_id.to_owned(), coid.to_owned());
        }
    }

    /// Live orders of `market`, oldest first.
    pub fn live_in(&self, market: &str) -> Vec<&TrackedOrder> {
        let mut v: Vec<&TrackedOrder> = self.candidates_in(market).filter(|o| o.state.live()).collect();
        v.sort_by(|a, b| a.sent_ms.cmp(&b.sent_ms).then_with(|| a.client_order_id.cmp(&b.client_order_id)));
        v
    }

    /// Every live order.
    pub fn live(&self) -> impl Iterator<Item = &TrackedOrder> {
        self.candidates().filter(|o| o.state.live())
    }

    /// Whether `market` has a request in flight or an unknown outcome.
    pub fn busy(&self, market: &str) -> bool {
        self.candidates_in(market).any(|o| o.state.busy())
    }

    /// Drops finished orders older than `before_ms` (keeps memory flat on long runs).
    ///
    /// Called with `now − KEEP_FINISHED_MS` by the executor and the replay.
    pub fn prune(&mut self, before_ms: i64) {
        let by_coid = &self.by_coid;
        self.open.retain(|_, set| {
            set.retain(|c| by_coid.get(c).is_some_and(|o| o.state.live()));
            !set.is_empty()
        });
        let gone: Vec<String> = self
            .by_coid
            .values()
            .filter(|o| !o.state.live() && o.sent_ms < before_ms)
            .map(|o| o.client_order_id.clone())
            .collect();
        for c in gone {
            if let Some(o) = self.by_coid.remove(&c) {
                if let Some(oid) = o.order_id {
                    self.by_oid.remove(&oid);
                }
            }
        }
    }
}

/// One fill to account for, from the `fill` channel or REST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FillIn {
    /// Trade id (deduplication key).
    pub trade_id: String,
    /// Exchange order id.
    pub order_id: String,
    /// Our id, when the exchange sent it.
    pub client_order_id: Option<String>,
    /// Market.
    pub market: String,
    /// Our order's book side.
    pub side: BookSide,
    /// Execution price, YES terms.
    pub price: Price,
    /// Contracts.
    pub count: Count,
    /// Fee.
    pub fee: Money,
    /// Taker or maker.
    pub is_taker: bool,
    /// Position after the fill, when the exchange said.
    pub post_position: Option<Count>,
    /// Time, Unix ms.
    pub ts_ms: i64,
}

/// Cash, positions and the fills already counted.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    /// Cash, including what resting orders reserve at the exchange.
    pub cash: Money,
    /// Positions by market.
    pub positions: BTreeMap<String, PositionState>,
    /// Fills counted so far.
    pub fills: u64,
    /// Trade ids counted, the most recent [`SEEN_CAP`] of them (oldest first in `order`).
    seen: HashSet<String>,
    order: std::collections::VecDeque<String>,
}

/// Trade ids remembered to count each fill once. A reconciliation reads at most the 1 000
/// most recent fills back (those since the previous one, seconds ago), so four times that
/// many is enough; a service that runs for months does not grow by one id per fill, and
/// the set (about 250 bytes an id) stays near 1 MB, reached within minutes at full load
/// (with 20 000 it kept growing for the soak's whole hour).
pub const SEEN_CAP: usize = 4_000;

impl Ledger {
    /// A ledger holding `cash`.
    pub fn new(cash: Money) -> Ledger {
        Ledger { cash, ..Ledger::default() }
    }

    /// Marks trades as already counted (they are in the positions and balance loaded from
    /// the exchange at start).
    pub fn mark_seen<'a>(&mut self, trade_ids: impl IntoIterator<Item = &'a str>) {
        for t in trade_ids {
            self.remember(t);
        }
    }

    /// Adds `trade_id` to the ids counted (false when it was there), forgetting the oldest
    /// beyond [`SEEN_CAP`].
    fn remember(&mut self, trade_id: &str) -> bool {
        if !self.seen.insert(trade_id.to_owned()) {
            return false;
        }
        self.order.push_back(trade_id.to_owned());
        while self.order.len() > SEEN_CAP {
            if let Some(old) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        true
    }

    /// Applies a fill once; `false` for a trade already counted.
    pub fn apply(&mut self, f: &FillIn) -> bool {
        if !self.remember(&f.trade_id) {
            return false;
        }
        let pos = self.positions.entry(f.market.clone()).or_default();
        let cash = pos.apply_fill(f.side, f.price, f.count, f.fee, f.ts_ms);
        self.cash = self.cash + cash.cash_delta;
        self.fills += 1;
        true
    }

    /// The position of `market` (flat when never traded).
    pub fn position(&self, market: &str) -> PositionState {
        self.positions.get(market).copied().unwrap_or_default()
    }

    /// Cost of every open position.
    pub fn exposure(&self) -> Money {
        self.positions.values().fold(Money::ZERO, |acc, p| acc + p.exposure)
    }

    /// The portfolio the observer sees: cash and value in cents, and the open positions;
    /// positions valued at the YES mid `mid(market)` (NO at 100 − mid; 50 without a mid).
    /// The one valuation the live executor publishes and the replay uses.
    pub fn portfolio(&self, mid: impl Fn(&str) -> Option<f64>) -> crate::observer::Portfolio {
        let cash = self.cash.micros() as f64 / 10_000.0;
        let mut value = cash;
        let mut positions = Vec::new();
        for (m, p) in &self.positions {
            let n = p.position.as_f64();
            if n == 0.0 {
                continue;
            }
            let mark = match mid(m) {
                None => 50.0,
                Some(c) if n > 0.0 => c,
                Some(c) => 100.0 - c,
            };
            value += n.abs() * mark;
            positions.push(crate::features::portfolio::Position {
                market: m.clone(),
                contracts: n,
                cost_basis_cents: p.exposure.micros() as f64 / 10_000.0,
            });
        }
        crate::observer::Portfolio { cash_cents: cash, positions, value_cents: Some(value) }
    }

    /// Realized + unrealized − fees, marking YES at `mid(market)` cents (NO at 100 − mid;
    /// positions without a mid at their cost).
    pub fn pnl(&self, mid: impl Fn(&str) -> Option<f64>) -> Money {
        let mut total = 0.0;
        for (m, p) in &self.positions {
            total += (p.realized_pnl.micros() - p.fees_paid.micros()) as f64;
            let n = p.position.as_f64();
            if n == 0.0 {
                continue;
            }
            let value = match mid(m) {
                Some(c) if n > 0.0 => n * c * 10_000.0,
                Some(c) => -n * (100.0 - c) * 10_000.0,
                None => p.exposure.micros() as f64,
            };
            total += value - p.exposure.micros() as f64;
        }
        Money::from_micros(total.round() as i64)
    }
}
