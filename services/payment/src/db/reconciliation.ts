import type { Queryable } from "@spgroup/platform";

// "Charged without success": a payment that took the customer's money and still holds it (SUCCESS,
// not REFUNDED) for an order that FAILED. It spans two databases, so it is two queries: the
// order ids of such payments here, then how many of those orders FAILED on the order database.
// Between a late success and its refund the count is briefly above 0; once the pipeline has
// drained it must be 0 (the chaos suite's check). An operator's tool: the payment service itself
// never reads the order database.

/** On payment_db: orders whose payment holds the customer's money. */
export const CHARGED_ORDER_IDS_SQL = "SELECT order_id FROM payments WHERE status = 'SUCCESS'";

/** On order_db, $1 = the ids above: how many of those orders FAILED. */
export const FAILED_ORDERS_AMONG_SQL = "SELECT count(*)::int AS n FROM orders WHERE id = ANY($1::text[]) AND status = 'FAILED'";

/** How many customers are charged for an order that FAILED and have not been refunded. */
export async function countChargedWithoutSuccess(paymentDb: Queryable, orderDb: Queryable): Promise<number> {
  const charged = await paymentDb.query<{ order_id: string }>(CHARGED_ORDER_IDS_SQL);
  if (charged.rows.length === 0) return 0;
  const { rows } = await orderDb.query<{ n: number }>(FAILED_ORDERS_AMONG_SQL, [charged.rows.map((r) => r.order_id)]);
  return rows[0]?.n ?? 0;
}
