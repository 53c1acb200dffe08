import { loadPlatformConfig, readEnv } from "@spgroup/platform";

export function loadPaymentConfig(env: Record<string, string | undefined> = process.env) {
  const e = readEnv(env);
  return {
    ...loadPlatformConfig("payment", { port: 8081, databaseUrlVar: "PAYMENT_DATABASE_URL", databaseUrl: "postgres://postgres@127.0.0.1:15432/payment_db" }, env),
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
