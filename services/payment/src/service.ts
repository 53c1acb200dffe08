import { fileURLToPath } from "node:url";
import { TOPICS } from "@spgroup/contracts";
import { activityRoutes, bootService, listen, type Pool, runEvery, shardRoutes } from "@spgroup/platform";
import { settleDueRefunds } from "./app/refund-payments.ts";
import type { PaymentConfig } from "./config.ts";
import { countRefundedPayments } from "./db/payments.ts";
import { countPendingRefunds } from "./db/refund-requests.ts";
import { paymentRequestsConsumer } from "./events/payment-requests.ts";
import type { PaymentGateway } from "./gateway/payment-gateway.ts";
import { SimulatedGateway } from "./gateway/simulated-gateway.ts";
import { adminPaymentRoutes } from "./http/admin-routes.ts";
import { refundRoutes } from "./http/refund-routes.ts";

const MIGRATIONS = fileURLToPath(new URL("../migrations", import.meta.url));

/** Boots the payment service: database, Kafka, consumer of orders to charge and refunds to make, HTTP. */
export async function startPaymentService(config: PaymentConfig, gateway: PaymentGateway = new SimulatedGateway(config.gateway)) {
  const runtime = await bootService(config, { migrationsDir: MIGRATIONS, topics: Object.values(TOPICS), shards: config.shards });
  const pools = runtime.shards.map((shard) => shard.pool);
  const total = async (count: (pool: Pool) => Promise<number>) => (await Promise.all(pools.all.map(count))).reduce((sum, n) => sum + n, 0);
  // Counted from the table, so exact across batch retries and restarts (REFUNDED is set once).
  runtime.metrics.gauge("payment_refunds_issued", "Payments refunded because their order had FAILED (rows in status REFUNDED)", () => total(countRefundedPayments));
  const consumer = paymentRequestsConsumer(runtime, gateway, {
    deadlineMarginMs: config.deadlineMarginMs,
    chargeConcurrency: config.chargeConcurrency,
    logicalShardOf: (customerId) => runtime.shards.logicalOf(customerId),
  });
  await consumer.start();
  runtime.metrics.gauge("payment_refunds_pending", "Refunds asked for and not made yet (the gateway refused or failed; retried with back-off)", () => total(countPendingRefunds));
  const refundSettings = { topic: runtime.topic(TOPICS.paymentsRefunded), logger: runtime.logger, batchSize: 100 };
  const stopRefunds = runEvery(
    "refunds",
    config.refundPassIntervalMs,
    () =>
      Promise.all(
        runtime.shards.all.map(async (shard) => {
          while ((await settleDueRefunds(shard.pool, gateway, refundSettings)) >= refundSettings.batchSize) shard.relay.nudge();
          shard.relay.nudge();
        }),
      ),
    runtime.logger,
  );

  const app = await runtime.httpApp({
    name: "Payment service",
    description: "Charges placed orders through the payment gateway, one payment per order",
  });
  adminPaymentRoutes(app, pools);
  // Under /payments: the order service answers /api/admin/v1/ops/shards (the portal routes by prefix).
  shardRoutes(app, pools, { path: "/api/admin/v1/payments/shards", table: "payments", names: runtime.shards.all.map((s) => s.name) });
  refundRoutes(app, runtime.shards.map((shard) => ({ pool: shard.pool, nudge: () => shard.relay.nudge() })), gateway, refundSettings);
  activityRoutes(app, pools.all, "/api/admin/v1/payments/activity");
  runtime.systemRoutes(app, "/api/admin/v1/payments/system");
  const port = await listen(app, config);
  runtime.logger.info({ port, shards: runtime.shards.all.map((s) => s.name) }, "payment service listening");

  return {
    app,
    port,
    runtime,
    async stop() {
      await app.close();
      await stopRefunds();
      await consumer.stop();
      await runtime.close();
    },
  };
}
export type PaymentService = Awaited<ReturnType<typeof startPaymentService>>;
