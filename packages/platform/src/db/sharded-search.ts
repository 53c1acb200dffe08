import type pg from "pg";
import type { Queryable } from "./pool.ts";
import { type PagedSearch, type PageResult, pagedSearch, type SortKey, searchClauses, sortWithTieBreaker } from "./search.ts";

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
  const sort = sortWithTieBreaker(search);
  for (const k of sort) if (!search.types[k.column]) throw new Error(`no SQL type given for sort column ${k.column}`);
  return sort;
}

function withCondition(whereSql: string, condition: string): string {
  return whereSql ? `${whereSql} AND ${condition}` : `WHERE ${condition}`;
}

/**
 * One page of a search over shards, as pagedSearch gives it on one database. Each shard's count
 * comes first (the total needs it anyway). The page at offset O starts from a row K: on each shard
 * i, take the row at position pᵢ = ⌊O·cᵢ/total⌋ (its share of the offset), and K is the first of
 * those in global order. No shard has more than pᵢ rows before K, so K's global position B (the
 * sum of each shard's count of rows before K) is at most Σpᵢ ≤ O. The page is then rows O−B …
 * O−B+size−1 of the merge of every shard's rows from K on, of which no shard can contribute more
 * than O−B+size. The excess O−B is small when rows are spread by hash over the shards (about √O),
 * larger when shards hold disjoint ranges of the sort key (up to O/2). Candidates travel as
 * sort keys only; the page's own rows are read by id at the end.
 */
export async function pagedSearchOverShards<R>(pools: readonly pg.Pool[], search: ShardedSearch, page: number, size: number): Promise<PageResult<R>> {
  if (pools.length === 1) return pagedSearch<R & object>(pools[0] as pg.Pool, { ...search, page, size });
  const sort = check(search);
  const { whereSql, orderSql, params } = searchClauses(search);
  const offset = (page - 1) * size;
  const merger = pools[0] as pg.Pool;
  // The sort keys (tie-breaker included) select and rank candidates; an index serves them alone.
  const keys = sort.map((k) => k.column).join(", ");
  const keysOf = (where: string, ps: unknown[], limit: number, skip = 0) =>
    Promise.all(pools.map((p) => p.query<Row>(`SELECT ${keys} FROM ${search.table} ${where} ${orderSql} LIMIT ${limit} OFFSET ${skip}`, ps)));

  const counts = (await Promise.all(pools.map((p) => p.query<{ n: string }>(`SELECT count(*) AS n FROM ${search.table} ${whereSql}`, params)))).map((r) =>
    Number(r.rows[0]?.n ?? 0),
  );
  const total = counts.reduce((sum, n) => sum + n, 0);
  const metadata = { total, page_size: size, page_number: page, total_pages: Math.ceil(total / size) };
  if (offset >= total) return { data: [], metadata };

  let candidates: { key: Row; shard: number }[];
  let skip: number;
  if (offset === 0) {
    candidates = (await keysOf(whereSql, params, size)).flatMap((r, shard) => r.rows.map((key) => ({ key, shard })));
    skip = 0;
  } else {
    const pivots = await Promise.all(
      pools.map((p, i) => {
        const position = Math.floor((offset * (counts[i] as number)) / total);
        return position < (counts[i] as number) ? p.query<Row>(`SELECT ${keys} FROM ${search.table} ${whereSql} ${orderSql} LIMIT 1 OFFSET ${position}`, params) : undefined;
      }),
    );
    const start = (await inOrder(merger, sort, search.types, pivots.flatMap((r) => r?.rows ?? [])))[0];
    // Rows deleted (or moved out of the filter) since the counts: the page is past the end now.
    if (!start) return { data: [], metadata };
    const before = await Promise.all(
      pools.map((p) => {
        const ps = [...params];
        return p.query<{ n: string }>(`SELECT count(*) AS n FROM ${search.table} ${withCondition(whereSql, relativeTo(sort, search.types, start, "before", ps))}`, ps);
      }),
    );
    // Never negative: rows inserted before the pivot since it was read would make B exceed O (the
    // page then starts at the pivot, as close as a moving table allows).
    skip = Math.max(0, offset - before.reduce((sum, r) => sum + Number(r.rows[0]?.n ?? 0), 0));
    const ps = [...params];
    const fromStart = withCondition(whereSql, relativeTo(sort, search.types, start, "notBefore", ps));
    candidates = (await keysOf(fromStart, ps, skip + size)).flatMap((r, shard) => r.rows.map((key) => ({ key, shard })));
  }
  const ranked = await inOrder(
    merger,
    sort,
    search.types,
    candidates.map((c) => c.key),
  );
  const chosen = ranked.slice(skip, skip + size);
  const shardOf = new Map(candidates.map((c) => [c.key, c.shard]));
  // The page's rows, read by id from the shards that hold them, in the merged order.
  const tie = search.tieBreaker;
  const rows = await Promise.all(
    pools.map((p, shard) => {
      const ids = chosen.filter((key) => shardOf.get(key) === shard).map((key) => key[tie]);
      return ids.length === 0 ? [] : p.query<Row>(`SELECT ${search.columns} FROM ${search.table} WHERE ${tie} = ANY($1::${search.types[tie]}[])`, [ids]).then((r) => r.rows);
    }),
  );
  const byId = new Map(rows.flat().map((row) => [String(row[tie]), row]));
  // A row deleted between the two reads is left out rather than shown half-read.
  const data = chosen.flatMap((key) => byId.get(String(key[tie])) ?? []);
  return { data: data as R[], metadata };
}

/**
 * Every row of a search over shards, in global order, read in chunks: each round takes the next
 * `chunk` rows after the last one given from every shard, merges them, and gives those that no
 * shard can still precede (up to the earliest last row of a shard whose chunk was full).
 */
export async function* rowsOverShards(pools: readonly pg.Pool[], search: ShardedSearch, chunk = 1_000): AsyncGenerator<Row> {
  const sort = check(search);
  const { whereSql, orderSql, params } = searchClauses(search);
  // One read-only REPEATABLE READ transaction per shard for the whole export: every round of a
  // shard reads one snapshot, so a row whose sort key changes meanwhile is neither repeated nor
  // skipped (the read pools' sessions are read-only; the watermark ignores them).
  const connected = await Promise.allSettled(pools.map((p) => p.connect()));
  const clients = connected.flatMap((c) => (c.status === "fulfilled" ? [c.value] : []));
  let committed = false;
  try {
    const refused = connected.find((c) => c.status === "rejected");
    if (refused) throw refused.reason;
    await Promise.all(clients.map((c) => c.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")));
    const merger = clients[0] as pg.PoolClient;
    let last: Row | undefined;
    for (;;) {
      const parts = await Promise.all(
        clients.map(async (c) => {
          const ps = [...params];
          const where = last ? withCondition(whereSql, relativeTo(sort, search.types, last, "after", ps)) : whereSql;
          return (await c.query<Row>(`SELECT ${search.columns} FROM ${search.table} ${where} ${orderSql} LIMIT ${chunk}`, ps)).rows;
        }),
      );
      const full = parts.filter((rows) => rows.length === chunk).map((rows) => rows.at(-1) as Row);
      const merged = await inOrder(merger, sort, search.types, parts.flat());
      if (merged.length === 0) break;
      // The first full shard's last row in merged order bounds what is safe to give this round.
      const firstFull = full.length === 0 ? merged.length - 1 : Math.min(...full.map((row) => merged.indexOf(row)));
      for (const row of merged.slice(0, firstFull + 1)) yield row;
      if (full.length === 0) break;
      last = merged[firstFull];
    }
    await Promise.all(clients.map((c) => c.query("COMMIT")));
    committed = true;
  } finally {
    // Failed, or stopped early (the client went away): the sessions are dropped, not reused mid-transaction.
    for (const c of clients) c.release(committed ? undefined : new Error("export ended before its commit"));
  }
}
