import type { Order, OrderTimeline, OrderTimelineStep, PageMetadata, Payment } from "@spgroup/contracts";
import { useQuery } from "@tanstack/react-query";
import { api, withQuery } from "../../api/client.ts";
import { OrderFields, PaymentFields } from "../../components/RecordFields.tsx";
import { ErrorState, Loading } from "../../components/States.tsx";
import { StatusBadge } from "../../components/StatusBadge.tsx";
import { formatPreciseInstant } from "../../lib/format.ts";

type Step = { at: string; label: string; status: string };

/** What a step of the order service's timeline means, for an operator. */
function labelOf(step: OrderTimelineStep, paidLate: boolean, payment: Payment | undefined): string {
  switch (step.step) {
    case "PLACED":
      return "Order placed; payment requested";
    case "COMPLETED":
      return step.status === "FAILED" && (paidLate || !payment) ? "Order FAILED (no payment result in time)" : `Order ${step.status}`;
    case "LATE_PAYMENT_RESULT":
      return `Payment ${step.status === "SUCCESS" ? "approved" : "declined"} after the order was settled (not applied)`;
    case "REFUND_REQUESTED":
      return "Refund requested: the customer was charged for a FAILED order";
    case "REFUNDED":
      return "Payment refunded to the customer";
  }
}

/** The order service's timeline, with the payment (from the payment service) after the placement. */
function stepsOf(o: Order, p: Payment | undefined, timeline: OrderTimeline | undefined): Step[] {
  const paymentStep = p ? [{ at: p.created_at, label: `Payment ${p.status === "FAILED" ? "declined" : "approved"}`, status: p.status === "FAILED" ? "FAILED" : "SUCCESS" }] : [];
  if (!timeline) {
    return [
      { at: o.created_at, label: "Order placed; payment requested", status: "PROCESSING" },
      ...paymentStep,
      ...(o.status === "SUCCESS" || o.status === "FAILED" ? [{ at: o.updated_at, label: p ? `Order ${o.status}` : `Order ${o.status} (no payment result in time)`, status: o.status }] : []),
    ];
  }
  const paidLate = timeline.some((s) => s.step === "LATE_PAYMENT_RESULT");
  const steps = timeline.map((s) => ({ at: s.at, label: labelOf(s, paidLate, p), status: s.status }));
  return [...steps.slice(0, 1), ...paymentStep, ...steps.slice(1)];
}

/** An order, its payment, and the steps it went through (refunds of late payments included). */
export function OrderDetail({ id }: { id: string }) {
  const order = useQuery({ queryKey: ["order", id], queryFn: () => api<{ data: Order }>(`/api/v1/orders/${encodeURIComponent(id)}`) });
  const payment = useQuery({
    queryKey: ["payment-of-order", id],
    queryFn: () => api<{ data: Payment[]; metadata: PageMetadata }>(withQuery("/api/admin/v1/payments/search", { order_id: id, size: 1 })),
  });
  const timeline = useQuery({
    queryKey: ["order-timeline", id],
    queryFn: () => api<{ data: OrderTimeline }>(`/api/admin/v1/orders/${encodeURIComponent(id)}/timeline`),
  });
  if (order.isPending) return <Loading />;
  if (order.isError) return <ErrorState error={order.error} />;
  const o = order.data.data;
  const p = payment.data?.data[0];
  const steps = stepsOf(o, p, timeline.data?.data);
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
            <li key={`${step.at}-${step.label}`} className="text-sm">
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
