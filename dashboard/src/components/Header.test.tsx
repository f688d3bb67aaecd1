// Tests of the header: mode badge (prod in red), health, trading state, and the Halt / Resume
// button against a mocked fetch (success, server error text, bearer token).

import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";
import { applyControl, initialState, reduce, type State } from "../state";
import * as F from "../test/frames";
import type { Frame } from "../types";
import type { WsStatus } from "../useFeed";
import { Header } from "./Header";

const answer = (status: number, body: unknown) =>
  ({ ok: status >= 200 && status < 300, status, json: async () => body }) as unknown as Response;

function Harness({ frames, fetchFn, ws = "open" }: { frames: Frame[]; fetchFn?: typeof fetch; ws?: WsStatus }) {
  const [state, setState] = useState<State>(() => frames.reduce(reduce, initialState));
  return <Header state={state} wsStatus={ws} fetchFn={fetchFn} onControl={(a) => setState((s) => applyControl(s, a))} />;
}

describe("Header", () => {
  it("shows mode, model, version, health and socket status", () => {
    render(<Harness frames={[F.connection(), F.feedStatus(), F.stats()]} ws="connecting" />);
    expect(screen.getByTestId("mode-badge")).toHaveTextContent("sim");
    expect(screen.getByTestId("mode-badge")).not.toHaveClass("mode-prod");
    expect(screen.getByTestId("model-id")).toHaveTextContent("ppo_default");
    expect(screen.getByText("v0.1.0")).toBeInTheDocument();
    expect(screen.getByTestId("ws-status")).toHaveTextContent(/^connecting$/);
    expect(screen.getByTestId("feed-health")).toHaveTextContent("feed connected · 0 stale · 12 ms");
    expect(screen.getByTestId("db-health")).toHaveTextContent("db ok · queue 3 · 0 failures");
    expect(screen.getByTestId("trading-state")).toHaveTextContent(/^trading$/);
    expect(screen.getByTestId("halt-button")).toHaveTextContent("Halt");
  });

  it("shows prod in red, dry run, and unhealthy feed and database", () => {
    const bad = F.feedStatus({
      connected: false,
      stale_markets: [F.M1],
      database: { ok: false, queue_depth: 9, written: 1, dropped: 2, write_failures: 4 },
    });
    render(<Harness frames={[F.connection({ mode: "prod", dry_run: true }), bad]} />);
    expect(screen.getByTestId("mode-badge")).toHaveClass("mode-prod");
    expect(screen.getByTestId("trading-state")).toHaveTextContent(/^dry run$/);
    expect(screen.getByTestId("feed-health")).toHaveClass("bad");
    expect(screen.getByTestId("feed-health")).toHaveTextContent("disconnected · 1 stale");
    expect(screen.getByTestId("db-health")).toHaveClass("bad");
    expect(screen.getByTestId("db-health")).toHaveTextContent("db failing · queue 9 · 4 failures");
  });

  it("halts through POST /rl/actor/halt and shows the answer, then resumes", async () => {
    const fetchFn = vi
      .fn<typeof fetch>()
      .mockResolvedValueOnce(answer(200, { halted: true, reason: "dashboard", dry_run: false }))
      .mockResolvedValueOnce(answer(200, { halted: false, reason: null, dry_run: false }));
    render(<Harness frames={[F.connection()]} fetchFn={fetchFn} />);
    await userEvent.click(screen.getByTestId("halt-button"));
    await waitFor(() => expect(screen.getByTestId("trading-state")).toHaveTextContent(/^halted$/));
    const [url, init] = fetchFn.mock.calls[0]!;
    expect(url).toBe("/rl/actor/halt");
    expect(init?.method).toBe("POST");
    expect(JSON.parse(String(init?.body))).toEqual({ reason: "dashboard" });
    expect((init?.headers as Record<string, string>).Authorization).toBeUndefined();
    expect(screen.getByTestId("halt-button")).toHaveTextContent("Resume");

    await userEvent.click(screen.getByTestId("halt-button"));
    await waitFor(() => expect(screen.getByTestId("trading-state")).toHaveTextContent(/^trading$/));
    expect(fetchFn.mock.calls[1]![0]).toBe("/rl/actor/resume");
    expect(fetchFn.mock.calls[1]![1]?.method).toBe("POST");
  });

  it("shows the server's error text on 401 and keeps the state", async () => {
    const fetchFn = vi.fn<typeof fetch>().mockResolvedValue(answer(401, { error: "unauthorized" }));
    render(<Harness frames={[F.connection()]} fetchFn={fetchFn} />);
    await userEvent.click(screen.getByTestId("halt-button"));
    expect(await screen.findByRole("alert")).toHaveTextContent("unauthorized");
    expect(screen.getByTestId("trading-state")).toHaveTextContent(/^trading$/);
    expect(screen.getByTestId("halt-button")).toBeEnabled();
  });

  it("sends the token as a bearer header without ever showing it", async () => {
    const fetchFn = vi.fn<typeof fetch>().mockResolvedValue(answer(200, { halted: true, reason: "x", dry_run: false }));
    const log = vi.spyOn(console, "log");
    render(<Harness frames={[F.connection()]} fetchFn={fetchFn} />);
    await userEvent.type(screen.getByLabelText("control token"), "s3cret-token{enter}");
    expect(screen.getByTestId("token-set")).toHaveTextContent("token set");
    expect(document.body.innerHTML).not.toContain("s3cret-token");
    expect(window.sessionStorage.getItem("kalshi-actor.control-token")).toBe("s3cret-token");
    await userEvent.click(screen.getByTestId("halt-button"));
    await waitFor(() => expect(fetchFn).toHaveBeenCalled());
    expect((fetchFn.mock.calls[0]![1]?.headers as Record<string, string>).Authorization).toBe("Bearer s3cret-token");
    expect(log).not.toHaveBeenCalled();
    await userEvent.click(screen.getByText("clear"));
    expect(window.sessionStorage.getItem("kalshi-actor.control-token")).toBeNull();
    expect(screen.getByLabelText("control token")).toHaveValue("");
  });
});
