// The selected market's YES ladder: asks (derived from NO bids) above, bids below, the spread
// between, and our live orders' remaining size marked on their price level (right column).

import { formatCount, formatPrice, priceTicks, ticksToPrice, toUnits } from "../format";
import { yesAsks, yesBids } from "../series";
import type { Book, Level, OrderEvent, Side } from "../types";

interface Props {
  market: string | null;
  book: Book | undefined;
  /** Our live orders in this market. */
  orders: OrderEvent[];
}

interface Row {
  price: string;
  ticks: number;
  size: string | null;
  /** Our remaining size at this level, in hundredths of a contract (0: none). */
  ours: bigint;
}

/** The side's levels with our orders' remaining merged in (a row added where no level is). */
export function ladderRows(levels: Level[], orders: OrderEvent[], side: Side): Row[] {
  const rows = new Map<number, Row>();
  for (const l of levels) rows.set(priceTicks(l.price), { price: l.price, ticks: priceTicks(l.price), size: l.size, ours: 0n });
  for (const o of orders) {
    if (o.side !== side) continue;
    const ticks = priceTicks(o.price);
    if (!Number.isFinite(ticks)) continue;
    const row = rows.get(ticks) ?? { price: ticksToPrice(ticks), ticks, size: null, ours: 0n };
    row.ours += toUnits(o.remaining, 2) ?? 0n;
    rows.set(ticks, row);
  }
  const sorted = [...rows.values()].sort((a, b) => a.ticks - b.ticks);
  return side === "bid" ? sorted.reverse() : sorted;
}

/** Hundredths of a contract as a count string. */
const hundredths = (u: bigint) => formatCount(`${u / 100n}.${(u % 100n).toString().padStart(2, "0")}`);

function LadderRow({ row, side, maxSize }: { row: Row; side: Side; maxSize: number }) {
  const size = row.size === null ? 0 : parseFloat(row.size);
  const width = maxSize > 0 ? Math.min(100, (size / maxSize) * 100) : 0;
  return (
    <div className={`ladder-row ${side}`} data-testid={side === "bid" ? "ladder-bid" : "ladder-ask"} data-price={row.price}>
      <span className="price">{formatPrice(row.price)}</span>
      <span className="size">
        <span className="depth" style={{ width: `${width}%` }} />
        <span className="num">{row.size === null ? "" : formatCount(row.size)}</span>
      </span>
      <span className="ours">
        {row.ours > 0n && (
          <span className="our-order" data-testid="our-order-marker" title="our remaining size">
            {hundredths(row.ours)}
          </span>
        )}
      </span>
    </div>
  );
}

export function Ladder({ market, book, orders }: Props) {
  const asks = ladderRows(book ? yesAsks(book) : [], orders, "ask");
  const bids = ladderRows(book ? yesBids(book) : [], orders, "bid");
  const maxSize = Math.max(0, ...[...asks, ...bids].map((r) => (r.size === null ? 0 : parseFloat(r.size))));
  const bestAsk = book ? yesAsks(book)[0] : undefined;
  const bestBid = book ? yesBids(book)[0] : undefined;
  const spread =
    bestAsk && bestBid ? formatPrice(ticksToPrice(priceTicks(bestAsk.price) - priceTicks(bestBid.price))) : "—";

  return (
    <section className="panel ladder" data-testid="ladder">
      <h2>
        Ladder <span className="muted">{market ?? "no market"}</span>
      </h2>
      <div className="ladder-head">
        <span>YES price</span>
        <span>size</span>
        <span>ours</span>
      </div>
      {book === undefined && orders.length === 0 ? (
        <p className="empty">no book yet</p>
      ) : (
        <>
          {/* Asks are in ascending order in the DOM; CSS shows the best ask next to the spread. */}
          <div className="ladder-asks">
            {asks.map((r) => (
              <LadderRow key={r.ticks} row={r} side="ask" maxSize={maxSize} />
            ))}
          </div>
          <div className="ladder-spread" data-testid="ladder-spread">
            spread {spread}
            {book && <span className="muted"> · seq {book.sequence_number}</span>}
          </div>
          <div className="ladder-bids">
            {bids.map((r) => (
              <LadderRow key={r.ticks} row={r} side="bid" maxSize={maxSize} />
            ))}
          </div>
        </>
      )}
    </section>
  );
}
