import { randomUUID } from "node:crypto";
import { centsOf, type PaymentRefunded, type PaymentRefundRequested } from "@spgroup/contracts";
import { type DbClient, enqueueOutbox, type Logger } from "@spgroup/platform";
import { lockRefundablePayments, markPaymentsRefunded } from "../db/payments.ts";
import type { PaymentGateway } from "../gateway/payment-gateway.ts";

/** A refund the gateway refused: the batch is retried (and dead-lettered if it keeps failing). */
export class RefundRefused extends Error {}

/**
 * Refunds the payments the order service asks for, each at most once: the payment row is locked
 * while SUCCESS, the gateway is idempotent per payment (a retry after a crash between the refund
 * and the commit asks again and gets the same refund), and only the UPDATE that moves it from
 * SUCCESS to REFUNDED announces PaymentRefunded, through the outbox in the same transaction.
 * A request for a payment that is not SUCCESS (already refunded, failed, unknown) changes nothing.
 */
export async function refundPayments(client: DbClient, gateway: PaymentGateway, topic: string, logger: Logger, requests: PaymentRefundRequested[]): Promise<number> {
  if (requests.length === 0) return 0;
  const payments = await lockRefundablePayments(client, [...new Set(requests.map((r) => r.data.payment_id))]);
  const refundable = new Set(payments.map((p) => p.id));
  for (const r of requests) {
    if (!refundable.has(r.data.payment_id)) logger.info({ paymentId: r.data.payment_id, orderId: r.data.order_id }, "refund request ignored: payment not SUCCESS (already refunded, failed or unknown)");
  }
  const outcomes = await Promise.all(payments.map((p) => gateway.refund({ paymentId: p.id, orderId: p.order_id, amountCents: centsOf(p.total_amount) })));
  const refused = outcomes.flatMap((o, i) => (o.refunded ? [] : [`${payments[i]?.id}: ${o.reason}`]));
  if (refused.length > 0) throw new RefundRefused(`gateway refused refunds: ${refused.join("; ")}`);

  const refunded = await markPaymentsRefunded(client, payments.map((p) => p.id));
  await enqueueOutbox(
    client,
    refunded.map((payment) => {
      const refundedAt = payment.refunded_at ?? payment.updated_at;
      const event: PaymentRefunded = {
        event_id: randomUUID(),
        type: "PaymentRefunded",
        version: 1,
        occurred_at: refundedAt,
        data: { payment_id: payment.id, order_id: payment.order_id, customer_id: payment.customer_id, total_amount: payment.total_amount, refunded_at: refundedAt },
      };
      return { topic, key: payment.customer_id, payload: event };
    }),
  );
  for (const p of refunded) logger.warn({ paymentId: p.id, orderId: p.order_id, amount: p.total_amount }, "payment refunded: its order had FAILED");
  return refunded.length;
}
