//! One market's agents: the market maker's ladder around the fair value (place, amend,
//! cancel, resize) and the noise takers' IOC orders.

use rand::rngs::StdRng;
use rand::Rng;

use super::{chance, count, normal, poisson, FlowConfig, FAIR_BOUNDS, TAKER_ACCOUNT};
use crate::domain::{BookSide, Count, Price};
use crate::kalshi::rest::{
    AmendOrderV2Request, CreateOrderV2Request, DecreaseOrderV2Request, SelfTradePreventionType, TimeInForce,
};
use crate::sim::engine::{Engine, EngineEvent};

/// One resting maker order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Quote {
    order_id: String,
    side: BookSide,
    /// Index into the market's grid.
    tick: usize,
    /// Levels behind the best when placed (deeper levels are larger).
    depth: usize,
    /// Size the maker wants resting.
    target: Count,
}

/// One market's agents.
#[derive(Debug, Clone)]
pub(super) struct MarketFlow {
    pub(super) ticker: String,
    pub(super) maker: String,
    /// Valid order prices, ascending.
    pub(super) grid: Vec<Price>,
    /// Latent fair value, centi-cents.
    pub(super) fair: f64,
    /// Best bid at `floor(fair) − (h−1)` ticks, best ask at `floor(fair) + h`.
    pub(super) half_spread: usize,
    pub(super) quotes: Vec<Quote>,
}

impl MarketFlow {
    pub(super) fn move_fair(&mut self, config: &FlowConfig, rng: &mut StdRng) {
        let mut next = self.fair + normal(rng) * config.volatility_cc;
        if chance(rng, config.jump_prob) {
            let size = rng.gen_range(300.0..1000.0);
            next += if rng.gen::<bool>() { size } else { -size };
        }
        if next.is_finite() {
            self.fair = next.clamp(FAIR_BOUNDS.0, FAIR_BOUNDS.1);
        }
    }

    /// Grid index of the highest price at or below the fair value, or −1.
    fn floor_tick(&self) -> isize {
        self.grid.partition_point(|p| f64::from(p.centicents()) <= self.fair) as isize - 1
    }

    /// The ladder the maker wants: `(side, tick, depth)`, bids best first, then asks.
    fn ladder(&self, levels: usize) -> Vec<(BookSide, usize, usize)> {
        let (fl, h, len) = (self.floor_tick(), self.half_spread as isize, self.grid.len() as isize);
        let bids = (0..levels).map(|k| (BookSide::Bid, fl - (h - 1) - k as isize, k));
        let asks = (0..levels).map(|k| (BookSide::Ask, fl + h + k as isize, k));
        bids.chain(asks).filter(|(_, t, _)| (0..len).contains(t)).map(|(s, t, k)| (s, t as usize, k)).collect()
    }

    /// A jittered size for a level `depth` ticks behind the best.
    fn size(config: &FlowConfig, rng: &mut StdRng, depth: usize) -> Count {
        let base = config.mm_size.hundredths().max(100) as f64 * (1.0 + 0.5 * depth as f64);
        let contracts = (base * rng.gen_range(0.6..1.4) / 100.0).round().max(1.0);
        count(contracts as i64 * 100)
    }

    /// Drops quotes that no longer rest, then moves the ladder: amends stale quotes to the
    /// new levels, cancels the surplus and places what is missing. The side moving away
    /// from the other goes first so the maker never crosses itself.
    pub(super) fn requote(
        &mut self,
        config: &FlowConfig,
        rng: &mut StdRng,
        engine: &mut Engine,
        now_ms: i64,
        events: &mut Vec<EngineEvent>,
    ) {
        let maker = self.maker.clone();
        self.quotes.retain(|q| engine.order(&maker, &q.order_id).is_some_and(|o| o.is_resting()));
        let want = self.ladder(config.mm_levels);
        let old_best = self.quotes.iter().filter(|q| q.side == BookSide::Bid).map(|q| q.tick).max();
        let new_best = want.iter().find(|w| w.0 == BookSide::Bid).map(|w| w.1);
        let up = old_best.zip(new_best).is_none_or(|(o, n)| n >= o);
        let order = if up { [BookSide::Ask, BookSide::Bid] } else { [BookSide::Bid, BookSide::Ask] };
        for side in order {
            let wanted: Vec<(usize, usize)> = want.iter().filter(|w| w.0 == side).map(|w| (w.1, w.2)).collect();
            let (keep, mut stale): (Vec<Quote>, Vec<Quote>) = std::mem::take(&mut self.quotes)
                .into_iter()
                .partition(|q| q.side != side || wanted.iter().any(|w| w.0 == q.tick));
            self.quotes = keep;
            stale.sort_by_key(|q| q.tick);
            let mut missing: Vec<(usize, usize)> =
                wanted.into_iter().filter(|w| !self.quotes.iter().any(|q| q.side == side && q.tick == w.0)).collect();
            missing.sort_unstable();
            let mut missing = missing.into_iter();
            for mut q in stale {
                let Some((tick, depth)) = missing.next() else {
                    if let Ok(out) = engine.cancel_order(&maker, &q.order_id, now_ms) {
                        events.extend(out.events);
                    }
                    continue;
                };
                let target = Self::size(config, rng, depth);
                if self.amend(engine, &q, tick, target, now_ms, events) {
                    (q.tick, q.depth, q.target) = (tick, depth, target);
                    self.quotes.push(q);
                }
            }
            for (tick, depth) in missing {
                let target = Self::size(config, rng, depth);
                let Some(&price) = self.grid.get(tick) else { continue };
                let req = CreateOrderV2Request::new(
                    &self.ticker,
                    side,
                    target,
                    price,
                    TimeInForce::GoodTillCanceled,
                    SelfTradePreventionType::TakerAtCross,
                );
                if let Ok(out) = engine.create_order(&maker, &req, now_ms) {
                    if out.remaining_count.is_positive() {
                        self.quotes.push(Quote { order_id: out.order_id.clone(), side, tick, depth, target });
                    }
                    events.extend(out.events);
                }
            }
        }
    }

    /// Amends `q` to rest `target` at grid `tick`; false when it no longer rests.
    fn amend(
        &self,
        engine: &mut Engine,
        q: &Quote,
        tick: usize,
        target: Count,
        now_ms: i64,
        events: &mut Vec<EngineEvent>,
    ) -> bool {
        let (Some(o), Some(&price)) = (engine.order(&self.maker, &q.order_id), self.grid.get(tick)) else {
            return false;
        };
        let total = count(o.fill_count.hundredths() + target.hundredths());
        let req = AmendOrderV2Request {
            ticker: self.ticker.clone(),
            side: q.side,
            price,
            count: total,
            client_order_id: None,
            updated_client_order_id: None,
            exchange_index: None,
        };
        match engine.amend_order(&self.maker, &q.order_id, &req, now_ms) {
            Ok(out) => {
                let rests = out.remaining_count.is_positive();
                events.extend(out.events);
                rests
            }
            Err(_) => {
                if let Ok(out) = engine.cancel_order(&self.maker, &q.order_id, now_ms) {
                    events.extend(out.events);
                }
                false
            }
        }
    }

    /// Tops up a quote that takers ate below half its target, and now and then resizes one
    /// level (a decrease keeps queue priority, an increase loses it).
    pub(super) fn resize(
        &mut self,
        config: &FlowConfig,
        rng: &mut StdRng,
        engine: &mut Engine,
        now_ms: i64,
        events: &mut Vec<EngineEvent>,
    ) {
        // `resize_prob` is the expected number of resizes per step: its whole part always,
        // its fraction by chance (below 1: one resize with that chance, as it always was).
        let mut picked = vec![false; self.quotes.len()];
        if !self.quotes.is_empty() {
            let p = if config.resize_prob.is_finite() { config.resize_prob.max(0.0) } else { 0.0 };
            let n = p.trunc() as usize + usize::from(chance(rng, p.fract()));
            for _ in 0..n.min(self.quotes.len()) {
                picked[rng.gen_range(0..self.quotes.len())] = true;
            }
        }
        let mut i = 0;
        while i < self.quotes.len() {
            let q = self.quotes[i].clone();
            let remaining = engine.order(&self.maker, &q.order_id).map_or(Count::ZERO, |o| o.remaining_count);
            let pick = picked.get(i).copied().unwrap_or(false);
            let target = if pick { Self::size(config, rng, q.depth) } else { q.target };
            let keep = if target.hundredths() < remaining.hundredths() {
                let req = DecreaseOrderV2Request::reduce_to(target);
                let out = engine.decrease_order(&self.maker, &q.order_id, &req, now_ms);
                out.map(|o| events.extend(o.events)).is_ok()
            } else if (pick && target != remaining) || 2 * remaining.hundredths() < target.hundredths() {
                self.amend(engine, &q, q.tick, target, now_ms, events)
            } else {
                true
            };
            if keep {
                self.quotes[i].target = target;
                i += 1;
            } else {
                self.quotes.remove(i);
            }
        }
    }

    /// Poisson-many IOC orders crossing the spread by 0–2 ticks, random side and size.
    pub(super) fn take(
        &mut self,
        config: &FlowConfig,
        rng: &mut StdRng,
        engine: &mut Engine,
        now_ms: i64,
        events: &mut Vec<EngineEvent>,
    ) {
        let mut n = poisson(rng, config.taker_rate_per_s * config.step_ms as f64 / 1000.0);
        if n > 0 && chance(rng, config.burst_prob) {
            n += rng.gen_range(2..=5);
        }
        for _ in 0..n {
            let side = if rng.gen::<bool>() { BookSide::Bid } else { BookSide::Ask };
            let ticks = rng.gen_range(0..=2usize);
            let max = config.mm_size.hundredths().max(100) * 3 / 2;
            let mut size = rng.gen_range(100..=max) / 100 * 100;
            if chance(rng, 0.1) {
                size += rng.gen_range(1..100);
            }
            let best = match side {
                BookSide::Bid => engine.best_yes_ask(&self.ticker),
                BookSide::Ask => engine.best_yes_bid(&self.ticker),
            };
            let Some(at) = best.and_then(|(p, _)| self.grid.binary_search(&p).ok()) else { continue };
            let tick = match side {
                BookSide::Bid => (at + ticks).min(self.grid.len().saturating_sub(1)),
                BookSide::Ask => at.saturating_sub(ticks),
            };
            let Some(&price) = self.grid.get(tick) else { continue };
            let req = CreateOrderV2Request::new(
                &self.ticker,
                side,
                count(size),
                price,
                TimeInForce::ImmediateOrCancel,
                SelfTradePreventionType::TakerAtCross,
            );
            if let Ok(out) = engine.create_order(TAKER_ACCOUNT, &req, now_ms) {
                events.extend(out.events);
            }
        }
    }
}
