import { describe, expect, it } from "vitest";
import { ADVISORY_LOCKS } from "./locks.ts";

describe("ADVISORY_LOCKS", () => {
  it("gives every lock its own id", () => {
    const ids = Object.values(ADVISORY_LOCKS);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("keeps the ids instances of earlier versions take", () => {
    expect(ADVISORY_LOCKS).toEqual({ migrations: 727274, outboxRelay: 727275, orderWatermark: 727276, campaignStandings: 727277, databaseSettings: 727278 });
  });
});
