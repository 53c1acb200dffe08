// A database remembers which logical shards it holds; a configuration that disagrees (a database
// added without a map, LOGICAL_SHARDS changed, a renamed shard) is refused before any customer is
// sent to the wrong database.
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
  let pool: ReturnType<typeof createPool>;
  const single = { name: "order_db", url: "postgres://unused" };

  beforeAll(async () => {
    const url = databaseUrl(inject("infra").postgresUrl, `ownership_${randomBytes(4).toString("hex")}`);
    await ensureDatabase(url);
    pool = createPool(url, 2, "ownership-test");
    await migrate(pool, [{ name: "platform", dir: MIGRATIONS }]);
  });
  afterAll(async () => {
    await pool?.end();
  });

  it("records what a database holds at its first start, accepts the same again, and refuses any change", async () => {
    const two = { ORDER_SHARDS: "order_0=postgres://h/a,order_1=postgres://h/b" };
    await checkOwnership(pool, "order_0", loadShardMap(two, "ORDER", single), 0);
    await checkOwnership(pool, "order_0", loadShardMap(two, "ORDER", single), 0);
    const recorded = (await pool.query("SELECT database_name, logical_shards, owned FROM shard_ownership")).rows;
    expect(recorded).toEqual([{ database_name: "order_0", logical_shards: 64, owned: Array.from({ length: 32 }, (_, i) => i) }]);

    // A third database added without a map would take shards 22-31 away from this one.
    const three = { ORDER_SHARDS: `${two.ORDER_SHARDS},order_2=postgres://h/c` };
    await expect(checkOwnership(pool, "order_0", loadShardMap(three, "ORDER", single), 0)).rejects.toThrow(/holds logical shards 0-31 of 64 as order_0, but the configuration gives it 0-21/);
    await expect(checkOwnership(pool, "order_0", loadShardMap({ ...two, LOGICAL_SHARDS: "128" }, "ORDER", single), 0)).rejects.toBeInstanceOf(ConfigError);
    await expect(checkOwnership(pool, "order_9", loadShardMap(two, "ORDER", single), 0)).rejects.toThrow(/as order_0/);
    // The map that keeps what it holds is accepted, whatever the other databases.
    await checkOwnership(pool, "order_0", loadShardMap({ ...three, ORDER_SHARD_MAP: "0-31=order_0,32-47=order_1,48-63=order_2" }, "ORDER", single), 0);
  });
});
