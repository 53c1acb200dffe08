import type pg from "pg";
import type { Queryable } from "./pool.ts";
import { type PagedSearch, type PageResult, pagedSearch, type SortKey, searchClauses } from "./search.ts";

// Search and export over several databases holding disjoint rows of one table (shards), with the
// semantics of one: the same filters, the same global order, the same pages. Decision 014.
//
// Rows are ranked by PostgreSQL only, never by JavaScript: merging candidates from the shards is
// an ORDER BY over their sort keys sent back to one shard as arrays, so text sorts in the
// database's collation and enums in their declared order, exactly as one database would.

/** A search over shards: a paged search without its page, and the SQL type of each sortable column. */
export interface ShardedSearch extends Omit<PagedSearch, "page" | "size"> {
  /** SQL type of every column that may be sorted on (and the tie-breaker): "timestamptz", "order_status"… */
  types: Readonly<Record<string, string>>;
}

type Row = Record<string, unknown>;

/** The sort with its tie-breaker appended, as searchClauses orders rows. */
function fullSort(search: ShardedSearch): SortKey[] {
  return search.sort.some((k) => k.column === search.tieBreaker)
    ? search.sort
    : [...search.sort, { column: search.tieBreaker, descending: search.sort.at(-1)?.descending ?? false }];
}

/**
 * SQL that holds for rows strictly before, not before, or strictly after the row `key` in the
 * order of `sort`; parameters are appended to `params`. One row comparison when every key runs
 * the same way (an index serves it), the expanded lexicographic form otherwise.
 */
function relativeTo(sort: SortKey[], types: Readonly<Record<string, string>>, key: Row, side: "before" | "notBefore" | "after", params: unknown[]): string {
  if (side === "notBefore" && !sort.every((k) => k.descending === sort[0]?.descending)) return `NOT ${relativeTo(sort, types, key, "before", params)}`;
  const placeholder = (k: SortKey) => {
    params.push(key[k.column]);
    return `$${params.length}::${types[k.column]}`;
  };
  const lessFirst = (k: SortKey) => (side !== "after") !== k.descending;
  if (sort.every((k) => k.descending === sort[0]?.descending)) {
    const strict = lessFirst(sort[0] as SortKey) ? "<" : ">";
    const op = side === "notBefore" ? (strict === "<" ? ">=" : "<=") : strict;
    return `(${sort.map((k) => k.column).join(", ")}) ${op} (${sort.map(placeholder).join(", ")})`;
  }
  const terms = sort.map((k, i) => {
    const equal = sort.slice(0, i).map((e) => `${e.column} = ${placeholder(e)}`);
    return `(${[...equal, `${k.column} ${lessFirst(k) ? "<" : ">"} ${placeholder(k)}`].join(" AND ")})`;
  });
  return `(${terms.join(" OR ")})`;
}

/** `rows` in the order of `sort`, ranked by PostgreSQL on `db`. */
async function inOrder(db: Queryable, sort: SortKey[], types: Readonly<Record<string, string>>, rows: Row[]): Promise<Row[]> {
  if (rows.length <= 1) return rows;
  const columns = sort.map((_, i) => `c${i}`);
  const { rows: order } = await db.query<{ n: string }>(
    `SELECT n FROM unnest(${sort.map((k, i) => `$${i + 1}::${types[k.column]}[]`).join(", ")}) WITH ORDINALITY AS t(${columns.join(", ")}, n)
     ORDER BY ${sort.map((k, i) => `c${i} ${k.descending ? "DESC" : "ASC"}`).join(", ")}`,
    sort.map((k) => rows.map((r) => r[k.column])),
  );
  return order.map((o) => rows[Number(o.n) - 1] as Row);
}

function check(search: ShardedSearch): SortKey[] {
  const sort = fullSort(search);
  for (const k of sort) if (!search.types[k.column]) throw new Error(`no SQL type given for sort column ${k.column}`);
  return sort;
}

function withCondition(whereSql: string, condition: string): string {
  return whereSql ? `${whereSql} AND ${condition}` : `WHERE ${condition}`;
}

/**
 * One page of a search over shards, as pagedSearch gives it on one database. Page 1 is the first
 * `size` rows of each shard, merged. A deeper page at offset O starts from a row K that is at
 * position ⌊O/N⌋ on some shard and first of those in global order; no shard has more than ⌊O/N⌋
 * rows before K, so K's global position B (the sum of each shard's count of rows before K) is at
 * most O. The page is then rows O−B … O−B+size−1 of the merge of every shard's rows from K on,
 * of which no shard can contribute more than O−B+size. On rows spread evenly by customer, O−B is
 * about N pages: each shard reads about O/N index entries, where one database read O.
 */
export async function pagedSearchOverShards<R>(
  pools: readonly pg.Pool[],
  search: ShardedSearch,
  page: number,
  size: number,
): Promise<PageResult<R>> {
  if (pools.length === 1) return pagedSearch<R & object>(pools[0] as pg.Pool, { ...search, page, size });
  const sort = check(search);
  const { whereSql, orderSql, params } = searchClauses(search);
  const offset = (page - 1) * size;
  const select = (where: string, limit: number, skip = 0) => `SELECT ${search.columns} FROM ${search.table} ${where} ${orderSql} LIMIT ${limit} OFFSET ${skip}`;
  const countsPromise = Promise.all(pools.map((p) => p.query<{ n: string }>(`SELECT count(*) AS n FROM ${search.table} ${whereSql}`, params)));
  const merger = pools[0] as pg.Pool;

  let data: Row[];
  if (offset === 0) {
    const parts = await Promise.all(pools.map((p) => p.query<Row>(select(whereSql, size), params)));
    data = (
      await inOrder(
        merger,
        sort,
        search.types,
        parts.flatMap((p) => p.rows),
      )
    ).slice(0, size);
  } else {
    const local = Math.floor(offset / pools.length);
    const starts = (await Promise.all(pools.map((p) => p.query<Row>(select(whereSql, 1, local), params)))).flatMap((r) => r.rows);
    const start = (await inOrder(merger, sort, search.types, starts))[0];
    if (!start) {
      data = [];
    } else {
      const before = await Promise.all(
        pools.map((p) => {
          const ps = [...params];
          return p.query<{ n: string }>(
            `SELECT count(*) AS n FROM ${search.table} ${withCondition(whereSql, relativeTo(sort, search.types, start, "before", ps))}`,
            ps,
          );
        }),
      );
      const startPosition = before.reduce((sum, r) => sum + Number(r.rows[0]?.n ?? 0), 0);
      const skip = offset - startPosition;
      const parts = await Promise.all(
        pools.map((p) => {
          const ps = [...params];
          return p.query<Row>(select(withCondition(whereSql, relativeTo(sort, search.types, start, "notBefore", ps)), skip + size), ps);
        }),
      );
      data = (
        await inOrder(
          merger,
          sort,
          search.types,
          parts.flatMap((p) => p.rows),
        )
      ).slice(skip, skip + size);
    }
  }
  const total = (await countsPromise).reduce((sum, r) => sum + Number(r.rows[0]?.n ?? 0), 0);
  return { data: data as R[], metadata: { total, page_size: size, page_number: page, total_pages: Math.ceil(total / size) } };
}

/**
 * Every row of a search over shards, in global order, read in chunks: each round takes the next
 * `chunk` rows after the last one given from every shard, merges them, and gives those that no
 * shard can still precede (up to the earliest last row of a shard whose chunk was full).
 */
export async function* rowsOverShards(pools: readonly pg.Pool[], search: ShardedSearch, chunk = 1_000): AsyncGenerator<Row> {
  const sort = check(search);
  const { whereSql, orderSql, params } = searchClauses(search);
  const merger = pools[0] as pg.Pool;
  let last: Row | undefined;
  for (;;) {
    const parts = await Promise.all(
      pools.map(async (p) => {
        const ps = [...params];
        const where = last ? withCondition(whereSql, relativeTo(sort, search.types, last, "after", ps)) : whereSql;
        return (await p.query<Row>(`SELECT ${search.columns} FROM ${search.table} ${where} ${orderSql} LIMIT ${chunk}`, ps)).rows;
      }),
    );
    const full = parts.filter((rows) => rows.length === chunk).map((rows) => rows.at(-1) as Row);
    const merged = await inOrder(merger, sort, search.types, parts.flat());
    if (merged.length === 0) return;
    // The first full shard's last row in merged order bounds what is safe to give this round.
    const firstFull = full.length === 0 ? merged.length - 1 : Math.min(...full.map((row) => merged.indexOf(row)));
    for (const row of merged.slice(0, firstFull + 1)) yield row;
    if (full.length === 0) return;
    last = merged[firstFull];
  }
}
