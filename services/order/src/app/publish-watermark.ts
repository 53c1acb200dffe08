import { randomUUID } from "node:crypto";
import type { OrdersWatermark } from "@spgroup/contracts";
import { enqueueOutbox, type OutboxRelay, type Pool, withTransaction } from "@spgroup/platform";
import { lowWatermark, oldestOpenTransactionStart, tryLockWatermarkPublisher } from "../db/watermark.ts";

export interface WatermarkTarget {
  topic: string;
  /** The topic's partition count as last read; refreshed by readPartitions before each watermark. */
  partitions: number;
  readPartitions?: () => Promise<number>;
  /** Names the order database whose clock the watermark is on (one per shard). */
  source: string;
  /** ORDER_WATERMARK_MARGIN_MS: step 1 takes now minus this (db/watermark.ts). */
  marginMs?: number;
}

/**
 * Publishes the order database's low watermark to every partition of orders.completed. It is
 * written to the outbox after it was computed, so its outbox rows come after the completion
 * events of every order it covers (those committed before the computation), and the relay keeps
 * that order per partition. The partition count is read again on every call, so partitions added
 * while running are covered. See docs/finality.md.
 */
/**
 * Refreshes the partition count. Partitions are only ever added; a smaller answer is a stale view.
 * A partition the count does not reach yet gets no watermark, which only delays finality: the
 * campaign requires all it sees.
 */
async function refreshPartitions(target: WatermarkTarget): Promise<void> {
  if (target.readPartitions) target.partitions = Math.max(target.partitions, await target.readPartitions());
}

/** Watermark `w` of `target.source` for every partition of the topic, as outbox messages. */
function watermarkMessages(target: WatermarkTarget, w: string) {
  return Array.from({ length: target.partitions }, (_, partition) => {
    const event: OrdersWatermark = {
      event_id: randomUUID(),
      type: "OrdersWatermark",
      version: 1,
      occurred_at: w,
      data: { watermark: w, partition, source: target.source },
    };
    return { topic: target.topic, key: `watermark-${partition}`, partition, payload: event };
  });
}

export async function publishWatermark(pool: Pool, relay: Pick<OutboxRelay, "nudge">, target: WatermarkTarget): Promise<string | undefined> {
  await refreshPartitions(target);
  const x = await oldestOpenTransactionStart(pool, target.marginMs);
  const watermark = await withTransaction(pool, async (client) => {
    // One publisher at a time across instances; the others skip this round.
    if (!(await tryLockWatermarkPublisher(client))) return undefined;
    const w = await lowWatermark(client, x);
    await enqueueOutbox(client, watermarkMessages(target, w));
    return w;
  });
  if (watermark) relay.nudge();
  return watermark;
}

/** The watermark of an order database that cannot publish a real one: before every window. */
export const PRESENCE_WATERMARK = "1970-01-01T00:00:00.000000Z";

/**
 * Tells the campaign that this order database exists while it cannot publish a real watermark
 * (it holds no logical shard yet, or its role cannot see every session): a watermark before every
 * window on every partition. The campaign waits for every database that ever published, so none
 * can become FINAL without this one; and it never lowers a watermark, so this never undoes one.
 */
export async function publishPresence(pool: Pool, relay: Pick<OutboxRelay, "nudge">, target: WatermarkTarget): Promise<void> {
  await refreshPartitions(target);
  await enqueueOutbox(pool, watermarkMessages(target, PRESENCE_WATERMARK));
  relay.nudge();
}
