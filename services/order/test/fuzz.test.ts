import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { customerHeaders, type testPool } from "@spgroup/infra/testing";
import { startIsolatedOrderService } from "./support.ts";

// Arbitrary JSON-ish values, biased toward the shapes a client gets wrong.
const junk = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string(), { maxKeys: 3 }),
  fc.constantFrom("", " ", "0", "-1", "1e309", "NaN", "200.001", "99999999999", "\u0000", "' OR 1=1 --", "😀".repeat(30)),
);

describe("hostile input to the order service", () => {
  let harness: Awaited<ReturnType<typeof startIsolatedOrderService>>;
  let db: ReturnType<typeof testPool>;

  beforeAll(async () => {
    harness = await startIsolatedOrderService(inject("infra"));
    db = harness.db;
  });
  afterAll(async () => {
    await harness.stop();
  });

  const count = async () => Number((await db.query("SELECT count(*) FROM orders")).rows[0].count);

  it("never answers 5xx and writes nothing for thousands of malformed orders", async () => {
    const before = await count();
    let acceptedByApi = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({ customer_id: junk, customer_name: junk, total_amount: junk }, { requiredKeys: [] }),
        fc.dictionary(fc.string({ maxLength: 8 }), junk, { maxKeys: 2 }),
        async (body, extra) => {
          const payload = { ...body, ...extra };
          // Signed in as the customer the body names, when it names one: the checks behind the
          // authentication are what is being fuzzed.
          const auth = typeof payload.customer_id === "string" ? await customerHeaders(payload.customer_id) : {};
          const response = await harness.service.app.inject({ method: "POST", url: "/api/v1/orders", payload: JSON.stringify(payload), headers: { "content-type": "application/json", ...auth } });
          expect(response.statusCode, JSON.stringify(payload)).toBeLessThan(500);
          if (response.statusCode === 202) acceptedByApi++;
          if (response.statusCode >= 400) expect(response.json()).toMatchObject({ error: expect.any(String), code: response.statusCode });
        },
      ),
      { numRuns: 1500 },
    );
    // A generated body may be a valid order by chance: exactly those, answered 202, were stored.
    expect(await count()).toBe(before + acceptedByApi);
  });

  it("never answers 5xx to generated admin queries and raw paths", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom("page", "size", "sort", "status", "customer_id", "order_id", "created_from", "created_to", "min_amount", "max_amount", "x"), fc.string({ maxLength: 30 }), { maxKeys: 4 }),
        fc.string({ maxLength: 40 }),
        async (query, path) => {
          const qs = new URLSearchParams(query).toString();
          const search = await harness.service.app.inject({ method: "GET", url: `/api/admin/v1/orders/search?${qs}`, headers: harness.adminHeaders });
          expect(search.statusCode, qs).toBeLessThan(500);
          const anonymous = await harness.service.app.inject({ method: "GET", url: `/api/admin/v1/orders/search?${qs}` });
          expect(anonymous.statusCode).toBe(401);
          const raw = await harness.service.app.inject({ method: "GET", url: `/api/v1/orders/${encodeURIComponent(path)}` });
          expect(raw.statusCode, path).toBeLessThan(500);
        },
      ),
      { numRuns: 800 },
    );
  });
});
