import type { CreateCampaignBody, UpdateCampaignBody } from "@spgroup/contracts";
import { conflict, HttpError, notFound, type Pool, withTransaction } from "@spgroup/platform";
import { type CampaignRow, findCampaign, IPHONE_CAMPAIGN, insertCampaign, updateCampaign } from "../db/campaigns.ts";
import { rebuildStandings } from "../db/standings.ts";
import { InvalidCampaign, validateSettings } from "../domain/policy.ts";
import { STANDINGS_CHANNEL, STANDINGS_LOCK } from "./context.ts";

function settingsOrBadRequest(input: Parameters<typeof validateSettings>[0]) {
  try {
    return validateSettings(input);
  } catch (error) {
    if (error instanceof InvalidCampaign) throw new HttpError(400, error.message);
    throw error;
  }
}

/** Creates the iPhone campaign; its standings start from the orders already stored. */
export async function createCampaign(pool: Pool, body: CreateCampaignBody): Promise<CampaignRow> {
  const settings = settingsOrBadRequest(body);
  return withTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock($1)", [STANDINGS_LOCK]);
    const created = await insertCampaign(client, IPHONE_CAMPAIGN, settings);
    if (!created) throw conflict("an iPhone campaign is already open; a new one can be created once it is FINAL");
    await rebuildStandings(client, created);
    await client.query("SELECT pg_notify($1, $2)", [STANDINGS_CHANNEL, String(created.id)]);
    return created;
  });
}

/** Changes a campaign that is not FINAL; its standings are recomputed at once. */
export async function editCampaign(pool: Pool, id: number, body: UpdateCampaignBody): Promise<CampaignRow> {
  return withTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock($1)", [STANDINGS_LOCK]);
    const current = await findCampaign(client, id, { lock: true });
    if (!current) throw notFound(`campaign ${id} not found`);
    if (current.finalized_at) throw conflict(`campaign ${id} is FINAL; its winners can no longer change`);
    const settings = settingsOrBadRequest({
      name: body.name ?? current.name,
      description: body.description ?? current.description,
      start_time: body.start_time ?? current.start_time,
      end_time: body.end_time ?? current.end_time,
      total_reward: body.total_reward ?? current.policy.total_reward,
      min_order_amount: body.min_order_amount ?? current.policy.min_order_amount,
      max_tracked_orders: body.max_tracked_orders ?? current.policy.max_tracked_orders,
    });
    const updated = await updateCampaign(client, id, settings);
    await rebuildStandings(client, updated);
    await client.query("SELECT pg_notify($1, $2)", [STANDINGS_CHANNEL, String(id)]);
    return updated;
  });
}
