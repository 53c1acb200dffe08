import { loadPlatformConfig, loadShardMap, readEnv } from "@spgroup/platform";

export function loadPaymentConfig(env: Record<string, string | undefined> = process.env) {
  const e = readEnv(env);
  const platform = loadPlatformConfig("payment", { port: 8081, databaseUrlVar: "PAYMENT_DATABASE_URL", databaseUrl: "postgres://postgres:postgres@127.0.0.1:15432/payment_db" }, env);
  return {
    ...platform,
    /** The payment databases (PAYMENT_SHARDS, PAYMENT_SHARD_MAP, LOGICAL_SHARDS); one unless sharded. */
    shards: loadShardMap(env, "PAYMENT", { name: "payment_db", url: platform.databaseUrl }),
    /**
     * An order is not charged within this margin of its payment deadline (OrderPlaced.pay_by): a
     * charge that starts just before would finish after the order has FAILED, and clocks differ.
     */
    deadlineMarginMs: e.int("PAYMENT_DEADLINE_MARGIN_MS", 2_000, { min: 0, max: 600_000 }),
    /** Gateway charges in flight at once per consumed batch (the batch is charged concurrently, bounded). */
    chargeConcurrency: e.int("PAYMENT_CHARGE_CONCURRENCY", 64, { min: 1, max: 1_000 }),
    /** How often refunds that are due are asked of the gateway (refund_requests). */
    refundPassIntervalMs: e.int("PAYMENT_REFUND_PASS_INTERVAL_MS", 500, { min: 10 }),
    gateway: {
      approvalRatio: e.number("PAYMENT_APPROVAL_RATIO", 0.9, { min: 0, max: 1 }),
      latencyMs: e.int("PAYMENT_LATENCY_MS", 20, { max: 60_000 }),
      declinePrefix: e.string("PAYMENT_DECLINE_PREFIX", "DECLINE"),
      slowPrefix: e.string("PAYMENT_SLOW_PREFIX", "SLOW"),
      slowLatencyMs: e.int("PAYMENT_SLOW_LATENCY_MS", 3_000, { max: 600_000 }),
    },
  };
}
export type PaymentConfig = ReturnType<typeof loadPaymentConfig>;
