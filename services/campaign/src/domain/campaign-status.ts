import { type CampaignStatus, compareInstants } from "@spgroup/contracts";

/**
 * SCHEDULED before the window, ACTIVE inside it, CLOSING once it is over but orders created inside
 * it may still complete, FINAL once the winners are fixed.
 */
export function campaignStatus(campaign: { start_time: string; end_time: string; finalized_at: string | null }, now: string): CampaignStatus {
  if (campaign.finalized_at) return "FINAL";
  if (compareInstants(now, campaign.start_time) < 0) return "SCHEDULED";
  if (compareInstants(now, campaign.end_time) <= 0) return "ACTIVE";
  return "CLOSING";
}
