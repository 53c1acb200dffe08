import type { Queryable } from "@spgroup/platform";

/** Raises each partition's recorded watermark (never lowers it). */
export async function raiseWatermarks(db: Queryable, marks: { topic: string; partition: number; source: string; watermark: string }[]): Promise<void> {
  if (marks.length === 0) return;
  await db.query(
    `INSERT INTO partition_watermarks (topic, partition, source, watermark)
     SELECT topic, partition, source, max(watermark)
     FROM unnest($1::text[], $2::int[], $3::text[], $4::timestamptz[]) AS m(topic, partition, source, watermark)
     GROUP BY topic, partition, source
     ON CONFLICT (topic, partition, source) DO UPDATE
       SET watermark = GREATEST(partition_watermarks.watermark, EXCLUDED.watermark), updated_at = now()`,
    [marks.map((m) => m.topic), marks.map((m) => m.partition), marks.map((m) => m.source), marks.map((m) => m.watermark)],
  );
}

/** True when every partition of `topic`, for every source, has a watermark strictly after `instant`. */
export async function allWatermarksPast(db: Queryable, topic: string, partitions: number, sources: string[], instant: string): Promise<boolean> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM partition_watermarks
     WHERE topic = $1 AND partition < $2 AND source = ANY($3::text[]) AND watermark > $4::timestamptz`,
    [topic, partitions, sources, instant],
  );
  return partitions > 0 && (rows[0]?.n ?? 0) === partitions * sources.length;
}

export async function watermarkSummary(db: Queryable, topic: string): Promise<{ partition: number; source: string; watermark: string }[]> {
  const { rows } = await db.query("SELECT partition, source, watermark FROM partition_watermarks WHERE topic = $1 ORDER BY source, partition", [topic]);
  return rows;
}
