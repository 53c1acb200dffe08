import type { Order, Payment } from "@spgroup/contracts";
import { useQuery } from "@tanstack/react-query";
import { api } from "../../api/client.ts";
import { Field } from "../../components/Drawer.tsx";
import { ErrorState, Loading } from "../../components/States.tsx";
import { StatusBadge } from "../../components/StatusBadge.tsx";
import { formatPreciseInstant, formatSgd } from "../../lib/format.ts";

/** A payment and the order it paid for. */
export function PaymentDetail({ id }: { id: string }) {
  const payment = useQuery({
    queryKey: ["payment", id],
    queryFn: async () => (await api<{ data: Payment }>(`/api/admin/v1/payments/${encodeURIComponent(id)}`)).data,
  });
  const orderId = payment.data?.order_id;
  const order = useQuery({
    queryKey: ["order", orderId],
    enabled: Boolean(orderId),
    queryFn: () => api<{ data: Order }>(`/api/v1/orders/${encodeURIComponent(orderId ?? "")}`),
  });
  if (payment.isPending) return <Loading />;
  if (payment.isError) return <ErrorState error={payment.error} />;
  const p = payment.data;
  const o = order.data?.data;
  return (
    <div className="space-y-5">
      <dl>
        <Field label="Payment id">
          <span className="font-mono">{p.id}</span>
        </Field>
        <Field label="Status">
          <StatusBadge status={p.status} />
        </Field>
        <Field label="Amount">{formatSgd(p.total_amount)}</Field>
        <Field label="Created">{formatPreciseInstant(p.created_at)}</Field>
      </dl>
      <div>
        <h3 className="mb-2 font-medium">Order</h3>
        {order.isPending ? (
          <Loading />
        ) : o ? (
          <dl>
            <Field label="Order id">
              <span className="font-mono">{o.id}</span>
            </Field>
            <Field label="Status">
              <StatusBadge status={o.status} />
            </Field>
            <Field label="Customer">
              {o.customer_name} ({o.customer_id})
            </Field>
            <Field label="Created">{formatPreciseInstant(o.created_at)}</Field>
          </dl>
        ) : (
          <ErrorState error={order.error ?? "order not found"} />
        )}
      </div>
    </div>
  );
}
