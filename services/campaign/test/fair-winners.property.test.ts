import { randomUUID } from "node:crypto";
import { formatCents, type OrdersCompletedTopicEvent } from "@spgroup/contracts";
import { type ConsumedEvent, createPool, partitionOfKey, withTransaction } from "@spgroup/platform";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { CampaignContext } from "../src/app/context.ts";
import { finalizeDueCampaigns } from "../src/app/finalize-campaigns.ts";
import { ingestCompletedOrders } from "../src/app/ingest-completed-orders.ts";
import { createCampaign, editCampaign } from "../src/app/manage-campaign.ts";
import { type HistoryOrder, referenceWinners } from "./support/reference-rule.ts";
import { SEED_RULE_SQL, startIsolatedCampaignService } from "./support/harness.ts";
import { historyFromTheStart } from "./support/history.ts";

const PARTITIONS = 4;
const TOPIC = "property.orders.completed";
// Three order databases (shards by customer), each publishing its own watermarks on every
// partition, and the partition Kafka's partitioner gives a customer (decision 014). Which shard
// stamped an order does not show in its completion: only the watermarks tell the shards apart.
const SOURCES = ["order_0", "order_1", "order_2"];
const partitionOf = (customer: string) => partitionOfKey(customer, PARTITIONS);

describe("final winners equal the reference rule, whatever the delivery", () => {
  let harness: Awaited<ReturnType<typeof startIsolatedCampaignService>>;
  let ctx: CampaignContext;
  let run = 0;
  let second: ReturnType<typeof createPool>;

  beforeAll(async () => {
    harness = await startIsolatedCampaignService(inject("infra"), { CAMPAIGN_FINALIZE_INTERVAL_MS: "3600000" });
    second = createPool(harness.env.CAMPAIGN_DATABASE_URL as string, 4, "second-instance");
    ctx = { pool: harness.service.runtime.pool, completedTopic: TOPIC, partitions: PARTITIONS, watermarkSources: SOURCES };
    // Every partition consumed from its first message, so the 2025 windows below lie within the history.
    await historyFromTheStart(ctx.pool, TOPIC, PARTITIONS, SOURCES[0]);
  });
  afterAll(async () => {
    await second?.end();
    await harness?.stop();
  });

  it("for random histories with ties, repeat customers, 200.00/200.01, edges, failures, duplicates, reordering, restarts and a policy change", async () => {
    const orderArb = fc.record({
      customer: fc.integer({ min: 1, max: 25 }),
      // Milliseconds from the day's start; the window is [100, 300] with edges hit exactly.
      // Often the very same instant for different customers, so ties decide places at the cut-offs.
      at: fc.oneof(fc.integer({ min: 0, max: 400 }), fc.constantFrom(100, 300, 99, 301), fc.constantFrom(150, 200, 250)),
      micro: fc.constantFrom(0, 0, 0, 1, 999),
      failed: fc.boolean(),
      cents: fc.oneof(fc.constantFrom(20000, 20001, 19999, 30000), fc.integer({ min: 1, max: 60000 })),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(orderArb, { minLength: 1, maxLength: 80, size: "max" }),
        fc.integer({ min: 1, max: 12 }), // N
        fc.integer({ min: 1, max: 12 }), // K
        fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 12, size: "max" }), // batch sizes
        fc.double({ min: 0, max: 1, noNaN: true }), // where the policy changes
        fc.boolean(), // does it change
        fc.integer({ min: 0, max: 1_000_000 }), // shuffle seed
        async (raw, n, k, batchSizes, changeAt, changes, seed) => {
          run++;
          const day = new Date(Date.UTC(2025, 0, 1) + run * 86_400_000).toISOString().slice(0, 10);
          const at = (ms: number, micro: number) => `${day}T00:00:00.${String(ms * 1000 + micro).padStart(6, "0")}Z`;
          const orders: HistoryOrder[] = raw.map((o, i) => ({
            id: `R${run}O${String(i).padStart(3, "0")}`,
            customer_id: `r${run}c${o.customer}`,
            customer_name: `Customer ${o.customer} #${i}`,
            status: o.failed ? "FAILED" : "SUCCESS",
            total_amount: formatCents(o.cents),
            created_at: at(Math.min(o.at, 999), o.micro),
          }));
          const window = { start_time: at(100, 0), end_time: at(300, 0) };
          const first = { max_tracked_orders: n, total_reward: Math.min(n, k), min_order_amount: "200.00" };
          // A failed run (while shrinking) may leave its campaign open; it must not affect this one.
          await harness.db.query("UPDATE campaigns SET finalized_at = now() WHERE finalized_at IS NULL");
          const campaign = await createCampaign(ctx.pool, ctx, { name: `run ${run}`, ...window, ...first });

          // Each partition keeps its own order; partitions interleave arbitrarily; some events twice.
          const rng = mulberry32(seed);
          const queues = Array.from({ length: PARTITIONS }, () => [] as ConsumedEvent<OrdersCompletedTopicEvent>[]);
          for (const order of [...orders].sort(() => rng() - 0.5)) {
            const event = completedEvent(order);
            const partition = partitionOf(order.customer_id);
            queues[partition]?.push({ event, topic: TOPIC, partition, offset: 0n });
            if (rng() < 0.2) queues[partition]?.push({ event, topic: TOPIC, partition, offset: 0n });
          }
          const delivery: ConsumedEvent<OrdersCompletedTopicEvent>[] = [];
          while (queues.some((q) => q.length > 0)) {
            const q = queues[Math.floor(rng() * PARTITIONS)];
            const next = q?.shift();
            if (next) delivery.push(next);
          }

          let final = first;
          let finalWindow = window;
          let delivered = 0;
          let batch = 0;
          const changeIndex = Math.floor(changeAt * delivery.length);
          while (delivered < delivery.length) {
            const size = batchSizes[batch++ % batchSizes.length] ?? 5;
            const events = delivery.slice(delivered, delivered + size);
            // Batches go to one of two connection pools at random: two instances sharing the
            // partitions, or one restarted, hold no state outside the database.
            await withTransaction(rng() < 0.5 ? ctx.pool : second, (client) => ingestCompletedOrders(client, events));
            delivered += events.length;
            if (changes && delivered >= changeIndex && final === first) {
              final = { max_tracked_orders: Math.max(1, n - 1), total_reward: Math.min(Math.max(1, n - 1), k), min_order_amount: "199.99" };
              finalWindow = { start_time: at(150, 0), end_time: at(300, 0) };
              await editCampaign(ctx.pool, ctx, campaign.id, { ...finalWindow, ...final });
            }
          }

          // Not final until every shard has a watermark past the end on every partition: one
          // (shard, partition) pair, chosen at random, is late; the rest arrive in any order.
          const watermark = (source: string, partition: number): ConsumedEvent<OrdersCompletedTopicEvent> => ({
            event: { event_id: randomUUID(), type: "OrdersWatermark", version: 1, occurred_at: at(999, 0), data: { watermark: at(999, 0), partition, source } },
            topic: TOPIC,
            partition,
            offset: 0n,
          });
          const pairs = SOURCES.flatMap((source) => Array.from({ length: PARTITIONS }, (_, p) => watermark(source, p))).sort(() => rng() - 0.5);
          const late = pairs.pop() as ConsumedEvent<OrdersCompletedTopicEvent>;
          await withTransaction(ctx.pool, (client) => ingestCompletedOrders(client, pairs));
          expect(await finalizeDueCampaigns(ctx)).toEqual([]);
          await withTransaction(ctx.pool, (client) => ingestCompletedOrders(client, [late]));
          expect(await finalizeDueCampaigns(ctx)).toEqual([campaign.id]);
          expect(await finalizeDueCampaigns(ctx)).toEqual([]);

          const stored = (await harness.db.query("SELECT customer_id FROM campaign_winners WHERE campaign_id = $1 ORDER BY rank", [campaign.id])).rows.map((r) => r.customer_id);
          const minimumCents = Math.round(Number(final.min_order_amount) * 100);
          const reference = referenceWinners(orders, { start: finalWindow.start_time, end: finalWindow.end_time, maxTracked: final.max_tracked_orders, minAmountCents: minimumCents, totalReward: final.total_reward });
          const seedSql = (
            await harness.db.query(
              SEED_RULE_SQL,
              [finalWindow.start_time, finalWindow.end_time, final.max_tracked_orders, final.min_order_amount, final.total_reward, `R${run}O%`],
            )
          ).rows.map((r) => r.customer_id);
          expect(stored).toEqual(reference);
          expect(stored).toEqual(seedSql);
        },
      ),
      { numRuns: 200 },
    );
  });
});

function completedEvent(order: HistoryOrder): OrdersCompletedTopicEvent {
  return {
    event_id: randomUUID(),
    type: "OrderCompleted",
    version: 1,
    occurred_at: order.created_at,
    data: { order_id: order.id, customer_id: order.customer_id, customer_name: order.customer_name, total_amount: order.total_amount, status: order.status, created_at: order.created_at, completed_at: order.created_at },
  };
}

/** A small seeded PRNG, so a failing case replays exactly. */
function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
