import type { Queryable } from "@spgroup/platform";
import type { PartitionWatermark } from "../domain/finality.ts";

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

/** Every recorded watermark of `topic`: finality is decided over them by domain/finality.ts. */
export async function watermarksOf(db: Queryable, topic: string): Promise<PartitionWatermark[]> {
  const { rows } = await db.query<PartitionWatermark>("SELECT partition, source, watermark FROM partition_watermarks WHERE topic = $1 ORDER BY source, partition", [topic]);
  return rows;
}
