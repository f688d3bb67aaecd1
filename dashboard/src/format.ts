// Display helpers: the feed's decimal strings (prices, counts, money) turned into text with
// integer arithmetic, so no float rounding ever shows; plus cents, latencies and times.

/** `s` (an optionally signed decimal string) in units of 10^-decimals, or null if malformed. */
export function toUnits(s: string, decimals: number): bigint | null {
  const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/.exec(s);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return null;
  const frac = (m[3] ?? "").padEnd(decimals, "0");
  // Digits past `decimals` are truncated (the feed never sends more than it promises).
  const units = BigInt((m[2] || "0") + frac.slice(0, decimals));
  return m[1] === "-" ? -units : units;
}

/** Groups thousands: 1234567n → "1,234,567". */
function group(n: bigint): string {
  return n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** `units` (non-negative) with `decimals` digits after the point, trailing zeros dropped. */
function trimmed(units: bigint, decimals: number): string {
  const scale = 10n ** BigInt(decimals);
  const whole = units / scale;
  const frac = (units % scale).toString().padStart(decimals, "0").replace(/0+$/, "");
  return frac ? `${whole}.${frac}` : `${whole}`;
}

/** A YES price in ticks of 1/10000 dollar: "0.5700" → 5700; NaN if malformed. */
export function priceTicks(price: string): number {
  const u = toUnits(price, 4);
  return u === null ? NaN : Number(u);
}

/** Ticks back to the feed's price string: 4200 → "0.4200". */
export function ticksToPrice(ticks: number): string {
  const sign = ticks < 0 ? "-" : "";
  const abs = Math.abs(Math.trunc(ticks));
  return `${sign}${Math.floor(abs / 10000)}.${String(abs % 10000).padStart(4, "0")}`;
}

/** A dollar price as cents: "0.5700" → "57¢", "0.0990" → "9.9¢", "0.0005" → "0.05¢". */
export function formatPrice(price: string): string {
  const u = toUnits(price, 4);
  if (u === null) return price;
  const sign = u < 0n ? "-" : "";
  return `${sign}${trimmed(u < 0n ? -u : u, 2)}¢`;
}

/** A count: "10.00" → "10", "2.50" → "2.5", "-3.00" → "-3". */
export function formatCount(count: string): string {
  const u = toUnits(count, 2);
  if (u === null) return count;
  const sign = u < 0n ? "-" : "";
  return `${sign}${trimmed(u < 0n ? -u : u, 2)}`;
}

/** Whether a count string is above zero ("0.00" and malformed are not). */
export function isPositiveCount(count: string): boolean {
  const u = toUnits(count, 2);
  return u !== null && u > 0n;
}

/** Money in dollars to the cent, half away from zero: "-0.120000" → "-$0.12", "1234.5" → "$1,234.50". */
export function formatMoney(money: string): string {
  const u = toUnits(money, 6);
  if (u === null) return money;
  const abs = u < 0n ? -u : u;
  const cents = (abs + 5000n) / 10000n;
  const sign = u < 0n && cents > 0n ? "-" : "";
  return `${sign}$${group(cents / 100n)}.${(cents % 100n).toString().padStart(2, "0")}`;
}

/** A number of cents as dollars: 999412.84 → "$9,994.13", -12 → "-$0.12". */
export function formatCents(cents: number, signed = false): string {
  if (!Number.isFinite(cents)) return "—";
  const c = BigInt(Math.round(Math.abs(cents)));
  const neg = cents < 0 && c > 0n;
  const sign = neg ? "-" : signed && c > 0n ? "+" : "";
  return `${sign}$${group(c / 100n)}.${(c % 100n).toString().padStart(2, "0")}`;
}

/** A latency in microseconds: null → "—", 51.2 → "51.2 µs", 2400 → "2.40 ms". */
export function formatUs(us: number | null | undefined): string {
  if (us === null || us === undefined || !Number.isFinite(us)) return "—";
  if (us >= 1_000_000) return `${(us / 1_000_000).toFixed(2)} s`;
  if (us >= 1000) return `${(us / 1000).toFixed(2)} ms`;
  return `${us.toFixed(1)} µs`;
}

/** A probability as a percentage: 0.47741586 → "47.7%". */
export function formatPct(p: number): string {
  return Number.isFinite(p) ? `${(p * 100).toFixed(1)}%` : "—";
}

/** A rate or plain number with at most one decimal: 812 → "812", 790.5 → "790.5". */
export function formatNum(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "—";
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** Unix ms as local wall time "HH:MM:SS.mmm". */
export function formatTime(ms: number): string {
  if (!Number.isFinite(ms)) return "—";
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}
