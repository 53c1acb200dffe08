import { withTransaction } from "@spgroup/platform";
import { campaignsPastTheirWindow, findCampaign, markFinal } from "../db/campaigns.ts";
import { leadingCustomers } from "../db/standings.ts";
import { allWatermarksPast } from "../db/watermarks.ts";
import { insertFinalWinners } from "../db/winners.ts";
import { rankTrackedCustomers, winnersOf } from "../domain/winners.ts";
import { type CampaignContext, STANDINGS_CHANNEL, STANDINGS_LOCK } from "./context.ts";

/**
 * Makes FINAL every campaign whose window is over and whose every order is known to be terminal
 * and counted: each partition of orders.completed, for each order database, has carried a
 * watermark later than end_time. Any instance may run this; the row lock and the check of
 * finalized_at under it make a second finaliser a no-op. Returns the ids it finalised.
 */
export async function finalizeDueCampaigns(ctx: CampaignContext): Promise<number[]> {
  const finalized: number[] = [];
  for (const due of await campaignsPastTheirWindow(ctx.pool)) {
    if (!(await allWatermarksPast(ctx.pool, ctx.completedTopic, ctx.partitions, ctx.watermarkSources, due.end_time))) continue;
    const done = await withTransaction(ctx.pool, async (client) => {
      await client.query("SELECT pg_advisory_xact_lock($1)", [STANDINGS_LOCK]);
      const campaign = await findCampaign(client, due.id, { lock: true });
      // Re-checked under the lock: the window may have been moved since.
      if (!campaign || campaign.finalized_at || campaign.end_time !== due.end_time) return false;
      const tracked = await leadingCustomers(client, campaign.id, campaign.policy.max_tracked_orders);
      await insertFinalWinners(client, campaign.id, winnersOf(rankTrackedCustomers(tracked, campaign.policy)));
      await markFinal(client, campaign.id);
      await client.query("SELECT pg_notify($1, $2)", [STANDINGS_CHANNEL, String(campaign.id)]);
      return true;
    });
    if (done) finalized.push(due.id);
  }
  return finalized;
}
