import type { Pool, PoolClient } from "pg";
import { AWAITING_PAYMENT } from "../domain/order-status.ts";

/**
 * Step 1 of the low watermark, in its own transaction (pg_stat_activity is snapshotted once per
 * transaction): the earliest time an order not yet visible to us could carry, i.e. the start of
 * the oldest transaction still open on this database, or now when none is.
 */
export async function oldestOpenTransactionStart(pool: Pool): Promise<string> {
  const { rows } = await pool.query<{ x: string }>(
    `SELECT least(clock_timestamp(), min(xact_start)) AS x
     FROM pg_stat_activity
     WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL`,
  );
  const x = rows[0]?.x;
  if (!x) throw new Error("no timestamp from pg_stat_activity");
  return x;
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
