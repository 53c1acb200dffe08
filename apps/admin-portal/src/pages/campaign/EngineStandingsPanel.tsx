import type { Standings } from "@spgroup/contracts";
import { formatInstant, formatSgd } from "../../lib/format.ts";
import { useEngineStandings } from "./queries.ts";

/**
 * Apache Flink's standings (the seed's one-minute micro-batch) beside ours: the same rule, another
 * engine, the same order events. Flink's are as of the end of its last closed minute, so while
 * orders flow they may trail ours by up to a minute; a lasting difference is what to look at.
 */
export function EngineStandingsPanel({ campaignId, ours }: { campaignId: number; ours: Standings | undefined }) {
  const flink = useEngineStandings(campaignId);
  if (!flink.data) return null;
  const theirs = flink.data.winners.map((w) => w.customer_id);
  const same = ours !== undefined && JSON.stringify(theirs) === JSON.stringify(ours.winners.map((w) => w.customer_id));
  return (
    <section className="rounded-lg border border-slate-200 bg-white shadow-sm" data-testid="engine-standings">
      <div className="flex flex-wrap items-center justify-between gap-2 p-3">
        <h2 className="font-semibold">
          {flink.data.engine}{" "}
          <span
            className={`rounded px-2 py-0.5 text-xs font-semibold ${same ? "bg-emerald-100 text-emerald-800" : "bg-amber-100 text-amber-800"}`}
            data-testid="engine-standings-badge"
          >
            {same ? "same winners as ours" : "differs from ours"}
          </span>
        </h2>
        <span className="text-xs text-slate-500">
          orders created before {formatInstant(flink.data.minute_end)} · {flink.data.customers_so_far} customers
        </span>
      </div>
      <table className="w-full text-left text-sm">
        <thead className="bg-slate-50 text-xs text-slate-500">
          <tr>
            <th className="px-3 py-1">#</th>
            <th>Customer</th>
            <th>First order</th>
            <th>Largest order</th>
          </tr>
        </thead>
        <tbody>
          {flink.data.winners.map((w) => (
            <tr key={w.customer_id} className="border-t border-slate-100">
              <td className="px-3 py-1">{w.rank}</td>
              <td>
                {w.customer_name} <span className="font-mono text-xs text-slate-500">{w.customer_id}</span>
              </td>
              <td>{formatInstant(w.first_order_at)}</td>
              <td>{formatSgd(w.max_order_amount)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
