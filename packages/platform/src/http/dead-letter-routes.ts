import {
  Data,
  DeadLetterList,
  DeadLetterParams,
  DeadLettersQuery,
  DeadLetterView,
  DiscardDeadLetterBody,
  DomainError,
  ErrorBody,
} from "@spgroup/contracts";
import { recordActivity } from "../db/activity.ts";
import { type Pool, type Queryable, withTransaction } from "../db/pool.ts";
import type { KafkaSettings } from "../kafka/client.ts";
import { deadLetterTopic } from "../kafka/consumer.ts";
import { DeadLettersUnavailable, readDeadLetterAt, readDeadLetters, type StoredDeadLetter } from "../kafka/dead-letters.ts";
import { enqueueOutbox } from "../kafka/outbox.ts";
import { traceIdOf } from "../tracing.ts";
import type { HttpApp } from "./app.ts";
import { HttpError } from "./errors.ts";

const BASE = "/api/admin/v1/ops/dead-letters";
const security = [{ admin: [] }];
const tags = ["dead letters"];
/** What the page shows of an original message; the replay publishes all of it. */
const SHOWN_VALUE_CHARS = 64 * 1024;
/** A listing is shared by the requests that arrive while it is read, and kept this long. */
const LIST_CACHE_MS = 2_000;

interface ActionRow {
  dead_letter_topic: string;
  dead_letter_partition: number;
  dead_letter_offset: string;
  action: "replayed" | "discarded";
  actor: string;
  note: string | null;
  at: string;
}

async function actionsOn(db: Queryable, topics: readonly string[]): Promise<Map<string, ActionRow>> {
  const { rows } = await db.query<ActionRow>(
    `SELECT dead_letter_topic, dead_letter_partition, dead_letter_offset::text AS dead_letter_offset, action, actor, note, at
     FROM dead_letter_actions WHERE dead_letter_topic = ANY($1::text[])`,
    [topics],
  );
  return new Map(rows.map((r) => [`${r.dead_letter_topic}/${r.dead_letter_partition}/${r.dead_letter_offset}`, r]));
}

function viewOf(stored: StoredDeadLetter, action: ActionRow | undefined): DeadLetterView {
  const l = stored.letter;
  return {
    dead_letter_topic: stored.deadLetterTopic,
    dead_letter_partition: stored.partition,
    dead_letter_offset: stored.offset,
    reason: l?.reason ?? "UNREADABLE",
    errors: l?.errors ?? ["this record is not a dead letter written by the platform"],
    topic: l?.topic ?? stored.deadLetterTopic.replace(/\.dlq$/, ""),
    partition: l?.partition ?? -1,
    offset: l?.offset ?? "",
    key: l?.key ?? null,
    value: (l?.value ?? stored.raw).slice(0, SHOWN_VALUE_CHARS),
    dead_lettered_at: l?.dead_lettered_at ?? "",
    state: action?.action ?? "waiting",
    acted_by: action?.actor ?? null,
    acted_at: action?.at ?? null,
    note: action?.note ?? null,
  };
}

/** Kafka not answering is a 503 to retry, not a 500. */
async function orUnavailable<T>(read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof DeadLettersUnavailable) throw new HttpError(503, error.message, { headers: { "retry-after": "2" } });
    throw error;
  }
}

export interface DeadLetterRouteOptions {
  kafka: KafkaSettings;
  /** The original topics (full names); their dead-letter topics are `<topic>.dlq`. */
  topics: readonly string[];
  /** Publishes the outbox of `pool` now (a replay is an outbox row, published after commit). */
  nudge: () => void;
  /** The current partition count of a topic: a replay goes only to a partition that exists. */
  partitionsOf: (topic: string) => Promise<number>;
  readTimeoutMs?: number;
}

/**
 * The dead letters of the platform's topics, for the operators' console: GET lists them (per
 * topic, newest first, with what an operator did to each), POST …/replay publishes one again to
 * its original topic and partition, POST …/discard sets one aside with a reason. An action is
 * recorded once per letter (dead_letter_actions), with the activity log and, for a replay, the
 * message itself as an outbox row, all in one transaction: the relay publishes it after commit
 * (never twice, never without the record). What is replayed is read from Kafka by the server,
 * never taken from the request, and only to the topic its dead-letter topic belongs to. The
 * consumers' inbox applies a replayed event at most once in any case.
 */
export function deadLetterRoutes(app: HttpApp, pool: Pool, options: DeadLetterRouteOptions): void {
  const known = new Map(options.topics.map((t) => [deadLetterTopic(t), t]));
  const timeoutMs = options.readTimeoutMs ?? 10_000;
  // Offsets as PostgreSQL prints them ("007" is offset 7).
  const keyOf = (p: { topic: string; partition: number; offset: string }) => `${p.topic}/${p.partition}/${BigInt(p.offset)}`;

  // One read of Kafka at a time per set of topics, shared by every request arriving meanwhile and
  // for LIST_CACHE_MS after: a page polled from many tabs does not make a consumer group each.
  const listings = new Map<string, { at: number; read: Promise<Awaited<ReturnType<typeof readDeadLetters>>> }>();
  const listing = (topics: readonly string[]) => {
    const key = topics.join(",");
    const cached = listings.get(key);
    if (cached && Date.now() - cached.at < LIST_CACHE_MS) return cached.read;
    const read = readDeadLetters(options.kafka, topics, { timeoutMs });
    listings.set(key, { at: Date.now(), read });
    read.catch(() => listings.delete(key));
    return read;
  };

  /** The letter at params, read from Kafka at that offset, or 404; 409 at once when it was acted on. */
  const letterAt = async (params: DeadLetterParams) => {
    if (!known.has(params.topic)) throw new DomainError("NOT_FOUND", `${params.topic} is not a dead-letter topic of this platform`);
    if ((await actionsOn(pool, [params.topic])).has(keyOf(params))) {
      throw new DomainError("ALREADY_SETTLED", `the dead letter at ${keyOf(params)} was replayed or discarded already`);
    }
    const stored = await orUnavailable(readDeadLetterAt(options.kafka, { topic: params.topic, partition: params.partition, offset: BigInt(params.offset) }, timeoutMs));
    if (!stored) throw new DomainError("NOT_FOUND", `no dead letter at ${keyOf(params)}`);
    return stored;
  };

  /** Records the action once (409 if the letter was acted on), its activity entry, and what else the action writes. */
  const act = (
    params: DeadLetterParams,
    action: "replayed" | "discarded",
    operator: { name: string; role: string },
    note: string | null,
    stored: StoredDeadLetter,
    alsoWrite: (client: Queryable) => Promise<void>,
  ) =>
    withTransaction(pool, async (client) => {
      const original = stored.letter;
      // A second copy of the same original message conflicts too (the unique original index).
      const inserted = await client.query(
        `INSERT INTO dead_letter_actions (dead_letter_topic, dead_letter_partition, dead_letter_offset, action, actor, note, original_topic, original_partition, original_offset)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
        [params.topic, params.partition, String(BigInt(params.offset)), action, operator.name, note, original?.topic ?? null, original?.partition ?? null, original && /^[0-9]{1,19}$/.test(original.offset) ? original.offset : null],
      );
      if (inserted.rowCount !== 1) {
        throw new DomainError("ALREADY_SETTLED", `the dead letter at ${keyOf(params)}, or another copy of the same message, was replayed or discarded already`);
      }
      await recordActivity(client, {
        actor: operator,
        action: action === "replayed" ? "dead-letter.replay" : "dead-letter.discard",
        target: `${keyOf(params)} (${stored.letter?.topic ?? "?"}[${stored.letter?.partition ?? "?"}]@${stored.letter?.offset ?? "?"})`,
        before: { state: "waiting", reason: stored.letter?.reason ?? "UNREADABLE", errors: stored.letter?.errors ?? [] },
        after: { state: action, ...(note ? { note } : {}) },
      });
      try {
        await alsoWrite(client);
      } catch (error) {
        // A payload PostgreSQL's jsonb refuses (\u0000, a lone surrogate): it cannot be replayed.
        if (["22P02", "22P05", "22025"].includes((error as { code?: string }).code ?? "")) {
          throw new DomainError("NOT_REPLAYABLE", `the message at ${keyOf(params)} cannot be stored for replay (${(error as Error).message}); discard it`);
        }
        throw error;
      }
      return viewOf(stored, (await actionsOn(client, [params.topic])).get(keyOf(params)));
    });
  const operatorOf = (request: { operator?: { name: string; role: string } }) => {
    // The onRequest hook has verified the token and the role before any handler runs.
    if (!request.operator) throw new HttpError(401, "an operator token is required");
    return request.operator;
  };

  app.get(
    BASE,
    {
      schema: {
        tags,
        security,
        summary: "Every dead letter of the platform's topics (or ?topic=), newest first, with what an operator did to it",
        querystring: DeadLettersQuery,
        response: { 200: Data(DeadLetterList), 400: ErrorBody, 404: ErrorBody, 503: ErrorBody },
      },
    },
    async (request) => {
      const { topic, state } = request.query;
      if (topic !== undefined && !known.has(topic)) throw new DomainError("NOT_FOUND", `${topic} is not a dead-letter topic of this platform`);
      const topics = topic ? [topic] : [...known.keys()];
      const { letters, complete, truncated } = await orUnavailable(listing(topics));
      const actions = await actionsOn(pool, topics);
      const views = letters
        .map((l) => viewOf(l, actions.get(`${l.deadLetterTopic}/${l.partition}/${l.offset}`)))
        .sort((a, b) => (a.dead_lettered_at < b.dead_lettered_at ? 1 : a.dead_lettered_at > b.dead_lettered_at ? -1 : 0));
      const counts = topics.map((t) => {
        const of = views.filter((v) => v.dead_letter_topic === t);
        return { dead_letter_topic: t, count: of.length, waiting: of.filter((v) => v.state === "waiting").length };
      });
      return { data: { topics: counts, letters: state && state !== "all" ? views.filter((v) => v.state === state) : views, complete, truncated } };
    },
  );

  app.post(
    `${BASE}/:topic/:partition/:offset/replay`,
    {
      schema: {
        tags,
        security,
        summary: "Publish a dead letter again to its original topic and partition, once (through the outbox, after commit); recorded in the activity log",
        params: DeadLetterParams,
        response: { 200: Data(DeadLetterView), 404: ErrorBody, 409: ErrorBody, 503: ErrorBody },
      },
    },
    async (request) => {
      const params = request.params;
      const operator = operatorOf(request);
      const stored = await letterAt(params);
      const letter = stored.letter;
      // Only a dead letter the platform wrote, and only back to the topic its dead-letter topic belongs to.
      if (!letter || letter.topic !== known.get(params.topic)) {
        throw new DomainError("NOT_REPLAYABLE", `the record at ${keyOf(params)} is not a dead letter of ${known.get(params.topic)}: discard it instead`);
      }
      // Only to a partition the original topic has (a forged letter could name any number).
      const partitions = await orUnavailable(options.partitionsOf(letter.topic).catch((error: unknown) => Promise.reject(new DeadLettersUnavailable(String(error)))));
      if (!Number.isInteger(letter.partition) || letter.partition < 0 || letter.partition >= partitions) {
        throw new DomainError("NOT_REPLAYABLE", `the letter names partition ${letter.partition} of ${letter.topic}, which has ${partitions}: discard it`);
      }
      // A message that is not JSON can only fail again the same way.
      let payload: unknown;
      try {
        payload = JSON.parse(letter.value);
      } catch {
        throw new DomainError("NOT_REPLAYABLE", `the message at ${letter.topic}[${letter.partition}]@${letter.offset} is not JSON: a replay would fail again; discard it`);
      }
      const view = await act(params, "replayed", operator, null, stored, (client) =>
        enqueueOutbox(client, [{ topic: letter.topic, partition: letter.partition, key: letter.key ?? "", payload, ...(traceIdOf(letter.traceparent) ? { traceparent: letter.traceparent } : {}) }]),
      );
      options.nudge();
      request.log.warn({ deadLetter: keyOf(params), topic: letter.topic, operator: operator.name }, "dead letter replayed by an operator");
      return { data: view };
    },
  );

  app.post(
    `${BASE}/:topic/:partition/:offset/discard`,
    {
      schema: {
        tags,
        security,
        summary: "Set a dead letter aside for good, with the reason (it stays in Kafka); recorded in the activity log",
        params: DeadLetterParams,
        body: DiscardDeadLetterBody,
        response: { 200: Data(DeadLetterView), 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, 503: ErrorBody },
      },
    },
    async (request) => {
      const params = request.params;
      const operator = operatorOf(request);
      const reason = request.body.reason.trim();
      if (reason.length < 3) throw new DomainError("BLANK_REASON", "reason must say why the message can be dropped");
      const stored = await letterAt(params);
      const view = await act(params, "discarded", operator, reason, stored, async () => {});
      request.log.warn({ deadLetter: keyOf(params), operator: operator.name, reason }, "dead letter discarded by an operator");
      return { data: view };
    },
  );
}
