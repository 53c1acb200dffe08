import { describe, expect, it } from "vitest";
import { microsOf, parseInstant } from "./instants.ts";

describe("parseInstant", () => {
  // Every spelling ajv-formats' date-time lets through the HTTP schema (review finding 14).
  it.each([
    ["2026-11-11T10:00:00Z", "2026-11-11T10:00:00.000000Z"],
    ["2026-11-11t10:00:00z", "2026-11-11T10:00:00.000000Z"],
    ["2026-11-11 10:00:00Z", "2026-11-11T10:00:00.000000Z"],
    ["2026-11-11T18:00:00+08", "2026-11-11T10:00:00.000000Z"],
    ["2026-11-11T18:00:00+0800", "2026-11-11T10:00:00.000000Z"],
    ["2026-11-11T05:30:00-04:30", "2026-11-11T10:00:00.000000Z"],
    ["2026-11-11T10:00:00.123456789012345Z", "2026-11-11T10:00:00.123456Z"],
    ["2026-11-11T10:00:00.5Z", "2026-11-11T10:00:00.500000Z"],
    ["2016-12-31T23:59:60Z", "2017-01-01T00:00:00.000000Z"],
    ["2024-02-29T00:00:00Z", "2024-02-29T00:00:00.000000Z"],
  ])("reads %s as %s", (text, iso) => {
    expect(parseInstant(text)?.iso).toBe(iso);
  });

  it.each(["2026-11-11T10:00:00", "2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "0000-01-01T00:00:00Z", "0070-06-01T00:00:00Z", "0099-12-31T00:00:00Z", "1969-12-31T23:59:59Z", "yesterday", "2026-11-11T24:00:00Z", "2026-11-11T10:00:00+24:00"])(
    "refuses %s",
    (text) => {
      expect(parseInstant(text)).toBeUndefined();
    },
  );

  it("keeps microseconds for the ranking", () => {
    expect(microsOf("2026-11-11T10:00:00.000001Z") - microsOf("2026-11-11T10:00:00Z")).toBe(1n);
  });
});
