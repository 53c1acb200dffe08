import { describe, expect, it } from "vitest";
import { SimulatedGateway } from "./simulated-gateway.ts";

describe("SimulatedGateway", () => {
  it("always declines customers on the decline list", async () => {
    const gateway = new SimulatedGateway({ approvalRatio: 1, latencyMs: 0, declinePrefix: "DECLINE" });
    expect(await gateway.charge({ orderId: "A1", customerId: "DECLINE-7", amountCents: 100 })).toMatchObject({ approved: false });
    expect(await gateway.charge({ orderId: "A1", customerId: "c-7", amountCents: 100 })).toEqual({ approved: true });
  });

  it("makes customers on the slow list pay late", async () => {
    const gateway = new SimulatedGateway({ approvalRatio: 1, latencyMs: 0, declinePrefix: "", slowPrefix: "SLOW", slowLatencyMs: 150 });
    const started = performance.now();
    await gateway.charge({ orderId: "S1", customerId: "SLOW-1", amountCents: 100 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("gives the same answer when the same order is charged again", async () => {
    const gateway = new SimulatedGateway({ approvalRatio: 0.5, latencyMs: 0, declinePrefix: "" });
    for (let i = 0; i < 50; i++) {
      const request = { orderId: `ORDER${i}`, customerId: "c", amountCents: 100 };
      expect(await gateway.charge(request)).toEqual(await gateway.charge(request));
    }
  });

  it("approves about the configured share of orders", async () => {
    const gateway = new SimulatedGateway({ approvalRatio: 0.8, latencyMs: 0, declinePrefix: "" });
    let approved = 0;
    for (let i = 0; i < 2_000; i++) if ((await gateway.charge({ orderId: `O${i}`, customerId: "c", amountCents: 1 })).approved) approved++;
    expect(approved / 2_000).toBeGreaterThan(0.75);
    expect(approved / 2_000).toBeLessThan(0.85);
  });
});

describe("SimulatedGateway refunds", () => {
  it("refunds a payment once, however often it is asked", async () => {
    const gateway = new SimulatedGateway({ approvalRatio: 1, latencyMs: 0, declinePrefix: "" });
    const request = { paymentId: "P1", orderId: "O1", amountCents: 1_234 };
    const first = await gateway.refund(request);
    expect(first).toEqual({ refunded: true, refundId: expect.any(String) });
    expect(await gateway.refund(request)).toEqual(first);
    expect(gateway.refundedCents).toBe(1_234);
    await gateway.refund({ paymentId: "P2", orderId: "O2", amountCents: 1 });
    expect(gateway.refundedCents).toBe(1_235);
  });
});
