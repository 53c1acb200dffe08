import { ExportOrdersQuery, Order, OrderStats, SearchOrdersQuery } from "@spgroup/contracts";
import { adminRecordRoutes, type HttpApp, type Pool, type Shards } from "@spgroup/platform";
import { ALL_ORDERS, ORDER_CSV_COLUMNS, orderSearch, orderStats } from "../db/orders.ts";

/**
 * The pools are the admin read pools (one per shard) (read-only sessions, statement timeout): a stalled export or a slow
 * count holds an open transaction for its whole length, which the watermark ignores only there.
 * One order (GET /api/v1/orders/:id) and its timeline have their own routes.
 */
export function adminOrderRoutes(app: HttpApp, pools: Shards<Pool>): void {
  adminRecordRoutes(app, pools, {
    plural: "orders",
    singular: "order",
    schemas: { item: Order, search: SearchOrdersQuery, export: ExportOrdersQuery, stats: OrderStats },
    all: ALL_ORDERS,
    search: orderSearch,
    csvColumns: ORDER_CSV_COLUMNS,
    stats: orderStats,
  });
}
