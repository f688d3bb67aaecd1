-- Market-data capture (SQLite). Table names are the seed's; every book state of a session
-- can be rebuilt from these three tables alone.
--
-- Prices and sizes are Kalshi's exact decimal strings ("0.4300", "40.50"), never floats.
-- Snapshot and delta rows share one id space: `id` is assigned by the writer, ascending in
-- the order the records were received, so ordering the union of both tables by `id`
-- replays a session exactly.

CREATE TABLE rl_orderbook_sessions (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at_ms     INTEGER NOT NULL,
    ended_at_ms       INTEGER,
    status            TEXT    NOT NULL DEFAULT 'running'
                      CHECK (status IN ('running', 'closed', 'failed')),
    ws_url            TEXT    NOT NULL,
    markets           TEXT    NOT NULL DEFAULT '[]',
    snapshots_count   INTEGER NOT NULL DEFAULT 0,
    deltas_count      INTEGER NOT NULL DEFAULT 0,
    dropped_count     INTEGER NOT NULL DEFAULT 0,
    gaps_count        INTEGER NOT NULL DEFAULT 0,
    reconnects_count  INTEGER NOT NULL DEFAULT 0,
    first_recv_ts_ms  INTEGER,
    last_recv_ts_ms   INTEGER
);

CREATE TABLE rl_orderbook_snapshots (
    id              INTEGER PRIMARY KEY,
    session_id      INTEGER NOT NULL REFERENCES rl_orderbook_sessions (id),
    market_ticker   TEXT    NOT NULL,
    sid             INTEGER NOT NULL,
    seq             INTEGER NOT NULL,
    recv_ts_ms      INTEGER NOT NULL,
    exchange_ts_ms  INTEGER,
    yes_levels      TEXT    NOT NULL,
    no_levels       TEXT    NOT NULL
);

CREATE INDEX rl_orderbook_snapshots_session_market
    ON rl_orderbook_snapshots (session_id, market_ticker, id);

CREATE TABLE rl_orderbook_deltas (
    id              INTEGER PRIMARY KEY,
    session_id      INTEGER NOT NULL REFERENCES rl_orderbook_sessions (id),
    market_ticker   TEXT    NOT NULL,
    sid             INTEGER NOT NULL,
    seq             INTEGER NOT NULL,
    recv_ts_ms      INTEGER NOT NULL,
    exchange_ts_ms  INTEGER,
    side            TEXT    NOT NULL CHECK (side IN ('yes', 'no')),
    price_dollars   TEXT    NOT NULL,
    delta_fp        TEXT    NOT NULL
);

CREATE INDEX rl_orderbook_deltas_session_market
    ON rl_orderbook_deltas (session_id, market_ticker, id);
