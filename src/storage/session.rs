//! Capture sessions: one `rl_orderbook_sessions` row per run of the pipeline.
//!
//! The snapshot and delta counts and the receive-time span of a session are maintained by
//! [`super::Store::insert_batch`] in the same transaction as the rows themselves, so they are
//! exact even for a session that never closed. The feed-level counters (records dropped
//! because the buffer was full, sequence gaps, reconnects) are known only to the actors
//! and are written by [`super::Store::end_session`].

use serde::Serialize;

use super::StoreError;

/// Where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    /// Recording (or the process died without closing it).
    Running,
    /// Ended cleanly: everything accepted was written.
    Closed,
    /// Ended on an error.
    Failed,
}

impl SessionStatus {
    /// The text stored in the `status` column.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStatus::Running => "running",
            SessionStatus::Closed => "closed",
            SessionStatus::Failed => "failed",
        }
    }

    pub(crate) fn parse(text: &str, id: i64) -> Result<SessionStatus, StoreError> {
        match text {
            "running" => Ok(SessionStatus::Running),
            "closed" => Ok(SessionStatus::Closed),
            "failed" => Ok(SessionStatus::Failed),
            other => {
                Err(StoreError::Decode { table: "rl_orderbook_sessions", id, reason: format!("status {other:?}") })
            }
        }
    }
}

/// Counters only the actors know, written when a session ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct SessionCounters {
    /// Records refused because the Persister's buffer was full (never acknowledged).
    pub dropped: u64,
    /// Sequence gaps seen by the feed.
    pub gaps: u64,
    /// WebSocket reconnects.
    pub reconnects: u64,
}

/// One session as listed by `kalshi-actor sessions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionRow {
    /// Session id.
    pub id: i64,
    /// Start, ms since the Unix epoch.
    pub started_at_ms: i64,
    /// End, when the session was closed.
    pub ended_at_ms: Option<i64>,
    /// Status.
    pub status: SessionStatus,
    /// WebSocket URL the feed connected to.
    pub ws_url: String,
    /// Market tickers subscribed at the start.
    pub markets: Vec<String>,
    /// Snapshot rows written.
    pub snapshots: u64,
    /// Delta rows written.
    pub deltas: u64,
    /// Records dropped (from [`SessionCounters`]).
    pub dropped: u64,
    /// Sequence gaps (from [`SessionCounters`]).
    pub gaps: u64,
    /// Reconnects (from [`SessionCounters`]).
    pub reconnects: u64,
    /// Receive time of the first record written.
    pub first_recv_ms: Option<i64>,
    /// Receive time of the last record written.
    pub last_recv_ms: Option<i64>,
}

impl SessionRow {
    /// Records written (snapshots and deltas).
    pub fn records(&self) -> u64 {
        self.snapshots + self.deltas
    }

    /// Milliseconds from the start to the end, or to the last record for a session that
    /// never closed.
    pub fn duration_ms(&self) -> i64 {
        let end = self.ended_at_ms.or(self.last_recv_ms).unwrap_or(self.started_at_ms);
        (end - self.started_at_ms).max(0)
    }
}

/// `rl_orderbook_sessions` as read by both backends.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct RawSession {
    pub id: i64,
    pub started_at_ms: i64,
    pub ended_at_ms: Option<i64>,
    pub status: String,
    pub ws_url: String,
    pub markets: String,
    pub snapshots_count: i64,
    pub deltas_count: i64,
    pub dropped_count: i64,
    pub gaps_count: i64,
    pub reconnects_count: i64,
    pub first_recv_ts_ms: Option<i64>,
    pub last_recv_ts_ms: Option<i64>,
}

/// The columns every session query selects, in [`RawSession`]'s order.
pub(crate) const SESSION_COLUMNS: &str = "id, started_at_ms, ended_at_ms, status, ws_url, markets, snapshots_count, \
     deltas_count, dropped_count, gaps_count, reconnects_count, first_recv_ts_ms, last_recv_ts_ms";

impl RawSession {
    pub(crate) fn decode(self) -> Result<SessionRow, StoreError> {
        let id = self.id;
        let markets = serde_json::from_str(&self.markets).map_err(|e| StoreError::Decode {
            table: "rl_orderbook_sessions",
            id,
            reason: format!("markets: {e}"),
        })?;
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        Ok(SessionRow {
            id,
            started_at_ms: self.started_at_ms,
            ended_at_ms: self.ended_at_ms,
            status: SessionStatus::parse(&self.status, id)?,
            ws_url: self.ws_url,
            markets,
            snapshots: n(self.snapshots_count),
            deltas: n(self.deltas_count),
            dropped: n(self.dropped_count),
            gaps: n(self.gaps_count),
            reconnects: n(self.reconnects_count),
            first_recv_ms: self.first_recv_ts_ms,
            last_recv_ms: self.last_recv_ts_ms,
        })
    }
}

/// A counter as the signed 64-bit integer both databases store.
pub(crate) fn db_count(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_round_trips_and_rows_decode() {
        for s in [SessionStatus::Running, SessionStatus::Closed, SessionStatus::Failed] {
            assert_eq!(SessionStatus::parse(s.as_str(), 1).unwrap(), s);
        }
        assert!(matches!(SessionStatus::parse("paused", 2), Err(StoreError::Decode { id: 2, .. })));
        let raw = RawSession {
            id: 5,
            started_at_ms: 1_000,
            ended_at_ms: None,
            status: "running".into(),
            ws_url: "ws://x".into(),
            markets: r#"["A","B"]"#.into(),
            snapshots_count: 2,
            deltas_count: 40,
            dropped_count: 0,
            gaps_count: 1,
            reconnects_count: 0,
            first_recv_ts_ms: Some(1_100),
            last_recv_ts_ms: Some(4_000),
        };
        let row = raw.clone().decode().unwrap();
        assert_eq!(row.markets, ["A", "B"]);
        assert_eq!((row.records(), row.duration_ms(), row.gaps), (42, 3_000, 1));
        assert!(RawSession { markets: "A,B".into(), ..raw }.decode().is_err());
        assert_eq!(db_count(u64::MAX), i64::MAX);
    }
}
