import type { Audit, CampaignSummary, Standings } from "@spgroup/contracts";
import { useQuery } from "@tanstack/react-query";
import { useSearchParams } from "react-router";
import { api, authorizedLink } from "../api/client.ts";
import { Empty, ErrorState, Loading } from "../components/States.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { formatInstant } from "../lib/format.ts";
import { AuditTable } from "./campaign/AuditTable.tsx";
import { EngineAuditPanel } from "./campaign/EngineAuditPanel.tsx";
import { WinnersTable } from "./campaign/WinnersTable.tsx";

/** One campaign of the history: its winners (FINAL ones once FINAL), the independent audits and the rule's audit with CSV. */
function CampaignRecord({ id }: { id: number }) {
  const standings = useQuery({ queryKey: ["history", id, "winners"], queryFn: async () => (await api<{ data: Standings }>(`/api/admin/v1/campaigns/iphones/winners?campaign_id=${id}`)).data });
  const audit = useQuery({ queryKey: ["history", id, "audit"], queryFn: async () => (await api<{ data: Audit }>(`/api/admin/v1/campaigns/iphones/audit?campaign_id=${id}`)).data });
  return (
    <div className="space-y-4" data-testid="history-record">
      <section className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
        <div className="flex items-center justify-between">
          <h2 className="font-semibold">
            Winners of campaign {id} {standings.data && <span className="text-sm font-normal text-slate-500">({standings.data.state})</span>}
          </h2>
          <a href={authorizedLink("/api/admin/v1/campaigns/iphones/audit.csv", { campaign_id: id })} download className="rounded border border-slate-300 px-3 py-1 text-sm hover:bg-slate-100">
            Audit CSV
          </a>
        </div>
        <div className="mt-3 overflow-x-auto">
          {standings.isPending ? <Loading /> : standings.isError ? <ErrorState error={standings.error} /> : <WinnersTable standings={standings.data} />}
        </div>
      </section>
      <EngineAuditPanel campaignId={id} />
      <section className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
        <h2 className="font-semibold">Every tracked customer, and why they won or did not</h2>
        <div className="mt-3 overflow-x-auto">{audit.isPending ? <Loading /> : audit.isError ? <ErrorState error={audit.error} /> : <AuditTable audit={audit.data} />}</div>
      </section>
    </div>
  );
}

/** Every campaign, newest first, with its outcome; one opened shows its FINAL winners, audits and CSV. */
export function HistoryPage() {
  const [params, setParams] = useSearchParams();
  const selected = Number(params.get("campaign_id")) || undefined;
  const history = useQuery({ queryKey: ["history"], queryFn: async () => (await api<{ data: CampaignSummary[] }>("/api/admin/v1/campaigns/iphones/history")).data });
  return (
    <div className="space-y-6">
      <section className="rounded-lg border border-slate-200 bg-white shadow-sm">
        <h1 className="px-5 pt-4 text-lg font-semibold">Campaign history</h1>
        <p className="px-5 text-sm text-slate-600">Every iPhone campaign, newest first. A FINAL list never changes; the audit column is the latest independent engine's verdict on it.</p>
        {history.isPending ? (
          <Loading />
        ) : history.isError ? (
          <ErrorState error={history.error} onRetry={() => history.refetch()} />
        ) : history.data.length === 0 ? (
          <Empty>No campaign yet.</Empty>
        ) : (
          <table className="mt-3 w-full text-left text-sm" data-testid="history">
            <thead className="bg-slate-50 text-xs text-slate-500">
              <tr>
                <th className="px-3 py-2">#</th>
                <th>Name</th>
                <th>Window</th>
                <th>Status</th>
                <th>Rule</th>
                <th>Winners</th>
                <th>Independent audit</th>
              </tr>
            </thead>
            <tbody>
              {history.data.map((c) => (
                <tr
                  key={c.id}
                  onClick={() => setParams({ campaign_id: String(c.id) })}
                  className={`cursor-pointer border-t border-slate-100 hover:bg-indigo-50 ${selected === c.id ? "bg-indigo-50" : ""}`}
                >
                  <td className="px-3 py-2 font-mono">{c.id}</td>
                  <td>{c.name}</td>
                  <td className="whitespace-nowrap text-xs">
                    {formatInstant(c.start_time)} → {formatInstant(c.end_time)}
                  </td>
                  <td>
                    <StatusBadge status={c.status} />
                  </td>
                  <td className="text-xs">
                    first {c.policy.max_tracked_orders} customers, &gt; SGD {c.policy.min_order_amount}, {c.policy.total_reward} iPhones
                  </td>
                  <td>{c.status === "FINAL" ? c.winners : "—"}</td>
                  <td className="text-xs" data-testid="history-audit">
                    {c.latest_audit ? (
                      <span className={c.latest_audit.equal ? "text-emerald-700" : "font-semibold text-red-700"}>
                        {c.latest_audit.equal ? "equal" : "DIFFERENCE"} ({c.latest_audit.engine}, {formatInstant(c.latest_audit.audited_at)})
                      </span>
                    ) : (
                      "not audited"
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {selected !== undefined && <CampaignRecord key={selected} id={selected} />}
    </div>
  );
}
