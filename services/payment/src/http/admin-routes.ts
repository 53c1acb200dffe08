import { ErrorBody, Page, Payment, SearchPaymentsQuery } from "@spgroup/contracts";
import { type HttpApp, type Pool, streamRowsAsJson } from "@spgroup/platform";
import { ALL_PAYMENTS_SQL, searchPayments } from "../db/payments.ts";

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
}
