// Tests of the display helpers: prices, counts, money, cents, latencies.

import { describe, expect, it } from "vitest";
import {
  formatCents, formatCount, formatMoney, formatNum, formatPct, formatPrice, formatTime, formatUs, isPositiveCount,
  priceTicks, ticksToPrice, toUnits,
} from "./format";

describe("prices", () => {
  it("shows dollar prices as cents, sub-penny included", () => {
    expect(formatPrice("0.5700")).toBe("57¢");
    expect(formatPrice("0.0990")).toBe("9.9¢");
    expect(formatPrice("0.0100")).toBe("1¢");
    expect(formatPrice("0.9999")).toBe("99.99¢");
    expect(formatPrice("1.0000")).toBe("100¢");
    expect(formatPrice("0.0000")).toBe("0¢");
    expect(formatPrice("junk")).toBe("junk");
  });
  it("converts prices to integer ticks and back", () => {
    expect(priceTicks("0.5800")).toBe(5800);
    expect(priceTicks("0.099")).toBe(990);
    expect(priceTicks("x")).toBeNaN();
    expect(ticksToPrice(4200)).toBe("0.4200");
    expect(ticksToPrice(10)).toBe("0.0010");
    expect(ticksToPrice(10000)).toBe("1.0000");
  });
});

describe("counts", () => {
  it("drops trailing zeros", () => {
    expect(formatCount("10.00")).toBe("10");
    expect(formatCount("2.50")).toBe("2.5");
    expect(formatCount("-3.00")).toBe("-3");
    expect(formatCount("0.00")).toBe("0");
  });
  it("knows a positive count", () => {
    expect(isPositiveCount("10.00")).toBe(true);
    expect(isPositiveCount("0.01")).toBe(true);
    expect(isPositiveCount("0.00")).toBe(false);
    expect(isPositiveCount("-1.00")).toBe(false);
    expect(isPositiveCount("")).toBe(false);
  });
  it("parses decimal strings exactly", () => {
    expect(toUnits("5.700000", 6)).toBe(5700000n);
    expect(toUnits("-0.120000", 6)).toBe(-120000n);
    expect(toUnits(".5", 2)).toBe(50n);
    expect(toUnits("-", 2)).toBeNull();
    expect(toUnits("1e3", 2)).toBeNull();
  });
});

describe("money", () => {
  it("formats dollars to the cent with sign and grouping", () => {
    expect(formatMoney("5.700000")).toBe("$5.70");
    expect(formatMoney("-0.120000")).toBe("-$0.12");
    expect(formatMoney("0.171600")).toBe("$0.17");
    expect(formatMoney("0.005000")).toBe("$0.01");
    expect(formatMoney("-0.004999")).toBe("$0.00");
    expect(formatMoney("1234567.891000")).toBe("$1,234,567.89");
    expect(formatMoney("0.000000")).toBe("$0.00");
  });
  it("formats cents numbers as dollars", () => {
    expect(formatCents(999412.84)).toBe("$9,994.13");
    expect(formatCents(-12)).toBe("-$0.12");
    expect(formatCents(55.5, true)).toBe("+$0.56");
    expect(formatCents(0, true)).toBe("$0.00");
    expect(formatCents(NaN)).toBe("—");
  });
});

describe("other numbers", () => {
  it("formats latencies, null as a dash", () => {
    expect(formatUs(null)).toBe("—");
    expect(formatUs(51.2)).toBe("51.2 µs");
    expect(formatUs(2400)).toBe("2.40 ms");
    expect(formatUs(2_500_000)).toBe("2.50 s");
  });
  it("formats percentages, rates and times", () => {
    expect(formatPct(0.47741586)).toBe("47.7%");
    expect(formatNum(812)).toBe("812");
    expect(formatNum(790.5)).toBe("790.5");
    expect(formatNum(null)).toBe("—");
    expect(formatTime(1795672640783)).toMatch(/^\d\d:\d\d:\d\d\.783$/);
  });
});
