import type { SystemStatus } from "@spgroup/contracts";
import { useQuery } from "@tanstack/react-query";
import { api } from "../api/client.ts";
import { ErrorState, Loading } from "../components/States.tsx";

/** Where each service answers for itself (the portal routes these prefixes to it). */
const SERVICES = [
  ["order", "/api/admin/v1/ops/system"],
  ["payment", "/api/admin/v1/payments/system"],
  ["campaign", "/api/admin/v1/campaigns/system"],
] as const;

const megabytes = (bytes: number | null) => (bytes === null ? "—" : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

function ServiceCard({ name, path }: { name: string; path: string }) {
  const status = useQuery({ queryKey: ["system", name], refetchInterval: 5_000, queryFn: async () => (await api<{ data: SystemStatus }>(path)).data });
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm" data-testid={`system-${name}`}>
      <div className="flex flex-wrap items-center gap-3">
        <h2 className="font-semibold capitalize">{name} service</h2>
        {status.data && (
          <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${status.data.ready ? "bg-emerald-100 text-emerald-800" : "bg-red-100 text-red-800"}`} data-testid="system-ready">
            {status.data.ready ? "ready" : "NOT ready"}
          </span>
        )}
        {status.data && (
          <span className="text-xs text-slate-500">
            {status.data.instance} · up {Math.round(status.data.uptime_seconds / 60)} min ·{" "}
            {Object.entries(status.data.checks)
              .map(([check, ok]) => `${check} ${ok ? "ok" : "FAILING"}`)
              .join(", ")}
          </span>
        )}
      </div>
      {status.isPending ? (
        <Loading />
      ) : status.isError ? (
        <ErrorState error={status.error} onRetry={() => status.refetch()} />
      ) : (
        <div className="mt-3 grid gap-4 lg:grid-cols-2">
          <div>
            <h3 className="text-sm font-semibold">Databases</h3>
            <table className="mt-1 w-full text-left text-sm">
              <thead className="text-xs text-slate-500">
                <tr>
                  <th>Name</th>
                  <th>Size</th>
                  <th>Outbox backlog</th>
                </tr>
              </thead>
              <tbody>
                {status.data.databases.map((d) => (
                  <tr key={d.name} className="border-t border-slate-100">
                    <td className="font-mono text-xs">{d.name}</td>
                    <td>{d.reachable ? megabytes(d.size_bytes) : <span className="text-red-700">unreachable</span>}</td>
                    <td>{d.outbox_backlog ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <h3 className="mt-3 text-sm font-semibold">Kafka</h3>
            <p className="text-xs text-slate-600" data-testid="system-brokers">
              {status.data.kafka.error
                ? `not answering: ${status.data.kafka.error}`
                : `cluster ${status.data.kafka.cluster_id ?? "?"}, controller ${status.data.kafka.controller_id ?? "?"}; brokers ${status.data.kafka.brokers.map((b) => `${b.id} (${b.host}:${b.port})`).join(", ")}`}
            </p>
          </div>
          <div>
            <h3 className="text-sm font-semibold">Consumer lag{status.data.consumer ? ` (group ${status.data.consumer.group})` : ""}</h3>
            {!status.data.consumer ? (
              <p className="text-xs text-slate-500">This service consumes nothing.</p>
            ) : status.data.consumer.error ? (
              <p className="text-xs text-red-700">{status.data.consumer.error}</p>
            ) : (
              <table className="mt-1 w-full text-left text-sm" data-testid="system-lag">
                <thead className="text-xs text-slate-500">
                  <tr>
                    <th>Topic</th>
                    <th>Partition</th>
                    <th>End</th>
                    <th>Committed</th>
                    <th>Lag</th>
                  </tr>
                </thead>
                <tbody>
                  {status.data.consumer.partitions.map((p) => (
                    <tr key={`${p.topic}-${p.partition}`} className="border-t border-slate-100">
                      <td className="font-mono text-xs">{p.topic}</td>
                      <td>{p.partition}</td>
                      <td>{p.end}</td>
                      <td>{p.committed ?? "—"}</td>
                      <td className={p.lag > 1_000 ? "font-semibold text-red-700" : ""}>{p.lag}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        </div>
      )}
    </section>
  );
}

/** Each service's health as it reports it: readiness, consumer lag per partition, databases, Kafka. */
export function SystemPage() {
  return (
    <div className="space-y-6">
      <h1 className="text-lg font-semibold">System</h1>
      {SERVICES.map(([name, path]) => (
        <ServiceCard key={name} name={name} path={path} />
      ))}
    </div>
  );
}
