//! Flow tests: determinism, book shape, fair-value bounds, trade and event rates, and
//! robustness to engine refusals.

#![allow(clippy::unwrap_used)]

use super::*;
use crate::sim::catalog::{default_markets, CatalogConfig};
use crate::sim::engine::EngineConfig;

const T0: i64 = 1_795_183_200_000;

/// Eight `linear_cent` markets (plus the sub-cent one when `sub_cent`), registered, with
/// the flow's accounts opened.
fn setup(seed: u64, sub_cent: bool) -> (Engine, Flow, Vec<String>) {
    let markets = default_markets(&CatalogConfig { include_sub_cent: sub_cent, ..Default::default() });
    let mut engine = Engine::new(EngineConfig::default());
    for m in &markets {
        engine.add_market(m.spec.clone()).unwrap();
    }
    let flow = Flow::new(FlowConfig { seed, ..Default::default() }, &markets);
    flow.open_accounts(&mut engine);
    (engine, flow, markets.iter().map(|m| m.spec.ticker.clone()).collect())
}

fn run(flow: &mut Flow, engine: &mut Engine, steps: i64) -> Vec<Vec<EngineEvent>> {
    (0..steps).map(|i| flow.step(engine, T0 + i * 100)).collect()
}

#[test]
fn same_seed_same_events_other_seed_differs() {
    let (mut e1, mut f1, _) = setup(11, true);
    let (mut e2, mut f2, _) = setup(11, true);
    let (mut e3, mut f3, _) = setup(12, true);
    let a = run(&mut f1, &mut e1, 200);
    let b = run(&mut f2, &mut e2, 200);
    let c = run(&mut f3, &mut e3, 200);
    assert!(a.iter().map(Vec::len).sum::<usize>() > 1000);
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn books_stay_two_sided_uncrossed_and_on_grid() {
    let (mut engine, mut flow, tickers) = setup(3, true);
    let sub = tickers.last().unwrap();
    let mut sub_cent_levels = 0;
    for i in 0..300 {
        flow.step(&mut engine, T0 + i * 100);
        for t in &tickers {
            let (bid, ask) = (engine.best_yes_bid(t), engine.best_yes_ask(t));
            let (Some((b, _)), Some((a, _))) = (bid, ask) else { panic!("{t} one-sided at step {i}") };
            assert!(b < a, "{t} crossed at step {i}: {b} >= {a}");
            let fair = flow.fair_value(t).unwrap();
            assert!(b <= fair && fair <= a, "{t}: fair {fair} outside {b}..{a} at step {i}");
        }
        let levels = engine.levels(sub, crate::domain::Outcome::Yes);
        sub_cent_levels += levels.iter().filter(|(p, _)| p.centicents() % 100 != 0).count();
    }
    // The sub-cent market starts at 12¢ and its bids reach the $0.001 band below 10¢.
    assert!(sub_cent_levels > 0);
}

#[test]
fn fair_value_stays_inside_bounds_under_wild_settings() {
    let markets = default_markets(&CatalogConfig::default());
    let mut engine = Engine::new(EngineConfig::default());
    for m in &markets {
        engine.add_market(m.spec.clone()).unwrap();
    }
    let config = FlowConfig { volatility_cc: 400.0, jump_prob: 0.3, ..Default::default() };
    let mut flow = Flow::new(config, &markets);
    flow.open_accounts(&mut engine);
    let (mut low, mut high) = (false, false);
    for i in 0..400 {
        flow.step(&mut engine, T0 + i * 100);
        for m in &markets {
            let f = flow.fair_value(&m.spec.ticker).unwrap().centicents();
            assert!(f > 200 && f < 9800, "fair {f}");
            low |= f < 300;
            high |= f > 9700;
            if let (Some((b, _)), Some((a, _))) =
                (engine.best_yes_bid(&m.spec.ticker), engine.best_yes_ask(&m.spec.ticker))
            {
                assert!(b < a, "crossed");
            }
        }
    }
    assert!(low && high, "the walk should reach both clamps");
}

#[test]
fn trade_and_event_rates_are_plausible() {
    let (mut engine, mut flow, tickers) = setup(5, false);
    let steps = run(&mut flow, &mut engine, 100);
    let market_steps = (100 * tickers.len()) as f64;
    let all: Vec<&EngineEvent> = steps.iter().flatten().collect();
    let trades = all.iter().filter(|e| matches!(e, EngineEvent::Trade(_))).count();
    let deltas = all.iter().filter(|e| matches!(e, EngineEvent::Book(_))).count();
    // Skip the first step (every book is built from nothing).
    let later: usize = steps[1..].iter().map(Vec::len).sum();
    let later_deltas = steps[1..].iter().flatten().filter(|e| matches!(e, EngineEvent::Book(_))).count();
    let per = |n: usize| n as f64 / (99.0 * tickers.len() as f64);
    let busiest = steps[1..].iter().map(Vec::len).max().unwrap_or(0);
    eprintln!(
        "{} markets x 100 steps: {trades} trades ({:.3}/market-step), {deltas} book deltas, \
         after step 1: {:.2} events and {:.2} book deltas per market-step, busiest step {busiest} events",
        tickers.len(),
        trades as f64 / market_steps,
        per(later),
        per(later_deltas),
    );
    assert!(trades >= 20, "too few trades: {trades}");
    assert!((trades as f64) < market_steps / 2.0, "too many trades: {trades}");
    assert!(per(later_deltas) > 0.3 && per(later_deltas) < 6.0, "deltas per market-step {}", per(later_deltas));
    assert!(per(later) < 20.0, "events per market-step {}", per(later));
}

#[test]
fn a_still_market_is_quiet_after_its_first_ladder() {
    let markets = default_markets(&CatalogConfig::default());
    let mut engine = Engine::new(EngineConfig::default());
    for m in &markets {
        engine.add_market(m.spec.clone()).unwrap();
    }
    let still = FlowConfig {
        volatility_cc: 0.0,
        jump_prob: 0.0,
        taker_rate_per_s: 0.0,
        resize_prob: 0.0,
        ..Default::default()
    };
    let mut flow = Flow::new(still, &markets);
    flow.open_accounts(&mut engine);
    let steps = run(&mut flow, &mut engine, 20);
    let deltas = steps[0].iter().filter(|e| matches!(e, EngineEvent::Book(_))).count();
    assert_eq!(deltas, 6 * markets.len(), "three levels a side per market");
    assert!(steps[1..].iter().all(Vec::is_empty), "nothing changed, nothing sent");
    // Moving the fair value by one tick shifts each side by one level: four deltas.
    flow.markets[0].fair += 100.0;
    let moved = flow.step(&mut engine, T0 + 5_000);
    assert_eq!(moved.iter().filter(|e| matches!(e, EngineEvent::Book(_))).count(), 4, "{moved:?}");
}

#[test]
fn refusals_are_skipped_and_inactive_markets_left_alone() {
    let markets = default_markets(&CatalogConfig::default());
    let mut engine = Engine::new(EngineConfig::default());
    for m in &markets {
        engine.add_market(m.spec.clone()).unwrap();
    }
    let mut flow = Flow::new(FlowConfig::default(), &markets);
    for user in flow.accounts() {
        engine.open_account(&user, Money::from_cents(1));
    }
    let events: Vec<EngineEvent> = run(&mut flow, &mut engine, 50).into_iter().flatten().collect();
    assert!(events.is_empty(), "nobody can pay for anything: {:?}", events.first());

    let (mut engine, mut flow, tickers) = setup(9, true);
    engine.set_market_status(&tickers[0], MarketStatus::Inactive, T0).unwrap();
    let events: Vec<EngineEvent> = run(&mut flow, &mut engine, 50).into_iter().flatten().collect();
    assert!(events.iter().all(|e| e.ticker() != tickers[0]));
    assert!(events.iter().any(|e| e.ticker() == tickers[1]));
    // Reactivation cancels the resting orders; the maker notices and quotes again.
    engine.set_market_status(&tickers[1], MarketStatus::Inactive, T0).unwrap();
    engine.set_market_status(&tickers[1], MarketStatus::Active, T0).unwrap();
    assert_eq!(engine.best_yes_bid(&tickers[1]), None);
    flow.step(&mut engine, T0 + 10_000);
    assert!(engine.best_yes_bid(&tickers[1]).is_some() && engine.best_yes_ask(&tickers[1]).is_some());
}

#[test]
fn accounts_and_grid() {
    let (_, flow, tickers) = setup(1, true);
    let accounts = flow.accounts();
    assert_eq!(accounts.len(), tickers.len() + 1);
    assert_eq!(accounts[0], "mm-1");
    assert_eq!(accounts.last().unwrap(), TAKER_ACCOUNT);
    let tapered = vec![
        PriceRange { start: Price::ZERO, end: "0.1".parse().unwrap(), step: "0.001".parse().unwrap() },
        PriceRange { start: "0.1".parse().unwrap(), end: "0.9".parse().unwrap(), step: "0.01".parse().unwrap() },
        PriceRange { start: "0.9".parse().unwrap(), end: Price::ONE, step: "0.001".parse().unwrap() },
    ];
    let g = grid_prices(&tapered);
    assert_eq!(g.len(), 99 + 81 + 99);
    assert_eq!(
        (g[0].format(), g[98].format(), g[99].format(), g[100].format()),
        ("0.0010".into(), "0.0990".into(), "0.1000".into(), "0.1100".into())
    );
}
