import { fileURLToPath } from "node:url";
import type pg from "pg";
import { ConfigError, isLoopbackHost, type PlatformConfig } from "./config.ts";
import { migrate } from "./db/migrate.ts";
import { createPool, ensureDatabase, holdPool, releasePool } from "./db/pool.ts";
import { isUnreachableDatabaseError } from "./db/errors.ts";
import { purgeInbox } from "./db/retention.ts";
import { checkCollations, checkOwnership } from "./db/shard-ownership.ts";
import { type ShardDatabase, type ShardMap, Shards } from "./db/shards.ts";
import { AdminAuth } from "./http/admin-auth.ts";
import { type KafkaSettings, createProducer, ensureTopics, topicName } from "./kafka/client.ts";
import { createHttpApp, type HttpApp } from "./http/app.ts";
import { systemRoutes } from "./http/system-routes.ts";
import { type ConsumedEvent, type DeadLetter, deadLetterTopic, EventConsumer } from "./kafka/consumer.ts";
import { OutboxRelay, outboxBacklog } from "./kafka/outbox.ts";
import { createLogger, type Logger } from "./logger.ts";
import { createMetrics, type Metrics } from "./metrics.ts";
import { runEvery } from "./schedule.ts";
import { DeadlineExceeded, withDeadline } from "./timing.ts";

const PLATFORM_MIGRATIONS = fileURLToPath(new URL("../migrations", import.meta.url));

/** One database of a sharded service, with its own outbox and relay. */
export interface ShardRuntime {
  name: string;
  url: string;
  pool: pg.Pool;
  relay: OutboxRelay;
}

/** What every service has once booted: its database (migrated), Kafka producer and outbox relay. */
export interface ServiceRuntime {
  config: PlatformConfig;
  logger: Logger;
  metrics: Metrics;
  /** The service's database; with shards, the first shard's (a sharded service uses `shards`). */
  pool: pg.Pool;
  kafka: KafkaSettings;
  relay: OutboxRelay;
  /** Every database of the service (one unless it is sharded), each migrated, with its own relay. */
  shards: Shards<ShardRuntime>;
  adminAuth: AdminAuth;
  /** The full (prefixed) name of a topic. */
  topic: (name: string) => string;
  /** Database and broker reachability, for /ready. */
  readiness: () => Promise<Record<string, boolean>>;
  /** The service's HTTP app with the platform's plumbing, configured from the environment. */
  httpApp: (meta: { name: string; description: string }) => Promise<HttpApp>;
  /** Registers GET `path`: this instance's health for the operators' System page (sizes read on `readPools` when given). */
  systemRoutes: (app: HttpApp, path: string, readPools?: readonly pg.Pool[]) => void;
  /** A consumer of `topics` for this service's group, exactly once in effect (inbox). */
  consumer: <E extends { event_id: string }>(spec: ConsumerSpec<E>) => EventConsumer<E>;
  /** The consumers made by `consumer` so far; /ready is false while any of them is not consuming. */
  readonly consumers: readonly EventConsumer<{ event_id: string }>[];
  close: () => Promise<void>;
}

export interface ConsumerSpec<E extends { event_id: string }> {
  /** Topic names as in contracts; the deployment's prefix is applied here. */
  topics: string[];
  /** Validates a message value; `topic` is the topic's name as in contracts (without the prefix). */
  decode: (value: unknown, topic: string) => { ok: true; value: E } | { ok: false; errors: string[] };
  handle: (client: pg.PoolClient, events: ConsumedEvent<E>[]) => Promise<void>;
  /**
   * Sharded services: the customer an event belongs to. Each batch is split by shard and each part
   * applied (with its inbox rows) in its shard's database; unset, everything goes to the one pool.
   */
  customerOf?: (event: E) => string;
  /** Called in the transaction that dead-letters an event of these topics (see EventConsumerOptions). */
  onDeadLetter?: (client: pg.PoolClient, letter: DeadLetter) => Promise<void>;
}

export async function bootService(config: PlatformConfig, options: { migrationsDir: string; topics: string[]; shards?: ShardMap }): Promise<ServiceRuntime> {
  const logger = createLogger(config.serviceName, config.logLevel, config.logFile);
  // The public defaults are tolerable only where nobody else can connect: refuse them on any
  // address but loopback (a forgotten DEPLOYMENT=production behind a proxy or a 0.0.0.0 bind).
  if (config.localDefaults.length > 0 && !isLoopbackHost(config.host)) {
    throw new ConfigError(
      `refusing to listen on ${config.host} with the public local defaults for ${config.localDefaults.join(", ")}: set them (and DEPLOYMENT=production), or listen on 127.0.0.1`,
    );
  }
  if (config.localDefaults.length > 0) {
    logger.warn({ variables: config.localDefaults }, "using the public local defaults for these secrets: fine on a developer's machine, refused with DEPLOYMENT=production");
  }
  const metrics = createMetrics(config.serviceName);
  const map: ShardMap = options.shards ?? { logicalShards: 1, databases: [{ name: config.serviceName, url: config.databaseUrl }], owner: [0] };
  const pools = map.databases.map((database) => createPool(database.url, config.databasePoolSize, config.serviceName));
  const migrations = [
    { name: "platform", dir: PLATFORM_MIGRATIONS },
    { name: config.serviceName, dir: options.migrationsDir },
  ];
  /** Migrates one database, through `via` (a short-lived pool while `pools[i]` is held). */
  const migrateOne = async (index: number, via: pg.Pool) => {
    const applied = await migrate(via, migrations);
    if (applied.length > 0) logger.info({ applied, database: map.databases[index]?.name }, "migrations applied");
  };
  // With shards, a database whose server cannot be reached at start does not stop the service:
  // the other databases' customers are served, and it is brought up (migrated, checked) once it
  // answers; until then its pool refuses at once. Only reaching the server is bounded and
  // forgiven: a migration is waited for, and any other failure (a migration that fails, a refused
  // login) stops the start, as before. One database alone must be reachable, as before.
  const sharded = options.shards !== undefined && map.databases.length > 1;
  /** Creates the database if missing; bounded with shards, where its server may not answer at all. */
  const reach = (database: ShardDatabase) =>
    sharded ? withDeadline(ensureDatabase(database.url), 15_000, `reaching database ${database.name}`) : ensureDatabase(database.url);
  const pending = new Set<number>();
  for (const [index, database] of map.databases.entries()) {
    try {
      await reach(database);
    } catch (error) {
      if (!sharded || !(isUnreachableDatabaseError(error) || error instanceof DeadlineExceeded)) throw error;
      pending.add(index);
      logger.error({ err: error, database: database.name }, "database unreachable at start: its customers are refused until it answers");
      continue;
    }
    await migrateOne(index, pools[index] as pg.Pool);
  }
  if (pending.size === map.databases.length) throw new Error("no database of this service can be reached");
  if (options.shards) {
    // Every check that only reads comes before the ownership records are written.
    const reachable = pools.map((p, index) => (pending.has(index) ? undefined : p));
    await checkCollations(reachable, options.shards);
    await checkOwnership(reachable, options.shards);
  }
  for (const index of pending) holdPool(pools[index] as pg.Pool, `database ${map.databases[index]?.name} has not been reached since this process started`);
  const stopBringUp = runEvery(
    "bring up unreachable databases",
    5_000,
    async () => {
      // Each database on its own: one still down (or refused) does not keep the next one held.
      for (const index of pending) {
        const database = map.databases[index] as ShardDatabase;
        const via = createPool(database.url, 2, config.serviceName);
        try {
          await reach(database);
          await migrateOne(index, via);
          if (options.shards) {
            const others = pools.findIndex((_, i) => !pending.has(i));
            await checkCollations(
              pools.map((p, i) => (i === index ? via : i === others ? p : undefined)),
              options.shards,
            );
            await checkOwnership(
              pools.map((_, i) => (i === index ? via : undefined)),
              options.shards,
            );
          }
          pending.delete(index);
          releasePool(pools[index] as pg.Pool);
          logger.info({ database: database.name }, "database reached and brought up: its customers are served again");
        } catch (error) {
          if (error instanceof ConfigError) {
            // Reached but refused (ownership, collation): it stays held, said once, not retried.
            pending.delete(index);
            holdPool(pools[index] as pg.Pool, `database ${database.name} was refused: ${error.message}`);
            logger.error({ err: error, database: database.name }, "database reached but refused: its customers stay refused until the configuration is corrected and the service restarted");
          } else {
            logger.warn({ err: error, database: database.name }, "database still unreachable");
          }
        } finally {
          await via.end();
        }
      }
    },
    logger,
  );
  const pool = pools[0] as pg.Pool;

  const kafka: KafkaSettings = { brokers: config.kafkaBrokers, clientId: config.serviceName, topicPrefix: config.kafkaTopicPrefix, metrics: metrics.kafkaClients };
  const topic = (name: string) => topicName(kafka, name);
  // Every topic and its dead-letter topic. Dead letters are kept until an operator deals with them
  // (retention.ms=-1 on a dead-letter topic this creates): one deleted by age would leave a
  // campaign's finality hole with nothing to replay.
  const replication = { replicas: config.kafkaReplicationFactor, minInsyncReplicas: config.kafkaMinInsyncReplicas };
  await ensureTopics(kafka, options.topics.map(topic), config.kafkaPartitions, replication);
  await ensureTopics(kafka, options.topics.map((t) => deadLetterTopic(topic(t))), config.kafkaPartitions, replication, [{ name: "retention.ms", value: "-1" }]);
  // One relay per database: each publishes its own outbox in id order (decision 003).
  const shards = new Shards<ShardRuntime>(
    map,
    map.databases.map((database, i) => {
      const shardPool = pools[i] as pg.Pool;
      return { name: database.name, url: database.url, pool: shardPool, relay: new OutboxRelay({ pool: shardPool, createProducer: () => createProducer(kafka), logger, metrics, idlePollMs: config.outboxRelayIdlePollMs }) };
    }),
  );
  const relay = (shards.all[0] as ShardRuntime).relay;
  if (config.outboxRelayEnabled) for (const shard of shards.all) shard.relay.start();
  const nudgeRelays = () => {
    for (const shard of shards.all) shard.relay.nudge();
  };
  metrics.gauge("outbox_backlog", "Outbox rows not yet acknowledged by Kafka (all shards)", async () => {
    const backlogs = await Promise.all(pools.map(outboxBacklog));
    return backlogs.reduce((sum, n) => sum + n, 0);
  });
  const stopInboxPurge = runEvery("inbox purge", config.inboxPurgeIntervalMs, () => Promise.all(pools.map((p) => purgeInbox(p, config.inboxRetentionMs))), logger);

  // Ready means able to do the service's work: its database answers, a broker answers and the
  // relays' publishes succeed, and every consumer is taking messages (a consumer rebuilding or wedged makes the service not ready).
  const consumers: EventConsumer<{ event_id: string }>[] = [];
  const readiness = async () => {
    const [broker, ...databases] = await Promise.all([
      withTimeout(relay.producer.metadata({ topics: [] }).then(() => true), 2_000),
      ...pools.map((p) => withTimeout(p.query("SELECT 1").then(() => true), 2_000)),
    ]);
    // With shards, one database down leaves the others' customers served: the instance stays ready
    // (every instance shares the databases; taking all out of rotation would serve nobody), and
    // /ops/shards shows which database is unreachable.
    // A broker that answers metadata while sends fail (a relay whose last publish failed) is not
    // a Kafka this instance can use: its events are not leaving.
    const publishing = shards.all.every((s) => !s.relay.failing);
    return { database: databases.some(Boolean), kafka: broker && publishing, ...(consumers.length > 0 ? { consuming: consumers.every((c) => c.consuming) } : {}) };
  };

  const adminAuth = new AdminAuth(config.admin);
  return {
    config,
    logger,
    metrics,
    pool,
    kafka,
    relay,
    shards,
    adminAuth,
    topic,
    readiness,
    systemRoutes: (app: HttpApp, path: string, readPools?: readonly pg.Pool[]) =>
      systemRoutes(app, path, {
        service: config.serviceName,
        readiness,
        consumer: () => consumers[0],
        databases: shards.all.map((s, i) => ({ name: s.name, pool: readPools?.[i] ?? s.pool })),
        producer: () => relay.producer,
      }),
    httpApp: (meta) =>
      createHttpApp({
        ...meta,
        logger,
        metrics,
        adminAuth,
        readiness,
        keepAliveTimeoutMs: config.httpKeepAliveTimeoutMs,
        corsOrigins: config.corsOrigins,
        rateLimitPerClientPerMinute: config.rateLimitPerClientPerMinute,
        loginAttemptsPerClientPerMinute: config.loginAttemptsPerClientPerMinute,
        topicPrefix: config.kafkaTopicPrefix,
      }),
    consumers,
    consumer: (spec) => {
      const consumer = new EventConsumer({
        settings: kafka,
        groupId: topic(`${config.serviceName}-service`),
        topics: spec.topics.map(topic),
        pool,
        ...(spec.customerOf && shards.all.length > 1 ? { poolOf: poolByCustomer(shards, spec.customerOf) } : {}),
        logger,
        metrics,
        decode: (fullTopic, value) => spec.decode(value, fullTopic.slice(config.kafkaTopicPrefix.length)),
        handle: spec.handle,
        ...(spec.onDeadLetter ? { onDeadLetter: spec.onDeadLetter } : {}),
        sessionTimeoutMs: config.kafkaSessionTimeoutMs,
        ...(config.kafkaGroupInstanceId ? { groupInstanceId: config.kafkaGroupInstanceId } : {}),
        // What a consumer commits may include outbox rows: publish them now.
        afterCommit: nudgeRelays,
      });
      consumers.push(consumer as unknown as EventConsumer<{ event_id: string }>);
      return consumer;
    },
    async close() {
      await stopBringUp();
      await Promise.all(shards.all.map((shard) => shard.relay.close()));
      await stopInboxPurge();
      await Promise.all(pools.map((p) => p.end()));
    },
  };
}

function poolByCustomer<E>(shards: Shards<ShardRuntime>, customerOf: (event: E) => string): (event: E) => pg.Pool {
  return (event) => shards.forCustomer(customerOf(event)).pool;
}

async function withTimeout(probe: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([probe.catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Stops the service cleanly on SIGINT/SIGTERM: stop taking requests, drain, close connections. */
export function stopOnSignals(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    stop().then(
      () => process.exit(0),
      (error) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
}
