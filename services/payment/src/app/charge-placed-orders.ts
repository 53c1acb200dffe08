import { randomUUID } from "node:crypto";
import type { OrderPlaced, PaymentCompleted } from "@spgroup/contracts";
import { type DbClient, enqueueOutbox, mapBounded, newId, spanAfter } from "@spgroup/platform";
import { insertPayments, ordersAlreadyPaid } from "../db/payments.ts";
import { chargeFor, DEADLINE_PASSED_REASON, isPastDeadline, paymentStatusOf } from "../domain/payment.ts";
import type { ChargeOutcome, PaymentGateway } from "../gateway/payment-gateway.ts";

export interface ChargePolicy {
  /** No charge starts this close to an order's payment deadline (pay_by). */
  deadlineMarginMs: number;
  /** Gateway calls in flight at once for one batch (a batch holds up to 500 orders). */
  chargeConcurrency: number;
  now?: () => number;
  /** Sharded: the customer's logical shard, which the payment's id carries (ids.ts). */
  logicalShardOf?: (customerId: string) => number;
}

/**
 * Charges placed orders, at most one payment per order whatever the redeliveries: orders that
 * already have a payment are skipped, the gateway is idempotent per order id, and the unique
 * order_id makes a concurrent second insert a no-op. An order past its payment deadline is not
 * charged: its payment is recorded FAILED with the reason (the order is or will be FAILED anyway).
 * Each new payment announces its result through the outbox in the same transaction.
 */
export async function chargePlacedOrders(client: DbClient, gateway: PaymentGateway, topic: string, placed: OrderPlaced[], policy: ChargePolicy): Promise<number> {
  const paid = await ordersAlreadyPaid(client, placed.map((e) => e.data.order_id));
  const seen = new Set<string>();
  const toSettle = placed.filter((e) => !paid.has(e.data.order_id) && !seen.has(e.data.order_id) && seen.add(e.data.order_id));
  const now = policy.now ?? Date.now;
  // The deadline is checked when each charge starts: with a bounded number in flight, the last of
  // a batch may start well after the first. Past it, no charge is made, but one made earlier (its
  // payment never recorded: a crash, or the database down when the answer came) is recorded as it
  // was: an approval becomes a SUCCESS that the order service has refunded if the order FAILED.
  const outcomes = await mapBounded(toSettle, policy.chargeConcurrency, async (e): Promise<ChargeOutcome> => {
    if (!isPastDeadline(e.data.pay_by, now(), policy.deadlineMarginMs)) return gateway.charge(chargeFor(e.data));
    return (await gateway.earlierCharge(e.data.order_id)) ?? { approved: false, reason: DEADLINE_PASSED_REASON };
  });
  const inserted = await insertPayments(
    client,
    toSettle.map((e, i) => {
      const outcome = outcomes[i] ?? { approved: false, reason: "no outcome" };
      return {
        id: newId(Date.now(), policy.logicalShardOf?.(e.data.customer_id)),
        orderId: e.data.order_id,
        status: paymentStatusOf(outcome),
        totalAmount: e.data.total_amount,
        customerId: e.data.customer_id,
        ...(outcome.approved ? {} : { declineReason: outcome.reason }),
      };
    }),
  );
  // Each result continues the trace of the order it charged.
  const orderEvent = new Map(toSettle.map((e) => [e.data.order_id, e]));
  await enqueueOutbox(
    client,
    inserted.map((payment) => {
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
          ...(payment.decline_reason ? { decline_reason: payment.decline_reason } : {}),
        },
      };
      return { topic, key: payment.customer_id, payload: event, traceparent: spanAfter(orderEvent.get(payment.order_id)) };
    }),
  );
  return inserted.length;
}
