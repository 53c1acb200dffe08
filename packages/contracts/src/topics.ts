// Every Kafka topic the platform uses. All are keyed by customer_id, so one customer's events
// stay in one partition and in order. A deployment-wide prefix (KAFKA_TOPIC_PREFIX) is applied
// by the platform, which lets test runs share a broker without seeing each other.
export const TOPICS = {
  /** order → payment: a customer placed an order and it awaits payment. */
  ordersPlaced: "orders.placed",
  /** payment → order: the payment for an order succeeded or failed. */
  paymentsCompleted: "payments.completed",
  /** order → campaign: an order reached SUCCESS or FAILED (plus watermarks, see events). */
  ordersCompleted: "orders.completed",
  /** order → payment: a payment succeeded for an order already FAILED; give the money back. */
  refundsRequested: "refunds.requested",
  /** payment → order: a payment was refunded. */
  paymentsRefunded: "payments.refunded",
  /** Flink auditor → campaign: provisional standings after each minute (keyed by campaign id). */
  flinkStandings: "campaign.flink.standings",
} as const;
export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];
