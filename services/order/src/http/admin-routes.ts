import { ErrorBody, Order, Page, SearchOrdersQuery } from "@spgroup/contracts";
import { type HttpApp, type Pool, streamRowsAsJson } from "@spgroup/platform";
import { ALL_ORDERS_SQL, searchOrders } from "../db/orders.ts";

const security = [{ admin: [] }];

export function adminOrderRoutes(app: HttpApp, pool: Pool): void {
  app.get(
    "/api/admin/v1/orders",
    { schema: { tags: ["admin"], security, summary: "Every order, oldest first, streamed as {data: [...]}" } },
    async (_request, reply) => {
      reply.type("application/json");
      return reply.send(await streamRowsAsJson(pool, ALL_ORDERS_SQL));
    },
  );

  app.get(
    "/api/admin/v1/orders/search",
    {
      schema: {
        tags: ["admin"],
        security,
        summary: "Search orders with filters, sorting and pagination",
        querystring: SearchOrdersQuery,
        response: { 200: Page(Order), 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (request) => searchOrders(pool, request.query),
  );
}
