import { compareInstants } from "./instants.ts";

/** The first offset the campaign database consumed on a partition, and when. */
export interface PartitionStart {
  partition: number;
  first_offset: string;
  first_ingested_at: string;
}

/**
 * Since when the stored orders are every completed order: null when every partition was consumed
 * from offset 0. A partition first consumed at a later offset lacks what preceded it, so only
 * orders created after its first ingest are known (their completion came later still); a partition
 * not consumed yet proves nothing, so then only what is created from now on is known.
 * Assumes the order and campaign databases' clocks agree, as the ranking across shards does.
 */
export function historyCompleteSince(input: { partitions: number; starts: readonly PartitionStart[]; now: string }): string | null {
  if (input.partitions <= 0) return input.now;
  let since: string | null = null;
  for (let partition = 0; partition < input.partitions; partition++) {
    const start = input.starts.find((s) => s.partition === partition);
    const mark = !start ? input.now : start.first_offset === "0" ? null : start.first_ingested_at;
    if (mark !== null && (since === null || compareInstants(mark, since) > 0)) since = mark;
  }
  return since;
}
