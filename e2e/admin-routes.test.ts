import { connect } from "node:net";
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
const token = (claims: { role?: string; expiresIn?: string | number | null; audience?: string; issuer?: string | null }, secret = key) => {
  const jwt = new SignJWT(claims.role ? { role: claims.role } : {})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("someone")
    .setAudience(claims.audience ?? "spgroup-admin")
    .setIssuedAt();
  if (claims.issuer !== null) jwt.setIssuer(claims.issuer ?? "spgroup-platform");
  if (claims.expiresIn !== null) jwt.setExpirationTime(claims.expiresIn ?? "1h");
  return jwt.sign(secret);
};

/** Sends one request line exactly as written (no client normalises it) and returns the status and body. */
function rawRequest(port: number, method: string, target: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    let received = "";
    const body = method === "GET" || method === "DELETE" ? "" : "{}";
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer to ${method} ${target}`)));
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
      // An answer that is not an error may never end (an event stream): its status is enough.
      const status = /^HTTP\/1\.1 (\d{3})/.exec(received);
      if (status && Number(status[1]) < 400) {
        socket.destroy();
        resolve({ status: Number(status[1]), body: "" });
      }
    });
    socket.on("end", () => {
      const status = /^HTTP\/1\.1 (\d{3})/.exec(received);
      if (!status) return reject(new Error(`no status line for ${method} ${target}: ${received.slice(0, 200)}`));
      resolve({ status: Number(status[1]), body: received.slice(received.indexOf("\r\n\r\n") + 4) });
    });
    socket.on("error", reject);
    socket.write(
      `${method} ${target} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nconnection: close\r\n` +
        (body ? `content-type: application/json\r\ncontent-length: ${body.length}\r\n` : "") +
        `\r\n${body}`,
    );
  });
}

async function rawStatus(port: number, method: string, target: string): Promise<number> {
  return (await rawRequest(port, method, target)).status;
}

/**
 * Whether an answer shows the request was stopped before any handler ran: 401 (the route matched
 * and wants a token), 404 from the router itself ("no route …", not a handler's "not found"), or
 * the 400 that refuses a non-origin-form target. A handler's 404 or a validation 400 would mean
 * the request reached the route without credentials.
 */
function refusedAtTheDoor(answer: { status: number; body: string }): boolean {
  if (answer.status === 401) return true;
  const error = (() => {
    try {
      return String((JSON.parse(answer.body.replace(/^[0-9a-f]+\r\n/i, "").replace(/\r\n0\r\n\r\n$/, "")) as { error?: unknown }).error ?? "");
    } catch {
      return "";
    }
  })();
  if (answer.status === 404) return error.startsWith("no route ");
  if (answer.status === 400) return error === "request target must be an absolute path";
  return false;
}

/** The same path spelled every way a router, proxy or attacker might: each must still need a token. */
export function nonCanonicalSpellings(path: string, port: number): string[] {
  const segments = path.split("/").slice(1);
  const join = (parts: string[]) => `/${parts.join("/")}`;
  const encodeFirstLetter = (segment: string, upper: boolean) =>
    segment.replace(/[a-z]/i, (c) => {
      const hex = c.charCodeAt(0).toString(16);
      return `%${upper ? hex.toUpperCase() : hex}`;
    });
  const spellings: string[] = [];
  segments.forEach((segment, i) => {
    if (!/[a-z]/i.test(segment)) return;
    for (const upper of [false, true]) spellings.push(join(segments.map((s, j) => (j === i ? encodeFirstLetter(s, upper) : s))));
  });
  spellings.push(
    join(segments.map((s) => encodeFirstLetter(s, false))),
    `http://x${path}`,
    `HTTP://127.0.0.1:${port}${path}`,
    `http://127.0.0.1:${port}/api/%61dmin${path.slice("/api/admin".length)}`,
    `/${path}`,
    path.replace("/admin/", "//admin/"),
    path.replace(/\/([^/]+)$/, "//$1"),
    path.replace("/api/admin/", "/api/x/../admin/"),
    path.replace("/api/admin/", "/api/./admin/"),
    path.replace("/api/admin/", "/api/x/%2e%2e/admin/"),
    path.replace("/api/admin/", "/api%2Fadmin/"),
    `${path}/`,
    `${path}?`,
    `${path}#x`,
    path.replace("/admin/", "/ADMIN/"),
    path.replace("/api/", "/API/"),
    path.replace("/api/admin/", "/api/admin;x=1/"),
  );
  return [...new Set(spellings)];
}

describe("every admin route of every service", () => {
  const services: {
    name: string;
    port: number;
    app: { inject: (o: object) => Promise<{ statusCode: number }> };
    routes: [string, string][];
    stop: () => Promise<void>;
  }[] = [];

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
      services.push({ name, port: service.port, app: service.app, routes, stop: service.stop });
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
      ["without exp", await token({ role: "admin", expiresIn: null })],
      ["without issuer", await token({ role: "admin", issuer: null })],
      ["foreign issuer", await token({ role: "admin", issuer: "someone-else" })],
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

  it("let a viewer read every admin route, and refuse any change with 403; keep operators' routes for admins", async () => {
    const viewer = await token({ role: "viewer" });
    const operator = await token({ role: "operator" });
    for (const service of services) {
      // The live stream answers 200 and never ends: its access is the 401 checks above.
      for (const [method, url] of service.routes.filter(([, path]) => !path.endsWith("/stream"))) {
        const read = method === "GET";
        const adminOnly = url.startsWith("/api/admin/v1/operators");
        // An instance's hosts, brokers and groups (…/system) are for operators.
        const operatorOnly = url.endsWith("/system");
        const asViewer = await service.app.inject({ method, url, payload: read ? undefined : {}, headers: { authorization: `Bearer ${viewer}` } });
        if (read && !adminOnly && !operatorOnly) expect([401, 403], `${service.name} ${method} ${url} (viewer)`).not.toContain(asViewer.statusCode);
        else expect(asViewer.statusCode, `${service.name} ${method} ${url} (viewer)`).toBe(403);
        const asOperator = await service.app.inject({ method, url, payload: read ? undefined : {}, headers: { authorization: `Bearer ${operator}` } });
        if (adminOnly) expect(asOperator.statusCode, `${service.name} ${method} ${url} (operator)`).toBe(403);
        else expect([401, 403], `${service.name} ${method} ${url} (operator)`).not.toContain(asOperator.statusCode);
      }
    }
  });

  it("refuse every non-canonical spelling of every admin path without a token (percent-encoding, absolute-form, slashes, dot segments, case)", async () => {
    const reached: string[] = [];
    let sent = 0;
    for (const service of services) {
      for (const [method, path] of service.routes) {
        for (const target of nonCanonicalSpellings(path, service.port)) {
          const answer = await rawRequest(service.port, method, target);
          sent++;
          // Anything but a refusal at the door means the request got somewhere without credentials.
          if (!refusedAtTheDoor(answer)) reached.push(`${service.name} ${method} ${target} -> ${answer.status} ${answer.body.slice(0, 120)}`);
        }
      }
    }
    expect(sent).toBeGreaterThan(300);
    expect(reached).toEqual([]);
  });

  it("refuse an absolute-form request line on every service, even for a public route", async () => {
    for (const service of services) {
      expect(await rawStatus(service.port, "GET", `http://127.0.0.1:${service.port}/health`)).toBe(400);
      expect(await rawStatus(service.port, "GET", "/health")).toBe(200);
    }
  });
});
