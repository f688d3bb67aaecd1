// A stand-in for lightweight-charts (which needs canvas and matchMedia, absent in jsdom):
// records charts, series and marker plugins so tests can check what the components drew.

import { vi } from "vitest";

export interface MockSeries {
  options: Record<string, unknown>;
  setData: ReturnType<typeof vi.fn>;
}
export interface MockMarkers {
  series: MockSeries;
  initial: unknown[];
  setMarkers: ReturnType<typeof vi.fn>;
}
export interface MockChart {
  el: HTMLElement;
  series: MockSeries[];
  remove: ReturnType<typeof vi.fn>;
  fitContent: ReturnType<typeof vi.fn>;
}

export const charts: MockChart[] = [];
export const markerPlugins: MockMarkers[] = [];

export function resetCharts(): void {
  charts.length = 0;
  markerPlugins.length = 0;
}

/** The module factory for `vi.mock("lightweight-charts", ...)`. */
export function chartModule() {
  return {
    LineSeries: { type: "Line" },
    LineStyle: { Solid: 0, Dotted: 1, Dashed: 2 },
    createChart: vi.fn((el: HTMLElement) => {
      const chart: MockChart = { el, series: [], remove: vi.fn(), fitContent: vi.fn() };
      charts.push(chart);
      return {
        addSeries: vi.fn((_def: unknown, options: Record<string, unknown> = {}) => {
          const s: MockSeries = { options, setData: vi.fn() };
          chart.series.push(s);
          return s;
        }),
        timeScale: () => ({ fitContent: chart.fitContent }),
        remove: chart.remove,
      };
    }),
    createSeriesMarkers: vi.fn((series: MockSeries, initial: unknown[] = []) => {
      const m: MockMarkers = { series, initial, setMarkers: vi.fn() };
      markerPlugins.push(m);
      return m;
    }),
  };
}
