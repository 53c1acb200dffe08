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

/**
 * Keeps, per campaign, the standings of the latest minute (an older or repeated minute changes
 * nothing). Only for a campaign that exists, and a minute that can close inside its window (up to
 * one minute past its end): anyone who can write to the topic cannot park standings for a campaign
 * not created yet, nor a far-future minute that no real one could ever replace. Returns those
 * ignored for that reason.
 */
export async function saveEngineStandings(db: Queryable, standings: EngineStandings["data"][]): Promise<EngineStandings["data"][]> {
  const ignored: EngineStandings["data"][] = [];
  for (const s of standings) {
    const { rowCount } = await db.query(
      `INSERT INTO campaign_engine_standings (campaign_id, engine, minute_end, customers_so_far, winners)
       SELECT $1, $2, $3, $4, $5 FROM campaigns c
       WHERE c.id = $1 AND $3::timestamptz > c.start_time AND $3::timestamptz <= c.end_time + interval '1 minute'
       ON CONFLICT (campaign_id) DO UPDATE SET engine = excluded.engine, minute_end = excluded.minute_end,
         customers_so_far = excluded.customers_so_far, winners = excluded.winners, received_at = now()
       WHERE excluded.minute_end > campaign_engine_standings.minute_end`,
      [s.campaign_id, s.engine, s.minute_end, s.customers_so_far, JSON.stringify(s.winners)],
    );
    if (rowCount === 0) {
      const { rows } = await db.query("SELECT 1 FROM campaigns c WHERE c.id = $1 AND $2::timestamptz > c.start_time AND $2::timestamptz <= c.end_time + interval '1 minute'", [
        s.campaign_id,
        s.minute_end,
      ]);
      if (rows.length === 0) ignored.push(s);
    }
  }
  return ignored;
}

export async function engineStandingsOf(db: Queryable, campaignId: number): Promise<StoredEngineStandings | null> {
  const { rows } = await db.query<StoredEngineStandings>(
    "SELECT campaign_id::int AS campaign_id, engine, minute_end, customers_so_far, winners, received_at FROM campaign_engine_standings WHERE campaign_id = $1",
    [campaignId],
  );
  return rows[0] ?? null;
}
