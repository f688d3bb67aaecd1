//! Simulator settings: markets, seed, accounts, flow, faults, limits.

use std::path::PathBuf;
use std::time::Duration;

use super::auth::SkewWindow;
use super::catalog::CatalogConfig;
use super::engine::EngineConfig;
use super::faults::FaultConfig;
use super::flow::FlowConfig;
use super::ratelimit::BucketLimit;
use crate::domain::Money;

/// Everything `kalshi-actor sim` and the embedded simulator can be told.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Markets listed (plus the sub-cent one when enabled).
    pub catalog: CatalogConfig,
    /// Seed of the synthetic flow and of fault decisions: the same seed gives the same frames.
    pub seed: u64,
    /// Where API public keys are registered from (and a key pair is generated when empty).
    pub accounts_dir: PathBuf,
    /// Cash each registered account starts with. Default $10 000.
    pub starting_cash: Money,
    /// Synthetic order flow; `None` for a quiet exchange that moves only on client orders.
    pub flow: Option<FlowConfig>,
    /// Real time between two driver ticks (flow step, order expiry, lifecycle). Default
    /// 100 ms; `None` runs no driver: tests step the exchange by hand.
    pub flow_tick: Option<Duration>,
    /// WebSocket ping interval (Kalshi: about 10 s), payload `heartbeat`.
    pub ping_every: Duration,
    /// Injected faults (all off by default).
    pub faults: FaultConfig,
    /// Matching and fee settings.
    pub engine: EngineConfig,
    /// Accepted request timestamp skew.
    pub skew: SkewWindow,
    /// Read bucket (Basic tier: 200/s, 200).
    pub read_limit: BucketLimit,
    /// Write bucket (Basic tier: 100/s, 100).
    pub write_limit: BucketLimit,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            catalog: CatalogConfig::default(),
            seed: 1,
            accounts_dir: PathBuf::from("data/sim-accounts"),
            starting_cash: Money::from_cents(1_000_000),
            flow: Some(FlowConfig::default()),
            flow_tick: Some(Duration::from_millis(100)),
            ping_every: Duration::from_secs(10),
            faults: FaultConfig::default(),
            engine: EngineConfig::default(),
            skew: SkewWindow::default(),
            read_limit: BucketLimit { refill_per_s: 200, capacity: 200 },
            write_limit: BucketLimit { refill_per_s: 100, capacity: 100 },
        }
    }
}
