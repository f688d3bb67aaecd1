//! The configuration sections. Each struct documents its keys with their defaults; the
//! committed `config.toml` repeats them. Sections move next to their actor as each actor
//! lands; `config/mod.rs` only gathers and loads them.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::values::{duration, DatabaseUrl, Secret};
use crate::domain::Count;

/// Which exchange the service talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExchangeMode {
    /// The embedded, protocol-faithful simulator on loopback (no credentials, no network).
    Sim,
    /// Kalshi's demo environment (mock funds).
    Demo,
    /// Real money: refused unless `exchange.allow_prod = true` **and** the environment
    /// variable `KALSHI_ACTOR_ALLOW_PROD=yes` are both set.
    Prod,
}

/// `[exchange]`: where to trade and with which key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExchangeConfig {
    /// `sim`, `demo` or `prod`. Default `sim`.
    pub mode: ExchangeMode,
    /// REST root including `/trade-api/v2`. Default empty: derived from `mode` (in `sim`
    /// mode, empty starts the embedded simulator; a URL points at an external one).
    /// Env: `KALSHI_PAPER_TRADING_API_URL`.
    pub api_url: String,
    /// WebSocket URL. Default empty: derived from `mode`. Env: `KALSHI_PAPER_TRADING_WS_URL`.
    pub ws_url: String,
    /// First of the two switches that allow `prod`. Default `false`.
    pub allow_prod: bool,
    /// Subscribe with `use_yes_price` (NO levels in YES prices). Always sent explicitly.
    /// Default `false`.
    pub use_yes_price: bool,
    /// API key id. Secret: environment only (`KALSHI_PAPER_TRADING_API_KEY_ID` or
    /// `KALSHI_ACTOR_EXCHANGE__KEY_ID`).
    pub key_id: Secret,
    /// RSA private key: PEM or the bare base64 body. Secret: environment only
    /// (`KALSHI_PAPER_TRADING_PRIVATE_KEY_CONTENT` or `KALSHI_ACTOR_EXCHANGE__PRIVATE_KEY`).
    pub private_key: Secret,
    /// Seed of the embedded simulator's synthetic flow (`sim` mode): the same seed gives
    /// the same market data. Default 1.
    pub sim_seed: u64,
}

impl Default for ExchangeConfig {
    fn default() -> Self {
        ExchangeConfig {
            mode: ExchangeMode::Sim,
            api_url: String::new(),
            ws_url: String::new(),
            allow_prod: false,
            use_yes_price: false,
            key_id: Secret::default(),
            private_key: Secret::default(),
            sim_seed: 1,
        }
    }
}

/// How the feed picks markets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarketMode {
    /// Exactly `feed.market_tickers`.
    Config,
    /// The most active open markets, up to `feed.market_limit`.
    Discovery,
}

/// `[feed]`: the market-data connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FeedConfig {
    /// `config` or `discovery`. Default `discovery`. Env: `RL_MARKET_MODE`.
    pub market_mode: MarketMode,
    /// Markets for `config` mode. Default empty. Env: `RL_MARKET_TICKERS` (comma list).
    pub market_tickers: Vec<String>,
    /// Most markets to subscribe in `discovery` mode. Default 100. Env: `ORDERBOOK_MARKET_LIMIT`.
    pub market_limit: u32,
    /// File to append every received frame to, for offline replay. Default empty (off).
    pub capture_path: String,
    /// A market with no update for this long is treated as stalled. Default `"5s"`.
    #[serde(with = "duration")]
    pub stall_timeout: Duration,
}

impl Default for FeedConfig {
    fn default() -> Self {
        FeedConfig {
            market_mode: MarketMode::Discovery,
            market_tickers: Vec::new(),
            market_limit: 100,
            capture_path: String::new(),
            stall_timeout: Duration::from_secs(5),
        }
    }
}

/// Which market the policy trades.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetMarketMode {
    /// The most active subscribed market.
    Hot,
    /// The first configured ticker.
    Config,
    /// Every subscribed market, each on its own updates.
    All,
}

/// `[actor]`: the trading loop (the seed's `RL_ACTOR_*` settings).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ActorConfig {
    /// Trade at all. Default `true`. Env: `RL_ACTOR_ENABLED`.
    pub enabled: bool,
    /// Model: a path to a `.zip` (SB3) or `.safetensors` file, or a name under
    /// `model_weights/`. Default `ppo_sim`. Env: `RL_ACTOR_MODEL_ID`.
    pub model: String,
    /// Least time between two decisions on one market, ms. Default 250.
    /// Env: `RL_ACTOR_TICK_THROTTLE_MS`.
    pub tick_throttle_ms: u64,
    /// `hot`, `config` or `all`. Default `hot`. Env: `RL_ACTOR_TARGET_MARKET_MODE`.
    pub target_market_mode: TargetMarketMode,
    /// Tickers traded in `config` mode (default: `feed.market_tickers`).
    pub target_markets: Vec<String>,
    /// Markets in the hot set. Default 1.
    pub hot_count: u32,
    /// Widest YES spread a hot market may have, cents. Default 10.
    pub hot_max_spread_cents: f64,
    /// Hot set re-ranked every this many seconds (also the activity window). Default 10.
    pub hot_rerank_s: u64,
    /// Contracts per order. Default `"10"`. Env: `RL_ACTOR_CONTRACT_SIZE`.
    pub contract_size: Count,
    /// `aggressive` (default), `passive` or `mid`.
    pub pricing: super::trading::Pricing,
    /// `open` (default) or `reduce_only`.
    pub sell_semantics: super::trading::SellSemantics,
}

impl Default for ActorConfig {
    fn default() -> Self {
        ActorConfig {
            enabled: true,
            model: "ppo_sim".into(),
            tick_throttle_ms: 250,
            target_market_mode: TargetMarketMode::Hot,
            target_markets: Vec::new(),
            hot_count: 1,
            hot_max_spread_cents: 10.0,
            hot_rerank_s: 10,
            contract_size: Count::contracts(10),
            pricing: super::trading::Pricing::Aggressive,
            sell_semantics: super::trading::SellSemantics::Open,
        }
    }
}

/// `[persister]`: where accepted updates and actor records are stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PersisterConfig {
    /// `sqlite://…` or `postgres://…`. Default `sqlite://data/kalshi-actor.sqlite`.
    /// Env: `DATABASE_URL`. A password in the URL is never printed.
    pub database_url: DatabaseUrl,
    /// Database password, when not in the URL. Secret: environment only
    /// (`KALSHI_ACTOR_PERSISTER__DATABASE_PASSWORD`).
    pub database_password: Secret,
    /// Most records waiting to be written; beyond it updates are refused (not acknowledged,
    /// counted as dropped). Default 100000.
    pub buffer_capacity: u32,
    /// Records per insert transaction. Default 5000.
    pub batch_size: u32,
    /// Longest wait before a partial batch is written. Default `"50ms"`.
    #[serde(with = "duration")]
    pub flush_interval: Duration,
}

impl Default for PersisterConfig {
    fn default() -> Self {
        PersisterConfig {
            database_url: DatabaseUrl::new("sqlite://data/kalshi-actor.sqlite"),
            database_password: Secret::default(),
            buffer_capacity: 100_000,
            batch_size: 5_000,
            flush_interval: Duration::from_millis(50),
        }
    }
}

/// What the order features (observation 47–51) contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderFeatures {
    /// Always zeros, as the original training environment passed.
    Zeros,
    /// From the resting orders of the target market.
    Live,
}

/// `[observer]`: how observations are built.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ObserverConfig {
    /// IANA time zone for the time-of-day features. Default `America/New_York`.
    pub timezone: String,
    /// `zeros` or `live`. Default `zeros`.
    pub order_features: OrderFeatures,
    /// Cash of the flat portfolio observed until the executor reports the real one, in
    /// dollars. Default 1000.
    pub starting_cash: f64,
    /// Append every observation sent to the policy to this JSONL file (empty: off).
    pub log_path: String,
}

impl Default for ObserverConfig {
    fn default() -> Self {
        ObserverConfig {
            timezone: "America/New_York".into(),
            order_features: OrderFeatures::Zeros,
            starting_cash: 1000.0,
            log_path: String::new(),
        }
    }
}

/// `[web]`: the dashboard and control endpoints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebConfig {
    /// Address to listen on. Default `127.0.0.1:8080` (loopback only).
    pub listen: String,
    /// Token the control endpoints require when `listen` is not a loopback address.
    /// Secret: environment only (`KALSHI_ACTOR_WEB__CONTROL_TOKEN`).
    pub control_token: Secret,
    /// The built dashboard served at `/`. Default `dashboard/dist` (`make dashboard`).
    pub dashboard_dir: String,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            listen: "127.0.0.1:8080".into(),
            control_token: Secret::default(),
            dashboard_dir: "dashboard/dist".into(),
        }
    }
}
