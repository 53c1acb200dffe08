import type { ExportPaymentsQuery, Payment, PaymentResultStatus, PaymentStats, PaymentStatus } from "@spgroup/contracts";
import { PAYMENT_SORT_COLUMNS, PAYMENT_STATUSES } from "@spgroup/contracts";
import { instantFilter, parseSort, type Queryable, type ShardedSearch } from "@spgroup/platform";

const COLUMNS = "id, order_id, status, total_amount, customer_id, created_at, updated_at, refunded_at, decline_reason";

export async function findPayment(db: Queryable, id: string): Promise<Payment | undefined> {
  const { rows } = await db.query<Payment>(`SELECT ${COLUMNS} FROM payments WHERE id = $1`, [id]);
  return rows[0];
}

export async function ordersAlreadyPaid(db: Queryable, orderIds: string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ order_id: string }>("SELECT order_id FROM payments WHERE order_id = ANY($1::text[])", [orderIds]);
  return new Set(rows.map((r) => r.order_id));
}

/** A payment as stored: the API's fields plus when it was refunded and why it failed. */
export type PaymentRow = Payment & { refunded_at: string | null; decline_reason: string | null };

/** Inserts payments; one whose order already has a payment is skipped. Returns those inserted. */
export async function insertPayments(
  db: Queryable,
  payments: { id: string; orderId: string; status: PaymentResultStatus; totalAmount: string; customerId: string; declineReason?: string }[],
): Promise<(PaymentRow & { status: PaymentResultStatus })[]> {
  if (payments.length === 0) return [];
  const { rows } = await db.query<PaymentRow & { status: PaymentResultStatus }>(
    `INSERT INTO payments (id, order_id, status, total_amount, customer_id, decline_reason)
     SELECT * FROM unnest($1::text[], $2::text[], $3::payment_status[], $4::numeric[], $5::text[], $6::text[])
     ON CONFLICT (order_id) DO NOTHING
     RETURNING ${COLUMNS}`,
    [
      payments.map((p) => p.id),
      payments.map((p) => p.orderId),
      payments.map((p) => p.status),
      payments.map((p) => p.totalAmount),
      payments.map((p) => p.customerId),
      payments.map((p) => p.declineReason ?? null),
    ],
  );
  return rows;
}

/** The payments among `ids` that are still SUCCESS, locked until the transaction ends. */
export async function lockRefundablePayments(db: Queryable, ids: string[]): Promise<PaymentRow[]> {
  const { rows } = await db.query<PaymentRow>(`SELECT ${COLUMNS} FROM payments WHERE id = ANY($1::text[]) AND status = 'SUCCESS' ORDER BY id FOR UPDATE`, [ids]);
  return rows;
}

/** Marks SUCCESS payments REFUNDED; returns those it changed (never the same payment twice). */
export async function markPaymentsRefunded(db: Queryable, ids: string[]): Promise<PaymentRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<PaymentRow>(
    `UPDATE payments SET status = 'REFUNDED', refunded_at = now(), updated_at = now()
     WHERE id = ANY($1::text[]) AND status = 'SUCCESS'
     RETURNING ${COLUMNS}`,
    [ids],
  );
  return rows;
}

export async function countRefundedPayments(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM payments WHERE status = 'REFUNDED'");
  return rows[0]?.n ?? 0;
}

/** The SQL type of every sortable column: shards' rows are merged by PostgreSQL in these types. */
const SORT_TYPES = {
  created_at: "timestamptz",
  updated_at: "timestamptz",
  total_amount: "numeric",
  status: "payment_status",
  customer_id: "text",
  order_id: "text",
  id: "text",
} as const;

/** The filters and order of an admin search or export of payments (its page is the caller's). */
export function paymentSearch(query: ExportPaymentsQuery): ShardedSearch {
  return {
    table: "payments",
    columns: COLUMNS,
    types: SORT_TYPES,
    filters: [
      { column: "status", op: "=" as const, value: query.status, cast: "payment_status" },
      { column: "customer_id", op: "=" as const, value: query.customer_id },
      { column: "order_id", op: "=" as const, value: query.order_id },
      { column: "created_at", op: ">=" as const, value: instantFilter(query.created_from, "created_from"), cast: "timestamptz" },
      { column: "created_at", op: "<=" as const, value: instantFilter(query.created_to, "created_to"), cast: "timestamptz" },
      { column: "total_amount", op: ">=" as const, value: query.min_amount, cast: "numeric" },
      { column: "total_amount", op: "<=" as const, value: query.max_amount, cast: "numeric" },
    ],
    sort: parseSort(query.sort, PAYMENT_SORT_COLUMNS, [{ column: "created_at", descending: true }]),
    tieBreaker: "id",
  };
}

export const PAYMENT_CSV_COLUMNS = COLUMNS.split(", ");

/** The dashboard's counts, summed over every shard's database. */
export async function paymentStats(dbs: readonly Queryable[]): Promise<PaymentStats> {
  const parts = await Promise.all(dbs.map((db) => db.query<{ status: PaymentStatus; n: number }>("SELECT status, count(*)::int AS n FROM payments GROUP BY status")));
  const totals = Object.fromEntries(PAYMENT_STATUSES.map((s) => [s, 0])) as Record<PaymentStatus, number>;
  for (const row of parts.flatMap((p) => p.rows)) totals[row.status] += row.n;
  // A refunded payment was approved, then given back: it counts as approved.
  const approved = totals.SUCCESS + totals.REFUNDED;
  const all = approved + totals.FAILED;
  return { totals, approval_rate: all === 0 ? null : approved / all };
}

/** Every payment, oldest first. */
export const ALL_PAYMENTS: ShardedSearch = { table: "payments", columns: COLUMNS, types: SORT_TYPES, filters: [], sort: [{ column: "created_at", descending: false }], tieBreaker: "id" };
