// The selected market's touch over time (mid line, best bid and ask lines, from book frames)
// with our fills as markers: ▲ below the bar for buys, ▼ above for sells.

import {
  createSeriesMarkers, LineSeries, LineStyle, type IChartApi, type ISeriesApi, type ISeriesMarkersPluginApi,
  type Time,
} from "lightweight-charts";
import { useEffect, useMemo, useRef } from "react";
import { fillMarkers, priceLines, BUY_COLOR, SELL_COLOR, type PricePoint } from "../series";
import type { Fill } from "../types";
import { makeChart } from "./chart";

interface Props {
  market: string | null;
  points: PricePoint[];
  fills: Fill[];
}

interface Handles {
  chart: IChartApi;
  mid: ISeriesApi<"Line">;
  bid: ISeriesApi<"Line">;
  ask: ISeriesApi<"Line">;
  markers: ISeriesMarkersPluginApi<Time>;
}

const PRICE = { type: "price", precision: 4, minMove: 0.0001 } as const;

export function PriceChart({ market, points, fills }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<Handles | null>(null);
  const lines = useMemo(() => priceLines(points), [points]);
  const markers = useMemo(() => (market === null ? [] : fillMarkers(fills, market)), [fills, market]);

  useEffect(() => {
    if (box.current === null) return;
    const c = makeChart(box.current);
    const thin = { lineWidth: 1, lineStyle: LineStyle.Dotted, priceFormat: PRICE, lastValueVisible: false } as const;
    const bid = c.addSeries(LineSeries, { ...thin, color: BUY_COLOR, title: "bid" });
    const ask = c.addSeries(LineSeries, { ...thin, color: SELL_COLOR, title: "ask" });
    const mid = c.addSeries(LineSeries, { color: "#e0e6ed", lineWidth: 2, priceFormat: PRICE, title: "mid" });
    chart.current = { chart: c, mid, bid, ask, markers: createSeriesMarkers(mid, []) };
    return () => {
      chart.current = null;
      c.remove();
    };
  }, []);

  useEffect(() => {
    const h = chart.current;
    if (h === null) return;
    h.mid.setData(lines.mid);
    h.bid.setData(lines.bid);
    h.ask.setData(lines.ask);
  }, [lines]);

  useEffect(() => {
    chart.current?.markers.setMarkers(markers);
  }, [markers]);

  useEffect(() => {
    chart.current?.chart.timeScale().fitContent();
  }, [market]);

  return (
    <section className="panel chart-panel">
      <h2>
        Price <span className="muted">{market ?? "no market"}</span>
      </h2>
      <div className="chart" ref={box} data-testid="price-chart" />
    </section>
  );
}
