//! Deterministic synthetic order flow: what makes the simulated markets move.
//!
//! Every market has a latent fair value (a random walk in centi-cents with rare jumps,
//! clamped inside (2¢, 98¢)), one market maker (`mm-<n>`) keeping `mm_levels` bid and ask
//! levels around it, and a shared noise-taker account sending IOC orders across the spread
//! at a Poisson rate, sometimes in bursts. The maker only touches levels that changed
//! (amending stale quotes to new prices, topping up filled ones, now and then resizing
//! one), so a step yields a handful of book deltas, not a rebuild.
//!
//! Determinism: all randomness comes from one seeded [`StdRng`] and time only from the
//! `now_ms` passed in; markets are walked in catalog order. The same seed and the same calls
//! on engines in the same state produce identical events.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

mod agent;
#[cfg(test)]
mod tests;

use agent::MarketFlow;

use super::catalog::CatalogMarket;
use super::engine::{Engine, EngineEvent};
use crate::domain::{Count, Money, Price};
use crate::kalshi::rest::{MarketStatus, PriceRange};

/// The shared account of the noise takers.
pub const TAKER_ACCOUNT: &str = "noise-takers";
/// Cash [`Flow::accounts`] asks for: $10 000 000, so no agent runs out during a session.
pub const AGENT_CASH: Money = Money::from_cents(1_000_000_000);
/// Fair values stay strictly inside (2¢, 98¢), in centi-cents.
const FAIR_BOUNDS: (f64, f64) = (201.0, 9799.0);

/// Shape of the synthetic flow (config section `sim.flow`). The defaults give each market a
/// few book updates per second at 10 steps per second, with taker bursts and rare jumps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FlowConfig {
    /// RNG seed (default 7).
    pub seed: u64,
    /// Logical time of one step, ms (default 100).
    pub step_ms: u64,
    /// Quoted levels per side (default 3).
    pub mm_levels: usize,
    /// Base size per level; deeper levels are larger, all jittered ±40% (default 25).
    pub mm_size: Count,
    /// Poisson rate of taker orders per market per second (default 1.0).
    pub taker_rate_per_s: f64,
    /// Chance that a step with taker flow becomes a burst of 2–5 more orders (default 0.1).
    pub burst_prob: f64,
    /// Chance per market per step of a 3¢–10¢ jump of the fair value (default 0.002).
    pub jump_prob: f64,
    /// Standard deviation of the fair value's step, centi-cents (default 5: about 1¢ a
    /// minute, 10¢ an hour).
    pub volatility_cc: f64,
    /// Expected level resizes per market per step: the whole part always, the fraction by
    /// chance (default 0.1: one resize in ten steps). `bench` raises it to set the load.
    pub resize_prob: f64,
}

impl Default for FlowConfig {
    fn default() -> FlowConfig {
        FlowConfig {
            seed: 7,
            step_ms: 100,
            mm_levels: 3,
            mm_size: Count::contracts(25),
            taker_rate_per_s: 1.0,
            burst_prob: 0.1,
            jump_prob: 0.002,
            volatility_cc: 5.0,
            resize_prob: 0.1,
        }
    }
}

/// The synthetic flow over a set of markets.
#[derive(Debug, Clone)]
pub struct Flow {
    config: FlowConfig,
    rng: StdRng,
    markets: Vec<MarketFlow>,
}

impl Flow {
    /// A flow over `markets` (in that order), starting at their initial fair values.
    pub fn new(config: FlowConfig, markets: &[CatalogMarket]) -> Flow {
        let mut rng = StdRng::seed_from_u64(config.seed);
        let markets = markets
            .iter()
            .enumerate()
            .map(|(i, m)| MarketFlow {
                ticker: m.spec.ticker.clone(),
                maker: format!("mm-{}", i + 1),
                grid: grid_prices(&m.spec.price_ranges),
                fair: f64::from(m.initial_fair.centicents()).clamp(FAIR_BOUNDS.0, FAIR_BOUNDS.1),
                half_spread: rng.gen_range(1..=3),
                quotes: Vec::new(),
            })
            .collect();
        Flow { config, rng, markets }
    }

    /// The settings.
    pub fn config(&self) -> &FlowConfig {
        &self.config
    }

    /// Accounts the flow trades from: one maker per market (`mm-1`, `mm-2`, … in catalog
    /// order), then [`TAKER_ACCOUNT`]. Open them with ample cash (e.g. [`AGENT_CASH`])
    /// before the first step, or the engine opens them with its default starting cash.
    pub fn accounts(&self) -> Vec<String> {
        let makers = self.markets.iter().map(|m| m.maker.clone());
        makers.chain(std::iter::once(TAKER_ACCOUNT.to_owned())).collect()
    }

    /// Opens every account of [`Flow::accounts`] that does not exist yet with
    /// [`AGENT_CASH`].
    pub fn open_accounts(&self, engine: &mut Engine) {
        for user in self.accounts() {
            engine.open_account(&user, AGENT_CASH);
        }
    }

    /// The current fair value of `ticker`, rounded to a centi-cent.
    pub fn fair_value(&self, ticker: &str) -> Option<Price> {
        let m = self.markets.iter().find(|m| m.ticker == ticker)?;
        Price::from_centicents(m.fair.round() as i64).ok()
    }

    /// Advances every active market by one step at `now_ms` and returns the engine's events
    /// in order. Per market: the fair value moves, takers hit the book left by the previous
    /// step, then the maker re-quotes, so every step ends with a full ladder. Engine
    /// refusals (closed market, insufficient balance, …) skip the action.
    pub fn step(&mut self, engine: &mut Engine, now_ms: i64) -> Vec<EngineEvent> {
        let mut events = Vec::new();
        let Flow { config, rng, markets } = self;
        for m in markets.iter_mut() {
            if engine.market_status(&m.ticker) != Some(MarketStatus::Active) {
                continue;
            }
            m.move_fair(config, rng);
            m.take(config, rng, engine, now_ms, &mut events);
            m.requote(config, rng, engine, now_ms, &mut events);
            m.resize(config, rng, engine, now_ms, &mut events);
        }
        events
    }
}

/// Every tradable price (strictly inside (0, 1)) of a grid, ascending.
fn grid_prices(ranges: &[PriceRange]) -> Vec<Price> {
    let mut cc: Vec<u16> = ranges
        .iter()
        .filter(|r| r.step.centicents() > 0)
        .flat_map(|r| (r.start.centicents()..=r.end.centicents()).step_by(usize::from(r.step.centicents())))
        .filter(|&p| p > 0 && p < 10_000)
        .collect();
    cc.sort_unstable();
    cc.dedup();
    cc.into_iter().filter_map(|p| Price::from_centicents(i64::from(p)).ok()).collect()
}

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = rng.gen::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A Poisson draw with mean `lambda` (Knuth; capped at 50).
fn poisson(rng: &mut StdRng, lambda: f64) -> u32 {
    if lambda.is_nan() || lambda <= 0.0 {
        return 0;
    }
    let limit = (-lambda).exp();
    let (mut k, mut p) = (0, rng.gen::<f64>());
    while p > limit && k < 50 {
        k += 1;
        p *= rng.gen::<f64>();
    }
    k
}

/// True with probability `p` (anything outside [0, 1], NaN included, saturates).
fn chance(rng: &mut StdRng, p: f64) -> bool {
    rng.gen::<f64>() < p
}

fn count(h: i64) -> Count {
    Count::from_hundredths(h.max(1)).unwrap_or(Count::ZERO)
}
