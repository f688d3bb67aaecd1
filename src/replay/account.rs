//! The replay's account side: a step's requests sent to the fill model and the answers and
//! fills fed back to the executor, and the portfolio as the live executor values it (cash
//! plus positions at the YES mid) and publishes it to the observer.

use std::collections::VecDeque;

use super::Replay;
use crate::domain::Money;
use crate::executor::intent::Touch;
use crate::executor::{ExecEvent, Request, Step};

impl Replay {
    /// Sends a step's requests to the fill model and its answers back, until nothing is left.
    pub(super) fn absorb(&mut self, step: Step) {
        let mut work: VecDeque<Step> = VecDeque::from([step]);
        let mut changed = false;
        while let Some(step) = work.pop_front() {
            for e in &step.events {
                if let ExecEvent::Fill(f) = e {
                    self.tally.trades += 1;
                    self.tally.contracts += f.count.hundredths();
                    self.tally.fees = self.tally.fees + f.fee;
                    changed = true;
                }
            }
            for r in step.requests {
                self.tally.requests += u64::from(!matches!(r, Request::CancelAll));
                let now = self.now;
                match r {
                    Request::Create { coid, body } => {
                        let (fills, answer) = self.fills.create(&body, self.core.book(&body.ticker), now);
                        for f in fills {
                            work.push_back(self.exec.on_fill(f, now));
                        }
                        work.push_back(self.exec.on_created(&coid, Ok(answer), now));
                    }
                    Request::Amend { coid, order_id, body } => {
                        match self.fills.amend(&order_id, &body, self.core.book(&body.ticker), now) {
                            Ok((fills, answer)) => {
                                for f in fills {
                                    work.push_back(self.exec.on_fill(f, now));
                                }
                                work.push_back(self.exec.on_amended(&coid, body.price, Ok(answer), now));
                            }
                            Err(e) => work.push_back(self.exec.on_amended(&coid, body.price, Err(e), now)),
                        }
                    }
                    Request::Cancel { coid, order_id, .. } => {
                        let answer = self.fills.cancel(&order_id, now);
                        work.push_back(self.exec.on_canceled(&coid, answer, now));
                    }
                    Request::CancelAll => {
                        self.fills.cancel_all();
                        work.push_back(self.exec.on_canceled_all(now));
                    }
                }
            }
        }
        if changed {
            self.refresh_portfolio();
        }
    }

    fn mid_cents(&self, market: &str) -> Option<f64> {
        let (bid, ask) = self.core.state(market).map_or((None, None), |s| s.yes_touch());
        Touch { bid, ask }.mid_cents()
    }

    /// Cash plus positions at the YES mid (NO at 100 − mid; 50 without a mid), cents: the
    /// live executor's valuation ([`crate::executor::state::Ledger::portfolio`]).
    pub fn value_cents(&self) -> f64 {
        self.exec.ledger.portfolio(|m| self.mid_cents(m)).value_cents.unwrap_or_default()
    }

    pub(super) fn exposure(&self) -> Money {
        let resting = self
            .exec
            .orders
            .live()
            .fold(Money::ZERO, |acc, o| acc + crate::executor::order_cost(o.side, o.price, o.remaining));
        self.exec.ledger.exposure() + resting
    }

    /// The portfolio the observations see, as the live executor publishes it after a fill.
    pub(super) fn refresh_portfolio(&mut self) {
        self.portfolio = self.exec.ledger.portfolio(|m| self.mid_cents(m));
    }
}
