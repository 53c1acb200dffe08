import { isolatedEnv, testPool } from "@spgroup/infra/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadPaymentConfig } from "../src/config.ts";
import { startPaymentService } from "../src/service.ts";

describe("admin payment search", () => {
  let service: Awaited<ReturnType<typeof startPaymentService>>;
  let db: ReturnType<typeof testPool>;
  let headers: { authorization: string };

  beforeAll(async () => {
    const { env } = isolatedEnv(inject("infra"));
    service = await startPaymentService(loadPaymentConfig(env));
    db = testPool(env.PAYMENT_DATABASE_URL as string);
    headers = { authorization: `Bearer ${(await service.runtime.adminAuth.issue("op")).token}` };
    // 45 payments over 3 customers, amounts 1..45, alternating statuses, one second apart.
    await db.query(`INSERT INTO payments (id, order_id, status, total_amount, customer_id, created_at, updated_at)
      SELECT 'P' || lpad(i::text, 4, '0'), 'O' || lpad(i::text, 4, '0'), CASE WHEN i % 3 = 0 THEN 'FAILED' ELSE 'SUCCESS' END::payment_status,
             i, 'cust-' || (i % 3), timestamptz '2026-01-01 00:00:00+00' + i * interval '1 second', now()
      FROM generate_series(1, 45) AS i`);
  });
  afterAll(async () => {
    await db.end();
    await service.stop();
  });

  const search = (query: string, auth = true) =>
    service.app.inject({ method: "GET", url: `/api/admin/v1/payments/search${query}`, ...(auth ? { headers } : {}) });

  it("refuses callers without an operator token", async () => {
    expect((await search("")).statusCode).toBe(200);
    const anonymous = await search("", false);
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ code: 401 });
    const forged = await service.app.inject({ method: "GET", url: "/api/admin/v1/payments/search", headers: { authorization: "Bearer abc.def.ghi" } });
    expect(forged.statusCode).toBe(401);
    expect((await service.app.inject({ method: "GET", url: "/api/admin/v1/payments" })).statusCode).toBe(401);
  });

  it("signs an operator in with the configured password only", async () => {
    const wrong = await service.app.inject({ method: "POST", url: "/api/admin/v1/auth/login", payload: { username: "admin", password: "nope" } });
    expect(wrong.statusCode).toBe(401);
    const right = await service.app.inject({ method: "POST", url: "/api/admin/v1/auth/login", payload: { username: "admin", password: "admin" } });
    expect(right.statusCode).toBe(200);
    const token = right.json().data.token as string;
    expect((await service.app.inject({ method: "GET", url: "/api/admin/v1/payments/search", headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
  });

  it("pages with metadata and sorts by whitelisted columns", async () => {
    const page = (await search("?page=2&size=10&sort=-total_amount")).json();
    expect(page.metadata).toEqual({ total: 45, page_size: 10, page_number: 2, total_pages: 5 });
    expect(page.data.map((p: { total_amount: string }) => p.total_amount)).toEqual(
      Array.from({ length: 10 }, (_, i) => `${35 - i}.00`),
    );
    const byCustomerThenAmount = (await search("?size=3&sort=customer_id,-total_amount")).json();
    expect(byCustomerThenAmount.data.map((p: { id: string }) => p.id)).toEqual(["P0045", "P0042", "P0039"]);
  });

  it("filters by status, customer, order, time and amount", async () => {
    const result = (
      await search("?status=FAILED&customer_id=cust-0&min_amount=10&max_amount=30&created_from=2026-01-01T00:00:12Z&created_to=2026-01-01T00:00:27Z")
    ).json();
    expect(result.data.map((p: { id: string }) => p.id).sort()).toEqual(["P0012", "P0015", "P0018", "P0021", "P0024", "P0027"]);
    expect((await search("?order_id=O0007")).json().data).toHaveLength(1);
    const one = await service.app.inject({ method: "GET", url: "/api/admin/v1/payments/P0007", headers });
    expect(one.json().data).toMatchObject({ id: "P0007", order_id: "O0007", total_amount: "7.00" });
    expect((await service.app.inject({ method: "GET", url: "/api/admin/v1/payments/NOPE", headers })).statusCode).toBe(404);
  });

  it("answers a bad parameter with a 400, never reaching SQL", async () => {
    for (const query of ["?sort=total_amount;drop table payments", "?sort=-password", "?size=0", "?size=201", "?page=0", "?status=MAYBE", "?min_amount=1e5", "?created_from=yesterday", "?limit=5"]) {
      const response = await search(query);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().code).toBe(400);
    }
    expect((await db.query("SELECT count(*)::int AS n FROM payments")).rows[0].n).toBe(45);
  });

  it("exports every payment matching the filters as CSV, beyond one page", async () => {
    const csv = await service.app.inject({ method: "GET", url: "/api/admin/v1/payments/export.csv?status=SUCCESS&sort=total_amount", headers });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers["content-type"]).toContain("text/csv");
    const lines = csv.body.trim().split("\n");
    expect(lines[0]).toBe("id,order_id,status,total_amount,customer_id,created_at,updated_at,refunded_at,decline_reason");
    expect(lines).toHaveLength(1 + 30);
    expect(lines[1]).toMatch(/^"P0001","O0001","SUCCESS","1.00","cust-1",/);
    expect((await service.app.inject({ method: "GET", url: "/api/admin/v1/payments/export.csv?sort=nope", headers })).statusCode).toBe(400);
  });

  it("counts payments and the approval rate for the dashboard", async () => {
    const stats = (await service.app.inject({ method: "GET", url: "/api/admin/v1/payments/stats", headers })).json().data;
    expect(stats).toEqual({ totals: { SUCCESS: 30, FAILED: 15, REFUNDED: 0 }, approval_rate: 30 / 45 });
  });

  it("streams every payment", async () => {
    const all = await service.app.inject({ method: "GET", url: "/api/admin/v1/payments", headers });
    expect(all.statusCode).toBe(200);
    expect(all.json().data).toHaveLength(45);
  });
});

describe("operations endpoints", () => {
  it("serve liveness, readiness, Prometheus metrics and the OpenAPI document", async () => {
    const { env } = isolatedEnv(inject("infra"));
    const service = await startPaymentService(loadPaymentConfig(env));
    try {
      expect((await service.app.inject({ method: "GET", url: "/health" })).json()).toEqual({ status: "ok" });
      expect((await service.app.inject({ method: "GET", url: "/ready" })).json()).toEqual({ status: "ready", checks: { database: true, kafka: true, consuming: true } });
      const metrics = (await service.app.inject({ method: "GET", url: "/metrics" })).body;
      for (const name of ["http_request_duration_seconds", "events_published_total", "events_consumed_total", "outbox_backlog", "consumer_lag"]) {
        expect(metrics).toContain(`# TYPE spgroup_${name} `);
      }
      // The Kafka clients' own metrics, in the same registry.
      expect(metrics).toContain("# TYPE kafka_producers gauge");
      expect(metrics).toContain("# TYPE kafka_consumers gauge");
      const openapi = (await service.app.inject({ method: "GET", url: "/docs/json" })).json();
      expect(Object.keys(openapi.paths)).toContain("/api/admin/v1/payments/search");
      // A consumer that stops taking messages makes the service not ready, and its gauge says so.
      await service.runtime.consumers[0]?.stop();
      const notReady = await service.app.inject({ method: "GET", url: "/ready" });
      expect(notReady.statusCode).toBe(503);
      expect(notReady.json()).toEqual({ status: "not ready", checks: { database: true, kafka: true, consuming: false } });
      expect((await service.app.inject({ method: "GET", url: "/metrics" })).body).toMatch(/^spgroup_consumer_consuming\{[^}]*\} 0$/m);
    } finally {
      await service.stop();
    }
  });
});
