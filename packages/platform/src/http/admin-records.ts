import type { Static, TSchema } from "@sinclair/typebox";
import type { FastifySchema } from "fastify";
import { Data, DomainError, ErrorBody, Page } from "@spgroup/contracts";
import type { Pool } from "../db/pool.ts";
import { allMatchingSql } from "../db/search.ts";
import { pagedSearchOverShards, rowsOverShards, type ShardedSearch } from "../db/sharded-search.ts";
import type { Shards } from "../db/shards.ts";
import { logicalShardOfId } from "../ids.ts";
import type { HttpApp } from "./app.ts";
import { streamRowsAsCsv, streamRowsAsJson } from "./stream-json.ts";

/** What a service says about one kind of record; the routes around it are the same for all. */
export interface AdminRecords<Item extends TSchema, SearchQuery extends TSchema, ExportQuery extends TSchema, Stats extends TSchema> {
  /** Plural, as in the path and the CSV's file name: "orders". */
  plural: string;
  /** Singular, as in "payment p-1 not found". */
  singular: string;
  schemas: { item: Item; search: SearchQuery; export: ExportQuery; stats: Stats; id?: TSchema };
  /** Every record, oldest first. */
  all: ShardedSearch;
  /** The filters and order of a search or an export; pages come from the query's page and size. */
  search: (query: Static<ExportQuery>) => ShardedSearch;
  csvColumns: readonly string[];
  /** The dashboard's counts over every shard's database. */
  stats: (pools: readonly Pool[]) => Promise<Static<Stats>>;
  /** With it, GET …/:id answers one record (params: schemas.id); the id names its shard. */
  find?: (pool: Pool, id: string) => Promise<Static<Item> | undefined>;
}

/** Every matching row, in order, from one database (a server-side cursor) or merged from several. */
function rowsOf(pools: readonly Pool[], search: ShardedSearch) {
  return pools.length === 1 ? { pool: pools[0] as Pool, ...allMatchingSql(search) } : rowsOverShards(pools, search);
}

const security = [{ admin: [] }];
const tags = ["admin"];

/**
 * The operator's routes for one kind of record under /api/admin/v1/<plural>: the whole list
 * streamed as JSON, a paged search, a streamed CSV export of a search, dashboard stats, and one
 * record by id, over every shard's database as if they were one (decision 014). The pools should
 * be read pools (read-only sessions, statement timeout): a stalled export holds an open
 * transaction for its whole length.
 */
export function adminRecordRoutes<Item extends TSchema, SearchQuery extends TSchema, ExportQuery extends TSchema, Stats extends TSchema>(
  app: HttpApp,
  databases: Shards<Pool>,
  records: AdminRecords<Item, SearchQuery, ExportQuery, Stats>,
): void {
  const pools = databases.all;
  const base = `/api/admin/v1/${records.plural}`;
  const { schemas } = records;

  app.get(base, { schema: { tags, security, summary: `Every ${records.singular}, oldest first, streamed as {data: [...]}` } }, async (_request, reply) => {
    reply.type("application/json");
    return reply.send(await streamRowsAsJson(rowsOf(pools, records.all)));
  });

  app.get(
    `${base}/search`,
    {
      schema: {
        tags,
        security,
        summary: `Search ${records.plural} with filters, sorting and pagination`,
        querystring: schemas.search,
        response: { 200: Page(schemas.item), 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (request) => {
      const query = request.query as Static<SearchQuery> & { page: number; size: number };
      return pagedSearchOverShards<Static<Item>>(pools, records.search(query as Static<ExportQuery>), query.page, query.size);
    },
  );

  app.get(
    `${base}/export.csv`,
    { schema: { tags, security, summary: `Every ${records.singular} matching the filters, as streamed CSV`, querystring: schemas.export } },
    async (request, reply) => {
      const search = records.search(request.query as Static<ExportQuery>);
      reply.type("text/csv; charset=utf-8").header("content-disposition", `attachment; filename="${records.plural}.csv"`);
      return reply.send(await streamRowsAsCsv(rowsOf(pools, search), records.csvColumns));
    },
  );

  // Typed as plain FastifySchema: the type provider cannot resolve a reply type from a generic schema.
  const statsSchema: FastifySchema = { tags, security, summary: "Counts for the dashboard", response: { 200: Data(schemas.stats) } };
  app.get(`${base}/stats`, { schema: statsSchema }, async () => ({ data: await records.stats(pools) }));

  const { find } = records;
  if (!find || !schemas.id) return;
  // Registered after the static paths above (search, export.csv, stats), which take precedence.
  const oneSchema: FastifySchema = {
    tags,
    security,
    summary: `One ${records.singular}`,
    params: schemas.id,
    response: { 200: Data(schemas.item), 404: ErrorBody },
  };
  app.get(`${base}/:id`, { schema: oneSchema }, async (request) => {
    const { id } = request.params as { id: string };
    const record = await databases.find(logicalShardOfId(id), (pool) => find(pool, id));
    if (!record) throw new DomainError("NOT_FOUND", `${records.singular} ${id} not found`);
    return { data: record };
  });
}
