import type { EngineAudit } from "@spgroup/contracts";
import { ErrorState, Loading } from "../../components/States.tsx";
import { formatInstant } from "../../lib/format.ts";
import { useEngineAudits } from "./queries.ts";

/**
 * The independent audit of a FINAL campaign: Apache Flink's winners, computed from orders.completed
 * by the seed's rule (`npm run audit -- <id>`), compared row by row with the FINAL list.
 */
export function EngineAuditPanel({ campaignId }: { campaignId: number }) {
  const audits = useEngineAudits(campaignId);
  if (audits.isPending) return <Loading />;
  if (audits.isError) return <ErrorState error={audits.error} />;
  const latest: EngineAudit | undefined = audits.data[0];
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-3 shadow-sm" data-testid="engine-audit">
      <h2 className="font-semibold">Independent audit</h2>
      {!latest ? (
        <p className="mt-1 text-sm text-slate-600">
          Not audited yet. <code className="rounded bg-slate-100 px-1">npm run audit -- {campaignId}</code> has Apache Flink compute the winners from the order events and compare them with this list.
        </p>
      ) : (
        <div className="mt-1 space-y-2 text-sm">
          <p>
            <span
              className={`rounded px-2 py-0.5 text-xs font-semibold ${latest.equal ? "bg-emerald-100 text-emerald-800" : "bg-red-100 text-red-800"}`}
              data-testid="engine-audit-verdict"
            >
              {latest.equal ? "EQUAL" : `${latest.differences.length} DIFFERENCE${latest.differences.length === 1 ? "" : "S"}`}
            </span>{" "}
            {latest.engine}, {formatInstant(latest.audited_at)} by {latest.audited_by}: {latest.records_read.toLocaleString("en")} order events read in {latest.seconds} s
            {latest.unreadable_records > 0 && `, ${latest.unreadable_records} unreadable (not counted)`}.
          </p>
          {!latest.equal && (
            <table className="w-full text-left text-xs">
              <thead className="text-slate-500">
                <tr>
                  <th className="py-1">Rank</th>
                  <th>What differs</th>
                  <th>FINAL list</th>
                  <th>{latest.engine.split(" (")[0]}</th>
                </tr>
              </thead>
              <tbody>
                {latest.differences.map((d) => (
                  <tr key={`${d.rank}-${d.field}`} className="border-t border-slate-100">
                    <td className="py-1">{d.rank}</td>
                    <td>{d.field}</td>
                    <td className="font-mono">{d.final ?? "—"}</td>
                    <td className="font-mono">{d.engine ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {audits.data.length > 1 && (
            <p className="text-xs text-slate-500">
              {audits.data.length - 1} earlier audit(s) of this campaign kept
              {audits.data.slice(1).some((a) => !a.equal) && <strong className="text-red-700">; an earlier audit found differences</strong>}.
            </p>
          )}
        </div>
      )}
    </section>
  );
}
