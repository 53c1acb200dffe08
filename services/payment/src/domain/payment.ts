import { centsOf, type OrderPlaced, type PaymentResultStatus } from "@spgroup/contracts";
import type { ChargeOutcome, ChargeRequest } from "../gateway/payment-gateway.ts";

/** Why an order past its payment deadline was not charged (stored and sent as decline_reason). */
export const DEADLINE_PASSED_REASON = "not charged: the order's payment deadline had passed";

/** What to charge for a placed order: exactly its amount, never recomputed. */
export function chargeFor(order: OrderPlaced["data"]): ChargeRequest {
  return { orderId: order.order_id, customerId: order.customer_id, amountCents: centsOf(order.total_amount) };
}

export function paymentStatusOf(outcome: ChargeOutcome): PaymentResultStatus {
  return outcome.approved ? "SUCCESS" : "FAILED";
}

/**
 * Whether it is too late to charge an order: at `nowMs` its deadline, less a safety margin, has
 * passed. The order service fails the order at pay_by, so a charge made after it would leave the
 * customer paying for an order that does not count. Without a deadline (an event written before
 * pay_by existed) the order is charged, as it always was.
 */
export function isPastDeadline(payBy: string | undefined, nowMs: number, marginMs: number): boolean {
  if (payBy === undefined) return false;
  const deadline = Date.parse(payBy);
  if (Number.isNaN(deadline)) return false;
  return nowMs >= deadline - marginMs;
}
