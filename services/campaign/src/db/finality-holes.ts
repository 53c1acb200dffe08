import type { FinalityHole } from "@spgroup/contracts";
import type { Queryable } from "@spgroup/platform";
import type { HoleIdentity } from "../domain/finality.ts";

const COLUMNS = `id::int AS id, topic, partition, message_offset::text AS offset, event_id, order_id, order_created_at, reason, errors,
  recorded_at, resolved_at, resolved_by, resolution`;

export async function insertFinalityHole(
  db: Queryable,
  hole: HoleIdentity & { topic: string; partition: number; offset: string; reason: string; errors: string[] },
): Promise<void> {
  await db.query(
    `INSERT INTO finality_holes (topic, partition, message_offset, event_id, order_id, order_created_at, reason, errors)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (topic, partition, message_offset) DO NOTHING`,
    [hole.topic, hole.partition, hole.offset, hole.event_id, hole.order_id, hole.order_created_at, hole.reason, hole.errors.map((e) => e.slice(0, 2_000))],
  );
}

/** Holes whose message has now been applied (a replay, or the same event delivered again). */
export async function resolveReplayedHoles(db: Queryable, eventIds: string[]): Promise<number> {
  if (eventIds.length === 0) return 0;
  const { rowCount } = await db.query(
    `UPDATE finality_holes SET resolved_at = now(), resolved_by = 'replay', resolution = 'the message was applied'
     WHERE resolved_at IS NULL AND event_id = ANY($1::text[])`,
    [eventIds],
  );
  return rowCount ?? 0;
}

/** Resolves a hole unless it is resolved already; `now` says whether this call resolved it. */
export async function resolveFinalityHole(db: Queryable, id: number, by: string, reason: string): Promise<(FinalityHole & { now: boolean }) | undefined> {
  const { rows } = await db.query<FinalityHole & { now: boolean }>(
    `WITH resolved AS (
       UPDATE finality_holes SET resolved_at = now(), resolved_by = $2, resolution = $3 WHERE id = $1 AND resolved_at IS NULL RETURNING ${COLUMNS}
     )
     SELECT *, true AS now FROM resolved UNION ALL SELECT ${COLUMNS}, false AS now FROM finality_holes WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM resolved)`,
    [id, by, reason],
  );
  return rows[0];
}

export async function unresolvedFinalityHoles(db: Queryable): Promise<FinalityHole[]> {
  const { rows } = await db.query<FinalityHole>(`SELECT ${COLUMNS} FROM finality_holes WHERE resolved_at IS NULL ORDER BY id`);
  return rows;
}

/** The latest holes, unresolved first; bounded, for the admin list. */
export async function recentFinalityHoles(db: Queryable, limit: number): Promise<FinalityHole[]> {
  const { rows } = await db.query<FinalityHole>(`SELECT ${COLUMNS} FROM finality_holes ORDER BY resolved_at IS NULL DESC, id DESC LIMIT $1`, [limit]);
  return rows;
}
