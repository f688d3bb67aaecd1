//! The executor's read-outs and control messages (halt, resume): counters (`GetExecutorStats`), the
//! control status and trading summary the web endpoints serve, connecting outputs, and an
//! on-demand reconciliation.

use std::collections::BTreeMap;

use actix::prelude::*;

use super::{ExecutorOutputs, OrderExecutor};
use crate::actors::messages::{HaltTrading, ResumeTrading};
use crate::domain::position::PositionState;
use crate::domain::Money;
use crate::kalshi::sign::now_ms;
use tracing::{info, warn};

/// Counts an operator asks about.
#[derive(Debug, Clone, Default, PartialEq, MessageResponse)]
pub struct ExecutorStats {
    /// Trading started (state loaded from the exchange).
    pub ready: bool,
    /// Dry run.
    pub dry_run: bool,
    /// Decisions received.
    pub actions: u64,
    /// Requests sent.
    pub requests: u64,
    /// Of which order creations (each with its own client order id).
    pub creates: u64,
    /// Decisions that produced no request, by reason.
    pub skipped: BTreeMap<&'static str, u64>,
    /// Fills counted.
    pub fills: u64,
    /// Discrepancies found by reconciliation.
    pub discrepancies: u64,
    /// The latest discrepancy (market and detail).
    pub last_discrepancy: Option<String>,
    /// Reconciliations done.
    pub reconciliations: u64,
    /// Risk rejections by reason.
    pub risk_rejections: BTreeMap<&'static str, u64>,
    /// The halt reason, when halted.
    pub halted: Option<String>,
    /// Decision latency (frame in hand → requests issued), median µs.
    pub decision_p50_us: Option<f64>,
    /// 99th percentile, µs.
    pub decision_p99_us: Option<f64>,
    /// 99.9th percentile, µs.
    pub decision_p999_us: Option<f64>,
    /// Point complete → requests issued, median µs.
    pub processing_p50_us: Option<f64>,
    /// 99th percentile, µs.
    pub processing_p99_us: Option<f64>,
    /// Cash.
    pub cash: Money,
    /// Positions by market.
    pub positions: BTreeMap<String, PositionState>,
    /// Live orders.
    pub live_orders: usize,
}

/// The executor's counters and state.
#[derive(Message)]
#[rtype(result = "ExecutorStats")]
pub struct GetExecutorStats;

impl Handler<GetExecutorStats> for OrderExecutor {
    type Result = ExecutorStats;

    fn handle(&mut self, _: GetExecutorStats, _: &mut Self::Context) -> ExecutorStats {
        let mut s = self.stats.clone();
        s.decision_p50_us = self.decision.percentile(0.5);
        s.decision_p99_us = self.decision.percentile(0.99);
        s.decision_p999_us = self.decision.percentile(0.999);
        s.processing_p50_us = self.processing.percentile(0.5);
        s.processing_p99_us = self.processing.percentile(0.99);
        if let Some(core) = self.core.borrow_mut().as_mut() {
            s.discrepancies = core.discrepancies;
            s.last_discrepancy = core.last_discrepancy.clone();
            s.risk_rejections = core.risk.rejections.clone();
            s.halted = core.risk.halted(now_ms()).map(|h| h.reason.clone());
            s.cash = core.ledger.cash;
            s.positions = core.ledger.positions.clone();
            s.live_orders = core.orders.live().count();
        }
        s
    }
}

impl Handler<crate::actors::messages::GetControlStatus> for OrderExecutor {
    type Result = crate::actors::messages::ControlStatus;

    fn handle(&mut self, _: crate::actors::messages::GetControlStatus, _: &mut Self::Context) -> Self::Result {
        let reason = self.with_core(|c| c.risk.halted(now_ms()).map(|h| h.reason.clone())).flatten();
        crate::actors::messages::ControlStatus { halted: reason.is_some(), reason, dry_run: self.opts.dry_run }
    }
}

impl Handler<crate::actors::messages::GetTradingSummary> for OrderExecutor {
    type Result = ResponseActFuture<Self, crate::actors::messages::TradingSummary>;

    fn handle(&mut self, _: crate::actors::messages::GetTradingSummary, ctx: &mut Self::Context) -> Self::Result {
        let summary = self.summary(ctx);
        Box::pin(self.sender.send(crate::actors::order_sender::GetWireLatency).into_actor(self).map(
            move |wire, _, _| {
                let wire = wire.unwrap_or_default();
                crate::actors::messages::TradingSummary {
                    wire_p50_us: wire.p50_us,
                    wire_p99_us: wire.p99_us,
                    round_trip_p50_us: wire.rtt_p50_us,
                    round_trip_p99_us: wire.rtt_p99_us,
                    ..summary
                }
            },
        ))
    }
}

impl OrderExecutor {
    fn summary(&mut self, ctx: &mut Context<Self>) -> crate::actors::messages::TradingSummary {
        let s = <Self as Handler<GetExecutorStats>>::handle(self, GetExecutorStats, ctx);
        let to_strings = |m: &BTreeMap<&'static str, u64>| m.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
        crate::actors::messages::TradingSummary {
            ready: s.ready,
            dry_run: s.dry_run,
            halted: s.halted,
            cash: s.cash,
            positions: s
                .positions
                .iter()
                .map(|(m, p)| {
                    let summary = crate::actors::messages::PositionSummary {
                        position: p.position,
                        cost: p.exposure,
                        realized_pnl: p.realized_pnl,
                        fees: p.fees_paid,
                    };
                    (m.clone(), summary)
                })
                .collect(),
            live_orders: s.live_orders,
            actions: s.actions,
            requests: s.requests,
            creates: s.creates,
            fills: s.fills,
            discrepancies: s.discrepancies,
            last_discrepancy: s.last_discrepancy,
            reconciliations: s.reconciliations,
            skipped: to_strings(&s.skipped),
            risk_rejections: to_strings(&s.risk_rejections),
            decision_p50_us: s.decision_p50_us,
            decision_p99_us: s.decision_p99_us,
            decision_p999_us: s.decision_p999_us,
            processing_p50_us: s.processing_p50_us,
            processing_p99_us: s.processing_p99_us,
            wire_p50_us: None,
            wire_p99_us: None,
            round_trip_p50_us: None,
            round_trip_p99_us: None,
        }
    }
}

/// Connects the executor's outputs once the pipeline (the Persister) exists.
#[derive(Message)]
#[rtype(result = "()")]
pub struct ConnectExecutorOutputs(pub ExecutorOutputs);

impl Handler<ConnectExecutorOutputs> for OrderExecutor {
    type Result = ();

    fn handle(&mut self, msg: ConnectExecutorOutputs, _: &mut Self::Context) {
        self.outputs = msg.0;
        self.publish_portfolio();
    }
}

/// Runs a reconciliation now (tests, and the end of a session).
#[derive(Message)]
#[rtype(result = "()")]
pub struct ReconcileNow;

impl Handler<ReconcileNow> for OrderExecutor {
    type Result = ();

    fn handle(&mut self, _: ReconcileNow, ctx: &mut Self::Context) {
        self.reconcile(ctx);
    }
}

impl Handler<HaltTrading> for OrderExecutor {
    type Result = ();

    fn handle(&mut self, msg: HaltTrading, _: &mut Self::Context) {
        warn!(reason = %msg.reason, "trading halted; cancelling every resting order");
        let Some(step) = self.with_core(|core| core.halt(&msg.reason, now_ms())) else { return };
        self.apply(step);
    }
}

impl Handler<ResumeTrading> for OrderExecutor {
    type Result = ();

    fn handle(&mut self, _: ResumeTrading, _: &mut Self::Context) {
        info!("trading resumed");
        let Some(step) = self.with_core(|core| core.resume(now_ms())) else { return };
        self.apply(step);
    }
}
