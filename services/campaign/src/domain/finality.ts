import { historyCovers, type PartitionStart } from "./history.ts";
import { compareInstants, type FinalityWait, microsOf, parseInstant } from "@spgroup/contracts";

export interface PartitionWatermark {
  partition: number;
  source: string;
  watermark: string;
}

/** What finality needs to know of a hole: the created_at of the order it may hide, if readable. */
export interface HoleSpan {
  order_created_at: string | null;
}

interface Window {
  start_time: string;
  end_time: string;
}

/** A hole may hide an order of the window unless its order is known to be created outside it. */
export function holeTouches(window: Window, hole: HoleSpan): boolean {
  if (hole.order_created_at === null) return true;
  return compareInstants(hole.order_created_at, window.start_time) >= 0 && compareInstants(hole.order_created_at, window.end_time) <= 0;
}

export interface FinalityState<H> {
  waiting_for: FinalityWait[];
  watermarks: {
    required: number;
    past_end: number;
    behind: { source: string; partitions: number[] }[];
    /** Each (order database, partition) pair not past end_time: its latest watermark (null: none yet) and how far before end_time. */
    lagging: { source: string; partition: number; watermark: string | null; behind_ms: number | null }[];
  };
  holes: H[];
}

/**
 * Why a campaign cannot be FINAL yet; nothing left to wait for means it can. The window must be
 * over, every (partition, order database) pair of the topic's *current* partitions must have
 * carried a watermark past end_time (a partition added since the last look is required at once;
 * no partitions known means nothing is proven), and no unresolved hole may touch the window.
 * The order databases are those configured (CAMPAIGN_WATERMARK_SOURCES) and every one that has
 * ever published a watermark here: a shard missing from the configuration is waited for, not
 * ignored (a retired one is removed from partition_watermarks by an operator, docs/scaling.md).
 */
export function finalityOf<H extends HoleSpan>(input: {
  campaign: Window & { finalized_at: string | null };
  now: string;
  partitions: number;
  sources: readonly string[];
  watermarks: readonly PartitionWatermark[];
  holes: readonly H[];
  /** First consumed offsets per partition (db/partition-history.ts); see historyCovers. */
  starts: readonly PartitionStart[];
}): FinalityState<H> {
  const { campaign, partitions } = input;
  const sources = [...new Set([...input.sources, ...input.watermarks.map((w) => w.source)])];
  const required = partitions * sources.length;
  const passed = new Set(
    input.watermarks
      .filter((w) => w.partition >= 0 && w.partition < partitions && sources.includes(w.source) && compareInstants(w.watermark, campaign.end_time) > 0)
      .map((w) => `${w.source}/${w.partition}`),
  );
  const holes = campaign.finalized_at ? [] : input.holes.filter((h) => holeTouches(campaign, h));
  const waiting: FinalityWait[] = [];
  if (!campaign.finalized_at) {
    if (compareInstants(input.now, campaign.end_time) <= 0) waiting.push("WINDOW_OPEN");
    if (required === 0 || passed.size < required) waiting.push("WATERMARKS");
    if (holes.length > 0) waiting.push("FINALITY_HOLES");
    if (!historyCovers({ partitions, starts: input.starts, startTime: campaign.start_time })) waiting.push("HISTORY");
  }
  // Which order database (shard) holds finality, and on which partitions: a shard that stopped
  // publishing is named, not just counted.
  const behind = sources
    .map((source) => ({ source, partitions: Array.from({ length: partitions }, (_, p) => p).filter((p) => !passed.has(`${source}/${p}`)) }))
    .filter((b) => b.partitions.length > 0);
  const latest = new Map<string, string>();
  for (const w of input.watermarks) {
    const key = `${w.source}/${w.partition}`;
    const seen = latest.get(key);
    if (seen === undefined || compareInstants(w.watermark, seen) > 0) latest.set(key, w.watermark);
  }
  const end = microsOf(campaign.end_time);
  const lagging = behind.flatMap(({ source, partitions: ps }) =>
    ps.map((partition) => {
      const watermark = latest.get(`${source}/${partition}`) ?? null;
      return { source, partition, watermark, behind_ms: watermark === null ? null : Math.max(0, Number((end - microsOf(watermark)) / 1000n)) };
    }),
  );
  return { waiting_for: waiting, watermarks: { required, past_end: passed.size, behind, lagging }, holes };
}

export interface HoleIdentity extends HoleSpan {
  event_id: string | null;
  order_id: string | null;
}

const text = (v: unknown, max: number) => (typeof v === "string" && v.length > 0 && v.length <= max ? v : null);

/**
 * What can be read from a message that could not be applied, trusting nothing about its shape.
 * undefined for a watermark: losing one only delays finality, it cannot hide an order.
 */
export function holeOfMessage(value: string): HoleIdentity | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  const message = (typeof parsed === "object" && parsed !== null ? parsed : {}) as Record<string, unknown>;
  if (message.type === "OrdersWatermark") return undefined;
  const data = (typeof message.data === "object" && message.data !== null ? message.data : {}) as Record<string, unknown>;
  const createdAt = typeof data.created_at === "string" ? parseInstant(data.created_at) : undefined;
  return { event_id: text(message.event_id, 100), order_id: text(data.order_id, 100), order_created_at: createdAt?.iso ?? null };
}
