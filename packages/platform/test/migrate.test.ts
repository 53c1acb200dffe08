import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { databaseUrl } from "@spgroup/infra/local-stack";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { migrate, NO_TRANSACTION_MARKER } from "../src/db/migrate.ts";
import { createPool, ensureDatabase } from "../src/db/pool.ts";

describe("migrate", () => {
  let dir: string;
  const pools: ReturnType<typeof createPool>[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "migrate-test-"));
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await rm(dir, { recursive: true, force: true });
  });

  /** A fresh database and an empty migrations folder of its own. */
  async function fresh() {
    const name = `migrate_${randomBytes(4).toString("hex")}`;
    const url = databaseUrl(inject("infra").postgresUrl, name);
    await ensureDatabase(url);
    const pool = createPool(url, 4, "migrate-test");
    pools.push(pool);
    const trackDir = join(dir, name);
    await mkdir(trackDir);
    const write = (file: string, sql: string) => writeFile(join(trackDir, file), sql);
    const tracks = [{ name: "svc", dir: trackDir }];
    return { url, pool, write, tracks, run: () => migrate(pool, tracks) };
  }

  it("applies each file in its own transaction: a failing file keeps the ones before it", async () => {
    const db = await fresh();
    await db.write("001_a.sql", "CREATE TABLE a (x int);");
    await db.write("002_b.sql", "CREATE TABLE b (x int); SELECT 1/0;");
    await expect(db.run()).rejects.toThrow(/svc\/002_b\.sql failed/);
    const { rows } = await db.pool.query("SELECT version FROM schema_migrations ORDER BY version");
    expect(rows.map((r) => r.version)).toEqual(["001_a.sql"]);
    expect((await db.pool.query("SELECT to_regclass('b') AS t")).rows[0].t).toBeNull();
    await db.write("002_b.sql", "CREATE TABLE b (x int);");
    expect(await db.run()).toEqual(["svc/002_b.sql"]);
  });

  it("gives way while a long reader holds a table, so queries behind the migration are not blocked for its whole wait", async () => {
    const db = await fresh();
    await db.write("001_t.sql", "CREATE TABLE t (x int); INSERT INTO t VALUES (1);");
    await db.run();
    const reader = new pg.Client({ connectionString: db.url });
    const other = new pg.Client({ connectionString: db.url });
    await reader.connect();
    await other.connect();
    try {
      // A long read (an export) holds an ACCESS SHARE lock on t for 7 s.
      await reader.query("BEGIN");
      await reader.query("SELECT * FROM t");
      const released = sleep(7_000).then(() => reader.query("COMMIT"));
      await db.write("002_alter.sql", "ALTER TABLE t ADD COLUMN y int;");
      const migrating = db.run();
      await sleep(500);
      // Without a lock timeout the ALTER would wait in the lock queue until the reader ends, and
      // this read would wait behind it: 6.5 s. With it, the ALTER gives way every 2 s.
      await other.query("SET statement_timeout = '4s'");
      const started = Date.now();
      await other.query("SELECT count(*) FROM t");
      expect(Date.now() - started).toBeLessThan(4_000);
      await released;
      expect(await migrating).toEqual(["svc/002_alter.sql"]);
    } finally {
      await reader.end();
      await other.end();
    }
  });

  it("runs a marked file without a transaction, so CREATE INDEX CONCURRENTLY works", async () => {
    const db = await fresh();
    await db.write("001_t.sql", "CREATE TABLE t (x int, y int);\nINSERT INTO t SELECT g, g FROM generate_series(1, 1000) g;");
    await db.write(
      "002_t_index.sql",
      `${NO_TRANSACTION_MARKER}\n-- two statements, each on its own\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_x ON t (x);\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_y ON t (y);\n`,
    );
    expect(await db.run()).toEqual(["svc/001_t.sql", "svc/002_t_index.sql"]);
    const { rows } = await db.pool.query("SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname IN ('t_x', 't_y') ORDER BY 1");
    expect(rows).toEqual([
      { relname: "t_x", indisvalid: true },
      { relname: "t_y", indisvalid: true },
    ]);
  });

  it("rebuilds an index whose interrupted concurrent build left it INVALID", async () => {
    const db = await fresh();
    await db.write("001_u.sql", "CREATE TABLE u (x int);\nINSERT INTO u VALUES (1), (1);");
    await db.run();
    // A failed concurrent build leaves its index behind, INVALID, as an interrupted one does.
    await expect(db.pool.query("CREATE UNIQUE INDEX CONCURRENTLY u_x ON u (x)")).rejects.toThrow();
    await db.pool.query("DELETE FROM u WHERE ctid = (SELECT min(ctid) FROM u)");
    await db.write("002_u_index.sql", `${NO_TRANSACTION_MARKER}\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS u_x ON u (x);\n`);
    await db.run();
    const { rows } = await db.pool.query("SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = 'u_x'::regclass");
    expect(rows).toEqual([{ indisvalid: true }]);
  });

  it("refuses to start, naming the file, when an applied migration was changed", async () => {
    const db = await fresh();
    await db.write("001_a.sql", "CREATE TABLE a (x int);");
    await db.run();
    await db.write("001_a.sql", "CREATE TABLE a (x int, y int);");
    await expect(db.run()).rejects.toThrow(/migration svc\/001_a\.sql was changed after it was applied/);
  });

  it("adopts a schema_migrations table from before checksums, taking today's files as the baseline", async () => {
    const db = await fresh();
    await db.write("001_a.sql", "CREATE TABLE a (x int);");
    await db.pool.query(`CREATE TABLE schema_migrations (track text NOT NULL, version text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (track, version));
      CREATE TABLE a (x int); INSERT INTO schema_migrations (track, version) VALUES ('svc', '001_a.sql')`);
    expect(await db.run()).toEqual([]);
    const { rows } = await db.pool.query("SELECT checksum FROM schema_migrations");
    expect(rows[0].checksum).toMatch(/^[0-9a-f]{64}$/);
    await db.write("001_a.sql", "CREATE TABLE a (x bigint);");
    await expect(db.run()).rejects.toThrow(/svc\/001_a\.sql was changed/);
  });

  it("applies each file once when several instances start at the same time", async () => {
    const db = await fresh();
    await db.write("001_t.sql", "CREATE TABLE t (x int);");
    await db.write("002_t_index.sql", `${NO_TRANSACTION_MARKER}\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_x ON t (x);\n`);
    const others = [createPool(db.url, 2), createPool(db.url, 2)];
    pools.push(...others);
    const results = await Promise.all([db.run(), ...others.map((p) => migrate(p, db.tracks))]);
    expect(results.flat().sort()).toEqual(["svc/001_t.sql", "svc/002_t_index.sql"]);
    const { rows } = await db.pool.query("SELECT count(*)::int AS n FROM schema_migrations");
    expect(rows[0].n).toBe(2);
  });
});
