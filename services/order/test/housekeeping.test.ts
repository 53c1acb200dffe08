import { randomUUID } from "node:crypto";
import { decoderFor, OrderPlacedV1, TOPICS } from "@spgroup/contracts";
import { customerHeaders, eventually, type recordTopic, type testPool } from "@spgroup/infra/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startIsolatedOrderService } from "./support.ts";

describe("order database housekeeping", () => {
  let harness: Awaited<ReturnType<typeof startIsolatedOrderService>>;
  let db: ReturnType<typeof testPool>;
  let placed: Awaited<ReturnType<typeof recordTopic>>;

  beforeAll(async () => {
    harness = await startIsolatedOrderService(inject("infra"), {
      ORDER_IDEMPOTENCY_KEY_RETENTION_MS: String(24 * 3600_000),
      ORDER_IDEMPOTENCY_KEY_PURGE_INTERVAL_MS: "200",
      INBOX_RETENTION_MS: String(14 * 24 * 3600_000),
      INBOX_PURGE_INTERVAL_MS: "200",
    });
    db = harness.db;
    placed = await harness.record(TOPICS.ordersPlaced);
  });
  afterAll(async () => {
    await harness.stop();
  });

  it("purges Idempotency-Keys past their retention and keeps recent ones", async () => {
    await db.query(
      `INSERT INTO orders (id, status, total_amount, customer_id, customer_name)
       SELECT 'K' || g, 'SUCCESS', 10, 'cust-keys', 'Keys' FROM generate_series(1, 30) g`,
    );
    // 25 keys a day and an hour old, 5 an hour old.
    await db.query(
      `INSERT INTO order_idempotency_keys (customer_id, key, request_hash, order_id, created_at)
       SELECT 'cust-keys', 'key-' || g, 'h', 'K' || g, now() - CASE WHEN g <= 25 THEN interval '25 hours' ELSE interval '1 hour' END
       FROM generate_series(1, 30) g`,
    );
    const left = await eventually(async () => {
      const { rows } = await db.query<{ key: string }>("SELECT key FROM order_idempotency_keys WHERE customer_id = 'cust-keys' ORDER BY key");
      return rows.length === 5 ? rows.map((r) => r.key) : undefined;
    }, 10_000, "old keys purged");
    expect(left).toEqual(["key-26", "key-27", "key-28", "key-29", "key-30"]);
  });

  it("purges inbox rows past the inbox retention and keeps recent ones", async () => {
    const old = Array.from({ length: 12 }, () => randomUUID());
    const recent = Array.from({ length: 3 }, () => randomUUID());
    await db.query("INSERT INTO inbox (event_id, topic, processed_at) SELECT unnest($1::uuid[]), 't', now() - interval '15 days'", [old]);
    await db.query("INSERT INTO inbox (event_id, topic, processed_at) SELECT unnest($1::uuid[]), 't', now() - interval '13 days'", [recent]);
    const ids = [...old, ...recent];
    const left = await eventually(async () => {
      const { rows } = await db.query<{ event_id: string }>("SELECT event_id FROM inbox WHERE event_id = ANY($1::uuid[])", [ids]);
      return rows.length === recent.length ? rows.map((r) => r.event_id).sort() : undefined;
    }, 10_000, "old inbox rows purged");
    expect(left).toEqual([...recent].sort());
  });

  it("accepts a name of 60 emoji and publishes an OrderPlaced that the event schema accepts", async () => {
    const name = "😀".repeat(60);
    const response = await harness.service.app.inject({
      method: "POST",
      url: "/api/v1/orders",
      payload: { customer_id: "cust-emoji", customer_name: name, total_amount: 300 },
      headers: await customerHeaders("cust-emoji"),
    });
    expect(response.statusCode).toBe(202);
    const id = response.json().data.id as string;
    const event = await eventually(async () => placed.messages.find((m) => (m.value.data as { order_id: string }).order_id === id)?.value);
    expect(decoderFor(OrderPlacedV1)(event)).toMatchObject({ ok: true });
    const astral = await harness.service.app.inject({
      method: "POST",
      url: "/api/v1/orders",
      payload: { customer_id: "cust-emoji", customer_name: "𝒜".repeat(101), total_amount: 300 },
      headers: await customerHeaders("cust-emoji"),
    });
    expect(astral.statusCode).toBe(400);
  });
});
