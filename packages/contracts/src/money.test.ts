import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AmountText } from "./http/common.ts";
import { AMOUNT_PATTERN, AMOUNT_REGEX, centsOf, formatCents, MAX_AMOUNT, MAX_AMOUNT_CENTS, parseAmountCents } from "./money.ts";
import { OrderPlacedV1 } from "./events.ts";

describe("parseAmountCents", () => {
  it("accepts numbers and strings with up to two decimals", () => {
    expect(parseAmountCents(250)).toEqual({ ok: true, cents: 25000 });
    expect(parseAmountCents("200.01")).toEqual({ ok: true, cents: 20001 });
    expect(parseAmountCents(0.1)).toEqual({ ok: true, cents: 10 });
    expect(parseAmountCents("99999999.99")).toEqual({ ok: true, cents: MAX_AMOUNT_CENTS });
    // The limit's two spellings agree, and one cent more is too large.
    expect(formatCents(MAX_AMOUNT_CENTS)).toBe(MAX_AMOUNT);
    expect(parseAmountCents("100000000")).toEqual({ ok: false, reason: "TOO_LARGE" });
    expect(parseAmountCents("100000000.00")).toEqual({ ok: false, reason: "TOO_LARGE" });
  });

  it("rejects what decimal(10,2) cannot hold or what is not a positive amount", () => {
    expect(parseAmountCents("1.234")).toEqual({ ok: false, reason: "TOO_MANY_DECIMALS" });
    expect(parseAmountCents(100000000)).toEqual({ ok: false, reason: "TOO_LARGE" });
    expect(parseAmountCents(1e21)).toEqual({ ok: false, reason: "TOO_LARGE" });
    expect(parseAmountCents(0)).toEqual({ ok: false, reason: "NOT_POSITIVE" });
    expect(parseAmountCents(-5)).toEqual({ ok: false, reason: "NOT_A_DECIMAL" });
    expect(parseAmountCents("12abc")).toEqual({ ok: false, reason: "NOT_A_DECIMAL" });
    expect(parseAmountCents(null)).toEqual({ ok: false, reason: "NOT_A_DECIMAL" });
    expect(parseAmountCents(Number.NaN)).toEqual({ ok: false, reason: "NOT_A_DECIMAL" });
  });

  it("round-trips every representable amount through its decimal string", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_AMOUNT_CENTS }), (cents) => {
        expect(parseAmountCents(formatCents(cents))).toEqual({ ok: true, cents });
      }),
    );
  });
});

describe("centsOf", () => {
  it("reads stored decimals, zero included", () => {
    expect(centsOf("0.00")).toBe(0);
    expect(centsOf("200.01")).toBe(20001);
    expect(() => centsOf("abc")).toThrow();
  });
});

describe("AMOUNT_PATTERN", () => {
  it("is decimal(10,2) as text, without leading zeros", () => {
    for (const ok of ["0", "0.5", "200.01", "99999999.99"]) expect(AMOUNT_REGEX.test(ok), ok).toBe(true);
    for (const bad of ["007", "1.234", "123456789", "-1", "1.", ".5", "1e3", " 1"]) expect(AMOUNT_REGEX.test(bad), bad).toBe(false);
  });

  it("is the one pattern of the HTTP amount filters and the events' amounts", () => {
    expect(AmountText.pattern).toBe(AMOUNT_PATTERN);
    expect(OrderPlacedV1.properties.data.properties.total_amount.pattern).toBe(AMOUNT_PATTERN);
  });
});
