// `npm run audit -- <campaign id>`: the independent audit of a FINAL campaign. Apache Flink reads
// orders.completed from the start to the end of the log and computes the winners by the seed's
// rule (auditor/flink); the campaign service compares them row by row (rank, customer, name, first
// order time, largest amount) with its FINAL list and keeps the verdict; this prints it ("equal"
// or each difference) and exits with it: 0 equal, 1 different, 2 could not audit.
//
//   --campaign-url=http://127.0.0.1:8082   the campaign service (its admin API)
//   --bootstrap-servers=127.0.0.1:19092     Kafka (KAFKA_BROKERS); a production cluster's list works
//   --topic=orders.completed                 (KAFKA_TOPIC_PREFIX is put in front)
// The operator token is minted from ADMIN_TOKEN_SECRET (the local default locally), or ADMIN_TOKEN.
import { randomUUID } from "node:crypto";
import { Consumer, stringDeserializers } from "@platformatic/kafka";
import type { Audit, EngineAudit, Winner } from "@spgroup/contracts";
import { withDeadline } from "@spgroup/platform";
import { cliSession, option } from "./cli.ts";
import { type FlinkAuditResult, runFlinkAudit } from "./flink-job.ts";

export interface AuditOptions {
  campaignUrl: string;
  bootstrapServers: string;
  topic: string;
  campaignId: number;
  headers: Record<string, string>;
  log?: (line: string) => void;
}

export interface AuditOutcome {
  /** The verdict as the campaign service stored it. */
  audit: EngineAudit;
  /** Partitions whose log no longer starts at offset 0 (retention deleted records): history may be partial. */
  trimmed: number[];
  flink: FlinkAuditResult;
  final: Winner[];
}

async function getJson<T>(url: string, headers: Record<string, string>): Promise<T> {
  const response = await fetch(url, { headers });
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  return ((await response.json()) as { data: T }).data;
}

/** Partitions of `topic` whose first offset is past 0: records were deleted (retention), so older history is gone. */
async function trimmedPartitions(bootstrapServers: string, topic: string): Promise<number[]> {
  const consumer = new Consumer({ clientId: "flink-auditor-offsets", groupId: `flink-auditor-${randomUUID()}`, bootstrapBrokers: bootstrapServers.split(","), deserializers: stringDeserializers });
  consumer.on("error", () => {});
  try {
    const earliest = await withDeadline(consumer.listOffsets({ topics: [topic], timestamp: -2n }), 30_000, "reading the log start offsets");
    return (earliest.get(topic) ?? []).flatMap((offset, partition) => (offset > 0n ? [partition] : []));
  } finally {
    await withDeadline(consumer.close(true), 10_000, "closing the offsets client").catch(() => {});
  }
}

/** Audits one FINAL campaign with Flink, stores the outcome with the campaign and returns it. */
export async function auditCampaign(o: AuditOptions): Promise<AuditOutcome> {
  const base = `${o.campaignUrl}/api/admin/v1/campaigns/iphones`;
  const audit = await getJson<Audit>(`${base}/audit?campaign_id=${o.campaignId}`, o.headers);
  if (audit.state !== "FINAL") throw new Error(`campaign ${o.campaignId} is not FINAL yet: the audit compares a FINAL list`);
  const standings = await getJson<{ state: string; winners: Winner[] }>(`${base}/winners?campaign_id=${o.campaignId}`, o.headers);
  const trimmed = await trimmedPartitions(o.bootstrapServers, o.topic);
  const flink = await runFlinkAudit({
    bootstrapServers: o.bootstrapServers,
    topic: o.topic,
    start: audit.window.start_time,
    end: audit.window.end_time,
    maxTracked: audit.policy.max_tracked_orders,
    minAmount: audit.policy.min_order_amount,
    totalReward: audit.policy.total_reward,
    ...(o.log ? { log: o.log } : {}),
  });
  const stored = await fetch(`${base}/${o.campaignId}/engine-audits`, {
    method: "POST",
    headers: { ...o.headers, "content-type": "application/json" },
    body: JSON.stringify({ engine: flink.engine, records_read: flink.records_read, unreadable_records: flink.unreadable_records, winners: flink.winners, seconds: flink.seconds }),
  });
  if (!stored.ok) throw new Error(`storing the audit answered ${stored.status}: ${(await stored.text()).slice(0, 300)}`);
  return { audit: ((await stored.json()) as { data: EngineAudit }).data, trimmed, flink, final: standings.winners };
}

async function main(argv: string[]): Promise<number> {
  const campaignId = Number(argv.find((a) => !a.startsWith("--")));
  if (!Number.isInteger(campaignId) || campaignId < 1) {
    console.error("usage: npm run audit -- <campaign id> [--campaign-url=…] [--bootstrap-servers=…] [--topic=…]");
    return 2;
  }
  const { config, token } = await cliSession("flink-auditor", "operator");
  const outcome = await auditCampaign({
    campaignId,
    campaignUrl: option(argv, "campaign-url") ?? process.env.CAMPAIGN_SERVICE_URL ?? "http://127.0.0.1:8082",
    bootstrapServers: option(argv, "bootstrap-servers") ?? config.kafkaBrokers.join(","),
    topic: option(argv, "topic") ?? `${config.kafkaTopicPrefix}orders.completed`,
    headers: { authorization: `Bearer ${token}` },
    log: (line) => console.error(line),
  });
  const { flink } = outcome;
  console.log(`${flink.engine}: ${flink.records_read} records of orders.completed read in ${flink.seconds} s${flink.unreadable_records ? ` (${flink.unreadable_records} unreadable, not counted)` : ""}`);
  const { audit } = outcome;
  const trimmedNote = `the log of partition(s) ${outcome.trimmed.join(", ")} no longer starts at offset 0 (retention deleted records)`;
  if (!audit.equal && outcome.trimmed.length > 0) {
    console.log(`inconclusive: ${audit.differences.length} difference(s), but ${trimmedNote}: Flink may have ranked partial history`);
    return 2;
  }
  if (outcome.trimmed.length > 0) console.log(`note: ${trimmedNote}`);
  if (audit.equal) {
    console.log(`equal: the ${outcome.final.length} FINAL winners of campaign ${campaignId} are the ones Flink computes from the seed's rule`);
    return 0;
  }
  console.log(`DIFFERENT: ${audit.differences.length} difference(s) between the FINAL list and Flink's`);
  for (const d of audit.differences) console.log(`  rank ${d.rank}  ${d.field}: FINAL ${d.final ?? "—"}  Flink ${d.engine ?? "—"}`);
  return 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`could not audit: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(2);
    },
  );
}
