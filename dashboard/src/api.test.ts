// Tests of the control client: requests, answers, error texts and token storage.

import { describe, expect, it, vi } from "vitest";
import { ControlError, fetchStatus, loadToken, saveToken, sendControl } from "./api";

const res = (status: number, body: unknown) =>
  ({
    ok: status >= 200 && status < 300,
    status,
    json: async () => {
      if (body === undefined) throw new SyntaxError("no body");
      return body;
    },
  }) as unknown as Response;

describe("sendControl", () => {
  it("posts halt with the dashboard reason and the bearer token", async () => {
    const f = vi.fn<typeof fetch>().mockResolvedValue(res(200, { halted: true, reason: "dashboard", dry_run: true }));
    await expect(sendControl("halt", "tok", f)).resolves.toEqual({ halted: true, reason: "dashboard", dry_run: true });
    const [url, init] = f.mock.calls[0]!;
    expect(url).toBe("/rl/actor/halt");
    expect(init?.method).toBe("POST");
    expect(init?.body).toBe('{"reason":"dashboard"}');
    expect(init?.headers).toMatchObject({ Authorization: "Bearer tok", "Content-Type": "application/json" });
  });

  it("posts resume without a body or token when none is set", async () => {
    const f = vi.fn<typeof fetch>().mockResolvedValue(res(200, { halted: false, reason: null, dry_run: false }));
    await sendControl("resume", null, f);
    const [url, init] = f.mock.calls[0]!;
    expect(url).toBe("/rl/actor/resume");
    expect(init?.body).toBeUndefined();
    expect(init?.headers).not.toHaveProperty("Authorization");
  });

  it("raises the server's error text, or the status when there is none", async () => {
    const f = vi.fn<typeof fetch>().mockResolvedValueOnce(res(403, { error: "control endpoints are disabled" }));
    await expect(sendControl("halt", null, f)).rejects.toMatchObject({ message: "control endpoints are disabled", status: 403 });
    f.mockResolvedValueOnce(res(502, undefined));
    await expect(sendControl("halt", null, f)).rejects.toThrow("HTTP 502");
    f.mockRejectedValueOnce(new TypeError("network down"));
    await expect(sendControl("halt", null, f)).rejects.toThrow("request failed: network down");
    f.mockResolvedValueOnce(res(200, { nope: 1 }));
    await expect(sendControl("halt", null, f)).rejects.toBeInstanceOf(ControlError);
  });

  it("reads the status", async () => {
    const f = vi.fn<typeof fetch>().mockResolvedValue(res(200, { halted: false, reason: null, dry_run: false }));
    await expect(fetchStatus(f)).resolves.toMatchObject({ halted: false });
    expect(f.mock.calls[0]![0]).toBe("/rl/actor/status");
    expect(f.mock.calls[0]![1]?.method).toBe("GET");
  });
});

describe("token storage", () => {
  it("keeps a trimmed token in sessionStorage and forgets a blank one", () => {
    expect(loadToken()).toBeNull();
    saveToken("  abc  ");
    expect(loadToken()).toBe("abc");
    expect(window.localStorage.length).toBe(0);
    saveToken("   ");
    expect(loadToken()).toBeNull();
    saveToken("x");
    saveToken(null);
    expect(loadToken()).toBeNull();
  });
});
