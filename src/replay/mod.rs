//! Replay (backtest): recorded order-book updates through the code that trades live — the
//! [`ObserverCore`] with the live throttle and skip rules, the policy, the [`ExecutorCore`]
//! with its order rules and risk limits — against the [`FillModel`] on the recorded book.
//!
//! The engine is pulled: [`Replay::next_decision`] runs the records until an observation needs an
//! action and hands it out; [`Replay::act`] applies the action (requests to the fill model,
//! answers and fills back to the executor) and returns the step. That serves the `replay`
//! command (a model decides) and training (an agent decides). The record time is the clock:
//! the throttle, the risk limits' token bucket and every timestamp use it, so a replay is
//! deterministic.

mod account;
pub mod env;
pub mod fill;
pub mod report;
pub mod synthetic;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

use chrono_tz::Tz;

use crate::domain::{BookSide, FastSet, Money};
use crate::executor::intent::Touch;
use crate::executor::risk::RiskState;
use crate::executor::{ExecutorCore, ExecutorSettings};
use crate::features::portfolio::{OrderMode, RestingOrder};
use crate::features::temporal::Point;
use crate::features::OBS_LEN;
use crate::observer::hot::{stats_of, HotSelector};
use crate::observer::throttle::{Gate, Throttle};
use crate::observer::{ObserverCore, Portfolio, Skip};
use crate::policy::N_ACTIONS;
use crate::storage::BookRecord;
pub use fill::{FeeSchedule, FillModel};
use report::{MarketEnd, Report, SeriesPoint, StepRow, Tally};

/// Which markets are traded.
#[derive(Debug, Clone)]
pub enum Targets {
    /// These markets.
    Listed(BTreeSet<String>),
    /// Every market in the records.
    All,
    /// The live hot selector, on record time (re-ranked every 250 ms as live).
    Hot(HotSelector),
}

/// How a replay trades.
#[derive(Debug, Clone)]
pub struct ReplaySettings {
    /// Time zone of the time features.
    pub tz: Tz,
    /// Markets traded.
    pub targets: Targets,
    /// Least ms between two evaluations of a market (`actor.tick_throttle_ms`).
    pub throttle_ms: u64,
    /// Order features.
    pub order_mode: OrderMode,
    /// The executor's order settings.
    pub executor: ExecutorSettings,
    /// Risk limits.
    pub risk: crate::config::RiskConfig,
    /// Write tokens per second and bucket size when the limits set none (the exchange's).
    pub rate: (f64, f64),
    /// Starting cash.
    pub starting_cash: Money,
    /// Fees.
    pub fees: FeeSchedule,
}

/// An observation waiting for an action.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    /// Market.
    pub market: String,
    /// Record time of its view point, Unix ms.
    pub ts_ms: i64,
    /// Sequence number of the market's last record.
    pub seq: u64,
    /// The 52 floats.
    pub obs: [f32; OBS_LEN],
    touch: Touch,
}

/// What an action did.
#[derive(Debug, Clone, PartialEq)]
pub struct Acted {
    /// Market.
    pub market: String,
    /// The action applied.
    pub action: usize,
    /// Why nothing was sent, if nothing was.
    pub skipped: Option<&'static str>,
    /// Portfolio value after it, cents.
    pub value_cents: f64,
}

/// The replay engine over shared records.
pub struct Replay {
    records: Arc<[BookRecord]>,
    pos: usize,
    finished: bool,
    settings: ReplaySettings,
    core: ObserverCore,
    throttle: Throttle,
    stale: FastSet<String>,
    /// Evaluations due now, in order.
    queue: VecDeque<Arc<str>>,
    /// Throttled evaluations: (due ms, market).
    scheduled: BTreeSet<(i64, Arc<str>)>,
    now: i64,
    exec: ExecutorCore,
    fills: FillModel,
    portfolio: Portfolio,
    pending: Option<Pending>,
    tally: Tally,
    decisions: u64,
    next_rerank: i64,
}

impl Replay {
    /// A replay of `records` (in the order they were accepted).
    pub fn new(records: Arc<[BookRecord]>, settings: ReplaySettings) -> Replay {
        let now = records.first().map_or(0, BookRecord::recv_ms);
        let (rate, capacity) = settings.rate;
        let risk = RiskState::new(settings.risk.clone(), rate, capacity, now);
        let exec = ExecutorCore::new(settings.executor.clone(), Default::default(), risk, settings.starting_cash);
        let cash_cents = settings.starting_cash.micros() as f64 / 10_000.0;
        Replay {
            records,
            pos: 0,
            finished: false,
            core: ObserverCore::new(settings.tz),
            throttle: Throttle::new(settings.throttle_ms),
            stale: FastSet::default(),
            queue: VecDeque::new(),
            scheduled: BTreeSet::new(),
            now,
            exec,
            fills: FillModel::new(settings.fees),
            portfolio: Portfolio { cash_cents, positions: Vec::new(), value_cents: Some(cash_cents) },
            pending: None,
            tally: Tally::default(),
            decisions: 0,
            next_rerank: now,
            settings,
        }
    }

    fn is_target(&self, market: &str) -> bool {
        match &self.settings.targets {
            Targets::Listed(l) => l.contains(market),
            Targets::All => true,
            Targets::Hot(h) => h.contains(market),
        }
    }

    /// Live's hot re-ranking (every 250 ms): a market that left the set has its throttle
    /// forgotten and its resting orders canceled.
    fn rerank(&mut self) {
        let Targets::Hot(h) = &mut self.settings.targets else { return };
        if self.now < self.next_rerank {
            return;
        }
        self.next_rerank = self.now + 250;
        if !h.due(self.now) {
            return;
        }
        let core = &self.core;
        let Some(change) = h.rerank(self.now, |m| core.book(m).and_then(stats_of)) else { return };
        for m in &change.removed {
            self.throttle.forget(m);
            let step = self.exec.leave_market(m, self.now);
            self.absorb(step);
        }
    }

    /// Runs until an observation needs an action (`None`: the records are over). An
    /// observation not acted on is dropped by the next call.
    pub fn next_decision(&mut self) -> Option<&Pending> {
        self.pending = None;
        loop {
            if let Some(m) = self.queue.pop_front() {
                if let Some(p) = self.evaluate(&m) {
                    self.pending = Some(p);
                    return self.pending.as_ref();
                }
                continue;
            }
            let next_ms = self.records.get(self.pos).map(BookRecord::recv_ms);
            if let Some((due, m)) = self.scheduled.first().cloned() {
                if next_ms.is_none_or(|t| due <= t) {
                    self.scheduled.pop_first();
                    self.now = self.now.max(due);
                    if self.throttle.fire(&m) && self.is_target(&m) {
                        self.queue.push_back(m);
                    }
                    continue;
                }
            }
            if self.pos < self.records.len() {
                let records = Arc::clone(&self.records);
                self.pos += 1;
                self.apply(&records[self.pos - 1]);
                continue;
            }
            if self.finished {
                return None;
            }
            self.finished = true;
            if let Some(point) = self.core.finish() {
                self.on_point(&point);
            }
        }
    }

    fn apply(&mut self, r: &BookRecord) {
        self.now = self.now.max(r.recv_ms());
        let market = r.market();
        if let Targets::Hot(h) = &mut self.settings.targets {
            h.on_update(market, self.now);
        }
        self.rerank();
        // A market is stale until its first snapshot, as live.
        if r.is_snapshot() {
            self.stale.remove(market);
        } else if self.core.book(market).is_none() {
            self.stale.insert(market.to_owned());
        }
        let point = self.core.on_record(r);
        if self.fills.has_orders(market) {
            if let Some(book) = self.core.book(market) {
                let fills = self.fills.on_book(market, book, self.now);
                for f in fills {
                    let step = self.exec.on_fill(f, self.now);
                    self.absorb(step);
                }
            }
        }
        if let Some(point) = point {
            self.on_point(&point);
        }
    }

    fn on_point(&mut self, point: &Point) {
        for m in point.markets.keys() {
            if !self.is_target(m) {
                continue;
            }
            match self.throttle.offer(m, self.now) {
                Gate::Now => self.queue.push_back(m.clone()),
                Gate::Schedule { due_ms } => {
                    self.scheduled.insert((due_ms, m.clone()));
                }
                Gate::Coalesced => {}
            }
        }
    }

    fn skip(&mut self, why: &'static str) {
        *self.tally.not_evaluated.entry(why).or_default() += 1;
    }

    fn evaluate(&mut self, market: &str) -> Option<Pending> {
        if !self.stale.is_empty() && self.stale.contains(market) {
            self.skip("stale");
            return None;
        }
        if let Err(why) = self.core.check(market) {
            self.skip(match why {
                Skip::NoState => "no_state",
                Skip::WarmingUp => "warming_up",
                Skip::OneSided => "one_sided",
            });
            return None;
        }
        let orders: Vec<RestingOrder> = match self.settings.order_mode {
            OrderMode::Zeros => Vec::new(),
            OrderMode::Live => self
                .exec
                .orders
                .live_in(market)
                .into_iter()
                .map(|o| RestingOrder {
                    is_buy: o.side == BookSide::Bid,
                    limit_cents: o.price.cents_f64(),
                    placed_ms: o.placed_ms,
                })
                .collect(),
        };
        let Some(o) = self.core.observe(market, &self.portfolio, self.settings.order_mode, &orders) else {
            self.skip("no_state");
            return None;
        };
        self.throttle.evaluated(market, self.now);
        let (bid, ask) = self.core.state(market).map_or((None, None), |s| s.yes_touch());
        Some(Pending { market: o.market, ts_ms: o.ts_ms, seq: o.seq, obs: o.obs, touch: Touch { bid, ask } })
    }

    /// Applies `action` to the pending observation; `None` when none is pending.
    pub fn act(&mut self, action: usize) -> Option<Acted> {
        let p = self.pending.take()?;
        let action = action.min(N_ACTIONS - 1);
        self.decisions += 1;
        if self.decisions % 4096 == 0 {
            self.exec.orders.prune(self.now - crate::executor::state::KEEP_FINISHED_MS);
        }
        self.tally.actions[action] += 1;
        let step = self.exec.on_action(&p.market, action, p.touch, self.now);
        let skipped = step.skipped;
        if let Some(why) = skipped {
            *self.tally.skipped.entry(why).or_default() += 1;
        }
        self.absorb(step);
        let value = self.value_cents();
        self.tally.point(SeriesPoint { ts_ms: p.ts_ms, value_cents: value, exposure: self.exposure() });
        Some(Acted { market: p.market, action, skipped, value_cents: value })
    }

    /// The `--steps-csv` row of a step: `p` the observation it acted on.
    pub fn row(&self, p: &Pending, acted: &Acted, probs: [f32; N_ACTIONS]) -> StepRow {
        StepRow {
            ts_ms: p.ts_ms,
            market: p.market.clone(),
            seq: p.seq,
            obs: p.obs,
            action: acted.action,
            probs,
            skipped: acted.skipped,
            position: self.exec.ledger.position(&p.market).position.as_f64(),
            cash_cents: self.exec.ledger.cash.micros() as f64 / 10_000.0,
            value_cents: acted.value_cents,
        }
    }

    /// Records replayed so far.
    pub fn updates(&self) -> u64 {
        self.pos as u64
    }

    /// The report (call after [`Replay::next_decision`] returned `None`).
    pub fn report(&self, model: &str) -> Report {
        let markets: BTreeMap<String, MarketEnd> = self
            .exec
            .ledger
            .positions
            .iter()
            .map(|(m, p)| {
                let end = MarketEnd {
                    position: p.position,
                    cost: p.exposure,
                    realized_pnl: p.realized_pnl,
                    fees: p.fees_paid,
                };
                (m.clone(), end)
            })
            .collect();
        let realized = markets.values().fold(Money::ZERO, |acc, e| acc + e.realized_pnl);
        let start = self.settings.starting_cash.micros() as f64 / 10_000.0;
        Report {
            model: model.to_owned(),
            updates: self.updates(),
            decisions: self.decisions,
            actions: self.tally.histogram(),
            skipped: self.tally.skipped.clone(),
            not_evaluated: self.tally.not_evaluated.clone(),
            requests: self.tally.requests,
            trades: self.tally.trades,
            contracts: crate::domain::Count::from_hundredths(self.tally.contracts).unwrap_or_default(),
            fees: self.tally.fees,
            starting_cash: self.settings.starting_cash,
            cash: self.exec.ledger.cash,
            realized_pnl: realized,
            pnl_cents: self.value_cents() - start,
            max_drawdown_cents: self.tally.max_drawdown_cents,
            max_exposure: self.tally.max_exposure,
            markets,
            series: report::thin(&self.tally.series, report::SERIES_POINTS),
        }
    }
}

#[cfg(test)]
#[path = "tests.rs"]
pub(crate) mod tests;
