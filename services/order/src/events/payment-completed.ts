import { decoderFor, type PaymentCompleted, PaymentOutcomeEvent, type PaymentRefunded, TOPICS } from "@spgroup/contracts";
import type { ServiceRuntime } from "@spgroup/platform";
import { applyPaymentResults, type PaymentResultsContext, recordRefunds } from "../app/apply-payment-results.ts";

/**
 * payments.completed → applyPaymentResults, payments.refunded → recordRefunds, exactly once in
 * effect. One consumer for both topics: the platform gives each service one consumer group.
 */
export function paymentCompletedConsumer(runtime: ServiceRuntime, ctx: PaymentResultsContext) {
  return runtime.consumer<PaymentCompleted | PaymentRefunded>({
    topics: [TOPICS.paymentsCompleted, TOPICS.paymentsRefunded],
    decode: decoderFor(PaymentOutcomeEvent),
    // Each result and refund is applied in its customer's order database.
    customerOf: (event) => event.data.customer_id,
    handle: async (client, events) => {
      const results = events.flatMap((e) => (e.event.type === "PaymentCompleted" ? [e.event] : []));
      const refunds = events.flatMap((e) => (e.event.type === "PaymentRefunded" ? [e.event] : []));
      if (results.length > 0) await applyPaymentResults(ctx, client, runtime.logger, results);
      await recordRefunds(client, refunds);
    },
  });
}
