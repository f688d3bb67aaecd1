// Our order events (newest first) and the number of orders live now.

import { formatCount, formatPrice, formatTime } from "../format";
import { orderKey } from "../state";
import { TablePanel } from "./TablePanel";
import type { OrderEvent } from "../types";

interface Props {
  events: OrderEvent[];
  liveCount: number;
}

export function OrdersTable({ events, liveCount }: Props) {
  const rows = [...events].reverse();
  return (
    <TablePanel
      title="Orders"
      badge={<span className="muted" data-testid="live-count">{liveCount} live</span>}
      columns={[
        { label: "time" },
        { label: "market" },
        { label: "kind" },
        { label: "side" },
        { label: "price", num: true },
        { label: "remaining", num: true },
        { label: "filled", num: true },
        { label: "reason" },
      ]}
      empty="no orders yet"
      rows={rows.map((o) => (
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
    />
  );
}
