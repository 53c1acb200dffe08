import type { Pool } from "@spgroup/platform";

export interface CampaignContext {
  pool: Pool;
  /** Full name of the orders.completed topic, whose partitions carry the watermarks. */
  completedTopic: string;
  /** Its number of partitions as last read: finality needs a watermark on each. */
  partitions: number;
  /**
   * Reads the topic's current partition count from the broker; each finalize pass calls it, so a
   * partition added while running is required at once. Absent in tests that fix `partitions`.
   */
  readPartitions?: () => Promise<number>;
  /** The order databases (shards) whose watermarks must all pass the window's end. */
  watermarkSources: string[];
}
