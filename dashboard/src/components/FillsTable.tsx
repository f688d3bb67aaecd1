// Our fills, newest first: time, market, side, price, count, fee, taker or maker.

import { formatCount, formatMoney, formatPrice, formatTime } from "../format";
import { TablePanel } from "./TablePanel";
import type { Fill } from "../types";

export function FillsTable({ fills }: { fills: Fill[] }) {
  const rows = [...fills].reverse();
  return (
    <TablePanel
      title="Fills"
      badge={<span className="muted">{fills.length}</span>}
      columns={[
        { label: "time" },
        { label: "market" },
        { label: "side" },
        { label: "price", num: true },
        { label: "count", num: true },
        { label: "fee", num: true },
        { label: "liq" },
      ]}
      empty="no fills yet"
      rows={rows.map((f) => (
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
    />
  );
}
