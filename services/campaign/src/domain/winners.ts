import { type AuditReason, centsOf, compareInstants, type Policy } from "@spgroup/contracts";

/** A customer's aggregate over their SUCCESS orders inside the campaign window. */
export interface CustomerStanding {
  customer_id: string;
  /** The name on the customer's first order. */
  customer_name: string;
  first_order_at: string;
  first_order_id: string;
  max_order_amount: string;
}

export interface RankedCustomer extends CustomerStanding {
  rank: number;
  winner: boolean;
  reason: AuditReason;
}

/** Rank order of the rule: first order time, ties broken by the first order's id. */
export function compareStandings(a: CustomerStanding, b: CustomerStanding): number {
  return compareInstants(a.first_order_at, b.first_order_at) || (a.first_order_id < b.first_order_id ? -1 : a.first_order_id > b.first_order_id ? 1 : 0);
}

/**
 * Steps 3–5 of the campaign rule: keep the first N customers by first order time ("tracked"),
 * of those the ones whose largest order is strictly above the minimum, and the first K of them win.
 * Every tracked customer comes back with the reason they did or did not win, for the audit.
 */
export function rankTrackedCustomers(customers: readonly CustomerStanding[], policy: Policy): RankedCustomer[] {
  const minimum = centsOf(policy.min_order_amount);
  const tracked = [...customers].sort(compareStandings).slice(0, policy.max_tracked_orders);
  let awarded = 0;
  return tracked.map((customer, index) => {
    let reason: AuditReason;
    if (centsOf(customer.max_order_amount) <= minimum) reason = "AMOUNT_NOT_ABOVE_MINIMUM";
    else if (awarded >= policy.total_reward) reason = "PRIZES_EXHAUSTED";
    else {
      awarded++;
      reason = "WINNER";
    }
    return { ...customer, rank: index + 1, winner: reason === "WINNER", reason };
  });
}

export function winnersOf(ranked: readonly RankedCustomer[]): RankedCustomer[] {
  return ranked.filter((c) => c.winner);
}
