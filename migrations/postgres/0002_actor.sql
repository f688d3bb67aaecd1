-- Actor tables (PostgreSQL): what the trading side records, next to the market data of the
-- same session. Decisions with their observation, order state changes, our fills,
-- positions and risk events.
--
-- Prices, counts and money are Kalshi's exact decimal strings ("0.4300", "10.00",
-- "0.017500"), never floats. `probs` and `observation` are JSON arrays of f32 that read
-- back bit for bit. The five tables share one id space (rl_actor_record_id_seq), taken in
-- the order the records are written, so ordering their union by `id` replays a session's
-- trading exactly.
--
-- Unlike the market-data tables these keep their FOREIGN KEY to the session: a few rows
-- per decision, not thousands per second, so the referential-integrity check costs
-- nothing that matters.

CREATE SEQUENCE rl_actor_record_id_seq AS BIGINT;

CREATE TABLE rl_actor_actions (
    id             BIGINT  PRIMARY KEY DEFAULT nextval('rl_actor_record_id_seq'),
    session_id     BIGINT  NOT NULL REFERENCES rl_orderbook_sessions (id),
    market_ticker  TEXT    NOT NULL,
    action         BIGINT  NOT NULL CHECK (action >= 0),
    action_name    TEXT    NOT NULL,
    probs          TEXT    NOT NULL,
    observation    TEXT    NOT NULL,
    model_id       TEXT    NOT NULL,
    seq            BIGINT  NOT NULL,
    recv_ts_ms     BIGINT  NOT NULL,
    ts_ms          BIGINT  NOT NULL,
    dry_run        BOOLEAN NOT NULL
);

CREATE INDEX rl_actor_actions_session ON rl_actor_actions (session_id, id);

-- One row per state change of an order.
CREATE TABLE rl_actor_orders (
    id               BIGINT PRIMARY KEY DEFAULT nextval('rl_actor_record_id_seq'),
    session_id       BIGINT NOT NULL REFERENCES rl_orderbook_sessions (id),
    kind             TEXT   NOT NULL CHECK (kind IN ('sent', 'placed', 'amended', 'canceled',
                                                     'rejected', 'executed', 'unknown')),
    market_ticker    TEXT   NOT NULL,
    client_order_id  TEXT   NOT NULL,
    order_id         TEXT,
    side             TEXT   NOT NULL CHECK (side IN ('bid', 'ask')),
    price            TEXT   NOT NULL,
    remaining        TEXT   NOT NULL,
    filled           TEXT   NOT NULL,
    reason           TEXT   NOT NULL,
    ts_ms            BIGINT NOT NULL
);

CREATE INDEX rl_actor_orders_session ON rl_actor_orders (session_id, id);

-- A fill is stored once per session: a redelivered trade id is ignored by the writer.
CREATE TABLE rl_actor_fills (
    id               BIGINT  PRIMARY KEY DEFAULT nextval('rl_actor_record_id_seq'),
    session_id       BIGINT  NOT NULL REFERENCES rl_orderbook_sessions (id),
    trade_id         TEXT    NOT NULL,
    order_id         TEXT    NOT NULL,
    client_order_id  TEXT,
    market_ticker    TEXT    NOT NULL,
    side             TEXT    NOT NULL CHECK (side IN ('bid', 'ask')),
    price            TEXT    NOT NULL,
    count            TEXT    NOT NULL,
    fee              TEXT    NOT NULL,
    is_taker         BOOLEAN NOT NULL,
    post_position    TEXT    NOT NULL,
    ts_ms            BIGINT  NOT NULL,
    UNIQUE (session_id, trade_id)
);

CREATE INDEX rl_actor_fills_session ON rl_actor_fills (session_id, id);

CREATE TABLE rl_actor_positions (
    id             BIGINT PRIMARY KEY DEFAULT nextval('rl_actor_record_id_seq'),
    session_id     BIGINT NOT NULL REFERENCES rl_orderbook_sessions (id),
    market_ticker  TEXT   NOT NULL,
    position       TEXT   NOT NULL,
    cost_basis     TEXT   NOT NULL,
    realized_pnl   TEXT   NOT NULL,
    fees           TEXT   NOT NULL,
    ts_ms          BIGINT NOT NULL
);

CREATE INDEX rl_actor_positions_session ON rl_actor_positions (session_id, id);

CREATE TABLE rl_actor_risk_events (
    id             BIGINT  PRIMARY KEY DEFAULT nextval('rl_actor_record_id_seq'),
    session_id     BIGINT  NOT NULL REFERENCES rl_orderbook_sessions (id),
    kind           TEXT    NOT NULL,
    market_ticker  TEXT,
    detail         TEXT    NOT NULL,
    halted         BOOLEAN NOT NULL,
    ts_ms          BIGINT  NOT NULL
);

CREATE INDEX rl_actor_risk_events_session ON rl_actor_risk_events (session_id, id);
