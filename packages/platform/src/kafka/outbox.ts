import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics.ts";
import type { Queryable } from "../db/pool.ts";
import type { StringProducer } from "./client.ts";

export interface OutboxMessage {
  topic: string;
  key: string;
  /** Only for events that must reach one given partition; otherwise the key decides. */
  partition?: number;
  payload: unknown;
}

/** Writes events to the outbox; call it inside the transaction that makes the state change. */
export async function enqueueOutbox(db: Queryable, messages: OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await db.query(
    `INSERT INTO outbox (topic, message_key, partition, payload)
     SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::jsonb[])`,
    [
      messages.map((m) => m.topic),
      messages.map((m) => m.key),
      messages.map((m) => m.partition ?? null),
      messages.map((m) => JSON.stringify(m.payload)),
    ],
  );
}

const RELAY_LOCK = 727275;

export interface OutboxRelayOptions {
  pool: pg.Pool;
  producer: StringProducer;
  logger: Logger;
  metrics?: Metrics;
  batchSize?: number;
  idlePollMs?: number;
}

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
  readonly #options: Required<Omit<OutboxRelayOptions, "metrics">> & Pick<OutboxRelayOptions, "metrics">;

  constructor(options: OutboxRelayOptions) {
    this.#options = { batchSize: 500, idlePollMs: 100, ...options };
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
        const delay = Math.min(5_000, 100 * 2 ** Math.min(this.#failures, 6));
        logger.error({ err: error, retryInMs: delay }, "outbox relay failed; retrying");
        await sleep(delay);
        continue;
      }
      if (published < batchSize) await this.#idle(idlePollMs);
    }
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
    const { pool, producer, batchSize, metrics } = this.#options;
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      const lock = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_xact_lock($1) AS locked", [RELAY_LOCK]);
      if (!lock.rows[0]?.locked) {
        await client.query("COMMIT");
        return 0;
      }
      const { rows } = await client.query<{ id: string; topic: string; message_key: string; partition: number | null; payload: string }>(
        "SELECT id, topic, message_key, partition, payload::text AS payload FROM outbox ORDER BY id LIMIT $1",
        [batchSize],
      );
      if (rows.length > 0) {
        await producer.send({
          messages: rows.map((r) => ({
            topic: r.topic,
            key: r.message_key,
            value: r.payload,
            ...(r.partition === null ? {} : { partition: r.partition }),
          })),
        });
        await client.query("DELETE FROM outbox WHERE id = ANY($1::bigint[])", [rows.map((r) => r.id)]);
      }
      await client.query("COMMIT");
      metrics?.eventsPublished.inc(rows.length);
      return rows.length;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }
}

export async function outboxBacklog(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox");
  return rows[0]?.n ?? 0;
}
