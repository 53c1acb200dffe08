import { AwaitingPayment, AwaitingPaymentQuery, Data, ErrorBody } from "@spgroup/contracts";
import { type HttpApp, instantFilter, isTransientDatabaseError, type Pool, type Shards } from "@spgroup/platform";
import { awaitingPaymentOrders } from "../db/orders.ts";
import { openTransactionSince } from "../db/watermark.ts";

/**
 * GET /api/admin/v1/ops/awaiting-payment: per order database, what holds its watermark (and so a
 * CLOSING campaign's FINAL) back: its oldest orders awaiting a payment result and its oldest open
 * transaction; with ?overdue=true, the orders stuck past the payment timeout (money at risk).
 * `reads` are the admin read pools (their sessions never hold a watermark).
 */
export function awaitingPaymentRoutes(
  app: HttpApp,
  reads: Shards<Pool>,
  options: { names: readonly string[]; paymentTimeoutMs: number; watermarkOf: (name: string) => string | undefined },
): void {
  app.get(
    "/api/admin/v1/ops/awaiting-payment",
    {
      schema: {
        tags: ["admin"],
        security: [{ admin: [] }],
        summary: "Per order database: the oldest orders awaiting payment and the oldest open transaction, i.e. what holds its watermark back",
        querystring: AwaitingPaymentQuery,
        response: { 200: Data(AwaitingPayment), 400: ErrorBody },
      },
    },
    async (request) => {
      const { created_before, overdue, limit } = request.query;
      const createdBefore = created_before === undefined ? undefined : instantFilter(created_before, "created_before");
      const shards = await Promise.all(
        reads.all.map(async (pool, i) => {
          const database = options.names[i] as string;
          const watermark = options.watermarkOf(database) ?? null;
          try {
            const [awaiting, since] = await Promise.all([
              awaitingPaymentOrders(pool, { ...(createdBefore ? { createdBefore } : {}), overdue: overdue === true, timeoutMs: options.paymentTimeoutMs, limit: limit ?? 20 }),
              openTransactionSince(pool),
            ]);
            return { database, reachable: true, watermark, open_transaction_since: since, ...awaiting };
          } catch (error) {
            if (!isTransientDatabaseError(error)) throw error;
            return { database, reachable: false, watermark, open_transaction_since: null, orders: [], total: 0 };
          }
        }),
      );
      return { data: { payment_timeout_ms: options.paymentTimeoutMs, shards } };
    },
  );
}
