import { ConfigError, readEnv } from "../config.ts";

// Sharding by customer: a fixed number of logical shards, each owned by one physical database.
// A customer's logical shard is the same hash of customer_id that places her events on a Kafka
// partition (Kafka's murmur2, as the Java client uses it), so her orders, payments and events stay
// together; the map from logical shards to databases is configuration. Moving a logical shard to
// another database moves every row of it and changes one entry of the map (docs/scaling.md).

/** Logical shards unless LOGICAL_SHARDS says otherwise. Fixed for a deployment's life: it is in every id. */
export const DEFAULT_LOGICAL_SHARDS = 64;
/** Two base-32 characters of an id carry the logical shard (ids.ts), so at most 1024. */
export const MAX_LOGICAL_SHARDS = 1024;

const encoder = new TextEncoder();

/** Kafka's murmur2 (the Java client's Utils.murmur2), as a signed 32-bit integer. */
export function murmur2(data: Uint8Array): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = 0x9747b28c ^ length;
  const whole = length - (length % 4);
  for (let i = 0; i < whole; i += 4) {
    let k = (data[i] as number) | ((data[i + 1] as number) << 8) | ((data[i + 2] as number) << 16) | ((data[i + 3] as number) << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const rest = length % 4;
  if (rest === 3) h ^= (data[whole + 2] as number) << 16;
  if (rest >= 2) h ^= (data[whole + 1] as number) << 8;
  if (rest >= 1) {
    h ^= data[whole] as number;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** The non-negative hash of a record key that Kafka's default partitioner takes modulo the partition count. */
export function keyHash(key: string | Uint8Array): number {
  return murmur2(typeof key === "string" ? encoder.encode(key) : key) & 0x7fffffff;
}

/** The Kafka partition of a key, as the Java client's default partitioner (and our producers) choose it. */
export const partitionOfKey = (key: string, partitions: number): number => keyHash(key) % partitions;

/** The logical shard of a customer. */
export const logicalShardOf = (customerId: string, logicalShards: number): number => keyHash(customerId) % logicalShards;

export interface ShardDatabase {
  /** Names the database in watermarks, metrics and /ops/shards: "order_0". */
  name: string;
  url: string;
}

export interface ShardMap {
  logicalShards: number;
  databases: ShardDatabase[];
  /** owner[s] is the index in `databases` of the database that holds logical shard s. */
  owner: number[];
}

/**
 * The shard map of a service from its environment:
 * - `<PREFIX>_SHARDS`: `name=url,name=url,…`, the physical databases (unset: the one database).
 * - `<PREFIX>_SHARD_MAP`: `0-15=order_0,16-63=order_1`, which database owns which logical shards;
 *   unset: contiguous equal ranges in the order the databases are listed (64 over 4: 16 each).
 * - `LOGICAL_SHARDS` (default 64): the same for every service of a deployment, for ever.
 */
export function loadShardMap(env: Record<string, string | undefined>, prefix: string, single: ShardDatabase): ShardMap {
  const read = readEnv(env);
  const logicalShards = read.int("LOGICAL_SHARDS", DEFAULT_LOGICAL_SHARDS, { min: 1, max: MAX_LOGICAL_SHARDS });
  const listed = read.string(`${prefix}_SHARDS`, "");
  const databases = listed === "" ? [single] : parseDatabases(listed, `${prefix}_SHARDS`);
  if (databases.length > logicalShards)
    throw new ConfigError(`${prefix}_SHARDS lists ${databases.length} databases for ${logicalShards} logical shards (LOGICAL_SHARDS)`);
  const mapText = read.string(`${prefix}_SHARD_MAP`, "");
  const owner = mapText
    ? parseOwners(mapText, databases, logicalShards, `${prefix}_SHARD_MAP`)
    : Array.from({ length: logicalShards }, (_, s) => Math.floor((s * databases.length) / logicalShards));
  return { logicalShards, databases, owner };
}

function parseDatabases(text: string, variable: string): ShardDatabase[] {
  const databases = text.split(",").map((part) => {
    const at = part.indexOf("=");
    const name = part.slice(0, at).trim();
    const url = part.slice(at + 1).trim();
    if (at <= 0 || !/^[a-z][a-z0-9_]{0,62}$/.test(name) || !/^postgres(ql)?:\/\//.test(url)) {
      throw new ConfigError(`${variable}: each entry must be name=postgres://… with a name of lower-case letters, digits and _, got '${part.trim()}'`);
    }
    return { name, url };
  });
  const names = new Set(databases.map((d) => d.name));
  if (names.size !== databases.length) throw new ConfigError(`${variable} names a database twice`);
  return databases;
}

function parseOwners(text: string, databases: ShardDatabase[], logicalShards: number, variable: string): number[] {
  const owner = new Array<number>(logicalShards).fill(-1);
  for (const part of text.split(",")) {
    const match = /^\s*(\d+)(?:-(\d+))?\s*=\s*([a-z][a-z0-9_]*)\s*$/.exec(part);
    const database = match ? databases.findIndex((d) => d.name === match[3]) : -1;
    const from = Number(match?.[1]);
    const to = Number(match?.[2] ?? match?.[1]);
    if (!match || database < 0 || from > to || to >= logicalShards) {
      throw new ConfigError(
        `${variable}: '${part.trim()}' must be first-last=database with shards in [0, ${logicalShards - 1}] and a database listed in the shards`,
      );
    }
    for (let s = from; s <= to; s++) {
      if (owner[s] !== -1) throw new ConfigError(`${variable} gives logical shard ${s} twice`);
      owner[s] = database;
    }
  }
  const orphan = owner.indexOf(-1);
  if (orphan >= 0) throw new ConfigError(`${variable} gives no database to logical shard ${orphan}`);
  return owner;
}

/** Consecutive logical shards as ranges: [0,1,2,5] → ["0-2", "5"]. */
export function asRanges(numbers: readonly number[]): string[] {
  const ranges: string[] = [];
  for (let i = 0; i < numbers.length; ) {
    let j = i;
    while (j + 1 < numbers.length && (numbers[j + 1] as number) === (numbers[j] as number) + 1) j++;
    ranges.push(i === j ? `${numbers[i]}` : `${numbers[i]}-${numbers[j]}`);
    i = j + 1;
  }
  return ranges;
}

/** Per-database things (pools, relays, writers) found by customer, by id or all at once. */
export class Shards<T> {
  readonly #map: ShardMap;
  readonly all: readonly T[];

  constructor(map: ShardMap, perDatabase: readonly T[]) {
    if (perDatabase.length !== map.databases.length) throw new Error("one item per shard database is needed");
    this.#map = map;
    this.all = perDatabase;
  }

  /** The same shards with one new item per database (pools → their read pools, writers…). */
  map<U>(each: (item: T, index: number) => U): Shards<U> {
    return new Shards(this.#map, this.all.map(each));
  }

  /** The logical shards the index-th database holds, in order. */
  logicalOwnedBy(index: number): number[] {
    return this.#map.owner.flatMap((owner, logical) => (owner === index ? [logical] : []));
  }

  get logicalShards(): number {
    return this.#map.logicalShards;
  }

  /** The logical shard of a customer (goes into the ids of her records). */
  logicalOf(customerId: string): number {
    return logicalShardOf(customerId, this.#map.logicalShards);
  }

  forCustomer(customerId: string): T {
    return this.#owning(this.logicalOf(customerId));
  }

  /** The database an id was made for, if the id carries a logical shard this map knows. */
  forLogical(logical: number | undefined): T | undefined {
    return logical === undefined || logical >= this.#map.logicalShards ? undefined : this.#owning(logical);
  }

  #owning(logical: number): T {
    return this.all[this.#map.owner[logical] as number] as T;
  }

  /**
   * Finds a record by id: first in the database its id names (one query), then, only if it is not
   * there, in every other one (ids made before sharding, or a shard moved since).
   */
  async find<R>(logical: number | undefined, lookup: (item: T) => Promise<R | undefined>): Promise<R | undefined> {
    const first = this.forLogical(logical);
    if (first) {
      const found = await lookup(first);
      if (found !== undefined || this.all.length === 1) return found;
    }
    const rest = await Promise.all(this.all.filter((item) => item !== first).map(lookup));
    return rest.find((r) => r !== undefined);
  }
}
