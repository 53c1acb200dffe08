import type { OrderCompleted, OrdersCompletedTopicEvent, OrdersWatermark } from "@spgroup/contracts";
import type { ConsumedEvent, DbClient } from "@spgroup/platform";
import { openCampaigns } from "../db/campaigns.ts";
import { resolveReplayedHoles } from "../db/finality-holes.ts";
import { insertCompletedOrders } from "../db/orders.ts";
import { recordFirstOffsets } from "../db/partition-history.ts";
import { addToStandings, lockStandings, notifyStandingsChanged } from "../db/standings.ts";
import { raiseWatermarks } from "../db/watermarks.ts";

/**
 * One batch of orders.completed, inside the consumer's transaction: store the orders, fold the new
 * SUCCESS orders into every open campaign's standings, and record the partitions' watermarks. The
 * watermark of a partition is written with the events that preceded it there, so "watermark past
 * end_time on every partition" means every order of the window is already counted.
 */
export async function ingestCompletedOrders(client: DbClient, events: ConsumedEvent<OrdersCompletedTopicEvent>[]): Promise<void> {
  await lockStandings(client, "shared");
  await recordFirstOffsets(client, events);
  const completions = events.filter((e): e is ConsumedEvent<OrderCompleted> => e.event.type === "OrderCompleted");
  const orders = completions.map((e) => e.event.data);
  const marks = events
    .filter((e): e is ConsumedEvent<OrdersWatermark> => e.event.type === "OrdersWatermark")
    // The partition the event arrived on is what counts, not the one it claims.
    .map((e) => ({ topic: e.topic, partition: e.partition, source: e.event.data.source, watermark: e.event.data.watermark }));

  const stored = await insertCompletedOrders(client, orders);
  if (stored.some((o) => o.status === "SUCCESS")) {
    for (const campaign of await openCampaigns(client)) {
      if ((await addToStandings(client, campaign, stored)) > 0) await notifyStandingsChanged(client, campaign.id);
    }
  }
  // A dead-lettered completion applied now (replayed, or delivered again) closes its hole.
  await resolveReplayedHoles(client, completions.map((e) => e.event.event_id));
  await raiseWatermarks(client, marks);
}
