import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import { jwtVerify, SignJWT } from "jose";
import type { AdminAuthConfig } from "../config.ts";

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;
const KEY_LENGTH = 32;
const AUDIENCE = "spgroup-admin";

/** scrypt (a memory-hard KDF) with a random salt, encoded as `scrypt$N$r$p$salt$hash`. */
export async function hashPassword(password: string, N = 2 ** 15, r = 8, p = 1): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, KEY_LENGTH, { N, r, p, maxmem: 256 * N * r });
  return ["scrypt", N, r, p, salt.toString("base64"), hash.toString("base64")].join("$");
}

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = encoded.split("$");
  if (scheme !== "scrypt" || !salt || !hash) return false;
  const N = Number(n);
  const expected = Buffer.from(hash, "base64");
  const actual = await scryptAsync(password, Buffer.from(salt, "base64"), expected.length, { N, r: Number(r), p: Number(p), maxmem: 256 * N * Number(r) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export interface AdminSession {
  token: string;
  expires_at: string;
}

/** Operator sessions are short-lived HS256 tokens signed with the shared ADMIN_TOKEN_SECRET. */
export class AdminAuth {
  readonly #config: AdminAuthConfig;
  readonly #key: Uint8Array;
  #passwordHash: Promise<string>;

  constructor(config: AdminAuthConfig) {
    if (config.tokenSecret.length < 32) throw new Error("ADMIN_TOKEN_SECRET must be at least 32 characters");
    this.#config = config;
    this.#key = new TextEncoder().encode(config.tokenSecret);
    // Hashed lazily with cheap parameters when only a plain local password is configured.
    this.#passwordHash = config.passwordHash ? Promise.resolve(config.passwordHash) : hashPassword(config.password ?? "", 2 ** 14);
  }

  async login(username: string, password: string): Promise<AdminSession | undefined> {
    const ok = await verifyPassword(password, await this.#passwordHash);
    if (!ok || username !== this.#config.username) return undefined;
    return this.issue(username);
  }

  async issue(subject: string): Promise<AdminSession> {
    const expiresAt = Math.floor(Date.now() / 1000) + this.#config.tokenTtlSeconds;
    const token = await new SignJWT({ role: "admin" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(subject)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(expiresAt)
      .sign(this.#key);
    return { token, expires_at: new Date(expiresAt * 1000).toISOString() };
  }

  /** The operator's name, or undefined for a missing, forged, expired or non-admin token. */
  async verify(authorization: string | undefined): Promise<string | undefined> {
    const match = /^Bearer ([A-Za-z0-9._-]{10,4096})$/.exec(authorization ?? "");
    if (!match?.[1]) return undefined;
    try {
      const { payload } = await jwtVerify(match[1], this.#key, { audience: AUDIENCE, algorithms: ["HS256"] });
      return payload.role === "admin" ? payload.sub : undefined;
    } catch {
      return undefined;
    }
  }
}
