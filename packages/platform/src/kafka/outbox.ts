import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics.ts";
import { ADVISORY_LOCKS } from "../db/locks.ts";
import { type Queryable, withTransaction } from "../db/pool.ts";
import { backoffMs, withDeadline } from "../timing.ts";
import { closeClient, type StringProducer } from "./client.ts";

export interface OutboxMessage {
  topic: string;
  key: string;
  /** Only for events that must reach one given partition; otherwise the key decides. */
  partition?: number;
  payload: unknown;
  /** The W3C traceparent of the span that caused it (a request, or the event handled): sent as a Kafka header. */
  traceparent?: string;
}

/** Writes events to the outbox; call it inside the transaction that makes the state change. */
export async function enqueueOutbox(db: Queryable, messages: OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await db.query(
    `INSERT INTO outbox (topic, message_key, partition, payload, traceparent)
     SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::jsonb[], $5::text[])`,
    [
      messages.map((m) => m.topic),
      messages.map((m) => m.key),
      messages.map((m) => m.partition ?? null),
      messages.map((m) => JSON.stringify(m.payload)),
      messages.map((m) => m.traceparent ?? null),
    ],
  );
}

const RELAY_LOCK = ADVISORY_LOCKS.outboxRelay;

export interface OutboxRelayOptions {
  pool: pg.Pool;
  /** Makes the relay's producer; called again to replace one that keeps failing. */
  createProducer: () => StringProducer;
  logger: Logger;
  metrics?: Metrics;
  batchSize?: number;
  idlePollMs?: number;
  /** Bound on one send (the producer's own retries included; default 10 s); past it the batch is retried. */
  sendTimeoutMs?: number;
  /** After this many failed publishes in a row the producer is replaced by a new one (default 2). */
  rebuildProducerAfterFailures?: number;
}

/** A relay is failing (for /ready) after this many failed publishes in a row… */
const FAILING_AFTER_PUBLISHES = 2;
/** …the last of them this recently. */
const FAILING_FOR_MS = 30_000;

/**
 * Publishes committed outbox rows in id order and deletes them in the same transaction once Kafka
 * acknowledged them. It never remembers a "last id": rows that commit late with a smaller id are
 * simply found on the next pass. One relay per database is active at a time (advisory lock), so
 * rows reach each partition in id order, which the campaign watermark relies on. A crash between
 * the send and the commit re-sends the batch; consumers drop the duplicates by event_id.
 */
export class OutboxRelay {
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #failures = 0;
  /** Publishes to Kafka that failed in a row (reset by one that succeeds, or by nothing left to send). */
  #sendFailures = 0;
  #lastSendFailureAt = 0;
  #producer: StringProducer;
  readonly #options: Required<Omit<OutboxRelayOptions, "metrics">> & Pick<OutboxRelayOptions, "metrics">;

  constructor(options: OutboxRelayOptions) {
    this.#options = { batchSize: 500, idlePollMs: 100, sendTimeoutMs: 10_000, rebuildProducerAfterFailures: 2, ...options };
    this.#producer = this.#listen(this.#options.createProducer());
  }

  /** A client's "error" event unheard would kill the process; the next failed pass deals with it. */
  #listen(producer: StringProducer): StringProducer {
    producer.on("error", (error: unknown) => this.#options.logger.warn({ err: error }, "relay producer reported an error"));
    return producer;
  }

  /** The producer in use now (it changes when a failing one is replaced). */
  get producer(): StringProducer {
    return this.#producer;
  }

  /**
   * Whether publishing to Kafka keeps failing (for /ready: this instance's events are not leaving):
   * two publishes in a row, the last within 30 s, with rows waiting. One failed send (a leader
   * moving) is not enough, and an outbox found empty, or relayed by another instance, clears it. A
   * database the relay cannot read is not counted: with shards, one database down leaves the
   * instance serving the others' customers, and /ops/shards names it.
   */
  get failing(): boolean {
    return this.#sendFailures >= FAILING_AFTER_PUBLISHES && performance.now() - this.#lastSendFailureAt < FAILING_FOR_MS;
  }

  async close(): Promise<void> {
    await this.stop();
    await closeClient(this.#producer, 10_000, "the relay's producer");
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Tells the relay that this instance just committed outbox rows. */
  nudge(): void {
    this.#wake?.();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.nudge();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { logger, idlePollMs, batchSize } = this.#options;
    while (this.#running) {
      let published = 0;
      try {
        published = await this.relayOnce();
        this.#failures = 0;
      } catch (error) {
        this.#failures++;
        const delay = backoffMs(this.#failures);
        logger.error({ err: error, retryInMs: delay, failures: this.#failures, publishFailures: this.#sendFailures }, "outbox relay failed; retrying");
        // A producer can stay broken after a broker loss (metadata naming a node that is gone,
        // a connection that never comes back): after a few failed publishes in a row, start a
        // fresh one (a database that cannot be read is no reason to).
        if (this.#sendFailures > 0 && this.#sendFailures % this.#options.rebuildProducerAfterFailures === 0) this.#rebuildProducer();
        await sleep(delay);
        continue;
      }
      if (published < batchSize) await this.#idle(idlePollMs);
    }
  }

  #rebuildProducer(): void {
    const old = this.#producer;
    this.#producer = this.#listen(this.#options.createProducer());
    this.#options.metrics?.relayProducerRebuilds.inc();
    this.#options.logger.warn({ failures: this.#failures }, "outbox relay replaced its Kafka producer");
    void closeClient(old, 10_000, "the relay's old producer", (error) => {
      this.#options.logger.warn({ err: error }, "the relay's old producer did not close cleanly; its connections closed and it is abandoned");
    });
  }

  #idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.#wake = undefined;
        resolve();
      }
      this.#wake = done;
    });
  }

  /** One pass: publishes up to batchSize rows. Returns how many were published. */
  async relayOnce(): Promise<number> {
    const { pool, batchSize, metrics, sendTimeoutMs } = this.#options;
    const producer = this.#producer;
    const published = await withTransaction(pool, async (client) => {
      const lock = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_xact_lock($1) AS locked", [RELAY_LOCK]);
      // Another instance relays this outbox: nothing of ours is failing to leave.
      if (!lock.rows[0]?.locked) {
        this.#sendFailures = 0;
        return 0;
      }
      const { rows } = await client.query<{ id: string; topic: string; message_key: string; partition: number | null; payload: string; traceparent: string | null }>(
        "SELECT id, topic, message_key, partition, payload::text AS payload, traceparent FROM outbox ORDER BY id LIMIT $1",
        [batchSize],
      );
      if (rows.length === 0) this.#sendFailures = 0;
      if (rows.length > 0) {
        // Bounded: a send that never answers must not hold the relay (and its lock) for ever. If it
        // was delivered after all, the retry re-sends and the consumers' inbox drops the copies.
        await withDeadline(
          producer.send({
            messages: rows.map((r) => ({
              topic: r.topic,
              key: r.message_key,
              value: r.payload,
              ...(r.partition === null ? {} : { partition: r.partition }),
              ...(r.traceparent === null ? {} : { headers: { traceparent: r.traceparent } }),
            })),
          }),
          sendTimeoutMs,
          "publishing an outbox batch",
        ).then(
          () => {
            this.#sendFailures = 0;
          },
          (error: unknown) => {
            this.#sendFailures++;
            this.#lastSendFailureAt = performance.now();
            throw error;
          },
        );
        await client.query("DELETE FROM outbox WHERE id = ANY($1::bigint[])", [rows.map((r) => r.id)]);
      }
      return rows.length;
    });
    metrics?.eventsPublished.inc(published);
    return published;
  }
}

export async function outboxBacklog(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox");
  return rows[0]?.n ?? 0;
}
