// `npm run dead-letters -- list [topic …]`    prints the dead letters of the given topics (default: all)
// `npm run dead-letters -- replay [topic …]`  re-publishes each dead letter not replayed before to its
//                                             original topic (after the cause was fixed); the consumers'
//                                             inbox keeps a replay from applying anything twice.
import { randomUUID } from "node:crypto";
import { Consumer, ProduceAcks, Producer, stringDeserializers, stringSerializers } from "@platformatic/kafka";
import { TOPICS } from "@spgroup/contracts";
import { type DeadLetter, deadLetterTopic } from "@spgroup/platform";

const [command, ...names] = process.argv.slice(2);
if (command !== "list" && command !== "replay") {
  console.error("usage: npm run dead-letters -- <list|replay> [topic …]");
  process.exit(2);
}
const brokers = (process.env.KAFKA_BROKERS ?? "127.0.0.1:19092").split(",");
const prefix = process.env.KAFKA_TOPIC_PREFIX ?? "";
const topics = (names.length > 0 ? names : Object.values(TOPICS)).map((t) => deadLetterTopic(`${prefix}${t}`));

// Listing reads everything with a throw-away group; replaying uses a fixed group, so each letter is replayed once.
const consumer = new Consumer({
  clientId: "dead-letters",
  groupId: command === "replay" ? `${prefix}dead-letter-replayer` : `dead-letter-lister-${randomUUID()}`,
  bootstrapBrokers: brokers,
  deserializers: stringDeserializers,
});
const producer = new Producer({ clientId: "dead-letters", bootstrapBrokers: brokers, serializers: stringSerializers, idempotent: true, acks: ProduceAcks.ALL });
const stream = await consumer.consume({ topics, mode: command === "replay" ? "committed" : "earliest", fallbackMode: "earliest", autocommit: false, maxWaitTime: 500 });

let count = 0;
let idle: NodeJS.Timeout | undefined;
const finish = async () => {
  await consumer.close(true);
  await producer.close();
  console.log(`${count} dead letter(s) ${command === "replay" ? "replayed" : "listed"}`);
  process.exit(0);
};
const armIdle = () => {
  clearTimeout(idle);
  idle = setTimeout(() => void finish(), 3_000);
};
armIdle();
for await (const message of stream) {
  armIdle();
  const letter = JSON.parse(message.value) as DeadLetter;
  count++;
  if (command === "list") {
    console.log(`${letter.dead_lettered_at} ${letter.reason} ${letter.topic}[${letter.partition}]@${letter.offset} key=${letter.key}: ${letter.errors.join("; ")}`);
    console.log(`  ${letter.value.slice(0, 300)}`);
  } else {
    await producer.send({ messages: [{ topic: letter.topic, key: letter.key ?? "dead-letter", value: letter.value }] });
    await message.commit();
    console.log(`replayed ${letter.topic}[${letter.partition}]@${letter.offset}`);
  }
}
