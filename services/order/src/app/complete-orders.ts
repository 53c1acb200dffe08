import { randomUUID } from "node:crypto";
import type { Order, OrderCompleted, TerminalOrderStatus } from "@spgroup/contracts";
import { enqueueOutbox, type Queryable } from "@spgroup/platform";

/**
 * The OrderCompleted events (for the campaign service) of orders that just became terminal; with
 * `traceOf`, each carries the traceparent of what completed it (its payment result's span).
 */
export async function announceCompletedOrders(db: Queryable, topic: string, orders: Order[], traceOf?: (orderId: string) => string | undefined): Promise<void> {
  await enqueueOutbox(
    db,
    orders.map((order) => {
      const event: OrderCompleted = {
        event_id: randomUUID(),
        type: "OrderCompleted",
        version: 1,
        occurred_at: order.updated_at,
        data: {
          order_id: order.id,
          customer_id: order.customer_id,
          customer_name: order.customer_name,
          total_amount: order.total_amount,
          status: order.status as TerminalOrderStatus,
          created_at: order.created_at,
          completed_at: order.updated_at,
        },
      };
      const traceparent = traceOf?.(order.id);
      return { topic, key: order.customer_id, payload: event, ...(traceparent ? { traceparent } : {}) };
    }),
  );
}
