import { formatCents } from "@spgroup/contracts";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type HistoryOrder, referenceWinners } from "../../test/support/reference-rule.ts";
import { type CustomerStanding, rankTrackedCustomers, winnersOf } from "./winners.ts";

const BASE = Date.parse("2026-11-11T00:00:00Z");
const iso = (micros: number) => `${new Date(BASE + Math.floor(micros / 1000)).toISOString().slice(0, 19)}.${String((BASE % 1000) * 1000 + (micros % 1_000_000)).padStart(6, "0").slice(-6)}Z`;

// Few distinct instants and customers so that ties and repeat customers are common; amounts
// cluster around the 200.00 threshold.
const orderArb = fc.record({
  id: fc.stringMatching(/^[0-9A-Z]{6}$/),
  customer: fc.integer({ min: 1, max: 30 }),
  at: fc.integer({ min: 0, max: 400 }),
  status: fc.constantFrom("SUCCESS", "SUCCESS", "SUCCESS", "FAILED"),
  cents: fc.oneof(fc.constantFrom(20000, 20001, 19999, 100, 50000), fc.integer({ min: 1, max: 100000 })),
});

function toHistory(raw: fc.Arbitrary<(typeof orderArb extends fc.Arbitrary<infer T> ? T : never)[]>) {
  return raw.map((orders) => {
    const seen = new Set<string>();
    return orders
      .filter((o) => !seen.has(o.id) && seen.add(o.id))
      .map(
        (o): HistoryOrder => ({
          id: o.id,
          customer_id: `cust-${o.customer}`,
          customer_name: `Name ${o.id}`,
          status: o.status as "SUCCESS" | "FAILED",
          total_amount: formatCents(o.cents),
          created_at: iso(o.at * 1000),
        }),
      );
  });
}

/** The per-customer aggregate the database keeps, folded here in whatever order the orders come. */
function aggregate(orders: HistoryOrder[], start: string, end: string): CustomerStanding[] {
  const byCustomer = new Map<string, CustomerStanding>();
  for (const o of orders) {
    if (o.status !== "SUCCESS" || o.created_at < start || o.created_at > end) continue;
    const current = byCustomer.get(o.customer_id);
    const candidate: CustomerStanding = { customer_id: o.customer_id, customer_name: o.customer_name, first_order_at: o.created_at, first_order_id: o.id, max_order_amount: o.total_amount };
    if (!current) byCustomer.set(o.customer_id, candidate);
    else {
      const earlier = o.created_at < current.first_order_at || (o.created_at === current.first_order_at && o.id < current.first_order_id);
      const max = Number(o.total_amount) > Number(current.max_order_amount) ? o.total_amount : current.max_order_amount;
      byCustomer.set(o.customer_id, earlier ? { ...candidate, max_order_amount: max } : { ...current, max_order_amount: max });
    }
  }
  return [...byCustomer.values()];
}

describe("rankTrackedCustomers", () => {
  it("picks exactly the reference rule's winners for thousands of random histories", () => {
    fc.assert(
      fc.property(
        toHistory(fc.array(orderArb, { maxLength: 120, size: "max" })),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom(0, 19999, 20000, 20001),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 200, max: 400 }),
        (orders, n, k, minimum, startAt, endAt) => {
          const policy = { total_reward: Math.min(n, k), max_tracked_orders: n, min_order_amount: formatCents(minimum) };
          const start = iso(startAt * 1000);
          const end = iso(endAt * 1000);
          const shuffled = [...orders].reverse();
          const ours = winnersOf(rankTrackedCustomers(aggregate(shuffled, start, end), policy)).map((w) => w.customer_id);
          const expected = referenceWinners(orders, { start, end, maxTracked: n, minAmountCents: minimum, totalReward: Math.min(n, k) });
          expect(ours).toEqual(expected);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("explains every tracked customer: winner, amount not above the minimum, or prizes exhausted", () => {
    const c = (id: string, at: string, amount: string): CustomerStanding => ({ customer_id: id, customer_name: id, first_order_at: at, first_order_id: id, max_order_amount: amount });
    const ranked = rankTrackedCustomers(
      [c("a", "2026-01-01T00:00:00.000001Z", "200.00"), c("b", "2026-01-01T00:00:00.000002Z", "200.01"), c("c", "2026-01-01T00:00:00.000003Z", "999.00"), c("d", "2026-01-01T00:00:00.000004Z", "999.00")],
      { total_reward: 1, max_tracked_orders: 3, min_order_amount: "200.00" },
    );
    expect(ranked.map((r) => [r.customer_id, r.rank, r.reason])).toEqual([
      ["a", 1, "AMOUNT_NOT_ABOVE_MINIMUM"],
      ["b", 2, "WINNER"],
      ["c", 3, "PRIZES_EXHAUSTED"],
    ]);
  });

  it("breaks a tie in first order time by the first order's id", () => {
    const at = "2026-01-01T00:00:00.123456Z";
    const ranked = rankTrackedCustomers(
      [
        { customer_id: "x", customer_name: "x", first_order_at: at, first_order_id: "B", max_order_amount: "300.00" },
        { customer_id: "y", customer_name: "y", first_order_at: at, first_order_id: "A", max_order_amount: "300.00" },
      ],
      { total_reward: 1, max_tracked_orders: 2, min_order_amount: "200.00" },
    );
    expect(winnersOf(ranked).map((w) => w.customer_id)).toEqual(["y"]);
  });
});
