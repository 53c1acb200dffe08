import { ADVISORY_LOCKS, withTransaction } from "@spgroup/platform";
import type { Pool, PoolClient } from "pg";
import { AWAITING_PAYMENT } from "../domain/order-status.ts";

/**
 * application_name of the admin read pool (lists, searches, exports). Its sessions are read-only
 * (default_transaction_read_only), so they can never insert an order and step 1 leaves them out.
 */
export const ADMIN_READ_APPLICATION_NAME = "order-admin-read";

/** Default of ORDER_WATERMARK_MARGIN_MS. */
export const DEFAULT_WATERMARK_MARGIN_MS = 250;

/** Step 1 refuses to guess when some sessions' transactions are hidden from this role. */
export class HiddenSessionsError extends Error {}

/**
 * Step 1 of the low watermark, in its own transaction (pg_stat_activity is snapshotted once per
 * transaction): the earliest time an order not yet visible to us could carry, i.e. the start of
 * the oldest transaction still open on this database, or now when none is.
 *
 * - `now() - margin`, not now: a transaction's xact_start is taken when its first statement is
 *   read, and appears in pg_stat_activity a moment later; the margin covers that gap.
 * - Only client backends count (autovacuum and other workers never insert orders), and not the
 *   admin read pool's sessions, unless one of them has a transaction id, i.e. has written.
 * - A session whose details this role may not read shows NULLs everywhere (even its database):
 *   any such session, anywhere on the server, makes this throw rather than ignore it.
 */
export async function oldestOpenTransactionStart(pool: Pool, marginMs = DEFAULT_WATERMARK_MARGIN_MS): Promise<string> {
  const { rows } = await pool.query<{ x: string; hidden: number }>(
    `SELECT least(clock_timestamp() - make_interval(secs => $1::float8 / 1000),
                  min(xact_start) FILTER (WHERE datname = current_database()
                                            AND backend_type = 'client backend'
                                            AND NOT (application_name = $2 AND backend_xid IS NULL))) AS x,
            count(*) FILTER (WHERE backend_type IS NULL)::int AS hidden
     FROM pg_stat_activity
     WHERE pid <> pg_backend_pid()`,
    [marginMs, ADMIN_READ_APPLICATION_NAME],
  );
  const row = rows[0];
  if (!row?.x) throw new Error("no timestamp from pg_stat_activity");
  if (row.hidden > 0) {
    throw new HiddenSessionsError(
      `${row.hidden} sessions are hidden from this role in pg_stat_activity; no watermark is published until it is superuser or a member of pg_read_all_stats`,
    );
  }
  return row.x;
}

/**
 * Whether this role sees every session's transaction start (superuser or pg_read_all_stats), as
 * step 1 needs: checked once at boot so a missing grant is reported plainly, not once per round.
 */
export async function seesAllSessions(pool: Pool): Promise<boolean> {
  const { rows } = await pool.query<{ sees: boolean }>("SELECT pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') AS sees");
  return rows[0]?.sees === true;
}

/**
 * Sets idle_in_transaction_session_timeout as this database's default, so that no session (ours
 * or an operator's psql) can hold step 1, and thus every campaign's finality, by idling in an open
 * transaction. New sessions take it; returns false when the role may not alter the database.
 */
export async function limitIdleTransactions(pool: Pool, timeoutMs: number): Promise<boolean> {
  try {
    // Instances starting together (a deployment of several replicas) would each update the same
    // pg_db_role_setting row, and PostgreSQL fails all but one ("tuple concurrently updated",
    // XX000), which crashed their start: one at a time, under a lock.
    await withTransaction(pool, async (client) => {
      await client.query("SELECT pg_advisory_xact_lock($1)", [ADVISORY_LOCKS.databaseSettings]);
      await client.query(`DO $$ BEGIN
        EXECUTE format('ALTER DATABASE %I SET idle_in_transaction_session_timeout = %L', current_database(), '${Math.trunc(timeoutMs)}ms');
      END $$`);
    });
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === "42501") return false;
    throw error;
  }
}

/** Whether this transaction became the one publisher of this round (held until it ends; never waits). */
export async function tryLockWatermarkPublisher(client: PoolClient): Promise<boolean> {
  const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_xact_lock($1) AS locked", [ADVISORY_LOCKS.orderWatermark]);
  return rows[0]?.locked === true;
}

/**
 * Step 2, in a later statement (a fresh snapshot): lowers X to the oldest order still awaiting
 * payment. Every order created before the result is committed and terminal.
 */
export async function lowWatermark(client: PoolClient, x: string): Promise<string> {
  const { rows } = await client.query<{ w: string }>(
    "SELECT least($1::timestamptz, (SELECT min(created_at) FROM orders WHERE status = ANY($2::order_status[]))) AS w",
    [x, AWAITING_PAYMENT],
  );
  const w = rows[0]?.w;
  if (!w) throw new Error("no watermark");
  return w;
}

/**
 * The start of the oldest transaction open on this database for more than half a second, counted as
 * step 1 counts it (client backends, not the read-only admin sessions), or null: what holds the
 * watermark when no order awaiting payment does. Null too when sessions are hidden from this role.
 */
export async function openTransactionSince(pool: Pool): Promise<string | null> {
  const { rows } = await pool.query<{ since: string | null; hidden: number }>(
    `SELECT min(xact_start) FILTER (WHERE datname = current_database() AND backend_type = 'client backend'
                                      AND NOT (application_name = $1 AND backend_xid IS NULL)
                                      AND xact_start < clock_timestamp() - interval '500 milliseconds') AS since,
            count(*) FILTER (WHERE backend_type IS NULL)::int AS hidden
     FROM pg_stat_activity WHERE pid <> pg_backend_pid()`,
    [ADMIN_READ_APPLICATION_NAME],
  );
  const row = rows[0];
  return row && row.hidden === 0 ? row.since : null;
}
