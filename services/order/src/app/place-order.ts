import { createHash, randomUUID } from "node:crypto";
import { DomainError, type Order, type OrderPlaced } from "@spgroup/contracts";
import { newId } from "@spgroup/platform";
import type { NewOrder } from "../domain/new-order.ts";
import { INITIAL_STATUS } from "../domain/order-status.ts";
import { findIdempotentOrder, insertOrderWithOutbox } from "../db/orders.ts";
import type { OrderContext } from "./context.ts";

export interface PlacedOrder {
  order: Order;
  /** false when an Idempotency-Key replay returned the order an earlier request created. */
  created: boolean;
}

/** With the payment timeout, OrderPlaced carries the deadline (pay_by) past which it is not charged. */
export interface PlaceOrderContext extends OrderContext {
  paymentTimeoutMs?: number;
}

/**
 * Places an order: the row and its OrderPlaced event are written atomically (transactional
 * outbox), so the payment request can be neither lost nor sent for an order that does not exist.
 */
export async function placeOrder(ctx: PlaceOrderContext, input: NewOrder, idempotencyKey?: string): Promise<PlacedOrder> {
  const id = newId();
  const payload: Omit<OrderPlaced, "occurred_at" | "data"> & { data: Omit<OrderPlaced["data"], "created_at"> } = {
    event_id: randomUUID(),
    type: "OrderPlaced",
    version: 1,
    data: { order_id: id, customer_id: input.customerId, customer_name: input.customerName, total_amount: input.totalAmount },
  };
  const row = { id, status: INITIAL_STATUS, ...input };
  const outbox = { topic: ctx.topics.ordersPlaced, payload, ...(ctx.paymentTimeoutMs ? { payWithinMs: ctx.paymentTimeoutMs } : {}) };

  if (!idempotencyKey) {
    const order = await insertOrderWithOutbox(ctx.pool, row, outbox);
    ctx.relay.nudge();
    return { order, created: true };
  }

  // One statement records the key and, only if the key is new, the order and its event. A retry
  // (or a concurrent twin, whose commit the statement waits for) writes nothing and gets the order
  // the key was first used for — the same order only if the request is the same.
  const requestHash = createHash("sha256").update(JSON.stringify([input.customerId, input.customerName, input.totalAmount])).digest("base64url");
  const order = await insertOrderWithOutbox(ctx.pool, row, outbox, { key: idempotencyKey, requestHash });
  if (order) {
    ctx.relay.nudge();
    return { order, created: true };
  }
  const previous = await findIdempotentOrder(ctx.pool, input.customerId, idempotencyKey);
  if (!previous) throw new Error("idempotency key held but not found");
  if (previous.requestHash !== requestHash) throw new DomainError("IDEMPOTENCY_KEY_REUSED", "Idempotency-Key was already used for a different order");
  return { order: previous.order, created: false };
}
