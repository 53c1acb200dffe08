// `npm run dead-letters -- list [topic …]`    prints the dead letters of the given topics (default: all)
// `npm run dead-letters -- replay [topic …]`  re-publishes each waiting dead letter to its original topic
//                                             (after the cause was fixed), through the order service, as
//                                             the portal does; the consumers' inbox applies nothing twice.
import { TOPICS } from "@spgroup/contracts";
import { commandLineSession, deadLetterTopic, readDeadLetters } from "@spgroup/platform";

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

// Replaying goes through the order service (ORDER_SERVICE_URL), as the portal's Dead letters page
// does: each waiting letter is replayed once, recorded with the activity log under this command's
// operator, and a letter an operator discarded or replayed already is left alone.
const orderService = process.env.ORDER_SERVICE_URL ?? "http://127.0.0.1:8080";
const { token } = await commandLineSession("dead-letters-cli", "operator");
const headers = { authorization: `Bearer ${token}` };
let replayed = 0;
let refused = 0;
for (const topic of topics) {
  const listed = await fetch(`${orderService}/api/admin/v1/ops/dead-letters?state=waiting&topic=${encodeURIComponent(topic)}`, { headers, signal: AbortSignal.timeout(60_000) });
  if (!listed.ok) {
    console.error(`could not list ${topic}: ${listed.status} ${await listed.text()}`);
    process.exit(1);
  }
  const { data } = (await listed.json()) as {
    data: { letters: { dead_letter_topic: string; dead_letter_partition: number; dead_letter_offset: string; topic: string; partition: number; offset: string }[]; complete: boolean; truncated: boolean };
  };
  if (!data.complete || data.truncated) console.warn(`${topic}: not every letter was listed (${data.complete ? "more than are listed" : "Kafka was slow"}); run again for the rest`);
  // In the order they were dead-lettered, per partition of the dead-letter topic (its offsets).
  const inOrder = [...data.letters].sort((a, b) => a.dead_letter_partition - b.dead_letter_partition || Number(BigInt(a.dead_letter_offset) - BigInt(b.dead_letter_offset)));
  for (const l of inOrder) {
    const place = `${encodeURIComponent(l.dead_letter_topic)}/${l.dead_letter_partition}/${l.dead_letter_offset}`;
    const response = await fetch(`${orderService}/api/admin/v1/ops/dead-letters/${place}/replay`, { method: "POST", headers, signal: AbortSignal.timeout(60_000) });
    if (response.ok) {
      replayed++;
      console.log(`replayed ${l.topic}[${l.partition}]@${l.offset}`);
    } else {
      refused++;
      console.log(`not replayed ${l.topic}[${l.partition}]@${l.offset}: ${response.status} ${((await response.json().catch(() => ({}))) as { error?: string }).error ?? ""}`);
    }
  }
}
console.log(`${replayed} dead letter(s) replayed${refused > 0 ? `, ${refused} refused` : ""}`);
process.exit(refused > 0 ? 1 : 0);
