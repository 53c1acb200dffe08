import type { Audit } from "@spgroup/contracts";
import { Empty } from "../../components/States.tsx";
import { formatPreciseInstant, formatSgd } from "../../lib/format.ts";

const REASONS: Record<string, string> = {
  WINNER: "Wins an iPhone",
  AMOUNT_NOT_ABOVE_MINIMUM: "Largest order not above the minimum",
  PRIZES_EXHAUSTED: "All iPhones already given to earlier customers",
};

/** Every tracked customer in rank order and why they did or did not win. */
export function AuditTable({ audit }: { audit: Audit }) {
  if (audit.tracked.length === 0) return <Empty>No successful orders in the window yet.</Empty>;
  return (
    <table className="min-w-full divide-y divide-slate-200 text-sm" data-testid="audit">
      <thead className="bg-slate-100">
        <tr>
          {["Rank", "Customer", "First order", "First order id", "Largest order", "Outcome"].map((h) => (
            <th key={h} scope="col" className="px-3 py-2 text-left font-semibold">
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {audit.tracked.map((row) => (
          <tr key={row.customer_id} className={row.winner ? "bg-emerald-50" : ""}>
            <td className="px-3 py-1.5">{row.rank}</td>
            <td className="px-3 py-1.5">
              {row.customer_name} <span className="font-mono text-xs text-slate-500">{row.customer_id}</span>
            </td>
            <td className="px-3 py-1.5">{formatPreciseInstant(row.first_order_at)}</td>
            <td className="px-3 py-1.5 font-mono text-xs">{row.first_order_id}</td>
            <td className="px-3 py-1.5">{formatSgd(row.max_order_amount)}</td>
            <td className="px-3 py-1.5">{REASONS[row.reason] ?? row.reason}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
