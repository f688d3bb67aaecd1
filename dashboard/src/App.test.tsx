// The whole view over a fake WebSocket: every frame type lands in its panel, the market
// picker switches the ladder, and the trading state follows the status endpoint and stats.

import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "./App";
import { resetCharts } from "./test/chartMock";
import { FakeSocket } from "./test/fakeSocket";
import * as F from "./test/frames";

vi.mock("lightweight-charts", async () => (await import("./test/chartMock")).chartModule());

const ok = (body: unknown) => ({ ok: true, status: 200, json: async () => body }) as unknown as Response;
const feed = { url: "ws://test/rl/ws", WebSocketImpl: FakeSocket, batchMs: 0 };

beforeEach(() => {
  FakeSocket.reset();
  resetCharts();
});

describe("App", () => {
  it("shows every frame type in its panel", async () => {
    const fetchFn = vi.fn<typeof fetch>().mockResolvedValue(ok({ halted: false, reason: null, dry_run: false }));
    render(<App feed={feed} fetchFn={fetchFn} />);
    expect(screen.getByTestId("ws-status")).toHaveTextContent("connecting");
    act(() => FakeSocket.last.open());
    expect(screen.getByTestId("ws-status")).toHaveTextContent("open");
    await waitFor(() => expect(fetchFn).toHaveBeenCalledWith("/rl/actor/status", expect.anything()));
    act(() =>
      FakeSocket.last.send(
        F.connection(),
        F.book(),
        F.book({ market: F.M2, timestamp_ms: 1795672647100 }),
        F.action(),
        F.order(),
        F.order({ kind: "placed", order_id: "x", ts_ms: 1795672640783 }),
        F.position(),
        F.fill(),
        F.pnl(),
        F.risk(),
        F.stats(),
        F.feedStatus(),
      ),
    );
    expect(screen.getByTestId("mode-badge")).toHaveTextContent("sim");
    expect(screen.getByTestId("model-id")).toHaveTextContent("ppo_default");
    expect(screen.getByTestId("trading-state")).toHaveTextContent("trading");
    // The latest action is in M2, so the ladder follows M2, with our resting bid at 57¢.
    expect(screen.getByTestId("ladder")).toHaveTextContent(F.M2);
    const marker = screen.getByTestId("our-order-marker");
    expect(marker.closest("[data-testid='ladder-bid']")).toHaveAttribute("data-price", "0.5700");
    expect(screen.getAllByTestId("action-row")).toHaveLength(1);
    expect(screen.getAllByTestId("order-row")).toHaveLength(2);
    expect(screen.getAllByTestId("fill-row")).toHaveLength(1);
    expect(screen.getAllByTestId("position-row")).toHaveLength(1);
    expect(screen.getAllByTestId("risk-row")).toHaveLength(1);
    expect(screen.getByTestId("stats-panel")).toHaveTextContent("812");
    expect(screen.getByTestId("feed-health")).toHaveTextContent("connected");
    expect(screen.getByTestId("pnl-chart")).toBeInTheDocument();
    expect(screen.getByTestId("price-chart")).toBeInTheDocument();
    expect(screen.getByTestId("live-count")).toHaveTextContent("1 live");

    await userEvent.selectOptions(screen.getByTestId("market-picker"), F.M1);
    expect(screen.getByTestId("ladder")).toHaveTextContent(F.M1);
    expect(screen.queryByTestId("our-order-marker")).toBeNull();
    expect(within(screen.getByTestId("ladder")).getAllByTestId("ladder-bid")).toHaveLength(2);

    act(() => FakeSocket.last.send(F.stats({ risk: { halted: true, reason: "dashboard", rejections: {} } })));
    expect(screen.getByTestId("trading-state")).toHaveTextContent("halted");
    expect(screen.getByTestId("halt-button")).toHaveTextContent("Resume");
  });

  it("takes the trading state from the status endpoint when the socket opens", async () => {
    const fetchFn = vi.fn<typeof fetch>().mockResolvedValue(ok({ halted: true, reason: "operator", dry_run: false }));
    render(<App feed={feed} fetchFn={fetchFn} />);
    act(() => FakeSocket.last.open());
    await waitFor(() => expect(screen.getByTestId("trading-state")).toHaveTextContent("halted"));
  });
});
