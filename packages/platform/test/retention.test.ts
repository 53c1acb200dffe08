import { randomBytes } from "node:crypto";
import { databaseUrl } from "@spgroup/infra/local-stack";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createPool, ensureDatabase } from "../src/db/pool.ts";
import { purgeOlderThan } from "../src/db/retention.ts";

describe("purgeOlderThan", () => {
  let pool: ReturnType<typeof createPool>;

  beforeAll(async () => {
    const url = databaseUrl(inject("infra").postgresUrl, `retention_${randomBytes(4).toString("hex")}`);
    await ensureDatabase(url);
    pool = createPool(url, 2, "retention-test");
    await pool.query("CREATE TABLE kept (id int PRIMARY KEY, at timestamptz NOT NULL); CREATE INDEX kept_at ON kept (at)");
  });
  afterAll(async () => {
    await pool.end();
  });

  it("deletes every row past the horizon in batches, and nothing newer", async () => {
    await pool.query("INSERT INTO kept SELECT g, now() - interval '2 hours' FROM generate_series(1, 10) g");
    await pool.query("INSERT INTO kept SELECT g, now() - interval '30 minutes' FROM generate_series(11, 12) g");
    expect(await purgeOlderThan(pool, { table: "kept", column: "at", olderThanMs: 3600_000, batchSize: 3 })).toBe(10);
    const { rows } = await pool.query<{ id: number }>("SELECT id FROM kept ORDER BY id");
    expect(rows.map((r) => r.id)).toEqual([11, 12]);
  });

  it("refuses a table name that is not a plain identifier", async () => {
    await expect(purgeOlderThan(pool, { table: "kept; DROP TABLE kept", column: "at", olderThanMs: 1 })).rejects.toThrow(/bad table/);
  });
});
