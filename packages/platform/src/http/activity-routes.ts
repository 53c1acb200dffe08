import { ActivityEntry, ActivityQuery, Data, ErrorBody } from "@spgroup/contracts";
import { Type } from "@sinclair/typebox";
import { searchActivity } from "../db/activity.ts";
import type { Queryable } from "../db/pool.ts";
import { instantFilter } from "../db/search.ts";
import type { HttpApp } from "./app.ts";
import { csvDocument } from "./stream-json.ts";

const CSV_COLUMNS = ["at", "actor", "role", "action", "target", "before", "after"] as const;

/**
 * The activity log of one service (what its operators changed): `path` answers the latest 200
 * entries (or `limit`, at most 1,000) as JSON, `path.csv` the latest 100,000 matching entries (or
 * `limit`) as CSV (before/after as JSON text), filtered by actor, action, from, to.
 */
export function activityRoutes(app: HttpApp, databases: Queryable | readonly Queryable[], path: string): void {
  // A sharded service records a change on the shard it changed (in the change's transaction): the
  // log is every shard's, merged, latest first.
  const dbs: readonly Queryable[] = Array.isArray(databases) ? databases : [databases as Queryable];
  const query = async (q: ActivityQuery, fallbackLimit: number) => {
    const filter = {
      ...(q.actor ? { actor: q.actor } : {}),
      ...(q.action ? { action: q.action } : {}),
      ...(q.from ? { from: instantFilter(q.from, "from") as string } : {}),
      ...(q.to ? { to: instantFilter(q.to, "to") as string } : {}),
      limit: q.limit ?? fallbackLimit,
    };
    const parts = await Promise.all(dbs.map((db) => searchActivity(db, filter)));
    if (parts.length === 1) return parts[0] ?? [];
    return parts
      .flat()
      .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : b.id - a.id))
      .slice(0, filter.limit);
  };
  app.get(
    path,
    { schema: { tags: ["activity"], security: [{ admin: [] }], summary: "What operators changed here, latest first", querystring: ActivityQuery, response: { 200: Data(Type.Array(ActivityEntry)), 400: ErrorBody } } },
    async (request) => ({ data: await query({ ...request.query, limit: Math.min(request.query.limit ?? 200, 1_000) }, 200) }),
  );
  app.get(
    `${path}.csv`,
    { schema: { tags: ["activity"], security: [{ admin: [] }], summary: "The activity log as CSV", querystring: ActivityQuery } },
    async (request, reply) => {
      // The whole log unless a limit is asked for (up to 100,000 entries).
      const rows = (await query(request.query, 100_000)).map((e) => ({ ...e, before: e.before === null ? "" : JSON.stringify(e.before), after: e.after === null ? "" : JSON.stringify(e.after) }));
      return reply.type("text/csv; charset=utf-8").header("content-disposition", 'attachment; filename="activity.csv"').send(csvDocument(rows, CSV_COLUMNS));
    },
  );
}
