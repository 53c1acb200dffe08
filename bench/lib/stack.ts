import { setTimeout as sleep } from "node:timers/promises";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { localStackEnv, ROOT, type ServiceProcess, spawnService, startInfrastructureProcess } from "@spgroup/infra";
import { loadShardMap } from "@spgroup/platform";
import pg from "pg";

export const BENCH_DATA = join(ROOT, ".data", "bench");
/** Kafka node n (1-based) of a three-node cluster listens on kafkaPort + 2(n-1), its controller on kafkaControllerPort + 2(n-1). */
export const BENCH_PORTS = { postgresPort: 15462, kafkaPort: 19392, kafkaControllerPort: 19393 } as const;

export type BenchStack = Awaited<ReturnType<typeof startBenchStack>>;

/** A fresh stack of its own for one benchmark run: infrastructure plus service processes. */
/**
 * orderInstances: order-service processes sharing port 18080 (SO_REUSEPORT when more than one).
 * Without workerInstances each of them does everything (ORDER_ROLE=all). With workerInstances,
 * they are edges that only take orders (ORDER_ROLE=edge), and that many more order-service
 * processes, each on a port of its own that customers do not use (18090, 18091, …), do the
 * background work: relay, payment-result consumer, sweeps (decision 017).
 */
export async function startBenchStack(env: Record<string, string>, options: { orderInstances?: number; workerInstances?: number; campaign?: boolean; kafkaNodes?: 1 | 3; shards?: number } = {}) {
  const dataDir = BENCH_DATA;
  await rm(dataDir, { recursive: true, force: true });
  const infrastructure = await startInfrastructureProcess({ dataDir, ...BENCH_PORTS, kafkaNodes: options.kafkaNodes ?? 1, shards: options.shards ?? 1 });
  const base = localStackEnv(infrastructure, { LOG_LEVEL: "warn", ...env });
  const services: ServiceProcess[] = [];
  const logs = join(dataDir, "logs");
  try {
    const orderInstances = options.orderInstances ?? 1;
    const workers = options.workerInstances ?? 0;
    for (let i = 0; i < workers; i++) {
      const instance = { PORT: String(18090 + i), KAFKA_GROUP_INSTANCE_ID: `order-worker-${i}`, ORDER_ROLE: "all" };
      services.push(await spawnService("order", { ...base, ...instance }, join(logs, `order-worker-${i}.log`)));
    }
    for (let i = 0; i < orderInstances; i++) {
      const instance = { PORT: "18080", KAFKA_GROUP_INSTANCE_ID: `order-${i}`, ORDER_ROLE: workers > 0 ? "edge" : "all", ...(orderInstances > 1 ? { HTTP_REUSE_PORT: "true" } : {}) };
      services.push(await spawnService("order", { ...base, ...instance }, join(logs, `order-${i}.log`)));
    }
    services.push(await spawnService("payment", { ...base, PORT: "18081", KAFKA_GROUP_INSTANCE_ID: "payment-0" }, join(logs, "payment.log")));
    if (options.campaign) services.push(await spawnService("campaign", { ...base, PORT: "18082", KAFKA_GROUP_INSTANCE_ID: "campaign-0" }, join(logs, "campaign.log")));
    // Instances sharing a port answer each other's health checks: one that failed to start would
    // go unnoticed and the run would measure fewer processes than it says (seen: three of six).
    await sleep(2_000);
    const dead = services.filter((s) => s.child.exitCode !== null || s.child.signalCode !== null);
    if (dead.length > 0) throw new Error(`service processes exited after start: ${dead.map((s) => `${s.name} on port ${s.port}`).join(", ")}; see ${logs}`);
  } catch (error) {
    await Promise.allSettled(services.map((s) => s.stop()));
    await infrastructure.stop();
    throw error;
  }
  return {
    infrastructure,
    services,
    orderUrl: "http://127.0.0.1:18080",
    campaignUrl: "http://127.0.0.1:18082",
    orderDbUrl: base.ORDER_DATABASE_URL as string,
    /** Every order database (one per shard; the one database when not sharded). */
    orderDbUrls: loadShardMap(base, "ORDER", { name: "order_db", url: base.ORDER_DATABASE_URL as string }).databases.map((d) => d.url),
    paymentDbUrls: loadShardMap(base, "PAYMENT", { name: "payment_db", url: base.PAYMENT_DATABASE_URL as string }).databases.map((d) => d.url),
    paymentDbUrl: base.PAYMENT_DATABASE_URL as string,
    campaignDbUrl: base.CAMPAIGN_DATABASE_URL as string,
    kafkaBrokers: infrastructure.kafkaBrokers,
    /** The environment the service processes were started with (to restart one). */
    env: base,
    async stop() {
      await Promise.allSettled(services.map((s) => s.stop()));
      await infrastructure.stop();
    },
  };
}

/** Pools on every shard's database, queried together: rows of all, or a number summed over all. */
export function shardPools(urls: readonly string[]) {
  const pools = urls.map((url) => new pg.Pool({ connectionString: url, max: 2 }));
  const rows = async (sql: string, params: unknown[] = []) => (await Promise.all(pools.map((p) => p.query(sql, params)))).flatMap((r) => r.rows);
  return {
    rows,
    /** The sum over every database of the single number `sql` answers (column n). */
    sum: async (sql: string, params: unknown[] = []) => (await rows(sql, params)).reduce((total, r) => total + Number(r.n ?? 0), 0),
    end: () => Promise.all(pools.map((p) => p.end())),
  };
}
