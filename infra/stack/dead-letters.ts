// `npm run dead-letters -- list [topic …]`    prints the dead letters of the given topics (default: all)
// `npm run dead-letters -- replay [topic …]`  re-publishes each dead letter not replayed before to its
//                                             original topic (after the cause was fixed); the consumers'
//                                             inbox keeps a replay from applying anything twice.
import { Consumer, ProduceAcks, Producer, stringDeserializers, stringSerializers } from "@platformatic/kafka";
import { TOPICS } from "@spgroup/contracts";
import { deadLetterTopic, parseDeadLetter, readDeadLetters } from "@spgroup/platform";

const [command, ...names] = process.argv.slice(2);
if (command !== "list" && command !== "replay") {
  console.error("usage: npm run dead-letters -- <list|replay> [topic …]");
  process.exit(2);
}
const brokers = (process.env.KAFKA_BROKERS ?? "127.0.0.1:19092").split(",");
const prefix = process.env.KAFKA_TOPIC_PREFIX ?? "";
const topics = (names.length > 0 ? names : Object.values(TOPICS)).map((t) => deadLetterTopic(`${prefix}${t}`));

if (command === "list") {
  // The same reader as the portal's Dead letters page: every letter up to the end each topic had.
  const { letters, complete } = await readDeadLetters({ brokers, clientId: "dead-letters" }, topics);
  for (const { letter, raw, deadLetterTopic: where, partition, offset } of letters) {
    if (!letter) {
      console.log(`${where}[${partition}]@${offset}: not a dead letter of this platform: ${raw.slice(0, 300)}`);
      continue;
    }
    console.log(`${letter.dead_lettered_at} ${letter.reason} ${letter.topic}[${letter.partition}]@${letter.offset} key=${letter.key}: ${letter.errors.join("; ")}`);
    console.log(`  ${letter.value.slice(0, 300)}`);
  }
  console.log(`${letters.length} dead letter(s) listed${complete ? "" : " (Kafka did not deliver them all in time: run again)"}`);
  process.exit(0);
}

// Replaying uses a fixed group, so each letter is replayed once by this command (the portal's
// Dead letters page records its own replays; the consumers' inbox applies a message at most once
// whichever replays it).
const consumer = new Consumer({
  clientId: "dead-letters",
  groupId: `${prefix}dead-letter-replayer`,
  bootstrapBrokers: brokers,
  deserializers: stringDeserializers,
});
const producer = new Producer({ clientId: "dead-letters", bootstrapBrokers: brokers, serializers: stringSerializers, idempotent: true, acks: ProduceAcks.ALL });
const stream = await consumer.consume({ topics, mode: "committed", fallbackMode: "earliest", autocommit: false, maxWaitTime: 500 });

let count = 0;
let idle: NodeJS.Timeout | undefined;
const finish = async () => {
  await consumer.close(true);
  await producer.close();
  console.log(`${count} dead letter(s) replayed`);
  process.exit(0);
};
const armIdle = () => {
  clearTimeout(idle);
  idle = setTimeout(() => void finish(), 3_000);
};
armIdle();
for await (const message of stream) {
  armIdle();
  const letter = parseDeadLetter(message.value);
  if (!letter || letter.topic !== message.topic.replace(/\.dlq$/, "")) {
    console.log(`skipped ${message.topic}[${message.partition}]@${message.offset}: not a dead letter of this topic`);
    await message.commit();
    continue;
  }
  count++;
  await producer.send({ messages: [{ topic: letter.topic, partition: letter.partition, key: letter.key ?? "dead-letter", value: letter.value }] });
  await message.commit();
  console.log(`replayed ${letter.topic}[${letter.partition}]@${letter.offset}`);
}
