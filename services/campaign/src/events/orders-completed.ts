import { decoderFor, OrdersCompletedTopicEvent, TOPICS } from "@spgroup/contracts";
import { EventConsumer, type ServiceRuntime } from "@spgroup/platform";
import { ingestCompletedOrders } from "../app/ingest-completed-orders.ts";

const decode = decoderFor(OrdersCompletedTopicEvent);

/** orders.completed → ingestCompletedOrders, exactly once in effect. */
export function ordersCompletedConsumer(runtime: ServiceRuntime, afterCommit: () => void): EventConsumer<OrdersCompletedTopicEvent> {
  return new EventConsumer<OrdersCompletedTopicEvent>({
    settings: runtime.kafka,
    groupId: runtime.topic("campaign-service"),
    topics: [runtime.topic(TOPICS.ordersCompleted)],
    pool: runtime.pool,
    logger: runtime.logger,
    metrics: runtime.metrics,
    decode: (_topic, value) => decode(value),
    handle: (client, events) => ingestCompletedOrders(client, events),
    afterCommit,
  });
}
