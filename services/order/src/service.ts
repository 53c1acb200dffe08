import { fileURLToPath } from "node:url";
import { TOPICS } from "@spgroup/contracts";
import { bootService, createHttpApp } from "@spgroup/platform";
import type { OrderContext } from "./app/context.ts";
import { expireUnpaidOrders } from "./app/expire-unpaid-orders.ts";
import type { OrderConfig } from "./config.ts";
import { paymentCompletedConsumer } from "./events/payment-completed.ts";
import { adminOrderRoutes } from "./http/admin-routes.ts";
import { orderRoutes } from "./http/order-routes.ts";

const MIGRATIONS = fileURLToPath(new URL("../migrations", import.meta.url));

/** Boots the order service: database, Kafka, payment-result consumer, timeout sweep, HTTP. */
export async function startOrderService(config: OrderConfig) {
  const runtime = await bootService(config, { migrationsDir: MIGRATIONS, topics: Object.values(TOPICS) });
  const ctx: OrderContext = {
    pool: runtime.pool,
    relay: runtime.relay,
    topics: { ordersPlaced: runtime.topic(TOPICS.ordersPlaced), ordersCompleted: runtime.topic(TOPICS.ordersCompleted) },
  };

  const consumer = paymentCompletedConsumer(runtime, ctx);
  await consumer.start();

  let sweeping = true;
  const sweep = (async () => {
    while (sweeping) {
      try {
        await expireUnpaidOrders(ctx, config.paymentTimeoutMs);
      } catch (error) {
        runtime.logger.error({ err: error }, "payment-timeout sweep failed");
      }
      await new Promise((resolve) => setTimeout(resolve, config.expirySweepMs));
    }
  })();

  const app = await createHttpApp({
    name: "Order service",
    description: "Places orders and tracks them to SUCCESS or FAILED",
    logger: runtime.logger,
    metrics: runtime.metrics,
    adminAuth: runtime.adminAuth,
    readiness: runtime.readiness,
  });
  orderRoutes(app, ctx);
  adminOrderRoutes(app, runtime.pool);
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  runtime.logger.info({ port }, "order service listening");

  return {
    app,
    port,
    runtime,
    async stop() {
      await app.close();
      sweeping = false;
      await sweep;
      await consumer.stop();
      await runtime.close();
    },
  };
}
export type OrderService = Awaited<ReturnType<typeof startOrderService>>;
