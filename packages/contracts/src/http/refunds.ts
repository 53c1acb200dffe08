import { type Static, Type } from "@sinclair/typebox";
import { RecordId } from "./common.ts";
import { PaymentStatusSchema } from "./payments.ts";

/**
 * Money at risk: a refund the order service asked for (a payment that succeeded for an order that
 * had already FAILED), and how far the payment service has got with it.
 */
export const RefundRequestView = Type.Object(
  {
    payment_id: Type.String(),
    order_id: Type.String(),
    customer_id: Type.String(),
    total_amount: Type.String({ description: "decimal(10,2) as a string: what the customer was charged" }),
    payment_status: PaymentStatusSchema,
    reason: Type.String(),
    requested_at: Type.String({ format: "date-time" }),
    attempts: Type.Integer({ description: "gateway calls that failed or were refused so far" }),
    next_attempt_at: Type.Union([Type.String({ format: "date-time" }), Type.Null()], { description: "when the scheduled pass tries again; null once settled" }),
    last_error: Type.Union([Type.String(), Type.Null()]),
    settled_at: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
    refunded_at: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  },
  { $id: "RefundRequest" },
);
export type RefundRequestView = Static<typeof RefundRequestView>;

export const REFUND_STATES = ["pending", "settled", "all"] as const;
export const RefundRequestsQuery = Type.Object(
  {
    state: Type.Optional(Type.Union(REFUND_STATES.map((s) => Type.Literal(s)), { description: "pending (default): the customer still holds no refund" })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000 })),
  },
  { additionalProperties: false },
);
export type RefundRequestsQuery = Static<typeof RefundRequestsQuery>;

export const PaymentIdParams = Type.Object({ payment_id: RecordId }, { additionalProperties: false });

export const RefundTotals = Type.Object({
  count: Type.Integer({ description: "customers charged for a FAILED order, not refunded yet" }),
  amount: Type.String({ description: "what they were charged in all, decimal as a string" }),
});
export type RefundTotals = Static<typeof RefundTotals>;
