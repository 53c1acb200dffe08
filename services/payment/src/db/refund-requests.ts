import type { Queryable } from "@spgroup/platform";

export interface RefundRequestRow {
  payment_id: string;
  order_id: string;
  attempts: number;
}

/** Records refund requests; one per payment, however often it is asked for. */
export async function recordRefundRequests(db: Queryable, requests: { paymentId: string; orderId: string; reason: string }[]): Promise<void> {
  if (requests.length === 0) return;
  await db.query(
    `INSERT INTO refund_requests (payment_id, order_id, reason)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
     ON CONFLICT (payment_id) DO NOTHING`,
    [requests.map((r) => r.paymentId), requests.map((r) => r.orderId), requests.map((r) => r.reason)],
  );
}

/** Unsettled requests whose next attempt is due, locked for this pass (another instance skips them). */
export async function lockDueRefundRequests(db: Queryable, limit: number): Promise<RefundRequestRow[]> {
  const { rows } = await db.query<RefundRequestRow>(
    `SELECT payment_id, order_id, attempts FROM refund_requests
     WHERE settled_at IS NULL AND next_attempt_at <= now()
     ORDER BY next_attempt_at, requested_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
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
