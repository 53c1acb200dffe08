import type { AwaitingPayment } from "@spgroup/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router";
import { api, withQuery } from "../api/client.ts";
import { may } from "../api/session.ts";
import { Empty, ErrorState, Loading } from "../components/States.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { formatPreciseInstant, formatSgd } from "../lib/format.ts";
import { WAIT_TEXT } from "./campaign/FinalityStatus.tsx";
import { useCampaign } from "./campaign/queries.ts";

/** The order service's "I exist" watermark, before every window (services/order/src/app/publish-watermark.ts). */
const PRESENCE_YEAR = "1970-01-01";

/** How long before the window's end a watermark is, for a person. */
function behindText(ms: number | null, watermark: string | null): string {
  if (watermark?.startsWith(PRESENCE_YEAR)) return "presence only: this database publishes no real watermark (it holds no logical shard, or its role cannot see every session)";
  if (ms === null) return "no watermark yet";
  if (ms < 1_000) return `${ms} ms before the end`;
  if (ms < 120_000) return `${(ms / 1_000).toFixed(1)} s before the end`;
  return `${Math.round(ms / 60_000)} min before the end`;
}

/**
 * Why the campaign is not FINAL yet, live: for each order database (shard) and partition of
 * orders.completed still behind the window's end, its watermark and how far behind; what holds
 * that database's watermark (its oldest order awaiting payment created in the window, or an open
 * transaction); and the dead letters that leave a hole in the history.
 */
export function FinalityPage() {
  // The campaign refreshes as often as what holds it, so the watermarks move on screen.
  const campaign = useCampaign(2_000);
  const c = campaign.data;
  const client = useQueryClient();
  const resolve = useMutation({
    mutationFn: ({ id, reason }: { id: number; reason: string }) => api(`/api/admin/v1/campaigns/finality-holes/${id}/resolve`, { method: "POST", body: JSON.stringify({ reason }) }),
    onSettled: () => client.invalidateQueries({ queryKey: ["campaign"] }),
  });
  const waiting = Boolean(c && c.status !== "FINAL" && c.status !== "SCHEDULED");
  const holders = useQuery({
    queryKey: ["finality", "holders", c?.end_time],
    enabled: waiting,
    refetchInterval: 2_000,
    queryFn: async () => (await api<{ data: AwaitingPayment }>(withQuery("/api/admin/v1/ops/awaiting-payment", { created_before: c?.end_time, limit: 5 }))).data,
  });

  if (campaign.isPending) return <Loading />;
  if (campaign.isError) return <ErrorState error={campaign.error} onRetry={() => campaign.refetch()} />;
  if (!c) return <Empty>No campaign yet.</Empty>;
  const { finality } = c;
  const lagging = finality.watermarks.lagging;
  const sources = [...new Set(lagging.map((l) => l.source))];

  return (
    <div className="space-y-6">
      <section className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
        <h1 className="text-lg font-semibold">Why not FINAL yet</h1>
        <p className="mt-1 text-sm text-slate-600">
          <StatusBadge status={c.status} /> {c.name}: the window ends {formatPreciseInstant(c.end_time)}. Winners become FINAL once every order database has a
          watermark past the end on every partition of orders.completed (no order of the window can still change) and no dead letter leaves a hole in the window.
        </p>
        {c.status === "FINAL" ? (
          <p className="mt-3 text-sm font-medium text-emerald-700" data-testid="finality-final">
            FINAL since {formatPreciseInstant(c.finalized_at ?? c.updated_at)}: nothing is waited for.
          </p>
        ) : (
          <ul className="mt-3 list-disc pl-5 text-sm" data-testid="finality-waits">
            {finality.waiting_for.map((w) => (
              <li key={w}>{WAIT_TEXT[w]}</li>
            ))}
          </ul>
        )}
        <p className="mt-2 text-xs text-slate-500">
          {finality.watermarks.past_end} of {finality.watermarks.required} (order database, partition) pairs past the end · refreshed every 2 s
        </p>
      </section>

      {waiting && sources.length > 0 && (
        <section className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm" data-testid="finality-sources">
          <h2 className="font-semibold">Watermarks behind the end</h2>
          {sources.map((source) => {
            const shard = holders.data?.shards.find((s) => s.database === source);
            const oldestOrder = shard?.orders[0];
            // Whichever is older holds the watermark: the oldest order awaiting payment, or an open transaction.
            const transactionFirst = Boolean(shard?.open_transaction_since && (!oldestOrder || shard.open_transaction_since < oldestOrder.created_at));
            const oldest = transactionFirst ? undefined : oldestOrder;
            return (
              <div key={source} className="mt-4" data-testid={`finality-source-${source}`}>
                <h3 className="font-mono text-sm font-semibold">{source}</h3>
                <div className="mt-1 rounded border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900" data-testid="finality-holder">
                  {holders.isPending ? (
                    "Asking the order service what holds it…"
                  ) : holders.isError ? (
                    `The order service did not say what holds it: ${holders.error.message}`
                  ) : !shard ? (
                    "This database is not one the order service serves (a retired shard?): see docs/scaling.md."
                  ) : !shard.reachable ? (
                    "The order service cannot reach this database: its watermark cannot move until it answers."
                  ) : oldest ? (
                    <>
                      Held by order{" "}
                      <Link className="font-mono underline" to={`/orders?order_id=${oldest.id}`}>
                        {oldest.id}
                      </Link>{" "}
                      ({oldest.status}, customer {oldest.customer_id}, {formatSgd(oldest.total_amount)}), created {formatPreciseInstant(oldest.created_at)}: it awaits its payment's
                      result{oldest.overdue ? " and is past the payment timeout (see Money at risk)" : ""}. {shard.total > 1 ? `${shard.total - 1} more order(s) of the window await payment here.` : ""}
                    </>
                  ) : transactionFirst && shard.open_transaction_since ? (
                    <>
                      A transaction open since {formatPreciseInstant(shard.open_transaction_since)} holds it (an order it inserts would be older than the watermark)
                      {oldestOrder ? `; then order ${oldestOrder.id}, awaiting payment since ${formatPreciseInstant(oldestOrder.created_at)}` : ""}.
                    </>
                  ) : (
                    <>Nothing of the window awaits payment here: the next watermark (last: {shard.watermark ? formatPreciseInstant(shard.watermark) : "none yet"}) should pass the end within seconds.</>
                  )}
                </div>
                <table className="mt-2 w-full text-left text-sm">
                  <thead className="bg-slate-50 text-xs text-slate-500">
                    <tr>
                      <th className="px-3 py-1">Partition</th>
                      <th>Watermark</th>
                      <th>Behind</th>
                    </tr>
                  </thead>
                  <tbody>
                    {lagging
                      .filter((l) => l.source === source)
                      .map((l) => (
                        <tr key={l.partition} className="border-t border-slate-100">
                          <td className="px-3 py-1 font-mono">{l.partition}</td>
                          <td className="font-mono text-xs">{l.watermark ? formatPreciseInstant(l.watermark) : "—"}</td>
                          <td>{behindText(l.behind_ms, l.watermark)}</td>
                        </tr>
                      ))}
                  </tbody>
                </table>
              </div>
            );
          })}
        </section>
      )}

      {finality.holes.length > 0 && (
        <section className="rounded-lg border border-red-300 bg-red-50 p-5 text-sm text-red-900 shadow-sm" data-testid="finality-holes">
          <h2 className="font-semibold">Dead letters that leave a hole in the window</h2>
          <ul className="mt-2 space-y-1 text-xs">
            {finality.holes.map((h) => (
              <li key={h.id} className="flex flex-wrap items-center gap-2">
                <span className="font-mono">
                  {h.topic}[{h.partition}]@{h.offset} order {h.order_id ?? "unknown"}: {h.errors[0] ?? h.reason}
                </span>
                {may("operator") && (
                  <button
                    type="button"
                    disabled={resolve.isPending}
                    className="rounded border border-red-300 px-2 py-0.5 hover:bg-red-100"
                    onClick={() => {
                      const reason = window.prompt("Why can this message change no campaign? (kept with it)");
                      if (reason && reason.trim().length >= 3) resolve.mutate({ id: h.id, reason: reason.trim() });
                    }}
                  >
                    Resolve with a reason
                  </button>
                )}
              </li>
            ))}
          </ul>
          {resolve.isError && <p className="mt-1">Not resolved: {resolve.error.message}</p>}
          <p className="mt-2">
            Once its cause is fixed,{" "}
            <Link to="/dead-letters" className="underline">
              replay it on the Dead letters page
            </Link>{" "}
            (its hole closes when the replay is applied); discarding a dead letter there does not close the hole: resolve it here with a reason.
          </p>
        </section>
      )}
    </div>
  );
}
