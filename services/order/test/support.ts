import { randomUUID } from "node:crypto";
import { ProduceAcks, Producer, stringSerializers } from "@platformatic/kafka";
import { type Order, type PaymentCompleted, TOPICS } from "@spgroup/contracts";
import { customerHeaders, isolatedEnv, recordTopic, type SharedInfra, testPool } from "@spgroup/infra/testing";
import { loadOrderConfig } from "../src/config.ts";
import { startOrderService } from "../src/service.ts";

/**
 * The order service in this process, on its own database and topics of the shared test infra,
 * with a direct connection to that database (`db`) and recorders of its topics (`record`), all
 * closed by `stop`.
 */
export async function startIsolatedOrderService(infra: SharedInfra, extra: Record<string, string> = {}) {
  const { env, topicPrefix } = isolatedEnv(infra, extra);
  const service = await startOrderService(loadOrderConfig(env));
  const producer = new Producer({ clientId: "test", bootstrapBrokers: [infra.kafkaBrokers], serializers: stringSerializers, acks: ProduceAcks.ALL });
  const token = (await service.runtime.adminAuth.issue("test-operator")).token;
  const db = testPool(env.ORDER_DATABASE_URL as string);
  const recorders: Awaited<ReturnType<typeof recordTopic>>[] = [];
  return {
    service,
    env,
    topicPrefix,
    db,
    /** Places an order over HTTP as the signed-in customer; returns the order as the API answered. */
    async place(customer: string, amount: number): Promise<Order> {
      const response = await service.app.inject({
        method: "POST",
        url: "/api/v1/orders",
        payload: { customer_id: customer, customer_name: "C", total_amount: amount },
        headers: await customerHeaders(customer),
      });
      return response.json().data;
    },
    /** An order's status as stored. */
    async statusOf(id: string): Promise<string | undefined> {
      return (await db.query("SELECT status FROM orders WHERE id = $1", [id])).rows[0]?.status;
    },
    /** Reads every message of one of this service's topics (a name from TOPICS), from the beginning. */
    async record(topic: string) {
      const recorder = await recordTopic(infra.kafkaBrokers, `${topicPrefix}${topic}`);
      recorders.push(recorder);
      return recorder;
    },
    adminHeaders: { authorization: `Bearer ${token}` },
    /** Publishes payment results as the payment service would. */
    async publishPaymentResults(events: PaymentCompleted[]) {
      await producer.send({
        messages: events.map((e) => ({ topic: `${topicPrefix}${TOPICS.paymentsCompleted}`, key: e.data.customer_id, value: JSON.stringify(e) })),
      });
    },
    async stop() {
      await Promise.all(recorders.map((r) => r.close()));
      await producer.close();
      await db.end();
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
