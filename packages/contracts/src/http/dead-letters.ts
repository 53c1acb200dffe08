import { type Static, Type } from "@sinclair/typebox";

/** What an operator did with a dead letter; absent while it waits. */
export const DEAD_LETTER_ACTIONS = ["replayed", "discarded"] as const;

/** One message a consumer could not apply, as its dead-letter topic holds it. */
export const DeadLetterView = Type.Object(
  {
    dead_letter_topic: Type.String({ description: "where it is kept: the original topic + .dlq" }),
    dead_letter_partition: Type.Integer(),
    dead_letter_offset: Type.String(),
    reason: Type.String({ description: "INVALID (could not be decoded) or FAILED (its handler kept failing)" }),
    errors: Type.Array(Type.String()),
    topic: Type.String({ description: "the original topic, where a replay publishes it again" }),
    partition: Type.Integer(),
    offset: Type.String(),
    key: Type.Union([Type.String(), Type.Null()]),
    value: Type.String({ description: "the original message (cut at 64 KiB here)" }),
    dead_lettered_at: Type.String(),
    state: Type.Union([Type.Literal("waiting"), ...DEAD_LETTER_ACTIONS.map((a) => Type.Literal(a))]),
    acted_by: Type.Union([Type.String(), Type.Null()]),
    acted_at: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
    note: Type.Union([Type.String(), Type.Null()], { description: "why it was discarded" }),
  },
  { $id: "DeadLetter" },
);
export type DeadLetterView = Static<typeof DeadLetterView>;

export const DeadLetterList = Type.Object({
  topics: Type.Array(Type.Object({ dead_letter_topic: Type.String(), count: Type.Integer(), waiting: Type.Integer() })),
  letters: Type.Array(DeadLetterView, { description: "newest first" }),
  complete: Type.Boolean({ description: "false when Kafka did not deliver every letter within the time allowed: retry" }),
  truncated: Type.Boolean({ description: "true when a topic holds more letters than are listed (the newest 1,000 per topic are)" }),
});
export type DeadLetterList = Static<typeof DeadLetterList>;

export const DeadLettersQuery = Type.Object(
  {
    topic: Type.Optional(Type.String({ minLength: 1, maxLength: 249, description: "one dead-letter topic (default: all)" })),
    state: Type.Optional(Type.Union([Type.Literal("waiting"), Type.Literal("all"), ...DEAD_LETTER_ACTIONS.map((a) => Type.Literal(a))], { description: "default: all" })),
  },
  { additionalProperties: false },
);
export type DeadLettersQuery = Static<typeof DeadLettersQuery>;

export const DeadLetterParams = Type.Object(
  {
    topic: Type.String({ minLength: 1, maxLength: 249, pattern: "^[A-Za-z0-9._-]+$" }),
    partition: Type.Integer({ minimum: 0, maximum: 100_000 }),
    offset: Type.String({ pattern: "^[0-9]{1,19}$" }),
  },
  { additionalProperties: false },
);
export type DeadLetterParams = Static<typeof DeadLetterParams>;

export const DiscardDeadLetterBody = Type.Object(
  { reason: Type.String({ minLength: 3, maxLength: 1_000, description: "why the message can be dropped (kept with it)" }) },
  { additionalProperties: false },
);
export type DiscardDeadLetterBody = Static<typeof DiscardDeadLetterBody>;
