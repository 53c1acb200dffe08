import { DomainError, parseInstant } from "@spgroup/contracts";
import type { Queryable } from "./pool.ts";

export type FilterOp = "=" | ">=" | "<=";
/** A filter's column and operator come from code; only its value comes from the request. */
export interface Filter {
  column: string;
  op: FilterOp;
  value: unknown;
  cast?: string;
}

export interface SortKey {
  column: string;
  descending: boolean;
}

/**
 * A date-time filter (`created_from`, …) in the one spelling PostgreSQL reads as we do, or
 * INVALID_INSTANT: the schema's date-time lets through instants PostgreSQL refuses (year 0000)
 * or reads otherwise, which must be a 400, never a 500 from the cast.
 */
export function instantFilter(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  const instant = parseInstant(value);
  if (!instant) throw new DomainError("INVALID_INSTANT", `${name} must be an instant between 1970 and 9999, e.g. 2026-11-26T08:00:00Z`);
  return instant.iso;
}

/** Parses `-created_at,total_amount` against a whitelist; anything else is INVALID_SORT. */
export function parseSort(sort: string | undefined, allowed: readonly string[], fallback: SortKey[]): SortKey[] {
  if (!sort) return fallback;
  const keys: SortKey[] = [];
  for (const part of sort.split(",")) {
    const descending = part.startsWith("-");
    const column = descending ? part.slice(1) : part;
    if (!allowed.includes(column)) {
      throw new DomainError("INVALID_SORT", `cannot sort by '${column}'; sortable columns: ${allowed.join(", ")}`);
    }
    if (keys.some((k) => k.column === column)) throw new DomainError("INVALID_SORT", `sort column '${column}' given twice`);
    keys.push({ column, descending });
  }
  return keys;
}

export interface PagedSearch {
  table: string;
  columns: string;
  filters: Filter[];
  sort: SortKey[];
  /** Unique column appended to every sort so pages never overlap or skip rows. */
  tieBreaker: string;
  page: number;
  size: number;
}

export interface PageResult<Row> {
  data: Row[];
  metadata: { total: number; page_size: number; page_number: number; total_pages: number };
}

/** The sort with the tie-breaker appended (in the last key's direction) unless it is already sorted on. */
export function sortWithTieBreaker(search: Pick<PagedSearch, "sort" | "tieBreaker">): SortKey[] {
  return search.sort.some((k) => k.column === search.tieBreaker)
    ? search.sort
    : [...search.sort, { column: search.tieBreaker, descending: search.sort.at(-1)?.descending ?? false }];
}

/** WHERE and ORDER BY of a search, parameterised: used by the paged search and by exports. */
export function searchClauses(search: Pick<PagedSearch, "filters" | "sort" | "tieBreaker">): { whereSql: string; orderSql: string; params: unknown[] } {
  const params: unknown[] = [];
  const where = search.filters
    .filter((f) => f.value !== undefined && f.value !== null && f.value !== "")
    .map((f) => {
      params.push(f.value);
      return `${f.column} ${f.op} $${params.length}${f.cast ? `::${f.cast}` : ""}`;
    });
  const whereSql = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
  const sort = sortWithTieBreaker(search);
  const orderSql = `ORDER BY ${sort.map((k) => `${k.column} ${k.descending ? "DESC" : "ASC"}`).join(", ")}`;
  return { whereSql, orderSql, params };
}

/** Every matching row, in order, as SQL and parameters: for a streamed export of a search. */
export function allMatchingSql(search: Omit<PagedSearch, "page" | "size">): { sql: string; params: unknown[] } {
  const { whereSql, orderSql, params } = searchClauses(search);
  return { sql: `SELECT ${search.columns} FROM ${search.table} ${whereSql} ${orderSql}`, params };
}

export async function pagedSearch<Row extends object>(db: Queryable, search: PagedSearch): Promise<PageResult<Row>> {
  const { whereSql, orderSql, params } = searchClauses(search);
  const offset = (search.page - 1) * search.size;
  const [rows, count] = await Promise.all([
    // Deferred join: the page's keys come from an index-only scan, however deep the page, and only
    // those rows are read from the table (skipping a million rows by a column uncorrelated with the
    // table's physical order would otherwise mean a million random reads).
    db.query<Row>(
      `SELECT ${search.columns} FROM ${search.table}
       WHERE ${search.tieBreaker} IN (SELECT ${search.tieBreaker} FROM ${search.table} ${whereSql} ${orderSql} LIMIT ${search.size} OFFSET ${offset})
       ${orderSql}`,
      params,
    ),
    db.query<{ total: string }>(`SELECT count(*) AS total FROM ${search.table} ${whereSql}`, params),
  ]);
  const total = Number(count.rows[0]?.total ?? 0);
  return {
    data: rows.rows,
    metadata: { total, page_size: search.size, page_number: search.page, total_pages: Math.ceil(total / search.size) },
  };
}
