import { describe, expect, it } from "vitest";
import { campaignStatus } from "./campaign-status.ts";
import { InvalidCampaign, validateSettings } from "./policy.ts";

describe("campaignStatus", () => {
  const window = { start_time: "2026-11-11T00:00:00.000000Z", end_time: "2026-11-11T01:00:00.000000Z", finalized_at: null };
  it("follows the window, and FINAL once finalised", () => {
    expect(campaignStatus(window, "2026-11-10T23:59:59.999999Z")).toBe("SCHEDULED");
    expect(campaignStatus(window, "2026-11-11T00:00:00.000000Z")).toBe("ACTIVE");
    expect(campaignStatus(window, "2026-11-11T01:00:00.000000Z")).toBe("ACTIVE");
    expect(campaignStatus(window, "2026-11-11T01:00:00.000001Z")).toBe("CLOSING");
    expect(campaignStatus({ ...window, finalized_at: "2026-11-11T01:00:05Z" }, "2026-11-11T01:00:06Z")).toBe("FINAL");
  });
});

describe("validateSettings", () => {
  const base = { name: "Hot sale", start_time: "2026-11-11T00:00:00Z", end_time: "2026-11-11T01:00:00Z" };
  it("fills the seed's defaults", () => {
    expect(validateSettings(base).policy).toEqual({ total_reward: 20, min_order_amount: "200.00", max_tracked_orders: 50 });
  });
  it("rejects an empty window, more prizes than tracked customers, and bad amounts", () => {
    expect(() => validateSettings({ ...base, end_time: base.start_time })).toThrow(InvalidCampaign);
    expect(() => validateSettings({ ...base, total_reward: 51 })).toThrow(/total_reward/);
    expect(() => validateSettings({ ...base, min_order_amount: "200.001" })).toThrow(/min_order_amount/);
    expect(() => validateSettings({ ...base, name: "  " })).toThrow(/name/);
  });
});
