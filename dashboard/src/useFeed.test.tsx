// Tests of the feed hook with a fake WebSocket: frames into state, status transitions,
// reconnect backoff (0.5 s doubling to 5 s, reset on open), batching and cleanup.

import { act, renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeSocket } from "./test/fakeSocket";
import * as F from "./test/frames";
import { feedUrl, nextBackoff, parseFrame, useFeed, type FeedOptions } from "./useFeed";

const opts: FeedOptions = { url: "ws://test/rl/ws", WebSocketImpl: FakeSocket, batchMs: 0 };

beforeEach(() => {
  FakeSocket.reset();
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("helpers", () => {
  it("builds the feed URL from the page's origin", () => {
    expect(feedUrl({ protocol: "http:", host: "127.0.0.1:8080" })).toBe("ws://127.0.0.1:8080/rl/ws");
    expect(feedUrl({ protocol: "https:", host: "dash.example" })).toBe("wss://dash.example/rl/ws");
  });
  it("doubles the backoff up to the cap", () => {
    expect([500, 1000, 2000, 4000, 5000].map((d) => nextBackoff(d))).toEqual([1000, 2000, 4000, 5000, 5000]);
  });
  it("turns bad messages into ignorable frames", () => {
    expect(parseFrame("{oops").type).toBe("");
    expect(parseFrame(JSON.stringify({ data: 1 })).type).toBe("");
    expect(parseFrame(JSON.stringify({ type: "stats", data: 1 }))).toEqual({ type: "stats", data: 1 });
  });
});

describe("useFeed", () => {
  it("connects, goes open, and folds frames into the state", () => {
    const { result } = renderHook(() => useFeed(opts));
    expect(result.current.status).toBe("connecting");
    expect(FakeSocket.last.url).toBe("ws://test/rl/ws");
    act(() => FakeSocket.last.open());
    expect(result.current.status).toBe("open");
    act(() => FakeSocket.last.send(F.connection(), F.book(), F.action(), F.frame("mystery", {})));
    act(() => FakeSocket.last.raw("not json"));
    const s = result.current.state;
    expect(s.connection?.model).toBe("ppo_default");
    expect(s.books[F.M1]).toBeDefined();
    expect(s.actions).toHaveLength(1);
    expect(s.ignored).toBe(2);
  });

  it("reconnects after a close with backoff 0.5 s, 1 s, 2 s… reset on open", () => {
    const { result } = renderHook(() => useFeed(opts));
    act(() => FakeSocket.last.drop());
    expect(result.current.status).toBe("closed");
    expect(FakeSocket.instances).toHaveLength(1);
    act(() => vi.advanceTimersByTime(499));
    expect(FakeSocket.instances).toHaveLength(1);
    act(() => vi.advanceTimersByTime(1));
    expect(FakeSocket.instances).toHaveLength(2);
    expect(result.current.status).toBe("connecting");

    act(() => FakeSocket.last.drop()); // second failure: 1 s
    act(() => vi.advanceTimersByTime(999));
    expect(FakeSocket.instances).toHaveLength(2);
    act(() => vi.advanceTimersByTime(1));
    expect(FakeSocket.instances).toHaveLength(3);

    act(() => FakeSocket.last.drop()); // third: 2 s
    act(() => vi.advanceTimersByTime(1999));
    expect(FakeSocket.instances).toHaveLength(3);
    act(() => vi.advanceTimersByTime(1));
    expect(FakeSocket.instances).toHaveLength(4);

    act(() => FakeSocket.last.open());
    expect(result.current.status).toBe("open");
    act(() => FakeSocket.last.drop()); // after an open the delay starts over at 0.5 s
    act(() => vi.advanceTimersByTime(500));
    expect(FakeSocket.instances).toHaveLength(5);
  });

  it("caps the backoff at 5 s", () => {
    renderHook(() => useFeed(opts));
    const waits = [500, 1000, 2000, 4000, 5000, 5000];
    for (const w of waits) {
      const n = FakeSocket.instances.length;
      act(() => FakeSocket.last.drop());
      act(() => vi.advanceTimersByTime(w - 1));
      expect(FakeSocket.instances).toHaveLength(n);
      act(() => vi.advanceTimersByTime(1));
      expect(FakeSocket.instances).toHaveLength(n + 1);
    }
  });

  it("after a reconnect the replayed events do not duplicate", () => {
    const { result } = renderHook(() => useFeed(opts));
    const replay = [F.connection(), F.book(), F.action(), F.order(), F.fill()];
    act(() => {
      FakeSocket.last.open();
      FakeSocket.last.send(...replay);
      FakeSocket.last.drop();
    });
    act(() => vi.advanceTimersByTime(500));
    act(() => {
      FakeSocket.last.open();
      FakeSocket.last.send(...replay);
    });
    const s = result.current.state;
    expect(s.connections).toBe(2);
    expect([s.actions.length, s.orderEvents.length, s.fills.length]).toEqual([1, 1, 1]);
  });

  it("batches frames when asked to", () => {
    const { result } = renderHook(() => useFeed({ ...opts, batchMs: 100 }));
    act(() => FakeSocket.last.send(F.connection(), F.action()));
    expect(result.current.state.actions).toHaveLength(0);
    act(() => vi.advanceTimersByTime(100));
    expect(result.current.state.actions).toHaveLength(1);
  });

  it("closes its socket and stops reconnecting when unmounted", () => {
    const { unmount } = renderHook(() => useFeed(opts));
    const first = FakeSocket.last;
    unmount();
    expect(first.closed).toBe(true);
    act(() => first.drop());
    act(() => vi.advanceTimersByTime(10_000));
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it("applies control answers and market choices", () => {
    const { result } = renderHook(() => useFeed(opts));
    act(() => result.current.applyControl({ halted: true, reason: "dashboard", dry_run: false }));
    expect(result.current.state.halted).toBe(true);
    act(() => result.current.selectMarket(F.M2));
    expect(result.current.state.userMarket).toBe(F.M2);
  });
});
