import { randomUUID } from "node:crypto";
import { ProduceAcks, Producer, stringSerializers } from "@platformatic/kafka";
import { type OrderPlaced, type PaymentRefundRequested, TOPICS } from "@spgroup/contracts";
import { eventually, isolatedEnv, recordTopic, testPool } from "@spgroup/infra/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadPaymentConfig } from "../src/config.ts";
import { countChargedWithoutSuccess } from "../src/db/reconciliation.ts";
import { DEADLINE_PASSED_REASON } from "../src/domain/payment.ts";
import type { ChargeRequest, PaymentGateway, RefundRequest } from "../src/gateway/payment-gateway.ts";
import { SimulatedGateway } from "../src/gateway/simulated-gateway.ts";
import { startPaymentService } from "../src/service.ts";

/** The simulator, with a record of what the service asked of it. */
class RecordingGateway implements PaymentGateway {
  readonly simulator = new SimulatedGateway({ approvalRatio: 1, latencyMs: 0, declinePrefix: "DECLINE" });
  readonly charges: ChargeRequest[] = [];
  readonly refunds: RefundRequest[] = [];
  /** While true, the provider refuses every refund (an outage on its side). */
  refuseRefunds = false;
  refusedRefunds = 0;
  charge(request: ChargeRequest) {
    this.charges.push(request);
    return this.simulator.charge(request);
  }
  earlierCharge(orderId: string) {
    return this.simulator.earlierCharge(orderId);
  }
  refund(request: RefundRequest) {
    if (this.refuseRefunds) {
      this.refusedRefunds++;
      return Promise.resolve({ refunded: false as const, reason: "provider unavailable" });
    }
    this.refunds.push(request);
    return this.simulator.refund(request);
  }
}

function orderPlaced(orderId: string, customerId: string, amount: string, payBy?: Date): OrderPlaced {
  const now = new Date().toISOString();
  return {
    event_id: randomUUID(),
    type: "OrderPlaced",
    version: 1,
    occurred_at: now,
    data: { order_id: orderId, customer_id: customerId, customer_name: "C", total_amount: amount, created_at: now, ...(payBy ? { pay_by: payBy.toISOString() } : {}) },
  };
}

function refundRequested(payment: { id: string; order_id: string; customer_id: string; total_amount: string }): PaymentRefundRequested {
  return {
    event_id: randomUUID(),
    type: "PaymentRefundRequested",
    version: 1,
    occurred_at: new Date().toISOString(),
    data: { payment_id: payment.id, order_id: payment.order_id, customer_id: payment.customer_id, total_amount: payment.total_amount, reason: "order FAILED" },
  };
}

describe("payment deadlines and refunds", () => {
  let service: Awaited<ReturnType<typeof startPaymentService>>;
  const gateway = new RecordingGateway();
  let db: ReturnType<typeof testPool>;
  let producer: Producer<string, string, string, string>;
  let completed: Awaited<ReturnType<typeof recordTopic>>;
  let refunded: Awaited<ReturnType<typeof recordTopic>>;
  let prefix: string;
  let headers: { authorization: string };

  beforeAll(async () => {
    const isolated = isolatedEnv(inject("infra"), { PAYMENT_DEADLINE_MARGIN_MS: "1000" });
    prefix = isolated.topicPrefix;
    service = await startPaymentService(loadPaymentConfig(isolated.env), gateway);
    db = testPool(isolated.env.PAYMENT_DATABASE_URL as string);
    headers = { authorization: `Bearer ${(await service.runtime.adminAuth.issue("op")).token}` };
    producer = new Producer({ clientId: "test", bootstrapBrokers: [inject("infra").kafkaBrokers], serializers: stringSerializers, acks: ProduceAcks.ALL });
    completed = await recordTopic(inject("infra").kafkaBrokers, `${prefix}${TOPICS.paymentsCompleted}`);
    refunded = await recordTopic(inject("infra").kafkaBrokers, `${prefix}${TOPICS.paymentsRefunded}`);
  });
  afterAll(async () => {
    await Promise.all([completed.close(), refunded.close()]);
    await producer.close();
    await db.end();
    await service.stop();
  });

  const send = (topic: string, events: (OrderPlaced | PaymentRefundRequested)[]) =>
    producer.send({ messages: events.map((e) => ({ topic: `${prefix}${topic}`, key: e.data.customer_id, value: JSON.stringify(e) })) });
  const paymentOf = async (orderId: string) => (await db.query("SELECT * FROM payments WHERE order_id = $1", [orderId])).rows[0];
  const ofOrder = (recorded: typeof completed, orderId: string) => recorded.messages.filter((m) => (m.value.data as { order_id: string }).order_id === orderId);
  const chargedNow = async (orderId: string, customer: string) => {
    await send(TOPICS.ordersPlaced, [orderPlaced(orderId, customer, "250.00", new Date(Date.now() + 60_000))]);
    return eventually(async () => ((await paymentOf(orderId))?.status === "SUCCESS" ? paymentOf(orderId) : undefined), 10_000, `payment of ${orderId}`);
  };

  it("does not charge an order past its payment deadline, nor within the margin, and says why", async () => {
    await send(TOPICS.ordersPlaced, [
      orderPlaced("ORD-LATE-1", "cust-dl", "99.00", new Date(Date.now() - 5_000)),
      orderPlaced("ORD-LATE-2", "cust-dl", "99.00", new Date(Date.now() + 300)),
      // No pay_by: an event written before deadlines existed is charged as it always was.
      orderPlaced("ORD-LATE-3", "cust-dl", "99.00"),
    ]);
    for (const id of ["ORD-LATE-1", "ORD-LATE-2", "ORD-LATE-3"]) await eventually(async () => ofOrder(completed, id)[0], 10_000, `result of ${id}`);
    for (const id of ["ORD-LATE-1", "ORD-LATE-2"]) {
      expect(ofOrder(completed, id)[0]?.value).toMatchObject({ data: { status: "FAILED", decline_reason: DEADLINE_PASSED_REASON } });
      expect(await paymentOf(id)).toMatchObject({ status: "FAILED", decline_reason: DEADLINE_PASSED_REASON });
    }
    expect(await paymentOf("ORD-LATE-3")).toMatchObject({ status: "SUCCESS", decline_reason: null });
    expect(gateway.charges.map((c) => c.orderId)).toEqual(["ORD-LATE-3"]);
  });

  it("records a charge approved before the deadline whose payment was never written, when its order comes again past the deadline", async () => {
    // The provider approved the charge, then the payment database went away before the commit.
    await gateway.simulator.charge({ orderId: "ORD-LOST-1", customerId: "cust-lost", amountCents: 25_000 });
    const before = gateway.charges.length;
    await send(TOPICS.ordersPlaced, [orderPlaced("ORD-LOST-1", "cust-lost", "250.00", new Date(Date.now() - 5_000))]);
    await eventually(async () => ofOrder(completed, "ORD-LOST-1")[0], 10_000, "result of ORD-LOST-1");
    // Recorded as the success it was (the order service asks for its refund if the order FAILED),
    // and not charged a second time.
    expect(ofOrder(completed, "ORD-LOST-1")[0]?.value).toMatchObject({ data: { status: "SUCCESS" } });
    expect(await paymentOf("ORD-LOST-1")).toMatchObject({ status: "SUCCESS", decline_reason: null });
    expect(gateway.charges.length).toBe(before);
  });

  it("refunds a payment once when the request is delivered twice, and announces it once", async () => {
    const payment = await chargedNow("ORD-RF-1", "cust-rf");
    const request = refundRequested(payment);
    // The same event twice, then the same request again under a new event id.
    await send(TOPICS.refundsRequested, [request, request]);
    await send(TOPICS.refundsRequested, [refundRequested(payment)]);
    // A marker behind them on the same partition: once it is refunded, the duplicates were consumed.
    const marker = await chargedNow("ORD-RF-2", "cust-rf");
    await send(TOPICS.refundsRequested, [refundRequested(marker)]);
    await eventually(async () => ofOrder(refunded, "ORD-RF-2")[0], 10_000, "marker refunded");

    const row = await paymentOf("ORD-RF-1");
    expect(row).toMatchObject({ status: "REFUNDED", refunded_at: expect.any(String) });
    expect(gateway.refunds.filter((r) => r.paymentId === payment.id)).toEqual([{ paymentId: payment.id, orderId: "ORD-RF-1", amountCents: 25_000 }]);
    const announced = ofOrder(refunded, "ORD-RF-1");
    expect(announced).toHaveLength(1);
    expect(announced[0]?.key).toBe("cust-rf");
    expect(announced[0]?.value).toMatchObject({
      type: "PaymentRefunded",
      data: { payment_id: payment.id, order_id: "ORD-RF-1", total_amount: "250.00", refunded_at: row.refunded_at },
    });
  });

  it("keeps a refund the gateway refuses, retrying with back-off until it is made, once", async () => {
    const payment = await chargedNow("ORD-RF-9", "cust-outage");
    gateway.refuseRefunds = true;
    try {
      await send(TOPICS.refundsRequested, [refundRequested(payment)]);
      const pending = await eventually(
        async () => {
          const row = (await db.query("SELECT attempts, last_error, settled_at FROM refund_requests WHERE payment_id = $1", [payment.id])).rows[0];
          return row && row.attempts >= 2 ? row : undefined;
        },
        20_000,
        "two refused attempts",
      );
      expect(pending).toMatchObject({ last_error: expect.stringContaining("provider unavailable"), settled_at: null });
      expect(await paymentOf("ORD-RF-9")).toMatchObject({ status: "SUCCESS", refunded_at: null });
    } finally {
      gateway.refuseRefunds = false;
    }
    await eventually(async () => ofOrder(refunded, "ORD-RF-9")[0], 90_000, "refund made once the provider is back");
    expect(await paymentOf("ORD-RF-9")).toMatchObject({ status: "REFUNDED" });
    expect(gateway.refunds.filter((r) => r.paymentId === payment.id)).toHaveLength(1);
    expect(ofOrder(refunded, "ORD-RF-9")).toHaveLength(1);
    expect((await db.query("SELECT settled_at FROM refund_requests WHERE payment_id = $1", [payment.id])).rows[0].settled_at).not.toBeNull();
  });

  it("lists a pending refund under money at risk, and an operator makes it now (once, in the activity log); a viewer may only look", async () => {
    const payment = await chargedNow("ORD-RF-NOW", "cust-now");
    gateway.refuseRefunds = true;
    try {
      await send(TOPICS.refundsRequested, [refundRequested(payment)]);
      await eventually(
        async () => ((await db.query("SELECT attempts FROM refund_requests WHERE payment_id = $1", [payment.id])).rows[0]?.attempts >= 1 ? true : undefined),
        20_000,
        "a refused attempt",
      );
      // Its next attempt an hour away, as after a long back-off: the operator does not wait for it
      // (and the scheduled pass cannot make it first).
      await db.query("UPDATE refund_requests SET next_attempt_at = now() + interval '1 hour' WHERE payment_id = $1", [payment.id]);
    } finally {
      gateway.refuseRefunds = false;
    }
    const pending = await service.app.inject({ method: "GET", url: "/api/admin/v1/payments/refund-requests", headers });
    expect(pending.statusCode).toBe(200);
    const row = pending.json().data.find((r: { payment_id: string }) => r.payment_id === payment.id);
    expect(row).toMatchObject({ order_id: "ORD-RF-NOW", customer_id: "cust-now", total_amount: "250.00", payment_status: "SUCCESS", settled_at: null, last_error: expect.stringContaining("provider unavailable") });
    expect(row.attempts).toBeGreaterThanOrEqual(1);
    const totals = async () => (await service.app.inject({ method: "GET", url: "/api/admin/v1/payments/refund-requests/totals", headers })).json().data as { count: number; amount: string };
    const atRisk = await totals();
    expect(atRisk.count).toBeGreaterThanOrEqual(1);
    expect(Number(atRisk.amount)).toBeGreaterThanOrEqual(250);

    const viewer = { authorization: `Bearer ${(await service.runtime.adminAuth.issue("vic", "viewer")).token}` };
    const refused = await service.app.inject({ method: "POST", url: `/api/admin/v1/payments/refund-requests/${payment.id}/refund`, headers: viewer });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error_code).toBe("FORBIDDEN_ROLE");

    // While a pass holds the request (its gateway call running), "refund now" says so and calls nothing.
    const pass = await db.connect();
    try {
      await pass.query("BEGIN");
      await pass.query("SELECT 1 FROM refund_requests WHERE payment_id = $1 FOR UPDATE", [payment.id]);
      const busy = await service.app.inject({ method: "POST", url: `/api/admin/v1/payments/refund-requests/${payment.id}/refund`, headers });
      expect(busy.statusCode).toBe(409);
      expect(busy.json().error_code).toBe("IN_PROGRESS");
    } finally {
      await pass.query("ROLLBACK");
      pass.release();
    }
    expect(gateway.refunds.filter((r) => r.paymentId === payment.id)).toHaveLength(0);

    const made = await service.app.inject({ method: "POST", url: `/api/admin/v1/payments/refund-requests/${payment.id}/refund`, headers });
    expect(made.statusCode).toBe(200);
    expect(made.json().data).toMatchObject({ payment_id: payment.id, payment_status: "REFUNDED", settled_at: expect.any(String), next_attempt_at: null });
    await eventually(async () => ofOrder(refunded, "ORD-RF-NOW")[0], 10_000, "refund announced");
    expect(await totals()).toEqual({ count: atRisk.count - 1, amount: (Number(atRisk.amount) - 250).toFixed(2) });
    expect(gateway.refunds.filter((r) => r.paymentId === payment.id)).toHaveLength(1);

    // Once settled: 409 with its code, and no second refund; an unknown payment: 404.
    const again = await service.app.inject({ method: "POST", url: `/api/admin/v1/payments/refund-requests/${payment.id}/refund`, headers });
    expect(again.statusCode).toBe(409);
    expect(again.json().error_code).toBe("ALREADY_SETTLED");
    const unknown = await service.app.inject({ method: "POST", url: "/api/admin/v1/payments/refund-requests/01NOSUCHPAYMENT00000/refund", headers });
    expect(unknown.statusCode).toBe(404);
    expect(gateway.refunds.filter((r) => r.paymentId === payment.id)).toHaveLength(1);
    const settled = (await service.app.inject({ method: "GET", url: "/api/admin/v1/payments/refund-requests?state=settled", headers })).json().data;
    expect(settled.map((r: { payment_id: string }) => r.payment_id)).toContain(payment.id);
    expect((await service.app.inject({ method: "GET", url: "/api/admin/v1/payments/refund-requests", headers })).json().data.map((r: { payment_id: string }) => r.payment_id)).not.toContain(payment.id);

    const activity = (await service.app.inject({ method: "GET", url: "/api/admin/v1/payments/activity?action=refund.now", headers })).json().data;
    expect(activity).toEqual([
      expect.objectContaining({ actor: "op", action: "refund.now", target: `payment ${payment.id} (order ORD-RF-NOW)`, before: expect.objectContaining({ payment_status: "SUCCESS" }), after: { payment_status: "REFUNDED", refunded: true } }),
    ]);
  });

  it("ignores a refund request for a payment that failed", async () => {
    await send(TOPICS.ordersPlaced, [orderPlaced("ORD-RF-3", "cust-fl", "10.00", new Date(Date.now() - 1_000))]);
    const failed = await eventually(async () => paymentOf("ORD-RF-3"), 10_000, "failed payment");
    await send(TOPICS.refundsRequested, [refundRequested(failed)]);
    const marker = await chargedNow("ORD-RF-4", "cust-fl");
    await send(TOPICS.refundsRequested, [refundRequested(marker)]);
    await eventually(async () => ofOrder(refunded, "ORD-RF-4")[0], 10_000, "marker refunded");
    expect(await paymentOf("ORD-RF-3")).toMatchObject({ status: "FAILED", refunded_at: null });
    expect(ofOrder(refunded, "ORD-RF-3")).toHaveLength(0);
    expect(gateway.refunds.some((r) => r.orderId === "ORD-RF-3")).toBe(false);
  });

  it("shows refunds in the admin search (filter REFUNDED), detail and CSV export", async () => {
    const payment = await chargedNow("ORD-RF-5", "cust-admin-rf");
    await send(TOPICS.refundsRequested, [refundRequested(payment)]);
    await eventually(async () => ofOrder(refunded, "ORD-RF-5")[0], 10_000, "refunded");

    const search = await service.app.inject({ method: "GET", url: "/api/admin/v1/payments/search?status=REFUNDED&customer_id=cust-admin-rf", headers });
    expect(search.statusCode).toBe(200);
    expect(search.json().data).toEqual([expect.objectContaining({ id: payment.id, status: "REFUNDED" })]);
    const all = (await service.app.inject({ method: "GET", url: "/api/admin/v1/payments/search?status=REFUNDED&size=200", headers })).json().data;
    expect(all.every((p: { status: string }) => p.status === "REFUNDED")).toBe(true);

    const detail = await service.app.inject({ method: "GET", url: `/api/admin/v1/payments/${payment.id}`, headers });
    expect(detail.json().data).toMatchObject({ id: payment.id, status: "REFUNDED" });

    const csv = await service.app.inject({ method: "GET", url: "/api/admin/v1/payments/export.csv?status=REFUNDED", headers });
    expect(csv.statusCode).toBe(200);
    const [header, ...lines] = csv.body.trim().split("\n");
    expect(header?.split(",")).toEqual(expect.arrayContaining(["status", "refunded_at"]));
    const line = lines.find((l) => l.includes(payment.id));
    expect(line).toContain("REFUNDED");
    expect(lines.every((l) => l.includes("REFUNDED"))).toBe(true);
  });

  it("counts customers charged for a FAILED order until they are refunded", async () => {
    // The order database, as far as the count needs it, stood up next to the payments.
    await db.query("CREATE TABLE orders (id varchar(20) PRIMARY KEY, status text NOT NULL)");
    const payment = await chargedNow("ORD-RF-6", "cust-recon");
    await db.query("INSERT INTO orders (id, status) SELECT order_id, 'SUCCESS' FROM payments WHERE order_id <> $1 ON CONFLICT DO NOTHING", ["ORD-RF-6"]);
    await db.query("INSERT INTO orders (id, status) VALUES ($1, 'FAILED')", ["ORD-RF-6"]);
    expect(await countChargedWithoutSuccess(db, db)).toBe(1);
    await send(TOPICS.refundsRequested, [refundRequested(payment)]);
    await eventually(async () => ofOrder(refunded, "ORD-RF-6")[0], 10_000, "refunded");
    expect(await countChargedWithoutSuccess(db, db)).toBe(0);
  });
});
