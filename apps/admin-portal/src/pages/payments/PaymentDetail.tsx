import type { Order, Payment } from "@spgroup/contracts";
import { useQuery } from "@tanstack/react-query";
import { api } from "../../api/client.ts";
import { OrderFields, PaymentFields } from "../../components/RecordFields.tsx";
import { ErrorState, Loading } from "../../components/States.tsx";
import { formatPreciseInstant } from "../../lib/format.ts";

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
      <PaymentFields payment={p} />
      {p.status === "REFUNDED" ? (
        // Set in the statement that marks it REFUNDED, and a refunded payment never changes again.
        <p className="text-sm text-violet-800" data-testid="refund-note">
          Refunded {formatPreciseInstant(p.updated_at)}: the payment succeeded after its order had FAILED, so the money was given back.
        </p>
      ) : null}
      <div>
        <h3 className="mb-2 font-medium">Order</h3>
        {order.isPending ? (
          <Loading />
        ) : o ? (
          <OrderFields order={o} />
        ) : (
          <ErrorState error={order.error ?? "order not found"} />
        )}
      </div>
    </div>
  );
}
