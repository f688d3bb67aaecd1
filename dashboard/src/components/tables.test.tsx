// Tests of the tables and lists: actions, orders, fills, positions, risk events, market picker.

import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { initialState, reduce, type State } from "../state";
import * as F from "../test/frames";
import type { Frame } from "../types";
import { ActionsTable } from "./ActionsTable";
import { FillsTable } from "./FillsTable";
import { MarketPicker } from "./MarketPicker";
import { OrdersTable } from "./OrdersTable";
import { Positions } from "./Positions";
import { RiskEvents } from "./RiskEvents";

const fold = (frames: Frame[]): State => frames.reduce(reduce, initialState);

describe("ActionsTable", () => {
  it("lists actions newest first with probabilities and inference time", () => {
    const s = fold([F.action(), F.action({ seq: 78, action: 0, name: "HOLD", market: F.M1, inference_us: 2400 })]);
    render(<ActionsTable actions={s.actions} />);
    const rows = screen.getAllByTestId("action-row");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent("HOLD");
    expect(rows[0]).toHaveTextContent("2.40 ms");
    expect(rows[1]).toHaveTextContent(F.M2);
    expect(rows[1]).toHaveTextContent("BUY_YES");
    expect(rows[1]).toHaveTextContent("47.7%");
    expect(rows[1]).toHaveTextContent("162.9 µs");
    const bars = rows[1]!.querySelectorAll<HTMLElement>(".prob");
    expect(bars).toHaveLength(5);
    expect(bars[1]).toHaveClass("chosen");
    expect(bars[1]).toHaveAttribute("title", "BUY_YES 47.7%");
    expect(bars[1]!.querySelector<HTMLElement>(".prob-bar")!.style.height).toBe("47.7%");
  });
});

describe("OrdersTable", () => {
  it("lists order events newest first and counts the live ones", () => {
    const s = fold([
      F.order(),
      F.order({ kind: "placed", remaining: "0.00", filled: "10.00", ts_ms: 1795672640783 }),
      F.order({ client_order_id: "ka-c66f-2", side: "ask", price: "0.0990", reason: "too far", kind: "rejected", ts_ms: 1795672640790 }),
    ]);
    render(<OrdersTable events={s.orderEvents} liveCount={Object.keys(s.liveOrders).length} />);
    const rows = screen.getAllByTestId("order-row");
    expect(rows).toHaveLength(3);
    expect(within(rows[0]!).getAllByRole("cell").map((c) => c.textContent).slice(1)).toEqual([
      F.M2, "rejected", "sell", "9.9¢", "10", "0", "too far",
    ]);
    expect(rows[1]).toHaveTextContent("placed");
    expect(rows[2]).toHaveTextContent("sent");
    expect(screen.getByTestId("live-count")).toHaveTextContent("0 live");
  });
});

describe("FillsTable", () => {
  it("lists fills with side, price, count, fee and liquidity", () => {
    const s = fold([F.fill(), F.fill({ trade_id: "t2", side: "ask", is_taker: false, price: "0.6100", count: "2.50", fee: "0.000000" })]);
    render(<FillsTable fills={s.fills} />);
    const rows = screen.getAllByTestId("fill-row");
    expect(within(rows[0]!).getAllByRole("cell").map((c) => c.textContent).slice(1)).toEqual([
      F.M2, "sell", "61¢", "2.5", "$0.00", "maker",
    ]);
    expect(within(rows[1]!).getAllByRole("cell").map((c) => c.textContent).slice(1)).toEqual([
      F.M2, "buy", "57¢", "10", "$0.17", "taker",
    ]);
  });
});

describe("Positions", () => {
  it("shows each market's position and the cash and value", () => {
    const s = fold([
      F.pnl({ value_cents: 1000000, timestamp_ms: 1 }),
      F.pnl(),
      F.position(),
      F.position({ market: F.M1, position: "-3.00", realized_pnl: "-0.120000", cost_basis: "1.260000", fees: "0.050000" }),
    ]);
    render(<Positions positions={s.positions} pnl={s.pnl} firstPnl={s.pnlBase} />);
    const rows = screen.getAllByTestId("position-row");
    expect(rows.map((r) => within(r).getAllByRole("cell").map((c) => c.textContent))).toEqual([
      [F.M1, "-3", "$1.26", "-$0.12", "$0.05"],
      [F.M2, "10", "$5.70", "$0.00", "$0.17"],
    ]);
    expect(screen.getByTestId("cash")).toHaveTextContent("$9,994.13");
    expect(screen.getByTestId("portfolio-value")).toHaveTextContent("$9,999.68");
    expect(screen.getByText("-$0.32")).toHaveClass("neg");
  });
});

describe("RiskEvents", () => {
  it("lists risk events newest first", () => {
    const s = fold([F.risk(), F.risk({ kind: "halt", market: null, detail: "dashboard", halted: true, ts_ms: 1795672650000 })]);
    render(<RiskEvents events={s.riskEvents} />);
    const rows = screen.getAllByTestId("risk-row");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent("halt");
    expect(rows[0]).toHaveClass("halted");
    expect(rows[1]).toHaveTextContent("max_position");
    expect(rows[1]).toHaveTextContent("order blocked");
  });
});

describe("MarketPicker", () => {
  it("offers auto and every market, and reports the choice", async () => {
    const onChoose = vi.fn();
    render(<MarketPicker markets={[F.M1, F.M2]} chosen={null} shown={F.M2} onChoose={onChoose} />);
    const select = screen.getByTestId("market-picker");
    expect(within(select).getAllByRole("option").map((o) => o.textContent)).toEqual([`auto (${F.M2})`, F.M1, F.M2]);
    await userEvent.selectOptions(select, F.M1);
    expect(onChoose).toHaveBeenLastCalledWith(F.M1);
  });
});
