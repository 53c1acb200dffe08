import { decoderFor, type OrderPlaced, OrderPlacedV1, TOPICS } from "@spgroup/contracts";
import type { ServiceRuntime } from "@spgroup/platform";
import { chargePlacedOrders } from "../app/charge-placed-orders.ts";
import type { PaymentGateway } from "../gateway/payment-gateway.ts";

/** orders.placed → chargePlacedOrders, exactly once in effect. */
export function orderPlacedConsumer(runtime: ServiceRuntime, gateway: PaymentGateway) {
  const topic = runtime.topic(TOPICS.paymentsCompleted);
  return runtime.consumer<OrderPlaced>({
    topics: [TOPICS.ordersPlaced],
    decode: decoderFor(OrderPlacedV1),
    handle: async (client, events) => {
      await chargePlacedOrders(client, gateway, topic, events.map((e) => e.event));
    },
  });
}
