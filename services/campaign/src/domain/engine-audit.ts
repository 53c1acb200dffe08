import { centsOf, type EngineAuditBody, type EngineAuditDifference, parseInstant, type Winner } from "@spgroup/contracts";

type EngineWinner = EngineAuditBody["winners"][number];

const same = {
  instant: (a: string, b: string) => parseInstant(a)?.micros === parseInstant(b)?.micros && parseInstant(a) !== undefined,
  amount: (a: string, b: string) => {
    try {
      return centsOf(a) === centsOf(b);
    } catch {
      return false;
    }
  },
};

/**
 * The audit's verdict, decided here and not by the caller: the FINAL list and an independent
 * engine's winners, row by row (rank, customer, name, first order time to the microsecond, largest
 * amount). Equal when there is no difference.
 */
export function compareWithFinal(final: readonly Winner[], engine: readonly EngineWinner[]): EngineAuditDifference[] {
  const differences: EngineAuditDifference[] = [];
  for (let i = 0; i < Math.max(final.length, engine.length); i++) {
    const rank = i + 1;
    const a = final[i];
    const b = engine[i];
    if (!a || !b) {
      differences.push({ rank, field: a ? "missing in engine" : "missing in FINAL", final: a?.customer_id ?? null, engine: b?.customer_id ?? null });
      continue;
    }
    if (b.rank !== rank) differences.push({ rank, field: "rank", final: String(a.rank), engine: String(b.rank) });
    if (a.customer_id !== b.customer_id) differences.push({ rank, field: "customer_id", final: a.customer_id, engine: b.customer_id });
    if (a.customer_name !== b.customer_name) differences.push({ rank, field: "customer_name", final: a.customer_name, engine: b.customer_name });
    if (!same.instant(a.first_order_at, b.first_order_at)) differences.push({ rank, field: "first_order_at", final: a.first_order_at, engine: b.first_order_at });
    if (!same.amount(a.max_order_amount, b.max_order_amount)) differences.push({ rank, field: "max_order_amount", final: a.max_order_amount, engine: b.max_order_amount });
  }
  return differences;
}
