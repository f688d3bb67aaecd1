// Book arithmetic (the YES ask ladder, the touch) and chart series built from the state:
// lightweight-charts wants times in seconds, strictly increasing within a series.

import type { UTCTimestamp } from "lightweight-charts";
import { priceTicks, ticksToPrice } from "./format";
import type { Book, Fill, Level, PnlPoint } from "./types";

/** One sample of a market's touch, in dollars (null: that side is empty). */
export interface PricePoint {
  t: number; // Unix ms
  bid: number | null;
  ask: number | null;
  mid: number | null;
}

export interface LinePoint {
  time: UTCTimestamp;
  value: number;
}

export interface FillMarker {
  time: UTCTimestamp;
  position: "belowBar" | "aboveBar";
  shape: "arrowUp" | "arrowDown";
  color: string;
}

/** A level with its price in ticks (1/10000 dollar), malformed levels dropped. */
function ticked(levels: Level[]): Array<{ ticks: number; size: string }> {
  return levels.map((l) => ({ ticks: priceTicks(l.price), size: l.size })).filter((l) => Number.isFinite(l.ticks));
}

/** The YES asks, ascending: each NO bid at p is a YES ask at 1 − p (integer ticks), same size. */
export function yesAsks(book: Book): Level[] {
  return ticked(book.no_bids)
    .map((l) => ({ ticks: 10000 - l.ticks, size: l.size }))
    .sort((a, b) => a.ticks - b.ticks)
    .map((l) => ({ price: ticksToPrice(l.ticks), size: l.size }));
}

/** The YES bids, descending by price. */
export function yesBids(book: Book): Level[] {
  return ticked(book.yes_bids)
    .sort((a, b) => b.ticks - a.ticks)
    .map((l) => ({ price: ticksToPrice(l.ticks), size: l.size }));
}

/** Best YES bid and ask in ticks (null: side empty). */
export function touchTicks(book: Book): { bid: number | null; ask: number | null } {
  const bids = ticked(book.yes_bids).map((l) => l.ticks);
  const nos = ticked(book.no_bids).map((l) => l.ticks);
  return {
    bid: bids.length ? Math.max(...bids) : null,
    ask: nos.length ? 10000 - Math.max(...nos) : null,
  };
}

/** The book's touch as a chart sample in dollars. */
export function pricePoint(book: Book): PricePoint {
  const { bid, ask } = touchTicks(book);
  const mid = bid !== null && ask !== null ? (bid + ask) / 2 : null;
  const d = (t: number | null) => (t === null ? null : t / 10000);
  return { t: book.timestamp_ms, bid: d(bid), ask: d(ask), mid: d(mid) };
}

/**
 * Appends `p` to a time-ordered series bounded to `cap`: a sample in the same second as the
 * last one replaces it (the last value of a second wins), an older one is dropped.
 */
export function appendCollapsed<T>(series: T[], p: T, cap: number, ms: (x: T) => number): T[] {
  const last = series[series.length - 1];
  if (last !== undefined) {
    const sec = Math.floor(ms(p) / 1000);
    const lastSec = Math.floor(ms(last) / 1000);
    if (sec < lastSec || (sec === lastSec && ms(p) < ms(last))) return series;
    if (sec === lastSec) return [...series.slice(0, -1), p];
  }
  const next = [...series, p];
  return next.length > cap ? next.slice(next.length - cap) : next;
}

/** Samples (ms, value) as chart points: seconds, strictly increasing, last value of a second kept. */
export function toLine(samples: Array<{ t: number; v: number | null }>): LinePoint[] {
  const out: LinePoint[] = [];
  for (const s of samples) {
    if (s.v === null || !Number.isFinite(s.v) || !Number.isFinite(s.t)) continue;
    const time = Math.floor(s.t / 1000) as UTCTimestamp;
    const last = out[out.length - 1];
    if (last !== undefined && time < last.time) continue;
    if (last !== undefined && time === last.time) out[out.length - 1] = { time, value: s.v };
    else out.push({ time, value: s.v });
  }
  return out;
}

/** P&L in dollars since `base` (default: the first point): (value_cents − base value_cents) / 100. */
export function pnlLine(points: PnlPoint[], base: PnlPoint | null = points[0] ?? null): LinePoint[] {
  if (base === null) return [];
  return toLine(points.map((p) => ({ t: p.timestamp_ms, v: (p.value_cents - base.value_cents) / 100 })));
}

/** The bid, ask and mid lines of a market's samples. */
export function priceLines(points: PricePoint[]): { bid: LinePoint[]; ask: LinePoint[]; mid: LinePoint[] } {
  return {
    bid: toLine(points.map((p) => ({ t: p.t, v: p.bid }))),
    ask: toLine(points.map((p) => ({ t: p.t, v: p.ask }))),
    mid: toLine(points.map((p) => ({ t: p.t, v: p.mid }))),
  };
}

export const BUY_COLOR = "#26a69a";
export const SELL_COLOR = "#ef5350";

/** Our fills in `market` as chart markers (buys ▲ below the bar, sells ▼ above), time-ordered. */
export function fillMarkers(fills: Fill[], market: string): FillMarker[] {
  return fills
    .filter((f) => f.market === market && Number.isFinite(f.ts_ms))
    .slice()
    .sort((a, b) => a.ts_ms - b.ts_ms)
    .map((f) => {
      const buy = f.side === "bid";
      // No text: a busy market would bury the line under labels; the fills table has the details.
      return {
        time: Math.floor(f.ts_ms / 1000) as UTCTimestamp,
        position: buy ? "belowBar" : "aboveBar",
        shape: buy ? "arrowUp" : "arrowDown",
        color: buy ? BUY_COLOR : SELL_COLOR,
      };
    });
}
