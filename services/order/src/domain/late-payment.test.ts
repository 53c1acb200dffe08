import type { Order } from "@spgroup/contracts";
import { describe, expect, it } from "vitest";
import { refundIsDue, timelineOf } from "./late-payment.ts";

const order = (status: Order["status"]): Order => ({
  id: "O1",
  customer_id: "c",
  customer_name: "C",
  total_amount: "10.00",
  status,
  created_at: "2026-01-01T00:00:00.000000Z",
  updated_at: "2026-01-01T00:01:00.000000Z",
});
const late = (status: string, orderStatus: Order["status"] | null, second: number) => ({
  payment_id: "P1",
  status,
  order_status: orderStatus,
  received_at: `2026-01-01T00:02:${String(second).padStart(2, "0")}.000000Z`,
});

describe("refunds of late payments", () => {
  it("is due only for a successful payment of an order that FAILED", () => {
    expect(refundIsDue("SUCCESS", "FAILED")).toBe(true);
    expect(refundIsDue("FAILED", "FAILED")).toBe(false);
    expect(refundIsDue("SUCCESS", "SUCCESS")).toBe(false);
    expect(refundIsDue("SUCCESS", "PROCESSING")).toBe(false);
    expect(refundIsDue("SUCCESS", null)).toBe(false);
  });

  it("tells an order's story: placed, failed, paid late, refund requested once, refunded", () => {
    const steps = timelineOf(order("FAILED"), [late("SUCCESS", "FAILED", 1), late("SUCCESS", "FAILED", 2), late("REFUNDED", "FAILED", 3)]);
    expect(steps.map((s) => [s.step, s.status])).toEqual([
      ["PLACED", "PROCESSING"],
      ["COMPLETED", "FAILED"],
      ["LATE_PAYMENT_RESULT", "SUCCESS"],
      ["REFUND_REQUESTED", "REFUND_REQUESTED"],
      ["LATE_PAYMENT_RESULT", "SUCCESS"],
      ["REFUNDED", "REFUNDED"],
    ]);
  });

  it("shows an open order as placed only, and requests no refund for a contradicting result", () => {
    expect(timelineOf(order("PROCESSING"), []).map((s) => s.step)).toEqual(["PLACED"]);
    expect(timelineOf(order("SUCCESS"), [late("FAILED", "SUCCESS", 1)]).map((s) => s.step)).toEqual(["PLACED", "COMPLETED", "LATE_PAYMENT_RESULT"]);
  });
});
