import { type Static, Type } from "@sinclair/typebox";

/** What the order service knows happened to an order, in the order it happened. */
export const ORDER_TIMELINE_STEPS = ["PLACED", "COMPLETED", "LATE_PAYMENT_RESULT", "REFUND_REQUESTED", "REFUNDED"] as const;
export type OrderTimelineStepKind = (typeof ORDER_TIMELINE_STEPS)[number];

export const OrderTimelineStep = Type.Object({
  at: Type.String({ format: "date-time" }),
  step: Type.Union(ORDER_TIMELINE_STEPS.map((s) => Type.Literal(s))),
  /** The order's status (PLACED, COMPLETED), the payment's (LATE_PAYMENT_RESULT, REFUNDED) or REFUND_REQUESTED. */
  status: Type.String(),
  payment_id: Type.Optional(Type.String()),
});
export type OrderTimelineStep = Static<typeof OrderTimelineStep>;

export const OrderTimeline = Type.Array(OrderTimelineStep);
export type OrderTimeline = Static<typeof OrderTimeline>;
