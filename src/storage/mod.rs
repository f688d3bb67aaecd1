//! Storage: the market-data capture the Persister writes and everything that reads it back.
//!
//! Three tables with the seed's names: `rl_orderbook_sessions` (one row per run),
//! `rl_orderbook_snapshots` and `rl_orderbook_deltas` (every record the BookKeeper applied,
//! prices and sizes as Kalshi's exact decimal strings). Snapshot and delta rows share one
//! id space assigned in receive order, so a session (or one market of it) replays by
//! ordering both tables by id, and the database alone rebuilds every book state
//! ([`Store::rebuild_books`], [`Store::rebuild_book_at`]).
//!
//! [`Store`] is SQLite (the embedded default, one WAL file) or PostgreSQL (several
//! instances writing to one database); migrations for each live in `migrations/<backend>/`
//! and are applied by [`Store::connect`]. No actix here: the Persister actor calls these
//! async methods and retries with backoff when [`StoreError::is_recoverable`] says so.
//!
//! The trading side's records (decisions, orders, fills, positions, risk events) go to five
//! `rl_actor_*` tables of the same session ([`ActorRecord`], [`Store::insert_actor_records`],
//! [`Store::actor_records`]).
//!
//! Create the `Store` on the arbiter that uses it: PostgreSQL connections are bound to the
//! runtime that opened them.

mod actor;
mod actor_read;
mod actor_row;
mod batch;
mod error;
mod postgres;
mod rebuild;
mod record;
mod session;
mod sqlite;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::BoxStream;
use futures_util::TryStreamExt;
use sqlx::{PgPool, SqlitePool};

use crate::book::{OrderBook, TickGrid};
use actor_row::ActorRow;
use batch::Batch;
use rebuild::Replay;
use record::RawRecord;

pub use actor::{ActionRow, ActorRecord, FillRow};
pub use error::StoreError;
pub use rebuild::apply_record;
pub use record::BookRecord;
pub use session::{SessionCounters, SessionRow, SessionStatus};

/// Connection settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreOptions {
    /// Pool size. Default 4 (SQLite serializes writers anyway; readers use the rest).
    pub max_connections: u32,
    /// How long SQLite waits on a locked database before reporting busy. Default 5 s.
    pub busy_timeout: Duration,
    /// How long to wait for a pooled connection. Default 10 s.
    pub acquire_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            max_connections: 4,
            busy_timeout: Duration::from_secs(5),
            acquire_timeout: Duration::from_secs(10),
        }
    }
}

/// A connected, migrated database.
#[derive(Debug, Clone)]
pub enum Store {
    /// `sqlite://path` (file and directory created if missing).
    Sqlite(SqlitePool),
    /// `postgres://…` or `postgresql://…`.
    Postgres(PgPool),
}

impl Store {
    /// Connects with default [`StoreOptions`] and applies the migrations.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        Store::connect_with(url, &StoreOptions::default()).await
    }

    /// Connects and applies the migrations of the URL's backend.
    pub async fn connect_with(url: &str, options: &StoreOptions) -> Result<Store, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Store::Sqlite(sqlite::connect(url, options).await?))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Store::Postgres(postgres::connect(url, options).await?))
        } else {
            let scheme = url.split_once(':').map_or(url, |(s, _)| s);
            Err(StoreError::UnsupportedUrl(format!("{scheme}:…")))
        }
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn backend(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
            Store::Postgres(_) => "postgres",
        }
    }

    /// Opens a `running` session and returns its id.
    pub async fn start_session(
        &self,
        ws_url: &str,
        markets: &[impl AsRef<str>],
        started_ms: i64,
    ) -> Result<i64, StoreError> {
        let markets: Vec<&str> = markets.iter().map(AsRef::as_ref).collect();
        let markets = serde_json::to_string(&markets).map_err(|e| StoreError::OutOfRange(e.to_string()))?;
        match self {
            Store::Sqlite(p) => sqlite::start_session(p, ws_url, &markets, started_ms).await,
            Store::Postgres(p) => postgres::start_session(p, ws_url, &markets, started_ms).await,
        }
    }

    /// Closes a session with its final status and the actors' counters. The snapshot and
    /// delta counts are already exact (kept by [`Store::insert_batch`]).
    pub async fn end_session(
        &self,
        id: i64,
        ended_ms: i64,
        status: SessionStatus,
        counters: &SessionCounters,
    ) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(p) => sqlite::end_session(p, id, ended_ms, status, counters).await,
            Store::Postgres(p) => postgres::end_session(p, id, ended_ms, status, counters).await,
        }
    }

    /// Writes `records` (in receive order) to a session in one transaction: all or nothing.
    /// On an error nothing was written and the same batch can be retried.
    pub async fn insert_batch(&self, session_id: i64, records: &[BookRecord]) -> Result<(), StoreError> {
        let batch = Batch::split(records)?;
        match self {
            Store::Sqlite(p) => sqlite::insert_batch(p, session_id, &batch).await,
            Store::Postgres(p) => postgres::insert_batch(p, session_id, &batch).await,
        }
    }

    /// Writes actor records to a session in one transaction, in order: all or nothing (an
    /// error writes nothing and the same records can be retried). A fill whose `trade_id`
    /// the session already has is ignored, not an error. A record that fails
    /// [`ActorRecord::validate`] fails the whole call with [`StoreError::OutOfRange`].
    pub async fn insert_actor_records(&self, session_id: i64, records: &[ActorRecord]) -> Result<(), StoreError> {
        let rows = records.iter().map(ActorRow::encode).collect::<Result<Vec<_>, _>>()?;
        match self {
            Store::Sqlite(p) => sqlite::insert_actor_rows(p, session_id, &rows).await,
            Store::Postgres(p) => postgres::insert_actor_rows(p, session_id, &rows).await,
        }
    }

    /// The actor records of a session in the order they were written (across all five
    /// tables: they share one id space), each exactly as written; ignored duplicate fills
    /// appear once.
    pub async fn actor_records(&self, session_id: i64) -> Result<Vec<ActorRecord>, StoreError> {
        let rows = match self {
            Store::Sqlite(p) => sqlite::actor_rows(p, session_id).await?,
            Store::Postgres(p) => postgres::actor_rows(p, session_id).await?,
        };
        rows.decode()
    }

    /// Every session, oldest first, with counts and time span.
    pub async fn sessions(&self) -> Result<Vec<SessionRow>, StoreError> {
        let raw = match self {
            Store::Sqlite(p) => sqlite::sessions(p).await?,
            Store::Postgres(p) => postgres::sessions(p).await?,
        };
        raw.into_iter().map(session::RawSession::decode).collect()
    }

    /// The records of a session (or of one market of it) in the order they were received.
    pub async fn records(&self, session_id: i64, market: Option<&str>) -> Result<Vec<BookRecord>, StoreError> {
        Ok(self.records_with_ids(session_id, market).await?.into_iter().map(|(_, r)| r).collect())
    }

    /// Like [`Store::records`], each with its record id (the `upto` of
    /// [`Store::rebuild_book_at`]).
    pub async fn records_with_ids(
        &self,
        session_id: i64,
        market: Option<&str>,
    ) -> Result<Vec<(i64, BookRecord)>, StoreError> {
        let mut rows = self.raw_records(session_id, market, i64::MAX);
        let mut out = Vec::new();
        while let Some(raw) = rows.try_next().await? {
            out.push(raw.decode()?);
        }
        Ok(out)
    }

    /// Streams the records of a session in the order they were received, calling `f` on
    /// each (nothing is loaded at once); returns how many.
    pub async fn each_record(&self, session_id: i64, mut f: impl FnMut(BookRecord)) -> Result<u64, StoreError> {
        let mut rows = self.raw_records(session_id, None, i64::MAX);
        let mut n = 0;
        while let Some(raw) = rows.try_next().await? {
            f(raw.decode()?.1);
            n += 1;
        }
        Ok(n)
    }

    /// Rebuilds the final book of every market of a session by replaying its records
    /// (streamed, not loaded at once). `grid_for` gives each market's tick grid.
    pub async fn rebuild_books(
        &self,
        session_id: i64,
        grid_for: impl Fn(&str) -> Arc<TickGrid>,
    ) -> Result<BTreeMap<String, OrderBook>, StoreError> {
        let mut replay = Replay::default();
        replay.run(self.raw_records(session_id, None, i64::MAX), &grid_for).await?;
        Ok(replay.books)
    }

    /// The book of one market as it stood right after record `upto_record_id` (inclusive):
    /// any state the live book went through. A market with no records gives an empty,
    /// stale book.
    pub async fn rebuild_book_at(
        &self,
        session_id: i64,
        market: &str,
        upto_record_id: i64,
        grid: Arc<TickGrid>,
    ) -> Result<OrderBook, StoreError> {
        let mut replay = Replay::default();
        let grid_for = |_: &str| grid.clone();
        replay.run(self.raw_records(session_id, Some(market), upto_record_id), &grid_for).await?;
        Ok(replay.books.remove(market).unwrap_or_else(|| OrderBook::new(market, grid)))
    }

    /// Closes every pooled connection (SQLite checkpoints its WAL on the last close).
    pub async fn close(&self) {
        match self {
            Store::Sqlite(p) => p.close().await,
            Store::Postgres(p) => p.close().await,
        }
    }

    fn raw_records<'e>(
        &'e self,
        session_id: i64,
        market: Option<&'e str>,
        upto: i64,
    ) -> BoxStream<'e, Result<RawRecord, sqlx::Error>> {
        match self {
            Store::Sqlite(p) => sqlite::records(p, session_id, market, upto),
            Store::Postgres(p) => postgres::records(p, session_id, market, upto),
        }
    }
}

#[cfg(test)]
mod actor_tests;
#[cfg(test)]
mod tests;
