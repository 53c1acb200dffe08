import { TOPIC_CONTRACTS, TOPICS } from "@spgroup/contracts";
import { customerHeaders, eventually, recordTopic } from "@spgroup/infra/testing";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startProcessStack } from "./support/stack.ts";

type Channel = { address: string; messages: Record<string, { $ref: string }> };

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
    for (const customer of ["api-1", "api-2", "DECLINE-api", "SLOW-api"]) {
      const response = await fetch(`${stack.order.url}/api/v1/orders`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(await customerHeaders(customer)) },
        body: JSON.stringify({ customer_id: customer, customer_name: `Customer ${customer}`, total_amount: "250.00" }),
      });
      expect(response.status).toBe(202);
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
