import type { Order, OrderStatus, OrderTimelineStep, PaymentStatus } from "@spgroup/contracts";
import { isAwaitingPayment } from "./order-status.ts";

/** Why the order service asks for a refund; carried in PaymentRefundRequested. */
export const REFUND_REASON_ORDER_FAILED = "payment succeeded after the order had FAILED";

/**
 * A successful payment for an order that had already FAILED (the payment timeout won the race)
 * must be given back: the order does not count, so the customer must not pay for it.
 */
export function refundIsDue(payment: string, order: OrderStatus | null): boolean {
  return payment === ("SUCCESS" satisfies PaymentStatus) && order === "FAILED";
}

export interface RecordedLateResult {
  payment_id: string;
  status: string;
  order_status: OrderStatus | null;
  received_at: string;
}

/**
 * The order's history as the order service saw it: placed, completed, then any payment event that
 * came after (late results, the refund requested for the first late success, the refund made).
 * `late` is oldest first, as late_payment_results holds it.
 */
export function timelineOf(order: Order, late: RecordedLateResult[]): OrderTimelineStep[] {
  const steps: OrderTimelineStep[] = [{ at: order.created_at, step: "PLACED", status: "PROCESSING" }];
  if (!isAwaitingPayment(order.status)) steps.push({ at: order.updated_at, step: "COMPLETED", status: order.status });
  let refundRequested = false;
  for (const row of late) {
    if (row.status === ("REFUNDED" satisfies PaymentStatus)) {
      steps.push({ at: row.received_at, step: "REFUNDED", status: row.status, payment_id: row.payment_id });
      continue;
    }
    steps.push({ at: row.received_at, step: "LATE_PAYMENT_RESULT", status: row.status, payment_id: row.payment_id });
    // Mirrors applyPaymentResults: one request per order, with its first late success.
    if (!refundRequested && refundIsDue(row.status, row.order_status)) {
      refundRequested = true;
      steps.push({ at: row.received_at, step: "REFUND_REQUESTED", status: "REFUND_REQUESTED", payment_id: row.payment_id });
    }
  }
  return steps;
}
