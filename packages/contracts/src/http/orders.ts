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
