import type { AwaitingPayment, RefundRequestView, RefundTotals } from "@spgroup/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router";
import { api } from "../api/client.ts";
import { may } from "../api/session.ts";
import { Empty, ErrorState, Loading } from "../components/States.tsx";
import { formatInstant, formatSgd } from "../lib/format.ts";

const REFUNDS_KEY = ["money-at-risk", "refunds"] as const;

function RefundTable({ rows, action }: { rows: RefundRequestView[]; action?: (row: RefundRequestView) => React.ReactNode }) {
  return (
    <table className="w-full text-left text-sm">
      <thead className="bg-slate-50 text-xs text-slate-500">
        <tr>
          <th className="px-3 py-2">Payment</th>
          <th>Order</th>
          <th>Customer</th>
          <th>Charged</th>
          <th>Asked</th>
          <th>State</th>
          <th>Attempts · last error</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.payment_id} className="border-t border-slate-100 align-top" data-testid={`refund-${r.payment_id}`}>
            <td className="px-3 py-2 font-mono text-xs">
              <Link className="underline" to={`/payments?order_id=${r.order_id}`}>
                {r.payment_id}
              </Link>
            </td>
            <td className="font-mono text-xs">
              <Link className="underline" to={`/orders?order_id=${r.order_id}`}>
                {r.order_id}
              </Link>
            </td>
            <td>{r.customer_id}</td>
            <td>{formatSgd(r.total_amount)}</td>
            <td className="whitespace-nowrap">{formatInstant(r.requested_at)}</td>
            <td data-testid="refund-state">
              {r.payment_status === "REFUNDED" ? (
                <span className="text-emerald-700">refunded {formatInstant(r.refunded_at)}</span>
              ) : r.settled_at ? (
                <span>settled, nothing to refund ({r.payment_status})</span>
              ) : (
                <span className="text-red-700">still charged · next try {formatInstant(r.next_attempt_at)}</span>
              )}
            </td>
            <td className="text-xs">
              {r.attempts} {r.last_error ? `· ${r.last_error}` : ""}
            </td>
            <td className="pr-3">{action?.(r)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * Money at risk: customers charged for an order that had FAILED (the payment timeout won the race)
 * and not refunded yet, with "Refund now"; refunds made recently; and orders stuck awaiting payment
 * past the timeout (the sweep should have failed them: is it running?).
 */
export function MoneyAtRiskPage() {
  const client = useQueryClient();
  const pending = useQuery({ queryKey: [...REFUNDS_KEY, "pending"], refetchInterval: 5_000, queryFn: async () => (await api<{ data: RefundRequestView[] }>("/api/admin/v1/payments/refund-requests?limit=1000")).data });
  const settled = useQuery({
    queryKey: [...REFUNDS_KEY, "settled"],
    refetchInterval: 5_000,
    queryFn: async () => (await api<{ data: RefundRequestView[] }>("/api/admin/v1/payments/refund-requests?state=settled&limit=20")).data,
  });
  const stuck = useQuery({
    queryKey: ["money-at-risk", "stuck"],
    refetchInterval: 5_000,
    queryFn: async () => (await api<{ data: AwaitingPayment }>("/api/admin/v1/ops/awaiting-payment?overdue=true&limit=50")).data,
  });
  const refund = useMutation({
    mutationFn: (paymentId: string) => api<{ data: RefundRequestView }>(`/api/admin/v1/payments/refund-requests/${encodeURIComponent(paymentId)}/refund`, { method: "POST" }),
    onSettled: () => client.invalidateQueries({ queryKey: REFUNDS_KEY }),
  });
  const canAct = may("operator");
  const totals = useQuery({
    queryKey: [...REFUNDS_KEY, "totals"],
    refetchInterval: 5_000,
    queryFn: async () => (await api<{ data: RefundTotals }>("/api/admin/v1/payments/refund-requests/totals")).data,
  });
  const stuckRows = stuck.data?.shards.flatMap((s) => s.orders.map((o) => ({ ...o, database: s.database }))) ?? [];

  return (
    <div className="space-y-6">
      <section className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
        <h1 className="text-lg font-semibold">Money at risk</h1>
        <p className="mt-1 text-sm text-slate-600">
          A payment that succeeds after its order FAILED is refunded automatically (retried with back-off while the gateway refuses). Until then the customer is charged for
          nothing: it is listed here, and an operator can refund it now.
        </p>
        <p className="mt-3 text-2xl font-semibold" data-testid="money-at-risk-total">
          {totals.data ? formatSgd(totals.data.amount) : "…"}{" "}
          <span className="text-sm font-normal text-slate-500">
            charged for FAILED orders, not refunded yet{totals.data ? ` (${totals.data.count} customer${totals.data.count === 1 ? "" : "s"})` : ""}
            {totals.data && pending.data && totals.data.count > pending.data.length ? `; the ${pending.data.length} charged longest are listed` : ""}
          </span>
        </p>
        {refund.isError && <p className="mt-2 text-sm text-red-700">Refund not made: {refund.error.message}</p>}
      </section>

      <section className="rounded-lg border border-slate-200 bg-white shadow-sm" data-testid="pending-refunds">
        <h2 className="px-5 pt-4 font-semibold">Charged for a FAILED order, not refunded</h2>
        {pending.isPending ? (
          <Loading />
        ) : pending.isError ? (
          <ErrorState error={pending.error} onRetry={() => pending.refetch()} />
        ) : pending.data.length === 0 ? (
          <Empty>Nobody is charged for a FAILED order.</Empty>
        ) : (
          <RefundTable
            rows={pending.data}
            action={(r) =>
              canAct && (
                <button
                  type="button"
                  disabled={refund.isPending}
                  onClick={() => refund.mutate(r.payment_id)}
                  className="rounded bg-indigo-600 px-2 py-1 text-xs font-medium text-white hover:bg-indigo-700 disabled:opacity-50"
                >
                  Refund now
                </button>
              )
            }
          />
        )}
      </section>

      <section className="rounded-lg border border-slate-200 bg-white shadow-sm" data-testid="stuck-orders">
        <h2 className="px-5 pt-4 font-semibold">Orders awaiting payment past the timeout{stuck.data ? ` (${Math.round(stuck.data.payment_timeout_ms / 1000)} s)` : ""}</h2>
        {stuck.isPending ? (
          <Loading />
        ) : stuck.isError ? (
          <ErrorState error={stuck.error} onRetry={() => stuck.refetch()} />
        ) : stuckRows.length === 0 ? (
          <Empty>None: the payment-timeout sweep keeps up.</Empty>
        ) : (
          <table className="w-full text-left text-sm">
            <thead className="bg-slate-50 text-xs text-slate-500">
              <tr>
                <th className="px-3 py-2">Order</th>
                <th>Database</th>
                <th>Status</th>
                <th>Customer</th>
                <th>Amount</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {stuckRows.map((o) => (
                <tr key={o.id} className="border-t border-slate-100">
                  <td className="px-3 py-2 font-mono text-xs">{o.id}</td>
                  <td className="font-mono text-xs">{o.database}</td>
                  <td>{o.status}</td>
                  <td>{o.customer_id}</td>
                  <td>{formatSgd(o.total_amount)}</td>
                  <td>{formatInstant(o.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="rounded-lg border border-slate-200 bg-white shadow-sm" data-testid="settled-refunds">
        <h2 className="px-5 pt-4 font-semibold">Refunds settled recently</h2>
        {settled.isPending ? <Loading /> : settled.isError ? <ErrorState error={settled.error} /> : settled.data.length === 0 ? <Empty>None yet.</Empty> : <RefundTable rows={settled.data} />}
      </section>
    </div>
  );
}
