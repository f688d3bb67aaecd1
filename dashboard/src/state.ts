// The dashboard's pure state: `reduce(state, frame)` folds every feed frame in; bounded,
// deduplicated event lists; live orders, positions, P&L and price series; the trading state.

import { isPositiveCount } from "./format";
import { appendCollapsed, pricePoint, type PricePoint } from "./series";
import type {
  ActorAction, Book, ConnectionInfo, ControlAnswer, FeedStatus, Fill, Frame, OrderEvent, PnlPoint,
  Position, RiskEvent, Stats,
} from "./types";

export { yesAsks, yesBids } from "./series";

/** How much of each list is kept. */
export const LIMITS = { actions: 200, orders: 200, fills: 200, risk: 200, pnl: 5000, price: 5000 } as const;

export interface State {
  connection: ConnectionInfo | null;
  /** `connection` frames seen (1 + reconnects). */
  connections: number;
  books: Record<string, Book>;
  /** Per market, one touch sample per second at most. */
  priceSeries: Record<string, PricePoint[]>;
  actions: ActorAction[];
  orderEvents: OrderEvent[];
  /** Our resting or pending orders by client order id. */
  liveOrders: Record<string, OrderEvent>;
  fills: Fill[];
  positions: Record<string, Position>;
  pnl: PnlPoint | null;
  /** The first P&L sample this page saw: the P&L chart's zero. */
  pnlBase: PnlPoint | null;
  pnlSeries: PnlPoint[];
  riskEvents: RiskEvent[];
  stats: Stats | null;
  feedStatus: FeedStatus | null;
  halted: boolean;
  haltReason: string | null;
  dryRun: boolean;
  /** The market the user picked (null: follow the policy). */
  userMarket: string | null;
  /** Frames folded in, and those ignored (unknown type or malformed data). */
  frames: number;
  ignored: number;
}

export const initialState: State = {
  connection: null,
  connections: 0,
  books: {},
  priceSeries: {},
  actions: [],
  orderEvents: [],
  liveOrders: {},
  fills: [],
  positions: {},
  pnl: null,
  pnlBase: null,
  pnlSeries: [],
  riskEvents: [],
  stats: null,
  feedStatus: null,
  halted: false,
  haltReason: null,
  dryRun: false,
  userMarket: null,
  frames: 0,
  ignored: 0,
};

/** Order kinds under which an order with something remaining is still live. */
const LIVE_KINDS: ReadonlySet<string> = new Set(["sent", "placed", "amended", "unknown"]);

export const actionKey = (a: ActorAction) => `${a.market}#${a.seq}`;
export const orderKey = (o: OrderEvent) => `${o.client_order_id}#${o.kind}#${o.ts_ms}#${o.remaining}`;
export const fillKey = (f: Fill) => f.trade_id;
export const riskKey = (r: RiskEvent) => `${r.kind}#${r.market ?? ""}#${r.ts_ms}#${r.detail}`;

/** `list` with `item` appended unless an item with its key is there, keeping the last `cap`. */
function pushUnique<T>(list: T[], item: T, key: (x: T) => string, cap: number): T[] {
  const k = key(item);
  if (list.some((x) => key(x) === k)) return list;
  const next = [...list, item];
  return next.length > cap ? next.slice(next.length - cap) : next;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const has = (o: Obj, fields: Record<string, string>) =>
  Object.entries(fields).every(([k, t]) => (t === "array" ? Array.isArray(o[k]) : typeof o[k] === t));

/** Minimal shape checks per frame type: a frame failing its check is ignored. */
const SHAPES: Record<string, Record<string, string>> = {
  connection: { markets: "array", mode: "string" },
  orderbook_snapshot: { market: "string", yes_bids: "array", no_bids: "array", timestamp_ms: "number" },
  actor_pnl: { value_cents: "number", cash_cents: "number", timestamp_ms: "number" },
  actor_action: { market: "string", seq: "number", probs: "array" },
  actor_order: { client_order_id: "string", kind: "string", market: "string", remaining: "string" },
  actor_position: { market: "string", position: "string" },
  actor_fill: { trade_id: "string", market: "string", side: "string" },
  risk_event: { kind: "string", halted: "boolean" },
  stats: { timestamp_ms: "number", risk: "object" },
  feed_status: { connected: "boolean", database: "object" },
};

/** Folds one feed frame into the state; unknown or malformed frames are only counted. */
export function reduce(state: State, frame: Frame): State {
  const shape = SHAPES[frame.type];
  if (shape === undefined || !isObj(frame.data) || !has(frame.data, shape)) {
    return { ...state, ignored: state.ignored + 1 };
  }
  const s = { ...state, frames: state.frames + 1 };
  const d = frame.data;
  switch (frame.type) {
    case "connection":
      return onConnection(s, d as unknown as ConnectionInfo);
    case "orderbook_snapshot":
      return onBook(s, d as unknown as Book);
    case "actor_pnl": {
      const p = d as unknown as PnlPoint;
      const pnlSeries = appendCollapsed(s.pnlSeries, p, LIMITS.pnl, (x) => x.timestamp_ms);
      return { ...s, pnl: p, pnlBase: s.pnlBase ?? p, pnlSeries };
    }
    case "actor_action":
      return { ...s, actions: pushUnique(s.actions, d as unknown as ActorAction, actionKey, LIMITS.actions) };
    case "actor_order":
      return onOrder(s, d as unknown as OrderEvent);
    case "actor_position": {
      const p = d as unknown as Position;
      const old = s.positions[p.market];
      if (old !== undefined && p.ts_ms < old.ts_ms) return s;
      return { ...s, positions: { ...s.positions, [p.market]: p } };
    }
    case "actor_fill":
      return { ...s, fills: pushUnique(s.fills, d as unknown as Fill, fillKey, LIMITS.fills) };
    case "risk_event":
      return onRisk(s, d as unknown as RiskEvent);
    case "stats": {
      const st = d as unknown as Stats;
      return { ...s, stats: st, halted: Boolean(st.risk.halted), haltReason: st.risk.reason ?? null };
    }
    case "feed_status":
      return { ...s, feedStatus: d as unknown as FeedStatus };
    default:
      return { ...state, ignored: state.ignored + 1 };
  }
}

/**
 * A (re)connect: the server replays its current books and recent events next, so the event
 * lists, books and live orders start over (no duplicates, no order left live by a missed end).
 * Series, positions and the P&L are kept (replayed samples collapse into them).
 */
function onConnection(s: State, c: ConnectionInfo): State {
  const markets = c.markets.filter((m): m is string => typeof m === "string");
  const connection = { ...c, markets, dry_run: Boolean(c.dry_run) };
  return {
    ...s,
    connection,
    connections: s.connections + 1,
    dryRun: connection.dry_run,
    books: {},
    actions: [],
    orderEvents: [],
    liveOrders: {},
    fills: [],
    riskEvents: [],
    userMarket: s.userMarket !== null && markets.includes(s.userMarket) ? s.userMarket : null,
  };
}

/** A book frame is the whole book of its market: it replaces the previous one. */
function onBook(s: State, b: Book): State {
  const series = s.priceSeries[b.market] ?? [];
  return {
    ...s,
    books: { ...s.books, [b.market]: b },
    priceSeries: { ...s.priceSeries, [b.market]: appendCollapsed(series, pricePoint(b), LIMITS.price, (x) => x.t) },
  };
}

function onOrder(s: State, o: OrderEvent): State {
  const orderEvents = pushUnique(s.orderEvents, o, orderKey, LIMITS.orders);
  if (orderEvents === s.orderEvents) return s;
  const old = s.liveOrders[o.client_order_id];
  if (old !== undefined && o.ts_ms < old.ts_ms) return { ...s, orderEvents };
  const liveOrders = { ...s.liveOrders };
  if (LIVE_KINDS.has(o.kind) && isPositiveCount(o.remaining)) liveOrders[o.client_order_id] = o;
  else delete liveOrders[o.client_order_id];
  return { ...s, orderEvents, liveOrders };
}

/** `halt`/`resume` set the trading state from their flag; any other event can only halt. */
function onRisk(s: State, r: RiskEvent): State {
  const riskEvents = pushUnique(s.riskEvents, r, riskKey, LIMITS.risk);
  if (riskEvents === s.riskEvents) return s;
  if (r.kind === "halt" || r.kind === "resume") {
    return { ...s, riskEvents, halted: r.halted, haltReason: r.halted ? r.detail || r.kind : null };
  }
  if (r.halted) return { ...s, riskEvents, halted: true, haltReason: r.detail || r.kind };
  return { ...s, riskEvents };
}

/** Folds a halt / resume / status answer in. */
export function applyControl(s: State, a: ControlAnswer): State {
  return { ...s, halted: a.halted, haltReason: a.reason, dryRun: a.dry_run };
}

/** Records the user's market choice (null: follow the policy again). */
export function chooseMarket(s: State, market: string | null): State {
  return { ...s, userMarket: market };
}

/** The market shown: the user's choice, else the latest action's, else the first with a book. */
export function selectedMarket(s: State): string | null {
  if (s.userMarket !== null) return s.userMarket;
  const last = s.actions[s.actions.length - 1];
  if (last !== undefined) return last.market;
  const markets = s.connection?.markets ?? [];
  const withBook = markets.find((m) => s.books[m] !== undefined) ?? Object.keys(s.books)[0];
  return withBook ?? markets[0] ?? null;
}

export type TradingState = "trading" | "halted" | "dry run";

/** What the header says about trading: a halt outranks dry run. */
export function tradingState(s: State): TradingState {
  if (s.halted) return "halted";
  return s.dryRun ? "dry run" : "trading";
}

/** Our live orders in `market`. */
export function liveOrdersIn(s: State, market: string): OrderEvent[] {
  return Object.values(s.liveOrders).filter((o) => o.market === market);
}
