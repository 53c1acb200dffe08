import { SignJWT } from "jose";
import { isolatedEnv } from "@spgroup/infra/testing";
import { LOCAL_ADMIN_SECRET } from "@spgroup/platform";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadCampaignConfig } from "../services/campaign/src/config.ts";
import { startCampaignService } from "../services/campaign/src/service.ts";
import { loadOrderConfig } from "../services/order/src/config.ts";
import { startOrderService } from "../services/order/src/service.ts";
import { loadPaymentConfig } from "../services/payment/src/config.ts";
import { startPaymentService } from "../services/payment/src/service.ts";

const key = new TextEncoder().encode(LOCAL_ADMIN_SECRET);
const token = (claims: { role?: string; expiresIn?: string | number; audience?: string }, secret = key) =>
  new SignJWT(claims.role ? { role: claims.role } : {})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("someone")
    .setAudience(claims.audience ?? "spgroup-admin")
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn ?? "1h")
    .sign(secret);

describe("every admin route of every service", () => {
  const services: { name: string; app: { inject: (o: object) => Promise<{ statusCode: number }> }; routes: [string, string][]; stop: () => Promise<void> }[] = [];

  beforeAll(async () => {
    const { env } = isolatedEnv(inject("infra"));
    for (const [name, start] of [
      ["order", () => startOrderService(loadOrderConfig(env))],
      ["payment", () => startPaymentService(loadPaymentConfig(env))],
      ["campaign", () => startCampaignService(loadCampaignConfig(env))],
    ] as const) {
      const service = await start();
      const openapi = (await service.app.inject({ method: "GET", url: "/docs/json" })).json() as { paths: Record<string, Record<string, unknown>> };
      const routes = Object.entries(openapi.paths)
        .filter(([path]) => path.startsWith("/api/admin/") && !path.endsWith("/auth/login"))
        .flatMap(([path, methods]) => Object.keys(methods).map((m): [string, string] => [m.toUpperCase(), path.replace(/\{[^}]+\}/g, "1")]));
      services.push({ name, app: service.app, routes, stop: service.stop });
    }
  });
  afterAll(async () => {
    for (const s of services) await s.stop();
  });

  it("are found in the OpenAPI documents (the list the checks below walk)", () => {
    const all = services.flatMap((s) => s.routes.map(([m, p]) => `${s.name} ${m} ${p}`));
    expect(all.length).toBeGreaterThanOrEqual(15);
    expect(all).toContain("campaign PUT /api/admin/v1/campaigns/iphones/1");
    expect(all).toContain("order GET /api/admin/v1/orders/search");
  });

  it("refuse anonymous, non-admin, forged, foreign-audience and expired tokens with 401", async () => {
    const cases: [string, string | undefined][] = [
      ["anonymous", undefined],
      ["non-admin", await token({ role: "customer" })],
      ["forged", await token({ role: "admin" }, new TextEncoder().encode("another-secret-that-is-long-enough-000000"))],
      ["foreign audience", await token({ role: "admin", audience: "someone-else" })],
      ["expired", await token({ role: "admin", expiresIn: Math.floor(Date.now() / 1000) - 60 })],
    ];
    for (const service of services) {
      for (const [method, url] of service.routes) {
        for (const [what, bearer] of cases) {
          const response = await service.app.inject({ method, url, payload: method === "GET" ? undefined : {}, headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
          expect(response.statusCode, `${service.name} ${method} ${url} (${what})`).toBe(401);
        }
      }
    }
  });
});
