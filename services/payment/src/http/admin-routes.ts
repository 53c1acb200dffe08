import { ExportPaymentsQuery, OrderIdParams, Payment, PaymentStats, SearchPaymentsQuery } from "@spgroup/contracts";
import { adminRecordRoutes, type HttpApp, type Pool, type Shards } from "@spgroup/platform";
import { ALL_PAYMENTS, findPayment, PAYMENT_CSV_COLUMNS, paymentSearch, paymentStats } from "../db/payments.ts";

export function adminPaymentRoutes(app: HttpApp, pools: Shards<Pool>): void {
  adminRecordRoutes(app, pools, {
    plural: "payments",
    singular: "payment",
    schemas: { item: Payment, search: SearchPaymentsQuery, export: ExportPaymentsQuery, stats: PaymentStats, id: OrderIdParams },
    all: ALL_PAYMENTS,
    search: paymentSearch,
    csvColumns: PAYMENT_CSV_COLUMNS,
    stats: paymentStats,
    find: findPayment,
  });
}
