//! OrderExecutor: turns `ActionChosen` into Kalshi V2 order requests through the pure
//! [`ExecutorCore`], and keeps what we own in line with the exchange. Requests go to the
//! [`OrderSender`] (its own arbiter: HTTP and signing never block the decision thread);
//! answers come back as `WriteDone`; fills and order updates from the feed's private
//! channels; REST reconciliation every `executor.reconcile_interval`. On start it loads
//! resting orders, positions and balance (cancelling what a previous run left resting when
//! `executor.cancel_on_start`) and trades only once that is done. With `actor.enabled = false`
//! it is a dry run: decisions are recorded, no request is ever sent.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use tracing::{error, warn};

use super::messages::{
    ActionChosen, FillChannelOpened, FillReceived, OrderEvent, OrderUpdated, PortfolioChanged, RiskEvent,
    TargetsChanged,
};
use super::order_sender::OrderSender;
use super::order_sender::{FetchExchange, SendRequest, WriteDone, WriteResult};
use crate::book::TickGrid;
use crate::config::RiskConfig;
use crate::domain::Money;
use crate::executor::fill_gate::{FillGate, Offer};
use crate::executor::intent::Touch;
use crate::executor::risk::RiskState;
use crate::executor::state::FillIn;
use crate::executor::{ExecutorCore, ExecutorSettings, Step};
use crate::kalshi::sign::now_ms;
use crate::latency::LatencyWindow;

mod decide;
mod publish;
mod startup;
mod status;

pub use decide::{DecisionMade, ExecutorLink};
pub use publish::fill_row;
pub use status::{ConnectExecutorOutputs, ExecutorStats, GetExecutorStats, ReconcileNow};

/// How the executor is set up.
#[derive(Debug, Clone)]
pub struct ExecutorOptions {
    /// Never send a request (`actor.enabled = false`).
    pub dry_run: bool,
    /// Cancel leftover resting orders before trading.
    pub cancel_on_start: bool,
    /// Reconciliation interval.
    pub reconcile_every: Duration,
    /// Order settings.
    pub settings: ExecutorSettings,
    /// Limits.
    pub risk: RiskConfig,
    /// Price grids by market.
    pub grids: HashMap<String, Arc<TickGrid>>,
}

/// Where the executor's events go.
#[derive(Default, Clone)]
pub struct ExecutorOutputs {
    /// The Observer's portfolio copy (and the dashboard's P&L).
    pub portfolio: Vec<Recipient<PortfolioChanged>>,
    /// Our fills (the dashboard).
    pub fills: Vec<Recipient<super::messages::FillRecorded>>,
    /// The Observer's copy of our live orders.
    pub resting: Option<Recipient<super::messages::RestingOrdersChanged>>,
    /// Order events (Broadcaster, Persister).
    pub orders: Vec<Recipient<OrderEvent>>,
    /// Risk events.
    pub risk: Vec<Recipient<RiskEvent>>,
    /// Position changes.
    pub positions: Vec<Recipient<super::messages::PositionChanged>>,
    /// Everything, as actor-table records.
    pub persist: Option<Recipient<super::persister::PersistActorRecord>>,
}

/// The executor actor.
pub struct OrderExecutor {
    opts: ExecutorOptions,
    /// Shared with the [`ExecutorLink`] the Policy's decider calls in place (same thread).
    core: Rc<RefCell<Option<ExecutorCore>>>,
    sender: Addr<OrderSender>,
    reader: Addr<OrderSender>,
    outputs: ExecutorOutputs,
    touches: HashMap<String, Touch>,
    stats: ExecutorStats,
    decision: LatencyWindow,
    /// Point complete → intent (the decision without the wait for the point).
    processing: LatencyWindow,
    last_reconcile_s: i64,
    /// When the reconciliation in progress started (a stuck one is abandoned after 30 s).
    reconciling: Option<Instant>,
    /// Channel fills held after the `fill` channel (re)opened, until a read-back that
    /// started after it has been applied (fills stay in exchange order).
    gate: FillGate<Instant>,
}

impl OrderExecutor {
    /// An executor sending through `sender`.
    /// An executor sending orders through `sender` and reading the exchange's state through
    /// `reader` (two threads: a large reconciliation read never delays an order).
    pub fn new(
        opts: ExecutorOptions,
        sender: Addr<OrderSender>,
        reader: Addr<OrderSender>,
        outputs: ExecutorOutputs,
    ) -> OrderExecutor {
        let stats = ExecutorStats { dry_run: opts.dry_run, ..ExecutorStats::default() };
        OrderExecutor {
            opts,
            core: Rc::new(RefCell::new(None)),
            sender,
            reader,
            outputs,
            touches: HashMap::new(),
            stats,
            decision: LatencyWindow::new(8192),
            processing: LatencyWindow::new(8192),
            last_reconcile_s: now_ms() / 1000,
            reconciling: None,
            gate: FillGate::default(),
        }
    }

    /// Runs `f` on the core, once loaded; the borrow ends before the caller applies the
    /// result.
    fn with_core<R>(&self, f: impl FnOnce(&mut ExecutorCore) -> R) -> Option<R> {
        self.core.borrow_mut().as_mut().map(f)
    }

    /// Sends the step's requests and publishes its events (everything but decisions, which
    /// the [`ExecutorLink`] sends in place).
    fn apply(&mut self, mut step: Step) {
        if self.opts.dry_run {
            // A dry run never sends anything, halts included.
            step.requests.clear();
        }
        if let Some(s) = step.skipped {
            *self.stats.skipped.entry(s).or_default() += 1;
        }
        let decided = Instant::now();
        for request in step.requests {
            self.stats.requests += 1;
            self.stats.creates += u64::from(matches!(request, crate::executor::Request::Create { .. }));
            self.sender.do_send(SendRequest { request, decided });
        }
        self.publish_events(step.events);
    }

    /// Publishes events, then the live orders of every market they touched and, after a
    /// position change, the portfolio.
    fn publish_events(&mut self, events: Vec<crate::executor::ExecEvent>) {
        let mut portfolio = false;
        let mut touched: Vec<String> = Vec::new();
        for e in events {
            if let crate::executor::ExecEvent::Order(o) = &e {
                if !touched.contains(&o.market) {
                    touched.push(o.market.clone());
                }
            }
            self.publish(e, &mut portfolio);
        }
        for m in touched {
            self.publish_resting(&m);
        }
        if portfolio {
            self.publish_portfolio();
        }
    }

    fn reconcile(&mut self, ctx: &mut Context<Self>) {
        // Finished orders are forgotten after 10 minutes: memory stays flat on long runs.
        self.with_core(|c| c.orders.prune(now_ms() - crate::executor::state::KEEP_FINISHED_MS));
        if self.reconciling.is_some_and(|t| t.elapsed() < Duration::from_secs(30)) || self.opts.dry_run {
            return;
        }
        let Some((markets, live_before)) = self.with_core(|core| {
            let mut m: Vec<String> = core
                .orders
                .live()
                .filter(|o| o.state == crate::executor::state::OrderState::Unknown)
                .map(|o| o.market.clone())
                .collect();
            m.sort();
            m.dedup();
            (m, core.orders.live().count())
        }) else {
            return;
        };
        let since_s = self.last_reconcile_s - 10;
        let started_s = now_ms() / 1000;
        let requests_before = self.stats.requests;
        let read_started = Instant::now();
        self.reconciling = Some(read_started);
        self.reader
            .send(FetchExchange { markets, since_s })
            .into_actor(self)
            .map(move |res, act, ctx| {
                act.reconciling = None;
                let mut view = match res {
                    Ok(Ok(v)) => v,
                    Ok(Err(e)) => return warn!(error = %e, "reconciliation read failed"),
                    Err(e) => return warn!(error = %e, "sender gone"),
                };
                act.last_reconcile_s = started_s;
                view.busy_during_read = live_before > 0 || act.stats.requests != requests_before;
                act.stats.reconciliations += 1;
                let now = now_ms();
                let touches = act.touches.clone();
                let Some(step) = act.with_core(|core| {
                    let mut step = core.reconcile(&view, now);
                    let loss = core.check_loss(|m| touches.get(m).and_then(Touch::mid_cents), now);
                    step.requests.extend(loss.requests);
                    step.events.extend(loss.events);
                    step
                }) else {
                    return;
                };
                act.apply(step);
                act.publish_portfolio();
                act.release_held(read_started, ctx);
            })
            .spawn(ctx);
    }
}

impl Actor for OrderExecutor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        if self.opts.dry_run {
            warn!("DRY RUN (actor.enabled = false): decisions are recorded, no order is ever sent");
            let risk = RiskState::new(self.opts.risk.clone(), 0.0, 0.0, now_ms());
            let core = ExecutorCore::new(self.opts.settings.clone(), self.opts.grids.clone(), risk, Money::ZERO);
            *self.core.borrow_mut() = Some(core);
            return;
        }
        self.start_up(ctx);
        ctx.run_interval(self.opts.reconcile_every, |act, ctx| act.reconcile(ctx));
    }
}

impl Handler<ActionChosen> for OrderExecutor {
    type Result = ();

    fn handle(&mut self, msg: ActionChosen, _: &mut Self::Context) {
        let made = decide::decide_now(&self.core, &self.sender, self.opts.dry_run, msg);
        self.book_decision(made);
    }
}

impl Handler<WriteDone> for OrderExecutor {
    type Result = ();

    fn handle(&mut self, msg: WriteDone, _: &mut Self::Context) {
        let now = now_ms();
        let Some(step) = self.with_core(|core| match msg.result {
            WriteResult::Created(r) => core.on_created(&msg.coid, r, now),
            WriteResult::Amended(price, r) => core.on_amended(&msg.coid, price, r, now),
            WriteResult::Canceled(r) => core.on_canceled(&msg.coid, r, now),
            WriteResult::CanceledAll(Ok(())) => core.on_canceled_all(now),
            WriteResult::CanceledAll(Err(e)) => {
                error!(error = ?e, "cancel-all failed; reconciliation will retry the cancels");
                core.risk.on_error(now);
                Step::default()
            }
        }) else {
            return;
        };
        self.apply(step);
    }
}

impl Handler<FillReceived> for OrderExecutor {
    type Result = ();

    fn handle(&mut self, msg: FillReceived, _: &mut Self::Context) {
        let f = &msg.fill;
        let fill = FillIn {
            trade_id: f.trade_id.clone(),
            order_id: f.order_id.clone(),
            client_order_id: f.client_order_id.clone(),
            market: f.market_ticker.clone(),
            side: f.book_side,
            price: f.yes_price_dollars,
            count: f.count_fp,
            fee: f.fee_cost,
            is_taker: f.is_taker,
            post_position: Some(f.post_position_fp),
            ts_ms: f.ts_ms.unwrap_or(msg.recv_ms),
        };
        match self.gate.offer(fill) {
            Offer::Held => {}
            Offer::Apply(fill) => self.apply_fills(vec![fill]),
            Offer::Overflow(all) => {
                warn!(fills = all.len(), "too many fills held for the read-back; applying them as they came");
                self.apply_fills(all);
            }
        }
    }
}

impl Handler<FillChannelOpened> for OrderExecutor {
    type Result = ();

    fn handle(&mut self, _: FillChannelOpened, ctx: &mut Self::Context) {
        // Fills made while the channel was not listening are only in the read-back, and are
        // older than what the channel sends from now on: hold those until it is applied.
        self.gate.opened(Instant::now());
        self.reconcile(ctx);
    }
}

impl OrderExecutor {
    fn apply_fills(&mut self, fills: Vec<FillIn>) {
        for fill in fills {
            let Some(step) = self.with_core(|core| core.on_fill(fill, now_ms())) else { return };
            self.apply(step);
        }
    }

    /// After a read-back started at `read_started` was applied: the held fills go in; if it
    /// started too early, another read starts now.
    fn release_held(&mut self, read_started: Instant, ctx: &mut Context<Self>) {
        match self.gate.read_applied(read_started) {
            Some(held) => self.apply_fills(held),
            None if self.gate.holding() => self.reconcile(ctx),
            None => {}
        }
    }
}

impl Handler<OrderUpdated> for OrderExecutor {
    type Result = ();

    fn handle(&mut self, msg: OrderUpdated, _: &mut Self::Context) {
        let Some(step) = self.with_core(|core| core.on_user_order(&msg.order, now_ms())) else { return };
        self.apply(step);
    }
}

impl Handler<TargetsChanged> for OrderExecutor {
    type Result = ();

    fn handle(&mut self, msg: TargetsChanged, _: &mut Self::Context) {
        let Some(all) = self.with_core(|core| {
            let mut all = Step::default();
            for m in &msg.removed {
                let s = core.leave_market(m, now_ms());
                all.requests.extend(s.requests);
                all.events.extend(s.events);
            }
            all
        }) else {
            return;
        };
        self.apply(all);
    }
}
