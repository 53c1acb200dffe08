import { customerHeaders } from "@spgroup/infra/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startIsolatedOrderService } from "./support.ts";

describe("HTTP hardening", () => {
  let harness: Awaited<ReturnType<typeof startIsolatedOrderService>>;

  beforeAll(async () => {
    harness = await startIsolatedOrderService(inject("infra"), { ORDER_RATE_LIMIT_PER_CUSTOMER_PER_MINUTE: "3", RATE_LIMIT_PER_CLIENT_PER_MINUTE: "1000" });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  const order = async (customer: string) =>
    harness.service.app.inject({ method: "POST", url: "/api/v1/orders", payload: { customer_id: customer, customer_name: "Bot", total_amount: 300 }, headers: await customerHeaders(customer) });

  it("limits orders per customer with a 429 and Retry-After, other customers unaffected", async () => {
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await order("greedy-bot")).statusCode);
    expect(statuses).toEqual([202, 202, 202, 429, 429]);
    const limited = await order("greedy-bot");
    expect(limited.headers["retry-after"]).toBeDefined();
    expect(limited.json()).toMatchObject({ code: 429, error: expect.stringContaining("too many requests") });
    expect((await order("patient-customer")).statusCode).toBe(202);
  });

  it("does not let anonymous requests naming a customer use up her quota", async () => {
    const anonymous = [];
    for (let i = 0; i < 10; i++) {
      const response = await harness.service.app.inject({ method: "POST", url: "/api/v1/orders", payload: { customer_id: "victim", customer_name: "Victim", total_amount: 300 } });
      anonymous.push(response.statusCode);
    }
    const forged = await harness.service.app.inject({
      method: "POST",
      url: "/api/v1/orders",
      payload: { customer_id: "victim", customer_name: "Victim", total_amount: 300 },
      headers: await customerHeaders("attacker"),
    });
    expect(anonymous).toEqual(Array(10).fill(401));
    expect(forged.statusCode).toBe(403);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await order("victim")).statusCode);
    expect(statuses).toEqual([202, 202, 202]);
  });

  it("rejects amounts with more than two decimals however they are written, instead of rounding them", async () => {
    for (const amount of ["200.009999999999999", "200.001", "1e-3", "12345678901234567890"]) {
      const response = await harness.service.app.inject({
        method: "POST",
        url: "/api/v1/orders",
        payload: `{"customer_id":"precise","customer_name":"Precise","total_amount":${amount}}`,
        headers: { ...(await customerHeaders("precise")), "content-type": "application/json" },
      });
      expect(response.statusCode, amount).toBe(400);
      expect(response.json()).toMatchObject({ code: 400 });
    }
    const exact = await harness.service.app.inject({
      method: "POST",
      url: "/api/v1/orders",
      payload: '{"customer_id":"precise","customer_name":"Precise","total_amount":200.10}',
      headers: { ...(await customerHeaders("precise")), "content-type": "application/json" },
    });
    expect(exact.statusCode).toBe(202);
    expect(exact.json().data.total_amount).toBe("200.10");
  });

  it("limits anonymous requests per client address before any token is checked, on public and admin routes", async () => {
    const strict = await startIsolatedOrderService(inject("infra"), { RATE_LIMIT_PER_CLIENT_PER_MINUTE: "5" });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) {
        statuses.push((await strict.service.app.inject({ method: "POST", url: "/api/v1/orders", payload: { customer_id: "x", customer_name: "X", total_amount: 300 } })).statusCode);
        statuses.push((await strict.service.app.inject({ method: "GET", url: "/api/admin/v1/orders/search" })).statusCode);
      }
      expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(statuses.slice(5)).toEqual([429, 429, 429]);
    } finally {
      await strict.stop();
    }
  });

  it("sends security headers and allows only the portal's origin", async () => {
    const fromPortal = await harness.service.app.inject({ method: "GET", url: "/health", headers: { origin: "http://localhost:3000" } });
    expect(fromPortal.headers["access-control-allow-origin"]).toBe("http://localhost:3000");
    expect(fromPortal.headers["x-content-type-options"]).toBe("nosniff");
    expect(fromPortal.headers["strict-transport-security"]).toBeDefined();
    const fromElsewhere = await harness.service.app.inject({ method: "GET", url: "/health", headers: { origin: "https://evil.example" } });
    expect(fromElsewhere.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("hides internals in error bodies", async () => {
    const response = await harness.service.app.inject({ method: "GET", url: "/api/v1/orders/%E0%A4%A" });
    expect(response.statusCode).toBeLessThan(500);
    expect(response.body).not.toMatch(/at .*\.ts:\d+|SELECT|node_modules/);
  });
});
