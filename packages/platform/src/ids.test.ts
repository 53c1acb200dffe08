import { describe, expect, it } from "vitest";
import { logicalShardOfId, newId } from "./ids.ts";

describe("newId", () => {
  it("is 20 characters and sorts by creation time", () => {
    const earlier = newId(1_700_000_000_000);
    const later = newId(1_700_000_000_001);
    expect(earlier).toHaveLength(20);
    expect(earlier < later).toBe(true);
  });

  it("does not repeat within one millisecond", () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newId(1_700_000_000_000)));
    expect(ids.size).toBe(10_000);
  });

  it("carries a logical shard when given one, and keeps sorting by time", () => {
    for (const shard of [0, 1, 31, 32, 63, 1023]) {
      const id = newId(1_700_000_000_000, shard);
      expect(id).toHaveLength(20);
      expect(logicalShardOfId(id)).toBe(shard);
      expect(id < newId(1_700_000_000_001, 0)).toBe(true);
    }
    expect(() => newId(1, 1024)).toThrow(RangeError);
    expect(logicalShardOfId("not-an-id")).toBeUndefined();
    expect(logicalShardOfId("0000000000ii00000000")).toBeUndefined();
  });
});
