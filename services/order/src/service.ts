import { fileURLToPath } from "node:url";
import { TOPICS } from "@spgroup/contracts";
import { bootService, CustomerAuth, listen, partitionCounts, runEvery } from "@spgroup/platform";
import type { PaymentResultsContext } from "./app/apply-payment-results.ts";
import { expireUnpaidOrders } from "./app/expire-unpaid-orders.ts";
import type { PlaceOrderContext } from "./app/place-order.ts";
import { publishWatermark } from "./app/publish-watermark.ts";
import type { OrderConfig } from "./config.ts";
import { paymentCompletedConsumer } from "./events/payment-completed.ts";
import { adminOrderRoutes } from "./http/admin-routes.ts";
import { orderRoutes } from "./http/order-routes.ts";
import { orderTimelineRoutes } from "./http/timeline-routes.ts";

const MIGRATIONS = fileURLToPath(new URL("../migrations", import.meta.url));

/** Boots the order service: database, Kafka, payment-result consumer, timeout sweep, HTTP. */
export async function startOrderService(config: OrderConfig) {
  const runtime = await bootService(config, { migrationsDir: MIGRATIONS, topics: Object.values(TOPICS) });
  const ctx: PlaceOrderContext & PaymentResultsContext = {
    pool: runtime.pool,
    relay: runtime.relay,
    topics: { ordersPlaced: runtime.topic(TOPICS.ordersPlaced), ordersCompleted: runtime.topic(TOPICS.ordersCompleted) },
    // OrderPlaced carries created_at + this as its payment deadline (pay_by).
    paymentTimeoutMs: config.paymentTimeoutMs,
    refundTopic: runtime.topic(TOPICS.refundsRequested),
  };

  const consumer = paymentCompletedConsumer(runtime, ctx);
  await consumer.start();

  const stopSweep = runEvery("payment-timeout sweep", config.expirySweepMs, () => expireUnpaidOrders(ctx, config.paymentTimeoutMs), runtime.logger);
  const completedTopic = ctx.topics.ordersCompleted;
  // Asked again on every tick: a partition added to the topic gets watermarks at once (the
  // campaign service waits for one on every partition it sees).
  const readPartitions = async () => (await partitionCounts(runtime.kafka, [completedTopic])).get(completedTopic) ?? 0;
  const watermarkTarget = { topic: completedTopic, partitions: await readPartitions(), readPartitions, source: config.watermarkSource };
  const stopWatermarks = runEvery("watermark", config.watermarkIntervalMs, () => publishWatermark(runtime.pool, runtime.relay, watermarkTarget), runtime.logger);

  const app = await runtime.httpApp({
    name: "Order service",
    description: "Places orders and tracks them to SUCCESS or FAILED",
  });
  orderRoutes(app, ctx, {
    ordersPerCustomerPerMinute: config.ordersPerCustomerPerMinute,
    customerAuth: config.customerAuth === "required" ? new CustomerAuth(config.customerTokenSecret, config.customerTokenIssuer) : undefined,
    adminAuth: runtime.adminAuth,
  });
  adminOrderRoutes(app, runtime.pool);
  orderTimelineRoutes(app, runtime.pool);
  const port = await listen(app, config);
  runtime.logger.info({ port }, "order service listening");

  return {
    app,
    port,
    runtime,
    async stop() {
      await app.close();
      await stopSweep();
      await stopWatermarks();
      await consumer.stop();
      await runtime.close();
    },
  };
}
export type OrderService = Awaited<ReturnType<typeof startOrderService>>;
