import { childTraceparent, withTransaction } from "@spgroup/platform";
import { lockExpiredUnpaidOrders, moveOrders } from "../db/orders.ts";
import { statusAfterTimeout } from "../domain/order-status.ts";
import { announceCompletedOrders } from "./complete-orders.ts";
import type { OrderContext } from "./context.ts";

/**
 * Fails orders whose payment result has not come within the timeout, so a dead payment service
 * cannot keep a campaign open for ever. Safe with several instances (SKIP LOCKED), and against a
 * payment result arriving at the same moment (each locks the rows it decides on; the sweep skips
 * those a result holds).
 */
export async function expireUnpaidOrders(ctx: OrderContext, timeoutMs: number, limit = 500): Promise<number> {
  const expired = await withTransaction(ctx.pool, async (client) => {
    const due = await lockExpiredUnpaidOrders(client, timeoutMs, limit);
    const orders = await moveOrders(client, due.map((o) => ({ orderId: o.id, from: o.status, to: statusAfterTimeout(o.status) })));
    // Each completion continues the trace of the POST that placed the order.
    const placedWith = new Map(due.map((o) => [o.id, o.traceparent]));
    await announceCompletedOrders(client, ctx.topics.ordersCompleted, orders, (orderId) => childTraceparent(placedWith.get(orderId)));
    return orders.length;
  });
  if (expired > 0) ctx.relay.nudge();
  return expired;
}
