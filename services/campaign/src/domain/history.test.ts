import { describe, expect, it } from "vitest";
import { historyCompleteSince, historyCovers } from "./history.ts";
import { checkWindowChange, InvalidCampaign } from "./policy.ts";

const now = "2026-11-11T12:00:00.000000Z";
const start = (partition: number, first_offset: string, first_ingested_at = "2026-11-11T09:00:00.000000Z") => ({ partition, first_offset, first_ingested_at });

describe("historyCompleteSince", () => {
  it("is the beginning when every partition was consumed from offset 0", () => {
    expect(historyCompleteSince({ partitions: 2, starts: [start(0, "0"), start(1, "0")], now })).toBeNull();
  });

  it("is the latest first ingest of a partition first consumed past offset 0", () => {
    expect(historyCompleteSince({ partitions: 3, starts: [start(0, "0"), start(1, "17", "2026-11-11T08:00:00.000000Z"), start(2, "4")], now })).toBe("2026-11-11T09:00:00.000000Z");
  });

  it("is not restricted by a partition not consumed yet (finality checks it again), but is now with no partitions known", () => {
    expect(historyCompleteSince({ partitions: 2, starts: [start(0, "0")], now })).toBeNull();
    expect(historyCompleteSince({ partitions: 0, starts: [], now })).toBe(now);
  });
});

describe("historyCovers", () => {
  const startTime = "2026-11-11T09:30:00.000000Z";
  it("holds when every partition was consumed from offset 0 or first ingested before the window's start", () => {
    expect(historyCovers({ partitions: 2, starts: [start(0, "0"), start(1, "0")], startTime })).toBe(true);
    expect(historyCovers({ partitions: 2, starts: [start(0, "0"), start(1, "9", "2026-11-11T08:00:00.000000Z")], startTime })).toBe(true);
  });

  it("fails while a partition has not been consumed, or was first consumed past offset 0 after the start", () => {
    expect(historyCovers({ partitions: 2, starts: [start(0, "0")], startTime })).toBe(false);
    expect(historyCovers({ partitions: 2, starts: [start(0, "0"), start(1, "9", "2026-11-11T09:45:00.000000Z")], startTime })).toBe(false);
  });
});

describe("checkWindowChange", () => {
  const code = (f: () => void) => {
    try {
      f();
      return undefined;
    } catch (error) {
      return error instanceof InvalidCampaign ? error.code : error;
    }
  };
  const active = { start_time: "2026-11-11T11:00:00.000000Z", end_time: "2026-11-11T13:00:00.000000Z", finalized_at: null };

  it("refuses a window that starts before the complete history", () => {
    const next = { startTime: "2026-11-11T08:59:59.000000Z", endTime: now };
    expect(code(() => checkWindowChange({ now, historyCompleteSince: "2026-11-11T09:00:00.000000Z", next }))).toBe("WINDOW_BEFORE_HISTORY");
    expect(code(() => checkWindowChange({ now, historyCompleteSince: null, next }))).toBeUndefined();
  });

  it("refuses moving an ACTIVE campaign's end into the past beyond the tolerance", () => {
    const next = (endTime: string) => ({ startTime: active.start_time, endTime });
    expect(code(() => checkWindowChange({ now, historyCompleteSince: null, current: active, next: next("2026-11-11T11:58:30.000000Z") }))).toBe("END_TIME_IN_THE_PAST");
    expect(code(() => checkWindowChange({ now, historyCompleteSince: null, current: active, next: next("2026-11-11T11:59:57.000000Z") }))).toBeUndefined();
    // A window already over (CLOSING) may still be corrected.
    const closing = { ...active, end_time: "2026-11-11T11:30:00.000000Z" };
    expect(code(() => checkWindowChange({ now, historyCompleteSince: null, current: closing, next: next("2026-11-11T11:20:00.000000Z") }))).toBeUndefined();
  });
});
