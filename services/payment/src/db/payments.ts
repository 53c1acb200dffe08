import type { ExportPaymentsQuery, Payment, PaymentStats, PaymentStatus, SearchPaymentsQuery } from "@spgroup/contracts";
import { PAYMENT_SORT_COLUMNS } from "@spgroup/contracts";
import { allMatchingSql, type PageResult, pagedSearch, parseSort, type Queryable } from "@spgroup/platform";

const COLUMNS = "id, order_id, status, total_amount, customer_id, created_at, updated_at";

export async function findPayment(db: Queryable, id: string): Promise<Payment | undefined> {
  const { rows } = await db.query<Payment>(`SELECT ${COLUMNS} FROM payments WHERE id = $1`, [id]);
  return rows[0];
}

export async function ordersAlreadyPaid(db: Queryable, orderIds: string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ order_id: string }>("SELECT order_id FROM payments WHERE order_id = ANY($1::text[])", [orderIds]);
  return new Set(rows.map((r) => r.order_id));
}

/** Inserts payments; one whose order already has a payment is skipped. Returns those inserted. */
export async function insertPayments(
  db: Queryable,
  payments: { id: string; orderId: string; status: PaymentStatus; totalAmount: string; customerId: string }[],
): Promise<Payment[]> {
  if (payments.length === 0) return [];
  const { rows } = await db.query<Payment>(
    `INSERT INTO payments (id, order_id, status, total_amount, customer_id)
     SELECT * FROM unnest($1::text[], $2::text[], $3::payment_status[], $4::numeric[], $5::text[])
     ON CONFLICT (order_id) DO NOTHING
     RETURNING ${COLUMNS}`,
    [payments.map((p) => p.id), payments.map((p) => p.orderId), payments.map((p) => p.status), payments.map((p) => p.totalAmount), payments.map((p) => p.customerId)],
  );
  return rows;
}

function paymentSearch(query: ExportPaymentsQuery) {
  return {
    filters: [
      { column: "status", op: "=" as const, value: query.status, cast: "payment_status" },
      { column: "customer_id", op: "=" as const, value: query.customer_id },
      { column: "order_id", op: "=" as const, value: query.order_id },
      { column: "created_at", op: ">=" as const, value: query.created_from, cast: "timestamptz" },
      { column: "created_at", op: "<=" as const, value: query.created_to, cast: "timestamptz" },
      { column: "total_amount", op: ">=" as const, value: query.min_amount, cast: "numeric" },
      { column: "total_amount", op: "<=" as const, value: query.max_amount, cast: "numeric" },
    ],
    sort: parseSort(query.sort, PAYMENT_SORT_COLUMNS, [{ column: "created_at", descending: true }]),
    tieBreaker: "id",
  };
}

export function searchPayments(db: Queryable, query: SearchPaymentsQuery): Promise<PageResult<Payment>> {
  return pagedSearch<Payment>(db, { table: "payments", columns: COLUMNS, ...paymentSearch(query), page: query.page, size: query.size });
}

export const PAYMENT_CSV_COLUMNS = COLUMNS.split(", ");

/** SQL and parameters of every payment matching a search, for a streamed export. */
export function exportPaymentsQuery(query: ExportPaymentsQuery): { sql: string; params: unknown[] } {
  return allMatchingSql({ table: "payments", columns: COLUMNS, ...paymentSearch(query) });
}

export async function paymentStats(db: Queryable): Promise<PaymentStats> {
  const { rows } = await db.query<{ status: PaymentStatus; n: number }>("SELECT status, count(*)::int AS n FROM payments GROUP BY status");
  const totals = { SUCCESS: 0, FAILED: 0 };
  for (const row of rows) totals[row.status] = row.n;
  const all = totals.SUCCESS + totals.FAILED;
  return { totals, approval_rate: all === 0 ? null : totals.SUCCESS / all };
}

export const ALL_PAYMENTS_SQL = `SELECT ${COLUMNS} FROM payments ORDER BY created_at, id`;
