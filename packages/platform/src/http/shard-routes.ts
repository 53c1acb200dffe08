import { Data, ErrorBody, ShardList, type ShardStatus } from "@spgroup/contracts";
import type { Pool } from "../db/pool.ts";
import { asRanges, type Shards } from "../db/shards.ts";
import { outboxBacklog } from "../kafka/outbox.ts";
import type { HttpApp } from "./app.ts";

export interface ShardRouteOptions {
  /** Where the list is served: /api/admin/v1/ops/shards (order service), /api/admin/v1/payments/shards. */
  path: string;
  /** The service's main table, whose rows are counted per database: "orders". */
  table: string;
  /** Each database's name, in the order of the pools. */
  names: readonly string[];
  /** The last watermark published for a database (the order service). */
  watermarkOf?: (name: string) => string | undefined;
}

/**
 * GET `path`: each database of the service, the logical shards it holds, its
 * rows, its outbox backlog and (order service) its last watermark. A database that does not
 * answer is listed as unreachable, not left out. `reads` should be read pools.
 */
export function shardRoutes(app: HttpApp, reads: Shards<Pool>, options: ShardRouteOptions): void {
  app.get(
    options.path,
    { schema: { tags: ["admin"], security: [{ admin: [] }], summary: "The service's databases (shards): rows, outbox backlog, watermark", response: { 200: Data(ShardList), 401: ErrorBody } } },
    async () => {
      const shards = await Promise.all(
        reads.all.map(async (pool, i): Promise<ShardStatus> => {
          const database = options.names[i] as string;
          const watermark = options.watermarkOf ? { watermark: options.watermarkOf(database) ?? null } : {};
          const logical_shards = asRanges(reads.logicalOwnedBy(i));
          try {
            const [count, backlog] = await Promise.all([pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${options.table}`), outboxBacklog(pool)]);
            return { database, logical_shards, rows: count.rows[0]?.n ?? 0, outbox_backlog: backlog, ...watermark, reachable: true };
          } catch {
            return { database, logical_shards, rows: 0, outbox_backlog: 0, ...watermark, reachable: false };
          }
        }),
      );
      return { data: { table: options.table, logical_shards: reads.logicalShards, shards } };
    },
  );
}
