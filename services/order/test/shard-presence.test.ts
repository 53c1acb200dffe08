// An order database that holds no logical shard yet (being added to a sharded deployment) must not
// publish a real watermark — the campaign would keep it and later trust it for moved orders — but
// must make itself known, so that no campaign becomes FINAL without it.
import { randomBytes } from "node:crypto";
import { TOPICS } from "@spgroup/contracts";
import { databaseUrl } from "@spgroup/infra/local-stack";
import { eventually, type recordTopic } from "@spgroup/infra/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { PRESENCE_WATERMARK } from "../src/app/publish-watermark.ts";
import { startIsolatedOrderService } from "./support.ts";

describe("an order database that holds no logical shard", () => {
  let harness: Awaited<ReturnType<typeof startIsolatedOrderService>>;
  let completed: Awaited<ReturnType<typeof recordTopic>>;

  beforeAll(async () => {
    const tag = randomBytes(3).toString("hex");
    const url = (name: string) => databaseUrl(inject("infra").postgresUrl, `presence_${name}_${tag}`);
    harness = await startIsolatedOrderService(inject("infra"), {
      ORDER_SHARDS: `order_0=${url("a")},order_new=${url("b")}`,
      ORDER_SHARD_MAP: "0-63=order_0",
      ORDER_WATERMARK_INTERVAL_MS: "50",
    });
    completed = await harness.record(TOPICS.ordersCompleted);
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it("says it exists on every partition with a watermark before every window, and never publishes a real one", async () => {
    type Mark = { source: string; partition: number; watermark: string };
    const marks = () => completed.messages.filter((m) => m.value.type === "OrdersWatermark").map((m) => m.value.data as Mark);
    await eventually(async () => (new Set(marks().filter((m) => m.source === "order_new").map((m) => m.partition)).size === 4 ? true : undefined), 20_000, "presence on all 4 partitions");
    await eventually(async () => (marks().some((m) => m.source === "order_0" && m.watermark > "2026") ? true : undefined), 20_000, "a real watermark from the owning database");
    // The owning database publishes every round; the empty one its presence once in 20 rounds, and
    // nothing else. (Waited for: a loaded machine may have run just one round of each so far.)
    await eventually(
      async () => (marks().filter((m) => m.source === "order_0").length > 2 * marks().filter((m) => m.source === "order_new").length ? true : undefined),
      20_000,
      "more rounds from the owning database than presences from the empty one",
    );
    const empty = marks().filter((m) => m.source === "order_new");
    expect(empty.length).toBeGreaterThanOrEqual(4);
    expect(empty.every((m) => m.watermark === PRESENCE_WATERMARK)).toBe(true);
  });
});
