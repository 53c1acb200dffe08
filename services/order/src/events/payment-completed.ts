import { decoderFor, PaymentCompletedV1, type PaymentCompleted, TOPICS } from "@spgroup/contracts";
import { EventConsumer, type ServiceRuntime } from "@spgroup/platform";
import { applyPaymentResults } from "../app/apply-payment-results.ts";
import type { OrderContext } from "../app/context.ts";

const decode = decoderFor(PaymentCompletedV1);

/** payments.completed → applyPaymentResults, exactly once in effect. */
export function paymentCompletedConsumer(runtime: ServiceRuntime, ctx: OrderContext): EventConsumer<PaymentCompleted> {
  return new EventConsumer<PaymentCompleted>({
    settings: runtime.kafka,
    groupId: runtime.topic("order-service"),
    topics: [runtime.topic(TOPICS.paymentsCompleted)],
    pool: runtime.pool,
    logger: runtime.logger,
    metrics: runtime.metrics,
    decode: (_topic, value) => decode(value),
    handle: (client, events) => applyPaymentResults(ctx, client, runtime.logger, events.map((e) => e.event)),
    afterCommit: () => runtime.relay.nudge(),
  });
}
