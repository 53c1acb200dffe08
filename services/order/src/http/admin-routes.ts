import { ExportOrdersQuery, Order, OrderStats, SearchOrdersQuery } from "@spgroup/contracts";
import { adminRecordRoutes, type HttpApp, type Pool } from "@spgroup/platform";
import { ALL_ORDERS_SQL, exportOrdersQuery, ORDER_CSV_COLUMNS, orderStats, searchOrders } from "../db/orders.ts";

/**
 * `pool` is the admin read pool (read-only sessions, statement timeout): a stalled export or a slow
 * count holds an open transaction for its whole length, which the watermark ignores only there.
 * One order (GET /api/v1/orders/:id) and its timeline have their own routes.
 */
export function adminOrderRoutes(app: HttpApp, pool: Pool): void {
  adminRecordRoutes(app, pool, {
    plural: "orders",
    singular: "order",
    schemas: { item: Order, search: SearchOrdersQuery, export: ExportOrdersQuery, stats: OrderStats },
    allSql: ALL_ORDERS_SQL,
    search: searchOrders,
    exportQuery: exportOrdersQuery,
    csvColumns: ORDER_CSV_COLUMNS,
    stats: orderStats,
  });
}
