import { decoderFor, OrdersCompletedTopicEvent, TOPICS } from "@spgroup/contracts";
import type { ServiceRuntime } from "@spgroup/platform";
import { ingestCompletedOrders } from "../app/ingest-completed-orders.ts";
import { recordFinalityHole } from "../app/record-finality-hole.ts";

/** orders.completed → ingestCompletedOrders, exactly once in effect; a message it cannot apply is a finality hole. */
export function ordersCompletedConsumer(runtime: ServiceRuntime) {
  return runtime.consumer<OrdersCompletedTopicEvent>({
    topics: [TOPICS.ordersCompleted],
    decode: decoderFor(OrdersCompletedTopicEvent),
    handle: (client, events) => ingestCompletedOrders(client, events),
    onDeadLetter: (client, letter) => recordFinalityHole(client, letter),
  });
}
