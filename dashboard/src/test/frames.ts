// Test fixtures: the frames captured from the service, as builders with overridable fields.

import type {
  ActorAction, Book, ConnectionInfo, FeedStatus, Fill, Frame, OrderEvent, PnlPoint, Position, RiskEvent, Stats,
} from "../types";

export const M1 = "INXD-26NOV26-B6100";
export const M2 = "KXCPIYOY-26NOV-T2.8";

export const frame = (type: string, data: unknown): Frame => ({ type, data });

export const connection = (o: Partial<ConnectionInfo> = {}): Frame =>
  frame("connection", { dry_run: false, markets: [M1, M2], mode: "sim", model: "ppo_default", version: "0.1.0", ...o });

export const book = (o: Partial<Book> = {}): Frame =>
  frame("orderbook_snapshot", {
    market: M1,
    timestamp_ms: 1795672647080,
    sequence_number: 534,
    yes_bids: [{ price: "0.3600", size: "62.00" }, { price: "0.3500", size: "53.00" }],
    no_bids: [{ price: "0.5800", size: "19.00" }, { price: "0.5700", size: "26.00" }, { price: "0.5600", size: "50.00" }],
    ...o,
  });

export const pnl = (o: Partial<PnlPoint> = {}): Frame =>
  frame("actor_pnl", { cash_cents: 999412.84, value_cents: 999967.84, timestamp_ms: 1795672640783, ...o });

export const action = (o: Partial<ActorAction> = {}): Frame =>
  frame("actor_action", {
    market: M2, action: 1, name: "BUY_YES", probs: [0.13013831, 0.47741586, 0.12376426, 0.036878858, 0.23180278],
    model_id: "ppo_default", seq: 77, timestamp_ms: 1795672640779, inference_us: 162.941, ...o,
  });

export const order = (o: Partial<OrderEvent> = {}): Frame =>
  frame("actor_order", {
    kind: "sent", market: M2, client_order_id: "ka-c66f-1", order_id: null, side: "bid", price: "0.5700",
    remaining: "10.00", filled: "0.00", reason: "", ts_ms: 1795672640781, ...o,
  });

export const position = (o: Partial<Position> = {}): Frame =>
  frame("actor_position", {
    market: M2, position: "10.00", cost_basis: "5.700000", realized_pnl: "0.000000", fees: "0.171600",
    ts_ms: 1795672640783, ...o,
  });

export const fill = (o: Partial<Fill> = {}): Frame =>
  frame("actor_fill", {
    trade_id: "00000002-...-0d", order_id: "00000001-...-48", client_order_id: "ka-c66f-1", market: M2, side: "bid",
    price: "0.5700", count: "10.00", fee: "0.171600", is_taker: true, post_position: "10.00", ts_ms: 1795672640782, ...o,
  });

export const risk = (o: Partial<RiskEvent> = {}): Frame =>
  frame("risk_event", { kind: "max_position", market: M2, detail: "order blocked", halted: false, ts_ms: 1795672643295, ...o });

export const statsData = (o: Partial<Stats> = {}): Stats => ({
  timestamp_ms: 1795672650000, frames_per_s: 812.0, acks_per_s: 790.5, drops: 0, dropped_sessions: 0, queue_depth: 3,
  seq_gaps: 0, stale_markets: 0, observations: 1200, decisions: 1190, requests: 60, fills: 30, live_orders: 1,
  discrepancies: 0, decision_p50_us: 51.2, decision_p99_us: 107.0, wire_p50_us: 14.7, wire_p99_us: 59.0,
  order_rtt_p50_us: 850.0, order_rtt_p99_us: 2400.0, inference_p50_us: 2.8, inference_p99_us: 3.1, sessions: 1,
  risk: { halted: false, reason: null, rejections: { max_position: 44 } }, ...o,
});
export const stats = (o: Partial<Stats> = {}): Frame => frame("stats", statsData(o));

export const feedStatusData = (o: Partial<FeedStatus> = {}): FeedStatus => ({
  timestamp_ms: 1795672650000, connected: true, connects: 1, disconnects: 0, stalls: 0, last_frame_age_ms: 12,
  stale_markets: [], database: { ok: true, queue_depth: 3, written: 5120, dropped: 0, write_failures: 0 },
  actors: { market_feed: "ok", book_keeper: "ok", persister: "ok", observer: "ok", policy: "ok", order_executor: "ok" },
  ...o,
});
export const feedStatus = (o: Partial<FeedStatus> = {}): Frame => frame("feed_status", feedStatusData(o));
