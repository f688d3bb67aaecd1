// The feed hook: owns the `/rl/ws` WebSocket, reconnects with backoff (0.5 s doubling to 5 s,
// reset on open), batches frames into the pure reducer, and exposes state + socket status.

import { useCallback, useEffect, useState } from "react";
import { applyControl, chooseMarket, initialState, reduce, type State } from "./state";
import type { ControlAnswer, Frame } from "./types";

export type WsStatus = "connecting" | "open" | "closed";

/** What the hook needs of a WebSocket (the browser's, or a fake in tests). */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  close(): void;
}
export type SocketCtor = new (url: string) => SocketLike;

export interface FeedOptions {
  /** Defaults to `feedUrl(window.location)`. */
  url?: string;
  /** Defaults to the browser's WebSocket. */
  WebSocketImpl?: SocketCtor;
  /** Frames are folded in at most this often (ms); 0 folds each frame as it arrives. */
  batchMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export const MIN_BACKOFF_MS = 500;
export const MAX_BACKOFF_MS = 5000;

/** The feed's URL on this page's origin: http → ws, https → wss. */
export function feedUrl(loc: { protocol: string; host: string }): string {
  return `${loc.protocol === "https:" ? "wss:" : "ws:"}//${loc.host}/rl/ws`;
}

/** The delay after `delay`: doubled, at most `max`. */
export function nextBackoff(delay: number, max = MAX_BACKOFF_MS): number {
  return Math.min(delay * 2, max);
}

/** A message as a frame; anything else becomes a frame the reducer ignores (and counts). */
export function parseFrame(raw: unknown): Frame {
  try {
    const v: unknown = typeof raw === "string" ? JSON.parse(raw) : null;
    if (typeof v === "object" && v !== null && typeof (v as Frame).type === "string") {
      return { type: (v as Frame).type, data: (v as Frame).data };
    }
  } catch {
    // fall through
  }
  return { type: "", data: null };
}

export interface Feed {
  state: State;
  status: WsStatus;
  selectMarket: (market: string | null) => void;
  applyControl: (answer: ControlAnswer) => void;
}

export function useFeed(options: FeedOptions = {}): Feed {
  const url = options.url ?? feedUrl(window.location);
  const Impl = options.WebSocketImpl ?? (globalThis.WebSocket as unknown as SocketCtor);
  const batchMs = options.batchMs ?? 100;
  const minBackoff = options.minBackoffMs ?? MIN_BACKOFF_MS;
  const maxBackoff = options.maxBackoffMs ?? MAX_BACKOFF_MS;

  const [state, setState] = useState<State>(initialState);
  const [status, setStatus] = useState<WsStatus>("connecting");

  useEffect(() => {
    let stopped = false;
    let socket: SocketLike | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let flushTimer: ReturnType<typeof setTimeout> | null = null;
    let queue: Frame[] = [];
    let delay = minBackoff;

    const flush = () => {
      flushTimer = null;
      const batch = queue;
      queue = [];
      if (batch.length > 0) setState((s) => batch.reduce(reduce, s));
    };
    const enqueue = (f: Frame) => {
      queue.push(f);
      if (batchMs <= 0) flush();
      else if (flushTimer === null) flushTimer = setTimeout(flush, batchMs);
    };
    const schedule = () => {
      if (stopped) return;
      const wait = delay;
      delay = nextBackoff(delay, maxBackoff);
      retry = setTimeout(connect, wait);
    };
    function connect() {
      retry = null;
      if (stopped) return;
      setStatus("connecting");
      let ws: SocketLike;
      try {
        ws = new Impl(url);
      } catch {
        setStatus("closed");
        schedule();
        return;
      }
      socket = ws;
      ws.onopen = () => {
        if (socket !== ws) return;
        delay = minBackoff;
        setStatus("open");
      };
      ws.onmessage = (ev) => {
        if (socket === ws) enqueue(parseFrame(ev.data));
      };
      ws.onerror = () => {
        // A close event follows; reconnecting is handled there.
      };
      ws.onclose = () => {
        if (socket !== ws) return;
        socket = null;
        flush();
        setStatus("closed");
        schedule();
      };
    }

    connect();
    return () => {
      stopped = true;
      if (retry !== null) clearTimeout(retry);
      if (flushTimer !== null) clearTimeout(flushTimer);
      const ws = socket;
      socket = null;
      ws?.close();
    };
  }, [url, Impl, batchMs, minBackoff, maxBackoff]);

  const selectMarket = useCallback((m: string | null) => setState((s) => chooseMarket(s, m)), []);
  const onControl = useCallback((a: ControlAnswer) => setState((s) => applyControl(s, a)), []);
  return { state, status, selectMarket, applyControl: onControl };
}
