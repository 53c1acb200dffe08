import { describe, expect, it } from "vitest";
import { IllegalTransition, statusAfterPayment, statusAfterTimeout } from "./order-status.ts";

describe("order status transitions", () => {
  it("moves an order awaiting payment to SUCCESS or FAILED by the payment result", () => {
    expect(statusAfterPayment("PROCESSING", "SUCCESS")).toBe("SUCCESS");
    expect(statusAfterPayment("PROCESSING", "FAILED")).toBe("FAILED");
    expect(statusAfterPayment("PENDING", "SUCCESS")).toBe("SUCCESS");
  });

  it("refuses to move a terminal order again, with one typed error", () => {
    expect(() => statusAfterPayment("FAILED", "SUCCESS")).toThrow(IllegalTransition);
    expect(() => statusAfterPayment("SUCCESS", "FAILED")).toThrow(IllegalTransition);
    expect(() => statusAfterTimeout("SUCCESS")).toThrow(IllegalTransition);
  });

  it("fails an unpaid order on timeout", () => {
    expect(statusAfterTimeout("PROCESSING")).toBe("FAILED");
  });
});
