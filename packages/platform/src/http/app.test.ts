import { describe, expect, it } from "vitest";
import { isAdminRoute, isOriginForm, parseJsonExactly, pathOf, sameDecimal } from "./app.ts";
import { BoundedGate } from "./admin-auth.ts";

describe("parseJsonExactly", () => {
  it("keeps numbers a float holds exactly, whatever their spelling", () => {
    expect(parseJsonExactly('{"a":200.10,"b":1e2,"c":-0.5,"d":0,"e":[250,"x"]}')).toEqual({ a: 200.1, b: 100, c: -0.5, d: 0, e: [250, "x"] });
  });

  it("refuses numbers that would silently change value", () => {
    expect(() => parseJsonExactly('{"a":200.009999999999999}')).toThrow(/cannot be represented exactly/);
    expect(() => parseJsonExactly('{"a":12345678901234567890}')).toThrow(/cannot be represented exactly/);
    expect(() => parseJsonExactly('{"a":0.1000000000000000055511151231257827}')).toThrow(/cannot be represented exactly/);
  });

  it("refuses __proto__ keys, empty bodies and malformed JSON with a plain message", () => {
    expect(() => parseJsonExactly('{"__proto__":{"admin":true}}')).toThrow(/__proto__/);
    expect(() => parseJsonExactly("  ")).toThrow(/empty/);
    expect(() => parseJsonExactly("{")).toThrow(/not valid JSON/);
  });
});

describe("sameDecimal", () => {
  it("compares numerals by value", () => {
    expect(sameDecimal("200.10", "200.1")).toBe(true);
    expect(sameDecimal("1e21", "1e+21")).toBe(true);
    expect(sameDecimal("0.000", "0")).toBe(true);
    expect(sameDecimal("1E-7", "1e-7")).toBe(true);
    expect(sameDecimal("200.009999999999999", "200.01")).toBe(false);
    expect(sameDecimal("-1", "1")).toBe(false);
  });
});

describe("routes and request targets", () => {
  it("needs an operator for every admin route pattern but the sign-in", () => {
    expect(isAdminRoute("/api/admin/v1/orders/search")).toBe(true);
    expect(isAdminRoute("/api/admin/v1/campaigns/iphones/:id")).toBe(true);
    expect(isAdminRoute("/api/admin/v1/auth/login")).toBe(false);
    expect(isAdminRoute("/api/v1/orders")).toBe(false);
  });

  it("accepts only origin-form targets", () => {
    expect(isOriginForm("/api/v1/orders?x=1")).toBe(true);
    expect(isOriginForm("http://x/api/admin/v1/orders")).toBe(false);
    expect(isOriginForm("*")).toBe(false);
    expect(isOriginForm(undefined)).toBe(false);
  });

  it("drops the query string (it may carry a token) from logged paths", () => {
    expect(pathOf("/api/admin/v1/orders/export.csv?access_token=secret")).toBe("/api/admin/v1/orders/export.csv");
    expect(pathOf("/health")).toBe("/health");
  });
});

describe("BoundedGate", () => {
  it("admits `running` at once, queues `waiting`, and refuses the rest at once", async () => {
    const gate = new BoundedGate(2, 1);
    expect(await gate.tryEnter()).toBe(true);
    expect(await gate.tryEnter()).toBe(true);
    let queuedAdmitted = false;
    const queued = gate.tryEnter().then((ok) => {
      queuedAdmitted = ok;
    });
    expect(await gate.tryEnter()).toBe(false);
    expect(queuedAdmitted).toBe(false);
    gate.leave();
    await queued;
    expect(queuedAdmitted).toBe(true);
    gate.leave();
    gate.leave();
    expect(await gate.tryEnter()).toBe(true);
  });
});

describe("operator sign-in", () => {
  it("limits attempts per client address, on top of the app-wide limiter", async () => {
    const { createHttpApp } = await import("./app.ts");
    const { AdminAuth } = await import("./admin-auth.ts");
    const { createLogger } = await import("../logger.ts");
    const { createMetrics } = await import("../metrics.ts");
    const app = await createHttpApp({
      name: "sign-in",
      description: "sign-in limits",
      logger: createLogger("sign-in", "silent"),
      metrics: createMetrics("sign-in"),
      adminAuth: new AdminAuth({ tokenSecret: "s".repeat(40), tokenIssuer: "test", tokenTtlSeconds: 60, username: "admin", password: "right" }),
      readiness: async () => ({}),
      loginAttemptsPerClientPerMinute: 3,
    });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await app.inject({ method: "POST", url: "/api/admin/v1/auth/login", payload: { username: "admin", password: "wrong" } })).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const elsewhere = await app.inject({ method: "POST", url: "/api/admin/v1/auth/login", payload: { username: "admin", password: "right" }, remoteAddress: "10.1.2.3" });
    expect(elsewhere.statusCode).toBe(200);
    // One IPv6 host owns its whole /64: rotating addresses inside it does not buy new attempts.
    const fromSubnet: number[] = [];
    for (const suffix of ["1", "2", "3", "4"]) {
      const response = await app.inject({ method: "POST", url: "/api/admin/v1/auth/login", payload: { username: "admin", password: "wrong" }, remoteAddress: `2001:db8::${suffix}` });
      fromSubnet.push(response.statusCode);
    }
    expect(fromSubnet).toEqual([401, 401, 401, 429]);
    await app.close();
  });
});

describe("trace context", () => {
  it("continues a caller's valid traceparent with a new span, starts a trace otherwise, and answers it even when it refuses", async () => {
    const { createHttpApp } = await import("./app.ts");
    const { AdminAuth } = await import("./admin-auth.ts");
    const { createLogger } = await import("../logger.ts");
    const { createMetrics } = await import("../metrics.ts");
    const app = await createHttpApp({
      name: "trace",
      description: "trace context",
      logger: createLogger("trace", "silent"),
      metrics: createMetrics("trace"),
      adminAuth: new AdminAuth({ tokenSecret: "s".repeat(40), tokenIssuer: "test", tokenTtlSeconds: 60, username: "admin", password: "right" }),
      readiness: async () => ({}),
    });
    app.get("/api/v1/echo", async (request) => ({ traceparent: request.traceparent }));
    const caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const continued = await app.inject({ method: "GET", url: "/api/v1/echo", headers: { traceparent: caller } });
    expect(continued.headers.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(continued.headers.traceparent).not.toBe(caller);
    expect(continued.json().traceparent).toBe(continued.headers.traceparent);
    for (const bad of ["garbage", `${" ".repeat(2000)}${caller}`, caller.toUpperCase()]) {
      const fresh = await app.inject({ method: "GET", url: "/api/v1/echo", headers: { traceparent: bad } });
      expect(fresh.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(String(fresh.headers.traceparent)).not.toContain("4bf92f3577b34da6a3ce929d0e0e4736");
    }
    // Refused requests are traced too: no token (401), an absolute-form target (400).
    expect((await app.inject({ method: "GET", url: "/api/admin/v1/anything", headers: { traceparent: caller } })).headers.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-/);
    expect((await app.inject({ method: "GET", url: "http://x/api/v1/echo" })).headers.traceparent).toMatch(/^00-[0-9a-f]{32}-/);
    await app.close();
  });
});
