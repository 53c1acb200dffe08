import { withTransaction } from "@spgroup/platform";
import { campaignsPastTheirWindow, findCampaign, markFinal } from "../db/campaigns.ts";
import { unresolvedFinalityHoles } from "../db/finality-holes.ts";
import { partitionStarts } from "../db/partition-history.ts";
import { leadingCustomers, lockStandings, notifyStandingsChanged } from "../db/standings.ts";
import { watermarksOf } from "../db/watermarks.ts";
import { insertFinalWinners } from "../db/winners.ts";
import { finalityOf, holeTouches } from "../domain/finality.ts";
import { rankTrackedCustomers, winnersOf } from "../domain/winners.ts";
import type { CampaignContext } from "./context.ts";

/**
 * Makes FINAL every campaign whose window is over and whose every order is known to be terminal
 * and counted: each partition of orders.completed (as the broker lists them now), for each order
 * database, has carried a watermark later than end_time, and no dead-lettered message that could
 * hold an order of the window is unresolved (domain/finality.ts). Any instance may run this; the
 * row lock and the check of finalized_at under it make a second finaliser a no-op. Returns the ids
 * it finalised.
 */
export async function finalizeDueCampaigns(ctx: CampaignContext): Promise<number[]> {
  const due = await campaignsPastTheirWindow(ctx.pool);
  if (due.length === 0) return [];
  // Watermarks first, partition metadata after: a completion that a watermark read here covers was
  // published before that watermark, so its partition already exists when the broker is asked.
  const watermarks = await watermarksOf(ctx.pool, ctx.completedTopic);
  // Partitions are never removed from a topic; a smaller answer is a broker's stale view.
  if (ctx.readPartitions) ctx.partitions = Math.max(ctx.partitions, await ctx.readPartitions());
  const holes = await unresolvedFinalityHoles(ctx.pool);
  const starts = await partitionStarts(ctx.pool, ctx.completedTopic);

  const finalized: number[] = [];
  for (const candidate of due) {
    const state = finalityOf({ campaign: candidate, now: candidate.now, partitions: ctx.partitions, sources: ctx.watermarkSources, watermarks, holes, starts });
    if (state.waiting_for.length > 0) continue;
    const done = await withTransaction(ctx.pool, async (client) => {
      await lockStandings(client, "exclusive");
      const campaign = await findCampaign(client, candidate.id, { lock: true });
      // Re-checked under the lock: the window may have been moved since, or a hole recorded.
      if (!campaign || campaign.finalized_at || campaign.end_time !== candidate.end_time || campaign.start_time !== candidate.start_time) return false;
      if ((await unresolvedFinalityHoles(client)).some((hole) => holeTouches(campaign, hole))) return false;
      const tracked = await leadingCustomers(client, campaign.id, campaign.policy.max_tracked_orders);
      await insertFinalWinners(client, campaign.id, winnersOf(rankTrackedCustomers(tracked, campaign.policy)));
      await markFinal(client, campaign.id);
      await notifyStandingsChanged(client, campaign.id);
      return true;
    });
    if (done) finalized.push(candidate.id);
  }
  return finalized;
}
