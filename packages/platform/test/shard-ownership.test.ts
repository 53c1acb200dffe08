// A database remembers which logical shards it holds; a configuration that disagrees (a database
// added without a map, LOGICAL_SHARDS changed, a renamed or mistyped shard) is refused before any
// customer is sent to the wrong database.
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { databaseUrl } from "@spgroup/infra/local-stack";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ConfigError } from "../src/config.ts";
import { migrate } from "../src/db/migrate.ts";
import { createPool, ensureDatabase } from "../src/db/pool.ts";
import { checkOwnership } from "../src/db/shard-ownership.ts";
import { loadShardMap } from "../src/db/shards.ts";

const MIGRATIONS = fileURLToPath(new URL("../migrations", import.meta.url));

describe("shard ownership", () => {
  const tag = randomBytes(4).toString("hex");
  const pools: ReturnType<typeof createPool>[] = [];
  const single = { name: "order_db", url: "postgres://unused" };
  const fresh = async (name: string) => {
    const url = databaseUrl(inject("infra").postgresUrl, `ownership_${name}_${tag}`);
    await ensureDatabase(url);
    const pool = createPool(url, 2, "ownership-test");
    await migrate(pool, [{ name: "platform", dir: MIGRATIONS }]);
    pools.push(pool);
    return pool;
  };
  let a: ReturnType<typeof createPool>;
  let b: ReturnType<typeof createPool>;

  beforeAll(async () => {
    a = await fresh("a");
    b = await fresh("b");
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
  });

  const two = { ORDER_SHARDS: "order_0=postgres://h/a,order_1=postgres://h/b" };
  const three = { ORDER_SHARDS: `${two.ORDER_SHARDS},order_2=postgres://h/c` };

  it("records what each database holds at a new deployment's first start, accepts the same again, and refuses any change", async () => {
    await checkOwnership([a, b], loadShardMap(two, "ORDER", single));
    await checkOwnership([a, b], loadShardMap(two, "ORDER", single));
    const recorded = (await a.query("SELECT database_name, logical_shards, owned FROM shard_ownership")).rows;
    expect(recorded).toEqual([{ database_name: "order_0", logical_shards: 64, owned: Array.from({ length: 32 }, (_, i) => i) }]);
    // LOGICAL_SHARDS changed, or the databases swapped names.
    await expect(checkOwnership([a, b], loadShardMap({ ...two, LOGICAL_SHARDS: "128" }, "ORDER", single))).rejects.toBeInstanceOf(ConfigError);
    await expect(checkOwnership([b, a], loadShardMap(two, "ORDER", single))).rejects.toThrow(/as order_1/);
  });

  it("lets a new database join only holding nothing: a third database added without a map, or a mistyped one, is refused", async () => {
    const c = await fresh("c");
    // Without a map, the third would take shards from the other two.
    await expect(checkOwnership([a, b, c], loadShardMap(three, "ORDER", single))).rejects.toThrow(/holds logical shards 0-31 of 64 as order_0, but the configuration gives it 0-21/);
    // order_1's URL mistyped: it names the new, empty database, which would be given order_1's customers.
    await expect(checkOwnership([a, c], loadShardMap(two, "ORDER", single))).rejects.toThrow(/order_1 has no record of holding any logical shard/);
    // Shards given to the new one at once, before their rows were moved: refused.
    await expect(checkOwnership([a, b, c], loadShardMap({ ...three, ORDER_SHARD_MAP: "0-31=order_0,32-47=order_1,48-63=order_2" }, "ORDER", single))).rejects.toBeInstanceOf(ConfigError);
    expect((await c.query("SELECT count(*)::int AS n FROM shard_ownership")).rows[0].n).toBe(0);
    // Holding nothing, it joins.
    await checkOwnership([a, b, c], loadShardMap({ ...three, ORDER_SHARD_MAP: "0-31=order_0,32-63=order_1" }, "ORDER", single));
    expect((await c.query("SELECT owned FROM shard_ownership")).rows).toEqual([{ owned: [] }]);
  });
});
