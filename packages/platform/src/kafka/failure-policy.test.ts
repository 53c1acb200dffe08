import { describe, expect, it } from "vitest";
import { afterFailure } from "./failure-policy.ts";

const unreachable = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
const lockTimeout = Object.assign(new Error("canceling statement due to lock timeout"), { code: "55P03" });
const constraint = Object.assign(new Error("violates check constraint"), { code: "23514" });

describe("afterFailure", () => {
  it("waits for an unreachable or contended database however often it fails: never dead-lettered", () => {
    for (const failures of [0, 1, 3, 1_000]) {
      expect(afterFailure(unreachable, failures, 3)).toBe("wait");
      expect(afterFailure(lockTimeout, failures, 3)).toBe("wait");
    }
  });

  it("retries the events' own failure while tries are left, then gives up (split, then dead-letter)", () => {
    expect(afterFailure(constraint, 1, 3)).toBe("retry");
    expect(afterFailure(constraint, 2, 3)).toBe("retry");
    expect(afterFailure(constraint, 3, 3)).toBe("give-up");
    expect(afterFailure(new Error("a bug in a handler"), 1, 1)).toBe("give-up");
  });
});
