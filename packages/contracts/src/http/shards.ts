import { type Static, Type } from "@sinclair/typebox";

/** One database of a sharded service, as GET /api/admin/v1/ops/shards shows it. */
export const ShardStatus = Type.Object({
  /** Its name in watermarks and metrics: "order_0", or the one database's name. */
  database: Type.String(),
  /** The logical shards it holds, as ranges: "0-15". */
  logical_shards: Type.Array(Type.String()),
  /** Rows of the service's main table (orders or payments) in this database. */
  rows: Type.Integer(),
  /** Outbox rows not yet acknowledged by Kafka. */
  outbox_backlog: Type.Integer(),
  /** The last watermark this instance published for it (order service only; null before the first). */
  watermark: Type.Optional(Type.Union([Type.String({ format: "date-time" }), Type.Null()])),
  /** false when the database did not answer; its counts are then 0. */
  reachable: Type.Boolean(),
});
export type ShardStatus = Static<typeof ShardStatus>;

export const ShardList = Type.Object({
  /** What the rows count: "orders" or "payments". */
  table: Type.String(),
  logical_shards: Type.Integer(),
  shards: Type.Array(ShardStatus),
});
export type ShardList = Static<typeof ShardList>;
