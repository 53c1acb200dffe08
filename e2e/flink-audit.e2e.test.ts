// The auditor end to end: a campaign with a rush (declines, late payers, customers ordering several
// times around the threshold, ties on the first order's time that group commit makes real), FINAL,
// then Apache Flink computes the winners from orders.completed by the seed's rule and compares them
// row by row with the FINAL list: equal. Then the FINAL list is corrupted in the campaign database
// (the test's own hook: no production code can do it) and `npm run audit` exits non-zero, naming the
// difference. Both verdicts are stored with the campaign.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { ROOT } from "@spgroup/infra";
import { customerHeaders, eventually } from "@spgroup/infra/testing";
import { AdminAuth, loadPlatformConfig } from "@spgroup/platform";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { auditCampaign } from "../auditor/audit.ts";
import { startFlinkStandings } from "../auditor/flink-job.ts";
import { SEED_RULE_SQL } from "../services/campaign/test/support/harness.ts";
import { startProcessStack } from "./support/stack.ts";

describe("the Flink auditor (an independent winner engine over orders.completed)", () => {
  let stack: Awaited<ReturnType<typeof startProcessStack>>;
  let campaignUrl: string;
  let headers: Record<string, string>;

  beforeAll(async () => {
    stack = await startProcessStack(inject("infra"), { PAYMENT_APPROVAL_RATIO: "0.8", PAYMENT_LATENCY_MS: "3", PAYMENT_SLOW_LATENCY_MS: "1500", ORDER_WATERMARK_INTERVAL_MS: "200" });
    campaignUrl = (await stack.spawn("campaign")).url;
    const auth = new AdminAuth(loadPlatformConfig("e2e", { port: 0, databaseUrlVar: "UNUSED", databaseUrl: "postgres://unused" }, stack.env).admin);
    headers = { authorization: `Bearer ${(await auth.issue("e2e-auditor")).token}`, "content-type": "application/json" };
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("agrees with the FINAL list after a rush, and a corrupted FINAL list makes `npm run audit` exit non-zero", async () => {
    const created = await fetch(`${campaignUrl}/api/admin/v1/campaigns/iphones`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: "Audited rush", start_time: new Date(Date.now() - 1_000).toISOString(), end_time: new Date(Date.now() + 3_600_000).toISOString(), total_reward: 6, max_tracked_orders: 15, min_order_amount: "200.00" }),
    });
    expect(created.status).toBe(201);
    const campaign = ((await created.json()) as { data: { id: number; start_time: string; end_time: string } }).data;

    // The streaming micro-batch runs beside the campaign service through the rush (5-second
    // windows here instead of the seed's minute, to keep the test short).
    const topic = `${stack.topicPrefix}orders.completed`;
    const standingsJob = await startFlinkStandings({
      bootstrapServers: inject("infra").kafkaBrokers,
      topic,
      outputTopic: `${stack.topicPrefix}campaign.flink.standings`,
      campaignId: campaign.id,
      start: campaign.start_time,
      end: campaign.end_time,
      maxTracked: 15,
      minAmount: "200.00",
      totalReward: 6,
      windowSeconds: 5,
      logFile: join(ROOT, ".data", "test", "logs", stack.suffix, "flink-standings.log"),
    });

    // 45 customers × 3 rounds, all of a round at once (group commit gives many orders one created_at):
    // some always declined, some paying late, amounts on both sides of the threshold.
    const amounts = ["150.00", "200.00", "200.01", "350.00", "90.00", "500.00", "199.99"];
    for (let round = 0; round < 3; round++) {
      await Promise.all(
        Array.from({ length: 45 }, async (_, c) => {
          const customer = c % 9 === 0 ? `DECLINE-${c}` : c % 5 === 0 ? `SLOW-${c}` : `buyer-${c}`;
          const response = await fetch(`${stack.order.url}/api/v1/orders`, {
            method: "POST",
            headers: { "content-type": "application/json", ...(await customerHeaders(customer)) },
            body: JSON.stringify({ customer_id: customer, customer_name: `Buyer ${c}`, total_amount: amounts[(c * 3 + round) % amounts.length] }),
          });
          expect(response.status).toBe(202);
        }),
      );
    }
    const closed = await fetch(`${campaignUrl}/api/admin/v1/campaigns/iphones/${campaign.id}/close`, { method: "POST", headers: { authorization: headers.authorization as string } });
    expect(closed.status).toBe(200);
    const final = await eventually(async () => {
      const body = (await (await fetch(`${campaignUrl}/api/admin/v1/campaigns/iphones/winners?campaign_id=${campaign.id}`, { headers })).json()) as {
        data: { state: string; winners: { customer_id: string }[] };
      };
      return body.data.state === "FINAL" ? body.data : undefined;
    }, 60_000, "FINAL winners");
    expect(final.winners.length).toBeGreaterThan(0);
    // The rush really had ties on the first order's time among successful orders (what the tie-break decides).
    const ties = await stack.orderDb.query("SELECT count(*)::int AS n FROM (SELECT created_at FROM orders WHERE status = 'SUCCESS' GROUP BY created_at HAVING count(*) > 1) t");
    expect(ties.rows[0].n).toBeGreaterThan(0);

    // Flink's micro-batch standings reached the same winners, by its own event time (the order
    // service's watermarks), and the campaign service keeps them for the page.
    try {
      await eventually(async () => {
        const body = (await (await fetch(`${campaignUrl}/api/admin/v1/campaigns/iphones/${campaign.id}/engine-standings`, { headers })).json()) as {
          data: { winners: { customer_id: string }[]; engine: string } | null;
        };
        return body.data && JSON.stringify(body.data.winners.map((w) => w.customer_id)) === JSON.stringify(final.winners.map((w) => w.customer_id)) ? body.data : undefined;
      }, 60_000, "Flink's streaming standings equal to FINAL");
    } finally {
      await standingsJob.stop();
    }

    const outcome = await auditCampaign({ campaignUrl, bootstrapServers: inject("infra").kafkaBrokers, topic, campaignId: campaign.id, headers });
    expect(outcome.audit.differences).toEqual([]);
    expect(outcome.audit.equal).toBe(true);
    expect(outcome.flink.winners.map((w) => w.customer_id)).toEqual(final.winners.map((w) => w.customer_id));
    expect(outcome.flink.records_read).toBeGreaterThanOrEqual(135);
    expect(outcome.flink.unreadable_records).toBe(0);
    // And both equal the reference rule run on the order database itself.
    const window = ((await (await fetch(`${campaignUrl}/api/admin/v1/campaigns/iphones/audit?campaign_id=${campaign.id}`, { headers })).json()) as { data: { window: { start_time: string; end_time: string } } }).data.window;
    const reference = (await stack.orderDb.query(SEED_RULE_SQL, [window.start_time, window.end_time, 15, "200.00", 6, "%"])).rows.map((r) => r.customer_id);
    expect(outcome.flink.winners.map((w) => w.customer_id)).toEqual(reference);

    // The test's hook: a forged FINAL list (rank 2 given to someone else). FINAL winners are
    // immutable (a trigger refuses the update), so the forgery needs a superuser's session that
    // skips triggers, as only someone with the database's keys could.
    const forger = await stack.campaignDb.connect();
    try {
      await forger.query("BEGIN");
      await forger.query("SET LOCAL session_replication_role = replica");
      await forger.query("UPDATE campaign_winners SET customer_id = 'forged-winner' WHERE campaign_id = $1 AND rank = 2", [campaign.id]);
      await forger.query("COMMIT");
    } finally {
      forger.release();
    }
    const cli = await promisify(execFile)(process.execPath, [join(ROOT, "auditor", "audit.ts"), String(campaign.id), `--campaign-url=${campaignUrl}`, `--bootstrap-servers=${inject("infra").kafkaBrokers}`, `--topic=${topic}`], {
      env: { ...process.env, ADMIN_TOKEN_SECRET: stack.env.ADMIN_TOKEN_SECRET },
      timeout: 300_000,
    }).then(
      (done) => ({ code: 0, stdout: done.stdout }),
      (failed: { code?: number; stdout?: string }) => ({ code: failed.code, stdout: failed.stdout ?? "" }),
    );
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain("DIFFERENT");
    expect(cli.stdout).toContain("rank 2  customer_id: FINAL forged-winner");
    // A caller cannot declare the lists equal: the service decides the verdict from the winners.
    const claim = await fetch(`${campaignUrl}/api/admin/v1/campaigns/iphones/${campaign.id}/engine-audits`, {
      method: "POST",
      headers,
      body: JSON.stringify({ engine: "claims equal", equal: true, records_read: 1, unreadable_records: 0, winners: [], seconds: 0 }),
    });
    expect(claim.status).toBe(400);

    // Both verdicts are kept with the campaign, the latest first.
    const stored = ((await (await fetch(`${campaignUrl}/api/admin/v1/campaigns/iphones/${campaign.id}/engine-audits`, { headers })).json()) as {
      data: { equal: boolean; engine: string; audited_by: string }[];
    }).data;
    expect(stored.map((a) => a.equal)).toEqual([false, true]);
    expect(stored[0]?.engine).toMatch(/^Apache Flink 2\.2/);
  }, 400_000);
});
