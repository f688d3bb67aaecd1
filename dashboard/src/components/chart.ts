// Shared lightweight-charts setup: a dark chart that sizes itself to its container and labels
// times (UTC seconds on the wire) in local wall time.

import { createChart, type IChartApi, type Time } from "lightweight-charts";
import { formatTime } from "../format";

const pad = (n: number) => String(n).padStart(2, "0");

/** Seconds since the epoch as local "HH:MM:SS". */
function localClock(time: Time): string {
  if (typeof time !== "number") return String(time);
  const d = new Date(time * 1000);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function makeChart(el: HTMLElement): IChartApi {
  return createChart(el, {
    autoSize: true,
    layout: { background: { color: "#12161c" }, textColor: "#9aa4b2", fontSize: 11 },
    grid: { vertLines: { color: "#1e252e" }, horzLines: { color: "#1e252e" } },
    rightPriceScale: { borderColor: "#2a323d" },
    timeScale: { borderColor: "#2a323d", timeVisible: true, secondsVisible: true, tickMarkFormatter: localClock },
    localization: { timeFormatter: (t: Time) => (typeof t === "number" ? formatTime(t * 1000) : String(t)) },
    crosshair: { mode: 0 },
  });
}
