import { describe, expect, it } from "vitest";
import { isPastDeadline } from "./payment.ts";

describe("the payment deadline", () => {
  const payBy = "2026-11-25T03:31:00.000000Z";
  const at = (iso: string) => Date.parse(iso);

  it("charges an order well before its deadline", () => {
    expect(isPastDeadline(payBy, at("2026-11-25T03:30:00Z"), 2_000)).toBe(false);
    expect(isPastDeadline(payBy, at("2026-11-25T03:30:57.999Z"), 2_000)).toBe(false);
  });

  it("does not charge within the safety margin of the deadline, nor after it", () => {
    expect(isPastDeadline(payBy, at("2026-11-25T03:30:58Z"), 2_000)).toBe(true);
    expect(isPastDeadline(payBy, at("2026-11-25T03:31:00Z"), 0)).toBe(true);
    expect(isPastDeadline(payBy, at("2026-11-25T04:00:00Z"), 0)).toBe(true);
  });

  it("charges an order whose event carries no deadline (written before pay_by existed)", () => {
    expect(isPastDeadline(undefined, at("2099-01-01T00:00:00Z"), 2_000)).toBe(false);
  });
});
