//! The PostgreSQL backend: batches written with one `INSERT … SELECT FROM UNNEST(…)` per
//! table (ten array parameters whatever the batch size) inside one transaction.
//!
//! Record ids come from the shared sequence `rl_orderbook_record_id_seq`, reserved for the
//! whole batch in receive order before anything is inserted, so several instances can write
//! to one database and each session still replays in the order it was received.
//!
//! Actor records are inserted one row at a time (a few rows per decision), their ids taken
//! from `rl_actor_record_id_seq` in row order.

use futures_util::stream::BoxStream;
use sqlx::postgres::PgPoolOptions;
use sqlx::{PgPool, Postgres, Transaction};

use super::actor_read::RawActorRows;
use super::actor_row::{ActorRow, Value, ACTIONS, FILLS, ORDERS, POSITIONS, RISK};
use super::batch::Batch;
use super::record::RawRecord;
use super::session::{db_count, RawSession, SessionCounters, SessionStatus, SESSION_COLUMNS};
use super::{StoreError, StoreOptions};

/// Connects and migrates.
pub(crate) async fn connect(url: &str, options: &StoreOptions) -> Result<PgPool, StoreError> {
    let pool = PgPoolOptions::new()
        .max_connections(options.max_connections)
        .acquire_timeout(options.acquire_timeout)
        .connect(url)
        .await?;
    sqlx::migrate!("./migrations/postgres").run(&pool).await?;
    Ok(pool)
}

pub(crate) async fn start_session(
    pool: &PgPool,
    ws_url: &str,
    markets: &str,
    started_ms: i64,
) -> Result<i64, StoreError> {
    let id = sqlx::query_scalar(
        "INSERT INTO rl_orderbook_sessions (started_at_ms, status, ws_url, markets) VALUES ($1, 'running', $2, $3) \
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
    pool: &PgPool,
    id: i64,
    ended_ms: i64,
    status: SessionStatus,
    counters: &SessionCounters,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE rl_orderbook_sessions SET ended_at_ms = $1, status = $2, dropped_count = $3, gaps_count = $4, \
         reconnects_count = $5 WHERE id = $6",
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

pub(crate) async fn insert_batch(pool: &PgPool, session_id: i64, batch: &Batch<'_>) -> Result<(), StoreError> {
    let Some((first_recv, last_recv)) = batch.recv_span else { return Ok(()) };
    let mut tx = pool.begin().await?;
    // Locks the session row: batches of one session are serialized, other sessions are not.
    let updated = sqlx::query(
        "UPDATE rl_orderbook_sessions SET snapshots_count = snapshots_count + $1, deltas_count = deltas_count + $2, \
         first_recv_ts_ms = COALESCE(first_recv_ts_ms, $3), \
         last_recv_ts_ms = GREATEST(COALESCE(last_recv_ts_ms, $4), $4) WHERE id = $5",
    )
    .bind(db_count(batch.snapshots.len() as u64))
    .bind(db_count(batch.deltas.len() as u64))
    .bind(first_recv)
    .bind(last_recv)
    .bind(session_id)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::UnknownSession(session_id));
    }
    let mut ids: Vec<i64> =
        sqlx::query_scalar("SELECT nextval('rl_orderbook_record_id_seq') FROM generate_series(1, $1::int8)")
            .bind(db_count(batch.len() as u64))
            .fetch_all(&mut *tx)
            .await?;
    ids.sort_unstable();
    if ids.len() != batch.len() {
        return Err(StoreError::OutOfRange(format!("reserved {} ids for {} records", ids.len(), batch.len())));
    }
    insert_deltas(&mut tx, session_id, &ids, batch).await?;
    insert_snapshots(&mut tx, session_id, &ids, batch).await?;
    tx.commit().await?;
    Ok(())
}

async fn insert_deltas(
    tx: &mut Transaction<'static, Postgres>,
    session_id: i64,
    ids: &[i64],
    batch: &Batch<'_>,
) -> Result<(), StoreError> {
    let rows = &batch.deltas;
    if rows.is_empty() {
        return Ok(());
    }
    let id: Vec<i64> = rows.iter().map(|r| ids.get(r.position).copied().unwrap_or_default()).collect();
    let market: Vec<&str> = rows.iter().map(|r| r.market).collect();
    let sid: Vec<i64> = rows.iter().map(|r| r.header.sid).collect();
    let seq: Vec<i64> = rows.iter().map(|r| r.header.seq).collect();
    let recv: Vec<i64> = rows.iter().map(|r| r.header.recv_ms).collect();
    let exch: Vec<Option<i64>> = rows.iter().map(|r| r.header.exchange_ts_ms).collect();
    let side: Vec<&str> = rows.iter().map(|r| r.side).collect();
    let price: Vec<&str> = rows.iter().map(|r| r.price.as_str()).collect();
    let delta: Vec<&str> = rows.iter().map(|r| r.delta.as_str()).collect();
    sqlx::query(
        "INSERT INTO rl_orderbook_deltas (id, session_id, market_ticker, sid, seq, recv_ts_ms, exchange_ts_ms, \
         side, price_dollars, delta_fp) \
         SELECT u.id, $1, u.m, u.sid, u.seq, u.recv, u.exch, u.side, u.price, u.delta \
         FROM UNNEST($2::int8[], $3::text[], $4::int8[], $5::int8[], $6::int8[], $7::int8[], $8::text[], \
         $9::text[], $10::text[]) AS u(id, m, sid, seq, recv, exch, side, price, delta)",
    )
    .bind(session_id)
    .bind(id)
    .bind(market)
    .bind(sid)
    .bind(seq)
    .bind(recv)
    .bind(exch)
    .bind(side)
    .bind(price)
    .bind(delta)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_snapshots(
    tx: &mut Transaction<'static, Postgres>,
    session_id: i64,
    ids: &[i64],
    batch: &Batch<'_>,
) -> Result<(), StoreError> {
    let rows = &batch.snapshots;
    if rows.is_empty() {
        return Ok(());
    }
    let id: Vec<i64> = rows.iter().map(|r| ids.get(r.position).copied().unwrap_or_default()).collect();
    let market: Vec<&str> = rows.iter().map(|r| r.market).collect();
    let sid: Vec<i64> = rows.iter().map(|r| r.header.sid).collect();
    let seq: Vec<i64> = rows.iter().map(|r| r.header.seq).collect();
    let recv: Vec<i64> = rows.iter().map(|r| r.header.recv_ms).collect();
    let exch: Vec<Option<i64>> = rows.iter().map(|r| r.header.exchange_ts_ms).collect();
    let yes: Vec<&str> = rows.iter().map(|r| r.yes.as_str()).collect();
    let no: Vec<&str> = rows.iter().map(|r| r.no.as_str()).collect();
    sqlx::query(
        "INSERT INTO rl_orderbook_snapshots (id, session_id, market_ticker, sid, seq, recv_ts_ms, exchange_ts_ms, \
         yes_levels, no_levels) \
         SELECT u.id, $1, u.m, u.sid, u.seq, u.recv, u.exch, u.yes, u.no \
         FROM UNNEST($2::int8[], $3::text[], $4::int8[], $5::int8[], $6::int8[], $7::int8[], $8::text[], \
         $9::text[]) AS u(id, m, sid, seq, recv, exch, yes, no)",
    )
    .bind(session_id)
    .bind(id)
    .bind(market)
    .bind(sid)
    .bind(seq)
    .bind(recv)
    .bind(exch)
    .bind(yes)
    .bind(no)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(crate) async fn sessions(pool: &PgPool) -> Result<Vec<RawSession>, StoreError> {
    let sql = format!("SELECT {SESSION_COLUMNS} FROM rl_orderbook_sessions ORDER BY id");
    Ok(sqlx::query_as(&sql).fetch_all(pool).await?)
}

/// Both record tables of a session (optionally one market), ids up to `upto`, in id order.
pub(crate) fn records<'e>(
    pool: &'e PgPool,
    session_id: i64,
    market: Option<&'e str>,
    upto: i64,
) -> BoxStream<'e, Result<RawRecord, sqlx::Error>> {
    const ALL: &str = "SELECT id, market_ticker, sid, seq, recv_ts_ms, exchange_ts_ms, NULL::text AS side, \
         yes_levels AS a, no_levels AS b FROM rl_orderbook_snapshots WHERE session_id = $1 AND id <= $2 \
         UNION ALL SELECT id, market_ticker, sid, seq, recv_ts_ms, exchange_ts_ms, side, price_dollars, delta_fp \
         FROM rl_orderbook_deltas WHERE session_id = $1 AND id <= $2 ORDER BY id";
    const ONE: &str = "SELECT id, market_ticker, sid, seq, recv_ts_ms, exchange_ts_ms, NULL::text AS side, \
         yes_levels AS a, no_levels AS b FROM rl_orderbook_snapshots \
         WHERE session_id = $1 AND market_ticker = $2 AND id <= $3 \
         UNION ALL SELECT id, market_ticker, sid, seq, recv_ts_ms, exchange_ts_ms, side, price_dollars, delta_fp \
         FROM rl_orderbook_deltas WHERE session_id = $1 AND market_ticker = $2 AND id <= $3 ORDER BY id";
    match market {
        None => sqlx::query_as(ALL).bind(session_id).bind(upto).fetch(pool),
        Some(m) => sqlx::query_as(ONE).bind(session_id).bind(m).bind(upto).fetch(pool),
    }
}

/// Writes actor rows in one transaction; a fill whose trade id the session already has is
/// ignored.
pub(crate) async fn insert_actor_rows(pool: &PgPool, session_id: i64, rows: &[ActorRow]) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut tx = pool.begin().await?;
    let session: Option<i64> = sqlx::query_scalar("SELECT id FROM rl_orderbook_sessions WHERE id = $1")
        .bind(session_id)
        .fetch_optional(&mut *tx)
        .await?;
    if session.is_none() {
        return Err(StoreError::UnknownSession(session_id));
    }
    for row in rows {
        let sql = row.table.insert_sql(true);
        let mut query = sqlx::query(&sql).bind(session_id);
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
pub(crate) async fn actor_rows(pool: &PgPool, session_id: i64) -> Result<RawActorRows, StoreError> {
    Ok(RawActorRows {
        actions: sqlx::query_as(&ACTIONS.select_sql(true)).bind(session_id).fetch_all(pool).await?,
        orders: sqlx::query_as(&ORDERS.select_sql(true)).bind(session_id).fetch_all(pool).await?,
        fills: sqlx::query_as(&FILLS.select_sql(true)).bind(session_id).fetch_all(pool).await?,
        positions: sqlx::query_as(&POSITIONS.select_sql(true)).bind(session_id).fetch_all(pool).await?,
        risk: sqlx::query_as(&RISK.select_sql(true)).bind(session_id).fetch_all(pool).await?,
    })
}
