import { decoderFor, type EngineStandings, EngineStandingsV1, type OrdersCompletedTopicEvent, OrderCompletedV1, OrdersWatermarkV1, TOPICS } from "@spgroup/contracts";
import type { ConsumedEvent, ServiceRuntime } from "@spgroup/platform";
import { Type } from "@sinclair/typebox";
import { ingestCompletedOrders } from "../app/ingest-completed-orders.ts";
import { recordFinalityHole } from "../app/record-finality-hole.ts";
import { saveEngineStandings } from "../db/engine-standings.ts";

type CampaignInput = OrdersCompletedTopicEvent | EngineStandings;
const decodeCompleted = decoderFor(Type.Union([OrderCompletedV1, OrdersWatermarkV1]));
const decodeStandings = decoderFor(EngineStandingsV1);

/**
 * orders.completed → ingestCompletedOrders, exactly once in effect; a message it cannot apply is a
 * finality hole. The same consumer keeps Apache Flink's provisional standings
 * (campaign.flink.standings), which take no part in finality.
 */
export function ordersCompletedConsumer(runtime: ServiceRuntime) {
  const standingsTopic = runtime.topic(TOPICS.flinkStandings);
  return runtime.consumer<CampaignInput>({
    topics: [TOPICS.ordersCompleted, TOPICS.flinkStandings],
    // Each topic takes only its own events: anything else on it is dead-lettered (on orders.completed,
    // a finality hole), never skipped in silence.
    decode: (value, topic) => (topic === TOPICS.flinkStandings ? decodeStandings(value) : decodeCompleted(value)),
    handle: async (client, events) => {
      const completed = events.filter((e): e is ConsumedEvent<OrdersCompletedTopicEvent> => e.topic !== standingsTopic);
      const standings = events.filter((e): e is ConsumedEvent<EngineStandings> => e.topic === standingsTopic);
      if (completed.length > 0) await ingestCompletedOrders(client, completed);
      if (standings.length === 0) return;
      for (const s of await saveEngineStandings(client, standings.map((e) => e.event.data))) {
        runtime.logger.warn({ campaignId: s.campaign_id, minuteEnd: s.minute_end, engine: s.engine }, "engine standings ignored: no such campaign, or a minute outside its window");
      }
    },
    // Only orders.completed makes the history: a standings message that cannot be read is dead-lettered, nothing more.
    onDeadLetter: (client, letter) => (letter.topic === standingsTopic ? Promise.resolve() : recordFinalityHole(client, letter)),
  });
}
