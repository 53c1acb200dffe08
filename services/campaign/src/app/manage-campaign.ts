import { type CreateCampaignBody, DomainError, type UpdateCampaignBody } from "@spgroup/contracts";
import { type DbClient, type OperatorIdentity, type Pool, recordActivity, withTransaction } from "@spgroup/platform";
import { type CampaignRow, databaseNow, endWindowNow, findCampaign, IPHONE_CAMPAIGN, insertCampaign, updateCampaign } from "../db/campaigns.ts";
import { partitionStarts } from "../db/partition-history.ts";
import { lockStandings, notifyStandingsChanged, rebuildStandings } from "../db/standings.ts";
import { campaignStatus } from "../domain/campaign-status.ts";
import { historyCompleteSince } from "../domain/history.ts";
import { type CampaignSettings, checkWindowChange, validateSettings } from "../domain/policy.ts";
import type { CampaignContext } from "./context.ts";

type Topic = Pick<CampaignContext, "completedTopic" | "partitions">;

/** Checks a window against this database's clock and the history it holds (see checkWindowChange). */
async function checkWindowNow(client: DbClient, topic: Topic, next: CampaignSettings, current?: CampaignRow): Promise<void> {
  const now = await databaseNow(client);
  const since = historyCompleteSince({ partitions: topic.partitions, starts: await partitionStarts(client, topic.completedTopic), now });
  checkWindowChange({ now, historyCompleteSince: since, ...(current ? { current } : {}), next });
}

const campaignNotFound = (id: number) => new DomainError("NOT_FOUND", `campaign ${id} not found`);

/** What the activity log keeps of a campaign: its settings, not its clock. */
const settingsOf = (c: CampaignRow) => ({ name: c.name, description: c.description, start_time: c.start_time, end_time: c.end_time, policy: c.policy });

/** Creates the iPhone campaign; its standings start from the orders already stored. */
export async function createCampaign(pool: Pool, topic: Topic, body: CreateCampaignBody, actor?: OperatorIdentity): Promise<CampaignRow> {
  const settings = validateSettings(body);
  return withTransaction(pool, async (client) => {
    await lockStandings(client, "exclusive");
    await checkWindowNow(client, topic, settings);
    const created = await insertCampaign(client, IPHONE_CAMPAIGN, settings);
    if (!created) throw new DomainError("CAMPAIGN_ALREADY_OPEN", "an iPhone campaign is already open; a new one can be created once it is FINAL");
    if (actor) await recordActivity(client, { actor, action: "campaign.create", target: `campaign ${created.id}`, before: null, after: settingsOf(created) });
    await rebuildStandings(client, created);
    await notifyStandingsChanged(client, created.id);
    return created;
  });
}

/** Changes a campaign that is not FINAL; its standings are recomputed at once. */
export async function editCampaign(pool: Pool, topic: Topic, id: number, body: UpdateCampaignBody, actor?: OperatorIdentity): Promise<CampaignRow> {
  return withTransaction(pool, async (client) => {
    await lockStandings(client, "exclusive");
    const current = await findCampaign(client, id, { lock: true });
    if (!current) throw campaignNotFound(id);
    if (current.finalized_at) throw new DomainError("CAMPAIGN_FINAL", `campaign ${id} is FINAL; its winners can no longer change`);
    const settings = validateSettings({
      name: body.name ?? current.name,
      description: body.description ?? current.description,
      start_time: body.start_time ?? current.start_time,
      end_time: body.end_time ?? current.end_time,
      total_reward: body.total_reward ?? current.policy.total_reward,
      min_order_amount: body.min_order_amount ?? current.policy.min_order_amount,
      max_tracked_orders: body.max_tracked_orders ?? current.policy.max_tracked_orders,
    });
    await checkWindowNow(client, topic, settings, current);
    const updated = await updateCampaign(client, id, settings);
    if (actor) await recordActivity(client, { actor, action: "campaign.edit", target: `campaign ${id}`, before: settingsOf(current), after: settingsOf(updated) });
    await rebuildStandings(client, updated);
    await notifyStandingsChanged(client, id);
    return updated;
  });
}

/**
 * "Close the window now": end_time becomes the campaign database's now(), never a browser's
 * clock, so no order placed while the sale showed ACTIVE is cut out after the fact.
 */
export async function closeCampaignWindow(pool: Pool, id: number, actor?: OperatorIdentity): Promise<CampaignRow> {
  const closed = await withTransaction(pool, async (client) => {
    await lockStandings(client, "exclusive");
    const current = await findCampaign(client, id, { lock: true });
    if (!current) throw campaignNotFound(id);
    const status = campaignStatus(current, current.now);
    // now() equal to start_time is ACTIVE but would leave an empty window.
    if (status !== "ACTIVE" || current.now === current.start_time) {
      throw new DomainError("CAMPAIGN_NOT_ACTIVE", `campaign ${id} is ${status === "ACTIVE" ? "just starting" : status}; only an ACTIVE window can be closed`);
    }
    const closed = await endWindowNow(client, id);
    if (actor) await recordActivity(client, { actor, action: "campaign.close", target: `campaign ${id}`, before: { end_time: current.end_time }, after: { end_time: closed.end_time } });
    await rebuildStandings(client, closed);
    await notifyStandingsChanged(client, id);
    return closed;
  });
  // Read again: inside its transaction now() is the new end_time itself, which the inclusive
  // window still counts as ACTIVE.
  return (await findCampaign(pool, id)) ?? closed;
}
