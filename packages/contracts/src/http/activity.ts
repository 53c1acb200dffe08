import { type Static, Type } from "@sinclair/typebox";

/** What an operator can do that the activity log records. */
export const ACTIVITY_ACTIONS = [
  "campaign.create",
  "campaign.edit",
  "campaign.close",
  "finality-hole.resolve",
  "campaign.engine-audit",
  "operator.create",
  "operator.change",
  "refund.now",
  "dead-letter.replay",
  "dead-letter.discard",
] as const;
export type ActivityAction = (typeof ACTIVITY_ACTIONS)[number];

export const ActivityEntry = Type.Object({
  id: Type.Integer(),
  at: Type.String({ format: "date-time" }),
  actor: Type.String(),
  role: Type.String(),
  action: Type.Union(ACTIVITY_ACTIONS.map((a) => Type.Literal(a))),
  target: Type.String(),
  before: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  after: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
});
export type ActivityEntry = Static<typeof ActivityEntry>;

export const ActivityQuery = Type.Object(
  {
    actor: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    action: Type.Optional(Type.Union(ACTIVITY_ACTIONS.map((a) => Type.Literal(a)))),
    from: Type.Optional(Type.String({ format: "date-time" })),
    to: Type.Optional(Type.String({ format: "date-time" })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    access_token: Type.Optional(Type.String({ maxLength: 4096 })),
  },
  { additionalProperties: false },
);
export type ActivityQuery = Static<typeof ActivityQuery>;
