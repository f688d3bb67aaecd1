// Tests of the ladder: ask/bid order, spread, and our live orders marked on their levels.

import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { reduce, initialState } from "../state";
import * as F from "../test/frames";
import type { Book, OrderEvent } from "../types";
import { Ladder } from "./Ladder";

const bookOf = (): Book => reduce(initialState, F.book()).books[F.M1]!;
const ord = (o: Partial<OrderEvent>): OrderEvent => ({
  kind: "placed", market: F.M1, client_order_id: "c", order_id: "o", side: "bid", price: "0.3500",
  remaining: "10.00", filled: "0.00", reason: "", ts_ms: 1, ...o,
});
const prices = (rows: HTMLElement[]) => rows.map((r) => r.querySelector(".price")?.textContent);

describe("Ladder", () => {
  it("lists asks ascending and bids descending, with sizes and the spread", () => {
    render(<Ladder market={F.M1} book={bookOf()} orders={[]} />);
    const asks = screen.getAllByTestId("ladder-ask");
    const bids = screen.getAllByTestId("ladder-bid");
    expect(prices(asks)).toEqual(["42¢", "43¢", "44¢"]);
    expect(asks.map((r) => r.getAttribute("data-price"))).toEqual(["0.4200", "0.4300", "0.4400"]);
    expect(asks.map((r) => r.querySelector(".size")?.textContent)).toEqual(["19", "26", "50"]);
    expect(prices(bids)).toEqual(["36¢", "35¢"]);
    expect(bids.map((r) => r.querySelector(".size")?.textContent)).toEqual(["62", "53"]);
    expect(screen.getByTestId("ladder-spread")).toHaveTextContent("spread 6¢");
    expect(screen.queryByTestId("our-order-marker")).toBeNull();
  });

  it("marks our orders on their side's level, in the right-hand column", () => {
    const orders = [
      ord({ client_order_id: "b1", side: "bid", price: "0.3500", remaining: "10.00" }),
      ord({ client_order_id: "b2", side: "bid", price: "0.3500", remaining: "2.50" }),
      ord({ client_order_id: "a1", side: "ask", price: "0.4300", remaining: "5.00" }),
    ];
    render(<Ladder market={F.M1} book={bookOf()} orders={orders} />);
    const markers = screen.getAllByTestId("our-order-marker");
    expect(markers).toHaveLength(2);
    const bid35 = screen.getAllByTestId("ladder-bid")[1]!;
    expect(within(bid35).getByTestId("our-order-marker")).toHaveTextContent("12.5");
    const ask43 = screen.getAllByTestId("ladder-ask")[1]!;
    expect(within(ask43).getByTestId("our-order-marker")).toHaveTextContent("5");
    // The marker sits in the last (right-hand) cell of its row.
    expect(ask43.lastElementChild?.contains(within(ask43).getByTestId("our-order-marker"))).toBe(true);
    // Nothing of ours on the ask side at 35¢ nor on the bid side at 43¢.
    for (const r of [...screen.getAllByTestId("ladder-ask"), screen.getAllByTestId("ladder-bid")[0]!]) {
      if (r !== ask43) expect(within(r).queryByTestId("our-order-marker")).toBeNull();
    }
  });

  it("adds a row for our order at a price with no level (sub-penny too)", () => {
    const orders = [
      ord({ side: "bid", price: "0.0990", remaining: "3.00" }),
      ord({ client_order_id: "a", side: "ask", price: "0.4250", remaining: "1.00" }),
    ];
    render(<Ladder market={F.M1} book={bookOf()} orders={orders} />);
    const bids = screen.getAllByTestId("ladder-bid");
    expect(prices(bids)).toEqual(["36¢", "35¢", "9.9¢"]);
    expect(within(bids[2]!).getByTestId("our-order-marker")).toHaveTextContent("3");
    expect(bids[2]!.querySelector(".size")?.textContent).toBe("");
    expect(prices(screen.getAllByTestId("ladder-ask"))).toEqual(["42¢", "42.5¢", "43¢", "44¢"]);
  });

  it("says so when there is no book", () => {
    render(<Ladder market={null} book={undefined} orders={[]} />);
    expect(screen.getByTestId("ladder")).toHaveTextContent("no book yet");
    expect(screen.queryAllByTestId("ladder-bid")).toHaveLength(0);
  });
});
