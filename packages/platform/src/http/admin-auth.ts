import { randomBytes, scrypt, scryptSync, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import { jwtVerify, SignJWT } from "jose";
import { type HmacKey, hs256Key } from "./token-key.ts";
import { OPERATOR_ROLES, type OperatorRole, roleAtLeast } from "@spgroup/contracts";
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

/**
 * Whether `encoded` is a well-formed scrypt hash of `password`, at start (synchronous, once): so a
 * production deployment can refuse the hash of the public local password. Undefined: not a hash
 * this platform accepts (too cheap to resist guessing, or costlier than a sign-in may spend).
 */
export function isHashOf(password: string, encoded: string): boolean | undefined {
  const [scheme, n, r, p, salt, hash] = encoded.split("$");
  const N = Number(n);
  const R = Number(r);
  const P = Number(p);
  // A cost a sign-in can afford and an attacker cannot skip: N from 2^14, r and p small integers, at most 256 MiB.
  const cost = Number.isInteger(Math.log2(N)) && N >= 2 ** 14 && Number.isInteger(R) && R >= 1 && R <= 32 && Number.isInteger(P) && P >= 1 && P <= 4;
  if (scheme !== "scrypt" || !salt || !hash || !cost || 128 * N * R > 256 * 2 ** 20) return undefined;
  const expected = Buffer.from(hash, "base64");
  if (expected.length < 16) return undefined;
  const actual = scryptSync(password, Buffer.from(salt, "base64"), expected.length, { N, r: R, p: P, maxmem: 256 * N * R });
  return timingSafeEqual(actual, expected);
}

/** At most `running` at once and `waiting` queued behind them; tryEnter refuses beyond that. */
export class BoundedGate {
  #active = 0;
  readonly #queue: (() => void)[] = [];
  readonly running: number;
  readonly waiting: number;
  constructor(running: number, waiting: number) {
    this.running = running;
    this.waiting = waiting;
  }

  /** Resolves true when admitted (call leave() afterwards); false at once when the queue is full. */
  async tryEnter(): Promise<boolean> {
    if (this.#active < this.running) {
      this.#active++;
      return true;
    }
    if (this.#queue.length >= this.waiting) return false;
    await new Promise<void>((resolve) => this.#queue.push(resolve));
    return true;
  }

  leave(): void {
    const next = this.#queue.shift();
    if (next) next();
    else this.#active--;
  }
}

export interface AdminSession {
  token: string;
  expires_at: string;
  username: string;
  role: OperatorRole;
}

/** Who an operator token names, and what they may do. */
export interface OperatorIdentity {
  name: string;
  role: OperatorRole;
}

/** Where operators other than the configured one are kept (the order service's database). */
export interface OperatorDirectory {
  find(username: string): Promise<{ passwordHash: string; role: OperatorRole; disabled: boolean } | undefined>;
}

/** Operator sessions are short-lived HS256 tokens signed with the shared ADMIN_TOKEN_SECRET. */
export class AdminAuth {
  readonly #config: AdminAuthConfig;
  readonly #key: Promise<HmacKey>;
  #passwordHash: Promise<string>;
  readonly #logins = new BoundedGate(1, 8);
  #directory: OperatorDirectory | undefined;
  /** Checked when a name is unknown or disabled: as costly as an operator's own hash, so the time taken does not tell. */
  #missHash: Promise<string> | undefined;

  constructor(config: AdminAuthConfig) {
    if (config.tokenSecret.length < 32) throw new Error("ADMIN_TOKEN_SECRET must be at least 32 characters");
    this.#config = config;
    this.#key = hs256Key(config.tokenSecret);
    // Hashed lazily with cheap parameters when only a plain local password is configured.
    this.#passwordHash = config.passwordHash ? Promise.resolve(config.passwordHash) : hashPassword(config.password ?? "", 2 ** 14);
  }

  /** Operators beyond the configured one (ADMIN_USERNAME, always an admin) sign in from here. */
  useDirectory(directory: OperatorDirectory): void {
    this.#directory = directory;
    this.#missHash = hashPassword(randomBytes(16).toString("hex"));
  }

  /**
   * A session for the right username and password; undefined otherwise; "busy" when more sign-ins
   * wait than the bound allows. scrypt runs on libuv's thread pool, which also serves the token
   * checks of order placement: a flood of sign-ins may use a few threads, never all of them.
   */
  async login(username: string, password: string): Promise<AdminSession | undefined | "busy"> {
    if (!(await this.#logins.tryEnter())) return "busy";
    let ok: boolean;
    let role: OperatorRole = "admin";
    try {
      // The directory is asked for every other name, and one scrypt of an operator's cost runs for
      // an unknown or disabled name too: the time taken does not tell which names exist.
      const configured = username === this.#config.username;
      // The configured admin signs in without the database (so someone can while it is down).
      const found = configured ? undefined : await this.#directory?.find(username);
      const stored = !configured && found && !found.disabled ? found : undefined;
      if (stored) role = stored.role;
      const hash = configured ? await this.#passwordHash : (stored?.passwordHash ?? (await (this.#missHash ?? this.#passwordHash)));
      ok = (await verifyPassword(password, hash)) && (configured || stored !== undefined);
    } finally {
      this.#logins.leave();
    }
    if (!ok) return undefined;
    return this.issue(username, role);
  }

  async issue(subject: string, role: OperatorRole = "admin"): Promise<AdminSession> {
    const expiresAt = Math.floor(Date.now() / 1000) + this.#config.tokenTtlSeconds;
    const token = await new SignJWT({ role })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(subject)
      .setIssuer(this.#config.tokenIssuer)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(expiresAt)
      .sign(await this.#key);
    return { token, expires_at: new Date(expiresAt * 1000).toISOString(), username: subject, role };
  }

  /** The operator's name, or undefined for a missing, forged, expired or role-less token. */
  async verify(authorization: string | undefined): Promise<string | undefined> {
    return (await this.verifyOperator(authorization))?.name;
  }

  /** The operator and their role, or undefined for a missing, forged, expired or role-less token. */
  async verifyOperator(authorization: string | undefined): Promise<OperatorIdentity | undefined> {
    const match = /^Bearer ([A-Za-z0-9._-]{10,4096})$/.exec(authorization ?? "");
    if (!match?.[1]) return undefined;
    let payload: Awaited<ReturnType<typeof jwtVerify>>["payload"];
    try {
      // exp is required (a token without one would be valid for ever), and so is our issuer.
      ({ payload } = await jwtVerify(match[1], await this.#key, { audience: AUDIENCE, issuer: this.#config.tokenIssuer, algorithms: ["HS256"], requiredClaims: ["exp", "sub"] }));
    } catch {
      return undefined;
    }
    const role = payload.role;
    if (typeof payload.sub !== "string" || typeof role !== "string" || !(OPERATOR_ROLES as readonly string[]).includes(role)) return undefined;
    // Where the directory is at hand (the order service), an operator's token is only as good
    // as the operator now: disabled or demoted since it was issued, it loses that at once.
    // Elsewhere it keeps its role until it expires (ADMIN_TOKEN_TTL_SECONDS). A name the
    // directory does not hold is a token minted with the shared secret (npm run admin-token,
    // the auditor), which only the secret's holders can make.
    if (this.#directory && payload.sub !== this.#config.username) {
      const now = await this.#directory.find(payload.sub);
      if (now?.disabled) return undefined;
      if (now) return { name: payload.sub, role: roleAtLeast(now.role, role as OperatorRole) ? (role as OperatorRole) : now.role };
    }
    // (A directory that cannot be read throws: a 503 to retry, not a 401 that ends the session.)
    return { name: payload.sub, role: role as OperatorRole };
  }
}
