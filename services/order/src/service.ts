import { fileURLToPath } from "node:url";
import { TOPICS } from "@spgroup/contracts";
import { activityRoutes, bootService, deadLetterRoutes, createPool, CustomerAuth, isTransientDatabaseError, listen, PartitionCounter, purgeOlderThan, runEvery, shardRoutes } from "@spgroup/platform";
import type { PaymentResultsContext } from "./app/apply-payment-results.ts";
import { expireUnpaidOrders } from "./app/expire-unpaid-orders.ts";
import { createOrderWriter, type PlaceOrderContext } from "./app/place-order.ts";
import { publishPresence, publishWatermark } from "./app/publish-watermark.ts";
import type { OrderConfig } from "./config.ts";
import { ADMIN_READ_APPLICATION_NAME, limitIdleTransactions, seesAllSessions } from "./db/watermark.ts";
import { paymentCompletedConsumer } from "./events/payment-completed.ts";
import { awaitingPaymentRoutes } from "./http/awaiting-payment-routes.ts";
import { adminOrderRoutes } from "./http/admin-routes.ts";
import { orderRoutes } from "./http/order-routes.ts";
import { orderTimelineRoutes } from "./http/timeline-routes.ts";
import { findOperatorCredentials } from "./db/operators.ts";
import { operatorRoutes } from "./http/operator-routes.ts";

const MIGRATIONS = fileURLToPath(new URL("../migrations", import.meta.url));

/** Boots the order service: database, Kafka, payment-result consumer, timeout sweep, HTTP. */
export async function startOrderService(config: OrderConfig) {
  const runtime = await bootService(config, { migrationsDir: MIGRATIONS, topics: Object.values(TOPICS), shards: config.shards });
  for (const shard of runtime.shards.all) {
    // A shard not reached yet (down at start) gets it at the next start; the setting is the database's default.
    const limited = await limitIdleTransactions(shard.pool, config.idleInTransactionTimeoutMs).catch((error: unknown) => {
      if (!isTransientDatabaseError(error)) throw error;
      runtime.logger.warn({ database: shard.name }, "order database unreachable: idle_in_transaction_session_timeout not checked");
      return true;
    });
    if (!limited) {
      runtime.logger.warn({ database: shard.name }, "cannot set idle_in_transaction_session_timeout on the order database (not its owner); set it there, or an idle open transaction holds finality");
    }
  }
  // Admin lists, searches and exports: read-only sessions that the watermark may ignore (db/watermark.ts).
  const adminReads = runtime.shards.map((shard) =>
    createPool(shard.url, config.adminReadPoolSize, ADMIN_READ_APPLICATION_NAME, {
      readOnly: true,
      statementTimeoutMs: config.adminReadStatementTimeoutMs,
      idleInTransactionTimeoutMs: config.idleInTransactionTimeoutMs,
    }),
  );
  const topics = { ordersPlaced: runtime.topic(TOPICS.ordersPlaced), ordersCompleted: runtime.topic(TOPICS.ordersCompleted) };
  // One context per order database: an order is written, paid, expired and watermarked in its
  // customer's shard, with that shard's outbox and relay.
  const shards = runtime.shards.map(
    (shard): PlaceOrderContext & PaymentResultsContext => ({
      pool: shard.pool,
      relay: shard.relay,
      topics,
      // OrderPlaced carries created_at + this as its payment deadline (pay_by).
      paymentTimeoutMs: config.paymentTimeoutMs,
      refundTopic: runtime.topic(TOPICS.refundsRequested),
      orderWriter: createOrderWriter(shard, config.groupCommit, (size) => runtime.metrics.groupCommitBatchSize.observe({ writer: "orders" }, size)),
      logicalShardOf: (customerId) => runtime.shards.logicalOf(customerId),
    }),
  );

  // The consumer applies each result in its customer's shard (the client it is given); the
  // context only names the topics.
  // An edge instance leaves all of it to the "all" instances: fewer database sessions and
  // transactions per order, and one consumer batch for what six would split (decision 017).
  const background = config.role === "all";
  const consumer = background ? paymentCompletedConsumer(runtime, shards.all[0] as PaymentResultsContext) : undefined;
  await consumer?.start();

  const stopSweep = background
    ? runEvery("payment-timeout sweep", config.expirySweepMs, () => Promise.all(shards.all.map((ctx) => expireUnpaidOrders(ctx, config.paymentTimeoutMs))), runtime.logger)
    : async () => {};
  // Asked again on every tick: a partition added to the topic gets watermarks at once (the
  // campaign service waits for one on every partition it sees).
  const partitionCounter = new PartitionCounter(runtime.kafka);
  const readPartitions = () => partitionCounter.count(topics.ordersCompleted);
  const partitions = await readPartitions();
  // Each order database publishes its own watermark, named by the shard: the campaign waits for
  // every shard's on every partition (CAMPAIGN_WATERMARK_SOURCES).
  const watermarks = new Map<string, string>();
  const stopWatermarks: (() => Promise<void>)[] = [];
  let publishing = true;
  // Edges publish none: the "all" instances do, for the whole database (decision 017).
  for (const [index, shard] of (background ? runtime.shards.all : []).entries()) {
    const target = { topic: topics.ordersCompleted, partitions, readPartitions, source: shard.name, marginMs: config.watermarkMarginMs };
    // A database that cannot publish a real watermark only says it exists (a watermark before
    // every window): the campaign then waits for it instead of not knowing it.
    // - One that holds no logical shard yet (being added): a real watermark now would be kept by
    //   the campaign (never lowered) and, once moved orders awaiting payment arrive in it, would
    //   claim they were settled (docs/scaling.md, moving a shard).
    // - One whose role cannot see every session: step 1 could miss an open transaction.
    // Whether the role sees every session is asked on the first round the database answers (it
    // may be down at start).
    const owns = runtime.shards.logicalOwnedBy(index).length > 0;
    if (!owns) runtime.logger.info({ database: shard.name }, "holds no logical shard: publishes only its presence, no watermark");
    let sees: boolean | undefined = owns ? undefined : false;
    let round = 0;
    stopWatermarks.push(
      runEvery(
        `watermark ${shard.name}`,
        config.watermarkIntervalMs,
        async () => {
          if (sees === undefined) {
            sees = await seesAllSessions(shard.pool);
            if (!sees) {
              publishing = false;
              runtime.logger.error({ database: shard.name }, "NOT publishing watermarks: the order database role is neither superuser nor a member of pg_read_all_stats, so open transactions of other roles are hidden; grant pg_read_all_stats and restart");
            }
          }
          if (!sees) {
            if (round++ % 20 === 0) await publishPresence(shard.pool, shard.relay, target);
            return;
          }
          const w = await publishWatermark(shard.pool, shard.relay, target);
          if (w) watermarks.set(shard.name, w);
        },
        runtime.logger,
      ),
    );
  }
  runtime.metrics.gauge("order_watermark_publishing", "1 when every order database publishes watermarks; 0 when a database role cannot see every session (no campaign can become FINAL)", () => (publishing ? 1 : 0));
  const stopKeyPurge = !background ? async () => {} : runEvery(
    "idempotency-key purge",
    config.idempotencyKeyPurgeIntervalMs,
    () => Promise.all(runtime.shards.all.map((shard) => purgeOlderThan(shard.pool, { table: "order_idempotency_keys", column: "created_at", olderThanMs: config.idempotencyKeyRetentionMs }))),
    runtime.logger,
  );

  const app = await runtime.httpApp({
    name: "Order service",
    description: "Places orders and tracks them to SUCCESS or FAILED",
  });
  orderRoutes(app, shards, {
    ordersPerCustomerPerMinute: config.ordersPerCustomerPerMinute,
    customerAuth: config.customerAuth === "required" ? new CustomerAuth(config.customerTokenSecret, config.customerTokenIssuer) : undefined,
    adminAuth: runtime.adminAuth,
  });
  adminOrderRoutes(app, adminReads);
  orderTimelineRoutes(app, runtime.shards.map((shard) => shard.pool));
  // Operators beyond the configured admin sign in from the first order database (any service verifies their tokens).
  runtime.adminAuth.useDirectory({ find: (username) => findOperatorCredentials(runtime.pool, username) });
  operatorRoutes(app, runtime.pool, config.admin.username);
  activityRoutes(app, runtime.pool, "/api/admin/v1/ops/activity");
  shardRoutes(app, adminReads, { path: "/api/admin/v1/ops/shards", table: "orders", names: runtime.shards.all.map((s) => s.name), watermarkOf: (name) => watermarks.get(name) });
  // Every topic's dead letters, whichever service wrote them: the console's one place for them.
  deadLetterRoutes(app, runtime.pool, { kafka: runtime.kafka, topics: Object.values(TOPICS).map((t) => runtime.topic(t)), nudge: () => runtime.relay.nudge(), partitionsOf: (topic) => partitionCounter.count(topic) });
  awaitingPaymentRoutes(app, adminReads, { names: runtime.shards.all.map((s) => s.name), paymentTimeoutMs: config.paymentTimeoutMs, watermarkOf: (name) => watermarks.get(name) });
  // Sizes and backlog on the admin read pools: their sessions never hold a watermark.
  runtime.systemRoutes(app, "/api/admin/v1/ops/system", adminReads.all);
  const port = await listen(app, config);
  runtime.logger.info({ port, role: config.role, shards: runtime.shards.all.map((s) => s.name) }, "order service listening");

  return {
    app,
    port,
    runtime,
    async stop() {
      await app.close();
      await stopSweep();
      for (const stop of stopWatermarks) await stop();
      await partitionCounter.close();
      await stopKeyPurge();
      await consumer?.stop();
      await Promise.all(adminReads.all.map((pool) => pool.end()));
      await runtime.close();
    },
  };
}
export type OrderService = Awaited<ReturnType<typeof startOrderService>>;
