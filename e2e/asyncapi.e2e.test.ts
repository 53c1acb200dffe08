import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TOPIC_CONTRACTS, TOPICS } from "@spgroup/contracts";
import { customerHeaders, eventually, recordTopic } from "@spgroup/infra/testing";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startProcessStack } from "./support/stack.ts";

type Channel = { address: string; messages: Record<string, { $ref: string }> };

const CLIENT_TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const CLIENT_TRACEPARENT = `00-${CLIENT_TRACE_ID}-00f067aa0ba902b7-01`;

// The services' own topics: each must carry what the document lists in this test. Flink's standings
// come from the auditor's job, checked in e2e/flink-audit.e2e.test.ts.
const SERVICE_TOPICS = Object.values(TOPICS).filter((t) => TOPIC_CONTRACTS[t].producer !== "flink-auditor");
type Doc = { asyncapi: string; channels: Record<string, Channel>; components: { messages: Record<string, { payload: object }> } };

describe("the AsyncAPI document", () => {
  let stack: Awaited<ReturnType<typeof startProcessStack>>;
  let recorders: Awaited<ReturnType<typeof recordTopic>>[] = [];

  beforeAll(async () => {
    // A late payer, so a late success asks for a refund and gets one: every topic carries something.
    // The deadline is far (the charge always starts before it, however slowly OrderPlaced is
    // delivered on a loaded machine); the test then moves the slow order's created_at past the
    // timeout, so the order service fails it while its charge is in flight (the gateway takes 4 s):
    // the race a real late payer makes, without depending on delivery time (a 15 s timeout did, and
    // an OrderPlaced delivered after it was declined, not paid late).
    stack = await startProcessStack(inject("infra"), {
      // Every event a service applies is logged (with its trace id) at debug.
      LOG_LEVEL: "debug",
      // Every charge approved but DECLINE-*'s: at the default 0.9 the slow payer's own charge was
      // declined for one order id in ten (a hash of the id), and then no refund could ever come.
      PAYMENT_APPROVAL_RATIO: "1",
      ORDER_PAYMENT_TIMEOUT_MS: "120000",
      ORDER_EXPIRY_SWEEP_MS: "100",
      PAYMENT_SLOW_LATENCY_MS: "4000",
      PAYMENT_REFUND_PASS_INTERVAL_MS: "100",
    });
    recorders = await Promise.all(SERVICE_TOPICS.map((t) => recordTopic(inject("infra").kafkaBrokers, `${stack.topicPrefix}${t}`)));
  });
  afterAll(async () => {
    await Promise.all(recorders.map((r) => r.close()));
    await stack?.stop();
  });

  it("describes every topic with the events its producer really writes", async () => {
    const doc = (await (await fetch(`${stack.order.url}/docs/asyncapi.json`)).json()) as Doc;
    expect(doc.asyncapi).toBe("3.0.0");
    const byAddress = new Map(Object.values(doc.channels).map((c) => [c.address, c]));
    expect([...byAddress.keys()].sort()).toEqual(Object.values(TOPICS).map((t) => `${stack.topicPrefix}${t}`).sort());

    // Orders only once the payment service consumes (its group joined), so that the slow payer's
    // charge starts well before its deadline.
    await eventually(async () => ((await fetch(`${stack.payment.url}/ready`)).ok ? true : undefined), 30_000, "the payment service consuming");
    const answeredTrace = new Map<string, string>();
    for (const customer of ["api-1", "api-2", "DECLINE-api", "SLOW-api"]) {
      // The slow payer's client sends its own trace (W3C traceparent); the others start one each.
      const trace = customer === "SLOW-api" ? { traceparent: CLIENT_TRACEPARENT } : {};
      const response = await fetch(`${stack.order.url}/api/v1/orders`, {
        method: "POST",
        headers: { "content-type": "application/json", ...trace, ...(await customerHeaders(customer)) },
        body: JSON.stringify({ customer_id: customer, customer_name: `Customer ${customer}`, total_amount: "250.00" }),
      });
      expect(response.status).toBe(202);
      expect(response.headers.get("traceparent")).toMatch(customer === "SLOW-api" ? new RegExp(`^00-${CLIENT_TRACE_ID}-[0-9a-f]{16}-01$`) : /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      answeredTrace.set(customer, (response.headers.get("traceparent") ?? "").split("-")[1] ?? "");
    }
    const aged = await stack.orderDb.query("UPDATE orders SET created_at = created_at - interval '10 minutes' WHERE customer_id = 'SLOW-api'");
    expect(aged.rowCount).toBe(1);
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const channels = SERVICE_TOPICS.map((topic, i) => {
      const channel = byAddress.get(`${stack.topicPrefix}${topic}`) as Channel;
      const validators = Object.entries(channel.messages).map(([name, m]) => {
        const message = doc.components.messages[m.$ref.split("/").at(-1) as string];
        if (!message) throw new Error(`${m.$ref} is not in components.messages`);
        return { name, validate: ajv.compile(message.payload) };
      });
      return { topic, validators, recorded: (recorders[i] as Awaited<ReturnType<typeof recordTopic>>).messages };
    });
    // Every event a channel lists has been seen on it (the refund comes last): a channel listing
    // an event its producer never writes fails here.
    await eventually(
      async () => {
        const missing = channels.flatMap((c) => c.validators.filter((v) => !c.recorded.some((m) => v.validate(m.value))).map((v) => `${c.topic}: ${v.name}`));
        if (missing.length > 0) throw new Error(`not seen yet: ${missing.join(", ")}`);
        return true;
      },
      60_000,
      "every listed event on its channel",
    );
    // One trace through every hop: each event about an order carries the trace of its POST as its
    // traceparent header, a new span per event: the client's own trace for the slow payer (all five
    // hops, the timeout and the refund included), the one the service started for api-1 (paid).
    const hopsOf = (customer: string) => {
      const placed = (channels.find((c) => c.topic === TOPICS.ordersPlaced)?.recorded ?? []).find((m) => (m.value.data as { customer_id?: string }).customer_id === customer);
      const orderId = (placed?.value.data as { order_id?: string } | undefined)?.order_id;
      // One per event: the relay publishes at least once, and a copy carries the same header.
      const byEvent = new Map<string, { topic: string; traceparent: string | undefined }>();
      for (const c of channels) {
        for (const m of c.recorded) if (orderId && (m.value.data as { order_id?: string }).order_id === orderId) byEvent.set(String(m.value.event_id), { topic: c.topic, traceparent: m.headers.traceparent });
      }
      return [...byEvent.values()];
    };
    const topicsOf = (hops: { topic: string }[]) => [...new Set(hops.map((h) => h.topic))].sort();
    await eventually(
      async () =>
        topicsOf(hopsOf("SLOW-api")).length === 5 && topicsOf(hopsOf("api-1")).length === 3 ? true : undefined,
      30_000,
      "every hop of both orders recorded",
    );
    expect(topicsOf(hopsOf("SLOW-api"))).toEqual([TOPICS.ordersCompleted, TOPICS.ordersPlaced, TOPICS.paymentsCompleted, TOPICS.paymentsRefunded, TOPICS.refundsRequested].sort());
    for (const [customer, traceId] of [["SLOW-api", CLIENT_TRACE_ID], ["api-1", answeredTrace.get("api-1") as string]] as const) {
      const hops = hopsOf(customer);
      for (const hop of hops) expect(hop.traceparent, `${customer} ${hop.topic}`).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
      expect(new Set(hops.map((h) => h.traceparent)).size, `${customer}: a new span per event`).toBe(hops.length);
    }
    // Every header, on every channel, is what the document says.
    for (const { topic, recorded } of channels) {
      const refs = Object.values((byAddress.get(`${stack.topicPrefix}${topic}`) as Channel).messages);
      const schemas = refs.map((ref) => ajv.compile((doc.components.messages[ref.$ref.split("/").at(-1) as string] as unknown as { headers: object }).headers));
      for (const m of recorded) expect(schemas.some((valid) => valid(m.headers)), `${topic}: ${JSON.stringify(m.headers)}`).toBe(true);
    }
    // And into each service's log: the order service's and the payment service's lines about it.
    for (const service of ["order", "payment"]) {
      const lines = readFileSync(join(stack.logs, `${service}.log`), "utf8").split("\n").filter((l) => l.includes(`"trace_id":"${CLIENT_TRACE_ID}"`));
      expect(lines.length, `${service}.log lines with the trace id`).toBeGreaterThanOrEqual(2);
    }

    // And every event produced is one the channel lists.
    for (const { topic, validators, recorded } of channels) {
      for (const message of recorded) {
        expect(
          validators.some((v) => v.validate(message.value)),
          `${topic}: ${JSON.stringify(message.value)}`,
        ).toBe(true);
      }
    }
  }, 90_000);
});
