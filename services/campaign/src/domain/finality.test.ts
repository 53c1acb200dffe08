import { describe, expect, it } from "vitest";
import { finalityOf, holeOfMessage } from "./finality.ts";

const campaign = { start_time: "2026-11-11T10:00:00.000000Z", end_time: "2026-11-11T11:00:00.000000Z", finalized_at: null };
const after = "2026-11-11T11:00:01.000000Z";
const marks = (partitions: number, watermark = after) => Array.from({ length: partitions }, (_, partition) => ({ partition, source: "order_db", watermark }));
const fromZero = (partitions: number) => Array.from({ length: partitions }, (_, partition) => ({ partition, first_offset: "0", first_ingested_at: "2026-11-11T09:00:00.000000Z" }));
const base = { campaign, now: "2026-11-11T11:00:05.000000Z", partitions: 3, sources: ["order_db"], watermarks: marks(3), holes: [], starts: fromZero(4) };

describe("finalityOf", () => {
  it("waits while the stored history of a partition does not reach back to the window's start", () => {
    expect(finalityOf({ ...base, starts: fromZero(2) }).waiting_for).toEqual(["HISTORY"]);
    const late = [...fromZero(2), { partition: 2, first_offset: "40", first_ingested_at: "2026-11-11T10:30:00.000000Z" }];
    expect(finalityOf({ ...base, starts: late }).waiting_for).toEqual(["HISTORY"]);
  });

  it("allows FINAL once the window is over and every partition's watermark is past its end", () => {
    expect(finalityOf(base)).toEqual({ waiting_for: [], watermarks: { required: 3, past_end: 3, behind: [], lagging: [] }, holes: [] });
  });

  it("waits while the window is open", () => {
    expect(finalityOf({ ...base, now: campaign.end_time }).waiting_for).toEqual(["WINDOW_OPEN"]);
  });

  it("requires a watermark on a partition added since (the current metadata counts, not the old one)", () => {
    const state = finalityOf({ ...base, partitions: 4 });
    expect(state.waiting_for).toEqual(["WATERMARKS"]);
    expect(state.watermarks).toEqual({
      required: 4,
      past_end: 3,
      behind: [{ source: "order_db", partitions: [3] }],
      lagging: [{ source: "order_db", partition: 3, watermark: null, behind_ms: null }],
    });
    expect(finalityOf({ ...base, partitions: 4, watermarks: marks(4) }).waiting_for).toEqual([]);
  });

  it("proves nothing with no partitions known, a watermark at the end itself, or one order database missing", () => {
    expect(finalityOf({ ...base, partitions: 0, watermarks: [] }).waiting_for).toEqual(["WATERMARKS"]);
    expect(finalityOf({ ...base, watermarks: marks(3, campaign.end_time) }).waiting_for).toEqual(["WATERMARKS"]);
    expect(finalityOf({ ...base, sources: ["order_db", "order_db_2"] }).watermarks).toMatchObject({ required: 6, past_end: 3, behind: [{ source: "order_db_2", partitions: [0, 1, 2] }] });
  });

  it("names each pair not past the end with its latest watermark and how far before the end it is", () => {
    const held = [
      { partition: 0, source: "order_db", watermark: "2026-11-11T10:59:00.000000Z" },
      { partition: 0, source: "order_db", watermark: "2026-11-11T10:59:57.500000Z" },
      { partition: 1, source: "order_db", watermark: after },
      { partition: 2, source: "order_db", watermark: "2026-11-11T10:58:00.000000Z" },
    ];
    expect(finalityOf({ ...base, watermarks: held }).watermarks.lagging).toEqual([
      { source: "order_db", partition: 0, watermark: "2026-11-11T10:59:57.500000Z", behind_ms: 2_500 },
      { source: "order_db", partition: 2, watermark: "2026-11-11T10:58:00.000000Z", behind_ms: 120_000 },
    ]);
  });

  it("waits for an order database that publishes watermarks but is missing from the configuration", () => {
    const unlisted = [...marks(3), { partition: 0, source: "order_9", watermark: after }];
    const state = finalityOf({ ...base, watermarks: unlisted });
    expect(state.waiting_for).toEqual(["WATERMARKS"]);
    expect(state.watermarks).toMatchObject({ required: 6, past_end: 4, behind: [{ source: "order_9", partitions: [1, 2] }] });
    const complete = [...marks(3), ...[0, 1, 2].map((partition) => ({ partition, source: "order_9", watermark: after }))];
    expect(finalityOf({ ...base, watermarks: complete }).waiting_for).toEqual([]);
  });

  it("is blocked by a hole inside the window or of unknown time, not by one outside it", () => {
    const inside = { id: 1, order_created_at: "2026-11-11T11:00:00.000000Z" };
    const unknown = { id: 2, order_created_at: null };
    const outside = { id: 3, order_created_at: "2026-11-11T11:00:00.000001Z" };
    expect(finalityOf({ ...base, holes: [outside] }).waiting_for).toEqual([]);
    const state = finalityOf({ ...base, holes: [inside, unknown, outside] });
    expect(state.waiting_for).toEqual(["FINALITY_HOLES"]);
    expect(state.holes.map((h) => h.id)).toEqual([1, 2]);
  });
});

describe("holeOfMessage", () => {
  it("reads what it can of a completion it could not apply", () => {
    const value = JSON.stringify({ event_id: "e-1", type: "OrderCompleted", version: 2, data: { order_id: "O1", created_at: "2026-11-11 10:30:00+08" } });
    expect(holeOfMessage(value)).toEqual({ event_id: "e-1", order_id: "O1", order_created_at: "2026-11-11T02:30:00.000000Z" });
  });

  it("gives an unknown time for garbage, which then touches every campaign", () => {
    expect(holeOfMessage("not json")).toEqual({ event_id: null, order_id: null, order_created_at: null });
    expect(holeOfMessage(JSON.stringify({ data: { created_at: "soon" } }))?.order_created_at).toBeNull();
  });

  it("records no hole for a watermark: losing one only delays finality", () => {
    expect(holeOfMessage(JSON.stringify({ type: "OrdersWatermark", version: 9 }))).toBeUndefined();
  });
});
