import type { Order, Payment } from "@spgroup/contracts";
import { formatPreciseInstant, formatSgd } from "../lib/format.ts";
import { Field } from "./Drawer.tsx";
import { StatusBadge } from "./StatusBadge.tsx";

/** An order's fields, in its own detail panel and in its payment's. */
export function OrderFields({ order }: { order: Order }) {
  return (
    <dl>
      <Field label="Order id">
        <span className="font-mono">{order.id}</span>
      </Field>
      <Field label="Status">
        <StatusBadge status={order.status} />
      </Field>
      <Field label="Customer">
        {order.customer_name} ({order.customer_id})
      </Field>
      <Field label="Amount">{formatSgd(order.total_amount)}</Field>
      <Field label="Created">{formatPreciseInstant(order.created_at)}</Field>
    </dl>
  );
}

/** A payment's fields, in its own detail panel and in its order's. */
export function PaymentFields({ payment }: { payment: Payment }) {
  return (
    <dl>
      <Field label="Payment id">
        <span className="font-mono">{payment.id}</span>
      </Field>
      <Field label="Status">
        <StatusBadge status={payment.status} />
      </Field>
      <Field label="Amount">{formatSgd(payment.total_amount)}</Field>
      <Field label="Created">{formatPreciseInstant(payment.created_at)}</Field>
    </dl>
  );
}
