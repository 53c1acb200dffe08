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

/** How long the simulated provider remembers a charge for earlierCharge: far past any payment deadline. */
const CHARGE_MEMORY_MS = 15 * 60_000;

/**
 * A stand-in for a real payment provider: no money moves. The decision is a pure function of the
 * order id, so charging the same order again (a redelivery) gives the same answer, as a real
 * provider's idempotency key would.
 */
export class SimulatedGateway implements PaymentGateway {
  readonly #options: SimulatedGatewayOptions;
  /** Refunds made, by payment id: a second request for a payment returns the first refund. */
  readonly #refunds = new Map<string, { refundId: string; amountCents: number }>();
  /**
   * Charges asked for, by order id, with when: in flight or answered, for earlierCharge. Kept
   * CHARGE_MEMORY_MS (well past any payment deadline), in this process's memory only: a real
   * provider keeps its charges, and a restart here forgets them.
   */
  readonly #charges = new Map<string, { at: number; outcome: Promise<ChargeOutcome> }>();

  constructor(options: SimulatedGatewayOptions) {
    this.#options = options;
  }

  charge(request: ChargeRequest): Promise<ChargeOutcome> {
    const now = Date.now();
    // Oldest first (insertion order): forget what is past the memory.
    for (const [orderId, charge] of this.#charges) {
      if (now - charge.at < CHARGE_MEMORY_MS) break;
      this.#charges.delete(orderId);
    }
    // Recorded before the provider answers: a lookup during the charge waits for its outcome.
    const outcome = this.#decide(request);
    this.#charges.set(request.orderId, { at: now, outcome });
    return outcome;
  }

  async #decide(request: ChargeRequest): Promise<ChargeOutcome> {
    const slow = this.#options.slowPrefix && request.customerId.startsWith(this.#options.slowPrefix);
    const latency = slow ? (this.#options.slowLatencyMs ?? 0) : this.#options.latencyMs;
    if (latency > 0) await sleep(latency);
    if (this.#options.declinePrefix && request.customerId.startsWith(this.#options.declinePrefix)) {
      return { approved: false, reason: "card declined (simulated decline list)" };
    }
    const draw = createHash("sha256").update(request.orderId).digest().readUInt32BE(0) / 0x1_0000_0000;
    return draw < this.#options.approvalRatio ? { approved: true } : { approved: false, reason: "card declined (simulated)" };
  }

  async earlierCharge(orderId: string): Promise<ChargeOutcome | undefined> {
    return this.#charges.get(orderId)?.outcome;
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
