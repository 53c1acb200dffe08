import { randomUUID } from "node:crypto";
import type { OrdersCompletedTopicEvent } from "@spgroup/contracts";
import { type ConsumedEvent, type Pool, withTransaction } from "@spgroup/platform";
import { ingestCompletedOrders } from "../../src/app/ingest-completed-orders.ts";

/**
 * An old watermark at offset 0 on every partition: campaign_db then holds the topic from its start.
 * From `source`, an order database the campaign waits for anyway (every source that ever published
 * is required).
 */
export async function historyFromTheStart(pool: Pool, topic: string, partitions: number, source = "order_db"): Promise<void> {
  const first = Array.from({ length: partitions }, (_, partition): ConsumedEvent<OrdersCompletedTopicEvent> => ({
    event: { event_id: randomUUID(), type: "OrdersWatermark", version: 1, occurred_at: "2000-01-01T00:00:00Z", data: { watermark: "2000-01-01T00:00:00Z", partition, source } },
    topic,
    partition,
    offset: 0n,
  }));
  await withTransaction(pool, (client) => ingestCompletedOrders(client, first));
}
