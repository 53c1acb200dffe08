import { ConfigError, LOCAL_CUSTOMER_SECRET, loadPlatformConfig, loadShardMap, readEnv, secretFrom } from "@spgroup/platform";

export function loadOrderConfig(env: Record<string, string | undefined> = process.env) {
  const e = readEnv(env);
  const platform = loadPlatformConfig("order", { port: 8080, databaseUrlVar: "ORDER_DATABASE_URL", databaseUrl: "postgres://postgres:postgres@127.0.0.1:15432/order_db" }, env);
  const customerAuth = customerAuthMode(e.string("CUSTOMER_AUTH", "required"));
  // Without customer tokens (a gateway authenticates) there is no customer secret to demand.
  const customerTokenSecret =
    customerAuth === "required" ? secretFrom(env, platform.deployment, "CUSTOMER_TOKEN_SECRET", LOCAL_CUSTOMER_SECRET, platform.localDefaults) : "";
  // The writers share the pool with the relay, the consumer and the sweeps: leave them room.
  const mostWriters = Math.max(1, platform.databasePoolSize - 2);
  const groupCommitWriters = e.int("ORDER_GROUP_COMMIT_WRITERS", Math.min(4, mostWriters), { min: 1, max: 100 });
  if (groupCommitWriters > mostWriters) {
    throw new ConfigError(`ORDER_GROUP_COMMIT_WRITERS (${groupCommitWriters}) must be at most DATABASE_POOL_SIZE − 2 (${mostWriters})`);
  }
  const groupCommitWindowMs = e.int("ORDER_GROUP_COMMIT_WINDOW_MS", 2, { min: 0, max: 100 });
  const groupCommitMaxWaitMs = e.int("ORDER_GROUP_COMMIT_MAX_WAIT_MS", 1_000, { min: 10, max: 60_000 });
  // An order waits for its window before it may be written: a window as long as the wait bound
  // would refuse every order that arrives alone.
  if (groupCommitWindowMs >= groupCommitMaxWaitMs) {
    throw new ConfigError(`ORDER_GROUP_COMMIT_WINDOW_MS (${groupCommitWindowMs}) must be below ORDER_GROUP_COMMIT_MAX_WAIT_MS (${groupCommitMaxWaitMs})`);
  }
  const watermarkSource = e.string("ORDER_WATERMARK_SOURCE", "order_db");
  const role = orderRole(e.string("ORDER_ROLE", "all"));
  if (role === "edge" && env.OUTBOX_RELAY_ENABLED === "true") {
    throw new ConfigError("OUTBOX_RELAY_ENABLED=true contradicts ORDER_ROLE=edge: an edge runs no relay (an ORDER_ROLE=all instance publishes its orders)");
  }
  return {
    ...platform,
    /**
     * "all": takes orders and runs the background work (outbox relay, payment-result consumer,
     * payment-timeout sweep, key purge, watermarks). "edge": takes orders and answers reads only;
     * at least one "all" instance does the rest for every instance (docs/decisions/017).
     */
    role,
    outboxRelayEnabled: platform.outboxRelayEnabled && role === "all",
    /** An order with no payment result after this long becomes FAILED. */
    paymentTimeoutMs: e.int("ORDER_PAYMENT_TIMEOUT_MS", 60_000, { min: 100 }),
    expirySweepMs: e.int("ORDER_EXPIRY_SWEEP_MS", 1_000, { min: 10 }),
    /**
     * "required": an order needs a customer token whose subject is its customer_id.
     * "trusted-gateway": a gateway in front has authenticated the customer; no token is checked.
     */
    customerAuth,
    customerTokenSecret,
    /** When set, customer tokens must carry it as `iss` (the identity provider's name). */
    customerTokenIssuer: env.CUSTOMER_TOKEN_ISSUER || undefined,
    /** Orders per minute one customer may place (429 beyond): a bot cannot crowd a hot sale. */
    ordersPerCustomerPerMinute: e.int("ORDER_RATE_LIMIT_PER_CUSTOMER_PER_MINUTE", 60, { min: 1 }),
    /** How often the low watermark is published to every partition of orders.completed. */
    watermarkIntervalMs: e.int("ORDER_WATERMARK_INTERVAL_MS", 500, { min: 10 }),
    /** Names the order database in its watermarks when there is one; with ORDER_SHARDS, each shard's name does. */
    watermarkSource,
    /** The order databases (ORDER_SHARDS, ORDER_SHARD_MAP, LOGICAL_SHARDS); one unless sharded. */
    shards: loadShardMap(env, "ORDER", { name: watermarkSource, url: platform.databaseUrl }),
    /** Step 1 of the watermark takes now minus this, covering a transaction not yet in pg_stat_activity. */
    watermarkMarginMs: e.int("ORDER_WATERMARK_MARGIN_MS", 250, { min: 0, max: 60_000 }),
    /**
     * Set on order_db for every session: an idle open transaction cannot hold finality longer.
     * Above the outbox relay's 30 s send bound, during which its transaction waits on Kafka.
     */
    idleInTransactionTimeoutMs: e.int("ORDER_IDLE_IN_TRANSACTION_TIMEOUT_MS", 60_000, { min: 100 }),
    /** The admin read pool (lists, searches, exports): read-only sessions the watermark ignores. */
    adminReadPoolSize: e.int("ORDER_ADMIN_READ_POOL_SIZE", 5, { min: 1, max: 100 }),
    adminReadStatementTimeoutMs: e.int("ORDER_ADMIN_READ_STATEMENT_TIMEOUT_MS", 600_000, { min: 100 }),
    /**
     * Group commit of placed orders: POSTs arriving within this window share one insert statement
     * and one commit (0: only those that arrive while the writers are busy).
     */
    groupCommit: {
      windowMs: groupCommitWindowMs,
      maxBatch: e.int("ORDER_GROUP_COMMIT_MAX_BATCH", 200, { min: 1, max: 5_000 }),
      /** Batches written at once, each on one connection of the pool. */
      maxConcurrent: groupCommitWriters,
      /** An order that waited this long for a writer is refused with 503 + Retry-After (back-pressure). */
      maxWaitMs: groupCommitMaxWaitMs,
    },
    /** An Idempotency-Key is honoured for this long; older keys are purged. */
    idempotencyKeyRetentionMs: e.int("ORDER_IDEMPOTENCY_KEY_RETENTION_MS", 24 * 3600_000, { min: 60_000 }),
    idempotencyKeyPurgeIntervalMs: e.int("ORDER_IDEMPOTENCY_KEY_PURGE_INTERVAL_MS", 60_000, { min: 10 }),
  };
}
export type OrderConfig = ReturnType<typeof loadOrderConfig>;

function orderRole(value: string): "all" | "edge" {
  if (value === "all" || value === "edge") return value;
  throw new ConfigError(`ORDER_ROLE must be all or edge, got ${value}`);
}

function customerAuthMode(value: string): "required" | "trusted-gateway" {
  if (value === "required" || value === "trusted-gateway") return value;
  throw new ConfigError(`CUSTOMER_AUTH must be required or trusted-gateway, got ${value}`);
}
