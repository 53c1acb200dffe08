// The campaign rule exactly as the issue states it, written as plainly as possible and shared by
// nothing in production: the oracle the property tests compare against.
export interface HistoryOrder {
  id: string;
  customer_id: string;
  customer_name: string;
  status: "SUCCESS" | "FAILED";
  total_amount: string;
  created_at: string; // ISO with microseconds
}

export interface RulePolicy {
  start: string;
  end: string;
  maxTracked: number;
  minAmountCents: number;
  totalReward: number;
}

const micros = (iso: string) => BigInt(Date.parse(`${iso.slice(0, 19)}Z`)) * 1000n + BigInt((iso.split(".")[1] ?? "0").replace("Z", "").padEnd(6, "0"));
const cents = (amount: string) => Math.round(Number(amount) * 100);

export function referenceWinners(orders: HistoryOrder[], p: RulePolicy): string[] {
  // 1. SUCCESS orders inside the window, edges included.
  const inWindow = orders.filter((o) => o.status === "SUCCESS" && micros(o.created_at) >= micros(p.start) && micros(o.created_at) <= micros(p.end));
  // 2. Per customer: the first order (earliest, ties by id) and the largest amount.
  const customers = new Map<string, { first: HistoryOrder; max: number }>();
  for (const o of inWindow) {
    const c = customers.get(o.customer_id);
    const earlier = !c || micros(o.created_at) < micros(c.first.created_at) || (micros(o.created_at) === micros(c.first.created_at) && o.id < c.first.id);
    customers.set(o.customer_id, { first: earlier ? o : (c as { first: HistoryOrder }).first, max: Math.max(c?.max ?? 0, cents(o.total_amount)) });
  }
  // 3. Rank by first order time (then the first order's id); keep the first N.
  const ranked = [...customers.entries()].sort(([, a], [, b]) => {
    const d = micros(a.first.created_at) - micros(b.first.created_at);
    return d < 0n ? -1 : d > 0n ? 1 : a.first.id < b.first.id ? -1 : a.first.id > b.first.id ? 1 : 0;
  });
  const tracked = ranked.slice(0, p.maxTracked);
  // 4–5. Strictly above the minimum; the first K win.
  return tracked.filter(([, c]) => c.max > p.minAmountCents).slice(0, p.totalReward).map(([id]) => id);
}
