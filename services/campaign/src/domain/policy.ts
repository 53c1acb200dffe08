import { formatCents, parseAmountCents, POLICY_DEFAULTS, type Policy } from "@spgroup/contracts";
import { compareInstants } from "./instants.ts";

export class InvalidCampaign extends Error {}

export interface CampaignSettings {
  name: string;
  description: string;
  startTime: string;
  endTime: string;
  policy: Policy;
}

/** The rules a campaign's settings obey, whether created or edited. */
export function validateSettings(input: {
  name: string;
  description?: string;
  start_time: string;
  end_time: string;
  total_reward?: number;
  min_order_amount?: number | string;
  max_tracked_orders?: number;
}): CampaignSettings {
  const name = input.name.trim();
  if (name === "") throw new InvalidCampaign("name must not be blank");
  if (compareInstants(input.start_time, input.end_time) >= 0) throw new InvalidCampaign("start_time must be before end_time");
  const totalReward = input.total_reward ?? POLICY_DEFAULTS.total_reward;
  const maxTracked = input.max_tracked_orders ?? POLICY_DEFAULTS.max_tracked_orders;
  if (totalReward > maxTracked) throw new InvalidCampaign("total_reward cannot exceed max_tracked_orders: only tracked customers can win");
  const rawMinimum = input.min_order_amount ?? POLICY_DEFAULTS.min_order_amount;
  // 0 is a valid minimum ("any amount"); parseAmountCents only accepts positive amounts.
  const minimum = rawMinimum === 0 || rawMinimum === "0" ? { ok: true as const, cents: 0 } : parseAmountCents(rawMinimum);
  if (!minimum.ok) throw new InvalidCampaign("min_order_amount must be a decimal with at most 2 decimals, at most 99999999.99");
  return {
    name,
    description: input.description ?? "",
    startTime: input.start_time,
    endTime: input.end_time,
    policy: { total_reward: totalReward, min_order_amount: formatCents(minimum.cents), max_tracked_orders: maxTracked },
  };
}
