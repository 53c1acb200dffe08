import { randomUUID } from "node:crypto";
import type { OrderStatus, PaymentCompleted, PaymentRefunded, PaymentRefundRequested } from "@spgroup/contracts";
import { type DbClient, enqueueOutbox, type Logger, spanAfter, traceIdOf, traceparentOf } from "@spgroup/platform";
import { type LatePaymentResult, lockOrderStatuses, moveOrders, orderStatuses, recordLatePaymentResults, type StatusChange } from "../db/orders.ts";
import { REFUND_REASON_ORDER_FAILED, refundIsDue } from "../domain/late-payment.ts";
import { IllegalTransition, statusAfterPayment } from "../domain/order-status.ts";
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
  // The rows stay locked until the consumer commits, so the decisions below cannot be overtaken.
  const status = await lockOrderStatuses(client, [...new Set(results.map((r) => r.data.order_id))]);
  const changes: StatusChange[] = [];
  const late: LatePaymentResult[] = [];
  // In batch order: a second result for the same order meets the status the first one decided.
  for (const r of results) {
    const current: OrderStatus | undefined = status.get(r.data.order_id);
    const next = current === undefined ? undefined : nextStatus(current, r);
    if (current !== undefined && next !== undefined) {
      changes.push({ orderId: r.data.order_id, from: current, to: next });
      status.set(r.data.order_id, next);
      continue;
    }
    logger.warn(
      { orderId: r.data.order_id, paymentId: r.data.payment_id, orderStatus: current ?? null, payment: r.data.status, trace_id: traceIdOf(traceparentOf(r)) },
      "payment result not applied: order not awaiting payment",
    );
    late.push({ eventId: r.event_id, orderId: r.data.order_id, paymentId: r.data.payment_id, status: r.data.status, orderStatus: current ?? null });
  }

  const completed = await moveOrders(client, changes);
  if (completed.length !== changes.length) throw new Error(`${changes.length - completed.length} locked orders changed status while locked`);
  // Each completion continues the trace of the payment result that decided it.
  // The first result of an order in the batch is the one that decided it (later ones are late).
  const decidedBy = new Map<string, PaymentCompleted>();
  for (const r of results) if (!decidedBy.has(r.data.order_id)) decidedBy.set(r.data.order_id, r);
  await announceCompletedOrders(client, ctx.topics.ordersCompleted, completed, (orderId) => spanAfter(decidedBy.get(orderId)));
  if (late.length === 0) return;
  const recorded = await recordLatePaymentResults(client, late);
  if (ctx.refundTopic) await requestRefunds(client, ctx.refundTopic, logger, results, recorded);
}

/** What the domain says a payment result does to an order; undefined when it may not move it any more. */
function nextStatus(current: OrderStatus, result: PaymentCompleted): OrderStatus | undefined {
  try {
    return statusAfterPayment(current, result.data.status);
  } catch (error) {
    if (error instanceof IllegalTransition) return undefined;
    throw error;
  }
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
      logger.warn({ orderId: r.data.order_id, paymentId: r.data.payment_id, trace_id: traceIdOf(traceparentOf(r)) }, "payment succeeded for a FAILED order: refund requested");
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
      return { topic, key: r.data.customer_id, payload: event, traceparent: spanAfter(r) };
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
