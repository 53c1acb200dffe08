import type { Audit, Campaign, Finality, Inventory, Standings, Winner } from "@spgroup/contracts";
import { csvDocument, type Queryable } from "@spgroup/platform";
import { type CampaignRow, currentCampaign, IPHONE_CAMPAIGN } from "../db/campaigns.ts";
import { leadingCustomers } from "../db/standings.ts";
import { unresolvedFinalityHoles } from "../db/finality-holes.ts";
import { partitionStarts } from "../db/partition-history.ts";
import { watermarksOf } from "../db/watermarks.ts";
import { finalWinners } from "../db/winners.ts";
import { campaignStatus } from "../domain/campaign-status.ts";
import { finalityOf } from "../domain/finality.ts";
import { rankTrackedCustomers, winnersOf } from "../domain/winners.ts";
import type { CampaignContext } from "./context.ts";

/** What the finality shown with a campaign is judged against: the finaliser's own inputs. */
export type FinalitySources = Pick<CampaignContext, "completedTopic" | "partitions" | "watermarkSources">;

export async function currentIphoneCampaign(db: Queryable): Promise<CampaignRow | undefined> {
  return currentCampaign(db, IPHONE_CAMPAIGN);
}

function inventoryOf(campaign: CampaignRow, awarded: number): Inventory {
  const total = campaign.policy.total_reward;
  return { total, awarded, remaining: total - awarded };
}

/** Winners of a campaign: the stored FINAL ones, or the rule over what has arrived so far. */
export async function standingsOf(db: Queryable, campaign: CampaignRow): Promise<Standings> {
  let winners: Winner[];
  if (campaign.finalized_at) {
    winners = await finalWinners(db, campaign.id);
  } else {
    const tracked = await leadingCustomers(db, campaign.id, campaign.policy.max_tracked_orders);
    winners = winnersOf(rankTrackedCustomers(tracked, campaign.policy)).map((w, i) => ({
      rank: i + 1,
      customer_id: w.customer_id,
      customer_name: w.customer_name,
      first_order_at: w.first_order_at,
      max_order_amount: w.max_order_amount,
    }));
  }
  return { campaign_id: campaign.id, state: campaign.finalized_at ? "FINAL" : "PROVISIONAL", winners, inventory: inventoryOf(campaign, winners.length) };
}

/** Why the campaign is not FINAL yet, by the same rule the finaliser applies (domain/finality.ts). */
export async function finalityOfCampaign(db: Queryable, sources: FinalitySources, campaign: CampaignRow): Promise<Finality> {
  const watermarks = await watermarksOf(db, sources.completedTopic);
  const holes = campaign.finalized_at ? [] : await unresolvedFinalityHoles(db);
  const starts = await partitionStarts(db, sources.completedTopic);
  return finalityOf({ campaign, now: campaign.now, partitions: sources.partitions, sources: sources.watermarkSources, watermarks, holes, starts });
}

/** The campaign as the API shows it; pass the standings when already read, to read them once. */
export async function campaignView(db: Queryable, sources: FinalitySources, campaign: CampaignRow, known?: Standings): Promise<Campaign> {
  const standings = known ?? (await standingsOf(db, campaign));
  const { now: _now, ...row } = campaign;
  return { ...row, status: campaignStatus(campaign, campaign.now), inventory: standings.inventory, finality: await finalityOfCampaign(db, sources, campaign) };
}

/** Every tracked customer in rank order, with why they won or did not. */
export async function auditOf(db: Queryable, campaign: CampaignRow): Promise<Audit> {
  const tracked = await leadingCustomers(db, campaign.id, campaign.policy.max_tracked_orders);
  return {
    campaign_id: campaign.id,
    state: campaign.finalized_at ? "FINAL" : "PROVISIONAL",
    policy: campaign.policy,
    window: { start_time: campaign.start_time, end_time: campaign.end_time },
    tracked: rankTrackedCustomers(tracked, campaign.policy),
  };
}

const CSV_COLUMNS = ["rank", "customer_id", "customer_name", "first_order_at", "first_order_id", "max_order_amount", "winner", "reason"] as const;

/** Cells quoted, formulas in customer-supplied names neutralised: the platform's one CSV writer. */
export function auditCsv(audit: Audit): string {
  return csvDocument(audit.tracked, CSV_COLUMNS);
}
