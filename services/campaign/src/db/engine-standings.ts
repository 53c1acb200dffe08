import type { EngineStandings } from "@spgroup/contracts";
import type { Queryable } from "@spgroup/platform";

export interface StoredEngineStandings {
  campaign_id: number;
  engine: string;
  minute_end: string;
  customers_so_far: number;
  winners: EngineStandings["data"]["winners"];
  received_at: string;
}

/** Keeps, per campaign, the standings of the latest minute (an older or repeated minute changes nothing). */
export async function saveEngineStandings(db: Queryable, standings: EngineStandings["data"][]): Promise<void> {
  for (const s of standings) {
    await db.query(
      `INSERT INTO campaign_engine_standings (campaign_id, engine, minute_end, customers_so_far, winners)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (campaign_id) DO UPDATE SET engine = excluded.engine, minute_end = excluded.minute_end,
         customers_so_far = excluded.customers_so_far, winners = excluded.winners, received_at = now()
       WHERE excluded.minute_end > campaign_engine_standings.minute_end`,
      [s.campaign_id, s.engine, s.minute_end, s.customers_so_far, JSON.stringify(s.winners)],
    );
  }
}

export async function engineStandingsOf(db: Queryable, campaignId: number): Promise<StoredEngineStandings | null> {
  const { rows } = await db.query<StoredEngineStandings>(
    "SELECT campaign_id::int AS campaign_id, engine, minute_end, customers_so_far, winners, received_at FROM campaign_engine_standings WHERE campaign_id = $1",
    [campaignId],
  );
  return rows[0] ?? null;
}
