import { type Static, Type } from "@sinclair/typebox";
import { AmountText } from "./common.ts";

export const CAMPAIGN_STATUSES = ["SCHEDULED", "ACTIVE", "CLOSING", "FINAL"] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
export const STANDINGS_STATES = ["PROVISIONAL", "FINAL"] as const;
export type StandingsState = (typeof STANDINGS_STATES)[number];

export const POLICY_DEFAULTS = { total_reward: 20, min_order_amount: "200.00", max_tracked_orders: 50 } as const;

const PositiveCount = Type.Integer({ minimum: 1, maximum: 100_000 });
const Instant = Type.String({ format: "date-time" });

const CampaignFields = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  description: Type.String({ maxLength: 2_000 }),
  start_time: Instant,
  end_time: Instant,
  total_reward: PositiveCount,
  min_order_amount: Type.Union([Type.Number({ minimum: 0 }), AmountText], { description: "Orders must be strictly greater than this" }),
  max_tracked_orders: PositiveCount,
};

export const CreateCampaignBody = Type.Object(
  {
    name: CampaignFields.name,
    description: Type.Optional(CampaignFields.description),
    start_time: CampaignFields.start_time,
    end_time: CampaignFields.end_time,
    total_reward: Type.Optional(CampaignFields.total_reward),
    min_order_amount: Type.Optional(CampaignFields.min_order_amount),
    max_tracked_orders: Type.Optional(CampaignFields.max_tracked_orders),
  },
  { additionalProperties: false },
);
export type CreateCampaignBody = Static<typeof CreateCampaignBody>;

/** Every field optional: what is given replaces the current value. */
export const UpdateCampaignBody = Type.Partial(Type.Object(CampaignFields), { additionalProperties: false, minProperties: 1 });
export type UpdateCampaignBody = Static<typeof UpdateCampaignBody>;

/** A campaign id (bigserial), bounded so that no number the database cannot hold reaches it. */
export const CampaignId = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
export const CampaignIdParams = Type.Object({ id: CampaignId });

export const Inventory = Type.Object({ total: Type.Integer(), awarded: Type.Integer(), remaining: Type.Integer() });
export type Inventory = Static<typeof Inventory>;

export const Policy = Type.Object({
  total_reward: Type.Integer(),
  min_order_amount: Type.String(),
  max_tracked_orders: Type.Integer(),
});
export type Policy = Static<typeof Policy>;

/** Why a campaign that is not FINAL yet is not: each wait, in the order an operator acts on them. */
export const FINALITY_WAITS = ["WINDOW_OPEN", "WATERMARKS", "FINALITY_HOLES", "HISTORY"] as const;
export type FinalityWait = (typeof FINALITY_WAITS)[number];

/** A dead-lettered orders.completed message: the history has a hole there until it is replayed or resolved. */
export const FinalityHole = Type.Object({
  id: Type.Integer(),
  topic: Type.String(),
  partition: Type.Integer(),
  offset: Type.String(),
  event_id: Type.Union([Type.String(), Type.Null()]),
  order_id: Type.Union([Type.String(), Type.Null()]),
  order_created_at: Type.Union([Instant, Type.Null()], { description: "null when the message could not be read: the hole then blocks every campaign" }),
  reason: Type.String({ description: "INVALID (could not be decoded) or FAILED (its handler kept failing)" }),
  errors: Type.Array(Type.String()),
  recorded_at: Instant,
  resolved_at: Type.Union([Instant, Type.Null()]),
  resolved_by: Type.Union([Type.String(), Type.Null()], { description: "the operator, or `replay` when the replayed message was applied" }),
  resolution: Type.Union([Type.String(), Type.Null()]),
});
export type FinalityHole = Static<typeof FinalityHole>;
export const FinalityHoleIdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });
export const ResolveFinalityHoleBody = Type.Object(
  { reason: Type.String({ minLength: 3, maxLength: 1_000, description: "Why the message can never change any campaign (kept with the hole)" }) },
  { additionalProperties: false },
);
export type ResolveFinalityHoleBody = Static<typeof ResolveFinalityHoleBody>;

export const Finality = Type.Object({
  waiting_for: Type.Array(Type.Union(FINALITY_WAITS.map((w) => Type.Literal(w))), { description: "empty once FINAL" }),
  watermarks: Type.Object(
    {
      required: Type.Integer(),
      past_end: Type.Integer(),
      behind: Type.Array(
        Type.Object({
          source: Type.String({ description: "the order database (shard) whose watermark is not past end_time" }),
          partitions: Type.Array(Type.Integer(), { description: "its partitions of orders.completed without a watermark past end_time" }),
        }),
        { description: "who finality waits for: empty once every (partition, order database) pair is past end_time" },
      ),
      lagging: Type.Array(
        Type.Object({
          source: Type.String({ description: "the order database (shard)" }),
          partition: Type.Integer(),
          watermark: Type.Union([Instant, Type.Null()], { description: "its latest watermark here; null: none received yet" }),
          behind_ms: Type.Union([Type.Integer(), Type.Null()], { description: "how far the watermark is before end_time" }),
        }),
        { description: "each (order database, partition) pair not past end_time yet, with its watermark" },
      ),
    },
    { description: "(partition, order database) pairs of orders.completed, and how many have a watermark past end_time" },
  ),
  holes: Type.Array(FinalityHole, { description: "unresolved holes that could hide an order of this window" }),
});
export type Finality = Static<typeof Finality>;

export const Campaign = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    type: Type.String(),
    description: Type.String(),
    start_time: Instant,
    end_time: Instant,
    policy: Policy,
    status: Type.Union(CAMPAIGN_STATUSES.map((s) => Type.Literal(s))),
    inventory: Inventory,
    created_at: Instant,
    updated_at: Instant,
    finalized_at: Type.Union([Instant, Type.Null()]),
    finality: Finality,
  },
  { $id: "Campaign" },
);
export type Campaign = Static<typeof Campaign>;

export const Winner = Type.Object({
  rank: Type.Integer(),
  customer_id: Type.String(),
  customer_name: Type.String(),
  first_order_at: Instant,
  max_order_amount: Type.String(),
});
export type Winner = Static<typeof Winner>;

export const Standings = Type.Object({
  campaign_id: Type.Integer(),
  state: Type.Union(STANDINGS_STATES.map((s) => Type.Literal(s))),
  winners: Type.Array(Winner),
  inventory: Inventory,
});
export type Standings = Static<typeof Standings>;

export const AUDIT_REASONS = ["WINNER", "AMOUNT_NOT_ABOVE_MINIMUM", "PRIZES_EXHAUSTED"] as const;
export type AuditReason = (typeof AUDIT_REASONS)[number];

export const AuditRow = Type.Object({
  rank: Type.Integer({ description: "Position among tracked customers by first order time" }),
  customer_id: Type.String(),
  customer_name: Type.String(),
  first_order_at: Instant,
  first_order_id: Type.String(),
  max_order_amount: Type.String(),
  winner: Type.Boolean(),
  reason: Type.Union(AUDIT_REASONS.map((r) => Type.Literal(r))),
});
export type AuditRow = Static<typeof AuditRow>;

export const Audit = Type.Object({
  campaign_id: Type.Integer(),
  state: Type.Union(STANDINGS_STATES.map((s) => Type.Literal(s))),
  policy: Policy,
  window: Type.Object({ start_time: Instant, end_time: Instant }),
  tracked: Type.Array(AuditRow),
});
export type Audit = Static<typeof Audit>;

/** One difference between an independent engine's winners and the FINAL list, at a rank. */
export const ENGINE_AUDIT_FIELDS = ["rank", "customer_id", "customer_name", "first_order_at", "max_order_amount", "missing in FINAL", "missing in engine"] as const;
export const EngineAuditDifference = Type.Object({
  rank: Type.Integer({ minimum: 1 }),
  field: Type.Union(ENGINE_AUDIT_FIELDS.map((f) => Type.Literal(f))),
  final: Type.Union([Type.String(), Type.Null()]),
  engine: Type.Union([Type.String(), Type.Null()]),
});
export type EngineAuditDifference = Static<typeof EngineAuditDifference>;

/**
 * What an auditor reports after computing a FINAL campaign's winners with another engine (the
 * Flink job of `npm run audit`). The campaign service compares them with its FINAL list itself and
 * stores the verdict: a caller cannot declare two lists equal.
 */
export const EngineAuditBody = Type.Object(
  {
    engine: Type.String({ minLength: 1, maxLength: 100 }),
    records_read: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    unreadable_records: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    winners: Type.Array(
      Type.Object(
        {
          rank: Type.Integer({ minimum: 1 }),
          customer_id: Type.String({ maxLength: 100 }),
          customer_name: Type.String({ maxLength: 400 }),
          first_order_at: Type.String({ maxLength: 40 }),
          max_order_amount: Type.String({ maxLength: 20 }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 100_000 },
    ),
    seconds: Type.Number({ minimum: 0, maximum: 1e9 }),
  },
  { additionalProperties: false },
);
export type EngineAuditBody = Static<typeof EngineAuditBody>;

export const EngineAudit = Type.Intersect([
  EngineAuditBody,
  Type.Object({
    id: Type.Integer(),
    campaign_id: Type.Integer(),
    equal: Type.Boolean(),
    differences: Type.Array(EngineAuditDifference),
    audited_at: Instant,
    audited_by: Type.String(),
  }),
]);
export type EngineAudit = Static<typeof EngineAudit>;

/** Apache Flink's latest provisional standings of a campaign, as the campaign service keeps them. */
export const EngineStandingsView = Type.Object({
  campaign_id: Type.Integer(),
  engine: Type.String(),
  minute_end: Instant,
  customers_so_far: Type.Integer(),
  winners: Type.Array(Winner),
  received_at: Instant,
});
export type EngineStandingsView = Static<typeof EngineStandingsView>;

/** One campaign in the history: its window, settings, outcome and the latest independent audit. */
export const CampaignSummary = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  start_time: Instant,
  end_time: Instant,
  status: Type.Union(CAMPAIGN_STATUSES.map((s) => Type.Literal(s))),
  finalized_at: Type.Union([Instant, Type.Null()]),
  policy: Policy,
  winners: Type.Integer({ description: "FINAL winners stored (0 before FINAL)" }),
  latest_audit: Type.Union([Type.Object({ engine: Type.String(), equal: Type.Boolean(), audited_at: Instant, audited_by: Type.String() }), Type.Null()]),
});
export type CampaignSummary = Static<typeof CampaignSummary>;

export const CampaignHistoryQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: "newest first (default 50)" })) },
  { additionalProperties: false },
);
