import { Data, DomainError, ErrorBody, OrderIdParams, OrderTimeline } from "@spgroup/contracts";
import { type HttpApp, logicalShardOfId, type Pool, type Shards } from "@spgroup/platform";
import { findOrder, latePaymentResultsOf } from "../db/orders.ts";
import { timelineOf } from "../domain/late-payment.ts";

const security = [{ admin: [] }];

export function orderTimelineRoutes(app: HttpApp, pools: Shards<Pool>): void {
  app.get(
    "/api/admin/v1/orders/:id/timeline",
    {
      schema: {
        tags: ["admin"],
        security,
        summary: "What happened to an order: placed, completed, late payment results, refund requested and made",
        params: OrderIdParams,
        response: { 200: Data(OrderTimeline), 404: ErrorBody },
      },
    },
    async (request) => {
      const found = await pools.find(logicalShardOfId(request.params.id), async (pool) => {
        const [order, late] = await Promise.all([findOrder(pool, request.params.id), latePaymentResultsOf(pool, request.params.id)]);
        return order ? { order, late } : undefined;
      });
      if (!found) throw new DomainError("NOT_FOUND", `order ${request.params.id} not found`);
      return { data: timelineOf(found.order, found.late) };
    },
  );
}
