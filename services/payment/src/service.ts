import { fileURLToPath } from "node:url";
import { TOPICS } from "@spgroup/contracts";
import { bootService, listen, runEvery } from "@spgroup/platform";
import { settleDueRefunds } from "./app/refund-payments.ts";
import type { PaymentConfig } from "./config.ts";
import { countRefundedPayments } from "./db/payments.ts";
import { countPendingRefunds } from "./db/refund-requests.ts";
import { paymentRequestsConsumer } from "./events/payment-requests.ts";
import type { PaymentGateway } from "./gateway/payment-gateway.ts";
import { SimulatedGateway } from "./gateway/simulated-gateway.ts";
import { adminPaymentRoutes } from "./http/admin-routes.ts";

const MIGRATIONS = fileURLToPath(new URL("../migrations", import.meta.url));

/** Boots the payment service: database, Kafka, consumer of orders to charge and refunds to make, HTTP. */
export async function startPaymentService(config: PaymentConfig, gateway: PaymentGateway = new SimulatedGateway(config.gateway)) {
  const runtime = await bootService(config, { migrationsDir: MIGRATIONS, topics: Object.values(TOPICS) });
  // Counted from the table, so exact across batch retries and restarts (REFUNDED is set once).
  runtime.metrics.gauge("payment_refunds_issued", "Payments refunded because their order had FAILED (rows in status REFUNDED)", () => countRefundedPayments(runtime.pool));
  const consumer = paymentRequestsConsumer(runtime, gateway, { deadlineMarginMs: config.deadlineMarginMs, chargeConcurrency: config.chargeConcurrency });
  await consumer.start();
  runtime.metrics.gauge("payment_refunds_pending", "Refunds asked for and not made yet (the gateway refused or failed; retried with back-off)", () => countPendingRefunds(runtime.pool));
  const refundSettings = { topic: runtime.topic(TOPICS.paymentsRefunded), logger: runtime.logger, batchSize: 100 };
  const stopRefunds = runEvery(
    "refunds",
    config.refundPassIntervalMs,
    async () => {
      while ((await settleDueRefunds(runtime.pool, gateway, refundSettings)) >= refundSettings.batchSize) runtime.relay.nudge();
      runtime.relay.nudge();
    },
    runtime.logger,
  );

  const app = await runtime.httpApp({
    name: "Payment service",
    description: "Charges placed orders through the payment gateway, one payment per order",
  });
  adminPaymentRoutes(app, runtime.pool);
  const port = await listen(app, config);
  runtime.logger.info({ port }, "payment service listening");

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
