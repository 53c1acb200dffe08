import { randomUUID } from "node:crypto";
import { Consumer, stringDeserializers } from "@platformatic/kafka";
import { withDeadline } from "../timing.ts";
import { closeClient, type KafkaSettings } from "./client.ts";
import type { DeadLetter } from "./consumer.ts";

/** A dead letter with where its dead-letter topic keeps it. */
export interface StoredDeadLetter {
  deadLetterTopic: string;
  partition: number;
  offset: string;
  /** null when the record is not a dead letter this platform wrote (unreadable, or not its shape). */
  letter: DeadLetter | null;
  raw: string;
}

/** A record of a dead-letter topic read as a DeadLetter, or null when it is not one. */
export function parseDeadLetter(raw: string): DeadLetter | null {
  try {
    const v = JSON.parse(raw) as Partial<DeadLetter>;
    const ok =
      (v.reason === "INVALID" || v.reason === "FAILED") &&
      Array.isArray(v.errors) &&
      v.errors.every((e) => typeof e === "string") &&
      typeof v.topic === "string" &&
      Number.isInteger(v.partition) &&
      typeof v.offset === "string" &&
      (v.key === null || typeof v.key === "string") &&
      typeof v.value === "string" &&
      typeof v.dead_lettered_at === "string";
    return ok ? (v as DeadLetter) : null;
  } catch {
    return null;
  }
}

/** Kafka did not answer in time, or failed: the caller answers 503 (retry), not 500. */
export class DeadLettersUnavailable extends Error {}

/** A record of a dead-letter topic as the readers keep it. */
function stored(m: { topic: string; partition: number; offset: bigint; value: string }): StoredDeadLetter {
  return { deadLetterTopic: m.topic, partition: m.partition, offset: String(m.offset), letter: parseDeadLetter(m.value), raw: m.value };
}

type Reader = Consumer<string, string, string, string>;
type Offsets = Awaited<ReturnType<Reader["listOffsets"]>>;

/**
 * Runs `read` with a throw-away consumer group that commits nothing, the topics' start and end
 * offsets, and the time left of `timeoutMs`; a Kafka failure becomes DeadLettersUnavailable (503),
 * and the client is closed (bounded) whatever happens.
 */
async function withReader<T>(
  kafka: Pick<KafkaSettings, "brokers" | "clientId">,
  topics: readonly string[],
  timeoutMs: number,
  read: (consumer: Reader, offsets: { starts: Offsets; ends: Offsets }, left: () => number) => Promise<T>,
): Promise<T> {
  const consumer = new Consumer({
    clientId: `${kafka.clientId}-dead-letters`,
    groupId: `dead-letter-reader-${randomUUID()}`,
    bootstrapBrokers: kafka.brokers,
    deserializers: stringDeserializers,
  });
  consumer.on("error", () => {});
  const started = Date.now();
  const left = () => Math.max(1, timeoutMs - (Date.now() - started));
  try {
    const [ends, starts] = await Promise.all([
      withDeadline(consumer.listOffsets({ topics: [...topics] }), left(), "listing dead-letter end offsets"),
      withDeadline(consumer.listOffsets({ topics: [...topics], timestamp: -2n }), left(), "listing dead-letter start offsets"),
    ]);
    return await read(consumer, { starts, ends }, left);
  } catch (error) {
    throw new DeadLettersUnavailable(`Kafka did not give the dead letters: ${String((error as Error)?.message ?? error)}`);
  } finally {
    await closeClient(consumer, 5_000, "the dead-letter reader");
  }
}

/**
 * Reads every record of the given dead-letter topics, from the earliest kept to the end they had
 * when the call began (a letter written meanwhile is for the next call), through a throw-away
 * consumer group that commits nothing. Dead letters are few by nature; at most `maxPerTopic`
 * (the newest) are kept per topic. `complete` is false when Kafka did not deliver them all within
 * `timeoutMs`.
 */
export async function readDeadLetters(
  kafka: Pick<KafkaSettings, "brokers" | "clientId">,
  topics: readonly string[],
  options: { timeoutMs?: number; maxPerTopic?: number } = {},
): Promise<{ letters: StoredDeadLetter[]; complete: boolean; truncated: boolean }> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxPerTopic = options.maxPerTopic ?? 1_000;
  if (topics.length === 0) return { letters: [], complete: true, truncated: false };
  return withReader(kafka, topics, timeoutMs, async (consumer, { starts, ends }, left) => {
    // Partitions still to read, with the offset their last record has.
    const pending = new Map<string, bigint>();
    for (const topic of topics) {
      for (const [partition, end] of (ends.get(topic) ?? []).entries()) {
        if (end > (starts.get(topic)?.[partition] ?? 0n)) pending.set(`${topic}/${partition}`, end - 1n);
      }
    }
    const byTopic = new Map<string, StoredDeadLetter[]>();
    let truncated = false;
    if (pending.size === 0) return { letters: [], complete: true, truncated };
    const stream = await withDeadline(consumer.consume({ topics: [...topics], mode: "earliest", autocommit: false, maxWaitTime: 200 }), left(), "joining to read dead letters");
    const done = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), left());
      stream.on("data", (m) => {
        const key = `${m.topic}/${m.partition}`;
        const last = pending.get(key);
        if (last === undefined || m.offset > last) return;
        const kept = byTopic.get(m.topic) ?? [];
        kept.push(stored(m));
        if (kept.length > maxPerTopic) {
          kept.shift();
          truncated = true;
        }
        byTopic.set(m.topic, kept);
        if (m.offset === last) pending.delete(key);
        if (pending.size === 0) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      stream.on("error", () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    const complete = await done;
    return { letters: [...byTopic.values()].flat(), complete, truncated };
  });
}

/**
 * The one record at (topic, partition, offset), read from that offset directly (not the whole
 * topic): undefined when the partition holds no record there (past its end, or before its start).
 */
export async function readDeadLetterAt(
  kafka: Pick<KafkaSettings, "brokers" | "clientId">,
  at: { topic: string; partition: number; offset: bigint },
  timeoutMs = 10_000,
): Promise<StoredDeadLetter | undefined> {
  return withReader(kafka, [at.topic], timeoutMs, async (consumer, { starts, ends }, left) => {
    const end = ends.get(at.topic)?.[at.partition];
    const start = starts.get(at.topic)?.[at.partition] ?? 0n;
    if (end === undefined || at.offset >= end || at.offset < start) return undefined;
    // Every partition of the topic is given an offset: the asked one at the letter, the others at their end.
    const offsets = (ends.get(at.topic) ?? []).map((e, partition) => ({ topic: at.topic, partition, offset: partition === at.partition ? at.offset : e }));
    const stream = await withDeadline(consumer.consume({ topics: [at.topic], mode: "manual", offsets, autocommit: false, maxWaitTime: 200 }), left(), "reading a dead letter");
    return await new Promise<StoredDeadLetter | undefined>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no record within ${timeoutMs} ms`)), left());
      stream.on("data", (m) => {
        if (m.partition !== at.partition || m.offset < at.offset) return;
        clearTimeout(timer);
        // A compacted or deleted record: the first one after it is not the asked one.
        resolve(m.offset === at.offset ? stored(m) : undefined);
      });
      stream.on("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  });
}
