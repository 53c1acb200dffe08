import { Data, DomainError, ErrorBody, ExportPaymentsQuery, OrderIdParams, Payment, PaymentStats, Page, SearchPaymentsQuery } from "@spgroup/contracts";
import { type HttpApp, type Pool, streamRowsAsCsv, streamRowsAsJson } from "@spgroup/platform";
import { ALL_PAYMENTS_SQL, exportPaymentsQuery, findPayment, PAYMENT_CSV_COLUMNS, paymentStats, searchPayments } from "../db/payments.ts";

const security = [{ admin: [] }];

export function adminPaymentRoutes(app: HttpApp, pool: Pool): void {
  app.get(
    "/api/admin/v1/payments",
    { schema: { tags: ["admin"], security, summary: "Every payment, oldest first, streamed as {data: [...]}" } },
    async (_request, reply) => {
      reply.type("application/json");
      return reply.send(await streamRowsAsJson(pool, ALL_PAYMENTS_SQL));
    },
  );

  app.get(
    "/api/admin/v1/payments/search",
    {
      schema: {
        tags: ["admin"],
        security,
        summary: "Search payments with filters, sorting and pagination",
        querystring: SearchPaymentsQuery,
        response: { 200: Page(Payment), 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (request) => searchPayments(pool, request.query),
  );

  app.get(
    "/api/admin/v1/payments/export.csv",
    { schema: { tags: ["admin"], security, summary: "Every payment matching the filters, as streamed CSV", querystring: ExportPaymentsQuery } },
    async (request, reply) => {
      const { sql, params } = exportPaymentsQuery(request.query);
      reply.type("text/csv; charset=utf-8").header("content-disposition", 'attachment; filename="payments.csv"');
      return reply.send(await streamRowsAsCsv(pool, sql, params, PAYMENT_CSV_COLUMNS));
    },
  );

  app.get(
    "/api/admin/v1/payments/stats",
    { schema: { tags: ["admin"], security, summary: "Counts for the dashboard", response: { 200: Data(PaymentStats) } } },
    async () => ({ data: await paymentStats(pool) }),
  );

  // Registered after the static paths above (search, export.csv, stats), which take precedence.
  app.get(
    "/api/admin/v1/payments/:id",
    { schema: { tags: ["admin"], security, summary: "One payment", params: OrderIdParams, response: { 200: Data(Payment), 404: ErrorBody } } },
    async (request) => {
      const payment = await findPayment(pool, request.params.id);
      if (!payment) throw new DomainError("NOT_FOUND", `payment ${request.params.id} not found`);
      return { data: payment };
    },
  );
}
