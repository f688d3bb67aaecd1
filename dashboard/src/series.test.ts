// Tests of the chart series: second-resolution, strictly increasing times; P&L; fill markers.

import { describe, expect, it } from "vitest";
import { appendCollapsed, fillMarkers, pnlLine, priceLines, toLine, type PricePoint } from "./series";
import type { Fill, PnlPoint } from "./types";

describe("time collapse", () => {
  it("toLine converts ms to seconds, keeps the last value of a second, drops older samples", () => {
    const line = toLine([
      { t: 1000, v: 1 },
      { t: 1500, v: 2 },
      { t: 2999, v: 3 },
      { t: 1200, v: 9 },
      { t: 3000, v: null },
      { t: 4000, v: 4 },
    ]);
    expect(line).toEqual([
      { time: 1, value: 2 },
      { time: 2, value: 3 },
      { time: 4, value: 4 },
    ]);
    for (let i = 1; i < line.length; i++) expect(line[i]!.time).toBeGreaterThan(line[i - 1]!.time);
  });

  it("appendCollapsed replaces within a second, ignores the past, bounds the length", () => {
    const ms = (x: { t: number }) => x.t;
    let s = appendCollapsed<{ t: number }>([], { t: 1000 }, 3, ms);
    s = appendCollapsed(s, { t: 1700 }, 3, ms);
    expect(s).toEqual([{ t: 1700 }]);
    expect(appendCollapsed(s, { t: 900 }, 3, ms)).toBe(s);
    expect(appendCollapsed(s, { t: 1600 }, 3, ms)).toBe(s);
    s = [2000, 3000, 4000].reduce((acc, t) => appendCollapsed(acc, { t }, 3, ms), s);
    expect(s.map((p) => p.t)).toEqual([2000, 3000, 4000]);
  });
});

describe("chart series", () => {
  it("P&L is value minus the first value, in dollars", () => {
    const pts: PnlPoint[] = [
      { cash_cents: 0, value_cents: 1000000, timestamp_ms: 10_000 },
      { cash_cents: 0, value_cents: 999988, timestamp_ms: 11_000 },
      { cash_cents: 0, value_cents: 1000250, timestamp_ms: 12_500 },
    ];
    expect(pnlLine(pts)).toEqual([
      { time: 10, value: 0 },
      { time: 11, value: -0.12 },
      { time: 12, value: 2.5 },
    ]);
    expect(pnlLine([])).toEqual([]);
  });

  it("price lines skip empty sides", () => {
    const pts: PricePoint[] = [
      { t: 1000, bid: 0.36, ask: 0.42, mid: 0.39 },
      { t: 2000, bid: 0.37, ask: null, mid: null },
    ];
    const l = priceLines(pts);
    expect(l.bid.map((p) => p.value)).toEqual([0.36, 0.37]);
    expect(l.ask).toEqual([{ time: 1, value: 0.42 }]);
    expect(l.mid).toEqual([{ time: 1, value: 0.39 }]);
  });

  it("fill markers: buys ▲ below, sells ▼ above, this market only, in time order", () => {
    const f = (o: Partial<Fill>): Fill => ({
      trade_id: "t", order_id: "o", client_order_id: "c", market: "M", side: "bid", price: "0.5700", count: "10.00",
      fee: "0", is_taker: true, post_position: "0", ts_ms: 0, ...o,
    });
    const m = fillMarkers(
      [f({ ts_ms: 5_500, side: "ask", price: "0.0990", count: "2.00" }), f({ ts_ms: 3_200 }), f({ market: "X", ts_ms: 1 })],
      "M",
    );
    expect(m.map((x) => [x.time, x.position, x.shape])).toEqual([
      [3, "belowBar", "arrowUp"],
      [5, "aboveBar", "arrowDown"],
    ]);
    expect(m.map((x) => x.color)).toEqual(["#26a69a", "#ef5350"]);
  });
});
