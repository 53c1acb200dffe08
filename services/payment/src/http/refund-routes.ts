import { Data, DomainError, ErrorBody, formatCents, PaymentIdParams, RefundRequestsQuery, RefundRequestView, RefundTotals } from "@spgroup/contracts";
import { type HttpApp, HttpError, logicalShardOfId, type Pool, type Shards } from "@spgroup/platform";
import { Type } from "@sinclair/typebox";
import { type RefundSettings, refundNow } from "../app/refund-payments.ts";
import { pendingRefundTotals, refundRequestsOf } from "../db/refund-requests.ts";
import type { PaymentGateway } from "../gateway/payment-gateway.ts";

const security = [{ admin: [] }];
const tags = ["refunds"];

/**
 * Money at risk, on the payment side: the refunds the order service asked for (payments that
 * succeeded for an order that had FAILED), pending or settled, and an operator's "refund now".
 */
export function refundRoutes(app: HttpApp, shards: Shards<{ pool: Pool; nudge: () => void }>, gateway: PaymentGateway, settings: RefundSettings): void {
  app.get(
    "/api/admin/v1/payments/refund-requests",
    {
      schema: {
        tags,
        security,
        summary: "Refunds asked for (a payment that succeeded for a FAILED order): pending by default, newest first, with attempts and the last error",
        querystring: RefundRequestsQuery,
        response: { 200: Data(Type.Array(RefundRequestView)), 400: ErrorBody },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 200;
      const parts = await Promise.all(shards.all.map((shard) => refundRequestsOf(shard.pool, request.query.state ?? "pending", limit)));
      const latest = (r: RefundRequestView) => r.settled_at ?? r.requested_at;
      const pending = (request.query.state ?? "pending") === "pending";
      // Pending: the longest-charged first (the ones a limit must not cut off); else the latest first.
      const rows = parts
        .flat()
        .sort((a, b) =>
          pending
            ? a.requested_at.localeCompare(b.requested_at) || a.payment_id.localeCompare(b.payment_id)
            : latest(a) < latest(b)
              ? 1
              : latest(a) > latest(b)
                ? -1
                : a.payment_id.localeCompare(b.payment_id),
        );
      return { data: rows.slice(0, limit) };
    },
  );

  app.get(
    "/api/admin/v1/payments/refund-requests/totals",
    {
      schema: {
        tags,
        security,
        summary: "Money at risk: how many customers are charged for a FAILED order and not refunded yet, and the sum (every shard)",
        response: { 200: Data(RefundTotals) },
      },
    },
    async () => {
      const parts = await Promise.all(shards.all.map((shard) => pendingRefundTotals(shard.pool)));
      const cents = parts.reduce((sum, p) => sum + p.cents, 0);
      return { data: { count: parts.reduce((sum, p) => sum + p.count, 0), amount: formatCents(cents) } };
    },
  );

  app.post(
    "/api/admin/v1/payments/refund-requests/:payment_id/refund",
    {
      schema: {
        tags,
        security,
        summary: "Make a pending refund now instead of at its next scheduled attempt (at most once, as the pass does); recorded in the activity log",
        params: PaymentIdParams,
        response: { 200: Data(RefundRequestView), 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      const { payment_id: paymentId } = request.params;
      const shard = await shards.find(logicalShardOfId(paymentId), async (s) => ((await refundRequestsOf(s.pool, "all", 1, paymentId)).length > 0 ? s : undefined));
      if (!shard) throw new DomainError("NOT_FOUND", `no refund was asked for payment ${paymentId}`);
      // The onRequest hook has verified the token and the role; this is whose it is, for the record.
      const operator = request.operator;
      if (!operator) throw new HttpError(401, "an operator token is required");
      const view = await refundNow(shard.pool, gateway, paymentId, operator, settings);
      shard.nudge();
      request.log.warn({ paymentId, operator: operator.name, status: view.payment_status, error: view.last_error }, "refund made now by an operator");
      return { data: view };
    },
  );
}
