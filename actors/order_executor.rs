//! OrderExecutor: turns `ActionChosen` into Kalshi V2 order requests through the pure
//! [`ExecutorCore`], and keeps what we own in line with the exchange. Requests go to the
//! [`OrderSender`] (its own arbiter: HTTP and signing never block the decision thread);
//! answers come back as `WriteDone`; fills and order updates from the feed's private
//! channels; REST reconciliation every `executor.reconcile_interval`. On start it loads
//! resting orders, positions and balance (cancelling what a previous run left resting when
//! `executor.cancel_on_start`) and trades only once that is done. With `actor.enabled = false`
//! it is a dry run: decisions are recorded, no request is ever sent.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use tracing::{error, warn};

use super::messages::{
    ActionChosen, FillReceived, OrderEvent, OrderUpdated, PortfolioChanged, RiskEvent, TargetsChanged,
};
use super::order_sender::OrderSender;
use super::order_sender::{FetchExchange, SendRequest, WriteDone, WriteResult};
use crate::book::TickGrid;
use crate::config::RiskConfig;
use crate::domain::Money;
use crate::executor::intent::Touch;
use crate::executor::risk::RiskState;
use crate::executor::state::FillIn;
use crate::executor::{ExecutorCore, ExecutorSettings, Step};
use crate::kalshi::sign::now_ms;
use crate::latency::LatencyWindow;

mod publish;
mod startup;
mod status;

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
    core: Option<ExecutorCore>,
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
            core: None,
            sender,
            reader,
            outputs,
            touches: HashMap::new(),
            stats,
            decision: LatencyWindow::new(8192),
            processing: LatencyWindow::new(8192),
            last_reconcile_s: now_ms() / 1000,
            reconciling: None,
        }
    }

    /// Sends the step's requests and publishes its events. `started` is when the frame
    /// behind a decision was in hand and when its evaluation began (decision latency: frame
    /// → intent; its processing part: point complete → intent); the requests carry the moment the intent was decided (wire latency: intent → request
    /// handed to the HTTP client, P5).
    fn apply(&mut self, mut step: Step, started: Option<(Instant, Instant)>) {
        if self.opts.dry_run {
            // A dry run never sends anything, halts included.
            step.requests.clear();
        }
        if let Some(s) = step.skipped {
            *self.stats.skipped.entry(s).or_default() += 1;
        }
        let decided = Instant::now();
        if !step.requests.is_empty() {
            if let Some((frame, built)) = started {
                self.decision.push(decided.duration_since(frame).as_secs_f64() * 1e6);
                self.processing.push(decided.duration_since(built).as_secs_f64() * 1e6);
            }
        }
        for request in step.requests {
            self.stats.requests += 1;
            self.stats.creates += u64::from(matches!(request, crate::executor::Request::Create { .. }));
            self.sender.do_send(SendRequest { request, decided });
        }
        let mut portfolio = false;
        let mut touched: Vec<String> = Vec::new();
        for e in step.events {
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
        self.core.iter_mut().for_each(|c| c.orders.prune(now_ms() - crate::executor::state::KEEP_FINISHED_MS));
        let Some(core) = &self.core else { return };
        if self.reconciling.is_some_and(|t| t.elapsed() < Duration::from_secs(30)) || self.opts.dry_run {
            return;
        }
        self.reconciling = Some(Instant::now());
        let markets: Vec<String> = {
            let mut m: Vec<String> = core
                .orders
                .live()
                .filter(|o| o.state == crate::executor::state::OrderState::Unknown)
                .map(|o| o.market.clone())
                .collect();
            m.sort();
            m.dedup();
            m
        };
        let since_s = self.last_reconcile_s - 10;
        let started_s = now_ms() / 1000;
        let (requests_before, live_before) = (self.stats.requests, core.orders.live().count());
        self.reader
            .send(FetchExchange { markets, since_s })
            .into_actor(self)
            .map(move |res, act, _| {
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
                let Some(core) = act.core.as_mut() else { return };
                let mut step = core.reconcile(&view, now);
                let loss = core.check_loss(|m| touches.get(m).and_then(Touch::mid_cents), now);
                step.requests.extend(loss.requests);
                step.events.extend(loss.events);
                act.apply(step, None);
                act.publish_portfolio();
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
            self.core = Some(ExecutorCore::new(self.opts.settings.clone(), self.opts.grids.clone(), risk, Money::ZERO));
            return;
        }
        self.start_up(ctx);
        ctx.run_interval(self.opts.reconcile_every, |act, ctx| act.reconcile(ctx));
    }
}

impl Handler<ActionChosen> for OrderExecutor {
    type Result = ();

    fn handle(&mut self, msg: ActionChosen, _: &mut Self::Context) {
        self.stats.actions += 1;
        self.touches.insert(msg.market.clone(), msg.touch);
        if let Some(p) = &self.outputs.persist {
            let row = crate::storage::ActionRow {
                market: msg.market.clone(),
                action: u8::try_from(msg.action).unwrap_or(u8::MAX),
                name: msg.name.to_owned(),
                probs: msg.probs,
                obs: msg.obs.to_vec(),
                model_id: msg.model_id.to_string(),
                seq: msg.seq,
                recv_ms: msg.recv_ms,
                ts_ms: now_ms(),
                dry_run: self.opts.dry_run,
            };
            p.do_send(super::persister::PersistActorRecord { record: crate::storage::ActorRecord::Action(row) });
        }
        if self.opts.dry_run {
            *self.stats.skipped.entry("dry_run").or_default() += 1;
            return;
        }
        let Some(core) = self.core.as_mut() else {
            *self.stats.skipped.entry("starting").or_default() += 1;
            return;
        };
        let step = core.on_action(&msg.market, msg.action, msg.touch, now_ms());
        self.apply(step, Some((msg.started, msg.built)));
    }
}

impl Handler<WriteDone> for OrderExecutor {
    type Result = ();

    fn handle(&mut self, msg: WriteDone, _: &mut Self::Context) {
        let Some(core) = self.core.as_mut() else { return };
        let now = now_ms();
        let step = match msg.result {
            WriteResult::Created(r) => core.on_created(&msg.coid, r, now),
            WriteResult::Amended(price, r) => core.on_amended(&msg.coid, price, r, now),
            WriteResult::Canceled(r) => core.on_canceled(&msg.coid, r, now),
            WriteResult::CanceledAll(Ok(())) => core.on_canceled_all(now),
            WriteResult::CanceledAll(Err(e)) => {
                error!(error = ?e, "cancel-all failed; reconciliation will retry the cancels");
                core.risk.on_error(now);
                Step::default()
            }
        };
        self.apply(step, None);
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
        let Some(core) = self.core.as_mut() else { return };
        let step = core.on_fill(fill, now_ms());
        self.apply(step, None);
    }
}

impl Handler<OrderUpdated> for OrderExecutor {
    type Result = ();

    fn handle(&mut self, msg: OrderUpdated, _: &mut Self::Context) {
        let Some(core) = self.core.as_mut() else { return };
        let step = core.on_user_order(&msg.order, now_ms());
        self.apply(step, None);
    }
}

impl Handler<TargetsChanged> for OrderExecutor {
    type Result = ();

    fn handle(&mut self, msg: TargetsChanged, _: &mut Self::Context) {
        let Some(core) = self.core.as_mut() else { return };
        let mut all = Step::default();
        for m in &msg.removed {
            let s = core.leave_market(m, now_ms());
            all.requests.extend(s.requests);
            all.events.extend(s.events);
        }
        self.apply(all, None);
    }
}
