import { fileURLToPath } from "node:url";
import { TOPICS } from "@spgroup/contracts";
import { bootService, listen, PartitionCounter, runEvery } from "@spgroup/platform";
import type { CampaignContext } from "./app/context.ts";
import { finalizeDueCampaigns } from "./app/finalize-campaigns.ts";
import type { CampaignConfig } from "./config.ts";
import { ordersCompletedConsumer } from "./events/orders-completed.ts";
import { campaignRoutes } from "./http/campaign-routes.ts";
import { StandingsStream } from "./http/standings-stream.ts";

const MIGRATIONS = fileURLToPath(new URL("../migrations", import.meta.url));

/** Boots the campaign service: database, orders.completed consumer, finaliser, HTTP and the live stream. */
export async function startCampaignService(config: CampaignConfig) {
  const runtime = await bootService(config, { migrationsDir: MIGRATIONS, topics: Object.values(TOPICS) });
  const completedTopic = runtime.topic(TOPICS.ordersCompleted);
  const partitionCounter = new PartitionCounter(runtime.kafka);
  const readPartitions = () => partitionCounter.count(completedTopic);
  const ctx: CampaignContext = {
    pool: runtime.pool,
    completedTopic,
    partitions: await readPartitions(),
    // Each finalize pass asks the broker again: a partition added while running is required at once.
    readPartitions: async () => {
      const partitions = await readPartitions();
      if (partitions > ctx.partitions) runtime.logger.warn({ topic: completedTopic, from: ctx.partitions, to: partitions }, "orders.completed gained partitions; finality now waits for a watermark on each");
      return partitions;
    },
    watermarkSources: config.watermarkSources,
  };
  const finalize = async () => {
    const done = await finalizeDueCampaigns(ctx);
    if (done.length > 0) runtime.logger.info({ campaigns: done }, "campaign winners are FINAL");
  };
  const consumer = ordersCompletedConsumer(runtime);
  await consumer.start();
  const stopFinalizer = runEvery("finalize campaigns", config.finalizeIntervalMs, finalize, runtime.logger);

  const stream = new StandingsStream(runtime.pool, ctx, runtime.logger);
  stream.start(config.databaseUrl);
  const app = await runtime.httpApp({
    name: "Campaign service",
    description: "The iPhone hot-sale giveaway: live standings and provably fair final winners",
  });
  campaignRoutes(app, ctx);
  stream.register(app);
  runtime.systemRoutes(app, "/api/admin/v1/campaigns/system");
  const port = await listen(app, config);
  runtime.logger.info({ port, partitions: ctx.partitions }, "campaign service listening");

  return {
    app,
    port,
    runtime,
    ctx,
    async stop() {
      await stream.stop();
      await app.close();
      await stopFinalizer();
      await consumer.stop();
      await partitionCounter.close();
      await runtime.close();
    },
  };
}
export type CampaignService = Awaited<ReturnType<typeof startCampaignService>>;
