import type { RefundRequestView } from "@spgroup/contracts";
import type { Queryable } from "@spgroup/platform";

export interface RefundRequestRow {
  payment_id: string;
  order_id: string;
  attempts: number;
  /** The span of the request (W3C traceparent), continued by PaymentRefunded. */
  traceparent: string | null;
}

/** Records refund requests; one per payment, however often it is asked for. */
export async function recordRefundRequests(db: Queryable, requests: { paymentId: string; orderId: string; reason: string; traceparent?: string }[]): Promise<void> {
  if (requests.length === 0) return;
  await db.query(
    `INSERT INTO refund_requests (payment_id, order_id, reason, traceparent)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
     ON CONFLICT (payment_id) DO NOTHING`,
    [requests.map((r) => r.paymentId), requests.map((r) => r.orderId), requests.map((r) => r.reason), requests.map((r) => r.traceparent ?? null)],
  );
}

/** Unsettled requests whose next attempt is due, locked for this pass (another instance skips them). */
export async function lockDueRefundRequests(db: Queryable, limit: number): Promise<RefundRequestRow[]> {
  const { rows } = await db.query<RefundRequestRow>(
    `SELECT payment_id, order_id, attempts, traceparent FROM refund_requests
     WHERE settled_at IS NULL AND next_attempt_at <= now()
     ORDER BY next_attempt_at, requested_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return rows;
}

/**
 * One request, locked for an operator's "refund now" whatever its next attempt: undefined when
 * there is none, "busy" when a pass holds it right now (its gateway call is running).
 */
export async function lockRefundRequestNow(db: Queryable, paymentId: string): Promise<(RefundRequestRow & { settled: boolean }) | "busy" | undefined> {
  try {
    const { rows } = await db.query<RefundRequestRow & { settled: boolean }>(
      "SELECT payment_id, order_id, attempts, traceparent, settled_at IS NOT NULL AS settled FROM refund_requests WHERE payment_id = $1 FOR UPDATE NOWAIT",
      [paymentId],
    );
    return rows[0];
  } catch (error) {
    if ((error as { code?: string }).code === "55P03") return "busy";
    throw error;
  }
}

/** Refund requests with their payment: pending (not settled) the longest-charged first; settled or all, the latest first. */
export async function refundRequestsOf(db: Queryable, state: "pending" | "settled" | "all", limit: number, paymentId?: string): Promise<RefundRequestView[]> {
  const { rows } = await db.query<RefundRequestView>(
    `SELECT r.payment_id, r.order_id, p.customer_id, p.total_amount::text AS total_amount, p.status AS payment_status, r.reason,
            r.requested_at, r.attempts, CASE WHEN r.settled_at IS NULL THEN r.next_attempt_at END AS next_attempt_at,
            r.last_error, r.settled_at, p.refunded_at
     FROM refund_requests r JOIN payments p ON p.id = r.payment_id
     WHERE ($1 = 'all' OR ($1 = 'pending') = (r.settled_at IS NULL)) AND ($3::text IS NULL OR r.payment_id = $3)
     ORDER BY CASE WHEN $1 = 'pending' THEN r.requested_at END ASC, coalesce(r.settled_at, r.requested_at) DESC, r.payment_id LIMIT $2`,
    [state, limit, paymentId ?? null],
  );
  return rows;
}

export async function markRefundRequestsSettled(db: Queryable, paymentIds: string[]): Promise<void> {
  if (paymentIds.length === 0) return;
  await db.query("UPDATE refund_requests SET settled_at = now(), last_error = NULL WHERE payment_id = ANY($1::text[])", [paymentIds]);
}

/** A failed attempt: counted, with its error, and the next one pushed back by `delayMs`. */
export async function postponeRefundRequest(db: Queryable, paymentId: string, error: string, delayMs: number): Promise<void> {
  await db.query(
    `UPDATE refund_requests SET attempts = attempts + 1, last_error = $2, next_attempt_at = now() + make_interval(secs => $3::float8 / 1000)
     WHERE payment_id = $1`,
    [paymentId, error.slice(0, 500), delayMs],
  );
}

export async function countPendingRefunds(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM refund_requests WHERE settled_at IS NULL");
  return rows[0]?.n ?? 0;
}

/** How many customers are still charged for a FAILED order here, and how much in all. */
export async function pendingRefundTotals(db: Queryable): Promise<{ count: number; cents: number }> {
  const { rows } = await db.query<{ count: number; cents: string }>(
    `SELECT count(*)::int AS count, (coalesce(sum(p.total_amount), 0) * 100)::bigint::text AS cents
     FROM refund_requests r JOIN payments p ON p.id = r.payment_id WHERE r.settled_at IS NULL`,
  );
  return { count: rows[0]?.count ?? 0, cents: Number(rows[0]?.cents ?? 0) };
}
