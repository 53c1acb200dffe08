import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { DatabaseOverloaded, isTransientDatabaseError } from "./errors.ts";
import { GroupCommit } from "./group-commit.ts";

/** A writer that records its batches and answers each item with item * 10 after `ms`. */
function recorder(ms = 5, fail?: (items: number[]) => unknown) {
  const batches: number[][] = [];
  let concurrent = 0;
  let maxConcurrent = 0;
  const write = async (items: number[]) => {
    batches.push(items);
    concurrent++;
    maxConcurrent = Math.max(maxConcurrent, concurrent);
    try {
      await sleep(ms);
      const error = fail?.(items);
      if (error) throw error;
      return items.map((i) => i * 10);
    } finally {
      concurrent--;
    }
  };
  return { write, batches, maxConcurrent: () => maxConcurrent };
}

describe("GroupCommit", () => {
  it("writes items submitted together as one batch and gives each caller its own outcome", async () => {
    const w = recorder();
    // A window far longer than a loaded machine's pauses (5 ms once split the five on CI), and a
    // batch of exactly five: written when the fifth arrives, not when the window ends.
    const gc = new GroupCommit({ write: w.write, maxBatch: 5, windowMs: 10_000, maxConcurrent: 2, maxWaitMs: 20_000 });
    const results = await Promise.all([1, 2, 3, 4, 5].map((i) => gc.submit(i)));
    expect(results).toEqual([10, 20, 30, 40, 50]);
    expect(w.batches).toEqual([[1, 2, 3, 4, 5]]);
  });

  it("writes a full batch at once, without waiting for the window", async () => {
    const w = recorder(1);
    const gc = new GroupCommit({ write: w.write, maxBatch: 3, windowMs: 10_000, maxConcurrent: 4, maxWaitMs: 20_000 });
    const started = performance.now();
    await Promise.all([1, 2, 3, 4, 5, 6].map((i) => gc.submit(i)));
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(w.batches).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it("keeps at most maxConcurrent batches in flight, and the items that wait meanwhile form bigger batches", async () => {
    const w = recorder(20);
    const gc = new GroupCommit({ write: w.write, maxBatch: 1000, windowMs: 0, maxConcurrent: 1 });
    const first = gc.submit(0);
    await sleep(2);
    const rest = Array.from({ length: 50 }, (_, i) => gc.submit(i + 1));
    expect(await Promise.all([first, ...rest])).toEqual(Array.from({ length: 51 }, (_, i) => i * 10));
    expect(w.maxConcurrent()).toBe(1);
    expect(w.batches.map((b) => b.length)).toEqual([1, 50]);
  });

  it("never puts two items with the same key in one batch; the second goes in a later batch", async () => {
    const w = recorder();
    const gc = new GroupCommit<number, number>({ write: w.write, maxBatch: 100, windowMs: 2, maxConcurrent: 4, keyOf: (i) => (i % 2 === 0 ? "even-key" : undefined) });
    expect(await Promise.all([1, 2, 3, 4, 5].map((i) => gc.submit(i)))).toEqual([10, 20, 30, 40, 50]);
    for (const batch of w.batches) expect(batch.filter((i) => i % 2 === 0).length).toBeLessThanOrEqual(1);
    expect(w.batches.flat().sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it("retries a failed batch item by item, so one bad item fails alone", async () => {
    const bad = Object.assign(new Error("row 3 violates a constraint"), { code: "23514" });
    const w = recorder(1, (items) => (items.includes(3) ? bad : undefined));
    const gc = new GroupCommit({ write: w.write, maxBatch: 100, windowMs: 5, maxConcurrent: 2 });
    const results = await Promise.allSettled([1, 2, 3, 4].map((i) => gc.submit(i)));
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message))).toEqual([10, 20, "row 3 violates a constraint", 40]);
  });

  it("fails every item of a batch the database refused for being unreachable, without retrying each", async () => {
    const down = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const w = recorder(1, () => down);
    const gc = new GroupCommit({ write: w.write, maxBatch: 100, windowMs: 5, maxConcurrent: 2 });
    const results = await Promise.allSettled([1, 2, 3].map((i) => gc.submit(i)));
    expect(results.every((r) => r.status === "rejected" && r.reason === down)).toBe(true);
    expect(w.batches).toEqual([[1, 2, 3]]);
  });

  it("rejects every item when the writer answers for the wrong number of items", async () => {
    const gc = new GroupCommit<number, number>({ write: async (items) => items.slice(1), maxBatch: 10, windowMs: 2, maxConcurrent: 1 });
    const results = await Promise.allSettled([1, 2].map((i) => gc.submit(i)));
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
  });
});

describe("GroupCommit when the database falls behind", () => {
  it("refuses items that waited past maxWaitMs for a writer, as a transient overload, and writes the rest", async () => {
    const w = recorder(400);
    const gc = new GroupCommit({ write: w.write, maxBatch: 1, windowMs: 0, maxConcurrent: 1, maxWaitMs: 50 });
    const results = await Promise.allSettled([1, 2, 3].map((i) => gc.submit(i)));
    expect(results[0]).toEqual({ status: "fulfilled", value: 10 });
    for (const r of results.slice(1)) {
      expect(r.status).toBe("rejected");
      const reason = (r as PromiseRejectedResult).reason;
      expect(reason).toBeInstanceOf(DatabaseOverloaded);
      expect(isTransientDatabaseError(reason)).toBe(true);
    }
    expect(w.batches).toEqual([[1]]);
  });
});

describe("GroupCommit after a failure", () => {
  const connectionLost = () => Object.assign(new Error("Connection terminated unexpectedly"), { code: "ECONNRESET" });

  it("answers the items a lost connection wrote after all, and fails only the others", async () => {
    const lost = connectionLost();
    const gc = new GroupCommit<number, number>({
      write: async () => Promise.reject(lost),
      // The commit happened for 1 and 3 before the connection dropped.
      recover: async (items) => items.map((i) => (i === 2 ? undefined : i * 10)),
      maxBatch: 10,
      windowMs: 5,
      maxConcurrent: 1,
    });
    const results = await Promise.allSettled([1, 2, 3].map((i) => gc.submit(i)));
    expect(results).toEqual([
      { status: "fulfilled", value: 10 },
      { status: "rejected", reason: lost },
      { status: "fulfilled", value: 30 },
    ]);
  });

  it("fails the rest of a batch at once when the database goes away while its items are retried one by one", async () => {
    const calls: number[][] = [];
    const bad = Object.assign(new Error("bad row"), { code: "22021" });
    const lost = connectionLost();
    const gc = new GroupCommit<number, number>({
      write: async (items) => {
        calls.push(items);
        if (items.length > 1) throw bad;
        if (items[0] === 2) throw lost;
        return items.map((i) => i * 10);
      },
      maxBatch: 10,
      windowMs: 5,
      maxConcurrent: 1,
    });
    const results = await Promise.allSettled([1, 2, 3, 4].map((i) => gc.submit(i)));
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : r.reason))).toEqual([10, lost, lost, lost]);
    expect(calls).toEqual([[1, 2, 3, 4], [1], [2]]);
  });

  it("never turns a written batch into a failed one when something after the write throws", async () => {
    const gc = new GroupCommit<number, number>({
      write: async (items) => items.map((i) => i * 10),
      onBatch: () => {
        throw new Error("metrics broke");
      },
      maxBatch: 10,
      windowMs: 5,
      maxConcurrent: 1,
    });
    expect(await Promise.all([1, 2].map((i) => gc.submit(i)))).toEqual([10, 20]);
  });
});
