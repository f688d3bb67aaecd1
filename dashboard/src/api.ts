// The trading control endpoints (`/rl/actor/halt`, `/rl/actor/resume`, `/rl/actor/status`)
// and the optional bearer token, kept in sessionStorage only (never rendered, never logged).

import type { ControlAnswer } from "./types";

const TOKEN_KEY = "kalshi-actor.control-token";

type FetchFn = typeof fetch;

/** The stored control token, or null. */
export function loadToken(): string | null {
  try {
    const t = window.sessionStorage.getItem(TOKEN_KEY);
    return t ? t : null;
  } catch {
    return null;
  }
}

/** Stores (or, with null or blank, forgets) the control token. */
export function saveToken(token: string | null): void {
  try {
    const t = token?.trim();
    if (t) window.sessionStorage.setItem(TOKEN_KEY, t);
    else window.sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage refused (private mode): the token just is not remembered.
  }
}

/** A failed control request; `message` is the server's `error` text when it sent one. */
export class ControlError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
    this.name = "ControlError";
  }
}

function isAnswer(v: unknown): v is ControlAnswer {
  return typeof v === "object" && v !== null && typeof (v as ControlAnswer).halted === "boolean";
}

async function call(path: string, init: RequestInit, token: string | null, fetchFn: FetchFn): Promise<ControlAnswer> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetchFn(path, { ...init, headers });
  } catch (e) {
    throw new ControlError(`request failed: ${e instanceof Error ? e.message : String(e)}`, 0);
  }
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  if (!res.ok) {
    const err = typeof body === "object" && body !== null ? (body as { error?: unknown }).error : undefined;
    throw new ControlError(typeof err === "string" && err ? err : `HTTP ${res.status}`, res.status);
  }
  if (!isAnswer(body)) throw new ControlError("unexpected answer from the server", res.status);
  return { halted: body.halted, reason: body.reason ?? null, dry_run: Boolean(body.dry_run) };
}

/** `POST /rl/actor/halt` (reason "dashboard") or `POST /rl/actor/resume`; the status after it. */
export function sendControl(
  command: "halt" | "resume",
  token: string | null,
  fetchFn: FetchFn = (...a) => fetch(...a),
): Promise<ControlAnswer> {
  const init: RequestInit =
    command === "halt" ? { method: "POST", body: JSON.stringify({ reason: "dashboard" }) } : { method: "POST" };
  return call(`/rl/actor/${command}`, init, token, fetchFn);
}

/** `GET /rl/actor/status`. */
export function fetchStatus(fetchFn: FetchFn = (...a) => fetch(...a)): Promise<ControlAnswer> {
  return call("/rl/actor/status", { method: "GET" }, null, fetchFn);
}
