import type { Queryable } from "@spgroup/platform";
import type { PartitionStart } from "../domain/history.ts";

/** Remembers the first (smallest) offset consumed on each partition and when it was first seen. */
export async function recordFirstOffsets(db: Queryable, seen: { topic: string; partition: number; offset: bigint | string }[]): Promise<void> {
  if (seen.length === 0) return;
  await db.query(
    `INSERT INTO partition_history (topic, partition, first_offset)
     SELECT topic, partition, min(o) FROM unnest($1::text[], $2::int[], $3::bigint[]) AS s(topic, partition, o) GROUP BY topic, partition
     ON CONFLICT (topic, partition) DO UPDATE SET first_offset = EXCLUDED.first_offset
       -- A batch may record a later offset first (a dead letter is written before the valid
       -- events of its batch): the smallest offset seen wins, with the earlier ingest time kept.
       WHERE EXCLUDED.first_offset < partition_history.first_offset`,
    [seen.map((s) => s.topic), seen.map((s) => s.partition), seen.map((s) => String(s.offset))],
  );
}

export async function partitionStarts(db: Queryable, topic: string): Promise<PartitionStart[]> {
  const { rows } = await db.query<PartitionStart>(
    "SELECT partition, first_offset::text AS first_offset, first_ingested_at FROM partition_history WHERE topic = $1",
    [topic],
  );
  return rows;
}
