import { describe, expect, it } from "vitest";
import { compareWithFinal } from "./engine-audit.ts";

const row = (rank: number, customer_id: string, extra: Partial<{ customer_name: string; first_order_at: string; max_order_amount: string }> = {}) => ({
  rank,
  customer_id,
  customer_name: `Name ${customer_id}`,
  first_order_at: "2026-11-26T08:00:00.000001Z",
  max_order_amount: "250.00",
  ...extra,
});

describe("an independent engine's winners against the FINAL list", () => {
  it("are equal when every row agrees, whatever the spelling of the time and amount", () => {
    expect(compareWithFinal([row(1, "a"), row(2, "b")], [row(1, "a", { first_order_at: "2026-11-26T16:00:00.000001+08:00", max_order_amount: "250" }), row(2, "b")])).toEqual([]);
  });

  it("names each difference by rank: customer, name, a microsecond, a cent, a missing row", () => {
    const final = [row(1, "a"), row(2, "b"), row(3, "c")];
    const engine = [row(1, "a", { first_order_at: "2026-11-26T08:00:00.000002Z" }), row(2, "x", { customer_name: "Name b" }), row(3, "c", { max_order_amount: "250.01" }), row(4, "d")];
    expect(compareWithFinal(final, engine)).toEqual([
      { rank: 1, field: "first_order_at", final: "2026-11-26T08:00:00.000001Z", engine: "2026-11-26T08:00:00.000002Z" },
      { rank: 2, field: "customer_id", final: "b", engine: "x" },
      { rank: 3, field: "max_order_amount", final: "250.00", engine: "250.01" },
      { rank: 4, field: "missing in FINAL", final: null, engine: "d" },
    ]);
    expect(compareWithFinal([row(1, "a")], [])).toEqual([{ rank: 1, field: "missing in engine", final: "a", engine: null }]);
  });
});
