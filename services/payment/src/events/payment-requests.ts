import { decoderFor, type OrderPlaced, type PaymentRefundRequested, PaymentRequestEvent, TOPICS } from "@spgroup/contracts";
import type { ServiceRuntime } from "@spgroup/platform";
import { type ChargePolicy, chargePlacedOrders } from "../app/charge-placed-orders.ts";
import { recordRefundsAskedFor } from "../app/refund-payments.ts";
import type { PaymentGateway } from "../gateway/payment-gateway.ts";

/**
 * orders.placed → chargePlacedOrders, refunds.requested → recorded for settleDueRefunds (a
 * scheduled pass that retries until the gateway has made each refund), exactly once in effect.
 * One consumer for both topics: the platform gives each service one consumer group.
 */
export function paymentRequestsConsumer(runtime: ServiceRuntime, gateway: PaymentGateway, policy: ChargePolicy) {
  const completedTopic = runtime.topic(TOPICS.paymentsCompleted);
  return runtime.consumer<OrderPlaced | PaymentRefundRequested>({
    topics: [TOPICS.ordersPlaced, TOPICS.refundsRequested],
    decode: decoderFor(PaymentRequestEvent),
    // Each order is charged, and each refund recorded, in its customer's payment database.
    customerOf: (event) => event.data.customer_id,
    handle: async (client, events) => {
      const placed = events.flatMap((e) => (e.event.type === "OrderPlaced" ? [e.event] : []));
      const refunds = events.flatMap((e) => (e.event.type === "PaymentRefundRequested" ? [e.event] : []));
      if (placed.length > 0) await chargePlacedOrders(client, gateway, completedTopic, placed, policy);
      await recordRefundsAskedFor(client, refunds);
    },
  });
}
