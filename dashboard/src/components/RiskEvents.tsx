// The latest risk events (limits that fired, halts, resumes, discrepancies), newest first.

import { formatTime } from "../format";
import { riskKey } from "../state";
import type { RiskEvent } from "../types";

export function RiskEvents({ events, limit = 50 }: { events: RiskEvent[]; limit?: number }) {
  const rows = events.slice(-limit).reverse();
  return (
    <section className="panel risk">
      <h2>
        Risk events <span className="muted">{events.length}</span>
      </h2>
      <div className="scroll">
        <table>
          <tbody>
            {rows.map((r) => (
              <tr key={riskKey(r)} data-testid="risk-row" className={r.halted ? "halted" : ""}>
                <td className="time">{formatTime(r.ts_ms)}</td>
                <td className="kind">{r.kind}</td>
                <td className="reason">
                  {r.detail}
                  {r.market !== null && <span className="muted"> · {r.market}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === 0 && <p className="empty">no risk events</p>}
      </div>
    </section>
  );
}
