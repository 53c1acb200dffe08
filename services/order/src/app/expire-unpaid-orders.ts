import { withTransaction } from "@spgroup/platform";
import { failExpiredOrders } from "../db/orders.ts";
import { announceCompletedOrders } from "./complete-orders.ts";
import type { OrderContext } from "./context.ts";

/**
 * Fails orders whose payment result has not come within the timeout, so a dead payment service
 * cannot keep a campaign open for ever. Safe with several instances (SKIP LOCKED), and against a
 * payment result arriving at the same moment (both update only orders still awaiting payment).
 */
export async function expireUnpaidOrders(ctx: OrderContext, timeoutMs: number, limit = 500): Promise<number> {
  const expired = await withTransaction(ctx.pool, async (client) => {
    const orders = await failExpiredOrders(client, timeoutMs, limit);
    await announceCompletedOrders(client, ctx.topics.ordersCompleted, orders);
    return orders.length;
  });
  if (expired > 0) ctx.relay.nudge();
  return expired;
}
