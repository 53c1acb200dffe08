import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { backoffMs, DeadlineExceeded, withDeadline } from "./timing.ts";

describe("backoffMs", () => {
  it("grows exponentially, stays between half and all of its ceiling, and is capped", () => {
    expect(backoffMs(0, { baseMs: 100 }, () => 0)).toBe(50);
    expect(backoffMs(0, { baseMs: 100 }, () => 1)).toBe(100);
    expect(backoffMs(3, { baseMs: 100 }, () => 1)).toBe(800);
    expect(backoffMs(50, { baseMs: 100, maxMs: 5_000 }, () => 1)).toBe(5_000);
    expect(backoffMs(50, { baseMs: 100, maxMs: 5_000 }, () => 0)).toBe(2_500);
    const spread = new Set(Array.from({ length: 50 }, () => backoffMs(4)));
    expect(spread.size).toBeGreaterThan(10);
  });
});

describe("withDeadline", () => {
  it("passes a prompt result through", async () => {
    await expect(withDeadline(Promise.resolve(7), 1_000, "quick")).resolves.toBe(7);
    await expect(withDeadline(Promise.reject(new Error("boom")), 1_000, "quick")).rejects.toThrow("boom");
  });

  it("rejects a promise that never settles, naming what hung", async () => {
    const never = new Promise<void>(() => {});
    const started = Date.now();
    await expect(withDeadline(never, 50, "closing the consumer")).rejects.toBeInstanceOf(DeadlineExceeded);
    await expect(withDeadline(never, 50, "closing the consumer")).rejects.toThrow(/closing the consumer did not finish within 50 ms/);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("ignores a late rejection of the abandoned work", async () => {
    const late = sleep(30).then(() => {
      throw new Error("late");
    });
    await expect(withDeadline(late, 5, "late work")).rejects.toBeInstanceOf(DeadlineExceeded);
    await sleep(50);
  });
});
