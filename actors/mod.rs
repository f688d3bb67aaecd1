//! The actor graph. Each actor is a thin actix shell over a pure core from `src/`, one
//! file per actor, wired in one place; messages live in `messages.rs`.
//!
//! ```text
//! Kalshi WS ──▶ MarketFeed ──▶ BookKeeper ──▶ Persister ──(RecordEnqueued)──▶ Observer
//!                  │  fills/orders     ▲  GetBook            │ batches → SQLite/Postgres
//!                  ▼                   └──────────────────── Observer ──▶ Policy ──▶ OrderExecutor ──▶ Kalshi REST
//!             OrderExecutor                                                        │
//!    every actor ──(events)──▶ Broadcaster ──▶ browser sessions on /rl/ws          ▼
//!                                                                    Persister (actor tables)
//! ```
//!
//! The chain that trades is woken by the Persister's acknowledgement, never by the feed:
//! a decision is made only on an update the persistence path accepted, so every decision
//! can be replayed from what was stored.
//!
//! The actors arrive with their issues (feed, book keeper and persister; observer and
//! policy; executor; broadcaster).

pub mod book_keeper;
pub mod broadcaster;
pub mod market_feed;
pub mod messages;
pub mod observer;
pub mod order_executor;
pub mod order_sender;
pub mod persister;
pub mod policy;
pub mod probe;
