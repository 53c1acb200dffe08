// `npm run audit -- <campaign id>`: the independent audit of a FINAL campaign. Apache Flink reads
// orders.completed from the start to the end of the log and computes the winners by the seed's
// rule (auditor/flink); they are compared row by row (rank, customer, first order time, largest
// amount) with the campaign service's FINAL list, printed ("equal" or each difference), stored with
// the campaign, and the exit code says it: 0 equal, 1 different, 2 could not audit.
//
//   --campaign-url=http://127.0.0.1:8082   the campaign service (its admin API)
//   --bootstrap-servers=127.0.0.1:19092     Kafka (KAFKA_BROKERS); a production cluster's list works
//   --topic=orders.completed                 (KAFKA_TOPIC_PREFIX is put in front)
// The operator token is minted from ADMIN_TOKEN_SECRET (the local default locally), or ADMIN_TOKEN.
import type { Audit, Winner } from "@spgroup/contracts";
import { AdminAuth, loadPlatformConfig } from "@spgroup/platform";
import { type EngineWinner, type FlinkAuditResult, runFlinkAudit } from "./flink-job.ts";

export interface WinnerDifference {
  rank: number;
  field: "customer_id" | "first_order_at" | "max_order_amount" | "missing in FINAL" | "missing in Flink";
  final: string | null;
  flink: string | null;
}

/** Microsecond UTC spelling of an instant, whatever its source wrote (for comparing two engines' times). */
function micros(iso: string): string {
  const m = /^(.*?)(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})$/i.exec(iso.replace(" ", "T"));
  if (!m) return iso;
  const whole = new Date(`${m[1]}${m[3]}`).toISOString().slice(0, 19);
  return `${whole}.${(m[2] ?? "").padEnd(6, "0").slice(0, 6)}Z`;
}

/** Row by row: rank, customer, first order time (to the microsecond) and largest amount. */
export function compareWinners(final: readonly Winner[], flink: readonly EngineWinner[]): WinnerDifference[] {
  const differences: WinnerDifference[] = [];
  for (let i = 0; i < Math.max(final.length, flink.length); i++) {
    const a = final[i];
    const b = flink[i];
    if (!a || !b) {
      const present = (a ?? b) as EngineWinner;
      differences.push({ rank: i + 1, field: a ? "missing in Flink" : "missing in FINAL", final: a?.customer_id ?? null, flink: b?.customer_id ?? null });
      if (!present) break;
      continue;
    }
    if (a.rank !== i + 1 || b.rank !== i + 1) differences.push({ rank: i + 1, field: "customer_id", final: `rank ${a.rank}`, flink: `rank ${b.rank}` });
    if (a.customer_id !== b.customer_id) differences.push({ rank: i + 1, field: "customer_id", final: a.customer_id, flink: b.customer_id });
    if (micros(a.first_order_at) !== micros(b.first_order_at)) differences.push({ rank: i + 1, field: "first_order_at", final: a.first_order_at, flink: b.first_order_at });
    if (Number(a.max_order_amount).toFixed(2) !== Number(b.max_order_amount).toFixed(2)) {
      differences.push({ rank: i + 1, field: "max_order_amount", final: a.max_order_amount, flink: b.max_order_amount });
    }
  }
  return differences;
}

export interface AuditOptions {
  campaignUrl: string;
  bootstrapServers: string;
  topic: string;
  campaignId: number;
  headers: Record<string, string>;
  log?: (line: string) => void;
}

export interface AuditOutcome {
  equal: boolean;
  differences: WinnerDifference[];
  flink: FlinkAuditResult;
  final: Winner[];
}

async function getJson<T>(url: string, headers: Record<string, string>): Promise<T> {
  const response = await fetch(url, { headers });
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  return ((await response.json()) as { data: T }).data;
}

/** Audits one FINAL campaign with Flink, stores the outcome with the campaign and returns it. */
export async function auditCampaign(o: AuditOptions): Promise<AuditOutcome> {
  const base = `${o.campaignUrl}/api/admin/v1/campaigns/iphones`;
  const audit = await getJson<Audit>(`${base}/audit?campaign_id=${o.campaignId}`, o.headers);
  if (audit.state !== "FINAL") throw new Error(`campaign ${o.campaignId} is not FINAL yet: the audit compares a FINAL list`);
  const standings = await getJson<{ state: string; winners: Winner[] }>(`${base}/winners?campaign_id=${o.campaignId}`, o.headers);
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
  const differences = compareWinners(standings.winners, flink.winners);
  const equal = differences.length === 0;
  const stored = await fetch(`${base}/${o.campaignId}/engine-audits`, {
    method: "POST",
    headers: { ...o.headers, "content-type": "application/json" },
    body: JSON.stringify({
      engine: flink.engine,
      equal,
      differences,
      records_read: flink.records_read,
      unreadable_records: flink.unreadable_records,
      winners: flink.winners,
      seconds: flink.seconds,
    }),
  });
  if (!stored.ok) throw new Error(`storing the audit answered ${stored.status}: ${(await stored.text()).slice(0, 300)}`);
  return { equal, differences, flink, final: standings.winners };
}

function option(args: string[], name: string): string | undefined {
  const prefix = `--${name}=`;
  return args.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

async function main(argv: string[]): Promise<number> {
  const campaignId = Number(argv.find((a) => !a.startsWith("--")));
  if (!Number.isInteger(campaignId) || campaignId < 1) {
    console.error("usage: npm run audit -- <campaign id> [--campaign-url=…] [--bootstrap-servers=…] [--topic=…]");
    return 2;
  }
  const config = loadPlatformConfig("auditor", { port: 0, databaseUrlVar: "UNUSED_DATABASE_URL", databaseUrl: "postgres://unused" });
  const token = process.env.ADMIN_TOKEN ?? (await new AdminAuth(config.admin).issue("flink-auditor")).token;
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
  if (outcome.equal) {
    console.log(`equal: the ${outcome.final.length} FINAL winners of campaign ${campaignId} are the ones Flink computes from the seed's rule`);
    return 0;
  }
  console.log(`DIFFERENT: ${outcome.differences.length} difference(s) between the FINAL list and Flink's`);
  for (const d of outcome.differences) console.log(`  rank ${d.rank}  ${d.field}: FINAL ${d.final ?? "—"}  Flink ${d.flink ?? "—"}`);
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
