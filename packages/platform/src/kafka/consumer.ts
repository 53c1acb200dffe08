import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Consumer, type Message, type MessagesStream, stringDeserializers } from "@platformatic/kafka";
import type pg from "pg";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics.ts";
import { closeClient, type KafkaSettings } from "./client.ts";
import { isUnreachableDatabaseError } from "../db/errors.ts";
import { withTransaction } from "../db/pool.ts";
import { backoffMs, withDeadline } from "../timing.ts";
import { rememberTraceparent, traceIdOf } from "../tracing.ts";
import { afterFailure } from "./failure-policy.ts";
import { enqueueOutbox } from "./outbox.ts";

/** Dead letters of a topic go to `<topic>.dlq`. */
export const deadLetterTopic = (topic: string) => `${topic}.dlq`;

/** What a dead letter carries: the original message and why it could not be applied. */
export interface DeadLetter {
  /** The traceparent header the message arrived with: a replay carries it again. */
  traceparent?: string;
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
  /** The W3C traceparent header it arrived with, if any (also by `traceparentOf(event)`). */
  traceparent?: string;
}

export interface EventConsumerOptions<E extends { event_id: string }> {
  settings: KafkaSettings;
  groupId: string;
  topics: string[];
  pool: pg.Pool;
  /**
   * Sharded services: the database an event is applied in (its customer's shard). A batch is split
   * by database, each part applied in its own transaction with its inbox rows there; a part that
   * fails has the whole batch retried, and the parts already committed are skipped by their inbox.
   * Dead letters and invalid messages go to `pool`.
   */
  poolOf?: (event: E) => pg.Pool;
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
  /**
   * A consumer that has received nothing for this long while its partitions hold unapplied
   * messages is taken for wedged and rebuilt (a fetch loop that died without an error).
   */
  stallAfterMs?: number;
  /** Bound on each call to Kafka on the recovery path (close, lag, offsets); joining gets twice the session timeout more. */
  kafkaCallTimeoutMs?: number;
}

type RawMessage = Message<string, string, string, string>;

/** Messages parked for databases that cannot be reached, at most this many batches' worth. */
const PARKED_BATCHES = 20;
/** How soon the parked messages of an unreachable database are tried again: doubling up to the maximum. */
const PARKED_RETRY_MS = 1_000;
const PARKED_RETRY_MAX_MS = 15_000;
const partitionKey = (m: { topic: string; partition: number }) => `${m.topic}:${m.partition}`;

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
  /** When a message last arrived or a batch last finished. */
  #lastProgress = Date.now();
  #processing = false;
  #processingSince = 0;
  #stalled = false;
  #watchdog: NodeJS.Timeout | undefined;
  #watching = false;
  /** When the watchdog last ticked (performance.now()): a gap longer than the session timeout means this process was suspended. */
  #lastWatchAt = performance.now();
  #watchEveryMs = 5_000;
  /**
   * Sharded: the messages of each database that could not be reached, in order, kept while the
   * other databases' messages go on being applied. Their partitions' offsets are not committed
   * past them (#uncommitted holds the furthest message to commit once none is parked), so a crash
   * redelivers them, and the inbox skips what was applied meanwhile.
   */
  #parked = new Map<pg.Pool, RawMessage[]>();
  #parkedRetryAt = 0;
  #parkedRetries = 0;
  /** Whether the parked messages were at their bound when last looked at (logged on change). */
  #wasFull = false;
  #uncommitted = new Map<string, RawMessage>();
  /** While parked messages are retried, nothing is committed until every one is settled. */
  #holdCommits = false;
  /** A rebuilt client redelivers from the committed offsets: parked state is dropped between batches. */
  #resetParked = false;
  #reportedConsuming = true;
  /** The group's committed offsets when this member, holding no partition, first saw messages waiting. */
  #groupSeen: { committed: string; since: number; acted: boolean } | undefined;
  /** Which client each message came from (a number per client made), and the current one's. */
  #clientOf = new WeakMap<RawMessage, number>();
  #clientsMade = 0;
  #client = 0;
  /** Commits waiting on the current client, released when it is replaced. */
  #onReplaced = new Set<() => void>();

  constructor(options: EventConsumerOptions<E>) {
    this.#o = { maxBatch: 500, sessionTimeoutMs: 20_000, maxAttempts: 3, stallAfterMs: 30_000, kafkaCallTimeoutMs: 10_000, ...options };
  }

  get consumer() {
    return this.#consumer;
  }

  /** The current message stream (for diagnostics and fault-injection tests). */
  get stream() {
    return this.#stream;
  }

  /**
   * Whether this consumer is taking messages: false while it is rebuilding its client, before its
   * first stream, after it was found wedged, or once stopped. /ready reports it.
   */
  get consuming(): boolean {
    // A batch in hand for longer than twice the stall bound (a handler waiting on a dependency
    // that does not answer, a database outage being retried) is not consuming either.
    const stuck = this.#processing && Date.now() - this.#processingSince > 2 * (this.#o.stallAfterMs ?? 30_000);
    return this.#running && this.#stream !== undefined && this.#reopening === undefined && !this.#stalled && !stuck;
  }

  /**
   * Messages on this member's assigned partitions that the group has not committed: the log end
   * offset minus the group's committed offset, read from the brokers (not from this client's
   * memory, which a fresh client lacks). Bounded: a client that cannot answer throws.
   */
  async lag(): Promise<number> {
    const consumer = this.#consumer;
    const assigned = (consumer?.assignments ?? []).filter((a) => a.partitions.length > 0);
    if (!consumer || assigned.length === 0) return 0;
    const timeout = this.#o.kafkaCallTimeoutMs ?? 10_000;
    const [ends, committed] = await Promise.all([
      withDeadline(consumer.listOffsets({ topics: assigned.map((a) => a.topic) }), timeout, "listing log end offsets"),
      withDeadline(consumer.listCommittedOffsets({ topics: assigned }), timeout, "listing committed offsets"),
    ]);
    let total = 0n;
    for (const { topic, partitions } of assigned) {
      for (const partition of partitions) {
        const end = ends.get(topic)?.[partition] ?? 0n;
        const done = committed.get(topic)?.[partition] ?? -1n;
        const pending = end - (done < 0n ? 0n : done);
        if (pending > 0n) total += pending;
      }
    }
    return Number(total);
  }

  /**
   * The group's lag on every partition of its topics (not only this member's): log end, committed
   * offset (null: none yet) and the difference; for the operators' System page. Bounded.
   */
  async lagByPartition(): Promise<{ group: string; partitions: { topic: string; partition: number; end: string; committed: string | null; lag: number }[] }> {
    const consumer = this.#consumer;
    const group = this.#o.groupId;
    if (!consumer) return { group, partitions: [] };
    const timeout = this.#o.kafkaCallTimeoutMs ?? 10_000;
    const ends = await withDeadline(consumer.listOffsets({ topics: this.#o.topics }), timeout, "listing log end offsets");
    const all = this.#o.topics.map((topic) => ({ topic, partitions: (ends.get(topic) ?? []).map((_, i) => i) }));
    const committed = await withDeadline(consumer.listCommittedOffsets({ topics: all }), timeout, "listing committed offsets");
    const partitions = all.flatMap(({ topic, partitions: ps }) =>
      ps.map((partition) => {
        const end = ends.get(topic)?.[partition] ?? 0n;
        const done = committed.get(topic)?.[partition] ?? -1n;
        return { topic, partition, end: String(end), committed: done < 0n ? null : String(done), lag: Number(end - (done < 0n ? 0n : done)) };
      }),
    );
    return { group, partitions };
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
    this.#o.metrics?.gauge("consumer_parked_messages", "Messages held for an unreachable database, waiting to be applied", () => this.#parkedCount());
    this.#o.metrics?.gauge("consumer_back_pressured", "1 while parked messages are at their bound and no database's events are applied", () => (this.#backPressured() ? 1 : 0));
    this.#o.metrics?.gauge("consumer_consuming", "1 while the Kafka consumer takes messages, 0 while it is rebuilding or wedged", () => (this.consuming ? 1 : 0));
    this.#watchEveryMs = Math.min(5_000, Math.max(250, (this.#o.stallAfterMs ?? 30_000) / 4));
    // From now: joining the group (up to twice the session timeout) is not a suspension.
    this.#lastWatchAt = performance.now();
    this.#watchdog = setInterval(() => void this.#watch(), this.#watchEveryMs);
    this.#watchdog.unref();
    this.#loop = this.#run(() => {
      if (this.#paused && this.#buffer.length < (this.#o.maxBatch ?? 500)) {
        this.#paused = false;
        this.#stream?.resume();
      }
    });
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearInterval(this.#watchdog);
    this.#notify?.();
    await this.#reopening;
    await this.#loop;
    await this.#close(this.#consumer);
  }

  /**
   * Closes a client, bounded. A close that fails or hangs (its coordinator is gone, an offset
   * commit queued in its stream fails) leaves the client a live group member: the library cancels
   * its heartbeat only once it has left the group, and a fenced member rejoins by itself. With
   * static membership, such a client and its successor share one group.instance.id and fence
   * each other for as long as the process lives, and the abandoned one, whose stream is closed,
   * may end up holding the partitions: nothing is consumed and no error is said (seen in a
   * three-broker chaos run after the process was suspended). So an abandoned client is severed:
   * its connection pool is closed, which the library never reopens, and a second close, with its
   * streams now closed, cancels its heartbeat.
   */
  async #close(consumer: Consumer<string, string, string, string> | undefined): Promise<void> {
    if (!consumer) return;
    await closeClient(consumer, this.#o.kafkaCallTimeoutMs ?? 10_000, "the consumer", (error) => {
      this.#o.logger.warn({ err: error, groupId: this.#o.groupId }, "consumer did not close cleanly; its connections closed and it is abandoned");
    });
  }

  /**
   * Every few seconds: a consumer that waits for messages (nothing buffered, no batch in hand) and
   * has received nothing for stallAfterMs while its partitions hold unapplied messages, or whose
   * lag cannot even be read, is wedged: rebuild it. Also tells the log when consuming stops or resumes.
   */
  async #watch(): Promise<void> {
    // This process did not run for longer than the session timeout (SIGSTOP, a VM paused, the
    // event loop blocked): the group has dropped this member, and the client may not notice for
    // a long while (it was seen fetching nothing for 30 s). Rebuild now rather than wait for the
    // stall bound; at worst a needless rejoin, and the inbox drops any redelivered copies. Measured
    // on the monotonic clock, every tick (even one that finds the watchdog busy), less one tick.
    const now = performance.now();
    const suspendedFor = now - this.#lastWatchAt - this.#watchEveryMs;
    this.#lastWatchAt = now;
    if (this.#watching || !this.#running) return;
    this.#watching = true;
    try {
      const stream = this.#stream;
      if (stream && !this.#reopening && suspendedFor >= (this.#o.sessionTimeoutMs ?? 20_000)) {
        this.#o.metrics?.consumerStalls.inc();
        this.#o.logger.warn({ groupId: this.#o.groupId, suspendedMs: suspendedFor }, "this process was suspended longer than the consumer's session timeout; rebuilding the consumer");
        this.#reopen(stream);
        return;
      }
      const idleFor = Date.now() - this.#lastProgress;
      if (stream && !this.#reopening && !this.#processing && this.#buffer.length === 0 && idleFor >= (this.#o.stallAfterMs ?? 30_000)) {
        let lag: number | undefined;
        let stuckGroup = 0;
        try {
          lag = await this.lag();
          // No partition of its own: its lag says nothing. If the whole group has not moved for
          // long while messages wait, the partitions are held by a member that does not consume
          // (a client that should have left, a fenced twin, one stuck in a batch): rejoining makes
          // the group assign them again. Once per such episode, and not a reason to turn this
          // member not ready: it has nothing of its own waiting.
          if (lag === 0 && !this.#hasPartitions()) stuckGroup = await this.#stuckGroupLag();
          else this.#groupSeen = undefined;
        } catch (error) {
          this.#o.logger.warn({ err: error, groupId: this.#o.groupId }, "consumer lag unreadable");
        }
        if (stuckGroup > 0) {
          this.#o.metrics?.consumerStalls.inc();
          this.#o.logger.error({ groupId: this.#o.groupId, waiting: stuckGroup }, "consumer holds no partition while its group's committed offsets have not moved and messages wait; rejoining the group");
          this.#reopen(stream);
        } else if (lag === undefined || lag > 0) {
          this.#stalled = true;
          this.#o.metrics?.consumerStalls.inc();
          this.#o.logger.error({ groupId: this.#o.groupId, idleMs: idleFor, lag: lag ?? "unknown" }, "consumer received nothing while messages wait; rebuilding it");
          this.#reopen(stream);
        } else {
          this.#lastProgress = Date.now();
        }
      }
      const consuming = this.consuming;
      if (consuming !== this.#reportedConsuming) {
        this.#reportedConsuming = consuming;
        if (consuming) this.#o.logger.info({ groupId: this.#o.groupId }, "consumer is consuming again");
        else this.#o.logger.warn({ groupId: this.#o.groupId }, "consumer is not consuming");
      }
    } finally {
      this.#watching = false;
    }
  }

  #hasPartitions(): boolean {
    return (this.#consumer?.assignments ?? []).some((a) => a.partitions.length > 0);
  }

  /**
   * The messages waiting on the group's partitions if none of its committed offsets has moved
   * since this member first saw them waiting, longer ago than a member stuck in a batch takes to
   * count as not consuming (twice stallAfterMs) plus a session timeout; else 0, and the offsets as
   * they are now are remembered. Once per unchanged set of offsets: a group still stuck after
   * this member rejoined does not make it rejoin again and again. Bounded; throws when unreadable.
   */
  async #stuckGroupLag(): Promise<number> {
    const { partitions } = await this.lagByPartition();
    const waiting = partitions.reduce((n, p) => n + Math.max(0, p.lag), 0);
    const committed = partitions.map((p) => `${p.topic}:${p.partition}:${p.committed}`).join(",");
    const seen = this.#groupSeen;
    if (waiting === 0 || !seen || seen.committed !== committed) {
      this.#groupSeen = waiting === 0 ? undefined : { committed, since: Date.now(), acted: false };
      return 0;
    }
    const after = 2 * (this.#o.stallAfterMs ?? 30_000) + (this.#o.sessionTimeoutMs ?? 20_000);
    if (seen.acted || Date.now() - seen.since < after) return 0;
    seen.acted = true;
    return waiting;
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
      ...(settings.metrics ? { metrics: settings.metrics } : {}),
    });
    // The client itself emits "error" when it gives up rejoining the group (its coordinator gone,
    // a connection closed mid-join). Unheard, that event kills the process; heard, it is one more
    // reason to rebuild. A client already replaced or abandoned only logs it.
    consumer.on("error", (error: unknown) => {
      const current = this.#consumer === consumer && this.#stream !== undefined;
      this.#o.logger.error({ err: error, groupId, current }, current ? "consumer client failed; reconnecting" : "a replaced consumer client failed");
      if (current && this.#stream) this.#reopen(this.#stream);
    });
    let stream: MessagesStream<string, string, string, string>;
    try {
      // Joining waits for a rebalance, which the group may hold for up to a session timeout.
      const joinTimeout = 2 * (this.#o.sessionTimeoutMs ?? 20_000) + (this.#o.kafkaCallTimeoutMs ?? 10_000);
      stream = await withDeadline(
        consumer.consume({ topics, mode: "committed", fallbackMode: "earliest", autocommit: false, maxWaitTime: 200 }),
        joinTimeout,
        "joining the consumer group",
      );
    } catch (error) {
      await this.#close(consumer);
      throw error;
    }
    this.#consumer = consumer;
    this.#stream = stream;
    this.#paused = false;
    this.#stalled = false;
    this.#lastProgress = Date.now();
    const client = ++this.#clientsMade;
    this.#client = client;
    stream.on("data", (message: RawMessage) => {
      if (stream !== this.#stream) return;
      this.#clientOf.set(message, client);
      this.#lastProgress = Date.now();
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
      if (stream !== this.#stream) {
        this.#o.logger.debug({ err: error, groupId }, "a replaced consumer stream failed");
        return;
      }
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
      // Its messages' offsets are moot from now (#commitNow): no commit waits on it any longer.
      this.#client = 0;
      for (const release of this.#onReplaced) release();
      this.#onReplaced.clear();
      // Not yet applied: the new client fetches them again from the committed offsets (parked
      // messages and those held back behind them too; the inbox skips what was applied).
      this.#buffer = [];
      this.#resetParked = true;
      // Every await here is bounded: one hung close or join must not stop the service for good.
      await this.#close(old);
      // Its stream has a connection pool of its own for fetches, closed only when it is destroyed.
      if (!dead.destroyed) dead.destroy();
      for (let attempt = 0; this.#running; attempt++) {
        try {
          await this.#open();
          this.#o.logger.info({ groupId: this.#o.groupId, attempt }, "consumer reconnected");
          return;
        } catch (error) {
          this.#o.logger.warn({ err: error, groupId: this.#o.groupId, attempt }, "consumer could not reconnect; retrying");
          await sleep(backoffMs(attempt, { baseMs: 250 }));
        }
      }
    })().finally(() => {
      this.#reopening = undefined;
    });
  }

  async #run(afterTake: () => void): Promise<void> {
    while (this.#running) {
      // Between batches only: a batch in flight keeps appending behind what is parked, in order.
      if (this.#resetParked) {
        this.#resetParked = false;
        this.#parked.clear();
        this.#uncommitted.clear();
        this.#parkedRetries = 0;
      }
      if (this.#parked.size > 0 && Date.now() >= this.#parkedRetryAt) {
        await this.#step(() => this.#retryParked());
        continue;
      }
      // Parked messages up to the bound: take no more until their database answers (back-pressure).
      const full = this.#backPressured();
      if (full !== this.#wasFull) {
        this.#wasFull = full;
        if (full) this.#o.logger.error({ groupId: this.#o.groupId, parked: this.#parkedCount() }, "consumer is not consuming: as many messages are parked for an unreachable database as it may hold; no database's events are applied until it answers");
        else this.#o.logger.info({ groupId: this.#o.groupId }, "consumer takes messages again: parked messages went below the bound");
      }
      if (this.#buffer.length === 0 || full) {
        await new Promise<void>((resolve) => {
          this.#notify = resolve;
          if (this.#parked.size > 0) setTimeout(resolve, Math.max(10, this.#parkedRetryAt - Date.now()));
        });
        this.#notify = undefined;
        continue;
      }
      const batch = this.#buffer.splice(0, this.#o.maxBatch);
      afterTake();
      await this.#step(() => this.#processWithRetries(batch));
    }
  }

  async #step(work: () => Promise<void>): Promise<void> {
    this.#processing = true;
    this.#processingSince = Date.now();
    try {
      await work();
    } finally {
      this.#processing = false;
      this.#lastProgress = Date.now();
    }
  }

  /**
   * Parked messages at their bound: the consumer takes no more for any database until the one down
   * answers. Said in the log and by gauges (consumer_parked_messages, consumer_back_pressured), not
   * by /ready: every instance shares the databases, so taking all of them out of rotation would
   * refuse the other shards' customers too (decision 014).
   */
  get backPressured(): boolean {
    return this.#backPressured();
  }

  #backPressured(): boolean {
    return this.#parkedCount() >= PARKED_BATCHES * (this.#o.maxBatch ?? 500);
  }

  #parkedCount(): number {
    let n = 0;
    for (const messages of this.#parked.values()) n += messages.length;
    return n;
  }

  #park(pool: pg.Pool, incoming: RawMessage[], error?: unknown): void {
    const held = this.#parked.get(pool);
    // A batch retried (another part failed for another reason) brings the same messages again.
    const known = new Set((held ?? []).map((m) => `${partitionKey(m)}:${m.offset}`));
    const messages = incoming.filter((m) => !known.has(`${partitionKey(m)}:${m.offset}`));
    if (messages.length === 0) return;
    if (this.#parked.size === 0) this.#parkedRetryAt = Date.now() + PARKED_RETRY_MS;
    if (!held && !this.#holdCommits) {
      this.#o.logger.warn({ err: error, groupId: this.#o.groupId, messages: messages.length }, "a database cannot be reached; its messages wait while the other databases' are applied");
    }
    this.#parked.set(pool, [...(held ?? []), ...messages]);
    if (!this.#holdCommits) this.#o.metrics?.eventsParked.inc(messages.length);
  }

  /**
   * Tries each unreachable database's parked messages again, in their order and in batches: the
   * first batch that parks again keeps the rest behind it. Nothing is committed until every
   * parked message is settled (applied, dead-lettered or parked again), so no commit can pass one
   * still waiting. A database still down is tried again later and later (up to 15 s).
   */
  async #retryParked(): Promise<void> {
    const parked = [...this.#parked];
    this.#holdCommits = true;
    try {
      for (const [pool, messages] of parked) {
        // Only this database's list leaves #parked, so a message that parks again goes back in order.
        this.#parked.delete(pool);
        const size = this.#o.maxBatch ?? 500;
        for (let i = 0; i < messages.length; i += size) {
          const chunk = messages.slice(i, i + size);
          try {
            await this.#process(chunk);
          } catch (error) {
            // Not a database that is down (that parks again inside #process): the usual retries
            // and dead letters, one event at a time if need be.
            this.#o.logger.error({ err: error, groupId: this.#o.groupId }, "parked messages failed; retrying them as a batch");
            await this.#processWithRetries(chunk);
          }
          if (this.#parked.has(pool)) {
            this.#park(pool, messages.slice(i + size));
            break;
          }
        }
      }
    } finally {
      this.#holdCommits = false;
    }
    this.#parkedRetries = this.#parked.size > 0 ? this.#parkedRetries + 1 : 0;
    this.#parkedRetryAt = Date.now() + backoffMs(this.#parkedRetries, { baseMs: PARKED_RETRY_MS, maxMs: PARKED_RETRY_MAX_MS });
    if (this.#parked.size === 0) this.#o.logger.info({ groupId: this.#o.groupId }, "every parked message applied");
    await this.#commitUnblocked();
  }

  /** Commits, for each partition with nothing parked any more, the furthest message held back for it. */
  async #commitUnblocked(): Promise<void> {
    if (this.#holdCommits) return;
    const blocked = new Set([...this.#parked.values()].flat().map(partitionKey));
    const ready = [...this.#uncommitted].filter(([key]) => !blocked.has(key));
    for (const [key] of ready) this.#uncommitted.delete(key);
    await this.#commitNow(ready.map(([, m]) => m));
  }

  /**
   * Commits these messages' offsets, bounded. A message taken from a client that has been
   * replaced since is not committed: its client is closed and would never answer (the consumer
   * waited out the whole bound, seen after a suspension in the chaos suite), and its offset is
   * moot, as the new client reads again from the committed offsets and the inbox drops what
   * comes twice. A commit in flight when the client is replaced is given up at that moment.
   */
  async #commitNow(messages: RawMessage[]): Promise<void> {
    const live = messages.filter((m) => this.#clientOf.get(m) === this.#client);
    if (live.length === 0) return;
    let release: () => void = () => {};
    const replaced = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.#onReplaced.add(release);
    await withDeadline(
      Promise.race([Promise.all(live.map((m) => Promise.resolve().then(() => m.commit()))), replaced]),
      this.#o.kafkaCallTimeoutMs ?? 10_000,
      "committing offsets",
    )
      .catch((error) => {
        this.#o.logger.warn({ err: error, groupId: this.#o.groupId }, "offset commit failed; the batch will be redelivered and skipped");
      })
      .finally(() => this.#onReplaced.delete(release));
  }

  /**
   * A batch is retried a few times (a database blip); if it still fails, each event is tried alone
   * and the one that keeps failing is dead-lettered, so one poison message cannot stop its
   * partition. Only when even dead-lettering fails (the database is down) does it retry for ever:
   * skipping then would lose the event.
   */
  async #processWithRetries(batch: RawMessage[]): Promise<void> {
    const attempts = this.#o.maxAttempts ?? 3;
    for (let failures = 0, outage = 0; ; ) {
      try {
        await this.#process(batch);
        return;
      } catch (error) {
        const step = afterFailure(error, failures + 1, attempts);
        if (step === "wait") {
          outage++;
          this.#o.logger.warn({ err: error, groupId: this.#o.groupId, outage }, "database unreachable; batch will be retried");
          await sleep(backoffMs(outage));
          continue;
        }
        failures++;
        this.#o.logger.error({ err: error, groupId: this.#o.groupId, attempt: failures, size: batch.length }, "event batch failed");
        if (step === "give-up") break;
        await sleep(backoffMs(failures));
      }
    }
    // The batch keeps failing: each event alone, so that only the one at fault is dead-lettered.
    for (const message of batch) {
      let lastError: unknown;
      for (let failures = 0, outage = 0; ; ) {
        try {
          await this.#process([message]);
          lastError = undefined;
          break;
        } catch (error) {
          lastError = error;
          const step = afterFailure(error, failures + 1, attempts);
          if (step === "wait") outage++;
          else failures++;
          if (step === "give-up") break;
          await sleep(backoffMs(step === "wait" ? outage : failures));
        }
      }
      if (lastError === undefined) continue;
      for (let failures = 0; ; failures++) {
        try {
          await withTransaction(this.#o.pool, (client) => this.#deadLetter(client, message, "FAILED", [String((lastError as Error)?.message ?? lastError)]));
          this.#o.afterCommit?.();
          await this.#commit([message]);
          break;
        } catch (error) {
          this.#o.logger.error({ err: error }, "could not dead-letter an event; retrying");
          await sleep(backoffMs(failures));
        }
      }
    }
  }

  async #deadLetter(db: pg.PoolClient, message: RawMessage, reason: DeadLetter["reason"], errors: string[]): Promise<void> {
    // Once per place in the log (the message may have no usable event id): redelivered, or in a
    // batch retried because another shard's part failed, it is not dead-lettered a second time.
    const first = await db.query("INSERT INTO inbox (event_id, topic) VALUES ($1, $2) ON CONFLICT DO NOTHING", [placeId(message), message.topic]);
    if (first.rowCount !== 1) return;
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
    const traceparent = message.headers?.get("traceparent");
    if (traceIdOf(traceparent)) letter.traceparent = traceparent;
    await enqueueOutbox(db, [{ topic: deadLetterTopic(message.topic), key: message.key || "dead-letter", payload: letter, ...(letter.traceparent ? { traceparent: letter.traceparent } : {}) }]);
    await this.#o.onDeadLetter?.(db, letter);
    this.#o.metrics?.eventsDeadLettered.inc({ topic: message.topic, reason });
    this.#o.logger.error({ topic: message.topic, partition: message.partition, offset: String(message.offset), reason, errors, trace_id: traceIdOf(letter.traceparent) }, "event dead-lettered");
  }

  async #process(batch: RawMessage[]): Promise<void> {
    const { decode, metrics, handle } = this.#o;
    const events: ConsumedEvent<E>[] = [];
    const invalid: { message: RawMessage; errors: string[] }[] = [];
    const eventMessages: RawMessage[] = [];
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
      // Only a valid traceparent is kept (exactly 55 characters): a header is anyone's input.
      const header = message.headers?.get("traceparent");
      const traceparent = traceIdOf(header) ? header : undefined;
      rememberTraceparent(decoded.value, traceparent);
      events.push({ event: decoded.value, topic: message.topic, partition: message.partition, offset: message.offset, ...(traceparent ? { traceparent } : {}) });
      eventMessages.push(message);
    }

    if (events.length > 0 || invalid.length > 0) {
      const main = this.#o.pool;
      const parts = new Map<pg.Pool, { events: ConsumedEvent<E>[]; messages: RawMessage[] }>([[main, { events: [], messages: invalid.map((i) => i.message) }]]);
      for (const [i, e] of events.entries()) {
        const pool = this.#o.poolOf?.(e.event) ?? main;
        const part = parts.get(pool) ?? { events: [], messages: [] };
        part.events.push(e);
        part.messages.push(eventMessages[i] as RawMessage);
        parts.set(pool, part);
      }
      const sharded = this.#o.poolOf !== undefined;
      await Promise.all(
        [...parts].map(async ([pool, part]) => {
          if (part.messages.length === 0) return;
          // A database already found unreachable: its messages join the parked ones, in order.
          if (sharded && this.#parked.has(pool)) return this.#park(pool, part.messages);
          let applied: ConsumedEvent<E>[] = [];
          try {
            await withTransaction(pool, async (client) => {
              // Invalid events go to the dead-letter topic in the same transaction, never retried.
              if (pool === main) for (const { message, errors } of invalid) await this.#deadLetter(client, message, "INVALID", errors);
              if (part.events.length === 0) return;
              const { rows } = await client.query<{ event_id: string }>(
                `INSERT INTO inbox (event_id, topic) SELECT * FROM unnest($1::uuid[], $2::text[])
                 ON CONFLICT DO NOTHING RETURNING event_id`,
                [part.events.map((e) => e.event.event_id), part.events.map((e) => e.topic)],
              );
              const fresh = new Set(rows.map((r) => r.event_id));
              const toApply = part.events.filter((e) => fresh.delete(e.event.event_id));
              if (toApply.length > 0) await handle(client, toApply);
              applied = toApply;
              metrics?.eventsConsumed.inc({ topic: part.events[0]?.topic ?? "" }, toApply.length);
              metrics?.eventsDuplicated.inc(part.events.length - toApply.length);
            });
            // Committed: one line per event at debug, with its trace id (an order's path is found by one id).
            if (this.#o.logger.isLevelEnabled("debug")) {
              for (const e of applied) {
                this.#o.logger.debug({ topic: e.topic, partition: e.partition, offset: String(e.offset), eventId: e.event.event_id, trace_id: traceIdOf(e.traceparent) }, "event applied");
              }
            }
          } catch (error) {
            // Sharded, and this database cannot be reached: park its messages and let the other
            // databases' parts stand. Anything else (contention included: a deadlock, a busy pool)
            // fails the batch as before, retried at once; the committed parts are then skipped.
            if (sharded && isUnreachableDatabaseError(error)) return this.#park(pool, part.messages, error);
            throw error;
          }
        }),
      );
      this.#o.afterCommit?.();
    }

    // Commit the highest offset seen per partition, after the database commit. If that fails (the
    // coordinator moved, the client was rebuilt) the events are applied all the same: they come
    // again and the inbox skips them, so this is not a reason to retry or dead-letter the batch.
    // Bounded: a commit to a coordinator that is gone can wait for ever, and it would hold this
    // batch, and so the consumer, with it (seen in the three-broker chaos run).
    await this.#commit(batch);
  }

  /**
   * Commits the furthest message of each partition of `batch`. A partition with a parked message
   * is not committed past it: its furthest message waits in #uncommitted until nothing of the
   * partition is parked.
   */
  async #commit(batch: RawMessage[]): Promise<void> {
    const last = new Map<string, RawMessage>();
    for (const message of batch) last.set(partitionKey(message), message);
    if (this.#parked.size > 0 || this.#uncommitted.size > 0 || this.#holdCommits) {
      for (const [key, message] of last) {
        const held = this.#uncommitted.get(key);
        if (!held || held.offset < message.offset) this.#uncommitted.set(key, message);
      }
      await this.#commitUnblocked();
      return;
    }
    await this.#commitNow([...last.values()]);
  }
}

/** A uuid naming a message's place in the log (topic, partition, offset), for messages without a usable id. */
export function placeId(message: { topic: string; partition: number; offset: bigint | number | string }): string {
  const hex = createHash("sha256").update(`${message.topic}\u0000${message.partition}\u0000${String(message.offset)}`).digest("hex");
  // Shaped as a version-8 (custom) uuid, so the inbox's uuid column takes it.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
