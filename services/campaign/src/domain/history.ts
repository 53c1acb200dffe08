import { compareInstants } from "@spgroup/contracts";

/** The first offset the campaign database consumed on a partition, and when. */
export interface PartitionStart {
  partition: number;
  first_offset: string;
  first_ingested_at: string;
}

/**
 * Since when the stored orders are every completed order: null when every partition was consumed
 * from offset 0. A partition first consumed at a later offset lacks what preceded it, so only
 * orders created after its first ingest are known (their completion came later still). A partition
 * not consumed yet restricts nothing here: watermarks reach every partition every tick, so it is
 * consumed within moments, and finality (historyCovers) checks it again before anything is FINAL.
 * Assumes the order and campaign databases' clocks agree, as the ranking across shards does.
 */
export function historyCompleteSince(input: { partitions: number; starts: readonly PartitionStart[]; now: string }): string | null {
  if (input.partitions <= 0) return input.now;
  let since: string | null = null;
  for (let partition = 0; partition < input.partitions; partition++) {
    const start = input.starts.find((s) => s.partition === partition);
    const mark = !start || start.first_offset === "0" ? null : start.first_ingested_at;
    if (mark !== null && (since === null || compareInstants(mark, since) > 0)) since = mark;
  }
  return since;
}

/**
 * Whether the stored orders of every partition reach back to `startTime`: each partition has been
 * consumed, from offset 0 or from a first ingest no later than the window's start. Finality needs
 * it: a window accepted while a partition was not consumed yet must not become FINAL if that
 * partition turns out to have started later (the campaign database rebuilt, Kafka retention).
 */
export function historyCovers(input: { partitions: number; starts: readonly PartitionStart[]; startTime: string }): boolean {
  for (let partition = 0; partition < input.partitions; partition++) {
    const start = input.starts.find((s) => s.partition === partition);
    if (!start) return false;
    if (start.first_offset !== "0" && compareInstants(start.first_ingested_at, input.startTime) > 0) return false;
  }
  return true;
}
