import type { Policy } from "@spgroup/contracts";
import type { Queryable } from "@spgroup/platform";
import type { CampaignSettings } from "../domain/policy.ts";

export const IPHONE_CAMPAIGN = "IPHONE_GIVEAWAY";

export interface CampaignRow {
  id: number;
  name: string;
  type: string;
  description: string;
  start_time: string;
  end_time: string;
  policy: Policy;
  finalized_at: string | null;
  created_at: string;
  updated_at: string;
  /** The campaign database's clock when the row was read. */
  now: string;
}

const COLUMNS = "id::int AS id, name, type, description, start_time, end_time, policy, finalized_at, created_at, updated_at, now() AS now";

/** This database's clock: the one campaign windows are judged by. */
export async function databaseNow(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ now: string }>("SELECT now() AS now");
  return rows[0]?.now as string;
}

/** The campaign of this type that is not final yet, or else the latest one. */
export async function currentCampaign(db: Queryable, type: string): Promise<CampaignRow | undefined> {
  const { rows } = await db.query<CampaignRow>(
    `SELECT ${COLUMNS} FROM campaigns WHERE type = $1 ORDER BY finalized_at IS NULL DESC, id DESC LIMIT 1`,
    [type],
  );
  return rows[0];
}

export async function findCampaign(db: Queryable, id: number, { lock = false } = {}): Promise<CampaignRow | undefined> {
  const { rows } = await db.query<CampaignRow>(`SELECT ${COLUMNS} FROM campaigns WHERE id = $1${lock ? " FOR UPDATE" : ""}`, [id]);
  return rows[0];
}

export async function openCampaigns(db: Queryable): Promise<CampaignRow[]> {
  const { rows } = await db.query<CampaignRow>(`SELECT ${COLUMNS} FROM campaigns WHERE finalized_at IS NULL`);
  return rows;
}

/** Open campaigns whose window is over (by this database's clock). */
export async function campaignsPastTheirWindow(db: Queryable): Promise<CampaignRow[]> {
  const { rows } = await db.query<CampaignRow>(`SELECT ${COLUMNS} FROM campaigns WHERE finalized_at IS NULL AND end_time < now()`);
  return rows;
}

/** Returns undefined when another campaign of this type is still open (unique index). */
export async function insertCampaign(db: Queryable, type: string, s: CampaignSettings): Promise<CampaignRow | undefined> {
  const { rows } = await db.query<CampaignRow>(
    `INSERT INTO campaigns (name, type, description, start_time, end_time, policy)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (type) WHERE finalized_at IS NULL DO NOTHING
     RETURNING ${COLUMNS}`,
    [s.name, type, s.description, s.startTime, s.endTime, JSON.stringify(s.policy)],
  );
  return rows[0];
}

export async function updateCampaign(db: Queryable, id: number, s: CampaignSettings): Promise<CampaignRow> {
  const { rows } = await db.query<CampaignRow>(
    `UPDATE campaigns SET name = $2, description = $3, start_time = $4, end_time = $5, policy = $6, updated_at = now()
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, s.name, s.description, s.startTime, s.endTime, JSON.stringify(s.policy)],
  );
  const row = rows[0];
  if (!row) throw new Error(`campaign ${id} vanished`);
  return row;
}

/** Ends the window at this database's now (one clock for every instant of the rule). */
export async function endWindowNow(db: Queryable, id: number): Promise<CampaignRow> {
  const { rows } = await db.query<CampaignRow>(`UPDATE campaigns SET end_time = now(), updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`, [id]);
  const row = rows[0];
  if (!row) throw new Error(`campaign ${id} vanished`);
  return row;
}

export async function markFinal(db: Queryable, id: number): Promise<void> {
  await db.query("UPDATE campaigns SET finalized_at = now(), updated_at = now() WHERE id = $1 AND finalized_at IS NULL", [id]);
}

/** Campaigns of this type, newest first, with how many FINAL winners each has and its latest audit. */
export async function campaignHistory(
  db: Queryable,
  type: string,
  limit: number,
): Promise<(CampaignRow & { winners: number; latest_audit: { engine: string; equal: boolean; audited_at: string; audited_by: string } | null })[]> {
  const { rows } = await db.query(
    `SELECT c.id::int AS id, c.name, c.type, c.description, c.start_time, c.end_time, c.policy, c.finalized_at, c.created_at, c.updated_at, now() AS now,
            (SELECT count(*)::int FROM campaign_winners w WHERE w.campaign_id = c.id) AS winners,
            (SELECT jsonb_build_object('engine', a.engine, 'equal', a.equal, 'audited_by', a.audited_by,
                                 'audited_at', to_char(a.audited_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
               FROM campaign_engine_audits a WHERE a.campaign_id = c.id ORDER BY a.id DESC LIMIT 1) AS latest_audit
     FROM campaigns c WHERE c.type = $1 ORDER BY c.id DESC LIMIT $2`,
    [type, limit],
  );
  return rows;
}
