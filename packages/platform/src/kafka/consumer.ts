import { setTimeout as sleep } from "node:timers/promises";
import { Consumer, type Message, type MessagesStream, stringDeserializers } from "@platformatic/kafka";
import type pg from "pg";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics.ts";
import type { KafkaSettings } from "./client.ts";
import { isTransientDatabaseError } from "../db/errors.ts";
import { enqueueOutbox } from "./outbox.ts";

/** Dead letters of a topic go to `<topic>.dlq`. */
export const deadLetterTopic = (topic: string) => `${topic}.dlq`;

/** What a dead letter carries: the original message and why it could not be applied. */
export interface DeadLetter {
  reason: "INVALID" | "FAILED";
  errors: string[];
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string;
  dead_lettered_at: string;
}

export interface ConsumedEvent<E> {
  event: E;
  topic: string;
  partition: number;
  offset: bigint;
}

export interface EventConsumerOptions<E extends { event_id: string }> {
  settings: KafkaSettings;
  groupId: string;
  topics: string[];
  pool: pg.Pool;
  logger: Logger;
  metrics?: Metrics;
  /** Validates a message value at the edge; a rejection is logged and skipped, never retried. */
  decode: (topic: string, value: unknown) => { ok: true; value: E } | { ok: false; errors: string[] };
  /** Applies new (never seen before) events inside the transaction that records them as processed. */
  handle: (client: pg.PoolClient, events: ConsumedEvent<E>[]) => Promise<void>;
  /** Runs after the transaction committed (e.g. to nudge the outbox relay). */
  afterCommit?: () => void;
  maxBatch?: number;
  sessionTimeoutMs?: number;
  /** Static membership: a restarted member with the same id gets its partitions back without waiting for the session timeout. */
  groupInstanceId?: string;
  /** Attempts of a batch, then of each of its events alone, before an event is dead-lettered. */
  maxAttempts?: number;
  /**
   * Runs inside the transaction that writes a dead letter, so a service can record what it now
   * lacks (e.g. the campaign service blocks finality over a hole in its history) atomically with it.
   */
  onDeadLetter?: (client: pg.PoolClient, letter: DeadLetter) => Promise<void>;
}

type RawMessage = Message<string, string, string, string>;

/**
 * Consumes events in batches, at least once from Kafka and exactly once in effect: each batch's
 * event ids go into the inbox table in the same transaction as the handler's writes, and offsets
 * are committed only after that transaction. A redelivery (restart, rebalance, duplicate publish)
 * finds its ids in the inbox and changes nothing. Batches run one after another, so the order
 * within a partition is kept.
 */
export class EventConsumer<E extends { event_id: string }> {
  readonly #o: EventConsumerOptions<E>;
  #consumer: Consumer<string, string, string, string> | undefined;
  #stream: MessagesStream<string, string, string, string> | undefined;
  #buffer: RawMessage[] = [];
  #notify: (() => void) | undefined;
  #running = false;
  #loop: Promise<void> | undefined;
  #paused = false;
  #reopening: Promise<void> | undefined;

  constructor(options: EventConsumerOptions<E>) {
    this.#o = { maxBatch: 500, sessionTimeoutMs: 20_000, maxAttempts: 3, ...options };
  }

  get consumer() {
    return this.#consumer;
  }

  /** Messages on the subscribed partitions not yet committed by this group (for the lag gauge). */
  async lag(): Promise<number> {
    if (!this.#consumer) return 0;
    const lags = await this.#consumer.getLag({ topics: this.#o.topics });
    let total = 0n;
    for (const partitions of lags.values()) for (const lag of partitions) if (lag > 0n) total += lag;
    return Number(total);
  }

  async start(): Promise<void> {
    // Running before the first stream exists, so that a stream failing at once is rebuilt too.
    this.#running = true;
    try {
      await this.#open();
    } catch (error) {
      this.#running = false;
      throw error;
    }
    // One consumer group per service, so one gauge per service registry.
    this.#o.metrics?.gauge("consumer_lag", "Messages on the subscribed partitions not yet committed by this service's consumer group", () => this.lag());
    this.#loop = this.#run(() => {
      if (this.#paused && this.#buffer.length < (this.#o.maxBatch ?? 500)) {
        this.#paused = false;
        this.#stream?.resume();
      }
    });
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#notify?.();
    await this.#reopening;
    await this.#loop;
    await this.#consumer?.close(true).catch(() => {});
  }

  /** A new client joins the group and streams from the committed offsets. */
  async #open(): Promise<void> {
    const { settings, groupId, topics } = this.#o;
    const consumer = new Consumer({
      clientId: `${settings.clientId}-consumer`,
      groupId,
      bootstrapBrokers: settings.brokers,
      deserializers: stringDeserializers,
      sessionTimeout: this.#o.sessionTimeoutMs,
      heartbeatInterval: 1_000,
      retries: 10,
      retryDelay: 500,
      ...(this.#o.groupInstanceId ? { groupInstanceId: this.#o.groupInstanceId } : {}),
    });
    let stream: MessagesStream<string, string, string, string>;
    try {
      stream = await consumer.consume({ topics, mode: "committed", fallbackMode: "earliest", autocommit: false, maxWaitTime: 200 });
    } catch (error) {
      await consumer.close(true).catch(() => {});
      throw error;
    }
    this.#consumer = consumer;
    this.#stream = stream;
    this.#paused = false;
    stream.on("data", (message: RawMessage) => {
      if (stream !== this.#stream) return;
      this.#buffer.push(message);
      if (this.#buffer.length >= (this.#o.maxBatch ?? 500) * 4 && !this.#paused) {
        this.#paused = true;
        stream.pause();
      }
      this.#notify?.();
    });
    // The client gives up on a stream when a fetch keeps failing (e.g. the leader's broker is gone
    // and the metadata still names it); it never comes back by itself, so build a new one.
    stream.on("error", (error) => {
      this.#o.logger.error({ err: error, groupId }, "consumer stream failed; reconnecting");
      this.#reopen(stream);
    });
    stream.on("close", () => this.#reopen(stream));
  }

  #reopen(dead: MessagesStream<string, string, string, string>): void {
    if (!this.#running || dead !== this.#stream || this.#reopening) return;
    this.#reopening = (async () => {
      this.#o.metrics?.consumerReconnects.inc();
      const old = this.#consumer;
      this.#stream = undefined;
      // Not yet applied: the new client fetches them again from the committed offsets.
      this.#buffer = [];
      await old?.close(true).catch(() => {});
      for (let attempt = 0; this.#running; attempt++) {
        try {
          await this.#open();
          this.#o.logger.info({ groupId: this.#o.groupId, attempt }, "consumer reconnected");
          return;
        } catch (error) {
          this.#o.logger.warn({ err: error, groupId: this.#o.groupId, attempt }, "consumer could not reconnect; retrying");
          await sleep(Math.min(5_000, 250 * 2 ** Math.min(attempt, 5)));
        }
      }
    })().finally(() => {
      this.#reopening = undefined;
    });
  }

  async #run(afterTake: () => void): Promise<void> {
    while (this.#running) {
      if (this.#buffer.length === 0) {
        await new Promise<void>((resolve) => {
          this.#notify = resolve;
        });
        this.#notify = undefined;
        continue;
      }
      const batch = this.#buffer.splice(0, this.#o.maxBatch);
      afterTake();
      await this.#processWithRetries(batch);
    }
  }

  /**
   * A batch is retried a few times (a database blip); if it still fails, each event is tried alone
   * and the one that keeps failing is dead-lettered, so one poison message cannot stop its
   * partition. Only when even dead-lettering fails (the database is down) does it retry for ever:
   * skipping then would lose the event.
   */
  async #processWithRetries(batch: RawMessage[]): Promise<void> {
    const attempts = this.#o.maxAttempts ?? 3;
    for (let attempt = 1, outage = 0; ; ) {
      try {
        await this.#process(batch);
        return;
      } catch (error) {
        if (isTransientDatabaseError(error)) {
          // The database is unreachable: wait for it, for as long as it takes.
          outage++;
          this.#o.logger.warn({ err: error, groupId: this.#o.groupId, outage }, "database unreachable; batch will be retried");
          await sleep(Math.min(5_000, 100 * 2 ** Math.min(outage, 6)));
          continue;
        }
        this.#o.logger.error({ err: error, groupId: this.#o.groupId, attempt, size: batch.length }, "event batch failed");
        if (attempt++ >= attempts) break;
        await sleep(100 * 2 ** attempt);
      }
    }
    for (const message of batch) {
      let lastError: unknown;
      for (let attempt = 1; attempt <= attempts; ) {
        try {
          await this.#process([message]);
          lastError = undefined;
          break;
        } catch (error) {
          lastError = error;
          if (!isTransientDatabaseError(error)) attempt++;
          await sleep(Math.min(5_000, 100 * 2 ** attempt));
        }
      }
      if (lastError === undefined) continue;
      for (let failures = 0; ; failures++) {
        try {
          await this.#inTransaction((client) => this.#deadLetter(client, message, "FAILED", [String((lastError as Error)?.message ?? lastError)]));
          this.#o.afterCommit?.();
          await (async () => message.commit())().catch(() => {});
          break;
        } catch (error) {
          this.#o.logger.error({ err: error }, "could not dead-letter an event; retrying");
          await sleep(Math.min(5_000, 100 * 2 ** Math.min(failures, 6)));
        }
      }
    }
  }

  async #inTransaction(work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
    const client = await this.#o.pool.connect();
    try {
      await client.query("BEGIN");
      await work(client);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async #deadLetter(db: pg.PoolClient, message: RawMessage, reason: DeadLetter["reason"], errors: string[]): Promise<void> {
    const letter: DeadLetter = {
      reason,
      errors,
      topic: message.topic,
      partition: message.partition,
      offset: String(message.offset),
      key: message.key ?? null,
      value: message.value,
      dead_lettered_at: new Date().toISOString(),
    };
    await enqueueOutbox(db, [{ topic: deadLetterTopic(message.topic), key: message.key || "dead-letter", payload: letter }]);
    await this.#o.onDeadLetter?.(db, letter);
    this.#o.metrics?.eventsDeadLettered.inc({ topic: message.topic, reason });
    this.#o.logger.error({ topic: message.topic, partition: message.partition, offset: String(message.offset), reason, errors }, "event dead-lettered");
  }

  async #process(batch: RawMessage[]): Promise<void> {
    const { decode, pool, metrics, handle } = this.#o;
    const events: ConsumedEvent<E>[] = [];
    const invalid: { message: RawMessage; errors: string[] }[] = [];
    for (const message of batch) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(message.value);
      } catch {
        parsed = undefined;
      }
      const decoded = decode(message.topic, parsed);
      if (!decoded.ok) {
        metrics?.eventsRejected.inc({ topic: message.topic });
        invalid.push({ message, errors: decoded.errors });
        continue;
      }
      events.push({ event: decoded.value, topic: message.topic, partition: message.partition, offset: message.offset });
    }

    if (events.length > 0 || invalid.length > 0) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        // Invalid events go to the dead-letter topic in the same transaction, never retried.
        for (const { message, errors } of invalid) await this.#deadLetter(client, message, "INVALID", errors);
        if (events.length > 0) {
          const { rows } = await client.query<{ event_id: string }>(
            `INSERT INTO inbox (event_id, topic) SELECT * FROM unnest($1::uuid[], $2::text[])
             ON CONFLICT DO NOTHING RETURNING event_id`,
            [events.map((e) => e.event.event_id), events.map((e) => e.topic)],
          );
          const fresh = new Set(rows.map((r) => r.event_id));
          const toApply = events.filter((e) => fresh.delete(e.event.event_id));
          if (toApply.length > 0) await handle(client, toApply);
          metrics?.eventsConsumed.inc({ topic: events[0]?.topic ?? "" }, toApply.length);
          metrics?.eventsDuplicated.inc(events.length - toApply.length);
        }
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      } finally {
        client.release();
      }
      this.#o.afterCommit?.();
    }

    // Commit the highest offset seen per partition, after the database commit. If that fails (the
    // coordinator moved, the client was rebuilt) the events are applied all the same: they come
    // again and the inbox skips them, so this is not a reason to retry or dead-letter the batch.
    const last = new Map<string, RawMessage>();
    for (const message of batch) last.set(`${message.topic}:${message.partition}`, message);
    await Promise.all([...last.values()].map((m) => m.commit())).catch((error) => {
      this.#o.logger.warn({ err: error, groupId: this.#o.groupId }, "offset commit failed; the batch will be redelivered and skipped");
    });
  }
}
