import type pg from "pg";
import { ConfigError } from "../config.ts";
import type { ShardMap } from "./shards.ts";

/** Ranges of consecutive numbers: [0,1,2,5] → "0-2,5". */
const ranges = (numbers: readonly number[]) =>
  numbers
    .reduce<[number, number][]>((out, n) => {
      const last = out.at(-1);
      if (last && last[1] === n - 1) last[1] = n;
      else out.push([n, n]);
      return out;
    }, [])
    .map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`))
    .join(",");

type Recorded = { database_name: string; logical_shards: number; owned: number[] };

/**
 * Records, at a database's first start as a shard, its name and the logical shards it holds, and
 * refuses to start when the shard map (or LOGICAL_SHARDS, or the name) says otherwise: adding a
 * database to *_SHARDS without an explicit map, or changing LOGICAL_SHARDS, would send customers to
 * a database that does not hold their orders (payments recorded as late for orders that exist,
 * idempotency keys forgotten), and a renamed database would leave its old watermarks behind.
 * A database with no record yet may only hold logical shards when no database of the service has a
 * record either (a new deployment): otherwise it is a new or mistyped database (ensureDatabase
 * creates what is missing) and must join holding nothing, as a move starts (docs/scaling.md).
 */
export async function checkOwnership(pools: readonly pg.Pool[], map: ShardMap): Promise<void> {
  const recorded = await Promise.all(
    pools.map(async (pool) => (await pool.query<Recorded>("SELECT database_name, logical_shards, owned FROM shard_ownership")).rows[0]),
  );
  const newDeployment = recorded.every((r) => r === undefined);
  for (const [index, pool] of pools.entries()) {
    const name = map.databases[index]?.name as string;
    const owned = map.owner.flatMap((owner, logical) => (owner === index ? [logical] : []));
    const record = recorded[index];
    if (!record) {
      if (!newDeployment && owned.length > 0) {
        throw new ConfigError(
          `database ${name} has no record of holding any logical shard, but other databases of this service have theirs, and the configuration gives it ${ranges(owned)}: ` +
            "a database that joins holds nothing at first (then shards are moved to it, docs/scaling.md); check the database name and URL in *_SHARDS",
        );
      }
      await pool.query("INSERT INTO shard_ownership (database_name, logical_shards, owned) VALUES ($1, $2, $3) ON CONFLICT (singleton) DO NOTHING", [
        name,
        map.logicalShards,
        owned,
      ]);
      continue;
    }
    if (record.database_name !== name || record.logical_shards !== map.logicalShards || ranges(record.owned) !== ranges(owned)) {
      throw new ConfigError(
        `database ${name} holds logical shards ${ranges(record.owned) || "none"} of ${record.logical_shards} as ${record.database_name}, but the configuration gives it ${ranges(owned) || "none"} of ${map.logicalShards} as ${name}: ` +
          "move shards as docs/scaling.md says (and record the move in shard_ownership), or correct *_SHARDS, *_SHARD_MAP or LOGICAL_SHARDS",
      );
    }
  }
}

/** Shards are merged by one database's ORDER BY (admin search): they must all sort text alike. */
export async function checkCollations(pools: readonly pg.Pool[], map: ShardMap): Promise<void> {
  const collations = await Promise.all(
    pools.map(async (p) => (await p.query<{ c: string }>("SELECT datcollate || '/' || datctype AS c FROM pg_database WHERE datname = current_database()")).rows[0]?.c),
  );
  if (new Set(collations).size > 1) {
    throw new ConfigError(`the shard databases sort text differently (${map.databases.map((d, i) => `${d.name}: ${collations[i]}`).join(", ")}); create them with one collation`);
  }
}
