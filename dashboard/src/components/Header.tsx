// The top bar: mode, model, version, dry-run marker, feed / database / socket health, the
// trading state and one Halt / Resume button (with the optional control token).

import { useState } from "react";
import { ControlError, loadToken, saveToken, sendControl } from "../api";
import { formatNum } from "../format";
import { tradingState, type State } from "../state";
import type { ControlAnswer } from "../types";
import type { WsStatus } from "../useFeed";
import { ControlToken } from "./ControlToken";

interface Props {
  state: State;
  wsStatus: WsStatus;
  onControl: (answer: ControlAnswer) => void;
  /** Injectable for tests; defaults to the global fetch. */
  fetchFn?: typeof fetch;
}

function FeedHealth({ state }: { state: State }) {
  const f = state.feedStatus;
  if (f === null) return <span className="health unknown" data-testid="feed-health">feed —</span>;
  const stale = f.stale_markets.length;
  const ok = f.connected && stale === 0;
  return (
    <span className={`health ${ok ? "ok" : "bad"}`} data-testid="feed-health" title={`${f.connects} connects, ${f.disconnects} disconnects, ${f.stalls} stalls`}>
      feed {f.connected ? "connected" : "disconnected"} · {stale} stale
      {f.last_frame_age_ms !== null && ` · ${formatNum(f.last_frame_age_ms)} ms`}
    </span>
  );
}

function DbHealth({ state }: { state: State }) {
  const db = state.feedStatus?.database;
  if (db === undefined) return <span className="health unknown" data-testid="db-health">db —</span>;
  return (
    <span className={`health ${db.ok ? "ok" : "bad"}`} data-testid="db-health" title={`${db.written} written, ${db.dropped} dropped`}>
      db {db.ok ? "ok" : "failing"} · queue {db.queue_depth} · {db.write_failures} failures
    </span>
  );
}

export function Header({ state, wsStatus, onControl, fetchFn }: Props) {
  const [token, setToken] = useState<string | null>(() => loadToken());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const c = state.connection;
  const mode = c?.mode ?? "—";
  const trading = tradingState(state);

  const changeToken = (t: string | null) => {
    saveToken(t);
    setToken(loadToken() ?? t);
  };
  const toggle = async () => {
    setBusy(true);
    setError(null);
    try {
      onControl(await sendControl(state.halted ? "resume" : "halt", token, fetchFn));
    } catch (e) {
      setError(e instanceof ControlError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <header className="header">
      <span className="title">kalshi-actor</span>
      <span className={`badge mode-${mode}`} data-testid="mode-badge">
        {mode}
      </span>
      <span data-testid="model-id" className="muted">
        {c?.model ?? "—"}
      </span>
      <span className="muted">v{c?.version ?? "—"}</span>
      {c?.dry_run && <span className="badge dry-run">dry run</span>}
      <span className="spacer" />
      <FeedHealth state={state} />
      <DbHealth state={state} />
      <span className={`health ws-${wsStatus}`}>
        ws <span data-testid="ws-status">{wsStatus}</span>
      </span>
      <span className="spacer" />
      <span className={`trading trading-${trading.replace(" ", "-")}`} title={state.haltReason ?? undefined}>
        <span data-testid="trading-state">{trading}</span>
        {state.halted && state.haltReason && <span className="muted"> ({state.haltReason})</span>}
      </span>
      <button
        type="button"
        data-testid="halt-button"
        className={state.halted ? "resume" : "halt"}
        disabled={busy}
        onClick={() => void toggle()}
      >
        {state.halted ? "Resume" : "Halt"}
      </button>
      {error !== null && (
        <span className="error" role="alert" data-testid="control-error">
          {error}
        </span>
      )}
      <ControlToken hasToken={token !== null} onChange={changeToken} />
    </header>
  );
}
