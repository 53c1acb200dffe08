import { randomUUID } from "node:crypto";
import { ProduceAcks, Producer, stringSerializers } from "@platformatic/kafka";
import { type PaymentCompleted, TOPICS } from "@spgroup/contracts";
import { isolatedEnv, type SharedInfra } from "@spgroup/infra/testing";
import { loadOrderConfig } from "../src/config.ts";
import { startOrderService } from "../src/service.ts";

/** The order service in this process, on its own database and topics of the shared test infra. */
export async function startIsolatedOrderService(infra: SharedInfra, extra: Record<string, string> = {}) {
  const { env, topicPrefix } = isolatedEnv(infra, extra);
  const service = await startOrderService(loadOrderConfig(env));
  const producer = new Producer({ clientId: "test", bootstrapBrokers: [infra.kafkaBrokers], serializers: stringSerializers, acks: ProduceAcks.ALL });
  const token = (await service.runtime.adminAuth.issue("test-operator")).token;
  return {
    service,
    env,
    topicPrefix,
    adminHeaders: { authorization: `Bearer ${token}` },
    /** Publishes payment results as the payment service would. */
    async publishPaymentResults(events: PaymentCompleted[]) {
      await producer.send({
        messages: events.map((e) => ({ topic: `${topicPrefix}${TOPICS.paymentsCompleted}`, key: e.data.customer_id, value: JSON.stringify(e) })),
      });
    },
    async stop() {
      await producer.close();
      await service.stop();
    },
  };
}

export function paymentCompleted(order: { id: string; customer_id: string; total_amount: string }, status: "SUCCESS" | "FAILED"): PaymentCompleted {
  return {
    event_id: randomUUID(),
    type: "PaymentCompleted",
    version: 1,
    occurred_at: new Date().toISOString(),
    data: { payment_id: `P${order.id.slice(1)}`, order_id: order.id, customer_id: order.customer_id, status, total_amount: order.total_amount },
  };
}
