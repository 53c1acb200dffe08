import { DomainError, ERROR_CODES, ERROR_STATUS, ErrorBody } from "@spgroup/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../logger.ts";
import { createMetrics } from "../metrics.ts";
import { AdminAuth } from "./admin-auth.ts";
import { createHttpApp, type HttpApp } from "./app.ts";
import { expectedErrorReply, HttpError } from "./errors.ts";

describe("expected failures become answers in one place", () => {
  it("answers every code of the closed list with its status", () => {
    for (const code of ERROR_CODES) {
      expect(expectedErrorReply(new DomainError(code, "x"))?.status).toBe(ERROR_STATUS[code]);
    }
    expect(Object.keys(ERROR_STATUS).sort()).toEqual([...ERROR_CODES].sort());
  });

  it("keeps {error, code: <HTTP status>} and adds error_code and any details", () => {
    expect(expectedErrorReply(new DomainError("CAMPAIGN_FINAL", "campaign 3 is FINAL"))).toEqual({
      status: 409,
      body: { error: "campaign 3 is FINAL", code: 409, error_code: "CAMPAIGN_FINAL" },
    });
    expect(expectedErrorReply(new DomainError("END_TIME_IN_THE_PAST", "too late", ["END_TIME_IN_THE_PAST"]))?.body).toEqual({
      error: "too late",
      code: 400,
      error_code: "END_TIME_IN_THE_PAST",
      details: ["END_TIME_IN_THE_PAST"],
    });
  });

  it("tells two conflicts apart by code, not by message", () => {
    const open = expectedErrorReply(new DomainError("CAMPAIGN_ALREADY_OPEN", "same words"));
    const final = expectedErrorReply(new DomainError("CAMPAIGN_FINAL", "same words"));
    expect([open?.status, final?.status]).toEqual([409, 409]);
    expect(open?.body.error_code).not.toBe(final?.body.error_code);
  });

  it("answers HTTP-level refusals with their status and headers, without an error_code", () => {
    expect(expectedErrorReply(new HttpError(401, "sign in", { headers: { "www-authenticate": "Bearer" } }))).toEqual({
      status: 401,
      body: { error: "sign in", code: 401 },
      headers: { "www-authenticate": "Bearer" },
    });
  });

  it("leaves anything else to the handler's other branches", () => {
    expect(expectedErrorReply(new Error("boom"))).toBeUndefined();
    expect(expectedErrorReply(Object.assign(new Error("gone"), { code: "ECONNREFUSED" }))).toBeUndefined();
  });
});

describe("the app's error handler", () => {
  let app: HttpApp;
  beforeAll(async () => {
    app = await createHttpApp({
      name: "errors-test",
      description: "error handler",
      logger: createLogger("errors-test", "silent"),
      metrics: createMetrics("errors-test"),
      adminAuth: new AdminAuth({ tokenSecret: "s".repeat(32), tokenIssuer: "test", tokenTtlSeconds: 60, username: "admin", password: "secret" }),
      readiness: async () => ({}),
    });
    // The response schema declares ErrorBody, as the services' routes do: error_code must survive serialisation.
    app.get("/api/v1/refused", { schema: { response: { 409: ErrorBody } } }, async () => {
      throw new DomainError("IDEMPOTENCY_KEY_REUSED", "Idempotency-Key was already used for a different order");
    });
    app.get("/api/v1/broken", async () => {
      throw new Error("secret internals");
    });
    await app.ready();
  });
  afterAll(() => app.close());

  it("answers a domain error thrown by a route with its status and code", async () => {
    const response = await app.inject({ method: "GET", url: "/api/v1/refused" });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual({ error: "Idempotency-Key was already used for a different order", code: 409, error_code: "IDEMPOTENCY_KEY_REUSED" });
  });

  it("answers an unexpected error 500 without its internals or an error_code", async () => {
    const response = await app.inject({ method: "GET", url: "/api/v1/broken" });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ error: "internal error", code: 500 });
  });
});
