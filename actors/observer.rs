//! Observer: the point stream and the decision trigger. Woken by the Persister's
//! acknowledgements (`RecordEnqueued`, carrying the accepted record) and stream markers
//! (`StreamMarked`: millisecond boundaries, stale books), it runs the pure
//! [`ObserverCore`] — the same one the offline `observe` command runs — and, for each target
//! market with a complete new view point, throttled per market, hands the observation to
//! the Policy (`ObservationBuilt`; in the service its decider is called in place, no mailbox
//! hop: see `actors/policy.rs`). Stale, one-sided and warming-up markets are skipped and
//! counted by reason. Targets come from configuration, every subscribed market, or the hot
//! selector (re-ranked on a timer; changes go out as `TargetsChanged`).
//!
//! A panic in the core stops the actor; its supervisor restarts it with a fresh stream,
//! every market stale and new snapshots requested.

use std::collections::{BTreeMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use tracing::{error, info, warn};

use super::messages::{
    InjectFailure, ObservationBuilt, PortfolioChanged, RecordEnqueued, RequestSnapshots, RestingOrdersChanged,
    StreamMarked, StreamMarker, TargetsChanged,
};
use crate::book::TickGrid;
use crate::features::portfolio::OrderMode;
use crate::features::temporal::Point;
use crate::observer::hot::{stats_of, HotSelector};
use crate::observer::log::ObservationLog;
use crate::observer::throttle::{Gate, Throttle};
use crate::observer::{ObserverCore, Portfolio, Skip};

/// Which markets the policy trades.
#[derive(Debug, Clone, PartialEq)]
pub enum TargetSpec {
    /// These tickers.
    Listed(Vec<String>),
    /// Every subscribed market.
    All,
    /// The hot selector's top `count`.
    Hot {
        /// Markets in the hot set.
        count: usize,
        /// Widest spread eligible, cents.
        max_spread_cents: f64,
        /// Re-rank interval (and score window), ms.
        rerank_ms: i64,
    },
}

/// How the Observer is set up.
#[derive(Debug, Clone)]
pub struct ObserverSettings {
    /// Time zone of the time features.
    pub tz: chrono_tz::Tz,
    /// Order-feature mode.
    pub order_mode: OrderMode,
    /// Least ms between two evaluations of one market.
    pub throttle_ms: u64,
    /// Target markets.
    pub targets: TargetSpec,
    /// Cash of the flat portfolio used until the executor reports one, cents.
    pub starting_cash_cents: f64,
    /// Subscribed markets with their grids.
    pub grids: Vec<(String, Arc<TickGrid>)>,
}

/// Counts an operator asks about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObserverCounters {
    /// Records acknowledged.
    pub records: u64,
    /// Complete points.
    pub points: u64,
    /// Observations sent to the policy.
    pub observations: u64,
    /// Evaluations skipped, by reason (`stale`, `one_sided`, `warming_up`, `no_state`).
    pub skipped: BTreeMap<&'static str, u64>,
    /// View points coalesced into a scheduled evaluation by the throttle.
    pub coalesced: u64,
    /// Hot-set changes.
    pub target_changes: u64,
    /// Restarts after a panic.
    pub restarts: u64,
    /// Observation-log lines that could not be written.
    pub log_errors: u64,
}

enum Targets {
    Listed(HashSet<String>),
    All,
    Hot(HotSelector),
}

/// The observer actor.
pub struct Observer {
    settings: ObserverSettings,
    core: ObserverCore,
    targets: Targets,
    throttle: Throttle,
    stale: HashSet<String>,
    portfolio: Portfolio,
    /// Our live orders per market (from the executor), for `live` order features.
    resting: std::collections::HashMap<String, Vec<crate::features::portfolio::RestingOrder>>,
    policy: Option<super::policy::PolicyInput>,
    target_outputs: Vec<Recipient<TargetsChanged>>,
    snapshots: Option<Recipient<RequestSnapshots>>,
    log: Option<ObservationLog>,
    counters: ObserverCounters,
    epoch: Instant,
    /// When the frame of the latest acknowledged record was in hand.
    last_rx: Instant,
}

fn new_core(settings: &ObserverSettings) -> ObserverCore {
    let mut core = ObserverCore::new(settings.tz);
    for (m, g) in &settings.grids {
        core.set_grid(m, g.clone());
    }
    core
}

fn new_targets(spec: &TargetSpec) -> Targets {
    match spec {
        TargetSpec::Listed(l) => Targets::Listed(l.iter().cloned().collect()),
        TargetSpec::All => Targets::All,
        TargetSpec::Hot { count, max_spread_cents, rerank_ms } => {
            Targets::Hot(HotSelector::new(*count, *max_spread_cents, *rerank_ms))
        }
    }
}

impl Observer {
    /// An observer sending observations to `policy`, logging them to `log`.
    pub fn new(
        settings: ObserverSettings,
        policy: Option<super::policy::PolicyInput>,
        log: Option<ObservationLog>,
    ) -> Observer {
        Observer {
            core: new_core(&settings),
            targets: new_targets(&settings.targets),
            throttle: Throttle::new(settings.throttle_ms),
            stale: settings.grids.iter().map(|(m, _)| m.clone()).collect(),
            portfolio: Portfolio { cash_cents: settings.starting_cash_cents, positions: Vec::new(), value_cents: None },
            resting: std::collections::HashMap::new(),
            policy,
            target_outputs: Vec::new(),
            snapshots: None,
            log,
            counters: ObserverCounters::default(),
            epoch: Instant::now(),
            last_rx: Instant::now(),
            settings,
        }
    }

    fn now(&self) -> i64 {
        i64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(i64::MAX)
    }

    fn is_target(&self, market: &str) -> bool {
        match &self.targets {
            Targets::Listed(l) => l.contains(market),
            Targets::All => true,
            Targets::Hot(h) => h.contains(market),
        }
    }

    fn on_point(&mut self, point: &Point, ctx: &mut Context<Self>) {
        self.counters.points += 1;
        let now = self.now();
        for market in point.markets.keys() {
            if !self.is_target(market) {
                continue;
            }
            match self.throttle.offer(market, now) {
                Gate::Now => self.evaluate(market, self.last_rx),
                Gate::Schedule { due_ms } => {
                    let market = market.clone();
                    let wait = Duration::from_millis(u64::try_from(due_ms - now).unwrap_or(0));
                    ctx.run_later(wait, move |act, _| {
                        if act.throttle.fire(&market) && act.is_target(&market) {
                            act.evaluate(&market, Instant::now());
                        }
                    });
                }
                Gate::Coalesced => self.counters.coalesced += 1,
            }
        }
    }

    fn skip(&mut self, reason: &'static str) {
        *self.counters.skipped.entry(reason).or_default() += 1;
    }

    fn evaluate(&mut self, market: &str, started: Instant) {
        let built = Instant::now();
        if self.stale.contains(market) {
            return self.skip("stale");
        }
        if let Err(why) = self.core.check(market) {
            return self.skip(match why {
                Skip::NoState => "no_state",
                Skip::WarmingUp => "warming_up",
                Skip::OneSided => "one_sided",
            });
        }
        let orders = self.resting.get(market).map_or(&[][..], Vec::as_slice);
        let Some(o) = self.core.observe(market, &self.portfolio, self.settings.order_mode, orders) else {
            return self.skip("no_state");
        };
        self.throttle.evaluated(market, self.now());
        self.counters.observations += 1;
        if let Some(p) = &self.policy {
            let (bid, ask) = self.core.state(market).map_or((None, None), |s| s.yes_touch());
            let touch = crate::executor::intent::Touch { bid, ask };
            p.send(ObservationBuilt {
                market: o.market.clone(),
                seq: o.seq,
                recv_ms: o.ts_ms,
                obs: o.obs,
                touch,
                started,
                built,
            });
        }
        if let Some(log) = self.log.as_mut() {
            if let Err(e) = log.write(&o) {
                self.counters.log_errors += 1;
                if self.counters.log_errors.is_power_of_two() {
                    warn!(error = %e, "cannot write the observation log");
                }
            }
        }
    }

    fn rerank(&mut self) {
        let now = self.now();
        let Targets::Hot(h) = &mut self.targets else { return };
        if !h.due(now) {
            return;
        }
        let core = &self.core;
        let Some(change) = h.rerank(now, |m| core.book(m).and_then(stats_of)) else { return };
        let current = h.current().to_vec();
        self.counters.target_changes += 1;
        for m in &change.removed {
            self.throttle.forget(m);
        }
        info!(added = ?change.added, removed = ?change.removed, ?current, "hot markets changed");
        for r in &self.target_outputs {
            r.do_send(TargetsChanged {
                added: change.added.clone(),
                removed: change.removed.clone(),
                current: current.clone(),
            });
        }
    }

    /// Runs `f` on the core, turning a panic into a stop (the supervisor restarts us).
    fn guarded<T>(&mut self, ctx: &mut Context<Self>, f: impl FnOnce(&mut ObserverCore) -> T) -> Option<T> {
        match catch_unwind(AssertUnwindSafe(|| f(&mut self.core))) {
            Ok(v) => Some(v),
            Err(_) => {
                error!("observer core panicked; restarting the observer");
                ctx.stop();
                None
            }
        }
    }
}

impl Actor for Observer {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        if matches!(self.targets, Targets::Hot(_)) {
            ctx.run_interval(Duration::from_millis(250), |act, _| act.rerank());
        }
    }
}

impl actix::Supervised for Observer {
    fn restarting(&mut self, _: &mut Self::Context) {
        self.counters.restarts += 1;
        self.core = new_core(&self.settings);
        self.throttle = Throttle::new(self.settings.throttle_ms);
        self.stale = self.settings.grids.iter().map(|(m, _)| m.clone()).collect();
        if let Some(s) = &self.snapshots {
            s.do_send(RequestSnapshots { markets: self.settings.grids.iter().map(|(m, _)| m.clone()).collect() });
        }
    }
}

impl Handler<RecordEnqueued> for Observer {
    type Result = ();

    fn handle(&mut self, msg: RecordEnqueued, ctx: &mut Self::Context) {
        self.counters.records += 1;
        self.last_rx = msg.rx;
        let record = msg.record;
        if record.is_snapshot() {
            self.stale.remove(record.market());
        }
        if let Targets::Hot(h) = &mut self.targets {
            let now = i64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(i64::MAX);
            h.on_update(record.market(), now);
        }
        if let Some(Some(point)) = self.guarded(ctx, |core| core.on_record(&record)) {
            self.on_point(&point, ctx);
        }
    }
}

impl Handler<StreamMarked> for Observer {
    type Result = ();

    fn handle(&mut self, msg: StreamMarked, ctx: &mut Self::Context) {
        match msg.marker {
            StreamMarker::Through { ms } => {
                if let Some(Some(point)) = self.guarded(ctx, |core| core.close_through(ms)) {
                    self.on_point(&point, ctx);
                }
            }
            StreamMarker::Stale { markets } => self.stale.extend(markets),
        }
    }
}

impl Handler<PortfolioChanged> for Observer {
    type Result = ();

    fn handle(&mut self, msg: PortfolioChanged, _: &mut Self::Context) {
        self.portfolio =
            Portfolio { cash_cents: msg.cash_cents, positions: msg.positions, value_cents: Some(msg.value_cents) };
    }
}

impl Handler<RestingOrdersChanged> for Observer {
    type Result = ();

    fn handle(&mut self, msg: RestingOrdersChanged, _: &mut Self::Context) {
        if msg.orders.is_empty() {
            self.resting.remove(&msg.market);
        } else {
            self.resting.insert(msg.market, msg.orders);
        }
    }
}

impl Handler<InjectFailure> for Observer {
    type Result = ();

    fn handle(&mut self, _: InjectFailure, ctx: &mut Self::Context) {
        let _ = self.guarded(ctx, |_| -> () { panic!("injected observer core panic") });
    }
}

/// Connects the recipients of target changes and the feed (for snapshots after a restart).
#[derive(Message)]
#[rtype(result = "()")]
pub struct ConnectObserver {
    /// Receivers of `TargetsChanged`.
    pub targets: Vec<Recipient<TargetsChanged>>,
    /// The feed.
    pub snapshots: Option<Recipient<RequestSnapshots>>,
}

impl Handler<ConnectObserver> for Observer {
    type Result = ();

    fn handle(&mut self, msg: ConnectObserver, _: &mut Self::Context) {
        self.target_outputs = msg.targets;
        self.snapshots = msg.snapshots;
    }
}

/// The observer's counters and current targets.
#[derive(Message)]
#[rtype(result = "(ObserverCounters, Vec<String>)")]
pub struct GetObserverCounters;

impl Handler<GetObserverCounters> for Observer {
    type Result = MessageResult<GetObserverCounters>;

    fn handle(&mut self, _: GetObserverCounters, _: &mut Self::Context) -> Self::Result {
        let targets = match &self.targets {
            Targets::Listed(l) => {
                let mut v: Vec<String> = l.iter().cloned().collect();
                v.sort();
                v
            }
            Targets::All => self.settings.grids.iter().map(|(m, _)| m.clone()).collect(),
            Targets::Hot(h) => h.current().to_vec(),
        };
        MessageResult((self.counters.clone(), targets))
    }
}
