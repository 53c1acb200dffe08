import { DomainError } from "@spgroup/contracts";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { createCampaign } from "../src/app/manage-campaign.ts";
import { startIsolatedCampaignService } from "./support/harness.ts";
import { historyFromTheStart } from "./support/history.ts";

const minutesFromNow = (m: number) => new Date(Date.now() + m * 60_000).toISOString();

describe("campaign windows: one clock, one spelling, a complete history", () => {
  let h: Awaited<ReturnType<typeof startIsolatedCampaignService>>;
  const open = async (body: Record<string, unknown>) => {
    const response = await h.request("POST", "/api/admin/v1/campaigns/iphones", { name: "window", ...body });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().data as { id: number; start_time: string; end_time: string; status: string };
  };

  beforeAll(async () => {
    h = await startIsolatedCampaignService(inject("infra"), { CAMPAIGN_FINALIZE_INTERVAL_MS: "3600000" });
    await historyFromTheStart(h.service.runtime.pool, h.service.ctx.completedTopic, h.service.ctx.partitions);
  });
  afterAll(async () => {
    await h?.stop();
  });
  beforeEach(async () => {
    await h.db.query("UPDATE campaigns SET finalized_at = now() WHERE finalized_at IS NULL");
  });

  it("closes an ACTIVE window at the campaign database's now, and only an ACTIVE one", async () => {
    const campaign = await open({ start_time: minutesFromNow(-10), end_time: minutesFromNow(60) });
    const dbNow = async () => new Date((await h.db.query("SELECT now() AS t")).rows[0].t).getTime();
    const before = await dbNow();
    const closed = await h.request("POST", `/api/admin/v1/campaigns/iphones/${campaign.id}/close`);
    const after = await dbNow();
    expect(closed.statusCode).toBe(200);
    const end = Date.parse(closed.json().data.end_time);
    expect(end).toBeGreaterThanOrEqual(before);
    expect(end).toBeLessThanOrEqual(after);
    expect(closed.json().data.status).toBe("CLOSING");
    expect((await h.request("POST", `/api/admin/v1/campaigns/iphones/${campaign.id}/close`)).statusCode).toBe(409);
    expect((await h.request("POST", "/api/admin/v1/campaigns/iphones/999999/close")).statusCode).toBe(404);
  });

  it("refuses to move an ACTIVE campaign's end into the past (a slow browser clock), with a code", async () => {
    const campaign = await open({ start_time: minutesFromNow(-10), end_time: minutesFromNow(60) });
    const late = await h.request("PUT", `/api/admin/v1/campaigns/iphones/${campaign.id}`, { end_time: new Date(Date.now() - 90_000).toISOString() });
    expect(late.statusCode).toBe(400);
    expect(late.json()).toMatchObject({ code: 400, error_code: "END_TIME_IN_THE_PAST", details: ["END_TIME_IN_THE_PAST"] });
    expect((await h.request("GET", "/api/admin/v1/campaigns/iphones")).json().data.status).toBe("ACTIVE");
    // Within the tolerance of a request in flight it is a close.
    const prompt = await h.request("PUT", `/api/admin/v1/campaigns/iphones/${campaign.id}`, { end_time: new Date(Date.now() - 1_000).toISOString() });
    expect(prompt.statusCode).toBe(200);
  });

  it("stores every date-time spelling the schema accepts, never answering 500", async () => {
    const campaign = await open({ start_time: "2099-01-01T00:00:00Z", end_time: "2099-02-01T00:00:00Z" });
    for (const [start_time, stored] of [
      ["2098-06-01t10:00:00z", "2098-06-01T10:00:00.000000Z"],
      ["2098-06-01 10:00:00Z", "2098-06-01T10:00:00.000000Z"],
      ["2098-06-01T18:00:00+08", "2098-06-01T10:00:00.000000Z"],
      ["2098-06-01T18:00:00+0800", "2098-06-01T10:00:00.000000Z"],
      ["2098-06-01T10:00:00.12345678901234567890Z", "2098-06-01T10:00:00.123456Z"],
      ["2098-06-30T23:59:60Z", "2098-07-01T00:00:00.000000Z"],
    ]) {
      const response = await h.request("PUT", `/api/admin/v1/campaigns/iphones/${campaign.id}`, { start_time });
      expect(response.statusCode, `${start_time}: ${response.body}`).toBe(200);
      expect(response.json().data.start_time).toBe(stored);
    }
    // Passes the schema, but PostgreSQL has no year 0: a 400, not a 500.
    const zero = await h.request("PUT", `/api/admin/v1/campaigns/iphones/${campaign.id}`, { start_time: "0000-01-01T00:00:00Z" });
    expect(zero.statusCode).toBe(400);
    expect(zero.json().details).toEqual(["INVALID_INSTANT"]);
    // Within a microsecond the two ends are one instant: an empty window, refused as such.
    const empty = await h.request("PUT", `/api/admin/v1/campaigns/iphones/${campaign.id}`, { start_time: "2099-02-01T00:00:00.0000001Z" });
    expect(empty.json().details).toEqual(["EMPTY_WINDOW"]);
  });

  it("refuses a window that starts before campaign_db holds every completed order", async () => {
    // Partition 1 of this topic was first consumed at offset 7: what came before it is not here.
    const topic = { completedTopic: "history-test.orders.completed", partitions: 2 };
    await h.db.query("INSERT INTO partition_history (topic, partition, first_offset, first_ingested_at) VALUES ($1, 0, 0, now() - interval '1 hour'), ($1, 1, 7, now() - interval '10 minutes')", [topic.completedTopic]);
    const refused = await createCampaign(h.service.runtime.pool, topic, { name: "retro", start_time: minutesFromNow(-30), end_time: minutesFromNow(-20) }).catch((e) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe("WINDOW_BEFORE_HISTORY");
    const accepted = await createCampaign(h.service.runtime.pool, topic, { name: "retro", start_time: minutesFromNow(-5), end_time: minutesFromNow(-1) });
    expect(accepted.start_time).toBeDefined();
  });
});
