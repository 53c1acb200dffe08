import type { Standings } from "@spgroup/contracts";
import { Empty } from "../../components/States.tsx";
import { formatPreciseInstant, formatSgd } from "../../lib/format.ts";

export function WinnersTable({ standings }: { standings: Standings }) {
  if (standings.winners.length === 0) return <Empty>No winners yet: no tracked customer has a successful order above the minimum.</Empty>;
  return (
    <table className="min-w-full divide-y divide-slate-200 text-sm" data-testid="winners">
      <thead className="bg-slate-100">
        <tr>
          {["#", "Customer", "Name", "First order", "Largest order"].map((h) => (
            <th key={h} scope="col" className="px-3 py-2 text-left font-semibold">
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {standings.winners.map((w) => (
          <tr key={w.customer_id}>
            <td className="px-3 py-1.5">{w.rank}</td>
            <td className="px-3 py-1.5 font-mono text-xs">{w.customer_id}</td>
            <td className="px-3 py-1.5">{w.customer_name}</td>
            <td className="px-3 py-1.5">{formatPreciseInstant(w.first_order_at)}</td>
            <td className="px-3 py-1.5">{formatSgd(w.max_order_amount)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
