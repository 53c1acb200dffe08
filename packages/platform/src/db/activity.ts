import type { ActivityAction, ActivityEntry } from "@spgroup/contracts";
import type { Queryable } from "./pool.ts";

export interface ActivityRecord {
  actor: { name: string; role: string };
  action: ActivityAction;
  target: string;
  before: object | null;
  after: object | null;
}

/** Records an operator's change; call it in the transaction that makes the change. */
export async function recordActivity(db: Queryable, entry: ActivityRecord): Promise<void> {
  await db.query("INSERT INTO operator_activity (actor, role, action, target, before, after) VALUES ($1, $2, $3, $4, $5, $6)", [
    entry.actor.name,
    entry.actor.role,
    entry.action,
    entry.target,
    entry.before === null ? null : JSON.stringify(entry.before),
    entry.after === null ? null : JSON.stringify(entry.after),
  ]);
}

/** The latest entries first, filtered by who, what and when (instants already parsed). */
export async function searchActivity(db: Queryable, filter: { actor?: string; action?: string; from?: string; to?: string; limit: number }): Promise<ActivityEntry[]> {
  const { rows } = await db.query<ActivityEntry>(
    `SELECT id::int AS id, at, actor, role, action, target, before, after FROM operator_activity
     WHERE ($1::text IS NULL OR actor = $1) AND ($2::text IS NULL OR action = $2)
       AND ($3::timestamptz IS NULL OR at >= $3) AND ($4::timestamptz IS NULL OR at <= $4)
     ORDER BY at DESC, id DESC LIMIT $5`,
    [filter.actor ?? null, filter.action ?? null, filter.from ?? null, filter.to ?? null, filter.limit],
  );
  return rows;
}
