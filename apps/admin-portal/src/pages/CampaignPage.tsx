import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, authorizedLink } from "../api/client.ts";
import { may } from "../api/session.ts";
import { StatCard } from "../components/StatCard.tsx";
import { ErrorState, Loading } from "../components/States.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { formatInstant, formatSgd } from "../lib/format.ts";
import { AuditTable } from "./campaign/AuditTable.tsx";
import { CampaignForm } from "./campaign/CampaignForm.tsx";
import { EngineAuditPanel } from "./campaign/EngineAuditPanel.tsx";
import { EngineStandingsPanel } from "./campaign/EngineStandingsPanel.tsx";
import { Countdown } from "./campaign/Countdown.tsx";
import { FinalityStatus } from "./campaign/FinalityStatus.tsx";
import { useAudit, useCampaign, useLiveStandings, useStandings } from "./campaign/queries.ts";
import { WinnersTable } from "./campaign/WinnersTable.tsx";

export function CampaignPage() {
  const campaign = useCampaign();
  const live = useLiveStandings();
  const exists = Boolean(campaign.data);
  const standings = useStandings(exists);
  const audit = useAudit(exists);
  const [editing, setEditing] = useState(false);
  const [showAudit, setShowAudit] = useState(false);
  const client = useQueryClient();
  const close = useMutation({
    // The server ends the window at its database's now(): this browser's clock plays no part.
    mutationFn: (id: number) => api(`/api/admin/v1/campaigns/iphones/${id}/close`, { method: "POST" }),
    onSuccess: () => client.invalidateQueries({ queryKey: ["campaign"] }),
  });

  if (campaign.isPending) return <Loading />;
  if (campaign.isError) return <ErrorState error={campaign.error} onRetry={() => campaign.refetch()} />;
  const c = campaign.data;
  // A viewer reads; changing the sale takes an operator (the server refuses it otherwise).
  const canChange = may("operator");
  const canCreate = canChange && (!c || c.status === "FINAL");

  return (
    <div className="space-y-6">
      <section className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div>
            <h1 className="text-lg font-semibold">{c ? c.name : "iPhone campaign"}</h1>
            {c && (
              <p className="text-sm text-slate-600">
                <StatusBadge status={c.status} /> {formatInstant(c.start_time)} → {formatInstant(c.end_time)} · <Countdown campaign={c} />
              </p>
            )}
            {c && <p className="mt-1 max-w-2xl text-sm text-slate-600">{c.description}</p>}
            {c && <FinalityStatus campaign={c} />}
            {close.isError && <p className="mt-1 text-sm text-red-700">Could not close the window: {close.error.message}</p>}
          </div>
          <div className="flex gap-2">
            {canChange && c && c.status !== "FINAL" && !editing && (
              <button type="button" onClick={() => setEditing(true)} className="rounded border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100">
                Edit campaign
              </button>
            )}
            {canChange && c && c.status === "ACTIVE" && !editing && (
              <button
                type="button"
                onClick={() => {
                  if (window.confirm("Close the sale window now? Orders placed from now on no longer count.")) close.mutate(c.id);
                }}
                className="rounded border border-amber-400 px-3 py-1.5 text-sm text-amber-800 hover:bg-amber-50"
              >
                Close window now
              </button>
            )}
            {canCreate && !editing && (
              <button type="button" onClick={() => setEditing(true)} className="rounded bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700">
                New campaign
              </button>
            )}
          </div>
        </div>
        {editing && (
          <div className="mt-4 border-t border-slate-200 pt-4">
            <CampaignForm campaign={canCreate ? null : (c ?? null)} onDone={() => setEditing(false)} />
          </div>
        )}
      </section>

      {c && (
        <>
          <div className="grid gap-4 sm:grid-cols-3">
            <StatCard label="iPhones" value={c.inventory.total} testId="inventory-total" hint={`Minimum order above ${formatSgd(c.policy.min_order_amount)}`} />
            <StatCard label="Winners so far" value={c.inventory.awarded} testId="inventory-awarded" hint={`Among the first ${c.policy.max_tracked_orders} customers`} />
            <StatCard label="iPhones left" value={c.inventory.remaining} testId="inventory-remaining" />
          </div>

          <section className="rounded-lg border border-slate-200 bg-white shadow-sm">
            <div className="flex flex-wrap items-center justify-between gap-2 p-3">
              <h2 className="font-semibold">
                Winners {standings.data && <StatusBadge status={standings.data.state} />}
              </h2>
              <span className={`text-xs ${live ? "text-emerald-700" : "text-slate-500"}`} data-testid="live-indicator">
                {live ? "● live" : "○ reconnecting…"}
              </span>
            </div>
            {standings.isPending ? <Loading /> : standings.isError ? <ErrorState error={standings.error} /> : <WinnersTable standings={standings.data} />}
          </section>

          <EngineStandingsPanel campaignId={c.id} ours={standings.data} />

          <section className="rounded-lg border border-slate-200 bg-white shadow-sm">
            <div className="flex items-center justify-between p-3">
              <button type="button" onClick={() => setShowAudit(!showAudit)} aria-expanded={showAudit} className="font-semibold">
                {showAudit ? "▾" : "▸"} Audit: tracked customers and why each did or did not win
              </button>
              <a href={authorizedLink("/api/admin/v1/campaigns/iphones/audit.csv", {})} download className="rounded border border-slate-300 px-3 py-1 text-sm hover:bg-slate-100">
                Audit CSV
              </a>
            </div>
            {showAudit && (audit.isPending ? <Loading /> : audit.isError ? <ErrorState error={audit.error} /> : <AuditTable audit={audit.data} />)}
          </section>

          {c.status === "FINAL" && <EngineAuditPanel campaignId={c.id} />}
        </>
      )}
    </div>
  );
}
