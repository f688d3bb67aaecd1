// Tests of the pure state: every frame type, live orders, bounds, reconnects, trading state,
// the selected market and the ask ladder.

import { describe, expect, it } from "vitest";
import {
  applyControl, chooseMarket, initialState, LIMITS, liveOrdersIn, reduce, selectedMarket, tradingState, yesAsks,
  yesBids, type State,
} from "./state";
import * as F from "./test/frames";
import type { Book, Frame } from "./types";

const fold = (frames: Frame[], s: State = initialState) => frames.reduce(reduce, s);

describe("reduce: each frame type", () => {
  it("connection sets the markets, mode and dry-run flag", () => {
    const s = fold([F.connection({ dry_run: true })]);
    expect(s.connection?.markets).toEqual([F.M1, F.M2]);
    expect(s.connection?.mode).toBe("sim");
    expect(s.dryRun).toBe(true);
    expect(s.connections).toBe(1);
  });

  it("a book frame replaces its market's book and samples the touch", () => {
    let s = fold([F.book()]);
    expect(s.books[F.M1]?.yes_bids).toHaveLength(2);
    s = reduce(s, F.book({ timestamp_ms: 1795672648000, yes_bids: [{ price: "0.4000", size: "1.00" }], no_bids: [] }));
    expect(s.books[F.M1]?.yes_bids).toEqual([{ price: "0.4000", size: "1.00" }]);
    expect(s.books[F.M1]?.no_bids).toEqual([]);
    expect(s.priceSeries[F.M1]).toEqual([
      { t: 1795672647080, bid: 0.36, ask: 0.42, mid: 0.39 },
      { t: 1795672648000, bid: 0.4, ask: null, mid: null },
    ]);
  });

  it("actor_pnl keeps the latest and a series", () => {
    const s = fold([F.pnl(), F.pnl({ value_cents: 1000000, timestamp_ms: 1795672642000 })]);
    expect(s.pnl?.value_cents).toBe(1000000);
    expect(s.pnlSeries.map((p) => p.value_cents)).toEqual([999967.84, 1000000]);
    expect(s.pnlBase?.value_cents).toBe(999967.84);
  });

  it("actions, fills and risk events are listed and deduplicated", () => {
    const s = fold([F.action(), F.action(), F.action({ seq: 78 }), F.fill(), F.fill(), F.risk(), F.risk()]);
    expect(s.actions.map((a) => a.seq)).toEqual([77, 78]);
    expect(s.fills).toHaveLength(1);
    expect(s.riskEvents).toHaveLength(1);
  });

  it("a position replaces the market's older one only", () => {
    let s = fold([F.position(), F.position({ position: "4.00", ts_ms: 1795672640900 })]);
    expect(s.positions[F.M2]?.position).toBe("4.00");
    s = reduce(s, F.position({ position: "99.00", ts_ms: 1 }));
    expect(s.positions[F.M2]?.position).toBe("4.00");
  });

  it("stats and feed_status are kept as the latest", () => {
    const s = fold([F.stats(), F.feedStatus({ connected: false })]);
    expect(s.stats?.frames_per_s).toBe(812);
    expect(s.feedStatus?.connected).toBe(false);
  });

  it("unknown types and malformed data are ignored but counted", () => {
    const s = fold([F.frame("mystery", { a: 1 }), F.frame("actor_action", null), F.frame("orderbook_snapshot", { market: 5 })]);
    expect(s.ignored).toBe(3);
    expect(s.frames).toBe(0);
    expect({ ...s, ignored: 0 }).toEqual(initialState);
  });
});

describe("live orders", () => {
  const id = "ka-c66f-1";
  it("follow sent → placed → amended → canceled", () => {
    let s = fold([F.order({ kind: "sent" })]);
    expect(s.liveOrders[id]?.kind).toBe("sent");
    s = reduce(s, F.order({ kind: "placed", order_id: "x", ts_ms: 1795672640790 }));
    expect(s.liveOrders[id]?.kind).toBe("placed");
    s = reduce(s, F.order({ kind: "amended", price: "0.5600", remaining: "6.00", ts_ms: 1795672640800 }));
    expect(s.liveOrders[id]?.price).toBe("0.5600");
    expect(liveOrdersIn(s, F.M2)).toHaveLength(1);
    expect(liveOrdersIn(s, F.M1)).toHaveLength(0);
    s = reduce(s, F.order({ kind: "canceled", ts_ms: 1795672640900 }));
    expect(s.liveOrders[id]).toBeUndefined();
    expect(s.orderEvents.map((o) => o.kind)).toEqual(["sent", "placed", "amended", "canceled"]);
  });

  it("end when executed, rejected, or nothing remains", () => {
    for (const end of [{ kind: "executed" }, { kind: "rejected" }, { kind: "placed", remaining: "0.00" }] as const) {
      const s = fold([F.order(), F.order({ ...end, ts_ms: 1795672640790 })]);
      expect(s.liveOrders[id], JSON.stringify(end)).toBeUndefined();
    }
  });

  it("stay live while unknown, and an older event does not undo a newer one", () => {
    let s = fold([F.order({ kind: "unknown" })]);
    expect(s.liveOrders[id]?.kind).toBe("unknown");
    s = reduce(s, F.order({ kind: "placed", remaining: "3.00", ts_ms: 1795672640999 }));
    s = reduce(s, F.order({ kind: "sent", remaining: "10.00", ts_ms: 1795672640000 }));
    expect(s.liveOrders[id]?.remaining).toBe("3.00");
  });
});

describe("bounds and reconnects", () => {
  it("keeps only the last N of each list", () => {
    const actions = Array.from({ length: LIMITS.actions + 50 }, (_, i) => F.action({ seq: i }));
    const orders = Array.from({ length: LIMITS.orders + 5 }, (_, i) => F.order({ client_order_id: `o${i}` }));
    const fills = Array.from({ length: LIMITS.fills + 5 }, (_, i) => F.fill({ trade_id: `t${i}` }));
    const s = fold([...actions, ...orders, ...fills]);
    expect(s.actions).toHaveLength(LIMITS.actions);
    expect(s.actions[0]?.seq).toBe(50);
    expect(s.actions.at(-1)?.seq).toBe(LIMITS.actions + 49);
    expect(s.orderEvents).toHaveLength(LIMITS.orders);
    expect(s.fills).toHaveLength(LIMITS.fills);
    expect(s.fills[0]?.trade_id).toBe("t5");
  });

  it("bounds the P&L and price series", () => {
    const t0 = 1795672640000;
    const pnls = Array.from({ length: LIMITS.pnl + 10 }, (_, i) => F.pnl({ timestamp_ms: t0 + i * 1000 }));
    const books = Array.from({ length: LIMITS.price + 10 }, (_, i) => F.book({ timestamp_ms: t0 + i * 1000 }));
    const s = fold([...pnls, ...books]);
    expect(s.pnlSeries).toHaveLength(LIMITS.pnl);
    expect(s.pnlSeries[0]?.timestamp_ms).toBe(t0 + 10_000);
    expect(s.priceSeries[F.M1]).toHaveLength(LIMITS.price);
  });

  it("a second connection frame resets the replayed lists: no duplicates", () => {
    const session = [F.connection(), F.book(), F.action(), F.order(), F.fill(), F.risk(), F.position(), F.pnl()];
    let s = fold(session);
    s = chooseMarket(s, F.M2);
    s = fold(session, s);
    expect(s.connections).toBe(2);
    expect(s.actions).toHaveLength(1);
    expect(s.orderEvents).toHaveLength(1);
    expect(s.fills).toHaveLength(1);
    expect(s.riskEvents).toHaveLength(1);
    expect(Object.keys(s.liveOrders)).toEqual(["ka-c66f-1"]);
    expect(s.pnlSeries).toHaveLength(1);
    expect(s.priceSeries[F.M1]).toHaveLength(1);
    expect(s.userMarket).toBe(F.M2);
  });

  it("a reconnect forgets a live order that ended while away, and a vanished market choice", () => {
    let s = fold([F.connection(), F.order()]);
    s = chooseMarket(s, F.M2);
    s = fold([F.connection({ markets: [F.M1] })], s);
    expect(s.liveOrders).toEqual({});
    expect(s.books).toEqual({});
    expect(s.userMarket).toBeNull();
  });
});

describe("trading state", () => {
  it("halt and resume risk events set it from their flag", () => {
    let s = fold([F.connection(), F.risk({ kind: "halt", market: null, detail: "operator", halted: true })]);
    expect([s.halted, s.haltReason, tradingState(s)]).toEqual([true, "operator", "halted"]);
    s = reduce(s, F.risk({ kind: "resume", market: null, detail: "operator", halted: false, ts_ms: 1795672643999 }));
    expect([s.halted, tradingState(s)]).toEqual([false, "trading"]);
  });

  it("a limit event halts only when it says so", () => {
    let s = reduce(initialState, F.risk({ halted: false }));
    expect(s.halted).toBe(false);
    s = reduce(s, F.risk({ kind: "max_daily_loss", halted: true, detail: "loss limit", ts_ms: 1795672644000 }));
    expect([s.halted, s.haltReason]).toEqual([true, "loss limit"]);
    s = reduce(s, F.risk({ kind: "max_position", halted: false, ts_ms: 1795672645000 }));
    expect(s.halted).toBe(true);
  });

  it("stats carry the risk state", () => {
    let s = reduce(initialState, F.stats({ risk: { halted: true, reason: "dashboard", rejections: {} } }));
    expect([s.halted, s.haltReason]).toEqual([true, "dashboard"]);
    s = reduce(s, F.stats());
    expect(s.halted).toBe(false);
  });

  it("control answers set halted and dry run; halted outranks dry run", () => {
    let s = applyControl(initialState, { halted: false, reason: null, dry_run: true });
    expect(tradingState(s)).toBe("dry run");
    s = applyControl(s, { halted: true, reason: "dashboard", dry_run: true });
    expect(tradingState(s)).toBe("halted");
  });
});

describe("selectedMarket", () => {
  it("is the user's choice, else the latest action's market, else the first market with a book", () => {
    let s = fold([F.connection()]);
    expect(selectedMarket(s)).toBe(F.M1);
    s = reduce(s, F.book({ market: F.M2 }));
    expect(selectedMarket(s)).toBe(F.M2);
    s = reduce(s, F.book({ market: F.M1 }));
    expect(selectedMarket(s)).toBe(F.M1);
    s = reduce(s, F.action({ market: F.M2 }));
    expect(selectedMarket(s)).toBe(F.M2);
    s = chooseMarket(s, F.M1);
    expect(selectedMarket(s)).toBe(F.M1);
    s = chooseMarket(s, null);
    expect(selectedMarket(s)).toBe(F.M2);
  });
  it("is null with nothing known", () => {
    expect(selectedMarket(initialState)).toBeNull();
  });
});

describe("yesAsks / yesBids", () => {
  const b = (no: string[], yes: string[] = []): Book => ({
    market: F.M1, timestamp_ms: 0, sequence_number: 0,
    yes_bids: yes.map((price) => ({ price, size: "1.00" })),
    no_bids: no.map((price, i) => ({ price, size: `${i + 1}.00` })),
  });
  it("derives asks as the integer complement of NO bids, ascending, with their sizes", () => {
    expect(yesAsks(b(["0.5800", "0.5700", "0.5600"]))).toEqual([
      { price: "0.4200", size: "1.00" },
      { price: "0.4300", size: "2.00" },
      { price: "0.4400", size: "3.00" },
    ]);
  });
  it("is exact for sub-penny prices", () => {
    expect(yesAsks(b(["0.9010", "0.0990", "0.0001"])).map((l) => l.price)).toEqual(["0.0990", "0.9010", "0.9999"]);
  });
  it("sorts bids descending", () => {
    expect(yesBids(b([], ["0.3500", "0.3600", "0.0990"])).map((l) => l.price)).toEqual(["0.3600", "0.3500", "0.0990"]);
  });
});
