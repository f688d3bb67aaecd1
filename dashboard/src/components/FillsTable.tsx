// Our fills, newest first: time, market, side, price, count, fee, taker or maker.

import { formatCount, formatMoney, formatPrice, formatTime } from "../format";
import type { Fill } from "../types";

export function FillsTable({ fills }: { fills: Fill[] }) {
  const rows = [...fills].reverse();
  return (
    <section className="panel table-panel">
      <h2>
        Fills <span className="muted">{fills.length}</span>
      </h2>
      <div className="scroll">
        <table>
          <thead>
            <tr>
              <th>time</th>
              <th>market</th>
              <th>side</th>
              <th className="num">price</th>
              <th className="num">count</th>
              <th className="num">fee</th>
              <th>liq</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((f) => (
              <tr key={f.trade_id} data-testid="fill-row" title={`trade ${f.trade_id}, position after ${f.post_position}`}>
                <td className="time">{formatTime(f.ts_ms)}</td>
                <td className="market" title={f.market}>{f.market}</td>
                <td className={f.side}>{f.side === "bid" ? "buy" : "sell"}</td>
                <td className="num">{formatPrice(f.price)}</td>
                <td className="num">{formatCount(f.count)}</td>
                <td className="num" title={f.fee}>{formatMoney(f.fee)}</td>
                <td>{f.is_taker ? "taker" : "maker"}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === 0 && <p className="empty">no fills yet</p>}
      </div>
    </section>
  );
}
