import type { TSchema } from "@sinclair/typebox";
import {
  EngineStandingsV1,
  OrderCompletedV1,
  OrderPlacedV1,
  OrdersWatermarkV1,
  PaymentCompletedV1,
  PaymentRefundedV1,
  PaymentRefundRequestedV1,
} from "./events.ts";
import { TOPICS, type TopicName } from "./topics.ts";

type Service = "order" | "payment" | "campaign" | "flink-auditor";

/**
 * Every topic: who writes it, who reads it, and the events it carries. The AsyncAPI document and
 * its test are built from this one table and the same TypeBox schemas the consumers decode with.
 */
export const TOPIC_CONTRACTS: Record<TopicName, { producer: Service; consumers: Service[]; messages: TSchema[]; summary: string }> = {
  [TOPICS.ordersPlaced]: { producer: "order", consumers: ["payment"], messages: [OrderPlacedV1], summary: "A customer placed an order; it awaits payment until pay_by." },
  [TOPICS.paymentsCompleted]: { producer: "payment", consumers: ["order"], messages: [PaymentCompletedV1], summary: "The payment of an order succeeded or failed." },
  [TOPICS.ordersCompleted]: {
    producer: "order",
    consumers: ["campaign"],
    messages: [OrderCompletedV1, OrdersWatermarkV1],
    summary: "An order reached SUCCESS or FAILED; and, on every partition, the order database's low watermark.",
  },
  [TOPICS.refundsRequested]: { producer: "order", consumers: ["payment"], messages: [PaymentRefundRequestedV1], summary: "A payment succeeded for an order already FAILED: give the money back." },
  [TOPICS.paymentsRefunded]: { producer: "payment", consumers: ["order"], messages: [PaymentRefundedV1], summary: "A payment was refunded." },
  [TOPICS.flinkStandings]: {
    producer: "flink-auditor",
    consumers: ["campaign"],
    messages: [EngineStandingsV1],
    summary: "Apache Flink's provisional standings of a campaign after each minute (npm run flink-standings); keyed by campaign id.",
  },
};

/** The schema's `$id` (e.g. "OrderPlaced.v1"), used as the message's name in the document. */
const messageId = (schema: TSchema) => String(schema.$id).replace(".", "_");

/**
 * The AsyncAPI 3.0 document of the platform's Kafka topics, with the deployment's topic prefix.
 * Every message is keyed by customer_id (one customer's events stay in one partition, in order),
 * except the order database's watermarks, sent to each partition, and Flink's standings, keyed by campaign; all are JSON; a message a
 * consumer cannot apply goes to `<topic>.dlq`.
 */
export function asyncApiDocument(topicPrefix = ""): Record<string, unknown> {
  const messages: Record<string, unknown> = {};
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  for (const [topic, contract] of Object.entries(TOPIC_CONTRACTS) as [TopicName, (typeof TOPIC_CONTRACTS)[TopicName]][]) {
    const channelId = topic.replace(".", "_");
    const refs: Record<string, unknown> = {};
    for (const schema of contract.messages) {
      const id = messageId(schema);
      messages[id] = {
        name: String(schema.$id),
        contentType: "application/json",
        headers: {
          type: "object",
          properties: {
            traceparent: {
              type: "string",
              pattern: "^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$",
              description: "W3C Trace Context of the span that wrote it: the order's POST, or the event handled, so one order's path has one trace id (absent on watermarks)",
            },
          },
        },
        bindings: {
          kafka: {
            key: { type: "string", description: schema === OrdersWatermarkV1 ? "watermark-<partition>; sent to that partition explicitly" : "customer_id" },
          },
        },
        payload: schema,
      };
      refs[id] = { $ref: `#/components/messages/${id}` };
    }
    channels[channelId] = {
      address: `${topicPrefix}${topic}`,
      description: `${contract.summary} Written by the ${contract.producer} service; read by ${contract.consumers.map((c) => `the ${c} service`).join(" and ")}. Dead letters: ${topicPrefix}${topic}.dlq.`,
      messages: refs,
      "x-producer": contract.producer,
      "x-consumers": contract.consumers,
    };
    operations[`${contract.producer}Sends_${channelId}`] = { action: "send", channel: { $ref: `#/channels/${channelId}` }, summary: `The ${contract.producer} service publishes (transactional outbox).` };
    for (const consumer of contract.consumers) {
      operations[`${consumer}Receives_${channelId}`] = { action: "receive", channel: { $ref: `#/channels/${channelId}` }, summary: `The ${consumer} service consumes (inbox: exactly once in effect).` };
    }
  }
  return {
    asyncapi: "3.0.0",
    info: {
      title: "SPgroup E-Commerce Platform events",
      version: "1.0.0",
      description: "Kafka topics between the order, payment and campaign services. Every message is JSON in a versioned envelope (event_id, type, version, occurred_at, data), keyed by customer_id (watermarks: one per partition, sent to it; Flink's standings: by campaign id); consumers drop redeliveries by event_id.",
    },
    defaultContentType: "application/json",
    channels,
    operations,
    components: { messages },
  };
}
