import type { EngineAudit, EngineAuditBody, EngineAuditDifference } from "@spgroup/contracts";
import type { Queryable } from "@spgroup/platform";

// Counts as float8: exact to 2^53 (the schema's bound), where ::int would fail past 2^31.
const COLUMNS = `id::int AS id, campaign_id::int AS campaign_id, engine, equal, differences, winners, records_read::float8 AS records_read,
  unreadable_records::float8 AS unreadable_records, seconds, audited_at, audited_by`;

export async function insertEngineAudit(
  db: Queryable,
  campaignId: number,
  audit: EngineAuditBody,
  verdict: { equal: boolean; differences: EngineAuditDifference[] },
  auditedBy: string,
): Promise<EngineAudit> {
  const { rows } = await db.query<EngineAudit>(
    `INSERT INTO campaign_engine_audits (campaign_id, engine, equal, differences, winners, records_read, unreadable_records, seconds, audited_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
    [campaignId, audit.engine, verdict.equal, JSON.stringify(verdict.differences), JSON.stringify(audit.winners), audit.records_read, audit.unreadable_records, audit.seconds, auditedBy],
  );
  return rows[0] as EngineAudit;
}

/** A campaign's engine audits, the latest first. */
export async function engineAuditsOf(db: Queryable, campaignId: number, limit = 20): Promise<EngineAudit[]> {
  const { rows } = await db.query<EngineAudit>(`SELECT ${COLUMNS} FROM campaign_engine_audits WHERE campaign_id = $1 ORDER BY id DESC LIMIT $2`, [campaignId, limit]);
  return rows;
}
