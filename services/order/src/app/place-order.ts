import { createHash, randomUUID } from "node:crypto";
import type { Order, OrderPlaced } from "@spgroup/contracts";
import { conflict, newId, withTransaction } from "@spgroup/platform";
import type { NewOrder } from "../domain/new-order.ts";
import { INITIAL_STATUS } from "../domain/order-status.ts";
import { findIdempotentOrder, findOrder, insertIdempotencyKey, insertOrderWithOutbox } from "../db/orders.ts";
import type { OrderContext } from "./context.ts";

export interface PlacedOrder {
  order: Order;
  /** false when an Idempotency-Key replay returned the order an earlier request created. */
  created: boolean;
}

/**
 * Places an order: the row and its OrderPlaced event are written atomically (transactional
 * outbox), so the payment request can be neither lost nor sent for an order that does not exist.
 */
export async function placeOrder(ctx: OrderContext, input: NewOrder, idempotencyKey?: string): Promise<PlacedOrder> {
  const id = newId();
  const payload: Omit<OrderPlaced, "occurred_at" | "data"> & { data: Omit<OrderPlaced["data"], "created_at"> } = {
    event_id: randomUUID(),
    type: "OrderPlaced",
    version: 1,
    data: { order_id: id, customer_id: input.customerId, customer_name: input.customerName, total_amount: input.totalAmount },
  };
  const row = { id, status: INITIAL_STATUS, ...input };
  const outbox = { topic: ctx.topics.ordersPlaced, payload };

  if (!idempotencyKey) {
    const order = await insertOrderWithOutbox(ctx.pool, row, outbox);
    ctx.relay.nudge();
    return { order, created: true };
  }

  const requestHash = createHash("sha256").update(JSON.stringify([input.customerId, input.customerName, input.totalAmount])).digest("base64url");
  const replay = async (): Promise<PlacedOrder | undefined> => {
    const previous = await findIdempotentOrder(ctx.pool, input.customerId, idempotencyKey);
    if (!previous) return undefined;
    if (previous.requestHash !== requestHash) throw conflict("Idempotency-Key was already used for a different order");
    const order = await findOrder(ctx.pool, previous.orderId);
    if (!order) throw new Error(`idempotency key points at missing order ${previous.orderId}`);
    return { order, created: false };
  };

  const earlier = await replay();
  if (earlier) return earlier;
  const placed = await withTransaction(ctx.pool, async (client) => {
    const order = await insertOrderWithOutbox(client, row, outbox);
    // A concurrent retry with the same key may have won the race: undo ours, return theirs.
    if (!(await insertIdempotencyKey(client, input.customerId, idempotencyKey, requestHash, id))) {
      throw new KeyTaken();
    }
    return { order, created: true };
  }).catch(async (error) => {
    if (!(error instanceof KeyTaken)) throw error;
    const winner = await replay();
    if (!winner) throw new Error("idempotency key vanished");
    return winner;
  });
  if (placed.created) ctx.relay.nudge();
  return placed;
}

class KeyTaken extends Error {}
