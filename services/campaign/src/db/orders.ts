import type { OrderCompleted } from "@spgroup/contracts";
import type { Queryable } from "@spgroup/platform";

export interface StoredOrder {
  id: string;
  status: "SUCCESS" | "FAILED";
  total_amount: string;
  customer_id: string;
  customer_name: string;
  created_at: string;
}

/** Stores completed orders; an order already stored (a re-announcement) is skipped. Returns the new ones. */
export async function insertCompletedOrders(db: Queryable, orders: OrderCompleted["data"][]): Promise<StoredOrder[]> {
  if (orders.length === 0) return [];
  const { rows } = await db.query<StoredOrder>(
    `INSERT INTO orders (id, status, total_amount, customer_id, customer_name, created_at, updated_at)
     SELECT * FROM unnest($1::text[], $2::order_status[], $3::numeric[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[])
     ON CONFLICT (id) DO NOTHING
     RETURNING id, status, total_amount, customer_id, customer_name, created_at`,
    [
      orders.map((o) => o.order_id),
      orders.map((o) => o.status),
      orders.map((o) => o.total_amount),
      orders.map((o) => o.customer_id),
      orders.map((o) => o.customer_name),
      orders.map((o) => o.created_at),
      orders.map((o) => o.completed_at),
    ],
  );
  return rows;
}
