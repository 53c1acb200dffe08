// `npm run flink-standings -- [<campaign id>]`: the seed's one-minute micro-batch on Apache Flink,
// beside the campaign service: provisional standings of the campaign (the current one unless an id
// is given) after each minute, sent to campaign.flink.standings; the campaign page shows them next
// to its own, with a badge when they differ. Runs until Ctrl-C. Same options as `npm run audit`,
// plus --window-seconds (60).
import type { Campaign } from "@spgroup/contracts";
import { cliSession, option } from "./cli.ts";
import { startFlinkStandings } from "./flink-job.ts";

const argv = process.argv.slice(2);
const { config, token } = await cliSession("flink-standings", "viewer");
const campaignUrl = option(argv, "campaign-url") ?? process.env.CAMPAIGN_SERVICE_URL ?? "http://127.0.0.1:8082";
const id = argv.find((a) => !a.startsWith("--"));
const response = await fetch(`${campaignUrl}/api/admin/v1/campaigns/iphones${id ? `?campaign_id=${encodeURIComponent(id)}` : ""}`, { headers: { authorization: `Bearer ${token}` } });
if (!response.ok) {
  console.error(`the campaign service answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  process.exit(2);
}
const campaign = ((await response.json()) as { data: Campaign }).data;
const prefix = config.kafkaTopicPrefix;
const job = await startFlinkStandings({
  bootstrapServers: option(argv, "bootstrap-servers") ?? config.kafkaBrokers.join(","),
  topic: option(argv, "topic") ?? `${prefix}orders.completed`,
  outputTopic: `${prefix}campaign.flink.standings`,
  campaignId: campaign.id,
  start: campaign.start_time,
  end: campaign.end_time,
  maxTracked: campaign.policy.max_tracked_orders,
  minAmount: campaign.policy.min_order_amount,
  totalReward: campaign.policy.total_reward,
  windowSeconds: Number(option(argv, "window-seconds") ?? 60),
  log: (line) => console.error(line),
});
console.error(`Flink standings of campaign ${campaign.id} ("${campaign.name}") running (pid ${job.pid}); Ctrl-C stops it`);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void job.stop());
process.exit((await job.exited) ?? 0);
