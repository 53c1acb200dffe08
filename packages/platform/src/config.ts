// Every environment variable the platform reads, in one place. Services add their own keys through
// `readEnv` in their src/config.ts; the README lists them all.
import { isHashOf } from "./http/admin-auth.ts";

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

/** Key under which a recording environment (configVariables) takes note of each variable's default. */
const RECORDER = Symbol.for("spgroup.config-recorder");
type Recorder = (name: string, fallback: unknown, kind?: "secret") => void;
const note = (env: Env, name: string, fallback: unknown, kind?: "secret") => (env as unknown as Record<symbol, Recorder | undefined>)[RECORDER]?.(name, fallback, kind);

/** One environment variable a configuration reads: its default, and whether it is a secret. */
export interface EnvVariable {
  name: string;
  default?: string;
  secret: boolean;
}

/**
 * Every variable a configuration loader reads, in the order it reads them, with the default it
 * falls back to: the loader runs once against an empty, recording environment. The one config
 * definition is the loader itself; .env.example and its completeness test are built from this.
 */
export function configVariables(load: (env: Env) => unknown): EnvVariable[] {
  const found = new Map<string, EnvVariable>();
  const recorder: Recorder = (name, fallback, kind) => {
    const variable = found.get(name) ?? { name, secret: false };
    if (fallback !== undefined && variable.default === undefined) variable.default = String(fallback);
    if (kind === "secret") variable.secret = true;
    found.set(name, variable);
  };
  const env = new Proxy({} as Env, {
    get(_target, key) {
      if (key === RECORDER) return recorder;
      if (typeof key === "string" && !found.has(key)) found.set(key, { name: key, secret: false });
      return undefined;
    },
  });
  load(env);
  return [...found.values()];
}

export function readEnv(env: Env = process.env) {
  return {
    string(name: string, fallback?: string): string {
      note(env, name, fallback);
      const value = env[name];
      if (value !== undefined && value !== "") return value;
      if (fallback !== undefined) return fallback;
      throw new ConfigError(`missing required environment variable ${name}`);
    },
    int(name: string, fallback: number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number {
      note(env, name, fallback);
      const raw = env[name];
      if (raw === undefined || raw === "") return fallback;
      const value = Number(raw);
      if (!Number.isInteger(value) || value < min || value > max) {
        throw new ConfigError(`${name} must be an integer in [${min}, ${max}], got ${raw}`);
      }
      return value;
    },
    number(name: string, fallback: number, { min = -Infinity, max = Infinity } = {}): number {
      note(env, name, fallback);
      const raw = env[name];
      if (raw === undefined || raw === "") return fallback;
      const value = Number(raw);
      if (!Number.isFinite(value) || value < min || value > max) {
        throw new ConfigError(`${name} must be a number in [${min}, ${max}], got ${raw}`);
      }
      return value;
    },
    bool(name: string, fallback: boolean): boolean {
      note(env, name, fallback);
      const raw = env[name];
      if (raw === undefined || raw === "") return fallback;
      if (raw === "true" || raw === "1") return true;
      if (raw === "false" || raw === "0") return false;
      throw new ConfigError(`${name} must be true or false, got ${raw}`);
    },
  };
}

/** The local-development default: documented in the README, overridden in any real deployment. */
export const LOCAL_ADMIN_SECRET = "local-dev-admin-secret-change-me-0123456789";
/** The operator password of a local deployment (user admin); refused, as a hash too, in production. */
export const LOCAL_ADMIN_PASSWORD = "admin";

/**
 * "production" (DEPLOYMENT=production, or NODE_ENV=production when DEPLOYMENT is unset): every
 * secret must be given and none may be a local default; the service refuses to start otherwise.
 * "local": the documented local defaults are used, and the log says so once.
 */
export type Deployment = "local" | "production";

export function deploymentOf(env: Env): Deployment {
  const explicit = env.DEPLOYMENT;
  if (explicit !== undefined && explicit !== "") {
    // A production node told it is local would start with the public secrets: refuse to guess.
    if (explicit === "local" && env.NODE_ENV === "production") throw new ConfigError("DEPLOYMENT=local contradicts NODE_ENV=production; unset one of them");
    if (explicit === "local" || explicit === "production") return explicit;
    throw new ConfigError(`DEPLOYMENT must be local or production, got ${explicit}`);
  }
  return env.NODE_ENV === "production" ? "production" : "local";
}

/**
 * A secret from the environment. In production it must be set and must not be the public local
 * default; locally the default stands in and its name is noted in `defaulted`.
 */
export function secretFrom(env: Env, deployment: Deployment, name: string, localDefault: string, defaulted: string[]): string {
  note(env, name, undefined, "secret");
  const value = env[name];
  if (deployment === "production") {
    if (value === undefined || value === "") throw new ConfigError(`${name} must be set when DEPLOYMENT=production`);
    if (value === localDefault) throw new ConfigError(`${name} is the public local default; set a secret of your own when DEPLOYMENT=production`);
    return value;
  }
  if (value === undefined || value === "" || value === localDefault) {
    defaulted.push(name);
    return localDefault;
  }
  return value;
}

/** Whether an address to listen on is reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export interface PlatformConfig {
  serviceName: string;
  deployment: Deployment;
  /** Secrets that are the public local defaults (logged once at start; always empty in production). */
  localDefaults: string[];
  host: string;
  port: number;
  /** Several processes may listen on the same port (SO_REUSEPORT); the kernel spreads connections. */
  httpReusePort: boolean;
  /** How long an idle keep-alive connection is held open. */
  httpKeepAliveTimeoutMs: number;
  /** Browser origins allowed to call the APIs (the admin portal). */
  corsOrigins: string[];
  /** Requests per minute from one client address (429 beyond). */
  rateLimitPerClientPerMinute: number;
  /** Operator sign-in attempts per minute from one client address. */
  loginAttemptsPerClientPerMinute: number;
  logLevel: string;
  /** Where the JSON log lines go: empty for standard output (the default), else a file appended to. */
  logFile: string;
  databaseUrl: string;
  databasePoolSize: number;
  kafkaBrokers: string[];
  kafkaTopicPrefix: string;
  kafkaPartitions: number;
  /** Replicas of each topic this service creates, and how many must have a record before it is acknowledged. */
  kafkaReplicationFactor: number;
  kafkaMinInsyncReplicas: number;
  /**
   * Static group membership (KIP-345): a stable id per instance (a pod name, a slot number). A
   * restarted instance takes its partitions back at once instead of after the session timeout.
   */
  kafkaGroupInstanceId?: string;
  kafkaSessionTimeoutMs: number;
  /** false: this instance only writes to its outbox; another instance's relay publishes. */
  outboxRelayEnabled: boolean;
  /**
   * How often an idle relay looks at its outbox. Its own instance's commits wake it at once; rows
   * written by instances without a relay (ORDER_ROLE=edge) wait for this poll.
   */
  outboxRelayIdlePollMs: number;
  /**
   * Inbox rows (ids of consumed events) are kept this long, then purged. Must exceed the topics'
   * Kafka retention: an event still in Kafka can be redelivered and must still be recognised.
   */
  inboxRetentionMs: number;
  inboxPurgeIntervalMs: number;
  admin: AdminAuthConfig;
}

export interface AdminAuthConfig {
  /** HMAC key that signs and verifies operator session tokens; shared by every service. */
  tokenSecret: string;
  /** The `iss` of operator tokens: set when issued, required when verified. */
  tokenIssuer: string;
  tokenTtlSeconds: number;
  username: string;
  /** scrypt hash (`scrypt$N$r$p$salt$hash`); ADMIN_PASSWORD is hashed at start when this is absent. */
  passwordHash?: string;
  password?: string;
}

export function loadPlatformConfig(
  serviceName: string,
  defaults: { port: number; databaseUrlVar: string; databaseUrl: string },
  env: Env = process.env,
): PlatformConfig {
  const e = readEnv(env);
  const deployment = deploymentOf(env);
  const localDefaults: string[] = [];
  const tokenSecret = secretFrom(env, deployment, "ADMIN_TOKEN_SECRET", LOCAL_ADMIN_SECRET, localDefaults);
  if (deployment === "production") {
    const hash = env.ADMIN_PASSWORD_HASH;
    if (!hash) throw new ConfigError("ADMIN_PASSWORD_HASH must be set when DEPLOYMENT=production (npm run admin-token -- hash 'password'); ADMIN_PASSWORD is for local use only");
    const ofDefault = isHashOf(LOCAL_ADMIN_PASSWORD, hash);
    if (ofDefault === undefined) {
      throw new ConfigError("ADMIN_PASSWORD_HASH is not a scrypt hash this platform accepts (N from 2^14, at most 256 MiB; make one with npm run admin-token -- hash 'password')");
    }
    if (ofDefault) throw new ConfigError(`ADMIN_PASSWORD_HASH is a hash of the public local password '${LOCAL_ADMIN_PASSWORD}'; set a password of your own when DEPLOYMENT=production`);
  }
  if (deployment === "local" && !env.ADMIN_PASSWORD && !env.ADMIN_PASSWORD_HASH) localDefaults.push("ADMIN_PASSWORD");
  return {
    serviceName,
    deployment,
    localDefaults,
    // Locally, reachable from this machine only; a real deployment listens where it is told.
    host: e.string("HOST", deployment === "production" ? "0.0.0.0" : "127.0.0.1"),
    port: e.int("PORT", defaults.port, { max: 65535 }),
    httpReusePort: e.bool("HTTP_REUSE_PORT", false),
    httpKeepAliveTimeoutMs: e.int("HTTP_KEEP_ALIVE_TIMEOUT_MS", 65_000, { min: 1_000 }),
    corsOrigins: e.string("CORS_ORIGINS", "http://localhost:3000").split(",").map((o) => o.trim()),
    rateLimitPerClientPerMinute: e.int("RATE_LIMIT_PER_CLIENT_PER_MINUTE", 20_000, { min: 1 }),
    loginAttemptsPerClientPerMinute: e.int("ADMIN_LOGIN_ATTEMPTS_PER_CLIENT_PER_MINUTE", 20, { min: 1 }),
    logLevel: e.string("LOG_LEVEL", "info"),
    logFile: e.string("LOG_FILE", ""),
    databaseUrl: e.string(defaults.databaseUrlVar, defaults.databaseUrl),
    databasePoolSize: e.int("DATABASE_POOL_SIZE", 20, { min: 1, max: 500 }),
    kafkaBrokers: e.string("KAFKA_BROKERS", "127.0.0.1:19092").split(",").map((b) => b.trim()),
    kafkaTopicPrefix: e.string("KAFKA_TOPIC_PREFIX", ""),
    kafkaPartitions: e.int("KAFKA_PARTITIONS", 6, { min: 1, max: 1000 }),
    ...kafkaReplication(e),
    kafkaGroupInstanceId: env.KAFKA_GROUP_INSTANCE_ID || undefined,
    kafkaSessionTimeoutMs: e.int("KAFKA_SESSION_TIMEOUT_MS", 20_000, { min: 6_000, max: 300_000 }),
    outboxRelayEnabled: e.bool("OUTBOX_RELAY_ENABLED", true),
    outboxRelayIdlePollMs: e.int("OUTBOX_RELAY_IDLE_POLL_MS", 100, { min: 1, max: 60_000 }),
    // Longer than a record can live in Kafka: retention is counted from a segment's last record,
    // so a record can outlive log.retention.hours (7 days, infra/kafka/broker.ts) by up to one
    // segment's age (segment.ms, 7 days by default): 14 days plus a week of margin.
    inboxRetentionMs: e.int("INBOX_RETENTION_MS", 21 * 24 * 3600_000, { min: 60_000 }),
    inboxPurgeIntervalMs: e.int("INBOX_PURGE_INTERVAL_MS", 300_000, { min: 10 }),
    admin: {
      tokenSecret,
      tokenIssuer: e.string("ADMIN_TOKEN_ISSUER", "spgroup-platform"),
      tokenTtlSeconds: e.int("ADMIN_TOKEN_TTL_SECONDS", 8 * 3600, { min: 60 }),
      username: e.string("ADMIN_USERNAME", "admin"),
      passwordHash: env.ADMIN_PASSWORD_HASH || undefined,
      password: deployment === "production" ? undefined : env.ADMIN_PASSWORD || (env.ADMIN_PASSWORD_HASH ? undefined : LOCAL_ADMIN_PASSWORD),
    },
  };
}

/** Replication factor 1 (one broker) or, on a cluster, N replicas of which N-1 must acknowledge a write. */
function kafkaReplication(e: ReturnType<typeof readEnv>): { kafkaReplicationFactor: number; kafkaMinInsyncReplicas: number } {
  const replicas = e.int("KAFKA_REPLICATION_FACTOR", 1, { min: 1, max: 10 });
  const minInsync = e.int("KAFKA_MIN_INSYNC_REPLICAS", Math.max(1, replicas - 1), { min: 1, max: replicas });
  return { kafkaReplicationFactor: replicas, kafkaMinInsyncReplicas: minInsync };
}
