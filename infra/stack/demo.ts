// `npm run demo`: with `npm start` running, creates a campaign and drives a bounded rush of
// simulated customers (some declined, some paying late), closes the window and waits until the
// winners are FINAL, printing the standings as they move. Open http://localhost:3000 meanwhile.
// Beside it, Apache Flink's one-minute micro-batch computes the standings too (the campaign page
// shows them next to ours), and once FINAL, Flink audits the result (DEMO_FLINK=0: neither).
import { setTimeout as sleep } from "node:timers/promises";
import { Pool } from "undici";
import { auditCampaign } from "../../auditor/audit.ts";
import { startFlinkStandings } from "../../auditor/flink-job.ts";
import { customerHeaders } from "../testing/test-env.ts";
import { PORTS } from "./local-stack.ts";

const customers = Number(process.env.DEMO_CUSTOMERS ?? 400);
// 90 s: long enough for Flink's micro-batch to close a minute during the rush (it starts in ~20 s).
const seconds = Number(process.env.DEMO_SECONDS ?? 90);
const ordersPerSecond = Number(process.env.DEMO_RATE ?? 25);
const campaignUrl = `http://127.0.0.1:${PORTS.campaign}`;
const withFlink = process.env.DEMO_FLINK !== "0";
const kafka = `127.0.0.1:${PORTS.kafka}`;
const orders = new Pool(`http://127.0.0.1:${PORTS.order}`, { connections: 16 });

async function json<T>(url: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as T };
}

const login = await json<{ data: { token: string } }>(`${campaignUrl}/api/admin/v1/auth/login`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ username: process.env.ADMIN_USERNAME ?? "admin", password: process.env.ADMIN_PASSWORD ?? "admin" }),
});
if (login.status !== 200) throw new Error("cannot sign in; is `npm start` running, with the local admin password?");
const headers = { authorization: `Bearer ${login.body.data.token}`, "content-type": "application/json" };

type CampaignBody = { data: { id: number; status: string; inventory: { total: number; awarded: number; remaining: number } } };
type WinnersBody = { data: { state: string; winners: { customer_name: string }[] } };
const current = await json<CampaignBody>(`${campaignUrl}/api/admin/v1/campaigns/iphones`, { headers });
if (current.status === 200 && current.body.data.status !== "FINAL") {
  console.log(`closing the open campaign ${current.body.data.id} first…`);
  await fetch(`${campaignUrl}/api/admin/v1/campaigns/iphones/${current.body.data.id}`, { method: "PUT", headers, body: JSON.stringify({ end_time: new Date().toISOString() }) });
  while ((await json<WinnersBody>(`${campaignUrl}/api/admin/v1/campaigns/iphones/winners`, { headers })).body.data.state !== "FINAL") await sleep(500);
}

const created = await json<CampaignBody>(`${campaignUrl}/api/admin/v1/campaigns/iphones`, {
  method: "POST",
  headers,
  body: JSON.stringify({
    name: `Demo rush ${new Date().toLocaleTimeString()}`,
    description: "First 50 customers with a successful order; those above SGD 200 win, 20 iPhones",
    start_time: new Date().toISOString(),
    end_time: new Date(Date.now() + 3_600_000).toISOString(),
  }),
});
console.log(`campaign ${created.body.data.id} is ${created.body.data.status}; rush of ${ordersPerSecond} orders/s for ${seconds}s over ${customers} customers`);
type Created = { id: number; start_time: string; end_time: string; policy: { max_tracked_orders: number; min_order_amount: string; total_reward: number } };
const campaignRow = (created.body.data as unknown as Created);
const flink = withFlink
  ? await startFlinkStandings({
      bootstrapServers: kafka,
      topic: "orders.completed",
      outputTopic: "campaign.flink.standings",
      campaignId: campaignRow.id,
      start: campaignRow.start_time,
      end: campaignRow.end_time,
      maxTracked: campaignRow.policy.max_tracked_orders,
      minAmount: campaignRow.policy.min_order_amount,
      totalReward: campaignRow.policy.total_reward,
      logFile: "/dev/null",
      log: (line) => console.log(line),
    }).catch((error: unknown) => {
      console.log(`(Flink's micro-batch not started: ${error instanceof Error ? error.message.split("\n")[0] : String(error)})`);
      return undefined;
    })
  : undefined;
if (flink) console.log(`Apache Flink's one-minute micro-batch runs beside it (pid ${flink.pid}); the campaign page shows its standings next to ours`);
type FlinkBody = { data: { minute_end: string; winners: { customer_id: string }[] } | null };
const flinkLine = async (ours: string[]) => {
  if (!flink) return "";
  const theirs = (await json<FlinkBody>(`${campaignUrl}/api/admin/v1/campaigns/iphones/${campaignRow.id}/engine-standings`, { headers })).body.data;
  if (!theirs) return " · Flink: first minute not closed yet";
  const same = JSON.stringify(theirs.winners.map((w) => w.customer_id)) === JSON.stringify(ours);
  return ` · Flink to ${theirs.minute_end.slice(11, 16)}: ${theirs.winners.length} winners, ${same ? "same as ours" : "differs from ours now"}`;
};

// One in ten is declined, one in eight pays three seconds late.
const customerId = (n: number) => (n % 10 === 0 ? `DECLINE-${n}` : n % 8 === 0 ? `SLOW-${n}` : `shopper-${n}`);
// Every simulated customer signs in once with the local stack's identity provider.
const tokens = await Promise.all(Array.from({ length: customers }, async (_, n) => (await customerHeaders(customerId(n))).authorization));
const started = Date.now();
let sent = 0;
while (Date.now() - started < seconds * 1000) {
  const batch = Array.from({ length: ordersPerSecond }, () => {
    const n = Math.floor(Math.random() * customers);
    const id = customerId(n);
    const amount = (50 + Math.random() * 400).toFixed(2);
    return orders.request({ method: "POST", path: "/api/v1/orders", headers: { "content-type": "application/json", authorization: tokens[n] as string }, body: JSON.stringify({ customer_id: id, customer_name: `Shopper ${n}`, total_amount: amount }) }).then((r) => r.body.dump());
  });
  await Promise.all(batch);
  sent += batch.length;
  const campaign = await json<CampaignBody>(`${campaignUrl}/api/admin/v1/campaigns/iphones`, { headers });
  const ours = (await json<{ data: { winners: { customer_id: string }[] } }>(`${campaignUrl}/api/admin/v1/campaigns/iphones/winners`, { headers })).body.data.winners.map((w) => w.customer_id);
  process.stdout.write(`\r${sent} orders sent · iPhones awarded ${campaign.body.data.inventory.awarded}/${campaign.body.data.inventory.total}${await flinkLine(ours)}   `);
  await sleep(Math.max(0, 1000 - ((Date.now() - started) % 1000)));
}
console.log("\nclosing the window; the result turns FINAL once every order placed in it has settled…");
const closedAt = Date.now();
await fetch(`${campaignUrl}/api/admin/v1/campaigns/iphones/${created.body.data.id}`, { method: "PUT", headers, body: JSON.stringify({ end_time: new Date().toISOString() }) });
for (;;) {
  const winners = await json<WinnersBody>(`${campaignUrl}/api/admin/v1/campaigns/iphones/winners`, { headers });
  if (winners.body.data.state === "FINAL") {
    console.log(`FINAL after ${((Date.now() - closedAt) / 1000).toFixed(1)} s: ${winners.body.data.winners.map((w) => w.customer_name).join(", ")}`);
    break;
  }
  await sleep(250);
}
await orders.close();
if (flink) {
  // Flink's last minute closes when the order watermarks pass it: up to a minute after the window.
  const final = (await json<{ data: { winners: { customer_id: string }[] } }>(`${campaignUrl}/api/admin/v1/campaigns/iphones/winners?campaign_id=${campaignRow.id}`, { headers })).body.data.winners.map((w) => w.customer_id);
  const closedEnd = (await json<{ data: { end_time: string } }>(`${campaignUrl}/api/admin/v1/campaigns/iphones?campaign_id=${campaignRow.id}`, { headers })).body.data.end_time;
  console.log("waiting for Flink to close the window's last minute…");
  for (let i = 0; i < 150; i++) {
    const theirs = (await json<FlinkBody>(`${campaignUrl}/api/admin/v1/campaigns/iphones/${campaignRow.id}/engine-standings`, { headers })).body.data;
    if (theirs && theirs.minute_end >= closedEnd) {
      const same = JSON.stringify(theirs.winners.map((w) => w.customer_id)) === JSON.stringify(final);
      console.log(`Flink's micro-batch after its last minute (to ${theirs.minute_end}): ${same ? "the same winners as FINAL" : "different winners from FINAL: look at the campaign page"}`);
      break;
    }
    await sleep(500);
  }
}
await flink?.stop();
if (withFlink) {
  console.log("auditing the FINAL list with Apache Flink (npm run audit)…");
  try {
    const outcome = await auditCampaign({ campaignUrl, bootstrapServers: kafka, topic: "orders.completed", campaignId: campaignRow.id, headers });
    console.log(outcome.audit.equal ? `audit: equal (${outcome.flink.records_read} order events read by ${outcome.flink.engine})` : `audit: ${outcome.audit.differences.length} difference(s); see the campaign page`);
  } catch (error) {
    console.log(`audit not run: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
  }
}
