import { TOPICS } from "@spgroup/contracts";
import { customerHeaders, eventually, type recordTopic, type testPool } from "@spgroup/infra/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startIsolatedOrderService } from "./support.ts";

describe("placing an order", () => {
  let harness: Awaited<ReturnType<typeof startIsolatedOrderService>>;
  let db: ReturnType<typeof testPool>;
  let placed: Awaited<ReturnType<typeof recordTopic>>;

  beforeAll(async () => {
    harness = await startIsolatedOrderService(inject("infra"));
    db = harness.db;
    placed = await harness.record(TOPICS.ordersPlaced);
  });
  afterAll(async () => {
    await harness.stop();
  });

  const post = async (body: unknown, headers: Record<string, string> = {}) => {
    const customer = (body as { customer_id?: unknown }).customer_id;
    // Signed in as the body's customer (or as "c" when the body's id is not even text): who asks is
    // checked before the body is read, so a bad body from a signed-in customer is what gets the 400.
    const auth = await customerHeaders(typeof customer === "string" ? customer : "c");
    return harness.service.app.inject({ method: "POST", url: "/api/v1/orders", payload: body as object, headers: { ...auth, ...headers } });
  };
  const orderCount = async () => Number((await db.query("SELECT count(*) FROM orders")).rows[0].count);

  it("accepts an order with 202, stamps created_at from the database, and publishes OrderPlaced", async () => {
    const before = (await db.query("SELECT now() AS t")).rows[0].t as string;
    const response = await post({ customer_id: "cust-1", customer_name: "Alice Tan", total_amount: 250.5 });
    expect(response.statusCode).toBe(202);
    const order = response.json().data;
    expect(order).toMatchObject({ customer_id: "cust-1", customer_name: "Alice Tan", total_amount: "250.50", status: "PROCESSING" });
    expect(order.id).toHaveLength(20);
    expect(Date.parse(order.created_at)).toBeGreaterThanOrEqual(Date.parse(before));

    const event = await eventually(async () => placed.messages.find((m) => (m.value.data as { order_id: string }).order_id === order.id), 10_000, "OrderPlaced");
    expect(event.key).toBe("cust-1");
    expect(event.value).toMatchObject({ type: "OrderPlaced", version: 1, data: { order_id: order.id, total_amount: "250.50" } });
    // Same instant as the row, to the microsecond.
    expect(Date.parse((event.value.data as { created_at: string }).created_at)).toBe(Date.parse(order.created_at));
    expect((event.value.data as { created_at: string }).created_at.slice(0, 26)).toBe(order.created_at.slice(0, 26));

    const fetched = await harness.service.app.inject({ method: "GET", url: `/api/v1/orders/${order.id}`, headers: await customerHeaders("cust-1") });
    expect(fetched.json().data).toEqual(order);
    // Another customer cannot see it; an operator can; nobody anonymous can.
    const stranger = await harness.service.app.inject({ method: "GET", url: `/api/v1/orders/${order.id}`, headers: await customerHeaders("cust-2") });
    expect(stranger.statusCode).toBe(404);
    expect((await harness.service.app.inject({ method: "GET", url: `/api/v1/orders/${order.id}`, headers: harness.adminHeaders })).statusCode).toBe(200);
    expect((await harness.service.app.inject({ method: "GET", url: `/api/v1/orders/${order.id}` })).statusCode).toBe(401);
  });

  it.each([
    ["a missing amount", { customer_id: "c", customer_name: "A" }],
    ["a mistyped customer id", { customer_id: 42, customer_name: "A", total_amount: 10 }],
    ["a zero amount", { customer_id: "c", customer_name: "A", total_amount: 0 }],
    ["a negative amount", { customer_id: "c", customer_name: "A", total_amount: -3 }],
    ["three decimals", { customer_id: "c", customer_name: "A", total_amount: "10.001" }],
    ["an amount beyond decimal(10,2)", { customer_id: "c", customer_name: "A", total_amount: 100000000 }],
    ["a customer id over 20 characters", { customer_id: "c".repeat(21), customer_name: "A", total_amount: 10 }],
    ["a name over 100 characters", { customer_id: "c", customer_name: "n".repeat(101), total_amount: 10 }],
    ["a blank name", { customer_id: "c", customer_name: "   ", total_amount: 10 }],
    ["an unknown field", { customer_id: "c", customer_name: "A", total_amount: 10, coupon: "FREE" }],
    ["an amount given as text that is no number", { customer_id: "c", customer_name: "A", total_amount: "ten" }],
  ])("rejects %s with a 400 and stores nothing", async (_what, body) => {
    const before = await orderCount();
    const response = await post(body);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: expect.any(String), code: 400 });
    expect(await orderCount()).toBe(before);
  });

  it("rejects malformed JSON and an oversized body with a 4xx and stores nothing", async () => {
    const before = await orderCount();
    const malformed = await harness.service.app.inject({
      method: "POST",
      url: "/api/v1/orders",
      payload: '{"customer_id": "c", ',
      headers: { "content-type": "application/json", ...(await customerHeaders("c")) },
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ code: 400 });
    const oversized = await post({ customer_id: "c", customer_name: "A".repeat(50_000), total_amount: 10 });
    expect(oversized.statusCode).toBe(413);
    expect(oversized.json()).toMatchObject({ code: 413 });
    expect(await orderCount()).toBe(before);
  });

  it("returns the same order for a retry with the same Idempotency-Key", async () => {
    const body = { customer_id: "cust-idem", customer_name: "Bob", total_amount: "99.90" };
    const first = await post(body, { "idempotency-key": "retry-key-1" });
    const again = await Promise.all([1, 2, 3].map(() => post(body, { "idempotency-key": "retry-key-1" })));
    expect(first.statusCode).toBe(202);
    for (const r of again) {
      expect(r.statusCode).toBe(200);
      expect(r.json().data.id).toBe(first.json().data.id);
    }
    const rows = await db.query("SELECT id FROM orders WHERE customer_id = 'cust-idem'");
    expect(rows.rowCount).toBe(1);
    // One event too: the outbox row is deleted once Kafka has it, so count what was published.
    await eventually(async () => (placed.messages.filter((m) => m.key === "cust-idem").length === 1 ? true : undefined), 10_000, "one OrderPlaced");
  });

  it("creates one order when the first requests with a new Idempotency-Key arrive together", async () => {
    const body = { customer_id: "cust-race", customer_name: "Rae", total_amount: "42.00" };
    const responses = await Promise.all(Array.from({ length: 8 }, () => post(body, { "idempotency-key": "race-key" })));
    const created = responses.filter((r) => r.statusCode === 202);
    expect(created).toHaveLength(1);
    expect(responses.filter((r) => r.statusCode === 200)).toHaveLength(7);
    expect(new Set(responses.map((r) => r.json().data.id))).toEqual(new Set([created[0]?.json().data.id]));
    expect((await db.query("SELECT id FROM orders WHERE customer_id = 'cust-race'")).rowCount).toBe(1);
    expect((await db.query("SELECT count(*)::int AS n FROM order_idempotency_keys WHERE customer_id = 'cust-race'")).rows[0].n).toBe(1);
    await eventually(async () => (placed.messages.filter((m) => m.key === "cust-race").length === 1 ? true : undefined), 10_000, "one OrderPlaced");
  });

  it("refuses to reuse an Idempotency-Key for a different order", async () => {
    await post({ customer_id: "cust-idem2", customer_name: "Bob", total_amount: 5 }, { "idempotency-key": "k2" });
    const conflict = await post({ customer_id: "cust-idem2", customer_name: "Bob", total_amount: 6 }, { "idempotency-key": "k2" });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().error_code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect((await db.query("SELECT id FROM orders WHERE customer_id = 'cust-idem2'")).rowCount).toBe(1);
  });

  it("places orders only for the signed-in customer", async () => {
    const before = await orderCount();
    const body = { customer_id: "cust-auth", customer_name: "Eve", total_amount: 500 };
    const anonymous = await harness.service.app.inject({ method: "POST", url: "/api/v1/orders", payload: body });
    expect(anonymous.statusCode).toBe(401);
    const impostor = await harness.service.app.inject({ method: "POST", url: "/api/v1/orders", payload: body, headers: await customerHeaders("someone-else") });
    expect(impostor.statusCode).toBe(403);
    const forged = await harness.service.app.inject({ method: "POST", url: "/api/v1/orders", payload: body, headers: { authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjdXN0LWF1dGgifQ.bad" } });
    expect(forged.statusCode).toBe(401);
    expect(await orderCount()).toBe(before);
  });

  it("answers 404 for an unknown order", async () => {
    const response = await harness.service.app.inject({ method: "GET", url: "/api/v1/orders/NOPE", headers: harness.adminHeaders });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: "order NOPE not found", code: 404, error_code: "NOT_FOUND" });
  });
});
