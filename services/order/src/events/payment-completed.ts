import { decoderFor, type PaymentCompleted, PaymentCompletedV1, TOPICS } from "@spgroup/contracts";
import type { ServiceRuntime } from "@spgroup/platform";
import { applyPaymentResults } from "../app/apply-payment-results.ts";
import type { OrderContext } from "../app/context.ts";

/** payments.completed → applyPaymentResults, exactly once in effect. */
export function paymentCompletedConsumer(runtime: ServiceRuntime, ctx: OrderContext) {
  return runtime.consumer<PaymentCompleted>({
    topics: [TOPICS.paymentsCompleted],
    decode: decoderFor(PaymentCompletedV1),
    handle: (client, events) => applyPaymentResults(ctx, client, runtime.logger, events.map((e) => e.event)),
  });
}
