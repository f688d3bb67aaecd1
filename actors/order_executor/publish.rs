//! Where the executor's events go: order and risk events to their listeners, everything
//! to the Persister as actor-table records, and the portfolio (YES-mid valuation) to the
//! Observer.

use tracing::warn;

use super::OrderExecutor;
use crate::actors::messages::PortfolioChanged;
use crate::executor::intent::Touch;
use crate::executor::state::FillIn;
use crate::executor::ExecEvent;

impl OrderExecutor {
    /// Our live orders on `market`, for the Observer's order features.
    pub(super) fn publish_resting(&self, market: &str) {
        let core = self.core.borrow();
        let (Some(core), Some(out)) = (core.as_ref(), &self.outputs.resting) else { return };
        let orders = core
            .orders
            .live_in(market)
            .into_iter()
            .map(|o| crate::features::portfolio::RestingOrder {
                is_buy: o.side == crate::domain::BookSide::Bid,
                limit_cents: o.price.cents_f64(),
                placed_ms: o.placed_ms,
            })
            .collect();
        out.do_send(crate::actors::messages::RestingOrdersChanged { market: market.to_owned(), orders });
    }

    pub(super) fn publish(&mut self, e: ExecEvent, portfolio: &mut bool) {
        use crate::storage::ActorRecord;
        let record = match e {
            ExecEvent::Order(o) => {
                for r in &self.outputs.orders {
                    r.do_send(o.clone());
                }
                ActorRecord::Order(o)
            }
            ExecEvent::Risk(r) => {
                // A blocked order is counted (and stored); halts, resumes and discrepancies are logged.
                if r.halted || r.kind == "resume" || r.kind == "discrepancy" {
                    warn!(kind = %r.kind, market = r.market.as_deref().unwrap_or(""), detail = %r.detail, halted = r.halted, "risk event");
                } else {
                    tracing::debug!(kind = %r.kind, market = r.market.as_deref().unwrap_or(""), "order blocked by a risk limit");
                }
                for o in &self.outputs.risk {
                    o.do_send(r.clone());
                }
                ActorRecord::Risk(r)
            }
            ExecEvent::Position(p) => {
                *portfolio = true;
                for o in &self.outputs.positions {
                    o.do_send(p.clone());
                }
                ActorRecord::Position(p)
            }
            ExecEvent::Fill(f) => {
                self.stats.fills += 1;
                let row = fill_row(&f);
                for o in &self.outputs.fills {
                    o.do_send(crate::actors::messages::FillRecorded { fill: row.clone() });
                }
                ActorRecord::Fill(row)
            }
        };
        if let Some(p) = &self.outputs.persist {
            p.do_send(crate::actors::persister::PersistActorRecord { record });
        }
    }

    /// Cash and positions, valued at the YES mid (NO at 100 − mid; 50 without a mid).
    pub(super) fn publish_portfolio(&self) {
        if self.opts.dry_run {
            // Nothing is ever bought: the observer keeps its flat starting portfolio.
            return;
        }
        let core = self.core.borrow();
        let Some(core) = core.as_ref() else { return };
        if self.outputs.portfolio.is_empty() {
            return;
        }
        let p = core.ledger.portfolio(|m| self.touches.get(m).and_then(Touch::mid_cents));
        let changed = PortfolioChanged {
            cash_cents: p.cash_cents,
            value_cents: p.value_cents.unwrap_or(p.cash_cents),
            positions: p.positions,
        };
        for out in &self.outputs.portfolio {
            out.do_send(changed.clone());
        }
    }
}

/// The stored form of a fill.
pub fn fill_row(f: &FillIn) -> crate::storage::FillRow {
    crate::storage::FillRow {
        trade_id: f.trade_id.clone(),
        order_id: f.order_id.clone(),
        client_order_id: f.client_order_id.clone(),
        market: f.market.clone(),
        side: f.side,
        price: f.price,
        count: f.count,
        fee: f.fee,
        is_taker: f.is_taker,
        post_position: f.post_position.unwrap_or_default(),
        ts_ms: f.ts_ms,
    }
}
