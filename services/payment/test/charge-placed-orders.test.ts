import { randomUUID } from "node:crypto";
import { ProduceAcks, Producer, stringSerializers } from "@platformatic/kafka";
import { type OrderPlaced, TOPICS } from "@spgroup/contracts";
import { eventually, isolatedEnv, recordTopic, testPool } from "@spgroup/infra/testing";
import { deadLetterTopic } from "@spgroup/platform";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadPaymentConfig } from "../src/config.ts";
import { startPaymentService } from "../src/service.ts";

function orderPlaced(orderId: string, customerId: string, amount: string): OrderPlaced {
  return {
    event_id: randomUUID(),
    type: "OrderPlaced",
    version: 1,
    occurred_at: new Date().toISOString(),
    data: { order_id: orderId, customer_id: customerId, customer_name: "C", total_amount: amount, created_at: new Date().toISOString() },
  };
}

describe("charging placed orders", () => {
  let service: Awaited<ReturnType<typeof startPaymentService>>;
  let db: ReturnType<typeof testPool>;
  let producer: Producer<string, string, string, string>;
  let results: Awaited<ReturnType<typeof recordTopic>>;
  let prefix: string;

  beforeAll(async () => {
    const isolated = isolatedEnv(inject("infra"), { PAYMENT_APPROVAL_RATIO: "1" });
    prefix = isolated.topicPrefix;
    service = await startPaymentService(loadPaymentConfig(isolated.env));
    db = testPool(isolated.env.PAYMENT_DATABASE_URL as string);
    producer = new Producer({ clientId: "test", bootstrapBrokers: [inject("infra").kafkaBrokers], serializers: stringSerializers, acks: ProduceAcks.ALL });
    results = await recordTopic(inject("infra").kafkaBrokers, `${prefix}${TOPICS.paymentsCompleted}`);
  });
  afterAll(async () => {
    await results.close();
    await producer.close();
    await db.end();
    await service.stop();
  });

  const publish = (events: OrderPlaced[]) =>
    producer.send({ messages: events.map((e) => ({ topic: `${prefix}${TOPICS.ordersPlaced}`, key: e.data.customer_id, value: JSON.stringify(e) })) });
  const paymentsOf = async (orderId: string) => (await db.query("SELECT * FROM payments WHERE order_id = $1", [orderId])).rows;
  const resultsOf = (orderId: string) => results.messages.filter((m) => (m.value.data as { order_id: string }).order_id === orderId);

  it("charges an order once for its exact amount and announces the result", async () => {
    const event = orderPlaced("ORD-PAY-1", "cust-a", "1234.56");
    await publish([event]);
    const result = await eventually(async () => resultsOf("ORD-PAY-1")[0], 10_000, "PaymentCompleted");
    expect(result.key).toBe("cust-a");
    expect(result.value).toMatchObject({ type: "PaymentCompleted", data: { order_id: "ORD-PAY-1", status: "SUCCESS", total_amount: "1234.56" } });
    const payments = await paymentsOf("ORD-PAY-1");
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({ status: "SUCCESS", total_amount: "1234.56", customer_id: "cust-a" });
  });

  it("makes at most one payment per order whatever the redeliveries", async () => {
    const event = orderPlaced("ORD-PAY-2", "cust-b", "10.00");
    // The same event three times, and a second event (new id) for the same order.
    await publish([event, event]);
    await publish([event, { ...orderPlaced("ORD-PAY-2", "cust-b", "10.00") }]);
    await eventually(async () => (resultsOf("ORD-PAY-2").length > 0 ? true : undefined), 10_000, "PaymentCompleted");
    // Let the later duplicates be consumed too before counting.
    const marker = orderPlaced("ORD-PAY-2-MARKER", "cust-b", "1.00");
    await publish([marker]);
    await eventually(async () => (resultsOf("ORD-PAY-2-MARKER").length > 0 ? true : undefined), 10_000, "marker");
    expect(await paymentsOf("ORD-PAY-2")).toHaveLength(1);
    expect(resultsOf("ORD-PAY-2")).toHaveLength(1);
  });

  it("declines customers on the simulated decline list", async () => {
    await publish([orderPlaced("ORD-PAY-3", "DECLINE-me", "50.00")]);
    const result = await eventually(async () => resultsOf("ORD-PAY-3")[0], 10_000, "PaymentCompleted");
    expect(result.value).toMatchObject({ data: { status: "FAILED", decline_reason: expect.stringContaining("declined") } });
    expect((await paymentsOf("ORD-PAY-3"))[0]).toMatchObject({ status: "FAILED" });
  });

  it("dead-letters an invalid event and keeps consuming its partition", async () => {
    const deadLetters = await recordTopic(inject("infra").kafkaBrokers, deadLetterTopic(`${prefix}${TOPICS.ordersPlaced}`));
    try {
      await producer.send({ messages: [{ topic: `${prefix}${TOPICS.ordersPlaced}`, key: "cust-c", value: '{"type":"OrderPlaced","data":{}}' }] });
      await publish([orderPlaced("ORD-PAY-4", "cust-c", "7.00")]);
      await eventually(async () => resultsOf("ORD-PAY-4")[0], 10_000, "PaymentCompleted after a poison message");
      const letter = await eventually(async () => deadLetters.messages[0], 10_000, "dead letter");
      expect(letter.value).toMatchObject({ reason: "INVALID", topic: `${prefix}${TOPICS.ordersPlaced}`, value: '{"type":"OrderPlaced","data":{}}' });
    } finally {
      await deadLetters.close();
    }
  });

  it("dead-letters an event that keeps failing, without blocking the events behind it", async () => {
    const deadLetters = await recordTopic(inject("infra").kafkaBrokers, deadLetterTopic(`${prefix}${TOPICS.ordersPlaced}`));
    try {
      // Valid by its schema, but PostgreSQL refuses a NUL byte in text: fails every time.
      const poison = orderPlaced("BAD\u0000ID", "cust-d", "9.00");
      await publish([poison, orderPlaced("ORD-PAY-5", "cust-d", "9.00")]);
      await eventually(async () => resultsOf("ORD-PAY-5")[0], 20_000, "the event behind the poison");
      const letter = await eventually(async () => deadLetters.messages.find((m) => (m.value as { reason: string }).reason === "FAILED"), 20_000, "FAILED dead letter");
      expect(JSON.parse((letter.value as { value: string }).value)).toMatchObject({ event_id: poison.event_id });
      expect((letter.value as { errors: string[] }).errors[0]).toMatch(/0x00|byte|UTF8/i);
    } finally {
      await deadLetters.close();
    }
  });
});
