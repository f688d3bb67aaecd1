// Tests of the charts against a mocked lightweight-charts: the P&L line and the price lines
// with fill markers, in seconds and strictly increasing.

import { render } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { initialState, reduce } from "../state";
import { charts, markerPlugins, resetCharts } from "../test/chartMock";
import * as F from "../test/frames";
import type { Frame } from "../types";
import { PnlChart } from "./PnlChart";
import { PriceChart } from "./PriceChart";

vi.mock("lightweight-charts", async () => (await import("../test/chartMock")).chartModule());

const fold = (frames: Frame[]) => frames.reduce(reduce, initialState);
const lastData = (fn: { mock: { calls: unknown[][] } }) => fn.mock.calls[fn.mock.calls.length - 1]?.[0];

beforeEach(resetCharts);

describe("PnlChart", () => {
  it("draws value minus the first value, in dollars per second", () => {
    const s = fold([
      F.pnl({ value_cents: 1000000, timestamp_ms: 1795672640100 }),
      F.pnl({ value_cents: 999900, timestamp_ms: 1795672640900 }),
      F.pnl({ value_cents: 1000250, timestamp_ms: 1795672642000 }),
    ]);
    const { rerender, unmount, getByTestId } = render(<PnlChart points={s.pnlSeries} base={s.pnlBase} />);
    expect(charts).toHaveLength(1);
    expect(charts[0]!.el).toBe(getByTestId("pnl-chart"));
    const line = charts[0]!.series[0]!;
    expect(lastData(line.setData)).toEqual([
      { time: 1795672640, value: -1 },
      { time: 1795672642, value: 2.5 },
    ]);
    const more = reduce(s, F.pnl({ value_cents: 1000000, timestamp_ms: 1795672643000 }));
    rerender(<PnlChart points={more.pnlSeries} base={more.pnlBase} />);
    expect(lastData(line.setData)).toHaveLength(3);
    expect(charts).toHaveLength(1);
    unmount();
    expect(charts[0]!.remove).toHaveBeenCalled();
  });
});

describe("PriceChart", () => {
  const frames = [
    F.connection(),
    F.book({ market: F.M2, timestamp_ms: 1795672640100 }),
    F.book({ market: F.M2, timestamp_ms: 1795672640600, yes_bids: [{ price: "0.3700", size: "1.00" }] }),
    F.book({ market: F.M2, timestamp_ms: 1795672641200, no_bids: [{ price: "0.0990", size: "1.00" }] }),
    F.fill({ ts_ms: 1795672641500 }),
    F.fill({ trade_id: "t2", side: "ask", ts_ms: 1795672640200 }),
    F.fill({ trade_id: "t3", market: F.M1, ts_ms: 1795672640300 }),
  ];

  it("draws mid, bid and ask of the market, collapsed to seconds", () => {
    const s = fold(frames);
    render(<PriceChart market={F.M2} points={s.priceSeries[F.M2]!} fills={s.fills} />);
    const [bid, ask, mid] = charts[0]!.series;
    expect(mid!.options.title).toBe("mid");
    expect(lastData(bid!.setData)).toEqual([
      { time: 1795672640, value: 0.37 },
      { time: 1795672641, value: 0.36 },
    ]);
    expect(lastData(ask!.setData)).toEqual([
      { time: 1795672640, value: 0.42 },
      { time: 1795672641, value: 0.901 },
    ]);
    expect(lastData(mid!.setData)).toEqual([
      { time: 1795672640, value: 0.395 },
      { time: 1795672641, value: 0.6305 },
    ]);
  });

  it("marks our fills on the mid line: buys ▲ below, sells ▼ above", () => {
    const s = fold(frames);
    render(<PriceChart market={F.M2} points={s.priceSeries[F.M2]!} fills={s.fills} />);
    expect(markerPlugins).toHaveLength(1);
    expect(markerPlugins[0]!.series).toBe(charts[0]!.series[2]);
    const markers = lastData(markerPlugins[0]!.setMarkers) as Array<Record<string, unknown>>;
    expect(markers.map((m) => [m.time, m.position, m.shape])).toEqual([
      [1795672640, "aboveBar", "arrowDown"],
      [1795672641, "belowBar", "arrowUp"],
    ]);
  });

  it("redraws for another market without a new chart", () => {
    const s = fold(frames);
    const { rerender } = render(<PriceChart market={F.M2} points={s.priceSeries[F.M2]!} fills={s.fills} />);
    rerender(<PriceChart market={F.M1} points={[]} fills={s.fills} />);
    expect(charts).toHaveLength(1);
    expect(lastData(charts[0]!.series[2]!.setData)).toEqual([]);
    const markers = lastData(markerPlugins[0]!.setMarkers) as unknown[];
    expect(markers).toHaveLength(1);
    expect(charts[0]!.fitContent).toHaveBeenCalledTimes(2);
  });
});
