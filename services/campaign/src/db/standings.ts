import { ADVISORY_LOCKS, type Queryable } from "@spgroup/platform";
import type { CustomerStanding } from "../domain/winners.ts";
import type { StoredOrder } from "./orders.ts";

// Ingest holds this lock shared and campaign changes hold it exclusive, so a change of window never
// interleaves with a batch: either the batch sees the new window or the rebuild sees the batch.
const STANDINGS_LOCK = ADVISORY_LOCKS.campaignStandings;
export const STANDINGS_CHANNEL = "campaign_standings";

/** Takes the standings lock until the transaction ends (see STANDINGS_LOCK). */
export async function lockStandings(db: Queryable, mode: "shared" | "exclusive"): Promise<void> {
  await db.query(mode === "shared" ? "SELECT pg_advisory_xact_lock_shared($1)" : "SELECT pg_advisory_xact_lock($1)", [STANDINGS_LOCK]);
}

/** Tells every instance's standings stream that a campaign changed; delivered when the transaction commits. */
export async function notifyStandingsChanged(db: Queryable, campaignId: number): Promise<void> {
  await db.query("SELECT pg_notify($1, $2)", [STANDINGS_CHANNEL, String(campaignId)]);
}

// (first_order_at, first_order_id) orders customers exactly as the rule does; the upsert keeps the
// smaller pair with its name and the larger amount, so applying orders in any order, or twice,
// gives the same row.
const MERGE = `ON CONFLICT (campaign_id, customer_id) DO UPDATE SET
  customer_name = CASE WHEN (EXCLUDED.first_order_at, EXCLUDED.first_order_id) < (campaign_customers.first_order_at, campaign_customers.first_order_id)
                       THEN EXCLUDED.customer_name ELSE campaign_customers.customer_name END,
  first_order_id = CASE WHEN (EXCLUDED.first_order_at, EXCLUDED.first_order_id) < (campaign_customers.first_order_at, campaign_customers.first_order_id)
                       THEN EXCLUDED.first_order_id ELSE campaign_customers.first_order_id END,
  first_order_at = CASE WHEN (EXCLUDED.first_order_at, EXCLUDED.first_order_id) < (campaign_customers.first_order_at, campaign_customers.first_order_id)
                       THEN EXCLUDED.first_order_at ELSE campaign_customers.first_order_at END,
  max_order_amount = GREATEST(campaign_customers.max_order_amount, EXCLUDED.max_order_amount)`;

/** Folds SUCCESS orders inside the campaign window into its per-customer standings. */
export async function addToStandings(
  db: Queryable,
  campaign: { id: number; start_time: string; end_time: string },
  orders: StoredOrder[],
): Promise<number> {
  const successful = orders.filter((o) => o.status === "SUCCESS");
  if (successful.length === 0) return 0;
  const { rowCount } = await db.query(
    `INSERT INTO campaign_customers (campaign_id, customer_id, customer_name, first_order_at, first_order_id, max_order_amount)
     SELECT DISTINCT ON (customer_id) $1::bigint, customer_id, customer_name, created_at, id, max(total_amount) OVER (PARTITION BY customer_id)
     FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::numeric[]) AS o(id, customer_id, customer_name, created_at, total_amount)
     WHERE created_at >= $7 AND created_at <= $8
     ORDER BY customer_id, created_at, id
     ${MERGE}`,
    [
      campaign.id,
      successful.map((o) => o.id),
      successful.map((o) => o.customer_id),
      successful.map((o) => o.customer_name),
      successful.map((o) => o.created_at),
      successful.map((o) => o.total_amount),
      campaign.start_time,
      campaign.end_time,
    ],
  );
  return rowCount ?? 0;
}

/** Recomputes a campaign's standings from every stored order (after its window or policy changed). */
export async function rebuildStandings(db: Queryable, campaign: { id: number; start_time: string; end_time: string }): Promise<void> {
  await db.query("DELETE FROM campaign_customers WHERE campaign_id = $1", [campaign.id]);
  await db.query(
    `INSERT INTO campaign_customers (campaign_id, customer_id, customer_name, first_order_at, first_order_id, max_order_amount)
     SELECT DISTINCT ON (customer_id) $1::bigint, customer_id, customer_name, created_at, id, max(total_amount) OVER (PARTITION BY customer_id)
     FROM orders
     WHERE status = 'SUCCESS' AND created_at >= $2 AND created_at <= $3
     ORDER BY customer_id, created_at, id`,
    [campaign.id, campaign.start_time, campaign.end_time],
  );
}

/** The first `limit` customers by first order time: an index range scan, however many customers. */
export async function leadingCustomers(db: Queryable, campaignId: number, limit: number): Promise<CustomerStanding[]> {
  const { rows } = await db.query<CustomerStanding>(
    `SELECT customer_id, customer_name, first_order_at, first_order_id, max_order_amount
     FROM campaign_customers WHERE campaign_id = $1
     ORDER BY first_order_at, first_order_id LIMIT $2`,
    [campaignId, limit],
  );
  return rows;
}
