//! Risk limits, checked before every request, and the halt state.
//!
//! Limits (`[risk]`): absolute position per market, total exposure (cost of open positions
//! plus what resting and new buys could cost), resting orders per market, a write-token
//! bucket matched to the exchange's budget (`GET /account/limits`: create and amend cost 10
//! tokens, cancel 2), daily loss (realized + unrealized − fees) → halt, consecutive request
//! errors → halt for a cooldown. Every rejection is counted by reason.

use std::collections::BTreeMap;

use crate::config::RiskConfig;
use crate::domain::{Count, Money};

/// Token costs of write requests (kalshi-api.md §5.12).
pub const CREATE_COST: f64 = 10.0;
/// Amend costs as much as a create.
pub const AMEND_COST: f64 = 10.0;
/// Cancel cost.
pub const CANCEL_COST: f64 = 2.0;

/// A continuously refilled token bucket.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    rate: f64,
    capacity: f64,
    tokens: f64,
    last_ms: i64,
}

impl TokenBucket {
    /// `rate` tokens per second, at most `capacity`, starting full at `now_ms`.
    pub fn new(rate: f64, capacity: f64, now_ms: i64) -> TokenBucket {
        TokenBucket { rate, capacity, tokens: capacity, last_ms: now_ms }
    }

    /// Takes `cost` tokens if there are enough.
    pub fn take(&mut self, cost: f64, now_ms: i64) -> bool {
        let dt = (now_ms - self.last_ms).max(0) as f64 / 1000.0;
        self.tokens = (self.tokens + dt * self.rate).min(self.capacity);
        self.last_ms = now_ms.max(self.last_ms);
        if self.tokens + 1e-9 >= cost {
            self.tokens -= cost;
            true
        } else {
            false
        }
    }
}

/// Why trading is halted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Halt {
    /// `operator`, `max_daily_loss`, `consecutive_errors`…
    pub reason: String,
    /// When it lifts by itself (error cooldown); `None` until resumed.
    pub until_ms: Option<i64>,
}

/// What a new order would add, for the checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exposure {
    /// The market's position after the order fills completely.
    pub position_after: Count,
    /// The market's position now.
    pub position_now: Count,
    /// Resting orders on the market now (before the plan's cancels).
    pub resting: u32,
    /// Total exposure if the order filled: open positions at cost plus every resting buy.
    pub total_after: Money,
}

/// Limits and halt state.
#[derive(Debug, Clone)]
pub struct RiskState {
    cfg: RiskConfig,
    bucket: TokenBucket,
    halt: Option<Halt>,
    errors: u32,
    /// Rejections by reason.
    pub rejections: BTreeMap<&'static str, u64>,
}

/// The burst the live executor allows itself out of the exchange's bucket `capacity`: 20 %
/// (at least two creations' worth) less, so requests the network delivers closer together
/// than they were decided still find tokens there (measured: without it a soak drew one 429
/// from the exchange's own limiter per run). At least one creation's worth remains.
pub fn live_capacity(capacity: f64) -> f64 {
    let headroom = (0.2 * capacity).max(2.0 * CREATE_COST);
    (capacity - headroom).max(CREATE_COST.min(capacity))
}

/// The refill rate the live executor allows itself out of the exchange's `rate`: 10 % less,
/// so that at a sustained full rate the exchange's bucket still gains on ours and a
/// delivery delay longer than the burst headroom covers finds tokens (measured: one 429 in
/// an hour-long soak with the full rate and the burst headroom alone).
pub fn live_rate(rate: f64) -> f64 {
    0.9 * rate
}

impl RiskState {
    /// Limits `cfg` with a write budget of `rate` tokens/s (`capacity` burst).
    pub fn new(cfg: RiskConfig, rate: f64, capacity: f64, now_ms: i64) -> RiskState {
        let (rate, capacity) = match cfg.max_orders_per_second {
            0 => (rate, capacity),
            n => (f64::from(n) * CREATE_COST, f64::from(n) * CREATE_COST),
        };
        RiskState {
            cfg,
            bucket: TokenBucket::new(rate, capacity, now_ms),
            halt: None,
            errors: 0,
            rejections: BTreeMap::new(),
        }
    }

    /// The halt in force at `now_ms`, if any (an expired cooldown lifts itself).
    pub fn halted(&mut self, now_ms: i64) -> Option<&Halt> {
        if self.halt.as_ref().and_then(|h| h.until_ms).is_some_and(|until| now_ms >= until) {
            self.halt = None;
            self.errors = 0;
        }
        self.halt.as_ref()
    }

    /// Halts (until resumed, or until `until_ms`).
    pub fn halt(&mut self, reason: &str, until_ms: Option<i64>) {
        self.halt = Some(Halt { reason: reason.to_owned(), until_ms });
    }

    /// Lifts any halt.
    pub fn resume(&mut self) {
        self.halt = None;
        self.errors = 0;
    }

    fn reject(&mut self, reason: &'static str) -> Result<(), &'static str> {
        *self.rejections.entry(reason).or_default() += 1;
        Err(reason)
    }

    /// Checks a new order (or an amend that may add size) against the limits.
    pub fn check_order(&mut self, e: Exposure, now_ms: i64) -> Result<(), &'static str> {
        if self.halted(now_ms).is_some() {
            return self.reject("halted");
        }
        if !self.cfg.enabled {
            return Ok(());
        }
        let (after, now) = (e.position_after.hundredths().abs(), e.position_now.hundredths().abs());
        if after > self.cfg.max_position.hundredths() && after > now {
            return self.reject("max_position");
        }
        if e.total_after > self.cfg.max_exposure {
            return self.reject("max_exposure");
        }
        if e.resting >= self.cfg.max_resting_per_market {
            return self.reject("max_resting");
        }
        Ok(())
    }

    /// Takes write tokens for a request; `false` (counted) when over the rate.
    pub fn take_tokens(&mut self, cost: f64, now_ms: i64) -> bool {
        if !self.cfg.enabled || self.bucket.take(cost, now_ms) {
            return true;
        }
        *self.rejections.entry("rate").or_default() += 1;
        false
    }

    /// A request failed: returns true when this makes trading halt for the cooldown.
    pub fn on_error(&mut self, now_ms: i64) -> bool {
        self.errors += 1;
        if self.cfg.enabled && self.errors >= self.cfg.max_consecutive_errors && self.halt.is_none() {
            let cooldown = i64::try_from(self.cfg.error_cooldown.as_millis()).unwrap_or(i64::MAX);
            self.halt("consecutive_errors", Some(now_ms.saturating_add(cooldown)));
            return true;
        }
        false
    }

    /// A request succeeded.
    pub fn on_success(&mut self) {
        self.errors = 0;
    }

    /// Checks the day's P&L (realized + unrealized − fees); true when it halts trading.
    pub fn check_loss(&mut self, pnl: Money) -> bool {
        if self.cfg.enabled
            && self.halt.is_none()
            && pnl.micros() < 0
            && -pnl.micros() >= self.cfg.max_daily_loss.micros()
        {
            self.halt("max_daily_loss", None);
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn cfg() -> RiskConfig {
        RiskConfig {
            max_position: Count::contracts(20),
            max_exposure: Money::from_cents(1_000),
            max_resting_per_market: 2,
            max_consecutive_errors: 3,
            error_cooldown: Duration::from_secs(30),
            max_daily_loss: Money::from_cents(500),
            ..RiskConfig::default()
        }
    }

    fn e(after: i64, now: i64, resting: u32, total_cents: i64) -> Exposure {
        Exposure {
            position_after: Count::contracts(after),
            position_now: Count::contracts(now),
            resting,
            total_after: Money::from_cents(total_cents),
        }
    }

    #[test]
    fn each_limit_blocks_and_is_counted() {
        let mut r = RiskState::new(cfg(), 100.0, 100.0, 0);
        assert_eq!(r.check_order(e(10, 0, 0, 400), 0), Ok(()));
        assert_eq!(r.check_order(e(21, 11, 0, 400), 0), Err("max_position"));
        assert_eq!(r.check_order(e(25, 30, 0, 400), 0), Ok(()), "reducing an oversized position is allowed");
        assert_eq!(r.check_order(e(10, 0, 0, 1_001), 0), Err("max_exposure"));
        assert_eq!(r.check_order(e(10, 0, 2, 400), 0), Err("max_resting"));
        assert_eq!(r.rejections.values().sum::<u64>(), 3);
    }

    #[test]
    fn the_bucket_matches_the_write_budget() {
        let mut r = RiskState::new(cfg(), 100.0, 100.0, 0);
        for _ in 0..10 {
            assert!(r.take_tokens(CREATE_COST, 0));
        }
        assert!(!r.take_tokens(CREATE_COST, 0), "11th create in the same instant");
        assert!(r.take_tokens(CANCEL_COST, 20), "2 tokens refilled in 20 ms");
        assert!(r.take_tokens(CREATE_COST, 120));
        assert_eq!(r.rejections["rate"], 1);
        assert_eq!((live_capacity(100.0), live_capacity(1000.0), live_capacity(20.0)), (80.0, 800.0, 10.0));
        assert_eq!(live_capacity(5.0), 5.0, "never more than the exchange's");
        assert_eq!(live_rate(100.0), 90.0);
        let fixed = RiskState::new(RiskConfig { max_orders_per_second: 1, ..cfg() }, 100.0, 100.0, 0);
        let mut fixed = fixed;
        assert!(fixed.take_tokens(CREATE_COST, 0));
        assert!(!fixed.take_tokens(CREATE_COST, 0));
    }

    #[test]
    fn errors_halt_for_the_cooldown_and_loss_halts_until_resumed() {
        let mut r = RiskState::new(cfg(), 100.0, 100.0, 0);
        assert!(!r.on_error(0));
        r.on_success();
        assert!(!r.on_error(0) && !r.on_error(0));
        assert!(r.on_error(1_000), "third consecutive error");
        assert_eq!(r.check_order(e(1, 0, 0, 1), 2_000), Err("halted"));
        assert!(r.halted(30_999).is_some());
        assert!(r.halted(31_000).is_none(), "the cooldown lifts it");
        assert!(!r.check_loss(Money::from_cents(-499)));
        assert!(r.check_loss(Money::from_cents(-500)));
        assert_eq!(r.halted(1_000_000).unwrap().reason, "max_daily_loss");
        r.resume();
        assert!(r.halted(1_000_000).is_none());
    }
}
