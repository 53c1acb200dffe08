// Fuzzing every public and admin endpoint of every service, as listed by their OpenAPI documents:
// thousands of generated bad requests (junk path parameters, queries built from the declared names
// with hostile values, bodies with the declared fields holding the wrong things, unknown fields,
// broken JSON, wrong content types, missing or wrong credentials). Whatever comes in: never a 5xx,
// every error has the {error, code} shape, and a refused request changes nothing in the database.
import fc from "fast-check";
import { customerHeaders, isolatedEnv, testPool } from "@spgroup/infra/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadCampaignConfig } from "../services/campaign/src/config.ts";
import { startCampaignService } from "../services/campaign/src/service.ts";
import { loadOrderConfig } from "../services/order/src/config.ts";
import { startOrderService } from "../services/order/src/service.ts";
import { loadPaymentConfig } from "../services/payment/src/config.ts";
import { startPaymentService } from "../services/payment/src/service.ts";

interface Injected {
  statusCode: number;
  json(): unknown;
  headers: Record<string, unknown>;
}
interface App {
  inject(o: { method: string; url: string; payload?: string; headers?: Record<string, string> }): Promise<Injected>;
}
interface Operation {
  service: string;
  method: string;
  path: string;
  pathParams: string[];
  query: string[];
  body: string[];
  admin: boolean;
}
interface OpenApi {
  paths: Record<
    string,
    Record<string, { parameters?: { in: string; name: string }[]; requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> } }>
  >;
}

// Values a client gets wrong, as JSON (bodies) and as text (paths, queries).
const hostileText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom("", " ", "0", "-1", "1e309", "NaN", "Infinity", "200.001", "99999999999999999999", "\u0000", "' OR 1=1 --", "../../etc/passwd", "%00", "😀".repeat(40), "a".repeat(5000), "2026-13-45T99:99:99Z", "0000-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "2026-11-26t08:00:00.1234567+08", "true", "null", "[]", "{}", "-created_at,,", "id;DROP TABLE orders"),
);
const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  hostileText,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(hostileText, { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), hostileText, { maxKeys: 3 }),
);

/** A cheap fingerprint of the rows a request to `service` could write directly. */
const FINGERPRINT: Record<string, string> = {
  order: "SELECT (SELECT count(*) FROM orders) || ':' || (SELECT count(*) FROM order_idempotency_keys) AS f",
  payment: "SELECT (SELECT count(*) FROM payments)::text AS f",
  campaign: "SELECT coalesce(md5(string_agg(c::text, '|' ORDER BY c.id)), '') AS f FROM campaigns c",
};

/**
 * A generated value as one path segment. "." and ".." (escaped or not) are dot segments, not
 * values: the URL resolves them away, as every client does, and the request names another
 * resource (no route, so the body is refused first). No request can carry them as a parameter,
 * so they are sent with a letter after them.
 */
function pathSegment(value: string): string {
  return encodeURIComponent(value === "." || value === ".." ? `${value}x` : value);
}

describe("hostile input to every endpoint of every service", () => {
  const apps = new Map<string, App>();
  const dbs = new Map<string, ReturnType<typeof testPool>>();
  const stops: (() => Promise<void>)[] = [];
  const operations: Operation[] = [];
  let admin: Record<string, string>;

  beforeAll(async () => {
    const { env } = isolatedEnv(inject("infra"), { RATE_LIMIT_PER_CLIENT_PER_MINUTE: "1000000" });
    for (const [name, start, dbUrl] of [
      ["order", () => startOrderService(loadOrderConfig(env)), env.ORDER_DATABASE_URL],
      ["payment", () => startPaymentService(loadPaymentConfig(env)), env.PAYMENT_DATABASE_URL],
      ["campaign", () => startCampaignService(loadCampaignConfig(env)), env.CAMPAIGN_DATABASE_URL],
    ] as const) {
      const service = await start();
      stops.push(service.stop);
      apps.set(name, service.app as unknown as App);
      dbs.set(name, testPool(dbUrl as string));
      admin ??= { authorization: `Bearer ${(await service.runtime.adminAuth.issue("fuzz")).token}` };
      const openapi = (await service.app.inject({ method: "GET", url: "/docs/json" })).json() as OpenApi;
      for (const [path, methods] of Object.entries(openapi.paths)) {
        if (!path.startsWith("/api/")) continue;
        for (const [method, op] of Object.entries(methods)) {
          const parameters = op.parameters ?? [];
          const schema = Object.values(op.requestBody?.content ?? {})[0]?.schema;
          operations.push({
            service: name,
            method: method.toUpperCase(),
            path,
            pathParams: parameters.filter((p) => p.in === "path").map((p) => p.name),
            query: parameters.filter((p) => p.in === "query").map((p) => p.name),
            body: Object.keys(schema?.properties ?? {}),
            admin: path.startsWith("/api/admin/") && !path.endsWith("/auth/login"),
          });
        }
      }
    }
    // A running campaign: creating another must be refused, and its row must never change.
    const created = await apps.get("campaign")?.inject({
      method: "POST",
      url: "/api/admin/v1/campaigns/iphones",
      payload: JSON.stringify({ name: "Fuzzed sale", start_time: new Date().toISOString(), end_time: new Date(Date.now() + 3_600_000).toISOString() }),
      headers: { ...admin, "content-type": "application/json" },
    });
    expect(created?.statusCode).toBe(201);
  });
  afterAll(async () => {
    for (const db of dbs.values()) await db.end();
    for (const stop of stops) await stop();
  });

  const fingerprint = async (service: string) => (await dbs.get(service)?.query(FINGERPRINT[service] as string))?.rows[0].f as string;

  it("finds the endpoints in the OpenAPI documents", () => {
    const listed = operations.map((o) => `${o.service} ${o.method} ${o.path}`);
    expect(listed.length).toBeGreaterThanOrEqual(20);
    for (const expected of ["order POST /api/v1/orders", "order GET /api/v1/orders/{id}", "payment GET /api/admin/v1/payments/search", "campaign PUT /api/admin/v1/campaigns/iphones/{id}", "campaign POST /api/admin/v1/campaigns/iphones"]) {
      expect(listed).toContain(expected);
    }
  });

  it("never answers 5xx, always answers errors as {error, code}, and writes nothing when it refuses", async () => {
    const seen = new Map<string, number>();
    let refusedWrites = 0;
    const request = fc.record({
      op: fc.constantFrom(...operations.filter((o) => !o.path.endsWith("/stream"))),
      pathValues: fc.array(hostileText, { minLength: 3, maxLength: 3 }),
      query: fc.array(fc.tuple(fc.oneof(fc.constantFrom("x", "page", "size", "sort"), fc.string({ maxLength: 6 })), hostileText), { maxLength: 4 }),
      declaredQuery: fc.array(fc.tuple(fc.nat(20), hostileText), { maxLength: 4 }),
      body: fc.oneof(
        fc.record({ fields: fc.array(fc.tuple(fc.nat(20), hostileJson), { maxLength: 6 }), extra: fc.dictionary(fc.string({ maxLength: 8 }), hostileJson, { maxKeys: 2 }) }),
        fc.constantFrom("{", "null", "[]", '"x"', "1", "{}", '{"__proto__":{"admin":true}}', "\u0000"),
      ),
      contentType: fc.constantFrom("application/json", "application/json", "application/json", "text/plain", "application/x-www-form-urlencoded"),
      auth: fc.constantFrom("right", "right", "right", "none", "garbage"),
    });
    await fc.assert(
      fc.asyncProperty(request, async ({ op, pathValues, query, declaredQuery, body, contentType, auth }) => {
        let url = op.path;
        op.pathParams.forEach((name, i) => {
          url = url.replace(`{${name}}`, pathSegment(pathValues[i] ?? ""));
        });
        const params = new URLSearchParams();
        for (const [name, value] of query) params.append(name, value);
        for (const [i, value] of declaredQuery) if (op.query.length > 0) params.append(op.query[i % op.query.length] as string, value);
        if (params.size > 0) url += `?${params}`;

        let payload: string | undefined;
        let customer = "fuzz-customer";
        if (op.method !== "GET") {
          if (typeof body === "string") payload = body;
          else {
            const object: Record<string, unknown> = { ...body.extra };
            for (const [i, value] of body.fields) if (op.body.length > 0) object[op.body[i % op.body.length] as string] = value;
            if (typeof object.customer_id === "string") customer = object.customer_id;
            payload = JSON.stringify(object);
          }
        }
        const headers: Record<string, string> = payload === undefined ? {} : { "content-type": contentType };
        if (auth === "garbage") headers.authorization = "Bearer not.a.token";
        if (auth === "right") Object.assign(headers, op.admin ? admin : await customerHeaders(customer));

        const app = apps.get(op.service) as App;
        const writes = op.method !== "GET";
        const before = writes ? await fingerprint(op.service) : "";
        const response = await app.inject({ method: op.method, url, headers, ...(payload === undefined ? {} : { payload }) });
        const what = `${op.method} ${url} ${payload ?? ""} (${auth})`.slice(0, 400);
        seen.set(`${op.service} ${op.method} ${op.path}`, (seen.get(`${op.service} ${op.method} ${op.path}`) ?? 0) + 1);

        expect(response.statusCode, what).toBeLessThan(500);
        // The router refuses an over-long path parameter (414) before any route, and so before authentication.
        if (op.admin && auth !== "right") expect([401, 414], what).toContain(response.statusCode);
        if (response.statusCode >= 400) {
          expect(response.json(), what).toMatchObject({ error: expect.any(String), code: response.statusCode });
          const text = JSON.stringify(response.json());
          expect(text, what).not.toMatch(/\bat \w+ \(|node_modules|SELECT |INSERT |syntax error at/);
          if (writes) {
            refusedWrites++;
            expect(await fingerprint(op.service), `refused but written: ${what}`).toBe(before);
          }
        }
      }),
      { numRuns: 2500 },
    );
    // Every endpoint was reached (not just the first few), and refusals of writes were checked.
    expect(seen.size).toBe(operations.filter((o) => !o.path.endsWith("/stream")).length);
    expect(refusedWrites).toBeGreaterThan(300);
  });

  it("answers 400 INVALID_INSTANT, not 500, for date-times the schema lets through but PostgreSQL refuses or reads otherwise", async () => {
    for (const [service, path] of [
      ["order", "/api/admin/v1/orders/search"],
      ["payment", "/api/admin/v1/payments/search"],
      ["order", "/api/admin/v1/orders/export.csv"],
      ["payment", "/api/admin/v1/payments/export.csv"],
    ] as const) {
      for (const [name, value] of [
        ["created_from", "0000-01-01T00:00:00Z"],
        ["created_to", "0000-12-31T23:59:59+00:00"],
        ["created_from", "1969-12-31T23:59:59Z"],
      ] as const) {
        const response = await (apps.get(service) as App).inject({ method: "GET", url: `${path}?${name}=${encodeURIComponent(value)}`, headers: admin });
        expect(response.statusCode, `${path} ${name}=${value}`).toBe(400);
        expect(response.json()).toMatchObject({ code: 400, error_code: "INVALID_INSTANT" });
      }
      // Every spelling the schema takes is read as the same instant (lower-case t, offset without colon).
      const ok = await (apps.get(service) as App).inject({ method: "GET", url: `${path}?created_from=${encodeURIComponent("2026-11-26t08:00:00.1234567+0800")}`, headers: admin });
      expect(ok.statusCode).toBe(200);
    }
  });

  it("refuses the live stream to callers without an operator token, whatever the query", async () => {
    const stream = operations.find((o) => o.path.endsWith("/stream"));
    expect(stream).toBeDefined();
    await fc.assert(
      fc.asyncProperty(hostileText, async (value) => {
        const response = await (apps.get("campaign") as App).inject({ method: "GET", url: `/api/admin/v1/campaigns/iphones/stream?access_token=${encodeURIComponent(value)}` });
        expect(response.statusCode).toBe(401);
      }),
      { numRuns: 200 },
    );
  });
});
