import type { Audit, AuditReason, Order, Payment } from "@spgroup/contracts";
import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { ApiError, api } from "../api/client.ts";
import { Empty, ErrorState, Loading } from "../components/States.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { formatInstant, formatPreciseInstant, formatSgd } from "../lib/format.ts";

// Typed against the list, so a new reason cannot go unexplained.
const REASON_TEXT = {
  WINNER: "wins",
  AMOUNT_NOT_ABOVE_MINIMUM: "no successful order above the minimum amount",
  PRIZES_EXHAUSTED: "the iPhones went to customers ranked before her",
} satisfies Record<AuditReason, string>;

/** Her place in the current campaign: ranked among the tracked customers, or not tracked. */
function Standing({ customerId }: { customerId: string }) {
  const audit = useQuery({
    queryKey: ["customer", customerId, "standing"],
    // Her standing moves while the campaign is not FINAL.
    refetchInterval: 5_000,
    queryFn: async () => {
      try {
        return (await api<{ data: Audit }>(`/api/admin/v1/campaigns/iphones/audit?customer_id=${encodeURIComponent(customerId)}`)).data;
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    },
  });
  if (audit.isPending) return <Loading />;
  if (audit.isError) return <ErrorState error={audit.error} />;
  if (!audit.data) return <Empty>No campaign yet.</Empty>;
  const row = audit.data.tracked[0];
  return (
    <p className="text-sm" data-testid="customer-standing">
      {row ? (
        <>
          Rank {row.rank} of the first {audit.data.policy.max_tracked_orders} customers ({audit.data.state}): first successful order{" "}
          <span className="font-mono text-xs">{row.first_order_id}</span> at {formatPreciseInstant(row.first_order_at)}, largest {formatSgd(row.max_order_amount)} —{" "}
          <span className={row.winner ? "font-semibold text-emerald-700" : "text-slate-700"}>{row.winner ? "wins an iPhone" : `no iPhone: ${REASON_TEXT[row.reason]}`}</span>
        </>
      ) : (
        <>Not among the first {audit.data.policy.max_tracked_orders} customers with a successful order in campaign {audit.data.campaign_id}'s window.</>
      )}
    </p>
  );
}

/** One customer: her orders, her payments, and her standing in the current campaign. */
export function CustomerPage() {
  const [params, setParams] = useSearchParams();
  const customerId = params.get("customer_id") ?? "";
  const [typed, setTyped] = useState(customerId);
  const orders = useQuery({
    queryKey: ["customer", customerId, "orders"],
    enabled: customerId !== "",
    queryFn: async () => await api<{ data: Order[]; metadata: { total: number } }>(`/api/admin/v1/orders/search?customer_id=${encodeURIComponent(customerId)}&size=100`),
  });
  const payments = useQuery({
    queryKey: ["customer", customerId, "payments"],
    enabled: customerId !== "",
    queryFn: async () => await api<{ data: Payment[]; metadata: { total: number } }>(`/api/admin/v1/payments/search?customer_id=${encodeURIComponent(customerId)}&size=100`),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (typed.trim()) setParams({ customer_id: typed.trim() });
  };
  return (
    <div className="space-y-6">
      <section className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
        <h1 className="text-lg font-semibold">Customer</h1>
        <form onSubmit={submit} className="mt-3 flex items-end gap-3" aria-label="Find a customer">
          <label className="text-sm">
            Customer id
            <input name="customer_id" value={typed} onChange={(e) => setTyped(e.target.value)} className="mt-1 block rounded border border-slate-300 px-2 py-1" />
          </label>
          <button type="submit" className="rounded bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700">
            Show
          </button>
        </form>
        {customerId && (
          <div className="mt-4">
            <h2 className="font-semibold">Standing in the current campaign</h2>
            <Standing customerId={customerId} />
          </div>
        )}
      </section>
      {customerId && (
        <section className="rounded-lg border border-slate-200 bg-white shadow-sm" data-testid="customer-orders">
          <h2 className="px-5 pt-4 font-semibold">Orders {orders.data ? `(${orders.data.metadata.total})` : ""}</h2>
          {orders.isPending ? (
            <Loading />
          ) : orders.isError ? (
            <ErrorState error={orders.error} />
          ) : orders.data.data.length === 0 ? (
            <Empty>No orders.</Empty>
          ) : (
            <table className="w-full text-left text-sm">
              <thead className="bg-slate-50 text-xs text-slate-500">
                <tr>
                  <th className="px-3 py-2">Order</th>
                  <th>Amount</th>
                  <th>Status</th>
                  <th>Created</th>
                </tr>
              </thead>
              <tbody>
                {orders.data.data.map((o) => (
                  <tr key={o.id} className="border-t border-slate-100">
                    <td className="px-3 py-2 font-mono text-xs">
                      <Link className="underline" to={`/orders?order_id=${o.id}`}>
                        {o.id}
                      </Link>
                    </td>
                    <td>{formatSgd(o.total_amount)}</td>
                    <td>
                      <StatusBadge status={o.status} />
                    </td>
                    <td>{formatPreciseInstant(o.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
      {customerId && (
        <section className="rounded-lg border border-slate-200 bg-white shadow-sm" data-testid="customer-payments">
          <h2 className="px-5 pt-4 font-semibold">Payments {payments.data ? `(${payments.data.metadata.total})` : ""}</h2>
          {payments.isPending ? (
            <Loading />
          ) : payments.isError ? (
            <ErrorState error={payments.error} />
          ) : payments.data.data.length === 0 ? (
            <Empty>No payments.</Empty>
          ) : (
            <table className="w-full text-left text-sm">
              <thead className="bg-slate-50 text-xs text-slate-500">
                <tr>
                  <th className="px-3 py-2">Payment</th>
                  <th>Order</th>
                  <th>Amount</th>
                  <th>Status</th>
                  <th>Created</th>
                </tr>
              </thead>
              <tbody>
                {payments.data.data.map((p) => (
                  <tr key={p.id} className="border-t border-slate-100">
                    <td className="px-3 py-2 font-mono text-xs">{p.id}</td>
                    <td className="font-mono text-xs">{p.order_id}</td>
                    <td>{formatSgd(p.total_amount)}</td>
                    <td>
                      <StatusBadge status={p.status} /> {p.decline_reason ? <span className="text-xs text-slate-500">{p.decline_reason}</span> : null}
                    </td>
                    <td>{formatInstant(p.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
    </div>
  );
}
