import { fileURLToPath } from "node:url";
import { TOPICS } from "@spgroup/contracts";
import { bootService, createPool, CustomerAuth, listen, PartitionCounter, purgeOlderThan, runEvery } from "@spgroup/platform";
import type { PaymentResultsContext } from "./app/apply-payment-results.ts";
import { expireUnpaidOrders } from "./app/expire-unpaid-orders.ts";
import { createOrderWriter, type PlaceOrderContext } from "./app/place-order.ts";
import { publishWatermark } from "./app/publish-watermark.ts";
import type { OrderConfig } from "./config.ts";
import { ADMIN_READ_APPLICATION_NAME, limitIdleTransactions, seesAllSessions } from "./db/watermark.ts";
import { paymentCompletedConsumer } from "./events/payment-completed.ts";
import { adminOrderRoutes } from "./http/admin-routes.ts";
import { orderRoutes } from "./http/order-routes.ts";
import { orderTimelineRoutes } from "./http/timeline-routes.ts";

const MIGRATIONS = fileURLToPath(new URL("../migrations", import.meta.url));

/** Boots the order service: database, Kafka, payment-result consumer, timeout sweep, HTTP. */
export async function startOrderService(config: OrderConfig) {
  const runtime = await bootService(config, { migrationsDir: MIGRATIONS, topics: Object.values(TOPICS) });
  if (!(await limitIdleTransactions(runtime.pool, config.idleInTransactionTimeoutMs))) {
    runtime.logger.warn("cannot set idle_in_transaction_session_timeout on the order database (not its owner); set it there, or an idle open transaction holds finality");
  }
  // Admin lists, searches and exports: read-only sessions that the watermark may ignore (db/watermark.ts).
  const adminReads = createPool(config.databaseUrl, config.adminReadPoolSize, ADMIN_READ_APPLICATION_NAME, {
    readOnly: true,
    statementTimeoutMs: config.adminReadStatementTimeoutMs,
    idleInTransactionTimeoutMs: config.idleInTransactionTimeoutMs,
  });
  const ctx: PlaceOrderContext & PaymentResultsContext = {
    pool: runtime.pool,
    relay: runtime.relay,
    topics: { ordersPlaced: runtime.topic(TOPICS.ordersPlaced), ordersCompleted: runtime.topic(TOPICS.ordersCompleted) },
    // OrderPlaced carries created_at + this as its payment deadline (pay_by).
    paymentTimeoutMs: config.paymentTimeoutMs,
    refundTopic: runtime.topic(TOPICS.refundsRequested),
    orderWriter: createOrderWriter(runtime, config.groupCommit, (size) => runtime.metrics.groupCommitBatchSize.observe({ writer: "orders" }, size)),
  };

  const consumer = paymentCompletedConsumer(runtime, ctx);
  await consumer.start();

  const stopSweep = runEvery("payment-timeout sweep", config.expirySweepMs, () => expireUnpaidOrders(ctx, config.paymentTimeoutMs), runtime.logger);
  const completedTopic = ctx.topics.ordersCompleted;
  // Asked again on every tick: a partition added to the topic gets watermarks at once (the
  // campaign service waits for one on every partition it sees).
  const partitionCounter = new PartitionCounter(runtime.kafka);
  const readPartitions = () => partitionCounter.count(completedTopic);
  const watermarkTarget = { topic: completedTopic, partitions: await readPartitions(), readPartitions, source: config.watermarkSource, marginMs: config.watermarkMarginMs };
  // Without sight of every session, step 1 could miss an open transaction and W would be unsafe.
  const publishing = await seesAllSessions(runtime.pool);
  runtime.metrics.gauge("order_watermark_publishing", "1 when watermarks are published; 0 when the database role cannot see every session (no campaign can become FINAL)", () => (publishing ? 1 : 0));
  if (!publishing) runtime.logger.error("NOT publishing watermarks: the order database role is neither superuser nor a member of pg_read_all_stats, so open transactions of other roles are hidden; grant pg_read_all_stats and restart");
  const stopWatermarks = publishing
    ? runEvery("watermark", config.watermarkIntervalMs, () => publishWatermark(runtime.pool, runtime.relay, watermarkTarget), runtime.logger)
    : async () => {};
  const stopKeyPurge = runEvery(
    "idempotency-key purge",
    config.idempotencyKeyPurgeIntervalMs,
    () => purgeOlderThan(runtime.pool, { table: "order_idempotency_keys", column: "created_at", olderThanMs: config.idempotencyKeyRetentionMs }),
    runtime.logger,
  );

  const app = await runtime.httpApp({
    name: "Order service",
    description: "Places orders and tracks them to SUCCESS or FAILED",
  });
  orderRoutes(app, ctx, {
    ordersPerCustomerPerMinute: config.ordersPerCustomerPerMinute,
    customerAuth: config.customerAuth === "required" ? new CustomerAuth(config.customerTokenSecret, config.customerTokenIssuer) : undefined,
    adminAuth: runtime.adminAuth,
  });
  adminOrderRoutes(app, adminReads);
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
      await partitionCounter.close();
      await stopKeyPurge();
      await consumer.stop();
      await adminReads.end();
      await runtime.close();
    },
  };
}
export type OrderService = Awaited<ReturnType<typeof startOrderService>>;
