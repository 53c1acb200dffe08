import type pg from "pg";
import { ConfigError } from "../config.ts";
import { asRanges, type ShardMap } from "./shards.ts";

/** Logical shards as text: [0,1,2,5] → "0-2,5". */
const ranges = (numbers: readonly number[]) => asRanges(numbers).join(",");

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
export async function checkOwnership(pools: readonly (pg.Pool | undefined)[], map: ShardMap): Promise<void> {
  // undefined: a database not reachable now, checked when it is brought up (it may have a record).
  const read = () =>
    Promise.all(pools.map(async (pool) => (pool ? (await pool.query<Recorded>("SELECT database_name, logical_shards, owned FROM shard_ownership")).rows[0] : undefined)));
  const expected = pools.map((_, index) => ({
    database_name: map.databases[index]?.name as string,
    logical_shards: map.logicalShards,
    owned: map.owner.flatMap((owner, logical) => (owner === index ? [logical] : [])),
  }));
  const differs = (record: Recorded, want: Recorded) =>
    record.database_name !== want.database_name || record.logical_shards !== want.logical_shards || ranges(record.owned) !== ranges(want.owned);
  const refuse = (record: Recorded, want: Recorded) =>
    new ConfigError(
      `database ${want.database_name} holds logical shards ${ranges(record.owned) || "none"} of ${record.logical_shards} as ${record.database_name}, but the configuration gives it ${ranges(want.owned) || "none"} of ${want.logical_shards} as ${want.database_name}: ` +
        "move shards as docs/scaling.md says (and record the move in shard_ownership), or correct *_SHARDS, *_SHARD_MAP or LOGICAL_SHARDS",
    );
  // Every check first, then the writes: a refusal leaves no database half-recorded.
  const recorded = await read();
  const newDeployment = pools.every((pool) => pool !== undefined) && recorded.every((r) => r === undefined);
  for (const [index, want] of expected.entries()) {
    if (!pools[index]) continue;
    const record = recorded[index];
    if (record && differs(record, want)) throw refuse(record, want);
    if (!record && !newDeployment && want.owned.length > 0) {
      throw new ConfigError(
        `database ${want.database_name} has no record of holding any logical shard, but other databases of this service have theirs, and the configuration gives it ${ranges(want.owned)}: ` +
          "a database that joins holds nothing at first (then shards are moved to it, docs/scaling.md); check the database name and URL in *_SHARDS. " +
          "(If a first start was interrupted before every database was recorded, delete the shard_ownership rows of this service's databases and start again.)",
      );
    }
  }
  for (const [index, pool] of pools.entries()) {
    if (!pool || recorded[index]) continue;
    const want = expected[index] as Recorded;
    await pool.query("INSERT INTO shard_ownership (database_name, logical_shards, owned) VALUES ($1, $2, $3) ON CONFLICT (singleton) DO NOTHING", [
      want.database_name,
      want.logical_shards,
      want.owned,
    ]);
  }
  // Read back: another instance starting at the same moment with another map loses here.
  for (const [index, record] of (await read()).entries()) {
    if (!pools[index]) continue;
    const want = expected[index] as Recorded;
    if (!record || differs(record, want)) throw refuse(record ?? { ...want, database_name: "nothing recorded", owned: [] }, want);
  }
}

/** Shards are merged by one database's ORDER BY (admin search): they must all sort text alike. */
export async function checkCollations(pools: readonly (pg.Pool | undefined)[], map: ShardMap): Promise<void> {
  const collations = await Promise.all(
    pools.map(async (p) => (p ? (await p.query<{ c: string }>("SELECT datcollate || '/' || datctype AS c FROM pg_database WHERE datname = current_database()")).rows[0]?.c : undefined)),
  );
  if (new Set(collations.filter((c) => c !== undefined)).size > 1) {
    throw new ConfigError(`the shard databases sort text differently (${map.databases.map((d, i) => `${d.name}: ${collations[i]}`).join(", ")}); create them with one collation`);
  }
}
