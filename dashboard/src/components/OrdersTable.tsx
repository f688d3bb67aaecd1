// Our order events (newest first) and the number of orders live now.

import { formatCount, formatPrice, formatTime } from "../format";
import { orderKey } from "../state";
import type { OrderEvent } from "../types";

interface Props {
  events: OrderEvent[];
  liveCount: number;
}

export function OrdersTable({ events, liveCount }: Props) {
  const rows = [...events].reverse();
  return (
    <section className="panel table-panel">
      <h2>
        Orders <span className="muted" data-testid="live-count">{liveCount} live</span>
      </h2>
      <div className="scroll">
        <table>
          <thead>
            <tr>
              <th>time</th>
              <th>market</th>
              <th>kind</th>
              <th>side</th>
              <th className="num">price</th>
              <th className="num">remaining</th>
              <th className="num">filled</th>
              <th>reason</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((o) => (
              <tr key={orderKey(o)} data-testid="order-row" title={`${o.client_order_id}${o.order_id ? ` / ${o.order_id}` : ""}`}>
                <td className="time">{formatTime(o.ts_ms)}</td>
                <td className="market" title={o.market}>{o.market}</td>
                <td className={`kind kind-${o.kind}`}>{o.kind}</td>
                <td className={o.side}>{o.side === "bid" ? "buy" : "sell"}</td>
                <td className="num">{formatPrice(o.price)}</td>
                <td className="num">{formatCount(o.remaining)}</td>
                <td className="num">{formatCount(o.filled)}</td>
                <td className="reason">{o.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === 0 && <p className="empty">no orders yet</p>}
      </div>
    </section>
  );
}
