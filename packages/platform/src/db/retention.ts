import type pg from "pg";

export interface Retention {
  /** Table and timestamp column come from code, never from a request. */
  table: string;
  column: string;
  olderThanMs: number;
  /** Rows per DELETE: each batch is its own short transaction, so no lock or snapshot is held long. */
  batchSize?: number;
}

/**
 * Deletes the rows whose `column` is older than the horizon, batch by batch, until none is left.
 * The cutoff is fixed at the start, so rows aging meanwhile wait for the next run. Needs an index
 * on `column`. Returns how many rows went.
 */
export async function purgeOlderThan(pool: pg.Pool, retention: Retention): Promise<number> {
  if (!/^[a-z_][a-z0-9_]*$/.test(retention.table) || !/^[a-z_][a-z0-9_]*$/.test(retention.column)) {
    throw new Error(`bad table or column name: ${retention.table}.${retention.column}`);
  }
  const batchSize = retention.batchSize ?? 5_000;
  const { rows } = await pool.query<{ cutoff: string }>("SELECT now() - make_interval(secs => $1::float8 / 1000) AS cutoff", [retention.olderThanMs]);
  const cutoff = rows[0]?.cutoff;
  let deleted = 0;
  for (;;) {
    const { table, column } = retention;
    // By ctid: works for any primary key; the outer condition rechecks the age of what is deleted.
    const result = await pool.query(
      `DELETE FROM ${table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${table} WHERE ${column} < $1 LIMIT $2)) AND ${column} < $1`,
      [cutoff, batchSize],
    );
    deleted += result.rowCount ?? 0;
    if ((result.rowCount ?? 0) < batchSize) return deleted;
  }
}

/** Ids of consumed events older than the retention: Kafka no longer holds them, so none can come back. */
export function purgeInbox(pool: pg.Pool, retentionMs: number): Promise<number> {
  return purgeOlderThan(pool, { table: "inbox", column: "processed_at", olderThanMs: retentionMs });
}
