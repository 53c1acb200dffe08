import { LOCAL_CUSTOMER_SECRET } from "@spgroup/platform";
import { describe, expect, it } from "vitest";
import { loadOrderConfig } from "./config.ts";

// A production node with its own operator secrets (a scrypt hash of another password than the local one).
const PRODUCTION = {
  DEPLOYMENT: "production",
  ADMIN_TOKEN_SECRET: "a-real-secret-of-more-than-thirty-two-characters",
  ADMIN_PASSWORD_HASH: "scrypt$16384$8$1$c2FsdHNhbHRzYWx0$NTWmvrcVogMyxzFBKbec8fghdwa+QYlTrnU4EDk9iUw=",
  ORDER_DATABASE_URL: "postgres://order@db.internal/order_db",
};

describe("order service configuration in production", () => {
  it("refuses a missing or public customer-token secret, naming it", () => {
    expect(() => loadOrderConfig(PRODUCTION)).toThrow(/CUSTOMER_TOKEN_SECRET must be set when DEPLOYMENT=production/);
    expect(() => loadOrderConfig({ ...PRODUCTION, CUSTOMER_TOKEN_SECRET: LOCAL_CUSTOMER_SECRET })).toThrow(/CUSTOMER_TOKEN_SECRET is the public local default/);
  });

  it("starts with a secret of its own, and needs none when a gateway authenticates customers", () => {
    expect(loadOrderConfig({ ...PRODUCTION, CUSTOMER_TOKEN_SECRET: "another-real-secret-of-more-than-thirty-two-chars" }).deployment).toBe("production");
    expect(loadOrderConfig({ ...PRODUCTION, CUSTOMER_AUTH: "trusted-gateway" }).deployment).toBe("production");
  });
});

describe("order service role", () => {
  it("runs the background work by default; an edge takes orders only, with no outbox relay of its own", () => {
    const all = loadOrderConfig({});
    expect(all.role).toBe("all");
    expect(all.outboxRelayEnabled).toBe(true);
    const edge = loadOrderConfig({ ORDER_ROLE: "edge" });
    expect(edge.role).toBe("edge");
    expect(edge.outboxRelayEnabled).toBe(false);
    expect(loadOrderConfig({ OUTBOX_RELAY_ENABLED: "false" }).outboxRelayEnabled).toBe(false);
  });

  it("refuses a role it does not know, or an edge told to relay, naming the settings", () => {
    expect(() => loadOrderConfig({ ORDER_ROLE: "worker" })).toThrow(/ORDER_ROLE must be all or edge/);
    expect(() => loadOrderConfig({ ORDER_ROLE: "edge", OUTBOX_RELAY_ENABLED: "true" })).toThrow(/OUTBOX_RELAY_ENABLED=true contradicts ORDER_ROLE=edge/);
  });
});
