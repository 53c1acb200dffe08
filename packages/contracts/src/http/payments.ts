import { type Static, Type } from "@sinclair/typebox";
import { PAYMENT_STATUSES } from "../statuses.ts";
import { CountsOf, CustomerId, PageParams, RecordId } from "./common.ts";

export const PaymentStatusSchema = Type.Union(PAYMENT_STATUSES.map((s) => Type.Literal(s)));

export const Payment = Type.Object(
  {
    id: Type.String(),
    order_id: Type.String(),
    customer_id: Type.String(),
    total_amount: Type.String({ description: "decimal(10,2) as a string" }),
    status: PaymentStatusSchema,
    created_at: Type.String({ format: "date-time" }),
    updated_at: Type.String({ format: "date-time" }),
    /** When the charge was given back (status REFUNDED): the order had FAILED before it was paid. */
    refunded_at: Type.Optional(Type.Union([Type.String({ format: "date-time" }), Type.Null()])),
    /** Why a FAILED payment was refused (the card's decline, or the order's deadline had passed). */
    decline_reason: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  },
  { $id: "Payment" },
);
export type Payment = Static<typeof Payment>;

export const PAYMENT_SORT_COLUMNS = ["created_at", "updated_at", "total_amount", "status", "customer_id", "order_id", "id"] as const;

export const SearchPaymentsQuery = Type.Object(
  {
    ...PageParams,
    status: Type.Optional(PaymentStatusSchema),
    customer_id: Type.Optional(CustomerId),
    order_id: Type.Optional(RecordId),
  },
  { additionalProperties: false },
);
export type SearchPaymentsQuery = Static<typeof SearchPaymentsQuery>;

export const ExportPaymentsQuery = Type.Composite([Type.Omit(SearchPaymentsQuery, ["page", "size"]), Type.Object({ access_token: Type.Optional(Type.String({ maxLength: 4096 })) })], {
  additionalProperties: false,
});
export type ExportPaymentsQuery = Static<typeof ExportPaymentsQuery>;

export const PaymentStats = Type.Object({
  totals: CountsOf(PAYMENT_STATUSES),
  /** Share of payments approved, 0..1; null before the first payment. */
  approval_rate: Type.Union([Type.Number(), Type.Null()]),
});
export type PaymentStats = Static<typeof PaymentStats>;
