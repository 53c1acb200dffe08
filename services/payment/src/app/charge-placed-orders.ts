import { randomUUID } from "node:crypto";
import type { OrderPlaced, PaymentCompleted } from "@spgroup/contracts";
import { type DbClient, enqueueOutbox, newId } from "@spgroup/platform";
import { insertPayments, ordersAlreadyPaid } from "../db/payments.ts";
import { chargeFor, paymentStatusOf } from "../domain/payment.ts";
import type { PaymentGateway } from "../gateway/payment-gateway.ts";

/**
 * Charges placed orders, at most one payment per order whatever the redeliveries: orders that
 * already have a payment are skipped, the gateway is idempotent per order id, and the unique
 * order_id makes a concurrent second insert a no-op. Each new payment announces its result
 * through the outbox in the same transaction.
 */
export async function chargePlacedOrders(client: DbClient, gateway: PaymentGateway, topic: string, placed: OrderPlaced[]): Promise<number> {
  const paid = await ordersAlreadyPaid(client, placed.map((e) => e.data.order_id));
  const seen = new Set<string>();
  const toCharge = placed.filter((e) => !paid.has(e.data.order_id) && !seen.has(e.data.order_id) && seen.add(e.data.order_id));
  const outcomes = await Promise.all(toCharge.map((e) => gateway.charge(chargeFor(e.data))));
  const inserted = await insertPayments(
    client,
    toCharge.map((e, i) => ({
      id: newId(),
      orderId: e.data.order_id,
      status: paymentStatusOf(outcomes[i] ?? { approved: false, reason: "no outcome" }),
      totalAmount: e.data.total_amount,
      customerId: e.data.customer_id,
    })),
  );
  const reasons = new Map(toCharge.map((e, i) => [e.data.order_id, outcomes[i]]));
  await enqueueOutbox(
    client,
    inserted.map((payment) => {
      const outcome = reasons.get(payment.order_id);
      const event: PaymentCompleted = {
        event_id: randomUUID(),
        type: "PaymentCompleted",
        version: 1,
        occurred_at: payment.created_at,
        data: {
          payment_id: payment.id,
          order_id: payment.order_id,
          customer_id: payment.customer_id,
          status: payment.status,
          total_amount: payment.total_amount,
          ...(outcome && !outcome.approved ? { decline_reason: outcome.reason } : {}),
        },
      };
      return { topic, key: payment.customer_id, payload: event };
    }),
  );
  return inserted.length;
}
