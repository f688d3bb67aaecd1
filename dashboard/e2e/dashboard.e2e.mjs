// End-to-end test of the dashboard in a real browser (Debian's Chromium driven by
// playwright-core): starts `kalshi-actor run` on its embedded simulator, opens the page,
// waits until book levels, an action, an order and a fill appear, presses halt, sees trading
// stop (every order canceled, no request sent while the policy goes on deciding), resumes,
// and saves a screenshot as a test artifact. Every wait is on a condition, with a deadline.
//
// Usage: node dashboard/e2e/dashboard.e2e.mjs   (from the repository root; `make e2e`)
// Environment: KALSHI_ACTOR_BIN (default target/debug/kalshi-actor), CHROMIUM (default
// /usr/bin/chromium), E2E_ARTIFACTS (default target/e2e).

import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

const root = resolve(import.meta.dirname, "../..");
const bin = resolve(root, process.env.KALSHI_ACTOR_BIN ?? "target/debug/kalshi-actor");
const artifacts = resolve(root, process.env.E2E_ARTIFACTS ?? "target/e2e");
const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const DEADLINE_MS = 60_000;

mkdirSync(artifacts, { recursive: true });
const work = mkdtempSync(join(tmpdir(), "kalshi-actor-e2e-"));
const log = [];

function fail(message) {
  throw new Error(message);
}

/** Starts the service; resolves with its web address once it listens. */
function startService() {
  const child = spawn(bin, ["run"], {
    cwd: work,
    env: {
      ...process.env,
      RUST_LOG: "info",
      KALSHI_ACTOR_WEB__LISTEN: "127.0.0.1:0",
      KALSHI_ACTOR_WEB__DASHBOARD_DIR: join(root, "dashboard/dist"),
      RL_ACTOR_MODEL_ID: join(root, "model_weights/ppo_default.zip"),
      ORDERBOOK_MARKET_LIMIT: "3",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const address = new Promise((ok, ko) => {
    const timer = setTimeout(() => ko(new Error("the service never listened")), 30_000);
    createInterface({ input: child.stderr }).on("line", (line) => {
      log.push(line);
      const m = line.match(/web server listening addr=(\S+)/);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    child.on("exit", (code) => ko(new Error(`the service exited (${code}) before listening`)));
  });
  return { child, address };
}

async function status(base) {
  const res = await fetch(`${base}/rl/status`);
  if (!res.ok) fail(`/rl/status answered ${res.status}`);
  return (await res.json()).trading;
}

/** Polls `probe` until it returns a truthy value. */
async function until(what, probe, ms = DEADLINE_MS) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main() {
  const { child, address } = startService();
  let browser;
  try {
    const base = `http://${await address}`;
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const problems = [];
    page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    await page.goto(base, { waitUntil: "load" });
    const t = { timeout: DEADLINE_MS };
    const id = (name) => page.getByTestId(name);

    // The feed is live: socket open, sim mode, book levels, an action, an order and a fill.
    await page.waitForFunction(() => document.querySelector('[data-testid="ws-status"]')?.textContent === "open", null, t);
    await page.waitForFunction(() => document.querySelector('[data-testid="mode-badge"]')?.textContent === "sim", null, t);
    if (!(await id("model-id").textContent()).includes("ppo_default")) fail("the model is not shown");
    await id("ladder-bid").first().waitFor(t);
    await id("ladder-ask").first().waitFor(t);
    await id("action-row").first().waitFor(t);
    await id("order-row").first().waitFor(t);
    await id("fill-row").first().waitFor(t);
    await id("position-row").first().waitFor(t);
    if ((await id("trading-state").textContent()) !== "trading") fail("not trading before the halt");
    await page.locator('[data-testid="pnl-chart"] canvas').first().waitFor(t);
    await page.locator('[data-testid="price-chart"] canvas').first().waitFor(t);

    // Halt from the page: the header says halted, the exchange holds nothing of ours.
    await id("halt-button").click();
    await page.waitForFunction(() => document.querySelector('[data-testid="trading-state"]')?.textContent === "halted", null, t);
    const halted = await until("every order canceled", async () => {
      const s = await status(base);
      return s.halted && s.live_orders === 0 ? s : null;
    });
    // Trading stopped: while the policy makes more decisions, no request goes out.
    const actionsAtHalt = halted.actions;
    const after = await until("three more decisions", async () => {
      const s = await status(base);
      return s.actions >= actionsAtHalt + 3 ? s : null;
    });
    if (after.requests !== halted.requests) fail(`requests went out while halted: ${halted.requests} → ${after.requests}`);
    if (after.live_orders !== 0) fail(`orders rest while halted: ${after.live_orders}`);
    await page.screenshot({ path: join(artifacts, "dashboard-halted.png"), fullPage: true });

    // Resume from the page.
    await id("halt-button").click();
    await page.waitForFunction(() => document.querySelector('[data-testid="trading-state"]')?.textContent === "trading", null, t);
    await until("trading resumed", async () => !(await status(base)).halted);
    await page.screenshot({ path: join(artifacts, "dashboard.png"), fullPage: true });

    // Nothing went wrong in the page (the favicon included).
    if (problems.length) fail(`the page reported problems:\n${problems.join("\n")}`);
    console.log(`e2e ok: ${after.actions} decisions, ${after.requests} requests, ${after.fills} fills; screenshots in ${artifacts}`);
  } finally {
    if (browser) await browser.close();
    child.kill("SIGINT");
    await new Promise((r) => (child.exitCode === null ? child.on("exit", r) : r()));
    writeFileSync(join(artifacts, "service.log"), log.join("\n"));
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`e2e FAILED: ${e.stack ?? e}`);
  console.error(`service log: ${join(artifacts, "service.log")}`);
  process.exit(1);
});
