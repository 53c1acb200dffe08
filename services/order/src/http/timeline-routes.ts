import { Data, DomainError, ErrorBody, OrderIdParams, OrderTimeline } from "@spgroup/contracts";
import type { HttpApp, Pool } from "@spgroup/platform";
import { findOrder, latePaymentResultsOf } from "../db/orders.ts";
import { timelineOf } from "../domain/late-payment.ts";

const security = [{ admin: [] }];

export function orderTimelineRoutes(app: HttpApp, pool: Pool): void {
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
      const [order, late] = await Promise.all([findOrder(pool, request.params.id), latePaymentResultsOf(pool, request.params.id)]);
      if (!order) throw new DomainError("NOT_FOUND", `order ${request.params.id} not found`);
      return { data: timelineOf(order, late) };
    },
  );
}
