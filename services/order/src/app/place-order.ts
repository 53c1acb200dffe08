import { createHash, randomUUID } from "node:crypto";
import { DomainError, type Order, type OrderPlaced } from "@spgroup/contracts";
import { backendPidOf, endSession, GroupCommit, isTransientDatabaseError, newId, type Pool } from "@spgroup/platform";
import type { NewOrder } from "../domain/new-order.ts";
import { INITIAL_STATUS } from "../domain/order-status.ts";
import { findIdempotentOrder, findOrdersByIds, insertOrdersWithOutbox, type PendingOrder } from "../db/orders.ts";
import type { OrderContext } from "./context.ts";

export interface PlacedOrder {
  order: Order;
  /** false when an Idempotency-Key replay returned the order an earlier request created. */
  created: boolean;
}

/** How concurrent orders are written together (ORDER_GROUP_COMMIT_* settings). */
export interface GroupCommitSettings {
  windowMs: number;
  maxBatch: number;
  maxConcurrent: number;
  maxWaitMs?: number;
}

/** The database session (backend pid) a failed batch ran in, by the error it failed with. */
const sessionOfFailure = new WeakMap<object, number>();

/** Writes orders; concurrent ones share a statement and a commit (see insertOrdersWithOutbox). */
export type OrderWriter = Pick<GroupCommit<PendingOrder, Order | undefined>, "submit">;

/** With the payment timeout, OrderPlaced carries the deadline (pay_by) past which it is not charged. */
export interface PlaceOrderContext extends OrderContext {
  paymentTimeoutMs?: number;
  orderWriter: OrderWriter;
  /** Sharded: the customer's logical shard, which the order's id carries (ids.ts). */
  logicalShardOf?: (customerId: string) => number;
}

/**
 * The group commit of placed orders: the POSTs that arrive within a few milliseconds of each other
 * are inserted, with their events, by one statement; the relay is woken once per batch. Two
 * requests with the same customer and Idempotency-Key are never in one batch: the second waits for
 * the first's commit and replays it.
 */
export function createOrderWriter(ctx: Pick<OrderContext, "relay"> & { pool: Pool }, settings: GroupCommitSettings, onBatch?: (size: number) => void): GroupCommit<PendingOrder, Order | undefined> {
  return new GroupCommit<PendingOrder, Order | undefined>({
    ...settings,
    keyOf: (p) => (p.idempotency ? JSON.stringify([p.customerId, p.idempotency.key]) : undefined),
    write: async (batch) => {
      // A connect failure throws here: nothing was sent, nothing can have been written.
      const client = await ctx.pool.connect();
      let broken: Error | undefined;
      try {
        const orders = await insertOrdersWithOutbox(client, batch);
        ctx.relay.nudge();
        return orders;
      } catch (error) {
        const pid = backendPidOf(client);
        if (pid !== undefined && error !== null && typeof error === "object") sessionOfFailure.set(error, pid);
        if (isTransientDatabaseError(error)) broken = error as Error;
        throw error;
      } finally {
        // A connection that failed is dropped, not reused.
        client.release(broken);
      }
    },
    // The connection dropped mid-statement: the server may still be running the statement, and
    // commit it. The batch's session is ended first, and once it is gone its orders are final:
    // those found are answered as placed (their ids are fresh per request, so they are these
    // requests' own), the others get 503 and are retried. If the session cannot be seen to end,
    // all get 503, as for a single insert whose answer was lost.
    recover: async (batch, error) => {
      const pid = error !== null && typeof error === "object" ? sessionOfFailure.get(error) : undefined;
      if (pid === undefined) return batch.map(() => undefined);
      if (!(await endSession(ctx.pool, pid))) throw new Error(`session ${pid} of a failed batch did not end`);
      return findOrdersByIds(
        ctx.pool,
        batch.map((p) => p.id),
      );
    },
    ...(onBatch ? { onBatch } : {}),
  });
}

/**
 * Places an order: the row and its OrderPlaced event are written atomically (transactional
 * outbox), so the payment request can be neither lost nor sent for an order that does not exist.
 */
export async function placeOrder(ctx: PlaceOrderContext, input: NewOrder, idempotencyKey?: string, traceparent?: string): Promise<PlacedOrder> {
  const id = newId(Date.now(), ctx.logicalShardOf?.(input.customerId));
  const payload: Omit<OrderPlaced, "occurred_at" | "data"> & { data: Omit<OrderPlaced["data"], "created_at"> } = {
    event_id: randomUUID(),
    type: "OrderPlaced",
    version: 1,
    data: { order_id: id, customer_id: input.customerId, customer_name: input.customerName, total_amount: input.totalAmount },
  };
  const pending: PendingOrder = {
    id,
    status: INITIAL_STATUS,
    ...input,
    topic: ctx.topics.ordersPlaced,
    payload,
    ...(ctx.paymentTimeoutMs ? { payWithinMs: ctx.paymentTimeoutMs } : {}),
    ...(traceparent ? { traceparent } : {}),
  };

  if (!idempotencyKey) {
    const order = await ctx.orderWriter.submit(pending);
    if (!order) throw new Error("an order without an idempotency key was not written");
    return { order, created: true };
  }

  // The key is recorded with the order and, only if the key is new, the order and its event. A
  // retry (or a concurrent twin, whose commit the statement waits for) writes nothing and gets the
  // order the key was first used for — the same order only if the request is the same.
  const requestHash = createHash("sha256").update(JSON.stringify([input.customerId, input.customerName, input.totalAmount])).digest("base64url");
  const order = await ctx.orderWriter.submit({ ...pending, idempotency: { key: idempotencyKey, requestHash } });
  if (order) return { order, created: true };
  const previous = await findIdempotentOrder(ctx.pool, input.customerId, idempotencyKey);
  if (!previous) throw new Error("idempotency key held but not found");
  if (previous.requestHash !== requestHash) throw new DomainError("IDEMPOTENCY_KEY_REUSED", "Idempotency-Key was already used for a different order");
  return { order: previous.order, created: false };
}
