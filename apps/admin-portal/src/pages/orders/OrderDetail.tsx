import type { Order, PageMetadata, Payment } from "@spgroup/contracts";
import { useQuery } from "@tanstack/react-query";
import { api, withQuery } from "../../api/client.ts";
import { OrderFields, PaymentFields } from "../../components/RecordFields.tsx";
import { ErrorState, Loading } from "../../components/States.tsx";
import { StatusBadge } from "../../components/StatusBadge.tsx";
import { formatPreciseInstant } from "../../lib/format.ts";

/** An order, its payment, and the steps it went through. */
export function OrderDetail({ id }: { id: string }) {
  const order = useQuery({ queryKey: ["order", id], queryFn: () => api<{ data: Order }>(`/api/v1/orders/${encodeURIComponent(id)}`) });
  const payment = useQuery({
    queryKey: ["payment-of-order", id],
    queryFn: () => api<{ data: Payment[]; metadata: PageMetadata }>(withQuery("/api/admin/v1/payments/search", { order_id: id, size: 1 })),
  });
  if (order.isPending) return <Loading />;
  if (order.isError) return <ErrorState error={order.error} />;
  const o = order.data.data;
  const p = payment.data?.data[0];
  const steps = [
    { at: o.created_at, label: "Order placed; payment requested", status: "PROCESSING" },
    ...(p ? [{ at: p.created_at, label: `Payment ${p.status === "SUCCESS" ? "approved" : "declined"}`, status: p.status }] : []),
    ...(o.status === "SUCCESS" || o.status === "FAILED" ? [{ at: o.updated_at, label: p ? `Order ${o.status}` : `Order ${o.status} (no payment result in time)`, status: o.status }] : []),
  ];
  return (
    <div className="space-y-5">
      <OrderFields order={o} />
      <div>
        <h3 className="mb-2 font-medium">Payment</h3>
        {payment.isPending ? (
          <Loading />
        ) : p ? (
          <PaymentFields payment={p} />
        ) : (
          <p className="text-sm text-slate-500">No payment yet.</p>
        )}
      </div>
      <div>
        <h3 className="mb-2 font-medium">Timeline</h3>
        <ol className="space-y-2 border-l-2 border-slate-200 pl-4" data-testid="timeline">
          {steps.map((step) => (
            <li key={step.label} className="text-sm">
              <div className="flex items-center gap-2">
                <StatusBadge status={step.status} /> {step.label}
              </div>
              <div className="text-xs text-slate-500">{formatPreciseInstant(step.at)}</div>
            </li>
          ))}
        </ol>
      </div>
    </div>
  );
}
