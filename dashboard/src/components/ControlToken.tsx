// The control token input: a password field whose value goes to sessionStorage; once set,
// only "token set" shows (the token itself is never rendered back).

import { useState, type FormEvent } from "react";

interface Props {
  hasToken: boolean;
  onChange: (token: string | null) => void;
}

export function ControlToken({ hasToken, onChange }: Props) {
  const [draft, setDraft] = useState("");

  if (hasToken) {
    return (
      <span className="token" data-testid="token-set">
        token set{" "}
        <button type="button" className="link" onClick={() => onChange(null)}>
          clear
        </button>
      </span>
    );
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (draft.trim()) onChange(draft.trim());
    setDraft("");
  };
  return (
    <form className="token" onSubmit={submit}>
      <input
        type="password"
        aria-label="control token"
        placeholder="control token"
        autoComplete="off"
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
      />
      <button type="submit" disabled={!draft.trim()}>
        set
      </button>
    </form>
  );
}
