import { decoderFor, type OrderPlaced, OrderPlacedV1, TOPICS } from "@spgroup/contracts";
import { EventConsumer, type ServiceRuntime } from "@spgroup/platform";
import { chargePlacedOrders } from "../app/charge-placed-orders.ts";
import type { PaymentGateway } from "../gateway/payment-gateway.ts";

const decode = decoderFor(OrderPlacedV1);

/** orders.placed → chargePlacedOrders, exactly once in effect. */
export function orderPlacedConsumer(runtime: ServiceRuntime, gateway: PaymentGateway): EventConsumer<OrderPlaced> {
  const topic = runtime.topic(TOPICS.paymentsCompleted);
  return new EventConsumer<OrderPlaced>({
    settings: runtime.kafka,
    groupId: runtime.topic("payment-service"),
    topics: [runtime.topic(TOPICS.ordersPlaced)],
    pool: runtime.pool,
    logger: runtime.logger,
    metrics: runtime.metrics,
    decode: (_topic, value) => decode(value),
    handle: async (client, events) => {
      await chargePlacedOrders(client, gateway, topic, events.map((e) => e.event));
    },
    afterCommit: () => runtime.relay.nudge(),
  });
}
