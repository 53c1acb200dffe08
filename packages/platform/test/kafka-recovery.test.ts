// The platform's ways back after Kafka misbehaves, against the real broker and PostgreSQL: a
// consumer whose stream stops delivering and whose client hangs when closed is rebuilt; a relay
// whose producer cannot reach any broker replaces it. Both used to wait for ever.
import { randomBytes, randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { ProduceAcks, Producer, stringSerializers } from "@platformatic/kafka";
import pino from "pino";
import { databaseUrl } from "@spgroup/infra/local-stack";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { migrate } from "../src/db/migrate.ts";
import { createPool, ensureDatabase } from "../src/db/pool.ts";
import { createProducer, ensureTopics } from "../src/kafka/client.ts";
import { EventConsumer } from "../src/kafka/consumer.ts";
import { enqueueOutbox, OutboxRelay } from "../src/kafka/outbox.ts";
import { createLogger } from "../src/logger.ts";
import { createMetrics } from "../src/metrics.ts";
import { eventually } from "@spgroup/infra/testing";

const MIGRATIONS = fileURLToPath(new URL("../migrations", import.meta.url));

describe("Kafka recovery", () => {
  const suffix = randomBytes(4).toString("hex");
  const topic = `recovery-${suffix}`;
  const logger = createLogger("recovery-test", process.env.TEST_LOG_LEVEL ?? "fatal");
  let pool: ReturnType<typeof createPool>;
  let brokers: string;
  let producer: Producer<string, string, string, string>;

  /** A database of this test with the platform's tables and a table `log` of applied event ids. */
  const migratedDatabase = async (name: string, log?: string) => {
    const url = databaseUrl(inject("infra").postgresUrl, `recovery_${name}${suffix}`);
    await ensureDatabase(url);
    const db = createPool(url, 4, `recovery-test-${name || "main"}`);
    await migrate(db, [{ name: "platform", dir: MIGRATIONS }]);
    if (log) await db.query(`CREATE TABLE IF NOT EXISTS ${log} (event_id uuid NOT NULL)`);
    return db;
  };

  beforeAll(async () => {
    const infra = inject("infra");
    brokers = infra.kafkaBrokers;
    pool = await migratedDatabase("");
    await pool.query("CREATE TABLE applied (event_id uuid PRIMARY KEY)");
    await ensureTopics({ brokers: [brokers], clientId: "recovery-test", topicPrefix: "" }, [topic], 2);
    producer = new Producer({ clientId: "recovery-test", bootstrapBrokers: [brokers], serializers: stringSerializers, acks: ProduceAcks.ALL });
  });
  afterAll(async () => {
    await producer?.close();
    await pool?.end();
  });

  const publish = (n: number) => {
    const ids = Array.from({ length: n }, () => randomUUID());
    return producer.send({ messages: ids.map((id) => ({ topic, key: id, value: JSON.stringify({ event_id: id }) })) }).then(() => ids);
  };
  const appliedCount = async (ids: string[]) =>
    (await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM applied WHERE event_id = ANY($1)", [ids])).rows[0]?.n ?? 0;

  /** A consumer of `topics` that records each applied event in `applied`, with short bounds for the test. */
  const consumerFor = (name: string, extra: Partial<ConstructorParameters<typeof EventConsumer<{ event_id: string }>>[0]> = {}) =>
    new EventConsumer<{ event_id: string }>({
      settings: { brokers: [brokers], clientId: `recovery-${name}`, topicPrefix: "" },
      groupId: `recovery-${name}-${suffix}`,
      topics: [topic],
      pool,
      logger,
      decode: (_topic, value) => ({ ok: true, value: value as { event_id: string } }),
      handle: async (client, events) => {
        await client.query("INSERT INTO applied (event_id) SELECT unnest($1::uuid[]) ON CONFLICT DO NOTHING", [events.map((e) => e.event.event_id)]);
      },
      sessionTimeoutMs: 6_000,
      kafkaCallTimeoutMs: 1_000,
      ...extra,
    });

  it("rebuilds a consumer that stopped receiving while messages wait, even when closing its client hangs", async () => {
    const metrics = createMetrics("recovery-test");
    const consumer = consumerFor("wedged", { metrics, stallAfterMs: 1_500 });
    await consumer.start();
    try {
      const first = await publish(3);
      await eventually(async () => ((await appliedCount(first)) === 3 ? true : undefined), 30_000, "the first events applied");
      expect(consumer.consuming).toBe(true);

      // Wedge it: the stream delivers nothing more, and closing its client starts (leaves the
      // group) but never reports back, as when the coordinator's broker is gone.
      const client = consumer.consumer;
      if (!client || !consumer.stream) throw new Error("consumer not started");
      const realClose = client.close.bind(client) as (force: boolean) => Promise<void>;
      client.close = ((force: boolean) => {
        void realClose(force).catch(() => {});
        return new Promise<void>(() => {});
      }) as typeof client.close;
      consumer.stream.pause();

      const waiting = await publish(5);
      let sawNotConsuming = false;
      await eventually(
        async () => {
          if (!consumer.consuming) sawNotConsuming = true;
          return (await appliedCount(waiting)) === 5 ? true : undefined;
        },
        45_000,
        "the waiting events applied by a rebuilt consumer",
      );
      expect(sawNotConsuming).toBe(true);
      expect(consumer.consumer).not.toBe(client);
      expect(consumer.consuming).toBe(true);
      const stalls = (await metrics.registry.getSingleMetricAsString("spgroup_consumer_stalls_total")).match(/spgroup_consumer_stalls_total\{[^}]*\} (\d+)/)?.[1];
      expect(Number(stalls)).toBeGreaterThanOrEqual(1);
    } finally {
      await consumer.stop();
    }
  });

  it("rebuilds its client at once after this process was suspended longer than the session timeout (no 30 s stall wait)", async () => {
    // Nothing waits (lag 0), so the stall watchdog (ticking every 250 ms here) has no reason to
    // rebuild: only the suspension can explain a new client.
    const consumer = consumerFor("suspended", { stallAfterMs: 1_000 });
    await consumer.start();
    try {
      const first = await publish(2);
      await eventually(async () => ((await appliedCount(first)) === 2 ? true : undefined), 30_000, "the first events applied");
      const client = consumer.consumer;
      // Blocks this process for longer than the session timeout (6 s), as SIGSTOP would.
      const until = Date.now() + 7_500;
      while (Date.now() < until) {
        // suspended
      }
      await eventually(async () => (consumer.consumer !== client && consumer.consuming ? true : undefined), 15_000, "a new client after the suspension");
      const after = await publish(2);
      await eventually(async () => ((await appliedCount(after)) === 2 ? true : undefined), 30_000, "events after the suspension applied");
    } finally {
      await consumer.stop();
    }
  });

  it("survives an error event of its client (a failed group rejoin) and rebuilds it", async () => {
    const consumer = consumerFor("error");
    await consumer.start();
    try {
      const client = consumer.consumer;
      if (!client) throw new Error("consumer not started");
      // What @platformatic/kafka emits when it gives up rejoining; without a listener Node throws it.
      client.emit("error", Object.assign(new Error("Connection closed"), { code: "PLT_KFK_NETWORK" }));
      await eventually(async () => (consumer.consumer !== client && consumer.consuming ? true : undefined), 30_000, "a rebuilt client");
      const ids = await publish(2);
      await eventually(async () => ((await appliedCount(ids)) === 2 ? true : undefined), 30_000, "events applied after the rebuild");
      // The replaced client may still fail: that must not kill the process either.
      client.emit("error", new Error("late failure of the old client"));
      expect(consumer.consuming).toBe(true);
    } finally {
      await consumer.stop();
    }
  });

  it("cuts off a client whose close failed, so that with static membership it cannot fence its successor and hold the partitions", async () => {
    // As in a three-broker chaos run after the process was suspended: the rebuild's close failed
    // ("Closing streams failed": a commit queued in the stream could not reach the coordinator),
    // the library kept the client a group member, heartbeating, and a fenced member rejoins by
    // itself under the same group.instance.id as its successor: the two took the partitions from
    // each other for good, and nothing was consumed.
    const metrics = createMetrics("recovery-fenced");
    const consumer = consumerFor("fenced", { groupInstanceId: `recovery-fenced-${suffix}`, metrics, stallAfterMs: 2_000 });
    await consumer.start();
    try {
      const first = await publish(2);
      await eventually(async () => ((await appliedCount(first)) === 2 ? true : undefined), 30_000, "the first events applied");
      const client = consumer.consumer;
      const stream = consumer.stream;
      if (!client || !stream) throw new Error("consumer not started");
      // The first close fails as the library's did (its stream closed, the membership kept);
      // later closes are the library's own.
      const realClose = client.close.bind(client) as (force: boolean) => Promise<void>;
      let failed = false;
      client.close = ((force: boolean) => {
        if (failed) return realClose(force);
        failed = true;
        return stream.close().then(() => Promise.reject(new Error("Closing streams failed.")));
      }) as typeof client.close;
      client.emit("error", Object.assign(new Error("Connection closed"), { code: "PLT_KFK_NETWORK" }));
      await eventually(async () => (consumer.consumer !== client && consumer.consuming ? true : undefined), 30_000, "a rebuilt client");
      await new Promise((resolve) => setTimeout(resolve, 2_000));

      // Events keep coming for a while, as orders do in a sale; every one is applied, and the
      // abandoned client is no group member that could take the partitions back: it sends no
      // heartbeat any more, and the successor keeps its membership (before, both were fenced and
      // rejoined every heartbeat or two: a new member id every 1.5 s).
      let heartbeats = 0;
      client.on("consumer:heartbeat:start", () => heartbeats++);
      const members = new Set<string | null | undefined>();
      const ids: string[] = [];
      for (let round = 0; round < 6; round++) {
        members.add(consumer.consumer?.memberId);
        ids.push(...(await publish(3)));
        await new Promise((resolve) => setTimeout(resolve, 1_500));
      }
      await eventually(async () => ((await appliedCount(ids)) === ids.length ? true : undefined), 30_000, "every event after the failed close applied");
      expect(heartbeats).toBe(0);
      // One rejoin for another reason (a session lost on a loaded machine) is allowed.
      expect(members.size).toBeLessThanOrEqual(2);
      expect(client.isConnected()).toBe(false);
      expect(consumer.consuming).toBe(true);
    } finally {
      await consumer.stop();
    }
  });

  it("a member holding no partition says so, and rejoins, when its group's offsets have not moved for long while messages wait", async () => {
    // Its own lag is 0 (nothing assigned), so before, it looked healthy while the member holding
    // the partition did not consume: the group stuck, and no member said it. Here the holder is
    // stuck in a batch (past twice its stall bound plus a session timeout, 9 s here).
    const oneTopic = `recovery-one-${suffix}`;
    await ensureTopics({ brokers: [brokers], clientId: "recovery-test", topicPrefix: "" }, [oneTopic], 1);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let blocking = false;
    const handle = async (client: import("pg").PoolClient, events: { event: { event_id: string } }[]) => {
      if (blocking) await gate;
      await client.query("INSERT INTO applied (event_id) SELECT unnest($1::uuid[]) ON CONFLICT DO NOTHING", [events.map((e) => e.event.event_id)]);
    };
    // What the members say, to find the one line only this check writes.
    const said: string[] = [];
    const spy = pino({ level: "warn" }, { write: (line: string) => void said.push(line) });
    const members = [0, 1].map((i) => consumerFor("group", { topics: [oneTopic], logger: spy, stallAfterMs: 1_500, handle, settings: { brokers: [brokers], clientId: `recovery-group-${i}`, topicPrefix: "" } }));
    const sawStuckGroup = () => said.some((line) => line.includes("consumer holds no partition while its group's committed offsets have not moved"));
    try {
      for (const member of members) await member.start();
      const holds = (i: number) => (members[i]?.consumer?.assignments ?? []).some((a) => a.partitions.length > 0);
      // Settled: one member has held the partition for 3 s in a row (the second member's join
      // moves it once; a move while the holder is stuck would let both members block below).
      let since = 0;
      await eventually(
        async () => {
          if (holds(0) === holds(1)) since = 0;
          else if (since === 0) since = Date.now();
          return since > 0 && Date.now() - since >= 3_000 ? true : undefined;
        },
        30_000,
        "one member holds the partition, settled",
      );
      expect(sawStuckGroup()).toBe(false);
      blocking = true;
      await producer.send({ messages: [randomUUID(), randomUUID()].map((id) => ({ topic: oneTopic, key: id, value: JSON.stringify({ event_id: id }) })) });
      await eventually(async () => (sawStuckGroup() ? true : undefined), 45_000, "the member without partitions saw its group stuck");
    } finally {
      release();
      for (const member of members) await member.stop();
    }
  });

  it("does not wait on the commit of a batch taken from a client that was replaced meanwhile", async () => {
    // Seen in the chaos suite: after a suspension the client was rebuilt while a batch was in
    // hand; that batch's offsets went to the closed client, which never answers, and the consumer
    // waited the whole commit bound (10 s there) before its next batch. Those offsets are moot:
    // the new client reads again from the committed ones, and the inbox drops what comes twice.
    let release: () => void = () => {};
    let blocked: () => void = () => {};
    const inHand = new Promise<void>((resolve) => {
      blocked = resolve;
    });
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let blockNext = false;
    const consumer = consumerFor("moot-commit", {
      kafkaCallTimeoutMs: 8_000,
      handle: async (client, events) => {
        if (blockNext) {
          blockNext = false;
          blocked();
          await gate;
        }
        await client.query("INSERT INTO applied (event_id) SELECT unnest($1::uuid[]) ON CONFLICT DO NOTHING", [events.map((e) => e.event.event_id)]);
      },
    });
    await consumer.start();
    try {
      const first = await publish(2);
      await eventually(async () => ((await appliedCount(first)) === 2 ? true : undefined), 30_000, "the first events applied");
      blockNext = true;
      const held = await publish(1);
      await inHand;
      const client = consumer.consumer;
      client?.emit("error", Object.assign(new Error("Connection closed"), { code: "PLT_KFK_NETWORK" }));
      await eventually(async () => (consumer.consumer !== client && consumer.consuming ? true : undefined), 30_000, "a rebuilt client");
      const releasedAt = Date.now();
      release();
      const after = await publish(2);
      await eventually(async () => ((await appliedCount([...held, ...after])) === 3 ? true : undefined), 30_000, "the events after the rebuild applied");
      // Well under the 8 s commit bound the old code waited out.
      expect(Date.now() - releasedAt).toBeLessThan(5_000);
      // And the new client commits: nothing is left for the group to read again.
      await eventually(async () => ((await consumer.lag()) === 0 ? true : undefined), 30_000, "the group's offsets committed after the rebuild");
    } finally {
      release();
      await consumer.stop();
    }
  });

  it("goes on with the next batch when an offset commit never answers (the client skips commits while it rejoins)", async () => {
    const consumer = consumerFor("commit");
    await consumer.start();
    const client = consumer.consumer;
    if (!client) throw new Error("consumer not started");
    const isActive = client.isActive.bind(client);
    try {
      const first = await publish(2);
      await eventually(async () => ((await appliedCount(first)) === 2 ? true : undefined), 30_000, "the first events applied");
      // @platformatic/kafka queues a manual commit and flushes it only while the client is active;
      // with autocommit off, a commit made mid-rejoin waits for a flush that never comes.
      client.isActive = () => false;
      const during = await publish(2);
      await eventually(async () => ((await appliedCount(during)) === 2 ? true : undefined), 30_000, "events applied while commits hang");
      const after = await publish(2);
      await eventually(async () => ((await appliedCount(after)) === 2 ? true : undefined), 30_000, "the next batch applied despite the hanging commit");
    } finally {
      client.isActive = isActive;
      await consumer.stop();
    }
  });

  it("does not rebuild an idle consumer with nothing to read", async () => {
    const metrics = createMetrics("recovery-idle");
    const idleTopic = `recovery-idle-${suffix}`;
    await ensureTopics({ brokers: [brokers], clientId: "recovery-test", topicPrefix: "" }, [idleTopic], 1);
    const consumer = consumerFor("idle", { topics: [idleTopic], metrics, stallAfterMs: 500, handle: async () => {} });
    await consumer.start();
    try {
      const client = consumer.consumer;
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(consumer.consumer).toBe(client);
      expect(consumer.consuming).toBe(true);
    } finally {
      await consumer.stop();
    }
  });

  it("replaces a relay producer that keeps failing, and publishes the waiting rows", async () => {
    const metrics = createMetrics("recovery-relay");
    let made = 0;
    // The first producer knows only an address where no broker listens: every send fails.
    const relay = new OutboxRelay({
      pool,
      logger,
      metrics,
      createProducer: () => createProducer({ brokers: made++ === 0 ? ["127.0.0.1:9"] : [brokers], clientId: "recovery-relay", topicPrefix: "" }),
      sendTimeoutMs: 2_000,
      rebuildProducerAfterFailures: 2,
      idlePollMs: 50,
    });
    const id = randomUUID();
    await enqueueOutbox(pool, [{ topic, key: id, payload: { event_id: id } }]);
    relay.start();
    try {
      // While its publishes fail, the relay says so (the service's /ready reports Kafka unusable).
      await eventually(async () => (relay.failing ? true : undefined), 10_000, "the relay reports failing publishes");
      await eventually(
        async () => ((await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox")).rows[0]?.n === 0 ? true : undefined),
        60_000,
        "the outbox drained",
      );
      expect(made).toBeGreaterThanOrEqual(2);
      expect(relay.failing).toBe(false);
    } finally {
      await relay.close();
    }
  });

  it("applies a batch split over two databases once, and dead-letters an invalid message once, when one database's part fails and the batch is retried", async () => {
    const other = await migratedDatabase("b_", "applied_log");
    await pool.query("CREATE TABLE IF NOT EXISTS applied_log (event_id uuid NOT NULL)");
    const splitTopic = `${topic}-split`;
    await ensureTopics({ brokers: [brokers], clientId: "recovery-test", topicPrefix: "" }, [splitTopic], 1);
    let failuresLeft = 2;
    const consumer = new EventConsumer<{ event_id: string; shard: string }>({
      settings: { brokers: [brokers], clientId: "recovery-split", topicPrefix: "" },
      groupId: `recovery-split-${suffix}`,
      topics: [splitTopic],
      pool,
      poolOf: (event) => (event.shard === "b" ? other : pool),
      logger,
      decode: (_topic, value) => (typeof value === "object" && value !== null ? { ok: true, value: value as { event_id: string; shard: string } } : { ok: false, errors: ["not an event"] }),
      handle: async (client, events) => {
        await client.query("INSERT INTO applied_log (event_id) SELECT unnest($1::uuid[])", [events.map((e) => e.event.event_id)]);
        // The second database's part fails twice on contention (a deadlock): the whole batch is
        // retried, never dead-lettered, and the first database's part and the invalid message,
        // committed by the first attempt, are not applied or dead-lettered again.
        if (events.some((e) => e.event.shard === "b") && failuresLeft-- > 0) throw Object.assign(new Error("deadlock detected"), { code: "40P01" });
      },
      sessionTimeoutMs: 6_000,
      kafkaCallTimeoutMs: 1_000,
    });
    try {
      const events = Array.from({ length: 6 }, (_, i) => ({ event_id: randomUUID(), shard: i % 2 === 0 ? "a" : "b" }));
      await producer.send({
        messages: [
          ...events.slice(0, 3).map((e) => ({ topic: splitTopic, key: e.event_id, value: JSON.stringify(e) })),
          { topic: splitTopic, key: "junk", value: "not json at all" },
          ...events.slice(3).map((e) => ({ topic: splitTopic, key: e.event_id, value: JSON.stringify(e) })),
        ],
      });
      await consumer.start();
      const logged = async (db: typeof pool) => (await db.query<{ event_id: string }>("SELECT event_id::text FROM applied_log")).rows.map((r) => r.event_id).sort();
      await eventually(async () => (failuresLeft < 0 && (await logged(other)).length === 3 ? true : undefined), 30_000, "the second database's part applied after its failures");
      expect(await logged(pool)).toEqual(events.filter((e) => e.shard === "a").map((e) => e.event_id).sort());
      expect(await logged(other)).toEqual(events.filter((e) => e.shard === "b").map((e) => e.event_id).sort());
      const letters = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox WHERE topic = $1", [`${splitTopic}.dlq`]);
      expect(letters.rows[0]?.n).toBe(1);
    } finally {
      await consumer.stop();
      await other.end();
    }
  });

  it("keeps applying the other database's events while one cannot be reached, and applies the waiting ones, once, when it answers", async () => {
    const other = await migratedDatabase("c_", "parked_log");
    await pool.query("CREATE TABLE IF NOT EXISTS parked_log (event_id uuid NOT NULL)");
    const parkTopic = `${topic}-park`;
    await ensureTopics({ brokers: [brokers], clientId: "recovery-test", topicPrefix: "" }, [parkTopic], 2);
    let otherDown = true;
    const consumer = new EventConsumer<{ event_id: string; shard: string }>({
      settings: { brokers: [brokers], clientId: "recovery-park", topicPrefix: "" },
      groupId: `recovery-park-${suffix}`,
      topics: [parkTopic],
      pool,
      poolOf: (event) => (event.shard === "b" ? other : pool),
      logger,
      decode: (_topic, value) => ({ ok: true, value: value as { event_id: string; shard: string } }),
      handle: async (client, events) => {
        if (otherDown && events.some((e) => e.event.shard === "b")) throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
        await client.query("INSERT INTO parked_log (event_id) SELECT unnest($1::uuid[])", [events.map((e) => e.event.event_id)]);
      },
      sessionTimeoutMs: 6_000,
      kafkaCallTimeoutMs: 1_000,
    });
    const send = async (shards: string[]) => {
      const events = shards.map((shard) => ({ event_id: randomUUID(), shard }));
      // One key for all: every event on one partition, the shards' events interleaved in it.
      await producer.send({ messages: events.map((e) => ({ topic: parkTopic, key: "one-partition", value: JSON.stringify(e) })) });
      return events;
    };
    const logged = async (db: typeof pool) => (await db.query<{ event_id: string }>("SELECT event_id::text FROM parked_log")).rows.map((r) => r.event_id).sort();
    const ids = (events: { event_id: string; shard: string }[], shard: string) => events.filter((e) => e.shard === shard).map((e) => e.event_id);
    await consumer.start();
    try {
      const first = await send(["a", "b", "a", "b", "a"]);
      await eventually(async () => ((await logged(pool)).length === 3 ? true : undefined), 20_000, "the reachable database's events applied");
      // Later events of the reachable database are applied too, while the other stays down.
      const second = await send(["a", "a", "b"]);
      await eventually(async () => ((await logged(pool)).length === 5 ? true : undefined), 20_000, "later events applied past the parked ones");
      expect(await logged(other)).toEqual([]);
      // Nothing is committed past a parked message: a crash now would redeliver them.
      expect(await consumer.lag()).toBeGreaterThan(0);
      // A few parked messages, far below the bound: the other database's customers are served.
      expect(consumer.consuming).toBe(true);

      otherDown = false;
      await eventually(async () => ((await logged(other)).length === 3 ? true : undefined), 20_000, "the parked events applied once their database answers");
      await eventually(async () => ((await consumer.lag()) === 0 ? true : undefined), 20_000, "every offset committed");
      expect(await logged(pool)).toEqual([...ids(first, "a"), ...ids(second, "a")].sort());
      expect(await logged(other)).toEqual([...ids(first, "b"), ...ids(second, "b")].sort());
    } finally {
      await consumer.stop();
      await other.end();
    }
  });

  it("says it is back-pressured while parked messages are at their bound, and takes messages again when their database answers", async () => {
    await pool.query("CREATE TABLE IF NOT EXISTS bound_log (event_id uuid NOT NULL)");
    const boundTopic = `${topic}-bound`;
    await ensureTopics({ brokers: [brokers], clientId: "recovery-test", topicPrefix: "" }, [boundTopic], 1);
    let down = true;
    const metrics = createMetrics("recovery-bound");
    const consumer = new EventConsumer<{ event_id: string }>({
      settings: { brokers: [brokers], clientId: "recovery-bound", topicPrefix: "" },
      groupId: `recovery-bound-${suffix}`,
      topics: [boundTopic],
      pool,
      poolOf: () => pool,
      logger,
      metrics,
      // One message a batch: the bound (20 batches) is 20 parked messages.
      maxBatch: 1,
      decode: (_topic, value) => ({ ok: true, value: value as { event_id: string } }),
      handle: async (client, events) => {
        if (down) throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
        await client.query("INSERT INTO bound_log (event_id) SELECT unnest($1::uuid[])", [events.map((e) => e.event.event_id)]);
      },
      sessionTimeoutMs: 6_000,
      kafkaCallTimeoutMs: 1_000,
    });
    const ids = Array.from({ length: 30 }, () => randomUUID());
    await producer.send({ messages: ids.map((id) => ({ topic: boundTopic, key: "k", value: JSON.stringify({ event_id: id }) })) });
    await consumer.start();
    try {
      await eventually(async () => (consumer.backPressured ? true : undefined), 20_000, "the consumer reports back-pressure at the parked bound");
      expect(await metrics.registry.getSingleMetricAsString("spgroup_consumer_back_pressured")).toMatch(/ 1$/m);
      expect(await metrics.registry.getSingleMetricAsString("spgroup_consumer_parked_messages")).toMatch(/ 20$/m);
      // Not a reason to leave the load balancer: the other databases' customers are still served.
      expect(consumer.consuming).toBe(true);
      down = false;
      await eventually(
        async () => ((await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM bound_log")).rows[0]?.n === 30 ? true : undefined),
        40_000,
        "every held message applied once its database answers",
      );
      await eventually(async () => (consumer.backPressured ? undefined : true), 10_000, "no longer back-pressured");
    } finally {
      await consumer.stop();
    }
  });

  it("commits no offset past a message still parked when one of two unreachable databases comes back", async () => {
    const pools = await Promise.all(["d_", "e_"].map((name) => migratedDatabase(name, "parked_log")));
    const [b, c] = pools as [typeof pool, typeof pool];
    await pool.query("CREATE TABLE IF NOT EXISTS parked_log (event_id uuid NOT NULL)");
    const twoTopic = `${topic}-two`;
    await ensureTopics({ brokers: [brokers], clientId: "recovery-test", topicPrefix: "" }, [twoTopic], 1);
    const down = new Set(["b", "c"]);
    const consumer = new EventConsumer<{ event_id: string; shard: string }>({
      settings: { brokers: [brokers], clientId: "recovery-two", topicPrefix: "" },
      groupId: `recovery-two-${suffix}`,
      topics: [twoTopic],
      pool,
      poolOf: (event) => (event.shard === "b" ? b : event.shard === "c" ? c : pool),
      logger,
      decode: (_topic, value) => ({ ok: true, value: value as { event_id: string; shard: string } }),
      handle: async (client, events) => {
        if (events.some((e) => down.has(e.event.shard))) throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
        await client.query("INSERT INTO parked_log (event_id) SELECT unnest($1::uuid[])", [events.map((e) => e.event.event_id)]);
      },
      sessionTimeoutMs: 6_000,
      kafkaCallTimeoutMs: 1_000,
    });
    const count = async (db: typeof pool) => (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM parked_log")).rows[0]?.n ?? 0;
    try {
      // On one partition: a, b, c, a, b. b's messages are parked first, so b (which comes back) is
      // retried before c (which does not): b's retry must not commit past c's message, the third.
      const events = ["a", "b", "c", "a", "b"].map((shard) => ({ event_id: randomUUID(), shard }));
      await producer.send({ messages: events.map((e) => ({ topic: twoTopic, key: "k", value: JSON.stringify(e) })) });
      const aBefore = await count(pool);
      await consumer.start();
      await eventually(async () => ((await count(pool)) >= aBefore + 2 ? true : undefined), 20_000, "a's events applied");
      down.delete("b");
      await eventually(async () => ((await count(b)) === 2 ? true : undefined), 30_000, "b's parked events applied once b answers");
      // c's message (the third of five) is still parked: the committed offset stays before it.
      await new Promise((done) => setTimeout(done, 500));
      expect(await consumer.lag()).toBeGreaterThanOrEqual(3);
      down.delete("c");
      await eventually(async () => ((await count(c)) === 1 ? true : undefined), 30_000, "c's parked event applied once c answers");
      await eventually(async () => ((await consumer.lag()) === 0 ? true : undefined), 20_000, "every offset committed");
      expect([await count(b), await count(c)]).toEqual([2, 1]);
    } finally {
      await consumer.stop();
      await Promise.all(pools.map((db) => db.end()));
    }
  });
});
