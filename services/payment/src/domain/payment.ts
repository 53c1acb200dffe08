import { centsOf, type OrderPlaced, type PaymentStatus } from "@spgroup/contracts";
import type { ChargeOutcome, ChargeRequest } from "../gateway/payment-gateway.ts";

/** What to charge for a placed order: exactly its amount, never recomputed. */
export function chargeFor(order: OrderPlaced["data"]): ChargeRequest {
  return { orderId: order.order_id, customerId: order.customer_id, amountCents: centsOf(order.total_amount) };
}

export function paymentStatusOf(outcome: ChargeOutcome): PaymentStatus {
  return outcome.approved ? "SUCCESS" : "FAILED";
}
