import type { OrderStatus, PaymentCompleted } from "@spgroup/contracts";
import type { DbClient, Logger } from "@spgroup/platform";
import { completeAwaitingOrders, orderStatuses, recordLatePaymentResults } from "../db/orders.ts";
import { IllegalTransition, statusAfterPayment, statusForPayment } from "../domain/order-status.ts";
import { announceCompletedOrders } from "./complete-orders.ts";
import type { OrderContext } from "./context.ts";

/**
 * Applies payment results inside the consumer's transaction. An order awaiting payment becomes
 * SUCCESS or FAILED and announces it; a result for an order that is already terminal (failed by
 * the payment timeout) or unknown is recorded for reconciliation and changes nothing.
 */
export async function applyPaymentResults(ctx: OrderContext, client: DbClient, logger: Logger, results: PaymentCompleted[]): Promise<void> {
  // Only the first result per order in the batch may apply (one UPDATE cannot apply two to a row
  // deterministically); any later one is handled like a result for an already terminal order.
  const firsts = new Map<string, PaymentCompleted>();
  for (const r of results) if (!firsts.has(r.data.order_id)) firsts.set(r.data.order_id, r);
  const changes = [...firsts.values()].map((r) => ({ orderId: r.data.order_id, status: statusForPayment(r.data.status) }));
  const completed = await completeAwaitingOrders(client, changes);
  await announceCompletedOrders(client, ctx.topics.ordersCompleted, completed);

  const moved = new Set(completed.map((o) => o.id));
  const unapplied = results.filter((r) => !(moved.has(r.data.order_id) && firsts.get(r.data.order_id) === r));
  if (unapplied.length === 0) return;
  const current = await orderStatuses(client, unapplied.map((r) => r.data.order_id));
  const late = unapplied.map((r) => {
    const status: OrderStatus | undefined = current.get(r.data.order_id);
    try {
      if (status) statusAfterPayment(status, r.data.status);
    } catch (error) {
      if (!(error instanceof IllegalTransition)) throw error;
    }
    logger.warn({ orderId: r.data.order_id, paymentId: r.data.payment_id, orderStatus: status ?? null, payment: r.data.status }, "payment result not applied: order not awaiting payment");
    return { eventId: r.event_id, orderId: r.data.order_id, paymentId: r.data.payment_id, status: r.data.status, orderStatus: status ?? null };
  });
  await recordLatePaymentResults(client, late);
}
