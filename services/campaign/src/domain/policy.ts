import { compareInstants, DomainError, type ErrorCode, formatCents, microsOf, parseAmountCents, parseInstant, POLICY_DEFAULTS, type Policy } from "@spgroup/contracts";
import { campaignStatus } from "./campaign-status.ts";

/** Why campaign settings are refused (codes of the contracts' list); the code is also the error's only detail. */
export const CAMPAIGN_ERRORS = [
  "BLANK_NAME",
  "INVALID_INSTANT",
  "EMPTY_WINDOW",
  "REWARD_ABOVE_TRACKED",
  "INVALID_MINIMUM",
  "END_TIME_IN_THE_PAST",
  "WINDOW_BEFORE_HISTORY",
] as const satisfies readonly ErrorCode[];
export type CampaignError = (typeof CAMPAIGN_ERRORS)[number];

export class InvalidCampaign extends DomainError {
  declare readonly code: CampaignError;
  constructor(code: CampaignError, message: string) {
    // details: [code] is what clients read before error_code existed.
    super(code, message, [code]);
  }
}

export interface CampaignSettings {
  name: string;
  description: string;
  /** Both instants in the service's one spelling (instants.ts), as they will be stored. */
  startTime: string;
  endTime: string;
  policy: Policy;
}

function instant(field: string, text: string): string {
  const parsed = parseInstant(text);
  if (!parsed) throw new InvalidCampaign("INVALID_INSTANT", `${field} must be a date-time between 1970 and 9999 with a time zone`);
  return parsed.iso;
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
  if (name === "") throw new InvalidCampaign("BLANK_NAME", "name must not be blank");
  const startTime = instant("start_time", input.start_time);
  const endTime = instant("end_time", input.end_time);
  if (compareInstants(startTime, endTime) >= 0) throw new InvalidCampaign("EMPTY_WINDOW", "start_time must be before end_time");
  const totalReward = input.total_reward ?? POLICY_DEFAULTS.total_reward;
  const maxTracked = input.max_tracked_orders ?? POLICY_DEFAULTS.max_tracked_orders;
  if (totalReward > maxTracked) throw new InvalidCampaign("REWARD_ABOVE_TRACKED", "total_reward cannot exceed max_tracked_orders: only tracked customers can win");
  const rawMinimum = input.min_order_amount ?? POLICY_DEFAULTS.min_order_amount;
  // 0 is a valid minimum ("any amount"); parseAmountCents only accepts positive amounts.
  const minimum = rawMinimum === 0 || rawMinimum === "0" ? { ok: true as const, cents: 0 } : parseAmountCents(rawMinimum);
  if (!minimum.ok) throw new InvalidCampaign("INVALID_MINIMUM", "min_order_amount must be a decimal with at most 2 decimals, at most 99999999.99");
  return {
    name,
    description: input.description ?? "",
    startTime,
    endTime,
    policy: { total_reward: totalReward, min_order_amount: formatCents(minimum.cents), max_tracked_orders: maxTracked },
  };
}

/**
 * How far before the database's now an ACTIVE campaign's new end_time may lie: the delay of a
 * request in flight, not a clock's error. Closing "now" is the close endpoint's job.
 */
export const END_TIME_TOLERANCE_MS = 5_000;

/**
 * The rules a window obeys against the campaign database's clock and history. A window may not
 * start before campaign_db holds every completed order (`historyCompleteSince`, null when it holds
 * the topic from its first message): its FINAL result would be computed over a partial history.
 * An ACTIVE campaign's end may not move into the past: customers ordered while it was open.
 */
export function checkWindowChange(input: {
  now: string;
  historyCompleteSince: string | null;
  /** Undefined when the campaign is being created. */
  current?: { start_time: string; end_time: string; finalized_at: string | null };
  next: { startTime: string; endTime: string };
}): void {
  const { now, historyCompleteSince, current, next } = input;
  const startMoves = !current || compareInstants(current.start_time, next.startTime) !== 0;
  if (startMoves && historyCompleteSince !== null && compareInstants(next.startTime, historyCompleteSince) < 0) {
    throw new InvalidCampaign(
      "WINDOW_BEFORE_HISTORY",
      `start_time must not be before ${historyCompleteSince}: the campaign database does not hold every completed order from before then`,
    );
  }
  const endMoves = current !== undefined && compareInstants(current.end_time, next.endTime) !== 0;
  if (current && endMoves && campaignStatus(current, now) === "ACTIVE" && microsOf(next.endTime) < microsOf(now) - BigInt(END_TIME_TOLERANCE_MS) * 1000n) {
    throw new InvalidCampaign(
      "END_TIME_IN_THE_PAST",
      `end_time of an ACTIVE campaign must not be before now (${now}); to end the window now, use POST …/iphones/:id/close`,
    );
  }
}
