//! The executor's start: load the exchange's limits, resting orders, positions, balance and
//! recent fills (cancelling what a previous run left resting when `executor.cancel_on_start`),
//! retrying every 2 s until it can, then build the core and start trading.

use std::time::Duration;

use actix::prelude::*;
use tracing::{error, info};

use super::super::order_sender::{CancelAllNow, FetchExchange, FetchLimits};
use super::OrderExecutor;
use crate::domain::position::PositionState;
use crate::executor::reconcile::ExchangeView;
use crate::executor::risk::RiskState;
use crate::executor::ExecutorCore;
use crate::kalshi::sign::now_ms;

impl OrderExecutor {
    pub(super) fn start_up(&mut self, ctx: &mut Context<Self>) {
        let (sender, cancel) = (self.reader.clone(), self.opts.cancel_on_start);
        // Recent fills are read too, to be marked as counted: the positions and balance
        // loaded here already include them (a previous run may have died a moment ago).
        let since = now_ms() / 1000 - 120;
        async move {
            let limits = sender.send(FetchLimits).await.map_err(|e| e.to_string())??;
            let mut view = sender
                .send(FetchExchange { markets: Vec::new(), since_s: since })
                .await
                .map_err(|e| e.to_string())??;
            if cancel && !view.orders.is_empty() {
                info!(orders = view.orders.len(), "cancelling orders a previous run left resting");
                sender.send(CancelAllNow).await.map_err(|e| e.to_string())??;
                view = sender
                    .send(FetchExchange { markets: Vec::new(), since_s: since })
                    .await
                    .map_err(|e| e.to_string())??;
            }
            Ok::<_, String>((limits, view))
        }
        .into_actor(self)
        .map(|res, act, ctx| match res {
            Ok(((rate, capacity), view)) => {
                act.init(rate, capacity, &view);
                if act.gate.holding() {
                    // The fill channel opened while loading: read back now, then release.
                    act.reconcile(ctx);
                }
            }
            Err(e) => {
                error!(error = %e, "cannot load the exchange state; retrying in 2 s");
                ctx.run_later(Duration::from_secs(2), |act, ctx| act.start_up(ctx));
            }
        })
        .wait(ctx);
    }

    fn init(&mut self, rate: f64, capacity: f64, view: &ExchangeView) {
        let (rate, capacity) = (crate::executor::risk::live_rate(rate), crate::executor::risk::live_capacity(capacity));
        let risk = RiskState::new(self.opts.risk.clone(), rate, capacity, now_ms());
        let mut core = ExecutorCore::new(self.opts.settings.clone(), self.opts.grids.clone(), risk, view.balance);
        let counted =
            view.fills.iter().map(|f| if f.trade_id.is_empty() { f.fill_id.as_str() } else { f.trade_id.as_str() });
        core.ledger.mark_seen(counted);
        self.last_reconcile_s = now_ms() / 1000;
        for p in &view.positions {
            core.ledger.positions.insert(
                p.ticker.clone(),
                PositionState {
                    position: p.position_fp,
                    exposure: p.market_exposure_dollars,
                    realized_pnl: p.realized_pnl_dollars,
                    fees_paid: p.fees_paid_dollars,
                    ..PositionState::default()
                },
            );
        }
        // Resting orders left in place (cancel_on_start = false) are adopted.
        let adopt = ExchangeView { orders: view.orders.clone(), ..ExchangeView::default() };
        for o in &adopt.orders {
            core.orders.insert(crate::executor::state::TrackedOrder {
                client_order_id: if o.client_order_id.is_empty() {
                    o.order_id.clone()
                } else {
                    o.client_order_id.clone()
                },
                order_id: Some(o.order_id.clone()),
                market: o.ticker.clone(),
                side: o.book_side,
                price: o.yes_price_dollars,
                filled: o.fill_count_fp,
                remaining: o.remaining_count_fp,
                state: crate::executor::state::OrderState::Resting,
                placed_ms: now_ms(),
                sent_ms: now_ms(),
            });
        }
        info!(cash = %view.balance.format(), positions = view.positions.len(), resting = view.orders.len(), rate, "executor ready: trading");
        *self.core.borrow_mut() = Some(core);
        self.stats.ready = true;
        self.publish_portfolio();
    }
}
