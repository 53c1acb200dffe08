import type { DbClient, DeadLetter } from "@spgroup/platform";
import { openCampaigns } from "../db/campaigns.ts";
import { insertFinalityHole } from "../db/finality-holes.ts";
import { recordFirstOffsets } from "../db/partition-history.ts";
import { lockStandings, notifyStandingsChanged } from "../db/standings.ts";
import { holeOfMessage } from "../domain/finality.ts";

/**
 * The consumer's onDeadLetter hook, in the transaction that writes the dead letter: the stored
 * history now lacks this message, so it becomes a finality hole that blocks every campaign whose
 * window its order could fall in (all of them when its created_at cannot be read).
 */
export async function recordFinalityHole(client: DbClient, letter: DeadLetter): Promise<void> {
  await recordFirstOffsets(client, [letter]);
  const hole = holeOfMessage(letter.value);
  if (!hole) return;
  // Shared, as ingest takes it: a finaliser holding it exclusive either sees this hole or has
  // committed before it exists (and then the message came after the watermark it finalised on).
  await lockStandings(client, "shared");
  await insertFinalityHole(client, { ...hole, topic: letter.topic, partition: letter.partition, offset: letter.offset, reason: letter.reason, errors: letter.errors });
  for (const campaign of await openCampaigns(client)) await notifyStandingsChanged(client, campaign.id);
}
