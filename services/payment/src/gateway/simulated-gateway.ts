import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { ChargeOutcome, ChargeRequest, PaymentGateway, RefundOutcome, RefundRequest } from "./payment-gateway.ts";

export interface SimulatedGatewayOptions {
  /** Share of charges approved, 0..1. */
  approvalRatio: number;
  /** Simulated provider latency per charge. */
  latencyMs: number;
  /** Customers whose id starts with this are always declined (deterministic declines for tests). */
  declinePrefix: string;
  /** Customers whose id starts with this pay late: their charge takes slowLatencyMs (demo, finality tests). */
  slowPrefix?: string;
  slowLatencyMs?: number;
}

/**
 * A stand-in for a real payment provider: no money moves. The decision is a pure function of the
 * order id, so charging the same order again (a redelivery) gives the same answer, as a real
 * provider's idempotency key would.
 */
export class SimulatedGateway implements PaymentGateway {
  readonly #options: SimulatedGatewayOptions;
  /** Refunds made, by payment id: a second request for a payment returns the first refund. */
  readonly #refunds = new Map<string, { refundId: string; amountCents: number }>();
  /** Charges made, by order id (this process's memory: a real provider keeps them). */
  readonly #charges = new Map<string, ChargeOutcome>();

  constructor(options: SimulatedGatewayOptions) {
    this.#options = options;
  }

  async charge(request: ChargeRequest): Promise<ChargeOutcome> {
    const slow = this.#options.slowPrefix && request.customerId.startsWith(this.#options.slowPrefix);
    const latency = slow ? (this.#options.slowLatencyMs ?? 0) : this.#options.latencyMs;
    if (latency > 0) await sleep(latency);
    if (this.#options.declinePrefix && request.customerId.startsWith(this.#options.declinePrefix)) {
      const declined: ChargeOutcome = { approved: false, reason: "card declined (simulated decline list)" };
      this.#charges.set(request.orderId, declined);
      return declined;
    }
    const draw = createHash("sha256").update(request.orderId).digest().readUInt32BE(0) / 0x1_0000_0000;
    const outcome: ChargeOutcome = draw < this.#options.approvalRatio ? { approved: true } : { approved: false, reason: "card declined (simulated)" };
    this.#charges.set(request.orderId, outcome);
    return outcome;
  }

  async earlierCharge(orderId: string): Promise<ChargeOutcome | undefined> {
    return this.#charges.get(orderId);
  }

  async refund(request: RefundRequest): Promise<RefundOutcome> {
    if (this.#options.latencyMs > 0) await sleep(this.#options.latencyMs);
    const earlier = this.#refunds.get(request.paymentId);
    if (earlier) return { refunded: true, refundId: earlier.refundId };
    const refundId = `RF-${request.paymentId}`;
    this.#refunds.set(request.paymentId, { refundId, amountCents: request.amountCents });
    return { refunded: true, refundId };
  }

  /** Money given back so far, in cents (each payment at most once): what a test can check. */
  get refundedCents(): number {
    let total = 0;
    for (const refund of this.#refunds.values()) total += refund.amountCents;
    return total;
  }
}
