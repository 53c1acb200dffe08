import { type Static, type TObject, type TProperties, Type } from "@sinclair/typebox";
import { AMOUNT_PATTERN } from "./money.ts";
import { PAYMENT_RESULT_STATUSES, TERMINAL_ORDER_STATUSES } from "./statuses.ts";
import { CustomerName } from "./validate.ts";

// Every event: an envelope (id, type, version, time) around a versioned payload.
// A consumer dedups on event_id; a new incompatible payload gets a new version, never a changed one.
function envelope<T extends string, V extends number, D extends TProperties>(type: T, version: V, data: TObject<D>) {
  return Type.Object(
    {
      event_id: Type.String({ format: "uuid" }),
      type: Type.Literal(type),
      version: Type.Literal(version),
      occurred_at: Type.String({ format: "date-time" }),
      data,
    },
    { $id: `${type}.v${version}` },
  );
}

const Amount = Type.String({ pattern: AMOUNT_PATTERN, description: "decimal(10,2) as a string" });
const Timestamp = Type.String({ format: "date-time", description: "ISO 8601, microsecond precision" });
const Id = Type.String({ minLength: 1, maxLength: 20 });

export const OrderPlacedV1 = envelope(
  "OrderPlaced",
  1,
  Type.Object({
    order_id: Id,
    customer_id: Id,
    customer_name: CustomerName,
    total_amount: Amount,
    created_at: Timestamp,
    /**
     * The order fails unpaid at this instant (created_at + the order service's payment timeout,
     * on the order database's clock): the payment service does not charge it after. Optional so
     * that events written before it existed still decode; without it the order is charged.
     */
    pay_by: Type.Optional(Timestamp),
  }),
);
export type OrderPlaced = Static<typeof OrderPlacedV1>;

export const PaymentCompletedV1 = envelope(
  "PaymentCompleted",
  1,
  Type.Object({
    payment_id: Id,
    order_id: Id,
    customer_id: Id,
    status: Type.Union(PAYMENT_RESULT_STATUSES.map((s) => Type.Literal(s))),
    total_amount: Amount,
    decline_reason: Type.Optional(Type.String({ maxLength: 200 })),
  }),
);
export type PaymentCompleted = Static<typeof PaymentCompletedV1>;

/**
 * "This payment succeeded for an order that had already FAILED (a late result): give the money
 * back." Published by the order service once per order, in the transaction that records the late
 * result; the payment service refunds at most once per payment whatever the redeliveries.
 */
export const PaymentRefundRequestedV1 = envelope(
  "PaymentRefundRequested",
  1,
  Type.Object({
    payment_id: Id,
    order_id: Id,
    customer_id: Id,
    total_amount: Amount,
    reason: Type.String({ minLength: 1, maxLength: 200 }),
  }),
);
export type PaymentRefundRequested = Static<typeof PaymentRefundRequestedV1>;

/** "This payment was refunded" (status REFUNDED), once per payment; published by the payment service. */
export const PaymentRefundedV1 = envelope(
  "PaymentRefunded",
  1,
  Type.Object({
    payment_id: Id,
    order_id: Id,
    customer_id: Id,
    total_amount: Amount,
    refunded_at: Timestamp,
  }),
);
export type PaymentRefunded = Static<typeof PaymentRefundedV1>;

/** What the order service reads from the payment service: charge results and refunds. */
export const PaymentOutcomeEvent = Type.Union([PaymentCompletedV1, PaymentRefundedV1]);
export type PaymentOutcomeEvent = PaymentCompleted | PaymentRefunded;

/** What the payment service reads from the order service: orders to charge and refunds to make. */
export const PaymentRequestEvent = Type.Union([OrderPlacedV1, PaymentRefundRequestedV1]);
export type PaymentRequestEvent = OrderPlaced | PaymentRefundRequested;

export const OrderCompletedV1 = envelope(
  "OrderCompleted",
  1,
  Type.Object({
    order_id: Id,
    customer_id: Id,
    customer_name: CustomerName,
    total_amount: Amount,
    status: Type.Union(TERMINAL_ORDER_STATUSES.map((s) => Type.Literal(s))),
    created_at: Timestamp,
    completed_at: Timestamp,
  }),
);
export type OrderCompleted = Static<typeof OrderCompletedV1>;

/**
 * "Every order created before `watermark` is terminal and its OrderCompleted precedes this event
 * on this partition." Published by the order service to every partition of orders.completed.
 */
export const OrdersWatermarkV1 = envelope(
  "OrdersWatermark",
  1,
  Type.Object({
    watermark: Timestamp,
    partition: Type.Integer({ minimum: 0 }),
    /** The order database (shard) whose clock the watermark is on. */
    source: Type.String({ minLength: 1, maxLength: 100 }),
  }),
);
export type OrdersWatermark = Static<typeof OrdersWatermarkV1>;

/**
 * Apache Flink's provisional standings of a campaign after one more minute of orders (the auditor's
 * streaming micro-batch, auditor/flink): the winners by the seed's rule over every successful order
 * of the campaign created before `minute_end`. Written by the Flink job, read by the campaign service.
 */
export const EngineStandingsV1 = envelope(
  "EngineStandings",
  1,
  Type.Object({
    campaign_id: Type.Integer({ minimum: 1 }),
    engine: Type.String({ minLength: 1, maxLength: 100 }),
    minute_end: Timestamp,
    customers_so_far: Type.Integer({ minimum: 0, maximum: 2_147_483_647 }),
    winners: Type.Array(
      Type.Object({ rank: Type.Integer({ minimum: 1 }), customer_id: Id, customer_name: CustomerName, first_order_at: Timestamp, max_order_amount: Amount }),
      { maxItems: 10_000 },
    ),
  }),
);
export type EngineStandings = Static<typeof EngineStandingsV1>;

export const OrdersCompletedTopicEvent = Type.Union([OrderCompletedV1, OrdersWatermarkV1]);
export type OrdersCompletedTopicEvent = OrderCompleted | OrdersWatermark;
