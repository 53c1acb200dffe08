import type { Winner } from "@spgroup/contracts";
import type { Queryable } from "@spgroup/platform";
import type { RankedCustomer } from "../domain/winners.ts";

/** Writes the FINAL winners; the primary key makes a second writer fail instead of adding rows. */
export async function insertFinalWinners(db: Queryable, campaignId: number, winners: RankedCustomer[]): Promise<void> {
  if (winners.length === 0) return;
  await db.query(
    `INSERT INTO campaign_winners (campaign_id, rank, customer_id, customer_name, first_order_at, max_order_amount)
     SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::timestamptz[], $6::numeric[])`,
    [
      campaignId,
      winners.map((_, i) => i + 1),
      winners.map((w) => w.customer_id),
      winners.map((w) => w.customer_name),
      winners.map((w) => w.first_order_at),
      winners.map((w) => w.max_order_amount),
    ],
  );
}

export async function finalWinners(db: Queryable, campaignId: number): Promise<Winner[]> {
  const { rows } = await db.query<Winner>(
    "SELECT rank, customer_id, customer_name, first_order_at, max_order_amount FROM campaign_winners WHERE campaign_id = $1 ORDER BY rank",
    [campaignId],
  );
  return rows;
}
