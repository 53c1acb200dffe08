import { Admin, ProduceAcks, Producer, stringSerializers } from "@platformatic/kafka";
import { keyHash } from "../db/shards.ts";
import { setTimeout as sleep } from "node:timers/promises";
import { withDeadline } from "../timing.ts";

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** Prepended to every topic name; lets test runs and environments share a broker. */
  topicPrefix: string;
  /** Where the Kafka clients report their own metrics (kafka_produced_messages, kafka_consumers_lags, …). */
  metrics?: ConstructorParameters<typeof Producer>[0]["metrics"];
}

export const topicName = (settings: Pick<KafkaSettings, "topicPrefix">, name: string) => `${settings.topicPrefix}${name}`;

/** What closeClient needs of a @platformatic/kafka client (consumer or producer). */
interface ClosableClient {
  close(force?: boolean): Promise<void>;
  readonly connections: { close(): Promise<void> };
  /** Consumers only: ends the membership, so that its heartbeat stops at its next tick. */
  leaveGroup?(force?: boolean): Promise<void>;
}

/**
 * Closes a Kafka client, bounded; true if it closed cleanly. A client whose close fails or hangs
 * is cut off Kafka for good instead of being left running: a consumer's close that fails (a
 * commit queued in its stream cannot reach the coordinator) leaves it a group member, still
 * heartbeating, and a fenced member rejoins by itself; with static membership it and its
 * successor then fence each other for as long as the process lives (seen in a three-broker chaos
 * run). So its connection pool is closed at once (the library marks it closed before it closes a
 * socket, and never reopens it: no heartbeat, rejoin or metadata call can reach a broker again);
 * then, without holding the caller, it is told to leave its group (its heartbeat stops at the
 * next tick, even when it has no member id left) and closed again.
 */
export async function closeClient(client: ClosableClient, boundMs: number, what: string, onAbandon?: (error: unknown) => void): Promise<boolean> {
  try {
    await withDeadline(client.close(true), boundMs, `closing ${what}`);
    return true;
  } catch (error) {
    onAbandon?.(error);
  }
  const severed = client.connections.close();
  void (async () => {
    await withDeadline(severed, boundMs, `closing the connections of ${what}`).catch(() => {});
    for (let attempt = 0; attempt < 2; attempt++) {
      await sleep(100);
      if (client.leaveGroup) await withDeadline(client.leaveGroup(true), boundMs, `${what} leaving its group`).catch(() => {});
      await withDeadline(client.close(true), boundMs, `closing ${what}`).catch(() => {});
    }
  })();
  return false;
}

export type StringProducer = Producer<string, string, string, string>;

/** Idempotent producer with acks=all: a retried send never duplicates a record within a partition. */
export function createProducer(settings: KafkaSettings): StringProducer {
  return new Producer({
    clientId: `${settings.clientId}-producer`,
    bootstrapBrokers: settings.brokers,
    serializers: stringSerializers,
    // The Java client's partition of a key (murmur2 & 0x7fffffff), which the shard of a customer
    // also uses (db/shards.ts); this client's own default takes murmur2 >>> 0 and disagrees with
    // both. The producer takes the result modulo the partition count.
    partitioner: (_message, key) => (key && key.length > 0 ? keyHash(key) : Math.floor(Math.random() * 0x7fffffff)),
    idempotent: true,
    acks: ProduceAcks.ALL,
    retries: 5,
    retryDelay: 200,
    connectTimeout: 5_000,
    requestTimeout: 15_000,
    ...(settings.metrics ? { metrics: settings.metrics } : {}),
  });
}

/**
 * Creates the topics that are missing, with `partitions` partitions each, `replicas` copies and
 * `min.insync.replicas` (with acks=all, a write is acknowledged only once that many replicas have it).
 */
/** Bound on each call of ensureTopics (the client's own retries, 10 × 500 ms, fit well inside). */
const ENSURE_TOPICS_CALL_MS = 30_000;

export async function ensureTopics(
  settings: KafkaSettings,
  names: string[],
  partitions: number,
  replication: { replicas: number; minInsyncReplicas: number } = { replicas: 1, minInsyncReplicas: 1 },
  /** More topic configs for the topics it creates (e.g. retention.ms). */
  configs: { name: string; value: string }[] = [],
): Promise<void> {
  const admin = new Admin({ clientId: `${settings.clientId}-admin`, bootstrapBrokers: settings.brokers, retries: 10, retryDelay: 500 });
  // Failures surface through the awaited calls; an "error" event unheard would kill the process.
  admin.on("error", () => {});
  // Bounded: a start (or a restart after a crash) that cannot reach Kafka fails and says so, and
  // its supervisor retries, instead of waiting for ever on a broker that does not answer.
  const bound = <T>(call: Promise<T>, what: string) => withDeadline(call, ENSURE_TOPICS_CALL_MS, what);
  try {
    const existing = new Set(await bound(admin.listTopics(), "listing Kafka topics"));
    const missing = names.filter((n) => !existing.has(n));
    if (missing.length === 0) return;
    try {
      await bound(
        admin.createTopics({
          topics: missing,
          partitions,
          replicas: replication.replicas,
          configs: [{ name: "min.insync.replicas", value: String(replication.minInsyncReplicas) }, ...configs],
        }),
        "creating Kafka topics",
      );
    } catch (error) {
      // Another instance may have created them between the listing and the creation.
      const now = new Set(await bound(admin.listTopics(), "listing Kafka topics"));
      if (!missing.every((n) => now.has(n))) throw error;
    }
  } finally {
    await bound(admin.close(), "closing the Kafka admin client").catch(() => {});
  }
}

/**
 * Reads the partition count of topics from the brokers' current metadata, on one long-lived admin
 * client (not a new connection per question: the watermark and finality loops ask every tick).
 * Each read is bounded; a client that fails is replaced on the next read.
 */
export class PartitionCounter {
  readonly #settings: KafkaSettings;
  readonly #timeoutMs: number;
  #admin: Admin | undefined;

  constructor(settings: KafkaSettings, timeoutMs = 5_000) {
    this.#settings = settings;
    this.#timeoutMs = timeoutMs;
  }

  async count(topic: string): Promise<number> {
    if (!this.#admin) {
      const created = new Admin({ clientId: `${this.#settings.clientId}-metadata`, bootstrapBrokers: this.#settings.brokers });
      // Unheard, a client's "error" event would kill the process; drop the client and make a new one.
      created.on("error", () => {
        if (this.#admin === created) this.#admin = undefined;
      });
      this.#admin = created;
    }
    const admin = this.#admin;
    try {
      const metadata = await withDeadline(admin.metadata({ topics: [topic], forceUpdate: true }), this.#timeoutMs, "reading topic metadata");
      return metadata.topics.get(topic)?.partitionsCount ?? 0;
    } catch (error) {
      if (this.#admin === admin) this.#admin = undefined;
      void withDeadline(admin.close(), this.#timeoutMs, "closing the metadata client").catch(() => {});
      throw error;
    }
  }

  async close(): Promise<void> {
    const admin = this.#admin;
    this.#admin = undefined;
    if (admin) await withDeadline(admin.close(), this.#timeoutMs, "closing the metadata client").catch(() => {});
  }
}
