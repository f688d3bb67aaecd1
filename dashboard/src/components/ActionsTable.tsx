// The policy's latest decisions: time, market, action, the five action probabilities as
// small bars, and the inference time. Newest first.

import { formatPct, formatTime, formatUs } from "../format";
import { ACTION_NAMES, type ActorAction } from "../types";
import { TablePanel } from "./TablePanel";

function Probs({ probs, chosen }: { probs: number[]; chosen: number }) {
  return (
    <span className="probs">
      {ACTION_NAMES.map((name, i) => {
        const p = probs[i] ?? 0;
        return (
          <span key={name} className={`prob ${i === chosen ? "chosen" : ""}`} title={`${name} ${formatPct(p)}`}>
            <span className="prob-bar" style={{ height: `${(Math.max(0, Math.min(1, p)) * 100).toFixed(1)}%` }} />
          </span>
        );
      })}
      <span className="prob-text">{formatPct(probs[chosen] ?? NaN)}</span>
    </span>
  );
}

export function ActionsTable({ actions }: { actions: ActorAction[] }) {
  const rows = [...actions].reverse();
  return (
    <TablePanel
      title="Actions"
      badge={<span className="muted">{actions.length}</span>}
      columns={[
        { label: "time" },
        { label: "market" },
        { label: "action" },
        { label: "probs", title: "HOLD, BUY_YES, SELL_YES, BUY_NO, SELL_NO" },
        { label: "infer", num: true },
      ]}
      empty="no actions yet"
      rows={rows.map((a) => (
        <tr key={`${a.market}#${a.seq}`} data-testid="action-row">
          <td className="time">{formatTime(a.timestamp_ms)}</td>
          <td className="market" title={a.market}>{a.market}</td>
          <td className={`action a${a.action}`}>{a.name}</td>
          <td>
            <Probs probs={a.probs} chosen={a.action} />
          </td>
          <td className="num">{formatUs(a.inference_us)}</td>
        </tr>
      ))}
    />
  );
}
