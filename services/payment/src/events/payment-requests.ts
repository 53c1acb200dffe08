import { decoderFor, type OrderPlaced, type PaymentRefundRequested, PaymentRequestEvent, TOPICS } from "@spgroup/contracts";
import type { ServiceRuntime } from "@spgroup/platform";
import { type ChargePolicy, chargePlacedOrders } from "../app/charge-placed-orders.ts";
import { refundPayments } from "../app/refund-payments.ts";
import type { PaymentGateway } from "../gateway/payment-gateway.ts";

/**
 * orders.placed → chargePlacedOrders, refunds.requested → refundPayments, exactly once in effect.
 * One consumer for both topics: the platform gives each service one consumer group.
 */
export function paymentRequestsConsumer(runtime: ServiceRuntime, gateway: PaymentGateway, policy: ChargePolicy) {
  const completedTopic = runtime.topic(TOPICS.paymentsCompleted);
  const refundedTopic = runtime.topic(TOPICS.paymentsRefunded);
  return runtime.consumer<OrderPlaced | PaymentRefundRequested>({
    topics: [TOPICS.ordersPlaced, TOPICS.refundsRequested],
    decode: decoderFor(PaymentRequestEvent),
    handle: async (client, events) => {
      const placed = events.flatMap((e) => (e.event.type === "OrderPlaced" ? [e.event] : []));
      const refunds = events.flatMap((e) => (e.event.type === "PaymentRefundRequested" ? [e.event] : []));
      if (placed.length > 0) await chargePlacedOrders(client, gateway, completedTopic, placed, policy);
      await refundPayments(client, gateway, refundedTopic, runtime.logger, refunds);
    },
  });
}
