import { ACTIVITY_ACTIONS, type ActivityEntry } from "@spgroup/contracts";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api, authorizedLink } from "../api/client.ts";
import { ErrorState, Loading } from "../components/States.tsx";
import { formatInstant } from "../lib/format.ts";

/** Each service keeps the activity of its own changes; the page shows them as one log. */
const SOURCES = ["/api/admin/v1/campaigns/activity", "/api/admin/v1/ops/activity", "/api/admin/v1/payments/activity"] as const;
const SOURCE_NAMES = { "/api/admin/v1/campaigns/activity": "campaigns", "/api/admin/v1/ops/activity": "operators, dead letters", "/api/admin/v1/payments/activity": "refunds" } as const;

/** What changed between two records, field by field (nested objects compared as JSON). */
function changes(before: Record<string, unknown> | null, after: Record<string, unknown> | null): [string, string, string][] {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  return keys.flatMap((key) => {
    const a = before ? JSON.stringify(before[key]) : undefined;
    const b = after ? JSON.stringify(after[key]) : undefined;
    return a === b ? [] : [[key, a ?? "—", b ?? "—"] as [string, string, string]];
  });
}

/** Who changed what and when, with the record before and after; filters; CSV per service. */
export function ActivityPage() {
  const [actor, setActor] = useState("");
  const [action, setAction] = useState("");
  const params = new URLSearchParams({ ...(actor ? { actor } : {}), ...(action ? { action } : {}) }).toString();
  const log = useQuery({
    queryKey: ["activity", params],
    queryFn: async () => {
      const parts = await Promise.all(SOURCES.map(async (path) => (await api<{ data: ActivityEntry[] }>(`${path}${params ? `?${params}` : ""}`)).data));
      return parts.flat().sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
    },
  });
  return (
    <div className="space-y-4">
      <section className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
        <h1 className="text-lg font-semibold">Activity</h1>
        <p className="mt-1 text-sm text-slate-600">Every change an operator made: campaigns, finality holes, audits, operators, refunds, dead letters; recorded in the same transaction as the change.</p>
        <div className="mt-3 flex flex-wrap items-end gap-3">
          <label className="text-sm">
            Operator
            <input name="actor" value={actor} onChange={(e) => setActor(e.target.value.trim())} className="mt-1 block rounded border border-slate-300 px-2 py-1" />
          </label>
          <label className="text-sm">
            Action
            <select name="action" value={action} onChange={(e) => setAction(e.target.value)} className="mt-1 block rounded border border-slate-300 px-2 py-1">
              <option value="">any</option>
              {ACTIVITY_ACTIONS.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </label>
          {SOURCES.map((path) => (
            <a key={path} href={authorizedLink(`${path}.csv`, Object.fromEntries(new URLSearchParams(params)))} download className="rounded border border-slate-300 px-3 py-1 text-sm hover:bg-slate-100">
              CSV ({SOURCE_NAMES[path]})
            </a>
          ))}
        </div>
      </section>
      <section className="rounded-lg border border-slate-200 bg-white shadow-sm">
        {log.isPending ? (
          <Loading />
        ) : log.isError ? (
          <ErrorState error={log.error} />
        ) : (
          <table className="w-full text-left text-sm" data-testid="activity">
            <thead className="bg-slate-50 text-xs text-slate-500">
              <tr>
                <th className="px-3 py-2">When</th>
                <th>Who</th>
                <th>What</th>
                <th>Target</th>
                <th>Changes (before → after)</th>
              </tr>
            </thead>
            <tbody>
              {log.data.map((e) => (
                <tr key={`${e.action}-${e.id}-${e.at}`} className="border-t border-slate-100 align-top">
                  <td className="px-3 py-2 whitespace-nowrap">{formatInstant(e.at)}</td>
                  <td>
                    {e.actor} <span className="text-xs text-slate-500">{e.role}</span>
                  </td>
                  <td className="font-mono text-xs">{e.action}</td>
                  <td>{e.target}</td>
                  <td className="text-xs">
                    {changes(e.before, e.after).map(([key, a, b]) => (
                      <div key={key}>
                        <span className="font-semibold">{key}</span>: <span className="text-red-700">{a}</span> → <span className="text-emerald-700">{b}</span>
                      </div>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
