import { randomUUID } from "node:crypto";
import { ProduceAcks, Producer, stringSerializers } from "@platformatic/kafka";
import { type PaymentCompleted, type PaymentRefunded, TOPICS } from "@spgroup/contracts";
import { eventually, type recordTopic, type testPool } from "@spgroup/infra/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { paymentCompleted, startIsolatedOrderService } from "./support.ts";

type Placed = { id: string; customer_id: string; total_amount: string; created_at: string };

describe("payment deadlines and refunds of late payments", () => {
  const TIMEOUT_MS = 1500;
  let harness: Awaited<ReturnType<typeof startIsolatedOrderService>>;
  let db: ReturnType<typeof testPool>;
  let producer: Producer<string, string, string, string>;
  let placedTopic: Awaited<ReturnType<typeof recordTopic>>;
  let refundRequests: Awaited<ReturnType<typeof recordTopic>>;

  beforeAll(async () => {
    harness = await startIsolatedOrderService(inject("infra"), { ORDER_PAYMENT_TIMEOUT_MS: String(TIMEOUT_MS), ORDER_EXPIRY_SWEEP_MS: "100" });
    db = harness.db;
    producer = new Producer({ clientId: "test", bootstrapBrokers: [inject("infra").kafkaBrokers], serializers: stringSerializers, acks: ProduceAcks.ALL });
    placedTopic = await harness.record(TOPICS.ordersPlaced);
    refundRequests = await harness.record(TOPICS.refundsRequested);
  });
  afterAll(async () => {
    await producer.close();
    await harness.stop();
  });

  const place = (customer: string, amount: number) => harness.place(customer, amount);
  const statusOf = (id: string) => harness.statusOf(id);
  const failedByTimeout = async (customer: string, amount: number) => {
    const order = await place(customer, amount);
    await eventually(async () => ((await statusOf(order.id)) === "FAILED" ? true : undefined), 10_000, "timeout FAILED");
    return order;
  };
  const requestsFor = (orderId: string) => refundRequests.messages.filter((m) => (m.value.data as { order_id: string }).order_id === orderId);
  const paymentRefunded = (order: Placed): PaymentRefunded => ({
    event_id: randomUUID(),
    type: "PaymentRefunded",
    version: 1,
    occurred_at: new Date().toISOString(),
    data: { payment_id: `P${order.id.slice(1)}`, order_id: order.id, customer_id: order.customer_id, total_amount: order.total_amount, refunded_at: new Date().toISOString() },
  });
  const publishRefunded = (events: PaymentRefunded[]) =>
    producer.send({ messages: events.map((e) => ({ topic: `${harness.topicPrefix}${TOPICS.paymentsRefunded}`, key: e.data.customer_id, value: JSON.stringify(e) })) });
  const timelineOf = async (id: string) => {
    const response = await harness.service.app.inject({ method: "GET", url: `/api/admin/v1/orders/${id}/timeline`, headers: harness.adminHeaders });
    expect(response.statusCode).toBe(200);
    return response.json().data as { at: string; step: string; status: string; payment_id?: string }[];
  };

  it("gives OrderPlaced the payment deadline: created_at plus the payment timeout, on the database's clock", async () => {
    const order = await place("cust-deadline", 42);
    const event = await eventually(async () => placedTopic.messages.find((m) => (m.value.data as { order_id: string }).order_id === order.id), 10_000, "OrderPlaced");
    const data = event.value.data as { created_at: string; pay_by: string };
    expect(data.created_at).toBe(order.created_at);
    expect(data.pay_by).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    expect(Date.parse(data.pay_by) - Date.parse(data.created_at)).toBe(TIMEOUT_MS);
  });

  it("asks for exactly one refund when a success reaches a FAILED order, however often it is delivered", async () => {
    const order = await failedByTimeout("cust-late-1", 120);
    const result = paymentCompleted(order, "SUCCESS");
    // The same event twice, again later, and re-emitted under a new event id.
    await harness.publishPaymentResults([result, result]);
    await harness.publishPaymentResults([result, { ...paymentCompleted(order, "SUCCESS") }]);
    // A marker behind them on the same partition: once its refund is asked for, they were all consumed.
    const marker = await failedByTimeout("cust-late-1", 7);
    await harness.publishPaymentResults([paymentCompleted(marker, "SUCCESS")]);
    await eventually(async () => requestsFor(marker.id)[0], 10_000, "marker's refund request");

    const requests = requestsFor(order.id);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.key).toBe("cust-late-1");
    expect(requests[0]?.value).toMatchObject({
      type: "PaymentRefundRequested",
      version: 1,
      data: { payment_id: result.data.payment_id, order_id: order.id, customer_id: "cust-late-1", total_amount: "120.00" },
    });
    expect(await statusOf(order.id)).toBe("FAILED");
    const late = (await db.query("SELECT status, order_status FROM late_payment_results WHERE order_id = $1", [order.id])).rows;
    expect(late).toEqual([
      { status: "SUCCESS", order_status: "FAILED" },
      { status: "SUCCESS", order_status: "FAILED" },
    ]);
  });

  it("asks for no refund for a failed payment, nor for a success of an order that succeeded", async () => {
    const failed = await failedByTimeout("cust-late-2", 30);
    const paid = await place("cust-late-2", 40);
    const success = paymentCompleted(paid, "SUCCESS");
    await harness.publishPaymentResults([success]);
    await eventually(async () => ((await statusOf(paid.id)) === "SUCCESS" ? true : undefined), 10_000, "SUCCESS");
    const events: PaymentCompleted[] = [paymentCompleted(failed, "FAILED"), { ...success, event_id: randomUUID() }];
    await harness.publishPaymentResults(events);
    const marker = await failedByTimeout("cust-late-2", 8);
    await harness.publishPaymentResults([paymentCompleted(marker, "SUCCESS")]);
    await eventually(async () => requestsFor(marker.id)[0], 10_000, "marker's refund request");
    expect(requestsFor(failed.id)).toHaveLength(0);
    expect(requestsFor(paid.id)).toHaveLength(0);
  });

  it("shows the late payment, the refund request and the refund in the order's timeline", async () => {
    const order = await failedByTimeout("cust-late-3", 55);
    await harness.publishPaymentResults([paymentCompleted(order, "SUCCESS")]);
    await eventually(async () => requestsFor(order.id)[0], 10_000, "refund request");
    const refunded = paymentRefunded(order);
    await publishRefunded([refunded, refunded]);
    const steps = await eventually(async () => {
      const timeline = await timelineOf(order.id);
      return timeline.some((s) => s.step === "REFUNDED") ? timeline : undefined;
    }, 10_000, "REFUNDED in the timeline");
    expect(steps.map((s) => s.step)).toEqual(["PLACED", "COMPLETED", "LATE_PAYMENT_RESULT", "REFUND_REQUESTED", "REFUNDED"]);
    expect(steps.find((s) => s.step === "REFUNDED")).toMatchObject({ status: "REFUNDED", payment_id: refunded.data.payment_id });
    expect(steps.find((s) => s.step === "COMPLETED")).toMatchObject({ status: "FAILED" });
    expect((await harness.service.app.inject({ method: "GET", url: "/api/admin/v1/orders/NOPE/timeline", headers: harness.adminHeaders })).statusCode).toBe(404);
    expect((await harness.service.app.inject({ method: "GET", url: `/api/admin/v1/orders/${order.id}/timeline` })).statusCode).toBe(401);
  });
});
