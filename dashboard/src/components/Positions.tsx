// Positions per market (contracts, cost basis, realized P&L, fees) and the latest cash and
// portfolio value, with the value's change since the first sample.

import { formatCents, formatCount, formatMoney, toUnits } from "../format";
import type { PnlPoint, Position } from "../types";

interface Props {
  positions: Record<string, Position>;
  pnl: PnlPoint | null;
  /** The first sample seen: the session P&L's zero. */
  firstPnl: PnlPoint | null;
}

const sign = (money: string) => {
  const u = toUnits(money, 6);
  return u === null || u === 0n ? "" : u < 0n ? "neg" : "pos";
};

export function Positions({ positions, pnl, firstPnl }: Props) {
  const rows = Object.values(positions).sort((a, b) => a.market.localeCompare(b.market));
  const change = pnl && firstPnl ? pnl.value_cents - firstPnl.value_cents : null;
  return (
    <section className="panel positions">
      <h2>Positions</h2>
      <dl className="kv">
        <dt>cash</dt>
        <dd data-testid="cash">{pnl ? formatCents(pnl.cash_cents) : "—"}</dd>
        <dt>value</dt>
        <dd data-testid="portfolio-value">{pnl ? formatCents(pnl.value_cents) : "—"}</dd>
        <dt>P&amp;L (session)</dt>
        <dd className={change === null ? "" : change < 0 ? "neg" : change > 0 ? "pos" : ""}>
          {change === null ? "—" : formatCents(change, true)}
        </dd>
      </dl>
      <table>
        <thead>
          <tr>
            <th>market</th>
            <th className="num">pos</th>
            <th className="num">cost</th>
            <th className="num">realized</th>
            <th className="num">fees</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((p) => (
            <tr key={p.market} data-testid="position-row">
              <td>{p.market}</td>
              <td className="num">{formatCount(p.position)}</td>
              <td className="num">{formatMoney(p.cost_basis)}</td>
              <td className={`num ${sign(p.realized_pnl)}`}>{formatMoney(p.realized_pnl)}</td>
              <td className="num">{formatMoney(p.fees)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && <p className="empty">no positions</p>}
    </section>
  );
}
