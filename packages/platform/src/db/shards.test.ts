import { murmur2 as libraryMurmur2 } from "@platformatic/kafka";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../config.ts";
import { keyHash, loadShardMap, logicalShardOf, murmur2, partitionOfKey, Shards } from "./shards.ts";

const single = { name: "order_db", url: "postgres://h/order_db" };

describe("the customer hash", () => {
  it("is Kafka's murmur2, byte for byte the Kafka client's, for keys of every length", () => {
    for (const key of ["", "a", "ab", "abc", "abcd", "cust-1", "cust-12345", "顧客-7", "x".repeat(1000)]) {
      expect(murmur2(new TextEncoder().encode(key))).toBe(libraryMurmur2(Buffer.from(key)) | 0);
    }
  });

  it("matches the Java client's partitions for known keys (Utils.toPositive(murmur2) % n)", () => {
    // Java: Utils.murmur2("21".getBytes()) = -973932308 (Kafka's UtilsTest), toPositive keeps the low 31 bits.
    expect(murmur2(new TextEncoder().encode("21"))).toBe(-973932308);
    expect(keyHash("21")).toBe(-973932308 & 0x7fffffff);
    expect(partitionOfKey("21", 6)).toBe((-973932308 & 0x7fffffff) % 6);
  });

  it("gives one logical shard per customer and spreads customers over all of them", () => {
    const counts = new Array(64).fill(0);
    for (let i = 0; i < 64_000; i++) counts[logicalShardOf(`cust-${i}`, 64)]++;
    expect(Math.min(...counts)).toBeGreaterThan(800);
    expect(Math.max(...counts)).toBeLessThan(1200);
    expect(logicalShardOf("cust-7", 64)).toBe(logicalShardOf("cust-7", 64));
  });
});

describe("the shard map", () => {
  const four = "order_0=postgres://h/o0,order_1=postgres://h/o1,order_2=postgres://h/o2,order_3=postgres://h/o3";

  it("is the one database when no shards are listed", () => {
    const map = loadShardMap({}, "ORDER", single);
    expect(map.databases).toEqual([single]);
    expect(new Set(map.owner)).toEqual(new Set([0]));
    expect(map.logicalShards).toBe(64);
  });

  it("gives each listed database an equal contiguous range by default", () => {
    const map = loadShardMap({ ORDER_SHARDS: four }, "ORDER", single);
    expect(map.databases.map((d) => d.name)).toEqual(["order_0", "order_1", "order_2", "order_3"]);
    expect(map.owner.slice(0, 16)).toEqual(new Array(16).fill(0));
    expect(map.owner.slice(48)).toEqual(new Array(16).fill(3));
  });

  it("follows an explicit map (one logical shard moved)", () => {
    const map = loadShardMap({ ORDER_SHARDS: "a=postgres://h/a,b=postgres://h/b", ORDER_SHARD_MAP: "0-31=a,32-62=b,63=a" }, "ORDER", single);
    expect(map.owner[63]).toBe(0);
    expect(map.owner[62]).toBe(1);
  });

  it("refuses a map with a gap, an overlap, an unknown database or a bad entry, naming the variable", () => {
    const env = { ORDER_SHARDS: "a=postgres://h/a,b=postgres://h/b" };
    for (const map of ["0-31=a", "0-40=a,30-63=b", "0-31=a,32-63=c", "0-63", "5-1=a", "0-64=a"]) {
      expect(() => loadShardMap({ ...env, ORDER_SHARD_MAP: map }, "ORDER", single)).toThrow(/ORDER_SHARD_MAP/);
    }
    for (const shards of ["a", "A=postgres://h/a", "a=mysql://h/a", "a=postgres://h/a,a=postgres://h/b"]) {
      expect(() => loadShardMap({ ORDER_SHARDS: shards }, "ORDER", single)).toThrow(ConfigError);
    }
    expect(() => loadShardMap({ ORDER_SHARDS: four, LOGICAL_SHARDS: "2" }, "ORDER", single)).toThrow(/LOGICAL_SHARDS/);
  });
});

describe("Shards", () => {
  const map = loadShardMap({ ORDER_SHARDS: "a=postgres://h/a,b=postgres://h/b" }, "ORDER", single);
  const shards = new Shards(map, ["a", "b"]);

  it("finds a customer's database from her logical shard", () => {
    for (let i = 0; i < 100; i++) {
      const customer = `c-${i}`;
      expect(shards.forCustomer(customer)).toBe(shards.logicalOf(customer) < 32 ? "a" : "b");
    }
  });

  it("looks an id up in its own database first, then everywhere", async () => {
    const asked: string[] = [];
    const lookup = (rows: Record<string, string>) => async (db: string) => {
      asked.push(db);
      return rows[db];
    };
    expect(await shards.find(40, lookup({ b: "found" }))).toBe("found");
    expect(asked).toEqual(["b"]);
    asked.length = 0;
    expect(await shards.find(40, lookup({ a: "moved" }))).toBe("moved");
    expect(asked).toEqual(["b", "a"]);
    asked.length = 0;
    expect(await shards.find(undefined, lookup({}))).toBeUndefined();
    expect(asked.sort()).toEqual(["a", "b"]);
  });
});
