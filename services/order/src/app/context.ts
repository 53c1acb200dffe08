import type { OutboxRelay, Pool } from "@spgroup/platform";

/** What the order use cases need: the database, where events go, and the relay to wake. */
export interface OrderContext {
  pool: Pool;
  topics: { ordersPlaced: string; ordersCompleted: string };
  relay: Pick<OutboxRelay, "nudge">;
}
