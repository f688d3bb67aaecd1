// Wire types of the kalshi-actor dashboard feed (`/rl/ws`) and the control endpoints.
// Prices are YES dollar strings with 4 decimals, counts strings with 2, money strings with 6.

/** Every WebSocket message: `{"type": ..., "data": ...}`. */
export interface Frame {
  type: string;
  data: unknown;
}

export interface ConnectionInfo {
  dry_run: boolean;
  markets: string[];
  mode: string;
  model: string;
  version: string;
}

export interface Level {
  price: string;
  size: string;
}

export interface Book {
  market: string;
  timestamp_ms: number;
  sequence_number: number;
  yes_bids: Level[];
  no_bids: Level[];
}

export interface PnlPoint {
  cash_cents: number;
  value_cents: number;
  timestamp_ms: number;
}

export interface ActorAction {
  market: string;
  action: number;
  name: string;
  probs: number[];
  model_id: string;
  seq: number;
  timestamp_ms: number;
  inference_us: number;
}

export type OrderKind = "sent" | "placed" | "amended" | "canceled" | "rejected" | "executed" | "unknown";
export type Side = "bid" | "ask";

export interface OrderEvent {
  kind: OrderKind;
  market: string;
  client_order_id: string;
  order_id: string | null;
  side: Side;
  price: string;
  remaining: string;
  filled: string;
  reason: string;
  ts_ms: number;
}

export interface Position {
  market: string;
  position: string;
  cost_basis: string;
  realized_pnl: string;
  fees: string;
  ts_ms: number;
}

export interface Fill {
  trade_id: string;
  order_id: string;
  client_order_id: string;
  market: string;
  side: Side;
  price: string;
  count: string;
  fee: string;
  is_taker: boolean;
  post_position: string;
  ts_ms: number;
}

export interface RiskEvent {
  kind: string;
  market: string | null;
  detail: string;
  halted: boolean;
  ts_ms: number;
}

export interface RiskState {
  halted: boolean;
  reason: string | null;
  rejections: Record<string, number>;
}

/** Latency fields are null until the first sample. */
export interface Stats {
  timestamp_ms: number;
  frames_per_s: number;
  acks_per_s: number;
  drops: number;
  dropped_sessions: number;
  queue_depth: number;
  seq_gaps: number;
  stale_markets: number;
  observations: number;
  decisions: number;
  requests: number;
  fills: number;
  live_orders: number;
  discrepancies: number;
  decision_p50_us: number | null;
  decision_p99_us: number | null;
  wire_p50_us: number | null;
  wire_p99_us: number | null;
  order_rtt_p50_us: number | null;
  order_rtt_p99_us: number | null;
  inference_p50_us: number | null;
  inference_p99_us: number | null;
  sessions: number;
  risk: RiskState;
}

export interface DatabaseStatus {
  ok: boolean;
  queue_depth: number;
  written: number;
  dropped: number;
  write_failures: number;
}

export interface FeedStatus {
  timestamp_ms: number;
  connected: boolean;
  connects: number;
  disconnects: number;
  stalls: number;
  last_frame_age_ms: number | null;
  stale_markets: string[];
  database: DatabaseStatus;
  actors: Record<string, string>;
}

/** The answer of `POST /rl/actor/halt`, `POST /rl/actor/resume` and `GET /rl/actor/status`. */
export interface ControlAnswer {
  halted: boolean;
  reason: string | null;
  dry_run: boolean;
}

/** Action index → name, as the policy numbers them. */
export const ACTION_NAMES = ["HOLD", "BUY_YES", "SELL_YES", "BUY_NO", "SELL_NO"] as const;
