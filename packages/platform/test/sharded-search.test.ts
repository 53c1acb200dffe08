// Search over shards against the same rows in one database: every sort the admin offers (text in
// the database's collation, an enum in its declared order, mixed directions), every page from the
// first to past the last, and the streamed export, must give exactly what one database gives.
import { randomBytes } from "node:crypto";
import { databaseUrl } from "@spgroup/infra/local-stack";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createPool, ensureDatabase } from "../src/db/pool.ts";
import { pagedSearch, parseSort } from "../src/db/search.ts";
import { pagedSearchOverShards, rowsOverShards, type ShardedSearch } from "../src/db/sharded-search.ts";

const SHARDS = 3;
const ROWS = 500;
const COLUMNS = "id, state, amount, customer, created_at";
const TYPES = { id: "text", state: "sale_state", amount: "numeric", customer: "text", created_at: "timestamptz" };

describe("search over shards", () => {
  const suffix = randomBytes(4).toString("hex");
  let whole: pg.Pool;
  let shards: pg.Pool[] = [];

  beforeAll(async () => {
    const infra = inject("infra");
    const pools = [];
    for (const name of ["whole", ...Array.from({ length: SHARDS }, (_, i) => `s${i}`)]) {
      const url = databaseUrl(infra.postgresUrl, `sharded_search_${name}_${suffix}`);
      await ensureDatabase(url);
      const pool = createPool(url, 4, "sharded-search-test");
      // Declared out of alphabetical order: an enum sorts by declaration, not by its labels.
      await pool.query("CREATE TYPE sale_state AS ENUM ('PROCESSING', 'SUCCESS', 'FAILED')");
      await pool.query(
        "CREATE TABLE sales (id text PRIMARY KEY, state sale_state NOT NULL, amount numeric(12,2) NOT NULL, customer text NOT NULL, created_at timestamptz NOT NULL)",
      );
      await pool.query("CREATE INDEX ON sales (created_at, id)");
      await pool.query("CREATE TABLE sales_even (LIKE sales INCLUDING ALL)");
      pools.push(pool);
    }
    [whole, ...shards] = pools as [pg.Pool, ...pg.Pool[]];
    // Few distinct values per column (ties everywhere), customers with punctuation and case, which
    // a collation may order differently from their bytes.
    const rows = Array.from({ length: ROWS }, (_, i) => ({
      id: `id-${String((i * 7919) % 100_003).padStart(6, "0")}`,
      state: ["PROCESSING", "SUCCESS", "FAILED"][i % 3],
      amount: ((i * 37) % 50) + 0.5,
      customer: ["cust-1", "cust1", "Cust-2", "cust_2", "a b", "ab", "Zed", "éclair"][i % 8],
      created_at: new Date(Date.UTC(2026, 10, 1) + (i % 40) * 1000 + (i % 3)).toISOString(),
    }));
    const insert = (pool: pg.Pool, part: typeof rows, table = "sales") =>
      part.length === 0
        ? undefined
        : pool.query(
            `INSERT INTO ${table} SELECT * FROM unnest($1::text[], $2::sale_state[], $3::numeric[], $4::text[], $5::timestamptz[])`,
            (["id", "state", "amount", "customer", "created_at"] as const).map((c) => part.map((r) => r[c])),
          );
    await insert(whole, rows);
    await insert(whole, rows, "sales_even");
    // sales: uneven shards, the first holds most rows; sales_even: spread evenly, as by a hash.
    await Promise.all(
      shards.map((pool, s) =>
        insert(
          pool,
          rows.filter((_, i) => (i % 7 < 4 ? 0 : (i % 7) - 3) % SHARDS === s),
        ),
      ),
    );
    await Promise.all(
      shards.map((pool, s) =>
        insert(
          pool,
          rows.filter((_, i) => (i * 7919) % SHARDS === s),
          "sales_even",
        ),
      ),
    );
  });
  afterAll(async () => {
    await Promise.all([whole, ...shards].map((p) => p?.end()));
  });

  const search = (sort: string, filters: ShardedSearch["filters"] = [], table = "sales"): ShardedSearch => ({
    table,
    columns: COLUMNS,
    filters,
    sort: parseSort(sort, Object.keys(TYPES), []),
    tieBreaker: "id",
    types: TYPES,
  });
  const sorts = ["-created_at", "created_at", "customer", "-customer,amount", "state,-amount", "-state", "amount,customer,-created_at", "id"];

  it("gives every page exactly as one database does, for every sort", async () => {
    for (const table of ["sales", "sales_even"]) {
      for (const sort of sorts) {
        for (const size of [7, 50]) {
          for (let page = 1; page <= Math.ceil(ROWS / size) + 1; page++) {
            const expected = await pagedSearch(whole, { ...search(sort, [], table), page, size });
            const got = await pagedSearchOverShards(shards, search(sort, [], table), page, size);
            expect(got, `${table} ${sort} page ${page} of ${size}`).toEqual(expected);
          }
        }
      }
    }
  });

  it("applies the filters on every shard", async () => {
    const filters = [
      { column: "state", op: "=" as const, value: "SUCCESS", cast: "sale_state" },
      { column: "amount", op: ">=" as const, value: "20", cast: "numeric" },
    ];
    for (const page of [1, 2, 4]) {
      expect(await pagedSearchOverShards(shards, search("-customer", filters), page, 9)).toEqual(
        await pagedSearch(whole, { ...search("-customer", filters), page, size: 9 }),
      );
    }
  });

  it("streams every row in global order, across chunk boundaries", async () => {
    for (const sort of sorts) {
      const expected = (await pagedSearch(whole, { ...search(sort), page: 1, size: ROWS })).data;
      const got = [];
      for await (const row of rowsOverShards(shards, search(sort), 13)) got.push(row);
      expect(got, sort).toEqual(expected);
    }
  });
});
