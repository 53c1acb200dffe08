import { type Static, Type } from "@sinclair/typebox";
import { ORDER_STATUSES } from "../statuses.ts";
import { AmountInput, CountsOf, CustomerId, PageParams, RecordId } from "./common.ts";
import { CustomerName } from "../validate.ts";

export const OrderStatusSchema = Type.Union(ORDER_STATUSES.map((s) => Type.Literal(s)));

export const Order = Type.Object(
  {
    id: Type.String(),
    customer_id: Type.String(),
    customer_name: Type.String(),
    total_amount: Type.String({ description: "decimal(10,2) as a string" }),
    status: OrderStatusSchema,
    created_at: Type.String({ format: "date-time" }),
    updated_at: Type.String({ format: "date-time" }),
  },
  { $id: "Order" },
);
export type Order = Static<typeof Order>;

export const CreateOrderBody = Type.Object(
  {
    customer_id: CustomerId,
    customer_name: CustomerName,
    total_amount: AmountInput,
  },
  { additionalProperties: false },
);
export type CreateOrderBody = Static<typeof CreateOrderBody>;

export const OrderIdParams = Type.Object({ id: RecordId });

export const ORDER_SORT_COLUMNS = ["created_at", "updated_at", "total_amount", "status", "customer_id", "id"] as const;

export const SearchOrdersQuery = Type.Object(
  {
    ...PageParams,
    status: Type.Optional(OrderStatusSchema),
    customer_id: Type.Optional(CustomerId),
    order_id: Type.Optional(RecordId),
  },
  { additionalProperties: false },
);
export type SearchOrdersQuery = Static<typeof SearchOrdersQuery>;

export const ExportOrdersQuery = Type.Composite([Type.Omit(SearchOrdersQuery, ["page", "size"]), Type.Object({ access_token: Type.Optional(Type.String({ maxLength: 4096 })) })], {
  additionalProperties: false,
});
export type ExportOrdersQuery = Static<typeof ExportOrdersQuery>;

export const OrderStats = Type.Object({
  /** Orders created per minute over the last hour, oldest first, by current status. */
  per_minute: Type.Array(Type.Object({ minute: Type.String({ format: "date-time" }), success: Type.Integer(), failed: Type.Integer(), open: Type.Integer() })),
  totals: CountsOf(ORDER_STATUSES),
});
export type OrderStats = Static<typeof OrderStats>;

/** An order still waiting for its payment's result (PENDING or PROCESSING). */
export const AwaitingOrder = Type.Object({
  id: Type.String(),
  status: OrderStatusSchema,
  customer_id: Type.String(),
  customer_name: Type.String(),
  total_amount: Type.String(),
  created_at: Type.String({ format: "date-time" }),
  overdue: Type.Boolean({ description: "older than the payment timeout: the timeout sweep should have failed it (is it running?)" }),
});
export type AwaitingOrder = Static<typeof AwaitingOrder>;

/**
 * What holds each order database's watermark back (docs/finality.md): its oldest orders awaiting a
 * payment result, and the start of its oldest open transaction (an order not visible yet).
 */
export const AwaitingPayment = Type.Object({
  payment_timeout_ms: Type.Integer(),
  shards: Type.Array(
    Type.Object({
      database: Type.String({ description: "the watermark's source name" }),
      reachable: Type.Boolean(),
      watermark: Type.Union([Type.String({ format: "date-time" }), Type.Null()], { description: "the last watermark this instance published for it" }),
      open_transaction_since: Type.Union([Type.String({ format: "date-time" }), Type.Null()], {
        description: "the start of the oldest transaction open on it for more than half a second (it holds the watermark there), or null",
      }),
      orders: Type.Array(AwaitingOrder, { description: "oldest first" }),
      total: Type.Integer({ description: "orders awaiting payment on it that match the filter" }),
    }),
  ),
});
export type AwaitingPayment = Static<typeof AwaitingPayment>;

export const AwaitingPaymentQuery = Type.Object(
  {
    created_before: Type.Optional(Type.String({ format: "date-time", description: "only orders created at or before this instant (a campaign's end_time)" })),
    overdue: Type.Optional(Type.Boolean({ description: "only orders older than the payment timeout" })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: "orders per database (default 20)" })),
  },
  { additionalProperties: false },
);
export type AwaitingPaymentQuery = Static<typeof AwaitingPaymentQuery>;
