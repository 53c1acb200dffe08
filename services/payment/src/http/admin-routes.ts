import { ExportPaymentsQuery, OrderIdParams, Payment, PaymentStats, SearchPaymentsQuery } from "@spgroup/contracts";
import { adminRecordRoutes, type HttpApp, type Pool } from "@spgroup/platform";
import { ALL_PAYMENTS_SQL, exportPaymentsQuery, findPayment, PAYMENT_CSV_COLUMNS, paymentStats, searchPayments } from "../db/payments.ts";

export function adminPaymentRoutes(app: HttpApp, pool: Pool): void {
  adminRecordRoutes(app, pool, {
    plural: "payments",
    singular: "payment",
    schemas: { item: Payment, search: SearchPaymentsQuery, export: ExportPaymentsQuery, stats: PaymentStats, id: OrderIdParams },
    allSql: ALL_PAYMENTS_SQL,
    search: searchPayments,
    exportQuery: exportPaymentsQuery,
    csvColumns: PAYMENT_CSV_COLUMNS,
    stats: paymentStats,
    find: findPayment,
  });
}
