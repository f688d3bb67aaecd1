//! The local exchange simulator (issue #3): Kalshi's 2026 REST and WebSocket protocol over
//! loopback, backed by a pure matching engine, with synthetic order flow and fault
//! injection, so the client code paths under test are the real ones.
//!
//! - [`engine`]: matching, fees, positions, cash, settlement (pure).
//! - [`hub`]: WebSocket subscriptions, `sid`/`seq`, engine events → frames (pure).
//! - [`auth`], [`ratelimit`], [`faults`]: request signing checks, token buckets, injected
//!   failures (pure).
//! - [`catalog`], [`flow`]: the listed markets and the synthetic order flow (pure).
//! - [`server`], [`run`], [`config`]: the actix-web server, starting it, its settings.

pub mod auth;
pub mod catalog;
pub mod config;
pub mod engine;
pub mod faults;
pub mod flow;
pub mod hub;
pub mod ratelimit;
pub mod run;
pub mod server;
