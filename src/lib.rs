//! kalshi-actor: trades Kalshi event contracts with a trained reinforcement-learning policy.
//!
//! # Layout
//!
//! The pure parts live under `src/`; the actors that move messages between them live in
//! `actors/`, one file per actor.
//!
//! - [`domain`]: fixed-point [`domain::Price`] (centi-cents), [`domain::Count`] (hundredths
//!   of a contract) and [`domain::Money`] (micro-dollars), and side enums.
//! - [`book`]: the order book of one market on fixed tick ladders.
//! - [`feed`]: the pure core of the market-data feed (sequence rules, capture files,
//!   market discovery).
//! - [`features`]: the pure 52-float observation builder (market, temporal, portfolio).
//! - [`observer`]: the Observer's core shared by live and offline (replica books, points,
//!   throttle, hot selection, offline readers).
//! - [`executor`]: the OrderExecutor's core (intents, order rules, risk, ledger,
//!   reconciliation).
//! - [`broadcast`]: dashboard frames and each session's backlog policy.
//! - [`latency`]: windows of latency samples with percentiles.
//! - [`kalshi`]: Kalshi's 2026 wire types (WebSocket and REST) and request signing.
//! - [`sim`]: the local Kalshi exchange simulator (engine, WebSocket hub, REST/WS server).
//! - [`storage`]: SQLite or PostgreSQL: the market-data capture (sessions, snapshots,
//!   deltas), book rebuilding from it, and the actor tables.
//! - [`persist`]: the Persister's bounded write buffer (pure).
//! - [`policy`]: the trained policy: Stable-Baselines3 PPO `.zip` loading and batch-1
//!   inference (logits, softmax, argmax action).
//! - [`config`]: layered configuration (defaults → `config.toml` → environment).
//! - [`cli`]: the `kalshi-actor` command line; [`app`]: the service's wiring.
//! - [`web`]: the service's web server (control endpoints, `/rl/status`, `/metrics`,
//!   `/rl/health`).
//! - [`actors`]: the actor graph, mounted from the top-level `actors/` folder.

pub mod app;
pub mod bench;
pub mod book;
pub mod broadcast;
pub mod cli;
pub mod config;
pub mod domain;
pub mod executor;
pub mod features;
pub mod feed;
pub mod kalshi;
pub mod latency;
pub mod observer;
pub mod persist;
pub mod policy;
pub mod replay;
pub mod sim;
pub mod storage;
pub mod train;
pub mod web;

// The actors live outside `src/` so the top level shows the architecture (style.md).
#[path = "../actors/mod.rs"]
pub mod actors;
