//! `[executor]` and `[risk]`: how actions become orders, and the limits checked before
//! every request.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::values::duration;
use crate::domain::{Count, Money};

/// Where orders are priced (`actor.pricing`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pricing {
    /// Buy at the ask, sell at the bid (cross the spread).
    Aggressive,
    /// Buy at the bid, sell at the ask (join the touch).
    Passive,
    /// At the mid, snapped to the grid (down for buys, up for sells).
    Mid,
}

/// What a sell may do (`actor.sell_semantics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SellSemantics {
    /// A sell may open the opposite exposure (what the original training rewarded).
    Open,
    /// A sell only reduces an existing position (`reduce_only`, capped by it).
    ReduceOnly,
}

/// `[executor]`: order management.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExecutorConfig {
    /// Cancel orders a previous run left resting, before trading. Default true.
    pub cancel_on_start: bool,
    /// REST reconciliation of orders, positions and balance. Default `"5s"`.
    #[serde(with = "duration")]
    pub reconcile_interval: Duration,
    /// Longest wait for an order request; beyond it the outcome is unknown. Default `"5s"`.
    #[serde(with = "duration")]
    pub request_timeout: Duration,
}

impl Default for ExecutorConfig {
    fn default() -> Self {
        ExecutorConfig {
            cancel_on_start: true,
            reconcile_interval: Duration::from_secs(5),
            request_timeout: Duration::from_secs(5),
        }
    }
}

/// `[risk]`: limits checked before every request; on by default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RiskConfig {
    /// Check the limits at all. Default true.
    pub enabled: bool,
    /// Largest absolute position per market, contracts. Default 100.
    pub max_position: Count,
    /// Largest total exposure (cost of open positions plus resting buys), dollars.
    /// Default 500.
    pub max_exposure: Money,
    /// Most resting orders per market. Default 2.
    pub max_resting_per_market: u32,
    /// Most order requests per second; 0 = the exchange's write budget from
    /// `GET /account/limits`. Default 0.
    pub max_orders_per_second: u32,
    /// Daily loss (realized + unrealized) that halts trading, dollars. Default 100.
    pub max_daily_loss: Money,
    /// Consecutive request errors that halt trading for `error_cooldown`. Default 5.
    pub max_consecutive_errors: u32,
    /// How long an error halt lasts. Default `"30s"`.
    #[serde(with = "duration")]
    pub error_cooldown: Duration,
}

impl Default for RiskConfig {
    fn default() -> Self {
        RiskConfig {
            enabled: true,
            max_position: Count::contracts(100),
            max_exposure: Money::from_cents(50_000),
            max_resting_per_market: 2,
            max_orders_per_second: 0,
            max_daily_loss: Money::from_cents(10_000),
            max_consecutive_errors: 5,
            error_cooldown: Duration::from_secs(30),
        }
    }
}
