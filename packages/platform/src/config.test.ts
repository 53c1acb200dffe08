import { describe, expect, it } from "vitest";
import { ConfigError, isLoopbackHost, LOCAL_ADMIN_PASSWORD, LOCAL_ADMIN_SECRET, loadPlatformConfig } from "./config.ts";
import { hashPassword } from "./http/admin-auth.ts";

const defaults = { port: 1, databaseUrlVar: "X_DATABASE_URL", databaseUrl: "postgres://x" };
const SECRET = "a-real-secret-of-more-than-thirty-two-characters";
// A well-formed scrypt hash (of another password than the local one), cheap to check.
const HASH = "scrypt$16384$8$1$c2FsdHNhbHRzYWx0$NTWmvrcVogMyxzFBKbec8fghdwa+QYlTrnU4EDk9iUw=";

describe("deployment mode", () => {
  it("locally uses the public defaults and names them", () => {
    const config = loadPlatformConfig("t", defaults, {});
    expect(config.deployment).toBe("local");
    expect(config.admin.tokenSecret).toBe(LOCAL_ADMIN_SECRET);
    expect(config.localDefaults).toEqual(["ADMIN_TOKEN_SECRET", "ADMIN_PASSWORD"]);
    expect(config.host).toBe("127.0.0.1");
  });

  it("in production refuses a missing or default secret, naming the variable", () => {
    for (const env of [{ DEPLOYMENT: "production" }, { NODE_ENV: "production" }]) {
      expect(() => loadPlatformConfig("t", defaults, { ...env, ADMIN_PASSWORD_HASH: HASH })).toThrow(/ADMIN_TOKEN_SECRET must be set/);
    }
    expect(() => loadPlatformConfig("t", defaults, { DEPLOYMENT: "production", ADMIN_TOKEN_SECRET: LOCAL_ADMIN_SECRET, ADMIN_PASSWORD_HASH: HASH })).toThrow(
      /ADMIN_TOKEN_SECRET is the public local default/,
    );
    expect(() => loadPlatformConfig("t", defaults, { DEPLOYMENT: "production", ADMIN_TOKEN_SECRET: SECRET })).toThrow(/ADMIN_PASSWORD_HASH must be set/);
    expect(() => loadPlatformConfig("t", defaults, { DEPLOYMENT: "staging" })).toThrow(ConfigError);
  });

  it("in production refuses a hash of the public local password, a hash it cannot read, and DEPLOYMENT=local beside NODE_ENV=production", async () => {
    const ofDefault = await hashPassword(LOCAL_ADMIN_PASSWORD, 2 ** 14);
    const env = { DEPLOYMENT: "production", ADMIN_TOKEN_SECRET: SECRET };
    expect(() => loadPlatformConfig("t", defaults, { ...env, ADMIN_PASSWORD_HASH: ofDefault })).toThrow(/ADMIN_PASSWORD_HASH is a hash of the public local password/);
    expect(() => loadPlatformConfig("t", defaults, { ...env, ADMIN_PASSWORD_HASH: "admin" })).toThrow(/ADMIN_PASSWORD_HASH is not a scrypt hash/);
    expect(() => loadPlatformConfig("t", defaults, { ...env, ADMIN_PASSWORD_HASH: "scrypt$4194304$8$1$c2FsdA==$aGFzaA==" })).toThrow(/not a scrypt hash/);
    // Too cheap to resist guessing.
    expect(() => loadPlatformConfig("t", defaults, { ...env, ADMIN_PASSWORD_HASH: "scrypt$2$8$1$c2FsdHNhbHRzYWx0$NTWmvrcVogMyxzFBKbec8fghdwa+QYlTrnU4EDk9iUw=" })).toThrow(/not a scrypt hash/);
    expect(() => loadPlatformConfig("t", defaults, { NODE_ENV: "production", DEPLOYMENT: "local" })).toThrow(/DEPLOYMENT=local contradicts NODE_ENV=production/);
    expect(loadPlatformConfig("t", defaults, { ...env, ADMIN_PASSWORD_HASH: await hashPassword("a password of my own", 2 ** 14) }).deployment).toBe("production");
  });

  it("in production starts with its own secrets, no plain password and no defaults", () => {
    const config = loadPlatformConfig("t", defaults, { DEPLOYMENT: "production", ADMIN_TOKEN_SECRET: SECRET, ADMIN_PASSWORD_HASH: HASH, ADMIN_PASSWORD: "admin" });
    expect(config.localDefaults).toEqual([]);
    expect(config.admin.password).toBeUndefined();
    expect(config.host).toBe("0.0.0.0");
  });
});

describe("isLoopbackHost", () => {
  it("knows the addresses only this machine can reach", () => {
    for (const host of ["127.0.0.1", "127.0.0.2", "localhost", "::1"]) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ["0.0.0.0", "::", "10.0.0.5", "192.168.1.2", "example.com"]) expect(isLoopbackHost(host), host).toBe(false);
  });
});
