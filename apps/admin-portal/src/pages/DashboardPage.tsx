import type { OrderStats, PaymentStats, ShardList } from "@spgroup/contracts";
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api } from "../api/client.ts";
import { BarChart } from "../components/BarChart.tsx";
import { StatCard } from "../components/StatCard.tsx";
import { ErrorState, Loading } from "../components/States.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { Countdown } from "./campaign/Countdown.tsx";
import { useCampaign, useLiveStandings, useStandings } from "./campaign/queries.ts";

const REFRESH = { refetchInterval: 5_000 };

/** Fills the minutes with no orders, so the chart's x axis is the last hour. */
function lastHour(perMinute: OrderStats["per_minute"]) {
  const byMinute = new Map(perMinute.map((m) => [new Date(m.minute).getTime(), m]));
  const start = Math.floor(Date.now() / 60_000) * 60_000 - 59 * 60_000;
  return Array.from({ length: 60 }, (_, i) => {
    const t = start + i * 60_000;
    const m = byMinute.get(t);
    return {
      label: new Date(t).toLocaleTimeString("en-SG", { hour: "2-digit", minute: "2-digit" }),
      parts: [
        { name: "success", value: m?.success ?? 0, className: "fill-emerald-500" },
        { name: "failed", value: m?.failed ?? 0, className: "fill-red-400" },
        { name: "in progress", value: m?.open ?? 0, className: "fill-amber-400" },
      ],
    };
  });
}

export function DashboardPage() {
  const orders = useQuery({ queryKey: ["stats", "orders"], queryFn: async () => (await api<{ data: OrderStats }>("/api/admin/v1/orders/stats")).data, ...REFRESH });
  const payments = useQuery({ queryKey: ["stats", "payments"], queryFn: async () => (await api<{ data: PaymentStats }>("/api/admin/v1/payments/stats")).data, ...REFRESH });
  const lag = useQuery({ queryKey: ["stats", "lag"], queryFn: async () => (await api<{ data: Record<string, number | null> }>("/ops/lag")).data, ...REFRESH });
  const orderShards = useQuery({ queryKey: ["shards", "orders"], queryFn: async () => (await api<{ data: ShardList }>("/api/admin/v1/ops/shards")).data, ...REFRESH });
  const paymentShards = useQuery({ queryKey: ["shards", "payments"], queryFn: async () => (await api<{ data: ShardList }>("/api/admin/v1/payments/shards")).data, ...REFRESH });
  const campaign = useCampaign();
  useLiveStandings();
  const standings = useStandings(Boolean(campaign.data));

  if (orders.isPending) return <Loading />;
  if (orders.isError) return <ErrorState error={orders.error} onRetry={() => orders.refetch()} />;
  const lastMinute = orders.data.per_minute.at(-1);
  const rate = payments.data?.approval_rate;
  return (
    <div className="space-y-6">
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <StatCard label="Successful orders" value={orders.data.totals.SUCCESS.toLocaleString()} testId="success-count" />
        <StatCard label="Failed orders" value={orders.data.totals.FAILED.toLocaleString()} />
        <StatCard label="Payment approval" value={rate === null || rate === undefined ? "—" : `${(rate * 100).toFixed(1)}%`} />
        <StatCard
          label="Consumer lag"
          value={lag.data ? Object.values(lag.data).reduce<number>((sum, v) => sum + (v ?? 0), 0).toLocaleString() : "—"}
          hint={lag.data ? Object.entries(lag.data).map(([s, v]) => `${s}: ${v ?? "n/a"}`).join(" · ") : undefined}
        />
      </div>
      <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
        <div className="flex items-center justify-between">
          <h2 className="font-semibold">Orders per minute, last hour</h2>
          <span className="text-sm text-slate-500">this minute: {lastMinute ? lastMinute.success + lastMinute.failed + lastMinute.open : 0}</span>
        </div>
        <BarChart title="Orders per minute over the last hour" bars={lastHour(orders.data.per_minute)} />
        <p className="text-xs text-slate-500">
          <span className="text-emerald-600">■</span> success <span className="text-red-500">■</span> failed <span className="text-amber-500">■</span> in progress
        </p>
      </section>
      <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" data-testid="databases">
        <h2 className="font-semibold">Databases</h2>
        <p className="text-xs text-slate-500">Customers are sharded by id over these; each shard has its own outbox and, for orders, its own watermark.</p>
        <table className="mt-2 w-full text-left text-sm">
          <thead className="text-xs uppercase text-slate-500">
            <tr>
              <th className="py-1">database</th>
              <th>logical shards</th>
              <th className="text-right">rows</th>
              <th className="text-right">outbox backlog</th>
              <th>watermark</th>
            </tr>
          </thead>
          <tbody>
            {[orderShards.data, paymentShards.data].flatMap((list) =>
              (list?.shards ?? []).map((shard) => (
                <tr key={shard.database} className="border-t border-slate-100">
                  <td className="py-1 font-mono">
                    {shard.database} {!shard.reachable && <span className="text-red-600">unreachable</span>}
                  </td>
                  <td className="font-mono text-xs">{shard.logical_shards.join(", ")}</td>
                  <td className="text-right">
                    {shard.rows.toLocaleString()} {list?.table}
                  </td>
                  <td className="text-right">{shard.outbox_backlog.toLocaleString()}</td>
                  <td className="font-mono text-xs">{shard.watermark === undefined ? "" : (shard.watermark ?? "none yet")}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      </section>
      <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
        <div className="flex items-center justify-between">
          <h2 className="font-semibold">Campaign</h2>
          <Link to="/campaign" className="text-sm text-indigo-700 hover:underline">
            Manage →
          </Link>
        </div>
        {campaign.data ? (
          <div className="mt-2 space-y-1 text-sm">
            <p>
              {campaign.data.name} <StatusBadge status={campaign.data.status} /> · <Countdown campaign={campaign.data} />
            </p>
            <p>
              {campaign.data.inventory.awarded} of {campaign.data.inventory.total} iPhones awarded
              {standings.data && <> ({standings.data.state.toLowerCase()})</>}; leading: {standings.data?.winners.slice(0, 3).map((w) => w.customer_name).join(", ") || "nobody yet"}
            </p>
          </div>
        ) : (
          <p className="mt-2 text-sm text-slate-500">No campaign yet.</p>
        )}
      </section>
    </div>
  );
}
