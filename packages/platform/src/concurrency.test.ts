import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { mapBounded } from "./concurrency.ts";

describe("mapBounded", () => {
  it("keeps the items' order and never runs more than the limit at once", async () => {
    let running = 0;
    let most = 0;
    const results = await mapBounded([5, 1, 4, 2, 3, 0, 6], 3, async (n) => {
      running++;
      most = Math.max(most, running);
      await sleep(n);
      running--;
      return n * 2;
    });
    expect(results).toEqual([10, 2, 8, 4, 6, 0, 12]);
    expect(most).toBe(3);
  });

  it("starts no further call once one has failed", async () => {
    const started: number[] = [];
    await expect(
      mapBounded([1, 2, 3, 4, 5], 1, async (n) => {
        started.push(n);
        if (n === 2) throw new Error("gateway down");
        return n;
      }),
    ).rejects.toThrow("gateway down");
    expect(started).toEqual([1, 2]);
  });

  it("rejects when a call rejects, and handles an empty list", async () => {
    await expect(mapBounded([1, 2], 2, async (n) => (n === 2 ? Promise.reject(new Error("no")) : n))).rejects.toThrow("no");
    expect(await mapBounded([], 4, async (n) => n)).toEqual([]);
    await expect(mapBounded([1], 0, async (n) => n)).rejects.toThrow(RangeError);
  });
});
