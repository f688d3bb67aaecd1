//! The SQLite backend: one file in WAL mode, batches written as multi-row INSERTs inside a
//! `BEGIN IMMEDIATE` transaction.
//!
//! Record ids are assigned here: the transaction takes the write lock first, then reads the
//! largest id of both record tables, so the ids of a batch are consecutive and follow the
//! order the records were received. Actor records get theirs the same way, from the
//! largest id of the five actor tables, and are inserted one row at a time (a few rows per
//! decision: no batching needed).

use std::str::FromStr;
use std::sync::OnceLock;

use futures_util::stream::BoxStream;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

use super::actor_read::RawActorRows;
use super::actor_row::{ActorRow, Value, ACTIONS, FILLS, ORDERS, POSITIONS, RISK, TABLES};
use super::batch::{Batch, DeltaRow, SnapshotRow};
use super::record::RawRecord;
use super::session::{db_count, RawSession, SessionCounters, SessionStatus, SESSION_COLUMNS};
use super::{StoreError, StoreOptions};

/// Rows per INSERT statement: 1 000 deltas bind 10 000 parameters, well under SQLite's
/// 32 766.
const ROWS_PER_INSERT: usize = 1_000;

const DELTA_INSERT: &str = "INSERT INTO rl_orderbook_deltas (id, session_id, market_ticker, sid, seq, recv_ts_ms, \
     exchange_ts_ms, side, price_dollars, delta_fp) VALUES ";
const SNAPSHOT_INSERT: &str = "INSERT INTO rl_orderbook_snapshots (id, session_id, market_ticker, sid, seq, \
     recv_ts_ms, exchange_ts_ms, yes_levels, no_levels) VALUES ";

/// Opens (creating the file and its directory if missing) and migrates the database.
pub(crate) async fn connect(url: &str, options: &StoreOptions) -> Result<SqlitePool, StoreError> {
    let connect = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(options.busy_timeout)
        .foreign_keys(true)
        // 1 MiB of page cache per connection instead of SQLite's 2 MB: the writer appends,
        // touching the rightmost pages of each B-tree, and the cache filled to its cap as
        // the database grew, a few MB of resident memory over an hour.
        .pragma("cache_size", "-1024");
    if let Some(dir) = connect.get_filename().parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir { path: dir.to_owned(), source })?;
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(options.max_connections)
        .acquire_timeout(options.acquire_timeout)
        .connect_with(connect)
        .await?;
    sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
    Ok(pool)
}

pub(crate) async fn start_session(
    pool: &SqlitePool,
    ws_url: &str,
    markets: &str,
    started_ms: i64,
) -> Result<i64, StoreError> {
    let id = sqlx::query_scalar(
        "INSERT INTO rl_orderbook_sessions (started_at_ms, status, ws_url, markets) VALUES (?, 'running', ?, ?) \
         RETURNING id",
    )
    .bind(started_ms)
    .bind(ws_url)
    .bind(markets)
    .fetch_one(pool)
    .await?;
    Ok(id)
}

pub(crate) async fn end_session(
    pool: &SqlitePool,
    id: i64,
    ended_ms: i64,
    status: SessionStatus,
    counters: &SessionCounters,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE rl_orderbook_sessions SET ended_at_ms = ?, status = ?, dropped_count = ?, gaps_count = ?, \
         reconnects_count = ? WHERE id = ?",
    )
    .bind(ended_ms)
    .bind(status.as_str())
    .bind(db_count(counters.dropped))
    .bind(db_count(counters.gaps))
    .bind(db_count(counters.reconnects))
    .bind(id)
    .execute(pool)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::UnknownSession(id));
    }
    Ok(())
}

pub(crate) async fn insert_batch(pool: &SqlitePool, session_id: i64, batch: &Batch<'_>) -> Result<(), StoreError> {
    let Some((first_recv, last_recv)) = batch.recv_span else { return Ok(()) };
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let updated = sqlx::query(
        "UPDATE rl_orderbook_sessions SET snapshots_count = snapshots_count + ?, deltas_count = deltas_count + ?, \
         first_recv_ts_ms = COALESCE(first_recv_ts_ms, ?), last_recv_ts_ms = MAX(COALESCE(last_recv_ts_ms, ?), ?) \
         WHERE id = ?",
    )
    .bind(db_count(batch.snapshots.len() as u64))
    .bind(db_count(batch.deltas.len() as u64))
    .bind(first_recv)
    .bind(last_recv)
    .bind(last_recv)
    .bind(session_id)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::UnknownSession(session_id));
    }
    let last_id: i64 = sqlx::query_scalar(
        "SELECT MAX((SELECT COALESCE(MAX(id), 0) FROM rl_orderbook_snapshots), \
         (SELECT COALESCE(MAX(id), 0) FROM rl_orderbook_deltas))",
    )
    .fetch_one(&mut *tx)
    .await?;
    let first_id = last_id + 1;
    for chunk in batch.deltas.chunks(ROWS_PER_INSERT) {
        insert_deltas(&mut tx, session_id, first_id, chunk).await?;
    }
    for chunk in batch.snapshots.chunks(ROWS_PER_INSERT) {
        insert_snapshots(&mut tx, session_id, first_id, chunk).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// `INSERT … VALUES (?, …), …` for `rows` rows of `columns` columns; the full-size
/// statement is built once (and prepared once per connection by sqlx's statement cache).
/// Other sizes are prepared each time and never cached: a batch's size follows the flow, and
/// a cache of up to 100 multi-row statements of every size held 30–150 MB (heaptrack: the
/// service's resident memory grew with throughput, 84 MB at 5 000 rows/s, 198 MB at 30 000).
fn values_sql(
    head: &str,
    columns: usize,
    rows: usize,
    full: &'static OnceLock<String>,
) -> std::borrow::Cow<'static, str> {
    let build = || {
        let tuple = format!("({})", vec!["?"; columns].join(", "));
        let mut sql = String::with_capacity(head.len() + rows * (tuple.len() + 2));
        sql.push_str(head);
        for i in 0..rows {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&tuple);
        }
        sql
    };
    if rows == ROWS_PER_INSERT {
        std::borrow::Cow::Borrowed(full.get_or_init(build).as_str())
    } else {
        std::borrow::Cow::Owned(build())
    }
}

async fn insert_deltas(
    tx: &mut Transaction<'static, Sqlite>,
    session_id: i64,
    first_id: i64,
    rows: &[DeltaRow<'_>],
) -> Result<(), StoreError> {
    static FULL: OnceLock<String> = OnceLock::new();
    let sql = values_sql(DELTA_INSERT, 10, rows.len(), &FULL);
    let mut query = sqlx::query(&sql).persistent(rows.len() == ROWS_PER_INSERT);
    for r in rows {
        query = query
            .bind(first_id + r.position as i64)
            .bind(session_id)
            .bind(r.market)
            .bind(r.header.sid)
            .bind(r.header.seq)
            .bind(r.header.recv_ms)
            .bind(r.header.exchange_ts_ms)
            .bind(r.side)
            .bind(r.price.as_str())
            .bind(r.delta.as_str());
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

async fn insert_snapshots(
    tx: &mut Transaction<'static, Sqlite>,
    session_id: i64,
    first_id: i64,
    rows: &[SnapshotRow<'_>],
) -> Result<(), StoreError> {
    static FULL: OnceLock<String> = OnceLock::new();
    let sql = values_sql(SNAPSHOT_INSERT, 9, rows.len(), &FULL);
    let mut query = sqlx::query(&sql).persistent(rows.len() == ROWS_PER_INSERT);
    for r in rows {
        query = query
            .bind(first_id + r.position as i64)
            .bind(session_id)
            .bind(r.market)
            .bind(r.header.sid)
            .bind(r.header.seq)
            .bind(r.header.recv_ms)
            .bind(r.header.exchange_ts_ms)
            .bind(r.yes.as_str())
            .bind(r.no.as_str());
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

pub(crate) async fn sessions(pool: &SqlitePool) -> Result<Vec<RawSession>, StoreError> {
    let sql = format!("SELECT {SESSION_COLUMNS} FROM rl_orderbook_sessions ORDER BY id");
    Ok(sqlx::query_as(&sql).fetch_all(pool).await?)
}

/// Both record tables of a session (optionally one market), ids up to `upto`, in id order.
pub(crate) fn records<'e>(
    pool: &'e SqlitePool,
    session_id: i64,
    market: Option<&'e str>,
    upto: i64,
) -> BoxStream<'e, Result<RawRecord, sqlx::Error>> {
    const ALL: &str = "SELECT id, market_ticker, sid, seq, recv_ts_ms, exchange_ts_ms, NULL AS side, \
         yes_levels AS a, no_levels AS b FROM rl_orderbook_snapshots WHERE session_id = ? AND id <= ? \
         UNION ALL SELECT id, market_ticker, sid, seq, recv_ts_ms, exchange_ts_ms, side, price_dollars, delta_fp \
         FROM rl_orderbook_deltas WHERE session_id = ? AND id <= ? ORDER BY id";
    const ONE: &str = "SELECT id, market_ticker, sid, seq, recv_ts_ms, exchange_ts_ms, NULL AS side, \
         yes_levels AS a, no_levels AS b FROM rl_orderbook_snapshots \
         WHERE session_id = ? AND market_ticker = ? AND id <= ? \
         UNION ALL SELECT id, market_ticker, sid, seq, recv_ts_ms, exchange_ts_ms, side, price_dollars, delta_fp \
         FROM rl_orderbook_deltas WHERE session_id = ? AND market_ticker = ? AND id <= ? ORDER BY id";
    match market {
        None => sqlx::query_as(ALL).bind(session_id).bind(upto).bind(session_id).bind(upto).fetch(pool),
        Some(m) => {
            sqlx::query_as(ONE).bind(session_id).bind(m).bind(upto).bind(session_id).bind(m).bind(upto).fetch(pool)
        }
    }
}

/// Writes actor rows in one `BEGIN IMMEDIATE` transaction, ids in row order after the
/// largest of the actor tables; a fill whose trade id the session already has is ignored.
pub(crate) async fn insert_actor_rows(pool: &SqlitePool, session_id: i64, rows: &[ActorRow]) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let session: Option<i64> = sqlx::query_scalar("SELECT id FROM rl_orderbook_sessions WHERE id = ?")
        .bind(session_id)
        .fetch_optional(&mut *tx)
        .await?;
    if session.is_none() {
        return Err(StoreError::UnknownSession(session_id));
    }
    let maxima: Vec<String> = TABLES.iter().map(|t| format!("(SELECT COALESCE(MAX(id), 0) FROM {})", t.name)).collect();
    let last_id: i64 = sqlx::query_scalar(&format!("SELECT MAX({})", maxima.join(", "))).fetch_one(&mut *tx).await?;
    for (i, row) in rows.iter().enumerate() {
        let sql = row.table.insert_sql(false);
        let mut query = sqlx::query(&sql).bind(last_id + 1 + i as i64).bind(session_id);
        for value in &row.values {
            query = match value {
                Value::Text(s) => query.bind(s.as_str()),
                Value::MaybeText(s) => query.bind(s.as_deref()),
                Value::Int(n) => query.bind(*n),
                Value::Bool(b) => query.bind(*b),
            };
        }
        query.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Every actor row of a session.
pub(crate) async fn actor_rows(pool: &SqlitePool, session_id: i64) -> Result<RawActorRows, StoreError> {
    Ok(RawActorRows {
        actions: sqlx::query_as(&ACTIONS.select_sql(false)).bind(session_id).fetch_all(pool).await?,
        orders: sqlx::query_as(&ORDERS.select_sql(false)).bind(session_id).fetch_all(pool).await?,
        fills: sqlx::query_as(&FILLS.select_sql(false)).bind(session_id).fetch_all(pool).await?,
        positions: sqlx::query_as(&POSITIONS.select_sql(false)).bind(session_id).fetch_all(pool).await?,
        risk: sqlx::query_as(&RISK.select_sql(false)).bind(session_id).fetch_all(pool).await?,
    })
}
