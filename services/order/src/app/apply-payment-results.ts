import { randomUUID } from "node:crypto";
import type { OrderStatus, PaymentCompleted, PaymentRefunded, PaymentRefundRequested } from "@spgroup/contracts";
import { type DbClient, enqueueOutbox, type Logger } from "@spgroup/platform";
import { completeAwaitingOrders, orderStatuses, recordLatePaymentResults } from "../db/orders.ts";
import { REFUND_REASON_ORDER_FAILED, refundIsDue } from "../domain/late-payment.ts";
import { IllegalTransition, statusAfterPayment, statusForPayment } from "../domain/order-status.ts";
import { announceCompletedOrders } from "./complete-orders.ts";
import type { OrderContext } from "./context.ts";

/** Where refund requests go; absent, late successes are only recorded (as before refunds existed). */
export type PaymentResultsContext = OrderContext & { refundTopic?: string };

/**
 * Applies payment results inside the consumer's transaction. An order awaiting payment becomes
 * SUCCESS or FAILED and announces it; a result for an order that is already terminal (failed by
 * the payment timeout) or unknown is recorded for reconciliation and changes nothing, except that
 * a success for a FAILED order asks the payment service for a refund.
 */
export async function applyPaymentResults(ctx: PaymentResultsContext, client: DbClient, logger: Logger, results: PaymentCompleted[]): Promise<void> {
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
  const recorded = await recordLatePaymentResults(client, late);
  if (ctx.refundTopic) await requestRefunds(client, ctx.refundTopic, logger, results, recorded);
}

/**
 * Exactly one refund request per order, in the transaction that records its late success: a
 * redelivered result (same event_id) records nothing, and a re-emitted one (new event_id) is not
 * the first success recorded for its order.
 */
async function requestRefunds(
  client: DbClient,
  topic: string,
  logger: Logger,
  results: PaymentCompleted[],
  recorded: Awaited<ReturnType<typeof recordLatePaymentResults>>,
): Promise<void> {
  const byEvent = new Map(results.map((r) => [r.event_id, r]));
  const due = new Map<string, PaymentCompleted>();
  for (const row of recorded) {
    const result = byEvent.get(row.eventId);
    if (result && row.firstForOrder && refundIsDue(row.status, row.orderStatus) && !due.has(row.orderId)) due.set(row.orderId, result);
  }
  if (due.size === 0) return;
  await enqueueOutbox(
    client,
    [...due.values()].map((r) => {
      logger.warn({ orderId: r.data.order_id, paymentId: r.data.payment_id }, "payment succeeded for a FAILED order: refund requested");
      const event: PaymentRefundRequested = {
        event_id: randomUUID(),
        type: "PaymentRefundRequested",
        version: 1,
        occurred_at: new Date().toISOString(),
        data: {
          payment_id: r.data.payment_id,
          order_id: r.data.order_id,
          customer_id: r.data.customer_id,
          total_amount: r.data.total_amount,
          reason: REFUND_REASON_ORDER_FAILED,
        },
      };
      return { topic, key: r.data.customer_id, payload: event };
    }),
  );
}

/** Records refunds made by the payment service, for the order's timeline; a redelivery records nothing. */
export async function recordRefunds(client: DbClient, refunds: PaymentRefunded[]): Promise<void> {
  if (refunds.length === 0) return;
  const current = await orderStatuses(client, refunds.map((r) => r.data.order_id));
  await recordLatePaymentResults(
    client,
    refunds.map((r) => ({ eventId: r.event_id, orderId: r.data.order_id, paymentId: r.data.payment_id, status: "REFUNDED", orderStatus: current.get(r.data.order_id) ?? null })),
  );
}
