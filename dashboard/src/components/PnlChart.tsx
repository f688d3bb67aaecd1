// The portfolio's P&L in dollars since the first `actor_pnl` sample, as a line over time.

import { LineSeries, type IChartApi, type ISeriesApi } from "lightweight-charts";
import { useEffect, useMemo, useRef } from "react";
import { formatCents } from "../format";
import { pnlLine } from "../series";
import type { PnlPoint } from "../types";
import { makeChart } from "./chart";

interface Props {
  points: PnlPoint[];
  /** The zero of the line (default: the first point). */
  base?: PnlPoint | null;
}

export function PnlChart({ points, base }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<{ chart: IChartApi; line: ISeriesApi<"Line"> } | null>(null);
  const data = useMemo(() => pnlLine(points, base ?? points[0] ?? null), [points, base]);

  useEffect(() => {
    if (box.current === null) return;
    const c = makeChart(box.current);
    const line = c.addSeries(LineSeries, {
      color: "#4fc3f7",
      lineWidth: 2,
      priceFormat: { type: "price", precision: 2, minMove: 0.01 },
    });
    chart.current = { chart: c, line };
    return () => {
      chart.current = null;
      c.remove();
    };
  }, []);

  useEffect(() => {
    chart.current?.line.setData(data);
  }, [data]);

  const last = data[data.length - 1];
  return (
    <section className="panel chart-panel">
      <h2>
        P&amp;L <span className="muted">{last === undefined ? "no samples yet" : formatCents(last.value * 100, true)}</span>
      </h2>
      <div className="chart" ref={box} data-testid="pnl-chart" />
    </section>
  );
}
