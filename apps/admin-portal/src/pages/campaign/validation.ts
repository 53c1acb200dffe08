import { AMOUNT_REGEX } from "@spgroup/contracts/money";

// The same rules the campaign service enforces, checked as the operator types; the server's
// answer still decides (and its message is shown if it disagrees).
export interface CampaignDraft {
  name: string;
  description: string;
  start_time: string; // datetime-local
  end_time: string;
  total_reward: string;
  min_order_amount: string;
  max_tracked_orders: string;
}

export type DraftErrors = Partial<Record<keyof CampaignDraft, string>>;

const positiveInt = (v: string) => /^[1-9]\d{0,5}$/.test(v.trim());

export function validateDraft(d: CampaignDraft): DraftErrors {
  const errors: DraftErrors = {};
  if (!d.name.trim()) errors.name = "A name is required.";
  else if (d.name.length > 100) errors.name = "At most 100 characters.";
  if (!d.start_time) errors.start_time = "Pick when the sale starts.";
  if (!d.end_time) errors.end_time = "Pick when the sale ends.";
  else if (d.start_time && Date.parse(d.end_time) <= Date.parse(d.start_time)) errors.end_time = "The end must be after the start.";
  if (!positiveInt(d.total_reward)) errors.total_reward = "A whole number of iPhones, at least 1.";
  if (!positiveInt(d.max_tracked_orders)) errors.max_tracked_orders = "A whole number of customers, at least 1.";
  if (!errors.total_reward && !errors.max_tracked_orders && Number(d.total_reward) > Number(d.max_tracked_orders)) {
    errors.total_reward = "Cannot exceed the tracked customers: only they can win.";
  }
  if (!AMOUNT_REGEX.test(d.min_order_amount.trim())) errors.min_order_amount = "An amount in SGD with at most 2 decimals.";
  return errors;
}
