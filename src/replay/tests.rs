//! The replay engine: the live throttle and skip rules on record time, the executor's orders
//! against the fill model, accounting to the micro-dollar, and determinism.

#![allow(clippy::unwrap_used)]

use super::*;
use crate::config::{Pricing, RiskConfig, SellSemantics};
use crate::domain::{Count, Price};
use crate::executor::intent::{BUY_YES as BUY_YES_INDEX, HOLD as HOLD_INDEX};

pub(crate) fn settings(throttle_ms: u64) -> ReplaySettings {
    ReplaySettings {
        tz: chrono_tz::America::New_York,
        targets: Targets::All,
        throttle_ms,
        order_mode: OrderMode::Zeros,
        executor: ExecutorSettings {
            size: Count::contracts(10),
            pricing: Pricing::Aggressive,
            sell: SellSemantics::Open,
            coid_prefix: "replay".into(),
            inflight_timeout_ms: 30_000,
        },
        risk: RiskConfig::default(),
        rate: (10.0, 20.0),
        starting_cash: Money::from_cents(100_000),
        fees: FeeSchedule::default(),
    }
}

/// Runs `records` with `policy(obs) → action`; the report and the step rows.
fn run(records: &[BookRecord], s: ReplaySettings, policy: impl Fn(&Pending) -> usize) -> (Report, Vec<StepRow>) {
    let mut r = Replay::new(records.into(), s);
    let mut rows = Vec::new();
    while let Some(p) = r.next_decision() {
        let a = policy(p);
        let p = p.clone();
        let acted = r.act(a).unwrap();
        rows.push(r.row(&p, &acted, [0.2; 5]));
    }
    (r.report("test"), rows)
}

#[test]
fn hold_only_trades_nothing_and_keeps_its_cash() {
    let recs = synthetic::rising("M", 40, 60, 200, 1_000_000, 50);
    let (rep, rows) = run(&recs, settings(0), |_| HOLD_INDEX);
    assert_eq!(rep.updates, 200);
    // The first update has no history (warming up); every later one is a decision.
    assert_eq!(rep.decisions, 199, "{:?}", rep.not_evaluated);
    assert_eq!(rep.not_evaluated.get("warming_up"), Some(&1));
    assert_eq!((rep.trades, rep.requests, rep.pnl_cents, rep.max_drawdown_cents), (0, 0, 0.0, 0.0));
    assert_eq!(rep.actions["HOLD"], 199);
    assert_eq!(rep.cash, Money::from_cents(100_000));
    assert!(rows.iter().all(|r| r.skipped == Some("hold")));
}

#[test]
fn buying_a_rising_market_pays_and_the_accounts_add_up_to_the_micro_dollar() {
    let recs = synthetic::rising("M", 40, 60, 200, 1_000_000, 50);
    let (rep, rows) = run(&recs, settings(0), |_| BUY_YES_INDEX);
    // Aggressive buys cross the ask at mid + 1 until the position limit (100) stops them.
    assert_eq!(rep.markets["M"].position, Count::contracts(100));
    assert_eq!(rep.trades, 10);
    assert!(rep.skipped["max_position"] > 0);
    // Each buy crossed the ask in view (obs[1], dollars) for 10 contracts at the taker fee.
    let bought: Vec<&StepRow> = rows.iter().filter(|r| r.skipped.is_none()).collect();
    assert_eq!(bought.len(), 10);
    let (mut cost, mut fees) = (Money::ZERO, Money::ZERO);
    for r in &bought {
        let ask = Price::from_cents((r.obs[1] * 100.0).round() as u16).unwrap();
        cost = cost + crate::executor::order_cost(crate::domain::BookSide::Bid, ask, Count::contracts(10));
        fees = fees + fill::fee_of(FeeSchedule::default(), true, Count::contracts(10), ask);
    }
    assert_eq!(rep.fees, fees);
    assert_eq!(rep.markets["M"].cost, cost);
    assert_eq!(rep.cash, Money::from_cents(100_000) - cost - fees, "to the micro-dollar");
    // The value marks the 100 contracts at the final mid (60¢).
    let last = rows.last().unwrap();
    assert_eq!(last.value_cents, last.cash_cents + 100.0 * 60.0);
    assert!(rep.pnl_cents > 0.0, "bought low, marked higher: {}", rep.pnl_cents);
    assert_eq!(rep.actions["BUY_YES"], rep.decisions);
    assert!(rep.max_exposure >= Money::from_cents(4_000));
}

#[test]
fn the_throttle_runs_on_record_time() {
    // 400 updates 10 ms apart (4 s) with a 200 ms throttle: one decision per window.
    let recs = synthetic::rising("M", 40, 41, 400, 5_000, 10);
    let (rep, _) = run(&recs, settings(200), |_| HOLD_INDEX);
    assert!((20..=22).contains(&rep.decisions), "{}", rep.decisions);
    let (unthrottled, _) = run(&recs, settings(0), |_| HOLD_INDEX);
    assert_eq!(unthrottled.decisions, 399);
}

#[test]
fn only_target_markets_are_traded() {
    let mut recs = synthetic::rising("A", 40, 50, 100, 0, 20);
    recs.extend(synthetic::rising("B", 40, 50, 100, 1, 20));
    recs.sort_by_key(BookRecord::recv_ms);
    let mut s = settings(0);
    s.targets = Targets::Listed(["B".to_owned()].into());
    let (rep, rows) = run(&recs, s, |_| BUY_YES_INDEX);
    assert!(rows.iter().all(|r| r.market == "B"));
    assert!(rep.markets.keys().all(|m| m == "B") && !rep.markets.is_empty());
}

#[test]
fn the_same_input_gives_the_same_report() {
    let mut recs = synthetic::path("M", &[50, 51, 49, 52, 48, 53, 47, 55, 45, 56, 50, 60, 40, 58], 0, 100);
    recs.extend(synthetic::rising("N", 30, 70, 50, 5, 37));
    recs.sort_by_key(BookRecord::recv_ms);
    let alternate = |p: &Pending| (p.seq as usize) % 5;
    let (a, rows_a) = run(&recs, settings(0), alternate);
    let (b, rows_b) = run(&recs, settings(0), alternate);
    assert_eq!(a, b);
    assert_eq!(rows_a, rows_b);
    assert!(a.trades > 0 && a.requests > 0, "{a:?}");
}
