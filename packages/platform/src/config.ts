// Every environment variable the platform reads, in one place. Services add their own keys through
// `readEnv` in their src/config.ts; the README lists them all.
export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

export function readEnv(env: Env = process.env) {
  return {
    string(name: string, fallback?: string): string {
      const value = env[name];
      if (value !== undefined && value !== "") return value;
      if (fallback !== undefined) return fallback;
      throw new ConfigError(`missing required environment variable ${name}`);
    },
    int(name: string, fallback: number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number {
      const raw = env[name];
      if (raw === undefined || raw === "") return fallback;
      const value = Number(raw);
      if (!Number.isInteger(value) || value < min || value > max) {
        throw new ConfigError(`${name} must be an integer in [${min}, ${max}], got ${raw}`);
      }
      return value;
    },
    number(name: string, fallback: number, { min = -Infinity, max = Infinity } = {}): number {
      const raw = env[name];
      if (raw === undefined || raw === "") return fallback;
      const value = Number(raw);
      if (!Number.isFinite(value) || value < min || value > max) {
        throw new ConfigError(`${name} must be a number in [${min}, ${max}], got ${raw}`);
      }
      return value;
    },
    bool(name: string, fallback: boolean): boolean {
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

export interface PlatformConfig {
  serviceName: string;
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
  logLevel: string;
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
  admin: AdminAuthConfig;
}

export interface AdminAuthConfig {
  /** HMAC key that signs and verifies operator session tokens; shared by every service. */
  tokenSecret: string;
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
  return {
    serviceName,
    host: e.string("HOST", "0.0.0.0"),
    port: e.int("PORT", defaults.port, { max: 65535 }),
    httpReusePort: e.bool("HTTP_REUSE_PORT", false),
    httpKeepAliveTimeoutMs: e.int("HTTP_KEEP_ALIVE_TIMEOUT_MS", 65_000, { min: 1_000 }),
    corsOrigins: e.string("CORS_ORIGINS", "http://localhost:3000").split(",").map((o) => o.trim()),
    rateLimitPerClientPerMinute: e.int("RATE_LIMIT_PER_CLIENT_PER_MINUTE", 20_000, { min: 1 }),
    logLevel: e.string("LOG_LEVEL", "info"),
    databaseUrl: e.string(defaults.databaseUrlVar, defaults.databaseUrl),
    databasePoolSize: e.int("DATABASE_POOL_SIZE", 20, { min: 1, max: 500 }),
    kafkaBrokers: e.string("KAFKA_BROKERS", "127.0.0.1:19092").split(",").map((b) => b.trim()),
    kafkaTopicPrefix: e.string("KAFKA_TOPIC_PREFIX", ""),
    kafkaPartitions: e.int("KAFKA_PARTITIONS", 6, { min: 1, max: 1000 }),
    ...kafkaReplication(e),
    kafkaGroupInstanceId: env.KAFKA_GROUP_INSTANCE_ID || undefined,
    kafkaSessionTimeoutMs: e.int("KAFKA_SESSION_TIMEOUT_MS", 20_000, { min: 6_000, max: 300_000 }),
    outboxRelayEnabled: e.bool("OUTBOX_RELAY_ENABLED", true),
    admin: {
      tokenSecret: e.string("ADMIN_TOKEN_SECRET", LOCAL_ADMIN_SECRET),
      tokenTtlSeconds: e.int("ADMIN_TOKEN_TTL_SECONDS", 8 * 3600, { min: 60 }),
      username: e.string("ADMIN_USERNAME", "admin"),
      passwordHash: env.ADMIN_PASSWORD_HASH || undefined,
      password: env.ADMIN_PASSWORD || (env.ADMIN_PASSWORD_HASH ? undefined : "admin"),
    },
  };
}

/** Replication factor 1 (one broker) or, on a cluster, N replicas of which N-1 must acknowledge a write. */
function kafkaReplication(e: ReturnType<typeof readEnv>): { kafkaReplicationFactor: number; kafkaMinInsyncReplicas: number } {
  const replicas = e.int("KAFKA_REPLICATION_FACTOR", 1, { min: 1, max: 10 });
  const minInsync = e.int("KAFKA_MIN_INSYNC_REPLICAS", Math.max(1, replicas - 1), { min: 1, max: replicas });
  return { kafkaReplicationFactor: replicas, kafkaMinInsyncReplicas: minInsync };
}
