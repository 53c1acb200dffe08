import type { AwaitingOrder, ExportOrdersQuery, Order, OrderStats, OrderStatus } from "@spgroup/contracts";
import { ORDER_SORT_COLUMNS, ORDER_STATUSES } from "@spgroup/contracts";
import { instantFilter, parseSort, type Queryable, type ShardedSearch } from "@spgroup/platform";
import { AWAITING_PAYMENT } from "../domain/order-status.ts";

const COLUMNS = "id, status, total_amount, customer_id, customer_name, created_at, updated_at";
/** COLUMNS of the orders table aliased as `o`. */
const O_COLUMNS = COLUMNS.split(", ").map((c) => `o.${c}`).join(", ");

/**
 * An order to insert with its OrderPlaced event. The event is built by the caller; the statement
 * stamps it with the row's created_at (the order database's clock) and, with payWithinMs, with
 * data.pay_by = created_at + payWithinMs (the payment deadline). With an idempotency key, the key
 * is recorded too, and the order only if the key was new.
 */
export type PendingOrder = {
  id: string;
  status: OrderStatus;
  totalAmount: string;
  customerId: string;
  customerName: string;
  topic: string;
  payload: object;
  payWithinMs?: number;
  idempotency?: { key: string; requestHash: string };
  /** The POST's span (W3C traceparent): OrderPlaced carries it to Kafka as a header. */
  traceparent?: string;
};

/**
 * Inserts many orders and their OrderPlaced events in one statement (one transaction, one round
 * trip, one commit): a group commit of concurrent POSTs. Returns, per pending order in the same
 * order, the order as stored, or undefined when its idempotency key was already held (by an
 * earlier request, or a concurrent one whose commit the statement waited for) and nothing was
 * written for it.
 *
 * Every row of the batch carries the transaction's start time as created_at, the same now() the
 * watermark's step 1 sees as the open transaction's xact_start: no row can commit with a
 * created_at earlier than a watermark published while its transaction was open.
 *
 * Two requests with the same key must not be in one batch (the caller's group commit keeps them
 * apart). Keys are inserted in key order, so two batches that hold the same keys (from two
 * instances) wait for each other in one order and cannot deadlock.
 */
export async function insertOrdersWithOutbox(db: Queryable, pending: PendingOrder[]): Promise<(Order | undefined)[]> {
  if (pending.length === 0) return [];
  const { rows } = await db.query<Order>(
    `WITH input AS (
       SELECT * FROM unnest($1::text[], $2::order_status[], $3::numeric[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::float8[], $9::text[], $10::text[], $11::text[])
         WITH ORDINALITY AS t(id, status, total_amount, customer_id, customer_name, topic, payload, pay_within_ms, key, request_hash, traceparent, n)
     ), k AS (
       -- The key's reference to the order is checked at the end of the statement, when the order exists.
       INSERT INTO order_idempotency_keys (customer_id, key, request_hash, order_id)
       SELECT customer_id, key, request_hash, id FROM input WHERE key IS NOT NULL ORDER BY customer_id, key
       ON CONFLICT DO NOTHING RETURNING order_id
     ), o AS (
       INSERT INTO orders (id, status, total_amount, customer_id, customer_name, traceparent)
       SELECT id, status, total_amount, customer_id, customer_name, traceparent FROM input
       WHERE key IS NULL OR id IN (SELECT order_id FROM k)
       ORDER BY n
       RETURNING ${COLUMNS}
     ), ob AS (
       -- created_at in the event exactly as the API shows it (UTC, six fraction digits): to_jsonb
       -- would drop trailing zeros ("…01266+00:00" for "…012660Z"). pay_by is on the same clock
       -- as the timeout sweep (lockExpiredUnpaidOrders), so the payment service's deadline is the order's.
       -- In arrival order: the relay publishes in outbox id order.
       INSERT INTO outbox (topic, message_key, payload, traceparent)
       SELECT i.topic, o.customer_id, jsonb_set(e.j, '{data}', (e.j -> 'data') || jsonb_strip_nulls(jsonb_build_object('pay_by', t.pay_by))), i.traceparent
       FROM o JOIN input i ON i.id = o.id,
         LATERAL (SELECT to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS iso,
                         to_char((o.created_at + make_interval(secs => i.pay_within_ms / 1000)) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS pay_by) t,
         LATERAL (SELECT jsonb_set(jsonb_set(i.payload, '{occurred_at}', to_jsonb(t.iso)), '{data,created_at}', to_jsonb(t.iso)) AS j) e
       ORDER BY i.n
     )
     SELECT * FROM o`,
    [
      pending.map((p) => p.id),
      pending.map((p) => p.status),
      pending.map((p) => p.totalAmount),
      pending.map((p) => p.customerId),
      pending.map((p) => p.customerName),
      pending.map((p) => p.topic),
      pending.map((p) => JSON.stringify(p.payload)),
      pending.map((p) => p.payWithinMs ?? null),
      pending.map((p) => p.idempotency?.key ?? null),
      pending.map((p) => p.idempotency?.requestHash ?? null),
      pending.map((p) => p.traceparent ?? null),
    ],
  );
  return inOrderOf(
    pending.map((p) => p.id),
    rows,
  );
}

/** The orders among these ids that exist (a batch whose commit's answer was lost), in the ids' order. */
export async function findOrdersByIds(db: Queryable, ids: string[]): Promise<(Order | undefined)[]> {
  const { rows } = await db.query<Order>(`SELECT ${COLUMNS} FROM orders WHERE id = ANY($1::text[])`, [ids]);
  return inOrderOf(ids, rows);
}

/** Rows lined up with the ids asked for; undefined where no row has the id. */
function inOrderOf(ids: string[], rows: Order[]): (Order | undefined)[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id));
}

export async function findOrder(db: Queryable, id: string): Promise<Order | undefined> {
  const { rows } = await db.query<Order>(`SELECT ${COLUMNS} FROM orders WHERE id = $1`, [id]);
  return rows[0];
}

/** The order an idempotency key was first used for, and the hash of that request. */
export async function findIdempotentOrder(db: Queryable, customerId: string, key: string): Promise<{ order: Order; requestHash: string } | undefined> {
  const { rows } = await db.query<Order & { request_hash: string }>(
    `SELECT ${O_COLUMNS}, k.request_hash
       FROM order_idempotency_keys k JOIN orders o ON o.id = k.order_id
      WHERE k.customer_id = $1 AND k.key = $2`,
    [customerId, key],
  );
  const row = rows[0];
  if (!row) return undefined;
  const { request_hash: requestHash, ...order } = row;
  return { order, requestHash };
}

/** A status change the domain decided, on the status it decided from. */
export type StatusChange = { orderId: string; from: OrderStatus; to: OrderStatus };

/**
 * Writes status changes; returns the orders that moved. The domain has decided each one; the
 * `status = from` guard only keeps a change from landing on a row that moved since it was read.
 */
export async function moveOrders(db: Queryable, changes: StatusChange[]): Promise<Order[]> {
  if (changes.length === 0) return [];
  const { rows } = await db.query<Order>(
    `UPDATE orders o SET status = v.to_status::order_status, updated_at = now()
     FROM unnest($1::text[], $2::text[], $3::text[]) AS v(id, from_status, to_status)
     WHERE o.id = v.id AND o.status = v.from_status::order_status
     RETURNING ${O_COLUMNS}`,
    [changes.map((c) => c.orderId), changes.map((c) => c.from), changes.map((c) => c.to)],
  );
  return rows;
}

export async function orderStatuses(db: Queryable, ids: string[]): Promise<Map<string, OrderStatus>> {
  const { rows } = await db.query<{ id: string; status: OrderStatus }>("SELECT id, status FROM orders WHERE id = ANY($1::text[])", [ids]);
  return new Map(rows.map((r) => [r.id, r.status]));
}

/**
 * The statuses of these orders, locked until the transaction ends, so that what the domain decides
 * from them still holds when it is written (the timeout sweep skips locked rows). Locked in id
 * order: two transactions locking overlapping batches cannot deadlock.
 */
export async function lockOrderStatuses(db: Queryable, ids: string[]): Promise<Map<string, OrderStatus>> {
  const { rows } = await db.query<{ id: string; status: OrderStatus }>(
    "SELECT id, status FROM orders WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE",
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r.status]));
}

export type LatePaymentResult = { eventId: string; orderId: string; paymentId: string; status: string; orderStatus: OrderStatus | null };

/**
 * Records payment events for orders that are no longer awaiting payment (late results, refunds).
 * Returns the rows this call inserted (a redelivered event_id inserts nothing), each flagged
 * `firstForOrder` when no earlier row of the same status exists for its order: the statement's
 * snapshot does not see its own inserts, so the check is against rows committed before.
 */
export async function recordLatePaymentResults(db: Queryable, results: LatePaymentResult[]): Promise<(LatePaymentResult & { firstForOrder: boolean })[]> {
  if (results.length === 0) return [];
  const { rows } = await db.query<{ event_id: string; order_id: string; payment_id: string; status: string; order_status: OrderStatus | null; first_for_order: boolean }>(
    `WITH ins AS (
       INSERT INTO late_payment_results (event_id, order_id, payment_id, status, order_status)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::order_status[]) ON CONFLICT DO NOTHING
       RETURNING event_id, order_id, payment_id, status, order_status
     )
     SELECT ins.*, NOT EXISTS (SELECT 1 FROM late_payment_results l WHERE l.order_id = ins.order_id AND l.status = ins.status) AS first_for_order
     FROM ins`,
    [results.map((r) => r.eventId), results.map((r) => r.orderId), results.map((r) => r.paymentId), results.map((r) => r.status), results.map((r) => r.orderStatus)],
  );
  return rows.map((r) => ({ eventId: r.event_id, orderId: r.order_id, paymentId: r.payment_id, status: r.status, orderStatus: r.order_status, firstForOrder: r.first_for_order }));
}

/** The payment events recorded for an order after it stopped awaiting payment, oldest first. */
export async function latePaymentResultsOf(db: Queryable, orderId: string): Promise<{ payment_id: string; status: string; order_status: OrderStatus | null; received_at: string }[]> {
  const { rows } = await db.query<{ payment_id: string; status: string; order_status: OrderStatus | null; received_at: string }>(
    "SELECT payment_id, status, order_status, received_at FROM late_payment_results WHERE order_id = $1 ORDER BY received_at, event_id",
    [orderId],
  );
  return rows;
}

/**
 * Up to `limit` orders still awaiting payment after `timeoutMs`, oldest first, locked until the
 * transaction ends. SKIP LOCKED: several instances sweep at once, and a row a payment result is
 * being applied to is left for the next sweep, when its status tells.
 */
export async function lockExpiredUnpaidOrders(db: Queryable, timeoutMs: number, limit: number): Promise<{ id: string; status: OrderStatus; traceparent: string | null }[]> {
  const { rows } = await db.query<{ id: string; status: OrderStatus; traceparent: string | null }>(
    `SELECT id, status, traceparent FROM orders
     WHERE status = ANY($1::order_status[]) AND created_at < now() - make_interval(secs => $2::double precision / 1000)
     ORDER BY created_at LIMIT $3 FOR UPDATE SKIP LOCKED`,
    [AWAITING_PAYMENT, timeoutMs, limit],
  );
  return rows;
}

/** The SQL type of every sortable column: shards' rows are merged by PostgreSQL in these types. */
const SORT_TYPES = { created_at: "timestamptz", updated_at: "timestamptz", total_amount: "numeric", status: "order_status", customer_id: "text", id: "text" } as const;

/** The filters and order of an admin search or export of orders (its page is the caller's). */
export function orderSearch(query: ExportOrdersQuery): ShardedSearch {
  return {
    table: "orders",
    columns: COLUMNS,
    types: SORT_TYPES,
    filters: [
      { column: "status", op: "=" as const, value: query.status, cast: "order_status" },
      { column: "customer_id", op: "=" as const, value: query.customer_id },
      { column: "id", op: "=" as const, value: query.order_id },
      { column: "created_at", op: ">=" as const, value: instantFilter(query.created_from, "created_from"), cast: "timestamptz" },
      { column: "created_at", op: "<=" as const, value: instantFilter(query.created_to, "created_to"), cast: "timestamptz" },
      { column: "total_amount", op: ">=" as const, value: query.min_amount, cast: "numeric" },
      { column: "total_amount", op: "<=" as const, value: query.max_amount, cast: "numeric" },
    ],
    sort: parseSort(query.sort, ORDER_SORT_COLUMNS, [{ column: "created_at", descending: true }]),
    tieBreaker: "id",
  };
}

export const ORDER_CSV_COLUMNS = COLUMNS.split(", ");

/** The dashboard's counts, summed over every shard's database. */
export async function orderStats(dbs: readonly Queryable[]): Promise<OrderStats> {
  const parts = await Promise.all(dbs.map(orderStatsOf));
  const perMinute = new Map<string, OrderStats["per_minute"][number]>();
  const totals = Object.fromEntries(ORDER_STATUSES.map((s) => [s, 0])) as Record<OrderStatus, number>;
  for (const part of parts) {
    for (const row of part.per_minute) {
      const sum = perMinute.get(row.minute) ?? { minute: row.minute, success: 0, failed: 0, open: 0 };
      perMinute.set(row.minute, { minute: row.minute, success: sum.success + row.success, failed: sum.failed + row.failed, open: sum.open + row.open });
    }
    for (const status of ORDER_STATUSES) totals[status] += part.totals[status];
  }
  return { per_minute: [...perMinute.values()].sort((a, b) => (a.minute < b.minute ? -1 : 1)), totals };
}

async function orderStatsOf(db: Queryable): Promise<OrderStats> {
  const [perMinute, totals] = await Promise.all([
    db.query<{ minute: string; success: number; failed: number; open: number }>(
      `SELECT date_trunc('minute', created_at) AS minute,
              count(*) FILTER (WHERE status = $1::order_status)::int AS success,
              count(*) FILTER (WHERE status = $2::order_status)::int AS failed,
              count(*) FILTER (WHERE status = ANY($3::order_status[]))::int AS open
       FROM orders WHERE created_at >= date_trunc('minute', now()) - interval '59 minutes'
       GROUP BY 1 ORDER BY 1`,
      ["SUCCESS" satisfies OrderStatus, "FAILED" satisfies OrderStatus, AWAITING_PAYMENT],
    ),
    db.query<{ status: OrderStatus; n: number }>("SELECT status, count(*)::int AS n FROM orders GROUP BY status"),
  ]);
  const byStatus = Object.fromEntries(ORDER_STATUSES.map((s) => [s, 0])) as Record<OrderStatus, number>;
  for (const row of totals.rows) byStatus[row.status] = row.n;
  return { per_minute: perMinute.rows, totals: byStatus };
}

/** Every order, oldest first. */
export const ALL_ORDERS: ShardedSearch = { table: "orders", columns: COLUMNS, types: SORT_TYPES, filters: [], sort: [{ column: "created_at", descending: false }], tieBreaker: "id" };

/**
 * The oldest orders awaiting a payment result (what holds the watermark back), created at or before
 * `createdBefore` when given, only those older than the timeout when `overdue`; with their count.
 */
export async function awaitingPaymentOrders(
  db: Queryable,
  filter: { createdBefore?: string; overdue?: boolean; timeoutMs: number; limit: number },
): Promise<{ orders: AwaitingOrder[]; total: number }> {
  const where = `status = ANY($1::order_status[]) AND ($2::timestamptz IS NULL OR created_at <= $2)
                 AND (NOT $3::boolean OR created_at < now() - make_interval(secs => $4::double precision / 1000))`;
  const params = [AWAITING_PAYMENT, filter.createdBefore ?? null, filter.overdue === true, filter.timeoutMs];
  const [orders, count] = await Promise.all([
    db.query<AwaitingOrder>(
      `SELECT id, status, customer_id, customer_name, total_amount::text AS total_amount, created_at,
              created_at < now() - make_interval(secs => $4::double precision / 1000) AS overdue
       FROM orders WHERE ${where} ORDER BY created_at, id LIMIT $5`,
      [...params, filter.limit],
    ),
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE ${where}`, params),
  ]);
  return { orders: orders.rows, total: count.rows[0]?.n ?? 0 };
}
