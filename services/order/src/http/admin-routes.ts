import { Data, ErrorBody, ExportOrdersQuery, Order, OrderStats, Page, SearchOrdersQuery } from "@spgroup/contracts";
import { type HttpApp, type Pool, streamRowsAsCsv, streamRowsAsJson } from "@spgroup/platform";
import { ALL_ORDERS_SQL, ORDER_CSV_COLUMNS, exportOrdersQuery, orderStats, searchOrders } from "../db/orders.ts";

const security = [{ admin: [] }];

/**
 * `pool` is the admin read pool (read-only sessions, statement timeout): a stalled export or a slow
 * count holds an open transaction for its whole length, which the watermark ignores only there.
 */
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

  app.get(
    "/api/admin/v1/orders/export.csv",
    { schema: { tags: ["admin"], security, summary: "Every order matching the filters, as streamed CSV", querystring: ExportOrdersQuery } },
    async (request, reply) => {
      const { sql, params } = exportOrdersQuery(request.query);
      reply.type("text/csv; charset=utf-8").header("content-disposition", 'attachment; filename="orders.csv"');
      return reply.send(await streamRowsAsCsv(pool, sql, params, ORDER_CSV_COLUMNS));
    },
  );

  app.get(
    "/api/admin/v1/orders/stats",
    { schema: { tags: ["admin"], security, summary: "Counts for the dashboard", response: { 200: Data(OrderStats) } } },
    async () => ({ data: await orderStats(pool) }),
  );
}
