import { isolatedEnv, type SharedInfra, testPool } from "@spgroup/infra/testing";
import { loadCampaignConfig } from "../../src/config.ts";
import { startCampaignService } from "../../src/service.ts";

/** The campaign service in this process, on its own database and topics of the shared test infra. */
export async function startIsolatedCampaignService(infra: SharedInfra, extra: Record<string, string> = {}) {
  const { env, topicPrefix } = isolatedEnv(infra, extra);
  const service = await startCampaignService(loadCampaignConfig(env));
  const db = testPool(env.CAMPAIGN_DATABASE_URL as string);
  const token = (await service.runtime.adminAuth.issue("test-operator")).token;
  const headers = { authorization: `Bearer ${token}` };
  return {
    service,
    env,
    topicPrefix,
    db,
    token,
    headers,
    request(method: "GET" | "POST" | "PUT", url: string, payload?: object) {
      return service.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
    },
    async stop() {
      await db.end();
      await service.stop();
    },
  };
}

/**
 * The seed's winner query, with the issue's clarifications (ties by order id, inclusive window),
 * over the orders whose id starts with $6 (test runs share one database).
 */
export const SEED_RULE_SQL = `
WITH successful AS (
  SELECT * FROM orders WHERE status = 'SUCCESS' AND created_at >= $1 AND created_at <= $2 AND id LIKE $6
), first_customers AS (
  SELECT f.customer_id, f.first_order_date, f.first_order_id, m.max_order_amount
  FROM (SELECT DISTINCT ON (customer_id) customer_id, created_at AS first_order_date, id AS first_order_id
        FROM successful ORDER BY customer_id, created_at, id) f
  JOIN (SELECT customer_id, MAX(total_amount) AS max_order_amount FROM successful GROUP BY customer_id) m USING (customer_id)
  ORDER BY f.first_order_date, f.first_order_id
  LIMIT $3
)
SELECT customer_id FROM first_customers
WHERE max_order_amount > $4
ORDER BY first_order_date, first_order_id
LIMIT $5`;
