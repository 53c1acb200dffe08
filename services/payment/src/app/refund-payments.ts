import { randomUUID } from "node:crypto";
import { centsOf, DomainError, type PaymentRefunded, type PaymentRefundRequested, type RefundRequestView } from "@spgroup/contracts";
import { backoffMs, childTraceparent, type DbClient, enqueueOutbox, type Logger, type Pool, recordActivity, spanAfter, traceIdOf, withDeadline, withTransaction } from "@spgroup/platform";
import { lockRefundablePayments, markPaymentsRefunded } from "../db/payments.ts";
import { lockDueRefundRequests, lockRefundRequestNow, markRefundRequestsSettled, postponeRefundRequest, recordRefundRequests, refundRequestsOf } from "../db/refund-requests.ts";
import type { PaymentGateway } from "../gateway/payment-gateway.ts";

/**
 * Records the refunds the order service asks for, in the consumer's transaction. The gateway is
 * not asked here: a refund the gateway refuses or cannot answer must be retried for as long as it
 * takes, not dead-lettered after a few seconds while the customer stays charged.
 */
export async function recordRefundsAskedFor(client: DbClient, requests: PaymentRefundRequested[]): Promise<void> {
  await recordRefundRequests(
    client,
    requests.map((r) => ({ paymentId: r.data.payment_id, orderId: r.data.order_id, reason: r.data.reason, traceparent: spanAfter(r) })),
  );
}

export interface RefundSettings {
  topic: string;
  logger: Logger;
  /** Bound on one gateway call; past it the attempt counts as failed (the gateway is idempotent per payment). */
  gatewayTimeoutMs?: number;
  batchSize?: number;
}

/**
 * One pass over the refunds that are due, each made at most once: the request and its payment
 * are locked while the payment is SUCCESS, the gateway is idempotent per payment (a retry after a
 * crash between the refund and the commit gets the same refund), and only the UPDATE that moves
 * the payment from SUCCESS to REFUNDED announces PaymentRefunded, through the outbox in the same
 * transaction. A request for a payment that is not SUCCESS (refunded already, failed) is settled
 * with nothing to do; a refusal or a failure postpones the request with back-off. Returns how
 * many payments were refunded.
 */
export async function settleDueRefunds(pool: Pool, gateway: PaymentGateway, settings: RefundSettings): Promise<number> {
  return withTransaction(pool, async (client) => (await settleLocked(client, await lockDueRefundRequests(client, settings.batchSize ?? 100), gateway, settings)).refunded.length);
}

/** Settles the refund requests `due`, locked by this transaction: see settleDueRefunds. */
async function settleLocked(
  client: DbClient,
  due: { payment_id: string; order_id: string; attempts: number; traceparent: string | null }[],
  gateway: PaymentGateway,
  settings: RefundSettings,
): Promise<{ refunded: string[]; failed: Map<string, string> }> {
  const { topic, logger } = settings;
  if (due.length === 0) return { refunded: [], failed: new Map() };
  const payments = await lockRefundablePayments(client, due.map((r) => r.payment_id));
  const refundable = new Set(payments.map((p) => p.id));
  const nothingToDo = due.filter((r) => !refundable.has(r.payment_id)).map((r) => r.payment_id);
  for (const id of nothingToDo) logger.info({ paymentId: id }, "refund request settled without a refund: payment not SUCCESS (already refunded or failed)");

  const outcomes = await Promise.all(
    payments.map((p) =>
      withDeadline(gateway.refund({ paymentId: p.id, orderId: p.order_id, amountCents: centsOf(p.total_amount) }), settings.gatewayTimeoutMs ?? 10_000, "the gateway's refund").then(
        (outcome) => (outcome.refunded ? { ok: true as const } : { ok: false as const, error: `refused: ${outcome.reason}` }),
        (error: unknown) => ({ ok: false as const, error: String((error as Error)?.message ?? error) }),
      ),
    ),
  );
  const made = payments.filter((_, i) => outcomes[i]?.ok);
  const attempts = new Map(due.map((r) => [r.payment_id, r.attempts]));
  for (const [i, payment] of payments.entries()) {
    const outcome = outcomes[i];
    if (!outcome || outcome.ok) continue;
    const delay = backoffMs(attempts.get(payment.id) ?? 0, { baseMs: 1_000, maxMs: 60_000 });
    logger.warn({ paymentId: payment.id, orderId: payment.order_id, error: outcome.error, retryInMs: delay }, "refund not made yet; will retry");
    await postponeRefundRequest(client, payment.id, outcome.error, delay);
  }

  const refunded = await markPaymentsRefunded(client, made.map((p) => p.id));
  // PaymentRefunded continues the trace of the refund request (and so of the order).
  const traceOf = new Map(due.map((r) => [r.payment_id, r.traceparent]));
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
      return { topic, key: payment.customer_id, payload: event, traceparent: childTraceparent(traceOf.get(payment.id)) };
    }),
  );
  await markRefundRequestsSettled(client, [...nothingToDo, ...made.map((p) => p.id)]);
  const failed = new Map<string, string>();
  for (const [i, payment] of payments.entries()) {
    const outcome = outcomes[i];
    if (outcome && !outcome.ok) failed.set(payment.id, outcome.error);
  }
  for (const p of refunded) logger.warn({ paymentId: p.id, orderId: p.order_id, amount: p.total_amount, trace_id: traceIdOf(traceOf.get(p.id)) }, "payment refunded: its order had FAILED");
  return { refunded: refunded.map((p) => p.id), failed };
}

/**
 * An operator's "refund now": the request's next attempt is made at once instead of when the
 * back-off says, by the same code as the scheduled pass (so still at most once: the request and
 * the payment are locked, only SUCCESS becomes REFUNDED), recorded in the activity log in its
 * transaction with the outcome. A request another pass holds right now is IN_PROGRESS (409): no
 * second gateway call for the same payment runs beside it. A refusal is kept as the request's last
 * error and retried by the scheduled pass as before.
 */
export async function refundNow(
  pool: Pool,
  gateway: PaymentGateway,
  paymentId: string,
  operator: { name: string; role: string },
  settings: RefundSettings,
): Promise<RefundRequestView> {
  await withTransaction(pool, async (client) => {
    const locked = await lockRefundRequestNow(client, paymentId);
    if (locked === "busy") throw new DomainError("IN_PROGRESS", `a refund attempt for payment ${paymentId} is running now; look again in a few seconds`);
    if (!locked) throw new DomainError("NOT_FOUND", `no refund was asked for payment ${paymentId}`);
    const [before] = await refundRequestsOf(client, "all", 1, paymentId);
    if (!before || locked.settled) throw new DomainError("ALREADY_SETTLED", `the refund of payment ${paymentId} is settled already (${before?.payment_status ?? "unknown"})`);
    const outcome = await settleLocked(client, [locked], gateway, settings);
    await recordActivity(client, {
      actor: operator,
      action: "refund.now",
      target: `payment ${paymentId} (order ${before.order_id})`,
      before: { payment_status: before.payment_status, attempts: before.attempts, last_error: before.last_error },
      after: outcome.refunded.includes(paymentId)
        ? { payment_status: "REFUNDED", refunded: true }
        : { payment_status: before.payment_status, refunded: false, error: outcome.failed.get(paymentId) ?? "nothing to refund: the payment is not SUCCESS" },
    });
  });
  const [after] = await refundRequestsOf(pool, "all", 1, paymentId);
  if (!after) throw new DomainError("NOT_FOUND", `no refund was asked for payment ${paymentId}`);
  return after;
}
