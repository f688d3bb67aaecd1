// The engine's rates, counters and latency percentiles from the latest `stats` frame, with
// the risk state and rejection counts. A latency with no sample yet shows "—".

import { formatNum, formatUs } from "../format";
import type { Stats } from "../types";

function Latency({ label, p50, p99 }: { label: string; p50: number | null; p99: number | null }) {
  const id = label.replace(/\s+/g, "-");
  return (
    <tr>
      <td className="muted">{label}</td>
      <td className="num" data-testid={`${id}-p50`}>
        {formatUs(p50)}
      </td>
      <td className="num" data-testid={`${id}-p99`}>
        {formatUs(p99)}
      </td>
    </tr>
  );
}

function Counter({ label, value, warn = false }: { label: string; value: number; warn?: boolean }) {
  return (
    <>
      <dt>{label}</dt>
      <dd className={warn && value > 0 ? "warn" : ""}>{formatNum(value)}</dd>
    </>
  );
}

export function StatsPanel({ stats }: { stats: Stats | null }) {
  if (stats === null) {
    return (
      <section className="panel stats" data-testid="stats-panel">
        <h2>Stats</h2>
        <p className="empty">no stats yet</p>
      </section>
    );
  }
  const s = stats;
  const rejections = Object.entries(s.risk.rejections ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return (
    <section className="panel stats" data-testid="stats-panel">
      <h2>Stats</h2>
      <dl className="kv two">
        <Counter label="frames/s" value={s.frames_per_s} />
        <Counter label="acks/s" value={s.acks_per_s} />
        <Counter label="drops" value={s.drops} warn />
        <Counter label="queue depth" value={s.queue_depth} />
        <Counter label="seq gaps" value={s.seq_gaps} warn />
        <Counter label="stale markets" value={s.stale_markets} warn />
        <Counter label="observations" value={s.observations} />
        <Counter label="decisions" value={s.decisions} />
        <Counter label="requests" value={s.requests} />
        <Counter label="fills" value={s.fills} />
        <Counter label="live orders" value={s.live_orders} />
        <Counter label="discrepancies" value={s.discrepancies} warn />
      </dl>
      <table className="latency">
        <thead>
          <tr>
            <th>latency</th>
            <th className="num">p50</th>
            <th className="num">p99</th>
          </tr>
        </thead>
        <tbody>
          <Latency label="decision" p50={s.decision_p50_us} p99={s.decision_p99_us} />
          <Latency label="wire" p50={s.wire_p50_us} p99={s.wire_p99_us} />
          <Latency label="order rtt" p50={s.order_rtt_p50_us} p99={s.order_rtt_p99_us} />
          <Latency label="inference" p50={s.inference_p50_us} p99={s.inference_p99_us} />
        </tbody>
      </table>
      <dl className="kv">
        <dt>risk</dt>
        <dd className={s.risk.halted ? "bad" : "good"} data-testid="risk-state">
          {s.risk.halted ? `halted${s.risk.reason ? ` (${s.risk.reason})` : ""}` : "ok"}
        </dd>
        <dt>rejections</dt>
        <dd data-testid="rejections">
          {rejections.length === 0 ? "none" : rejections.map(([k, n]) => `${k} ${n}`).join(", ")}
        </dd>
        <dt>dashboard sessions</dt>
        <dd>
          {formatNum(s.sessions)}
          {s.dropped_sessions > 0 && <span className="warn"> ({s.dropped_sessions} dropped)</span>}
        </dd>
      </dl>
    </section>
  );
}
